/* test-cli.c: tally-cli's usage, version and exit codes (app/tally-cli.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

typedef struct
{
  int   status;
  char *out;
  char *err;
} CliResult;

static void
cli_result_clear (CliResult *result)
{
  g_clear_pointer (&result->out, g_free);
  g_clear_pointer (&result->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliResult, cli_result_clear)

static void
run_cli (CliResult         *result,
         const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;

  g_ptr_array_add (argv, (gpointer) g_getenv ("TALLY_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char *const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &result->out, &result->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  result->status = g_subprocess_get_exit_status (process);
}

static void
test_version (void)
{
  g_auto (CliResult) result = { 0 };
  const char *args[] = { "--version", NULL };

  run_cli (&result, args);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpstr (result.out, ==, "tally-cli " PACKAGE_VERSION "\n");
  g_assert_cmpstr (result.err, ==, "");
}

static void
test_help (void)
{
  g_auto (CliResult) result = { 0 };
  const char *args[] = { "--help", NULL };

  run_cli (&result, args);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_true (g_str_has_prefix (result.out, "Usage:\n  tally-cli [OPTION…] COMMAND"));
  g_assert_nonnull (strstr (result.out, "--version"));
  g_assert_nonnull (strstr (result.out, "Exit status"));
  g_assert_nonnull (strstr (result.out, "\n  keccak 0xHEX "));
}

static void
test_keccak (void)
{
  g_auto (CliResult) result = { 0 };
  const char *args[] = { "keccak", "0x616263", NULL };

  run_cli (&result, args);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpstr (result.out, ==, "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45\n");
  g_assert_cmpstr (result.err, ==, "");
}

static void
assert_one_line_usage_error (const char *const *args,
                             const char        *expected)
{
  g_auto (CliResult) result = { 0 };

  run_cli (&result, args);
  g_assert_cmpint (result.status, ==, 2);
  g_assert_cmpstr (result.out, ==, "");
  g_assert_true (g_str_has_prefix (result.err, "tally-cli: "));
  g_assert_nonnull (strstr (result.err, expected));
  g_assert_true (strchr (result.err, '\n') == result.err + strlen (result.err) - 1);
}

static void
test_keccak_bad_input (void)
{
  const char *bad_hex[] = { "keccak", "0x6g", NULL };
  const char *odd[] = { "keccak", "0x616", NULL };
  const char *none[] = { "keccak", NULL };
  const char *two[] = { "keccak", "0x00", "0x01", NULL };
  const char *option[] = { "keccak", "--bogus", NULL };

  assert_one_line_usage_error (bad_hex, "hexadecimal");
  assert_one_line_usage_error (odd, "odd number");
  assert_one_line_usage_error (none, "exactly one argument");
  assert_one_line_usage_error (two, "exactly one argument");
  assert_one_line_usage_error (option, "--bogus");
}

static void
test_command_help (void)
{
  g_auto (CliResult) result = { 0 };
  const char *args[] = { "keccak", "--help", NULL };

  run_cli (&result, args);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_true (g_str_has_prefix (result.out, "Usage:\n  tally-cli keccak [OPTION…] 0xHEX"));
}

static void
test_no_command_is_usage_error (void)
{
  g_auto (CliResult) result = { 0 };
  const char *args[] = { NULL };

  run_cli (&result, args);
  g_assert_cmpint (result.status, ==, 2);
  g_assert_cmpstr (result.out, ==, "");
  g_assert_true (g_str_has_prefix (result.err, "Usage:"));
}

static void
test_unknown_command (void)
{
  g_auto (CliResult) result = { 0 };
  const char *args[] = { "frobnicate", NULL };

  run_cli (&result, args);
  g_assert_cmpint (result.status, ==, 2);
  g_assert_cmpstr (result.out, ==, "");
  g_assert_nonnull (strstr (result.err, "unknown command “frobnicate”"));
  /* One line on stderr, as scripts expect. */
  g_assert_cmpuint (strlen (result.err), ==, (gsize) (strchr (result.err, '\n') - result.err) + 1);
}

static void
test_unknown_option (void)
{
  g_auto (CliResult) result = { 0 };
  const char *args[] = { "--no-such-option", NULL };

  run_cli (&result, args);
  g_assert_cmpint (result.status, ==, 2);
  g_assert_true (g_str_has_prefix (result.err, "tally-cli: "));
}

static char *
write_temp (const char *contents)
{
  g_autoptr (GError) error = NULL;
  char *path = NULL;
  int   fd = g_file_open_tmp ("tally-cli-XXXXXX", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
  return path;
}

/* The default anvil/Hardhat accounts: published with both tools. */
#define ANVIL_MNEMONIC "test test test test test test test test test test test junk"
#define ANVIL_KEY_0    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

static void
test_wallet_address (void)
{
  g_autofree char *key_file = write_temp (ANVIL_KEY_0 "\n");
  g_autofree char *mnemonic_file = write_temp ("  " ANVIL_MNEMONIC "\n");
  static const struct
  {
    const char *index;
    const char *address;
  } accounts[] = {
    { "0", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266" },
    { "1", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" },
    { "2", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" },
  };

  {
    g_auto (CliResult) result = { 0 };
    const char *args[] = { "wallet", "address", "--private-key-file", key_file, NULL };

    run_cli (&result, args);
    g_assert_cmpint (result.status, ==, 0);
    g_assert_cmpstr (result.out, ==, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266\n");
  }

  for (guint i = 0; i < G_N_ELEMENTS (accounts); i++)
    {
      g_auto (CliResult) result = { 0 };
      g_autofree char *expected = g_strconcat (accounts[i].address, "\n", NULL);
      const char      *args[] = { "wallet", "address", "--mnemonic-file", mnemonic_file, "--index",
                                  accounts[i].index, NULL };

      run_cli (&result, args);
      g_assert_cmpint (result.status, ==, 0);
      g_assert_cmpstr (result.out, ==, expected);
    }

  g_unlink (key_file);
  g_unlink (mnemonic_file);
}

static void
test_wallet_address_bad_input (void)
{
  g_autofree char *short_key = write_temp ("0xac0974bec39a17e36ba4a6b4d238ff94\n");
  g_autofree char *zero_key =
    write_temp ("0x0000000000000000000000000000000000000000000000000000000000000000");
  g_autofree char *bad_words = write_temp ("test test test test test test test test test test test test");
  const char      *short_args[] = { "wallet", "address", "--private-key-file", short_key, NULL };
  const char      *zero_args[] = { "wallet", "address", "--private-key-file", zero_key, NULL };
  const char      *checksum_args[] = { "wallet", "address", "--mnemonic-file", bad_words, NULL };
  const char      *missing_args[] = { "wallet", "address", "--private-key-file", "/nonexistent/key", NULL };
  const char      *both_args[] = { "wallet", "address", "--private-key-file", short_key,
                                   "--mnemonic-file", bad_words, NULL };
  const char      *neither_args[] = { "wallet", "address", NULL };
  const char      *index_args[] = { "wallet", "address", "--mnemonic-file", bad_words, "--index", "-1",
                                    NULL };

  assert_one_line_usage_error (short_args, "does not hold a private key");
  assert_one_line_usage_error (zero_args, "does not hold a private key");
  assert_one_line_usage_error (checksum_args, "checksum");
  assert_one_line_usage_error (missing_args, "/nonexistent/key");
  assert_one_line_usage_error (both_args, "exactly one of");
  assert_one_line_usage_error (neither_args, "exactly one of");
  assert_one_line_usage_error (index_args, "--index");

  /* A malformed key is still a key: never echo it. */
  {
    g_auto (CliResult) result = { 0 };

    run_cli (&result, short_args);
    g_assert_null (strstr (result.err, "ac0974bec39a17e36ba4a6b4d238ff94"));
  }

  g_unlink (short_key);
  g_unlink (zero_key);
  g_unlink (bad_words);
}

static char *
cast_path (void)
{
  return g_build_filename (g_getenv ("TALLY_TOOLS_BIN"), "cast", NULL);
}

static char *
random_hex (gsize len)
{
  g_autofree guint8 *bytes = g_malloc (len + 1);
  GString           *hex = g_string_new ("0x");

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (hex, "%02x", (guint) g_test_rand_int_range (0, 256));
  return g_string_free (hex, FALSE);
}

/* Random transactions signed by tally-cli and by cast mktx: identical bytes. */
static void
test_sign_tx_against_cast (void)
{
  g_autofree char *cast = cast_path ();
  g_autofree char *key_file = write_temp (ANVIL_KEY_0);

  for (guint round = 0; round < 12; round++)
    {
      g_auto (CliResult) ours = { 0 };
      g_autofree char *chain = g_strdup_printf ("%d", g_test_rand_int_range (1, 100000));
      g_autofree char *nonce = g_strdup_printf ("%d", g_test_rand_int_range (0, 1000000));
      g_autofree char *gas = g_strdup_printf ("%d", g_test_rand_int_range (21000, 3000000));
      g_autofree char *tip = g_strdup_printf ("%d", g_test_rand_int_range (0, 1000000000));
      g_autofree char *fee = g_strdup_printf ("%d", g_test_rand_int_range (1000000000, G_MAXINT32));
      g_autofree char *value = g_strdup_printf ("%u%09u", (guint) g_test_rand_int_range (0, 100000),
                                                (guint) g_test_rand_int_range (0, 1000000000));
      g_autofree char *data = random_hex (g_test_rand_int_range (0, 100));
      g_autofree char *to = random_hex (20);
      g_autofree char *cast_out = NULL;
      g_autoptr (GSubprocess) process = NULL;
      g_autoptr (GError) error = NULL;
      const char *args[] = { "sign-tx", "--private-key-file", key_file, "--chain-id", chain,
                             "--nonce", nonce, "--to", to, "--value", value, "--gas-limit", gas,
                             "--max-fee-per-gas", fee, "--max-priority-fee-per-gas", tip,
                             "--data", data, NULL };

      /* A leading zero value would be ambiguous as decimal for cast; skip it. */
      run_cli (&ours, args);
      g_assert_cmpstr (ours.err, ==, "");
      g_assert_cmpint (ours.status, ==, 0);

      process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, cast, "mktx",
                                  "--private-key", ANVIL_KEY_0, "--chain", chain, "--nonce", nonce,
                                  "--gas-limit", gas, "--gas-price", fee, "--priority-gas-price",
                                  tip, "--value", value, to, data, NULL);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &cast_out, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_successful (process));
      g_assert_cmpstr (ours.out, ==, cast_out);
    }

  g_unlink (key_file);
}

static void
test_sign_tx_bad_input (void)
{
  g_autofree char *key_file = write_temp (ANVIL_KEY_0);
  const char      *no_chain[] = { "sign-tx", "--private-key-file", key_file, "--nonce", "0", "--to",
                                  "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "--value", "0",
                                  "--gas-limit", "21000", "--max-fee-per-gas", "1",
                                  "--max-priority-fee-per-gas", "1", NULL };
  const char      *zero_chain[] = { "sign-tx", "--private-key-file", key_file, "--chain-id", "0",
                                    "--nonce", "0", "--to", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
                                    "--value", "0", "--gas-limit", "21000", "--max-fee-per-gas", "1",
                                    "--max-priority-fee-per-gas", "1", NULL };
  const char      *bad_to[] = { "sign-tx", "--private-key-file", key_file, "--chain-id", "1",
                                "--nonce", "0", "--to", "0x70997970c51812dc3A010C7d01b50e0d17dc79C8",
                                "--value", "0", "--gas-limit", "21000", "--max-fee-per-gas", "1",
                                "--max-priority-fee-per-gas", "1", NULL };
  const char      *bad_value[] = { "sign-tx", "--private-key-file", key_file, "--chain-id", "1",
                                   "--nonce", "0", "--to", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
                                   "--value", "1.5", "--gas-limit", "21000", "--max-fee-per-gas", "1",
                                   "--max-priority-fee-per-gas", "1", NULL };
  const char      *bad_data[] = { "sign-tx", "--private-key-file", key_file, "--chain-id", "1",
                                  "--nonce", "0", "--to", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
                                  "--value", "0", "--gas-limit", "21000", "--max-fee-per-gas", "1",
                                  "--max-priority-fee-per-gas", "1", "--data", "0xabc", NULL };

  assert_one_line_usage_error (no_chain, "--chain-id");
  assert_one_line_usage_error (zero_chain, "--chain-id");
  assert_one_line_usage_error (bad_to, "checksum");
  assert_one_line_usage_error (bad_value, "--value");
  assert_one_line_usage_error (bad_data, "odd number");

  g_unlink (key_file);
}

/* The EIP-712 "Mail" example, signed by keccak256("cow"): the signature the
 * EIP text gives (v = 28). */
static void
test_sign_typed_data (void)
{
  g_autofree char *key_file =
    write_temp ("0xc85ef7d79691fe79573b1a7064c19c1a9819ebdbd1faaab1a8ec92344438aaf4\n");
  g_autofree char *typed = g_build_filename (g_getenv ("TALLY_SOURCE_DIR"), "tests", "vectors",
                                             "eip712-mail.json", NULL);
  g_autofree char *broken = write_temp ("{\"types\": {\"EIP712Domain\": [");
  g_auto (CliResult) result = { 0 };
  const char *args[] = { "sign-typed-data", "--private-key-file", key_file, "--file", typed, NULL };
  const char *broken_args[] = { "sign-typed-data", "--private-key-file", key_file, "--file", broken,
                                NULL };

  run_cli (&result, args);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpstr (result.out, ==,
                   "0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d"
                   "07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b915621c\n");

  assert_one_line_usage_error (broken_args, "");

  g_unlink (key_file);
  g_unlink (broken);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_assert_nonnull (g_getenv ("TALLY_CLI"));

  g_test_add_func ("/cli/version", test_version);
  g_test_add_func ("/cli/help", test_help);
  g_test_add_func ("/cli/no-command", test_no_command_is_usage_error);
  g_test_add_func ("/cli/unknown-command", test_unknown_command);
  g_test_add_func ("/cli/unknown-option", test_unknown_option);
  g_test_add_func ("/cli/command-help", test_command_help);
  g_test_add_func ("/cli/keccak", test_keccak);
  g_test_add_func ("/cli/keccak-bad-input", test_keccak_bad_input);
  g_test_add_func ("/cli/wallet-address", test_wallet_address);
  g_test_add_func ("/cli/wallet-address-bad-input", test_wallet_address_bad_input);
  g_test_add_func ("/cli/sign-tx-against-cast", test_sign_tx_against_cast);
  g_test_add_func ("/cli/sign-tx-bad-input", test_sign_tx_bad_input);
  g_test_add_func ("/cli/sign-typed-data", test_sign_typed_data);

  return g_test_run ();
}
