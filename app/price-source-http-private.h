/* price-source-http-private.h: TallyPriceSourceHttp's instance, shared by
 * price-source-http.c (the object) and price-source-http-call.c (one quote)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "price-source-http.h"

G_BEGIN_DECLS

struct _TallyPriceSourceHttp
{
  GObject parent_instance;

  SoupSession *session;
  GHashTable  *cache; /* currency → CacheEntry */

  char *base_url;
  char *token_id;
  char *eth_id;
  guint cache_ttl;
  guint timeout;
  guint max_attempts;
  guint max_retry_delay;
};

typedef struct
{
  TallyPriceQuote *quote;
  gint64           received; /* monotonic µs */
} CacheEntry;

/* TallyPriceSource's get_prices_async() and get_prices_finish(). */
void             _tally_price_source_http_get_prices_async (TallyPriceSource   *source,
                                                            const char         *currency,
                                                            GCancellable       *cancellable,
                                                            GAsyncReadyCallback callback,
                                                            gpointer            user_data);
TallyPriceQuote *_tally_price_source_http_get_prices_finish (TallyPriceSource *source,
                                                             GAsyncResult     *result,
                                                             GError          **error);

G_END_DECLS
