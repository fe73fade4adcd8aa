/* bip32.c: BIP-32 hierarchical deterministic keys (private derivation) and
 * the BIP-44 Ethereum path m/44'/60'/0'/0/i
 *
 * Only private derivation: the wallet always holds the seed, and Ethereum
 * accounts sit under hardened levels anyway. Chain codes are as secret as
 * keys (with a child key they give away every sibling), so they are wiped
 * together.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-wallet"

#include "config.h"

#include <string.h>

#include <nettle/hmac.h>
#include <nettle/ripemd160.h>
#include <nettle/sha2.h>
#include <secp256k1.h>

#include "bip32.h"
#include "error.h"
#include "keys.h"
#include "secret.h"

#define MASTER_HMAC_KEY     "Bitcoin seed"
#define MASTER_HMAC_KEY_LEN 12
#define VERSION_XPRV        0x0488ade4u
#define VERSION_XPUB        0x0488b21eu
#define CHECKSUM_LEN        4
#define BASE58_MAX_LEN      113 /* 82 bytes need at most 112 digits, + NUL */
#define ETHEREUM_PATH_DEPTH 5
#define BURN_STACK_SIZE     16384

static const char base58_alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* nettle keeps running results (PBKDF2's T block, the hash state words) in
 * its own stack frames and never clears them. Called right after it, from
 * the same frame, this overwrites the memory those frames used. Not
 * instrumented by AddressSanitizer, whose redzones would leave the top of
 * the frame unwritten. */
G_GNUC_NO_INLINE __attribute__ ((no_sanitize_address)) static void
burn_stack (void)
{
  guint8 scratch[BURN_STACK_SIZE];

  tally_wipe (scratch, sizeof scratch);
}

void
tally_bip32_key_clear (TallyBip32Key *key)
{
  if (key != NULL)
    tally_wipe (key, sizeof *key);
}

static void
write_be32 (guint8 *out,
            guint32 value)
{
  out[0] = (guint8) (value >> 24);
  out[1] = (guint8) (value >> 16);
  out[2] = (guint8) (value >> 8);
  out[3] = (guint8) value;
}

static gboolean
fill_public_key (TallyBip32Key *key,
                 GError       **error)
{
  const secp256k1_context *ctx = tally_secp256k1_context ();
  secp256k1_pubkey         pubkey;
  size_t                   len = TALLY_BIP32_PUBLIC_KEY_LEN;

  if (!secp256k1_ec_pubkey_create (ctx, &pubkey, key->private_key))
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_KEY,
                           "The derived key is not a valid secp256k1 key");
      return FALSE;
    }
  secp256k1_ec_pubkey_serialize (ctx, key->public_key, &len, &pubkey, SECP256K1_EC_COMPRESSED);
  return TRUE;
}

/* I = HMAC-SHA512(key, data); IL becomes the key, IR the chain code. */
static void
hmac_sha512 (guint8        out[SHA512_DIGEST_SIZE],
             const guint8 *key,
             gsize         key_len,
             const guint8 *data,
             gsize         data_len)
{
  struct hmac_sha512_ctx ctx;

  hmac_sha512_set_key (&ctx, key_len, key);
  hmac_sha512_update (&ctx, data_len, data);
  hmac_sha512_digest (&ctx, SHA512_DIGEST_SIZE, out);
  tally_wipe (&ctx, sizeof ctx);
  burn_stack ();
}

gboolean
tally_bip32_master_from_seed (TallyBip32Key *key,
                              const guint8  *seed,
                              gsize          seed_len,
                              GError       **error)
{
  guint8   digest[SHA512_DIGEST_SIZE];
  gboolean ok;

  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (seed != NULL || seed_len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  tally_bip32_key_clear (key);

  if (seed_len < TALLY_BIP32_MIN_SEED_LEN || seed_len > TALLY_BIP32_MAX_SEED_LEN)
    {
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_LENGTH,
                   "A BIP-32 seed is 16 to 64 bytes, not %" G_GSIZE_FORMAT, seed_len);
      return FALSE;
    }

  hmac_sha512 (digest, (const guint8 *) MASTER_HMAC_KEY, MASTER_HMAC_KEY_LEN, seed, seed_len);
  memcpy (key->private_key, digest, TALLY_BIP32_KEY_LEN);
  memcpy (key->chain_code, digest + TALLY_BIP32_KEY_LEN, TALLY_BIP32_CHAIN_CODE_LEN);
  tally_wipe (digest, sizeof digest);

  /* IL of zero or >= n: the seed cannot be used (probability ~2^-127). */
  ok = secp256k1_ec_seckey_verify (tally_secp256k1_context (), key->private_key) &&
       fill_public_key (key, NULL);
  if (!ok)
    {
      tally_bip32_key_clear (key);
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_KEY,
                           "This seed gives no valid BIP-32 master key");
    }
  return ok;
}

static void
fingerprint (guint8       out[TALLY_BIP32_FINGERPRINT_LEN],
             const guint8 public_key[TALLY_BIP32_PUBLIC_KEY_LEN])
{
  struct sha256_ctx    sha;
  struct ripemd160_ctx ripemd;
  guint8               sha_digest[SHA256_DIGEST_SIZE];

  sha256_init (&sha);
  sha256_update (&sha, TALLY_BIP32_PUBLIC_KEY_LEN, public_key);
  sha256_digest (&sha, sizeof sha_digest, sha_digest);
  ripemd160_init (&ripemd);
  ripemd160_update (&ripemd, sizeof sha_digest, sha_digest);
  ripemd160_digest (&ripemd, TALLY_BIP32_FINGERPRINT_LEN, out);
}

gboolean
tally_bip32_derive_child (TallyBip32Key       *child,
                          const TallyBip32Key *parent,
                          guint32              index,
                          GError             **error)
{
  guint8        data[1 + TALLY_BIP32_KEY_LEN + 4];
  guint8        digest[SHA512_DIGEST_SIZE];
  TallyBip32Key next;
  gboolean      ok;

  g_return_val_if_fail (child != NULL, FALSE);
  g_return_val_if_fail (parent != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (parent->depth == TALLY_BIP32_MAX_DEPTH)
    {
      tally_bip32_key_clear (child);
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_LENGTH,
                           "A BIP-32 path has at most 255 levels");
      return FALSE;
    }

  /* Hardened: 0x00 ‖ k_par ‖ i; normal: serP(K_par) ‖ i. Both are 37 bytes. */
  if (index >= TALLY_BIP32_HARDENED)
    {
      data[0] = 0;
      memcpy (data + 1, parent->private_key, TALLY_BIP32_KEY_LEN);
    }
  else
    {
      memcpy (data, parent->public_key, TALLY_BIP32_PUBLIC_KEY_LEN);
    }
  write_be32 (data + 1 + TALLY_BIP32_KEY_LEN, index);
  hmac_sha512 (digest, parent->chain_code, TALLY_BIP32_CHAIN_CODE_LEN, data, sizeof data);
  tally_wipe (data, sizeof data);

  /* Built in a local, so child may alias parent and a failure leaves no
   * half-derived key behind. */
  memcpy (next.private_key, parent->private_key, TALLY_BIP32_KEY_LEN);
  memcpy (next.chain_code, digest + TALLY_BIP32_KEY_LEN, TALLY_BIP32_CHAIN_CODE_LEN);
  fingerprint (next.parent_fingerprint, parent->public_key);
  next.child_number = index;
  next.depth = parent->depth + 1;

  /* Fails when IL >= n or the sum is zero: BIP-32 says to skip to the next
   * index, which is the caller's decision (probability ~2^-127). */
  ok = secp256k1_ec_seckey_tweak_add (tally_secp256k1_context (), next.private_key, digest) &&
       fill_public_key (&next, NULL);
  tally_wipe (digest, sizeof digest);

  if (ok)
    memcpy (child, &next, sizeof next);
  else
    {
      tally_bip32_key_clear (child);
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_KEY,
                   "BIP-32 child %u has no valid key; use the next index", index);
    }
  tally_bip32_key_clear (&next);
  /* libsecp256k1 0.2.0 clears its scalars with plain stores, which the
   * compiler may drop. */
  burn_stack ();
  return ok;
}

gboolean
tally_bip32_parse_path (guint32    *indices,
                        gsize       indices_len,
                        gsize      *n_indices,
                        const char *path,
                        GError    **error)
{
  const char *p;
  gsize       n = 0;

  g_return_val_if_fail (indices != NULL || indices_len == 0, FALSE);
  g_return_val_if_fail (n_indices != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *n_indices = 0;
  if (indices_len > 0)
    memset (indices, 0, indices_len * sizeof *indices);

  if (path[0] != 'm' || (path[1] != '\0' && path[1] != '/'))
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                           "A derivation path starts with “m/”, as in m/44'/60'/0'/0/0");
      return FALSE;
    }

  for (p = path + 1; *p != '\0';)
    {
      guint64 value = 0;
      guint   digits = 0;

      p++; /* the '/' */
      if (*p == '0' && g_ascii_isdigit (p[1]))
        goto bad_component;
      while (g_ascii_isdigit (*p))
        {
          value = value * 10 + (guint64) (*p - '0');
          digits++;
          p++;
          if (value >= TALLY_BIP32_HARDENED)
            {
              g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                           "Level %" G_GSIZE_FORMAT " of the derivation path is above 2^31 − 1",
                           n + 1);
              goto fail;
            }
        }
      if (digits == 0)
        goto bad_component;
      if (*p == '\'' || *p == 'h' || *p == 'H')
        {
          value |= TALLY_BIP32_HARDENED;
          p++;
        }
      if (*p != '\0' && *p != '/')
        goto bad_component;
      if (n >= indices_len)
        {
          g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_LENGTH,
                       "The derivation path has more than %" G_GSIZE_FORMAT " levels", indices_len);
          goto fail;
        }
      indices[n++] = (guint32) value;
    }

  *n_indices = n;
  return TRUE;

bad_component:
  g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
               "Level %" G_GSIZE_FORMAT " of the derivation path is not a number "
               "(optionally followed by ' or h)",
               n + 1);
fail:
  if (indices_len > 0)
    memset (indices, 0, indices_len * sizeof *indices);
  return FALSE;
}

gboolean
tally_bip32_derive_path (TallyBip32Key       *key,
                         const TallyBip32Key *root,
                         const char          *path,
                         GError             **error)
{
  guint32 indices[TALLY_BIP32_MAX_DEPTH];
  gsize   n = 0;

  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (root != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!tally_bip32_parse_path (indices, G_N_ELEMENTS (indices), &n, path, error))
    {
      tally_bip32_key_clear (key);
      return FALSE;
    }
  if (root->depth + n > TALLY_BIP32_MAX_DEPTH)
    {
      tally_bip32_key_clear (key);
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_LENGTH,
                           "A BIP-32 path has at most 255 levels");
      return FALSE;
    }

  if (key != root)
    memcpy (key, root, sizeof *key);
  for (gsize i = 0; i < n; i++)
    if (!tally_bip32_derive_child (key, key, indices[i], error))
      return FALSE;

  return TRUE;
}

static void
double_sha256 (guint8        out[SHA256_DIGEST_SIZE],
               const guint8 *data,
               gsize         len)
{
  struct sha256_ctx ctx;
  guint8            first[SHA256_DIGEST_SIZE];

  sha256_init (&ctx);
  sha256_update (&ctx, len, data);
  sha256_digest (&ctx, sizeof first, first);
  sha256_update (&ctx, sizeof first, first);
  sha256_digest (&ctx, SHA256_DIGEST_SIZE, out);
  tally_wipe (&ctx, sizeof ctx);
  tally_wipe (first, sizeof first);
}

/* Base58Check of 78 bytes into out (BASE58_MAX_LEN bytes). The payload may be
 * an xprv, so every scratch buffer is wiped. */
static void
base58check (char         out[BASE58_MAX_LEN],
             const guint8 payload[TALLY_BIP32_SERIALIZED_LEN])
{
  guint8 buf[TALLY_BIP32_SERIALIZED_LEN + CHECKSUM_LEN];
  guint8 digest[SHA256_DIGEST_SIZE];
  guint8 digits[BASE58_MAX_LEN];
  gsize  n_digits = 0;
  gsize  zeros = 0;
  gsize  o = 0;

  memcpy (buf, payload, TALLY_BIP32_SERIALIZED_LEN);
  double_sha256 (digest, payload, TALLY_BIP32_SERIALIZED_LEN);
  memcpy (buf + TALLY_BIP32_SERIALIZED_LEN, digest, CHECKSUM_LEN);

  while (zeros < sizeof buf && buf[zeros] == 0)
    zeros++;

  /* Schoolbook base conversion: digits holds the number little-endian in
   * base 58, multiplied by 256 and added to for each input byte. */
  for (gsize i = zeros; i < sizeof buf; i++)
    {
      guint carry = buf[i];

      for (gsize j = 0; j < n_digits; j++)
        {
          carry += (guint) digits[j] << 8;
          digits[j] = (guint8) (carry % 58);
          carry /= 58;
        }
      while (carry > 0)
        {
          digits[n_digits++] = (guint8) (carry % 58);
          carry /= 58;
        }
    }

  for (gsize i = 0; i < zeros; i++)
    out[o++] = '1';
  for (gsize i = n_digits; i > 0; i--)
    out[o++] = base58_alphabet[digits[i - 1]];
  out[o] = '\0';

  tally_wipe (buf, sizeof buf);
  tally_wipe (digest, sizeof digest);
  tally_wipe (digits, sizeof digits);
}

static void
serialize (guint8               out[TALLY_BIP32_SERIALIZED_LEN],
           const TallyBip32Key *key,
           gboolean private)
{
  write_be32 (out, private ? VERSION_XPRV : VERSION_XPUB);
  out[4] = key->depth;
  memcpy (out + 5, key->parent_fingerprint, TALLY_BIP32_FINGERPRINT_LEN);
  write_be32 (out + 9, key->child_number);
  memcpy (out + 13, key->chain_code, TALLY_BIP32_CHAIN_CODE_LEN);
  if (private)
    {
      out[45] = 0;
      memcpy (out + 46, key->private_key, TALLY_BIP32_KEY_LEN);
    }
  else
    memcpy (out + 45, key->public_key, TALLY_BIP32_PUBLIC_KEY_LEN);
}

TallySecret *
tally_bip32_serialize_private (const TallyBip32Key *key)
{
  guint8       payload[TALLY_BIP32_SERIALIZED_LEN];
  char         text[BASE58_MAX_LEN];
  TallySecret *secret;

  g_return_val_if_fail (key != NULL, NULL);

  serialize (payload, key, TRUE);
  base58check (text, payload);
  secret = tally_secret_new_from_data ((const guint8 *) text, strlen (text) + 1);
  tally_wipe (payload, sizeof payload);
  tally_wipe (text, sizeof text);
  return secret;
}

char *
tally_bip32_serialize_public (const TallyBip32Key *key)
{
  guint8 payload[TALLY_BIP32_SERIALIZED_LEN];
  char   text[BASE58_MAX_LEN];

  g_return_val_if_fail (key != NULL, NULL);

  serialize (payload, key, FALSE);
  base58check (text, payload);
  /* The chain code is in an xpub too: not a key, but it unlocks the
   * non-hardened children's public keys. */
  tally_wipe (payload, sizeof payload);
  return g_strdup (text);
}

/* Not inlined, so its frame lies below the caller's burn_stack (): with
 * sanitizers the compiler has been seen to leave part of the key in it. */
G_GNUC_NO_INLINE static gboolean
derive_ethereum_key (guint8        key_out[TALLY_BIP32_KEY_LEN],
                     const guint8 *seed,
                     gsize         seed_len,
                     guint32       index,
                     GError      **error)
{
  static const guint32 prefix[ETHEREUM_PATH_DEPTH - 1] = {
    44 | TALLY_BIP32_HARDENED,
    60 | TALLY_BIP32_HARDENED,
    0 | TALLY_BIP32_HARDENED,
    0,
  };
  g_auto (TallyBip32Key) key = { 0 };

  if (!tally_bip32_master_from_seed (&key, seed, seed_len, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (prefix); i++)
    if (!tally_bip32_derive_child (&key, &key, prefix[i], error))
      return FALSE;
  if (!tally_bip32_derive_child (&key, &key, index, error))
    return FALSE;

  memcpy (key_out, key.private_key, TALLY_BIP32_KEY_LEN);
  return TRUE;
}

gboolean
tally_bip32_derive_ethereum_key (guint8        key_out[TALLY_BIP32_KEY_LEN],
                                 const guint8 *seed,
                                 gsize         seed_len,
                                 guint32       index,
                                 GError      **error)
{
  gboolean ok;

  g_return_val_if_fail (key_out != NULL, FALSE);
  g_return_val_if_fail (seed != NULL || seed_len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (key_out, 0, TALLY_BIP32_KEY_LEN);

  if (index >= TALLY_BIP32_HARDENED)
    {
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_LENGTH,
                   "Account index %u is above 2^31 − 1", index);
      return FALSE;
    }

  ok = derive_ethereum_key (key_out, seed, seed_len, index, error);
  burn_stack ();
  return ok;
}
