/* submitter-send.c: what every step of a submission shares — sending a
 * step's transaction exactly once, the chain's view, and writing a record
 * down on the store's queue before the step's task returns
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include "submitter-private.h"

/* ---- Sending a step once ----------------------------------------------------- */

/* The step's callback gets the submitter as its source; the manager's
 * result travels inside, for its hash. */
static void
on_sent_once (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;

  g_task_return_pointer (task, g_object_ref (result), g_object_unref);
}

void
_tally_submitter_send_async (TallySubmitter     *self,
                             const char         *purpose,
                             guint8             *calldata,
                             gsize               calldata_len,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  /* Not cancellable itself: a cancel reaches the manager's task, whose
   * result still carries the hash. */
  GTask *task = g_task_new (self, NULL, callback, user_data);
  g_autoptr (GBytes) data = g_bytes_new_take (calldata, calldata_len);

  g_task_set_source_tag (task, _tally_submitter_send_async);
  tally_tx_manager_send_once_async (self->manager, &self->market, data, purpose, cancellable,
                                    on_sent_once, task);
}

TallyRpcReceipt *
_tally_submitter_send_finish (TallySubmitter *self,
                              GAsyncResult   *result,
                              guint8          hash[32],
                              gboolean       *has_hash,
                              GError        **error)
{
  g_autoptr (GAsyncResult) once = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  once = g_task_propagate_pointer (G_TASK (result), NULL);
  return tally_tx_manager_send_once_finish (self->manager, once, hash, has_hash, error);
}

/* ---- The chain's state --------------------------------------------------------- */

static void
on_clock (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  guint64 now = 0;

  if (!tally_rpc_client_latest_timestamp_finish (TALLY_RPC_CLIENT (source), result, &now, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_memdup2 (&now, sizeof now), g_free);
}

static void
on_log_synced (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallySubmitter *self = g_task_get_source_object (task);
  GError         *error = NULL;

  if (!tally_market_log_sync_finish (TALLY_MARKET_LOG (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING))
    {
      g_task_return_error (task, error);
      return;
    }
  /* A sync already running (a follower) serves as well. */
  g_clear_error (&error);
  tally_rpc_client_latest_timestamp_async (tally_tx_manager_get_client (self->manager),
                                           g_task_get_cancellable (task), on_clock,
                                           g_object_ref (task));
}

void
_tally_submitter_refresh_async (TallySubmitter     *self,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  tally_market_log_sync_async (tally_task_list_get_log (self->tasks), cancellable, on_log_synced,
                               task);
}

gboolean
_tally_submitter_refresh_finish (TallySubmitter *self,
                                 GAsyncResult   *result,
                                 guint64        *now,
                                 GError        **error)
{
  g_autofree guint64 *clock = g_task_propagate_pointer (G_TASK (result), error);

  if (clock == NULL)
    return FALSE;
  *now = *clock;
  return TRUE;
}

/* ---- Writing down, then returning ------------------------------------------------- */

typedef struct
{
  GTask  *task;
  GError *error; /* what the task returns once the record is down, or NULL */
} SaveReturn;

static void
on_saved_return (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SaveReturn *save = user_data;
  g_autoptr (GTask) task = save->task;
  GError *error = g_steal_pointer (&save->error);
  GError *write_error = NULL;

  g_free (save);
  if (!tally_store_put_submission_finish (TALLY_STORE (source), result, &write_error))
    {
      if (error == NULL)
        error = g_steal_pointer (&write_error);
      else
        {
          /* The step's own failure says more; the record is written again
           * at the next step. */
          g_debug ("A failed step's record was not written down: %s", write_error->message);
          g_error_free (write_error);
        }
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
_tally_submitter_save_and_return (TallySubmitter        *self,
                                  TallySubmissionRecord *record,
                                  GTask                 *task,
                                  GError                *error)
{
  SaveReturn *save = g_new0 (SaveReturn, 1);

  save->task = g_object_ref (task);
  save->error = error;
  /* Not cancellable: what the step learned lands even when it is cut
   * short, and the task returns only once it is on disk. */
  tally_store_put_submission_async (self->store, record, NULL, on_saved_return, save);
}
