/* export.h: a task's annotations as the files other tools read: COCO JSON
 * and YOLO text for boxes, JSON Lines for classes and spans, CSV for classes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "annotations.h"

G_BEGIN_DECLS

typedef enum
{
  TALLY_EXPORT_ITEM_IMAGE,
  TALLY_EXPORT_ITEM_TEXT,
} TallyExportItemKind;

/* What the exporters need to know of an item besides its annotations, in
 * the model's item order; the caller fills it from the task's manifest. */
typedef struct
{
  const char         *id;        /* the manifest's item id; YOLO names a file after it */
  const char         *file_name; /* COCO's file_name */
  TallyExportItemKind kind;
  guint32             width;  /* image pixels, 0 when unknown */
  guint32             height; /* image pixels, 0 when unknown */
  const char         *text;   /* a text item's UTF-8 text, or NULL when not at hand */
} TallyExportItem;

typedef enum
{
  TALLY_EXPORT_COCO,  /* one JSON file: images, annotations, categories */
  TALLY_EXPORT_YOLO,  /* a directory: <id>.txt per image item, classes.txt */
  TALLY_EXPORT_JSONL, /* one JSON object a line, every item */
  TALLY_EXPORT_CSV,   /* id,label; RFC 4180 */
} TallyExportFormat;

/* Writes `target` (a file, or for YOLO a directory, created if missing),
 * each file atomically (a temporary renamed over it). class_names holds
 * class-count names, class 1 first, NULL-terminated; items holds n-items
 * entries. Refused with TALLY_CORE_ERROR_INVALID_ANNOTATION: boxes on an
 * image whose size is unknown or outside it, spans past a known text; with
 * G_IO_ERROR_INVALID_FILENAME: a YOLO item id that is not a plain file
 * name, is "classes" or repeats another; with G_IO_ERROR_INVALID_DATA: a
 * class name with a line break, for YOLO; and any GIO error of the writes.
 * Nothing is written when the export is refused. */
gboolean tally_export_write (TallyAnnotations      *annotations,
                             TallyExportFormat      format,
                             const TallyExportItem *items,
                             guint                  n_items,
                             const char *const     *class_names,
                             GFile                 *target,
                             GCancellable          *cancellable,
                             GError               **error) G_GNUC_WARN_UNUSED_RESULT;

/* The same, with the contents built at once (the model is not thread-safe)
 * and the files written in a worker thread. */
void     tally_export_write_async (TallyAnnotations      *annotations,
                                   TallyExportFormat      format,
                                   const TallyExportItem *items,
                                   guint                  n_items,
                                   const char *const     *class_names,
                                   GFile                 *target,
                                   GCancellable          *cancellable,
                                   GAsyncReadyCallback    callback,
                                   gpointer               user_data);
gboolean tally_export_write_finish (GAsyncResult *result,
                                    GError      **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
