/* cli-bot-truth.c: the truth file of tally-cli bot — the labels its bots
 * draw from, for every task or per task
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-cli"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "cli-bot-truth.h"
#include "cli.h"

#define MAX_TRUTH_FILE (1024 * 1024)

void
tally_bot_truth_clear (TallyBotTruth *truth)
{
  g_clear_pointer (&truth->labels, g_bytes_unref);
  g_clear_pointer (&truth->tasks, g_hash_table_unref);
}

static GBytes *
parse_labels (JsonNode   *node,
              const char *what,
              GError    **error)
{
  g_autoptr (GByteArray) labels = g_byte_array_new ();
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (array = json_node_get_array (node)) == 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("%s must be a non-empty list of classes"), what);
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      gint64    value = 0;
      guint8    byte;

      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_INT64)
        value = json_node_get_int (element);
      if (value < 1 || value > 255)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _ ("%s: entry %u is not a class from 1 to 255"), what, i + 1);
          return NULL;
        }
      byte = (guint8) value;
      g_byte_array_append (labels, &byte, 1);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&labels));
}

gboolean
tally_bot_truth_load (TallyBotTruth *truth,
                      const char    *path,
                      GError       **error)
{
  g_autofree char *text = NULL;
  g_autoptr (JsonNode) root = NULL;
  JsonObject *object;
  JsonNode   *node;
  gsize       len = 0;

  if (!g_file_get_contents (path, &text, &len, error))
    return FALSE;
  if (len > MAX_TRUTH_FILE || (root = json_from_string (text, NULL)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("%s is not a JSON object of truth labels"), path);
      return FALSE;
    }
  object = json_node_get_object (root);
  truth->tasks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_bytes_unref);
  if ((node = json_object_get_member (object, "labels")) != NULL &&
      (truth->labels = parse_labels (node, "labels", error)) == NULL)
    return FALSE;
  if ((node = json_object_get_member (object, "tasks")) != NULL)
    {
      g_autoptr (GList) ids = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _ ("%s: “tasks” must map task ids to lists of classes"), path);
          return FALSE;
        }
      ids = json_object_get_members (json_node_get_object (node));
      for (GList *l = ids; l != NULL; l = l->next)
        {
          g_autofree char *what = g_strdup_printf ("tasks.%s", (const char *) l->data);
          TallyUint256     id;
          GBytes          *labels;

          if (!tally_cli_parse_task_id (&id, l->data, error))
            return FALSE;
          labels = parse_labels (json_object_get_member (json_node_get_object (node), l->data),
                                 what, error);
          if (labels == NULL)
            return FALSE;
          g_hash_table_replace (truth->tasks, tally_uint256_to_decimal (&id), labels);
        }
    }
  if (truth->labels == NULL && g_hash_table_size (truth->tasks) == 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("%s has neither “labels” nor “tasks”"), path);
      return FALSE;
    }
  return TRUE;
}

GBytes *
tally_bot_truth_for (TallyBotTruth *truth,
                     TallyTask     *task)
{
  const TallyLabelTaskParams *params = tally_task_get_params (task);
  g_autofree char            *id = tally_uint256_to_decimal (tally_task_get_id (task));
  GBytes                     *labels = g_hash_table_lookup (truth->tasks, id);
  const guint8               *data;
  gsize                       len = 0;

  if (labels == NULL)
    labels = truth->labels;
  if (labels == NULL)
    return NULL;
  data = g_bytes_get_data (labels, &len);
  if (len != params->item_count)
    return NULL;
  for (gsize i = 0; i < len; i++)
    if (data[i] > params->class_count)
      return NULL;
  return labels;
}
