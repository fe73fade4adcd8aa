/* abi-private.h: the ABI type and value structures, shared by abi.c and
 * abi-codec.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "abi.h"

G_BEGIN_DECLS

/* Larger static encodings (uint256[1000000]) are refused as types. */
#define TALLY_ABI_MAX_HEAD_SIZE (16u * 1024 * 1024)

struct _TallyAbiType
{
  TallyAbiKind   kind;
  guint          size;
  gboolean       dynamic;
  gsize          head_size; /* bytes in a head: 32 for dynamic types */
  TallyAbiType **components;
  guint          n_components;
};

struct _TallyAbiValue
{
  TallyAbiKind kind;
  gboolean     negative;
  guint8       word[TALLY_ABI_WORD_LEN];
  guint8      *data; /* bytes and strings, NUL-terminated */
  gsize        len;  /* also of fixed bytes, which live in word */
  GPtrArray   *items;
};

/* Splits "name(types)" into its name and parameter list. */
gboolean _tally_abi_signature_parse (char         **name,
                                     TallyAbiType **params,
                                     const char    *signature,
                                     GError       **error) G_GNUC_WARN_UNUSED_RESULT;

TallyAbiValue *_tally_abi_value_new (TallyAbiKind kind);

/* Text from a contract for a person: invalid UTF-8 becomes U+FFFD, and
 * control characters are escaped (\u000a) or, without escape, spaces. */
void _tally_abi_append_text (GString      *out,
                             const guint8 *data,
                             gsize         len,
                             gboolean      escape);

G_END_DECLS
