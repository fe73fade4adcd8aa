/* test-cli-bot.c: tally-cli bot as a program against tools/devnet — bots
 * of the devnet's mnemonic take seats, commit, reveal, settle and claim
 * to the wei; a careless bot is slashed for every label; bad command
 * lines and a network file without a mnemonic refused
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "tally-test-cli.h"

#define N_ITEMS 6
#define TRUTH   "{\"labels\": [1, 2, 3, 4, 1, 2]}"
#define LABELS  "1 2 3 4 1 2\n"

/* Account 1 stakes and submits the truth through the CLI. */
static void
submit_truth (TallyTestCli               *f,
              const TallyLabelTaskParams *params,
              const char                 *id)
{
  g_autofree char *labels_file = tally_test_cli_write_file (f, "labels.txt", LABELS);
  g_auto (TallyTestCliResult) result = { 0 };
  TallyUint256 lock;

  g_assert_true (tally_uint256_mul_uint64 (&lock, &params->stake_per_item, N_ITEMS));
  tally_test_market_stake (&f->market, TALLY_TEST_CLI_ACCOUNT, &lock);
  tally_test_cli_run_ok (f, &result, (const char *const[]){ "submit", id, "--labels", labels_file, NULL });
}

static void
test_annotate (TallyTestCli *f,
               gconstpointer data)
{
  TallyLabelTaskParams params = tally_test_market_default_params (&f->market, N_ITEMS, 3, 0);
  g_autofree char     *truth = tally_test_cli_write_file (f, "truth.json", TRUTH);
  g_autofree char     *id = NULL;
  const char *const    bot[] = { "bot", "--truth", truth, "--accuracy", "1", "--accounts", "2",
                                 "--first-account", "2", "--once", NULL };
  g_auto (TallyTestCliResult) result = { 0 };
  TallyUint256 task_id, lock, reward, before[2], after;

  task_id = tally_test_market_create_task (&f->market, TALLY_TEST_MARKET_REQUESTER, &params, "ipfs://bot");
  id = tally_uint256_to_decimal (&task_id);
  g_assert_true (tally_uint256_mul_uint64 (&lock, &params.stake_per_item, N_ITEMS));

  /* Two seats taken; each bot staked exactly the lock. */
  tally_test_cli_run_ok (f, &result, bot);
  g_assert_cmpuint (tally_test_cli_count_lines (result.out, ": staked "), ==, 2);
  g_assert_cmpuint (tally_test_cli_count_lines (result.out, "committed"), ==, 2);
  tally_test_cli_result_clear (&result);
  for (guint a = 2; a <= 3; a++)
    {
      TallyLabelStake stake = tally_test_market_stake_of (&f->market, a);

      g_assert_cmpint (tally_test_cli_submission_of (f, a, &task_id).state, ==,
                       TALLY_LABEL_SEAT_COMMITTED);
      g_assert_cmpint (tally_uint256_cmp (&stake.locked, &lock), ==, 0);
    }
  /* A second pass has nothing to join or reveal yet. */
  tally_test_cli_run_ok (f, &result, bot);
  g_assert_cmpstr (result.out, ==, "");
  tally_test_cli_result_clear (&result);

  submit_truth (f, &params, id);
  tally_test_market_advance_to (&f->market, params.commit_deadline + 1);
  tally_test_cli_run_ok (f, &result, bot);
  g_assert_cmpuint (tally_test_cli_count_lines (result.out, "revealed"), ==, 2);
  tally_test_cli_result_clear (&result);
  tally_test_cli_run_ok (f, &result, (const char *const[]){ "run", "--once", NULL });
  g_assert_nonnull (strstr (result.out, "revealed"));
  tally_test_cli_result_clear (&result);
  for (guint a = 1; a <= 3; a++)
    g_assert_cmpint (tally_test_cli_submission_of (f, a, &task_id).state, ==, TALLY_LABEL_SEAT_REVEALED);

  /* Past the last deadline the bots settle and claim: six right labels
   * each, to the wei. */
  tally_test_market_advance_to (&f->market, params.review_reveal_deadline + 1);
  before[0] = tally_test_market_balance_of (&f->market, 2);
  before[1] = tally_test_market_balance_of (&f->market, 3);
  tally_test_cli_run_ok (f, &result,
                         (const char *const[]){ "bot", "--truth", truth, "--accounts", "2", "--first-account",
                                                "2", "--until-done", "--interval", "1", NULL });
  g_assert_cmpuint (tally_test_cli_count_lines (result.out, "claimed"), ==, 2);
  tally_test_cli_result_clear (&result);
  g_assert_cmpint (tally_test_market_get_task (&f->market, &task_id).state, ==, TALLY_LABEL_TASK_FINALIZED);
  g_assert_true (tally_uint256_mul_uint64 (&reward, &params.reward_per_label, N_ITEMS));
  for (guint a = 2; a <= 3; a++)
    {
      TallyUint256    credited = tally_test_market_credited (&f->market, a);
      TallyLabelStake stake = tally_test_market_stake_of (&f->market, a);

      g_assert_true (tally_uint256_is_zero (&credited));
      after = tally_test_market_balance_of (&f->market, a);
      g_assert_true (tally_uint256_sub (&after, &after, &before[a - 2]));
      g_assert_cmpint (tally_uint256_cmp (&after, &reward), ==, 0);
      g_assert_true (tally_uint256_is_zero (&stake.locked));
      g_assert_cmpint (tally_uint256_cmp (&stake.total, &lock), ==, 0);
    }
  /* Account 1's reward waits for its own claim. */
  after = tally_test_market_credited (&f->market, TALLY_TEST_CLI_ACCOUNT);
  g_assert_cmpint (tally_uint256_cmp (&after, &reward), ==, 0);
}

static void
test_usage (TallyTestCli *f,
            gconstpointer data)
{
  g_autofree char *truth = tally_test_cli_write_file (f, "truth.json", TRUTH);
  g_autofree char *bad_truth = tally_test_cli_write_file (f, "bad.json", "{\"labels\": [1, 0, 2]}");
  g_autofree char *network = NULL;
  g_autofree char *copy = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (TallyTestCliResult) result = { 0 };

  tally_test_cli_run (f, &result, (const char *const[]){ "bot", "--once", NULL });
  tally_test_cli_assert_one_line_error (&result, 2, "--truth");
  tally_test_cli_result_clear (&result);
  tally_test_cli_run (f, &result, (const char *const[]){ "bot", "--truth", truth, "--accuracy", "1.5", NULL });
  tally_test_cli_assert_one_line_error (&result, 2, "--accuracy");
  tally_test_cli_result_clear (&result);
  tally_test_cli_run (f, &result, (const char *const[]){ "bot", "--truth", bad_truth, NULL });
  tally_test_cli_assert_one_line_error (&result, 2, "entry 2");
  tally_test_cli_result_clear (&result);

  /* The same network without its mnemonic is a real one for the bots. */
  g_assert_true (g_file_get_contents (f->market.devnet.network_file, &network, NULL, &error));
  root = json_from_string (network, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_has_member (json_node_get_object (root), "mnemonic"));
  json_object_remove_member (json_node_get_object (root), "mnemonic");
  g_clear_pointer (&network, g_free);
  network = json_to_string (root, TRUE);
  copy = tally_test_cli_write_file (f, "network.json", network);
  tally_test_cli_run_full (f, &result, FALSE,
                           (const char *const[]){ "--network", copy, "bot", "--truth", truth, "--once", NULL });
  tally_test_cli_assert_one_line_error (&result, 2, "mnemonic");
}

static void
test_careless (TallyTestCli *f,
               gconstpointer data)
{
  TallyLabelTaskParams params = tally_test_market_default_params (&f->market, N_ITEMS, 3, 0);
  g_autofree char     *truth = tally_test_cli_write_file (f, "truth.json", TRUTH);
  g_autofree char     *id = NULL;
  g_auto (TallyTestCliResult) result = { 0 };
  TallyLabelStake stake_before, stake_after;
  TallyUint256    task_id, slash, lost;

  task_id = tally_test_market_create_task (&f->market, TALLY_TEST_MARKET_REQUESTER, &params, "ipfs://careless");
  id = tally_uint256_to_decimal (&task_id);
  submit_truth (f, &params, id);
  /* Account 2 labels right, account 3 always wrong. */
  tally_test_cli_run_ok (f, &result,
                         (const char *const[]){ "bot", "--truth", truth, "--accuracy", "1", "--accounts", "1",
                                                "--first-account", "2", "--once", NULL });
  tally_test_cli_result_clear (&result);
  tally_test_cli_run_ok (f, &result,
                         (const char *const[]){ "bot", "--truth", truth, "--accuracy", "0.0", "--accounts",
                                                "1", "--first-account", "3", "--once", "--seed", "7", NULL });
  g_assert_cmpuint (tally_test_cli_count_lines (result.out, "committed"), ==, 1);
  tally_test_cli_result_clear (&result);

  tally_test_market_advance_to (&f->market, params.commit_deadline + 1);
  tally_test_cli_run_ok (f, &result,
                         (const char *const[]){ "bot", "--truth", truth, "--first-account", "2", "--once", NULL });
  g_assert_cmpuint (tally_test_cli_count_lines (result.out, "revealed"), ==, 2);
  tally_test_cli_result_clear (&result);
  tally_test_cli_run_ok (f, &result, (const char *const[]){ "run", "--once", NULL });
  tally_test_cli_result_clear (&result);

  tally_test_market_advance_to (&f->market, params.review_reveal_deadline + 1);
  stake_before = tally_test_market_stake_of (&f->market, 3);
  tally_test_cli_run_ok (f, &result,
                         (const char *const[]){ "bot", "--truth", truth, "--first-account", "2",
                                                "--until-done", "--interval", "1", NULL });
  tally_test_cli_result_clear (&result);
  g_assert_cmpint (tally_test_market_get_task (&f->market, &task_id).state, ==, TALLY_LABEL_TASK_FINALIZED);

  /* Every one of its six labels was wrong: slashBps of stakePerItem each. */
  stake_after = tally_test_market_stake_of (&f->market, 3);
  g_assert_true (tally_uint256_sub (&lost, &stake_before.total, &stake_after.total));
  g_assert_true (tally_uint256_mul_uint64 (&slash, &params.stake_per_item, params.slash_bps));
  g_assert_true (tally_uint256_divmod_uint64 (&slash, NULL, &slash, 10000));
  g_assert_true (tally_uint256_mul_uint64 (&slash, &slash, N_ITEMS));
  g_assert_cmpint (tally_uint256_cmp (&lost, &slash), ==, 0);
  lost = tally_test_market_credited (&f->market, 3);
  g_assert_true (tally_uint256_is_zero (&lost));
}

static void
test_review (TallyTestCli *f,
             gconstpointer data)
{
  TallyLabelTaskParams params = tally_test_market_default_params (&f->market, N_ITEMS, 2, 1);
  g_autofree char     *truth = tally_test_cli_write_file (f, "truth.json", TRUTH);
  g_autofree char     *tasks_truth = NULL;
  g_autofree char     *id = NULL;
  g_autofree char     *text = NULL;
  g_auto (TallyTestCliResult) result = { 0 };
  TallyUint256 task_id, lock, reward, before, after;

  task_id = tally_test_market_create_task (&f->market, TALLY_TEST_MARKET_REQUESTER, &params, "ipfs://review");
  id = tally_uint256_to_decimal (&task_id);
  /* The reviewer's truth is given per task. */
  text = g_strdup_printf ("{\"tasks\": {\"%s\": [1, 2, 3, 4, 1, 2]}}", id);
  tasks_truth = tally_test_cli_write_file (f, "tasks.json", text);
  submit_truth (f, &params, id);
  tally_test_cli_run_ok (f, &result,
                         (const char *const[]){ "bot", "--truth", truth, "--accounts", "1", "--first-account",
                                                "2", "--once", NULL });
  tally_test_cli_result_clear (&result);

  /* Nothing to review before the submissions are revealed. */
  tally_test_cli_run_ok (f, &result,
                         (const char *const[]){ "bot", "--review", "--truth", tasks_truth, "--accounts", "1",
                                                "--first-account", "3", "--once", NULL });
  g_assert_cmpstr (result.out, ==, "");
  tally_test_cli_result_clear (&result);
  tally_test_market_advance_to (&f->market, params.commit_deadline + 1);
  tally_test_cli_run_ok (f, &result,
                         (const char *const[]){ "bot", "--truth", truth, "--accounts", "1", "--first-account",
                                                "2", "--once", NULL });
  tally_test_cli_result_clear (&result);
  tally_test_cli_run_ok (f, &result, (const char *const[]){ "run", "--once", NULL });
  tally_test_cli_result_clear (&result);

  /* Account 3 reviews both seats, staking a lock for each. */
  tally_test_cli_run_ok (f, &result,
                         (const char *const[]){ "bot", "--review", "--truth", tasks_truth, "--accounts", "1",
                                                "--first-account", "3", "--once", NULL });
  g_assert_cmpuint (tally_test_cli_count_lines (result.out, "review of seat"), ==, 2);
  tally_test_cli_result_clear (&result);
  g_assert_true (tally_uint256_mul_uint64 (&lock, &params.stake_per_item, 2 * N_ITEMS));
  {
    TallyLabelStake stake = tally_test_market_stake_of (&f->market, 3);

    g_assert_cmpint (tally_uint256_cmp (&stake.locked, &lock), ==, 0);
  }
  tally_test_market_advance_to (&f->market, params.review_commit_deadline + 1);
  tally_test_cli_run_ok (f, &result,
                         (const char *const[]){ "bot", "--review", "--truth", tasks_truth, "--accounts", "1",
                                                "--first-account", "3", "--once", NULL });
  g_assert_cmpuint (tally_test_cli_count_lines (result.out, "revealed"), ==, 2);
  tally_test_cli_result_clear (&result);
  for (guint s = 0; s < 2; s++)
    g_assert_cmpint (tally_test_market_get_review (&f->market, &task_id, s, 0).state, ==,
                     TALLY_LABEL_SEAT_REVEALED);

  /* A lone reviewer is its own majority: every verdict is paid. */
  tally_test_market_advance_to (&f->market, params.review_reveal_deadline + 1);
  before = tally_test_market_balance_of (&f->market, 3);
  tally_test_cli_run_ok (f, &result,
                         (const char *const[]){ "bot", "--review", "--truth", tasks_truth, "--accounts", "1",
                                                "--first-account", "3", "--until-done", "--interval", "1",
                                                NULL });
  tally_test_cli_result_clear (&result);
  g_assert_cmpint (tally_test_market_get_task (&f->market, &task_id).state, ==, TALLY_LABEL_TASK_FINALIZED);
  after = tally_test_market_balance_of (&f->market, 3);
  g_assert_true (tally_uint256_sub (&after, &after, &before));
  g_assert_true (tally_uint256_mul_uint64 (&reward, &params.review_reward_per_item, 2 * N_ITEMS));
  g_assert_cmpint (tally_uint256_cmp (&after, &reward), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/cli/bot/annotate", TallyTestCli, NULL, tally_test_cli_set_up, test_annotate,
              tally_test_cli_tear_down);
  g_test_add ("/cli/bot/careless", TallyTestCli, NULL, tally_test_cli_set_up, test_careless,
              tally_test_cli_tear_down);
  g_test_add ("/cli/bot/review", TallyTestCli, NULL, tally_test_cli_set_up, test_review,
              tally_test_cli_tear_down);
  g_test_add ("/cli/bot/usage", TallyTestCli, NULL, tally_test_cli_set_up, test_usage,
              tally_test_cli_tear_down);

  return g_test_run ();
}
