/* bip32.h: BIP-32 hierarchical deterministic keys (private derivation) and
 * the BIP-44 Ethereum path m/44'/60'/0'/0/i
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "wallet/secret.h"

G_BEGIN_DECLS

#define TALLY_BIP32_KEY_LEN         32
#define TALLY_BIP32_CHAIN_CODE_LEN  32
#define TALLY_BIP32_PUBLIC_KEY_LEN  33 /* compressed */
#define TALLY_BIP32_FINGERPRINT_LEN 4
#define TALLY_BIP32_HARDENED        0x80000000u
#define TALLY_BIP32_MIN_SEED_LEN    16
#define TALLY_BIP32_MAX_SEED_LEN    64
#define TALLY_BIP32_MAX_DEPTH       255
#define TALLY_BIP32_SERIALIZED_LEN  78 /* before Base58Check */

/* An extended private key. Holds secrets: declare it with
 * g_auto (TallyBip32Key) so it is wiped on every return path. */
typedef struct
{
  guint8  private_key[TALLY_BIP32_KEY_LEN];
  guint8  chain_code[TALLY_BIP32_CHAIN_CODE_LEN];
  guint8  public_key[TALLY_BIP32_PUBLIC_KEY_LEN];
  guint8  parent_fingerprint[TALLY_BIP32_FINGERPRINT_LEN];
  guint32 child_number;
  guint8  depth;
} TallyBip32Key;

void tally_bip32_key_clear (TallyBip32Key *key);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TallyBip32Key, tally_bip32_key_clear)

gboolean tally_bip32_master_from_seed (TallyBip32Key *key,
                                       const guint8  *seed,
                                       gsize          seed_len,
                                       GError       **error) G_GNUC_WARN_UNUSED_RESULT;
/* CKDpriv; index >= TALLY_BIP32_HARDENED is a hardened child. */
gboolean tally_bip32_derive_child (TallyBip32Key       *child,
                                   const TallyBip32Key *parent,
                                   guint32              index,
                                   GError             **error) G_GNUC_WARN_UNUSED_RESULT;

/* "m", "m/0", "m/44'/60'/0'/0/3" ("h" or "H" also mark hardened). Strict: no
 * empty or signed components, no leading zeros, indices below 2^31. */
gboolean tally_bip32_parse_path (guint32    *indices,
                                 gsize       indices_len,
                                 gsize      *n_indices,
                                 const char *path,
                                 GError    **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_bip32_derive_path (TallyBip32Key       *key,
                                  const TallyBip32Key *root,
                                  const char          *path,
                                  GError             **error) G_GNUC_WARN_UNUSED_RESULT;

/* Base58Check "xprv…" (mainnet version bytes) in a secret, NUL included in
 * len, and "xpub…" as plain text. */
TallySecret *tally_bip32_serialize_private (const TallyBip32Key *key) G_GNUC_WARN_UNUSED_RESULT;
char        *tally_bip32_serialize_public (const TallyBip32Key *key) G_GNUC_WARN_UNUSED_RESULT;

/* The private key of account index of the standard Ethereum path
 * m/44'/60'/0'/0/index, as MetaMask, Ledger and cast derive it. */
gboolean tally_bip32_derive_ethereum_key (guint8        key_out[TALLY_BIP32_KEY_LEN],
                                          const guint8 *seed,
                                          gsize         seed_len,
                                          guint32       index,
                                          GError      **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
