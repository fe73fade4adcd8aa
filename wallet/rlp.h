/* rlp.h: Recursive Length Prefix, Ethereum's serialization (Yellow Paper,
 * appendix B): an encoder for transactions and a strict decoder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "uint256.h"

G_BEGIN_DECLS

/* Lists nested deeper than this are refused; transactions need three. */
#define TALLY_RLP_MAX_DEPTH 64

/* Builds one RLP item (usually a list) in memory. Lists are opened and
 * closed like brackets; the length prefix is written when the list closes. */
typedef struct _TallyRlpEncoder TallyRlpEncoder;

TallyRlpEncoder *tally_rlp_encoder_new (void) G_GNUC_WARN_UNUSED_RESULT;
void             tally_rlp_encoder_free (TallyRlpEncoder *encoder);

void tally_rlp_encoder_add_bytes (TallyRlpEncoder *encoder,
                                  const guint8    *data,
                                  gsize            len);
/* Integers are big-endian with no leading zeros; zero is the empty string. */
void tally_rlp_encoder_add_uint64 (TallyRlpEncoder *encoder,
                                   guint64          value);
void tally_rlp_encoder_add_uint256 (TallyRlpEncoder    *encoder,
                                    const TallyUint256 *value);
void tally_rlp_encoder_begin_list (TallyRlpEncoder *encoder);
void tally_rlp_encoder_end_list (TallyRlpEncoder *encoder);

/* The encoding so far; every list must be closed. The encoder is freed. */
guint8 *tally_rlp_encoder_finish (TallyRlpEncoder *encoder,
                                  gsize           *len) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TallyRlpEncoder, tally_rlp_encoder_free)

typedef enum
{
  TALLY_RLP_BYTES,
  TALLY_RLP_LIST,
} TallyRlpKind;

/* A decoded item. data/len point into the decoded input, which must outlive
 * the tree: for a byte string they are its bytes, for a list the encoded
 * items inside it. */
typedef struct _TallyRlpItem TallyRlpItem;
struct _TallyRlpItem
{
  TallyRlpKind  kind;
  const guint8 *data;
  gsize         len;
  TallyRlpItem *children; /* kind == TALLY_RLP_LIST */
  gsize         n_children;
};

/* Re-encodes a decoded item (and its children). */
void tally_rlp_encoder_add_item (TallyRlpEncoder    *encoder,
                                 const TallyRlpItem *item);

/* Exactly one canonical item spanning all of data. Fails with
 * TALLY_WALLET_ERROR_MALFORMED on truncation, trailing bytes, a non-canonical
 * length or single byte, or nesting beyond TALLY_RLP_MAX_DEPTH. */
gboolean tally_rlp_decode (TallyRlpItem **item,
                           const guint8  *data,
                           gsize          len,
                           GError       **error) G_GNUC_WARN_UNUSED_RESULT;
void     tally_rlp_item_free (TallyRlpItem *item);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TallyRlpItem, tally_rlp_item_free)

/* A canonical unsigned integer: a byte string without leading zeros, of at
 * most 32 (or 8) bytes. Zero is the empty string; 0x00 is refused. */
gboolean tally_rlp_item_get_uint256 (TallyUint256       *value,
                                     const TallyRlpItem *item,
                                     GError            **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_rlp_item_get_uint64 (guint64            *value,
                                    const TallyRlpItem *item,
                                    GError            **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
