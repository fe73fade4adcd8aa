/* earnings.h: what one account holds, risks, earned and lost in the label
 * market, rebuilt from the market's events
 *
 * TallyEarnings folds the logs of a TallyMarketLog as they arrive (and
 * again from the start after a reorganisation) into the figures the GUI
 * shows, each a TALLY_TYPE_UINT256 property in token base units:
 *
 *   stake-total    deposits - withdrawals - slashes - leave fees
 *   stake-locked   what the account's open seats lock (at risk)
 *   stake-free     total - locked: what it may withdraw
 *   pending        the most its open seats can still earn: rewards waiting
 *                  for settlement (the contract's pendingOf, summed)
 *   credited       rewards and refunds credited and not yet claimed:
 *                  ready to withdraw
 *   escrow         the budgets of its own open tasks, as a requester
 *   rewarded, slashed   lifetime sums
 *
 * and, read with eth_call and eth_getBalance at each new synced block, the
 * wallet's own token-balance and eth-balance. The history of deposits,
 * rewards, slashes, refunds and claims is the GListModel itself
 * (TallyEarningsEntry), newest first, each with the time of its block once
 * known. Transactions the account signed are in the TallyTxJournal.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "earnings-entry.h"
#include "market-log.h"
#include "wallet/keys.h"
#include "wallet/uint256.h"

G_BEGIN_DECLS

#define TALLY_TYPE_EARNINGS (tally_earnings_get_type ())

G_DECLARE_FINAL_TYPE (TallyEarnings, tally_earnings, TALLY, EARNINGS, GObject)

/* Folds what log already holds at once, then follows it. */
TallyEarnings *tally_earnings_new (TallyMarketLog     *log,
                                   const TallyAddress *account);

TallyMarketLog     *tally_earnings_get_log (TallyEarnings *self);
const TallyAddress *tally_earnings_get_account (TallyEarnings *self);

const TallyUint256 *tally_earnings_get_stake_total (TallyEarnings *self);
const TallyUint256 *tally_earnings_get_stake_locked (TallyEarnings *self);
const TallyUint256 *tally_earnings_get_stake_free (TallyEarnings *self);
const TallyUint256 *tally_earnings_get_pending (TallyEarnings *self);
const TallyUint256 *tally_earnings_get_credited (TallyEarnings *self);
const TallyUint256 *tally_earnings_get_escrow (TallyEarnings *self);
const TallyUint256 *tally_earnings_get_rewarded (TallyEarnings *self);
const TallyUint256 *tally_earnings_get_slashed (TallyEarnings *self);
/* Tasks where the account holds an annotator or review seat. */
guint tally_earnings_get_open_seats (TallyEarnings *self);
/* Logs that did not add up (a sum below zero, an event that does not
 * decode): from a node that cannot be trusted, or a bug. Counted, never
 * fatal. */
guint tally_earnings_get_inconsistencies (TallyEarnings *self);

/* NULL until the first refresh succeeded. */
const TallyUint256 *tally_earnings_get_token_balance (TallyEarnings *self);
const TallyUint256 *tally_earnings_get_eth_balance (TallyEarnings *self);

/* Reads the wallet balances and the block times of the entries that lack
 * one, in one request. Done by itself after each sync of the log that
 * moved it forward; call it to wait for fresh figures. */
void     tally_earnings_refresh_async (TallyEarnings      *self,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data);
gboolean tally_earnings_refresh_finish (TallyEarnings *self,
                                        GAsyncResult  *result,
                                        GError       **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
