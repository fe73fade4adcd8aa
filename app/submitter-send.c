/* submitter-send.c: what every step of a submission shares — sending a
 * step's transaction exactly once, the chain's view, and writing a record
 * down on the store's queue before the step's task returns
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "core-error.h"
#include "submitter-private.h"

/* ---- Sending a step once ----------------------------------------------------- */

typedef struct
{
  char    *purpose;
  GBytes  *calldata;
  gboolean has_hash;
  guint8   hash[32];
} Send;

static void
send_free (Send *send)
{
  g_free (send->purpose);
  g_clear_pointer (&send->calldata, g_bytes_unref);
  g_free (send);
}

static void
on_send_mined (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError          *error = NULL;
  TallyRpcReceipt *receipt = tally_tx_manager_wait_finish (TALLY_TX_MANAGER (source), result, &error);

  if (receipt == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, receipt, (GDestroyNotify) tally_rpc_receipt_free);
}

static void
wait_for (GTask *task)
{
  TallySubmitter *self = g_task_get_source_object (task);
  Send           *send = g_task_get_task_data (task);

  tally_tx_manager_wait_async (self->manager, send->hash, g_task_get_cancellable (task),
                               on_send_mined, g_object_ref (task));
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Send   *send = g_task_get_task_data (task);
  GError *error = NULL;

  if (!tally_tx_manager_send_finish (TALLY_TX_MANAGER (source), result, send->hash, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  send->has_hash = TRUE;
  wait_for (task);
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
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GPtrArray) pending = NULL;
  GError *error = NULL;
  Send   *send = g_new0 (Send, 1);

  send->purpose = g_strdup (purpose);
  send->calldata = g_bytes_new_take (calldata, calldata_len);
  g_task_set_task_data (task, send, (GDestroyNotify) send_free);

  pending = tally_tx_journal_list_pending (tally_tx_manager_get_journal (self->manager),
                                           self->chain_id, &self->account, &error);
  if (pending == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < pending->len; i++)
    {
      TallyTxJournalEntry *entry = g_ptr_array_index (pending, i);

      if (g_strcmp0 (entry->purpose, purpose) == 0)
        {
          memcpy (send->hash, entry->hash, 32);
          send->has_hash = TRUE;
          wait_for (task);
          return;
        }
    }
  tally_tx_manager_send_async (self->manager, &self->market, NULL, send->calldata, purpose,
                               cancellable, on_sent, g_object_ref (task));
}

TallyRpcReceipt *
_tally_submitter_send_finish (TallySubmitter *self,
                              GAsyncResult   *result,
                              guint8          hash[32],
                              gboolean       *has_hash,
                              GError        **error)
{
  Send *send = g_task_get_task_data (G_TASK (result));

  if (has_hash != NULL)
    *has_hash = send->has_hash;
  if (hash != NULL && send->has_hash)
    memcpy (hash, send->hash, 32);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- The chain's state --------------------------------------------------------- */

static void
on_clock (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (JsonNode) block = NULL;
  GError  *error = NULL;
  guint64 *now = g_new0 (guint64, 1);

  block = tally_rpc_client_call_finish (TALLY_RPC_CLIENT (source), result, &error);
  if (block == NULL || !JSON_NODE_HOLDS_OBJECT (block) ||
      !tally_rpc_parse_quantity (json_object_get_member (json_node_get_object (block), "timestamp"),
                                 "eth_getBlockByNumber timestamp", now, &error))
    {
      g_free (now);
      if (error == NULL)
        error = g_error_new (TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                             "eth_getBlockByNumber returned no latest block");
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, now, g_free);
}

static void
on_log_synced (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallySubmitter *self = g_task_get_source_object (task);
  GError         *error = NULL;
  JsonArray      *params;
  JsonNode       *node;

  if (!tally_market_log_sync_finish (TALLY_MARKET_LOG (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING))
    {
      g_task_return_error (task, error);
      return;
    }
  /* A sync already running (a follower) serves as well. */
  g_clear_error (&error);
  params = json_array_new ();
  json_array_add_string_element (params, "latest");
  json_array_add_boolean_element (params, FALSE);
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, params);
  tally_rpc_client_call_async (tally_tx_manager_get_client (self->manager), "eth_getBlockByNumber",
                               node, 0, g_task_get_cancellable (task), on_clock,
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
