/* manifest-private.h: what manifest.c and manifest-item.c share: the
 * object's fields and the checks of one member of the JSON document
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "manifest.h"
#include "wallet/json.h"

G_BEGIN_DECLS

struct _TallyManifest
{
  GObject parent_instance;

  GBytes            *bytes;
  char              *base_uri;
  guint8             keccak[TALLY_KECCAK256_LEN];
  guint              schema_version;
  const char        *title;
  const char        *instructions;
  GArray            *classes; /* TallyManifestLabelClass */
  TallyManifestTools tools;
  GArray            *items;       /* TallyManifestItem */
  GHashTable        *items_by_id; /* id -> index + 1 */
  GStringChunk      *strings;     /* every string the structs point at */
  gboolean           encrypted;   /* schema 2 */
  guint8             key_hash[TALLY_KECCAK256_LEN];
};

/* Text from the document, quoted and cut short for a message. */
char *tally_manifest_quote (const char *text);

/* Sets TALLY_CORE_ERROR_INVALID_MANIFEST "<where>: <what>", where names the
 * element ("Manifest", "Class 3 (“Cat”)", "Item 12 (“img-012”)"); returns
 * FALSE. */
gboolean tally_manifest_fail (GError    **error,
                              const char *where,
                              const char *format,
                              ...) G_GNUC_PRINTF (3, 4);

/* "a string", "an array": what a message says a value is. */
const char *tally_manifest_json_describe (const TallyJsonNode *node);

/* Refuses a member whose name known (NULL-terminated) does not hold. */
gboolean tally_manifest_json_check_members (const TallyJsonNode *object,
                                            const char *const   *known,
                                            const char          *where,
                                            GError             **error);

/* The member name of object, of kind; *out is NULL when an optional member
 * is absent. */
gboolean tally_manifest_json_member (const TallyJsonNode  *object,
                                     const char           *name,
                                     TallyJsonKind         kind,
                                     gboolean              required,
                                     const char           *where,
                                     const TallyJsonNode **out,
                                     GError              **error);
/* A string without U+0000; *out is NULL when an optional member is absent. */
gboolean tally_manifest_json_string (const TallyJsonNode *object,
                                     const char          *name,
                                     gboolean             required,
                                     const char          *where,
                                     const char         **out,
                                     GError             **error);
/* A whole number written as one, from min to max; present (nullable) says
 * whether an optional member was there. */
gboolean tally_manifest_json_integer (const TallyJsonNode *object,
                                      const char          *name,
                                      gboolean             required,
                                      guint64              min,
                                      guint64              max,
                                      const char          *where,
                                      guint64             *out,
                                      gboolean            *present,
                                      GError             **error);

/* The "items" member of a schema 1 manifest, after its tools are read. */
gboolean tally_manifest_read_items (TallyManifest       *self,
                                    const TallyJsonNode *root,
                                    const char          *base_uri,
                                    GError             **error);

/* The "encryption" member of a schema 2 manifest, after its items are read:
 * the cipher, the task key's hash, and sizes that hold a nonce and a tag. */
gboolean tally_manifest_read_encryption (TallyManifest       *self,
                                         const TallyJsonNode *root,
                                         GError             **error);

G_END_DECLS
