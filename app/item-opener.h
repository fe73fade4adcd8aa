/* item-opener.h: a private task's items, decrypted in memory for the
 * annotator's view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "item-cipher.h"
#include "item-fetcher.h"

G_BEGIN_DECLS

#define TALLY_TYPE_ITEM_OPENER (tally_item_opener_get_type ())

G_DECLARE_FINAL_TYPE (TallyItemOpener, tally_item_opener, TALLY, ITEM_OPENER, GObject)

/* task_key: the task's key, already checked against the manifest's key
 * hash (a wrong key would make every cached item look damaged). It is
 * copied, and wiped when the opener is finalized. */
TallyItemOpener *tally_item_opener_new (TallyItemFetcher *fetcher,
                                        const guint8      task_key[TALLY_TASK_KEY_LEN]);

TallyItemFetcher *tally_item_opener_get_fetcher (TallyItemOpener *self);

/* The plaintext of one item, in memory only (wiped when freed). From the
 * cache, the item's authentication tag is its check: it covers the same
 * bytes as the manifest's SHA-256, under a key only the seated hold, so
 * the item is read and decrypted once and never hashed again. Otherwise it
 * is fetched, checked against sha256 and size, cached as ciphertext and
 * then decrypted. TALLY_CORE_ERROR_WRONG_KEY when it does not open. */
void    tally_item_opener_open_async (TallyItemOpener    *self,
                                      const char         *item_id,
                                      const char         *uri,
                                      const guint8        sha256[TALLY_ITEM_SHA256_LEN],
                                      guint64             size,
                                      int                 io_priority,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
GBytes *tally_item_opener_open_finish (TallyItemOpener *self,
                                       GAsyncResult    *result,
                                       GError         **error);

G_END_DECLS
