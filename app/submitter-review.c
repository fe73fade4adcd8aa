/* submitter-review.c: a reviewer's verdicts on a submission — take a
 * review seat, write the verdicts down, commit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "core-error.h"
#include "submitter-private.h"

typedef struct
{
  TallyUint256           task_id;
  guint                  seat;
  GBytes                *verdicts;
  TallySubmissionRecord *record;
  TallyTask             *chain_task; /* the task as refreshed, while the record is read */
} Review;

static void
review_free (Review *review)
{
  g_clear_object (&review->chain_task);
  g_clear_pointer (&review->verdicts, g_bytes_unref);
  g_clear_pointer (&review->record, tally_submission_record_free);
  g_free (review);
}

static void
on_review_committed (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Review *review = g_task_get_task_data (task);

  _tally_submitter_commit_done (TALLY_SUBMITTER (source), result, review->record, task);
}

static void
on_review_written (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallySubmitter  *self = g_task_get_source_object (task);
  Review          *review = g_task_get_task_data (task);
  g_autofree char *purpose = NULL;
  g_autofree char *step_name = NULL;
  GError          *error = NULL;
  guint8          *calldata = NULL;
  gsize            len = 0;

  if (!tally_store_put_submission_finish (TALLY_STORE (source), result, &error) ||
      !tally_label_market_encode_commit_review (&calldata, &len, &review->task_id, review->seat,
                                                review->record->commitment, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    {
      g_free (calldata);
      return;
    }
  step_name = g_strdup_printf ("Commit a review seat %u of", review->seat + 1);
  purpose = _tally_submitter_purpose (step_name, &review->task_id);
  _tally_submitter_send_async (self, purpose, calldata, len, g_task_get_cancellable (task),
                               on_review_committed, g_object_ref (task));
}

static void
on_review_salt (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallySubmitter        *self = TALLY_SUBMITTER (source);
  Review                *review = g_task_get_task_data (task);
  TallySubmissionRecord *record = review->record;
  GError                *error = NULL;
  gsize                  verdicts_len = 0;
  const guint8          *verdicts = g_bytes_get_data (review->verdicts, &verdicts_len);

  if (!tally_submitter_derive_salt_finish (self, result, record->salt, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  record->has_salt = TRUE;
  tally_label_market_review_commitment (record->commitment, self->chain_id, &self->market,
                                        &review->task_id, review->seat, &self->account, verdicts,
                                        verdicts_len, record->salt);
  record->has_commitment = TRUE;
  g_clear_pointer (&record->labels, g_bytes_unref);
  record->labels = g_bytes_ref (review->verdicts);
  record->state = TALLY_SUBMISSION_COMMITTING;
  /* On disk before anything can reach the chain; never cancelled, so a
   * commit cut short still finds its salt. */
  tally_store_put_submission_async (self->store, record, NULL, on_review_written,
                                    g_object_ref (task));
}

static void
on_review_joined (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallySubmitter *self = TALLY_SUBMITTER (source);
  Review         *review = g_task_get_task_data (task);
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  GError *error = NULL;

  receipt = _tally_submitter_send_finish (self, result, NULL, NULL, &error);
  if (receipt == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  _tally_submitter_salt_async (self, &review->task_id, TALLY_SUBMISSION_REVIEWER, review->seat,
                               g_task_get_cancellable (task), on_review_salt, g_object_ref (task));
}

/* Verdicts the task can take: one per item, each a TALLY_LABEL_VERDICT_*. */
static gboolean
check_verdicts (TallyTask *chain_task,
                GBytes    *verdicts,
                GError   **error)
{
  guint         items = tally_task_get_params (chain_task)->item_count;
  gsize         len = 0;
  const guint8 *bytes = g_bytes_get_data (verdicts, &len);

  if (len != items)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                   "The task has %u items but %" G_GSIZE_FORMAT " verdicts were given", items, len);
      return FALSE;
    }
  for (gsize i = 0; i < len; i++)
    if (bytes[i] > TALLY_LABEL_VERDICT_REJECT)
      {
        g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                     "Verdict %u on item %" G_GSIZE_FORMAT " is none of abstain (0), accept (1), reject (2)",
                     bytes[i], i + 1);
        return FALSE;
      }
  return TRUE;
}

/* Why a review of seat cannot be taken now, or NULL. */
static char *
refusal (TallySubmitter *self,
         TallyTask      *chain_task,
         guint           seat,
         guint64         now,
         const char     *id)
{
  const TallyLabelTaskParams *p = tally_task_get_params (chain_task);

  if (p->reviewers == 0)
    return g_strdup_printf ("Task %s has no reviewers", id);
  if (seat >= p->replication)
    return g_strdup_printf ("Task %s has no seat %u", id, seat + 1);
  if (tally_task_get_phase (chain_task, now) > TALLY_TASK_PHASE_REVIEW)
    return g_strdup_printf ("Task %s no longer takes reviews: its review commit deadline has passed", id);
  if (tally_task_get_seat (chain_task, seat)->state != TALLY_LABEL_SEAT_REVEALED)
    return g_strdup_printf ("The submission in seat %u of task %s is not revealed yet", seat + 1, id);
  if (tally_task_find_seat (chain_task, &self->account) >= 0)
    return g_strdup_printf ("An annotator of task %s cannot review it", id);
  return NULL;
}

static void on_review_read (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data);

static void
on_review_refreshed (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallySubmitter  *self = TALLY_SUBMITTER (source);
  Review          *review = g_task_get_task_data (task);
  g_autofree char *id = tally_uint256_to_decimal (&review->task_id);
  g_autofree char *why = NULL;
  TallyTask       *chain_task;
  GError          *error = NULL;
  guint64          now = 0;

  if (!_tally_submitter_refresh_finish (self, result, &now, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  chain_task = tally_task_list_lookup (self->tasks, &review->task_id);
  if (chain_task == NULL)
    {
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND,
                               "The market has no task %s", id);
      return;
    }
  if ((why = refusal (self, chain_task, review->seat, now, id)) != NULL)
    {
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE, "%s", why);
      return;
    }
  if (!check_verdicts (chain_task, review->verdicts, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* Held: another refresh may replace the list while the store reads. */
  g_set_object (&review->chain_task, chain_task);
  tally_store_get_submission_async (self->store, self->chain_id, &self->market, &review->task_id,
                                    &self->account, TALLY_SUBMISSION_REVIEWER, review->seat,
                                    g_task_get_cancellable (task), on_review_read,
                                    g_object_ref (task));
}

static void
on_review_read (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallySubmitter  *self = g_task_get_source_object (task);
  Review          *review = g_task_get_task_data (task);
  g_autofree char *id = tally_uint256_to_decimal (&review->task_id);
  g_autofree char *purpose = NULL;
  g_autofree char *step_name = NULL;
  g_autoptr (TallySubmissionRecord) existing = NULL;
  TallyTask *chain_task = review->chain_task;
  GError    *error = NULL;
  gboolean   held = FALSE;
  guint8    *calldata = NULL;
  gsize      len = 0;

  if (g_task_return_error_if_cancelled (task))
    return;
  /* Unreadable counts as none, as it did before the read was queued. */
  existing = tally_store_get_submission_finish (TALLY_STORE (source), result, NULL);
  if (existing != NULL && existing->state != TALLY_SUBMISSION_DRAFTING)
    {
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE,
                               "Verdicts on seat %u of task %s were already submitted (%s)",
                               review->seat + 1, id, tally_submission_state_to_string (existing->state));
      return;
    }
  review->record = existing != NULL ? g_steal_pointer (&existing)
                                    : _tally_submitter_new_record (self, &review->task_id);
  review->record->role = TALLY_SUBMISSION_REVIEWER;
  review->record->seat = review->seat;
  for (guint slot = 0; slot < tally_task_get_params (chain_task)->reviewers; slot++)
    {
      const TallyTaskReview *seat = tally_task_get_review (chain_task, review->seat, slot);

      held = held || (seat->taken && tally_address_equal (&seat->reviewer, &self->account));
    }
  if (held)
    {
      _tally_submitter_salt_async (self, &review->task_id, TALLY_SUBMISSION_REVIEWER, review->seat,
                                   g_task_get_cancellable (task), on_review_salt, g_object_ref (task));
      return;
    }
  /* On a private task the key server seals the key to the reviewer too. */
  if (!_tally_submitter_encode_join (self, chain_task, TRUE, review->seat, &calldata, &len, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  step_name = g_strdup_printf ("Join a review seat %u of", review->seat + 1);
  purpose = _tally_submitter_purpose (step_name, &review->task_id);
  _tally_submitter_send_async (self, purpose, calldata, len, g_task_get_cancellable (task),
                               on_review_joined, g_object_ref (task));
}

void
tally_submitter_review_async (TallySubmitter     *self,
                              const TallyUint256 *task_id,
                              guint               seat,
                              GBytes             *verdicts,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  GTask  *task;
  Review *review;

  g_return_if_fail (TALLY_IS_SUBMITTER (self));
  g_return_if_fail (task_id != NULL && verdicts != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_submitter_review_async);
  review = g_new0 (Review, 1);
  review->task_id = *task_id;
  review->seat = seat;
  review->verdicts = g_bytes_ref (verdicts);
  g_task_set_task_data (task, review, (GDestroyNotify) review_free);
  _tally_submitter_refresh_async (self, cancellable, on_review_refreshed, task);
}

gboolean
tally_submitter_review_finish (TallySubmitter *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
