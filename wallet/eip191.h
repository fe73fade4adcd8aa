/* eip191.h: signing plain messages as Ethereum wallets do (EIP-191 version
 * 0x45, "personal_sign")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "keys.h"

G_BEGIN_DECLS

/* The prefix keeps a signed message from ever being a valid transaction. */
#define TALLY_EIP191_PREFIX "\x19" \
                            "Ethereum Signed Message:\n"

/* personal_sign writes the recovery byte as 27 + recovery id. */
#define TALLY_EIP191_RECOVERY_OFFSET 27

/* keccak256 (prefix ‖ decimal length of message ‖ message) */
void tally_eip191_hash_message (guint8        digest[TALLY_DIGEST_LEN],
                                const guint8 *message,
                                gsize         message_len);

/* The signature's last byte is 27 or 28, as personal_sign returns it. */
gboolean tally_eip191_sign_message (guint8        signature[TALLY_SIGNATURE_LEN],
                                    const guint8  key[TALLY_PRIVATE_KEY_LEN],
                                    const guint8 *message,
                                    gsize         message_len,
                                    GError      **error) G_GNUC_WARN_UNUSED_RESULT;

/* Accepts a recovery byte of 0/1 or 27/28. */
gboolean tally_eip191_recover_address (TallyAddress *address,
                                       const guint8  signature[TALLY_SIGNATURE_LEN],
                                       const guint8 *message,
                                       gsize         message_len,
                                       GError      **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
