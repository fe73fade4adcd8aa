/* test-engine-writes.c: the engines write their records off the main loop
 * — a join, a reveal and a requester's create each wait on a store that
 * cannot be written (another connection holds SQLite's write lock, as a
 * slow disk would) while the main loop keeps turning and nothing reaches
 * the chain; once the write lands the step goes on. A step cancelled and
 * its engine dropped mid-write still lands its record and sends nothing.
 * The requester's rows go through the store's queue in order with the
 * other writes. The engines' reads go through it too: a pass starts while
 * a write waits on the disk, holding the store's lock, and the main loop
 * turns on; a read sees every write queued before it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include <glib/gstdio.h>

#include "core-error.h"
#include "store-private.h"
#include "store-requester.h"
#include "tally-test-engine.h"
#include "tally-test-rpc.h"

#define N_ITEMS 4
/* How long a write must stay pending, unfinished, for the test to take it
 * as the engine's; well under the store's 5 s busy timeout. */
#define BLOCKED_WINDOW_MS 500
#define TICK_MS           10
/* The longest the main loop may stand still while an engine works: far
 * below the store's busy timeout, far above a busy machine's hiccup. */
#define MAX_GAP_MS 2000

static const guint8  labels[N_ITEMS] = { 1, 2, 3, 4 };
static const guint16 gold_indices[] = { 1, 3 };
static const guint8  gold_labels[] = { 2, 4 };

/* ---- A store that cannot be written -------------------------------------------- */

/* Another connection to the engine's store in a write transaction: the
 * store's own writes wait in SQLite's busy handler until it ends, while
 * reads (WAL) go on. */
static sqlite3 *
block_writes (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "tally.db", NULL);
  sqlite3         *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  return db;
}

static void
unblock_writes (sqlite3 *db)
{
  g_assert_cmpint (sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

/* What the file holds (committed), read through the blocking connection:
 * the store's own connection is busy with the waiting write. */
static char *
state_on_disk (sqlite3    *db,
               const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char         *state = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    state = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return state;
}

/* The main loop's heartbeat: a timeout source, and the longest it went
 * without firing. */
typedef struct
{
  guint  source;
  guint  ticks;
  gint64 last;
  gint64 max_gap;
} Ticker;

static gboolean
on_tick (gpointer user_data)
{
  Ticker *ticker = user_data;
  gint64  now = g_get_monotonic_time ();

  ticker->max_gap = MAX (ticker->max_gap, now - ticker->last);
  ticker->last = now;
  ticker->ticks++;
  return G_SOURCE_CONTINUE;
}

static void
ticker_start (Ticker *ticker)
{
  ticker->last = g_get_monotonic_time ();
  ticker->source = g_timeout_add (TICK_MS, on_tick, ticker);
}

/* Asserts the loop never stood still for as long as a write waits on the
 * busy store (5 s): a write made on the main loop would have frozen it. */
static void
ticker_stop (Ticker *ticker)
{
  on_tick (ticker);
  g_source_remove (ticker->source);
  g_assert_cmpint (ticker->max_gap, <, MAX_GAP_MS * 1000);
}

/* Turns the main loop until a write is waiting on store's queue: a flush
 * queued behind it cannot finish within BLOCKED_WINDOW_MS, while one with
 * nothing before it finishes at once. *flushed gets the last flush when it
 * is done at last. The loop turns meanwhile: ticker fires. */
static void
wait_for_blocked_write (TallyStore    *store,
                        GAsyncResult **flushed,
                        Ticker        *ticker)
{
  g_autoptr (GTimer) total = g_timer_new ();
  guint before;

  for (;;)
    {
      g_autoptr (GTimer) window = g_timer_new ();

      g_assert_cmpfloat (g_timer_elapsed (total, NULL), <, 30.0);
      g_clear_object (flushed);
      tally_store_flush_async (store, NULL, tally_test_rpc_on_done, flushed);
      before = ticker->ticks;
      while (*flushed == NULL && g_timer_elapsed (window, NULL) * 1000 < BLOCKED_WINDOW_MS)
        g_main_context_iteration (NULL, TRUE);
      if (*flushed == NULL)
        break;
    }
  g_assert_cmpuint (ticker->ticks - before, >=, 5);
}

static guint64
nonce_of (TallyTestMarket *market,
          guint            account)
{
  char text[TALLY_ADDRESS_STRING_SIZE];

  tally_address_to_string (&market->accounts[account], text);
  return tally_test_rpc_nonce_of (market->client, text);
}

static TallyUint256
open_task (TallyTestMarket      *market,
           TallyLabelTaskParams *params)
{
  /* Two seats: one alone is a task nobody could check. */
  *params = tally_test_market_default_params (market, N_ITEMS, 2, 0);
  return tally_test_engine_open_task (market, params, 1, 1);
}

/* ---- The submitter ----------------------------------------------------------------- */

static void
test_join (TallyTestMarket *market,
           gconstpointer    data)
{
  TallyTestEngine      engine = { 0 };
  TallyLabelTaskParams params;
  TallyUint256         task_id = open_task (market, &params);
  g_autoptr (GAsyncResult) joined = NULL;
  g_autoptr (GAsyncResult) flushed = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *state = NULL;
  sqlite3         *db;
  guint64          nonce;
  guint            seat = G_MAXUINT;
  Ticker           ticker = { 0 };

  tally_test_engine_open (&engine, market, 1);
  nonce = nonce_of (market, 1);
  db = block_writes (engine.own_dir);
  ticker_start (&ticker);
  tally_submitter_join_async (engine.submitter, &task_id, NULL, tally_test_rpc_on_done, &joined);
  wait_for_blocked_write (engine.store, &flushed, &ticker);

  /* JOINING is not on disk yet, so the join is not sent. */
  g_assert_null (joined);
  g_assert_null (flushed);
  state = state_on_disk (db, "SELECT state FROM submissions");
  g_assert_null (state);
  g_assert_cmpuint (nonce_of (market, 1), ==, nonce);
  g_assert_null (joined);

  ticker_stop (&ticker);
  unblock_writes (db);
  g_assert_true (tally_submitter_join_finish (engine.submitter, tally_test_rpc_wait_for (&joined),
                                              &seat, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (seat, ==, 0);
  g_assert_true (tally_store_flush_finish (engine.store, tally_test_rpc_wait_for (&flushed), &error));
  g_assert_cmpuint (nonce_of (market, 1), ==, nonce + 1);
  g_assert_cmpint (tally_test_engine_state_of (&engine, market, 1, &task_id), ==,
                   TALLY_SUBMISSION_JOINED);
  tally_test_engine_clear (&engine);
}

static void
test_reveal (TallyTestMarket *market,
             gconstpointer    data)
{
  TallyTestEngine      engine = { 0 };
  TallyLabelTaskParams params;
  TallyUint256         task_id = open_task (market, &params);
  g_autoptr (GAsyncResult) stepped = NULL;
  g_autoptr (GAsyncResult) flushed = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *state = NULL;
  sqlite3         *db;
  guint64          nonce;
  guint            left = G_MAXUINT;
  Ticker           ticker = { 0 };

  tally_test_engine_open (&engine, market, 1);
  g_assert_true (tally_test_engine_submit (&engine, &task_id, labels, N_ITEMS, &error));
  g_assert_no_error (error);
  tally_test_market_advance_to (market, params.commit_deadline + 1);
  nonce = nonce_of (market, 1);

  db = block_writes (engine.own_dir);
  ticker_start (&ticker);
  tally_submitter_step_async (engine.submitter, NULL, tally_test_rpc_on_done, &stepped);
  wait_for_blocked_write (engine.store, &flushed, &ticker);
  /* The salt is on disk, but REVEALING is not: no reveal yet. */
  g_assert_null (stepped);
  state = state_on_disk (db, "SELECT state FROM submissions");
  g_assert_cmpstr (state, ==, "committed");
  g_assert_cmpuint (nonce_of (market, 1), ==, nonce);

  ticker_stop (&ticker);
  unblock_writes (db);
  g_assert_true (tally_submitter_step_finish (engine.submitter, tally_test_rpc_wait_for (&stepped),
                                              &left, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (nonce_of (market, 1), ==, nonce + 1);
  g_assert_cmpint (tally_test_market_get_seat (market, &task_id, 0).state, ==,
                   TALLY_LABEL_SEAT_REVEALED);
  g_assert_cmpint (tally_test_engine_state_of (&engine, market, 1, &task_id), ==,
                   TALLY_SUBMISSION_REVEALED);
  g_assert_true (tally_store_flush_finish (engine.store, tally_test_rpc_wait_for (&flushed), &error));
  tally_test_engine_clear (&engine);
}

/* Cancelled, and the engine's last outside reference dropped, while its
 * record waits for the disk: the record lands, nothing is sent, nothing
 * freed is touched (ASan); the next pass sends the join the record says. */
static void
test_cancel_while_writing (TallyTestMarket *market,
                           gconstpointer    data)
{
  TallyTestEngine      engine = { 0 };
  TallyLabelTaskParams params;
  TallyUint256         task_id = open_task (market, &params);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GAsyncResult) joined = NULL;
  g_autoptr (GAsyncResult) flushed = NULL;
  g_autoptr (GError) error = NULL;
  TallySubmitter *submitter;
  GWeakRef        weak;
  sqlite3        *db;
  guint64         nonce;
  Ticker          ticker = { 0 };

  tally_test_engine_open (&engine, market, 1);
  nonce = nonce_of (market, 1);
  db = block_writes (engine.own_dir);
  ticker_start (&ticker);
  tally_submitter_join_async (engine.submitter, &task_id, cancellable, tally_test_rpc_on_done,
                              &joined);
  wait_for_blocked_write (engine.store, &flushed, &ticker);
  g_weak_ref_init (&weak, engine.submitter);
  g_clear_object (&engine.submitter);
  g_cancellable_cancel (cancellable);
  ticker_stop (&ticker);
  unblock_writes (db);

  submitter = TALLY_SUBMITTER (g_async_result_get_source_object (tally_test_rpc_wait_for (&joined)));
  g_assert_false (tally_submitter_join_finish (submitter, joined, NULL, &error));
  g_object_unref (submitter);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (&joined);
  /* The submitter lived exactly as long as its operation. */
  g_assert_null (g_weak_ref_get (&weak));
  g_weak_ref_clear (&weak);
  g_assert_cmpuint (nonce_of (market, 1), ==, nonce);
  g_assert_cmpint (tally_test_engine_state_of (&engine, market, 1, &task_id), ==,
                   TALLY_SUBMISSION_JOINING);

  /* As after a crash there: the engine joins, then records the seat. */
  engine.submitter = tally_submitter_new (engine.store, engine.tasks, engine.manager);
  g_assert_cmpuint (tally_test_engine_step (&engine), ==, 1);
  g_assert_cmpuint (nonce_of (market, 1), ==, nonce + 1);
  g_assert_cmpuint (tally_test_engine_step (&engine), ==, 1);
  g_assert_cmpint (tally_test_engine_state_of (&engine, market, 1, &task_id), ==,
                   TALLY_SUBMISSION_JOINED);
  tally_test_engine_clear (&engine);
}

/* ---- The requester ----------------------------------------------------------------- */

static void
test_create (TallyTestMarket *market,
             gconstpointer    data)
{
  TallyTestEngine      engine = { 0 };
  TallyLabelTaskParams params = tally_test_market_default_params (market, N_ITEMS, 2, 0);
  g_autoptr (GArray) gold = g_array_new (FALSE, FALSE, sizeof (guint16));
  g_autoptr (GBytes) golden = g_bytes_new_static (gold_labels, sizeof gold_labels);
  g_autoptr (GAsyncResult) created = NULL;
  g_autoptr (GAsyncResult) flushed = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autofree char          *state = NULL;
  TallyRequesterTaskRecord *row;
  TallyUint256              task_id;
  sqlite3                  *db;
  guint64                   nonce;
  Ticker                    ticker = { 0 };

  g_array_append_vals (gold, gold_indices, G_N_ELEMENTS (gold_indices));
  tally_test_engine_open (&engine, market, TALLY_TEST_MARKET_REQUESTER);
  nonce = nonce_of (market, TALLY_TEST_MARKET_REQUESTER);
  db = block_writes (engine.own_dir);
  ticker_start (&ticker);
  tally_requester_create_task_async (engine.requester, &params, "ipfs://engine-writes", gold, golden,
                                     NULL, tally_test_rpc_on_done, &created);
  /* The budget's approve goes out first. */
  while (nonce_of (market, TALLY_TEST_MARKET_REQUESTER) == nonce)
    g_usleep (10000);
  wait_for_blocked_write (engine.store, &flushed, &ticker);
  /* The create waits for its row, gold and salt, to be on disk. */
  g_assert_null (created);
  state = state_on_disk (db, "SELECT state FROM requester_tasks");
  g_assert_null (state);
  g_assert_cmpuint (nonce_of (market, TALLY_TEST_MARKET_REQUESTER), ==, nonce + 1);

  ticker_stop (&ticker);
  unblock_writes (db);
  g_assert_true (tally_requester_create_task_finish (engine.requester,
                                                     tally_test_rpc_wait_for (&created), &task_id,
                                                     &error));
  g_assert_no_error (error);
  g_assert_cmpuint (nonce_of (market, TALLY_TEST_MARKET_REQUESTER), ==, nonce + 2);
  g_assert_true (tally_store_flush_finish (engine.store, tally_test_rpc_wait_for (&flushed), &error));
  /* The task's id is on disk by the time the create returns. */
  rows = tally_store_list_requester_tasks (engine.store, market->chain_id, &market->market,
                                           &market->accounts[TALLY_TEST_MARKET_REQUESTER], FALSE,
                                           &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  row = g_ptr_array_index (rows, 0);
  g_assert_cmpint (row->state, ==, TALLY_REQUESTER_TASK_OPEN);
  g_assert_true (row->has_task_id);
  g_assert_cmpint (tally_uint256_cmp (&row->task_id, &task_id), ==, 0);
  g_assert_true (row->has_gold_salt);
  tally_test_engine_clear (&engine);
}

/* ---- The requester's rows on the store's queue ------------------------------------ */

static TallyRequesterTaskRecord *
sample_row (const char *purpose)
{
  TallyRequesterTaskRecord *row = g_new0 (TallyRequesterTaskRecord, 1);

  row->purpose = g_strdup (purpose);
  row->chain_id = 31337;
  memset (row->market.bytes, 1, TALLY_ADDRESS_LEN);
  memset (row->requester.bytes, 2, TALLY_ADDRESS_LEN);
  memset (row->manifest_hash, 3, 32);
  row->gold_indices = g_array_new (FALSE, FALSE, sizeof (guint16));
  g_array_append_vals (row->gold_indices, gold_indices, G_N_ELEMENTS (gold_indices));
  row->gold_labels = g_bytes_new_static (gold_labels, sizeof gold_labels);
  row->has_gold_salt = TRUE;
  memset (row->gold_salt, 4, 32);
  row->state = TALLY_REQUESTER_TASK_CREATING;
  return row;
}

typedef struct
{
  GArray *order;
  guint   index;
} Ordered;

static void
on_ordered (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Ordered *ordered = user_data;
  gboolean ok;

  if (g_async_result_is_tagged (result, tally_store_put_requester_task_async))
    ok = tally_store_put_requester_task_finish (TALLY_STORE (source), result, NULL);
  else
    ok = tally_store_put_submission_finish (TALLY_STORE (source), result, NULL);
  g_assert_true (ok);
  g_array_append_val (ordered->order, ordered->index);
  g_free (ordered);
}

static void
test_row_queue (void)
{
  g_autoptr (GError) error = NULL;
  char            *dir = g_dir_make_tmp ("tally-ewq-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "tally.db", NULL);
  g_autoptr (TallyStore) store = tally_store_open (path, &error);
  g_autoptr (GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (TallyRequesterTaskRecord) row = sample_row ("Create task 1");
  g_autoptr (TallyRequesterTaskRecord) read = NULL;
  g_autoptr (TallySubmissionRecord) record = g_new0 (TallySubmissionRecord, 1);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GAsyncResult) cancelled = NULL;
  g_autoptr (GAsyncResult) failed = NULL;
  sqlite3 *db = NULL;
  guint    n = 0;

  g_assert_no_error (error);
  record->chain_id = 31337;
  record->state = TALLY_SUBMISSION_COMMITTING;

  /* Queued with the lock held here: none can land before all are queued. */
  _tally_store_lock (store);
  for (guint i = 0; i < 60; i++)
    {
      Ordered *ordered = g_new0 (Ordered, 1);

      ordered->order = order;
      ordered->index = n++;
      if (i % 2 == 0)
        {
          /* Copied when queued: the change after it is not written. */
          row->state = i < 40 ? TALLY_REQUESTER_TASK_OPEN : TALLY_REQUESTER_TASK_REVEALING_GOLD;
          tally_store_put_requester_task_async (store, row, NULL, on_ordered, ordered);
          row->state = TALLY_REQUESTER_TASK_FAILED;
        }
      else
        tally_store_put_submission_async (store, record, NULL, on_ordered, ordered);
    }
  g_assert_cmpuint (order->len, ==, 0);
  _tally_store_unlock (store);
  /* Blocks until every queued write has run: the callbacks come after. */
  tally_store_flush_sync (store);
  while (order->len < n)
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < order->len; i++)
    g_assert_cmpuint (g_array_index (order, guint, i), ==, i);
  read = tally_store_get_requester_task (store, "Create task 1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (read->state, ==, TALLY_REQUESTER_TASK_REVEALING_GOLD);
  g_assert_true (read->has_gold_salt);
  g_assert_cmpmem (read->gold_salt, 32, row->gold_salt, 32);
  g_assert_cmpmem (read->gold_indices->data, read->gold_indices->len * sizeof (guint16),
                   gold_indices, sizeof gold_indices);
  g_clear_pointer (&read, tally_requester_task_record_free);

  /* Cancelled before it ran: not written. */
  g_clear_pointer (&row->purpose, g_free);
  row->purpose = g_strdup ("Create task 2");
  g_cancellable_cancel (cancellable);
  tally_store_put_requester_task_async (store, row, cancellable, tally_test_rpc_on_done, &cancelled);
  g_assert_false (tally_store_put_requester_task_finish (store, tally_test_rpc_wait_for (&cancelled),
                                                         &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  read = tally_store_get_requester_task (store, "Create task 2", &error);
  g_assert_null (read);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A write that fails says why, naming the file. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP TABLE requester_tasks", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  tally_store_put_requester_task_async (store, row, NULL, tally_test_rpc_on_done, &failed);
  g_assert_false (tally_store_put_requester_task_finish (store, tally_test_rpc_wait_for (&failed),
                                                         &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE);
  g_assert_nonnull (strstr (error->message, path));

  g_clear_object (&store);
  tally_test_engine_remove_dir (dir);
}

/* ---- The engines' reads on the store's queue ------------------------------------- */

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  gboolean *written = user_data;

  g_assert_true (tally_store_put_submission_finish (TALLY_STORE (source), result, NULL));
  *written = TRUE;
}

/* One pass of the submitter's engine (or the requester's) started while a
 * write of another market's record waits on the disk: the pass's first
 * read waits behind it, off the main loop — made on the main loop it would
 * stand there until the write gave up (the store's 5 s busy timeout). */
static void
pass_behind_blocked_write (TallyTestEngine *engine,
                           TallyTestMarket *market,
                           gboolean         requester)
{
  g_autoptr (TallySubmissionRecord) other = g_new0 (TallySubmissionRecord, 1);
  g_autoptr (GAsyncResult) stepped = NULL;
  g_autoptr (GAsyncResult) flushed = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GTimer) timer = NULL;
  sqlite3 *db;
  gboolean written = FALSE;
  gboolean ok;
  guint    left = G_MAXUINT;
  Ticker   ticker = { 0 };

  other->chain_id = market->chain_id;
  memset (other->market.bytes, 9, TALLY_ADDRESS_LEN);
  other->state = TALLY_SUBMISSION_COMMITTING;
  db = block_writes (engine->own_dir);
  ticker_start (&ticker);
  tally_store_put_submission_async (engine->store, other, NULL, on_written, &written);
  wait_for_blocked_write (engine->store, &flushed, &ticker);
  if (requester)
    tally_requester_step_async (engine->requester, NULL, tally_test_rpc_on_done, &stepped);
  else
    tally_submitter_step_async (engine->submitter, NULL, tally_test_rpc_on_done, &stepped);
  /* Long enough for the pass to reach its read on an idle machine; on a
   * loaded one the read may come later, and the loop turns either way. */
  timer = g_timer_new ();
  while (g_timer_elapsed (timer, NULL) < 1.5)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  g_assert_null (stepped);
  g_assert_false (written);
  ticker_stop (&ticker);
  unblock_writes (db);

  if (requester)
    ok = tally_requester_step_finish (engine->requester, tally_test_rpc_wait_for (&stepped), &left,
                                      &error);
  else
    ok = tally_submitter_step_finish (engine->submitter, tally_test_rpc_wait_for (&stepped), &left,
                                      &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (left, ==, 0);
  /* Queued before the pass's read, the write was done before the pass. */
  g_assert_true (written);
  g_assert_true (tally_store_flush_finish (engine->store, tally_test_rpc_wait_for (&flushed), &error));
  g_assert_no_error (error);
}

static void
test_pass_reads (TallyTestMarket *market,
                 gconstpointer    data)
{
  TallyTestEngine engine = { 0 };

  tally_test_engine_open (&engine, market, TALLY_TEST_MARKET_REQUESTER);
  pass_behind_blocked_write (&engine, market, FALSE);
  pass_behind_blocked_write (&engine, market, TRUE);
  tally_test_engine_clear (&engine);
}

static void
test_read_queue (void)
{
  g_autoptr (GError) error = NULL;
  char            *dir = g_dir_make_tmp ("tally-ewd-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "tally.db", NULL);
  g_autoptr (TallyStore) store = tally_store_open (path, &error);
  g_autoptr (TallyRequesterTaskRecord) row = sample_row ("Create task 1");
  g_autoptr (TallySubmissionRecord) record = g_new0 (TallySubmissionRecord, 1);
  g_autoptr (TallySubmissionRecord) got = NULL;
  g_autoptr (GPtrArray) unfinished = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GAsyncResult) put = NULL;
  g_autoptr (GAsyncResult) put_row = NULL;
  g_autoptr (GAsyncResult) read_one = NULL;
  g_autoptr (GAsyncResult) read_list = NULL;
  g_autoptr (GAsyncResult) read_rows = NULL;
  g_autoptr (GAsyncResult) missing = NULL;
  TallyUint256 other_task;

  g_assert_no_error (error);
  record->chain_id = row->chain_id;
  record->market = row->market;
  tally_uint256_from_uint64 (&record->task_id, 7);
  memset (record->account.bytes, 5, TALLY_ADDRESS_LEN);
  record->state = TALLY_SUBMISSION_JOINING;

  /* Each read is queued after the write it must see, with the lock held
   * here so that none of them can run before all are queued. */
  _tally_store_lock (store);
  tally_store_put_submission_async (store, record, NULL, tally_test_rpc_on_done, &put);
  tally_store_get_submission_async (store, record->chain_id, &record->market, &record->task_id,
                                    &record->account, TALLY_SUBMISSION_ANNOTATOR, 0, NULL, tally_test_rpc_on_done,
                                    &read_one);
  tally_store_list_unfinished_async (store, record->chain_id, &record->market, NULL, tally_test_rpc_on_done,
                                     &read_list);
  tally_store_put_requester_task_async (store, row, NULL, tally_test_rpc_on_done, &put_row);
  tally_store_list_requester_tasks_async (store, row->chain_id, &row->market, &row->requester, TRUE,
                                          NULL, tally_test_rpc_on_done, &read_rows);
  tally_uint256_from_uint64 (&other_task, 8);
  tally_store_get_submission_async (store, record->chain_id, &record->market, &other_task,
                                    &record->account, TALLY_SUBMISSION_ANNOTATOR, 0, NULL, tally_test_rpc_on_done,
                                    &missing);
  _tally_store_unlock (store);

  got = tally_store_get_submission_finish (store, tally_test_rpc_wait_for (&read_one), &error);
  g_assert_no_error (error);
  g_assert_cmpint (got->state, ==, TALLY_SUBMISSION_JOINING);
  g_assert_cmpint (tally_uint256_cmp (&got->task_id, &record->task_id), ==, 0);
  unfinished = tally_store_list_unfinished_finish (store, tally_test_rpc_wait_for (&read_list),
                                                   &error);
  g_assert_no_error (error);
  g_assert_cmpuint (unfinished->len, ==, 1);
  rows = tally_store_list_requester_tasks_finish (store, tally_test_rpc_wait_for (&read_rows),
                                                  &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpstr (((TallyRequesterTaskRecord *) g_ptr_array_index (rows, 0))->purpose, ==,
                   "Create task 1");
  /* None is no failure of the store, and says what is missing as the
   * synchronous read does. */
  g_clear_pointer (&got, tally_submission_record_free);
  got = tally_store_get_submission_finish (store, tally_test_rpc_wait_for (&missing), &error);
  g_assert_null (got);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "No submission for task 8 in the store");
  g_clear_error (&error);
  g_assert_true (tally_store_put_submission_finish (store, tally_test_rpc_wait_for (&put), &error));
  g_assert_true (tally_store_put_requester_task_finish (store, tally_test_rpc_wait_for (&put_row),
                                                        &error));
  g_clear_object (&read_one);
  g_clear_object (&read_list);
  g_clear_object (&read_rows);

  /* Cancelled before they ran: each says so, and what a read would have
   * returned is not leaked (ASan). */
  _tally_store_lock (store);
  tally_store_get_submission_async (store, record->chain_id, &record->market, &record->task_id,
                                    &record->account, TALLY_SUBMISSION_ANNOTATOR, 0, cancellable,
                                    tally_test_rpc_on_done, &read_one);
  tally_store_list_unfinished_async (store, record->chain_id, &record->market, cancellable, tally_test_rpc_on_done,
                                     &read_list);
  tally_store_list_requester_tasks_async (store, row->chain_id, &row->market, &row->requester, TRUE,
                                          cancellable, tally_test_rpc_on_done, &read_rows);
  g_cancellable_cancel (cancellable);
  _tally_store_unlock (store);
  g_clear_pointer (&got, tally_submission_record_free);
  got = tally_store_get_submission_finish (store, tally_test_rpc_wait_for (&read_one), &error);
  g_assert_null (got);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_null (tally_store_list_unfinished_finish (store, tally_test_rpc_wait_for (&read_list),
                                                     &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_null (tally_store_list_requester_tasks_finish (store,
                                                          tally_test_rpc_wait_for (&read_rows),
                                                          &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* Read, but never finished by its caller: the result is freed with the
   * task (ASan). */
  g_clear_object (&read_list);
  tally_store_list_unfinished_async (store, record->chain_id, &record->market, NULL, tally_test_rpc_on_done,
                                     &read_list);
  tally_test_rpc_wait_for (&read_list);

  g_clear_object (&store);
  tally_test_engine_remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/engine-writes/row-queue", test_row_queue);
  g_test_add_func ("/core/engine-writes/read-queue", test_read_queue);
  g_test_add ("/core/engine-writes/pass-reads", TallyTestMarket, "tally-ewp-XXXXXX",
              tally_test_market_set_up, test_pass_reads, tally_test_market_tear_down);
  g_test_add ("/core/engine-writes/join", TallyTestMarket, "tally-ewj-XXXXXX",
              tally_test_market_set_up, test_join, tally_test_market_tear_down);
  g_test_add ("/core/engine-writes/reveal", TallyTestMarket, "tally-ewr-XXXXXX",
              tally_test_market_set_up, test_reveal, tally_test_market_tear_down);
  g_test_add ("/core/engine-writes/cancel-while-writing", TallyTestMarket, "tally-ewc-XXXXXX",
              tally_test_market_set_up, test_cancel_while_writing, tally_test_market_tear_down);
  g_test_add ("/core/engine-writes/create", TallyTestMarket, "tally-ewt-XXXXXX",
              tally_test_market_set_up, test_create, tally_test_market_tear_down);
  return g_test_run ();
}
