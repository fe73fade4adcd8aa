/* test-cli.c: tally-cli's usage, version and exit codes (app/tally-cli.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

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

  return g_test_run ();
}
