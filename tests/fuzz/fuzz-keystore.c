/* fuzz-keystore.c: libFuzzer target for key file decryption (wallet/keystore.c)
 *
 * Any input either decrypts (with the password "fuzz") to a valid key whose
 * address matches, or fails with a TALLY_WALLET_ERROR and leaves the outputs
 * zeroed: never a crash. The KDF work is bounded far below the default so
 * a generated file with legal but heavy parameters cannot stall the search;
 * the bounds themselves are checked by tests/test-keystore.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "wallet/tally-wallet.h"

#define FUZZ_PASSWORD "fuzz"
#define FUZZ_MAX_COST 4096

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const guint8 zero[TALLY_PRIVATE_KEY_LEN] = { 0 };
  g_autoptr (GError) error = NULL;
  guint8       key[TALLY_PRIVATE_KEY_LEN];
  TallyAddress address;

  if (tally_keystore_decrypt_bounded (key, &address, (const char *) data, size, FUZZ_PASSWORD,
                                      FUZZ_MAX_COST, &error))
    {
      TallyAddress derived;

      g_assert_no_error (error);
      g_assert_true (tally_address_from_private_key (&derived, key, &error));
      g_assert_true (tally_address_equal (&derived, &address));
    }
  else
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == TALLY_WALLET_ERROR);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_cmpmem (key, sizeof key, zero, sizeof zero);
    }

  tally_wipe (key, sizeof key);
  return 0;
}
