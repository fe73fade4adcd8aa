/* json.h: a small strict JSON reader for the wallet (RFC 8259)
 *
 * Key files, typed data for signing and contract ABIs are JSON. Numbers are
 * kept as the text the document spells, never as doubles, so an amount of
 * wei survives unchanged. What is ambiguous is refused: duplicate member
 * names, lone surrogates, invalid UTF-8, a byte order mark.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TALLY_JSON_MAX_DEPTH 64                /* nested arrays and objects */
#define TALLY_JSON_MAX_SIZE  (8 * 1024 * 1024) /* bytes of input */

typedef enum
{
  TALLY_JSON_NULL,
  TALLY_JSON_BOOLEAN,
  TALLY_JSON_NUMBER,
  TALLY_JSON_STRING,
  TALLY_JSON_ARRAY,
  TALLY_JSON_OBJECT,
} TallyJsonKind;

/* An immutable tree; only the root is freed, and nodes reached from it live
 * as long as the root does. */
typedef struct _TallyJsonNode TallyJsonNode;

/* Parses exactly one JSON value, with only whitespace around it, from text
 * (text_len bytes, which need not end in NUL). Errors are
 * TALLY_WALLET_ERROR_MALFORMED with "line L, column C" (1-based, columns in
 * characters) in the message. */
gboolean tally_json_parse (TallyJsonNode **root,
                           const char     *text,
                           gsize           text_len,
                           GError        **error) G_GNUC_WARN_UNUSED_RESULT;
void     tally_json_node_free (TallyJsonNode *root);

TallyJsonKind tally_json_node_get_kind (const TallyJsonNode *node);
/* "null", "boolean", "number", "string", "array", "object": for messages. */
const char *tally_json_kind_to_string (TallyJsonKind kind);

gboolean tally_json_node_get_boolean (const TallyJsonNode *node);
/* The number exactly as written, e.g. "-1.50e+3" or a 78-digit integer. */
const char *tally_json_node_get_number_text (const TallyJsonNode *node);
/* Valid UTF-8 with escapes decoded, NUL-terminated. A value may hold
 * U+0000 (written \u0000): length, when not NULL, receives the full length
 * in bytes; callers that take a C string should check it against strlen.
 * Member names never hold U+0000. */
const char *tally_json_node_get_string (const TallyJsonNode *node,
                                        gsize               *length);

guint                tally_json_node_get_length (const TallyJsonNode *node);
const TallyJsonNode *tally_json_node_get_element (const TallyJsonNode *node,
                                                  guint                index);

/* Members keep the order of the document. */
guint                tally_json_node_get_size (const TallyJsonNode *node);
const char          *tally_json_node_get_member_name (const TallyJsonNode *node,
                                                      guint                index);
const TallyJsonNode *tally_json_node_get_member_value (const TallyJsonNode *node,
                                                       guint                index);
/* NULL when the object has no member of that name. */
const TallyJsonNode *tally_json_node_lookup (const TallyJsonNode *node,
                                             const char          *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TallyJsonNode, tally_json_node_free)

G_END_DECLS
