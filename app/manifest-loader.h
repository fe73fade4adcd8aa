/* manifest-loader.h: a task's manifest fetched from its URI and checked
 * against the hash the chain holds
 *
 * https and http through libsoup, file:// from disk, ipfs://CID/path
 * through a gateway. At most TALLY_MANIFEST_MAX_SIZE bytes are read: a
 * larger Content-Length or file is refused before reading, a longer body
 * as soon as it runs past. The bytes then go to tally_manifest_new_from_bytes()
 * with the on-chain keccak-256, so a manifest that is not the one the task
 * committed to never reaches the annotator.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "manifest.h"

G_BEGIN_DECLS

/* expected_keccak: 32 bytes, or NULL to skip the check (a requester's own
 * file before creating the task). ipfs_gateway NULL: the default,
 * TALLY_ITEM_FETCHER_DEFAULT_GATEWAY. Errors: TALLY_CORE_ERROR_NETWORK,
 * _HTTP, _NOT_FOUND, _TOO_LARGE, _HASH_MISMATCH, _INVALID_MANIFEST, or a
 * GIOError for a local file. */
void           tally_manifest_load_async (const char         *uri,
                                          const guint8       *expected_keccak,
                                          const char         *ipfs_gateway,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
TallyManifest *tally_manifest_load_finish (GAsyncResult *result,
                                           GError      **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
