/* fuzz-label-market.c: libFuzzer target for the typed LabelMarket and
 * LabelToken result decoders (app/label-market.c, app/label-market-tasks.c)
 *
 * Every decoder either succeeds with a value that keeps the contract's
 * invariants (total stake = locked + free; a seat state SeatState has; no
 * seat for an account without one) or fails with MALFORMED_REPLY and
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

  sentence = tally_label_market_describe_revert (data, size);
  g_assert_nonnull (sentence);
  g_assert_true (g_utf8_validate (sentence, -1, NULL));

  return 0;
}
