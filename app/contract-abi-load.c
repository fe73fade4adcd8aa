/* contract-abi-load.c: reading a contract's ABI from the JSON the compiler
 * exports, into TallyContractAbi's entries: canonical signatures, selectors
 * and event topics; from bytes, a file, a resource or the built-in ABIs
 *
 * The JSON is the contracts build's own output, but it is read as strictly
 * as a reply from a peer: a type we misread would encode a call to the
 * wrong function or misreport an amount.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "abi/tally-abi-config.h"
#include "contract-abi-private.h"
#include "core-error.h"

#if TALLY_HAVE_ABI_RESOURCES
#include "abi/tally-abi-resources.h"
#endif

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TallyAbiEntry, _tally_abi_entry_free)

static gboolean
malformed (GError    **error,
           const char *contract,
           const char *where,
           const char *format,
           ...) G_GNUC_PRINTF (4, 5);

static gboolean
malformed (GError    **error,
           const char *contract,
           const char *where,
           const char *format,
           ...)
{
  g_autofree char *message = NULL;
  va_list          args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
               "The ABI of %s is malformed: %s%s%s", contract, where != NULL ? where : "",
               where != NULL ? ": " : "", message);
  return FALSE;
}

typedef struct
{
  const char *contract;
  const char *where; /* "entry 3 (stake)" */
} Context;

static const char *
string_member (JsonObject *object,
               const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
is_identifier (const char *text)
{
  if (text == NULL || !(g_ascii_isalpha (*text) || *text == '_' || *text == '$'))
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '$')
      return FALSE;
  return TRUE;
}

static gboolean append_params (GString       *out,
                               JsonArray     *params,
                               const Context *context,
                               guint          depth,
                               GError       **error);

/* The canonical text of one parameter: "tuple[]" with components becomes
 * "(address,uint256)[]". */
static gboolean
append_param (GString       *out,
              JsonNode      *node,
              const Context *context,
              guint          depth,
              GError       **error)
{
  JsonObject *param;
  JsonNode   *components;
  const char *type, *name;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return malformed (error, context->contract, context->where, "a parameter is not an object");
  param = json_node_get_object (node);
  type = string_member (param, "type");
  if (type == NULL)
    return malformed (error, context->contract, context->where, "a parameter has no \"type\" string");
  for (const char *p = type; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '[' && *p != ']')
      return malformed (error, context->contract, context->where,
                        "a parameter's \"type\" is not an ABI type");
  name = json_object_has_member (param, "name") ? string_member (param, "name") : "";
  /* Names end up in messages and logs: identifiers only. */
  if (name == NULL || (*name != '\0' && !is_identifier (name)))
    return malformed (error, context->contract, context->where,
                      "a parameter's \"name\" is not an identifier");

  if (!g_str_has_prefix (type, "tuple"))
    {
      g_string_append (out, type);
      return TRUE;
    }
  components = json_object_get_member (param, "components");
  if (components == NULL || !JSON_NODE_HOLDS_ARRAY (components))
    return malformed (error, context->contract, context->where,
                      "a parameter of type %s has no \"components\" array", type);
  if (depth >= TALLY_ABI_MAX_DEPTH)
    return malformed (error, context->contract, context->where, "tuples nest too deeply");
  g_string_append_c (out, '(');
  if (!append_params (out, json_node_get_array (components), context, depth + 1, error))
    return FALSE;
  g_string_append_c (out, ')');
  g_string_append (out, type + strlen ("tuple"));
  return TRUE;
}

static gboolean
append_params (GString       *out,
               JsonArray     *params,
               const Context *context,
               guint          depth,
               GError       **error)
{
  guint n = json_array_get_length (params);

  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      if (!append_param (out, json_array_get_element (params, i), context, depth, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_param_list (TallyAbiType **type,
                  JsonObject    *object,
                  const char    *member,
                  const Context *context,
                  GError       **error)
{
  JsonNode *node = json_object_get_member (object, member);
  g_autoptr (GString) text = g_string_new ("(");
  g_autoptr (GError) local_error = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return malformed (error, context->contract, context->where, "no \"%s\" array", member);
  if (!append_params (text, json_node_get_array (node), context, 0, error))
    return FALSE;
  g_string_append_c (text, ')');
  if (!tally_abi_type_parse (type, text->str, &local_error))
    return malformed (error, context->contract, context->where, "%s: %s", member,
                      local_error->message);
  return TRUE;
}

/* Solidity puts only the keccak-256 hash of an indexed value of these
 * types in its topic. */
static gboolean
hashed_in_topic (const TallyAbiType *type)
{
  switch (tally_abi_type_get_kind (type))
    {
    case TALLY_ABI_BYTES:
    case TALLY_ABI_STRING:
    case TALLY_ABI_ARRAY:
    case TALLY_ABI_FIXED_ARRAY:
    case TALLY_ABI_TUPLE:
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
parse_event_inputs (TallyAbiEntry *entry,
                    JsonArray     *inputs,
                    const Context *context,
                    GError       **error)
{
  guint n = json_array_get_length (inputs);
  g_autoptr (GString) data_text = g_string_new ("(");
  g_autoptr (GError) local_error = NULL;

  entry->topic_types = g_new0 (TallyAbiType *, n);
  for (guint i = 0; i < n; i++)
    {
      JsonObject         *param = json_node_get_object (json_array_get_element (inputs, i));
      JsonNode           *indexed = json_object_get_member (param, "indexed");
      const TallyAbiType *type = tally_abi_type_get_component (entry->inputs, i);
      g_autofree char    *text = tally_abi_type_to_string (type);

      if (indexed == NULL || !JSON_NODE_HOLDS_VALUE (indexed) ||
          json_node_get_value_type (indexed) != G_TYPE_BOOLEAN)
        return malformed (error, context->contract, context->where,
                          "event input %u has no \"indexed\" boolean", i);
      entry->indexed[i] = json_node_get_boolean (indexed);
      if (!entry->indexed[i])
        {
          if (data_text->len > 1)
            g_string_append_c (data_text, ',');
          g_string_append (data_text, text);
        }
      else if (!hashed_in_topic (type))
        {
          g_autofree char *one = g_strdup_printf ("(%s)", text);

          if (!tally_abi_type_parse (&entry->topic_types[i], one, &local_error))
            return malformed (error, context->contract, context->where, "%s",
                              local_error->message);
        }
    }
  g_string_append_c (data_text, ')');
  if (!tally_abi_type_parse (&entry->data_type, data_text->str, &local_error))
    return malformed (error, context->contract, context->where, "%s", local_error->message);
  return TRUE;
}

static gboolean
parse_entry (TallyContractAbi *self,
             JsonNode         *node,
             guint             position,
             GError          **error)
{
  g_autoptr (TallyAbiEntry) entry = g_new0 (TallyAbiEntry, 1);
  g_autofree char *where = g_strdup_printf ("entry %u", position);
  g_autoptr (GError) local_error = NULL;
  g_autofree char *params = NULL;
  Context          context = { self->name, where };
  JsonObject      *object;
  JsonArray       *inputs;
  const char      *type, *mutability;
  guint            n;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return malformed (error, self->name, where, "not an object");
  object = json_node_get_object (node);
  type = string_member (object, "type");
  if (type == NULL)
    return malformed (error, self->name, where, "no \"type\" string");
  if (g_str_equal (type, "constructor") || g_str_equal (type, "fallback") ||
      g_str_equal (type, "receive"))
    return TRUE;
  if (g_str_equal (type, "function"))
    entry->kind = TALLY_ABI_ENTRY_FUNCTION;
  else if (g_str_equal (type, "event"))
    entry->kind = TALLY_ABI_ENTRY_EVENT;
  else if (g_str_equal (type, "error"))
    entry->kind = TALLY_ABI_ENTRY_ERROR;
  else
    return malformed (error, self->name, where, "unknown entry type “%s”", type);

  entry->name = g_strdup (string_member (object, "name"));
  if (!is_identifier (entry->name))
    return malformed (error, self->name, where, "no valid \"name\"");
  g_free (where);
  where = g_strdup_printf ("entry %u (%s)", position, entry->name);
  context.where = where;

  if (!parse_param_list (&entry->inputs, object, "inputs", &context, error))
    return FALSE;
  params = tally_abi_type_to_string (entry->inputs);
  entry->signature = g_strconcat (entry->name, params, NULL);
  inputs = json_object_get_array_member (object, "inputs");
  n = json_array_get_length (inputs);
  entry->input_names = g_new0 (char *, n + 1);
  entry->indexed = g_new0 (gboolean, n);
  for (guint i = 0; i < n; i++)
    {
      const char *name = string_member (json_array_get_object_element (inputs, i), "name");

      entry->input_names[i] = g_strdup (name != NULL ? name : "");
    }

  switch (entry->kind)
    {
    case TALLY_ABI_ENTRY_FUNCTION:
      if (!parse_param_list (&entry->outputs, object, "outputs", &context, error))
        return FALSE;
      mutability = string_member (object, "stateMutability");
      if (mutability == NULL ||
          !g_strv_contains ((const char *const[]){ "pure", "view", "nonpayable", "payable", NULL },
                            mutability))
        return malformed (error, self->name, where, "no valid \"stateMutability\"");
      entry->read_only = g_str_equal (mutability, "pure") || g_str_equal (mutability, "view");
      G_GNUC_FALLTHROUGH;
    case TALLY_ABI_ENTRY_ERROR:
      entry->selector_len = TALLY_ABI_SELECTOR_LEN;
      if (!tally_abi_selector (entry->selector, NULL, entry->signature, &local_error))
        return malformed (error, self->name, where, "%s", local_error->message);
      break;
    case TALLY_ABI_ENTRY_EVENT:
      {
        JsonNode *anonymous = json_object_get_member (object, "anonymous");

        if (anonymous != NULL && (!JSON_NODE_HOLDS_VALUE (anonymous) ||
                                  json_node_get_value_type (anonymous) != G_TYPE_BOOLEAN))
          return malformed (error, self->name, where, "\"anonymous\" is not a boolean");
        entry->anonymous = anonymous != NULL && json_node_get_boolean (anonymous);
        entry->selector_len = TALLY_ABI_TOPIC_LEN;
        if (!tally_abi_event_topic (entry->selector, entry->signature, &local_error) ||
            !parse_event_inputs (entry, inputs, &context, error))
          return local_error == NULL ? FALSE : malformed (error, self->name, where, "%s", local_error->message);
        break;
      }
    default:
      g_assert_not_reached ();
    }

  for (guint i = 0; i < self->entries->len; i++)
    {
      const TallyAbiEntry *other = g_ptr_array_index (self->entries, i);

      if (other->kind == entry->kind && g_str_equal (other->signature, entry->signature))
        return malformed (error, self->name, where, "%s is declared twice", entry->signature);
    }
  g_ptr_array_add (self->entries, g_steal_pointer (&entry));
  return TRUE;
}

TallyContractAbi *
tally_contract_abi_new_from_bytes (const char *name,
                                   GBytes     *json,
                                   GError    **error)
{
  g_autoptr (TallyContractAbi) self = NULL;
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError) local_error = NULL;
  const char *data;
  gsize       len = 0;
  JsonNode   *root;
  JsonArray  *array;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (json != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (TALLY_TYPE_CONTRACT_ABI, "name", name, NULL);
  data = g_bytes_get_data (json, &len);
  if (len > G_MAXSSIZE || (len > 0 && memchr (data, '\0', len) != NULL))
    {
      malformed (error, name, NULL, "not JSON text");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, len > 0 ? data : "", (gssize) len, &local_error))
    {
      g_autofree char *reason = g_utf8_make_valid (local_error->message, -1);

      malformed (error, name, NULL, "%s", reason);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      malformed (error, name, NULL, "not a JSON array");
      return NULL;
    }
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (!parse_entry (self, json_array_get_element (array, i), i, error))
      return NULL;
  return g_steal_pointer (&self);
}

TallyContractAbi *
tally_contract_abi_new_from_file (const char *path,
                                  GError    **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *base = NULL;
  gsize            len = 0;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GBytes) bytes = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND,
                   "Could not read a contract ABI: %s", local_error->message);
      return NULL;
    }
  base = g_path_get_basename (path);
  if (g_str_has_suffix (base, ".json"))
    base[strlen (base) - strlen (".json")] = '\0';
  bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
  return tally_contract_abi_new_from_bytes (base, bytes, error);
}

TallyContractAbi *
tally_contract_abi_new_from_resource (const char *resource_path,
                                      GError    **error)
{
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *base = NULL;

  g_return_val_if_fail (resource_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  bytes = g_resources_lookup_data (resource_path, G_RESOURCE_LOOKUP_FLAGS_NONE, &local_error);
  if (bytes == NULL)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND,
                   "Could not read a contract ABI: %s", local_error->message);
      return NULL;
    }
  base = g_path_get_basename (resource_path);
  if (g_str_has_suffix (base, ".json"))
    base[strlen (base) - strlen (".json")] = '\0';
  return tally_contract_abi_new_from_bytes (base, bytes, error);
}

TallyContractAbi *
tally_contract_abi_new_builtin (const char *contract,
                                GError    **error)
{
  g_return_val_if_fail (contract != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

#if TALLY_HAVE_ABI_RESOURCES
  {
    g_autofree char *path = g_strdup_printf (RESOURCE_BASE_PATH "/abi/%s.json", contract);
    g_autoptr (GBytes) bytes = NULL;

    /* The library's own resource, not the global registry: the app may not
     * have registered it, and a static library drops unreferenced objects. */
    bytes = g_resource_lookup_data (tally_abi_get_resource (), path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
    if (bytes != NULL)
      return tally_contract_abi_new_from_bytes (contract, bytes, error);
  }
  g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND,
               "Tally has no ABI for a contract named %s", contract);
#else
  g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND,
               "This build of Tally carries no contract ABI (forge was not found when it was "
               "built), so it cannot talk to %s",
               contract);
#endif
  return NULL;
}
