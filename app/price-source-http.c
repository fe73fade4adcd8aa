/* price-source-http.c: prices from an HTTP API of the CoinGecko
 * simple/price shape
 *
 *   GET {base}/simple/price?ids={token},{eth}&vs_currencies={cur}
 *       &include_24hr_change=true&include_last_updated_at=true
 *   {"ethereum": {"usd": 1851.7512, "usd_24h_change": -2.35,
 *                 "last_updated_at": 1764070000}, ...}
 *
 * The request is price-source-http-call.c, the reply is read by
 * price-reply.c; the object and its properties are here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include "price-source-http-private.h"

static void tally_price_source_http_iface_init (TallyPriceSourceInterface *iface);

/* clang-format off */
G_DEFINE_FINAL_TYPE_WITH_CODE (TallyPriceSourceHttp, tally_price_source_http, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TALLY_TYPE_PRICE_SOURCE,
                                                      tally_price_source_http_iface_init))
/* clang-format on */

enum
{
  PROP_0,
  PROP_BASE_URL,
  PROP_TOKEN_ID,
  PROP_ETH_ID,
  PROP_CACHE_TTL,
  PROP_TIMEOUT,
  PROP_MAX_ATTEMPTS,
  PROP_MAX_RETRY_DELAY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cache_entry_free (gpointer data)
{
  CacheEntry *entry = data;

  tally_price_quote_unref (entry->quote);
  g_free (entry);
}

static void
tally_price_source_http_iface_init (TallyPriceSourceInterface *iface)
{
  iface->get_prices_async = _tally_price_source_http_get_prices_async;
  iface->get_prices_finish = _tally_price_source_http_get_prices_finish;
}

/* ---- the object ------------------------------------------------------------ */

static void
tally_price_source_http_dispose (GObject *object)
{
  TallyPriceSourceHttp *self = TALLY_PRICE_SOURCE_HTTP (object);

  g_clear_object (&self->session);
  g_clear_pointer (&self->cache, g_hash_table_unref);

  G_OBJECT_CLASS (tally_price_source_http_parent_class)->dispose (object);
}

static void
tally_price_source_http_finalize (GObject *object)
{
  TallyPriceSourceHttp *self = TALLY_PRICE_SOURCE_HTTP (object);

  g_free (self->base_url);
  g_free (self->token_id);
  g_free (self->eth_id);

  G_OBJECT_CLASS (tally_price_source_http_parent_class)->finalize (object);
}

static void
tally_price_source_http_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  TallyPriceSourceHttp *self = TALLY_PRICE_SOURCE_HTTP (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;
    case PROP_TOKEN_ID:
      g_value_set_string (value, self->token_id);
      break;
    case PROP_ETH_ID:
      g_value_set_string (value, self->eth_id);
      break;
    case PROP_CACHE_TTL:
      g_value_set_uint (value, self->cache_ttl);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;
    case PROP_MAX_ATTEMPTS:
      g_value_set_uint (value, self->max_attempts);
      break;
    case PROP_MAX_RETRY_DELAY:
      g_value_set_uint (value, self->max_retry_delay);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_price_source_http_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  TallyPriceSourceHttp *self = TALLY_PRICE_SOURCE_HTTP (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      tally_price_source_http_set_base_url (self, g_value_get_string (value));
      break;
    case PROP_TOKEN_ID:
      tally_price_source_http_set_token_id (self, g_value_get_string (value));
      break;
    case PROP_ETH_ID:
      tally_price_source_http_set_eth_id (self, g_value_get_string (value));
      break;
    case PROP_CACHE_TTL:
      tally_price_source_http_set_cache_ttl (self, g_value_get_uint (value));
      break;
    case PROP_TIMEOUT:
      tally_price_source_http_set_timeout (self, g_value_get_uint (value));
      break;
    case PROP_MAX_ATTEMPTS:
      tally_price_source_http_set_max_attempts (self, g_value_get_uint (value));
      break;
    case PROP_MAX_RETRY_DELAY:
      tally_price_source_http_set_max_retry_delay (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

#define RW_PROP (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS)

static void
tally_price_source_http_class_init (TallyPriceSourceHttpClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tally_price_source_http_dispose;
  object_class->finalize = tally_price_source_http_finalize;
  object_class->get_property = tally_price_source_http_get_property;
  object_class->set_property = tally_price_source_http_set_property;

  properties[PROP_BASE_URL] = g_param_spec_string ("base-url", NULL, NULL, NULL, RW_PROP);
  properties[PROP_TOKEN_ID] = g_param_spec_string ("token-id", NULL, NULL, NULL, RW_PROP);
  properties[PROP_ETH_ID] = g_param_spec_string ("eth-id", NULL, NULL, "ethereum",
                                                 RW_PROP | G_PARAM_CONSTRUCT);
  properties[PROP_CACHE_TTL] = g_param_spec_uint ("cache-ttl", NULL, NULL, 0, G_MAXUINT32 / 1000,
                                                  60, RW_PROP | G_PARAM_CONSTRUCT);
  properties[PROP_TIMEOUT] = g_param_spec_uint ("timeout", NULL, NULL, 1, 3600, 15,
                                                RW_PROP | G_PARAM_CONSTRUCT);
  properties[PROP_MAX_ATTEMPTS] = g_param_spec_uint ("max-attempts", NULL, NULL, 1, 100, 3,
                                                     RW_PROP | G_PARAM_CONSTRUCT);
  properties[PROP_MAX_RETRY_DELAY] = g_param_spec_uint ("max-retry-delay", NULL, NULL, 0, 3600, 30,
                                                        RW_PROP | G_PARAM_CONSTRUCT);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tally_price_source_http_init (TallyPriceSourceHttp *self)
{
  self->session = soup_session_new_with_options ("user-agent", "Tally", NULL);
  self->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, cache_entry_free);
}

TallyPriceSourceHttp *
tally_price_source_http_new (const char *base_url,
                             const char *token_id)
{
  return g_object_new (TALLY_TYPE_PRICE_SOURCE_HTTP, "base-url", base_url, "token-id", token_id,
                       NULL);
}

/* A quote answers for the ids and server it was asked of: changing either
 * forgets the cache. */
static void
set_id_string (TallyPriceSourceHttp *self,
               char                **field,
               const char           *value,
               guint                 prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_hash_table_remove_all (self->cache);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_uint (TallyPriceSourceHttp *self,
          guint                *field,
          guint                 value,
          guint                 prop)
{
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

const char *
tally_price_source_http_get_base_url (TallyPriceSourceHttp *self)
{
  g_return_val_if_fail (TALLY_IS_PRICE_SOURCE_HTTP (self), NULL);

  return self->base_url;
}

void
tally_price_source_http_set_base_url (TallyPriceSourceHttp *self,
                                      const char           *base_url)
{
  g_return_if_fail (TALLY_IS_PRICE_SOURCE_HTTP (self));

  set_id_string (self, &self->base_url, base_url, PROP_BASE_URL);
}

const char *
tally_price_source_http_get_token_id (TallyPriceSourceHttp *self)
{
  g_return_val_if_fail (TALLY_IS_PRICE_SOURCE_HTTP (self), NULL);

  return self->token_id;
}

void
tally_price_source_http_set_token_id (TallyPriceSourceHttp *self,
                                      const char           *token_id)
{
  g_return_if_fail (TALLY_IS_PRICE_SOURCE_HTTP (self));

  set_id_string (self, &self->token_id, token_id, PROP_TOKEN_ID);
}

const char *
tally_price_source_http_get_eth_id (TallyPriceSourceHttp *self)
{
  g_return_val_if_fail (TALLY_IS_PRICE_SOURCE_HTTP (self), NULL);

  return self->eth_id;
}

void
tally_price_source_http_set_eth_id (TallyPriceSourceHttp *self,
                                    const char           *eth_id)
{
  g_return_if_fail (TALLY_IS_PRICE_SOURCE_HTTP (self));
  g_return_if_fail (eth_id != NULL && eth_id[0] != '\0');

  set_id_string (self, &self->eth_id, eth_id, PROP_ETH_ID);
}

guint
tally_price_source_http_get_cache_ttl (TallyPriceSourceHttp *self)
{
  g_return_val_if_fail (TALLY_IS_PRICE_SOURCE_HTTP (self), 0);

  return self->cache_ttl;
}

void
tally_price_source_http_set_cache_ttl (TallyPriceSourceHttp *self,
                                       guint                 seconds)
{
  g_return_if_fail (TALLY_IS_PRICE_SOURCE_HTTP (self));

  set_uint (self, &self->cache_ttl, seconds, PROP_CACHE_TTL);
}

guint
tally_price_source_http_get_timeout (TallyPriceSourceHttp *self)
{
  g_return_val_if_fail (TALLY_IS_PRICE_SOURCE_HTTP (self), 0);

  return self->timeout;
}

void
tally_price_source_http_set_timeout (TallyPriceSourceHttp *self,
                                     guint                 seconds)
{
  g_return_if_fail (TALLY_IS_PRICE_SOURCE_HTTP (self));
  g_return_if_fail (seconds > 0);

  set_uint (self, &self->timeout, seconds, PROP_TIMEOUT);
}

guint
tally_price_source_http_get_max_attempts (TallyPriceSourceHttp *self)
{
  g_return_val_if_fail (TALLY_IS_PRICE_SOURCE_HTTP (self), 0);

  return self->max_attempts;
}

void
tally_price_source_http_set_max_attempts (TallyPriceSourceHttp *self,
                                          guint                 attempts)
{
  g_return_if_fail (TALLY_IS_PRICE_SOURCE_HTTP (self));
  g_return_if_fail (attempts > 0);

  set_uint (self, &self->max_attempts, attempts, PROP_MAX_ATTEMPTS);
}

guint
tally_price_source_http_get_max_retry_delay (TallyPriceSourceHttp *self)
{
  g_return_val_if_fail (TALLY_IS_PRICE_SOURCE_HTTP (self), 0);

  return self->max_retry_delay;
}

void
tally_price_source_http_set_max_retry_delay (TallyPriceSourceHttp *self,
                                             guint                 seconds)
{
  g_return_if_fail (TALLY_IS_PRICE_SOURCE_HTTP (self));

  set_uint (self, &self->max_retry_delay, seconds, PROP_MAX_RETRY_DELAY);
}

TallyPriceQuote *
tally_price_source_http_get_cached (TallyPriceSourceHttp *self,
                                    const char           *currency)
{
  g_autofree char *code = NULL;
  CacheEntry      *entry;

  g_return_val_if_fail (TALLY_IS_PRICE_SOURCE_HTTP (self), NULL);
  g_return_val_if_fail (currency != NULL, NULL);

  code = g_ascii_strdown (currency, -1);
  entry = g_hash_table_lookup (self->cache, code);
  return entry != NULL ? tally_price_quote_ref (entry->quote) : NULL;
}
