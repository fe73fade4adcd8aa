/* earnings.c: an account's money in the label market, folded from the
 * market's events
 *
 * The fold mirrors the contract's bookkeeping event by event (see
 * contracts/src/LabelMarket.sol): a seat locks stakePerItem x itemCount
 * when taken and unlocks at Settled or Left; a task's budget sits in escrow
 * from TaskCreated to Finalized or TaskCancelled. Only the events of this
 * account and the tasks' own events are decoded, so following a busy
 * market costs little more than the logs' memory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "contract-abi.h"
#include "core-error.h"
#include "core-types.h"
#include "earnings-private.h"
#include "label-market-private.h"
#include "label-market.h"
#include "wallet/hex.h"

/* TaskParams members, by position, as TaskCreated carries them. */
#define PARAM_ITEM_COUNT       1
#define PARAM_REWARD_PER_LABEL 5
#define PARAM_REVIEW_REWARD    6
#define PARAM_STAKE_PER_ITEM   7

/* Where the event names its account: topic 1 for account-only events,
 * topic 2 after the task id, 0 for task events everybody folds. */
static const struct
{
  const char *name;
  guint       account_topic;
} event_info[N_EVENTS] = {
  [EVENT_STAKED] = { "Staked", 1 },
  [EVENT_UNSTAKED] = { "Unstaked", 1 },
  [EVENT_CLAIMED] = { "Claimed", 1 },
  [EVENT_TASK_CREATED] = { "TaskCreated", 0 },
  [EVENT_TASK_CANCELLED] = { "TaskCancelled", 0 },
  [EVENT_FINALIZED] = { "Finalized", 0 },
  [EVENT_JOINED] = { "Joined", 2 },
  [EVENT_LEFT] = { "Left", 2 },
  [EVENT_REVIEW_JOINED] = { "ReviewJoined", 2 },
  [EVENT_SETTLED] = { "Settled", 2 },
};

typedef struct
{
  TallyAddress requester;
  TallyUint256 lock;          /* stakePerItem x itemCount */
  TallyUint256 seat_reward;   /* rewardPerLabel x itemCount */
  TallyUint256 review_reward; /* reviewRewardPerItem x itemCount */
  TallyUint256 budget;
  gboolean     open;
  gboolean     seated; /* this account holds an annotator seat */
  guint        review_seats;
} Task;

static void tally_earnings_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TallyEarnings, tally_earnings, G_TYPE_OBJECT, G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, tally_earnings_list_model_init))

enum
{
  PROP_0,
  PROP_STAKE_TOTAL,
  PROP_STAKE_LOCKED,
  PROP_STAKE_FREE,
  PROP_PENDING,
  PROP_CREDITED,
  PROP_ESCROW,
  PROP_REWARDED,
  PROP_SLASHED,
  PROP_OPEN_SEATS,
  PROP_TOKEN_BALANCE,
  PROP_ETH_BALANCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- The fold ------------------------------------------------------------ */

static void
add_to (TallyEarnings      *self,
        TallyUint256       *sum,
        const TallyUint256 *amount)
{
  if (!tally_uint256_add (sum, sum, amount))
    self->inconsistencies++;
}

/* Never below zero: a node that sends a withdrawal nobody deposited gets a
 * count in inconsistencies, not a wrapped-around balance. */
static void
take_from (TallyEarnings      *self,
           TallyUint256       *sum,
           const TallyUint256 *amount)
{
  if (!tally_uint256_sub (sum, sum, amount))
    {
      memset (sum, 0, sizeof *sum);
      self->inconsistencies++;
    }
}

static void
value_uint (const TallyAbiLog *log,
            const char        *name,
            TallyUint256      *out)
{
  const TallyAbiValue *value = tally_abi_log_lookup (log, name);

  memset (out, 0, sizeof *out);
  if (value != NULL && tally_abi_value_get_kind (value) == TALLY_ABI_UINT)
    tally_abi_value_get_uint (value, out);
}

static void
times_items (TallyUint256        *out,
             const TallyAbiValue *params,
             guint                member,
             const TallyUint256  *items)
{
  TallyUint256 per_item;

  tally_abi_value_get_uint (tally_abi_value_get_element (params, member), &per_item);
  /* TaskParams bounds amounts below 2^128 and items to 256: no overflow
   * from a real market; a forged log only gets a saturated figure. */
  if (!tally_uint256_mul (out, &per_item, items))
    memset (out, 0xff, sizeof *out);
}

static void
add_entry (TallyEarnings      *self,
           TallyEarningsKind   kind,
           const TallyUint256 *amount,
           const TallyUint256 *task_id,
           const TallyRpcLog  *log)
{
  if (tally_uint256_is_zero (amount))
    return;
  g_ptr_array_add (self->entries, tally_earnings_entry_new (kind, amount, task_id, log));
}

static Task *
lookup_task (TallyEarnings      *self,
             const TallyUint256 *task_id)
{
  g_autofree char *key = tally_uint256_to_decimal (task_id);
  Task            *task = g_hash_table_lookup (self->tasks, key);

  if (task == NULL)
    self->inconsistencies++;
  return task;
}

static void
fold_task_created (TallyEarnings      *self,
                   const TallyAbiLog  *decoded,
                   const TallyUint256 *task_id,
                   const TallyRpcLog  *log)
{
  const TallyAbiValue *params = tally_abi_log_lookup (decoded, "params");
  const TallyAbiValue *requester = tally_abi_log_lookup (decoded, "requester");
  Task                *task = g_new0 (Task, 1);
  TallyUint256         items;

  tally_abi_value_get_address (requester, &task->requester);
  tally_abi_value_get_uint (tally_abi_value_get_element (params, PARAM_ITEM_COUNT), &items);
  times_items (&task->lock, params, PARAM_STAKE_PER_ITEM, &items);
  times_items (&task->seat_reward, params, PARAM_REWARD_PER_LABEL, &items);
  times_items (&task->review_reward, params, PARAM_REVIEW_REWARD, &items);
  value_uint (decoded, "budget", &task->budget);
  task->open = TRUE;
  g_hash_table_replace (self->tasks, tally_uint256_to_decimal (task_id), task);

  if (tally_address_equal (&task->requester, &self->account))
    {
      add_to (self, &self->sums[SUM_ESCROW], &task->budget);
      add_entry (self, TALLY_EARNINGS_TASK_FUNDED, &task->budget, task_id, log);
    }
}

/* Finalized and TaskCancelled: escrow ends, the refund is credited to the
 * requester. */
static void
fold_task_closed (TallyEarnings      *self,
                  const TallyAbiLog  *decoded,
                  const TallyUint256 *task_id,
                  const TallyRpcLog  *log)
{
  Task        *task = lookup_task (self, task_id);
  TallyUint256 refund;

  if (task == NULL || !task->open)
    return;
  task->open = FALSE;
  if (!tally_address_equal (&task->requester, &self->account))
    return;
  value_uint (decoded, "refund", &refund);
  take_from (self, &self->sums[SUM_ESCROW], &task->budget);
  add_to (self, &self->sums[SUM_CREDITED], &refund);
  add_entry (self, TALLY_EARNINGS_REFUND, &refund, task_id, log);
}

static void
seat_taken (TallyEarnings *self,
            Task          *task,
            gboolean       review)
{
  add_to (self, &self->sums[SUM_STAKE_LOCKED], &task->lock);
  add_to (self, &self->sums[SUM_PENDING], review ? &task->review_reward : &task->seat_reward);
  if (!task->seated && task->review_seats == 0)
    self->open_seats++;
  if (review)
    task->review_seats++;
  else
    task->seated = TRUE;
}

static void
seat_freed (TallyEarnings *self,
            Task          *task,
            gboolean       review)
{
  if (review ? task->review_seats == 0 : !task->seated)
    {
      self->inconsistencies++;
      return;
    }
  take_from (self, &self->sums[SUM_STAKE_LOCKED], &task->lock);
  take_from (self, &self->sums[SUM_PENDING], review ? &task->review_reward : &task->seat_reward);
  if (review)
    task->review_seats--;
  else
    task->seated = FALSE;
  if (!task->seated && task->review_seats == 0)
    self->open_seats--;
}

static void
fold_account_event (TallyEarnings      *self,
                    Event               event,
                    const TallyAbiLog  *decoded,
                    const TallyUint256 *task_id,
                    const TallyRpcLog  *log)
{
  TallyUint256 amount, slashed, slot;
  Task        *task = NULL;

  if (task_id != NULL && (task = lookup_task (self, task_id)) == NULL)
    return;
  switch (event)
    {
    case EVENT_STAKED:
      value_uint (decoded, "amount", &amount);
      add_to (self, &self->sums[SUM_STAKE_TOTAL], &amount);
      add_entry (self, TALLY_EARNINGS_DEPOSIT, &amount, NULL, log);
      break;
    case EVENT_UNSTAKED:
      value_uint (decoded, "amount", &amount);
      take_from (self, &self->sums[SUM_STAKE_TOTAL], &amount);
      add_entry (self, TALLY_EARNINGS_WITHDRAWAL, &amount, NULL, log);
      break;
    case EVENT_CLAIMED:
      value_uint (decoded, "amount", &amount);
      take_from (self, &self->sums[SUM_CREDITED], &amount);
      add_entry (self, TALLY_EARNINGS_CLAIM, &amount, NULL, log);
      break;
    case EVENT_JOINED:
      seat_taken (self, task, FALSE);
      break;
    case EVENT_REVIEW_JOINED:
      seat_taken (self, task, TRUE);
      break;
    case EVENT_LEFT:
      value_uint (decoded, "fee", &amount);
      seat_freed (self, task, FALSE);
      take_from (self, &self->sums[SUM_STAKE_TOTAL], &amount);
      add_entry (self, TALLY_EARNINGS_LEAVE_FEE, &amount, task_id, log);
      break;
    case EVENT_SETTLED:
      /* reviewSlot is type(uint256).max for the annotator's own seat. */
      value_uint (decoded, "reviewSlot", &slot);
      value_uint (decoded, "reward", &amount);
      value_uint (decoded, "slashed", &slashed);
      seat_freed (self, task, tally_uint256_bit_length (&slot) < 256);
      take_from (self, &self->sums[SUM_STAKE_TOTAL], &slashed);
      add_to (self, &self->sums[SUM_CREDITED], &amount);
      add_to (self, &self->sums[SUM_REWARDED], &amount);
      add_to (self, &self->sums[SUM_SLASHED], &slashed);
      add_entry (self, TALLY_EARNINGS_REWARD, &amount, task_id, log);
      add_entry (self, TALLY_EARNINGS_SLASH, &slashed, task_id, log);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
fold_log (TallyEarnings     *self,
          const TallyRpcLog *log)
{
  g_autoptr (TallyAbiLog) decoded = NULL;
  g_autoptr (GError) error = NULL;
  TallyUint256  task_id;
  gsize         data_len = 0;
  const guint8 *data = g_bytes_get_data (log->data, &data_len);
  Event         event;

  if (log->n_topics == 0)
    return;
  for (event = 0; event < N_EVENTS; event++)
    if (memcmp (log->topics[0], self->topics[event], TALLY_RPC_HASH_LEN) == 0)
      break;
  if (event == N_EVENTS)
    return;
  if (event_info[event].account_topic != 0 &&
      (log->n_topics <= event_info[event].account_topic ||
       memcmp (log->topics[event_info[event].account_topic], self->account_topic,
               TALLY_RPC_HASH_LEN) != 0))
    return;

  decoded = tally_contract_abi_decode_log (self->abi, (const guint8 *) log->topics, log->n_topics,
                                           data, data_len, &error);
  if (decoded == NULL)
    {
      g_debug ("Market log in block %" G_GUINT64_FORMAT " does not decode: %s",
               log->block_number, error->message);
      self->inconsistencies++;
      return;
    }
  value_uint (decoded, "taskId", &task_id);
  switch (event)
    {
    case EVENT_TASK_CREATED:
      fold_task_created (self, decoded, &task_id, log);
      break;
    case EVENT_TASK_CANCELLED:
    case EVENT_FINALIZED:
      fold_task_closed (self, decoded, &task_id, log);
      break;
    case EVENT_STAKED:
    case EVENT_UNSTAKED:
    case EVENT_CLAIMED:
      fold_account_event (self, event, decoded, NULL, log);
      break;
    default:
      fold_account_event (self, event, decoded, &task_id, log);
    }
}

static void
notify_sums (TallyEarnings *self,
             TallyUint256   before[N_SUMS],
             guint          open_seats_before)
{
  if (!tally_uint256_sub (&self->sums[SUM_STAKE_FREE], &self->sums[SUM_STAKE_TOTAL],
                          &self->sums[SUM_STAKE_LOCKED]))
    {
      memset (&self->sums[SUM_STAKE_FREE], 0, sizeof (TallyUint256));
      self->inconsistencies++;
    }
  for (guint i = 0; i < N_SUMS; i++)
    if (tally_uint256_cmp (&before[i], &self->sums[i]) != 0)
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STAKE_TOTAL + i]);
  if (open_seats_before != self->open_seats)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPEN_SEATS]);
}

static void
fold_logs (TallyEarnings *self,
           guint          first,
           guint          n)
{
  GPtrArray   *logs = tally_market_log_get_logs (self->log);
  guint        entries_before = self->entries->len;
  guint        open_seats_before = self->open_seats;
  TallyUint256 before[N_SUMS];

  memcpy (before, self->sums, sizeof before);
  for (guint i = first; i < first + n && i < logs->len; i++)
    fold_log (self, g_ptr_array_index (logs, i));
  notify_sums (self, before, open_seats_before);
  /* Newest first: new entries come in at the top. */
  if (self->entries->len > entries_before)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, self->entries->len - entries_before);
}

static void
on_logs_added (TallyMarketLog *log,
               guint           first,
               guint           n,
               TallyEarnings  *self)
{
  fold_logs (self, first, n);
}

static void
on_rolled_back (TallyMarketLog *log,
                guint           n_kept,
                TallyEarnings  *self)
{
  guint        removed = self->entries->len;
  guint        open_seats_before = self->open_seats;
  TallyUint256 before[N_SUMS];

  memcpy (before, self->sums, sizeof before);
  g_hash_table_remove_all (self->tasks);
  g_ptr_array_set_size (self->entries, 0);
  memset (self->sums, 0, sizeof self->sums);
  self->open_seats = 0;
  /* They are counted again as the kept logs are folded again. */
  self->inconsistencies = 0;
  if (removed > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
  fold_logs (self, 0, n_kept);
  /* fold_logs notified against the empty state; compare with the old. */
  notify_sums (self, before, open_seats_before);
}

void
_tally_earnings_notify_balances (TallyEarnings *self,
                                 gboolean       token,
                                 gboolean       eth)
{
  if (token)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKEN_BALANCE]);
  if (eth)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ETH_BALANCE]);
}

/* ---- GListModel ---------------------------------------------------------- */

static GType
tally_earnings_get_item_type (GListModel *model)
{
  return TALLY_TYPE_EARNINGS_ENTRY;
}

static guint
tally_earnings_get_n_items (GListModel *model)
{
  return TALLY_EARNINGS (model)->entries->len;
}

static gpointer
tally_earnings_get_item (GListModel *model,
                         guint       position)
{
  TallyEarnings *self = TALLY_EARNINGS (model);

  if (position >= self->entries->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->entries, self->entries->len - 1 - position));
}

static void
tally_earnings_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = tally_earnings_get_item_type;
  iface->get_n_items = tally_earnings_get_n_items;
  iface->get_item = tally_earnings_get_item;
}

/* ---- The object ---------------------------------------------------------- */

TallyEarnings *
tally_earnings_new (TallyMarketLog     *log,
                    const TallyAddress *account)
{
  g_autoptr (GError) error = NULL;
  TallyEarnings *self;

  g_return_val_if_fail (TALLY_IS_MARKET_LOG (log), NULL);
  g_return_val_if_fail (account != NULL, NULL);

  self = g_object_new (TALLY_TYPE_EARNINGS, NULL);
  self->log = g_object_ref (log);
  self->account = *account;
  memcpy (self->account_topic + 12, account->bytes, TALLY_ADDRESS_LEN);
  /* The market's ABI is built into the library; without it nothing of
   * the engine works, so its absence is a programming error. */
  self->abi = g_object_ref (tally_label_market_abi (&error));
  g_assert_no_error (error);
  for (guint i = 0; i < N_EVENTS; i++)
    {
      const TallyAbiEntry *entry = tally_contract_abi_lookup (self->abi, TALLY_ABI_ENTRY_EVENT,
                                                              event_info[i].name, &error);
      gsize                len = 0;

      g_assert_no_error (error);
      memcpy (self->topics[i], tally_abi_entry_get_selector (entry, &len), TALLY_RPC_HASH_LEN);
    }

  self->added_handler = g_signal_connect (log, "logs-added", G_CALLBACK (on_logs_added), self);
  self->rolled_back_handler = g_signal_connect (log, "rolled-back", G_CALLBACK (on_rolled_back), self);
  self->synced_handler = g_signal_connect (log, "notify::syncing", G_CALLBACK (_tally_earnings_on_sync_state), self);
  fold_logs (self, 0, tally_market_log_get_logs (log)->len);
  return self;
}

TallyMarketLog *
tally_earnings_get_log (TallyEarnings *self)
{
  g_return_val_if_fail (TALLY_IS_EARNINGS (self), NULL);

  return self->log;
}

const TallyAddress *
tally_earnings_get_account (TallyEarnings *self)
{
  g_return_val_if_fail (TALLY_IS_EARNINGS (self), NULL);

  return &self->account;
}

#define SUM_GETTER(name, index)                                       \
  const TallyUint256 *tally_earnings_get_##name (TallyEarnings *self) \
  {                                                                   \
    g_return_val_if_fail (TALLY_IS_EARNINGS (self), NULL);            \
    return &self->sums[index];                                        \
  }

SUM_GETTER (stake_total, SUM_STAKE_TOTAL)
SUM_GETTER (stake_locked, SUM_STAKE_LOCKED)
SUM_GETTER (stake_free, SUM_STAKE_FREE)
SUM_GETTER (pending, SUM_PENDING)
SUM_GETTER (credited, SUM_CREDITED)
SUM_GETTER (escrow, SUM_ESCROW)
SUM_GETTER (rewarded, SUM_REWARDED)
SUM_GETTER (slashed, SUM_SLASHED)

guint
tally_earnings_get_open_seats (TallyEarnings *self)
{
  g_return_val_if_fail (TALLY_IS_EARNINGS (self), 0);

  return self->open_seats;
}

guint
tally_earnings_get_inconsistencies (TallyEarnings *self)
{
  g_return_val_if_fail (TALLY_IS_EARNINGS (self), 0);

  return self->inconsistencies;
}

const TallyUint256 *
tally_earnings_get_token_balance (TallyEarnings *self)
{
  g_return_val_if_fail (TALLY_IS_EARNINGS (self), NULL);

  return self->has_balances ? &self->token_balance : NULL;
}

const TallyUint256 *
tally_earnings_get_eth_balance (TallyEarnings *self)
{
  g_return_val_if_fail (TALLY_IS_EARNINGS (self), NULL);

  return self->has_balances ? &self->eth_balance : NULL;
}

static void
tally_earnings_dispose (GObject *object)
{
  TallyEarnings *self = TALLY_EARNINGS (object);

  g_cancellable_cancel (self->cancellable);
  if (self->log != NULL)
    {
      g_clear_signal_handler (&self->added_handler, self->log);
      g_clear_signal_handler (&self->rolled_back_handler, self->log);
      g_clear_signal_handler (&self->synced_handler, self->log);
    }
  g_clear_object (&self->log);
  g_clear_object (&self->abi);

  G_OBJECT_CLASS (tally_earnings_parent_class)->dispose (object);
}

static void
tally_earnings_finalize (GObject *object)
{
  TallyEarnings *self = TALLY_EARNINGS (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->tasks, g_hash_table_unref);
  g_clear_pointer (&self->entries, g_ptr_array_unref);

  G_OBJECT_CLASS (tally_earnings_parent_class)->finalize (object);
}

static void
tally_earnings_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TallyEarnings *self = TALLY_EARNINGS (object);

  switch (prop_id)
    {
    case PROP_STAKE_TOTAL:
    case PROP_STAKE_LOCKED:
    case PROP_STAKE_FREE:
    case PROP_PENDING:
    case PROP_CREDITED:
    case PROP_ESCROW:
    case PROP_REWARDED:
    case PROP_SLASHED:
      g_value_set_boxed (value, &self->sums[prop_id - PROP_STAKE_TOTAL]);
      break;
    case PROP_OPEN_SEATS:
      g_value_set_uint (value, self->open_seats);
      break;
    case PROP_TOKEN_BALANCE:
      g_value_set_boxed (value, tally_earnings_get_token_balance (self));
      break;
    case PROP_ETH_BALANCE:
      g_value_set_boxed (value, tally_earnings_get_eth_balance (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_earnings_class_init (TallyEarningsClass *klass)
{
  GObjectClass            *object_class = G_OBJECT_CLASS (klass);
  GParamFlags              flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  static const char *const sum_names[N_SUMS] = {
    "stake-total",
    "stake-locked",
    "stake-free",
    "pending",
    "credited",
    "escrow",
    "rewarded",
    "slashed",
  };

  object_class->dispose = tally_earnings_dispose;
  object_class->finalize = tally_earnings_finalize;
  object_class->get_property = tally_earnings_get_property;

  for (guint i = 0; i < N_SUMS; i++)
    properties[PROP_STAKE_TOTAL + i] =
      g_param_spec_boxed (sum_names[i], NULL, NULL, TALLY_TYPE_UINT256, flags);
  properties[PROP_OPEN_SEATS] = g_param_spec_uint ("open-seats", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_TOKEN_BALANCE] =
    g_param_spec_boxed ("token-balance", NULL, NULL, TALLY_TYPE_UINT256, flags);
  properties[PROP_ETH_BALANCE] =
    g_param_spec_boxed ("eth-balance", NULL, NULL, TALLY_TYPE_UINT256, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tally_earnings_init (TallyEarnings *self)
{
  self->tasks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->entries = g_ptr_array_new_with_free_func (g_object_unref);
  self->cancellable = g_cancellable_new ();
}
