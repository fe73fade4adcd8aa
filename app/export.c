/* export.c: a task's annotations as the files other tools read: COCO JSON
 * and YOLO text for boxes, JSON Lines for classes and spans, CSV for classes
 *
 * Each export is built in memory first, as a list of files, then written:
 * nothing is written when the annotations cannot be exported, and the
 * writing can move to a thread without touching the model. Numbers go
 * through json-glib or g_ascii_formatd(), so a German locale still gets
 * "0.500000", not "0,500000".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "core-error.h"
#include "export.h"

typedef struct
{
  char   *name; /* relative to a YOLO directory, or NULL for the target itself */
  GBytes *contents;
} ExportFile;

typedef struct
{
  GFile     *target;
  gboolean   is_directory;
  GPtrArray *files; /* ExportFile */
} ExportJob;

static void
export_file_free (gpointer data)
{
  ExportFile *file = data;

  g_free (file->name);
  g_bytes_unref (file->contents);
  g_free (file);
}

static void
export_job_free (ExportJob *job)
{
  g_clear_object (&job->target);
  g_clear_pointer (&job->files, g_ptr_array_unref);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExportJob, export_job_free)

static void
add_file (GPtrArray  *files,
          const char *name,
          GString    *contents)
{
  ExportFile *file = g_new0 (ExportFile, 1);

  file->name = g_strdup (name);
  file->contents = g_string_free_to_bytes (contents);
  g_ptr_array_add (files, file);
}

/* Image items with boxes need their size, and boxes inside it: both the
 * COCO area and the YOLO normalisation depend on it. */
static gboolean
check_image_boxes (TallyAnnotations      *annotations,
                   guint                  item,
                   const TallyExportItem *info,
                   GError               **error)
{
  guint           n_boxes;
  const TallyBox *boxes = tally_annotations_get_boxes (annotations, item, &n_boxes);

  if (n_boxes == 0)
    return TRUE;

  if (info->width == 0 || info->height == 0)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                   "Item “%s” has boxes but its image size is not known", info->id);
      return FALSE;
    }

  for (guint b = 0; b < n_boxes; b++)
    if ((guint64) boxes[b].x + boxes[b].width > info->width ||
        (guint64) boxes[b].y + boxes[b].height > info->height)
      {
        g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                     "Item “%s”: box %u lies outside the %u × %u image", info->id, b + 1,
                     info->width, info->height);
        return FALSE;
      }

  return TRUE;
}

static GString *
to_json (JsonNode *root)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  return g_string_new (text);
}

static gboolean
build_coco (TallyAnnotations      *annotations,
            const TallyExportItem *items,
            const char *const     *class_names,
            GPtrArray             *files,
            GError               **error)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  guint    n_items = tally_annotations_get_n_items (annotations);
  guint    class_count = tally_annotations_get_class_count (annotations);
  gint64   annotation_id = 1;
  GString *text;

  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "images");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_items; i++)
    {
      if (items[i].kind != TALLY_EXPORT_ITEM_IMAGE)
        continue;
      if (!check_image_boxes (annotations, i, &items[i], error))
        return FALSE;

      /* COCO ids are integers: the item's position, from 1. */
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, i + 1);
      json_builder_set_member_name (builder, "file_name");
      json_builder_add_string_value (builder, items[i].file_name);
      json_builder_set_member_name (builder, "width");
      json_builder_add_int_value (builder, items[i].width);
      json_builder_set_member_name (builder, "height");
      json_builder_add_int_value (builder, items[i].height);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "annotations");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_items; i++)
    {
      guint           n_boxes;
      const TallyBox *boxes = tally_annotations_get_boxes (annotations, i, &n_boxes);

      if (items[i].kind != TALLY_EXPORT_ITEM_IMAGE)
        continue;

      for (guint b = 0; b < n_boxes; b++)
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_int_value (builder, annotation_id++);
          json_builder_set_member_name (builder, "image_id");
          json_builder_add_int_value (builder, i + 1);
          json_builder_set_member_name (builder, "category_id");
          json_builder_add_int_value (builder, boxes[b].class_id);
          json_builder_set_member_name (builder, "bbox");
          json_builder_begin_array (builder);
          json_builder_add_int_value (builder, boxes[b].x);
          json_builder_add_int_value (builder, boxes[b].y);
          json_builder_add_int_value (builder, boxes[b].width);
          json_builder_add_int_value (builder, boxes[b].height);
          json_builder_end_array (builder);
          json_builder_set_member_name (builder, "area");
          json_builder_add_int_value (builder, (gint64) boxes[b].width * boxes[b].height);
          json_builder_set_member_name (builder, "iscrowd");
          json_builder_add_int_value (builder, 0);
          json_builder_end_object (builder);
        }
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "categories");
  json_builder_begin_array (builder);
  for (guint c = 1; c <= class_count; c++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, c);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, class_names[c - 1]);
      json_builder_set_member_name (builder, "supercategory");
      json_builder_add_string_value (builder, "");
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  text = to_json (root);
  g_string_append_c (text, '\n');
  add_file (files, NULL, text);
  return TRUE;
}

static gboolean
is_plain_file_name (const char *name)
{
  return name[0] != '\0' && strcmp (name, ".") != 0 && strcmp (name, "..") != 0 &&
         strchr (name, '/') == NULL && strchr (name, '\\') == NULL &&
         g_utf8_validate (name, -1, NULL);
}

static void
append_coordinate (GString *line,
                   double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_c (line, ' ');
  g_string_append (line, g_ascii_formatd (buffer, sizeof buffer, "%.6f", value));
}

static gboolean
build_yolo (TallyAnnotations      *annotations,
            const TallyExportItem *items,
            const char *const     *class_names,
            GPtrArray             *files,
            GError               **error)
{
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  guint    n_items = tally_annotations_get_n_items (annotations);
  guint    class_count = tally_annotations_get_class_count (annotations);
  GString *classes = g_string_new (NULL);

  for (guint c = 0; c < class_count; c++)
    {
      if (strpbrk (class_names[c], "\r\n") != NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "Class %u’s name has a line break, which classes.txt cannot hold", c + 1);
          g_string_free (classes, TRUE);
          return FALSE;
        }
      g_string_append_printf (classes, "%s\n", class_names[c]);
    }
  add_file (files, "classes.txt", classes);

  for (guint i = 0; i < n_items; i++)
    {
      g_autofree char *name = NULL;
      guint            n_boxes;
      const TallyBox  *boxes = tally_annotations_get_boxes (annotations, i, &n_boxes);
      GString         *lines;

      if (items[i].kind != TALLY_EXPORT_ITEM_IMAGE)
        continue;

      /* The id becomes a file name inside the directory: it must not
       * reach outside it, replace classes.txt or another item's file. */
      if (!is_plain_file_name (items[i].id) || strcmp (items[i].id, "classes") == 0 ||
          !g_hash_table_add (names, (gpointer) items[i].id))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
                       "Item id “%s” cannot name a YOLO label file", items[i].id);
          return FALSE;
        }
      if (!check_image_boxes (annotations, i, &items[i], error))
        return FALSE;

      lines = g_string_new (NULL);
      for (guint b = 0; b < n_boxes; b++)
        {
          double width = items[i].width, height = items[i].height;

          g_string_append_printf (lines, "%u", boxes[b].class_id - 1u);
          append_coordinate (lines, (boxes[b].x + boxes[b].width / 2.0) / width);
          append_coordinate (lines, (boxes[b].y + boxes[b].height / 2.0) / height);
          append_coordinate (lines, boxes[b].width / width);
          append_coordinate (lines, boxes[b].height / height);
          g_string_append_c (lines, '\n');
        }

      name = g_strconcat (items[i].id, ".txt", NULL);
      add_file (files, name, lines);
    }

  return TRUE;
}

static gboolean
build_jsonl (TallyAnnotations      *annotations,
             const TallyExportItem *items,
             const char *const     *class_names,
             GPtrArray             *files,
             GError               **error)
{
  guint    n_items = tally_annotations_get_n_items (annotations);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;
      guint8           label = tally_annotations_get_label (annotations, i);
      guint            n_spans;
      const TallySpan *spans = tally_annotations_get_spans (annotations, i, &n_spans);
      glong            text_length = -1;
      GString         *line;

      if (items[i].text != NULL)
        text_length = g_utf8_strlen (items[i].text, -1);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, items[i].id);
      json_builder_set_member_name (builder, "label");
      if (label != 0)
        json_builder_add_string_value (builder, class_names[label - 1]);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "skipped");
      json_builder_add_boolean_value (builder, tally_annotations_get_skipped (annotations, i));
      json_builder_set_member_name (builder, "flagged");
      json_builder_add_boolean_value (builder, tally_annotations_get_flagged (annotations, i));
      json_builder_set_member_name (builder, "spans");
      json_builder_begin_array (builder);
      for (guint s = 0; s < n_spans; s++)
        {
          if (text_length >= 0 && spans[s].end > (gulong) text_length)
            {
              g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                           "Item “%s”: span %u runs past the end of its text", items[i].id,
                           s + 1);
              g_string_free (text, TRUE);
              return FALSE;
            }

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "start");
          json_builder_add_int_value (builder, spans[s].start);
          json_builder_set_member_name (builder, "end");
          json_builder_add_int_value (builder, spans[s].end);
          json_builder_set_member_name (builder, "class");
          json_builder_add_string_value (builder, class_names[spans[s].class_id - 1]);
          /* The covered words, so the file reads without the dataset. */
          if (text_length >= 0)
            {
              g_autofree char *covered = g_utf8_substring (items[i].text, spans[s].start,
                                                           spans[s].end);

              json_builder_set_member_name (builder, "text");
              json_builder_add_string_value (builder, covered);
            }
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);

      root = json_builder_get_root (builder);
      line = to_json (root);
      g_string_append_len (text, line->str, line->len);
      g_string_append_c (text, '\n');
      g_string_free (line, TRUE);
    }

  add_file (files, NULL, text);
  return TRUE;
}

/* RFC 4180: a field with a comma, a quote or a line break is quoted, and
 * quotes inside are doubled. */
static void
append_csv_field (GString    *out,
                  const char *field)
{
  if (strpbrk (field, ",\"\r\n") == NULL)
    {
      g_string_append (out, field);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = field; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static gboolean
build_csv (TallyAnnotations      *annotations,
           const TallyExportItem *items,
           const char *const     *class_names,
           GPtrArray             *files,
           GError               **error)
{
  guint    n_items = tally_annotations_get_n_items (annotations);
  GString *text = g_string_new ("id,label\r\n");

  for (guint i = 0; i < n_items; i++)
    {
      guint8 label = tally_annotations_get_label (annotations, i);

      append_csv_field (text, items[i].id);
      g_string_append_c (text, ',');
      append_csv_field (text, label != 0 ? class_names[label - 1] : "");
      g_string_append (text, "\r\n");
    }

  add_file (files, NULL, text);
  return TRUE;
}

static ExportJob *
build_job (TallyAnnotations      *annotations,
           TallyExportFormat      format,
           const TallyExportItem *items,
           const char *const     *class_names,
           GFile                 *target,
           GError               **error)
{
  g_autoptr (ExportJob) job = g_new0 (ExportJob, 1);
  gboolean ok = FALSE;

  job->target = g_object_ref (target);
  job->files = g_ptr_array_new_with_free_func (export_file_free);

  switch (format)
    {
    case TALLY_EXPORT_COCO:
      ok = build_coco (annotations, items, class_names, job->files, error);
      break;
    case TALLY_EXPORT_YOLO:
      job->is_directory = TRUE;
      ok = build_yolo (annotations, items, class_names, job->files, error);
      break;
    case TALLY_EXPORT_JSONL:
      ok = build_jsonl (annotations, items, class_names, job->files, error);
      break;
    case TALLY_EXPORT_CSV:
      ok = build_csv (annotations, items, class_names, job->files, error);
      break;
    default:
      g_assert_not_reached ();
    }

  return ok ? g_steal_pointer (&job) : NULL;
}

static gboolean
write_job (ExportJob    *job,
           GCancellable *cancellable,
           GError      **error)
{
  if (job->is_directory)
    {
      g_autoptr (GError) local_error = NULL;

      if (!g_file_make_directory_with_parents (job->target, cancellable, &local_error) &&
          !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  for (guint i = 0; i < job->files->len; i++)
    {
      ExportFile *file = g_ptr_array_index (job->files, i);
      g_autoptr (GFile) destination = NULL;
      gsize         size;
      gconstpointer data = g_bytes_get_data (file->contents, &size);

      destination = file->name != NULL ? g_file_get_child (job->target, file->name)
                                       : g_object_ref (job->target);
      /* GIO writes a local file to a temporary beside it and renames it
       * over the old one, so a crash leaves the old file or the new. */
      if (!g_file_replace_contents (destination, data, size, NULL, FALSE, G_FILE_CREATE_NONE,
                                    NULL, cancellable, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
check_arguments (TallyAnnotations      *annotations,
                 const TallyExportItem *items,
                 guint                  n_items,
                 const char *const     *class_names)
{
  return TALLY_IS_ANNOTATIONS (annotations) && items != NULL &&
         n_items == tally_annotations_get_n_items (annotations) && class_names != NULL &&
         g_strv_length ((char **) class_names) == tally_annotations_get_class_count (annotations);
}

gboolean
tally_export_write (TallyAnnotations      *annotations,
                    TallyExportFormat      format,
                    const TallyExportItem *items,
                    guint                  n_items,
                    const char *const     *class_names,
                    GFile                 *target,
                    GCancellable          *cancellable,
                    GError               **error)
{
  g_autoptr (ExportJob) job = NULL;

  g_return_val_if_fail (check_arguments (annotations, items, n_items, class_names), FALSE);
  g_return_val_if_fail (G_IS_FILE (target), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  job = build_job (annotations, format, items, class_names, target, error);
  return job != NULL && write_job (job, cancellable, error);
}

static void
write_in_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  GError *error = NULL;

  if (write_job (task_data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
tally_export_write_async (TallyAnnotations      *annotations,
                          TallyExportFormat      format,
                          const TallyExportItem *items,
                          guint                  n_items,
                          const char *const     *class_names,
                          GFile                 *target,
                          GCancellable          *cancellable,
                          GAsyncReadyCallback    callback,
                          gpointer               user_data)
{
  g_autoptr (GTask) task = NULL;
  GError    *error = NULL;
  ExportJob *job;

  g_return_if_fail (check_arguments (annotations, items, n_items, class_names));
  g_return_if_fail (G_IS_FILE (target));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (annotations, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_export_write_async);

  if ((job = build_job (annotations, format, items, class_names, target, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_set_task_data (task, job, (GDestroyNotify) export_job_free);
  g_task_run_in_thread (task, write_in_thread);
}

gboolean
tally_export_write_finish (GAsyncResult *result,
                           GError      **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tally_export_write_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
