/* test-eip191.c: personal_sign message hashing and signing (wallet/eip191.c),
 * checked against published vectors and against cast
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "wallet/tally-wallet.h"
#include "tally-test-util.h"

#define N_CAST_MESSAGES 25

static void
random_key (guint8 key[TALLY_PRIVATE_KEY_LEN])
{
  do
    tally_test_random_bytes (key, TALLY_PRIVATE_KEY_LEN);
  while (!tally_private_key_verify (key, NULL));
}

static void
test_vectors (void)
{
  const char      *source_dir = g_getenv ("TALLY_SOURCE_DIR");
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  guint checked = 0;

  g_assert_nonnull (source_dir);
  path = g_build_filename (source_dir, "tests", "vectors", "eip191.txt", NULL);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) row = NULL;
      g_autofree guint8 *message = NULL;
      gsize              message_len = 0;
      guint8             expected_digest[TALLY_DIGEST_LEN];
      guint8             digest[TALLY_DIGEST_LEN];
      g_autoptr (GError) error = NULL;

      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;
      row = g_strsplit (lines[i], " ", -1);
      g_assert_cmpuint (g_strv_length (row), ==, 4);

      g_assert_true (tally_hex_decode (&message, &message_len, row[1], -1, &error));
      g_assert_true (tally_hex_decode_fixed (expected_digest, sizeof expected_digest, row[2], -1,
                                             &error));
      g_assert_no_error (error);
      tally_eip191_hash_message (digest, message, message_len);
      g_assert_cmpmem (digest, sizeof digest, expected_digest, sizeof expected_digest);

      if (strcmp (row[0], "-") != 0)
        {
          guint8       key[TALLY_PRIVATE_KEY_LEN];
          guint8       expected[TALLY_SIGNATURE_LEN];
          guint8       signature[TALLY_SIGNATURE_LEN];
          TallyAddress address;
          TallyAddress recovered;

          g_assert_true (tally_hex_decode_fixed (key, sizeof key, row[0], -1, &error));
          g_assert_true (tally_hex_decode_fixed (expected, sizeof expected, row[3], -1, &error));
          g_assert_no_error (error);
          g_assert_true (tally_eip191_sign_message (signature, key, message, message_len, &error));
          g_assert_no_error (error);
          g_assert_cmpmem (signature, sizeof signature, expected, sizeof expected);

          g_assert_true (tally_address_from_private_key (&address, key, NULL));
          g_assert_true (tally_eip191_recover_address (&recovered, signature, message, message_len,
                                                       &error));
          g_assert_no_error (error);
          g_assert_true (tally_address_equal (&address, &recovered));
        }
      checked++;
    }
  g_assert_cmpuint (checked, >=, 2);
}

/* The length is decimal text, so 9, 10, 99 and 100 bytes change its width:
 * each must hash as prefix ‖ length ‖ message, fed in one piece. */
static void
test_length_prefix (void)
{
  static const gsize lengths[] = { 0, 1, 9, 10, 99, 100, 999, 1000, 65536 };

  for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      g_autofree guint8 *message = g_malloc (lengths[i] + 1);
      g_autofree char   *length_text = g_strdup_printf ("%" G_GSIZE_FORMAT, lengths[i]);
      g_autoptr (GByteArray) whole = g_byte_array_new ();
      guint8 digest[TALLY_DIGEST_LEN];
      guint8 expected[TALLY_DIGEST_LEN];

      tally_test_random_bytes (message, lengths[i]);
      g_byte_array_append (whole, (const guint8 *) "\x19"
                                                   "Ethereum Signed Message:\n",
                           26);
      g_byte_array_append (whole, (const guint8 *) length_text, strlen (length_text));
      g_byte_array_append (whole, message, lengths[i]);
      tally_keccak256 (expected, whole->data, whole->len);

      tally_eip191_hash_message (digest, message, lengths[i]);
      g_assert_cmpmem (digest, sizeof digest, expected, sizeof expected);
    }
}

static void
test_sign_recover (void)
{
  for (guint round = 0; round < 100; round++)
    {
      guint8             key[TALLY_PRIVATE_KEY_LEN];
      gsize              len = g_test_rand_int_range (0, 200);
      g_autofree guint8 *message = g_malloc (len + 1);
      guint8             signature[TALLY_SIGNATURE_LEN];
      TallyAddress       address;
      TallyAddress       recovered;
      g_autoptr (GError) error = NULL;

      random_key (key);
      tally_test_random_bytes (message, len);
      g_assert_true (tally_address_from_private_key (&address, key, NULL));
      g_assert_true (tally_eip191_sign_message (signature, key, message, len, &error));
      g_assert_no_error (error);
      g_assert_true (signature[64] == 27 || signature[64] == 28);

      g_assert_true (tally_eip191_recover_address (&recovered, signature, message, len, &error));
      g_assert_no_error (error);
      g_assert_true (tally_address_equal (&address, &recovered));

      /* A signed message is not a signed digest of the same bytes. */
      if (len == TALLY_DIGEST_LEN)
        {
          g_assert_true (tally_recover_address (&recovered, signature, message, NULL));
          g_assert_false (tally_address_equal (&address, &recovered));
        }
    }
}

static void
test_invalid_key (void)
{
  guint8 key[TALLY_PRIVATE_KEY_LEN] = { 0 };
  guint8 signature[TALLY_SIGNATURE_LEN];
  g_autoptr (GError) error = NULL;

  memset (signature, 0xaa, sizeof signature);
  g_assert_false (tally_eip191_sign_message (signature, key, (const guint8 *) "hi", 2, &error));
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_KEY);
  for (guint i = 0; i < sizeof signature; i++)
    g_assert_cmpuint (signature[i], ==, 0);
}

static void
test_recover_rejects_bad_v (void)
{
  guint8       key[TALLY_PRIVATE_KEY_LEN];
  guint8       signature[TALLY_SIGNATURE_LEN];
  TallyAddress recovered;
  g_autoptr (GError) error = NULL;

  random_key (key);
  g_assert_true (tally_eip191_sign_message (signature, key, (const guint8 *) "hi", 2, NULL));
  signature[64] = 29;
  g_assert_false (tally_eip191_recover_address (&recovered, signature, (const guint8 *) "hi", 2,
                                                &error));
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
}

/* Text as people type it: ASCII, spaces, new lines and a few multi-byte
 * characters, so the length counts bytes, not characters. */
static char *
random_text (void)
{
  static const char *const pieces[] = {
    "a",
    "b",
    "z",
    "A",
    "Q",
    "0",
    "7",
    " ",
    "\n",
    ".",
    "-",
    "\"",
    "'",
    "$",
    "\\",
    "é",
    "€",
    "日本",
    "🙂",
  };
  GString *text = g_string_new (NULL);
  guint    n = g_test_rand_int_range (1, 160);

  for (guint i = 0; i < n; i++)
    g_string_append (text, pieces[g_test_rand_int_range (0, G_N_ELEMENTS (pieces))]);
  /* cast reads a message starting with "0x" as hex. */
  if (g_str_has_prefix (text->str, "0x") || g_str_has_prefix (text->str, "0X"))
    text->str[0] = 'a';

  return g_string_free (text, FALSE);
}

static void
test_cast_text (void)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) lines = NULL;

  for (guint i = 0; i < N_CAST_MESSAGES; i++)
    {
      guint8 key[TALLY_PRIVATE_KEY_LEN];
      guint8 signature[TALLY_SIGNATURE_LEN];
      char  *text = random_text ();

      random_key (key);
      g_assert_true (tally_eip191_sign_message (signature, key, (const guint8 *) text,
                                                strlen (text), NULL));
      g_ptr_array_add (args, tally_hex_encode (key, sizeof key));
      g_ptr_array_add (args, text);
      g_ptr_array_add (expected, tally_hex_encode (signature, sizeof signature));
    }

  lines = tally_test_cast_batch ("\"$c\" wallet sign --private-key \"$1\" -- \"$2\"", 2, args);
  if (lines == NULL)
    return;
  for (guint i = 0; i < N_CAST_MESSAGES; i++)
    g_assert_cmpstr (lines[i], ==, g_ptr_array_index (expected, i));
}

static void
test_cast_bytes (void)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) lines = NULL;

  for (guint i = 0; i < N_CAST_MESSAGES; i++)
    {
      guint8             key[TALLY_PRIVATE_KEY_LEN];
      guint8             signature[TALLY_SIGNATURE_LEN];
      gsize              len = i == 0 ? 0 : g_test_rand_int_range (1, 300);
      g_autofree guint8 *message = g_malloc (len + 1);

      random_key (key);
      tally_test_random_bytes (message, len);
      g_assert_true (tally_eip191_sign_message (signature, key, message, len, NULL));
      g_ptr_array_add (args, tally_hex_encode (key, sizeof key));
      g_ptr_array_add (args, tally_hex_encode (message, len));
      g_ptr_array_add (expected, tally_hex_encode (signature, sizeof signature));
    }

  lines = tally_test_cast_batch ("\"$c\" wallet sign --private-key \"$1\" \"$2\"", 2, args);
  if (lines == NULL)
    return;
  for (guint i = 0; i < N_CAST_MESSAGES; i++)
    g_assert_cmpstr (lines[i], ==, g_ptr_array_index (expected, i));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wallet/eip191/vectors", test_vectors);
  g_test_add_func ("/wallet/eip191/length-prefix", test_length_prefix);
  g_test_add_func ("/wallet/eip191/sign-recover", test_sign_recover);
  g_test_add_func ("/wallet/eip191/invalid-key", test_invalid_key);
  g_test_add_func ("/wallet/eip191/recover-rejects-bad-v", test_recover_rejects_bad_v);
  g_test_add_func ("/wallet/eip191/cast-text", test_cast_text);
  g_test_add_func ("/wallet/eip191/cast-bytes", test_cast_bytes);

  return g_test_run ();
}
