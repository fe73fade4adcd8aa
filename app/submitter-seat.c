/* submitter-seat.c: an annotator's seat — joining a task (with the public
 * key a private task's key server seals its key to), giving the seat back,
 * and opening a private task's key once it is granted
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "contract-abi.h"
#include "core-error.h"
#include "item-cipher.h"
#include "manifest-loader.h"
#include "submitter-private.h"

/* ---- What joins share ------------------------------------------------------- */

gboolean
_tally_submitter_encode_join (TallySubmitter *self,
                              TallyTask      *chain_task,
                              gboolean        review,
                              guint           seat,
                              guint8        **calldata,
                              gsize          *len,
                              GError        **error)
{
  const TallyUint256 *id = tally_task_get_id (chain_task);
  guint8              public_key[TALLY_PUBLIC_KEY_LEN];
  gsize               key_len = 0;

  if (tally_task_is_private (chain_task))
    {
      g_autoptr (GError) key_error = NULL;

      /* The contract checks the key against the sender's address. */
      if (!tally_signer_get_public_key (tally_tx_manager_get_signer (self->manager), public_key,
                                        &key_error))
        {
          g_autofree char *text = tally_uint256_to_decimal (id);

          g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE,
                       "Task %s is private and needs this account’s public key to join: %s", text,
                       key_error->message);
          return FALSE;
        }
      key_len = sizeof public_key;
    }
  if (review)
    return tally_label_market_encode_join_review (calldata, len, id, seat,
                                                  key_len > 0 ? public_key : NULL, key_len, error);
  return tally_label_market_encode_join (calldata, len, id, key_len > 0 ? public_key : NULL, key_len,
                                         error);
}

TallySubmissionState
_tally_submitter_seated_state (TallySubmitter *self,
                               TallyTask      *chain_task)
{
  if (tally_task_is_private (chain_task) && !tally_task_has_key_grant (chain_task, &self->account))
    return TALLY_SUBMISSION_WAITING_FOR_KEY;
  return TALLY_SUBMISSION_JOINED;
}

gboolean
_tally_submitter_key_too_late (TallyTask *chain_task,
                               guint64    now)
{
  guint64 deadline = tally_task_get_params (chain_task)->commit_deadline;

  return now > deadline || deadline - now < TALLY_SUBMITTER_KEY_MARGIN;
}

GError *
_tally_submitter_join_error (GError             *error,
                             const TallyUint256 *task_id)
{
  g_autofree char *id = NULL;

  if (!g_error_matches (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_REVERTED) ||
      strstr (error->message, "NoSeatLeft") == NULL)
    return error;
  /* Another account took the last seat between our look and the join. */
  g_error_free (error);
  id = tally_uint256_to_decimal (task_id);
  return g_error_new (TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE, "Task %s has no seat left", id);
}

/* The uint field of the first of the market's event logs in receipt;
 * FALSE when there is none. */
static gboolean
event_uint (TallySubmitter  *self,
            TallyRpcReceipt *receipt,
            const char      *event,
            const char      *field,
            TallyUint256    *out)
{
  /* The decoded log points into the ABI: both live until the end. */
  g_autoptr (TallyContractAbi) abi = tally_contract_abi_new_builtin ("LabelMarket", NULL);

  for (guint i = 0; abi != NULL && i < receipt->logs->len; i++)
    {
      const TallyRpcLog *log = g_ptr_array_index (receipt->logs, i);
      g_autoptr (TallyAbiLog) decoded = NULL;
      const TallyAbiValue *value;

      if (!tally_address_equal (&log->address, &self->market))
        continue;
      decoded = tally_contract_abi_decode_log (abi, (const guint8 *) log->topics, log->n_topics,
                                               g_bytes_get_data (log->data, NULL),
                                               g_bytes_get_size (log->data), NULL);
      if (decoded == NULL ||
          !g_str_equal (tally_abi_entry_get_name (tally_abi_log_get_event (decoded)), event))
        continue;
      value = tally_abi_log_lookup (decoded, field);
      if (value == NULL || tally_abi_value_get_kind (value) != TALLY_ABI_UINT)
        return FALSE;
      tally_abi_value_get_uint (value, out);
      return TRUE;
    }
  return FALSE;
}

/* ---- Taking a seat ------------------------------------------------------------ */

typedef struct
{
  TallySubmissionRecord *record; /* the caller's */
  TallySubmissionState   seated;
  gint                   seat;
  guint8                *calldata; /* the join, until its record is on disk */
  gsize                  len;
} TakeSeat;

static void
take_seat_free (TakeSeat *take)
{
  g_free (take->calldata);
  g_free (take);
}

static void
on_seat_taken (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallySubmitter        *self = TALLY_SUBMITTER (source);
  TakeSeat              *take = g_task_get_task_data (task);
  TallySubmissionRecord *record = take->record;
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  GError      *error = NULL;
  TallyUint256 seat;
  guint64      index = 0;

  receipt = _tally_submitter_send_finish (self, result, NULL, NULL, &error);
  if (receipt == NULL && g_error_matches (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_REVERTED) &&
      strstr (error->message, "AlreadyJoined") != NULL)
    {
      /* The engine's join of the same record got there first: seated. */
      g_clear_error (&error);
    }
  else if (receipt == NULL)
    {
      error = _tally_submitter_join_error (error, &record->task_id);
      /* A refusal is final; a join lost on the way stays JOINING, for the
       * engine to find in the journal or send again. */
      if (error->domain == TALLY_CORE_ERROR && (error->code == TALLY_CORE_ERROR_REVERTED ||
                                                error->code == TALLY_CORE_ERROR_WRONG_STATE))
        record->state = TALLY_SUBMISSION_FAILED;
      g_free (record->reason);
      record->reason = g_strdup (error->message);
      _tally_submitter_save_and_return (self, record, task, error);
      return;
    }
  if (receipt != NULL && event_uint (self, receipt, "Joined", "seat", &seat) &&
      tally_uint256_to_uint64 (&index, &seat) && index < TALLY_LABEL_MAX_REPLICATION)
    take->seat = (gint) index;
  record->state = take->seated;
  g_clear_pointer (&record->reason, g_free);
  _tally_submitter_save_and_return (self, record, task, NULL);
}

static void
on_joining_written (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallySubmitter  *self = g_task_get_source_object (task);
  TakeSeat        *take = g_task_get_task_data (task);
  g_autofree char *purpose = NULL;
  GError          *error = NULL;

  if (!tally_store_put_submission_finish (TALLY_STORE (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  purpose = _tally_submitter_purpose ("Join", &take->record->task_id);
  _tally_submitter_send_async (self, purpose, g_steal_pointer (&take->calldata), take->len,
                               g_task_get_cancellable (task), on_seat_taken, g_object_ref (task));
}

void
_tally_submitter_take_seat_async (TallySubmitter        *self,
                                  TallyTask             *chain_task,
                                  TallySubmissionRecord *record,
                                  GCancellable          *cancellable,
                                  GAsyncReadyCallback    callback,
                                  gpointer               user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  TakeSeat *take = g_new0 (TakeSeat, 1);
  GError   *error = NULL;

  g_task_set_source_tag (task, _tally_submitter_take_seat_async);
  take->record = record;
  take->seat = -1;
  g_task_set_task_data (task, take, (GDestroyNotify) take_seat_free);
  if (tally_task_get_seats_taken (chain_task) >= tally_task_get_params (chain_task)->replication)
    {
      g_autofree char *id = tally_uint256_to_decimal (&record->task_id);

      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE,
                               "Task %s has no seat left", id);
      return;
    }
  if (!_tally_submitter_encode_join (self, chain_task, FALSE, 0, &take->calldata, &take->len,
                                     &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* A fresh seat has no grant: the contract forgets a grant on leave. */
  take->seated = tally_task_is_private (chain_task) ? TALLY_SUBMISSION_WAITING_FOR_KEY
                                                    : TALLY_SUBMISSION_JOINED;
  record->state = TALLY_SUBMISSION_JOINING;
  g_clear_pointer (&record->reason, g_free);
  /* On disk before the join can reach the chain. */
  tally_store_put_submission_async (self->store, record, NULL, on_joining_written,
                                    g_steal_pointer (&task));
}

gboolean
_tally_submitter_take_seat_finish (TallySubmitter *self,
                                   GAsyncResult   *result,
                                   guint          *seat,
                                   GError        **error)
{
  TakeSeat *take = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (seat != NULL && take->seat >= 0)
    *seat = (guint) take->seat;
  return TRUE;
}

/* ---- join ----------------------------------------------------------------------- */

typedef struct
{
  TallyUint256           task_id;
  TallySubmissionRecord *record;
  guint                  seat;
  TallyUint256           fee;
  TallyTask             *chain_task; /* the task as refreshed, while the record is read */
} Seat;

static void
seat_free (Seat *seat)
{
  g_clear_pointer (&seat->record, tally_submission_record_free);
  g_clear_object (&seat->chain_task);
  g_free (seat);
}

/* Checks that the task of the operation is open, then reads its record
 * off the main loop and goes on in next; or returns the task. */
static void
lookup_open (GTask              *task,
             GAsyncResult       *result,
             gboolean            leaving,
             GAsyncReadyCallback next)
{
  TallySubmitter  *self = g_task_get_source_object (task);
  Seat            *seat = g_task_get_task_data (task);
  g_autofree char *id = tally_uint256_to_decimal (&seat->task_id);
  TallyTask       *chain_task;
  GError          *error = NULL;
  guint64          now = 0;

  if (!_tally_submitter_refresh_finish (self, result, &now, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  chain_task = tally_task_list_lookup (self->tasks, &seat->task_id);
  if (chain_task == NULL)
    {
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND,
                               "The market has no task %s", id);
      return;
    }
  if (tally_task_get_phase (chain_task, now) != TALLY_TASK_PHASE_LABELING)
    {
      if (leaving)
        g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE,
                                 "Task %s is past its commit deadline: its seats can no longer "
                                 "be given back",
                                 id);
      else
        g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE,
                                 "Task %s no longer takes annotators: its commit deadline has "
                                 "passed",
                                 id);
      return;
    }
  /* Held: another refresh may replace the list while the store reads. */
  g_set_object (&seat->chain_task, chain_task);
  tally_store_get_submission_async (self->store, self->chain_id, &self->market, &seat->task_id,
                                    &self->account, TALLY_SUBMISSION_ANNOTATOR, 0,
                                    g_task_get_cancellable (task), next, g_object_ref (task));
}

/* The task lookup_open() found, with seat->record read (NULL when there
 * is none or it cannot be read); or NULL with the task returned. */
static TallyTask *
read_open (GTask        *task,
           GAsyncResult *result)
{
  TallySubmitter *self = g_task_get_source_object (task);
  Seat           *seat = g_task_get_task_data (task);

  if (g_task_return_error_if_cancelled (task))
    return NULL;
  seat->record = tally_store_get_submission_finish (self->store, result, NULL);
  return seat->chain_task;
}

static void
on_joined (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Seat   *seat = g_task_get_task_data (task);
  GError *error = NULL;

  if (!_tally_submitter_take_seat_finish (TALLY_SUBMITTER (source), result, &seat->seat, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_join_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallySubmitter  *self = g_task_get_source_object (task);
  Seat            *seat = g_task_get_task_data (task);
  g_autofree char *id = tally_uint256_to_decimal (&seat->task_id);
  TallyTask       *chain_task;
  gint             held;

  chain_task = read_open (task, result);
  if (chain_task == NULL)
    return;
  if (tally_address_equal (tally_task_get_requester (chain_task), &self->account))
    {
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE,
                               "The requester of task %s cannot join it", id);
      return;
    }
  if (seat->record == NULL)
    seat->record = _tally_submitter_new_record (self, &seat->task_id);
  held = tally_task_find_seat (chain_task, &self->account);
  if (held >= 0)
    {
      TallySubmissionRecord *record = seat->record;

      /* Already seated (here, or by a join that was mined while Tally was
       * away): nothing is sent, the record catches up. */
      seat->seat = (guint) held;
      if (record->state == TALLY_SUBMISSION_DRAFTING || record->state == TALLY_SUBMISSION_JOINING ||
          record->state == TALLY_SUBMISSION_LEFT || record->state == TALLY_SUBMISSION_FAILED)
        {
          record->state = _tally_submitter_seated_state (self, chain_task);
          g_clear_pointer (&record->reason, g_free);
          _tally_submitter_save_and_return (self, record, task, NULL);
          return;
        }
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (seat->record->state >= TALLY_SUBMISSION_COMMITTING &&
      seat->record->state <= TALLY_SUBMISSION_CLAIMED)
    {
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE,
                               "Labels for task %s were already submitted (%s)", id,
                               tally_submission_state_to_string (seat->record->state));
      return;
    }
  _tally_submitter_take_seat_async (self, chain_task, seat->record, g_task_get_cancellable (task),
                                    on_joined, g_object_ref (task));
}

static void
on_join_refreshed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;

  lookup_open (task, result, FALSE, on_join_read);
}

void
tally_submitter_join_async (TallySubmitter     *self,
                            const TallyUint256 *task_id,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  GTask *task;
  Seat  *seat;

  g_return_if_fail (TALLY_IS_SUBMITTER (self));
  g_return_if_fail (task_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_submitter_join_async);
  seat = g_new0 (Seat, 1);
  seat->task_id = *task_id;
  g_task_set_task_data (task, seat, (GDestroyNotify) seat_free);
  _tally_submitter_refresh_async (self, cancellable, on_join_refreshed, task);
}

gboolean
tally_submitter_join_finish (TallySubmitter *self,
                             GAsyncResult   *result,
                             guint          *seat,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (seat != NULL)
    *seat = ((Seat *) g_task_get_task_data (G_TASK (result)))->seat;
  return TRUE;
}

/* ---- leave ---------------------------------------------------------------------- */

static void
on_left (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallySubmitter *self = TALLY_SUBMITTER (source);
  Seat           *seat = g_task_get_task_data (task);
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  GError *error = NULL;

  receipt = _tally_submitter_send_finish (self, result, NULL, NULL, &error);
  if (receipt == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* What the contract burned, as it says; the estimate stands otherwise. */
  if (!event_uint (self, receipt, "Left", "fee", &seat->fee))
    g_debug ("The leave of a seat left no Left event");
  seat->record->state = TALLY_SUBMISSION_LEFT;
  g_clear_pointer (&seat->record->reason, g_free);
  _tally_submitter_save_and_return (self, seat->record, task, NULL);
}

static void
on_leave_read (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallySubmitter      *self = g_task_get_source_object (task);
  Seat                *seat = g_task_get_task_data (task);
  g_autofree char     *id = tally_uint256_to_decimal (&seat->task_id);
  g_autofree char     *purpose = NULL;
  const TallyTaskSeat *held;
  TallyTask           *chain_task;
  GError              *error = NULL;
  guint8              *calldata = NULL;
  gsize                len = 0;
  gint                 index;

  chain_task = read_open (task, result);
  if (chain_task == NULL)
    return;
  index = tally_task_find_seat (chain_task, &self->account);
  if (index < 0)
    {
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE,
                               "This account holds no seat in task %s", id);
      return;
    }
  held = tally_task_get_seat (chain_task, (guint) index);
  if (held->state != TALLY_LABEL_SEAT_JOINED ||
      (seat->record != NULL && seat->record->state == TALLY_SUBMISSION_COMMITTING))
    {
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE,
                               "Labels for task %s are committed: the seat can no longer be given back",
                               id);
      return;
    }
  if (seat->record == NULL)
    seat->record = _tally_submitter_new_record (self, &seat->task_id);
  seat->seat = (guint) index;
  if (!tally_task_is_private (chain_task) || tally_task_has_key_grant (chain_task, &self->account))
    seat->fee = tally_task_get_params (chain_task)->leave_fee;
  if (!tally_label_market_encode_leave (&calldata, &len, &seat->task_id, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  purpose = _tally_submitter_purpose ("Leave", &seat->task_id);
  _tally_submitter_send_async (self, purpose, calldata, len, g_task_get_cancellable (task), on_left,
                               g_object_ref (task));
}

static void
on_leave_refreshed (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;

  lookup_open (task, result, TRUE, on_leave_read);
}

void
tally_submitter_leave_async (TallySubmitter     *self,
                             const TallyUint256 *task_id,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  GTask *task;
  Seat  *seat;

  g_return_if_fail (TALLY_IS_SUBMITTER (self));
  g_return_if_fail (task_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_submitter_leave_async);
  seat = g_new0 (Seat, 1);
  seat->task_id = *task_id;
  g_task_set_task_data (task, seat, (GDestroyNotify) seat_free);
  _tally_submitter_refresh_async (self, cancellable, on_leave_refreshed, task);
}

gboolean
tally_submitter_leave_finish (TallySubmitter *self,
                              GAsyncResult   *result,
                              TallyUint256   *fee,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (fee != NULL)
    *fee = ((Seat *) g_task_get_task_data (G_TASK (result)))->fee;
  return TRUE;
}

/* ---- A private task's key ------------------------------------------------------- */

typedef struct
{
  TallyUint256 task_id;
  char        *manifest_uri;
  guint8       manifest_hash[32];
  GBytes      *key; /* wipes itself */
} OpenKey;

static void
open_key_free (OpenKey *open)
{
  g_free (open->manifest_uri);
  g_clear_pointer (&open->key, g_bytes_unref);
  g_free (open);
}

static void
on_key_manifest (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  OpenKey         *open = g_task_get_task_data (task);
  g_autofree char *id = tally_uint256_to_decimal (&open->task_id);
  g_autoptr (TallyManifest) manifest = NULL;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  manifest = tally_manifest_load_finish (result, &error);
  if (manifest == NULL)
    {
      g_prefix_error (&error, "The manifest of task %s: ", id);
      g_task_return_error (task, error);
      return;
    }
  if (!tally_manifest_check_task_key (manifest, g_bytes_get_data (open->key, NULL), &error))
    {
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_KEY,
                               "The key server of task %s granted a key that does not open its "
                               "dataset (%s)",
                               id, error->message);
      g_error_free (error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&open->key), (GDestroyNotify) g_bytes_unref);
}

static void
on_key_opened (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  OpenKey         *open = g_task_get_task_data (task);
  g_autofree char *id = tally_uint256_to_decimal (&open->task_id);
  GError          *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  open->key = tally_signer_open_sealed_finish (TALLY_SIGNER (source), result, &error);
  if (open->key == NULL)
    {
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_KEY,
                               "The key granted for task %s does not open with this account’s "
                               "key: %s",
                               id, error->message);
      g_error_free (error);
      return;
    }
  if (g_bytes_get_size (open->key) != TALLY_TASK_KEY_LEN)
    {
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_KEY,
                               "The key granted for task %s is %" G_GSIZE_FORMAT " bytes long, "
                               "not a task key of %d",
                               id, g_bytes_get_size (open->key), TALLY_TASK_KEY_LEN);
      return;
    }
  tally_manifest_load_async (open->manifest_uri, open->manifest_hash, NULL,
                             g_task_get_cancellable (task), on_key_manifest, g_object_ref (task));
}

static void
on_key_refreshed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallySubmitter  *self = TALLY_SUBMITTER (source);
  OpenKey         *open = g_task_get_task_data (task);
  g_autofree char *id = tally_uint256_to_decimal (&open->task_id);
  g_autoptr (GBytes) sealed = NULL;
  TallyTask *chain_task;
  GError    *error = NULL;
  guint64    now = 0;

  if (!_tally_submitter_refresh_finish (self, result, &now, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  chain_task = tally_task_list_lookup (self->tasks, &open->task_id);
  if (chain_task == NULL)
    {
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND,
                               "The market has no task %s", id);
      return;
    }
  if (!tally_task_is_private (chain_task))
    {
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE,
                               "Task %s is not private: its items are not encrypted", id);
      return;
    }
  sealed = tally_task_get_sealed_key (chain_task, &self->account);
  if (sealed == NULL)
    {
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE,
                               "The key server of task %s has not granted its key to this "
                               "account yet",
                               id);
      return;
    }
  open->manifest_uri = g_strdup (tally_task_get_manifest_uri (chain_task));
  memcpy (open->manifest_hash, tally_task_get_params (chain_task)->manifest_hash, 32);
  tally_signer_open_sealed_async (tally_tx_manager_get_signer (self->manager), sealed,
                                  g_task_get_cancellable (task), on_key_opened,
                                  g_object_ref (task));
}

void
tally_submitter_open_task_key_async (TallySubmitter     *self,
                                     const TallyUint256 *task_id,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data)
{
  GTask   *task;
  OpenKey *open;

  g_return_if_fail (TALLY_IS_SUBMITTER (self));
  g_return_if_fail (task_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_submitter_open_task_key_async);
  open = g_new0 (OpenKey, 1);
  open->task_id = *task_id;
  g_task_set_task_data (task, open, (GDestroyNotify) open_key_free);
  _tally_submitter_refresh_async (self, cancellable, on_key_refreshed, task);
}

GBytes *
tally_submitter_open_task_key_finish (TallySubmitter *self,
                                      GAsyncResult   *result,
                                      GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
