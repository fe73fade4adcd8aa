/* signer.h: the one way the rest of Tally asks for a signature
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

G_END_DECLS
