/* test-store.c: TallyStore — submissions, annotations and accounts round
 * trip and survive a reopen; newer or damaged files are refused clearly;
 * every write acknowledged before a kill -9 of the writing process is
 * there afterwards
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
#include "store.h"

/* Set in the child the crash test starts: the store to write to. */
#define CHILD_ENV "TALLY_TEST_STORE_CHILD"

static char *self_path;

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("tally-store-XXXXXX", &error);
  g_assert_no_error (error);
  /* In a folder that does not exist yet: open creates it. */
  fixture->path = g_build_filename (fixture->dir, "data", "tally.db", NULL);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static TallySubmissionRecord *
sample_record (guint64 task)
{
  TallySubmissionRecord *record = g_new0 (TallySubmissionRecord, 1);
  static const guint8    labels[] = { 1, 2, 0, 3 };
  static const guint8    payload[] = { 1, 0, 7 };

  record->chain_id = 31337;
  memset (record->market.bytes, 0xaa, TALLY_ADDRESS_LEN);
  memset (record->account.bytes, 0xbb, TALLY_ADDRESS_LEN);
  tally_uint256_from_uint64 (&record->task_id, task);
  record->state = TALLY_SUBMISSION_COMMITTING;
  record->labels = g_bytes_new_static (labels, sizeof labels);
  record->payload = g_bytes_new_static (payload, sizeof payload);
  record->has_salt = TRUE;
  memset (record->salt, 0x5a, 32);
  record->has_commitment = TRUE;
  memset (record->commitment, 0xc0, 32);
  return record;
}

static void
assert_records_equal (const TallySubmissionRecord *a,
                      const TallySubmissionRecord *b)
{
  g_assert_cmpuint (a->chain_id, ==, b->chain_id);
  g_assert_true (tally_address_equal (&a->market, &b->market));
  g_assert_true (tally_address_equal (&a->account, &b->account));
  g_assert_cmpint (tally_uint256_cmp (&a->task_id, &b->task_id), ==, 0);
  g_assert_cmpint (a->role, ==, b->role);
  g_assert_cmpuint (a->seat, ==, b->seat);
  g_assert_cmpint (a->state, ==, b->state);
  g_assert_true ((a->labels == NULL) == (b->labels == NULL));
  if (a->labels != NULL)
    g_assert_true (g_bytes_equal (a->labels, b->labels));
  g_assert_true ((a->payload == NULL) == (b->payload == NULL));
  if (a->payload != NULL)
    g_assert_true (g_bytes_equal (a->payload, b->payload));
  g_assert_cmpint (a->has_salt, ==, b->has_salt);
  g_assert_cmpmem (a->salt, 32, b->salt, 32);
  g_assert_cmpint (a->has_commitment, ==, b->has_commitment);
  g_assert_cmpmem (a->commitment, 32, b->commitment, 32);
  g_assert_cmpint (a->has_commit_tx, ==, b->has_commit_tx);
  g_assert_cmpint (a->has_reveal_tx, ==, b->has_reveal_tx);
  g_assert_cmpstr (a->reason, ==, b->reason);
}

static void
test_submissions (Fixture      *fixture,
                  gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyStore) store = tally_store_open (fixture->path, &error);
  g_autoptr (TallySubmissionRecord) record = sample_record (3);
  g_autoptr (TallySubmissionRecord) review = sample_record (3);
  g_autoptr (TallySubmissionRecord) done = sample_record (1);
  g_autoptr (TallySubmissionRecord) read = NULL;
  g_autoptr (GPtrArray) unfinished = NULL;
  TallyUint256 missing;

  g_assert_no_error (error);
  g_assert_cmpuint (tally_store_get_schema_version (store), ==, TALLY_STORE_SCHEMA_VERSION);
  g_assert_true (tally_store_put_submission (store, record, &error));
  g_assert_cmpint (record->updated, >, 0);
  read = tally_store_get_submission (store, 31337, &record->market, &record->task_id,
                                     &record->account, TALLY_SUBMISSION_ANNOTATOR, 0, &error);
  g_assert_no_error (error);
  assert_records_equal (read, record);

  /* Later states replace the row; the journal hashes come with them. */
  record->state = TALLY_SUBMISSION_REVEALING;
  record->has_commit_tx = TRUE;
  memset (record->commit_tx, 0x11, 32);
  record->has_reveal_tx = TRUE;
  memset (record->reveal_tx, 0x22, 32);
  g_assert_true (tally_store_put_submission (store, record, &error));
  g_clear_pointer (&read, tally_submission_record_free);
  read = tally_store_get_submission (store, 31337, &record->market, &record->task_id,
                                     &record->account, TALLY_SUBMISSION_ANNOTATOR, 0, &error);
  assert_records_equal (read, record);
  g_assert_cmpmem (read->reveal_tx, 32, record->reveal_tx, 32);

  /* A review of seat 2 of the same task is another row. */
  review->role = TALLY_SUBMISSION_REVIEWER;
  review->seat = 2;
  g_clear_pointer (&review->payload, g_bytes_unref);
  review->state = TALLY_SUBMISSION_DRAFTING;
  g_assert_true (tally_store_put_submission (store, review, &error));
  done->state = TALLY_SUBMISSION_FAILED;
  done->reason = g_strdup ("The reveal deadline passed before the node answered");
  g_assert_true (tally_store_put_submission (store, done, &error));

  unfinished = tally_store_list_unfinished (store, 31337, &record->market, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (unfinished->len, ==, 2);
  assert_records_equal (g_ptr_array_index (unfinished, 0), record);
  assert_records_equal (g_ptr_array_index (unfinished, 1), review);
  g_assert_false (tally_submission_state_is_unfinished (TALLY_SUBMISSION_FAILED));
  g_assert_true (tally_submission_state_is_unfinished (TALLY_SUBMISSION_CLAIMABLE));
  g_assert_cmpstr (tally_submission_state_to_string (TALLY_SUBMISSION_REVEALED), ==, "revealed");

  tally_uint256_from_uint64 (&missing, 99);
  g_assert_null (tally_store_get_submission (store, 31337, &record->market, &missing,
                                             &record->account, TALLY_SUBMISSION_ANNOTATOR, 0, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Everything is there after a reopen. */
  g_clear_object (&store);
  store = tally_store_open (fixture->path, &error);
  g_assert_no_error (error);
  g_clear_pointer (&read, tally_submission_record_free);
  read = tally_store_get_submission (store, 31337, &done->market, &done->task_id, &done->account,
                                     TALLY_SUBMISSION_ANNOTATOR, 0, &error);
  g_assert_no_error (error);
  assert_records_equal (read, done);
}

static void
test_annotations_and_accounts (Fixture      *fixture,
                               gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyStore) store = tally_store_open (fixture->path, &error);
  g_autoptr (GHashTable) items = NULL;
  g_autoptr (GPtrArray) accounts = NULL;
  g_autoptr (GPtrArray) names = NULL;
  g_autoptr (GBytes) first = g_bytes_new_static ("one", 3);
  g_autoptr (GBytes) second = g_bytes_new_static ("two!", 4);
  g_autoptr (GBytes) empty = g_bytes_new_static ("", 0);
  TallyAddress market = { { 1 } }, alice = { { 2 } }, bob = { { 3 } };
  TallyUint256 task;

  g_assert_no_error (error);
  tally_uint256_from_uint64 (&task, 5);
  g_assert_true (tally_store_save_annotation (store, 1, &market, &task, &alice, 0, first, &error));
  g_assert_true (tally_store_save_annotation (store, 1, &market, &task, &alice, 7, first, &error));
  g_assert_true (tally_store_save_annotation (store, 1, &market, &task, &alice, 7, second, &error));
  g_assert_true (tally_store_save_annotation (store, 1, &market, &task, &alice, 8, empty, &error));
  g_assert_true (tally_store_save_annotation (store, 1, &market, &task, &bob, 0, second, &error));
  items = tally_store_load_annotations (store, 1, &market, &task, &alice, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (items), ==, 3);
  g_assert_true (g_bytes_equal (g_hash_table_lookup (items, GUINT_TO_POINTER (0)), first));
  g_assert_true (g_bytes_equal (g_hash_table_lookup (items, GUINT_TO_POINTER (7)), second));
  g_assert_cmpuint (g_bytes_get_size (g_hash_table_lookup (items, GUINT_TO_POINTER (8))), ==, 0);

  g_assert_true (tally_store_add_account (store, &bob, "Bob", &error));
  g_assert_true (tally_store_add_account (store, &alice, "Alice", &error));
  g_assert_true (tally_store_add_account (store, &bob, "Robert", &error));
  accounts = tally_store_list_accounts (store, &names, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 2);
  g_assert_true (tally_address_equal (g_ptr_array_index (accounts, 0), &bob));
  g_assert_cmpstr (g_ptr_array_index (names, 0), ==, "Robert");
  g_assert_true (tally_store_remove_account (store, &bob, &error));
  g_clear_pointer (&accounts, g_ptr_array_unref);
  g_clear_pointer (&names, g_ptr_array_unref);
  accounts = tally_store_list_accounts (store, NULL, &error);
  g_assert_cmpuint (accounts->len, ==, 1);
  g_assert_true (tally_address_equal (g_ptr_array_index (accounts, 0), &alice));
}

static void
test_refused_files (Fixture      *fixture,
                    gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyStore) store = tally_store_open (fixture->path, &error);
  g_autofree char *garbage_path = g_build_filename (fixture->dir, "garbage.db", NULL);
  g_autofree char *garbage = g_strnfill (4096, 'x');
  sqlite3         *db = NULL;

  g_assert_no_error (error);
  g_clear_object (&store);

  /* A file from a newer Tally is left alone. */
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  store = tally_store_open (fixture->path, &error);
  g_assert_null (store);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE);
  g_assert_nonnull (strstr (error->message, "schema version 99"));
  g_clear_error (&error);

  /* Not a database: a clear error naming the file, nothing overwritten. */
  g_assert_true (g_file_set_contents (garbage_path, garbage, -1, &error));
  store = tally_store_open (garbage_path, &error);
  g_assert_null (store);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE);
  g_assert_nonnull (strstr (error->message, garbage_path));
  g_clear_error (&error);
  {
    g_autofree char *after = NULL;

    g_assert_true (g_file_get_contents (garbage_path, &after, NULL, NULL));
    g_assert_cmpstr (after, ==, garbage);
  }
}

/* The child of the crash test: annotation i holds "item i" and submission
 * i is committing; each acknowledged on stdout once written. */
static int
run_child (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyStore) store = tally_store_open (path, &error);
  TallyAddress market = { { 1 } }, account = { { 2 } };

  if (store == NULL)
    g_error ("%s", error->message);
  for (guint i = 0;; i++)
    {
      g_autoptr (TallySubmissionRecord) record = sample_record (i + 1);
      g_autofree char *text = g_strdup_printf ("item %u", i);
      g_autoptr (GBytes) data = g_bytes_new (text, strlen (text));

      if (!tally_store_save_annotation (store, 1, &market, &record->task_id, &account, i, data, &error) ||
          !tally_store_put_submission (store, record, &error))
        g_error ("%s", error->message);
      g_print ("%u\n", i);
      fflush (stdout);
    }
  return 0;
}

static void
test_kill_9 (Fixture      *fixture,
             gconstpointer data)
{
  TallyAddress market = { { 1 } }, account = { { 2 } };

  for (guint round = 0; round < 3; round++)
    {
      g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
      g_autoptr (GSubprocess) child = NULL;
      g_autoptr (GDataInputStream) lines = NULL;
      g_autoptr (GError) error = NULL;
      g_autoptr (TallyStore) store = NULL;
      g_autoptr (GPtrArray) unfinished = NULL;
      guint         acknowledged = 0, wanted = 20 + g_test_rand_int_range (0, 60);
      char         *line;
      sqlite3      *db = NULL;
      sqlite3_stmt *stmt = NULL;

      g_subprocess_launcher_setenv (launcher, CHILD_ENV, fixture->path, TRUE);
      child = g_subprocess_launcher_spawn (launcher, &error, self_path, NULL);
      g_assert_no_error (error);
      lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
      while (acknowledged < wanted &&
             (line = g_data_input_stream_read_line (lines, NULL, NULL, &error)) != NULL)
        {
          acknowledged = (guint) g_ascii_strtoull (line, NULL, 10) + 1;
          g_free (line);
        }
      g_assert_no_error (error);
      /* Mid-write, most likely: the child writes as fast as it can. */
      g_subprocess_send_signal (child, SIGKILL);
      g_subprocess_wait (child, NULL, NULL);
      while ((line = g_data_input_stream_read_line (lines, NULL, NULL, NULL)) != NULL)
        {
          acknowledged = (guint) g_ascii_strtoull (line, NULL, 10) + 1;
          g_free (line);
        }

      store = tally_store_open (fixture->path, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < acknowledged; i++)
        {
          g_autoptr (GHashTable) items = NULL;
          g_autofree char *text = g_strdup_printf ("item %u", i);
          TallyUint256     task;
          GBytes          *saved;

          tally_uint256_from_uint64 (&task, i + 1);
          items = tally_store_load_annotations (store, 1, &market, &task, &account, &error);
          g_assert_no_error (error);
          saved = g_hash_table_lookup (items, GUINT_TO_POINTER (i));
          g_assert_nonnull (saved);
          g_assert_cmpmem (g_bytes_get_data (saved, NULL), g_bytes_get_size (saved), text, strlen (text));
        }
      {
        g_autoptr (TallySubmissionRecord) sample = sample_record (1);

        unfinished = tally_store_list_unfinished (store, 31337, &sample->market, &error);
        g_assert_no_error (error);
        g_assert_cmpuint (unfinished->len, >=, acknowledged);
      }

      g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
      sqlite3_finalize (stmt);
      sqlite3_close (db);
      g_test_message ("round %u: %u writes acknowledged before kill -9, all there", round, acknowledged);
    }
}

int
main (int   argc,
      char *argv[])
{
  if (g_getenv (CHILD_ENV) != NULL)
    return run_child (g_getenv (CHILD_ENV));

  g_test_init (&argc, &argv, NULL);
  self_path = g_canonicalize_filename (argv[0], NULL);

  g_test_add ("/core/store/submissions", Fixture, NULL, fixture_set_up, test_submissions,
              fixture_tear_down);
  g_test_add ("/core/store/annotations-and-accounts", Fixture, NULL, fixture_set_up,
              test_annotations_and_accounts, fixture_tear_down);
  g_test_add ("/core/store/refused-files", Fixture, NULL, fixture_set_up, test_refused_files,
              fixture_tear_down);
  g_test_add ("/core/store/kill-9", Fixture, NULL, fixture_set_up, test_kill_9, fixture_tear_down);

  return g_test_run ();
}
