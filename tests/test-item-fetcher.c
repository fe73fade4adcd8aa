/* test-item-fetcher.c: fetching, verifying and caching task items against a
 * real in-process HTTP server on 127.0.0.1 and real files: errors, retries,
 * redirects, ipfs:// and file:// addresses, a damaged cache
 * (tests/test-item-queue.c has how downloads are scheduled)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "core-error.h"
#include "tally-test-item-server.h"
#include "tally-test-util.h"

#define BIG_BODY (32 * 1024 * 1024)

typedef TallyTestItemServer Fixture;

static void
test_fetch_and_cache (Fixture      *fixture,
                      gconstpointer data)
{
  g_autoptr (TallyTestItem) item =
    tally_test_item_server_make_item (fixture, "/items/a.bin", 100 * 1024, 1);
  g_autofree char *path = tally_item_cache_get_path (fixture->cache, item->sha256);
  g_autofree char *hex = tally_item_sha256_to_hex (item->sha256);
  g_autofree char *name = g_strconcat (hex, ".bin", NULL);
  g_autofree char *contents = NULL;
  gsize            len;

  tally_test_item_server_fetch_ok (fixture, item);
  g_assert_cmpuint (fixture->n_requests, ==, 1);
  g_assert_true (g_str_has_suffix (path, name));
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpmem (contents, len, g_bytes_get_data (item->data, NULL),
                   g_bytes_get_size (item->data));
  g_assert_cmpuint (tally_test_item_server_count_files (fixture), ==, 1);

  tally_test_item_server_fetch_ok (fixture, item);
  g_assert_cmpuint (fixture->n_requests, ==, 1);

  /* A new fetcher and cache on the same folder, as after a restart. */
  g_clear_object (&fixture->fetcher);
  g_clear_object (&fixture->cache);
  fixture->cache = tally_item_cache_new (fixture->cache_dir, 0);
  fixture->fetcher = tally_item_fetcher_new (fixture->cache);
  tally_test_item_server_fetch_ok (fixture, item);
  g_assert_cmpuint (fixture->n_requests, ==, 1);
  g_assert_cmpuint (tally_item_cache_get_total_size (fixture->cache), ==, 100 * 1024);
}

static void
test_hash_mismatch (Fixture      *fixture,
                    gconstpointer data)
{
  g_autoptr (TallyTestItem) item =
    tally_test_item_server_make_item (fixture, "/items/a.bin", 5000, 3);
  g_autoptr (GBytes) other = tally_test_item_server_random_bytes (5000, 4);
  g_autofree char *expected = tally_item_sha256_to_hex (item->sha256);
  g_autofree char *actual = NULL;
  guint8           other_sha[TALLY_ITEM_SHA256_LEN];

  /* The server sends other bytes of the same length. */
  tally_test_sha256 (other, other_sha);
  actual = tally_item_sha256_to_hex (other_sha);
  tally_test_item_server_serve (fixture, "/items/a.bin", other);

  tally_test_item_server_expect_error (fixture, item->uri, item->sha256, 5000,
                                       TALLY_CORE_ERROR_HASH_MISMATCH, expected);
  tally_test_item_server_expect_error (fixture, item->uri, item->sha256, 5000,
                                       TALLY_CORE_ERROR_HASH_MISMATCH, actual);
  tally_test_item_server_expect_error (fixture, item->uri, item->sha256, 5000,
                                       TALLY_CORE_ERROR_HASH_MISMATCH, item->uri);
  g_assert_cmpuint (fixture->n_requests, ==, 3); /* never retried */
  g_assert_cmpuint (tally_test_item_server_count_files (fixture), ==, 0);

  /* A body shorter than the manifest says is no better. */
  tally_test_item_server_expect_error (fixture, item->uri, item->sha256, 6000,
                                       TALLY_CORE_ERROR_HASH_MISMATCH, "5000 bytes");
  g_assert_cmpuint (tally_test_item_server_count_files (fixture), ==, 0);
}

static void
wait_finished (Fixture *fixture,
               guint    n)
{
  gint64 until = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (fixture->n_finished < n && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (fixture->n_finished, >=, n);
}

static void
test_too_large_announced (Fixture      *fixture,
                          gconstpointer data)
{
  g_autoptr (GBytes) big = tally_test_item_server_random_bytes (BIG_BODY, 5);
  g_autoptr (GBytes) small = g_bytes_new_from_bytes (big, 0, 1000);
  g_autofree char *uri = g_strconcat (fixture->base, "/big.bin", NULL);
  guint8           sha[TALLY_ITEM_SHA256_LEN];

  tally_test_sha256 (small, sha);
  tally_test_item_server_serve (fixture, "/big.bin", big);
  tally_test_item_server_expect_error (fixture, uri, sha, 1000, TALLY_CORE_ERROR_TOO_LARGE,
                                       "announced 33554432 bytes");
  wait_finished (fixture, 1);
  /* The connection was dropped unread: the server could not send it all. */
  g_assert_cmpuint (fixture->bytes_written, <, BIG_BODY / 2);
  g_assert_cmpuint (fixture->n_requests, ==, 1);
  g_assert_cmpuint (tally_test_item_server_count_files (fixture), ==, 0);

  /* Over the fetcher's own cap: refused before any request. */
  tally_item_fetcher_set_max_item_size (fixture->fetcher, 999);
  tally_test_item_server_expect_error (fixture, uri, sha, 1000, TALLY_CORE_ERROR_TOO_LARGE,
                                       "more than the 999 allowed");
  g_assert_cmpuint (fixture->n_requests, ==, 1);
}

static void
test_too_large_chunked (Fixture      *fixture,
                        gconstpointer data)
{
  g_autoptr (GBytes) big = tally_test_item_server_random_bytes (BIG_BODY, 6);
  g_autoptr (GBytes) small = g_bytes_new_from_bytes (big, 0, 1000);
  g_autofree char *uri = g_strconcat (fixture->base, "/chunked.bin", NULL);
  guint8           sha[TALLY_ITEM_SHA256_LEN];

  tally_test_sha256 (small, sha);
  tally_test_item_server_serve (fixture, "/chunked.bin", big)->mode = TALLY_TEST_ITEM_SERVE_CHUNKED;
  tally_test_item_server_expect_error (fixture, uri, sha, 1000, TALLY_CORE_ERROR_TOO_LARGE,
                                       "stopped reading");
  wait_finished (fixture, 1);
  g_assert_cmpuint (fixture->bytes_written, <, BIG_BODY / 2);
  g_assert_cmpuint (tally_test_item_server_count_files (fixture), ==, 0);
}

static void
test_not_found (Fixture      *fixture,
                gconstpointer data)
{
  g_autofree char *uri = g_strconcat (fixture->base, "/missing.bin", NULL);
  guint8           sha[TALLY_ITEM_SHA256_LEN] = { 0 };

  tally_test_item_server_expect_error (fixture, uri, sha, 10, TALLY_CORE_ERROR_NOT_FOUND,
                                       "/missing.bin");
  g_assert_cmpuint (fixture->n_requests, ==, 1);
}

static void
test_retry (Fixture      *fixture,
            gconstpointer data)
{
  g_autoptr (TallyTestItem) item =
    tally_test_item_server_make_item (fixture, "/flaky.bin", 3000, 7);
  g_autoptr (TallyTestItem) busy = tally_test_item_server_make_item (fixture, "/busy.bin", 3000, 8);
  g_autoptr (TallyTestItem) down = tally_test_item_server_make_item (fixture, "/down.bin", 3000, 9);
  TallyTestItemServed *served = tally_test_item_server_lookup (fixture, "/flaky.bin");

  served->fail_status = SOUP_STATUS_INTERNAL_SERVER_ERROR;
  served->fail_count = 1;
  tally_test_item_server_fetch_ok (fixture, item);
  g_assert_cmpuint (fixture->n_requests, ==, 2);

  served = tally_test_item_server_lookup (fixture, "/busy.bin");
  served->fail_status = 429;
  served->fail_count = 2;
  tally_test_item_server_fetch_ok (fixture, busy);
  g_assert_cmpuint (fixture->n_requests, ==, 5);

  /* Bounded: max-attempts requests, then the last error. */
  tally_item_fetcher_set_max_attempts (fixture->fetcher, 3);
  served = tally_test_item_server_lookup (fixture, "/down.bin");
  served->fail_status = SOUP_STATUS_SERVICE_UNAVAILABLE;
  served->fail_count = 100;
  tally_test_item_server_expect_error (fixture, down->uri, down->sha256, 3000,
                                       TALLY_CORE_ERROR_HTTP, "After 3 attempts");
  g_assert_cmpuint (fixture->n_requests, ==, 8);
  g_assert_cmpuint (tally_test_item_server_count_files (fixture), ==, 2);
}

static void
test_timeout (Fixture      *fixture,
              gconstpointer data)
{
  g_autoptr (TallyTestItem) item =
    tally_test_item_server_make_item (fixture, "/silent.bin", 100, 15);
  gint64 started = g_get_monotonic_time ();

  tally_test_item_server_lookup (fixture, "/silent.bin")->delay_ms = 10000;
  tally_item_fetcher_set_timeout (fixture->fetcher, 1);
  tally_item_fetcher_set_max_attempts (fixture->fetcher, 1);
  tally_test_item_server_expect_error (fixture, item->uri, item->sha256, 100,
                                       TALLY_CORE_ERROR_TIMED_OUT, item->uri);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (fixture->n_requests, ==, 1);
  g_assert_cmpuint (tally_test_item_server_count_files (fixture), ==, 0);
}

static void
test_ipfs (Fixture      *fixture,
           gconstpointer data)
{
  g_autoptr (TallyTestItem) item =
    tally_test_item_server_make_item (fixture, "/ipfs/bafyTestCid42/dir/a.bin", 777, 10);
  g_autofree char *gateway = g_strconcat (fixture->base, "/ipfs", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;

  g_assert_cmpstr (tally_item_fetcher_get_ipfs_gateway (fixture->fetcher), ==,
                   "https://ipfs.io/ipfs/");
  tally_item_fetcher_set_ipfs_gateway (fixture->fetcher, gateway);
  bytes = tally_test_item_server_fetch (fixture, "ipfs://bafyTestCid42/dir/a.bin", item->sha256,
                                        777, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (bytes, item->data));
  g_assert_cmpstr (g_ptr_array_index (fixture->order, 0), ==, "/ipfs/bafyTestCid42/dir/a.bin");

  tally_test_item_server_expect_error (fixture, "ipfs://bafyTestCid42/../../etc/passwd",
                                       item->sha256, 777, TALLY_CORE_ERROR_INVALID_MANIFEST,
                                       "ipfs://CID/path");
  tally_test_item_server_expect_error (fixture, "ipfs:///a.bin", item->sha256, 777,
                                       TALLY_CORE_ERROR_INVALID_MANIFEST, NULL);
  tally_test_item_server_expect_error (fixture, "ftp://example.org/a.bin", item->sha256, 777,
                                       TALLY_CORE_ERROR_INVALID_MANIFEST,
                                       "ftp://example.org/a.bin");
  g_assert_cmpuint (fixture->n_requests, ==, 1);
}

static void
test_file (Fixture      *fixture,
           gconstpointer data)
{
  g_autoptr (GBytes) content = tally_test_item_server_random_bytes (70000, 11);
  g_autofree char *dir = g_dir_make_tmp ("tally-item-files-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "item one.bin", NULL);
  g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);
  g_autofree char *gone = g_strconcat (uri, ".gone", NULL);
  g_autofree char *cached = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  guint8 sha[TALLY_ITEM_SHA256_LEN];
  guint8 other_sha[TALLY_ITEM_SHA256_LEN] = { 1 };

  tally_test_sha256 (content, sha);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (content, NULL), 70000, NULL));
  bytes = tally_test_item_server_fetch (fixture, uri, sha, 70000, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (bytes, content));
  g_assert_cmpuint (tally_test_item_server_count_files (fixture), ==, 1);

  /* Another hash: this one's is in the cache now, whatever the address. */
  tally_test_item_server_expect_error (fixture, gone, other_sha, 70000, TALLY_CORE_ERROR_NOT_FOUND,
                                       ".gone");
  /* A file that grew past its manifest size. */
  cached = tally_item_cache_get_path (fixture->cache, sha);
  g_assert_cmpint (g_unlink (cached), ==, 0);
  tally_test_item_server_expect_error (fixture, uri, sha, 60000, TALLY_CORE_ERROR_TOO_LARGE,
                                       "stopped reading");

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_corrupted_cache (Fixture      *fixture,
                      gconstpointer data)
{
  g_autoptr (TallyTestItem) item =
    tally_test_item_server_make_item (fixture, "/items/c.bin", 50000, 12);
  g_autofree char *path = tally_item_cache_get_path (fixture->cache, item->sha256);
  g_autofree char *contents = NULL;
  gsize            len;

  tally_test_item_server_fetch_ok (fixture, item);
  g_assert_cmpuint (fixture->n_requests, ==, 1);

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  contents[len / 2] ^= 0x01;
  g_assert_true (g_file_set_contents (path, contents, len, NULL));
  g_clear_pointer (&contents, g_free);
  tally_test_item_server_fetch_ok (fixture, item);
  g_assert_cmpuint (fixture->n_requests, ==, 2);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpmem (contents, len, g_bytes_get_data (item->data, NULL), 50000);

  /* Truncated, then deleted. */
  g_assert_true (g_file_set_contents (path, contents, len - 1, NULL));
  tally_test_item_server_fetch_ok (fixture, item);
  g_assert_cmpuint (fixture->n_requests, ==, 3);
  g_assert_cmpint (g_unlink (path), ==, 0);
  tally_test_item_server_fetch_ok (fixture, item);
  g_assert_cmpuint (fixture->n_requests, ==, 4);
  tally_test_item_server_fetch_ok (fixture, item);
  g_assert_cmpuint (fixture->n_requests, ==, 4);
  g_assert_cmpuint (tally_test_item_server_count_files (fixture), ==, 1);
}

static gboolean
cancel_later (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (Fixture      *fixture,
             gconstpointer data)
{
  g_autoptr (TallyTestItem) item =
    tally_test_item_server_make_item (fixture, "/slow.bin", 200000, 13);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  gint64 started = g_get_monotonic_time ();

  tally_test_item_server_lookup (fixture, "/slow.bin")->delay_ms = 2000;
  g_timeout_add (100, cancel_later, cancellable);
  bytes =
    tally_test_item_server_fetch (fixture, item->uri, item->sha256, 200000, cancellable, &error);
  g_assert_null (bytes);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - started, <, G_USEC_PER_SEC);
  g_assert_cmpuint (fixture->n_requests, ==, 1);
  tally_test_item_server_spin (100);
  g_assert_cmpuint (tally_test_item_server_count_files (fixture), ==, 0);

  /* An item asked for again after a cancel is fetched afresh. */
  tally_test_item_server_lookup (fixture, "/slow.bin")->delay_ms = 0;
  tally_test_item_server_fetch_ok (fixture, item);
  g_assert_cmpuint (tally_test_item_server_count_files (fixture), ==, 1);
}

static void
test_redirect (Fixture      *fixture,
               gconstpointer data)
{
  g_autoptr (TallyTestItem) item =
    tally_test_item_server_make_item (fixture, "/real.bin", 1234, 14);
  g_autofree char *moved = g_strconcat (fixture->base, "/moved.bin", NULL);
  g_autofree char *to_file = g_strconcat (fixture->base, "/to-file.bin", NULL);
  g_autofree char *loop = g_strconcat (fixture->base, "/loop.bin", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  /* The item itself is cached after the first fetch; these must reach the server. */
  const guint8         uncached[TALLY_ITEM_SHA256_LEN] = { 2 };
  TallyTestItemServed *served;

  served = tally_test_item_server_serve (fixture, "/moved.bin", item->data);
  served->mode = TALLY_TEST_ITEM_SERVE_REDIRECT;
  served->location = "/real.bin";
  bytes = tally_test_item_server_fetch (fixture, moved, item->sha256, 1234, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (bytes, item->data));
  g_assert_cmpuint (fixture->n_requests, ==, 2);

  served = tally_test_item_server_serve (fixture, "/to-file.bin", item->data);
  served->mode = TALLY_TEST_ITEM_SERVE_REDIRECT;
  served->location = "file:///etc/passwd";
  tally_test_item_server_expect_error (fixture, to_file, uncached, 1234, TALLY_CORE_ERROR_HTTP,
                                       "file:///etc/passwd");

  served = tally_test_item_server_serve (fixture, "/loop.bin", item->data);
  served->mode = TALLY_TEST_ITEM_SERVE_REDIRECT;
  served->location = "/loop.bin";
  tally_test_item_server_expect_error (fixture, loop, uncached, 1234, TALLY_CORE_ERROR_HTTP,
                                       "redirected more than");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func)                                                 \
  g_test_add (path, Fixture, NULL, tally_test_item_server_set_up, func, \
              tally_test_item_server_tear_down)
  ADD ("/core/items/fetch-and-cache", test_fetch_and_cache);
  ADD ("/core/items/hash-mismatch", test_hash_mismatch);
  ADD ("/core/items/too-large-announced", test_too_large_announced);
  ADD ("/core/items/too-large-chunked", test_too_large_chunked);
  ADD ("/core/items/not-found", test_not_found);
  ADD ("/core/items/retry", test_retry);
  ADD ("/core/items/timeout", test_timeout);
  ADD ("/core/items/ipfs", test_ipfs);
  ADD ("/core/items/file", test_file);
  ADD ("/core/items/corrupted-cache", test_corrupted_cache);
  ADD ("/core/items/cancel", test_cancel);
  ADD ("/core/items/redirect", test_redirect);
#undef ADD

  return g_test_run ();
}
