/* dataset.h: a private dataset made from a folder — every file sealed with a
 * task key into its own item file, and the schema 2 manifest that lists them
 * (docs/manifest.md "Private datasets")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "item-cipher.h"
#include "manifest.h"

G_BEGIN_DECLS

#define TALLY_DATASET_MANIFEST_NAME "manifest.json"

typedef struct
{
  const char        *title;        /* NULL: the input folder's name */
  const char        *instructions; /* NULL: none */
  const char *const *classes;      /* NULL-terminated: 2 to 255 class names */
  TallyManifestTools tools;        /* 0: classify */
  const char        *base_uri;     /* each item's uri is base_uri, "/" if needed, its file name */
} TallyDatasetOptions;

/* Seals every regular file of in_dir (sorted by name; hidden files are
 * skipped) with key into out_dir/<id>.bin and writes out_dir/manifest.json.
 * out_dir is created when missing and must otherwise be empty. Files are
 * .png, .jpg, .jpeg, .webp (images: their width and height are read from
 * the file) or .txt, .md (UTF-8 text); anything else is refused. Returns the
 * manifest as written, read back with the rules of docs/manifest.md. On
 * failure nothing written stays in out_dir. Blocks: see the async form. */
TallyManifest *tally_dataset_encrypt_sync (GFile                     *in_dir,
                                           GFile                     *out_dir,
                                           const TallyDatasetOptions *options,
                                           const guint8               key[TALLY_TASK_KEY_LEN],
                                           GCancellable              *cancellable,
                                           GError                   **error) G_GNUC_WARN_UNUSED_RESULT;

/* The same in a worker thread; options and key are copied. */
void           tally_dataset_encrypt_async (GFile                     *in_dir,
                                            GFile                     *out_dir,
                                            const TallyDatasetOptions *options,
                                            const guint8               key[TALLY_TASK_KEY_LEN],
                                            GCancellable              *cancellable,
                                            GAsyncReadyCallback        callback,
                                            gpointer                   user_data);
TallyManifest *tally_dataset_encrypt_finish (GAsyncResult *result,
                                             GError      **error) G_GNUC_WARN_UNUSED_RESULT;

/* The width and height of a PNG, JPEG or WebP image from its header;
 * FALSE when data is not one (media_type is "image/png", "image/jpeg" or
 * "image/webp"). */
gboolean tally_dataset_image_size (const guint8 *data,
                                   gsize         len,
                                   const char   *media_type,
                                   guint        *width,
                                   guint        *height) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
