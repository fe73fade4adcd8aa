/* annotations.h: one task's annotations, item by item, with undo and redo
 *
 * Per item: a class label (0 = none, 1..class-count as on chain), a skipped
 * and a flagged mark, boxes in image pixels and text spans in code points,
 * each with a class. Every mutation is validated against the task (class
 * range, item range, the item's image size or text length once known) and
 * recorded as one undoable step; ::changed fires once per step, also on
 * undo and redo, so the local store can save on every change.
 *
 * Rules the model keeps (docs/payload.md states them for the payload):
 * - a skipped item has label 0 and no boxes or spans: skipping clears
 *   them (one step), and labelling or annotating a skipped item unskips it;
 * - a box has width and height >= 1 and x + width, y + height below 2^32;
 * - spans are kept sorted by (start, end, class); spans of the same class
 *   never overlap (touching is fine), spans of different classes may (an
 *   organisation name inside a place name);
 * - at most TALLY_ANNOTATIONS_MAX_BOXES boxes and _MAX_SPANS spans an item.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define TALLY_ANNOTATIONS_MAX_ITEMS   65536 /* the chain allows 256; local tasks may hold more */
#define TALLY_ANNOTATIONS_MAX_CLASSES 255
#define TALLY_ANNOTATIONS_MAX_BOXES   1000
#define TALLY_ANNOTATIONS_MAX_SPANS   1000
#define TALLY_ANNOTATIONS_HISTORY     1000 /* undo steps kept */

typedef struct
{
  guint8  class_id; /* 1..class-count */
  guint32 x;
  guint32 y;
  guint32 width;
  guint32 height;
} TallyBox;

typedef struct
{
  guint8  class_id; /* 1..class-count */
  guint32 start;    /* code points, inclusive */
  guint32 end;      /* code points, exclusive; start < end */
} TallySpan;

#define TALLY_TYPE_ANNOTATIONS (tally_annotations_get_type ())

G_DECLARE_FINAL_TYPE (TallyAnnotations, tally_annotations, TALLY, ANNOTATIONS, GObject)

/* n_items 1..TALLY_ANNOTATIONS_MAX_ITEMS, class_count 1..255. */
TallyAnnotations *tally_annotations_new (guint n_items,
                                         guint class_count);

guint tally_annotations_get_n_items (TallyAnnotations *self);
guint tally_annotations_get_class_count (TallyAnnotations *self);

/* What an item is known to be, once fetched and decoded: boxes must then
 * fit the image, spans the text. Not undoable (it is not an edit); refused
 * when annotations on the item would not fit; drops the undo history when
 * a version of the item it holds would not. 0 = unknown. */
gboolean tally_annotations_set_image_size (TallyAnnotations *self,
                                           guint             item,
                                           guint32           width,
                                           guint32           height,
                                           GError          **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_annotations_set_text_length (TallyAnnotations *self,
                                            guint             item,
                                            guint32           n_chars,
                                            GError          **error) G_GNUC_WARN_UNUSED_RESULT;

guint8           tally_annotations_get_label (TallyAnnotations *self,
                                              guint             item);
gboolean         tally_annotations_get_skipped (TallyAnnotations *self,
                                                guint             item);
gboolean         tally_annotations_get_flagged (TallyAnnotations *self,
                                                guint             item);
const TallyBox  *tally_annotations_get_boxes (TallyAnnotations *self,
                                              guint             item,
                                              guint            *n_boxes);
const TallySpan *tally_annotations_get_spans (TallyAnnotations *self,
                                              guint             item,
                                              guint            *n_spans);

/* Mutations: each is one undo step, or nothing at all (no step, no
 * ::changed) when it leaves the item as it was. Errors are
 * TALLY_CORE_ERROR_INVALID_ANNOTATION and leave the model untouched. */
gboolean tally_annotations_set_label (TallyAnnotations *self,
                                      guint             item,
                                      guint             label,
                                      GError          **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_annotations_set_skipped (TallyAnnotations *self,
                                        guint             item,
                                        gboolean          skipped,
                                        GError          **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_annotations_set_flagged (TallyAnnotations *self,
                                        guint             item,
                                        gboolean          flagged,
                                        GError          **error) G_GNUC_WARN_UNUSED_RESULT;
/* Appends; out_index (may be NULL) is where the box now is. */
gboolean tally_annotations_add_box (TallyAnnotations *self,
                                    guint             item,
                                    const TallyBox   *box,
                                    guint            *out_index,
                                    GError          **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_annotations_move_box (TallyAnnotations *self,
                                     guint             item,
                                     guint             index,
                                     guint32           x,
                                     guint32           y,
                                     GError          **error) G_GNUC_WARN_UNUSED_RESULT;
/* A corner drag moves the origin too, hence x and y. */
gboolean tally_annotations_resize_box (TallyAnnotations *self,
                                       guint             item,
                                       guint             index,
                                       guint32           x,
                                       guint32           y,
                                       guint32           width,
                                       guint32           height,
                                       GError          **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_annotations_set_box_class (TallyAnnotations *self,
                                          guint             item,
                                          guint             index,
                                          guint             class_id,
                                          GError          **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_annotations_remove_box (TallyAnnotations *self,
                                       guint             item,
                                       guint             index,
                                       GError          **error) G_GNUC_WARN_UNUSED_RESULT;
/* Inserts in (start, end, class) order; out_index (may be NULL) is where. */
gboolean tally_annotations_add_span (TallyAnnotations *self,
                                     guint             item,
                                     const TallySpan  *span,
                                     guint            *out_index,
                                     GError          **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_annotations_remove_span (TallyAnnotations *self,
                                        guint             item,
                                        guint             index,
                                        GError          **error) G_GNUC_WARN_UNUSED_RESULT;
/* Label 0, not skipped, not flagged, no boxes, no spans. */
gboolean tally_annotations_clear_item (TallyAnnotations *self,
                                       guint             item,
                                       GError          **error) G_GNUC_WARN_UNUSED_RESULT;

gboolean tally_annotations_get_can_undo (TallyAnnotations *self);
gboolean tally_annotations_get_can_redo (TallyAnnotations *self);
/* FALSE when there is nothing to undo (redo). */
gboolean tally_annotations_undo (TallyAnnotations *self);
gboolean tally_annotations_redo (TallyAnnotations *self);

/* One byte per item for the chain: the label, 0 when skipped or unlabelled. */
GBytes *tally_annotations_dup_labels (TallyAnnotations *self);

/* Replaces every item with what `labels` (n-items bytes) and `payload`
 * (docs/payload.md; NULL or empty for none) hold, as the local store or a
 * revealed submission has them; drops the history and emits ::changed
 * with -1. On error the model is unchanged. */
gboolean tally_annotations_restore (TallyAnnotations *self,
                                    GBytes           *labels,
                                    GBytes           *payload,
                                    GError          **error) G_GNUC_WARN_UNUSED_RESULT;

/* Same counts and the same content item by item (not history or sizes). */
gboolean tally_annotations_equal (TallyAnnotations *a,
                                  TallyAnnotations *b);

G_END_DECLS
