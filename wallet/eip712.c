/* eip712.c: EIP-712 typed structured data: hashing and signing
 *
 * Follows the EIP text (https://eips.ethereum.org/EIPS/eip-712) and
 * eth_signTypedData_v4 for arrays: an array is encoded as the keccak256 of
 * the concatenated encodings of its elements. Every value is checked
 * against its type before anything is hashed; see eip712.h for what is
 * refused.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-wallet"

#include "config.h"

#include <string.h>

#include "eip712.h"
#include "error.h"
#include "hex.h"
#include "keccak.h"
#include "uint256.h"

#define WORD_LEN 32
#define DOMAIN   "EIP712Domain"

typedef enum
{
  ATOM_NONE,
  ATOM_UINT,
  ATOM_INT,
  ATOM_ADDRESS,
  ATOM_BOOL,
  ATOM_FIXED_BYTES,
  ATOM_BYTES,
  ATOM_STRING,
} Atom;

G_GNUC_PRINTF (3, 4)
static gboolean
fail (GError    **error,
      GString    *path,
      const char *format,
      ...)
{
  g_autofree char *what = NULL;
  va_list          args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  if (path != NULL && path->len > 0)
    g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                 "Typed data, at %s: %s", path->str, what);
  else
    g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED, "Typed data: %s", what);
  return FALSE;
}

/* A decimal size without leading zeros, in [min, max], that ends the
 * string; -1 otherwise. */
static int
parse_size (const char *text,
            int         min,
            int         max)
{
  int value = 0;

  if (!g_ascii_isdigit (text[0]) || (text[0] == '0' && text[1] != '\0'))
    return -1;
  for (; *text != '\0'; text++)
    {
      int digit = *text - '0';

      if (!g_ascii_isdigit (*text))
        return -1;
      /* Checked before multiplying: a long digit string must not overflow. */
      if (value > (max - digit) / 10)
        return -1;
      value = value * 10 + digit;
    }
  return value < min ? -1 : value;
}

static Atom
parse_atom (const char *name,
            guint      *size)
{
  int n;

  *size = 0;
  if (strcmp (name, "address") == 0)
    return ATOM_ADDRESS;
  if (strcmp (name, "bool") == 0)
    return ATOM_BOOL;
  if (strcmp (name, "string") == 0)
    return ATOM_STRING;
  if (strcmp (name, "bytes") == 0)
    return ATOM_BYTES;
  if (g_str_has_prefix (name, "bytes") && (n = parse_size (name + 5, 1, 32)) > 0)
    return *size = n, ATOM_FIXED_BYTES;
  if (g_str_has_prefix (name, "uint") && (n = parse_size (name + 4, 8, 256)) > 0 && n % 8 == 0)
    return *size = n, ATOM_UINT;
  if (g_str_has_prefix (name, "int") && (n = parse_size (name + 3, 8, 256)) > 0 && n % 8 == 0)
    return *size = n, ATOM_INT;
  return ATOM_NONE;
}

/* "T[2][]" -> inner "T[2]", length -1 (dynamic); FALSE if not an array. */
static gboolean
split_array (const char *type,
             char      **inner,
             int        *length)
{
  gsize       len = strlen (type);
  const char *open;

  if (len == 0 || type[len - 1] != ']' || (open = strrchr (type, '[')) == NULL)
    return FALSE;
  *inner = g_strndup (type, open - type);
  if (open[1] == ']')
    *length = -1;
  else
    {
      g_autofree char *digits = g_strndup (open + 1, type + len - 1 - (open + 1));

      /* -2 marks a malformed length; -1 is a dynamic array. */
      *length = parse_size (digits, 1, G_MAXINT / 2);
      if (*length < 0)
        *length = -2;
    }
  return TRUE;
}

static gboolean
is_identifier (const char *name)
{
  if (!(g_ascii_isalpha (name[0]) || name[0] == '_' || name[0] == '$'))
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!(g_ascii_isalnum (*p) || *p == '_' || *p == '$'))
      return FALSE;
  return TRUE;
}

/* Checks a field's type text resolves, and returns its base (struct or
 * atom) name in *base. */
static gboolean
check_field_type (const TallyJsonNode *types,
                  const char          *type,
                  char               **base,
                  GError             **error)
{
  g_autofree char *current = g_strdup (type);
  char            *inner = NULL;
  int              length;
  guint            size;

  while (split_array (current, &inner, &length))
    {
      g_free (current);
      current = inner;
      if (length < -1)
        return fail (error, NULL, "the array type “%s” has an invalid length", type);
    }
  if (parse_atom (current, &size) == ATOM_NONE &&
      (tally_json_node_lookup (types, current) == NULL || strchr (current, '[') != NULL))
    return fail (error, NULL, "the type “%s” is not defined", type);
  *base = g_steal_pointer (&current);
  return TRUE;
}

static gboolean
validate_types (const TallyJsonNode *types,
                GError             **error)
{
  guint size;

  if (tally_json_node_get_kind (types) != TALLY_JSON_OBJECT)
    return fail (error, NULL, "“types” must be an object, not %s",
                 tally_json_kind_to_string (tally_json_node_get_kind (types)));

  for (guint i = 0; i < tally_json_node_get_size (types); i++)
    {
      const char          *name = tally_json_node_get_member_name (types, i);
      const TallyJsonNode *fields = tally_json_node_get_member_value (types, i);
      g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

      if (!is_identifier (name) || parse_atom (name, &size) != ATOM_NONE)
        return fail (error, NULL, "“%s” is not a valid struct type name", name);
      if (tally_json_node_get_kind (fields) != TALLY_JSON_ARRAY)
        return fail (error, NULL, "the fields of “%s” must be an array", name);

      for (guint j = 0; j < tally_json_node_get_length (fields); j++)
        {
          const TallyJsonNode *field = tally_json_node_get_element (fields, j);
          const TallyJsonNode *field_name;
          const TallyJsonNode *field_type;
          g_autofree char     *base = NULL;
          const char          *text;
          gsize                len;

          if (tally_json_node_get_kind (field) != TALLY_JSON_OBJECT ||
              tally_json_node_get_size (field) != 2 ||
              (field_name = tally_json_node_lookup (field, "name")) == NULL ||
              (field_type = tally_json_node_lookup (field, "type")) == NULL ||
              tally_json_node_get_kind (field_name) != TALLY_JSON_STRING ||
              tally_json_node_get_kind (field_type) != TALLY_JSON_STRING)
            return fail (error, NULL,
                         "field %u of “%s” must be an object with exactly a string “name” "
                         "and a string “type”",
                         j + 1, name);
          text = tally_json_node_get_string (field_name, &len);
          if (strlen (text) != len || !is_identifier (text))
            return fail (error, NULL, "“%s” is not a valid field name in “%s”", text, name);
          if (!g_hash_table_add (seen, (gpointer) text))
            return fail (error, NULL, "the field “%s” appears twice in “%s”", text, name);
          /* A U+0000 would make this reader and another see different types. */
          text = tally_json_node_get_string (field_type, &len);
          if (strlen (text) != len)
            return fail (error, NULL, "the type of field %u of “%s” contains U+0000", j + 1, name);
          if (!check_field_type (types, text, &base, error))
            return FALSE;
        }
    }
  return TRUE;
}

/* encodeType */

/* Every struct type reachable from name, name excluded, into found. A
 * worklist, not recursion: a hostile document may chain thousands of
 * types. */
static void
collect_dependencies (const TallyJsonNode *types,
                      const char          *name,
                      GPtrArray           *found)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_add (seen, (gpointer) name);
  for (guint next = 0; next <= found->len; next++)
    {
      const char          *current = next == 0 ? name : g_ptr_array_index (found, next - 1);
      const TallyJsonNode *fields = tally_json_node_lookup (types, current);

      for (guint j = 0; j < tally_json_node_get_length (fields); j++)
        {
          const TallyJsonNode *field = tally_json_node_get_element (fields, j);
          const char          *type =
            tally_json_node_get_string (tally_json_node_lookup (field, "type"), NULL);
          g_autofree char *base = g_strndup (type, strcspn (type, "["));
          guint            size;

          if (parse_atom (base, &size) != ATOM_NONE || g_hash_table_contains (seen, base))
            continue;
          g_hash_table_add (seen, base);
          g_ptr_array_add (found, g_steal_pointer (&base));
        }
    }
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void
append_struct (GString             *out,
               const TallyJsonNode *types,
               const char          *name)
{
  const TallyJsonNode *fields = tally_json_node_lookup (types, name);

  g_string_append_printf (out, "%s(", name);
  for (guint j = 0; j < tally_json_node_get_length (fields); j++)
    {
      const TallyJsonNode *field = tally_json_node_get_element (fields, j);

      g_string_append_printf (
        out, "%s%s %s", j > 0 ? "," : "",
        tally_json_node_get_string (tally_json_node_lookup (field, "type"), NULL),
        tally_json_node_get_string (tally_json_node_lookup (field, "name"), NULL));
    }
  g_string_append_c (out, ')');
}

/* types must have been validated. */
static char *
encode_type (const TallyJsonNode *types,
             const char          *name)
{
  g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  GString *out = g_string_new (NULL);

  collect_dependencies (types, name, found);
  g_ptr_array_sort (found, compare_names);

  append_struct (out, types, name);
  for (guint i = 0; i < found->len; i++)
    append_struct (out, types, g_ptr_array_index (found, i));
  return g_string_free (out, FALSE);
}

gboolean
tally_eip712_encode_type (char               **encoded,
                          const TallyJsonNode *types,
                          const char          *type_name,
                          GError             **error)
{
  g_return_val_if_fail (encoded != NULL, FALSE);
  g_return_val_if_fail (types != NULL && type_name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *encoded = NULL;
  if (!validate_types (types, error))
    return FALSE;
  if (tally_json_node_lookup (types, type_name) == NULL)
    return fail (error, NULL, "the type “%s” is not defined", type_name);
  *encoded = encode_type (types, type_name);
  return TRUE;
}

/* encodeData */

static gboolean hash_struct (guint8               out[WORD_LEN],
                             const TallyJsonNode *types,
                             GHashTable          *type_hashes,
                             const char          *name,
                             const TallyJsonNode *value,
                             GString             *path,
                             GError             **error);

static gboolean
wrong_kind (const TallyJsonNode *value,
            const char          *expected,
            GString             *path,
            GError             **error)
{
  return fail (error, path, "expected %s, got %s", expected,
               tally_json_kind_to_string (tally_json_node_get_kind (value)));
}

/* An integer as a JSON integer or a string: decimal or 0x-hex, with a '-'
 * allowed in front. */
static gboolean
parse_integer (const TallyJsonNode *value,
               TallyUint256        *magnitude,
               gboolean            *negative,
               GString             *path,
               GError             **error)
{
  g_autoptr (GError) local = NULL;
  const char *text;

  if (tally_json_node_get_kind (value) == TALLY_JSON_NUMBER)
    {
      text = tally_json_node_get_number_text (value);
      if (strpbrk (text, ".eE") != NULL)
        return fail (error, path, "the number %s is not an integer", text);
    }
  else if (tally_json_node_get_kind (value) == TALLY_JSON_STRING)
    {
      gsize len;

      text = tally_json_node_get_string (value, &len);
      if (strlen (text) != len)
        return fail (error, path, "an integer string may not contain U+0000");
    }
  else
    return wrong_kind (value, "an integer (a number or a string)", path, error);

  *negative = text[0] == '-';
  if (!tally_uint256_parse (magnitude, text + (*negative ? 1 : 0), &local))
    return fail (error, path, "“%s” is not an integer: %s", text, local->message);
  if (tally_uint256_is_zero (magnitude))
    *negative = FALSE;
  return TRUE;
}

static gboolean
encode_integer (guint8               out[WORD_LEN],
                Atom                 atom,
                guint                bits,
                const TallyJsonNode *value,
                GString             *path,
                GError             **error)
{
  TallyUint256 magnitude;
  gboolean     negative = FALSE;

  if (!parse_integer (value, &magnitude, &negative, path, error))
    return FALSE;

  if (atom == ATOM_UINT)
    {
      if (negative)
        return fail (error, path, "uint%u cannot be negative", bits);
      if (tally_uint256_bit_length (&magnitude) > bits)
        return fail (error, path, "the value does not fit in uint%u", bits);
    }
  else
    {
      /* int<N> holds -2^(N-1) .. 2^(N-1) - 1. */
      guint8       word[WORD_LEN] = { 0 };
      TallyUint256 limit;

      word[WORD_LEN - 1 - (bits - 1) / 8] = (guint8) (1u << ((bits - 1) % 8));
      tally_uint256_from_bytes32 (&limit, word);
      if (tally_uint256_cmp (&magnitude, &limit) > (negative ? 0 : -1))
        return fail (error, path, "the value does not fit in int%u", bits);
    }

  tally_uint256_to_bytes32 (out, &magnitude);
  if (negative)
    {
      guint carry = 1;

      for (int i = WORD_LEN - 1; i >= 0; i--)
        {
          guint sum = (guint8) ~out[i] + carry;

          out[i] = (guint8) sum;
          carry = sum >> 8;
        }
    }
  return TRUE;
}

static gboolean
get_hex_string (const TallyJsonNode *value,
                const char         **text,
                gsize               *len,
                GString             *path,
                GError             **error)
{
  if (tally_json_node_get_kind (value) != TALLY_JSON_STRING)
    return wrong_kind (value, "a 0x-prefixed hexadecimal string", path, error);
  *text = tally_json_node_get_string (value, len);
  if (*len < 2 || (*text)[0] != '0' || (*text)[1] != 'x')
    return fail (error, path, "expected a 0x-prefixed hexadecimal string");
  return TRUE;
}

static gboolean
encode_value (guint8               out[WORD_LEN],
              const TallyJsonNode *types,
              GHashTable          *type_hashes,
              const char          *type,
              const TallyJsonNode *value,
              GString             *path,
              GError             **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *inner = NULL;
  const char      *text;
  gsize            len;
  int              length;
  guint            size;

  memset (out, 0, WORD_LEN);

  if (split_array (type, &inner, &length))
    {
      TallyKeccak256 ctx;
      gsize          path_len = path->len;

      if (tally_json_node_get_kind (value) != TALLY_JSON_ARRAY)
        return wrong_kind (value, "an array", path, error);
      if (length >= 0 && tally_json_node_get_length (value) != (guint) length)
        return fail (error, path, "expected %d elements for %s, got %u", length, type,
                     tally_json_node_get_length (value));

      tally_keccak256_init (&ctx);
      for (guint i = 0; i < tally_json_node_get_length (value); i++)
        {
          guint8 word[WORD_LEN];

          g_string_append_printf (path, "[%u]", i);
          if (!encode_value (word, types, type_hashes, inner,
                             tally_json_node_get_element (value, i), path, error))
            return FALSE;
          g_string_truncate (path, path_len);
          tally_keccak256_update (&ctx, word, sizeof word);
        }
      tally_keccak256_final (&ctx, out);
      return TRUE;
    }

  switch (parse_atom (type, &size))
    {
    case ATOM_NONE:
      return hash_struct (out, types, type_hashes, type, value, path, error);
    case ATOM_UINT:
    case ATOM_INT:
      return encode_integer (out, parse_atom (type, &size), size, value, path, error);
    case ATOM_ADDRESS:
      {
        TallyAddress address;

        if (tally_json_node_get_kind (value) != TALLY_JSON_STRING)
          return wrong_kind (value, "an address string", path, error);
        text = tally_json_node_get_string (value, &len);
        if (strlen (text) != len || !tally_address_parse (&address, text, &local))
          return fail (error, path, "“%s” is not an address: %s", text,
                       local != NULL ? local->message : "it contains U+0000");
        memcpy (out + WORD_LEN - TALLY_ADDRESS_LEN, address.bytes, TALLY_ADDRESS_LEN);
        return TRUE;
      }
    case ATOM_BOOL:
      if (tally_json_node_get_kind (value) != TALLY_JSON_BOOLEAN)
        return wrong_kind (value, "true or false", path, error);
      out[WORD_LEN - 1] = tally_json_node_get_boolean (value) ? 1 : 0;
      return TRUE;
    case ATOM_FIXED_BYTES:
      if (!get_hex_string (value, &text, &len, path, error))
        return FALSE;
      if (!tally_hex_decode_fixed (out, size, text, len, &local))
        return fail (error, path, "not a value of type %s: %s", type, local->message);
      return TRUE;
    case ATOM_BYTES:
      {
        g_autofree guint8 *bytes = NULL;
        gsize              bytes_len = 0;

        if (!get_hex_string (value, &text, &len, path, error))
          return FALSE;
        if (!tally_hex_decode (&bytes, &bytes_len, text, len, &local))
          return fail (error, path, "not a value of type bytes: %s", local->message);
        tally_keccak256 (out, bytes, bytes_len);
        return TRUE;
      }
    case ATOM_STRING:
      if (tally_json_node_get_kind (value) != TALLY_JSON_STRING)
        return wrong_kind (value, "a string", path, error);
      text = tally_json_node_get_string (value, &len);
      tally_keccak256 (out, (const guint8 *) text, len);
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
hash_struct (guint8               out[WORD_LEN],
             const TallyJsonNode *types,
             GHashTable          *type_hashes,
             const char          *name,
             const TallyJsonNode *value,
             GString             *path,
             GError             **error)
{
  const TallyJsonNode *fields = tally_json_node_lookup (types, name);
  guint8              *type_hash;
  gsize                path_len = path->len;
  TallyKeccak256       ctx;
  guint8               word[WORD_LEN];

  g_assert (fields != NULL);
  memset (out, 0, WORD_LEN);
  if (tally_json_node_get_kind (value) != TALLY_JSON_OBJECT)
    {
      g_autofree char *expected = g_strdup_printf ("an object (%s)", name);

      return wrong_kind (value, expected, path, error);
    }

  /* A member that is not a field would be shown but not signed. Members
   * are unique and every field must be present, so there is one exactly
   * when there are more members than fields; only then is it looked for. */
  if (tally_json_node_get_size (value) > tally_json_node_get_length (fields))
    {
      g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint j = 0; j < tally_json_node_get_length (fields); j++)
        g_hash_table_add (names, (gpointer) tally_json_node_get_string (
                                   tally_json_node_lookup (tally_json_node_get_element (fields, j),
                                                           "name"),
                                   NULL));
      for (guint i = 0; i < tally_json_node_get_size (value); i++)
        if (!g_hash_table_contains (names, tally_json_node_get_member_name (value, i)))
          return fail (error, path, "“%s” is not a field of %s",
                       tally_json_node_get_member_name (value, i), name);
      g_assert_not_reached ();
    }

  /* typeHash once per type and document: encodeType walks every type
   * reachable from this one. */
  type_hash = g_hash_table_lookup (type_hashes, name);
  if (type_hash == NULL)
    {
      g_autofree char *encoded_type = encode_type (types, name);

      type_hash = g_malloc (WORD_LEN);
      tally_keccak256 (type_hash, (const guint8 *) encoded_type, strlen (encoded_type));
      g_hash_table_insert (type_hashes, g_strdup (name), type_hash);
    }
  tally_keccak256_init (&ctx);
  tally_keccak256_update (&ctx, type_hash, WORD_LEN);

  for (guint j = 0; j < tally_json_node_get_length (fields); j++)
    {
      const TallyJsonNode *field = tally_json_node_get_element (fields, j);
      const char          *field_name =
        tally_json_node_get_string (tally_json_node_lookup (field, "name"), NULL);
      const char *field_type =
        tally_json_node_get_string (tally_json_node_lookup (field, "type"), NULL);
      const TallyJsonNode *field_value = tally_json_node_lookup (value, field_name);

      if (field_value == NULL)
        return fail (error, path, "the field “%s” of %s is missing", field_name, name);
      g_string_append_printf (path, "%s%s", path->len > 0 ? "." : "", field_name);
      if (!encode_value (word, types, type_hashes, field_type, field_value, path, error))
        return FALSE;
      g_string_truncate (path, path_len);
      tally_keccak256_update (&ctx, word, sizeof word);
    }

  tally_keccak256_final (&ctx, out);
  return TRUE;
}

gboolean
tally_eip712_hash_struct (guint8               hash[TALLY_EIP712_HASH_LEN],
                          const TallyJsonNode *types,
                          const char          *type_name,
                          const TallyJsonNode *value,
                          GError             **error)
{
  g_autoptr (GString) path = g_string_new (NULL);
  g_autoptr (GHashTable) type_hashes =
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_return_val_if_fail (hash != NULL, FALSE);
  g_return_val_if_fail (types != NULL && type_name != NULL && value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (hash, 0, TALLY_EIP712_HASH_LEN);
  if (!validate_types (types, error))
    return FALSE;
  if (tally_json_node_lookup (types, type_name) == NULL)
    return fail (error, NULL, "the type “%s” is not defined", type_name);
  return hash_struct (hash, types, type_hashes, type_name, value, path, error);
}

gboolean
tally_eip712_hash (guint8               digest[TALLY_EIP712_HASH_LEN],
                   guint8               domain_separator[TALLY_EIP712_HASH_LEN],
                   guint8               message_hash[TALLY_EIP712_HASH_LEN],
                   const TallyJsonNode *typed_data,
                   GError             **error)
{
  static const char *const members[] = { "types", "primaryType", "domain", "message" };
  g_autoptr (GString) path = g_string_new (NULL);
  g_autoptr (GHashTable) type_hashes =
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const TallyJsonNode *types;
  const TallyJsonNode *primary;
  const char          *primary_name;
  gsize                len;
  guint8               input[2 + 2 * WORD_LEN] = { 0x19, 0x01 };

  g_return_val_if_fail (digest != NULL, FALSE);
  g_return_val_if_fail (typed_data != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (digest, 0, TALLY_EIP712_HASH_LEN);
  if (domain_separator != NULL)
    memset (domain_separator, 0, TALLY_EIP712_HASH_LEN);
  if (message_hash != NULL)
    memset (message_hash, 0, TALLY_EIP712_HASH_LEN);

  if (tally_json_node_get_kind (typed_data) != TALLY_JSON_OBJECT)
    return fail (error, NULL, "the document must be an object, not %s",
                 tally_json_kind_to_string (tally_json_node_get_kind (typed_data)));
  for (guint i = 0; i < tally_json_node_get_size (typed_data); i++)
    {
      const char *name = tally_json_node_get_member_name (typed_data, i);
      gboolean    known = FALSE;

      for (guint j = 0; j < G_N_ELEMENTS (members); j++)
        known |= strcmp (name, members[j]) == 0;
      if (!known)
        return fail (error, NULL, "unexpected member “%s” in the document", name);
    }
  for (guint j = 0; j < G_N_ELEMENTS (members); j++)
    if (tally_json_node_lookup (typed_data, members[j]) == NULL)
      return fail (error, NULL, "the document has no “%s”", members[j]);

  types = tally_json_node_lookup (typed_data, "types");
  if (!validate_types (types, error))
    return FALSE;
  if (tally_json_node_lookup (types, DOMAIN) == NULL)
    return fail (error, NULL, "“types” does not define " DOMAIN);

  primary = tally_json_node_lookup (typed_data, "primaryType");
  if (tally_json_node_get_kind (primary) != TALLY_JSON_STRING)
    return fail (error, NULL, "“primaryType” must be a string");
  primary_name = tally_json_node_get_string (primary, &len);
  if (strlen (primary_name) != len)
    return fail (error, NULL, "“primaryType” contains U+0000");
  if (strcmp (primary_name, DOMAIN) == 0)
    return fail (error, NULL, "“primaryType” may not be " DOMAIN);
  if (tally_json_node_lookup (types, primary_name) == NULL)
    return fail (error, NULL, "the primary type “%s” is not defined", primary_name);

  g_string_assign (path, "domain");
  if (!hash_struct (input + 2, types, type_hashes, DOMAIN,
                    tally_json_node_lookup (typed_data, "domain"), path, error))
    return FALSE;
  g_string_assign (path, "message");
  if (!hash_struct (input + 2 + WORD_LEN, types, type_hashes, primary_name,
                    tally_json_node_lookup (typed_data, "message"), path, error))
    return FALSE;

  tally_keccak256 (digest, input, sizeof input);
  if (domain_separator != NULL)
    memcpy (domain_separator, input + 2, WORD_LEN);
  if (message_hash != NULL)
    memcpy (message_hash, input + 2 + WORD_LEN, WORD_LEN);
  return TRUE;
}

gboolean
tally_eip712_hash_json (guint8      digest[TALLY_EIP712_HASH_LEN],
                        const char *json,
                        gsize       json_len,
                        GError    **error)
{
  g_autoptr (TallyJsonNode) root = NULL;

  g_return_val_if_fail (digest != NULL, FALSE);
  g_return_val_if_fail (json != NULL || json_len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (digest, 0, TALLY_EIP712_HASH_LEN);
  if (!tally_json_parse (&root, json, json_len, error))
    return FALSE;
  return tally_eip712_hash (digest, NULL, NULL, root, error);
}

gboolean
tally_eip712_sign (guint8               signature[TALLY_SIGNATURE_LEN],
                   const guint8         key[TALLY_PRIVATE_KEY_LEN],
                   const TallyJsonNode *typed_data,
                   GError             **error)
{
  guint8 digest[TALLY_EIP712_HASH_LEN];

  g_return_val_if_fail (signature != NULL && key != NULL && typed_data != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (signature, 0, TALLY_SIGNATURE_LEN);
  if (!tally_eip712_hash (digest, NULL, NULL, typed_data, error) ||
      !tally_sign_digest (signature, key, digest, error))
    return FALSE;
  signature[TALLY_SIGNATURE_LEN - 1] += 27;
  return TRUE;
}
