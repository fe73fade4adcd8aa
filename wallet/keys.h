/* keys.h: secp256k1 keys, Ethereum addresses (EIP-55), signing and recovery
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <secp256k1.h>

G_BEGIN_DECLS

#define TALLY_PRIVATE_KEY_LEN     32
#define TALLY_PUBLIC_KEY_LEN      64 /* x ‖ y, without the 0x04 prefix */
#define TALLY_ADDRESS_LEN         20
#define TALLY_ADDRESS_STRING_SIZE 43 /* "0x" + 40 digits + NUL */
#define TALLY_DIGEST_LEN          32
#define TALLY_SIGNATURE_LEN       65 /* r ‖ s ‖ recovery id (0 or 1) */

typedef struct
{
  guint8 bytes[TALLY_ADDRESS_LEN];
} TallyAddress;

/* One context for the process, created and randomized on first use. */
const secp256k1_context *tally_secp256k1_context (void);

gboolean tally_private_key_generate (guint8   key[TALLY_PRIVATE_KEY_LEN],
                                     GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_private_key_verify (const guint8 key[TALLY_PRIVATE_KEY_LEN],
                                   GError     **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_public_key_from_private (guint8       public_key[TALLY_PUBLIC_KEY_LEN],
                                        const guint8 key[TALLY_PRIVATE_KEY_LEN],
                                        GError     **error) G_GNUC_WARN_UNUSED_RESULT;

void     tally_address_from_public_key (TallyAddress *address,
                                        const guint8  public_key[TALLY_PUBLIC_KEY_LEN]);
gboolean tally_address_from_private_key (TallyAddress *address,
                                         const guint8  key[TALLY_PRIVATE_KEY_LEN],
                                         GError      **error) G_GNUC_WARN_UNUSED_RESULT;

/* EIP-55 mixed-case checksum encoding, "0x"-prefixed. */
void tally_address_to_string (const TallyAddress *address,
                              char                out[TALLY_ADDRESS_STRING_SIZE]);
/* Accepts all-lowercase, all-uppercase or a valid EIP-55 checksum; rejects a
 * mixed-case address whose checksum is wrong (a typo). The "0x" prefix is
 * optional; surrounding white space is refused (trim it first). */
gboolean tally_address_parse (TallyAddress *address,
                              const char   *text,
                              GError      **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_address_equal (const TallyAddress *a,
                              const TallyAddress *b);

/* RFC 6979 deterministic, low-s signature of a 32-byte digest. */
gboolean tally_sign_digest (guint8       signature[TALLY_SIGNATURE_LEN],
                            const guint8 key[TALLY_PRIVATE_KEY_LEN],
                            const guint8 digest[TALLY_DIGEST_LEN],
                            GError     **error) G_GNUC_WARN_UNUSED_RESULT;
/* The last byte of the signature may be 0/1 or 27/28. High-s signatures are
 * refused (EIP-2). */
gboolean tally_recover_address (TallyAddress *address,
                                const guint8  signature[TALLY_SIGNATURE_LEN],
                                const guint8  digest[TALLY_DIGEST_LEN],
                                GError      **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
