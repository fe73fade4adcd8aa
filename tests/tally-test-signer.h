/* tally-test-signer.h: what the TallySigner tests share: signers of the
 * tests' own (one answering only asynchronously, one that only signs),
 * random keys, messages sealed to a signer, and a wait for a signer that
 * a worker thread lets go of last
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "wallet/tally-wallet.h"

G_BEGIN_DECLS

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

/* A signer with none of the sealed-message vfuncs, as a hardware wallet
 * that only signs would be; the tests here need only its address. */
#define TEST_TYPE_SIGN_ONLY_SIGNER (test_sign_only_signer_get_type ())
G_DECLARE_FINAL_TYPE (TestSignOnlySigner, test_sign_only_signer, TEST, SIGN_ONLY_SIGNER, GObject)

struct _TestSignOnlySigner
{
  GObject parent_instance;
};

void    tally_test_random_key (guint8 key[TALLY_PRIVATE_KEY_LEN]);
GBytes *tally_test_seal_to (TallySigner  *signer,
                            const guint8 *message,
                            gsize         message_len);
void    tally_test_assert_finalize_eventually (gpointer object);
/* An idle callback that sets the gboolean at user_data and stays. */
gboolean tally_test_set_flag_cb (gpointer user_data);

G_END_DECLS
