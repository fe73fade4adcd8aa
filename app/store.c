/* store.c: Tally's local store (SQLite, WAL, synchronous=FULL)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "core-error.h"
#include "sqlite-file.h"
#include "store-private.h"
#include "store.h"

struct _TallyStore
{
  GObject parent_instance;

  char    *path;
  sqlite3 *db;
  /* Held around every use of db: writes run on worker threads. */
  GMutex            lock;
  TallyStoreWriter *writer;
};

G_DEFINE_FINAL_TYPE (TallyStore, tally_store, G_TYPE_OBJECT)

static const char *const state_names[] = {
  "drafting",
  "committing",
  "committed",
  "revealing",
  "revealed",
  "settled",
  "claimable",
  "claimed",
  "failed",
  "expired",
  "joining",
  "joined",
  "waiting-for-key",
  "left",
};

static const char *const role_names[] = { "annotator", "reviewer" };

/* Each step takes the schema from version i to i + 1. */
static const char *const migrations[] = {
  "CREATE TABLE accounts ("
  " address BLOB PRIMARY KEY CHECK (length (address) = 20),"
  " name TEXT NOT NULL DEFAULT '',"
  " added INTEGER NOT NULL);"
  "CREATE TABLE submissions ("
  " chain_id INTEGER NOT NULL,"
  " market BLOB NOT NULL CHECK (length (market) = 20),"
  " task_id BLOB NOT NULL CHECK (length (task_id) = 32),"
  " account BLOB NOT NULL CHECK (length (account) = 20),"
  " role TEXT NOT NULL CHECK (role IN ('annotator', 'reviewer')),"
  " seat INTEGER NOT NULL CHECK (seat >= 0),"
  " state TEXT NOT NULL,"
  " labels BLOB, payload BLOB, salt BLOB, commitment BLOB, commit_tx BLOB, reveal_tx BLOB,"
  " reason TEXT,"
  " updated INTEGER NOT NULL,"
  " PRIMARY KEY (chain_id, market, task_id, account, role, seat));"
  "CREATE TABLE annotations ("
  " chain_id INTEGER NOT NULL,"
  " market BLOB NOT NULL,"
  " task_id BLOB NOT NULL,"
  " account BLOB NOT NULL,"
  " item INTEGER NOT NULL CHECK (item >= 0),"
  " data BLOB NOT NULL,"
  " updated INTEGER NOT NULL,"
  " PRIMARY KEY (chain_id, market, task_id, account, item)) WITHOUT ROWID;",

  /* 1 -> 2: what the rest of the app remembers between runs (networks,
   * tasks and their cached items, prices) and a requester's own tasks,
   * whose gold and salt must be on disk before the create is broadcast. */
  "CREATE TABLE networks ("
  " name TEXT PRIMARY KEY,"
  " chain_id INTEGER NOT NULL,"
  " profile TEXT NOT NULL," /* the network file's JSON */
  " used INTEGER NOT NULL);"
  "CREATE TABLE tasks ("
  " chain_id INTEGER NOT NULL,"
  " market BLOB NOT NULL CHECK (length (market) = 20),"
  " task_id BLOB NOT NULL CHECK (length (task_id) = 32),"
  " manifest_uri TEXT NOT NULL,"
  " manifest_hash BLOB NOT NULL CHECK (length (manifest_hash) = 32),"
  " title TEXT NOT NULL DEFAULT '',"
  " item_count INTEGER NOT NULL CHECK (item_count >= 0),"
  " private INTEGER NOT NULL DEFAULT 0,"
  " seen INTEGER NOT NULL,"
  " PRIMARY KEY (chain_id, market, task_id));"
  "CREATE TABLE items ("
  " chain_id INTEGER NOT NULL,"
  " market BLOB NOT NULL,"
  " task_id BLOB NOT NULL,"
  " item INTEGER NOT NULL CHECK (item >= 0),"
  " item_id TEXT NOT NULL,"
  " sha256 BLOB NOT NULL CHECK (length (sha256) = 32),"
  " size INTEGER NOT NULL CHECK (size >= 0),"
  " cached INTEGER NOT NULL DEFAULT 0," /* when it was verified into the cache, 0 if not */
  " PRIMARY KEY (chain_id, market, task_id, item),"
  " FOREIGN KEY (chain_id, market, task_id) REFERENCES tasks ON DELETE CASCADE) WITHOUT ROWID;"
  "CREATE TABLE prices ("
  " asset TEXT NOT NULL,"
  " currency TEXT NOT NULL,"
  " time INTEGER NOT NULL,"
  " price TEXT NOT NULL," /* decimal text, never a float */
  " PRIMARY KEY (asset, currency, time)) WITHOUT ROWID;"
  "CREATE TABLE requester_tasks ("
  " purpose TEXT PRIMARY KEY," /* the create transaction's purpose in the journal */
  " chain_id INTEGER NOT NULL,"
  " market BLOB NOT NULL CHECK (length (market) = 20),"
  " requester BLOB NOT NULL CHECK (length (requester) = 20),"
  " task_id BLOB CHECK (task_id IS NULL OR length (task_id) = 32)," /* once mined */
  " manifest_hash BLOB NOT NULL CHECK (length (manifest_hash) = 32),"
  " gold_indices BLOB," /* big-endian uint16 each */
  " gold_labels BLOB,"
  " gold_salt BLOB CHECK (gold_salt IS NULL OR length (gold_salt) = 32),"
  " state TEXT NOT NULL,"
  " reason TEXT,"
  " updated INTEGER NOT NULL);",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == TALLY_STORE_SCHEMA_VERSION);
G_STATIC_ASSERT (G_N_ELEMENTS (state_names) == TALLY_SUBMISSION_LEFT + 1);

const char *
tally_submission_state_to_string (TallySubmissionState state)
{
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (state_names), NULL);

  return state_names[state];
}

gboolean
tally_submission_state_is_unfinished (TallySubmissionState state)
{
  return state != TALLY_SUBMISSION_CLAIMED && state != TALLY_SUBMISSION_FAILED &&
         state != TALLY_SUBMISSION_EXPIRED && state != TALLY_SUBMISSION_LEFT;
}

void
tally_submission_record_free (TallySubmissionRecord *record)
{
  if (record == NULL)
    return;
  g_clear_pointer (&record->labels, g_bytes_unref);
  g_clear_pointer (&record->payload, g_bytes_unref);
  /* The salt opens the commitment early; no reason to leave it around. */
  memset (record->salt, 0, sizeof record->salt);
  g_free (record->reason);
  g_free (record);
}

TallySubmissionRecord *
tally_submission_record_copy (const TallySubmissionRecord *record)
{
  TallySubmissionRecord *copy = g_memdup2 (record, sizeof *record);

  copy->labels = record->labels != NULL ? g_bytes_ref (record->labels) : NULL;
  copy->payload = record->payload != NULL ? g_bytes_ref (record->payload) : NULL;
  copy->reason = g_strdup (record->reason);
  return copy;
}

/* ---- SQLite ---------------------------------------------------------------- */

#define ROLE "the local store"

static gboolean
fail (TallyStore *self,
      const char *doing,
      GError    **error)
{
  return tally_sqlite_fail (self->db, ROLE, self->path, doing, error);
}

static sqlite3_stmt *
prepare (TallyStore *self,
         const char *sql,
         GError    **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      fail (self, "query", error);
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
  return rc == SQLITE_DONE || fail (self, doing, error);
}

TallyStore *
tally_store_open (const char *path,
                  GError    **error)
{
  g_autoptr (TallyStore) self = NULL;
  g_autofree char *dir = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (TALLY_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE,
                   "Could not create the folder %s for the store: %s", dir, g_strerror (saved));
      return NULL;
    }
  /* Durable: what a call reports written survives a power cut, which is
   * the whole point of writing labels down before a commit is sent. */
  if (!tally_sqlite_open (&self->db, ROLE, path, TRUE, error) ||
      !tally_sqlite_exec (self->db, ROLE, path, "PRAGMA foreign_keys = ON", "open", error) ||
      !tally_sqlite_migrate (self->db, ROLE, path, migrations, G_N_ELEMENTS (migrations), error))
    return NULL;
  return g_steal_pointer (&self);
}

char *
tally_store_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "tally", "tally.db", NULL);
}

const char *
tally_store_get_path (TallyStore *self)
{
  g_return_val_if_fail (TALLY_IS_STORE (self), NULL);

  return self->path;
}

guint
tally_store_get_schema_version (TallyStore *self)
{
  g_autoptr (TallyStoreLocker) locker = NULL;

  g_return_val_if_fail (TALLY_IS_STORE (self), 0);

  locker = _tally_store_locker_new (self, NULL);
  return (guint) MAX (tally_sqlite_user_version (self->db), 0);
}

/* ---- Submissions ----------------------------------------------------------- */

#define SUBMISSION_COLUMNS                                                                     \
  "chain_id, market, task_id, account, role, seat, state, labels, payload, salt, commitment, " \
  "commit_tx, reveal_tx, reason, updated"

static void
bind_key (sqlite3_stmt       *stmt,
          guint64             chain_id,
          const TallyAddress *market,
          const TallyUint256 *task_id,
          const TallyAddress *account,
          TallySubmissionRole role,
          guint               seat)
{
  guint8 id[32];

  tally_uint256_to_bytes32 (id, task_id);
  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) chain_id);
  sqlite3_bind_blob (stmt, 2, market->bytes, TALLY_ADDRESS_LEN, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 3, id, sizeof id, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 4, account->bytes, TALLY_ADDRESS_LEN, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, role_names[role], -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, seat);
}

static void
bind_optional (sqlite3_stmt *stmt,
               int           index,
               gboolean      present,
               const guint8 *bytes,
               gsize         len)
{
  if (present)
    sqlite3_bind_blob (stmt, index, len > 0 ? bytes : (const guint8 *) "", (int) len, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

gboolean
tally_store_put_submission (TallyStore            *self,
                            TallySubmissionRecord *record,
                            GError               **error)
{
  g_autoptr (TallyStoreLocker) locker = NULL;
  sqlite3_stmt *stmt;
  gsize         len = 0;
  const guint8 *bytes;

  g_return_val_if_fail (TALLY_IS_STORE (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail ((guint) record->state < G_N_ELEMENTS (state_names), FALSE);
  g_return_val_if_fail ((guint) record->role < G_N_ELEMENTS (role_names), FALSE);

  locker = _tally_store_locker_new (self, NULL);
  stmt = prepare (self, "INSERT OR REPLACE INTO submissions (" SUBMISSION_COLUMNS ")"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                  error);
  if (stmt == NULL)
    return FALSE;
  record->updated = g_get_real_time () / G_USEC_PER_SEC;
  bind_key (stmt, record->chain_id, &record->market, &record->task_id, &record->account,
            record->role, record->seat);
  sqlite3_bind_text (stmt, 7, state_names[record->state], -1, SQLITE_STATIC);
  bytes = record->labels != NULL ? g_bytes_get_data (record->labels, &len) : NULL;
  bind_optional (stmt, 8, record->labels != NULL, bytes, len);
  bytes = record->payload != NULL ? g_bytes_get_data (record->payload, &len) : NULL;
  bind_optional (stmt, 9, record->payload != NULL, bytes, len);
  bind_optional (stmt, 10, record->has_salt, record->salt, 32);
  bind_optional (stmt, 11, record->has_commitment, record->commitment, 32);
  bind_optional (stmt, 12, record->has_commit_tx, record->commit_tx, 32);
  bind_optional (stmt, 13, record->has_reveal_tx, record->reveal_tx, 32);
  if (record->reason != NULL)
    sqlite3_bind_text (stmt, 14, record->reason, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 14);
  sqlite3_bind_int64 (stmt, 15, record->updated);
  return run (self, stmt, "write a submission to", error);
}

static gboolean
column_fixed (sqlite3_stmt *stmt,
              int           column,
              guint8       *out,
              gsize         len,
              gboolean     *present)
{
  *present = FALSE;
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return TRUE;
  if ((gsize) sqlite3_column_bytes (stmt, column) != len)
    return FALSE;
  memcpy (out, sqlite3_column_blob (stmt, column), len);
  *present = TRUE;
  return TRUE;
}

static GBytes *
column_bytes (sqlite3_stmt *stmt,
              int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return NULL;
  return g_bytes_new (sqlite3_column_blob (stmt, column), (gsize) sqlite3_column_bytes (stmt, column));
}

/* A row back into a record; FALSE for a row this version cannot read
 * (an unknown state, a blob of the wrong length). */
static gboolean
row_to_record (sqlite3_stmt          *stmt,
               TallySubmissionRecord *record)
{
  const char *state = (const char *) sqlite3_column_text (stmt, 6);
  const char *role = (const char *) sqlite3_column_text (stmt, 4);
  gboolean    present = FALSE;
  guint8      id[32];
  guint       i;

  /* A name with a NUL inside is none we wrote: read as C text it would
   * pass for the name before the NUL, which SQL compared whole (a "left\0…"
   * row listed as unfinished, then read as left; found by fuzz-store). */
  if ((state != NULL && strlen (state) != (gsize) sqlite3_column_bytes (stmt, 6)) ||
      (role != NULL && strlen (role) != (gsize) sqlite3_column_bytes (stmt, 4)))
    return FALSE;
  record->chain_id = (guint64) sqlite3_column_int64 (stmt, 0);
  if (!column_fixed (stmt, 1, record->market.bytes, TALLY_ADDRESS_LEN, &present) || !present ||
      !column_fixed (stmt, 2, id, sizeof id, &present) || !present ||
      !column_fixed (stmt, 3, record->account.bytes, TALLY_ADDRESS_LEN, &present) || !present ||
      role == NULL || state == NULL)
    return FALSE;
  tally_uint256_from_bytes32 (&record->task_id, id);
  if (g_str_equal (role, role_names[TALLY_SUBMISSION_REVIEWER]))
    record->role = TALLY_SUBMISSION_REVIEWER;
  else if (g_str_equal (role, role_names[TALLY_SUBMISSION_ANNOTATOR]))
    record->role = TALLY_SUBMISSION_ANNOTATOR;
  else
    return FALSE;
  record->seat = (guint) sqlite3_column_int64 (stmt, 5);
  for (i = 0; i < G_N_ELEMENTS (state_names) && !g_str_equal (state, state_names[i]); i++)
    ;
  if (i == G_N_ELEMENTS (state_names))
    return FALSE;
  record->state = (TallySubmissionState) i;
  record->labels = column_bytes (stmt, 7);
  record->payload = column_bytes (stmt, 8);
  if (!column_fixed (stmt, 9, record->salt, 32, &record->has_salt) ||
      !column_fixed (stmt, 10, record->commitment, 32, &record->has_commitment) ||
      !column_fixed (stmt, 11, record->commit_tx, 32, &record->has_commit_tx) ||
      !column_fixed (stmt, 12, record->reveal_tx, 32, &record->has_reveal_tx))
    return FALSE;
  record->reason = _tally_store_column_utf8 (stmt, 13);
  record->updated = sqlite3_column_int64 (stmt, 14);
  return TRUE;
}

TallySubmissionRecord *
tally_store_get_submission (TallyStore         *self,
                            guint64             chain_id,
                            const TallyAddress *market,
                            const TallyUint256 *task_id,
                            const TallyAddress *account,
                            TallySubmissionRole role,
                            guint               seat,
                            GError            **error)
{
  g_autoptr (TallySubmissionRecord) record = g_new0 (TallySubmissionRecord, 1);
  g_autoptr (TallyStoreLocker) locker = NULL;
  sqlite3_stmt *stmt;
  int           rc;

  g_return_val_if_fail (TALLY_IS_STORE (self), NULL);
  g_return_val_if_fail (market != NULL && task_id != NULL && account != NULL, NULL);
  g_return_val_if_fail ((guint) role < G_N_ELEMENTS (role_names), NULL);

  locker = _tally_store_locker_new (self, NULL);
  stmt = prepare (self, "SELECT " SUBMISSION_COLUMNS " FROM submissions WHERE chain_id = ?1 AND"
                        " market = ?2 AND task_id = ?3 AND account = ?4 AND role = ?5 AND seat = ?6",
                  error);
  if (stmt == NULL)
    return NULL;
  bind_key (stmt, chain_id, market, task_id, account, role, seat);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_autofree char *id = tally_uint256_to_decimal (task_id);

      sqlite3_finalize (stmt);
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND,
                   "No submission for task %s in the store", id);
      return NULL;
    }
  if (rc != SQLITE_ROW || !row_to_record (stmt, record))
    {
      sqlite3_finalize (stmt);
      fail (self, "read a submission from", error);
      return NULL;
    }
  sqlite3_finalize (stmt);
  return g_steal_pointer (&record);
}

GPtrArray *
tally_store_list_unfinished (TallyStore         *self,
                             guint64             chain_id,
                             const TallyAddress *market,
                             GError            **error)
{
  g_autoptr (GPtrArray) records =
    g_ptr_array_new_with_free_func ((GDestroyNotify) tally_submission_record_free);
  g_autoptr (TallyStoreLocker) locker = NULL;
  sqlite3_stmt *stmt;
  int           rc;

  g_return_val_if_fail (TALLY_IS_STORE (self), NULL);
  g_return_val_if_fail (market != NULL, NULL);

  locker = _tally_store_locker_new (self, NULL);
  stmt = prepare (self, "SELECT " SUBMISSION_COLUMNS " FROM submissions WHERE chain_id = ?1 AND"
                        " market = ?2 AND state NOT IN ('claimed', 'failed', 'expired', 'left')"
                        " ORDER BY task_id, account, role, seat",
                  error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) chain_id);
  sqlite3_bind_blob (stmt, 2, market->bytes, TALLY_ADDRESS_LEN, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr (TallySubmissionRecord) record = g_new0 (TallySubmissionRecord, 1);

      if (!row_to_record (stmt, record))
        {
          /* A row a newer Tally wrote: leave it for that Tally. */
          g_debug ("Skipping a submission this version cannot read");
          continue;
        }
      g_ptr_array_add (records, g_steal_pointer (&record));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      fail (self, "read the submissions of", error);
      return NULL;
    }
  return g_steal_pointer (&records);
}

/* ---- Annotations ----------------------------------------------------------- */

gboolean
tally_store_save_annotation (TallyStore         *self,
                             guint64             chain_id,
                             const TallyAddress *market,
                             const TallyUint256 *task_id,
                             const TallyAddress *account,
                             guint               item,
                             GBytes             *data,
                             GError            **error)
{
  g_autoptr (TallyStoreLocker) locker = NULL;
  sqlite3_stmt *stmt;
  gsize         len = 0;
  const guint8 *bytes;
  guint8        id[32];

  g_return_val_if_fail (TALLY_IS_STORE (self), FALSE);
  g_return_val_if_fail (market != NULL && task_id != NULL && account != NULL, FALSE);
  g_return_val_if_fail (data != NULL, FALSE);

  locker = _tally_store_locker_new (self, NULL);
  stmt = prepare (self, "INSERT OR REPLACE INTO annotations"
                        " (chain_id, market, task_id, account, item, data, updated)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                  error);
  if (stmt == NULL)
    return FALSE;
  tally_uint256_to_bytes32 (id, task_id);
  bytes = g_bytes_get_data (data, &len);
  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) chain_id);
  sqlite3_bind_blob (stmt, 2, market->bytes, TALLY_ADDRESS_LEN, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 3, id, sizeof id, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 4, account->bytes, TALLY_ADDRESS_LEN, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, item);
  sqlite3_bind_blob (stmt, 6, len > 0 ? bytes : (const guint8 *) "", (int) len, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 7, g_get_real_time () / G_USEC_PER_SEC);
  return run (self, stmt, "save an annotation to", error);
}

GHashTable *
tally_store_load_annotations (TallyStore         *self,
                              guint64             chain_id,
                              const TallyAddress *market,
                              const TallyUint256 *task_id,
                              const TallyAddress *account,
                              GError            **error)
{
  g_autoptr (GHashTable) items =
    g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) g_bytes_unref);
  g_autoptr (TallyStoreLocker) locker = NULL;
  sqlite3_stmt *stmt;
  guint8        id[32];
  int           rc;

  g_return_val_if_fail (TALLY_IS_STORE (self), NULL);
  g_return_val_if_fail (market != NULL && task_id != NULL && account != NULL, NULL);

  locker = _tally_store_locker_new (self, NULL);
  stmt = prepare (self, "SELECT item, data FROM annotations WHERE chain_id = ?1 AND market = ?2"
                        " AND task_id = ?3 AND account = ?4",
                  error);
  if (stmt == NULL)
    return NULL;
  tally_uint256_to_bytes32 (id, task_id);
  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) chain_id);
  sqlite3_bind_blob (stmt, 2, market->bytes, TALLY_ADDRESS_LEN, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 3, id, sizeof id, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 4, account->bytes, TALLY_ADDRESS_LEN, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_insert (items, GUINT_TO_POINTER ((guint) sqlite3_column_int64 (stmt, 0)),
                         column_bytes (stmt, 1));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      fail (self, "read the annotations of", error);
      return NULL;
    }
  return g_steal_pointer (&items);
}

/* ---- Accounts -------------------------------------------------------------- */

gboolean
tally_store_add_account (TallyStore         *self,
                         const TallyAddress *address,
                         const char         *name,
                         GError            **error)
{
  g_autoptr (TallyStoreLocker) locker = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (TALLY_IS_STORE (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);

  locker = _tally_store_locker_new (self, NULL);
  /* A second add renames; the account keeps its place in the list. */
  stmt = prepare (self, "INSERT INTO accounts (address, name, added) VALUES (?1, ?2, ?3)"
                        " ON CONFLICT (address) DO UPDATE SET name = excluded.name",
                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_blob (stmt, 1, address->bytes, TALLY_ADDRESS_LEN, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, name != NULL ? name : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time ());
  return run (self, stmt, "add an account to", error);
}

gboolean
tally_store_remove_account (TallyStore         *self,
                            const TallyAddress *address,
                            GError            **error)
{
  g_autoptr (TallyStoreLocker) locker = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (TALLY_IS_STORE (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);

  locker = _tally_store_locker_new (self, NULL);
  stmt = prepare (self, "DELETE FROM accounts WHERE address = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_blob (stmt, 1, address->bytes, TALLY_ADDRESS_LEN, SQLITE_TRANSIENT);
  return run (self, stmt, "remove an account from", error);
}

GPtrArray *
tally_store_list_accounts (TallyStore *self,
                           GPtrArray **names,
                           GError    **error)
{
  g_autoptr (GPtrArray) addresses = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) all_names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (TallyStoreLocker) locker = NULL;
  sqlite3_stmt *stmt;
  int           rc;

  g_return_val_if_fail (TALLY_IS_STORE (self), NULL);

  locker = _tally_store_locker_new (self, NULL);
  stmt = prepare (self, "SELECT address, name FROM accounts ORDER BY added, rowid", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TallyAddress address;
      gboolean     present = FALSE;

      if (!column_fixed (stmt, 0, address.bytes, TALLY_ADDRESS_LEN, &present) || !present)
        continue;
      g_ptr_array_add (addresses, g_memdup2 (&address, sizeof address));
      g_ptr_array_add (all_names, _tally_store_column_utf8 (stmt, 1));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      fail (self, "read the accounts of", error);
      return NULL;
    }
  if (names != NULL)
    *names = g_steal_pointer (&all_names);
  return g_steal_pointer (&addresses);
}

/* ---- The object ------------------------------------------------------------ */

static void
tally_store_finalize (GObject *object)
{
  TallyStore *self = TALLY_STORE (object);

  /* Every queued write holds a reference: the queue is empty by now. */
  g_clear_pointer (&self->writer, _tally_store_writer_free);
  g_clear_pointer (&self->db, sqlite3_close);
  g_free (self->path);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (tally_store_parent_class)->finalize (object);
}

static void
tally_store_class_init (TallyStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tally_store_finalize;
}

static void
tally_store_init (TallyStore *self)
{
  g_mutex_init (&self->lock);
  self->writer = _tally_store_writer_new ();
}

TallyStoreWriter *
_tally_store_get_writer (TallyStore *self)
{
  return self->writer;
}

sqlite3 *
_tally_store_lock (TallyStore *self)
{
  g_mutex_lock (&self->lock);
  return self->db;
}

void
_tally_store_unlock (TallyStore *self)
{
  g_mutex_unlock (&self->lock);
}

gboolean
_tally_store_fail (TallyStore *self,
                   const char *doing,
                   GError    **error)
{
  return fail (self, doing, error);
}
