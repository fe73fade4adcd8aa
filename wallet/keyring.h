/* keyring.h: wallet accounts kept in the OS keyring (Secret Service, through
 * libsecret)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

#include "wallet/keys.h"
#include "wallet/secret.h"

G_BEGIN_DECLS

#define TALLY_KEYRING_SCHEMA_NAME "io.github.tally.Tally.Account"

typedef enum
{
  TALLY_KEYRING_KIND_MNEMONIC, /* secret: the BIP-39 phrase, text + NUL */
  TALLY_KEYRING_KIND_KEY,      /* secret: the 32-byte private key */
} TallyKeyringKind;

/* What is listed without unlocking anything: no secret in here. */
typedef struct
{
  TallyAddress     address;
  char            *label;
  TallyKeyringKind kind;
} TallyKeyringAccount;

void tally_keyring_account_free (TallyKeyringAccount *account);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TallyKeyringAccount, tally_keyring_account_free)

const SecretSchema *tally_keyring_get_schema (void);

/* Stores (or replaces) the account of this address. A mnemonic must be a
 * valid BIP-39 phrase; a key must be the key of address. */
gboolean tally_keyring_store_sync (const TallyAddress *address,
                                   const char         *label,
                                   TallyKeyringKind    kind,
                                   const TallySecret  *secret,
                                   GCancellable       *cancellable,
                                   GError            **error) G_GNUC_WARN_UNUSED_RESULT;
void     tally_keyring_store (const TallyAddress *address,
                              const char         *label,
                              TallyKeyringKind    kind,
                              const TallySecret  *secret,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data);
gboolean tally_keyring_store_finish (GAsyncResult *result,
                                     GError      **error) G_GNUC_WARN_UNUSED_RESULT;

/* A GPtrArray of TallyKeyringAccount, sorted by label then address. */
GPtrArray *tally_keyring_list_sync (GCancellable *cancellable,
                                    GError      **error) G_GNUC_WARN_UNUSED_RESULT;

/* The secret in the shape tally_keyring_store_sync() took it; kind may be
 * NULL. An account that is not there is a TALLY_WALLET_ERROR_KEYRING. */
TallySecret *tally_keyring_load_sync (const TallyAddress *address,
                                      TallyKeyringKind   *kind,
                                      GCancellable       *cancellable,
                                      GError            **error) G_GNUC_WARN_UNUSED_RESULT;

/* TRUE when the account was there and is gone. */
gboolean tally_keyring_delete_sync (const TallyAddress *address,
                                    GCancellable       *cancellable,
                                    GError            **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
