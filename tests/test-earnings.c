/* test-earnings.c: TallyEarnings rebuilt from the market's events equals
 * the contract's own views, to the wei, at every stage of a task with a
 * reward, a slash, a review and gold, and after claims, a leave and a
 * cancelled task; a reorganisation rebuilds it; forged logs are counted,
 * never trusted into a wrapped-around balance
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "contract-abi.h"
#include "core-types.h"
#include "earnings.h"
#include "label-market.h"
#include "market-log.h"
#include "tally-fault-proxy.h"
#include "tally-test-market.h"
#include "tally-test-rpc.h"
#include "wallet/hex.h"

#define N_ACCOUNTS TALLY_TEST_MARKET_N_ACCOUNTS
#define N_ITEMS    8

typedef struct
{
  TallyMarketLog *log;
  TallyEarnings  *earnings[N_ACCOUNTS];
  guint           n_items[N_ACCOUNTS]; /* mirrored from ::items-changed */
  GArray         *tasks;               /* TallyUint256: every task created so far */
} Books;

static void
books_add_task (Books              *books,
                const TallyUint256 *task_id)
{
  for (guint i = 0; i < books->tasks->len; i++)
    if (tally_uint256_cmp (&g_array_index (books->tasks, TallyUint256, i), task_id) == 0)
      return;
  g_array_append_val (books->tasks, *task_id);
}

static void
assert_uint_eq (const TallyUint256 *got,
                const TallyUint256 *want,
                const char         *what,
                guint               account)
{
  g_autofree char *got_text = tally_uint256_to_decimal (got);
  g_autofree char *want_text = tally_uint256_to_decimal (want);

  if (tally_uint256_cmp (got, want) != 0)
    g_error ("account %u: %s is %s, the contract says %s", account, what, got_text, want_text);
}

static void
sync_books (TallyTestMarket *market,
            Books           *books)
{
  g_autoptr (GError) error = NULL;
  GAsyncResult *result = NULL;

  tally_market_log_sync_async (books->log, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (tally_market_log_sync_finish (books->log, tally_test_rpc_wait_for (&result), &error));
  g_assert_no_error (error);
}

/* Every figure of every account against stakeOf, credited, pendingOf and
 * getTask; the list model against its own ::items-changed. */
static void
assert_books_match_chain (TallyTestMarket *market,
                          Books           *books)
{
  sync_books (market, books);
  for (guint a = 0; a < N_ACCOUNTS; a++)
    {
      TallyEarnings  *earnings = books->earnings[a];
      TallyLabelStake stake = tally_test_market_stake_of (market, a);
      TallyUint256    credited = tally_test_market_credited (market, a);
      TallyUint256    pending = { 0 }, escrow = { 0 };

      assert_uint_eq (tally_earnings_get_stake_total (earnings), &stake.total, "total stake", a);
      assert_uint_eq (tally_earnings_get_stake_locked (earnings), &stake.locked, "locked stake", a);
      assert_uint_eq (tally_earnings_get_stake_free (earnings), &stake.free, "free stake", a);
      assert_uint_eq (tally_earnings_get_credited (earnings), &credited, "credited", a);

      /* The contract answers per task; the books sum over all of them. */
      for (guint t = 0; t < books->tasks->len; t++)
        {
          const TallyUint256 *task_id = &g_array_index (books->tasks, TallyUint256, t);
          TallyUint256        locked, max_reward;
          TallyLabelTask      task = tally_test_market_get_task (market, task_id);

          tally_test_market_pending_of (market, task_id, a, &locked, &max_reward);
          g_assert_true (tally_uint256_add (&pending, &pending, &max_reward));
          if (tally_address_equal (&task.requester, &market->accounts[a]))
            g_assert_true (tally_uint256_add (&escrow, &escrow, &task.escrow));
        }
      assert_uint_eq (tally_earnings_get_pending (earnings), &pending, "pending", a);
      assert_uint_eq (tally_earnings_get_escrow (earnings), &escrow, "escrow", a);
      g_assert_cmpuint (tally_earnings_get_inconsistencies (earnings), ==, 0);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (earnings)), ==, books->n_items[a]);
    }
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *n_items)
{
  g_assert_cmpuint (position + removed, <=, *n_items);
  *n_items = *n_items - removed + added;
}

static void
books_init (TallyTestMarket *market,
            Books           *books,
            TallyRpcClient  *client)
{
  g_autoptr (GError) error = NULL;

  books->tasks = g_array_new (FALSE, FALSE, sizeof (TallyUint256));
  books->log = tally_market_log_new (client, market->devnet.profile, NULL, &error);
  g_assert_no_error (error);
  for (guint a = 0; a < N_ACCOUNTS; a++)
    {
      books->earnings[a] = tally_earnings_new (books->log, &market->accounts[a]);
      g_signal_connect (books->earnings[a], "items-changed", G_CALLBACK (on_items_changed),
                        &books->n_items[a]);
    }
}

static void
books_clear (Books *books)
{
  for (guint a = 0; a < N_ACCOUNTS; a++)
    g_clear_object (&books->earnings[a]);
  g_clear_object (&books->log);
  g_clear_pointer (&books->tasks, g_array_unref);
}

static void
check_stage (TallyTestMarket     *market,
             TallyTestMarketStage stage,
             const TallyUint256  *task_id,
             gpointer             user_data)
{
  Books *books = user_data;

  books_add_task (books, task_id);
  assert_books_match_chain (market, books);
  if (stage == TALLY_TEST_MARKET_COMMITTED)
    {
      /* Three annotators hold a seat each; nobody else does. */
      g_assert_cmpuint (tally_earnings_get_open_seats (books->earnings[1]), ==, 1);
      g_assert_cmpuint (tally_earnings_get_open_seats (books->earnings[0]), ==, 0);
      g_assert_false (tally_uint256_is_zero (tally_earnings_get_pending (books->earnings[1])));
    }
}

/* The kinds of an account's history, newest first. */
static GArray *
kinds_of (TallyEarnings *earnings)
{
  GArray *kinds = g_array_new (FALSE, FALSE, sizeof (TallyEarningsKind));
  guint64 previous_block = G_MAXUINT64;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (earnings)); i++)
    {
      g_autoptr (TallyEarningsEntry) entry = g_list_model_get_item (G_LIST_MODEL (earnings), i);
      TallyEarningsKind kind = tally_earnings_entry_get_kind (entry);

      g_assert_cmpuint (tally_earnings_entry_get_block_number (entry), <=, previous_block);
      previous_block = tally_earnings_entry_get_block_number (entry);
      g_assert_false (tally_uint256_is_zero (tally_earnings_entry_get_amount (entry)));
      g_array_append_val (kinds, kind);
    }
  return kinds;
}

static gboolean
has_kind (TallyEarnings    *earnings,
          TallyEarningsKind kind)
{
  g_autoptr (GArray) kinds = kinds_of (earnings);

  for (guint i = 0; i < kinds->len; i++)
    if (g_array_index (kinds, TallyEarningsKind, i) == kind)
      return TRUE;
  return FALSE;
}

static TallyEarningsKind
newest_kind (TallyEarnings *earnings)
{
  g_autoptr (GArray) kinds = kinds_of (earnings);

  g_assert_cmpuint (kinds->len, >, 0);
  return g_array_index (kinds, TallyEarningsKind, 0);
}

static void
refresh (TallyEarnings *earnings)
{
  g_autoptr (GError) error = NULL;
  GAsyncResult *result = NULL;

  tally_earnings_refresh_async (earnings, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (tally_earnings_refresh_finish (earnings, tally_test_rpc_wait_for (&result), &error));
  g_assert_no_error (error);
}

static void
test_settled_task (TallyTestMarket *market,
                   gconstpointer    data)
{
  /* Seat 0 and 1 agree with the gold and each other; seat 2 is careless on
   * the non-gold items 4..7 (wrong, slashed) and right on the gold. */
  static const guint8  good[N_ITEMS] = { 1, 2, 3, 4, 1, 2, 3, 4 };
  static const guint8  careless[N_ITEMS] = { 1, 2, 3, 4, 4, 4, 4, 1 };
  static const guint16 gold_indices[] = { 0, 1 };
  static const guint8  gold_labels[] = { 1, 2 };
  static const guint8  verdicts[N_ITEMS] = { 1, 1, 1, 1, 2, 2, 2, 2 };
  g_autoptr (TallyRpcClient) client = tally_rpc_client_new (tally_rpc_client_get_url (market->client));
  g_autoptr (GError) error = NULL;
  TallyTestMarketTask  task = { 0 };
  Books                books = { 0 };
  TallyUint256         before, after, paid, credited;
  TallyLabelTaskParams other;
  TallyUint256         other_id, amount, task_id;
  guint8              *calldata = NULL;
  gsize                len = 0;

  books_init (market, &books, client);
  task.params = tally_test_market_default_params (market, N_ITEMS, 3, 1);
  task.params.min_gold_accuracy_bps = 5000;
  task.requester = TALLY_TEST_MARKET_REQUESTER;
  task.n_annotators = 3;
  task.annotators[0] = 1;
  task.annotators[1] = 2;
  task.annotators[2] = 3;
  task.labels[0] = good;
  task.labels[1] = good;
  task.labels[2] = careless;
  task.n_gold = G_N_ELEMENTS (gold_indices);
  task.gold_indices = gold_indices;
  task.gold_labels = gold_labels;
  task.has_reviewer = TRUE;
  task.reviewer = 4;
  task.reviewed_seat = 2;
  task.verdicts = verdicts;
  task.hook = check_stage;
  task.hook_data = &books;
  task_id = tally_test_market_run_task (market, &task);
  books_add_task (&books, &task_id);
  assert_books_match_chain (market, &books);

  /* The careless annotator was slashed; the others were paid. */
  g_assert_false (tally_uint256_is_zero (tally_earnings_get_slashed (books.earnings[3])));
  g_assert_true (tally_uint256_is_zero (tally_earnings_get_slashed (books.earnings[1])));
  g_assert_false (tally_uint256_is_zero (tally_earnings_get_rewarded (books.earnings[1])));
  g_assert_true (has_kind (books.earnings[3], TALLY_EARNINGS_SLASH));
  g_assert_true (has_kind (books.earnings[3], TALLY_EARNINGS_DEPOSIT));
  g_assert_true (has_kind (books.earnings[1], TALLY_EARNINGS_REWARD));
  g_assert_false (has_kind (books.earnings[1], TALLY_EARNINGS_SLASH));
  g_assert_true (has_kind (books.earnings[0], TALLY_EARNINGS_TASK_FUNDED));
  for (guint a = 0; a < N_ACCOUNTS; a++)
    g_assert_cmpuint (tally_earnings_get_open_seats (books.earnings[a]), ==, 0);

  /* Claims: what the ledger said was credited is what arrives. */
  credited = *tally_earnings_get_credited (books.earnings[1]);
  before = tally_test_market_balance_of (market, 1);
  paid = tally_test_market_claim (market, 1);
  after = tally_test_market_balance_of (market, 1);
  assert_uint_eq (&paid, &credited, "claimed", 1);
  g_assert_true (tally_uint256_sub (&after, &after, &before));
  assert_uint_eq (&after, &credited, "balance rise", 1);
  assert_books_match_chain (market, &books);
  g_assert_true (tally_uint256_is_zero (tally_earnings_get_credited (books.earnings[1])));
  g_assert_cmpint (newest_kind (books.earnings[1]), ==, TALLY_EARNINGS_CLAIM);

  /* A seat taken and given back: the leave fee leaves the stake. */
  other = tally_test_market_default_params (market, N_ITEMS, 2, 0);
  other_id = tally_test_market_create_task (market, TALLY_TEST_MARKET_REQUESTER, &other, "ipfs://other");
  books_add_task (&books, &other_id);
  g_assert_true (tally_uint256_mul_uint64 (&amount, &other.stake_per_item, N_ITEMS));
  tally_test_market_stake (market, 2, &amount);
  g_assert_true (tally_label_market_encode_join (&calldata, &len, &other_id, NULL, 0, &error));
  tally_rpc_receipt_free (tally_test_market_send (market, 2, &market->market, calldata, len));
  assert_books_match_chain (market, &books);
  g_assert_cmpuint (tally_earnings_get_open_seats (books.earnings[2]), ==, 1);
  g_assert_true (tally_label_market_encode_leave (&calldata, &len, &other_id, &error));
  tally_rpc_receipt_free (tally_test_market_send (market, 2, &market->market, calldata, len));
  assert_books_match_chain (market, &books);
  g_assert_cmpint (newest_kind (books.earnings[2]), ==, TALLY_EARNINGS_LEAVE_FEE);

  /* A task nobody joined, cancelled: its budget is credited back. */
  other = tally_test_market_default_params (market, N_ITEMS, 1, 1);
  task_id = tally_test_market_create_task (market, TALLY_TEST_MARKET_REQUESTER, &other, "ipfs://cancelled");
  books_add_task (&books, &task_id);
  assert_books_match_chain (market, &books);
  g_assert_true (tally_label_market_encode_cancel_task (&calldata, &len, &task_id, &error));
  tally_rpc_receipt_free (tally_test_market_send (market, TALLY_TEST_MARKET_REQUESTER, &market->market, calldata, len));
  assert_books_match_chain (market, &books);
  g_assert_cmpint (newest_kind (books.earnings[0]), ==, TALLY_EARNINGS_REFUND);

  /* Wallet balances and the entries' times come with a refresh. */
  for (guint a = 0; a < N_ACCOUNTS; a++)
    {
      TallyUint256 balance = tally_test_market_balance_of (market, a);
      g_autoptr (TallyEarningsEntry) newest = NULL;

      refresh (books.earnings[a]);
      assert_uint_eq (tally_earnings_get_token_balance (books.earnings[a]), &balance, "token balance", a);
      g_assert_nonnull (tally_earnings_get_eth_balance (books.earnings[a]));
      g_assert_false (tally_uint256_is_zero (tally_earnings_get_eth_balance (books.earnings[a])));
      newest = g_list_model_get_item (G_LIST_MODEL (books.earnings[a]), 0);
      g_assert_nonnull (newest);
      g_assert_nonnull (tally_earnings_entry_get_time (newest));
      g_assert_cmpint (g_date_time_to_unix (tally_earnings_entry_get_time (newest)), >, 1700000000);
    }

  /* A fresh fold of the same logs comes to the same figures. */
  {
    g_autoptr (TallyEarnings) again = tally_earnings_new (books.log, &market->accounts[3]);

    assert_uint_eq (tally_earnings_get_stake_total (again), tally_earnings_get_stake_total (books.earnings[3]), "refold", 3);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, books.n_items[3]);
  }
  books_clear (&books);
}

static void
test_rollback (TallyTestMarket *market,
               gconstpointer    data)
{
  g_autoptr (TallyRpcClient) client = tally_rpc_client_new (tally_rpc_client_get_url (market->client));
  g_autoptr (JsonNode) snapshot = NULL;
  g_autoptr (JsonNode) reverted = NULL;
  g_autofree char *params = NULL;
  Books            books = { 0 };
  TallyUint256     amount;

  books_init (market, &books, client);
  tally_uint256_from_uint64 (&amount, 5000);
  tally_test_market_stake (market, 1, &amount);
  tally_test_market_stake (market, 3, &amount);
  assert_books_match_chain (market, &books);
  g_assert_cmpuint (books.n_items[1], ==, 1);

  snapshot = tally_test_devnet_rpc_result (&market->devnet, tally_rpc_client_get_url (client), "evm_snapshot", "[]");
  params = g_strdup_printf ("[\"%s\"]", json_node_get_string (snapshot));
  tally_test_market_stake (market, 1, &amount);
  tally_test_market_stake (market, 2, &amount);
  assert_books_match_chain (market, &books);
  g_assert_cmpuint (books.n_items[1], ==, 2);
  g_assert_cmpuint (books.n_items[2], ==, 1);

  /* Replaced by withdrawals of account 3 (whose journal the revert did not
   * touch: accounts 1 and 2 now hold journaled transactions the chain
   * forgot) over more blocks than before: the log rolls back and the
   * books are rebuilt from what remains. */
  reverted = tally_test_devnet_rpc_result (&market->devnet, tally_rpc_client_get_url (client), "evm_revert", params);
  g_assert_true (json_node_get_boolean (reverted));
  {
    guint8 *calldata = NULL;
    gsize   len = 0;
    g_autoptr (GError) error = NULL;

    tally_uint256_from_uint64 (&amount, 1000);
    for (guint i = 0; i < 4; i++)
      {
        g_assert_true (tally_label_market_encode_unstake (&calldata, &len, &amount, &error));
        tally_rpc_receipt_free (tally_test_market_send (market, 3, &market->market, calldata, len));
      }
  }
  assert_books_match_chain (market, &books);
  g_assert_cmpuint (books.n_items[1], ==, 1);
  g_assert_cmpuint (books.n_items[2], ==, 0);
  g_assert_cmpuint (books.n_items[3], ==, 5);
  books_clear (&books);
}

/* A node that forges a withdrawal nobody made, or a log that does not
 * decode: counted as inconsistencies, the figures never wrap around. */
static void
test_forged_logs (TallyTestMarket *market,
                  gconstpointer    data)
{
  g_autoptr (TallyFaultProxy) proxy = NULL;
  g_autoptr (TallyRpcClient) client = NULL;
  g_autoptr (TallyMarketLog) log = NULL;
  g_autoptr (TallyEarnings) earnings = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyContractAbi) abi = tally_contract_abi_new_builtin ("LabelMarket", &error);
  const TallyAbiEntry *unstaked;
  g_autofree char     *topic = NULL;
  g_autofree char     *account_topic = NULL;
  g_autofree char     *market_text = NULL;
  g_autofree char     *forged = NULL;
  TallyUint256         amount;
  GAsyncResult        *result = NULL;
  gsize                len = 0;
  guint8               padded[32] = { 0 };
  guint64              block;

  g_assert_no_error (error);
  tally_uint256_from_uint64 (&amount, 10);
  tally_test_market_stake (market, 1, &amount);

  unstaked = tally_contract_abi_lookup (abi, TALLY_ABI_ENTRY_EVENT, "Unstaked", &error);
  g_assert_no_error (error);
  topic = tally_hex_encode (tally_abi_entry_get_selector (unstaked, &len), 32);
  memcpy (padded + 12, market->accounts[1].bytes, 20);
  account_topic = tally_hex_encode (padded, 32);
  market_text = tally_hex_encode (market->market.bytes, 20);
  /* Unstaked(account 1, 2^255) in the first block synced, and the same
   * topic with data that is not a uint256. */
  block = MAX (tally_network_profile_get_deployment_block (market->devnet.profile), 1);
  forged = g_strdup_printf (
    "[{\"address\": \"%s\", \"topics\": [\"%s\", \"%s\"], "
    "\"data\": \"0x8000000000000000000000000000000000000000000000000000000000000000\", "
    "\"blockNumber\": \"0x%" G_GINT64_MODIFIER "x\", \"logIndex\": \"0x0\", "
    "\"transactionHash\": \"0x00000000000000000000000000000000000000000000000000000000000000aa\"},"
    "{\"address\": \"%s\", \"topics\": [\"%s\", \"%s\"], \"data\": \"0x01\", "
    "\"blockNumber\": \"0x%" G_GINT64_MODIFIER "x\", \"logIndex\": \"0x1\", "
    "\"transactionHash\": \"0x00000000000000000000000000000000000000000000000000000000000000aa\"}]",
    market_text, topic, account_topic, block, market_text, topic, account_topic, block);

  proxy = tally_fault_proxy_new (tally_rpc_client_get_url (market->client), &error);
  g_assert_no_error (error);
  client = tally_test_rpc_fast_client (tally_fault_proxy_get_url (proxy));
  log = tally_market_log_new (client, market->devnet.profile, NULL, &error);
  g_assert_no_error (error);
  earnings = tally_earnings_new (log, &market->accounts[1]);
  tally_market_log_set_page_span (log, 1);
  tally_fault_proxy_push (proxy, TALLY_FAULT_NONE, 0);
  tally_fault_proxy_push_result (proxy, forged);
  tally_market_log_sync_async (log, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (tally_market_log_sync_finish (log, tally_test_rpc_wait_for (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tally_earnings_get_inconsistencies (earnings), >=, 2);
  /* The forged withdrawal took the stake to zero, not around to 2^256. */
  g_assert_cmpuint (tally_uint256_bit_length (tally_earnings_get_stake_total (earnings)), <, 128);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/core/earnings/settled-task", TallyTestMarket, "tally-earn-XXXXXX",
              tally_test_market_set_up, test_settled_task, tally_test_market_tear_down);
  g_test_add ("/core/earnings/rollback", TallyTestMarket, "tally-earnr-XXXXXX",
              tally_test_market_set_up, test_rollback, tally_test_market_tear_down);
  g_test_add ("/core/earnings/forged-logs", TallyTestMarket, "tally-earnf-XXXXXX",
              tally_test_market_set_up, test_forged_logs, tally_test_market_tear_down);

  return g_test_run ();
}
