/* cli-fetch.c: tally-cli fetch — a task's manifest and every item it lists,
 * fetched, verified against the hashes the manifest gives and kept in the
 * item cache, so labeling can start offline and without waiting
 *
 * The manifest is checked against the hash the chain holds, the items
 * against the manifest: nothing that is not the requester's data reaches
 * the cache (TallyItemFetcher stores only verified bytes, by rename). Each
 * item is first looked up in the cache itself, so the summary can tell what
 * was already there; a miss goes to the fetcher, which looks again and
 * downloads. A bounded window of items is in progress at once, so memory
 * stays flat however many items a run covers. The local store learns the
 * task and every verified item (written on worker threads, so a slow disk
 * does not hold the downloads up). A private task's items are ciphertext
 * and are kept as such: fetching never needs the task key.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-cli"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "cli.h"
#include "core-error.h"
#include "item-cache.h"
#include "item-fetcher.h"
#include "manifest-loader.h"
#include "store-meta.h"
#include "task-list.h"
#include "wallet/tally-wallet.h"

#define DEFAULT_JOBS 4
#define MAX_JOBS     64

typedef struct
{
  TallyItemCache   *cache;
  TallyItemFetcher *fetcher;
  TallyStore       *store;
  guint64           chain_id;
  TallyAddress      market;
  gboolean          progress;
  gboolean          prefix; /* progress lines name the task (--all) */
  guint             window; /* items looked up, fetched or recorded at once */
} Fetch;

static void
fetch_clear (Fetch *fetch)
{
  g_clear_object (&fetch->fetcher);
  g_clear_object (&fetch->cache);
  g_clear_object (&fetch->store);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Fetch, fetch_clear)

/* One task's items in flight. */
typedef struct
{
  Fetch         *fetch;
  TallyTask     *task;
  char          *id; /* decimal */
  TallyManifest *manifest;
  guint          n_items;
  guint          next;
  guint          running;
  guint          finished;
  guint          fetched;
  guint          cached;
  guint64        bytes;
  GError        *error; /* the first item that failed, with its name */
  guint          n_failed;
  gboolean       ok;       /* every item verified and recorded */
  gboolean       recorded; /* the store already lists every item as cached */
} TaskRun;

static void
task_run_free (TaskRun *run)
{
  g_clear_object (&run->task);
  g_clear_object (&run->manifest);
  g_clear_error (&run->error);
  g_free (run->id);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TaskRun, task_run_free)

typedef struct
{
  TaskRun *run;
  guint    index;
  gboolean from_cache;
} ItemOp;

/* What a worker thread writes to the store for one verified item. */
typedef struct
{
  TallyStore  *store;
  guint64      chain_id;
  TallyAddress market;
  TallyUint256 task_id;
  guint        index;
  char        *item_id;
  guint8       sha256[TALLY_ITEM_SHA256_LEN];
  guint64      size;
} Record;

static void
record_free (gpointer data)
{
  Record *record = data;

  g_clear_object (&record->store);
  g_free (record->item_id);
  g_free (record);
}

static void start_items (TaskRun *run);

static void
item_done (ItemOp *op)
{
  TaskRun *run = op->run;

  g_free (op);
  run->running--;
  run->finished++;
  start_items (run);
}

/* Keeps the first failure, named after its item; later ones are counted. */
static void
item_failed (ItemOp *op,
             GError *error)
{
  TaskRun                 *run = op->run;
  const TallyManifestItem *item = tally_manifest_get_item (run->manifest, op->index);

  run->n_failed++;
  if (run->error == NULL)
    {
      g_prefix_error (&error, _ ("Task %s, item %u (“%s”): "), run->id, item->index, item->id);
      run->error = error;
    }
  else
    g_error_free (error);
  item_done (op);
}

static void
record_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  Record *record = task_data;
  GError *error = NULL;

  if (!tally_store_put_item (record->store, record->chain_id, &record->market, &record->task_id,
                             record->index, record->item_id, record->sha256, record->size, TRUE,
                             &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
print_progress (ItemOp *op)
{
  TaskRun                 *run = op->run;
  const TallyManifestItem *item = tally_manifest_get_item (run->manifest, op->index);
  g_autofree char         *size = g_format_size (item->size);
  g_autofree char         *task = NULL;

  if (!run->fetch->progress)
    return;
  if (run->fetch->prefix)
    task = g_strdup_printf (_ ("Task %s: "), run->id);
  g_printerr (op->from_cache ? _ ("%s[%u/%u] %s: %s, verified in the cache\n")
                             : _ ("%s[%u/%u] %s: %s, downloaded and verified\n"),
              task != NULL ? task : "", run->finished + 1, run->n_items, item->id, size);
}

static void
item_verified (ItemOp *op)
{
  TaskRun                 *run = op->run;
  const TallyManifestItem *item = tally_manifest_get_item (run->manifest, op->index);

  if (op->from_cache)
    run->cached++;
  else
    run->fetched++;
  run->bytes += item->size;
  print_progress (op);
  item_done (op);
}

static void
on_recorded (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  ItemOp *op = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    item_failed (op, error);
  else
    item_verified (op);
}

/* The item is verified and in the cache: the store learns it. */
static void
record_item (ItemOp *op)
{
  TaskRun                 *run = op->run;
  const TallyManifestItem *item = tally_manifest_get_item (run->manifest, op->index);
  g_autoptr (GTask) task = g_task_new (NULL, NULL, on_recorded, op);
  Record *record = g_new0 (Record, 1);

  g_task_set_source_tag (task, record_item);
  record->store = g_object_ref (run->fetch->store);
  record->chain_id = run->fetch->chain_id;
  record->market = run->fetch->market;
  record->task_id = *tally_task_get_id (run->task);
  record->index = op->index;
  record->item_id = g_strdup (item->id);
  memcpy (record->sha256, item->sha256, TALLY_ITEM_SHA256_LEN);
  record->size = item->size;
  g_task_set_task_data (task, record, record_free);
  g_task_run_in_thread (task, record_in_thread);
}

static void
on_fetched (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  ItemOp                  *op = user_data;
  TaskRun                 *run = op->run;
  const TallyManifestItem *item = tally_manifest_get_item (run->manifest, op->index);
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *path = NULL;
  GError          *error = NULL;

  bytes = tally_item_fetcher_fetch_finish (TALLY_ITEM_FETCHER (source), result, &error);
  if (bytes == NULL)
    {
      item_failed (op, error);
      return;
    }
  /* The fetcher hands verified bytes back even when the disk refused them;
   * the store must not claim an item the cache does not hold. */
  path = tally_item_cache_get_path (run->fetch->cache, item->sha256);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      item_failed (op, g_error_new (TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE,
                                    _ ("verified, but could not be written to the item cache "
                                       "%s"),
                                    tally_item_cache_get_directory (run->fetch->cache)));
      return;
    }
  record_item (op);
}

static void
on_looked_up (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ItemOp                  *op = user_data;
  TaskRun                 *run = op->run;
  const TallyManifestItem *item = tally_manifest_get_item (run->manifest, op->index);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;

  bytes = tally_item_cache_lookup_finish (TALLY_ITEM_CACHE (source), result, &error);
  if (bytes != NULL)
    {
      op->from_cache = TRUE;
      /* Each store write is a sync to disk: a hit the store already knows
       * needs none. */
      if (run->recorded)
        item_verified (op);
      else
        record_item (op);
      return;
    }
  /* An unreadable cache is the fetcher's to report when it stores. */
  if (error != NULL)
    g_debug ("Cache lookup of %s failed: %s", item->id, error->message);
  tally_item_fetcher_fetch_async (run->fetch->fetcher, item->uri, item->sha256, item->size,
                                  G_PRIORITY_DEFAULT, NULL, on_fetched, op);
}

static void
start_items (TaskRun *run)
{
  while (run->next < run->n_items && run->running < run->fetch->window)
    {
      ItemOp                  *op = g_new0 (ItemOp, 1);
      const TallyManifestItem *item;

      op->run = run;
      op->index = run->next++;
      run->running++;
      item = tally_manifest_get_item (run->manifest, op->index);
      tally_item_cache_lookup_async (run->fetch->cache, item->sha256, item->size, NULL,
                                     on_looked_up, op);
    }
}

/* The manifest the chain committed to, and the store told about the task. */
static gboolean
load_manifest (Fetch   *fetch,
               TaskRun *run,
               GError **error)
{
  const TallyLabelTaskParams *p = tally_task_get_params (run->task);
  g_autoptr (GAsyncResult) result = NULL;
  TallyStoreTask record = { 0 };
  GError        *local_error = NULL;
  guint          n_cached;

  tally_manifest_load_async (tally_task_get_manifest_uri (run->task), p->manifest_hash,
                             tally_item_fetcher_get_ipfs_gateway (fetch->fetcher), NULL,
                             tally_cli_on_done, &result);
  run->manifest = tally_manifest_load_finish (tally_cli_wait (&result), error);
  if (run->manifest == NULL)
    {
      g_prefix_error (error, _ ("Task %s: its manifest %s could not be used: "), run->id,
                      tally_task_get_manifest_uri (run->task));
      return FALSE;
    }
  run->n_items = tally_manifest_get_n_items (run->manifest);
  if (run->n_items != p->item_count)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST,
                   _ ("Task %s: its manifest lists %u items, but the task on chain has %u"),
                   run->id, run->n_items, p->item_count);
      return FALSE;
    }

  record.chain_id = fetch->chain_id;
  record.market = fetch->market;
  record.task_id = *tally_task_get_id (run->task);
  record.manifest_uri = (char *) tally_task_get_manifest_uri (run->task);
  memcpy (record.manifest_hash, p->manifest_hash, sizeof record.manifest_hash);
  record.title = (char *) tally_manifest_get_title (run->manifest);
  record.item_count = run->n_items;
  record.is_private = tally_task_is_private (run->task) ||
                      tally_manifest_is_encrypted (run->manifest);
  if (!tally_store_put_task (fetch->store, &record, error))
    {
      g_prefix_error (error, _ ("Task %s: "), run->id);
      return FALSE;
    }
  /* The same manifest keeps its items' rows (put_task drops them when the
   * hash changes). */
  n_cached = tally_store_count_cached_items (fetch->store, fetch->chain_id, &fetch->market,
                                             &record.task_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_prefixed_error (error, local_error, _ ("Task %s: "), run->id);
      return FALSE;
    }
  run->recorded = n_cached == run->n_items;
  return TRUE;
}

/* Every item of the task verified into the cache, or the first failure. */
static gboolean
fetch_task (Fetch   *fetch,
            TaskRun *run,
            GError **error)
{
  if (!load_manifest (fetch, run, error))
    return FALSE;

  start_items (run);
  while (run->finished < run->n_items)
    g_main_context_iteration (NULL, TRUE);

  if (run->error != NULL)
    {
      if (run->n_failed > 1)
        g_prefix_error (&run->error, _ ("%u items failed, the first: "), run->n_failed);
      g_propagate_error (error, g_steal_pointer (&run->error));
      return FALSE;
    }
  run->ok = TRUE;
  return TRUE;
}

static void
add_id (JsonBuilder        *builder,
        const TallyUint256 *id)
{
  guint64 small;

  json_builder_set_member_name (builder, "task");
  if (tally_uint256_to_uint64 (&small, id) && small <= G_MAXINT64)
    json_builder_add_int_value (builder, (gint64) small);
  else
    {
      g_autofree char *text = tally_uint256_to_decimal (id);

      json_builder_add_string_value (builder, text);
    }
}

static void
add_summary (JsonBuilder *builder,
             TaskRun     *run)
{
  json_builder_begin_object (builder);
  add_id (builder, tally_task_get_id (run->task));
  json_builder_set_member_name (builder, "items");
  json_builder_add_int_value (builder, run->n_items);
  json_builder_set_member_name (builder, "bytes");
  json_builder_add_int_value (builder, (gint64) run->bytes);
  json_builder_set_member_name (builder, "fetched");
  json_builder_add_int_value (builder, run->fetched);
  json_builder_set_member_name (builder, "cached");
  json_builder_add_int_value (builder, run->cached);
  json_builder_end_object (builder);
}

static void
print_summary (const char *prefix,
               guint       items,
               guint64     bytes,
               guint       cached)
{
  g_autofree char *size = g_format_size (bytes);

  g_print (g_dngettext (GETTEXT_PACKAGE, "%s%u item verified (%s), %u from the cache\n",
                        "%s%u items verified (%s), %u from the cache\n", items),
           prefix, items, size, cached);
}

/* The tasks to fetch: the one named, or every task open for labeling. */
static int
select_tasks (TallyCliChain *chain,
              const char    *id_text,
              GPtrArray     *selected)
{
  g_autoptr (TallyTaskList) tasks = NULL;
  g_autoptr (GError) error = NULL;
  TallyUint256 id;
  guint64      now = 0;

  if (id_text != NULL && !tally_cli_parse_task_id (&id, id_text, &error))
    return tally_cli_usage_error ("%s", error->message);
  if (!tally_cli_chain_sync (chain, &error) || !tally_cli_chain_now (chain, &now, &error))
    return tally_cli_failure ("%s", error->message);
  tasks = tally_task_list_new (chain->log);

  if (id_text != NULL)
    {
      TallyTask *task = tally_task_list_lookup (tasks, &id);

      if (task == NULL)
        return tally_cli_failure (_ ("The market has no task %s"), id_text);
      g_ptr_array_add (selected, g_object_ref (task));
      return TALLY_CLI_EXIT_OK;
    }
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (tasks)); i++)
    {
      g_autoptr (TallyTask) task = g_list_model_get_item (G_LIST_MODEL (tasks), i);

      if (tally_task_get_phase (task, now) == TALLY_TASK_PHASE_LABELING)
        g_ptr_array_add (selected, g_steal_pointer (&task));
    }
  return TALLY_CLI_EXIT_OK;
}

static int
run_fetch (int    argc,
           char **argv)
{
  gboolean           all = FALSE, json = FALSE, verbose = FALSE;
  g_autofree char   *cache_dir = NULL;
  int                jobs = DEFAULT_JOBS;
  const GOptionEntry options[] = {
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_ ("Every task open for labeling"), NULL },
    { "cache", 0, 0, G_OPTION_ARG_FILENAME, &cache_dir,
      N_ ("The item cache (default: $XDG_CACHE_HOME/tally/items)"), N_ ("DIR") },
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, N_ ("Downloads at once (default 4)"), N_ ("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print JSON"), NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
      N_ ("A line per item on stderr (the default on a terminal)"), NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (_ ("ID | --all"));
  g_auto (TallyCliChain) chain = { 0 };
  g_auto (Fetch) fetch = { 0 };
  g_autoptr (GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) runs = g_ptr_array_new_with_free_func ((GDestroyNotify) task_run_free);
  g_autoptr (GPtrArray) failures = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *store_path = NULL;
  guint            total_items = 0, total_cached = 0;
  guint64          total_bytes = 0;
  gboolean         ok;
  int              status;

  g_option_context_set_summary (
    context, _ ("Fetch a task’s items (or those of every task open for labeling), verify each "
                "against its manifest and keep them in the item cache."));
  g_option_context_add_main_entries (context, options, GETTEXT_PACKAGE);
  if ((status = tally_cli_parse_options (context, &argc, &argv)) != TALLY_CLI_EXIT_OK)
    return status;
  if (all ? argc != 1 : argc != 2)
    return tally_cli_usage_error (_ ("fetch takes a task id, or --all"));
  if (jobs < 1 || jobs > MAX_JOBS)
    return tally_cli_usage_error (_ ("--jobs must be from 1 to %d"), MAX_JOBS);

  if ((status = tally_cli_chain_open (&chain, TALLY_CLI_CHAIN_READ)) != TALLY_CLI_EXIT_OK ||
      (status = select_tasks (&chain, all ? NULL : argv[1], tasks)) != TALLY_CLI_EXIT_OK)
    return status;

  store_path = tally_store_default_path ();
  if ((fetch.store = tally_store_open (store_path, &error)) == NULL)
    return tally_cli_failure ("%s", error->message);
  if (cache_dir == NULL)
    cache_dir = g_build_filename (g_get_user_cache_dir (), "tally", "items", NULL);
  /* No budget: the user asked for all of these items to be at hand. */
  fetch.cache = tally_item_cache_new (cache_dir, 0);
  fetch.fetcher = tally_item_fetcher_new (fetch.cache);
  tally_item_fetcher_set_max_concurrent (fetch.fetcher, (guint) jobs);
  fetch.chain_id = tally_network_profile_get_chain_id (chain.profile);
  fetch.market = *tally_network_profile_get_market_address (chain.profile);
  fetch.progress = verbose || isatty (STDOUT_FILENO);
  fetch.prefix = all;
  /* Lookups and store writes overlap the downloads. */
  fetch.window = 2 * (guint) jobs;

  for (guint i = 0; i < tasks->len; i++)
    {
      TaskRun *run = g_new0 (TaskRun, 1);

      run->fetch = &fetch;
      run->task = g_object_ref (g_ptr_array_index (tasks, i));
      run->id = tally_uint256_to_decimal (tally_task_get_id (run->task));
      g_ptr_array_add (runs, run);
      ok = fetch_task (&fetch, run, &error);
      /* Only the counts outlive the task: memory stays flat over --all. */
      g_clear_object (&run->manifest);
      if (!ok)
        {
          g_ptr_array_add (failures, g_steal_pointer (&error));
          continue;
        }
      total_items += run->n_items;
      total_bytes += run->bytes;
      total_cached += run->cached;
    }

  /* What succeeded is reported even when another task of --all failed. */
  if (json)
    {
      if (all)
        json_builder_begin_array (builder);
      for (guint i = 0; i < runs->len; i++)
        {
          TaskRun *run = g_ptr_array_index (runs, i);

          if (run->ok)
            add_summary (builder, run);
        }
      if (all)
        json_builder_end_array (builder);
      if (failures->len == 0 || all)
        tally_cli_json_print (builder);
    }
  else
    {
      for (guint i = 0; all && i < runs->len; i++)
        {
          TaskRun         *run = g_ptr_array_index (runs, i);
          g_autofree char *prefix = g_strdup_printf (_ ("Task %s: "), run->id);

          if (run->ok)
            print_summary (prefix, run->n_items, run->bytes, run->cached);
        }
      if (all && tasks->len == 0)
        g_print (_ ("No task is open for labeling\n"));
      if (failures->len == 0)
        print_summary ("", total_items, total_bytes, total_cached);
    }

  for (guint i = 0; i < failures->len; i++)
    tally_cli_failure ("%s", ((GError *) g_ptr_array_index (failures, i))->message);
  return failures->len == 0 ? TALLY_CLI_EXIT_OK : TALLY_CLI_EXIT_FAILED;
}

const TallyCliCommand tally_cli_fetch_commands[] = {
  { "fetch", "ID | --all [--json]",
    N_ ("Fetch and verify a task’s items into the item cache"), run_fetch },
  { NULL },
};
