/* fuzz-manifest.c: libFuzzer target for the task manifest reader
 * (app/manifest.c, app/manifest-item.c)
 *
 * Input: a manifest, as if fetched from a fixed https URI. It is either
 * refused with an INVALID_MANIFEST or TOO_LARGE error, or read into a
 * manifest that keeps every promise of docs/manifest.md: 1 to 256 items
 * with unique ids, 2 to 255 classes, tools that fit the items, and item URIs
 * that never name a local file nor leave the manifest's directory. A
 * schema 2 manifest is encrypted, with a key hash its own check accepts the
 * preimage of and nothing else, and items large enough for a nonce and a tag.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "core-error.h"
#include "manifest.h"

#define BASE        "https://fuzz.example/tasks/t1/manifest.json"
#define ID_ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"
#define ALL_TOOLS   (TALLY_MANIFEST_TOOL_CLASSIFY | TALLY_MANIFEST_TOOL_BOX | TALLY_MANIFEST_TOOL_SPAN)

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check_item (TallyManifest           *manifest,
            const TallyManifestItem *item,
            guint                    index,
            GHashTable              *folded_ids)
{
  g_autofree char *folded = g_ascii_strdown (item->id, -1);
  g_autoptr (GUri) uri = NULL;
  g_autofree char *lower = NULL;
  g_autofree char *path = NULL;
  g_auto (GStrv) segments = NULL;
  const char *scheme;

  g_assert_cmpuint (item->index, ==, index);
  g_assert_cmpuint (strlen (item->id), >=, 1);
  g_assert_cmpuint (strlen (item->id), <=, TALLY_MANIFEST_MAX_ITEM_ID);
  g_assert_true (g_ascii_isalnum (item->id[0]));
  g_assert_cmpuint (strspn (item->id, ID_ALPHABET), ==, strlen (item->id));
  g_assert_true (g_hash_table_add (folded_ids, g_steal_pointer (&folded)));
  g_assert_true (tally_manifest_lookup_item (manifest, item->id) == item);

  g_assert_true (item->kind == TALLY_MANIFEST_ITEM_IMAGE || item->kind == TALLY_MANIFEST_ITEM_TEXT);
  g_assert_cmpuint (item->size, >=, 1);
  g_assert_cmpuint (item->size, <=, TALLY_MANIFEST_MAX_ITEM_SIZE);
  g_assert_true ((item->width == 0) == (item->height == 0));
  g_assert_cmpuint (item->width, <=, TALLY_MANIFEST_MAX_IMAGE_SIDE);
  g_assert_cmpuint (item->height, <=, TALLY_MANIFEST_MAX_IMAGE_SIDE);
  if (item->width != 0)
    g_assert_cmpint (item->kind, ==, TALLY_MANIFEST_ITEM_IMAGE);
  if (item->media_type != NULL)
    g_assert_true (g_str_has_prefix (item->media_type,
                                     item->kind == TALLY_MANIFEST_ITEM_IMAGE ? "image/" : "text/"));

  /* The URI is absolute and remote (the base is https), with no way out of
   * its directory: no dot segments, plain or encoded, no hidden separators. */
  uri = g_uri_parse (item->uri, G_URI_FLAGS_ENCODED, NULL);
  g_assert_nonnull (uri);
  scheme = g_uri_get_scheme (uri);
  g_assert_true (strcmp (scheme, "https") == 0 || strcmp (scheme, "http") == 0 ||
                 strcmp (scheme, "ipfs") == 0);
  g_assert_null (g_uri_get_userinfo (uri));
  g_assert_null (g_uri_get_fragment (uri));
  g_assert_null (strchr (item->uri, '\\'));
  lower = g_ascii_strdown (item->uri, -1);
  g_assert_null (strstr (lower, "%2f"));
  g_assert_null (strstr (lower, "%5c"));
  g_assert_null (strstr (lower, "%00"));
  g_assert_true (g_uri_split (item->uri, G_URI_FLAGS_ENCODED, NULL, NULL, NULL, NULL, &path,
                              NULL, NULL, NULL));
  segments = g_strsplit (path, "/", -1);
  for (guint i = 0; segments[i] != NULL; i++)
    {
      g_assert_cmpstr (segments[i], !=, ".");
      g_assert_cmpstr (segments[i], !=, "..");
    }
}

static void
check_encryption (TallyManifest *manifest)
{
  g_autoptr (GError) error = NULL;
  guint8   key[TALLY_TASK_KEY_LEN] = { 0 };
  guint8   hash[TALLY_KECCAK256_LEN];
  gboolean opens;

  opens = tally_manifest_check_task_key (manifest, key, &error);
  g_assert_true (opens == (error == NULL));
  if (tally_manifest_get_schema_version (manifest) == 1)
    {
      /* No key opens a plain manifest. */
      g_assert_false (opens);
      g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_KEY);
      g_assert_false (tally_manifest_is_encrypted (manifest));
      g_assert_null (tally_manifest_get_key_hash (manifest));
      return;
    }
  g_assert_true (tally_manifest_is_encrypted (manifest));
  g_assert_nonnull (tally_manifest_get_key_hash (manifest));
  /* The key opens it exactly when it is the preimage of the key hash. */
  tally_keccak256 (hash, key, sizeof key);
  g_assert_true (opens ==
                 (memcmp (hash, tally_manifest_get_key_hash (manifest), sizeof hash) == 0));
  for (guint i = 0; i < tally_manifest_get_n_items (manifest); i++)
    g_assert_cmpuint (tally_manifest_get_item (manifest, i)->size, >, TALLY_ITEM_CIPHER_OVERHEAD);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr (GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr (TallyManifest) manifest = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) folded_ids = NULL;
  guint8             keccak[TALLY_KECCAK256_LEN];
  gboolean           images = FALSE;
  gboolean           texts = FALSE;
  guint64            hotkeys = 0; /* a bit for each of a-z and 0-9 */
  TallyManifestTools tools;

  manifest = tally_manifest_new_from_bytes (bytes, BASE, NULL, &error);
  if (manifest == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == TALLY_CORE_ERROR);
      g_assert_true (error->code == TALLY_CORE_ERROR_INVALID_MANIFEST ||
                     error->code == TALLY_CORE_ERROR_TOO_LARGE);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }
  g_assert_no_error (error);

  g_assert_cmpuint (size, <=, TALLY_MANIFEST_MAX_SIZE);
  tally_keccak256 (keccak, data, size);
  g_assert_cmpmem (tally_manifest_get_keccak (manifest), TALLY_KECCAK256_LEN, keccak,
                   TALLY_KECCAK256_LEN);
  g_assert_cmpuint (tally_manifest_get_schema_version (manifest), >=, 1);
  g_assert_cmpuint (tally_manifest_get_schema_version (manifest), <=,
                    TALLY_MANIFEST_SCHEMA_VERSION);
  check_encryption (manifest);
  g_assert_cmpint (g_utf8_strlen (tally_manifest_get_title (manifest), -1), >=, 1);
  g_assert_cmpint (g_utf8_strlen (tally_manifest_get_title (manifest), -1), <=,
                   TALLY_MANIFEST_MAX_TITLE);
  g_assert_cmpint (g_utf8_strlen (tally_manifest_get_instructions (manifest), -1), <=,
                   TALLY_MANIFEST_MAX_INSTRUCTIONS);

  g_assert_cmpuint (tally_manifest_get_n_label_classes (manifest), >=, TALLY_MANIFEST_MIN_CLASSES);
  g_assert_cmpuint (tally_manifest_get_n_label_classes (manifest), <=, TALLY_MANIFEST_MAX_CLASSES);
  for (guint i = 0; i < tally_manifest_get_n_label_classes (manifest); i++)
    {
      const TallyManifestLabelClass *klass = tally_manifest_get_label_class (manifest, i);

      g_assert_cmpuint (klass->label, ==, i + 1);
      g_assert_cmphex (klass->color, <=, 0xffffff);
      g_assert_cmpint (g_utf8_strlen (klass->name, -1), >=, 1);
      g_assert_cmpint (g_utf8_strlen (klass->name, -1), <=, TALLY_MANIFEST_MAX_CLASS_NAME);
      if (klass->hotkey != '\0')
        {
          guint bit = g_ascii_isdigit (klass->hotkey) ? 26u + (guint) (klass->hotkey - '0')
                                                      : (guint) (klass->hotkey - 'a');

          g_assert_true (g_ascii_islower (klass->hotkey) || g_ascii_isdigit (klass->hotkey));
          g_assert_false (hotkeys & (G_GUINT64_CONSTANT (1) << bit));
          hotkeys |= G_GUINT64_CONSTANT (1) << bit;
          g_assert_true (tally_manifest_lookup_hotkey (manifest, klass->hotkey) == klass);
        }
    }

  g_assert_cmpuint (tally_manifest_get_n_items (manifest), >=, 1);
  g_assert_cmpuint (tally_manifest_get_n_items (manifest), <=, TALLY_MANIFEST_MAX_ITEMS);
  folded_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < tally_manifest_get_n_items (manifest); i++)
    {
      const TallyManifestItem *item = tally_manifest_get_item (manifest, i);

      check_item (manifest, item, i, folded_ids);
      images |= item->kind == TALLY_MANIFEST_ITEM_IMAGE;
      texts |= item->kind == TALLY_MANIFEST_ITEM_TEXT;
    }

  tools = tally_manifest_get_tools (manifest);
  g_assert_cmpint (tools, !=, 0);
  g_assert_cmpint (tools & ~ALL_TOOLS, ==, 0);
  if (tools & TALLY_MANIFEST_TOOL_BOX)
    g_assert_true (images);
  if (tools & TALLY_MANIFEST_TOOL_SPAN)
    g_assert_true (texts);
  return 0;
}
