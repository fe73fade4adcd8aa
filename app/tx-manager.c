/* tx-manager.c: TallyTxManager, and the send pipeline shared by new
 * transactions and replacements: fees, gas and nonce (tx-manager-prepare.c),
 * signature, journal, broadcast
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "core-error.h"
#include "tx-manager-private.h"
#include "wallet/hex.h"
#include "wallet/tx.h"

G_DEFINE_FINAL_TYPE (TallyTxManager, tally_tx_manager, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_CLIENT,
  PROP_SIGNER,
  PROP_JOURNAL,
  PROP_CHAIN_ID,
  PROP_POLL_INTERVAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
tally_tx_manager_send_data_free (SendData *data)
{
  g_clear_pointer (&data->tx, tally_transaction_free);
  g_clear_pointer (&data->raw, g_bytes_unref);
  g_clear_error (&data->broadcast_error);
  g_free (data->purpose);
  g_free (data);
}

char *
tally_tx_manager_hash_to_string (const guint8 hash[TALLY_TX_JOURNAL_HASH_LEN])
{
  return tally_hex_encode (hash, TALLY_TX_JOURNAL_HASH_LEN);
}

static void start_next (TallyTxManager *self);

/* Sends run one at a time: the next starts when this one has its answer,
 * so two sends never read the same pending nonce. */
static void
send_release (GTask *task)
{
  TallyTxManager *self = g_task_get_source_object (task);

  if (self->current == task)
    {
      g_clear_object (&self->current);
      start_next (self);
    }
}

static void
send_fail (GTask  *task,
           GError *error)
{
  g_autoptr (GTask) owned = g_object_ref (task);

  send_release (task);
  g_task_return_error (task, error);
}

static void
send_succeed (GTask *task)
{
  g_autoptr (GTask) owned = g_object_ref (task);

  send_release (task);
  g_task_return_boolean (task, TRUE);
}

static gboolean
send_cancelled (GTask *task)
{
  g_autoptr (GTask) owned = g_object_ref (task);

  if (!g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    return FALSE;
  send_release (task);
  return g_task_return_error_if_cancelled (task);
}

static void
broadcast (GTask *task);

void
tally_tx_manager_ask_node_async (TallyRpcClient     *client,
                                 const guint8        hash[TALLY_TX_JOURNAL_HASH_LEN],
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  g_autofree char *hex = tally_tx_manager_hash_to_string (hash);
  JsonArray       *params = json_array_new ();

  json_array_add_string_element (params, hex);
  tally_rpc_client_call_async (client, "eth_getTransactionByHash",
                               json_node_init_array (json_node_alloc (), params), 0, cancellable,
                               callback, user_data);
  json_array_unref (params);
}

gboolean
tally_tx_manager_ask_node_finish (TallyRpcClient *client,
                                  GAsyncResult   *result)
{
  g_autoptr (JsonNode) reply = tally_rpc_client_call_finish (client, result, NULL);

  return reply != NULL && JSON_NODE_HOLDS_OBJECT (reply);
}

static void
on_refusal_checked (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallyTxManager *self = g_task_get_source_object (task);
  SendData       *data = g_task_get_task_data (task);
  GError         *error;

  if (tally_tx_manager_ask_node_finish (TALLY_RPC_CLIENT (source), result))
    {
      send_succeed (task);
      return;
    }
  if (send_cancelled (task))
    return;
  /* The node refused it, so it cannot be mined from there: record that,
   * and give a replaced transaction its place back. */
  error = g_steal_pointer (&data->broadcast_error);
  if (!tally_tx_journal_set_state (self->journal, data->hash, TALLY_TX_STATE_DROPPED,
                                   error->message, NULL))
    g_warning ("Could not record a refused transaction in the journal");
  if (data->is_replacement &&
      !tally_tx_journal_set_state (self->journal, data->old_hash, TALLY_TX_STATE_PENDING, NULL,
                                   NULL))
    g_warning ("Could not restore a transaction in the journal");
  g_prefix_error (&error, "The node refused the transaction: ");
  send_fail (task, error);
}

static void
on_broadcast_lookup (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  SendData *data = g_task_get_task_data (task);
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  g_autofree char *hex = NULL;

  if (send_cancelled (task))
    return;
  if (tally_rpc_client_get_transaction_receipt_finish (TALLY_RPC_CLIENT (source), result, &receipt,
                                                       NULL) &&
      receipt != NULL)
    {
      send_succeed (task);
      return;
    }
  if (!data->resent)
    {
      /* The same bytes have the same hash: a node that already has them
       * answers "already known", which counts as success. */
      data->resent = TRUE;
      broadcast (task);
      return;
    }
  hex = tally_tx_manager_hash_to_string (data->hash);
  send_fail (task, g_error_new (TALLY_CORE_ERROR, data->broadcast_error->code,
                                "Transaction %s is signed and kept in the journal, but sending "
                                "it failed (%s); it will be sent again",
                                hex, data->broadcast_error->message));
}

static void
on_broadcast (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallyTxManager *self = g_task_get_source_object (task);
  SendData       *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  guint8 hash[TALLY_RPC_HASH_LEN];

  if (tally_rpc_client_send_raw_transaction_finish (TALLY_RPC_CLIENT (source), result, hash,
                                                    &error))
    {
      send_succeed (task);
      return;
    }
  if (send_cancelled (task))
    return;
  if (g_error_matches (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_TIMED_OUT) ||
      g_error_matches (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NETWORK) ||
      g_error_matches (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_HTTP))
    {
      /* The node may have it: look it up by hash before anything else. */
      g_clear_error (&data->broadcast_error);
      data->broadcast_error = g_steal_pointer (&error);
      tally_rpc_client_get_transaction_receipt_async (self->client, data->hash,
                                                      g_task_get_cancellable (task),
                                                      on_broadcast_lookup, g_object_ref (task));
      return;
    }

  /* Nodes word "I have it already" in their own ways ("already known",
   * "already imported"): ask whether it holds the hash before believing
   * a refusal. */
  g_clear_error (&data->broadcast_error);
  data->broadcast_error = g_steal_pointer (&error);
  tally_tx_manager_ask_node_async (self->client, data->hash, g_task_get_cancellable (task),
                                   on_refusal_checked, g_object_ref (task));
}

static void
broadcast (GTask *task)
{
  TallyTxManager *self = g_task_get_source_object (task);
  SendData       *data = g_task_get_task_data (task);

  tally_rpc_client_send_raw_transaction_async (self->client, data->raw,
                                               g_task_get_cancellable (task), on_broadcast,
                                               g_object_ref (task));
}

static void
on_journaled (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  SendData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (!tally_tx_journal_add_finish (TALLY_TX_JOURNAL (source), result, &error) ||
      (data->is_replacement &&
       !tally_tx_journal_mark_replaced (TALLY_TX_JOURNAL (source), data->old_hash, data->hash,
                                        &error)))
    {
      send_fail (task, g_steal_pointer (&error));
      return;
    }
  /* Cancelled from here on, it stays pending in the journal for resume. */
  broadcast (task);
}

static void
on_signed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallyTxManager *self = g_task_get_source_object (task);
  SendData       *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  guint8       signature[TALLY_SIGNATURE_LEN];
  TallyAddress recovered;
  guint8      *raw = NULL;
  gsize        raw_len = 0;

  if (!tally_signer_sign_digest_finish (TALLY_SIGNER (source), result, signature, &error))
    {
      g_prefix_error (&error, "Could not sign the transaction: ");
      send_fail (task, g_steal_pointer (&error));
      return;
    }
  if (send_cancelled (task))
    return;
  tally_uint256_from_bytes32 (&data->tx->r, signature);
  tally_uint256_from_bytes32 (&data->tx->s, signature + 32);
  data->tx->y_parity = signature[64];
  data->tx->is_signed = TRUE;
  /* A signer that answers for another key must not get a transaction out. */
  if (signature[64] > 1 ||
      !tally_transaction_recover_sender (&recovered, data->tx, &error) ||
      !tally_address_equal (&recovered, &data->sender))
    {
      g_clear_error (&error);
      send_fail (task, g_error_new (TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE,
                                    "The signer's signature is not from its own account"));
      return;
    }
  if (!tally_transaction_encode (&raw, &raw_len, data->tx, &error) ||
      !tally_transaction_hash (data->hash, data->tx, &error))
    {
      g_free (raw);
      send_fail (task, g_steal_pointer (&error));
      return;
    }
  data->raw = g_bytes_new_take (raw, raw_len);

  /* On disk before it leaves: whatever happens next, it is not forgotten. */
  tally_tx_journal_add_async (self->journal, self->chain_id, &data->sender, data->tx->nonce,
                              data->raw, data->hash, data->purpose, NULL, on_journaled,
                              g_object_ref (task));
}

static void
sign (GTask *task)
{
  TallyTxManager *self = g_task_get_source_object (task);
  SendData       *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  guint8 digest[TALLY_TRANSACTION_HASH_LEN];

  if (!tally_transaction_signing_hash (digest, data->tx, &error))
    {
      send_fail (task, g_steal_pointer (&error));
      return;
    }
  tally_signer_sign_digest_async (self->signer, digest, g_task_get_cancellable (task), on_signed,
                                  g_object_ref (task));
}

static void
on_prepared (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!tally_tx_manager_prepare_finish (TALLY_TX_MANAGER (source), result, &error))
    {
      send_fail (task, error);
      return;
    }
  if (send_cancelled (task))
    return;
  sign (task);
}

static void
start_send (GTask *task)
{
  tally_tx_manager_prepare_async (g_task_get_source_object (task), g_task_get_task_data (task),
                                  g_task_get_cancellable (task), on_prepared, g_object_ref (task));
}

static void
start_next (TallyTxManager *self)
{
  while (self->current == NULL && !g_queue_is_empty (&self->queue))
    {
      g_autoptr (GTask) task = g_queue_pop_head (&self->queue);

      if (g_task_return_error_if_cancelled (task))
        continue;
      self->current = g_object_ref (task);
      start_send (task);
    }
}

void
tally_tx_manager_enqueue (TallyTxManager *self,
                          GTask          *task)
{
  g_queue_push_tail (&self->queue, g_object_ref (task));
  start_next (self);
}

void
tally_tx_manager_send_async (TallyTxManager     *self,
                             const TallyAddress *to,
                             const TallyUint256 *value,
                             GBytes             *data,
                             const char         *purpose,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  SendData *send;

  g_return_if_fail (TALLY_IS_TX_MANAGER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_tx_manager_send_async);
  send = g_new0 (SendData, 1);
  send->tx = tally_transaction_new (TALLY_TRANSACTION_EIP1559);
  send->tx->chain_id = self->chain_id;
  send->tx->has_to = to != NULL;
  if (to != NULL)
    send->tx->to = *to;
  if (value != NULL)
    send->tx->value = *value;
  if (data != NULL)
    {
      gsize         len = 0;
      const guint8 *bytes = g_bytes_get_data (data, &len);

      tally_transaction_set_data (send->tx, bytes, len);
    }
  tally_signer_get_address (self->signer, &send->sender);
  send->purpose = g_strdup (purpose != NULL ? purpose : "");
  send->estimate_gas = TRUE;
  g_task_set_task_data (task, send, (GDestroyNotify) tally_tx_manager_send_data_free);
  tally_tx_manager_enqueue (self, task);
}

gboolean
tally_tx_manager_finish_with_hash (GAsyncResult *result,
                                   guint8        hash[TALLY_TX_JOURNAL_HASH_LEN],
                                   GError      **error)
{
  SendData *data = g_task_get_task_data (G_TASK (result));

  memset (hash, 0, TALLY_TX_JOURNAL_HASH_LEN);
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  memcpy (hash, data->hash, TALLY_TX_JOURNAL_HASH_LEN);
  return TRUE;
}

gboolean
tally_tx_manager_send_finish (TallyTxManager *self,
                              GAsyncResult   *result,
                              guint8          hash[TALLY_TX_JOURNAL_HASH_LEN],
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tally_tx_manager_send_async,
                        FALSE);

  return tally_tx_manager_finish_with_hash (result, hash, error);
}

TallyTxManager *
tally_tx_manager_new (TallyRpcClient *client,
                      TallySigner    *signer,
                      TallyTxJournal *journal,
                      guint64         chain_id)
{
  g_return_val_if_fail (TALLY_IS_RPC_CLIENT (client), NULL);
  g_return_val_if_fail (TALLY_IS_SIGNER (signer), NULL);
  g_return_val_if_fail (TALLY_IS_TX_JOURNAL (journal), NULL);
  g_return_val_if_fail (chain_id != 0 && chain_id <= TALLY_TRANSACTION_MAX_CHAIN_ID, NULL);

  return g_object_new (TALLY_TYPE_TX_MANAGER, "client", client, "signer", signer, "journal",
                       journal, "chain-id", chain_id, NULL);
}

TallyRpcClient *
tally_tx_manager_get_client (TallyTxManager *self)
{
  g_return_val_if_fail (TALLY_IS_TX_MANAGER (self), NULL);
  return self->client;
}

TallySigner *
tally_tx_manager_get_signer (TallyTxManager *self)
{
  g_return_val_if_fail (TALLY_IS_TX_MANAGER (self), NULL);
  return self->signer;
}

TallyTxJournal *
tally_tx_manager_get_journal (TallyTxManager *self)
{
  g_return_val_if_fail (TALLY_IS_TX_MANAGER (self), NULL);
  return self->journal;
}

guint64
tally_tx_manager_get_chain_id (TallyTxManager *self)
{
  g_return_val_if_fail (TALLY_IS_TX_MANAGER (self), 0);
  return self->chain_id;
}

guint
tally_tx_manager_get_poll_interval (TallyTxManager *self)
{
  g_return_val_if_fail (TALLY_IS_TX_MANAGER (self), 0);
  return self->poll_interval;
}

void
tally_tx_manager_set_poll_interval (TallyTxManager *self,
                                    guint           interval_ms)
{
  g_return_if_fail (TALLY_IS_TX_MANAGER (self));
  g_return_if_fail (interval_ms > 0);

  if (self->poll_interval == interval_ms)
    return;
  self->poll_interval = interval_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POLL_INTERVAL]);
}

static void
tally_tx_manager_dispose (GObject *object)
{
  TallyTxManager *self = TALLY_TX_MANAGER (object);

  /* Queued sends hold a reference to self, so none is left here. */
  g_clear_object (&self->client);
  g_clear_object (&self->signer);
  g_clear_object (&self->journal);

  G_OBJECT_CLASS (tally_tx_manager_parent_class)->dispose (object);
}

static void
tally_tx_manager_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  TallyTxManager *self = TALLY_TX_MANAGER (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_SIGNER:
      g_value_set_object (value, self->signer);
      break;
    case PROP_JOURNAL:
      g_value_set_object (value, self->journal);
      break;
    case PROP_CHAIN_ID:
      g_value_set_uint64 (value, self->chain_id);
      break;
    case PROP_POLL_INTERVAL:
      g_value_set_uint (value, self->poll_interval);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_tx_manager_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  TallyTxManager *self = TALLY_TX_MANAGER (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    case PROP_SIGNER:
      self->signer = g_value_dup_object (value);
      break;
    case PROP_JOURNAL:
      self->journal = g_value_dup_object (value);
      break;
    case PROP_CHAIN_ID:
      self->chain_id = g_value_get_uint64 (value);
      break;
    case PROP_POLL_INTERVAL:
      tally_tx_manager_set_poll_interval (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_tx_manager_class_init (TallyTxManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tally_tx_manager_dispose;
  object_class->get_property = tally_tx_manager_get_property;
  object_class->set_property = tally_tx_manager_set_property;

  /* The parts a manager is made of are fixed for its life. */
  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, TALLY_TYPE_RPC_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIGNER] =
    g_param_spec_object ("signer", NULL, NULL, TALLY_TYPE_SIGNER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_JOURNAL] =
    g_param_spec_object ("journal", NULL, NULL, TALLY_TYPE_TX_JOURNAL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CHAIN_ID] =
    g_param_spec_uint64 ("chain-id", NULL, NULL, 1, TALLY_TRANSACTION_MAX_CHAIN_ID, 1,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_POLL_INTERVAL] =
    g_param_spec_uint ("poll-interval", NULL, NULL, 1, G_MAXUINT,
                       TALLY_TX_MANAGER_DEFAULT_POLL_INTERVAL_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tally_tx_manager_init (TallyTxManager *self)
{
  self->poll_interval = TALLY_TX_MANAGER_DEFAULT_POLL_INTERVAL_MS;
  g_queue_init (&self->queue);
}
