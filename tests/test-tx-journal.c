/* test-tx-journal.c: the transaction journal on its own — entries, states,
 * nonces, what a reorganisation reopens, and damaged files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "core-error.h"
#include "tally-test-util.h"
#include "tx-journal.h"

/* Anvil's first two accounts. */
#define SENDER "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
#define OTHER  "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"

static char *
temp_journal_path (char **dir)
{
  g_autoptr (GError) error = NULL;

  *dir = g_dir_make_tmp ("tally-txj-XXXXXX", &error);
  g_assert_no_error (error);
  return g_build_filename (*dir, "journal.sqlite", NULL);
}

static void
fill_hash (guint8 hash[TALLY_TX_JOURNAL_HASH_LEN],
           guint8 seed)
{
  for (guint i = 0; i < TALLY_TX_JOURNAL_HASH_LEN; i++)
    hash[i] = (guint8) (seed + i);
}

static void
test_journal (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = temp_journal_path (&dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyTxJournal) journal = NULL;
  g_autoptr (TallyTxJournalEntry) entry = NULL;
  g_autoptr (GPtrArray) pending = NULL;
  g_autoptr (GBytes) raw = g_bytes_new_static ("\x02\xf8\x01", 3);
  TallyAddress sender, other;
  guint8       a[32], b[32], c[32];
  guint64      next = 99;

  tally_test_address_or_die (&sender, SENDER);
  tally_test_address_or_die (&other, OTHER);
  /* An empty file is schema version 0 and is migrated. */
  g_assert_true (g_file_set_contents (path, "", 0, &error));
  journal = tally_tx_journal_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tally_tx_journal_get_schema_version (journal), ==, 1);
  g_assert_true (tally_tx_journal_next_nonce (journal, 1, &sender, &next, &error));
  g_assert_cmpuint (next, ==, 0);

  fill_hash (a, 1);
  fill_hash (b, 2);
  fill_hash (c, 3);
  g_assert_true (tally_tx_journal_add (journal, 1, &sender, 7, raw, a, "first", &error));
  g_assert_true (tally_tx_journal_add (journal, 1, &sender, 7, raw, b, "second", &error));
  g_assert_true (tally_tx_journal_add (journal, 5, &sender, 40, raw, c, "other chain", &error));
  g_assert_no_error (error);
  /* The hash is unique. */
  g_assert_false (tally_tx_journal_add (journal, 1, &sender, 8, raw, a, "again", &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE);
  g_clear_error (&error);
  g_assert_true (tally_tx_journal_mark_replaced (journal, a, b, &error));
  g_assert_no_error (error);
  g_clear_object (&journal);

  /* Everything survives closing the file. */
  journal = tally_tx_journal_open (path, &error);
  g_assert_no_error (error);
  entry = tally_tx_journal_lookup (journal, a, &error);
  g_assert_no_error (error);
  g_assert_cmpint (entry->state, ==, TALLY_TX_STATE_REPLACED);
  g_assert_true (entry->has_replaced_by);
  g_assert_cmpmem (entry->replaced_by, 32, b, 32);
  g_assert_cmpuint (entry->nonce, ==, 7);
  g_assert_cmpuint (entry->chain_id, ==, 1);
  g_assert_true (tally_address_equal (&entry->sender, &sender));
  g_assert_true (g_bytes_equal (entry->raw, raw));
  g_assert_cmpstr (entry->purpose, ==, "first");
  g_assert_cmpint (entry->created, >, 0);

  pending = tally_tx_journal_list_pending (journal, 1, &sender, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 1);
  g_assert_cmpmem (((TallyTxJournalEntry *) pending->pdata[0])->hash, 32, b, 32);
  g_clear_pointer (&pending, g_ptr_array_unref);
  pending = tally_tx_journal_list_pending (journal, 1, &other, &error);
  g_assert_cmpuint (pending->len, ==, 0);

  g_assert_true (tally_tx_journal_next_nonce (journal, 1, &sender, &next, &error));
  g_assert_cmpuint (next, ==, 8);
  g_assert_true (tally_tx_journal_next_nonce (journal, 5, &sender, &next, &error));
  g_assert_cmpuint (next, ==, 41);

  g_assert_true (tally_tx_journal_set_state (journal, b, TALLY_TX_STATE_FAILED, "why", &error));
  g_clear_pointer (&entry, tally_tx_journal_entry_free);
  entry = tally_tx_journal_lookup (journal, b, &error);
  g_assert_cmpint (entry->state, ==, TALLY_TX_STATE_FAILED);
  g_assert_cmpstr (entry->detail, ==, "why");
  g_assert_cmpstr (tally_tx_state_to_string (entry->state), ==, "failed");

  fill_hash (c, 9);
  g_clear_pointer (&entry, tally_tx_journal_entry_free);
  entry = tally_tx_journal_lookup (journal, c, &error);
  g_assert_null (entry);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (tally_tx_journal_set_state (journal, c, TALLY_TX_STATE_MINED, NULL, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_object (&journal);

  tally_test_remove_tree (dir);
}

static void
test_journal_bad_files (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = temp_journal_path (&dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyTxJournal) journal = NULL;
  sqlite3     *db = NULL;
  TallyAddress zero = { { 0 } };
  g_autoptr (GPtrArray) sender_list = NULL;

  /* Not a database at all. */
  g_assert_true (g_file_set_contents (path, "this is not SQLite, not even close", -1, &error));
  journal = tally_tx_journal_open (path, &error);
  g_assert_null (journal);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);
  g_assert_cmpint (g_unlink (path), ==, 0);

  /* A schema from a newer Tally is left alone. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  journal = tally_tx_journal_open (path, &error);
  g_assert_null (journal);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE);
  g_assert_nonnull (strstr (error->message, "99"));
  g_clear_error (&error);
  g_assert_cmpint (g_unlink (path), ==, 0);

  /* A row edited by hand (a short hash) is refused, not half read. */
  journal = tally_tx_journal_open (path, &error);
  g_assert_no_error (error);
  g_clear_object (&journal);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "PRAGMA ignore_check_constraints = 1;"
                                 "INSERT INTO transactions (chain_id, sender, nonce, raw, hash,"
                                 " state, created, updated) VALUES (1, zeroblob (20), 0, x'02',"
                                 " x'0102', 'pending', 0, 0);",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);
  journal = tally_tx_journal_open (path, &error);
  g_assert_no_error (error);
  sender_list = tally_tx_journal_list_pending (journal, 1, &zero, &error);
  g_assert_null (sender_list);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE);
  g_assert_nonnull (strstr (error->message, "damaged"));
  g_clear_error (&error);
  g_clear_object (&journal);

  tally_test_remove_tree (dir);
}

static void
add_entry (TallyTxJournal     *journal,
           const TallyAddress *sender,
           guint64             nonce,
           guint8              seed,
           TallyTxState        state,
           guint8              hash[TALLY_TX_JOURNAL_HASH_LEN])
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) raw = g_bytes_new (&seed, 1);

  fill_hash (hash, seed);
  g_assert_true (tally_tx_journal_add (journal, 31337, sender, nonce, raw, hash, "step", &error));
  g_assert_no_error (error);
  if (state != TALLY_TX_STATE_PENDING)
    g_assert_true (tally_tx_journal_set_state (journal, hash, state, NULL, &error));
  g_assert_no_error (error);
}

static TallyTxState
state_of (TallyTxJournal *journal,
          const guint8    hash[TALLY_TX_JOURNAL_HASH_LEN])
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyTxJournalEntry) entry = tally_tx_journal_lookup (journal, hash, &error);

  g_assert_no_error (error);
  return entry->state;
}

/* After a reorganisation the node counts fewer transactions than the
 * journal holds as mined: those, and only those, become pending again. */
static void
test_journal_reopen (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = temp_journal_path (&dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyTxJournal) journal = tally_tx_journal_open (path, &error);
  TallyAddress sender, other;
  guint8       kept[32], reorged[32], reverted[32], waiting[32], replaced[32], others[32];
  guint        n = 99;
  guint64      next = 0;

  g_assert_no_error (error);
  tally_test_address_or_die (&sender, SENDER);
  tally_test_address_or_die (&other, OTHER);
  add_entry (journal, &sender, 0, 10, TALLY_TX_STATE_MINED, kept);
  add_entry (journal, &sender, 1, 20, TALLY_TX_STATE_MINED, reorged);
  add_entry (journal, &sender, 2, 30, TALLY_TX_STATE_FAILED, reverted);
  add_entry (journal, &sender, 3, 40, TALLY_TX_STATE_PENDING, waiting);
  add_entry (journal, &sender, 2, 50, TALLY_TX_STATE_REPLACED, replaced);
  add_entry (journal, &other, 1, 60, TALLY_TX_STATE_MINED, others);

  /* The node agrees with the journal: nothing changes. */
  g_assert_true (tally_tx_journal_reopen_from_nonce (journal, 31337, &sender, 3, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 0);

  g_assert_true (tally_tx_journal_reopen_from_nonce (journal, 31337, &sender, 1, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpint (state_of (journal, kept), ==, TALLY_TX_STATE_MINED);
  g_assert_cmpint (state_of (journal, reorged), ==, TALLY_TX_STATE_PENDING);
  g_assert_cmpint (state_of (journal, reverted), ==, TALLY_TX_STATE_PENDING);
  g_assert_cmpint (state_of (journal, waiting), ==, TALLY_TX_STATE_PENDING);
  g_assert_cmpint (state_of (journal, replaced), ==, TALLY_TX_STATE_REPLACED);
  /* Another sender, another chain: untouched. */
  g_assert_cmpint (state_of (journal, others), ==, TALLY_TX_STATE_MINED);
  g_assert_true (tally_tx_journal_reopen_from_nonce (journal, 1, &other, 0, &n, &error));
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpint (state_of (journal, others), ==, TALLY_TX_STATE_MINED);

  /* The next nonce still follows the journal: the reopened entries go
   * back out first. */
  g_assert_true (tally_tx_journal_next_nonce (journal, 31337, &sender, &next, &error));
  g_assert_cmpuint (next, ==, 4);

  g_clear_object (&journal);
  tally_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/tx-journal/round-trip", test_journal);
  g_test_add_func ("/core/tx-journal/bad-files", test_journal_bad_files);
  g_test_add_func ("/core/tx-journal/reopen", test_journal_reopen);
  return g_test_run ();
}
