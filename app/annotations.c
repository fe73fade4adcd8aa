/* annotations.c: one task's annotations, item by item, with undo and redo
 *
 * Every mutation copies the item's state, edits the copy, checks the whole
 * item against the task's rules (annotation-item.c) and swaps it in. The
 * undo step keeps the state swapped out; undoing swaps it back and keeps
 * the other in the redo step. A step is thus one item's state, a few dozen
 * bytes for most items, and undo can never disagree with what the mutation
 * did.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include "annotations-private.h"
#include "core-error.h"

typedef struct
{
  guint           item;
  TallyItemState *state; /* the item's other version: before on undo, after on redo */
} Step;

struct _TallyAnnotations
{
  GObject parent_instance;

  guint      n_items;
  guint      class_count;
  GPtrArray *items; /* TallyItemState, one per item */
  guint32   *image_widths;
  guint32   *image_heights;
  guint32   *text_lengths;
  GQueue     undo; /* Step, oldest first */
  GQueue     redo; /* Step, the next to redo last */
};

G_DEFINE_FINAL_TYPE (TallyAnnotations, tally_annotations, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_N_ITEMS,
  PROP_CLASS_COUNT,
  PROP_CAN_UNDO,
  PROP_CAN_REDO,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
step_free (gpointer data)
{
  Step *step = data;

  tally_item_state_free (step->state);
  g_free (step);
}

static void
tally_annotations_constructed (GObject *object)
{
  TallyAnnotations *self = TALLY_ANNOTATIONS (object);

  G_OBJECT_CLASS (tally_annotations_parent_class)->constructed (object);

  self->items = g_ptr_array_new_full (self->n_items, (GDestroyNotify) tally_item_state_free);
  for (guint i = 0; i < self->n_items; i++)
    g_ptr_array_add (self->items, tally_item_state_new ());
  self->image_widths = g_new0 (guint32, self->n_items);
  self->image_heights = g_new0 (guint32, self->n_items);
  self->text_lengths = g_new0 (guint32, self->n_items);
}

static void
tally_annotations_finalize (GObject *object)
{
  TallyAnnotations *self = TALLY_ANNOTATIONS (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->image_widths, g_free);
  g_clear_pointer (&self->image_heights, g_free);
  g_clear_pointer (&self->text_lengths, g_free);
  g_queue_clear_full (&self->undo, step_free);
  g_queue_clear_full (&self->redo, step_free);

  G_OBJECT_CLASS (tally_annotations_parent_class)->finalize (object);
}

static void
tally_annotations_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  TallyAnnotations *self = TALLY_ANNOTATIONS (object);

  switch (prop_id)
    {
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->n_items);
      break;
    case PROP_CLASS_COUNT:
      g_value_set_uint (value, self->class_count);
      break;
    case PROP_CAN_UNDO:
      g_value_set_boolean (value, tally_annotations_get_can_undo (self));
      break;
    case PROP_CAN_REDO:
      g_value_set_boolean (value, tally_annotations_get_can_redo (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_annotations_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  TallyAnnotations *self = TALLY_ANNOTATIONS (object);

  switch (prop_id)
    {
    case PROP_N_ITEMS:
      self->n_items = g_value_get_uint (value);
      break;
    case PROP_CLASS_COUNT:
      self->class_count = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_annotations_class_init (TallyAnnotationsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = tally_annotations_constructed;
  object_class->finalize = tally_annotations_finalize;
  object_class->get_property = tally_annotations_get_property;
  object_class->set_property = tally_annotations_set_property;

  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 1, TALLY_ANNOTATIONS_MAX_ITEMS, 1,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLASS_COUNT] =
    g_param_spec_uint ("class-count", NULL, NULL, 1, TALLY_ANNOTATIONS_MAX_CLASSES, 1,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_UNDO] =
    g_param_spec_boolean ("can-undo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_REDO] =
    g_param_spec_boolean ("can-redo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TallyAnnotations::changed:
   * @item: the item that changed, or -1 for every item (a restore)
   *
   * Once per edit, undo or redo that changed something.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
tally_annotations_init (TallyAnnotations *self)
{
  g_queue_init (&self->undo);
  g_queue_init (&self->redo);
}

TallyAnnotations *
tally_annotations_new (guint n_items,
                       guint class_count)
{
  g_return_val_if_fail (n_items >= 1 && n_items <= TALLY_ANNOTATIONS_MAX_ITEMS, NULL);
  g_return_val_if_fail (class_count >= 1 && class_count <= TALLY_ANNOTATIONS_MAX_CLASSES, NULL);

  return g_object_new (TALLY_TYPE_ANNOTATIONS, "n-items", n_items, "class-count", class_count,
                       NULL);
}

guint
tally_annotations_get_n_items (TallyAnnotations *self)
{
  g_return_val_if_fail (TALLY_IS_ANNOTATIONS (self), 0);

  return self->n_items;
}

guint
tally_annotations_get_class_count (TallyAnnotations *self)
{
  g_return_val_if_fail (TALLY_IS_ANNOTATIONS (self), 0);

  return self->class_count;
}

const TallyItemState *
tally_annotations_peek_item (TallyAnnotations *self,
                             guint             item)
{
  g_return_val_if_fail (TALLY_IS_ANNOTATIONS (self), NULL);
  g_return_val_if_fail (item < self->n_items, NULL);

  return g_ptr_array_index (self->items, item);
}

static gboolean
check_index (TallyAnnotations *self,
             guint             item,
             GError          **error)
{
  if (item < self->n_items)
    return TRUE;

  g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
               "There is no item %" G_GUINT64_FORMAT " (this task has %u)", (guint64) item + 1,
               self->n_items);
  return FALSE;
}

static gboolean
check_item (TallyAnnotations     *self,
            guint                 item,
            const TallyItemState *state,
            GError              **error)
{
  return tally_check_item (item, state, self->class_count, self->image_widths[item],
                           self->image_heights[item], self->text_lengths[item], error);
}

/* Notifies can-undo and can-redo where the queues' change moved them. */
static void
notify_history (TallyAnnotations *self,
                gboolean          could_undo,
                gboolean          could_redo)
{
  if (could_undo != tally_annotations_get_can_undo (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_UNDO]);
  if (could_redo != tally_annotations_get_can_redo (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_REDO]);
}

/* Whether every version of the item that undo or redo could bring back
 * keeps the rules; checked when the item's size becomes known. */
static gboolean
history_fits (TallyAnnotations *self,
              guint             item)
{
  GQueue *queues[] = { &self->undo, &self->redo };

  for (guint q = 0; q < G_N_ELEMENTS (queues); q++)
    for (GList *l = queues[q]->head; l != NULL; l = l->next)
      {
        Step *step = l->data;

        if (step->item == item && !check_item (self, item, step->state, NULL))
          return FALSE;
      }

  return TRUE;
}

static void
clear_history (TallyAnnotations *self)
{
  gboolean could_undo = tally_annotations_get_can_undo (self);
  gboolean could_redo = tally_annotations_get_can_redo (self);

  g_queue_clear_full (&self->undo, step_free);
  g_queue_clear_full (&self->redo, step_free);
  notify_history (self, could_undo, could_redo);
}

/* Sets an item's size or length if its annotations fit; a history that
 * could bring back ones that do not is dropped, so undo never leaves the
 * model breaking its own rules. */
static gboolean
set_extent (TallyAnnotations *self,
            guint             item,
            guint32          *field,
            guint32           value,
            GError          **error)
{
  guint32 old = *field;

  *field = value;
  if (!check_item (self, item, g_ptr_array_index (self->items, item), error))
    {
      *field = old;
      return FALSE;
    }

  if (!history_fits (self, item))
    clear_history (self);
  return TRUE;
}

gboolean
tally_annotations_set_image_size (TallyAnnotations *self,
                                  guint             item,
                                  guint32           width,
                                  guint32           height,
                                  GError          **error)
{
  guint32 old_width;

  g_return_val_if_fail (TALLY_IS_ANNOTATIONS (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_index (self, item, error))
    return FALSE;

  old_width = self->image_widths[item];
  self->image_widths[item] = width;
  if (set_extent (self, item, &self->image_heights[item], height, error))
    return TRUE;

  self->image_widths[item] = old_width;
  return FALSE;
}

gboolean
tally_annotations_set_text_length (TallyAnnotations *self,
                                   guint             item,
                                   guint32           n_chars,
                                   GError          **error)
{
  g_return_val_if_fail (TALLY_IS_ANNOTATIONS (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return check_index (self, item, error) &&
         set_extent (self, item, &self->text_lengths[item], n_chars, error);
}

static const TallyItemState *
item_or_null (TallyAnnotations *self,
              guint             item)
{
  g_return_val_if_fail (TALLY_IS_ANNOTATIONS (self), NULL);
  g_return_val_if_fail (item < self->n_items, NULL);

  return g_ptr_array_index (self->items, item);
}

guint8
tally_annotations_get_label (TallyAnnotations *self,
                             guint             item)
{
  const TallyItemState *state = item_or_null (self, item);

  return state != NULL ? state->label : 0;
}

gboolean
tally_annotations_get_skipped (TallyAnnotations *self,
                               guint             item)
{
  const TallyItemState *state = item_or_null (self, item);

  return state != NULL && state->skipped;
}

gboolean
tally_annotations_get_flagged (TallyAnnotations *self,
                               guint             item)
{
  const TallyItemState *state = item_or_null (self, item);

  return state != NULL && state->flagged;
}

const TallyBox *
tally_annotations_get_boxes (TallyAnnotations *self,
                             guint             item,
                             guint            *n_boxes)
{
  const TallyItemState *state = item_or_null (self, item);

  g_return_val_if_fail (n_boxes != NULL, NULL);

  *n_boxes = state != NULL ? state->boxes->len : 0;
  return state != NULL ? (const TallyBox *) (gconstpointer) state->boxes->data : NULL;
}

const TallySpan *
tally_annotations_get_spans (TallyAnnotations *self,
                             guint             item,
                             guint            *n_spans)
{
  const TallyItemState *state = item_or_null (self, item);

  g_return_val_if_fail (n_spans != NULL, NULL);

  *n_spans = state != NULL ? state->spans->len : 0;
  return state != NULL ? (const TallySpan *) (gconstpointer) state->spans->data : NULL;
}

gboolean
tally_annotations_get_can_undo (TallyAnnotations *self)
{
  g_return_val_if_fail (TALLY_IS_ANNOTATIONS (self), FALSE);

  return !g_queue_is_empty (&self->undo);
}

gboolean
tally_annotations_get_can_redo (TallyAnnotations *self)
{
  g_return_val_if_fail (TALLY_IS_ANNOTATIONS (self), FALSE);

  return !g_queue_is_empty (&self->redo);
}

TallyItemState *
tally_annotations_begin_edit (TallyAnnotations *self,
                              guint             item,
                              GError          **error)
{
  if (!check_index (self, item, error))
    return NULL;

  return tally_item_state_copy (g_ptr_array_index (self->items, item));
}

gboolean
tally_annotations_commit_edit (TallyAnnotations *self,
                               guint             item,
                               TallyItemState   *edited,
                               GError          **error)
{
  g_autoptr (TallyItemState) next = edited;
  gboolean could_undo = tally_annotations_get_can_undo (self);
  gboolean could_redo = tally_annotations_get_can_redo (self);
  Step    *step;

  if (!check_item (self, item, next, error))
    return FALSE;
  if (tally_item_state_equal (next, g_ptr_array_index (self->items, item)))
    return TRUE;

  step = g_new0 (Step, 1);
  step->item = item;
  step->state = g_ptr_array_steal_index (self->items, item);
  g_ptr_array_insert (self->items, item, g_steal_pointer (&next));

  g_queue_push_tail (&self->undo, step);
  if (g_queue_get_length (&self->undo) > TALLY_ANNOTATIONS_HISTORY)
    step_free (g_queue_pop_head (&self->undo));
  g_queue_clear_full (&self->redo, step_free);

  notify_history (self, could_undo, could_redo);
  g_signal_emit (self, signals[CHANGED], 0, (int) item);
  return TRUE;
}

gboolean
tally_annotations_set_label (TallyAnnotations *self,
                             guint             item,
                             guint             label,
                             GError          **error)
{
  g_autoptr (TallyItemState) next = NULL;

  g_return_val_if_fail (TALLY_IS_ANNOTATIONS (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (label != 0 && !tally_check_class (item, label, self->class_count, error))
    return FALSE;
  if ((next = tally_annotations_begin_edit (self, item, error)) == NULL)
    return FALSE;

  next->label = label;
  if (label != 0)
    next->skipped = FALSE;
  return tally_annotations_commit_edit (self, item, g_steal_pointer (&next), error);
}

gboolean
tally_annotations_set_skipped (TallyAnnotations *self,
                               guint             item,
                               gboolean          skipped,
                               GError          **error)
{
  g_autoptr (TallyItemState) next = NULL;

  g_return_val_if_fail (TALLY_IS_ANNOTATIONS (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((next = tally_annotations_begin_edit (self, item, error)) == NULL)
    return FALSE;

  next->skipped = !!skipped;
  if (skipped)
    {
      next->label = 0;
      g_array_set_size (next->boxes, 0);
      g_array_set_size (next->spans, 0);
    }
  return tally_annotations_commit_edit (self, item, g_steal_pointer (&next), error);
}

gboolean
tally_annotations_set_flagged (TallyAnnotations *self,
                               guint             item,
                               gboolean          flagged,
                               GError          **error)
{
  g_autoptr (TallyItemState) next = NULL;

  g_return_val_if_fail (TALLY_IS_ANNOTATIONS (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((next = tally_annotations_begin_edit (self, item, error)) == NULL)
    return FALSE;

  next->flagged = !!flagged;
  return tally_annotations_commit_edit (self, item, g_steal_pointer (&next), error);
}

gboolean
tally_annotations_clear_item (TallyAnnotations *self,
                              guint             item,
                              GError          **error)
{
  g_return_val_if_fail (TALLY_IS_ANNOTATIONS (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_index (self, item, error))
    return FALSE;

  return tally_annotations_commit_edit (self, item, tally_item_state_new (), error);
}

/* Moves the newest step of `from` to `to`, swapping the item's state. */
static gboolean
replay_step (TallyAnnotations *self,
             GQueue           *from,
             GQueue           *to)
{
  gboolean        could_undo = tally_annotations_get_can_undo (self);
  gboolean        could_redo = tally_annotations_get_can_redo (self);
  Step           *step = g_queue_pop_tail (from);
  TallyItemState *current;

  if (step == NULL)
    return FALSE;

  current = g_ptr_array_steal_index (self->items, step->item);
  g_ptr_array_insert (self->items, step->item, step->state);
  step->state = current;
  g_queue_push_tail (to, step);

  notify_history (self, could_undo, could_redo);
  g_signal_emit (self, signals[CHANGED], 0, (int) step->item);
  return TRUE;
}

gboolean
tally_annotations_undo (TallyAnnotations *self)
{
  g_return_val_if_fail (TALLY_IS_ANNOTATIONS (self), FALSE);

  return replay_step (self, &self->undo, &self->redo);
}

gboolean
tally_annotations_redo (TallyAnnotations *self)
{
  g_return_val_if_fail (TALLY_IS_ANNOTATIONS (self), FALSE);

  return replay_step (self, &self->redo, &self->undo);
}

GBytes *
tally_annotations_dup_labels (TallyAnnotations *self)
{
  guint8 *labels;

  g_return_val_if_fail (TALLY_IS_ANNOTATIONS (self), NULL);

  labels = g_malloc (self->n_items);
  for (guint i = 0; i < self->n_items; i++)
    labels[i] = ((const TallyItemState *) g_ptr_array_index (self->items, i))->label;
  return g_bytes_new_take (labels, self->n_items);
}

gboolean
tally_annotations_restore (TallyAnnotations *self,
                           GBytes           *labels,
                           GBytes           *payload,
                           GError          **error)
{
  g_autoptr (GPtrArray) states = NULL;
  const guint8 *label_bytes;
  gsize         n_labels;

  g_return_val_if_fail (TALLY_IS_ANNOTATIONS (self), FALSE);
  g_return_val_if_fail (labels != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  label_bytes = g_bytes_get_data (labels, &n_labels);
  if (n_labels != self->n_items)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                   "%" G_GSIZE_FORMAT " labels for a task of %u items", n_labels, self->n_items);
      return FALSE;
    }

  if (payload != NULL)
    states = tally_payload_decode_states (g_bytes_get_data (payload, NULL),
                                          g_bytes_get_size (payload), self->n_items,
                                          self->class_count, error);
  else
    states = tally_payload_decode_states (NULL, 0, self->n_items, self->class_count, error);
  if (states == NULL)
    return FALSE;

  for (guint i = 0; i < self->n_items; i++)
    {
      TallyItemState *state = g_ptr_array_index (states, i);

      state->label = label_bytes[i];
      if (!check_item (self, i, state, error))
        return FALSE;
    }

  g_ptr_array_unref (self->items);
  self->items = g_steal_pointer (&states);
  clear_history (self);
  g_signal_emit (self, signals[CHANGED], 0, -1);
  return TRUE;
}

gboolean
tally_annotations_equal (TallyAnnotations *a,
                         TallyAnnotations *b)
{
  g_return_val_if_fail (TALLY_IS_ANNOTATIONS (a), FALSE);
  g_return_val_if_fail (TALLY_IS_ANNOTATIONS (b), FALSE);

  if (a->n_items != b->n_items || a->class_count != b->class_count)
    return FALSE;

  for (guint i = 0; i < a->n_items; i++)
    if (!tally_item_state_equal (g_ptr_array_index (a->items, i),
                                 g_ptr_array_index (b->items, i)))
      return FALSE;
  return TRUE;
}
