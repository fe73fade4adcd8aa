/* annotation-item.c: one item's annotations as plain data, and the rules
 * every item keeps, whether edited in the model or decoded from a payload
 *
 * The model and the decoder check with the same functions, so whatever the
 * model can hold encodes, and whatever decodes the model could have held.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "annotations-private.h"
#include "core-error.h"

TallyItemState *
tally_item_state_new (void)
{
  TallyItemState *state = g_new0 (TallyItemState, 1);

  state->boxes = g_array_new (FALSE, FALSE, sizeof (TallyBox));
  state->spans = g_array_new (FALSE, FALSE, sizeof (TallySpan));
  return state;
}

TallyItemState *
tally_item_state_copy (const TallyItemState *state)
{
  TallyItemState *copy = g_new0 (TallyItemState, 1);

  copy->label = state->label;
  copy->skipped = state->skipped;
  copy->flagged = state->flagged;
  copy->boxes = g_array_copy (state->boxes);
  copy->spans = g_array_copy (state->spans);
  return copy;
}

void
tally_item_state_free (TallyItemState *state)
{
  if (state == NULL)
    return;

  g_array_unref (state->boxes);
  g_array_unref (state->spans);
  g_free (state);
}

static gboolean
boxes_equal (const TallyBox *a,
             const TallyBox *b)
{
  return a->class_id == b->class_id && a->x == b->x && a->y == b->y && a->width == b->width &&
         a->height == b->height;
}

gboolean
tally_item_state_equal (const TallyItemState *a,
                        const TallyItemState *b)
{
  if (a->label != b->label || a->skipped != b->skipped || a->flagged != b->flagged ||
      a->boxes->len != b->boxes->len || a->spans->len != b->spans->len)
    return FALSE;

  for (guint i = 0; i < a->boxes->len; i++)
    if (!boxes_equal (&g_array_index (a->boxes, TallyBox, i),
                      &g_array_index (b->boxes, TallyBox, i)))
      return FALSE;
  for (guint i = 0; i < a->spans->len; i++)
    if (tally_span_compare (&g_array_index (a->spans, TallySpan, i),
                            &g_array_index (b->spans, TallySpan, i)) != 0)
      return FALSE;
  return TRUE;
}

gboolean
tally_item_state_is_bare (const TallyItemState *state)
{
  return !state->skipped && !state->flagged && state->boxes->len == 0 && state->spans->len == 0;
}

int
tally_span_compare (const TallySpan *a,
                    const TallySpan *b)
{
  if (a->start != b->start)
    return a->start < b->start ? -1 : 1;
  if (a->end != b->end)
    return a->end < b->end ? -1 : 1;
  if (a->class_id != b->class_id)
    return a->class_id < b->class_id ? -1 : 1;
  return 0;
}

gboolean
tally_check_class (guint    item,
                   guint    class_id,
                   guint    class_count,
                   GError **error)
{
  if (class_id >= 1 && class_id <= class_count)
    return TRUE;

  g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
               "Item %u: class %u does not exist (this task has classes 1 to %u)", item + 1,
               class_id, class_count);
  return FALSE;
}

gboolean
tally_check_box (guint           item,
                 const TallyBox *box,
                 guint           class_count,
                 guint32         image_width,
                 guint32         image_height,
                 GError        **error)
{
  guint64 right = (guint64) box->x + box->width;
  guint64 bottom = (guint64) box->y + box->height;

  if (!tally_check_class (item, box->class_id, class_count, error))
    return FALSE;

  if (box->width == 0 || box->height == 0)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                   "Item %u: a box of %u × %u pixels is empty", item + 1, box->width, box->height);
      return FALSE;
    }

  if (right > G_MAXUINT32 || bottom > G_MAXUINT32 ||
      (image_width != 0 && right > image_width) || (image_height != 0 && bottom > image_height))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                   "Item %u: the box at (%u, %u) of %u × %u pixels lies outside the image%s",
                   item + 1, box->x, box->y, box->width, box->height,
                   image_width != 0 ? "" : " coordinates");
      return FALSE;
    }

  return TRUE;
}

gboolean
tally_check_span (guint            item,
                  const TallySpan *span,
                  guint            class_count,
                  guint32          text_length,
                  GError         **error)
{
  if (!tally_check_class (item, span->class_id, class_count, error))
    return FALSE;

  if (span->start >= span->end)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                   "Item %u: a span from character %u to %u is empty", item + 1, span->start,
                   span->end);
      return FALSE;
    }

  if (text_length != 0 && span->end > text_length)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                   "Item %u: the span from character %u to %u runs past the end of the text"
                   " (%u characters)",
                   item + 1, span->start, span->end, text_length);
      return FALSE;
    }

  return TRUE;
}

gboolean
tally_check_item (guint                 item,
                  const TallyItemState *state,
                  guint                 class_count,
                  guint32               image_width,
                  guint32               image_height,
                  guint32               text_length,
                  GError              **error)
{
  guint32 class_end[TALLY_ANNOTATIONS_MAX_CLASSES + 1] = { 0 };

  if (state->label != 0 && !tally_check_class (item, state->label, class_count, error))
    return FALSE;

  if (state->skipped && (state->label != 0 || state->boxes->len > 0 || state->spans->len > 0))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                   "Item %u is skipped but has a label, boxes or spans", item + 1);
      return FALSE;
    }

  if (state->boxes->len > TALLY_ANNOTATIONS_MAX_BOXES ||
      state->spans->len > TALLY_ANNOTATIONS_MAX_SPANS)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                   "Item %u has more than %u boxes or spans", item + 1,
                   TALLY_ANNOTATIONS_MAX_BOXES);
      return FALSE;
    }

  for (guint i = 0; i < state->boxes->len; i++)
    if (!tally_check_box (item, &g_array_index (state->boxes, TallyBox, i), class_count,
                          image_width, image_height, error))
      return FALSE;

  for (guint i = 0; i < state->spans->len; i++)
    {
      const TallySpan *span = &g_array_index (state->spans, TallySpan, i);

      if (!tally_check_span (item, span, class_count, text_length, error))
        return FALSE;

      if (i > 0 && tally_span_compare (&g_array_index (state->spans, TallySpan, i - 1), span) >= 0)
        {
          g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                       "Item %u: spans are not in order or repeat one another", item + 1);
          return FALSE;
        }

      /* Sorted by start, so a span overlaps an earlier one of its class
       * exactly when it starts before the furthest end seen for it. */
      if (span->start < class_end[span->class_id])
        {
          g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                       "Item %u: the span from character %u to %u overlaps another span of"
                       " class %u",
                       item + 1, span->start, span->end, span->class_id);
          return FALSE;
        }
      class_end[span->class_id] = MAX (class_end[span->class_id], span->end);
    }

  return TRUE;
}
