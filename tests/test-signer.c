/* test-signer.c: the TallySigner interface and TallyKeySigner
 * (wallet/signer.c, wallet/key-signer.c): signing, and opening messages
 * sealed to the signer's public key
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "wallet/tally-wallet.h"

static void
random_key (guint8 key[TALLY_PRIVATE_KEY_LEN])
{
  do
    for (guint i = 0; i < TALLY_PRIVATE_KEY_LEN; i++)
      key[i] = (guint8) g_test_rand_int_range (0, 256);
  while (!tally_private_key_verify (key, NULL));
}

/* Every wipe in libtally-wallet goes through explicit_bzero() (secret.c).
 * This definition, in the executable, takes the place of libc's for the
 * static library: it wipes just the same, and tells a test whether some
 * bytes it watches were wiped while they still held their value, that is
 * before the memory went back to the allocator. */
static GMutex        watch_lock;
static const guint8 *watch_data;
static gsize         watch_len;
static guint8       *watch_value;
static gboolean      watch_wiped;

void
explicit_bzero (void  *s,
                size_t n)
{
  g_mutex_lock (&watch_lock);
  if (watch_data != NULL && s == (void *) watch_data && n >= watch_len &&
      memcmp (s, watch_value, watch_len) == 0)
    watch_wiped = TRUE;
  g_mutex_unlock (&watch_lock);

  memset (s, 0, n);
  __asm__ __volatile__(""
                       :
                       : "r"(s)
                       : "memory");
}

static void
watch_wipe (GBytes *bytes)
{
  g_mutex_lock (&watch_lock);
  watch_data = g_bytes_get_data (bytes, &watch_len);
  g_free (watch_value);
  watch_value = g_memdup2 (watch_data, watch_len);
  watch_wiped = FALSE;
  g_mutex_unlock (&watch_lock);
}

static gboolean
watch_end (void)
{
  gboolean wiped;

  g_mutex_lock (&watch_lock);
  wiped = watch_wiped;
  watch_data = NULL;
  g_clear_pointer (&watch_value, g_free);
  g_mutex_unlock (&watch_lock);

  return wiped;
}

static void
random_digest (guint8 digest[TALLY_DIGEST_LEN])
{
  for (guint i = 0; i < TALLY_DIGEST_LEN; i++)
    digest[i] = (guint8) g_test_rand_int_range (0, 256);
}

/* A signer with no sync vfunc whose async half answers from an idle
 * callback, as a device or a remote service would: it exercises the sync
 * fallback. MISBEHAVE makes it return a recovery byte outside 0/1. */
#define TEST_TYPE_ASYNC_SIGNER (test_async_signer_get_type ())
G_DECLARE_FINAL_TYPE (TestAsyncSigner, test_async_signer, TEST, ASYNC_SIGNER, GObject)

struct _TestAsyncSigner
{
  GObject  parent_instance;
  guint8   key[TALLY_PRIVATE_KEY_LEN];
  gboolean misbehave;
};

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

/* A signer with none of the sealed-message vfuncs, as a hardware wallet
 * that only signs would be; the tests here need only its address. */
#define TEST_TYPE_SIGN_ONLY_SIGNER (test_sign_only_signer_get_type ())
G_DECLARE_FINAL_TYPE (TestSignOnlySigner, test_sign_only_signer, TEST, SIGN_ONLY_SIGNER, GObject)

struct _TestSignOnlySigner
{
  GObject parent_instance;
};

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

static void
test_address (void)
{
  guint8           key[TALLY_PRIVATE_KEY_LEN];
  TallyAddress     expected;
  TallyAddress     address;
  char             expected_text[TALLY_ADDRESS_STRING_SIZE];
  g_autofree char *text = NULL;
  TallyKeySigner  *signer;
  g_autoptr (GError) error = NULL;

  random_key (key);
  g_assert_true (tally_address_from_private_key (&expected, key, NULL));
  tally_address_to_string (&expected, expected_text);

  signer = tally_key_signer_new (key, &error);
  g_assert_no_error (error);
  g_assert_true (TALLY_IS_SIGNER (signer));

  tally_signer_get_address (TALLY_SIGNER (signer), &address);
  g_assert_true (tally_address_equal (&expected, &address));
  g_object_get (signer, "address", &text, NULL);
  g_assert_cmpstr (text, ==, expected_text);

  g_assert_finalize_object (signer);
}

/* The key's only way out would be a property: there is one, the address. */
static void
test_key_not_exposed (void)
{
  g_autoptr (GTypeClass) klass = g_type_class_ref (TALLY_TYPE_KEY_SIGNER);
  g_autofree GParamSpec **pspecs = NULL;
  guint                   n_pspecs = 0;

  pspecs = g_object_class_list_properties (G_OBJECT_CLASS (klass), &n_pspecs);
  g_assert_cmpuint (n_pspecs, ==, 1);
  g_assert_cmpstr (g_param_spec_get_name (pspecs[0]), ==, "address");
  g_assert_false (pspecs[0]->flags & G_PARAM_WRITABLE);
}

static void
test_invalid_key (void)
{
  guint8 zero[TALLY_PRIVATE_KEY_LEN] = { 0 };
  guint8 high[TALLY_PRIVATE_KEY_LEN];

  memset (high, 0xff, sizeof high);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (GError) error = NULL;
      TallyKeySigner *signer = tally_key_signer_new (i == 0 ? zero : high, &error);

      g_assert_null (signer);
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_KEY);
    }
}

/* g_object_new() bypasses tally_key_signer_new(): no key, so no signature. */
static void
test_no_key (void)
{
  TallyKeySigner *signer = g_object_new (TALLY_TYPE_KEY_SIGNER, NULL);
  guint8          digest[TALLY_DIGEST_LEN] = { 1 };
  guint8          signature[TALLY_SIGNATURE_LEN];
  g_autoptr (GError) error = NULL;

  g_assert_false (tally_signer_sign_digest_sync (TALLY_SIGNER (signer), signature, digest, NULL,
                                                 &error));
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_KEY);
  g_assert_finalize_object (signer);
}

static void
test_sign_sync (void)
{
  guint8              key[TALLY_PRIVATE_KEY_LEN];
  TallyKeySigner     *signer;
  static const guint8 message[] = "Join task 7 on Tally";

  random_key (key);
  signer = tally_key_signer_new (key, NULL);
  g_assert_nonnull (signer);

  for (guint round = 0; round < 20; round++)
    {
      guint8 digest[TALLY_DIGEST_LEN];
      guint8 expected[TALLY_SIGNATURE_LEN];
      guint8 signature[TALLY_SIGNATURE_LEN];
      g_autoptr (GError) error = NULL;

      random_digest (digest);
      g_assert_true (tally_sign_digest (expected, key, digest, NULL));
      g_assert_true (tally_signer_sign_digest_sync (TALLY_SIGNER (signer), signature, digest, NULL,
                                                    &error));
      g_assert_no_error (error);
      g_assert_cmpmem (signature, sizeof signature, expected, sizeof expected);
    }

  {
    guint8       expected[TALLY_SIGNATURE_LEN];
    guint8       signature[TALLY_SIGNATURE_LEN];
    TallyAddress address;
    TallyAddress recovered;
    g_autoptr (GError) error = NULL;

    g_assert_true (tally_eip191_sign_message (expected, key, message, sizeof message - 1, NULL));
    g_assert_true (tally_signer_sign_message_sync (TALLY_SIGNER (signer), signature, message,
                                                   sizeof message - 1, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpmem (signature, sizeof signature, expected, sizeof expected);
    g_assert_cmpuint (signature[64], >=, 27);

    tally_signer_get_address (TALLY_SIGNER (signer), &address);
    g_assert_true (tally_eip191_recover_address (&recovered, signature, message,
                                                 sizeof message - 1, &error));
    g_assert_true (tally_address_equal (&address, &recovered));
  }

  g_assert_finalize_object (signer);
}

typedef struct
{
  GMainLoop *loop;
  guint      pending;
  guint8     signatures[8][TALLY_SIGNATURE_LEN];
  GError    *errors[8];
} AsyncState;

typedef struct
{
  AsyncState *state;
  guint       index;
} AsyncCall;

static void
sign_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autofree AsyncCall *call = user_data;
  AsyncState           *state = call->state;
  gboolean              ok;

  /* Results come back on the caller's thread, not the worker's. */
  g_assert_true (g_main_context_is_owner (g_main_loop_get_context (state->loop)));
  ok = tally_signer_sign_digest_finish (TALLY_SIGNER (source), result,
                                        state->signatures[call->index],
                                        &state->errors[call->index]);
  g_assert_true (ok == (state->errors[call->index] == NULL));
  if (--state->pending == 0)
    g_main_loop_quit (state->loop);
}

/* A worker thread drops its reference to the task, and so to the signer,
 * just after it has queued the callback: the last unref may come a moment
 * after the callback ran. */
static void
assert_finalize_eventually (gpointer object)
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

static void
test_sign_async (void)
{
  guint8          key[TALLY_PRIVATE_KEY_LEN];
  guint8          digests[8][TALLY_DIGEST_LEN];
  TallyKeySigner *signer;
  AsyncState      state = { 0 };

  random_key (key);
  signer = tally_key_signer_new (key, NULL);
  state.loop = g_main_loop_new (NULL, FALSE);

  /* Several in flight at once, on the worker pool. */
  for (guint i = 0; i < G_N_ELEMENTS (digests); i++)
    {
      AsyncCall *call = g_new0 (AsyncCall, 1);

      call->state = &state;
      call->index = i;
      random_digest (digests[i]);
      state.pending++;
      tally_signer_sign_digest_async (TALLY_SIGNER (signer), digests[i], NULL, sign_done_cb, call);
    }
  /* The digest is copied: scribbling on ours must not change what is signed. */
  g_assert_cmpuint (state.pending, ==, G_N_ELEMENTS (digests));
  {
    guint8 saved[8][TALLY_DIGEST_LEN];

    memcpy (saved, digests, sizeof saved);
    memset (digests, 0, sizeof digests);
    g_main_loop_run (state.loop);
    memcpy (digests, saved, sizeof saved);
  }

  for (guint i = 0; i < G_N_ELEMENTS (digests); i++)
    {
      guint8 expected[TALLY_SIGNATURE_LEN];

      g_assert_no_error (state.errors[i]);
      g_assert_true (tally_sign_digest (expected, key, digests[i], NULL));
      g_assert_cmpmem (state.signatures[i], TALLY_SIGNATURE_LEN, expected, sizeof expected);
    }

  g_main_loop_unref (state.loop);
  assert_finalize_eventually (signer);
}

static void
test_cancelled (void)
{
  guint8          key[TALLY_PRIVATE_KEY_LEN];
  guint8          digest[TALLY_DIGEST_LEN] = { 7 };
  guint8          signature[TALLY_SIGNATURE_LEN];
  TallyKeySigner *signer;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  AsyncState state = { 0 };
  AsyncCall *call = g_new0 (AsyncCall, 1);
  g_autoptr (GError) error = NULL;

  random_key (key);
  signer = tally_key_signer_new (key, NULL);
  g_cancellable_cancel (cancellable);

  state.loop = g_main_loop_new (NULL, FALSE);
  state.pending = 1;
  memset (state.signatures[0], 0xaa, TALLY_SIGNATURE_LEN);
  call->state = &state;
  tally_signer_sign_digest_async (TALLY_SIGNER (signer), digest, cancellable, sign_done_cb, call);
  g_main_loop_run (state.loop);
  g_assert_error (state.errors[0], G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&state.errors[0]);
  for (guint i = 0; i < TALLY_SIGNATURE_LEN; i++)
    g_assert_cmpuint (state.signatures[0][i], ==, 0);
  g_main_loop_unref (state.loop);

  g_assert_false (tally_signer_sign_digest_sync (TALLY_SIGNER (signer), signature, digest,
                                                 cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  assert_finalize_eventually (signer);
}

static gboolean
set_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_CONTINUE;
}

/* A signer without a sync vfunc still serves tally_signer_sign_digest_sync,
 * without running the caller's main context. */
static void
test_sync_fallback (void)
{
  TestAsyncSigner *signer = g_object_new (TEST_TYPE_ASYNC_SIGNER, NULL);
  guint8           digest[TALLY_DIGEST_LEN];
  guint8           expected[TALLY_SIGNATURE_LEN];
  guint8           signature[TALLY_SIGNATURE_LEN];
  gboolean         fired = FALSE;
  guint            source_id;
  g_autoptr (GError) error = NULL;

  random_key (signer->key);
  random_digest (digest);
  source_id = g_idle_add (set_flag_cb, &fired);

  g_assert_true (tally_sign_digest (expected, signer->key, digest, NULL));
  g_assert_true (tally_signer_sign_digest_sync (TALLY_SIGNER (signer), signature, digest, NULL,
                                                &error));
  g_assert_no_error (error);
  g_assert_cmpmem (signature, sizeof signature, expected, sizeof expected);
  g_assert_false (fired);
  g_source_remove (source_id);

  signer->misbehave = TRUE;
  memset (signature, 0xaa, sizeof signature);
  g_assert_false (tally_signer_sign_message_sync (TALLY_SIGNER (signer), signature,
                                                  (const guint8 *) "x", 1, NULL, &error));
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
  for (guint i = 0; i < sizeof signature; i++)
    g_assert_cmpuint (signature[i], ==, 0);

  g_assert_finalize_object (signer);
}

static GBytes *
seal_to (TallySigner  *signer,
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

static void
test_public_key (void)
{
  guint8          key[TALLY_PRIVATE_KEY_LEN];
  guint8          expected[TALLY_PUBLIC_KEY_LEN];
  guint8          public_key[TALLY_PUBLIC_KEY_LEN];
  TallyAddress    address;
  TallyAddress    from_public_key;
  TallyKeySigner *signer;
  g_autoptr (GError) error = NULL;

  random_key (key);
  g_assert_true (tally_public_key_from_private (expected, key, NULL));
  signer = tally_key_signer_new (key, NULL);
  g_assert_true (tally_signer_get_public_key (TALLY_SIGNER (signer), public_key, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (public_key, sizeof public_key, expected, sizeof expected);

  /* The key sealed to is the account's own. */
  tally_signer_get_address (TALLY_SIGNER (signer), &address);
  tally_address_from_public_key (&from_public_key, public_key);
  g_assert_true (tally_address_equal (&address, &from_public_key));
  g_assert_finalize_object (signer);

  signer = g_object_new (TALLY_TYPE_KEY_SIGNER, NULL);
  memset (public_key, 0xaa, sizeof public_key);
  g_assert_false (tally_signer_get_public_key (TALLY_SIGNER (signer), public_key, &error));
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_KEY);
  for (guint i = 0; i < sizeof public_key; i++)
    g_assert_cmpuint (public_key[i], ==, 0);
  g_assert_finalize_object (signer);
}

static void
test_open_sealed_sync (void)
{
  static const gsize lengths[] = { 0, 1, 32, 33, 500 };
  guint8             key[TALLY_PRIVATE_KEY_LEN];
  TallyKeySigner    *signer;
  TallyKeySigner    *other;

  random_key (key);
  signer = tally_key_signer_new (key, NULL);
  random_key (key);
  other = tally_key_signer_new (key, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      g_autofree guint8 *message = g_malloc (lengths[i] + 1);
      g_autoptr (GBytes) sealed = NULL;
      g_autoptr (GBytes) plaintext = NULL;
      g_autoptr (GError) error = NULL;

      for (gsize j = 0; j < lengths[i]; j++)
        message[j] = (guint8) g_test_rand_int_range (0, 256);
      sealed = seal_to (TALLY_SIGNER (signer), message, lengths[i]);

      plaintext = tally_signer_open_sealed_sync (TALLY_SIGNER (signer), sealed, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (plaintext);
      g_assert_cmpmem (g_bytes_get_data (plaintext, NULL), g_bytes_get_size (plaintext),
                       message, lengths[i]);

      /* Sealed to one account, it does not open with another. */
      g_assert_null (tally_signer_open_sealed_sync (TALLY_SIGNER (other), sealed, NULL, &error));
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_DECRYPT);
    }

  /* What tally_ecies_open() refuses, the signer refuses alike. */
  {
    g_autoptr (GBytes) sealed = seal_to (TALLY_SIGNER (signer), (const guint8 *) "abc", 3);
    g_autoptr (GBytes) truncated = g_bytes_new_from_bytes (sealed, 0, TALLY_ECIES_OVERHEAD - 1);
    g_autoptr (GCancellable) cancellable = g_cancellable_new ();
    g_autoptr (GError) error = NULL;

    g_assert_null (tally_signer_open_sealed_sync (TALLY_SIGNER (signer), truncated, NULL, &error));
    g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_LENGTH);
    g_clear_error (&error);

    g_cancellable_cancel (cancellable);
    g_assert_null (tally_signer_open_sealed_sync (TALLY_SIGNER (signer), sealed, cancellable,
                                                  &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }

  g_assert_finalize_object (signer);
  g_assert_finalize_object (other);
}

/* The plaintext of a sealed task key is as secret as the key: the GBytes
 * the signer hands out wipes it when its last reference goes. */
static void
test_open_sealed_wiped (void)
{
  guint8          key[TALLY_PRIVATE_KEY_LEN];
  guint8          message[TALLY_PRIVATE_KEY_LEN];
  TallyKeySigner *signer;
  g_autoptr (GBytes) sealed = NULL;
  GBytes *plaintext;
  GBytes *extra;

  random_key (key);
  random_key (message);
  signer = tally_key_signer_new (key, NULL);
  sealed = seal_to (TALLY_SIGNER (signer), message, sizeof message);

  plaintext = tally_signer_open_sealed_sync (TALLY_SIGNER (signer), sealed, NULL, NULL);
  g_assert_nonnull (plaintext);
  extra = g_bytes_ref (plaintext);
  watch_wipe (plaintext);
  g_bytes_unref (plaintext);
  /* Not while someone still holds it... */
  g_assert_cmpmem (g_bytes_get_data (extra, NULL), g_bytes_get_size (extra), message,
                   sizeof message);
  g_bytes_unref (extra);
  /* ...and wiped, with its bytes still in place, when the last one goes. */
  g_assert_true (watch_end ());

  /* The check itself sees a GBytes that is not wiped. */
  plaintext = g_bytes_new (message, sizeof message);
  watch_wipe (plaintext);
  g_bytes_unref (plaintext);
  g_assert_false (watch_end ());

  g_assert_finalize_object (signer);
}

typedef struct
{
  GMainLoop *loop;
  guint      pending;
  GBytes    *plaintexts[6];
  GError    *errors[6];
} OpenState;

typedef struct
{
  OpenState *state;
  guint      index;
} OpenCall;

static void
open_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autofree OpenCall *call = user_data;
  OpenState           *state = call->state;

  g_assert_true (g_main_context_is_owner (g_main_loop_get_context (state->loop)));
  state->plaintexts[call->index] =
    tally_signer_open_sealed_finish (TALLY_SIGNER (source), result, &state->errors[call->index]);
  g_assert_true ((state->plaintexts[call->index] == NULL) != (state->errors[call->index] == NULL));
  if (--state->pending == 0)
    g_main_loop_quit (state->loop);
}

static void
start_open (TallySigner  *signer,
            OpenState    *state,
            guint         index,
            GBytes       *sealed,
            GCancellable *cancellable)
{
  OpenCall *call = g_new0 (OpenCall, 1);

  call->state = state;
  call->index = index;
  state->pending++;
  tally_signer_open_sealed_async (signer, sealed, cancellable, open_done_cb, call);
}

static void
test_open_sealed_async (void)
{
  guint8          key[TALLY_PRIVATE_KEY_LEN];
  guint8          messages[4][40];
  TallyKeySigner *signer;
  OpenState       state = { 0 };
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GBytes) garbage = NULL;

  random_key (key);
  signer = tally_key_signer_new (key, NULL);
  state.loop = g_main_loop_new (NULL, FALSE);

  /* Several in flight on the worker pool, one that does not open, one
   * cancelled before it starts. */
  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    {
      g_autoptr (GBytes) sealed = NULL;

      for (guint j = 0; j < sizeof messages[i]; j++)
        messages[i][j] = (guint8) g_test_rand_int_range (0, 256);
      sealed = seal_to (TALLY_SIGNER (signer), messages[i], sizeof messages[i]);
      /* The signer keeps its own reference: ours goes now. */
      start_open (TALLY_SIGNER (signer), &state, i, sealed, NULL);
    }
  {
    g_autoptr (GBytes) sealed = seal_to (TALLY_SIGNER (signer), messages[0], sizeof messages[0]);
    gsize   len;
    guint8 *altered = g_bytes_unref_to_data (g_bytes_ref (sealed), &len);

    altered[len - 1] ^= 0x80;
    garbage = g_bytes_new_take (altered, len);
    start_open (TALLY_SIGNER (signer), &state, 4, garbage, NULL);
    g_cancellable_cancel (cancellable);
    start_open (TALLY_SIGNER (signer), &state, 5, sealed, cancellable);
  }
  g_main_loop_run (state.loop);

  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    {
      g_assert_no_error (state.errors[i]);
      g_assert_cmpmem (g_bytes_get_data (state.plaintexts[i], NULL),
                       g_bytes_get_size (state.plaintexts[i]), messages[i], sizeof messages[i]);
      g_bytes_unref (state.plaintexts[i]);
    }
  g_assert_error (state.errors[4], TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_DECRYPT);
  g_assert_error (state.errors[5], G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&state.errors[4]);
  g_clear_error (&state.errors[5]);

  g_main_loop_unref (state.loop);
  assert_finalize_eventually (signer);
}

/* A signer with only the async pair serves the sync call too, without
 * running the caller's main context; one with none of the vfuncs says it
 * cannot, on every path. */
static void
test_open_sealed_fallback (void)
{
  TestAsyncSigner    *signer = g_object_new (TEST_TYPE_ASYNC_SIGNER, NULL);
  TestSignOnlySigner *sign_only = g_object_new (TEST_TYPE_SIGN_ONLY_SIGNER, NULL);
  guint8              message[33];
  guint8              public_key[TALLY_PUBLIC_KEY_LEN];
  gboolean            fired = FALSE;
  guint               source_id;
  g_autoptr (GBytes) sealed = NULL;
  g_autoptr (GBytes) plaintext = NULL;
  g_autoptr (GError) error = NULL;

  random_key (signer->key);
  random_key (message);
  message[32] = 0x42;
  sealed = seal_to (TALLY_SIGNER (signer), message, sizeof message);

  source_id = g_idle_add (set_flag_cb, &fired);
  plaintext = tally_signer_open_sealed_sync (TALLY_SIGNER (signer), sealed, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (plaintext, NULL), g_bytes_get_size (plaintext), message,
                   sizeof message);
  g_assert_false (fired);
  g_source_remove (source_id);

  g_assert_false (tally_signer_get_public_key (TALLY_SIGNER (sign_only), public_key, &error));
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  g_assert_null (tally_signer_open_sealed_sync (TALLY_SIGNER (sign_only), sealed, NULL, &error));
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_UNSUPPORTED);

  g_assert_finalize_object (signer);
  g_assert_finalize_object (sign_only);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wallet/signer/address", test_address);
  g_test_add_func ("/wallet/signer/key-not-exposed", test_key_not_exposed);
  g_test_add_func ("/wallet/signer/invalid-key", test_invalid_key);
  g_test_add_func ("/wallet/signer/no-key", test_no_key);
  g_test_add_func ("/wallet/signer/sign-sync", test_sign_sync);
  g_test_add_func ("/wallet/signer/sign-async", test_sign_async);
  g_test_add_func ("/wallet/signer/cancelled", test_cancelled);
  g_test_add_func ("/wallet/signer/sync-fallback", test_sync_fallback);
  g_test_add_func ("/wallet/signer/public-key", test_public_key);
  g_test_add_func ("/wallet/signer/open-sealed-sync", test_open_sealed_sync);
  g_test_add_func ("/wallet/signer/open-sealed-wiped", test_open_sealed_wiped);
  g_test_add_func ("/wallet/signer/open-sealed-async", test_open_sealed_async);
  g_test_add_func ("/wallet/signer/open-sealed-fallback", test_open_sealed_fallback);

  return g_test_run ();
}
