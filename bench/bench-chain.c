/* bench-chain.c: what the chain engine costs, on a private tools/devnet
 *
 *   1. RPC round trips (HTTP requests) per user action: stake with a
 *      permit, join, commit, reveal, claim, each sent and waited for
 *      through TallyTxManager as the app does.
 *   2. A cold sync of 10,000 market events (Staked, 200 per block over 50
 *      blocks) by TallyMarketLog + TallyEarnings: seconds, requests, pages;
 *      the same with the cache file being written, and a warm start from it.
 *   3. The engine's memory after those 10,000 events (RSS growth of the
 *      process over the sync and fold, and the bytes the logs hold).
 *   4. A 256-item batch with boxes from the annotation model to a mined
 *      commit through TallySubmitter: seconds and requests.
 *
 *   meson test -C build --benchmark chain     (or build/bench/bench-chain)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <malloc.h>
#include <string.h>

#include "annotations.h"
#include "earnings.h"
#include "label-market.h"
#include "market-log.h"
#include "payload.h"
#include "submitter.h"
#include "tally-test-market.h"
#include "tally-test-rpc.h"
#include "wallet/hex.h"

/* LabelToken's ERC-20 name, its EIP-712 domain name. */
#define TOKEN_NAME     "Tally Label Token"
#define N_EVENTS       10000
#define EVENTS_A_BLOCK 200

static guint64
requests_of (TallyRpcClient *client)
{
  TallyRpcStats stats;

  tally_rpc_client_get_stats (client, &stats);
  return stats.requests_sent;
}

/* Sends calldata from account and waits for it, counting the requests of
 * each half. */
static void
measure_send (TallyTestMarket *market,
              const char      *action,
              guint            account,
              guint8          *calldata,
              gsize            len,
              guint64          extra_requests)
{
  g_autoptr (GBytes) data = g_bytes_new_take (calldata, len);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  TallyTxManager *manager = market->managers[account];
  guint64         start = requests_of (market->client);
  guint64         sent;
  guint8          hash[TALLY_TX_JOURNAL_HASH_LEN];

  tally_tx_manager_send_async (manager, &market->market, NULL, data, action, NULL,
                               tally_test_rpc_on_done, &result);
  if (!tally_tx_manager_send_finish (manager, tally_test_rpc_wait_for (&result), hash, &error))
    g_error ("%s: %s", action, error->message);
  sent = requests_of (market->client);
  g_clear_object (&result);
  tally_tx_manager_wait_async (manager, hash, NULL, tally_test_rpc_on_done, &result);
  receipt = tally_tx_manager_wait_finish (manager, tally_test_rpc_wait_for (&result), &error);
  if (receipt == NULL || !receipt->success)
    g_error ("%s failed: %s", action, error != NULL ? error->message : "reverted");
  g_print ("| %-18s | %8" G_GUINT64_FORMAT " | %8" G_GUINT64_FORMAT " | %8" G_GUINT64_FORMAT " | %5" G_GUINT64_FORMAT " |\n",
           action, extra_requests, sent - start, requests_of (market->client) - sent,
           extra_requests + requests_of (market->client) - start);
}

static void
bench_round_trips (TallyTestMarket *market)
{
  static const guint8 labels[4] = { 1, 2, 3, 4 };
  static const guint8 salt[32] = { 0x5a, 0x17 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GBytes) reply = NULL;
  TallyLabelTaskParams params = tally_test_market_default_params (market, 4, 2, 0);
  TallyUint256         task_id, amount, nonce, deadline;
  TallyLabelPermit     permit;
  guint8               commitment[32];
  guint8              *calldata = NULL;
  gsize                len = 0;
  guint64              start;

  g_print ("RPC round trips per user action (HTTP requests; anvil mines at once, receipts polled every 20 ms)\n\n");
  g_print ("| %-18s | %8s | %8s | %8s | %5s |\n", "action", "prepare", "send", "wait", "total");
  g_print ("|%s|%s|%s|%s|%s|\n", "--------------------", "----------", "----------", "----------", "-------");

  /* Stake with a permit: the permit nonce (one eth_call), a signature,
   * one transaction. */
  task_id = tally_test_market_create_task (market, TALLY_TEST_MARKET_REQUESTER, &params, "ipfs://bench");
  g_assert_true (tally_uint256_mul_uint64 (&amount, &params.stake_per_item, params.item_count));
  start = requests_of (market->client);
  g_assert_true (tally_label_token_encode_nonces (&calldata, &len, &market->accounts[1], &error));
  reply = tally_test_market_call (market, &market->token, calldata, len);
  g_assert_true (tally_label_token_decode_nonces (&nonce, g_bytes_get_data (reply, NULL),
                                                  g_bytes_get_size (reply), &error));
  tally_uint256_from_uint64 (&deadline, tally_test_market_now (market) + 3600);
  tally_label_token_sign_permit_async (market->signers[1], TOKEN_NAME, market->chain_id, &market->token,
                                       &market->market, &amount, &nonce, &deadline, NULL,
                                       tally_test_rpc_on_done, &result);
  g_assert_true (tally_label_token_sign_permit_finish (market->signers[1], tally_test_rpc_wait_for (&result),
                                                       &permit, &error));
  g_assert_true (tally_label_market_encode_stake_with_permit (&calldata, &len, &amount, &deadline,
                                                              &permit, &error));
  measure_send (market, "stake (permit)", 1, calldata, len, requests_of (market->client) - start);

  g_assert_true (tally_label_market_encode_join (&calldata, &len, &task_id, NULL, 0, &error));
  measure_send (market, "join", 1, calldata, len, 0);

  /* The commitment is computed locally: no round trip. */
  tally_label_market_commitment (commitment, market->chain_id, &market->market, &task_id,
                                 &market->accounts[1], labels, sizeof labels, NULL, 0, salt);
  g_assert_true (tally_label_market_encode_commit (&calldata, &len, &task_id, commitment, &error));
  measure_send (market, "commit", 1, calldata, len, 0);

  /* A second annotator agrees, so there is a reward to claim. */
  tally_test_market_stake (market, 2, &amount);
  g_assert_true (tally_label_market_encode_join (&calldata, &len, &task_id, NULL, 0, &error));
  tally_rpc_receipt_free (tally_test_market_send (market, 2, &market->market, calldata, len));
  tally_label_market_commitment (commitment, market->chain_id, &market->market, &task_id,
                                 &market->accounts[2], labels, sizeof labels, NULL, 0, salt);
  g_assert_true (tally_label_market_encode_commit (&calldata, &len, &task_id, commitment, &error));
  tally_rpc_receipt_free (tally_test_market_send (market, 2, &market->market, calldata, len));

  tally_test_market_advance_to (market, params.commit_deadline + 1);
  g_assert_true (tally_label_market_encode_reveal (&calldata, &len, &task_id, labels, sizeof labels,
                                                   NULL, 0, salt, &error));
  measure_send (market, "reveal", 1, calldata, len, 0);
  g_assert_true (tally_label_market_encode_reveal (&calldata, &len, &task_id, labels, sizeof labels,
                                                   NULL, 0, salt, &error));
  tally_rpc_receipt_free (tally_test_market_send (market, 2, &market->market, calldata, len));

  tally_test_market_advance_to (market, params.review_reveal_deadline + 1);
  {
    g_autoptr (GBytes) first = g_bytes_new_static (labels, sizeof labels);
    GBytes *all[2] = { first, first };

    g_assert_true (tally_label_market_encode_finalize (&calldata, &len, &task_id, all, 2, NULL, NULL, 0,
                                                       NULL, 0, &error));
    g_assert_no_error (error);
  }
  tally_rpc_receipt_free (tally_test_market_send (market, TALLY_TEST_MARKET_REQUESTER, &market->market, calldata, len));
  g_assert_true (tally_label_market_encode_claim (&calldata, &len, &error));
  measure_send (market, "claim", 1, calldata, len, 0);
  g_print ("\nsend = one batch of nonce, fees (eth_feeHistory) and gas (eth_estimateGas), then the broadcast; "
           "wait = receipt polls. On a chain with 12 s blocks and the default 1 s poll, wait is about 6 to 12.\n\n");
}

/* Sends EVENTS_A_BLOCK stake(1) transactions from the demo accounts in one
 * JSON-RPC batch, then mines them into one block. */
static void
spam_block (TallyTestMarket *market,
            guint            round,
            guint64          nonces[TALLY_TEST_MARKET_N_ACCOUNTS])
{
  g_autoptr (TallyRpcBatch) batch = tally_rpc_batch_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *calldata = NULL;
  g_autofree char   *data = NULL;
  g_autofree char   *to = tally_hex_encode (market->market.bytes, 20);
  TallyUint256       one;
  gsize              len = 0;

  tally_uint256_from_uint64 (&one, 1);
  g_assert_true (tally_label_market_encode_stake (&calldata, &len, &one, &error));
  data = tally_hex_encode (calldata, len);
  for (guint i = 0; i < EVENTS_A_BLOCK; i++)
    {
      guint            account = 1 + (round * EVENTS_A_BLOCK + i) % 4;
      g_autofree char *from = tally_hex_encode (market->accounts[account].bytes, 20);
      g_autofree char *nonce = g_strdup_printf ("0x%" G_GINT64_MODIFIER "x", nonces[account]++);
      JsonObject      *tx = json_object_new ();
      JsonArray       *params = json_array_new ();
      JsonNode        *node = json_node_new (JSON_NODE_ARRAY);

      json_object_set_string_member (tx, "from", from);
      json_object_set_string_member (tx, "to", to);
      json_object_set_string_member (tx, "data", data);
      json_object_set_string_member (tx, "gas", "0x20000");
      /* anvil numbers unmined transactions from the mined count: say it. */
      json_object_set_string_member (tx, "nonce", nonce);
      json_array_add_object_element (params, tx);
      json_node_take_array (node, params);
      tally_rpc_batch_add (batch, "eth_sendTransaction", node);
    }
  tally_rpc_batch_add (batch, "evm_mine", NULL);
  tally_rpc_client_batch_async (market->client, batch, 60000, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (tally_rpc_client_batch_finish (market->client, tally_test_rpc_wait_for (&result), &error));
  g_assert_no_error (error);
  for (guint i = 0; i <= EVENTS_A_BLOCK; i++)
    {
      g_autoptr (JsonNode) reply = tally_rpc_batch_dup_result (batch, i, &error);

      g_assert_no_error (error);
      g_assert_nonnull (reply);
    }
}

static void
set_automine (TallyTestMarket *market,
              gboolean         on)
{
  g_autofree char *params = g_strdup_printf ("[%s]", on ? "true" : "false");
  g_autoptr (JsonNode) reply = tally_test_devnet_rpc_result (&market->devnet, tally_rpc_client_get_url (market->client),
                                                             "evm_setAutomine", params);
}

/* A /proc/self/status figure ("VmRSS:", "VmHWM:") in bytes. */
static gsize
status_bytes (const char *field)
{
  g_autofree char *status = NULL;
  const char      *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, field)) == NULL)
    return 0;
  return (gsize) g_ascii_strtoull (line + strlen (field), NULL, 10) * 1024;
}

/* Heap bytes in use: what live objects hold, not what malloc keeps
 * around for later. */
static gsize
heap_in_use (void)
{
  struct mallinfo2 info;

  /* Objects of the last run may still wait for an idle to drop them. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  info = mallinfo2 ();
  return info.uordblks + info.hblkhd;
}

static gsize
log_bytes (TallyMarketLog *log)
{
  GPtrArray *logs = tally_market_log_get_logs (log);
  gsize      bytes = logs->len * sizeof (gpointer);

  for (guint i = 0; i < logs->len; i++)
    {
      const TallyRpcLog *entry = g_ptr_array_index (logs, i);

      bytes += sizeof *entry + entry->n_topics * 32 + g_bytes_get_size (entry->data);
    }
  return bytes;
}

typedef struct
{
  double  seconds;
  guint64 requests;
  guint64 pages;
  guint   logs;
  gsize   kept; /* heap the log and the books hold after the sync */
  gsize   peak; /* the process's peak RSS after it */
} Sync;

static Sync
timed_sync (TallyTestMarket *market,
            const char      *cache_path,
            TallyMarketLog **kept)
{
  g_autoptr (TallyRpcClient) client = tally_rpc_client_new (tally_rpc_client_get_url (market->client));
  g_autoptr (TallyMarketLog) log = NULL;
  g_autoptr (TallyEarnings) earnings = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  gsize  heap_before = heap_in_use ();
  gint64 start = g_get_monotonic_time ();
  Sync   sync = { 0 };

  log = tally_market_log_new (client, market->devnet.profile, cache_path, &error);
  g_assert_no_error (error);
  earnings = tally_earnings_new (log, &market->accounts[1]);
  tally_market_log_sync_async (log, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (tally_market_log_sync_finish (log, tally_test_rpc_wait_for (&result), &error));
  g_assert_no_error (error);
  sync.seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  /* The books refresh the wallet's balances after each sync: let that
   * finish, so nothing of this run outlives it. */
  while (tally_earnings_get_token_balance (earnings) == NULL)
    g_main_context_iteration (NULL, TRUE);
  sync.requests = requests_of (client);
  tally_market_log_get_stats (log, &sync.pages, NULL);
  sync.logs = tally_market_log_get_logs (log)->len;
  sync.peak = status_bytes ("VmHWM:");
  sync.kept = heap_in_use () - MIN (heap_before, heap_in_use ());
  if (g_list_model_get_n_items (G_LIST_MODEL (earnings)) < N_EVENTS / 4)
    g_error ("the books of account 1 hold %u entries, fewer than its %u deposits",
             g_list_model_get_n_items (G_LIST_MODEL (earnings)), N_EVENTS / 4);
  if (kept != NULL)
    *kept = g_object_ref (log);
  return sync;
}

static void
bench_sync (TallyTestMarket *market)
{
  g_autofree char *dir = g_dir_make_tmp ("tally-bench-cache-XXXXXX", NULL);
  g_autofree char *cache = g_build_filename (dir, "events.db", NULL);
  g_autoptr (TallyMarketLog) held = NULL;
  TallyUint256 all;
  guint64      nonces[TALLY_TEST_MARKET_N_ACCOUNTS] = { 0 };
  gint64       start = g_get_monotonic_time ();
  Sync         cold, cached, warm;

  memset (&all, 0xff, sizeof all);
  for (guint a = 1; a <= 4; a++)
    {
      guint8 *calldata = NULL;
      gsize   len = 0;

      g_assert_true (tally_label_token_encode_approve (&calldata, &len, &market->market, &all, NULL));
      tally_rpc_receipt_free (tally_test_market_send (market, a, &market->token, calldata, len));
    }
  for (guint a = 1; a <= 4; a++)
    {
      g_autofree char *account = tally_hex_encode (market->accounts[a].bytes, 20);

      nonces[a] = tally_test_rpc_nonce_of (market->client, account);
    }
  set_automine (market, FALSE);
  for (guint round = 0; round < N_EVENTS / EVENTS_A_BLOCK; round++)
    spam_block (market, round, nonces);
  /* Whatever did not fit its block waits in the pool: mine it too. */
  for (;;)
    {
      g_autoptr (JsonNode) status = tally_test_devnet_rpc_result (&market->devnet, tally_rpc_client_get_url (market->client),
                                                                  "txpool_status", "[]");
      const char *pending = json_object_get_string_member (json_node_get_object (status), "pending");
      g_autoptr (JsonNode) mined = NULL;

      if (g_ascii_strtoull (pending, NULL, 16) == 0)
        break;
      mined = tally_test_devnet_rpc_result (&market->devnet, tally_rpc_client_get_url (market->client), "evm_mine", "[]");
    }
  set_automine (market, TRUE);
  g_print ("%u Staked events in %u blocks generated in %.1f s\n\n", N_EVENTS, N_EVENTS / EVENTS_A_BLOCK,
           (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC);

  /* A first sync pays for what a process sets up once (the ABI, GIO's
   * and libsoup's types, the thread pool): run and thrown away. */
  g_clear_object (&held);
  (void) timed_sync (market, NULL, NULL);
  cold = timed_sync (market, NULL, &held);
  cached = timed_sync (market, cache, NULL);
  warm = timed_sync (market, cache, NULL);

  g_print ("Sync of the market's events by TallyMarketLog + TallyEarnings (one account)\n\n");
  g_print ("| %-28s | %8s | %8s | %6s | %7s |\n", "", "seconds", "requests", "pages", "logs");
  g_print ("|------------------------------|----------|----------|--------|---------|\n");
  g_print ("| %-28s | %8.3f | %8" G_GUINT64_FORMAT " | %6" G_GUINT64_FORMAT " | %7u |\n", "cold, in memory", cold.seconds, cold.requests, cold.pages, cold.logs);
  g_print ("| %-28s | %8.3f | %8" G_GUINT64_FORMAT " | %6" G_GUINT64_FORMAT " | %7u |\n", "cold, writing the cache", cached.seconds, cached.requests, cached.pages, cached.logs);
  g_print ("| %-28s | %8.3f | %8" G_GUINT64_FORMAT " | %6" G_GUINT64_FORMAT " | %7u |\n", "warm start from the cache", warm.seconds, warm.requests, warm.pages, warm.logs);
  g_print ("\nEngine memory after %u events: %.1f MiB of heap held by the log and one account's "
           "books (mallinfo2), of which the logs' own bytes are %.1f MiB; peak RSS of the process %.1f MiB\n",
           cold.logs, cold.kept / 1048576.0, log_bytes (held) / 1048576.0, cold.peak / 1048576.0);
  g_print ("cold sync of %u market events: %.3f s, %" G_GUINT64_FORMAT " requests\n", cold.logs, cold.seconds, cold.requests);

  g_unlink (cache);
  {
    g_autofree char *wal = g_strconcat (cache, "-wal", NULL);
    g_autofree char *shm = g_strconcat (cache, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }
  g_rmdir (dir);
}

/* A 256-item batch with two boxes an item, from the annotation model to a
 * mined commit through TallySubmitter (join included), as the app does. */
static void
bench_batch (TallyTestMarket *market)
{
  g_autoptr (TallyAnnotations) annotations = tally_annotations_new (256, 4);
  g_autoptr (GBytes) labels = NULL;
  g_autoptr (GBytes) payload = NULL;
  g_autoptr (TallyRpcClient) client = tally_rpc_client_new (tally_rpc_client_get_url (market->client));
  g_autoptr (TallyMarketLog) log = NULL;
  g_autoptr (TallyTaskList) tasks = NULL;
  g_autoptr (TallyStore) store = NULL;
  g_autoptr (TallyTxJournal) journal = NULL;
  g_autoptr (TallyTxManager) manager = NULL;
  g_autoptr (TallySubmitter) submitter = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char     *dir = g_dir_make_tmp ("tally-bench-batch-XXXXXX", NULL);
  g_autofree char     *store_path = g_build_filename (dir, "tally.db", NULL);
  g_autofree char     *journal_path = g_build_filename (dir, "journal.db", NULL);
  TallyLabelTaskParams params = tally_test_market_default_params (market, 256, 2, 0);
  TallyUint256         task_id, lock;
  gint64               start;
  guint64              requests;

  for (guint i = 0; i < 256; i++)
    {
      TallyBox first = { 1 + i % 4, 10, 20, 30, 40 };
      TallyBox second = { 1 + (i + 1) % 4, 100, 120, 64, 48 };

      g_assert_true (tally_annotations_set_image_size (annotations, i, 640, 480, &error));
      g_assert_true (tally_annotations_set_label (annotations, i, 1 + i % 4, &error));
      g_assert_true (tally_annotations_add_box (annotations, i, &first, NULL, &error));
      g_assert_true (tally_annotations_add_box (annotations, i, &second, NULL, &error));
    }
  start = g_get_monotonic_time ();
  labels = tally_annotations_dup_labels (annotations);
  payload = tally_payload_encode (annotations);
  g_print ("256-item batch, two boxes an item: labels %" G_GSIZE_FORMAT " bytes, payload %" G_GSIZE_FORMAT
           " bytes, encoded in %.2f ms\n",
           g_bytes_get_size (labels), g_bytes_get_size (payload),
           (double) (g_get_monotonic_time () - start) / 1000.0);

  g_assert_true (tally_uint256_mul_uint64 (&lock, &params.stake_per_item, 256));
  tally_test_market_stake (market, 3, &lock);
  task_id = tally_test_market_create_task (market, TALLY_TEST_MARKET_REQUESTER, &params, "ipfs://batch");
  log = tally_market_log_new (client, market->devnet.profile, NULL, &error);
  g_assert_no_error (error);
  tasks = tally_task_list_new (log);
  store = tally_store_open (store_path, &error);
  g_assert_no_error (error);
  journal = tally_tx_journal_open (journal_path, &error);
  g_assert_no_error (error);
  manager = tally_tx_manager_new (client, market->signers[3], journal, market->chain_id);
  tally_tx_manager_set_poll_interval (manager, 20);
  submitter = tally_submitter_new (store, tasks, manager);

  start = g_get_monotonic_time ();
  tally_submitter_submit_async (submitter, &task_id, labels, payload, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (tally_submitter_submit_finish (submitter, tally_test_rpc_wait_for (&result), &error));
  g_assert_no_error (error);
  requests = requests_of (client);
  g_print ("submit to committed (event sync, join, salt, store, commit, both mined): %.3f s, %" G_GUINT64_FORMAT
           " requests\n\n",
           (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC, requests);
  g_clear_object (&submitter);
  g_clear_object (&store);
  g_clear_object (&manager);
  g_clear_object (&journal);
  g_unlink (store_path);
  g_unlink (journal_path);
  {
    g_autofree char *wal = g_strconcat (store_path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (store_path, "-shm", NULL);
    g_autofree char *jwal = g_strconcat (journal_path, "-wal", NULL);
    g_autofree char *jshm = g_strconcat (journal_path, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
    g_unlink (jwal);
    g_unlink (jshm);
  }
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  TallyTestMarket market = { 0 };

  if (g_getenv ("TALLY_SOURCE_DIR") == NULL)
    {
      g_printerr ("bench-chain needs TALLY_SOURCE_DIR and TALLY_TOOLS_BIN: run it with meson test --benchmark chain\n");
      return 1;
    }
  tally_test_market_init (&market, "tally-bench-chain-XXXXXX");
  bench_round_trips (&market);
  bench_batch (&market);
  bench_sync (&market);
  tally_test_market_clear (&market);
  return 0;
}
