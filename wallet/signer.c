/* signer.c: the one way the rest of Tally asks for a signature, or to open
 * a message sealed to the account
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-wallet"

#include "config.h"

#include <string.h>

#include "eip191.h"
#include "error.h"
#include "signer.h"

G_DEFINE_INTERFACE (TallySigner, tally_signer, G_TYPE_OBJECT)

static void
tally_signer_default_init (TallySignerInterface *iface)
{
}

void
tally_signer_get_address (TallySigner  *self,
                          TallyAddress *address)
{
  TallySignerInterface *iface;

  g_return_if_fail (TALLY_IS_SIGNER (self));
  g_return_if_fail (address != NULL);

  memset (address, 0, sizeof *address);
  iface = TALLY_SIGNER_GET_IFACE (self);
  g_return_if_fail (iface->get_address != NULL);
  iface->get_address (self, address);
}

void
tally_signer_sign_digest_async (TallySigner        *self,
                                const guint8        digest[TALLY_DIGEST_LEN],
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  TallySignerInterface *iface;

  g_return_if_fail (TALLY_IS_SIGNER (self));
  g_return_if_fail (digest != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = TALLY_SIGNER_GET_IFACE (self);
  g_return_if_fail (iface->sign_digest_async != NULL);
  iface->sign_digest_async (self, digest, cancellable, callback, user_data);
}

gboolean
tally_signer_sign_digest_finish (TallySigner  *self,
                                 GAsyncResult *result,
                                 guint8        signature[TALLY_SIGNATURE_LEN],
                                 GError      **error)
{
  TallySignerInterface *iface;

  g_return_val_if_fail (TALLY_IS_SIGNER (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);
  g_return_val_if_fail (signature != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (signature, 0, TALLY_SIGNATURE_LEN);
  iface = TALLY_SIGNER_GET_IFACE (self);
  g_return_val_if_fail (iface->sign_digest_finish != NULL, FALSE);

  return iface->sign_digest_finish (self, result, signature, error);
}

typedef struct
{
  GMainContext *context;
  GAsyncResult *result;
} SyncData;

static void
sync_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  SyncData *data = user_data;

  data->result = g_object_ref (result);
  g_main_context_wakeup (data->context);
}

gboolean
tally_signer_sign_digest_sync (TallySigner  *self,
                               guint8        signature[TALLY_SIGNATURE_LEN],
                               const guint8  digest[TALLY_DIGEST_LEN],
                               GCancellable *cancellable,
                               GError      **error)
{
  TallySignerInterface *iface;
  SyncData              data = { NULL, NULL };
  gboolean              ok;

  g_return_val_if_fail (TALLY_IS_SIGNER (self), FALSE);
  g_return_val_if_fail (signature != NULL, FALSE);
  g_return_val_if_fail (digest != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (signature, 0, TALLY_SIGNATURE_LEN);
  iface = TALLY_SIGNER_GET_IFACE (self);
  if (iface->sign_digest_sync != NULL)
    return iface->sign_digest_sync (self, signature, digest, cancellable, error);

  /* A private context keeps the caller's main loop from running other
   * sources (and re-entering the caller) while we wait. */
  data.context = g_main_context_new ();
  g_main_context_push_thread_default (data.context);
  tally_signer_sign_digest_async (self, digest, cancellable, sync_done_cb, &data);
  while (data.result == NULL)
    g_main_context_iteration (data.context, TRUE);
  ok = tally_signer_sign_digest_finish (self, data.result, signature, error);
  g_main_context_pop_thread_default (data.context);
  g_object_unref (data.result);
  g_main_context_unref (data.context);

  return ok;
}

gboolean
tally_signer_sign_message_sync (TallySigner  *self,
                                guint8        signature[TALLY_SIGNATURE_LEN],
                                const guint8 *message,
                                gsize         message_len,
                                GCancellable *cancellable,
                                GError      **error)
{
  guint8 digest[TALLY_DIGEST_LEN];

  g_return_val_if_fail (TALLY_IS_SIGNER (self), FALSE);
  g_return_val_if_fail (signature != NULL, FALSE);
  g_return_val_if_fail (message != NULL || message_len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (signature, 0, TALLY_SIGNATURE_LEN);
  tally_eip191_hash_message (digest, message, message_len);
  if (!tally_signer_sign_digest_sync (self, signature, digest, cancellable, error))
    return FALSE;
  /* A remote or hardware signer is not trusted to follow the contract. */
  if (signature[TALLY_SIGNATURE_LEN - 1] > 1)
    {
      guint v = signature[TALLY_SIGNATURE_LEN - 1];

      memset (signature, 0, TALLY_SIGNATURE_LEN);
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                   "The signer returned a signature with recovery byte %u instead of 0 or 1", v);
      return FALSE;
    }
  signature[TALLY_SIGNATURE_LEN - 1] += TALLY_EIP191_RECOVERY_OFFSET;

  return TRUE;
}

gboolean
tally_signer_get_public_key (TallySigner *self,
                             guint8       public_key[TALLY_PUBLIC_KEY_LEN],
                             GError     **error)
{
  TallySignerInterface *iface;

  g_return_val_if_fail (TALLY_IS_SIGNER (self), FALSE);
  g_return_val_if_fail (public_key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (public_key, 0, TALLY_PUBLIC_KEY_LEN);
  iface = TALLY_SIGNER_GET_IFACE (self);
  if (iface->get_public_key == NULL)
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_UNSUPPORTED,
                           "This wallet cannot tell its public key, so nothing can be "
                           "sealed to it");
      return FALSE;
    }

  return iface->get_public_key (self, public_key, error);
}

void
tally_signer_open_sealed_async (TallySigner        *self,
                                GBytes             *sealed,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  TallySignerInterface *iface;

  g_return_if_fail (TALLY_IS_SIGNER (self));
  g_return_if_fail (sealed != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = TALLY_SIGNER_GET_IFACE (self);
  /* A signer on a device that only signs still answers, with an error the
   * caller can show, rather than a critical warning. */
  if (iface->open_sealed_async == NULL)
    {
      g_task_report_new_error (self, callback, user_data, tally_signer_open_sealed_async,
                               TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_UNSUPPORTED,
                               "This wallet cannot open sealed messages");
      return;
    }
  iface->open_sealed_async (self, sealed, cancellable, callback, user_data);
}

GBytes *
tally_signer_open_sealed_finish (TallySigner  *self,
                                 GAsyncResult *result,
                                 GError      **error)
{
  TallySignerInterface *iface;

  g_return_val_if_fail (TALLY_IS_SIGNER (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_async_result_is_tagged (result, tally_signer_open_sealed_async))
    return g_task_propagate_pointer (G_TASK (result), error);

  iface = TALLY_SIGNER_GET_IFACE (self);
  g_return_val_if_fail (iface->open_sealed_finish != NULL, NULL);

  return iface->open_sealed_finish (self, result, error);
}

GBytes *
tally_signer_open_sealed_sync (TallySigner  *self,
                               GBytes       *sealed,
                               GCancellable *cancellable,
                               GError      **error)
{
  TallySignerInterface *iface;
  SyncData              data = { NULL, NULL };
  GBytes               *plaintext;

  g_return_val_if_fail (TALLY_IS_SIGNER (self), NULL);
  g_return_val_if_fail (sealed != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  iface = TALLY_SIGNER_GET_IFACE (self);
  if (iface->open_sealed_sync != NULL)
    return iface->open_sealed_sync (self, sealed, cancellable, error);

  /* As in tally_signer_sign_digest_sync(). */
  data.context = g_main_context_new ();
  g_main_context_push_thread_default (data.context);
  tally_signer_open_sealed_async (self, sealed, cancellable, sync_done_cb, &data);
  while (data.result == NULL)
    g_main_context_iteration (data.context, TRUE);
  plaintext = tally_signer_open_sealed_finish (self, data.result, error);
  g_main_context_pop_thread_default (data.context);
  g_object_unref (data.result);
  g_main_context_unref (data.context);

  return plaintext;
}
