/* item-fetcher-jobs.c: TallyItemFetcher's jobs, one per distinct item and
 * shared by every caller waiting for it: asking the cache, the queue ordered
 * by (priority, arrival) in front of the download slots, and completion
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "core-error.h"
#include "item-fetcher-private.h"

typedef struct
{
  GTask        *task;
  GSource      *cancel_source;
  TallyItemJob *job;
} Waiter;

TallyItemJob *
tally_item_job_ref (TallyItemJob *job)
{
  job->ref_count++;
  return job;
}

void
tally_item_job_unref (TallyItemJob *job)
{
  if (--job->ref_count > 0)
    return;
  g_assert (job->waiters->len == 0);
  g_assert (job->retry_source == NULL);
  g_ptr_array_unref (job->waiters);
  g_clear_object (&job->cancellable);
  g_clear_object (&job->message);
  g_clear_object (&job->stream);
  g_clear_pointer (&job->origin, g_uri_unref);
  g_clear_pointer (&job->url, g_uri_unref);
  g_free (job->buffer);
  g_clear_pointer (&job->verified, g_bytes_unref);
  g_free (job->key);
  g_free (job->hex);
  g_free (job->uri);
  g_object_unref (job->self);
  g_free (job);
}

static void
waiter_free (Waiter *waiter)
{
  if (waiter->cancel_source != NULL)
    g_source_destroy (waiter->cancel_source);
  g_clear_pointer (&waiter->cancel_source, g_source_unref);
  g_clear_object (&waiter->task);
  g_free (waiter);
}

/* Takes the job out of the table and the queue, so a new request for the
 * same item starts afresh. */
static void
job_detach (TallyItemJob *job)
{
  TallyItemFetcher *self = job->self;

  if (job->link != NULL)
    {
      g_queue_delete_link (&self->queue, job->link);
      job->link = NULL;
    }
  if (g_hash_table_lookup (self->jobs, job->key) == job)
    g_hash_table_remove (self->jobs, job->key); /* drops the table's reference */
}

void
tally_item_job_release_slot (TallyItemJob *job)
{
  if (job->state != JOB_RUNNING)
    return;
  g_assert (job->self->n_running > 0);
  job->self->n_running--;
  job->state = JOB_STORING;
}

void
tally_item_job_complete (TallyItemJob *job,
                         GBytes       *bytes,
                         GError       *error)
{
  g_autoptr (TallyItemJob) hold = tally_item_job_ref (job);
  TallyItemFetcher *self = job->self;
  g_autoptr (GPtrArray) waiters = NULL;

  if (job->state == JOB_DONE)
    {
      g_clear_error (&error);
      return;
    }
  tally_item_job_release_slot (job);
  job->state = JOB_DONE;
  if (job->retry_source != NULL)
    g_source_destroy (job->retry_source);
  g_clear_pointer (&job->retry_source, g_source_unref);
  g_clear_object (&job->stream);
  job_detach (job);

  waiters = g_steal_pointer (&job->waiters);
  job->waiters = g_ptr_array_new ();
  for (guint i = 0; i < waiters->len; i++)
    {
      Waiter *waiter = g_ptr_array_index (waiters, i);

      if (bytes != NULL)
        g_task_return_pointer (waiter->task, g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
      else
        g_task_return_error (waiter->task, g_error_copy (error));
      waiter_free (waiter);
    }
  g_clear_error (&error);
  tally_item_fetcher_pump (self);
}

static gboolean
on_waiter_cancelled (GCancellable *cancellable,
                     gpointer      user_data)
{
  Waiter       *waiter = user_data;
  TallyItemJob *job = waiter->job;

  g_ptr_array_remove (job->waiters, waiter);
  g_task_return_error_if_cancelled (waiter->task);
  waiter_free (waiter);

  if (job->waiters->len == 0)
    {
      g_autoptr (TallyItemJob) hold = tally_item_job_ref (job);

      /* Nobody wants it any more: the pending step fails as cancelled and
       * completes the job, unless nothing is pending. */
      job_detach (job);
      g_cancellable_cancel (job->cancellable);
      if (job->state == JOB_QUEUED || job->retry_source != NULL)
        tally_item_job_complete (job, NULL,
                                 g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                      "Cancelled"));
      else
        tally_item_fetcher_pump (job->self);
    }
  return G_SOURCE_REMOVE;
}

/* ---- the queue ---------------------------------------------------------------- */

static void
queue_insert (TallyItemFetcher *self,
              TallyItemJob     *job)
{
  GList *l;

  for (l = self->queue.tail; l != NULL; l = l->prev)
    {
      TallyItemJob *other = l->data;

      if (other->priority < job->priority ||
          (other->priority == job->priority && other->seq < job->seq))
        break;
    }
  if (l == NULL)
    {
      g_queue_push_head (&self->queue, job);
      job->link = self->queue.head;
    }
  else
    {
      g_queue_insert_after (&self->queue, l, job);
      job->link = l->next;
    }
}

void
tally_item_fetcher_pump (TallyItemFetcher *self)
{
  while (self->queue.head != NULL && self->n_running < self->max_concurrent)
    {
      TallyItemJob *job = self->queue.head->data;

      if (job->state == JOB_LOOKUP)
        return;
      g_assert (job->state == JOB_QUEUED);
      g_queue_delete_link (&self->queue, job->link);
      job->link = NULL;
      job->state = JOB_RUNNING;
      self->n_running++;
      tally_item_job_start_attempt (job);
    }
}

static void
on_looked_up (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (TallyItemJob) job = user_data;
  g_autoptr (GBytes) bytes = NULL;
  GError *error = NULL;

  bytes = tally_item_cache_lookup_finish (TALLY_ITEM_CACHE (object), result, &error);
  if (job->state == JOB_DONE)
    {
      g_clear_error (&error);
      return;
    }
  if (error == NULL && g_cancellable_is_cancelled (job->cancellable))
    error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
  if (error != NULL && tally_item_job_is_cancelled (job, error))
    {
      tally_item_job_complete (job, NULL, error);
      return;
    }
  if (error != NULL)
    {
      g_debug ("Item cache unavailable for %s: %s", job->uri, error->message);
      g_clear_error (&error);
    }
  if (bytes != NULL)
    {
      tally_item_job_complete (job, bytes, NULL);
      return;
    }

  job->state = JOB_QUEUED;
  tally_item_fetcher_pump (job->self);
}

/* ---- public ---------------------------------------------------------------------- */

void
tally_item_fetcher_fetch_async (TallyItemFetcher   *self,
                                const char         *uri,
                                const guint8        sha256[TALLY_ITEM_SHA256_LEN],
                                guint64             size,
                                int                 io_priority,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GUri) origin = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *key = NULL;
  GError          *error = NULL;
  Waiter          *waiter;
  TallyItemJob    *job;

  g_return_if_fail (TALLY_IS_ITEM_FETCHER (self));
  g_return_if_fail (uri != NULL);
  g_return_if_fail (sha256 != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_item_fetcher_fetch_async);
  if (g_task_return_error_if_cancelled (task))
    return;
  if (size > self->max_item_size)
    {
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_TOO_LARGE,
                               "Item %s is announced with %" G_GUINT64_FORMAT " bytes, more than "
                               "the %" G_GUINT64_FORMAT " allowed",
                               uri, size, self->max_item_size);
      return;
    }
  if (!_tally_item_fetcher_resolve_uri (self, uri, &origin, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  hex = tally_item_sha256_to_hex (sha256);
  key = g_strdup_printf ("%s/%" G_GUINT64_FORMAT, hex, size);
  job = g_hash_table_lookup (self->jobs, key);
  if (job == NULL)
    {
      job = g_new0 (TallyItemJob, 1);
      job->ref_count = 1; /* the table's */
      job->self = g_object_ref (self);
      job->key = g_strdup (key);
      job->hex = g_steal_pointer (&hex);
      job->uri = g_strdup (uri);
      memcpy (job->sha256, sha256, TALLY_ITEM_SHA256_LEN);
      job->size = size;
      job->priority = io_priority;
      job->seq = self->next_seq++;
      job->state = JOB_LOOKUP;
      job->waiters = g_ptr_array_new ();
      job->cancellable = g_cancellable_new ();
      job->origin = g_steal_pointer (&origin);
      g_hash_table_insert (self->jobs, g_steal_pointer (&key), job);
      queue_insert (self, job);
      tally_item_cache_lookup_async (self->cache, job->sha256, size, job->cancellable,
                                     on_looked_up, tally_item_job_ref (job));
    }
  else if (io_priority < job->priority && job->link != NULL)
    {
      /* The item on screen was already queued by a prefetch: move it up. */
      g_queue_delete_link (&self->queue, job->link);
      job->link = NULL;
      job->priority = io_priority;
      queue_insert (self, job);
    }

  waiter = g_new0 (Waiter, 1);
  waiter->job = job;
  waiter->task = g_steal_pointer (&task);
  if (cancellable != NULL)
    {
      waiter->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (waiter->cancel_source, G_SOURCE_FUNC (on_waiter_cancelled), waiter,
                             NULL);
      g_source_attach (waiter->cancel_source, g_task_get_context (waiter->task));
    }
  g_ptr_array_add (job->waiters, waiter);
  tally_item_fetcher_pump (self);
}

GBytes *
tally_item_fetcher_fetch_finish (TallyItemFetcher *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tally_item_fetcher_fetch_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
