/* earnings-private.h: what earnings.c (the fold) and earnings-refresh.c
 * (balances and block times) share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "contract-abi.h"
#include "earnings.h"

G_BEGIN_DECLS

typedef enum
{
  EVENT_STAKED,
  EVENT_UNSTAKED,
  EVENT_CLAIMED,
  EVENT_TASK_CREATED,
  EVENT_TASK_CANCELLED,
  EVENT_FINALIZED,
  EVENT_JOINED,
  EVENT_LEFT,
  EVENT_REVIEW_JOINED,
  EVENT_SETTLED,
  N_EVENTS
} Event;

/* The figures, in the order of the properties. */
enum
{
  SUM_STAKE_TOTAL,
  SUM_STAKE_LOCKED,
  SUM_STAKE_FREE,
  SUM_PENDING,
  SUM_CREDITED,
  SUM_ESCROW,
  SUM_REWARDED,
  SUM_SLASHED,
  N_SUMS
};

struct _TallyEarnings
{
  GObject parent_instance;

  TallyMarketLog   *log;
  TallyAddress      account;
  guint8            account_topic[TALLY_RPC_HASH_LEN];
  guint8            topics[N_EVENTS][TALLY_RPC_HASH_LEN];
  TallyContractAbi *abi;

  GHashTable  *tasks;   /* task id (decimal) -> Task */
  GPtrArray   *entries; /* TallyEarningsEntry, oldest first */
  TallyUint256 sums[N_SUMS];
  guint        open_seats;
  guint        inconsistencies;

  gboolean      has_balances;
  TallyUint256  token_balance;
  TallyUint256  eth_balance;
  gboolean      refreshing;
  gboolean      refresh_again;
  GCancellable *cancellable;
  gulong        added_handler;
  gulong        rolled_back_handler;
  gulong        synced_handler;
};

/* earnings.c: notifies token-balance and eth-balance. */
void _tally_earnings_notify_balances (TallyEarnings *self,
                                      gboolean       token,
                                      gboolean       eth);
/* earnings-refresh.c: a refresh now, or right after the running one. */
void _tally_earnings_refresh_soon (TallyEarnings *self);
/* earnings-refresh.c: ::notify::syncing of the log; refreshes at each
 * sync's end. */
void _tally_earnings_on_sync_state (TallyMarketLog *log,
                                    GParamSpec     *pspec,
                                    TallyEarnings  *self);

G_END_DECLS
