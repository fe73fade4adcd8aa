/* test-rlp.c: RLP encoding and strict decoding (wallet/rlp.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "wallet/rlp.h"
#include "wallet/tally-wallet.h"
#include "tally-test-util.h"

static guint8 *
finish (TallyRlpEncoder *encoder,
        gsize           *len)
{
  guint8 *out = tally_rlp_encoder_finish (encoder, len);

  return out != NULL ? out : g_malloc0 (1);
}

/* A big-endian integer from decimal digits of any size, for the source's
 * integers above 2^256. */
static GByteArray *
decimal_to_bytes (const char *digits,
                  gsize       len)
{
  GByteArray *bytes = g_byte_array_new ();
  gsize       skip = 0;

  for (gsize i = 0; i < len; i++)
    {
      guint carry = (guint) (digits[i] - '0');

      for (gsize j = bytes->len; j-- > 0;)
        {
          guint v = bytes->data[j] * 10u + carry;

          bytes->data[j] = (guint8) v;
          carry = v >> 8;
        }
      while (carry != 0)
        {
          guint8 b = (guint8) carry;

          g_byte_array_prepend (bytes, &b, 1);
          carry >>= 8;
        }
    }
  while (skip < bytes->len && bytes->data[skip] == 0)
    skip++;
  g_byte_array_remove_range (bytes, 0, (guint) skip);
  return bytes;
}

/* Reads one item of the vector notation at *p, adds it to the encoder, and
 * when `match` is given checks that the decoded item has the same shape and
 * bytes. */
static void
parse_notation (const char        **p,
                TallyRlpEncoder    *encoder,
                const TallyRlpItem *match)
{
  const char *s = *p;

  while (*s == ' ')
    s++;

  if (*s == '[')
    {
      gsize n = 0;

      s++;
      tally_rlp_encoder_begin_list (encoder);
      if (match != NULL)
        g_assert_cmpint (match->kind, ==, TALLY_RLP_LIST);
      while (*s == ' ')
        s++;
      while (*s != ']')
        {
          if (match != NULL)
            g_assert_cmpuint (n, <, match->n_children);
          parse_notation (&s, encoder, match != NULL ? &match->children[n] : NULL);
          n++;
          while (*s == ' ')
            s++;
          if (*s == ',')
            s++;
          else
            g_assert_cmpint (*s, ==, ']');
        }
      s++;
      tally_rlp_encoder_end_list (encoder);
      if (match != NULL)
        g_assert_cmpuint (n, ==, match->n_children);
    }
  else
    {
      g_autofree guint8 *bytes = NULL;
      gsize              len = 0;

      if (*s == '"')
        {
          const char *end = strchr (s + 1, '"');

          g_assert_nonnull (end);
          len = (gsize) (end - s - 1);
          bytes = g_memdup2 (s + 1, len);
          s = end + 1;
        }
      else if (g_str_has_prefix (s, "0x"))
        {
          gsize            n = strspn (s + 2, "0123456789abcdefABCDEF");
          g_autofree char *hex = g_strndup (s, n + 2);

          bytes = tally_test_hex_or_die (hex, &len);
          s += n + 2;
        }
      else
        {
          gsize       n = strspn (s, "0123456789");
          GByteArray *array;

          g_assert_cmpuint (n, >, 0);
          array = decimal_to_bytes (s, n);
          len = array->len;
          bytes = g_byte_array_free (array, FALSE);
          s += n;
        }
      tally_rlp_encoder_add_bytes (encoder, bytes, len);
      if (match != NULL)
        {
          g_assert_cmpint (match->kind, ==, TALLY_RLP_BYTES);
          g_assert_cmpmem (match->data, match->len, bytes, len);
        }
    }
  *p = s;
}

static void
check_valid_vector (const char *name,
                    const char *notation,
                    const char *hex)
{
  g_autofree guint8 *expected = NULL;
  g_autofree guint8 *encoded = NULL;
  g_autofree guint8 *again = NULL;
  g_autoptr (TallyRlpItem) item = NULL;
  g_autoptr (GError) error = NULL;
  gsize            expected_len = 0, encoded_len = 0, again_len = 0;
  const char      *p = notation;
  TallyRlpEncoder *encoder = tally_rlp_encoder_new ();

  g_test_message ("valid vector %s", name);
  expected = tally_test_hex_or_die (hex, &expected_len);
  g_assert_true (tally_rlp_decode (&item, expected, expected_len, &error));
  g_assert_no_error (error);

  parse_notation (&p, encoder, item);
  g_assert_cmpstr (p, ==, "");
  encoded = finish (encoder, &encoded_len);
  g_assert_cmpmem (encoded, encoded_len, expected, expected_len);

  encoder = tally_rlp_encoder_new ();
  tally_rlp_encoder_add_item (encoder, item);
  again = finish (encoder, &again_len);
  g_assert_cmpmem (again, again_len, expected, expected_len);
}

static void
check_invalid (const char *name,
               const char *hex,
               const char *fragment)
{
  g_autofree guint8 *bytes = NULL;
  gsize              len = 0;
  TallyRlpItem      *item = GINT_TO_POINTER (1);
  g_autoptr (GError) error = NULL;

  bytes = tally_test_hex_or_die (hex, &len);
  g_assert_false (tally_rlp_decode (&item, bytes, len, &error));
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
  g_assert_null (item);
  if (strstr (error->message, fragment) == NULL)
    g_error ("%s: message “%s” lacks “%s”", name, error->message, fragment);
}

static void
test_vectors (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("TALLY_SOURCE_DIR"), "tests", "vectors",
                                            "rlp.txt", NULL);
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) error = NULL;
  guint n_valid = 0, n_invalid = 0;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) words = NULL;

      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;
      words = g_strsplit (lines[i], " ", 3);
      g_assert_cmpuint (g_strv_length (words), ==, 3);
      if (g_str_equal (words[0], "valid"))
        {
          const char      *arrow = strstr (words[2], " => ");
          g_autofree char *notation = NULL;

          g_assert_nonnull (arrow);
          notation = g_strndup (words[2], (gsize) (arrow - words[2]));
          check_valid_vector (words[1], notation, arrow + 4);
          n_valid++;
        }
      else
        {
          g_auto (GStrv) parts = g_strsplit (words[2], " | ", 2);

          g_assert_cmpstr (words[0], ==, "invalid");
          g_assert_cmpuint (g_strv_length (parts), ==, 2);
          check_invalid (words[1], parts[0], parts[1]);
          n_invalid++;
        }
    }
  g_assert_cmpuint (n_valid, ==, 28);
  g_assert_cmpuint (n_invalid, ==, 17);
}

static guint8 *
nested_lists (guint  depth,
              gsize *len)
{
  TallyRlpEncoder *encoder = tally_rlp_encoder_new ();

  for (guint i = 0; i < depth; i++)
    tally_rlp_encoder_begin_list (encoder);
  for (guint i = 0; i < depth; i++)
    tally_rlp_encoder_end_list (encoder);
  return finish (encoder, len);
}

static void
test_malformed (void)
{
  static const struct
  {
    const char *hex;
    const char *fragment;
  } cases[] = {
    { "", "empty" },
    { "0x83646f", "declares 3 bytes, but the input ends after 2" },
    { "0xb8", "has a 1-byte length, but the input ends after 0 more bytes" },
    { "0xb90400", "declares 1024 bytes, but the input ends after 0" },
    { "0xc3", "declares 3 bytes, but the input ends after 0" },
    { "0xc28361", "declares 3 bytes, but its enclosing list ends after 1" },
    { "0xc2836162", "declares 3 bytes, but its enclosing list ends after 1" },
    { "0xc1b9", "has a 2-byte length, but its enclosing list ends after 0 more bytes" },
    { "0x8100", "string prefix" },
    { "0x817f", "0x7f at byte 0 has a string prefix" },
    { "0xc3c28105", "0x05 at byte 2 has a string prefix" },
    { "0xb800", "length at byte 1 starts with a zero byte" },
    { "0xf90000", "starts with a zero byte" },
    { "0xb837", "long length form for 55 bytes" },
    { "0xf800", "starts with a zero byte" },
    { "0xf837", "long length form for 55 bytes" },
    { "0xbbffffffff", "declares 4294967295 bytes, but the input ends after 0 more" },
    { "0xbc0100000000", "declares a length of 4294967296 bytes, more than any input" },
    { "0xbfffffffffffffffff", "declares a length of 18446744073709551615 bytes, more than" },
    { "0xffffffffffffffffff", "more than any input" },
    { "0x8000", "1 unexpected bytes follow the RLP item, which ends at byte 1" },
    { "0xc0c0", "1 unexpected bytes follow" },
    { "0x0102", "1 unexpected bytes follow" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    check_invalid (cases[i].hex, cases[i].hex, cases[i].fragment);
}

static void
test_depth_limit (void)
{
  g_autofree guint8 *ok_bytes = NULL;
  g_autofree guint8 *deep_bytes = NULL;
  g_autofree char   *deep_hex = NULL;
  g_autoptr (TallyRlpItem) item = NULL;
  g_autoptr (GError) error = NULL;
  gsize               ok_len = 0, deep_len = 0;
  const TallyRlpItem *walk;

  ok_bytes = nested_lists (TALLY_RLP_MAX_DEPTH, &ok_len);
  g_assert_true (tally_rlp_decode (&item, ok_bytes, ok_len, &error));
  g_assert_no_error (error);
  walk = item;
  for (guint i = 1; i < TALLY_RLP_MAX_DEPTH; i++)
    {
      g_assert_cmpuint (walk->n_children, ==, 1);
      walk = &walk->children[0];
    }
  g_assert_cmpuint (walk->n_children, ==, 0);

  deep_bytes = nested_lists (TALLY_RLP_MAX_DEPTH + 1, &deep_len);
  deep_hex = tally_hex_encode (deep_bytes, deep_len);
  check_invalid ("depth 65", deep_hex, "nested more than 64 deep");
}

static void
test_integers (void)
{
  static const struct
  {
    const char *hex;
    const char *fragment; /* NULL: valid */
    const char *value;
    gboolean    fits_uint64;
  } cases[] = {
    { "0x80", NULL, "0", TRUE },
    { "0x01", NULL, "1", TRUE },
    { "0x7f", NULL, "127", TRUE },
    { "0x8180", NULL, "128", TRUE },
    { "0x88ffffffffffffffff", NULL, "18446744073709551615", TRUE },
    { "0x89010000000000000000", NULL, "18446744073709551616", FALSE },
    { "0xa0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", NULL,
      "115792089237316195423570985008687907853269984665640564039457584007913129639935", FALSE },
    { "0x00", "starts with a zero byte", NULL, FALSE },
    { "0x820001", "starts with a zero byte", NULL, FALSE },
    { "0xa1010000000000000000000000000000000000000000000000000000000000000000",
      "has 33 bytes; at most 32", NULL, FALSE },
    { "0xc0", "found a list", NULL, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree guint8 *bytes = NULL;
      gsize              len = 0;
      g_autoptr (TallyRlpItem) item = NULL;
      g_autoptr (GError) error = NULL;
      g_autoptr (GError) error64 = NULL;
      TallyUint256 value;
      guint64      small = 99;
      gboolean     ok, ok64;

      bytes = tally_test_hex_or_die (cases[i].hex, &len);
      g_assert_true (tally_rlp_decode (&item, bytes, len, &error));
      ok = tally_rlp_item_get_uint256 (&value, item, &error);
      ok64 = tally_rlp_item_get_uint64 (&small, item, &error64);
      if (cases[i].fragment == NULL)
        {
          g_autofree char *decimal = tally_uint256_to_decimal (&value);

          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_cmpstr (decimal, ==, cases[i].value);
          g_assert_cmpint (ok64, ==, cases[i].fits_uint64);
          if (ok64)
            g_assert_cmpuint (small, ==, value.limbs[0]);
          else
            g_assert_nonnull (strstr (error64->message, "at most 8 (64 bits)"));
        }
      else
        {
          g_assert_false (ok);
          g_assert_false (ok64);
          g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
          g_assert_nonnull (strstr (error->message, cases[i].fragment));
          g_assert_true (tally_uint256_is_zero (&value));
          g_assert_cmpuint (small, ==, 0);
        }
    }
}

/* How many bytes the long form needs to write len (0: the short form). */
static gsize
length_of_length (gsize len)
{
  gsize n = 0;

  if (len < 56)
    return 0;
  for (; len != 0; len >>= 8)
    n++;
  return n;
}

static void
test_long_lengths (void)
{
  static const gsize sizes[] = { 55, 56, 255, 256, 65535, 65536, 1 << 20 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree guint8 *payload = g_malloc (sizes[i]);
      g_autofree guint8 *encoded = NULL;
      gsize              len = 0;
      g_autoptr (TallyRlpItem) item = NULL;
      g_autoptr (GError) error = NULL;
      TallyRlpEncoder *encoder = tally_rlp_encoder_new ();
      gsize            string_len = 1 + length_of_length (sizes[i]) + sizes[i];
      gsize            list_header = 1 + length_of_length (string_len);

      memset (payload, 0xab, sizes[i]);
      tally_rlp_encoder_begin_list (encoder);
      tally_rlp_encoder_add_bytes (encoder, payload, sizes[i]);
      tally_rlp_encoder_end_list (encoder);
      encoded = finish (encoder, &len);

      g_assert_cmpuint (len, ==, list_header + string_len);
      g_assert_cmpuint (encoded[0], ==,
                        string_len < 56 ? 0xc0 + string_len : 0xf7 + length_of_length (string_len));
      g_assert_cmpuint (encoded[list_header], ==,
                        sizes[i] < 56 ? 0x80 + sizes[i] : 0xb7 + length_of_length (sizes[i]));
      g_assert_true (tally_rlp_decode (&item, encoded, len, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (item->n_children, ==, 1);
      g_assert_cmpmem (item->children[0].data, item->children[0].len, payload, sizes[i]);
    }
}

/* A random tree of byte strings (often single bytes, often empty) and lists. */
static void
add_random_item (TallyRlpEncoder *encoder,
                 guint            depth)
{
  guint choice = (guint) g_test_rand_int_range (0, depth < 6 ? 10 : 7);

  if (choice >= 7)
    {
      guint n = (guint) g_test_rand_int_range (0, 6);

      tally_rlp_encoder_begin_list (encoder);
      for (guint i = 0; i < n; i++)
        add_random_item (encoder, depth + 1);
      tally_rlp_encoder_end_list (encoder);
    }
  else
    {
      gsize  len = choice < 3 ? (gsize) choice : (gsize) g_test_rand_int_range (0, 120);
      guint8 bytes[120];

      for (gsize i = 0; i < len; i++)
        bytes[i] = (guint8) g_test_rand_int_range (0, choice == 1 ? 0x81 : 256);
      tally_rlp_encoder_add_bytes (encoder, bytes, len);
    }
}

static void
test_random_round_trip (void)
{
  for (guint round = 0; round < 300; round++)
    {
      TallyRlpEncoder   *encoder = tally_rlp_encoder_new ();
      g_autofree guint8 *encoded = NULL;
      g_autofree guint8 *again = NULL;
      g_autofree guint8 *longer = NULL;
      gsize              len = 0, again_len = 0;
      g_autoptr (TallyRlpItem) item = NULL;
      g_autoptr (GError) error = NULL;

      add_random_item (encoder, 0);
      encoded = finish (encoder, &len);
      g_assert_true (tally_rlp_decode (&item, encoded, len, &error));
      g_assert_no_error (error);

      encoder = tally_rlp_encoder_new ();
      tally_rlp_encoder_add_item (encoder, item);
      again = finish (encoder, &again_len);
      g_assert_cmpmem (again, again_len, encoded, len);

      /* Every proper prefix is truncated, and one more byte is trailing. */
      for (gsize cut = 0; cut < len; cut++)
        {
          TallyRlpItem *partial = NULL;
          g_autoptr (GError) cut_error = NULL;

          g_assert_false (tally_rlp_decode (&partial, encoded, cut, &cut_error));
          g_assert_error (cut_error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
          g_assert_null (partial);
        }
      longer = g_malloc (len + 1);
      memcpy (longer, encoded, len);
      longer[len] = 0;
      {
        TallyRlpItem *partial = NULL;
        g_autoptr (GError) trailing_error = NULL;

        g_assert_false (tally_rlp_decode (&partial, longer, len + 1, &trailing_error));
        g_assert_nonnull (strstr (trailing_error->message, "1 unexpected bytes follow"));
      }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wallet/rlp/vectors", test_vectors);
  g_test_add_func ("/wallet/rlp/decode-malformed", test_malformed);
  g_test_add_func ("/wallet/rlp/decode-depth-limit", test_depth_limit);
  g_test_add_func ("/wallet/rlp/integers", test_integers);
  g_test_add_func ("/wallet/rlp/long-lengths", test_long_lengths);
  g_test_add_func ("/wallet/rlp/random-round-trip", test_random_round_trip);

  return g_test_run ();
}
