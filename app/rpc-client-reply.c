/* rpc-client-reply.c: strict validation of JSON-RPC replies and of the
 * values in them (hex quantities, data, hashes, receipts, logs, fee history)
 *
 * A node or a proxy in between may send anything; nothing here trusts the
 * shape of a reply, and every refusal names the method it answered.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "core-error.h"
#include "rpc-client-private.h"

#define MAX_QUANTITY_DIGITS 64
/* json-glib's parser recurses per level: a reply of a million '[' must not
 * reach it. No JSON-RPC result nests anywhere near this deep. */
#define MAX_JSON_DEPTH 128

static gboolean
nesting_within_limit (const char *body,
                      gsize       len)
{
  gboolean in_string = FALSE;
  guint    depth = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = body[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > MAX_JSON_DEPTH)
            return FALSE;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

static int
hex_digit (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static const char *
node_string (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

gboolean
tally_rpc_parse_uint256 (JsonNode     *node,
                         const char   *what,
                         TallyUint256 *out,
                         GError      **error)
{
  const char *text = node_string (node);
  gsize       len;

  g_return_val_if_fail (what != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  if (text == NULL || strncmp (text, "0x", 2) != 0)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "%s is not a 0x-prefixed hex quantity", what);
      return FALSE;
    }
  len = strlen (text + 2);
  if (len == 0 || len > MAX_QUANTITY_DIGITS)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "%s has %s hex digits", what, len == 0 ? "no" : "too many");
      return FALSE;
    }
  for (gsize i = 0; i < len; i++)
    {
      int   digit = hex_digit (text[2 + i]);
      gsize pos = len - 1 - i; /* nibble index from the least significant */

      if (digit < 0)
        {
          g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                       "%s has a character that is not a hex digit", what);
          memset (out, 0, sizeof *out);
          return FALSE;
        }
      out->limbs[pos / 16] |= (guint64) digit << (4 * (pos % 16));
    }
  return TRUE;
}

gboolean
tally_rpc_parse_quantity (JsonNode   *node,
                          const char *what,
                          guint64    *out,
                          GError    **error)
{
  TallyUint256 value;

  g_return_val_if_fail (out != NULL, FALSE);

  *out = 0;
  if (!tally_rpc_parse_uint256 (node, what, &value, error))
    return FALSE;
  if (!tally_uint256_to_uint64 (out, &value))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "%s does not fit in 64 bits", what);
      return FALSE;
    }
  return TRUE;
}

static guint8 *
decode_data (JsonNode   *node,
             const char *what,
             gsize      *out_len,
             GError    **error)
{
  const char        *text = node_string (node);
  g_autofree guint8 *bytes = NULL;
  gsize              len;

  if (text == NULL || strncmp (text, "0x", 2) != 0)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "%s is not 0x-prefixed hex data", what);
      return NULL;
    }
  len = strlen (text + 2);
  if (len % 2 != 0)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "%s has an odd number of hex digits", what);
      return NULL;
    }
  bytes = g_malloc (len / 2 + 1);
  for (gsize i = 0; i < len / 2; i++)
    {
      int hi = hex_digit (text[2 + 2 * i]);
      int lo = hex_digit (text[3 + 2 * i]);

      if (hi < 0 || lo < 0)
        {
          g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                       "%s has a character that is not a hex digit", what);
          return NULL;
        }
      bytes[i] = (guint8) (hi << 4 | lo);
    }
  *out_len = len / 2;
  return g_steal_pointer (&bytes);
}

GBytes *
tally_rpc_parse_data (JsonNode   *node,
                      const char *what,
                      GError    **error)
{
  guint8 *bytes;
  gsize   len = 0;

  g_return_val_if_fail (what != NULL, NULL);

  bytes = decode_data (node, what, &len, error);
  if (bytes == NULL)
    return NULL;
  return g_bytes_new_take (bytes, len);
}

static gboolean
parse_fixed (JsonNode   *node,
             const char *what,
             guint8     *out,
             gsize       out_len,
             GError    **error)
{
  g_autofree guint8 *bytes = NULL;
  gsize              len = 0;

  memset (out, 0, out_len);
  bytes = decode_data (node, what, &len, error);
  if (bytes == NULL)
    return FALSE;
  if (len != out_len)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "%s has %" G_GSIZE_FORMAT " bytes, expected %" G_GSIZE_FORMAT,
                   what, len, out_len);
      return FALSE;
    }
  memcpy (out, bytes, len);
  return TRUE;
}

gboolean
tally_rpc_parse_hash (JsonNode   *node,
                      const char *what,
                      guint8      out[TALLY_RPC_HASH_LEN],
                      GError    **error)
{
  g_return_val_if_fail (what != NULL, FALSE);
  return parse_fixed (node, what, out, TALLY_RPC_HASH_LEN, error);
}

gboolean
_tally_rpc_parse_address (JsonNode     *node,
                          const char   *what,
                          TallyAddress *out,
                          GError      **error)
{
  return parse_fixed (node, what, out->bytes, TALLY_ADDRESS_LEN, error);
}

gboolean
_tally_rpc_error_is_rate_limit (gint64      code,
                                const char *message)
{
  g_autofree char *lower = g_ascii_strdown (message, -1);

  return code == 429 || code == -32005 || strstr (lower, "rate limit") != NULL ||
         strstr (lower, "too many requests") != NULL;
}

static gboolean
read_id (JsonObject *envelope,
         gint64     *id)
{
  JsonNode *node = json_object_get_member (envelope, "id");

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *id = json_node_get_int (node);
  return TRUE;
}

/* The envelope answers call; store its result or error there. */
static gboolean
take_envelope (TallyRpcCall *call,
               JsonObject   *envelope,
               GError      **error)
{
  JsonNode   *result = json_object_get_member (envelope, "result");
  JsonNode   *error_node = json_object_get_member (envelope, "error");
  JsonObject *error_object;
  JsonNode   *code_node;
  const char *message;

  if (g_strcmp0 (node_string (json_object_get_member (envelope, "jsonrpc")), "2.0") != 0)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "The reply to %s is not JSON-RPC 2.0", call->method);
      return FALSE;
    }
  if ((result == NULL) == (error_node == NULL))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "The reply to %s has %s", call->method,
                   result == NULL ? "neither a result nor an error" : "both a result and an error");
      return FALSE;
    }
  if (result != NULL)
    {
      call->result = json_node_copy (result);
      return TRUE;
    }

  error_object = JSON_NODE_HOLDS_OBJECT (error_node) ? json_node_get_object (error_node) : NULL;
  code_node = error_object ? json_object_get_member (error_object, "code") : NULL;
  message = error_object ? node_string (json_object_get_member (error_object, "message")) : NULL;
  if (code_node == NULL || !JSON_NODE_HOLDS_VALUE (code_node) ||
      json_node_get_value_type (code_node) != G_TYPE_INT64 || message == NULL)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "The error in the reply to %s lacks an integer code or a message",
                   call->method);
      return FALSE;
    }

  call->rpc_code = json_node_get_int (code_node);
  if (json_object_has_member (error_object, "data"))
    call->rpc_data = json_node_copy (json_object_get_member (error_object, "data"));
  call->rate_limited = _tally_rpc_error_is_rate_limit (call->rpc_code, message);
  g_set_error (&call->error, TALLY_CORE_ERROR,
               call->rate_limited ? TALLY_CORE_ERROR_RATE_LIMITED : TALLY_CORE_ERROR_RPC,
               "%s failed: %s (code %" G_GINT64_FORMAT ")",
               call->method, message, call->rpc_code);
  return TRUE;
}

/* A whole-batch error object ({"id": null, "error": ...}), which some
 * providers send instead of an array when they refuse the request. */
static gboolean
take_batch_error (TallyRpcCall **calls,
                  guint          n_calls,
                  JsonObject    *envelope,
                  GError       **error)
{
  JsonNode *id = json_object_get_member (envelope, "id");

  if (id == NULL || !JSON_NODE_HOLDS_NULL (id) || !json_object_has_member (envelope, "error") ||
      json_object_has_member (envelope, "result"))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "The reply to a batch starting with %s is not an array", calls[0]->method);
      return FALSE;
    }
  for (guint i = 0; i < n_calls; i++)
    if (!take_envelope (calls[i], envelope, error))
      return FALSE;
  return TRUE;
}

gboolean
_tally_rpc_reply_dispatch (TallyRpcCall **calls,
                           guint          n_calls,
                           gboolean       batch,
                           const char    *body,
                           gsize          body_len,
                           GError       **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError) local_error = NULL;
  g_autofree gboolean *answered = NULL;
  JsonNode            *root;
  JsonArray           *array;
  guint                n_elements;

  g_return_val_if_fail (n_calls > 0, FALSE);
  g_return_val_if_fail (batch || n_calls == 1, FALSE);

  for (guint i = 0; i < n_calls; i++)
    _tally_rpc_call_clear_outcome (calls[i]);

  if (body_len > G_MAXSSIZE || !g_utf8_validate (body, body_len, NULL) ||
      !nesting_within_limit (body, body_len) ||
      !json_parser_load_from_data (parser, body, body_len, &local_error) ||
      json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "The reply to %s%s is not JSON", batch ? "a batch starting with " : "",
                   calls[0]->method);
      return FALSE;
    }
  root = json_parser_get_root (parser);

  if (!batch)
    {
      gint64 id = 0;

      if (!JSON_NODE_HOLDS_OBJECT (root) || !read_id (json_node_get_object (root), &id) ||
          id != calls[0]->id)
        {
          g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                       "The reply to %s is not an object with the request's id", calls[0]->method);
          return FALSE;
        }
      return take_envelope (calls[0], json_node_get_object (root), error);
    }

  if (JSON_NODE_HOLDS_OBJECT (root))
    return take_batch_error (calls, n_calls, json_node_get_object (root), error);
  if (!JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "The reply to a batch starting with %s is not an array", calls[0]->method);
      return FALSE;
    }

  array = json_node_get_array (root);
  n_elements = json_array_get_length (array);
  answered = g_new0 (gboolean, n_calls);
  for (guint e = 0; e < n_elements; e++)
    {
      JsonNode *element = json_array_get_element (array, e);
      gint64    id = 0;
      guint     i;

      if (!JSON_NODE_HOLDS_OBJECT (element) || !read_id (json_node_get_object (element), &id))
        {
          g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                       "Element %u of the reply to a batch starting with %s has no integer id",
                       e, calls[0]->method);
          return FALSE;
        }
      for (i = 0; i < n_calls && calls[i]->id != id; i++)
        ;
      if (i == n_calls)
        {
          g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                       "The reply to a batch starting with %s answers an id that was not asked",
                       calls[0]->method);
          return FALSE;
        }
      if (answered[i])
        {
          g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                       "The batch reply answers %s (id %" G_GINT64_FORMAT ") twice",
                       calls[i]->method, id);
          return FALSE;
        }
      answered[i] = TRUE;
      if (!take_envelope (calls[i], json_node_get_object (element), error))
        return FALSE;
    }

  for (guint i = 0; i < n_calls; i++)
    if (!answered[i])
      {
        g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                     "The batch reply has no answer to %s (id %" G_GINT64_FORMAT ")",
                     calls[i]->method, calls[i]->id);
        return FALSE;
      }
  return TRUE;
}

void
tally_rpc_log_free (TallyRpcLog *log)
{
  if (log == NULL)
    return;
  g_free (log->topics);
  g_clear_pointer (&log->data, g_bytes_unref);
  g_free (log);
}

void
tally_rpc_receipt_free (TallyRpcReceipt *receipt)
{
  if (receipt == NULL)
    return;
  g_clear_pointer (&receipt->logs, g_ptr_array_unref);
  g_free (receipt);
}

void
tally_rpc_fee_history_free (TallyRpcFeeHistory *history)
{
  if (history == NULL)
    return;
  g_free (history->base_fees);
  g_free (history->rewards);
  g_free (history);
}

static JsonObject *
require_object (JsonNode   *node,
                const char *what,
                GError    **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "%s is not an object", what);
      return NULL;
    }
  return json_node_get_object (node);
}

static JsonArray *
require_array (JsonNode   *node,
               const char *what,
               GError    **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "%s is not an array", what);
      return NULL;
    }
  return json_node_get_array (node);
}

/* what and the member's name, for errors: "eth_getLogs result log 3 data". */
static JsonNode *
member (JsonObject *object,
        const char *what,
        const char *name,
        char      **label)
{
  g_free (*label);
  *label = g_strdup_printf ("%s %s", what, name);
  return json_object_get_member (object, name);
}

static TallyRpcLog *
parse_log (JsonNode   *node,
           const char *what,
           GError    **error)
{
  g_autoptr (TallyRpcLog) log = g_new0 (TallyRpcLog, 1);
  g_autofree char *label = NULL;
  JsonObject      *object;
  JsonArray       *topics;
  JsonNode        *value;

  if ((object = require_object (node, what, error)) == NULL)
    return NULL;

  value = member (object, what, "address", &label);
  if (!_tally_rpc_parse_address (value, label, &log->address, error))
    return NULL;
  value = member (object, what, "topics", &label);
  if ((topics = require_array (value, label, error)) == NULL)
    return NULL;
  if (json_array_get_length (topics) > 4)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "%s has more than four topics", what);
      return NULL;
    }
  log->n_topics = json_array_get_length (topics);
  log->topics = g_malloc0_n (MAX (log->n_topics, 1), TALLY_RPC_HASH_LEN);
  for (guint i = 0; i < log->n_topics; i++)
    if (!tally_rpc_parse_hash (json_array_get_element (topics, i), label, log->topics[i], error))
      return NULL;
  value = member (object, what, "data", &label);
  if ((log->data = tally_rpc_parse_data (value, label, error)) == NULL)
    return NULL;
  value = member (object, what, "blockNumber", &label);
  if (!tally_rpc_parse_quantity (value, label, &log->block_number, error))
    return NULL;
  value = member (object, what, "logIndex", &label);
  if (!tally_rpc_parse_quantity (value, label, &log->log_index, error))
    return NULL;
  value = member (object, what, "transactionHash", &label);
  if (!tally_rpc_parse_hash (value, label, log->transaction_hash, error))
    return NULL;
  value = member (object, what, "removed", &label);
  if (value != NULL &&
      !(JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_BOOLEAN))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "%s is not a boolean", label);
      return NULL;
    }
  log->removed = value != NULL && json_node_get_boolean (value);
  return g_steal_pointer (&log);
}

gboolean
_tally_rpc_parse_logs (JsonNode   *node,
                       const char *what,
                       GPtrArray **logs,
                       GError    **error)
{
  g_autoptr (GPtrArray) array = g_ptr_array_new_with_free_func ((GDestroyNotify) tally_rpc_log_free);
  JsonArray *elements;

  *logs = NULL;
  if ((elements = require_array (node, what, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (elements); i++)
    {
      g_autofree char *element_what = g_strdup_printf ("%s log %u", what, i);
      TallyRpcLog     *log = parse_log (json_array_get_element (elements, i), element_what, error);

      if (log == NULL)
        return FALSE;
      g_ptr_array_add (array, log);
    }
  *logs = g_steal_pointer (&array);
  return TRUE;
}

gboolean
_tally_rpc_parse_receipt (JsonNode         *node,
                          TallyRpcReceipt **receipt,
                          GError          **error)
{
  g_autoptr (TallyRpcReceipt) r = g_new0 (TallyRpcReceipt, 1);
  const char *what = "eth_getTransactionReceipt result";
  JsonObject *object;
  JsonNode   *contract;
  guint64     status = 0;

  *receipt = NULL;
  if ((object = require_object (node, what, error)) == NULL)
    return FALSE;
  if (!tally_rpc_parse_hash (json_object_get_member (object, "transactionHash"),
                             "eth_getTransactionReceipt transactionHash", r->transaction_hash, error) ||
      !tally_rpc_parse_quantity (json_object_get_member (object, "status"),
                                 "eth_getTransactionReceipt status", &status, error) ||
      !tally_rpc_parse_quantity (json_object_get_member (object, "blockNumber"),
                                 "eth_getTransactionReceipt blockNumber", &r->block_number, error) ||
      !tally_rpc_parse_hash (json_object_get_member (object, "blockHash"),
                             "eth_getTransactionReceipt blockHash", r->block_hash, error) ||
      !tally_rpc_parse_quantity (json_object_get_member (object, "gasUsed"),
                                 "eth_getTransactionReceipt gasUsed", &r->gas_used, error) ||
      !tally_rpc_parse_uint256 (json_object_get_member (object, "effectiveGasPrice"),
                                "eth_getTransactionReceipt effectiveGasPrice",
                                &r->effective_gas_price, error) ||
      !_tally_rpc_parse_logs (json_object_get_member (object, "logs"),
                              "eth_getTransactionReceipt logs", &r->logs, error))
    return FALSE;
  if (status > 1)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "eth_getTransactionReceipt status is neither 0x0 nor 0x1");
      return FALSE;
    }
  r->success = status == 1;
  contract = json_object_get_member (object, "contractAddress");
  if (contract != NULL && !JSON_NODE_HOLDS_NULL (contract))
    {
      if (!_tally_rpc_parse_address (contract, "eth_getTransactionReceipt contractAddress",
                                     &r->contract_address, error))
        return FALSE;
      r->has_contract_address = TRUE;
    }
  *receipt = g_steal_pointer (&r);
  return TRUE;
}

gboolean
_tally_rpc_parse_fee_history (JsonNode            *node,
                              guint                n_percentiles,
                              TallyRpcFeeHistory **history,
                              GError             **error)
{
  g_autoptr (TallyRpcFeeHistory) h = g_new0 (TallyRpcFeeHistory, 1);
  JsonObject *object;
  JsonArray  *base_fees;
  JsonArray  *rewards = NULL;

  *history = NULL;
  if ((object = require_object (node, "eth_feeHistory result", error)) == NULL ||
      !tally_rpc_parse_quantity (json_object_get_member (object, "oldestBlock"),
                                 "eth_feeHistory oldestBlock", &h->oldest_block, error) ||
      (base_fees = require_array (json_object_get_member (object, "baseFeePerGas"),
                                  "eth_feeHistory baseFeePerGas", error)) == NULL)
    return FALSE;
  if (json_array_get_length (base_fees) == 0)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "eth_feeHistory baseFeePerGas is empty");
      return FALSE;
    }
  h->n_blocks = json_array_get_length (base_fees) - 1;
  h->base_fees = g_new0 (TallyUint256, h->n_blocks + 1);
  for (guint i = 0; i <= h->n_blocks; i++)
    if (!tally_rpc_parse_uint256 (json_array_get_element (base_fees, i),
                                  "eth_feeHistory baseFeePerGas", &h->base_fees[i], error))
      return FALSE;

  if (n_percentiles == 0)
    {
      *history = g_steal_pointer (&h);
      return TRUE;
    }
  if ((rewards = require_array (json_object_get_member (object, "reward"),
                                "eth_feeHistory reward", error)) == NULL)
    return FALSE;
  if (json_array_get_length (rewards) != h->n_blocks)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "eth_feeHistory reward has %u rows for %u blocks",
                   json_array_get_length (rewards), h->n_blocks);
      return FALSE;
    }
  h->n_percentiles = n_percentiles;
  h->rewards = g_new0 (TallyUint256, (gsize) MAX (h->n_blocks, 1) * n_percentiles);
  for (guint b = 0; b < h->n_blocks; b++)
    {
      JsonArray *row = require_array (json_array_get_element (rewards, b),
                                      "eth_feeHistory reward row", error);

      if (row == NULL)
        return FALSE;
      if (json_array_get_length (row) != n_percentiles)
        {
          g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                       "eth_feeHistory reward row %u has %u values for %u percentiles",
                       b, json_array_get_length (row), n_percentiles);
          return FALSE;
        }
      for (guint p = 0; p < n_percentiles; p++)
        if (!tally_rpc_parse_uint256 (json_array_get_element (row, p), "eth_feeHistory reward",
                                      &h->rewards[b * n_percentiles + p], error))
          return FALSE;
    }
  *history = g_steal_pointer (&h);
  return TRUE;
}
