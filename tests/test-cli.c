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

  return g_test_run ();
}
