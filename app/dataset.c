/* dataset.c: a private dataset made from a folder — every file sealed with a
 * task key into its own item file, and the schema 2 manifest that lists them
 *
 * Only sealed bytes and the manifest are written to the output folder: the
 * plaintext is read from the requester's own folder and exists nowhere
 * else. The manifest is read back with the same rules annotators apply
 * before it is written, so a dataset that would be refused is never
 * published; a run that fails removes what it wrote.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <nettle/sha2.h>

#include "core-error.h"
#include "dataset.h"
#include "wallet/hex.h"
#include "wallet/secret.h"

#define ITEM_SUFFIX ".bin"
#define QUERY_ATTRIBUTES                                                    \
  G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME \
                                 "," G_FILE_ATTRIBUTE_STANDARD_TYPE         \
                                 "," G_FILE_ATTRIBUTE_STANDARD_SIZE         \
                                 "," G_FILE_ATTRIBUTE_STANDARD_IS_HIDDEN

/* The GNOME palette, in turn: classes need not differ in colour, but
 * neighbours do. */
static const char *const palette[] = {
  "#3584e4",
  "#e01b24",
  "#33d17a",
  "#f6d32d",
  "#9141ac",
  "#ff7800",
  "#986a44",
  "#77767b",
};

static const struct
{
  const char           *extension;
  const char           *media_type;
  TallyManifestItemKind kind;
} file_kinds[] = {
  { ".png", "image/png", TALLY_MANIFEST_ITEM_IMAGE },
  { ".jpg", "image/jpeg", TALLY_MANIFEST_ITEM_IMAGE },
  { ".jpeg", "image/jpeg", TALLY_MANIFEST_ITEM_IMAGE },
  { ".webp", "image/webp", TALLY_MANIFEST_ITEM_IMAGE },
  { ".txt", "text/plain", TALLY_MANIFEST_ITEM_TEXT },
  { ".md", "text/plain", TALLY_MANIFEST_ITEM_TEXT },
};

static guint
be16 (const guint8 *p)
{
  return (guint) p[0] << 8 | p[1];
}

static guint
le16 (const guint8 *p)
{
  return (guint) p[1] << 8 | p[0];
}

static guint
le24 (const guint8 *p)
{
  return (guint) p[2] << 16 | (guint) p[1] << 8 | p[0];
}

static gboolean
png_size (const guint8 *data,
          gsize         len,
          guint        *width,
          guint        *height)
{
  static const guint8 signature[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

  /* The first chunk is IHDR: length 13, then width and height. */
  if (len < 24 || memcmp (data, signature, sizeof signature) != 0 ||
      memcmp (data + 12, "IHDR", 4) != 0 || data[16] != 0 || data[20] != 0)
    return FALSE;
  *width = (guint) data[17] << 16 | (guint) data[18] << 8 | data[19];
  *height = (guint) data[21] << 16 | (guint) data[22] << 8 | data[23];
  return TRUE;
}

static gboolean
jpeg_size (const guint8 *data,
           gsize         len,
           guint        *width,
           guint        *height)
{
  gsize at = 2;

  if (len < 4 || data[0] != 0xff || data[1] != 0xd8)
    return FALSE;
  while (at + 4 <= len)
    {
      guint8 marker;
      guint  segment;

      if (data[at] != 0xff)
        return FALSE;
      while (at < len && data[at] == 0xff)
        at++;
      if (at >= len)
        return FALSE;
      marker = data[at++];
      /* Markers without a length: restarts, TEM, and a stray start. */
      if ((marker >= 0xd0 && marker <= 0xd7) || marker == 0x01 || marker == 0xd8)
        continue;
      /* End of image or start of scan before a frame header: no size. */
      if (marker == 0xd9 || marker == 0xda || at + 2 > len)
        return FALSE;
      segment = be16 (data + at);
      if (segment < 2 || at + segment > len)
        return FALSE;
      /* SOF0..SOF15, except DHT (c4), JPG (c8) and DAC (cc). */
      if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc)
        {
          if (segment < 7)
            return FALSE;
          *height = be16 (data + at + 3);
          *width = be16 (data + at + 5);
          return TRUE;
        }
      at += segment;
    }
  return FALSE;
}

static gboolean
webp_size (const guint8 *data,
           gsize         len,
           guint        *width,
           guint        *height)
{
  if (len < 30 || memcmp (data, "RIFF", 4) != 0 || memcmp (data + 8, "WEBP", 4) != 0)
    return FALSE;
  if (memcmp (data + 12, "VP8 ", 4) == 0)
    {
      /* A key frame: a 3-byte tag, the start code, then 14-bit sizes. */
      if (data[23] != 0x9d || data[24] != 0x01 || data[25] != 0x2a)
        return FALSE;
      *width = le16 (data + 26) & 0x3fff;
      *height = le16 (data + 28) & 0x3fff;
      return TRUE;
    }
  if (memcmp (data + 12, "VP8L", 4) == 0)
    {
      guint32 bits = (guint32) data[21] | (guint32) data[22] << 8 | (guint32) data[23] << 16 |
                     (guint32) data[24] << 24;

      if (data[20] != 0x2f)
        return FALSE;
      *width = (bits & 0x3fff) + 1;
      *height = ((bits >> 14) & 0x3fff) + 1;
      return TRUE;
    }
  if (memcmp (data + 12, "VP8X", 4) == 0)
    {
      *width = le24 (data + 24) + 1;
      *height = le24 (data + 27) + 1;
      return TRUE;
    }
  return FALSE;
}

gboolean
tally_dataset_image_size (const guint8 *data,
                          gsize         len,
                          const char   *media_type,
                          guint        *width,
                          guint        *height)
{
  gboolean ok = FALSE;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (media_type != NULL, FALSE);
  g_return_val_if_fail (width != NULL && height != NULL, FALSE);

  *width = *height = 0;
  if (strcmp (media_type, "image/png") == 0)
    ok = png_size (data, len, width, height);
  else if (strcmp (media_type, "image/jpeg") == 0)
    ok = jpeg_size (data, len, width, height);
  else if (strcmp (media_type, "image/webp") == 0)
    ok = webp_size (data, len, width, height);
  if (!ok || *width == 0 || *height == 0)
    {
      *width = *height = 0;
      return FALSE;
    }
  return TRUE;
}

/* The id is the file name with every character outside the manifest's
 * alphabet made a "-", so ids stay recognisable next to the source files. */
static char *
id_from_name (const char *name)
{
  GString *id = g_string_new (NULL);

  if (!g_ascii_isalnum (name[0]))
    g_string_append (id, "item-");
  for (const char *p = name; *p != '\0'; p++)
    g_string_append_c (id, g_ascii_isalnum (*p) || *p == '.' || *p == '_' || *p == '-' ? *p : '-');
  return g_string_free (id, FALSE);
}

static int
compare_infos (gconstpointer a,
               gconstpointer b)
{
  GFileInfo *x = *(GFileInfo *const *) a;
  GFileInfo *y = *(GFileInfo *const *) b;

  return strcmp (g_file_info_get_name (x), g_file_info_get_name (y));
}

/* The regular files of dir that are not hidden, sorted by name. */
static GPtrArray *
list_files (GFile        *dir,
            GCancellable *cancellable,
            GError      **error)
{
  g_autoptr (GFileEnumerator) children = NULL;
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GError) local_error = NULL;
  g_autofree char *path = g_file_get_parse_name (dir);
  GFileInfo       *info;

  children = g_file_enumerate_children (dir, QUERY_ATTRIBUTES, G_FILE_QUERY_INFO_NONE, cancellable,
                                        &local_error);
  if (children == NULL)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE,
                   "Could not list the folder %s: %s", path, local_error->message);
      return NULL;
    }
  while ((info = g_file_enumerator_next_file (children, cancellable, &local_error)) != NULL)
    {
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR &&
          !g_file_info_get_is_hidden (info))
        g_ptr_array_add (files, info);
      else
        g_object_unref (info);
    }
  if (local_error != NULL)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE,
                   "Could not list the folder %s: %s", path, local_error->message);
      return NULL;
    }
  g_ptr_array_sort (files, compare_infos);
  return g_steal_pointer (&files);
}

/* out_dir is made, or must hold nothing: a new key must not sit beside the
 * items of an older one. */
static gboolean
prepare_out_dir (GFile        *out_dir,
                 gboolean     *created,
                 GCancellable *cancellable,
                 GError      **error)
{
  g_autoptr (GFileEnumerator) children = NULL;
  g_autoptr (GFileInfo) child = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *path = g_file_get_parse_name (out_dir);

  *created = FALSE;
  if (g_file_make_directory_with_parents (out_dir, cancellable, &local_error))
    {
      *created = TRUE;
      return TRUE;
    }
  if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE,
                   "Could not create the output folder %s: %s", path, local_error->message);
      return FALSE;
    }
  g_clear_error (&local_error);
  children = g_file_enumerate_children (out_dir, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, cancellable,
                                        &local_error);
  if (children != NULL)
    child = g_file_enumerator_next_file (children, cancellable, &local_error);
  if (local_error != NULL)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE,
                   "Could not use the output folder %s: %s", path, local_error->message);
      return FALSE;
    }
  if (child != NULL)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE,
                   "The output folder %s is not empty; give a new or an empty folder", path);
      return FALSE;
    }
  return TRUE;
}

/* Created, never replaced: what is in out_dir is only what this run wrote. */
static gboolean
write_new_file (GFile        *file,
                GPtrArray    *written,
                const void   *data,
                gsize         len,
                GCancellable *cancellable,
                GError      **error)
{
  g_autoptr (GFileOutputStream) stream = NULL;
  g_autoptr (GError) local_error = NULL;

  stream = g_file_create (file, G_FILE_CREATE_NONE, cancellable, &local_error);
  if (stream != NULL)
    {
      g_ptr_array_add (written, g_object_ref (file));
      if (g_output_stream_write_all (G_OUTPUT_STREAM (stream), data, len, NULL, cancellable,
                                     &local_error))
        g_output_stream_close (G_OUTPUT_STREAM (stream), cancellable, &local_error);
    }
  if (local_error != NULL)
    {
      g_autofree char *path = g_file_get_parse_name (file);

      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE, "Could not write %s: %s",
                   path, local_error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
find_kind (const char *name,
           const char *display_name,
           guint      *kind_index,
           GError    **error)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  for (guint i = 0; i < G_N_ELEMENTS (file_kinds); i++)
    if (g_str_has_suffix (lower, file_kinds[i].extension) &&
        strlen (lower) > strlen (file_kinds[i].extension))
      {
        *kind_index = i;
        return TRUE;
      }
  g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST,
               "%s is neither an image (.png, .jpg, .jpeg, .webp) nor a text (.txt, .md); move it "
               "out of the folder",
               display_name);
  return FALSE;
}

/* Reads, checks and seals one file; adds its item to the builder's array. */
static gboolean
add_item (JsonBuilder  *builder,
          GFile        *in_dir,
          GFileInfo    *info,
          GFile        *out_dir,
          const char   *base_uri,
          const guint8  key[TALLY_TASK_KEY_LEN],
          GHashTable   *folded_ids,
          GPtrArray    *written,
          GCancellable *cancellable,
          GError      **error)
{
  const char *name = g_file_info_get_name (info);
  const char *display = g_file_info_get_display_name (info);
  g_autoptr (GFile) source = g_file_get_child (in_dir, name);
  g_autoptr (GFile) target = NULL;
  g_autoptr (GBytes) plain = NULL;
  g_autoptr (GBytes) sealed = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char  *id = id_from_name (name);
  g_autofree char  *folded = g_ascii_strdown (id, -1);
  g_autofree char  *file_name = g_strconcat (id, ITEM_SUFFIX, NULL);
  g_autofree char  *uri = NULL;
  g_autofree char  *sha_hex = NULL;
  struct sha256_ctx sha;
  guint8            digest[SHA256_DIGEST_SIZE];
  const char       *other;
  guint             kind;
  guint             width = 0;
  guint             height = 0;
  gsize             len;
  const guint8     *data;

  if (!find_kind (name, display, &kind, error))
    return FALSE;
  if (strlen (id) > TALLY_MANIFEST_MAX_ITEM_ID)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST,
                   "%s: the name is longer than the %u characters an item id may have", display,
                   TALLY_MANIFEST_MAX_ITEM_ID);
      return FALSE;
    }
  if ((other = g_hash_table_lookup (folded_ids, folded)) != NULL)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST,
                   "%s and %s would both be the item “%s”; rename one of them", other, display,
                   id);
      return FALSE;
    }
  g_hash_table_insert (folded_ids, g_steal_pointer (&folded), g_strdup (display));

  /* The size is checked before the file is read, and again after. */
  if (g_file_info_get_size (info) < 1 ||
      g_file_info_get_size (info) > TALLY_MANIFEST_MAX_ITEM_SIZE - TALLY_ITEM_CIPHER_OVERHEAD)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_TOO_LARGE,
                   "%s is %" G_GOFFSET_FORMAT " bytes; an item must be 1 to %u", display,
                   g_file_info_get_size (info),
                   TALLY_MANIFEST_MAX_ITEM_SIZE - TALLY_ITEM_CIPHER_OVERHEAD);
      return FALSE;
    }
  plain = g_file_load_bytes (source, cancellable, NULL, &local_error);
  if (plain == NULL)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE, "Could not read %s: %s",
                   display, local_error->message);
      return FALSE;
    }
  data = g_bytes_get_data (plain, &len);
  if (len < 1 || len > TALLY_MANIFEST_MAX_ITEM_SIZE - TALLY_ITEM_CIPHER_OVERHEAD)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_TOO_LARGE,
                   "%s changed size while it was read", display);
      return FALSE;
    }

  if (file_kinds[kind].kind == TALLY_MANIFEST_ITEM_TEXT)
    {
      if (!g_utf8_validate ((const char *) data, (gssize) len, NULL))
        {
          g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST,
                       "%s is not UTF-8 text (or holds a NUL byte)", display);
          return FALSE;
        }
    }
  else if (!tally_dataset_image_size (data, len, file_kinds[kind].media_type, &width, &height))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST,
                   "%s is not a %s image, as its name says", display,
                   file_kinds[kind].media_type + strlen ("image/"));
      return FALSE;
    }
  else if (width > TALLY_MANIFEST_MAX_IMAGE_SIDE || height > TALLY_MANIFEST_MAX_IMAGE_SIDE)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_TOO_LARGE,
                   "%s is %u × %u pixels; an image item may be at most %u on a side", display,
                   width, height, TALLY_MANIFEST_MAX_IMAGE_SIDE);
      return FALSE;
    }

  sealed = tally_item_cipher_seal (key, id, plain, error);
  if (sealed == NULL)
    return FALSE;
  target = g_file_get_child (out_dir, file_name);
  if (!write_new_file (target, written, g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed),
                       cancellable, error))
    return FALSE;

  sha256_init (&sha);
  sha256_update (&sha, g_bytes_get_size (sealed), g_bytes_get_data (sealed, NULL));
  sha256_digest (&sha, sizeof digest, digest);
  sha_hex = tally_hex_encode_bare (digest, sizeof digest);
  if (*base_uri == '\0' || g_str_has_suffix (base_uri, "/"))
    uri = g_strconcat (base_uri, file_name, NULL);
  else
    uri = g_strconcat (base_uri, "/", file_name, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder,
                                 tally_manifest_item_kind_to_string (file_kinds[kind].kind));
  json_builder_set_member_name (builder, "uri");
  json_builder_add_string_value (builder, uri);
  json_builder_set_member_name (builder, "sha256");
  json_builder_add_string_value (builder, sha_hex);
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, (gint64) g_bytes_get_size (sealed));
  if (width > 0)
    {
      json_builder_set_member_name (builder, "width");
      json_builder_add_int_value (builder, width);
      json_builder_set_member_name (builder, "height");
      json_builder_add_int_value (builder, height);
    }
  json_builder_set_member_name (builder, "mediaType");
  json_builder_add_string_value (builder, file_kinds[kind].media_type);
  json_builder_end_object (builder);
  return TRUE;
}

static void
add_header (JsonBuilder               *builder,
            const TallyDatasetOptions *options,
            const char                *title,
            const guint8               key[TALLY_TASK_KEY_LEN])
{
  static const TallyManifestTools all[] = { TALLY_MANIFEST_TOOL_CLASSIFY, TALLY_MANIFEST_TOOL_BOX,
                                            TALLY_MANIFEST_TOOL_SPAN };
  static const char               hotkeys[] = "1234567890";
  TallyManifestTools              tools = options->tools != 0 ? options->tools
                                                              : TALLY_MANIFEST_TOOL_CLASSIFY;
  guint8                          key_hash[TALLY_KECCAK256_LEN];
  g_autofree char                *key_hash_hex = NULL;

  json_builder_set_member_name (builder, "schema");
  json_builder_add_int_value (builder, 2);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, title);
  if (options->instructions != NULL && *options->instructions != '\0')
    {
      json_builder_set_member_name (builder, "instructions");
      json_builder_add_string_value (builder, options->instructions);
    }

  json_builder_set_member_name (builder, "classes");
  json_builder_begin_array (builder);
  for (guint i = 0; options->classes[i] != NULL; i++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, options->classes[i]);
      json_builder_set_member_name (builder, "color");
      json_builder_add_string_value (builder, palette[i % G_N_ELEMENTS (palette)]);
      if (i < strlen (hotkeys))
        {
          char hotkey[2] = { hotkeys[i], '\0' };

          json_builder_set_member_name (builder, "hotkey");
          json_builder_add_string_value (builder, hotkey);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "tools");
  json_builder_begin_array (builder);
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    if (tools & all[i])
      json_builder_add_string_value (builder, tally_manifest_tool_to_string (all[i]));
  json_builder_end_array (builder);

  tally_keccak256 (key_hash, key, TALLY_TASK_KEY_LEN);
  key_hash_hex = tally_hex_encode (key_hash, sizeof key_hash);
  json_builder_set_member_name (builder, "encryption");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "cipher");
  json_builder_add_string_value (builder, "aes-256-gcm");
  json_builder_set_member_name (builder, "key_hash");
  json_builder_add_string_value (builder, key_hash_hex);
  json_builder_end_object (builder);
}

static TallyManifest *
encrypt (GFile                     *in_dir,
         GFile                     *out_dir,
         const TallyDatasetOptions *options,
         const guint8               key[TALLY_TASK_KEY_LEN],
         GPtrArray                 *written,
         GCancellable              *cancellable,
         GError                   **error)
{
  g_autoptr (GPtrArray) files = NULL;
  g_autoptr (GHashTable) folded_ids =
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GFile) manifest_file = g_file_get_child (out_dir, TALLY_DATASET_MANIFEST_NAME);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (TallyManifest) manifest = NULL;
  g_autofree char *in_path = g_file_get_parse_name (in_dir);
  g_autofree char *title = NULL;
  g_autofree char *manifest_uri = NULL;
  g_autofree char *text = NULL;
  gboolean         created;
  gsize            len;

  files = list_files (in_dir, cancellable, error);
  if (files == NULL)
    return NULL;
  if (files->len == 0 || files->len > TALLY_MANIFEST_MAX_ITEMS)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST,
                   "The folder %s holds %u files; a dataset has 1 to %u items", in_path,
                   files->len, TALLY_MANIFEST_MAX_ITEMS);
      return NULL;
    }
  if (!prepare_out_dir (out_dir, &created, cancellable, error))
    return NULL;
  if (created)
    g_ptr_array_add (written, g_object_ref (out_dir));

  title = options->title != NULL ? g_strdup (options->title) : g_file_get_basename (in_dir);
  json_builder_begin_object (builder);
  add_header (builder, options, title, key);
  json_builder_set_member_name (builder, "items");
  json_builder_begin_array (builder);
  for (guint i = 0; i < files->len; i++)
    if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
        !add_item (builder, in_dir, files->pdata[i], out_dir, options->base_uri, key, folded_ids,
                   written, cancellable, error))
      return NULL;
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  text = json_generator_to_data (generator, &len);
  bytes = g_bytes_new_take (g_steal_pointer (&text), len);

  /* Read as annotators will read it, from where it will be. */
  manifest_uri = g_file_get_uri (manifest_file);
  manifest = tally_manifest_new_from_bytes (bytes, manifest_uri, NULL, &local_error);
  if (manifest == NULL)
    {
      g_set_error (error, local_error->domain, local_error->code,
                   "The manifest would not be valid: %s", local_error->message);
      return NULL;
    }
  if (!write_new_file (manifest_file, written, g_bytes_get_data (bytes, NULL), len, cancellable,
                       error))
    return NULL;
  return g_steal_pointer (&manifest);
}

TallyManifest *
tally_dataset_encrypt_sync (GFile                     *in_dir,
                            GFile                     *out_dir,
                            const TallyDatasetOptions *options,
                            const guint8               key[TALLY_TASK_KEY_LEN],
                            GCancellable              *cancellable,
                            GError                   **error)
{
  g_autoptr (GPtrArray) written = g_ptr_array_new_with_free_func (g_object_unref);
  TallyManifest *manifest;

  g_return_val_if_fail (G_IS_FILE (in_dir), NULL);
  g_return_val_if_fail (G_IS_FILE (out_dir), NULL);
  g_return_val_if_fail (options != NULL && options->classes != NULL, NULL);
  g_return_val_if_fail (options->base_uri != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  manifest = encrypt (in_dir, out_dir, options, key, written, cancellable, error);
  if (manifest == NULL)
    {
      /* Newest first: the files, then the folder if this run made it. */
      for (guint i = written->len; i > 0; i--)
        g_file_delete (written->pdata[i - 1], NULL, NULL);
    }
  return manifest;
}

typedef struct
{
  GFile             *in_dir;
  GFile             *out_dir;
  char              *title;
  char              *instructions;
  GStrv              classes;
  TallyManifestTools tools;
  char              *base_uri;
  TallySecret       *key;
} EncryptData;

static void
encrypt_data_free (gpointer data)
{
  EncryptData *d = data;

  g_clear_object (&d->in_dir);
  g_clear_object (&d->out_dir);
  g_free (d->title);
  g_free (d->instructions);
  g_strfreev (d->classes);
  g_free (d->base_uri);
  tally_secret_free (d->key);
  g_free (d);
}

static void
encrypt_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  EncryptData        *d = task_data;
  TallyDatasetOptions options = { d->title, d->instructions, (const char *const *) d->classes,
                                  d->tools, d->base_uri };
  GError             *error = NULL;
  TallyManifest      *manifest;

  manifest = tally_dataset_encrypt_sync (d->in_dir, d->out_dir, &options, d->key->data,
                                         cancellable, &error);
  if (manifest == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, manifest, g_object_unref);
}

void
tally_dataset_encrypt_async (GFile                     *in_dir,
                             GFile                     *out_dir,
                             const TallyDatasetOptions *options,
                             const guint8               key[TALLY_TASK_KEY_LEN],
                             GCancellable              *cancellable,
                             GAsyncReadyCallback        callback,
                             gpointer                   user_data)
{
  g_autoptr (GTask) task = NULL;
  EncryptData *d;

  g_return_if_fail (G_IS_FILE (in_dir));
  g_return_if_fail (G_IS_FILE (out_dir));
  g_return_if_fail (options != NULL && options->classes != NULL);
  g_return_if_fail (options->base_uri != NULL);
  g_return_if_fail (key != NULL);

  d = g_new0 (EncryptData, 1);
  d->in_dir = g_object_ref (in_dir);
  d->out_dir = g_object_ref (out_dir);
  d->title = g_strdup (options->title);
  d->instructions = g_strdup (options->instructions);
  d->classes = g_strdupv ((GStrv) options->classes);
  d->tools = options->tools;
  d->base_uri = g_strdup (options->base_uri);
  d->key = tally_secret_new_from_data (key, TALLY_TASK_KEY_LEN);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_dataset_encrypt_async);
  g_task_set_task_data (task, d, encrypt_data_free);
  g_task_run_in_thread (task, encrypt_thread);
}

TallyManifest *
tally_dataset_encrypt_finish (GAsyncResult *result,
                              GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tally_dataset_encrypt_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
