/* market-log.c: the LabelMarket's event log, synced in pages and cached
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "core-error.h"
#include "market-log-private.h"
#include "rpc-client-private.h"
#include "wallet/hex.h"

G_DEFINE_FINAL_TYPE (TallyMarketLog, tally_market_log, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SYNCED_BLOCK,
  PROP_SYNCING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  LOGS_ADDED,
  ROLLED_BACK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- Syncing ------------------------------------------------------------- */

typedef struct
{
  guint64        head;
  guint64        to; /* the last block of the page asked for */
  TallyRpcBatch *batch;
  GPtrArray     *page; /* its logs, while they are written */
  guint8         page_hash[TALLY_RPC_HASH_LEN];
} Sync;

static void
sync_free (Sync *sync)
{
  g_clear_pointer (&sync->batch, tally_rpc_batch_unref);
  g_clear_pointer (&sync->page, g_ptr_array_unref);
  g_free (sync);
}

static void next_page (GTask *task);
static void check_head (GTask *task);

static void
sync_done (GTask  *task,
           GError *error)
{
  TallyMarketLog *self = g_task_get_source_object (task);

  self->syncing = FALSE;
  if (error == NULL)
    g_clear_error (&self->last_error);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (&self->last_error);
      self->last_error = g_error_copy (error);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNCING]);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static JsonNode *
block_params (guint64 number)
{
  JsonArray       *params = json_array_new ();
  JsonNode        *node = json_node_new (JSON_NODE_ARRAY);
  g_autofree char *text = g_strdup_printf ("0x%" G_GINT64_MODIFIER "x", number);

  json_array_add_string_element (params, text);
  json_array_add_boolean_element (params, FALSE);
  json_node_take_array (node, params);
  return node;
}

/* The hash of a block header reply, FALSE with an error if it is not the
 * header of block number. A JSON null (the node has no such block) gives
 * *found FALSE. */
static gboolean
parse_header (JsonNode *node,
              guint64   number,
              gboolean *found,
              guint8    hash[TALLY_RPC_HASH_LEN],
              GError  **error)
{
  JsonObject *object;
  guint64     got = 0;

  *found = FALSE;
  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "eth_getBlockByNumber returned something other than a block");
      return FALSE;
    }
  object = json_node_get_object (node);
  if (!tally_rpc_parse_quantity (json_object_get_member (object, "number"),
                                 "eth_getBlockByNumber number", &got, error) ||
      !tally_rpc_parse_hash (json_object_get_member (object, "hash"),
                             "eth_getBlockByNumber hash", hash, error))
    return FALSE;
  if (got != number)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "eth_getBlockByNumber returned block %" G_GUINT64_FORMAT
                   " for block %" G_GUINT64_FORMAT,
                   got, number);
      return FALSE;
    }
  *found = TRUE;
  return TRUE;
}

static void
on_rolled_back (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask  *task = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      sync_done (task, error);
      return;
    }
  next_page (task);
}

/* Forgets every log after block, in memory and in the cache. */
static void
roll_back (GTask  *task,
           guint64 block)
{
  TallyMarketLog      *self = g_task_get_source_object (task);
  guint                kept = self->logs->len;
  TallyMarketLogWrite *write;
  g_autoptr (GTask) step = NULL;

  while (kept > 0 && ((TallyRpcLog *) g_ptr_array_index (self->logs, kept - 1))->block_number > block)
    kept--;
  g_debug ("Chain reorganised: dropping %u market logs after block %" G_GUINT64_FORMAT,
           self->logs->len - kept, block);
  g_ptr_array_set_size (self->logs, kept);
  self->synced_block = block;
  self->has_synced_hash = FALSE;
  g_signal_emit (self, signals[ROLLED_BACK], 0, kept);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNCED_BLOCK]);

  if (self->db == NULL)
    {
      next_page (task);
      return;
    }
  write = g_new0 (TallyMarketLogWrite, 1);
  write->synced_block = block;
  step = g_task_new (self, g_task_get_cancellable (task), on_rolled_back, task);
  g_task_set_task_data (step, write, (GDestroyNotify) tally_market_log_write_free);
  g_task_run_in_thread (step, _tally_market_log_write_thread);
}

static void
on_head (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask          *task = user_data;
  TallyMarketLog *self = g_task_get_source_object (task);
  Sync           *sync = g_task_get_task_data (task);
  GError         *error = NULL;
  g_autoptr (JsonNode) head = NULL;
  g_autoptr (JsonNode) header = NULL;
  gboolean found = FALSE;
  guint8   hash[TALLY_RPC_HASH_LEN];

  if (!tally_rpc_client_batch_finish (TALLY_RPC_CLIENT (source), result, &error) ||
      (head = tally_rpc_batch_dup_result (sync->batch, 0, &error)) == NULL ||
      !tally_rpc_parse_quantity (head, "eth_blockNumber result", &sync->head, &error) ||
      (self->has_synced_hash &&
       ((header = tally_rpc_batch_dup_result (sync->batch, 1, &error)) == NULL ||
        !parse_header (header, self->synced_block, &found, hash, &error))))
    {
      sync_done (task, error);
      return;
    }
  g_clear_pointer (&sync->batch, tally_rpc_batch_unref);

  /* A chain shorter than what was synced is another chain (a local node
   * started again): everything goes. */
  if (sync->head < self->synced_block)
    roll_back (task, self->first_block - 1);
  else if (self->has_synced_hash &&
           (!found || memcmp (hash, self->synced_hash, TALLY_RPC_HASH_LEN) != 0))
    roll_back (task, MAX (self->first_block, self->synced_block - MIN (self->synced_block, TALLY_MARKET_LOG_REORG_DEPTH) + 1) - 1);
  else
    next_page (task);
}

static void
check_head (GTask *task)
{
  TallyMarketLog *self = g_task_get_source_object (task);
  Sync           *sync = g_task_get_task_data (task);

  sync->batch = tally_rpc_batch_new ();
  tally_rpc_batch_add (sync->batch, "eth_blockNumber", NULL);
  if (self->has_synced_hash)
    tally_rpc_batch_add (sync->batch, "eth_getBlockByNumber", block_params (self->synced_block));
  tally_rpc_client_batch_async (self->client, sync->batch, 0, g_task_get_cancellable (task),
                                on_head, task);
}

static void
on_page_written (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask          *task = user_data;
  TallyMarketLog *self = TALLY_MARKET_LOG (source);
  Sync           *sync = g_task_get_task_data (task);
  GError         *error = NULL;
  guint           first = self->logs->len;
  guint           n = sync->page->len;

  if (result != NULL && !g_task_propagate_boolean (G_TASK (result), &error))
    {
      sync_done (task, error);
      return;
    }
  g_ptr_array_extend_and_steal (self->logs, g_steal_pointer (&sync->page));
  self->synced_block = sync->to;
  self->has_synced_hash = TRUE;
  memcpy (self->synced_hash, sync->page_hash, TALLY_RPC_HASH_LEN);
  self->pages++;
  self->logs_fetched += n;
  if (n < TALLY_MARKET_LOG_LIGHT_PAGE)
    self->span = MIN (self->span * 2, TALLY_MARKET_LOG_MAX_SPAN);
  if (n > 0)
    g_signal_emit (self, signals[LOGS_ADDED], 0, first, n);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNCED_BLOCK]);
  next_page (task);
}

/* What a node says when a range holds too much: worth a smaller range. */
static gboolean
is_range_error (const GError *error)
{
  return g_error_matches (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_RPC) ||
         g_error_matches (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_TOO_LARGE) ||
         g_error_matches (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_TIMED_OUT) ||
         g_error_matches (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_HTTP);
}

/* Logs of this market inside the page, in order, none removed. */
static gboolean
check_page (TallyMarketLog *self,
            Sync           *sync,
            guint64         from,
            GError        **error)
{
  const TallyRpcLog *previous = NULL;

  for (guint i = 0; i < sync->page->len; i++)
    {
      const TallyRpcLog *log = g_ptr_array_index (sync->page, i);
      const char        *problem = NULL;

      if (!tally_address_equal (&log->address, &self->market))
        problem = "from another contract";
      else if (log->block_number < from || log->block_number > sync->to)
        problem = "outside the blocks asked for";
      else if (log->removed)
        problem = "marked removed";
      else if (log->n_topics == 0)
        problem = "without an event topic";
      else if (previous != NULL &&
               (log->block_number < previous->block_number ||
                (log->block_number == previous->block_number &&
                 log->log_index <= previous->log_index)))
        problem = "out of order";
      if (problem != NULL)
        {
          g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                       "eth_getLogs returned a log %s (block %" G_GUINT64_FORMAT ", index %" G_GUINT64_FORMAT ")",
                       problem, log->block_number, log->log_index);
          return FALSE;
        }
      previous = log;
    }
  return TRUE;
}

static void
on_page (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask          *task = user_data;
  TallyMarketLog *self = g_task_get_source_object (task);
  Sync           *sync = g_task_get_task_data (task);
  guint64         span = sync->to - self->synced_block;
  GError         *error = NULL;
  g_autoptr (JsonNode) logs = NULL;
  g_autoptr (JsonNode) header = NULL;
  gboolean             found = FALSE;
  TallyMarketLogWrite *write;
  g_autoptr (GTask) step = NULL;

  if (!tally_rpc_client_batch_finish (TALLY_RPC_CLIENT (source), result, &error) ||
      (logs = tally_rpc_batch_dup_result (sync->batch, 0, &error)) == NULL)
    {
      g_clear_pointer (&sync->batch, tally_rpc_batch_unref);
      if (span > 1 && is_range_error (error))
        {
          g_debug ("eth_getLogs over %" G_GUINT64_FORMAT " blocks failed (%s); halving",
                   span, error->message);
          g_clear_error (&error);
          self->span = MAX (span / 2, 1);
          next_page (task);
          return;
        }
      sync_done (task, error);
      return;
    }
  if ((header = tally_rpc_batch_dup_result (sync->batch, 1, &error)) == NULL ||
      !parse_header (header, sync->to, &found, sync->page_hash, &error) ||
      !_tally_rpc_parse_logs (logs, "eth_getLogs result", &sync->page, &error) ||
      !check_page (self, sync, self->synced_block + 1, &error))
    {
      sync_done (task, error);
      return;
    }
  g_clear_pointer (&sync->batch, tally_rpc_batch_unref);
  if (!found)
    {
      /* Behind a load balancer, the node answering may lag the one that
       * gave the head: try again at the next head. */
      sync_done (task, g_error_new (TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                                    "The node does not have block %" G_GUINT64_FORMAT " yet",
                                    sync->to));
      return;
    }

  if (self->db == NULL)
    {
      on_page_written (G_OBJECT (self), NULL, task);
      return;
    }
  write = g_new0 (TallyMarketLogWrite, 1);
  write->logs = g_ptr_array_ref (sync->page);
  write->synced_block = sync->to;
  write->has_hash = TRUE;
  memcpy (write->hash, sync->page_hash, TALLY_RPC_HASH_LEN);
  step = g_task_new (self, g_task_get_cancellable (task), on_page_written, task);
  g_task_set_task_data (step, write, (GDestroyNotify) tally_market_log_write_free);
  g_task_run_in_thread (step, _tally_market_log_write_thread);
}

static void
next_page (GTask *task)
{
  TallyMarketLog  *self = g_task_get_source_object (task);
  Sync            *sync = g_task_get_task_data (task);
  guint64          from = self->synced_block + 1;
  g_autofree char *market = NULL;
  g_autofree char *from_text = NULL;
  g_autofree char *to_text = NULL;
  JsonArray       *params;
  JsonNode        *node;
  JsonObject      *object;

  GError *error = NULL;

  if (g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error))
    {
      sync_done (task, error);
      return;
    }
  if (from > sync->head)
    {
      sync_done (task, NULL);
      return;
    }
  sync->to = MIN (sync->head, from + self->span - 1);

  /* eth_getLogs goes through the batch so the page and the header of its
   * last block share one request. */
  market = tally_hex_encode (self->market.bytes, TALLY_ADDRESS_LEN);
  from_text = g_strdup_printf ("0x%" G_GINT64_MODIFIER "x", from);
  to_text = g_strdup_printf ("0x%" G_GINT64_MODIFIER "x", sync->to);
  object = json_object_new ();
  json_object_set_string_member (object, "address", market);
  json_object_set_string_member (object, "fromBlock", from_text);
  json_object_set_string_member (object, "toBlock", to_text);
  params = json_array_new ();
  json_array_add_object_element (params, object);
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, params);
  sync->batch = tally_rpc_batch_new ();
  tally_rpc_batch_add (sync->batch, "eth_getLogs", node);
  tally_rpc_batch_add (sync->batch, "eth_getBlockByNumber", block_params (sync->to));
  tally_rpc_client_batch_async (self->client, sync->batch, 0, g_task_get_cancellable (task),
                                on_page, task);
}

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask                *task = user_data;
  TallyMarketLog       *self = TALLY_MARKET_LOG (source);
  GError               *error = NULL;
  TallyMarketLogLoaded *loaded = g_task_propagate_pointer (G_TASK (result), &error);
  guint                 n;

  if (loaded == NULL)
    {
      sync_done (task, error);
      return;
    }
  self->loaded = TRUE;
  self->synced_block = loaded->synced_block;
  self->has_synced_hash = loaded->has_hash;
  memcpy (self->synced_hash, loaded->hash, TALLY_RPC_HASH_LEN);
  n = loaded->logs->len;
  g_ptr_array_extend_and_steal (self->logs, g_steal_pointer (&loaded->logs));
  tally_market_log_loaded_free (loaded);
  if (n > 0)
    g_signal_emit (self, signals[LOGS_ADDED], 0, 0u, n);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNCED_BLOCK]);
  check_head (task);
}

void
tally_market_log_sync_async (TallyMarketLog     *self,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (TALLY_IS_MARKET_LOG (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_market_log_sync_async);
  if (self->syncing)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "The market's events are already being fetched");
      g_object_unref (task);
      return;
    }
  g_task_set_task_data (task, g_new0 (Sync, 1), (GDestroyNotify) sync_free);
  self->syncing = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNCING]);

  if (!self->loaded && self->cache_path != NULL)
    {
      g_autoptr (GTask) load = g_task_new (self, cancellable, on_loaded, task);

      g_task_run_in_thread (load, _tally_market_log_load_thread);
      return;
    }
  self->loaded = TRUE;
  check_head (task);
}

gboolean
tally_market_log_sync_finish (TallyMarketLog *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tally_market_log_sync_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Following the chain ------------------------------------------------ */

static void follow_sync (TallyMarketLog *self);

static void
on_follow_synced (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  TallyMarketLog *self = TALLY_MARKET_LOG (source);
  g_autoptr (GError) error = NULL;

  if (!tally_market_log_sync_finish (self, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Kept in last-error for the GUI; the next head tries again. */
      g_debug ("Syncing the market's events failed: %s", error->message);
    }
  if (self->follow_again && self->follow_cancellable != NULL)
    follow_sync (self);
}

static void
follow_sync (TallyMarketLog *self)
{
  self->follow_again = FALSE;
  tally_market_log_sync_async (self, self->follow_cancellable, on_follow_synced, NULL);
}

static void
on_new_head (TallyRpcClient *client,
             guint64         number,
             TallyMarketLog *self)
{
  if (self->syncing)
    self->follow_again = TRUE;
  else
    follow_sync (self);
}

void
tally_market_log_follow (TallyMarketLog *self)
{
  g_return_if_fail (TALLY_IS_MARKET_LOG (self));

  if (self->head_handler != 0)
    return;
  self->follow_cancellable = g_cancellable_new ();
  self->head_handler = g_signal_connect (self->client, "new-head", G_CALLBACK (on_new_head), self);
  on_new_head (self->client, 0, self);
}

void
tally_market_log_unfollow (TallyMarketLog *self)
{
  g_return_if_fail (TALLY_IS_MARKET_LOG (self));

  g_clear_signal_handler (&self->head_handler, self->client);
  g_cancellable_cancel (self->follow_cancellable);
  g_clear_object (&self->follow_cancellable);
  self->follow_again = FALSE;
}

/* ---- The object ---------------------------------------------------------- */

TallyMarketLog *
tally_market_log_new (TallyRpcClient      *client,
                      TallyNetworkProfile *profile,
                      const char          *cache_path,
                      GError             **error)
{
  const TallyAddress *market;
  TallyMarketLog     *self;

  g_return_val_if_fail (TALLY_IS_RPC_CLIENT (client), NULL);
  g_return_val_if_fail (TALLY_IS_NETWORK_PROFILE (profile), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!tally_network_profile_has_market (profile))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE,
                   "%s has no label market yet",
                   tally_network_profile_get_display_name (profile));
      return NULL;
    }
  market = tally_network_profile_get_market_address (profile);
  self = g_object_new (TALLY_TYPE_MARKET_LOG, NULL);
  self->client = g_object_ref (client);
  self->profile = g_object_ref (profile);
  self->cache_path = g_strdup (cache_path);
  self->market = *market;
  self->chain_id = tally_network_profile_get_chain_id (profile);
  /* Block 0 holds no contract; starting at 1 keeps "synced to first - 1"
   * representable. */
  self->first_block = MAX (tally_network_profile_get_deployment_block (profile), 1);
  self->synced_block = self->first_block - 1;
  return self;
}

TallyRpcClient *
tally_market_log_get_client (TallyMarketLog *self)
{
  g_return_val_if_fail (TALLY_IS_MARKET_LOG (self), NULL);

  return self->client;
}

TallyNetworkProfile *
tally_market_log_get_profile (TallyMarketLog *self)
{
  g_return_val_if_fail (TALLY_IS_MARKET_LOG (self), NULL);

  return self->profile;
}

const char *
tally_market_log_get_cache_path (TallyMarketLog *self)
{
  g_return_val_if_fail (TALLY_IS_MARKET_LOG (self), NULL);

  return self->cache_path;
}

guint64
tally_market_log_get_synced_block (TallyMarketLog *self)
{
  g_return_val_if_fail (TALLY_IS_MARKET_LOG (self), 0);

  return self->synced_block;
}

gboolean
tally_market_log_get_syncing (TallyMarketLog *self)
{
  g_return_val_if_fail (TALLY_IS_MARKET_LOG (self), FALSE);

  return self->syncing;
}

const GError *
tally_market_log_get_last_error (TallyMarketLog *self)
{
  g_return_val_if_fail (TALLY_IS_MARKET_LOG (self), NULL);

  return self->last_error;
}

GPtrArray *
tally_market_log_get_logs (TallyMarketLog *self)
{
  g_return_val_if_fail (TALLY_IS_MARKET_LOG (self), NULL);

  return self->logs;
}

void
_tally_market_log_take_logs (TallyMarketLog *self,
                             GPtrArray      *logs)
{
  guint first = self->logs->len;
  guint n = logs->len;

  g_ptr_array_extend_and_steal (self->logs, logs);
  if (n > 0)
    g_signal_emit (self, signals[LOGS_ADDED], 0, first, n);
}

void
tally_market_log_set_page_span (TallyMarketLog *self,
                                guint64         span)
{
  g_return_if_fail (TALLY_IS_MARKET_LOG (self));

  self->span = CLAMP (span, 1, TALLY_MARKET_LOG_MAX_SPAN);
}

void
tally_market_log_get_stats (TallyMarketLog *self,
                            guint64        *pages,
                            guint64        *logs_fetched)
{
  g_return_if_fail (TALLY_IS_MARKET_LOG (self));

  if (pages != NULL)
    *pages = self->pages;
  if (logs_fetched != NULL)
    *logs_fetched = self->logs_fetched;
}

static void
tally_market_log_dispose (GObject *object)
{
  TallyMarketLog *self = TALLY_MARKET_LOG (object);

  if (self->client != NULL)
    tally_market_log_unfollow (self);
  g_clear_object (&self->client);
  g_clear_object (&self->profile);

  G_OBJECT_CLASS (tally_market_log_parent_class)->dispose (object);
}

static void
tally_market_log_finalize (GObject *object)
{
  TallyMarketLog *self = TALLY_MARKET_LOG (object);

  _tally_market_log_close_cache (self);
  g_clear_pointer (&self->logs, g_ptr_array_unref);
  g_clear_error (&self->last_error);
  g_free (self->cache_path);

  G_OBJECT_CLASS (tally_market_log_parent_class)->finalize (object);
}

static void
tally_market_log_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  TallyMarketLog *self = TALLY_MARKET_LOG (object);

  switch (prop_id)
    {
    case PROP_SYNCED_BLOCK:
      g_value_set_uint64 (value, self->synced_block);
      break;
    case PROP_SYNCING:
      g_value_set_boolean (value, self->syncing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_market_log_class_init (TallyMarketLogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tally_market_log_dispose;
  object_class->finalize = tally_market_log_finalize;
  object_class->get_property = tally_market_log_get_property;

  properties[PROP_SYNCED_BLOCK] =
    g_param_spec_uint64 ("synced-block", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SYNCING] =
    g_param_spec_boolean ("syncing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* first, n: the logs at those indices of tally_market_log_get_logs()
   * are new. */
  signals[LOGS_ADDED] = g_signal_new ("logs-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
  /* n_kept: only the first n_kept logs are still there; whatever was built
   * from the others must be rebuilt. */
  signals[ROLLED_BACK] = g_signal_new ("rolled-back", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
tally_market_log_init (TallyMarketLog *self)
{
  self->logs = g_ptr_array_new_with_free_func ((GDestroyNotify) tally_rpc_log_free);
  self->span = TALLY_MARKET_LOG_FIRST_SPAN;
}
