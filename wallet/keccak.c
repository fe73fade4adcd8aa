/* keccak.c: Keccak-256 as Ethereum uses it
 *
 * The permutation is nettle's (sha3_permute, the same Keccak-f[1600] that
 * nettle's SHA3 uses); only the sponge around it is here, because Ethereum
 * pads with 0x01 where FIPS 202 SHA3 pads with 0x06.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-wallet"

#include "config.h"

#include <string.h>

#include "keccak.h"
#include "secret.h"

G_STATIC_ASSERT (TALLY_KECCAK256_BLOCK_SIZE % 8 == 0);

/* Lanes are little-endian 64-bit words; XOR a whole block into the state. */
static void
absorb_block (TallyKeccak256 *ctx,
              const guint8   *block)
{
  for (gsize i = 0; i < TALLY_KECCAK256_BLOCK_SIZE / 8; i++)
    {
      guint64 lane;

      memcpy (&lane, block + 8 * i, sizeof lane);
      ctx->state.a[i] ^= GUINT64_FROM_LE (lane);
    }
  sha3_permute (&ctx->state);
}

void
tally_keccak256_init (TallyKeccak256 *ctx)
{
  g_return_if_fail (ctx != NULL);

  memset (ctx, 0, sizeof *ctx);
}

void
tally_keccak256_update (TallyKeccak256 *ctx,
                        const guint8   *data,
                        gsize           len)
{
  g_return_if_fail (ctx != NULL);
  g_return_if_fail (data != NULL || len == 0);

  if (ctx->index > 0)
    {
      gsize take = MIN (len, TALLY_KECCAK256_BLOCK_SIZE - ctx->index);

      memcpy (ctx->block + ctx->index, data, take);
      ctx->index += take;
      data += take;
      len -= take;
      if (ctx->index < TALLY_KECCAK256_BLOCK_SIZE)
        return;
      absorb_block (ctx, ctx->block);
      ctx->index = 0;
    }

  for (; len >= TALLY_KECCAK256_BLOCK_SIZE; len -= TALLY_KECCAK256_BLOCK_SIZE)
    {
      absorb_block (ctx, data);
      data += TALLY_KECCAK256_BLOCK_SIZE;
    }

  if (len > 0)
    memcpy (ctx->block, data, len);
  ctx->index = len;
}

void
tally_keccak256_final (TallyKeccak256 *ctx,
                       guint8          out[TALLY_KECCAK256_LEN])
{
  g_return_if_fail (ctx != NULL);
  g_return_if_fail (out != NULL);

  /* Original Keccak multi-rate padding: 0x01, zeros, then 0x80 on the last
   * byte of the block (the two meet in one byte, 0x81, when one byte is
   * left). */
  memset (ctx->block + ctx->index, 0, TALLY_KECCAK256_BLOCK_SIZE - ctx->index);
  ctx->block[ctx->index] ^= 0x01;
  ctx->block[TALLY_KECCAK256_BLOCK_SIZE - 1] ^= 0x80;
  absorb_block (ctx, ctx->block);

  for (gsize i = 0; i < TALLY_KECCAK256_LEN / 8; i++)
    {
      guint64 lane = GUINT64_TO_LE (ctx->state.a[i]);

      memcpy (out + 8 * i, &lane, sizeof lane);
    }

  /* The state may have absorbed a secret (a key being hashed into an
   * address, a keystore MAC): leave nothing behind. */
  tally_wipe (ctx, sizeof *ctx);
}

void
tally_keccak256 (guint8        out[TALLY_KECCAK256_LEN],
                 const guint8 *data,
                 gsize         len)
{
  TallyKeccak256 ctx;

  tally_keccak256_init (&ctx);
  tally_keccak256_update (&ctx, data, len);
  tally_keccak256_final (&ctx, out);
}
