/* tx-manager-once.c: sending a transaction once per purpose — the journal's
 * pending entry of a purpose is that transaction, already under way
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "tx-manager-private.h"

gboolean
tally_tx_manager_find_pending (TallyTxManager *self,
                               const char     *purpose,
                               guint8          hash[TALLY_TX_JOURNAL_HASH_LEN],
                               GError        **error)
{
  g_autoptr (GPtrArray) pending = NULL;
  TallyAddress sender;

  g_return_val_if_fail (TALLY_IS_TX_MANAGER (self), FALSE);
  g_return_val_if_fail (purpose != NULL, FALSE);

  tally_signer_get_address (self->signer, &sender);
  pending = tally_tx_journal_list_pending (self->journal, self->chain_id, &sender, error);
  if (pending == NULL)
    return FALSE;
  for (guint i = 0; i < pending->len; i++)
    {
      TallyTxJournalEntry *entry = g_ptr_array_index (pending, i);

      if (g_strcmp0 (entry->purpose, purpose) == 0)
        {
          memcpy (hash, entry->hash, TALLY_TX_JOURNAL_HASH_LEN);
          return TRUE;
        }
    }
  return FALSE;
}

typedef struct
{
  gboolean has_hash;
  guint8   hash[TALLY_TX_JOURNAL_HASH_LEN];
} Once;

static void
on_once_mined (GObject      *source,
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
wait_once (GTask *task)
{
  Once *once = g_task_get_task_data (task);

  tally_tx_manager_wait_async (g_task_get_source_object (task), once->hash,
                               g_task_get_cancellable (task), on_once_mined, g_object_ref (task));
}

static void
on_once_sent (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Once   *once = g_task_get_task_data (task);
  GError *error = NULL;

  if (!tally_tx_manager_send_finish (TALLY_TX_MANAGER (source), result, once->hash, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* Journaled: the hash is the caller's even when it gives up waiting. */
  once->has_hash = TRUE;
  if (g_task_return_error_if_cancelled (task))
    return;
  wait_once (task);
}

void
tally_tx_manager_send_once_async (TallyTxManager     *self,
                                  const TallyAddress *to,
                                  GBytes             *data,
                                  const char         *purpose,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  GError *error = NULL;
  Once   *once;

  g_return_if_fail (TALLY_IS_TX_MANAGER (self));
  g_return_if_fail (purpose != NULL && *purpose != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_tx_manager_send_once_async);
  once = g_new0 (Once, 1);
  g_task_set_task_data (task, once, g_free);
  if (tally_tx_manager_find_pending (self, purpose, once->hash, &error))
    {
      once->has_hash = TRUE;
      wait_once (task);
    }
  else if (error != NULL)
    g_task_return_error (task, error);
  else
    tally_tx_manager_send_async (self, to, NULL, data, purpose, cancellable, on_once_sent,
                                 g_object_ref (task));
}

TallyRpcReceipt *
tally_tx_manager_send_once_finish (TallyTxManager *self,
                                   GAsyncResult   *result,
                                   guint8          hash[TALLY_TX_JOURNAL_HASH_LEN],
                                   gboolean       *has_hash,
                                   GError        **error)
{
  Once *once;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                          tally_tx_manager_send_once_async,
                        NULL);

  once = g_task_get_task_data (G_TASK (result));
  if (has_hash != NULL)
    *has_hash = once->has_hash;
  if (hash != NULL && once->has_hash)
    memcpy (hash, once->hash, TALLY_TX_JOURNAL_HASH_LEN);
  return g_task_propagate_pointer (G_TASK (result), error);
}
