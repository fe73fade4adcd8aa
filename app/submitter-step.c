/* submitter-step.c: the engine — one pass over the unfinished submissions
 *
 * Each submission moves as far as the chain's clock allows, one state at
 * a time, and each new state is written to the store before the next
 * step's transaction is sent: on the store's queue, so the main loop never
 * waits for the disk, and the pass goes on only once the write is done.
 * The chain's view comes from the task list (the market's events), synced
 * at the start of the pass. A reviewer's record moves in
 * submitter-step-review.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "core-error.h"
#include "submitter-private.h"

typedef TallySubmitterPass Step;

static void
step_free (Step *step)
{
  g_clear_pointer (&step->records, g_ptr_array_unref);
  g_free (step->send_name);
  g_free (step->send_calldata);
  g_free (step);
}

TallySubmissionRecord *
_tally_submitter_pass_record (GTask *task)
{
  Step *step = g_task_get_task_data (task);

  return g_ptr_array_index (step->records, step->index);
}

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask             *task = user_data;
  Step              *step = g_task_get_task_data (task);
  TallySubmitterThen then = step->then;
  GError            *error = NULL;

  step->then = NULL;
  /* A store that cannot be written ends the pass. */
  if (!tally_store_put_submission_finish (TALLY_STORE (source), result, &error))
    g_task_return_error (task, error);
  else if (!g_task_return_error_if_cancelled (task))
    {
      then (task);
      return;
    }
  g_clear_pointer (&step->send_name, g_free);
  g_clear_pointer (&step->send_calldata, g_free);
  g_object_unref (task);
}

void
_tally_submitter_pass_save (GTask             *task,
                            TallySubmitterThen then)
{
  TallySubmitter *self = g_task_get_source_object (task);
  Step           *step = g_task_get_task_data (task);

  g_assert (step->then == NULL);
  step->then = then;
  /* Not cancellable: what the pass learned lands even when it is cut
   * short; the pass stops once it is down. */
  tally_store_put_submission_async (self->store, _tally_submitter_pass_record (task), NULL, on_saved,
                                    task);
}

static void
next_record (GTask *task)
{
  Step *step = g_task_get_task_data (task);

  step->index++;
  _tally_submitter_pass_advance (task);
}

/* The submission waits for a later time (or a later pass). */
void
_tally_submitter_pass_wait_later (GTask *task)
{
  Step *step = g_task_get_task_data (task);

  step->n_unfinished++;
  next_record (task);
}

void
_tally_submitter_pass_finish_with (GTask               *task,
                                   TallySubmissionState state,
                                   const char          *reason)
{
  TallySubmissionRecord *record = _tally_submitter_pass_record (task);

  record->state = state;
  g_free (record->reason);
  record->reason = g_strdup (reason);
  _tally_submitter_pass_save (task, next_record);
}

/* A step's transaction failed. A revert of the annotator's own steps (join,
 * commit, reveal) is final for this submission; a settle or claim that
 * reverts lost a race to another account and is looked at again at the
 * next pass, as is any network failure. */
void
_tally_submitter_pass_failed (GTask  *task,
                              GError *error)
{
  TallySubmissionRecord *record = _tally_submitter_pass_record (task);
  Step                  *step = g_task_get_task_data (task);
  gboolean               final;

  step->joining = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  final = g_error_matches (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_REVERTED) &&
          (record->state == TALLY_SUBMISSION_COMMITTING ||
           record->state == TALLY_SUBMISSION_REVEALING ||
           record->state == TALLY_SUBMISSION_JOINING);
  if (record->state == TALLY_SUBMISSION_JOINING)
    {
      /* AlreadyJoined: another join of ours (an app's) got there first,
       * and the next pass sees the seat. */
      error = _tally_submitter_join_error (error, &record->task_id);
      final = (final && strstr (error->message, "AlreadyJoined") == NULL) ||
              g_error_matches (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE);
    }
  if (final)
    {
      _tally_submitter_pass_finish_with (task, TALLY_SUBMISSION_FAILED, error->message);
      g_error_free (error);
      return;
    }
  g_debug ("A step of a submission will be tried again: %s", error->message);
  g_free (record->reason);
  record->reason = g_strdup (error->message);
  g_error_free (error);
  _tally_submitter_pass_save (task, _tally_submitter_pass_wait_later);
}

static void
on_step_mined (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask                 *task = user_data;
  TallySubmissionRecord *record = _tally_submitter_pass_record (task);
  Step                  *step = g_task_get_task_data (task);
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  GError  *error = NULL;
  guint8   hash[32];
  gboolean has_hash = FALSE;

  receipt = _tally_submitter_send_finish (TALLY_SUBMITTER (source), result, hash, &has_hash, &error);
  if (receipt == NULL)
    {
      _tally_submitter_pass_failed (task, error);
      return;
    }
  g_clear_pointer (&record->reason, g_free);
  if (step->joining || record->state == TALLY_SUBMISSION_JOINING)
    {
      /* Seated now; the next pass records the seat (and commits, if the
       * labels are there) once the log shows it. */
      step->joining = FALSE;
      _tally_submitter_pass_wait_later (task);
      return;
    }
  switch (record->state)
    {
    case TALLY_SUBMISSION_WAITING_FOR_KEY:
      /* The engine's own leave (see advance_seat); a reason already there
       * is why the key granted was refused. */
      record->state = TALLY_SUBMISSION_LEFT;
      if (record->reason != NULL)
        {
          g_autofree char *why = g_steal_pointer (&record->reason);

          record->reason = g_strdup_printf ("%s: the seat was given back before the commit "
                                            "deadline, less the leave fee",
                                            why);
        }
      else
        record->reason = g_strdup ("The key server did not grant the task key in time: the seat "
                                   "was given back for free");
      _tally_submitter_pass_save (task, next_record);
      return;
    case TALLY_SUBMISSION_COMMITTING:
      record->has_commit_tx = has_hash;
      memcpy (record->commit_tx, hash, sizeof hash);
      record->state = TALLY_SUBMISSION_COMMITTED;
      break;
    case TALLY_SUBMISSION_REVEALING:
      record->has_reveal_tx = has_hash;
      memcpy (record->reveal_tx, hash, sizeof hash);
      record->state = TALLY_SUBMISSION_REVEALED;
      break;
    case TALLY_SUBMISSION_REVEALED:
      record->state = TALLY_SUBMISSION_SETTLED;
      break;
    case TALLY_SUBMISSION_CLAIMABLE:
      record->state = TALLY_SUBMISSION_CLAIMED;
      break;
    default:
      g_assert_not_reached ();
    }
  /* Settling needs the Settled events, which come with the next pass. */
  _tally_submitter_pass_save (task, record->state == TALLY_SUBMISSION_SETTLED
                                      ? _tally_submitter_pass_wait_later
                                      : _tally_submitter_pass_advance);
}

static void
send_step (GTask      *task,
           const char *step_name,
           gboolean    per_task,
           guint8     *calldata,
           gsize       len)
{
  TallySubmitter        *self = g_task_get_source_object (task);
  TallySubmissionRecord *record = _tally_submitter_pass_record (task);
  g_autofree char       *purpose = NULL;

  purpose = _tally_submitter_purpose (step_name, per_task ? &record->task_id : NULL);

  _tally_submitter_send_async (self, purpose, calldata, len, g_task_get_cancellable (task),
                               on_step_mined, task);
}

void
_tally_submitter_pass_send (GTask      *task,
                            const char *step_name,
                            guint8     *calldata,
                            gsize       len)
{
  send_step (task, step_name, TRUE, calldata, len);
}

static void
send_written (GTask *task)
{
  Step            *step = g_task_get_task_data (task);
  g_autofree char *name = g_steal_pointer (&step->send_name);

  send_step (task, name, TRUE, g_steal_pointer (&step->send_calldata), step->send_len);
}

void
_tally_submitter_pass_save_and_send (GTask      *task,
                                     const char *step_name,
                                     guint8     *calldata,
                                     gsize       len)
{
  Step *step = g_task_get_task_data (task);

  g_assert (step->send_name == NULL && step->send_calldata == NULL);
  step->send_name = g_strdup (step_name);
  step->send_calldata = calldata;
  step->send_len = len;
  _tally_submitter_pass_save (task, send_written);
}

static void
on_credited (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr (GBytes) reply = NULL;
  GError      *error = NULL;
  TallyUint256 credited;
  guint8      *calldata = NULL;
  gsize        len = 0;

  reply = tally_rpc_client_eth_call_finish (TALLY_RPC_CLIENT (source), result, NULL, &error);
  if (reply == NULL ||
      !tally_label_market_decode_credited (&credited, g_bytes_get_data (reply, NULL),
                                           g_bytes_get_size (reply), &error))
    {
      _tally_submitter_pass_failed (task, error);
      return;
    }
  /* Claims pay everything credited: another submission's may have. */
  if (tally_uint256_is_zero (&credited))
    {
      _tally_submitter_pass_finish_with (task, TALLY_SUBMISSION_CLAIMED, NULL);
      return;
    }
  if (!tally_label_market_encode_claim (&calldata, &len, &error))
    {
      _tally_submitter_pass_failed (task, error);
      return;
    }
  send_step (task, "Claim rewards", FALSE, calldata, len);
}

static void
claim (GTask *task)
{
  TallySubmitter *self = g_task_get_source_object (task);
  g_autoptr (GBytes) data = NULL;
  GError *error = NULL;
  guint8 *calldata = NULL;
  gsize   len = 0;

  if (!tally_label_market_encode_credited (&calldata, &len, &self->account, &error))
    {
      _tally_submitter_pass_failed (task, error);
      return;
    }
  data = g_bytes_new_take (calldata, len);
  tally_rpc_client_eth_call_async (tally_tx_manager_get_client (self->manager), NULL, &self->market,
                                   data, "latest", g_task_get_cancellable (task), on_credited, task);
}

/* signal: "deadline-near" for a reveal, "commit-deadline-near" for a
 * seat whose labels are not committed yet. */
static void
maybe_warn (GTask      *task,
            const char *signal,
            guint64     deadline)
{
  TallySubmitter        *self = g_task_get_source_object (task);
  TallySubmissionRecord *record = _tally_submitter_pass_record (task);
  Step                  *step = g_task_get_task_data (task);

  if (deadline >= step->now && deadline - step->now <= TALLY_SUBMITTER_DEADLINE_WARNING)
    {
      g_autofree char *id = tally_uint256_to_decimal (&record->task_id);

      g_signal_emit_by_name (self, signal, id, deadline);
    }
}

/* The states annotators and reviewers share: settling the task once it
 * can be, and claiming. */
void
_tally_submitter_pass_advance_common (GTask         *task,
                                      TallyTask     *chain_task,
                                      TallyTaskPhase phase)
{
  TallySubmitter        *self = g_task_get_source_object (task);
  TallySubmissionRecord *record = _tally_submitter_pass_record (task);
  GError                *error = NULL;
  guint8                *calldata = NULL;
  gsize                  len = 0;

  switch (record->state)
    {
    case TALLY_SUBMISSION_REVEALED:
      if (tally_task_get_state (chain_task) == TALLY_LABEL_TASK_FINALIZED)
        {
          record->state = TALLY_SUBMISSION_SETTLED;
          _tally_submitter_pass_save (task, _tally_submitter_pass_advance);
          return;
        }
      if (phase != TALLY_TASK_PHASE_SETTLEABLE)
        {
          _tally_submitter_pass_wait_later (task);
          return;
        }
      /* Anyone may settle; the first to do it pays its gas. */
      if (!tally_task_encode_finalize (chain_task, &calldata, &len, &error))
        {
          _tally_submitter_pass_failed (task, error);
          return;
        }
      send_step (task, "Settle", TRUE, calldata, len);
      return;

    case TALLY_SUBMISSION_CLAIMABLE:
      if (!self->auto_claim)
        {
          _tally_submitter_pass_wait_later (task);
          return;
        }
      claim (task);
      return;

    default:
      next_record (task);
      return;
    }
}

/* A seat taken (or being taken) and not yet committed to. */
/* The leave of a seat whose key never came (free) or does not open the
 * items (the leave fee: less than a seat slashed whole for never
 * revealing). */
static void
give_back (GTask *task)
{
  TallySubmissionRecord *record = _tally_submitter_pass_record (task);
  GError                *error = NULL;
  guint8                *calldata = NULL;
  gsize                  len = 0;

  if (!tally_label_market_encode_leave (&calldata, &len, &record->task_id, &error))
    {
      _tally_submitter_pass_failed (task, error);
      return;
    }
  send_step (task, "Leave", TRUE, calldata, len);
}

static void
on_grant_checked (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallySubmitter        *self = TALLY_SUBMITTER (source);
  TallySubmissionRecord *record = _tally_submitter_pass_record (task);
  Step                  *step = g_task_get_task_data (task);
  g_autoptr (GBytes) key = NULL;
  g_autoptr (GError) error = NULL;
  TallyTask *chain_task;

  key = tally_submitter_open_task_key_finish (self, result, &error);
  if (g_task_return_error_if_cancelled (task))
    return;
  g_clear_pointer (&record->reason, g_free);
  if (key != NULL)
    {
      record->state = TALLY_SUBMISSION_JOINED;
      _tally_submitter_pass_save (task, _tally_submitter_pass_advance);
      return;
    }
  /* Said on the record; the key server may grant again, and near the
   * deadline the seat is given back like one never granted. Anything but
   * a wrong key (the manifest's server, the node) is tried again. */
  record->reason = g_strdup (error->message);
  chain_task = tally_task_list_lookup (self->tasks, &record->task_id);
  if (g_error_matches (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_KEY) &&
      chain_task != NULL && _tally_submitter_key_too_late (chain_task, step->now))
    {
      give_back (task);
      return;
    }
  _tally_submitter_pass_save (task, _tally_submitter_pass_wait_later);
}

static void
advance_seat (GTask               *task,
              TallyTask           *chain_task,
              TallyTaskPhase       phase,
              const TallyTaskSeat *seat)
{
  TallySubmitter        *self = g_task_get_source_object (task);
  TallySubmissionRecord *record = _tally_submitter_pass_record (task);
  Step                  *step = g_task_get_task_data (task);
  GError                *error = NULL;
  guint8                *calldata = NULL;
  gsize                  len = 0;

  if (phase != TALLY_TASK_PHASE_LABELING)
    {
      /* The contract slashes a seat neither committed nor given back. */
      if (seat != NULL)
        _tally_submitter_pass_finish_with (task, TALLY_SUBMISSION_EXPIRED,
                                           "The commit deadline passed before labels were committed: "
                                           "the seat's stake is lost");
      else if (record->state == TALLY_SUBMISSION_JOINING)
        _tally_submitter_pass_finish_with (task, TALLY_SUBMISSION_EXPIRED,
                                           "The commit deadline passed before the join was mined");
      else
        _tally_submitter_pass_finish_with (task, TALLY_SUBMISSION_LEFT,
                                           "The seat was given back elsewhere");
      return;
    }
  if (record->state == TALLY_SUBMISSION_JOINING)
    {
      if (seat != NULL)
        {
          /* Mined while Tally was away. */
          record->state = _tally_submitter_seated_state (self, chain_task);
          _tally_submitter_pass_save (task, _tally_submitter_pass_advance);
          return;
        }
      if (!_tally_submitter_encode_join (self, chain_task, FALSE, 0, &calldata, &len, &error))
        {
          _tally_submitter_pass_failed (task, error);
          return;
        }
      send_step (task, "Join", TRUE, calldata, len);
      return;
    }
  /* A seat given back elsewhere shows once the log has it; the record
   * waits rather than guess from a log that may lag a join. */
  if (seat == NULL || record->state == TALLY_SUBMISSION_JOINED)
    {
      if (seat != NULL)
        maybe_warn (task, "commit-deadline-near",
                    tally_task_get_params (chain_task)->commit_deadline);
      _tally_submitter_pass_wait_later (task);
      return;
    }
  if (tally_task_has_key_grant (chain_task, &self->account))
    {
      /* Labels are never asked for on a key that does not open the items. */
      tally_submitter_open_task_key_async (self, &record->task_id, g_task_get_cancellable (task),
                                           on_grant_checked, g_object_ref (task));
      return;
    }
  if (!_tally_submitter_key_too_late (chain_task, step->now))
    {
      _tally_submitter_pass_wait_later (task);
      return;
    }
  /* No key, no labels: give the seat back while that costs nothing. */
  give_back (task);
}

/* One state of the current submission, by what the chain shows. */
void
_tally_submitter_pass_advance (GTask *task)
{
  TallySubmitter        *self = g_task_get_source_object (task);
  Step                  *step = g_task_get_task_data (task);
  TallySubmissionRecord *record;
  TallyTask             *chain_task;
  const TallyTaskSeat   *seat = NULL;
  TallyTaskPhase         phase;
  GError                *error = NULL;
  guint8                *calldata = NULL;
  gsize                  len = 0;
  gint                   index;

  if (step->index >= step->records->len)
    {
      g_task_return_pointer (task, g_memdup2 (&step->n_unfinished, sizeof (guint)), g_free);
      g_object_unref (task);
      return;
    }
  record = _tally_submitter_pass_record (task);
  if (!tally_submission_state_is_unfinished (record->state))
    {
      next_record (task);
      return;
    }
  chain_task = tally_task_list_lookup (self->tasks, &record->task_id);
  if (chain_task == NULL)
    {
      _tally_submitter_pass_wait_later (task);
      return;
    }
  phase = tally_task_get_phase (chain_task, step->now);
  if (record->role == TALLY_SUBMISSION_REVIEWER)
    {
      _tally_submitter_pass_advance_review (task, chain_task, phase);
      return;
    }
  index = tally_task_find_seat (chain_task, &self->account);
  if (index >= 0)
    seat = tally_task_get_seat (chain_task, (guint) index);

  switch (record->state)
    {
    case TALLY_SUBMISSION_DRAFTING:
      if (phase != TALLY_TASK_PHASE_LABELING)
        _tally_submitter_pass_finish_with (task, TALLY_SUBMISSION_EXPIRED,
                                           "The commit deadline passed before the labels were "
                                           "submitted");
      else
        _tally_submitter_pass_wait_later (task);
      return;

    case TALLY_SUBMISSION_JOINING:
    case TALLY_SUBMISSION_JOINED:
    case TALLY_SUBMISSION_WAITING_FOR_KEY:
      advance_seat (task, chain_task, phase, seat);
      return;

    case TALLY_SUBMISSION_COMMITTING:
      if (seat != NULL && seat->state >= TALLY_LABEL_SEAT_COMMITTED)
        {
          record->state = TALLY_SUBMISSION_COMMITTED;
          _tally_submitter_pass_save (task, _tally_submitter_pass_advance);
          return;
        }
      if (phase != TALLY_TASK_PHASE_LABELING)
        {
          _tally_submitter_pass_finish_with (task, TALLY_SUBMISSION_EXPIRED,
                                             "The commit deadline passed before the commit was "
                                             "mined");
          return;
        }
      if (seat == NULL)
        {
          /* The join never made it (a crash, a lost reply): join again,
           * then commit. */
          step->joining = TRUE;
          if (!_tally_submitter_encode_join (self, chain_task, FALSE, 0, &calldata, &len, &error))
            {
              _tally_submitter_pass_failed (task, error);
              return;
            }
          send_step (task, "Join", TRUE, calldata, len);
          return;
        }
      if (!tally_label_market_encode_commit (&calldata, &len, &record->task_id, record->commitment,
                                             &error))
        {
          _tally_submitter_pass_failed (task, error);
          return;
        }
      send_step (task, "Commit to", TRUE, calldata, len);
      return;

    case TALLY_SUBMISSION_COMMITTED:
    case TALLY_SUBMISSION_REVEALING:
      if (seat != NULL && seat->state == TALLY_LABEL_SEAT_REVEALED)
        {
          record->state = TALLY_SUBMISSION_REVEALED;
          _tally_submitter_pass_save (task, _tally_submitter_pass_advance);
          return;
        }
      if (phase == TALLY_TASK_PHASE_LABELING)
        {
          maybe_warn (task, "deadline-near", tally_task_get_params (chain_task)->reveal_deadline);
          _tally_submitter_pass_wait_later (task);
          return;
        }
      if (phase != TALLY_TASK_PHASE_REVEAL)
        {
          _tally_submitter_pass_finish_with (task, TALLY_SUBMISSION_EXPIRED,
                                             "The reveal window closed before the reveal was mined");
          return;
        }
      {
        gsize         labels_len = 0, payload_len = 0;
        const guint8 *labels = g_bytes_get_data (record->labels, &labels_len);
        const guint8 *payload =
          record->payload != NULL ? g_bytes_get_data (record->payload, &payload_len) : NULL;

        if (!tally_label_market_encode_reveal (&calldata, &len, &record->task_id, labels,
                                               labels_len, payload, payload_len, record->salt,
                                               &error))
          {
            _tally_submitter_pass_failed (task, error);
            return;
          }
      }
      record->state = TALLY_SUBMISSION_REVEALING;
      _tally_submitter_pass_save_and_send (task, "Reveal", calldata, len);
      return;

    case TALLY_SUBMISSION_SETTLED:
      if (seat == NULL || !seat->settled)
        {
          _tally_submitter_pass_wait_later (task);
          return;
        }
      if (tally_uint256_is_zero (&seat->reward))
        {
          _tally_submitter_pass_finish_with (task, TALLY_SUBMISSION_CLAIMED,
                                             "Nothing to claim: no label was rewarded");
          return;
        }
      record->state = TALLY_SUBMISSION_CLAIMABLE;
      _tally_submitter_pass_save (task, _tally_submitter_pass_advance);
      return;

    default:
      _tally_submitter_pass_advance_common (task, chain_task, phase);
      return;
    }
}

static void
on_step_listed (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask          *task = user_data;
  TallySubmitter *self = g_task_get_source_object (task);
  Step           *step = g_task_get_task_data (task);
  GError         *error = NULL;

  if ((step->records = tally_store_list_unfinished_finish (TALLY_STORE (source), result,
                                                           &error)) == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  /* Only this account's: the store may hold others'. */
  for (guint i = step->records->len; i > 0; i--)
    {
      TallySubmissionRecord *record = g_ptr_array_index (step->records, i - 1);

      if (!tally_address_equal (&record->account, &self->account))
        g_ptr_array_remove_index (step->records, i - 1);
    }
  _tally_submitter_pass_advance (task);
}

static void
on_step_refreshed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask          *task = user_data;
  TallySubmitter *self = TALLY_SUBMITTER (source);
  Step           *step = g_task_get_task_data (task);
  GError         *error = NULL;

  if (!_tally_submitter_refresh_finish (self, result, &step->now, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  /* Off the main loop: a write's fsync holds the store's lock. */
  tally_store_list_unfinished_async (self->store, self->chain_id, &self->market,
                                     g_task_get_cancellable (task), on_step_listed, task);
}

static void
on_resumed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask          *task = user_data;
  TallySubmitter *self = g_task_get_source_object (task);
  GError         *error = NULL;
  guint           n_sent = 0;

  /* Whatever the journal holds goes out again before any new step, so no
   * step is signed twice and no nonce is skipped. */
  if (!tally_tx_manager_resume_finish (TALLY_TX_MANAGER (source), result, &n_sent, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (n_sent > 0)
    g_debug ("Sent %u journaled transactions again", n_sent);
  _tally_submitter_refresh_async (self, g_task_get_cancellable (task), on_step_refreshed, task);
}

void
tally_submitter_step_async (TallySubmitter     *self,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (TALLY_IS_SUBMITTER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_submitter_step_async);
  g_task_set_task_data (task, g_new0 (Step, 1), (GDestroyNotify) step_free);
  /* Every pass: what is pending goes out again (nodes forget transactions)
   * and what was mined meanwhile is recorded as such. */
  tally_tx_manager_resume_async (self->manager, cancellable, on_resumed, task);
}

gboolean
tally_submitter_step_finish (TallySubmitter *self,
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
