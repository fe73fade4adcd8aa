/* earnings-entry.h: one line of an account's money history in the market:
 * a deposit, a reward, a slash, a claim, as one event of the contract
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rpc-client.h"
#include "wallet/uint256.h"

G_BEGIN_DECLS

typedef enum
{
  TALLY_EARNINGS_DEPOSIT,     /* stake deposited (Staked) */
  TALLY_EARNINGS_WITHDRAWAL,  /* stake withdrawn (Unstaked) */
  TALLY_EARNINGS_REWARD,      /* credited for correct labels or verdicts (Settled) */
  TALLY_EARNINGS_SLASH,       /* burned from the stake for wrong ones (Settled) */
  TALLY_EARNINGS_LEAVE_FEE,   /* burned from the stake on leaving a seat (Left) */
  TALLY_EARNINGS_TASK_FUNDED, /* a task's budget moved into escrow (TaskCreated) */
  TALLY_EARNINGS_REFUND,      /* escrow credited back to the requester (Finalized, TaskCancelled) */
  TALLY_EARNINGS_CLAIM,       /* credited tokens paid out (Claimed) */
} TallyEarningsKind;

#define TALLY_TYPE_EARNINGS_KIND (tally_earnings_kind_get_type ())
GType tally_earnings_kind_get_type (void) G_GNUC_CONST;

#define TALLY_TYPE_EARNINGS_ENTRY (tally_earnings_entry_get_type ())

G_DECLARE_FINAL_TYPE (TallyEarningsEntry, tally_earnings_entry, TALLY, EARNINGS_ENTRY, GObject)

/* task_id NULL for entries of no task (deposits, withdrawals, claims). */
TallyEarningsEntry *tally_earnings_entry_new (TallyEarningsKind   kind,
                                              const TallyUint256 *amount,
                                              const TallyUint256 *task_id,
                                              const TallyRpcLog  *log);

TallyEarningsKind tally_earnings_entry_get_kind (TallyEarningsEntry *self);
/* Always positive; the kind says which way it went. */
const TallyUint256 *tally_earnings_entry_get_amount (TallyEarningsEntry *self);
/* NULL when the entry belongs to no task. */
const TallyUint256 *tally_earnings_entry_get_task_id (TallyEarningsEntry *self);
guint64             tally_earnings_entry_get_block_number (TallyEarningsEntry *self);
guint64             tally_earnings_entry_get_log_index (TallyEarningsEntry *self);
const guint8       *tally_earnings_entry_get_transaction_hash (TallyEarningsEntry *self);
/* The block's time, or NULL until it is known. */
GDateTime *tally_earnings_entry_get_time (TallyEarningsEntry *self);
void       tally_earnings_entry_set_time (TallyEarningsEntry *self,
                                          GDateTime          *time);
/* TRUE for kinds that add to what the account holds in the market. */
gboolean tally_earnings_kind_is_income (TallyEarningsKind kind);

G_END_DECLS
