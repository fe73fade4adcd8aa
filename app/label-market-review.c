/* label-market-review.c: the typed calls of a reviewer's side of a
 * LabelMarket task (joinReview, commitReview, revealReview, the review
 * commitment itself) and of the review views (getReview, reviewSeatsOf)
 *
 * The review commitment is computed here exactly as the contract's
 * reviewCommitmentOf does, so a reviewer commits without a round trip and
 * can check its reveal before paying gas for it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "core-error.h"
#include "label-market-private.h"
#include "label-market.h"
#include "wallet/keccak.h"

#define REVIEW_COMMITMENT_OF "reviewCommitmentOf(uint256,uint256,address,bytes32,bytes32)"
#define GET_REVIEW           "getReview(uint256,uint256,uint256)"
#define REVIEW_SEATS_OF      "reviewSeatsOf(uint256,address)"

/* taskId and seat, the first two arguments of most review calls. */
static TallyAbiValue *
task_seat_args (const TallyUint256 *task_id,
                guint               seat)
{
  TallyAbiValue *args = tally_label_uint_args (task_id);
  TallyUint256   wide;

  tally_uint256_from_uint64 (&wide, seat);
  tally_abi_value_append (args, tally_abi_value_new_uint (&wide));
  return args;
}

gboolean
tally_label_market_encode_join_review (guint8            **out,
                                       gsize              *out_len,
                                       const TallyUint256 *task_id,
                                       guint               seat,
                                       const guint8       *public_key,
                                       gsize               public_key_len,
                                       GError            **error)
{
  TallyAbiValue *args;

  g_return_val_if_fail (task_id != NULL && (public_key != NULL || public_key_len == 0), FALSE);

  args = task_seat_args (task_id, seat);
  tally_abi_value_append (args, tally_abi_value_new_bytes (public_key, public_key_len));
  return tally_label_encode_call (tally_label_market_abi, "joinReview(uint256,uint256,bytes)",
                                  args, out, out_len, error);
}

gboolean
tally_label_market_encode_commit_review (guint8            **out,
                                         gsize              *out_len,
                                         const TallyUint256 *task_id,
                                         guint               seat,
                                         const guint8        commitment[32],
                                         GError            **error)
{
  TallyAbiValue *args;

  g_return_val_if_fail (task_id != NULL && commitment != NULL, FALSE);

  args = task_seat_args (task_id, seat);
  tally_abi_value_append (args, tally_abi_value_new_fixed_bytes (commitment, 32));
  return tally_label_encode_call (tally_label_market_abi, "commitReview(uint256,uint256,bytes32)",
                                  args, out, out_len, error);
}

gboolean
tally_label_market_encode_reveal_review (guint8            **out,
                                         gsize              *out_len,
                                         const TallyUint256 *task_id,
                                         guint               seat,
                                         const guint8       *verdicts,
                                         gsize               verdicts_len,
                                         const guint8        salt[32],
                                         GError            **error)
{
  TallyAbiValue *args;

  g_return_val_if_fail (task_id != NULL && salt != NULL, FALSE);
  g_return_val_if_fail (verdicts != NULL || verdicts_len == 0, FALSE);

  args = task_seat_args (task_id, seat);
  tally_abi_value_append (args, tally_abi_value_new_bytes (verdicts, verdicts_len));
  tally_abi_value_append (args, tally_abi_value_new_fixed_bytes (salt, 32));
  return tally_label_encode_call (tally_label_market_abi,
                                  "revealReview(uint256,uint256,bytes,bytes32)", args, out,
                                  out_len, error);
}

void
tally_label_market_review_commitment (guint8              commitment[32],
                                      guint64             chain_id,
                                      const TallyAddress *market,
                                      const TallyUint256 *task_id,
                                      guint               seat,
                                      const TallyAddress *reviewer,
                                      const guint8       *verdicts,
                                      gsize               verdicts_len,
                                      const guint8        salt[32])
{
  /* abi.encode of seven static words is the words one after another:
   * uint256 and bytes32 as they are, addresses right-aligned. */
  guint8       words[7 * 32] = { 0 };
  TallyUint256 wide;

  g_return_if_fail (commitment != NULL && market != NULL && task_id != NULL);
  g_return_if_fail (reviewer != NULL && salt != NULL);
  g_return_if_fail (verdicts != NULL || verdicts_len == 0);

  tally_uint256_from_uint64 (&wide, chain_id);
  tally_uint256_to_bytes32 (words, &wide);
  memcpy (words + 32 + 12, market->bytes, TALLY_ADDRESS_LEN);
  tally_uint256_to_bytes32 (words + 2 * 32, task_id);
  tally_uint256_from_uint64 (&wide, seat);
  tally_uint256_to_bytes32 (words + 3 * 32, &wide);
  memcpy (words + 4 * 32 + 12, reviewer->bytes, TALLY_ADDRESS_LEN);
  tally_keccak256 (words + 5 * 32, verdicts, verdicts_len);
  memcpy (words + 6 * 32, salt, 32);
  tally_keccak256 (commitment, words, sizeof words);
}

gboolean
tally_label_market_encode_review_commitment_of (guint8            **out,
                                                gsize              *out_len,
                                                const TallyUint256 *task_id,
                                                guint               seat,
                                                const TallyAddress *reviewer,
                                                const guint8        verdicts_hash[32],
                                                const guint8        salt[32],
                                                GError            **error)
{
  TallyAbiValue *args;

  g_return_val_if_fail (task_id != NULL && reviewer != NULL, FALSE);
  g_return_val_if_fail (verdicts_hash != NULL && salt != NULL, FALSE);

  args = task_seat_args (task_id, seat);
  tally_abi_value_append (args, tally_abi_value_new_address (reviewer));
  tally_abi_value_append (args, tally_abi_value_new_fixed_bytes (verdicts_hash, 32));
  tally_abi_value_append (args, tally_abi_value_new_fixed_bytes (salt, 32));
  return tally_label_encode_call (tally_label_market_abi, REVIEW_COMMITMENT_OF, args, out, out_len,
                                  error);
}

gboolean
tally_label_market_decode_review_commitment_of (guint8        commitment[32],
                                                const guint8 *data,
                                                gsize         len,
                                                GError      **error)
{
  g_autoptr (TallyAbiValue) result = NULL;
  const guint8 *bytes;
  gsize         bytes_len = 0;

  g_return_val_if_fail (commitment != NULL, FALSE);

  memset (commitment, 0, 32);
  result =
    tally_label_decode_result (tally_label_market_abi, REVIEW_COMMITMENT_OF, data, len, error);
  if (result == NULL)
    return FALSE;
  bytes = tally_abi_value_get_bytes (tally_abi_value_get_element (result, 0), &bytes_len);
  g_assert (bytes_len == 32);
  memcpy (commitment, bytes, 32);
  return TRUE;
}

gboolean
tally_label_market_encode_get_review (guint8            **out,
                                      gsize              *out_len,
                                      const TallyUint256 *task_id,
                                      guint               seat,
                                      guint               review_slot,
                                      GError            **error)
{
  TallyAbiValue *args;
  TallyUint256   slot;

  g_return_val_if_fail (task_id != NULL, FALSE);

  args = task_seat_args (task_id, seat);
  tally_uint256_from_uint64 (&slot, review_slot);
  tally_abi_value_append (args, tally_abi_value_new_uint (&slot));
  return tally_label_encode_call (tally_label_market_abi, GET_REVIEW, args, out, out_len, error);
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

gboolean
tally_label_market_decode_get_review (TallyLabelReview *review,
                                      const guint8     *data,
                                      gsize             len,
                                      GError          **error)
{
  g_autoptr (TallyAbiValue) result = NULL;
  TallyUint256  state;
  guint64       state64 = 0;
  const guint8 *hash;
  gsize         hash_len = 0;

  g_return_val_if_fail (review != NULL, FALSE);

  memset (review, 0, sizeof *review);
  result = tally_label_decode_result (tally_label_market_abi, GET_REVIEW, data, len, error);
  if (result == NULL)
    return FALSE;
  tally_abi_value_get_uint (tally_abi_value_get_element (result, 1), &state);
  tally_abi_value_get_address (tally_abi_value_get_element (result, 0), &review->reviewer);
  hash = tally_abi_value_get_bytes (tally_abi_value_get_element (result, 2), &hash_len);
  g_assert (hash_len == 32);
  review->has_reviewer = !is_zero (review->reviewer.bytes, TALLY_ADDRESS_LEN);
  /* A reviewer has at least joined; an untaken review seat is all zeros. */
  if (!tally_uint256_to_uint64 (&state64, &state) || state64 > TALLY_LABEL_SEAT_REVEALED ||
      (review->has_reviewer ? state64 == TALLY_LABEL_SEAT_EMPTY
                            : (state64 != TALLY_LABEL_SEAT_EMPTY || !is_zero (hash, 32))))
    {
      memset (review, 0, sizeof *review);
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "The result of LabelMarket.%s names a state the review seat cannot be in",
                   GET_REVIEW);
      return FALSE;
    }
  review->state = (TallyLabelSeatState) state64;
  memcpy (review->hash, hash, 32);
  return TRUE;
}

gboolean
tally_label_market_encode_review_seats_of (guint8            **out,
                                           gsize              *out_len,
                                           const TallyUint256 *task_id,
                                           const TallyAddress *account,
                                           GError            **error)
{
  g_return_val_if_fail (task_id != NULL && account != NULL, FALSE);

  return tally_label_encode_call (tally_label_market_abi, REVIEW_SEATS_OF,
                                  tally_label_task_account_args (task_id, account), out, out_len,
                                  error);
}

gboolean
tally_label_market_decode_review_seats_of (guint        *seats,
                                           const guint8 *data,
                                           gsize         len,
                                           GError      **error)
{
  g_autoptr (TallyAbiValue) result = NULL;
  TallyUint256 mask;
  guint64      mask64 = 0;

  g_return_val_if_fail (seats != NULL, FALSE);

  *seats = 0;
  result = tally_label_decode_result (tally_label_market_abi, REVIEW_SEATS_OF, data, len, error);
  if (result == NULL)
    return FALSE;
  tally_abi_value_get_uint (tally_abi_value_get_element (result, 0), &mask);
  if (!tally_uint256_to_uint64 (&mask64, &mask) ||
      mask64 >= (G_GUINT64_CONSTANT (1) << TALLY_LABEL_MAX_REPLICATION))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "The result of LabelMarket.%s names a seat no task has", REVIEW_SEATS_OF);
      return FALSE;
    }
  *seats = (guint) mask64;
  return TRUE;
}
