/* eip191.c: signing plain messages as Ethereum wallets do (EIP-191 version
 * 0x45, "personal_sign")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-wallet"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "eip191.h"
#include "keccak.h"

void
tally_eip191_hash_message (guint8        digest[TALLY_DIGEST_LEN],
                           const guint8 *message,
                           gsize         message_len)
{
  TallyKeccak256 ctx;
  char           len_text[G_N_ELEMENTS ("18446744073709551615")];
  int            len_text_len;

  g_return_if_fail (digest != NULL);
  g_return_if_fail (message != NULL || message_len == 0);

  len_text_len = snprintf (len_text, sizeof len_text, "%" G_GSIZE_FORMAT, message_len);
  g_assert (len_text_len > 0 && (gsize) len_text_len < sizeof len_text);

  tally_keccak256_init (&ctx);
  tally_keccak256_update (&ctx, (const guint8 *) TALLY_EIP191_PREFIX,
                          strlen (TALLY_EIP191_PREFIX));
  tally_keccak256_update (&ctx, (const guint8 *) len_text, (gsize) len_text_len);
  tally_keccak256_update (&ctx, message, message_len);
  tally_keccak256_final (&ctx, digest);
}

gboolean
tally_eip191_sign_message (guint8        signature[TALLY_SIGNATURE_LEN],
                           const guint8  key[TALLY_PRIVATE_KEY_LEN],
                           const guint8 *message,
                           gsize         message_len,
                           GError      **error)
{
  guint8 digest[TALLY_DIGEST_LEN];

  g_return_val_if_fail (signature != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (message != NULL || message_len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  tally_eip191_hash_message (digest, message, message_len);
  if (!tally_sign_digest (signature, key, digest, error))
    return FALSE;
  signature[TALLY_SIGNATURE_LEN - 1] += TALLY_EIP191_RECOVERY_OFFSET;

  return TRUE;
}

gboolean
tally_eip191_recover_address (TallyAddress *address,
                              const guint8  signature[TALLY_SIGNATURE_LEN],
                              const guint8 *message,
                              gsize         message_len,
                              GError      **error)
{
  guint8 digest[TALLY_DIGEST_LEN];

  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (signature != NULL, FALSE);
  g_return_val_if_fail (message != NULL || message_len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  tally_eip191_hash_message (digest, message, message_len);

  return tally_recover_address (address, signature, digest, error);
}
