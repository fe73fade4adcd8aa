/* test-signer-sealed.c: messages sealed to a TallySigner's public key
 * and opened by it (wallet/signer.c, wallet/key-signer.c): sync and on
 * the worker pool, the plaintext wiped, and the fallbacks of signers that
 * answer only asynchronously or cannot open at all
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "tally-test-signer.h"
#include "wallet/tally-wallet.h"

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
test_public_key (void)
{
  guint8          key[TALLY_PRIVATE_KEY_LEN];
  guint8          expected[TALLY_PUBLIC_KEY_LEN];
  guint8          public_key[TALLY_PUBLIC_KEY_LEN];
  TallyAddress    address;
  TallyAddress    from_public_key;
  TallyKeySigner *signer;
  g_autoptr (GError) error = NULL;

  tally_test_random_key (key);
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

  tally_test_random_key (key);
  signer = tally_key_signer_new (key, NULL);
  tally_test_random_key (key);
  other = tally_key_signer_new (key, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      g_autofree guint8 *message = g_malloc (lengths[i] + 1);
      g_autoptr (GBytes) sealed = NULL;
      g_autoptr (GBytes) plaintext = NULL;
      g_autoptr (GError) error = NULL;

      for (gsize j = 0; j < lengths[i]; j++)
        message[j] = (guint8) g_test_rand_int_range (0, 256);
      sealed = tally_test_seal_to (TALLY_SIGNER (signer), message, lengths[i]);

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
    g_autoptr (GBytes) sealed = tally_test_seal_to (TALLY_SIGNER (signer), (const guint8 *) "abc", 3);
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

  tally_test_random_key (key);
  tally_test_random_key (message);
  signer = tally_key_signer_new (key, NULL);
  sealed = tally_test_seal_to (TALLY_SIGNER (signer), message, sizeof message);

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

  tally_test_random_key (key);
  signer = tally_key_signer_new (key, NULL);
  state.loop = g_main_loop_new (NULL, FALSE);

  /* Several in flight on the worker pool, one that does not open, one
   * cancelled before it starts. */
  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    {
      g_autoptr (GBytes) sealed = NULL;

      for (guint j = 0; j < sizeof messages[i]; j++)
        messages[i][j] = (guint8) g_test_rand_int_range (0, 256);
      sealed = tally_test_seal_to (TALLY_SIGNER (signer), messages[i], sizeof messages[i]);
      /* The signer keeps its own reference: ours goes now. */
      start_open (TALLY_SIGNER (signer), &state, i, sealed, NULL);
    }
  {
    g_autoptr (GBytes) sealed = tally_test_seal_to (TALLY_SIGNER (signer), messages[0],
                                                    sizeof messages[0]);
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
  tally_test_assert_finalize_eventually (signer);
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

  tally_test_random_key (signer->key);
  tally_test_random_key (message);
  message[32] = 0x42;
  sealed = tally_test_seal_to (TALLY_SIGNER (signer), message, sizeof message);

  source_id = g_idle_add (tally_test_set_flag_cb, &fired);
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

  g_test_add_func ("/wallet/signer/public-key", test_public_key);
  g_test_add_func ("/wallet/signer/open-sealed-sync", test_open_sealed_sync);
  g_test_add_func ("/wallet/signer/open-sealed-wiped", test_open_sealed_wiped);
  g_test_add_func ("/wallet/signer/open-sealed-async", test_open_sealed_async);
  g_test_add_func ("/wallet/signer/open-sealed-fallback", test_open_sealed_fallback);

  return g_test_run ();
}
