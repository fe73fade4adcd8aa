/* test-money.c: exact prices, fiat values and their display per locale
 *
 * Expected values were worked out independently with Python's decimal
 * module at 400 digits. Locale cases run against the C library's own
 * locale data and are skipped where that locale is not installed; the C
 * locale fallback is always checked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include "core-error.h"
#include "money.h"

#define NBSP  "\302\240"     /* U+00A0 NO-BREAK SPACE */
#define NNBSP "\342\200\257" /* U+202F NARROW NO-BREAK SPACE */

#define MAX_UINT256 \
  "115792089237316195423570985008687907853269984665640564039457584007913129639935"

static TallyUint256
u256 (const char *text)
{
  TallyUint256 value;
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_uint256_parse (&value, text, &error));
  g_assert_no_error (error);
  return value;
}

static TallyDecimal
dec (const char *text)
{
  TallyDecimal value;
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_decimal_parse (&value, text, &error));
  g_assert_no_error (error);
  return value;
}

static void
test_parse (void)
{
  static const struct
  {
    const char *text;
    const char *expected;
    guint       scale;
  } cases[] = {
    { "1851.7512", "1851.7512", 4 },
    { "0", "0", 0 },
    { "-0", "0", 0 },
    { "-0.0e5", "0", 0 },
    { "1.50", "1.5", 1 },
    { "100", "100", 0 },
    { "-2.345", "-2.345", 3 },
    { "2.5e-7", "0.00000025", 8 },
    { "2.5E-7", "0.00000025", 8 },
    { "1e3", "1000", 0 },
    { "1.2345e+2", "123.45", 2 },
    { "0.000000000000000000000000000000000001", "0.000000000000000000000000000000000001", 36 },
    { "1e-36", "0.000000000000000000000000000000000001", 36 },
    { "1.000000000000000000000000000000000000000000", "1", 0 },
    { MAX_UINT256, MAX_UINT256, 0 },
    { "115792089237316195423570985008687907853269984665640564039457584007913.129639935e9",
      MAX_UINT256, 0 },
    { "1.5e72", "1500000000000000000000000000000000000000000000000000000000000000000000000", 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TallyDecimal     value = dec (cases[i].text);
      g_autofree char *text = tally_decimal_to_string (&value);

      g_test_message ("%s", cases[i].text);
      g_assert_cmpstr (text, ==, cases[i].expected);
      g_assert_cmpuint (value.scale, ==, cases[i].scale);
    }
}

static void
test_parse_refused (void)
{
  static const char *const bad[] = {
    "",
    "-",
    "+1",
    "01",
    ".5",
    "1.",
    "1e",
    "1e+",
    "1.5.2",
    " 1",
    "1 ",
    "0x10",
    "NaN",
    "Infinity",
    "1,5",
    "1e73",
    "1e-73",
    "1e999999999999999999999",
    "1e-37",
    "0.0000000000000000000000000000000000001",
    "1e78",
    "115792089237316195423570985008687907853269984665640564039457584007913129639936",
    "1157920892373161954235709850086879078532699846656405640394575840079131296399350",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      TallyDecimal value;
      g_autoptr (GError) error = NULL;

      g_test_message ("“%s”", bad[i]);
      g_assert_false (tally_decimal_parse (&value, bad[i], &error));
      g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
      g_assert_true (tally_uint256_is_zero (&value.magnitude));
    }
}

static void
test_equal_and_init (void)
{
  TallyDecimal a = dec ("1.5");
  TallyDecimal b = dec ("15e-1");
  TallyDecimal c;
  TallyUint256 chainlink = u256 ("185175120000");

  g_assert_true (tally_decimal_equal (&a, &b));
  b = dec ("-1.5");
  g_assert_false (tally_decimal_equal (&a, &b));

  {
    static const char *const ordered[] = {
      "-" MAX_UINT256,
      "-1000",
      "-1.5",
      "-1.4999",
      "-1e-36",
      "0",
      "1e-36",
      "0.0421",
      "0.05",
      "1",
      "1.000000000000000000000000000000000001",
      "1851.7512",
      "1851.75120001",
      MAX_UINT256,
    };

    for (gsize i = 0; i < G_N_ELEMENTS (ordered); i++)
      for (gsize j = 0; j < G_N_ELEMENTS (ordered); j++)
        {
          TallyDecimal x = dec (ordered[i]);
          TallyDecimal y = dec (ordered[j]);

          g_assert_cmpint (tally_decimal_compare (&x, &y), ==, i < j ? -1 : i > j ? 1
                                                                                  : 0);
        }
  }

  /* A Chainlink answer with 8 decimals */
  tally_decimal_init (&c, &chainlink, 8, FALSE);
  b = dec ("1851.7512");
  g_assert_true (tally_decimal_equal (&c, &b));

  /* zero is never negative */
  chainlink = u256 ("0");
  tally_decimal_init (&c, &chainlink, 8, TRUE);
  g_assert_false (c.negative);
}

static void
test_round (void)
{
  static const struct
  {
    const char   *value;
    guint         digits;
    TallyRounding rounding;
    const char   *expected;
  } cases[] = {
    { "2.345", 2, TALLY_ROUND_HALF_UP, "2.35" },
    { "2.345", 2, TALLY_ROUND_HALF_EVEN, "2.34" },
    { "2.355", 2, TALLY_ROUND_HALF_EVEN, "2.36" },
    { "2.345", 2, TALLY_ROUND_DOWN, "2.34" },
    { "-2.345", 2, TALLY_ROUND_HALF_UP, "-2.35" },
    { "-2.3449", 2, TALLY_ROUND_HALF_UP, "-2.34" },
    { "2.3450001", 2, TALLY_ROUND_HALF_EVEN, "2.35" },
    { "9.999", 2, TALLY_ROUND_HALF_UP, "10" },
    { "-0.004", 2, TALLY_ROUND_HALF_UP, "0" },
    { "1.5", 4, TALLY_ROUND_HALF_UP, "1.5" },
    { "0.5", 0, TALLY_ROUND_HALF_EVEN, "0" },
    { "1.5", 0, TALLY_ROUND_HALF_EVEN, "2" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TallyDecimal     value = dec (cases[i].value);
      TallyDecimal     rounded;
      g_autofree char *text = NULL;

      g_assert_true (tally_decimal_round (&rounded, &value, cases[i].digits, cases[i].rounding));
      text = tally_decimal_to_string (&rounded);
      g_test_message ("%s to %u", cases[i].value, cases[i].digits);
      g_assert_cmpstr (text, ==, cases[i].expected);
      g_assert_false (rounded.negative && tally_uint256_is_zero (&rounded.magnitude));
    }
}

static void
test_fiat_value (void)
{
  static const struct
  {
    const char   *amount;
    guint         decimals;
    const char   *price;
    guint         minor_digits;
    TallyRounding rounding;
    const char   *expected;
  } cases[] = {
    { "1000000000000000000", 18, "1851.7512", 2, TALLY_ROUND_HALF_EVEN, "185175" },
    { "1000000000000000000", 18, "1851.7550", 2, TALLY_ROUND_HALF_EVEN, "185176" },
    { "1000000000000000000", 18, "1851.7450", 2, TALLY_ROUND_HALF_EVEN, "185174" },
    { "1000000000000000000", 18, "1851.7450", 2, TALLY_ROUND_HALF_UP, "185175" },
    { "1000000000000000000", 18, "1851.7450000001", 2, TALLY_ROUND_HALF_EVEN, "185175" },
    { "1000000000000000000", 18, "1851.7599", 2, TALLY_ROUND_DOWN, "185175" },
    { "1000000000000000000", 18, "0.125", 2, TALLY_ROUND_HALF_EVEN, "12" },
    { "1000000000000000000", 18, "0.125", 2, TALLY_ROUND_HALF_UP, "13" },
    { "1000000000000000000", 18, "0.125", 2, TALLY_ROUND_DOWN, "12" },
    { "1000000000000000000", 18, "0.135", 2, TALLY_ROUND_HALF_EVEN, "14" },
    /* USDC has 6 decimals */
    { "1234500000", 6, "1.0001", 2, TALLY_ROUND_HALF_EVEN, "123462" },
    /* yen have no minor unit */
    { "1500000000000000000", 18, "150.5", 0, TALLY_ROUND_HALF_EVEN, "226" },
    { "2500000000000000000", 18, "1", 0, TALLY_ROUND_HALF_EVEN, "2" },
    { "2500000000000000000", 18, "1", 0, TALLY_ROUND_HALF_UP, "3" },
    /* fewer decimals than the minor digits: the value is multiplied */
    { "42", 0, "2", 2, TALLY_ROUND_HALF_EVEN, "8400" },
    { "0", 18, "1851.7512", 2, TALLY_ROUND_HALF_EVEN, "0" },
    { "1000000000000000000", 18, "0", 2, TALLY_ROUND_HALF_EVEN, "0" },
    { "1", 18, "1851.7512", 2, TALLY_ROUND_HALF_UP, "0" },
    { MAX_UINT256, 18, "1851.7512", 2, TALLY_ROUND_HALF_EVEN,
      "21441814019570734965503207977501984379278211802858151322874242854" },
    { MAX_UINT256, 18, "1e-36", 2, TALLY_ROUND_HALF_EVEN, "11579208923731619542357099" },
    { MAX_UINT256, 77, "1e-30", 2, TALLY_ROUND_HALF_UP, "0" },
    { "123456789", 255, "1e30", 2, TALLY_ROUND_HALF_UP, "0" },
    { MAX_UINT256, 2, "1", 2, TALLY_ROUND_HALF_EVEN, MAX_UINT256 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TallyUint256     amount = u256 (cases[i].amount);
      TallyDecimal     price = dec (cases[i].price);
      TallyUint256     value;
      g_autofree char *text = NULL;
      g_autoptr (GError) error = NULL;

      g_test_message ("%s (%u decimals) at %s", cases[i].amount, cases[i].decimals, cases[i].price);
      g_assert_true (tally_money_fiat_value (&value, &amount, cases[i].decimals, &price,
                                             cases[i].minor_digits, cases[i].rounding, &error));
      g_assert_no_error (error);
      text = tally_uint256_to_decimal (&value);
      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

static void
test_fiat_value_refused (void)
{
  TallyUint256 amount = u256 (MAX_UINT256);
  TallyUint256 value;
  TallyDecimal price = dec ("1e30");
  g_autoptr (GError) error = NULL;

  /* 2^256 minor units and more cannot be held */
  g_assert_false (tally_money_fiat_value (&value, &amount, 0, &price, 2, TALLY_ROUND_HALF_EVEN,
                                          &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_TOO_LARGE);
  g_assert_true (tally_uint256_is_zero (&value));
  g_clear_error (&error);

  /* 12 × 9649….3 / 10 = 2^256 - 1 + 0.6: only rounding up goes past the top */
  amount = u256 ("12");
  price = dec ("9649340769776349618630915417390658987772498722136713669954798667326094136661.3");
  g_assert_true (tally_money_fiat_value (&value, &amount, 0, &price, 0, TALLY_ROUND_DOWN, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tally_uint256_cmp (&value, &(TallyUint256){ { G_MAXUINT64, G_MAXUINT64,
                                                                 G_MAXUINT64, G_MAXUINT64 } }),
                   ==, 0);
  g_assert_false (tally_money_fiat_value (&value, &amount, 0, &price, 0, TALLY_ROUND_HALF_UP,
                                          &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_TOO_LARGE);
  g_clear_error (&error);

  amount = u256 ("1");
  price = dec ("-1");
  g_assert_false (tally_money_fiat_value (&value, &amount, 0, &price, 2, TALLY_ROUND_HALF_EVEN,
                                          &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
}

typedef struct
{
  const char *amount;
  guint       decimals;
  const char *expected;
} TokenCase;

static void
check_tokens (const TallyMoneyFormat *format,
              const TokenCase        *cases,
              gsize                   n_cases)
{
  for (gsize i = 0; i < n_cases; i++)
    {
      TallyUint256     amount = u256 (cases[i].amount);
      g_autofree char *text = tally_money_format_token (format, &amount, cases[i].decimals, "LABEL");

      g_test_message ("%s with %u decimals", cases[i].amount, cases[i].decimals);
      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

static void
check_fiat (const TallyMoneyFormat *format,
            const char             *minor_units,
            const char             *currency,
            const char             *expected)
{
  TallyUint256     value = u256 (minor_units);
  g_autofree char *text = tally_money_format_fiat (format, &value, tally_currency_lookup (currency));

  g_assert_cmpstr (text, ==, expected);
}

static void
check_approx (const TallyMoneyFormat *format,
              const char             *amount,
              guint                   decimals,
              const char             *price,
              const char             *currency,
              const char             *expected)
{
  TallyUint256 value = u256 (amount);
  TallyDecimal p = dec (price);
  g_autoptr (GError) error = NULL;
  g_autofree char *text = tally_money_format_approx_fiat (format, &value, decimals, &p,
                                                          tally_currency_lookup (currency), &error);

  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, expected);
}

static void
check_price (const TallyMoneyFormat *format,
             const char             *price,
             const char             *currency,
             const char             *expected)
{
  TallyDecimal     p = dec (price);
  g_autofree char *text = tally_money_format_price (format, &p, tally_currency_lookup (currency));

  g_assert_cmpstr (text, ==, expected);
}

static void
check_change (const TallyMoneyFormat *format,
              const char             *percent,
              const char             *expected)
{
  TallyDecimal     p = dec (percent);
  g_autofree char *text = tally_money_format_change (format, &p);

  g_assert_cmpstr (text, ==, expected);
}

static TallyMoneyFormat *
format_or_skip (const char *locale_name)
{
  g_autoptr (GError) error = NULL;
  TallyMoneyFormat *format = tally_money_format_new (locale_name, &error);

  if (format == NULL)
    {
      g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
      g_test_skip_printf ("locale %s is not installed", locale_name);
    }
  return format;
}

static void
test_format_c (void)
{
  static const TokenCase tokens[] = {
    { "1234500000000000000000", 18, "1,234.5 LABEL" },
    { "12000000000000", 18, "0.000012 LABEL" },
    { "12345678901234", 18, "0.000012 LABEL" },
    { "12", 18, "0.000000000000000012 LABEL" },
    { "1234", 18, "0.0000000000000012 LABEL" },
    { "1", 255, "0."
                "00000000000000000000000000000000000000000000000000"
                "00000000000000000000000000000000000000000000000000"
                "00000000000000000000000000000000000000000000000000"
                "00000000000000000000000000000000000000000000000000"
                "00000000000000000000000000000000000000000000000000"
                "00001 LABEL" },
    { "0", 18, "0 LABEL" },
    { "1000000", 6, "1 LABEL" },
    { "999999999", 6, "999.999999 LABEL" },
    { "1234567891000", 6, "1,234,567.89 LABEL" },
    { "1234567899999", 6, "1,234,567.89 LABEL" },
    { "42", 0, "42 LABEL" },
    { "100000", 0, "100,000 LABEL" },
    { MAX_UINT256, 18,
      "115,792,089,237,316,195,423,570,985,008,687,907,853,269,984,665,640,564,039,457.58 LABEL" },
    { MAX_UINT256, 0,
      "115,792,089,237,316,195,423,570,985,008,687,907,853,269,984,665,640,564,039,457,584,007,913,"
      "129,639,935 LABEL" },
    { MAX_UINT256, 78, "0.115792 LABEL" },
  };
  g_autoptr (TallyMoneyFormat) format = format_or_skip ("C");
  g_autoptr (TallyMoneyFormat) posix = format_or_skip ("POSIX");
  TallyUint256     amount = u256 ("1500000");
  g_autofree char *bare = tally_money_format_token (format, &amount, 6, NULL);

  check_tokens (format, tokens, G_N_ELEMENTS (tokens));
  check_tokens (posix, tokens, G_N_ELEMENTS (tokens));
  g_assert_cmpstr (bare, ==, "1.5");

  check_fiat (format, "185175", "usd", "$1,851.75");
  check_fiat (format, "0", "usd", "$0.00");
  check_fiat (format, "5", "usd", "$0.05");
  check_fiat (format, "100", "usd", "$1.00");
  check_fiat (format, "185175", "eur", "€1,851.75");
  check_fiat (format, "1852", "jpy", "¥1,852");
  check_fiat (format, "0", "jpy", "¥0");
  check_fiat (format, "123456789", "brl", "R$1,234,567.89");
  check_fiat (format, MAX_UINT256, "usd",
              "$1,157,920,892,373,161,954,235,709,850,086,879,078,532,699,846,656,405,640,394,575,"
              "840,079,131,296,399.35");

  check_price (format, "1851.7512", "usd", "$1,851.75");
  check_price (format, "1851.745", "usd", "$1,851.75");
  check_price (format, "1", "usd", "$1.00");
  check_price (format, "0", "usd", "$0.00");
  check_price (format, "0.0421", "usd", "$0.0421");
  check_price (format, "0.04", "usd", "$0.04");
  check_price (format, "0.123456", "usd", "$0.1235");
  check_price (format, "2.5e-7", "usd", "$0.00000025");
  check_price (format, "1e-36", "usd", "$0.000000000000000000000000000000000001");
  check_price (format, "0.99996", "usd", "$1.00");
  check_price (format, "150.5", "jpy", "¥151");
  check_price (format, "0.5", "jpy", "¥0.5");
  check_price (format, MAX_UINT256, "usd",
               "$115,792,089,237,316,195,423,570,985,008,687,907,853,269,984,665,640,564,039,457,"
               "584,007,913,129,639,935");

  check_approx (format, "1000000000000000000", 18, "1851.7512", "usd", "≈ $1,851.75");
  check_approx (format, "1000000000000000000", 18, "1851.745", "usd", "≈ $1,851.75");
  check_approx (format, "1500000000000000000", 18, "150.5", "jpy", "≈ ¥226");
  check_approx (format, "1000000000000", 18, "1851.7512", "usd", "< $0.01");
  check_approx (format, "1000000000000", 18, "1851.7512", "jpy", "< ¥1");
  check_approx (format, "0", 18, "1851.7512", "usd", "$0.00");
  check_approx (format, "5000000", 6, "0", "usd", "≈ $0.00");

  check_change (format, "-2.345", "−2.35" NBSP "%");
  check_change (format, "-2.3449", "−2.34" NBSP "%");
  check_change (format, "1.2", "+1.20" NBSP "%");
  check_change (format, "0", "0.00" NBSP "%");
  check_change (format, "-0.004", "0.00" NBSP "%");
  check_change (format, "0.005", "+0.01" NBSP "%");
  check_change (format, "12345.678", "+12,345.68" NBSP "%");
  check_change (format, "-99.999", "−100.00" NBSP "%");
}

static void
test_format_current (void)
{
  g_autoptr (TallyMoneyFormat) format = NULL;
  g_autoptr (GError) error = NULL;

  /* The process's own locale, here the C locale */
  g_assert_nonnull (setlocale (LC_ALL, "C"));
  format = tally_money_format_new (NULL, &error);
  g_assert_no_error (error);
  check_fiat (format, "185175", "usd", "$1,851.75");
  check_change (format, "-2.345", "−2.35" NBSP "%");
}

static void
test_format_unknown (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyMoneyFormat) format = tally_money_format_new ("xx_NOWHERE.UTF-8", &error);

  g_assert_null (format);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "xx_NOWHERE.UTF-8"));
}

static void
test_format_en_us (void)
{
  static const TokenCase tokens[] = {
    { "1234500000000000000000", 18, "1,234.5 LABEL" },
    { "12000000000000", 18, "0.000012 LABEL" },
  };
  g_autoptr (TallyMoneyFormat) format = format_or_skip ("en_US.UTF-8");

  if (format == NULL)
    return;
  check_tokens (format, tokens, G_N_ELEMENTS (tokens));
  check_fiat (format, "185175", "usd", "$1,851.75");
  check_fiat (format, "185175", "eur", "€1,851.75");
  check_approx (format, "1000000000000000000", 18, "1851.7512", "usd", "≈ $1,851.75");
  check_change (format, "-2.345", "−2.35" NBSP "%");
}

static void
test_format_de_de (void)
{
  static const TokenCase tokens[] = {
    { "1234500000000000000000", 18, "1.234,5 LABEL" },
    { "12000000000000", 18, "0,000012 LABEL" },
    { "1234567891000", 6, "1.234.567,89 LABEL" },
  };
  g_autoptr (TallyMoneyFormat) format = format_or_skip ("de_DE.UTF-8");

  if (format == NULL)
    return;
  check_tokens (format, tokens, G_N_ELEMENTS (tokens));
  check_fiat (format, "185175", "eur", "1.851,75" NBSP "€");
  check_fiat (format, "5", "eur", "0,05" NBSP "€");
  check_fiat (format, "185175", "usd", "1.851,75" NBSP "$");
  check_fiat (format, "1852", "jpy", "1.852" NBSP "¥");
  check_approx (format, "1000000000000000000", 18, "1851.7512", "eur", "≈ 1.851,75" NBSP "€");
  check_price (format, "0.0421", "eur", "0,0421" NBSP "€");
  check_price (format, "1851.7512", "eur", "1.851,75" NBSP "€");
  check_change (format, "-2.345", "−2,35" NBSP "%");
  check_change (format, "1234.5", "+1.234,50" NBSP "%");
}

static void
test_format_fr_fr (void)
{
  static const TokenCase tokens[] = {
    { "1234500000000000000000", 18, "1" NNBSP "234,5 LABEL" },
    { "1234567891000", 6, "1" NNBSP "234" NNBSP "567,89 LABEL" },
  };
  g_autoptr (TallyMoneyFormat) format = format_or_skip ("fr_FR.UTF-8");

  if (format == NULL)
    return;
  /* glibc's French groups with U+202F NARROW NO-BREAK SPACE */
  check_tokens (format, tokens, G_N_ELEMENTS (tokens));
  check_fiat (format, "185175", "eur", "1" NNBSP "851,75" NBSP "€");
  check_change (format, "-2.345", "−2,35" NBSP "%");
}

static void
test_format_ja_jp (void)
{
  static const TokenCase tokens[] = {
    { "1234500000000000000000", 18, "1,234.5 LABEL" },
  };
  g_autoptr (TallyMoneyFormat) format = format_or_skip ("ja_JP.UTF-8");

  if (format == NULL)
    return;
  check_tokens (format, tokens, G_N_ELEMENTS (tokens));
  check_fiat (format, "1852", "jpy", "¥1,852");
  check_fiat (format, "1234567", "jpy", "¥1,234,567");
  check_approx (format, "1500000000000000000", 18, "150.5", "jpy", "≈ ¥226");
}

static void
test_format_en_in (void)
{
  static const TokenCase tokens[] = {
    { "1234567891000", 6, "12,34,567.89 LABEL" },
  };
  g_autoptr (TallyMoneyFormat) format = format_or_skip ("en_IN.UTF-8");

  if (format == NULL)
    return;
  /* lakh and crore grouping: three digits, then twos */
  check_tokens (format, tokens, G_N_ELEMENTS (tokens));
  check_fiat (format, "12345678900", "inr", "₹12,34,56,789.00");
  check_fiat (format, "99999", "inr", "₹999.99");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/money/parse", test_parse);
  g_test_add_func ("/core/money/parse-refused", test_parse_refused);
  g_test_add_func ("/core/money/equal-and-init", test_equal_and_init);
  g_test_add_func ("/core/money/round", test_round);
  g_test_add_func ("/core/money/fiat-value", test_fiat_value);
  g_test_add_func ("/core/money/fiat-value-refused", test_fiat_value_refused);
  g_test_add_func ("/core/money/format/c", test_format_c);
  g_test_add_func ("/core/money/format/current", test_format_current);
  g_test_add_func ("/core/money/format/unknown", test_format_unknown);
  g_test_add_func ("/core/money/format/en-us", test_format_en_us);
  g_test_add_func ("/core/money/format/de-de", test_format_de_de);
  g_test_add_func ("/core/money/format/fr-fr", test_format_fr_fr);
  g_test_add_func ("/core/money/format/ja-jp", test_format_ja_jp);
  g_test_add_func ("/core/money/format/en-in", test_format_en_in);

  return g_test_run ();
}
