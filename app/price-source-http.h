/* price-source-http.h: prices from an HTTP API of the CoinGecko
 * simple/price shape
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "price-reply.h"
#include "price-source.h"

G_BEGIN_DECLS

#define TALLY_TYPE_PRICE_SOURCE_HTTP (tally_price_source_http_get_type ())

G_DECLARE_FINAL_TYPE (TallyPriceSourceHttp, tally_price_source_http, TALLY, PRICE_SOURCE_HTTP, GObject)

/* base_url: where "simple/price" lives, e.g. "https://api.coingecko.com/api/v3". */
TallyPriceSourceHttp *tally_price_source_http_new (const char *base_url,
                                                   const char *token_id);

const char *tally_price_source_http_get_base_url (TallyPriceSourceHttp *self);
void        tally_price_source_http_set_base_url (TallyPriceSourceHttp *self,
                                                  const char           *base_url);
const char *tally_price_source_http_get_token_id (TallyPriceSourceHttp *self);
void        tally_price_source_http_set_token_id (TallyPriceSourceHttp *self,
                                                  const char           *token_id);
const char *tally_price_source_http_get_eth_id (TallyPriceSourceHttp *self);
void        tally_price_source_http_set_eth_id (TallyPriceSourceHttp *self,
                                                const char           *eth_id);
/* Seconds a quote is answered from the cache without asking the server;
 * 0 asks every time. Default 60. */
guint tally_price_source_http_get_cache_ttl (TallyPriceSourceHttp *self);
void  tally_price_source_http_set_cache_ttl (TallyPriceSourceHttp *self,
                                             guint                 seconds);
/* Seconds one attempt may take, headers and body. Default 15. */
guint tally_price_source_http_get_timeout (TallyPriceSourceHttp *self);
void  tally_price_source_http_set_timeout (TallyPriceSourceHttp *self,
                                           guint                 seconds);
/* Requests made for one call while the server answers 429. Default 3. */
guint tally_price_source_http_get_max_attempts (TallyPriceSourceHttp *self);
void  tally_price_source_http_set_max_attempts (TallyPriceSourceHttp *self,
                                                guint                 attempts);
/* The longest Retry-After waited for; a server asking for more gets
 * TALLY_CORE_ERROR_RATE_LIMITED at once. Default 30. */
guint tally_price_source_http_get_max_retry_delay (TallyPriceSourceHttp *self);
void  tally_price_source_http_set_max_retry_delay (TallyPriceSourceHttp *self,
                                                   guint                 seconds);

/* The last quote received for the currency, however old, or NULL. A failed
 * request returns its error and keeps this quote, so the UI can show "last
 * known price" with its age (tally_price_quote_get_updated_at) instead of a
 * stale price posing as a fresh one. */
TallyPriceQuote *tally_price_source_http_get_cached (TallyPriceSourceHttp *self,
                                                     const char           *currency);

G_END_DECLS
