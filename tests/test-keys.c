/* test-keys.c: secp256k1 keys, EIP-55 addresses, signing and recovery
 * (wallet/keys.c), checked against published vectors and against cast;
 * test-keys-wipe.c checks for secrets left behind on the stack
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <secp256k1_recovery.h>

#include "wallet/tally-wallet.h"
#include "tally-test-util.h"

#define N_CAST_ADDRESSES  32
#define N_CAST_GENERATED  1000
#define N_CAST_SIGNATURES 30

/* The order n of the secp256k1 group and n / 2, big-endian. */
static const guint8 curve_order[32] = {
  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
  0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41
};
static const guint8 half_order[32] = {
  0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
  0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0
};

static void
random_key (guint8 key[TALLY_PRIVATE_KEY_LEN])
{
  do
    tally_test_random_bytes (key, TALLY_PRIVATE_KEY_LEN);
  while (!secp256k1_ec_seckey_verify (tally_secp256k1_context (), key));
}

static void
test_eip55_vectors (void)
{
  g_autoptr (GPtrArray) rows = tally_test_read_vectors ("eip55.txt");

  for (guint i = 0; i < rows->len; i++)
    {
      const char      *text = ((char **) g_ptr_array_index (rows, i))[0];
      TallyAddress     address;
      TallyAddress     again;
      char             out[TALLY_ADDRESS_STRING_SIZE];
      g_autofree char *lower = g_ascii_strdown (text, -1);
      g_autofree char *upper = g_strdup (text);
      g_autoptr (GError) error = NULL;

      g_assert_true (tally_address_parse (&address, text, &error));
      g_assert_no_error (error);
      tally_address_to_string (&address, out);
      g_assert_cmpstr (out, ==, text);

      /* Case carries no data: every spelling is the same address. */
      for (char *c = upper + 2; *c != '\0'; c++)
        *c = g_ascii_toupper (*c);
      g_assert_true (tally_address_parse (&again, lower, &error));
      g_assert_no_error (error);
      g_assert_true (tally_address_equal (&address, &again));
      g_assert_true (tally_address_parse (&again, upper, &error));
      g_assert_no_error (error);
      g_assert_true (tally_address_equal (&address, &again));
      g_assert_true (tally_address_parse (&again, text + 2, &error));
      g_assert_no_error (error);
      g_assert_true (tally_address_equal (&address, &again));
    }
}

/* Flipping the case of any one letter of a checksummed address is the typo
 * EIP-55 exists to catch. */
static void
test_parse_rejects_bad_checksum (void)
{
  g_autoptr (GPtrArray) rows = tally_test_read_vectors ("eip55.txt");
  guint flips = 0;

  for (guint i = 0; i < rows->len; i++)
    {
      const char *text = ((char **) g_ptr_array_index (rows, i))[0];

      for (guint j = 2; text[j] != '\0'; j++)
        {
          g_autofree char *typo = g_strdup (text);
          TallyAddress     address;
          g_autoptr (GError) error = NULL;

          if (!g_ascii_isalpha (typo[j]))
            continue;
          if (g_ascii_isupper (typo[j]))
            typo[j] = g_ascii_tolower (typo[j]);
          else
            typo[j] = g_ascii_toupper (typo[j]);
          memset (&address, 0xaa, sizeof address);
          g_assert_false (tally_address_parse (&address, typo, &error));
          g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_ADDRESS);
          g_assert_nonnull (strstr (error->message, "checksum does not match"));
          g_assert_nonnull (strstr (error->message, "typo"));
          for (guint k = 0; k < TALLY_ADDRESS_LEN; k++)
            g_assert_cmpuint (address.bytes[k], ==, 0);
          flips++;
        }
    }
  g_assert_cmpuint (flips, >, 100);
}

static void
test_parse_rejects_malformed (void)
{
  static const struct
  {
    const char *text;
    const char *message_part;
  } cases[] = {
    { "", "this one has 0" },
    { "0x", "this one has 0" },
    { "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", "this one has 39" },
    { "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed0", "this one has 41" },
    { "0x0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA", "it contains “x”" },
    { "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg", "it contains “g”" },
    { "0x 5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", "a space or an invisible character" },
    { "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe\t", "a space or an invisible character" },
    { " 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", "this one has 42" },
    /* A Cyrillic "е" (2 bytes) in place of the last "d". */
    { "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA\xd0\xb5", "it contains “е”, which" },
    /* Half of a UTF-8 sequence: not text at all. */
    { "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe\xd0", "a space or an invisible character" },
    /* A zero-width space, pasted along or in place of a digit. */
    { "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA\xe2\x80\x8b", "this one has 41" },
    { "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1Be\xe2\x80\x8b", "a space or an invisible character" },
    { "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", "this one has 39" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TallyAddress address;
      g_autoptr (GError) error = NULL;

      memset (&address, 0xaa, sizeof address);
      g_assert_false (tally_address_parse (&address, cases[i].text, &error));
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_ADDRESS);
      if (strstr (error->message, cases[i].message_part) == NULL)
        g_error ("“%s”: message “%s” lacks “%s”", cases[i].text, error->message,
                 cases[i].message_part);
      for (guint k = 0; k < TALLY_ADDRESS_LEN; k++)
        g_assert_cmpuint (address.bytes[k], ==, 0);
    }
}

static void
test_address_vectors (void)
{
  g_autoptr (GPtrArray) rows = tally_test_read_vectors ("addresses.txt");

  for (guint i = 0; i < rows->len; i++)
    {
      char       **row = g_ptr_array_index (rows, i);
      guint8       key[TALLY_PRIVATE_KEY_LEN];
      guint8       public_key[TALLY_PUBLIC_KEY_LEN];
      TallyAddress address;
      TallyAddress from_public;
      char         out[TALLY_ADDRESS_STRING_SIZE];
      g_autoptr (GError) error = NULL;

      g_assert_true (tally_hex_decode_fixed (key, sizeof key, row[0], -1, &error));
      g_assert_no_error (error);
      g_assert_true (tally_private_key_verify (key, &error));
      g_assert_no_error (error);
      g_assert_true (tally_address_from_private_key (&address, key, &error));
      g_assert_no_error (error);
      tally_address_to_string (&address, out);
      g_assert_cmpstr (out, ==, row[1]);

      g_assert_true (tally_public_key_from_private (public_key, key, &error));
      g_assert_no_error (error);
      tally_address_from_public_key (&from_public, public_key);
      g_assert_true (tally_address_equal (&address, &from_public));
    }
}

static void
test_invalid_keys (void)
{
  guint8 keys[4][TALLY_PRIVATE_KEY_LEN];

  memset (keys[0], 0, TALLY_PRIVATE_KEY_LEN);
  memcpy (keys[1], curve_order, TALLY_PRIVATE_KEY_LEN);
  memcpy (keys[2], curve_order, TALLY_PRIVATE_KEY_LEN);
  keys[2][TALLY_PRIVATE_KEY_LEN - 1]++;
  memset (keys[3], 0xff, TALLY_PRIVATE_KEY_LEN);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      guint8       public_key[TALLY_PUBLIC_KEY_LEN];
      guint8       signature[TALLY_SIGNATURE_LEN];
      guint8       digest[TALLY_DIGEST_LEN] = { 1 };
      TallyAddress address;
      g_autoptr (GError) error = NULL;

      g_assert_false (tally_private_key_verify (keys[i], &error));
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_KEY);
      g_clear_error (&error);

      memset (public_key, 0xaa, sizeof public_key);
      g_assert_false (tally_public_key_from_private (public_key, keys[i], &error));
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_KEY);
      g_clear_error (&error);
      for (guint k = 0; k < sizeof public_key; k++)
        g_assert_cmpuint (public_key[k], ==, 0);

      memset (&address, 0xaa, sizeof address);
      g_assert_false (tally_address_from_private_key (&address, keys[i], &error));
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_KEY);
      g_clear_error (&error);
      for (guint k = 0; k < TALLY_ADDRESS_LEN; k++)
        g_assert_cmpuint (address.bytes[k], ==, 0);

      memset (signature, 0xaa, sizeof signature);
      g_assert_false (tally_sign_digest (signature, keys[i], digest, &error));
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_KEY);
      for (guint k = 0; k < sizeof signature; k++)
        g_assert_cmpuint (signature[k], ==, 0);
    }

  /* n - 1 is the largest valid key. */
  keys[1][TALLY_PRIVATE_KEY_LEN - 1]--;
  g_assert_true (tally_private_key_verify (keys[1], NULL));
}

static void
test_generate (void)
{
  guint8 previous[TALLY_PRIVATE_KEY_LEN] = { 0 };

  for (guint i = 0; i < 64; i++)
    {
      guint8 key[TALLY_PRIVATE_KEY_LEN];
      g_autoptr (GError) error = NULL;

      g_assert_true (tally_private_key_generate (key, &error));
      g_assert_no_error (error);
      g_assert_true (tally_private_key_verify (key, NULL));
      g_assert_true (memcmp (key, previous, sizeof key) != 0);
      memcpy (previous, key, sizeof key);
    }
}

static gboolean
is_low_s (const guint8 signature[TALLY_SIGNATURE_LEN])
{
  return memcmp (signature + 32, half_order, 32) <= 0;
}

static void
test_sign_recover_round_trip (void)
{
  for (guint round = 0; round < 200; round++)
    {
      guint8       key[TALLY_PRIVATE_KEY_LEN];
      guint8       digest[TALLY_DIGEST_LEN];
      guint8       signature[TALLY_SIGNATURE_LEN];
      guint8       again[TALLY_SIGNATURE_LEN];
      TallyAddress address;
      TallyAddress recovered;
      g_autoptr (GError) error = NULL;

      random_key (key);
      tally_test_random_bytes (digest, sizeof digest);
      g_assert_true (tally_address_from_private_key (&address, key, &error));
      g_assert_true (tally_sign_digest (signature, key, digest, &error));
      g_assert_no_error (error);

      g_assert_cmpuint (signature[64], <=, 1);
      g_assert_true (is_low_s (signature));
      g_assert_true (tally_sign_digest (again, key, digest, &error));
      g_assert_cmpmem (signature, sizeof signature, again, sizeof again);

      g_assert_true (tally_recover_address (&recovered, signature, digest, &error));
      g_assert_no_error (error);
      g_assert_true (tally_address_equal (&address, &recovered));

      signature[64] += 27;
      g_assert_true (tally_recover_address (&recovered, signature, digest, &error));
      g_assert_no_error (error);
      g_assert_true (tally_address_equal (&address, &recovered));

      /* Another digest recovers someone else (or nobody). */
      digest[round % sizeof digest] ^= 0x01;
      if (tally_recover_address (&recovered, signature, digest, &error))
        g_assert_false (tally_address_equal (&address, &recovered));
      else
        g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
    }
}

/* (r, n - s) with the other recovery id is the same signature in its
 * high-s form: libsecp256k1 recovers the same key from it, we must not. */
static void
test_recover_rejects_high_s (void)
{
  const secp256k1_context *ctx = tally_secp256k1_context ();

  for (guint round = 0; round < 50; round++)
    {
      guint8                                key[TALLY_PRIVATE_KEY_LEN];
      guint8                                digest[TALLY_DIGEST_LEN];
      guint8                                signature[TALLY_SIGNATURE_LEN];
      TallyAddress                          address;
      TallyAddress                          recovered;
      secp256k1_ecdsa_recoverable_signature raw;
      secp256k1_pubkey                      point;
      guint8                                serialized[65];
      size_t                                serialized_len = sizeof serialized;
      guint                                 borrow = 0;
      g_autoptr (GError) error = NULL;

      random_key (key);
      tally_test_random_bytes (digest, sizeof digest);
      g_assert_true (tally_address_from_private_key (&address, key, NULL));
      g_assert_true (tally_sign_digest (signature, key, digest, NULL));

      for (int i = 31; i >= 0; i--)
        {
          int d = curve_order[i] - signature[32 + i] - (int) borrow;

          borrow = d < 0;
          signature[32 + i] = (guint8) (d + (borrow ? 256 : 0));
        }
      signature[64] ^= 1;
      g_assert_false (is_low_s (signature));

      g_assert_true (secp256k1_ecdsa_recoverable_signature_parse_compact (ctx, &raw, signature,
                                                                          signature[64]));
      g_assert_true (secp256k1_ecdsa_recover (ctx, &point, &raw, digest));
      secp256k1_ec_pubkey_serialize (ctx, serialized, &serialized_len, &point,
                                     SECP256K1_EC_UNCOMPRESSED);
      tally_address_from_public_key (&recovered, serialized + 1);
      g_assert_true (tally_address_equal (&address, &recovered));

      memset (&recovered, 0xaa, sizeof recovered);
      g_assert_false (tally_recover_address (&recovered, signature, digest, &error));
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
      g_assert_nonnull (strstr (error->message, "high"));
      for (guint k = 0; k < TALLY_ADDRESS_LEN; k++)
        g_assert_cmpuint (recovered.bytes[k], ==, 0);
    }
}

static void
test_recover_rejects_malformed (void)
{
  guint8       key[TALLY_PRIVATE_KEY_LEN];
  guint8       digest[TALLY_DIGEST_LEN];
  guint8       signature[TALLY_SIGNATURE_LEN];
  guint8       bad[TALLY_SIGNATURE_LEN];
  TallyAddress recovered;

  random_key (key);
  tally_test_random_bytes (digest, sizeof digest);
  g_assert_true (tally_sign_digest (signature, key, digest, NULL));

  for (guint v = 0; v < 256; v++)
    {
      g_autoptr (GError) error = NULL;
      gboolean valid_v = v == 0 || v == 1 || v == 27 || v == 28;

      memcpy (bad, signature, sizeof bad);
      bad[64] = (guint8) v;
      if (valid_v)
        {
          /* The wrong parity recovers another key, or none. */
          if (tally_recover_address (&recovered, bad, digest, &error))
            continue;
          g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
          continue;
        }
      g_assert_false (tally_recover_address (&recovered, bad, digest, &error));
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
      g_assert_nonnull (strstr (error->message, "recovery byte"));
    }

  /* r = 0, r = n and s = n: out of range or no point. */
  for (guint which = 0; which < 3; which++)
    {
      g_autoptr (GError) error = NULL;

      memcpy (bad, signature, sizeof bad);
      if (which == 0)
        memset (bad, 0, 32);
      else if (which == 1)
        memcpy (bad, curve_order, 32);
      else
        memcpy (bad + 32, curve_order, 32);
      g_assert_false (tally_recover_address (&recovered, bad, digest, &error));
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
    }
}

/* Keys of our choosing, weighted to the edges: leading zero bytes (where
 * encoders slip), the largest key, random ones. */
static void
test_cast_addresses (void)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) lines = NULL;

  for (guint i = 0; i < N_CAST_ADDRESSES; i++)
    {
      guint8       key[TALLY_PRIVATE_KEY_LEN];
      TallyAddress address;
      char         out[TALLY_ADDRESS_STRING_SIZE];

      random_key (key);
      if (i % 2 == 0)
        {
          memset (key, 0, i % 31);
          key[TALLY_PRIVATE_KEY_LEN - 1] |= 1;
        }
      if (i == 1)
        {
          memcpy (key, curve_order, sizeof key);
          key[TALLY_PRIVATE_KEY_LEN - 1]--;
        }
      g_assert_true (tally_address_from_private_key (&address, key, NULL));
      tally_address_to_string (&address, out);
      g_ptr_array_add (args, tally_hex_encode (key, sizeof key));
      g_ptr_array_add (expected, g_strdup (out));
    }

  lines = tally_test_cast_batch ("\"$c\" wallet address --private-key \"$1\"", 1, args);
  if (lines == NULL)
    return;
  for (guint i = 0; i < N_CAST_ADDRESSES; i++)
    g_assert_cmpstr (lines[i], ==, g_ptr_array_index (expected, i));
}

/* Keys of cast's choosing, many in one process: `cast wallet new` prints
 * each key with its address. */
static void
test_cast_generated_keys (void)
{
  g_autofree char *cast = tally_test_find_cast ();
  g_autofree char *number = g_strdup_printf ("%u", N_CAST_GENERATED);
  g_autofree char *out = NULL;
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  const char *address_text = NULL;
  guint       checked = 0;

  if (cast == NULL)
    return;
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, cast, "wallet", "new",
                           "--number", number, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (proc));

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "Address:"))
        address_text = g_strstrip (lines[i] + strlen ("Address:"));
      else if (g_str_has_prefix (lines[i], "Private key:"))
        {
          guint8       key[TALLY_PRIVATE_KEY_LEN];
          TallyAddress address;
          char         mine[TALLY_ADDRESS_STRING_SIZE];

          g_assert_nonnull (address_text);
          g_assert_true (tally_hex_decode_fixed (key, sizeof key,
                                                 g_strstrip (lines[i] + strlen ("Private key:")),
                                                 -1, NULL));
          g_assert_true (tally_address_from_private_key (&address, key, NULL));
          tally_address_to_string (&address, mine);
          g_assert_cmpstr (mine, ==, address_text);
          address_text = NULL;
          checked++;
        }
    }
  g_assert_cmpuint (checked, ==, N_CAST_GENERATED);
}

static void
test_cast_signatures (void)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) lines = NULL;

  for (guint i = 0; i < N_CAST_SIGNATURES; i++)
    {
      guint8 key[TALLY_PRIVATE_KEY_LEN];
      guint8 digest[TALLY_DIGEST_LEN];
      guint8 signature[TALLY_SIGNATURE_LEN];

      random_key (key);
      tally_test_random_bytes (digest, sizeof digest);
      g_assert_true (tally_sign_digest (signature, key, digest, NULL));
      /* cast writes v as 27/28. */
      signature[64] += 27;
      g_ptr_array_add (args, tally_hex_encode (key, sizeof key));
      g_ptr_array_add (args, tally_hex_encode (digest, sizeof digest));
      g_ptr_array_add (expected, tally_hex_encode (signature, sizeof signature));
    }

  lines = tally_test_cast_batch ("\"$c\" wallet sign --no-hash --private-key \"$1\" \"$2\"", 2, args);
  if (lines == NULL)
    return;
  for (guint i = 0; i < N_CAST_SIGNATURES; i++)
    g_assert_cmpstr (lines[i], ==, g_ptr_array_index (expected, i));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wallet/keys/eip55-vectors", test_eip55_vectors);
  g_test_add_func ("/wallet/keys/parse-rejects-bad-checksum", test_parse_rejects_bad_checksum);
  g_test_add_func ("/wallet/keys/parse-rejects-malformed", test_parse_rejects_malformed);
  g_test_add_func ("/wallet/keys/address-vectors", test_address_vectors);
  g_test_add_func ("/wallet/keys/invalid-keys", test_invalid_keys);
  g_test_add_func ("/wallet/keys/generate", test_generate);
  g_test_add_func ("/wallet/keys/sign-recover-round-trip", test_sign_recover_round_trip);
  g_test_add_func ("/wallet/keys/recover-rejects-high-s", test_recover_rejects_high_s);
  g_test_add_func ("/wallet/keys/recover-rejects-malformed", test_recover_rejects_malformed);
  g_test_add_func ("/wallet/keys/cast-addresses", test_cast_addresses);
  g_test_add_func ("/wallet/keys/cast-generated-keys", test_cast_generated_keys);
  g_test_add_func ("/wallet/keys/cast-signatures", test_cast_signatures);

  return g_test_run ();
}
