/* item-cipher.h: sealing and opening one item of a private dataset with its
 * task key (AES-256-GCM, docs/manifest.md "Encrypted items")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TALLY_TASK_KEY_LEN          32
#define TALLY_ITEM_CIPHER_NONCE_LEN 12
#define TALLY_ITEM_CIPHER_TAG_LEN   16
#define TALLY_ITEM_CIPHER_OVERHEAD  28 /* nonce (12) ‖ … ‖ tag (16) */

/* nonce ‖ ciphertext ‖ tag, with a fresh random nonce and the item's id as
 * associated data, so a file swapped for another item's does not open. */
GBytes *tally_item_cipher_seal (const guint8 key[TALLY_TASK_KEY_LEN],
                                const char  *item_id,
                                GBytes      *plaintext,
                                GError     **error);

/* The plaintext, in memory only (wiped when freed); TALLY_CORE_ERROR_WRONG_KEY
 * when the tag does not verify, and when the input is too short to hold a
 * nonce and a tag (the message says it is truncated). */
GBytes *tally_item_cipher_open (const guint8 key[TALLY_TASK_KEY_LEN],
                                const char  *item_id,
                                GBytes      *ciphertext,
                                GError     **error);

/* The same in a worker thread: a large image takes a while to decrypt,
 * and the main loop must not wait on it. The key is copied (and wiped
 * after) before this returns. */
void    tally_item_cipher_open_async (const guint8        key[TALLY_TASK_KEY_LEN],
                                      const char         *item_id,
                                      GBytes             *ciphertext,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
GBytes *tally_item_cipher_open_finish (GAsyncResult *result,
                                       GError      **error);

G_END_DECLS
