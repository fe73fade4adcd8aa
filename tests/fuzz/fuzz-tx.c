/* fuzz-tx.c: libFuzzer target for the raw transaction parser (wallet/tx.c)
 *
 * Any input either parses to a transaction that encodes back to exactly the
 * input (one canonical encoding per transaction) and whose sender recovery
 * fails cleanly or succeeds, or fails with a MALFORMED / UNSUPPORTED error
 * and no transaction: never a crash.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>

#include "wallet/tally-wallet.h"
#include "wallet/tx.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr (TallyTransaction) tx = NULL;
  g_autoptr (GError) error = NULL;

  if (tally_transaction_parse (&tx, data, size, &error))
    {
      g_autofree guint8 *raw = NULL;
      gsize              raw_len = 0;
      guint8             hash[TALLY_TRANSACTION_HASH_LEN];
      TallyAddress       sender;

      g_assert_no_error (error);
      g_assert_true (tally_transaction_encode (&raw, &raw_len, tx, &error));
      g_assert_cmpmem (raw, raw_len, data, size);
      g_assert_true (tally_transaction_hash (hash, tx, &error));
      if (!tally_transaction_recover_sender (&sender, tx, &error))
        g_assert_nonnull (error);
    }
  else
    {
      g_assert_true (g_error_matches (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED) ||
                     g_error_matches (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_UNSUPPORTED));
      g_assert_null (tx);
    }

  return 0;
}
