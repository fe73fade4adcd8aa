/* tx-manager-wait.c: waiting for a transaction to be mined, and sending the
 * journal's pending transactions again after a restart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "core-error.h"
#include "label-market.h"
#include "tx-manager-private.h"
#include "wallet/tx.h"

/* ---- Waiting ------------------------------------------------------------ */

typedef struct
{
  guint8               hash[TALLY_TX_JOURNAL_HASH_LEN];
  TallyTxJournalEntry *entry; /* NULL for a transaction the journal does not know */
  TallyRpcReceipt     *receipt;
  gboolean             final_check;
} WaitData;

static void
wait_data_free (WaitData *data)
{
  g_clear_pointer (&data->entry, tally_tx_journal_entry_free);
  g_clear_pointer (&data->receipt, tally_rpc_receipt_free);
  g_free (data);
}

static void poll_receipt (GTask *task);
static void schedule_poll (GTask *task);

static void
record (TallyTxManager *self,
        WaitData       *data,
        TallyTxState    state,
        const char     *detail)
{
  g_autoptr (GError) error = NULL;

  if (data->entry == NULL)
    return;
  if (!tally_tx_journal_set_state (self->journal, data->hash, state, detail, &error))
    g_warning ("Could not record a transaction's outcome: %s", error->message);
}

static void
on_replayed (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallyTxManager *self = g_task_get_source_object (task);
  WaitData       *data = g_task_get_task_data (task);
  g_autoptr (GBytes) revert_data = NULL;
  g_autoptr (GBytes) output = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *hex = tally_tx_manager_hash_to_string (data->hash);

  output = tally_rpc_client_eth_call_finish (TALLY_RPC_CLIENT (source), result, &revert_data,
                                             &error);
  if (revert_data != NULL)
    {
      gsize         len = 0;
      const guint8 *bytes = g_bytes_get_data (revert_data, &len);

      reason = tally_label_market_describe_revert (bytes, len);
    }
  else
    reason = g_strdup ("the contract gave no reason");
  record (self, data, TALLY_TX_STATE_FAILED, reason);
  g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_REVERTED,
                           "Transaction %s failed in block %" G_GUINT64_FORMAT ": %s", hex,
                           data->receipt->block_number, reason);
}

/* A mined transaction keeps no reason for its failure: the call is run
 * again on the state of its block to get one. */
static void
replay (GTask *task)
{
  TallyTxManager *self = g_task_get_source_object (task);
  WaitData       *data = g_task_get_task_data (task);
  g_autoptr (TallyTransaction) tx = NULL;
  g_autoptr (GBytes) call_data = NULL;
  g_autofree char *block = NULL;
  gsize            raw_len = 0;
  const guint8    *raw;

  if (data->entry != NULL)
    {
      raw = g_bytes_get_data (data->entry->raw, &raw_len);
      if (!tally_transaction_parse (&tx, raw, raw_len, NULL))
        tx = NULL;
    }
  if (tx == NULL || !tx->has_to)
    {
      g_autofree char *hex = tally_tx_manager_hash_to_string (data->hash);

      record (self, data, TALLY_TX_STATE_FAILED, "reverted");
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_REVERTED,
                               "Transaction %s failed in block %" G_GUINT64_FORMAT, hex,
                               data->receipt->block_number);
      return;
    }
  call_data = g_bytes_new (tx->data, tx->data_len);
  block = g_strdup_printf ("0x%" G_GINT64_MODIFIER "x", data->receipt->block_number);
  tally_rpc_client_eth_call_async (self->client, &data->entry->sender, &tx->to, call_data, block,
                                   g_task_get_cancellable (task), on_replayed,
                                   g_object_ref (task));
}

static void
on_nonce_used (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  WaitData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  guint64 latest = 0;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (!tally_rpc_client_get_transaction_count_finish (TALLY_RPC_CLIENT (source), result, &latest,
                                                      &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Its nonce is taken: one last look, in case it was ours after all. */
  data->final_check = latest > data->entry->nonce;
  if (data->final_check)
    poll_receipt (task);
  else
    schedule_poll (task);
}

static void
on_receipt (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallyTxManager *self = g_task_get_source_object (task);
  WaitData       *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autofree char *hex = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (!tally_rpc_client_get_transaction_receipt_finish (TALLY_RPC_CLIENT (source), result,
                                                        &data->receipt, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (data->receipt != NULL)
    {
      if (!data->receipt->success)
        {
          replay (task);
          return;
        }
      record (self, data, TALLY_TX_STATE_MINED, NULL);
      g_task_return_pointer (task, g_steal_pointer (&data->receipt),
                             (GDestroyNotify) tally_rpc_receipt_free);
      return;
    }
  if (data->final_check)
    {
      hex = tally_tx_manager_hash_to_string (data->hash);
      if (data->entry->state == TALLY_TX_STATE_PENDING)
        record (self, data, TALLY_TX_STATE_DROPPED, "another transaction used its nonce");
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND,
                               "Transaction %s will never be mined: another transaction used "
                               "its nonce %" G_GUINT64_FORMAT,
                               hex, data->entry->nonce);
      return;
    }
  if (data->entry != NULL)
    {
      tally_rpc_client_get_transaction_count_async (self->client, &data->entry->sender, "latest",
                                                    g_task_get_cancellable (task), on_nonce_used,
                                                    g_object_ref (task));
      return;
    }
  schedule_poll (task);
}

static gboolean
on_poll_timeout (gpointer user_data)
{
  poll_receipt (user_data);
  return G_SOURCE_REMOVE;
}

static void
schedule_poll (GTask *task)
{
  TallyTxManager *self = g_task_get_source_object (task);
  GSource        *source = g_timeout_source_new (self->poll_interval);

  g_source_set_callback (source, on_poll_timeout, g_object_ref (task), g_object_unref);
  g_source_set_static_name (source, "[tally] tx receipt poll");
  g_source_attach (source, g_task_get_context (task));
  g_source_unref (source);
}

static void
poll_receipt (GTask *task)
{
  TallyTxManager *self = g_task_get_source_object (task);
  WaitData       *data = g_task_get_task_data (task);

  tally_rpc_client_get_transaction_receipt_async (self->client, data->hash,
                                                  g_task_get_cancellable (task), on_receipt,
                                                  g_object_ref (task));
}

void
tally_tx_manager_wait_async (TallyTxManager     *self,
                             const guint8        hash[TALLY_TX_JOURNAL_HASH_LEN],
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  WaitData *data;

  g_return_if_fail (TALLY_IS_TX_MANAGER (self));
  g_return_if_fail (hash != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_tx_manager_wait_async);
  data = g_new0 (WaitData, 1);
  memcpy (data->hash, hash, TALLY_TX_JOURNAL_HASH_LEN);
  g_task_set_task_data (task, data, (GDestroyNotify) wait_data_free);
  data->entry = tally_tx_journal_lookup (self->journal, hash, &error);
  if (data->entry == NULL && !g_error_matches (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  poll_receipt (task);
}

TallyRpcReceipt *
tally_tx_manager_wait_finish (TallyTxManager *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tally_tx_manager_wait_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Resuming ----------------------------------------------------------- */

typedef struct
{
  GPtrArray *entries; /* TallyTxJournalEntry */
  guint      index;
  guint      n_sent;
  GError    *refusal;
} ResumeData;

static void
resume_data_free (ResumeData *data)
{
  g_clear_pointer (&data->entries, g_ptr_array_unref);
  g_clear_error (&data->refusal);
  g_free (data);
}

static void resume_next (GTask *task);

static void
on_resend_checked (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  ResumeData *data = g_task_get_task_data (task);

  if (!tally_tx_manager_ask_node_finish (TALLY_RPC_CLIENT (source), result))
    {
      g_task_return_error (task, g_steal_pointer (&data->refusal));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  data->n_sent++;
  data->index++;
  resume_next (task);
}

static void
on_resent (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  ResumeData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  guint8 hash[TALLY_RPC_HASH_LEN];

  if (!tally_rpc_client_send_raw_transaction_finish (TALLY_RPC_CLIENT (source), result, hash,
                                                     &error))
    {
      TallyTxManager      *self = g_task_get_source_object (task);
      TallyTxJournalEntry *entry = g_ptr_array_index (data->entries, data->index);

      if (!g_error_matches (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_RPC))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      /* A refusal may only mean the node has it already. */
      g_clear_error (&data->refusal);
      data->refusal = g_steal_pointer (&error);
      tally_tx_manager_ask_node_async (self->client, entry->hash, g_task_get_cancellable (task),
                                       on_resend_checked, g_object_ref (task));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  data->n_sent++;
  data->index++;
  resume_next (task);
}

static void
on_resume_receipt (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallyTxManager      *self = g_task_get_source_object (task);
  ResumeData          *data = g_task_get_task_data (task);
  TallyTxJournalEntry *entry = g_ptr_array_index (data->entries, data->index);
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  g_autoptr (GError) error = NULL;

  if (!tally_rpc_client_get_transaction_receipt_finish (TALLY_RPC_CLIENT (source), result, &receipt,
                                                        &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  if (receipt != NULL)
    {
      /* Mined while Tally was away: only the journal needs to learn it. */
      if (!tally_tx_journal_set_state (self->journal, entry->hash,
                                       receipt->success ? TALLY_TX_STATE_MINED
                                                        : TALLY_TX_STATE_FAILED,
                                       NULL, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      data->index++;
      resume_next (task);
      return;
    }
  tally_rpc_client_send_raw_transaction_async (self->client, entry->raw,
                                               g_task_get_cancellable (task), on_resent,
                                               g_object_ref (task));
}

static void
resume_next (GTask *task)
{
  TallyTxManager      *self = g_task_get_source_object (task);
  ResumeData          *data = g_task_get_task_data (task);
  TallyTxJournalEntry *entry;

  if (data->index == data->entries->len)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  entry = g_ptr_array_index (data->entries, data->index);
  tally_rpc_client_get_transaction_receipt_async (self->client, entry->hash,
                                                  g_task_get_cancellable (task),
                                                  on_resume_receipt, g_object_ref (task));
}

void
tally_tx_manager_resume_async (TallyTxManager     *self,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  ResumeData  *data;
  TallyAddress sender;

  g_return_if_fail (TALLY_IS_TX_MANAGER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_tx_manager_resume_async);
  data = g_new0 (ResumeData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) resume_data_free);
  tally_signer_get_address (self->signer, &sender);
  data->entries = tally_tx_journal_list_pending (self->journal, self->chain_id, &sender, &error);
  if (data->entries == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* By nonce: a node keeps a later nonce waiting until the earlier ones are in. */
  resume_next (task);
}

gboolean
tally_tx_manager_resume_finish (TallyTxManager *self,
                                GAsyncResult   *result,
                                guint          *n_sent,
                                GError        **error)
{
  ResumeData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tally_tx_manager_resume_async,
                        FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (n_sent != NULL)
    *n_sent = 0;
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (n_sent != NULL)
    *n_sent = data->n_sent;
  return TRUE;
}
