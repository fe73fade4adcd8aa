/* manifest-item.c: a manifest's items, where they may live — the URI
 * rules of docs/manifest.md, checked on the text as written, before GUri
 * normalises away what would hide a traversal — and, from schema 2, the
 * cipher and task key hash of encrypted items
 *
 * A manifest comes from whoever created the task. Its item URIs must not
 * reach outside the manifest's own directory, nor make a remote manifest
 * read local files.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "core-error.h"
#include "manifest-private.h"

/* The URI is quoted as the document spells it, which is what the rule
 * refuses: non-ASCII and control characters included, so it goes through
 * the same quoting as any other hostile text. */
G_GNUC_PRINTF (3, 4)
static gboolean
fail_uri (GError    **error,
          const char *reference,
          const char *format,
          ...)
{
  g_autofree char *valid = g_utf8_make_valid (reference, -1);
  g_autofree char *quoted = tally_manifest_quote (valid);
  g_autofree char *what = NULL;
  va_list          args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST, "uri %s %s", quoted,
               what);
  return FALSE;
}

static gboolean
check_characters (const char *reference,
                  GError    **error)
{
  gsize len = strlen (reference);

  if (len == 0)
    return fail_uri (error, reference, "is empty");
  if (len > TALLY_MANIFEST_MAX_URI)
    return fail_uri (error, reference, "is longer than %u bytes", TALLY_MANIFEST_MAX_URI);

  for (gsize i = 0; i < len; i++)
    {
      guchar c = reference[i];

      /* Printable ASCII only: spaces and other characters must be
       * percent-encoded, so what the user sees is what is fetched. */
      if (c <= 0x20 || c >= 0x7f)
        return fail_uri (error, reference,
                         "holds a space, a control or a non-ASCII character; "
                         "percent-encode it");
      /* Windows and some servers read a backslash as a separator. */
      if (c == '\\')
        return fail_uri (error, reference, "holds a backslash (path traversal)");
      if (c == '#')
        return fail_uri (error, reference, "has a fragment (“#”); items are whole files");
      if (c == '%')
        {
          char decoded;

          if (!g_ascii_isxdigit (reference[i + 1]) || !g_ascii_isxdigit (reference[i + 2]))
            return fail_uri (error, reference, "has a malformed percent escape");
          decoded = (char) (g_ascii_xdigit_value (reference[i + 1]) * 16 +
                            g_ascii_xdigit_value (reference[i + 2]));
          if (decoded == '/' || decoded == '\\')
            return fail_uri (error, reference, "hides a separator as %%%c%c (path traversal)",
                             reference[i + 1], reference[i + 2]);
          if ((guchar) decoded < 0x20 || decoded == 0x7f)
            return fail_uri (error, reference, "hides a control character as %%%c%c",
                             reference[i + 1], reference[i + 2]);
        }
    }
  return TRUE;
}

/* path as g_uri_split gives it with G_URI_FLAGS_ENCODED: %2e is already
 * decoded to "." there, so an encoded ".." is caught as a plain one. */
static gboolean
check_segments (const char *reference,
                const char *path,
                GError    **error)
{
  g_auto (GStrv) segments = g_strsplit (path, "/", -1);

  for (guint i = 0; segments[i] != NULL; i++)
    if (strcmp (segments[i], ".") == 0 || strcmp (segments[i], "..") == 0)
      return fail_uri (error, reference, "has a “%s” segment (path traversal)", segments[i]);
  return TRUE;
}

static gboolean
is_cid (const char *host)
{
  gsize len = strlen (host);

  if (len == 0 || len > 128)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (host[i]))
      return FALSE;
  return TRUE;
}

static gboolean
check_absolute (const char *reference,
                const char *scheme,
                const char *userinfo,
                const char *host,
                int         port,
                const char *query,
                const char *base_scheme,
                GError    **error)
{
  if (userinfo != NULL)
    return fail_uri (error, reference, "carries a user name or password");

  if (strcmp (scheme, "https") == 0 || strcmp (scheme, "http") == 0)
    {
      if (host == NULL || *host == '\0')
        return fail_uri (error, reference, "names no host");
      return TRUE;
    }
  if (strcmp (scheme, "ipfs") == 0)
    {
      /* ipfs://CID/path: the fetcher maps it onto the user's gateway. */
      if (host == NULL || !is_cid (host) || port != -1)
        return fail_uri (error, reference, "does not start with ipfs:// and a content id");
      if (query != NULL)
        return fail_uri (error, reference,
                         "has a query; an ipfs:// URI is a content id and a path");
      return TRUE;
    }
  if (strcmp (scheme, "file") == 0)
    {
      if (g_strcmp0 (base_scheme, "file") != 0)
        return fail_uri (error, reference,
                         "points at a local file, but the manifest was loaded from %s",
                         base_scheme != NULL ? base_scheme : "no URI");
      if (host != NULL && *host != '\0' && g_ascii_strcasecmp (host, "localhost") != 0)
        return fail_uri (error, reference, "names a file on another host");
      if (query != NULL)
        return fail_uri (error, reference, "has a query; a file:// URI is a path");
      return TRUE;
    }
  return fail_uri (error, reference,
                   "uses the scheme “%s”; only https, http, ipfs, file and relative references "
                   "are allowed",
                   scheme);
}

static gboolean
check_relative (const char *reference,
                const char *host,
                const char *path,
                const char *query,
                GUri       *base,
                GError    **error)
{
  /* "//host/x" names another host, "/x" the root of this one: both leave
   * the manifest's directory. */
  if (host != NULL || path[0] == '/')
    return fail_uri (error, reference,
                     "starts with “/” (path traversal): a relative reference stays in "
                     "the manifest's directory");
  if (path[0] == '\0')
    return fail_uri (error, reference, "has no path");
  if (query != NULL)
    return fail_uri (error, reference, "has a query; a relative reference is a path");
  if (base == NULL)
    return fail_uri (error, reference, "is relative, but the manifest was not loaded from a URI");
  return TRUE;
}

static GUri *
parse_base (const char *base_uri,
            GError    **error)
{
  g_autoptr (GUri) base = NULL;
  g_autoptr (GError) local_error = NULL;
  const char *scheme;

  base = g_uri_parse (base_uri, G_URI_FLAGS_ENCODED, &local_error);
  if (base == NULL)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST,
                   "the manifest's own URI is not valid: %s", local_error->message);
      return NULL;
    }
  scheme = g_uri_get_scheme (base);
  if (strcmp (scheme, "https") != 0 && strcmp (scheme, "http") != 0 &&
      strcmp (scheme, "ipfs") != 0 && strcmp (scheme, "file") != 0)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST,
                   "the manifest's own URI uses the scheme “%s”; it must be https, http, ipfs "
                   "or file",
                   scheme);
      return NULL;
    }
  return g_steal_pointer (&base);
}

/**
 * tally_manifest_resolve_uri:
 * @reference: an item's "uri" member as the manifest spells it
 * @base_uri: (nullable): where the manifest was loaded from
 *
 * Returns: (transfer full): the absolute URI to fetch, or NULL with a
 *   TALLY_CORE_ERROR_INVALID_MANIFEST error saying which rule it breaks
 */
char *
tally_manifest_resolve_uri (const char *reference,
                            const char *base_uri,
                            GError    **error)
{
  g_autoptr (GUri) base = NULL;
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *scheme = NULL;
  g_autofree char *userinfo = NULL;
  g_autofree char *host = NULL;
  g_autofree char *path = NULL;
  g_autofree char *query = NULL;
  int              port = -1;

  g_return_val_if_fail (reference != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (base_uri != NULL && (base = parse_base (base_uri, error)) == NULL)
    return NULL;
  if (!check_characters (reference, error))
    return NULL;
  /* g_uri_split lowers the scheme and decodes %2e but, unlike g_uri_parse,
   * leaves dot segments in place for check_segments to see. */
  if (!g_uri_split (reference, G_URI_FLAGS_ENCODED, &scheme, &userinfo, &host, &port, &path, &query,
                    NULL, &local_error))
    {
      fail_uri (error, reference, "is not a valid URI: %s", local_error->message);
      return NULL;
    }
  if (!check_segments (reference, path, error))
    return NULL;

  if (scheme == NULL)
    {
      if (!check_relative (reference, host, path, query, base, error))
        return NULL;
      uri = g_uri_parse_relative (base, reference, G_URI_FLAGS_ENCODED, &local_error);
    }
  else
    {
      if (!check_absolute (reference, scheme, userinfo, host, port, query,
                           base != NULL ? g_uri_get_scheme (base) : NULL, error))
        return NULL;
      uri = g_uri_parse (reference, G_URI_FLAGS_ENCODED, &local_error);
    }
  if (uri == NULL)
    {
      fail_uri (error, reference, "is not a valid URI: %s", local_error->message);
      return NULL;
    }
  return g_uri_to_string (uri);
}

static const struct
{
  const char           *name;
  TallyManifestItemKind kind;
} media_types[] = {
  { "image/png", TALLY_MANIFEST_ITEM_IMAGE },
  { "image/jpeg", TALLY_MANIFEST_ITEM_IMAGE },
  { "image/webp", TALLY_MANIFEST_ITEM_IMAGE },
  { "text/plain", TALLY_MANIFEST_ITEM_TEXT },
};

static const char *const item_members_v1[] = { "id", "kind", "uri", "sha256", "size",
                                               "width", "height", "mediaType", NULL };

static gboolean
parse_sha256 (const char *text,
              guint8      out[TALLY_MANIFEST_SHA256_LEN])
{
  if (strlen (text) != 2 * TALLY_MANIFEST_SHA256_LEN)
    return FALSE;
  for (guint i = 0; i < 2 * TALLY_MANIFEST_SHA256_LEN; i++)
    if (!g_ascii_isdigit (text[i]) && !(text[i] >= 'a' && text[i] <= 'f'))
      return FALSE;
  for (guint i = 0; i < TALLY_MANIFEST_SHA256_LEN; i++)
    out[i] =
      (guint8) (g_ascii_xdigit_value (text[2 * i]) << 4 | g_ascii_xdigit_value (text[2 * i + 1]));
  return TRUE;
}

/* Ids become parts of file names in exports: a safe alphabet, starting
 * with a letter or digit so no id is "." or "..". */
static gboolean
is_item_id (const char *id)
{
  gsize len = strlen (id);

  if (len == 0 || len > TALLY_MANIFEST_MAX_ITEM_ID || !g_ascii_isalnum (id[0]))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (id[i]) && id[i] != '.' && id[i] != '_' && id[i] != '-')
      return FALSE;
  return TRUE;
}

static gboolean
read_item_size (TallyManifestItem   *item,
                const TallyJsonNode *node,
                const char          *where,
                GError             **error)
{
  guint64     width;
  guint64     height;
  gboolean    has_width;
  gboolean    has_height;
  const char *media_type;

  if (!tally_manifest_json_integer (node, "size", TRUE, 1, TALLY_MANIFEST_MAX_ITEM_SIZE, where,
                                    &item->size, NULL, error) ||
      !tally_manifest_json_integer (node, "width", FALSE, 1, TALLY_MANIFEST_MAX_IMAGE_SIDE, where,
                                    &width, &has_width, error) ||
      !tally_manifest_json_integer (node, "height", FALSE, 1, TALLY_MANIFEST_MAX_IMAGE_SIDE, where,
                                    &height, &has_height, error))
    return FALSE;
  if ((has_width || has_height) && item->kind != TALLY_MANIFEST_ITEM_IMAGE)
    return tally_manifest_fail (error, where, "width and height are for image items only");
  if (has_width != has_height)
    return tally_manifest_fail (error, where, "width and height must be given together");
  item->width = (guint) width;
  item->height = (guint) height;

  if (!tally_manifest_json_string (node, "mediaType", FALSE, where, &media_type, error))
    return FALSE;
  if (media_type == NULL)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (media_types); i++)
    if (strcmp (media_type, media_types[i].name) == 0)
      {
        if (media_types[i].kind != item->kind)
          return tally_manifest_fail (error, where, "mediaType “%s” is not for %s items",
                                      media_type, tally_manifest_item_kind_to_string (item->kind));
        item->media_type = media_types[i].name;
        return TRUE;
      }
  {
    g_autofree char *quoted = tally_manifest_quote (media_type);

    return tally_manifest_fail (error, where,
                                "mediaType is %s, not one of image/png, image/jpeg, image/webp, "
                                "text/plain",
                                quoted);
  }
}

static gboolean
read_item (TallyManifest       *self,
           const TallyJsonNode *node,
           guint                index,
           const char          *base_uri,
           GHashTable          *folded_ids,
           GError             **error)
{
  TallyManifestItem item = { index, NULL, TALLY_MANIFEST_ITEM_IMAGE, NULL, { 0 }, 0, 0, 0, NULL };
  g_autofree char  *where = g_strdup_printf ("Item %u", index);
  g_autofree char  *folded = NULL;
  g_autofree char  *uri = NULL;
  g_autoptr (GError) local_error = NULL;
  const char *id;
  const char *kind;
  const char *reference;
  const char *sha256;
  gpointer    other;

  if (tally_json_node_get_kind (node) != TALLY_JSON_OBJECT)
    return tally_manifest_fail (error, where, "must be an object, not %s",
                                tally_manifest_json_describe (node));
  if (!tally_manifest_json_string (node, "id", TRUE, where, &id, error))
    return FALSE;
  if (!is_item_id (id))
    {
      g_autofree char *quoted = tally_manifest_quote (id);

      return tally_manifest_fail (error, where,
                                  "id %s must be 1 to %u of A–Z, a–z, 0–9, “.”, “_”, “-”, "
                                  "starting with a letter or digit",
                                  quoted, TALLY_MANIFEST_MAX_ITEM_ID);
    }
  g_free (where);
  where = g_strdup_printf ("Item %u (“%s”)", index, id);
  if (!tally_manifest_json_check_members (node, item_members_v1, where, error))
    return FALSE;

  /* Exports write a file per item, and some file systems ignore case. */
  folded = g_ascii_strdown (id, -1);
  if (g_hash_table_lookup_extended (folded_ids, folded, NULL, &other))
    return tally_manifest_fail (error, where,
                                "id is already used by item %u; ids must differ in more than case",
                                GPOINTER_TO_UINT (other));
  g_hash_table_insert (folded_ids, g_steal_pointer (&folded), GUINT_TO_POINTER (index));
  item.id = g_string_chunk_insert (self->strings, id);

  if (!tally_manifest_json_string (node, "kind", TRUE, where, &kind, error))
    return FALSE;
  if (strcmp (kind, "image") == 0)
    item.kind = TALLY_MANIFEST_ITEM_IMAGE;
  else if (strcmp (kind, "text") == 0)
    item.kind = TALLY_MANIFEST_ITEM_TEXT;
  else
    {
      g_autofree char *quoted = tally_manifest_quote (kind);

      return tally_manifest_fail (error, where, "kind must be “image” or “text”, not %s", quoted);
    }

  if (!tally_manifest_json_string (node, "uri", TRUE, where, &reference, error))
    return FALSE;
  uri = tally_manifest_resolve_uri (reference, base_uri, &local_error);
  if (uri == NULL)
    return tally_manifest_fail (error, where, "%s", local_error->message);
  item.uri = g_string_chunk_insert (self->strings, uri);

  if (!tally_manifest_json_string (node, "sha256", TRUE, where, &sha256, error))
    return FALSE;
  if (!parse_sha256 (sha256, item.sha256))
    return tally_manifest_fail (error, where, "sha256 must be 64 lowercase hex digits");

  if (!read_item_size (&item, node, where, error))
    return FALSE;

  g_array_append_val (self->items, item);
  g_hash_table_insert (self->items_by_id, (gpointer) item.id, GUINT_TO_POINTER (index + 1));
  return TRUE;
}

gboolean
tally_manifest_read_items (TallyManifest       *self,
                           const TallyJsonNode *root,
                           const char          *base_uri,
                           GError             **error)
{
  g_autoptr (GHashTable) folded_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const TallyJsonNode *array;
  guint                n;
  guint                n_images = 0;
  guint                n_texts = 0;

  if (!tally_manifest_json_member (root, "items", TALLY_JSON_ARRAY, TRUE, "Manifest", &array,
                                   error))
    return FALSE;
  /* Counted before any element is looked at: a million items cost no more
   * than the document's bytes. */
  n = tally_json_node_get_length (array);
  if (n == 0 || n > TALLY_MANIFEST_MAX_ITEMS)
    return tally_manifest_fail (error, "Manifest", "items must list 1 to %u items, not %u",
                                TALLY_MANIFEST_MAX_ITEMS, n);
  for (guint i = 0; i < n; i++)
    {
      const TallyManifestItem *item;

      if (!read_item (self, tally_json_node_get_element (array, i), i, base_uri, folded_ids, error))
        return FALSE;
      item = &g_array_index (self->items, TallyManifestItem, i);
      if (item->kind == TALLY_MANIFEST_ITEM_IMAGE)
        n_images++;
      else
        n_texts++;
    }

  if ((self->tools & TALLY_MANIFEST_TOOL_BOX) && n_images == 0)
    return tally_manifest_fail (error, "Manifest",
                                "the box tool needs image items, and there are none");
  if ((self->tools & TALLY_MANIFEST_TOOL_SPAN) && n_texts == 0)
    return tally_manifest_fail (error, "Manifest",
                                "the span tool needs text items, and there are none");
  if (n_images > 0 && !(self->tools & (TALLY_MANIFEST_TOOL_CLASSIFY | TALLY_MANIFEST_TOOL_BOX)))
    return tally_manifest_fail (error, "Manifest", "image items need the classify or the box tool");
  if (n_texts > 0 && !(self->tools & (TALLY_MANIFEST_TOOL_CLASSIFY | TALLY_MANIFEST_TOOL_SPAN)))
    return tally_manifest_fail (error, "Manifest", "text items need the classify or the span tool");
  return TRUE;
}

static const char *const encryption_members[] = { "cipher", "key_hash", NULL };

gboolean
tally_manifest_read_encryption (TallyManifest       *self,
                                const TallyJsonNode *root,
                                GError             **error)
{
  const TallyJsonNode *node;
  const char          *cipher;
  const char          *key_hash;
  const char          *digits;

  /* Without it a reader could not tell ciphertext from plaintext: schema 2
   * exists only for this member. */
  if (!tally_manifest_json_member (root, "encryption", TALLY_JSON_OBJECT, TRUE, "Manifest", &node,
                                   error) ||
      !tally_manifest_json_check_members (node, encryption_members, "Manifest: encryption",
                                          error) ||
      !tally_manifest_json_string (node, "cipher", TRUE, "Manifest: encryption", &cipher, error) ||
      !tally_manifest_json_string (node, "key_hash", TRUE, "Manifest: encryption", &key_hash,
                                   error))
    return FALSE;
  if (strcmp (cipher, "aes-256-gcm") != 0)
    {
      g_autofree char *quoted = tally_manifest_quote (cipher);

      return tally_manifest_fail (error, "Manifest: encryption",
                                  "cipher is %s; this version of Tally knows only “aes-256-gcm”",
                                  quoted);
    }

  digits = key_hash + 2;
  if (strlen (key_hash) != 2 + 2 * TALLY_KECCAK256_LEN || key_hash[0] != '0' ||
      key_hash[1] != 'x' || strspn (digits, "0123456789abcdef") != 2 * TALLY_KECCAK256_LEN)
    return tally_manifest_fail (error, "Manifest: encryption",
                                "key_hash must be “0x” and 64 lowercase hex digits (the "
                                "keccak-256 of the task key)");
  for (guint i = 0; i < TALLY_KECCAK256_LEN; i++)
    self->key_hash[i] = (guint8) (g_ascii_xdigit_value (digits[2 * i]) << 4 |
                                  g_ascii_xdigit_value (digits[2 * i + 1]));

  /* A sealed item holds at least one byte besides its nonce and tag. */
  for (guint i = 0; i < self->items->len; i++)
    {
      const TallyManifestItem *item = &g_array_index (self->items, TallyManifestItem, i);

      if (item->size <= TALLY_ITEM_CIPHER_OVERHEAD)
        {
          g_autofree char *where = g_strdup_printf ("Item %u (“%s”)", i, item->id);

          return tally_manifest_fail (error, where,
                                      "size must be more than %u for an encrypted item (a nonce "
                                      "and a tag), not %" G_GUINT64_FORMAT,
                                      TALLY_ITEM_CIPHER_OVERHEAD, item->size);
        }
    }
  self->encrypted = TRUE;
  return TRUE;
}

gboolean
tally_manifest_is_encrypted (TallyManifest *self)
{
  g_return_val_if_fail (TALLY_IS_MANIFEST (self), FALSE);
  return self->encrypted;
}

const guint8 *
tally_manifest_get_key_hash (TallyManifest *self)
{
  g_return_val_if_fail (TALLY_IS_MANIFEST (self), NULL);
  return self->encrypted ? self->key_hash : NULL;
}

gboolean
tally_manifest_check_task_key (TallyManifest *self,
                               const guint8   key[TALLY_TASK_KEY_LEN],
                               GError       **error)
{
  guint8 hash[TALLY_KECCAK256_LEN];

  g_return_val_if_fail (TALLY_IS_MANIFEST (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!self->encrypted)
    {
      g_set_error_literal (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_KEY,
                           "This task's manifest is not encrypted, so it has no task key");
      return FALSE;
    }
  tally_keccak256 (hash, key, TALLY_TASK_KEY_LEN);
  if (memcmp (hash, self->key_hash, TALLY_KECCAK256_LEN) != 0)
    {
      g_set_error_literal (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_KEY,
                           "This is not the task's key: its keccak-256 is not the key_hash of "
                           "the task's manifest");
      return FALSE;
    }
  return TRUE;
}

const char *
tally_manifest_item_kind_to_string (TallyManifestItemKind kind)
{
  switch (kind)
    {
    case TALLY_MANIFEST_ITEM_IMAGE:
      return "image";
    case TALLY_MANIFEST_ITEM_TEXT:
      return "text";
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
tally_manifest_tool_to_string (TallyManifestTools tool)
{
  switch (tool)
    {
    case TALLY_MANIFEST_TOOL_CLASSIFY:
      return "classify";
    case TALLY_MANIFEST_TOOL_BOX:
      return "box";
    case TALLY_MANIFEST_TOOL_SPAN:
      return "span";
    default:
      g_return_val_if_reached (NULL);
    }
}
