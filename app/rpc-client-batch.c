/* rpc-client-batch.c: TallyRpcBatch, calls gathered for one HTTP request,
 * and the TallyRpcCall record each call's outcome is kept in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include "rpc-client-private.h"

TallyRpcCall *
_tally_rpc_call_new (const char *method,
                     JsonNode   *params)
{
  TallyRpcCall *call = g_new0 (TallyRpcCall, 1);

  call->method = g_strdup (method);
  call->params = params;
  return call;
}

void
_tally_rpc_call_clear_outcome (TallyRpcCall *call)
{
  g_clear_pointer (&call->result, json_node_unref);
  g_clear_error (&call->error);
  g_clear_pointer (&call->rpc_data, json_node_unref);
  call->rpc_code = 0;
  call->rate_limited = FALSE;
}

void
_tally_rpc_call_free (TallyRpcCall *call)
{
  _tally_rpc_call_clear_outcome (call);
  g_clear_pointer (&call->params, json_node_unref);
  g_free (call->method);
  g_free (call);
}

TallyRpcBatch *
tally_rpc_batch_new (void)
{
  TallyRpcBatch *batch = g_new0 (TallyRpcBatch, 1);

  g_atomic_ref_count_init (&batch->ref_count);
  batch->calls = g_ptr_array_new_with_free_func ((GDestroyNotify) _tally_rpc_call_free);
  return batch;
}

TallyRpcBatch *
tally_rpc_batch_ref (TallyRpcBatch *batch)
{
  g_return_val_if_fail (batch != NULL, NULL);
  g_atomic_ref_count_inc (&batch->ref_count);
  return batch;
}

void
tally_rpc_batch_unref (TallyRpcBatch *batch)
{
  g_return_if_fail (batch != NULL);
  if (!g_atomic_ref_count_dec (&batch->ref_count))
    return;
  g_ptr_array_unref (batch->calls);
  g_free (batch);
}

guint
tally_rpc_batch_add (TallyRpcBatch *batch,
                     const char    *method,
                     JsonNode      *params)
{
  g_return_val_if_fail (batch != NULL, 0);
  g_return_val_if_fail (method != NULL, 0);
  g_return_val_if_fail (params == NULL || JSON_NODE_HOLDS_ARRAY (params), 0);

  g_ptr_array_add (batch->calls, _tally_rpc_call_new (method, params));
  return batch->calls->len - 1;
}

guint
tally_rpc_batch_get_size (TallyRpcBatch *batch)
{
  g_return_val_if_fail (batch != NULL, 0);
  return batch->calls->len;
}

JsonNode *
tally_rpc_batch_dup_result (TallyRpcBatch *batch,
                            guint          index,
                            GError       **error)
{
  TallyRpcCall *call;

  g_return_val_if_fail (batch != NULL, NULL);
  g_return_val_if_fail (index < batch->calls->len, NULL);
  g_return_val_if_fail (batch->answered, NULL);

  call = g_ptr_array_index (batch->calls, index);
  if (call->error != NULL)
    {
      g_propagate_error (error, g_error_copy (call->error));
      return NULL;
    }
  return json_node_copy (call->result);
}

JsonNode *
_tally_rpc_batch_dup_error_data (TallyRpcBatch *batch,
                                 guint          index)
{
  TallyRpcCall *call;

  g_return_val_if_fail (batch != NULL, NULL);
  g_return_val_if_fail (index < batch->calls->len, NULL);
  g_return_val_if_fail (batch->answered, NULL);

  call = g_ptr_array_index (batch->calls, index);
  return call->error != NULL && call->rpc_data != NULL ? json_node_copy (call->rpc_data) : NULL;
}
