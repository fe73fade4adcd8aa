/* signer.h: the one way the rest of Tally asks for a signature, or to open
 * a message sealed to the account
 *
 * Callers hold a TallySigner, never a key, so a hardware wallet or a remote
 * signer can stand in for the built-in key without touching them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "keys.h"

G_BEGIN_DECLS

#define TALLY_TYPE_SIGNER (tally_signer_get_type ())

G_DECLARE_INTERFACE (TallySigner, tally_signer, TALLY, SIGNER, GObject)

/**
 * TallySignerInterface:
 * @get_address: the account the signer signs for; must not block.
 * @sign_digest_async: signs a 32-byte digest; may take long (a device
 *   waiting for a button press), so callers go through it from the UI.
 * @sign_digest_finish: returns the 65-byte signature (recovery id 0 or 1).
 * @sign_digest_sync: optional; a signer that can answer without a main loop
 *   (a key in memory) provides it for the CLI and tests. When it is %NULL,
 *   tally_signer_sign_digest_sync() runs the async pair on a private main
 *   context instead.
 * @get_public_key: the account's 64-byte public key (x ‖ y), the one a
 *   message is sealed to (see ecies.h); must not block. A signer that knows
 *   only its address (some hardware wallets until asked) fails with
 *   %TALLY_WALLET_ERROR_UNSUPPORTED.
 * @open_sealed_async: opens an ECIES message sealed to that public key, so
 *   the key that opens it never leaves the signer.
 * @open_sealed_finish: returns the plaintext in memory that is wiped when
 *   the last reference goes.
 * @open_sealed_sync: optional, as @sign_digest_sync is.
 */
struct _TallySignerInterface
{
  GTypeInterface parent_iface;

  void (*get_address) (TallySigner  *self,
                       TallyAddress *address);

  void (*sign_digest_async) (TallySigner        *self,
                             const guint8        digest[TALLY_DIGEST_LEN],
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data);
  gboolean (*sign_digest_finish) (TallySigner  *self,
                                  GAsyncResult *result,
                                  guint8        signature[TALLY_SIGNATURE_LEN],
                                  GError      **error);

  gboolean (*sign_digest_sync) (TallySigner  *self,
                                guint8        signature[TALLY_SIGNATURE_LEN],
                                const guint8  digest[TALLY_DIGEST_LEN],
                                GCancellable *cancellable,
                                GError      **error);

  gboolean (*get_public_key) (TallySigner *self,
                              guint8       public_key[TALLY_PUBLIC_KEY_LEN],
                              GError     **error);

  void (*open_sealed_async) (TallySigner        *self,
                             GBytes             *sealed,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data);
  GBytes *(*open_sealed_finish) (TallySigner  *self,
                                 GAsyncResult *result,
                                 GError      **error);

  GBytes *(*open_sealed_sync) (TallySigner  *self,
                               GBytes       *sealed,
                               GCancellable *cancellable,
                               GError      **error);
};

void tally_signer_get_address (TallySigner  *self,
                               TallyAddress *address);

/* The digest is copied before this returns. */
void     tally_signer_sign_digest_async (TallySigner        *self,
                                         const guint8        digest[TALLY_DIGEST_LEN],
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data);
gboolean tally_signer_sign_digest_finish (TallySigner  *self,
                                          GAsyncResult *result,
                                          guint8        signature[TALLY_SIGNATURE_LEN],
                                          GError      **error) G_GNUC_WARN_UNUSED_RESULT;

/* Blocks the calling thread; never call it from the UI's main loop. */
gboolean tally_signer_sign_digest_sync (TallySigner  *self,
                                        guint8        signature[TALLY_SIGNATURE_LEN],
                                        const guint8  digest[TALLY_DIGEST_LEN],
                                        GCancellable *cancellable,
                                        GError      **error) G_GNUC_WARN_UNUSED_RESULT;

/* EIP-191 personal_sign over the signer: the last byte is 27 or 28. */
gboolean tally_signer_sign_message_sync (TallySigner  *self,
                                         guint8        signature[TALLY_SIGNATURE_LEN],
                                         const guint8 *message,
                                         gsize         message_len,
                                         GCancellable *cancellable,
                                         GError      **error) G_GNUC_WARN_UNUSED_RESULT;

gboolean tally_signer_get_public_key (TallySigner *self,
                                      guint8       public_key[TALLY_PUBLIC_KEY_LEN],
                                      GError     **error) G_GNUC_WARN_UNUSED_RESULT;

/* A reference to sealed is kept until the operation completes. A signer
 * that cannot decrypt fails with TALLY_WALLET_ERROR_UNSUPPORTED; the errors
 * of a message that does not open are tally_ecies_open()'s. */
void tally_signer_open_sealed_async (TallySigner        *self,
                                     GBytes             *sealed,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data);
/* The plaintext, in memory that is wiped when the last reference goes. */
GBytes *tally_signer_open_sealed_finish (TallySigner  *self,
                                         GAsyncResult *result,
                                         GError      **error) G_GNUC_WARN_UNUSED_RESULT;
/* Blocks; never from the UI's main loop (like tally_signer_sign_digest_sync). */
GBytes *tally_signer_open_sealed_sync (TallySigner  *self,
                                       GBytes       *sealed,
                                       GCancellable *cancellable,
                                       GError      **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
