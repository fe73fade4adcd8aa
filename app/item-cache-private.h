/* item-cache-private.h: TallyItemCache's instance, shared by item-cache.c
 * (lookup, store, the object) and item-cache-index.c (the index of sizes and
 * times, and eviction)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sys/stat.h>

#include "item-cache.h"

G_BEGIN_DECLS

/* Temporary files are written in DIR itself, named with this prefix. */
#define TALLY_ITEM_CACHE_TEMP_PREFIX ".tmp-item-"

struct _TallyItemCache
{
  GObject parent_instance;

  char   *directory;
  guint64 max_size;

  /* Shared with the worker threads, under lock. */
  GMutex      lock;
  GHashTable *index; /* hex → Entry */
  guint64     total;
  gboolean    loaded;
};

/* The index functions are called with self->lock held. */
gint64   _tally_item_cache_stat_mtime_us (const struct stat *st);
void     _tally_item_cache_index_put (TallyItemCache *self,
                                      const char     *hex,
                                      guint64         size,
                                      gint64          used);
void     _tally_item_cache_index_forget (TallyItemCache *self,
                                         const char     *hex);
gboolean _tally_item_cache_ensure_loaded (TallyItemCache *self,
                                          GError        **error);
void     _tally_item_cache_evict (TallyItemCache *self,
                                  const char     *keep);

G_END_DECLS
