/* test-label-market-settle.c: the requester's and reviewer's LabelMarket
 * calls on tools/devnet's chain: the local budget and commitments against
 * the contract's views, and a whole task with gold and a reviewer settled
 * to the wei through tally-test-market (test-label-market-requests.c checks
 * the same calls' calldata and decoders without a chain)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "core-error.h"
#include "label-market.h"
#include "tally-test-devnet.h"
#include "tally-test-market.h"
#include "wallet/hex.h"
#include "wallet/keccak.h"

#define SALT "0x5a17000000000000000000000000000000000000000000000000000000c0ffee"

static TallyUint256
uint_of (const char *text)
{
  g_autoptr (GError) error = NULL;
  TallyUint256 value;

  g_assert_true (tally_uint256_parse (&value, text, &error));
  g_assert_no_error (error);
  return value;
}

static void
assert_uint_equal (const TallyUint256 *a,
                   const TallyUint256 *b)
{
  g_autofree char *a_text = tally_uint256_to_decimal (a);
  g_autofree char *b_text = tally_uint256_to_decimal (b);

  g_assert_cmpstr (a_text, ==, b_text);
}

/* ---- On the devnet's chain ---------------------------------------------- */

static void
test_views (TallyTestMarket *m,
            gconstpointer    data)
{
  g_autoptr (GError) error = NULL;
  TallyLabelTaskParams p = tally_test_market_default_params (m, 256, 7, 3);
  TallyUint256         ours, theirs, max;
  guint8               salt[32], local[32], remote[32];
  guint8              *calldata = NULL;
  gsize                calldata_len = 0;

  g_assert_true (tally_hex_decode_fixed (salt, sizeof salt, SALT, -1, &error));
  g_assert_no_error (error);

  /* The budget, with and without reviewers, with amounts far from round. */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (GBytes) reply = NULL;

      if (i == 1)
        {
          p.reward_per_label = uint_of ("340282366920938463463374607431768211455");
          p.review_reward_per_item = uint_of ("12345678901234567890123");
        }
      else if (i == 2)
        {
          p.item_count = 3;
          p.replication = 2;
          p.reviewers = 0;
          tally_uint256_from_uint64 (&p.review_reward_per_item, 0);
        }
      g_assert_true (tally_label_task_params_budget (&p, &ours));
      g_assert_true (tally_label_market_encode_budget_for (&calldata, &calldata_len, &p, &error));
      reply = tally_test_market_call (m, &m->market, calldata, calldata_len);
      g_assert_true (tally_label_market_decode_budget_for (&theirs, g_bytes_get_data (reply, NULL),
                                                           g_bytes_get_size (reply), &error));
      g_assert_no_error (error);
      assert_uint_equal (&ours, &theirs);
    }
  /* Where the contract's checked arithmetic would revert, there is none. */
  memset (&max, 0xff, sizeof max);
  p.reward_per_label = max;
  g_assert_false (tally_label_task_params_budget (&p, &ours));
  g_assert_true (tally_uint256_is_zero (&ours));

  /* Gold commitments: one item, and many with the largest index. */
  {
    static const guint16 one_index[] = { 0 }, many_indices[] = { 1, 2, 30, 200, 255 };
    static const guint8  one_label[] = { 2 }, many_labels[] = { 1, 255, 3, 4, 2 };
    const struct
    {
      const guint16 *indices;
      const guint8  *labels;
      gsize          n;
    } golds[] = { { one_index, one_label, 1 }, { many_indices, many_labels, 5 } };

    for (guint i = 0; i < G_N_ELEMENTS (golds); i++)
      {
        g_autoptr (GBytes) reply = NULL;

        tally_label_market_gold_commitment (local, p.manifest_hash, golds[i].indices,
                                            golds[i].labels, golds[i].n, salt);
        g_assert_true (tally_label_market_encode_gold_commitment_of (
          &calldata, &calldata_len, p.manifest_hash, golds[i].indices, golds[i].labels,
          golds[i].n, salt, &error));
        reply = tally_test_market_call (m, &m->market, calldata, calldata_len);
        g_assert_true (tally_label_market_decode_gold_commitment_of (
          remote, g_bytes_get_data (reply, NULL),
          g_bytes_get_size (reply), &error));
        g_assert_no_error (error);
        g_assert_cmpmem (local, 32, remote, 32);
      }
  }

  /* Review commitments: the chain id, market and seat all go in. */
  {
    static const guint8 verdicts[] = { 1, 2, 0, 1, 1, 2 };
    const char         *task_ids[] = {
              "1", "115792089237316195423570985008687907853269984665640564039457584007913129639935"
    };

    for (guint i = 0; i < G_N_ELEMENTS (task_ids); i++)
      {
        g_autoptr (GBytes) reply = NULL;
        TallyUint256 task_id = uint_of (task_ids[i]);
        guint8       verdicts_hash[32];

        tally_label_market_review_commitment (local, m->chain_id, &m->market, &task_id, 5 - i,
                                              &m->accounts[3], verdicts, sizeof verdicts, salt);
        tally_keccak256 (verdicts_hash, verdicts, sizeof verdicts);
        g_assert_true (tally_label_market_encode_review_commitment_of (
          &calldata, &calldata_len, &task_id, 5 - i, &m->accounts[3], verdicts_hash, salt,
          &error));
        reply = tally_test_market_call (m, &m->market, calldata, calldata_len);
        g_assert_true (tally_label_market_decode_review_commitment_of (
          remote, g_bytes_get_data (reply, NULL),
          g_bytes_get_size (reply), &error));
        g_assert_no_error (error);
        g_assert_cmpmem (local, 32, remote, 32);
      }
  }
}

/* ---- A whole task ------------------------------------------------------- */

#define N_ITEMS 8

/* Seats 0 and 1 agree everywhere; seat 2 differs on items 2, 4 and 7. Gold
 * is items 0 and 5, which all three have right. */
static const guint8  labels_agree[N_ITEMS] = { 1, 2, 3, 4, 1, 3, 2, 1 };
static const guint8  labels_off[N_ITEMS] = { 1, 2, 1, 4, 2, 3, 2, 4 };
static const guint16 gold_indices[] = { 0, 5 };
static const guint8  gold_labels[] = { 1, 3 };
/* The reviewer of seat 2 rejects its wrong labels and abstains on item 6. */
static const guint8 verdicts[N_ITEMS] = { 1, 1, 2, 1, 2, 1, 0, 2 };

typedef struct
{
  TallyLabelTaskParams params;
  TallyUint256         budget;
  TallyUint256         lock;
  guint                stages_seen;
} Settle;

static void
assert_params_equal (const TallyLabelTaskParams *a,
                     const TallyLabelTaskParams *b)
{
  g_assert_cmpmem (a->manifest_hash, 32, b->manifest_hash, 32);
  g_assert_cmpuint (a->item_count, ==, b->item_count);
  g_assert_cmpuint (a->class_count, ==, b->class_count);
  g_assert_cmpuint (a->replication, ==, b->replication);
  g_assert_cmpuint (a->reviewers, ==, b->reviewers);
  assert_uint_equal (&a->reward_per_label, &b->reward_per_label);
  assert_uint_equal (&a->review_reward_per_item, &b->review_reward_per_item);
  assert_uint_equal (&a->stake_per_item, &b->stake_per_item);
  g_assert_cmpuint (a->slash_bps, ==, b->slash_bps);
  g_assert_cmpuint (a->quorum_bps, ==, b->quorum_bps);
  assert_uint_equal (&a->leave_fee, &b->leave_fee);
  g_assert_cmpuint (a->min_gold_accuracy_bps, ==, b->min_gold_accuracy_bps);
  g_assert_cmpint (a->has_key_server, ==, b->has_key_server);
  g_assert_cmpuint (a->commit_deadline, ==, b->commit_deadline);
  g_assert_cmpuint (a->reveal_deadline, ==, b->reveal_deadline);
  g_assert_cmpuint (a->review_commit_deadline, ==, b->review_commit_deadline);
  g_assert_cmpuint (a->review_reveal_deadline, ==, b->review_reveal_deadline);
}

static void
assert_pending (TallyTestMarket    *m,
                const TallyUint256 *task_id,
                guint               account,
                const TallyUint256 *locked,
                const TallyUint256 *max_reward)
{
  TallyUint256 l, r;

  tally_test_market_pending_of (m, task_id, account, &l, &r);
  assert_uint_equal (&l, locked);
  assert_uint_equal (&r, max_reward);
}

static void
settle_stage (TallyTestMarket     *m,
              TallyTestMarketStage stage,
              const TallyUint256  *task_id,
              gpointer             user_data)
{
  Settle        *s = user_data;
  TallyLabelTask task = tally_test_market_get_task (m, task_id);
  TallyUint256   zero = { 0 }, labels_max, review_max;

  g_assert_cmpuint (s->stages_seen, ==, stage);
  s->stages_seen++;
  g_assert_true (tally_uint256_mul_uint64 (&labels_max, &s->params.reward_per_label, N_ITEMS));
  g_assert_true (tally_uint256_mul_uint64 (&review_max, &s->params.review_reward_per_item, N_ITEMS));
  assert_params_equal (&task.params, &s->params);
  g_assert_true (tally_address_equal (&task.requester, &m->accounts[0]));

  switch (stage)
    {
    case TALLY_TEST_MARKET_CREATED:
      g_assert_cmpint (task.state, ==, TALLY_LABEL_TASK_OPEN);
      assert_uint_equal (&task.escrow, &s->budget);
      g_assert_cmpuint (task.seats_taken, ==, 0);
      g_assert_false (task.ever_joined);
      g_assert_false (task.gold_revealed);
      /* The driver put the commitment of its gold in. */
      {
        static const guint8 none[32] = { 0 };

        g_assert_true (memcmp (task.params.gold_commitment, none, 32) != 0);
      }
      assert_pending (m, task_id, 1, &zero, &zero);
      {
        TallyLabelSeat seat = tally_test_market_get_seat (m, task_id, 0);

        g_assert_false (seat.has_holder);
        g_assert_cmpint (seat.state, ==, TALLY_LABEL_SEAT_EMPTY);
      }
      break;

    case TALLY_TEST_MARKET_COMMITTED:
    case TALLY_TEST_MARKET_REVEALED:
      g_assert_cmpint (task.state, ==, TALLY_LABEL_TASK_OPEN);
      assert_uint_equal (&task.escrow, &s->budget);
      g_assert_cmpuint (task.seats_taken, ==, 3);
      g_assert_true (task.ever_joined);
      for (guint seat_index = 0; seat_index < 3; seat_index++)
        {
          TallyLabelSeat seat = tally_test_market_get_seat (m, task_id, seat_index);

          g_assert_true (seat.has_holder);
          g_assert_true (tally_address_equal (&seat.holder, &m->accounts[1 + seat_index]));
          g_assert_false (seat.key_granted);
          assert_pending (m, task_id, 1 + seat_index, &s->lock, &labels_max);
          if (stage == TALLY_TEST_MARKET_COMMITTED)
            g_assert_cmpint (seat.state, ==, TALLY_LABEL_SEAT_COMMITTED);
          else
            {
              guint8 hash[32];

              g_assert_cmpint (seat.state, ==, TALLY_LABEL_SEAT_REVEALED);
              tally_keccak256 (hash, seat_index == 2 ? labels_off : labels_agree, N_ITEMS);
              g_assert_cmpmem (seat.hash, 32, hash, 32);
            }
        }
      {
        TallyLabelSeat seat = tally_test_market_get_seat (m, task_id, 3);

        /* Past the task's R seats nothing is held. */
        g_assert_false (seat.has_holder);
      }
      break;

    case TALLY_TEST_MARKET_REVIEWED:
      {
        TallyLabelReview review = tally_test_market_get_review (m, task_id, 2, 0);
        TallyLabelReview untaken = tally_test_market_get_review (m, task_id, 0, 0);
        guint8           hash[32];

        g_assert_true (review.has_reviewer);
        g_assert_true (tally_address_equal (&review.reviewer, &m->accounts[4]));
        g_assert_cmpint (review.state, ==, TALLY_LABEL_SEAT_REVEALED);
        tally_keccak256 (hash, verdicts, N_ITEMS);
        g_assert_cmpmem (review.hash, 32, hash, 32);
        g_assert_false (untaken.has_reviewer);
        g_assert_cmpint (untaken.state, ==, TALLY_LABEL_SEAT_EMPTY);
        assert_pending (m, task_id, 4, &s->lock, &review_max);
        g_assert_false (task.gold_revealed);
      }
      break;

    case TALLY_TEST_MARKET_SETTLING:
      g_assert_cmpint (task.state, ==, TALLY_LABEL_TASK_OPEN);
      g_assert_true (task.gold_revealed);
      assert_uint_equal (&task.escrow, &s->budget);
      break;

    case TALLY_TEST_MARKET_FINALIZED:
      g_assert_cmpint (task.state, ==, TALLY_LABEL_TASK_FINALIZED);
      g_assert_true (tally_uint256_is_zero (&task.escrow));
      for (guint account = 1; account <= 4; account++)
        assert_pending (m, task_id, account, &zero, &zero);
      break;

    default:
      g_assert_not_reached ();
    }
}

/* a x k, which must fit. */
static TallyUint256
times (const TallyUint256 *a,
       guint64             k)
{
  TallyUint256 out;

  g_assert_true (tally_uint256_mul_uint64 (&out, a, k));
  return out;
}

static TallyUint256
plus (TallyUint256 a,
      TallyUint256 b)
{
  TallyUint256 out;

  g_assert_true (tally_uint256_add (&out, &a, &b));
  return out;
}

static void
test_settle (TallyTestMarket *m,
             gconstpointer    data)
{
  g_autoptr (GBytes) reply = NULL;
  Settle              s = { 0 };
  TallyTestMarketTask task = { 0 };
  TallyUint256        task_id, slash_per_item, slash_numerator, expected_credit[5];
  TallyUint256        expected_stake[5];
  TallyUint256        requester_before, requester_after, slot_burns;
  /* By the settlement rules, in seat order (accounts 1, 2, 3): */
  const guint64 correct[3] = { 8, 8, 5 }, wrong[3] = { 0, 0, 3 };
  /* The reviewer: correct on every verdict but the abstention. */
  const guint64 review_correct = 7, review_wrong = 0;

  task.params = tally_test_market_default_params (m, N_ITEMS, 3, 1);
  task.params.min_gold_accuracy_bps = 5000;
  task.requester = TALLY_TEST_MARKET_REQUESTER;
  task.n_annotators = 3;
  task.annotators[0] = 1;
  task.annotators[1] = 2;
  task.annotators[2] = 3;
  task.labels[0] = labels_agree;
  task.labels[1] = labels_agree;
  task.labels[2] = labels_off;
  task.n_gold = G_N_ELEMENTS (gold_indices);
  task.gold_indices = gold_indices;
  task.gold_labels = gold_labels;
  task.has_reviewer = TRUE;
  task.reviewer = 4;
  task.reviewed_seat = 2;
  task.verdicts = verdicts;
  task.hook = settle_stage;
  task.hook_data = &s;

  s.params = task.params;
  g_assert_true (tally_label_task_params_budget (&s.params, &s.budget));
  s.lock = times (&s.params.stake_per_item, N_ITEMS);
  requester_before = tally_test_market_balance_of (m, 0);

  task_id = tally_test_market_run_task (m, &task);
  g_assert_cmpuint (s.stages_seen, ==, TALLY_TEST_MARKET_FINALIZED + 1);
  g_assert_cmpuint (task_id.limbs[0], ==, 1);

  /* The requester paid the budget into escrow, and nothing else in LABEL. */
  {
    TallyUint256 paid;

    requester_after = tally_test_market_balance_of (m, 0);
    g_assert_true (tally_uint256_sub (&paid, &requester_before, &requester_after));
    assert_uint_equal (&paid, &s.budget);
  }

  /* The contract's rules, by hand: reward = correct x rewardPerLabel, slash
   * = wrong x stakePerItem x slashBps / 10000, every other slot back to the
   * requester, wrong slots burned. */
  slash_numerator = times (&s.params.stake_per_item, s.params.slash_bps);
  g_assert_true (
    tally_uint256_divmod_uint64 (&slash_per_item, NULL, &slash_numerator, TALLY_LABEL_BPS));
  memset (expected_credit, 0, sizeof expected_credit);
  slot_burns = (TallyUint256){ 0 };
  for (guint seat = 0; seat < 3; seat++)
    {
      TallyUint256 slashed = times (&slash_per_item, wrong[seat]);

      expected_credit[1 + seat] = times (&s.params.reward_per_label, correct[seat]);
      g_assert_true (tally_uint256_sub (&expected_stake[1 + seat], &s.lock, &slashed));
      expected_credit[0] =
        plus (expected_credit[0],
              times (&s.params.reward_per_label, N_ITEMS - correct[seat] - wrong[seat]));
      slot_burns = plus (slot_burns, times (&s.params.reward_per_label, wrong[seat]));
    }
  expected_credit[4] = times (&s.params.review_reward_per_item, review_correct);
  expected_stake[4] = s.lock;
  expected_credit[0] =
    plus (expected_credit[0], times (&s.params.review_reward_per_item,
                                     N_ITEMS - review_correct - review_wrong));
  /* The review seats of seats 0 and 1, which nobody took. */
  expected_credit[0] =
    plus (expected_credit[0], times (&s.params.review_reward_per_item, 2 * N_ITEMS));
  expected_stake[0] = (TallyUint256){ 0 };

  /* At least one reward and one slash, and the budget is all accounted
   * for: credited or burned as the slot of a wrong label. */
  g_assert_false (tally_uint256_is_zero (&expected_credit[3]));
  g_assert_cmpint (tally_uint256_cmp (&expected_stake[3], &s.lock), <, 0);
  {
    TallyUint256 total = slot_burns;

    for (guint account = 0; account < 5; account++)
      total = plus (total, expected_credit[account]);
    assert_uint_equal (&total, &s.budget);
  }

  for (guint account = 0; account < 5; account++)
    {
      TallyLabelStake stake = tally_test_market_stake_of (m, account);
      TallyUint256    credited = tally_test_market_credited (m, account);
      TallyUint256    before, after, claimed, rise;

      g_test_message ("account %u", account);
      assert_uint_equal (&stake.total, &expected_stake[account]);
      g_assert_true (tally_uint256_is_zero (&stake.locked));
      assert_uint_equal (&credited, &expected_credit[account]);

      before = tally_test_market_balance_of (m, account);
      claimed = tally_test_market_claim (m, account);
      after = tally_test_market_balance_of (m, account);
      assert_uint_equal (&claimed, &credited);
      g_assert_true (tally_uint256_sub (&rise, &after, &before));
      assert_uint_equal (&rise, &credited);
      credited = tally_test_market_credited (m, account);
      g_assert_true (tally_uint256_is_zero (&credited));
    }

  /* The reviewer's seat is recorded as a bit per reviewed seat. */
  {
    g_autoptr (GError) error = NULL;
    guint8 *calldata = NULL;
    gsize   calldata_len = 0;
    guint   seats = 0;

    g_assert_true (tally_label_market_encode_review_seats_of (&calldata, &calldata_len, &task_id,
                                                              &m->accounts[4], &error));
    reply = tally_test_market_call (m, &m->market, calldata, calldata_len);
    g_assert_true (tally_label_market_decode_review_seats_of (
      &seats, g_bytes_get_data (reply, NULL),
      g_bytes_get_size (reply), &error));
    g_assert_no_error (error);
    g_assert_cmpuint (seats, ==, 1 << 2);
  }
}

/* ---- Cancelling, and reverts through TallyTxManager ---------------------- */

static void
assert_reverted (TallyTestMarket *m,
                 guint            account,
                 guint8          *calldata,
                 gsize            calldata_len,
                 const char      *custom_error)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyRpcReceipt) receipt =
    tally_test_market_try_send (m, account, &m->market, calldata, calldata_len, &error);

  g_assert_null (receipt);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_REVERTED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, custom_error));
}

static void
test_cancel_and_revert (TallyTestMarket *m,
                        gconstpointer    data)
{
  g_autoptr (GError) error = NULL;
  TallyLabelTaskParams p = tally_test_market_default_params (m, 4, 2, 0);
  TallyUint256         budget, first, second, credited, credited_before;
  TallyLabelTask       task;
  guint8              *calldata = NULL;
  gsize                calldata_len = 0;

  g_assert_true (tally_label_task_params_budget (&p, &budget));
  credited_before = tally_test_market_credited (m, 0);
  first = tally_test_market_create_task (m, 0, &p, "ipfs://first");

  /* Only the requester cancels. */
  g_assert_true (tally_label_market_encode_cancel_task (&calldata, &calldata_len, &first, &error));
  assert_reverted (m, 1, calldata, calldata_len, "NotRequester");
  g_assert_true (tally_label_market_encode_cancel_task (&calldata, &calldata_len, &first, &error));
  tally_rpc_receipt_free (tally_test_market_send (m, 0, &m->market, calldata, calldata_len));
  credited = tally_test_market_credited (m, 0);
  g_assert_true (tally_uint256_sub (&credited, &credited, &credited_before));
  assert_uint_equal (&credited, &budget);
  task = tally_test_market_get_task (m, &first);
  g_assert_cmpint (task.state, ==, TALLY_LABEL_TASK_CANCELLED);
  g_assert_true (tally_uint256_is_zero (&task.escrow));

  /* Two seats: a third join finds none, and a joined task is not cancelled. */
  p = tally_test_market_default_params (m, 4, 2, 0);
  second = tally_test_market_create_task (m, 0, &p, "ipfs://second");
  g_assert_cmpuint (second.limbs[0], ==, first.limbs[0] + 1);
  for (guint account = 1; account <= 3; account++)
    {
      TallyUint256 lock;

      g_assert_true (tally_uint256_mul_uint64 (&lock, &p.stake_per_item, p.item_count));
      tally_test_market_stake (m, account, &lock);
      g_assert_true (
        tally_label_market_encode_join (&calldata, &calldata_len, &second, NULL, 0, &error));
      if (account < 3)
        tally_rpc_receipt_free (tally_test_market_send (m, account, &m->market, calldata,
                                                        calldata_len));
      else
        assert_reverted (m, account, calldata, calldata_len, "NoSeatLeft");
    }
  g_assert_true (tally_label_market_encode_cancel_task (&calldata, &calldata_len, &second, &error));
  assert_reverted (m, 0, calldata, calldata_len, "TaskHasJoins");

  /* Settling before the last deadline is too early. */
  {
    GBytes *no_labels[2] = { NULL, NULL };

    g_assert_true (tally_label_market_encode_finalize (&calldata, &calldata_len, &second, no_labels,
                                                       2, NULL, NULL, 0, NULL, 0, &error));
    assert_reverted (m, 3, calldata, calldata_len, "TooEarly");
  }
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/core/label-market-settle/views", TallyTestMarket, "tally-lms-XXXXXX",
              tally_test_market_set_up, test_views, tally_test_market_tear_down);
  g_test_add ("/core/label-market-settle/settle", TallyTestMarket, "tally-lms-XXXXXX",
              tally_test_market_set_up, test_settle, tally_test_market_tear_down);
  g_test_add ("/core/label-market-settle/cancel-and-revert", TallyTestMarket, "tally-lms-XXXXXX",
              tally_test_market_set_up, test_cancel_and_revert, tally_test_market_tear_down);

  return g_test_run ();
}
