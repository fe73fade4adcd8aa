/* test-cli-submit.c: tally-cli submit, review and run as programs against
 * tools/devnet — labels committed, revealed by run in their window, the
 * task settled and the reward claimed, to the wei; bad label files refused
 * before anything is sent
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "tally-test-cli.h"

#define N_ITEMS 4

static char *
write_file (TallyTestCli *f,
            const char   *name,
            const char   *text)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (f->home, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
  return path;
}

static TallyLabelSubmission
submission_of (TallyTestCli       *f,
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
  return submission;
}

static void
test_submit_and_run (TallyTestCli *f,
                     gconstpointer data)
{
  static const guint8  labels[N_ITEMS] = { 1, 2, 3, 4 };
  TallyLabelTaskParams params = tally_test_market_default_params (&f->market, N_ITEMS, 2, 1);
  g_autofree char     *labels_file = write_file (f, "labels.txt", "1 2\n3, 4\n");
  g_autofree char     *bad_file = write_file (f, "bad.txt", "1 2 three 4\n");
  g_autofree char     *verdicts_file = write_file (f, "verdicts.txt", "accept accept reject 1\n");
  g_autofree char     *id = NULL;
  g_auto (TallyTestCliResult) result = { 0 };
  TallyUint256 task_id, lock, before, after, credited;
  guint8       salt[32] = { 0x5a };
  guint8       commitment[32];
  guint8      *calldata = NULL;
  gsize        len = 0;
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_uint256_mul_uint64 (&lock, &params.stake_per_item, N_ITEMS));
  for (guint a = 1; a <= 3; a++)
    tally_test_market_stake (&f->market, a, &lock);
  task_id = tally_test_market_create_task (&f->market, TALLY_TEST_MARKET_REQUESTER, &params, "ipfs://cli");
  id = tally_uint256_to_decimal (&task_id);

  /* Refused before anything is sent. */
  tally_test_cli_run (f, &result, (const char *const[]){ "submit", id, "--labels", bad_file, NULL });
  tally_test_cli_assert_one_line_error (&result, 2, "three");
  tally_test_cli_result_clear (&result);
  tally_test_cli_run (f, &result, (const char *const[]){ "submit", id, NULL });
  tally_test_cli_assert_one_line_error (&result, 2, "--labels");
  tally_test_cli_result_clear (&result);
  g_assert_false (submission_of (f, 1, &task_id).seated);

  /* Account 1 (the CLI's) joins and commits; account 2 takes the other
   * seat directly, agreeing. */
  tally_test_cli_run_ok (f, &result, (const char *const[]){ "submit", id, "--labels", labels_file, NULL });
  g_assert_nonnull (strstr (result.out, "Committed to task"));
  tally_test_cli_result_clear (&result);
  g_assert_cmpint (submission_of (f, 1, &task_id).state, ==, TALLY_LABEL_SEAT_COMMITTED);
  tally_test_cli_run (f, &result, (const char *const[]){ "submit", id, "--labels", labels_file, NULL });
  tally_test_cli_assert_one_line_error (&result, 1, "already submitted");
  tally_test_cli_result_clear (&result);
  g_assert_true (tally_label_market_encode_join (&calldata, &len, &task_id, NULL, 0, &error));
  tally_rpc_receipt_free (tally_test_market_send (&f->market, 2, &f->market.market, calldata, len));
  tally_label_market_commitment (commitment, f->market.chain_id, &f->market.market, &task_id,
                                 &f->market.accounts[2], labels, N_ITEMS, NULL, 0, salt);
  g_assert_true (tally_label_market_encode_commit (&calldata, &len, &task_id, commitment, &error));
  tally_rpc_receipt_free (tally_test_market_send (&f->market, 2, &f->market.market, calldata, len));

  /* run --once before the window: nothing moves, but the reveal deadline
   * is within the hour, so it says to keep running. */
  tally_test_cli_run (f, &result, (const char *const[]){ "run", "--once", NULL });
  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpstr (result.out, ==, "");
  g_assert_nonnull (strstr (result.err, "must be revealed by"));
  tally_test_cli_result_clear (&result);

  tally_test_market_advance_to (&f->market, params.commit_deadline + 1);
  tally_test_cli_run_ok (f, &result, (const char *const[]){ "run", "--once", NULL });
  g_assert_nonnull (strstr (result.out, "revealed"));
  tally_test_cli_result_clear (&result);
  g_assert_cmpint (submission_of (f, 1, &task_id).state, ==, TALLY_LABEL_SEAT_REVEALED);
  g_assert_true (tally_label_market_encode_reveal (&calldata, &len, &task_id, labels, N_ITEMS, NULL, 0,
                                                   salt, &error));
  tally_rpc_receipt_free (tally_test_market_send (&f->market, 2, &f->market.market, calldata, len));

  /* Account 3 reviews account 2's submission through the CLI, with its
   * own key file. */
  {
    g_autofree char *key3 = write_file (f, "key3", "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6\n");
    char             annotator[TALLY_ADDRESS_STRING_SIZE];
    g_autofree char *reviewer_key = g_strdup (f->key_file);

    tally_address_to_string (&f->market.accounts[2], annotator);
    g_free (f->key_file);
    f->key_file = g_strdup (key3);
    tally_test_cli_run_ok (f, &result,
                           (const char *const[]){ "review", id, "--annotator", annotator, "--verdicts",
                                                  verdicts_file, NULL });
    g_assert_nonnull (strstr (result.out, "seat 2"));
    tally_test_cli_result_clear (&result);
    tally_test_market_advance_to (&f->market, params.review_commit_deadline + 1);
    tally_test_cli_run_ok (f, &result, (const char *const[]){ "run", "--once", NULL });
    g_assert_nonnull (strstr (result.out, "review of seat 2: revealed"));
    tally_test_cli_result_clear (&result);
    g_free (f->key_file);
    f->key_file = g_steal_pointer (&reviewer_key);
  }

  /* Past the last deadline, run settles the task and claims; the wallet
   * rises by exactly what was credited. */
  tally_test_market_advance_to (&f->market, params.review_reveal_deadline + 1);
  before = tally_test_market_balance_of (&f->market, 1);
  tally_test_cli_run_ok (f, &result, (const char *const[]){ "run", "--until-done", "--interval", "1", NULL });
  g_assert_nonnull (strstr (result.out, "claimed"));
  tally_test_cli_result_clear (&result);
  after = tally_test_market_balance_of (&f->market, 1);
  credited = tally_test_market_credited (&f->market, 1);
  g_assert_true (tally_uint256_is_zero (&credited));
  g_assert_true (tally_uint256_sub (&after, &after, &before));
  /* Four correct labels at 1 LABEL each (the reviewer judged seat 2). */
  tally_uint256_from_uint64 (&credited, N_ITEMS);
  g_assert_true (tally_uint256_mul (&credited, &credited, &params.reward_per_label));
  g_assert_cmpint (tally_uint256_cmp (&after, &credited), ==, 0);
  g_assert_cmpint (tally_test_market_get_task (&f->market, &task_id).state, ==, TALLY_LABEL_TASK_FINALIZED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/cli/submit/submit-and-run", TallyTestCli, NULL, tally_test_cli_set_up,
              test_submit_and_run, tally_test_cli_tear_down);

  return g_test_run ();
}
