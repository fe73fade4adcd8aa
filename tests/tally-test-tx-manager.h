/* tally-test-tx-manager.h: what the TallyTxManager tests share: a
 * fixture with a private anvil, a journal in a new folder and a manager
 * of anvil's first account, and synchronous sends, waits and node calls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rpc-client.h"
#include "tally-anvil-fixture.h"
#include "tx-journal.h"
#include "tx-manager.h"

G_BEGIN_DECLS

/* anvil's first account, which the fixture's manager sends from: public,
 * test only. */
#define TALLY_TEST_TXM_KEY "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

typedef struct
{
  TallyAnvil     *anvil;
  char           *dir;
  char           *path;
  TallyRpcClient *client;
  TallySigner    *signer;
  TallyTxJournal *journal;
  TallyTxManager *manager;
  TallyAddress    sender;
} TallyTestTxm;

/* A journal file in a new folder (*dir), and the removal of that folder
 * (which frees dir). */
char *tally_test_txm_journal_path (char **dir);
void  tally_test_txm_remove_dir (char *dir);
/* A TallyKeySigner of key_hex. */
TallySigner *tally_test_txm_signer (const char *key_hex);

/* g_test_add() fixture functions: a private anvil and a manager of
 * TALLY_TEST_TXM_KEY polling every 50 ms. */
void tally_test_txm_set_up (TallyTestTxm *f,
                            gconstpointer data);
void tally_test_txm_tear_down (TallyTestTxm *f,
                               gconstpointer data);

/* A transfer of wei to to; asserts it was sent, its hash in hash. */
void             tally_test_txm_send_ok (TallyTxManager     *manager,
                                         const TallyAddress *to,
                                         guint64             wei,
                                         const char         *purpose,
                                         guint8              hash[32]);
TallyRpcReceipt *tally_test_txm_wait_for_receipt (TallyTxManager *manager,
                                                  const guint8    hash[32],
                                                  GError        **error);
/* Waits for hash and asserts it was mined and succeeded. */
void tally_test_txm_assert_mined (TallyTxManager *manager,
                                  const guint8    hash[32]);
/* The journal's entry of hash (NULL when there is none). */
TallyTxJournalEntry *tally_test_txm_journaled (TallyTestTxm *f,
                                               const guint8 *hash);
/* A JSON-RPC call to the node (anvil_mine, evm_snapshot, ...) that must
 * succeed; its answer is dropped. */
void tally_test_txm_call_node (TallyRpcClient *client,
                               const char     *method,
                               const char     *params_json);

G_END_DECLS
