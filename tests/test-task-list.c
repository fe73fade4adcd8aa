/* test-task-list.c: tasks discovered from the market's events equal the
 * contract's views at every stage of a task with gold and a review; the
 * finalize built from the events alone settles it; phases by deadline
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "core-error.h"
#include "label-market.h"
#include "market-log.h"
#include "task-list.h"
#include "tally-test-market.h"
#include "tally-test-rpc.h"

#define N_ITEMS 6

typedef struct
{
  TallyMarketLog *log;
  TallyTaskList  *tasks;
  const guint8   *labels[3];
} Watch;

static void
sync_watch (Watch *watch)
{
  g_autoptr (GError) error = NULL;
  GAsyncResult *result = NULL;

  tally_market_log_sync_async (watch->log, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (tally_market_log_sync_finish (watch->log, tally_test_rpc_wait_for (&result), &error));
  g_assert_no_error (error);
}

static void
assert_bytes (GBytes       *bytes,
              const guint8 *expected,
              gsize         len)
{
  g_assert_nonnull (bytes);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), expected, len);
}

/* The task as the events tell it, against getTask, getSeat and getReview. */
static void
assert_task_matches_chain (TallyTestMarket    *market,
                           Watch              *watch,
                           const TallyUint256 *task_id)
{
  TallyTask                  *task;
  TallyLabelTask              view;
  const TallyLabelTaskParams *p;

  sync_watch (watch);
  task = tally_task_list_lookup (watch->tasks, task_id);
  g_assert_nonnull (task);
  view = tally_test_market_get_task (market, task_id);
  p = tally_task_get_params (task);
  g_assert_cmpmem (p->manifest_hash, 32, view.params.manifest_hash, 32);
  g_assert_cmpmem (p->gold_commitment, 32, view.params.gold_commitment, 32);
  g_assert_cmpuint (p->item_count, ==, view.params.item_count);
  g_assert_cmpuint (p->replication, ==, view.params.replication);
  g_assert_cmpuint (p->reviewers, ==, view.params.reviewers);
  g_assert_cmpuint (p->review_reveal_deadline, ==, view.params.review_reveal_deadline);
  g_assert_cmpint (tally_uint256_cmp (&p->stake_per_item, &view.params.stake_per_item), ==, 0);
  g_assert_true (tally_address_equal (tally_task_get_requester (task), &view.requester));
  g_assert_cmpint (tally_task_get_state (task), ==, view.state);
  g_assert_cmpuint (tally_task_get_seats_taken (task), ==, view.seats_taken);
  g_assert_cmpint (tally_task_get_gold_revealed (task), ==, view.gold_revealed);
  for (guint s = 0; s < p->replication; s++)
    {
      TallyLabelSeat       chain = tally_test_market_get_seat (market, task_id, s);
      const TallyTaskSeat *seat = tally_task_get_seat (task, s);

      g_assert_cmpint (seat->taken, ==, chain.has_holder);
      if (seat->taken)
        g_assert_true (tally_address_equal (&seat->holder, &chain.holder));
      g_assert_cmpint (seat->state, ==, chain.state);
      if (seat->state == TALLY_LABEL_SEAT_REVEALED)
        assert_bytes (seat->labels, watch->labels[s], N_ITEMS);
      for (guint v = 0; v < p->reviewers; v++)
        {
          TallyLabelReview       chain_review = tally_test_market_get_review (market, task_id, s, v);
          const TallyTaskReview *review = tally_task_get_review (task, s, v);

          g_assert_cmpint (review->taken, ==, chain_review.has_reviewer);
          g_assert_cmpint (review->state, ==, chain_review.state);
        }
    }
  g_assert_cmpuint (tally_task_list_get_inconsistencies (watch->tasks), ==, 0);
}

static void
check_stage (TallyTestMarket     *market,
             TallyTestMarketStage stage,
             const TallyUint256  *task_id,
             gpointer             user_data)
{
  Watch     *watch = user_data;
  TallyTask *task;

  assert_task_matches_chain (market, watch, task_id);
  task = tally_task_list_lookup (watch->tasks, task_id);
  switch (stage)
    {
    case TALLY_TEST_MARKET_CREATED:
    case TALLY_TEST_MARKET_COMMITTED:
      g_assert_cmpint (tally_task_get_phase (task, tally_test_market_now (market)), ==,
                       TALLY_TASK_PHASE_LABELING);
      break;
    case TALLY_TEST_MARKET_REVEALED:
      g_assert_cmpint (tally_task_get_phase (task, tally_test_market_now (market)), ==,
                       TALLY_TASK_PHASE_REVEAL);
      break;
    case TALLY_TEST_MARKET_REVIEWED:
      g_assert_cmpint (tally_task_get_phase (task, tally_test_market_now (market)), ==,
                       TALLY_TASK_PHASE_REVIEW_REVEAL);
      break;
    case TALLY_TEST_MARKET_SETTLING:
      g_assert_cmpint (tally_task_get_phase (task, tally_test_market_now (market)), ==,
                       TALLY_TASK_PHASE_SETTLEABLE);
      g_assert_cmpuint (tally_task_get_next_deadline (task, tally_test_market_now (market)), ==, 0);
      break;
    case TALLY_TEST_MARKET_FINALIZED:
    default:
      g_assert_not_reached ();
    }
}

static void
test_discovery (TallyTestMarket *market,
                gconstpointer    data)
{
  static const guint8  good[N_ITEMS] = { 1, 2, 1, 2, 1, 2 };
  static const guint8  careless[N_ITEMS] = { 1, 2, 2, 1, 2, 1 };
  static const guint16 gold_indices[] = { 0, 1 };
  static const guint8  gold_labels[] = { 1, 2 };
  static const guint8  verdicts[N_ITEMS] = { 1, 1, 2, 2, 2, 2 };
  g_autoptr (TallyRpcClient) client = tally_rpc_client_new (tally_rpc_client_get_url (market->client));
  g_autoptr (GError) error = NULL;
  TallyTestMarketTask run = { 0 };
  Watch               watch = { 0 };
  TallyUint256        task_id, sum, slots;
  TallyTask          *task;
  guint8             *calldata = NULL;
  gsize               len = 0;

  watch.log = tally_market_log_new (client, market->devnet.profile, NULL, &error);
  g_assert_no_error (error);
  watch.tasks = tally_task_list_new (watch.log);
  watch.labels[0] = good;
  watch.labels[1] = good;
  watch.labels[2] = careless;

  run.params = tally_test_market_default_params (market, N_ITEMS, 3, 1);
  run.params.min_gold_accuracy_bps = 5000;
  run.requester = TALLY_TEST_MARKET_REQUESTER;
  run.n_annotators = 3;
  for (guint s = 0; s < 3; s++)
    {
      run.annotators[s] = s + 1;
      run.labels[s] = watch.labels[s];
    }
  run.n_gold = G_N_ELEMENTS (gold_indices);
  run.gold_indices = gold_indices;
  run.gold_labels = gold_labels;
  run.has_reviewer = TRUE;
  run.reviewer = 4;
  run.reviewed_seat = 2;
  run.verdicts = verdicts;
  run.skip_finalize = TRUE;
  run.hook = check_stage;
  run.hook_data = &watch;
  task_id = tally_test_market_run_task (market, &run);

  /* Settled from the events alone, by an account that took no part. */
  task = tally_task_list_lookup (watch.tasks, &task_id);
  g_assert_true (tally_task_get_gold_revealed (task));
  g_assert_cmpuint (tally_task_get_gold_indices (task)->len, ==, 2);
  assert_bytes (tally_task_get_gold_labels (task), gold_labels, 2);
  assert_bytes (tally_task_get_review (task, 2, 0)->verdicts, verdicts, N_ITEMS);
  g_assert_true (tally_task_encode_finalize (task, &calldata, &len, &error));
  g_assert_no_error (error);
  tally_rpc_receipt_free (tally_test_market_send (market, 4, &market->market, calldata, len));
  assert_task_matches_chain (market, &watch, &task_id);
  g_assert_cmpint (tally_task_get_state (task), ==, TALLY_LABEL_TASK_FINALIZED);
  g_assert_cmpint (tally_task_get_phase (task, tally_test_market_now (market)), ==,
                   TALLY_TASK_PHASE_FINALIZED);

  /* What each seat got is what the contract credited it, and the budget
   * is all accounted for: rewards + refund + burned reward slots. */
  memset (&sum, 0, sizeof sum);
  memset (&slots, 0, sizeof slots);
  for (guint s = 0; s < 3; s++)
    {
      const TallyTaskSeat *seat = tally_task_get_seat (task, s);
      TallyUint256         credited = tally_test_market_credited (market, s + 1);

      g_assert_true (seat->settled);
      g_assert_cmpint (tally_uint256_cmp (&seat->reward, &credited), ==, 0);
      g_assert_true (tally_uint256_add (&sum, &sum, &seat->reward));
      g_assert_true (tally_uint256_add (&slots, &slots, &seat->slashed));
    }
  {
    const TallyTaskReview *review = tally_task_get_review (task, 2, 0);
    TallyUint256           credited = tally_test_market_credited (market, 4);

    g_assert_true (review->settled);
    g_assert_cmpint (tally_uint256_cmp (&review->reward, &credited), ==, 0);
    g_assert_true (tally_uint256_add (&sum, &sum, &review->reward));
    g_assert_true (tally_uint256_add (&slots, &slots, &review->slashed));
  }
  g_assert_false (tally_uint256_is_zero (&tally_task_get_seat (task, 2)->slashed));
  /* burned = slashes + reward slots: take the slashes out. */
  g_assert_true (tally_uint256_sub (&slots, tally_task_get_burned (task), &slots));
  g_assert_true (tally_uint256_add (&sum, &sum, &slots));
  g_assert_true (tally_uint256_add (&sum, &sum, tally_task_get_refund (task)));
  g_assert_cmpint (tally_uint256_cmp (&sum, tally_task_get_budget (task)), ==, 0);

  /* Settled once: a second finalize is refused before it is sent. */
  g_assert_false (tally_task_encode_finalize (task, &calldata, &len, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE);
  g_clear_error (&error);

  /* A cancelled task shows as such. */
  {
    TallyLabelTaskParams params = tally_test_market_default_params (market, N_ITEMS, 2, 0);
    TallyUint256         other = tally_test_market_create_task (market, TALLY_TEST_MARKET_REQUESTER,
                                                                &params, "https://example.org/m.json");

    g_assert_true (tally_label_market_encode_cancel_task (&calldata, &len, &other, &error));
    tally_rpc_receipt_free (tally_test_market_send (market, TALLY_TEST_MARKET_REQUESTER,
                                                    &market->market, calldata, len));
    sync_watch (&watch);
    task = tally_task_list_lookup (watch.tasks, &other);
    g_assert_cmpint (tally_task_get_state (task), ==, TALLY_LABEL_TASK_CANCELLED);
    g_assert_cmpstr (tally_task_get_manifest_uri (task), ==, "https://example.org/m.json");
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (watch.tasks)), ==, 2);
  }
  g_clear_object (&watch.tasks);
  g_clear_object (&watch.log);
}

static void
test_phases (void)
{
  static const TallyAddress requester = { { 1 } };
  TallyLabelTaskParams      params = { 0 };
  TallyUint256              id, budget = { 0 };
  g_autoptr (TallyTask) task = NULL;

  params.replication = 2;
  params.item_count = 4;
  params.commit_deadline = 100;
  params.reveal_deadline = 200;
  params.review_commit_deadline = 300;
  params.review_reveal_deadline = 400;
  tally_uint256_from_uint64 (&id, 7);
  task = _tally_task_new (&id, &requester, &params, "ipfs://x", &budget, 1);
  /* Deadlines are inclusive, as the contract's. */
  g_assert_cmpint (tally_task_get_phase (task, 0), ==, TALLY_TASK_PHASE_LABELING);
  g_assert_cmpint (tally_task_get_phase (task, 100), ==, TALLY_TASK_PHASE_LABELING);
  g_assert_cmpint (tally_task_get_phase (task, 101), ==, TALLY_TASK_PHASE_REVEAL);
  g_assert_cmpint (tally_task_get_phase (task, 200), ==, TALLY_TASK_PHASE_REVEAL);
  g_assert_cmpint (tally_task_get_phase (task, 201), ==, TALLY_TASK_PHASE_REVIEW);
  g_assert_cmpint (tally_task_get_phase (task, 301), ==, TALLY_TASK_PHASE_REVIEW_REVEAL);
  g_assert_cmpint (tally_task_get_phase (task, 400), ==, TALLY_TASK_PHASE_REVIEW_REVEAL);
  g_assert_cmpint (tally_task_get_phase (task, 401), ==, TALLY_TASK_PHASE_SETTLEABLE);
  g_assert_cmpuint (tally_task_get_next_deadline (task, 50), ==, 100);
  g_assert_cmpuint (tally_task_get_next_deadline (task, 100), ==, 100);
  g_assert_cmpuint (tally_task_get_next_deadline (task, 101), ==, 200);
  g_assert_cmpuint (tally_task_get_next_deadline (task, 350), ==, 400);
  g_assert_cmpuint (tally_task_get_next_deadline (task, 401), ==, 0);
  g_assert_cmpint (tally_task_find_seat (task, &requester), ==, -1);
  g_assert_false (tally_task_has_gold (task));
  g_assert_false (tally_task_is_private (task));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/task-list/phases", test_phases);
  g_test_add ("/core/task-list/discovery", TallyTestMarket, "tally-tasks-XXXXXX",
              tally_test_market_set_up, test_discovery, tally_test_market_tear_down);

  return g_test_run ();
}
