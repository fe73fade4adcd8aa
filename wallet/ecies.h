/* ecies.h: sealing bytes to a secp256k1 public key (ECIES)
 *
 * The format is the default one of the npm package eciesjs 0.5.0, so a
 * requester's tools in JavaScript and Tally open each other's messages:
 * ephemeral public key (65, uncompressed) ‖ nonce (16) ‖ GCM tag (16) ‖
 * ciphertext, with AES-256-GCM under HKDF-SHA256 (no salt, no info) of the
 * ephemeral public key ‖ the uncompressed shared point.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "keys.h"

G_BEGIN_DECLS

#define TALLY_ECIES_EPHEMERAL_KEY_LEN 65 /* 0x04 ‖ x ‖ y */
#define TALLY_ECIES_NONCE_LEN         16
#define TALLY_ECIES_TAG_LEN           16
#define TALLY_ECIES_OVERHEAD          97 /* ephemeral public key (65) ‖ nonce (16) ‖ tag (16) */

/* sealed: plaintext_len + TALLY_ECIES_OVERHEAD bytes. public_key: x ‖ y
 * (TALLY_PUBLIC_KEY_LEN = 64). TALLY_WALLET_ERROR_INVALID_KEY when the
 * public key is not a point of the curve. The buffers must not overlap. */
gboolean tally_ecies_seal (guint8       *sealed,
                           const guint8  public_key[TALLY_PUBLIC_KEY_LEN],
                           const guint8 *plaintext,
                           gsize         plaintext_len,
                           GError      **error) G_GNUC_WARN_UNUSED_RESULT;

/* plaintext: sealed_len - TALLY_ECIES_OVERHEAD bytes; wiped on failure.
 * TALLY_WALLET_ERROR_DECRYPT when the tag does not verify (sealed to another
 * key, or altered); _INVALID_LENGTH for an input shorter than the overhead;
 * _MALFORMED for an ephemeral key that is not an uncompressed (0x04) point
 * of the curve; _INVALID_KEY for a private key out of range. */
gboolean tally_ecies_open (guint8       *plaintext,
                           const guint8  private_key[TALLY_PRIVATE_KEY_LEN],
                           const guint8 *sealed,
                           gsize         sealed_len,
                           GError      **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
