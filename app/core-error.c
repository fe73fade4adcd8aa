/* core-error.c: the error domain of libtally-core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include "core-error.h"

G_DEFINE_QUARK (tally - core - error - quark, tally_core_error)
