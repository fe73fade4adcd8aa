/* cli-submit.c: tally-cli join, leave, submit, review and run — an
 * annotator's and a reviewer's side of a task, driven by TallySubmitter
 *
 * join takes a seat before labeling and leave gives it back; submit and
 * review write the work down and commit it; run keeps the engine going
 * (reveals, settles, claims) and says what changed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-cli"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "payload.h"
#include "store.h"
#include "submitter.h"
#include "task-list.h"
#include "task-seats.h"

/* Label and verdict files are short lists of numbers. */
#define MAX_LIST_FILE (64 * 1024)

/* The numbers of a label or verdict file, separated by spaces, commas or
 * line breaks; words are looked up in names (their index is the value)
 * when not NULL. */
static GBytes *
read_list (const char        *path,
           guint              max_value,
           const char *const *names,
           GError           **error)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) words = NULL;
  g_autoptr (GByteArray) values = g_byte_array_new ();
  gsize len = 0;

  if (!g_file_get_contents (path, &text, &len, error))
    return NULL;
  if (len > MAX_LIST_FILE || strlen (text) != len)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, _ ("%s is not a short text file"), path);
      return NULL;
    }
  words = g_strsplit_set (text, " \t\r\n,", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      guint64 value = 0;
      guint8  byte;
      guint   named = 0;

      if (words[i][0] == '\0')
        continue;
      while (names != NULL && names[named] != NULL && g_ascii_strcasecmp (names[named], words[i]) != 0)
        named++;
      if (names != NULL && names[named] != NULL)
        value = named;
      else if (!g_ascii_string_to_unsigned (words[i], 10, 0, max_value, &value, NULL))
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       _ ("%s: entry %u, “%s”, is not a number from 0 to %u"), path,
                       values->len + 1, words[i], max_value);
          return NULL;
        }
      byte = (guint8) value;
      g_byte_array_append (values, &byte, 1);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&values));
}

typedef struct
{
  TallyStore     *store;
  TallyTaskList  *tasks;
  TallySubmitter *submitter;
  TallyRequester *requester;  /* run's, made at its first pass */
  TallyKeyServer *key_server; /* likewise */
} Engine;

static void
engine_clear (Engine *engine)
{
  g_clear_object (&engine->submitter);
  g_clear_object (&engine->requester);
  g_clear_object (&engine->key_server);
  g_clear_object (&engine->tasks);
  g_clear_object (&engine->store);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Engine, engine_clear)

/* The chain with the account's key, the store in the user data dir, and a
 * submitter on them. */
static int
open_engine (TallyCliChain *chain,
             Engine        *engine)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = tally_store_default_path ();
  int              status;

  if ((status = tally_cli_chain_open (chain, TALLY_CLI_CHAIN_ACCOUNT)) != TALLY_CLI_EXIT_OK ||
      (status = tally_cli_chain_open_signer (chain)) != TALLY_CLI_EXIT_OK)
    return status;
  if (!tally_cli_chain_sync (chain, &error) ||
      (engine->store = tally_store_open (path, &error)) == NULL)
    return tally_cli_failure ("%s", error->message);
  engine->tasks = tally_task_list_new (chain->log);
  engine->submitter = tally_submitter_new (engine->store, engine->tasks, chain->manager);
  return TALLY_CLI_EXIT_OK;
}

static int
run_submit (int    argc,
            char **argv)
{
  g_autofree char   *labels_path = NULL;
  g_autofree char   *payload_path = NULL;
  const GOptionEntry options[] = {
    { "labels", 0, 0, G_OPTION_ARG_FILENAME, &labels_path,
      N_ ("One class per item, in item order (0 = skipped)"), N_ ("FILE") },
    { "payload", 0, 0, G_OPTION_ARG_FILENAME, &payload_path,
      N_ ("Boxes and spans, encoded as docs/payload.md says"), N_ ("FILE") },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (_ ("ID"));
  g_auto (TallyCliChain) chain = { 0 };
  g_auto (Engine) engine = { 0 };
  g_autoptr (GBytes) labels = NULL;
  g_autoptr (GBytes) payload = NULL;
  g_autoptr (GError) error = NULL;
  GAsyncResult *result = NULL;
  TallyUint256  id;
  int           status;

  g_option_context_set_summary (context, _ ("Join the task if needed and commit labels to it; "
                                            "“tally-cli run” reveals them when the window opens."));
  g_option_context_add_main_entries (context, options, GETTEXT_PACKAGE);
  if ((status = tally_cli_parse_options (context, &argc, &argv)) != TALLY_CLI_EXIT_OK)
    return status;
  if (argc != 2 || labels_path == NULL)
    return tally_cli_usage_error (_ ("submit takes a task id and --labels FILE"));
  if (!tally_cli_parse_task_id (&id, argv[1], &error) ||
      (labels = read_list (labels_path, 255, NULL, &error)) == NULL)
    return tally_cli_usage_error ("%s", error->message);
  if (payload_path != NULL)
    {
      g_autofree char *data = NULL;
      gsize            len = 0;

      if (!g_file_get_contents (payload_path, &data, &len, &error))
        return tally_cli_usage_error ("%s", error->message);
      payload = g_bytes_new_take (g_steal_pointer (&data), len);
    }
  if ((status = open_engine (&chain, &engine)) != TALLY_CLI_EXIT_OK)
    return status;

  tally_submitter_submit_async (engine.submitter, &id, labels, payload, NULL, tally_cli_on_done,
                                &result);
  if (!tally_submitter_submit_finish (engine.submitter, tally_cli_wait (&result), &error))
    {
      g_clear_object (&result);
      return tally_cli_failure ("%s", error->message);
    }
  g_clear_object (&result);
  g_print (_ ("Committed to task %s. Keep “tally-cli run” going to reveal it in time.\n"), argv[1]);
  return TALLY_CLI_EXIT_OK;
}

static int
run_review (int    argc,
            char **argv)
{
  static const char *const verdict_names[] = { "abstain", "accept", "reject", NULL };
  g_autofree char         *annotator_text = NULL;
  g_autofree char         *verdicts_path = NULL;
  const GOptionEntry       options[] = {
          { "annotator", 0, 0, G_OPTION_ARG_STRING, &annotator_text,
            N_ ("The account whose submission is reviewed"), N_ ("ADDRESS") },
          { "verdicts", 0, 0, G_OPTION_ARG_FILENAME, &verdicts_path,
            N_ ("One verdict per item: accept, reject or abstain (or 1, 2, 0)"), N_ ("FILE") },
          { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (_ ("ID"));
  g_auto (TallyCliChain) chain = { 0 };
  g_auto (Engine) engine = { 0 };
  g_autoptr (GBytes) verdicts = NULL;
  g_autoptr (GError) error = NULL;
  GAsyncResult *result = NULL;
  TallyAddress  annotator;
  TallyUint256  id;
  TallyTask    *task;
  gint          seat;
  int           status;

  g_option_context_set_summary (context, _ ("Take a review seat on an annotator’s revealed "
                                            "submission and commit verdicts on it."));
  g_option_context_add_main_entries (context, options, GETTEXT_PACKAGE);
  if ((status = tally_cli_parse_options (context, &argc, &argv)) != TALLY_CLI_EXIT_OK)
    return status;
  if (argc != 2 || annotator_text == NULL || verdicts_path == NULL)
    return tally_cli_usage_error (_ ("review takes a task id, --annotator ADDRESS and --verdicts FILE"));
  if (!tally_cli_parse_task_id (&id, argv[1], &error) ||
      !tally_address_parse (&annotator, annotator_text, &error) ||
      (verdicts = read_list (verdicts_path, 2, verdict_names, &error)) == NULL)
    return tally_cli_usage_error ("%s", error->message);
  if ((status = open_engine (&chain, &engine)) != TALLY_CLI_EXIT_OK)
    return status;
  task = tally_task_list_lookup (engine.tasks, &id);
  if (task == NULL)
    return tally_cli_failure (_ ("The market has no task %s"), argv[1]);
  if ((seat = tally_task_find_seat (task, &annotator)) < 0)
    return tally_cli_failure (_ ("%s holds no seat in task %s"), annotator_text, argv[1]);

  tally_submitter_review_async (engine.submitter, &id, (guint) seat, verdicts, NULL,
                                tally_cli_on_done, &result);
  if (!tally_submitter_review_finish (engine.submitter, tally_cli_wait (&result), &error))
    {
      g_clear_object (&result);
      return tally_cli_failure ("%s", error->message);
    }
  g_clear_object (&result);
  g_print (_ ("Committed a review of seat %d of task %s. Keep “tally-cli run” going to reveal it "
              "in time.\n"),
           seat + 1, argv[1]);
  return TALLY_CLI_EXIT_OK;
}

/* ---- join and leave ------------------------------------------------------------ */

/* The task id of a command that takes only that; NULL status on success. */
static int
parse_id_only (GOptionContext *context,
               const char     *summary,
               int            *argc,
               char         ***argv,
               TallyUint256   *id)
{
  g_autoptr (GError) error = NULL;
  int status;

  g_option_context_set_summary (context, summary);
  if ((status = tally_cli_parse_options (context, argc, argv)) != TALLY_CLI_EXIT_OK)
    return status;
  if (*argc != 2)
    return tally_cli_usage_error (_ ("%s takes a task id"), (*argv)[0]);
  if (!tally_cli_parse_task_id (id, (*argv)[1], &error))
    return tally_cli_usage_error ("%s", error->message);
  return TALLY_CLI_EXIT_OK;
}

static int
run_join (int    argc,
          char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new (_ ("ID"));
  g_auto (TallyCliChain) chain = { 0 };
  g_auto (Engine) engine = { 0 };
  g_autoptr (TallySubmissionRecord) record = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *locked = NULL;
  GAsyncResult    *result = NULL;
  TallyUint256     id, lock, fee;
  TallyTask       *task;
  guint            seat = 0;
  int              status;

  status = parse_id_only (context,
                          _ ("Take a seat of a task before labeling it: a seat locks stake until "
                             "the task is settled or the seat is given back."),
                          &argc, &argv, &id);
  if (status != TALLY_CLI_EXIT_OK || (status = open_engine (&chain, &engine)) != TALLY_CLI_EXIT_OK)
    return status;

  tally_submitter_join_async (engine.submitter, &id, NULL, tally_cli_on_done, &result);
  if (!tally_submitter_join_finish (engine.submitter, tally_cli_wait (&result), &seat, &error))
    {
      g_clear_object (&result);
      return tally_cli_failure ("%s", error->message);
    }
  g_clear_object (&result);
  task = tally_task_list_lookup (engine.tasks, &id);
  g_assert (task != NULL);
  tally_task_seats_get_lock (task, &lock);
  locked = tally_cli_chain_format (&chain, &lock);
  g_print (_ ("Joined task %s: seat %u of %u.\n"), argv[1], seat + 1,
           tally_task_get_params (task)->replication);
  g_print (_ ("Locked: %s of your stake until the task is settled.\n"), locked);
  record = tally_store_get_submission (engine.store,
                                       tally_network_profile_get_chain_id (chain.profile),
                                       tally_network_profile_get_market_address (chain.profile),
                                       &id, &chain.account, TALLY_SUBMISSION_ANNOTATOR, 0, NULL);
  if (record != NULL && record->state == TALLY_SUBMISSION_WAITING_FOR_KEY)
    g_print (_ ("The items are private: waiting for the key server to grant the task key. "
                "Leaving is free until then.\n"));
  else
    {
      g_autofree char *burned = NULL;

      tally_task_seats_get_leave_fee (task, &chain.account, &fee);
      burned = tally_cli_chain_format (&chain, &fee);
      g_print (_ ("Leaving before you commit burns %s.\n"), burned);
    }
  return TALLY_CLI_EXIT_OK;
}

static int
run_leave (int    argc,
           char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new (_ ("ID"));
  g_auto (TallyCliChain) chain = { 0 };
  g_auto (Engine) engine = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *burned = NULL;
  g_autofree char *freed = NULL;
  GAsyncResult    *result = NULL;
  TallyUint256     id, fee, lock;
  TallyTask       *task;
  int              status;

  status = parse_id_only (context,
                          _ ("Give a seat back before committing to it: its stake is unlocked, "
                             "less the task’s leave fee."),
                          &argc, &argv, &id);
  if (status != TALLY_CLI_EXIT_OK || (status = open_engine (&chain, &engine)) != TALLY_CLI_EXIT_OK)
    return status;

  tally_submitter_leave_async (engine.submitter, &id, NULL, tally_cli_on_done, &result);
  if (!tally_submitter_leave_finish (engine.submitter, tally_cli_wait (&result), &fee, &error))
    {
      g_clear_object (&result);
      return tally_cli_failure ("%s", error->message);
    }
  g_clear_object (&result);
  task = tally_task_list_lookup (engine.tasks, &id);
  g_assert (task != NULL);
  tally_task_seats_get_lock (task, &lock);
  /* leave() unlocks the whole lock and takes the fee out of the stake. */
  if (!tally_uint256_sub (&lock, &lock, &fee))
    tally_uint256_from_uint64 (&lock, 0);
  freed = tally_cli_chain_format (&chain, &lock);
  if (tally_uint256_is_zero (&fee))
    g_print (_ ("Left task %s for free: %s of your stake is free again.\n"), argv[1], freed);
  else
    {
      burned = tally_cli_chain_format (&chain, &fee);
      g_print (_ ("Left task %s: %s was burned as the leave fee; %s of your stake is free again.\n"),
               argv[1], burned, freed);
    }
  return TALLY_CLI_EXIT_OK;
}

/* ---- run --------------------------------------------------------------------- */

static gboolean quit;

static gboolean
on_quit_signal (gpointer user_data)
{
  quit = TRUE;
  return G_SOURCE_CONTINUE;
}

/* The deadline as local time, or NULL when it was said already for this
 * task: run makes a pass every few seconds. */
static char *
first_warning (GHashTable *warned,
               const char *what,
               const char *task_id,
               guint64     deadline)
{
  g_autoptr (GDateTime) time = NULL;

  if (!g_hash_table_add (warned, g_strconcat (what, ":", task_id, NULL)))
    return NULL;
  time = g_date_time_new_from_unix_local ((gint64) MIN (deadline, G_MAXINT64));
  return g_date_time_format (time, "%c");
}

static void
on_deadline_near (TallySubmitter *submitter,
                  const char     *task_id,
                  guint64         deadline,
                  GHashTable     *warned)
{
  g_autofree char *when = first_warning (warned, "reveal", task_id, deadline);

  if (when != NULL)
    g_printerr (_ ("Task %s must be revealed by %s: keep tally-cli run going\n"), task_id, when);
}

static void
on_commit_deadline_near (TallySubmitter *submitter,
                         const char     *task_id,
                         guint64         deadline,
                         GHashTable     *warned)
{
  g_autofree char *when = first_warning (warned, "commit", task_id, deadline);

  if (when != NULL)
    g_printerr (_ ("Task %s: submit your labels by %s (tally-cli submit) or give the seat back "
                   "(tally-cli leave): a seat that commits nothing loses its whole stake lock\n"),
                task_id, when);
}

/* The state of each of this account's unfinished submissions, by key. */
static GHashTable *
snapshot (Engine        *engine,
          TallyCliChain *chain)
{
  g_autoptr (GPtrArray) records =
    tally_store_list_unfinished (engine->store, tally_network_profile_get_chain_id (chain->profile),
                                 tally_network_profile_get_market_address (chain->profile), NULL);
  GHashTable *states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; records != NULL && i < records->len; i++)
    {
      TallySubmissionRecord *record = g_ptr_array_index (records, i);
      g_autofree char       *id = tally_uint256_to_decimal (&record->task_id);

      if (tally_address_equal (&record->account, &chain->account))
        g_hash_table_insert (states, g_strdup_printf ("%s/%d/%u", id, record->role, record->seat),
                             GINT_TO_POINTER (record->state));
    }
  return states;
}

/* Says which submissions moved during a pass, and why one stopped. */
static void
print_changes (Engine        *engine,
               TallyCliChain *chain,
               GHashTable    *before)
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
      record = tally_store_get_submission (engine->store,
                                           tally_network_profile_get_chain_id (chain->profile),
                                           tally_network_profile_get_market_address (chain->profile),
                                           &id, &chain->account, (TallySubmissionRole) atoi (parts[1]),
                                           (guint) atoi (parts[2]), NULL);
      if (record == NULL || record->state == (TallySubmissionState) GPOINTER_TO_INT (value))
        continue;
      if (record->role == TALLY_SUBMISSION_REVIEWER)
        g_print (_ ("Task %s, review of seat %u: %s"), parts[0], record->seat + 1,
                 tally_submission_state_to_string (record->state));
      else
        g_print (_ ("Task %s: %s"), parts[0], tally_submission_state_to_string (record->state));
      if (record->reason != NULL)
        g_print (" (%s)", record->reason);
      g_print ("\n");
    }
}

static int
run_run (int    argc,
         char **argv)
{
  gboolean           once = FALSE, until_done = FALSE, no_claim = FALSE;
  gint               interval = 5;
  const GOptionEntry options[] = {
    { "once", 0, 0, G_OPTION_ARG_NONE, &once, N_ ("Make one pass and exit"), NULL },
    { "until-done", 0, 0, G_OPTION_ARG_NONE, &until_done,
      N_ ("Exit once every submission is claimed, expired or failed"), NULL },
    { "interval", 0, 0, G_OPTION_ARG_INT, &interval, N_ ("Seconds between passes (default 5)"),
      N_ ("SECONDS") },
    { "no-claim", 0, 0, G_OPTION_ARG_NONE, &no_claim, N_ ("Leave credited rewards unclaimed"), NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_auto (TallyCliChain) chain = { 0 };
  g_auto (Engine) engine = { 0 };
  g_autoptr (GHashTable) warned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint signals[2];
  int   status;

  g_option_context_set_summary (
    context, _ ("Keep the account’s work going: reveal its submissions and reviews when their "
                "window opens, settle tasks past their last deadline and claim rewards; as a "
                "requester, reveal the gold of its tasks in time; as a key server, grant each "
                "private task’s key to every seat."));
  g_option_context_add_main_entries (context, options, GETTEXT_PACKAGE);
  if ((status = tally_cli_parse_options (context, &argc, &argv)) != TALLY_CLI_EXIT_OK)
    return status;
  if (argc != 1)
    return tally_cli_usage_error (_ ("unexpected argument “%s”"), argv[1]);
  if (interval < 1 || interval > 3600)
    return tally_cli_usage_error (_ ("--interval takes 1 to 3600 seconds"));
  if ((status = open_engine (&chain, &engine)) != TALLY_CLI_EXIT_OK)
    return status;
  tally_submitter_set_auto_claim (engine.submitter, !no_claim);
  g_signal_connect (engine.submitter, "deadline-near", G_CALLBACK (on_deadline_near), warned);
  g_signal_connect (engine.submitter, "commit-deadline-near", G_CALLBACK (on_commit_deadline_near),
                    warned);
  signals[0] = g_unix_signal_add (SIGINT, on_quit_signal, NULL);
  signals[1] = g_unix_signal_add (SIGTERM, on_quit_signal, NULL);

  while (!quit)
    {
      g_autoptr (GHashTable) before = snapshot (&engine, &chain);
      g_autoptr (GError) error = NULL;
      GAsyncResult *result = NULL;
      guint         left = 0;
      gboolean      ok;

      tally_submitter_step_async (engine.submitter, NULL, tally_cli_on_done, &result);
      ok = tally_submitter_step_finish (engine.submitter, tally_cli_wait (&result), &left, &error);
      g_clear_object (&result);
      {
        /* The account's tasks as a requester: creates to finish, gold to
         * reveal. A failure is reported like the submitter's. */
        g_autoptr (GError) requester_error = NULL;

        if (!tally_cli_requester_pass (&engine.requester, engine.store, engine.tasks,
                                       chain.manager, &left, &requester_error))
          {
            if (ok)
              error = g_steal_pointer (&requester_error);
            else
              g_printerr ("tally-cli: %s\n", requester_error->message);
            ok = FALSE;
          }
      }
      {
        /* Private tasks this account is the key server of: their keys to
         * every seat. A failure is reported like the submitter's. */
        g_autoptr (GError) key_error = NULL;

        if (!tally_cli_key_server_pass (&engine.key_server, engine.tasks, chain.manager,
                                        &key_error))
          {
            if (ok)
              error = g_steal_pointer (&key_error);
            else
              g_printerr ("tally-cli: %s\n", key_error->message);
            ok = FALSE;
          }
      }
      print_changes (&engine, &chain, before);
      if (!ok)
        {
          /* The node or the store: tried again at the next pass, unless
           * this was the only one. */
          if (once || until_done)
            status = tally_cli_failure ("%s", error->message);
          else
            g_printerr ("tally-cli: %s\n", error->message);
          if (once || until_done)
            break;
        }
      if (once || (until_done && ok && left == 0))
        break;
      for (gint64 end = g_get_monotonic_time () + interval * G_USEC_PER_SEC;
           !quit && g_get_monotonic_time () < end;)
        if (!g_main_context_iteration (NULL, FALSE))
          g_usleep (50000);
    }
  g_source_remove (signals[0]);
  g_source_remove (signals[1]);
  return status;
}

const TallyCliCommand tally_cli_submit_commands[] = {
  { "join", "ID", N_ ("Take a seat of a task before labeling it"), run_join },
  { "leave", "ID", N_ ("Give a seat back before committing (the leave fee is burned)"), run_leave },
  { "submit", "ID --labels FILE [--payload FILE]", N_ ("Commit labels to a task (joining it first)"),
    run_submit },
  { "review", "ID --annotator ADDRESS --verdicts FILE", N_ ("Commit verdicts on a submission"),
    run_review },
  { "run", "[--once | --until-done] [--interval SECONDS]",
    N_ ("Reveal, settle and claim as deadlines come"), run_run },
  { NULL }
};
