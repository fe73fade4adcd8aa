/* key-signer.c: a TallySigner over a private key held in memory
 *
 * The key sits in a TallySecret that only this file touches; signing and
 * opening sealed messages run in a worker thread, so the object is shared
 * read-only between threads once constructed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-wallet"

#include "config.h"

#include <string.h>

#include "ecies.h"
#include "error.h"
#include "key-signer.h"
#include "secret.h"

struct _TallyKeySigner
{
  GObject parent_instance;

  TallySecret *key;
  TallyAddress address;
  guint8       public_key[TALLY_PUBLIC_KEY_LEN];
};

static void tally_key_signer_signer_init (TallySignerInterface *iface);

/* clang-format would join the macro's arguments into one long line. */
/* clang-format off */
G_DEFINE_FINAL_TYPE_WITH_CODE (TallyKeySigner, tally_key_signer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TALLY_TYPE_SIGNER,
                                                      tally_key_signer_signer_init))
/* clang-format on */

enum
{
  PROP_0,
  PROP_ADDRESS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
sign_with_key (TallyKeySigner *self,
               guint8          signature[TALLY_SIGNATURE_LEN],
               const guint8    digest[TALLY_DIGEST_LEN],
               GError        **error)
{
  /* Only reachable through a bare g_object_new(), which sets no key. */
  if (self->key == NULL)
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_KEY,
                           "This signer holds no key");
      return FALSE;
    }

  return tally_sign_digest (signature, self->key->data, digest, error);
}

static void
tally_key_signer_get_address (TallySigner  *signer,
                              TallyAddress *address)
{
  TallyKeySigner *self = TALLY_KEY_SIGNER (signer);

  *address = self->address;
}

static void
sign_digest_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  TallyKeySigner *self = source_object;
  const guint8   *digest = task_data;
  guint8          signature[TALLY_SIGNATURE_LEN];
  GError         *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (!sign_with_key (self, signature, digest, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_memdup2 (signature, sizeof signature), g_free);
}

static void
tally_key_signer_sign_digest_async (TallySigner        *signer,
                                    const guint8        digest[TALLY_DIGEST_LEN],
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  task = g_task_new (signer, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_key_signer_sign_digest_async);
  g_task_set_task_data (task, g_memdup2 (digest, TALLY_DIGEST_LEN), g_free);
  g_task_run_in_thread (task, sign_digest_thread);
}

static gboolean
tally_key_signer_sign_digest_finish (TallySigner  *signer,
                                     GAsyncResult *result,
                                     guint8        signature[TALLY_SIGNATURE_LEN],
                                     GError      **error)
{
  g_autofree guint8 *bytes = NULL;

  g_return_val_if_fail (g_task_is_valid (result, signer), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, tally_key_signer_sign_digest_async),
                        FALSE);

  bytes = g_task_propagate_pointer (G_TASK (result), error);
  if (bytes == NULL)
    return FALSE;
  memcpy (signature, bytes, TALLY_SIGNATURE_LEN);

  return TRUE;
}

static gboolean
tally_key_signer_sign_digest_sync (TallySigner  *signer,
                                   guint8        signature[TALLY_SIGNATURE_LEN],
                                   const guint8  digest[TALLY_DIGEST_LEN],
                                   GCancellable *cancellable,
                                   GError      **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  return sign_with_key (TALLY_KEY_SIGNER (signer), signature, digest, error);
}

static gboolean
tally_key_signer_get_public_key (TallySigner *signer,
                                 guint8       public_key[TALLY_PUBLIC_KEY_LEN],
                                 GError     **error)
{
  TallyKeySigner *self = TALLY_KEY_SIGNER (signer);

  if (self->key == NULL)
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_KEY,
                           "This signer holds no key");
      return FALSE;
    }
  memcpy (public_key, self->public_key, TALLY_PUBLIC_KEY_LEN);

  return TRUE;
}

/* The plaintext goes out in a TallySecret behind the GBytes, so whoever
 * drops the last reference wipes it without knowing it is secret. */
static GBytes *
open_with_key (TallyKeySigner *self,
               GBytes         *sealed,
               GError        **error)
{
  g_autoptr (TallySecret) plaintext = NULL;
  const guint8 *data;
  gsize         len;
  TallySecret  *owned;

  if (self->key == NULL)
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_KEY,
                           "This signer holds no key");
      return NULL;
    }

  data = g_bytes_get_data (sealed, &len);
  plaintext = tally_secret_new (len > TALLY_ECIES_OVERHEAD ? len - TALLY_ECIES_OVERHEAD : 0);
  if (!tally_ecies_open (plaintext->data, self->key->data, data, len, error))
    return NULL;

  owned = g_steal_pointer (&plaintext);
  return g_bytes_new_with_free_func (owned->data, owned->len,
                                     (GDestroyNotify) tally_secret_free, owned);
}

static void
open_sealed_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GBytes *plaintext;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  plaintext = open_with_key (source_object, task_data, &error);
  if (plaintext == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, plaintext, (GDestroyNotify) g_bytes_unref);
}

static void
tally_key_signer_open_sealed_async (TallySigner        *signer,
                                    GBytes             *sealed,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  task = g_task_new (signer, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_key_signer_open_sealed_async);
  g_task_set_task_data (task, g_bytes_ref (sealed), (GDestroyNotify) g_bytes_unref);
  /* The elliptic-curve multiplication is too slow for the main loop when
   * many keys are opened at once. */
  g_task_run_in_thread (task, open_sealed_thread);
}

static GBytes *
tally_key_signer_open_sealed_finish (TallySigner  *signer,
                                     GAsyncResult *result,
                                     GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, signer), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, tally_key_signer_open_sealed_async),
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static GBytes *
tally_key_signer_open_sealed_sync (TallySigner  *signer,
                                   GBytes       *sealed,
                                   GCancellable *cancellable,
                                   GError      **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  return open_with_key (TALLY_KEY_SIGNER (signer), sealed, error);
}

static void
tally_key_signer_signer_init (TallySignerInterface *iface)
{
  iface->get_address = tally_key_signer_get_address;
  iface->sign_digest_async = tally_key_signer_sign_digest_async;
  iface->sign_digest_finish = tally_key_signer_sign_digest_finish;
  iface->sign_digest_sync = tally_key_signer_sign_digest_sync;
  iface->get_public_key = tally_key_signer_get_public_key;
  iface->open_sealed_async = tally_key_signer_open_sealed_async;
  iface->open_sealed_finish = tally_key_signer_open_sealed_finish;
  iface->open_sealed_sync = tally_key_signer_open_sealed_sync;
}

static void
tally_key_signer_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  TallyKeySigner *self = TALLY_KEY_SIGNER (object);

  switch (prop_id)
    {
    case PROP_ADDRESS:
      {
        char text[TALLY_ADDRESS_STRING_SIZE];

        tally_address_to_string (&self->address, text);
        g_value_set_string (value, text);
      }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_key_signer_finalize (GObject *object)
{
  TallyKeySigner *self = TALLY_KEY_SIGNER (object);

  g_clear_pointer (&self->key, tally_secret_free);

  G_OBJECT_CLASS (tally_key_signer_parent_class)->finalize (object);
}

static void
tally_key_signer_class_init (TallyKeySignerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tally_key_signer_finalize;
  object_class->get_property = tally_key_signer_get_property;

  /**
   * TallyKeySigner:address:
   *
   * The account's EIP-55 checksummed address, "0x"-prefixed.
   */
  properties[PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tally_key_signer_init (TallyKeySigner *self)
{
}

TallyKeySigner *
tally_key_signer_new (const guint8 key[TALLY_PRIVATE_KEY_LEN],
                      GError     **error)
{
  TallyKeySigner *self;
  guint8          public_key[TALLY_PUBLIC_KEY_LEN];

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!tally_public_key_from_private (public_key, key, error))
    return NULL;

  self = g_object_new (TALLY_TYPE_KEY_SIGNER, NULL);
  self->key = tally_secret_new_from_data (key, TALLY_PRIVATE_KEY_LEN);
  memcpy (self->public_key, public_key, TALLY_PUBLIC_KEY_LEN);
  tally_address_from_public_key (&self->address, public_key);

  return self;
}
