/* store-private.h: what the store's other files share with store.c
 *
 * The store's tables are spread over a few files (store.c: submissions,
 * annotations, accounts; store-*.c the rest), one connection for all:
 * every use of it holds the store's lock, because writes run on worker
 * threads while the main loop reads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "store.h"

G_BEGIN_DECLS

/* Takes the store's lock and returns its connection; every call is
 * paired with _tally_store_unlock() on the same thread. */
sqlite3 *_tally_store_lock (TallyStore *self);
void     _tally_store_unlock (TallyStore *self);

/* A TALLY_CORE_ERROR_STORAGE error naming the file and SQLite's reason
 * for the last failure on the connection; always FALSE. Call it with the
 * lock held. */
gboolean _tally_store_fail (TallyStore *self,
                            const char *doing,
                            GError    **error);

G_END_DECLS
