/* store-writer.c: the local store's writes off the caller's thread — one
 * queue per store, one write at a time, in the order they were queued
 *
 * A GThreadPool limited to one thread is the queue: it runs its jobs in
 * the order they were pushed, so two saves of one row land as they were
 * made. Each job is the caller's GTask; the write is the synchronous one
 * (it takes the store's lock), and the task returns from the pool thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include "store-private.h"
#include "store.h"

struct _TallyStoreWriter
{
  GThreadPool *pool;
  /* For tally_store_flush_sync(): how many jobs were queued and done. */
  GMutex  mutex;
  GCond   cond;
  guint64 queued;
  guint64 done;
};

typedef enum
{
  JOB_SUBMISSION,
  JOB_ANNOTATION,
  JOB_FLUSH,
  JOB_CALL, /* another table's write (_tally_store_queue_write) */
  JOB_READ, /* a read behind the writes queued before it (_tally_store_queue_read) */
} JobKind;

typedef struct
{
  JobKind                kind;
  TallySubmissionRecord *record;
  guint64                chain_id;
  TallyAddress           market;
  TallyUint256           task_id;
  TallyAddress           account;
  guint                  item;
  GBytes                *data;
  TallyStoreWriteFunc    write;
  TallyStoreReadFunc     read;
  GDestroyNotify         result_free;
  gpointer               call_data;
  GDestroyNotify         call_data_free;
} Job;

static void
job_free (Job *job)
{
  g_clear_pointer (&job->record, tally_submission_record_free);
  g_clear_pointer (&job->data, g_bytes_unref);
  if (job->call_data_free != NULL)
    g_clear_pointer (&job->call_data, job->call_data_free);
  g_free (job);
}

static void
run_job (gpointer data,
         gpointer user_data)
{
  GTask            *task = data;
  TallyStoreWriter *writer = user_data;
  TallyStore       *self = g_task_get_source_object (task);
  Job              *job = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  gboolean ok = TRUE;
  gpointer read = NULL;

  if (!g_task_return_error_if_cancelled (task))
    {
      switch (job->kind)
        {
        case JOB_SUBMISSION:
          ok = tally_store_put_submission (self, job->record, &error);
          break;
        case JOB_ANNOTATION:
          ok = tally_store_save_annotation (self, job->chain_id, &job->market, &job->task_id,
                                            &job->account, job->item, job->data, &error);
          break;
        case JOB_FLUSH:
          break;
        case JOB_CALL:
          ok = job->write (self, job->call_data, &error);
          break;
        case JOB_READ:
          /* A read may find nothing without failing: only the error tells. */
          read = job->read (self, job->call_data, &error);
          ok = error == NULL;
          break;
        default:
          g_assert_not_reached ();
        }
      if (ok && job->kind == JOB_READ)
        g_task_return_pointer (task, read, job->result_free);
      else if (ok)
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, g_steal_pointer (&error));
    }

  g_mutex_lock (&writer->mutex);
  writer->done++;
  g_cond_broadcast (&writer->cond);
  g_mutex_unlock (&writer->mutex);
  /* Possibly the store's last reference: nothing here may touch the
   * writer after this. */
  g_object_unref (task);
}

TallyStoreWriter *
_tally_store_writer_new (void)
{
  TallyStoreWriter *writer = g_new0 (TallyStoreWriter, 1);

  g_mutex_init (&writer->mutex);
  g_cond_init (&writer->cond);
  /* Shared (not exclusive) threads never fail to be created here. */
  writer->pool = g_thread_pool_new (run_job, writer, 1, FALSE, NULL);
  return writer;
}

void
_tally_store_writer_free (TallyStoreWriter *writer)
{
  /* Each queued job holds the store, so none is left; and this may run on
   * the pool's own thread (a job's reference was the last), where waiting
   * for the pool would wait for itself. */
  g_thread_pool_free (writer->pool, FALSE, FALSE);
  g_mutex_clear (&writer->mutex);
  g_cond_clear (&writer->cond);
  g_free (writer);
}

static void
queue_job (TallyStore         *self,
           Job                *job,
           gpointer            source_tag,
           GCancellable       *cancellable,
           GAsyncReadyCallback callback,
           gpointer            user_data)
{
  TallyStoreWriter *writer = _tally_store_get_writer (self);
  GTask            *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_mutex_lock (&writer->mutex);
  writer->queued++;
  g_mutex_unlock (&writer->mutex);
  /* The pool takes the task's reference. */
  g_thread_pool_push (writer->pool, task, NULL);
}

void
tally_store_put_submission_async (TallyStore                  *self,
                                  const TallySubmissionRecord *record,
                                  GCancellable                *cancellable,
                                  GAsyncReadyCallback          callback,
                                  gpointer                     user_data)
{
  Job *job;

  g_return_if_fail (TALLY_IS_STORE (self));
  g_return_if_fail (record != NULL);
  g_return_if_fail (tally_submission_state_to_string (record->state) != NULL);
  g_return_if_fail (record->role == TALLY_SUBMISSION_ANNOTATOR ||
                    record->role == TALLY_SUBMISSION_REVIEWER);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  job = g_new0 (Job, 1);
  job->kind = JOB_SUBMISSION;
  job->record = tally_submission_record_copy (record);
  queue_job (self, job, tally_store_put_submission_async, cancellable, callback, user_data);
}

void
_tally_store_queue_write (TallyStore         *self,
                          TallyStoreWriteFunc write,
                          gpointer            data,
                          GDestroyNotify      data_free,
                          gpointer            source_tag,
                          GCancellable       *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer            user_data)
{
  Job *job;

  g_assert (TALLY_IS_STORE (self));
  g_assert (write != NULL);

  job = g_new0 (Job, 1);
  job->kind = JOB_CALL;
  job->write = write;
  job->call_data = data;
  job->call_data_free = data_free;
  queue_job (self, job, source_tag, cancellable, callback, user_data);
}

void
_tally_store_queue_read (TallyStore         *self,
                         TallyStoreReadFunc  read,
                         GDestroyNotify      result_free,
                         gpointer            data,
                         GDestroyNotify      data_free,
                         gpointer            source_tag,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            user_data)
{
  Job *job;

  g_assert (TALLY_IS_STORE (self));
  g_assert (read != NULL);

  job = g_new0 (Job, 1);
  job->kind = JOB_READ;
  job->read = read;
  job->result_free = result_free;
  job->call_data = data;
  job->call_data_free = data_free;
  queue_job (self, job, source_tag, cancellable, callback, user_data);
}

gboolean
tally_store_put_submission_finish (TallyStore   *self,
                                   GAsyncResult *result,
                                   GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, tally_store_put_submission_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
tally_store_save_annotation_async (TallyStore         *self,
                                   guint64             chain_id,
                                   const TallyAddress *market,
                                   const TallyUint256 *task_id,
                                   const TallyAddress *account,
                                   guint               item,
                                   GBytes             *data,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data)
{
  Job *job;

  g_return_if_fail (TALLY_IS_STORE (self));
  g_return_if_fail (market != NULL && task_id != NULL && account != NULL);
  g_return_if_fail (data != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  job = g_new0 (Job, 1);
  job->kind = JOB_ANNOTATION;
  job->chain_id = chain_id;
  job->market = *market;
  job->task_id = *task_id;
  job->account = *account;
  job->item = item;
  job->data = g_bytes_ref (data);
  queue_job (self, job, tally_store_save_annotation_async, cancellable, callback, user_data);
}

gboolean
tally_store_save_annotation_finish (TallyStore   *self,
                                    GAsyncResult *result,
                                    GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, tally_store_save_annotation_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
tally_store_flush_async (TallyStore         *self,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            user_data)
{
  Job *job;

  g_return_if_fail (TALLY_IS_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  job = g_new0 (Job, 1);
  job->kind = JOB_FLUSH;
  queue_job (self, job, tally_store_flush_async, cancellable, callback, user_data);
}

gboolean
tally_store_flush_finish (TallyStore   *self,
                          GAsyncResult *result,
                          GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, tally_store_flush_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
tally_store_flush_sync (TallyStore *self)
{
  TallyStoreWriter *writer;
  guint64           target;

  g_return_if_fail (TALLY_IS_STORE (self));

  writer = _tally_store_get_writer (self);
  g_mutex_lock (&writer->mutex);
  target = writer->queued;
  while (writer->done < target)
    g_cond_wait (&writer->cond, &writer->mutex);
  g_mutex_unlock (&writer->mutex);
}
