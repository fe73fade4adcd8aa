/* tally-test-engine.c: one account's engine on a TallyTestMarket, its
 * calls run synchronously, and a child process killed mid-way
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include "contract-abi.h"
#include "tally-test-engine.h"
#include "tally-test-rpc.h"
#include "wallet/hex.h"
#include "wallet/key-signer.h"

/* anvil's "test ... junk" account 1: public, test only. */
#define CHILD_KEY "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"

char *
tally_test_engine_make_dir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("tally-engine-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
tally_test_engine_remove_dir (char *dir)
{
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
  g_free (dir);
}

void
tally_test_engine_init (TallyTestEngine     *self,
                        const char          *url,
                        TallyNetworkProfile *profile,
                        const char          *dir,
                        TallySigner         *signer)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *store = g_build_filename (dir, "tally.db", NULL);
  g_autofree char *journal = g_build_filename (dir, "journal.db", NULL);

  self->client = tally_test_rpc_fast_client (url);
  self->log = tally_market_log_new (self->client, profile, NULL, &error);
  g_assert_no_error (error);
  self->tasks = tally_task_list_new (self->log);
  self->store = tally_store_open (store, &error);
  g_assert_no_error (error);
  self->journal = tally_tx_journal_open (journal, &error);
  g_assert_no_error (error);
  self->manager = tally_tx_manager_new (self->client, signer, self->journal,
                                        tally_network_profile_get_chain_id (profile));
  tally_tx_manager_set_poll_interval (self->manager, 20);
  self->submitter = tally_submitter_new (self->store, self->tasks, self->manager);
  self->requester = tally_requester_new (self->store, self->tasks, self->manager);
}

void
tally_test_engine_init_for (TallyTestEngine *self,
                            TallyTestMarket *market,
                            const char      *url,
                            const char      *dir,
                            guint            account)
{
  tally_test_engine_init (self, url != NULL ? url : tally_rpc_client_get_url (market->client),
                          market->devnet.profile, dir, market->signers[account]);
}

void
tally_test_engine_open (TallyTestEngine *self,
                        TallyTestMarket *market,
                        guint            account)
{
  self->own_dir = tally_test_engine_make_dir ();
  tally_test_engine_init_for (self, market, NULL, self->own_dir, account);
}

void
tally_test_engine_clear (TallyTestEngine *self)
{
  g_clear_object (&self->requester);
  g_clear_object (&self->submitter);
  g_clear_object (&self->manager);
  g_clear_object (&self->journal);
  g_clear_object (&self->store);
  g_clear_object (&self->tasks);
  g_clear_object (&self->log);
  g_clear_object (&self->client);
  if (self->own_dir != NULL)
    tally_test_engine_remove_dir (g_steal_pointer (&self->own_dir));
}

guint
tally_test_engine_step (TallyTestEngine *self)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  guint left = G_MAXUINT;

  tally_submitter_step_async (self->submitter, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (tally_submitter_step_finish (self->submitter, tally_test_rpc_wait_for (&result),
                                              &left, &error));
  g_assert_no_error (error);
  return left;
}

guint
tally_test_engine_step_requester (TallyTestEngine *self)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  guint left = G_MAXUINT;

  tally_requester_step_async (self->requester, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (tally_requester_step_finish (self->requester, tally_test_rpc_wait_for (&result),
                                              &left, &error));
  g_assert_no_error (error);
  return left;
}

gboolean
tally_test_engine_submit (TallyTestEngine    *self,
                          const TallyUint256 *task_id,
                          const guint8       *labels,
                          gsize               len,
                          GError            **error)
{
  g_autoptr (GBytes) bytes = g_bytes_new (labels, len);
  g_autoptr (GAsyncResult) result = NULL;

  tally_submitter_submit_async (self->submitter, task_id, bytes, NULL, NULL, tally_test_rpc_on_done,
                                &result);
  return tally_submitter_submit_finish (self->submitter, tally_test_rpc_wait_for (&result), error);
}

gboolean
tally_test_engine_review (TallyTestEngine    *self,
                          const TallyUint256 *task_id,
                          guint               seat,
                          const guint8       *verdicts,
                          gsize               len,
                          GError            **error)
{
  g_autoptr (GBytes) bytes = g_bytes_new (verdicts, len);
  g_autoptr (GAsyncResult) result = NULL;

  tally_submitter_review_async (self->submitter, task_id, seat, bytes, NULL, tally_test_rpc_on_done,
                                &result);
  return tally_submitter_review_finish (self->submitter, tally_test_rpc_wait_for (&result), error);
}

gboolean
tally_test_engine_join (TallyTestEngine    *self,
                        const TallyUint256 *task_id,
                        guint              *seat,
                        GError            **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  tally_submitter_join_async (self->submitter, task_id, NULL, tally_test_rpc_on_done, &result);
  return tally_submitter_join_finish (self->submitter, tally_test_rpc_wait_for (&result), seat, error);
}

gboolean
tally_test_engine_leave (TallyTestEngine    *self,
                         const TallyUint256 *task_id,
                         TallyUint256       *fee,
                         GError            **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  tally_submitter_leave_async (self->submitter, task_id, NULL, tally_test_rpc_on_done, &result);
  return tally_submitter_leave_finish (self->submitter, tally_test_rpc_wait_for (&result), fee, error);
}

GBytes *
tally_test_engine_open_task_key (TallyTestEngine    *self,
                                 const TallyUint256 *task_id,
                                 GError            **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  tally_submitter_open_task_key_async (self->submitter, task_id, NULL, tally_test_rpc_on_done, &result);
  return tally_submitter_open_task_key_finish (self->submitter, tally_test_rpc_wait_for (&result),
                                               error);
}

TallySubmissionRecord *
tally_test_engine_record_of (TallyTestEngine    *self,
                             TallyTestMarket    *market,
                             guint               account,
                             const TallyUint256 *task_id)
{
  return tally_store_get_submission (self->store, market->chain_id, &market->market, task_id,
                                     &market->accounts[account], TALLY_SUBMISSION_ANNOTATOR, 0, NULL);
}

TallySubmissionState
tally_test_engine_state_of (TallyTestEngine    *self,
                            TallyTestMarket    *market,
                            guint               account,
                            const TallyUint256 *task_id)
{
  g_autoptr (TallySubmissionRecord) record =
    tally_test_engine_record_of (self, market, account, task_id);

  g_assert_nonnull (record);
  return record->state;
}

GArray *
tally_test_engine_event_values (TallyTestEngine    *self,
                                const TallyUint256 *task_id,
                                const char         *event,
                                const char         *field)
{
  g_autoptr (TallyContractAbi) abi = tally_contract_abi_new_builtin ("LabelMarket", NULL);
  GPtrArray *logs = tally_market_log_get_logs (self->log);
  GArray    *values = g_array_new (FALSE, TRUE, sizeof (TallyUint256));

  for (guint i = 0; i < logs->len; i++)
    {
      const TallyRpcLog *log = g_ptr_array_index (logs, i);
      g_autoptr (TallyAbiLog) decoded = tally_contract_abi_decode_log (
        abi, (const guint8 *) log->topics, log->n_topics, g_bytes_get_data (log->data, NULL),
        g_bytes_get_size (log->data), NULL);
      const TallyAbiValue *id, *value;
      TallyUint256         number;

      if (decoded == NULL || !g_str_equal (tally_abi_entry_get_name (tally_abi_log_get_event (decoded)), event))
        continue;
      id = tally_abi_log_lookup (decoded, "taskId");
      tally_abi_value_get_uint (id, &number);
      if (tally_uint256_cmp (&number, task_id) != 0)
        continue;
      value = tally_abi_log_lookup (decoded, field);
      g_assert_nonnull (value);
      tally_abi_value_get_uint (value, &number);
      g_array_append_val (values, number);
    }
  return values;
}

TallyUint256
tally_test_engine_open_task (TallyTestMarket      *market,
                             TallyLabelTaskParams *params,
                             guint                 first,
                             guint                 n_stakers)
{
  TallyUint256 lock;

  g_assert_true (tally_uint256_mul_uint64 (&lock, &params->stake_per_item, params->item_count));
  for (guint a = first; a < first + n_stakers; a++)
    tally_test_market_stake (market, a, &lock);
  return tally_test_market_create_task (market, TALLY_TEST_MARKET_REQUESTER, params,
                                        "https://example.org/manifest.json");
}

/* The spec: "URL NETWORK-FILE DIR TASK-ID". */
void
tally_test_engine_init_child (TallyTestEngine *self,
                              const char      *spec,
                              TallyUint256    *task_id)
{
  g_auto (GStrv) args = g_strsplit (spec, " ", 4);
  g_autoptr (TallyNetworkProfile) profile = NULL;
  g_autoptr (TallyKeySigner) signer = NULL;
  g_autoptr (GError) error = NULL;
  guint8 key[TALLY_PRIVATE_KEY_LEN];

  g_assert_cmpuint (g_strv_length (args), ==, 4);
  profile = tally_network_profile_new_from_file (args[1], &error);
  g_assert_no_error (error);
  g_assert_true (tally_hex_decode_fixed (key, sizeof key, CHILD_KEY, -1, &error));
  signer = tally_key_signer_new (key, &error);
  g_assert_no_error (error);
  memset (key, 0, sizeof key);
  g_assert_true (tally_uint256_parse (task_id, args[3], &error));
  tally_test_engine_init (self, args[0], profile, args[2], TALLY_SIGNER (signer));
}

void
tally_test_engine_child_say (const char *line)
{
  g_print ("%s\n", line);
  fflush (stdout);
  for (;;)
    g_usleep (G_USEC_PER_SEC);
}

char *
tally_test_engine_run_child (TallyTestMarket    *market,
                             const char         *self_path,
                             const char         *env_name,
                             const char         *url,
                             const char         *dir,
                             const TallyUint256 *task_id)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GSubprocess) child = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *id = tally_uint256_to_decimal (task_id);
  g_autofree char *spec = g_strdup_printf ("%s %s %s %s", url, market->devnet.network_file, dir, id);
  char            *line;

  g_subprocess_launcher_setenv (launcher, env_name, spec, TRUE);
  child = g_subprocess_launcher_spawn (launcher, &error, self_path, NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  /* Read while this process's main loop runs: a fault proxy may live here. */
  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, NULL, tally_test_rpc_on_done, &result);
  line = g_data_input_stream_read_line_finish (lines, tally_test_rpc_wait_for (&result), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_test_message ("the child said: %s", line);
  g_subprocess_send_signal (child, SIGKILL);
  g_subprocess_wait (child, NULL, NULL);
  return line;
}
