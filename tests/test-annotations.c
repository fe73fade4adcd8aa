/* test-annotations.c: the annotation model: mutations, validation, undo
 * and redo, ::changed, and restoring from labels and a payload
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "annotations.h"
#include "core-error.h"
#include "payload.h"

typedef struct
{
  guint changed;
  int   last_item;
  guint can_undo_notifies;
  guint can_redo_notifies;
} Counts;

static void
on_changed (TallyAnnotations *annotations,
            int               item,
            Counts           *counts)
{
  counts->changed++;
  counts->last_item = item;
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           Counts     *counts)
{
  if (g_str_equal (pspec->name, "can-undo"))
    counts->can_undo_notifies++;
  else if (g_str_equal (pspec->name, "can-redo"))
    counts->can_redo_notifies++;
}

static void
watch (TallyAnnotations *annotations,
       Counts           *counts)
{
  memset (counts, 0, sizeof *counts);
  counts->last_item = G_MININT;
  g_signal_connect (annotations, "changed", G_CALLBACK (on_changed), counts);
  g_signal_connect (annotations, "notify", G_CALLBACK (on_notify), counts);
}

static TallyBox
box (guint8  class_id,
     guint32 x,
     guint32 y,
     guint32 width,
     guint32 height)
{
  return (TallyBox){ class_id, x, y, width, height };
}

static TallySpan
span (guint8  class_id,
      guint32 start,
      guint32 end)
{
  return (TallySpan){ class_id, start, end };
}

#define assert_invalid(call, counts)                                                \
  G_STMT_START                                                                      \
  {                                                                                 \
    g_autoptr (GError) _error = NULL;                                               \
    guint _before = (counts)->changed;                                              \
    g_assert_false (call);                                                          \
    g_assert_error (_error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION); \
    g_test_message ("refused: %s", _error->message);                                \
    g_assert_cmpuint ((counts)->changed, ==, _before);                              \
  }                                                                                 \
  G_STMT_END

#define assert_ok(call)               \
  G_STMT_START                        \
  {                                   \
    g_autoptr (GError) _error = NULL; \
    gboolean _ok = (call);            \
    g_assert_no_error (_error);       \
    g_assert_true (_ok);              \
  }                                   \
  G_STMT_END

static void
test_new (void)
{
  g_autoptr (TallyAnnotations) annotations = tally_annotations_new (3, 4);
  g_autoptr (GBytes) labels = tally_annotations_dup_labels (annotations);
  const guint8 zeros[3] = { 0 };
  guint        n = 99;

  g_assert_cmpuint (tally_annotations_get_n_items (annotations), ==, 3);
  g_assert_cmpuint (tally_annotations_get_class_count (annotations), ==, 4);
  g_assert_false (tally_annotations_get_can_undo (annotations));
  g_assert_false (tally_annotations_get_can_redo (annotations));
  g_assert_cmpmem (g_bytes_get_data (labels, NULL), g_bytes_get_size (labels), zeros, 3);
  tally_annotations_get_boxes (annotations, 2, &n);
  g_assert_cmpuint (n, ==, 0);
  tally_annotations_get_spans (annotations, 2, &n);
  g_assert_cmpuint (n, ==, 0);
}

static void
test_label (void)
{
  g_autoptr (TallyAnnotations) annotations = tally_annotations_new (3, 4);
  g_autoptr (GBytes) labels = NULL;
  const guint8 expected[3] = { 4, 0, 1 };
  Counts       counts;

  watch (annotations, &counts);

  assert_ok (tally_annotations_set_label (annotations, 0, 4, &_error));
  assert_ok (tally_annotations_set_label (annotations, 2, 1, &_error));
  g_assert_cmpuint (counts.changed, ==, 2);
  g_assert_cmpint (counts.last_item, ==, 2);

  /* The same label again is no change: no step, no signal. */
  assert_ok (tally_annotations_set_label (annotations, 2, 1, &_error));
  g_assert_cmpuint (counts.changed, ==, 2);

  assert_invalid (tally_annotations_set_label (annotations, 0, 5, &_error), &counts);
  assert_invalid (tally_annotations_set_label (annotations, 0, 256, &_error), &counts);
  assert_invalid (tally_annotations_set_label (annotations, 3, 1, &_error), &counts);
  assert_invalid (tally_annotations_set_flagged (annotations, 3, TRUE, &_error), &counts);
  assert_invalid (tally_annotations_set_skipped (annotations, G_MAXUINT, TRUE, &_error), &counts);
  assert_invalid (tally_annotations_clear_item (annotations, 3, &_error), &counts);

  labels = tally_annotations_dup_labels (annotations);
  g_assert_cmpmem (g_bytes_get_data (labels, NULL), g_bytes_get_size (labels), expected, 3);

  assert_ok (tally_annotations_set_flagged (annotations, 1, TRUE, &_error));
  g_assert_true (tally_annotations_get_flagged (annotations, 1));
  assert_ok (tally_annotations_clear_item (annotations, 0, &_error));
  g_assert_cmpuint (tally_annotations_get_label (annotations, 0), ==, 0);
  g_assert_cmpuint (counts.changed, ==, 4);
}

static void
test_skip (void)
{
  g_autoptr (TallyAnnotations) annotations = tally_annotations_new (2, 3);
  TallyBox  b = box (2, 1, 1, 5, 5);
  TallySpan s = span (3, 0, 4);
  guint     n;
  Counts    counts;

  watch (annotations, &counts);

  assert_ok (tally_annotations_set_label (annotations, 0, 2, &_error));
  assert_ok (tally_annotations_add_box (annotations, 0, &b, NULL, &_error));
  assert_ok (tally_annotations_add_span (annotations, 0, &s, NULL, &_error));
  assert_ok (tally_annotations_set_flagged (annotations, 0, TRUE, &_error));

  /* Skipping drops the label, boxes and spans in one step; the flag stays. */
  assert_ok (tally_annotations_set_skipped (annotations, 0, TRUE, &_error));
  g_assert_cmpuint (counts.changed, ==, 5);
  g_assert_true (tally_annotations_get_skipped (annotations, 0));
  g_assert_true (tally_annotations_get_flagged (annotations, 0));
  g_assert_cmpuint (tally_annotations_get_label (annotations, 0), ==, 0);
  tally_annotations_get_boxes (annotations, 0, &n);
  g_assert_cmpuint (n, ==, 0);
  tally_annotations_get_spans (annotations, 0, &n);
  g_assert_cmpuint (n, ==, 0);

  g_assert_true (tally_annotations_undo (annotations));
  g_assert_false (tally_annotations_get_skipped (annotations, 0));
  g_assert_cmpuint (tally_annotations_get_label (annotations, 0), ==, 2);
  tally_annotations_get_boxes (annotations, 0, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_true (tally_annotations_redo (annotations));
  g_assert_true (tally_annotations_get_skipped (annotations, 0));

  /* Labelling or annotating a skipped item unskips it. */
  assert_ok (tally_annotations_set_label (annotations, 0, 3, &_error));
  g_assert_false (tally_annotations_get_skipped (annotations, 0));
  assert_ok (tally_annotations_set_skipped (annotations, 1, TRUE, &_error));
  assert_ok (tally_annotations_add_box (annotations, 1, &b, NULL, &_error));
  g_assert_false (tally_annotations_get_skipped (annotations, 1));
  assert_ok (tally_annotations_set_skipped (annotations, 1, TRUE, &_error));
  assert_ok (tally_annotations_add_span (annotations, 1, &s, NULL, &_error));
  g_assert_false (tally_annotations_get_skipped (annotations, 1));

  /* Clearing the label of a skipped item leaves it skipped. */
  assert_ok (tally_annotations_set_skipped (annotations, 1, TRUE, &_error));
  assert_ok (tally_annotations_set_label (annotations, 1, 0, &_error));
  g_assert_true (tally_annotations_get_skipped (annotations, 1));
}

static void
test_boxes (void)
{
  g_autoptr (TallyAnnotations) annotations = tally_annotations_new (2, 3);
  const TallyBox *boxes;
  TallyBox        b;
  guint           index = 99, n;
  Counts          counts;

  watch (annotations, &counts);

  b = box (1, 10, 20, 30, 40);
  assert_ok (tally_annotations_add_box (annotations, 0, &b, &index, &_error));
  g_assert_cmpuint (index, ==, 0);
  b = box (3, 0, 0, 1, 1);
  assert_ok (tally_annotations_add_box (annotations, 0, &b, &index, &_error));
  g_assert_cmpuint (index, ==, 1);

  assert_ok (tally_annotations_move_box (annotations, 0, 0, 50, 60, &_error));
  assert_ok (tally_annotations_resize_box (annotations, 0, 1, 2, 3, 4, 5, &_error));
  assert_ok (tally_annotations_set_box_class (annotations, 0, 1, 2, &_error));
  g_assert_cmpuint (counts.changed, ==, 5);

  boxes = tally_annotations_get_boxes (annotations, 0, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (boxes[0].class_id, ==, 1);
  g_assert_cmpuint (boxes[0].x, ==, 50);
  g_assert_cmpuint (boxes[0].y, ==, 60);
  g_assert_cmpuint (boxes[0].width, ==, 30);
  g_assert_cmpuint (boxes[0].height, ==, 40);
  g_assert_cmpuint (boxes[1].class_id, ==, 2);
  g_assert_cmpuint (boxes[1].x, ==, 2);
  g_assert_cmpuint (boxes[1].y, ==, 3);
  g_assert_cmpuint (boxes[1].width, ==, 4);
  g_assert_cmpuint (boxes[1].height, ==, 5);

  b = box (0, 0, 0, 1, 1);
  assert_invalid (tally_annotations_add_box (annotations, 0, &b, NULL, &_error), &counts);
  b = box (4, 0, 0, 1, 1);
  assert_invalid (tally_annotations_add_box (annotations, 0, &b, NULL, &_error), &counts);
  b = box (1, 0, 0, 0, 1);
  assert_invalid (tally_annotations_add_box (annotations, 0, &b, NULL, &_error), &counts);
  b = box (1, 0, 0, 1, 0);
  assert_invalid (tally_annotations_add_box (annotations, 0, &b, NULL, &_error), &counts);
  b = box (1, G_MAXUINT32, 0, 1, 1);
  assert_invalid (tally_annotations_add_box (annotations, 0, &b, NULL, &_error), &counts);
  b = box (1, 0, 0, 1, 1);
  assert_invalid (tally_annotations_add_box (annotations, 2, &b, NULL, &_error), &counts);
  assert_invalid (tally_annotations_move_box (annotations, 0, 2, 0, 0, &_error), &counts);
  assert_invalid (tally_annotations_move_box (annotations, 1, 0, 0, 0, &_error), &counts);
  assert_invalid (tally_annotations_resize_box (annotations, 0, 0, 0, 0, 0, 5, &_error), &counts);
  assert_invalid (tally_annotations_set_box_class (annotations, 0, 0, 4, &_error), &counts);
  assert_invalid (tally_annotations_set_box_class (annotations, 0, 0, 260, &_error), &counts);
  assert_invalid (tally_annotations_remove_box (annotations, 0, 2, &_error), &counts);

  /* Once the image size is known, boxes must fit it; a size the present
   * boxes (or ones undo could bring back) do not fit is refused. */
  assert_invalid (tally_annotations_set_image_size (annotations, 0, 79, 100, &_error), &counts);
  assert_invalid (tally_annotations_set_image_size (annotations, 0, 80, 99, &_error), &counts);
  assert_ok (tally_annotations_set_image_size (annotations, 0, 80, 100, &_error));
  assert_invalid (tally_annotations_move_box (annotations, 0, 0, 51, 60, &_error), &counts);
  assert_invalid (tally_annotations_move_box (annotations, 0, 0, 50, 61, &_error), &counts);
  assert_ok (tally_annotations_move_box (annotations, 0, 0, 0, 0, &_error));
  g_assert_true (tally_annotations_get_can_undo (annotations));
  /* Undo could bring back the box at (50, 60), which a 30 × 40 image
   * cannot hold: the size is taken and the history dropped. */
  assert_ok (tally_annotations_set_image_size (annotations, 0, 30, 40, &_error));
  g_assert_false (tally_annotations_get_can_undo (annotations));
  b = box (1, 29, 39, 2, 1);
  assert_invalid (tally_annotations_add_box (annotations, 0, &b, NULL, &_error), &counts);
  b = box (1, 29, 39, 1, 1);
  assert_ok (tally_annotations_add_box (annotations, 0, &b, NULL, &_error));

  assert_ok (tally_annotations_remove_box (annotations, 0, 0, &_error));
  boxes = tally_annotations_get_boxes (annotations, 0, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (boxes[0].class_id, ==, 2);
  g_assert_cmpuint (boxes[1].x, ==, 29);

  /* A size that still holds every version in the history keeps it. */
  assert_ok (tally_annotations_set_image_size (annotations, 0, 35, 45, &_error));
  g_assert_true (tally_annotations_undo (annotations));
  boxes = tally_annotations_get_boxes (annotations, 0, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (boxes[0].width, ==, 30);
}

static void
test_box_limit (void)
{
  g_autoptr (TallyAnnotations) annotations = tally_annotations_new (1, 2);
  TallyBox b = box (1, 0, 0, 1, 1);
  Counts   counts;

  watch (annotations, &counts);

  for (guint i = 0; i < TALLY_ANNOTATIONS_MAX_BOXES; i++)
    {
      b.x = i;
      assert_ok (tally_annotations_add_box (annotations, 0, &b, NULL, &_error));
    }
  assert_invalid (tally_annotations_add_box (annotations, 0, &b, NULL, &_error), &counts);
}

static void
test_spans (void)
{
  g_autoptr (TallyAnnotations) annotations = tally_annotations_new (1, 3);
  const TallySpan *spans;
  TallySpan        s;
  guint            index = 99, n;
  Counts           counts;

  watch (annotations, &counts);

  s = span (1, 10, 20);
  assert_ok (tally_annotations_add_span (annotations, 0, &s, &index, &_error));
  g_assert_cmpuint (index, ==, 0);
  s = span (1, 0, 5);
  assert_ok (tally_annotations_add_span (annotations, 0, &s, &index, &_error));
  g_assert_cmpuint (index, ==, 0);
  /* Touching the next span of its class is fine: ends are exclusive. */
  s = span (1, 5, 10);
  assert_ok (tally_annotations_add_span (annotations, 0, &s, &index, &_error));
  g_assert_cmpuint (index, ==, 1);
  /* Another class may overlap, even cover exactly the same characters. */
  s = span (2, 10, 20);
  assert_ok (tally_annotations_add_span (annotations, 0, &s, &index, &_error));
  g_assert_cmpuint (index, ==, 3);
  s = span (3, 2, 15);
  assert_ok (tally_annotations_add_span (annotations, 0, &s, &index, &_error));
  g_assert_cmpuint (index, ==, 1);

  spans = tally_annotations_get_spans (annotations, 0, &n);
  g_assert_cmpuint (n, ==, 5);
  for (guint i = 1; i < n; i++)
    g_assert_true (spans[i - 1].start < spans[i].start ||
                   (spans[i - 1].start == spans[i].start && spans[i - 1].end <= spans[i].end));
  g_assert_cmpuint (spans[3].class_id, ==, 1);
  g_assert_cmpuint (spans[4].class_id, ==, 2);

  s = span (1, 19, 25);
  assert_invalid (tally_annotations_add_span (annotations, 0, &s, NULL, &_error), &counts);
  s = span (1, 3, 4);
  assert_invalid (tally_annotations_add_span (annotations, 0, &s, NULL, &_error), &counts);
  s = span (2, 10, 20);
  assert_invalid (tally_annotations_add_span (annotations, 0, &s, NULL, &_error), &counts);
  s = span (1, 30, 30);
  assert_invalid (tally_annotations_add_span (annotations, 0, &s, NULL, &_error), &counts);
  s = span (1, 31, 30);
  assert_invalid (tally_annotations_add_span (annotations, 0, &s, NULL, &_error), &counts);
  s = span (0, 30, 31);
  assert_invalid (tally_annotations_add_span (annotations, 0, &s, NULL, &_error), &counts);
  s = span (4, 30, 31);
  assert_invalid (tally_annotations_add_span (annotations, 0, &s, NULL, &_error), &counts);
  assert_invalid (tally_annotations_remove_span (annotations, 0, 5, &_error), &counts);

  assert_invalid (tally_annotations_set_text_length (annotations, 0, 19, &_error), &counts);
  assert_ok (tally_annotations_set_text_length (annotations, 0, 20, &_error));
  s = span (1, 20, 21);
  assert_invalid (tally_annotations_add_span (annotations, 0, &s, NULL, &_error), &counts);

  assert_ok (tally_annotations_remove_span (annotations, 0, 1, &_error));
  spans = tally_annotations_get_spans (annotations, 0, &n);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpuint (spans[1].class_id, ==, 1);
  g_assert_cmpuint (spans[1].start, ==, 5);
  g_assert_cmpuint (counts.changed, ==, 6);
}

static void
test_undo_redo (void)
{
  g_autoptr (TallyAnnotations) annotations = tally_annotations_new (3, 3);
  TallyBox b = box (1, 0, 0, 2, 2);
  Counts   counts;

  watch (annotations, &counts);

  g_assert_false (tally_annotations_undo (annotations));
  g_assert_false (tally_annotations_redo (annotations));
  g_assert_cmpuint (counts.changed, ==, 0);

  assert_ok (tally_annotations_set_label (annotations, 0, 1, &_error));
  g_assert_true (tally_annotations_get_can_undo (annotations));
  g_assert_cmpuint (counts.can_undo_notifies, ==, 1);
  assert_ok (tally_annotations_set_label (annotations, 0, 2, &_error));
  assert_ok (tally_annotations_add_box (annotations, 1, &b, NULL, &_error));
  assert_ok (tally_annotations_move_box (annotations, 1, 0, 5, 5, &_error));
  /* can-undo was already TRUE: no further notifications. */
  g_assert_cmpuint (counts.can_undo_notifies, ==, 1);
  g_assert_cmpuint (counts.changed, ==, 4);

  g_assert_true (tally_annotations_undo (annotations));
  g_assert_cmpint (counts.last_item, ==, 1);
  g_assert_cmpuint (tally_annotations_get_boxes (annotations, 1, &(guint){ 0 })->x, ==, 0);
  g_assert_true (tally_annotations_get_can_redo (annotations));
  g_assert_cmpuint (counts.can_redo_notifies, ==, 1);
  g_assert_true (tally_annotations_undo (annotations));
  g_assert_true (tally_annotations_undo (annotations));
  g_assert_cmpint (counts.last_item, ==, 0);
  g_assert_cmpuint (tally_annotations_get_label (annotations, 0), ==, 1);
  g_assert_cmpuint (counts.changed, ==, 7);

  g_assert_true (tally_annotations_redo (annotations));
  g_assert_cmpuint (tally_annotations_get_label (annotations, 0), ==, 2);
  g_assert_cmpuint (counts.changed, ==, 8);

  /* A new edit drops what was left to redo. */
  assert_ok (tally_annotations_set_flagged (annotations, 2, TRUE, &_error));
  g_assert_false (tally_annotations_get_can_redo (annotations));
  g_assert_cmpuint (counts.can_redo_notifies, ==, 2);
  g_assert_false (tally_annotations_redo (annotations));
  {
    guint n;

    tally_annotations_get_boxes (annotations, 1, &n);
    g_assert_cmpuint (n, ==, 0);
  }

  /* Undo everything: back to the start, and can-undo turns off once. */
  g_assert_true (tally_annotations_undo (annotations));
  g_assert_true (tally_annotations_undo (annotations));
  g_assert_true (tally_annotations_undo (annotations));
  g_assert_false (tally_annotations_undo (annotations));
  g_assert_false (tally_annotations_get_can_undo (annotations));
  g_assert_cmpuint (counts.can_undo_notifies, ==, 2);
  {
    g_autoptr (TallyAnnotations) fresh = tally_annotations_new (3, 3);

    g_assert_true (tally_annotations_equal (annotations, fresh));
  }

  /* An edit that fails is no step. */
  assert_invalid (tally_annotations_set_label (annotations, 0, 9, &_error), &counts);
  g_assert_false (tally_annotations_get_can_undo (annotations));
}

static void
test_history_bound (void)
{
  g_autoptr (TallyAnnotations) annotations = tally_annotations_new (1, 255);
  const guint extra = 7;
  guint       undone = 0;

  for (guint i = 0; i < TALLY_ANNOTATIONS_HISTORY + extra; i++)
    assert_ok (tally_annotations_set_label (annotations, 0, 1 + i % 255, &_error));

  while (tally_annotations_undo (annotations))
    undone++;

  /* The oldest steps were dropped: undo stops at the label the
   * `extra`-th edit set, not at the empty start. */
  g_assert_cmpuint (undone, ==, TALLY_ANNOTATIONS_HISTORY);
  g_assert_cmpuint (tally_annotations_get_label (annotations, 0), ==, extra);

  for (guint i = 0; i < TALLY_ANNOTATIONS_HISTORY; i++)
    g_assert_true (tally_annotations_redo (annotations));
  g_assert_false (tally_annotations_redo (annotations));
  g_assert_cmpuint (tally_annotations_get_label (annotations, 0), ==,
                    1 + (TALLY_ANNOTATIONS_HISTORY + extra - 1) % 255);
}

static void
test_restore (void)
{
  g_autoptr (TallyAnnotations) annotations = tally_annotations_new (3, 3);
  g_autoptr (TallyAnnotations) copy = tally_annotations_new (3, 3);
  g_autoptr (GBytes) labels = NULL;
  g_autoptr (GBytes) payload = NULL;
  g_autoptr (GBytes) bad = NULL;
  TallyBox  b = box (3, 4, 5, 6, 7);
  TallySpan s = span (2, 1, 9);
  Counts    counts;

  assert_ok (tally_annotations_set_label (annotations, 0, 3, &_error));
  assert_ok (tally_annotations_add_box (annotations, 0, &b, NULL, &_error));
  assert_ok (tally_annotations_set_skipped (annotations, 1, TRUE, &_error));
  assert_ok (tally_annotations_add_span (annotations, 2, &s, NULL, &_error));
  assert_ok (tally_annotations_set_flagged (annotations, 2, TRUE, &_error));
  labels = tally_annotations_dup_labels (annotations);
  payload = tally_payload_encode (annotations);

  assert_ok (tally_annotations_set_label (copy, 1, 1, &_error));
  watch (copy, &counts);
  assert_ok (tally_annotations_restore (copy, labels, payload, &_error));
  g_assert_true (tally_annotations_equal (annotations, copy));
  g_assert_cmpuint (counts.changed, ==, 1);
  g_assert_cmpint (counts.last_item, ==, -1);
  g_assert_false (tally_annotations_get_can_undo (copy));
  g_assert_cmpuint (counts.can_undo_notifies, ==, 1);

  /* Each refusal leaves the model as it was. */
  bad = g_bytes_new ("\3\0", 2);
  assert_invalid (tally_annotations_restore (copy, bad, payload, &_error), &counts);
  g_clear_pointer (&bad, g_bytes_unref);
  bad = g_bytes_new ("\3\0\4", 3);
  assert_invalid (tally_annotations_restore (copy, bad, payload, &_error), &counts);
  g_clear_pointer (&bad, g_bytes_unref);
  /* Item 2 is skipped in the payload: it cannot carry a label. */
  bad = g_bytes_new ("\3\1\0", 3);
  assert_invalid (tally_annotations_restore (copy, bad, payload, &_error), &counts);
  g_assert_true (tally_annotations_equal (annotations, copy));

  /* Sizes known before a restore apply to it: the box ends at (10, 12). */
  {
    g_autoptr (TallyAnnotations) sized = tally_annotations_new (3, 3);
    Counts sized_counts;

    watch (sized, &sized_counts);
    assert_ok (tally_annotations_set_image_size (sized, 0, 9, 12, &_error));
    assert_invalid (tally_annotations_restore (sized, labels, payload, &_error), &sized_counts);
    assert_ok (tally_annotations_set_image_size (sized, 0, 10, 11, &_error));
    assert_invalid (tally_annotations_restore (sized, labels, payload, &_error), &sized_counts);
    assert_ok (tally_annotations_set_image_size (sized, 0, 10, 12, &_error));
    assert_ok (tally_annotations_restore (sized, labels, payload, &_error));
    g_assert_true (tally_annotations_equal (annotations, sized));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/annotations/new", test_new);
  g_test_add_func ("/core/annotations/label", test_label);
  g_test_add_func ("/core/annotations/skip", test_skip);
  g_test_add_func ("/core/annotations/boxes", test_boxes);
  g_test_add_func ("/core/annotations/box-limit", test_box_limit);
  g_test_add_func ("/core/annotations/spans", test_spans);
  g_test_add_func ("/core/annotations/undo-redo", test_undo_redo);
  g_test_add_func ("/core/annotations/history-bound", test_history_bound);
  g_test_add_func ("/core/annotations/restore", test_restore);

  return g_test_run ();
}
