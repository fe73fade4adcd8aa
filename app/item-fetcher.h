/* item-fetcher.h: task items fetched over https, http, file:// or an IPFS
 * gateway, checked against their published SHA-256 and size, and cached
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "item-cache.h"

G_BEGIN_DECLS

#define TALLY_ITEM_FETCHER_DEFAULT_GATEWAY "https://ipfs.io/ipfs/"

/* One item as a manifest describes it; the fetcher copies what it keeps. */
typedef struct
{
  const char *uri;
  guint8      sha256[TALLY_ITEM_SHA256_LEN];
  guint64     size;
} TallyItemSpec;

#define TALLY_TYPE_ITEM_FETCHER (tally_item_fetcher_get_type ())

G_DECLARE_FINAL_TYPE (TallyItemFetcher, tally_item_fetcher, TALLY, ITEM_FETCHER, GObject)

TallyItemFetcher *tally_item_fetcher_new (TallyItemCache *cache);

TallyItemCache *tally_item_fetcher_get_cache (TallyItemFetcher *self);

/* Where ipfs://CID/path goes: the gateway base URL, then CID/path.
 * Default TALLY_ITEM_FETCHER_DEFAULT_GATEWAY. */
const char *tally_item_fetcher_get_ipfs_gateway (TallyItemFetcher *self);
void        tally_item_fetcher_set_ipfs_gateway (TallyItemFetcher *self,
                                                 const char       *gateway);
/* Downloads running at once; more wait in a queue. Default 4. */
guint tally_item_fetcher_get_max_concurrent (TallyItemFetcher *self);
void  tally_item_fetcher_set_max_concurrent (TallyItemFetcher *self,
                                             guint             max_concurrent);
/* Attempts per item while the server fails (network errors, 5xx, 429).
 * Default 4. */
guint tally_item_fetcher_get_max_attempts (TallyItemFetcher *self);
void  tally_item_fetcher_set_max_attempts (TallyItemFetcher *self,
                                           guint             max_attempts);
/* Milliseconds before the first retry, doubled at each further one and
 * capped at 30 s. Default 500. */
guint tally_item_fetcher_get_retry_delay (TallyItemFetcher *self);
void  tally_item_fetcher_set_retry_delay (TallyItemFetcher *self,
                                          guint             milliseconds);
/* Seconds a connection may stay silent. Default 30. */
guint tally_item_fetcher_get_timeout (TallyItemFetcher *self);
void  tally_item_fetcher_set_timeout (TallyItemFetcher *self,
                                      guint             seconds);
/* Items announced larger are refused before anything is read. Default 256 MiB. */
guint64 tally_item_fetcher_get_max_item_size (TallyItemFetcher *self);
void    tally_item_fetcher_set_max_item_size (TallyItemFetcher *self,
                                              guint64           max_item_size);

/* The item's bytes, from the cache or fetched, always with exactly `size`
 * bytes whose SHA-256 is `sha256`; anything else is an error in
 * TALLY_CORE_ERROR (HASH_MISMATCH, TOO_LARGE, NOT_FOUND, HTTP, NETWORK,
 * TIMED_OUT; INVALID_MANIFEST for an address that is not https, http, file
 * or ipfs://CID/path; INVALID_PROFILE for a gateway that is not http(s)) and
 * nothing is cached. io_priority orders the queue as in GIO
 * (G_PRIORITY_DEFAULT for the item on screen, G_PRIORITY_LOW to prefetch);
 * equal priorities go first come, first served. Two requests for the same
 * item share one download. */
void    tally_item_fetcher_fetch_async (TallyItemFetcher   *self,
                                        const char         *uri,
                                        const guint8        sha256[TALLY_ITEM_SHA256_LEN],
                                        guint64             size,
                                        int                 io_priority,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
GBytes *tally_item_fetcher_fetch_finish (TallyItemFetcher *self,
                                         GAsyncResult     *result,
                                         GError          **error);

/* Fetches the items into the cache at G_PRIORITY_LOW, in their order, so an
 * item fetched meanwhile at G_PRIORITY_DEFAULT goes first. Cancelling
 * `cancellable` drops all that are not yet done. Finishes once every item is
 * done; the error is the first item's that failed (the others still ran). */
void     tally_item_fetcher_prefetch_async (TallyItemFetcher    *self,
                                            const TallyItemSpec *items,
                                            gsize                n_items,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean tally_item_fetcher_prefetch_finish (TallyItemFetcher *self,
                                             GAsyncResult     *result,
                                             GError          **error);

G_END_DECLS
