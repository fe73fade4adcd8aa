/* fuzz-replay.c: runs a fuzz target over its seed corpus as GLib tests
 *
 * Every build runs the corpus this way (gcc included), so each seed and
 * each crash once found by libFuzzer stays a regression test; the clang
 * build links the same target with libFuzzer to search for new inputs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>

#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
replay_file (gconstpointer data)
{
  const char      *path = data;
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpint (LLVMFuzzerTestOneInput ((const uint8_t *) contents, length), ==, 0);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *corpus;
  const char *name;

  g_test_init (&argc, &argv, NULL);

  if (argc != 2)
    g_error ("Usage: %s CORPUS-DIR", argv[0]);
  corpus = argv[1];

  dir = g_dir_open (corpus, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_assert_cmpuint (names->len, >, 0);

  for (guint i = 0; i < names->len; i++)
    {
      const char      *file = g_ptr_array_index (names, i);
      g_autofree char *test_path = g_strconcat ("/fuzz/replay/", file, NULL);

      g_test_add_data_func_full (test_path, g_build_filename (corpus, file, NULL), replay_file,
                                 g_free);
    }

  return g_test_run ();
}
