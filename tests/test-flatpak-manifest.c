/* test-flatpak-manifest.c: checks that the Flatpak manifests in flatpak/ build the
 * right app, on a current GNOME runtime, with the narrow sandbox the design asks for
 * (no host files, no host keyring) and libsecp256k1 pinned with the modules we use.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#define MIN_GNOME_RUNTIME 50

typedef struct
{
  const char *file;
  const char *app_id;
  gboolean    devel;
} ManifestCase;

static const ManifestCase stable_case = { "io.github.tally.Tally.json", "io.github.tally.Tally",
                                          FALSE };
static const ManifestCase devel_case = { "io.github.tally.Tally.Devel.json",
                                         "io.github.tally.Tally.Devel", TRUE };

typedef struct
{
  JsonObject *manifest;
} Fixture;

#define MANIFEST_ERROR (manifest_error_quark ())

enum
{
  MANIFEST_ERROR_NOT_AN_OBJECT,
  MANIFEST_ERROR_NO_SOURCE_DIR,
};

static GQuark
manifest_error_quark (void)
{
  return g_quark_from_static_string ("tally-manifest-error-quark");
}

/* The loader under test: a manifest is one JSON object. Anything else is a
 * GError, never a crash or a critical. */
static JsonObject *
manifest_load_from_data (const char *data, gssize length, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, data, length, error))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, MANIFEST_ERROR, MANIFEST_ERROR_NOT_AN_OBJECT,
                           "The manifest is not a JSON object");
      return NULL;
    }

  return json_node_dup_object (root);
}

static gboolean
manifest_read (const char *file, char **text, gsize *length, GError **error)
{
  const char      *source_dir = g_getenv ("TALLY_SOURCE_DIR");
  g_autofree char *path = NULL;

  if (source_dir == NULL)
    {
      g_set_error_literal (error, MANIFEST_ERROR, MANIFEST_ERROR_NO_SOURCE_DIR,
                           "TALLY_SOURCE_DIR is not set");
      return FALSE;
    }

  path = g_build_filename (source_dir, "flatpak", file, NULL);
  return g_file_get_contents (path, text, length, error);
}

static JsonObject *
manifest_load (const char *file, GError **error)
{
  g_autofree char *text = NULL;
  gsize            length;

  if (!manifest_read (file, &text, &length, error))
    return NULL;

  return manifest_load_from_data (text, (gssize) length, error);
}

/* Member accessors that return NULL for a missing member or one of the wrong
 * type, so a malformed manifest fails an assertion instead of logging a
 * critical from json-glib. */
static const char *
member_string (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static JsonArray *
member_array (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;

  return json_node_get_array (node);
}

static gboolean
member_boolean (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return FALSE;

  return json_node_get_boolean (node);
}

/* An array of strings as a GStrv, or NULL when any element is not a string. */
static GStrv
member_strv (JsonObject *object, const char *name)
{
  JsonArray *array = member_array (object, name);
  g_autoptr (GStrvBuilder) builder = NULL;

  if (array == NULL)
    return NULL;

  builder = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        return NULL;
      g_strv_builder_add (builder, json_node_get_string (node));
    }

  return g_strv_builder_end (builder);
}

static JsonObject *
find_module (JsonObject *manifest, const char *name, guint *index)
{
  JsonArray *modules = member_array (manifest, "modules");

  if (modules == NULL)
    return NULL;

  for (guint i = 0; i < json_array_get_length (modules); i++)
    {
      JsonNode *node = json_array_get_element (modules, i);

      /* A module may also be a string: the path of a module file. */
      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      if (g_strcmp0 (member_string (json_node_get_object (node), "name"), name) == 0)
        {
          if (index != NULL)
            *index = i;
          return json_node_get_object (node);
        }
    }

  return NULL;
}

static gboolean
is_hex (const char *text, gsize length)
{
  if (text == NULL || strlen (text) != length)
    return FALSE;

  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_isxdigit (text[i]))
        return FALSE;
    }

  return TRUE;
}

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  const ManifestCase *mc = data;
  g_autoptr (GError) error = NULL;

  fixture->manifest = manifest_load (mc->file, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->manifest);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_clear_pointer (&fixture->manifest, json_object_unref);
}

static void
test_parses (Fixture *fixture, gconstpointer data)
{
  g_assert_nonnull (member_array (fixture->manifest, "modules"));
  g_assert_nonnull (member_array (fixture->manifest, "finish-args"));
}

static void
test_app_id (Fixture *fixture, gconstpointer data)
{
  const ManifestCase *mc = data;
  g_auto (GStrv) tags = member_strv (fixture->manifest, "tags");
  gboolean tagged_devel = tags != NULL && g_strv_contains ((const char *const *) tags, "devel");

  /* "app-id" is the older spelling flatpak-builder still accepts. */
  if (member_string (fixture->manifest, "id") != NULL)
    g_assert_cmpstr (member_string (fixture->manifest, "id"), ==, mc->app_id);
  else
    g_assert_cmpstr (member_string (fixture->manifest, "app-id"), ==, mc->app_id);

  g_assert_cmpint (tagged_devel, ==, mc->devel);
}

static void
test_runtime (Fixture *fixture, gconstpointer data)
{
  const char *version = member_string (fixture->manifest, "runtime-version");
  g_autoptr (GError) error = NULL;
  guint64 number = 0;

  g_assert_cmpstr (member_string (fixture->manifest, "runtime"), ==, "org.gnome.Platform");
  g_assert_cmpstr (member_string (fixture->manifest, "sdk"), ==, "org.gnome.Sdk");

  /* A number, not "master": a release build must not follow a moving target. */
  g_assert_nonnull (version);
  g_ascii_string_to_unsigned (version, 10, 0, G_MAXUINT, &number, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (number, >=, MIN_GNOME_RUNTIME);
}

static void
test_command (Fixture *fixture, gconstpointer data)
{
  g_assert_cmpstr (member_string (fixture->manifest, "command"), ==, "tally");
}

static void
test_finish_args (Fixture *fixture, gconstpointer data)
{
  static const char *const required[] = {
    "--share=network",
    "--share=ipc",
    "--socket=wayland",
    "--socket=fallback-x11",
    "--device=dri",
  };
  g_auto (GStrv) args = member_strv (fixture->manifest, "finish-args");

  g_assert_nonnull (args);

  for (gsize i = 0; i < G_N_ELEMENTS (required); i++)
    {
      if (!g_strv_contains ((const char *const *) args, required[i]))
        g_test_fail_printf ("finish-args lacks %s", required[i]);
    }

  for (gsize i = 0; args[i] != NULL; i++)
    {
      /* Files go through the document portal; keys through the Secret portal,
       * never the host's keyring. */
      if (g_str_has_prefix (args[i], "--filesystem"))
        g_test_fail_printf ("finish-args grants host files: %s", args[i]);
      if (strstr (args[i], "org.freedesktop.secrets") != NULL)
        g_test_fail_printf ("finish-args opens the host keyring: %s", args[i]);
    }
}

static void
test_module_secp256k1 (Fixture *fixture, gconstpointer data)
{
  JsonObject *module = find_module (fixture->manifest, "libsecp256k1", NULL);
  g_auto (GStrv) opts = NULL;
  JsonArray *sources;
  gboolean   pinned = FALSE;

  g_assert_nonnull (module);

  sources = member_array (module, "sources");
  g_assert_nonnull (sources);
  for (guint i = 0; i < json_array_get_length (sources); i++)
    {
      JsonNode   *node = json_array_get_element (sources, i);
      JsonObject *source;
      const char *type;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      source = json_node_get_object (node);
      type = member_string (source, "type");

      if ((g_strcmp0 (type, "archive") == 0 || g_strcmp0 (type, "file") == 0) &&
          is_hex (member_string (source, "sha256"), 64))
        pinned = TRUE;
      else if (g_strcmp0 (type, "git") == 0 && is_hex (member_string (source, "commit"), 40))
        pinned = TRUE;
    }
  g_assert_true (pinned);

  /* Recovery gives ecrecover for signatures, extrakeys the x-only keys; the
   * module names differ between the CMake and the autotools build. */
  opts = member_strv (module, "config-opts");
  g_assert_nonnull (opts);
  g_assert_true (
    g_strv_contains ((const char *const *) opts, "-DSECP256K1_ENABLE_MODULE_RECOVERY=ON") ||
    g_strv_contains ((const char *const *) opts, "--enable-module-recovery"));
  g_assert_true (
    g_strv_contains ((const char *const *) opts, "-DSECP256K1_ENABLE_MODULE_EXTRAKEYS=ON") ||
    g_strv_contains ((const char *const *) opts, "--enable-module-extrakeys"));
}

static void
test_module_tally (Fixture *fixture, gconstpointer data)
{
  const ManifestCase *mc = data;
  JsonArray          *modules = member_array (fixture->manifest, "modules");
  guint               index = 0;
  JsonObject         *module = find_module (fixture->manifest, "tally", &index);
  g_auto (GStrv) opts = NULL;
  gboolean development;

  g_assert_nonnull (module);
  g_assert_cmpstr (member_string (module, "buildsystem"), ==, "meson");
  /* The app is built last, after the libraries it links. */
  g_assert_cmpuint (index, ==, json_array_get_length (modules) - 1);

  opts = member_strv (module, "config-opts");
  development = opts != NULL && g_strv_contains ((const char *const *) opts, "-Ddevelopment=true");
  g_assert_cmpint (development, ==, mc->devel);
  if (mc->devel)
    g_assert_true (member_boolean (module, "run-tests"));
}

static void
test_corrupt (void)
{
  static const char *const bad[] = {
    "{\"id\": \"io.github.tally.Tally\", \"modules\": [",
    "{\"id\": ",
    "",
    "[]",
    "\"io.github.tally.Tally\"",
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) manifest = NULL;
  g_autofree char *text = NULL;
  gsize            length;

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      manifest = manifest_load_from_data (bad[i], -1, &error);
      g_assert_null (manifest);
      g_assert_nonnull (error);
      g_test_message ("\"%s\": %s", bad[i], error->message);
      g_clear_error (&error);
    }

  /* The real manifest cut in half, as a failed write would leave it. */
  manifest_read (stable_case.file, &text, &length, &error);
  g_assert_no_error (error);
  manifest = manifest_load_from_data (text, (gssize) (length / 2), &error);
  g_assert_null (manifest);
  g_assert_nonnull (error);
  g_assert_true (error->domain == JSON_PARSER_ERROR);
}

static void
add_manifest_tests (const char *flavour, const ManifestCase *mc)
{
  static const struct
  {
    const char *name;
    void (*func) (Fixture *, gconstpointer);
  } tests[] = {
    { "parses", test_parses },
    { "app-id", test_app_id },
    { "runtime", test_runtime },
    { "command", test_command },
    { "finish-args", test_finish_args },
    { "module-secp256k1", test_module_secp256k1 },
    { "module-tally", test_module_tally },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (tests); i++)
    {
      g_autofree char *path = g_strdup_printf ("/packaging/flatpak/%s/%s", tests[i].name, flavour);

      g_test_add (path, Fixture, mc, fixture_setup, tests[i].func, fixture_teardown);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  add_manifest_tests ("stable", &stable_case);
  add_manifest_tests ("devel", &devel_case);
  g_test_add_func ("/packaging/flatpak/corrupt", test_corrupt);

  return g_test_run ();
}
