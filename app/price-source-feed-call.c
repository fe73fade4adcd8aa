/* price-source-feed-call.c: one quote from TallyPriceSourceFeed: the
 * JSON-RPC batch (latestRoundData() of both feeds, the latest block for its
 * timestamp, and decimals() until cached) and the checks on its reply
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include "core-error.h"
#include "price-source-feed-private.h"
#include "wallet/hex.h"

#define NO_INDEX G_MAXUINT
/* 9999-12-31T23:59:59Z, the last second a GDateTime holds. */
#define MAX_UNIX_TIME G_GUINT64_CONSTANT (253402300799)

typedef struct
{
  TallyRpcBatch *batch;
  TallyAddress   feeds[N_FEEDS];
  char           addresses[N_FEEDS][TALLY_ADDRESS_STRING_SIZE];
  char          *labels[N_FEEDS]; /* "LABEL/USD" */
  guint          round_index[N_FEEDS];
  guint          decimals_index[N_FEEDS]; /* NO_INDEX when cached */
  guint          block_index;
} Request;

typedef struct
{
  TallyUint256 answer;
  gboolean     negative;
  guint64      updated_at;
  guint        decimals;
} Round;

static void
request_free (gpointer data)
{
  Request *request = data;

  g_clear_pointer (&request->batch, tally_rpc_batch_unref);
  for (guint i = 0; i < N_FEEDS; i++)
    g_free (request->labels[i]);
  g_free (request);
}

static JsonNode *
eth_call_params (const TallyAddress *to,
                 const guint8       *data,
                 gsize               len)
{
  JsonArray       *params = json_array_new ();
  JsonObject      *call = json_object_new ();
  JsonNode        *node = json_node_new (JSON_NODE_ARRAY);
  g_autofree char *to_hex = tally_hex_encode (to->bytes, TALLY_ADDRESS_LEN);
  g_autofree char *data_hex = tally_hex_encode (data, len);

  json_object_set_string_member (call, "to", to_hex);
  json_object_set_string_member (call, "data", data_hex);
  json_array_add_object_element (params, call);
  json_array_add_string_element (params, "latest");
  json_node_take_array (node, params);
  return node;
}

static guint
add_feed_call (TallyPriceSourceFeed *self,
               TallyRpcBatch        *batch,
               const TallyAddress   *feed,
               const char           *function,
               GError              **error)
{
  g_autoptr (TallyAbiValue) args = tally_abi_value_new_tuple ();
  g_autofree guint8 *data = NULL;
  gsize              len = 0;

  if (!tally_contract_abi_encode_call (self->abi, &data, &len, function, args, error))
    return NO_INDEX;
  return tally_rpc_batch_add (batch, "eth_call", eth_call_params (feed, data, len));
}

/* The decoded return of an argument-less view function of feed `i`, or NULL
 * with an error naming the feed and the function. */
static TallyAbiValue *
read_feed_call (TallyPriceSourceFeed *self,
                Request              *request,
                guint                 i,
                guint                 index,
                const char           *function,
                GError              **error)
{
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GBytes) bytes = NULL;
  TallyAbiValue *value = NULL;
  const guint8  *data;
  gsize          len = 0;

  node = tally_rpc_batch_dup_result (request->batch, index, error);
  if (node != NULL)
    bytes = tally_rpc_parse_data (node, "eth_call result", error);
  if (bytes == NULL)
    {
      g_prefix_error (error, "Could not read %s() of the %s feed at %s: ", function,
                      request->labels[i], request->addresses[i]);
      return NULL;
    }

  data = g_bytes_get_data (bytes, &len);
  if (len == 0)
    {
      /* A call to an address without code succeeds with no data. */
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND,
                   "There is no price feed contract at %s (the %s feed): %s() returned nothing",
                   request->addresses[i], request->labels[i], function);
      return NULL;
    }
  if (!tally_contract_abi_decode_result (self->abi, &value, function, data, len, error))
    {
      g_prefix_error (error, "The %s feed at %s answered %s() with something else than a "
                             "Chainlink feed would: ",
                      request->labels[i], request->addresses[i], function);
      return NULL;
    }
  return value;
}

static gboolean
read_decimals (TallyPriceSourceFeed *self,
               Request              *request,
               guint                 i,
               guint                *out,
               GError              **error)
{
  g_autoptr (TallyAbiValue) value = NULL;
  TallyUint256 word;
  guint64      decimals = 0;

  if (request->decimals_index[i] == NO_INDEX)
    {
      *out = (guint) self->decimals[i];
      return TRUE;
    }

  value = read_feed_call (self, request, i, request->decimals_index[i], "decimals", error);
  if (value == NULL)
    return FALSE;
  tally_abi_value_get_uint (tally_abi_value_get_element (value, 0), &word);
  if (!tally_uint256_to_uint64 (&decimals, &word) || decimals > TALLY_DECIMAL_MAX_SCALE)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "The %s feed at %s gives prices with more decimals than Tally can use",
                   request->labels[i], request->addresses[i]);
      return FALSE;
    }
  if (self->feed_decimals != 0 && decimals != self->feed_decimals)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE,
                   "The %s feed at %s answers with %u decimals, the network profile says %u",
                   request->labels[i], request->addresses[i], (guint) decimals,
                   self->feed_decimals);
      return FALSE;
    }

  /* Only for the feed it was read from: the address may have changed meanwhile. */
  if (self->has_feed[i] && tally_address_equal (&self->feeds[i], &request->feeds[i]))
    self->decimals[i] = (int) decimals;
  *out = (guint) decimals;
  return TRUE;
}

static char *
format_age (guint64 seconds)
{
  if (seconds >= 2 * 86400)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " d", seconds / 86400);
  if (seconds >= 3600)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " h", seconds / 3600);
  if (seconds >= 60)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " min", seconds / 60);
  return g_strdup_printf ("%" G_GUINT64_FORMAT " s", seconds);
}

/* latestRoundData() of feed `i`, checked as Chainlink recommends. */
static gboolean
read_round (TallyPriceSourceFeed *self,
            Request              *request,
            guint                 i,
            guint64               now,
            Round                *round,
            GError              **error)
{
  g_autoptr (TallyAbiValue) value = NULL;
  TallyUint256 round_id;
  TallyUint256 updated_at;
  TallyUint256 answered_in_round;

  if (!read_decimals (self, request, i, &round->decimals, error))
    return FALSE;
  value = read_feed_call (self, request, i, request->round_index[i], "latestRoundData", error);
  if (value == NULL)
    return FALSE;

  tally_abi_value_get_uint (tally_abi_value_get_element (value, 0), &round_id);
  tally_abi_value_get_int (tally_abi_value_get_element (value, 1), &round->answer,
                           &round->negative);
  tally_abi_value_get_uint (tally_abi_value_get_element (value, 3), &updated_at);
  tally_abi_value_get_uint (tally_abi_value_get_element (value, 4), &answered_in_round);

  if (round->negative || tally_uint256_is_zero (&round->answer))
    {
      g_autofree char *text = tally_abi_value_to_string (tally_abi_value_get_element (value, 1));

      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "The %s feed at %s answered %s, which is not a price", request->labels[i],
                   request->addresses[i], text);
      return FALSE;
    }
  /* Timestamps beyond what GDateTime holds are as unusable as none. */
  if (!tally_uint256_to_uint64 (&round->updated_at, &updated_at) || round->updated_at == 0 ||
      round->updated_at > MAX_UNIX_TIME)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "The %s feed at %s has no complete round (updatedAt is not a time)",
                   request->labels[i], request->addresses[i]);
      return FALSE;
    }
  if (tally_uint256_cmp (&answered_in_round, &round_id) < 0)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STALE_PRICE,
                   "The %s price is carried over from an earlier round; the feed at %s may be "
                   "stuck.",
                   request->labels[i], request->addresses[i]);
      return FALSE;
    }
  /* A round stamped after the latest block (a node behind the feed's) is
   * as fresh as can be told, not an error. */
  if (now > round->updated_at && now - round->updated_at > self->max_age)
    {
      g_autofree char *age = format_age (now - round->updated_at);

      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STALE_PRICE,
                   "The %s price is %s old; the feed may be stuck.", request->labels[i], age);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_block_time (Request *request,
                 guint64 *out,
                 GError **error)
{
  g_autoptr (JsonNode) node = tally_rpc_batch_dup_result (request->batch, request->block_index,
                                                          error);
  JsonObject *block;

  if (node == NULL)
    return FALSE;
  block = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  if (block == NULL || !json_object_has_member (block, "timestamp"))
    {
      g_set_error_literal (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                           "eth_getBlockByNumber(\"latest\") returned no block with a timestamp");
      return FALSE;
    }
  return tally_rpc_parse_quantity (json_object_get_member (block, "timestamp"),
                                   "eth_getBlockByNumber timestamp", out, error);
}

static void
on_batch (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallyPriceSourceFeed *self = g_task_get_source_object (task);
  Request              *request = g_task_get_task_data (task);
  g_autoptr (GDateTime) updated = NULL;
  g_autofree char *source = NULL;
  GError          *error = NULL;
  Round            rounds[N_FEEDS];
  TallyDecimal     prices[N_FEEDS];
  guint64          now = 0;

  if (!tally_rpc_client_batch_finish (TALLY_RPC_CLIENT (object), result, &error))
    {
      if (!g_task_return_error_if_cancelled (task))
        g_task_return_error (task, error);
      else
        g_clear_error (&error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  if (!read_block_time (request, &now, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < N_FEEDS; i++)
    {
      if (!read_round (self, request, i, now, &rounds[i], &error))
        {
          g_task_return_error (task, error);
          return;
        }
      tally_decimal_init (&prices[i], &rounds[i].answer, rounds[i].decimals, FALSE);
    }

  /* The quote is as old as its older half. */
  updated = g_date_time_new_from_unix_utc (
    (gint64) MIN (rounds[FEED_TOKEN].updated_at, rounds[FEED_ETH].updated_at));
  source = g_strdup_printf ("Chainlink feeds %s (%s) and %s (%s)", request->addresses[FEED_TOKEN],
                            request->labels[FEED_TOKEN], request->addresses[FEED_ETH],
                            request->labels[FEED_ETH]);
  g_task_return_pointer (task,
                         tally_price_quote_new ("usd", &prices[FEED_TOKEN], NULL,
                                                &prices[FEED_ETH], NULL, updated, source),
                         (GDestroyNotify) tally_price_quote_unref);
}

static gboolean
request_build (TallyPriceSourceFeed *self,
               Request              *request,
               GError              **error)
{
  JsonArray *block_params;
  JsonNode  *node;

  request->batch = tally_rpc_batch_new ();
  for (guint i = 0; i < N_FEEDS; i++)
    {
      request->feeds[i] = self->feeds[i];
      tally_address_to_string (&self->feeds[i], request->addresses[i]);
      request->labels[i] = g_strdup_printf (
        "%s/USD", i == FEED_ETH ? "ETH" : (self->token_symbol ? self->token_symbol : "token"));

      request->round_index[i] = add_feed_call (self, request->batch, &self->feeds[i],
                                               "latestRoundData", error);
      if (request->round_index[i] == NO_INDEX)
        return FALSE;
      request->decimals_index[i] = NO_INDEX;
      if (self->decimals[i] < 0)
        {
          request->decimals_index[i] = add_feed_call (self, request->batch, &self->feeds[i],
                                                      "decimals", error);
          if (request->decimals_index[i] == NO_INDEX)
            return FALSE;
        }
    }

  block_params = json_array_new ();
  json_array_add_string_element (block_params, "latest");
  json_array_add_boolean_element (block_params, FALSE);
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, block_params);
  request->block_index = tally_rpc_batch_add (request->batch, "eth_getBlockByNumber", node);
  return TRUE;
}

void
_tally_price_source_feed_get_prices_async (TallyPriceSource   *source,
                                           const char         *currency,
                                           GCancellable       *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer            user_data)
{
  TallyPriceSourceFeed *self = TALLY_FEED_PRICE_SOURCE (source);
  g_autoptr (GTask) task = NULL;
  GError  *error = NULL;
  Request *request;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, _tally_price_source_feed_get_prices_async);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (g_ascii_strcasecmp (currency, "usd") != 0)
    {
      g_autofree char *code = g_ascii_strup (currency, -1);

      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND,
                               "The on-chain price feeds give prices in US dollars only, not in %s",
                               code);
      return;
    }
  if (self->client == NULL || !self->has_feed[FEED_TOKEN] || !self->has_feed[FEED_ETH])
    {
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE,
                               "The on-chain price source lacks a node or a feed address");
      return;
    }
  if (self->abi == NULL)
    {
      self->abi = tally_contract_abi_new_builtin ("PriceFeed", &error);
      if (self->abi == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
    }

  request = g_new0 (Request, 1);
  g_task_set_task_data (task, request, request_free);
  if (!request_build (self, request, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  tally_rpc_client_batch_async (self->client, request->batch, 0, cancellable, on_batch,
                                g_steal_pointer (&task));
}

TallyPriceQuote *
_tally_price_source_feed_get_prices_finish (TallyPriceSource *source,
                                            GAsyncResult     *result,
                                            GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, source), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                          _tally_price_source_feed_get_prices_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
