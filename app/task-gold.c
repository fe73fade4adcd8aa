/* task-gold.c: a seat's score on a task's gold items, as finalize computes
 * it, and a requester's gold file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <json-glib/json-glib.h>

#include "core-error.h"
#include "label-market.h"
#include "task-gold.h"

/* The seat's revealed labels and the gold, or FALSE when either is not
 * there yet. */
static gboolean
gold_and_labels (TallyTask     *task,
                 guint          seat,
                 GArray       **indices,
                 const guint8 **gold,
                 const guint8 **labels,
                 gsize         *labels_len)
{
  const TallyTaskSeat *s;
  GBytes              *gold_labels;
  gsize                gold_len = 0;

  if (seat >= tally_task_get_params (task)->replication || !tally_task_get_gold_revealed (task))
    return FALSE;
  s = tally_task_get_seat (task, seat);
  if (s == NULL || s->state != TALLY_LABEL_SEAT_REVEALED || s->labels == NULL)
    return FALSE;
  *indices = tally_task_get_gold_indices (task);
  gold_labels = tally_task_get_gold_labels (task);
  if (*indices == NULL || gold_labels == NULL)
    return FALSE;
  *gold = g_bytes_get_data (gold_labels, &gold_len);
  /* A GoldRevealed that did not fit the task (counted as an inconsistency
   * by the list) may leave the two out of step: no score then. */
  if (gold_len != (*indices)->len)
    return FALSE;
  *labels = g_bytes_get_data (s->labels, labels_len);
  return TRUE;
}

/* A label the seat gave; labels shorter than the item (which the contract
 * would not have accepted) read as skipped. */
static guint8
label_at (const guint8 *labels,
          gsize         len,
          guint         index)
{
  return index < len ? labels[index] : 0;
}

gboolean
tally_task_gold_score (TallyTask *task,
                       guint      seat,
                       guint     *correct,
                       guint     *total)
{
  GArray       *indices = NULL;
  const guint8 *gold = NULL, *labels = NULL;
  gsize         len = 0;
  guint         hits = 0;

  g_return_val_if_fail (TALLY_IS_TASK (task), FALSE);
  g_return_val_if_fail (correct != NULL && total != NULL, FALSE);

  *correct = *total = 0;
  if (!gold_and_labels (task, seat, &indices, &gold, &labels, &len))
    return FALSE;
  for (guint j = 0; j < indices->len; j++)
    if (label_at (labels, len, g_array_index (indices, guint16, j)) == gold[j])
      hits++;
  *correct = hits;
  *total = indices->len;
  return TRUE;
}

gboolean
tally_task_gold_failed (TallyTask *task,
                        guint      seat)
{
  guint correct = 0, total = 0;

  g_return_val_if_fail (TALLY_IS_TASK (task), FALSE);

  if (!tally_task_gold_score (task, seat, &correct, &total) || total == 0)
    return FALSE;
  /* hits * BPS < minGoldBps * g, in integers as the contract does. */
  return (guint64) correct * TALLY_LABEL_BPS <
         (guint64) tally_task_get_params (task)->min_gold_accuracy_bps * total;
}

GArray *
tally_task_gold_missed (TallyTask *task,
                        guint      seat)
{
  g_autoptr (GArray) missed = NULL;
  GArray       *indices = NULL;
  const guint8 *gold = NULL, *labels = NULL;
  gsize         len = 0;

  g_return_val_if_fail (TALLY_IS_TASK (task), NULL);

  if (!gold_and_labels (task, seat, &indices, &gold, &labels, &len))
    return NULL;
  missed = g_array_new (FALSE, FALSE, sizeof (TallyTaskGoldMiss));
  for (guint j = 0; j < indices->len; j++)
    {
      guint  index = g_array_index (indices, guint16, j);
      guint8 given = label_at (labels, len, index);

      if (given != gold[j])
        {
          TallyTaskGoldMiss miss = { index, given, gold[j] };

          g_array_append_val (missed, miss);
        }
    }
  return g_steal_pointer (&missed);
}

/* ---- Gold files ----------------------------------------------------------------- */

/* The class of a gold item: a class name of the manifest or its number,
 * from 1. */
static gboolean
gold_class (TallyManifest *manifest,
            JsonNode      *value,
            const char    *id,
            guint8        *label,
            GError       **error)
{
  guint n = tally_manifest_get_n_label_classes (manifest);

  if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
    {
      const char      *name = json_node_get_string (value);
      g_autofree char *shown = NULL;

      for (guint c = 0; c < n; c++)
        if (g_ascii_strcasecmp (tally_manifest_get_label_class (manifest, c)->name, name) == 0)
          {
            *label = tally_manifest_get_label_class (manifest, c)->label;
            return TRUE;
          }
      shown = g_utf8_make_valid (name, -1);
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                   "Gold item “%s”: the manifest has no class “%s”", id, shown);
      return FALSE;
    }
  if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_INT64 &&
      json_node_get_int (value) >= 1 && json_node_get_int (value) <= n)
    {
      *label = (guint8) json_node_get_int (value);
      return TRUE;
    }
  g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
               "Gold item “%s”: the class must be a class name or a number from 1 to %u", id,
               n);
  return FALSE;
}

static gint
compare_gold (gconstpointer a,
              gconstpointer b)
{
  const guint16 *x = a, *y = b;

  return (gint) x[0] - (gint) y[0];
}

gboolean
tally_task_gold_parse (TallyManifest *manifest,
                       const char    *text,
                       gsize          len,
                       GArray       **indices,
                       GBytes       **labels,
                       GError       **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GArray) pairs = g_array_new (FALSE, FALSE, 2 * sizeof (guint16));
  g_autoptr (GList) members = NULL;
  g_autofree guint8 *bytes = NULL;
  JsonObject        *object;

  g_return_val_if_fail (TALLY_IS_MANIFEST (manifest), FALSE);
  g_return_val_if_fail (text != NULL || len == 0, FALSE);
  g_return_val_if_fail (indices != NULL && labels != NULL, FALSE);

  *indices = NULL;
  *labels = NULL;
  if (len > G_MAXSSIZE || !g_utf8_validate (text, (gssize) len, NULL) ||
      !json_parser_load_from_data (parser, len > 0 ? text : "", (gssize) len, NULL) ||
      json_parser_get_root (parser) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                   "The gold is not a JSON object of item ids and classes");
      return FALSE;
    }
  object = json_node_get_object (json_parser_get_root (parser));
  members = json_object_get_members (object);
  for (GList *m = members; m != NULL; m = m->next)
    {
      const TallyManifestItem *item = tally_manifest_lookup_item (manifest, m->data);
      guint8                   label = 0;
      guint16                  pair[2];

      /* json-glib turns a lone escaped surrogate into bytes that are not
       * UTF-8: never echo them. */
      g_autofree char *shown = g_utf8_make_valid (m->data, -1);

      if (item == NULL)
        {
          g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                       "The manifest has no item “%s”", shown);
          return FALSE;
        }
      if (!gold_class (manifest, json_object_get_member (object, m->data), shown, &label, error))
        return FALSE;
      pair[0] = (guint16) item->index;
      pair[1] = label;
      g_array_append_val (pairs, pair);
    }
  if (pairs->len == 0 || pairs->len >= tally_manifest_get_n_items (manifest))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION,
                   "The gold must name at least one item, and not every item");
      return FALSE;
    }
  g_array_sort (pairs, compare_gold);
  *indices = g_array_sized_new (FALSE, FALSE, sizeof (guint16), pairs->len);
  bytes = g_malloc (pairs->len);
  for (guint j = 0; j < pairs->len; j++)
    {
      const guint16 *pair = &g_array_index (pairs, guint16, 2 * j);

      g_array_append_val (*indices, pair[0]);
      bytes[j] = (guint8) pair[1];
    }
  *labels = g_bytes_new_take (g_steal_pointer (&bytes), pairs->len);
  return TRUE;
}
