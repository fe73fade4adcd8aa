/* json.c: a small strict JSON reader for the wallet (RFC 8259)
 *
 * A recursive-descent parser over an explicit length, bounded in depth and
 * size so a hostile document cannot exhaust the stack. Error positions are
 * computed only when an error is reported, from the byte offset.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-wallet"

#include "config.h"

#include <string.h>

#include "error.h"
#include "json.h"

/* Objects with more members than this get a hash index, so duplicate
 * checks and lookups stay linear in the size of the document. */
#define INDEX_THRESHOLD 8

struct _TallyJsonNode
{
  TallyJsonKind   kind;
  gboolean        boolean;
  char           *text; /* number literal or decoded string */
  gsize           text_len;
  TallyJsonNode **children;
  char          **names; /* objects only, parallel to children */
  guint           n_children;
  GHashTable     *index; /* name -> GUINT_TO_POINTER (position + 1) */
};

typedef struct
{
  const guint8 *start;
  const guint8 *p;
  const guint8 *end;
  guint         depth;
} Parser;

static void
node_free (TallyJsonNode *node)
{
  if (node == NULL)
    return;
  for (guint i = 0; i < node->n_children; i++)
    {
      node_free (node->children[i]);
      if (node->names != NULL)
        g_free (node->names[i]);
    }
  g_free (node->children);
  g_free (node->names);
  g_free (node->text);
  g_clear_pointer (&node->index, g_hash_table_unref);
  g_free (node);
}

void
tally_json_node_free (TallyJsonNode *root)
{
  node_free (root);
}

G_GNUC_PRINTF (3, 4)
static gboolean
fail_at (Parser     *parser,
         GError    **error,
         const char *format,
         ...)
{
  g_autofree char *what = NULL;
  const guint8    *at = MIN (parser->p, parser->end);
  guint            line = 1;
  guint            column = 1;
  va_list          args;

  /* Columns count characters: UTF-8 continuation bytes do not advance. */
  for (const guint8 *q = parser->start; q < at; q++)
    {
      if (*q == '\n')
        {
          line++;
          column = 1;
        }
      else if ((*q & 0xc0) != 0x80)
        column++;
    }

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
               "Invalid JSON at line %u, column %u: %s", line, column, what);
  return FALSE;
}

static void
skip_whitespace (Parser *parser)
{
  while (parser->p < parser->end &&
         (*parser->p == ' ' || *parser->p == '\t' || *parser->p == '\n' || *parser->p == '\r'))
    parser->p++;
}

static const char *
describe_byte (guint8 c)
{
  if (c < 0x20)
    return "a control character";
  if (c >= 0x80)
    return "a non-ASCII character";
  return NULL;
}

static gboolean
fail_unexpected (Parser     *parser,
                 const char *expected,
                 GError    **error)
{
  const char *what;

  if (parser->p >= parser->end)
    return fail_at (parser, error, "the document ends where %s was expected", expected);
  what = describe_byte (*parser->p);
  if (what != NULL)
    return fail_at (parser, error, "%s where %s was expected", what, expected);
  return fail_at (parser, error, "unexpected “%c” where %s was expected", *parser->p, expected);
}

/* Decodes one strictly valid UTF-8 sequence (no overlong forms, no
 * surrogates, nothing above U+10FFFF); returns its length, 0 if invalid. */
static gsize
utf8_sequence_length (const guint8 *p,
                      const guint8 *end)
{
  gsize    avail = (gsize) (end - p);
  guint8   c = p[0];
  gsize    len;
  gunichar cp;
  gunichar min;

  if (c < 0x80)
    return 1;
  else if (c >= 0xc2 && c <= 0xdf)
    len = 2, cp = c & 0x1f, min = 0x80;
  else if (c >= 0xe0 && c <= 0xef)
    len = 3, cp = c & 0x0f, min = 0x800;
  else if (c >= 0xf0 && c <= 0xf4)
    len = 4, cp = c & 0x07, min = 0x10000;
  else
    return 0;

  if (avail < len)
    return 0;
  for (gsize i = 1; i < len; i++)
    {
      if ((p[i] & 0xc0) != 0x80)
        return 0;
      cp = (cp << 6) | (p[i] & 0x3f);
    }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return len;
}

static gboolean
parse_hex4 (Parser   *parser,
            gunichar *out,
            GError  **error)
{
  gunichar value = 0;

  for (guint i = 0; i < 4; i++)
    {
      int digit = parser->p < parser->end ? g_ascii_xdigit_value (*parser->p) : -1;

      if (digit < 0)
        return fail_at (parser, error, "a \\u escape needs four hexadecimal digits");
      value = (value << 4) | (gunichar) digit;
      parser->p++;
    }
  *out = value;
  return TRUE;
}

static gboolean
parse_escape (Parser  *parser,
              GString *out,
              GError **error)
{
  const guint8 *escape = parser->p; /* at the backslash */
  gunichar      cp;
  char          utf8[6];

  parser->p++;
  if (parser->p >= parser->end)
    return fail_at (parser, error, "the document ends inside an escape sequence");

  switch (*parser->p++)
    {
    case '"':
      g_string_append_c (out, '"');
      return TRUE;
    case '\\':
      g_string_append_c (out, '\\');
      return TRUE;
    case '/':
      g_string_append_c (out, '/');
      return TRUE;
    case 'b':
      g_string_append_c (out, '\b');
      return TRUE;
    case 'f':
      g_string_append_c (out, '\f');
      return TRUE;
    case 'n':
      g_string_append_c (out, '\n');
      return TRUE;
    case 'r':
      g_string_append_c (out, '\r');
      return TRUE;
    case 't':
      g_string_append_c (out, '\t');
      return TRUE;
    case 'u':
      break;
    default:
      parser->p = escape;
      return fail_at (parser, error, "unknown escape sequence “\\%c”",
                      g_ascii_isprint (escape[1]) ? escape[1] : '?');
    }

  if (!parse_hex4 (parser, &cp, error))
    return FALSE;

  if (cp >= 0xdc00 && cp <= 0xdfff)
    {
      parser->p = escape;
      return fail_at (parser, error, "a low surrogate (\\u%04X) without a high surrogate before it",
                      cp);
    }
  if (cp >= 0xd800 && cp <= 0xdbff)
    {
      gunichar low;

      if (parser->end - parser->p < 2 || parser->p[0] != '\\' || parser->p[1] != 'u')
        {
          parser->p = escape;
          return fail_at (parser, error, "a high surrogate (\\u%04X) not followed by a low one", cp);
        }
      parser->p += 2;
      if (!parse_hex4 (parser, &low, error))
        return FALSE;
      if (low < 0xdc00 || low > 0xdfff)
        {
          parser->p = escape;
          return fail_at (parser, error, "a high surrogate (\\u%04X) not followed by a low one", cp);
        }
      cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
    }

  g_string_append_len (out, utf8, g_unichar_to_utf8 (cp, utf8));
  return TRUE;
}

/* Parses a string at the opening quote into out. */
static gboolean
parse_string (Parser  *parser,
              GString *out,
              GError **error)
{
  g_assert (parser->p < parser->end && *parser->p == '"');
  parser->p++;

  for (;;)
    {
      const guint8 *run = parser->p;
      gsize         seq;

      /* Copy plain ASCII in runs; it is the common case. */
      while (parser->p < parser->end && *parser->p >= 0x20 && *parser->p < 0x80 &&
             *parser->p != '"' && *parser->p != '\\')
        parser->p++;
      g_string_append_len (out, (const char *) run, parser->p - run);

      if (parser->p >= parser->end)
        return fail_at (parser, error, "the document ends inside a string");

      switch (*parser->p)
        {
        case '"':
          parser->p++;
          return TRUE;
        case '\\':
          if (!parse_escape (parser, out, error))
            return FALSE;
          break;
        default:
          if (*parser->p < 0x20)
            return fail_at (parser, error,
                            "a control character (0x%02X) inside a string must be escaped",
                            *parser->p);
          seq = utf8_sequence_length (parser->p, parser->end);
          if (seq == 0)
            return fail_at (parser, error, "invalid UTF-8 inside a string");
          g_string_append_len (out, (const char *) parser->p, seq);
          parser->p += seq;
          break;
        }
    }
}

static gsize
skip_digits (Parser *parser)
{
  const guint8 *from = parser->p;

  while (parser->p < parser->end && g_ascii_isdigit (*parser->p))
    parser->p++;
  return (gsize) (parser->p - from);
}

static gboolean
parse_number (Parser        *parser,
              TallyJsonNode *node,
              GError       **error)
{
  const guint8 *from = parser->p;

  if (*parser->p == '-')
    parser->p++;
  if (parser->p < parser->end && *parser->p == '0')
    {
      parser->p++;
      if (parser->p < parser->end && g_ascii_isdigit (*parser->p))
        return fail_at (parser, error, "a number may not have a leading zero");
    }
  else if (skip_digits (parser) == 0)
    return fail_at (parser, error, "a number needs a digit after its sign");

  if (parser->p < parser->end && *parser->p == '.')
    {
      parser->p++;
      if (skip_digits (parser) == 0)
        return fail_at (parser, error, "a number needs a digit after its decimal point");
    }
  if (parser->p < parser->end && (*parser->p == 'e' || *parser->p == 'E'))
    {
      parser->p++;
      if (parser->p < parser->end && (*parser->p == '+' || *parser->p == '-'))
        parser->p++;
      if (skip_digits (parser) == 0)
        return fail_at (parser, error, "a number needs a digit in its exponent");
    }

  node->kind = TALLY_JSON_NUMBER;
  node->text_len = (gsize) (parser->p - from);
  node->text = g_strndup ((const char *) from, node->text_len);
  return TRUE;
}

static gboolean
parse_literal (Parser        *parser,
               const char    *word,
               TallyJsonNode *node,
               GError       **error)
{
  gsize len = strlen (word);

  if ((gsize) (parser->end - parser->p) < len || memcmp (parser->p, word, len) != 0)
    return fail_unexpected (parser, "a value", error);
  parser->p += len;
  return TRUE;
}

static gboolean parse_value (Parser        *parser,
                             TallyJsonNode *node,
                             GError       **error);

static void
add_child (TallyJsonNode *node,
           TallyJsonNode *child,
           char          *name,
           guint         *allocated)
{
  if (node->n_children == *allocated)
    {
      *allocated = MAX (4, *allocated * 2);
      node->children = g_renew (TallyJsonNode *, node->children, *allocated);
      if (node->kind == TALLY_JSON_OBJECT)
        node->names = g_renew (char *, node->names, *allocated);
    }
  node->children[node->n_children] = child;
  if (node->kind == TALLY_JSON_OBJECT)
    node->names[node->n_children] = name;
  node->n_children++;
}

static gboolean
has_member (TallyJsonNode *node,
            const char    *name)
{
  if (node->index != NULL)
    return g_hash_table_contains (node->index, name);
  for (guint i = 0; i < node->n_children; i++)
    if (strcmp (node->names[i], name) == 0)
      return TRUE;
  return FALSE;
}

static void
index_member (TallyJsonNode *node)
{
  if (node->n_children == INDEX_THRESHOLD + 1)
    {
      node->index = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; i < node->n_children; i++)
        g_hash_table_insert (node->index, node->names[i], GUINT_TO_POINTER (i + 1));
    }
  else if (node->index != NULL)
    g_hash_table_insert (node->index, node->names[node->n_children - 1],
                         GUINT_TO_POINTER (node->n_children));
}

static gboolean
parse_container (Parser        *parser,
                 TallyJsonNode *node,
                 GError       **error)
{
  gboolean object = *parser->p == '{';
  char     close = object ? '}' : ']';
  guint    allocated = 0;

  if (parser->depth >= TALLY_JSON_MAX_DEPTH)
    return fail_at (parser, error, "more than %u nested arrays and objects", TALLY_JSON_MAX_DEPTH);
  parser->depth++;
  parser->p++;
  node->kind = object ? TALLY_JSON_OBJECT : TALLY_JSON_ARRAY;

  skip_whitespace (parser);
  if (parser->p < parser->end && *parser->p == close)
    {
      parser->p++;
      parser->depth--;
      return TRUE;
    }

  for (;;)
    {
      TallyJsonNode *child;
      char          *name = NULL;

      if (object)
        {
          const guint8 *name_at = parser->p;
          g_autoptr (GString) buffer = NULL;

          if (parser->p >= parser->end || *parser->p != '"')
            return fail_unexpected (parser, "a member name in quotes", error);
          buffer = g_string_new (NULL);
          if (!parse_string (parser, buffer, error))
            return FALSE;
          if (memchr (buffer->str, '\0', buffer->len) != NULL)
            {
              parser->p = name_at;
              return fail_at (parser, error, "a member name may not contain U+0000");
            }
          if (has_member (node, buffer->str))
            {
              parser->p = name_at;
              return fail_at (parser, error, "the member name “%s” appears twice", buffer->str);
            }
          skip_whitespace (parser);
          if (parser->p >= parser->end || *parser->p != ':')
            return fail_unexpected (parser, "“:” after a member name", error);
          parser->p++;
          skip_whitespace (parser);
          name = g_string_free (g_steal_pointer (&buffer), FALSE);
        }

      child = g_new0 (TallyJsonNode, 1);
      add_child (node, child, name, &allocated);
      if (object)
        index_member (node);
      if (!parse_value (parser, child, error))
        return FALSE;

      skip_whitespace (parser);
      if (parser->p < parser->end && *parser->p == ',')
        {
          parser->p++;
          skip_whitespace (parser);
          if (parser->p < parser->end && *parser->p == close)
            return fail_at (parser, error, "a trailing comma before “%c”", close);
          continue;
        }
      if (parser->p < parser->end && *parser->p == close)
        {
          parser->p++;
          parser->depth--;
          return TRUE;
        }
      return fail_unexpected (parser, object ? "“,” or “}”" : "“,” or “]”", error);
    }
}

static gboolean
parse_value (Parser        *parser,
             TallyJsonNode *node,
             GError       **error)
{
  if (parser->p >= parser->end)
    return fail_unexpected (parser, "a value", error);

  switch (*parser->p)
    {
    case '{':
    case '[':
      return parse_container (parser, node, error);
    case '"':
      {
        GString *buffer = g_string_new (NULL);

        if (!parse_string (parser, buffer, error))
          {
            g_string_free (buffer, TRUE);
            return FALSE;
          }
        node->kind = TALLY_JSON_STRING;
        node->text_len = buffer->len;
        node->text = g_string_free (buffer, FALSE);
        return TRUE;
      }
    case 't':
      node->kind = TALLY_JSON_BOOLEAN;
      node->boolean = TRUE;
      return parse_literal (parser, "true", node, error);
    case 'f':
      node->kind = TALLY_JSON_BOOLEAN;
      return parse_literal (parser, "false", node, error);
    case 'n':
      node->kind = TALLY_JSON_NULL;
      return parse_literal (parser, "null", node, error);
    case '-':
    case '0' ... '9':
      return parse_number (parser, node, error);
    default:
      return fail_unexpected (parser, "a value", error);
    }
}

gboolean
tally_json_parse (TallyJsonNode **root,
                  const char     *text,
                  gsize           text_len,
                  GError        **error)
{
  g_autoptr (TallyJsonNode) node = NULL;
  Parser parser;

  g_return_val_if_fail (root != NULL, FALSE);
  g_return_val_if_fail (text != NULL || text_len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *root = NULL;

  if (text_len > TALLY_JSON_MAX_SIZE)
    {
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                   "The JSON document is too large (%" G_GSIZE_FORMAT " bytes; at most %u)",
                   text_len, (guint) TALLY_JSON_MAX_SIZE);
      return FALSE;
    }

  parser.start = (const guint8 *) text;
  parser.p = parser.start;
  parser.end = parser.start + text_len;
  parser.depth = 0;

  /* RFC 8259 §8.1: a byte order mark must not be added; refusing it keeps
   * every accepted document in one canonical form. */
  if (text_len >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0)
    return fail_at (&parser, error, "a byte order mark is not allowed");

  node = g_new0 (TallyJsonNode, 1);
  skip_whitespace (&parser);
  if (!parse_value (&parser, node, error))
    return FALSE;
  skip_whitespace (&parser);
  if (parser.p != parser.end)
    return fail_unexpected (&parser, "the end of the document", error);

  *root = g_steal_pointer (&node);
  return TRUE;
}

TallyJsonKind
tally_json_node_get_kind (const TallyJsonNode *node)
{
  g_return_val_if_fail (node != NULL, TALLY_JSON_NULL);
  return node->kind;
}

const char *
tally_json_kind_to_string (TallyJsonKind kind)
{
  switch (kind)
    {
    case TALLY_JSON_NULL:
      return "null";
    case TALLY_JSON_BOOLEAN:
      return "boolean";
    case TALLY_JSON_NUMBER:
      return "number";
    case TALLY_JSON_STRING:
      return "string";
    case TALLY_JSON_ARRAY:
      return "array";
    case TALLY_JSON_OBJECT:
      return "object";
    default:
      g_return_val_if_reached ("unknown");
    }
}

gboolean
tally_json_node_get_boolean (const TallyJsonNode *node)
{
  g_return_val_if_fail (node != NULL && node->kind == TALLY_JSON_BOOLEAN, FALSE);
  return node->boolean;
}

const char *
tally_json_node_get_number_text (const TallyJsonNode *node)
{
  g_return_val_if_fail (node != NULL && node->kind == TALLY_JSON_NUMBER, NULL);
  return node->text;
}

const char *
tally_json_node_get_string (const TallyJsonNode *node,
                            gsize               *length)
{
  if (length != NULL)
    *length = 0;
  g_return_val_if_fail (node != NULL && node->kind == TALLY_JSON_STRING, NULL);
  if (length != NULL)
    *length = node->text_len;
  return node->text;
}

guint
tally_json_node_get_length (const TallyJsonNode *node)
{
  g_return_val_if_fail (node != NULL && node->kind == TALLY_JSON_ARRAY, 0);
  return node->n_children;
}

const TallyJsonNode *
tally_json_node_get_element (const TallyJsonNode *node,
                             guint                index)
{
  g_return_val_if_fail (node != NULL && node->kind == TALLY_JSON_ARRAY, NULL);
  g_return_val_if_fail (index < node->n_children, NULL);
  return node->children[index];
}

guint
tally_json_node_get_size (const TallyJsonNode *node)
{
  g_return_val_if_fail (node != NULL && node->kind == TALLY_JSON_OBJECT, 0);
  return node->n_children;
}

const char *
tally_json_node_get_member_name (const TallyJsonNode *node,
                                 guint                index)
{
  g_return_val_if_fail (node != NULL && node->kind == TALLY_JSON_OBJECT, NULL);
  g_return_val_if_fail (index < node->n_children, NULL);
  return node->names[index];
}

const TallyJsonNode *
tally_json_node_get_member_value (const TallyJsonNode *node,
                                  guint                index)
{
  g_return_val_if_fail (node != NULL && node->kind == TALLY_JSON_OBJECT, NULL);
  g_return_val_if_fail (index < node->n_children, NULL);
  return node->children[index];
}

const TallyJsonNode *
tally_json_node_lookup (const TallyJsonNode *node,
                        const char          *name)
{
  g_return_val_if_fail (node != NULL && node->kind == TALLY_JSON_OBJECT, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (node->index != NULL)
    {
      guint position = GPOINTER_TO_UINT (g_hash_table_lookup (node->index, name));

      return position == 0 ? NULL : node->children[position - 1];
    }
  for (guint i = 0; i < node->n_children; i++)
    if (strcmp (node->names[i], name) == 0)
      return node->children[i];
  return NULL;
}
