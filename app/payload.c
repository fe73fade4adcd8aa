/* payload.c: the compact binary encoding of a task's rich annotations that
 * a submission reveals on chain (docs/payload.md)
 *
 * A payload comes from peers through the chain, so the decoder refuses
 * everything the encoder would not have written: non-minimal varints,
 * records out of order, empty records, a bare version byte. Accepting only
 * the canonical form means a decoded payload re-encodes to its own bytes,
 * which the fuzz target checks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include "annotations-private.h"
#include "core-error.h"
#include "payload.h"

#define VARINT_MAX_BYTES 5 /* 32 bits, 7 a byte */
#define KNOWN_FLAGS      (TALLY_PAYLOAD_FLAG_SKIPPED | TALLY_PAYLOAD_FLAG_FLAGGED)

static void
put_byte (GByteArray *out,
          guint8      value)
{
  g_byte_array_append (out, &value, 1);
}

/* LEB128: seven bits a byte, least significant first, the high bit set
 * on every byte but the last. */
static void
put_varint (GByteArray *out,
            guint32     value)
{
  while (value >= 0x80)
    {
      put_byte (out, (value & 0x7f) | 0x80);
      value >>= 7;
    }
  put_byte (out, value);
}

GBytes *
tally_payload_encode (TallyAnnotations *annotations)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  guint n_items;

  g_return_val_if_fail (TALLY_IS_ANNOTATIONS (annotations), NULL);

  n_items = tally_annotations_get_n_items (annotations);
  for (guint i = 0; i < n_items; i++)
    {
      const TallyItemState *state = tally_annotations_peek_item (annotations, i);

      if (tally_item_state_is_bare (state))
        continue;

      if (out->len == 0)
        put_byte (out, TALLY_PAYLOAD_VERSION);

      put_varint (out, i);
      put_byte (out, (state->skipped ? TALLY_PAYLOAD_FLAG_SKIPPED : 0) |
                       (state->flagged ? TALLY_PAYLOAD_FLAG_FLAGGED : 0));

      put_varint (out, state->boxes->len);
      for (guint b = 0; b < state->boxes->len; b++)
        {
          const TallyBox *box = &g_array_index (state->boxes, TallyBox, b);

          put_byte (out, box->class_id);
          put_varint (out, box->x);
          put_varint (out, box->y);
          put_varint (out, box->width);
          put_varint (out, box->height);
        }

      put_varint (out, state->spans->len);
      for (guint s = 0; s < state->spans->len; s++)
        {
          const TallySpan *span = &g_array_index (state->spans, TallySpan, s);

          put_byte (out, span->class_id);
          put_varint (out, span->start);
          put_varint (out, span->end - span->start);
        }
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

typedef struct
{
  const guint8 *data;
  gsize         len;
  gsize         pos;
} Reader;

static gboolean
fail (const Reader *reader,
      gsize         at,
      GError      **error,
      const char   *what)
{
  g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
               "Annotation payload, byte %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT ": %s", at,
               reader->len, what);
  return FALSE;
}

static gboolean
read_byte (Reader  *reader,
           guint8  *out,
           GError **error)
{
  if (reader->pos >= reader->len)
    return fail (reader, reader->pos, error, "the payload ends too early");

  *out = reader->data[reader->pos++];
  return TRUE;
}

static gboolean
read_varint (Reader  *reader,
             guint32 *out,
             GError **error)
{
  gsize   start = reader->pos;
  guint32 value = 0;

  for (guint i = 0;; i++)
    {
      guint8 byte;

      if (!read_byte (reader, &byte, error))
        return FALSE;
      if (i == VARINT_MAX_BYTES - 1 && byte > 0x0f)
        return fail (reader, start, error, "a number does not fit in 32 bits");

      value |= (guint32) (byte & 0x7f) << (7 * i);
      if ((byte & 0x80) == 0)
        {
          /* A zero last byte after others means the number had a shorter
           * form: two encodings of one payload would break the round trip. */
          if (byte == 0 && i > 0)
            return fail (reader, start, error, "a number is not in its shortest form");
          *out = value;
          return TRUE;
        }
    }
}

static gboolean
read_count (Reader     *reader,
            guint32     max,
            const char *what,
            guint32    *out,
            GError    **error)
{
  gsize start = reader->pos;

  if (!read_varint (reader, out, error))
    return FALSE;
  if (*out <= max)
    return TRUE;

  g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
               "Annotation payload, byte %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
               ": %u %s in one item, over the limit of %u",
               start, reader->len, *out, what, max);
  return FALSE;
}

static gboolean
read_record (Reader         *reader,
             guint           item,
             guint           class_count,
             TallyItemState *state,
             GError        **error)
{
  gsize   start = reader->pos;
  guint8  flags;
  guint32 n_boxes, n_spans;

  if (!read_byte (reader, &flags, error))
    return FALSE;
  if ((flags & ~KNOWN_FLAGS) != 0)
    return fail (reader, start, error, "unknown item flags");
  state->skipped = (flags & TALLY_PAYLOAD_FLAG_SKIPPED) != 0;
  state->flagged = (flags & TALLY_PAYLOAD_FLAG_FLAGGED) != 0;

  if (!read_count (reader, TALLY_ANNOTATIONS_MAX_BOXES, "boxes", &n_boxes, error))
    return FALSE;
  for (guint32 b = 0; b < n_boxes; b++)
    {
      TallyBox box;
      gsize    at = reader->pos;
      g_autoptr (GError) local_error = NULL;

      if (!read_byte (reader, &box.class_id, error) || !read_varint (reader, &box.x, error) ||
          !read_varint (reader, &box.y, error) || !read_varint (reader, &box.width, error) ||
          !read_varint (reader, &box.height, error))
        return FALSE;
      if (!tally_check_box (item, &box, class_count, 0, 0, &local_error))
        return fail (reader, at, error, local_error->message);
      g_array_append_val (state->boxes, box);
    }

  if (!read_count (reader, TALLY_ANNOTATIONS_MAX_SPANS, "spans", &n_spans, error))
    return FALSE;
  for (guint32 s = 0; s < n_spans; s++)
    {
      TallySpan span;
      guint32   length;
      gsize     at = reader->pos;

      if (!read_byte (reader, &span.class_id, error) ||
          !read_varint (reader, &span.start, error) || !read_varint (reader, &length, error))
        return FALSE;
      if (length == 0)
        return fail (reader, at, error, "a span is empty");
      if (length > G_MAXUINT32 - span.start)
        return fail (reader, at, error, "a span ends past character 2^32 - 1");
      span.end = span.start + length;
      g_array_append_val (state->spans, span);
    }

  if (tally_item_state_is_bare (state))
    return fail (reader, start, error, "an item record with nothing in it");

  {
    g_autoptr (GError) local_error = NULL;

    if (!tally_check_item (item, state, class_count, 0, 0, 0, &local_error))
      return fail (reader, start, error, local_error->message);
  }

  return TRUE;
}

GPtrArray *
tally_payload_decode_states (const guint8 *data,
                             gsize         len,
                             guint         n_items,
                             guint         class_count,
                             GError      **error)
{
  g_autoptr (GPtrArray) states = g_ptr_array_new_full (n_items,
                                                       (GDestroyNotify) tally_item_state_free);
  Reader  reader = { data, len, 0 };
  guint8  version;
  guint32 next_item = 0;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  for (guint i = 0; i < n_items; i++)
    g_ptr_array_add (states, tally_item_state_new ());

  if (len == 0)
    return g_steal_pointer (&states);

  if (!read_byte (&reader, &version, error))
    return NULL;
  if (version != TALLY_PAYLOAD_VERSION)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                   "Annotation payload version %u is not known (this app reads version %u)",
                   version, TALLY_PAYLOAD_VERSION);
      return NULL;
    }
  if (reader.pos == len)
    {
      fail (&reader, 0, error, "a version and nothing else (an empty payload is zero bytes)");
      return NULL;
    }

  while (reader.pos < len)
    {
      gsize   at = reader.pos;
      guint32 item;

      if (!read_varint (&reader, &item, error))
        return NULL;
      if (item >= n_items)
        {
          g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                       "Annotation payload, byte %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
                       ": item %" G_GUINT64_FORMAT " does not exist (this task has %u)",
                       at, len, (guint64) item + 1, n_items);
          return NULL;
        }
      if (item < next_item)
        {
          fail (&reader, at, error, "items out of order or repeated");
          return NULL;
        }
      if (!read_record (&reader, item, class_count, g_ptr_array_index (states, item), error))
        return NULL;
      next_item = item + 1;
    }

  return g_steal_pointer (&states);
}

TallyAnnotations *
tally_payload_decode (const guint8 *data,
                      gsize         len,
                      guint         n_items,
                      guint         class_count,
                      GError      **error)
{
  g_autoptr (TallyAnnotations) annotations = NULL;
  g_autoptr (GBytes) labels = NULL;
  g_autoptr (GBytes) payload = NULL;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (n_items >= 1 && n_items <= TALLY_ANNOTATIONS_MAX_ITEMS, NULL);
  g_return_val_if_fail (class_count >= 1 && class_count <= TALLY_ANNOTATIONS_MAX_CLASSES, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  annotations = tally_annotations_new (n_items, class_count);
  labels = g_bytes_new_take (g_malloc0 (n_items), n_items);
  payload = g_bytes_new_static (data, len);
  if (!tally_annotations_restore (annotations, labels, payload, error))
    return NULL;

  return g_steal_pointer (&annotations);
}
