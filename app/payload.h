/* payload.h: the compact binary encoding of a task's rich annotations that
 * a submission reveals on chain (docs/payload.md)
 *
 * Boxes, spans and the skipped and flagged marks; the class labels travel
 * apart, in `labels`. One model has exactly one encoding, so a decoded
 * payload re-encodes to the same bytes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "annotations.h"

G_BEGIN_DECLS

#define TALLY_PAYLOAD_VERSION 1

#define TALLY_PAYLOAD_FLAG_SKIPPED 0x01
#define TALLY_PAYLOAD_FLAG_FLAGGED 0x02

/* Empty (zero bytes) when no item has a box, a span or a mark. */
GBytes *tally_payload_encode (TallyAnnotations *annotations) G_GNUC_WARN_UNUSED_RESULT;

/* A new model of n_items items and class_count classes holding what the
 * payload holds, every label 0. Anything docs/payload.md does not allow,
 * and anything that encodes otherwise than the bytes given, is
 * TALLY_CORE_ERROR_INVALID_ANNOTATION naming the byte where it is. */
TallyAnnotations *tally_payload_decode (const guint8 *data,
                                        gsize         len,
                                        guint         n_items,
                                        guint         class_count,
                                        GError      **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
