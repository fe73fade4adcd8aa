/* item-cache.h: task items on disk, content-addressed by their SHA-256
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TALLY_ITEM_SHA256_LEN 32

#define TALLY_TYPE_ITEM_CACHE (tally_item_cache_get_type ())

G_DECLARE_FINAL_TYPE (TallyItemCache, tally_item_cache, TALLY, ITEM_CACHE, GObject)

/* directory: created on first use; the app passes $XDG_CACHE_HOME/tally/items.
 * max_size: the budget in bytes (0: no limit). */
TallyItemCache *tally_item_cache_new (const char *directory,
                                      guint64     max_size);

const char *tally_item_cache_get_directory (TallyItemCache *self);
/* Over budget, the entries used least recently (by file mtime, which every
 * hit refreshes) are deleted by the next store. */
guint64 tally_item_cache_get_max_size (TallyItemCache *self);
void    tally_item_cache_set_max_size (TallyItemCache *self,
                                       guint64         max_size);

/* Where the item with this hash lives once stored: DIR/ab/abcd….bin */
char *tally_item_cache_get_path (TallyItemCache *self,
                                 const guint8    sha256[TALLY_ITEM_SHA256_LEN]);

/* The item's bytes once their size and SHA-256 are checked again, or NULL
 * without an error on a miss. An entry that fails the check is deleted and
 * reported as a miss, so it is fetched again. */
void    tally_item_cache_lookup_async (TallyItemCache     *self,
                                       const guint8        sha256[TALLY_ITEM_SHA256_LEN],
                                       guint64             size,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data);
GBytes *tally_item_cache_lookup_finish (TallyItemCache *self,
                                        GAsyncResult   *result,
                                        GError        **error);
GBytes *tally_item_cache_lookup_sync (TallyItemCache *self,
                                      const guint8    sha256[TALLY_ITEM_SHA256_LEN],
                                      guint64         size,
                                      GCancellable   *cancellable,
                                      GError        **error);

/* Decides whether bytes read from the cache are genuine, in the lookup's
 * worker thread. */
typedef gboolean (*TallyItemCacheCheck) (GBytes  *bytes,
                                         gpointer check_data);

/* A lookup that runs the caller's check instead of hashing the bytes again,
 * for bytes with a check of their own that proves at least as much (a
 * private item's authentication tag). An entry that fails it is deleted
 * and reported as a miss, like one whose SHA-256 is wrong. */
GBytes *tally_item_cache_lookup_checked_sync (TallyItemCache     *self,
                                              const guint8        sha256[TALLY_ITEM_SHA256_LEN],
                                              guint64             size,
                                              TallyItemCacheCheck check,
                                              gpointer            check_data,
                                              GCancellable       *cancellable,
                                              GError            **error);

/* Writes the bytes to a temporary file in the directory, syncs it and
 * renames it to its final name, so a crash never leaves part of an item
 * under that name. Bytes whose SHA-256 is not sha256 are refused with
 * TALLY_CORE_ERROR_HASH_MISMATCH. */
void     tally_item_cache_store_async (TallyItemCache     *self,
                                       const guint8        sha256[TALLY_ITEM_SHA256_LEN],
                                       GBytes             *bytes,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data);
gboolean tally_item_cache_store_finish (TallyItemCache *self,
                                        GAsyncResult   *result,
                                        GError        **error);
gboolean tally_item_cache_store_sync (TallyItemCache *self,
                                      const guint8    sha256[TALLY_ITEM_SHA256_LEN],
                                      GBytes         *bytes,
                                      GCancellable   *cancellable,
                                      GError        **error);

/* Bytes held by the entries known so far: the first lookup or store reads
 * the directory; until then this is 0. */
guint64 tally_item_cache_get_total_size (TallyItemCache *self);

char *tally_item_sha256_to_hex (const guint8 sha256[TALLY_ITEM_SHA256_LEN]);

G_END_DECLS
