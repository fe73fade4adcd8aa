/* money.h: exact decimal prices, fiat values of token amounts, and how both
 * are shown in the user's locale
 *
 * Money never passes through a double: a price is an integer with a decimal
 * scale, as a Chainlink answer (8 decimals) or the literal text of a JSON
 * number is, and the fiat value of a token amount is computed exactly and
 * rounded once, to the currency's minor unit.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "currency.h"
#include "wallet/uint256.h"

G_BEGIN_DECLS

/* Digits after the point a price may carry: enough for a token worth
 * 1e-30 of a dollar, few enough to keep the arithmetic bounded. */
#define TALLY_DECIMAL_MAX_SCALE 36

/* A signed decimal: (negative ? -1 : 1) * magnitude / 10^scale. Zero is
 * never negative. */
typedef struct
{
  TallyUint256 magnitude;
  guint        scale;
  gboolean     negative;
} TallyDecimal;

typedef enum
{
  TALLY_ROUND_HALF_EVEN, /* ties to the even digit, as accounting does */
  TALLY_ROUND_HALF_UP,   /* ties away from zero, as a calculator does */
  TALLY_ROUND_DOWN,      /* toward zero: never show more than is held */
} TallyRounding;

/* magnitude / 10^scale; scale at most TALLY_DECIMAL_MAX_SCALE. */
void tally_decimal_init (TallyDecimal       *out,
                         const TallyUint256 *magnitude,
                         guint               scale,
                         gboolean            negative);

/* The text of a JSON number (RFC 8259: "-0.5", "1851.7512", "2.5e-7"),
 * read exactly. Trailing fraction zeros are dropped ("1.50" has scale 1).
 * Refused with TALLY_CORE_ERROR_MALFORMED_REPLY: anything else (leading
 * '+', "01", ".5", spaces), exponents beyond ±TALLY_DECIMAL_MAX_SCALE * 2,
 * more than TALLY_DECIMAL_MAX_SCALE fraction digits once the exponent is
 * applied, and values over 2^256 - 1. */
gboolean tally_decimal_parse (TallyDecimal *out,
                              const char   *text,
                              GError      **error) G_GNUC_WARN_UNUSED_RESULT;

/* Plain "-1851.7512" in the C locale, for logs, storage and tests. */
gchar   *tally_decimal_to_string (const TallyDecimal *value) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_decimal_equal (const TallyDecimal *a,
                              const TallyDecimal *b);
/* -1, 0 or 1, as strcmp; "1.50" equals "1.5". */
int tally_decimal_compare (const TallyDecimal *a,
                           const TallyDecimal *b);

/* Rounds value to `digits` fraction digits (for a percentage, a rate).
 * FALSE only when rounding up overflows 256 bits. */
gboolean tally_decimal_round (TallyDecimal       *out,
                              const TallyDecimal *value,
                              guint               digits,
                              TallyRounding       rounding) G_GNUC_WARN_UNUSED_RESULT;

/* The value of `amount` base units of a token with `token_decimals`
 * decimals at `price` (fiat per whole token), in minor units of a currency
 * with `minor_digits` (cents for USD, yen for JPY), rounded once.
 * A negative price is refused (TALLY_CORE_ERROR_MALFORMED_REPLY); a result
 * over 2^256 - 1 minor units is TALLY_CORE_ERROR_TOO_LARGE. */
gboolean tally_money_fiat_value (TallyUint256       *out_minor_units,
                                 const TallyUint256 *amount,
                                 guint               token_decimals,
                                 const TallyDecimal *price,
                                 guint               minor_digits,
                                 TallyRounding       rounding,
                                 GError            **error) G_GNUC_WARN_UNUSED_RESULT;

/* How numbers and money are written in one locale: separators, digit
 * grouping and where the currency symbol goes, read from the C library's
 * LC_NUMERIC and LC_MONETARY data. */
typedef struct _TallyMoneyFormat TallyMoneyFormat;

/* locale_name: a name newlocale() knows ("de_DE.UTF-8"), or NULL for the
 * process's own LC_NUMERIC and LC_MONETARY. A locale that is not installed
 * is TALLY_CORE_ERROR_NOT_FOUND. The C and POSIX locales carry no monetary
 * conventions; they, and any locale that lacks them, are written as
 * "$1,234.56": '.' for the point, ',' between groups of three, the symbol
 * first. */
TallyMoneyFormat *tally_money_format_new (const char *locale_name,
                                          GError    **error) G_GNUC_WARN_UNUSED_RESULT;
void              tally_money_format_free (TallyMoneyFormat *format);

/* "1,234.5 LABEL", "0.000012 LABEL": at most 6 fraction digits (2 from
 * 1,000 up), cut toward zero; an amount too small to show that way keeps
 * two significant digits rather than reading "0". symbol may be NULL. */
gchar *tally_money_format_token (const TallyMoneyFormat *format,
                                 const TallyUint256     *amount,
                                 guint                   decimals,
                                 const char             *symbol) G_GNUC_WARN_UNUSED_RESULT;
/* "$1,851.75", "1.851,75 €", "¥1,852": all of the currency's minor digits. */
gchar *tally_money_format_fiat (const TallyMoneyFormat *format,
                                const TallyUint256     *minor_units,
                                const TallyCurrency    *currency) G_GNUC_WARN_UNUSED_RESULT;
/* A price per whole token: "$1,851.75" at the currency's minor digits, and
 * below one unit four significant digits, "$0.0421", "$0.00000025"
 * (half up). */
gchar *tally_money_format_price (const TallyMoneyFormat *format,
                                 const TallyDecimal     *price,
                                 const TallyCurrency    *currency) G_GNUC_WARN_UNUSED_RESULT;
/* The fiat value of a token amount beside it in a list: "≈ $1,851.75",
 * or "< $0.01" when a non-zero amount is worth less than one minor unit. */
gchar *tally_money_format_approx_fiat (const TallyMoneyFormat *format,
                                       const TallyUint256     *amount,
                                       guint                   token_decimals,
                                       const TallyDecimal     *price,
                                       const TallyCurrency    *currency,
                                       GError                **error) G_GNUC_WARN_UNUSED_RESULT;
/* A 24 h change, a percentage: "+1.20 %", "−2.35 %" (U+2212 MINUS SIGN,
 * U+00A0 NO-BREAK SPACE before the sign of percent), two fraction digits,
 * half up. */
gchar *tally_money_format_change (const TallyMoneyFormat *format,
                                  const TallyDecimal     *percent) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TallyMoneyFormat, tally_money_format_free)

G_END_DECLS
