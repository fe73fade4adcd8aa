/* price-source-feed-private.h: TallyPriceSourceFeed's instance, shared by
 * price-source-feed.c (the object) and price-source-feed-call.c (one quote)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "contract-abi.h"
#include "price-source-feed.h"

G_BEGIN_DECLS

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

/* TallyPriceSource's get_prices_async() and get_prices_finish(). */
void             _tally_price_source_feed_get_prices_async (TallyPriceSource   *source,
                                                            const char         *currency,
                                                            GCancellable       *cancellable,
                                                            GAsyncReadyCallback callback,
                                                            gpointer            user_data);
TallyPriceQuote *_tally_price_source_feed_get_prices_finish (TallyPriceSource *source,
                                                             GAsyncResult     *result,
                                                             GError          **error);

G_END_DECLS
