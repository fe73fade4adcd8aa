/* rlp.c: Recursive Length Prefix encoding and strict decoding
 *
 * The decoder accepts only the canonical encoding: each value has exactly
 * one, so a transaction that decodes here re-encodes to the same bytes and
 * hashes to the same id. Inputs come from peers and files, so every length
 * is checked against what remains before it is used.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-wallet"

#include "config.h"

#include <string.h>

#include "error.h"
#include "rlp.h"

#define SHORT_STRING 0x80 /* 0x80 + len, len < 56 */
#define LONG_STRING  0xb7 /* 0xb7 + length of len */
#define SHORT_LIST   0xc0
#define LONG_LIST    0xf7
#define SHORT_LIMIT  56
/* Nothing we decode comes near 4 GiB; a longer length is an attack. */
#define MAX_ITEM_LEN G_MAXUINT32

struct _TallyRlpEncoder
{
  GByteArray *buffer;
  GArray     *open_lists; /* gsize offsets where each open list's payload starts */
};

TallyRlpEncoder *
tally_rlp_encoder_new (void)
{
  TallyRlpEncoder *encoder = g_new0 (TallyRlpEncoder, 1);

  encoder->buffer = g_byte_array_new ();
  encoder->open_lists = g_array_new (FALSE, FALSE, sizeof (gsize));
  return encoder;
}

void
tally_rlp_encoder_free (TallyRlpEncoder *encoder)
{
  if (encoder == NULL)
    return;
  g_byte_array_unref (encoder->buffer);
  g_array_unref (encoder->open_lists);
  g_free (encoder);
}

/* Writes the prefix for a payload of len bytes; returns its size (1..9). */
static gsize
make_header (guint8 header[9],
             guint8 short_base,
             gsize  len)
{
  guint8 be[8];
  gsize  n = 0;

  if (len < SHORT_LIMIT)
    {
      header[0] = (guint8) (short_base + len);
      return 1;
    }
  for (guint64 rest = len; rest != 0; rest >>= 8)
    be[n++] = (guint8) rest;
  /* short_base + 55 is 0xb7 for strings and 0xf7 for lists. */
  header[0] = (guint8) (short_base + SHORT_LIMIT - 1 + n);
  for (gsize i = 0; i < n; i++)
    header[1 + i] = be[n - 1 - i];
  return 1 + n;
}

void
tally_rlp_encoder_add_bytes (TallyRlpEncoder *encoder,
                             const guint8    *data,
                             gsize            len)
{
  guint8 header[9];

  g_return_if_fail (encoder != NULL);
  g_return_if_fail (data != NULL || len == 0);

  if (len == 1 && data[0] < SHORT_STRING)
    {
      g_byte_array_append (encoder->buffer, data, 1);
      return;
    }
  g_byte_array_append (encoder->buffer, header, (guint) make_header (header, SHORT_STRING, len));
  if (len > 0)
    g_byte_array_append (encoder->buffer, data, (guint) len);
}

void
tally_rlp_encoder_add_uint256 (TallyRlpEncoder    *encoder,
                               const TallyUint256 *value)
{
  guint8 bytes[TALLY_UINT256_LEN];
  gsize  len;

  g_return_if_fail (encoder != NULL);
  g_return_if_fail (value != NULL);

  len = tally_uint256_to_minimal_bytes (bytes, value);
  tally_rlp_encoder_add_bytes (encoder, bytes, len);
}

void
tally_rlp_encoder_add_uint64 (TallyRlpEncoder *encoder,
                              guint64          value)
{
  TallyUint256 wide;

  tally_uint256_from_uint64 (&wide, value);
  tally_rlp_encoder_add_uint256 (encoder, &wide);
}

void
tally_rlp_encoder_begin_list (TallyRlpEncoder *encoder)
{
  gsize start;

  g_return_if_fail (encoder != NULL);

  start = encoder->buffer->len;
  g_array_append_val (encoder->open_lists, start);
}

void
tally_rlp_encoder_end_list (TallyRlpEncoder *encoder)
{
  guint8 header[9];
  gsize  start, payload_len, header_len;

  g_return_if_fail (encoder != NULL);
  g_return_if_fail (encoder->open_lists->len > 0);

  start = g_array_index (encoder->open_lists, gsize, encoder->open_lists->len - 1);
  g_array_set_size (encoder->open_lists, encoder->open_lists->len - 1);

  /* The payload is already written: slide it right to make room for the
   * prefix, whose size depends on the payload's length. */
  payload_len = encoder->buffer->len - start;
  header_len = make_header (header, SHORT_LIST, payload_len);
  g_byte_array_set_size (encoder->buffer, (guint) (encoder->buffer->len + header_len));
  memmove (encoder->buffer->data + start + header_len, encoder->buffer->data + start, payload_len);
  memcpy (encoder->buffer->data + start, header, header_len);
}

guint8 *
tally_rlp_encoder_finish (TallyRlpEncoder *encoder,
                          gsize           *len)
{
  guint8 *data;

  g_return_val_if_fail (encoder != NULL, NULL);
  g_return_val_if_fail (len != NULL, NULL);
  g_return_val_if_fail (encoder->open_lists->len == 0, NULL);

  *len = encoder->buffer->len;
  data = g_byte_array_free (g_steal_pointer (&encoder->buffer), FALSE);
  g_array_unref (encoder->open_lists);
  g_free (encoder);
  return data;
}

void
tally_rlp_encoder_add_item (TallyRlpEncoder    *encoder,
                            const TallyRlpItem *item)
{
  g_return_if_fail (encoder != NULL);
  g_return_if_fail (item != NULL);

  if (item->kind == TALLY_RLP_BYTES)
    {
      tally_rlp_encoder_add_bytes (encoder, item->data, item->len);
      return;
    }
  tally_rlp_encoder_begin_list (encoder);
  for (gsize i = 0; i < item->n_children; i++)
    tally_rlp_encoder_add_item (encoder, &item->children[i]);
  tally_rlp_encoder_end_list (encoder);
}

static void
item_clear (TallyRlpItem *item)
{
  for (gsize i = 0; i < item->n_children; i++)
    item_clear (&item->children[i]);
  g_clear_pointer (&item->children, g_free);
  item->n_children = 0;
}

void
tally_rlp_item_free (TallyRlpItem *item)
{
  if (item == NULL)
    return;
  item_clear (item);
  g_free (item);
}

static gboolean
malformed (GError    **error,
           const char *format,
           ...) G_GNUC_PRINTF (2, 3);

static gboolean
malformed (GError    **error,
           const char *format,
           ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                                                format, args));
  va_end (args);
  return FALSE;
}

/* Decodes one item at data[0..available). offset is data's position in the
 * whole input, for messages; in_list says whether `available` is bounded by
 * an enclosing list rather than by the end of the input. */
static gboolean
decode_item (TallyRlpItem *item,
             gsize        *consumed,
             const guint8 *data,
             gsize         available,
             gsize         offset,
             gboolean      in_list,
             guint         depth,
             GError      **error)
{
  const char *end_name = in_list ? "its enclosing list" : "the input";
  guint8      prefix = data[0];
  gboolean    is_list = prefix >= SHORT_LIST;
  guint8      short_base = is_list ? SHORT_LIST : SHORT_STRING;
  gsize       header_len = 1;
  guint64     payload_len;

  memset (item, 0, sizeof *item);
  *consumed = 0;

  if (prefix < SHORT_STRING)
    {
      item->kind = TALLY_RLP_BYTES;
      item->data = data;
      item->len = 1;
      *consumed = 1;
      return TRUE;
    }

  if (prefix < short_base + SHORT_LIMIT)
    payload_len = prefix - short_base;
  else
    {
      gsize length_len = prefix - (short_base + SHORT_LIMIT - 1);

      if (length_len >= available)
        return malformed (error,
                          "The RLP item at byte %" G_GSIZE_FORMAT " has a %" G_GSIZE_FORMAT
                          "-byte length, but %s ends after %" G_GSIZE_FORMAT " more bytes",
                          offset, length_len, end_name, available - 1);
      if (data[1] == 0)
        return malformed (error,
                          "The RLP length at byte %" G_GSIZE_FORMAT
                          " starts with a zero byte (a non-canonical encoding)",
                          offset + 1);
      payload_len = 0;
      for (gsize i = 0; i < length_len; i++)
        payload_len = (payload_len << 8) | data[1 + i];
      if (payload_len > MAX_ITEM_LEN)
        return malformed (error,
                          "The RLP item at byte %" G_GSIZE_FORMAT
                          " declares a length of %" G_GUINT64_FORMAT
                          " bytes, more than any input this wallet reads",
                          offset, payload_len);
      if (payload_len < SHORT_LIMIT)
        return malformed (error,
                          "The RLP item at byte %" G_GSIZE_FORMAT
                          " uses the long length form for %" G_GUINT64_FORMAT
                          " bytes (a non-canonical encoding)",
                          offset, payload_len);
      header_len += length_len;
    }

  if (payload_len > available - header_len)
    return malformed (error,
                      "The RLP item at byte %" G_GSIZE_FORMAT " declares %" G_GUINT64_FORMAT
                      " bytes, but %s ends after %" G_GSIZE_FORMAT " more",
                      offset, payload_len, end_name, available - header_len);

  item->data = data + header_len;
  item->len = (gsize) payload_len;
  *consumed = header_len + item->len;

  if (!is_list)
    {
      item->kind = TALLY_RLP_BYTES;
      if (item->len == 1 && item->data[0] < SHORT_STRING)
        {
          guint8 byte = item->data[0];

          memset (item, 0, sizeof *item);
          *consumed = 0;
          return malformed (error,
                            "The RLP byte 0x%02x at byte %" G_GSIZE_FORMAT
                            " has a string prefix it must not have (a non-canonical encoding)",
                            byte, offset);
        }
      return TRUE;
    }

  item->kind = TALLY_RLP_LIST;
  if (depth >= TALLY_RLP_MAX_DEPTH)
    {
      memset (item, 0, sizeof *item);
      *consumed = 0;
      return malformed (error, "The RLP lists are nested more than %d deep", TALLY_RLP_MAX_DEPTH);
    }

  {
    g_autoptr (GArray) children = g_array_new (FALSE, TRUE, sizeof (TallyRlpItem));
    gsize pos = 0;

    g_array_set_clear_func (children, (GDestroyNotify) item_clear);
    while (pos < item->len)
      {
        TallyRlpItem child;
        gsize        child_len;

        if (!decode_item (&child, &child_len, item->data + pos, item->len - pos,
                          offset + header_len + pos, TRUE, depth + 1, error))
          {
            memset (item, 0, sizeof *item);
            *consumed = 0;
            return FALSE;
          }
        g_array_append_val (children, child);
        pos += child_len;
      }
    item->n_children = children->len;
    g_array_set_clear_func (children, NULL);
    item->children = (TallyRlpItem *) (void *) g_array_free (g_steal_pointer (&children),
                                                             item->n_children == 0);
  }
  return TRUE;
}

gboolean
tally_rlp_decode (TallyRlpItem **item,
                  const guint8  *data,
                  gsize          len,
                  GError       **error)
{
  g_autoptr (TallyRlpItem) root = NULL;
  gsize consumed = 0;

  g_return_val_if_fail (item != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *item = NULL;
  if (len == 0)
    return malformed (error, "The RLP input is empty");

  root = g_new0 (TallyRlpItem, 1);
  if (!decode_item (root, &consumed, data, len, 0, FALSE, 0, error))
    return FALSE;
  if (consumed != len)
    return malformed (error,
                      "%" G_GSIZE_FORMAT
                      " unexpected bytes follow the RLP item, which ends at byte %" G_GSIZE_FORMAT,
                      len - consumed, consumed);

  *item = g_steal_pointer (&root);
  return TRUE;
}

static gboolean
check_integer (const TallyRlpItem *item,
               gsize               max_len,
               GError            **error)
{
  if (item->kind != TALLY_RLP_BYTES)
    return malformed (error, "Expected an RLP integer but found a list");
  if (item->len > max_len)
    return malformed (error,
                      "The RLP integer has %" G_GSIZE_FORMAT " bytes; at most %" G_GSIZE_FORMAT
                      " (%" G_GSIZE_FORMAT " bits) are allowed here",
                      item->len, max_len, 8 * max_len);
  if (item->len > 0 && item->data[0] == 0)
    return malformed (error, "The RLP integer starts with a zero byte (a non-canonical encoding)");
  return TRUE;
}

gboolean
tally_rlp_item_get_uint256 (TallyUint256       *value,
                            const TallyRlpItem *item,
                            GError            **error)
{
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (item != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  tally_uint256_from_uint64 (value, 0);
  if (!check_integer (item, TALLY_UINT256_LEN, error))
    return FALSE;
  return tally_uint256_from_bytes (value, item->data, item->len, error);
}

gboolean
tally_rlp_item_get_uint64 (guint64            *value,
                           const TallyRlpItem *item,
                           GError            **error)
{
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (item != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *value = 0;
  if (!check_integer (item, sizeof (guint64), error))
    return FALSE;
  for (gsize i = 0; i < item->len; i++)
    *value = (*value << 8) | item->data[i];
  return TRUE;
}
