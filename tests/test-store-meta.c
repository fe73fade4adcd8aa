/* test-store-meta.c: the local store's schema-2 tables — networks in the
 * order they were last used, tasks and the items verified into the cache
 * (dropped with their task or when its manifest changes), prices kept as
 * decimal text, loaded newest-N in time order and pruned; bad input and
 * missing rows refused with the right error
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "core-error.h"
#include "store-meta.h"

typedef struct
{
  char       *dir;
  char       *path;
  TallyStore *store;
} Fixture;

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("tally-store-meta-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "tally.db", NULL);
  fixture->store = tally_store_open (fixture->path, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (fixture->path, "-shm", NULL);

  g_clear_object (&fixture->store);
  g_unlink (fixture->path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static void
reopen (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;

  g_clear_object (&fixture->store);
  fixture->store = tally_store_open (fixture->path, &error);
  g_assert_no_error (error);
}

/* One integer from the file, through a connection of the test's own. */
static gint64
query_int (Fixture    *fixture,
           const char *sql)
{
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64        value;

  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
exec_sql (Fixture    *fixture,
          const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* ---- Networks -------------------------------------------------------------- */

static void
assert_network_order (TallyStore        *store,
                      const char *const *names)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) networks = tally_store_list_networks (store, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (networks->len, ==, g_strv_length ((char **) names));
  for (guint i = 0; i < networks->len; i++)
    g_assert_cmpstr (((TallyStoreNetwork *) g_ptr_array_index (networks, i))->name, ==, names[i]);
}

static void
test_networks (Fixture      *fixture,
               gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyStoreNetwork) network = NULL;
  const char *local = "{\"name\": \"Local\", \"chainId\": 31337}";
  const char *sepolia = "{\"name\": \"Sepolia\", \"chainId\": 11155111}";
  gint64      before = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_true (tally_store_put_network (fixture->store, "Local", 31337, local, &error));
  g_assert_true (tally_store_put_network (fixture->store, "Sepolia", 11155111, sepolia, &error));
  g_assert_true (tally_store_put_network (fixture->store, "Base", 8453, "{}", &error));
  g_assert_no_error (error);
  assert_network_order (fixture->store, (const char *[]){ "Base", "Sepolia", "Local", NULL });
  g_assert_true (tally_store_mark_network_used (fixture->store, "Local", &error));
  assert_network_order (fixture->store, (const char *[]){ "Local", "Base", "Sepolia", NULL });

  /* A second put replaces the row and makes it the latest. */
  g_assert_true (tally_store_put_network (fixture->store, "Sepolia", 11155111, "{\"v\": 2}", &error));
  assert_network_order (fixture->store, (const char *[]){ "Sepolia", "Local", "Base", NULL });
  network = tally_store_get_network (fixture->store, "Sepolia", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (network->name, ==, "Sepolia");
  g_assert_cmpuint (network->chain_id, ==, 11155111);
  g_assert_cmpstr (network->profile, ==, "{\"v\": 2}");
  g_assert_cmpint (network->used, >=, before);
  g_assert_cmpint (network->used, <=, g_get_real_time () / G_USEC_PER_SEC);

  /* Missing rows. */
  g_assert_null (tally_store_get_network (fixture->store, "Mainnet", &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "Mainnet"));
  g_clear_error (&error);
  g_assert_false (tally_store_mark_network_used (fixture->store, "Mainnet", &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Bad input changes nothing. */
  g_assert_false (tally_store_put_network (fixture->store, "", 1, "{}", &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE);
  g_clear_error (&error);
  g_assert_false (tally_store_put_network (fixture->store, "Broken", 1, "{\"chainId\": ", &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE);
  g_assert_nonnull (strstr (error->message, "Broken"));
  g_clear_error (&error);
  g_assert_false (tally_store_put_network (fixture->store, "Array", 1, "[1, 2]", &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE);
  g_clear_error (&error);
  g_assert_false (tally_store_put_network (fixture->store, "\xff\xfe", 1, "{}", &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE);
  g_clear_error (&error);

  g_assert_true (tally_store_remove_network (fixture->store, "Base", &error));
  g_assert_false (tally_store_remove_network (fixture->store, "Base", &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  reopen (fixture);
  assert_network_order (fixture->store, (const char *[]){ "Sepolia", "Local", NULL });
}

/* ---- Tasks and items ------------------------------------------------------- */

static const TallyAddress market = { { 0xaa, 0x01 } };
static const TallyAddress other_market = { { 0xaa, 0x02 } };

static TallyStoreTask *
sample_task (guint64 id)
{
  TallyStoreTask *task = g_new0 (TallyStoreTask, 1);

  task->chain_id = 31337;
  task->market = market;
  tally_uint256_from_uint64 (&task->task_id, id);
  task->manifest_uri = g_strdup ("http://127.0.0.1:8000/manifest.json");
  memset (task->manifest_hash, 0x4d, 32);
  task->title = g_strdup ("Cats and dogs — «batch 1»");
  task->item_count = 8;
  task->is_private = TRUE;
  return task;
}

static void
put_items (TallyStore     *store,
           TallyStoreTask *task,
           guint           n,
           guint           n_cached)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *item_id = g_strdup_printf ("item-%02u.png", i);
      guint8           sha[32];

      memset (sha, (int) i, sizeof sha);
      g_assert_true (tally_store_put_item (store, task->chain_id, &task->market, &task->task_id, i,
                                           item_id, sha, 1000 + i, i < n_cached, &error));
      g_assert_no_error (error);
    }
}

static guint
count_cached (TallyStore     *store,
              TallyStoreTask *task)
{
  g_autoptr (GError) error = NULL;
  guint count = tally_store_count_cached_items (store, task->chain_id, &task->market,
                                                &task->task_id, &error);

  g_assert_no_error (error);
  return count;
}

static void
test_tasks (Fixture      *fixture,
            gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyStoreTask) task = sample_task (7);
  g_autoptr (TallyStoreTask) second = sample_task (7);
  g_autoptr (TallyStoreTask) read = NULL;
  TallyUint256 missing;
  guint8       sha[32] = { 0 };

  g_assert_true (tally_store_put_task (fixture->store, task, &error));
  g_assert_no_error (error);
  g_assert_cmpint (task->seen, >, 0);
  /* The same id on another market is another task. */
  second->market = other_market;
  second->is_private = FALSE;
  g_clear_pointer (&second->title, g_free);
  g_assert_true (tally_store_put_task (fixture->store, second, &error));

  read = tally_store_get_task (fixture->store, 31337, &market, &task->task_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (read->chain_id, ==, 31337);
  g_assert_true (tally_address_equal (&read->market, &market));
  g_assert_cmpint (tally_uint256_cmp (&read->task_id, &task->task_id), ==, 0);
  g_assert_cmpstr (read->manifest_uri, ==, task->manifest_uri);
  g_assert_cmpmem (read->manifest_hash, 32, task->manifest_hash, 32);
  g_assert_cmpstr (read->title, ==, task->title);
  g_assert_cmpuint (read->item_count, ==, 8);
  g_assert_true (read->is_private);
  g_assert_cmpint (read->seen, ==, task->seen);
  g_clear_pointer (&read, tally_store_task_free);
  read = tally_store_get_task (fixture->store, 31337, &other_market, &task->task_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (read->title, ==, "");
  g_assert_false (read->is_private);
  g_clear_pointer (&read, tally_store_task_free);

  /* Items: five known, three of them verified into the cache. */
  put_items (fixture->store, task, 5, 3);
  put_items (fixture->store, second, 2, 2);
  g_assert_cmpuint (count_cached (fixture->store, task), ==, 3);
  g_assert_cmpuint (count_cached (fixture->store, second), ==, 2);
  /* Known again, not cached (evicted): the count follows. */
  g_assert_true (tally_store_put_item (fixture->store, 31337, &market, &task->task_id, 0,
                                       "item-00.png", sha, 1000, FALSE, &error));
  g_assert_cmpuint (count_cached (fixture->store, task), ==, 2);
  g_assert_true (tally_store_put_item (fixture->store, 31337, &market, &task->task_id, 4,
                                       "item-04.png", sha, 1004, TRUE, &error));
  g_assert_cmpuint (count_cached (fixture->store, task), ==, 3);

  /* Bad input and missing tasks. */
  g_assert_false (tally_store_put_item (fixture->store, 31337, &market, &task->task_id, 8,
                                        "item-08.png", sha, 1, TRUE, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST);
  g_clear_error (&error);
  g_assert_false (tally_store_put_item (fixture->store, 31337, &market, &task->task_id, 1,
                                        "\xc3\x28", sha, 1, TRUE, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST);
  g_clear_error (&error);
  g_assert_false (tally_store_put_item (fixture->store, 31337, &market, &task->task_id, 1,
                                        "item-01.png", sha, G_MAXUINT64, TRUE, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST);
  g_clear_error (&error);
  tally_uint256_from_uint64 (&missing, 99);
  g_assert_false (tally_store_put_item (fixture->store, 31337, &market, &missing, 0, "x", sha, 1,
                                        TRUE, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "99"));
  g_clear_error (&error);
  g_assert_cmpuint (
    tally_store_count_cached_items (fixture->store, 31337, &market, &missing, &error), ==, 0);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (tally_store_get_task (fixture->store, 1, &market, &task->task_id, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_free (second->title);
  second->title = g_strdup ("\xff");
  g_assert_false (tally_store_put_task (fixture->store, second, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST);
  g_clear_error (&error);

  /* Seen again with the same manifest: the items stay. */
  g_free (task->title);
  task->title = g_strdup ("Renamed");
  g_assert_true (tally_store_put_task (fixture->store, task, &error));
  g_assert_cmpuint (count_cached (fixture->store, task), ==, 3);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM items"), ==, 7);
  /* Fewer items: those past the end go. */
  task->item_count = 2;
  g_assert_true (tally_store_put_task (fixture->store, task, &error));
  g_assert_cmpuint (count_cached (fixture->store, task), ==, 1);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM items"), ==, 4);
  /* Another manifest: every item of the old one goes, not the other task's. */
  task->manifest_hash[0] ^= 1;
  task->item_count = 8;
  g_assert_true (tally_store_put_task (fixture->store, task, &error));
  g_assert_cmpuint (count_cached (fixture->store, task), ==, 0);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM items"), ==, 2);
  put_items (fixture->store, task, 8, 8);
  reopen (fixture);
  g_assert_cmpuint (count_cached (fixture->store, task), ==, 8);
  read = tally_store_get_task (fixture->store, 31337, &market, &task->task_id, &error);
  g_assert_cmpstr (read->title, ==, "Renamed");
  g_assert_cmpmem (read->manifest_hash, 32, task->manifest_hash, 32);

  /* Removed: its items go with it (the foreign key cascades). */
  g_assert_true (tally_store_remove_task (fixture->store, 31337, &market, &task->task_id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM items"), ==, 2);
  g_assert_false (tally_store_remove_task (fixture->store, 31337, &market, &task->task_id, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpuint (count_cached (fixture->store, second), ==, 2);
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM pragma_foreign_key_check"), ==, 0);
}

/* A put that fails half-way changes nothing. */
static void
test_task_rollback (Fixture      *fixture,
                    gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyStoreTask) task = sample_task (3);
  g_autoptr (TallyStoreTask) read = NULL;
  guint8 old_hash[32];

  g_assert_true (tally_store_put_task (fixture->store, task, &error));
  put_items (fixture->store, task, 4, 4);
  memcpy (old_hash, task->manifest_hash, 32);
  /* The items table gone: the task row is written, then dropping the old
   * manifest's items fails, and the whole put is rolled back. */
  exec_sql (fixture, "ALTER TABLE items RENAME TO hidden");
  task->manifest_hash[5] ^= 0xff;
  g_assert_false (tally_store_put_task (fixture->store, task, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE);
  g_assert_nonnull (strstr (error->message, fixture->path));
  g_clear_error (&error);
  exec_sql (fixture, "ALTER TABLE hidden RENAME TO items");
  read = tally_store_get_task (fixture->store, 31337, &market, &task->task_id, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (read->manifest_hash, 32, old_hash, 32);
  g_assert_cmpuint (count_cached (fixture->store, task), ==, 4);
  /* And the connection is usable again (no transaction left open). */
  g_assert_true (tally_store_put_task (fixture->store, task, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_cached (fixture->store, task), ==, 0);
}

/* ---- Prices ---------------------------------------------------------------- */

#define T0 1764000000 /* 2025-11-24 */

static void
add_price (TallyStore *store,
           const char *asset,
           const char *currency,
           gint64      time,
           const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDateTime) when = g_date_time_new_from_unix_utc (time);
  TallyDecimal price;

  g_assert_true (tally_decimal_parse (&price, text, &error));
  g_assert_true (tally_store_add_price (store, asset, currency, when, &price, &error));
  g_assert_no_error (error);
}

/* The history's points as "time=price" lines. */
static char *
history_text (TallyPriceHistory *history)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (history)); i++)
    {
      g_autoptr (TallyPricePoint) point = g_list_model_get_item (G_LIST_MODEL (history), i);
      g_autofree char *price = tally_decimal_to_string (tally_price_point_get_price (point));

      g_string_append_printf (text, "%" G_GINT64_FORMAT "=%s;",
                              g_date_time_to_unix (tally_price_point_get_time (point)) - T0, price);
    }
  return g_string_free (text, FALSE);
}

static void
test_prices (Fixture      *fixture,
             gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyPriceHistory) history = tally_price_history_new ("EUR", 4);
  g_autoptr (TallyPriceHistory) wide = tally_price_history_new ("eur", 100);
  g_autoptr (GDateTime) cut = g_date_time_new_from_unix_utc (T0 + 30);
  g_autofree char *text = NULL;
  guint            removed = 99;

  /* Out of order, in two currencies and two assets; exact decimals. */
  add_price (fixture->store, "ETH", "eur", T0 + 50, "2804.11");
  add_price (fixture->store, "ETH", "eur", T0 + 10, "2801.000000000000000000000000000000000001");
  add_price (fixture->store, "ETH", "EUR", T0 + 40, "2803.5");
  add_price (fixture->store, "ETH", "usd", T0 + 45, "3100");
  add_price (fixture->store, "ETH", "eur", T0 + 20, "2802");
  add_price (fixture->store, "ETH", "eur", T0 + 30, "2802.75");
  add_price (fixture->store, "LABEL", "eur", T0 + 5, "0.0000125");
  add_price (fixture->store, "LABEL", "eur", T0 + 35, "0.0000131");
  /* The same second twice: the later quote replaces the first. */
  add_price (fixture->store, "ETH", "eur", T0 + 50, "2804.12");

  g_assert_true (tally_store_load_prices (fixture->store, "ETH", history, &error));
  g_assert_no_error (error);
  text = history_text (history);
  g_assert_cmpstr (text, ==, "20=2802;30=2802.75;40=2803.5;50=2804.12;");
  g_clear_pointer (&text, g_free);
  g_assert_true (tally_store_load_prices (fixture->store, "ETH", wide, &error));
  text = history_text (wide);
  g_assert_cmpstr (text, ==,
                   "10=2801.000000000000000000000000000000000001;"
                   "20=2802;30=2802.75;40=2803.5;50=2804.12;");
  g_clear_pointer (&text, g_free);

  /* A row this version cannot read is skipped, not fatal. */
  exec_sql (fixture, "INSERT INTO prices VALUES ('ETH', 'eur', 1764000045, '1e9999'),"
                     " ('ETH', 'eur', 1764000046, 'twelve')");
  g_assert_true (tally_store_load_prices (fixture->store, "ETH", history, &error));
  text = history_text (history);
  g_assert_cmpstr (text, ==, "20=2802;30=2802.75;40=2803.5;50=2804.12;");
  g_clear_pointer (&text, g_free);

  /* Points of every asset before the cut go; the cut itself stays. */
  g_assert_true (tally_store_prune_prices (fixture->store, cut, &removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (removed, ==, 3);
  reopen (fixture);
  g_assert_true (tally_store_load_prices (fixture->store, "ETH", wide, &error));
  text = history_text (wide);
  g_assert_cmpstr (text, ==, "30=2802.75;40=2803.5;50=2804.12;");
  g_clear_pointer (&text, g_free);
  g_assert_true (tally_store_load_prices (fixture->store, "LABEL", wide, &error));
  text = history_text (wide);
  g_assert_cmpstr (text, ==, "35=0.0000131;");
  g_clear_pointer (&text, g_free);
  /* Nothing stored: an empty history. */
  g_assert_true (tally_store_load_prices (fixture->store, "BTC", wide, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (wide)), ==, 0);
  g_assert_true (tally_store_prune_prices (fixture->store, cut, NULL, &error));
  g_assert_cmpint (query_int (fixture, "SELECT count (*) FROM prices"), ==, 7);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/core/store-meta/networks", Fixture, NULL, fixture_set_up, test_networks,
              fixture_tear_down);
  g_test_add ("/core/store-meta/tasks", Fixture, NULL, fixture_set_up, test_tasks,
              fixture_tear_down);
  g_test_add ("/core/store-meta/task-rollback", Fixture, NULL, fixture_set_up, test_task_rollback,
              fixture_tear_down);
  g_test_add ("/core/store-meta/prices", Fixture, NULL, fixture_set_up, test_prices,
              fixture_tear_down);

  return g_test_run ();
}
