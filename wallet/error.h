/* error.h: the error domain of libtally-wallet
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TALLY_WALLET_ERROR (tally_wallet_error_quark ())

/* Failures a user or a peer can cause. Each carries a message a person can
 * read; codes let callers react without parsing that message. */
typedef enum
{
  TALLY_WALLET_ERROR_INVALID_HEX,
  TALLY_WALLET_ERROR_INVALID_LENGTH,
  TALLY_WALLET_ERROR_INVALID_KEY,
  TALLY_WALLET_ERROR_INVALID_ADDRESS,
  TALLY_WALLET_ERROR_MALFORMED,
  TALLY_WALLET_ERROR_UNSUPPORTED,
  TALLY_WALLET_ERROR_KEYRING,
  /* A key file's MAC does not match: a wrong password (or a damaged file,
   * which cannot be told apart); the UI asks for the password again. */
  TALLY_WALLET_ERROR_WRONG_PASSWORD,
  /* A sealed message that does not open with this key: its tag does not
   * verify (sealed to another key, or altered on the way). */
  TALLY_WALLET_ERROR_DECRYPT,
} TallyWalletError;

GQuark tally_wallet_error_quark (void);

G_END_DECLS
