/* test-tx-manager-faults.c: TallyTxManager on a real anvil when things go
 * wrong: a reorganisation, a wait for a hash nobody sent, replies lost by
 * a proxy, and the round trips a send costs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "core-error.h"
#include "tally-fault-proxy.h"
#include "tally-test-rpc.h"
#include "tally-test-tx-manager.h"

static void
fill_hash (guint8 hash[TALLY_TX_JOURNAL_HASH_LEN],
           guint8 seed)
{
  for (guint i = 0; i < TALLY_TX_JOURNAL_HASH_LEN; i++)
    hash[i] = (guint8) (seed + i);
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
test_reorg (TallyTestTxm *f,
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

  tally_test_txm_send_ok (f->manager, &other, 1, "before the reorganisation", first);
  tally_test_txm_assert_mined (f->manager, first);
  lost = tally_test_txm_journaled (f, first);
  lost_raw = g_bytes_ref (lost->raw);
  g_clear_pointer (&lost, tally_tx_journal_entry_free);
  revert = g_strdup_printf ("[\"%s\"]", snapshot);
  tally_test_txm_call_node (f->client, "evm_revert", revert);
  g_assert_cmpuint (tally_test_rpc_nonce_of (f->client, TALLY_TEST_ANVIL_ACCOUNT), ==, 0);

  tally_test_txm_send_ok (f->manager, &other, 2, "after the reorganisation", second);
  lost = tally_test_txm_journaled (f, first);
  next = tally_test_txm_journaled (f, second);
  g_assert_cmpint (lost->state, ==, TALLY_TX_STATE_PENDING);
  g_assert_cmpuint (next->nonce, ==, 1);

  tally_tx_manager_resume_async (f->manager, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (tally_tx_manager_resume_finish (f->manager, tally_test_rpc_wait_for (&result),
                                                 &n_sent, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_sent, >=, 1);
  tally_test_txm_assert_mined (f->manager, first);
  tally_test_txm_assert_mined (f->manager, second);
  g_assert_cmpuint (tally_test_rpc_nonce_of (f->client, TALLY_TEST_ANVIL_ACCOUNT), ==, 2);
  g_clear_pointer (&lost, tally_tx_journal_entry_free);
  lost = tally_test_txm_journaled (f, first);
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
test_wait_cancel (TallyTestTxm *f,
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
lost_reply (TallyTestTxm *f,
            gboolean      automine)
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
    tally_test_txm_call_node (f->client, "evm_setAutomine", "[false]");
  client = tally_test_rpc_fast_client (tally_fault_proxy_get_url (proxy));
  tally_rpc_client_set_timeout (client, 1000);
  manager = tally_tx_manager_new (client, f->signer, f->journal, TALLY_ANVIL_CHAIN_ID);
  tally_tx_manager_set_poll_interval (manager, 50);
  /* The batch of eth_feeHistory, eth_estimateGas, eth_getTransactionCount,
   * then the send. */
  tally_fault_proxy_push (proxy, TALLY_FAULT_NONE, 0);
  tally_fault_proxy_push (proxy, TALLY_FAULT_STALL, 3000);

  tally_test_txm_send_ok (manager, &other, 5, "Lost reply", hash);
  /* Mined at once: found by hash. Not mined: the same bytes again, which
   * the node already has. */
  g_assert_cmpuint (tally_fault_proxy_count (proxy, "eth_sendRawTransaction"), ==,
                    automine ? 1 : 2);
  g_assert_cmpuint (tally_fault_proxy_count (proxy, "eth_getTransactionReceipt"), ==, 1);
  if (!automine)
    tally_test_txm_call_node (f->client, "evm_mine", "[]");
  tally_test_txm_assert_mined (manager, hash);
  entry = tally_test_txm_journaled (f, hash);
  g_assert_cmpint (entry->state, ==, TALLY_TX_STATE_MINED);
  g_assert_cmpuint (entry->nonce, ==, 0);
  g_assert_cmpuint (tally_test_rpc_nonce_of (f->client, TALLY_TEST_ANVIL_ACCOUNT), ==, 1);
}

static void
test_lost_reply_mined (TallyTestTxm *f,
                       gconstpointer data)
{
  lost_reply (f, TRUE);
}

static void
test_lost_reply_resent (TallyTestTxm *f,
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
test_round_trips (TallyTestTxm *f,
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
  tally_test_txm_send_ok (manager, &other, 5, "One batch", hash);
  assert_counts (proxy, &before, 2, 1, 1);
  g_assert_cmpuint (tally_fault_proxy_count (proxy, "eth_sendRawTransaction"), ==, 1);
  tally_test_txm_assert_mined (manager, hash);

  before = counts_of (proxy);
  tally_fault_proxy_push (proxy, TALLY_FAULT_BATCH_ELEMENT_429, 0);
  tally_test_txm_send_ok (manager, &other, 6, "Rate limited once", hash);
  /* The fee history asked again alone: one more request, one more call. */
  assert_counts (proxy, &before, 3, 2, 1);
  tally_test_txm_assert_mined (manager, hash);
  entry = tally_test_txm_journaled (f, hash);
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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/core/tx-manager/lost-reply-mined", TallyTestTxm, NULL, tally_test_txm_set_up,
              test_lost_reply_mined, tally_test_txm_tear_down);
  g_test_add ("/core/tx-manager/lost-reply-resent", TallyTestTxm, NULL, tally_test_txm_set_up,
              test_lost_reply_resent, tally_test_txm_tear_down);
  g_test_add ("/core/tx-manager/round-trips", TallyTestTxm, NULL, tally_test_txm_set_up,
              test_round_trips,
              tally_test_txm_tear_down);
  g_test_add ("/core/tx-manager/wait-cancel", TallyTestTxm, NULL, tally_test_txm_set_up,
              test_wait_cancel,
              tally_test_txm_tear_down);
  g_test_add ("/core/tx-manager/reorg", TallyTestTxm, NULL, tally_test_txm_set_up, test_reorg,
              tally_test_txm_tear_down);

  return g_test_run ();
}
