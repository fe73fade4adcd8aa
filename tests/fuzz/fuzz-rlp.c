/* fuzz-rlp.c: libFuzzer target for the strict RLP decoder (wallet/rlp.c)
 *
 * Any input either decodes to a tree that re-encodes to exactly the same
 * bytes (the decoder accepts only canonical encodings), or fails with a
 * MALFORMED error and no tree: never a crash.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>

#include "wallet/rlp.h"
#include "wallet/tally-wallet.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* The integer readers must agree with each other on every byte string. */
static void
read_integers (const TallyRlpItem *item)
{
  if (item->kind == TALLY_RLP_LIST)
    {
      for (gsize i = 0; i < item->n_children; i++)
        read_integers (&item->children[i]);
    }
  else
    {
      TallyUint256 wide;
      guint64      narrow;
      g_autoptr (GError) error = NULL;
      g_autoptr (GError) error64 = NULL;
      gboolean ok = tally_rlp_item_get_uint256 (&wide, item, &error);
      gboolean ok64 = tally_rlp_item_get_uint64 (&narrow, item, &error64);

      g_assert_true (ok || error != NULL);
      if (ok64)
        {
          g_assert_true (ok);
          g_assert_cmpuint (wide.limbs[0], ==, narrow);
        }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr (TallyRlpItem) item = NULL;
  g_autoptr (GError) error = NULL;

  if (tally_rlp_decode (&item, data, size, &error))
    {
      g_autoptr (TallyRlpEncoder) encoder = tally_rlp_encoder_new ();
      g_autofree guint8 *again = NULL;
      gsize              again_len = 0;

      g_assert_no_error (error);
      tally_rlp_encoder_add_item (encoder, item);
      again = tally_rlp_encoder_finish (g_steal_pointer (&encoder), &again_len);
      g_assert_cmpmem (again, again_len, data, size);
      read_integers (item);
    }
  else
    {
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
      g_assert_null (item);
    }

  return 0;
}
