/* test-manifest.c: the task manifest reader (app/manifest.c) against the
 * examples of docs/manifest.md, its hash check, URI resolution and the
 * optional members (hostile documents and the limits are in
 * test-manifest-hostile.c)
 *
 * The examples are read from docs/manifest.md itself, so the documentation
 * and the reader cannot drift apart.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "tally-test-manifest.h"
#include "wallet/keccak.h"

#define EXAMPLE_BASE "https://data.example.org/tasks/streets/manifest.json"

/* The n-th ```json block of docs/manifest.md: 0 is the example, 1 the
 * private dataset's. */
static GBytes *
read_json_block (guint n)
{
  g_autofree char *path =
    g_build_filename (g_getenv ("TALLY_SOURCE_DIR"), "docs", "manifest.md", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  const char *start;
  const char *end;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  start = text;
  for (guint i = 0; i <= n; i++)
    {
      start = strstr (start, "```json\n");
      g_assert_nonnull (start);
      start += strlen ("```json\n");
    }
  end = strstr (start, "```");
  g_assert_nonnull (end);
  return g_bytes_new (start, (gsize) (end - start));
}

static GBytes *
read_example (void)
{
  return read_json_block (0);
}

static void
assert_sha256 (const guint8 *sha256,
               const char   *hex)
{
  for (guint i = 0; i < TALLY_MANIFEST_SHA256_LEN; i++)
    g_assert_cmpint (sha256[i], ==,
                     g_ascii_xdigit_value (hex[2 * i]) * 16 +
                       g_ascii_xdigit_value (hex[2 * i + 1]));
}

static void
test_example (void)
{
  g_autoptr (GBytes) bytes = read_example ();
  g_autoptr (TallyManifest) manifest = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char               *title = NULL;
  guint8                         keccak[TALLY_KECCAK256_LEN];
  const TallyManifestLabelClass *klass;
  const TallyManifestItem       *item;
  gsize                          len;
  const guint8                  *data = g_bytes_get_data (bytes, &len);

  tally_keccak256 (keccak, data, len);
  manifest = tally_manifest_new_from_bytes (bytes, EXAMPLE_BASE, keccak, &error);
  g_assert_no_error (error);
  g_assert_nonnull (manifest);

  g_assert_true (g_bytes_equal (tally_manifest_get_bytes (manifest), bytes));
  g_assert_cmpmem (tally_manifest_get_keccak (manifest), TALLY_KECCAK256_LEN, keccak,
                   TALLY_KECCAK256_LEN);
  g_assert_cmpstr (tally_manifest_get_base_uri (manifest), ==, EXAMPLE_BASE);
  g_assert_cmpuint (tally_manifest_get_schema_version (manifest), ==, 1);
  g_assert_cmpstr (tally_manifest_get_title (manifest), ==, "Street scenes: vehicles and people");
  g_object_get (manifest, "title", &title, NULL);
  g_assert_cmpstr (title, ==, "Street scenes: vehicles and people");
  g_assert_true (g_str_has_prefix (tally_manifest_get_instructions (manifest), "Choose the class"));
  g_assert_nonnull (strstr (tally_manifest_get_instructions (manifest),
                            "pedestrian.\nIn captions"));

  g_assert_cmpuint (tally_manifest_get_n_label_classes (manifest), ==, 4);
  klass = tally_manifest_get_label_class (manifest, 0);
  g_assert_cmpstr (klass->name, ==, "Car");
  g_assert_cmphex (klass->color, ==, 0xe01b24);
  g_assert_cmpint (klass->hotkey, ==, 'c');
  g_assert_cmpuint (klass->label, ==, 1);
  klass = tally_manifest_get_label_class (manifest, 2);
  g_assert_cmpstr (klass->name, ==, "Pedestrian");
  g_assert_cmphex (klass->color, ==, 0x3584e4);
  g_assert_cmpuint (klass->label, ==, 3);
  klass = tally_manifest_get_label_class (manifest, 3);
  g_assert_cmpstr (klass->name, ==, "Nothing of interest");
  g_assert_cmphex (klass->color, ==, 0x9a9996);
  g_assert_cmpint (klass->hotkey, ==, '\0');
  g_assert_cmpuint (klass->label, ==, 4);
  g_assert_true (tally_manifest_lookup_hotkey (manifest, 'b') ==
                 tally_manifest_get_label_class (manifest, 1));
  g_assert_null (tally_manifest_lookup_hotkey (manifest, 'x'));
  g_assert_null (tally_manifest_lookup_hotkey (manifest, '\0'));

  g_assert_cmpint (tally_manifest_get_tools (manifest), ==,
                   TALLY_MANIFEST_TOOL_CLASSIFY | TALLY_MANIFEST_TOOL_BOX |
                     TALLY_MANIFEST_TOOL_SPAN);
  g_assert_true (tally_manifest_has_tool (manifest, TALLY_MANIFEST_TOOL_BOX));

  g_assert_cmpuint (tally_manifest_get_n_items (manifest), ==, 3);
  item = tally_manifest_get_item (manifest, 0);
  g_assert_cmpuint (item->index, ==, 0);
  g_assert_cmpstr (item->id, ==, "street-0001");
  g_assert_cmpint (item->kind, ==, TALLY_MANIFEST_ITEM_IMAGE);
  g_assert_cmpstr (item->uri, ==, "https://data.example.org/tasks/streets/images/street-0001.jpg");
  assert_sha256 (item->sha256, "7be85d96d7988aabce166272fff8cd1ac4266c0f9e54949c0e8312c7dbc8de58");
  g_assert_cmpuint (item->size, ==, 183204);
  g_assert_cmpuint (item->width, ==, 1280);
  g_assert_cmpuint (item->height, ==, 853);
  g_assert_cmpstr (item->media_type, ==, "image/jpeg");

  item = tally_manifest_get_item (manifest, 1);
  g_assert_cmpstr (item->uri, ==, "https://cdn.example.net/streets/street-0002.png");
  g_assert_cmpuint (item->width, ==, 0);
  g_assert_cmpuint (item->height, ==, 0);
  g_assert_cmpstr (item->media_type, ==, "image/png");

  item = tally_manifest_get_item (manifest, 2);
  g_assert_cmpuint (item->index, ==, 2);
  g_assert_cmpstr (item->id, ==, "caption-0001");
  g_assert_cmpint (item->kind, ==, TALLY_MANIFEST_ITEM_TEXT);
  g_assert_cmpstr (item->uri, ==,
                   "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/"
                   "caption-0001.txt");
  assert_sha256 (item->sha256, "9ca87e209d5e9d737c6699f6777783e2b5c8acf0d69d9a3380d9c6e67d45208a");
  g_assert_cmpuint (item->size, ==, 96);
  g_assert_cmpstr (item->media_type, ==, "text/plain");

  g_assert_true (tally_manifest_lookup_item (manifest, "caption-0001") == item);
  g_assert_true (tally_manifest_lookup_item (manifest, "street-0001") ==
                 tally_manifest_get_item (manifest, 0));
  g_assert_null (tally_manifest_lookup_item (manifest, "Caption-0001"));
  g_assert_null (tally_manifest_lookup_item (manifest, "nothing"));

  g_assert_cmpstr (tally_manifest_item_kind_to_string (TALLY_MANIFEST_ITEM_TEXT), ==, "text");
  g_assert_cmpstr (tally_manifest_tool_to_string (TALLY_MANIFEST_TOOL_SPAN), ==, "span");
}

static void
test_keccak (void)
{
  g_autoptr (GBytes) bytes = read_example ();
  g_autoptr (GBytes) changed = NULL;
  g_autoptr (TallyManifest) manifest = NULL;
  g_autoptr (GError) error = NULL;
  guint8             keccak[TALLY_KECCAK256_LEN];
  gsize              len;
  const guint8      *data = g_bytes_get_data (bytes, &len);
  g_autofree guint8 *copy = g_memdup2 (data, len);
  guint8            *at;

  tally_keccak256 (keccak, data, len);

  /* "Street" -> "Strees": still a valid manifest, but not the one hashed. */
  at = (guint8 *) strstr ((char *) copy, "Street scenes");
  g_assert_nonnull (at);
  at[5] = 's';
  changed = g_bytes_new (copy, len);
  manifest = tally_manifest_new_from_bytes (changed, EXAMPLE_BASE, keccak, &error);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_HASH_MISMATCH);
  g_assert_null (manifest);
  g_assert_nonnull (strstr (error->message, "keccak-256"));
  g_clear_error (&error);

  /* The changed bytes are a good manifest on their own... */
  manifest = tally_manifest_new_from_bytes (changed, EXAMPLE_BASE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tally_manifest_get_title (manifest), ==, "Strees scenes: vehicles and people");
  g_clear_object (&manifest);

  /* ...and the hash comes first: bytes that are not even JSON are refused
   * as a mismatch, not parsed. */
  {
    g_autoptr (GBytes) garbage = g_bytes_new_static ("not json", 8);

    manifest = tally_manifest_new_from_bytes (garbage, EXAMPLE_BASE, keccak, &error);
    g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_HASH_MISMATCH);
    g_assert_null (manifest);
    g_clear_error (&error);
  }

  /* The right hash of the changed bytes lets them through. */
  tally_keccak256 (keccak, copy, len);
  manifest = tally_manifest_new_from_bytes (changed, EXAMPLE_BASE, keccak, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (tally_manifest_get_keccak (manifest), TALLY_KECCAK256_LEN, keccak,
                   TALLY_KECCAK256_LEN);
}

static void
test_resolve (void)
{
  static const struct
  {
    const char *base;
    const char *reference;
    const char *expected; /* NULL: refused */
    const char *message;
  } cases[] = {
    { BASE, "img/a.png", "https://example.org/tasks/t1/img/a.png" },
    { BASE, "a%20b.png", "https://example.org/tasks/t1/a%20b.png" },
    { BASE, "a%3Ab.png", "https://example.org/tasks/t1/a%3Ab.png" },
    { "https://example.org/tasks/t1/manifest.json?v=2", "a.png",
      "https://example.org/tasks/t1/a.png" },
    { "https://example.org", "a.png", "https://example.org/a.png" },
    { "http://127.0.0.1:8080/m.json", "a.png", "http://127.0.0.1:8080/a.png" },
    { BASE, "https://cdn.example.net/x/a.png?sig=1", "https://cdn.example.net/x/a.png?sig=1" },
    { BASE, "HTTP://cdn.example.net/a.png", "http://cdn.example.net/a.png" },
    { BASE, "ipfs://bafyabc/dir/a.png", "ipfs://bafyabc/dir/a.png" },
    { "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/task/manifest.json",
      "a.png", "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/task/a.png" },
    { "ipfs://QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG/manifest.json", "img/a.png",
      "ipfs://QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG/img/a.png" },
    { "file:///home/me/task/manifest.json", "a.png", "file:///home/me/task/a.png" },
    { "file:///home/me/task/manifest.json", "file:///srv/data/a.png", "file:///srv/data/a.png" },
    { "file:///home/me/task/manifest.json", "file://localhost/srv/a.png",
      "file://localhost/srv/a.png" },
    { NULL, "https://example.org/a.png", "https://example.org/a.png" },
    { "file:///home/me/task/manifest.json", "file://other/srv/a.png", NULL,
      "names a file on another host" },
    { "file:///home/me/task/manifest.json", "../a.png", NULL, "path traversal" },
    { "ipfs://bafyabc/dir/manifest.json", "../other/a.png", NULL, "path traversal" },
    { "ipfs://bafyabc/m.json", "ipfs://bafyabc:8080/a.png", NULL, "content id" },
    { "ipfs://bafyabc/m.json", "ipfs://bafyabc/a.png?x", NULL, "has a query" },
    { BASE, "https:///a.png", NULL, "names no host" },
    { BASE, "data:text/plain,hello", NULL, "uses the scheme “data”" },
    { "not a uri", "a.png", NULL, "the manifest's own URI is not valid" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *uri = tally_manifest_resolve_uri (cases[i].reference, cases[i].base, &error);

      if (cases[i].expected != NULL)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (uri, ==, cases[i].expected);
        }
      else
        {
          g_assert_null (uri);
          g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST);
          if (strstr (error->message, cases[i].message) == NULL)
            g_error ("“%s” does not contain “%s”", error->message, cases[i].message);
        }
    }
}

/* A local manifest may name local files; the very same bytes from a server
 * may not. */
static void
test_file_base (void)
{
  static const char json[] = DOC_ITEMS (FILE_ITEMS);
  g_autoptr (GBytes) bytes = g_bytes_new_static (json, strlen (json));
  g_autoptr (TallyManifest) manifest = tally_test_manifest_parse_ok (json,
                                                                     "file:///home/me/task/manifest.json");

  g_assert_cmpstr (tally_manifest_get_item (manifest, 0)->uri, ==, "file:///srv/data/a.png");
  g_assert_cmpstr (tally_manifest_get_item (manifest, 1)->uri, ==, "file:///home/me/task/b.png");
  tally_test_manifest_assert_refused (bytes, "https://example.org/task/manifest.json",
                                      TALLY_CORE_ERROR_INVALID_MANIFEST,
                                      "Item 0 (“a”): uri “file:///srv/data/a.png” points at a local file");
  tally_test_manifest_assert_refused (bytes, "http://127.0.0.1:1234/manifest.json",
                                      TALLY_CORE_ERROR_INVALID_MANIFEST,
                                      "loaded from http");
}

/* Optional members may be left out, and text items have no image sizes. */
static void
test_minimal (void)
{
  static const char json[] = DOC_TOOLS_ITEMS ("[\"span\",\"classify\"]", "[" TEXT_ITEM "]");
  g_autoptr (TallyManifest) manifest = tally_test_manifest_parse_ok (json, BASE);
  const TallyManifestItem *item = tally_manifest_get_item (manifest, 0);

  g_assert_cmpstr (tally_manifest_get_instructions (manifest), ==, "");
  g_assert_cmpint (item->kind, ==, TALLY_MANIFEST_ITEM_TEXT);
  g_assert_cmpuint (item->width, ==, 0);
  g_assert_null (item->media_type);
  g_assert_cmpint (tally_manifest_get_tools (manifest), ==,
                   TALLY_MANIFEST_TOOL_SPAN | TALLY_MANIFEST_TOOL_CLASSIFY);
  g_assert_false (tally_manifest_has_tool (manifest, TALLY_MANIFEST_TOOL_BOX));
  g_assert_cmpint (tally_manifest_get_label_class (manifest, 0)->hotkey, ==, 'c');
  g_assert_cmpint (tally_manifest_get_label_class (manifest, 1)->hotkey, ==, '\0');
}

/* The private dataset of docs/manifest.md, and its example key. */
static void
test_private_example (void)
{
  g_autoptr (GBytes) bytes = read_json_block (1);
  g_autoptr (TallyManifest) manifest = NULL;
  g_autoptr (TallyManifest) plain = NULL;
  g_autoptr (GError) error = NULL;
  const TallyManifestItem *item;
  guint8                   key[TALLY_TASK_KEY_LEN];
  guint8                   key_hash[TALLY_KECCAK256_LEN];

  for (guint i = 0; i < TALLY_TASK_KEY_LEN; i++)
    key[i] = (guint8) i;
  tally_keccak256 (key_hash, key, sizeof key);

  manifest = tally_manifest_new_from_bytes (bytes, EXAMPLE_BASE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tally_manifest_get_schema_version (manifest), ==, 2);
  g_assert_true (tally_manifest_is_encrypted (manifest));
  g_assert_cmpmem (tally_manifest_get_key_hash (manifest), TALLY_KECCAK256_LEN, key_hash,
                   sizeof key_hash);
  item = tally_manifest_get_item (manifest, 0);
  g_assert_cmpstr (item->uri, ==, "https://data.example.org/tasks/streets/caption-0001.bin");
  g_assert_cmpuint (item->size, ==, 61);
  assert_sha256 (item->sha256, "8cbbd4d274a976dc9d38e1d0ca788c3a63a35bb1d49ddc022e195bb330bc2910");
  g_assert_cmpstr (tally_manifest_get_label_class (manifest, 1)->name, ==, "Does not");

  g_assert_true (tally_manifest_check_task_key (manifest, key, &error));
  g_assert_no_error (error);
  key[31] ^= 1;
  g_assert_false (tally_manifest_check_task_key (manifest, key, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_KEY);
  g_assert_nonnull (strstr (error->message, "not the task's key"));
  g_clear_error (&error);

  /* A schema 1 manifest has no key: none is its key. */
  plain = tally_test_manifest_parse_ok (DOC_ITEMS (ITEMS), BASE);
  g_assert_false (tally_manifest_is_encrypted (plain));
  g_assert_null (tally_manifest_get_key_hash (plain));
  g_assert_false (tally_manifest_check_task_key (plain, key, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_KEY);
  g_assert_nonnull (strstr (error->message, "not encrypted"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/manifest/example", test_example);
  g_test_add_func ("/core/manifest/keccak", test_keccak);
  g_test_add_func ("/core/manifest/minimal", test_minimal);
  g_test_add_func ("/core/manifest/resolve", test_resolve);
  g_test_add_func ("/core/manifest/file-base", test_file_base);
  g_test_add_func ("/core/manifest/private-example", test_private_example);

  return g_test_run ();
}
