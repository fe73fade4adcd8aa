/* error.c: the error domain of libtally-wallet
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-wallet"

#include "config.h"

#include "error.h"

G_DEFINE_QUARK (tally - wallet - error - quark, tally_wallet_error)
