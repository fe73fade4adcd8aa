/* test-hex.c: hexadecimal encoding and decoding (wallet/hex.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "wallet/tally-wallet.h"

static void
test_encode (void)
{
  static const guint8 bytes[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
  g_autofree char    *prefixed = tally_hex_encode (bytes, sizeof bytes);
  g_autofree char    *bare = tally_hex_encode_bare (bytes, sizeof bytes);
  g_autofree char    *empty = tally_hex_encode (NULL, 0);

  g_assert_cmpstr (prefixed, ==, "0x00017f80abff");
  g_assert_cmpstr (bare, ==, "00017f80abff");
  g_assert_cmpstr (empty, ==, "0x");
}

static void
test_round_trip_all_bytes (void)
{
  guint8             bytes[256];
  g_autofree char   *hex = NULL;
  g_autofree guint8 *decoded = NULL;
  gsize              decoded_len = 0;
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < 256; i++)
    bytes[i] = (guint8) i;

  hex = tally_hex_encode (bytes, sizeof bytes);
  g_assert_true (tally_hex_decode (&decoded, &decoded_len, hex, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (decoded, decoded_len, bytes, sizeof bytes);
}

static void
test_decode_cases (void)
{
  static const struct
  {
    const char *hex;
    const char *bytes;
    gsize       len;
  } cases[] = {
    { "", "", 0 },
    { "0x", "", 0 },
    { "0X0a", "\x0a", 1 },
    { "DEADbeef", "\xde\xad\xbe\xef", 4 },
    { "0x09afAF", "\x09\xaf\xaf", 3 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree guint8 *out = NULL;
      gsize              out_len = 99;
      g_autoptr (GError) error = NULL;

      g_assert_true (tally_hex_decode (&out, &out_len, cases[i].hex, -1, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (out, out_len, cases[i].bytes, cases[i].len);
    }
}

static void
test_decode_rejects (void)
{
  /* Every character that is not a hex digit, at both nibble positions. */
  for (guint c = 1; c < 256; c++)
    {
      char     good_first[3] = { '0', (char) c, 0 };
      char     good_second[3] = { (char) c, 'f', 0 };
      gboolean is_digit = g_ascii_isxdigit ((char) c);

      for (guint j = 0; j < 2; j++)
        {
          const char        *hex = j == 0 ? good_first : good_second;
          g_autofree guint8 *out = NULL;
          gsize              out_len = 99;
          g_autoptr (GError) error = NULL;
          gboolean ok;

          /* "0x" and "0X" are the prefix, not a digit pair. */
          if (j == 0 && (c == 'x' || c == 'X'))
            continue;

          ok = tally_hex_decode (&out, &out_len, hex, 2, &error);

          g_assert_cmpint (ok, ==, is_digit);
          if (!is_digit)
            {
              g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_HEX);
              g_assert_null (out);
              g_assert_cmpuint (out_len, ==, 0);
            }
        }
    }
}

static void
test_decode_odd_length (void)
{
  const char *inputs[] = { "0", "0x1", "abc", "0x12345" };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autofree guint8 *out = NULL;
      gsize              out_len = 0;
      g_autoptr (GError) error = NULL;

      g_assert_false (tally_hex_decode (&out, &out_len, inputs[i], -1, &error));
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_HEX);
      g_assert_nonnull (strstr (error->message, "odd"));
    }
}

static void
test_decode_embedded_nul (void)
{
  g_autofree guint8 *out = NULL;
  gsize              out_len = 0;
  g_autoptr (GError) error = NULL;

  /* An explicit length must not stop at a NUL: "12\0" + "4" is not hex. */
  g_assert_false (tally_hex_decode (&out, &out_len, "12\0004", 4, &error));
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_HEX);
}

static void
test_decode_fixed (void)
{
  guint8 key[4];
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_hex_decode_fixed (key, sizeof key, "0x01020304", -1, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (key, sizeof key, "\x01\x02\x03\x04", 4);

  g_assert_false (tally_hex_decode_fixed (key, sizeof key, "0x010203", -1, &error));
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_LENGTH);
  g_clear_error (&error);

  /* A failure leaves no half-decoded key behind. */
  memset (key, 0xaa, sizeof key);
  g_assert_false (tally_hex_decode_fixed (key, sizeof key, "0x0102030g", -1, &error));
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_HEX);
  g_assert_cmpmem (key, sizeof key, "\0\0\0\0", 4);
}

static void
test_random_round_trip (void)
{
  for (guint round = 0; round < 500; round++)
    {
      gsize              len = g_test_rand_int_range (0, 97);
      g_autofree guint8 *bytes = g_malloc (len + 1);
      g_autofree char   *hex = NULL;
      g_autofree char   *upper = NULL;
      g_autofree guint8 *back = NULL;
      gsize              back_len = 0;
      g_autoptr (GError) error = NULL;

      for (gsize i = 0; i < len; i++)
        bytes[i] = (guint8) g_test_rand_int_range (0, 256);

      hex = tally_hex_encode (bytes, len);
      upper = g_ascii_strup (hex + 2, -1);
      g_assert_true (tally_hex_decode (&back, &back_len, upper, -1, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (back, back_len, bytes, len);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wallet/hex/encode", test_encode);
  g_test_add_func ("/wallet/hex/round-trip-all-bytes", test_round_trip_all_bytes);
  g_test_add_func ("/wallet/hex/decode", test_decode_cases);
  g_test_add_func ("/wallet/hex/decode-rejects-non-hex", test_decode_rejects);
  g_test_add_func ("/wallet/hex/decode-odd-length", test_decode_odd_length);
  g_test_add_func ("/wallet/hex/decode-embedded-nul", test_decode_embedded_nul);
  g_test_add_func ("/wallet/hex/decode-fixed", test_decode_fixed);
  g_test_add_func ("/wallet/hex/random-round-trip", test_random_round_trip);

  return g_test_run ();
}
