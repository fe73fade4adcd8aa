/* test-cli-fetch.c: tally-cli fetch as a program against tools/devnet and
 * an in-process HTTP server holding a task's manifest and items — every
 * item verified into the cache and the store, a second run from the cache
 * alone, --all over the tasks open for labeling, a private task's sealed
 * items kept as ciphertext, a tampered item and a changed manifest refused
 * by name, a kill -9 in the middle of a download followed by a clean
 * restart, and a damaged or deleted cache fetched again
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "item-cache.h"
#include "item-cipher.h"
#include "store-meta.h"
#include "tally-test-cli.h"
#include "tally-test-util.h"
#include "wallet/keccak.h"

#define N_ITEMS      20
#define HELD_ITEM    6
#define TAMPERED     7
#define WAIT_SECONDS 30

/* anvil's "test ... junk" account 1: public, test only. */
#define ACCOUNT_1_KEY "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"

/* One chain for every test: starting tools/devnet is most of a test's time.
 * Each test has its own task, server, XDG folders and store. */
static TallyTestMarket shared_market;

typedef struct
{
  TallyTestCli cli;
  SoupServer  *server;
  char        *base;   /* http://127.0.0.1:PORT */
  GHashTable  *served; /* path → GBytes the server answers with */
  GHashTable  *hits;   /* path → requests seen */
  GPtrArray   *items;  /* GBytes, the true items in manifest order */
  GPtrArray   *held;   /* SoupServerMessage cut off halfway */
  char        *hold_path;
  gboolean     half_sent;
  TallyUint256 task_id;
  char        *id;
} Fixture;

/* ---- the server ------------------------------------------------------------------ */

static void
on_wrote_body_data (SoupServerMessage *message,
                    guint              chunk_size,
                    gpointer           user_data)
{
  Fixture *f = user_data;

  f->half_sent = TRUE;
}

/* The first half of the body goes out under the full Content-Length, then
 * nothing: the client is left reading a download that never ends. */
static void
hold (Fixture           *f,
      SoupServerMessage *message,
      GBytes            *body)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (message);
  gsize               len;
  const char         *data = g_bytes_get_data (body, &len);

  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_length (headers, (goffset) len);
  soup_message_body_append (soup_server_message_get_response_body (message), SOUP_MEMORY_COPY,
                            data, len / 2);
  g_signal_connect (message, "wrote-body-data", G_CALLBACK (on_wrote_body_data), f);
  g_ptr_array_add (f->held, g_object_ref (message));
}

static void
handle (SoupServer        *server,
        SoupServerMessage *message,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  Fixture *f = user_data;
  GBytes  *body = g_hash_table_lookup (f->served, path);
  guint    hits = GPOINTER_TO_UINT (g_hash_table_lookup (f->hits, path));

  g_hash_table_insert (f->hits, g_strdup (path), GUINT_TO_POINTER (hits + 1));
  if (body == NULL)
    {
      soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  if (g_strcmp0 (path, f->hold_path) == 0)
    {
      hold (f, message, body);
      return;
    }
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "application/octet-stream", SOUP_MEMORY_COPY,
                                    g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

/* Lets a held answer finish (into a closed connection, once its client is
 * dead), so the server drops it. */
static void
release_held (Fixture *f)
{
  for (guint i = 0; i < f->held->len; i++)
    {
      SoupServerMessage *message = g_ptr_array_index (f->held, i);

      soup_message_body_complete (soup_server_message_get_response_body (message));
      soup_server_message_unpause (message);
    }
  g_ptr_array_set_size (f->held, 0);
}

static char *
item_path (guint index)
{
  return g_strdup_printf ("/task/items/item-%02u.txt", index);
}

static guint
hits_of (Fixture    *f,
         const char *path)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (f->hits, path));
}

static guint
item_hits (Fixture *f)
{
  guint n = 0;

  for (guint i = 0; i < N_ITEMS; i++)
    {
      g_autofree char *path = item_path (i);

      n += hits_of (f, path);
    }
  return n;
}

/* ---- the task -------------------------------------------------------------------- */

/* Printable text of a few kilobytes, different for every item. */
static GBytes *
make_item (guint index)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (1000 + index);
  guint    len = 2000 + (guint) g_rand_int_range (rand, 0, 6000);
  GString *text = g_string_sized_new (len);

  g_string_append_printf (text, "Item %u\n", index);
  while (text->len < len)
    g_string_append_c (text, (char) g_rand_int_range (rand, 'a', 'z' + 1));
  return g_string_free_to_bytes (text);
}

/* A manifest of text items at prefix/items/…; with key_hash (the keccak-256
 * of a task key) a private one, schema 2, whose items are the sealed files. */
static GBytes *
make_manifest (Fixture      *f,
               const char   *prefix,
               GPtrArray    *items,
               const guint8 *key_hash)
{
  GString *json = g_string_new (NULL);

  g_string_append_printf (json,
                          "{\"schema\": %d, \"title\": \"Fetch test\", \"classes\": ["
                          "{\"name\": \"Yes\", \"color\": \"#33d17a\"}, "
                          "{\"name\": \"No\", \"color\": \"#e01b24\"}], "
                          "\"tools\": [\"classify\"], ",
                          key_hash != NULL ? 2 : 1);
  if (key_hash != NULL)
    {
      g_autofree char *hex = tally_item_sha256_to_hex (key_hash);

      g_string_append_printf (json,
                              "\"encryption\": {\"cipher\": \"aes-256-gcm\", "
                              "\"key_hash\": \"0x%s\"}, ",
                              hex);
    }
  g_string_append (json, "\"items\": [");

  for (guint i = 0; i < items->len; i++)
    {
      GBytes          *item = g_ptr_array_index (items, i);
      guint8           digest[TALLY_ITEM_SHA256_LEN];
      g_autofree char *hex = NULL;
      g_autofree char *path = g_strdup_printf ("%s/items/item-%02u.txt", prefix, i);

      tally_test_sha256 (item, digest);
      hex = tally_item_sha256_to_hex (digest);
      g_string_append_printf (json,
                              "%s{\"id\": \"item-%02u\", \"kind\": \"text\", \"uri\": "
                              "\"items/item-%02u.txt\", \"sha256\": \"%s\", "
                              "\"size\": %" G_GSIZE_FORMAT
                              ", \"mediaType\": \"text/plain\"}",
                              i == 0 ? "" : ", ", i, i, hex, g_bytes_get_size (item));
      g_hash_table_insert (f->served, g_steal_pointer (&path), g_bytes_ref (item));
    }
  g_string_append (json, "]}\n");
  return g_string_free_to_bytes (json);
}

/* Serves the manifest of items under prefix and creates its task. */
static TallyUint256
create_task_full (Fixture      *f,
                  const char   *prefix,
                  GPtrArray    *items,
                  const guint8 *key_hash)
{
  TallyLabelTaskParams params = tally_test_market_default_params (&f->cli.market, items->len, 2, 0);
  g_autoptr (GBytes) manifest = make_manifest (f, prefix, items, key_hash);
  g_autofree char *path = g_strconcat (prefix, "/manifest.json", NULL);
  g_autofree char *uri = g_strconcat (f->base, path, NULL);

  params.class_count = 2; /* the manifest's */
  tally_keccak256 (params.manifest_hash, g_bytes_get_data (manifest, NULL),
                   g_bytes_get_size (manifest));
  g_hash_table_insert (f->served, g_strdup (path), g_bytes_ref (manifest));
  return tally_test_market_create_task (&f->cli.market, TALLY_TEST_MARKET_REQUESTER, &params, uri);
}

static TallyUint256
create_task (Fixture    *f,
             const char *prefix,
             GPtrArray  *items)
{
  return create_task_full (f, prefix, items, NULL);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      remove_tree (child);
    }
  g_remove (path);
}

static void
set_up (Fixture      *f,
        gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  GSList *uris;

  /* A copy of the shared chain's handles; the chain itself outlives the test. */
  f->cli.market = shared_market;
  f->cli.home = g_dir_make_tmp ("tally-cli-fetch-XXXXXX", &error);
  g_assert_no_error (error);
  f->cli.data_home = g_build_filename (f->cli.home, "data", NULL);
  f->cli.cache_home = g_build_filename (f->cli.home, "cache", NULL);
  f->cli.key_file = g_build_filename (f->cli.home, "key", NULL);
  g_assert_true (g_file_set_contents (f->cli.key_file, ACCOUNT_1_KEY "\n", -1, &error));
  g_assert_no_error (error);
  f->served = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify) g_bytes_unref);
  f->hits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  f->items = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  f->held = g_ptr_array_new_with_free_func (g_object_unref);
  f->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->server, NULL, handle, f, NULL);
  g_assert_true (soup_server_listen_local (f->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->server);
  f->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  for (guint i = 0; i < N_ITEMS; i++)
    g_ptr_array_add (f->items, make_item (i));
  f->task_id = create_task (f, "/task", f->items);
  f->id = tally_uint256_to_decimal (&f->task_id);
}

static void
tear_down (Fixture      *f,
           gconstpointer data)
{
  release_held (f);
  soup_server_disconnect (f->server);
  g_clear_object (&f->server);
  g_clear_pointer (&f->held, g_ptr_array_unref);
  g_clear_pointer (&f->items, g_ptr_array_unref);
  g_clear_pointer (&f->hits, g_hash_table_unref);
  g_clear_pointer (&f->served, g_hash_table_unref);
  g_clear_pointer (&f->base, g_free);
  g_clear_pointer (&f->id, g_free);
  g_clear_pointer (&f->hold_path, g_free);
  remove_tree (f->cli.home);
  g_clear_pointer (&f->cli.home, g_free);
  g_clear_pointer (&f->cli.data_home, g_free);
  g_clear_pointer (&f->cli.cache_home, g_free);
  g_clear_pointer (&f->cli.key_file, g_free);
}

/* ---- what the cache and the store hold ---------------------------------------------- */

static char *
default_cache (Fixture *f)
{
  return g_build_filename (f->cli.cache_home, "tally", "items", NULL);
}

static char *
cache_path (const char *dir,
            GBytes     *item)
{
  g_autoptr (TallyItemCache) cache = tally_item_cache_new (dir, 0);
  guint8 digest[TALLY_ITEM_SHA256_LEN];

  tally_test_sha256 (item, digest);
  return tally_item_cache_get_path (cache, digest);
}

static gboolean
is_cached (const char *dir,
           GBytes     *item)
{
  g_autofree char *path = cache_path (dir, item);
  g_autofree char *contents = NULL;
  gsize            len = 0;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return FALSE;
  g_assert_cmpmem (contents, len, g_bytes_get_data (item, NULL), g_bytes_get_size (item));
  return TRUE;
}

/* Entries under their final name, without reading them. */
static guint
count_present (Fixture    *f,
               const char *dir)
{
  guint n = 0;

  for (guint i = 0; i < N_ITEMS; i++)
    {
      g_autofree char *path = cache_path (dir, g_ptr_array_index (f->items, i));

      n += g_file_test (path, G_FILE_TEST_EXISTS);
    }
  return n;
}

static guint
count_cached (Fixture    *f,
              const char *dir)
{
  guint n = 0;

  for (guint i = 0; i < N_ITEMS; i++)
    n += is_cached (dir, g_ptr_array_index (f->items, i));
  return n;
}

/* Temporary files of the cache's writer, anywhere under dir. */
static guint
count_temporaries (const char *dir)
{
  g_autoptr (GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;
  guint       n = 0;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *child = g_build_filename (dir, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        n += count_temporaries (child);
      else
        n += !g_str_has_suffix (name, ".bin");
    }
  return n;
}

static guint
store_cached (Fixture            *f,
              const TallyUint256 *task_id)
{
  g_autofree char *path = g_build_filename (f->cli.data_home, "tally", "tally.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyStore) store = tally_store_open (path, &error);
  g_autoptr (TallyStoreTask) task = NULL;
  guint n;

  g_assert_no_error (error);
  task = tally_store_get_task (store, f->cli.market.chain_id, &f->cli.market.market, task_id,
                               &error);
  g_assert_no_error (error);
  g_assert_cmpstr (task->title, ==, "Fetch test");
  n = tally_store_count_cached_items (store, f->cli.market.chain_id, &f->cli.market.market, task_id,
                                      &error);
  g_assert_no_error (error);
  return n;
}

static gboolean
store_is_private (Fixture            *f,
                  const TallyUint256 *task_id)
{
  g_autofree char *path = g_build_filename (f->cli.data_home, "tally", "tally.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyStore) store = tally_store_open (path, &error);
  g_autoptr (TallyStoreTask) task = NULL;

  g_assert_no_error (error);
  task = tally_store_get_task (store, f->cli.market.chain_id, &f->cli.market.market, task_id,
                               &error);
  g_assert_no_error (error);
  return task->is_private;
}

static JsonObject *
fetch_json (Fixture           *f,
            const char *const *args,
            JsonNode         **node)
{
  *node = tally_test_cli_run_json (&f->cli, args);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (*node));
  return json_node_get_object (*node);
}

static guint64
total_size (Fixture *f)
{
  guint64 total = 0;

  for (guint i = 0; i < N_ITEMS; i++)
    total += g_bytes_get_size (g_ptr_array_index (f->items, i));
  return total;
}

/* Past the commit deadline of every task created so far. */
static void
close_open_tasks (Fixture *f)
{
  guint64 now = tally_test_market_now (&f->cli.market);

  tally_test_market_advance_to (&f->cli.market, now + 2 * TALLY_TEST_MARKET_PHASE);
}

static gint64
member_of (JsonArray  *array,
           guint       index,
           const char *name)
{
  return json_object_get_int_member (json_array_get_object_element (array, index), name);
}

/* ---- tests ----------------------------------------------------------------------- */

static void
test_fetch_and_cache (Fixture      *f,
                      gconstpointer data)
{
  g_autofree char *cache = g_build_filename (f->cli.home, "items", NULL);
  g_autofree char *expected = g_strdup_printf ("%u items verified", N_ITEMS);
  g_autofree char *damaged = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_auto (TallyTestCliResult) result = { 0 };
  g_auto (GStrv) lines = NULL;
  const char *const json_args[] = { "fetch", f->id, "--cache", cache, "--json", NULL };
  JsonObject       *summary;

  /* First run: every item downloaded once and verified. */
  tally_test_cli_run (&f->cli, &result,
                      (const char *const[]){ "fetch", f->id, "--cache", cache, "--verbose", NULL });
  g_assert_cmpint (result.status, ==, 0);
  g_assert_true (g_str_has_prefix (result.out, expected));
  g_assert_nonnull (strstr (result.out, ", 0 from the cache\n"));
  lines = g_strsplit (result.err, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, N_ITEMS + 1); /* and "" after the last */
  g_assert_nonnull (strstr (result.err, "downloaded and verified"));
  g_assert_cmpuint (item_hits (f), ==, N_ITEMS);
  g_assert_cmpuint (hits_of (f, "/task/manifest.json"), ==, 1);
  g_assert_cmpuint (count_cached (f, cache), ==, N_ITEMS);
  g_assert_cmpuint (count_temporaries (cache), ==, 0);
  g_assert_cmpuint (store_cached (f, &f->task_id), ==, N_ITEMS);

  /* Second run: all from the cache, not one download. */
  summary = fetch_json (f, json_args, &node);
  g_assert_cmpint (json_object_get_int_member (summary, "task"), ==,
                   (gint64) g_ascii_strtoull (f->id, NULL, 10));
  g_assert_cmpint (json_object_get_int_member (summary, "items"), ==, N_ITEMS);
  g_assert_cmpint (json_object_get_int_member (summary, "bytes"), ==, (gint64) total_size (f));
  g_assert_cmpint (json_object_get_int_member (summary, "fetched"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (summary, "cached"), ==, N_ITEMS);
  g_assert_cmpuint (item_hits (f), ==, N_ITEMS);

  /* A damaged entry is dropped and fetched again, the others stay. */
  damaged = cache_path (cache, g_ptr_array_index (f->items, 3));
  g_assert_true (g_file_set_contents (damaged, "not the item", -1, NULL));
  g_clear_pointer (&node, json_node_unref);
  summary = fetch_json (f, json_args, &node);
  g_assert_cmpint (json_object_get_int_member (summary, "fetched"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (summary, "cached"), ==, N_ITEMS - 1);
  g_assert_cmpuint (hits_of (f, "/task/items/item-03.txt"), ==, 2);
  g_assert_cmpuint (count_cached (f, cache), ==, N_ITEMS);

  /* A deleted cache folder: everything again, from the server. */
  remove_tree (cache);
  g_clear_pointer (&node, json_node_unref);
  summary = fetch_json (f, json_args, &node);
  g_assert_cmpint (json_object_get_int_member (summary, "fetched"), ==, N_ITEMS);
  g_assert_cmpint (json_object_get_int_member (summary, "cached"), ==, 0);
  g_assert_cmpuint (item_hits (f), ==, 2 * N_ITEMS + 1);
  g_assert_cmpuint (count_cached (f, cache), ==, N_ITEMS);
  g_assert_cmpuint (store_cached (f, &f->task_id), ==, N_ITEMS);
}

static void
test_all (Fixture      *f,
          gconstpointer data)
{
  g_autoptr (GPtrArray) others = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree char *cache = default_cache (f);
  g_autoptr (JsonNode) node = NULL;
  g_auto (TallyTestCliResult) result = { 0 };
  g_autofree char *first_id = NULL;
  TallyUint256     first, second;
  JsonArray       *array;

  /* Only this test's tasks are open: the others' (and set_up's) close. */
  close_open_tasks (f);
  first = create_task (f, "/first", f->items);
  first_id = tally_uint256_to_decimal (&first);
  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (others, make_item (100 + i));
  second = create_task (f, "/second", others);

  /* Both tasks, into the default cache, the first one's items already there. */
  tally_test_cli_run_ok (&f->cli, &result, (const char *const[]){ "fetch", first_id, NULL });
  node = tally_test_cli_run_json (&f->cli,
                                  (const char *const[]){ "fetch", "--all", "--json", NULL });
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  array = json_node_get_array (node);
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpint (member_of (array, 0, "cached"), ==, N_ITEMS);
  g_assert_cmpint (member_of (array, 1, "items"), ==, 3);
  g_assert_cmpint (member_of (array, 1, "fetched"), ==, 3);
  g_assert_cmpuint (count_cached (f, cache), ==, N_ITEMS);
  for (guint i = 0; i < others->len; i++)
    g_assert_true (is_cached (cache, g_ptr_array_index (others, i)));
  g_assert_cmpuint (store_cached (f, &first), ==, N_ITEMS);
  g_assert_cmpuint (store_cached (f, &second), ==, 3);

  /* Past the commit deadline no task is open for labeling. */
  close_open_tasks (f);
  tally_test_cli_result_clear (&result);
  tally_test_cli_run_ok (&f->cli, &result, (const char *const[]){ "fetch", "--all", NULL });
  g_assert_cmpstr (result.out, ==,
                   "No task is open for labeling\n0 items verified (0 bytes), 0 from the cache\n");
}

static void
test_tampered (Fixture      *f,
               gconstpointer data)
{
  g_autofree char *cache = default_cache (f);
  g_autofree char *path = item_path (TAMPERED);
  GBytes          *item = g_ptr_array_index (f->items, TAMPERED);
  g_autofree char *bad = g_memdup2 (g_bytes_get_data (item, NULL), g_bytes_get_size (item));
  g_auto (TallyTestCliResult) result = { 0 };

  /* Same size, one byte changed. */
  bad[g_bytes_get_size (item) / 2] ^= 0x01;
  g_hash_table_insert (f->served, g_strdup (path), g_bytes_new (bad, g_bytes_get_size (item)));

  tally_test_cli_run (&f->cli, &result, (const char *const[]){ "fetch", f->id, NULL });
  tally_test_cli_assert_one_line_error (&result, 1, "item 7 (“item-07”)");
  g_test_message ("%s", result.err);
  g_assert_nonnull (strstr (result.err, "SHA-256"));
  g_assert_false (is_cached (cache, item));
  g_assert_cmpuint (count_cached (f, cache), ==, N_ITEMS - 1);
  g_assert_cmpuint (count_temporaries (cache), ==, 0);
  g_assert_cmpuint (store_cached (f, &f->task_id), ==, N_ITEMS - 1);

  /* A manifest changed after the task was created: refused before any item. */
  g_hash_table_insert (f->served, g_strdup ("/task/manifest.json"),
                       g_bytes_new_static ("{\"schema\": 1}\n", 14));
  tally_test_cli_result_clear (&result);
  tally_test_cli_run (&f->cli, &result, (const char *const[]){ "fetch", f->id, NULL });
  tally_test_cli_assert_one_line_error (&result, 1, "its manifest");
  g_assert_nonnull (strstr (result.err, "keccak"));
  g_assert_cmpuint (hits_of (f, path), ==, 1);

  /* Usage errors and a task that does not exist. */
  tally_test_cli_result_clear (&result);
  tally_test_cli_run (&f->cli, &result, (const char *const[]){ "fetch", NULL });
  tally_test_cli_assert_one_line_error (&result, 2, "a task id, or --all");
  tally_test_cli_result_clear (&result);
  tally_test_cli_run (&f->cli, &result, (const char *const[]){ "fetch", f->id, "--all", NULL });
  tally_test_cli_assert_one_line_error (&result, 2, "a task id, or --all");
  tally_test_cli_result_clear (&result);
  tally_test_cli_run (&f->cli, &result, (const char *const[]){ "fetch", "99", NULL });
  tally_test_cli_assert_one_line_error (&result, 1, "no task 99");
}

/* A private task's items are fetched and verified as the ciphertext they
 * are: the cache holds the sealed files, and no key is needed. */
static void
test_private (Fixture      *f,
              gconstpointer data)
{
  g_autoptr (GPtrArray) sealed = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree char *cache = default_cache (f);
  g_autofree char *id = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GError) error = NULL;
  guint8       key[TALLY_TASK_KEY_LEN], key_hash[TALLY_KECCAK256_LEN];
  TallyUint256 task_id;
  JsonObject  *summary;

  for (guint i = 0; i < sizeof key; i++)
    key[i] = (guint8) (0xa0 + i);
  tally_keccak256 (key_hash, key, sizeof key);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *item_id = g_strdup_printf ("item-%02u", i);
      GBytes          *plain = g_ptr_array_index (f->items, i);

      g_ptr_array_add (sealed, tally_item_cipher_seal (key, item_id, plain, &error));
      g_assert_no_error (error);
    }
  task_id = create_task_full (f, "/private", sealed, key_hash);
  id = tally_uint256_to_decimal (&task_id);

  summary = fetch_json (f, (const char *const[]){ "fetch", id, "--json", NULL }, &node);
  g_assert_cmpint (json_object_get_int_member (summary, "fetched"), ==, 4);
  for (guint i = 0; i < sealed->len; i++)
    {
      g_assert_true (is_cached (cache, g_ptr_array_index (sealed, i)));
      g_assert_false (is_cached (cache, g_ptr_array_index (f->items, i)));
    }
  g_assert_true (store_is_private (f, &task_id));
  g_assert_cmpuint (store_cached (f, &task_id), ==, 4);
}

static void
on_communicated (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_kill_9 (Fixture      *f,
             gconstpointer data)
{
  g_autoptr (GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GSubprocess) child = NULL;
  g_autoptr (GAsyncResult) done = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *cache = default_cache (f);
  g_autofree char *expected = NULL;
  g_auto (TallyTestCliResult) result = { 0 };
  GBytes *held = g_ptr_array_index (f->items, HELD_ITEM);
  gint64  deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  guint   survived;

  f->hold_path = item_path (HELD_ITEM);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", f->cli.data_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", f->cli.cache_home, TRUE);
  child = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("TALLY_CLI"), "--network",
                                       f->cli.market.devnet.network_file, "fetch", f->id, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (child, NULL, NULL, on_communicated, &done);

  /* Half of the item is on its way and the rest will never come. The kill
   * waits for the other items, so it cannot land in the middle of a
   * cache write: the cache removes a crashed writer's temporary file only
   * once it is an hour old (another process may still be writing it). */
  while ((!f->half_sent || count_present (f, cache) < N_ITEMS - 1) && done == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_null (done);
  g_subprocess_send_signal (child, SIGKILL);
  while (done == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_subprocess_get_if_signaled (child));
  g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);
  release_held (f);
  g_clear_pointer (&f->hold_path, g_free);

  g_assert_false (is_cached (cache, held));
  g_assert_cmpuint (count_temporaries (cache), ==, 0);
  survived = count_cached (f, cache);
  g_assert_cmpuint (survived, ==, N_ITEMS - 1);
  g_test_message ("%u of %u items were in the cache when the fetch was killed", survived, N_ITEMS);

  /* The restart finds what survived, fetches the rest, leaves nothing half done. */
  tally_test_cli_run_ok (&f->cli, &result, (const char *const[]){ "fetch", f->id, NULL });
  expected = g_strdup_printf ("%u items verified", N_ITEMS);
  g_assert_true (g_str_has_prefix (result.out, expected));
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf (", %u from the cache\n", survived);
  g_assert_true (g_str_has_suffix (result.out, expected));
  g_assert_cmpuint (count_cached (f, cache), ==, N_ITEMS);
  g_assert_cmpuint (count_temporaries (cache), ==, 0);
  g_assert_cmpuint (hits_of (f, "/task/manifest.json"), ==, 2);
  g_assert_cmpuint (item_hits (f), ==, N_ITEMS + 1);
  g_assert_cmpuint (store_cached (f, &f->task_id), ==, N_ITEMS);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/cli/fetch/fetch-and-cache", Fixture, NULL, set_up, test_fetch_and_cache, tear_down);
  g_test_add ("/cli/fetch/all", Fixture, NULL, set_up, test_all, tear_down);
  g_test_add ("/cli/fetch/private", Fixture, NULL, set_up, test_private, tear_down);
  g_test_add ("/cli/fetch/tampered", Fixture, NULL, set_up, test_tampered, tear_down);
  g_test_add ("/cli/fetch/kill-9", Fixture, NULL, set_up, test_kill_9, tear_down);

  tally_test_market_init (&shared_market, "tally-cli-fetch-market-XXXXXX");
  status = g_test_run ();
  tally_test_market_clear (&shared_market);
  return status;
}
