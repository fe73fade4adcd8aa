/* submitter.c: an annotator's submissions — the object, the salt, and
 * submitting (join, write down, commit)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "core-error.h"
#include "submitter-private.h"
#include "wallet/eip191.h"
#include "wallet/hex.h"
#include "wallet/keccak.h"

G_DEFINE_FINAL_TYPE (TallySubmitter, tally_submitter, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_AUTO_CLAIM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  DEADLINE_NEAR,
  COMMIT_DEADLINE_NEAR,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

char *
_tally_submitter_purpose (const char         *step,
                          const TallyUint256 *task_id)
{
  g_autofree char *id = task_id != NULL ? tally_uint256_to_decimal (task_id) : NULL;

  return id != NULL ? g_strdup_printf ("%s task %s", step, id) : g_strdup (step);
}

TallySubmissionRecord *
_tally_submitter_new_record (TallySubmitter     *self,
                             const TallyUint256 *task_id)
{
  TallySubmissionRecord *record = g_new0 (TallySubmissionRecord, 1);

  record->chain_id = self->chain_id;
  record->market = self->market;
  record->task_id = *task_id;
  record->account = self->account;
  record->role = TALLY_SUBMISSION_ANNOTATOR;
  record->state = TALLY_SUBMISSION_DRAFTING;
  return record;
}

/* ---- The salt -------------------------------------------------------------- */

static void
on_salt_signed (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  guint8  signature[TALLY_SIGNATURE_LEN];
  guint8 *salt;

  if (!tally_signer_sign_digest_finish (TALLY_SIGNER (source), result, signature, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  salt = g_malloc (32);
  tally_keccak256 (salt, signature, sizeof signature);
  memset (signature, 0, sizeof signature);
  g_task_return_pointer (task, salt, g_free);
}

void
_tally_submitter_salt_async (TallySubmitter     *self,
                             const TallyUint256 *task_id,
                             TallySubmissionRole role,
                             guint               seat,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  char             market[TALLY_ADDRESS_STRING_SIZE];
  g_autofree char *id = NULL;
  g_autofree char *message = NULL;
  guint8           digest[TALLY_DIGEST_LEN];

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_submitter_derive_salt_async);
  tally_address_to_string (&self->market, market);
  id = tally_uint256_to_decimal (task_id);
  /* A message a hardware wallet can show, never a transaction: nobody can
   * be tricked into signing it for anything else. */
  if (role == TALLY_SUBMISSION_REVIEWER)
    message = g_strdup_printf ("Tally review salt\nChain: %" G_GUINT64_FORMAT
                               "\nMarket: %s\nTask: %s\nSeat: %u",
                               self->chain_id, market, id, seat);
  else
    message = g_strdup_printf ("Tally commitment salt\nChain: %" G_GUINT64_FORMAT
                               "\nMarket: %s\nTask: %s",
                               self->chain_id, market, id);
  tally_eip191_hash_message (digest, (const guint8 *) message, strlen (message));
  tally_signer_sign_digest_async (tally_tx_manager_get_signer (self->manager), digest, cancellable,
                                  on_salt_signed, g_object_ref (task));
}

void
tally_submitter_derive_salt_async (TallySubmitter     *self,
                                   const TallyUint256 *task_id,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data)
{
  g_return_if_fail (TALLY_IS_SUBMITTER (self));
  g_return_if_fail (task_id != NULL);

  _tally_submitter_salt_async (self, task_id, TALLY_SUBMISSION_ANNOTATOR, 0, cancellable, callback,
                               user_data);
}

gboolean
tally_submitter_derive_salt_finish (TallySubmitter *self,
                                    GAsyncResult   *result,
                                    guint8          salt[32],
                                    GError        **error)
{
  g_autofree guint8 *derived = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  derived = g_task_propagate_pointer (G_TASK (result), error);
  if (derived == NULL)
    return FALSE;
  memcpy (salt, derived, 32);
  memset (derived, 0, 32);
  return TRUE;
}

/* ---- Submitting ------------------------------------------------------------ */

typedef struct
{
  TallyUint256           task_id;
  GBytes                *labels;
  GBytes                *payload;
  TallySubmissionRecord *record;
  TallyTask             *chain_task; /* the task as refreshed, while the record is read */
} Submit;

static void
submit_free (Submit *submit)
{
  g_clear_object (&submit->chain_task);
  g_clear_pointer (&submit->labels, g_bytes_unref);
  g_clear_pointer (&submit->payload, g_bytes_unref);
  g_clear_pointer (&submit->record, tally_submission_record_free);
  g_free (submit);
}

void
_tally_submitter_commit_done (TallySubmitter        *self,
                              GAsyncResult          *result,
                              TallySubmissionRecord *record,
                              GTask                 *task)
{
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  GError *error = NULL;

  receipt = _tally_submitter_send_finish (self, result, record->commit_tx, &record->has_commit_tx,
                                          &error);
  /* Without a receipt the record stays COMMITTING: the engine finds the
   * journaled commit, or sends it again while the window is open. Keep the
   * hash if there is one. */
  if (receipt != NULL)
    record->state = TALLY_SUBMISSION_COMMITTED;
  _tally_submitter_save_and_return (self, record, task, error);
}

static void
on_committed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Submit *submit = g_task_get_task_data (task);

  _tally_submitter_commit_done (TALLY_SUBMITTER (source), result, submit->record, task);
}

static void
on_commit_written (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallySubmitter  *self = g_task_get_source_object (task);
  Submit          *submit = g_task_get_task_data (task);
  g_autofree char *purpose = NULL;
  GError          *error = NULL;
  guint8          *calldata = NULL;
  gsize            len = 0;

  if (!tally_store_put_submission_finish (TALLY_STORE (source), result, &error) ||
      !tally_label_market_encode_commit (&calldata, &len, &submit->task_id,
                                         submit->record->commitment, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    {
      g_free (calldata);
      return;
    }
  purpose = _tally_submitter_purpose ("Commit to", &submit->task_id);
  _tally_submitter_send_async (self, purpose, calldata, len, g_task_get_cancellable (task),
                               on_committed, g_object_ref (task));
}

static void
on_salt (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallySubmitter        *self = TALLY_SUBMITTER (source);
  Submit                *submit = g_task_get_task_data (task);
  TallySubmissionRecord *record = submit->record;
  GError                *error = NULL;
  gsize                  labels_len = 0, payload_len = 0;
  const guint8          *labels = g_bytes_get_data (submit->labels, &labels_len);
  const guint8          *payload = g_bytes_get_data (submit->payload, &payload_len);

  if (!tally_submitter_derive_salt_finish (self, result, record->salt, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  record->has_salt = TRUE;
  tally_label_market_commitment (record->commitment, self->chain_id, &self->market,
                                 &submit->task_id, &self->account, labels, labels_len, payload,
                                 payload_len, record->salt);
  record->has_commitment = TRUE;
  g_clear_pointer (&record->labels, g_bytes_unref);
  g_clear_pointer (&record->payload, g_bytes_unref);
  record->labels = g_bytes_ref (submit->labels);
  record->payload = g_bytes_ref (submit->payload);
  record->state = TALLY_SUBMISSION_COMMITTING;
  /* On disk before anything can reach the chain; never cancelled, so a
   * commit cut short still finds its salt. */
  tally_store_put_submission_async (self->store, record, NULL, on_commit_written,
                                    g_object_ref (task));
}

static void
on_joined (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallySubmitter *self = TALLY_SUBMITTER (source);
  Submit         *submit = g_task_get_task_data (task);
  GError         *error = NULL;

  if (!_tally_submitter_take_seat_finish (self, result, NULL, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  tally_submitter_derive_salt_async (self, &submit->task_id, g_task_get_cancellable (task), on_salt,
                                     g_object_ref (task));
}

/* Labels the task can take: one per item, each 0..classCount. */
static gboolean
check_labels (TallyTask *task,
              GBytes    *labels,
              GError   **error)
{
  const TallyLabelTaskParams *p = tally_task_get_params (task);
  gsize                       len = 0;
  const guint8               *bytes = g_bytes_get_data (labels, &len);

  if (len != p->item_count)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                   "The task has %u items but %" G_GSIZE_FORMAT " labels were given",
                   p->item_count, len);
      return FALSE;
    }
  for (gsize i = 0; i < len; i++)
    if (bytes[i] > p->class_count)
      {
        g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                     "Item %" G_GSIZE_FORMAT " has class %u; the task has %u classes", i + 1,
                     bytes[i], p->class_count);
        return FALSE;
      }
  return TRUE;
}

static void on_submit_read (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data);

static void
on_submit_refreshed (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallySubmitter  *self = TALLY_SUBMITTER (source);
  Submit          *submit = g_task_get_task_data (task);
  g_autofree char *id = tally_uint256_to_decimal (&submit->task_id);
  TallyTask       *chain_task;
  GError          *error = NULL;
  guint64          now = 0;

  if (!_tally_submitter_refresh_finish (self, result, &now, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  chain_task = tally_task_list_lookup (self->tasks, &submit->task_id);
  if (chain_task == NULL)
    {
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND,
                               "The market has no task %s", id);
      return;
    }
  if (tally_task_get_phase (chain_task, now) != TALLY_TASK_PHASE_LABELING)
    {
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE,
                               "Task %s no longer takes labels: its commit deadline has passed",
                               id);
      return;
    }
  if (!check_labels (chain_task, submit->labels, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* Held: another refresh may replace the list while the store reads. */
  g_set_object (&submit->chain_task, chain_task);
  tally_store_get_submission_async (self->store, self->chain_id, &self->market, &submit->task_id,
                                    &self->account, TALLY_SUBMISSION_ANNOTATOR, 0,
                                    g_task_get_cancellable (task), on_submit_read,
                                    g_object_ref (task));
}

static void
on_submit_read (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallySubmitter  *self = g_task_get_source_object (task);
  Submit          *submit = g_task_get_task_data (task);
  g_autofree char *id = tally_uint256_to_decimal (&submit->task_id);
  g_autoptr (TallySubmissionRecord) existing = NULL;
  TallyTask *chain_task = submit->chain_task;

  if (g_task_return_error_if_cancelled (task))
    return;
  /* Unreadable counts as none, as it did before the read was queued. */
  existing = tally_store_get_submission_finish (TALLY_STORE (source), result, NULL);
  /* A seat held, given back or refused may still take labels. */
  if (existing != NULL && existing->state >= TALLY_SUBMISSION_COMMITTING &&
      existing->state <= TALLY_SUBMISSION_EXPIRED && existing->state != TALLY_SUBMISSION_FAILED)
    {
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE,
                               "Labels for task %s were already submitted (%s)", id,
                               tally_submission_state_to_string (existing->state));
      return;
    }
  submit->record = existing != NULL ? g_steal_pointer (&existing)
                                    : _tally_submitter_new_record (self, &submit->task_id);
  if (tally_task_find_seat (chain_task, &self->account) >= 0)
    {
      tally_submitter_derive_salt_async (self, &submit->task_id, g_task_get_cancellable (task),
                                         on_salt, g_object_ref (task));
      return;
    }
  _tally_submitter_take_seat_async (self, chain_task, submit->record, g_task_get_cancellable (task),
                                    on_joined, g_object_ref (task));
}

void
tally_submitter_submit_async (TallySubmitter     *self,
                              const TallyUint256 *task_id,
                              GBytes             *labels,
                              GBytes             *payload,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  GTask  *task;
  Submit *submit;

  g_return_if_fail (TALLY_IS_SUBMITTER (self));
  g_return_if_fail (task_id != NULL && labels != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_submitter_submit_async);
  submit = g_new0 (Submit, 1);
  submit->task_id = *task_id;
  submit->labels = g_bytes_ref (labels);
  submit->payload = payload != NULL ? g_bytes_ref (payload) : g_bytes_new (NULL, 0);
  g_task_set_task_data (task, submit, (GDestroyNotify) submit_free);
  _tally_submitter_refresh_async (self, cancellable, on_submit_refreshed, task);
}

gboolean
tally_submitter_submit_finish (TallySubmitter *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- The object -------------------------------------------------------------- */

TallySubmitter *
tally_submitter_new (TallyStore     *store,
                     TallyTaskList  *tasks,
                     TallyTxManager *manager)
{
  TallySubmitter      *self;
  TallyNetworkProfile *profile;

  g_return_val_if_fail (TALLY_IS_STORE (store), NULL);
  g_return_val_if_fail (TALLY_IS_TASK_LIST (tasks), NULL);
  g_return_val_if_fail (TALLY_IS_TX_MANAGER (manager), NULL);

  self = g_object_new (TALLY_TYPE_SUBMITTER, NULL);
  self->store = g_object_ref (store);
  self->tasks = g_object_ref (tasks);
  self->manager = g_object_ref (manager);
  profile = tally_market_log_get_profile (tally_task_list_get_log (tasks));
  self->chain_id = tally_network_profile_get_chain_id (profile);
  self->market = *tally_network_profile_get_market_address (profile);
  tally_signer_get_address (tally_tx_manager_get_signer (manager), &self->account);
  return self;
}

TallyStore *
tally_submitter_get_store (TallySubmitter *self)
{
  g_return_val_if_fail (TALLY_IS_SUBMITTER (self), NULL);

  return self->store;
}

TallyTaskList *
tally_submitter_get_tasks (TallySubmitter *self)
{
  g_return_val_if_fail (TALLY_IS_SUBMITTER (self), NULL);

  return self->tasks;
}

TallyTxManager *
tally_submitter_get_manager (TallySubmitter *self)
{
  g_return_val_if_fail (TALLY_IS_SUBMITTER (self), NULL);

  return self->manager;
}

gboolean
tally_submitter_get_auto_claim (TallySubmitter *self)
{
  g_return_val_if_fail (TALLY_IS_SUBMITTER (self), FALSE);

  return self->auto_claim;
}

void
tally_submitter_set_auto_claim (TallySubmitter *self,
                                gboolean        auto_claim)
{
  g_return_if_fail (TALLY_IS_SUBMITTER (self));

  auto_claim = !!auto_claim;
  if (self->auto_claim == auto_claim)
    return;
  self->auto_claim = auto_claim;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTO_CLAIM]);
}

static void
tally_submitter_dispose (GObject *object)
{
  TallySubmitter *self = TALLY_SUBMITTER (object);

  g_clear_object (&self->store);
  g_clear_object (&self->tasks);
  g_clear_object (&self->manager);

  G_OBJECT_CLASS (tally_submitter_parent_class)->dispose (object);
}

static void
tally_submitter_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  TallySubmitter *self = TALLY_SUBMITTER (object);

  switch (prop_id)
    {
    case PROP_AUTO_CLAIM:
      g_value_set_boolean (value, self->auto_claim);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_submitter_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  TallySubmitter *self = TALLY_SUBMITTER (object);

  switch (prop_id)
    {
    case PROP_AUTO_CLAIM:
      tally_submitter_set_auto_claim (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_submitter_class_init (TallySubmitterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tally_submitter_dispose;
  object_class->get_property = tally_submitter_get_property;
  object_class->set_property = tally_submitter_set_property;

  properties[PROP_AUTO_CLAIM] =
    g_param_spec_boolean ("auto-claim", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* task id (decimal), reveal deadline (Unix seconds): a submission must
   * still be revealed and its window closes soon: keep Tally running. */
  signals[DEADLINE_NEAR] = g_signal_new ("deadline-near", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                         G_TYPE_STRING, G_TYPE_UINT64);
  /* task id (decimal), commit deadline (Unix seconds): a seat is held and
   * no labels are committed, and the deadline is near: the contract
   * slashes the seat's whole lock unless labels are submitted or the seat
   * is given back (for the leave fee) in time. */
  signals[COMMIT_DEADLINE_NEAR] =
    g_signal_new ("commit-deadline-near", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_UINT64);
}

static void
tally_submitter_init (TallySubmitter *self)
{
  self->auto_claim = TRUE;
}
