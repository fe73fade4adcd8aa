/* contract-abi.c: a contract's ABI, read from the JSON the compiler exports:
 * functions, events and errors by name and signature, call encoding, result,
 * log and revert decoding
 *
 * Reading the JSON is contract-abi-load.c, the entries contract-abi-entry.c.
 * Encoding and decoding are the wallet's (wallet/abi.h); this file maps
 * names to types and selectors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "contract-abi-private.h"
#include "core-error.h"
#include "wallet/hex.h"

G_DEFINE_FINAL_TYPE (TallyContractAbi, tally_contract_abi, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
tally_contract_abi_finalize (GObject *object)
{
  TallyContractAbi *self = TALLY_CONTRACT_ABI (object);

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->entries, g_ptr_array_unref);

  G_OBJECT_CLASS (tally_contract_abi_parent_class)->finalize (object);
}

static void
tally_contract_abi_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  TallyContractAbi *self = TALLY_CONTRACT_ABI (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_contract_abi_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  TallyContractAbi *self = TALLY_CONTRACT_ABI (object);

  switch (prop_id)
    {
    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_contract_abi_class_init (TallyContractAbiClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tally_contract_abi_finalize;
  object_class->get_property = tally_contract_abi_get_property;
  object_class->set_property = tally_contract_abi_set_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tally_contract_abi_init (TallyContractAbi *self)
{
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) _tally_abi_entry_free);
}

const char *
tally_contract_abi_get_name (TallyContractAbi *self)
{
  g_return_val_if_fail (TALLY_IS_CONTRACT_ABI (self), NULL);

  return self->name;
}

static const char *
kind_noun (TallyAbiEntryKind kind)
{
  return kind == TALLY_ABI_ENTRY_FUNCTION ? "function" : kind == TALLY_ABI_ENTRY_EVENT ? "event"
                                                                                       : "error";
}

const TallyAbiEntry *
tally_contract_abi_lookup (TallyContractAbi *self,
                           TallyAbiEntryKind kind,
                           const char       *name_or_signature,
                           GError          **error)
{
  const TallyAbiEntry *found = NULL;
  gboolean             by_signature;
  guint                matches = 0;

  g_return_val_if_fail (TALLY_IS_CONTRACT_ABI (self), NULL);
  g_return_val_if_fail (name_or_signature != NULL, NULL);

  by_signature = strchr (name_or_signature, '(') != NULL;
  for (guint i = 0; i < self->entries->len; i++)
    {
      const TallyAbiEntry *entry = g_ptr_array_index (self->entries, i);

      if (entry->kind != kind)
        continue;
      if (g_str_equal (by_signature ? entry->signature : entry->name, name_or_signature))
        {
          found = entry;
          matches++;
        }
    }
  if (matches == 1)
    return found;
  if (matches > 1)
    g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND,
                 "%s has %u %ss named %s: give the signature", self->name, matches,
                 kind_noun (kind), name_or_signature);
  else
    g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND, "%s has no %s %s",
                 self->name, kind_noun (kind), name_or_signature);
  return NULL;
}

GPtrArray *
tally_contract_abi_list (TallyContractAbi *self,
                         TallyAbiEntryKind kind)
{
  GPtrArray *list;

  g_return_val_if_fail (TALLY_IS_CONTRACT_ABI (self), NULL);

  list = g_ptr_array_new ();
  for (guint i = 0; i < self->entries->len; i++)
    {
      TallyAbiEntry *entry = g_ptr_array_index (self->entries, i);

      if (entry->kind == kind)
        g_ptr_array_add (list, entry);
    }
  return list;
}

/* Calls, results and reverts. */

gboolean
tally_contract_abi_encode_call (TallyContractAbi    *self,
                                guint8             **out,
                                gsize               *out_len,
                                const char          *function,
                                const TallyAbiValue *args,
                                GError             **error)
{
  const TallyAbiEntry *entry;
  g_autofree guint8   *encoded = NULL;
  gsize                encoded_len = 0;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (TALLY_IS_CONTRACT_ABI (self), FALSE);
  g_return_val_if_fail (out != NULL && out_len != NULL, FALSE);
  g_return_val_if_fail (function != NULL && args != NULL, FALSE);

  *out = NULL;
  *out_len = 0;
  entry = tally_contract_abi_lookup (self, TALLY_ABI_ENTRY_FUNCTION, function, error);
  if (entry == NULL)
    return FALSE;
  if (!tally_abi_encode (&encoded, &encoded_len, entry->inputs, args, &local_error))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s.%s: ", self->name,
                                  entry->signature);
      return FALSE;
    }
  *out_len = TALLY_ABI_SELECTOR_LEN + encoded_len;
  *out = g_malloc (*out_len);
  memcpy (*out, entry->selector, TALLY_ABI_SELECTOR_LEN);
  if (encoded_len > 0)
    memcpy (*out + TALLY_ABI_SELECTOR_LEN, encoded, encoded_len);
  return TRUE;
}

gboolean
tally_contract_abi_decode_result (TallyContractAbi *self,
                                  TallyAbiValue   **result,
                                  const char       *function,
                                  const guint8     *data,
                                  gsize             len,
                                  GError          **error)
{
  const TallyAbiEntry *entry;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (TALLY_IS_CONTRACT_ABI (self), FALSE);
  g_return_val_if_fail (result != NULL && function != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  *result = NULL;
  entry = tally_contract_abi_lookup (self, TALLY_ABI_ENTRY_FUNCTION, function, error);
  if (entry == NULL)
    return FALSE;
  if (!tally_abi_decode (result, entry->outputs, data, len, &local_error))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "The result of %s.%s does not decode: %s", self->name, entry->signature,
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

static const TallyAbiValue *
tuple_element (gconstpointer tuple,
               guint         index)
{
  return tally_abi_value_get_element (tuple, index);
}

gchar *
tally_contract_abi_describe_revert (TallyContractAbi *self,
                                    const guint8     *data,
                                    gsize             len)
{
  g_autoptr (GStrvBuilder) builder = NULL;
  g_auto (GStrv) signatures = NULL;

  g_return_val_if_fail (TALLY_IS_CONTRACT_ABI (self), NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len >= TALLY_ABI_SELECTOR_LEN)
    for (guint i = 0; i < self->entries->len; i++)
      {
        const TallyAbiEntry *entry = g_ptr_array_index (self->entries, i);
        g_autoptr (TallyAbiValue) args = NULL;
        g_autofree char *text = NULL;

        if (entry->kind != TALLY_ABI_ENTRY_ERROR ||
            memcmp (entry->selector, data, TALLY_ABI_SELECTOR_LEN) != 0 ||
            !tally_abi_decode (&args, entry->inputs, data + TALLY_ABI_SELECTOR_LEN,
                               len - TALLY_ABI_SELECTOR_LEN, NULL))
          continue;
        text = _tally_abi_entry_format_args (entry, tuple_element, args);
        return g_strdup_printf ("%s refused the call with the error %s%s.", self->name,
                                entry->name, text);
      }

  /* Error(string), Panic(uint256), or a known error with malformed
   * arguments: the wallet has the words for those. */
  builder = g_strv_builder_new ();
  for (guint i = 0; i < self->entries->len; i++)
    {
      const TallyAbiEntry *entry = g_ptr_array_index (self->entries, i);

      if (entry->kind == TALLY_ABI_ENTRY_ERROR)
        g_strv_builder_add (builder, entry->signature);
    }
  signatures = g_strv_builder_end (builder);
  return tally_abi_describe_revert (data, len, (const char *const *) signatures);
}

/* Logs. */

TallyAbiLog *
tally_contract_abi_decode_log (TallyContractAbi *self,
                               const guint8     *topics,
                               gsize             n_topics,
                               const guint8     *data,
                               gsize             len,
                               GError          **error)
{
  const TallyAbiEntry *event = NULL;
  g_autoptr (TallyAbiLog) log = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *topic_hex = NULL;
  guint            n_inputs, n_indexed = 0, topic = 1, data_slot = 0;

  g_return_val_if_fail (TALLY_IS_CONTRACT_ABI (self), NULL);
  g_return_val_if_fail (topics != NULL || n_topics == 0, NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (n_topics == 0)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND,
                   "A log without topics is no event of %s", self->name);
      return NULL;
    }
  for (guint i = 0; i < self->entries->len && event == NULL; i++)
    {
      const TallyAbiEntry *entry = g_ptr_array_index (self->entries, i);

      if (entry->kind == TALLY_ABI_ENTRY_EVENT && !entry->anonymous &&
          memcmp (entry->selector, topics, TALLY_ABI_TOPIC_LEN) == 0)
        event = entry;
    }
  if (event == NULL)
    {
      topic_hex = tally_hex_encode (topics, TALLY_ABI_TOPIC_LEN);
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND,
                   "No event of %s has the topic %s", self->name, topic_hex);
      return NULL;
    }

  n_inputs = g_strv_length (event->input_names);
  for (guint i = 0; i < n_inputs; i++)
    n_indexed += event->indexed[i] ? 1 : 0;
  if (n_topics != n_indexed + 1)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "A %s log of %s has %" G_GSIZE_FORMAT " topics instead of %u",
                   event->signature, self->name, n_topics, n_indexed + 1);
      return NULL;
    }

  log = g_new0 (TallyAbiLog, 1);
  log->event = event;
  log->values = g_ptr_array_new_with_free_func ((GDestroyNotify) tally_abi_value_free);
  log->slots = g_new0 (guint, n_inputs);
  if (!tally_abi_decode (&log->data, event->data_type, data, len, &local_error))
    goto malformed;
  for (guint i = 0; i < n_inputs; i++)
    {
      const guint8  *word;
      TallyAbiValue *value = NULL;

      if (!event->indexed[i])
        {
          log->slots[i] = data_slot++;
          continue;
        }
      word = topics + (gsize) topic++ * TALLY_ABI_TOPIC_LEN;
      if (event->topic_types[i] == NULL)
        {
          value = tally_abi_value_new_tuple ();
          tally_abi_value_append (value, tally_abi_value_new_fixed_bytes (word, TALLY_ABI_TOPIC_LEN));
        }
      else if (!tally_abi_decode (&value, event->topic_types[i], word, TALLY_ABI_TOPIC_LEN,
                                  &local_error))
        goto malformed;
      log->slots[i] = log->values->len;
      g_ptr_array_add (log->values, value);
    }
  return g_steal_pointer (&log);

malformed:
  g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
               "A %s log of %s does not decode: %s", event->signature, self->name,
               local_error->message);
  return NULL;
}
