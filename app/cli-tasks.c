/* cli-tasks.c: tally-cli's task commands — tasks, task show, task create,
 * finalize
 *
 * Tasks are read from the market's events (TallyTaskList over the synced
 * TallyMarketLog), with phases by the latest block's time, so the listing
 * agrees with what the contract would accept next.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-cli"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "cli.h"
#include "core-error.h"
#include "manifest-loader.h"
#include "task-gold.h"
#include "task-list.h"
#include "wallet/tally-wallet.h"

static const char *const phase_names[] = {
  [TALLY_TASK_PHASE_LABELING] = "labeling",
  [TALLY_TASK_PHASE_REVEAL] = "reveal",
  [TALLY_TASK_PHASE_REVIEW] = "review",
  [TALLY_TASK_PHASE_REVIEW_REVEAL] = "review-reveal",
  [TALLY_TASK_PHASE_SETTLEABLE] = "settleable",
  [TALLY_TASK_PHASE_FINALIZED] = "finalized",
  [TALLY_TASK_PHASE_CANCELLED] = "cancelled",
};

static const char *const state_names[] = {
  [TALLY_LABEL_TASK_NONE] = "none",
  [TALLY_LABEL_TASK_OPEN] = "open",
  [TALLY_LABEL_TASK_CANCELLED] = "cancelled",
  [TALLY_LABEL_TASK_FINALIZED] = "finalized",
};

static const char *const seat_names[] = {
  [TALLY_LABEL_SEAT_EMPTY] = "empty",
  [TALLY_LABEL_SEAT_JOINED] = "joined",
  [TALLY_LABEL_SEAT_COMMITTED] = "committed",
  [TALLY_LABEL_SEAT_REVEALED] = "revealed",
};

/* The market's tasks as its events tell them, and the chain's time. */
static int
open_tasks (TallyCliChain  *chain,
            TallyTaskList **tasks,
            guint64        *now)
{
  g_autoptr (GError) error = NULL;

  if (!tally_cli_chain_sync (chain, &error) || !tally_cli_chain_now (chain, now, &error))
    return tally_cli_failure ("%s", error->message);
  *tasks = tally_task_list_new (chain->log);
  return TALLY_CLI_EXIT_OK;
}

/* The account is optional for reading tasks: with one, its seats are shown. */
static TallyCliChainFlags
account_if_given (void)
{
  return tally_cli_chain_has_account_option () ? TALLY_CLI_CHAIN_ACCOUNT : TALLY_CLI_CHAIN_READ;
}

static void
add_id (JsonBuilder        *builder,
        const char         *name,
        const TallyUint256 *id)
{
  guint64 small;

  json_builder_set_member_name (builder, name);
  if (tally_uint256_to_uint64 (&small, id) && small <= G_MAXINT64)
    json_builder_add_int_value (builder, (gint64) small);
  else
    {
      g_autofree char *text = tally_uint256_to_decimal (id);

      json_builder_add_string_value (builder, text);
    }
}

static void
add_address (JsonBuilder        *builder,
             const char         *name,
             const TallyAddress *address)
{
  char text[TALLY_ADDRESS_STRING_SIZE];

  json_builder_set_member_name (builder, name);
  if (address == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }
  tally_address_to_string (address, text);
  json_builder_add_string_value (builder, text);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_seat_outcome (JsonBuilder        *builder,
                  gboolean            settled,
                  guint               correct,
                  guint               wrong,
                  const TallyUint256 *reward,
                  const TallyUint256 *slashed,
                  guint               decimals)
{
  json_builder_set_member_name (builder, "settled");
  json_builder_add_boolean_value (builder, settled);
  add_int (builder, "correct", correct);
  add_int (builder, "wrong", wrong);
  tally_cli_json_add_amount (builder, "reward", reward, decimals);
  tally_cli_json_add_amount (builder, "slashed", slashed, decimals);
}

/* "gold": the seat's score on the revealed gold, or null. */
static void
add_seat_gold (JsonBuilder *builder,
               TallyTask   *task,
               guint        seat)
{
  guint correct = 0, total = 0;

  json_builder_set_member_name (builder, "gold");
  if (!tally_task_gold_score (task, seat, &correct, &total))
    {
      json_builder_add_null_value (builder);
      return;
    }
  json_builder_begin_object (builder);
  add_int (builder, "correct", correct);
  add_int (builder, "total", total);
  json_builder_set_member_name (builder, "failed");
  json_builder_add_boolean_value (builder, tally_task_gold_failed (task, seat));
  json_builder_end_object (builder);
}

/* A label's class name in the manifest, or NULL. */
static const char *
class_name (TallyManifest *manifest,
            guint8         label)
{
  if (manifest == NULL || label == 0 || label > tally_manifest_get_n_label_classes (manifest))
    return NULL;
  return tally_manifest_get_label_class (manifest, label - 1u)->name;
}

static const char *
item_id (TallyManifest *manifest,
         guint          index)
{
  if (manifest == NULL || index >= tally_manifest_get_n_items (manifest))
    return NULL;
  return tally_manifest_get_item (manifest, index)->id;
}

static void
add_label (JsonBuilder   *builder,
           const char    *name,
           TallyManifest *manifest,
           guint8         label)
{
  g_autofree char *member = g_strconcat (name, "Name", NULL);

  add_int (builder, name, label);
  json_builder_set_member_name (builder, member);
  if (class_name (manifest, label) != NULL)
    json_builder_add_string_value (builder, class_name (manifest, label));
  else
    json_builder_add_null_value (builder);
}

/* "yourGold": how the account's own seat did on the gold, each missed item
 * with the manifest's names when it could be read; null without a score. */
static void
add_your_gold (JsonBuilder   *builder,
               TallyCliChain *chain,
               TallyTask     *task,
               TallyManifest *manifest)
{
  gint seat = chain->has_account ? tally_task_find_seat (task, &chain->account) : -1;
  g_autoptr (GArray) missed = seat >= 0 ? tally_task_gold_missed (task, (guint) seat) : NULL;
  guint correct = 0, total = 0;

  json_builder_set_member_name (builder, "yourGold");
  if (missed == NULL || !tally_task_gold_score (task, (guint) seat, &correct, &total))
    {
      json_builder_add_null_value (builder);
      return;
    }
  json_builder_begin_object (builder);
  add_int (builder, "correct", correct);
  add_int (builder, "total", total);
  json_builder_set_member_name (builder, "failed");
  json_builder_add_boolean_value (builder, tally_task_gold_failed (task, (guint) seat));
  json_builder_set_member_name (builder, "missed");
  json_builder_begin_array (builder);
  for (guint i = 0; i < missed->len; i++)
    {
      const TallyTaskGoldMiss *miss = &g_array_index (missed, TallyTaskGoldMiss, i);

      json_builder_begin_object (builder);
      add_int (builder, "index", miss->index);
      json_builder_set_member_name (builder, "item");
      if (item_id (manifest, miss->index) != NULL)
        json_builder_add_string_value (builder, item_id (manifest, miss->index));
      else
        json_builder_add_null_value (builder);
      add_label (builder, "label", manifest, miss->given);
      add_label (builder, "goldLabel", manifest, miss->gold);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static void
add_seats (JsonBuilder *builder,
           TallyTask   *task,
           guint        decimals)
{
  const TallyLabelTaskParams *p = tally_task_get_params (task);

  json_builder_set_member_name (builder, "seats");
  json_builder_begin_array (builder);
  for (guint s = 0; s < p->replication; s++)
    {
      const TallyTaskSeat *seat = tally_task_get_seat (task, s);

      json_builder_begin_object (builder);
      add_int (builder, "seat", s);
      add_address (builder, "holder", seat->taken ? &seat->holder : NULL);
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, seat_names[seat->state]);
      add_seat_outcome (builder, seat->settled, seat->correct, seat->wrong, &seat->reward,
                        &seat->slashed, decimals);
      add_seat_gold (builder, task, s);
      json_builder_set_member_name (builder, "reviews");
      json_builder_begin_array (builder);
      for (guint r = 0; r < p->reviewers; r++)
        {
          const TallyTaskReview *review = tally_task_get_review (task, s, r);

          json_builder_begin_object (builder);
          add_int (builder, "slot", r);
          add_address (builder, "reviewer", review->taken ? &review->reviewer : NULL);
          json_builder_set_member_name (builder, "state");
          json_builder_add_string_value (builder, seat_names[review->state]);
          add_seat_outcome (builder, review->settled, review->correct, review->wrong,
                            &review->reward, &review->slashed, decimals);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

/* A seat is open to the account: labeling, a seat free, none of its own,
 * not its own task, and enough free stake for the lock. */
static gboolean
can_join (TallyCliChain         *chain,
          TallyTask             *task,
          guint64                now,
          const TallyUint256    *lock,
          const TallyLabelStake *stake)
{
  return tally_task_get_phase (task, now) == TALLY_TASK_PHASE_LABELING &&
         tally_task_get_seats_taken (task) < tally_task_get_params (task)->replication &&
         tally_task_find_seat (task, &chain->account) < 0 &&
         !tally_address_equal (tally_task_get_requester (task), &chain->account) &&
         tally_uint256_cmp (&stake->free, lock) >= 0;
}

/* One task: its summary, and with detail everything else the events hold;
 * stake is the account's, when there is one. */
static void
add_task (JsonBuilder           *builder,
          TallyCliChain         *chain,
          TallyTask             *task,
          guint64                now,
          gboolean               detail,
          const TallyLabelStake *stake,
          TallyManifest         *manifest)
{
  const TallyLabelTaskParams *p = tally_task_get_params (task);
  g_autofree char            *hash = tally_hex_encode (p->manifest_hash, 32);
  guint64                     next = tally_task_get_next_deadline (task, now);
  TallyUint256                lock, max_reward;

  json_builder_begin_object (builder);
  add_id (builder, "id", tally_task_get_id (task));
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, state_names[tally_task_get_state (task)]);
  json_builder_set_member_name (builder, "phase");
  json_builder_add_string_value (builder, phase_names[tally_task_get_phase (task, now)]);
  add_address (builder, "requester", tally_task_get_requester (task));
  add_int (builder, "seatsTaken", tally_task_get_seats_taken (task));
  add_int (builder, "replication", p->replication);
  add_int (builder, "reviewers", p->reviewers);
  add_int (builder, "items", p->item_count);
  add_int (builder, "classes", p->class_count);
  tally_cli_json_add_amount (builder, "rewardPerLabel", &p->reward_per_label, chain->decimals);
  tally_cli_json_add_amount (builder, "stakePerItem", &p->stake_per_item, chain->decimals);
  json_builder_set_member_name (builder, "deadlines");
  json_builder_begin_object (builder);
  add_int (builder, "commit", (gint64) p->commit_deadline);
  add_int (builder, "reveal", (gint64) p->reveal_deadline);
  add_int (builder, "reviewCommit", (gint64) p->review_commit_deadline);
  add_int (builder, "reviewReveal", (gint64) p->review_reveal_deadline);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "nextDeadline");
  if (next != 0)
    json_builder_add_int_value (builder, (gint64) next);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "yourSeat");
  if (chain->has_account && tally_task_find_seat (task, &chain->account) >= 0)
    json_builder_add_int_value (builder, tally_task_find_seat (task, &chain->account));
  else
    json_builder_add_null_value (builder);

  if (detail)
    {
      json_builder_set_member_name (builder, "manifestUri");
      json_builder_add_string_value (builder, tally_task_get_manifest_uri (task));
      json_builder_set_member_name (builder, "manifestHash");
      json_builder_add_string_value (builder, hash);
      add_int (builder, "createdBlock", (gint64) tally_task_get_created_block (task));
      tally_cli_json_add_amount (builder, "reviewRewardPerItem", &p->review_reward_per_item,
                                 chain->decimals);
      tally_cli_json_add_amount (builder, "leaveFee", &p->leave_fee, chain->decimals);
      tally_cli_json_add_amount (builder, "budget", tally_task_get_budget (task), chain->decimals);
      add_int (builder, "slashBps", p->slash_bps);
      add_int (builder, "quorumBps", p->quorum_bps);
      add_int (builder, "minGoldAccuracyBps", p->min_gold_accuracy_bps);
      json_builder_set_member_name (builder, "private");
      json_builder_add_boolean_value (builder, tally_task_is_private (task));
      json_builder_set_member_name (builder, "hasGold");
      json_builder_add_boolean_value (builder, tally_task_has_gold (task));
      json_builder_set_member_name (builder, "goldRevealed");
      json_builder_add_boolean_value (builder, tally_task_get_gold_revealed (task));
      json_builder_set_member_name (builder, "goldItems");
      json_builder_begin_array (builder);
      if (tally_task_get_gold_revealed (task))
        {
          GArray *indices = tally_task_get_gold_indices (task);

          for (guint i = 0; i < indices->len; i++)
            json_builder_add_int_value (builder, g_array_index (indices, guint16, i));
        }
      json_builder_end_array (builder);
      add_your_gold (builder, chain, task, manifest);
      add_seats (builder, task, chain->decimals);

      json_builder_set_member_name (builder, "settlement");
      if (tally_task_get_state (task) == TALLY_LABEL_TASK_FINALIZED)
        {
          json_builder_begin_object (builder);
          tally_cli_json_add_amount (builder, "refund", tally_task_get_refund (task),
                                     chain->decimals);
          tally_cli_json_add_amount (builder, "burned", tally_task_get_burned (task),
                                     chain->decimals);
          json_builder_end_object (builder);
        }
      else
        json_builder_add_null_value (builder);

      /* What a seat would lock and could earn at most. */
      if (tally_uint256_mul_uint64 (&lock, &p->stake_per_item, p->item_count) &&
          tally_uint256_mul_uint64 (&max_reward, &p->reward_per_label, p->item_count))
        {
          json_builder_set_member_name (builder, "join");
          json_builder_begin_object (builder);
          tally_cli_json_add_amount (builder, "lock", &lock, chain->decimals);
          tally_cli_json_add_amount (builder, "maxReward", &max_reward, chain->decimals);
          if (stake != NULL)
            {
              tally_cli_json_add_amount (builder, "freeStake", &stake->free, chain->decimals);
              json_builder_set_member_name (builder, "canJoin");
              json_builder_add_boolean_value (builder, can_join (chain, task, now, &lock, stake));
            }
          json_builder_end_object (builder);
        }
    }
  json_builder_end_object (builder);
}

static void
print_task_line (TallyCliChain *chain,
                 TallyTask     *task,
                 guint64        now)
{
  const TallyLabelTaskParams *p = tally_task_get_params (task);
  g_autofree char            *id = tally_uint256_to_decimal (tally_task_get_id (task));
  g_autofree char            *reward = tally_cli_chain_format (chain, &p->reward_per_label);
  g_autofree char            *stake = tally_cli_chain_format (chain, &p->stake_per_item);
  guint64                     next = tally_task_get_next_deadline (task, now);
  GString                    *line = g_string_new (NULL);
  gint                        seat = -1;

  if (chain->has_account)
    seat = tally_task_find_seat (task, &chain->account);

  g_string_append_printf (line,
                          _ ("Task %s: %s, seats %u/%u, %u items, %s per label, %s stake per "
                             "item"),
                          id, phase_names[tally_task_get_phase (task, now)],
                          tally_task_get_seats_taken (task), p->replication, p->item_count, reward,
                          stake);
  if (next != 0)
    {
      g_autofree char *when = tally_cli_format_time (next);

      g_string_append_printf (line, _ (", next deadline %s"), when);
    }
  if (seat >= 0)
    g_string_append_printf (line, _ (", your seat %d"), seat);
  g_print ("%s\n", line->str);
  g_string_free (line, TRUE);
}

static int
run_tasks (int    argc,
           char **argv)
{
  gboolean           json = FALSE;
  const GOptionEntry options[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_auto (TallyCliChain) chain = { 0 };
  g_autoptr (TallyTaskList) tasks = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  guint64 now = 0;
  int     status;

  g_option_context_set_summary (context, _ ("List the market’s tasks: phase, seats, items, "
                                            "rewards, stakes, deadlines and your own seat."));
  g_option_context_add_main_entries (context, options, GETTEXT_PACKAGE);
  if ((status = tally_cli_parse_options (context, &argc, &argv)) != TALLY_CLI_EXIT_OK)
    return status;
  if (argc != 1)
    return tally_cli_usage_error (_ ("unexpected argument “%s”"), argv[1]);
  if ((status = tally_cli_chain_open (&chain, account_if_given ())) != TALLY_CLI_EXIT_OK ||
      (status = open_tasks (&chain, &tasks, &now)) != TALLY_CLI_EXIT_OK)
    return status;

  json_builder_begin_array (builder);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (tasks)); i++)
    {
      g_autoptr (TallyTask) task = g_list_model_get_item (G_LIST_MODEL (tasks), i);

      if (json)
        add_task (builder, &chain, task, now, FALSE, NULL, NULL);
      else
        print_task_line (&chain, task, now);
    }
  json_builder_end_array (builder);
  if (json)
    tally_cli_json_print (builder);
  return TALLY_CLI_EXIT_OK;
}

/* "80%", "87.5%" */
static char *
format_bps (guint bps)
{
  if (bps % 100 == 0)
    return g_strdup_printf ("%u%%", bps / 100);
  if (bps % 10 == 0)
    return g_strdup_printf ("%u.%u%%", bps / 100, bps % 100 / 10);
  return g_strdup_printf ("%u.%02u%%", bps / 100, bps % 100);
}

/* What the task's gold means for an annotator, how each seat did on it,
 * and which gold items the account missed. */
static void
print_gold_text (TallyCliChain *chain,
                 TallyTask     *task,
                 TallyManifest *manifest)
{
  const TallyLabelTaskParams *p = tally_task_get_params (task);
  g_autofree char            *minimum = format_bps (p->min_gold_accuracy_bps);
  g_autoptr (GArray) missed = NULL;
  gint  own = chain->has_account ? tally_task_find_seat (task, &chain->account) : -1;
  guint correct = 0, total = 0;

  if (!tally_task_has_gold (task))
    return;
  if (!tally_task_get_gold_revealed (task))
    {
      g_print (_ ("Gold:       reference items hidden among the others; get at least %s of them "
                  "right, or every label of the submission counts as wrong\n"),
               minimum);
      return;
    }
  g_print (_ ("Gold:       %u reference items revealed; at least %s of them right needed\n"),
           tally_task_get_gold_indices (task)->len, minimum);
  for (guint s = 0; s < p->replication; s++)
    if (tally_task_gold_score (task, s, &correct, &total))
      g_print (tally_task_gold_failed (task, s) ? _ ("Seat %u gold: %u of %u right, failed gold\n")
                                                : _ ("Seat %u gold: %u of %u right, passed\n"),
               s, correct, total);
  if (own < 0 || (missed = tally_task_gold_missed (task, (guint) own)) == NULL ||
      !tally_task_gold_score (task, (guint) own, &correct, &total))
    return;
  g_print (tally_task_gold_failed (task, (guint) own)
             ? _ ("Your gold:  %u of %u right, under %s: every label of yours counts as wrong\n")
             : _ ("Your gold:  %u of %u right (at least %s needed)\n"),
           correct, total, minimum);
  for (guint i = 0; i < missed->len; i++)
    {
      const TallyTaskGoldMiss *miss = &g_array_index (missed, TallyTaskGoldMiss, i);
      g_autofree char         *given = g_strdup (class_name (manifest, miss->given));
      g_autofree char         *gold = g_strdup (class_name (manifest, miss->gold));

      if (given == NULL)
        given = miss->given == 0 ? g_strdup (_ ("nothing (skipped)"))
                                 : g_strdup_printf (_ ("class %u"), miss->given);
      if (gold == NULL)
        gold = g_strdup_printf (_ ("class %u"), miss->gold);
      if (item_id (manifest, miss->index) != NULL)
        g_print (_ ("Missed:     item %s (index %u): you said %s, the gold is %s\n"),
                 item_id (manifest, miss->index), miss->index, given, gold);
      else
        g_print (_ ("Missed:     item at index %u: you said %s, the gold is %s\n"), miss->index,
                 given, gold);
    }
}

/* The task's manifest, checked against its hash, for the names of items
 * and classes; NULL (said on stderr) when it cannot be read. */
static TallyManifest *
load_task_manifest (TallyTask *task)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  TallyManifest *manifest;

  tally_manifest_load_async (tally_task_get_manifest_uri (task),
                             tally_task_get_params (task)->manifest_hash, NULL, NULL,
                             tally_cli_on_done, &result);
  manifest = tally_manifest_load_finish (tally_cli_wait (&result), &error);
  if (manifest == NULL)
    g_printerr (_ ("tally-cli: the task’s manifest could not be read, so items are shown by "
                   "index: %s\n"),
                error->message);
  return manifest;
}

/* Names are only needed for the gold items the account missed. */
static gboolean
needs_manifest (TallyCliChain *chain,
                TallyTask     *task)
{
  gint seat = chain->has_account ? tally_task_find_seat (task, &chain->account) : -1;
  g_autoptr (GArray) missed = seat >= 0 ? tally_task_gold_missed (task, (guint) seat) : NULL;

  return missed != NULL && missed->len > 0;
}

static void
print_task_text (TallyCliChain         *chain,
                 TallyTask             *task,
                 guint64                now,
                 const TallyLabelStake *stake,
                 TallyManifest         *manifest)
{
  const TallyLabelTaskParams *p = tally_task_get_params (task);
  g_autofree char            *id = tally_uint256_to_decimal (tally_task_get_id (task));
  g_autofree char            *reward = tally_cli_chain_format (chain, &p->reward_per_label);
  g_autofree char            *stake_text = tally_cli_chain_format (chain, &p->stake_per_item);
  g_autofree char            *budget = tally_cli_chain_format (chain, tally_task_get_budget (task));
  g_autofree char            *commit = tally_cli_format_time (p->commit_deadline);
  g_autofree char            *reveal = tally_cli_format_time (p->reveal_deadline);
  g_autofree char            *review = tally_cli_format_time (p->review_commit_deadline);
  g_autofree char            *last = tally_cli_format_time (p->review_reveal_deadline);
  char                        requester[TALLY_ADDRESS_STRING_SIZE];
  TallyUint256                lock;

  tally_address_to_string (tally_task_get_requester (task), requester);
  g_print (_ ("Task %s (%s)\n"), id, phase_names[tally_task_get_phase (task, now)]);
  g_print (_ ("Requester:  %s\n"), requester);
  g_print (_ ("Manifest:   %s\n"), tally_task_get_manifest_uri (task));
  g_print (_ ("Items:      %u, %u classes\n"), p->item_count, p->class_count);
  g_print (_ ("Seats:      %u of %u taken, %u reviewers each\n"), tally_task_get_seats_taken (task),
           p->replication, p->reviewers);
  g_print (_ ("Reward:     %s per label; budget %s\n"), reward, budget);
  if (tally_uint256_mul_uint64 (&lock, &p->stake_per_item, p->item_count))
    {
      g_autofree char *lock_text = tally_cli_chain_format (chain, &lock);

      g_print (_ ("Stake:      %s per item; joining locks %s\n"), stake_text, lock_text);
      if (stake != NULL && tally_task_find_seat (task, &chain->account) >= 0)
        g_print (_ ("You:        seat %d\n"), tally_task_find_seat (task, &chain->account));
      else if (stake != NULL)
        {
          g_autofree char *free_text = tally_cli_chain_format (chain, &stake->free);

          g_print (can_join (chain, task, now, &lock, stake)
                     ? _ ("You:        %s of free stake; you can join\n")
                     : _ ("You:        %s of free stake; you cannot join now\n"),
                   free_text);
        }
    }
  g_print (_ ("Deadlines:  commit %s, reveal %s, review %s, review reveal %s\n"), commit, reveal,
           review, last);
  for (guint s = 0; s < p->replication; s++)
    {
      const TallyTaskSeat *seat = tally_task_get_seat (task, s);
      char                 holder[TALLY_ADDRESS_STRING_SIZE] = "-";

      if (seat->taken)
        tally_address_to_string (&seat->holder, holder);
      if (seat->settled)
        {
          g_autofree char *seat_reward = tally_cli_chain_format (chain, &seat->reward);
          g_autofree char *slashed = tally_cli_chain_format (chain, &seat->slashed);

          g_print (_ ("Seat %u:     %s, %s; %u correct, %u wrong, reward %s, slashed %s\n"), s,
                   holder, seat_names[seat->state], seat->correct, seat->wrong, seat_reward,
                   slashed);
        }
      else
        g_print (_ ("Seat %u:     %s, %s\n"), s, holder, seat_names[seat->state]);
    }
  if (tally_task_get_state (task) == TALLY_LABEL_TASK_FINALIZED)
    {
      g_autofree char *refund = tally_cli_chain_format (chain, tally_task_get_refund (task));
      g_autofree char *burned = tally_cli_chain_format (chain, tally_task_get_burned (task));

      g_print (_ ("Settled:    %s refunded to the requester, %s burned\n"), refund, burned);
    }
  print_gold_text (chain, task, manifest);
}

/* The task of argv[1], or a failure printed. */
static int
lookup_task (TallyCliChain  *chain,
             const char     *text,
             TallyTaskList **tasks,
             TallyTask     **task,
             guint64        *now)
{
  g_autoptr (GError) error = NULL;
  TallyUint256 id;
  int          status;

  if (!tally_cli_parse_task_id (&id, text, &error))
    return tally_cli_usage_error ("%s", error->message);
  if ((status = open_tasks (chain, tasks, now)) != TALLY_CLI_EXIT_OK)
    return status;
  *task = tally_task_list_lookup (*tasks, &id);
  if (*task == NULL)
    return tally_cli_failure (_ ("The market has no task %s"), text);
  return TALLY_CLI_EXIT_OK;
}

static int
run_task_show (int    argc,
               char **argv)
{
  gboolean           json = FALSE;
  const GOptionEntry options[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (_ ("ID"));
  g_auto (TallyCliChain) chain = { 0 };
  g_autoptr (TallyTaskList) tasks = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyManifest) manifest = NULL;
  TallyTask      *task = NULL;
  TallyLabelStake stake;
  guint64         now = 0;
  int             status;

  g_option_context_set_summary (context, _ ("Show one task: its parameters, seats, reviews, gold "
                                            "and settlement, and what joining it would lock."));
  g_option_context_add_main_entries (context, options, GETTEXT_PACKAGE);
  if ((status = tally_cli_parse_options (context, &argc, &argv)) != TALLY_CLI_EXIT_OK)
    return status;
  if (argc != 2)
    return tally_cli_usage_error (_ ("task show takes exactly one argument, the task’s id"));
  if ((status = tally_cli_chain_open (&chain, account_if_given ())) != TALLY_CLI_EXIT_OK ||
      (status = lookup_task (&chain, argv[1], &tasks, &task, &now)) != TALLY_CLI_EXIT_OK)
    return status;
  if (chain.has_account && !tally_cli_chain_stake_of (&chain, &stake, &error))
    return tally_cli_failure ("%s", error->message);
  if (needs_manifest (&chain, task))
    manifest = load_task_manifest (task);

  if (json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();

      add_task (builder, &chain, task, now, TRUE, chain.has_account ? &stake : NULL, manifest);
      tally_cli_json_print (builder);
    }
  else
    print_task_text (&chain, task, now, chain.has_account ? &stake : NULL, manifest);
  return TALLY_CLI_EXIT_OK;
}

static int
run_finalize (int    argc,
              char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new (_ ("ID"));
  g_auto (TallyCliChain) chain = { 0 };
  g_autoptr (TallyTaskList) tasks = NULL;
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *hash = NULL;
  TallyTask       *task = NULL;
  guint8          *calldata = NULL;
  gsize            calldata_len = 0;
  guint64          now = 0;
  int              status;

  g_option_context_set_summary (context, _ ("Settle a task past its last deadline, from the "
                                            "labels, gold and verdicts its events revealed."));
  if ((status = tally_cli_parse_options (context, &argc, &argv)) != TALLY_CLI_EXIT_OK)
    return status;
  if (argc != 2)
    return tally_cli_usage_error (_ ("finalize takes exactly one argument, the task’s id"));
  if ((status = tally_cli_chain_open (&chain, TALLY_CLI_CHAIN_ACCOUNT)) != TALLY_CLI_EXIT_OK ||
      (status = lookup_task (&chain, argv[1], &tasks, &task, &now)) != TALLY_CLI_EXIT_OK)
    return status;

  switch (tally_task_get_phase (task, now))
    {
    case TALLY_TASK_PHASE_FINALIZED:
      return tally_cli_failure (_ ("Task %s is already settled"), argv[1]);
    case TALLY_TASK_PHASE_CANCELLED:
      return tally_cli_failure (_ ("Task %s was cancelled: there is nothing to settle"), argv[1]);
    case TALLY_TASK_PHASE_SETTLEABLE:
      break;
    default:
      {
        g_autofree char *when =
          tally_cli_format_time (tally_task_get_params (task)->review_reveal_deadline);

        return tally_cli_failure (_ ("Task %s can be settled after %s"), argv[1], when);
      }
    }

  if ((status = tally_cli_chain_open_signer (&chain)) != TALLY_CLI_EXIT_OK)
    return status;
  if (!tally_task_encode_finalize (task, &calldata, &calldata_len, &error) ||
      (receipt = tally_cli_chain_send (&chain,
                                       tally_network_profile_get_market_address (chain.profile),
                                       calldata, calldata_len, "Finalize", &error)) == NULL)
    return tally_cli_failure ("%s", error->message);

  hash = tally_hex_encode (receipt->transaction_hash, TALLY_RPC_HASH_LEN);
  g_print (_ ("Transaction: %s\n"), hash);
  g_print (_ ("Task %s is settled\n"), argv[1]);
  return TALLY_CLI_EXIT_OK;
}

const TallyCliCommand tally_cli_task_commands[] = {
  { "tasks", "[--json]", N_ ("List the market’s tasks"), run_tasks },
  { "task show", "ID [--json]", N_ ("Show one task, its seats and its settlement"), run_task_show },
  { "task create", "--manifest F --replication R --reviewers V --reward X …",
    N_ ("Create a task as its requester (see its --help)"), tally_cli_run_task_create },
  { "finalize", "ID", N_ ("Settle a task past its last deadline"), run_finalize },
  { NULL },
};
