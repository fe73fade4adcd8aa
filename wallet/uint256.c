/* uint256.c: unsigned 256-bit integers, the EVM's word, and exact token amounts
 *
 * Amounts of money never pass through a double: a double holds 53 bits, a
 * token balance up to 256. Everything here is integer arithmetic on four
 * 64-bit limbs, written without __int128 so it builds on 32-bit targets too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-wallet"

#include "config.h"

#include <string.h>

#include "error.h"
#include "uint256.h"

#define N_LIMBS 4

static const TallyUint256 zero;

void
tally_uint256_from_uint64 (TallyUint256 *out,
                           guint64       value)
{
  g_return_if_fail (out != NULL);

  *out = zero;
  out->limbs[0] = value;
}

gboolean
tally_uint256_to_uint64 (guint64            *out,
                         const TallyUint256 *value)
{
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  *out = 0;
  if ((value->limbs[1] | value->limbs[2] | value->limbs[3]) != 0)
    return FALSE;
  *out = value->limbs[0];
  return TRUE;
}

void
tally_uint256_from_bytes32 (TallyUint256 *out,
                            const guint8  bytes[TALLY_UINT256_LEN])
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (bytes != NULL);

  for (guint i = 0; i < N_LIMBS; i++)
    {
      guint64 limb = 0;

      for (guint j = 0; j < 8; j++)
        limb = (limb << 8) | bytes[TALLY_UINT256_LEN - 8 * (i + 1) + j];
      out->limbs[i] = limb;
    }
}

void
tally_uint256_to_bytes32 (guint8              bytes[TALLY_UINT256_LEN],
                          const TallyUint256 *value)
{
  g_return_if_fail (bytes != NULL);
  g_return_if_fail (value != NULL);

  for (guint i = 0; i < TALLY_UINT256_LEN; i++)
    {
      guint byte_index = TALLY_UINT256_LEN - 1 - i; /* 0 = least significant */

      bytes[i] = (guint8) (value->limbs[byte_index / 8] >> (8 * (byte_index % 8)));
    }
}

gboolean
tally_uint256_from_bytes (TallyUint256 *out,
                          const guint8 *bytes,
                          gsize         len,
                          GError      **error)
{
  guint8 padded[TALLY_UINT256_LEN] = { 0 };

  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (bytes != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *out = zero;
  if (len > TALLY_UINT256_LEN)
    {
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                   "A 256-bit number has at most 32 bytes, not %" G_GSIZE_FORMAT, len);
      return FALSE;
    }
  if (len > 0)
    memcpy (padded + TALLY_UINT256_LEN - len, bytes, len);
  tally_uint256_from_bytes32 (out, padded);
  return TRUE;
}

gsize
tally_uint256_to_minimal_bytes (guint8              bytes[TALLY_UINT256_LEN],
                                const TallyUint256 *value)
{
  guint8 full[TALLY_UINT256_LEN];
  gsize  skip = 0;

  g_return_val_if_fail (bytes != NULL, 0);
  g_return_val_if_fail (value != NULL, 0);

  tally_uint256_to_bytes32 (full, value);
  while (skip < TALLY_UINT256_LEN && full[skip] == 0)
    skip++;
  memset (bytes, 0, TALLY_UINT256_LEN);
  memcpy (bytes, full + skip, TALLY_UINT256_LEN - skip);
  return TALLY_UINT256_LEN - skip;
}

gboolean
tally_uint256_is_zero (const TallyUint256 *value)
{
  g_return_val_if_fail (value != NULL, FALSE);

  return (value->limbs[0] | value->limbs[1] | value->limbs[2] | value->limbs[3]) == 0;
}

int
tally_uint256_cmp (const TallyUint256 *a,
                   const TallyUint256 *b)
{
  g_return_val_if_fail (a != NULL, 0);
  g_return_val_if_fail (b != NULL, 0);

  for (int i = N_LIMBS - 1; i >= 0; i--)
    {
      if (a->limbs[i] != b->limbs[i])
        return a->limbs[i] < b->limbs[i] ? -1 : 1;
    }
  return 0;
}

guint
tally_uint256_bit_length (const TallyUint256 *value)
{
  g_return_val_if_fail (value != NULL, 0);

  for (int i = N_LIMBS - 1; i >= 0; i--)
    {
      if (value->limbs[i] != 0)
        return 64 * (guint) i + (guint) g_bit_nth_msf (value->limbs[i], -1) + 1;
    }
  return 0;
}

gboolean
tally_uint256_add (TallyUint256       *out,
                   const TallyUint256 *a,
                   const TallyUint256 *b)
{
  TallyUint256 sum;
  guint64      carry = 0;

  g_return_val_if_fail (out != NULL && a != NULL && b != NULL, FALSE);

  for (guint i = 0; i < N_LIMBS; i++)
    {
      guint64 s = a->limbs[i] + carry;

      carry = s < carry;
      sum.limbs[i] = s + b->limbs[i];
      carry += sum.limbs[i] < s;
    }
  *out = carry ? zero : sum;
  return carry == 0;
}

gboolean
tally_uint256_sub (TallyUint256       *out,
                   const TallyUint256 *a,
                   const TallyUint256 *b)
{
  TallyUint256 diff;
  guint64      borrow = 0;

  g_return_val_if_fail (out != NULL && a != NULL && b != NULL, FALSE);

  for (guint i = 0; i < N_LIMBS; i++)
    {
      guint64 d = a->limbs[i] - borrow;

      borrow = a->limbs[i] < borrow;
      diff.limbs[i] = d - b->limbs[i];
      borrow += d < b->limbs[i];
    }
  *out = borrow ? zero : diff;
  return borrow == 0;
}

/* The 128-bit product of two limbs, from 32-bit halves. */
static inline guint64
mul_limbs (guint64  a,
           guint64  b,
           guint64 *high)
{
  guint64 a_lo = a & 0xffffffffu, a_hi = a >> 32;
  guint64 b_lo = b & 0xffffffffu, b_hi = b >> 32;
  guint64 p0 = a_lo * b_lo;
  guint64 p1 = a_lo * b_hi;
  guint64 p2 = a_hi * b_lo;
  guint64 p3 = a_hi * b_hi;
  guint64 middle = (p0 >> 32) + (p1 & 0xffffffffu) + (p2 & 0xffffffffu);

  *high = p3 + (p1 >> 32) + (p2 >> 32) + (middle >> 32);
  return (middle << 32) | (p0 & 0xffffffffu);
}

gboolean
tally_uint256_mul (TallyUint256       *out,
                   const TallyUint256 *a,
                   const TallyUint256 *b)
{
  guint64 product[2 * N_LIMBS] = { 0 };

  g_return_val_if_fail (out != NULL && a != NULL && b != NULL, FALSE);

  for (guint i = 0; i < N_LIMBS; i++)
    {
      guint64 carry = 0;

      for (guint j = 0; j < N_LIMBS; j++)
        {
          guint64 high;
          guint64 low = mul_limbs (a->limbs[i], b->limbs[j], &high);
          guint64 sum = product[i + j] + low;
          guint64 c1 = sum < low;

          sum += carry;
          /* a * b + two limbs never exceeds 128 bits, so high + c1 + c2 fits. */
          carry = high + c1 + (sum < carry);
          product[i + j] = sum;
        }
      product[i + N_LIMBS] = carry;
    }

  if ((product[4] | product[5] | product[6] | product[7]) != 0)
    {
      *out = zero;
      return FALSE;
    }
  memcpy (out->limbs, product, sizeof out->limbs);
  return TRUE;
}

gboolean
tally_uint256_mul_uint64 (TallyUint256       *out,
                          const TallyUint256 *a,
                          guint64             b)
{
  TallyUint256 factor;

  g_return_val_if_fail (out != NULL && a != NULL, FALSE);

  tally_uint256_from_uint64 (&factor, b);
  return tally_uint256_mul (out, a, &factor);
}

static void
shift_left_one (TallyUint256 *value)
{
  for (int i = N_LIMBS - 1; i > 0; i--)
    value->limbs[i] = (value->limbs[i] << 1) | (value->limbs[i - 1] >> 63);
  value->limbs[0] <<= 1;
}

gboolean
tally_uint256_divmod (TallyUint256       *quotient,
                      TallyUint256       *remainder,
                      const TallyUint256 *a,
                      const TallyUint256 *divisor)
{
  TallyUint256 q = zero;
  TallyUint256 r = zero;
  guint        bits;

  g_return_val_if_fail (a != NULL && divisor != NULL, FALSE);

  if (tally_uint256_is_zero (divisor))
    {
      if (quotient != NULL)
        *quotient = zero;
      if (remainder != NULL)
        *remainder = zero;
      return FALSE;
    }

  /* Schoolbook binary long division: plenty for amounts and fees. */
  bits = tally_uint256_bit_length (a);
  for (guint n = bits; n-- > 0;)
    {
      shift_left_one (&r);
      r.limbs[0] |= (a->limbs[n / 64] >> (n % 64)) & 1;
      if (tally_uint256_cmp (&r, divisor) >= 0)
        {
          gboolean ok = tally_uint256_sub (&r, &r, divisor);

          g_assert (ok);
          q.limbs[n / 64] |= G_GUINT64_CONSTANT (1) << (n % 64);
        }
    }

  if (quotient != NULL)
    *quotient = q;
  if (remainder != NULL)
    *remainder = r;
  return TRUE;
}

gboolean
tally_uint256_divmod_uint64 (TallyUint256       *quotient,
                             guint64            *remainder,
                             const TallyUint256 *a,
                             guint64             divisor)
{
  g_return_val_if_fail (a != NULL, FALSE);

  if (divisor > G_MAXUINT32)
    {
      TallyUint256 wide_divisor, r;
      gboolean     ok;

      tally_uint256_from_uint64 (&wide_divisor, divisor);
      ok = tally_uint256_divmod (quotient, &r, a, &wide_divisor);
      if (remainder != NULL)
        *remainder = r.limbs[0];
      return ok;
    }

  if (divisor == 0)
    {
      if (quotient != NULL)
        *quotient = zero;
      if (remainder != NULL)
        *remainder = 0;
      return FALSE;
    }

  {
    /* Short division by 32-bit digits: the running remainder is below the
     * divisor, so remainder << 32 | digit fits in 64 bits. */
    TallyUint256 q = zero;
    guint64      r = 0;

    for (int i = 2 * N_LIMBS - 1; i >= 0; i--)
      {
        guint64 digit = (a->limbs[i / 2] >> (32 * (i % 2))) & 0xffffffffu;
        guint64 current = (r << 32) | digit;

        q.limbs[i / 2] |= (current / divisor) << (32 * (i % 2));
        r = current % divisor;
      }
    if (quotient != NULL)
      *quotient = q;
    if (remainder != NULL)
      *remainder = r;
  }
  return TRUE;
}

static gboolean
parse_digits (TallyUint256 *out,
              const char   *digits,
              gsize         len,
              guint         base)
{
  TallyUint256 value = zero;

  for (gsize i = 0; i < len; i++)
    {
      TallyUint256 digit;

      tally_uint256_from_uint64 (&digit, (guint64) g_ascii_xdigit_value (digits[i]));
      if (!tally_uint256_mul_uint64 (&value, &value, base) ||
          !tally_uint256_add (&value, &value, &digit))
        return FALSE;
    }
  *out = value;
  return TRUE;
}

/* Index of the first character that is not a digit of the base, or len. */
static gsize
find_non_digit (const char *text,
                gsize       len,
                guint       base)
{
  for (gsize i = 0; i < len; i++)
    {
      if (base == 16 ? !g_ascii_isxdigit (text[i]) : !g_ascii_isdigit (text[i]))
        return i;
    }
  return len;
}

static void
set_bad_character_error (GError    **error,
                         const char *what,
                         const char *text,
                         gsize       position)
{
  guchar c = (guchar) text[position];

  if (c == '+' || c == '-')
    g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                 "%s cannot have a sign (“%c” at position %" G_GSIZE_FORMAT ")", what, c,
                 position + 1);
  else if (g_ascii_isgraph (c))
    g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                 "%s has “%c” at position %" G_GSIZE_FORMAT ", where a digit belongs", what, c,
                 position + 1);
  else
    g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                 "%s has a space, control or non-ASCII character (byte 0x%02x) "
                 "at position %" G_GSIZE_FORMAT,
                 what, c, position + 1);
}

gboolean
tally_uint256_parse (TallyUint256 *out,
                     const char   *text,
                     GError      **error)
{
  const char *digits = text;
  gsize       len;
  guint       base = 10;
  gsize       bad;

  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *out = zero;
  len = strlen (text);
  if (len >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
    {
      digits = text + 2;
      len -= 2;
      base = 16;
    }
  if (len == 0)
    {
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                   base == 16 ? "The number “0x” has no digits after the prefix"
                              : "The number is empty");
      return FALSE;
    }

  bad = find_non_digit (digits, len, base);
  if (bad < len)
    {
      set_bad_character_error (error, "The number", text, bad + (gsize) (digits - text));
      return FALSE;
    }
  if (!parse_digits (out, digits, len, base))
    {
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                   "The number is larger than 2²⁵⁶ − 1, the largest a 256-bit word holds");
      return FALSE;
    }
  return TRUE;
}

gchar *
tally_uint256_to_decimal (const TallyUint256 *value)
{
  /* Nine digits at a time: 10^9 is the largest power of ten below 2^32,
   * which keeps divmod_uint64 on its short-division path. */
  static const guint64 chunk = 1000000000u;
  char                 buffer[TALLY_UINT256_MAX_DECIMAL_DIGITS + 1];
  gsize                pos = sizeof buffer - 1;
  TallyUint256         rest;

  g_return_val_if_fail (value != NULL, NULL);

  buffer[pos] = '\0';
  rest = *value;
  do
    {
      guint64  r = 0;
      gboolean ok = tally_uint256_divmod_uint64 (&rest, &r, &rest, chunk);
      gboolean last = tally_uint256_is_zero (&rest);

      g_assert (ok);
      for (guint i = 0; i < 9 && (!last || r != 0 || i == 0); i++)
        {
          g_assert (pos > 0);
          buffer[--pos] = (char) ('0' + r % 10);
          r /= 10;
        }
      if (last)
        break;
    }
  while (TRUE);

  return g_strdup (buffer + pos);
}

gchar *
tally_uint256_to_hex (const TallyUint256 *value)
{
  GString *hex;
  gboolean started = FALSE;

  g_return_val_if_fail (value != NULL, NULL);

  hex = g_string_sized_new (2 + 64 + 1);
  g_string_append (hex, "0x");
  for (int i = 63; i >= 0; i--)
    {
      guint nibble = (guint) (value->limbs[i / 16] >> (4 * (i % 16))) & 0xf;

      if (nibble == 0 && !started && i > 0)
        continue;
      started = TRUE;
      g_string_append_c (hex, "0123456789abcdef"[nibble]);
    }
  return g_string_free (hex, FALSE);
}

gboolean
tally_uint256_parse_units (TallyUint256 *out,
                           const char   *text,
                           guint         decimals,
                           GError      **error)
{
  g_autoptr (GString) digits = NULL;
  const char *point;
  gsize       whole_len, fraction_len, len, bad;

  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (decimals <= TALLY_UINT256_MAX_DECIMALS, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *out = zero;
  len = strlen (text);
  if (len == 0)
    {
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED, "The amount is empty");
      return FALSE;
    }

  point = strchr (text, '.');
  whole_len = point != NULL ? (gsize) (point - text) : len;
  fraction_len = point != NULL ? len - whole_len - 1 : 0;

  bad = find_non_digit (text, whole_len, 10);
  if (bad == whole_len && point != NULL)
    bad = whole_len + 1 + find_non_digit (point + 1, fraction_len, 10);
  if (bad < len && bad != whole_len)
    {
      set_bad_character_error (error, "The amount", text, bad);
      return FALSE;
    }
  if (whole_len == 0)
    {
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                   "The amount needs a digit before the decimal point (write “0.5”, not “.5”)");
      return FALSE;
    }
  if (point != NULL && fraction_len == 0)
    {
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                   "The amount needs a digit after the decimal point (write “1”, not “1.”)");
      return FALSE;
    }
  if (fraction_len > decimals)
    {
      if (decimals == 0)
        g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                     "This token has no fractional units: the amount must be a whole number");
      else
        g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                     "The amount has %" G_GSIZE_FORMAT " digits after the decimal point; "
                     "this token has only %u",
                     fraction_len, decimals);
      return FALSE;
    }

  digits = g_string_sized_new (whole_len + decimals + 1);
  g_string_append_len (digits, text, (gssize) whole_len);
  if (point != NULL)
    g_string_append_len (digits, point + 1, (gssize) fraction_len);
  for (gsize i = fraction_len; i < decimals; i++)
    g_string_append_c (digits, '0');

  if (!parse_digits (out, digits->str, digits->len, 10))
    {
      *out = zero;
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                   "The amount is too large for a 256-bit token balance");
      return FALSE;
    }
  return TRUE;
}

gchar *
tally_uint256_format_units (const TallyUint256 *value,
                            guint               decimals,
                            gint                max_fraction_digits)
{
  g_autofree char *digits = NULL;
  GString         *text;
  gsize            len, whole_len, fraction_len;
  const char      *fraction;

  g_return_val_if_fail (value != NULL, NULL);
  g_return_val_if_fail (decimals <= TALLY_UINT256_MAX_DECIMALS, NULL);

  digits = tally_uint256_to_decimal (value);
  len = strlen (digits);

  text = g_string_sized_new (len + decimals + 3);
  if (len <= decimals)
    {
      g_string_append_c (text, '0');
      whole_len = 0;
    }
  else
    {
      whole_len = len - decimals;
      g_string_append_len (text, digits, (gssize) whole_len);
    }

  /* The fraction is the last `decimals` digits, zero-padded on the left. */
  fraction = digits + whole_len;
  fraction_len = decimals;
  if (max_fraction_digits >= 0 && (gsize) max_fraction_digits < fraction_len)
    fraction_len = (gsize) max_fraction_digits;

  {
    gsize leading_zeros = decimals - (len - whole_len);
    gsize end = fraction_len;

#define FRACTION_DIGIT(k) ((k) < leading_zeros ? '0' : fraction[(k) -leading_zeros])
    while (end > 0 && FRACTION_DIGIT (end - 1) == '0')
      end--;
    if (end > 0)
      {
        g_string_append_c (text, '.');
        for (gsize i = 0; i < end; i++)
          g_string_append_c (text, FRACTION_DIGIT (i));
      }
#undef FRACTION_DIGIT
  }

  return g_string_free (text, FALSE);
}
