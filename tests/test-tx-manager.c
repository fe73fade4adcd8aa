/* test-tx-manager.c: TallyTxManager sending, replacing, waiting for and
 * resuming transactions on a real anvil (the journal alone:
 * test-tx-journal.c; reorganisations and lost replies:
 * test-tx-manager-faults.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "core-error.h"
#include "label-market.h"
#include "tally-test-devnet.h"
#include "tally-test-rpc.h"
#include "tally-test-tx-manager.h"
#include "wallet/hex.h"
#include "wallet/tx.h"

static void
test_transfer (TallyTestTxm *f,
               gconstpointer data)
{
  g_autoptr (TallyTxJournalEntry) entry = NULL;
  g_autoptr (TallyTransaction) tx = NULL;
  g_autoptr (GError) error = NULL;
  TallyAddress  other = tally_test_rpc_address_of (TALLY_TEST_OTHER_ACCOUNT);
  guint8        hash[32];
  TallyUint256  floor;
  gsize         len = 0;
  const guint8 *raw;

  tally_test_txm_send_ok (f->manager, &other, 12345, "Pay Bob", hash);
  entry = tally_test_txm_journaled (f, hash);
  g_assert_cmpint (entry->state, ==, TALLY_TX_STATE_PENDING);
  tally_test_txm_assert_mined (f->manager, hash);
  g_clear_pointer (&entry, tally_tx_journal_entry_free);

  entry = tally_test_txm_journaled (f, hash);
  g_assert_cmpint (entry->state, ==, TALLY_TX_STATE_MINED);
  g_assert_cmpstr (entry->purpose, ==, "Pay Bob");
  g_assert_cmpuint (entry->nonce, ==, 0);
  g_assert_cmpuint (entry->chain_id, ==, TALLY_ANVIL_CHAIN_ID);
  g_assert_true (tally_address_equal (&entry->sender, &f->sender));

  /* The journaled bytes are the transaction as built: fees and gas. */
  raw = g_bytes_get_data (entry->raw, &len);
  g_assert_true (tally_transaction_parse (&tx, raw, len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tx->gas_limit, ==, 21000 * 120 / 100);
  tally_uint256_from_uint64 (&floor, TALLY_TX_MANAGER_PRIORITY_FLOOR_WEI);
  g_assert_cmpint (tally_uint256_cmp (&tx->max_priority_fee_per_gas, &floor), >=, 0);
  g_assert_cmpint (tally_uint256_cmp (&tx->max_fee_per_gas, &tx->max_priority_fee_per_gas), >,
                   0);
  g_assert_true (tally_address_equal (&tx->to, &other));
}

static void
test_consecutive (TallyTestTxm *f,
                  gconstpointer data)
{
  TallyAddress  other = tally_test_rpc_address_of (TALLY_TEST_OTHER_ACCOUNT);
  GAsyncResult *results[4] = { NULL };
  guint8        hashes[4][32];
  TallyUint256  value;

  /* All at once: the manager must still hand out one nonce each. */
  tally_uint256_from_uint64 (&value, 1);
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    tally_tx_manager_send_async (f->manager, &other, &value, NULL, "batch", NULL,
                                 tally_test_rpc_on_done, &results[i]);
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      g_autoptr (GError) error = NULL;

      g_assert_true (tally_tx_manager_send_finish (
        f->manager, tally_test_rpc_wait_for (&results[i]), hashes[i], &error));
      g_assert_no_error (error);
      g_clear_object (&results[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      g_autoptr (TallyTxJournalEntry) entry = NULL;

      tally_test_txm_assert_mined (f->manager, hashes[i]);
      entry = tally_test_txm_journaled (f, hashes[i]);
      g_assert_cmpuint (entry->nonce, ==, i);
      g_assert_cmpint (entry->state, ==, TALLY_TX_STATE_MINED);
    }
  g_assert_cmpuint (tally_test_rpc_nonce_of (f->client, TALLY_TEST_ANVIL_ACCOUNT), ==, 4);
}

static TallyTransaction *
parse_entry (TallyTxJournalEntry *entry)
{
  g_autoptr (GError) error = NULL;
  TallyTransaction *tx = NULL;
  gsize             len = 0;
  const guint8     *raw = g_bytes_get_data (entry->raw, &len);

  g_assert_true (tally_transaction_parse (&tx, raw, len, &error));
  g_assert_no_error (error);
  return tx;
}

static void
assert_bumped (const TallyUint256 *new_fee,
               const TallyUint256 *old_fee)
{
  TallyUint256 scaled_new, scaled_old;

  g_assert_true (tally_uint256_mul_uint64 (&scaled_new, new_fee, 100));
  g_assert_true (tally_uint256_mul_uint64 (&scaled_old, old_fee, 110));
  g_assert_cmpint (tally_uint256_cmp (&scaled_new, &scaled_old), >=, 0);
}

static void
replace_stuck (TallyTestTxm *f,
               gboolean      cancel,
               gconstpointer data)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyTxJournalEntry) old_entry = NULL;
  g_autoptr (TallyTxJournalEntry) new_entry = NULL;
  g_autoptr (TallyTransaction) old_tx = NULL;
  g_autoptr (TallyTransaction) new_tx = NULL;
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  TallyAddress other = tally_test_rpc_address_of (TALLY_TEST_OTHER_ACCOUNT);
  guint8       stuck[32], replacement[32], again[32];

  tally_test_txm_call_node (f->client, "evm_setAutomine", "[false]");
  tally_test_txm_send_ok (f->manager, &other, 777, "Stuck payment", stuck);

  if (cancel)
    tally_tx_manager_cancel_async (f->manager, stuck, NULL, tally_test_rpc_on_done, &result);
  else
    tally_tx_manager_speed_up_async (f->manager, stuck, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (
    cancel ? tally_tx_manager_cancel_finish (f->manager, tally_test_rpc_wait_for (&result),
                                             replacement, &error)
           : tally_tx_manager_speed_up_finish (f->manager, tally_test_rpc_wait_for (&result),
                                               replacement, &error));
  g_assert_no_error (error);
  g_assert_true (memcmp (stuck, replacement, 32) != 0);

  /* A replaced transaction cannot be replaced again. */
  g_clear_object (&result);
  tally_tx_manager_speed_up_async (f->manager, stuck, NULL, tally_test_rpc_on_done, &result);
  g_assert_false (tally_tx_manager_speed_up_finish (f->manager, tally_test_rpc_wait_for (&result),
                                                    again, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_object (&result);

  tally_test_txm_call_node (f->client, "evm_mine", "[]");
  tally_test_txm_assert_mined (f->manager, replacement);
  receipt = tally_test_txm_wait_for_receipt (f->manager, stuck, &error);
  g_assert_null (receipt);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);

  old_entry = tally_test_txm_journaled (f, stuck);
  new_entry = tally_test_txm_journaled (f, replacement);
  g_assert_cmpint (old_entry->state, ==, TALLY_TX_STATE_REPLACED);
  g_assert_true (old_entry->has_replaced_by);
  g_assert_cmpmem (old_entry->replaced_by, 32, replacement, 32);
  g_assert_cmpint (new_entry->state, ==, TALLY_TX_STATE_MINED);
  g_assert_cmpuint (new_entry->nonce, ==, old_entry->nonce);

  old_tx = parse_entry (old_entry);
  new_tx = parse_entry (new_entry);
  assert_bumped (&new_tx->max_priority_fee_per_gas, &old_tx->max_priority_fee_per_gas);
  assert_bumped (&new_tx->max_fee_per_gas, &old_tx->max_fee_per_gas);
  if (cancel)
    {
      g_assert_true (tally_address_equal (&new_tx->to, &f->sender));
      g_assert_true (tally_uint256_is_zero (&new_tx->value));
      g_assert_cmpuint (new_tx->gas_limit, ==, 21000);
    }
  else
    {
      g_assert_true (tally_address_equal (&new_tx->to, &other));
      g_assert_true (tally_uint256_cmp (&new_tx->value, &old_tx->value) == 0);
      g_assert_cmpuint (new_tx->gas_limit, ==, old_tx->gas_limit);
    }
  g_assert_cmpuint (tally_test_rpc_nonce_of (f->client, TALLY_TEST_ANVIL_ACCOUNT), ==, 1);
}

static void
test_speed_up (TallyTestTxm *f,
               gconstpointer data)
{
  replace_stuck (f, FALSE, data);
}

static void
test_cancel (TallyTestTxm *f,
             gconstpointer data)
{
  replace_stuck (f, TRUE, data);
}

static void
journal_signed (TallyTxJournal *journal,
                GBytes         *raw,
                guint64         chain_id,
                guint8          hash[32])
{
  g_autoptr (TallyTransaction) tx = NULL;
  g_autoptr (GError) error = NULL;
  TallyAddress  sender;
  gsize         len = 0;
  const guint8 *bytes = g_bytes_get_data (raw, &len);

  g_assert_true (tally_transaction_parse (&tx, bytes, len, &error));
  g_assert_true (tally_transaction_hash (hash, tx, &error));
  g_assert_true (tally_transaction_recover_sender (&sender, tx, &error));
  g_assert_true (tally_tx_journal_add (journal, chain_id, &sender, tx->nonce, raw, hash, "resumed",
                                       &error));
  g_assert_no_error (error);
}

static void
test_restart (TallyTestTxm *f,
              gconstpointer data)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyRpcClient) down_client = NULL;
  g_autoptr (TallyTxManager) down = NULL;
  g_autoptr (TallyTxJournalEntry) entry = NULL;
  g_autoptr (GBytes) raw = tally_test_rpc_signed_transaction (0, NULL);
  g_autofree char *down_url = NULL;
  guint8           hash[32];
  guint16          port = 0;
  guint            n_sent = 99;

  /* Signed and tally_test_txm_journaled, but the node could not be reached. */
  journal_signed (f->journal, raw, TALLY_ANVIL_CHAIN_ID, hash);
  g_assert_true (tally_anvil_pick_free_port (&port, &error));
  down_url = g_strdup_printf ("http://127.0.0.1:%u", port);
  down_client = tally_test_rpc_fast_client (down_url);
  tally_rpc_client_set_max_attempts (down_client, 1);
  down = tally_tx_manager_new (down_client, f->signer, f->journal, TALLY_ANVIL_CHAIN_ID);
  tally_tx_manager_resume_async (down, NULL, tally_test_rpc_on_done, &result);
  g_assert_false (
    tally_tx_manager_resume_finish (down, tally_test_rpc_wait_for (&result), &n_sent, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NETWORK);
  g_assert_cmpuint (n_sent, ==, 0);
  g_clear_error (&error);
  g_clear_object (&result);
  g_clear_object (&down);

  /* A new process: the journal reopened, a manager on the real node. */
  g_clear_object (&f->manager);
  g_clear_object (&f->journal);
  f->journal = tally_tx_journal_open (f->path, &error);
  g_assert_no_error (error);
  entry = tally_test_txm_journaled (f, hash);
  g_assert_cmpint (entry->state, ==, TALLY_TX_STATE_PENDING);
  g_assert_true (g_bytes_equal (entry->raw, raw));
  f->manager = tally_tx_manager_new (f->client, f->signer, f->journal, TALLY_ANVIL_CHAIN_ID);
  tally_tx_manager_set_poll_interval (f->manager, 50);
  tally_tx_manager_resume_async (f->manager, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (tally_tx_manager_resume_finish (f->manager, tally_test_rpc_wait_for (&result),
                                                 &n_sent, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_sent, ==, 1);
  g_clear_object (&result);
  tally_test_txm_assert_mined (f->manager, hash);
  g_clear_pointer (&entry, tally_tx_journal_entry_free);
  entry = tally_test_txm_journaled (f, hash);
  g_assert_cmpint (entry->state, ==, TALLY_TX_STATE_MINED);

  /* Nothing is left to resume, and the next send takes the next nonce. */
  tally_tx_manager_resume_async (f->manager, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (tally_tx_manager_resume_finish (f->manager, tally_test_rpc_wait_for (&result),
                                                 &n_sent, &error));
  g_assert_cmpuint (n_sent, ==, 0);
  {
    TallyAddress other = tally_test_rpc_address_of (TALLY_TEST_OTHER_ACCOUNT);
    g_autoptr (TallyTxJournalEntry) next = NULL;

    tally_test_txm_send_ok (f->manager, &other, 1, "after restart", hash);
    next = tally_test_txm_journaled (f, hash);
    g_assert_cmpuint (next->nonce, ==, 1);
    tally_test_txm_assert_mined (f->manager, hash);
  }
}

/* ---- Reverts on the devnet's LabelMarket --------------------------------- */

static void
test_revert (TallyTestDevnet *devnet,
             gconstpointer    data)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = tally_test_txm_journal_path (&dir);
  g_autoptr (TallyTxJournal) journal = tally_tx_journal_open (path, &error);
  g_autoptr (TallyRpcClient) client =
    tally_test_rpc_fast_client (tally_network_profile_get_rpc_url (devnet->profile));
  g_autoptr (TallySigner) signer = tally_test_txm_signer (TALLY_TEST_TXM_KEY);
  guint64 chain_id = tally_network_profile_get_chain_id (devnet->profile);
  g_autoptr (TallyTxManager) manager = tally_tx_manager_new (client, signer, journal, chain_id);
  const TallyAddress *market = tally_network_profile_get_market_address (devnet->profile);
  g_autoptr (GBytes) calldata = NULL;
  g_autoptr (TallyTransaction) tx = tally_transaction_new (TALLY_TRANSACTION_EIP1559);
  g_autoptr (TallyTxJournalEntry) entry = NULL;
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  TallyUint256 one;
  guint8      *bytes = NULL;
  gsize        len = 0;
  guint8       hash[32], key[TALLY_PRIVATE_KEY_LEN];
  guint64      next = 99;
  guint        n_sent = 0;
  TallyAddress sender;

  g_assert_no_error (error);
  tally_tx_manager_set_poll_interval (manager, 50);
  tally_uint256_from_uint64 (&one, 1);
  g_assert_true (tally_label_market_encode_unstake (&bytes, &len, &one, &error));
  calldata = g_bytes_new_take (bytes, len);

  /* The deployer has no stake: the estimate reverts with the market's error. */
  tally_tx_manager_send_async (manager, market, NULL, calldata, "Unstake", NULL,
                               tally_test_rpc_on_done, &result);
  g_assert_false (
    tally_tx_manager_send_finish (manager, tally_test_rpc_wait_for (&result), hash, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_REVERTED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "InsufficientFreeStake"));
  g_clear_error (&error);
  g_clear_object (&result);
  /* Nothing was signed or journaled. */
  tally_signer_get_address (signer, &sender);
  g_assert_true (tally_tx_journal_next_nonce (journal, chain_id, &sender, &next, &error));
  g_assert_cmpuint (next, ==, 0);

  /* Mined anyway (gas set by hand): the wait replays it for the reason. */
  g_assert_true (tally_hex_decode_fixed (key, sizeof key, TALLY_TEST_TXM_KEY, -1, &error));
  tx->chain_id = chain_id;
  tx->nonce = tally_test_rpc_nonce_of (client, TALLY_TEST_ANVIL_ACCOUNT);
  tally_uint256_from_uint64 (&tx->max_priority_fee_per_gas, TALLY_TEST_GWEI);
  tally_uint256_from_uint64 (&tx->max_fee_per_gas, 100 * (guint64) TALLY_TEST_GWEI);
  tx->gas_limit = 200000;
  tx->has_to = TRUE;
  tx->to = *market;
  tally_transaction_set_data (tx, g_bytes_get_data (calldata, NULL), g_bytes_get_size (calldata));
  g_assert_true (tally_transaction_sign (tx, key, &error));
  memset (key, 0, sizeof key);
  g_assert_true (tally_transaction_encode (&bytes, &len, tx, &error));
  g_assert_no_error (error);
  {
    g_autoptr (GBytes) raw = g_bytes_new_take (bytes, len);

    journal_signed (journal, raw, chain_id, hash);
  }
  tally_tx_manager_resume_async (manager, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (
    tally_tx_manager_resume_finish (manager, tally_test_rpc_wait_for (&result), &n_sent, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_sent, ==, 1);
  g_clear_object (&result);

  tally_tx_manager_wait_async (manager, hash, NULL, tally_test_rpc_on_done, &result);
  receipt = tally_tx_manager_wait_finish (manager, tally_test_rpc_wait_for (&result), &error);
  g_assert_null (receipt);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_REVERTED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "InsufficientFreeStake"));
  entry = tally_tx_journal_lookup (journal, hash, NULL);
  g_assert_nonnull (entry);
  g_assert_cmpint (entry->state, ==, TALLY_TX_STATE_FAILED);
  g_assert_nonnull (strstr (entry->detail, "InsufficientFreeStake"));

  g_clear_object (&manager);
  g_clear_object (&journal);
  tally_test_txm_remove_dir (g_steal_pointer (&dir));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/core/tx-manager/transfer", TallyTestTxm, NULL, tally_test_txm_set_up, test_transfer,
              tally_test_txm_tear_down);
  g_test_add ("/core/tx-manager/consecutive", TallyTestTxm, NULL, tally_test_txm_set_up,
              test_consecutive,
              tally_test_txm_tear_down);
  g_test_add ("/core/tx-manager/speed-up", TallyTestTxm, NULL, tally_test_txm_set_up, test_speed_up,
              tally_test_txm_tear_down);
  g_test_add ("/core/tx-manager/cancel", TallyTestTxm, NULL, tally_test_txm_set_up, test_cancel,
              tally_test_txm_tear_down);
  g_test_add ("/core/tx-manager/restart", TallyTestTxm, NULL, tally_test_txm_set_up, test_restart,
              tally_test_txm_tear_down);
  g_test_add ("/core/tx-manager/revert", TallyTestDevnet, "tally-txm-XXXXXX",
              tally_test_devnet_set_up, test_revert, tally_test_devnet_tear_down);

  return g_test_run ();
}
