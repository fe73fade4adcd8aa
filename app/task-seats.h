/* task-seats.h: what a seat of a task means for an annotator, as the GUI
 * shows it before and after joining — seats left, the stake a seat locks
 * (in tokens and in fiat), the leave fee and whether leaving is free now,
 * and the four deadlines
 *
 * Small functions over TallyTask's public getters: the task's view is the
 * market's events, so these never ask the chain.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "money.h"
#include "price-source.h"
#include "task.h"
#include "wallet/keys.h"
#include "wallet/uint256.h"

G_BEGIN_DECLS

/* Seats nobody holds. */
guint tally_task_seats_left (TallyTask *task);

/* stakePerItem × itemCount: what join locks of the account's free stake
 * (and what a seat neither committed nor given back loses). */
void tally_task_seats_get_lock (TallyTask    *task,
                                TallyUint256 *lock);
/* The lock in minor units of the quote's currency (cents), rounded down:
 * never more than is at stake. */
gboolean tally_task_seats_get_lock_fiat (TallyTask             *task,
                                         guint                  token_decimals,
                                         const TallyPriceQuote *quote,
                                         TallyUint256          *minor_units,
                                         GError               **error) G_GNUC_WARN_UNUSED_RESULT;
/* "8 LABEL", or "8 LABEL (≈ $12.00)" with a quote (may be NULL). */
char *tally_task_seats_format_lock (TallyTask              *task,
                                    const TallyMoneyFormat *format,
                                    guint                   token_decimals,
                                    const char             *symbol,
                                    const TallyPriceQuote  *quote,
                                    GError                **error) G_GNUC_WARN_UNUSED_RESULT;

/* TRUE when leaving now would burn nothing for account: a private task
 * whose key was not granted to it, or a task without a leave fee. */
gboolean tally_task_seats_leave_is_free (TallyTask          *task,
                                         const TallyAddress *account);
/* What leaving now would burn for account, as the contract computes it. */
void tally_task_seats_get_leave_fee (TallyTask          *task,
                                     const TallyAddress *account,
                                     TallyUint256       *fee);
/* TRUE when account holds a seat it may give back at now: joined, not
 * committed, the commit deadline not passed. */
gboolean tally_task_seats_can_leave (TallyTask          *task,
                                     const TallyAddress *account,
                                     guint64             now);

/* Unix seconds, inclusive as the contract's. */
typedef struct
{
  guint64 commit;
  guint64 reveal;
  guint64 review_commit;
  guint64 review_reveal;
} TallyTaskDeadlines;

void tally_task_seats_get_deadlines (TallyTask          *task,
                                     TallyTaskDeadlines *deadlines);
/* The deadline an annotator of task must act by next at now: the commit
 * deadline while labeling, the reveal deadline while revealing, or 0. */
guint64 tally_task_seats_get_annotator_deadline (TallyTask *task,
                                                 guint64    now);

G_END_DECLS
