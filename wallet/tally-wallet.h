/* tally-wallet.h: the public header of libtally-wallet
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "wallet/error.h"
#include "wallet/hex.h"
#include "wallet/keccak.h"
#include "wallet/secret.h"
