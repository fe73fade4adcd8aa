/* fuzz-hex.c: libFuzzer target for the hex decoder (wallet/hex.c)
 *
 * Any input either decodes to bytes that encode back to the same digits, or
 * fails with an INVALID_HEX / INVALID_LENGTH error: never a crash, never
 * output on failure.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "wallet/tally-wallet.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree guint8 *out = NULL;
  g_autoptr (GError) error = NULL;
  gsize  out_len = 0;
  guint8 fixed[32];

  if (tally_hex_decode (&out, &out_len, (const char *) data, (gssize) size, &error))
    {
      g_autofree char *again = tally_hex_encode_bare (out, out_len);
      gsize            offset = (size >= 2 && data[0] == '0' && (data[1] | 0x20) == 'x') ? 2 : 0;

      g_assert_no_error (error);
      g_assert_cmpuint (strlen (again), ==, size - offset);
      g_assert_cmpint (g_ascii_strncasecmp (again, (const char *) data + offset, size - offset), ==,
                       0);
    }
  else
    {
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_HEX);
      g_assert_null (out);
      g_assert_cmpuint (out_len, ==, 0);
    }

  g_clear_error (&error);
  if (!tally_hex_decode_fixed (fixed, sizeof fixed, (const char *) data, (gssize) size, &error))
    {
      g_assert_true (g_error_matches (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_HEX) ||
                     g_error_matches (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_LENGTH));
      for (gsize i = 0; i < sizeof fixed; i++)
        g_assert_cmpuint (fixed[i], ==, 0);
    }

  return 0;
}
