/* key-signer.h: a TallySigner over a private key held in memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "keys.h"
#include "signer.h"

G_BEGIN_DECLS

#define TALLY_TYPE_KEY_SIGNER (tally_key_signer_get_type ())

G_DECLARE_FINAL_TYPE (TallyKeySigner, tally_key_signer, TALLY, KEY_SIGNER, GObject)

/* Copies the key into wiped, locked memory; the caller wipes its own copy.
 * The key never leaves the object. */
TallyKeySigner *tally_key_signer_new (const guint8 key[TALLY_PRIVATE_KEY_LEN],
                                      GError     **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
