/* draft.c: an annotator's work on a task, saved on every change
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "core-error.h"
#include "draft.h"
#include "payload.h"

struct _TallyDraft
{
  GObject parent_instance;

  TallyStore       *store;
  guint64           chain_id;
  TallyAddress      market;
  TallyUint256      task_id;
  TallyAddress      account;
  TallyAnnotations *annotations;
  gulong            changed_handler;
  GError           *last_error;
};

G_DEFINE_FINAL_TYPE (TallyDraft, tally_draft, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_LAST_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Item src_item of src becomes item dst_item of dst (an item cleared or
 * new), with label as its class. */
static gboolean
copy_item (TallyAnnotations *src,
           guint             src_item,
           guint             label,
           TallyAnnotations *dst,
           guint             dst_item,
           GError          **error)
{
  const TallyBox  *boxes;
  const TallySpan *spans;
  guint            n_boxes = 0, n_spans = 0;

  if (tally_annotations_get_skipped (src, src_item))
    {
      if (!tally_annotations_set_skipped (dst, dst_item, TRUE, error))
        return FALSE;
    }
  else
    {
      if (label != 0 && !tally_annotations_set_label (dst, dst_item, label, error))
        return FALSE;
      boxes = tally_annotations_get_boxes (src, src_item, &n_boxes);
      for (guint i = 0; i < n_boxes; i++)
        if (!tally_annotations_add_box (dst, dst_item, &boxes[i], NULL, error))
          return FALSE;
      spans = tally_annotations_get_spans (src, src_item, &n_spans);
      for (guint i = 0; i < n_spans; i++)
        if (!tally_annotations_add_span (dst, dst_item, &spans[i], NULL, error))
          return FALSE;
    }
  return !tally_annotations_get_flagged (src, src_item) ||
         tally_annotations_set_flagged (dst, dst_item, TRUE, error);
}

/* An item's row: its label byte, then the payload of that item alone. */
static GBytes *
encode_item (TallyDraft *self,
             guint       item,
             GError    **error)
{
  guint class_count = tally_annotations_get_class_count (self->annotations);
  g_autoptr (TallyAnnotations) single = tally_annotations_new (1, class_count);
  g_autoptr (GBytes) payload = NULL;
  guint8      label = tally_annotations_get_label (self->annotations, item);
  GByteArray *row = g_byte_array_new ();

  if (!copy_item (self->annotations, item, label, single, 0, error))
    {
      g_byte_array_unref (row);
      return NULL;
    }
  payload = tally_payload_encode (single);
  g_byte_array_append (row, &label, 1);
  g_byte_array_append (row, g_bytes_get_data (payload, NULL), (guint) g_bytes_get_size (payload));
  return g_byte_array_free_to_bytes (row);
}

static gboolean
save_item (TallyDraft *self,
           guint       item,
           GError    **error)
{
  g_autoptr (GBytes) row = encode_item (self, item, error);

  return row != NULL && tally_store_save_annotation (self->store, self->chain_id, &self->market,
                                                     &self->task_id, &self->account, item, row,
                                                     error);
}

static void
on_changed (TallyAnnotations *annotations,
            int               item,
            TallyDraft       *self)
{
  g_autoptr (GError) error = NULL;
  gboolean had_error = self->last_error != NULL;
  guint    n = tally_annotations_get_n_items (annotations);
  gboolean ok = TRUE;

  /* -1: every item changed at once (a restore). */
  for (guint i = item < 0 ? 0 : (guint) item; ok && i < (item < 0 ? n : (guint) item + 1); i++)
    ok = save_item (self, i, &error);
  g_clear_error (&self->last_error);
  if (!ok)
    {
      g_debug ("Could not save the annotations: %s", error->message);
      self->last_error = g_steal_pointer (&error);
    }
  if (had_error || self->last_error != NULL)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

gboolean
tally_draft_restore (TallyDraft *self,
                     GError    **error)
{
  g_autoptr (GHashTable) rows = NULL;
  g_autoptr (TallyAnnotations) rebuilt = NULL;
  g_autoptr (GBytes) labels = NULL;
  g_autoptr (GBytes) payload = NULL;
  GHashTableIter iter;
  gpointer       key, value;
  guint          n, class_count;
  gboolean       ok;

  g_return_val_if_fail (TALLY_IS_DRAFT (self), FALSE);

  rows = tally_store_load_annotations (self->store, self->chain_id, &self->market, &self->task_id,
                                       &self->account, error);
  if (rows == NULL)
    return FALSE;
  if (g_hash_table_size (rows) == 0)
    return TRUE;
  n = tally_annotations_get_n_items (self->annotations);
  class_count = tally_annotations_get_class_count (self->annotations);
  rebuilt = tally_annotations_new (n, class_count);
  g_hash_table_iter_init (&iter, rows);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      guint         item = GPOINTER_TO_UINT (key);
      gsize         len = 0;
      const guint8 *row = g_bytes_get_data (value, &len);
      g_autoptr (TallyAnnotations) single = NULL;

      if (item >= n || len == 0 || row[0] > class_count)
        {
          g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                       "The saved work on item %u does not fit this task", item + 1);
          return FALSE;
        }
      single = tally_payload_decode (row + 1, len - 1, 1, class_count, error);
      if (single == NULL || !copy_item (single, 0, row[0], rebuilt, item, error))
        return FALSE;
    }
  labels = tally_annotations_dup_labels (rebuilt);
  payload = tally_payload_encode (rebuilt);
  /* The restore's ::changed would save every row again: nothing new. */
  g_signal_handler_block (self->annotations, self->changed_handler);
  ok = tally_annotations_restore (self->annotations, labels, payload, error);
  g_signal_handler_unblock (self->annotations, self->changed_handler);
  return ok;
}

TallyDraft *
tally_draft_new (TallyStore         *store,
                 guint64             chain_id,
                 const TallyAddress *market,
                 const TallyUint256 *task_id,
                 const TallyAddress *account,
                 TallyAnnotations   *annotations)
{
  TallyDraft *self;

  g_return_val_if_fail (TALLY_IS_STORE (store), NULL);
  g_return_val_if_fail (TALLY_IS_ANNOTATIONS (annotations), NULL);

  self = g_object_new (TALLY_TYPE_DRAFT, NULL);
  self->store = g_object_ref (store);
  self->chain_id = chain_id;
  self->market = *market;
  self->task_id = *task_id;
  self->account = *account;
  self->annotations = g_object_ref (annotations);
  self->changed_handler = g_signal_connect (annotations, "changed", G_CALLBACK (on_changed), self);
  return self;
}

TallyAnnotations *
tally_draft_get_annotations (TallyDraft *self)
{
  g_return_val_if_fail (TALLY_IS_DRAFT (self), NULL);

  return self->annotations;
}

const GError *
tally_draft_get_last_error (TallyDraft *self)
{
  g_return_val_if_fail (TALLY_IS_DRAFT (self), NULL);

  return self->last_error;
}

static void
tally_draft_dispose (GObject *object)
{
  TallyDraft *self = TALLY_DRAFT (object);

  if (self->annotations != NULL)
    g_clear_signal_handler (&self->changed_handler, self->annotations);
  g_clear_object (&self->annotations);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (tally_draft_parent_class)->dispose (object);
}

static void
tally_draft_finalize (GObject *object)
{
  TallyDraft *self = TALLY_DRAFT (object);

  g_clear_error (&self->last_error);

  G_OBJECT_CLASS (tally_draft_parent_class)->finalize (object);
}

static void
tally_draft_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  TallyDraft *self = TALLY_DRAFT (object);

  switch (prop_id)
    {
    case PROP_LAST_ERROR:
      g_value_set_boxed (value, self->last_error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_draft_class_init (TallyDraftClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tally_draft_dispose;
  object_class->finalize = tally_draft_finalize;
  object_class->get_property = tally_draft_get_property;

  properties[PROP_LAST_ERROR] =
    g_param_spec_boxed ("last-error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tally_draft_init (TallyDraft *self)
{
}
