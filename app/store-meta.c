/* store-meta.c: the local store's schema-2 tables — networks, tasks and
 * their items, prices
 *
 * Each public function takes the store's lock, then works on the
 * connection in a *_locked helper, so no path can forget to unlock.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "core-error.h"
#include "store-meta.h"
#include "store-private.h"

/* ---- Helpers (the lock held) ----------------------------------------------- */

static sqlite3_stmt *
prepare (TallyStore *self,
         sqlite3    *db,
         const char *sql,
         GError    **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      _tally_store_fail (self, "query", error);
      return NULL;
    }
  return stmt;
}

/* Runs a statement that returns no rows, and finalizes it. */
static gboolean
run (TallyStore   *self,
     sqlite3_stmt *stmt,
     const char   *doing,
     GError      **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE || _tally_store_fail (self, doing, error);
}

static gboolean
exec (TallyStore *self,
      sqlite3    *db,
      const char *sql,
      const char *doing,
      GError    **error)
{
  return sqlite3_exec (db, sql, NULL, NULL, NULL) == SQLITE_OK ||
         _tally_store_fail (self, doing, error);
}

/* A row this version cannot read: the file was damaged or written by a
 * program that does not keep the schema's checks. */
static gboolean
damaged (TallyStore *self,
         const char *what,
         GError    **error)
{
  g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE,
               "Could not read %s from the local store %s: the row is damaged", what,
               tally_store_get_path (self));
  return FALSE;
}

static void
bind_task_key (sqlite3_stmt       *stmt,
               guint64             chain_id,
               const TallyAddress *market,
               const TallyUint256 *task_id)
{
  guint8 id[32];

  tally_uint256_to_bytes32 (id, task_id);
  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) chain_id);
  sqlite3_bind_blob (stmt, 2, market->bytes, TALLY_ADDRESS_LEN, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 3, id, sizeof id, SQLITE_TRANSIENT);
}

static gboolean
task_not_found (guint64             chain_id,
                const TallyAddress *market,
                const TallyUint256 *task_id,
                GError            **error)
{
  g_autofree char *id = tally_uint256_to_decimal (task_id);
  char             address[TALLY_ADDRESS_STRING_SIZE];

  tally_address_to_string (market, address);
  g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND,
               "No task %s of the market %s on chain %" G_GUINT64_FORMAT " in the store", id,
               address, chain_id);
  return FALSE;
}

/* ---- Networks -------------------------------------------------------------- */

void
tally_store_network_free (TallyStoreNetwork *network)
{
  if (network == NULL)
    return;
  g_free (network->name);
  g_free (network->profile);
  g_free (network);
}

static gboolean
network_not_found (const char *name,
                   GError    **error)
{
  g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND,
               "No network called “%s” in the store", name);
  return FALSE;
}

/* Strictly after every other network's, even within one microsecond, so
 * "most recently used" is never a tie. */
#define NEXT_USED "max (?1, (SELECT coalesce (max (used), 0) + 1 FROM networks))"

gboolean
tally_store_put_network (TallyStore *self,
                         const char *name,
                         guint64     chain_id,
                         const char *profile,
                         GError    **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) json_error = NULL;
  sqlite3_stmt *stmt;
  sqlite3      *db;
  gboolean      ok = FALSE;

  g_return_val_if_fail (TALLY_IS_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL && profile != NULL, FALSE);

  if (*name == '\0' || !g_utf8_validate (name, -1, NULL))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE,
                   "A network needs a name to be kept in the store");
      return FALSE;
    }
  if (!json_parser_load_from_data (parser, profile, -1, &json_error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE,
                   "The network file of “%s” is not a JSON object: %s", name,
                   json_error != NULL ? json_error->message : "another JSON value");
      return FALSE;
    }

  db = _tally_store_lock (self);
  stmt = prepare (self, db, "INSERT INTO networks (name, chain_id, profile, used)"
                            " VALUES (?2, ?3, ?4, " NEXT_USED ") ON CONFLICT (name) DO UPDATE SET"
                            " chain_id = excluded.chain_id, profile = excluded.profile,"
                            " used = excluded.used",
                  error);
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, g_get_real_time ());
      sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, (sqlite3_int64) chain_id);
      sqlite3_bind_text (stmt, 4, profile, -1, SQLITE_TRANSIENT);
      ok = run (self, stmt, "save a network to", error);
    }
  _tally_store_unlock (self);
  return ok;
}

static TallyStoreNetwork *
row_to_network (sqlite3_stmt *stmt)
{
  TallyStoreNetwork *network;
  /* Before any conversion, which would make the type undefined. */
  gboolean    is_text = sqlite3_column_type (stmt, 0) == SQLITE_TEXT;
  const char *name = (const char *) sqlite3_column_text (stmt, 0);
  const char *profile = (const char *) sqlite3_column_text (stmt, 2);

  /* The name is a key and the profile is parsed later: not repaired. A
   * NUL inside, or a blob, would make the name another network's. */
  if (!is_text || name == NULL || profile == NULL ||
      !g_utf8_validate (name, sqlite3_column_bytes (stmt, 0), NULL) ||
      !g_utf8_validate (profile, sqlite3_column_bytes (stmt, 2), NULL))
    return NULL;
  network = g_new0 (TallyStoreNetwork, 1);
  network->name = g_strdup (name);
  network->chain_id = (guint64) sqlite3_column_int64 (stmt, 1);
  network->profile = g_strdup (profile);
  network->used = sqlite3_column_int64 (stmt, 3) / G_USEC_PER_SEC;
  return network;
}

TallyStoreNetwork *
tally_store_get_network (TallyStore *self,
                         const char *name,
                         GError    **error)
{
  g_autoptr (TallyStoreLocker) locker = NULL;
  TallyStoreNetwork *network = NULL;
  sqlite3_stmt      *stmt;
  sqlite3           *db = NULL;
  int                rc;

  g_return_val_if_fail (TALLY_IS_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  locker = _tally_store_locker_new (self, &db);
  stmt = prepare (self, db, "SELECT name, chain_id, profile, used FROM networks WHERE name = ?1",
                  error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    network_not_found (name, error);
  else if (rc != SQLITE_ROW)
    _tally_store_fail (self, "read a network from", error);
  else if ((network = row_to_network (stmt)) == NULL)
    damaged (self, "a network", error);
  sqlite3_finalize (stmt);
  return network;
}

/* UPDATE or DELETE of one network by name (?2), NOT_FOUND when no row
 * changed. */
static gboolean
change_network (TallyStore *self,
                const char *sql,
                const char *name,
                const char *doing,
                GError    **error)
{
  sqlite3_stmt *stmt;
  sqlite3      *db = _tally_store_lock (self);
  gboolean      ok = FALSE;

  stmt = prepare (self, db, sql, error);
  if (stmt != NULL)
    {
      /* ?1, the time, is unused by a DELETE. */
      sqlite3_bind_int64 (stmt, 1, g_get_real_time ());
      sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
      ok = run (self, stmt, doing, error) &&
           (sqlite3_changes (db) > 0 || network_not_found (name, error));
    }
  _tally_store_unlock (self);
  return ok;
}

gboolean
tally_store_mark_network_used (TallyStore *self,
                               const char *name,
                               GError    **error)
{
  g_return_val_if_fail (TALLY_IS_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return change_network (self, "UPDATE networks SET used = " NEXT_USED " WHERE name = ?2", name,
                         "update a network in", error);
}

gboolean
tally_store_remove_network (TallyStore *self,
                            const char *name,
                            GError    **error)
{
  g_return_val_if_fail (TALLY_IS_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return change_network (self, "DELETE FROM networks WHERE name = ?2", name,
                         "remove a network from", error);
}

GPtrArray *
tally_store_list_networks (TallyStore *self,
                           GError    **error)
{
  g_autoptr (GPtrArray) networks =
    g_ptr_array_new_with_free_func ((GDestroyNotify) tally_store_network_free);
  g_autoptr (TallyStoreLocker) locker = NULL;
  sqlite3_stmt *stmt;
  sqlite3      *db = NULL;
  int           rc;

  g_return_val_if_fail (TALLY_IS_STORE (self), NULL);

  locker = _tally_store_locker_new (self, &db);
  stmt = prepare (self, db, "SELECT name, chain_id, profile, used FROM networks"
                            " ORDER BY CAST (used AS INTEGER) DESC, rowid DESC",
                  error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TallyStoreNetwork *network = row_to_network (stmt);

      if (network != NULL)
        g_ptr_array_add (networks, network);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      _tally_store_fail (self, "read the networks of", error);
      return NULL;
    }
  return g_steal_pointer (&networks);
}

/* ---- Tasks ----------------------------------------------------------------- */

void
tally_store_task_free (TallyStoreTask *task)
{
  if (task == NULL)
    return;
  g_free (task->manifest_uri);
  g_free (task->title);
  g_free (task);
}

#define TASK_KEY "chain_id = ?1 AND market = ?2 AND task_id = ?3"

/* The stored manifest hash of the task in *hash; FALSE with NOT_FOUND
 * when there is no such task. */
static gboolean
stored_task_hash (TallyStore         *self,
                  sqlite3            *db,
                  guint64             chain_id,
                  const TallyAddress *market,
                  const TallyUint256 *task_id,
                  guint8              hash[32],
                  guint              *item_count,
                  GError            **error)
{
  sqlite3_stmt *stmt;
  int           rc;
  gboolean      ok = FALSE;

  stmt = prepare (self, db, "SELECT manifest_hash, item_count FROM tasks WHERE " TASK_KEY, error);
  if (stmt == NULL)
    return FALSE;
  bind_task_key (stmt, chain_id, market, task_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && sqlite3_column_bytes (stmt, 0) == 32)
    {
      memcpy (hash, sqlite3_column_blob (stmt, 0), 32);
      *item_count = (guint) sqlite3_column_int64 (stmt, 1);
      ok = TRUE;
    }
  else if (rc == SQLITE_ROW)
    damaged (self, "a task", error);
  else if (rc == SQLITE_DONE)
    task_not_found (chain_id, market, task_id, error);
  else
    _tally_store_fail (self, "read a task from", error);
  sqlite3_finalize (stmt);
  return ok;
}

static gboolean
put_task_locked (TallyStore     *self,
                 sqlite3        *db,
                 TallyStoreTask *task,
                 GError        **error)
{
  g_autoptr (GError) lookup_error = NULL;
  sqlite3_stmt *stmt;
  guint8        old_hash[32];
  guint         old_count = 0;
  gboolean      existed;

  existed = stored_task_hash (self, db, task->chain_id, &task->market, &task->task_id, old_hash,
                              &old_count, &lookup_error);
  if (!existed && !g_error_matches (lookup_error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&lookup_error));
      return FALSE;
    }
  stmt = prepare (self, db, "INSERT INTO tasks (chain_id, market, task_id, manifest_uri,"
                            " manifest_hash, title, item_count, private, seen)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                            " ON CONFLICT (chain_id, market, task_id) DO UPDATE SET"
                            " manifest_uri = excluded.manifest_uri,"
                            " manifest_hash = excluded.manifest_hash,"
                            " title = excluded.title, item_count = excluded.item_count,"
                            " private = excluded.private, seen = excluded.seen",
                  error);
  if (stmt == NULL)
    return FALSE;
  task->seen = g_get_real_time () / G_USEC_PER_SEC;
  bind_task_key (stmt, task->chain_id, &task->market, &task->task_id);
  sqlite3_bind_text (stmt, 4, task->manifest_uri, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 5, task->manifest_hash, 32, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, task->title != NULL ? task->title : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 7, task->item_count);
  sqlite3_bind_int (stmt, 8, task->is_private ? 1 : 0);
  sqlite3_bind_int64 (stmt, 9, task->seen);
  if (!run (self, stmt, "save a task to", error))
    return FALSE;

  /* Items of another manifest, or past the new count, describe files
   * this task no longer has. */
  if (existed && (memcmp (old_hash, task->manifest_hash, 32) != 0 || task->item_count < old_count))
    {
      stmt = prepare (self, db, "DELETE FROM items WHERE " TASK_KEY " AND (?4 OR item >= ?5)", error);
      if (stmt == NULL)
        return FALSE;
      bind_task_key (stmt, task->chain_id, &task->market, &task->task_id);
      sqlite3_bind_int (stmt, 4, memcmp (old_hash, task->manifest_hash, 32) != 0);
      sqlite3_bind_int64 (stmt, 5, task->item_count);
      if (!run (self, stmt, "drop the items of a task from", error))
        return FALSE;
    }
  return TRUE;
}

gboolean
tally_store_put_task (TallyStore     *self,
                      TallyStoreTask *task,
                      GError        **error)
{
  sqlite3 *db;
  gboolean ok;

  g_return_val_if_fail (TALLY_IS_STORE (self), FALSE);
  g_return_val_if_fail (task != NULL, FALSE);
  g_return_val_if_fail (task->manifest_uri != NULL, FALSE);

  if (!g_utf8_validate (task->manifest_uri, -1, NULL) ||
      (task->title != NULL && !g_utf8_validate (task->title, -1, NULL)))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST,
                   "The task's manifest address or title is not valid UTF-8");
      return FALSE;
    }

  db = _tally_store_lock (self);
  ok = exec (self, db, "BEGIN IMMEDIATE", "save a task to", error);
  /* A failed COMMIT leaves the transaction open: roll it back too. */
  if (ok && !(ok = put_task_locked (self, db, task, error) &&
                   exec (self, db, "COMMIT", "save a task to", error)))
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  _tally_store_unlock (self);
  return ok;
}

TallyStoreTask *
tally_store_get_task (TallyStore         *self,
                      guint64             chain_id,
                      const TallyAddress *market,
                      const TallyUint256 *task_id,
                      GError            **error)
{
  g_autoptr (TallyStoreTask) task = g_new0 (TallyStoreTask, 1);
  g_autoptr (TallyStoreLocker) locker = NULL;
  sqlite3_stmt *stmt;
  sqlite3      *db = NULL;
  const char   *uri;
  int           rc;

  g_return_val_if_fail (TALLY_IS_STORE (self), NULL);
  g_return_val_if_fail (market != NULL && task_id != NULL, NULL);

  locker = _tally_store_locker_new (self, &db);

  stmt = prepare (self, db, "SELECT manifest_uri, manifest_hash, title, item_count, private, seen"
                            " FROM tasks WHERE " TASK_KEY,
                  error);
  if (stmt == NULL)
    return NULL;
  bind_task_key (stmt, chain_id, market, task_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      sqlite3_finalize (stmt);
      if (rc == SQLITE_DONE)
        task_not_found (chain_id, market, task_id, error);
      else
        _tally_store_fail (self, "read a task from", error);
      return NULL;
    }
  uri = (const char *) sqlite3_column_text (stmt, 0);
  if (uri == NULL || !g_utf8_validate (uri, -1, NULL) || sqlite3_column_bytes (stmt, 1) != 32)
    {
      sqlite3_finalize (stmt);
      damaged (self, "a task", error);
      return NULL;
    }
  task->chain_id = chain_id;
  task->market = *market;
  task->task_id = *task_id;
  task->manifest_uri = g_strdup (uri);
  memcpy (task->manifest_hash, sqlite3_column_blob (stmt, 1), 32);
  task->title = _tally_store_column_utf8 (stmt, 2);
  task->item_count = (guint) sqlite3_column_int64 (stmt, 3);
  task->is_private = sqlite3_column_int (stmt, 4) != 0;
  task->seen = sqlite3_column_int64 (stmt, 5);
  sqlite3_finalize (stmt);
  return g_steal_pointer (&task);
}

gboolean
tally_store_remove_task (TallyStore         *self,
                         guint64             chain_id,
                         const TallyAddress *market,
                         const TallyUint256 *task_id,
                         GError            **error)
{
  sqlite3_stmt *stmt;
  sqlite3      *db;
  gboolean      ok = FALSE;

  g_return_val_if_fail (TALLY_IS_STORE (self), FALSE);
  g_return_val_if_fail (market != NULL && task_id != NULL, FALSE);

  db = _tally_store_lock (self);
  /* The items go with it (ON DELETE CASCADE). */
  stmt = prepare (self, db, "DELETE FROM tasks WHERE " TASK_KEY, error);
  if (stmt != NULL)
    {
      bind_task_key (stmt, chain_id, market, task_id);
      ok = run (self, stmt, "remove a task from", error) &&
           (sqlite3_changes (db) > 0 || task_not_found (chain_id, market, task_id, error));
    }
  _tally_store_unlock (self);
  return ok;
}

/* ---- Items ----------------------------------------------------------------- */

static gboolean
put_item_locked (TallyStore         *self,
                 sqlite3            *db,
                 guint64             chain_id,
                 const TallyAddress *market,
                 const TallyUint256 *task_id,
                 guint               item,
                 const char         *item_id,
                 const guint8        sha256[32],
                 guint64             size,
                 gboolean            cached,
                 GError            **error)
{
  sqlite3_stmt *stmt;
  guint8        hash[32];
  guint         item_count = 0;

  if (!stored_task_hash (self, db, chain_id, market, task_id, hash, &item_count, error))
    return FALSE;
  if (item >= item_count)
    {
      g_autofree char *id = tally_uint256_to_decimal (task_id);

      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST,
                   "Item %u is past the %u items of task %s", item + 1, item_count, id);
      return FALSE;
    }
  stmt = prepare (self, db, "INSERT OR REPLACE INTO items (chain_id, market, task_id, item,"
                            " item_id, sha256, size, cached) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                  error);
  if (stmt == NULL)
    return FALSE;
  bind_task_key (stmt, chain_id, market, task_id);
  sqlite3_bind_int64 (stmt, 4, item);
  sqlite3_bind_text (stmt, 5, item_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 6, sha256, 32, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 7, (sqlite3_int64) size);
  sqlite3_bind_int64 (stmt, 8, cached ? MAX (g_get_real_time () / G_USEC_PER_SEC, 1) : 0);
  return run (self, stmt, "save an item to", error);
}

gboolean
tally_store_put_item (TallyStore         *self,
                      guint64             chain_id,
                      const TallyAddress *market,
                      const TallyUint256 *task_id,
                      guint               item,
                      const char         *item_id,
                      const guint8        sha256[32],
                      guint64             size,
                      gboolean            cached,
                      GError            **error)
{
  gboolean ok;

  g_return_val_if_fail (TALLY_IS_STORE (self), FALSE);
  g_return_val_if_fail (market != NULL && task_id != NULL, FALSE);
  g_return_val_if_fail (item_id != NULL && sha256 != NULL, FALSE);

  /* The column is a signed integer; a manifest cannot promise more. */
  if (!g_utf8_validate (item_id, -1, NULL) || size > G_MAXINT64)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST,
                   "Item %u has an id that is not UTF-8 or an impossible size", item + 1);
      return FALSE;
    }
  ok = put_item_locked (self, _tally_store_lock (self), chain_id, market, task_id, item, item_id,
                        sha256, size, cached, error);
  _tally_store_unlock (self);
  return ok;
}

static guint
count_cached_locked (TallyStore         *self,
                     sqlite3            *db,
                     guint64             chain_id,
                     const TallyAddress *market,
                     const TallyUint256 *task_id,
                     GError            **error)
{
  sqlite3_stmt *stmt;
  guint8        hash[32];
  guint         item_count = 0, count = 0;

  if (!stored_task_hash (self, db, chain_id, market, task_id, hash, &item_count, error))
    return 0;
  stmt = prepare (self, db, "SELECT count (*) FROM items WHERE " TASK_KEY " AND cached > 0", error);
  if (stmt == NULL)
    return 0;
  bind_task_key (stmt, chain_id, market, task_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    count = (guint) sqlite3_column_int64 (stmt, 0);
  else
    _tally_store_fail (self, "count the cached items of", error);
  sqlite3_finalize (stmt);
  return count;
}

guint
tally_store_count_cached_items (TallyStore         *self,
                                guint64             chain_id,
                                const TallyAddress *market,
                                const TallyUint256 *task_id,
                                GError            **error)
{
  guint count;

  g_return_val_if_fail (TALLY_IS_STORE (self), 0);
  g_return_val_if_fail (market != NULL && task_id != NULL, 0);

  count = count_cached_locked (self, _tally_store_lock (self), chain_id, market, task_id, error);
  _tally_store_unlock (self);
  return count;
}

/* ---- Prices ---------------------------------------------------------------- */

gboolean
tally_store_add_price (TallyStore         *self,
                       const char         *asset,
                       const char         *currency,
                       GDateTime          *time,
                       const TallyDecimal *price,
                       GError            **error)
{
  g_autofree char *text = NULL;
  g_autofree char *code = NULL;
  sqlite3_stmt    *stmt;
  sqlite3         *db;
  gboolean         ok = FALSE;

  g_return_val_if_fail (TALLY_IS_STORE (self), FALSE);
  g_return_val_if_fail (asset != NULL && *asset != '\0', FALSE);
  g_return_val_if_fail (currency != NULL && *currency != '\0', FALSE);
  g_return_val_if_fail (time != NULL && price != NULL, FALSE);

  text = tally_decimal_to_string (price);
  code = g_ascii_strdown (currency, -1);
  db = _tally_store_lock (self);
  stmt = prepare (self, db, "INSERT OR REPLACE INTO prices (asset, currency, time, price)"
                            " VALUES (?1, ?2, ?3, ?4)",
                  error);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, asset, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, code, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, g_date_time_to_unix (time));
      sqlite3_bind_text (stmt, 4, text, -1, SQLITE_TRANSIENT);
      ok = run (self, stmt, "save a price to", error);
    }
  _tally_store_unlock (self);
  return ok;
}

typedef struct
{
  gint64       time;
  TallyDecimal price;
} Point;

/* The most recent readable rows first, as many as the history holds. */
static GArray *
read_prices_locked (TallyStore *self,
                    sqlite3    *db,
                    const char *asset,
                    const char *currency,
                    guint       limit,
                    GError    **error)
{
  g_autoptr (GArray) points = g_array_new (FALSE, FALSE, sizeof (Point));
  sqlite3_stmt *stmt;
  int           rc = SQLITE_DONE;

  stmt = prepare (self, db, "SELECT time, price FROM prices WHERE asset = ?1 AND currency = ?2"
                            " ORDER BY time DESC",
                  error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, asset, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, currency, -1, SQLITE_TRANSIENT);
  while (points->len < limit && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *text = (const char *) sqlite3_column_text (stmt, 1);
      Point       point = { sqlite3_column_int64 (stmt, 0) };

      if (text == NULL || !tally_decimal_parse (&point.price, text, NULL))
        {
          g_debug ("Skipping a price this version cannot read");
          continue;
        }
      g_array_append_val (points, point);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      _tally_store_fail (self, "read the prices of", error);
      return NULL;
    }
  return g_steal_pointer (&points);
}

gboolean
tally_store_load_prices (TallyStore        *self,
                         const char        *asset,
                         TallyPriceHistory *history,
                         GError           **error)
{
  g_autoptr (GArray) points = NULL;
  g_autofree char *currency = NULL;

  g_return_val_if_fail (TALLY_IS_STORE (self), FALSE);
  g_return_val_if_fail (asset != NULL, FALSE);
  g_return_val_if_fail (TALLY_IS_PRICE_HISTORY (history), FALSE);

  currency = g_ascii_strdown (tally_price_history_get_currency (history), -1);
  points = read_prices_locked (self, _tally_store_lock (self), asset, currency,
                               tally_price_history_get_capacity (history), error);
  _tally_store_unlock (self);
  if (points == NULL)
    return FALSE;
  tally_price_history_clear (history);
  for (guint i = points->len; i > 0; i--)
    {
      const Point *point = &g_array_index (points, Point, i - 1);
      g_autoptr (GDateTime) time = g_date_time_new_from_unix_utc (point->time);

      /* A time GDateTime cannot hold came from a damaged row. */
      if (time != NULL)
        tally_price_history_append (history, time, &point->price);
    }
  return TRUE;
}

gboolean
tally_store_prune_prices (TallyStore *self,
                          GDateTime  *before,
                          guint      *n_removed,
                          GError    **error)
{
  sqlite3_stmt *stmt;
  sqlite3      *db;
  gboolean      ok = FALSE;

  g_return_val_if_fail (TALLY_IS_STORE (self), FALSE);
  g_return_val_if_fail (before != NULL, FALSE);

  if (n_removed != NULL)
    *n_removed = 0;
  db = _tally_store_lock (self);
  stmt = prepare (self, db, "DELETE FROM prices WHERE time < ?1", error);
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, g_date_time_to_unix (before));
      ok = run (self, stmt, "prune the prices of", error);
      if (ok && n_removed != NULL)
        *n_removed = (guint) sqlite3_changes (db);
    }
  _tally_store_unlock (self);
  return ok;
}
