/* key-server.c: the requester's side of a private task — granting the
 * task key to every seated account (see key-server.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "core-error.h"
#include "key-server.h"
#include "label-market.h"
#include "manifest-loader.h"
#include "task-key.h"
#include "wallet/ecies.h"
#include "wallet/secret.h"

struct _TallyKeyServer
{
  GObject parent_instance;

  TallyTaskList  *tasks;
  TallyTxManager *manager;
  TallyAddress    account;
  /* task id (decimal) → TallyManifest, checked against the chain's hash */
  GHashTable *manifests;
  /* Purposes of grants mined by this object: the log may be a block
   * behind them, and one grant per account is the rule. */
  GHashTable *granted;
};

G_DEFINE_FINAL_TYPE (TallyKeyServer, tally_key_server, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_TASK_LIST,
  PROP_MANAGER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  KEY_GRANTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- What a step does ---------------------------------------------------- */

typedef struct
{
  TallyAddress account;
  guint8       public_key[TALLY_PUBLIC_KEY_LEN];
} Grantee;

typedef struct
{
  TallyTask *task;
  GArray    *grantees; /* Grantee */
} Work;

typedef struct
{
  GPtrArray     *work; /* Work */
  guint          next_work;
  guint          next_grantee;
  TallyManifest *manifest;
  TallySecret   *key;
  char          *purpose;
  guint          n_granted;
  GError        *first_error;
} Step;

static void
work_free (Work *work)
{
  g_clear_object (&work->task);
  g_clear_pointer (&work->grantees, g_array_unref);
  g_free (work);
}

static void
step_free (Step *step)
{
  g_clear_pointer (&step->work, g_ptr_array_unref);
  g_clear_object (&step->manifest);
  g_clear_pointer (&step->key, tally_secret_free);
  g_clear_pointer (&step->purpose, g_free);
  g_clear_error (&step->first_error);
  g_free (step);
}

static char *
grant_purpose (TallyTask          *task,
               const TallyAddress *account)
{
  g_autofree char *id = tally_uint256_to_decimal (tally_task_get_id (task));
  char             address[TALLY_ADDRESS_STRING_SIZE];

  tally_address_to_string (account, address);
  return g_strdup_printf ("grant:%s:%s", id, address);
}

static gboolean
serves (TallyKeyServer *self,
        TallyTask      *task)
{
  const TallyLabelTaskParams *params = tally_task_get_params (task);

  return params->has_key_server && tally_address_equal (&params->key_server, &self->account);
}

static void
add_grantee (TallyKeyServer     *self,
             Work               *work,
             const TallyAddress *account,
             gboolean            has_public_key,
             const guint8       *public_key)
{
  g_autofree char *purpose = NULL;
  Grantee          grantee;

  if (!has_public_key)
    return;
  purpose = grant_purpose (work->task, account);
  if (tally_task_has_key_grant (work->task, account))
    {
      /* The log caught up with it: a seat taken again later is granted
       * again. */
      g_hash_table_remove (self->granted, purpose);
      return;
    }
  if (g_hash_table_contains (self->granted, purpose))
    return;
  /* A reviewer of several submissions needs the key once. */
  for (guint i = 0; i < work->grantees->len; i++)
    if (tally_address_equal (&g_array_index (work->grantees, Grantee, i).account, account))
      return;
  grantee.account = *account;
  memcpy (grantee.public_key, public_key, TALLY_PUBLIC_KEY_LEN);
  g_array_append_val (work->grantees, grantee);
}

/* The seated accounts of each served task still open for joining,
 * labeling or reviewing, that have no grant yet. */
static GPtrArray *
collect_work (TallyKeyServer *self,
              guint64         now)
{
  GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify) work_free);
  guint      n = g_list_model_get_n_items (G_LIST_MODEL (self->tasks));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (TallyTask) task = g_list_model_get_item (G_LIST_MODEL (self->tasks), i);
      const TallyLabelTaskParams *params = tally_task_get_params (task);
      Work                       *work;

      if (!serves (self, task) || tally_task_get_phase (task, now) > TALLY_TASK_PHASE_REVIEW)
        continue;
      work = g_new0 (Work, 1);
      work->task = g_object_ref (task);
      work->grantees = g_array_new (FALSE, FALSE, sizeof (Grantee));
      for (guint s = 0; s < params->replication; s++)
        {
          const TallyTaskSeat *seat = tally_task_get_seat (task, s);

          if (seat->taken)
            add_grantee (self, work, &seat->holder, seat->has_public_key, seat->public_key);
          for (guint v = 0; v < params->reviewers; v++)
            {
              const TallyTaskReview *review = tally_task_get_review (task, s, v);

              if (review->taken)
                add_grantee (self, work, &review->reviewer, review->has_public_key,
                             review->public_key);
            }
        }
      if (work->grantees->len > 0)
        g_ptr_array_add (all, work);
      else
        work_free (work);
    }
  return all;
}

static void next_work (GTask *task);
static void next_grant (GTask *task);

static void
remember_error (Step   *step,
                GError *error)
{
  Work            *work = g_ptr_array_index (step->work, step->next_work);
  g_autofree char *id = tally_uint256_to_decimal (tally_task_get_id (work->task));

  g_prefix_error (&error, "Task %s: ", id);
  if (step->first_error == NULL)
    step->first_error = error;
  else
    {
      /* One error for the step, naming every task left unserved. */
      char *joined = g_strdup_printf ("%s; %s", step->first_error->message, error->message);

      g_free (step->first_error->message);
      step->first_error->message = joined;
      g_error_free (error);
    }
}

/* A task that cannot be served: remembered, and the step goes on with the
 * next one. */
static void
work_failed (GTask  *task,
             GError *error)
{
  Step *step = g_task_get_task_data (task);

  remember_error (step, error);
  g_clear_pointer (&step->key, tally_secret_free);
  step->next_work++;
  next_work (task);
}

/* A grant that failed (the account left meanwhile, the node): remembered,
 * and the task's other accounts still get theirs. */
static void
grant_failed (GTask  *task,
              GError *error)
{
  Step          *step = g_task_get_task_data (task);
  Work          *work = g_ptr_array_index (step->work, step->next_work);
  const Grantee *grantee = &g_array_index (work->grantees, Grantee, step->next_grantee);
  char           address[TALLY_ADDRESS_STRING_SIZE];

  tally_address_to_string (&grantee->account, address);
  g_prefix_error (&error, "grantKey to %s: ", address);
  remember_error (step, error);
  step->next_grantee++;
  next_grant (task);
}

static void
on_grant_mined (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallyKeyServer *self = g_task_get_source_object (task);
  Step           *step = g_task_get_task_data (task);
  Work           *work = g_ptr_array_index (step->work, step->next_work);
  const Grantee  *grantee = &g_array_index (work->grantees, Grantee, step->next_grantee);
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  GError *error = NULL;

  receipt = tally_tx_manager_send_once_finish (TALLY_TX_MANAGER (source), result, NULL, NULL,
                                               &error);
  if (g_task_return_error_if_cancelled (task))
    {
      g_clear_error (&error);
      return;
    }
  if (receipt == NULL)
    {
      grant_failed (task, error);
      return;
    }
  g_hash_table_add (self->granted, g_steal_pointer (&step->purpose));
  step->n_granted++;
  g_signal_emit (self, signals[KEY_GRANTED], 0, work->task, &grantee->account);
  step->next_grantee++;
  next_grant (task);
}

static void
next_grant (GTask *task)
{
  TallyKeyServer      *self = g_task_get_source_object (task);
  Step                *step = g_task_get_task_data (task);
  Work                *work = g_ptr_array_index (step->work, step->next_work);
  TallyNetworkProfile *profile = tally_market_log_get_profile (tally_task_list_get_log (self->tasks));
  g_autofree guint8   *calldata = NULL;
  g_autoptr (GBytes) data = NULL;
  guint8         sealed[TALLY_TASK_KEY_LEN + TALLY_ECIES_OVERHEAD];
  const Grantee *grantee;
  GError        *error = NULL;
  gsize          len = 0;

  if (step->next_grantee == work->grantees->len)
    {
      /* Done with this task's key: it is not kept between tasks. */
      g_clear_pointer (&step->key, tally_secret_free);
      step->next_work++;
      next_work (task);
      return;
    }
  grantee = &g_array_index (work->grantees, Grantee, step->next_grantee);
  g_free (step->purpose);
  step->purpose = grant_purpose (work->task, &grantee->account);

  /* What fails for one account fails for it alone. */
  if (!tally_ecies_seal (sealed, grantee->public_key, step->key->data, step->key->len, &error) ||
      !tally_label_market_encode_grant_key (&calldata, &len, tally_task_get_id (work->task),
                                            &grantee->account, sealed, sizeof sealed, &error))
    {
      grant_failed (task, error);
      return;
    }
  data = g_bytes_new_take (g_steal_pointer (&calldata), len);
  /* A grant journaled before a crash or a lost answer is that grant: it is
   * waited for, not sent again. */
  tally_tx_manager_send_once_async (self->manager, tally_network_profile_get_market_address (profile),
                                    data, step->purpose, g_task_get_cancellable (task),
                                    on_grant_mined, g_object_ref (task));
}

static void
on_key_found (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Step   *step = g_task_get_task_data (task);
  GError *error = NULL;

  g_clear_pointer (&step->key, tally_secret_free);
  step->key = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_task_return_error_if_cancelled (task))
    {
      g_clear_error (&error);
      return;
    }
  /* The keyring checks the hash it was asked for; the manifest is what the
   * annotators will check, so the key must be its key. */
  if (step->key == NULL || !tally_manifest_check_task_key (step->manifest, step->key->data, &error))
    {
      g_clear_pointer (&step->key, tally_secret_free);
      g_prefix_error (&error, "no key granted: ");
      work_failed (task, error);
      return;
    }
  step->next_grantee = 0;
  next_grant (task);
}

typedef struct
{
  TallyAddress requester;
  guint8       key_hash[32];
} Lookup;

static void
lookup_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  Lookup *lookup = task_data;
  g_autoptr (TallySecret) key = tally_secret_new (TALLY_TASK_KEY_LEN);
  GError *error = NULL;

  if (!tally_task_key_lookup_sync (&lookup->requester, lookup->key_hash, key->data, cancellable,
                                   &error))
    {
      char address[TALLY_ADDRESS_STRING_SIZE];

      tally_address_to_string (&lookup->requester, address);
      g_prefix_error (&error, "The keyring’s task key of %s: ", address);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&key), (GDestroyNotify) tally_secret_free);
}

static void
find_key (GTask *task)
{
  TallyKeyServer *self = g_task_get_source_object (task);
  Step           *step = g_task_get_task_data (task);
  Work           *work = g_ptr_array_index (step->work, step->next_work);
  const guint8   *key_hash = tally_manifest_get_key_hash (step->manifest);
  g_autoptr (GTask) lookup_task = NULL;
  Lookup *lookup;

  if (key_hash == NULL)
    {
      work_failed (task, g_error_new (TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST,
                                      "the task is private but its manifest is not encrypted"));
      return;
    }
  lookup = g_new0 (Lookup, 1);
  lookup->requester = *tally_task_get_requester (work->task);
  memcpy (lookup->key_hash, key_hash, sizeof lookup->key_hash);
  lookup_task = g_task_new (self, g_task_get_cancellable (task), on_key_found, g_object_ref (task));
  g_task_set_source_tag (lookup_task, find_key);
  g_task_set_task_data (lookup_task, lookup, g_free);
  g_task_run_in_thread (lookup_task, lookup_in_thread);
}

static void
on_manifest_loaded (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallyKeyServer *self = g_task_get_source_object (task);
  Step           *step = g_task_get_task_data (task);
  Work           *work = g_ptr_array_index (step->work, step->next_work);
  GError         *error = NULL;

  g_clear_object (&step->manifest);
  step->manifest = tally_manifest_load_finish (result, &error);
  if (g_task_return_error_if_cancelled (task))
    {
      g_clear_error (&error);
      return;
    }
  if (step->manifest == NULL)
    {
      g_prefix_error (&error, "its manifest: ");
      work_failed (task, error);
      return;
    }
  g_hash_table_replace (self->manifests, tally_uint256_to_decimal (tally_task_get_id (work->task)),
                        g_object_ref (step->manifest));
  find_key (task);
}

static void
next_work (GTask *task)
{
  TallyKeyServer  *self = g_task_get_source_object (task);
  Step            *step = g_task_get_task_data (task);
  Work            *work;
  g_autofree char *id = NULL;
  TallyManifest   *manifest;

  if (step->next_work == step->work->len)
    {
      if (step->first_error != NULL)
        g_task_return_error (task, g_steal_pointer (&step->first_error));
      else
        g_task_return_boolean (task, TRUE);
      return;
    }
  work = g_ptr_array_index (step->work, step->next_work);
  id = tally_uint256_to_decimal (tally_task_get_id (work->task));
  manifest = g_hash_table_lookup (self->manifests, id);
  g_clear_object (&step->manifest);
  if (manifest != NULL)
    {
      step->manifest = g_object_ref (manifest);
      find_key (task);
      return;
    }
  tally_manifest_load_async (tally_task_get_manifest_uri (work->task),
                             tally_task_get_params (work->task)->manifest_hash, NULL,
                             g_task_get_cancellable (task), on_manifest_loaded, g_object_ref (task));
}

static void
on_clock (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallyKeyServer *self = g_task_get_source_object (task);
  Step           *step = g_task_get_task_data (task);
  GError         *error = NULL;
  guint64         now = 0;
  gboolean        ok;

  ok = tally_rpc_client_latest_timestamp_finish (TALLY_RPC_CLIENT (source), result, &now, &error);
  if (g_task_return_error_if_cancelled (task))
    {
      g_clear_error (&error);
      return;
    }
  if (!ok)
    {
      g_task_return_error (task, error);
      return;
    }
  step->work = collect_work (self, now);
  next_work (task);
}

static void
on_log_synced (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallyKeyServer *self = g_task_get_source_object (task);
  GError         *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  /* A sync already under way (a follower) brings the log up as well. */
  if (!tally_market_log_sync_finish (TALLY_MARKET_LOG (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING))
    {
      g_task_return_error (task, error);
      return;
    }
  g_clear_error (&error);
  tally_rpc_client_latest_timestamp_async (tally_tx_manager_get_client (self->manager),
                                           g_task_get_cancellable (task), on_clock,
                                           g_object_ref (task));
}

static void
on_resumed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallyKeyServer *self = g_task_get_source_object (task);
  GError         *error = NULL;

  if (!tally_tx_manager_resume_finish (TALLY_TX_MANAGER (source), result, NULL, &error))
    {
      if (g_task_return_error_if_cancelled (task))
        g_clear_error (&error);
      else
        g_task_return_error (task, error);
      return;
    }
  /* Only now the log: a grant the resume found mined is in it, and one
   * still pending is in the journal, so neither is sent twice. */
  tally_market_log_sync_async (tally_task_list_get_log (self->tasks), g_task_get_cancellable (task),
                               on_log_synced, g_object_ref (task));
}

void
tally_key_server_step_async (TallyKeyServer     *self,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (TALLY_IS_KEY_SERVER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_key_server_step_async);
  g_task_set_task_data (task, g_new0 (Step, 1), (GDestroyNotify) step_free);
  /* Grants a crash left unsent go out byte for byte before any new one. */
  tally_tx_manager_resume_async (self->manager, cancellable, on_resumed, g_steal_pointer (&task));
}

gboolean
tally_key_server_step_finish (TallyKeyServer *self,
                              GAsyncResult   *result,
                              guint          *n_granted,
                              GError        **error)
{
  Step *step;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tally_key_server_step_async,
                        FALSE);

  step = g_task_get_task_data (G_TASK (result));
  if (n_granted != NULL)
    *n_granted = step->n_granted;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- The object ------------------------------------------------------------ */

TallyKeyServer *
tally_key_server_new (TallyTaskList  *tasks,
                      TallyTxManager *manager)
{
  g_return_val_if_fail (TALLY_IS_TASK_LIST (tasks), NULL);
  g_return_val_if_fail (TALLY_IS_TX_MANAGER (manager), NULL);

  return g_object_new (TALLY_TYPE_KEY_SERVER, "task-list", tasks, "manager", manager, NULL);
}

TallyTaskList *
tally_key_server_get_task_list (TallyKeyServer *self)
{
  g_return_val_if_fail (TALLY_IS_KEY_SERVER (self), NULL);

  return self->tasks;
}

TallyTxManager *
tally_key_server_get_manager (TallyKeyServer *self)
{
  g_return_val_if_fail (TALLY_IS_KEY_SERVER (self), NULL);

  return self->manager;
}

const TallyAddress *
tally_key_server_get_account (TallyKeyServer *self)
{
  g_return_val_if_fail (TALLY_IS_KEY_SERVER (self), NULL);

  return &self->account;
}

gboolean
tally_key_server_is_serving (TallyKeyServer *self)
{
  guint n;

  g_return_val_if_fail (TALLY_IS_KEY_SERVER (self), FALSE);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->tasks));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (TallyTask) task = g_list_model_get_item (G_LIST_MODEL (self->tasks), i);

      if (serves (self, task))
        return TRUE;
    }
  return FALSE;
}

static void
tally_key_server_constructed (GObject *object)
{
  TallyKeyServer *self = TALLY_KEY_SERVER (object);

  G_OBJECT_CLASS (tally_key_server_parent_class)->constructed (object);

  g_assert (self->tasks != NULL && self->manager != NULL);
  tally_signer_get_address (tally_tx_manager_get_signer (self->manager), &self->account);
}

static void
tally_key_server_dispose (GObject *object)
{
  TallyKeyServer *self = TALLY_KEY_SERVER (object);

  g_clear_object (&self->tasks);
  g_clear_object (&self->manager);
  g_clear_pointer (&self->manifests, g_hash_table_unref);

  G_OBJECT_CLASS (tally_key_server_parent_class)->dispose (object);
}

static void
tally_key_server_finalize (GObject *object)
{
  TallyKeyServer *self = TALLY_KEY_SERVER (object);

  g_clear_pointer (&self->granted, g_hash_table_unref);

  G_OBJECT_CLASS (tally_key_server_parent_class)->finalize (object);
}

static void
tally_key_server_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  TallyKeyServer *self = TALLY_KEY_SERVER (object);

  switch (prop_id)
    {
    case PROP_TASK_LIST:
      g_value_set_object (value, self->tasks);
      break;
    case PROP_MANAGER:
      g_value_set_object (value, self->manager);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_key_server_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  TallyKeyServer *self = TALLY_KEY_SERVER (object);

  /* Both are construct-only: set once, so nothing to notify. */
  switch (prop_id)
    {
    case PROP_TASK_LIST:
      self->tasks = g_value_dup_object (value);
      break;
    case PROP_MANAGER:
      self->manager = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_key_server_class_init (TallyKeyServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_EXPLICIT_NOTIFY |
                      G_PARAM_STATIC_STRINGS;

  object_class->constructed = tally_key_server_constructed;
  object_class->dispose = tally_key_server_dispose;
  object_class->finalize = tally_key_server_finalize;
  object_class->get_property = tally_key_server_get_property;
  object_class->set_property = tally_key_server_set_property;

  properties[PROP_TASK_LIST] = g_param_spec_object ("task-list", NULL, NULL, TALLY_TYPE_TASK_LIST,
                                                    flags);
  properties[PROP_MANAGER] = g_param_spec_object ("manager", NULL, NULL, TALLY_TYPE_TX_MANAGER,
                                                  flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A grant mined: the task, and the account (a const TallyAddress *). */
  signals[KEY_GRANTED] = g_signal_new ("key-granted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 2, TALLY_TYPE_TASK,
                                       G_TYPE_POINTER);
}

static void
tally_key_server_init (TallyKeyServer *self)
{
  self->manifests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->granted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}
