/* market-log.h: every event the LabelMarket contract emitted, fetched with
 * paged eth_getLogs from its deployment block, cached on disk and kept
 * current as new blocks arrive
 *
 * Everything the engine shows about money and tasks is rebuilt from these
 * logs, so they are fetched once: the cache (a SQLite file keyed by chain
 * and market, so one file serves every network) holds each log with the
 * block it was synced to, and a restart only asks for what came after.
 *
 * Pages are block ranges. A range the node refuses (too many results, a
 * reply over the size cap, a timeout) is halved and asked again; a range
 * that comes back light is doubled for the next page. Each page is one
 * HTTP request: the logs and the header of the range's last block, whose
 * hash lets the next sync see a reorganisation. When that block's hash has
 * changed, the last TALLY_MARKET_LOG_REORG_DEPTH blocks are dropped and
 * fetched again, and ::rolled-back tells the consumers to rebuild.
 *
 * All file work runs in a worker thread, one step at a time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "network-profile.h"
#include "rpc-client.h"

G_BEGIN_DECLS

#define TALLY_MARKET_LOG_SCHEMA_VERSION 1
/* Deeper than any reorganisation since the merge (finality is 2 epochs). */
#define TALLY_MARKET_LOG_REORG_DEPTH 64
#define TALLY_MARKET_LOG_FIRST_SPAN  10000
#define TALLY_MARKET_LOG_MAX_SPAN    100000
/* A page with fewer logs than this doubles the next page's span. */
#define TALLY_MARKET_LOG_LIGHT_PAGE 2000

#define TALLY_TYPE_MARKET_LOG (tally_market_log_get_type ())

G_DECLARE_FINAL_TYPE (TallyMarketLog, tally_market_log, TALLY, MARKET_LOG, GObject)

/* The profile must name a market (TALLY_CORE_ERROR_INVALID_PROFILE
 * otherwise). cache_path NULL keeps the logs in memory only. The cache is
 * opened by the first sync, not here. */
TallyMarketLog *tally_market_log_new (TallyRpcClient      *client,
                                      TallyNetworkProfile *profile,
                                      const char          *cache_path,
                                      GError             **error) G_GNUC_WARN_UNUSED_RESULT;

TallyRpcClient      *tally_market_log_get_client (TallyMarketLog *self);
TallyNetworkProfile *tally_market_log_get_profile (TallyMarketLog *self);
const char          *tally_market_log_get_cache_path (TallyMarketLog *self);
/* The last block whose logs are all held; the deployment block - 1 before
 * the first page. */
guint64  tally_market_log_get_synced_block (TallyMarketLog *self);
gboolean tally_market_log_get_syncing (TallyMarketLog *self);
/* The last sync's failure, or NULL; cleared by the next success. */
const GError *tally_market_log_get_last_error (TallyMarketLog *self);

/* The logs held, oldest first (TallyRpcLog, owned by self). Valid until the
 * next ::logs-added or ::rolled-back. */
GPtrArray *tally_market_log_get_logs (TallyMarketLog *self);

/* The span of the next page, in blocks (at least 1): a node known to
 * refuse wide ranges can be met where it stands. It still adapts. */
void tally_market_log_set_page_span (TallyMarketLog *self,
                                     guint64         span);

/* Pages fetched and logs read from the node since creation (not from the
 * cache), for benchmarks and diagnostics. */
void tally_market_log_get_stats (TallyMarketLog *self,
                                 guint64        *pages,
                                 guint64        *logs_fetched);

/* Loads the cache (first time only), checks the last synced block is still
 * on the chain, then fetches up to the head. Only one sync runs at a time:
 * a call during a sync fails with G_IO_ERROR_PENDING. Errors: the client's
 * (TALLY_CORE_ERROR_*), TALLY_CORE_ERROR_STORAGE for the cache. */
void     tally_market_log_sync_async (TallyMarketLog     *self,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
gboolean tally_market_log_sync_finish (TallyMarketLog *self,
                                       GAsyncResult   *result,
                                       GError        **error) G_GNUC_WARN_UNUSED_RESULT;

/* Syncs now and after every ::new-head of the client (which the caller
 * starts with tally_rpc_client_watch_heads), one sync at a time; a head that
 * arrives during a sync is caught up right after it. Failures are kept in
 * last-error and retried at the next head. */
void tally_market_log_follow (TallyMarketLog *self);
void tally_market_log_unfollow (TallyMarketLog *self);

G_END_DECLS
