/* test-manifest-hostile.c: the task manifest reader (app/manifest.c)
 * against hostile documents, each refused with a message that says why,
 * and the largest manifest its limits allow
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "tally-test-manifest.h"

#define FULLWIDTH_CAT "\"\xef\xbc\xa3\xef\xbd\x81\xef\xbd\x94\""                    /* U+FF23 U+FF41 U+FF54 */
#define LONG_A        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" /* 59 */
#define DOC_URI(u)    DOC_ITEMS (ITEM_URI (u))
/* Schema 2: an encrypted item holds a nonce and a tag, so more than 28 bytes. */
#define KEY_HASH          "\"0x8ae1aa597fa146ebd3aa2ceddf360668dea5e526567e92b0321816a4e895bd2d\""
#define ENC(cipher, hash) "{\"cipher\":" cipher ",\"key_hash\":" hash "}"
#define DOC_V2_ITEMS(enc, items) \
  DOC_ALL ("\"schema\":2,", "\"T\"", "\"encryption\":" enc ",", CLASSES, TOOLS, items)
#define DOC_V2(enc)    DOC_V2_ITEMS (enc, ITEM_SIZE ("61"))
#define DOC_V2_HASH(h) DOC_V2 (ENC ("\"aes-256-gcm\"", h))
#define DOC_V1_ENCRYPTED                                                                      \
  DOC_ALL ("\"schema\":1,", "\"T\"", "\"encryption\":" ENC ("\"aes-256-gcm\"", KEY_HASH) ",", \
           CLASSES, TOOLS, ITEMS)
#define HEX64_UPPER "8AE1AA597FA146EBD3AA2CEDDF360668DEA5E526567E92B0321816A4E895BD2D"

/* A valid manifest with n_classes classes, n_items items and a title of
 * title_len characters, around the bounds. */
static GString *
build (guint n_classes,
       guint n_items,
       guint title_len)
{
  GString *out = g_string_new ("{\"schema\":1,\"title\":\"");

  for (guint i = 0; i < title_len; i++)
    g_string_append (out, i % 2 ? "é" : "t");
  g_string_append (out, "\",\"tools\":[\"box\"],\"classes\":[");
  for (guint i = 0; i < n_classes; i++)
    g_string_append_printf (out, "%s{\"name\":\"class %u\",\"color\":\"#%06x\"}", i ? "," : "", i,
                            i * 0x010203);
  g_string_append (out, "],\"items\":[");
  for (guint i = 0; i < n_items; i++)
    g_string_append_printf (out,
                            "%s{\"id\":\"item-%u\",\"kind\":\"image\",\"uri\":\"i/%u.png\","
                            "\"sha256\":" SHA ",\"size\":67108864,\"width\":32768,\"height\":1}",
                            i ? "," : "", i, i);
  g_string_append (out, "]}");
  return out;
}

static GBytes *
make_items_257 (void)
{
  return g_string_free_to_bytes (build (2, 257, 1));
}

/* A million empty objects fit in 3 MB; they must be refused by their count,
 * before any is read. */
static GBytes *
make_items_million (void)
{
  GString *out = g_string_new ("{\"schema\":1,\"title\":\"T\",\"classes\":" CLASSES
                               ",\"tools\":" TOOLS ",\"items\":[{}");

  for (guint i = 1; i < 1000000; i++)
    g_string_append (out, ",{}");
  g_string_append (out, "]}");
  return g_string_free_to_bytes (out);
}

static GBytes *
make_classes_256 (void)
{
  return g_string_free_to_bytes (build (256, 1, 1));
}

static GBytes *
make_title_201 (void)
{
  return g_string_free_to_bytes (build (2, 1, 201));
}

static GBytes *
make_oversized (void)
{
  GString *out = build (2, 1, 1);

  /* Whitespace is valid JSON: only the size is wrong. */
  while (out->len < TALLY_MANIFEST_MAX_SIZE + 1)
    g_string_append_c (out, ' ');
  return g_string_free_to_bytes (out);
}

static GBytes *
make_very_deep (void)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (out, '[');
  return g_string_free_to_bytes (out);
}

static GBytes *
make_long_id (void)
{
  g_autofree char *id = g_strnfill (129, 'x');
  g_autofree char *json = g_strdup_printf (DOC_ITEMS ("[" ITEM ("\"%s\"", "\"a.png\"") "]"), id);

  return g_bytes_new (json, strlen (json));
}

typedef struct
{
  const char *name;
  const char *json; /* the document, or NULL to call make */
  GBytes *(*make) (void);
  const char *base; /* BASE when NULL, unless no_base */
  gboolean    no_base;
  gboolean    too_large; /* TOO_LARGE rather than INVALID_MANIFEST */
  const char *message;   /* a part of the error message */
} Hostile;

static const Hostile hostile[] = {
  /* Counts. */
  { "items-257", .make = make_items_257,
    .message = "Manifest: items must list 1 to 256 items, not 257" },
  { "items-million", .make = make_items_million,
    .message = "items must list 1 to 256 items, not 1000000" },
  { "items-none", DOC_ITEMS ("[]"), .message = "items must list 1 to 256 items, not 0" },
  { "classes-256", .make = make_classes_256,
    .message = "classes must list 2 to 255 classes, not 256" },
  { "classes-one", DOC_CLASSES ("[" CLASS ("\"Cat\"", "") "]"), .message = "not 1" },
  { "tools-none", DOC_TOOLS_ITEMS ("[]", ITEMS), .message = "tools must list 1 to 3 tools, not 0" },
  /* Duplicates. */
  { "duplicate-id", DOC_ITEMS ("[" ITEM ("\"a\"", "\"a.png\"") "," ITEM ("\"a\"", "\"b.png\"") "]"),
    .message = "Item 1 (“a”): id is already used by item 0" },
  { "duplicate-id-case",
    DOC_ITEMS ("[" ITEM ("\"x\"", "\"a.png\"") "," ITEM ("\"X\"", "\"b.png\"") "]"),
    .message = "Item 1 (“X”): id is already used by item 0" },
  { "duplicate-class", DOC_CLASSES ("[" CLASS ("\"Cat\"", "") "," CLASS ("\"CAT\"", "") "]"),
    .message = "Class 1 (“CAT”): name is already used by class 0" },
  { "duplicate-class-fullwidth",
    DOC_CLASSES ("[" CLASS ("\"cat\"", "") "," CLASS (FULLWIDTH_CAT, "") "]"),
    .message = "name is already used by class 0" },
  { "duplicate-hotkey",
    DOC_CLASSES ("[" CLASS ("\"Cat\"", HOTKEY_C) "," CLASS ("\"Dog\"", HOTKEY_C) "]"),
    .message = "Class 1 (“Dog”): hotkey “c” is already used by class 0" },
  { "duplicate-tool", DOC_TOOLS_ITEMS ("[\"box\",\"box\"]", ITEMS),
    .message = "tools lists “box” twice" },
  { "duplicate-json-key",
    DOC_ALL ("\"schema\":1,\"title\":\"A\",", "\"B\"", "", CLASSES, TOOLS, ITEMS),
    .message = "the member name “title” appears twice" },
  /* Where items live. */
  { "traversal-dotdot", DOC_URI ("\"../x.png\""),
    .message = "Item 0 (“a”): uri “../x.png” has a “..” segment (path traversal)" },
  { "traversal-inner", DOC_URI ("\"img/../../x.png\""), .message = "path traversal" },
  { "traversal-encoded", DOC_URI ("\"%2e%2e/x\""),
    .message = "has a “..” segment (path traversal)" },
  { "traversal-half-encoded", DOC_URI ("\".%2E/x\""),
    .message = "has a “..” segment (path traversal)" },
  { "traversal-dot", DOC_URI ("\"./x.png\""), .message = "has a “.” segment" },
  { "traversal-absolute", DOC_URI ("\"/etc/passwd\""),
    .message = "starts with “/” (path traversal)" },
  { "traversal-other-host", DOC_URI ("\"//evil.example/x.png\""), .message = "(path traversal)" },
  { "traversal-backslash", DOC_URI ("\"..\\\\x.png\""),
    .message = "holds a backslash (path traversal)" },
  { "traversal-encoded-slash", DOC_URI ("\"..%2fx.png\""),
    .message = "hides a separator as %2f (path traversal)" },
  { "traversal-encoded-backslash", DOC_URI ("\"..%5Cx.png\""), .message = "(path traversal)" },
  { "traversal-in-https", DOC_URI ("\"https://example.org/a/../b.png\""),
    .message = "(path traversal)" },
  { "file-from-https", DOC_URI ("\"file:///etc/passwd\""),
    .message =
      "uri “file:///etc/passwd” points at a local file, but the manifest was loaded from https" },
  { "file-from-ipfs", DOC_URI ("\"file:///etc/passwd\""), .base = "ipfs://bafyabc/manifest.json",
    .message = "loaded from ipfs" },
  { "file-without-base", DOC_URI ("\"file:///etc/passwd\""), .no_base = TRUE,
    .message = "loaded from no URI" },
  { "relative-without-base", DOC_URI ("\"a.png\""), .no_base = TRUE,
    .message = "is relative, but the manifest was not loaded from a URI" },
  { "userinfo", DOC_URI ("\"https://user:secret@example.org/a.png\""),
    .message = "carries a user name or password" },
  { "fragment", DOC_URI ("\"a.png#top\""), .message = "has a fragment" },
  { "scheme-ftp", DOC_URI ("\"ftp://example.org/a.png\""), .message = "uses the scheme “ftp”" },
  { "scheme-javascript", DOC_URI ("\"javascript:alert(1)\""),
    .message = "uses the scheme “javascript”" },
  { "uri-space", DOC_URI ("\"a b.png\""), .message = "percent-encode it" },
  /* Cut to 60 characters in the message, never inside a character. */
  { "uri-non-ascii", DOC_URI ("\"" LONG_A "\xc3\xa9\xc3\xa9\""), .message = "é…” holds a space" },
  { "uri-nul", DOC_URI ("\"a%00.png\""), .message = "hides a control character" },
  { "uri-bad-escape", DOC_URI ("\"a%zz.png\""), .message = "malformed percent escape" },
  { "uri-query", DOC_URI ("\"a.png?x=1\""), .message = "has a query" },
  { "uri-empty", DOC_URI ("\"\""), .message = "is empty" },
  { "ipfs-bad-cid", DOC_URI ("\"ipfs://not-a_cid/a.png\""), .message = "content id" },
  { "base-ftp", DOC_URI ("\"a.png\""), .base = "ftp://example.org/m.json",
    .message = "scheme “ftp”" },
  /* Hashes. */
  { "sha256-short", DOC_ITEMS (ITEM_SHA ("\"e3b0c442\"")),
    .message = "Item 0 (“a”): sha256 must be 64 lowercase hex digits" },
  { "sha256-uppercase",
    DOC_ITEMS (ITEM_SHA ("\"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\"")),
    .message = "sha256 must be 64 lowercase hex digits" },
  { "sha256-not-hex",
    DOC_ITEMS (ITEM_SHA ("\"g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"")),
    .message = "sha256 must be 64 lowercase hex digits" },
  { "sha256-prefixed",
    DOC_ITEMS (ITEM_SHA ("\"0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"")),
    .message = "sha256 must be 64 lowercase hex digits" },
  { "sha256-number", DOC_ITEMS (ITEM_SHA ("12")),
    .message = "sha256 must be a string, not a number" },
  /* Types and numbers. */
  { "size-string", DOC_ITEMS (ITEM_SIZE ("\"10\"")),
    .message = "size must be a whole number, not a string" },
  { "size-negative", DOC_ITEMS (ITEM_SIZE ("-5")),
    .message = "size must be from 1 to 67108864, not “-5”" },
  { "size-zero", DOC_ITEMS (ITEM_SIZE ("0")),
    .message = "size must be from 1 to 67108864, not “0”" },
  { "size-oversized", DOC_ITEMS (ITEM_SIZE ("67108865")), .message = "not “67108865”" },
  { "size-huge", DOC_ITEMS (ITEM_SIZE ("100000000000000000000000000000")),
    .message = "size must be from 1 to" },
  { "size-fraction", DOC_ITEMS (ITEM_SIZE ("1.5")),
    .message = "size must be a whole number, not “1.5”" },
  { "size-exponent", DOC_ITEMS (ITEM_SIZE ("1e3")),
    .message = "size must be a whole number, not “1e3”" },
  { "size-null", DOC_ITEMS (ITEM_SIZE ("null")),
    .message = "size must be a whole number, not null" },
  { "id-number", DOC_ITEMS ("[" ITEM ("7", "\"a.png\"") "]"),
    .message = "Item 0: id must be a string, not a number" },
  { "id-slash", DOC_ITEMS ("[" ITEM ("\"a/b\"", "\"a.png\"") "]"),
    .message = "Item 0: id “a/b” must be" },
  { "id-dotdot", DOC_ITEMS ("[" ITEM ("\"..\"", "\"a.png\"") "]"),
    .message = "Item 0: id “..” must be" },
  { "id-long", .make = make_long_id, .message = "must be 1 to 128 of" },
  { "id-missing", DOC_ITEMS ("[{\"kind\":\"image\"}]"),
    .message = "Item 0: the member id is missing" },
  { "items-object", DOC_ITEMS ("{\"a\":1}"),
    .message = "Manifest: items must be an array, not an object" },
  { "item-string", DOC_ITEMS ("[\"a.png\"]"),
    .message = "Item 0: must be an object, not a string" },
  { "class-array", DOC_CLASSES ("[[],[]]"), .message = "Class 0: must be an object, not an array" },
  { "kind-video", DOC_ITEMS ("[" ITEM_FULL ("\"a\"", "\"video\"", "\"a\"", SHA, "1", "") "]"),
    .message = "kind must be “image” or “text”, not “video”" },
  { "not-an-object", "[1,2]", .message = "the document must be a JSON object, not an array" },
  /* Members. */
  { "unknown-member", DOC ("\"owner\":\"me\",", CLASSES, TOOLS, ITEMS),
    .message = "Manifest: unknown member “owner”" },
  { "unknown-item-member", DOC_ITEMS (ITEM_EXTRA (",\"colour\":\"red\"")),
    .message = "Item 0 (“a”): unknown member “colour”" },
  { "unknown-class-member",
    DOC_CLASSES ("[" CLASS ("\"Cat\"", ",\"colour\":1") "," CLASS ("\"Dog\"", "") "]"),
    .message = "Class 0 (“Cat”): unknown member “colour”" },
  { "schema-3", DOC_SCHEMA ("\"schema\":3,"),
    .message =
      "Manifest: schema version 3 is not supported; this version of Tally reads versions up to 2" },
  /* Schema 2: private datasets. */
  { "v2-no-encryption", DOC_SCHEMA ("\"schema\":2,"),
    .message = "Manifest: the member encryption is missing" },
  { "v1-with-encryption",
    DOC_V1_ENCRYPTED,
    .message = "Manifest: unknown member “encryption”" },
  { "v2-encryption-array", DOC_V2 ("[]"),
    .message = "Manifest: encryption must be an object, not an array" },
  { "v2-encryption-null", DOC_V2 ("null"), .message = "encryption must be an object, not null" },
  { "v2-cipher-unknown", DOC_V2 (ENC ("\"chacha20-poly1305\"", KEY_HASH)),
    .message = "Manifest: encryption: cipher is “chacha20-poly1305”; this version of Tally knows "
               "only “aes-256-gcm”" },
  { "v2-cipher-case", DOC_V2 (ENC ("\"AES-256-GCM\"", KEY_HASH)),
    .message = "cipher is “AES-256-GCM”" },
  { "v2-cipher-missing", DOC_V2 ("{\"key_hash\":" KEY_HASH "}"),
    .message = "Manifest: encryption: the member cipher is missing" },
  { "v2-key-hash-missing", DOC_V2 ("{\"cipher\":\"aes-256-gcm\"}"),
    .message = "Manifest: encryption: the member key_hash is missing" },
  { "v2-key-hash-short", DOC_V2_HASH ("\"0x8ae1aa59\""),
    .message = "Manifest: encryption: key_hash must be “0x” and 64 lowercase hex digits" },
  { "v2-key-hash-no-prefix", DOC_V2_HASH ("\"00" HEX64_UPPER "\""),
    .message = "key_hash must be “0x” and 64 lowercase hex digits" },
  { "v2-key-hash-upper", DOC_V2_HASH ("\"0x" HEX64_UPPER "\""),
    .message = "key_hash must be “0x” and 64 lowercase hex digits" },
  { "v2-key-hash-long",
    DOC_V2_HASH ("\"0x8ae1aa597fa146ebd3aa2ceddf360668dea5e526567e92b0321816a4e895bd2d00\""),
    .message = "key_hash must be “0x”" },
  { "v2-key-hash-number", DOC_V2_HASH ("12"),
    .message = "encryption: key_hash must be a string, not a number" },
  { "v2-key-hash-nul", DOC_V2_HASH ("\"0x\\u0000\""),
    .message = "key_hash must not contain U+0000" },
  /* A requester's tool that put the key itself in the manifest. */
  { "v2-key-leaked",
    DOC_V2 ("{\"cipher\":\"aes-256-gcm\",\"key_hash\":" KEY_HASH ",\"key\":\"0x00\"}"),
    .message = "Manifest: encryption: unknown member “key”" },
  { "v2-item-too-small", DOC_V2_ITEMS (ENC ("\"aes-256-gcm\"", KEY_HASH), ITEM_SIZE ("28")),
    .message = "Item 0 (“a”): size must be more than 28 for an encrypted item (a nonce and a tag), "
               "not 28" },
  { "schema-huge", DOC_SCHEMA ("\"schema\":99999999999999999999999,"),
    .message = "schema must be from 1 to" },
  { "schema-0", DOC_SCHEMA ("\"schema\":0,"),
    .message = "schema must be from 1 to 4294967295, not “0”" },
  { "schema-string", DOC_SCHEMA ("\"schema\":\"1\","),
    .message = "schema must be a whole number, not a string" },
  { "schema-missing", DOC_SCHEMA (""), .message = "Manifest: the member schema is missing" },
  /* Tools against items. */
  { "box-without-images", DOC_TOOLS_ITEMS ("[\"classify\",\"box\"]", "[" TEXT_ITEM "]"),
    .message = "the box tool needs image items, and there are none" },
  { "span-without-texts", DOC_TOOLS_ITEMS ("[\"classify\",\"span\"]", ITEMS),
    .message = "the span tool needs text items, and there are none" },
  { "images-without-tool",
    DOC_TOOLS_ITEMS ("[\"span\"]", "[" ITEM ("\"a\"", "\"a.png\"") "," TEXT_ITEM "]"),
    .message = "image items need the classify or the box tool" },
  { "texts-without-tool",
    DOC_TOOLS_ITEMS ("[\"box\"]", "[" ITEM ("\"a\"", "\"a.png\"") "," TEXT_ITEM "]"),
    .message = "text items need the classify or the span tool" },
  { "tool-unknown", DOC_TOOLS_ITEMS ("[\"polygon\"]", ITEMS),
    .message = "tools[0] is “polygon”, not one of" },
  { "tool-number", DOC_TOOLS_ITEMS ("[1]", ITEMS),
    .message = "tools[0] must be a string, not a number" },
  /* The document. */
  { "oversized", .make = make_oversized, .too_large = TRUE,
    .message = "at most 4194304 are allowed" },
  { "deep", DOC ("\"x\":[[[[[[[[[]]]]]]]]],", CLASSES, TOOLS, ITEMS),
    .message = "nested more than 8 deep" },
  { "very-deep", .make = make_very_deep, .message = "nested more than 8 deep" },
  { "invalid-utf8", DOC_TITLE ("\"\xff\xfe\""), .message = "invalid UTF-8" },
  { "overlong-utf8", DOC_TITLE ("\"\xc0\xaf\""), .message = "invalid UTF-8" },
  { "lone-surrogate", DOC_TITLE ("\"\\ud800\""), .message = "surrogate" },
  { "trailing-garbage", DOC_ITEMS (ITEMS) " {}", .message = "Invalid JSON" },
  { "trailing-comma", DOC_ITEMS ("[" ITEM ("\"a\"", "\"a.png\"") ",]"),
    .message = "trailing comma" },
  { "empty", "", .message = "Invalid JSON" },
  /* Text. */
  { "title-empty", DOC_TITLE ("\"\""), .message = "title must be 1 to 200 characters long, not 0" },
  { "title-201", .make = make_title_201,
    .message = "title must be 1 to 200 characters long, not 201" },
  { "title-newline", DOC_TITLE ("\"a\\nb\""),
    .message = "title must not contain control characters (U+000A)" },
  { "title-blank", DOC_TITLE ("\"   \""), .message = "title must not be blank" },
  { "title-nul", DOC_TITLE ("\"a\\u0000b\""), .message = "title must not contain U+0000" },
  { "title-number", DOC_TITLE ("5"), .message = "title must be a string, not a number" },
  { "instructions-escape", DOC ("\"instructions\":\"a\\u001bb\",", CLASSES, TOOLS, ITEMS),
    .message = "instructions must not contain control characters (U+001B)" },
  { "class-name-long",
    DOC_CLASSES ("[" CLASS ("\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"",
                            "") "," CLASS ("\"Dog\"", "") "]"),
    .message = "Class 0: name must be 1 to 64 characters long, not 65" },
  { "color-name", DOC_CLASSES ("[{\"name\":\"Cat\",\"color\":\"red\"}," CLASS ("\"Dog\"", "") "]"),
    .message = "Class 0 (“Cat”): color must be “#rrggbb” (six hex digits), not “red”" },
  { "color-short",
    DOC_CLASSES ("[{\"name\":\"Cat\",\"color\":\"#fff\"}," CLASS ("\"Dog\"", "") "]"),
    .message = "color must be “#rrggbb”" },
  { "hotkey-upper",
    DOC_CLASSES ("[" CLASS ("\"Cat\"", ",\"hotkey\":\"C\"") "," CLASS ("\"Dog\"", "") "]"),
    .message = "hotkey must be one of a–z or 0–9, not “C”" },
  { "hotkey-two",
    DOC_CLASSES ("[" CLASS ("\"Cat\"", ",\"hotkey\":\"ca\"") "," CLASS ("\"Dog\"", "") "]"),
    .message = "hotkey must be one of a–z or 0–9, not “ca”" },
  /* Image sizes and media types. */
  { "width-alone", DOC_ITEMS (ITEM_EXTRA (",\"width\":10")),
    .message = "width and height must be given together" },
  { "width-on-text", DOC_ITEMS (TEXT_EXTRA (",\"width\":10,\"height\":10")),
    .message = "Item 0 (“t”): width and height are for image items only" },
  { "width-zero", DOC_ITEMS (ITEM_EXTRA (",\"width\":0,\"height\":5")),
    .message = "width must be from 1 to 32768, not “0”" },
  { "height-huge", DOC_ITEMS (ITEM_EXTRA (",\"width\":1,\"height\":32769")),
    .message = "height must be from 1 to 32768, not “32769”" },
  { "media-type-mismatch", DOC_ITEMS (ITEM_EXTRA (",\"mediaType\":\"text/plain\"")),
    .message = "mediaType “text/plain” is not for image items" },
  { "media-type-unknown", DOC_ITEMS (ITEM_EXTRA (",\"mediaType\":\"image/gif\"")),
    .message = "mediaType is “image/gif”, not one of" },
};

static void
test_hostile (gconstpointer data)
{
  const Hostile *c = data;
  g_autoptr (GBytes) bytes = NULL;

  if (c->json != NULL)
    bytes = g_bytes_new_static (c->json, strlen (c->json));
  else
    bytes = c->make ();
  tally_test_manifest_assert_refused (bytes, c->no_base ? NULL : (c->base != NULL ? c->base : BASE),
                                      c->too_large ? TALLY_CORE_ERROR_TOO_LARGE : TALLY_CORE_ERROR_INVALID_MANIFEST,
                                      c->message);
}

/* Every bound is inclusive: the largest manifest allowed is read. */
static void
test_limits (void)
{
  GString *json =
    build (TALLY_MANIFEST_MAX_CLASSES, TALLY_MANIFEST_MAX_ITEMS, TALLY_MANIFEST_MAX_TITLE);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (TallyManifest) manifest = NULL;
  g_autoptr (GError) error = NULL;
  const TallyManifestItem *last;

  while (json->len < TALLY_MANIFEST_MAX_SIZE)
    g_string_append_c (json, '\n');
  bytes = g_string_free_to_bytes (json);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, TALLY_MANIFEST_MAX_SIZE);

  manifest = tally_manifest_new_from_bytes (bytes, BASE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tally_manifest_get_n_label_classes (manifest), ==, 255);
  g_assert_cmpuint (tally_manifest_get_label_class (manifest, 254)->label, ==, 255);
  g_assert_cmphex (tally_manifest_get_label_class (manifest, 254)->color, ==, 254 * 0x010203);
  g_assert_cmpuint (g_utf8_strlen (tally_manifest_get_title (manifest), -1), ==, 200);
  g_assert_cmpint (tally_manifest_get_tools (manifest), ==, TALLY_MANIFEST_TOOL_BOX);
  g_assert_cmpuint (tally_manifest_get_n_items (manifest), ==, 256);
  last = tally_manifest_get_item (manifest, 255);
  g_assert_cmpuint (last->index, ==, 255);
  g_assert_cmpstr (last->id, ==, "item-255");
  g_assert_cmpstr (last->uri, ==, "https://example.org/tasks/t1/i/255.png");
  g_assert_cmpuint (last->size, ==, 64 * 1024 * 1024);
  g_assert_cmpuint (last->width, ==, 32768);
  g_assert_cmpuint (last->height, ==, 1);
  g_assert_null (last->media_type);
  g_assert_true (tally_manifest_lookup_item (manifest, "item-255") == last);
  g_assert_cmpstr (tally_manifest_get_instructions (manifest), ==, "");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/manifest/limits", test_limits);
  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autofree char *path = g_strconcat ("/core/manifest/hostile/", hostile[i].name, NULL);

      g_test_add_data_func (path, &hostile[i], test_hostile);
    }

  return g_test_run ();
}
