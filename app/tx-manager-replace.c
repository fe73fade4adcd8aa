/* tx-manager-replace.c: speeding up and cancelling a pending transaction
 * with another of the same nonce and higher fees
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "core-error.h"
#include "tx-manager-private.h"

/* old * (100 + bump) / 100, rounded up: nodes want at least the bump. */
static gboolean
bump (TallyUint256       *out,
      const TallyUint256 *old)
{
  guint64 remainder = 0;

  if (!tally_uint256_mul_uint64 (out, old, 100 + TALLY_TX_MANAGER_REPLACEMENT_BUMP_PCT) ||
      !tally_uint256_divmod_uint64 (out, &remainder, out, 100))
    return FALSE;
  if (remainder != 0)
    {
      TallyUint256 one;

      tally_uint256_from_uint64 (&one, 1);
      return tally_uint256_add (out, out, &one);
    }
  return TRUE;
}

static void
replace_async (TallyTxManager     *self,
               const guint8        hash[TALLY_TX_JOURNAL_HASH_LEN],
               gboolean            cancel,
               gpointer            source_tag,
               GCancellable       *cancellable,
               GAsyncReadyCallback callback,
               gpointer            user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (TallyTxJournalEntry) entry = NULL;
  g_autoptr (TallyTransaction) old = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *hex = tally_tx_manager_hash_to_string (hash);
  SendData        *send;
  gsize            raw_len = 0;
  const guint8    *raw;

  g_task_set_source_tag (task, source_tag);
  send = g_new0 (SendData, 1);
  g_task_set_task_data (task, send, (GDestroyNotify) tally_tx_manager_send_data_free);
  tally_signer_get_address (self->signer, &send->sender);

  entry = tally_tx_journal_lookup (self->journal, hash, &error);
  if (entry == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (entry->state != TALLY_TX_STATE_PENDING ||
      entry->chain_id != self->chain_id ||
      !tally_address_equal (&entry->sender, &send->sender))
    {
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND,
                               "Transaction %s cannot be replaced: it is %s, or not this "
                               "account's on this chain",
                               hex, tally_tx_state_to_string (entry->state));
      return;
    }
  raw = g_bytes_get_data (entry->raw, &raw_len);
  if (!tally_transaction_parse (&old, raw, raw_len, &error) ||
      old->type != TALLY_TRANSACTION_EIP1559)
    {
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE,
                               "Transaction %s in the journal cannot be read back: %s", hex,
                               error != NULL ? error->message : "not an EIP-1559 transaction");
      return;
    }

  send->tx = tally_transaction_new (TALLY_TRANSACTION_EIP1559);
  send->tx->chain_id = self->chain_id;
  send->tx->nonce = old->nonce;
  send->tx->has_to = TRUE;
  if (cancel)
    {
      /* Nothing to run, nothing to pay: the cheapest use of the nonce. */
      send->tx->to = send->sender;
      send->tx->gas_limit = 21000;
      send->purpose = g_strdup_printf ("Cancel: %s", entry->purpose);
    }
  else
    {
      send->tx->has_to = old->has_to;
      send->tx->to = old->to;
      send->tx->value = old->value;
      send->tx->gas_limit = old->gas_limit;
      tally_transaction_set_data (send->tx, old->data, old->data_len);
      send->purpose = g_strdup_printf ("Speed up: %s", entry->purpose);
    }
  if (!bump (&send->min_priority_fee, &old->max_priority_fee_per_gas) ||
      !bump (&send->min_max_fee, &old->max_fee_per_gas))
    {
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE,
                               "Transaction %s already pays the highest possible fee", hex);
      return;
    }
  send->is_replacement = TRUE;
  memcpy (send->old_hash, hash, TALLY_TX_JOURNAL_HASH_LEN);
  tally_tx_manager_enqueue (self, task);
}

void
tally_tx_manager_speed_up_async (TallyTxManager     *self,
                                 const guint8        hash[TALLY_TX_JOURNAL_HASH_LEN],
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  g_return_if_fail (TALLY_IS_TX_MANAGER (self));
  g_return_if_fail (hash != NULL);

  replace_async (self, hash, FALSE, tally_tx_manager_speed_up_async, cancellable, callback,
                 user_data);
}

gboolean
tally_tx_manager_speed_up_finish (TallyTxManager *self,
                                  GAsyncResult   *result,
                                  guint8          new_hash[TALLY_TX_JOURNAL_HASH_LEN],
                                  GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (
    g_task_get_source_tag (G_TASK (result)) == tally_tx_manager_speed_up_async, FALSE);

  return tally_tx_manager_finish_with_hash (result, new_hash, error);
}

void
tally_tx_manager_cancel_async (TallyTxManager     *self,
                               const guint8        hash[TALLY_TX_JOURNAL_HASH_LEN],
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  g_return_if_fail (TALLY_IS_TX_MANAGER (self));
  g_return_if_fail (hash != NULL);

  replace_async (self, hash, TRUE, tally_tx_manager_cancel_async, cancellable, callback,
                 user_data);
}

gboolean
tally_tx_manager_cancel_finish (TallyTxManager *self,
                                GAsyncResult   *result,
                                guint8          new_hash[TALLY_TX_JOURNAL_HASH_LEN],
                                GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tally_tx_manager_cancel_async,
                        FALSE);

  return tally_tx_manager_finish_with_hash (result, new_hash, error);
}
