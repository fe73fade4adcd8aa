/* submitter-step-review.c: the engine's moves for a reviewer's record —
 * the annotator's machine (submitter-step.c) on the review deadlines:
 * a review seat's join cut short, its commit, and its reveal in the review
 * reveal window, each new state written down before the next step is sent
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include "submitter-private.h"

/* A reviewer's step, named with the seat it reviews, as
 * submitter-review.c names its own. */
static char *
review_step_name (const TallySubmissionRecord *record,
                  const char                  *verb)
{
  return g_strdup_printf ("%s a review seat %u of", verb, record->seat + 1);
}

static void
send_review_step (GTask      *task,
                  const char *verb,
                  guint8     *calldata,
                  gsize       len)
{
  g_autofree char *name = review_step_name (_tally_submitter_pass_record (task), verb);

  _tally_submitter_pass_send (task, name, calldata, len);
}

/* The review seat of the current record's account on its seat, or NULL. */
static const TallyTaskReview *
held_review (TallySubmitter *self,
             TallyTask      *chain_task,
             guint           seat)
{
  const TallyLabelTaskParams *p = tally_task_get_params (chain_task);

  if (seat >= p->replication)
    return NULL;
  for (guint slot = 0; slot < p->reviewers; slot++)
    {
      const TallyTaskReview *review = tally_task_get_review (chain_task, seat, slot);

      if (review->taken && tally_address_equal (&review->reviewer, &self->account))
        return review;
    }
  return NULL;
}

/* A reviewer's record: the same machine on the review deadlines. */
void
_tally_submitter_pass_advance_review (GTask         *task,
                                      TallyTask     *chain_task,
                                      TallyTaskPhase phase)
{
  TallySubmitter        *self = g_task_get_source_object (task);
  TallySubmissionRecord *record = _tally_submitter_pass_record (task);
  TallySubmitterPass    *step = g_task_get_task_data (task);
  g_autofree char       *name = NULL;
  const TallyTaskReview *review = held_review (self, chain_task, record->seat);
  /* Review seats are taken and committed to until this deadline. */
  gboolean can_commit = phase <= TALLY_TASK_PHASE_REVIEW;
  GError  *error = NULL;
  guint8  *calldata = NULL;
  gsize    len = 0;

  switch (record->state)
    {
    case TALLY_SUBMISSION_DRAFTING:
      if (!can_commit)
        _tally_submitter_pass_finish_with (task, TALLY_SUBMISSION_EXPIRED,
                                           "The review commit deadline passed before the verdicts "
                                           "were submitted");
      else
        _tally_submitter_pass_wait_later (task);
      return;

    case TALLY_SUBMISSION_COMMITTING:
      if (review != NULL && review->state >= TALLY_LABEL_SEAT_COMMITTED)
        {
          record->state = TALLY_SUBMISSION_COMMITTED;
          _tally_submitter_pass_save (task, _tally_submitter_pass_advance);
          return;
        }
      if (!can_commit)
        {
          _tally_submitter_pass_finish_with (task, TALLY_SUBMISSION_EXPIRED,
                                             "The review commit deadline passed before the commit "
                                             "was mined");
          return;
        }
      if (review == NULL)
        {
          step->joining = TRUE;
          if (!_tally_submitter_encode_join (self, chain_task, TRUE, record->seat, &calldata, &len,
                                             &error))
            {
              _tally_submitter_pass_failed (task, error);
              return;
            }
          send_review_step (task, "Join", calldata, len);
          return;
        }
      if (!tally_label_market_encode_commit_review (&calldata, &len, &record->task_id, record->seat,
                                                    record->commitment, &error))
        {
          _tally_submitter_pass_failed (task, error);
          return;
        }
      send_review_step (task, "Commit", calldata, len);
      return;

    case TALLY_SUBMISSION_COMMITTED:
    case TALLY_SUBMISSION_REVEALING:
      if (review != NULL && review->state == TALLY_LABEL_SEAT_REVEALED)
        {
          record->state = TALLY_SUBMISSION_REVEALED;
          _tally_submitter_pass_save (task, _tally_submitter_pass_advance);
          return;
        }
      if (can_commit)
        {
          _tally_submitter_pass_wait_later (task);
          return;
        }
      if (phase != TALLY_TASK_PHASE_REVIEW_REVEAL)
        {
          _tally_submitter_pass_finish_with (task, TALLY_SUBMISSION_EXPIRED,
                                             "The review reveal window closed before the verdicts "
                                             "were revealed");
          return;
        }
      {
        gsize         verdicts_len = 0;
        const guint8 *verdicts = g_bytes_get_data (record->labels, &verdicts_len);

        if (!tally_label_market_encode_reveal_review (&calldata, &len, &record->task_id, record->seat,
                                                      verdicts, verdicts_len, record->salt, &error))
          {
            _tally_submitter_pass_failed (task, error);
            return;
          }
      }
      record->state = TALLY_SUBMISSION_REVEALING;
      name = review_step_name (record, "Reveal");
      _tally_submitter_pass_save_and_send (task, name, calldata, len);
      return;

    case TALLY_SUBMISSION_SETTLED:
      if (review == NULL || !review->settled)
        {
          _tally_submitter_pass_wait_later (task);
          return;
        }
      if (tally_uint256_is_zero (&review->reward))
        {
          _tally_submitter_pass_finish_with (task, TALLY_SUBMISSION_CLAIMED,
                                             "Nothing to claim: no verdict was rewarded");
          return;
        }
      record->state = TALLY_SUBMISSION_CLAIMABLE;
      _tally_submitter_pass_save (task, _tally_submitter_pass_advance);
      return;

    default:
      /* Settling and claiming are the annotator's steps. */
      _tally_submitter_pass_advance_common (task, chain_task, phase);
      return;
    }
}
