/* test-tx-manager.c: TallyTxManager sending, replacing, waiting for and
 * resuming transactions on a real anvil (the journal alone: test-tx-journal.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "core-error.h"
#include "label-market.h"
#include "tally-anvil-fixture.h"
#include "tally-fault-proxy.h"
#include "tally-test-devnet.h"
#include "tally-test-rpc.h"
#include "tx-journal.h"
#include "tx-manager.h"
#include "wallet/hex.h"
#include "wallet/key-signer.h"
#include "wallet/tx.h"

#define ANVIL_KEY "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

/* ---- The journal -------------------------------------------------------- */

static char *
temp_journal_path (char **dir)
{
  g_autoptr (GError) error = NULL;

  *dir = g_dir_make_tmp ("tally-txj-XXXXXX", &error);
  g_assert_no_error (error);
  return g_build_filename (*dir, "journal.sqlite", NULL);
}

static void
remove_dir (char *dir)
{
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  g_free (dir);
}

static void
fill_hash (guint8 hash[TALLY_TX_JOURNAL_HASH_LEN],
           guint8 seed)
{
  for (guint i = 0; i < TALLY_TX_JOURNAL_HASH_LEN; i++)
    hash[i] = (guint8) (seed + i);
}

/* ---- The manager on anvil ----------------------------------------------- */

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
} Fixture;

static TallySigner *
anvil_signer (const char *key_hex)
{
  g_autoptr (GError) error = NULL;
  guint8          key[TALLY_PRIVATE_KEY_LEN];
  TallyKeySigner *signer;

  g_assert_true (tally_hex_decode_fixed (key, sizeof key, key_hex, -1, &error));
  signer = tally_key_signer_new (key, &error);
  g_assert_no_error (error);
  memset (key, 0, sizeof key);
  return TALLY_SIGNER (signer);
}

static void
fixture_set_up (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->anvil = tally_anvil_start (&error);
  g_assert_no_error (error);
  f->path = temp_journal_path (&f->dir);
  f->client = tally_test_rpc_fast_client (tally_anvil_get_url (f->anvil));
  f->signer = anvil_signer (ANVIL_KEY);
  tally_signer_get_address (f->signer, &f->sender);
  f->journal = tally_tx_journal_open (f->path, &error);
  g_assert_no_error (error);
  f->manager = tally_tx_manager_new (f->client, f->signer, f->journal, TALLY_ANVIL_CHAIN_ID);
  tally_tx_manager_set_poll_interval (f->manager, 50);
}

static void
fixture_tear_down (Fixture      *f,
                   gconstpointer data)
{
  g_clear_object (&f->manager);
  g_clear_object (&f->journal);
  g_clear_object (&f->signer);
  g_clear_object (&f->client);
  g_clear_pointer (&f->anvil, tally_anvil_free);
  g_clear_pointer (&f->path, g_free);
  remove_dir (g_steal_pointer (&f->dir));
}

static void
send_ok (TallyTxManager     *manager,
         const TallyAddress *to,
         guint64             wei,
         const char         *purpose,
         guint8              hash[32])
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  TallyUint256 value;
  gboolean     ok;

  tally_uint256_from_uint64 (&value, wei);
  tally_tx_manager_send_async (manager, to, &value, NULL, purpose, NULL, tally_test_rpc_on_done,
                               &result);
  ok = tally_tx_manager_send_finish (manager, tally_test_rpc_wait_for (&result), hash, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
}

static TallyRpcReceipt *
wait_for_receipt (TallyTxManager *manager,
                  const guint8    hash[32],
                  GError        **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  tally_tx_manager_wait_async (manager, hash, NULL, tally_test_rpc_on_done, &result);
  return tally_tx_manager_wait_finish (manager, tally_test_rpc_wait_for (&result), error);
}

static void
assert_mined (TallyTxManager *manager,
              const guint8    hash[32])
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyRpcReceipt) receipt = wait_for_receipt (manager, hash, &error);

  g_assert_no_error (error);
  g_assert_nonnull (receipt);
  g_assert_true (receipt->success);
  g_assert_cmpmem (receipt->transaction_hash, 32, hash, 32);
}

static TallyTxJournalEntry *
journaled (Fixture      *f,
           const guint8 *hash)
{
  g_autoptr (GError) error = NULL;
  TallyTxJournalEntry *entry = tally_tx_journal_lookup (f->journal, hash, &error);

  g_assert_no_error (error);
  return entry;
}

static void
call_node (TallyRpcClient *client,
           const char     *method,
           const char     *params_json)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) reply = NULL;
  JsonNode *params = json_from_string (params_json, &error);

  g_assert_no_error (error);
  tally_rpc_client_call_async (client, method, params, 0, NULL, tally_test_rpc_on_done, &result);
  reply = tally_rpc_client_call_finish (client, tally_test_rpc_wait_for (&result), &error);
  g_assert_no_error (error);
}

static void
test_transfer (Fixture      *f,
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

  send_ok (f->manager, &other, 12345, "Pay Bob", hash);
  entry = journaled (f, hash);
  g_assert_cmpint (entry->state, ==, TALLY_TX_STATE_PENDING);
  assert_mined (f->manager, hash);
  g_clear_pointer (&entry, tally_tx_journal_entry_free);

  entry = journaled (f, hash);
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
test_consecutive (Fixture      *f,
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

      assert_mined (f->manager, hashes[i]);
      entry = journaled (f, hashes[i]);
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
replace_stuck (Fixture      *f,
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

  call_node (f->client, "evm_setAutomine", "[false]");
  send_ok (f->manager, &other, 777, "Stuck payment", stuck);

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

  call_node (f->client, "evm_mine", "[]");
  assert_mined (f->manager, replacement);
  receipt = wait_for_receipt (f->manager, stuck, &error);
  g_assert_null (receipt);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);

  old_entry = journaled (f, stuck);
  new_entry = journaled (f, replacement);
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
test_speed_up (Fixture      *f,
               gconstpointer data)
{
  replace_stuck (f, FALSE, data);
}

static void
test_cancel (Fixture      *f,
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
test_restart (Fixture      *f,
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

  /* Signed and journaled, but the node could not be reached. */
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
  entry = journaled (f, hash);
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
  assert_mined (f->manager, hash);
  g_clear_pointer (&entry, tally_tx_journal_entry_free);
  entry = journaled (f, hash);
  g_assert_cmpint (entry->state, ==, TALLY_TX_STATE_MINED);

  /* Nothing is left to resume, and the next send takes the next nonce. */
  tally_tx_manager_resume_async (f->manager, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (tally_tx_manager_resume_finish (f->manager, tally_test_rpc_wait_for (&result),
                                                 &n_sent, &error));
  g_assert_cmpuint (n_sent, ==, 0);
  {
    TallyAddress other = tally_test_rpc_address_of (TALLY_TEST_OTHER_ACCOUNT);
    g_autoptr (TallyTxJournalEntry) next = NULL;

    send_ok (f->manager, &other, 1, "after restart", hash);
    next = journaled (f, hash);
    g_assert_cmpuint (next->nonce, ==, 1);
    assert_mined (f->manager, hash);
  }
}

static char *
node_snapshot (TallyRpcClient *client)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (JsonNode) params = json_from_string ("[]", &error);

  g_assert_no_error (error);
  tally_rpc_client_call_async (client, "evm_snapshot", g_steal_pointer (&params), 0, NULL,
                               tally_test_rpc_on_done, &result);
  reply = tally_rpc_client_call_finish (client, tally_test_rpc_wait_for (&result), &error);
  g_assert_no_error (error);
  return g_strdup (json_node_get_string (reply));
}

/* A reorganisation takes a mined transaction out of the chain: the next
 * send must not wait behind the gap it leaves, and the lost one goes out
 * again, byte for byte. */
static void
test_reorg (Fixture      *f,
            gconstpointer data)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyTxJournalEntry) lost = NULL;
  g_autoptr (TallyTxJournalEntry) next = NULL;
  g_autoptr (GBytes) lost_raw = NULL;
  g_autofree char *snapshot = node_snapshot (f->client);
  g_autofree char *revert = NULL;
  TallyAddress     other = tally_test_rpc_address_of (TALLY_TEST_OTHER_ACCOUNT);
  guint8           first[32], second[32];
  guint            n_sent = 0;

  send_ok (f->manager, &other, 1, "before the reorganisation", first);
  assert_mined (f->manager, first);
  lost = journaled (f, first);
  lost_raw = g_bytes_ref (lost->raw);
  g_clear_pointer (&lost, tally_tx_journal_entry_free);
  revert = g_strdup_printf ("[\"%s\"]", snapshot);
  call_node (f->client, "evm_revert", revert);
  g_assert_cmpuint (tally_test_rpc_nonce_of (f->client, TALLY_TEST_ANVIL_ACCOUNT), ==, 0);

  send_ok (f->manager, &other, 2, "after the reorganisation", second);
  lost = journaled (f, first);
  next = journaled (f, second);
  g_assert_cmpint (lost->state, ==, TALLY_TX_STATE_PENDING);
  g_assert_cmpuint (next->nonce, ==, 1);

  tally_tx_manager_resume_async (f->manager, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (tally_tx_manager_resume_finish (f->manager, tally_test_rpc_wait_for (&result),
                                                 &n_sent, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_sent, >=, 1);
  assert_mined (f->manager, first);
  assert_mined (f->manager, second);
  g_assert_cmpuint (tally_test_rpc_nonce_of (f->client, TALLY_TEST_ANVIL_ACCOUNT), ==, 2);
  g_clear_pointer (&lost, tally_tx_journal_entry_free);
  lost = journaled (f, first);
  g_assert_cmpint (lost->state, ==, TALLY_TX_STATE_MINED);
  g_assert_true (g_bytes_equal (lost->raw, lost_raw));
}

static gboolean
cancel_later (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* A hash nobody sent is never mined: only cancelling ends the wait. */
static void
test_wait_cancel (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  guint8 hash[32];

  fill_hash (hash, 0x42);
  tally_tx_manager_wait_async (f->manager, hash, cancellable, tally_test_rpc_on_done, &result);
  g_timeout_add (300, cancel_later, cancellable);
  receipt = tally_tx_manager_wait_finish (f->manager, tally_test_rpc_wait_for (&result), &error);
  g_assert_null (receipt);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* The broadcast reaches the node but its answer is lost (the proxy holds
 * it past the client's timeout): the manager must find the transaction by
 * hash, or send the very same bytes again, never a new transaction. */
static void
lost_reply (Fixture *f,
            gboolean automine)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyFaultProxy) proxy =
    tally_fault_proxy_new (tally_anvil_get_url (f->anvil), &error);
  g_autoptr (TallyRpcClient) client = NULL;
  g_autoptr (TallyTxManager) manager = NULL;
  g_autoptr (TallyTxJournalEntry) entry = NULL;
  TallyAddress other = tally_test_rpc_address_of (TALLY_TEST_OTHER_ACCOUNT);
  guint8       hash[32];

  g_assert_no_error (error);
  if (!automine)
    call_node (f->client, "evm_setAutomine", "[false]");
  client = tally_test_rpc_fast_client (tally_fault_proxy_get_url (proxy));
  tally_rpc_client_set_timeout (client, 1000);
  manager = tally_tx_manager_new (client, f->signer, f->journal, TALLY_ANVIL_CHAIN_ID);
  tally_tx_manager_set_poll_interval (manager, 50);
  /* The batch of eth_feeHistory, eth_estimateGas, eth_getTransactionCount,
   * then the send. */
  tally_fault_proxy_push (proxy, TALLY_FAULT_NONE, 0);
  tally_fault_proxy_push (proxy, TALLY_FAULT_STALL, 3000);

  send_ok (manager, &other, 5, "Lost reply", hash);
  /* Mined at once: found by hash. Not mined: the same bytes again, which
   * the node already has. */
  g_assert_cmpuint (tally_fault_proxy_count (proxy, "eth_sendRawTransaction"), ==,
                    automine ? 1 : 2);
  g_assert_cmpuint (tally_fault_proxy_count (proxy, "eth_getTransactionReceipt"), ==, 1);
  if (!automine)
    call_node (f->client, "evm_mine", "[]");
  assert_mined (manager, hash);
  entry = journaled (f, hash);
  g_assert_cmpint (entry->state, ==, TALLY_TX_STATE_MINED);
  g_assert_cmpuint (entry->nonce, ==, 0);
  g_assert_cmpuint (tally_test_rpc_nonce_of (f->client, TALLY_TEST_ANVIL_ACCOUNT), ==, 1);
}

static void
test_lost_reply_mined (Fixture      *f,
                       gconstpointer data)
{
  lost_reply (f, TRUE);
}

static void
test_lost_reply_resent (Fixture      *f,
                        gconstpointer data)
{
  lost_reply (f, FALSE);
}

typedef struct
{
  guint requests, fees, estimates, nonces;
} Counts;

static Counts
counts_of (TallyFaultProxy *proxy)
{
  return (Counts){ tally_fault_proxy_get_requests (proxy),
                   tally_fault_proxy_count (proxy, "eth_feeHistory"),
                   tally_fault_proxy_count (proxy, "eth_estimateGas"),
                   tally_fault_proxy_count (proxy, "eth_getTransactionCount") };
}

/* What one send asked since before: waiting for a receipt on a busy
 * machine may read the nonce too, so only the send is counted. */
static void
assert_counts (TallyFaultProxy *proxy,
               const Counts    *before,
               guint            requests,
               guint            fees,
               guint            others)
{
  Counts now = counts_of (proxy);

  g_assert_cmpuint (now.requests - before->requests, ==, requests);
  g_assert_cmpuint (now.fees - before->fees, ==, fees);
  g_assert_cmpuint (now.estimates - before->estimates, ==, others);
  g_assert_cmpuint (now.nonces - before->nonces, ==, others);
}

/* Fees, gas and nonce are one JSON-RPC batch: a send is two round trips.
 * A 429 in place of one answer inside the batch's HTTP 200 reply sends
 * that call alone again, and fails the send once the attempts are spent. */
static void
test_round_trips (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyFaultProxy) proxy =
    tally_fault_proxy_new (tally_anvil_get_url (f->anvil), &error);
  g_autoptr (TallyRpcClient) client = NULL;
  g_autoptr (TallyTxManager) manager = NULL;
  g_autoptr (TallyTxJournalEntry) entry = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  TallyAddress other = tally_test_rpc_address_of (TALLY_TEST_OTHER_ACCOUNT);
  TallyUint256 value;
  guint8       hash[32];
  guint        requests;
  Counts       before;

  g_assert_no_error (error);
  client = tally_test_rpc_fast_client (tally_fault_proxy_get_url (proxy));
  manager = tally_tx_manager_new (client, f->signer, f->journal, TALLY_ANVIL_CHAIN_ID);
  tally_tx_manager_set_poll_interval (manager, 50);

  before = counts_of (proxy);
  send_ok (manager, &other, 5, "One batch", hash);
  assert_counts (proxy, &before, 2, 1, 1);
  g_assert_cmpuint (tally_fault_proxy_count (proxy, "eth_sendRawTransaction"), ==, 1);
  assert_mined (manager, hash);

  before = counts_of (proxy);
  tally_fault_proxy_push (proxy, TALLY_FAULT_BATCH_ELEMENT_429, 0);
  send_ok (manager, &other, 6, "Rate limited once", hash);
  /* The fee history asked again alone: one more request, one more call. */
  assert_counts (proxy, &before, 3, 2, 1);
  assert_mined (manager, hash);
  entry = journaled (f, hash);
  g_assert_cmpuint (entry->nonce, ==, 1);

  requests = tally_fault_proxy_get_requests (proxy);
  for (guint i = 0; i < tally_rpc_client_get_max_attempts (client); i++)
    tally_fault_proxy_push (proxy, TALLY_FAULT_BATCH_ELEMENT_429, 0);
  tally_uint256_from_uint64 (&value, 7);
  tally_tx_manager_send_async (manager, &other, &value, NULL, "Rate limited", NULL,
                               tally_test_rpc_on_done, &result);
  g_assert_false (
    tally_tx_manager_send_finish (manager, tally_test_rpc_wait_for (&result), hash, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_RATE_LIMITED);
  g_assert_nonnull (strstr (error->message, "eth_feeHistory"));
  g_assert_cmpuint (tally_fault_proxy_get_requests (proxy), ==,
                    requests + tally_rpc_client_get_max_attempts (client));
  g_clear_error (&error);
  g_clear_object (&result);

  /* An element's result is read as strictly as the typed call's. */
  tally_fault_proxy_push_result (proxy, "{\"oldestBlock\": \"0x1\"}");
  tally_tx_manager_send_async (manager, &other, &value, NULL, "Malformed", NULL,
                               tally_test_rpc_on_done, &result);
  g_assert_false (
    tally_tx_manager_send_finish (manager, tally_test_rpc_wait_for (&result), hash, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_assert_nonnull (strstr (error->message, "eth_feeHistory"));
  g_assert_cmpuint (tally_fault_proxy_count (proxy, "eth_sendRawTransaction"), ==, 2);
  g_assert_cmpuint (tally_test_rpc_nonce_of (f->client, TALLY_TEST_ANVIL_ACCOUNT), ==, 2);
}

/* ---- Reverts on the devnet's LabelMarket --------------------------------- */

static void
test_revert (TallyTestDevnet *devnet,
             gconstpointer    data)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = temp_journal_path (&dir);
  g_autoptr (TallyTxJournal) journal = tally_tx_journal_open (path, &error);
  g_autoptr (TallyRpcClient) client =
    tally_test_rpc_fast_client (tally_network_profile_get_rpc_url (devnet->profile));
  g_autoptr (TallySigner) signer = anvil_signer (ANVIL_KEY);
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
  g_assert_true (tally_hex_decode_fixed (key, sizeof key, ANVIL_KEY, -1, &error));
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
  remove_dir (g_steal_pointer (&dir));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/core/tx-manager/transfer", Fixture, NULL, fixture_set_up, test_transfer,
              fixture_tear_down);
  g_test_add ("/core/tx-manager/consecutive", Fixture, NULL, fixture_set_up, test_consecutive,
              fixture_tear_down);
  g_test_add ("/core/tx-manager/speed-up", Fixture, NULL, fixture_set_up, test_speed_up,
              fixture_tear_down);
  g_test_add ("/core/tx-manager/cancel", Fixture, NULL, fixture_set_up, test_cancel,
              fixture_tear_down);
  g_test_add ("/core/tx-manager/lost-reply-mined", Fixture, NULL, fixture_set_up,
              test_lost_reply_mined, fixture_tear_down);
  g_test_add ("/core/tx-manager/lost-reply-resent", Fixture, NULL, fixture_set_up,
              test_lost_reply_resent, fixture_tear_down);
  g_test_add ("/core/tx-manager/round-trips", Fixture, NULL, fixture_set_up, test_round_trips,
              fixture_tear_down);
  g_test_add ("/core/tx-manager/wait-cancel", Fixture, NULL, fixture_set_up, test_wait_cancel,
              fixture_tear_down);
  g_test_add ("/core/tx-manager/reorg", Fixture, NULL, fixture_set_up, test_reorg,
              fixture_tear_down);
  g_test_add ("/core/tx-manager/restart", Fixture, NULL, fixture_set_up, test_restart,
              fixture_tear_down);
  g_test_add ("/core/tx-manager/revert", TallyTestDevnet, "tally-txm-XXXXXX",
              tally_test_devnet_set_up, test_revert, tally_test_devnet_tear_down);

  return g_test_run ();
}
