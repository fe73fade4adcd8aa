/* test-draft.c: TallyDraft — every change saved as it happens, restored
 * equal after a reopen; a child process editing as fast as it can and
 * killed with SIGKILL loses at most the edit it was making; saves never
 * block the main loop, the latest change of an item wins, and a failed
 * save reaches the GUI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <sqlite3.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "core-error.h"
#include "draft.h"
#include "store-private.h"

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

static void
on_result (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* FALSE with the flush's error. */
static gboolean
flush_draft (TallyDraft *draft,
             GError    **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  tally_draft_flush_async (draft, NULL, on_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return tally_draft_flush_finish (draft, result, error);
}

static void
remove_store (const char *dir,
              const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (dir);
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
  g_assert_true (flush_draft (draft, &error));
  g_assert_no_error (error);
  g_assert_null (tally_draft_get_last_error (draft));
  g_assert_false (tally_draft_get_saving (draft));

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
  remove_store (dir, path);
}

static int
run_child (const char *path)
{
  g_autoptr (TallyAnnotations) annotations = tally_annotations_new (N_ITEMS, N_CLASSES);
  g_autoptr (TallyDraft) draft = open_draft (path, annotations);
  g_autoptr (GRand) rand = g_rand_new_with_seed (SEED);

  for (guint i = 0;; i++)
    {
      g_autoptr (GError) error = NULL;

      random_edit (annotations, rand);
      /* Saved once the flush after the edit is done. */
      if (!flush_draft (draft, &error))
        g_error ("%s", error->message);
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
  remove_store (dir, path);
}

static guint
count_rows (const char *path)
{
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint         count;

  /* A connection of its own, as another process would read the file. */
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count (*) FROM annotations", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  count = (guint) sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return count;
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           guint      *count)
{
  (*count)++;
}

static void
test_not_blocking (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tally-draft-async-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "tally.db", NULL);
  g_autoptr (TallyAnnotations) edited = tally_annotations_new (N_ITEMS, N_CLASSES);
  g_autoptr (TallyAnnotations) restored = tally_annotations_new (N_ITEMS, N_CLASSES);
  g_autoptr (TallyStore) store = tally_store_open (path, &error);
  g_autoptr (TallyDraft) draft = NULL;
  g_autoptr (TallyDraft) again = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (SEED);
  g_autoptr (GTimer) timer = g_timer_new ();
  guint        saving_notifies = 0;
  double       async_time, sync_time;
  int          changes;
  TallyUint256 id = task_id ();

  g_assert_no_error (error);
  draft = tally_draft_new (store, 31337, &market, &id, &account, edited);
  g_signal_connect (draft, "notify::saving", G_CALLBACK (on_notify), &saving_notifies);

  /* With the store's lock held here, a save made on this thread would
   * never return: every edit must only queue its save. */
  changes = sqlite3_total_changes (_tally_store_lock (store));
  g_timer_start (timer);
  for (guint i = 0; i < 200; i++)
    random_edit (edited, rand);
  /* The same item over and over: the last label set must be the one kept. */
  if (tally_annotations_get_skipped (edited, 5))
    g_assert_true (tally_annotations_set_skipped (edited, 5, FALSE, &error));
  for (guint i = 0; i < 200; i++)
    g_assert_true (tally_annotations_set_label (edited, 5, 1 + i % N_CLASSES, &error));
  async_time = g_timer_elapsed (timer, NULL);
  g_assert_true (tally_draft_get_saving (draft));
  g_assert_cmpuint (saving_notifies, ==, 1);
  g_assert_cmpuint (count_rows (path), ==, 0);
  _tally_store_unlock (store);

  g_assert_true (flush_draft (draft, &error));
  g_assert_no_error (error);
  g_assert_false (tally_draft_get_saving (draft));
  g_assert_cmpuint (saving_notifies, ==, 2);
  /* Coalesced: at most the save in flight and the latest state of each
   * item, not one write per edit. */
  changes = sqlite3_total_changes (_tally_store_lock (store)) - changes;
  _tally_store_unlock (store);
  g_assert_cmpint (changes, >, 0);
  g_assert_cmpint (changes, <=, 2 * N_ITEMS);
  g_assert_cmpuint (tally_annotations_get_label (edited, 5), ==, 4);
  again = open_draft (path, restored);
  g_assert_true (tally_draft_restore (again, &error));
  g_assert_no_error (error);
  g_assert_true (tally_annotations_equal (edited, restored));

  /* For the log: the same number of rows written the synchronous way. */
  g_timer_start (timer);
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr (GBytes) row = g_bytes_new_static ("\1", 1);

      g_assert_true (tally_store_save_annotation (store, 1, &market, &id, &account, i, row, &error));
    }
  sync_time = g_timer_elapsed (timer, NULL);
  g_test_message ("400 edits queued in %.1f ms and saved in %d writes; 200 synchronous saves "
                  "took %.1f ms",
                  async_time * 1000, changes, sync_time * 1000);
  g_clear_object (&draft);
  g_clear_object (&again);
  g_clear_object (&store);
  remove_store (dir, path);
}

static void
test_failed_save (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tally-draft-fail-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "tally.db", NULL);
  g_autoptr (TallyAnnotations) edited = tally_annotations_new (N_ITEMS, N_CLASSES);
  g_autoptr (TallyAnnotations) restored = tally_annotations_new (N_ITEMS, N_CLASSES);
  g_autoptr (TallyDraft) draft = open_draft (path, edited);
  g_autoptr (TallyDraft) again = NULL;
  guint    error_notifies = 0;
  sqlite3 *db = NULL;

  g_signal_connect (draft, "notify::last-error", G_CALLBACK (on_notify), &error_notifies);
  /* The table gone (a damaged file): the save fails where the GUI sees it. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "ALTER TABLE annotations RENAME TO hidden", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  g_assert_true (tally_annotations_set_label (edited, 0, 2, &error));
  g_assert_false (flush_draft (draft, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);
  g_assert_nonnull (tally_draft_get_last_error (draft));
  g_assert_cmpuint (error_notifies, ==, 1);

  /* Still broken: a flush tries the lost item again, and says so. */
  g_assert_false (flush_draft (draft, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE);
  g_clear_error (&error);
  g_assert_cmpuint (error_notifies, ==, 2);

  /* Back again: the next good save brings the lost item with it. */
  g_assert_cmpint (sqlite3_exec (db, "ALTER TABLE hidden RENAME TO annotations", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_true (tally_annotations_set_label (edited, 1, 3, &error));
  g_assert_true (flush_draft (draft, &error));
  g_assert_no_error (error);
  g_assert_null (tally_draft_get_last_error (draft));
  g_assert_cmpuint (error_notifies, ==, 3);
  again = open_draft (path, restored);
  g_assert_true (tally_draft_restore (again, &error));
  g_assert_no_error (error);
  g_assert_true (tally_annotations_equal (edited, restored));
  g_assert_cmpuint (tally_annotations_get_label (restored, 0), ==, 2);
  g_clear_object (&again);
  g_clear_object (&draft);
  remove_store (dir, path);
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
  g_test_add_func ("/core/draft/not-blocking", test_not_blocking);
  g_test_add_func ("/core/draft/failed-save", test_failed_save);

  return g_test_run ();
}
