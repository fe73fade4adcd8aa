/* test-tx-manager-once.c: tally_tx_manager_send_once_async() and the
 * chain's clock (tally_rpc_client_latest_timestamp_async()) on a real anvil
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "core-error.h"
#include "tally-fault-proxy.h"
#include "tally-test-rpc.h"
#include "tally-test-tx-manager.h"
#include "wallet/hex.h"

static void
send_once (TallyTxManager *manager,
           const char     *purpose,
           guint8          byte,
           GAsyncResult  **slot)
{
  TallyAddress other = tally_test_rpc_address_of (TALLY_TEST_OTHER_ACCOUNT);
  g_autoptr (GBytes) data = g_bytes_new (&byte, 1);

  tally_tx_manager_send_once_async (manager, &other, data, purpose, NULL, tally_test_rpc_on_done,
                                    slot);
}

/* A manager of the fixture's signer and journal whose node is behind a
 * new fault proxy (*proxy). */
static TallyTxManager *
proxied_manager (TallyTestTxm     *f,
                 TallyFaultProxy **proxy)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyRpcClient) client = NULL;
  TallyTxManager *manager;

  *proxy = tally_fault_proxy_new (tally_anvil_get_url (f->anvil), &error);
  g_assert_no_error (error);
  client = tally_test_rpc_fast_client (tally_fault_proxy_get_url (*proxy));
  tally_rpc_client_set_timeout (client, 1000);
  manager = tally_tx_manager_new (client, f->signer, f->journal, TALLY_ANVIL_CHAIN_ID);
  tally_tx_manager_set_poll_interval (manager, 50);
  return manager;
}

static TallyRpcReceipt *
finish_once (TallyTxManager *manager,
             GAsyncResult  **slot,
             guint8          hash[32],
             gboolean       *has_hash,
             GError        **error)
{
  TallyRpcReceipt *receipt = tally_tx_manager_send_once_finish (
    manager, tally_test_rpc_wait_for (slot), hash, has_hash, error);

  g_clear_object (slot);
  return receipt;
}

/* Runs the main loop until the journal holds a pending entry of purpose. */
static void
await_pending (TallyTxManager *manager,
               const char     *purpose,
               guint8          hash[32])
{
  g_autoptr (GError) error = NULL;

  while (!tally_tx_manager_find_pending (manager, purpose, hash, &error))
    {
      g_assert_no_error (error);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* Runs the main loop until the node holds n transactions of the sender,
 * mined or not: journaled comes before broadcast. */
static void
await_node_pending (TallyTestTxm *f,
                    guint64       n)
{
  guint64 count = 0;

  while (count < n)
    {
      g_autoptr (GAsyncResult) result = NULL;
      g_autoptr (GError) error = NULL;

      tally_rpc_client_get_transaction_count_async (f->client, &f->sender, "pending", NULL,
                                                    tally_test_rpc_on_done, &result);
      g_assert_true (tally_rpc_client_get_transaction_count_finish (
        f->client, tally_test_rpc_wait_for (&result), &count, &error));
      g_assert_no_error (error);
    }
}

/* Mined: the receipt of hash, and has_hash set. */
static void
assert_once_mined (TallyTxManager *manager,
                   GAsyncResult  **slot,
                   const guint8    hash[32])
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  gboolean has_hash = FALSE;
  guint8   got[32];

  receipt = tally_tx_manager_send_once_finish (manager, tally_test_rpc_wait_for (slot), got,
                                               &has_hash, &error);
  g_assert_no_error (error);
  g_assert_nonnull (receipt);
  g_assert_true (receipt->success);
  g_assert_true (has_hash);
  g_assert_cmpmem (got, 32, hash, 32);
  g_assert_cmpmem (receipt->transaction_hash, 32, hash, 32);
  g_clear_object (slot);
}

/* A second call while the first one's transaction is pending waits for
 * it; another purpose is another transaction; once mined, the purpose is
 * free again. */
static void
test_pending (TallyTestTxm *f,
              gconstpointer data)
{
  g_autoptr (GAsyncResult) first = NULL;
  g_autoptr (GAsyncResult) second = NULL;
  g_autoptr (GAsyncResult) other = NULL;
  g_autoptr (GAsyncResult) later = NULL;
  g_autoptr (TallyTxJournalEntry) entry = NULL;
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  g_autoptr (GError) error = NULL;
  guint8 hash[32], other_hash[32], later_hash[32];

  tally_test_txm_call_node (f->client, "evm_setAutomine", "[false]");
  send_once (f->manager, "Pay once", 1, &first);
  await_pending (f->manager, "Pay once", hash);
  send_once (f->manager, "Pay once", 2, &second);
  send_once (f->manager, "Pay another", 3, &other);
  await_pending (f->manager, "Pay another", other_hash);
  await_node_pending (f, 2);
  g_assert_true (memcmp (hash, other_hash, 32) != 0);
  g_assert_null (first);
  g_assert_null (second);

  tally_test_txm_call_node (f->client, "evm_mine", "[]");
  assert_once_mined (f->manager, &first, hash);
  assert_once_mined (f->manager, &second, hash);
  assert_once_mined (f->manager, &other, other_hash);
  g_assert_cmpuint (tally_test_rpc_nonce_of (f->client, TALLY_TEST_ANVIL_ACCOUNT), ==, 2);
  /* The first call's bytes went out, not the second's. */
  entry = tally_test_txm_journaled (f, hash);
  g_assert_cmpstr (entry->purpose, ==, "Pay once");

  tally_test_txm_call_node (f->client, "evm_setAutomine", "[true]");
  send_once (f->manager, "Pay once", 4, &later);
  receipt = tally_tx_manager_send_once_finish (f->manager, tally_test_rpc_wait_for (&later),
                                               later_hash, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (receipt);
  g_assert_true (memcmp (later_hash, hash, 32) != 0);
  g_assert_cmpuint (tally_test_rpc_nonce_of (f->client, TALLY_TEST_ANVIL_ACCOUNT), ==, 3);
}

/* A send that fails before anything is journaled reports its error and no
 * hash, and leaves the purpose free. */
static void
test_failed (TallyTestTxm *f,
             gconstpointer data)
{
  g_autoptr (TallyFaultProxy) proxy = NULL;
  g_autoptr (TallyTxManager) manager = proxied_manager (f, &proxy);
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  gboolean has_hash = TRUE;
  guint8   hash[32];

  tally_fault_proxy_push_result (proxy, "{\"oldestBlock\": \"0x1\"}");
  send_once (manager, "Malformed fees", 1, &result);
  receipt = finish_once (manager, &result, hash, &has_hash, &error);
  g_assert_null (receipt);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_assert_nonnull (strstr (error->message, "eth_feeHistory"));
  g_assert_false (has_hash);
  g_assert_cmpuint (tally_fault_proxy_count (proxy, "eth_sendRawTransaction"), ==, 0);
  g_clear_error (&error);

  g_assert_false (tally_tx_manager_find_pending (manager, "Malformed fees", hash, &error));
  g_assert_no_error (error);
  g_clear_pointer (&receipt, tally_rpc_receipt_free);
  send_once (manager, "Malformed fees", 1, &result);
  receipt = finish_once (manager, &result, hash, &has_hash, &error);
  g_assert_no_error (error);
  g_assert_nonnull (receipt);
  g_assert_true (has_hash);
  g_assert_cmpuint (tally_test_rpc_nonce_of (f->client, TALLY_TEST_ANVIL_ACCOUNT), ==, 1);
}

/* A broadcast the node never gets fails, its transaction kept pending in
 * the journal (the error names it): the next call of that purpose waits
 * for that transaction rather than sending another. */
static void
test_lost_broadcast (TallyTestTxm *f,
                     gconstpointer data)
{
  g_autoptr (TallyFaultProxy) proxy = NULL;
  g_autoptr (TallyTxManager) manager = proxied_manager (f, &proxy);
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  g_autofree char *hex = NULL;
  gboolean         has_hash = TRUE;
  guint            n_sent = 0;
  guint8           hash[32];

  tally_fault_proxy_drop_calls_from (proxy, "eth_sendRawTransaction", 1);
  send_once (manager, "Lost broadcast", 1, &result);
  receipt = finish_once (manager, &result, hash, &has_hash, &error);
  g_assert_null (receipt);
  g_assert_nonnull (error);
  g_assert_false (has_hash);
  g_assert_true (tally_tx_manager_find_pending (f->manager, "Lost broadcast", hash, NULL));
  hex = tally_hex_encode (hash, 32);
  g_assert_nonnull (strstr (error->message, hex));
  g_clear_error (&error);
  g_assert_cmpuint (tally_test_rpc_nonce_of (f->client, TALLY_TEST_ANVIL_ACCOUNT), ==, 0);

  /* The journal's bytes reach the node; the purpose's next call waits. */
  tally_tx_manager_resume_async (f->manager, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (tally_tx_manager_resume_finish (f->manager, tally_test_rpc_wait_for (&result),
                                                 &n_sent, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_sent, ==, 1);
  g_clear_object (&result);
  send_once (f->manager, "Lost broadcast", 2, &result);
  assert_once_mined (f->manager, &result, hash);
  g_assert_cmpuint (tally_test_rpc_nonce_of (f->client, TALLY_TEST_ANVIL_ACCOUNT), ==, 1);
}

static gboolean
latest_timestamp (TallyRpcClient *client,
                  guint64        *timestamp,
                  GError        **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  tally_rpc_client_latest_timestamp_async (client, NULL, tally_test_rpc_on_done, &result);
  return tally_rpc_client_latest_timestamp_finish (client, tally_test_rpc_wait_for (&result),
                                                   timestamp, error);
}

/* The clock is the timestamp the latest block was mined with. */
static void
test_timestamp (TallyTestTxm *f,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *params = NULL;
  guint64          now = 0, set;

  g_assert_true (latest_timestamp (f->client, &now, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (now, >, 0);
  set = now + 86400 + (guint64) g_test_rand_int_range (1, 1000);
  params = g_strdup_printf ("[%" G_GUINT64_FORMAT "]", set);
  tally_test_txm_call_node (f->client, "evm_setNextBlockTimestamp", params);
  tally_test_txm_call_node (f->client, "evm_mine", "[]");
  g_assert_true (latest_timestamp (f->client, &now, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (now, ==, set);
}

/* A reply that is not a block with a 0x timestamp is an error that names
 * the method. */
static void
test_timestamp_malformed (TallyTestTxm *f,
                          gconstpointer data)
{
  static const char *const replies[] = {
    "null",
    "\"0x5\"",
    "{\"number\": \"0x1\"}",
    "{\"timestamp\": 12}",
    "{\"timestamp\": \"12\"}",
    "{\"timestamp\": \"0x10000000000000000\"}",
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyFaultProxy) proxy =
    tally_fault_proxy_new (tally_anvil_get_url (f->anvil), &error);
  g_autoptr (TallyRpcClient) client = NULL;
  guint64 now = 1;

  g_assert_no_error (error);
  client = tally_test_rpc_fast_client (tally_fault_proxy_get_url (proxy));
  for (guint i = 0; i < G_N_ELEMENTS (replies); i++)
    {
      tally_fault_proxy_push_result (proxy, replies[i]);
      g_assert_false (latest_timestamp (client, &now, &error));
      g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
      g_assert_nonnull (strstr (error->message, "eth_getBlockByNumber"));
      g_assert_cmpuint (now, ==, 0);
      g_clear_error (&error);
    }
  tally_fault_proxy_push (proxy, TALLY_FAULT_GARBAGE, 0);
  g_assert_false (latest_timestamp (client, &now, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_clear_error (&error);
  g_assert_true (latest_timestamp (client, &now, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (now, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/core/tx-manager/once/pending", TallyTestTxm, NULL, tally_test_txm_set_up,
              test_pending, tally_test_txm_tear_down);
  g_test_add ("/core/tx-manager/once/failed", TallyTestTxm, NULL, tally_test_txm_set_up,
              test_failed, tally_test_txm_tear_down);
  g_test_add ("/core/tx-manager/once/lost-broadcast", TallyTestTxm, NULL, tally_test_txm_set_up,
              test_lost_broadcast, tally_test_txm_tear_down);
  g_test_add ("/core/rpc/latest-timestamp", TallyTestTxm, NULL, tally_test_txm_set_up,
              test_timestamp, tally_test_txm_tear_down);
  g_test_add ("/core/rpc/latest-timestamp-malformed", TallyTestTxm, NULL, tally_test_txm_set_up,
              test_timestamp_malformed, tally_test_txm_tear_down);
  return g_test_run ();
}
