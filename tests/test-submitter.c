/* test-submitter.c: TallySubmitter on tools/devnet — three annotators
 * through join, commit, reveal, settlement and claim by the engine alone;
 * refusals before anything is sent; a real child process killed (SIGKILL)
 * after its commit, and one whose commit never reached the node: each
 * restart reveals in time and sends no step twice
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include "core-error.h"
#include "label-market.h"
#include "market-log.h"
#include "submitter.h"
#include "tally-fault-proxy.h"
#include "tally-test-market.h"
#include "tally-test-rpc.h"
#include "wallet/hex.h"
#include "wallet/key-signer.h"

#define N_ITEMS 4
/* In the child: "URL NETWORK-FILE STORE JOURNAL KEY-HEX TASK-ID". */
#define CHILD_ENV "TALLY_TEST_SUBMITTER_CHILD"

static const guint8 good[N_ITEMS] = { 1, 2, 3, 4 };
static const guint8 careless[N_ITEMS] = { 1, 2, 3, 1 };

static char *self_path;

/* Everything one annotator's engine needs, as the app builds it. */
typedef struct
{
  TallyRpcClient *client;
  TallyMarketLog *log;
  TallyTaskList  *tasks;
  TallyStore     *store;
  TallyTxJournal *journal;
  TallyTxManager *manager;
  TallySubmitter *submitter;
} Engine;

static void
engine_init (Engine              *engine,
             const char          *url,
             TallyNetworkProfile *profile,
             const char          *store_path,
             const char          *journal_path,
             TallySigner         *signer)
{
  g_autoptr (GError) error = NULL;

  engine->client = tally_test_rpc_fast_client (url);
  engine->log = tally_market_log_new (engine->client, profile, NULL, &error);
  g_assert_no_error (error);
  engine->tasks = tally_task_list_new (engine->log);
  engine->store = tally_store_open (store_path, &error);
  g_assert_no_error (error);
  engine->journal = tally_tx_journal_open (journal_path, &error);
  g_assert_no_error (error);
  engine->manager = tally_tx_manager_new (engine->client, signer, engine->journal,
                                          tally_network_profile_get_chain_id (profile));
  tally_tx_manager_set_poll_interval (engine->manager, 20);
  engine->submitter = tally_submitter_new (engine->store, engine->tasks, engine->manager);
}

static void
engine_clear (Engine *engine)
{
  g_clear_object (&engine->submitter);
  g_clear_object (&engine->manager);
  g_clear_object (&engine->journal);
  g_clear_object (&engine->store);
  g_clear_object (&engine->tasks);
  g_clear_object (&engine->log);
  g_clear_object (&engine->client);
}

static gboolean
submit (Engine             *engine,
        const TallyUint256 *task_id,
        const guint8       *labels,
        gsize               len,
        GError            **error)
{
  g_autoptr (GBytes) bytes = g_bytes_new (labels, len);
  GAsyncResult *result = NULL;

  tally_submitter_submit_async (engine->submitter, task_id, bytes, NULL, NULL,
                                tally_test_rpc_on_done, &result);
  return tally_submitter_submit_finish (engine->submitter, tally_test_rpc_wait_for (&result), error);
}

static guint
step (Engine *engine)
{
  g_autoptr (GError) error = NULL;
  GAsyncResult *result = NULL;
  guint         left = G_MAXUINT;

  tally_submitter_step_async (engine->submitter, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (tally_submitter_step_finish (engine->submitter, tally_test_rpc_wait_for (&result),
                                              &left, &error));
  g_assert_no_error (error);
  return left;
}

static TallySubmissionState
state_of (Engine             *engine,
          TallyTestMarket    *market,
          guint               account,
          const TallyUint256 *task_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallySubmissionRecord) record =
    tally_store_get_submission (engine->store, market->chain_id, &market->market, task_id,
                                &market->accounts[account], TALLY_SUBMISSION_ANNOTATOR, 0, &error);

  g_assert_no_error (error);
  return record->state;
}

static TallyLabelSubmission
chain_submission (TallyTestMarket    *market,
                  guint               account,
                  const TallyUint256 *task_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply = NULL;
  TallyLabelSubmission submission;
  guint8              *calldata = NULL;
  gsize                len = 0;

  g_assert_true (tally_label_market_encode_get_submission (&calldata, &len, task_id,
                                                           &market->accounts[account], &error));
  reply = tally_test_market_call (market, &market->market, calldata, len);
  g_assert_true (tally_label_market_decode_get_submission (&submission, g_bytes_get_data (reply, NULL),
                                                           g_bytes_get_size (reply), &error));
  return submission;
}

typedef struct
{
  char *dir;
  char *store;
  char *journal;
} Paths;

static void
paths_init (Paths *paths)
{
  g_autoptr (GError) error = NULL;

  paths->dir = g_dir_make_tmp ("tally-submitter-XXXXXX", &error);
  g_assert_no_error (error);
  paths->store = g_build_filename (paths->dir, "tally.db", NULL);
  paths->journal = g_build_filename (paths->dir, "journal.db", NULL);
}

static void
paths_clear (Paths *paths)
{
  g_autoptr (GDir) dir = g_dir_open (paths->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (paths->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (paths->dir);
  g_free (paths->dir);
  g_free (paths->store);
  g_free (paths->journal);
}

static TallyUint256
open_task (TallyTestMarket *market,
           guint            replication)
{
  TallyLabelTaskParams params = tally_test_market_default_params (market, N_ITEMS, replication, 0);
  TallyUint256         lock;

  g_assert_true (tally_uint256_mul_uint64 (&lock, &params.stake_per_item, N_ITEMS));
  for (guint a = 1; a <= replication; a++)
    tally_test_market_stake (market, a, &lock);
  return tally_test_market_create_task (market, TALLY_TEST_MARKET_REQUESTER, &params,
                                        "https://example.org/manifest.json");
}

static void
test_lifecycle (TallyTestMarket *market,
                gconstpointer    data)
{
  const guint8 *labels[3] = { good, good, careless };
  Engine        engines[3] = { { 0 } };
  Paths         paths = { 0 };
  TallyUint256  task_id = open_task (market, 3);
  TallyTask    *task;
  g_autoptr (GError) error = NULL;

  paths_init (&paths);
  /* One store and one journal for the three, as one app with three
   * accounts would have. */
  for (guint a = 0; a < 3; a++)
    engine_init (&engines[a], tally_rpc_client_get_url (market->client), market->devnet.profile,
                 paths.store, paths.journal, market->signers[a + 1]);

  for (guint a = 0; a < 3; a++)
    {
      TallyLabelSubmission on_chain;
      g_autoptr (TallySubmissionRecord) record = NULL;
      guint8        salt[32];
      GAsyncResult *result = NULL;

      g_assert_true (submit (&engines[a], &task_id, labels[a], N_ITEMS, &error));
      g_assert_no_error (error);
      g_assert_cmpint (state_of (&engines[a], market, a + 1, &task_id), ==, TALLY_SUBMISSION_COMMITTED);
      on_chain = chain_submission (market, a + 1, &task_id);
      record = tally_store_get_submission (engines[a].store, market->chain_id, &market->market,
                                           &task_id, &market->accounts[a + 1],
                                           TALLY_SUBMISSION_ANNOTATOR, 0, &error);
      g_assert_cmpint (on_chain.state, ==, TALLY_LABEL_SEAT_COMMITTED);
      g_assert_cmpmem (on_chain.hash, 32, record->commitment, 32);
      /* The salt can be rebuilt from the key alone. */
      tally_submitter_derive_salt_async (engines[a].submitter, &task_id, NULL, tally_test_rpc_on_done,
                                         &result);
      g_assert_true (tally_submitter_derive_salt_finish (engines[a].submitter,
                                                         tally_test_rpc_wait_for (&result), salt, &error));
      g_assert_cmpmem (salt, 32, record->salt, 32);
    }

  /* Before the reveal window: nothing to do yet. */
  g_assert_cmpuint (step (&engines[0]), ==, 1);
  g_assert_cmpint (state_of (&engines[0], market, 1, &task_id), ==, TALLY_SUBMISSION_COMMITTED);

  tally_test_market_advance_to (market, tally_test_market_get_task (market, &task_id).params.commit_deadline + 1);
  for (guint a = 0; a < 3; a++)
    {
      g_assert_cmpuint (step (&engines[a]), ==, 1);
      g_assert_cmpint (state_of (&engines[a], market, a + 1, &task_id), ==, TALLY_SUBMISSION_REVEALED);
      g_assert_cmpint (chain_submission (market, a + 1, &task_id).state, ==, TALLY_LABEL_SEAT_REVEALED);
    }

  /* Past the last deadline the first engine settles the task, and each
   * claims what it was credited. */
  tally_test_market_advance_to (market,
                                tally_test_market_get_task (market, &task_id).params.review_reveal_deadline + 1);
  g_assert_cmpuint (step (&engines[0]), ==, 1);
  g_assert_cmpint (state_of (&engines[0], market, 1, &task_id), ==, TALLY_SUBMISSION_SETTLED);
  g_assert_cmpint (tally_test_market_get_task (market, &task_id).state, ==, TALLY_LABEL_TASK_FINALIZED);
  for (guint a = 0; a < 3; a++)
    {
      TallyUint256 before = tally_test_market_balance_of (market, a + 1);
      TallyUint256 credited = tally_test_market_credited (market, a + 1);
      TallyUint256 after;

      g_assert_false (tally_uint256_is_zero (&credited));
      g_assert_cmpuint (step (&engines[a]), ==, 0);
      g_assert_cmpint (state_of (&engines[a], market, a + 1, &task_id), ==, TALLY_SUBMISSION_CLAIMED);
      after = tally_test_market_balance_of (market, a + 1);
      g_assert_true (tally_uint256_sub (&after, &after, &before));
      g_assert_cmpint (tally_uint256_cmp (&after, &credited), ==, 0);
    }
  task = tally_task_list_lookup (engines[2].tasks, &task_id);
  g_assert_false (tally_uint256_is_zero (&tally_task_get_seat (task, 2)->slashed));
  g_assert_cmpuint (tally_task_get_seat (task, 2)->wrong, ==, 1);

  for (guint a = 0; a < 3; a++)
    engine_clear (&engines[a]);
  paths_clear (&paths);
}

static void
test_refusals (TallyTestMarket *market,
               gconstpointer    data)
{
  static const guint8 bad_class[N_ITEMS] = { 1, 2, 3, 9 };
  Engine              engine = { 0 };
  Paths               paths = { 0 };
  TallyUint256        task_id = open_task (market, 1 + 1);
  TallyUint256        missing;
  g_autoptr (GError) error = NULL;

  paths_init (&paths);
  engine_init (&engine, tally_rpc_client_get_url (market->client), market->devnet.profile, paths.store,
               paths.journal, market->signers[1]);

  g_assert_false (submit (&engine, &task_id, good, N_ITEMS - 1, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION);
  g_clear_error (&error);
  g_assert_false (submit (&engine, &task_id, bad_class, N_ITEMS, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION);
  g_assert_nonnull (strstr (error->message, "Item 4"));
  g_clear_error (&error);
  tally_uint256_from_uint64 (&missing, 999);
  g_assert_false (submit (&engine, &missing, good, N_ITEMS, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* Nothing was written, nothing was sent. */
  g_assert_null (tally_store_get_submission (engine.store, market->chain_id, &market->market, &task_id,
                                             &market->accounts[1], TALLY_SUBMISSION_ANNOTATOR, 0, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (chain_submission (market, 1, &task_id).seated, ==, FALSE);

  g_assert_true (submit (&engine, &task_id, good, N_ITEMS, &error));
  g_assert_false (submit (&engine, &task_id, good, N_ITEMS, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE);
  g_clear_error (&error);

  tally_test_market_advance_to (market, tally_test_market_get_task (market, &task_id).params.commit_deadline + 1);
  {
    Engine other = { 0 };
    Paths  other_paths = { 0 };

    paths_init (&other_paths);
    engine_init (&other, tally_rpc_client_get_url (market->client), market->devnet.profile,
                 other_paths.store, other_paths.journal, market->signers[2]);
    g_assert_false (submit (&other, &task_id, good, N_ITEMS, &error));
    g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE);
    g_clear_error (&error);
    engine_clear (&other);
    paths_clear (&other_paths);
  }

  /* A reveal window missed: expired, with the reason. */
  tally_test_market_advance_to (market, tally_test_market_get_task (market, &task_id).params.reveal_deadline + 1);
  g_assert_cmpuint (step (&engine), ==, 0);
  {
    g_autoptr (TallySubmissionRecord) record =
      tally_store_get_submission (engine.store, market->chain_id, &market->market, &task_id,
                                  &market->accounts[1], TALLY_SUBMISSION_ANNOTATOR, 0, &error);

    g_assert_cmpint (record->state, ==, TALLY_SUBMISSION_EXPIRED);
    g_assert_nonnull (strstr (record->reason, "reveal window"));
  }
  engine_clear (&engine);
  paths_clear (&paths);
}

static gboolean
review (Engine             *engine,
        const TallyUint256 *task_id,
        guint               seat,
        const guint8       *verdicts,
        gsize               len,
        GError            **error)
{
  g_autoptr (GBytes) bytes = g_bytes_new (verdicts, len);
  GAsyncResult *result = NULL;

  tally_submitter_review_async (engine->submitter, task_id, seat, bytes, NULL, tally_test_rpc_on_done,
                                &result);
  return tally_submitter_review_finish (engine->submitter, tally_test_rpc_wait_for (&result), error);
}

static void
test_review (TallyTestMarket *market,
             gconstpointer    data)
{
  /* The careless annotator's last item is wrong: the reviewer rejects it. */
  static const guint8  verdicts[N_ITEMS] = { 1, 1, 1, 2 };
  const guint8        *labels[2] = { good, careless };
  TallyLabelTaskParams params = tally_test_market_default_params (market, N_ITEMS, 2, 1);
  Engine               engines[3] = { { 0 } };
  Paths                paths = { 0 };
  TallyUint256         task_id, lock;
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_uint256_mul_uint64 (&lock, &params.stake_per_item, N_ITEMS));
  for (guint a = 1; a <= 3; a++)
    tally_test_market_stake (market, a, &lock);
  task_id = tally_test_market_create_task (market, TALLY_TEST_MARKET_REQUESTER, &params, "ipfs://reviewed");
  paths_init (&paths);
  for (guint a = 0; a < 3; a++)
    engine_init (&engines[a], tally_rpc_client_get_url (market->client), market->devnet.profile,
                 paths.store, paths.journal, market->signers[a + 1]);

  /* Nothing to review before the reveals. */
  g_assert_false (review (&engines[2], &task_id, 1, verdicts, N_ITEMS, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE);
  g_clear_error (&error);

  for (guint a = 0; a < 2; a++)
    g_assert_true (submit (&engines[a], &task_id, labels[a], N_ITEMS, &error));
  tally_test_market_advance_to (market, params.commit_deadline + 1);
  for (guint a = 0; a < 2; a++)
    g_assert_cmpuint (step (&engines[a]), ==, 1);

  /* Refused: an annotator of the task, verdicts of the wrong length. */
  g_assert_false (review (&engines[0], &task_id, 1, verdicts, N_ITEMS, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE);
  g_clear_error (&error);
  g_assert_false (review (&engines[2], &task_id, 1, verdicts, N_ITEMS - 1, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION);
  g_clear_error (&error);

  g_assert_true (review (&engines[2], &task_id, 1, verdicts, N_ITEMS, &error));
  g_assert_no_error (error);
  {
    g_autoptr (TallySubmissionRecord) record =
      tally_store_get_submission (engines[2].store, market->chain_id, &market->market, &task_id,
                                  &market->accounts[3], TALLY_SUBMISSION_REVIEWER, 1, &error);
    TallyLabelReview on_chain = tally_test_market_get_review (market, &task_id, 1, 0);

    g_assert_no_error (error);
    g_assert_cmpint (record->state, ==, TALLY_SUBMISSION_COMMITTED);
    g_assert_true (tally_address_equal (&on_chain.reviewer, &market->accounts[3]));
    g_assert_cmpint (on_chain.state, ==, TALLY_LABEL_SEAT_COMMITTED);
    g_assert_cmpmem (on_chain.hash, 32, record->commitment, 32);
  }

  /* The engine reveals the verdicts in their window, then everybody is
   * settled and claims. */
  g_assert_cmpuint (step (&engines[2]), ==, 1);
  tally_test_market_advance_to (market, params.review_commit_deadline + 1);
  g_assert_cmpuint (step (&engines[2]), ==, 1);
  g_assert_cmpint (tally_test_market_get_review (market, &task_id, 1, 0).state, ==, TALLY_LABEL_SEAT_REVEALED);
  tally_test_market_advance_to (market, params.review_reveal_deadline + 1);
  g_assert_cmpuint (step (&engines[0]), ==, 1);
  for (guint a = 0; a < 3; a++)
    {
      TallyUint256 credited = tally_test_market_credited (market, a + 1);
      TallyUint256 before = tally_test_market_balance_of (market, a + 1);
      TallyUint256 after;

      g_assert_false (tally_uint256_is_zero (&credited));
      g_assert_cmpuint (step (&engines[a]), ==, 0);
      after = tally_test_market_balance_of (market, a + 1);
      g_assert_true (tally_uint256_sub (&after, &after, &before));
      g_assert_cmpint (tally_uint256_cmp (&after, &credited), ==, 0);
    }
  for (guint a = 0; a < 3; a++)
    engine_clear (&engines[a]);
  paths_clear (&paths);
}

/* The child: submits through url and says "committed" once the commit is
 * mined (or "failed: ..." when it is not), then waits to be killed. */
static int
run_child (const char *spec)
{
  g_auto (GStrv) args = g_strsplit (spec, " ", 6);
  g_autoptr (TallyNetworkProfile) profile = NULL;
  g_autoptr (TallyKeySigner) signer = NULL;
  g_autoptr (GError) error = NULL;
  Engine       engine = { 0 };
  TallyUint256 task_id;
  guint8       key[TALLY_PRIVATE_KEY_LEN];

  g_assert_cmpuint (g_strv_length (args), ==, 6);
  profile = tally_network_profile_new_from_file (args[1], &error);
  g_assert_no_error (error);
  g_assert_true (tally_hex_decode_fixed (key, sizeof key, args[4], -1, &error));
  signer = tally_key_signer_new (key, &error);
  memset (key, 0, sizeof key);
  g_assert_true (tally_uint256_parse (&task_id, args[5], &error));
  engine_init (&engine, args[0], profile, args[2], args[3], TALLY_SIGNER (signer));
  if (submit (&engine, &task_id, good, N_ITEMS, &error))
    g_print ("committed\n");
  else
    g_print ("failed: %s\n", error->message);
  fflush (stdout);
  for (;;)
    g_usleep (G_USEC_PER_SEC);
  return 0;
}

/* Runs the child for account 1 against url and kills it with SIGKILL once
 * it has said what happened; returns what it said. */
static char *
run_child_and_kill (TallyTestMarket    *market,
                    const char         *url,
                    const Paths        *paths,
                    const TallyUint256 *task_id)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GSubprocess) child = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *id = tally_uint256_to_decimal (task_id);
  g_autofree char *spec = g_strdup_printf ("%s %s %s %s %s %s", url, market->devnet.network_file,
                                           paths->store, paths->journal,
                                           "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
                                           id);
  GAsyncResult    *result = NULL;
  char            *line;

  g_subprocess_launcher_setenv (launcher, CHILD_ENV, spec, TRUE);
  child = g_subprocess_launcher_spawn (launcher, &error, self_path, NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  /* Read while this process's main loop runs: the fault proxy lives here. */
  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, NULL, tally_test_rpc_on_done, &result);
  line = g_data_input_stream_read_line_finish (lines, tally_test_rpc_wait_for (&result), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_subprocess_send_signal (child, SIGKILL);
  g_subprocess_wait (child, NULL, NULL);
  return line;
}

static void
restart_and_reveal (TallyTestMarket    *market,
                    const Paths        *paths,
                    const TallyUint256 *task_id)
{
  Engine     engine = { 0 };
  guint      commits = 0;
  TallyTask *task;

  engine_init (&engine, tally_rpc_client_get_url (market->client), market->devnet.profile, paths->store,
               paths->journal, market->signers[1]);
  /* Still in the commit window: the engine finishes what the crash cut. */
  step (&engine);
  step (&engine);
  g_assert_cmpint (state_of (&engine, market, 1, task_id), ==, TALLY_SUBMISSION_COMMITTED);
  tally_test_market_advance_to (market, tally_test_market_get_task (market, task_id).params.commit_deadline + 1);
  step (&engine);
  g_assert_cmpint (state_of (&engine, market, 1, task_id), ==, TALLY_SUBMISSION_REVEALED);
  /* The next pass syncs the events that show the reveal; nothing to do. */
  g_assert_cmpuint (step (&engine), ==, 1);
  task = tally_task_list_lookup (engine.tasks, task_id);
  g_assert_cmpint (tally_task_get_seat (task, 0)->state, ==, TALLY_LABEL_SEAT_REVEALED);
  g_assert_cmpmem (g_bytes_get_data (tally_task_get_seat (task, 0)->labels, NULL), N_ITEMS, good, N_ITEMS);

  /* One commit reached the chain: every journaled transaction of the
   * account is mined, and none replaced another. */
  {
    g_autoptr (GPtrArray) pending = tally_tx_journal_list_pending (engine.journal, market->chain_id,
                                                                   &market->accounts[1], NULL);

    g_assert_cmpuint (pending->len, ==, 0);
  }
  for (guint i = 0; i < tally_market_log_get_logs (engine.log)->len; i++)
    {
      const TallyRpcLog *log = g_ptr_array_index (tally_market_log_get_logs (engine.log), i);
      g_autoptr (TallyContractAbi) abi = tally_contract_abi_new_builtin ("LabelMarket", NULL);
      g_autoptr (TallyAbiLog) decoded = tally_contract_abi_decode_log (
        abi, (const guint8 *) log->topics, log->n_topics, g_bytes_get_data (log->data, NULL),
        g_bytes_get_size (log->data), NULL);

      if (decoded != NULL && g_str_equal (tally_abi_entry_get_name (tally_abi_log_get_event (decoded)), "Committed"))
        commits++;
    }
  g_assert_cmpuint (commits, ==, 1);
  engine_clear (&engine);
}

static void
test_killed_after_commit (TallyTestMarket *market,
                          gconstpointer    data)
{
  Paths            paths = { 0 };
  TallyUint256     task_id = open_task (market, 2);
  g_autofree char *said = NULL;

  paths_init (&paths);
  said = run_child_and_kill (market, tally_rpc_client_get_url (market->client), &paths, &task_id);
  g_assert_cmpstr (said, ==, "committed");
  restart_and_reveal (market, &paths, &task_id);
  paths_clear (&paths);
}

static void
test_killed_before_broadcast (TallyTestMarket *market,
                              gconstpointer    data)
{
  Paths        paths = { 0 };
  TallyUint256 task_id = open_task (market, 2);
  g_autoptr (TallyFaultProxy) proxy = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *said = NULL;

  paths_init (&paths);
  proxy = tally_fault_proxy_new (tally_rpc_client_get_url (market->client), &error);
  g_assert_no_error (error);
  /* The join goes through; the commit, signed and journaled, never
   * reaches the node. */
  tally_fault_proxy_drop_calls_from (proxy, "eth_sendRawTransaction", 2);
  said = run_child_and_kill (market, tally_fault_proxy_get_url (proxy), &paths, &task_id);
  g_test_message ("the child said: %s", said);
  g_assert_true (g_str_has_prefix (said, "failed: "));
  g_assert_cmpuint (tally_fault_proxy_count (proxy, "eth_sendRawTransaction"), >=, 2);
  g_assert_cmpint (chain_submission (market, 1, &task_id).state, ==, TALLY_LABEL_SEAT_JOINED);
  restart_and_reveal (market, &paths, &task_id);
  paths_clear (&paths);
}

int
main (int   argc,
      char *argv[])
{
  if (g_getenv (CHILD_ENV) != NULL)
    return run_child (g_getenv (CHILD_ENV));

  g_test_init (&argc, &argv, NULL);
  self_path = g_canonicalize_filename (argv[0], NULL);

  g_test_add ("/core/submitter/lifecycle", TallyTestMarket, "tally-sub-XXXXXX",
              tally_test_market_set_up, test_lifecycle, tally_test_market_tear_down);
  g_test_add ("/core/submitter/review", TallyTestMarket, "tally-subv-XXXXXX",
              tally_test_market_set_up, test_review, tally_test_market_tear_down);
  g_test_add ("/core/submitter/refusals", TallyTestMarket, "tally-subr-XXXXXX",
              tally_test_market_set_up, test_refusals, tally_test_market_tear_down);
  g_test_add ("/core/submitter/killed-after-commit", TallyTestMarket, "tally-subk-XXXXXX",
              tally_test_market_set_up, test_killed_after_commit, tally_test_market_tear_down);
  g_test_add ("/core/submitter/killed-before-broadcast", TallyTestMarket, "tally-subb-XXXXXX",
              tally_test_market_set_up, test_killed_before_broadcast, tally_test_market_tear_down);

  return g_test_run ();
}
