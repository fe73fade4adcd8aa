/* tally-test-cli.c: tally-cli run as a program against tools/devnet
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "tally-test-cli.h"

#define ACCOUNT_1_KEY "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"

void
tally_test_cli_result_clear (TallyTestCliResult *result)
{
  g_clear_pointer (&result->out, g_free);
  g_clear_pointer (&result->err, g_free);
}

void
tally_test_cli_set_up (TallyTestCli *f,
                       gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  tally_test_market_init (&f->market, "tally-cli-market-XXXXXX");
  f->home = g_dir_make_tmp ("tally-cli-home-XXXXXX", &error);
  g_assert_no_error (error);
  f->data_home = g_build_filename (f->home, "data", NULL);
  f->cache_home = g_build_filename (f->home, "cache", NULL);
  f->key_file = g_build_filename (f->home, "key", NULL);
  g_assert_true (g_file_set_contents (f->key_file, ACCOUNT_1_KEY "\n", -1, &error));
  g_assert_no_error (error);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        remove_tree (child);
      }
  g_remove (path);
}

void
tally_test_cli_tear_down (TallyTestCli *f,
                          gconstpointer data)
{
  remove_tree (f->home);
  g_free (f->home);
  g_free (f->data_home);
  g_free (f->cache_home);
  g_free (f->key_file);
  tally_test_market_clear (&f->market);
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* tally-cli with the devnet's network file (when network), account 1's key
 * and private XDG directories. */
void
tally_test_cli_run_full (TallyTestCli       *f,
                         TallyTestCliResult *result,
                         gboolean            network,
                         const char *const  *args)
{
  g_autoptr (GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GAsyncResult) done = NULL;
  g_autoptr (GError) error = NULL;

  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", f->data_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", f->cache_home, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "TALLY_NETWORK");

  g_ptr_array_add (argv, (gpointer) g_getenv ("TALLY_CLI"));
  if (network)
    {
      g_ptr_array_add (argv, (gpointer) "--network");
      g_ptr_array_add (argv, f->market.devnet.network_file);
      g_ptr_array_add (argv, (gpointer) "--private-key-file");
      g_ptr_array_add (argv, f->key_file);
    }
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  /* On the default main context, so a SoupServer of the test can answer. */
  g_subprocess_communicate_utf8_async (process, NULL, NULL, on_done, &done);
  while (done == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_subprocess_communicate_utf8_finish (process, done, &result->out, &result->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  result->status = g_subprocess_get_exit_status (process);
}

void
tally_test_cli_run (TallyTestCli       *f,
                    TallyTestCliResult *result,
                    const char *const  *args)
{
  tally_test_cli_run_full (f, result, TRUE, args);
}

/* Runs and asserts success with nothing on stderr. */
void
tally_test_cli_run_ok (TallyTestCli       *f,
                       TallyTestCliResult *result,
                       const char *const  *args)
{
  tally_test_cli_run (f, result, args);
  if (result->status != 0)
    g_error ("tally-cli %s: exit %d: %s", args[0], result->status, result->err);
  g_assert_cmpstr (result->err, ==, "");
}

void
tally_test_cli_assert_one_line_error (const TallyTestCliResult *result,
                                      int                       status,
                                      const char               *expected)
{
  g_assert_cmpint (result->status, ==, status);
  g_assert_cmpstr (result->out, ==, "");
  g_assert_true (g_str_has_prefix (result->err, "tally-cli: "));
  g_assert_nonnull (strstr (result->err, expected));
  g_assert_true (strchr (result->err, '\n') == result->err + strlen (result->err) - 1);
}

JsonNode *
tally_test_cli_run_json (TallyTestCli      *f,
                         const char *const *args)
{
  g_auto (TallyTestCliResult) result = { 0 };
  g_autoptr (GError) error = NULL;
  JsonNode *node;

  tally_test_cli_run_ok (f, &result, args);
  node = json_from_string (result.out, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}
