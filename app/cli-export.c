/* cli-export.c: tally-cli export — an annotator's labels and annotations
 * on a task, as COCO, YOLO, JSONL or CSV
 *
 * The work comes from the chain once revealed (anyone's), or from the
 * local store before (the account's own); the items and classes from the
 * task's manifest, fetched and checked against the chain's hash.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-cli"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cli.h"
#include "core-error.h"
#include "export.h"
#include "manifest-loader.h"
#include "store.h"
#include "task-list.h"

static const char *const format_names[] = { "coco", "yolo", "jsonl", "csv", NULL };

/* The annotator's labels and payload: revealed on chain, or in the store. */
static gboolean
find_work (TallyCliChain      *chain,
           TallyTask          *task,
           const TallyAddress *annotator,
           GBytes            **labels,
           GBytes            **payload,
           GError            **error)
{
  gint                 seat = tally_task_find_seat (task, annotator);
  const TallyTaskSeat *held = seat >= 0 ? tally_task_get_seat (task, (guint) seat) : NULL;
  g_autoptr (TallySubmissionRecord) record = NULL;
  g_autoptr (TallyStore) store = NULL;
  g_autofree char *path = NULL;

  if (held != NULL && held->state == TALLY_LABEL_SEAT_REVEALED && held->labels != NULL)
    {
      *labels = g_bytes_ref (held->labels);
      *payload = held->payload != NULL ? g_bytes_ref (held->payload) : NULL;
      return TRUE;
    }
  if (chain->has_account && tally_address_equal (annotator, &chain->account))
    {
      path = tally_store_default_path ();
      store = tally_store_open (path, error);
      if (store == NULL)
        return FALSE;
      record = tally_store_get_submission (store, tally_network_profile_get_chain_id (chain->profile),
                                           tally_network_profile_get_market_address (chain->profile),
                                           tally_task_get_id (task), annotator,
                                           TALLY_SUBMISSION_ANNOTATOR, 0, NULL);
      if (record != NULL && record->labels != NULL)
        {
          *labels = g_bytes_ref (record->labels);
          *payload = record->payload != NULL ? g_bytes_ref (record->payload) : NULL;
          return TRUE;
        }
    }
  g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND,
               _ ("There are no labels of this annotator on the task to export"));
  return FALSE;
}

/* The annotations as the export needs them: item sizes from the manifest
 * (boxes are checked against them), then the work. */
static TallyAnnotations *
build_annotations (TallyManifest *manifest,
                   GBytes        *labels,
                   GBytes        *payload,
                   GError       **error)
{
  guint n = tally_manifest_get_n_items (manifest);
  g_autoptr (TallyAnnotations) annotations =
    tally_annotations_new (n, tally_manifest_get_n_label_classes (manifest));

  for (guint i = 0; i < n; i++)
    {
      const TallyManifestItem *item = tally_manifest_get_item (manifest, i);

      if (item->width > 0 &&
          !tally_annotations_set_image_size (annotations, i, item->width, item->height, error))
        return NULL;
    }
  if (!tally_annotations_restore (annotations, labels, payload, error))
    return NULL;
  return g_steal_pointer (&annotations);
}

static int
run_export (int    argc,
            char **argv)
{
  g_autofree char   *format_text = NULL;
  g_autofree char   *out = NULL;
  g_autofree char   *annotator_text = NULL;
  const GOptionEntry options[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_text, N_ ("coco, yolo, jsonl or csv"), N_ ("FORMAT") },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out,
      N_ ("The file to write (a folder for yolo)"), N_ ("PATH") },
    { "annotator", 0, 0, G_OPTION_ARG_STRING, &annotator_text,
      N_ ("Whose work (default: the account’s own)"), N_ ("ADDRESS") },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (_ ("ID"));
  g_auto (TallyCliChain) chain = { 0 };
  g_autoptr (TallyTaskList) tasks = NULL;
  g_autoptr (TallyManifest) manifest = NULL;
  g_autoptr (TallyAnnotations) annotations = NULL;
  g_autoptr (GBytes) labels = NULL;
  g_autoptr (GBytes) payload = NULL;
  g_autoptr (GPtrArray) file_names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) class_names = g_ptr_array_new ();
  g_autoptr (GArray) items = g_array_new (FALSE, TRUE, sizeof (TallyExportItem));
  g_autoptr (GFile) target = NULL;
  g_autoptr (GError) error = NULL;
  GAsyncResult *result = NULL;
  TallyAddress  annotator;
  TallyUint256  id;
  TallyTask    *task;
  guint         format = 0;
  int           status;

  g_option_context_set_summary (context, _ ("Write an annotator’s labels and annotations on a "
                                            "task as COCO, YOLO, JSONL or CSV."));
  g_option_context_add_main_entries (context, options, GETTEXT_PACKAGE);
  if ((status = tally_cli_parse_options (context, &argc, &argv)) != TALLY_CLI_EXIT_OK)
    return status;
  if (argc != 2 || format_text == NULL || out == NULL)
    return tally_cli_usage_error (_ ("export takes a task id, --format FORMAT and --out PATH"));
  while (format_names[format] != NULL && !g_str_equal (format_names[format], format_text))
    format++;
  if (format_names[format] == NULL)
    return tally_cli_usage_error (_ ("--format is one of coco, yolo, jsonl and csv"));
  if (!tally_cli_parse_task_id (&id, argv[1], &error) ||
      (annotator_text != NULL && !tally_address_parse (&annotator, annotator_text, &error)))
    return tally_cli_usage_error ("%s", error->message);
  if (annotator_text == NULL && !tally_cli_chain_has_account_option ())
    return tally_cli_usage_error (_ ("export needs --annotator, or an account (its own work)"));
  if ((status = tally_cli_chain_open (&chain, annotator_text == NULL ? TALLY_CLI_CHAIN_ACCOUNT
                                                                     : TALLY_CLI_CHAIN_READ)) !=
      TALLY_CLI_EXIT_OK)
    return status;
  if (annotator_text == NULL)
    annotator = chain.account;
  if (!tally_cli_chain_sync (&chain, &error))
    return tally_cli_failure ("%s", error->message);
  tasks = tally_task_list_new (chain.log);
  if ((task = tally_task_list_lookup (tasks, &id)) == NULL)
    return tally_cli_failure (_ ("The market has no task %s"), argv[1]);

  tally_manifest_load_async (tally_task_get_manifest_uri (task),
                             tally_task_get_params (task)->manifest_hash, NULL, NULL,
                             tally_cli_on_done, &result);
  manifest = tally_manifest_load_finish (tally_cli_wait (&result), &error);
  g_clear_object (&result);
  if (manifest == NULL)
    return tally_cli_failure ("%s", error->message);
  if (tally_manifest_get_n_items (manifest) != tally_task_get_params (task)->item_count ||
      tally_manifest_get_n_label_classes (manifest) != tally_task_get_params (task)->class_count)
    return tally_cli_failure (_ ("The manifest of task %s does not have the task’s items and classes"),
                              argv[1]);
  if (!find_work (&chain, task, &annotator, &labels, &payload, &error) ||
      (annotations = build_annotations (manifest, labels, payload, &error)) == NULL)
    return tally_cli_failure ("%s", error->message);

  for (guint i = 0; i < tally_manifest_get_n_items (manifest); i++)
    {
      const TallyManifestItem *item = tally_manifest_get_item (manifest, i);
      g_autoptr (GUri) uri = g_uri_parse (item->uri, G_URI_FLAGS_NONE, NULL);
      TallyExportItem entry = { 0 };

      g_ptr_array_add (file_names, g_path_get_basename (uri != NULL ? g_uri_get_path (uri) : item->id));
      entry.id = item->id;
      entry.file_name = g_ptr_array_index (file_names, i);
      entry.kind = item->kind == TALLY_MANIFEST_ITEM_IMAGE ? TALLY_EXPORT_ITEM_IMAGE : TALLY_EXPORT_ITEM_TEXT;
      entry.width = item->width;
      entry.height = item->height;
      g_array_append_val (items, entry);
    }
  for (guint c = 0; c < tally_manifest_get_n_label_classes (manifest); c++)
    g_ptr_array_add (class_names, (gpointer) tally_manifest_get_label_class (manifest, c)->name);
  g_ptr_array_add (class_names, NULL);

  target = g_file_new_for_commandline_arg (out);
  if (!tally_export_write (annotations, (TallyExportFormat) format, (TallyExportItem *) items->data,
                           items->len, (const char *const *) class_names->pdata, target, NULL, &error))
    return tally_cli_failure ("%s", error->message);
  g_print (_ ("Exported %u items of task %s as %s to %s\n"), items->len, argv[1], format_text, out);
  return TALLY_CLI_EXIT_OK;
}

const TallyCliCommand tally_cli_export_commands[] = {
  { "export", "ID --format coco|yolo|jsonl|csv --out PATH [--annotator ADDRESS]",
    N_ ("Write labels and annotations as COCO, YOLO, JSONL or CSV"), run_export },
  { NULL }
};
