/* price-source-feed.c: prices from two on-chain Chainlink AggregatorV3
 * feeds, token/USD and ETH/USD
 *
 * One JSON-RPC batch per quote: latestRoundData() of both feeds, the latest
 * block (for its timestamp) and, until they are cached, both feeds'
 * decimals(). The chain's own clock is the reference for staleness; see
 * price-source-feed.h. The quote itself is price-source-feed-call.c; the
 * object, its properties and constructors are here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include "core-error.h"
#include "price-source-feed-private.h"

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

static void
tally_price_source_feed_iface_init (TallyPriceSourceInterface *iface)
{
  iface->get_prices_async = _tally_price_source_feed_get_prices_async;
  iface->get_prices_finish = _tally_price_source_feed_get_prices_finish;
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
