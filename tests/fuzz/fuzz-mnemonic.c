/* fuzz-mnemonic.c: libFuzzer target for recovery phrases and derivation
 * paths (wallet/bip39.c, wallet/bip32.c), the two texts a user types
 *
 * A phrase that validates normalizes to a form that round-trips through its
 * entropy; one that does not fails with MALFORMED and no output. The same
 * bytes as a derivation path either parse to at most 255 levels or fail
 * with no levels.
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
  g_autoptr (TallySecret) text = tally_secret_new (size + 1);
  g_autoptr (TallySecret) normalized = NULL;
  g_autoptr (GError) error = NULL;
  guint32 indices[TALLY_BIP32_MAX_DEPTH];
  gsize   n_indices = 0;

  memcpy (text->data, data, size);

  if (tally_bip39_normalize (&normalized, (const char *) text->data, &error))
    {
      g_autoptr (TallySecret) entropy = NULL;
      g_autoptr (TallySecret) again = NULL;

      g_assert_no_error (error);
      g_assert_cmpuint (normalized->len, ==, strlen ((const char *) normalized->data) + 1);
      g_assert_true (tally_bip39_to_entropy (&entropy, (const char *) normalized->data, &error));
      g_assert_true (tally_bip39_from_entropy (&again, entropy->data, entropy->len, &error));
      g_assert_no_error (error);
      g_assert_cmpstr ((const char *) again->data, ==, (const char *) normalized->data);
    }
  else
    {
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
      g_assert_null (normalized);
    }

  g_clear_error (&error);
  if (tally_bip32_parse_path (indices, G_N_ELEMENTS (indices), &n_indices, (const char *) text->data,
                              &error))
    {
      g_assert_no_error (error);
      g_assert_cmpuint (n_indices, <=, G_N_ELEMENTS (indices));
    }
  else
    {
      g_assert_nonnull (error);
      g_assert_cmpuint (n_indices, ==, 0);
    }

  return 0;
}
