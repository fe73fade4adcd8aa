/* ecies.c: sealing bytes to a secp256k1 public key (ECIES)
 *
 * The layout and the key derivation follow eciesjs 0.5.0's default
 * configuration byte for byte (tests/test-ecies.c checks against the real
 * package): the ECDH shared point enters HKDF uncompressed, x and y, after
 * the ephemeral public key, and the nonce is 16 bytes, not GCM's usual 12.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-wallet"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <gio/gio.h>
#include <nettle/gcm.h>
#include <nettle/hkdf.h>
#include <nettle/hmac.h>
#include <secp256k1_ecdh.h>

#include "ecies.h"
#include "error.h"
#include "secret.h"

#define SHARED_POINT_LEN  65 /* 0x04 ‖ x ‖ y */
#define HKDF_INPUT_LEN    (TALLY_ECIES_EPHEMERAL_KEY_LEN + SHARED_POINT_LEN)
#define AES_KEY_LEN       32
#define NONCE_OFFSET      TALLY_ECIES_EPHEMERAL_KEY_LEN
#define TAG_OFFSET        (NONCE_OFFSET + TALLY_ECIES_NONCE_LEN)
#define CIPHERTEXT_OFFSET (TAG_OFFSET + TALLY_ECIES_TAG_LEN)
/* As in keys.c: well above what secp256k1_ecdh and nettle's HMAC and AES
 * use on x86-64. */
#define STACK_BURN_SIZE (16 * 1024)

G_STATIC_ASSERT (TALLY_ECIES_OVERHEAD == CIPHERTEXT_OFFSET);
G_STATIC_ASSERT (TALLY_ECIES_TAG_LEN == GCM_DIGEST_SIZE);
G_STATIC_ASSERT (AES_KEY_LEN == AES256_KEY_SIZE);
G_STATIC_ASSERT (AES_KEY_LEN == SHA256_DIGEST_SIZE);
G_STATIC_ASSERT (TALLY_ECIES_EPHEMERAL_KEY_LEN == 1 + TALLY_PUBLIC_KEY_LEN);

#if defined(__SANITIZE_ADDRESS__)
#define NO_SANITIZE_ADDRESS __attribute__ ((no_sanitize_address))
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_SANITIZE_ADDRESS __attribute__ ((no_sanitize_address))
#endif
#endif
#ifndef NO_SANITIZE_ADDRESS
#define NO_SANITIZE_ADDRESS
#endif

/* libsecp256k1 0.2.0 leaves the scalar and the shared point in the dead
 * frames of secp256k1_ecdh(), and nettle does not clear its HMAC and AES
 * temporaries: this frame, reserved right after them, lies where theirs
 * were and overwrites them (see keys.c). */
static G_GNUC_NO_INLINE NO_SANITIZE_ADDRESS void
burn_stack (void)
{
  guint8 scratch[STACK_BURN_SIZE];

  tally_wipe (scratch, sizeof scratch);
  __asm__ __volatile__(""
                       :
                       : "r"(scratch)
                       : "memory");
}

/* libsecp256k1's default ECDH hash is SHA-256 of the compressed point;
 * eciesjs keys its HKDF with the whole uncompressed point instead. */
static int
uncompressed_point_hash (unsigned char       *output,
                         const unsigned char *x32,
                         const unsigned char *y32,
                         void                *data)
{
  output[0] = 0x04;
  memcpy (output + 1, x32, 32);
  memcpy (output + 33, y32, 32);

  return 1;
}

/* Wrappers rather than casts of nettle's typed HMAC functions to the
 * generic pointer types hkdf_extract() takes. */
static void
hkdf_hmac_update (void          *ctx,
                  size_t         length,
                  const uint8_t *data)
{
  hmac_sha256_update (ctx, length, data);
}

static void
hkdf_hmac_digest (void    *ctx,
                  size_t   length,
                  uint8_t *digest)
{
  hmac_sha256_digest (ctx, length, digest);
}

/* The AES key is HKDF-SHA256 (no salt, no info) of ephemeral ‖ shared. */
static void
derive_aes_key (guint8       aes_key[AES_KEY_LEN],
                const guint8 ephemeral_key[TALLY_ECIES_EPHEMERAL_KEY_LEN],
                const guint8 shared_point[SHARED_POINT_LEN])
{
  static const guint8    zero_salt[SHA256_DIGEST_SIZE] = { 0 };
  struct hmac_sha256_ctx hmac;
  guint8                 input[HKDF_INPUT_LEN];
  guint8                 prk[SHA256_DIGEST_SIZE];

  memcpy (input, ephemeral_key, TALLY_ECIES_EPHEMERAL_KEY_LEN);
  memcpy (input + TALLY_ECIES_EPHEMERAL_KEY_LEN, shared_point, SHARED_POINT_LEN);

  /* RFC 5869: a missing salt is a hash length of zeros. */
  hmac_sha256_set_key (&hmac, sizeof zero_salt, zero_salt);
  hkdf_extract (&hmac, hkdf_hmac_update, hkdf_hmac_digest, SHA256_DIGEST_SIZE, sizeof input, input,
                prk);
  hmac_sha256_set_key (&hmac, sizeof prk, prk);
  hkdf_expand (&hmac, hkdf_hmac_update, hkdf_hmac_digest, SHA256_DIGEST_SIZE, 0, NULL, AES_KEY_LEN,
               aes_key);

  tally_wipe (&hmac, sizeof hmac);
  tally_wipe (input, sizeof input);
  tally_wipe (prk, sizeof prk);
  burn_stack ();
}

/* shared_point gets the 65-byte uncompressed product of key and point. */
static gboolean
ecdh (guint8                  shared_point[SHARED_POINT_LEN],
      const secp256k1_pubkey *point,
      const guint8            key[TALLY_PRIVATE_KEY_LEN])
{
  int valid;

  valid = secp256k1_ecdh (tally_secp256k1_context (), shared_point, point, key,
                          uncompressed_point_hash, NULL);
  burn_stack ();

  return valid != 0;
}

gboolean
tally_ecies_seal (guint8       *sealed,
                  const guint8  public_key[TALLY_PUBLIC_KEY_LEN],
                  const guint8 *plaintext,
                  gsize         plaintext_len,
                  GError      **error)
{
  const secp256k1_context *ctx = tally_secp256k1_context ();
  secp256k1_pubkey         recipient;
  guint8                   serialized[TALLY_ECIES_EPHEMERAL_KEY_LEN];
  g_autoptr (TallySecret) ephemeral = NULL;
  g_autoptr (TallySecret) shared_point = NULL;
  g_autoptr (TallySecret) aes_key = NULL;
  struct gcm_aes256_ctx gcm;
  gsize                 sealed_len;

  g_return_val_if_fail (sealed != NULL, FALSE);
  g_return_val_if_fail (public_key != NULL, FALSE);
  g_return_val_if_fail (plaintext != NULL || plaintext_len == 0, FALSE);
  g_return_val_if_fail (plaintext_len <= G_MAXSIZE - TALLY_ECIES_OVERHEAD, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  sealed_len = plaintext_len + TALLY_ECIES_OVERHEAD;
  memset (sealed, 0, sealed_len);

  serialized[0] = 0x04;
  memcpy (serialized + 1, public_key, TALLY_PUBLIC_KEY_LEN);
  if (!secp256k1_ec_pubkey_parse (ctx, &recipient, serialized, sizeof serialized))
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_KEY,
                           "Cannot seal to this public key: it is not a point of the "
                           "secp256k1 curve");
      return FALSE;
    }

  ephemeral = tally_secret_new (TALLY_PRIVATE_KEY_LEN);
  if (!tally_private_key_generate (ephemeral->data, error))
    return FALSE;
  /* Cannot fail for a key that was just generated valid. */
  if (!tally_public_key_from_private (sealed + 1, ephemeral->data, error))
    {
      memset (sealed, 0, sealed_len);
      return FALSE;
    }
  sealed[0] = 0x04;

  shared_point = tally_secret_new (SHARED_POINT_LEN);
  if (!ecdh (shared_point->data, &recipient, ephemeral->data))
    {
      memset (sealed, 0, sealed_len);
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_KEY,
                           "Could not agree on a shared key with this public key");
      return FALSE;
    }
  aes_key = tally_secret_new (AES_KEY_LEN);
  derive_aes_key (aes_key->data, sealed, shared_point->data);

  /* A fresh random nonce for every message, although the AES key is fresh
   * too: it is what eciesjs does, and costs nothing. */
  if (!tally_random_bytes (sealed + NONCE_OFFSET, TALLY_ECIES_NONCE_LEN, error))
    {
      memset (sealed, 0, sealed_len);
      return FALSE;
    }

  gcm_aes256_set_key (&gcm, aes_key->data);
  gcm_aes256_set_iv (&gcm, TALLY_ECIES_NONCE_LEN, sealed + NONCE_OFFSET);
  if (plaintext_len > 0)
    gcm_aes256_encrypt (&gcm, plaintext_len, sealed + CIPHERTEXT_OFFSET, plaintext);
  gcm_aes256_digest (&gcm, TALLY_ECIES_TAG_LEN, sealed + TAG_OFFSET);
  tally_wipe (&gcm, sizeof gcm);
  burn_stack ();

  return TRUE;
}

gboolean
tally_ecies_open (guint8       *plaintext,
                  const guint8  private_key[TALLY_PRIVATE_KEY_LEN],
                  const guint8 *sealed,
                  gsize         sealed_len,
                  GError      **error)
{
  const secp256k1_context *ctx = tally_secp256k1_context ();
  secp256k1_pubkey         ephemeral;
  guint8                   tag[TALLY_ECIES_TAG_LEN];
  g_autoptr (TallySecret) shared_point = NULL;
  g_autoptr (TallySecret) aes_key = NULL;
  struct gcm_aes256_ctx gcm;
  gsize                 plaintext_len;
  gboolean              tag_ok;

  g_return_val_if_fail (private_key != NULL, FALSE);
  g_return_val_if_fail (sealed != NULL || sealed_len == 0, FALSE);
  g_return_val_if_fail (plaintext != NULL || sealed_len <= TALLY_ECIES_OVERHEAD, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (sealed_len < TALLY_ECIES_OVERHEAD)
    {
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_LENGTH,
                   "A sealed message has at least %u bytes (a key, a nonce and a tag); "
                   "this one has %" G_GSIZE_FORMAT,
                   (guint) TALLY_ECIES_OVERHEAD, sealed_len);
      return FALSE;
    }
  plaintext_len = sealed_len - TALLY_ECIES_OVERHEAD;
  if (plaintext_len > 0)
    memset (plaintext, 0, plaintext_len);

  /* Only the uncompressed form: libsecp256k1 would also take the "hybrid"
   * 0x06/0x07 prefixes, which eciesjs refuses, and the key's bytes enter
   * the HKDF as they are. */
  if (sealed[0] != 0x04)
    {
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                   "The sealed message does not start with an uncompressed public key "
                   "(its first byte is 0x%02x, not 0x04)",
                   sealed[0]);
      return FALSE;
    }
  if (!secp256k1_ec_pubkey_parse (ctx, &ephemeral, sealed, TALLY_ECIES_EPHEMERAL_KEY_LEN))
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                           "The sealed message's public key is not a point of the "
                           "secp256k1 curve");
      return FALSE;
    }

  if (!tally_private_key_verify (private_key, error))
    return FALSE;
  shared_point = tally_secret_new (SHARED_POINT_LEN);
  if (!ecdh (shared_point->data, &ephemeral, private_key))
    {
      /* Unreachable for a verified key and a parsed point. */
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_KEY,
                           "Could not agree on a shared key with the sealed message's key");
      return FALSE;
    }
  aes_key = tally_secret_new (AES_KEY_LEN);
  derive_aes_key (aes_key->data, sealed, shared_point->data);

  gcm_aes256_set_key (&gcm, aes_key->data);
  gcm_aes256_set_iv (&gcm, TALLY_ECIES_NONCE_LEN, sealed + NONCE_OFFSET);
  if (plaintext_len > 0)
    gcm_aes256_decrypt (&gcm, plaintext_len, plaintext, sealed + CIPHERTEXT_OFFSET);
  gcm_aes256_digest (&gcm, sizeof tag, tag);
  tally_wipe (&gcm, sizeof gcm);
  burn_stack ();

  /* Constant time, so a forger learns nothing from how long a wrong tag
   * took to refuse. */
  tag_ok = tally_memeq_consttime (tag, sealed + TAG_OFFSET, sizeof tag);
  tally_wipe (tag, sizeof tag);
  if (!tag_ok)
    {
      tally_wipe (plaintext, plaintext_len);
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_DECRYPT,
                           "The sealed message does not open with this key: it was sealed to "
                           "another account, or altered on the way");
      return FALSE;
    }

  return TRUE;
}
