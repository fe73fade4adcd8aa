/* core-types.c: boxed GTypes for the wallet library's plain structs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include "core-types.h"

static TallyUint256 *
uint256_copy (const TallyUint256 *value)
{
  return g_memdup2 (value, sizeof *value);
}

G_DEFINE_BOXED_TYPE (TallyUint256, tally_uint256, uint256_copy, g_free)
