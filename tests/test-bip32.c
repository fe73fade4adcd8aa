/* test-bip32.c: BIP-32 hierarchical deterministic keys (wallet/bip32.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "tests/tally-test-stack.h"
#include "wallet/tally-wallet.h"

#define ABOUT_12 "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

static void
test_vectors (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("TALLY_SOURCE_DIR"), "tests", "vectors",
                                            "bip32.txt", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  g_auto (TallyBip32Key) master = { 0 };
  guint n_seeds = 0;
  guint n_chains = 0;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) fields = NULL;
      g_auto (TallyBip32Key) key = { 0 };
      g_autoptr (TallySecret) xprv = NULL;
      g_autofree char *xpub = NULL;

      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;
      fields = g_strsplit (lines[i], " ", -1);

      if (g_str_equal (fields[0], "seed"))
        {
          g_autofree guint8 *seed = NULL;
          gsize              seed_len = 0;

          g_assert_cmpuint (g_strv_length (fields), ==, 2);
          g_assert_true (tally_hex_decode (&seed, &seed_len, fields[1], -1, &error));
          g_assert_true (tally_bip32_master_from_seed (&master, seed, seed_len, &error));
          g_assert_no_error (error);
          n_seeds++;
          continue;
        }

      g_assert_cmpuint (g_strv_length (fields), ==, 3);
      g_assert_true (tally_bip32_derive_path (&key, &master, fields[0], &error));
      g_assert_no_error (error);
      xpub = tally_bip32_serialize_public (&key);
      xprv = tally_bip32_serialize_private (&key);
      g_assert_cmpstr (xpub, ==, fields[1]);
      g_assert_cmpstr ((const char *) xprv->data, ==, fields[2]);
      g_assert_cmpuint (xprv->len, ==, strlen (fields[2]) + 1);
      n_chains++;
    }

  g_assert_cmpuint (n_seeds, ==, 2);
  g_assert_cmpuint (n_chains, ==, 12);
}

static void
test_step_by_step (void)
{
  /* Deriving one level at a time, in place, equals deriving the path. */
  static const guint8 seed[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
  g_auto (TallyBip32Key) stepwise = { 0 };
  g_auto (TallyBip32Key) by_path = { 0 };
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_bip32_master_from_seed (&stepwise, seed, sizeof seed, &error));
  g_assert_true (tally_bip32_derive_path (&by_path, &stepwise, "m/0h/1/2H/2/1000000000", &error));
  g_assert_true (tally_bip32_derive_child (&stepwise, &stepwise, TALLY_BIP32_HARDENED | 0, &error));
  g_assert_true (tally_bip32_derive_child (&stepwise, &stepwise, 1, &error));
  g_assert_true (tally_bip32_derive_child (&stepwise, &stepwise, TALLY_BIP32_HARDENED | 2, &error));
  g_assert_true (tally_bip32_derive_child (&stepwise, &stepwise, 2, &error));
  g_assert_true (tally_bip32_derive_child (&stepwise, &stepwise, 1000000000, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (&stepwise, sizeof stepwise, &by_path, sizeof by_path);
  g_assert_cmpuint (stepwise.depth, ==, 5);
  g_assert_cmpuint (stepwise.child_number, ==, 1000000000);
}

static void
test_parse_path (void)
{
  static const struct
  {
    const char *path;
    gsize       n;
    guint32     indices[5];
  } good[] = {
    { "m", 0, { 0 } },
    { "m/0", 1, { 0 } },
    { "m/44'/60'/0'/0/3", 5, { 0x8000002c, 0x8000003c, 0x80000000, 0, 3 } },
    { "m/44h/60H/0'/0/2147483647", 5, { 0x8000002c, 0x8000003c, 0x80000000, 0, 0x7fffffff } },
    { "m/2147483647'", 1, { 0xffffffff } },
  };
  static const char *const bad[] = {
    "",
    "M/0",
    "0/1",
    "m/",
    "m//0",
    "m/0/",
    "m/-1",
    "m/+1",
    "m/01",
    "m/00",
    "m/1''",
    "m/1'h",
    "m/2147483648",
    "m/4294967296",
    "m/99999999999999999999",
    "m/0x10",
    "m/ 1",
    "m/1 ",
    "m/1a",
    "mm/1",
    "/m/1",
    "m/1/'",
    "m/'",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      guint32 indices[8];
      gsize   n = 99;
      g_autoptr (GError) error = NULL;

      g_assert_true (tally_bip32_parse_path (indices, G_N_ELEMENTS (indices), &n, good[i].path, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (n, ==, good[i].n);
      g_assert_cmpmem (indices, n * sizeof (guint32), good[i].indices, n * sizeof (guint32));
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      guint32 indices[8];
      gsize   n = 99;
      g_autoptr (GError) error = NULL;

      if (tally_bip32_parse_path (indices, G_N_ELEMENTS (indices), &n, bad[i], &error))
        g_error ("“%s” was accepted", bad[i]);
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
      g_assert_cmpuint (n, ==, 0);
    }

  /* More levels than the caller has room for. */
  {
    guint32 indices[2];
    gsize   n = 99;
    g_autoptr (GError) error = NULL;

    g_assert_false (tally_bip32_parse_path (indices, G_N_ELEMENTS (indices), &n, "m/1/2/3", &error));
    g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_LENGTH);
    g_assert_cmpuint (n, ==, 0);
    g_assert_cmpuint (indices[0], ==, 0);
  }
}

static void
test_seed_lengths (void)
{
  guint8 seed[65] = { 0 };

  for (gsize len = 0; len <= sizeof seed; len++)
    {
      g_auto (TallyBip32Key) key = { 0 };
      g_autoptr (GError) error = NULL;
      gboolean valid = len >= TALLY_BIP32_MIN_SEED_LEN && len <= TALLY_BIP32_MAX_SEED_LEN;

      memset (&key, 0x55, sizeof key);
      g_assert_cmpint (tally_bip32_master_from_seed (&key, seed, len, &error), ==, valid);
      if (!valid)
        {
          TallyBip32Key zero = { 0 };

          g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_LENGTH);
          g_assert_cmpmem (&key, sizeof key, &zero, sizeof zero);
        }
    }
}

static void
test_ethereum_key (void)
{
  /* The well-known first accounts of the "abandon … about" phrase without a
   * passphrase (as MetaMask, Ledger and cast derive them). */
  static const char *const addresses[] = {
    "0x9858EfFD232B4033E47d90003D41EC34EcaEda94",
    "0x6Fac4D18c912343BF86fa7049364Dd4E424Ab9C0",
  };
  g_autoptr (TallySecret) seed = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (TallyBip32Key) master = { 0 };
  g_auto (TallyBip32Key) by_path = { 0 };
  guint8 key[TALLY_BIP32_KEY_LEN];

  g_assert_true (tally_bip39_to_seed (&seed, ABOUT_12, NULL, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (addresses); i++)
    {
      TallyAddress address;
      char         text[TALLY_ADDRESS_STRING_SIZE];

      g_assert_true (tally_bip32_derive_ethereum_key (key, seed->data, seed->len, i, &error));
      g_assert_true (tally_address_from_private_key (&address, key, &error));
      g_assert_no_error (error);
      tally_address_to_string (&address, text);
      g_assert_cmpstr (text, ==, addresses[i]);
    }

  /* Index 1 equals the explicit path. */
  g_assert_true (tally_bip32_master_from_seed (&master, seed->data, seed->len, &error));
  g_assert_true (tally_bip32_derive_path (&by_path, &master, "m/44'/60'/0'/0/1", &error));
  g_assert_no_error (error);
  g_assert_cmpmem (by_path.private_key, TALLY_BIP32_KEY_LEN, key, sizeof key);

  /* Hardened account indices are not part of the standard path. */
  memset (key, 0xaa, sizeof key);
  g_assert_false (tally_bip32_derive_ethereum_key (key, seed->data, seed->len, TALLY_BIP32_HARDENED,
                                                   &error));
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_LENGTH);
  for (guint i = 0; i < sizeof key; i++)
    g_assert_cmpuint (key[i], ==, 0);
}

static void
test_max_depth (void)
{
  static const guint8 seed[16] = { 1 };
  g_auto (TallyBip32Key) key = { 0 };
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_bip32_master_from_seed (&key, seed, sizeof seed, &error));
  for (guint i = 0; i < TALLY_BIP32_MAX_DEPTH; i++)
    g_assert_true (tally_bip32_derive_child (&key, &key, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (key.depth, ==, 255);
  g_assert_false (tally_bip32_derive_child (&key, &key, 0, &error));
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_LENGTH);
}

typedef struct
{
  const guint8 *seed;
  gsize         seed_len;
  guint8        key[TALLY_BIP32_KEY_LEN];
} StackJob;

static void
derive_on_stack (gpointer data)
{
  StackJob *job = data;
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_bip32_derive_ethereum_key (job->key, job->seed, job->seed_len, 7, &error));
  g_assert_no_error (error);
}

static void
test_stack_wiped (void)
{
  static const char *const levels[] = {
    "m",
    "m/44'",
    "m/44'/60'",
    "m/44'/60'/0'",
    "m/44'/60'/0'/0",
    "m/44'/60'/0'/0/7",
  };
  g_autoptr (TallySecret) seed = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (TallyBip32Key) master = { 0 };
  StackJob *job = g_new0 (StackJob, 1);

  g_assert_true (tally_bip39_to_seed (&seed, ABOUT_12, "stack", &error));
  g_assert_no_error (error);
  job->seed = seed->data;
  job->seed_len = seed->len;
  tally_test_run_on_scratch_stack (derive_on_stack, job);

  /* Every level's key and chain code: with any of them an attacker derives
   * the account key. */
  g_assert_true (tally_bip32_master_from_seed (&master, seed->data, seed->len, &error));
  for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
    {
      g_auto (TallyBip32Key) key = { 0 };

      g_assert_true (tally_bip32_derive_path (&key, &master, levels[i], &error));
      g_assert_no_error (error);
      tally_test_assert_not_on_scratch_stack ("private key", key.private_key, sizeof key.private_key);
      tally_test_assert_not_on_scratch_stack ("chain code", key.chain_code, sizeof key.chain_code);
      if (i == G_N_ELEMENTS (levels) - 1)
        g_assert_cmpmem (job->key, sizeof job->key, key.private_key, sizeof key.private_key);
    }
  tally_wipe (job->key, sizeof job->key);
  g_free (job);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wallet/bip32/vectors", test_vectors);
  g_test_add_func ("/wallet/bip32/step-by-step", test_step_by_step);
  g_test_add_func ("/wallet/bip32/parse-path", test_parse_path);
  g_test_add_func ("/wallet/bip32/seed-lengths", test_seed_lengths);
  g_test_add_func ("/wallet/bip32/ethereum-key", test_ethereum_key);
  g_test_add_func ("/wallet/bip32/max-depth", test_max_depth);
  g_test_add_func ("/wallet/bip32/stack-wiped", test_stack_wiped);

  return g_test_run ();
}
