/* test-bip39.c: BIP-39 mnemonics and seeds (wallet/bip39.c)
 *
 * The published vectors (tests/vectors/bip39-english.txt) pin the word
 * list, the checksum and the seed; random phrases are cross-checked against
 * cast, an independent implementation, through the whole BIP-44 path down to
 * the Ethereum address.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "tests/tally-test-stack.h"
#include "wallet/tally-wallet.h"

#define ABOUT_12         "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
#define N_CAST_MNEMONICS 50
#define N_CAST_INDICES   3

typedef struct
{
  char *entropy;
  char *mnemonic;
  char *seed;
  char *xprv;
} Vector;

static void
vector_free (gpointer data)
{
  Vector *v = data;

  g_free (v->entropy);
  g_free (v->mnemonic);
  g_free (v->seed);
  g_free (v->xprv);
  g_free (v);
}

static GPtrArray *
load_vectors (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("TALLY_SOURCE_DIR"), "tests", "vectors",
                                            "bip39-english.txt", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  GPtrArray *vectors = g_ptr_array_new_with_free_func (vector_free);

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) fields = NULL;
      Vector *v;

      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;
      fields = g_strsplit (lines[i], " | ", -1);
      g_assert_cmpuint (g_strv_length (fields), ==, 4);
      v = g_new0 (Vector, 1);
      v->entropy = g_strdup (fields[0]);
      v->mnemonic = g_strdup (fields[1]);
      v->seed = g_strdup (fields[2]);
      v->xprv = g_strdup (fields[3]);
      g_ptr_array_add (vectors, v);
    }
  g_assert_cmpuint (vectors->len, ==, 24);
  return vectors;
}

static void
test_wordlist (void)
{
  g_assert_cmpstr (tally_bip39_word (0), ==, "abandon");
  g_assert_cmpstr (tally_bip39_word (1), ==, "ability");
  g_assert_cmpstr (tally_bip39_word (TALLY_BIP39_WORD_COUNT - 1), ==, "zoo");
  for (guint i = 1; i < TALLY_BIP39_WORD_COUNT; i++)
    g_assert_cmpint (strcmp (tally_bip39_word (i - 1), tally_bip39_word (i)), <, 0);
}

static void
test_vectors (void)
{
  g_autoptr (GPtrArray) vectors = load_vectors ();

  for (guint i = 0; i < vectors->len; i++)
    {
      Vector *v = g_ptr_array_index (vectors, i);
      g_autoptr (TallySecret) mnemonic = NULL;
      g_autoptr (TallySecret) entropy = NULL;
      g_autoptr (TallySecret) seed = NULL;
      g_autoptr (TallySecret) xprv = NULL;
      g_autoptr (GError) error = NULL;
      g_autofree guint8 *expected_entropy = NULL;
      g_autofree char   *seed_hex = NULL;
      gsize              expected_len = 0;
      g_auto (TallyBip32Key) master = { 0 };

      g_assert_true (tally_hex_decode (&expected_entropy, &expected_len, v->entropy, -1, &error));
      g_assert_true (tally_bip39_from_entropy (&mnemonic, expected_entropy, expected_len, &error));
      g_assert_no_error (error);
      g_assert_cmpstr ((const char *) mnemonic->data, ==, v->mnemonic);
      g_assert_cmpuint (mnemonic->len, ==, strlen (v->mnemonic) + 1);

      g_assert_true (tally_bip39_to_entropy (&entropy, v->mnemonic, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (entropy->data, entropy->len, expected_entropy, expected_len);

      g_assert_true (tally_bip39_to_seed (&seed, v->mnemonic, "TREZOR", &error));
      g_assert_no_error (error);
      seed_hex = tally_hex_encode_bare (seed->data, seed->len);
      g_assert_cmpstr (seed_hex, ==, v->seed);

      g_assert_true (tally_bip32_master_from_seed (&master, seed->data, seed->len, &error));
      g_assert_no_error (error);
      xprv = tally_bip32_serialize_private (&master);
      g_assert_cmpstr ((const char *) xprv->data, ==, v->xprv);
    }
}

static void
test_seed_time (void)
{
  g_autoptr (TallySecret) seed = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *hex = NULL;
  double           elapsed;

  g_test_timer_start ();
  g_assert_true (tally_bip39_to_seed (&seed, ABOUT_12, "TREZOR", &error));
  elapsed = g_test_timer_elapsed ();
  g_assert_no_error (error);
  hex = tally_hex_encode_bare (seed->data, 4);
  g_assert_cmpstr (hex, ==, "c55257c3");
  g_test_message ("BIP-39 seed derivation (PBKDF2-HMAC-SHA512, 2048 rounds): %.2f ms",
                  elapsed * 1000);
  /* Far above what nettle needs (a few ms); catches an accidental 100x. */
  g_assert_cmpfloat (elapsed, <, 1.0);
}

static void
test_normalize (void)
{
  /* Upper case, tabs, newlines, a no-break space (U+00A0) and an ideographic
   * space (U+3000): all the same phrase once normalized. */
  const char *inputs[] = {
    "  ABANDON abandon\tabandon abandon\nabandon abandon abandon abandon abandon abandon abandon About \n",
    "abandon\u00a0abandon abandon abandon abandon abandon abandon abandon abandon abandon "
    "abandon\u3000about",
  };
  g_autoptr (TallySecret) reference = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_bip39_to_seed (&reference, ABOUT_12, NULL, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr (TallySecret) normalized = NULL;
      g_autoptr (TallySecret) seed = NULL;

      g_assert_true (tally_bip39_normalize (&normalized, inputs[i], &error));
      g_assert_no_error (error);
      g_assert_cmpstr ((const char *) normalized->data, ==, ABOUT_12);
      g_assert_cmpuint (normalized->len, ==, strlen (ABOUT_12) + 1);
      g_assert_true (tally_bip39_validate (inputs[i], &error));
      g_assert_true (tally_bip39_to_seed (&seed, inputs[i], "", &error));
      g_assert_no_error (error);
      g_assert_cmpmem (seed->data, seed->len, reference->data, reference->len);
    }
}

static void
test_passphrase_nfkd (void)
{
  /* "é" composed (U+00E9) and decomposed (e + U+0301), and a full-width "Ａ"
   * (U+FF21), whose compatibility decomposition is "A". */
  g_autoptr (TallySecret) composed = NULL;
  g_autoptr (TallySecret) decomposed = NULL;
  g_autoptr (TallySecret) wide = NULL;
  g_autoptr (TallySecret) narrow = NULL;
  g_autoptr (TallySecret) other = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_bip39_to_seed (&composed, ABOUT_12, "caf\u00e9", &error));
  g_assert_true (tally_bip39_to_seed (&decomposed, ABOUT_12, "cafe\u0301", &error));
  g_assert_true (tally_bip39_to_seed (&wide, ABOUT_12, "\uff21", &error));
  g_assert_true (tally_bip39_to_seed (&narrow, ABOUT_12, "A", &error));
  g_assert_true (tally_bip39_to_seed (&other, ABOUT_12, "a", &error));
  g_assert_no_error (error);
  g_assert_cmpmem (composed->data, composed->len, decomposed->data, decomposed->len);
  g_assert_cmpmem (wide->data, wide->len, narrow->data, narrow->len);
  /* The passphrase is not lowercased: it is the user's exact secret. */
  g_assert_false (memcmp (narrow->data, other->data, TALLY_BIP39_SEED_LEN) == 0);
}

static void
test_invalid (void)
{
  static const struct
  {
    const char *mnemonic;
    const char *message_part;
  } cases[] = {
    { "", "this one has 0" },
    { "   \n\t ", "this one has 0" },
    { "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon",
      "this one has 11" },
    { ABOUT_12 " abandon", "this one has 13" },
    /* Word 3 is a typo; the message names it and its position. */
    { "abandon abandon abandn abandon abandon abandon abandon abandon abandon abandon abandon about",
      "Word 3, “abandn”" },
    { "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abou",
      "Word 12, “abou”" },
    { "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon aboutt",
      "Word 12" },
    { "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
      "abandonment",
      "Word 12" },
    { "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
      "abandon",
      "checksum" },
    { "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo", "checksum" },
    { "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about abandon",
      "checksum" },
    { "ab\xffndon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
      "about",
      "UTF-8" },
    { "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
      "ab\u00f3ut",
      "Word 12" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (TallySecret) normalized = NULL;
      g_autoptr (TallySecret) seed = NULL;
      g_autoptr (GError) error = NULL;

      g_assert_false (tally_bip39_normalize (&normalized, cases[i].mnemonic, &error));
      g_assert_null (normalized);
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
      if (strstr (error->message, cases[i].message_part) == NULL)
        g_error ("case %u: “%s” lacks “%s”", i, error->message, cases[i].message_part);
      g_clear_error (&error);

      g_assert_false (tally_bip39_to_seed (&seed, cases[i].mnemonic, "", &error));
      g_assert_null (seed);
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
    }
}

static void
test_entropy_lengths (void)
{
  guint8 entropy[33] = { 0 };

  for (gsize len = 0; len <= sizeof entropy; len++)
    {
      g_autoptr (TallySecret) mnemonic = NULL;
      g_autoptr (GError) error = NULL;
      gboolean valid = len >= 16 && len <= 32 && len % 4 == 0;

      g_assert_cmpint (tally_bip39_from_entropy (&mnemonic, entropy, len, &error), ==, valid);
      if (valid)
        {
          g_auto (GStrv) words = g_strsplit ((const char *) mnemonic->data, " ", -1);

          g_assert_no_error (error);
          g_assert_cmpuint (g_strv_length (words), ==, len * 3 / 4);
        }
      else
        {
          g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_LENGTH);
          g_assert_null (mnemonic);
        }
    }
}

static void
test_generate (void)
{
  static const guint counts[] = { 12, 15, 18, 21, 24 };
  g_autoptr (TallySecret) first = NULL;
  g_autoptr (TallySecret) second = NULL;
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      g_autoptr (TallySecret) mnemonic = NULL;
      g_autoptr (TallySecret) entropy = NULL;
      g_auto (GStrv) words = NULL;

      g_assert_true (tally_bip39_generate (&mnemonic, counts[i], &error));
      g_assert_no_error (error);
      words = g_strsplit ((const char *) mnemonic->data, " ", -1);
      g_assert_cmpuint (g_strv_length (words), ==, counts[i]);
      g_assert_true (tally_bip39_validate ((const char *) mnemonic->data, &error));
      g_assert_true (tally_bip39_to_entropy (&entropy, (const char *) mnemonic->data, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (entropy->len, ==, counts[i] * 4 / 3);
    }

  /* Two draws of 128 bits never collide unless the generator is broken. */
  g_assert_true (tally_bip39_generate (&first, 12, &error));
  g_assert_true (tally_bip39_generate (&second, 12, &error));
  g_assert_cmpstr ((const char *) first->data, !=, (const char *) second->data);

  for (guint count = 0; count < 30; count++)
    {
      g_autoptr (TallySecret) mnemonic = NULL;

      if (count % 3 == 0 && count >= 12 && count <= 24)
        continue;
      g_assert_false (tally_bip39_generate (&mnemonic, count, &error));
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_LENGTH);
      g_assert_null (mnemonic);
      g_clear_error (&error);
    }
}

typedef struct
{
  TallySecret *seed;
  TallySecret *entropy;
} StackJob;

static void
seed_on_stack (gpointer data)
{
  StackJob *job = data;
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_bip39_to_seed (&job->seed, "  Legal winner thank year wave sausage worth useful legal "
                                                  "winner thank yellow",
                                      "TREZOR", &error));
  g_assert_true (tally_bip39_to_entropy (&job->entropy,
                                         "legal winner thank year wave sausage worth useful legal "
                                         "winner thank yellow",
                                         &error));
  g_assert_no_error (error);
}

static void
test_stack_wiped (void)
{
  static const guint8 entropy[16] = { 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f,
                                      0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f };
  StackJob           *job = g_new0 (StackJob, 1);

  tally_test_run_on_scratch_stack (seed_on_stack, job);
  g_assert_cmpmem (job->entropy->data, job->entropy->len, entropy, sizeof entropy);
  tally_test_assert_not_on_scratch_stack ("seed", job->seed->data, job->seed->len);
  /* The entropy is 0x7f repeated: any 8 bytes of it is the secret. */
  tally_test_assert_not_on_scratch_stack ("entropy", entropy, sizeof entropy);
  tally_test_assert_not_on_scratch_stack ("phrase", (const guint8 *) "legal winner thank year wave", 28);
  tally_secret_free (job->seed);
  tally_secret_free (job->entropy);
  g_free (job);
}

static char *
cast_path (void)
{
  const char *tools = g_getenv ("TALLY_TOOLS_BIN");
  char       *path;

  if (tools == NULL || *tools == '\0')
    return NULL;
  path = g_build_filename (tools, "cast", NULL);
  /* The tools are part of the test set-up: missing means broken, not skip. */
  if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("TALLY_TOOLS_BIN is set but %s is missing", path);
  return path;
}

/* Started all at once for one phrase, then read: cast's start-up is most of
 * its run time, and the machine has more than one core. */
static GSubprocess *
cast_address_spawn (const char *cast,
                    const char *mnemonic,
                    const char *passphrase,
                    guint       index)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  GSubprocess *process;

  g_ptr_array_add (argv, g_strdup (cast));
  g_ptr_array_add (argv, g_strdup ("wallet"));
  g_ptr_array_add (argv, g_strdup ("address"));
  g_ptr_array_add (argv, g_strdup ("--mnemonic"));
  g_ptr_array_add (argv, g_strdup (mnemonic));
  g_ptr_array_add (argv, g_strdup ("--mnemonic-index"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", index));
  if (passphrase != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--mnemonic-passphrase"));
      g_ptr_array_add (argv, g_strdup (passphrase));
    }
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char *const *) argv->pdata, G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                               &error);
  g_assert_no_error (error);
  return process;
}

static char *
cast_address_finish (GSubprocess *process)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;

  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
  return g_strdup (g_strstrip (out));
}

static void
test_cast_addresses (void)
{
  g_autofree char *cast = cast_path ();
  guint            checked = 0;

  if (cast == NULL)
    {
      g_test_skip ("TALLY_TOOLS_BIN is not set");
      return;
    }

  for (guint m = 0; m < N_CAST_MNEMONICS; m++)
    {
      guint8       entropy[TALLY_BIP39_MAX_ENTROPY_LEN];
      gsize        entropy_len = (gsize) (16 + 4 * g_test_rand_int_range (0, 5));
      guint32      indices[N_CAST_INDICES];
      GSubprocess *processes[N_CAST_INDICES];
      g_autoptr (TallySecret) mnemonic = NULL;
      g_autoptr (TallySecret) seed = NULL;
      g_autoptr (GError) error = NULL;
      g_autofree char *passphrase = NULL;

      for (gsize i = 0; i < entropy_len; i++)
        entropy[i] = (guint8) g_test_rand_int_range (0, 256);
      /* Every fifth phrase also has a passphrase. */
      if (m % 5 == 4)
        passphrase = g_strdup_printf ("pass %08x", (guint) g_test_rand_int ());

      g_assert_true (tally_bip39_from_entropy (&mnemonic, entropy, entropy_len, &error));
      g_assert_no_error (error);

      /* Index 0, a small one and a large one. */
      for (guint j = 0; j < N_CAST_INDICES; j++)
        {
          indices[j] = j == 0 ? 0 : (guint32) g_test_rand_int_range (1, j == 1 ? 10 : 100000);
          processes[j] = cast_address_spawn (cast, (const char *) mnemonic->data, passphrase,
                                             indices[j]);
        }

      g_assert_true (tally_bip39_to_seed (&seed, (const char *) mnemonic->data, passphrase, &error));
      g_assert_no_error (error);

      for (guint j = 0; j < N_CAST_INDICES; j++)
        {
          guint8           key[TALLY_PRIVATE_KEY_LEN];
          TallyAddress     address;
          char             ours[TALLY_ADDRESS_STRING_SIZE];
          g_autofree char *theirs = NULL;

          g_assert_true (tally_bip32_derive_ethereum_key (key, seed->data, seed->len, indices[j], &error));
          g_assert_true (tally_address_from_private_key (&address, key, &error));
          g_assert_no_error (error);
          tally_address_to_string (&address, ours);
          tally_wipe (key, sizeof key);

          theirs = cast_address_finish (processes[j]);
          g_object_unref (processes[j]);
          if (g_strcmp0 (ours, theirs) != 0)
            g_error ("mnemonic %u index %u: ours %s, cast %s", m, indices[j], ours, theirs);
          checked++;
        }
    }

  g_assert_cmpuint (checked, ==, N_CAST_MNEMONICS * N_CAST_INDICES);
  g_test_message ("%u addresses agree with cast", checked);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wallet/bip39/wordlist", test_wordlist);
  g_test_add_func ("/wallet/bip39/vectors", test_vectors);
  g_test_add_func ("/wallet/bip39/seed-time", test_seed_time);
  g_test_add_func ("/wallet/bip39/normalize", test_normalize);
  g_test_add_func ("/wallet/bip39/passphrase-nfkd", test_passphrase_nfkd);
  g_test_add_func ("/wallet/bip39/invalid", test_invalid);
  g_test_add_func ("/wallet/bip39/entropy-lengths", test_entropy_lengths);
  g_test_add_func ("/wallet/bip39/generate", test_generate);
  g_test_add_func ("/wallet/bip39/stack-wiped", test_stack_wiped);
  g_test_add_func ("/wallet/bip39/cast-addresses", test_cast_addresses);

  return g_test_run ();
}
