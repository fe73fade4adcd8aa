/* money.c: exact decimal prices, fiat values of token amounts, and how both
 * are shown in the user's locale
 *
 * A token amount (up to 2^256 - 1) times a price (up to 2^256 - 1 at scale
 * 36) needs 512 bits before the division by 10^(decimals + scale), so the
 * value is computed on a small fixed-width integer of 32-bit words and
 * divided by powers of ten in steps of 10^9, keeping the last digit and
 * whether anything non-zero was dropped: all that rounding needs.
 *
 * Separators come from nl_langinfo_l() on a locale object of our own, so a
 * format never depends on (or changes) the thread's current locale.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <string.h>

#include "core-error.h"
#include "money.h"

#define WIDE_WORDS        24 /* 768 bits: a 512-bit product times 10^18 fits */
#define MAX_MINOR_DIGITS  18
#define MAX_EXPONENT      (TALLY_DECIMAL_MAX_SCALE * 2)
#define NBSP              "\302\240"
#define MINUS_SIGN        "\342\210\222"
#define FALLBACK_POINT    "."
#define FALLBACK_THOUSEP  ","
#define FALLBACK_GROUPING "\003"

typedef struct
{
  guint32 w[WIDE_WORDS]; /* little-endian */
} Wide;

static void
wide_from_uint256 (Wide               *out,
                   const TallyUint256 *value)
{
  memset (out, 0, sizeof *out);
  for (guint i = 0; i < 4; i++)
    {
      out->w[2 * i] = (guint32) value->limbs[i];
      out->w[2 * i + 1] = (guint32) (value->limbs[i] >> 32);
    }
}

static gboolean
wide_to_uint256 (TallyUint256 *out,
                 const Wide   *value)
{
  for (guint i = 8; i < WIDE_WORDS; i++)
    if (value->w[i] != 0)
      return FALSE;
  for (guint i = 0; i < 4; i++)
    out->limbs[i] = (guint64) value->w[2 * i] | ((guint64) value->w[2 * i + 1] << 32);
  return TRUE;
}

/* Both factors are below 2^256, so the product fits in 16 words. */
static void
wide_mul_uint256 (Wide               *out,
                  const TallyUint256 *a,
                  const TallyUint256 *b)
{
  Wide x, y;

  wide_from_uint256 (&x, a);
  wide_from_uint256 (&y, b);
  memset (out, 0, sizeof *out);
  for (guint i = 0; i < 8; i++)
    {
      guint64 carry = 0;

      for (guint j = 0; j < 8; j++)
        {
          guint64 t = (guint64) x.w[i] * y.w[j] + out->w[i + j] + carry;

          out->w[i + j] = (guint32) t;
          carry = t >> 32;
        }
      out->w[i + 8] = (guint32) carry;
    }
}

static gboolean
wide_mul_small (Wide   *value,
                guint32 factor)
{
  guint64 carry = 0;

  for (guint i = 0; i < WIDE_WORDS; i++)
    {
      guint64 t = (guint64) value->w[i] * factor + carry;

      value->w[i] = (guint32) t;
      carry = t >> 32;
    }
  return carry == 0;
}

static guint32
wide_div_small (Wide   *value,
                guint32 divisor)
{
  guint64 rem = 0;

  for (guint i = WIDE_WORDS; i-- > 0;)
    {
      guint64 t = (rem << 32) | value->w[i];

      value->w[i] = (guint32) (t / divisor);
      rem = t % divisor;
    }
  return (guint32) rem;
}

/* Whether a quotient moves one up, given how the dropped part compares
 * with one half (half_cmp) and whether it is non-zero at all. */
static gboolean
rounds_up (int           half_cmp,
           gboolean      dropped_nonzero,
           gboolean      quotient_odd,
           TallyRounding rounding)
{
  if (!dropped_nonzero)
    return FALSE;

  switch (rounding)
    {
    case TALLY_ROUND_DOWN:
      return FALSE;
    case TALLY_ROUND_HALF_UP:
      return half_cmp >= 0;
    case TALLY_ROUND_HALF_EVEN:
      return half_cmp > 0 || (half_cmp == 0 && quotient_odd);
    default:
      g_assert_not_reached ();
    }
}

static void
pow10_uint256 (TallyUint256 *out,
               guint         exponent)
{
  g_assert (exponent <= 77);

  tally_uint256_from_uint64 (out, 1);
  for (guint i = 0; i < exponent; i++)
    if (!tally_uint256_mul_uint64 (out, out, 10))
      g_assert_not_reached ();
}

void
tally_decimal_init (TallyDecimal       *out,
                    const TallyUint256 *magnitude,
                    guint               scale,
                    gboolean            negative)
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (magnitude != NULL);
  g_return_if_fail (scale <= TALLY_DECIMAL_MAX_SCALE);

  out->magnitude = *magnitude;
  out->scale = scale;
  out->negative = negative && !tally_uint256_is_zero (magnitude);
}

static gboolean
malformed_number (GError    **error,
                  const char *text,
                  const char *why)
{
  g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
               "The number “%.40s” %s", text, why);
  return FALSE;
}

gboolean
tally_decimal_parse (TallyDecimal *out,
                     const char   *text,
                     GError      **error)
{
  g_autoptr (GString) digits = g_string_new (NULL);
  g_autoptr (GError) local_error = NULL;
  const char *p = text;
  gboolean    negative = FALSE;
  gboolean    exp_negative = FALSE;
  gint64      exponent = 0;
  gint64      scale = 0;

  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (out, 0, sizeof *out);

  if (*p == '-')
    {
      negative = TRUE;
      p++;
    }
  if (*p == '0')
    p++;
  else if (*p >= '1' && *p <= '9')
    while (g_ascii_isdigit (*p))
      g_string_append_c (digits, *p++);
  else
    return malformed_number (error, text, "is not a JSON number");

  if (*p == '.')
    {
      p++;
      if (!g_ascii_isdigit (*p))
        return malformed_number (error, text, "has no digit after its point");
      while (g_ascii_isdigit (*p))
        {
          g_string_append_c (digits, *p++);
          scale++;
          if (scale > TALLY_DECIMAL_MAX_SCALE + TALLY_UINT256_MAX_DECIMAL_DIGITS + MAX_EXPONENT)
            return malformed_number (error, text, "has too many digits");
        }
    }

  if (*p == 'e' || *p == 'E')
    {
      p++;
      if (*p == '+' || *p == '-')
        exp_negative = *p++ == '-';
      if (!g_ascii_isdigit (*p))
        return malformed_number (error, text, "has no digit in its exponent");
      while (g_ascii_isdigit (*p))
        {
          exponent = exponent * 10 + (*p++ - '0');
          if (exponent > MAX_EXPONENT)
            return malformed_number (error, text, "has an absurd exponent");
        }
      scale += exp_negative ? exponent : -exponent;
    }

  if (*p != '\0')
    return malformed_number (error, text, "is not a JSON number");

  /* Drop leading zeros of "0.0005", then trailing fraction zeros. */
  while (digits->len > 0 && digits->str[0] == '0')
    g_string_erase (digits, 0, 1);
  if (digits->len == 0)
    return TRUE; /* zero, whatever its sign or exponent */
  while (scale > 0 && digits->str[digits->len - 1] == '0')
    {
      g_string_truncate (digits, digits->len - 1);
      scale--;
    }

  if (scale > TALLY_DECIMAL_MAX_SCALE)
    return malformed_number (error, text, "has too many fraction digits");
  for (; scale < 0; scale++)
    {
      if (digits->len > TALLY_UINT256_MAX_DECIMAL_DIGITS)
        return malformed_number (error, text, "is too large");
      g_string_append_c (digits, '0');
    }
  if (digits->len > TALLY_UINT256_MAX_DECIMAL_DIGITS ||
      !tally_uint256_parse (&out->magnitude, digits->str, &local_error))
    return malformed_number (error, text, "is too large");

  out->scale = (guint) scale;
  out->negative = negative;
  return TRUE;
}

gchar *
tally_decimal_to_string (const TallyDecimal *value)
{
  g_autofree char *units = NULL;

  g_return_val_if_fail (value != NULL, NULL);

  units = tally_uint256_format_units (&value->magnitude, value->scale, -1);
  return g_strconcat (value->negative ? "-" : "", units, NULL);
}

gboolean
tally_decimal_equal (const TallyDecimal *a,
                     const TallyDecimal *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return tally_decimal_compare (a, b) == 0;
}

static int
wide_cmp (const Wide *a,
          const Wide *b)
{
  for (guint i = WIDE_WORDS; i-- > 0;)
    if (a->w[i] != b->w[i])
      return a->w[i] < b->w[i] ? -1 : 1;
  return 0;
}

int
tally_decimal_compare (const TallyDecimal *a,
                       const TallyDecimal *b)
{
  Wide x, y;
  int  sign;

  g_return_val_if_fail (a != NULL && b != NULL, 0);

  if (a->negative != b->negative)
    return a->negative ? -1 : 1;

  /* Same scale first: 256 bits times 10^36 fit in the wide integer. */
  wide_from_uint256 (&x, &a->magnitude);
  wide_from_uint256 (&y, &b->magnitude);
  for (guint i = a->scale; i < b->scale; i++)
    if (!wide_mul_small (&x, 10))
      g_assert_not_reached ();
  for (guint i = b->scale; i < a->scale; i++)
    if (!wide_mul_small (&y, 10))
      g_assert_not_reached ();

  sign = wide_cmp (&x, &y);
  return a->negative ? -sign : sign;
}

gboolean
tally_decimal_round (TallyDecimal       *out,
                     const TallyDecimal *value,
                     guint               digits,
                     TallyRounding       rounding)
{
  TallyUint256 divisor, quotient, remainder, twice;
  TallyDecimal result;

  g_return_val_if_fail (out != NULL && value != NULL, FALSE);

  if (value->scale <= digits)
    {
      *out = *value;
      return TRUE;
    }

  pow10_uint256 (&divisor, value->scale - digits);
  if (!tally_uint256_divmod (&quotient, &remainder, &value->magnitude, &divisor) ||
      !tally_uint256_add (&twice, &remainder, &remainder))
    g_assert_not_reached (); /* remainder < 10^36: doubling cannot overflow */

  if (rounds_up (tally_uint256_cmp (&twice, &divisor), !tally_uint256_is_zero (&remainder),
                 (quotient.limbs[0] & 1) != 0, rounding))
    {
      TallyUint256 one;

      tally_uint256_from_uint64 (&one, 1);
      if (!tally_uint256_add (&quotient, &quotient, &one))
        {
          memset (out, 0, sizeof *out);
          return FALSE;
        }
    }

  tally_decimal_init (&result, &quotient, digits, value->negative);
  *out = result;
  return TRUE;
}

gboolean
tally_money_fiat_value (TallyUint256       *out_minor_units,
                        const TallyUint256 *amount,
                        guint               token_decimals,
                        const TallyDecimal *price,
                        guint               minor_digits,
                        TallyRounding       rounding,
                        GError            **error)
{
  Wide     product;
  gint     shift;
  guint32  last_digit;
  gboolean sticky = FALSE;
  int      half_cmp;

  g_return_val_if_fail (out_minor_units != NULL, FALSE);
  g_return_val_if_fail (amount != NULL && price != NULL, FALSE);
  g_return_val_if_fail (token_decimals <= TALLY_UINT256_MAX_DECIMALS, FALSE);
  g_return_val_if_fail (price->scale <= TALLY_DECIMAL_MAX_SCALE, FALSE);
  g_return_val_if_fail (minor_digits <= MAX_MINOR_DIGITS, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (out_minor_units, 0, sizeof *out_minor_units);

  if (price->negative)
    {
      g_set_error_literal (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                           "A price cannot be negative");
      return FALSE;
    }

  wide_mul_uint256 (&product, amount, &price->magnitude);
  shift = (gint) token_decimals + (gint) price->scale - (gint) minor_digits;

  if (shift <= 0)
    {
      for (gint i = 0; i < -shift; i++)
        if (!wide_mul_small (&product, 10))
          g_assert_not_reached (); /* 512 bits times 10^18 fit in 768 */
      last_digit = 0;
    }
  else
    {
      gint rest = shift - 1;

      for (; rest >= 9; rest -= 9)
        sticky |= wide_div_small (&product, 1000000000) != 0;
      for (; rest > 0; rest--)
        sticky |= wide_div_small (&product, 10) != 0;
      last_digit = wide_div_small (&product, 10);
    }

  if (!wide_to_uint256 (out_minor_units, &product))
    goto too_large;

  if (last_digit != 5)
    half_cmp = last_digit > 5 ? 1 : -1;
  else
    half_cmp = sticky ? 1 : 0;
  if (rounds_up (half_cmp, last_digit != 0 || sticky, (out_minor_units->limbs[0] & 1) != 0,
                 rounding))
    {
      TallyUint256 one;

      tally_uint256_from_uint64 (&one, 1);
      if (!tally_uint256_add (out_minor_units, out_minor_units, &one))
        goto too_large;
    }

  return TRUE;

too_large:
  memset (out_minor_units, 0, sizeof *out_minor_units);
  g_set_error_literal (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_TOO_LARGE,
                       "The value of this amount is too large to show");
  return FALSE;
}

struct _TallyMoneyFormat
{
  char    *decimal_point;
  char    *thousands_sep;
  char    *grouping;
  char    *mon_decimal_point;
  char    *mon_thousands_sep;
  char    *mon_grouping;
  gboolean symbol_first;
  gboolean symbol_spaced;
};

TallyMoneyFormat *
tally_money_format_new (const char *locale_name,
                        GError    **error)
{
  TallyMoneyFormat *format;
  locale_t          loc;
  const char       *precedes, *spaced;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (locale_name != NULL)
    loc = newlocale (LC_NUMERIC_MASK | LC_MONETARY_MASK, locale_name, (locale_t) 0);
  else
    loc = duplocale (uselocale ((locale_t) 0));
  if (loc == (locale_t) 0)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND,
                   "The locale “%s” is not installed", locale_name ? locale_name : "");
      return NULL;
    }

  format = g_new0 (TallyMoneyFormat, 1);
  if (nl_langinfo_l (MON_DECIMAL_POINT, loc)[0] == '\0')
    {
      format->decimal_point = g_strdup (FALLBACK_POINT);
      format->thousands_sep = g_strdup (FALLBACK_THOUSEP);
      format->grouping = g_strdup (FALLBACK_GROUPING);
      format->mon_decimal_point = g_strdup (FALLBACK_POINT);
      format->mon_thousands_sep = g_strdup (FALLBACK_THOUSEP);
      format->mon_grouping = g_strdup (FALLBACK_GROUPING);
      format->symbol_first = TRUE;
      format->symbol_spaced = FALSE;
    }
  else
    {
      const char *point = nl_langinfo_l (RADIXCHAR, loc);

      format->decimal_point = g_strdup (point[0] != '\0' ? point : FALLBACK_POINT);
      format->thousands_sep = g_strdup (nl_langinfo_l (THOUSEP, loc));
      format->grouping = g_strdup (nl_langinfo_l (GROUPING, loc));
      format->mon_decimal_point = g_strdup (nl_langinfo_l (MON_DECIMAL_POINT, loc));
      format->mon_thousands_sep = g_strdup (nl_langinfo_l (MON_THOUSANDS_SEP, loc));
      format->mon_grouping = g_strdup (nl_langinfo_l (MON_GROUPING, loc));
      precedes = nl_langinfo_l (P_CS_PRECEDES, loc);
      spaced = nl_langinfo_l (P_SEP_BY_SPACE, loc);
      /* CHAR_MAX means "not specified": put the symbol first, unspaced. */
      format->symbol_first = precedes[0] != 0;
      format->symbol_spaced = spaced[0] == 1 || (spaced[0] == 2 && !format->symbol_first);
    }

  freelocale (loc);
  return format;
}

void
tally_money_format_free (TallyMoneyFormat *format)
{
  if (format == NULL)
    return;

  g_free (format->decimal_point);
  g_free (format->thousands_sep);
  g_free (format->grouping);
  g_free (format->mon_decimal_point);
  g_free (format->mon_thousands_sep);
  g_free (format->mon_grouping);
  g_free (format);
}

/* Writes the digits of an integer part with separators after the groups
 * that `grouping` (the C library's encoding) asks for, from the right:
 * each byte is a group's size, the last repeats, CHAR_MAX stops grouping. */
static void
append_grouped (GString    *out,
                const char *digits,
                const char *separator,
                const char *grouping)
{
  gsize  len = strlen (digits);
  gsize  n_breaks = 0;
  gsize  breaks[TALLY_UINT256_MAX_DECIMAL_DIGITS + 2];
  gsize  pos = len;
  guchar size = 0;

  if (separator[0] != '\0')
    for (const char *g = grouping; pos > 0;)
      {
        if (*g != '\0')
          size = (guchar) *g++;
        if (size == 0 || size == CHAR_MAX || (signed char) size < 0 || size >= pos)
          break;
        pos -= size;
        breaks[n_breaks++] = pos;
      }

  pos = 0;
  for (gsize i = n_breaks; i-- > 0;)
    {
      g_string_append_len (out, digits + pos, breaks[i] - pos);
      g_string_append (out, separator);
      pos = breaks[i];
    }
  g_string_append (out, digits + pos);
}

/* "1234.5" (a plain decimal) in the locale's way of writing numbers. */
static void
append_localized (GString    *out,
                  const char *plain,
                  const char *point,
                  const char *separator,
                  const char *grouping)
{
  const char      *dot = strchr (plain, '.');
  g_autofree char *integer = g_strndup (plain, dot ? (gsize) (dot - plain) : strlen (plain));

  append_grouped (out, integer, separator, grouping);
  if (dot != NULL)
    {
      g_string_append (out, point);
      g_string_append (out, dot + 1);
    }
}

gchar *
tally_money_format_token (const TallyMoneyFormat *format,
                          const TallyUint256     *amount,
                          guint                   decimals,
                          const char             *symbol)
{
  g_autofree char *plain = NULL;
  GString         *out;
  TallyUint256     whole, thousand;

  g_return_val_if_fail (format != NULL, NULL);
  g_return_val_if_fail (amount != NULL, NULL);
  g_return_val_if_fail (decimals <= TALLY_UINT256_MAX_DECIMALS, NULL);

  tally_uint256_from_uint64 (&thousand, 1000);
  if (decimals <= 77)
    {
      TallyUint256 unit;

      pow10_uint256 (&unit, decimals);
      if (!tally_uint256_divmod (&whole, NULL, amount, &unit))
        g_assert_not_reached ();
    }
  else
    tally_uint256_from_uint64 (&whole, 0); /* 10^78 exceeds every amount */

  plain = tally_uint256_format_units (amount, decimals,
                                      tally_uint256_cmp (&whole, &thousand) >= 0 ? 2 : 6);
  if (g_str_equal (plain, "0") && !tally_uint256_is_zero (amount))
    {
      g_autofree char *full = tally_uint256_format_units (amount, decimals, -1);
      gsize            first = strspn (full + 2, "0"); /* full is "0.000…" */

      g_free (plain);
      plain = tally_uint256_format_units (amount, decimals, (gint) first + 2);
    }

  out = g_string_new (NULL);
  append_localized (out, plain, format->decimal_point, format->thousands_sep, format->grouping);
  if (symbol != NULL && symbol[0] != '\0')
    g_string_append_printf (out, " %s", symbol);
  return g_string_free (out, FALSE);
}

/* value / 10^scale with every one of its `scale` fraction digits, the
 * monetary separators and the currency symbol where the locale puts it. */
static gchar *
format_scaled_money (const TallyMoneyFormat *format,
                     const TallyUint256     *value,
                     guint                   scale,
                     const TallyCurrency    *currency)
{
  g_autofree char *digits = tally_uint256_to_decimal (value);
  g_autofree char *padded = NULL;
  g_autofree char *integer = NULL;
  g_autofree char *text = NULL;
  GString         *number = g_string_new (NULL);
  gsize            len = strlen (digits);

  if (len <= scale)
    {
      g_autofree char *zeros = g_strnfill (scale + 1 - len, '0');

      padded = g_strconcat (zeros, digits, NULL);
    }
  else
    padded = g_strdup (digits);

  len = strlen (padded);
  integer = g_strndup (padded, len - scale);
  append_grouped (number, integer, format->mon_thousands_sep, format->mon_grouping);
  if (scale > 0)
    {
      g_string_append (number, format->mon_decimal_point);
      g_string_append (number, padded + len - scale);
    }
  text = g_string_free (number, FALSE);

  if (format->symbol_first)
    return g_strconcat (currency->symbol, format->symbol_spaced ? NBSP : "", text, NULL);
  return g_strconcat (text, format->symbol_spaced ? NBSP : "", currency->symbol, NULL);
}

gchar *
tally_money_format_fiat (const TallyMoneyFormat *format,
                         const TallyUint256     *minor_units,
                         const TallyCurrency    *currency)
{
  g_return_val_if_fail (format != NULL, NULL);
  g_return_val_if_fail (minor_units != NULL, NULL);
  g_return_val_if_fail (currency != NULL, NULL);

  return format_scaled_money (format, minor_units, currency->minor_digits, currency);
}

gchar *
tally_money_format_price (const TallyMoneyFormat *format,
                          const TallyDecimal     *price,
                          const TallyCurrency    *currency)
{
  g_autofree char *magnitude = NULL;
  TallyDecimal     rounded;
  TallyUint256     padded_value;
  guint            digits;
  gsize            magnitude_digits;

  g_return_val_if_fail (format != NULL, NULL);
  g_return_val_if_fail (price != NULL && !price->negative, NULL);
  g_return_val_if_fail (currency != NULL, NULL);

  /* Below one unit, four significant digits: "$0.0421", not "$0.04". */
  digits = currency->minor_digits;
  magnitude = tally_uint256_to_decimal (&price->magnitude);
  magnitude_digits = strlen (magnitude);
  if (!tally_uint256_is_zero (&price->magnitude) && magnitude_digits <= price->scale)
    digits = MAX (digits, price->scale - (guint) magnitude_digits + 4);

  /* Rounding drops at least one digit here, so adding one cannot overflow. */
  if (!tally_decimal_round (&rounded, price, digits, TALLY_ROUND_HALF_UP))
    g_assert_not_reached ();

  /* Trailing zeros beyond the minor unit say nothing; missing ones do. */
  while (rounded.scale > currency->minor_digits)
    {
      TallyUint256 quotient;
      guint64      remainder;

      if (!tally_uint256_divmod_uint64 (&quotient, &remainder, &rounded.magnitude, 10))
        g_assert_not_reached ();
      if (remainder != 0)
        break;
      rounded.magnitude = quotient;
      rounded.scale--;
    }
  /* A price near 2^256 keeps its integer digits and loses the padding. */
  for (; rounded.scale < currency->minor_digits; rounded.scale++)
    if (!tally_uint256_mul_uint64 (&padded_value, &rounded.magnitude, 10))
      break;
    else
      rounded.magnitude = padded_value;

  return format_scaled_money (format, &rounded.magnitude, rounded.scale, currency);
}

gchar *
tally_money_format_approx_fiat (const TallyMoneyFormat *format,
                                const TallyUint256     *amount,
                                guint                   token_decimals,
                                const TallyDecimal     *price,
                                const TallyCurrency    *currency,
                                GError                **error)
{
  TallyUint256     value;
  g_autofree char *text = NULL;

  g_return_val_if_fail (format != NULL, NULL);
  g_return_val_if_fail (amount != NULL && price != NULL && currency != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!tally_money_fiat_value (&value, amount, token_decimals, price, currency->minor_digits,
                               TALLY_ROUND_HALF_UP, error))
    return NULL;

  if (tally_uint256_is_zero (amount))
    return tally_money_format_fiat (format, &value, currency);

  if (tally_uint256_is_zero (&value) && !tally_uint256_is_zero (&price->magnitude))
    {
      tally_uint256_from_uint64 (&value, 1);
      text = tally_money_format_fiat (format, &value, currency);
      return g_strconcat ("< ", text, NULL);
    }

  text = tally_money_format_fiat (format, &value, currency);
  return g_strconcat ("≈ ", text, NULL);
}

gchar *
tally_money_format_change (const TallyMoneyFormat *format,
                           const TallyDecimal     *percent)
{
  TallyDecimal     rounded;
  g_autofree char *digits = NULL;
  g_autofree char *plain = NULL;
  GString         *out;
  gsize            len;

  g_return_val_if_fail (format != NULL, NULL);
  g_return_val_if_fail (percent != NULL, NULL);

  /* A percentage has at most 36 fraction digits: rounding at 2 drops at
   * least 34 of them, so it cannot overflow. */
  if (!tally_decimal_round (&rounded, percent, 2, TALLY_ROUND_HALF_UP))
    g_assert_not_reached ();
  for (; rounded.scale < 2; rounded.scale++)
    if (!tally_uint256_mul_uint64 (&rounded.magnitude, &rounded.magnitude, 10))
      return g_strdup ("∞" NBSP "%"); /* a change over 10^75 %: nothing to show */

  digits = tally_uint256_to_decimal (&rounded.magnitude);
  len = strlen (digits);
  if (len < 3)
    {
      g_autofree char *zeros = g_strnfill (3 - len, '0');

      plain = g_strconcat (zeros, digits, NULL);
    }
  else
    plain = g_strdup (digits);
  len = strlen (plain);
  plain = g_realloc (plain, len + 2);
  memmove (plain + len - 1, plain + len - 2, 3);
  plain[len - 2] = '.';

  out = g_string_new (NULL);
  if (!tally_uint256_is_zero (&rounded.magnitude))
    g_string_append (out, rounded.negative ? MINUS_SIGN : "+");
  append_localized (out, plain, format->decimal_point, format->thousands_sep, format->grouping);
  g_string_append (out, NBSP "%");
  return g_string_free (out, FALSE);
}
