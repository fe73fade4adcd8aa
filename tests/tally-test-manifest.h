/* tally-test-manifest.h: what the manifest tests share: a small valid
 * manifest built from parts that a test replaces, and checks of a parse
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "core-error.h"
#include "manifest.h"

G_BEGIN_DECLS

#define BASE "https://example.org/tasks/t1/manifest.json"

/* A small valid manifest, built from parts that the hostile cases replace. */
#define SHA               "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\""
#define CLASSES           "[" CLASS ("\"Cat\"", HOTKEY_C) "," CLASS ("\"Dog\"", "") "]"
#define CLASS(name, rest) "{\"name\":" name ",\"color\":\"#ff0000\"" rest "}"
#define ITEM_FULL(id, kind, uri, sha, size, extra) \
  "{\"id\":" id ",\"kind\":" kind ",\"uri\":" uri ",\"sha256\":" sha ",\"size\":" size extra "}"
#define ITEM(id, uri) ITEM_FULL (id, "\"image\"", uri, SHA, "10", "")
#define TEXT_ITEM     ITEM_FULL ("\"t\"", "\"text\"", "\"t.txt\"", SHA, "10", "")
#define ITEM_SIZE(s)  "[" ITEM_FULL ("\"a\"", "\"image\"", "\"a.png\"", SHA, s, "") "]"
#define ITEM_SHA(s)   "[" ITEM_FULL ("\"a\"", "\"image\"", "\"a.png\"", s, "10", "") "]"
#define ITEM_URI(u)   "[" ITEM ("\"a\"", u) "]"
#define ITEM_EXTRA(e) "[" ITEM_FULL ("\"a\"", "\"image\"", "\"a.png\"", SHA, "10", e) "]"
#define TEXT_EXTRA(e) "[" ITEM_FULL ("\"t\"", "\"text\"", "\"t.txt\"", SHA, "10", e) "]"
#define ITEMS         ITEM_URI ("\"a.png\"")
#define TOOLS         "[\"classify\"]"
#define DOC_ALL(schema, title, extra, classes, tools, items)                         \
  "{" schema "\"title\":" title "," extra "\"classes\":" classes ",\"tools\":" tools \
  ",\"items\":" items "}"
#define DOC(extra, classes, tools, items) \
  DOC_ALL ("\"schema\":1,", "\"T\"", extra, classes, tools, items)
#define DOC_TITLE(t)          DOC_ALL ("\"schema\":1,", t, "", CLASSES, TOOLS, ITEMS)
#define DOC_SCHEMA(s)         DOC_ALL (s, "\"T\"", "", CLASSES, TOOLS, ITEMS)
#define DOC_CLASSES(c)        DOC ("", c, TOOLS, ITEMS)
#define DOC_ITEMS(i)          DOC ("", CLASSES, TOOLS, i)
#define DOC_TOOLS_ITEMS(t, i) DOC ("", CLASSES, t, i)
#define HOTKEY_C              ",\"hotkey\":\"c\""
#define FILE_URI              "\"file:///srv/data/a.png\""
#define FILE_ITEMS            "[" ITEM ("\"a\"", FILE_URI) "," ITEM ("\"b\"", "\"b.png\"") "]"

/* json parsed against base; asserts success. */
TallyManifest *tally_test_manifest_parse_ok (const char *json,
                                             const char *base);
/* Asserts that bytes are refused with code and a readable message that
 * holds message. */
void tally_test_manifest_assert_refused (GBytes        *bytes,
                                         const char    *base,
                                         TallyCoreError code,
                                         const char    *message);

G_END_DECLS
