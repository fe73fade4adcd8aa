/* keccak.h: Keccak-256 as Ethereum uses it (the original Keccak padding,
 * not the SHA3-256 of FIPS 202)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <nettle/sha3.h>

G_BEGIN_DECLS

#define TALLY_KECCAK256_LEN        32
#define TALLY_KECCAK256_BLOCK_SIZE 136 /* the rate: 1600 - 2 * 256 bits */

typedef struct
{
  struct sha3_state state;
  guint8            block[TALLY_KECCAK256_BLOCK_SIZE];
  gsize             index;
} TallyKeccak256;

void tally_keccak256_init (TallyKeccak256 *ctx);
void tally_keccak256_update (TallyKeccak256 *ctx,
                             const guint8   *data,
                             gsize           len);
void tally_keccak256_final (TallyKeccak256 *ctx,
                            guint8          out[TALLY_KECCAK256_LEN]);

void tally_keccak256 (guint8        out[TALLY_KECCAK256_LEN],
                      const guint8 *data,
                      gsize         len);

G_END_DECLS
