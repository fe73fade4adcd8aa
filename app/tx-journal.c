/* tx-journal.c: the SQLite journal of signed transactions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "core-error.h"
#include "sqlite-file.h"
#include "tx-journal.h"
#include "wallet/hex.h"

struct _TallyTxJournal
{
  GObject parent_instance;

  char    *path;
  sqlite3 *db;
};

G_DEFINE_FINAL_TYPE (TallyTxJournal, tally_tx_journal, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *const state_names[] = { "pending", "mined", "failed", "replaced", "dropped" };

#define ENTRY_COLUMNS                                                                       \
  "id, chain_id, sender, nonce, raw, hash, state, created, updated, purpose, replaced_by, " \
  "detail"

void
tally_tx_journal_entry_free (TallyTxJournalEntry *entry)
{
  if (entry == NULL)
    return;
  g_clear_pointer (&entry->raw, g_bytes_unref);
  g_free (entry->purpose);
  g_free (entry->detail);
  g_free (entry);
}

const char *
tally_tx_state_to_string (TallyTxState state)
{
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (state_names), NULL);

  return state_names[state];
}

static gboolean
state_from_string (const char   *text,
                   TallyTxState *state)
{
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    if (g_strcmp0 (text, state_names[i]) == 0)
      {
        *state = (TallyTxState) i;
        return TRUE;
      }
  return FALSE;
}

#define ROLE "the transaction journal"

static gboolean
fail (TallyTxJournal *self,
      const char     *what,
      GError        **error)
{
  return tally_sqlite_fail (self->db, ROLE, self->path, what, error);
}

static sqlite3_stmt *
prepare (TallyTxJournal *self,
         const char     *sql,
         const char     *what,
         GError        **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      fail (self, what, error);
      return NULL;
    }
  return stmt;
}

/* Step i takes the file from version i to i + 1. */
static const char *const migrations[] = {
  "CREATE TABLE transactions ("
  " id INTEGER PRIMARY KEY AUTOINCREMENT,"
  " chain_id INTEGER NOT NULL,"
  " sender BLOB NOT NULL CHECK (length (sender) = 20),"
  " nonce INTEGER NOT NULL CHECK (nonce >= 0),"
  " raw BLOB NOT NULL,"
  " hash BLOB NOT NULL UNIQUE CHECK (length (hash) = 32),"
  " state TEXT NOT NULL CHECK (state IN"
  "  ('pending', 'mined', 'failed', 'replaced', 'dropped')),"
  " created INTEGER NOT NULL,"
  " updated INTEGER NOT NULL,"
  " purpose TEXT NOT NULL DEFAULT '',"
  " replaced_by BLOB,"
  " detail TEXT);"
  "CREATE INDEX transactions_by_sender"
  " ON transactions (chain_id, sender, nonce);",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == TALLY_TX_JOURNAL_SCHEMA_VERSION);

TallyTxJournal *
tally_tx_journal_open (const char *path,
                       GError    **error)
{
  g_autoptr (TallyTxJournal) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (TALLY_TYPE_TX_JOURNAL, "path", path, NULL);
  /* FULL: a row is on disk before the transaction it holds is broadcast. */
  if (!tally_sqlite_open (&self->db, ROLE, path, TRUE, error) ||
      !tally_sqlite_migrate (self->db, ROLE, path, migrations, G_N_ELEMENTS (migrations), error))
    return NULL;
  return g_steal_pointer (&self);
}

const char *
tally_tx_journal_get_path (TallyTxJournal *self)
{
  g_return_val_if_fail (TALLY_IS_TX_JOURNAL (self), NULL);

  return self->path;
}

guint
tally_tx_journal_get_schema_version (TallyTxJournal *self)
{
  g_return_val_if_fail (TALLY_IS_TX_JOURNAL (self), 0);

  return (guint) MAX (tally_sqlite_user_version (self->db), 0);
}

gboolean
tally_tx_journal_add (TallyTxJournal     *self,
                      guint64             chain_id,
                      const TallyAddress *sender,
                      guint64             nonce,
                      GBytes             *raw,
                      const guint8        hash[TALLY_TX_JOURNAL_HASH_LEN],
                      const char         *purpose,
                      GError            **error)
{
  sqlite3_stmt *stmt;
  gint64        now = g_get_real_time () / G_USEC_PER_SEC;
  gsize         raw_len = 0;
  const void   *raw_data;
  int           rc;

  g_return_val_if_fail (TALLY_IS_TX_JOURNAL (self), FALSE);
  g_return_val_if_fail (sender != NULL && raw != NULL && hash != NULL, FALSE);
  g_return_val_if_fail (nonce <= G_MAXINT64 && chain_id <= G_MAXINT64, FALSE);

  stmt = prepare (self,
                  "INSERT INTO transactions (chain_id, sender, nonce, raw, hash, state, created,"
                  " updated, purpose) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
                  "record a transaction", error);
  if (stmt == NULL)
    return FALSE;
  raw_data = g_bytes_get_data (raw, &raw_len);
  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) chain_id);
  sqlite3_bind_blob (stmt, 2, sender->bytes, TALLY_ADDRESS_LEN, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, (sqlite3_int64) nonce);
  sqlite3_bind_blob (stmt, 4, raw_data, (int) raw_len, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 5, hash, TALLY_TX_JOURNAL_HASH_LEN, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, now);
  sqlite3_bind_int64 (stmt, 7, now);
  sqlite3_bind_text (stmt, 8, purpose != NULL ? purpose : "", -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return fail (self, "record a transaction", error);
  return TRUE;
}

typedef struct
{
  guint64      chain_id;
  TallyAddress sender;
  guint64      nonce;
  GBytes      *raw;
  guint8       hash[TALLY_TX_JOURNAL_HASH_LEN];
  char        *purpose;
} AddData;

static void
add_data_free (AddData *data)
{
  g_clear_pointer (&data->raw, g_bytes_unref);
  g_free (data->purpose);
  g_free (data);
}

static void
add_in_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  AddData *data = task_data;
  GError  *error = NULL;

  /* The connection is opened with SQLITE_OPEN_FULLMUTEX: one writer at a
   * time from any thread. Not cancelled once started: a half-decided
   * journal write would be worse than a late one. */
  if (tally_tx_journal_add (source_object, data->chain_id, &data->sender, data->nonce, data->raw,
                            data->hash, data->purpose, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
tally_tx_journal_add_async (TallyTxJournal     *self,
                            guint64             chain_id,
                            const TallyAddress *sender,
                            guint64             nonce,
                            GBytes             *raw,
                            const guint8        hash[TALLY_TX_JOURNAL_HASH_LEN],
                            const char         *purpose,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  AddData *data;

  g_return_if_fail (TALLY_IS_TX_JOURNAL (self));
  g_return_if_fail (sender != NULL && raw != NULL && hash != NULL);
  g_return_if_fail (nonce <= G_MAXINT64 && chain_id <= G_MAXINT64);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_tx_journal_add_async);
  data = g_new0 (AddData, 1);
  data->chain_id = chain_id;
  data->sender = *sender;
  data->nonce = nonce;
  data->raw = g_bytes_ref (raw);
  memcpy (data->hash, hash, TALLY_TX_JOURNAL_HASH_LEN);
  data->purpose = g_strdup (purpose);
  g_task_set_task_data (task, data, (GDestroyNotify) add_data_free);
  g_task_run_in_thread (task, add_in_thread);
}

gboolean
tally_tx_journal_add_finish (TallyTxJournal *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tally_tx_journal_add_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
not_found (const guint8 hash[TALLY_TX_JOURNAL_HASH_LEN],
           GError     **error)
{
  g_autofree char *hex = tally_hex_encode (hash, TALLY_TX_JOURNAL_HASH_LEN);

  g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND,
               "Transaction %s is not in the journal", hex);
  return FALSE;
}

static gboolean
update (TallyTxJournal *self,
        const guint8    hash[TALLY_TX_JOURNAL_HASH_LEN],
        TallyTxState    state,
        const char     *detail,
        const guint8   *replaced_by,
        GError        **error)
{
  sqlite3_stmt *stmt;
  int           rc;

  stmt = prepare (self,
                  "UPDATE transactions SET state = ?, updated = ?, detail = ?,"
                  " replaced_by = coalesce (?, replaced_by) WHERE hash = ?",
                  "update a transaction", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, state_names[state], -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time () / G_USEC_PER_SEC);
  if (detail != NULL)
    sqlite3_bind_text (stmt, 3, detail, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 3);
  if (replaced_by != NULL)
    sqlite3_bind_blob (stmt, 4, replaced_by, TALLY_TX_JOURNAL_HASH_LEN, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 4);
  sqlite3_bind_blob (stmt, 5, hash, TALLY_TX_JOURNAL_HASH_LEN, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return fail (self, "update a transaction", error);
  if (sqlite3_changes (self->db) == 0)
    return not_found (hash, error);
  return TRUE;
}

gboolean
tally_tx_journal_set_state (TallyTxJournal *self,
                            const guint8    hash[TALLY_TX_JOURNAL_HASH_LEN],
                            TallyTxState    state,
                            const char     *detail,
                            GError        **error)
{
  g_return_val_if_fail (TALLY_IS_TX_JOURNAL (self), FALSE);
  g_return_val_if_fail (hash != NULL, FALSE);
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (state_names), FALSE);

  return update (self, hash, state, detail, NULL, error);
}

gboolean
tally_tx_journal_mark_replaced (TallyTxJournal *self,
                                const guint8    old_hash[TALLY_TX_JOURNAL_HASH_LEN],
                                const guint8    new_hash[TALLY_TX_JOURNAL_HASH_LEN],
                                GError        **error)
{
  g_return_val_if_fail (TALLY_IS_TX_JOURNAL (self), FALSE);
  g_return_val_if_fail (old_hash != NULL && new_hash != NULL, FALSE);

  return update (self, old_hash, TALLY_TX_STATE_REPLACED, NULL, new_hash, error);
}

static gboolean
copy_blob (sqlite3_stmt *stmt,
           int           column,
           guint8       *out,
           gsize         len)
{
  if (sqlite3_column_type (stmt, column) != SQLITE_BLOB ||
      (gsize) sqlite3_column_bytes (stmt, column) != len)
    return FALSE;
  memcpy (out, sqlite3_column_blob (stmt, column), len);
  return TRUE;
}

static TallyTxJournalEntry *
read_entry (TallyTxJournal *self,
            sqlite3_stmt   *stmt,
            GError        **error)
{
  g_autoptr (TallyTxJournalEntry) entry = g_new0 (TallyTxJournalEntry, 1);
  const char *detail;

  entry->id = sqlite3_column_int64 (stmt, 0);
  entry->chain_id = (guint64) sqlite3_column_int64 (stmt, 1);
  entry->nonce = (guint64) sqlite3_column_int64 (stmt, 3);
  entry->raw = g_bytes_new (sqlite3_column_blob (stmt, 4), (gsize) sqlite3_column_bytes (stmt, 4));
  entry->created = sqlite3_column_int64 (stmt, 7);
  entry->updated = sqlite3_column_int64 (stmt, 8);
  entry->purpose = g_strdup ((const char *) sqlite3_column_text (stmt, 9));
  detail = (const char *) sqlite3_column_text (stmt, 11);
  entry->detail = g_strdup (detail);
  if (sqlite3_column_type (stmt, 10) != SQLITE_NULL)
    entry->has_replaced_by = copy_blob (stmt, 10, entry->replaced_by, TALLY_TX_JOURNAL_HASH_LEN);
  /* The CHECK constraints make these hold for rows we wrote; a file edited
   * by hand is refused rather than half read. */
  if (!copy_blob (stmt, 2, entry->sender.bytes, TALLY_ADDRESS_LEN) ||
      !copy_blob (stmt, 5, entry->hash, TALLY_TX_JOURNAL_HASH_LEN) ||
      !state_from_string ((const char *) sqlite3_column_text (stmt, 6), &entry->state) ||
      (sqlite3_column_type (stmt, 10) != SQLITE_NULL && !entry->has_replaced_by))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE,
                   "Transaction journal %s: row %" G_GINT64_FORMAT " is damaged", self->path,
                   entry->id);
      return NULL;
    }
  return g_steal_pointer (&entry);
}

TallyTxJournalEntry *
tally_tx_journal_lookup (TallyTxJournal *self,
                         const guint8    hash[TALLY_TX_JOURNAL_HASH_LEN],
                         GError        **error)
{
  sqlite3_stmt        *stmt;
  TallyTxJournalEntry *entry = NULL;
  int                  rc;

  g_return_val_if_fail (TALLY_IS_TX_JOURNAL (self), NULL);
  g_return_val_if_fail (hash != NULL, NULL);

  stmt = prepare (self, "SELECT " ENTRY_COLUMNS " FROM transactions WHERE hash = ?",
                  "look up a transaction", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_blob (stmt, 1, hash, TALLY_TX_JOURNAL_HASH_LEN, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    entry = read_entry (self, stmt, error);
  else if (rc == SQLITE_DONE)
    not_found (hash, error);
  else
    fail (self, "look up a transaction", error);
  sqlite3_finalize (stmt);
  return entry;
}

GPtrArray *
tally_tx_journal_list_pending (TallyTxJournal     *self,
                               guint64             chain_id,
                               const TallyAddress *sender,
                               GError            **error)
{
  g_autoptr (GPtrArray) entries = NULL;
  sqlite3_stmt *stmt;
  int           rc;

  g_return_val_if_fail (TALLY_IS_TX_JOURNAL (self), NULL);
  g_return_val_if_fail (sender != NULL, NULL);

  stmt = prepare (self,
                  "SELECT " ENTRY_COLUMNS " FROM transactions WHERE chain_id = ? AND sender = ?"
                  " AND state = 'pending' ORDER BY nonce, id",
                  "list pending transactions", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) chain_id);
  sqlite3_bind_blob (stmt, 2, sender->bytes, TALLY_ADDRESS_LEN, SQLITE_TRANSIENT);
  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) tally_tx_journal_entry_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TallyTxJournalEntry *entry = read_entry (self, stmt, error);

      if (entry == NULL)
        {
          sqlite3_finalize (stmt);
          return NULL;
        }
      g_ptr_array_add (entries, entry);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      fail (self, "list pending transactions", error);
      return NULL;
    }
  return g_steal_pointer (&entries);
}

gboolean
tally_tx_journal_next_nonce (TallyTxJournal     *self,
                             guint64             chain_id,
                             const TallyAddress *sender,
                             guint64            *next_nonce,
                             GError            **error)
{
  sqlite3_stmt *stmt;
  int           rc;

  g_return_val_if_fail (TALLY_IS_TX_JOURNAL (self), FALSE);
  g_return_val_if_fail (sender != NULL && next_nonce != NULL, FALSE);

  *next_nonce = 0;
  stmt = prepare (self,
                  "SELECT max (nonce) FROM transactions WHERE chain_id = ? AND sender = ?"
                  " AND state != 'dropped'",
                  "read the highest nonce", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) chain_id);
  sqlite3_bind_blob (stmt, 2, sender->bytes, TALLY_ADDRESS_LEN, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    *next_nonce = (guint64) sqlite3_column_int64 (stmt, 0) + 1;
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW)
    return fail (self, "read the highest nonce", error);
  return TRUE;
}

gboolean
tally_tx_journal_reopen_from_nonce (TallyTxJournal     *self,
                                    guint64             chain_id,
                                    const TallyAddress *sender,
                                    guint64             first_unused,
                                    guint              *n_reopened,
                                    GError            **error)
{
  sqlite3_stmt *stmt;
  int           rc;

  g_return_val_if_fail (TALLY_IS_TX_JOURNAL (self), FALSE);
  g_return_val_if_fail (sender != NULL, FALSE);

  if (n_reopened != NULL)
    *n_reopened = 0;
  if (first_unused > G_MAXINT64)
    return TRUE;
  stmt = prepare (self,
                  "UPDATE transactions SET state = 'pending', detail = NULL, updated = ?"
                  " WHERE chain_id = ? AND sender = ? AND nonce >= ?"
                  " AND state IN ('mined', 'failed')",
                  "reopen transactions a reorganisation dropped", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, g_get_real_time () / G_USEC_PER_SEC);
  sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) chain_id);
  sqlite3_bind_blob (stmt, 3, sender->bytes, TALLY_ADDRESS_LEN, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, (sqlite3_int64) first_unused);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return fail (self, "reopen transactions a reorganisation dropped", error);
  if (n_reopened != NULL)
    *n_reopened = (guint) sqlite3_changes (self->db);
  return TRUE;
}

static void
tally_tx_journal_finalize (GObject *object)
{
  TallyTxJournal *self = TALLY_TX_JOURNAL (object);

  g_clear_pointer (&self->db, sqlite3_close);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (tally_tx_journal_parent_class)->finalize (object);
}

static void
tally_tx_journal_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  TallyTxJournal *self = TALLY_TX_JOURNAL (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_tx_journal_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  TallyTxJournal *self = TALLY_TX_JOURNAL (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_assert (self->path == NULL);
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_tx_journal_class_init (TallyTxJournalClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tally_tx_journal_finalize;
  object_class->get_property = tally_tx_journal_get_property;
  object_class->set_property = tally_tx_journal_set_property;

  /* Fixed at construction: the open database is this file. */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tally_tx_journal_init (TallyTxJournal *self)
{
}
