/* test-market-log.c: TallyMarketLog against tools/devnet's chain: paged
 * sync equal to one independent eth_getLogs, the cache across restarts,
 * ranges halved when replies are too large, reorganisations (evm_revert),
 * a damaged cache file, and hostile replies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "core-error.h"
#include "label-market.h"
#include "market-log.h"
#include "tally-fault-proxy.h"
#include "tally-test-devnet.h"
#include "tally-test-rpc.h"
#include "wallet/hex.h"

/* Demo accounts 1 and 2 of the "test ... junk" mnemonic: anvil holds their
 * keys, so eth_sendTransaction from them needs no signing here. */
#define ACCOUNT1 "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"
#define ACCOUNT2 "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc"

static TallyTestDevnet devnet;
static char           *cache_dir;

static const char *
url (void)
{
  return tally_network_profile_get_rpc_url (devnet.profile);
}

/* Sends calldata from an unlocked account; anvil mines it at once. */
static void
send_from (const char         *from,
           const TallyAddress *to,
           guint8             *calldata,
           gsize               len)
{
  g_autofree guint8 *owned = calldata;
  g_autofree char   *data = tally_hex_encode (owned, len);
  char               to_text[TALLY_ADDRESS_STRING_SIZE];
  g_autofree char   *params = NULL;
  g_autoptr (JsonNode) hash = NULL;

  tally_address_to_string (to, to_text);
  params = g_strdup_printf ("[{\"from\": \"%s\", \"to\": \"%s\", \"data\": \"%s\"}]", from, to_text,
                            data);
  hash = tally_test_devnet_rpc_result (&devnet, url (), "eth_sendTransaction", params);
  g_assert_nonnull (json_node_get_string (hash));
  g_free (params);
  params = g_strdup_printf ("[\"%s\"]", json_node_get_string (hash));
  /* anvil may answer before it has mined the block: wait for the receipt,
   * so the head the test reads next includes it. */
  for (;;)
    {
      g_autoptr (JsonNode) receipt = tally_test_devnet_rpc_result (&devnet, url (), "eth_getTransactionReceipt", params);

      if (!JSON_NODE_HOLDS_NULL (receipt))
        break;
      g_usleep (2000);
    }
}

/* count Staked events of `amount` base units each from account. */
static void
stake_times (const char *account,
             guint       count,
             guint64     amount)
{
  const TallyAddress *market = tally_network_profile_get_market_address (devnet.profile);
  const TallyAddress *token = tally_network_profile_get_token_address (devnet.profile);
  g_autoptr (GError) error = NULL;
  TallyUint256 value;
  guint8      *calldata = NULL;
  gsize        len = 0;

  memset (&value, 0xff, sizeof value);
  g_assert_true (tally_label_token_encode_approve (&calldata, &len, market, &value, &error));
  send_from (account, token, calldata, len);
  tally_uint256_from_uint64 (&value, amount);
  for (guint i = 0; i < count; i++)
    {
      g_assert_true (tally_label_market_encode_stake (&calldata, &len, &value, &error));
      g_assert_no_error (error);
      send_from (account, market, calldata, len);
    }
}

static guint64
head (void)
{
  g_autoptr (JsonNode) number = tally_test_devnet_rpc_result (&devnet, url (), "eth_blockNumber", "[]");
  g_autoptr (GError) error = NULL;
  guint64 value = 0;

  g_assert_true (tally_rpc_parse_quantity (number, "head", &value, &error));
  return value;
}

/* Every log of the market, in one eth_getLogs straight to the node: the
 * reference the paged, cached sync must equal. */
static void
assert_logs_match_node (TallyMarketLog *log)
{
  const TallyAddress *market = tally_network_profile_get_market_address (devnet.profile);
  char                market_text[TALLY_ADDRESS_STRING_SIZE];
  g_autofree char    *params = NULL;
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (GPtrArray) expected = NULL;
  g_autoptr (GError) error = NULL;
  GPtrArray *got = tally_market_log_get_logs (log);

  tally_address_to_string (market, market_text);
  params = g_strdup_printf ("[{\"address\": \"%s\", \"fromBlock\": \"0x0\", \"toBlock\": \"0x%" G_GINT64_MODIFIER "x\"}]",
                            market_text, tally_market_log_get_synced_block (log));
  reply = tally_test_devnet_rpc_result (&devnet, url (), "eth_getLogs", params);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (reply));
  g_assert_cmpuint (got->len, ==, json_array_get_length (json_node_get_array (reply)));
  for (guint i = 0; i < got->len; i++)
    {
      JsonObject        *want = json_array_get_object_element (json_node_get_array (reply), i);
      const TallyRpcLog *have = g_ptr_array_index (got, i);
      g_autofree char   *data = tally_hex_encode (g_bytes_get_data (have->data, NULL),
                                                  g_bytes_get_size (have->data));
      g_autofree char   *tx = tally_hex_encode (have->transaction_hash, 32);
      guint64            number = 0;

      g_assert_true (tally_rpc_parse_quantity (json_object_get_member (want, "blockNumber"), "block",
                                               &number, &error));
      g_assert_cmpuint (have->block_number, ==, number);
      g_assert_true (tally_rpc_parse_quantity (json_object_get_member (want, "logIndex"), "index",
                                               &number, &error));
      g_assert_cmpuint (have->log_index, ==, number);
      g_assert_cmpstr (data, ==, json_object_get_string_member (want, "data"));
      g_assert_cmpstr (tx, ==, json_object_get_string_member (want, "transactionHash"));
      g_assert_cmpuint (have->n_topics, ==,
                        json_array_get_length (json_object_get_array_member (want, "topics")));
      for (guint t = 0; t < have->n_topics; t++)
        {
          g_autofree char *topic = tally_hex_encode (have->topics[t], 32);

          g_assert_cmpstr (topic, ==,
                           json_array_get_string_element (json_object_get_array_member (want, "topics"), t));
        }
    }
}

static gboolean
sync_log (TallyMarketLog *log,
          GError        **error)
{
  GAsyncResult *result = NULL;

  tally_market_log_sync_async (log, NULL, tally_test_rpc_on_done, &result);
  return tally_market_log_sync_finish (log, tally_test_rpc_wait_for (&result), error);
}

static TallyMarketLog *
new_log (TallyRpcClient *client,
         const char     *cache_name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = cache_name != NULL ? g_build_filename (cache_dir, cache_name, NULL) : NULL;
  TallyMarketLog  *log = tally_market_log_new (client, devnet.profile, path, &error);

  g_assert_no_error (error);
  return log;
}

static void
count_added (TallyMarketLog *log,
             guint           first,
             guint           n,
             guint          *total)
{
  *total += n;
}

static void
record_rollback (TallyMarketLog *log,
                 guint           n_kept,
                 guint          *kept)
{
  *kept = n_kept;
}

static void
test_sync_and_cache (void)
{
  g_autoptr (TallyRpcClient) client = tally_rpc_client_new (url ());
  g_autoptr (TallyMarketLog) log = new_log (client, "cache.db");
  g_autoptr (TallyMarketLog) again = NULL;
  g_autoptr (GError) error = NULL;
  guint         added = 0;
  guint64       pages = 0, fetched = 0, requests_before;
  TallyRpcStats stats;

  stake_times (ACCOUNT1, 4, 1000);
  stake_times (ACCOUNT2, 2, 7);
  g_signal_connect (log, "logs-added", G_CALLBACK (count_added), &added);
  g_assert_true (sync_log (log, &error));
  g_assert_no_error (error);
  g_assert_null (tally_market_log_get_last_error (log));
  g_assert_cmpuint (tally_market_log_get_synced_block (log), ==, head ());
  g_assert_cmpuint (tally_market_log_get_logs (log)->len, >=, 6);
  g_assert_cmpuint (added, ==, tally_market_log_get_logs (log)->len);
  assert_logs_match_node (log);

  /* Only what is new is asked for: one request to check the head, one
   * page. */
  tally_market_log_get_stats (log, &pages, &fetched);
  stake_times (ACCOUNT1, 3, 5);
  tally_rpc_client_get_stats (client, &stats);
  requests_before = stats.requests_sent;
  g_assert_true (sync_log (log, &error));
  tally_rpc_client_get_stats (client, &stats);
  g_assert_cmpuint (stats.requests_sent - requests_before, ==, 2);
  {
    guint64 pages_now = 0, fetched_now = 0;

    tally_market_log_get_stats (log, &pages_now, &fetched_now);
    g_assert_cmpuint (pages_now, ==, pages + 1);
    g_assert_cmpuint (fetched_now, ==, fetched + 3);
  }
  assert_logs_match_node (log);

  /* A second log on the same cache file starts from the cache. */
  again = new_log (client, "cache.db");
  g_assert_true (sync_log (again, &error));
  g_assert_no_error (error);
  tally_market_log_get_stats (again, &pages, &fetched);
  g_assert_cmpuint (fetched, ==, 0);
  g_assert_cmpuint (tally_market_log_get_logs (again)->len, ==, tally_market_log_get_logs (log)->len);
  assert_logs_match_node (again);
}

static void
test_halving (void)
{
  g_autoptr (TallyRpcClient) client = tally_rpc_client_new (url ());
  g_autoptr (TallyMarketLog) log = new_log (client, NULL);
  g_autoptr (GError) error = NULL;
  guint64 pages = 0;

  stake_times (ACCOUNT2, 12, 3);
  /* About six logs fit a reply this small: every wide range is refused as
   * too large and halved until it fits. */
  tally_rpc_client_set_max_reply_size (client, 4096);
  g_assert_true (sync_log (log, &error));
  g_assert_no_error (error);
  tally_market_log_get_stats (log, &pages, NULL);
  g_assert_cmpuint (pages, >, 3);
  assert_logs_match_node (log);
}

static void
test_reorg (void)
{
  g_autoptr (TallyRpcClient) client = tally_rpc_client_new (url ());
  g_autoptr (TallyMarketLog) log = new_log (client, "reorg.db");
  g_autoptr (TallyMarketLog) reopened = NULL;
  g_autoptr (JsonNode) snapshot = NULL;
  g_autoptr (JsonNode) reverted = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *revert_params = NULL;
  guint            kept = G_MAXUINT, before;

  g_assert_true (sync_log (log, &error));
  before = tally_market_log_get_logs (log)->len;
  snapshot = tally_test_devnet_rpc_result (&devnet, url (), "evm_snapshot", "[]");
  revert_params = g_strdup_printf ("[\"%s\"]", json_node_get_string (snapshot));

  /* The same heights, other blocks: a reorganisation the hash check sees. */
  stake_times (ACCOUNT1, 3, 11);
  g_assert_true (sync_log (log, &error));
  g_assert_cmpuint (tally_market_log_get_logs (log)->len, ==, before + 3);
  reverted = tally_test_devnet_rpc_result (&devnet, url (), "evm_revert", revert_params);
  g_assert_true (json_node_get_boolean (reverted));
  stake_times (ACCOUNT2, 5, 13);
  g_signal_connect (log, "rolled-back", G_CALLBACK (record_rollback), &kept);
  g_assert_true (sync_log (log, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (kept, <=, before);
  assert_logs_match_node (log);

  /* The cache dropped the orphaned logs too. */
  reopened = new_log (client, "reorg.db");
  g_assert_true (sync_log (reopened, &error));
  assert_logs_match_node (reopened);

  /* A chain shorter than what was synced (a node started afresh): all of
   * it goes. */
  g_clear_pointer (&snapshot, json_node_unref);
  snapshot = tally_test_devnet_rpc_result (&devnet, url (), "evm_snapshot", "[]");
  g_free (revert_params);
  revert_params = g_strdup_printf ("[\"%s\"]", json_node_get_string (snapshot));
  stake_times (ACCOUNT1, 2, 17);
  g_assert_true (sync_log (log, &error));
  g_clear_pointer (&reverted, json_node_unref);
  reverted = tally_test_devnet_rpc_result (&devnet, url (), "evm_revert", revert_params);
  kept = G_MAXUINT;
  g_assert_true (sync_log (log, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (kept, ==, 0);
  assert_logs_match_node (log);
}

static void
test_damaged_cache (void)
{
  g_autoptr (TallyRpcClient) client = tally_rpc_client_new (url ());
  g_autoptr (TallyMarketLog) log = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (cache_dir, "damaged.db", NULL);
  g_autofree char *garbage = g_strnfill (8192, 'x');

  g_assert_true (g_file_set_contents (path, garbage, -1, &error));
  log = new_log (client, "damaged.db");
  g_assert_true (sync_log (log, &error));
  g_assert_no_error (error);
  assert_logs_match_node (log);
}

/* Replies a node must not give: each fails the sync with a clear error and
 * leaves what was held untouched. */
static void
test_hostile_replies (void)
{
  static const struct
  {
    const char *result;
    const char *message;
  } cases[] = {
    { "{\"not\": \"an array\"}", "eth_getLogs" },
    { "[{\"address\": \"0x0000000000000000000000000000000000000001\", \"topics\": [\"0x"
      "ab"
      "00000000000000000000000000000000000000000000000000000000000000\"], "
      "\"data\": \"0x\", \"blockNumber\": \"0x1\", \"logIndex\": \"0x0\", \"transactionHash\": \"0x"
      "00000000000000000000000000000000000000000000000000000000000000"
      "01\"}]",
      "another contract" },
    { "[{\"address\": \"MARKET\", \"topics\": [], \"data\": \"0x\", \"blockNumber\": \"0x1\", "
      "\"logIndex\": \"0x0\", \"transactionHash\": \"0x0000000000000000000000000000000000000000000000000000000000000001\"}]",
      "topic" },
    { "[{\"address\": \"MARKET\", \"topics\": [\"0x0000000000000000000000000000000000000000000000000000000000000001\"], "
      "\"data\": \"0x\", \"blockNumber\": \"0xffffff\", \"logIndex\": \"0x0\", "
      "\"transactionHash\": \"0x0000000000000000000000000000000000000000000000000000000000000001\"}]",
      "outside" },
    { "[{\"address\": \"MARKET\", \"topics\": [\"0x01\"], \"data\": \"0x\", \"blockNumber\": \"0x1\", "
      "\"logIndex\": \"0x0\", \"transactionHash\": \"0x01\"}]",
      "eth_getLogs" },
  };
  g_autoptr (TallyFaultProxy) proxy = NULL;
  g_autoptr (TallyRpcClient) client = NULL;
  g_autoptr (GError) error = NULL;
  char market[TALLY_ADDRESS_STRING_SIZE];

  proxy = tally_fault_proxy_new (url (), &error);
  g_assert_no_error (error);
  client = tally_test_rpc_fast_client (tally_fault_proxy_get_url (proxy));
  tally_address_to_string (tally_network_profile_get_market_address (devnet.profile), market);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (TallyMarketLog) log = new_log (client, NULL);
      g_autoptr (GString) result = g_string_new (cases[i].result);
      guint added = 0;

      g_string_replace (result, "MARKET", market, 0);
      g_signal_connect (log, "logs-added", G_CALLBACK (count_added), &added);
      stake_times (ACCOUNT1, 1, 1);
      /* The head check passes; the first page's logs are replaced. */
      tally_fault_proxy_push (proxy, TALLY_FAULT_NONE, 0);
      tally_fault_proxy_push_result (proxy, result->str);
      g_assert_false (sync_log (log, &error));
      g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
      g_test_message ("case %u: %s", i, error->message);
      g_assert_nonnull (strstr (error->message, cases[i].message));
      g_assert_nonnull (tally_market_log_get_last_error (log));
      g_assert_cmpuint (added, ==, 0);
      g_assert_cmpuint (tally_market_log_get_logs (log)->len, ==, 0);
      g_assert_cmpuint (tally_market_log_get_synced_block (log), <, tally_network_profile_get_deployment_block (devnet.profile));
      g_clear_error (&error);

      /* The next sync, with an honest node, gets everything. */
      g_assert_true (sync_log (log, &error));
      g_assert_no_error (error);
      g_assert_null (tally_market_log_get_last_error (log));
      assert_logs_match_node (log);
    }
}

static void
on_following_added (TallyMarketLog *log,
                    guint           first,
                    guint           n,
                    gboolean       *seen)
{
  *seen = TRUE;
}

static void
test_follow (void)
{
  g_autoptr (TallyRpcClient) client = tally_test_rpc_fast_client (url ());
  g_autoptr (TallyMarketLog) log = new_log (client, NULL);
  gboolean seen = FALSE;
  guint    before;

  tally_rpc_client_watch_heads (client, 100);
  tally_market_log_follow (log);
  while (tally_market_log_get_synced_block (log) < head () || tally_market_log_get_syncing (log))
    g_main_context_iteration (NULL, TRUE);
  before = tally_market_log_get_logs (log)->len;
  g_signal_connect (log, "logs-added", G_CALLBACK (on_following_added), &seen);
  stake_times (ACCOUNT2, 1, 19);
  while (!seen)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (tally_market_log_get_logs (log)->len, ==, before + 1);
  tally_market_log_unfollow (log);
  tally_rpc_client_unwatch_heads (client);
}

static void
test_no_market (void)
{
  g_autoptr (TallyRpcClient) client = tally_rpc_client_new (url ());
  g_autoptr (GListModel) builtin = tally_network_profiles_builtin ();
  g_autoptr (TallyNetworkProfile) profile = g_list_model_get_item (builtin, 0);
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyMarketLog) log = NULL;

  /* No public network has a market yet (see network-list.c). */
  g_assert_false (tally_network_profile_has_market (profile));
  log = tally_market_log_new (client, profile, NULL, &error);
  g_assert_null (log);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  tally_test_devnet_init (&devnet, "tally-mlog-XXXXXX");
  tally_test_devnet_start (&devnet);
  cache_dir = g_dir_make_tmp ("tally-mlog-cache-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/core/market-log/no-market", test_no_market);
  g_test_add_func ("/core/market-log/sync-and-cache", test_sync_and_cache);
  g_test_add_func ("/core/market-log/halving", test_halving);
  g_test_add_func ("/core/market-log/damaged-cache", test_damaged_cache);
  g_test_add_func ("/core/market-log/hostile-replies", test_hostile_replies);
  g_test_add_func ("/core/market-log/follow", test_follow);
  g_test_add_func ("/core/market-log/reorg", test_reorg);

  status = g_test_run ();
  tally_test_devnet_clear (&devnet);
  {
    g_autoptr (GFile) dir = g_file_new_for_path (cache_dir);
    g_autoptr (GFileEnumerator) children = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME, 0, NULL, NULL);
    GFileInfo *info;

    while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
      {
        g_autofree char *path = g_build_filename (cache_dir, g_file_info_get_name (info), NULL);

        g_unlink (path);
        g_object_unref (info);
      }
    g_rmdir (cache_dir);
  }
  g_free (cache_dir);
  return status;
}
