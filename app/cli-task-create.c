/* cli-task-create.c: tally-cli's task create, the requester's side
 *
 * The manifest is read as bytes (a local file or an http(s) URL, capped)
 * and checked as annotators will check it (docs/manifest.md), against the
 * URI the task will name: a task nobody could load is never paid for. Its
 * keccak-256 is the task's manifest hash, its items and classes the task's
 * counts. The task is created through TallyRequester, so it is in the
 * store (with its gold, from --gold) before the create is broadcast, and
 * tally-cli run reveals the gold in its window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-cli"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "cli.h"
#include "core-error.h"
#include "manifest.h"
#include "requester.h"
#include "task-gold.h"
#include "task-key.h"
#include "wallet/tally-wallet.h"

#define MANIFEST_MAX_SIZE   (4 * 1024 * 1024)
#define DEFAULT_PHASE_HOURS 24
/* A server that stops answering fails the command rather than hanging it. */
#define FETCH_TIMEOUT_S 30
/* A gold file is a short JSON object. */
#define GOLD_MAX_SIZE            (1024 * 1024)
#define DEFAULT_MIN_GOLD_PERCENT "80"

/* Up to MANIFEST_MAX_SIZE bytes of stream, or TALLY_CORE_ERROR_TOO_LARGE. */
static GBytes *
read_capped (GInputStream *stream,
             const char   *source,
             GError      **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autofree guint8 *buffer = g_malloc (MANIFEST_MAX_SIZE + 1);
  gsize              length = 0;

  g_input_stream_read_all_async (stream, buffer, MANIFEST_MAX_SIZE + 1, G_PRIORITY_DEFAULT, NULL,
                                 tally_cli_on_done, &result);
  if (!g_input_stream_read_all_finish (stream, tally_cli_wait (&result), &length, error))
    {
      g_prefix_error (error, "%s: ", source);
      return NULL;
    }
  if (length > MANIFEST_MAX_SIZE)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_TOO_LARGE,
                   _ ("%s: the manifest is larger than %u MiB"), source,
                   MANIFEST_MAX_SIZE / (1024 * 1024));
      return NULL;
    }
  return g_bytes_new (buffer, length);
}

static GBytes *
fetch_manifest (const char *url,
                GError    **error)
{
  g_autoptr (SoupSession) session = soup_session_new_with_options ("timeout", FETCH_TIMEOUT_S, NULL);
  g_autoptr (SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr (GInputStream) stream = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  guint status;

  if (message == NULL)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NETWORK, _ ("%s is not a valid URL"),
                   url);
      return NULL;
    }
  soup_session_send_async (session, message, G_PRIORITY_DEFAULT, NULL, tally_cli_on_done, &result);
  stream = soup_session_send_finish (session, tally_cli_wait (&result), error);
  if (stream == NULL)
    {
      g_prefix_error (error, "%s: ", url);
      return NULL;
    }
  status = soup_message_get_status (message);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_HTTP, _ ("%s: HTTP %u %s"), url,
                   status, soup_message_get_reason_phrase (message));
      return NULL;
    }
  return read_capped (stream, url, error);
}

static GBytes *
read_manifest_file (GFile   *file,
                    GError **error)
{
  g_autoptr (GFileInputStream) stream = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autofree char *name = g_file_get_parse_name (file);

  g_file_read_async (file, G_PRIORITY_DEFAULT, NULL, tally_cli_on_done, &result);
  stream = g_file_read_finish (file, tally_cli_wait (&result), error);
  if (stream == NULL)
    return NULL;
  return read_capped (G_INPUT_STREAM (stream), name, error);
}

/* --items or --classes, when given, must say what the manifest says. */
static gboolean
check_count (const char *option,
             gint        given,
             guint       counted,
             GError    **error)
{
  if (given != 0 && (given < 0 || (guint) given != counted))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("%s %d does not match the manifest’s %u"), option, given, counted);
      return FALSE;
    }
  return TRUE;
}

/* A percentage with up to two decimals, as basis points. */
static gboolean
parse_percent (guint      *bps,
               const char *option,
               const char *text,
               gboolean    zero_allowed,
               GError    **error)
{
  TallyUint256 value;
  guint64      small = 0;

  if (!tally_uint256_parse_units (&value, text, 2, error) ||
      !tally_uint256_to_uint64 (&small, &value) || small > TALLY_LABEL_BPS ||
      (small == 0 && !zero_allowed))
    {
      g_clear_error (error);
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   zero_allowed ? _ ("%s must be a percentage from 0 to 100, like 12.5")
                                : _ ("%s must be a percentage above 0, up to 100, like 12.5"),
                   option);
      return FALSE;
    }
  *bps = (guint) small;
  return TRUE;
}

/* --gold FILE, read as tally_task_gold_parse() says. */
static gboolean
read_gold (TallyManifest *manifest,
           const char    *path,
           GArray       **indices,
           GBytes       **labels,
           GError       **error)
{
  g_autofree char *text = NULL;
  gsize            len = 0;

  if (!g_file_get_contents (path, &text, &len, error))
    return FALSE;
  if (len > GOLD_MAX_SIZE)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("%s: a gold file is at most %u KiB"), path, GOLD_MAX_SIZE / 1024);
      return FALSE;
    }
  if (!tally_task_gold_parse (manifest, text, len, indices, labels, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  char *manifest, *manifest_uri, *reward, *stake_per_item, *review_reward;
  char *slash_percent, *quorum_percent, *leave_fee, *gold, *min_gold_percent, *key_server;
  gint  replication, reviewers, items, classes;
  gint  hours[4];
} CreateOptions;

static void
create_options_clear (CreateOptions *o)
{
  g_free (o->manifest);
  g_free (o->manifest_uri);
  g_free (o->gold);
  g_free (o->min_gold_percent);
  g_free (o->key_server);
  g_free (o->reward);
  g_free (o->stake_per_item);
  g_free (o->review_reward);
  g_free (o->slash_percent);
  g_free (o->quorum_percent);
  g_free (o->leave_fee);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CreateOptions, create_options_clear)

/* Everything but the manifest's hash and counts and the deadlines. */
static gboolean
fill_params (TallyLabelTaskParams *p,
             TallyCliChain        *chain,
             const CreateOptions  *o,
             GError              **error)
{
  if (o->replication < 1 || o->replication > TALLY_LABEL_MAX_REPLICATION)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--replication must be between 1 and %u"), TALLY_LABEL_MAX_REPLICATION);
      return FALSE;
    }
  if (o->reviewers < 0 || o->reviewers > TALLY_LABEL_MAX_REVIEWERS)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--reviewers must be between 0 and %u"), TALLY_LABEL_MAX_REVIEWERS);
      return FALSE;
    }
  if ((o->reviewers > 0) != (o->review_reward != NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--review-reward goes with --reviewers above 0, and only then"));
      return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (o->hours); i++)
    if (o->hours[i] < 1)
      {
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _ ("every phase must last at least one hour"));
        return FALSE;
      }
  p->replication = (guint) o->replication;
  p->reviewers = (guint) o->reviewers;
  return tally_cli_chain_parse_amount (chain, &p->reward_per_label, "--reward", o->reward, error) &&
         tally_cli_chain_parse_amount (chain, &p->stake_per_item, "--stake-per-item",
                                       o->stake_per_item, error) &&
         (o->review_reward == NULL ||
          tally_cli_chain_parse_amount (chain, &p->review_reward_per_item, "--review-reward",
                                        o->review_reward, error)) &&
         tally_cli_chain_parse_amount (chain, &p->leave_fee, "--leave-fee", o->leave_fee, error) &&
         parse_percent (&p->slash_bps, "--slash-percent", o->slash_percent, TRUE, error) &&
         parse_percent (&p->quorum_bps, "--quorum-percent", o->quorum_percent, FALSE, error) &&
         (o->gold == NULL || parse_percent (&p->min_gold_accuracy_bps, "--min-gold-percent",
                                            o->min_gold_percent, TRUE, error));
}

/* The manifest's bytes and the URI the task will name. */
static int
load_manifest (const CreateOptions *o,
               GBytes             **bytes,
               char               **uri)
{
  g_autoptr (GError) error = NULL;

  if (g_str_has_prefix (o->manifest, "http://") || g_str_has_prefix (o->manifest, "https://"))
    {
      if ((*bytes = fetch_manifest (o->manifest, &error)) == NULL)
        return tally_cli_failure ("%s", error->message);
      *uri = g_strdup (o->manifest);
    }
  else
    {
      g_autoptr (GFile) file = g_file_new_for_commandline_arg (o->manifest);

      if ((*bytes = read_manifest_file (file, &error)) == NULL)
        return tally_cli_usage_error ("%s", error->message);
      *uri = g_file_get_uri (file);
    }
  if (o->manifest_uri != NULL)
    {
      g_free (*uri);
      *uri = g_strdup (o->manifest_uri);
    }
  return TALLY_CLI_EXIT_OK;
}

/* Through TallyRequester, so the task is in the store (and its gold, to be
 * revealed by tally-cli run) before the create is broadcast. */
static int
send_create_task (TallyCliChain              *chain,
                  const TallyLabelTaskParams *p,
                  const char                 *uri,
                  GArray                     *gold_indices,
                  GBytes                     *gold_labels)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyStore) store = NULL;
  g_autoptr (TallyTaskList) tasks = NULL;
  g_autoptr (TallyRequester) requester = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autofree char *store_path = tally_store_default_path ();
  g_autofree char *id = NULL;
  TallyUint256     budget, balance, task_id;

  if (!tally_label_task_params_budget (p, &budget))
    return tally_cli_usage_error (_ ("the task’s budget does not fit 256 bits"));
  if (!tally_cli_chain_token_balance (chain, &balance, &error))
    return tally_cli_failure ("%s", error->message);
  if (tally_uint256_cmp (&budget, &balance) > 0)
    {
      g_autofree char *need = tally_cli_chain_format (chain, &budget);
      g_autofree char *have = tally_cli_chain_format (chain, &balance);

      return tally_cli_failure (_ ("The task’s budget is %s but the wallet holds only %s"), need,
                                have);
    }

  if (!tally_cli_chain_sync (chain, &error) ||
      (store = tally_store_open (store_path, &error)) == NULL)
    return tally_cli_failure ("%s", error->message);
  tasks = tally_task_list_new (chain->log);
  requester = tally_requester_new (store, tasks, chain->manager);
  tally_requester_create_task_async (requester, p, uri, gold_indices, gold_labels, NULL,
                                     tally_cli_on_done, &result);
  if (!tally_requester_create_task_finish (requester, tally_cli_wait (&result), &task_id, &error))
    return tally_cli_failure ("%s", error->message);

  id = tally_uint256_to_decimal (&task_id);
  g_print (_ ("Task:        %s\n"), id);
  if (gold_indices != NULL)
    {
      g_autofree char *after = tally_cli_format_time (p->reveal_deadline);
      g_autofree char *until = tally_cli_format_time (p->review_reveal_deadline);

      g_print (ngettext ("Gold:        %u item, revealed by tally-cli run after %s and before %s\n",
                         "Gold:        %u items, revealed by tally-cli run after %s and before %s\n",
                         gold_indices->len),
               gold_indices->len, after, until);
    }
  return TALLY_CLI_EXIT_OK;
}

/* A private dataset's task names the account that grants its key; when
 * that is this one, the key must be in its keyring now, or no annotator
 * would ever get it. */
static int
choose_key_server (TallyLabelTaskParams *p,
                   TallyCliChain        *chain,
                   TallyManifest        *manifest,
                   const char           *key_server)
{
  g_autoptr (GError) error = NULL;
  guint8 key[TALLY_TASK_KEY_LEN];

  if (!tally_manifest_is_encrypted (manifest))
    {
      if (key_server != NULL)
        return tally_cli_usage_error (_ ("--key-server is for a private dataset, and this manifest "
                                         "is not encrypted"));
      return TALLY_CLI_EXIT_OK;
    }
  p->has_key_server = TRUE;
  if (key_server == NULL)
    p->key_server = chain->account;
  else if (!tally_address_parse (&p->key_server, key_server, &error))
    return tally_cli_usage_error ("--key-server: %s", error->message);
  if (!tally_address_equal (&p->key_server, &chain->account))
    return TALLY_CLI_EXIT_OK;
  if (!tally_task_key_lookup_sync (&chain->account, tally_manifest_get_key_hash (manifest), key,
                                   NULL, &error))
    return tally_cli_failure (_ ("This account is the task’s key server but its keyring does not "
                                 "hold the dataset’s key (%s): “tally-cli dataset import-key” "
                                 "puts it there"),
                              error->message);
  tally_wipe (key, sizeof key);
  return TALLY_CLI_EXIT_OK;
}

int
tally_cli_run_task_create (int    argc,
                           char **argv)
{
  g_auto (CreateOptions) o = {
    .reviewers = -1,
    .hours = { DEFAULT_PHASE_HOURS, DEFAULT_PHASE_HOURS, DEFAULT_PHASE_HOURS,
               DEFAULT_PHASE_HOURS },
  };
  const GOptionEntry options[] = {
    { "manifest", 0, 0, G_OPTION_ARG_STRING, &o.manifest,
      N_ ("The manifest: a local file or an http(s) URL (at most 4 MiB)"), N_ ("FILE_OR_URL") },
    { "manifest-uri", 0, 0, G_OPTION_ARG_STRING, &o.manifest_uri,
      N_ ("The URI the task names (default: the file’s file:// URI, or the URL)"), "URI" },
    { "replication", 0, 0, G_OPTION_ARG_INT, &o.replication,
      N_ ("Annotators per item (1 to 7)"), "R" },
    { "reviewers", 0, 0, G_OPTION_ARG_INT, &o.reviewers,
      N_ ("Reviewers per submission (0 to 3)"), "V" },
    { "reward", 0, 0, G_OPTION_ARG_STRING, &o.reward, N_ ("Tokens per label"), "X" },
    { "stake-per-item", 0, 0, G_OPTION_ARG_STRING, &o.stake_per_item,
      N_ ("Tokens an annotator stakes per item"), "Y" },
    { "review-reward", 0, 0, G_OPTION_ARG_STRING, &o.review_reward,
      N_ ("Tokens per reviewed item (required with reviewers)"), "Z" },
    { "slash-percent", 0, 0, G_OPTION_ARG_STRING, &o.slash_percent,
      N_ ("Share of the stake of a wrong label that is slashed (default 50)"), "P" },
    { "quorum-percent", 0, 0, G_OPTION_ARG_STRING, &o.quorum_percent,
      N_ ("Share of the seats that must agree on a label (default 50)"), "Q" },
    { "leave-fee", 0, 0, G_OPTION_ARG_STRING, &o.leave_fee,
      N_ ("Tokens an annotator pays to leave before committing (default 0)"), "F" },
    { "commit-hours", 0, 0, G_OPTION_ARG_INT, &o.hours[0],
      N_ ("Hours to join and commit (default 24)"), "H" },
    { "reveal-hours", 0, 0, G_OPTION_ARG_INT, &o.hours[1], N_ ("Hours to reveal (default 24)"),
      "H" },
    { "review-hours", 0, 0, G_OPTION_ARG_INT, &o.hours[2],
      N_ ("Hours to review and commit verdicts (default 24)"), "H" },
    { "review-reveal-hours", 0, 0, G_OPTION_ARG_INT, &o.hours[3],
      N_ ("Hours to reveal verdicts (default 24)"), "H" },
    { "items", 0, 0, G_OPTION_ARG_INT, &o.items,
      N_ ("Items: checked against the manifest’s"), "N" },
    { "classes", 0, 0, G_OPTION_ARG_INT, &o.classes,
      N_ ("Label classes: checked against the manifest’s"), "N" },
    { "gold", 0, 0, G_OPTION_ARG_FILENAME, &o.gold,
      N_ ("Reference items: a JSON object of item id to class name or number (from 1)"),
      N_ ("FILE") },
    { "key-server", 0, 0, G_OPTION_ARG_STRING, &o.key_server,
      N_ ("Of a private dataset: the account that grants its key to every seat (default: "
          "this account, whose keyring must hold the key)"),
      N_ ("ADDRESS") },
    { "min-gold-percent", 0, 0, G_OPTION_ARG_STRING, &o.min_gold_percent,
      N_ ("Share of the gold an annotator must get right, or all its labels count as wrong "
          "(default 80)"),
      "P" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_auto (TallyCliChain) chain = { 0 };
  g_autoptr (GBytes) manifest = NULL;
  g_autoptr (TallyManifest) parsed = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) gold_indices = NULL;
  g_autoptr (GBytes) gold_labels = NULL;
  g_autofree char     *uri = NULL;
  TallyLabelTaskParams p = { 0 };
  guint64              now = 0, deadline;
  int                  status;

  g_option_context_set_summary (context,
                                _ ("Create a labeling task as its requester: the budget is "
                                   "approved and escrowed, and the new task’s id printed. The "
                                   "manifest’s keccak-256 becomes the task’s manifest hash. "
                                   "With --gold, the reference items are committed now and "
                                   "revealed by “tally-cli run” after the reveal deadline: keep "
                                   "it running."));
  g_option_context_add_main_entries (context, options, GETTEXT_PACKAGE);
  if ((status = tally_cli_parse_options (context, &argc, &argv)) != TALLY_CLI_EXIT_OK)
    return status;
  if (argc != 1)
    return tally_cli_usage_error (_ ("unexpected argument “%s”"), argv[1]);
  if (o.manifest == NULL || o.replication == 0 || o.reviewers < 0 || o.reward == NULL ||
      o.stake_per_item == NULL)
    return tally_cli_usage_error (_ ("--manifest, --replication, --reviewers, --reward and "
                                     "--stake-per-item are required"));
  if (o.slash_percent == NULL)
    o.slash_percent = g_strdup ("50");
  if (o.quorum_percent == NULL)
    o.quorum_percent = g_strdup ("50");
  if (o.leave_fee == NULL)
    o.leave_fee = g_strdup ("0");
  if (o.min_gold_percent != NULL && o.gold == NULL)
    return tally_cli_usage_error (_ ("--min-gold-percent goes with --gold"));
  if (o.min_gold_percent == NULL)
    o.min_gold_percent = g_strdup (DEFAULT_MIN_GOLD_PERCENT);

  if ((status = tally_cli_chain_open (&chain, TALLY_CLI_CHAIN_ACCOUNT)) != TALLY_CLI_EXIT_OK)
    return status;
  if (!fill_params (&p, &chain, &o, &error))
    return tally_cli_usage_error ("%s", error->message);
  if ((status = load_manifest (&o, &manifest, &uri)) != TALLY_CLI_EXIT_OK)
    return status;

  /* Read as every annotator will read it, relative items against the URI
   * the task names. */
  if ((parsed = tally_manifest_new_from_bytes (manifest, uri, NULL, &error)) == NULL)
    return tally_cli_usage_error (_ ("the manifest %s cannot be used: %s"), o.manifest, error->message);
  p.item_count = tally_manifest_get_n_items (parsed);
  p.class_count = tally_manifest_get_n_label_classes (parsed);
  if (!check_count ("--items", o.items, p.item_count, &error) ||
      !check_count ("--classes", o.classes, p.class_count, &error))
    return tally_cli_usage_error ("%s", error->message);
  tally_keccak256 (p.manifest_hash, g_bytes_get_data (manifest, NULL),
                   g_bytes_get_size (manifest));
  if (o.gold != NULL && !read_gold (parsed, o.gold, &gold_indices, &gold_labels, &error))
    return tally_cli_usage_error ("%s", error->message);
  if (o.gold == NULL && p.replication < 2 && p.reviewers == 0)
    return tally_cli_usage_error (_ ("a task with one annotator per item needs reviewers or "
                                     "--gold: nothing else could tell a wrong label"));
  if ((status = choose_key_server (&p, &chain, parsed, o.key_server)) != TALLY_CLI_EXIT_OK)
    return status;

  if ((status = tally_cli_chain_open_signer (&chain)) != TALLY_CLI_EXIT_OK)
    return status;

  /* Deadlines by the chain's clock, which is what the contract checks. */
  if (!tally_cli_chain_now (&chain, &now, &error))
    return tally_cli_failure ("%s", error->message);
  deadline = now;
  p.commit_deadline = deadline += (guint64) o.hours[0] * 3600;
  p.reveal_deadline = deadline += (guint64) o.hours[1] * 3600;
  p.review_commit_deadline = deadline += (guint64) o.hours[2] * 3600;
  p.review_reveal_deadline = deadline += (guint64) o.hours[3] * 3600;

  return send_create_task (&chain, &p, uri, gold_indices, gold_labels);
}
