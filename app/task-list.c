/* task-list.c: every task of the market, discovered from its events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "label-market-private.h"
#include "task-list.h"

struct _TallyTaskList
{
  GObject parent_instance;

  TallyMarketLog   *log;
  TallyContractAbi *abi;
  GPtrArray        *tasks; /* TallyTask, in creation order */
  GHashTable       *by_id; /* decimal id -> TallyTask (borrowed from tasks) */
  guint             inconsistencies;
  gulong            added_handler;
  gulong            rolled_back_handler;
};

static void tally_task_list_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TallyTaskList, tally_task_list, G_TYPE_OBJECT, G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, tally_task_list_list_model_init))

/* TaskParams members, by position, as TaskCreated carries them (see
 * LabelMarketBase.sol). */
enum
{
  P_MANIFEST_HASH,
  P_ITEM_COUNT,
  P_CLASS_COUNT,
  P_REPLICATION,
  P_REVIEWERS,
  P_REWARD_PER_LABEL,
  P_REVIEW_REWARD,
  P_STAKE_PER_ITEM,
  P_SLASH_BPS,
  P_QUORUM_BPS,
  P_LEAVE_FEE,
  P_GOLD_COMMITMENT,
  P_MIN_GOLD_BPS,
  P_KEY_SERVER,
  P_COMMIT_DEADLINE,
  P_REVEAL_DEADLINE,
  P_REVIEW_COMMIT_DEADLINE,
  P_REVIEW_REVEAL_DEADLINE,
  N_PARAMS
};

static gboolean
param_small (const TallyAbiValue *params,
             guint                member,
             guint64              bound,
             guint64             *out)
{
  TallyUint256 value;

  tally_abi_value_get_uint (tally_abi_value_get_element (params, member), &value);
  return tally_uint256_to_uint64 (out, &value) && *out <= bound;
}

/* TaskCreated's params, within the bounds the contract enforces at
 * creation; FALSE for a log no real market emits. */
static gboolean
read_params (const TallyAbiValue  *params,
             TallyLabelTaskParams *p)
{
  static const TallyAddress zero = { { 0 } };
  guint64                   items, classes, r, v, slash, quorum, min_gold;
  gsize                     len = 0;

  memset (p, 0, sizeof *p);
  if (params == NULL || tally_abi_value_get_kind (params) != TALLY_ABI_TUPLE ||
      tally_abi_value_get_length (params) != N_PARAMS ||
      !param_small (params, P_ITEM_COUNT, TALLY_LABEL_MAX_ITEMS, &items) || items == 0 ||
      !param_small (params, P_CLASS_COUNT, TALLY_LABEL_MAX_CLASSES, &classes) || classes < 2 ||
      !param_small (params, P_REPLICATION, TALLY_LABEL_MAX_REPLICATION, &r) || r == 0 ||
      !param_small (params, P_REVIEWERS, TALLY_LABEL_MAX_REVIEWERS, &v) ||
      !param_small (params, P_SLASH_BPS, TALLY_LABEL_BPS, &slash) ||
      !param_small (params, P_QUORUM_BPS, TALLY_LABEL_BPS, &quorum) ||
      !param_small (params, P_MIN_GOLD_BPS, TALLY_LABEL_BPS, &min_gold) ||
      !param_small (params, P_COMMIT_DEADLINE, G_MAXUINT64, &p->commit_deadline) ||
      !param_small (params, P_REVEAL_DEADLINE, G_MAXUINT64, &p->reveal_deadline) ||
      !param_small (params, P_REVIEW_COMMIT_DEADLINE, G_MAXUINT64, &p->review_commit_deadline) ||
      !param_small (params, P_REVIEW_REVEAL_DEADLINE, G_MAXUINT64, &p->review_reveal_deadline))
    return FALSE;
  p->item_count = (guint) items;
  p->class_count = (guint) classes;
  p->replication = (guint) r;
  p->reviewers = (guint) v;
  p->slash_bps = (guint) slash;
  p->quorum_bps = (guint) quorum;
  p->min_gold_accuracy_bps = (guint) min_gold;
  memcpy (p->manifest_hash,
          tally_abi_value_get_bytes (tally_abi_value_get_element (params, P_MANIFEST_HASH), &len), 32);
  memcpy (p->gold_commitment,
          tally_abi_value_get_bytes (tally_abi_value_get_element (params, P_GOLD_COMMITMENT), &len), 32);
  tally_abi_value_get_uint (tally_abi_value_get_element (params, P_REWARD_PER_LABEL), &p->reward_per_label);
  tally_abi_value_get_uint (tally_abi_value_get_element (params, P_REVIEW_REWARD), &p->review_reward_per_item);
  tally_abi_value_get_uint (tally_abi_value_get_element (params, P_STAKE_PER_ITEM), &p->stake_per_item);
  tally_abi_value_get_uint (tally_abi_value_get_element (params, P_LEAVE_FEE), &p->leave_fee);
  tally_abi_value_get_address (tally_abi_value_get_element (params, P_KEY_SERVER), &p->key_server);
  p->has_key_server = !tally_address_equal (&p->key_server, &zero);
  return TRUE;
}

static void
add_task (TallyTaskList     *self,
          const TallyAbiLog *decoded,
          const TallyRpcLog *log)
{
  const TallyAbiValue *id_value = tally_abi_log_lookup (decoded, "taskId");
  const TallyAbiValue *requester_value = tally_abi_log_lookup (decoded, "requester");
  const TallyAbiValue *uri_value = tally_abi_log_lookup (decoded, "manifestUri");
  const TallyAbiValue *budget_value = tally_abi_log_lookup (decoded, "budget");
  TallyLabelTaskParams params;
  TallyUint256         id, budget;
  TallyAddress         requester;
  g_autofree char     *key = NULL;
  g_autofree char     *uri = NULL;
  const guint8        *uri_bytes;
  gsize                uri_len = 0;
  TallyTask           *task;

  if (id_value == NULL || requester_value == NULL || uri_value == NULL || budget_value == NULL ||
      !read_params (tally_abi_log_lookup (decoded, "params"), &params))
    {
      self->inconsistencies++;
      return;
    }
  tally_abi_value_get_uint (id_value, &id);
  tally_abi_value_get_address (requester_value, &requester);
  tally_abi_value_get_uint (budget_value, &budget);
  uri_bytes = tally_abi_value_get_bytes (uri_value, &uri_len);
  uri = g_strndup ((const char *) uri_bytes, uri_len);
  key = tally_uint256_to_decimal (&id);
  /* A manifest URI is shown and fetched: it must be text. */
  if (g_hash_table_contains (self->by_id, key) || !g_utf8_validate (uri, (gssize) uri_len, NULL) ||
      strlen (uri) != uri_len)
    {
      self->inconsistencies++;
      return;
    }
  task = _tally_task_new (&id, &requester, &params, uri, &budget, log->block_number);
  g_ptr_array_add (self->tasks, task);
  g_hash_table_insert (self->by_id, g_steal_pointer (&key), task);
}

static void
fold_log (TallyTaskList     *self,
          const TallyRpcLog *log)
{
  g_autoptr (TallyAbiLog) decoded = NULL;
  g_autoptr (GError) error = NULL;
  const TallyAbiValue *id_value;
  const char          *event;
  gsize                data_len = 0;
  const guint8        *data = g_bytes_get_data (log->data, &data_len);

  if (log->n_topics == 0)
    return;
  decoded = tally_contract_abi_decode_log (self->abi, (const guint8 *) log->topics, log->n_topics,
                                           data, data_len, &error);
  if (decoded == NULL)
    {
      self->inconsistencies++;
      return;
    }
  event = tally_abi_entry_get_name (tally_abi_log_get_event (decoded));
  if (g_str_equal (event, "TaskCreated"))
    {
      add_task (self, decoded, log);
      return;
    }
  id_value = tally_abi_log_lookup (decoded, "taskId");
  if (id_value != NULL && !g_str_equal (event, "Burned"))
    {
      g_autofree char *key = NULL;
      TallyUint256     id;
      TallyTask       *task;

      tally_abi_value_get_uint (id_value, &id);
      key = tally_uint256_to_decimal (&id);
      task = g_hash_table_lookup (self->by_id, key);
      if (task == NULL || !_tally_task_apply (task, event, decoded))
        self->inconsistencies++;
    }
}

static void
fold_logs (TallyTaskList *self,
           guint          first,
           guint          n)
{
  GPtrArray *logs = tally_market_log_get_logs (self->log);
  guint      before = self->tasks->len;

  for (guint i = first; i < first + n && i < logs->len; i++)
    fold_log (self, g_ptr_array_index (logs, i));
  if (self->tasks->len > before)
    g_list_model_items_changed (G_LIST_MODEL (self), before, 0, self->tasks->len - before);
}

static void
on_logs_added (TallyMarketLog *log,
               guint           first,
               guint           n,
               TallyTaskList  *self)
{
  fold_logs (self, first, n);
}

static void
on_rolled_back (TallyMarketLog *log,
                guint           n_kept,
                TallyTaskList  *self)
{
  guint removed = self->tasks->len;

  /* Tasks are rebuilt as new objects: a task the reorganisation changed
   * must not keep state from the orphaned blocks. */
  g_hash_table_remove_all (self->by_id);
  g_ptr_array_set_size (self->tasks, 0);
  self->inconsistencies = 0;
  if (removed > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
  fold_logs (self, 0, n_kept);
}

/* ---- GListModel ------------------------------------------------------------ */

static GType
tally_task_list_get_item_type (GListModel *model)
{
  return TALLY_TYPE_TASK;
}

static guint
tally_task_list_get_n_items (GListModel *model)
{
  return TALLY_TASK_LIST (model)->tasks->len;
}

static gpointer
tally_task_list_get_item (GListModel *model,
                          guint       position)
{
  TallyTaskList *self = TALLY_TASK_LIST (model);

  if (position >= self->tasks->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->tasks, position));
}

static void
tally_task_list_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = tally_task_list_get_item_type;
  iface->get_n_items = tally_task_list_get_n_items;
  iface->get_item = tally_task_list_get_item;
}

/* ---- The object ------------------------------------------------------------ */

TallyTaskList *
tally_task_list_new (TallyMarketLog *log)
{
  g_autoptr (GError) error = NULL;
  TallyTaskList *self;

  g_return_val_if_fail (TALLY_IS_MARKET_LOG (log), NULL);

  self = g_object_new (TALLY_TYPE_TASK_LIST, NULL);
  self->log = g_object_ref (log);
  /* Built into the library: without it nothing works. */
  self->abi = g_object_ref (tally_label_market_abi (&error));
  g_assert_no_error (error);
  self->added_handler = g_signal_connect (log, "logs-added", G_CALLBACK (on_logs_added), self);
  self->rolled_back_handler =
    g_signal_connect (log, "rolled-back", G_CALLBACK (on_rolled_back), self);
  fold_logs (self, 0, tally_market_log_get_logs (log)->len);
  return self;
}

TallyMarketLog *
tally_task_list_get_log (TallyTaskList *self)
{
  g_return_val_if_fail (TALLY_IS_TASK_LIST (self), NULL);

  return self->log;
}

TallyTask *
tally_task_list_lookup (TallyTaskList      *self,
                        const TallyUint256 *task_id)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (TALLY_IS_TASK_LIST (self), NULL);
  g_return_val_if_fail (task_id != NULL, NULL);

  key = tally_uint256_to_decimal (task_id);
  return g_hash_table_lookup (self->by_id, key);
}

guint
tally_task_list_get_inconsistencies (TallyTaskList *self)
{
  g_return_val_if_fail (TALLY_IS_TASK_LIST (self), 0);

  return self->inconsistencies;
}

static void
tally_task_list_dispose (GObject *object)
{
  TallyTaskList *self = TALLY_TASK_LIST (object);

  if (self->log != NULL)
    {
      g_clear_signal_handler (&self->added_handler, self->log);
      g_clear_signal_handler (&self->rolled_back_handler, self->log);
    }
  g_clear_object (&self->log);
  g_clear_object (&self->abi);
  if (self->by_id != NULL)
    g_hash_table_remove_all (self->by_id);
  if (self->tasks != NULL)
    g_ptr_array_set_size (self->tasks, 0);

  G_OBJECT_CLASS (tally_task_list_parent_class)->dispose (object);
}

static void
tally_task_list_finalize (GObject *object)
{
  TallyTaskList *self = TALLY_TASK_LIST (object);

  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->tasks, g_ptr_array_unref);

  G_OBJECT_CLASS (tally_task_list_parent_class)->finalize (object);
}

static void
tally_task_list_class_init (TallyTaskListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tally_task_list_dispose;
  object_class->finalize = tally_task_list_finalize;
}

static void
tally_task_list_init (TallyTaskList *self)
{
  self->tasks = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}
