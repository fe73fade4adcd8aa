/* keys.c: secp256k1 keys, Ethereum addresses (EIP-55), signing and recovery
 *
 * The curve arithmetic is libsecp256k1's; this file holds the Ethereum rules
 * around it: the 64-byte public key, the address as the tail of its
 * Keccak-256, the EIP-55 checksum, the 0/1 or 27/28 recovery byte and the
 * EIP-2 low-s rule.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-wallet"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <gio/gio.h>
#include <secp256k1_recovery.h>

#include "error.h"
#include "keccak.h"
#include "keys.h"
#include "secret.h"

#define SERIALIZED_PUBLIC_KEY_LEN 65 /* 0x04 ‖ x ‖ y */
#define COMPACT_SIGNATURE_LEN     64 /* r ‖ s */
#define CONTEXT_SEED_LEN          32
#define ADDRESS_DIGITS            (2 * TALLY_ADDRESS_LEN)
/* Comfortably more than libsecp256k1 uses to verify, derive or sign (about
 * 4 KiB on x86-64, measured by tests/test-keys-wipe.c's stack scan). */
#define STACK_BURN_SIZE (16 * 1024)

G_STATIC_ASSERT (TALLY_SIGNATURE_LEN == COMPACT_SIGNATURE_LEN + 1);
G_STATIC_ASSERT (TALLY_ADDRESS_STRING_SIZE == 2 + ADDRESS_DIGITS + 1);

/* AddressSanitizer would give burn_stack()'s buffer redzones it never
 * writes, and the old frames under them would survive. */
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

/* libsecp256k1 0.2.0 leaves the key, as a scalar, in the dead stack frames
 * of secp256k1_ec_seckey_verify() and secp256k1_ec_pubkey_create() (newer
 * releases clear more, not all distributions ship them). Called right after
 * such a call, this function's frame lies where those frames were and
 * overwrites them. */
static G_GNUC_NO_INLINE NO_SANITIZE_ADDRESS void
burn_stack (void)
{
  guint8 scratch[STACK_BURN_SIZE];

  tally_wipe (scratch, sizeof scratch);
  /* The address escapes, so the compiler must really reserve the frame. */
  __asm__ __volatile__(""
                       :
                       : "r"(scratch)
                       : "memory");
}

static gpointer
create_context (gpointer data)
{
  secp256k1_context *ctx;
  guint8             seed[CONTEXT_SEED_LEN];

  /* The flags are ignored by libsecp256k1 >= 0.2 (every context can do
   * everything) and required by older releases a distribution may ship. */
  ctx = secp256k1_context_create (SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY);

  /* Blinding makes the timing and power of signing independent of the key;
   * without a seed the context still works, only unblinded. */
  if (tally_random_bytes (seed, sizeof seed, NULL))
    {
      if (!secp256k1_context_randomize (ctx, seed))
        g_warning ("Could not blind the secp256k1 context");
    }
  else
    g_warning ("No randomness to blind the secp256k1 context: %s", g_strerror (errno));
  tally_wipe (seed, sizeof seed);

  return ctx;
}

const secp256k1_context *
tally_secp256k1_context (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, create_context, NULL);

  return once.retval;
}

gboolean
tally_private_key_generate (guint8   key[TALLY_PRIVATE_KEY_LEN],
                            GError **error)
{
  const secp256k1_context *ctx = tally_secp256k1_context ();
  int                      valid;

  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* A random 256-bit string is a valid key except with probability ~2^-128
   * (zero or >= n); draw again in that case rather than reduce modulo n,
   * which would bias the key. */
  for (;;)
    {
      if (!tally_random_bytes (key, TALLY_PRIVATE_KEY_LEN, NULL))
        {
          int saved_errno = errno;

          tally_wipe (key, TALLY_PRIVATE_KEY_LEN);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "The system gave no random bytes for a new key: %s",
                       g_strerror (saved_errno));
          return FALSE;
        }
      valid = secp256k1_ec_seckey_verify (ctx, key);
      burn_stack ();
      if (valid)
        return TRUE;
      tally_wipe (key, TALLY_PRIVATE_KEY_LEN);
    }
}

gboolean
tally_private_key_verify (const guint8 key[TALLY_PRIVATE_KEY_LEN],
                          GError     **error)
{
  int valid;

  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  valid = secp256k1_ec_seckey_verify (tally_secp256k1_context (), key);
  burn_stack ();
  if (!valid)
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_KEY,
                           "This is not a valid private key: it must be a number "
                           "from 1 to the order of the secp256k1 curve");
      return FALSE;
    }

  return TRUE;
}

gboolean
tally_public_key_from_private (guint8       public_key[TALLY_PUBLIC_KEY_LEN],
                               const guint8 key[TALLY_PRIVATE_KEY_LEN],
                               GError     **error)
{
  const secp256k1_context *ctx = tally_secp256k1_context ();
  secp256k1_pubkey         point;
  guint8                   serialized[SERIALIZED_PUBLIC_KEY_LEN];
  size_t                   serialized_len = sizeof serialized;
  int                      valid;

  g_return_val_if_fail (public_key != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (public_key, 0, TALLY_PUBLIC_KEY_LEN);

  if (!tally_private_key_verify (key, error))
    return FALSE;

  valid = secp256k1_ec_pubkey_create (ctx, &point, key);
  burn_stack ();
  if (!valid)
    {
      /* Unreachable for a verified key; kept so no path returns garbage. */
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_KEY,
                           "Could not derive a public key from this private key");
      return FALSE;
    }
  secp256k1_ec_pubkey_serialize (ctx, serialized, &serialized_len, &point,
                                 SECP256K1_EC_UNCOMPRESSED);
  g_assert (serialized_len == SERIALIZED_PUBLIC_KEY_LEN && serialized[0] == 0x04);
  memcpy (public_key, serialized + 1, TALLY_PUBLIC_KEY_LEN);

  return TRUE;
}

void
tally_address_from_public_key (TallyAddress *address,
                               const guint8  public_key[TALLY_PUBLIC_KEY_LEN])
{
  guint8 digest[TALLY_KECCAK256_LEN];

  g_return_if_fail (address != NULL);
  g_return_if_fail (public_key != NULL);

  tally_keccak256 (digest, public_key, TALLY_PUBLIC_KEY_LEN);
  memcpy (address->bytes, digest + sizeof digest - TALLY_ADDRESS_LEN, TALLY_ADDRESS_LEN);
}

gboolean
tally_address_from_private_key (TallyAddress *address,
                                const guint8  key[TALLY_PRIVATE_KEY_LEN],
                                GError      **error)
{
  guint8 public_key[TALLY_PUBLIC_KEY_LEN];

  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (address, 0, sizeof *address);

  if (!tally_public_key_from_private (public_key, key, error))
    return FALSE;
  tally_address_from_public_key (address, public_key);

  return TRUE;
}

/* EIP-55: hex digit i is upper case when nibble i of keccak256 of the
 * lower-case hex text is 8 or more. */
static void
checksum_case (char digits[ADDRESS_DIGITS])
{
  guint8 digest[TALLY_KECCAK256_LEN];

  tally_keccak256 (digest, (const guint8 *) digits, ADDRESS_DIGITS);
  for (guint i = 0; i < ADDRESS_DIGITS; i++)
    {
      guint nibble = (i % 2 == 0) ? digest[i / 2] >> 4 : digest[i / 2] & 0x0f;

      if (nibble >= 8)
        digits[i] = g_ascii_toupper (digits[i]);
    }
}

void
tally_address_to_string (const TallyAddress *address,
                         char                out[TALLY_ADDRESS_STRING_SIZE])
{
  static const char digits[] = "0123456789abcdef";

  g_return_if_fail (address != NULL);
  g_return_if_fail (out != NULL);

  out[0] = '0';
  out[1] = 'x';
  for (guint i = 0; i < TALLY_ADDRESS_LEN; i++)
    {
      out[2 + 2 * i] = digits[address->bytes[i] >> 4];
      out[2 + 2 * i + 1] = digits[address->bytes[i] & 0x0f];
    }
  out[2 + ADDRESS_DIGITS] = '\0';
  checksum_case (out + 2);
}

/* Names the offending character so a person can find it: a space pasted
 * along, or a look-alike letter from another alphabet. */
static void
set_bad_character_error (GError    **error,
                         const char *at,
                         gsize       at_len)
{
  const char *what = "An address holds only the digits 0–9 and the letters a–f";
  gunichar    c = g_utf8_get_char_validated (at, (gssize) at_len);
  guchar      byte = (guchar) at[0];

  if (byte < 0x80 && g_ascii_isgraph (byte))
    g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_ADDRESS,
                 "%s; it contains “%c”", what, byte);
  else if (byte < 0x80 || c == (gunichar) -1 || c == (gunichar) -2 || !g_unichar_isgraph (c))
    g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_ADDRESS,
                 "%s; it contains a space or an invisible character", what);
  else
    g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_ADDRESS,
                 "%s; it contains “%.*s”, which is not one of them", what,
                 (int) (g_utf8_next_char (at) - at), at);
}

/* The "0x" prefix is optional: people paste addresses copied from places
 * that drop it. Surrounding white space is the caller's to trim. */
gboolean
tally_address_parse (TallyAddress *address,
                     const char   *text,
                     GError      **error)
{
  char        lower[ADDRESS_DIGITS];
  const char *digits = text;
  gsize       len;
  gboolean    has_lower = FALSE;
  gboolean    has_upper = FALSE;

  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (address, 0, sizeof *address);

  if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X'))
    digits += 2;
  len = strlen (digits);

  if (len != ADDRESS_DIGITS)
    {
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_ADDRESS,
                   "An address has %u hexadecimal digits (after the “0x”); "
                   "this one has %" G_GSIZE_FORMAT,
                   (guint) ADDRESS_DIGITS, len);
      return FALSE;
    }

  for (guint i = 0; i < ADDRESS_DIGITS; i++)
    {
      char c = digits[i];

      if (!g_ascii_isxdigit (c))
        {
          set_bad_character_error (error, digits + i, len - i);
          return FALSE;
        }
      has_lower |= g_ascii_islower (c);
      has_upper |= g_ascii_isupper (c);
      lower[i] = g_ascii_tolower (c);
    }

  /* Only mixed case carries a checksum: all-lower and all-upper are how
   * addresses were written before EIP-55 and say nothing about typos. */
  if (has_lower && has_upper)
    {
      char expected[ADDRESS_DIGITS];

      memcpy (expected, lower, sizeof lower);
      checksum_case (expected);
      if (memcmp (expected, digits, ADDRESS_DIGITS) != 0)
        {
          g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_ADDRESS,
                               "The address checksum does not match (the mix of capital "
                               "and small letters): it likely has a typo");
          return FALSE;
        }
    }

  for (guint i = 0; i < TALLY_ADDRESS_LEN; i++)
    {
      int high = g_ascii_xdigit_value (lower[2 * i]);
      int low = g_ascii_xdigit_value (lower[2 * i + 1]);

      address->bytes[i] = (guint8) (high << 4 | low);
    }

  return TRUE;
}

gboolean
tally_address_equal (const TallyAddress *a,
                     const TallyAddress *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  return memcmp (a->bytes, b->bytes, TALLY_ADDRESS_LEN) == 0;
}

gboolean
tally_sign_digest (guint8       signature[TALLY_SIGNATURE_LEN],
                   const guint8 key[TALLY_PRIVATE_KEY_LEN],
                   const guint8 digest[TALLY_DIGEST_LEN],
                   GError     **error)
{
  const secp256k1_context              *ctx = tally_secp256k1_context ();
  secp256k1_ecdsa_recoverable_signature sig;
  int                                   recid = -1;
  int                                   valid;

  g_return_val_if_fail (signature != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (digest != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (signature, 0, TALLY_SIGNATURE_LEN);

  if (!tally_private_key_verify (key, error))
    return FALSE;

  /* A NULL nonce function is RFC 6979, so the same key and digest always
   * give the same signature; libsecp256k1 always produces low s. */
  valid = secp256k1_ecdsa_sign_recoverable (ctx, &sig, digest, key, NULL, NULL);
  /* The frames held the key and the nonce, and either gives the key away. */
  burn_stack ();
  if (!valid)
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_KEY,
                           "Could not sign with this private key");
      return FALSE;
    }
  secp256k1_ecdsa_recoverable_signature_serialize_compact (ctx, signature, &recid, &sig);
  g_assert (recid == 0 || recid == 1);
  signature[COMPACT_SIGNATURE_LEN] = (guint8) recid;

  return TRUE;
}

gboolean
tally_recover_address (TallyAddress *address,
                       const guint8  signature[TALLY_SIGNATURE_LEN],
                       const guint8  digest[TALLY_DIGEST_LEN],
                       GError      **error)
{
  const secp256k1_context              *ctx = tally_secp256k1_context ();
  secp256k1_ecdsa_recoverable_signature sig;
  secp256k1_ecdsa_signature             plain;
  secp256k1_pubkey                      point;
  guint8                                serialized[SERIALIZED_PUBLIC_KEY_LEN];
  size_t                                serialized_len = sizeof serialized;
  guint8                                v;
  int                                   recid;

  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (signature != NULL, FALSE);
  g_return_val_if_fail (digest != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (address, 0, sizeof *address);

  v = signature[COMPACT_SIGNATURE_LEN];
  if (v == 0 || v == 1)
    recid = v;
  else if (v == 27 || v == 28)
    recid = v - 27;
  else
    {
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                   "The signature's recovery byte is %u; it must be 0, 1, 27 or 28", v);
      return FALSE;
    }

  if (!secp256k1_ecdsa_recoverable_signature_parse_compact (ctx, &sig, signature, recid))
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                           "The signature is malformed: r or s is not below the curve order");
      return FALSE;
    }

  /* EIP-2: (r, n - s) is just as valid as (r, s); accepting both would let
   * anyone make a second signature of the same message. Normalizing returns
   * 1 exactly when s was high. */
  secp256k1_ecdsa_recoverable_signature_convert (ctx, &plain, &sig);
  if (secp256k1_ecdsa_signature_normalize (ctx, NULL, &plain))
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                           "The signature is not in canonical form (its s value is high)");
      return FALSE;
    }

  if (!secp256k1_ecdsa_recover (ctx, &point, &sig, digest))
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                           "No signer can be recovered from this signature");
      return FALSE;
    }
  secp256k1_ec_pubkey_serialize (ctx, serialized, &serialized_len, &point,
                                 SECP256K1_EC_UNCOMPRESSED);
  g_assert (serialized_len == SERIALIZED_PUBLIC_KEY_LEN);
  tally_address_from_public_key (address, serialized + 1);

  return TRUE;
}
