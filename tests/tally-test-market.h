/* tally-test-market.h: a LabelMarket on tools/devnet's chain for tests and
 * benchmarks: the five anvil accounts with a TallyTxManager each, typed
 * sends and calls, the chain's clock, and one call that runs a whole task
 * from createTask to finalize
 *
 * Every failure is a test assertion, except in tally_test_market_try_send,
 * which hands the error back. Account indices are anvil's "test ... junk"
 * accounts: 0 deploys and holds the LABEL supply (the natural requester),
 * 1..4 are the demo accounts with 10,000 LABEL each.
 *
 * A test either g_test_add()s TallyTestMarket with a directory template as
 * the test data and tally_test_market_set_up/_tear_down, or calls init in a
 * set-up of its own and clear in the tear-down.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "label-market.h"
#include "rpc-client.h"
#include "tally-test-devnet.h"
#include "tx-journal.h"
#include "tx-manager.h"

G_BEGIN_DECLS

#define TALLY_TEST_MARKET_N_ACCOUNTS 5
#define TALLY_TEST_MARKET_REQUESTER  0

typedef struct
{
  TallyTestDevnet devnet;
  TallyRpcClient *client;
  TallyAddress    market;
  TallyAddress    token;
  guint64         chain_id;
  TallyTxJournal *journal; /* one journal, every account's transactions */
  char           *journal_path;
  TallyAddress    accounts[TALLY_TEST_MARKET_N_ACCOUNTS];
  TallySigner    *signers[TALLY_TEST_MARKET_N_ACCOUNTS];
  TallyTxManager *managers[TALLY_TEST_MARKET_N_ACCOUNTS];
} TallyTestMarket;

/* Starts tools/devnet in a new directory made from dir_template
 * ("tally-xyz-XXXXXX") and sets up a client, signers and managers. */
void tally_test_market_init (TallyTestMarket *self,
                             const char      *dir_template);
/* Stops the chain and removes the directory. */
void tally_test_market_clear (TallyTestMarket *self);
void tally_test_market_set_up (TallyTestMarket *self,
                               gconstpointer    dir_template);
void tally_test_market_tear_down (TallyTestMarket *self,
                                  gconstpointer    data);

/* Sends calldata (taken) from account to to through its TallyTxManager and
 * waits for the receipt; asserts that it succeeded. */
TallyRpcReceipt *tally_test_market_send (TallyTestMarket    *self,
                                         guint               account,
                                         const TallyAddress *to,
                                         guint8             *calldata,
                                         gsize               calldata_len);
/* The same, but a failure (TALLY_CORE_ERROR_REVERTED at the estimate or in
 * the block, ...) is returned rather than asserted. */
TallyRpcReceipt *tally_test_market_try_send (TallyTestMarket    *self,
                                             guint               account,
                                             const TallyAddress *to,
                                             guint8             *calldata,
                                             gsize               calldata_len,
                                             GError            **error);
/* eth_call of calldata (taken) at the latest block; asserts success. */
GBytes *tally_test_market_call (TallyTestMarket    *self,
                                const TallyAddress *to,
                                guint8             *calldata,
                                gsize               calldata_len);

/* Reads of the chain, decoded with the typed bindings. */
TallyLabelStake  tally_test_market_stake_of (TallyTestMarket *self,
                                             guint            account);
TallyUint256     tally_test_market_credited (TallyTestMarket *self,
                                             guint            account);
TallyUint256     tally_test_market_balance_of (TallyTestMarket *self,
                                               guint            account);
TallyLabelTask   tally_test_market_get_task (TallyTestMarket    *self,
                                             const TallyUint256 *task_id);
void             tally_test_market_pending_of (TallyTestMarket    *self,
                                               const TallyUint256 *task_id,
                                               guint               account,
                                               TallyUint256       *locked,
                                               TallyUint256       *max_reward);
TallyLabelSeat   tally_test_market_get_seat (TallyTestMarket    *self,
                                             const TallyUint256 *task_id,
                                             guint               seat);
TallyLabelReview tally_test_market_get_review (TallyTestMarket    *self,
                                               const TallyUint256 *task_id,
                                               guint               seat,
                                               guint               review_slot);

/* approve(market, amount) on the token, then stake(amount). */
void tally_test_market_stake (TallyTestMarket    *self,
                              guint               account,
                              const TallyUint256 *amount);
/* approve of the budget (tally_label_task_params_budget) and createTask;
 * the new task's id, read from its TaskCreated log. */
TallyUint256 tally_test_market_create_task (TallyTestMarket            *self,
                                            guint                       requester,
                                            const TallyLabelTaskParams *params,
                                            const char                 *manifest_uri);
/* claim() from account; the amount the Claimed log says was paid. */
TallyUint256 tally_test_market_claim (TallyTestMarket *self,
                                      guint            account);

/* The latest block's timestamp. */
guint64 tally_test_market_now (TallyTestMarket *self);
/* Mines a block at timestamp (later than now()); transactions after it
 * are mined at timestamp or a little after. */
void tally_test_market_advance_to (TallyTestMarket *self,
                                   guint64          timestamp);

/* Params of a public task without gold: a manifest hash made from the
 * arguments, 4 classes, reward 1 LABEL per label, review reward 0.5 LABEL
 * per item when reviewers > 0, stake 2 LABEL per item, slash 50 %, quorum
 * 50 %, leave fee 1 LABEL, and the four deadlines TALLY_TEST_MARKET_PHASE
 * seconds apart, the first that long after now(). */
#define TALLY_TEST_MARKET_PHASE 1000
TallyLabelTaskParams tally_test_market_default_params (TallyTestMarket *self,
                                                       guint            item_count,
                                                       guint            replication,
                                                       guint            reviewers);

/* How far tally_test_market_run_task has got; its hook is called at each
 * stage with the task's id, so a test can look at the chain in between. */
typedef enum
{
  TALLY_TEST_MARKET_CREATED,   /* createTask mined, nobody joined */
  TALLY_TEST_MARKET_COMMITTED, /* every annotator joined and committed */
  TALLY_TEST_MARKET_REVEALED,  /* every annotator revealed */
  TALLY_TEST_MARKET_REVIEWED,  /* the reviewer (if any) revealed its verdicts */
  TALLY_TEST_MARKET_SETTLING,  /* gold revealed (if any), past the last deadline */
  TALLY_TEST_MARKET_FINALIZED, /* finalize mined */
} TallyTestMarketStage;

typedef void (*TallyTestMarketHook) (TallyTestMarket     *self,
                                     TallyTestMarketStage stage,
                                     const TallyUint256  *task_id,
                                     gpointer             user_data);

/* A whole task. The annotators join in order, so annotators[s] holds seat
 * s; each stakes exactly the lock it needs first (as does the reviewer),
 * commits with the local commitment and reveals labels[s] (item_count
 * bytes; no payload). With n_gold > 0 the gold commitment of the gold is
 * put into the params before createTask, and the requester reveals the gold
 * after the reveal deadline. With has_reviewer the reviewer takes a review
 * seat on reviewed_seat and commits and reveals verdicts (item_count bytes).
 * Time is advanced past each deadline, then the requester calls finalize
 * with the revealed labels, gold and verdicts. */
typedef struct
{
  TallyLabelTaskParams params;
  const char          *manifest_uri; /* NULL: a made-up one */
  guint                requester;
  guint                n_annotators; /* at most params.replication */
  guint                annotators[TALLY_LABEL_MAX_REPLICATION];
  const guint8        *labels[TALLY_LABEL_MAX_REPLICATION];
  gsize                n_gold;
  const guint16       *gold_indices;
  const guint8        *gold_labels;
  gboolean             has_reviewer;
  guint                reviewer;
  guint                reviewed_seat;
  const guint8        *verdicts;
  gboolean             skip_finalize; /* stop after TALLY_TEST_MARKET_SETTLING */
  TallyTestMarketHook  hook;          /* may be NULL */
  gpointer             hook_data;
} TallyTestMarketTask;

/* A private dataset in dir: n_items texts ("marker i") sealed with key as
 * <id>.bin beside a schema 2 manifest naming them relatively; the
 * manifest's file:// URI, its keccak in manifest_hash. */
char *tally_test_market_write_private_dataset (const char  *dir,
                                               const guint8 key[32],
                                               guint        n_items,
                                               const char  *marker,
                                               guint8       manifest_hash[32]);

/* Runs task to settlement (see TallyTestMarketTask); the task's id. */
TallyUint256 tally_test_market_run_task (TallyTestMarket           *self,
                                         const TallyTestMarketTask *task);

G_END_DECLS
