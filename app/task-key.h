/* task-key.h: the requester's task keys of private datasets, kept in the OS
 * keyring under the requester's account and the key's hash
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "item-cipher.h"
#include "wallet/keys.h"

G_BEGIN_DECLS

#define TALLY_TASK_KEY_SCHEMA_NAME "io.github.tally.Tally.TaskKey"

/* A fresh key from the system's secure randomness. */
gboolean tally_task_key_generate (guint8   key[TALLY_TASK_KEY_LEN],
                                  GError **error);

/* keccak256(key): what a manifest of schema 2 names as its key_hash. */
void tally_task_key_hash (guint8       key_hash[32],
                          const guint8 key[TALLY_TASK_KEY_LEN]);

/* Stores (or replaces) the key; key_hash must be its hash. */
gboolean tally_task_key_store_sync (const TallyAddress *requester,
                                    const guint8        key_hash[32],
                                    const guint8        key[TALLY_TASK_KEY_LEN],
                                    GCancellable       *cancellable,
                                    GError            **error);

/* TALLY_CORE_ERROR_NOT_FOUND when the keyring holds no such key; the key is
 * checked against key_hash before it is returned (TALLY_CORE_ERROR_WRONG_KEY).
 * key is zeroed on failure. */
gboolean tally_task_key_lookup_sync (const TallyAddress *requester,
                                     const guint8        key_hash[32],
                                     guint8              key[TALLY_TASK_KEY_LEN],
                                     GCancellable       *cancellable,
                                     GError            **error);

G_END_DECLS
