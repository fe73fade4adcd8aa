/* store-requester.c: the requester_tasks table — a requester's creates and
 * the gold each must reveal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "core-error.h"
#include "store-private.h"
#include "store-requester.h"

static const char *const state_names[] = {
  [TALLY_REQUESTER_TASK_CREATING] = "creating",
  [TALLY_REQUESTER_TASK_OPEN] = "open",
  [TALLY_REQUESTER_TASK_REVEALING_GOLD] = "revealing-gold",
  [TALLY_REQUESTER_TASK_DONE] = "done",
  [TALLY_REQUESTER_TASK_FAILED] = "failed",
};

#define COLUMNS                                                                               \
  "purpose, chain_id, market, requester, task_id, manifest_hash, gold_indices, gold_labels, " \
  "gold_salt, state, reason, updated"

const char *
tally_requester_task_state_to_string (TallyRequesterTaskState state)
{
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (state_names), NULL);

  return state_names[state];
}

void
tally_requester_task_record_free (TallyRequesterTaskRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->purpose);
  g_clear_pointer (&record->gold_indices, g_array_unref);
  g_clear_pointer (&record->gold_labels, g_bytes_unref);
  /* Until the reveal, the salt is what keeps the gold secret. */
  memset (record->gold_salt, 0, sizeof record->gold_salt);
  g_free (record->reason);
  g_free (record);
}

TallyRequesterTaskRecord *
tally_requester_task_record_copy (const TallyRequesterTaskRecord *record)
{
  TallyRequesterTaskRecord *copy;

  g_return_val_if_fail (record != NULL, NULL);

  copy = g_memdup2 (record, sizeof *record);
  copy->purpose = g_strdup (record->purpose);
  copy->gold_indices = record->gold_indices != NULL ? g_array_copy (record->gold_indices) : NULL;
  copy->gold_labels = record->gold_labels != NULL ? g_bytes_ref (record->gold_labels) : NULL;
  copy->reason = g_strdup (record->reason);
  return copy;
}

static void
bind_blob (sqlite3_stmt *stmt,
           int           index,
           const void   *bytes,
           gsize         len)
{
  if (bytes == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_blob (stmt, index, len > 0 ? bytes : (const void *) "", (int) len,
                       SQLITE_TRANSIENT);
}

gboolean
tally_store_put_requester_task (TallyStore               *self,
                                TallyRequesterTaskRecord *record,
                                GError                  **error)
{
  g_autofree guint8 *indices = NULL;
  sqlite3_stmt      *stmt = NULL;
  sqlite3           *db;
  guint8             id[32];
  gsize              n_gold = 0, labels_len = 0;
  const guint8      *labels = NULL;
  gboolean           ok;

  g_return_val_if_fail (TALLY_IS_STORE (self), FALSE);
  g_return_val_if_fail (record != NULL && record->purpose != NULL, FALSE);
  g_return_val_if_fail ((guint) record->state < G_N_ELEMENTS (state_names), FALSE);
  g_return_val_if_fail ((record->gold_indices == NULL) == (record->gold_labels == NULL), FALSE);

  if (record->gold_indices != NULL)
    {
      n_gold = record->gold_indices->len;
      indices = g_malloc (2 * n_gold + 1);
      for (gsize i = 0; i < n_gold; i++)
        {
          guint16 index = g_array_index (record->gold_indices, guint16, i);

          indices[2 * i] = (guint8) (index >> 8);
          indices[2 * i + 1] = (guint8) (index & 0xff);
        }
      labels = g_bytes_get_data (record->gold_labels, &labels_len);
      if (labels == NULL)
        labels = (const guint8 *) "";
    }
  record->updated = g_get_real_time () / G_USEC_PER_SEC;
  tally_uint256_to_bytes32 (id, &record->task_id);

  db = _tally_store_lock (self);
  /* An upsert rather than a replace keeps the row's rowid, its age. */
  if (sqlite3_prepare_v2 (db, "INSERT INTO requester_tasks (" COLUMNS ")"
                              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
                              " ON CONFLICT (purpose) DO UPDATE SET chain_id = ?2, market = ?3,"
                              " requester = ?4, task_id = ?5, manifest_hash = ?6,"
                              " gold_indices = ?7, gold_labels = ?8, gold_salt = ?9, state = ?10,"
                              " reason = ?11, updated = ?12",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      ok = _tally_store_fail (self, "write a requester's task to", error);
      _tally_store_unlock (self);
      return ok;
    }
  sqlite3_bind_text (stmt, 1, record->purpose, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) record->chain_id);
  bind_blob (stmt, 3, record->market.bytes, TALLY_ADDRESS_LEN);
  bind_blob (stmt, 4, record->requester.bytes, TALLY_ADDRESS_LEN);
  bind_blob (stmt, 5, record->has_task_id ? id : NULL, sizeof id);
  bind_blob (stmt, 6, record->manifest_hash, 32);
  bind_blob (stmt, 7, indices, 2 * n_gold);
  bind_blob (stmt, 8, labels, labels_len);
  bind_blob (stmt, 9, record->has_gold_salt ? record->gold_salt : NULL, 32);
  sqlite3_bind_text (stmt, 10, state_names[record->state], -1, SQLITE_STATIC);
  if (record->reason != NULL)
    sqlite3_bind_text (stmt, 11, record->reason, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 11);
  sqlite3_bind_int64 (stmt, 12, record->updated);
  ok = sqlite3_step (stmt) == SQLITE_DONE ||
       _tally_store_fail (self, "write a requester's task to", error);
  sqlite3_finalize (stmt);
  _tally_store_unlock (self);
  return ok;
}

static gboolean
write_queued (TallyStore *self,
              gpointer    data,
              GError    **error)
{
  return tally_store_put_requester_task (self, data, error);
}

void
tally_store_put_requester_task_async (TallyStore                     *self,
                                      const TallyRequesterTaskRecord *record,
                                      GCancellable                   *cancellable,
                                      GAsyncReadyCallback             callback,
                                      gpointer                        user_data)
{
  g_return_if_fail (TALLY_IS_STORE (self));
  g_return_if_fail (record != NULL && record->purpose != NULL);
  g_return_if_fail ((guint) record->state < G_N_ELEMENTS (state_names));
  g_return_if_fail ((record->gold_indices == NULL) == (record->gold_labels == NULL));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  _tally_store_queue_write (self, write_queued, tally_requester_task_record_copy (record),
                            (GDestroyNotify) tally_requester_task_record_free,
                            tally_store_put_requester_task_async, cancellable, callback, user_data);
}

gboolean
tally_store_put_requester_task_finish (TallyStore   *self,
                                       GAsyncResult *result,
                                       GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, tally_store_put_requester_task_async),
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* A fixed-length blob column into out; FALSE when it is missing (unless
 * optional) or of another length. */
static gboolean
column_fixed (sqlite3_stmt *stmt,
              int           column,
              guint8       *out,
              gsize         len,
              gboolean      optional,
              gboolean     *present)
{
  *present = FALSE;
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return optional;
  if ((gsize) sqlite3_column_bytes (stmt, column) != len)
    return FALSE;
  memcpy (out, sqlite3_column_blob (stmt, column), len);
  *present = TRUE;
  return TRUE;
}

/* A row into a new record, or NULL for a row this version cannot read. */
static TallyRequesterTaskRecord *
row_to_record (sqlite3_stmt *stmt)
{
  g_autoptr (TallyRequesterTaskRecord) record = g_new0 (TallyRequesterTaskRecord, 1);
  const char *state = (const char *) sqlite3_column_text (stmt, 9);
  gboolean    present = FALSE, has_indices, has_labels;
  guint8      id[32];
  guint       i;

  record->purpose = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  record->chain_id = (guint64) sqlite3_column_int64 (stmt, 1);
  if (record->purpose == NULL || state == NULL ||
      !column_fixed (stmt, 2, record->market.bytes, TALLY_ADDRESS_LEN, FALSE, &present) ||
      !column_fixed (stmt, 3, record->requester.bytes, TALLY_ADDRESS_LEN, FALSE, &present) ||
      !column_fixed (stmt, 4, id, sizeof id, TRUE, &record->has_task_id) ||
      !column_fixed (stmt, 5, record->manifest_hash, 32, FALSE, &present) ||
      !column_fixed (stmt, 8, record->gold_salt, 32, TRUE, &record->has_gold_salt))
    return NULL;
  if (record->has_task_id)
    tally_uint256_from_bytes32 (&record->task_id, id);
  for (i = 0; i < G_N_ELEMENTS (state_names) && !g_str_equal (state, state_names[i]); i++)
    ;
  if (i == G_N_ELEMENTS (state_names))
    return NULL;
  record->state = (TallyRequesterTaskState) i;

  has_indices = sqlite3_column_type (stmt, 6) != SQLITE_NULL;
  has_labels = sqlite3_column_type (stmt, 7) != SQLITE_NULL;
  if (has_indices != has_labels)
    return NULL;
  if (has_indices)
    {
      const guint8 *bytes = sqlite3_column_blob (stmt, 6);
      gsize         len = (gsize) sqlite3_column_bytes (stmt, 6);

      if (len % 2 != 0 || (gsize) sqlite3_column_bytes (stmt, 7) != len / 2)
        return NULL;
      record->gold_indices = g_array_sized_new (FALSE, FALSE, sizeof (guint16), len / 2);
      for (gsize j = 0; j < len; j += 2)
        {
          guint16 index = (guint16) ((bytes[j] << 8) | bytes[j + 1]);

          g_array_append_val (record->gold_indices, index);
        }
      record->gold_labels = g_bytes_new (sqlite3_column_blob (stmt, 7), len / 2);
    }
  record->reason = g_strdup ((const char *) sqlite3_column_text (stmt, 10));
  record->updated = sqlite3_column_int64 (stmt, 11);
  return g_steal_pointer (&record);
}

/* Runs stmt (finalized here) and collects its rows; call with the lock
 * held. */
static GPtrArray *
collect (TallyStore   *self,
         sqlite3_stmt *stmt,
         GError      **error)
{
  g_autoptr (GPtrArray) records =
    g_ptr_array_new_with_free_func ((GDestroyNotify) tally_requester_task_record_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TallyRequesterTaskRecord *record = row_to_record (stmt);

      if (record == NULL)
        {
          g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE,
                       "The store %s holds a requester's task this version of Tally cannot read",
                       tally_store_get_path (self));
          sqlite3_finalize (stmt);
          return NULL;
        }
      g_ptr_array_add (records, record);
    }
  if (rc != SQLITE_DONE)
    {
      _tally_store_fail (self, "read the requester's tasks from", error);
      sqlite3_finalize (stmt);
      return NULL;
    }
  sqlite3_finalize (stmt);
  return g_steal_pointer (&records);
}

TallyRequesterTaskRecord *
tally_store_get_requester_task (TallyStore *self,
                                const char *purpose,
                                GError    **error)
{
  g_autoptr (GPtrArray) records = NULL;
  sqlite3_stmt *stmt = NULL;
  sqlite3      *db;

  g_return_val_if_fail (TALLY_IS_STORE (self), NULL);
  g_return_val_if_fail (purpose != NULL, NULL);

  db = _tally_store_lock (self);
  if (sqlite3_prepare_v2 (db, "SELECT " COLUMNS " FROM requester_tasks WHERE purpose = ?1", -1,
                          &stmt, NULL) != SQLITE_OK)
    _tally_store_fail (self, "read a requester's task from", error);
  else
    {
      sqlite3_bind_text (stmt, 1, purpose, -1, SQLITE_TRANSIENT);
      records = collect (self, stmt, error);
    }
  _tally_store_unlock (self);
  if (records == NULL)
    return NULL;
  if (records->len == 0)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND,
                   "The store has no requester's task “%s”", purpose);
      return NULL;
    }
  return g_ptr_array_steal_index (records, 0);
}

GPtrArray *
tally_store_list_requester_tasks (TallyStore         *self,
                                  guint64             chain_id,
                                  const TallyAddress *market,
                                  const TallyAddress *requester,
                                  gboolean            unfinished,
                                  GError            **error)
{
  GPtrArray    *records = NULL;
  sqlite3_stmt *stmt = NULL;
  sqlite3      *db;

  g_return_val_if_fail (TALLY_IS_STORE (self), NULL);
  g_return_val_if_fail (market != NULL && requester != NULL, NULL);

  db = _tally_store_lock (self);
  if (sqlite3_prepare_v2 (db, "SELECT " COLUMNS " FROM requester_tasks"
                              " WHERE chain_id = ?1 AND market = ?2 AND requester = ?3"
                              " AND (?4 = 0 OR state NOT IN ('done', 'failed'))"
                              " ORDER BY rowid",
                          -1, &stmt, NULL) != SQLITE_OK)
    _tally_store_fail (self, "read the requester's tasks from", error);
  else
    {
      sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) chain_id);
      bind_blob (stmt, 2, market->bytes, TALLY_ADDRESS_LEN);
      bind_blob (stmt, 3, requester->bytes, TALLY_ADDRESS_LEN);
      sqlite3_bind_int (stmt, 4, unfinished ? 1 : 0);
      records = collect (self, stmt, error);
    }
  _tally_store_unlock (self);
  return records;
}

typedef struct
{
  guint64      chain_id;
  TallyAddress market;
  TallyAddress requester;
  gboolean     unfinished;
} ListQuery;

static gpointer
list_queued (TallyStore *self,
             gpointer    data,
             GError    **error)
{
  ListQuery *query = data;

  return tally_store_list_requester_tasks (self, query->chain_id, &query->market,
                                           &query->requester, query->unfinished, error);
}

void
tally_store_list_requester_tasks_async (TallyStore         *self,
                                        guint64             chain_id,
                                        const TallyAddress *market,
                                        const TallyAddress *requester,
                                        gboolean            unfinished,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data)
{
  ListQuery *query;

  g_return_if_fail (TALLY_IS_STORE (self));
  g_return_if_fail (market != NULL && requester != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  query = g_new0 (ListQuery, 1);
  query->chain_id = chain_id;
  query->market = *market;
  query->requester = *requester;
  query->unfinished = unfinished;
  _tally_store_queue_read (self, list_queued, (GDestroyNotify) g_ptr_array_unref, query, g_free,
                           tally_store_list_requester_tasks_async, cancellable, callback,
                           user_data);
}

GPtrArray *
tally_store_list_requester_tasks_finish (TallyStore   *self,
                                         GAsyncResult *result,
                                         GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, tally_store_list_requester_tasks_async),
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
