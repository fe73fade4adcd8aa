/* hex.c: hexadecimal encoding as Ethereum writes it (0x-prefixed, lowercase)
 *
 * Keys pass through here (key files, keystore ciphertexts), so encoding and
 * decoding use arithmetic instead of tables or branches on the digits: how
 * long they take does not depend on the secret's value.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-wallet"

#include "config.h"

#include <string.h>

#include "error.h"
#include "hex.h"
#include "secret.h"

static inline gchar
nibble_to_char (guint nibble)
{
  /* 0..9 -> '0'..'9'; 10..15 -> 'a'..'f' ('a' - '0' - 10 == 39). */
  return (gchar) (nibble + '0' + (((9u - nibble) >> 8) & 39u));
}

/* Returns the value of a hex digit, and sets *invalid to all ones when c is
 * not one, without branching on c. */
static inline guint
char_to_nibble (guint8 c,
                guint *invalid)
{
  guint digit = c ^ 0x30u;                                           /* '0'..'9' -> 0..9 */
  guint digit_mask = ((digit - 10u) >> 8) & 0xffu;                   /* 0xff when < 10 */
  guint alpha = (c & ~0x20u) - 55u;                                  /* 'A'..'F' -> 10..15 */
  guint alpha_mask = (((alpha - 10u) ^ (alpha - 16u)) >> 8) & 0xffu; /* 0xff when 10..15 */

  *invalid |= ~(digit_mask | alpha_mask) & 0xffu;
  return (digit_mask & digit) | (alpha_mask & alpha);
}

static gchar *
encode (const guint8 *data,
        gsize         len,
        gboolean      prefix)
{
  gsize  offset = prefix ? 2 : 0;
  gchar *out;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (len < (G_MAXSIZE - 3) / 2, NULL);

  out = g_malloc (offset + 2 * len + 1);
  if (prefix)
    memcpy (out, "0x", 2);
  for (gsize i = 0; i < len; i++)
    {
      out[offset + 2 * i] = nibble_to_char (data[i] >> 4);
      out[offset + 2 * i + 1] = nibble_to_char (data[i] & 0x0f);
    }
  out[offset + 2 * len] = '\0';

  return out;
}

gchar *
tally_hex_encode (const guint8 *data,
                  gsize         len)
{
  return encode (data, len, TRUE);
}

gchar *
tally_hex_encode_bare (const guint8 *data,
                       gsize         len)
{
  return encode (data, len, FALSE);
}

static gboolean
strip_prefix (const gchar **hex,
              gsize        *hex_len)
{
  if (*hex_len >= 2 && (*hex)[0] == '0' && ((*hex)[1] == 'x' || (*hex)[1] == 'X'))
    {
      *hex += 2;
      *hex_len -= 2;
      return TRUE;
    }
  return FALSE;
}

static gboolean
decode_into (guint8      *out,
             const gchar *digits,
             gsize        n_digits,
             GError     **error)
{
  guint invalid = 0;

  for (gsize i = 0; i < n_digits / 2; i++)
    {
      guint hi = char_to_nibble ((guint8) digits[2 * i], &invalid);
      guint lo = char_to_nibble ((guint8) digits[2 * i + 1], &invalid);

      out[i] = (guint8) ((hi << 4) | lo);
    }

  if (invalid != 0)
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_HEX,
                           "Not a hexadecimal string: it holds a character other than 0–9 and a–f");
      return FALSE;
    }

  return TRUE;
}

gboolean
tally_hex_decode (guint8     **out,
                  gsize       *out_len,
                  const gchar *hex,
                  gssize       hex_len,
                  GError     **error)
{
  g_autofree guint8 *bytes = NULL;
  gsize              len;

  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (out_len != NULL, FALSE);
  g_return_val_if_fail (hex != NULL || hex_len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *out = NULL;
  *out_len = 0;

  len = hex_len < 0 ? strlen (hex) : (gsize) hex_len;
  strip_prefix (&hex, &len);

  if (len % 2 != 0)
    {
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_HEX,
                   "Not a hexadecimal string: it has an odd number of digits (%" G_GSIZE_FORMAT ")",
                   len);
      return FALSE;
    }

  bytes = g_malloc (MAX (len / 2, 1));
  if (!decode_into (bytes, hex, len, error))
    {
      tally_wipe (bytes, len / 2);
      return FALSE;
    }

  *out = g_steal_pointer (&bytes);
  *out_len = len / 2;
  return TRUE;
}

gboolean
tally_hex_decode_fixed (guint8      *out,
                        gsize        out_len,
                        const gchar *hex,
                        gssize       hex_len,
                        GError     **error)
{
  gsize len;

  g_return_val_if_fail (out != NULL || out_len == 0, FALSE);
  g_return_val_if_fail (hex != NULL || hex_len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  tally_wipe (out, out_len);

  len = hex_len < 0 ? strlen (hex) : (gsize) hex_len;
  strip_prefix (&hex, &len);

  if (len != 2 * out_len)
    {
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_LENGTH,
                   "Expected %" G_GSIZE_FORMAT " bytes (%" G_GSIZE_FORMAT
                   " hexadecimal digits), got %" G_GSIZE_FORMAT " digits",
                   out_len, 2 * out_len, len);
      return FALSE;
    }

  if (!decode_into (out, hex, len, error))
    {
      tally_wipe (out, out_len);
      return FALSE;
    }

  return TRUE;
}
