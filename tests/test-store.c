/* test-store.c: TallyStore — submissions, annotations and accounts round
 * trip and survive a reopen; a schema-1 file is migrated with its rows;
 * newer or damaged files are refused clearly; every write acknowledged
 * before a kill -9 of the writing process is there afterwards; queued
 * writes land in order, off the caller's thread, safely beside reads and
 * writes from other threads
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
#include "store-meta.h"
#include "store-private.h"
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
  /* A seat given back is finished too. */
  {
    g_autoptr (TallySubmissionRecord) left = sample_record (2);

    left->state = TALLY_SUBMISSION_LEFT;
    g_assert_true (tally_store_put_submission (store, left, &error));
  }

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

/* ---- Migration ------------------------------------------------------------- */

/* Version 1 as Tally 0.1 created it, written here by hand so a change to
 * the store's own copy cannot hide a broken migration. */
static const char schema_1[] =
  "CREATE TABLE accounts (address BLOB PRIMARY KEY CHECK (length (address) = 20),"
  " name TEXT NOT NULL DEFAULT '', added INTEGER NOT NULL);"
  "CREATE TABLE submissions (chain_id INTEGER NOT NULL,"
  " market BLOB NOT NULL CHECK (length (market) = 20),"
  " task_id BLOB NOT NULL CHECK (length (task_id) = 32),"
  " account BLOB NOT NULL CHECK (length (account) = 20),"
  " role TEXT NOT NULL CHECK (role IN ('annotator', 'reviewer')),"
  " seat INTEGER NOT NULL CHECK (seat >= 0), state TEXT NOT NULL,"
  " labels BLOB, payload BLOB, salt BLOB, commitment BLOB, commit_tx BLOB, reveal_tx BLOB,"
  " reason TEXT, updated INTEGER NOT NULL,"
  " PRIMARY KEY (chain_id, market, task_id, account, role, seat));"
  "CREATE TABLE annotations (chain_id INTEGER NOT NULL, market BLOB NOT NULL,"
  " task_id BLOB NOT NULL, account BLOB NOT NULL, item INTEGER NOT NULL CHECK (item >= 0),"
  " data BLOB NOT NULL, updated INTEGER NOT NULL,"
  " PRIMARY KEY (chain_id, market, task_id, account, item)) WITHOUT ROWID;"
  "PRAGMA user_version = 1;"
  "INSERT INTO accounts VALUES (zeroblob (20), 'Old account', 1);"
  "INSERT INTO submissions VALUES (31337, randomblob (20), zeroblob (32), zeroblob (20),"
  " 'annotator', 0, 'committing', x'01020003', x'010007', zeroblob (32), zeroblob (32),"
  " NULL, NULL, NULL, 1700000000);"
  "UPDATE submissions SET market = x'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',"
  " account = x'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',"
  " task_id = x'0000000000000000000000000000000000000000000000000000000000000003',"
  " salt = x'5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a',"
  " commitment = x'c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0';"
  "INSERT INTO annotations SELECT chain_id, market, task_id, account, 4, x'0203', 1700000000"
  " FROM submissions;";

static void
test_migrate_v1 (Fixture      *fixture,
                 gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyStore) store = NULL;
  g_autoptr (TallySubmissionRecord) expected = sample_record (3);
  g_autoptr (TallySubmissionRecord) read = NULL;
  g_autoptr (GHashTable) items = NULL;
  g_autoptr (GPtrArray) accounts = NULL;
  g_autoptr (GPtrArray) names = NULL;
  g_autoptr (TallyStoreTask) task = g_new0 (TallyStoreTask, 1);
  g_autofree char *folder = g_path_get_dirname (fixture->path);
  sqlite3         *db = NULL;

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, schema_1, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = tally_store_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tally_store_get_schema_version (store), ==, 2);
  read = tally_store_get_submission (store, 31337, &expected->market, &expected->task_id,
                                     &expected->account, TALLY_SUBMISSION_ANNOTATOR, 0, &error);
  g_assert_no_error (error);
  assert_records_equal (read, expected);
  g_assert_cmpint (read->updated, ==, 1700000000);
  items = tally_store_load_annotations (store, 31337, &expected->market, &expected->task_id,
                                        &expected->account, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (items), ==, 1);
  g_assert_cmpmem (g_bytes_get_data (g_hash_table_lookup (items, GUINT_TO_POINTER (4)), NULL), 2,
                   "\2\3", 2);
  accounts = tally_store_list_accounts (store, &names, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (names, 0), ==, "Old account");

  /* The new tables work at once, and after a second open (no second
   * migration). */
  task->chain_id = 31337;
  task->market = expected->market;
  task->task_id = expected->task_id;
  task->manifest_uri = g_strdup ("file:///manifest.json");
  task->item_count = 1;
  g_assert_true (tally_store_put_task (store, task, &error));
  g_assert_no_error (error);
  g_clear_object (&store);
  store = tally_store_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tally_store_get_schema_version (store), ==, TALLY_STORE_SCHEMA_VERSION);
  g_clear_pointer (&task, tally_store_task_free);
  task = tally_store_get_task (store, 31337, &expected->market, &expected->task_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (task->manifest_uri, ==, "file:///manifest.json");
}

/* ---- Writes off the caller's thread ---------------------------------------- */

static void
wait_for (GMainContext  *context,
          GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (context, TRUE);
}

static void
on_result (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

typedef struct
{
  GArray *order; /* guint: the index of each write, as it finished */
  guint   index;
} Ordered;

static void
on_ordered_save (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (GError) error = NULL;
  g_autofree Ordered *ordered = user_data;

  g_assert_true (tally_store_save_annotation_finish (TALLY_STORE (source), result, &error));
  g_assert_no_error (error);
  g_array_append_val (ordered->order, ordered->index);
}

static void
on_ordered_put (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GError) error = NULL;
  g_autofree Ordered *ordered = user_data;

  g_assert_true (tally_store_put_submission_finish (TALLY_STORE (source), result, &error));
  g_assert_no_error (error);
  g_array_append_val (ordered->order, ordered->index);
}

static void
test_async_order (Fixture      *fixture,
                  gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyStore) store = tally_store_open (fixture->path, &error);
  g_autoptr (GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (TallySubmissionRecord) record = sample_record (9);
  g_autoptr (TallySubmissionRecord) read = NULL;
  g_autoptr (GAsyncResult) flushed = NULL;
  g_autoptr (GHashTable) items = NULL;
  TallyAddress market = { { 1 } }, account = { { 2 } };
  TallyUint256 task;
  guint        n = 0;

  g_assert_no_error (error);
  tally_uint256_from_uint64 (&task, 9);
  /* With the lock held here nothing can land: all are queued first. */
  _tally_store_lock (store);
  for (guint i = 0; i < 150; i++)
    {
      g_autofree char *text = g_strdup_printf ("version %u", i);
      g_autoptr (GBytes) row = g_bytes_new (text, strlen (text));
      Ordered *ordered = g_new0 (Ordered, 1);

      ordered->order = order;
      ordered->index = n++;
      if (i % 3 == 2)
        {
          /* The record is copied: changing it after queueing is safe. */
          record->state = i < 100 ? TALLY_SUBMISSION_COMMITTED : TALLY_SUBMISSION_REVEALED;
          tally_store_put_submission_async (store, record, NULL, on_ordered_put, ordered);
          record->state = TALLY_SUBMISSION_FAILED;
        }
      else
        tally_store_save_annotation_async (store, 1, &market, &task, &account, 0, row, NULL,
                                           on_ordered_save, ordered);
    }
  tally_store_flush_async (store, NULL, on_result, &flushed);
  g_assert_cmpuint (order->len, ==, 0);
  _tally_store_unlock (store);
  wait_for (NULL, &flushed);
  g_assert_true (tally_store_flush_finish (store, flushed, &error));
  g_assert_no_error (error);
  /* Every write was reported, in the order it was queued, before the flush. */
  g_assert_cmpuint (order->len, ==, n);
  for (guint i = 0; i < order->len; i++)
    g_assert_cmpuint (g_array_index (order, guint, i), ==, i);

  items = tally_store_load_annotations (store, 1, &market, &task, &account, &error);
  g_assert_cmpmem (g_bytes_get_data (g_hash_table_lookup (items, GUINT_TO_POINTER (0)), NULL),
                   11, "version 148", 11);
  read = tally_store_get_submission (store, 31337, &record->market, &record->task_id,
                                     &record->account, TALLY_SUBMISSION_ANNOTATOR, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (read->state, ==, TALLY_SUBMISSION_REVEALED);
}

static void
test_async_errors (Fixture      *fixture,
                   gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyStore) store = tally_store_open (fixture->path, &error);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GAsyncResult) cancelled = NULL;
  g_autoptr (GAsyncResult) failed = NULL;
  g_autoptr (GAsyncResult) flushed = NULL;
  g_autoptr (GBytes) row = g_bytes_new_static ("x", 1);
  g_autoptr (GHashTable) items = NULL;
  TallyAddress market = { { 1 } }, account = { { 2 } };
  TallyUint256 task;
  sqlite3     *db = NULL;

  g_assert_no_error (error);
  tally_uint256_from_uint64 (&task, 1);
  /* Cancelled before it ran: not written. */
  g_cancellable_cancel (cancellable);
  tally_store_save_annotation_async (store, 1, &market, &task, &account, 0, row, cancellable,
                                     on_result, &cancelled);
  wait_for (NULL, &cancelled);
  g_assert_false (tally_store_save_annotation_finish (store, cancelled, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  items = tally_store_load_annotations (store, 1, &market, &task, &account, &error);
  g_assert_cmpuint (g_hash_table_size (items), ==, 0);

  /* A write that fails reports why, naming the file; the queue goes on. */
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP TABLE submissions", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  {
    g_autoptr (TallySubmissionRecord) record = sample_record (1);

    tally_store_put_submission_async (store, record, NULL, on_result, &failed);
  }
  tally_store_flush_async (store, NULL, on_result, &flushed);
  wait_for (NULL, &flushed);
  g_assert_nonnull (failed);
  g_assert_false (tally_store_put_submission_finish (store, failed, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE);
  g_assert_nonnull (strstr (error->message, fixture->path));
  g_clear_error (&error);
  g_assert_true (tally_store_flush_finish (store, flushed, &error));
}

#define N_THREADS         4
#define WRITES_PER_THREAD 60

typedef struct
{
  TallyStore *store;
  guint       index;
  gint        done; /* read by the main thread */
  guint       failures;
} Writer;

static void
on_threaded_save (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Writer *writer = user_data;

  if (!tally_store_save_annotation_finish (TALLY_STORE (source), result, NULL))
    writer->failures++;
  g_atomic_int_inc (&writer->done);
}

/* A thread of its own, with its own main context, mixing queued writes
 * with synchronous ones of other tables. */
static gpointer
write_thread (gpointer data)
{
  Writer *writer = data;
  g_autoptr (GMainContext) context = g_main_context_new ();
  TallyAddress market = { { 1 } }, account = { { 2 } };
  TallyUint256 task;

  g_main_context_push_thread_default (context);
  tally_uint256_from_uint64 (&task, 100 + writer->index);
  for (guint i = 0; i < WRITES_PER_THREAD; i++)
    {
      g_autofree char *text = g_strdup_printf ("thread %u write %u", writer->index, i);
      g_autoptr (GBytes) row = g_bytes_new (text, strlen (text));

      tally_store_save_annotation_async (writer->store, 1, &market, &task, &account, i % 10, row,
                                         NULL, on_threaded_save, writer);
      if (i % 10 == 0)
        {
          g_autoptr (GDateTime) now =
            g_date_time_new_from_unix_utc (1764000000 + writer->index * 1000 + i);
          TallyDecimal price;

          if (!tally_decimal_parse (&price, "1.25", NULL) ||
              !tally_store_add_price (writer->store, "ETH", "eur", now, &price, NULL))
            writer->failures++;
        }
    }
  while (g_atomic_int_get (&writer->done) < WRITES_PER_THREAD)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
  return NULL;
}

static void
test_async_threads (Fixture      *fixture,
                    gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyStore) store = tally_store_open (fixture->path, &error);
  TallyAddress  market = { { 1 } }, account = { { 2 } };
  Writer        writers[N_THREADS] = { { 0 } };
  GThread      *threads[N_THREADS];
  guint         reads = 0;
  sqlite3      *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_no_error (error);
  for (guint t = 0; t < N_THREADS; t++)
    {
      writers[t].store = store;
      writers[t].index = t;
      threads[t] = g_thread_new ("store-writer-test", write_thread, &writers[t]);
    }
  /* Reads on this thread all the while: each must succeed. */
  for (gboolean busy = TRUE; busy; reads++)
    {
      TallyUint256 task;
      g_autoptr (GHashTable) items = NULL;
      g_autoptr (GPtrArray) unfinished = NULL;

      tally_uint256_from_uint64 (&task, 100 + reads % N_THREADS);
      items = tally_store_load_annotations (store, 1, &market, &task, &account, &error);
      g_assert_no_error (error);
      unfinished = tally_store_list_unfinished (store, 1, &market, &error);
      g_assert_no_error (error);
      /* A GMutex is not fair: back-to-back reads would starve the writer. */
      g_usleep (100);
      busy = FALSE;
      for (guint t = 0; t < N_THREADS; t++)
        busy |= g_atomic_int_get (&writers[t].done) < WRITES_PER_THREAD;
    }
  for (guint t = 0; t < N_THREADS; t++)
    {
      g_thread_join (threads[t]);
      g_assert_cmpuint (writers[t].failures, ==, 0);
    }
  tally_store_flush_sync (store);
  g_test_message ("%u reads beside %u queued writes", reads, N_THREADS * WRITES_PER_THREAD);

  /* Each row holds the last write made to it. */
  for (guint t = 0; t < N_THREADS; t++)
    {
      g_autoptr (GHashTable) items = NULL;
      TallyUint256 task;

      tally_uint256_from_uint64 (&task, 100 + t);
      items = tally_store_load_annotations (store, 1, &market, &task, &account, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_hash_table_size (items), ==, 10);
      for (guint item = 0; item < 10; item++)
        {
          g_autofree char *text =
            g_strdup_printf ("thread %u write %u", t, WRITES_PER_THREAD - 10 + item);
          GBytes *saved = g_hash_table_lookup (items, GUINT_TO_POINTER (item));

          g_assert_cmpmem (g_bytes_get_data (saved, NULL), g_bytes_get_size (saved), text,
                           strlen (text));
        }
    }
  g_clear_object (&store);
  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count (*) FROM prices", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, N_THREADS * WRITES_PER_THREAD / 10);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
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
  g_test_add ("/core/store/migrate-v1", Fixture, NULL, fixture_set_up, test_migrate_v1,
              fixture_tear_down);
  g_test_add ("/core/store/async-order", Fixture, NULL, fixture_set_up, test_async_order,
              fixture_tear_down);
  g_test_add ("/core/store/async-errors", Fixture, NULL, fixture_set_up, test_async_errors,
              fixture_tear_down);
  g_test_add ("/core/store/async-threads", Fixture, NULL, fixture_set_up, test_async_threads,
              fixture_tear_down);

  return g_test_run ();
}
