/* contract-abi-entry.c: the functions, events and errors of a contract's
 * ABI, and the logs decoded from its events
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include "contract-abi-private.h"

void
_tally_abi_entry_free (TallyAbiEntry *entry)
{
  guint n = entry->input_names != NULL ? g_strv_length (entry->input_names) : 0;

  g_free (entry->name);
  g_free (entry->signature);
  g_clear_pointer (&entry->inputs, tally_abi_type_free);
  g_clear_pointer (&entry->outputs, tally_abi_type_free);
  g_clear_pointer (&entry->data_type, tally_abi_type_free);
  for (guint i = 0; entry->topic_types != NULL && i < n; i++)
    g_clear_pointer (&entry->topic_types[i], tally_abi_type_free);
  g_free (entry->topic_types);
  g_strfreev (entry->input_names);
  g_free (entry->indexed);
  g_free (entry);
}

/* "(free: 0, needed: 5)": the arguments with the names the ABI gives them. */
char *
_tally_abi_entry_format_args (const TallyAbiEntry *entry,
                              const TallyAbiValue *(*get) (gconstpointer, guint),
                              gconstpointer source)
{
  GString *text = g_string_new ("(");

  for (guint i = 0; entry->input_names[i] != NULL; i++)
    {
      g_autofree char *value = tally_abi_value_to_string (get (source, i));

      if (i > 0)
        g_string_append (text, ", ");
      if (*entry->input_names[i] != '\0')
        g_string_append_printf (text, "%s: ", entry->input_names[i]);
      g_string_append (text, value);
    }
  g_string_append_c (text, ')');
  return g_string_free (text, FALSE);
}

const TallyAbiEntry *
tally_abi_log_get_event (const TallyAbiLog *log)
{
  g_return_val_if_fail (log != NULL, NULL);

  return log->event;
}

const TallyAbiValue *
tally_abi_log_get_value (const TallyAbiLog *log,
                         guint              index)
{
  guint slot;

  g_return_val_if_fail (log != NULL, NULL);
  g_return_val_if_fail (index < g_strv_length (log->event->input_names), NULL);

  slot = log->slots[index];
  if (!log->event->indexed[index])
    return tally_abi_value_get_element (log->data, slot);
  return tally_abi_value_get_element (g_ptr_array_index (log->values, slot), 0);
}

const TallyAbiValue *
tally_abi_log_lookup (const TallyAbiLog *log,
                      const char        *name)
{
  g_return_val_if_fail (log != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; log->event->input_names[i] != NULL; i++)
    if (*name != '\0' && g_str_equal (log->event->input_names[i], name))
      return tally_abi_log_get_value (log, i);
  return NULL;
}

static const TallyAbiValue *
log_value (gconstpointer log,
           guint         index)
{
  return tally_abi_log_get_value (log, index);
}

gchar *
tally_abi_log_to_string (const TallyAbiLog *log)
{
  g_autofree char *args = NULL;

  g_return_val_if_fail (log != NULL, NULL);

  args = _tally_abi_entry_format_args (log->event, log_value, log);
  return g_strconcat (log->event->name, args, NULL);
}

void
tally_abi_log_free (TallyAbiLog *log)
{
  if (log == NULL)
    return;
  g_clear_pointer (&log->values, g_ptr_array_unref);
  g_clear_pointer (&log->data, tally_abi_value_free);
  g_free (log->slots);
  g_free (log);
}

/* Entries. */

TallyAbiEntryKind
tally_abi_entry_get_kind (const TallyAbiEntry *entry)
{
  g_return_val_if_fail (entry != NULL, TALLY_ABI_ENTRY_FUNCTION);

  return entry->kind;
}

const char *
tally_abi_entry_get_name (const TallyAbiEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);

  return entry->name;
}

const char *
tally_abi_entry_get_signature (const TallyAbiEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);

  return entry->signature;
}

const guint8 *
tally_abi_entry_get_selector (const TallyAbiEntry *entry,
                              gsize               *len)
{
  g_return_val_if_fail (entry != NULL, NULL);

  if (len != NULL)
    *len = entry->selector_len;
  return entry->selector;
}

const TallyAbiType *
tally_abi_entry_get_inputs (const TallyAbiEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);

  return entry->inputs;
}

const TallyAbiType *
tally_abi_entry_get_outputs (const TallyAbiEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);

  return entry->outputs;
}

guint
tally_abi_entry_get_n_inputs (const TallyAbiEntry *entry)
{
  g_return_val_if_fail (entry != NULL, 0);

  return g_strv_length (entry->input_names);
}

const char *
tally_abi_entry_get_input_name (const TallyAbiEntry *entry,
                                guint                index)
{
  g_return_val_if_fail (entry != NULL, NULL);
  g_return_val_if_fail (index < g_strv_length (entry->input_names), NULL);

  return entry->input_names[index];
}

gboolean
tally_abi_entry_get_input_indexed (const TallyAbiEntry *entry,
                                   guint                index)
{
  g_return_val_if_fail (entry != NULL, FALSE);
  g_return_val_if_fail (index < g_strv_length (entry->input_names), FALSE);

  return entry->indexed[index];
}

gboolean
tally_abi_entry_is_read_only (const TallyAbiEntry *entry)
{
  g_return_val_if_fail (entry != NULL, FALSE);

  return entry->read_only;
}
