/* manifest.h: a task's manifest (docs/manifest.md): its title, instructions,
 * label classes, tools and items, read strictly from the bytes whose
 * keccak-256 the task holds on chain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "item-cipher.h"
#include "wallet/keccak.h"

G_BEGIN_DECLS

/* Bounds of docs/manifest.md; the chain's own limits are the first two. */
#define TALLY_MANIFEST_MAX_ITEMS        256
#define TALLY_MANIFEST_MAX_CLASSES      255
#define TALLY_MANIFEST_MIN_CLASSES      2
#define TALLY_MANIFEST_MAX_SIZE         (4 * 1024 * 1024)  /* bytes of the whole document */
#define TALLY_MANIFEST_MAX_DEPTH        8                  /* nested arrays and objects */
#define TALLY_MANIFEST_MAX_TITLE        200                /* characters */
#define TALLY_MANIFEST_MAX_INSTRUCTIONS 20000              /* characters */
#define TALLY_MANIFEST_MAX_CLASS_NAME   64                 /* characters */
#define TALLY_MANIFEST_MAX_ITEM_ID      128                /* bytes of [A-Za-z0-9._-] */
#define TALLY_MANIFEST_MAX_URI          2048               /* bytes */
#define TALLY_MANIFEST_MAX_ITEM_SIZE    (64 * 1024 * 1024) /* bytes of one item */
#define TALLY_MANIFEST_MAX_IMAGE_SIDE   32768              /* pixels */
/* The highest schema version this build reads. */
#define TALLY_MANIFEST_SCHEMA_VERSION 2

#define TALLY_MANIFEST_SHA256_LEN 32

typedef enum
{
  TALLY_MANIFEST_ITEM_IMAGE,
  TALLY_MANIFEST_ITEM_TEXT,
} TallyManifestItemKind;

typedef enum
{
  TALLY_MANIFEST_TOOL_CLASSIFY = 1 << 0, /* one class per item */
  TALLY_MANIFEST_TOOL_BOX = 1 << 1,      /* boxes on images */
  TALLY_MANIFEST_TOOL_SPAN = 1 << 2,     /* spans of text */
} TallyManifestTools;

/* A label class; the one at index i is label i + 1 on chain (0 means
 * skipped). Owned by its manifest. */
typedef struct
{
  const char *name;
  guint32     color;  /* 0xRRGGBB */
  char        hotkey; /* 'a'..'z' or '0'..'9', or '\0' for none */
  guint8      label;  /* index + 1 */
} TallyManifestLabelClass;

/* One item to label; index is its position in the manifest and in the
 * labels sent on chain. Owned by its manifest. */
typedef struct
{
  guint                 index;
  const char           *id;
  TallyManifestItemKind kind;
  const char           *uri; /* absolute: https, http, ipfs or file */
  guint8                sha256[TALLY_MANIFEST_SHA256_LEN];
  guint64               size;       /* bytes */
  guint                 width;      /* pixels, 0 when the manifest does not say */
  guint                 height;     /* pixels, 0 when the manifest does not say */
  const char           *media_type; /* NULL when the manifest does not say */
} TallyManifestItem;

#define TALLY_TYPE_MANIFEST (tally_manifest_get_type ())

G_DECLARE_FINAL_TYPE (TallyManifest, tally_manifest, TALLY, MANIFEST, GObject)

/* Reads a manifest from exactly the bytes fetched. With expected_keccak
 * (TALLY_KECCAK256_LEN bytes, the task's manifestHash) other bytes are a
 * TALLY_CORE_ERROR_HASH_MISMATCH before anything is parsed; a document over
 * TALLY_MANIFEST_MAX_SIZE is TALLY_CORE_ERROR_TOO_LARGE; anything else
 * docs/manifest.md refuses is TALLY_CORE_ERROR_INVALID_MANIFEST, one
 * sentence naming the member and its index. base_uri is where the manifest
 * was loaded from: relative item URIs resolve against it, and only a
 * file:// manifest may name file:// items; NULL allows neither. */
TallyManifest *tally_manifest_new_from_bytes (GBytes       *bytes,
                                              const char   *base_uri,
                                              const guint8 *expected_keccak,
                                              GError      **error) G_GNUC_WARN_UNUSED_RESULT;

/* The exact bytes read, and their keccak-256 (TALLY_KECCAK256_LEN bytes). */
GBytes       *tally_manifest_get_bytes (TallyManifest *self);
const guint8 *tally_manifest_get_keccak (TallyManifest *self);
const char   *tally_manifest_get_base_uri (TallyManifest *self);
guint         tally_manifest_get_schema_version (TallyManifest *self);
const char   *tally_manifest_get_title (TallyManifest *self);
const char   *tally_manifest_get_instructions (TallyManifest *self);

TallyManifestTools tally_manifest_get_tools (TallyManifest *self);
gboolean           tally_manifest_has_tool (TallyManifest     *self,
                                            TallyManifestTools tool);

guint                          tally_manifest_get_n_label_classes (TallyManifest *self);
const TallyManifestLabelClass *tally_manifest_get_label_class (TallyManifest *self,
                                                               guint          index);
/* The class a hot key selects, or NULL. */
const TallyManifestLabelClass *tally_manifest_lookup_hotkey (TallyManifest *self,
                                                             char           hotkey);

guint                    tally_manifest_get_n_items (TallyManifest *self);
const TallyManifestItem *tally_manifest_get_item (TallyManifest *self,
                                                  guint          index);
/* NULL when no item has that id. */
const TallyManifestItem *tally_manifest_lookup_item (TallyManifest *self,
                                                     const char    *id);

/* An item's "uri" member made absolute by the rules of docs/manifest.md
 * ("Where items live"), with base_uri as in tally_manifest_new_from_bytes;
 * a broken rule is TALLY_CORE_ERROR_INVALID_MANIFEST. */
char *tally_manifest_resolve_uri (const char *reference,
                                  const char *base_uri,
                                  GError    **error) G_GNUC_WARN_UNUSED_RESULT;

/* Schema 2 (docs/manifest.md "Private datasets"): the items are files sealed
 * with a task key by tally_item_cipher_seal(); sha256 and size are those of
 * the sealed files. */
gboolean tally_manifest_is_encrypted (TallyManifest *self);
/* keccak256 of the task key (TALLY_KECCAK256_LEN bytes), NULL when the
 * manifest is not encrypted. */
const guint8 *tally_manifest_get_key_hash (TallyManifest *self);
/* TALLY_CORE_ERROR_WRONG_KEY when keccak256(key) is not the manifest's key
 * hash, or the manifest is not encrypted. */
gboolean tally_manifest_check_task_key (TallyManifest *self,
                                        const guint8   key[TALLY_TASK_KEY_LEN],
                                        GError       **error);

/* "image", "text"; "classify", "box", "span": as the manifest spells them. */
const char *tally_manifest_item_kind_to_string (TallyManifestItemKind kind);
const char *tally_manifest_tool_to_string (TallyManifestTools tool);

G_END_DECLS
