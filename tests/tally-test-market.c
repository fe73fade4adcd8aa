/* tally-test-market.c: a LabelMarket on tools/devnet's chain for tests and
 * benchmarks, and a whole task run from createTask to finalize
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "contract-abi.h"
#include "core-error.h"
#include "item-cipher.h"
#include "tally-test-market.h"
#include "tally-test-rpc.h"
#include "task-key.h"
#include "wallet/hex.h"
#include "wallet/keccak.h"
#include "wallet/key-signer.h"

/* The "test test ... junk" mnemonic's first five keys: public, test only. */
static const char *const account_keys[TALLY_TEST_MARKET_N_ACCOUNTS] = {
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
};

#define LABEL_UNIT G_GUINT64_CONSTANT (1000000000000000000) /* 10^18: LABEL has 18 decimals */

void
tally_test_market_init (TallyTestMarket *self,
                        const char      *dir_template)
{
  g_autoptr (GError) error = NULL;

  memset (self, 0, sizeof *self);
  tally_test_devnet_init (&self->devnet, dir_template);
  tally_test_devnet_start (&self->devnet);
  self->client =
    tally_test_rpc_fast_client (tally_network_profile_get_rpc_url (self->devnet.profile));
  self->market = *tally_network_profile_get_market_address (self->devnet.profile);
  self->token = *tally_network_profile_get_token_address (self->devnet.profile);
  self->chain_id = tally_network_profile_get_chain_id (self->devnet.profile);
  self->journal_path = g_build_filename (self->devnet.dir, "journal.sqlite", NULL);
  self->journal = tally_tx_journal_open (self->journal_path, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < TALLY_TEST_MARKET_N_ACCOUNTS; i++)
    {
      guint8 key[TALLY_PRIVATE_KEY_LEN];

      g_assert_true (tally_hex_decode_fixed (key, sizeof key, account_keys[i], -1, &error));
      self->signers[i] = TALLY_SIGNER (tally_key_signer_new (key, &error));
      g_assert_no_error (error);
      memset (key, 0, sizeof key);
      tally_signer_get_address (self->signers[i], &self->accounts[i]);
      self->managers[i] =
        tally_tx_manager_new (self->client, self->signers[i], self->journal, self->chain_id);
      tally_tx_manager_set_poll_interval (self->managers[i], 20);
    }

  /* The keys above are the ones tools/devnet funded. */
  {
    const char *const *demo = tally_network_profile_get_demo_accounts (self->devnet.profile);

    g_assert_nonnull (demo);
    for (guint i = 1; i < TALLY_TEST_MARKET_N_ACCOUNTS; i++)
      {
        TallyAddress funded;

        g_assert_nonnull (demo[i - 1]);
        g_assert_true (tally_address_parse (&funded, demo[i - 1], &error));
        g_assert_no_error (error);
        g_assert_true (tally_address_equal (&funded, &self->accounts[i]));
      }
  }
}

void
tally_test_market_clear (TallyTestMarket *self)
{
  for (guint i = 0; i < TALLY_TEST_MARKET_N_ACCOUNTS; i++)
    {
      g_clear_object (&self->managers[i]);
      g_clear_object (&self->signers[i]);
    }
  /* The journal lives in the devnet's directory, which clear removes. */
  g_clear_object (&self->journal);
  g_clear_pointer (&self->journal_path, g_free);
  g_clear_object (&self->client);
  tally_test_devnet_clear (&self->devnet);
}

void
tally_test_market_set_up (TallyTestMarket *self,
                          gconstpointer    dir_template)
{
  tally_test_market_init (self, dir_template);
}

void
tally_test_market_tear_down (TallyTestMarket *self,
                             gconstpointer    data)
{
  tally_test_market_clear (self);
}

/* ---- Sends and calls -------------------------------------------------------- */

TallyRpcReceipt *
tally_test_market_try_send (TallyTestMarket    *self,
                            guint               account,
                            const TallyAddress *to,
                            guint8             *calldata,
                            gsize               calldata_len,
                            GError            **error)
{
  g_autoptr (GBytes) data = g_bytes_new_take (calldata, calldata_len);
  g_autoptr (GAsyncResult) result = NULL;
  TallyTxManager *manager;
  guint8          hash[TALLY_TX_JOURNAL_HASH_LEN];

  g_assert_cmpuint (account, <, TALLY_TEST_MARKET_N_ACCOUNTS);
  manager = self->managers[account];
  tally_tx_manager_send_async (manager, to, NULL, data, "Test", NULL, tally_test_rpc_on_done,
                               &result);
  if (!tally_tx_manager_send_finish (manager, tally_test_rpc_wait_for (&result), hash, error))
    return NULL;
  g_clear_object (&result);
  tally_tx_manager_wait_async (manager, hash, NULL, tally_test_rpc_on_done, &result);
  return tally_tx_manager_wait_finish (manager, tally_test_rpc_wait_for (&result), error);
}

TallyRpcReceipt *
tally_test_market_send (TallyTestMarket    *self,
                        guint               account,
                        const TallyAddress *to,
                        guint8             *calldata,
                        gsize               calldata_len)
{
  g_autoptr (GError) error = NULL;
  TallyRpcReceipt *receipt =
    tally_test_market_try_send (self, account, to, calldata, calldata_len, &error);

  g_assert_no_error (error);
  g_assert_nonnull (receipt);
  g_assert_true (receipt->success);
  return receipt;
}

/* Sends and drops the receipt. */
static void
send (TallyTestMarket    *self,
      guint               account,
      const TallyAddress *to,
      guint8             *calldata,
      gsize               calldata_len)
{
  tally_rpc_receipt_free (tally_test_market_send (self, account, to, calldata, calldata_len));
}

GBytes *
tally_test_market_call (TallyTestMarket    *self,
                        const TallyAddress *to,
                        guint8             *calldata,
                        gsize               calldata_len)
{
  g_autoptr (GBytes) data = g_bytes_new_take (calldata, calldata_len);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  GBytes *reply;

  tally_rpc_client_eth_call_async (self->client, NULL, to, data, NULL, NULL,
                                   tally_test_rpc_on_done, &result);
  reply = tally_rpc_client_eth_call_finish (self->client, tally_test_rpc_wait_for (&result), NULL,
                                            &error);
  g_assert_no_error (error);
  return reply;
}

/* The calldata each reader below builds, called on the market. */
#define CALL_MARKET(encode_call, ...)                                               \
  G_STMT_START                                                                      \
  {                                                                                 \
    guint8 *calldata_ = NULL;                                                       \
    gsize   calldata_len_ = 0;                                                      \
                                                                                    \
    g_assert_true (encode_call (&calldata_, &calldata_len_, __VA_ARGS__, &error));  \
    g_assert_no_error (error);                                                      \
    reply = tally_test_market_call (self, &self->market, calldata_, calldata_len_); \
  }                                                                                 \
  G_STMT_END

TallyLabelStake
tally_test_market_stake_of (TallyTestMarket *self,
                            guint            account)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply = NULL;
  TallyLabelStake stake;

  CALL_MARKET (tally_label_market_encode_stake_of, &self->accounts[account]);
  g_assert_true (
    tally_label_market_decode_stake_of (&stake, g_bytes_get_data (reply, NULL),
                                        g_bytes_get_size (reply), &error));
  g_assert_no_error (error);
  return stake;
}

TallyUint256
tally_test_market_credited (TallyTestMarket *self,
                            guint            account)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply = NULL;
  TallyUint256 amount;

  CALL_MARKET (tally_label_market_encode_credited, &self->accounts[account]);
  g_assert_true (
    tally_label_market_decode_credited (&amount, g_bytes_get_data (reply, NULL),
                                        g_bytes_get_size (reply), &error));
  g_assert_no_error (error);
  return amount;
}

TallyUint256
tally_test_market_balance_of (TallyTestMarket *self,
                              guint            account)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply = NULL;
  TallyUint256 balance;
  guint8      *calldata = NULL;
  gsize        calldata_len = 0;

  g_assert_true (tally_label_token_encode_balance_of (&calldata, &calldata_len,
                                                      &self->accounts[account], &error));
  reply = tally_test_market_call (self, &self->token, calldata, calldata_len);
  g_assert_true (
    tally_label_token_decode_balance_of (&balance, g_bytes_get_data (reply, NULL),
                                         g_bytes_get_size (reply), &error));
  g_assert_no_error (error);
  return balance;
}

TallyLabelTask
tally_test_market_get_task (TallyTestMarket    *self,
                            const TallyUint256 *task_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply = NULL;
  TallyLabelTask task;

  CALL_MARKET (tally_label_market_encode_get_task, task_id);
  g_assert_true (
    tally_label_market_decode_get_task (&task, g_bytes_get_data (reply, NULL),
                                        g_bytes_get_size (reply), &error));
  g_assert_no_error (error);
  return task;
}

void
tally_test_market_pending_of (TallyTestMarket    *self,
                              const TallyUint256 *task_id,
                              guint               account,
                              TallyUint256       *locked,
                              TallyUint256       *max_reward)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply = NULL;

  CALL_MARKET (tally_label_market_encode_pending_of, task_id, &self->accounts[account]);
  g_assert_true (tally_label_market_decode_pending_of (locked, max_reward,
                                                       g_bytes_get_data (reply, NULL),
                                                       g_bytes_get_size (reply), &error));
  g_assert_no_error (error);
}

TallyLabelSeat
tally_test_market_get_seat (TallyTestMarket    *self,
                            const TallyUint256 *task_id,
                            guint               seat)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply = NULL;
  TallyLabelSeat result;

  CALL_MARKET (tally_label_market_encode_get_seat, task_id, seat);
  g_assert_true (
    tally_label_market_decode_get_seat (&result, g_bytes_get_data (reply, NULL),
                                        g_bytes_get_size (reply), &error));
  g_assert_no_error (error);
  return result;
}

TallyLabelReview
tally_test_market_get_review (TallyTestMarket    *self,
                              const TallyUint256 *task_id,
                              guint               seat,
                              guint               review_slot)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply = NULL;
  TallyLabelReview review;

  CALL_MARKET (tally_label_market_encode_get_review, task_id, seat, review_slot);
  g_assert_true (
    tally_label_market_decode_get_review (&review, g_bytes_get_data (reply, NULL),
                                          g_bytes_get_size (reply), &error));
  g_assert_no_error (error);
  return review;
}

/* ---- Steps ------------------------------------------------------------------ */

static void
approve (TallyTestMarket    *self,
         guint               account,
         const TallyUint256 *amount)
{
  g_autoptr (GError) error = NULL;
  guint8 *calldata = NULL;
  gsize   calldata_len = 0;

  g_assert_true (
    tally_label_token_encode_approve (&calldata, &calldata_len, &self->market, amount, &error));
  g_assert_no_error (error);
  send (self, account, &self->token, calldata, calldata_len);
}

void
tally_test_market_stake (TallyTestMarket    *self,
                         guint               account,
                         const TallyUint256 *amount)
{
  g_autoptr (GError) error = NULL;
  guint8 *calldata = NULL;
  gsize   calldata_len = 0;

  approve (self, account, amount);
  g_assert_true (tally_label_market_encode_stake (&calldata, &calldata_len, amount, &error));
  g_assert_no_error (error);
  send (self, account, &self->market, calldata, calldata_len);
}

/* The first log of the market's event in receipt: its topics and data. */
static const TallyRpcLog *
find_log (TallyTestMarket *self,
          TallyRpcReceipt *receipt,
          const char      *event)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyContractAbi) abi = tally_contract_abi_new_builtin ("LabelMarket", &error);
  const TallyAbiEntry *entry;
  const guint8        *topic;
  gsize                topic_len = 0;

  g_assert_no_error (error);
  entry = tally_contract_abi_lookup (abi, TALLY_ABI_ENTRY_EVENT, event, &error);
  g_assert_no_error (error);
  topic = tally_abi_entry_get_selector (entry, &topic_len);
  g_assert_cmpuint (topic_len, ==, TALLY_RPC_HASH_LEN);
  for (guint i = 0; i < receipt->logs->len; i++)
    {
      const TallyRpcLog *log = g_ptr_array_index (receipt->logs, i);

      if (tally_address_equal (&log->address, &self->market) && log->n_topics > 0 &&
          memcmp (log->topics[0], topic, TALLY_RPC_HASH_LEN) == 0)
        return log;
    }
  g_error ("No %s log in the receipt", event);
}

TallyUint256
tally_test_market_create_task (TallyTestMarket            *self,
                               guint                       requester,
                               const TallyLabelTaskParams *params,
                               const char                 *manifest_uri)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  g_autoptr (GBytes) reply = NULL;
  const TallyRpcLog *log;
  TallyUint256       budget, task_id, count;
  guint8            *calldata = NULL;
  gsize              calldata_len = 0;

  g_assert_true (tally_label_task_params_budget (params, &budget));
  approve (self, requester, &budget);
  g_assert_true (tally_label_market_encode_create_task (&calldata, &calldata_len, params,
                                                        manifest_uri, &error));
  g_assert_no_error (error);
  receipt = tally_test_market_send (self, requester, &self->market, calldata, calldata_len);

  /* TaskCreated(uint256 indexed taskId, address indexed requester, ...) */
  log = find_log (self, receipt, "TaskCreated");
  g_assert_cmpuint (log->n_topics, ==, 3);
  tally_uint256_from_bytes32 (&task_id, log->topics[1]);
  g_assert_cmpmem (log->topics[2] + 12, TALLY_ADDRESS_LEN, self->accounts[requester].bytes,
                   TALLY_ADDRESS_LEN);

  /* The newest task, as the contract counts them. */
  g_assert_true (tally_label_market_encode_task_count (&calldata, &calldata_len, &error));
  reply = tally_test_market_call (self, &self->market, calldata, calldata_len);
  g_assert_true (
    tally_label_market_decode_task_count (&count, g_bytes_get_data (reply, NULL),
                                          g_bytes_get_size (reply), &error));
  g_assert_no_error (error);
  g_assert_cmpint (tally_uint256_cmp (&count, &task_id), ==, 0);
  return task_id;
}

TallyUint256
tally_test_market_claim (TallyTestMarket *self,
                         guint            account)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  const TallyRpcLog *log;
  TallyUint256       amount;
  guint8            *calldata = NULL;
  gsize              calldata_len = 0, len = 0;
  const guint8      *data;

  g_assert_true (tally_label_market_encode_claim (&calldata, &calldata_len, &error));
  g_assert_no_error (error);
  receipt = tally_test_market_send (self, account, &self->market, calldata, calldata_len);
  /* Claimed(address indexed account, uint256 amount) */
  log = find_log (self, receipt, "Claimed");
  data = g_bytes_get_data (log->data, &len);
  g_assert_cmpuint (len, ==, 32);
  tally_uint256_from_bytes32 (&amount, data);
  return amount;
}

guint64
tally_test_market_now (TallyTestMarket *self)
{
  g_autoptr (JsonNode) block = tally_test_devnet_rpc_result (&self->devnet, NULL,
                                                             "eth_getBlockByNumber",
                                                             "[\"latest\", false]");
  g_autoptr (GError) error = NULL;
  TallyUint256 timestamp;
  guint64      now = 0;

  g_assert_true (tally_uint256_parse (
    &timestamp, json_object_get_string_member (json_node_get_object (block), "timestamp"),
    &error));
  g_assert_no_error (error);
  g_assert_true (tally_uint256_to_uint64 (&now, &timestamp));
  return now;
}

void
tally_test_market_advance_to (TallyTestMarket *self,
                              guint64          timestamp)
{
  g_autofree char *params = g_strdup_printf ("[%" G_GUINT64_FORMAT "]", timestamp);
  g_autoptr (JsonNode) set = NULL;
  g_autoptr (JsonNode) mined = NULL;

  set = tally_test_devnet_rpc_result (&self->devnet, NULL, "evm_setNextBlockTimestamp", params);
  mined = tally_test_devnet_rpc_result (&self->devnet, NULL, "evm_mine", "[]");
  g_assert_cmpuint (tally_test_market_now (self), ==, timestamp);
}

TallyLabelTaskParams
tally_test_market_default_params (TallyTestMarket *self,
                                  guint            item_count,
                                  guint            replication,
                                  guint            reviewers)
{
  TallyLabelTaskParams p = { 0 };
  guint64              now = tally_test_market_now (self);
  g_autofree char     *manifest =
    g_strdup_printf ("manifest of %u items, %u seats, %u reviewers at %" G_GUINT64_FORMAT,
                     item_count, replication, reviewers, now);

  tally_keccak256 (p.manifest_hash, (const guint8 *) manifest, strlen (manifest));
  p.item_count = item_count;
  p.class_count = 4;
  p.replication = replication;
  p.reviewers = reviewers;
  tally_uint256_from_uint64 (&p.reward_per_label, LABEL_UNIT);
  if (reviewers > 0)
    tally_uint256_from_uint64 (&p.review_reward_per_item, LABEL_UNIT / 2);
  tally_uint256_from_uint64 (&p.stake_per_item, 2 * LABEL_UNIT);
  p.slash_bps = 5000;
  p.quorum_bps = 5000;
  tally_uint256_from_uint64 (&p.leave_fee, LABEL_UNIT);
  p.commit_deadline = now + TALLY_TEST_MARKET_PHASE;
  p.reveal_deadline = now + 2 * TALLY_TEST_MARKET_PHASE;
  p.review_commit_deadline = now + 3 * TALLY_TEST_MARKET_PHASE;
  p.review_reveal_deadline = now + 4 * TALLY_TEST_MARKET_PHASE;
  return p;
}

/* ---- A whole task -------------------------------------------------------------- */

static void
stage (TallyTestMarket           *self,
       const TallyTestMarketTask *task,
       TallyTestMarketStage       stage,
       const TallyUint256        *task_id)
{
  if (task->hook != NULL)
    task->hook (self, stage, task_id, task->hook_data);
}

/* A salt of each account's own, so no two commitments share one. */
static void
salt_of (guint8 salt[32],
         guint  account,
         char   role)
{
  g_autofree char *text = g_strdup_printf ("tally-test-market salt %c%u", role, account);

  tally_keccak256 (salt, (const guint8 *) text, strlen (text));
}

static void
stake_lock (TallyTestMarket            *self,
            guint                       account,
            const TallyLabelTaskParams *p)
{
  TallyUint256 lock;

  g_assert_true (tally_uint256_mul_uint64 (&lock, &p->stake_per_item, p->item_count));
  tally_test_market_stake (self, account, &lock);
}

TallyUint256
tally_test_market_run_task (TallyTestMarket           *self,
                            const TallyTestMarketTask *task)
{
  g_autoptr (GError) error = NULL;
  TallyLabelTaskParams p = task->params;
  GBytes              *labels[TALLY_LABEL_MAX_REPLICATION] = { NULL };
  g_autoptr (GPtrArray) verdicts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  TallyUint256 task_id;
  guint8       salt[32];
  guint8      *calldata = NULL;
  gsize        calldata_len = 0;
  gsize        n = p.item_count;

  g_assert_cmpuint (task->n_annotators, <=, p.replication);
  g_assert_true (!task->has_reviewer ||
                 (p.reviewers > 0 && task->reviewed_seat < task->n_annotators));

  if (task->n_gold > 0)
    {
      salt_of (salt, task->requester, 'g');
      tally_label_market_gold_commitment (p.gold_commitment, p.manifest_hash, task->gold_indices,
                                          task->gold_labels, task->n_gold, salt);
    }
  task_id = tally_test_market_create_task (self, task->requester, &p,
                                           task->manifest_uri != NULL ? task->manifest_uri
                                                                      : "ipfs://tally-test-market");
  stage (self, task, TALLY_TEST_MARKET_CREATED, &task_id);

  /* Until the commit deadline: stake, join, commit. */
  for (guint s = 0; s < task->n_annotators; s++)
    {
      guint  account = task->annotators[s];
      guint8 commitment[32];

      stake_lock (self, account, &p);
      g_assert_true (
        tally_label_market_encode_join (&calldata, &calldata_len, &task_id, NULL, 0, &error));
      send (self, account, &self->market, calldata, calldata_len);
      salt_of (salt, account, 'a');
      tally_label_market_commitment (commitment, self->chain_id, &self->market, &task_id,
                                     &self->accounts[account], task->labels[s], n, NULL, 0, salt);
      g_assert_true (
        tally_label_market_encode_commit (&calldata, &calldata_len, &task_id, commitment, &error));
      send (self, account, &self->market, calldata, calldata_len);
    }
  stage (self, task, TALLY_TEST_MARKET_COMMITTED, &task_id);

  /* Until the reveal deadline: reveal. */
  tally_test_market_advance_to (self, p.commit_deadline + 1);
  for (guint s = 0; s < task->n_annotators; s++)
    {
      guint account = task->annotators[s];

      salt_of (salt, account, 'a');
      g_assert_true (tally_label_market_encode_reveal (&calldata, &calldata_len, &task_id,
                                                       task->labels[s], n, NULL, 0, salt, &error));
      send (self, account, &self->market, calldata, calldata_len);
      labels[s] = g_bytes_new (task->labels[s], n);
    }
  stage (self, task, TALLY_TEST_MARKET_REVEALED, &task_id);

  /* A review seat is open once its submission is revealed, until the
   * review commit deadline; verdicts are revealed after it. */
  if (task->has_reviewer)
    {
      guint8 commitment[32];

      stake_lock (self, task->reviewer, &p);
      g_assert_true (tally_label_market_encode_join_review (&calldata, &calldata_len, &task_id,
                                                            task->reviewed_seat, NULL, 0, &error));
      send (self, task->reviewer, &self->market, calldata, calldata_len);
      salt_of (salt, task->reviewer, 'r');
      tally_label_market_review_commitment (commitment, self->chain_id, &self->market, &task_id,
                                            task->reviewed_seat, &self->accounts[task->reviewer],
                                            task->verdicts, n, salt);
      g_assert_true (tally_label_market_encode_commit_review (&calldata, &calldata_len, &task_id,
                                                              task->reviewed_seat, commitment,
                                                              &error));
      send (self, task->reviewer, &self->market, calldata, calldata_len);
    }
  tally_test_market_advance_to (self, p.review_commit_deadline + 1);
  if (task->has_reviewer)
    {
      salt_of (salt, task->reviewer, 'r');
      g_assert_true (tally_label_market_encode_reveal_review (&calldata, &calldata_len, &task_id,
                                                              task->reviewed_seat, task->verdicts,
                                                              n, salt, &error));
      send (self, task->reviewer, &self->market, calldata, calldata_len);
    }
  stage (self, task, TALLY_TEST_MARKET_REVIEWED, &task_id);

  /* Gold: after the reveal deadline, until the last one. */
  if (task->n_gold > 0)
    {
      salt_of (salt, task->requester, 'g');
      g_assert_true (tally_label_market_encode_reveal_gold (&calldata, &calldata_len, &task_id,
                                                            task->gold_indices, task->gold_labels,
                                                            task->n_gold, salt, &error));
      send (self, task->requester, &self->market, calldata, calldata_len);
    }
  tally_test_market_advance_to (self, p.review_reveal_deadline + 1);
  stage (self, task, TALLY_TEST_MARKET_SETTLING, &task_id);
  if (task->skip_finalize)
    {
      for (guint s = 0; s < G_N_ELEMENTS (labels); s++)
        g_clear_pointer (&labels[s], g_bytes_unref);
      return task_id;
    }

  /* Verdicts by seat x V + review slot; the reviewer took the first. */
  for (guint i = 0; i < p.replication * p.reviewers; i++)
    g_ptr_array_add (verdicts, g_bytes_new (NULL, 0));
  if (task->has_reviewer)
    {
      g_bytes_unref (verdicts->pdata[task->reviewed_seat * p.reviewers]);
      verdicts->pdata[task->reviewed_seat * p.reviewers] = g_bytes_new (task->verdicts, n);
    }
  g_assert_true (tally_label_market_encode_finalize (
    &calldata, &calldata_len, &task_id, labels, p.replication, task->gold_indices,
    task->gold_labels, task->n_gold, (GBytes *const *) verdicts->pdata, verdicts->len, &error));
  g_assert_no_error (error);
  send (self, task->requester, &self->market, calldata, calldata_len);
  stage (self, task, TALLY_TEST_MARKET_FINALIZED, &task_id);

  for (guint s = 0; s < G_N_ELEMENTS (labels); s++)
    g_clear_pointer (&labels[s], g_bytes_unref);
  return task_id;
}

char *
tally_test_market_write_private_dataset (const char  *dir,
                                         const guint8 key[TALLY_TASK_KEY_LEN],
                                         guint        n_items,
                                         const char  *marker,
                                         guint8       manifest_hash[32])
{
  g_autoptr (GString) json = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *manifest_path = g_build_filename (dir, "manifest.json", NULL);
  g_autofree char *key_hash = NULL;
  guint8           hash[32];
  char            *uri;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_string_append (json, "{\"schema\":2,\"title\":\"Private\",\"instructions\":\"Pick one.\","
                         "\"classes\":[{\"name\":\"Yes\",\"color\":\"#33d17a\"},"
                         "{\"name\":\"No\",\"color\":\"#e01b24\"}],"
                         "\"tools\":[\"classify\"],\"items\":[");
  for (guint i = 0; i < n_items; i++)
    {
      g_autofree char *id = g_strdup_printf ("text-%u", i);
      g_autofree char *name = g_strdup_printf ("%s.bin", id);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *text = g_strdup_printf ("%s %u", marker, i);
      g_autoptr (GBytes) plain = g_bytes_new (text, strlen (text));
      g_autoptr (GBytes) sealed = tally_item_cipher_seal (key, id, plain, &error);
      g_autofree char *sha = NULL;

      g_assert_no_error (error);
      g_assert_true (g_file_set_contents (path, g_bytes_get_data (sealed, NULL),
                                          g_bytes_get_size (sealed), &error));
      g_assert_no_error (error);
      sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, sealed);
      g_string_append_printf (json,
                              "%s{\"id\":\"%s\",\"kind\":\"text\",\"uri\":\"%s\",\"sha256\":\"%s\","
                              "\"size\":%" G_GSIZE_FORMAT "}",
                              i > 0 ? "," : "", id, name, sha, g_bytes_get_size (sealed));
    }
  tally_task_key_hash (hash, key);
  key_hash = tally_hex_encode (hash, sizeof hash);
  g_string_append_printf (json, "],\"encryption\":{\"cipher\":\"aes-256-gcm\",\"key_hash\":\"%s\"}}",
                          key_hash);
  g_assert_true (g_file_set_contents (manifest_path, json->str, json->len, &error));
  g_assert_no_error (error);
  tally_keccak256 (manifest_hash, (const guint8 *) json->str, json->len);
  uri = g_filename_to_uri (manifest_path, NULL, &error);
  g_assert_no_error (error);
  return uri;
}
