/* draft.c: an annotator's work on a task, saved on every change
 *
 * A change is encoded at once and queued to the store's writer, so the
 * main loop never waits for the disk. While an item's save is in flight,
 * later changes of it only mark it dirty: when the save lands, the item's
 * state at that moment is queued, so the latest always wins and an item
 * never has two saves queued. An item whose save failed is saved again
 * after the next good save (the disk has room again) and on a flush.
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
  GHashTable       *in_flight; /* items (as pointers) with a save queued */
  GHashTable       *dirty;     /* of those, the ones changed since */
  GHashTable       *failed;    /* items whose last save failed */
  GPtrArray        *flushes;   /* GTask, waiting for in_flight to empty */
};

G_DEFINE_FINAL_TYPE (TallyDraft, tally_draft, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_LAST_ERROR,
  PROP_SAVING,
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

/* Takes error; NULL clears the last one. */
static void
set_last_error (TallyDraft *self,
                GError     *error)
{
  if (error == NULL && self->last_error == NULL)
    return;
  if (error != NULL)
    g_debug ("Could not save the annotations: %s", error->message);
  g_clear_error (&self->last_error);
  self->last_error = error;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

static void queue_save (TallyDraft *self,
                        guint       item);

static void
retry_failed (TallyDraft *self)
{
  g_autofree gpointer *keys = (gpointer *) g_hash_table_get_keys_as_array (self->failed, NULL);

  for (guint i = 0; keys[i] != NULL; i++)
    queue_save (self, GPOINTER_TO_UINT (keys[i]) - 1);
}

static void
finish_flushes (TallyDraft *self)
{
  g_autoptr (GPtrArray) flushes = g_steal_pointer (&self->flushes);

  self->flushes = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < flushes->len; i++)
    {
      GTask *task = g_ptr_array_index (flushes, i);

      if (g_task_return_error_if_cancelled (task))
        continue;
      if (self->last_error != NULL)
        g_task_return_error (task, g_error_copy (self->last_error));
      else
        g_task_return_boolean (task, TRUE);
    }
}

/* What a save's callback needs; the draft is kept alive until it lands. */
typedef struct
{
  TallyDraft *self;
  guint       item;
} Save;

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autofree Save *save = user_data;
  g_autoptr (TallyDraft) self = save->self;
  g_autoptr (GError) error = NULL;
  gpointer key = GUINT_TO_POINTER (save->item + 1);

  g_hash_table_remove (self->in_flight, key);
  /* No cancellable: a save, once queued, always lands or fails. */
  if (!tally_store_save_annotation_finish (TALLY_STORE (source), result, &error))
    {
      g_hash_table_add (self->failed, key);
      set_last_error (self, g_steal_pointer (&error));
    }
  else
    {
      g_hash_table_remove (self->failed, key);
      if (g_hash_table_size (self->failed) == 0)
        set_last_error (self, NULL);
      else
        retry_failed (self);
    }
  if (g_hash_table_remove (self->dirty, key))
    queue_save (self, save->item);
  if (g_hash_table_size (self->in_flight) == 0)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAVING]);
      finish_flushes (self);
    }
}

static void
queue_save (TallyDraft *self,
            guint       item)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) row = NULL;
  /* + 1: NULL is not a key a GHashTable set can tell from "absent". */
  gpointer key = GUINT_TO_POINTER (item + 1);
  Save    *save;

  if (g_hash_table_contains (self->in_flight, key))
    {
      g_hash_table_add (self->dirty, key);
      return;
    }
  row = encode_item (self, item, &error);
  if (row == NULL)
    {
      g_hash_table_add (self->failed, key);
      set_last_error (self, g_steal_pointer (&error));
      return;
    }
  g_hash_table_add (self->in_flight, key);
  save = g_new0 (Save, 1);
  save->self = g_object_ref (self);
  save->item = item;
  tally_store_save_annotation_async (self->store, self->chain_id, &self->market, &self->task_id,
                                     &self->account, item, row, NULL, on_saved, save);
}

static void
on_changed (TallyAnnotations *annotations,
            int               item,
            TallyDraft       *self)
{
  guint    n = tally_annotations_get_n_items (annotations);
  gboolean was_saving = tally_draft_get_saving (self);

  /* -1: every item changed at once (a restore). */
  if (item >= 0)
    queue_save (self, (guint) item);
  else
    for (guint i = 0; i < n; i++)
      queue_save (self, i);
  if (was_saving != tally_draft_get_saving (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAVING]);
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

gboolean
tally_draft_get_saving (TallyDraft *self)
{
  g_return_val_if_fail (TALLY_IS_DRAFT (self), FALSE);

  return g_hash_table_size (self->in_flight) > 0;
}

void
tally_draft_flush_async (TallyDraft         *self,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  gboolean was_saving;

  g_return_if_fail (TALLY_IS_DRAFT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  was_saving = tally_draft_get_saving (self);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_draft_flush_async);
  g_ptr_array_add (self->flushes, g_steal_pointer (&task));
  retry_failed (self);
  if (was_saving != tally_draft_get_saving (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAVING]);
  if (g_hash_table_size (self->in_flight) == 0)
    finish_flushes (self);
}

gboolean
tally_draft_flush_finish (TallyDraft   *self,
                          GAsyncResult *result,
                          GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, tally_draft_flush_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
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
  g_clear_pointer (&self->in_flight, g_hash_table_unref);
  g_clear_pointer (&self->dirty, g_hash_table_unref);
  g_clear_pointer (&self->failed, g_hash_table_unref);
  g_clear_pointer (&self->flushes, g_ptr_array_unref);

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
    case PROP_SAVING:
      g_value_set_boolean (value, tally_draft_get_saving (self));
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
  properties[PROP_SAVING] =
    g_param_spec_boolean ("saving", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tally_draft_init (TallyDraft *self)
{
  self->in_flight = g_hash_table_new (g_direct_hash, g_direct_equal);
  self->dirty = g_hash_table_new (g_direct_hash, g_direct_equal);
  self->failed = g_hash_table_new (g_direct_hash, g_direct_equal);
  self->flushes = g_ptr_array_new_with_free_func (g_object_unref);
}
