/* core-types.h: boxed GTypes for the wallet library's plain structs, so
 * GObject properties and signals of the engine can carry them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "wallet/uint256.h"

G_BEGIN_DECLS

/* A TallyUint256 (token amounts in base units, task ids), copied by value. */
#define TALLY_TYPE_UINT256 (tally_uint256_get_type ())
GType tally_uint256_get_type (void) G_GNUC_CONST;

G_END_DECLS
