/* test-rpc-client.c: TallyRpcClient against a real anvil (typed calls,
 * batches, the chain guard, new heads) and its reply validator on bad input;
 * test-rpc-faults.c drives it through a fault-injecting proxy
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "core-error.h"
#include "rpc-client-private.h"
#include "rpc-client.h"
#include "tally-anvil-fixture.h"
#include "tally-fault-proxy.h"
#include "tally-test-rpc.h"
#include "wallet/keys.h"

#define TEN_THOUSAND_ETH "0x21e19e0c9bab2400000"

/* Deploys a contract whose every call reverts with the 4 bytes deadbeef:
 * init code copying the 16-byte runtime
 * PUSH4 deadbeef PUSH1 e0 SHL PUSH1 0 MSTORE PUSH1 4 PUSH1 0 REVERT. */
#define REVERTER_INIT_CODE "0x6010806"       \
                           "00b6000396000f3" \
                           "63deadbeef60e01b60005260046000fd"

/* ---- the validator, fed directly ---- */

static JsonNode *
json (const char *text)
{
  g_autoptr (GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}

static void
test_parse_quantity (void)
{
  static const char *bad[] = {
    "\"0x\"", "\"12\"", "\"0X1\"", "\"0xg1\"", "\"0x-1\"", "\" 0x1\"", "\"0x1 \"", "17", "null",
    "true", "[\"0x1\"]", "{}", "\"0x10000000000000000\"", /* 2^64 */
  };
  guint64      value = 1;
  TallyUint256 big;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) max = json ("\"0xffffffffffffffffffffffffffffffff"
                                   "ffffffffffffffffffffffffffffffff\"");
  g_autoptr (JsonNode) too_long = json ("\"0x1ffffffffffffffffffffffffffffffff"
                                        "ffffffffffffffffffffffffffffffff\"");

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (JsonNode) node = json (bad[i]);

      g_assert_false (tally_rpc_parse_quantity (node, "eth_test result", &value, &error));
      g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
      g_assert_nonnull (strstr (error->message, "eth_test result"));
      g_assert_cmpuint (value, ==, 0);
      g_clear_error (&error);
    }
  {
    g_autoptr (JsonNode) node = json ("\"0xFFffffffffffffff\"");

    g_assert_true (tally_rpc_parse_quantity (node, "q", &value, &error));
    g_assert_cmpuint (value, ==, G_MAXUINT64);
  }
  g_assert_true (tally_rpc_parse_uint256 (max, "q", &big, &error));
  g_assert_cmpuint (tally_uint256_bit_length (&big), ==, 256);
  g_assert_false (tally_rpc_parse_uint256 (too_long, "q", &big, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_assert_true (tally_uint256_is_zero (&big));
}

static void
test_parse_data (void)
{
  static const char *bad[] = { "\"0xabc\"", "\"abcd\"", "\"0xzz\"", "\"0x0g\"", "5", "null" };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) empty = json ("\"0x\"");
  g_autoptr (JsonNode) some = json ("\"0xDEadbeef\"");
  g_autoptr (JsonNode) short_hash = json ("\"0x1234\"");
  g_autoptr (GBytes) bytes = NULL;
  guint8 hash[TALLY_RPC_HASH_LEN];

  bytes = tally_rpc_parse_data (empty, "d", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 0);
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = tally_rpc_parse_data (some, "d", &error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "\xde\xad\xbe\xef", 4);
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (JsonNode) node = json (bad[i]);

      g_assert_null (tally_rpc_parse_data (node, "eth_call result", &error));
      g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
      g_clear_error (&error);
    }
  g_assert_false (tally_rpc_parse_hash (short_hash, "h", hash, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
}

static gboolean
dispatch (const char *body,
          gboolean    batch,
          guint       n_calls,
          GPtrArray **calls_out,
          GError    **error)
{
  static const char *methods[] = { "eth_chainId", "eth_blockNumber", "eth_getBalance" };
  g_autoptr (GPtrArray) calls = g_ptr_array_new_with_free_func ((GDestroyNotify) _tally_rpc_call_free);
  gboolean ok;

  for (guint i = 0; i < n_calls; i++)
    {
      TallyRpcCall *call = _tally_rpc_call_new (methods[i], NULL);

      call->id = i + 1;
      g_ptr_array_add (calls, call);
    }
  ok = _tally_rpc_reply_dispatch ((TallyRpcCall **) calls->pdata, n_calls, batch, body,
                                  strlen (body), error);
  if (calls_out != NULL)
    *calls_out = g_steal_pointer (&calls);
  return ok;
}

static void
test_parse_envelope (void)
{
  static const char *bad[] = {
    "", "nonsense", "{", "[]", "null", "\"0x1\"",
    "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"0x1\"}",     /* another id */
    "{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"result\":\"0x1\"}", /* string id */
    "{\"jsonrpc\":\"2.0\",\"result\":\"0x1\"}",              /* no id */
    "{\"id\":1,\"result\":\"0x1\"}",                         /* no jsonrpc */
    "{\"jsonrpc\":\"1.0\",\"id\":1,\"result\":\"0x1\"}",
    "{\"jsonrpc\":\"2.0\",\"id\":1}", /* neither */
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\",\"error\":{\"code\":1,\"message\":\"x\"}}",
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":\"broken\"}",
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"message\":\"x\"}}",
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":\"-32000\",\"message\":\"x\"}}",
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":1.5,\"message\":\"x\"}}",
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32000,\"message\":7}}",
    "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}]",    /* an array for one call */
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"\xff\xfe\"}", /* not UTF-8 */
  };
  g_autoptr (GPtrArray) calls = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *deep = g_strnfill (1000000, '[');
  TallyRpcCall    *call;

  /* Far too deep for a reply, and for a recursive parser's stack. */
  g_assert_false (dispatch (deep, FALSE, 1, NULL, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_clear_error (&error);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (dispatch (bad[i], FALSE, 1, NULL, &error));
      g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
      g_assert_nonnull (strstr (error->message, "eth_chainId"));
      g_clear_error (&error);
    }

  g_assert_true (dispatch ("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":null}", FALSE, 1, &calls,
                           &error));
  call = calls->pdata[0];
  g_assert_true (JSON_NODE_HOLDS_NULL (call->result));
  g_clear_pointer (&calls, g_ptr_array_unref);

  g_assert_true (dispatch ("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":3,\"message\":"
                           "\"execution reverted\",\"data\":\"0x08c379a0\"}}",
                           FALSE, 1, &calls, &error));
  call = calls->pdata[0];
  g_assert_error (call->error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_RPC);
  g_assert_nonnull (strstr (call->error->message, "eth_chainId"));
  g_assert_cmpint (call->rpc_code, ==, 3);
  g_assert_cmpstr (json_node_get_string (call->rpc_data), ==, "0x08c379a0");
  g_assert_false (call->rate_limited);
  g_clear_pointer (&calls, g_ptr_array_unref);

  g_assert_true (dispatch ("{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32000,\"message\":"
                           "\"Your app has exceeded its Rate Limit\"}}",
                           FALSE, 1, &calls, &error));
  call = calls->pdata[0];
  g_assert_true (call->rate_limited);
  g_assert_error (call->error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_RATE_LIMITED);
}

static void
test_parse_batch (void)
{
  static const char *bad[] = {
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}",
    "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"},"
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}]", /* twice */
    "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"},"
    "{\"jsonrpc\":\"2.0\",\"id\":9,\"result\":\"0x1\"}]", /* not asked */
    "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"},5]",
    "[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"},{\"jsonrpc\":\"2.0\",\"id\":2}]",
    "42",
  };
  g_autoptr (GPtrArray) calls = NULL;
  g_autoptr (GError) error = NULL;
  TallyRpcCall *call;

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (dispatch (bad[i], TRUE, 2, NULL, &error));
      g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
      g_assert_true (strstr (error->message, "eth_chainId") != NULL ||
                     strstr (error->message, "eth_blockNumber") != NULL);
      g_clear_error (&error);
    }

  /* The missing answer is named. */
  g_assert_false (dispatch ("[{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}]", TRUE, 2, NULL,
                            &error));
  g_assert_nonnull (strstr (error->message, "eth_blockNumber"));
  g_clear_error (&error);

  /* Out of order, with a rate-limit error inside the 200 reply. */
  g_assert_true (dispatch ("[{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":\"0x5\"},"
                           "{\"jsonrpc\":\"2.0\",\"id\":2,"
                           "\"error\":{\"code\":429,\"message\":\"Too Many\"}},"
                           "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x7a69\"}]",
                           TRUE, 3, &calls, &error));
  g_assert_no_error (error);
  call = calls->pdata[0];
  g_assert_cmpstr (json_node_get_string (call->result), ==, "0x7a69");
  call = calls->pdata[1];
  g_assert_true (call->rate_limited);
  call = calls->pdata[2];
  g_assert_cmpstr (json_node_get_string (call->result), ==, "0x5");
  g_clear_pointer (&calls, g_ptr_array_unref);

  /* One error object for the whole batch applies to every call. */
  g_assert_true (dispatch ("{\"jsonrpc\":\"2.0\",\"id\":null,"
                           "\"error\":{\"code\":-32005,\"message\":\"limit\"}}",
                           TRUE, 2, &calls, &error));
  g_assert_true (((TallyRpcCall *) calls->pdata[0])->rate_limited);
  g_assert_true (((TallyRpcCall *) calls->pdata[1])->rate_limited);
}

#define GOOD_LOG "{\"address\":\"0x5fbdb2315678afecb367f032d93f642f64180aa3\","       \
                 "\"topics\":[\"0x%s\"],\"data\":\"0x00ff\",\"blockNumber\":\"0x2\"," \
                 "\"logIndex\":\"0x0\",\"transactionHash\":\"0x%s\",\"removed\":%s}"

static void
test_parse_receipt_and_logs (void)
{
  g_autofree char *zeros = g_strnfill (64, '0');
  g_autofree char *ones = g_strnfill (64, '1');
  g_autofree char *log_text = g_strdup_printf (GOOD_LOG, ones, zeros, "false");
  g_autofree char *logs_text = g_strdup_printf ("[%s]", log_text);
  g_autoptr (JsonNode) logs_node = json (logs_text);
  g_autoptr (GPtrArray) logs = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyRpcFeeHistory) history = NULL;
  const char  *bad_logs[] = { "{}", "[5]", "[{\"address\":\"0x12\"}]", NULL };
  TallyRpcLog *log;

  g_assert_true (_tally_rpc_parse_logs (logs_node, "eth_getLogs result", &logs, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (logs->len, ==, 1);
  log = logs->pdata[0];
  g_assert_cmpuint (log->n_topics, ==, 1);
  g_assert_cmpuint (log->topics[0][31], ==, 0x11);
  g_assert_cmpuint (log->block_number, ==, 2);
  g_assert_cmpuint (g_bytes_get_size (log->data), ==, 2);
  g_clear_pointer (&logs, g_ptr_array_unref);

  for (gsize i = 0; bad_logs[i] != NULL; i++)
    {
      g_autoptr (JsonNode) node = json (bad_logs[i]);

      g_assert_false (_tally_rpc_parse_logs (node, "eth_getLogs result", &logs, &error));
      g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
      g_assert_nonnull (strstr (error->message, "eth_getLogs"));
      g_assert_null (logs);
      g_clear_error (&error);
    }
  {
    g_autofree char *text = g_strdup_printf (GOOD_LOG, ones, zeros, "\"no\"");
    g_autofree char *array = g_strdup_printf ("[%s]", text);
    g_autoptr (JsonNode) node = json (array);

    g_assert_false (_tally_rpc_parse_logs (node, "eth_getLogs result", &logs, &error));
    g_assert_nonnull (strstr (error->message, "removed"));
    g_clear_error (&error);
  }
  {
    g_autoptr (JsonNode) node = json ("{\"transactionHash\":\"0x12\"}");
    TallyRpcReceipt *receipt = NULL;

    g_assert_false (_tally_rpc_parse_receipt (node, &receipt, &error));
    g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
    g_assert_nonnull (strstr (error->message, "eth_getTransactionReceipt"));
    g_assert_null (receipt);
    g_clear_error (&error);
  }
  {
    g_autoptr (JsonNode) good = json ("{\"oldestBlock\":\"0x1\","
                                      "\"baseFeePerGas\":[\"0x3b9aca00\",\"0x3\"],"
                                      "\"reward\":[[\"0x1\",\"0x2\"]]}");
    g_autoptr (JsonNode) short_row = json ("{\"oldestBlock\":\"0x1\","
                                           "\"baseFeePerGas\":[\"0x1\",\"0x3\"],"
                                           "\"reward\":[[\"0x1\"]]}");
    g_autoptr (JsonNode) empty = json ("{\"oldestBlock\":\"0x1\",\"baseFeePerGas\":[]}");

    g_assert_true (_tally_rpc_parse_fee_history (good, 2, &history, &error));
    g_assert_cmpuint (history->n_blocks, ==, 1);
    g_assert_cmpuint (history->base_fees[0].limbs[0], ==, TALLY_TEST_GWEI);
    g_assert_cmpuint (history->rewards[1].limbs[0], ==, 2);
    g_clear_pointer (&history, tally_rpc_fee_history_free);
    g_assert_false (_tally_rpc_parse_fee_history (short_row, 2, &history, &error));
    g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
    g_clear_error (&error);
    g_assert_false (_tally_rpc_parse_fee_history (empty, 0, &history, &error));
    g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
  }
}

/* ---- against anvil ---- */

static void
test_typed_calls (void)
{
  g_autoptr (TallyRpcClient) client = tally_test_rpc_fast_client (tally_test_rpc_anvil_url ());
  g_autoptr (GError) error = NULL;
  TallyAddress account = tally_test_rpc_address_of (TALLY_TEST_ANVIL_ACCOUNT);
  TallyAddress other = tally_test_rpc_address_of (TALLY_TEST_OTHER_ACCOUNT);
  TallyUint256 expected;
  guint64      value = 0;

  {
    g_autoptr (GAsyncResult) result = NULL;

    tally_rpc_client_chain_id_async (client, NULL, tally_test_rpc_on_done, &result);
    g_assert_true (
      tally_rpc_client_chain_id_finish (client, tally_test_rpc_wait_for (&result), &value, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (value, ==, TALLY_ANVIL_CHAIN_ID);
  }
  g_assert_true (tally_test_rpc_block_number (client, &value, &error));
  g_assert_no_error (error);
  {
    g_autoptr (GAsyncResult) result = NULL;
    TallyUint256 balance;

    /* Another test may have spent from the account: look at block 0. */
    tally_rpc_client_get_balance_async (client, &account, "0x0", NULL, tally_test_rpc_on_done,
                                        &result);
    g_assert_true (tally_rpc_client_get_balance_finish (client, tally_test_rpc_wait_for (&result),
                                                        &balance, &error));
    g_assert_true (tally_uint256_parse (&expected, TEN_THOUSAND_ETH, NULL));
    g_assert_cmpint (tally_uint256_cmp (&balance, &expected), ==, 0);
  }
  g_assert_cmpuint (tally_test_rpc_nonce_of (client, TALLY_TEST_OTHER_ACCOUNT), ==, 0);
  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autoptr (GBytes) input = g_bytes_new_static ("\x12\x34\x56\x78", 4);
    g_autoptr (GBytes) output = NULL;
    g_autoptr (GBytes) revert = NULL;

    /* An account without code returns nothing. */
    tally_rpc_client_eth_call_async (client, NULL, &other, input, NULL, NULL,
                                     tally_test_rpc_on_done, &result);
    output =
      tally_rpc_client_eth_call_finish (client, tally_test_rpc_wait_for (&result), &revert, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_bytes_get_size (output), ==, 0);
    g_assert_null (revert);
  }
  {
    g_autoptr (GAsyncResult) result = NULL;
    TallyUint256 one;

    tally_uint256_from_uint64 (&one, 1);
    tally_rpc_client_estimate_gas_async (client, &account, &other, &one, NULL, NULL,
                                         tally_test_rpc_on_done, &result);
    g_assert_true (tally_rpc_client_estimate_gas_finish (client, tally_test_rpc_wait_for (&result),
                                                         &value, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (value, ==, 21000);
  }
  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autoptr (TallyRpcFeeHistory) history = NULL;
    const double percentiles[] = { 25, 75 };

    tally_rpc_client_fee_history_async (client, 1, "latest", percentiles, 2, NULL,
                                        tally_test_rpc_on_done, &result);
    history =
      tally_rpc_client_fee_history_finish (client, tally_test_rpc_wait_for (&result), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (history->n_blocks, ==, 1);
    g_assert_cmpuint (history->n_percentiles, ==, 2);
    g_assert_false (tally_uint256_is_zero (&history->base_fees[0]));
  }
  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autoptr (GPtrArray) logs = NULL;
    TallyRpcLogFilter filter = {
      .has_address = TRUE,
      .address = other,
      .from_block = 0,
      .to_block = TALLY_RPC_BLOCK_LATEST,
    };

    tally_rpc_client_get_logs_async (client, &filter, NULL, tally_test_rpc_on_done, &result);
    logs = tally_rpc_client_get_logs_finish (client, tally_test_rpc_wait_for (&result), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (logs->len, ==, 0);
  }
}

static void
test_send_and_receipt (void)
{
  g_autoptr (TallyRpcClient) client = tally_test_rpc_fast_client (tally_test_rpc_anvil_url ());
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) raw = tally_test_rpc_signed_transaction (
    tally_test_rpc_nonce_of (client, TALLY_TEST_ANVIL_ACCOUNT), NULL);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  g_autoptr (TallyRpcReceipt) none = NULL;
  guint8 hash[TALLY_RPC_HASH_LEN];
  guint8 unknown[TALLY_RPC_HASH_LEN] = { 0x42 };

  tally_rpc_client_send_raw_transaction_async (client, raw, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (tally_rpc_client_send_raw_transaction_finish (
    client, tally_test_rpc_wait_for (&result), hash, &error));
  g_assert_no_error (error);

  receipt = tally_test_rpc_mined_receipt_of (client, hash);
  g_assert_cmpmem (receipt->transaction_hash, TALLY_RPC_HASH_LEN, hash, TALLY_RPC_HASH_LEN);
  g_assert_true (receipt->success);
  g_assert_cmpuint (receipt->gas_used, ==, 21000);
  g_assert_cmpuint (receipt->block_number, >, 0);
  g_assert_false (tally_uint256_is_zero (&receipt->effective_gas_price));
  g_assert_false (receipt->has_contract_address);
  g_assert_cmpuint (receipt->logs->len, ==, 0);

  none = tally_test_rpc_receipt_of (client, unknown);
  g_assert_null (none);
}

static void
test_revert_data (void)
{
  g_autoptr (TallyRpcClient) client = tally_test_rpc_fast_client (tally_test_rpc_anvil_url ());
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) raw = tally_test_rpc_signed_transaction (
    tally_test_rpc_nonce_of (client, TALLY_TEST_ANVIL_ACCOUNT), REVERTER_INIT_CODE);
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  g_autoptr (GBytes) revert = NULL;
  g_autoptr (GBytes) output = NULL;
  TallyAddress account = tally_test_rpc_address_of (TALLY_TEST_ANVIL_ACCOUNT);
  guint8       hash[TALLY_RPC_HASH_LEN];
  guint64      gas = 1;

  {
    g_autoptr (GAsyncResult) result = NULL;

    tally_rpc_client_send_raw_transaction_async (client, raw, NULL, tally_test_rpc_on_done,
                                                 &result);
    g_assert_true (tally_rpc_client_send_raw_transaction_finish (
      client, tally_test_rpc_wait_for (&result), hash, &error));
    g_assert_no_error (error);
  }
  receipt = tally_test_rpc_mined_receipt_of (client, hash);
  g_assert_true (receipt->success);
  g_assert_true (receipt->has_contract_address);
  {
    g_autoptr (GAsyncResult) result = NULL;

    tally_rpc_client_eth_call_async (client, &account, &receipt->contract_address, NULL, NULL,
                                     NULL, tally_test_rpc_on_done, &result);
    output =
      tally_rpc_client_eth_call_finish (client, tally_test_rpc_wait_for (&result), &revert, &error);
    g_assert_null (output);
    g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_RPC);
    g_assert_nonnull (strstr (error->message, "eth_call"));
    g_assert_nonnull (revert);
    g_assert_cmpmem (g_bytes_get_data (revert, NULL), g_bytes_get_size (revert),
                     "\xde\xad\xbe\xef", 4);
    g_clear_error (&error);
    g_clear_pointer (&revert, g_bytes_unref);
  }
  {
    g_autoptr (GAsyncResult) result = NULL;

    tally_rpc_client_estimate_gas_async (client, &account, &receipt->contract_address, NULL, NULL,
                                         NULL, tally_test_rpc_on_done, &result);
    g_assert_false (tally_rpc_client_estimate_gas_finish (client, tally_test_rpc_wait_for (&result),
                                                          &gas, &revert, &error));
    g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_RPC);
    g_assert_cmpuint (gas, ==, 0);
    g_assert_nonnull (revert);
    g_assert_cmpuint (g_bytes_get_size (revert), ==, 4);
    g_clear_error (&error);
  }
  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autoptr (JsonNode) data = NULL;
    g_autoptr (JsonNode) reply = NULL;
    gint64 code = 0;

    tally_rpc_client_call_async (client, "eth_noSuchMethod", NULL, 0, NULL, tally_test_rpc_on_done,
                                 &result);
    reply = tally_rpc_client_call_finish_full (client, tally_test_rpc_wait_for (&result), &code,
                                               &data, &error);
    g_assert_null (reply);
    g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_RPC);
    g_assert_nonnull (strstr (error->message, "eth_noSuchMethod"));
    g_assert_cmpint (code, ==, -32601);
  }
}

static void
test_batch (void)
{
  g_autoptr (TallyRpcClient) client = tally_test_rpc_fast_client (tally_test_rpc_anvil_url ());
  g_autoptr (TallyRpcBatch) batch = tally_rpc_batch_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) chain = NULL;
  g_autoptr (JsonNode) balance = NULL;
  g_autoptr (JsonNode) missing = NULL;
  JsonArray    *params = json_array_new ();
  TallyRpcStats stats;
  guint64       value = 0;

  json_array_add_string_element (params, TALLY_TEST_ANVIL_ACCOUNT);
  json_array_add_string_element (params, "0x0");
  g_assert_cmpuint (tally_rpc_batch_add (batch, "eth_chainId", NULL), ==, 0);
  g_assert_cmpuint (tally_rpc_batch_add (batch, "eth_noSuchMethod", NULL), ==, 1);
  g_assert_cmpuint (tally_rpc_batch_add (batch, "eth_getBalance",
                                         json_node_init_array (json_node_alloc (), params)),
                    ==, 2);
  json_array_unref (params);

  tally_rpc_client_batch_async (client, batch, 0, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (tally_rpc_client_batch_finish (client, tally_test_rpc_wait_for (&result), &error));
  g_assert_no_error (error);
  tally_rpc_client_get_stats (client, &stats);
  g_assert_cmpuint (stats.requests_sent, ==, 1);

  chain = tally_rpc_batch_dup_result (batch, 0, &error);
  g_assert_true (tally_rpc_parse_quantity (chain, "chain", &value, &error));
  g_assert_cmpuint (value, ==, TALLY_ANVIL_CHAIN_ID);
  missing = tally_rpc_batch_dup_result (batch, 1, &error);
  g_assert_null (missing);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_RPC);
  g_assert_nonnull (strstr (error->message, "eth_noSuchMethod"));
  g_clear_error (&error);
  balance = tally_rpc_batch_dup_result (batch, 2, &error);
  g_assert_cmpstr (json_node_get_string (balance), ==, TEN_THOUSAND_ETH);
}

static void
test_chain_guard (void)
{
  g_autoptr (TallyRpcClient) client = tally_test_rpc_fast_client (tally_test_rpc_anvil_url ());
  g_autoptr (TallyFaultProxy) proxy = tally_fault_proxy_new (tally_test_rpc_anvil_url (), NULL);
  g_autoptr (TallyRpcClient) proxied =
    tally_test_rpc_fast_client (tally_fault_proxy_get_url (proxy));
  g_autoptr (GError) error = NULL;
  GAsyncResult *result = NULL;

  tally_rpc_client_check_chain_id_async (client, TALLY_ANVIL_CHAIN_ID, NULL, tally_test_rpc_on_done,
                                         &result);
  g_assert_true (
    tally_rpc_client_check_chain_id_finish (client, tally_test_rpc_wait_for (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  tally_rpc_client_check_chain_id_async (client, 1, NULL, tally_test_rpc_on_done, &result);
  g_assert_false (
    tally_rpc_client_check_chain_id_finish (client, tally_test_rpc_wait_for (&result), &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_CHAIN_MISMATCH);
  g_assert_nonnull (strstr (error->message, "31337"));
  g_clear_error (&error);
  g_clear_object (&result);

  /* An endpoint that changed under us: mainnet answering for our devnet. */
  tally_fault_proxy_push (proxy, TALLY_FAULT_CHAIN_ID, 1);
  tally_rpc_client_check_chain_id_async (proxied, TALLY_ANVIL_CHAIN_ID, NULL,
                                         tally_test_rpc_on_done, &result);
  g_assert_false (
    tally_rpc_client_check_chain_id_finish (proxied, tally_test_rpc_wait_for (&result), &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_CHAIN_MISMATCH);
  g_clear_object (&result);
}

/* Nothing listens: the request never left, so even a transaction is tried again. */
static void
test_refused_send_raw (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (TallyRpcClient) client = NULL;
  g_autoptr (GBytes) raw = tally_test_rpc_signed_transaction (0, NULL);
  g_autofree char *url = NULL;
  guint8           hash[TALLY_RPC_HASH_LEN];
  guint16          port = 0;

  g_assert_true (tally_anvil_pick_free_port (&port, &error));
  url = g_strdup_printf ("http://127.0.0.1:%u", port);
  client = tally_test_rpc_fast_client (url);
  tally_rpc_client_set_max_attempts (client, 3);
  tally_rpc_client_send_raw_transaction_async (client, raw, NULL, tally_test_rpc_on_done, &result);
  g_assert_false (tally_rpc_client_send_raw_transaction_finish (
    client, tally_test_rpc_wait_for (&result), hash, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, url));
  g_assert_cmpuint (tally_test_rpc_retries_of (client), ==, 2);
}

static void
test_node_restart (void)
{
  g_autoptr (TallyAnvil) first = NULL;
  g_autoptr (TallyAnvil) second = NULL;
  g_autoptr (TallyRpcClient) client = NULL;
  g_autoptr (GError) error = NULL;
  guint64 number = 0;

  first = tally_anvil_start (&error);
  g_assert_no_error (error);
  client = tally_test_rpc_fast_client (tally_anvil_get_url (first));
  g_assert_true (tally_test_rpc_block_number (client, &number, &error));

  tally_anvil_stop (first);
  g_assert_false (tally_test_rpc_block_number (client, &number, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, tally_anvil_get_url (first)));
  g_clear_error (&error);

  second = tally_anvil_start (&error);
  g_assert_no_error (error);
  tally_rpc_client_set_url (client, tally_anvil_get_url (second));
  g_assert_true (tally_test_rpc_block_number (client, &number, &error));
  g_assert_no_error (error);
}

/* ---- new heads ---- */

static gboolean
tick (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates until *flag or *number reaches at least `least`, for 5 s at most. */
static gboolean
wait_until (gboolean (*done) (TallyRpcClient *, guint64 *, guint64),
            TallyRpcClient *client,
            guint64        *number,
            guint64         least)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  guint  tick_id = g_timeout_add (20, tick, NULL);

  while (!done (client, number, least) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick_id);
  return done (client, number, least);
}

static gboolean
is_subscribed (TallyRpcClient *client,
               guint64        *number,
               guint64         least)
{
  return tally_rpc_client_get_heads_over_websocket (client);
}

static gboolean
head_reached (TallyRpcClient *client,
              guint64        *number,
              guint64         least)
{
  return *number != G_MAXUINT64 && *number >= least;
}

static void
on_new_head (TallyRpcClient *client,
             guint64         number,
             gpointer        user_data)
{
  guint64 *last = user_data;

  /* Each report is a higher block than the one before. */
  g_assert_true (*last == G_MAXUINT64 || number > *last);
  *last = number;
}

static void
mine_block (void)
{
  g_autoptr (TallyRpcClient) direct = tally_test_rpc_fast_client (tally_test_rpc_anvil_url ());
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) reply = NULL;

  tally_rpc_client_call_async (direct, "evm_mine", NULL, 0, NULL, tally_test_rpc_on_done, &result);
  reply = tally_rpc_client_call_finish (direct, tally_test_rpc_wait_for (&result), &error);
  g_assert_no_error (error);
}

static void
test_heads (gconstpointer data)
{
  gboolean via_proxy = GPOINTER_TO_INT (data);
  g_autoptr (TallyFaultProxy) proxy = NULL;
  g_autoptr (TallyRpcClient) client = NULL;
  g_autoptr (GError) error = NULL;
  guint64 last = G_MAXUINT64;
  guint64 start = 0;

  if (via_proxy)
    {
      /* The proxy speaks plain HTTP only: no WebSocket upgrade. */
      proxy = tally_fault_proxy_new (tally_test_rpc_anvil_url (), &error);
      g_assert_no_error (error);
    }
  client = tally_test_rpc_fast_client (via_proxy ? tally_fault_proxy_get_url (proxy)
                                                 : tally_test_rpc_anvil_url ());
  g_assert_true (tally_test_rpc_block_number (client, &start, &error));
  g_signal_connect (client, "new-head", G_CALLBACK (on_new_head), &last);
  tally_rpc_client_watch_heads (client, 50);

  if (via_proxy)
    {
      g_assert_true (wait_until (head_reached, client, &last, start));
      g_assert_false (tally_rpc_client_get_heads_over_websocket (client));
    }
  else
    g_assert_true (wait_until (is_subscribed, client, &last, 0));

  mine_block ();
  g_assert_true (wait_until (head_reached, client, &last, start + 1));
  mine_block ();
  g_assert_true (wait_until (head_reached, client, &last, start + 2));
  g_assert_cmpuint (last, ==, start + 2);
  g_assert_cmpint (tally_rpc_client_get_heads_over_websocket (client), ==, !via_proxy);

  tally_rpc_client_unwatch_heads (client);
  g_assert_false (tally_rpc_client_get_heads_over_websocket (client));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/rpc/parse/quantity", test_parse_quantity);
  g_test_add_func ("/core/rpc/parse/data", test_parse_data);
  g_test_add_func ("/core/rpc/parse/envelope", test_parse_envelope);
  g_test_add_func ("/core/rpc/parse/batch", test_parse_batch);
  g_test_add_func ("/core/rpc/parse/receipt-logs-fees", test_parse_receipt_and_logs);
  g_test_add_func ("/core/rpc/anvil/typed-calls", test_typed_calls);
  g_test_add_func ("/core/rpc/anvil/send-and-receipt", test_send_and_receipt);
  g_test_add_func ("/core/rpc/anvil/revert-data", test_revert_data);
  g_test_add_func ("/core/rpc/anvil/batch", test_batch);
  g_test_add_func ("/core/rpc/anvil/chain-guard", test_chain_guard);
  g_test_add_func ("/core/rpc/anvil/refused-send-raw", test_refused_send_raw);
  g_test_add_func ("/core/rpc/anvil/node-restart", test_node_restart);
  g_test_add_data_func ("/core/rpc/heads/websocket", GINT_TO_POINTER (FALSE), test_heads);
  g_test_add_data_func ("/core/rpc/heads/polling", GINT_TO_POINTER (TRUE), test_heads);

  status = g_test_run ();
  tally_test_rpc_anvil_free ();
  return status;
}
