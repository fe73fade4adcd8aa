/* price-source.c: where the prices of the token and of ether come from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include "price-source.h"

struct _TallyPriceQuote
{
  gatomicrefcount ref_count;

  char         *currency;
  TallyDecimal  token_price;
  TallyDecimal  eth_price;
  TallyDecimal *token_change; /* NULL when unknown */
  TallyDecimal *eth_change;
  GDateTime    *updated_at;
  char         *source;
};

/* clang-format off */
G_DEFINE_BOXED_TYPE (TallyPriceQuote, tally_price_quote,
                     tally_price_quote_ref, tally_price_quote_unref)
/* clang-format on */

TallyPriceQuote *
tally_price_quote_new (const char         *currency,
                       const TallyDecimal *token_price,
                       const TallyDecimal *token_change,
                       const TallyDecimal *eth_price,
                       const TallyDecimal *eth_change,
                       GDateTime          *updated_at,
                       const char         *source)
{
  TallyPriceQuote *quote;

  g_return_val_if_fail (currency != NULL, NULL);
  g_return_val_if_fail (token_price != NULL && eth_price != NULL, NULL);
  g_return_val_if_fail (updated_at != NULL, NULL);
  g_return_val_if_fail (source != NULL, NULL);

  quote = g_new0 (TallyPriceQuote, 1);
  g_atomic_ref_count_init (&quote->ref_count);
  quote->currency = g_ascii_strdown (currency, -1);
  quote->token_price = *token_price;
  quote->eth_price = *eth_price;
  quote->token_change = token_change ? g_memdup2 (token_change, sizeof *token_change) : NULL;
  quote->eth_change = eth_change ? g_memdup2 (eth_change, sizeof *eth_change) : NULL;
  quote->updated_at = g_date_time_ref (updated_at);
  quote->source = g_strdup (source);
  return quote;
}

TallyPriceQuote *
tally_price_quote_ref (TallyPriceQuote *quote)
{
  g_return_val_if_fail (quote != NULL, NULL);

  g_atomic_ref_count_inc (&quote->ref_count);
  return quote;
}

void
tally_price_quote_unref (TallyPriceQuote *quote)
{
  g_return_if_fail (quote != NULL);

  if (!g_atomic_ref_count_dec (&quote->ref_count))
    return;

  g_free (quote->currency);
  g_free (quote->token_change);
  g_free (quote->eth_change);
  g_date_time_unref (quote->updated_at);
  g_free (quote->source);
  g_free (quote);
}

const char *
tally_price_quote_get_currency (const TallyPriceQuote *quote)
{
  g_return_val_if_fail (quote != NULL, NULL);

  return quote->currency;
}

const TallyDecimal *
tally_price_quote_get_token_price (const TallyPriceQuote *quote)
{
  g_return_val_if_fail (quote != NULL, NULL);

  return &quote->token_price;
}

const TallyDecimal *
tally_price_quote_get_token_change (const TallyPriceQuote *quote)
{
  g_return_val_if_fail (quote != NULL, NULL);

  return quote->token_change;
}

const TallyDecimal *
tally_price_quote_get_eth_price (const TallyPriceQuote *quote)
{
  g_return_val_if_fail (quote != NULL, NULL);

  return &quote->eth_price;
}

const TallyDecimal *
tally_price_quote_get_eth_change (const TallyPriceQuote *quote)
{
  g_return_val_if_fail (quote != NULL, NULL);

  return quote->eth_change;
}

GDateTime *
tally_price_quote_get_updated_at (const TallyPriceQuote *quote)
{
  g_return_val_if_fail (quote != NULL, NULL);

  return quote->updated_at;
}

const char *
tally_price_quote_get_source (const TallyPriceQuote *quote)
{
  g_return_val_if_fail (quote != NULL, NULL);

  return quote->source;
}

G_DEFINE_INTERFACE (TallyPriceSource, tally_price_source, G_TYPE_OBJECT)

static void
tally_price_source_default_init (TallyPriceSourceInterface *iface)
{
}

void
tally_price_source_get_prices_async (TallyPriceSource   *self,
                                     const char         *currency,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data)
{
  g_return_if_fail (TALLY_IS_PRICE_SOURCE (self));
  g_return_if_fail (currency != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  TALLY_PRICE_SOURCE_GET_IFACE (self)->get_prices_async (self, currency, cancellable, callback,
                                                         user_data);
}

TallyPriceQuote *
tally_price_source_get_prices_finish (TallyPriceSource *self,
                                      GAsyncResult     *result,
                                      GError          **error)
{
  g_return_val_if_fail (TALLY_IS_PRICE_SOURCE (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return TALLY_PRICE_SOURCE_GET_IFACE (self)->get_prices_finish (self, result, error);
}
