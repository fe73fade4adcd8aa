/* test-cli-private.c: a private task end to end through tally-cli, each
 * account a real child with its own key and XDG folders, against
 * tools/devnet, with task keys in a real keyring (run under
 * tests/keyring-harness): dataset encrypt, the items served over HTTP,
 * join, the requester's run granting the key, fetch, the key opened by the
 * annotator's engine (and a wrong grant refused), submit, reveal, settle
 * and claim to the wei; an account without a seat gets no grant, and no
 * plaintext of the dataset lands in any child's data or cache folder.
 * Also the key server alone: every seat granted once through run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "core-error.h"
#include "item-cache.h"
#include "item-cipher.h"
#include "item-opener.h"
#include "label-market.h"
#include "manifest.h"
#include "market-log.h"
#include "store.h"
#include "submitter.h"
#include "task-key.h"
#include "task-list.h"
#include "tally-test-cli.h"
#include "tally-test-rpc.h"
#include "wallet/ecies.h"
#include "wallet/hex.h"
#include "wallet/keccak.h"

#define N_ITEMS     2
#define ITEM_MARKER "cli-private-marker"

/* anvil's "test ... junk" keys of accounts 1..4: public, test only. */
static const char *const annotator_keys[] = {
  NULL,
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
};

static void
join (TallyTestMarket    *market,
      guint               account,
      const TallyUint256 *task_id)
{
  g_autoptr (GError) error = NULL;
  TallyUint256 amount;
  guint8       key[TALLY_PRIVATE_KEY_LEN];
  guint8       public_key[TALLY_PUBLIC_KEY_LEN];
  guint8      *calldata = NULL;
  gsize        len = 0;

  g_assert_true (tally_hex_decode_fixed (key, sizeof key, annotator_keys[account], -1, &error));
  g_assert_true (tally_public_key_from_private (public_key, key, &error));
  g_assert_no_error (error);
  g_assert_true (tally_uint256_parse (&amount, "20000000000000000000", NULL));
  tally_test_market_stake (market, account, &amount);
  g_assert_true (tally_label_market_encode_join (&calldata, &len, task_id, public_key,
                                                 sizeof public_key, &error));
  g_assert_no_error (error);
  tally_rpc_receipt_free (tally_test_market_send (market, account, &market->market, calldata, len));
}

/* The grant the chain's events hold for account opens, with its key, to
 * the key whose hash is key_hash; NULL: there is none. */
static void
assert_grant (TallyTestMarket    *market,
              const TallyUint256 *task_id,
              guint               account,
              const guint8       *key_hash)
{
  g_autoptr (TallyRpcClient) client = tally_test_rpc_fast_client (tally_rpc_client_get_url (market->client));
  g_autoptr (TallyMarketLog) log = NULL;
  g_autoptr (TallyTaskList) tasks = NULL;
  g_autoptr (GBytes) sealed = NULL;
  g_autoptr (GError) error = NULL;
  GAsyncResult *result = NULL;
  TallyTask    *task;
  guint8        key[TALLY_PRIVATE_KEY_LEN];
  guint8        opened[TALLY_TASK_KEY_LEN];
  guint8        opened_hash[32];

  log = tally_market_log_new (client, market->devnet.profile, NULL, &error);
  g_assert_no_error (error);
  tasks = tally_task_list_new (log);
  tally_market_log_sync_async (log, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (tally_market_log_sync_finish (log, tally_test_rpc_wait_for (&result), &error));
  g_assert_no_error (error);
  task = tally_task_list_lookup (tasks, task_id);
  g_assert_nonnull (task);
  sealed = tally_task_get_sealed_key (task, &market->accounts[account]);
  if (key_hash == NULL)
    {
      g_assert_null (sealed);
      return;
    }
  g_assert_nonnull (sealed);
  g_assert_true (tally_hex_decode_fixed (key, sizeof key, annotator_keys[account], -1, &error));
  g_assert_true (tally_ecies_open (opened, key, g_bytes_get_data (sealed, NULL),
                                   g_bytes_get_size (sealed), &error));
  g_assert_no_error (error);
  tally_task_key_hash (opened_hash, opened);
  g_assert_cmpmem (opened_hash, sizeof opened_hash, key_hash, 32);
}

/* An annotator's engine opening the key it was granted, as the app does
 * before it shows an item; the key, or NULL and the error. */
static GBytes *
open_task_key (TallyTestCli       *f,
               guint               account,
               const TallyUint256 *task_id,
               GError            **error)
{
  g_autoptr (TallyRpcClient) client = tally_test_rpc_fast_client (tally_rpc_client_get_url (f->market.client));
  g_autofree char *path = g_strdup_printf ("%s/engine-%u.db", f->market.devnet.dir, account);
  g_autoptr (TallyMarketLog) log = NULL;
  g_autoptr (TallyTaskList) tasks = NULL;
  g_autoptr (TallyStore) store = NULL;
  g_autoptr (TallySubmitter) submitter = NULL;
  g_autoptr (GError) local_error = NULL;
  GAsyncResult *result = NULL;
  GBytes       *key;

  log = tally_market_log_new (client, f->market.devnet.profile, NULL, &local_error);
  g_assert_no_error (local_error);
  store = tally_store_open (path, &local_error);
  g_assert_no_error (local_error);
  tasks = tally_task_list_new (log);
  submitter = tally_submitter_new (store, tasks, f->market.managers[account]);
  tally_submitter_open_task_key_async (submitter, task_id, NULL, tally_test_rpc_on_done, &result);
  key = tally_submitter_open_task_key_finish (submitter, tally_test_rpc_wait_for (&result), error);
  return key;
}

/* No file under dir holds the marker. */
static void
assert_no_marker (const char *dir)
{
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  if (listing == NULL)
    return;
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize            len = 0;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        assert_no_marker (path);
      else if (g_file_test (path, G_FILE_TEST_IS_REGULAR) &&
               g_file_get_contents (path, &contents, &len, NULL))
        g_assert_null (g_strstr_len (contents, len, ITEM_MARKER));
    }
}

/* tally-cli as account (its own key file and XDG folders under the
 * fixture's home), by swapping them into the fixture for one run. */
static void
run_as (TallyTestCli       *f,
        guint               account,
        TallyTestCliResult *result,
        const char *const  *args)
{
  g_autofree char *dir = g_strdup_printf ("%s/account-%u", f->home, account);
  g_autofree char *key_file = g_build_filename (dir, "key", NULL);
  g_autofree char *data_home = g_build_filename (dir, "data", NULL);
  g_autofree char *cache_home = g_build_filename (dir, "cache", NULL);
  char            *saved[3] = { f->key_file, f->data_home, f->cache_home };
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (key_file, annotator_keys[account], -1, &error));
  g_assert_no_error (error);
  f->key_file = key_file;
  f->data_home = data_home;
  f->cache_home = cache_home;
  tally_test_cli_run (f, result, args);
  f->key_file = saved[0];
  f->data_home = saved[1];
  f->cache_home = saved[2];
  g_test_message ("account %u: %s → %d\n%s%s", account, args[0], result->status, result->out,
                  result->err);
}

static void
run_as_ok (TallyTestCli      *f,
           guint              account,
           const char *const *args)
{
  g_auto (TallyTestCliResult) result = { 0 };

  run_as (f, account, &result, args);
  g_assert_cmpint (result.status, ==, 0);
}

/* Serves the files of the directory user_data names. */
static void
serve_file (SoupServer        *server,
            SoupServerMessage *message,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  g_autofree char *file = g_build_filename (user_data, path, NULL);
  g_autofree char *contents = NULL;
  gsize            len = 0;

  if (strstr (path, "..") != NULL || !g_file_get_contents (file, &contents, &len, NULL))
    {
      soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "application/octet-stream", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&contents), len);
}

static void
test_end_to_end (TallyTestCli *f,
                 gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr (GBytes) manifest_bytes = NULL;
  g_autoptr (TallyManifest) manifest = NULL;
  g_autofree char     *in = g_build_filename (f->market.devnet.dir, "in", NULL);
  g_autofree char     *out = g_build_filename (f->market.devnet.dir, "out", NULL);
  g_autofree char     *manifest_path = g_build_filename (out, "manifest.json", NULL);
  g_autofree char     *labels_path = g_build_filename (f->home, "labels.txt", NULL);
  g_autofree char     *base = NULL;
  g_autofree char     *manifest_uri = NULL;
  g_autofree char     *id = NULL;
  g_autofree char     *contents = NULL;
  GSList              *uris;
  gsize                len = 0;
  TallyLabelTaskParams params = tally_test_market_default_params (&f->market, N_ITEMS, 3, 0);
  TallyUint256         task_id, amount, before[5], after, expected;
  TallyLabelStake      stake_before, stake_after;
  guint8              *calldata = NULL;
  gsize                calldata_len = 0;

  /* The requester's folder, encrypted by tally-cli and published. */
  g_assert_cmpint (g_mkdir_with_parents (in, 0700), ==, 0);
  for (guint i = 0; i < N_ITEMS; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s/text-%u.txt", in, i);
      g_autofree char *text = g_strdup_printf ("%s %u: is this a cat?", ITEM_MARKER, i);

      g_assert_true (g_file_set_contents (name, text, -1, &error));
      g_assert_no_error (error);
    }
  soup_server_add_handler (server, NULL, (SoupServerCallback) serve_file, out, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  base = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  {
    const char *const encrypt[] = { "dataset", "encrypt", "--in", in, "--out", out, "--base-uri",
                                    base, "--classes", "Cat,Dog", NULL };

    run_as_ok (f, 1, encrypt);
  }
  g_assert_true (g_file_get_contents (manifest_path, &contents, &len, &error));
  g_assert_no_error (error);
  g_assert_null (g_strstr_len (contents, len, ITEM_MARKER));
  manifest_bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
  manifest = tally_manifest_new_from_bytes (manifest_bytes, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (tally_manifest_is_encrypted (manifest));

  /* The task, with account 1 as requester and key server. tally-cli task
   * create cannot name a key server yet, so the test creates it. */
  tally_keccak256 (params.manifest_hash, g_bytes_get_data (manifest_bytes, NULL), len);
  params.class_count = 2;
  params.has_key_server = TRUE;
  params.key_server = f->market.accounts[1];
  manifest_uri = g_strconcat (base, "manifest.json", NULL);
  task_id = tally_test_market_create_task (&f->market, 1, &params, manifest_uri);
  id = tally_uint256_to_decimal (&task_id);
  g_assert_true (tally_uint256_parse (&amount, "20000000000000000000", NULL));
  for (guint a = 2; a <= 4; a++)
    {
      tally_test_market_stake (&f->market, a, &amount);
      before[a] = tally_test_market_balance_of (&f->market, a);
    }
  stake_before = tally_test_market_stake_of (&f->market, 4);

  /* Two annotators join; the requester's run grants them the key. */
  {
    const char *const join_args[] = { "join", id, NULL };
    const char *const run_once[] = { "run", "--once", NULL };
    g_auto (TallyTestCliResult) granted = { 0 };

    run_as_ok (f, 2, join_args);
    run_as_ok (f, 3, join_args);
    run_as (f, 1, &granted, run_once);
    g_assert_cmpint (granted.status, ==, 0);
    for (guint a = 2; a <= 3; a++)
      {
        char             address[TALLY_ADDRESS_STRING_SIZE];
        g_autofree char *line = NULL;

        tally_address_to_string (&f->market.accounts[a], address);
        line = g_strdup_printf ("Granted the key of task %s to %s\n", id, address);
        g_assert_nonnull (strstr (granted.out, line));
        assert_grant (&f->market, &task_id, a, tally_manifest_get_key_hash (manifest));
      }
    /* Account 0 holds no seat: no grant. */
    assert_grant (&f->market, &task_id, 0, NULL);
  }

  /* A third annotator gets a grant that is not the task key: its engine
   * says so, and the key server does not grant it again. */
  {
    const char *const join_args[] = { "join", id, NULL };
    const char *const run_once[] = { "run", "--once", NULL };
    g_auto (TallyTestCliResult) again = { 0 };
    static const char garbage[] = "not a sealed key";

    run_as_ok (f, 4, join_args);
    g_assert_true (tally_label_market_encode_grant_key (&calldata, &calldata_len, &task_id,
                                                        &f->market.accounts[4],
                                                        (const guint8 *) garbage,
                                                        sizeof garbage, &error));
    g_assert_no_error (error);
    tally_rpc_receipt_free (
      tally_test_market_send (&f->market, 1, &f->market.market, calldata, calldata_len));
    g_assert_null (open_task_key (f, 4, &task_id, &error));
    g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_KEY);
    g_assert_nonnull (strstr (error->message, "does not open"));
    g_clear_error (&error);
    run_as (f, 1, &again, run_once);
    g_assert_cmpint (again.status, ==, 0);
    g_assert_null (strstr (again.out, "Granted"));
  }

  /* The two annotators open the key, fetch, label, commit, reveal and
   * settle; their rewards are claimed to the wei. */
  {
    const char *const fetch_args[] = { "fetch", id, NULL };
    const char *const run_once[] = { "run", "--once", NULL };
    const char *const submit_args[] = { "submit", id, "--labels", labels_path, NULL };

    g_assert_true (g_file_set_contents (labels_path, "1 2\n", -1, &error));
    g_assert_no_error (error);
    for (guint a = 2; a <= 3; a++)
      {
        g_autofree char *cache_dir = g_strdup_printf ("%s/account-%u/cache/tally/items", f->home, a);
        g_autoptr (TallyItemCache) cache = tally_item_cache_new (cache_dir, 0);
        g_autoptr (TallyItemFetcher) fetcher = tally_item_fetcher_new (cache);
        g_autoptr (TallyItemOpener) opener = NULL;
        g_autoptr (GBytes) key = NULL;
        guint8 hash[32];

        /* The items fetched stay sealed; the granted key opens them, in
         * memory, from the cache as the annotator's view does. */
        run_as_ok (f, a, fetch_args);
        key = open_task_key (f, a, &task_id, &error);
        g_assert_no_error (error);
        g_assert_cmpuint (g_bytes_get_size (key), ==, TALLY_TASK_KEY_LEN);
        tally_task_key_hash (hash, g_bytes_get_data (key, NULL));
        g_assert_cmpmem (hash, sizeof hash, tally_manifest_get_key_hash (manifest), 32);
        opener = tally_item_opener_new (fetcher, g_bytes_get_data (key, NULL));
        for (guint i = 0; i < N_ITEMS; i++)
          {
            const TallyManifestItem *item = tally_manifest_get_item (manifest, i);
            g_autofree char         *path = tally_item_cache_get_path (cache, item->sha256);
            GAsyncResult            *result = NULL;
            g_autoptr (GBytes) plain = NULL;

            g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
            tally_item_opener_open_async (opener, item->id, item->uri, item->sha256, item->size,
                                          G_PRIORITY_DEFAULT, NULL, tally_test_rpc_on_done, &result);
            plain = tally_item_opener_open_finish (opener, tally_test_rpc_wait_for (&result), &error);
            g_object_unref (result);
            g_assert_no_error (error);
            g_assert_nonnull (g_strstr_len (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain),
                                            ITEM_MARKER));
          }
        run_as_ok (f, a, run_once);
        run_as_ok (f, a, submit_args);
      }
    tally_test_market_advance_to (&f->market, params.commit_deadline + 1);
    for (guint a = 2; a <= 3; a++)
      run_as_ok (f, a, run_once);
    tally_test_market_advance_to (&f->market, params.review_reveal_deadline + 1);
    for (guint a = 2; a <= 3; a++)
      {
        run_as_ok (f, a, run_once);
        run_as_ok (f, a, run_once);
      }
  }
  tally_uint256_from_uint64 (&expected, N_ITEMS);
  g_assert_true (tally_uint256_mul (&expected, &expected, &params.reward_per_label));
  for (guint a = 2; a <= 3; a++)
    {
      after = tally_test_market_balance_of (&f->market, a);
      g_assert_true (tally_uint256_sub (&after, &after, &before[a]));
      g_assert_cmpint (tally_uint256_cmp (&after, &expected), ==, 0);
    }

  /* The third annotator never committed: its whole lock is slashed. */
  stake_after = tally_test_market_stake_of (&f->market, 4);
  tally_uint256_from_uint64 (&expected, N_ITEMS);
  g_assert_true (tally_uint256_mul (&expected, &expected, &params.stake_per_item));
  g_assert_true (tally_uint256_sub (&after, &stake_before.total, &stake_after.total));
  g_assert_cmpint (tally_uint256_cmp (&after, &expected), ==, 0);
  g_assert_true (tally_uint256_is_zero (&stake_after.locked));

  /* Nothing of the plaintext in any child's data or cache folder. */
  assert_no_marker (f->home);
}

static void
test_key_server (TallyTestCli *f,
                 gconstpointer data)
{
  static const char *const run_once[] = { "run", "--once", NULL };
  g_auto (TallyTestCliResult) first = { 0 };
  g_auto (TallyTestCliResult) second = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char     *dir = g_build_filename (f->market.devnet.dir, "dataset", NULL);
  g_autofree char     *uri = NULL;
  g_autofree char     *id = NULL;
  TallyLabelTaskParams params = tally_test_market_default_params (&f->market, N_ITEMS, 2, 0);
  const TallyAddress  *server = &f->market.accounts[TALLY_TEST_CLI_ACCOUNT];
  guint8               key[TALLY_TASK_KEY_LEN], key_hash[32];
  TallyUint256         task_id;

  /* The requester (tally-cli's account) keeps the key in the keyring. */
  g_assert_true (tally_task_key_generate (key, &error));
  g_assert_no_error (error);
  tally_task_key_hash (key_hash, key);
  g_assert_true (tally_task_key_store_sync (server, key_hash, key, NULL, &error));
  g_assert_no_error (error);
  uri = tally_test_market_write_private_dataset (dir, key, N_ITEMS, ITEM_MARKER, params.manifest_hash);
  params.has_key_server = TRUE;
  params.key_server = *server;
  task_id = tally_test_market_create_task (&f->market, TALLY_TEST_CLI_ACCOUNT, &params, uri);
  id = tally_uint256_to_decimal (&task_id);
  join (&f->market, 2, &task_id);
  join (&f->market, 3, &task_id);

  tally_test_cli_run_ok (f, &first, run_once);
  for (guint a = 2; a <= 3; a++)
    {
      char             address[TALLY_ADDRESS_STRING_SIZE];
      g_autofree char *line = NULL;

      tally_address_to_string (&f->market.accounts[a], address);
      line = g_strdup_printf ("Granted the key of task %s to %s\n", id, address);
      g_assert_nonnull (strstr (first.out, line));
      assert_grant (&f->market, &task_id, a, key_hash);
    }
  /* Account 4 holds no seat: nothing for it. */
  assert_grant (&f->market, &task_id, 4, NULL);

  /* Nothing is granted twice. */
  tally_test_cli_run_ok (f, &second, run_once);
  g_assert_null (strstr (second.out, "Granted"));

  assert_no_marker (f->data_home);
  assert_no_marker (f->cache_home);
}

/* task create of a private dataset names a key server: by default the
 * requester itself, refused while its keyring lacks the key. */
static void
test_task_create (TallyTestCli *f,
                  gconstpointer data)
{
  g_auto (TallyTestCliResult) missing = { 0 };
  g_auto (TallyTestCliResult) bad = { 0 };
  g_auto (TallyTestCliResult) created = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char    *dir = g_build_filename (f->market.devnet.dir, "create", NULL);
  g_autofree char    *uri = NULL;
  const TallyAddress *requester = &f->market.accounts[TALLY_TEST_CLI_ACCOUNT];
  guint8              key[TALLY_TASK_KEY_LEN], key_hash[32], manifest_hash[32];
  TallyUint256        task_id;
  TallyLabelTask      task;

  g_assert_true (tally_task_key_generate (key, &error));
  g_assert_no_error (error);
  tally_task_key_hash (key_hash, key);
  uri = tally_test_market_write_private_dataset (dir, key, N_ITEMS, ITEM_MARKER, manifest_hash);
  {
    const char *const args[] = { "task", "create", "--manifest", uri, "--replication", "2",
                                 "--reviewers", "0", "--reward", "1", "--stake-per-item", "1",
                                 NULL };
    const char *const bad_args[] = { "task", "create", "--manifest", uri, "--replication", "2",
                                     "--reviewers", "0", "--reward", "1", "--stake-per-item",
                                     "1", "--key-server", "0x1234", NULL };

    /* No key in the keyring: no annotator could ever get it. */
    tally_test_cli_run (f, &missing, args);
    g_assert_cmpint (missing.status, ==, 1);
    g_assert_nonnull (strstr (missing.err, "does not hold the dataset’s key"));
    tally_test_cli_run (f, &bad, bad_args);
    g_assert_cmpint (bad.status, ==, 2);
    g_assert_nonnull (strstr (bad.err, "--key-server"));

    g_assert_true (tally_task_key_store_sync (requester, key_hash, key, NULL, &error));
    g_assert_no_error (error);
    tally_test_cli_run_ok (f, &created, args);
  }
  g_assert_true (g_str_has_prefix (created.out, "Task:"));
  g_assert_true (tally_uint256_parse (&task_id, g_strstrip (created.out + strlen ("Task:")), NULL));
  task = tally_test_market_get_task (&f->market, &task_id);
  g_assert_true (task.params.has_key_server);
  g_assert_true (tally_address_equal (&task.params.key_server, requester));
  g_assert_cmpmem (task.params.manifest_hash, 32, manifest_hash, 32);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/cli/private/key-server", TallyTestCli, NULL, tally_test_cli_set_up,
              test_key_server, tally_test_cli_tear_down);
  g_test_add ("/cli/private/task-create", TallyTestCli, NULL, tally_test_cli_set_up,
              test_task_create, tally_test_cli_tear_down);
  g_test_add ("/cli/private/end-to-end", TallyTestCli, NULL, tally_test_cli_set_up,
              test_end_to_end, tally_test_cli_tear_down);

  return g_test_run ();
}
