/* store-meta.h: what the app remembers between runs besides submissions —
 * the networks the user added, the tasks seen and their items (and which
 * of them are verified in the item cache), and a history of prices
 *
 * These are the local store's schema-2 tables; the functions take the
 * store's lock like the rest of TallyStore, so any thread may call them.
 * Every failure is TALLY_CORE_ERROR_STORAGE naming the file, except a
 * missing row, which is TALLY_CORE_ERROR_NOT_FOUND.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "money.h"
#include "price-history.h"
#include "store.h"
#include "wallet/keys.h"
#include "wallet/uint256.h"

G_BEGIN_DECLS

/* ---- Networks -------------------------------------------------------------- */

typedef struct
{
  char   *name;
  guint64 chain_id;
  char   *profile; /* the network file's JSON, as given */
  gint64  used;    /* Unix seconds; set by put and by mark_network_used */
} TallyStoreNetwork;

void tally_store_network_free (TallyStoreNetwork *network);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TallyStoreNetwork, tally_store_network_free)

/* Inserts or replaces the network called name; it becomes the most
 * recently used. profile must be a JSON object (the network file). */
gboolean tally_store_put_network (TallyStore *self,
                                  const char *name,
                                  guint64     chain_id,
                                  const char *profile,
                                  GError    **error) G_GNUC_WARN_UNUSED_RESULT;
/* NULL with TALLY_CORE_ERROR_NOT_FOUND when there is none. */
TallyStoreNetwork *tally_store_get_network (TallyStore *self,
                                            const char *name,
                                            GError    **error) G_GNUC_WARN_UNUSED_RESULT;
/* Makes it the most recently used; NOT_FOUND when there is none. */
gboolean tally_store_mark_network_used (TallyStore *self,
                                        const char *name,
                                        GError    **error) G_GNUC_WARN_UNUSED_RESULT;
/* TallyStoreNetwork elements, the most recently used first. */
GPtrArray *tally_store_list_networks (TallyStore *self,
                                      GError    **error) G_GNUC_WARN_UNUSED_RESULT;
/* NOT_FOUND when there is none. */
gboolean tally_store_remove_network (TallyStore *self,
                                     const char *name,
                                     GError    **error) G_GNUC_WARN_UNUSED_RESULT;

/* ---- Tasks and their items ------------------------------------------------- */

typedef struct
{
  guint64      chain_id;
  TallyAddress market;
  TallyUint256 task_id;
  char        *manifest_uri;
  guint8       manifest_hash[32];
  char        *title;
  guint        item_count;
  gboolean     is_private;
  gint64       seen; /* Unix seconds; set by put */
} TallyStoreTask;

void tally_store_task_free (TallyStoreTask *task);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TallyStoreTask, tally_store_task_free)

/* Inserts or updates the task of (chain, market, task id). A task whose
 * manifest hash changed loses its items: they were another manifest's. */
gboolean tally_store_put_task (TallyStore     *self,
                               TallyStoreTask *task,
                               GError        **error);
/* NULL with TALLY_CORE_ERROR_NOT_FOUND when there is none. */
TallyStoreTask *tally_store_get_task (TallyStore         *self,
                                      guint64             chain_id,
                                      const TallyAddress *market,
                                      const TallyUint256 *task_id,
                                      GError            **error);
/* Removes the task and its items; NOT_FOUND when there is none. */
gboolean tally_store_remove_task (TallyStore         *self,
                                  guint64             chain_id,
                                  const TallyAddress *market,
                                  const TallyUint256 *task_id,
                                  GError            **error) G_GNUC_WARN_UNUSED_RESULT;

/* One item of a task: cached = the item was verified into the cache now
 * (TRUE) or is only known (FALSE). The task must be in the store first
 * (NOT_FOUND otherwise), and item below its item count. */
gboolean tally_store_put_item (TallyStore         *self,
                               guint64             chain_id,
                               const TallyAddress *market,
                               const TallyUint256 *task_id,
                               guint               item,
                               const char         *item_id,
                               const guint8        sha256[32],
                               guint64             size,
                               gboolean            cached,
                               GError            **error);
/* How many of the task's items were verified into the cache; 0 with
 * NOT_FOUND when the task is not in the store, 0 with STORAGE on a
 * failure. */
guint tally_store_count_cached_items (TallyStore         *self,
                                      guint64             chain_id,
                                      const TallyAddress *market,
                                      const TallyUint256 *task_id,
                                      GError            **error);

/* ---- Prices ---------------------------------------------------------------- */

/* asset names what is priced ("ETH", or a token's checksummed address);
 * currency is the fiat code ("eur"). A second point at the same second
 * replaces the first. The price is kept as decimal text. */
gboolean tally_store_add_price (TallyStore         *self,
                                const char         *asset,
                                const char         *currency,
                                GDateTime          *time,
                                const TallyDecimal *price,
                                GError            **error) G_GNUC_WARN_UNUSED_RESULT;
/* Replaces the points of history by the most recent ones of asset in the
 * history's currency, as many as its capacity, oldest first. A row that
 * does not read as a decimal is skipped. */
gboolean tally_store_load_prices (TallyStore        *self,
                                  const char        *asset,
                                  TallyPriceHistory *history,
                                  GError           **error) G_GNUC_WARN_UNUSED_RESULT;
/* Drops every point (of every asset) older than before; the number
 * dropped in n_removed when not NULL. */
gboolean tally_store_prune_prices (TallyStore *self,
                                   GDateTime  *before,
                                   guint      *n_removed,
                                   GError    **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
