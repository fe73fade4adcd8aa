/* test-signer.c: the TallySigner interface and TallyKeySigner
 * (wallet/signer.c, wallet/key-signer.c): keys, signing on the worker
 * pool, cancellation, and the sync fallback of an async-only signer
 * (opening sealed messages is in test-signer-sealed.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "tally-test-signer.h"
#include "tally-test-util.h"
#include "wallet/tally-wallet.h"

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

  tally_test_random_key (key);
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

  tally_test_random_key (key);
  signer = tally_key_signer_new (key, NULL);
  g_assert_nonnull (signer);

  for (guint round = 0; round < 20; round++)
    {
      guint8 digest[TALLY_DIGEST_LEN];
      guint8 expected[TALLY_SIGNATURE_LEN];
      guint8 signature[TALLY_SIGNATURE_LEN];
      g_autoptr (GError) error = NULL;

      tally_test_random_bytes (digest, TALLY_DIGEST_LEN);
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

static void
test_sign_async (void)
{
  guint8          key[TALLY_PRIVATE_KEY_LEN];
  guint8          digests[8][TALLY_DIGEST_LEN];
  TallyKeySigner *signer;
  AsyncState      state = { 0 };

  tally_test_random_key (key);
  signer = tally_key_signer_new (key, NULL);
  state.loop = g_main_loop_new (NULL, FALSE);

  /* Several in flight at once, on the worker pool. */
  for (guint i = 0; i < G_N_ELEMENTS (digests); i++)
    {
      AsyncCall *call = g_new0 (AsyncCall, 1);

      call->state = &state;
      call->index = i;
      tally_test_random_bytes (digests[i], TALLY_DIGEST_LEN);
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
  tally_test_assert_finalize_eventually (signer);
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

  tally_test_random_key (key);
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

  tally_test_assert_finalize_eventually (signer);
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

  tally_test_random_key (signer->key);
  tally_test_random_bytes (digest, TALLY_DIGEST_LEN);
  source_id = g_idle_add (tally_test_set_flag_cb, &fired);

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

  return g_test_run ();
}
