/* abi.c: Solidity ABI types (parsed from their canonical text) and values
 *
 * The encoder and decoder are in abi-codec.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-wallet"

#include "config.h"

#include <string.h>

#include "abi-private.h"
#include "abi.h"
#include "error.h"
#include "keccak.h"

/* Types */

void
tally_abi_type_free (TallyAbiType *type)
{
  if (type == NULL)
    return;
  for (guint i = 0; i < type->n_components; i++)
    tally_abi_type_free (type->components[i]);
  g_free (type->components);
  g_free (type);
}

typedef struct
{
  const char *text;
  const char *p;
  guint       depth;
} TypeParser;

G_GNUC_PRINTF (3, 4)
static gboolean
type_fail (TypeParser *parser,
           GError    **error,
           const char *format,
           ...)
{
  g_autofree char *what = NULL;
  va_list          args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
               "Invalid ABI type “%s” at character %u: %s", parser->text,
               (guint) (parser->p - parser->text) + 1, what);
  return FALSE;
}

/* A decimal without sign or leading zeros, at most max; -1 if none. */
static gint64
parse_decimal (TypeParser *parser,
               gint64      max)
{
  gint64 value = 0;

  if (!g_ascii_isdigit (*parser->p) || (parser->p[0] == '0' && g_ascii_isdigit (parser->p[1])))
    return -1;
  while (g_ascii_isdigit (*parser->p))
    {
      value = value * 10 + (*parser->p++ - '0');
      if (value > max)
        return -1;
    }
  return value;
}

static TallyAbiType *
type_new (TallyAbiKind kind,
          guint        size)
{
  TallyAbiType *type = g_new0 (TallyAbiType, 1);

  type->kind = kind;
  type->size = size;
  type->head_size = TALLY_ABI_WORD_LEN;
  type->dynamic = kind == TALLY_ABI_BYTES || kind == TALLY_ABI_STRING;
  return type;
}

static gboolean
parse_elementary (TypeParser    *parser,
                  TallyAbiType **out,
                  GError       **error)
{
  const char      *start = parser->p;
  g_autofree char *name = NULL;
  gint64           n = 0;

  while (g_ascii_isalpha (*parser->p))
    parser->p++;
  name = g_strndup (start, parser->p - start);

  if (strcmp (name, "address") == 0)
    *out = type_new (TALLY_ABI_ADDRESS, 0);
  else if (strcmp (name, "bool") == 0)
    *out = type_new (TALLY_ABI_BOOL, 0);
  else if (strcmp (name, "string") == 0)
    *out = type_new (TALLY_ABI_STRING, 0);
  else if (strcmp (name, "bytes") == 0 && !g_ascii_isdigit (*parser->p))
    *out = type_new (TALLY_ABI_BYTES, 0);
  else if (strcmp (name, "bytes") == 0)
    {
      if ((n = parse_decimal (parser, 32)) < 1)
        return type_fail (parser, error, "bytes<N> needs N from 1 to 32");
      *out = type_new (TALLY_ABI_FIXED_BYTES, (guint) n);
    }
  else if (strcmp (name, "uint") == 0 || strcmp (name, "int") == 0)
    {
      if (!g_ascii_isdigit (*parser->p))
        n = 256;
      else if ((n = parse_decimal (parser, 256)) < 8 || n % 8 != 0)
        return type_fail (parser, error, "%s<N> needs N a multiple of 8 from 8 to 256", name);
      *out = type_new (name[0] == 'u' ? TALLY_ABI_UINT : TALLY_ABI_INT, (guint) n);
    }
  else
    {
      parser->p = start;
      return type_fail (parser, error, "unknown type “%s”", name);
    }
  return TRUE;
}

static gboolean parse_type (TypeParser    *parser,
                            TallyAbiType **out,
                            gboolean       allow_empty,
                            GError       **error);

static gboolean
parse_tuple (TypeParser   *parser,
             TallyAbiType *tuple,
             gboolean      allow_empty,
             GError      **error)
{
  g_autoptr (GPtrArray) components =
    g_ptr_array_new_with_free_func ((GDestroyNotify) tally_abi_type_free);
  guint64 head = 0;
  gsize   n = 0;

  g_assert (*parser->p == '(');
  parser->p++;
  if (*parser->p == ')' && !allow_empty)
    return type_fail (parser, error, "an empty tuple is only allowed as a parameter list");

  while (*parser->p != ')')
    {
      TallyAbiType *component = NULL;

      if (components->len > 0)
        {
          if (*parser->p != ',')
            return type_fail (parser, error, "expected “,” or “)”");
          parser->p++;
        }
      if (!parse_type (parser, &component, FALSE, error))
        return FALSE;
      g_ptr_array_add (components, component);
      tuple->dynamic |= component->dynamic;
      head += component->head_size;
    }
  parser->p++;

  tuple->components = (TallyAbiType **) g_ptr_array_steal (components, &n);
  tuple->n_components = (guint) n;
  tuple->head_size = tuple->dynamic ? TALLY_ABI_WORD_LEN : head;
  if (head > TALLY_ABI_MAX_HEAD_SIZE)
    return type_fail (parser, error, "the type is too large to encode");
  return TRUE;
}

static gboolean
parse_type (TypeParser    *parser,
            TallyAbiType **out,
            gboolean       allow_empty,
            GError       **error)
{
  g_autoptr (TallyAbiType) type = NULL;
  guint depth = parser->depth;

  *out = NULL;
  if (++parser->depth > TALLY_ABI_MAX_DEPTH)
    return type_fail (parser, error, "more than %u nested arrays and tuples", TALLY_ABI_MAX_DEPTH);

  if (*parser->p == '(')
    {
      type = type_new (TALLY_ABI_TUPLE, 0);
      if (!parse_tuple (parser, type, allow_empty, error))
        return FALSE;
      type->size = type->n_components;
    }
  else if (!parse_elementary (parser, &type, error))
    return FALSE;

  while (*parser->p == '[')
    {
      TallyAbiType *array;

      if (++parser->depth > TALLY_ABI_MAX_DEPTH)
        return type_fail (parser, error, "more than %u nested arrays and tuples",
                          TALLY_ABI_MAX_DEPTH);
      if (type->kind == TALLY_ABI_TUPLE && type->n_components == 0)
        return type_fail (parser, error, "an array of empty tuples");
      parser->p++;
      if (*parser->p == ']')
        {
          array = type_new (TALLY_ABI_ARRAY, 0);
          array->dynamic = TRUE;
        }
      else
        {
          gint64 k = parse_decimal (parser, TALLY_ABI_MAX_HEAD_SIZE);

          if (k < 1)
            return type_fail (parser, error, "an array length must be a number from 1 to %u",
                              TALLY_ABI_MAX_HEAD_SIZE);
          if (*parser->p != ']')
            return type_fail (parser, error, "expected “]”");
          array = type_new (TALLY_ABI_FIXED_ARRAY, (guint) k);
          array->dynamic = type->dynamic;
          if (!type->dynamic)
            {
              if ((guint64) k * type->head_size > TALLY_ABI_MAX_HEAD_SIZE)
                {
                  tally_abi_type_free (array);
                  return type_fail (parser, error, "the type is too large to encode");
                }
              array->head_size = (gsize) k * type->head_size;
            }
        }
      parser->p++;
      array->n_components = 1;
      array->components = g_new (TallyAbiType *, 1);
      array->components[0] = g_steal_pointer (&type);
      type = array;
    }

  parser->depth = depth;
  *out = g_steal_pointer (&type);
  return TRUE;
}

static gboolean
parse_whole (TallyAbiType **type,
             const char    *text,
             gsize          offset,
             GError       **error)
{
  TypeParser parser = { text, text + offset, 0 };

  if (!parse_type (&parser, type, TRUE, error))
    return FALSE;
  if (*parser.p != '\0')
    {
      g_clear_pointer (type, tally_abi_type_free);
      return type_fail (&parser, error, "unexpected “%c” after the type", *parser.p);
    }
  return TRUE;
}

gboolean
tally_abi_type_parse (TallyAbiType **type,
                      const char    *text,
                      GError       **error)
{
  g_return_val_if_fail (type != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *type = NULL;
  return parse_whole (type, text, 0, error);
}

gboolean
_tally_abi_signature_parse (char         **name,
                            TallyAbiType **params,
                            const char    *signature,
                            GError       **error)
{
  TypeParser  parser = { signature, signature, 0 };
  const char *p = signature;

  *name = NULL;
  *params = NULL;

  if (g_ascii_isalpha (*p) || *p == '_' || *p == '$')
    while (g_ascii_isalnum (*p) || *p == '_' || *p == '$')
      p++;
  if (p == signature || *p != '(')
    {
      parser.p = p;
      return type_fail (&parser, error, "a signature is a name followed by “(”");
    }
  if (!parse_whole (params, signature, p - signature, error))
    return FALSE;
  if ((*params)->kind != TALLY_ABI_TUPLE)
    {
      g_clear_pointer (params, tally_abi_type_free);
      parser.p = p;
      return type_fail (&parser, error, "the parameter list may not be an array");
    }
  *name = g_strndup (signature, p - signature);
  return TRUE;
}

TallyAbiKind
tally_abi_type_get_kind (const TallyAbiType *type)
{
  g_return_val_if_fail (type != NULL, TALLY_ABI_UINT);
  return type->kind;
}

guint
tally_abi_type_get_size (const TallyAbiType *type)
{
  g_return_val_if_fail (type != NULL, 0);
  return type->size;
}

const TallyAbiType *
tally_abi_type_get_component (const TallyAbiType *type,
                              guint               index)
{
  g_return_val_if_fail (type != NULL, NULL);
  g_return_val_if_fail (index < type->n_components, NULL);
  return type->components[index];
}

gboolean
tally_abi_type_is_dynamic (const TallyAbiType *type)
{
  g_return_val_if_fail (type != NULL, FALSE);
  return type->dynamic;
}

static void
append_type (GString            *out,
             const TallyAbiType *type)
{
  switch (type->kind)
    {
    case TALLY_ABI_UINT:
      g_string_append_printf (out, "uint%u", type->size);
      break;
    case TALLY_ABI_INT:
      g_string_append_printf (out, "int%u", type->size);
      break;
    case TALLY_ABI_ADDRESS:
      g_string_append (out, "address");
      break;
    case TALLY_ABI_BOOL:
      g_string_append (out, "bool");
      break;
    case TALLY_ABI_FIXED_BYTES:
      g_string_append_printf (out, "bytes%u", type->size);
      break;
    case TALLY_ABI_BYTES:
      g_string_append (out, "bytes");
      break;
    case TALLY_ABI_STRING:
      g_string_append (out, "string");
      break;
    case TALLY_ABI_ARRAY:
      append_type (out, type->components[0]);
      g_string_append (out, "[]");
      break;
    case TALLY_ABI_FIXED_ARRAY:
      append_type (out, type->components[0]);
      g_string_append_printf (out, "[%u]", type->size);
      break;
    case TALLY_ABI_TUPLE:
      g_string_append_c (out, '(');
      for (guint i = 0; i < type->n_components; i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          append_type (out, type->components[i]);
        }
      g_string_append_c (out, ')');
      break;
    default:
      g_assert_not_reached ();
    }
}

gchar *
tally_abi_type_to_string (const TallyAbiType *type)
{
  GString *out;

  g_return_val_if_fail (type != NULL, NULL);
  out = g_string_new (NULL);
  append_type (out, type);
  return g_string_free (out, FALSE);
}

/* Values */

TallyAbiValue *
_tally_abi_value_new (TallyAbiKind kind)
{
  TallyAbiValue *value = g_new0 (TallyAbiValue, 1);

  value->kind = kind;
  return value;
}

static void
negate_word (guint8 word[TALLY_ABI_WORD_LEN])
{
  guint carry = 1;

  for (int i = TALLY_ABI_WORD_LEN - 1; i >= 0; i--)
    {
      guint sum = (guint8) ~word[i] + carry;

      word[i] = (guint8) sum;
      carry = sum >> 8;
    }
}

TallyAbiValue *
tally_abi_value_new_uint (const TallyUint256 *value)
{
  TallyAbiValue *v;

  g_return_val_if_fail (value != NULL, NULL);
  v = _tally_abi_value_new (TALLY_ABI_UINT);
  tally_uint256_to_bytes32 (v->word, value);
  return v;
}

TallyAbiValue *
tally_abi_value_new_int (const TallyUint256 *magnitude,
                         gboolean            negative)
{
  TallyAbiValue *v;

  g_return_val_if_fail (magnitude != NULL, NULL);
  v = _tally_abi_value_new (TALLY_ABI_INT);
  tally_uint256_to_bytes32 (v->word, magnitude);
  /* The sign is kept beside the word so that a magnitude too large for
   * int256 is caught when encoding instead of wrapping around. */
  v->negative = negative && !tally_uint256_is_zero (magnitude);
  if (v->negative)
    negate_word (v->word);
  return v;
}

TallyAbiValue *
tally_abi_value_new_address (const TallyAddress *address)
{
  TallyAbiValue *v;

  g_return_val_if_fail (address != NULL, NULL);
  v = _tally_abi_value_new (TALLY_ABI_ADDRESS);
  memcpy (v->word + TALLY_ABI_WORD_LEN - TALLY_ADDRESS_LEN, address->bytes, TALLY_ADDRESS_LEN);
  return v;
}

TallyAbiValue *
tally_abi_value_new_bool (gboolean value)
{
  TallyAbiValue *v = _tally_abi_value_new (TALLY_ABI_BOOL);

  v->word[TALLY_ABI_WORD_LEN - 1] = value ? 1 : 0;
  return v;
}

TallyAbiValue *
tally_abi_value_new_fixed_bytes (const guint8 *data,
                                 gsize         len)
{
  TallyAbiValue *v;

  g_return_val_if_fail (len >= 1 && len <= TALLY_ABI_WORD_LEN, NULL);
  g_return_val_if_fail (data != NULL, NULL);
  v = _tally_abi_value_new (TALLY_ABI_FIXED_BYTES);
  memcpy (v->word, data, len);
  v->len = len;
  return v;
}

static TallyAbiValue *
value_new_data (TallyAbiKind  kind,
                const guint8 *data,
                gsize         len)
{
  TallyAbiValue *v = _tally_abi_value_new (kind);

  v->data = g_malloc (len + 1);
  if (len > 0)
    memcpy (v->data, data, len);
  v->data[len] = 0;
  v->len = len;
  return v;
}

TallyAbiValue *
tally_abi_value_new_bytes (const guint8 *data,
                           gsize         len)
{
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  return value_new_data (TALLY_ABI_BYTES, data, len);
}

TallyAbiValue *
tally_abi_value_new_string (const char *text,
                            gssize      len)
{
  g_return_val_if_fail (text != NULL || len == 0, NULL);
  return value_new_data (TALLY_ABI_STRING, (const guint8 *) text,
                         len < 0 ? strlen (text) : (gsize) len);
}

TallyAbiValue *
tally_abi_value_new_array (void)
{
  TallyAbiValue *v = _tally_abi_value_new (TALLY_ABI_ARRAY);

  v->items = g_ptr_array_new_with_free_func ((GDestroyNotify) tally_abi_value_free);
  return v;
}

TallyAbiValue *
tally_abi_value_new_tuple (void)
{
  TallyAbiValue *v = tally_abi_value_new_array ();

  v->kind = TALLY_ABI_TUPLE;
  return v;
}

void
tally_abi_value_append (TallyAbiValue *list,
                        TallyAbiValue *item)
{
  g_return_if_fail (list != NULL && list->items != NULL);
  g_return_if_fail (item != NULL);
  g_ptr_array_add (list->items, item);
}

void
tally_abi_value_free (TallyAbiValue *value)
{
  if (value == NULL)
    return;
  g_clear_pointer (&value->items, g_ptr_array_unref);
  g_free (value->data);
  g_free (value);
}

TallyAbiKind
tally_abi_value_get_kind (const TallyAbiValue *value)
{
  g_return_val_if_fail (value != NULL, TALLY_ABI_UINT);
  return value->kind;
}

void
tally_abi_value_get_uint (const TallyAbiValue *value,
                          TallyUint256        *out)
{
  g_return_if_fail (value != NULL && value->kind == TALLY_ABI_UINT);
  tally_uint256_from_bytes32 (out, value->word);
}

void
tally_abi_value_get_int (const TallyAbiValue *value,
                         TallyUint256        *magnitude,
                         gboolean            *negative)
{
  guint8 word[TALLY_ABI_WORD_LEN];

  g_return_if_fail (value != NULL && value->kind == TALLY_ABI_INT);
  memcpy (word, value->word, sizeof word);
  if (value->negative)
    negate_word (word);
  tally_uint256_from_bytes32 (magnitude, word);
  *negative = value->negative;
}

void
tally_abi_value_get_address (const TallyAbiValue *value,
                             TallyAddress        *out)
{
  g_return_if_fail (value != NULL && value->kind == TALLY_ABI_ADDRESS);
  memcpy (out->bytes, value->word + TALLY_ABI_WORD_LEN - TALLY_ADDRESS_LEN, TALLY_ADDRESS_LEN);
}

gboolean
tally_abi_value_get_bool (const TallyAbiValue *value)
{
  g_return_val_if_fail (value != NULL && value->kind == TALLY_ABI_BOOL, FALSE);
  return value->word[TALLY_ABI_WORD_LEN - 1] != 0;
}

const guint8 *
tally_abi_value_get_bytes (const TallyAbiValue *value,
                           gsize               *len)
{
  g_return_val_if_fail (value != NULL, NULL);
  g_return_val_if_fail (value->kind == TALLY_ABI_FIXED_BYTES || value->kind == TALLY_ABI_BYTES ||
                          value->kind == TALLY_ABI_STRING,
                        NULL);
  if (len != NULL)
    *len = value->len;
  return value->kind == TALLY_ABI_FIXED_BYTES ? value->word : value->data;
}

guint
tally_abi_value_get_length (const TallyAbiValue *value)
{
  g_return_val_if_fail (value != NULL && value->items != NULL, 0);
  return value->items->len;
}

const TallyAbiValue *
tally_abi_value_get_element (const TallyAbiValue *value,
                             guint                index)
{
  g_return_val_if_fail (value != NULL && value->items != NULL, NULL);
  g_return_val_if_fail (index < value->items->len, NULL);
  return g_ptr_array_index (value->items, index);
}

void
_tally_abi_append_text (GString      *out,
                        const guint8 *data,
                        gsize         len,
                        gboolean      escape)
{
  const char *p = (const char *) data;
  const char *end = p + len;

  /* By length, not up to a NUL: a NUL inside is shown, not a cut. */
  while (p < end)
    {
      gunichar c = *p == '\0' ? 0 : g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_unichar (out, 0xfffd);
          p++;
          continue;
        }
      p = *p == '\0' ? p + 1 : g_utf8_next_char (p);
      if (escape && (c == '"' || c == '\\'))
        g_string_append_printf (out, "\\%c", (char) c);
      else if (g_unichar_iscntrl (c))
        {
          if (escape)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, ' ');
        }
      else
        g_string_append_unichar (out, c);
    }
}

static void
append_value (GString             *out,
              const TallyAbiValue *value)
{
  TallyUint256 number;
  gboolean     negative = FALSE;
  char        *text;

  switch (value->kind)
    {
    case TALLY_ABI_UINT:
    case TALLY_ABI_INT:
      if (value->kind == TALLY_ABI_UINT)
        tally_abi_value_get_uint (value, &number);
      else
        tally_abi_value_get_int (value, &number, &negative);
      text = tally_uint256_to_decimal (&number);
      g_string_append_printf (out, "%s%s", negative ? "-" : "", text);
      g_free (text);
      break;
    case TALLY_ABI_ADDRESS:
      {
        TallyAddress address;
        char         buffer[TALLY_ADDRESS_STRING_SIZE];

        tally_abi_value_get_address (value, &address);
        tally_address_to_string (&address, buffer);
        g_string_append (out, buffer);
        break;
      }
    case TALLY_ABI_BOOL:
      g_string_append (out, value->word[TALLY_ABI_WORD_LEN - 1] ? "true" : "false");
      break;
    case TALLY_ABI_FIXED_BYTES:
    case TALLY_ABI_BYTES:
      g_string_append (out, "0x");
      for (gsize i = 0; i < value->len; i++)
        g_string_append_printf (out, "%02x", tally_abi_value_get_bytes (value, NULL)[i]);
      break;
    case TALLY_ABI_STRING:
      g_string_append_c (out, '"');
      _tally_abi_append_text (out, value->data, value->len, TRUE);
      g_string_append_c (out, '"');
      break;
    case TALLY_ABI_ARRAY:
    case TALLY_ABI_TUPLE:
      g_string_append_c (out, value->kind == TALLY_ABI_ARRAY ? '[' : '(');
      for (guint i = 0; i < value->items->len; i++)
        {
          if (i > 0)
            g_string_append (out, ", ");
          append_value (out, g_ptr_array_index (value->items, i));
        }
      g_string_append_c (out, value->kind == TALLY_ABI_ARRAY ? ']' : ')');
      break;
    default:
      g_assert_not_reached ();
    }
}

gchar *
tally_abi_value_to_string (const TallyAbiValue *value)
{
  GString *out;

  g_return_val_if_fail (value != NULL, NULL);
  out = g_string_new (NULL);
  append_value (out, value);
  return g_string_free (out, FALSE);
}
