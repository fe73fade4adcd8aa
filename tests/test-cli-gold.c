/* test-cli-gold.c: reference (gold) items through tally-cli on
 * tools/devnet — task create --gold, the requester's tally-cli run
 * revealing the gold (also after a SIGKILL), bots and annotators graded
 * against it, every balance, slash and burn to the wei by the contract's
 * settlement rules (re-implemented here), and task show telling each side
 * how it went
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "market-log.h"
#include "tally-test-cli.h"
#include "tally-test-rpc.h"
#include "task-gold.h"
#include "task-list.h"

#define N_ITEMS   8
#define N_CLASSES 4

static const guint8 truth[N_ITEMS] = { 1, 2, 3, 4, 1, 2, 3, 4 };
#define TRUTH_LIST "[1, 2, 3, 4, 1, 2, 3, 4]"
/* Items b, d, f and h (indices 1, 3, 5, 7), by class name and number. */
#define GOLD "{\"b\": \"dog\", \"d\": 4, \"f\": \"Dog\", \"h\": \"fish\"}"
/* The same items with a label the truth never has. */
#define LYING_GOLD "{\"b\": \"cat\", \"d\": \"cat\", \"f\": 1, \"h\": \"bird\"}"

#define ITEM(id)                                                                           \
  "{\"id\": \"" id "\", \"kind\": \"image\", \"uri\": \"" id ".png\", \"sha256\": "        \
  "\"0000000000000000000000000000000000000000000000000000000000000000\", \"size\": 1000, " \
  "\"width\": 640, \"height\": 480}"
#define CLASS(name) "{\"name\": \"" name "\", \"color\": \"#336699\"}"
#define MANIFEST \
  "{\"schema\": 1, \"title\": \"Pets\", \"instructions\": \"Which animal?\", \"classes\": [" CLASS ("cat") ", " CLASS ("dog") ", " CLASS ("bird") ", " CLASS ("fish") "], \"tools\": [\"classify\"], \"items\": [" ITEM ("a") ", " ITEM ("b") ", " ITEM ("c") ", " ITEM ("d") ", " ITEM ("e") ", " ITEM ("f") ", " ITEM ("g") ", " ITEM ("h") "]}"

/* task create as the requester (account 0); the new task's id. */
static char *
create_task (TallyTestCli *f,
             const char   *manifest,
             const char   *replication,
             const char   *gold,
             const char   *min_percent)
{
  const char *const args[] = { "task", "create", "--manifest", manifest, "--replication",
                               replication, "--reviewers", "0", "--reward", "1",
                               "--stake-per-item", "2", "--gold", gold, "--min-gold-percent",
                               min_percent, NULL };
  g_autofree char  *out = tally_test_cli_run_as (f, TALLY_TEST_MARKET_REQUESTER, args, "Task:");
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);

  g_assert_true (g_str_has_prefix (lines[0], "Task:"));
  g_assert_true (g_str_has_prefix (lines[1], "Gold:        4 items, revealed by tally-cli run"));
  return g_strdup (g_strstrip (lines[0] + strlen ("Task:")));
}

static TallyUint256
parse_id (const char *text)
{
  g_autoptr (GError) error = NULL;
  TallyUint256 id;

  g_assert_true (tally_uint256_parse (&id, text, &error));
  g_assert_no_error (error);
  return id;
}

/* The task as the market's events tell it. */
static TallyTask *
synced_task (TallyTestCli       *f,
             TallyTaskList     **tasks,
             const TallyUint256 *task_id)
{
  g_autoptr (TallyMarketLog) log = NULL;
  g_autoptr (GError) error = NULL;
  GAsyncResult *result = NULL;

  log = tally_market_log_new (f->market.client, f->market.devnet.profile, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (tasks);
  *tasks = tally_task_list_new (log);
  tally_market_log_sync_async (log, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (tally_market_log_sync_finish (log, tally_test_rpc_wait_for (&result), &error));
  g_object_unref (result);
  return tally_task_list_lookup (*tasks, task_id);
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
assert_amount (const char         *what,
               const TallyUint256 *got,
               const TallyUint256 *want)
{
  g_autofree char *got_text = tally_uint256_to_decimal (got);
  g_autofree char *want_text = tally_uint256_to_decimal (want);

  if (tally_uint256_cmp (got, want) != 0)
    g_error ("%s: %s, the contract's rules say %s", what, got_text, want_text);
}

/* The contract's grading of a task without reviewers (LabelMarket.sol's
 * notes), written again here: per seat, its correct, wrong and neutral
 * labels. */
typedef struct
{
  guint correct[TALLY_LABEL_MAX_REPLICATION];
  guint wrong[TALLY_LABEL_MAX_REPLICATION];
  guint neutral[TALLY_LABEL_MAX_REPLICATION];
} Grades;

static Grades
grade (TallyTask *task)
{
  const TallyLabelTaskParams *p = tally_task_get_params (task);
  GArray                     *indices = tally_task_get_gold_indices (task);
  const guint8               *gold_labels = g_bytes_get_data (tally_task_get_gold_labels (task), NULL);
  guint8                      gold[TALLY_LABEL_MAX_ITEMS] = { 0 };
  const guint8               *labels[TALLY_LABEL_MAX_REPLICATION] = { NULL };
  gboolean                    failed[TALLY_LABEL_MAX_REPLICATION] = { FALSE };
  guint                       valid = 0;
  Grades                      grades = { { 0 } };

  g_assert_true (tally_task_get_gold_revealed (task));
  g_assert_cmpuint (p->reviewers, ==, 0);
  for (guint j = 0; j < indices->len; j++)
    gold[g_array_index (indices, guint16, j)] = gold_labels[j];
  for (guint s = 0; s < p->replication; s++)
    {
      const TallyTaskSeat *seat = tally_task_get_seat (task, s);
      guint                hits = 0;

      g_assert_cmpint (seat->state, ==, TALLY_LABEL_SEAT_REVEALED);
      labels[s] = g_bytes_get_data (seat->labels, NULL);
      for (guint j = 0; j < indices->len; j++)
        hits += labels[s][g_array_index (indices, guint16, j)] == gold_labels[j];
      failed[s] = (guint64) hits * TALLY_LABEL_BPS < (guint64) p->min_gold_accuracy_bps * indices->len;
      valid += !failed[s];
    }
  for (guint i = 0; i < p->item_count; i++)
    {
      guint  counts[256] = { 0 }, best = 0, ties = 0;
      guint8 consensus = gold[i];

      if (consensus == 0)
        {
          for (guint s = 0; s < p->replication; s++)
            if (!failed[s] && labels[s][i] != 0)
              counts[labels[s][i]]++;
          for (guint c = 1; c < 256; c++)
            if (counts[c] > counts[best] || best == 0)
              best = counts[c] > 0 ? c : best;
          for (guint c = 1; c < 256; c++)
            ties += best != 0 && counts[c] == counts[best];
          if (best != 0 && ties == 1 &&
              (guint64) counts[best] * TALLY_LABEL_BPS >= (guint64) p->quorum_bps * valid)
            consensus = (guint8) best;
        }
      for (guint s = 0; s < p->replication; s++)
        {
          guint8 label = labels[s][i];

          if (failed[s] || (consensus != 0 && label != consensus && (label != 0 || gold[i] != 0)))
            grades.wrong[s]++;
          else if (consensus != 0 && label == consensus)
            grades.correct[s]++;
          else
            grades.neutral[s]++;
        }
    }
  return grades;
}

/* Checks the settlement of task, graded as above: each seat's reward and
 * slash, the requester's refund and the burn, against what the events say
 * and what the token's supply lost. */
static void
assert_settlement (TallyTask          *task,
                   const Grades       *grades,
                   const TallyUint256 *supply_drop)
{
  const TallyLabelTaskParams *p = tally_task_get_params (task);
  TallyUint256                slash = times (&p->stake_per_item, p->slash_bps);
  TallyUint256                burned = { 0 }, refund = { 0 }, part;

  g_assert_true (tally_uint256_divmod_uint64 (&slash, NULL, &slash, TALLY_LABEL_BPS));
  g_assert_cmpint (tally_task_get_state (task), ==, TALLY_LABEL_TASK_FINALIZED);
  for (guint s = 0; s < p->replication; s++)
    {
      const TallyTaskSeat *seat = tally_task_get_seat (task, s);
      TallyUint256         want;

      g_assert_cmpuint (seat->correct, ==, grades->correct[s]);
      g_assert_cmpuint (seat->wrong, ==, grades->wrong[s]);
      want = times (&p->reward_per_label, grades->correct[s]);
      assert_amount ("a seat's reward", &seat->reward, &want);
      want = times (&slash, grades->wrong[s]);
      assert_amount ("a seat's slash", &seat->slashed, &want);
      g_assert_true (tally_uint256_add (&part, &slash, &p->reward_per_label));
      part = times (&part, grades->wrong[s]);
      g_assert_true (tally_uint256_add (&burned, &burned, &part));
      part = times (&p->reward_per_label, grades->neutral[s]);
      g_assert_true (tally_uint256_add (&refund, &refund, &part));
    }
  assert_amount ("the requester's refund", tally_task_get_refund (task), &refund);
  assert_amount ("the burn", tally_task_get_burned (task), &burned);
  assert_amount ("the token supply's drop", supply_drop, &burned);
}

static TallyUint256
total_supply (TallyTestCli *f)
{
  g_autoptr (GBytes) reply = NULL;
  guint8      *calldata = g_memdup2 ("\x18\x16\x0d\xdd", 4); /* totalSupply() */
  TallyUint256 supply;

  reply = tally_test_market_call (&f->market, &f->market.token, calldata, 4);
  g_assert_cmpuint (g_bytes_get_size (reply), ==, 32);
  tally_uint256_from_bytes32 (&supply, g_bytes_get_data (reply, NULL));
  return supply;
}

static TallyUint256
lock_of (void)
{
  TallyUint256 stake_per_item;

  tally_uint256_from_uint64 (&stake_per_item, 2);
  g_assert_true (tally_uint256_mul_uint64 (&stake_per_item, &stake_per_item,
                                           G_GUINT64_CONSTANT (1000000000000000000)));
  return times (&stake_per_item, N_ITEMS);
}

/* The bot's truth: only this task's, so it joins nothing else. */
static char *
bot_truth (TallyTestCli *f,
           const char   *id,
           const char   *name)
{
  g_autofree char *text = g_strdup_printf ("{\"tasks\": {\"%s\": " TRUTH_LIST "}}", id);

  return tally_test_cli_write_file (f, name, text);
}

/* ---- R = 1 with gold: a careful bot is paid, a careless one fails ----------- */

static void
test_one_annotator (TallyTestCli *f,
                    gconstpointer data)
{
  g_autofree char *manifest = tally_test_cli_write_file (f, "manifest.json", MANIFEST);
  g_autofree char *gold = tally_test_cli_write_file (f, "gold.json", GOLD);
  g_autofree char *careful_id = create_task (f, manifest, "1", gold, "75");
  g_autofree char *careless_id = create_task (f, manifest, "1", gold, "75");
  g_autofree char *careful_truth = bot_truth (f, careful_id, "careful.json");
  g_autofree char *careless_truth = bot_truth (f, careless_id, "careless.json");
  g_autofree char *out = NULL;
  g_autoptr (TallyTaskList) tasks = NULL;
  g_autoptr (JsonNode) shown = NULL;
  const char *const careful[] = { "bot", "--truth", careful_truth, "--accuracy", "1",
                                  "--accounts", "1", "--first-account", "3", "--once", NULL };
  const char *const careless[] = { "bot", "--truth", careless_truth, "--accuracy", "0.3",
                                   "--accounts", "1", "--first-account", "4", "--seed", "7",
                                   "--once", NULL };
  TallyUint256      careful_task = parse_id (careful_id), careless_task = parse_id (careless_id);
  TallyUint256      lock = lock_of (), before[TALLY_TEST_MARKET_N_ACCOUNTS], supply, drop, want;
  /* The later task's deadlines, which are the later ones. */
  TallyLabelTaskParams p = tally_test_market_get_task (&f->market, &careless_task).params;
  TallyTask           *task;
  TallyLabelStake      stake;
  Grades               careful_grades, careless_grades;
  JsonObject          *gold_view;
  JsonArray           *missed;

  g_assert_cmpuint (p.replication, ==, 1);
  g_assert_cmpuint (p.min_gold_accuracy_bps, ==, 7500);
  tally_test_market_stake (&f->market, 3, &lock);
  tally_test_market_stake (&f->market, 4, &lock);

  /* Before the reveal: the annotator is told there is gold, and how much
   * of it must be right; nothing says which items. */
  {
    const char *const show[] = { "task", "show", careful_id, NULL };

    out = tally_test_cli_run_as (f, 3, show,
                                 "reference items hidden among the others; get at least 75%");
    g_clear_pointer (&out, g_free);
  }

  out = tally_test_cli_run_as (f, 1, careful, "committed");
  g_clear_pointer (&out, g_free);
  out = tally_test_cli_run_as (f, 1, careless, "committed");
  g_clear_pointer (&out, g_free);
  tally_test_market_advance_to (&f->market, p.commit_deadline + 1);
  out = tally_test_cli_run_as (f, 1, careful, "revealed");
  g_clear_pointer (&out, g_free);
  out = tally_test_cli_run_as (f, 1, careless, "revealed");
  g_clear_pointer (&out, g_free);

  /* The requester's engine, in the gold window. */
  tally_test_market_advance_to (&f->market, p.reveal_deadline + 1);
  out = tally_test_cli_run_as (f, TALLY_TEST_MARKET_REQUESTER,
                               (const char *const[]){ "run", "--once", NULL },
                               "gold revealed");
  {
    g_autofree char *one = g_strdup_printf ("Task %s: gold revealed", careful_id);
    g_autofree char *two = g_strdup_printf ("Task %s: gold revealed", careless_id);

    g_assert_nonnull (strstr (out, one));
    g_assert_nonnull (strstr (out, two));
  }
  g_clear_pointer (&out, g_free);

  /* Settle and claim by the bots themselves. */
  tally_test_market_advance_to (&f->market, p.review_reveal_deadline + 1);
  for (guint a = 0; a < TALLY_TEST_MARKET_N_ACCOUNTS; a++)
    before[a] = tally_test_market_balance_of (&f->market, a);
  supply = total_supply (f);
  out = tally_test_cli_run_as (f, 1,
                               (const char *const[]){ "bot", "--truth", careful_truth, "--accounts", "1",
                                                      "--first-account", "3", "--until-done", "--interval", "1",
                                                      NULL },
                               "claimed");
  g_clear_pointer (&out, g_free);
  out = tally_test_cli_run_as (f, 1,
                               (const char *const[]){ "bot", "--truth", careless_truth, "--accounts", "1",
                                                      "--first-account", "4", "--until-done", "--interval", "1",
                                                      NULL },
                               NULL);
  g_clear_pointer (&out, g_free);
  drop = total_supply (f);
  g_assert_true (tally_uint256_sub (&drop, &supply, &drop));

  task = synced_task (f, &tasks, &careful_task);
  careful_grades = grade (task);
  g_assert_false (tally_task_gold_failed (task, 0));
  g_assert_cmpuint (careful_grades.correct[0], ==, N_ITEMS);
  /* Nothing burned on the careful task: the whole drop is the careless one's. */
  tally_uint256_from_uint64 (&want, 0);
  assert_settlement (task, &careful_grades, &want);

  task = synced_task (f, &tasks, &careless_task);
  careless_grades = grade (task);
  if (!tally_task_gold_failed (task, 0))
    g_error ("the bot at accuracy 0.3 passed the gold with this seed: pick another");
  g_assert_cmpuint (careless_grades.correct[0], ==, 0);
  g_assert_cmpuint (careless_grades.wrong[0], ==, N_ITEMS);
  assert_settlement (task, &careless_grades, &drop);

  /* Balances to the wei: the careful bot claimed every reward; the careless
   * one nothing, and its stake lost the slash of every label. */
  want = tally_test_market_balance_of (&f->market, 3);
  g_assert_true (tally_uint256_sub (&want, &want, &before[3]));
  {
    TallyUint256 paid = times (&p.reward_per_label, N_ITEMS);

    assert_amount ("the careful bot's rewards", &want, &paid);
  }
  want = tally_test_market_balance_of (&f->market, 4);
  assert_amount ("the careless bot's rewards", &want, &before[4]);
  stake = tally_test_market_stake_of (&f->market, 4);
  {
    TallyUint256 slash = times (&p.stake_per_item, p.slash_bps);

    g_assert_true (tally_uint256_divmod_uint64 (&slash, NULL, &slash, TALLY_LABEL_BPS));
    slash = times (&slash, N_ITEMS);
    g_assert_true (tally_uint256_sub (&want, &lock, &slash));
    assert_amount ("the careless bot's stake", &stake.total, &want);
  }
  /* The requester gets nothing back from either task. */
  want = tally_test_market_credited (&f->market, TALLY_TEST_MARKET_REQUESTER);
  g_assert_true (tally_uint256_is_zero (&want));

  /* task show: the requester sees each seat's gold score; the careless
   * annotator its score and every gold item it missed, by name. */
  shown = tally_test_cli_run_json (f, (const char *const[]){ "task", "show", careless_id, "--json",
                                                             NULL });
  gold_view = json_object_get_object_member (
    json_array_get_object_element (json_object_get_array_member (json_node_get_object (shown), "seats"), 0),
    "gold");
  g_assert_cmpint (json_object_get_int_member (gold_view, "total"), ==, 4);
  g_assert_true (json_object_get_boolean_member (gold_view, "failed"));
  g_clear_pointer (&shown, json_node_unref);
  {
    const char *const show[] = { "task", "show", careless_id, "--json", NULL };
    g_autofree char  *json = tally_test_cli_run_as (f, 4, show, NULL);
    JsonObject       *mine, *first;

    shown = json_from_string (json, NULL);
    g_assert_nonnull (shown);
    mine = json_object_get_object_member (json_node_get_object (shown), "yourGold");
    g_assert_nonnull (mine);
    g_assert_true (json_object_get_boolean_member (mine, "failed"));
    missed = json_object_get_array_member (mine, "missed");
    g_assert_cmpuint (json_array_get_length (missed), ==,
                      4 - (guint) json_object_get_int_member (mine, "correct"));
    g_assert_cmpuint (json_array_get_length (missed), >, 1);
    first = json_array_get_object_element (missed, 0);
    g_assert_cmpstr (json_object_get_string_member (first, "item"), ==,
                     json_object_get_int_member (first, "index") == 1   ? "b"
                     : json_object_get_int_member (first, "index") == 3 ? "d"
                                                                        : "f");
    g_assert_cmpstr (json_object_get_string_member (first, "goldLabelName"), ==,
                     json_object_get_int_member (first, "index") == 3 ? "fish" : "dog");
    g_assert_cmpint (json_object_get_int_member (first, "goldLabel"), ==,
                     truth[json_object_get_int_member (first, "index")]);
    g_assert_cmpint (json_object_get_int_member (first, "label"), !=,
                     json_object_get_int_member (first, "goldLabel"));
  }
  out = tally_test_cli_run_as (f, 4, (const char *const[]){ "task", "show", careless_id, NULL },
                               "Your gold:");
  g_assert_nonnull (strstr (out, "every label of yours counts as wrong"));
  g_assert_nonnull (strstr (out, "Missed:     item "));
  g_assert_nonnull (strstr (out, ", the gold is "));
  g_clear_pointer (&out, g_free);
  out = tally_test_cli_run_as (f, 3, (const char *const[]){ "task", "show", careful_id, NULL },
                               "Your gold:  4 of 4 right (at least 75% needed)");
  g_assert_null (strstr (out, "Missed:"));
}

/* Each annotator in accounts submits labels (a file written here) with
 * tally-cli submit, and reveals with its own run in the reveal window. */
static void
submit_all (TallyTestCli       *f,
            const char         *id,
            const guint        *accounts,
            const guint8 *const labels[],
            guint               n)
{
  for (guint k = 0; k < n; k++)
    {
      g_autoptr (GString) text = g_string_new (NULL);
      g_autofree char *name = g_strdup_printf ("labels-%s-%u.txt", id, accounts[k]);
      g_autofree char *path = NULL;
      g_autofree char *out = NULL;

      for (guint i = 0; i < N_ITEMS; i++)
        g_string_append_printf (text, "%u\n", labels[k][i]);
      path = tally_test_cli_write_file (f, name, text->str);
      out = tally_test_cli_run_as (f, accounts[k],
                                   (const char *const[]){ "submit", id, "--labels", path, NULL },
                                   "Committed");
    }
}

static void
run_all (TallyTestCli      *f,
         const guint       *accounts,
         guint              n,
         const char *const *args,
         const char        *expect)
{
  for (guint k = 0; k < n; k++)
    g_free (tally_test_cli_run_as (f, accounts[k], args, expect));
}

/* ---- R = 3: two colluders agree on wrong gold labels, one is right ------------ */

static void
test_colluders (TallyTestCli *f,
                gconstpointer data)
{
  /* Right everywhere but on the gold items (b, d, f, h), where both say
   * the same wrong class. */
  static const guint8 colluded[N_ITEMS] = { 1, 1, 3, 1, 1, 1, 3, 1 };
  const guint8 *const labels[] = { colluded, colluded, truth };
  const guint         accounts[] = { 1, 2, 3 };
  g_autofree char    *manifest = tally_test_cli_write_file (f, "manifest.json", MANIFEST);
  g_autofree char    *gold = tally_test_cli_write_file (f, "gold.json", GOLD);
  g_autofree char    *id = create_task (f, manifest, "3", gold, "50");
  g_autoptr (TallyTaskList) tasks = NULL;
  TallyUint256         task_id = parse_id (id), lock = lock_of (), before[4], supply, drop, want;
  TallyLabelTaskParams p = tally_test_market_get_task (&f->market, &task_id).params;
  TallyTask           *task;
  Grades               grades;

  for (guint k = 0; k < 3; k++)
    tally_test_market_stake (&f->market, accounts[k], &lock);
  submit_all (f, id, accounts, labels, 3);
  tally_test_market_advance_to (&f->market, p.commit_deadline + 1);
  run_all (f, accounts, 3, (const char *const[]){ "run", "--once", NULL }, "revealed");
  tally_test_market_advance_to (&f->market, p.reveal_deadline + 1);
  g_free (tally_test_cli_run_as (f, TALLY_TEST_MARKET_REQUESTER,
                                 (const char *const[]){ "run", "--once", NULL },
                                 "gold revealed"));
  tally_test_market_advance_to (&f->market, p.review_reveal_deadline + 1);
  for (guint k = 0; k < 3; k++)
    before[k] = tally_test_market_balance_of (&f->market, accounts[k]);
  supply = total_supply (f);
  run_all (f, accounts, 3,
           (const char *const[]){ "run", "--until-done", "--interval", "1", NULL }, NULL);
  drop = total_supply (f);
  g_assert_true (tally_uint256_sub (&drop, &supply, &drop));

  task = synced_task (f, &tasks, &task_id);
  grades = grade (task);
  assert_settlement (task, &grades, &drop);
  /* Without gold their two votes would have carried every gold item; with
   * it both fail whole, and the lone careful annotator is the consensus. */
  g_assert_true (tally_task_gold_failed (task, 0));
  g_assert_true (tally_task_gold_failed (task, 1));
  g_assert_false (tally_task_gold_failed (task, 2));
  for (guint s = 0; s < 2; s++)
    {
      TallyLabelStake stake = tally_test_market_stake_of (&f->market, accounts[s]);
      TallyUint256    slash = times (&p.stake_per_item, p.slash_bps);

      g_assert_cmpuint (grades.wrong[s], ==, N_ITEMS);
      want = tally_test_market_balance_of (&f->market, accounts[s]);
      assert_amount ("a colluder's rewards", &want, &before[s]);
      g_assert_true (tally_uint256_divmod_uint64 (&slash, NULL, &slash, TALLY_LABEL_BPS));
      slash = times (&slash, N_ITEMS);
      g_assert_true (tally_uint256_sub (&want, &lock, &slash));
      assert_amount ("a colluder's stake", &stake.total, &want);
    }
  g_assert_cmpuint (grades.correct[2], ==, N_ITEMS);
  want = tally_test_market_balance_of (&f->market, 3);
  g_assert_true (tally_uint256_sub (&want, &want, &before[2]));
  {
    TallyUint256 paid = times (&p.reward_per_label, N_ITEMS);

    assert_amount ("the careful annotator's rewards", &want, &paid);
  }
}

/* ---- A lying requester gains nothing over an honest one ----------------------- */

/* One task with R = 2 careful annotators (the truth) and the gold in
 * gold_text; the requester's balance change from before the create to
 * after its refund is claimed, and what the token's supply lost. */
static void
run_careful_task (TallyTestCli *f,
                  const char   *gold_text,
                  const guint  *accounts,
                  TallyUint256 *requester_change,
                  gboolean     *lost,
                  TallyUint256 *burned)
{
  const guint8 *const labels[] = { truth, truth };
  g_autofree char    *manifest = tally_test_cli_write_file (f, "manifest.json", MANIFEST);
  g_autofree char    *gold = tally_test_cli_write_file (f, "gold.json", gold_text);
  g_autofree char    *id = NULL;
  g_autoptr (TallyTaskList) tasks = NULL;
  TallyUint256         task_id, lock = lock_of (), start, end, supply;
  TallyLabelTaskParams p;
  TallyTask           *task;
  Grades               grades;

  for (guint k = 0; k < 2; k++)
    tally_test_market_stake (&f->market, accounts[k], &lock);
  start = tally_test_market_balance_of (&f->market, TALLY_TEST_MARKET_REQUESTER);
  id = create_task (f, manifest, "2", gold, "50");
  task_id = parse_id (id);
  p = tally_test_market_get_task (&f->market, &task_id).params;
  submit_all (f, id, accounts, labels, 2);
  tally_test_market_advance_to (&f->market, p.commit_deadline + 1);
  run_all (f, accounts, 2, (const char *const[]){ "run", "--once", NULL }, "revealed");
  tally_test_market_advance_to (&f->market, p.reveal_deadline + 1);
  g_free (tally_test_cli_run_as (f, TALLY_TEST_MARKET_REQUESTER,
                                 (const char *const[]){ "run", "--once", NULL },
                                 "gold revealed"));
  tally_test_market_advance_to (&f->market, p.review_reveal_deadline + 1);
  supply = total_supply (f);
  run_all (f, accounts, 2,
           (const char *const[]){ "run", "--until-done", "--interval", "1", NULL }, NULL);
  end = total_supply (f);
  g_assert_true (tally_uint256_sub (burned, &supply, &end));

  task = synced_task (f, &tasks, &task_id);
  grades = grade (task);
  assert_settlement (task, &grades, burned);
  *lost = tally_task_gold_failed (task, 0) && tally_task_gold_failed (task, 1);
  /* Whatever the requester is owed back, it claims. */
  end = tally_test_market_credited (&f->market, TALLY_TEST_MARKET_REQUESTER);
  if (!tally_uint256_is_zero (&end))
    g_free (tally_test_cli_run_as (f, TALLY_TEST_MARKET_REQUESTER,
                                   (const char *const[]){ "claim", NULL }, NULL));
  end = tally_test_market_balance_of (&f->market, TALLY_TEST_MARKET_REQUESTER);
  /* Spent: the requester's balance only went down. */
  g_assert_true (tally_uint256_sub (requester_change, &start, &end));
}

static void
test_lying_gold (TallyTestCli *f,
                 gconstpointer data)
{
  const guint          honest_accounts[] = { 1, 2 }, lying_accounts[] = { 3, 4 };
  TallyUint256         honest_spent, lying_spent, honest_burned, lying_burned, want, part, slash;
  gboolean             honest_lost = TRUE, lying_lost = FALSE;
  TallyLabelTaskParams p = tally_test_market_default_params (&f->market, N_ITEMS, 2, 0);

  run_careful_task (f, GOLD, honest_accounts, &honest_spent, &honest_lost, &honest_burned);
  run_careful_task (f, LYING_GOLD, lying_accounts, &lying_spent, &lying_lost, &lying_burned);

  /* The honest requester paid every label; nothing burned. */
  g_assert_false (honest_lost);
  g_assert_true (tally_uint256_is_zero (&honest_burned));
  want = times (&p.reward_per_label, 2 * N_ITEMS);
  assert_amount ("the honest requester's spending", &honest_spent, &want);
  /* The lying one failed both careful annotators, and spent exactly as
   * much: their rewards and slashed stakes were burned, not refunded. */
  g_assert_true (lying_lost);
  assert_amount ("the lying requester's spending", &lying_spent, &honest_spent);
  slash = times (&p.stake_per_item, p.slash_bps);
  g_assert_true (tally_uint256_divmod_uint64 (&slash, NULL, &slash, TALLY_LABEL_BPS));
  g_assert_true (tally_uint256_add (&part, &slash, &p.reward_per_label));
  want = times (&part, 2 * N_ITEMS);
  assert_amount ("the burn of the lying task", &lying_burned, &want);
}

/* ---- The requester's run killed (SIGKILL) before its gold reveal ------------ */

static void
test_killed_requester (TallyTestCli *f,
                       gconstpointer data)
{
  const guint8 *const labels[] = { truth };
  const guint         accounts[] = { 1 };
  g_autofree char    *manifest = tally_test_cli_write_file (f, "manifest.json", MANIFEST);
  g_autofree char    *gold = tally_test_cli_write_file (f, "gold.json", GOLD);
  g_autofree char    *id = create_task (f, manifest, "1", gold, "75");
  g_autofree char    *key = tally_test_cli_key_file (f, TALLY_TEST_MARKET_REQUESTER);
  g_autofree char    *data_home = g_build_filename (f->home, "data0", NULL);
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr (GSubprocess) child = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyTaskList) tasks = NULL;
  g_autofree char     *out = NULL;
  TallyUint256         task_id = parse_id (id), lock = lock_of (), before, want;
  TallyLabelTaskParams p = tally_test_market_get_task (&f->market, &task_id).params;
  TallyTask           *task;

  tally_test_market_stake (&f->market, 1, &lock);
  submit_all (f, id, accounts, labels, 1);
  tally_test_market_advance_to (&f->market, p.commit_deadline + 1);
  run_all (f, accounts, 1, (const char *const[]){ "run", "--once", NULL }, "revealed");

  /* The requester's run, waiting for the reveal window, killed. */
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", f->cache_home, TRUE);
  child = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("TALLY_CLI"), "--network",
                                       f->market.devnet.network_file, "--private-key-file", key,
                                       "run", "--interval", "1", NULL);
  g_assert_no_error (error);
  for (gint64 end = g_get_monotonic_time () + 3 * G_USEC_PER_SEC; g_get_monotonic_time () < end;)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (50000);
  /* Still running: it has an identifier until it is reaped. */
  g_assert_nonnull (g_subprocess_get_identifier (child));
  g_subprocess_send_signal (child, SIGKILL);
  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (child));
  g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);
  g_assert_false (tally_test_market_get_task (&f->market, &task_id).gold_revealed);

  /* Restarted in the window: the gold goes out, and the run is done. */
  tally_test_market_advance_to (&f->market, p.reveal_deadline + 1);
  out = tally_test_cli_run_as (f, TALLY_TEST_MARKET_REQUESTER,
                               (const char *const[]){ "run", "--until-done", "--interval", "1", NULL },
                               "gold revealed");
  g_assert_true (tally_test_market_get_task (&f->market, &task_id).gold_revealed);
  g_clear_pointer (&out, g_free);
  /* Nothing left: a later run has nothing to say. */
  out = tally_test_cli_run_as (f, TALLY_TEST_MARKET_REQUESTER,
                               (const char *const[]){ "run", "--once", NULL },
                               NULL);
  g_assert_cmpstr (out, ==, "");

  tally_test_market_advance_to (&f->market, p.review_reveal_deadline + 1);
  before = tally_test_market_balance_of (&f->market, 1);
  run_all (f, accounts, 1,
           (const char *const[]){ "run", "--until-done", "--interval", "1", NULL }, "claimed");
  task = synced_task (f, &tasks, &task_id);
  g_assert_cmpint (tally_task_get_state (task), ==, TALLY_LABEL_TASK_FINALIZED);
  g_assert_true (tally_task_get_gold_revealed (task));
  g_assert_cmpuint (tally_task_get_seat (task, 0)->correct, ==, N_ITEMS);
  want = tally_test_market_balance_of (&f->market, 1);
  g_assert_true (tally_uint256_sub (&want, &want, &before));
  before = times (&p.reward_per_label, N_ITEMS);
  assert_amount ("the annotator's rewards", &want, &before);
}

/* ---- Gold files that cannot be used: refused before anything is sent (every
 * rule of the file itself is in test-gold.c) ------------------------------- */

static void
test_bad_gold (TallyTestCli *f,
               gconstpointer data)
{
  static const struct
  {
    const char *text;
    const char *error;
  } cases[] = {
    { "[\"b\"]", "is not a JSON object of item ids and classes" },
    { "{\"b\": 2", "is not a JSON object of item ids and classes" },
    { "{\"zebra\": 1}", "bad-gold.json: The manifest has no item “zebra”" },
    { "{\"b\": \"horse\"}", "Gold item “b”: the manifest has no class “horse”" },
  };
  g_autofree char *manifest = tally_test_cli_write_file (f, "manifest.json", MANIFEST);
  g_autofree char *missing = g_build_filename (f->home, "missing.json", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (TallyTestCliResult) result = { 0 };
      g_autofree char  *gold = tally_test_cli_write_file (f, "bad-gold.json", cases[i].text);
      const char *const args[] = { "task", "create", "--manifest", manifest, "--replication", "1",
                                   "--reviewers", "0", "--reward", "1", "--stake-per-item", "2",
                                   "--gold", gold, NULL };

      g_test_message ("gold file %s", cases[i].text);
      tally_test_cli_run (f, &result, args);
      g_test_message ("said: %s", result.err);
      tally_test_cli_assert_one_line_error (&result, 2, cases[i].error);
    }
  {
    g_auto (TallyTestCliResult) result = { 0 };
    const char *const args[] = { "task", "create", "--manifest", manifest, "--replication", "1",
                                 "--reviewers", "0", "--reward", "1", "--stake-per-item", "2",
                                 "--gold", missing, NULL };

    tally_test_cli_run (f, &result, args);
    tally_test_cli_assert_one_line_error (&result, 2, "missing.json");
  }
  {
    g_auto (TallyTestCliResult) result = { 0 };
    const char *const args[] = { "task", "create", "--manifest", manifest, "--replication", "2",
                                 "--reviewers", "0", "--reward", "1", "--stake-per-item", "2",
                                 "--min-gold-percent", "50", NULL };

    tally_test_cli_run (f, &result, args);
    tally_test_cli_assert_one_line_error (&result, 2, "--min-gold-percent goes with --gold");
  }
  {
    g_auto (TallyTestCliResult) result = { 0 };
    g_autofree char  *gold = tally_test_cli_write_file (f, "gold.json", GOLD);
    const char *const args[] = { "task", "create", "--manifest", manifest, "--replication", "1",
                                 "--reviewers", "0", "--reward", "1", "--stake-per-item", "2",
                                 "--gold", gold, "--min-gold-percent", "101", NULL };

    tally_test_cli_run (f, &result, args);
    tally_test_cli_assert_one_line_error (&result, 2, "--min-gold-percent must be a percentage");
  }
  {
    g_auto (TallyTestCliResult) result = { 0 };
    const char *const args[] = { "task", "create", "--manifest", manifest, "--replication", "1",
                                 "--reviewers", "0", "--reward", "1", "--stake-per-item", "2",
                                 NULL };

    tally_test_cli_run (f, &result, args);
    tally_test_cli_assert_one_line_error (&result, 2, "needs reviewers or --gold");
  }
  /* Nothing reached the chain. */
  {
    const char *list[] = { "tasks", "--json", NULL };
    g_autoptr (JsonNode) tasks = tally_test_cli_run_json (f, list);

    g_assert_cmpuint (json_array_get_length (json_node_get_array (tasks)), ==, 0);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/cli/gold/one-annotator", TallyTestCli, NULL, tally_test_cli_set_up,
              test_one_annotator, tally_test_cli_tear_down);
  g_test_add ("/cli/gold/bad-gold-file", TallyTestCli, NULL, tally_test_cli_set_up, test_bad_gold,
              tally_test_cli_tear_down);
  g_test_add ("/cli/gold/colluders", TallyTestCli, NULL, tally_test_cli_set_up, test_colluders,
              tally_test_cli_tear_down);
  g_test_add ("/cli/gold/lying-requester", TallyTestCli, NULL, tally_test_cli_set_up,
              test_lying_gold, tally_test_cli_tear_down);
  g_test_add ("/cli/gold/killed-requester", TallyTestCli, NULL, tally_test_cli_set_up,
              test_killed_requester, tally_test_cli_tear_down);

  return g_test_run ();
}
