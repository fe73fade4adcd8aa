/* market-log-cache.c: the market log's cache file, a SQLite database that
 * only worker threads touch, one step at a time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "core-error.h"
#include "market-log-private.h"
#include "sqlite-file.h"

#define ROLE "the event cache"

static const char *const migrations[] = {
  "CREATE TABLE sync ("
  " chain_id INTEGER NOT NULL, market BLOB NOT NULL,"
  " first_block INTEGER NOT NULL, synced_block INTEGER NOT NULL,"
  " synced_hash BLOB, PRIMARY KEY (chain_id, market));"
  "CREATE TABLE logs ("
  " chain_id INTEGER NOT NULL, market BLOB NOT NULL,"
  " block INTEGER NOT NULL, log_index INTEGER NOT NULL,"
  " tx_hash BLOB NOT NULL, topics BLOB NOT NULL, data BLOB NOT NULL,"
  " PRIMARY KEY (chain_id, market, block, log_index)) WITHOUT ROWID;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == TALLY_MARKET_LOG_SCHEMA_VERSION);

static gboolean
db_fail (TallyMarketLog *self,
         const char     *doing,
         GError        **error)
{
  return tally_sqlite_fail (self->db, ROLE, self->cache_path, doing, error);
}

static gboolean
db_exec (TallyMarketLog *self,
         const char     *sql,
         const char     *doing,
         GError        **error)
{
  return tally_sqlite_exec (self->db, ROLE, self->cache_path, sql, doing, error);
}

static gboolean
db_migrate (TallyMarketLog *self,
            GError        **error)
{
  /* A cache from a newer Tally is only a cache: start it again. */
  if (tally_sqlite_user_version (self->db) > TALLY_MARKET_LOG_SCHEMA_VERSION &&
      !db_exec (self, "DROP TABLE IF EXISTS logs; DROP TABLE IF EXISTS sync; PRAGMA user_version = 0",
                "reset", error))
    return FALSE;
  return tally_sqlite_migrate (self->db, ROLE, self->cache_path, migrations,
                               G_N_ELEMENTS (migrations), error);
}

void
_tally_market_log_close_cache (TallyMarketLog *self)
{
  g_clear_pointer (&self->db, sqlite3_close);
}

static gboolean
db_open (TallyMarketLog *self,
         GError        **error)
{
  /* Not durable: losing the last pages to a power cut only means fetching
   * them again. */
  return tally_sqlite_open (&self->db, ROLE, self->cache_path, FALSE, error) &&
         db_migrate (self, error);
}

static void
db_bind_key (TallyMarketLog *self,
             sqlite3_stmt   *stmt)
{
  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) self->chain_id);
  sqlite3_bind_blob (stmt, 2, self->market.bytes, TALLY_ADDRESS_LEN, SQLITE_STATIC);
}

void
tally_market_log_loaded_free (TallyMarketLogLoaded *loaded)
{
  g_clear_pointer (&loaded->logs, g_ptr_array_unref);
  g_free (loaded);
}

static TallyRpcLog *
row_to_log (TallyMarketLog *self,
            sqlite3_stmt   *stmt)
{
  g_autoptr (TallyRpcLog) log = g_new0 (TallyRpcLog, 1);
  int topics_len = sqlite3_column_bytes (stmt, 3);

  /* Sync never stores a log without its event topic. */
  if (sqlite3_column_bytes (stmt, 2) != TALLY_RPC_HASH_LEN || topics_len == 0 ||
      topics_len % TALLY_RPC_HASH_LEN != 0 || topics_len > 4 * TALLY_RPC_HASH_LEN)
    return NULL;
  log->address = self->market;
  log->block_number = (guint64) sqlite3_column_int64 (stmt, 0);
  log->log_index = (guint64) sqlite3_column_int64 (stmt, 1);
  memcpy (log->transaction_hash, sqlite3_column_blob (stmt, 2), TALLY_RPC_HASH_LEN);
  log->n_topics = (guint) topics_len / TALLY_RPC_HASH_LEN;
  log->topics = g_memdup2 (sqlite3_column_blob (stmt, 3), (gsize) topics_len);
  log->data = g_bytes_new (sqlite3_column_blob (stmt, 4), (gsize) sqlite3_column_bytes (stmt, 4));
  return g_steal_pointer (&log);
}

/* The rows of this chain and market, or an empty cache when the market was
 * deployed again (another first block) or a row does not make sense. */
static gboolean
db_load (TallyMarketLog       *self,
         TallyMarketLogLoaded *loaded,
         GError              **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean      fresh = TRUE;

  loaded->logs = g_ptr_array_new_with_free_func ((GDestroyNotify) tally_rpc_log_free);
  loaded->synced_block = self->first_block - 1;
  if (sqlite3_prepare_v2 (self->db,
                          "SELECT first_block, synced_block, synced_hash FROM sync"
                          " WHERE chain_id = ?1 AND market = ?2",
                          -1, &stmt, NULL) != SQLITE_OK)
    return db_fail (self, "read", error);
  db_bind_key (self, stmt);
  if (sqlite3_step (stmt) == SQLITE_ROW &&
      (guint64) sqlite3_column_int64 (stmt, 0) == self->first_block &&
      (guint64) sqlite3_column_int64 (stmt, 1) >= self->first_block &&
      sqlite3_column_bytes (stmt, 2) == TALLY_RPC_HASH_LEN)
    {
      fresh = FALSE;
      loaded->synced_block = (guint64) sqlite3_column_int64 (stmt, 1);
      loaded->has_hash = TRUE;
      memcpy (loaded->hash, sqlite3_column_blob (stmt, 2), TALLY_RPC_HASH_LEN);
    }
  sqlite3_finalize (stmt);
  if (fresh)
    return TRUE;

  if (sqlite3_prepare_v2 (self->db,
                          "SELECT block, log_index, tx_hash, topics, data FROM logs"
                          " WHERE chain_id = ?1 AND market = ?2 AND block <= ?3"
                          " ORDER BY block, log_index",
                          -1, &stmt, NULL) != SQLITE_OK)
    return db_fail (self, "read", error);
  db_bind_key (self, stmt);
  sqlite3_bind_int64 (stmt, 3, (sqlite3_int64) loaded->synced_block);
  for (int rc; (rc = sqlite3_step (stmt)) != SQLITE_DONE;)
    {
      TallyRpcLog *log;

      if (rc != SQLITE_ROW)
        {
          sqlite3_finalize (stmt);
          return db_fail (self, "read", error);
        }
      log = row_to_log (self, stmt);
      if (log == NULL)
        {
          /* A damaged row: the cache cannot be trusted, fetch it all again. */
          sqlite3_finalize (stmt);
          g_ptr_array_set_size (loaded->logs, 0);
          loaded->synced_block = self->first_block - 1;
          loaded->has_hash = FALSE;
          return TRUE;
        }
      g_ptr_array_add (loaded->logs, log);
    }
  sqlite3_finalize (stmt);
  return TRUE;
}

static const char *const cache_suffixes[] = { "", "-wal", "-shm" };

void
_tally_market_log_load_thread (GTask        *task,
                               gpointer      source_object,
                               gpointer      task_data,
                               GCancellable *cancellable)
{
  TallyMarketLog       *self = source_object;
  TallyMarketLogLoaded *loaded = g_new0 (TallyMarketLogLoaded, 1);
  g_autoptr (GError) error = NULL;

  if (!db_open (self, &error) || !db_load (self, loaded, &error))
    {
      int code = self->db != NULL ? sqlite3_errcode (self->db) : SQLITE_OK;

      /* A cache that is not a database any more is rebuilt, not fatal. */
      if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
        {
          g_debug ("Event cache %s is damaged (%s); starting it again", self->cache_path,
                   error->message);
          g_clear_error (&error);
          _tally_market_log_close_cache (self);
          g_clear_pointer (&loaded->logs, g_ptr_array_unref);
          for (guint i = 0; i < G_N_ELEMENTS (cache_suffixes); i++)
            {
              g_autofree char *path = g_strconcat (self->cache_path, cache_suffixes[i], NULL);

              g_unlink (path);
            }
          if (db_open (self, &error) && db_load (self, loaded, &error))
            {
              g_task_return_pointer (task, loaded, (GDestroyNotify) tally_market_log_loaded_free);
              return;
            }
        }
      _tally_market_log_close_cache (self);
      tally_market_log_loaded_free (loaded);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, loaded, (GDestroyNotify) tally_market_log_loaded_free);
}

void
tally_market_log_write_free (TallyMarketLogWrite *write)
{
  g_clear_pointer (&write->logs, g_ptr_array_unref);
  g_free (write);
}

static gboolean
db_write_sync_row (TallyMarketLog            *self,
                   const TallyMarketLogWrite *write,
                   GError                   **error)
{
  sqlite3_stmt *stmt = NULL;
  int           rc;

  if (sqlite3_prepare_v2 (self->db,
                          "INSERT OR REPLACE INTO sync"
                          " (chain_id, market, first_block, synced_block, synced_hash)"
                          " VALUES (?1, ?2, ?3, ?4, ?5)",
                          -1, &stmt, NULL) != SQLITE_OK)
    return db_fail (self, "write", error);
  db_bind_key (self, stmt);
  sqlite3_bind_int64 (stmt, 3, (sqlite3_int64) self->first_block);
  sqlite3_bind_int64 (stmt, 4, (sqlite3_int64) write->synced_block);
  if (write->has_hash)
    sqlite3_bind_blob (stmt, 5, write->hash, TALLY_RPC_HASH_LEN, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 5);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE || db_fail (self, "write", error);
}

static gboolean
db_write_logs (TallyMarketLog *self,
               GPtrArray      *logs,
               GError        **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (self->db,
                          "INSERT OR REPLACE INTO logs"
                          " (chain_id, market, block, log_index, tx_hash, topics, data)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                          -1, &stmt, NULL) != SQLITE_OK)
    return db_fail (self, "write", error);
  for (guint i = 0; i < logs->len; i++)
    {
      const TallyRpcLog *log = g_ptr_array_index (logs, i);
      gsize              data_len = 0;
      gconstpointer      data = g_bytes_get_data (log->data, &data_len);

      sqlite3_reset (stmt);
      db_bind_key (self, stmt);
      sqlite3_bind_int64 (stmt, 3, (sqlite3_int64) log->block_number);
      sqlite3_bind_int64 (stmt, 4, (sqlite3_int64) log->log_index);
      sqlite3_bind_blob (stmt, 5, log->transaction_hash, TALLY_RPC_HASH_LEN, SQLITE_STATIC);
      sqlite3_bind_blob (stmt, 6, log->topics, (int) (log->n_topics * TALLY_RPC_HASH_LEN),
                         SQLITE_STATIC);
      sqlite3_bind_blob (stmt, 7, data_len > 0 ? data : "", (int) data_len, SQLITE_STATIC);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          sqlite3_finalize (stmt);
          return db_fail (self, "write", error);
        }
    }
  sqlite3_finalize (stmt);
  return TRUE;
}

static gboolean
db_delete_after (TallyMarketLog *self,
                 guint64         block,
                 GError        **error)
{
  sqlite3_stmt *stmt = NULL;
  int           rc;

  if (sqlite3_prepare_v2 (self->db,
                          "DELETE FROM logs WHERE chain_id = ?1 AND market = ?2 AND block > ?3",
                          -1, &stmt, NULL) != SQLITE_OK)
    return db_fail (self, "write", error);
  db_bind_key (self, stmt);
  sqlite3_bind_int64 (stmt, 3, (sqlite3_int64) block);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE || db_fail (self, "write", error);
}

void
_tally_market_log_write_thread (GTask        *task,
                                gpointer      source_object,
                                gpointer      task_data,
                                GCancellable *cancellable)
{
  TallyMarketLog      *self = source_object;
  TallyMarketLogWrite *write = task_data;
  g_autoptr (GError) error = NULL;

  if (!db_exec (self, "BEGIN IMMEDIATE", "write", &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if ((write->logs != NULL ? db_write_logs (self, write->logs, &error)
                           : db_delete_after (self, write->synced_block, &error)) &&
      db_write_sync_row (self, write, &error) &&
      db_exec (self, "COMMIT", "write", &error))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  g_task_return_error (task, g_steal_pointer (&error));
}
