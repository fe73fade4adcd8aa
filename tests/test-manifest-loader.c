/* test-manifest-loader.c: a task's manifest fetched from an in-process
 * HTTP server, through an IPFS gateway and from a file, checked against
 * its on-chain hash; wrong hashes, missing and oversized manifests refused
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "core-error.h"
#include "manifest-loader.h"
#include "wallet/keccak.h"

#define CID "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"

static GBytes *example;
static char   *base_url;

/* The first ```json block of docs/manifest.md, as test-manifest reads it. */
static GBytes *
read_example (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("TALLY_SOURCE_DIR"), "docs", "manifest.md", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  const char *start, *end;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  start = strstr (text, "```json\n") + strlen ("```json\n");
  end = strstr (start, "```");
  return g_bytes_new (start, (gsize) (end - start));
}

static void
serve (SoupServer        *server,
       SoupServerMessage *message,
       const char        *path,
       GHashTable        *query,
       gpointer           user_data)
{
  gsize         len = 0;
  const guint8 *data = g_bytes_get_data (example, &len);

  if (g_str_equal (path, "/m.json") || g_str_equal (path, "/ipfs/" CID "/m.json"))
    {
      soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY,
                                        (const char *) data, len);
    }
  else if (g_str_equal (path, "/huge.json") || g_str_equal (path, "/huge-chunked.json"))
    {
      g_autofree char *body = g_strnfill (TALLY_MANIFEST_MAX_SIZE + 1, ' ');
      SoupMessageBody *response = soup_server_message_get_response_body (message);

      soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
      if (g_str_equal (path, "/huge-chunked.json"))
        soup_message_headers_set_encoding (soup_server_message_get_response_headers (message),
                                           SOUP_ENCODING_CHUNKED);
      soup_message_body_append (response, SOUP_MEMORY_COPY, body, TALLY_MANIFEST_MAX_SIZE + 1);
      soup_message_body_complete (response);
    }
  else if (g_str_equal (path, "/broken"))
    soup_server_message_set_status (message, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL);
  else
    soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static TallyManifest *
load (const char   *uri,
      const guint8 *keccak,
      GError      **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autofree char *gateway = g_strconcat (base_url, "ipfs/", NULL);

  tally_manifest_load_async (uri, keccak, gateway, NULL, on_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return tally_manifest_load_finish (result, error);
}

static void
test_fetched_and_checked (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyManifest) manifest = NULL;
  g_autoptr (TallyManifest) from_ipfs = NULL;
  g_autofree char *url = g_strconcat (base_url, "m.json", NULL);
  g_autofree char *expected_item = g_strconcat (base_url, "images/street-0001.jpg", NULL);
  guint8           keccak[32];

  tally_keccak256 (keccak, g_bytes_get_data (example, NULL), g_bytes_get_size (example));
  manifest = load (url, keccak, &error);
  g_assert_no_error (error);
  g_assert_nonnull (manifest);
  g_assert_cmpmem (tally_manifest_get_keccak (manifest), 32, keccak, 32);
  /* Relative item addresses resolve against where the manifest was. */
  g_assert_cmpstr (tally_manifest_get_item (manifest, 0)->uri, ==, expected_item);

  from_ipfs = load ("ipfs://" CID "/m.json", keccak, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tally_manifest_get_base_uri (from_ipfs), ==, "ipfs://" CID "/m.json");
}

static void
test_refused (void)
{
  static const struct
  {
    const char *path;
    int         code;
  } cases[] = {
    { "missing.json", TALLY_CORE_ERROR_NOT_FOUND },
    { "broken", TALLY_CORE_ERROR_HTTP },
    { "huge.json", TALLY_CORE_ERROR_TOO_LARGE },
    { "huge-chunked.json", TALLY_CORE_ERROR_TOO_LARGE },
  };
  g_autoptr (GError) error = NULL;
  g_autofree char *url = g_strconcat (base_url, "m.json", NULL);
  guint8           keccak[32];

  /* The right bytes under the wrong hash: never handed on. */
  tally_keccak256 (keccak, g_bytes_get_data (example, NULL), g_bytes_get_size (example));
  keccak[0] ^= 1;
  g_assert_null (load (url, keccak, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_HASH_MISMATCH);
  g_clear_error (&error);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *where = g_strconcat (base_url, cases[i].path, NULL);

      g_assert_null (load (where, NULL, &error));
      g_assert_error (error, TALLY_CORE_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, where));
      g_clear_error (&error);
    }

  g_assert_null (load ("ftp://example.org/m.json", NULL, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST);
  g_clear_error (&error);
  g_assert_null (load ("ipfs://../m.json", NULL, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST);
  g_clear_error (&error);
}

static void
test_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tally-manifest-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "m.json", NULL);
  g_autofree char *huge_path = g_build_filename (dir, "huge.json", NULL);
  g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);
  g_autofree char *huge_uri = g_filename_to_uri (huge_path, NULL, NULL);
  g_autofree char *huge = g_strnfill (TALLY_MANIFEST_MAX_SIZE + 1, ' ');
  g_autoptr (TallyManifest) manifest = NULL;

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (example, NULL),
                                      (gssize) g_bytes_get_size (example), &error));
  g_assert_true (g_file_set_contents (huge_path, huge, -1, &error));
  manifest = load (uri, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (tally_manifest_get_item (manifest, 0)->uri, "file://"));
  g_assert_null (load (huge_uri, NULL, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_TOO_LARGE);
  g_clear_error (&error);
  g_unlink (path);
  g_unlink (huge_path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (SoupServer) server = NULL;
  g_autoptr (GError) error = NULL;
  GSList *uris;

  g_test_init (&argc, &argv, NULL);

  example = read_example ();
  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, NULL, serve, NULL, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  uris = soup_server_get_uris (server);
  base_url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_test_add_func ("/core/manifest-loader/fetched-and-checked", test_fetched_and_checked);
  g_test_add_func ("/core/manifest-loader/refused", test_refused);
  g_test_add_func ("/core/manifest-loader/file", test_file);

  return g_test_run ();
}
