/* requester-step.c: the requester's engine — one pass over the account's
 * tasks: creates a crash cut short finished, gold revealed in its window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "core-error.h"
#include "requester-private.h"

static char *
reveal_gold_purpose (const TallyUint256 *task_id)
{
  g_autofree char *id = tally_uint256_to_decimal (task_id);

  return g_strdup_printf ("Reveal gold of task %s", id);
}

/* ---- The engine ------------------------------------------------------------------ */

typedef struct
{
  GPtrArray *rows; /* TallyRequesterTaskRecord: every row of the account */
  guint      index;
  guint64    now;
  guint      n_unfinished;
  GError    *error;    /* the first step that could not be sent; the pass fails with it */
  guint8    *calldata; /* a revealGold waiting for its row to be on disk */
  gsize      len;
} Step;

static void
step_free (Step *step)
{
  g_clear_pointer (&step->rows, g_ptr_array_unref);
  g_clear_error (&step->error);
  g_free (step->calldata);
  g_free (step);
}

static void step_next (GTask *task);
static void on_gold_revealed (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data);

/* A failure that leaves the row for the next pass. */
static void
step_postpone (GTask  *task,
               GError *error)
{
  Step *step = g_task_get_task_data (task);

  if (step->error == NULL)
    step->error = error;
  else
    g_error_free (error);
}

static void
on_row_written (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask                    *task = user_data;
  TallyRequester           *self = g_task_get_source_object (task);
  Step                     *step = g_task_get_task_data (task);
  TallyRequesterTaskRecord *row = g_ptr_array_index (step->rows, step->index);
  g_autofree guint8        *calldata = g_steal_pointer (&step->calldata);
  g_autofree char          *purpose = NULL;
  GError                   *error = NULL;

  if (!tally_store_put_requester_task_finish (TALLY_STORE (source), result, &error))
    step_postpone (task, error);
  else if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  else if (calldata != NULL)
    {
      g_autoptr (GBytes) data = g_bytes_new_take (g_steal_pointer (&calldata), step->len);

      purpose = reveal_gold_purpose (&row->task_id);
      tally_tx_manager_send_once_async (self->manager, &self->market, data, purpose,
                                        g_task_get_cancellable (task), on_gold_revealed, task);
      return;
    }
  step->index++;
  step_next (task);
}

/* Writes the current row down on the store's queue (never cancelled: what
 * the pass learned lands even when it is cut short); the pass goes on once
 * it is on disk, with step->calldata's revealGold first when there is
 * one. A row that cannot be written waits for the next pass. */
static void
write_row (GTask *task)
{
  TallyRequester *self = g_task_get_source_object (task);
  Step           *step = g_task_get_task_data (task);

  tally_store_put_requester_task_async (self->store, g_ptr_array_index (step->rows, step->index),
                                        NULL, on_row_written, task);
}

/* The task on chain whose create this row wrote down but whose receipt it
 * never saw: this requester's, this manifest, this gold commitment, and
 * not the task of another row. */
static TallyTask *
find_created (TallyRequester                 *self,
              GPtrArray                      *rows,
              const TallyRequesterTaskRecord *row)
{
  guint8 commitment[32] = { 0 };

  if (row->gold_indices != NULL && row->gold_indices->len > 0)
    tally_label_market_gold_commitment (commitment, row->manifest_hash,
                                        &g_array_index (row->gold_indices, guint16, 0),
                                        g_bytes_get_data (row->gold_labels, NULL),
                                        row->gold_indices->len, row->gold_salt);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->tasks)); i++)
    {
      g_autoptr (TallyTask) task = g_list_model_get_item (G_LIST_MODEL (self->tasks), i);
      const TallyLabelTaskParams *p = tally_task_get_params (task);
      gboolean                    claimed = FALSE;

      if (!tally_address_equal (tally_task_get_requester (task), &self->account) ||
          memcmp (p->manifest_hash, row->manifest_hash, 32) != 0 ||
          memcmp (p->gold_commitment, commitment, 32) != 0)
        continue;
      for (guint j = 0; j < rows->len && !claimed; j++)
        {
          const TallyRequesterTaskRecord *other = g_ptr_array_index (rows, j);

          claimed = other->has_task_id &&
                    tally_uint256_cmp (&other->task_id, tally_task_get_id (task)) == 0;
        }
      if (!claimed)
        return task;
    }
  return NULL;
}

static void
on_step_create_mined (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask                    *task = user_data;
  TallyRequester           *self = g_task_get_source_object (task);
  Step                     *step = g_task_get_task_data (task);
  TallyRequesterTaskRecord *row = g_ptr_array_index (step->rows, step->index);
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  GError      *error = NULL;
  TallyUint256 task_id;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  receipt = tally_tx_manager_wait_finish (TALLY_TX_MANAGER (source), result, &error);
  if (receipt == NULL && _tally_requester_is_final_failure (error))
    {
      g_autofree char *reason = g_strdup_printf ("createTask: %s", error->message);

      g_clear_error (&error);
      _tally_requester_row_failed (row, reason);
      write_row (task);
      return;
    }
  if (receipt == NULL)
    {
      g_prefix_error (&error, "createTask: ");
      step_postpone (task, error);
    }
  else if (!_tally_requester_task_id_from_receipt (self, receipt, &task_id, &error))
    step_postpone (task, error);
  else
    {
      _tally_requester_row_created (row, &task_id);
      write_row (task);
      return;
    }
  step->index++;
  step_next (task);
}

/* A create written down but not known mined: wait for the journaled one,
 * or find its task, or give up on one that was never sent. TRUE when a
 * wait was started. */
static gboolean
step_creating (GTask                    *task,
               TallyRequesterTaskRecord *row)
{
  TallyRequester *self = g_task_get_source_object (task);
  Step           *step = g_task_get_task_data (task);
  GError         *error = NULL;
  TallyTask      *created;
  guint8          hash[TALLY_TX_JOURNAL_HASH_LEN];

  if (tally_tx_manager_find_pending (self->manager, row->purpose, hash, &error))
    {
      tally_tx_manager_wait_async (self->manager, hash, g_task_get_cancellable (task),
                                   on_step_create_mined, task);
      return TRUE;
    }
  if (error != NULL)
    {
      step_postpone (task, error);
      return FALSE;
    }
  if ((created = find_created (self, step->rows, row)) != NULL)
    _tally_requester_row_created (row, tally_task_get_id (created));
  else if (g_get_real_time () / G_USEC_PER_SEC - row->updated > TALLY_REQUESTER_CREATE_ORPHAN_AGE)
    _tally_requester_row_failed (row, "The create transaction was never sent");
  else
    return FALSE;
  write_row (task);
  return TRUE;
}

static void
on_gold_revealed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask                    *task = user_data;
  Step                     *step = g_task_get_task_data (task);
  TallyRequesterTaskRecord *row = g_ptr_array_index (step->rows, step->index);
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  receipt = tally_tx_manager_send_once_finish (TALLY_TX_MANAGER (source), result, NULL, NULL,
                                               &error);
  if (receipt == NULL && _tally_requester_is_final_failure (error))
    {
      g_autofree char *reason = g_strdup_printf ("revealGold: %s", error->message);

      g_clear_error (&error);
      _tally_requester_row_failed (row, reason);
      write_row (task);
      return;
    }
  if (receipt != NULL)
    {
      row->state = TALLY_REQUESTER_TASK_DONE;
      write_row (task);
      return;
    }
  g_prefix_error (&error, "revealGold: ");
  step_postpone (task, error);
  step->index++;
  step_next (task);
}

/* A created task with gold: revealed once its window opens. TRUE when a
 * reveal was started. */
static gboolean
step_gold (GTask                    *task,
           TallyRequesterTaskRecord *row)
{
  TallyRequester  *self = g_task_get_source_object (task);
  Step            *step = g_task_get_task_data (task);
  TallyTask       *chain_task = tally_task_list_lookup (self->tasks, &row->task_id);
  g_autofree char *purpose = NULL;
  GError          *error = NULL;
  guint8          *calldata = NULL;
  gsize            len = 0;

  if (chain_task == NULL)
    return FALSE; /* the events have not caught up with the create yet */
  if (row->gold_indices == NULL || tally_task_get_gold_revealed (chain_task))
    {
      row->state = TALLY_REQUESTER_TASK_DONE;
      write_row (task);
      return TRUE;
    }
  switch (tally_task_get_phase (chain_task, step->now))
    {
    case TALLY_TASK_PHASE_LABELING:
    case TALLY_TASK_PHASE_REVEAL:
      return FALSE;
    case TALLY_TASK_PHASE_REVIEW:
    case TALLY_TASK_PHASE_REVIEW_REVEAL:
      break;
    case TALLY_TASK_PHASE_SETTLEABLE:
    case TALLY_TASK_PHASE_FINALIZED:
    case TALLY_TASK_PHASE_CANCELLED:
    default:
      _tally_requester_row_failed (row, tally_task_get_state (chain_task) == TALLY_LABEL_TASK_CANCELLED
                                          ? "The task was cancelled"
                                          : "The window to reveal the gold closed first; the task "
                                            "settles without gold");
      write_row (task);
      return TRUE;
    }

  if (!tally_label_market_encode_reveal_gold (&calldata, &len, &row->task_id,
                                              &g_array_index (row->gold_indices, guint16, 0),
                                              g_bytes_get_data (row->gold_labels, NULL),
                                              row->gold_indices->len, row->gold_salt, &error))
    {
      step_postpone (task, error);
      return FALSE;
    }
  /* REVEALING_GOLD on disk before the reveal can reach the chain. */
  row->state = TALLY_REQUESTER_TASK_REVEALING_GOLD;
  step->calldata = calldata;
  step->len = len;
  write_row (task);
  return TRUE;
}

/* Moves the rows on from step->index; task is owned by the pass until it
 * returns. */
static void
step_next (GTask *task)
{
  Step *step = g_task_get_task_data (task);

  for (; step->index < step->rows->len; step->index++)
    {
      TallyRequesterTaskRecord *row = g_ptr_array_index (step->rows, step->index);
      gboolean                  started = FALSE;

      if (row->state == TALLY_REQUESTER_TASK_CREATING)
        started = step_creating (task, row);
      else if (_tally_requester_is_unfinished (row))
        started = step_gold (task, row);
      if (started)
        return;
    }

  step->n_unfinished = 0;
  for (guint i = 0; i < step->rows->len; i++)
    if (_tally_requester_is_unfinished (g_ptr_array_index (step->rows, i)))
      step->n_unfinished++;
  if (step->error != NULL)
    g_task_return_error (task, g_steal_pointer (&step->error));
  else
    g_task_return_pointer (task, g_memdup2 (&step->n_unfinished, sizeof (guint)), g_free);
  g_object_unref (task);
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask  *task = user_data;
  Step   *step = g_task_get_task_data (task);
  GError *error = NULL;

  step->rows = tally_store_list_requester_tasks_finish (TALLY_STORE (source), result, &error);
  if (step->rows == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  step_next (task);
}

static void
on_clock (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask          *task = user_data;
  TallyRequester *self = g_task_get_source_object (task);
  Step           *step = g_task_get_task_data (task);
  GError         *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  if (!tally_rpc_client_latest_timestamp_finish (TALLY_RPC_CLIENT (source), result, &step->now,
                                                 &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  /* Off the main loop: a write's fsync holds the store's lock. */
  tally_store_list_requester_tasks_async (self->store, self->chain_id, &self->market,
                                          &self->account, FALSE, g_task_get_cancellable (task),
                                          on_listed, task);
}

static void
on_log_synced (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask          *task = user_data;
  TallyRequester *self = g_task_get_source_object (task);
  GError         *error = NULL;

  if (!tally_market_log_sync_finish (TALLY_MARKET_LOG (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  /* A sync already under way (the submitter's) serves as well. */
  g_clear_error (&error);
  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  tally_rpc_client_latest_timestamp_async (tally_tx_manager_get_client (self->manager),
                                           g_task_get_cancellable (task), on_clock, task);
}

static void
on_resumed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask          *task = user_data;
  TallyRequester *self = g_task_get_source_object (task);
  GError         *error = NULL;
  guint           n_sent = 0;

  if (!tally_tx_manager_resume_finish (TALLY_TX_MANAGER (source), result, &n_sent, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (n_sent > 0)
    g_debug ("Sent %u journaled transactions again", n_sent);
  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  tally_market_log_sync_async (tally_task_list_get_log (self->tasks), g_task_get_cancellable (task),
                               on_log_synced, task);
}

void
tally_requester_step_async (TallyRequester     *self,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (TALLY_IS_REQUESTER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_requester_step_async);
  g_task_set_task_data (task, g_new0 (Step, 1), (GDestroyNotify) step_free);
  /* Nodes forget transactions: whatever the journal holds goes out again
   * before a step is looked for in it. */
  tally_tx_manager_resume_async (self->manager, cancellable, on_resumed, task);
}

gboolean
tally_requester_step_finish (TallyRequester *self,
                             GAsyncResult   *result,
                             guint          *n_unfinished,
                             GError        **error)
{
  g_autofree guint *left = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  left = g_task_propagate_pointer (G_TASK (result), error);
  if (left == NULL)
    return FALSE;
  if (n_unfinished != NULL)
    *n_unfinished = *left;
  return TRUE;
}
