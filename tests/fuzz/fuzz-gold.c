/* fuzz-gold.c: libFuzzer target for a requester's gold file
 * (tally_task_gold_parse in app/task-gold.c)
 *
 * The file is read against a fixed manifest of N_ITEMS items and
 * N_CLASSES classes. Whatever is accepted keeps the rules createTask and
 * revealGold need: between one and N_ITEMS - 1 items, indices strictly
 * increasing and within the manifest, one label per index from 1 to the
 * class count. Anything else fails with INVALID_ANNOTATION and no output.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "core-error.h"
#include "task-gold.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

#define N_ITEMS   5
#define N_CLASSES 3

#define ITEM(id)                                                                   \
  "{\"id\": \"" id "\", \"kind\": \"text\", \"uri\": \"" id ".txt\", \"sha256\": " \
  "\"0000000000000000000000000000000000000000000000000000000000000000\", \"size\": 10}"
#define MANIFEST                                                                               \
  "{\"schema\": 1, \"title\": \"Fuzz\", \"instructions\": \"\", \"classes\": [{\"name\": "     \
  "\"cat\", \"color\": \"#000000\"}, {\"name\": \"dog\", \"color\": \"#000000\"}, {\"name\": " \
  "\"bird\", \"color\": \"#000000\"}], \"tools\": [\"classify\"], \"items\": [" ITEM ("a") ", " ITEM ("b") ", " ITEM ("c") ", " ITEM ("d") ", " ITEM ("e") "]}"

static TallyManifest *
fixed_manifest (void)
{
  static TallyManifest *manifest;

  if (manifest == NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new_static (MANIFEST, strlen (MANIFEST));
      g_autoptr (GError) error = NULL;

      manifest = tally_manifest_new_from_bytes (bytes, "file:///fuzz/manifest.json", NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (tally_manifest_get_n_items (manifest), ==, N_ITEMS);
      g_assert_cmpuint (tally_manifest_get_n_label_classes (manifest), ==, N_CLASSES);
    }
  return manifest;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr (GArray) indices = NULL;
  g_autoptr (GBytes) labels = NULL;
  g_autoptr (GError) error = NULL;
  const guint8 *bytes;
  gsize         len = 0;

  if (!tally_task_gold_parse (fixed_manifest (), (const char *) data, size, &indices, &labels,
                              &error))
    {
      g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_null (indices);
      g_assert_null (labels);
      return 0;
    }
  g_assert_no_error (error);
  bytes = g_bytes_get_data (labels, &len);
  g_assert_cmpuint (indices->len, >=, 1);
  g_assert_cmpuint (indices->len, <, N_ITEMS);
  g_assert_cmpuint (len, ==, indices->len);
  for (guint j = 0; j < indices->len; j++)
    {
      g_assert_cmpuint (g_array_index (indices, guint16, j), <, N_ITEMS);
      if (j > 0)
        g_assert_cmpuint (g_array_index (indices, guint16, j), >,
                          g_array_index (indices, guint16, j - 1));
      g_assert_cmpuint (bytes[j], >=, 1);
      g_assert_cmpuint (bytes[j], <=, N_CLASSES);
    }
  return 0;
}
