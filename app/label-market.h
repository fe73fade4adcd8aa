/* label-market.h: typed calls of the LabelMarket contract and of its token,
 * built on the ABI the contracts build exports (contract-abi.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "wallet/keys.h"
#include "wallet/uint256.h"

G_BEGIN_DECLS

/* stakeOf(account): all of an account's stake, the part open tasks lock,
 * and the part it may withdraw (total = locked + free). */
typedef struct
{
  TallyUint256 total;
  TallyUint256 locked;
  TallyUint256 free;
} TallyLabelStake;

/* Calldata (selector and arguments) for a transaction or eth_call. */
gboolean tally_label_market_encode_stake (guint8            **out,
                                          gsize              *out_len,
                                          const TallyUint256 *amount,
                                          GError            **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_label_market_encode_unstake (guint8            **out,
                                            gsize              *out_len,
                                            const TallyUint256 *amount,
                                            GError            **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_label_market_encode_claim (guint8 **out,
                                          gsize   *out_len,
                                          GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_label_market_encode_stake_of (guint8            **out,
                                             gsize              *out_len,
                                             const TallyAddress *account,
                                             GError            **error) G_GNUC_WARN_UNUSED_RESULT;
/* The eth_call result of stakeOf; TALLY_CORE_ERROR_MALFORMED_REPLY if it
 * does not decode or does not add up. */
gboolean tally_label_market_decode_stake_of (TallyLabelStake *stake,
                                             const guint8    *data,
                                             gsize            len,
                                             GError         **error) G_GNUC_WARN_UNUSED_RESULT;
/* A sentence naming the market's custom error and its arguments. */
gchar *tally_label_market_describe_revert (const guint8 *data,
                                           gsize         len) G_GNUC_WARN_UNUSED_RESULT;

gboolean tally_label_token_encode_approve (guint8            **out,
                                           gsize              *out_len,
                                           const TallyAddress *spender,
                                           const TallyUint256 *amount,
                                           GError            **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_label_token_encode_balance_of (guint8            **out,
                                              gsize              *out_len,
                                              const TallyAddress *account,
                                              GError            **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_label_token_decode_balance_of (TallyUint256 *balance,
                                              const guint8 *data,
                                              gsize         len,
                                              GError      **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
