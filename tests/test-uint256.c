/* test-uint256.c: 256-bit integers and token amounts (wallet/uint256.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "wallet/tally-wallet.h"
#include "wallet/uint256.h"
#include "tally-test-util.h"

#define MAX_DECIMAL "115792089237316195423570985008687907853269984665640564039457584007913129639935"
#define MAX_HEX     "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

static void
parse_or_die (TallyUint256 *out,
              const char   *text)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_uint256_parse (out, text, &error));
  g_assert_no_error (error);
}

/* Random values of every size, not just ones near 2^256. */
static void
random_value (TallyUint256 *out)
{
  guint bits = (guint) g_test_rand_int_range (0, 257);

  for (guint i = 0; i < 4; i++)
    {
      guint64 limb = ((guint64) g_test_rand_int () << 32) | (guint32) g_test_rand_int ();

      if (bits <= 64 * i)
        limb = 0;
      else if (bits < 64 * (i + 1))
        limb &= (G_GUINT64_CONSTANT (1) << (bits - 64 * i)) - 1;
      out->limbs[i] = limb;
    }
}

static void
test_parse_print (void)
{
  static const struct
  {
    const char *text;
    const char *decimal;
    const char *hex;
  } cases[] = {
    { "0", "0", "0x0" },
    { "0x0", "0", "0x0" },
    { "007", "7", "0x7" },
    { "0X00ff", "255", "0xff" },
    { "0xDeadBeef", "3735928559", "0xdeadbeef" },
    { "18446744073709551615", "18446744073709551615", "0xffffffffffffffff" },
    { "18446744073709551616", "18446744073709551616", "0x10000000000000000" },
    { "1000000000", "1000000000", "0x3b9aca00" },
    { "999999999", "999999999", "0x3b9ac9ff" },
    { MAX_DECIMAL, MAX_DECIMAL, MAX_HEX },
    { MAX_HEX, MAX_DECIMAL, MAX_HEX },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TallyUint256     value;
      g_autofree char *decimal = NULL;
      g_autofree char *hex = NULL;

      parse_or_die (&value, cases[i].text);
      decimal = tally_uint256_to_decimal (&value);
      hex = tally_uint256_to_hex (&value);
      g_assert_cmpstr (decimal, ==, cases[i].decimal);
      g_assert_cmpstr (hex, ==, cases[i].hex);
    }
}

static void
test_parse_rejects (void)
{
  static const struct
  {
    const char *text;
    const char *message_part;
  } cases[] = {
    { "", "empty" },
    { "0x", "no digits" },
    { "0X", "no digits" },
    { "+1", "sign" },
    { "-1", "sign" },
    { "0x-1", "sign" },
    { " 1", "space" },
    { "1 ", "space" },
    { "1_000", "“_” at position 2" },
    { "1,000", "“,”" },
    { "1.5", "“.”" },
    { "1e18", "“e”" },
    { "0xg", "“g”" },
    { "0x0x1", "“x”" },
    { "\xef\xbc\x91", "non-ASCII" }, /* a full-width digit one */
    { "115792089237316195423570985008687907853269984665640564039457584007913129639936", "larger" },
    { "999999999999999999999999999999999999999999999999999999999999999999999999999999", "larger" },
    { "0x10000000000000000000000000000000000000000000000000000000000000000", "larger" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TallyUint256 value;
      g_autoptr (GError) error = NULL;

      memset (&value, 0xaa, sizeof value);
      g_assert_false (tally_uint256_parse (&value, cases[i].text, &error));
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
      if (strstr (error->message, cases[i].message_part) == NULL)
        g_error ("“%s”: message “%s” lacks “%s”", cases[i].text, error->message,
                 cases[i].message_part);
      g_assert_true (tally_uint256_is_zero (&value));
    }
}

static void
test_bytes (void)
{
  guint8       bytes[TALLY_UINT256_LEN];
  guint8       minimal[TALLY_UINT256_LEN];
  TallyUint256 value, back;
  guint64      small;
  g_autoptr (GError) error = NULL;
  static const guint8 long_input[33] = { 0 };

  parse_or_die (&value, "0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20");
  tally_uint256_to_bytes32 (bytes, &value);
  for (guint i = 0; i < TALLY_UINT256_LEN; i++)
    g_assert_cmpuint (bytes[i], ==, i + 1);
  tally_uint256_from_bytes32 (&back, bytes);
  g_assert_cmpint (tally_uint256_cmp (&value, &back), ==, 0);
  g_assert_cmpuint (tally_uint256_to_minimal_bytes (minimal, &value), ==, 32);

  parse_or_die (&value, "0x1234");
  g_assert_cmpuint (tally_uint256_to_minimal_bytes (minimal, &value), ==, 2);
  g_assert_cmpmem (minimal, 2, "\x12\x34", 2);
  g_assert_true (tally_uint256_from_bytes (&back, (const guint8 *) "\x00\x12\x34", 3, &error));
  g_assert_cmpint (tally_uint256_cmp (&value, &back), ==, 0);
  g_assert_true (tally_uint256_to_uint64 (&small, &value));
  g_assert_cmpuint (small, ==, 0x1234);

  tally_uint256_from_uint64 (&value, 0);
  g_assert_cmpuint (tally_uint256_to_minimal_bytes (minimal, &value), ==, 0);
  g_assert_true (tally_uint256_from_bytes (&back, NULL, 0, &error));
  g_assert_true (tally_uint256_is_zero (&back));

  g_assert_false (tally_uint256_from_bytes (&back, long_input, sizeof long_input, &error));
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);

  parse_or_die (&value, "18446744073709551616");
  small = 5;
  g_assert_false (tally_uint256_to_uint64 (&small, &value));
  g_assert_cmpuint (small, ==, 0);
}

static void
test_arithmetic_edges (void)
{
  TallyUint256     max, one, two, zero, out, half, remainder;
  g_autofree char *text = NULL;
  guint64          small_remainder;

  parse_or_die (&max, MAX_HEX);
  tally_uint256_from_uint64 (&one, 1);
  tally_uint256_from_uint64 (&two, 2);
  tally_uint256_from_uint64 (&zero, 0);

  g_assert_false (tally_uint256_add (&out, &max, &one));
  g_assert_true (tally_uint256_is_zero (&out));
  g_assert_true (tally_uint256_add (&out, &max, &zero));
  g_assert_cmpint (tally_uint256_cmp (&out, &max), ==, 0);
  g_assert_false (tally_uint256_sub (&out, &zero, &one));
  g_assert_true (tally_uint256_sub (&out, &max, &max));
  g_assert_true (tally_uint256_is_zero (&out));
  g_assert_false (tally_uint256_mul (&out, &max, &two));
  g_assert_false (tally_uint256_mul_uint64 (&out, &max, 2));
  g_assert_true (tally_uint256_mul_uint64 (&out, &max, 1));
  g_assert_true (tally_uint256_mul (&out, &max, &zero));
  g_assert_true (tally_uint256_is_zero (&out));

  /* (2^128 - 1)^2 = 2^256 - 2^129 + 1 fits; 2^128 * 2^128 does not. */
  parse_or_die (&half, "0xffffffffffffffffffffffffffffffff");
  g_assert_true (tally_uint256_mul (&out, &half, &half));
  text = tally_uint256_to_hex (&out);
  g_assert_cmpstr (text, ==, "0xfffffffffffffffffffffffffffffffe00000000000000000000000000000001");
  g_assert_true (tally_uint256_add (&half, &half, &one));
  g_assert_false (tally_uint256_mul (&out, &half, &half));

  /* Outputs may alias inputs. */
  out = max;
  g_assert_true (tally_uint256_divmod (&out, &remainder, &out, &two));
  g_assert_cmpuint (remainder.limbs[0], ==, 1);
  g_assert_true (tally_uint256_add (&out, &out, &out));
  g_assert_true (tally_uint256_add (&out, &out, &one));
  g_assert_cmpint (tally_uint256_cmp (&out, &max), ==, 0);

  g_assert_false (tally_uint256_divmod (&out, &remainder, &max, &zero));
  g_assert_true (tally_uint256_is_zero (&out));
  g_assert_false (tally_uint256_divmod_uint64 (&out, &small_remainder, &max, 0));
  g_assert_true (tally_uint256_divmod_uint64 (&out, &small_remainder, &max, G_MAXUINT64));
  g_assert_cmpuint (small_remainder, ==, 0); /* 2^256 - 1 = (2^64 - 1)(2^192 + 2^128 + 2^64 + 1) */
  g_assert_cmpuint (tally_uint256_bit_length (&max), ==, 256);
  g_assert_cmpuint (tally_uint256_bit_length (&one), ==, 1);
  g_assert_cmpuint (tally_uint256_bit_length (&zero), ==, 0);
}

static void
test_random_properties (void)
{
  for (guint round = 0; round < 2000; round++)
    {
      TallyUint256 a, b, q, r, back, sum;
      guint64      d, small_r;

      random_value (&a);
      random_value (&b);

      if (tally_uint256_add (&sum, &a, &b))
        {
          g_assert_true (tally_uint256_sub (&back, &sum, &b));
          g_assert_cmpint (tally_uint256_cmp (&back, &a), ==, 0);
        }
      else
        {
          TallyUint256 max, room;

          parse_or_die (&max, MAX_HEX);
          g_assert_true (tally_uint256_sub (&room, &max, &b));
          g_assert_cmpint (tally_uint256_cmp (&a, &room), >, 0);
        }

      if (!tally_uint256_is_zero (&b))
        {
          g_assert_true (tally_uint256_divmod (&q, &r, &a, &b));
          g_assert_cmpint (tally_uint256_cmp (&r, &b), <, 0);
          g_assert_true (tally_uint256_mul (&back, &q, &b));
          g_assert_true (tally_uint256_add (&back, &back, &r));
          g_assert_cmpint (tally_uint256_cmp (&back, &a), ==, 0);
        }

      d = b.limbs[0] | 1;
      g_assert_true (tally_uint256_divmod_uint64 (&q, &small_r, &a, d));
      g_assert_cmpuint (small_r, <, d);
      g_assert_true (tally_uint256_mul_uint64 (&back, &q, d));
      tally_uint256_from_uint64 (&r, small_r);
      g_assert_true (tally_uint256_add (&back, &back, &r));
      g_assert_cmpint (tally_uint256_cmp (&back, &a), ==, 0);

      {
        g_autofree char *decimal = tally_uint256_to_decimal (&a);
        g_autofree char *hex = tally_uint256_to_hex (&a);

        parse_or_die (&back, decimal);
        g_assert_cmpint (tally_uint256_cmp (&back, &a), ==, 0);
        parse_or_die (&back, hex);
        g_assert_cmpint (tally_uint256_cmp (&back, &a), ==, 0);
      }
    }
}

static char *
run_tool (const char *const *argv,
          const char        *input)
{
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *output = NULL;

  process = g_subprocess_newv (argv,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                 (input != NULL ? G_SUBPROCESS_FLAGS_STDIN_PIPE : 0),
                               &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, input, NULL, &output, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
  return g_strstrip (g_steal_pointer (&output));
}

/* Python's integers are exact at any size: an independent oracle for the
 * arithmetic, fed all cases through one process. */
static const char python_oracle[] =
  "import sys\n"
  "M = 2**256\n"
  "for line in sys.stdin:\n"
  "    a, b = (int(x, 0) for x in line.split())\n"
  "    s = a + b if a + b < M else 'overflow'\n"
  "    d = a - b if a >= b else 'overflow'\n"
  "    p = a * b if a * b < M else 'overflow'\n"
  "    q = (a // b, a % b) if b else ('divzero', 'divzero')\n"
  "    print(s, d, p, q[0], q[1], hex(a))\n";

static void
append_result (GString            *out,
               gboolean            ok,
               const TallyUint256 *value,
               const char         *failure)
{
  g_autofree char *decimal = ok ? tally_uint256_to_decimal (value) : NULL;

  g_string_append_printf (out, "%s ", ok ? decimal : failure);
}

static void
test_python_cross_check (void)
{
  const char *const argv[] = { "python3", "-c", python_oracle, NULL };
  g_autoptr (GString) input = g_string_new (NULL);
  g_autoptr (GString) expected = g_string_new (NULL);
  g_autofree char *output = NULL;
  const guint      rounds = 1000;

  for (guint i = 0; i < rounds; i++)
    {
      TallyUint256     a, b, out, r;
      g_autofree char *a_text = NULL;
      g_autofree char *b_text = NULL;
      g_autofree char *a_hex = NULL;
      gboolean         ok;

      random_value (&a);
      random_value (&b);
      if (i % 7 == 0)
        b = a;
      a_text = tally_uint256_to_decimal (&a);
      b_text = tally_uint256_to_hex (&b);
      g_string_append_printf (input, "%s %s\n", a_text, b_text);

      ok = tally_uint256_add (&out, &a, &b);
      append_result (expected, ok, &out, "overflow");
      ok = tally_uint256_sub (&out, &a, &b);
      append_result (expected, ok, &out, "overflow");
      ok = tally_uint256_mul (&out, &a, &b);
      append_result (expected, ok, &out, "overflow");
      ok = tally_uint256_divmod (&out, &r, &a, &b);
      append_result (expected, ok, &out, "divzero");
      append_result (expected, ok, &r, "divzero");
      a_hex = tally_uint256_to_hex (&a);
      g_string_append_printf (expected, "%s\n", a_hex);
    }

  output = run_tool (argv, input->str);
  {
    g_auto (GStrv) got_lines = g_strsplit (output, "\n", -1);
    g_auto (GStrv) want_lines = g_strsplit (g_strstrip (expected->str), "\n", -1);

    g_assert_cmpuint (g_strv_length (got_lines), ==, rounds);
    for (guint i = 0; i < rounds; i++)
      g_assert_cmpstr (got_lines[i], ==, g_strstrip (want_lines[i]));
  }
}

static void
test_cast_cross_check (void)
{
  g_autofree char *cast = tally_test_find_cast ();

  if (cast == NULL)
    return;

  for (guint i = 0; i < 24; i++)
    {
      TallyUint256     value;
      g_autofree char *decimal = NULL;
      g_autofree char *hex = NULL;
      g_autofree char *cast_decimal = NULL;
      g_autofree char *cast_hex = NULL;

      random_value (&value);
      if (i == 0)
        parse_or_die (&value, MAX_HEX);
      else if (i == 1)
        tally_uint256_from_uint64 (&value, 0);
      decimal = tally_uint256_to_decimal (&value);
      hex = tally_uint256_to_hex (&value);
      {
        const char *const to_dec[] = { cast, "to-dec", hex, NULL };
        const char *const to_hex[] = { cast, "to-hex", decimal, NULL };

        cast_decimal = run_tool (to_dec, NULL);
        cast_hex = run_tool (to_hex, NULL);
      }
      g_assert_cmpstr (cast_decimal, ==, decimal);
      g_assert_cmpstr (cast_hex, ==, hex);
    }
}

static void
test_parse_units (void)
{
  static const struct
  {
    const char *text;
    guint       decimals;
    const char *wei;
  } cases[] = {
    { "1.5", 18, "1500000000000000000" },
    { "1", 18, "1000000000000000000" },
    { "0", 18, "0" },
    { "0.0", 18, "0" },
    { "000.5", 18, "500000000000000000" },
    { "0.000000000000000001", 18, "1" },
    { "1.5", 6, "1500000" },
    { "0.000001", 6, "1" },
    { "123456.123456", 6, "123456123456" },
    { "1.500000", 6, "1500000" },
    { "42", 0, "42" },
    { "0.1", 1, "1" },
    { MAX_DECIMAL, 0, MAX_DECIMAL },
    { "115792089237316195423570985008687907853269984665640564039457.584007913129639935", 18,
      MAX_DECIMAL },
    { "0.115792089237316195423570985008687907853269984665640564039457584007913129639935", 78,
      MAX_DECIMAL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TallyUint256     value;
      g_autofree char *decimal = NULL;
      g_autoptr (GError) error = NULL;

      g_assert_true (tally_uint256_parse_units (&value, cases[i].text, cases[i].decimals, &error));
      g_assert_no_error (error);
      decimal = tally_uint256_to_decimal (&value);
      g_assert_cmpstr (decimal, ==, cases[i].wei);
    }
}

static void
test_parse_units_rejects (void)
{
  static const struct
  {
    const char *text;
    guint       decimals;
    const char *message_part;
  } cases[] = {
    { "", 18, "empty" },
    { "1.", 18, "after the decimal point" },
    { ".5", 18, "before the decimal point" },
    { ".", 18, "before the decimal point" },
    { "1.2.3", 18, "“.” at position 4" },
    { "-1", 18, "sign" },
    { "+1", 18, "sign" },
    { "1e18", 18, "“e”" },
    { " 1", 18, "space" },
    { "1,5", 18, "“,”" },
    { "0x10", 18, "“x”" },
    { "1.0000001", 6, "7 digits after the decimal point; this token has only 6" },
    { "1.5", 0, "whole number" },
    { "115792089237316195423570985008687907853269984665640564039457.584007913129639936", 18,
      "too large" },
    { "1", 78, "too large" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TallyUint256 value;
      g_autoptr (GError) error = NULL;

      memset (&value, 0xaa, sizeof value);
      g_assert_false (tally_uint256_parse_units (&value, cases[i].text, cases[i].decimals, &error));
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
      if (strstr (error->message, cases[i].message_part) == NULL)
        g_error ("“%s”: message “%s” lacks “%s”", cases[i].text, error->message,
                 cases[i].message_part);
      g_assert_true (tally_uint256_is_zero (&value));
    }
}

static void
test_format_units (void)
{
  static const struct
  {
    const char *wei;
    guint       decimals;
    gint        max_fraction_digits;
    const char *text;
  } cases[] = {
    { "1500000000000000000", 18, -1, "1.5" },
    { "1000000000000000000", 18, -1, "1" },
    { "0", 18, -1, "0" },
    { "0", 0, -1, "0" },
    { "1", 18, -1, "0.000000000000000001" },
    { "1500000", 6, -1, "1.5" },
    { "1", 6, -1, "0.000001" },
    { "1000001", 6, -1, "1.000001" },
    { "123456789", 0, -1, "123456789" },
    { "1234567", 6, 2, "1.23" },
    { "1239999", 6, 2, "1.23" }, /* cut, not rounded up */
    { "1000001", 6, 2, "1" },
    { "1", 6, 2, "0" },
    { "1500000", 6, 0, "1" },
    { "10", 1, -1, "1" },
    { MAX_DECIMAL, 18, -1,
      "115792089237316195423570985008687907853269984665640564039457.584007913129639935" },
    { MAX_DECIMAL, 78, -1,
      "0.115792089237316195423570985008687907853269984665640564039457584007913129639935" },
    { "5", 80, -1,
      "0.00000000000000000000000000000000000000000000000000000000000000000000000000000005" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TallyUint256     value;
      g_autofree char *text = NULL;

      parse_or_die (&value, cases[i].wei);
      text = tally_uint256_format_units (&value, cases[i].decimals, cases[i].max_fraction_digits);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_units_random_round_trip (void)
{
  for (guint round = 0; round < 2000; round++)
    {
      TallyUint256     value, back;
      guint            decimals = (guint) g_test_rand_int_range (0, 90);
      g_autofree char *text = NULL;
      g_autoptr (GError) error = NULL;

      random_value (&value);
      text = tally_uint256_format_units (&value, decimals, -1);
      g_assert_true (tally_uint256_parse_units (&back, text, decimals, &error));
      g_assert_no_error (error);
      g_assert_cmpint (tally_uint256_cmp (&back, &value), ==, 0);
      /* Canonical: no trailing zeros after a point, no empty fraction. */
      if (strchr (text, '.') != NULL)
        g_assert_cmpint (text[strlen (text) - 1], !=, '0');
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wallet/uint256/parse-print", test_parse_print);
  g_test_add_func ("/wallet/uint256/parse-rejects", test_parse_rejects);
  g_test_add_func ("/wallet/uint256/bytes", test_bytes);
  g_test_add_func ("/wallet/uint256/arithmetic-edges", test_arithmetic_edges);
  g_test_add_func ("/wallet/uint256/random-properties", test_random_properties);
  g_test_add_func ("/wallet/uint256/python-cross-check", test_python_cross_check);
  g_test_add_func ("/wallet/uint256/cast-cross-check", test_cast_cross_check);
  g_test_add_func ("/wallet/uint256/parse-units", test_parse_units);
  g_test_add_func ("/wallet/uint256/parse-units-rejects", test_parse_units_rejects);
  g_test_add_func ("/wallet/uint256/format-units", test_format_units);
  g_test_add_func ("/wallet/uint256/units-random-round-trip", test_units_random_round_trip);

  return g_test_run ();
}
