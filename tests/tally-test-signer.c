/* tally-test-signer.c: what the TallySigner tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "tally-test-signer.h"

void
tally_test_random_key (guint8 key[TALLY_PRIVATE_KEY_LEN])
{
  do
    for (guint i = 0; i < TALLY_PRIVATE_KEY_LEN; i++)
      key[i] = (guint8) g_test_rand_int_range (0, 256);
  while (!tally_private_key_verify (key, NULL));
}

static void test_async_signer_iface_init (TallySignerInterface *iface);

/* clang-format would join the macro's arguments into one long line. */
/* clang-format off */
G_DEFINE_FINAL_TYPE_WITH_CODE (TestAsyncSigner, test_async_signer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TALLY_TYPE_SIGNER,
                                                      test_async_signer_iface_init))
/* clang-format on */

static void
test_async_signer_get_address (TallySigner  *signer,
                               TallyAddress *address)
{
  g_assert_true (tally_address_from_private_key (address, TEST_ASYNC_SIGNER (signer)->key, NULL));
}

static gboolean
answer_idle_cb (gpointer user_data)
{
  GTask           *task = user_data;
  TestAsyncSigner *self = g_task_get_source_object (task);
  guint8           signature[TALLY_SIGNATURE_LEN];
  GError          *error = NULL;

  if (!tally_sign_digest (signature, self->key, g_task_get_task_data (task), &error))
    g_task_return_error (task, error);
  else
    {
      if (self->misbehave)
        signature[64] = 5;
      g_task_return_pointer (task, g_memdup2 (signature, sizeof signature), g_free);
    }

  return G_SOURCE_REMOVE;
}

static void
test_async_signer_sign_digest_async (TallySigner        *signer,
                                     const guint8        digest[TALLY_DIGEST_LEN],
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data)
{
  GTask *task = g_task_new (signer, cancellable, callback, user_data);

  g_task_set_task_data (task, g_memdup2 (digest, TALLY_DIGEST_LEN), g_free);
  g_main_context_invoke_full (g_task_get_context (task), G_PRIORITY_DEFAULT, answer_idle_cb,
                              task, g_object_unref);
}

static gboolean
test_async_signer_sign_digest_finish (TallySigner  *signer,
                                      GAsyncResult *result,
                                      guint8        signature[TALLY_SIGNATURE_LEN],
                                      GError      **error)
{
  g_autofree guint8 *bytes = g_task_propagate_pointer (G_TASK (result), error);

  if (bytes == NULL)
    return FALSE;
  memcpy (signature, bytes, TALLY_SIGNATURE_LEN);
  return TRUE;
}

static gboolean
test_async_signer_get_public_key (TallySigner *signer,
                                  guint8       public_key[TALLY_PUBLIC_KEY_LEN],
                                  GError     **error)
{
  return tally_public_key_from_private (public_key, TEST_ASYNC_SIGNER (signer)->key, error);
}

static gboolean
open_idle_cb (gpointer user_data)
{
  GTask           *task = user_data;
  TestAsyncSigner *self = g_task_get_source_object (task);
  GBytes          *sealed = g_task_get_task_data (task);
  gsize            len = g_bytes_get_size (sealed);
  guint8          *plaintext = g_malloc (len + 1);
  GError          *error = NULL;

  if (!tally_ecies_open (plaintext, self->key, g_bytes_get_data (sealed, NULL), len, &error))
    {
      g_free (plaintext);
      g_task_return_error (task, error);
    }
  else
    g_task_return_pointer (task, g_bytes_new_take (plaintext, len - TALLY_ECIES_OVERHEAD),
                           (GDestroyNotify) g_bytes_unref);

  return G_SOURCE_REMOVE;
}

static void
test_async_signer_open_sealed_async (TallySigner        *signer,
                                     GBytes             *sealed,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data)
{
  GTask *task = g_task_new (signer, cancellable, callback, user_data);

  g_task_set_task_data (task, g_bytes_ref (sealed), (GDestroyNotify) g_bytes_unref);
  g_main_context_invoke_full (g_task_get_context (task), G_PRIORITY_DEFAULT, open_idle_cb, task,
                              g_object_unref);
}

static GBytes *
test_async_signer_open_sealed_finish (TallySigner  *signer,
                                      GAsyncResult *result,
                                      GError      **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
test_async_signer_iface_init (TallySignerInterface *iface)
{
  iface->get_address = test_async_signer_get_address;
  iface->sign_digest_async = test_async_signer_sign_digest_async;
  iface->sign_digest_finish = test_async_signer_sign_digest_finish;
  iface->get_public_key = test_async_signer_get_public_key;
  iface->open_sealed_async = test_async_signer_open_sealed_async;
  iface->open_sealed_finish = test_async_signer_open_sealed_finish;
}

static void
test_async_signer_class_init (TestAsyncSignerClass *klass)
{
}

static void
test_async_signer_init (TestAsyncSigner *self)
{
}

static void test_sign_only_signer_iface_init (TallySignerInterface *iface);

/* clang-format off */
G_DEFINE_FINAL_TYPE_WITH_CODE (TestSignOnlySigner, test_sign_only_signer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TALLY_TYPE_SIGNER,
                                                      test_sign_only_signer_iface_init))
/* clang-format on */

static void
test_sign_only_signer_get_address (TallySigner  *signer,
                                   TallyAddress *address)
{
  memset (address, 0x11, sizeof *address);
}

static void
test_sign_only_signer_iface_init (TallySignerInterface *iface)
{
  iface->get_address = test_sign_only_signer_get_address;
}

static void
test_sign_only_signer_class_init (TestSignOnlySignerClass *klass)
{
}

static void
test_sign_only_signer_init (TestSignOnlySigner *self)
{
}

GBytes *
tally_test_seal_to (TallySigner  *signer,
                    const guint8 *message,
                    gsize         message_len)
{
  guint8  public_key[TALLY_PUBLIC_KEY_LEN];
  guint8 *sealed = g_malloc (message_len + TALLY_ECIES_OVERHEAD);
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_signer_get_public_key (signer, public_key, &error));
  g_assert_no_error (error);
  g_assert_true (tally_ecies_seal (sealed, public_key, message, message_len, &error));
  g_assert_no_error (error);

  return g_bytes_new_take (sealed, message_len + TALLY_ECIES_OVERHEAD);
}

/* A worker thread drops its reference to the task, and so to the signer,
 * just after it has queued the callback: the last unref may come a moment
 * after the callback ran. */
void
tally_test_assert_finalize_eventually (gpointer object)
{
  gpointer weak = object;
  gint64   deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  g_object_add_weak_pointer (object, &weak);
  g_object_unref (object);
  while (g_atomic_pointer_get (&weak) != NULL && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_null (g_atomic_pointer_get (&weak));
}

gboolean
tally_test_set_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_CONTINUE;
}
