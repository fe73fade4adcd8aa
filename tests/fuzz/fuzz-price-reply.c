/* fuzz-price-reply.c: libFuzzer target for the simple/price reply parser
 * (app/price-reply.c) and the exact decimal reader (app/money.c)
 *
 * Any input either gives a quote whose prices are non-negative decimals
 * that print and read back to themselves, or fails with a MALFORMED_REPLY
 * or TOO_LARGE error: never a crash, never a quote with an error. The
 * whole input is also read as one number literal.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "core-error.h"
#include "price-reply.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check_round_trip (const TallyDecimal *value)
{
  g_autofree char *text = tally_decimal_to_string (value);
  g_autoptr (GError) error = NULL;
  TallyDecimal again;

  g_assert_cmpuint (value->scale, <=, TALLY_DECIMAL_MAX_SCALE);
  g_assert_true (tally_decimal_parse (&again, text, &error));
  g_assert_no_error (error);
  g_assert_true (tally_decimal_equal (&again, value));
  g_assert_cmpuint (again.scale, ==, value->scale);
}

static void
check_price (const TallyMoneyFormat *format,
             const TallyDecimal     *price)
{
  TallyUint256 one_token;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  g_assert_false (price->negative);
  check_round_trip (price);

  text = tally_money_format_price (format, price, tally_currency_lookup ("jpy"));
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_clear_pointer (&text, g_free);

  tally_uint256_from_uint64 (&one_token, G_GUINT64_CONSTANT (1000000000000000000));
  text = tally_money_format_approx_fiat (format, &one_token, 18, price,
                                         tally_currency_lookup ("usd"), &error);
  if (text == NULL)
    g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_TOO_LARGE);
  else
    g_assert_true (g_utf8_validate (text, -1, NULL));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr (TallyMoneyFormat) format = tally_money_format_new ("C", NULL);
  g_autoptr (GDateTime) now = g_date_time_new_from_unix_utc (1764070000);
  g_autoptr (TallyPriceQuote) quote = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *literal = g_strndup ((const char *) data, size);
  TallyDecimal     number;

  quote = tally_price_reply_parse ((const char *) data, size, "label-token", "ethereum", "usd",
                                   "fuzz", now, &error);
  if (quote != NULL)
    {
      g_assert_no_error (error);
      check_price (format, tally_price_quote_get_token_price (quote));
      check_price (format, tally_price_quote_get_eth_price (quote));
      if (tally_price_quote_get_token_change (quote) != NULL)
        check_round_trip (tally_price_quote_get_token_change (quote));
      if (tally_price_quote_get_eth_change (quote) != NULL)
        {
          g_autofree char *change = NULL;

          check_round_trip (tally_price_quote_get_eth_change (quote));
          change = tally_money_format_change (format, tally_price_quote_get_eth_change (quote));
          g_assert_true (g_utf8_validate (change, -1, NULL));
        }
      g_assert_nonnull (tally_price_quote_get_updated_at (quote));
    }
  else
    {
      g_assert_nonnull (error);
      g_assert_true (g_error_matches (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY) ||
                     g_error_matches (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_TOO_LARGE));
    }
  g_clear_error (&error);

  if (tally_decimal_parse (&number, literal, &error))
    check_round_trip (&number);
  else
    g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);

  return 0;
}
