/* uint256.h: unsigned 256-bit integers, the EVM's word, and exact token amounts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TALLY_UINT256_LEN                32 /* bytes, big-endian on the wire */
#define TALLY_UINT256_MAX_DECIMAL_DIGITS 78
#define TALLY_UINT256_MAX_DECIMALS       255 /* an ERC-20 decimals() is a uint8 */

/* Limbs are little-endian: limbs[0] holds the lowest 64 bits. */
typedef struct
{
  guint64 limbs[4];
} TallyUint256;

void tally_uint256_from_uint64 (TallyUint256 *out,
                                guint64       value);
/* FALSE when the value does not fit in 64 bits; *out is then 0. */
gboolean tally_uint256_to_uint64 (guint64            *out,
                                  const TallyUint256 *value) G_GNUC_WARN_UNUSED_RESULT;

void tally_uint256_from_bytes32 (TallyUint256 *out,
                                 const guint8  bytes[TALLY_UINT256_LEN]);
void tally_uint256_to_bytes32 (guint8              bytes[TALLY_UINT256_LEN],
                               const TallyUint256 *value);
/* Big-endian bytes of any length up to 32 (leading zeros allowed here; the
 * RLP layer decides what is canonical). */
gboolean tally_uint256_from_bytes (TallyUint256 *out,
                                   const guint8 *bytes,
                                   gsize         len,
                                   GError      **error) G_GNUC_WARN_UNUSED_RESULT;
/* The minimal big-endian form: no leading zero bytes, zero is 0 bytes.
 * Returns the length written to bytes (at most 32). */
gsize tally_uint256_to_minimal_bytes (guint8              bytes[TALLY_UINT256_LEN],
                                      const TallyUint256 *value);

gboolean tally_uint256_is_zero (const TallyUint256 *value);
/* -1, 0 or 1, as strcmp. */
int   tally_uint256_cmp (const TallyUint256 *a,
                         const TallyUint256 *b);
guint tally_uint256_bit_length (const TallyUint256 *value);

/* Arithmetic returns FALSE on overflow (or division by zero) and then sets
 * the outputs to 0. Outputs may alias inputs. */
gboolean tally_uint256_add (TallyUint256       *out,
                            const TallyUint256 *a,
                            const TallyUint256 *b) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_uint256_sub (TallyUint256       *out,
                            const TallyUint256 *a,
                            const TallyUint256 *b) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_uint256_mul_uint64 (TallyUint256       *out,
                                   const TallyUint256 *a,
                                   guint64             b) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_uint256_mul (TallyUint256       *out,
                            const TallyUint256 *a,
                            const TallyUint256 *b) G_GNUC_WARN_UNUSED_RESULT;
/* quotient and remainder may each be NULL. */
gboolean tally_uint256_divmod_uint64 (TallyUint256       *quotient,
                                      guint64            *remainder,
                                      const TallyUint256 *a,
                                      guint64             divisor) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_uint256_divmod (TallyUint256       *quotient,
                               TallyUint256       *remainder,
                               const TallyUint256 *a,
                               const TallyUint256 *divisor) G_GNUC_WARN_UNUSED_RESULT;

/* Decimal digits, or "0x"/"0X" followed by hex digits. No sign, no spaces,
 * no separators; leading zeros are accepted; anything above 2^256 - 1 is an
 * error (TALLY_WALLET_ERROR_MALFORMED). */
gboolean tally_uint256_parse (TallyUint256 *out,
                              const char   *text,
                              GError      **error) G_GNUC_WARN_UNUSED_RESULT;
gchar   *tally_uint256_to_decimal (const TallyUint256 *value) G_GNUC_WARN_UNUSED_RESULT;
/* Minimal "0x"-prefixed lowercase hex, "0x0" for zero (as JSON-RPC QUANTITY). */
gchar *tally_uint256_to_hex (const TallyUint256 *value) G_GNUC_WARN_UNUSED_RESULT;

/* Token amounts, exactly: "1.5" with 18 decimals is 1500000000000000000.
 * The text is digits, optionally a '.' and at most `decimals` more digits.
 * A digit is required on both sides of the point: "1." and ".5" are refused
 * so a slip of the keyboard is not read as a different amount. */
gboolean tally_uint256_parse_units (TallyUint256 *out,
                                    const char   *text,
                                    guint         decimals,
                                    GError      **error) G_GNUC_WARN_UNUSED_RESULT;
/* The amount with trailing fraction zeros trimmed ("1.5", "0", "0.000001").
 * max_fraction_digits < 0 shows every digit; otherwise the fraction is cut
 * (rounded toward zero) to that many digits, so a display never claims more
 * than the account holds. */
gchar *tally_uint256_format_units (const TallyUint256 *value,
                                   guint               decimals,
                                   gint                max_fraction_digits) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
