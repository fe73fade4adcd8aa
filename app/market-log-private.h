/* market-log-private.h: what market-log.c and market-log-cache.c share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "market-log.h"

G_BEGIN_DECLS

struct _TallyMarketLog
{
  GObject parent_instance;

  TallyRpcClient      *client;
  TallyNetworkProfile *profile;
  char                *cache_path;
  TallyAddress         market;
  guint64              chain_id;
  guint64              first_block; /* the deployment block */

  sqlite3   *db; /* touched only by worker threads, one at a time */
  gboolean   loaded;
  GPtrArray *logs; /* TallyRpcLog, by (block, index) */
  guint64    synced_block;
  gboolean   has_synced_hash;
  guint8     synced_hash[TALLY_RPC_HASH_LEN];
  guint64    span;

  gboolean syncing;
  GError  *last_error;
  guint64  pages;
  guint64  logs_fetched;

  gulong        head_handler;
  GCancellable *follow_cancellable;
  gboolean      follow_again;
};

/* What the cache held for this chain and market. */
typedef struct
{
  GPtrArray *logs; /* TallyRpcLog */
  guint64    synced_block;
  gboolean   has_hash;
  guint8     hash[TALLY_RPC_HASH_LEN];
} TallyMarketLogLoaded;

void tally_market_log_loaded_free (TallyMarketLogLoaded *loaded);

/* A page to add (logs set) or a rollback (logs NULL: every log after
 * synced_block goes), with the sync row to store. */
typedef struct
{
  GPtrArray *logs;
  guint64    synced_block;
  gboolean   has_hash;
  guint8     hash[TALLY_RPC_HASH_LEN];
} TallyMarketLogWrite;

void tally_market_log_write_free (TallyMarketLogWrite *write);

/* GTask thread functions (source object: the TallyMarketLog). load returns
 * a TallyMarketLogLoaded; write takes a TallyMarketLogWrite as task data
 * and returns a boolean. */
void _tally_market_log_load_thread (GTask        *task,
                                    gpointer      source_object,
                                    gpointer      task_data,
                                    GCancellable *cancellable);
void _tally_market_log_write_thread (GTask        *task,
                                     gpointer      source_object,
                                     gpointer      task_data,
                                     GCancellable *cancellable);
void _tally_market_log_close_cache (TallyMarketLog *self);

/* Appends logs (TallyRpcLog, taken) as a page would and emits
 * ::logs-added, without a node: for fuzz targets of what folds logs. */
void _tally_market_log_take_logs (TallyMarketLog *self,
                                  GPtrArray      *logs);

G_END_DECLS
