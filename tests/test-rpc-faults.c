/* test-rpc-faults.c: TallyRpcClient against a real anvil through a
 * fault-injecting proxy (tally-fault-proxy.c): HTTP errors, rate limits,
 * garbage, truncated, dropped and stalled replies, and what each means for a
 * transaction that may or may not have reached the node
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "core-error.h"
#include "rpc-client.h"
#include "tally-fault-proxy.h"
#include "tally-test-rpc.h"
#include "wallet/keccak.h"

typedef struct
{
  TallyFaultProxy *proxy;
  TallyRpcClient  *client;
} Fixture;

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->proxy = tally_fault_proxy_new (tally_test_rpc_anvil_url (), &error);
  g_assert_no_error (error);
  fixture->client = tally_test_rpc_fast_client (tally_fault_proxy_get_url (fixture->proxy));
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  g_assert_finalize_object (fixture->client);
  tally_fault_proxy_free (fixture->proxy);
}

static void
test_fault_500 (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint64 number = G_MAXUINT64;

  tally_fault_proxy_push (f->proxy, TALLY_FAULT_HTTP_500, 0);
  tally_fault_proxy_push (f->proxy, TALLY_FAULT_HTTP_500, 0);
  g_assert_true (tally_test_rpc_block_number (f->client, &number, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (number, !=, G_MAXUINT64);
  g_assert_cmpuint (tally_fault_proxy_get_requests (f->proxy), ==, 3);
  g_assert_cmpuint (tally_test_rpc_retries_of (f->client), ==, 2);
}

static void
test_fault_429_retry_after (Fixture      *f,
                            gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64  start = g_get_monotonic_time ();
  guint64 number = 0;

  tally_fault_proxy_push (f->proxy, TALLY_FAULT_HTTP_429, 1);
  g_assert_true (tally_test_rpc_block_number (f->client, &number, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC);
  g_assert_cmpuint (tally_fault_proxy_get_requests (f->proxy), ==, 2);
}

static void
test_fault_429_storm (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint64 number = 0;

  tally_rpc_client_set_max_attempts (f->client, 3);
  for (guint i = 0; i < 5; i++)
    tally_fault_proxy_push (f->proxy, TALLY_FAULT_HTTP_429, -1);
  g_assert_false (tally_test_rpc_block_number (f->client, &number, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_RATE_LIMITED);
  g_assert_nonnull (strstr (error->message, "eth_blockNumber"));
  g_assert_cmpuint (tally_fault_proxy_get_requests (f->proxy), ==, 3);
}

static void
test_fault_garbage (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint64 number = 0;

  tally_fault_proxy_push (f->proxy, TALLY_FAULT_GARBAGE, 0);
  g_assert_false (tally_test_rpc_block_number (f->client, &number, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_assert_nonnull (strstr (error->message, "eth_blockNumber"));
  g_assert_cmpuint (tally_fault_proxy_get_requests (f->proxy), ==, 1);
}

static void
test_fault_bad_results (Fixture      *f,
                        gconstpointer data)
{
  static const char *bad[] = { "\"0x\"", "\"0xzz\"", "\"12\"", "12", "null", "\"0x1ffffffffffffffff\"" };
  guint64            number = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;

      tally_fault_proxy_push_result (f->proxy, bad[i]);
      g_assert_false (tally_test_rpc_block_number (f->client, &number, &error));
      g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
      g_assert_nonnull (strstr (error->message, "eth_blockNumber"));
    }
}

static void
test_fault_truncated (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint64 number = 0;

  tally_fault_proxy_push (f->proxy, TALLY_FAULT_TRUNCATE, 0);
  g_assert_true (tally_test_rpc_block_number (f->client, &number, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tally_fault_proxy_get_requests (f->proxy), ==, 2);

  tally_rpc_client_set_max_attempts (f->client, 1);
  tally_fault_proxy_push (f->proxy, TALLY_FAULT_TRUNCATE, 0);
  g_assert_false (tally_test_rpc_block_number (f->client, &number, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "eth_blockNumber"));
}

static void
test_fault_dropped (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint64 number = 0;

  tally_fault_proxy_push (f->proxy, TALLY_FAULT_DROP, 0);
  g_assert_true (tally_test_rpc_block_number (f->client, &number, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tally_fault_proxy_count (f->proxy, "eth_blockNumber"), ==, 2);
}

static void
test_fault_stall (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64  start = g_get_monotonic_time ();
  guint64 number = 0;

  tally_rpc_client_set_timeout (f->client, 300);
  tally_fault_proxy_push (f->proxy, TALLY_FAULT_STALL, 3000);
  g_assert_false (tally_test_rpc_block_number (f->client, &number, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "eth_blockNumber"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
}

/* The transaction reached the node but its answer did not come back: a
 * resend could only be a duplicate, so the client must report and stop. */
static void
test_fault_send_raw_stall (Fixture      *f,
                           gconstpointer data)
{
  g_autoptr (TallyRpcClient) direct = tally_test_rpc_fast_client (tally_test_rpc_anvil_url ());
  g_autoptr (GBytes) raw = tally_test_rpc_signed_transaction (
    tally_test_rpc_nonce_of (direct, TALLY_TEST_ANVIL_ACCOUNT), NULL);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  guint8        hash[TALLY_RPC_HASH_LEN];
  gsize         len = 0;
  const guint8 *bytes = g_bytes_get_data (raw, &len);

  tally_rpc_client_set_timeout (f->client, 300);
  tally_fault_proxy_push (f->proxy, TALLY_FAULT_STALL, 2000);
  tally_rpc_client_send_raw_transaction_async (f->client, raw, NULL, tally_test_rpc_on_done,
                                               &result);
  g_assert_false (tally_rpc_client_send_raw_transaction_finish (
    f->client, tally_test_rpc_wait_for (&result), hash, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "eth_sendRawTransaction"));
  g_assert_cmpuint (tally_fault_proxy_count (f->proxy, "eth_sendRawTransaction"), ==, 1);
  g_assert_cmpuint (tally_test_rpc_retries_of (f->client), ==, 0);

  /* It was accepted all the same: found by the hash the caller can compute. */
  tally_keccak256 (hash, bytes, len);
  receipt = tally_test_rpc_mined_receipt_of (direct, hash);
  g_assert_true (receipt->success);
}

static void
test_fault_send_raw_dropped (Fixture      *f,
                             gconstpointer data)
{
  g_autoptr (TallyRpcClient) direct = tally_test_rpc_fast_client (tally_test_rpc_anvil_url ());
  g_autoptr (GBytes) raw = tally_test_rpc_signed_transaction (
    tally_test_rpc_nonce_of (direct, TALLY_TEST_ANVIL_ACCOUNT), NULL);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  guint8 hash[TALLY_RPC_HASH_LEN];

  tally_fault_proxy_push (f->proxy, TALLY_FAULT_DROP, 0);
  tally_rpc_client_send_raw_transaction_async (f->client, raw, NULL, tally_test_rpc_on_done,
                                               &result);
  g_assert_false (tally_rpc_client_send_raw_transaction_finish (
    f->client, tally_test_rpc_wait_for (&result), hash, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NETWORK);
  g_assert_cmpuint (tally_fault_proxy_count (f->proxy, "eth_sendRawTransaction"), ==, 1);
  g_assert_cmpuint (tally_test_rpc_retries_of (f->client), ==, 0);
  g_clear_error (&error);
  g_clear_object (&result);

  /* A server error after the request went out is not retried either. */
  tally_fault_proxy_push (f->proxy, TALLY_FAULT_HTTP_500, 0);
  tally_rpc_client_send_raw_transaction_async (f->client, raw, NULL, tally_test_rpc_on_done,
                                               &result);
  g_assert_false (tally_rpc_client_send_raw_transaction_finish (
    f->client, tally_test_rpc_wait_for (&result), hash, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_HTTP);
  g_assert_cmpuint (tally_fault_proxy_count (f->proxy, "eth_sendRawTransaction"), ==, 2);
  g_assert_cmpuint (tally_test_rpc_retries_of (f->client), ==, 0);
}

static void
test_fault_send_raw_wrong_hash (Fixture      *f,
                                gconstpointer data)
{
  g_autoptr (TallyRpcClient) direct = tally_test_rpc_fast_client (tally_test_rpc_anvil_url ());
  g_autoptr (GBytes) raw = tally_test_rpc_signed_transaction (
    tally_test_rpc_nonce_of (direct, TALLY_TEST_ANVIL_ACCOUNT), NULL);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *zeros = g_strnfill (64, '0');
  g_autofree char *other = g_strdup_printf ("\"0x%s\"", zeros);
  guint8           hash[TALLY_RPC_HASH_LEN];

  tally_fault_proxy_push_result (f->proxy, other);
  tally_rpc_client_send_raw_transaction_async (f->client, raw, NULL, tally_test_rpc_on_done,
                                               &result);
  g_assert_false (tally_rpc_client_send_raw_transaction_finish (
    f->client, tally_test_rpc_wait_for (&result), hash, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_assert_nonnull (strstr (error->message, "eth_sendRawTransaction"));
}

/* Rate limits said inside a JSON-RPC error, with HTTP 200, are retried too. */
static void
test_fault_rpc_rate_limit (Fixture      *f,
                           gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint64 number = 0;

  tally_fault_proxy_push_error (f->proxy, -32005, "daily request count exceeded, request rate limited");
  g_assert_true (tally_test_rpc_block_number (f->client, &number, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tally_fault_proxy_count (f->proxy, "eth_blockNumber"), ==, 2);

  tally_fault_proxy_push_error (f->proxy, -32000, "header not found");
  g_assert_false (tally_test_rpc_block_number (f->client, &number, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_RPC);
  g_assert_nonnull (strstr (error->message, "header not found"));
  g_assert_cmpuint (tally_fault_proxy_count (f->proxy, "eth_blockNumber"), ==, 3);
}

/* A node that already holds the transaction has what a resend wanted. */
static void
test_fault_send_raw_already_known (Fixture      *f,
                                   gconstpointer data)
{
  g_autoptr (GBytes) raw = tally_test_rpc_signed_transaction (0, NULL);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  guint8        hash[TALLY_RPC_HASH_LEN];
  guint8        expected[TALLY_RPC_HASH_LEN];
  gsize         len = 0;
  const guint8 *bytes = g_bytes_get_data (raw, &len);

  tally_fault_proxy_push_error (f->proxy, -32000, "already known");
  tally_rpc_client_send_raw_transaction_async (f->client, raw, NULL, tally_test_rpc_on_done,
                                               &result);
  g_assert_true (tally_rpc_client_send_raw_transaction_finish (
    f->client, tally_test_rpc_wait_for (&result), hash, &error));
  g_assert_no_error (error);
  tally_keccak256 (expected, bytes, len);
  g_assert_cmpmem (hash, sizeof hash, expected, sizeof expected);
  g_assert_cmpuint (tally_fault_proxy_count (f->proxy, "eth_sendRawTransaction"), ==, 1);
}

static void
test_fault_batch_element_429 (Fixture      *f,
                              gconstpointer data)
{
  g_autoptr (TallyRpcBatch) batch = tally_rpc_batch_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  tally_rpc_batch_add (batch, "eth_chainId", NULL);
  tally_rpc_batch_add (batch, "eth_blockNumber", NULL);
  tally_rpc_batch_add (batch, "eth_gasPrice", NULL);
  tally_fault_proxy_push (f->proxy, TALLY_FAULT_BATCH_ELEMENT_429, 0);
  tally_rpc_client_batch_async (f->client, batch, 0, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (
    tally_rpc_client_batch_finish (f->client, tally_test_rpc_wait_for (&result), &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (JsonNode) node = tally_rpc_batch_dup_result (batch, i, &error);
      guint64 value = 0;

      g_assert_no_error (error);
      g_assert_true (tally_rpc_parse_quantity (node, "batch result", &value, &error));
    }
  /* Only the refused call went again. */
  g_assert_cmpuint (tally_fault_proxy_get_requests (f->proxy), ==, 2);
  g_assert_cmpuint (tally_fault_proxy_count (f->proxy, "eth_chainId"), ==, 2);
  g_assert_cmpuint (tally_fault_proxy_count (f->proxy, "eth_blockNumber"), ==, 1);
  g_assert_cmpuint (tally_fault_proxy_count (f->proxy, "eth_gasPrice"), ==, 1);
}

static void
test_fault_oversize (Fixture      *f,
                     gconstpointer data)
{
  TallyFaultKind kinds[] = { TALLY_FAULT_OVERSIZE, TALLY_FAULT_OVERSIZE_CHUNKED };
  guint64        number = 0;

  tally_rpc_client_set_max_reply_size (f->client, 64 * 1024);
  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autoptr (GError) error = NULL;

      tally_fault_proxy_push (f->proxy, kinds[i], 200 * 1024);
      g_assert_false (tally_test_rpc_block_number (f->client, &number, &error));
      g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_TOO_LARGE);
      g_assert_nonnull (strstr (error->message, "eth_blockNumber"));
    }
  g_assert_cmpuint (tally_fault_proxy_get_requests (f->proxy), ==, 2);
}

static void
test_cancel (Fixture      *f,
             gconstpointer data)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  guint64 number = 0;

  tally_fault_proxy_push (f->proxy, TALLY_FAULT_STALL, 1000);
  tally_rpc_client_block_number_async (f->client, cancellable, tally_test_rpc_on_done, &result);
  while (tally_fault_proxy_get_requests (f->proxy) == 0)
    g_main_context_iteration (NULL, TRUE);
  g_cancellable_cancel (cancellable);
  g_assert_false (tally_rpc_client_block_number_finish (
    f->client, tally_test_rpc_wait_for (&result), &number, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD_FAULT(path, func) \
  g_test_add ("/core/rpc/fault/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD_FAULT ("http-500-retried", test_fault_500);
  ADD_FAULT ("http-429-retry-after", test_fault_429_retry_after);
  ADD_FAULT ("http-429-storm", test_fault_429_storm);
  ADD_FAULT ("garbage", test_fault_garbage);
  ADD_FAULT ("bad-results", test_fault_bad_results);
  ADD_FAULT ("truncated", test_fault_truncated);
  ADD_FAULT ("dropped", test_fault_dropped);
  ADD_FAULT ("stall", test_fault_stall);
  ADD_FAULT ("send-raw-stall", test_fault_send_raw_stall);
  ADD_FAULT ("send-raw-dropped", test_fault_send_raw_dropped);
  ADD_FAULT ("send-raw-wrong-hash", test_fault_send_raw_wrong_hash);
  ADD_FAULT ("rpc-rate-limit", test_fault_rpc_rate_limit);
  ADD_FAULT ("send-raw-already-known", test_fault_send_raw_already_known);
  ADD_FAULT ("batch-element-429", test_fault_batch_element_429);
  ADD_FAULT ("oversize", test_fault_oversize);
  ADD_FAULT ("cancel", test_cancel);
#undef ADD_FAULT

  status = g_test_run ();
  tally_test_rpc_anvil_free ();
  return status;
}
