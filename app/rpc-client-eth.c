/* rpc-client-eth.c: TallyRpcClient's typed eth_* calls, each reply checked
 * and read into wallet types (TallyUint256, TallyAddress, GBytes)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "core-error.h"
#include "rpc-client-private.h"
#include "wallet/hex.h"
#include "wallet/keccak.h"

typedef enum
{
  KIND_QUANTITY,
  KIND_UINT256,
  KIND_DATA,
  KIND_TX_HASH,
  KIND_RECEIPT,
  KIND_FEE_HISTORY,
  KIND_LOGS,
  KIND_TIMESTAMP,
} ResultKind;

typedef struct
{
  ResultKind kind;
  char      *method;
  guint      n_percentiles;
  guint8     expected_hash[TALLY_RPC_HASH_LEN];
  GBytes    *revert_data;
  guint64    expected_chain_id;
} TypedCall;

static void
typed_call_free (TypedCall *typed)
{
  g_free (typed->method);
  g_clear_pointer (&typed->revert_data, g_bytes_unref);
  g_free (typed);
}

static gpointer
parse_result (TypedCall *typed,
              JsonNode  *result,
              GError   **error)
{
  g_autofree char *what = g_strdup_printf ("%s result", typed->method);
  gpointer         value = NULL;

  switch (typed->kind)
    {
    case KIND_QUANTITY:
      {
        guint64 quantity = 0;

        if (tally_rpc_parse_quantity (result, what, &quantity, error))
          value = g_memdup2 (&quantity, sizeof quantity);
        break;
      }
    case KIND_UINT256:
      {
        TallyUint256 number;

        if (tally_rpc_parse_uint256 (result, what, &number, error))
          value = g_memdup2 (&number, sizeof number);
        break;
      }
    case KIND_DATA:
      value = tally_rpc_parse_data (result, what, error);
      break;
    case KIND_TX_HASH:
      {
        guint8 hash[TALLY_RPC_HASH_LEN];

        if (!tally_rpc_parse_hash (result, what, hash, error))
          break;
        if (memcmp (hash, typed->expected_hash, sizeof hash) != 0)
          {
            g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                         "%s returned the hash of another transaction", typed->method);
            break;
          }
        value = g_memdup2 (hash, sizeof hash);
        break;
      }
    case KIND_RECEIPT:
      {
        TallyRpcReceipt *receipt = NULL;

        /* A null result is a transaction not mined yet. */
        if (JSON_NODE_HOLDS_NULL (result))
          value = g_new0 (TallyRpcReceipt *, 1);
        else if (_tally_rpc_parse_receipt (result, &receipt, error))
          {
            TallyRpcReceipt **box = g_new0 (TallyRpcReceipt *, 1);

            *box = receipt;
            value = box;
          }
        break;
      }
    case KIND_FEE_HISTORY:
      {
        TallyRpcFeeHistory *history = NULL;

        if (_tally_rpc_parse_fee_history (result, typed->n_percentiles, &history, error))
          value = history;
        break;
      }
    case KIND_LOGS:
      {
        GPtrArray *logs = NULL;

        if (_tally_rpc_parse_logs (result, what, &logs, error))
          value = logs;
        break;
      }
    case KIND_TIMESTAMP:
      {
        guint64 timestamp = 0;

        if (!JSON_NODE_HOLDS_OBJECT (result))
          g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                       "%s returned no latest block", typed->method);
        else if (tally_rpc_parse_quantity (json_object_get_member (json_node_get_object (result),
                                                                   "timestamp"),
                                           "eth_getBlockByNumber timestamp", &timestamp, error))
          value = g_memdup2 (&timestamp, sizeof timestamp);
        break;
      }
    default:
      g_assert_not_reached ();
    }
  return value;
}

static GDestroyNotify
result_free_func (ResultKind kind)
{
  switch (kind)
    {
    case KIND_DATA:
      return (GDestroyNotify) g_bytes_unref;
    case KIND_FEE_HISTORY:
      return (GDestroyNotify) tally_rpc_fee_history_free;
    case KIND_LOGS:
      return (GDestroyNotify) g_ptr_array_unref;
    default:
      return g_free;
    }
}

static void
on_typed_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TypedCall *typed = g_task_get_task_data (task);
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (JsonNode) rpc_data = NULL;
  g_autoptr (GError) error = NULL;
  gpointer value;

  reply = tally_rpc_client_call_finish_full (TALLY_RPC_CLIENT (source), result, NULL, &rpc_data,
                                             &error);
  if (reply == NULL)
    {
      typed->revert_data = _tally_rpc_revert_data (rpc_data);

      /* The same signed bytes sent twice are one transaction: a node that
       * already holds it has what we wanted to give it. Geth says "already
       * known", anvil "transaction already imported". */
      if (typed->kind == KIND_TX_HASH &&
          g_error_matches (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_RPC) &&
          (strstr (error->message, "already known") != NULL ||
           strstr (error->message, "AlreadyKnown") != NULL ||
           strstr (error->message, "known transaction") != NULL ||
           strstr (error->message, "already imported") != NULL))
        {
          g_task_return_pointer (task, g_memdup2 (typed->expected_hash, TALLY_RPC_HASH_LEN),
                                 g_free);
          return;
        }
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  value = parse_result (typed, reply, &error);
  if (value == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, value, result_free_func (typed->kind));
}

static void
typed_call (TallyRpcClient     *self,
            TypedCall          *typed,
            JsonNode           *params,
            gpointer            source_tag,
            GCancellable       *cancellable,
            GAsyncReadyCallback callback,
            gpointer            user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, typed, (GDestroyNotify) typed_call_free);
  tally_rpc_client_call_async (self, typed->method, params, 0, cancellable, on_typed_done, task);
}

static TypedCall *
typed_new (ResultKind  kind,
           const char *method)
{
  TypedCall *typed = g_new0 (TypedCall, 1);

  typed->kind = kind;
  typed->method = g_strdup (method);
  return typed;
}

static gpointer
typed_finish (TallyRpcClient *self,
              GAsyncResult   *result,
              gpointer        source_tag,
              GError        **error)
{
  g_return_val_if_fail (TALLY_IS_RPC_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* For results of a fixed size: out is zeroed when the call failed. */
static gboolean
finish_copy (TallyRpcClient *self,
             GAsyncResult   *result,
             gpointer        source_tag,
             gpointer        out,
             gsize           size,
             GError        **error)
{
  g_autofree gpointer value = typed_finish (self, result, source_tag, error);

  memset (out, 0, size);
  if (value == NULL)
    return FALSE;
  memcpy (out, value, size);
  return TRUE;
}

static gboolean
finish_quantity (TallyRpcClient *self,
                 GAsyncResult   *result,
                 gpointer        source_tag,
                 guint64        *out,
                 GError        **error)
{
  return finish_copy (self, result, source_tag, out, sizeof *out, error);
}

/* The JSON setters copy strings; these take them. */
static void
take_str_member (JsonObject *object,
                 const char *name,
                 char       *text)
{
  json_object_set_string_member (object, name, text);
  g_free (text);
}

static void
take_str_element (JsonArray *array,
                  char      *text)
{
  json_array_add_string_element (array, text);
  g_free (text);
}

static JsonNode *
params_new (JsonArray *array)
{
  return json_node_init_array (json_node_alloc (), array);
}

static void
add_address (JsonArray          *array,
             const TallyAddress *address)
{
  take_str_element (array, tally_hex_encode (address->bytes, TALLY_ADDRESS_LEN));
}

static void
add_block (JsonArray  *array,
           const char *block)
{
  json_array_add_string_element (array, block != NULL ? block : "latest");
}

GBytes *
_tally_rpc_revert_data (JsonNode *rpc_data)
{
  /* Only a hex string is revert data; some nodes put other things there. */
  if (rpc_data == NULL || !JSON_NODE_HOLDS_VALUE (rpc_data) ||
      json_node_get_value_type (rpc_data) != G_TYPE_STRING)
    return NULL;
  return tally_rpc_parse_data (rpc_data, "revert data", NULL);
}

JsonNode *
_tally_rpc_account_params (const TallyAddress *address,
                           const char         *block)
{
  JsonArray *params = json_array_new ();

  add_address (params, address);
  add_block (params, block);
  return params_new (params);
}

/* A method whose params are an account and a block. */
static void
account_call (TallyRpcClient     *self,
              ResultKind          kind,
              const char         *method,
              const TallyAddress *address,
              const char         *block,
              gpointer            source_tag,
              GCancellable       *cancellable,
              GAsyncReadyCallback callback,
              gpointer            user_data)
{
  typed_call (self, typed_new (kind, method), _tally_rpc_account_params (address, block),
              source_tag, cancellable, callback, user_data);
}

void
tally_rpc_client_chain_id_async (TallyRpcClient     *self,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  typed_call (self, typed_new (KIND_QUANTITY, "eth_chainId"), NULL,
              tally_rpc_client_chain_id_async, cancellable, callback, user_data);
}

gboolean
tally_rpc_client_chain_id_finish (TallyRpcClient *self,
                                  GAsyncResult   *result,
                                  guint64        *chain_id,
                                  GError        **error)
{
  return finish_quantity (self, result, tally_rpc_client_chain_id_async, chain_id, error);
}

static void
on_chain_id_for_check (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  guint64 expected = *(guint64 *) g_task_get_task_data (task);
  guint64 chain_id = 0;
  GError *error = NULL;

  if (!tally_rpc_client_chain_id_finish (TALLY_RPC_CLIENT (source), result, &chain_id, &error))
    g_task_return_error (task, error);
  else if (chain_id != expected)
    g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_CHAIN_MISMATCH,
                             "%s serves chain %" G_GUINT64_FORMAT ", but chain %" G_GUINT64_FORMAT
                             " was expected: check the network's RPC address",
                             tally_rpc_client_get_url (TALLY_RPC_CLIENT (source)), chain_id,
                             expected);
  else
    g_task_return_boolean (task, TRUE);
}

void
tally_rpc_client_check_chain_id_async (TallyRpcClient     *self,
                                       guint64             expected,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (TALLY_IS_RPC_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_rpc_client_check_chain_id_async);
  g_task_set_task_data (task, g_memdup2 (&expected, sizeof expected), g_free);
  tally_rpc_client_chain_id_async (self, cancellable, on_chain_id_for_check, task);
}

gboolean
tally_rpc_client_check_chain_id_finish (TallyRpcClient *self,
                                        GAsyncResult   *result,
                                        GError        **error)
{
  g_return_val_if_fail (TALLY_IS_RPC_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                          tally_rpc_client_check_chain_id_async,
                        FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
tally_rpc_client_block_number_async (TallyRpcClient     *self,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data)
{
  typed_call (self, typed_new (KIND_QUANTITY, "eth_blockNumber"), NULL,
              tally_rpc_client_block_number_async, cancellable, callback, user_data);
}

gboolean
tally_rpc_client_block_number_finish (TallyRpcClient *self,
                                      GAsyncResult   *result,
                                      guint64        *block_number,
                                      GError        **error)
{
  return finish_quantity (self, result, tally_rpc_client_block_number_async, block_number, error);
}

void
tally_rpc_client_latest_timestamp_async (TallyRpcClient     *self,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data)
{
  JsonArray *params = json_array_new ();

  add_block (params, "latest");
  json_array_add_boolean_element (params, FALSE);
  typed_call (self, typed_new (KIND_TIMESTAMP, "eth_getBlockByNumber"), params_new (params),
              tally_rpc_client_latest_timestamp_async, cancellable, callback, user_data);
}

gboolean
tally_rpc_client_latest_timestamp_finish (TallyRpcClient *self,
                                          GAsyncResult   *result,
                                          guint64        *timestamp,
                                          GError        **error)
{
  return finish_quantity (self, result, tally_rpc_client_latest_timestamp_async, timestamp, error);
}

void
tally_rpc_client_get_balance_async (TallyRpcClient     *self,
                                    const TallyAddress *address,
                                    const char         *block,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data)
{
  g_return_if_fail (address != NULL);
  account_call (self, KIND_UINT256, "eth_getBalance", address, block,
                tally_rpc_client_get_balance_async, cancellable, callback, user_data);
}

gboolean
tally_rpc_client_get_balance_finish (TallyRpcClient *self,
                                     GAsyncResult   *result,
                                     TallyUint256   *balance,
                                     GError        **error)
{
  return finish_copy (self, result, tally_rpc_client_get_balance_async, balance, sizeof *balance,
                      error);
}

void
tally_rpc_client_get_transaction_count_async (TallyRpcClient     *self,
                                              const TallyAddress *address,
                                              const char         *block,
                                              GCancellable       *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data)
{
  g_return_if_fail (address != NULL);
  account_call (self, KIND_QUANTITY, "eth_getTransactionCount", address, block,
                tally_rpc_client_get_transaction_count_async, cancellable, callback, user_data);
}

gboolean
tally_rpc_client_get_transaction_count_finish (TallyRpcClient *self,
                                               GAsyncResult   *result,
                                               guint64        *nonce,
                                               GError        **error)
{
  return finish_quantity (self, result, tally_rpc_client_get_transaction_count_async, nonce, error);
}

static JsonObject *
call_object (const TallyAddress *from,
             const TallyAddress *to,
             const TallyUint256 *value,
             GBytes             *data)
{
  JsonObject *object = json_object_new ();

  if (from != NULL)
    take_str_member (object, "from",
                     tally_hex_encode (from->bytes, TALLY_ADDRESS_LEN));
  if (to != NULL)
    take_str_member (object, "to",
                     tally_hex_encode (to->bytes, TALLY_ADDRESS_LEN));
  if (value != NULL)
    take_str_member (object, "value", tally_uint256_to_hex (value));
  if (data != NULL)
    {
      gsize         len = 0;
      const guint8 *bytes = g_bytes_get_data (data, &len);

      take_str_member (object, "data", tally_hex_encode (bytes, len));
    }
  return object;
}

void
tally_rpc_client_eth_call_async (TallyRpcClient     *self,
                                 const TallyAddress *from,
                                 const TallyAddress *to,
                                 GBytes             *data,
                                 const char         *block,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  JsonArray *params = json_array_new ();

  g_return_if_fail (to != NULL);
  json_array_add_object_element (params, call_object (from, to, NULL, data));
  add_block (params, block);
  typed_call (self, typed_new (KIND_DATA, "eth_call"), params_new (params),
              tally_rpc_client_eth_call_async, cancellable, callback, user_data);
}

static void
take_revert_data (GAsyncResult *result,
                  GBytes      **revert_data)
{
  TypedCall *typed = g_task_get_task_data (G_TASK (result));

  if (revert_data != NULL)
    *revert_data = typed->revert_data != NULL ? g_bytes_ref (typed->revert_data) : NULL;
}

GBytes *
tally_rpc_client_eth_call_finish (TallyRpcClient *self,
                                  GAsyncResult   *result,
                                  GBytes        **revert_data,
                                  GError        **error)
{
  take_revert_data (result, revert_data);
  return typed_finish (self, result, tally_rpc_client_eth_call_async, error);
}

JsonNode *
_tally_rpc_estimate_gas_params (const TallyAddress *from,
                                const TallyAddress *to,
                                const TallyUint256 *value,
                                GBytes             *data)
{
  JsonArray *params = json_array_new ();

  json_array_add_object_element (params, call_object (from, to, value, data));
  return params_new (params);
}

void
tally_rpc_client_estimate_gas_async (TallyRpcClient     *self,
                                     const TallyAddress *from,
                                     const TallyAddress *to,
                                     const TallyUint256 *value,
                                     GBytes             *data,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data)
{
  g_return_if_fail (from != NULL);
  typed_call (self, typed_new (KIND_QUANTITY, "eth_estimateGas"),
              _tally_rpc_estimate_gas_params (from, to, value, data),
              tally_rpc_client_estimate_gas_async, cancellable, callback, user_data);
}

gboolean
tally_rpc_client_estimate_gas_finish (TallyRpcClient *self,
                                      GAsyncResult   *result,
                                      guint64        *gas,
                                      GBytes        **revert_data,
                                      GError        **error)
{
  take_revert_data (result, revert_data);
  return finish_quantity (self, result, tally_rpc_client_estimate_gas_async, gas, error);
}

void
tally_rpc_client_send_raw_transaction_async (TallyRpcClient     *self,
                                             GBytes             *raw,
                                             GCancellable       *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data)
{
  TypedCall    *typed = typed_new (KIND_TX_HASH, "eth_sendRawTransaction");
  JsonArray    *params = json_array_new ();
  gsize         len = 0;
  const guint8 *bytes;

  g_return_if_fail (raw != NULL);
  bytes = g_bytes_get_data (raw, &len);
  tally_keccak256 (typed->expected_hash, bytes, len);
  take_str_element (params, tally_hex_encode (bytes, len));
  typed_call (self, typed, params_new (params), tally_rpc_client_send_raw_transaction_async,
              cancellable, callback, user_data);
}

gboolean
tally_rpc_client_send_raw_transaction_finish (TallyRpcClient *self,
                                              GAsyncResult   *result,
                                              guint8          hash[TALLY_RPC_HASH_LEN],
                                              GError        **error)
{
  return finish_copy (self, result, tally_rpc_client_send_raw_transaction_async, hash,
                      TALLY_RPC_HASH_LEN, error);
}

void
tally_rpc_client_get_transaction_receipt_async (TallyRpcClient     *self,
                                                const guint8        hash[TALLY_RPC_HASH_LEN],
                                                GCancellable       *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer            user_data)
{
  JsonArray *params = json_array_new ();

  g_return_if_fail (hash != NULL);
  take_str_element (params, tally_hex_encode (hash, TALLY_RPC_HASH_LEN));
  typed_call (self, typed_new (KIND_RECEIPT, "eth_getTransactionReceipt"), params_new (params),
              tally_rpc_client_get_transaction_receipt_async, cancellable, callback, user_data);
}

gboolean
tally_rpc_client_get_transaction_receipt_finish (TallyRpcClient   *self,
                                                 GAsyncResult     *result,
                                                 TallyRpcReceipt **receipt,
                                                 GError          **error)
{
  TallyRpcReceipt **box = typed_finish (self, result,
                                        tally_rpc_client_get_transaction_receipt_async, error);

  *receipt = NULL;
  if (box == NULL)
    return FALSE;
  *receipt = g_steal_pointer (box);
  g_free (box);
  return TRUE;
}

JsonNode *
_tally_rpc_fee_history_params (guint         block_count,
                               const char   *newest_block,
                               const double *percentiles,
                               guint         n_percentiles)
{
  JsonArray *params = json_array_new ();
  JsonArray *percentile_array = json_array_new ();

  take_str_element (params, g_strdup_printf ("0x%x", block_count));
  add_block (params, newest_block);
  for (guint i = 0; i < n_percentiles; i++)
    json_array_add_double_element (percentile_array, percentiles[i]);
  json_array_add_array_element (params, percentile_array);
  return params_new (params);
}

void
tally_rpc_client_fee_history_async (TallyRpcClient     *self,
                                    guint               block_count,
                                    const char         *newest_block,
                                    const double       *percentiles,
                                    guint               n_percentiles,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data)
{
  TypedCall *typed;

  g_return_if_fail (block_count > 0);
  g_return_if_fail (percentiles != NULL || n_percentiles == 0);

  typed = typed_new (KIND_FEE_HISTORY, "eth_feeHistory");
  typed->n_percentiles = n_percentiles;
  typed_call (self, typed,
              _tally_rpc_fee_history_params (block_count, newest_block, percentiles,
                                             n_percentiles),
              tally_rpc_client_fee_history_async, cancellable, callback, user_data);
}

TallyRpcFeeHistory *
tally_rpc_client_fee_history_finish (TallyRpcClient *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  return typed_finish (self, result, tally_rpc_client_fee_history_async, error);
}

static char *
block_text (guint64 block)
{
  return block == TALLY_RPC_BLOCK_LATEST ? g_strdup ("latest")
                                         : g_strdup_printf ("0x%" G_GINT64_MODIFIER "x", block);
}

void
tally_rpc_client_get_logs_async (TallyRpcClient          *self,
                                 const TallyRpcLogFilter *filter,
                                 GCancellable            *cancellable,
                                 GAsyncReadyCallback      callback,
                                 gpointer                 user_data)
{
  JsonArray  *params = json_array_new ();
  JsonObject *object = json_object_new ();
  JsonArray  *topics = json_array_new ();

  g_return_if_fail (filter != NULL);
  g_return_if_fail (filter->n_topics <= 4);

  if (filter->has_address)
    take_str_member (object, "address",
                     tally_hex_encode (filter->address.bytes,
                                       TALLY_ADDRESS_LEN));
  for (guint i = 0; i < filter->n_topics; i++)
    {
      if (filter->has_topic[i])
        take_str_element (topics,
                          tally_hex_encode (filter->topics[i],
                                            TALLY_RPC_HASH_LEN));
      else
        json_array_add_null_element (topics);
    }
  json_object_set_array_member (object, "topics", topics);
  take_str_member (object, "fromBlock", block_text (filter->from_block));
  take_str_member (object, "toBlock", block_text (filter->to_block));
  json_array_add_object_element (params, object);
  typed_call (self, typed_new (KIND_LOGS, "eth_getLogs"), params_new (params),
              tally_rpc_client_get_logs_async, cancellable, callback, user_data);
}

GPtrArray *
tally_rpc_client_get_logs_finish (TallyRpcClient *self,
                                  GAsyncResult   *result,
                                  GError        **error)
{
  return typed_finish (self, result, tally_rpc_client_get_logs_async, error);
}
