/* test-gold.c: reference (gold) items on tools/devnet — each seat's gold
 * score and failure exactly as finalize decides them, TallyRequester's
 * create (row before broadcast, gold committed, refusals of bad gold) and
 * its engine revealing the gold once in its window, and a create whose
 * broadcast never reached the node, finished by a restart without a
 * second task
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "core-error.h"
#include "label-market.h"
#include "requester.h"
#include "tally-fault-proxy.h"
#include "tally-test-engine.h"
#include "tally-test-rpc.h"
#include "task-gold.h"

#define N_ITEMS 6

static const guint16 gold_indices[] = { 1, 4 };
static const guint8  gold_labels[] = { 2, 1 };

static gboolean
create (TallyTestEngine            *engine,
        const TallyLabelTaskParams *params,
        const guint16              *indices,
        const guint8               *labels,
        gsize                       n_gold,
        TallyUint256               *task_id,
        GError                    **error)
{
  g_autoptr (GArray) gold = g_array_new (FALSE, FALSE, sizeof (guint16));
  g_autoptr (GBytes) bytes = g_bytes_new (labels, n_gold);
  GAsyncResult *result = NULL;
  gboolean      ok;

  g_array_append_vals (gold, indices, (guint) n_gold);
  tally_requester_create_task_async (engine->requester, params, "ipfs://gold", gold, bytes, NULL,
                                     tally_test_rpc_on_done, &result);
  ok = tally_requester_create_task_finish (engine->requester, tally_test_rpc_wait_for (&result),
                                           task_id, error);
  g_object_unref (result);
  return ok;
}

static GPtrArray *
rows (TallyTestEngine *engine,
      TallyTestMarket *market)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *list = tally_store_list_requester_tasks (engine->store, market->chain_id,
                                                      &market->market,
                                                      &market->accounts[TALLY_TEST_MARKET_REQUESTER],
                                                      FALSE, &error);

  g_assert_no_error (error);
  return list;
}

static guint64
task_count (TallyTestMarket *market)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply = NULL;
  guint8      *calldata = NULL;
  gsize        len = 0;
  TallyUint256 count;
  guint64      small = 0;

  g_assert_true (tally_label_market_encode_task_count (&calldata, &len, &error));
  reply = tally_test_market_call (market, &market->market, calldata, len);
  g_assert_true (tally_label_market_decode_task_count (&count, g_bytes_get_data (reply, NULL),
                                                       g_bytes_get_size (reply), &error));
  g_assert_true (tally_uint256_to_uint64 (&small, &count));
  return small;
}

static TallyLabelTaskParams
gold_params (TallyTestMarket *market,
             guint            replication)
{
  TallyLabelTaskParams params = tally_test_market_default_params (market, N_ITEMS, replication, 0);

  params.min_gold_accuracy_bps = 5000;
  return params;
}

/* ---- Scores ------------------------------------------------------------------ */

typedef struct
{
  TallyMarketLog *log;
  TallyTaskList  *tasks;
  gboolean        checked_before_reveal;
} Watch;

static TallyTask *
synced_task (TallyTestMarket    *market,
             Watch              *watch,
             const TallyUint256 *task_id)
{
  g_autoptr (GError) error = NULL;
  GAsyncResult *result = NULL;

  if (watch->log == NULL)
    {
      watch->log = tally_market_log_new (market->client, market->devnet.profile, NULL, &error);
      g_assert_no_error (error);
      watch->tasks = tally_task_list_new (watch->log);
    }
  tally_market_log_sync_async (watch->log, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (tally_market_log_sync_finish (watch->log, tally_test_rpc_wait_for (&result), &error));
  g_assert_no_error (error);
  g_object_unref (result);
  return tally_task_list_lookup (watch->tasks, task_id);
}

static void
before_gold (TallyTestMarket     *market,
             TallyTestMarketStage stage,
             const TallyUint256  *task_id,
             gpointer             user_data)
{
  Watch     *watch = user_data;
  TallyTask *task;
  guint      correct = 7, total = 7;

  if (stage != TALLY_TEST_MARKET_REVEALED)
    return;
  /* Labels revealed, gold not yet: nothing can be scored. */
  task = synced_task (market, watch, task_id);
  g_assert_nonnull (task);
  g_assert_true (tally_task_has_gold (task));
  g_assert_false (tally_task_get_gold_revealed (task));
  g_assert_false (tally_task_gold_score (task, 0, &correct, &total));
  g_assert_cmpuint (correct, ==, 0);
  g_assert_cmpuint (total, ==, 0);
  g_assert_false (tally_task_gold_failed (task, 0));
  g_assert_null (tally_task_gold_missed (task, 0));
  watch->checked_before_reveal = TRUE;
}

static void
test_score (TallyTestMarket *market,
            gconstpointer    data)
{
  /* Gold: item 1 is class 2, item 4 class 1; the minimum is 50 %. */
  static const guint8 all_right[N_ITEMS] = { 1, 2, 3, 4, 1, 2 };
  static const guint8 half_right[N_ITEMS] = { 1, 2, 3, 4, 3, 2 };
  static const guint8 none_right[N_ITEMS] = { 1, 3, 3, 4, 0, 2 };
  TallyTestMarketTask run = { 0 };
  Watch               watch = { 0 };
  TallyUint256        task_id;
  TallyTask          *task;
  g_autoptr (GArray) missed = NULL;
  const TallyTaskGoldMiss *miss;
  guint                    correct = 0, total = 0;

  run.params = gold_params (market, 3);
  run.requester = TALLY_TEST_MARKET_REQUESTER;
  run.n_annotators = 3;
  for (guint s = 0; s < 3; s++)
    run.annotators[s] = s + 1;
  run.labels[0] = all_right;
  run.labels[1] = half_right;
  run.labels[2] = none_right;
  run.n_gold = G_N_ELEMENTS (gold_indices);
  run.gold_indices = gold_indices;
  run.gold_labels = gold_labels;
  run.hook = before_gold;
  run.hook_data = &watch;
  task_id = tally_test_market_run_task (market, &run);
  g_assert_true (watch.checked_before_reveal);
  task = synced_task (market, &watch, &task_id);
  g_assert_cmpint (tally_task_get_state (task), ==, TALLY_LABEL_TASK_FINALIZED);

  g_assert_true (tally_task_gold_score (task, 0, &correct, &total));
  g_assert_cmpuint (correct, ==, 2);
  g_assert_cmpuint (total, ==, 2);
  g_assert_false (tally_task_gold_failed (task, 0));
  missed = tally_task_gold_missed (task, 0);
  g_assert_cmpuint (missed->len, ==, 0);
  g_clear_pointer (&missed, g_array_unref);

  /* 1 of 2 is exactly the minimum: 1 x 10,000 is not below 5,000 x 2. */
  g_assert_true (tally_task_gold_score (task, 1, &correct, &total));
  g_assert_cmpuint (correct, ==, 1);
  g_assert_false (tally_task_gold_failed (task, 1));
  missed = tally_task_gold_missed (task, 1);
  g_assert_cmpuint (missed->len, ==, 1);
  miss = &g_array_index (missed, TallyTaskGoldMiss, 0);
  g_assert_cmpuint (miss->index, ==, 4);
  g_assert_cmpuint (miss->given, ==, 3);
  g_assert_cmpuint (miss->gold, ==, 1);
  g_clear_pointer (&missed, g_array_unref);

  /* A skip on a gold item is a miss like any other label. */
  g_assert_true (tally_task_gold_score (task, 2, &correct, &total));
  g_assert_cmpuint (correct, ==, 0);
  g_assert_true (tally_task_gold_failed (task, 2));
  missed = tally_task_gold_missed (task, 2);
  g_assert_cmpuint (missed->len, ==, 2);
  g_assert_cmpuint (g_array_index (missed, TallyTaskGoldMiss, 0).given, ==, 3);
  g_assert_cmpuint (g_array_index (missed, TallyTaskGoldMiss, 1).given, ==, 0);

  /* What the contract decided agrees: the failed seat has every label
   * wrong, the one at the minimum only its missed gold item. */
  g_assert_cmpuint (tally_task_get_seat (task, 0)->correct, ==, N_ITEMS);
  g_assert_cmpuint (tally_task_get_seat (task, 1)->correct, ==, N_ITEMS - 1);
  g_assert_cmpuint (tally_task_get_seat (task, 1)->wrong, ==, 1);
  g_assert_cmpuint (tally_task_get_seat (task, 2)->correct, ==, 0);
  g_assert_cmpuint (tally_task_get_seat (task, 2)->wrong, ==, N_ITEMS);
  /* No seat 3, and nothing for it. */
  g_assert_false (tally_task_gold_score (task, 3, &correct, &total));

  g_clear_object (&watch.tasks);
  g_clear_object (&watch.log);
}

/* ---- The requester ------------------------------------------------------------- */

static void
test_requester (TallyTestMarket *market,
                gconstpointer    data)
{
  static const guint16 unordered[] = { 4, 1 };
  static const guint16 beyond[] = { 1, N_ITEMS };
  static const guint8  no_class[] = { 2, 0 };
  TallyLabelTaskParams params = gold_params (market, 2);
  TallyLabelTaskParams plain = tally_test_market_default_params (market, N_ITEMS, 2, 0);
  TallyTestEngine      engine = { 0 };
  char                *dir = tally_test_engine_make_dir ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GPtrArray) pending = NULL;
  TallyRequesterTaskRecord *row;
  TallyLabelTask            chain_task;
  TallyUint256              task_id, plain_id;
  guint8                    commitment[32];
  guint64                   before = task_count (market);

  tally_test_engine_init_for (&engine, market, NULL, dir, TALLY_TEST_MARKET_REQUESTER);

  /* Bad gold is refused before anything is sent. */
  g_assert_false (create (&engine, &params, unordered, gold_labels, 2, &task_id, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION);
  g_clear_error (&error);
  g_assert_false (create (&engine, &params, beyond, gold_labels, 2, &task_id, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION);
  g_clear_error (&error);
  g_assert_false (create (&engine, &params, gold_indices, no_class, 2, &task_id, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION);
  g_clear_error (&error);
  g_assert_cmpuint (task_count (market), ==, before);
  list = rows (&engine, market);
  g_assert_cmpuint (list->len, ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);

  g_assert_true (create (&engine, &params, gold_indices, gold_labels, 2, &task_id, &error));
  g_assert_no_error (error);
  g_assert_true (create (&engine, &plain, NULL, NULL, 0, &plain_id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (task_count (market), ==, before + 2);

  /* The row holds what the reveal needs, and the chain the commitment of
   * exactly that gold and salt. */
  list = rows (&engine, market);
  g_assert_cmpuint (list->len, ==, 2);
  row = g_ptr_array_index (list, 0);
  g_assert_cmpint (row->state, ==, TALLY_REQUESTER_TASK_OPEN);
  g_assert_true (row->has_task_id);
  g_assert_cmpint (tally_uint256_cmp (&row->task_id, &task_id), ==, 0);
  g_assert_true (row->has_gold_salt);
  g_assert_cmpmem (row->gold_indices->data, row->gold_indices->len * sizeof (guint16), gold_indices,
                   sizeof gold_indices);
  g_assert_cmpmem (g_bytes_get_data (row->gold_labels, NULL), g_bytes_get_size (row->gold_labels),
                   gold_labels, sizeof gold_labels);
  chain_task = tally_test_market_get_task (market, &task_id);
  tally_label_market_gold_commitment (commitment, params.manifest_hash, gold_indices, gold_labels,
                                      2, row->gold_salt);
  g_assert_cmpmem (chain_task.params.gold_commitment, 32, commitment, 32);
  g_assert_cmpuint (chain_task.params.min_gold_accuracy_bps, ==, 5000);
  /* A task without gold has nothing left to do once created. */
  row = g_ptr_array_index (list, 1);
  g_assert_cmpint (row->state, ==, TALLY_REQUESTER_TASK_DONE);
  g_assert_null (row->gold_indices);
  g_assert_cmpint (tally_uint256_cmp (&row->task_id, &plain_id), ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* Before the reveal deadline the engine waits, at it too (inclusive). */
  g_assert_cmpuint (tally_test_engine_step_requester (&engine), ==, 1);
  tally_test_market_advance_to (market, params.reveal_deadline);
  g_assert_cmpuint (tally_test_engine_step_requester (&engine), ==, 1);
  g_assert_false (tally_test_market_get_task (market, &task_id).gold_revealed);

  /* After it, the gold is revealed, once. */
  tally_test_market_advance_to (market, params.reveal_deadline + 1);
  g_assert_cmpuint (tally_test_engine_step_requester (&engine), ==, 0);
  g_assert_true (tally_test_market_get_task (market, &task_id).gold_revealed);
  g_assert_cmpuint (tally_test_engine_step_requester (&engine), ==, 0);
  list = rows (&engine, market);
  g_assert_cmpint (((TallyRequesterTaskRecord *) g_ptr_array_index (list, 0))->state, ==,
                   TALLY_REQUESTER_TASK_DONE);
  pending = tally_tx_journal_list_pending (engine.journal, market->chain_id,
                                           &market->accounts[TALLY_TEST_MARKET_REQUESTER], &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 0);
  g_assert_cmpuint (task_count (market), ==, before + 2);

  tally_test_engine_clear (&engine);
  tally_test_engine_remove_dir (dir);
}

/* A gold task whose window closed before anyone revealed: the row fails
 * with a reason and the engine has nothing left to do. */
static void
test_window_missed (TallyTestMarket *market,
                    gconstpointer    data)
{
  TallyLabelTaskParams params = gold_params (market, 2);
  TallyTestEngine      engine = { 0 };
  char                *dir = tally_test_engine_make_dir ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL;
  TallyRequesterTaskRecord *row;
  TallyUint256              task_id;

  tally_test_engine_init_for (&engine, market, NULL, dir, TALLY_TEST_MARKET_REQUESTER);
  g_assert_true (create (&engine, &params, gold_indices, gold_labels, 2, &task_id, &error));
  g_assert_no_error (error);
  tally_test_market_advance_to (market, params.review_reveal_deadline + 1);
  g_assert_cmpuint (tally_test_engine_step_requester (&engine), ==, 0);
  list = rows (&engine, market);
  row = g_ptr_array_index (list, 0);
  g_assert_cmpint (row->state, ==, TALLY_REQUESTER_TASK_FAILED);
  g_assert_nonnull (strstr (row->reason, "settles without gold"));
  g_assert_false (tally_test_market_get_task (market, &task_id).gold_revealed);
  tally_test_engine_clear (&engine);
  tally_test_engine_remove_dir (dir);
}

/* The approve goes through; the create, written down and journaled, never
 * reaches the node. A restart finishes that create: one task, not two. */
static void
test_create_not_broadcast (TallyTestMarket *market,
                           gconstpointer    data)
{
  TallyLabelTaskParams params = gold_params (market, 2);
  TallyTestEngine      engine = { 0 };
  char                *dir = tally_test_engine_make_dir ();
  g_autoptr (TallyFaultProxy) proxy = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GPtrArray) pending = NULL;
  g_autofree char          *purpose = NULL;
  TallyRequesterTaskRecord *row;
  TallyUint256              task_id, expected;
  guint64                   before = task_count (market);
  gboolean                  journaled = FALSE;

  proxy = tally_fault_proxy_new (tally_rpc_client_get_url (market->client), &error);
  g_assert_no_error (error);
  tally_fault_proxy_drop_calls_from (proxy, "eth_sendRawTransaction", 2);
  tally_test_engine_init_for (&engine, market, tally_fault_proxy_get_url (proxy), dir,
                              TALLY_TEST_MARKET_REQUESTER);
  g_assert_false (create (&engine, &params, gold_indices, gold_labels, 2, &task_id, &error));
  g_test_message ("the create said: %s", error->message);
  g_clear_error (&error);
  g_assert_cmpuint (tally_fault_proxy_count (proxy, "eth_sendRawTransaction"), >=, 2);
  g_assert_cmpuint (task_count (market), ==, before);

  /* The row was on disk before the create could be broadcast, and the
   * journal holds the create under the row's purpose. */
  list = rows (&engine, market);
  g_assert_cmpuint (list->len, ==, 1);
  row = g_ptr_array_index (list, 0);
  g_assert_cmpint (row->state, ==, TALLY_REQUESTER_TASK_CREATING);
  g_assert_false (row->has_task_id);
  g_assert_true (row->has_gold_salt);
  purpose = g_strdup (row->purpose);
  pending = tally_tx_journal_list_pending (engine.journal, market->chain_id,
                                           &market->accounts[TALLY_TEST_MARKET_REQUESTER], &error);
  g_assert_no_error (error);
  for (guint i = 0; i < pending->len; i++)
    journaled |= g_strcmp0 (((TallyTxJournalEntry *) g_ptr_array_index (pending, i))->purpose,
                            purpose) == 0;
  g_assert_true (journaled);
  g_clear_pointer (&pending, g_ptr_array_unref);
  g_clear_pointer (&list, g_ptr_array_unref);
  tally_test_engine_clear (&engine);

  /* The restart, straight to the node. */
  tally_test_engine_init_for (&engine, market, NULL, dir, TALLY_TEST_MARKET_REQUESTER);
  g_assert_cmpuint (tally_test_engine_step_requester (&engine), ==, 1);
  g_assert_cmpuint (task_count (market), ==, before + 1);
  tally_uint256_from_uint64 (&expected, before + 1);
  list = rows (&engine, market);
  g_assert_cmpuint (list->len, ==, 1);
  row = g_ptr_array_index (list, 0);
  g_assert_cmpstr (row->purpose, ==, purpose);
  g_assert_cmpint (row->state, ==, TALLY_REQUESTER_TASK_OPEN);
  g_assert_true (row->has_task_id);
  g_assert_cmpint (tally_uint256_cmp (&row->task_id, &expected), ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* Later passes and another restart create nothing more. */
  g_assert_cmpuint (tally_test_engine_step_requester (&engine), ==, 1);
  tally_test_engine_clear (&engine);
  tally_test_engine_init_for (&engine, market, NULL, dir, TALLY_TEST_MARKET_REQUESTER);
  g_assert_cmpuint (tally_test_engine_step_requester (&engine), ==, 1);
  g_assert_cmpuint (task_count (market), ==, before + 1);
  pending = tally_tx_journal_list_pending (engine.journal, market->chain_id,
                                           &market->accounts[TALLY_TEST_MARKET_REQUESTER], &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 0);

  /* And its gold is still revealed in time. */
  tally_test_market_advance_to (market, params.reveal_deadline + 1);
  g_assert_cmpuint (tally_test_engine_step_requester (&engine), ==, 0);
  g_assert_true (tally_test_market_get_task (market, &expected).gold_revealed);
  tally_test_engine_clear (&engine);
  tally_test_engine_remove_dir (dir);
}

/* The store keeps rows it can read back, refuses none it wrote, and lists
 * only the unfinished ones when asked. */
static void
test_store_rows (void)
{
  char            *dir = tally_test_engine_make_dir ();
  g_autofree char *path = NULL;
  g_autoptr (TallyStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (TallyRequesterTaskRecord) back = NULL;
  TallyRequesterTaskRecord row = { 0 };
  TallyAddress             other;
  guint16                  indices[] = { 3, 255, 256 };

  path = g_build_filename (dir, "tally.db", NULL);
  store = tally_store_open (path, &error);
  g_assert_no_error (error);
  row.purpose = (char *) "Create task 1";
  row.chain_id = 31337;
  memset (row.market.bytes, 0x11, sizeof row.market.bytes);
  memset (row.requester.bytes, 0x22, sizeof row.requester.bytes);
  memset (row.manifest_hash, 0x33, 32);
  row.gold_indices = g_array_new (FALSE, FALSE, sizeof (guint16));
  g_array_append_vals (row.gold_indices, indices, G_N_ELEMENTS (indices));
  row.gold_labels = g_bytes_new ("\x01\x02\x03", 3);
  row.has_gold_salt = TRUE;
  memset (row.gold_salt, 0x44, 32);
  row.state = TALLY_REQUESTER_TASK_CREATING;
  g_assert_true (tally_store_put_requester_task (store, &row, &error));
  g_assert_no_error (error);

  back = tally_store_get_requester_task (store, "Create task 1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->chain_id, ==, 31337);
  g_assert_false (back->has_task_id);
  g_assert_cmpmem (back->gold_indices->data, 6, indices, 6);
  g_assert_cmpmem (g_bytes_get_data (back->gold_labels, NULL), 3, "\x01\x02\x03", 3);
  g_assert_cmpmem (back->gold_salt, 32, row.gold_salt, 32);
  g_assert_cmpint (back->state, ==, TALLY_REQUESTER_TASK_CREATING);
  g_clear_pointer (&back, tally_requester_task_record_free);

  row.has_task_id = TRUE;
  tally_uint256_from_uint64 (&row.task_id, 9);
  row.state = TALLY_REQUESTER_TASK_FAILED;
  row.reason = (char *) "because";
  g_assert_true (tally_store_put_requester_task (store, &row, &error));
  back = tally_store_get_requester_task (store, "Create task 1", &error);
  g_assert_no_error (error);
  g_assert_true (back->has_task_id);
  g_assert_cmpstr (back->reason, ==, "because");

  list = tally_store_list_requester_tasks (store, 31337, &row.market, &row.requester, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = tally_store_list_requester_tasks (store, 31337, &row.market, &row.requester, TRUE, &error);
  g_assert_cmpuint (list->len, ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);
  memset (other.bytes, 0x55, sizeof other.bytes);
  list = tally_store_list_requester_tasks (store, 31337, &row.market, &other, FALSE, &error);
  g_assert_cmpuint (list->len, ==, 0);

  g_assert_null (tally_store_get_requester_task (store, "Create task 2", &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);

  g_array_unref (row.gold_indices);
  g_bytes_unref (row.gold_labels);
  g_clear_object (&store);
  tally_test_engine_remove_dir (dir);
}

/* ---- Gold files ------------------------------------------------------------------ */

#define ITEM(id)                                                                   \
  "{\"id\": \"" id "\", \"kind\": \"text\", \"uri\": \"" id ".txt\", \"sha256\": " \
  "\"0000000000000000000000000000000000000000000000000000000000000000\", \"size\": 10}"
#define MANIFEST                                                                               \
  "{\"schema\": 1, \"title\": \"Pets\", \"instructions\": \"\", \"classes\": [{\"name\": "     \
  "\"cat\", \"color\": \"#000000\"}, {\"name\": \"dog\", \"color\": \"#000000\"}, {\"name\": " \
  "\"bird\", \"color\": \"#000000\"}], \"tools\": [\"classify\"], \"items\": [" ITEM ("a") ", " ITEM ("b") ", " ITEM ("c") ", " ITEM ("d") "]}"

static void
test_parse (void)
{
  static const struct
  {
    const char *text;
    const char *error; /* NULL: accepted */
    guint       n;
    guint16     indices[3];
    guint8      labels[3];
  } cases[] = {
    { "{\"d\": \"Bird\", \"b\": 1}", NULL, 2, { 1, 3 }, { 1, 3 } },
    { "{\"c\": \"dog\"}", NULL, 1, { 2 }, { 2 } },
    { "{\"a\": 3, \"b\": \"cat\", \"c\": 2}", NULL, 3, { 0, 1, 2 }, { 3, 1, 2 } },
    { "", "not a JSON object" },
    { "[\"b\"]", "not a JSON object" },
    { "\"b\"", "not a JSON object" },
    { "{\"b\": 2", "not a JSON object" },
    { "{\"b\xff\": 2}", "not a JSON object" },
    { "{}", "at least one item, and not every item" },
    { "{\"a\": 1, \"b\": 1, \"c\": 1, \"d\": 1}", "at least one item, and not every item" },
    { "{\"zebra\": 1}", "The manifest has no item “zebra”" },
    { "{\"B\": 1}", "The manifest has no item “B”" },
    { "{\"b\": \"horse\"}", "Gold item “b”: the manifest has no class “horse”" },
    { "{\"b\": 0}", "Gold item “b”: the class must be a class name or a number from 1 to 3" },
    { "{\"b\": 4}", "from 1 to 3" },
    { "{\"b\": -1}", "from 1 to 3" },
    { "{\"b\": 2.5}", "from 1 to 3" },
    { "{\"b\": true}", "from 1 to 3" },
    { "{\"b\": null}", "from 1 to 3" },
    { "{\"b\": [2]}", "from 1 to 3" },
    { "{\"b\": {\"class\": 2}}", "from 1 to 3" },
  };
  g_autoptr (GBytes) bytes = g_bytes_new_static (MANIFEST, strlen (MANIFEST));
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyManifest) manifest = tally_manifest_new_from_bytes (bytes, "file:///m.json",
                                                                      NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GArray) indices = NULL;
      g_autoptr (GBytes) labels = NULL;
      gboolean ok;

      g_test_message ("gold file %s", cases[i].text);
      ok = tally_task_gold_parse (manifest, cases[i].text, strlen (cases[i].text), &indices,
                                  &labels, &error);
      if (cases[i].error != NULL)
        {
          g_assert_false (ok);
          g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION);
          if (strstr (error->message, cases[i].error) == NULL)
            g_error ("“%s” does not say “%s”", error->message, cases[i].error);
          g_assert_null (indices);
          g_assert_null (labels);
          g_clear_error (&error);
          continue;
        }
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpmem (indices->data, indices->len * sizeof (guint16), cases[i].indices,
                       cases[i].n * sizeof (guint16));
      g_assert_cmpmem (g_bytes_get_data (labels, NULL), g_bytes_get_size (labels), cases[i].labels,
                       cases[i].n);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/gold/store-rows", test_store_rows);
  g_test_add_func ("/core/gold/parse", test_parse);
  g_test_add ("/core/gold/score", TallyTestMarket, "tally-golds-XXXXXX", tally_test_market_set_up,
              test_score, tally_test_market_tear_down);
  g_test_add ("/core/gold/requester", TallyTestMarket, "tally-goldr-XXXXXX",
              tally_test_market_set_up, test_requester, tally_test_market_tear_down);
  g_test_add ("/core/gold/window-missed", TallyTestMarket, "tally-goldw-XXXXXX",
              tally_test_market_set_up, test_window_missed, tally_test_market_tear_down);
  g_test_add ("/core/gold/create-not-broadcast", TallyTestMarket, "tally-goldb-XXXXXX",
              tally_test_market_set_up, test_create_not_broadcast, tally_test_market_tear_down);

  return g_test_run ();
}
