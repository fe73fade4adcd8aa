/* hex.h: hexadecimal encoding as Ethereum writes it (0x-prefixed, lowercase)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gchar *tally_hex_encode (const guint8 *data,
                         gsize         len) G_GNUC_WARN_UNUSED_RESULT;
gchar *tally_hex_encode_bare (const guint8 *data,
                              gsize         len) G_GNUC_WARN_UNUSED_RESULT;

gboolean tally_hex_decode (guint8     **out,
                           gsize       *out_len,
                           const gchar *hex,
                           gssize       hex_len,
                           GError     **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_hex_decode_fixed (guint8      *out,
                                 gsize        out_len,
                                 const gchar *hex,
                                 gssize       hex_len,
                                 GError     **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
