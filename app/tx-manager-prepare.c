/* tx-manager-prepare.c: the first step of a send, what the node must say
 * before a transaction can be signed: its fees (eth_feeHistory), its gas
 * (eth_estimateGas) and its nonce (eth_getTransactionCount "pending"),
 * asked in one JSON-RPC batch so that it costs one round trip
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core-error.h"
#include "label-market.h"
#include "rpc-client-private.h"
#include "tx-manager-private.h"

#define NO_CALL G_MAXUINT

static const double percentiles[] = { TALLY_TX_MANAGER_PRIORITY_PERCENTILE };

typedef struct
{
  TallyRpcBatch *batch;
  SendData      *send; /* owned by the send's task, which outlives this one */
  guint          fees;
  guint          estimate; /* NO_CALL for a replacement: it keeps its gas */
  guint          nonce;    /* and its nonce */
} Prepare;

static void
prepare_free (Prepare *prepare)
{
  g_clear_pointer (&prepare->batch, tally_rpc_batch_unref);
  g_free (prepare);
}

static int
compare_uint256 (const void *a,
                 const void *b)
{
  return tally_uint256_cmp (a, b);
}

static void
max_into (TallyUint256       *value,
          const TallyUint256 *floor)
{
  if (tally_uint256_cmp (value, floor) < 0)
    *value = *floor;
}

/* maxPriorityFee: the median of recent blocks' chosen percentile, at
 * least the floor; maxFee: twice the next block's base fee plus that, so
 * the transaction survives several full blocks of base fee rises. */
static gboolean
fees_from_history (const TallyRpcFeeHistory *history,
                   TallyUint256             *priority,
                   TallyUint256             *max_fee,
                   GError                  **error)
{
  TallyUint256 floor, doubled;

  tally_uint256_from_uint64 (&floor, TALLY_TX_MANAGER_PRIORITY_FLOOR_WEI);
  *priority = floor;
  if (history->rewards != NULL && history->n_percentiles > 0 && history->n_blocks > 0)
    {
      g_autofree TallyUint256 *rewards = g_new (TallyUint256, history->n_blocks);

      for (guint i = 0; i < history->n_blocks; i++)
        rewards[i] = history->rewards[i * history->n_percentiles];
      qsort (rewards, history->n_blocks, sizeof *rewards, compare_uint256);
      *priority = rewards[history->n_blocks / 2];
      max_into (priority, &floor);
    }
  if (!tally_uint256_mul_uint64 (&doubled, &history->base_fees[history->n_blocks], 2) ||
      !tally_uint256_add (max_fee, &doubled, priority))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "eth_feeHistory gave a base fee too large to pay");
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_fees (Prepare *prepare,
           GError **error)
{
  TallyTransaction *tx = prepare->send->tx;
  g_autoptr (JsonNode) node = tally_rpc_batch_dup_result (prepare->batch, prepare->fees, error);
  g_autoptr (TallyRpcFeeHistory) history = NULL;

  if (node == NULL ||
      !_tally_rpc_parse_fee_history (node, G_N_ELEMENTS (percentiles), &history, error) ||
      !fees_from_history (history, &tx->max_priority_fee_per_gas, &tx->max_fee_per_gas, error))
    return FALSE;
  if (prepare->send->is_replacement)
    {
      max_into (&tx->max_priority_fee_per_gas, &prepare->send->min_priority_fee);
      max_into (&tx->max_fee_per_gas, &prepare->send->min_max_fee);
      max_into (&tx->max_fee_per_gas, &tx->max_priority_fee_per_gas);
    }
  return TRUE;
}

/* A revert while estimating is the transaction's own failure, told in the
 * contract's words when the node passed them on. */
static GError *
estimate_failure (GError   *error,
                  JsonNode *rpc_data)
{
  g_autoptr (GBytes) revert_data = _tally_rpc_revert_data (rpc_data);
  GError *reverted;

  if (revert_data != NULL)
    {
      gsize            len = 0;
      const guint8    *bytes = g_bytes_get_data (revert_data, &len);
      g_autofree char *reason = tally_label_market_describe_revert (bytes, len);

      reverted = g_error_new (TALLY_CORE_ERROR, TALLY_CORE_ERROR_REVERTED,
                              "The transaction would fail: %s", reason);
    }
  else if (g_error_matches (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_RPC) &&
           strstr (error->message, "revert") != NULL)
    {
      /* A bare revert() carries no data; the node's words are all there is. */
      reverted = g_error_new (TALLY_CORE_ERROR, TALLY_CORE_ERROR_REVERTED,
                              "The transaction would fail: %s", error->message);
    }
  else
    return error;
  g_error_free (error);
  return reverted;
}

static gboolean
read_gas (Prepare *prepare,
          GError **error)
{
  GError *call_error = NULL;
  g_autoptr (JsonNode) node =
    tally_rpc_batch_dup_result (prepare->batch, prepare->estimate, &call_error);
  guint64 gas = 0;

  if (node == NULL)
    {
      g_autoptr (JsonNode) rpc_data =
        _tally_rpc_batch_dup_error_data (prepare->batch, prepare->estimate);

      g_propagate_error (error, estimate_failure (call_error, rpc_data));
      return FALSE;
    }
  if (!tally_rpc_parse_quantity (node, "eth_estimateGas result", &gas, error))
    return FALSE;
  if (gas > G_MAXUINT64 / (100 + TALLY_TX_MANAGER_GAS_MARGIN_PERCENT))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "eth_estimateGas gave an impossible %" G_GUINT64_FORMAT " gas", gas);
      return FALSE;
    }
  prepare->send->tx->gas_limit = gas * (100 + TALLY_TX_MANAGER_GAS_MARGIN_PERCENT) / 100;
  return TRUE;
}

static gboolean
read_nonce (TallyTxManager *self,
            Prepare        *prepare,
            GError        **error)
{
  g_autoptr (JsonNode) node = tally_rpc_batch_dup_result (prepare->batch, prepare->nonce, error);
  guint64 pending = 0, journaled = 0;

  if (node == NULL ||
      !tally_rpc_parse_quantity (node, "eth_getTransactionCount result", &pending, error))
    return FALSE;
  /* Mined entries at or above the node's count were taken out by a
   * reorganisation: pending again, the next resume sends them back. */
  if (!tally_tx_journal_reopen_from_nonce (self->journal, self->chain_id, &prepare->send->sender,
                                           pending, NULL, error))
    return FALSE;
  /* The journal knows of transactions the node may have lost. */
  if (!tally_tx_journal_next_nonce (self->journal, self->chain_id, &prepare->send->sender,
                                    &journaled, error))
    return FALSE;
  prepare->send->tx->nonce = MAX (pending, journaled);
  return TRUE;
}

static void
on_batch (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallyTxManager *self = g_task_get_source_object (task);
  Prepare        *prepare = g_task_get_task_data (task);
  GError         *error = NULL;

  if (!tally_rpc_client_batch_finish (TALLY_RPC_CLIENT (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  /* In the order the calls were once made one by one: the first failure
   * is the one reported. */
  if (!read_fees (prepare, &error) ||
      (prepare->estimate != NO_CALL && !read_gas (prepare, &error)) ||
      (prepare->nonce != NO_CALL && !read_nonce (self, prepare, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
tally_tx_manager_prepare_async (TallyTxManager     *self,
                                SendData           *send,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  TallyTransaction *tx = send->tx;
  Prepare          *prepare = g_new0 (Prepare, 1);
  GTask            *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, tally_tx_manager_prepare_async);
  g_task_set_task_data (task, prepare, (GDestroyNotify) prepare_free);
  prepare->send = send;
  prepare->batch = tally_rpc_batch_new ();
  prepare->fees = tally_rpc_batch_add (
    prepare->batch, "eth_feeHistory",
    _tally_rpc_fee_history_params (TALLY_TX_MANAGER_FEE_HISTORY_BLOCKS, NULL, percentiles,
                                   G_N_ELEMENTS (percentiles)));
  prepare->estimate = prepare->nonce = NO_CALL;
  if (send->estimate_gas)
    {
      g_autoptr (GBytes) call_data =
        tx->data_len > 0 ? g_bytes_new (tx->data, tx->data_len) : NULL;

      prepare->estimate = tally_rpc_batch_add (
        prepare->batch, "eth_estimateGas",
        _tally_rpc_estimate_gas_params (&send->sender, tx->has_to ? &tx->to : NULL, &tx->value,
                                        call_data));
      prepare->nonce = tally_rpc_batch_add (prepare->batch, "eth_getTransactionCount",
                                            _tally_rpc_account_params (&send->sender, "pending"));
    }
  tally_rpc_client_batch_async (self->client, prepare->batch, 0, cancellable, on_batch, task);
}

gboolean
tally_tx_manager_prepare_finish (TallyTxManager *self,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tally_tx_manager_prepare_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
