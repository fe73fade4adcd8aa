/* tally-wallet.h: the public header of libtally-wallet
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "wallet/error.h"
#include "wallet/hex.h"
#include "wallet/keccak.h"
#include "wallet/keys.h"
#include "wallet/uint256.h"
#include "wallet/rlp.h"
#include "wallet/tx.h"
#include "wallet/eip191.h"
#include "wallet/signer.h"
#include "wallet/key-signer.h"
#include "wallet/bip39.h"
#include "wallet/bip32.h"
#include "wallet/keystore.h"
#include "wallet/keyring.h"
#include "wallet/json.h"
#include "wallet/abi.h"
#include "wallet/eip712.h"
#include "wallet/secret.h"
#include "wallet/ecies.h"
