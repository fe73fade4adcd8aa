/* test-draft.c: TallyDraft — every change saved as it happens, restored
 * equal after a reopen; a child process editing as fast as it can and
 * killed with SIGKILL loses at most the edit it was making
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "core-error.h"
#include "draft.h"

#define N_ITEMS   16
#define N_CLASSES 4
#define CHILD_ENV "TALLY_TEST_DRAFT_CHILD"
#define SEED      20261125

static const TallyAddress market = { { 0xaa } };
static const TallyAddress account = { { 0xbb } };

static char *self_path;

static TallyUint256
task_id (void)
{
  TallyUint256 id;

  tally_uint256_from_uint64 (&id, 42);
  return id;
}

static TallyDraft *
open_draft (const char       *path,
            TallyAnnotations *annotations)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyStore) store = tally_store_open (path, &error);
  TallyUint256 id = task_id ();

  g_assert_no_error (error);
  return tally_draft_new (store, 31337, &market, &id, &account, annotations);
}

/* Edit number i of a fixed random sequence; invalid edits do nothing. */
static void
random_edit (TallyAnnotations *annotations,
             GRand            *rand)
{
  guint    item = (guint) g_rand_int_range (rand, 0, N_ITEMS);
  guint    op = (guint) g_rand_int_range (rand, 0, 7);
  guint    n = 0;
  gboolean ok = TRUE;
  g_autoptr (GError) error = NULL;

  switch (op)
    {
    case 0:
      ok = tally_annotations_set_label (annotations, item, (guint) g_rand_int_range (rand, 1, N_CLASSES + 1), &error);
      break;
    case 1:
      {
        TallyBox box = { (guint8) g_rand_int_range (rand, 1, N_CLASSES + 1),
                         (guint32) g_rand_int_range (rand, 0, 600), (guint32) g_rand_int_range (rand, 0, 400),
                         (guint32) g_rand_int_range (rand, 1, 40), (guint32) g_rand_int_range (rand, 1, 80) };

        ok = tally_annotations_add_box (annotations, item, &box, NULL, &error);
        break;
      }
    case 2:
      tally_annotations_get_boxes (annotations, item, &n);
      if (n > 0)
        ok = tally_annotations_remove_box (annotations, item, (guint) g_rand_int_range (rand, 0, (gint32) n), &error);
      break;
    case 3:
      ok = tally_annotations_set_flagged (annotations, item, !tally_annotations_get_flagged (annotations, item), &error);
      break;
    case 4:
      ok = tally_annotations_set_skipped (annotations, item, !tally_annotations_get_skipped (annotations, item), &error);
      break;
    case 5:
      tally_annotations_undo (annotations);
      break;
    default:
      tally_annotations_redo (annotations);
      break;
    }
  g_assert_true (ok || error != NULL);
}

static void
test_save_and_restore (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tally-draft-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "tally.db", NULL);
  g_autoptr (TallyAnnotations) edited = tally_annotations_new (N_ITEMS, N_CLASSES);
  g_autoptr (TallyAnnotations) restored = tally_annotations_new (N_ITEMS, N_CLASSES);
  g_autoptr (TallyDraft) draft = NULL;
  g_autoptr (TallyDraft) again = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (SEED);
  TallySpan span = { 2, 3, 9 };
  TallyBox  box = { 1, 5, 6, 7, 8 };

  draft = open_draft (path, edited);
  /* Nothing saved yet: restoring keeps the model as it is. */
  g_assert_true (tally_draft_restore (draft, &error));
  g_assert_no_error (error);
  g_assert_true (tally_annotations_set_label (edited, 0, 2, &error));
  g_assert_true (tally_annotations_add_box (edited, 1, &box, NULL, &error));
  g_assert_true (tally_annotations_add_span (edited, 2, &span, NULL, &error));
  g_assert_true (tally_annotations_set_skipped (edited, 3, TRUE, &error));
  g_assert_true (tally_annotations_set_flagged (edited, 3, TRUE, &error));
  g_assert_true (tally_annotations_set_label (edited, 4, 4, &error));
  g_assert_true (tally_annotations_undo (edited));
  for (guint i = 0; i < 200; i++)
    random_edit (edited, rand);
  g_assert_null (tally_draft_get_last_error (draft));

  again = open_draft (path, restored);
  g_assert_true (tally_draft_restore (again, &error));
  g_assert_no_error (error);
  g_assert_true (tally_annotations_equal (edited, restored));
  g_assert_false (tally_annotations_get_can_undo (restored));

  /* A task with fewer classes cannot take the saved work. */
  {
    g_autoptr (TallyAnnotations) other = tally_annotations_new (N_ITEMS, 1);
    g_autoptr (TallyDraft) wrong = open_draft (path, other);

    g_assert_false (tally_draft_restore (wrong, &error));
    g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION);
    g_clear_error (&error);
  }
  g_clear_object (&draft);
  g_clear_object (&again);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (path);
    g_unlink (wal);
    g_unlink (shm);
  }
  g_rmdir (dir);
}

static int
run_child (const char *path)
{
  g_autoptr (TallyAnnotations) annotations = tally_annotations_new (N_ITEMS, N_CLASSES);
  g_autoptr (TallyDraft) draft = open_draft (path, annotations);
  g_autoptr (GRand) rand = g_rand_new_with_seed (SEED);

  for (guint i = 0;; i++)
    {
      random_edit (annotations, rand);
      /* Saved when the edit returned. */
      g_print ("%u\n", i);
      fflush (stdout);
    }
  return 0;
}

static void
test_kill_9 (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tally-draft-kill-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "tally.db", NULL);

  for (guint round = 0; round < 3; round++)
    {
      g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
      g_autoptr (GSubprocess) child = NULL;
      g_autoptr (GDataInputStream) lines = NULL;
      g_autoptr (TallyAnnotations) restored = tally_annotations_new (N_ITEMS, N_CLASSES);
      g_autoptr (TallyAnnotations) replay = tally_annotations_new (N_ITEMS, N_CLASSES);
      g_autoptr (TallyDraft) draft = NULL;
      g_autoptr (GRand) rand = g_rand_new_with_seed (SEED);
      guint    acknowledged = 0, wanted = 50 + (guint) g_test_rand_int_range (0, 300);
      gboolean matched;
      char    *line;

      g_unlink (path);
      g_subprocess_launcher_setenv (launcher, CHILD_ENV, path, TRUE);
      child = g_subprocess_launcher_spawn (launcher, &error, self_path, NULL);
      g_assert_no_error (error);
      lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
      while (acknowledged < wanted && (line = g_data_input_stream_read_line (lines, NULL, NULL, &error)) != NULL)
        {
          acknowledged = (guint) g_ascii_strtoull (line, NULL, 10) + 1;
          g_free (line);
        }
      g_assert_no_error (error);
      g_subprocess_send_signal (child, SIGKILL);
      g_subprocess_wait (child, NULL, NULL);
      /* What it said before it died, still in the pipe, counts too. */
      while ((line = g_data_input_stream_read_line (lines, NULL, NULL, NULL)) != NULL)
        {
          acknowledged = (guint) g_ascii_strtoull (line, NULL, 10) + 1;
          g_free (line);
        }

      draft = open_draft (path, restored);
      g_assert_true (tally_draft_restore (draft, &error));
      g_assert_no_error (error);
      /* The same edits replayed: the saved work is the model after the
       * last acknowledged edit, or after the one the kill interrupted
       * once its save had landed. */
      for (guint i = 0; i < acknowledged; i++)
        random_edit (replay, rand);
      matched = tally_annotations_equal (replay, restored);
      for (guint extra = 0; !matched && extra < 1; extra++)
        {
          random_edit (replay, rand);
          matched = tally_annotations_equal (replay, restored);
        }
      g_assert_true (matched);
      g_test_message ("round %u: %u edits acknowledged before kill -9, restored", round, acknowledged);
    }
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (path);
    g_unlink (wal);
    g_unlink (shm);
  }
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  if (g_getenv (CHILD_ENV) != NULL)
    return run_child (g_getenv (CHILD_ENV));

  g_test_init (&argc, &argv, NULL);
  self_path = g_canonicalize_filename (argv[0], NULL);

  g_test_add_func ("/core/draft/save-and-restore", test_save_and_restore);
  g_test_add_func ("/core/draft/kill-9", test_kill_9);

  return g_test_run ();
}
