/* test-submitter.c: TallySubmitter on tools/devnet — three annotators
 * through join, commit, reveal, settlement and claim by the engine alone;
 * refusals before anything is sent; a real child process killed (SIGKILL)
 * after its commit, and one whose commit never reached the node: each
 * restart reveals in time and sends no step twice
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "core-error.h"
#include "label-market.h"
#include "submitter.h"
#include "tally-fault-proxy.h"
#include "tally-test-engine.h"
#include "tally-test-rpc.h"

#define N_ITEMS 4
/* The child's spec (tally-test-engine.h) is in this variable. */
#define CHILD_ENV "TALLY_TEST_SUBMITTER_CHILD"

static const guint8 good[N_ITEMS] = { 1, 2, 3, 4 };
static const guint8 careless[N_ITEMS] = { 1, 2, 3, 1 };

static char *self_path;

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

static TallyUint256
open_task (TallyTestMarket *market,
           guint            replication)
{
  TallyLabelTaskParams params = tally_test_market_default_params (market, N_ITEMS, replication, 0);

  return tally_test_engine_open_task (market, &params, 1, replication);
}

static void
test_lifecycle (TallyTestMarket *market,
                gconstpointer    data)
{
  const guint8   *labels[3] = { good, good, careless };
  TallyTestEngine engines[3] = { { 0 } };
  char           *dir = tally_test_engine_make_dir ();
  TallyUint256    task_id = open_task (market, 3);
  TallyTask      *task;
  g_autoptr (GError) error = NULL;

  /* One store and one journal for the three, as one app with three
   * accounts would have. */
  for (guint a = 0; a < 3; a++)
    tally_test_engine_init_for (&engines[a], market, NULL, dir, a + 1);

  for (guint a = 0; a < 3; a++)
    {
      TallyLabelSubmission on_chain;
      g_autoptr (TallySubmissionRecord) record = NULL;
      guint8        salt[32];
      GAsyncResult *result = NULL;

      g_assert_true (tally_test_engine_submit (&engines[a], &task_id, labels[a], N_ITEMS, &error));
      g_assert_no_error (error);
      g_assert_cmpint (tally_test_engine_state_of (&engines[a], market, a + 1, &task_id), ==,
                       TALLY_SUBMISSION_COMMITTED);
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
  g_assert_cmpuint (tally_test_engine_step (&engines[0]), ==, 1);
  g_assert_cmpint (tally_test_engine_state_of (&engines[0], market, 1, &task_id), ==,
                   TALLY_SUBMISSION_COMMITTED);

  tally_test_market_advance_to (market, tally_test_market_get_task (market, &task_id).params.commit_deadline + 1);
  for (guint a = 0; a < 3; a++)
    {
      g_assert_cmpuint (tally_test_engine_step (&engines[a]), ==, 1);
      g_assert_cmpint (tally_test_engine_state_of (&engines[a], market, a + 1, &task_id), ==,
                       TALLY_SUBMISSION_REVEALED);
      g_assert_cmpint (chain_submission (market, a + 1, &task_id).state, ==, TALLY_LABEL_SEAT_REVEALED);
    }

  /* Past the last deadline the first engine settles the task, and each
   * claims what it was credited. */
  tally_test_market_advance_to (market,
                                tally_test_market_get_task (market, &task_id).params.review_reveal_deadline + 1);
  g_assert_cmpuint (tally_test_engine_step (&engines[0]), ==, 1);
  g_assert_cmpint (tally_test_engine_state_of (&engines[0], market, 1, &task_id), ==,
                   TALLY_SUBMISSION_SETTLED);
  g_assert_cmpint (tally_test_market_get_task (market, &task_id).state, ==, TALLY_LABEL_TASK_FINALIZED);
  for (guint a = 0; a < 3; a++)
    {
      TallyUint256 before = tally_test_market_balance_of (market, a + 1);
      TallyUint256 credited = tally_test_market_credited (market, a + 1);
      TallyUint256 after;

      g_assert_false (tally_uint256_is_zero (&credited));
      g_assert_cmpuint (tally_test_engine_step (&engines[a]), ==, 0);
      g_assert_cmpint (tally_test_engine_state_of (&engines[a], market, a + 1, &task_id), ==,
                       TALLY_SUBMISSION_CLAIMED);
      after = tally_test_market_balance_of (market, a + 1);
      g_assert_true (tally_uint256_sub (&after, &after, &before));
      g_assert_cmpint (tally_uint256_cmp (&after, &credited), ==, 0);
    }
  task = tally_task_list_lookup (engines[2].tasks, &task_id);
  g_assert_false (tally_uint256_is_zero (&tally_task_get_seat (task, 2)->slashed));
  g_assert_cmpuint (tally_task_get_seat (task, 2)->wrong, ==, 1);

  for (guint a = 0; a < 3; a++)
    tally_test_engine_clear (&engines[a]);
  tally_test_engine_remove_dir (dir);
}

static void
test_refusals (TallyTestMarket *market,
               gconstpointer    data)
{
  static const guint8 bad_class[N_ITEMS] = { 1, 2, 3, 9 };
  TallyTestEngine     engine = { 0 };
  char               *dir = tally_test_engine_make_dir ();
  TallyUint256        task_id = open_task (market, 1 + 1);
  TallyUint256        missing;
  g_autoptr (GError) error = NULL;

  tally_test_engine_init_for (&engine, market, NULL, dir, 1);

  g_assert_false (tally_test_engine_submit (&engine, &task_id, good, N_ITEMS - 1, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION);
  g_clear_error (&error);
  g_assert_false (tally_test_engine_submit (&engine, &task_id, bad_class, N_ITEMS, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION);
  g_assert_nonnull (strstr (error->message, "Item 4"));
  g_clear_error (&error);
  tally_uint256_from_uint64 (&missing, 999);
  g_assert_false (tally_test_engine_submit (&engine, &missing, good, N_ITEMS, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* Nothing was written, nothing was sent. */
  g_assert_null (tally_store_get_submission (engine.store, market->chain_id, &market->market, &task_id,
                                             &market->accounts[1], TALLY_SUBMISSION_ANNOTATOR, 0, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (chain_submission (market, 1, &task_id).seated, ==, FALSE);

  g_assert_true (tally_test_engine_submit (&engine, &task_id, good, N_ITEMS, &error));
  g_assert_false (tally_test_engine_submit (&engine, &task_id, good, N_ITEMS, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE);
  g_clear_error (&error);

  tally_test_market_advance_to (market, tally_test_market_get_task (market, &task_id).params.commit_deadline + 1);
  {
    TallyTestEngine other = { 0 };

    tally_test_engine_open (&other, market, 2);
    g_assert_false (tally_test_engine_submit (&other, &task_id, good, N_ITEMS, &error));
    g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE);
    g_clear_error (&error);
    tally_test_engine_clear (&other);
  }

  /* A reveal window missed: expired, with the reason. */
  tally_test_market_advance_to (market, tally_test_market_get_task (market, &task_id).params.reveal_deadline + 1);
  g_assert_cmpuint (tally_test_engine_step (&engine), ==, 0);
  {
    g_autoptr (TallySubmissionRecord) record =
      tally_store_get_submission (engine.store, market->chain_id, &market->market, &task_id,
                                  &market->accounts[1], TALLY_SUBMISSION_ANNOTATOR, 0, &error);

    g_assert_cmpint (record->state, ==, TALLY_SUBMISSION_EXPIRED);
    g_assert_nonnull (strstr (record->reason, "reveal window"));
  }
  tally_test_engine_clear (&engine);
  tally_test_engine_remove_dir (dir);
}

static void
test_review (TallyTestMarket *market,
             gconstpointer    data)
{
  /* The careless annotator's last item is wrong: the reviewer rejects it. */
  static const guint8  verdicts[N_ITEMS] = { 1, 1, 1, 2 };
  const guint8        *labels[2] = { good, careless };
  TallyLabelTaskParams params = tally_test_market_default_params (market, N_ITEMS, 2, 1);
  TallyTestEngine      engines[3] = { { 0 } };
  char                *dir = tally_test_engine_make_dir ();
  TallyUint256         task_id, lock;
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_uint256_mul_uint64 (&lock, &params.stake_per_item, N_ITEMS));
  for (guint a = 1; a <= 3; a++)
    tally_test_market_stake (market, a, &lock);
  task_id = tally_test_market_create_task (market, TALLY_TEST_MARKET_REQUESTER, &params, "ipfs://reviewed");
  for (guint a = 0; a < 3; a++)
    tally_test_engine_init_for (&engines[a], market, NULL, dir, a + 1);

  /* Nothing to review before the reveals. */
  g_assert_false (tally_test_engine_review (&engines[2], &task_id, 1, verdicts, N_ITEMS, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE);
  g_clear_error (&error);

  for (guint a = 0; a < 2; a++)
    g_assert_true (tally_test_engine_submit (&engines[a], &task_id, labels[a], N_ITEMS, &error));
  tally_test_market_advance_to (market, params.commit_deadline + 1);
  for (guint a = 0; a < 2; a++)
    g_assert_cmpuint (tally_test_engine_step (&engines[a]), ==, 1);

  /* Refused: an annotator of the task, verdicts of the wrong length. */
  g_assert_false (tally_test_engine_review (&engines[0], &task_id, 1, verdicts, N_ITEMS, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE);
  g_clear_error (&error);
  g_assert_false (tally_test_engine_review (&engines[2], &task_id, 1, verdicts, N_ITEMS - 1, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION);
  g_clear_error (&error);

  g_assert_true (tally_test_engine_review (&engines[2], &task_id, 1, verdicts, N_ITEMS, &error));
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
  g_assert_cmpuint (tally_test_engine_step (&engines[2]), ==, 1);
  tally_test_market_advance_to (market, params.review_commit_deadline + 1);
  g_assert_cmpuint (tally_test_engine_step (&engines[2]), ==, 1);
  g_assert_cmpint (tally_test_market_get_review (market, &task_id, 1, 0).state, ==, TALLY_LABEL_SEAT_REVEALED);
  tally_test_market_advance_to (market, params.review_reveal_deadline + 1);
  g_assert_cmpuint (tally_test_engine_step (&engines[0]), ==, 1);
  for (guint a = 0; a < 3; a++)
    {
      TallyUint256 credited = tally_test_market_credited (market, a + 1);
      TallyUint256 before = tally_test_market_balance_of (market, a + 1);
      TallyUint256 after;

      g_assert_false (tally_uint256_is_zero (&credited));
      g_assert_cmpuint (tally_test_engine_step (&engines[a]), ==, 0);
      after = tally_test_market_balance_of (market, a + 1);
      g_assert_true (tally_uint256_sub (&after, &after, &before));
      g_assert_cmpint (tally_uint256_cmp (&after, &credited), ==, 0);
    }
  for (guint a = 0; a < 3; a++)
    tally_test_engine_clear (&engines[a]);
  tally_test_engine_remove_dir (dir);
}

/* The child: submits and says "committed" once the commit is mined (or
 * "failed: ..." when it is not), then waits to be killed. */
static int
run_child (const char *spec)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *said = NULL;
  TallyTestEngine  engine = { 0 };
  TallyUint256     task_id;

  tally_test_engine_init_child (&engine, spec, &task_id);
  if (tally_test_engine_submit (&engine, &task_id, good, N_ITEMS, &error))
    tally_test_engine_child_say ("committed");
  said = g_strdup_printf ("failed: %s", error->message);
  tally_test_engine_child_say (said);
}

static void
restart_and_reveal (TallyTestMarket    *market,
                    const char         *dir,
                    const TallyUint256 *task_id)
{
  TallyTestEngine engine = { 0 };
  TallyTask      *task;

  tally_test_engine_init_for (&engine, market, NULL, dir, 1);
  /* Still in the commit window: the engine finishes what the crash cut. */
  tally_test_engine_step (&engine);
  tally_test_engine_step (&engine);
  g_assert_cmpint (tally_test_engine_state_of (&engine, market, 1, task_id), ==,
                   TALLY_SUBMISSION_COMMITTED);
  tally_test_market_advance_to (market, tally_test_market_get_task (market, task_id).params.commit_deadline + 1);
  tally_test_engine_step (&engine);
  g_assert_cmpint (tally_test_engine_state_of (&engine, market, 1, task_id), ==,
                   TALLY_SUBMISSION_REVEALED);
  /* The next pass syncs the events that show the reveal; nothing to do. */
  g_assert_cmpuint (tally_test_engine_step (&engine), ==, 1);
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
  {
    g_autoptr (GArray) commits = tally_test_engine_event_values (&engine, task_id, "Committed", "seat");

    g_assert_cmpuint (commits->len, ==, 1);
  }
  tally_test_engine_clear (&engine);
}

static void
test_killed_after_commit (TallyTestMarket *market,
                          gconstpointer    data)
{
  char            *dir = tally_test_engine_make_dir ();
  TallyUint256     task_id = open_task (market, 2);
  g_autofree char *said = NULL;

  said = tally_test_engine_run_child (market, self_path, CHILD_ENV,
                                      tally_rpc_client_get_url (market->client), dir, &task_id);
  g_assert_cmpstr (said, ==, "committed");
  restart_and_reveal (market, dir, &task_id);
  tally_test_engine_remove_dir (dir);
}

static void
test_killed_before_broadcast (TallyTestMarket *market,
                              gconstpointer    data)
{
  char        *dir = tally_test_engine_make_dir ();
  TallyUint256 task_id = open_task (market, 2);
  g_autoptr (TallyFaultProxy) proxy = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *said = NULL;

  proxy = tally_fault_proxy_new (tally_rpc_client_get_url (market->client), &error);
  g_assert_no_error (error);
  /* The join goes through; the commit, signed and journaled, never
   * reaches the node. */
  tally_fault_proxy_drop_calls_from (proxy, "eth_sendRawTransaction", 2);
  said = tally_test_engine_run_child (market, self_path, CHILD_ENV,
                                      tally_fault_proxy_get_url (proxy), dir, &task_id);
  g_assert_true (g_str_has_prefix (said, "failed: "));
  g_assert_cmpuint (tally_fault_proxy_count (proxy, "eth_sendRawTransaction"), >=, 2);
  g_assert_cmpint (chain_submission (market, 1, &task_id).state, ==, TALLY_LABEL_SEAT_JOINED);
  restart_and_reveal (market, dir, &task_id);
  tally_test_engine_remove_dir (dir);
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
