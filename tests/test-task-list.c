/* test-task-list.c: tasks discovered from the market's events equal the
 * contract's views at every stage of a task with gold and a review; the
 * finalize built from the events alone settles it; phases by deadline; a
 * private task's public keys and key grants
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "core-error.h"
#include "label-market.h"
#include "market-log.h"
#include "task-list.h"
#include "tally-test-market.h"
#include "tally-test-rpc.h"
#include "wallet/hex.h"
#include "wallet/keccak.h"

#define N_ITEMS 6

typedef struct
{
  TallyMarketLog *log;
  TallyTaskList  *tasks;
  const guint8   *labels[3];
} Watch;

static void
sync_watch (Watch *watch)
{
  g_autoptr (GError) error = NULL;
  GAsyncResult *result = NULL;

  tally_market_log_sync_async (watch->log, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (tally_market_log_sync_finish (watch->log, tally_test_rpc_wait_for (&result), &error));
  g_assert_no_error (error);
}

static void
assert_bytes (GBytes       *bytes,
              const guint8 *expected,
              gsize         len)
{
  g_assert_nonnull (bytes);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), expected, len);
}

/* The task as the events tell it, against getTask, getSeat and getReview. */
static void
assert_task_matches_chain (TallyTestMarket    *market,
                           Watch              *watch,
                           const TallyUint256 *task_id)
{
  TallyTask                  *task;
  TallyLabelTask              view;
  const TallyLabelTaskParams *p;

  sync_watch (watch);
  task = tally_task_list_lookup (watch->tasks, task_id);
  g_assert_nonnull (task);
  view = tally_test_market_get_task (market, task_id);
  p = tally_task_get_params (task);
  g_assert_cmpmem (p->manifest_hash, 32, view.params.manifest_hash, 32);
  g_assert_cmpmem (p->gold_commitment, 32, view.params.gold_commitment, 32);
  g_assert_cmpuint (p->item_count, ==, view.params.item_count);
  g_assert_cmpuint (p->replication, ==, view.params.replication);
  g_assert_cmpuint (p->reviewers, ==, view.params.reviewers);
  g_assert_cmpuint (p->review_reveal_deadline, ==, view.params.review_reveal_deadline);
  g_assert_cmpint (tally_uint256_cmp (&p->stake_per_item, &view.params.stake_per_item), ==, 0);
  g_assert_true (tally_address_equal (tally_task_get_requester (task), &view.requester));
  g_assert_cmpint (tally_task_get_state (task), ==, view.state);
  g_assert_cmpuint (tally_task_get_seats_taken (task), ==, view.seats_taken);
  g_assert_cmpint (tally_task_get_gold_revealed (task), ==, view.gold_revealed);
  for (guint s = 0; s < p->replication; s++)
    {
      TallyLabelSeat       chain = tally_test_market_get_seat (market, task_id, s);
      const TallyTaskSeat *seat = tally_task_get_seat (task, s);

      g_assert_cmpint (seat->taken, ==, chain.has_holder);
      g_assert_cmpint (seat->key_granted, ==, chain.key_granted);
      /* A public task: joined without a public key, nothing to grant. */
      g_assert_false (seat->has_public_key);
      if (seat->taken)
        g_assert_false (tally_task_has_key_grant (task, &seat->holder));
      if (seat->taken)
        g_assert_true (tally_address_equal (&seat->holder, &chain.holder));
      g_assert_cmpint (seat->state, ==, chain.state);
      if (seat->state == TALLY_LABEL_SEAT_REVEALED)
        assert_bytes (seat->labels, watch->labels[s], N_ITEMS);
      for (guint v = 0; v < p->reviewers; v++)
        {
          TallyLabelReview       chain_review = tally_test_market_get_review (market, task_id, s, v);
          const TallyTaskReview *review = tally_task_get_review (task, s, v);

          g_assert_cmpint (review->taken, ==, chain_review.has_reviewer);
          g_assert_cmpint (review->state, ==, chain_review.state);
        }
    }
  g_assert_cmpuint (tally_task_list_get_inconsistencies (watch->tasks), ==, 0);
}

static void
check_stage (TallyTestMarket     *market,
             TallyTestMarketStage stage,
             const TallyUint256  *task_id,
             gpointer             user_data)
{
  Watch     *watch = user_data;
  TallyTask *task;

  assert_task_matches_chain (market, watch, task_id);
  task = tally_task_list_lookup (watch->tasks, task_id);
  switch (stage)
    {
    case TALLY_TEST_MARKET_CREATED:
    case TALLY_TEST_MARKET_COMMITTED:
      g_assert_cmpint (tally_task_get_phase (task, tally_test_market_now (market)), ==,
                       TALLY_TASK_PHASE_LABELING);
      break;
    case TALLY_TEST_MARKET_REVEALED:
      g_assert_cmpint (tally_task_get_phase (task, tally_test_market_now (market)), ==,
                       TALLY_TASK_PHASE_REVEAL);
      break;
    case TALLY_TEST_MARKET_REVIEWED:
      g_assert_cmpint (tally_task_get_phase (task, tally_test_market_now (market)), ==,
                       TALLY_TASK_PHASE_REVIEW_REVEAL);
      break;
    case TALLY_TEST_MARKET_SETTLING:
      g_assert_cmpint (tally_task_get_phase (task, tally_test_market_now (market)), ==,
                       TALLY_TASK_PHASE_SETTLEABLE);
      g_assert_cmpuint (tally_task_get_next_deadline (task, tally_test_market_now (market)), ==, 0);
      break;
    case TALLY_TEST_MARKET_FINALIZED:
    default:
      g_assert_not_reached ();
    }
}

static void
test_discovery (TallyTestMarket *market,
                gconstpointer    data)
{
  static const guint8  good[N_ITEMS] = { 1, 2, 1, 2, 1, 2 };
  static const guint8  careless[N_ITEMS] = { 1, 2, 2, 1, 2, 1 };
  static const guint16 gold_indices[] = { 0, 1 };
  static const guint8  gold_labels[] = { 1, 2 };
  static const guint8  verdicts[N_ITEMS] = { 1, 1, 2, 2, 2, 2 };
  g_autoptr (TallyRpcClient) client = tally_rpc_client_new (tally_rpc_client_get_url (market->client));
  g_autoptr (GError) error = NULL;
  TallyTestMarketTask run = { 0 };
  Watch               watch = { 0 };
  TallyUint256        task_id, sum, slots;
  TallyTask          *task;
  guint8             *calldata = NULL;
  gsize               len = 0;

  watch.log = tally_market_log_new (client, market->devnet.profile, NULL, &error);
  g_assert_no_error (error);
  watch.tasks = tally_task_list_new (watch.log);
  watch.labels[0] = good;
  watch.labels[1] = good;
  watch.labels[2] = careless;

  run.params = tally_test_market_default_params (market, N_ITEMS, 3, 1);
  run.params.min_gold_accuracy_bps = 5000;
  run.requester = TALLY_TEST_MARKET_REQUESTER;
  run.n_annotators = 3;
  for (guint s = 0; s < 3; s++)
    {
      run.annotators[s] = s + 1;
      run.labels[s] = watch.labels[s];
    }
  run.n_gold = G_N_ELEMENTS (gold_indices);
  run.gold_indices = gold_indices;
  run.gold_labels = gold_labels;
  run.has_reviewer = TRUE;
  run.reviewer = 4;
  run.reviewed_seat = 2;
  run.verdicts = verdicts;
  run.skip_finalize = TRUE;
  run.hook = check_stage;
  run.hook_data = &watch;
  task_id = tally_test_market_run_task (market, &run);

  /* Settled from the events alone, by an account that took no part. */
  task = tally_task_list_lookup (watch.tasks, &task_id);
  g_assert_true (tally_task_get_gold_revealed (task));
  g_assert_cmpuint (tally_task_get_gold_indices (task)->len, ==, 2);
  assert_bytes (tally_task_get_gold_labels (task), gold_labels, 2);
  assert_bytes (tally_task_get_review (task, 2, 0)->verdicts, verdicts, N_ITEMS);
  g_assert_true (tally_task_encode_finalize (task, &calldata, &len, &error));
  g_assert_no_error (error);
  tally_rpc_receipt_free (tally_test_market_send (market, 4, &market->market, calldata, len));
  assert_task_matches_chain (market, &watch, &task_id);
  g_assert_cmpint (tally_task_get_state (task), ==, TALLY_LABEL_TASK_FINALIZED);
  g_assert_cmpint (tally_task_get_phase (task, tally_test_market_now (market)), ==,
                   TALLY_TASK_PHASE_FINALIZED);

  /* What each seat got is what the contract credited it, and the budget
   * is all accounted for: rewards + refund + burned reward slots. */
  memset (&sum, 0, sizeof sum);
  memset (&slots, 0, sizeof slots);
  for (guint s = 0; s < 3; s++)
    {
      const TallyTaskSeat *seat = tally_task_get_seat (task, s);
      TallyUint256         credited = tally_test_market_credited (market, s + 1);

      g_assert_true (seat->settled);
      g_assert_cmpint (tally_uint256_cmp (&seat->reward, &credited), ==, 0);
      g_assert_true (tally_uint256_add (&sum, &sum, &seat->reward));
      g_assert_true (tally_uint256_add (&slots, &slots, &seat->slashed));
    }
  {
    const TallyTaskReview *review = tally_task_get_review (task, 2, 0);
    TallyUint256           credited = tally_test_market_credited (market, 4);

    g_assert_true (review->settled);
    g_assert_cmpint (tally_uint256_cmp (&review->reward, &credited), ==, 0);
    g_assert_true (tally_uint256_add (&sum, &sum, &review->reward));
    g_assert_true (tally_uint256_add (&slots, &slots, &review->slashed));
  }
  g_assert_false (tally_uint256_is_zero (&tally_task_get_seat (task, 2)->slashed));
  /* burned = slashes + reward slots: take the slashes out. */
  g_assert_true (tally_uint256_sub (&slots, tally_task_get_burned (task), &slots));
  g_assert_true (tally_uint256_add (&sum, &sum, &slots));
  g_assert_true (tally_uint256_add (&sum, &sum, tally_task_get_refund (task)));
  g_assert_cmpint (tally_uint256_cmp (&sum, tally_task_get_budget (task)), ==, 0);

  /* Settled once: a second finalize is refused before it is sent. */
  g_assert_false (tally_task_encode_finalize (task, &calldata, &len, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE);
  g_clear_error (&error);

  /* A cancelled task shows as such. */
  {
    TallyLabelTaskParams params = tally_test_market_default_params (market, N_ITEMS, 2, 0);
    TallyUint256         other = tally_test_market_create_task (market, TALLY_TEST_MARKET_REQUESTER,
                                                                &params, "https://example.org/m.json");

    g_assert_true (tally_label_market_encode_cancel_task (&calldata, &len, &other, &error));
    tally_rpc_receipt_free (tally_test_market_send (market, TALLY_TEST_MARKET_REQUESTER,
                                                    &market->market, calldata, len));
    sync_watch (&watch);
    task = tally_task_list_lookup (watch.tasks, &other);
    g_assert_cmpint (tally_task_get_state (task), ==, TALLY_LABEL_TASK_CANCELLED);
    g_assert_cmpstr (tally_task_get_manifest_uri (task), ==, "https://example.org/m.json");
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (watch.tasks)), ==, 2);
  }
  g_clear_object (&watch.tasks);
  g_clear_object (&watch.log);
}

/* anvil's "test ... junk" keys of accounts 1..3: public, test only. */
static const char *const seat_keys[] = {
  NULL,
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
};

static void
public_key_of (guint  account,
               guint8 public_key[TALLY_PUBLIC_KEY_LEN])
{
  g_autoptr (GError) error = NULL;
  guint8 key[TALLY_PRIVATE_KEY_LEN];

  g_assert_true (tally_hex_decode_fixed (key, sizeof key, seat_keys[account], -1, &error));
  g_assert_true (tally_public_key_from_private (public_key, key, &error));
  g_assert_no_error (error);
}

static void
send_ok (TallyTestMarket *market,
         guint            account,
         guint8          *calldata,
         gsize            len)
{
  tally_rpc_receipt_free (tally_test_market_send (market, account, &market->market, calldata, len));
}

static void
grant (TallyTestMarket    *market,
       const TallyUint256 *task_id,
       guint               account,
       const char         *sealed)
{
  g_autoptr (GError) error = NULL;
  guint8 *calldata = NULL;
  gsize   len = 0;

  g_assert_true (tally_label_market_encode_grant_key (&calldata, &len, task_id,
                                                      &market->accounts[account],
                                                      (const guint8 *) sealed, strlen (sealed),
                                                      &error));
  g_assert_no_error (error);
  send_ok (market, TALLY_TEST_MARKET_REQUESTER, calldata, len);
}

static void
assert_sealed (TallyTask          *task,
               const TallyAddress *account,
               const char         *expected)
{
  g_autoptr (GBytes) sealed = tally_task_get_sealed_key (task, account);

  if (expected == NULL)
    {
      g_assert_null (sealed);
      g_assert_false (tally_task_has_key_grant (task, account));
      return;
    }
  g_assert_true (tally_task_has_key_grant (task, account));
  assert_bytes (sealed, (const guint8 *) expected, strlen (expected));
}

/* Joined and ReviewJoined carry public keys, KeyGranted the sealed keys:
 * the latest grant is the one, leaving drops it. The contract does not
 * look into a sealed key, so any bytes do here. */
static void
test_private (TallyTestMarket *market,
              gconstpointer    data)
{
  static const guint8 labels[N_ITEMS] = { 1, 2, 1, 2, 1, 2 };
  g_autoptr (TallyRpcClient) client = tally_rpc_client_new (tally_rpc_client_get_url (market->client));
  g_autoptr (GError) error = NULL;
  TallyLabelTaskParams params = tally_test_market_default_params (market, N_ITEMS, 2, 1);
  Watch                watch = { 0 };
  TallyUint256         id, stake;
  TallyTask           *task;
  guint8               public_keys[4][TALLY_PUBLIC_KEY_LEN];
  guint8               salt[32], commitment[32];
  guint8              *calldata = NULL;
  gsize                len = 0;
  gint                 seat;

  watch.log = tally_market_log_new (client, market->devnet.profile, NULL, &error);
  g_assert_no_error (error);
  watch.tasks = tally_task_list_new (watch.log);
  params.has_key_server = TRUE;
  params.key_server = market->accounts[TALLY_TEST_MARKET_REQUESTER];
  id = tally_test_market_create_task (market, TALLY_TEST_MARKET_REQUESTER, &params,
                                      "https://example.org/private.json");
  g_assert_true (tally_uint256_parse (&stake, "100000000000000000000", NULL));
  for (guint a = 1; a <= 3; a++)
    {
      public_key_of (a, public_keys[a]);
      tally_test_market_stake (market, a, &stake);
    }
  for (guint a = 1; a <= 2; a++)
    {
      g_assert_true (tally_label_market_encode_join (&calldata, &len, &id, public_keys[a],
                                                     TALLY_PUBLIC_KEY_LEN, &error));
      send_ok (market, a, calldata, len);
    }
  sync_watch (&watch);
  task = tally_task_list_lookup (watch.tasks, &id);
  g_assert_true (tally_task_is_private (task));
  for (guint a = 1; a <= 2; a++)
    {
      const TallyTaskSeat *s;

      seat = tally_task_find_seat (task, &market->accounts[a]);
      g_assert_cmpint (seat, >=, 0);
      s = tally_task_get_seat (task, (guint) seat);
      g_assert_true (s->has_public_key);
      g_assert_cmpmem (s->public_key, TALLY_PUBLIC_KEY_LEN, public_keys[a], TALLY_PUBLIC_KEY_LEN);
      g_assert_false (s->key_granted);
      assert_sealed (task, &market->accounts[a], NULL);
    }

  /* Granted twice: the later grant is the one that counts. */
  grant (market, &id, 1, "first grant");
  grant (market, &id, 1, "second grant");
  grant (market, &id, 2, "grant of two");
  sync_watch (&watch);
  assert_sealed (task, &market->accounts[1], "second grant");
  assert_sealed (task, &market->accounts[2], "grant of two");
  assert_sealed (task, &market->accounts[3], NULL);
  seat = tally_task_find_seat (task, &market->accounts[1]);
  g_assert_true (tally_task_get_seat (task, (guint) seat)->key_granted);

  /* A seat given back takes its grant with it. */
  g_assert_true (tally_label_market_encode_leave (&calldata, &len, &id, &error));
  send_ok (market, 2, calldata, len);
  sync_watch (&watch);
  assert_sealed (task, &market->accounts[2], NULL);
  g_assert_cmpint (tally_task_find_seat (task, &market->accounts[2]), ==, -1);

  /* A reviewer's public key, and its grant. */
  memset (salt, 3, sizeof salt);
  tally_label_market_commitment (commitment, market->chain_id, &market->market, &id,
                                 &market->accounts[1], labels, sizeof labels, NULL, 0, salt);
  g_assert_true (tally_label_market_encode_commit (&calldata, &len, &id, commitment, &error));
  send_ok (market, 1, calldata, len);
  tally_test_market_advance_to (market, params.commit_deadline + 1);
  g_assert_true (tally_label_market_encode_reveal (&calldata, &len, &id, labels, sizeof labels,
                                                   NULL, 0, salt, &error));
  send_ok (market, 1, calldata, len);
  g_assert_true (tally_label_market_encode_join_review (&calldata, &len, &id, (guint) seat,
                                                        public_keys[3], TALLY_PUBLIC_KEY_LEN,
                                                        &error));
  g_assert_no_error (error);
  send_ok (market, 3, calldata, len);
  sync_watch (&watch);
  g_assert_true (tally_task_get_review (task, (guint) seat, 0)->has_public_key);
  g_assert_cmpmem (tally_task_get_review (task, (guint) seat, 0)->public_key, TALLY_PUBLIC_KEY_LEN,
                   public_keys[3], TALLY_PUBLIC_KEY_LEN);
  assert_sealed (task, &market->accounts[3], NULL);
  grant (market, &id, 3, "reviewer's grant");
  sync_watch (&watch);
  assert_sealed (task, &market->accounts[3], "reviewer's grant");
  g_assert_cmpuint (tally_task_list_get_inconsistencies (watch.tasks), ==, 0);

  g_clear_object (&watch.tasks);
  g_clear_object (&watch.log);
}

/* A LabelMarket log of task 7 from account: event's topic, the task id and
 * account as topics, then data (seat, if has_seat, and one bytes value). */
static TallyAbiLog *
make_log (TallyContractAbi   *abi,
          const char         *signature,
          const TallyAddress *account,
          gboolean            has_seat,
          guint               seat,
          const guint8       *bytes,
          gsize               bytes_len)
{
  g_autoptr (GByteArray) data = g_byte_array_new ();
  g_autoptr (GError) error = NULL;
  guint8       topics[3][32] = { { 0 } };
  guint8       word[32];
  TallyAbiLog *log;

  tally_keccak256 (topics[0], (const guint8 *) signature, strlen (signature));
  topics[1][31] = 7;
  memcpy (topics[2] + 12, account->bytes, TALLY_ADDRESS_LEN);
  memset (word, 0, sizeof word);
  if (has_seat)
    {
      word[31] = (guint8) seat;
      g_byte_array_append (data, word, 32);
    }
  memset (word, 0, sizeof word);
  word[31] = has_seat ? 0x40 : 0x20;
  g_byte_array_append (data, word, 32);
  word[31] = (guint8) bytes_len;
  g_byte_array_append (data, word, 32);
  g_byte_array_append (data, bytes, (guint) bytes_len);
  memset (word, 0, sizeof word);
  g_byte_array_append (data, word, (guint) ((32 - bytes_len % 32) % 32));
  log = tally_contract_abi_decode_log (abi, &topics[0][0], 3, data->data, data->len, &error);
  g_assert_no_error (error);
  return log;
}

/* Public keys of a wrong length, grants before a seat: events no honest
 * chain sends, read without harm. */
static void
test_key_events (void)
{
  static const TallyAddress requester = { { 1 } };
  static const TallyAddress alice = { { 2 } };
  static const TallyAddress bob = { { 3 } };
  g_autoptr (TallyContractAbi) abi = NULL;
  g_autoptr (TallyTask) task = NULL;
  g_autoptr (GError) error = NULL;
  TallyLabelTaskParams params = { 0 };
  TallyUint256         id, budget = { 0 };
  guint8               key[64];

  abi = tally_contract_abi_new_builtin ("LabelMarket", &error);
  g_assert_no_error (error);
  params.replication = 2;
  params.item_count = 4;
  params.has_key_server = TRUE;
  params.key_server = requester;
  tally_uint256_from_uint64 (&id, 7);
  task = _tally_task_new (&id, &requester, &params, "ipfs://x", &budget, 1);
  for (guint i = 0; i < sizeof key; i++)
    key[i] = (guint8) i;

  /* A 63-byte key: the seat is taken (the chain says so) but has no key. */
  {
    g_autoptr (TallyAbiLog) log = make_log (abi, "Joined(uint256,address,uint256,bytes)", &alice,
                                            TRUE, 0, key, 63);

    g_assert_false (_tally_task_apply (task, "Joined", log));
    g_assert_false (tally_task_get_seat (task, 0)->has_public_key);
  }
  /* A grant to an account before it joins is dropped by the join. */
  {
    g_autoptr (TallyAbiLog) grant = make_log (abi, "KeyGranted(uint256,address,bytes)", &bob,
                                              FALSE, 0, (const guint8 *) "early", 5);
    g_autoptr (TallyAbiLog) join = make_log (abi, "Joined(uint256,address,uint256,bytes)", &bob,
                                             TRUE, 1, key, sizeof key);
    g_autoptr (GBytes) sealed = NULL;

    g_assert_true (_tally_task_apply (task, "KeyGranted", grant));
    g_assert_true (tally_task_has_key_grant (task, &bob));
    g_assert_true (_tally_task_apply (task, "Joined", join));
    g_assert_false (tally_task_has_key_grant (task, &bob));
    g_assert_true (tally_task_get_seat (task, 1)->has_public_key);
    g_assert_cmpmem (tally_task_get_seat (task, 1)->public_key, 64, key, sizeof key);
    g_assert_false (tally_task_get_seat (task, 1)->key_granted);
    sealed = tally_task_get_sealed_key (task, &bob);
    g_assert_null (sealed);
  }
}

static void
test_phases (void)
{
  static const TallyAddress requester = { { 1 } };
  TallyLabelTaskParams      params = { 0 };
  TallyUint256              id, budget = { 0 };
  g_autoptr (TallyTask) task = NULL;

  params.replication = 2;
  params.item_count = 4;
  params.commit_deadline = 100;
  params.reveal_deadline = 200;
  params.review_commit_deadline = 300;
  params.review_reveal_deadline = 400;
  tally_uint256_from_uint64 (&id, 7);
  task = _tally_task_new (&id, &requester, &params, "ipfs://x", &budget, 1);
  /* Deadlines are inclusive, as the contract's. */
  g_assert_cmpint (tally_task_get_phase (task, 0), ==, TALLY_TASK_PHASE_LABELING);
  g_assert_cmpint (tally_task_get_phase (task, 100), ==, TALLY_TASK_PHASE_LABELING);
  g_assert_cmpint (tally_task_get_phase (task, 101), ==, TALLY_TASK_PHASE_REVEAL);
  g_assert_cmpint (tally_task_get_phase (task, 200), ==, TALLY_TASK_PHASE_REVEAL);
  g_assert_cmpint (tally_task_get_phase (task, 201), ==, TALLY_TASK_PHASE_REVIEW);
  g_assert_cmpint (tally_task_get_phase (task, 301), ==, TALLY_TASK_PHASE_REVIEW_REVEAL);
  g_assert_cmpint (tally_task_get_phase (task, 400), ==, TALLY_TASK_PHASE_REVIEW_REVEAL);
  g_assert_cmpint (tally_task_get_phase (task, 401), ==, TALLY_TASK_PHASE_SETTLEABLE);
  g_assert_cmpuint (tally_task_get_next_deadline (task, 50), ==, 100);
  g_assert_cmpuint (tally_task_get_next_deadline (task, 100), ==, 100);
  g_assert_cmpuint (tally_task_get_next_deadline (task, 101), ==, 200);
  g_assert_cmpuint (tally_task_get_next_deadline (task, 350), ==, 400);
  g_assert_cmpuint (tally_task_get_next_deadline (task, 401), ==, 0);
  g_assert_cmpint (tally_task_find_seat (task, &requester), ==, -1);
  g_assert_false (tally_task_has_gold (task));
  g_assert_false (tally_task_is_private (task));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/task-list/phases", test_phases);
  g_test_add_func ("/core/task-list/key-events", test_key_events);
  g_test_add ("/core/task-list/discovery", TallyTestMarket, "tally-tasks-XXXXXX",
              tally_test_market_set_up, test_discovery, tally_test_market_tear_down);
  g_test_add ("/core/task-list/private", TallyTestMarket, "tally-tasks-XXXXXX",
              tally_test_market_set_up, test_private, tally_test_market_tear_down);

  return g_test_run ();
}
