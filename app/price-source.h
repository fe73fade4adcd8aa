/* price-source.h: where the prices of the token and of ether come from
 *
 * A price source answers "what is one token, and one ether, worth in this
 * currency", with exact decimals (money.h). Implementations: an HTTP API of
 * the CoinGecko simple/price shape (price-source-http.h); an on-chain
 * Chainlink AggregatorV3 feed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "money.h"

G_BEGIN_DECLS

/* An immutable answer of a price source, reference counted. */
typedef struct _TallyPriceQuote TallyPriceQuote;

#define TALLY_TYPE_PRICE_QUOTE (tally_price_quote_get_type ())

GType tally_price_quote_get_type (void) G_GNUC_CONST;

/* token_change and eth_change (24 h, in percent) may be NULL: not every
 * source knows them. updated_at is when the source last updated the
 * prices, not when they were fetched. */
TallyPriceQuote *tally_price_quote_new (const char         *currency,
                                        const TallyDecimal *token_price,
                                        const TallyDecimal *token_change,
                                        const TallyDecimal *eth_price,
                                        const TallyDecimal *eth_change,
                                        GDateTime          *updated_at,
                                        const char         *source);
TallyPriceQuote *tally_price_quote_ref (TallyPriceQuote *quote);
void             tally_price_quote_unref (TallyPriceQuote *quote);

/* Lowercase ISO 4217, as in currency.h. */
const char         *tally_price_quote_get_currency (const TallyPriceQuote *quote);
const TallyDecimal *tally_price_quote_get_token_price (const TallyPriceQuote *quote);
const TallyDecimal *tally_price_quote_get_token_change (const TallyPriceQuote *quote);
const TallyDecimal *tally_price_quote_get_eth_price (const TallyPriceQuote *quote);
const TallyDecimal *tally_price_quote_get_eth_change (const TallyPriceQuote *quote);
GDateTime          *tally_price_quote_get_updated_at (const TallyPriceQuote *quote);
/* A name to show the user: "CoinGecko (https://…)", "Chainlink feed 0x…". */
const char *tally_price_quote_get_source (const TallyPriceQuote *quote);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TallyPriceQuote, tally_price_quote_unref)

#define TALLY_TYPE_PRICE_SOURCE (tally_price_source_get_type ())

G_DECLARE_INTERFACE (TallyPriceSource, tally_price_source, TALLY, PRICE_SOURCE, GObject)

struct _TallyPriceSourceInterface
{
  GTypeInterface parent_iface;

  void (*get_prices_async) (TallyPriceSource   *self,
                            const char         *currency,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data);
  TallyPriceQuote *(*get_prices_finish) (TallyPriceSource *self,
                                         GAsyncResult     *result,
                                         GError          **error);
};

/* currency: a lowercase ISO 4217 code ("usd"). Errors are TALLY_CORE_ERROR
 * (NETWORK, HTTP, RATE_LIMITED, TIMED_OUT, TOO_LARGE, MALFORMED_REPLY,
 * STALE_PRICE) or G_IO_ERROR_CANCELLED. */
void             tally_price_source_get_prices_async (TallyPriceSource   *self,
                                                      const char         *currency,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
TallyPriceQuote *tally_price_source_get_prices_finish (TallyPriceSource *self,
                                                       GAsyncResult     *result,
                                                       GError          **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
