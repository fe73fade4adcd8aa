/* fuzz-ecies.c: libFuzzer target for opening sealed messages (wallet/ecies.c)
 *
 * Any input is opened with one fixed private key: it either opens to
 * exactly size - TALLY_ECIES_OVERHEAD bytes that seal and open again, or
 * fails with a TALLY_WALLET_ERROR that says why and leaves the plaintext
 * buffer zeroed: never a crash. The seeds include messages sealed to that
 * key by eciesjs 0.5.0, so the search starts past the tag check.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "wallet/tally-wallet.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* 0x0102…20; the seed corpus is sealed to its public key. */
static const guint8 fuzz_key[TALLY_PRIVATE_KEY_LEN] = {
  0x01,
  0x02,
  0x03,
  0x04,
  0x05,
  0x06,
  0x07,
  0x08,
  0x09,
  0x0a,
  0x0b,
  0x0c,
  0x0d,
  0x0e,
  0x0f,
  0x10,
  0x11,
  0x12,
  0x13,
  0x14,
  0x15,
  0x16,
  0x17,
  0x18,
  0x19,
  0x1a,
  0x1b,
  0x1c,
  0x1d,
  0x1e,
  0x1f,
  0x20,
};

static void
check_reseal (const guint8 *plaintext,
              gsize         plaintext_len)
{
  guint8  public_key[TALLY_PUBLIC_KEY_LEN];
  guint8 *sealed = g_malloc (plaintext_len + TALLY_ECIES_OVERHEAD);
  guint8 *opened = g_malloc (plaintext_len + 1);
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_public_key_from_private (public_key, fuzz_key, &error));
  g_assert_true (tally_ecies_seal (sealed, public_key, plaintext, plaintext_len, &error));
  g_assert_true (tally_ecies_open (opened, fuzz_key, sealed, plaintext_len + TALLY_ECIES_OVERHEAD,
                                   &error));
  g_assert_no_error (error);
  g_assert_true (plaintext_len == 0 || memcmp (opened, plaintext, plaintext_len) == 0);
  g_free (sealed);
  g_free (opened);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  gsize   plaintext_len = size > TALLY_ECIES_OVERHEAD ? size - TALLY_ECIES_OVERHEAD : 0;
  guint8 *plaintext = g_malloc (plaintext_len + 1);
  g_autoptr (GError) error = NULL;

  memset (plaintext, 0xaa, plaintext_len + 1);
  if (tally_ecies_open (plaintext, fuzz_key, data, size, &error))
    {
      g_assert_no_error (error);
      g_assert_true (size >= TALLY_ECIES_OVERHEAD);
      check_reseal (plaintext, plaintext_len);
    }
  else
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == TALLY_WALLET_ERROR);
      g_assert_true (error->code == TALLY_WALLET_ERROR_INVALID_LENGTH ||
                     error->code == TALLY_WALLET_ERROR_MALFORMED ||
                     error->code == TALLY_WALLET_ERROR_DECRYPT);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      for (gsize i = 0; i < plaintext_len; i++)
        g_assert_true (plaintext[i] == 0);
    }
  /* Nothing is written past the plaintext's length. */
  g_assert_true (plaintext[plaintext_len] == 0xaa);

  tally_wipe (plaintext, plaintext_len + 1);
  g_free (plaintext);
  return 0;
}
