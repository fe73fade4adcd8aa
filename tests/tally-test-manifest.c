/* tally-test-manifest.c: what the manifest tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "tally-test-manifest.h"

TallyManifest *
tally_test_manifest_parse_ok (const char *json,
                              const char *base)
{
  g_autoptr (GBytes) bytes = g_bytes_new (json, strlen (json));
  g_autoptr (GError) error = NULL;
  TallyManifest *manifest;

  manifest = tally_manifest_new_from_bytes (bytes, base, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (manifest);
  return manifest;
}

void
tally_test_manifest_assert_refused (GBytes        *bytes,
                                    const char    *base,
                                    TallyCoreError code,
                                    const char    *message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyManifest) manifest = NULL;

  manifest = tally_manifest_new_from_bytes (bytes, base, NULL, &error);
  g_assert_null (manifest);
  g_assert_error (error, TALLY_CORE_ERROR, code);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_test_message ("%s", error->message);
  if (strstr (error->message, message) == NULL)
    g_error ("“%s” does not contain “%s”", error->message, message);
}
