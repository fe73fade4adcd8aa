/* fuzz-label-market.c: libFuzzer target for the typed LabelMarket and
 * LabelToken result decoders (app/label-market.c, app/label-market-tasks.c,
 * app/label-market-requester.c, app/label-market-review.c)
 *
 * Every decoder either succeeds with a value that keeps the contract's
 * invariants (total stake = locked + free; a seat state SeatState has; no
 * seat for an account without one; a task within the contract's bounds;
 * an empty seat or review seat all zeros) or fails with MALFORMED_REPLY and
 * leaves its output zeroed: never a crash. Revert descriptions are always
 * UTF-8 sentences.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "core-error.h"
#include "label-market.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check_failure (GError      **error,
               const guint8 *output,
               gsize         output_len)
{
  g_assert_error (*error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
  for (gsize i = 0; i < output_len; i++)
    g_assert_cmpuint (output[i], ==, 0);
  g_clear_error (error);
}

static gboolean
is_zero (const guint8 *bytes,
         gsize         len)
{
  for (gsize i = 0; i < len; i++)
    if (bytes[i] != 0)
      return FALSE;
  return TRUE;
}

static void
check_task (const TallyLabelTask *task)
{
  const TallyLabelTaskParams *p = &task->params;

  g_assert_cmpuint (p->item_count, <=, TALLY_LABEL_MAX_ITEMS);
  g_assert_cmpuint (p->class_count, <=, TALLY_LABEL_MAX_CLASSES);
  g_assert_cmpuint (p->replication, <=, TALLY_LABEL_MAX_REPLICATION);
  g_assert_cmpuint (p->reviewers, <=, TALLY_LABEL_MAX_REVIEWERS);
  g_assert_cmpuint (p->slash_bps, <=, TALLY_LABEL_BPS);
  g_assert_cmpuint (p->quorum_bps, <=, TALLY_LABEL_BPS);
  g_assert_cmpuint (p->min_gold_accuracy_bps, <=, TALLY_LABEL_BPS);
  g_assert_cmpint (p->has_key_server, ==, !is_zero (p->key_server.bytes, TALLY_ADDRESS_LEN));
  g_assert_cmpint (task->state, >=, TALLY_LABEL_TASK_OPEN);
  g_assert_cmpint (task->state, <=, TALLY_LABEL_TASK_FINALIZED);
  g_assert_cmpuint (task->seats_taken, <=, p->replication);
}

static void
check_seat (const TallyLabelSeat *seat)
{
  g_assert_cmpint (seat->state, <=, TALLY_LABEL_SEAT_REVEALED);
  g_assert_cmpint (seat->has_holder, ==, !is_zero (seat->holder.bytes, TALLY_ADDRESS_LEN));
  if (seat->has_holder)
    g_assert_cmpint (seat->state, !=, TALLY_LABEL_SEAT_EMPTY);
  else
    g_assert_true (seat->state == TALLY_LABEL_SEAT_EMPTY && !seat->key_granted &&
                   is_zero (seat->hash, sizeof seat->hash));
}

static void
check_review (const TallyLabelReview *review)
{
  g_assert_cmpint (review->state, <=, TALLY_LABEL_SEAT_REVEALED);
  g_assert_cmpint (review->has_reviewer, ==,
                   !is_zero (review->reviewer.bytes, TALLY_ADDRESS_LEN));
  if (review->has_reviewer)
    g_assert_cmpint (review->state, !=, TALLY_LABEL_SEAT_EMPTY);
  else
    g_assert_true (review->state == TALLY_LABEL_SEAT_EMPTY &&
                   is_zero (review->hash, sizeof review->hash));
}

/* The decoders added with the requester's and reviewer's sides. */
static void
fuzz_task_views (const uint8_t *data,
                 size_t         size)
{
  g_autoptr (GError) error = NULL;
  TallyLabelTask   task;
  TallyLabelSeat   seat;
  TallyLabelReview review;
  TallyUint256     locked, max_reward, value;
  guint            seats;
  guint8           commitment[32];

  if (tally_label_market_decode_get_task (&task, data, size, &error))
    check_task (&task);
  else
    check_failure (&error, (const guint8 *) &task, sizeof task);

  if (tally_label_market_decode_get_seat (&seat, data, size, &error))
    check_seat (&seat);
  else
    check_failure (&error, (const guint8 *) &seat, sizeof seat);

  if (tally_label_market_decode_get_review (&review, data, size, &error))
    check_review (&review);
  else
    check_failure (&error, (const guint8 *) &review, sizeof review);

  if (!tally_label_market_decode_pending_of (&locked, &max_reward, data, size, &error))
    {
      check_failure (&error, (const guint8 *) &locked, sizeof locked);
      g_assert_true (tally_uint256_is_zero (&max_reward));
    }

  if (tally_label_market_decode_review_seats_of (&seats, data, size, &error))
    g_assert_cmpuint (seats, <, 1u << TALLY_LABEL_MAX_REPLICATION);
  else
    check_failure (&error, (const guint8 *) &seats, sizeof seats);

  if (!tally_label_market_decode_budget_for (&value, data, size, &error))
    check_failure (&error, (const guint8 *) &value, sizeof value);
  if (!tally_label_market_decode_task_count (&value, data, size, &error))
    check_failure (&error, (const guint8 *) &value, sizeof value);
  if (!tally_label_market_decode_gold_commitment_of (commitment, data, size, &error))
    check_failure (&error, commitment, sizeof commitment);
  if (!tally_label_market_decode_review_commitment_of (commitment, data, size, &error))
    check_failure (&error, commitment, sizeof commitment);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr (GError) error = NULL;
  g_autofree char     *sentence = NULL;
  TallyLabelStake      stake;
  TallyLabelSubmission submission;
  TallyUint256         value, sum;
  guint8               commitment[32];

  if (tally_label_market_decode_stake_of (&stake, data, size, &error))
    {
      g_assert_true (tally_uint256_add (&sum, &stake.locked, &stake.free));
      g_assert_cmpint (tally_uint256_cmp (&sum, &stake.total), ==, 0);
    }
  else
    check_failure (&error, (const guint8 *) &stake, sizeof stake);

  if (tally_label_market_decode_get_submission (&submission, data, size, &error))
    {
      g_assert_cmpint (submission.state, <=, TALLY_LABEL_SEAT_REVEALED);
      if (!submission.seated)
        {
          g_assert_cmpuint (submission.seat, ==, 0);
          g_assert_cmpint (submission.state, ==, TALLY_LABEL_SEAT_EMPTY);
        }
    }
  else
    check_failure (&error, (const guint8 *) &submission, sizeof submission);

  if (!tally_label_market_decode_credited (&value, data, size, &error))
    check_failure (&error, (const guint8 *) &value, sizeof value);
  if (!tally_label_token_decode_nonces (&value, data, size, &error))
    check_failure (&error, (const guint8 *) &value, sizeof value);
  if (!tally_label_token_decode_balance_of (&value, data, size, &error))
    check_failure (&error, (const guint8 *) &value, sizeof value);
  if (!tally_label_market_decode_commitment_of (commitment, data, size, &error))
    check_failure (&error, commitment, sizeof commitment);

  fuzz_task_views (data, size);

  sentence = tally_label_market_describe_revert (data, size);
  g_assert_nonnull (sentence);
  g_assert_true (g_utf8_validate (sentence, -1, NULL));

  return 0;
}
