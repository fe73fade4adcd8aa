/* tally-test-cli.c: tally-cli run as a program against tools/devnet
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "tally-test-cli.h"

/* anvil's "test ... junk" accounts: public, test only. */
static const char *const keys[TALLY_TEST_MARKET_N_ACCOUNTS] = {
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
};

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
  g_autofree char *key_line = NULL;

  tally_test_market_init (&f->market, "tally-cli-market-XXXXXX");
  f->home = g_dir_make_tmp ("tally-cli-home-XXXXXX", &error);
  g_assert_no_error (error);
  f->data_home = g_build_filename (f->home, "data", NULL);
  f->cache_home = g_build_filename (f->home, "cache", NULL);
  key_line = g_strconcat (keys[TALLY_TEST_CLI_ACCOUNT], "\n", NULL);
  f->key_file = tally_test_cli_write_file (f, "key", key_line);
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

char *
tally_test_cli_write_file (TallyTestCli *f,
                           const char   *name,
                           const char   *text)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (f->home, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
  return path;
}

char *
tally_test_cli_key_file (TallyTestCli *f,
                         guint         account)
{
  g_autofree char *name = g_strdup_printf ("key%u", account);

  g_assert_cmpuint (account, <, TALLY_TEST_MARKET_N_ACCOUNTS);
  return tally_test_cli_write_file (f, name, keys[account]);
}

char *
tally_test_cli_run_as (TallyTestCli      *f,
                       guint              account,
                       const char *const *args,
                       const char        *expect)
{
  g_auto (TallyTestCliResult) result = { 0 };
  g_autofree char *own_key = f->key_file;
  g_autofree char *own_data = f->data_home;
  g_autofree char *data_name = g_strdup_printf ("data%u", account);

  f->key_file = tally_test_cli_key_file (f, account);
  f->data_home = g_build_filename (f->home, data_name, NULL);
  tally_test_cli_run (f, &result, args);
  g_free (f->key_file);
  g_free (f->data_home);
  f->key_file = g_steal_pointer (&own_key);
  f->data_home = g_steal_pointer (&own_data);
  g_test_message ("tally-cli %s %s as account %u: %s%s", args[0], args[1] != NULL ? args[1] : "",
                  account, result.out, result.err);
  if (result.status != 0)
    g_error ("tally-cli %s as account %u: exit %d: %s", args[0], account, result.status,
             result.err);
  if (expect != NULL && strstr (result.out, expect) == NULL)
    g_error ("tally-cli %s as account %u said “%s” (stderr “%s”), not “%s”", args[0], account,
             result.out,
             result.err, expect);
  return g_steal_pointer (&result.out);
}

TallyLabelSubmission
tally_test_cli_submission_of (TallyTestCli       *f,
                              guint               account,
                              const TallyUint256 *task_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply = NULL;
  TallyLabelSubmission submission;
  guint8              *calldata = NULL;
  gsize                len = 0;

  g_assert_true (tally_label_market_encode_get_submission (&calldata, &len, task_id,
                                                           &f->market.accounts[account], &error));
  reply = tally_test_market_call (&f->market, &f->market.market, calldata, len);
  g_assert_true (tally_label_market_decode_get_submission (&submission, g_bytes_get_data (reply, NULL),
                                                           g_bytes_get_size (reply), &error));
  g_assert_no_error (error);
  return submission;
}

guint
tally_test_cli_count_lines (const char *text,
                            const char *what)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    n += strstr (lines[i], what) != NULL;
  return n;
}
