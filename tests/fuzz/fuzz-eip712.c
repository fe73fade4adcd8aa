/* fuzz-eip712.c: libFuzzer target for EIP-712 typed data (wallet/eip712.c)
 *
 * Any bytes either hash to a digest, the same one twice, or fail with a
 * MALFORMED error and an all-zero digest: never a crash.
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
  static const guint8 zero[TALLY_EIP712_HASH_LEN] = { 0 };
  guint8              digest[TALLY_EIP712_HASH_LEN];
  guint8              again[TALLY_EIP712_HASH_LEN];
  g_autoptr (GError) error = NULL;

  memset (digest, 0xaa, sizeof digest);
  if (tally_eip712_hash_json (digest, (const char *) data, size, &error))
    {
      g_assert_no_error (error);
      g_assert_true (tally_eip712_hash_json (again, (const char *) data, size, NULL));
      g_assert_cmpmem (digest, sizeof digest, again, sizeof again);
    }
  else
    {
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
      g_assert_cmpmem (digest, sizeof digest, zero, sizeof zero);
    }

  return 0;
}
