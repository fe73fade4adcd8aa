/* manifest.c: a task's manifest, read strictly (docs/manifest.md)
 *
 * The bytes come from whoever created the task, through whatever server
 * they chose. They are bounded before anything is parsed, checked against
 * the hash the chain holds, and then every member is checked, so the rest of
 * the app can trust what it gets: at most 256 items with unique ids, valid
 * hashes and sizes, URIs that stay where the manifest put them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "core-error.h"
#include "manifest-private.h"
#include "wallet/hex.h"
#include "wallet/json.h"

/* Hostile text quoted in a message is cut to this many characters. */
#define QUOTE_MAX 60

G_DEFINE_FINAL_TYPE (TallyManifest, tally_manifest, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SCHEMA_VERSION,
  PROP_TITLE,
  PROP_INSTRUCTIONS,
  PROP_BASE_URI,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The members each object of a schema may have; schema 2 adds only the
 * top-level "encryption". */
static const char *const manifest_members_v1[] = {
  "schema", "title", "instructions", "classes", "tools", "items", NULL
};
static const char *const manifest_members_v2[] = {
  "schema", "title", "instructions", "classes", "tools", "items", "encryption", NULL
};
static const char *const class_members_v1[] = { "name", "color", "hotkey", NULL };

/* Text from the document in a message: valid UTF-8 already, but of any
 * length and with any character. */
char *
tally_manifest_quote (const char *text)
{
  GString *out = g_string_new ("“");
  guint    n = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (n++ == QUOTE_MAX)
        {
          g_string_append (out, "…");
          break;
        }
      g_string_append_unichar (out, g_unichar_iscntrl (c) ? 0xfffd : c);
    }
  g_string_append (out, "”");
  return g_string_free (out, FALSE);
}

/* Every message is "<where>: <what>", where names the element: "Manifest",
 * "Class 3 (“Cat”)", "Item 12 (“img-012”)". */
gboolean
tally_manifest_fail (GError    **error,
                     const char *where,
                     const char *format,
                     ...)
{
  g_autofree char *what = NULL;
  va_list          args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST, "%s: %s", where, what);
  return FALSE;
}

/* "a string", "an array": what a message says a value is. */
static const char *
describe (TallyJsonKind kind)
{
  switch (kind)
    {
    case TALLY_JSON_NULL:
      return "null";
    case TALLY_JSON_BOOLEAN:
      return "a boolean";
    case TALLY_JSON_NUMBER:
      return "a number";
    case TALLY_JSON_STRING:
      return "a string";
    case TALLY_JSON_ARRAY:
      return "an array";
    case TALLY_JSON_OBJECT:
      return "an object";
    default:
      g_assert_not_reached ();
    }
}

const char *
tally_manifest_json_describe (const TallyJsonNode *node)
{
  return describe (tally_json_node_get_kind (node));
}

gboolean
tally_manifest_json_check_members (const TallyJsonNode *object,
                                   const char *const   *known,
                                   const char          *where,
                                   GError             **error)
{
  for (guint i = 0; i < tally_json_node_get_size (object); i++)
    {
      const char *name = tally_json_node_get_member_name (object, i);

      if (!g_strv_contains (known, name))
        {
          g_autofree char *quoted = tally_manifest_quote (name);

          return tally_manifest_fail (error, where, "unknown member %s", quoted);
        }
    }
  return TRUE;
}

/* *out is NULL when an optional member is absent. */
gboolean
tally_manifest_json_member (const TallyJsonNode  *object,
                            const char           *name,
                            TallyJsonKind         kind,
                            gboolean              required,
                            const char           *where,
                            const TallyJsonNode **out,
                            GError              **error)
{
  const TallyJsonNode *node = tally_json_node_lookup (object, name);

  *out = NULL;
  if (node == NULL)
    return required ? tally_manifest_fail (error, where, "the member %s is missing", name) : TRUE;
  if (tally_json_node_get_kind (node) != kind)
    return tally_manifest_fail (error, where, "%s must be %s, not %s", name,
                                kind == TALLY_JSON_NUMBER ? "a whole number" : describe (kind),
                                tally_manifest_json_describe (node));
  *out = node;
  return TRUE;
}

gboolean
tally_manifest_json_string (const TallyJsonNode *object,
                            const char          *name,
                            gboolean             required,
                            const char          *where,
                            const char         **out,
                            GError             **error)
{
  const TallyJsonNode *node;
  gsize                len = 0;

  *out = NULL;
  if (!tally_manifest_json_member (object, name, TALLY_JSON_STRING, required, where, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;
  *out = tally_json_node_get_string (node, &len);
  if (strlen (*out) != len)
    return tally_manifest_fail (error, where, "%s must not contain U+0000", name);
  return TRUE;
}

/* Numbers must be written as plain integers: "1.0" and "1e3" are refused
 * rather than guessed at. */
gboolean
tally_manifest_json_integer (const TallyJsonNode *object,
                             const char          *name,
                             gboolean             required,
                             guint64              min,
                             guint64              max,
                             const char          *where,
                             guint64             *out,
                             gboolean            *present,
                             GError             **error)
{
  const TallyJsonNode *node;
  const char          *text;
  const char          *digits;
  g_autofree char     *quoted = NULL;
  guint64              value = 0;
  gboolean             in_range;

  *out = 0;
  if (present != NULL)
    *present = FALSE;
  if (!tally_manifest_json_member (object, name, TALLY_JSON_NUMBER, required, where, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;

  text = tally_json_node_get_number_text (node);
  digits = text + (text[0] == '-');
  quoted = tally_manifest_quote (text);
  if (strspn (digits, "0123456789") != strlen (digits))
    return tally_manifest_fail (error, where, "%s must be a whole number, not %s", name, quoted);
  /* Nineteen digits always fit a guint64; more are out of range anyway. */
  in_range = text[0] != '-' && strlen (digits) <= 19;
  if (in_range)
    value = g_ascii_strtoull (digits, NULL, 10);
  if (!in_range || value < min || value > max)
    return tally_manifest_fail (error, where,
                                "%s must be from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT
                                ", not %s",
                                name, min, max, quoted);
  *out = value;
  if (present != NULL)
    *present = TRUE;
  return TRUE;
}

/* Lengths count characters (code points), as a person reads them. Names
 * and titles are one line; instructions may hold line breaks and tabs. */
static gboolean
check_text (const char *text,
            const char *name,
            guint       min_chars,
            guint       max_chars,
            gboolean    multiline,
            const char *where,
            GError    **error)
{
  glong    n = g_utf8_strlen (text, -1);
  gboolean blank = TRUE;

  if (n < min_chars || n > max_chars)
    return tally_manifest_fail (error, where, "%s must be %u to %u characters long, not %ld", name,
                                min_chars, max_chars, n);
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (multiline && (c == '\n' || c == '\r' || c == '\t'))
        continue;
      if (g_unichar_iscntrl (c))
        return tally_manifest_fail (error, where, "%s must not contain control characters (U+%04X)",
                                    name, c);
      if (!g_unichar_isspace (c))
        blank = FALSE;
    }
  if (blank && !multiline && n > 0)
    return tally_manifest_fail (error, where, "%s must not be blank", name);
  return TRUE;
}

static gboolean
parse_color (const char *text,
             guint32    *out)
{
  guint32 value = 0;

  if (strlen (text) != 7 || text[0] != '#')
    return FALSE;
  for (guint i = 1; i < 7; i++)
    {
      if (!g_ascii_isxdigit (text[i]))
        return FALSE;
      value = value << 4 | (guint32) g_ascii_xdigit_value (text[i]);
    }
  *out = value;
  return TRUE;
}

/* The bound of TALLY_MANIFEST_MAX_DEPTH, on the raw bytes: a manifest needs
 * three levels, and a deeper document is refused before a tree is built. */
static gboolean
check_depth (const guint8 *data,
             gsize         len,
             GError      **error)
{
  gboolean in_string = FALSE;
  guint    depth = 0;

  for (gsize i = 0; i < len; i++)
    {
      if (in_string)
        {
          if (data[i] == '\\')
            i++;
          else if (data[i] == '"')
            in_string = FALSE;
        }
      else if (data[i] == '"')
        in_string = TRUE;
      else if (data[i] == '[' || data[i] == '{')
        {
          if (++depth > TALLY_MANIFEST_MAX_DEPTH)
            return tally_manifest_fail (error, "Manifest",
                                        "arrays and objects are nested more than %u deep",
                                        TALLY_MANIFEST_MAX_DEPTH);
        }
      else if ((data[i] == ']' || data[i] == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

static gboolean
read_class (TallyManifest       *self,
            const TallyJsonNode *node,
            guint                index,
            GHashTable          *names,
            guint               *hotkeys,
            GError             **error)
{
  TallyManifestLabelClass klass = { NULL, 0, '\0', (guint8) (index + 1) };
  g_autofree char        *where = g_strdup_printf ("Class %u", index);
  g_autofree char        *normal = NULL;
  g_autofree char        *key = NULL;
  const char             *name;
  const char             *color;
  const char             *hotkey;
  gpointer                other;

  if (tally_json_node_get_kind (node) != TALLY_JSON_OBJECT)
    return tally_manifest_fail (error, where, "must be an object, not %s",
                                tally_manifest_json_describe (node));
  if (!tally_manifest_json_string (node, "name", TRUE, where, &name, error) ||
      !check_text (name, "name", 1, TALLY_MANIFEST_MAX_CLASS_NAME, FALSE, where, error))
    return FALSE;
  g_free (where);
  {
    g_autofree char *quoted = tally_manifest_quote (name);

    where = g_strdup_printf ("Class %u (%s)", index, quoted);
  }
  if (!tally_manifest_json_check_members (node, class_members_v1, where, error))
    return FALSE;

  /* "Cat" and "CAT" (or a full-width "Ｃａｔ") would look like one class. */
  normal = g_utf8_normalize (name, -1, G_NORMALIZE_NFKC);
  key = g_utf8_casefold (normal, -1);
  if (g_hash_table_lookup_extended (names, key, NULL, &other))
    return tally_manifest_fail (error, where,
                                "name is already used by class %u; names must differ in more "
                                "than case",
                                GPOINTER_TO_UINT (other));
  g_hash_table_insert (names, g_steal_pointer (&key), GUINT_TO_POINTER (index));
  klass.name = g_string_chunk_insert (self->strings, name);

  if (!tally_manifest_json_string (node, "color", TRUE, where, &color, error))
    return FALSE;
  if (!parse_color (color, &klass.color))
    {
      g_autofree char *quoted = tally_manifest_quote (color);

      return tally_manifest_fail (error, where, "color must be “#rrggbb” (six hex digits), not %s",
                                  quoted);
    }

  if (!tally_manifest_json_string (node, "hotkey", FALSE, where, &hotkey, error))
    return FALSE;
  if (hotkey != NULL)
    {
      guint slot;

      if (strlen (hotkey) != 1 || !(g_ascii_islower (hotkey[0]) || g_ascii_isdigit (hotkey[0])))
        {
          g_autofree char *quoted = tally_manifest_quote (hotkey);

          return tally_manifest_fail (error, where, "hotkey must be one of a–z or 0–9, not %s",
                                      quoted);
        }
      slot =
        g_ascii_isdigit (hotkey[0]) ? 26u + (guint) (hotkey[0] - '0') : (guint) (hotkey[0] - 'a');
      if (hotkeys[slot] != 0)
        return tally_manifest_fail (error, where, "hotkey “%c” is already used by class %u",
                                    hotkey[0], hotkeys[slot] - 1);
      hotkeys[slot] = index + 1;
      klass.hotkey = hotkey[0];
    }

  g_array_append_val (self->classes, klass);
  return TRUE;
}

static gboolean
read_classes (TallyManifest       *self,
              const TallyJsonNode *root,
              GError             **error)
{
  g_autoptr (GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint                hotkeys[36] = { 0 }; /* a-z, 0-9 -> class index + 1 */
  const TallyJsonNode *array;
  guint                n;

  if (!tally_manifest_json_member (root, "classes", TALLY_JSON_ARRAY, TRUE, "Manifest", &array,
                                   error))
    return FALSE;
  n = tally_json_node_get_length (array);
  if (n < TALLY_MANIFEST_MIN_CLASSES || n > TALLY_MANIFEST_MAX_CLASSES)
    return tally_manifest_fail (error, "Manifest", "classes must list %u to %u classes, not %u",
                                TALLY_MANIFEST_MIN_CLASSES, TALLY_MANIFEST_MAX_CLASSES, n);
  for (guint i = 0; i < n; i++)
    if (!read_class (self, tally_json_node_get_element (array, i), i, names, hotkeys, error))
      return FALSE;
  return TRUE;
}

static gboolean
read_tools (TallyManifest       *self,
            const TallyJsonNode *root,
            GError             **error)
{
  static const TallyManifestTools all[] = { TALLY_MANIFEST_TOOL_CLASSIFY, TALLY_MANIFEST_TOOL_BOX,
                                            TALLY_MANIFEST_TOOL_SPAN };
  const TallyJsonNode            *array;
  guint                           n;

  if (!tally_manifest_json_member (root, "tools", TALLY_JSON_ARRAY, TRUE, "Manifest", &array,
                                   error))
    return FALSE;
  n = tally_json_node_get_length (array);
  if (n == 0 || n > G_N_ELEMENTS (all))
    return tally_manifest_fail (error, "Manifest", "tools must list 1 to %u tools, not %u",
                                (guint) G_N_ELEMENTS (all), n);

  for (guint i = 0; i < n; i++)
    {
      const TallyJsonNode *node = tally_json_node_get_element (array, i);
      TallyManifestTools   tool = 0;
      g_autofree char     *quoted = NULL;

      if (tally_json_node_get_kind (node) != TALLY_JSON_STRING)
        return tally_manifest_fail (error, "Manifest", "tools[%u] must be a string, not %s", i,
                                    tally_manifest_json_describe (node));
      for (guint j = 0; j < G_N_ELEMENTS (all); j++)
        if (strcmp (tally_json_node_get_string (node, NULL),
                    tally_manifest_tool_to_string (all[j])) == 0)
          tool = all[j];
      quoted = tally_manifest_quote (tally_json_node_get_string (node, NULL));
      if (tool == 0)
        return tally_manifest_fail (error, "Manifest",
                                    "tools[%u] is %s, not one of classify, box, span", i, quoted);
      if (self->tools & tool)
        return tally_manifest_fail (error, "Manifest", "tools lists %s twice", quoted);
      self->tools |= tool;
    }
  return TRUE;
}

static gboolean
read_common (TallyManifest       *self,
             const TallyJsonNode *root,
             const char          *base_uri,
             const char *const   *members,
             GError             **error)
{
  const char *title;
  const char *instructions;

  if (!tally_manifest_json_check_members (root, members, "Manifest", error))
    return FALSE;
  if (!tally_manifest_json_string (root, "title", TRUE, "Manifest", &title, error) ||
      !check_text (title, "title", 1, TALLY_MANIFEST_MAX_TITLE, FALSE, "Manifest", error))
    return FALSE;
  if (!tally_manifest_json_string (root, "instructions", FALSE, "Manifest", &instructions, error) ||
      (instructions != NULL &&
       !check_text (instructions, "instructions", 0, TALLY_MANIFEST_MAX_INSTRUCTIONS, TRUE,
                    "Manifest", error)))
    return FALSE;
  self->title = g_string_chunk_insert (self->strings, title);
  self->instructions =
    g_string_chunk_insert (self->strings, instructions != NULL ? instructions : "");

  return read_classes (self, root, error) && read_tools (self, root, error) &&
         tally_manifest_read_items (self, root, base_uri, error);
}

static gboolean
read_document (TallyManifest *self,
               const char    *base_uri,
               GError       **error)
{
  g_autoptr (TallyJsonNode) root = NULL;
  g_autoptr (GError) local_error = NULL;
  gsize         len;
  const guint8 *data = g_bytes_get_data (self->bytes, &len);
  guint64       schema;

  if (!check_depth (data, len, error))
    return FALSE;
  if (!tally_json_parse (&root, (const char *) data, len, &local_error))
    return tally_manifest_fail (error, "Manifest", "%s", local_error->message);
  if (tally_json_node_get_kind (root) != TALLY_JSON_OBJECT)
    return tally_manifest_fail (error, "Manifest", "the document must be a JSON object, not %s",
                                tally_manifest_json_describe (root));

  /* The version first: a newer manifest may have members this one would
   * call unknown, and "upgrade Tally" is the useful message then. */
  if (!tally_manifest_json_integer (root, "schema", TRUE, 1, G_MAXUINT32, "Manifest", &schema, NULL,
                                    error))
    return FALSE;
  self->schema_version = (guint) schema;
  switch (self->schema_version)
    {
    case 1:
      return read_common (self, root, base_uri, manifest_members_v1, error);
    case 2:
      return read_common (self, root, base_uri, manifest_members_v2, error) &&
             tally_manifest_read_encryption (self, root, error);
    default:
      return tally_manifest_fail (error, "Manifest",
                                  "schema version %u is not supported; this version of Tally "
                                  "reads versions up to %u",
                                  self->schema_version, TALLY_MANIFEST_SCHEMA_VERSION);
    }
}

static void
tally_manifest_finalize (GObject *object)
{
  TallyManifest *self = TALLY_MANIFEST (object);

  g_clear_pointer (&self->bytes, g_bytes_unref);
  g_clear_pointer (&self->base_uri, g_free);
  g_clear_pointer (&self->classes, g_array_unref);
  g_clear_pointer (&self->items, g_array_unref);
  g_clear_pointer (&self->items_by_id, g_hash_table_unref);
  g_clear_pointer (&self->strings, g_string_chunk_free);

  G_OBJECT_CLASS (tally_manifest_parent_class)->finalize (object);
}

static void
tally_manifest_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TallyManifest *self = TALLY_MANIFEST (object);

  switch (prop_id)
    {
    case PROP_SCHEMA_VERSION:
      g_value_set_uint (value, self->schema_version);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_INSTRUCTIONS:
      g_value_set_string (value, self->instructions);
      break;
    case PROP_BASE_URI:
      g_value_set_string (value, self->base_uri);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_manifest_class_init (TallyManifestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tally_manifest_finalize;
  object_class->get_property = tally_manifest_get_property;

  /* Read-only: a manifest is what its hashed bytes say, nothing else. */
  properties[PROP_SCHEMA_VERSION] =
    g_param_spec_uint ("schema-version", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_INSTRUCTIONS] =
    g_param_spec_string ("instructions", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_BASE_URI] =
    g_param_spec_string ("base-uri", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tally_manifest_init (TallyManifest *self)
{
  self->classes = g_array_new (FALSE, TRUE, sizeof (TallyManifestLabelClass));
  self->items = g_array_new (FALSE, TRUE, sizeof (TallyManifestItem));
  self->items_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->strings = g_string_chunk_new (1024);
}

TallyManifest *
tally_manifest_new_from_bytes (GBytes       *bytes,
                               const char   *base_uri,
                               const guint8 *expected_keccak,
                               GError      **error)
{
  g_autoptr (TallyManifest) self = NULL;
  gsize         len;
  const guint8 *data;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (bytes, &len);
  if (len > TALLY_MANIFEST_MAX_SIZE)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_TOO_LARGE,
                   "Manifest: the document is %" G_GSIZE_FORMAT " bytes; at most %u are allowed",
                   len, (guint) TALLY_MANIFEST_MAX_SIZE);
      return NULL;
    }

  self = g_object_new (TALLY_TYPE_MANIFEST, NULL);
  self->bytes = g_bytes_ref (bytes);
  self->base_uri = g_strdup (base_uri);
  tally_keccak256 (self->keccak, data, len);
  if (expected_keccak != NULL && memcmp (self->keccak, expected_keccak, TALLY_KECCAK256_LEN) != 0)
    {
      g_autofree char *got = tally_hex_encode (self->keccak, TALLY_KECCAK256_LEN);
      g_autofree char *want = tally_hex_encode (expected_keccak, TALLY_KECCAK256_LEN);

      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_HASH_MISMATCH,
                   "Manifest: its keccak-256 is %s, but the task on chain expects %s; "
                   "the manifest was changed after the task was created",
                   got, want);
      return NULL;
    }

  if (!read_document (self, base_uri, error))
    return NULL;
  return g_steal_pointer (&self);
}

GBytes *
tally_manifest_get_bytes (TallyManifest *self)
{
  g_return_val_if_fail (TALLY_IS_MANIFEST (self), NULL);
  return self->bytes;
}

const char *
tally_manifest_get_base_uri (TallyManifest *self)
{
  g_return_val_if_fail (TALLY_IS_MANIFEST (self), NULL);
  return self->base_uri;
}

const guint8 *
tally_manifest_get_keccak (TallyManifest *self)
{
  g_return_val_if_fail (TALLY_IS_MANIFEST (self), NULL);
  return self->keccak;
}

guint
tally_manifest_get_schema_version (TallyManifest *self)
{
  g_return_val_if_fail (TALLY_IS_MANIFEST (self), 0);
  return self->schema_version;
}

const char *
tally_manifest_get_title (TallyManifest *self)
{
  g_return_val_if_fail (TALLY_IS_MANIFEST (self), NULL);
  return self->title;
}

const char *
tally_manifest_get_instructions (TallyManifest *self)
{
  g_return_val_if_fail (TALLY_IS_MANIFEST (self), NULL);
  return self->instructions;
}

TallyManifestTools
tally_manifest_get_tools (TallyManifest *self)
{
  g_return_val_if_fail (TALLY_IS_MANIFEST (self), 0);
  return self->tools;
}

gboolean
tally_manifest_has_tool (TallyManifest     *self,
                         TallyManifestTools tool)
{
  g_return_val_if_fail (TALLY_IS_MANIFEST (self), FALSE);
  return tool != 0 && (self->tools & tool) == tool;
}

guint
tally_manifest_get_n_label_classes (TallyManifest *self)
{
  g_return_val_if_fail (TALLY_IS_MANIFEST (self), 0);
  return self->classes->len;
}

const TallyManifestLabelClass *
tally_manifest_get_label_class (TallyManifest *self,
                                guint          index)
{
  g_return_val_if_fail (TALLY_IS_MANIFEST (self), NULL);
  g_return_val_if_fail (index < self->classes->len, NULL);
  return &g_array_index (self->classes, TallyManifestLabelClass, index);
}

const TallyManifestLabelClass *
tally_manifest_lookup_hotkey (TallyManifest *self,
                              char           hotkey)
{
  g_return_val_if_fail (TALLY_IS_MANIFEST (self), NULL);

  for (guint i = 0; hotkey != '\0' && i < self->classes->len; i++)
    if (g_array_index (self->classes, TallyManifestLabelClass, i).hotkey == hotkey)
      return &g_array_index (self->classes, TallyManifestLabelClass, i);
  return NULL;
}

guint
tally_manifest_get_n_items (TallyManifest *self)
{
  g_return_val_if_fail (TALLY_IS_MANIFEST (self), 0);
  return self->items->len;
}

const TallyManifestItem *
tally_manifest_get_item (TallyManifest *self,
                         guint          index)
{
  g_return_val_if_fail (TALLY_IS_MANIFEST (self), NULL);
  g_return_val_if_fail (index < self->items->len, NULL);
  return &g_array_index (self->items, TallyManifestItem, index);
}

const TallyManifestItem *
tally_manifest_lookup_item (TallyManifest *self,
                            const char    *id)
{
  guint position;

  g_return_val_if_fail (TALLY_IS_MANIFEST (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  position = GPOINTER_TO_UINT (g_hash_table_lookup (self->items_by_id, id));
  return position > 0 ? &g_array_index (self->items, TallyManifestItem, position - 1) : NULL;
}
