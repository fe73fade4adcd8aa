/* fuzz-store.c: libFuzzer target for the local store's readers of rows
 * (app/store.c, app/store-meta.c, app/draft.c) on a damaged file, or one
 * another program wrote
 *
 * Input: rows, one a line. A line's first byte picks the table, the rest
 * are the row's columns separated by tabs: "#123" an integer, "~" NULL,
 * "%..." a blob of the bytes after '%', anything else text (not always
 * UTF-8). The keys (chain, market, task, account) are the target's own, so
 * the readers find the rows; CHECK constraints are off, as in a damaged
 * file. Every reader then either returns what its header promises (valid
 * UTF-8 text, states it knows, prices in time order) or fails with a
 * TALLY_CORE_ERROR; nothing crashes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "core-error.h"
#include "draft.h"
#include "store-meta.h"
#include "store-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

#define N_ITEMS   8
#define N_CLASSES 4

static const TallyAddress market = { { 0xaa } };
static const TallyAddress account = { { 0xbb } };

/* The key first (?1 market, ?2 task id, ?3 account), then the input's
 * columns from ?4 on. */
static const char *const inserts[] = {
  "INSERT OR REPLACE INTO submissions (chain_id, market, task_id, account, role, seat, state,"
  " labels, payload, salt, commitment, commit_tx, reveal_tx, reason, updated)"
  " VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
  "INSERT OR REPLACE INTO annotations (chain_id, market, task_id, account, item, data, updated)"
  " VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)",
  "INSERT OR REPLACE INTO accounts (address, name, added) VALUES (?4, ?5, ?6)",
  "INSERT OR REPLACE INTO networks (name, chain_id, profile, used) VALUES (?4, ?5, ?6, ?7)",
  "INSERT OR REPLACE INTO tasks (chain_id, market, task_id, manifest_uri, manifest_hash, title,"
  " item_count, private, seen) VALUES (1, ?1, ?2, ?4, ?5, ?6, ?7, ?8, ?9)",
  "INSERT OR REPLACE INTO items (chain_id, market, task_id, item, item_id, sha256, size, cached)"
  " VALUES (1, ?1, ?2, ?4, ?5, ?6, ?7, ?8)",
  "INSERT OR REPLACE INTO prices (asset, currency, time, price) VALUES ('ETH', ?4, ?5, ?6)",
};

static void
bind_field (sqlite3_stmt *stmt,
            int           index,
            const char   *field,
            gsize         len)
{
  if (len == 1 && field[0] == '~')
    sqlite3_bind_null (stmt, index);
  else if (len > 0 && field[0] == '#')
    {
      g_autofree char *number = g_strndup (field + 1, len - 1);

      sqlite3_bind_int64 (stmt, index, g_ascii_strtoll (number, NULL, 10));
    }
  else if (len > 0 && field[0] == '%')
    sqlite3_bind_blob (stmt, index, field + 1, (int) len - 1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_text (stmt, index, field, (int) len, SQLITE_TRANSIENT);
}

static void
insert_row (sqlite3    *db,
            const char *line,
            gsize       len)
{
  const char   *sql = inserts[(guint8) line[0] % G_N_ELEMENTS (inserts)];
  sqlite3_stmt *stmt = NULL;
  guint8        id[32];
  TallyUint256  task_id;
  int           index = 4;
  gsize         start = 1;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s", sqlite3_errmsg (db));
  tally_uint256_from_uint64 (&task_id, 7);
  tally_uint256_to_bytes32 (id, &task_id);
  sqlite3_bind_blob (stmt, 1, market.bytes, TALLY_ADDRESS_LEN, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 2, id, sizeof id, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 3, account.bytes, TALLY_ADDRESS_LEN, SQLITE_STATIC);
  for (gsize i = 1; i <= len && index <= sqlite3_bind_parameter_count (stmt); i++)
    if (i == len || line[i] == '\t')
      {
        bind_field (stmt, index++, line + start, i - start);
        start = i + 1;
      }
  /* NOT NULL and foreign keys still hold: such a row is simply absent. */
  sqlite3_step (stmt);
  sqlite3_finalize (stmt);
}

static void
assert_failure (const GError *error)
{
  g_assert_nonnull (error);
  g_assert_true (error->domain == TALLY_CORE_ERROR);
  g_assert_true (error->code == TALLY_CORE_ERROR_STORAGE || error->code == TALLY_CORE_ERROR_NOT_FOUND ||
                 error->code == TALLY_CORE_ERROR_INVALID_MANIFEST ||
                 error->code == TALLY_CORE_ERROR_INVALID_ANNOTATION ||
                 error->code == TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

static void
assert_record (const TallySubmissionRecord *record)
{
  g_assert_nonnull (tally_submission_state_to_string (record->state));
  g_assert_true (record->role == TALLY_SUBMISSION_ANNOTATOR ||
                 record->role == TALLY_SUBMISSION_REVIEWER);
  g_assert_true (record->reason == NULL || g_utf8_validate (record->reason, -1, NULL));
}

static void
read_submissions (TallyStore         *store,
                  const TallyUint256 *task_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) unfinished = tally_store_list_unfinished (store, 1, &market, &error);
  g_autoptr (TallySubmissionRecord) record = NULL;
  g_autoptr (GPtrArray) accounts = NULL;
  g_autoptr (GPtrArray) names = NULL;

  g_assert_no_error (error);
  for (guint i = 0; i < unfinished->len; i++)
    {
      const TallySubmissionRecord *each = g_ptr_array_index (unfinished, i);

      assert_record (each);
      g_assert_true (tally_submission_state_is_unfinished (each->state));
    }
  record = tally_store_get_submission (store, 1, &market, task_id, &account,
                                       TALLY_SUBMISSION_ANNOTATOR, 0, &error);
  if (record != NULL)
    assert_record (record);
  else
    assert_failure (error);
  g_clear_error (&error);
  accounts = tally_store_list_accounts (store, &names, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < names->len; i++)
    g_assert_true (g_utf8_validate (g_ptr_array_index (names, i), -1, NULL));
}

static void
read_meta (TallyStore         *store,
           const TallyUint256 *task_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) networks = tally_store_list_networks (store, &error);
  g_autoptr (TallyStoreTask) task = NULL;
  g_autoptr (TallyPriceHistory) history = tally_price_history_new ("eur", 16);
  guint8 sha[32] = { 0 };

  g_assert_no_error (error);
  for (guint i = 0; i < networks->len; i++)
    {
      TallyStoreNetwork *network = g_ptr_array_index (networks, i);
      g_autoptr (TallyStoreNetwork) again = tally_store_get_network (store, network->name, &error);

      g_assert_true (g_utf8_validate (network->name, -1, NULL));
      g_assert_true (g_utf8_validate (network->profile, -1, NULL));
      g_assert_no_error (error);
      g_assert_cmpstr (again->profile, ==, network->profile);
      if (i > 0)
        {
          TallyStoreNetwork *newer = g_ptr_array_index (networks, i - 1);

          g_assert_cmpint (network->used, <=, newer->used);
        }
    }

  task = tally_store_get_task (store, 1, &market, task_id, &error);
  if (task != NULL)
    {
      g_assert_true (g_utf8_validate (task->manifest_uri, -1, NULL));
      g_assert_true (task->title == NULL || g_utf8_validate (task->title, -1, NULL));
    }
  else
    assert_failure (error);
  g_clear_error (&error);
  tally_store_count_cached_items (store, 1, &market, task_id, &error);
  if (error != NULL)
    assert_failure (error);
  g_clear_error (&error);
  if (!tally_store_put_item (store, 1, &market, task_id, 0, "item", sha, 1, TRUE, &error))
    assert_failure (error);
  g_clear_error (&error);

  g_assert_true (tally_store_load_prices (store, "ETH", history, &error));
  g_assert_no_error (error);
  for (guint i = 1; i < g_list_model_get_n_items (G_LIST_MODEL (history)); i++)
    {
      g_autoptr (TallyPricePoint) before = g_list_model_get_item (G_LIST_MODEL (history), i - 1);
      g_autoptr (TallyPricePoint) after = g_list_model_get_item (G_LIST_MODEL (history), i);

      g_assert_cmpint (g_date_time_compare (tally_price_point_get_time (before),
                                            tally_price_point_get_time (after)),
                       <, 0);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyStore) store = NULL;
  g_autoptr (TallyAnnotations) annotations = NULL;
  g_autoptr (TallyDraft) draft = NULL;
  g_autoptr (GHashTable) rows = NULL;
  const char  *text = (const char *) data;
  TallyUint256 task_id;
  sqlite3     *db;
  gsize        start = 0;

  if (size > 64 * 1024)
    return 0;
  /* A fresh file each time, in memory: nothing left behind. */
  store = tally_store_open (":memory:", &error);
  g_assert_no_error (error);
  db = _tally_store_lock (store);
  sqlite3_exec (db, "PRAGMA ignore_check_constraints = ON", NULL, NULL, NULL);
  for (gsize i = 0; i <= size; i++)
    if ((i == size || text[i] == '\n') && i > start)
      {
        insert_row (db, text + start, i - start);
        start = i + 1;
      }
    else if (i < size && text[i] == '\n')
      start = i + 1;
  _tally_store_unlock (store);

  tally_uint256_from_uint64 (&task_id, 7);
  read_submissions (store, &task_id);
  read_meta (store, &task_id);

  rows = tally_store_load_annotations (store, 1, &market, &task_id, &account, &error);
  g_assert_no_error (error);
  annotations = tally_annotations_new (N_ITEMS, N_CLASSES);
  draft = tally_draft_new (store, 1, &market, &task_id, &account, annotations);
  if (!tally_draft_restore (draft, &error))
    assert_failure (error);
  return 0;
}
