/* store-private.h: what the store's other files share with store.c
 *
 * The store's tables are spread over a few files (store.c: submissions,
 * annotations, accounts; store-*.c the rest), one connection for all:
 * every use of it holds the store's lock, because writes run on worker
 * threads while the main loop reads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "store.h"

G_BEGIN_DECLS

/* Takes the store's lock and returns its connection; every call is
 * paired with _tally_store_unlock() on the same thread. */
sqlite3 *_tally_store_lock (TallyStore *self);
void     _tally_store_unlock (TallyStore *self);

/* The lock held for a scope, as GMutexLocker does:
 *   g_autoptr (TallyStoreLocker) locker = _tally_store_locker_new (self, &db);
 * db (may be NULL) is set to the connection. */
typedef void TallyStoreLocker;

static inline TallyStoreLocker *
_tally_store_locker_new (TallyStore *self,
                         sqlite3   **db)
{
  sqlite3 *locked = _tally_store_lock (self);

  if (db != NULL)
    *db = locked;
  return self;
}

static inline void
_tally_store_locker_free (TallyStoreLocker *locker)
{
  _tally_store_unlock ((TallyStore *) locker);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TallyStoreLocker, _tally_store_locker_free)

/* A text column for people (a reason, a name, a title), NULL when NULL.
 * SQLite does not check UTF-8: a damaged file or another program may have
 * written anything. */
static inline char *
_tally_store_column_utf8 (sqlite3_stmt *stmt,
                          int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return text != NULL ? g_utf8_make_valid (text, -1) : NULL;
}

/* The queue of asynchronous writes (store-writer.c): one per store, run
 * one at a time, in the order they were queued. */
typedef struct _TallyStoreWriter TallyStoreWriter;

TallyStoreWriter *_tally_store_writer_new (void);
void              _tally_store_writer_free (TallyStoreWriter *writer);
TallyStoreWriter *_tally_store_get_writer (TallyStore *self);

/* A write of another file's table on the same queue: write (a synchronous
 * one, which takes the lock) runs on the writer's thread with data, which
 * data_free frees once the task is done; the task, tagged source_tag,
 * returns its boolean. */
typedef gboolean (*TallyStoreWriteFunc) (TallyStore *self,
                                         gpointer    data,
                                         GError    **error);

void _tally_store_queue_write (TallyStore         *self,
                               TallyStoreWriteFunc write,
                               gpointer            data,
                               GDestroyNotify      data_free,
                               gpointer            source_tag,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data);

/* A read on the same queue, so it sees every write queued before it and
 * the caller's thread never waits for the lock a write holds through its
 * fsync: read (a synchronous one) runs on the writer's thread with data;
 * the task, tagged source_tag, returns its pointer (which may be NULL
 * without an error), freed with result_free if nobody takes it. */
typedef gpointer (*TallyStoreReadFunc) (TallyStore *self,
                                        gpointer    data,
                                        GError    **error);

void _tally_store_queue_read (TallyStore         *self,
                              TallyStoreReadFunc  read,
                              GDestroyNotify      result_free,
                              gpointer            data,
                              GDestroyNotify      data_free,
                              gpointer            source_tag,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data);

/* A TALLY_CORE_ERROR_STORAGE error naming the file and SQLite's reason
 * for the last failure on the connection; always FALSE. Call it with the
 * lock held. */
gboolean _tally_store_fail (TallyStore *self,
                            const char *doing,
                            GError    **error);

G_END_DECLS
