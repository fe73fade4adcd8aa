/* price-source-feed.c: prices from two on-chain Chainlink AggregatorV3
 * feeds, token/USD and ETH/USD
 *
 * One JSON-RPC batch per quote: latestRoundData() of both feeds, the latest
 * block (for its timestamp) and, until they are cached, both feeds'
 * decimals(). The chain's own clock is the reference for staleness; see
 * price-source-feed.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include "contract-abi.h"
#include "core-error.h"
#include "price-source-feed.h"
#include "wallet/hex.h"

#define NO_INDEX G_MAXUINT
/* 9999-12-31T23:59:59Z, the last second a GDateTime holds. */
#define MAX_UNIX_TIME G_GUINT64_CONSTANT (253402300799)

enum
{
  FEED_TOKEN,
  FEED_ETH,
  N_FEEDS
};

struct _TallyPriceSourceFeed
{
  GObject parent_instance;

  TallyRpcClient   *client;
  TallyContractAbi *abi; /* loaded on first use */

  gboolean     has_feed[N_FEEDS];
  TallyAddress feeds[N_FEEDS];
  int          decimals[N_FEEDS]; /* decimals() as read, -1 until then */
  char        *token_symbol;
  guint        feed_decimals;
  guint        max_age;
};

static void tally_price_source_feed_iface_init (TallyPriceSourceInterface *iface);

/* clang-format off */
G_DEFINE_FINAL_TYPE_WITH_CODE (TallyPriceSourceFeed, tally_price_source_feed, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TALLY_TYPE_PRICE_SOURCE,
                                                      tally_price_source_feed_iface_init))
/* clang-format on */

enum
{
  PROP_0,
  PROP_CLIENT,
  PROP_TOKEN_USD_FEED,
  PROP_ETH_USD_FEED,
  PROP_TOKEN_SYMBOL,
  PROP_FEED_DECIMALS,
  PROP_MAX_AGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- one call ------------------------------------------------------------ */

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

static void
tally_price_source_feed_get_prices_async (TallyPriceSource   *source,
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
  g_task_set_source_tag (task, tally_price_source_feed_get_prices_async);

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

static TallyPriceQuote *
tally_price_source_feed_get_prices_finish (TallyPriceSource *source,
                                           GAsyncResult     *result,
                                           GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, source), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                          tally_price_source_feed_get_prices_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
tally_price_source_feed_iface_init (TallyPriceSourceInterface *iface)
{
  iface->get_prices_async = tally_price_source_feed_get_prices_async;
  iface->get_prices_finish = tally_price_source_feed_get_prices_finish;
}

/* ---- the object ------------------------------------------------------------ */

static void
tally_price_source_feed_dispose (GObject *object)
{
  TallyPriceSourceFeed *self = TALLY_FEED_PRICE_SOURCE (object);

  g_clear_object (&self->client);
  g_clear_object (&self->abi);

  G_OBJECT_CLASS (tally_price_source_feed_parent_class)->dispose (object);
}

static void
tally_price_source_feed_finalize (GObject *object)
{
  TallyPriceSourceFeed *self = TALLY_FEED_PRICE_SOURCE (object);

  g_free (self->token_symbol);

  G_OBJECT_CLASS (tally_price_source_feed_parent_class)->finalize (object);
}

static char *
feed_string (TallyPriceSourceFeed *self,
             guint                 i)
{
  char text[TALLY_ADDRESS_STRING_SIZE];

  if (!self->has_feed[i])
    return NULL;
  tally_address_to_string (&self->feeds[i], text);
  return g_strdup (text);
}

static void
tally_price_source_feed_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  TallyPriceSourceFeed *self = TALLY_FEED_PRICE_SOURCE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_TOKEN_USD_FEED:
      g_value_take_string (value, feed_string (self, FEED_TOKEN));
      break;
    case PROP_ETH_USD_FEED:
      g_value_take_string (value, feed_string (self, FEED_ETH));
      break;
    case PROP_TOKEN_SYMBOL:
      g_value_set_string (value, self->token_symbol);
      break;
    case PROP_FEED_DECIMALS:
      g_value_set_uint (value, self->feed_decimals);
      break;
    case PROP_MAX_AGE:
      g_value_set_uint (value, self->max_age);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void set_feed (TallyPriceSourceFeed *self,
                      guint                 i,
                      const TallyAddress   *address);

static void
set_feed_string (TallyPriceSourceFeed *self,
                 guint                 i,
                 const char           *text)
{
  g_autoptr (GError) error = NULL;
  TallyAddress address;

  if (text == NULL)
    {
      set_feed (self, i, NULL);
      return;
    }
  if (!tally_address_parse (&address, text, &error))
    {
      g_critical ("Not a feed address: %s", error->message);
      return;
    }
  set_feed (self, i, &address);
}

static void
tally_price_source_feed_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  TallyPriceSourceFeed *self = TALLY_FEED_PRICE_SOURCE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      tally_price_source_feed_set_client (self, g_value_get_object (value));
      break;
    case PROP_TOKEN_USD_FEED:
      set_feed_string (self, FEED_TOKEN, g_value_get_string (value));
      break;
    case PROP_ETH_USD_FEED:
      set_feed_string (self, FEED_ETH, g_value_get_string (value));
      break;
    case PROP_TOKEN_SYMBOL:
      tally_price_source_feed_set_token_symbol (self, g_value_get_string (value));
      break;
    case PROP_FEED_DECIMALS:
      tally_price_source_feed_set_feed_decimals (self, g_value_get_uint (value));
      break;
    case PROP_MAX_AGE:
      tally_price_source_feed_set_max_age (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

#define RW_PROP (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS)

static void
tally_price_source_feed_class_init (TallyPriceSourceFeedClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tally_price_source_feed_dispose;
  object_class->finalize = tally_price_source_feed_finalize;
  object_class->get_property = tally_price_source_feed_get_property;
  object_class->set_property = tally_price_source_feed_set_property;

  properties[PROP_CLIENT] = g_param_spec_object ("client", NULL, NULL, TALLY_TYPE_RPC_CLIENT,
                                                 RW_PROP);
  properties[PROP_TOKEN_USD_FEED] = g_param_spec_string ("token-usd-feed", NULL, NULL, NULL,
                                                         RW_PROP);
  properties[PROP_ETH_USD_FEED] = g_param_spec_string ("eth-usd-feed", NULL, NULL, NULL, RW_PROP);
  properties[PROP_TOKEN_SYMBOL] = g_param_spec_string ("token-symbol", NULL, NULL, NULL, RW_PROP);
  properties[PROP_FEED_DECIMALS] = g_param_spec_uint ("feed-decimals", NULL, NULL, 0,
                                                      TALLY_DECIMAL_MAX_SCALE, 0, RW_PROP);
  properties[PROP_MAX_AGE] = g_param_spec_uint ("max-age", NULL, NULL, 1, G_MAXUINT32,
                                                TALLY_PRICE_SOURCE_FEED_DEFAULT_MAX_AGE,
                                                RW_PROP | G_PARAM_CONSTRUCT);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tally_price_source_feed_init (TallyPriceSourceFeed *self)
{
  for (guint i = 0; i < N_FEEDS; i++)
    self->decimals[i] = -1;
}

TallyPriceSourceFeed *
tally_price_source_feed_new (TallyRpcClient     *client,
                             const TallyAddress *token_usd_feed,
                             const TallyAddress *eth_usd_feed,
                             const char         *token_symbol)
{
  TallyPriceSourceFeed *self;

  g_return_val_if_fail (client == NULL || TALLY_IS_RPC_CLIENT (client), NULL);

  self = g_object_new (TALLY_TYPE_PRICE_SOURCE_FEED, "client", client, "token-symbol",
                       token_symbol, NULL);
  set_feed (self, FEED_TOKEN, token_usd_feed);
  set_feed (self, FEED_ETH, eth_usd_feed);
  return self;
}

TallyPriceSourceFeed *
tally_price_source_feed_new_for_profile (TallyRpcClient      *client,
                                         TallyNetworkProfile *profile,
                                         GError             **error)
{
  TallyPriceSourceFeed *self;

  g_return_val_if_fail (client == NULL || TALLY_IS_RPC_CLIENT (client), NULL);
  g_return_val_if_fail (TALLY_IS_NETWORK_PROFILE (profile), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (tally_network_profile_get_price_source_kind (profile) != TALLY_PRICE_SOURCE_FEED)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE,
                   "The network “%s” has no on-chain price feeds",
                   tally_network_profile_get_display_name (profile));
      return NULL;
    }

  self = tally_price_source_feed_new (client, tally_network_profile_get_token_usd_feed (profile),
                                      tally_network_profile_get_eth_usd_feed (profile),
                                      tally_network_profile_get_token_symbol (profile));
  tally_price_source_feed_set_feed_decimals (
    self, tally_network_profile_get_price_feed_decimals (profile));
  return self;
}

TallyRpcClient *
tally_price_source_feed_get_client (TallyPriceSourceFeed *self)
{
  g_return_val_if_fail (TALLY_IS_FEED_PRICE_SOURCE (self), NULL);

  return self->client;
}

void
tally_price_source_feed_set_client (TallyPriceSourceFeed *self,
                                    TallyRpcClient       *client)
{
  g_return_if_fail (TALLY_IS_FEED_PRICE_SOURCE (self));
  g_return_if_fail (client == NULL || TALLY_IS_RPC_CLIENT (client));

  /* Another node may serve another chain: forget what was read. */
  if (g_set_object (&self->client, client))
    {
      for (guint i = 0; i < N_FEEDS; i++)
        self->decimals[i] = -1;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
    }
}

static void
set_feed (TallyPriceSourceFeed *self,
          guint                 i,
          const TallyAddress   *address)
{
  if (address == NULL ? !self->has_feed[i]
                      : self->has_feed[i] && tally_address_equal (&self->feeds[i], address))
    return;

  self->has_feed[i] = address != NULL;
  if (address != NULL)
    self->feeds[i] = *address;
  self->decimals[i] = -1;
  g_object_notify_by_pspec (G_OBJECT (self),
                            properties[i == FEED_TOKEN ? PROP_TOKEN_USD_FEED : PROP_ETH_USD_FEED]);
}

const TallyAddress *
tally_price_source_feed_get_token_usd_feed (TallyPriceSourceFeed *self)
{
  g_return_val_if_fail (TALLY_IS_FEED_PRICE_SOURCE (self), NULL);

  return self->has_feed[FEED_TOKEN] ? &self->feeds[FEED_TOKEN] : NULL;
}

void
tally_price_source_feed_set_token_usd_feed (TallyPriceSourceFeed *self,
                                            const TallyAddress   *address)
{
  g_return_if_fail (TALLY_IS_FEED_PRICE_SOURCE (self));

  set_feed (self, FEED_TOKEN, address);
}

const TallyAddress *
tally_price_source_feed_get_eth_usd_feed (TallyPriceSourceFeed *self)
{
  g_return_val_if_fail (TALLY_IS_FEED_PRICE_SOURCE (self), NULL);

  return self->has_feed[FEED_ETH] ? &self->feeds[FEED_ETH] : NULL;
}

void
tally_price_source_feed_set_eth_usd_feed (TallyPriceSourceFeed *self,
                                          const TallyAddress   *address)
{
  g_return_if_fail (TALLY_IS_FEED_PRICE_SOURCE (self));

  set_feed (self, FEED_ETH, address);
}

const char *
tally_price_source_feed_get_token_symbol (TallyPriceSourceFeed *self)
{
  g_return_val_if_fail (TALLY_IS_FEED_PRICE_SOURCE (self), NULL);

  return self->token_symbol;
}

void
tally_price_source_feed_set_token_symbol (TallyPriceSourceFeed *self,
                                          const char           *symbol)
{
  g_return_if_fail (TALLY_IS_FEED_PRICE_SOURCE (self));

  if (g_strcmp0 (self->token_symbol, symbol) == 0)
    return;
  g_free (self->token_symbol);
  self->token_symbol = g_strdup (symbol);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKEN_SYMBOL]);
}

guint
tally_price_source_feed_get_feed_decimals (TallyPriceSourceFeed *self)
{
  g_return_val_if_fail (TALLY_IS_FEED_PRICE_SOURCE (self), 0);

  return self->feed_decimals;
}

void
tally_price_source_feed_set_feed_decimals (TallyPriceSourceFeed *self,
                                           guint                 decimals)
{
  g_return_if_fail (TALLY_IS_FEED_PRICE_SOURCE (self));
  g_return_if_fail (decimals <= TALLY_DECIMAL_MAX_SCALE);

  if (self->feed_decimals == decimals)
    return;
  /* Cached decimals were checked against the old expectation. */
  self->feed_decimals = decimals;
  for (guint i = 0; i < N_FEEDS; i++)
    self->decimals[i] = -1;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FEED_DECIMALS]);
}

guint
tally_price_source_feed_get_max_age (TallyPriceSourceFeed *self)
{
  g_return_val_if_fail (TALLY_IS_FEED_PRICE_SOURCE (self), 0);

  return self->max_age;
}

void
tally_price_source_feed_set_max_age (TallyPriceSourceFeed *self,
                                     guint                 seconds)
{
  g_return_if_fail (TALLY_IS_FEED_PRICE_SOURCE (self));
  g_return_if_fail (seconds > 0);

  if (self->max_age == seconds)
    return;
  self->max_age = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_AGE]);
}
