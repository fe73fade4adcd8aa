/* secret.h: buffers for key material that are wiped when they are freed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A secret owns its bytes; tally_secret_free() wipes them before the memory
 * goes back to the allocator, so g_autoptr (TallySecret) wipes on every return
 * path, errors included. The bytes are locked into RAM where the system
 * allows it, so they are not written to swap. */
typedef struct
{
  guint8 *data;
  gsize   len;
} TallySecret;

TallySecret *tally_secret_new (gsize len) G_GNUC_WARN_UNUSED_RESULT;
TallySecret *tally_secret_new_from_data (const guint8 *data,
                                         gsize         len) G_GNUC_WARN_UNUSED_RESULT;
void         tally_secret_free (TallySecret *secret);

void tally_wipe (void *data,
                 gsize len);
/* len bytes from the system's random number generator (getrandom),
 * however many calls that takes; TALLY_WALLET_ERROR_UNSUPPORTED when it
 * fails (out is then wiped). */
gboolean tally_random_bytes (guint8  *out,
                             gsize    len,
                             GError **error) G_GNUC_WARN_UNUSED_RESULT;

gboolean tally_memeq_consttime (const void *a,
                                const void *b,
                                gsize       len) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TallySecret, tally_secret_free)

G_END_DECLS
