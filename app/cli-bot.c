/* cli-bot.c: tally-cli bot — simulated annotators and reviewers for the
 * demo network and for tests
 *
 * The bots are accounts of the network file's public test mnemonic, so
 * the command refuses any network file without one (a real network never
 * has one). Each bot is a TallySubmitter with its own store and journal;
 * they share the network, the market's event log and its task list. A
 * bot's labels are the truth file's with probability --accuracy, another
 * class otherwise; a reviewer's verdicts compare the revealed labels with
 * the truth and are flipped with the same odds. Every draw comes from a
 * GRand seeded with --seed, the task and the account, so a run can be
 * repeated whatever order the tasks come in. On a private task a bot
 * joins with its public key and labels from the truth once the key server
 * grants the key, without opening the items; a seat whose key never comes
 * is given back by the engine, for free.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-cli"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "cli-bot-truth.h"
#include "cli.h"
#include "store.h"
#include "submitter.h"
#include "task-list.h"
#include "tx-journal.h"
#include "wallet/tally-wallet.h"

#define POLL_INTERVAL_MS 250
#define MAX_BOTS         32

/* ---- The bots ----------------------------------------------------------------- */

typedef struct
{
  guint           index;
  TallyAddress    address;
  char            name[16]; /* "0x7099…79C8" */
  TallySigner    *signer;
  TallyTxManager *manager;
  TallyStore     *store;
  TallySubmitter *submitter;
  GHashTable     *given_up; /* "task" or "task/seat" whose join failed */
} Bot;

static void
bot_free (Bot *bot)
{
  g_clear_object (&bot->submitter);
  g_clear_object (&bot->store);
  g_clear_object (&bot->manager);
  g_clear_object (&bot->signer);
  g_clear_pointer (&bot->given_up, g_hash_table_unref);
  g_free (bot);
}

typedef struct
{
  TallyBotTruth  truth;
  double         accuracy;
  guint32        seed;
  gboolean       review;
  TallyCliChain  chain;
  TallyTaskList *tasks;
  GPtrArray     *bots;
  gboolean       failed; /* something went wrong during the run */
} Play;

static void
play_clear (Play *play)
{
  g_clear_pointer (&play->bots, g_ptr_array_unref);
  g_clear_object (&play->tasks);
  tally_cli_chain_clear (&play->chain);
  tally_bot_truth_clear (&play->truth);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Play, play_clear)

/* The network file's "mnemonic": tools/devnet writes its public test
 * phrase there; NULL for any other network. */
static char *
read_mnemonic (const char *path)
{
  g_autofree char *text = NULL;
  g_autoptr (JsonNode) root = NULL;
  JsonNode *node;

  if (path == NULL || !g_file_get_contents (path, &text, NULL, NULL) ||
      (root = json_from_string (text, NULL)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  node = json_object_get_member (json_node_get_object (root), "mnemonic");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING || *json_node_get_string (node) == '\0')
    return NULL;
  return g_strdup (json_node_get_string (node));
}

static Bot *
bot_open (Play        *play,
          TallySecret *seed,
          guint        index,
          const char  *dir,
          GError     **error)
{
  g_autoptr (TallyTxJournal) journal = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autofree char *store_path = NULL;
  g_autofree char *journal_path = NULL;
  Bot             *bot = g_new0 (Bot, 1);
  char             address[TALLY_ADDRESS_STRING_SIZE];
  guint8           key[TALLY_PRIVATE_KEY_LEN];
  gboolean         ok;

  bot->index = index;
  bot->given_up = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ok = tally_bip32_derive_ethereum_key (key, seed->data, seed->len, index, error) &&
       (bot->signer = TALLY_SIGNER (tally_key_signer_new (key, error))) != NULL;
  tally_wipe (key, sizeof key);
  if (!ok)
    {
      bot_free (bot);
      return NULL;
    }
  tally_signer_get_address (bot->signer, &bot->address);
  tally_address_to_string (&bot->address, address);
  g_snprintf (bot->name, sizeof bot->name, "%.6s…%s", address, address + 38);

  store_path = g_strdup_printf ("%s/%s.db", dir, address);
  journal_path = g_strdup_printf ("%s/%s-journal.db", dir, address);
  if ((bot->store = tally_store_open (store_path, error)) == NULL ||
      (journal = tally_tx_journal_open (journal_path, error)) == NULL)
    {
      bot_free (bot);
      return NULL;
    }
  bot->manager = tally_tx_manager_new (play->chain.client, bot->signer, journal,
                                       tally_network_profile_get_chain_id (play->chain.profile));
  tally_tx_manager_set_poll_interval (bot->manager, POLL_INTERVAL_MS);
  /* What an earlier run signed but may not have delivered goes first. */
  tally_tx_manager_resume_async (bot->manager, NULL, tally_cli_on_done, &result);
  if (!tally_tx_manager_resume_finish (bot->manager, tally_cli_wait (&result), NULL, error))
    {
      bot_free (bot);
      return NULL;
    }
  bot->submitter = tally_submitter_new (bot->store, play->tasks, bot->manager);
  return bot;
}

static int
open_bots (Play *play,
           guint first,
           guint n)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (TallySecret) seed = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *mnemonic = NULL;
  g_autofree char *dir = NULL;
  const char      *path;
  int              status;

  if ((status = tally_cli_chain_open (&play->chain, TALLY_CLI_CHAIN_READ)) != TALLY_CLI_EXIT_OK)
    return status;
  path = tally_cli_chain_get_network_path ();
  if ((mnemonic = read_mnemonic (path)) == NULL)
    return tally_cli_usage_error (_ ("%s has no “mnemonic”: bots play only on a local test "
                                     "network such as tools/devnet’s"),
                                  path);
  if (!tally_bip39_to_seed (&seed, mnemonic, "", &error))
    return tally_cli_usage_error ("%s: mnemonic: %s", path, error->message);

  tally_rpc_client_check_chain_id_async (play->chain.client,
                                         tally_network_profile_get_chain_id (play->chain.profile),
                                         NULL, tally_cli_on_done, &result);
  if (!tally_rpc_client_check_chain_id_finish (play->chain.client, tally_cli_wait (&result),
                                               &error) ||
      !tally_cli_chain_sync (&play->chain, &error))
    return tally_cli_failure ("%s", error->message);
  play->tasks = tally_task_list_new (play->chain.log);

  dir = g_build_filename (g_get_user_data_dir (), "tally", "bots", NULL);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      return tally_cli_failure (_ ("Could not create %s: %s"), dir, g_strerror (saved));
    }
  play->bots = g_ptr_array_new_with_free_func ((GDestroyNotify) bot_free);
  for (guint i = 0; i < n; i++)
    {
      Bot *bot = bot_open (play, seed, first + i, dir, &error);

      if (bot == NULL)
        return tally_cli_failure ("%s", error->message);
      g_ptr_array_add (play->bots, bot);
    }
  return TALLY_CLI_EXIT_OK;
}

/* ---- One bot's moves ---------------------------------------------------------- */

static TallyRpcReceipt *
bot_send (Play               *play,
          Bot                *bot,
          const TallyAddress *to,
          guint8             *calldata,
          gsize               calldata_len,
          const char         *purpose,
          GError            **error)
{
  g_autoptr (GBytes) data = g_bytes_new_take (calldata, calldata_len);
  g_autoptr (GAsyncResult) result = NULL;
  guint8 hash[TALLY_TX_JOURNAL_HASH_LEN];

  tally_tx_manager_send_async (bot->manager, to, NULL, data, purpose, NULL, tally_cli_on_done,
                               &result);
  if (!tally_tx_manager_send_finish (bot->manager, tally_cli_wait (&result), hash, error))
    return NULL;
  g_clear_object (&result);
  tally_tx_manager_wait_async (bot->manager, hash, NULL, tally_cli_on_done, &result);
  return tally_tx_manager_wait_finish (bot->manager, tally_cli_wait (&result), error);
}

/* Stakes what a seat of task locks, less the free stake already there:
 * approve, then stake. */
static gboolean
bot_ensure_stake (Play      *play,
                  Bot       *bot,
                  TallyTask *task,
                  GError   **error)
{
  const TallyLabelTaskParams *params = tally_task_get_params (task);
  const TallyAddress         *market = tally_network_profile_get_market_address (play->chain.profile);
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  g_autoptr (GBytes) reply = NULL;
  g_autofree char *text = NULL;
  TallyLabelStake  stake;
  TallyUint256     lock, missing;
  guint8          *calldata = NULL;
  gsize            len = 0;

  if (!tally_uint256_mul_uint64 (&lock, &params->stake_per_item, params->item_count) ||
      !tally_label_market_encode_stake_of (&calldata, &len, &bot->address, error) ||
      (reply = tally_cli_chain_call (&play->chain, market, calldata, len, error)) == NULL ||
      !tally_label_market_decode_stake_of (&stake, g_bytes_get_data (reply, NULL),
                                           g_bytes_get_size (reply), error))
    return FALSE;
  if (tally_uint256_cmp (&stake.free, &lock) >= 0)
    return TRUE;
  g_assert (tally_uint256_sub (&missing, &lock, &stake.free));

  if (!tally_label_token_encode_approve (&calldata, &len, market, &missing, error) ||
      (receipt = bot_send (play, bot, tally_network_profile_get_token_address (play->chain.profile),
                           calldata, len, "Approve the stake", error)) == NULL)
    return FALSE;
  g_clear_pointer (&receipt, tally_rpc_receipt_free);
  if (!tally_label_market_encode_stake (&calldata, &len, &missing, error) ||
      (receipt = bot_send (play, bot, market, calldata, len, "Stake", error)) == NULL)
    return FALSE;
  text = tally_cli_chain_format (&play->chain, &missing);
  g_print (_ ("%s: staked %s\n"), bot->name, text);
  return TRUE;
}

/* Draws of one bot on one task (and seat), the same in every run. */
static GRand *
bot_rand (Play      *play,
          Bot       *bot,
          TallyTask *task,
          guint      salt)
{
  g_autofree char *id = tally_uint256_to_decimal (tally_task_get_id (task));
  guint32          seeds[4] = { play->seed, g_str_hash (id), bot->index, salt };

  return g_rand_new_with_seed_array (seeds, G_N_ELEMENTS (seeds));
}

static gboolean
draw_right (Play  *play,
            GRand *rand)
{
  return g_rand_double (rand) < play->accuracy;
}

static GBytes *
draw_labels (Play   *play,
             GBytes *truth,
             guint   class_count,
             GRand  *rand)
{
  gsize         len = 0;
  const guint8 *right = g_bytes_get_data (truth, &len);
  guint8       *labels = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    {
      /* A wrong label is any other class, each as likely. */
      gint32 other = g_rand_int_range (rand, 1, (gint32) class_count);

      labels[i] = draw_right (play, rand) ? right[i] : (guint8) (other >= right[i] ? other + 1 : other);
    }
  return g_bytes_new_take (labels, len);
}

static void
report_join_failure (Play       *play,
                     Bot        *bot,
                     const char *key,
                     const char *id,
                     GError     *error)
{
  g_printerr (_ ("tally-cli: %s: task %s: %s\n"), bot->name, id, error->message);
  g_hash_table_add (bot->given_up, g_strdup (key));
  play->failed = TRUE;
}

/* Joins task and commits labels when a seat is free for this bot;
 * returns TRUE when it could join (whether or not it worked). */
static gboolean
bot_annotate (Play      *play,
              Bot       *bot,
              TallyTask *task,
              guint64    now)
{
  const TallyLabelTaskParams *params = tally_task_get_params (task);
  guint64                     chain_id = tally_network_profile_get_chain_id (play->chain.profile);
  const TallyAddress         *market = tally_network_profile_get_market_address (play->chain.profile);
  g_autofree char            *id = tally_uint256_to_decimal (tally_task_get_id (task));
  g_autoptr (TallySubmissionRecord) record = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GBytes) labels = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GRand) rand = NULL;
  GBytes *truth = tally_bot_truth_for (&play->truth, task);

  if (truth == NULL || tally_task_get_phase (task, now) != TALLY_TASK_PHASE_LABELING ||
      tally_address_equal (tally_task_get_requester (task), &bot->address) ||
      g_hash_table_contains (bot->given_up, id))
    return FALSE;
  record = tally_store_get_submission (bot->store, chain_id, market, tally_task_get_id (task),
                                       &bot->address, TALLY_SUBMISSION_ANNOTATOR, 0, NULL);
  /* A private seat labels once its key came (JOINED): the bot reads the
   * truth, not the items, but waits as a person would. */
  if (record != NULL ? record->state != TALLY_SUBMISSION_JOINED
                     : tally_task_find_seat (task, &bot->address) >= 0 ||
                         tally_task_get_seats_taken (task) >= params->replication)
    return FALSE;

  rand = bot_rand (play, bot, task, 0);
  labels = draw_labels (play, truth, params->class_count, rand);
  if (record == NULL && !bot_ensure_stake (play, bot, task, &error))
    {
      report_join_failure (play, bot, id, id, error);
      return TRUE;
    }
  if (record == NULL && tally_task_is_private (task))
    {
      /* The engine gives the seat back by itself if the key never comes. */
      tally_submitter_join_async (bot->submitter, tally_task_get_id (task), NULL, tally_cli_on_done,
                                  &result);
      if (!tally_submitter_join_finish (bot->submitter, tally_cli_wait (&result), NULL, &error))
        report_join_failure (play, bot, id, id, error);
      else
        {
          g_print (_ ("%s: task %s: %s"), bot->name, id,
                   tally_submission_state_to_string (TALLY_SUBMISSION_WAITING_FOR_KEY));
          g_print ("\n");
        }
      return TRUE;
    }
  tally_submitter_submit_async (bot->submitter, tally_task_get_id (task), labels, NULL, NULL,
                                tally_cli_on_done, &result);
  if (!tally_submitter_submit_finish (bot->submitter, tally_cli_wait (&result), &error))
    report_join_failure (play, bot, id, id, error);
  else
    {
      g_print (_ ("%s: task %s: %s"), bot->name, id,
               tally_submission_state_to_string (TALLY_SUBMISSION_COMMITTED));
      g_print ("\n");
    }
  return TRUE;
}

/* Reviews every revealed submission of task the bot may still review;
 * *waiting is set when more may be revealed later. */
static void
bot_review (Play      *play,
            Bot       *bot,
            TallyTask *task,
            guint64    now,
            gboolean  *waiting)
{
  const TallyLabelTaskParams *params = tally_task_get_params (task);
  guint64                     chain_id = tally_network_profile_get_chain_id (play->chain.profile);
  const TallyAddress         *market = tally_network_profile_get_market_address (play->chain.profile);
  g_autofree char            *id = tally_uint256_to_decimal (tally_task_get_id (task));
  TallyTaskPhase              phase = tally_task_get_phase (task, now);
  GBytes                     *truth = tally_bot_truth_for (&play->truth, task);

  if (truth == NULL || params->reviewers == 0 ||
      phase > TALLY_TASK_PHASE_REVIEW || now > params->review_commit_deadline ||
      tally_address_equal (tally_task_get_requester (task), &bot->address) ||
      tally_task_find_seat (task, &bot->address) >= 0)
    return;
  if (phase <= TALLY_TASK_PHASE_REVEAL)
    *waiting = TRUE;

  for (guint s = 0; s < params->replication; s++)
    {
      const TallyTaskSeat *seat = tally_task_get_seat (task, s);
      g_autofree char     *key = g_strdup_printf ("%s/%u", id, s);
      g_autoptr (TallySubmissionRecord) record = NULL;
      g_autoptr (GAsyncResult) result = NULL;
      g_autoptr (GError) error = NULL;
      g_autoptr (GRand) rand = NULL;
      const guint8 *right, *revealed;
      guint8       *verdicts;
      gboolean      free_slot = FALSE, mine = FALSE;
      gsize         len = 0;

      if (!seat->taken || seat->state != TALLY_LABEL_SEAT_REVEALED || seat->labels == NULL ||
          g_hash_table_contains (bot->given_up, key))
        continue;
      for (guint r = 0; r < params->reviewers; r++)
        {
          const TallyTaskReview *review = tally_task_get_review (task, s, r);

          free_slot |= !review->taken;
          mine |= review->taken && tally_address_equal (&review->reviewer, &bot->address);
        }
      record = tally_store_get_submission (bot->store, chain_id, market, tally_task_get_id (task),
                                           &bot->address, TALLY_SUBMISSION_REVIEWER, s, NULL);
      if (mine || !free_slot || record != NULL)
        continue;

      right = g_bytes_get_data (truth, &len);
      revealed = g_bytes_get_data (seat->labels, NULL);
      if (g_bytes_get_size (seat->labels) != len)
        continue;
      rand = bot_rand (play, bot, task, s + 1);
      verdicts = g_malloc (len);
      for (gsize i = 0; i < len; i++)
        {
          gboolean accept = (revealed[i] == right[i]) == draw_right (play, rand);

          verdicts[i] = revealed[i] == 0 ? TALLY_LABEL_VERDICT_ABSTAIN
                        : accept         ? TALLY_LABEL_VERDICT_ACCEPT
                                         : TALLY_LABEL_VERDICT_REJECT;
        }
      {
        g_autoptr (GBytes) bytes = g_bytes_new_take (verdicts, len);

        if (!bot_ensure_stake (play, bot, task, &error))
          {
            report_join_failure (play, bot, key, id, error);
            continue;
          }
        tally_submitter_review_async (bot->submitter, tally_task_get_id (task), s, bytes, NULL,
                                      tally_cli_on_done, &result);
        if (!tally_submitter_review_finish (bot->submitter, tally_cli_wait (&result), &error))
          report_join_failure (play, bot, key, id, error);
        else
          {
            g_print (_ ("%s: task %s, review of seat %u: %s"), bot->name, id, s + 1,
                     tally_submission_state_to_string (TALLY_SUBMISSION_COMMITTED));
            g_print ("\n");
          }
      }
    }
}

/* ---- The passes --------------------------------------------------------------- */

/* The states of a bot's unfinished submissions, by "task/role/seat". */
static GHashTable *
snapshot (Play *play,
          Bot  *bot)
{
  g_autoptr (GPtrArray) records =
    tally_store_list_unfinished (bot->store, tally_network_profile_get_chain_id (play->chain.profile),
                                 tally_network_profile_get_market_address (play->chain.profile), NULL);
  GHashTable *states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; records != NULL && i < records->len; i++)
    {
      TallySubmissionRecord *record = g_ptr_array_index (records, i);
      g_autofree char       *id = tally_uint256_to_decimal (&record->task_id);

      g_hash_table_insert (states, g_strdup_printf ("%s/%d/%u", id, record->role, record->seat),
                           GINT_TO_POINTER (record->state));
    }
  return states;
}

static void
print_changes (Play       *play,
               Bot        *bot,
               GHashTable *before)
{
  GHashTableIter iter;
  gpointer       key, value;

  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_auto (GStrv) parts = g_strsplit (key, "/", 3);
      g_autoptr (TallySubmissionRecord) record = NULL;
      TallyUint256 id;

      if (!tally_uint256_parse (&id, parts[0], NULL))
        continue;
      record = tally_store_get_submission (bot->store,
                                           tally_network_profile_get_chain_id (play->chain.profile),
                                           tally_network_profile_get_market_address (play->chain.profile),
                                           &id, &bot->address,
                                           (TallySubmissionRole) g_ascii_strtoll (parts[1], NULL, 10),
                                           (guint) g_ascii_strtoull (parts[2], NULL, 10), NULL);
      if (record == NULL || record->state == (TallySubmissionState) GPOINTER_TO_INT (value))
        continue;
      if (record->role == TALLY_SUBMISSION_REVIEWER)
        g_print (_ ("%s: task %s, review of seat %u: %s"), bot->name, parts[0], record->seat + 1,
                 tally_submission_state_to_string (record->state));
      else
        g_print (_ ("%s: task %s: %s"), bot->name, parts[0],
                 tally_submission_state_to_string (record->state));
      if (record->reason != NULL)
        g_print (" (%s)", record->reason);
      g_print ("\n");
    }
}

/* Joins what the bots can join, then steps each one; *busy when a bot
 * has unfinished work or a task it could still join is open. */
static gboolean
play_pass (Play     *play,
           gboolean *busy,
           GError  **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  GListModel *tasks = G_LIST_MODEL (play->tasks);
  guint64     now = 0;

  *busy = FALSE;
  tally_market_log_sync_async (play->chain.log, NULL, tally_cli_on_done, &result);
  if (!tally_market_log_sync_finish (play->chain.log, tally_cli_wait (&result), error) ||
      !tally_cli_chain_now (&play->chain, &now, error))
    return FALSE;

  for (guint t = 0; t < g_list_model_get_n_items (tasks); t++)
    {
      g_autoptr (TallyTask) task = g_list_model_get_item (tasks, t);

      for (guint b = 0; b < play->bots->len; b++)
        if (play->review)
          bot_review (play, g_ptr_array_index (play->bots, b), task, now, busy);
        else
          bot_annotate (play, g_ptr_array_index (play->bots, b), task, now);
    }

  for (guint b = 0; b < play->bots->len; b++)
    {
      Bot *bot = g_ptr_array_index (play->bots, b);
      g_autoptr (GHashTable) before = snapshot (play, bot);
      g_autoptr (GError) step_error = NULL;
      guint left = 0;

      g_clear_object (&result);
      tally_submitter_step_async (bot->submitter, NULL, tally_cli_on_done, &result);
      if (!tally_submitter_step_finish (bot->submitter, tally_cli_wait (&result), &left,
                                        &step_error))
        {
          print_changes (play, bot, before);
          g_propagate_prefixed_error (error, g_steal_pointer (&step_error), "%s: ", bot->name);
          return FALSE;
        }
      print_changes (play, bot, before);
      *busy |= left > 0;
    }
  return TRUE;
}

static gboolean quit;

static gboolean
on_quit_signal (gpointer user_data)
{
  quit = TRUE;
  return G_SOURCE_CONTINUE;
}

static int
run_bot (int    argc,
         char **argv)
{
  g_autofree char   *truth_path = NULL;
  g_autofree char   *accuracy_text = NULL;
  g_autofree char   *seed_text = NULL;
  gint               n_accounts = 2, first = 1, interval = 5;
  gboolean           review = FALSE, once = FALSE, until_done = FALSE;
  const GOptionEntry options[] = {
    { "truth", 0, 0, G_OPTION_ARG_FILENAME, &truth_path,
      N_ ("JSON: {\"labels\": [classes]} or {\"tasks\": {\"ID\": [classes]}}"), N_ ("FILE") },
    { "accuracy", 0, 0, G_OPTION_ARG_STRING, &accuracy_text,
      N_ ("Chance from 0 to 1 that a label or verdict is right (default 1)"), N_ ("P") },
    { "accounts", 0, 0, G_OPTION_ARG_INT, &n_accounts, N_ ("How many bots (default 2)"), N_ ("N") },
    { "first-account", 0, 0, G_OPTION_ARG_INT, &first,
      N_ ("The mnemonic’s index of the first bot (default 1)"), N_ ("K") },
    { "review", 0, 0, G_OPTION_ARG_NONE, &review,
      N_ ("Review revealed submissions instead of labeling"), NULL },
    { "once", 0, 0, G_OPTION_ARG_NONE, &once, N_ ("Make one pass and exit"), NULL },
    { "until-done", 0, 0, G_OPTION_ARG_NONE, &until_done,
      N_ ("Exit once no bot has work left or a task to join"), NULL },
    { "interval", 0, 0, G_OPTION_ARG_INT, &interval, N_ ("Seconds between passes (default 5)"),
      N_ ("SECONDS") },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text,
      N_ ("Seed of the random draws (default 1)"), N_ ("S") },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_auto (Play) play = { 0 };
  g_autoptr (GError) error = NULL;
  guint64 seed = 1;
  guint   signals[2];
  int     status;

  g_option_context_set_summary (context, _ ("Play simulated annotators (or reviewers) on every "
                                            "open task of a local test network, with accounts of "
                                            "its mnemonic."));
  g_option_context_add_main_entries (context, options, GETTEXT_PACKAGE);
  if ((status = tally_cli_parse_options (context, &argc, &argv)) != TALLY_CLI_EXIT_OK)
    return status;
  if (argc != 1)
    return tally_cli_usage_error (_ ("unexpected argument “%s”"), argv[1]);
  if (truth_path == NULL)
    return tally_cli_usage_error (_ ("bot needs --truth FILE"));
  play.accuracy = 1.0;
  if (accuracy_text != NULL)
    {
      char *end = NULL;

      play.accuracy = g_ascii_strtod (accuracy_text, &end);
      if (end == accuracy_text || *end != '\0' || !(play.accuracy >= 0.0 && play.accuracy <= 1.0))
        return tally_cli_usage_error (_ ("--accuracy takes a number from 0 to 1, not “%s”"),
                                      accuracy_text);
    }
  if (n_accounts < 1 || n_accounts > MAX_BOTS)
    return tally_cli_usage_error (_ ("--accounts takes 1 to %d"), MAX_BOTS);
  if (first < 0 || first > 1000)
    return tally_cli_usage_error (_ ("--first-account takes 0 to 1000"));
  if (interval < 1 || interval > 3600)
    return tally_cli_usage_error (_ ("--interval takes 1 to 3600 seconds"));
  if (once && until_done)
    return tally_cli_usage_error (_ ("give --once or --until-done, not both"));
  if (seed_text != NULL && !g_ascii_string_to_unsigned (seed_text, 10, 0, G_MAXUINT32, &seed, NULL))
    return tally_cli_usage_error (_ ("--seed takes a number from 0 to %u"), G_MAXUINT32);
  play.seed = (guint32) seed;
  play.review = review;
  if (!tally_bot_truth_load (&play.truth, truth_path, &error))
    return tally_cli_usage_error ("%s", error->message);
  if ((status = open_bots (&play, (guint) first, (guint) n_accounts)) != TALLY_CLI_EXIT_OK)
    return status;

  signals[0] = g_unix_signal_add (SIGINT, on_quit_signal, NULL);
  signals[1] = g_unix_signal_add (SIGTERM, on_quit_signal, NULL);
  while (!quit)
    {
      g_autoptr (GError) pass_error = NULL;
      gboolean busy = TRUE;

      if (!play_pass (&play, &busy, &pass_error))
        {
          /* The node or a store: tried again at the next pass, unless this
           * was the only one. */
          if (once || until_done)
            {
              status = tally_cli_failure ("%s", pass_error->message);
              break;
            }
          g_printerr ("tally-cli: %s\n", pass_error->message);
        }
      else if (once || (until_done && !busy))
        break;
      for (gint64 end = g_get_monotonic_time () + interval * G_USEC_PER_SEC;
           !quit && g_get_monotonic_time () < end;)
        if (!g_main_context_iteration (NULL, FALSE))
          g_usleep (50000);
    }
  g_source_remove (signals[0]);
  g_source_remove (signals[1]);
  if (status == TALLY_CLI_EXIT_OK && play.failed && (once || until_done))
    status = TALLY_CLI_EXIT_FAILED;
  return status;
}

const TallyCliCommand tally_cli_bot_commands[] = {
  { "bot", "--truth FILE [--accuracy P] [--accounts N] [--review] [--once | --until-done]",
    N_ ("Simulated annotators or reviewers (local test networks)"), run_bot },
  { NULL }
};
