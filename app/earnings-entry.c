/* earnings-entry.c: one line of an account's money history in the market
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "core-types.h"
#include "earnings-entry.h"
#include "wallet/hex.h"

struct _TallyEarningsEntry
{
  GObject parent_instance;

  TallyEarningsKind kind;
  TallyUint256      amount;
  gboolean          has_task;
  TallyUint256      task_id;
  guint64           block_number;
  guint64           log_index;
  guint8            transaction_hash[TALLY_RPC_HASH_LEN];
  GDateTime        *time;
};

G_DEFINE_FINAL_TYPE (TallyEarningsEntry, tally_earnings_entry, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_KIND,
  PROP_AMOUNT,
  PROP_TASK_ID,
  PROP_BLOCK_NUMBER,
  PROP_TRANSACTION_HASH,
  PROP_TIME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GType
tally_earnings_kind_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type))
    {
      static const GEnumValue values[] = {
        { TALLY_EARNINGS_DEPOSIT, "TALLY_EARNINGS_DEPOSIT", "deposit" },
        { TALLY_EARNINGS_WITHDRAWAL, "TALLY_EARNINGS_WITHDRAWAL", "withdrawal" },
        { TALLY_EARNINGS_REWARD, "TALLY_EARNINGS_REWARD", "reward" },
        { TALLY_EARNINGS_SLASH, "TALLY_EARNINGS_SLASH", "slash" },
        { TALLY_EARNINGS_LEAVE_FEE, "TALLY_EARNINGS_LEAVE_FEE", "leave-fee" },
        { TALLY_EARNINGS_TASK_FUNDED, "TALLY_EARNINGS_TASK_FUNDED", "task-funded" },
        { TALLY_EARNINGS_REFUND, "TALLY_EARNINGS_REFUND", "refund" },
        { TALLY_EARNINGS_CLAIM, "TALLY_EARNINGS_CLAIM", "claim" },
        { 0, NULL, NULL },
      };

      g_once_init_leave (&type, g_enum_register_static ("TallyEarningsKind", values));
    }
  return type;
}

gboolean
tally_earnings_kind_is_income (TallyEarningsKind kind)
{
  return kind == TALLY_EARNINGS_DEPOSIT || kind == TALLY_EARNINGS_REWARD ||
         kind == TALLY_EARNINGS_REFUND;
}

TallyEarningsEntry *
tally_earnings_entry_new (TallyEarningsKind   kind,
                          const TallyUint256 *amount,
                          const TallyUint256 *task_id,
                          const TallyRpcLog  *log)
{
  TallyEarningsEntry *self;

  g_return_val_if_fail (amount != NULL, NULL);
  g_return_val_if_fail (log != NULL, NULL);

  self = g_object_new (TALLY_TYPE_EARNINGS_ENTRY, NULL);
  self->kind = kind;
  self->amount = *amount;
  self->has_task = task_id != NULL;
  if (task_id != NULL)
    self->task_id = *task_id;
  self->block_number = log->block_number;
  self->log_index = log->log_index;
  memcpy (self->transaction_hash, log->transaction_hash, TALLY_RPC_HASH_LEN);
  return self;
}

TallyEarningsKind
tally_earnings_entry_get_kind (TallyEarningsEntry *self)
{
  g_return_val_if_fail (TALLY_IS_EARNINGS_ENTRY (self), 0);

  return self->kind;
}

const TallyUint256 *
tally_earnings_entry_get_amount (TallyEarningsEntry *self)
{
  g_return_val_if_fail (TALLY_IS_EARNINGS_ENTRY (self), NULL);

  return &self->amount;
}

const TallyUint256 *
tally_earnings_entry_get_task_id (TallyEarningsEntry *self)
{
  g_return_val_if_fail (TALLY_IS_EARNINGS_ENTRY (self), NULL);

  return self->has_task ? &self->task_id : NULL;
}

guint64
tally_earnings_entry_get_block_number (TallyEarningsEntry *self)
{
  g_return_val_if_fail (TALLY_IS_EARNINGS_ENTRY (self), 0);

  return self->block_number;
}

guint64
tally_earnings_entry_get_log_index (TallyEarningsEntry *self)
{
  g_return_val_if_fail (TALLY_IS_EARNINGS_ENTRY (self), 0);

  return self->log_index;
}

const guint8 *
tally_earnings_entry_get_transaction_hash (TallyEarningsEntry *self)
{
  g_return_val_if_fail (TALLY_IS_EARNINGS_ENTRY (self), NULL);

  return self->transaction_hash;
}

GDateTime *
tally_earnings_entry_get_time (TallyEarningsEntry *self)
{
  g_return_val_if_fail (TALLY_IS_EARNINGS_ENTRY (self), NULL);

  return self->time;
}

void
tally_earnings_entry_set_time (TallyEarningsEntry *self,
                               GDateTime          *time)
{
  g_return_if_fail (TALLY_IS_EARNINGS_ENTRY (self));

  if (self->time == time ||
      (self->time != NULL && time != NULL && g_date_time_equal (self->time, time)))
    return;
  g_clear_pointer (&self->time, g_date_time_unref);
  self->time = time != NULL ? g_date_time_ref (time) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME]);
}

static void
tally_earnings_entry_finalize (GObject *object)
{
  TallyEarningsEntry *self = TALLY_EARNINGS_ENTRY (object);

  g_clear_pointer (&self->time, g_date_time_unref);

  G_OBJECT_CLASS (tally_earnings_entry_parent_class)->finalize (object);
}

static void
tally_earnings_entry_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TallyEarningsEntry *self = TALLY_EARNINGS_ENTRY (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_AMOUNT:
      g_value_set_boxed (value, &self->amount);
      break;
    case PROP_TASK_ID:
      g_value_set_boxed (value, self->has_task ? &self->task_id : NULL);
      break;
    case PROP_BLOCK_NUMBER:
      g_value_set_uint64 (value, self->block_number);
      break;
    case PROP_TRANSACTION_HASH:
      g_value_take_string (value, tally_hex_encode (self->transaction_hash, TALLY_RPC_HASH_LEN));
      break;
    case PROP_TIME:
      g_value_set_boxed (value, self->time);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_earnings_entry_class_init (TallyEarningsEntryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = tally_earnings_entry_finalize;
  object_class->get_property = tally_earnings_entry_get_property;

  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, TALLY_TYPE_EARNINGS_KIND, TALLY_EARNINGS_DEPOSIT, flags);
  properties[PROP_AMOUNT] = g_param_spec_boxed ("amount", NULL, NULL, TALLY_TYPE_UINT256, flags);
  properties[PROP_TASK_ID] = g_param_spec_boxed ("task-id", NULL, NULL, TALLY_TYPE_UINT256, flags);
  properties[PROP_BLOCK_NUMBER] =
    g_param_spec_uint64 ("block-number", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_TRANSACTION_HASH] =
    g_param_spec_string ("transaction-hash", NULL, NULL, NULL, flags);
  properties[PROP_TIME] = g_param_spec_boxed ("time", NULL, NULL, G_TYPE_DATE_TIME, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tally_earnings_entry_init (TallyEarningsEntry *self)
{
}
