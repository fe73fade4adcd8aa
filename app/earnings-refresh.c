/* earnings-refresh.c: the wallet's balances and the history's block
 * times, read in one request after each sync
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "core-error.h"
#include "earnings-private.h"
#include "label-market.h"
#include "wallet/hex.h"

/* Block headers asked for in one refresh, for the entries' times; older
 * entries get theirs at the next refresh. */
#define MAX_HEADERS_PER_REFRESH 100

/* ---- Balances and block times -------------------------------------------- */

typedef struct
{
  TallyRpcBatch *batch;
  GArray        *blocks; /* guint64, the headers asked for from index 2 */
} Refresh;

static void
refresh_free (Refresh *refresh)
{
  g_clear_pointer (&refresh->batch, tally_rpc_batch_unref);
  g_clear_pointer (&refresh->blocks, g_array_unref);
  g_free (refresh);
}

static JsonNode *
params_of (const char *first,
           const char *second,
           gboolean    third_false)
{
  JsonArray *params = json_array_new ();
  JsonNode  *node = json_node_new (JSON_NODE_ARRAY);

  json_array_add_string_element (params, first);
  if (second != NULL)
    json_array_add_string_element (params, second);
  if (third_false)
    json_array_add_boolean_element (params, FALSE);
  json_node_take_array (node, params);
  return node;
}

static JsonNode *
balance_of_params (TallyEarnings *self,
                   GError       **error)
{
  TallyNetworkProfile *profile = tally_market_log_get_profile (self->log);
  g_autofree guint8   *calldata = NULL;
  gsize                len = 0;
  g_autofree char     *to = NULL;
  g_autofree char     *data = NULL;
  JsonObject          *call;
  JsonArray           *params;
  JsonNode            *node;

  if (!tally_label_token_encode_balance_of (&calldata, &len, &self->account, error))
    return NULL;
  to = tally_hex_encode (tally_network_profile_get_token_address (profile)->bytes, TALLY_ADDRESS_LEN);
  data = tally_hex_encode (calldata, len);
  call = json_object_new ();
  json_object_set_string_member (call, "to", to);
  json_object_set_string_member (call, "data", data);
  params = json_array_new ();
  json_array_add_object_element (params, call);
  json_array_add_string_element (params, "latest");
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, params);
  return node;
}

static gboolean
apply_refresh (TallyEarnings *self,
               Refresh       *refresh,
               GError       **error)
{
  g_autoptr (JsonNode) token_node = NULL;
  g_autoptr (JsonNode) eth_node = NULL;
  g_autoptr (GBytes) token_data = NULL;
  g_autoptr (GHashTable) times = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                        (GDestroyNotify) g_date_time_unref);
  TallyUint256 token, eth;
  gboolean     token_changed, eth_changed;

  if ((token_node = tally_rpc_batch_dup_result (refresh->batch, 0, error)) == NULL ||
      (token_data = tally_rpc_parse_data (token_node, "eth_call balanceOf result", error)) == NULL ||
      !tally_label_token_decode_balance_of (&token, g_bytes_get_data (token_data, NULL),
                                            g_bytes_get_size (token_data), error) ||
      (eth_node = tally_rpc_batch_dup_result (refresh->batch, 1, error)) == NULL ||
      !tally_rpc_parse_uint256 (eth_node, "eth_getBalance result", &eth, error))
    return FALSE;

  for (guint i = 0; i < refresh->blocks->len; i++)
    {
      g_autoptr (JsonNode) header = tally_rpc_batch_dup_result (refresh->batch, i + 2, error);
      guint64 timestamp = 0;

      if (header == NULL)
        return FALSE;
      /* A block the node does not have yet keeps its entries undated. */
      if (JSON_NODE_HOLDS_NULL (header))
        continue;
      if (!JSON_NODE_HOLDS_OBJECT (header) ||
          !tally_rpc_parse_quantity (json_object_get_member (json_node_get_object (header), "timestamp"),
                                     "eth_getBlockByNumber timestamp", &timestamp, error))
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                         "eth_getBlockByNumber returned something other than a block");
          return FALSE;
        }
      if (timestamp <= G_MAXINT64)
        g_hash_table_insert (times, g_memdup2 (&g_array_index (refresh->blocks, guint64, i), sizeof (guint64)),
                             g_date_time_new_from_unix_utc ((gint64) timestamp));
    }
  for (guint i = 0; i < self->entries->len; i++)
    {
      TallyEarningsEntry *entry = g_ptr_array_index (self->entries, i);
      guint64             block = tally_earnings_entry_get_block_number (entry);
      GDateTime          *time = g_hash_table_lookup (times, &block);

      if (time != NULL && tally_earnings_entry_get_time (entry) == NULL)
        tally_earnings_entry_set_time (entry, time);
    }

  token_changed = !self->has_balances || tally_uint256_cmp (&token, &self->token_balance) != 0;
  eth_changed = !self->has_balances || tally_uint256_cmp (&eth, &self->eth_balance) != 0;
  self->token_balance = token;
  self->eth_balance = eth;
  self->has_balances = TRUE;
  _tally_earnings_notify_balances (self, token_changed, eth_changed);
  return TRUE;
}

static void
on_refreshed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallyEarnings *self = g_task_get_source_object (task);
  Refresh       *refresh = g_task_get_task_data (task);
  GError        *error = NULL;

  self->refreshing = FALSE;
  if (!tally_rpc_client_batch_finish (TALLY_RPC_CLIENT (source), result, &error) ||
      !apply_refresh (self, refresh, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  if (self->refresh_again)
    _tally_earnings_refresh_soon (self);
}

void
tally_earnings_refresh_async (TallyEarnings      *self,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GHashTable) seen = NULL;
  GError          *error = NULL;
  Refresh         *refresh;
  JsonNode        *call;
  g_autofree char *account = NULL;

  g_return_if_fail (TALLY_IS_EARNINGS (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_earnings_refresh_async);
  if ((call = balance_of_params (self, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  refresh = g_new0 (Refresh, 1);
  refresh->batch = tally_rpc_batch_new ();
  refresh->blocks = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_task_set_task_data (task, refresh, (GDestroyNotify) refresh_free);
  account = tally_hex_encode (self->account.bytes, TALLY_ADDRESS_LEN);
  tally_rpc_batch_add (refresh->batch, "eth_call", call);
  tally_rpc_batch_add (refresh->batch, "eth_getBalance", params_of (account, "latest", FALSE));

  /* Entries get their times newest first: stop at the first dated one. */
  seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  for (guint i = self->entries->len; i > 0; i--)
    {
      TallyEarningsEntry *entry = g_ptr_array_index (self->entries, i - 1);
      guint64             block = tally_earnings_entry_get_block_number (entry);
      g_autofree char    *number = NULL;

      if (tally_earnings_entry_get_time (entry) != NULL ||
          refresh->blocks->len == MAX_HEADERS_PER_REFRESH)
        break;
      if (g_hash_table_contains (seen, &block))
        continue;
      g_hash_table_add (seen, g_memdup2 (&block, sizeof block));
      g_array_append_val (refresh->blocks, block);
      number = g_strdup_printf ("0x%" G_GINT64_MODIFIER "x", block);
      tally_rpc_batch_add (refresh->batch, "eth_getBlockByNumber", params_of (number, NULL, TRUE));
    }
  self->refreshing = TRUE;
  self->refresh_again = FALSE;
  tally_rpc_client_batch_async (tally_market_log_get_client (self->log), refresh->batch, 0,
                                cancellable, on_refreshed, g_steal_pointer (&task));
}

gboolean
tally_earnings_refresh_finish (TallyEarnings *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tally_earnings_refresh_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_background_refreshed (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (!tally_earnings_refresh_finish (TALLY_EARNINGS (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Could not refresh the wallet's balances: %s", error->message);
}

void
_tally_earnings_refresh_soon (TallyEarnings *self)
{
  if (self->refreshing)
    {
      self->refresh_again = TRUE;
      return;
    }
  tally_earnings_refresh_async (self, self->cancellable, on_background_refreshed, NULL);
}

void
_tally_earnings_on_sync_state (TallyMarketLog *log,
                               GParamSpec     *pspec,
                               TallyEarnings  *self)
{
  if (!tally_market_log_get_syncing (log))
    _tally_earnings_refresh_soon (self);
}
