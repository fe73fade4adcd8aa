/* annotations-private.h: one item's annotations as plain data, and the
 * rules every item must keep, shared by the model and the payload codec
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "annotations.h"

G_BEGIN_DECLS

typedef struct
{
  guint8   label;
  gboolean skipped;
  gboolean flagged;
  GArray  *boxes; /* TallyBox */
  GArray  *spans; /* TallySpan, in (start, end, class) order */
} TallyItemState;

TallyItemState *tally_item_state_new (void);
TallyItemState *tally_item_state_copy (const TallyItemState *state);
void            tally_item_state_free (TallyItemState *state);
gboolean        tally_item_state_equal (const TallyItemState *a,
                                        const TallyItemState *b);
/* Nothing worth a payload record: no boxes, no spans, no marks. */
gboolean tally_item_state_is_bare (const TallyItemState *state);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TallyItemState, tally_item_state_free)

int tally_span_compare (const TallySpan *a,
                        const TallySpan *b);

/* The checks below set TALLY_CORE_ERROR_INVALID_ANNOTATION naming `item`
 * (0-based, shown 1-based). A size or length of 0 means unknown. */
gboolean tally_check_class (guint    item,
                            guint    class_id,
                            guint    class_count,
                            GError **error);
gboolean tally_check_box (guint           item,
                          const TallyBox *box,
                          guint           class_count,
                          guint32         image_width,
                          guint32         image_height,
                          GError        **error);
gboolean tally_check_span (guint            item,
                           const TallySpan *span,
                           guint            class_count,
                           guint32          text_length,
                           GError         **error);
/* The whole item: every box and span as above, spans sorted without
 * duplicates, no overlap within a class, the count bounds, and a skipped
 * item bare of label, boxes and spans. */
gboolean tally_check_item (guint                 item,
                           const TallyItemState *state,
                           guint                 class_count,
                           guint32               image_width,
                           guint32               image_height,
                           guint32               text_length,
                           GError              **error);

/* docs/payload.md into n_items states (all bare where no record is). */
GPtrArray *tally_payload_decode_states (const guint8 *data,
                                        gsize         len,
                                        guint         n_items,
                                        guint         class_count,
                                        GError      **error);

/* A copy of the item to edit, or NULL (with an error) if there is no such
 * item. */
TallyItemState *tally_annotations_begin_edit (TallyAnnotations *self,
                                              guint             item,
                                              GError          **error);
/* Takes `edited`, checks it against the task and the item's size, swaps it
 * in as one undo step and emits ::changed; an edit that changed nothing is
 * no step and no signal. */
gboolean tally_annotations_commit_edit (TallyAnnotations *self,
                                        guint             item,
                                        TallyItemState   *edited,
                                        GError          **error);

/* The states of a model, for the encoder and exporters; index = item. */
const TallyItemState *tally_annotations_peek_item (TallyAnnotations *self,
                                                   guint             item);

G_END_DECLS
