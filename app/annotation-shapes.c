/* annotation-shapes.c: the boxes and spans of an item, edited one undo
 * step at a time
 *
 * Each edit works on a copy of the item (tally_annotations_begin_edit) and
 * hands it back whole (tally_annotations_commit_edit), which checks every
 * rule of annotation-item.c: so a move here needs no geometry checks of
 * its own, and cannot disagree with the decoder about what is valid.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include "annotations-private.h"
#include "core-error.h"

gboolean
tally_annotations_add_box (TallyAnnotations *self,
                           guint             item,
                           const TallyBox   *box,
                           guint            *out_index,
                           GError          **error)
{
  g_autoptr (TallyItemState) next = NULL;
  guint index;

  g_return_val_if_fail (TALLY_IS_ANNOTATIONS (self), FALSE);
  g_return_val_if_fail (box != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((next = tally_annotations_begin_edit (self, item, error)) == NULL)
    return FALSE;

  index = next->boxes->len;
  g_array_append_val (next->boxes, *box);
  next->skipped = FALSE;
  if (!tally_annotations_commit_edit (self, item, g_steal_pointer (&next), error))
    return FALSE;

  if (out_index != NULL)
    *out_index = index;
  return TRUE;
}

/* The box to edit in a copy of the item, or NULL (with an error). */
static TallyBox *
edit_box (TallyAnnotations *self,
          guint             item,
          guint             index,
          TallyItemState  **out_next,
          GError          **error)
{
  g_autoptr (TallyItemState) next = tally_annotations_begin_edit (self, item, error);

  if (next == NULL)
    return NULL;

  if (index >= next->boxes->len)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                   "Item %u has no box %u", item + 1, index + 1);
      return NULL;
    }

  *out_next = g_steal_pointer (&next);
  return &g_array_index ((*out_next)->boxes, TallyBox, index);
}

gboolean
tally_annotations_move_box (TallyAnnotations *self,
                            guint             item,
                            guint             index,
                            guint32           x,
                            guint32           y,
                            GError          **error)
{
  g_autoptr (TallyItemState) next = NULL;
  TallyBox *box;

  g_return_val_if_fail (TALLY_IS_ANNOTATIONS (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((box = edit_box (self, item, index, &next, error)) == NULL)
    return FALSE;

  box->x = x;
  box->y = y;
  return tally_annotations_commit_edit (self, item, g_steal_pointer (&next), error);
}

gboolean
tally_annotations_resize_box (TallyAnnotations *self,
                              guint             item,
                              guint             index,
                              guint32           x,
                              guint32           y,
                              guint32           width,
                              guint32           height,
                              GError          **error)
{
  g_autoptr (TallyItemState) next = NULL;
  TallyBox *box;

  g_return_val_if_fail (TALLY_IS_ANNOTATIONS (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((box = edit_box (self, item, index, &next, error)) == NULL)
    return FALSE;

  box->x = x;
  box->y = y;
  box->width = width;
  box->height = height;
  return tally_annotations_commit_edit (self, item, g_steal_pointer (&next), error);
}

gboolean
tally_annotations_set_box_class (TallyAnnotations *self,
                                 guint             item,
                                 guint             index,
                                 guint             class_id,
                                 GError          **error)
{
  g_autoptr (TallyItemState) next = NULL;
  TallyBox *box;

  g_return_val_if_fail (TALLY_IS_ANNOTATIONS (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Checked before narrowing to the byte a box stores. */
  if (!tally_check_class (item, class_id, tally_annotations_get_class_count (self), error))
    return FALSE;
  if ((box = edit_box (self, item, index, &next, error)) == NULL)
    return FALSE;

  box->class_id = class_id;
  return tally_annotations_commit_edit (self, item, g_steal_pointer (&next), error);
}

gboolean
tally_annotations_remove_box (TallyAnnotations *self,
                              guint             item,
                              guint             index,
                              GError          **error)
{
  g_autoptr (TallyItemState) next = NULL;

  g_return_val_if_fail (TALLY_IS_ANNOTATIONS (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (edit_box (self, item, index, &next, error) == NULL)
    return FALSE;

  g_array_remove_index (next->boxes, index);
  return tally_annotations_commit_edit (self, item, g_steal_pointer (&next), error);
}

gboolean
tally_annotations_add_span (TallyAnnotations *self,
                            guint             item,
                            const TallySpan  *span,
                            guint            *out_index,
                            GError          **error)
{
  g_autoptr (TallyItemState) next = NULL;
  guint index = 0;

  g_return_val_if_fail (TALLY_IS_ANNOTATIONS (self), FALSE);
  g_return_val_if_fail (span != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((next = tally_annotations_begin_edit (self, item, error)) == NULL)
    return FALSE;

  while (index < next->spans->len &&
         tally_span_compare (&g_array_index (next->spans, TallySpan, index), span) < 0)
    index++;
  g_array_insert_val (next->spans, index, *span);
  next->skipped = FALSE;
  if (!tally_annotations_commit_edit (self, item, g_steal_pointer (&next), error))
    return FALSE;

  if (out_index != NULL)
    *out_index = index;
  return TRUE;
}

gboolean
tally_annotations_remove_span (TallyAnnotations *self,
                               guint             item,
                               guint             index,
                               GError          **error)
{
  g_autoptr (TallyItemState) next = NULL;

  g_return_val_if_fail (TALLY_IS_ANNOTATIONS (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((next = tally_annotations_begin_edit (self, item, error)) == NULL)
    return FALSE;

  if (index >= next->spans->len)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                   "Item %u has no span %u", item + 1, index + 1);
      return FALSE;
    }

  g_array_remove_index (next->spans, index);
  return tally_annotations_commit_edit (self, item, g_steal_pointer (&next), error);
}
