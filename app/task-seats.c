/* task-seats.c: what a seat of a task means for an annotator, for the GUI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include "core-error.h"
#include "task-seats.h"

guint
tally_task_seats_left (TallyTask *task)
{
  guint replication, taken;

  g_return_val_if_fail (TALLY_IS_TASK (task), 0);

  replication = tally_task_get_params (task)->replication;
  taken = tally_task_get_seats_taken (task);
  return taken < replication ? replication - taken : 0;
}

void
tally_task_seats_get_lock (TallyTask    *task,
                           TallyUint256 *lock)
{
  const TallyLabelTaskParams *p;

  g_return_if_fail (TALLY_IS_TASK (task));
  g_return_if_fail (lock != NULL);

  p = tally_task_get_params (task);
  /* The contract stores stakePerItem in 128 bits and itemCount is at most
   * 256: the product always fits. */
  if (!tally_uint256_mul_uint64 (lock, &p->stake_per_item, p->item_count))
    g_assert_not_reached ();
}

gboolean
tally_task_seats_get_lock_fiat (TallyTask             *task,
                                guint                  token_decimals,
                                const TallyPriceQuote *quote,
                                TallyUint256          *minor_units,
                                GError               **error)
{
  const TallyCurrency *currency;
  TallyUint256         lock;

  g_return_val_if_fail (TALLY_IS_TASK (task), FALSE);
  g_return_val_if_fail (quote != NULL && minor_units != NULL, FALSE);

  currency = tally_currency_lookup (tally_price_quote_get_currency (quote));
  if (currency == NULL)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND,
                   "The price is in %s, a currency Tally does not know",
                   tally_price_quote_get_currency (quote));
      return FALSE;
    }
  tally_task_seats_get_lock (task, &lock);
  return tally_money_fiat_value (minor_units, &lock, token_decimals,
                                 tally_price_quote_get_token_price (quote), currency->minor_digits,
                                 TALLY_ROUND_DOWN, error);
}

char *
tally_task_seats_format_lock (TallyTask              *task,
                              const TallyMoneyFormat *format,
                              guint                   token_decimals,
                              const char             *symbol,
                              const TallyPriceQuote  *quote,
                              GError                **error)
{
  g_autofree char     *tokens = NULL;
  g_autofree char     *fiat = NULL;
  const TallyCurrency *currency;
  TallyUint256         lock;

  g_return_val_if_fail (TALLY_IS_TASK (task), NULL);
  g_return_val_if_fail (format != NULL, NULL);

  tally_task_seats_get_lock (task, &lock);
  tokens = tally_money_format_token (format, &lock, token_decimals, symbol);
  if (quote == NULL)
    return g_steal_pointer (&tokens);
  currency = tally_currency_lookup (tally_price_quote_get_currency (quote));
  if (currency == NULL)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND,
                   "The price is in %s, a currency Tally does not know",
                   tally_price_quote_get_currency (quote));
      return NULL;
    }
  fiat = tally_money_format_approx_fiat (format, &lock, token_decimals,
                                         tally_price_quote_get_token_price (quote), currency, error);
  if (fiat == NULL)
    return NULL;
  return g_strdup_printf ("%s (%s)", tokens, fiat);
}

gboolean
tally_task_seats_leave_is_free (TallyTask          *task,
                                const TallyAddress *account)
{
  TallyUint256 fee;

  g_return_val_if_fail (TALLY_IS_TASK (task), FALSE);
  g_return_val_if_fail (account != NULL, FALSE);

  tally_task_seats_get_leave_fee (task, account, &fee);
  return tally_uint256_is_zero (&fee);
}

void
tally_task_seats_get_leave_fee (TallyTask          *task,
                                const TallyAddress *account,
                                TallyUint256       *fee)
{
  g_return_if_fail (TALLY_IS_TASK (task));
  g_return_if_fail (account != NULL && fee != NULL);

  /* As leave() computes it: a private seat without its key owes nothing. */
  if (tally_task_is_private (task) && !tally_task_has_key_grant (task, account))
    tally_uint256_from_uint64 (fee, 0);
  else
    *fee = tally_task_get_params (task)->leave_fee;
}

gboolean
tally_task_seats_can_leave (TallyTask          *task,
                            const TallyAddress *account,
                            guint64             now)
{
  gint seat;

  g_return_val_if_fail (TALLY_IS_TASK (task), FALSE);
  g_return_val_if_fail (account != NULL, FALSE);

  seat = tally_task_find_seat (task, account);
  return seat >= 0 && tally_task_get_seat (task, (guint) seat)->state == TALLY_LABEL_SEAT_JOINED &&
         tally_task_get_phase (task, now) == TALLY_TASK_PHASE_LABELING;
}

void
tally_task_seats_get_deadlines (TallyTask          *task,
                                TallyTaskDeadlines *deadlines)
{
  const TallyLabelTaskParams *p;

  g_return_if_fail (TALLY_IS_TASK (task));
  g_return_if_fail (deadlines != NULL);

  p = tally_task_get_params (task);
  deadlines->commit = p->commit_deadline;
  deadlines->reveal = p->reveal_deadline;
  deadlines->review_commit = p->review_commit_deadline;
  deadlines->review_reveal = p->review_reveal_deadline;
}

guint64
tally_task_seats_get_annotator_deadline (TallyTask *task,
                                         guint64    now)
{
  g_return_val_if_fail (TALLY_IS_TASK (task), 0);

  switch (tally_task_get_phase (task, now))
    {
    case TALLY_TASK_PHASE_LABELING:
      return tally_task_get_params (task)->commit_deadline;
    case TALLY_TASK_PHASE_REVEAL:
      return tally_task_get_params (task)->reveal_deadline;
    default:
      return 0;
    }
}
