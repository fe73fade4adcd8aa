/* abi-codec.c: Solidity ABI encoding, strict decoding, selectors and
 * revert reasons
 *
 * Decoding is strict: data from a node or a peer is checked word by word
 * (padding, bools, sign extension, offsets and lengths in bounds), then
 * re-encoded and compared, so only the one canonical encoding of a value is
 * accepted. The work is bounded by the size of the data: every decoded
 * value that owns a word in the canonical form (an atom, a length) is
 * counted against the number of words, so overlapping offsets cannot make
 * a small input decode into a huge tree.
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

#define ERROR_SELECTOR "\x08\xc3\x79\xa0" /* Error(string) */
#define PANIC_SELECTOR "\x4e\x48\x7b\x71" /* Panic(uint256) */

/* Encoding */

static gboolean
value_fits (const TallyAbiType  *type,
            const TallyAbiValue *value)
{
  gsize  n_high = TALLY_ABI_WORD_LEN - type->size / 8;
  guint8 fill;

  switch (type->kind)
    {
    case TALLY_ABI_UINT:
      if (value->kind != TALLY_ABI_UINT)
        return FALSE;
      for (gsize i = 0; i < n_high; i++)
        if (value->word[i] != 0)
          return FALSE;
      return TRUE;
    case TALLY_ABI_INT:
      if (value->kind != TALLY_ABI_INT)
        return FALSE;
      fill = value->negative ? 0xff : 0x00;
      for (gsize i = 0; i < n_high; i++)
        if (value->word[i] != fill)
          return FALSE;
      /* The top bit of the N-bit value is its sign. */
      return (value->word[n_high] & 0x80) == (fill & 0x80);
    case TALLY_ABI_FIXED_BYTES:
      return value->kind == TALLY_ABI_FIXED_BYTES && value->len == type->size;
    case TALLY_ABI_ADDRESS:
    case TALLY_ABI_BOOL:
    case TALLY_ABI_BYTES:
    case TALLY_ABI_STRING:
      return value->kind == type->kind;
    case TALLY_ABI_ARRAY:
      return value->kind == TALLY_ABI_ARRAY;
    case TALLY_ABI_FIXED_ARRAY:
      return value->kind == TALLY_ABI_ARRAY && value->items->len == type->size;
    case TALLY_ABI_TUPLE:
      return value->kind == TALLY_ABI_TUPLE && value->items->len == type->n_components;
    default:
      g_assert_not_reached ();
    }
}

static void
append_length_word (GByteArray *out,
                    gsize       n)
{
  guint8 word[TALLY_ABI_WORD_LEN] = { 0 };

  for (int i = TALLY_ABI_WORD_LEN - 1; i >= 0 && n > 0; i--, n >>= 8)
    word[i] = (guint8) n;
  g_byte_array_append (out, word, sizeof word);
}

static gboolean encode_value (GByteArray          *out,
                              const TallyAbiType  *type,
                              const TallyAbiValue *value,
                              GString             *path,
                              GError             **error);

/* Heads then tails, offsets counted from the start of this sequence. */
static gboolean
encode_sequence (GByteArray          *out,
                 const TallyAbiType  *type,
                 const TallyAbiValue *value,
                 GString             *path,
                 GError             **error)
{
  g_autoptr (GByteArray) tails = g_byte_array_new ();
  guint n = value->items->len;
  gsize head_size = 0;
  gsize path_len = path->len;

  for (guint i = 0; i < n; i++)
    head_size += type->components[type->kind == TALLY_ABI_TUPLE ? i : 0]->head_size;

  for (guint i = 0; i < n; i++)
    {
      const TallyAbiType  *item_type = type->components[type->kind == TALLY_ABI_TUPLE ? i : 0];
      const TallyAbiValue *item = g_ptr_array_index (value->items, i);

      if (path->len == 0)
        g_string_append_printf (path, "argument %u", i + 1);
      else if (type->kind == TALLY_ABI_TUPLE)
        g_string_append_printf (path, ".%u", i + 1);
      else
        g_string_append_printf (path, "[%u]", i);

      if (item_type->dynamic)
        {
          append_length_word (out, head_size + tails->len);
          if (!encode_value (tails, item_type, item, path, error))
            return FALSE;
        }
      else if (!encode_value (out, item_type, item, path, error))
        return FALSE;
      g_string_truncate (path, path_len);
    }
  g_byte_array_append (out, tails->data, tails->len);
  return TRUE;
}

static gboolean
encode_value (GByteArray          *out,
              const TallyAbiType  *type,
              const TallyAbiValue *value,
              GString             *path,
              GError             **error)
{
  static const guint8 zeros[TALLY_ABI_WORD_LEN] = { 0 };

  if (!value_fits (type, value))
    {
      g_autofree char *type_text = tally_abi_type_to_string (type);
      g_autofree char *value_text = tally_abi_value_to_string (value);

      if (strlen (value_text) > 80)
        memcpy (value_text + 77, "...", 4);
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                   "The %s, %s, is not a value of type %s", path->len ? path->str : "value",
                   value_text, type_text);
      return FALSE;
    }

  switch (type->kind)
    {
    case TALLY_ABI_BYTES:
    case TALLY_ABI_STRING:
      append_length_word (out, value->len);
      g_byte_array_append (out, value->data, value->len);
      g_byte_array_append (out, zeros, (TALLY_ABI_WORD_LEN - value->len % 32) % 32);
      return TRUE;
    case TALLY_ABI_ARRAY:
      append_length_word (out, value->items->len);
      return encode_sequence (out, type, value, path, error);
    case TALLY_ABI_FIXED_ARRAY:
    case TALLY_ABI_TUPLE:
      return encode_sequence (out, type, value, path, error);
    default:
      g_byte_array_append (out, value->word, TALLY_ABI_WORD_LEN);
      return TRUE;
    }
}

gboolean
tally_abi_encode (guint8             **out,
                  gsize               *out_len,
                  const TallyAbiType  *params,
                  const TallyAbiValue *args,
                  GError             **error)
{
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  g_autoptr (GString) path = g_string_new (NULL);

  g_return_val_if_fail (out != NULL && out_len != NULL, FALSE);
  g_return_val_if_fail (params != NULL && params->kind == TALLY_ABI_TUPLE, FALSE);
  g_return_val_if_fail (args != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *out = NULL;
  *out_len = 0;

  if (args->kind != TALLY_ABI_TUPLE || args->items->len != params->n_components)
    {
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                   "Expected %u arguments, got %u", params->n_components,
                   args->items != NULL ? args->items->len : 1);
      return FALSE;
    }
  if (!encode_sequence (bytes, params, args, path, error))
    return FALSE;

  *out_len = bytes->len;
  *out = g_byte_array_free (g_steal_pointer (&bytes), FALSE);
  return TRUE;
}

/* Decoding */

typedef struct
{
  const guint8 *data;
  gsize         len;
  gsize         budget; /* values that may still own a word */
} Decoder;

G_GNUC_PRINTF (3, 4)
static gboolean
decode_fail (gsize       at,
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
               "Malformed ABI data at byte %" G_GSIZE_FORMAT ": %s", at, what);
  return FALSE;
}

static gboolean
read_word (Decoder       *decoder,
           gsize          at,
           const guint8 **word,
           GError       **error)
{
  if (at > decoder->len || decoder->len - at < TALLY_ABI_WORD_LEN)
    return decode_fail (at, error, "the data ends before a 32-byte word");
  if (decoder->budget == 0)
    return decode_fail (at, error, "more values than the data can hold");
  decoder->budget--;
  *word = decoder->data + at;
  return TRUE;
}

/* An offset or length: a number the data could possibly hold. */
static gboolean
read_size (Decoder    *decoder,
           gsize       at,
           const char *what,
           gsize      *out,
           GError    **error)
{
  const guint8 *word;
  guint64       n = 0;

  if (!read_word (decoder, at, &word, error))
    return FALSE;
  for (gsize i = 0; i < TALLY_ABI_WORD_LEN - 8; i++)
    if (word[i] != 0)
      return decode_fail (at, error, "the %s is larger than the data", what);
  for (gsize i = TALLY_ABI_WORD_LEN - 8; i < TALLY_ABI_WORD_LEN; i++)
    n = (n << 8) | word[i];
  if (n > decoder->len)
    return decode_fail (at, error, "the %s (%" G_GUINT64_FORMAT ") is larger than the data", what,
                        n);
  *out = (gsize) n;
  return TRUE;
}

static gboolean decode_value (Decoder            *decoder,
                              const TallyAbiType *type,
                              gsize               at,
                              TallyAbiValue     **out,
                              GError            **error);

static gboolean
decode_sequence (Decoder            *decoder,
                 const TallyAbiType *type,
                 guint               n,
                 gsize               start,
                 TallyAbiValue      *list,
                 GError            **error)
{
  gsize head = start;

  for (guint i = 0; i < n; i++)
    {
      const TallyAbiType *item_type = type->components[type->kind == TALLY_ABI_TUPLE ? i : 0];
      TallyAbiValue      *item = NULL;
      gsize               at = head;

      if (item_type->dynamic)
        {
          gsize offset;

          if (!read_size (decoder, head, "offset", &offset, error))
            return FALSE;
          if (offset >= decoder->len - start)
            return decode_fail (head, error, "an offset points past the end of the data");
          at = start + offset;
        }
      if (!decode_value (decoder, item_type, at, &item, error))
        return FALSE;
      g_ptr_array_add (list->items, item);
      head += item_type->head_size;
    }
  return TRUE;
}

static gboolean
check_atom (const TallyAbiType *type,
            const guint8       *word,
            gsize               at,
            TallyAbiValue      *value,
            GError            **error)
{
  gsize  n_high = TALLY_ABI_WORD_LEN - type->size / 8;
  guint8 fill;

  switch (type->kind)
    {
    case TALLY_ABI_UINT:
      for (gsize i = 0; i < n_high; i++)
        if (word[i] != 0)
          return decode_fail (at, error, "the value does not fit in uint%u", type->size);
      return TRUE;
    case TALLY_ABI_INT:
      fill = (word[n_high] & 0x80) ? 0xff : 0x00;
      for (gsize i = 0; i < n_high; i++)
        if (word[i] != fill)
          return decode_fail (at, error, "the value does not fit in int%u", type->size);
      value->negative = fill != 0;
      return TRUE;
    case TALLY_ABI_ADDRESS:
      for (gsize i = 0; i < TALLY_ABI_WORD_LEN - TALLY_ADDRESS_LEN; i++)
        if (word[i] != 0)
          return decode_fail (at, error, "an address has non-zero bytes before its 20 bytes");
      return TRUE;
    case TALLY_ABI_BOOL:
      for (gsize i = 0; i < TALLY_ABI_WORD_LEN - 1; i++)
        if (word[i] != 0)
          return decode_fail (at, error, "a bool is neither 0 nor 1");
      if (word[TALLY_ABI_WORD_LEN - 1] > 1)
        return decode_fail (at, error, "a bool is neither 0 nor 1");
      return TRUE;
    case TALLY_ABI_FIXED_BYTES:
      for (gsize i = type->size; i < TALLY_ABI_WORD_LEN; i++)
        if (word[i] != 0)
          return decode_fail (at, error, "bytes%u has non-zero padding", type->size);
      value->len = type->size;
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
decode_value (Decoder            *decoder,
              const TallyAbiType *type,
              gsize               at,
              TallyAbiValue     **out,
              GError            **error)
{
  g_autoptr (TallyAbiValue) value = NULL;
  const guint8 *word;
  gsize         n;

  switch (type->kind)
    {
    case TALLY_ABI_BYTES:
    case TALLY_ABI_STRING:
      if (!read_size (decoder, at, "length", &n, error))
        return FALSE;
      at += TALLY_ABI_WORD_LEN;
      /* The padding up to a whole word belongs to the encoding. */
      if (decoder->len - at < n + (TALLY_ABI_WORD_LEN - n % 32) % 32)
        return decode_fail (at, error, "%" G_GSIZE_FORMAT " bytes are longer than the data", n);
      for (gsize i = at + n; i < at + n + (TALLY_ABI_WORD_LEN - n % 32) % 32; i++)
        if (decoder->data[i] != 0)
          return decode_fail (i, error, "non-zero padding after %s",
                              type->kind == TALLY_ABI_STRING ? "a string" : "bytes");
      *out = type->kind == TALLY_ABI_STRING
               ? tally_abi_value_new_string ((const char *) decoder->data + at, n)
               : tally_abi_value_new_bytes (decoder->data + at, n);
      return TRUE;
    case TALLY_ABI_ARRAY:
      if (!read_size (decoder, at, "array length", &n, error))
        return FALSE;
      at += TALLY_ABI_WORD_LEN;
      if (n > (decoder->len - MIN (at, decoder->len)) / type->components[0]->head_size)
        return decode_fail (at - TALLY_ABI_WORD_LEN, error,
                            "an array of %" G_GSIZE_FORMAT " elements is longer than the data", n);
      value = tally_abi_value_new_array ();
      if (!decode_sequence (decoder, type, (guint) n, at, value, error))
        return FALSE;
      break;
    case TALLY_ABI_FIXED_ARRAY:
    case TALLY_ABI_TUPLE:
      value = type->kind == TALLY_ABI_TUPLE ? tally_abi_value_new_tuple ()
                                            : tally_abi_value_new_array ();
      if (!decode_sequence (decoder, type,
                            type->kind == TALLY_ABI_TUPLE ? type->n_components : type->size, at,
                            value, error))
        return FALSE;
      break;
    default:
      if (!read_word (decoder, at, &word, error))
        return FALSE;
      value = _tally_abi_value_new (type->kind);
      memcpy (value->word, word, TALLY_ABI_WORD_LEN);
      if (!check_atom (type, word, at, value, error))
        return FALSE;
      break;
    }

  *out = g_steal_pointer (&value);
  return TRUE;
}

gboolean
tally_abi_decode (TallyAbiValue     **args,
                  const TallyAbiType *params,
                  const guint8       *data,
                  gsize               len,
                  GError            **error)
{
  g_autoptr (TallyAbiValue) value = tally_abi_value_new_tuple ();
  g_autofree guint8 *again = NULL;
  gsize              again_len = 0;
  Decoder            decoder = { data, len, len / TALLY_ABI_WORD_LEN };

  g_return_val_if_fail (args != NULL, FALSE);
  g_return_val_if_fail (params != NULL && params->kind == TALLY_ABI_TUPLE, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *args = NULL;

  if (len % TALLY_ABI_WORD_LEN != 0)
    return decode_fail (len, error, "the length (%" G_GSIZE_FORMAT ") is not a multiple of 32",
                        len);
  if (!decode_sequence (&decoder, params, params->n_components, 0, value, error))
    return FALSE;

  /* Checked above word by word; what is left is the layout: gaps, shared
   * or backward offsets, bytes after the end. */
  if (!tally_abi_encode (&again, &again_len, params, value, error))
    return FALSE;
  for (gsize i = 0; i < MAX (len, again_len); i++)
    if (i >= len || i >= again_len || data[i] != again[i])
      return decode_fail (i / TALLY_ABI_WORD_LEN * TALLY_ABI_WORD_LEN, error,
                          "the data is not in canonical form (%s)",
                          i >= again_len ? "bytes are left after the encoded values"
                                         : "an offset does not point where the value belongs");

  *args = g_steal_pointer (&value);
  return TRUE;
}

/* Signatures */

static gboolean
hash_signature (guint8         digest[TALLY_KECCAK256_LEN],
                TallyAbiType **params_out,
                const char    *signature,
                GError       **error)
{
  g_autofree char *name = NULL;
  g_autofree char *types = NULL;
  g_autofree char *canonical = NULL;
  g_autoptr (TallyAbiType) params = NULL;

  if (!_tally_abi_signature_parse (&name, &params, signature, error))
    return FALSE;
  types = tally_abi_type_to_string (params);
  canonical = g_strconcat (name, types, NULL);
  tally_keccak256 (digest, (const guint8 *) canonical, strlen (canonical));
  if (params_out != NULL)
    *params_out = g_steal_pointer (&params);
  return TRUE;
}

gboolean
tally_abi_selector (guint8         selector[TALLY_ABI_SELECTOR_LEN],
                    TallyAbiType **params,
                    const char    *signature,
                    GError       **error)
{
  guint8 digest[TALLY_KECCAK256_LEN];

  g_return_val_if_fail (selector != NULL, FALSE);
  g_return_val_if_fail (signature != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (selector, 0, TALLY_ABI_SELECTOR_LEN);
  if (params != NULL)
    *params = NULL;
  if (!hash_signature (digest, params, signature, error))
    return FALSE;
  memcpy (selector, digest, TALLY_ABI_SELECTOR_LEN);
  return TRUE;
}

gboolean
tally_abi_event_topic (guint8      topic[TALLY_ABI_TOPIC_LEN],
                       const char *signature,
                       GError    **error)
{
  g_return_val_if_fail (topic != NULL, FALSE);
  g_return_val_if_fail (signature != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (topic, 0, TALLY_ABI_TOPIC_LEN);
  return hash_signature (topic, NULL, signature, error);
}

gboolean
tally_abi_encode_call (guint8             **out,
                       gsize               *out_len,
                       const char          *signature,
                       const TallyAbiValue *args,
                       GError             **error)
{
  g_autoptr (TallyAbiType) params = NULL;
  g_autofree guint8 *encoded = NULL;
  gsize              encoded_len = 0;
  guint8             selector[TALLY_ABI_SELECTOR_LEN];

  g_return_val_if_fail (out != NULL && out_len != NULL, FALSE);
  g_return_val_if_fail (signature != NULL && args != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *out = NULL;
  *out_len = 0;
  if (!tally_abi_selector (selector, &params, signature, error) ||
      !tally_abi_encode (&encoded, &encoded_len, params, args, error))
    return FALSE;

  *out = g_malloc (TALLY_ABI_SELECTOR_LEN + encoded_len);
  memcpy (*out, selector, TALLY_ABI_SELECTOR_LEN);
  if (encoded_len > 0)
    memcpy (*out + TALLY_ABI_SELECTOR_LEN, encoded, encoded_len);
  *out_len = TALLY_ABI_SELECTOR_LEN + encoded_len;
  return TRUE;
}

/* Revert reasons */

/* The codes the Solidity compiler uses (docs, "Panic via assert and Error
 * via require"). */
static const char *
panic_meaning (const TallyUint256 *code)
{
  static const struct
  {
    guint64     code;
    const char *meaning;
  } panics[] = {
    { 0x00, "a generic failure inserted by the compiler" },
    { 0x01, "an assertion failed" },
    { 0x11, "an arithmetic overflow or underflow" },
    { 0x12, "a division or modulo by zero" },
    { 0x21, "a conversion to an enum with a value out of range" },
    { 0x22, "a storage byte array that is incorrectly encoded" },
    { 0x31, "pop() on an empty array" },
    { 0x32, "an array index out of bounds" },
    { 0x41, "too much memory allocated" },
    { 0x51, "a call to an uninitialized internal function" },
  };
  guint64 small;

  if (!tally_uint256_to_uint64 (&small, code))
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (panics); i++)
    if (panics[i].code == small)
      return panics[i].meaning;
  return NULL;
}

static gchar *
describe_known (const guint8 *data,
                gsize         len,
                const char   *signature)
{
  g_autoptr (TallyAbiType) params = NULL;
  g_autoptr (TallyAbiValue) args = NULL;
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;
  guint8           selector[TALLY_ABI_SELECTOR_LEN];

  if (!tally_abi_selector (selector, &params, signature, NULL) ||
      memcmp (selector, data, TALLY_ABI_SELECTOR_LEN) != 0)
    return NULL;

  name = g_strndup (signature, strcspn (signature, "("));
  if (!tally_abi_decode (&args, params, data + TALLY_ABI_SELECTOR_LEN,
                         len - TALLY_ABI_SELECTOR_LEN, NULL))
    return g_strdup_printf ("The contract refused the call with the error %s, "
                            "but its arguments are malformed.",
                            name);

  if (memcmp (data, ERROR_SELECTOR, TALLY_ABI_SELECTOR_LEN) == 0)
    {
      gsize         reason_len = 0;
      const guint8 *reason = tally_abi_value_get_bytes (tally_abi_value_get_element (args, 0),
                                                        &reason_len);
      GString      *clean = g_string_new (NULL);

      /* A reason is the contract's text: no control characters reach a
       * label or a log line. */
      _tally_abi_append_text (clean, reason, reason_len, FALSE);
      if (clean->len == 0)
        {
          g_string_free (clean, TRUE);
          return g_strdup ("The contract refused the call with an empty reason.");
        }
      text = g_string_free (clean, FALSE);
      return g_strdup_printf ("The contract refused the call: “%s”.", text);
    }

  if (memcmp (data, PANIC_SELECTOR, TALLY_ABI_SELECTOR_LEN) == 0)
    {
      TallyUint256     code;
      const char      *meaning;
      g_autofree char *hex = NULL;

      tally_abi_value_get_uint (tally_abi_value_get_element (args, 0), &code);
      meaning = panic_meaning (&code);
      hex = tally_uint256_to_hex (&code);
      if (meaning == NULL)
        return g_strdup_printf ("The contract failed with an unknown panic code %s.", hex);
      return g_strdup_printf ("The contract failed: %s (panic code %s).", meaning, hex);
    }

  text = tally_abi_value_to_string (args);
  return g_strdup_printf ("The contract refused the call with the error %s%s.", name, text);
}

gchar *
tally_abi_describe_revert (const guint8      *data,
                           gsize              len,
                           const char *const *error_signatures)
{
  gchar *sentence;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len == 0)
    return g_strdup ("The contract refused the call without giving a reason.");
  if (len < TALLY_ABI_SELECTOR_LEN)
    return g_strdup_printf ("The contract refused the call with malformed error data "
                            "(%" G_GSIZE_FORMAT " bytes).",
                            len);

  if ((sentence = describe_known (data, len, "Error(string)")) != NULL ||
      (sentence = describe_known (data, len, "Panic(uint256)")) != NULL)
    return sentence;
  for (guint i = 0; error_signatures != NULL && error_signatures[i] != NULL; i++)
    if ((sentence = describe_known (data, len, error_signatures[i])) != NULL)
      return sentence;

  return g_strdup_printf ("The contract refused the call with an unknown error "
                          "(selector 0x%02x%02x%02x%02x).",
                          data[0], data[1], data[2], data[3]);
}
