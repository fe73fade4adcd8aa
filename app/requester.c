/* requester.c: a requester's tasks — the object, sending a step once, and
 * creating a task (the row written down before the create is broadcast);
 * each transaction goes out once per purpose (tally_tx_manager_send_once_async)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <errno.h>
#include <string.h>

#include "core-error.h"
#include "requester-private.h"
#include "wallet/hex.h"
#include "wallet/secret.h"

G_DEFINE_FINAL_TYPE (TallyRequester, tally_requester, G_TYPE_OBJECT)

gboolean
_tally_requester_is_unfinished (const TallyRequesterTaskRecord *row)
{
  return row->state != TALLY_REQUESTER_TASK_DONE && row->state != TALLY_REQUESTER_TASK_FAILED;
}

/* ---- Rows ---------------------------------------------------------------------- */

/* The id TaskCreated gives in receipt. */
gboolean
_tally_requester_task_id_from_receipt (TallyRequester  *self,
                                       TallyRpcReceipt *receipt,
                                       TallyUint256    *task_id,
                                       GError         **error)
{
  const TallyAbiEntry *entry = tally_contract_abi_lookup (self->abi, TALLY_ABI_ENTRY_EVENT,
                                                          "TaskCreated", NULL);
  g_autofree char     *hash = tally_hex_encode (receipt->transaction_hash, TALLY_RPC_HASH_LEN);
  const guint8        *topic;
  gsize                topic_len = 0;

  g_assert (entry != NULL);
  topic = tally_abi_entry_get_selector (entry, &topic_len);
  for (guint i = 0; receipt->logs != NULL && i < receipt->logs->len; i++)
    {
      const TallyRpcLog *log = g_ptr_array_index (receipt->logs, i);

      if (tally_address_equal (&log->address, &self->market) && log->n_topics >= 2 &&
          memcmp (log->topics[0], topic, topic_len) == 0)
        {
          tally_uint256_from_bytes32 (task_id, log->topics[1]);
          return TRUE;
        }
    }
  g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
               "The createTask transaction %s was mined but logged no TaskCreated", hash);
  return FALSE;
}

/* The create of row was mined; a task without gold has nothing left to
 * do. */
void
_tally_requester_row_created (TallyRequesterTaskRecord *row,
                              const TallyUint256       *task_id)
{
  row->task_id = *task_id;
  row->has_task_id = TRUE;
  row->state = row->gold_indices != NULL ? TALLY_REQUESTER_TASK_OPEN : TALLY_REQUESTER_TASK_DONE;
}

void
_tally_requester_row_failed (TallyRequesterTaskRecord *row,
                             const char               *reason)
{
  g_free (row->reason);
  row->reason = g_strdup (reason);
  row->state = TALLY_REQUESTER_TASK_FAILED;
}

/* A step's transaction that reverted or lost its nonce will not succeed by
 * being waited for again. */
gboolean
_tally_requester_is_final_failure (const GError *error)
{
  return g_error_matches (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_REVERTED) ||
         g_error_matches (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
}

/* ---- Creating a task ------------------------------------------------------------- */

typedef struct
{
  TallyLabelTaskParams      params;
  char                     *manifest_uri;
  TallyRequesterTaskRecord *row;
  guint8                   *calldata; /* the create, until its row is on disk */
  gsize                     len;
  GError                   *error; /* the create's failure, returned once its row is down */
} Create;

static void
create_free (Create *create)
{
  g_free (create->manifest_uri);
  g_clear_pointer (&create->row, tally_requester_task_record_free);
  g_free (create->calldata);
  g_clear_error (&create->error);
  g_free (create);
}

static gboolean
check_gold (const TallyLabelTaskParams *p,
            GArray                     *indices,
            GBytes                     *labels,
            GError                    **error)
{
  guint         n = indices != NULL ? indices->len : 0;
  gsize         len = 0;
  const guint8 *bytes = labels != NULL ? g_bytes_get_data (labels, &len) : NULL;

  if (len != n)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                   "%u gold items were given with %" G_GSIZE_FORMAT " gold labels", n, len);
      return FALSE;
    }
  for (guint j = 0; j < n; j++)
    {
      guint index = g_array_index (indices, guint16, j);

      if (index >= p->item_count)
        {
          g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                       "Gold item %u is beyond the task's %u items", index + 1, p->item_count);
          return FALSE;
        }
      if (j > 0 && index <= g_array_index (indices, guint16, j - 1))
        {
          g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                       "Gold items must be given in increasing order, each once (item %u)",
                       index + 1);
          return FALSE;
        }
      if (bytes[j] == 0 || bytes[j] > p->class_count)
        {
          g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                       "Gold item %u has class %u; the task has classes 1 to %u", index + 1,
                       bytes[j], p->class_count);
          return FALSE;
        }
    }
  return TRUE;
}

/* The row after the create is written down (never cancelled: what the
 * chain did lands even when the caller gave up); the task returns. */
static void
on_outcome_written (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Create *create = g_task_get_task_data (task);
  GError *error = NULL;

  if (!tally_store_put_requester_task_finish (TALLY_STORE (source), result, &error))
    {
      if (create->error == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      /* The create's failure says more; the engine looks at the row
       * again. */
      g_debug ("A failed create's row was not written down: %s", error->message);
      g_error_free (error);
    }
  if (create->error != NULL)
    g_task_return_error (task, g_steal_pointer (&create->error));
  else
    g_task_return_pointer (task, g_memdup2 (&create->row->task_id, sizeof (TallyUint256)), g_free);
}

static void
on_create_mined (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallyRequester *self = g_task_get_source_object (task);
  Create         *create = g_task_get_task_data (task);
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  GError      *error = NULL;
  TallyUint256 task_id;

  /* A create cut short stays CREATING: the engine finishes it. */
  if (g_task_return_error_if_cancelled (task))
    return;
  receipt = tally_tx_manager_send_once_finish (TALLY_TX_MANAGER (source), result, NULL, NULL,
                                               &error);
  if (receipt == NULL)
    {
      gboolean final = _tally_requester_is_final_failure (error);

      /* Otherwise the row stays CREATING: the engine waits for the create
       * the journal holds. */
      if (final)
        _tally_requester_row_failed (create->row, error->message);
      g_prefix_error (&error, "createTask: ");
      if (!final)
        {
          g_task_return_error (task, error);
          return;
        }
      create->error = error;
    }
  else if (!_tally_requester_task_id_from_receipt (self, receipt, &task_id, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  else
    _tally_requester_row_created (create->row, &task_id);
  tally_store_put_requester_task_async (self->store, create->row, NULL, on_outcome_written,
                                        g_object_ref (task));
}

static void
on_row_written (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallyRequester *self = g_task_get_source_object (task);
  Create         *create = g_task_get_task_data (task);
  g_autoptr (GBytes) data = NULL;
  GError *error = NULL;

  if (!tally_store_put_requester_task_finish (TALLY_STORE (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  data = g_bytes_new_take (g_steal_pointer (&create->calldata), create->len);
  tally_tx_manager_send_once_async (self->manager, &self->market, data, create->row->purpose,
                                    g_task_get_cancellable (task), on_create_mined,
                                    g_object_ref (task));
}

static void
on_budget_approved (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallyRequester *self = g_task_get_source_object (task);
  Create         *create = g_task_get_task_data (task);
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  receipt = tally_tx_manager_send_once_finish (TALLY_TX_MANAGER (source), result, NULL, NULL,
                                               &error);
  if (receipt == NULL)
    {
      g_prefix_error (&error, "approve of the task's budget: ");
      g_task_return_error (task, error);
      return;
    }
  if (!tally_label_market_encode_create_task (&create->calldata, &create->len, &create->params,
                                              create->manifest_uri, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* On disk before the create can reach the chain: a restart finds the row
   * and the journaled create under the same purpose. Never cancelled: a
   * row without a create is found orphaned, a create without a row never. */
  tally_store_put_requester_task_async (self->store, create->row, NULL, on_row_written,
                                        g_object_ref (task));
}

void
tally_requester_create_task_async (TallyRequester             *self,
                                   const TallyLabelTaskParams *params,
                                   const char                 *manifest_uri,
                                   GArray                     *gold_indices,
                                   GBytes                     *gold_labels,
                                   GCancellable               *cancellable,
                                   GAsyncReadyCallback         callback,
                                   gpointer                    user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char *nonce_hex = NULL;
  g_autofree char *approve_purpose = NULL;
  g_autoptr (GBytes) approve = NULL;
  TallyRequesterTaskRecord *row;
  GError                   *error = NULL;
  Create                   *create;
  TallyUint256              budget;
  guint8                    nonce[8];
  guint8                   *calldata = NULL;
  gsize                     len = 0;

  g_return_if_fail (TALLY_IS_REQUESTER (self));
  g_return_if_fail (params != NULL && manifest_uri != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_requester_create_task_async);
  create = g_new0 (Create, 1);
  create->params = *params;
  create->manifest_uri = g_strdup (manifest_uri);
  g_task_set_task_data (task, create, (GDestroyNotify) create_free);

  /* No gold items is a task without gold. */
  if ((gold_indices == NULL || gold_indices->len == 0) &&
      (gold_labels == NULL || g_bytes_get_size (gold_labels) == 0))
    {
      gold_indices = NULL;
      gold_labels = NULL;
    }
  if (!check_gold (params, gold_indices, gold_labels, &error) ||
      !tally_random_bytes (nonce, sizeof nonce, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (!tally_label_task_params_budget (params, &budget))
    {
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                               "The task's budget does not fit 256 bits");
      return;
    }

  row = create->row = g_new0 (TallyRequesterTaskRecord, 1);
  nonce_hex = tally_hex_encode_bare (nonce, sizeof nonce);
  /* Unique per create, so two tasks on one manifest never share a row. */
  row->purpose = g_strdup_printf ("Create task %s", nonce_hex);
  row->chain_id = self->chain_id;
  row->market = self->market;
  row->requester = self->account;
  memcpy (row->manifest_hash, params->manifest_hash, 32);
  row->state = TALLY_REQUESTER_TASK_CREATING;
  memset (create->params.gold_commitment, 0, 32);
  if (gold_indices != NULL)
    {
      row->gold_indices = g_array_copy (gold_indices);
      row->gold_labels = g_bytes_ref (gold_labels);
      if (!tally_random_bytes (row->gold_salt, 32, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      row->has_gold_salt = TRUE;
      tally_label_market_gold_commitment (create->params.gold_commitment, params->manifest_hash,
                                          &g_array_index (gold_indices, guint16, 0),
                                          g_bytes_get_data (gold_labels, NULL), gold_indices->len,
                                          row->gold_salt);
    }

  /* The market pulls the budget into escrow: approve exactly that. */
  if (!tally_label_token_encode_approve (&calldata, &len, &self->market, &budget, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  approve = g_bytes_new_take (calldata, len);
  approve_purpose = g_strdup_printf ("Approve the budget of %s", row->purpose);
  tally_tx_manager_send_once_async (self->manager, &self->token, approve, approve_purpose,
                                    cancellable, on_budget_approved, g_object_ref (task));
}

gboolean
tally_requester_create_task_finish (TallyRequester *self,
                                    GAsyncResult   *result,
                                    TallyUint256   *task_id,
                                    GError        **error)
{
  g_autofree TallyUint256 *id = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  id = g_task_propagate_pointer (G_TASK (result), error);
  if (id == NULL)
    return FALSE;
  if (task_id != NULL)
    *task_id = *id;
  return TRUE;
}

/* ---- The object ------------------------------------------------------------------ */

TallyRequester *
tally_requester_new (TallyStore     *store,
                     TallyTaskList  *tasks,
                     TallyTxManager *manager)
{
  TallyRequester      *self;
  TallyNetworkProfile *profile;

  g_return_val_if_fail (TALLY_IS_STORE (store), NULL);
  g_return_val_if_fail (TALLY_IS_TASK_LIST (tasks), NULL);
  g_return_val_if_fail (TALLY_IS_TX_MANAGER (manager), NULL);

  self = g_object_new (TALLY_TYPE_REQUESTER, NULL);
  self->store = g_object_ref (store);
  self->tasks = g_object_ref (tasks);
  self->manager = g_object_ref (manager);
  profile = tally_market_log_get_profile (tally_task_list_get_log (tasks));
  self->chain_id = tally_network_profile_get_chain_id (profile);
  self->market = *tally_network_profile_get_market_address (profile);
  self->token = *tally_network_profile_get_token_address (profile);
  tally_signer_get_address (tally_tx_manager_get_signer (manager), &self->account);
  return self;
}

TallyStore *
tally_requester_get_store (TallyRequester *self)
{
  g_return_val_if_fail (TALLY_IS_REQUESTER (self), NULL);

  return self->store;
}

TallyTaskList *
tally_requester_get_tasks (TallyRequester *self)
{
  g_return_val_if_fail (TALLY_IS_REQUESTER (self), NULL);

  return self->tasks;
}

TallyTxManager *
tally_requester_get_manager (TallyRequester *self)
{
  g_return_val_if_fail (TALLY_IS_REQUESTER (self), NULL);

  return self->manager;
}

static void
tally_requester_dispose (GObject *object)
{
  TallyRequester *self = TALLY_REQUESTER (object);

  g_clear_object (&self->store);
  g_clear_object (&self->tasks);
  g_clear_object (&self->manager);
  g_clear_object (&self->abi);

  G_OBJECT_CLASS (tally_requester_parent_class)->dispose (object);
}

static void
tally_requester_class_init (TallyRequesterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tally_requester_dispose;
}

static void
tally_requester_init (TallyRequester *self)
{
  self->abi = tally_contract_abi_new_builtin ("LabelMarket", NULL);
  g_assert (self->abi != NULL);
}
