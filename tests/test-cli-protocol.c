/* test-cli-protocol.c: the whole protocol through tally-cli on
 * tools/devnet — two careful annotators, a bot at accuracy 0.3 and a
 * reviewer who rejects the bot's wrong labels; commit, reveal, review,
 * settle and claim by the engines alone, every balance and slash to the
 * wei by the contract's rules
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "market-log.h"
#include "task-list.h"
#include "tally-test-cli.h"
#include "tally-test-rpc.h"

#define N_ITEMS 6
#define TRUTH   "{\"labels\": [1, 2, 3, 4, 1, 2]}"
#define LABELS  "1 2 3 4 1 2\n"

static const guint8 truth[N_ITEMS] = { 1, 2, 3, 4, 1, 2 };

/* anvil's "test ... junk" accounts 2 and 4: public, test only. */
#define ACCOUNT_2_KEY "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"
#define ACCOUNT_4_KEY "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a"

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

/* tally-cli as another account, with its own data folder. */
static void
run_as (TallyTestCli      *f,
        const char        *key_file,
        const char        *data_home,
        const char *const *args,
        const char        *expect)
{
  g_auto (TallyTestCliResult) result = { 0 };
  g_autofree char *own_key = g_strdup (f->key_file);
  g_autofree char *own_data = g_strdup (f->data_home);

  if (key_file != NULL)
    {
      g_free (f->key_file);
      f->key_file = g_strdup (key_file);
      g_free (f->data_home);
      f->data_home = g_strdup (data_home);
    }
  tally_test_cli_run (f, &result, args);
  if (key_file != NULL)
    {
      g_free (f->key_file);
      f->key_file = g_steal_pointer (&own_key);
      g_free (f->data_home);
      f->data_home = g_steal_pointer (&own_data);
    }
  if (result.status != 0)
    g_error ("tally-cli %s: exit %d: %s", args[0], result.status, result.err);
  if (expect != NULL && strstr (result.out, expect) == NULL)
    g_error ("tally-cli %s said “%s”, not “%s”", args[0], result.out, expect);
}

/* The bot's revealed labels, as the market's events carry them. */
static GBytes *
revealed_labels (TallyTestCli       *f,
                 const TallyUint256 *task_id,
                 guint               account)
{
  g_autoptr (TallyMarketLog) log = NULL;
  g_autoptr (TallyTaskList) tasks = NULL;
  g_autoptr (GError) error = NULL;
  GAsyncResult *result = NULL;
  TallyTask    *task;
  gint          seat;

  log = tally_market_log_new (f->market.client, f->market.devnet.profile, NULL, &error);
  g_assert_no_error (error);
  tasks = tally_task_list_new (log);
  tally_market_log_sync_async (log, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (tally_market_log_sync_finish (log, tally_test_rpc_wait_for (&result), &error));
  task = tally_task_list_lookup (tasks, task_id);
  seat = tally_task_find_seat (task, &f->market.accounts[account]);
  g_assert_cmpint (seat, >=, 0);
  g_assert_cmpint (tally_task_get_seat (task, (guint) seat)->state, ==, TALLY_LABEL_SEAT_REVEALED);
  return g_bytes_ref (tally_task_get_seat (task, (guint) seat)->labels);
}

static TallyUint256
times (const TallyUint256 *amount,
       guint64             n)
{
  TallyUint256 product;

  g_assert_true (tally_uint256_mul_uint64 (&product, amount, n));
  return product;
}

static void
assert_rose_by (TallyTestCli       *f,
                guint               account,
                const TallyUint256 *before,
                const TallyUint256 *expected)
{
  TallyUint256     after = tally_test_market_balance_of (&f->market, account);
  g_autofree char *got = NULL;
  g_autofree char *want = tally_uint256_to_decimal (expected);

  g_assert_true (tally_uint256_sub (&after, &after, before));
  got = tally_uint256_to_decimal (&after);
  if (tally_uint256_cmp (&after, expected) != 0)
    g_error ("account %u received %s, the contract's rules say %s", account, got, want);
}

static void
test_whole_protocol (TallyTestCli *f,
                     gconstpointer data)
{
  TallyLabelTaskParams params = tally_test_market_default_params (&f->market, N_ITEMS, 3, 1);
  g_autofree char     *truth_file = write_file (f, "truth.json", TRUTH);
  g_autofree char     *labels_file = write_file (f, "labels.txt", LABELS);
  g_autofree char     *key2 = write_file (f, "key2", ACCOUNT_2_KEY "\n");
  g_autofree char     *key4 = write_file (f, "key4", ACCOUNT_4_KEY "\n");
  g_autofree char     *data2 = g_build_filename (f->home, "data2", NULL);
  g_autofree char     *data4 = g_build_filename (f->home, "data4", NULL);
  g_autofree char     *verdicts_file = NULL;
  g_autofree char     *id = NULL;
  g_autoptr (GString) verdicts = g_string_new (NULL);
  g_autoptr (GBytes) bot_labels = NULL;
  char              bot_address[TALLY_ADDRESS_STRING_SIZE];
  const char *const bot[] = { "bot", "--truth", truth_file, "--accuracy", "0.3", "--accounts", "1",
                              "--first-account", "3", "--seed", "5", "--once", NULL };
  TallyUint256      task_id, lock, before[5], slash_per_item, expected;
  TallyLabelStake   bot_stake;
  guint             right = 0;
  const guint8     *revealed;

  task_id = tally_test_market_create_task (&f->market, TALLY_TEST_MARKET_REQUESTER, &params, "ipfs://protocol");
  id = tally_uint256_to_decimal (&task_id);
  lock = times (&params.stake_per_item, N_ITEMS);
  tally_test_market_stake (&f->market, 1, &lock);
  tally_test_market_stake (&f->market, 2, &lock);
  tally_test_market_stake (&f->market, 4, &lock);

  /* Commit: two careful annotators through submit, the bot by itself. */
  run_as (f, NULL, NULL, (const char *const[]){ "submit", id, "--labels", labels_file, NULL }, "Committed");
  run_as (f, key2, data2, (const char *const[]){ "submit", id, "--labels", labels_file, NULL }, "Committed");
  run_as (f, NULL, NULL, bot, "committed");

  /* Reveal, each engine in its window. */
  tally_test_market_advance_to (&f->market, params.commit_deadline + 1);
  run_as (f, NULL, NULL, (const char *const[]){ "run", "--once", NULL }, "revealed");
  run_as (f, key2, data2, (const char *const[]){ "run", "--once", NULL }, "revealed");
  run_as (f, NULL, NULL, bot, "revealed");

  /* The reviewer rejects exactly the bot's wrong labels. */
  bot_labels = revealed_labels (f, &task_id, 3);
  revealed = g_bytes_get_data (bot_labels, NULL);
  for (guint i = 0; i < N_ITEMS; i++)
    {
      right += revealed[i] == truth[i];
      g_string_append (verdicts, revealed[i] == truth[i] ? "accept\n" : "reject\n");
    }
  g_test_message ("the bot at accuracy 0.3 got %u of %u right", right, N_ITEMS);
  g_assert_cmpuint (right, <, N_ITEMS);
  verdicts_file = write_file (f, "verdicts.txt", verdicts->str);
  tally_address_to_string (&f->market.accounts[3], bot_address);
  run_as (f, key4, data4,
          (const char *const[]){ "review", id, "--annotator", bot_address, "--verdicts", verdicts_file, NULL },
          "Committed a review");
  tally_test_market_advance_to (&f->market, params.review_commit_deadline + 1);
  run_as (f, key4, data4, (const char *const[]){ "run", "--once", NULL }, "revealed");

  /* Settle and claim: the first engine past the last deadline finalizes. */
  tally_test_market_advance_to (&f->market, params.review_reveal_deadline + 1);
  for (guint a = 0; a < 5; a++)
    before[a] = tally_test_market_balance_of (&f->market, a);
  run_as (f, NULL, NULL, (const char *const[]){ "run", "--until-done", "--interval", "1", NULL }, "claimed");
  run_as (f, key2, data2, (const char *const[]){ "run", "--until-done", "--interval", "1", NULL }, "claimed");
  run_as (f, key4, data4, (const char *const[]){ "run", "--until-done", "--interval", "1", NULL }, "claimed");
  run_as (f, NULL, NULL,
          (const char *const[]){ "bot", "--truth", truth_file, "--accounts", "1", "--first-account", "3",
                                 "--until-done", "--interval", "1", NULL },
          right > 0 ? "claimed" : NULL);
  g_assert_cmpint (tally_test_market_get_task (&f->market, &task_id).state, ==, TALLY_LABEL_TASK_FINALIZED);

  /* Careful annotators: every label paid. The reviewer: every verdict,
   * as its own majority. The bot: paid for its right labels, slashed
   * stakePerItem × slashBps for each wrong one, which is burned. */
  expected = times (&params.reward_per_label, N_ITEMS);
  assert_rose_by (f, 1, &before[1], &expected);
  assert_rose_by (f, 2, &before[2], &expected);
  expected = times (&params.review_reward_per_item, N_ITEMS);
  assert_rose_by (f, 4, &before[4], &expected);
  expected = times (&params.reward_per_label, right);
  assert_rose_by (f, 3, &before[3], &expected);
  bot_stake = tally_test_market_stake_of (&f->market, 3);
  g_assert_true (tally_uint256_is_zero (&bot_stake.locked));
  slash_per_item = times (&params.stake_per_item, params.slash_bps);
  g_assert_true (tally_uint256_divmod_uint64 (&slash_per_item, NULL, &slash_per_item, TALLY_LABEL_BPS));
  expected = times (&slash_per_item, N_ITEMS - right);
  g_assert_true (tally_uint256_sub (&expected, &lock, &expected));
  g_assert_cmpint (tally_uint256_cmp (&bot_stake.total, &expected), ==, 0);
  for (guint a = 1; a <= 4; a++)
    {
      TallyUint256 credited = tally_test_market_credited (&f->market, a);

      g_assert_true (tally_uint256_is_zero (&credited));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/cli/protocol/whole", TallyTestCli, NULL, tally_test_cli_set_up, test_whole_protocol,
              tally_test_cli_tear_down);

  return g_test_run ();
}
