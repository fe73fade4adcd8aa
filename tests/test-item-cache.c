/* test-item-cache.c: the content-addressed item cache on a real temporary
 * folder: atomic stores, verified lookups (by SHA-256 or the caller's own
 * check), damaged entries, LRU eviction
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <nettle/sha2.h>

#include "core-error.h"
#include "item-cache.h"

typedef struct
{
  char           *dir;
  TallyItemCache *cache;
} Fixture;

static GBytes *
make_bytes (gsize   len,
            guint32 seed,
            guint8  sha256[TALLY_ITEM_SHA256_LEN])
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  guint8           *data = g_malloc (MAX (len, 1));
  struct sha256_ctx ctx;

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) g_rand_int (rand);
  sha256_init (&ctx);
  sha256_update (&ctx, len, data);
  sha256_digest (&ctx, TALLY_ITEM_SHA256_LEN, sha256);
  return g_bytes_new_take (data, len);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static guint
count_files (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint       n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      n += g_file_test (child, G_FILE_TEST_IS_DIR) ? count_files (child) : 1;
    }
  return n;
}

static void
fixture_setup (Fixture      *fixture,
               gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *parent = g_dir_make_tmp ("tally-item-cache-XXXXXX", &error);

  g_assert_no_error (error);
  /* A folder that does not exist yet: the cache creates it. */
  fixture->dir = g_build_filename (parent, "tally", "items", NULL);
  fixture->cache = tally_item_cache_new (fixture->dir, 0);
}

/* A GTask run in a thread is released by its worker a moment after the
 * callback has run in the main loop. */
static void
wait_for_last_ref (gpointer object)
{
  gint64 until = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  while (g_atomic_int_get (&G_OBJECT (object)->ref_count) > 1 && g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
fixture_teardown (Fixture      *fixture,
                  gconstpointer data)
{
  g_autofree char *tally = g_path_get_dirname (fixture->dir);
  g_autofree char *parent = g_path_get_dirname (tally);

  wait_for_last_ref (fixture->cache);
  g_assert_finalize_object (fixture->cache);
  remove_tree (parent);
  g_free (fixture->dir);
}

static GBytes *
lookup (Fixture      *fixture,
        const guint8 *sha256,
        guint64       size)
{
  g_autoptr (GError) error = NULL;
  GBytes *bytes = tally_item_cache_lookup_sync (fixture->cache, sha256, size, NULL, &error);

  g_assert_no_error (error);
  return bytes;
}

static void
store (Fixture      *fixture,
       const guint8 *sha256,
       GBytes       *bytes)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_item_cache_store_sync (fixture->cache, sha256, bytes, NULL, &error));
  g_assert_no_error (error);
}

static void
on_done (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_round_trip (Fixture      *fixture,
                 gconstpointer data)
{
  guint8 sha[TALLY_ITEM_SHA256_LEN];
  g_autoptr (GBytes) item = make_bytes (300000, 1, sha);
  g_autoptr (GBytes) miss = NULL;
  g_autoptr (GBytes) hit = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = tally_item_cache_get_path (fixture->cache, sha);
  g_autofree char *hex = tally_item_sha256_to_hex (sha);
  g_autofree char *name = g_strconcat (hex, ".bin", NULL);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *sub = g_path_get_dirname (path);
  g_autofree char *sub_base = g_path_get_basename (sub);

  g_assert_cmpstr (base, ==, name);
  g_assert_cmpint (strncmp (sub_base, hex, 2), ==, 0);
  g_assert_cmpuint (strlen (sub_base), ==, 2);

  miss = lookup (fixture, sha, 300000);
  g_assert_null (miss);

  tally_item_cache_store_async (fixture->cache, sha, item, NULL, on_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (tally_item_cache_store_finish (fixture->cache, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (count_files (fixture->dir), ==, 1); /* no temporary file left */

  tally_item_cache_lookup_async (fixture->cache, sha, 300000, NULL, on_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  hit = tally_item_cache_lookup_finish (fixture->cache, result, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (hit, item));
  g_assert_cmpuint (tally_item_cache_get_total_size (fixture->cache), ==, 300000);
}

static void
test_wrong_hash_refused (Fixture      *fixture,
                         gconstpointer data)
{
  guint8 sha[TALLY_ITEM_SHA256_LEN];
  guint8 other[TALLY_ITEM_SHA256_LEN];
  g_autoptr (GBytes) item = make_bytes (1000, 2, sha);
  g_autoptr (GBytes) wrong = make_bytes (1000, 3, other);
  g_autoptr (GError) error = NULL;
  g_autofree char *hex = tally_item_sha256_to_hex (sha);

  g_assert_false (tally_item_cache_store_sync (fixture->cache, sha, wrong, NULL, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_HASH_MISMATCH);
  g_assert_nonnull (strstr (error->message, hex));
  g_assert_cmpuint (count_files (fixture->dir), ==, 0);
}

static void
test_cancelled_store (Fixture      *fixture,
                      gconstpointer data)
{
  guint8 sha[TALLY_ITEM_SHA256_LEN];
  g_autoptr (GBytes) item = make_bytes (4 * 1024 * 1024, 4, sha);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (tally_item_cache_store_sync (fixture->cache, sha, item, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (count_files (fixture->dir), ==, 0);
}

static void
test_damaged (Fixture      *fixture,
              gconstpointer data)
{
  guint8 sha[TALLY_ITEM_SHA256_LEN];
  g_autoptr (GBytes) item = make_bytes (8192, 5, sha);
  g_autofree char *path = tally_item_cache_get_path (fixture->cache, sha);
  g_autofree char *contents = NULL;
  gsize            len;
  GBytes          *bytes;

  store (fixture, sha, item);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  contents[0] ^= 0x80;
  g_assert_true (g_file_set_contents (path, contents, len, NULL));
  g_assert_null (lookup (fixture, sha, 8192));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (tally_item_cache_get_total_size (fixture->cache), ==, 0);

  /* Truncated. */
  store (fixture, sha, item);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (item, NULL), 8000, NULL));
  g_assert_null (lookup (fixture, sha, 8192));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  store (fixture, sha, item);
  bytes = lookup (fixture, sha, 8192);
  g_assert_true (g_bytes_equal (bytes, item));
  g_bytes_unref (bytes);
}

static void
test_eviction (Fixture      *fixture,
               gconstpointer data)
{
  guint8 a_sha[TALLY_ITEM_SHA256_LEN], b_sha[TALLY_ITEM_SHA256_LEN], c_sha[TALLY_ITEM_SHA256_LEN];
  g_autoptr (GBytes) a = make_bytes (10000, 6, a_sha);
  g_autoptr (GBytes) b = make_bytes (10000, 7, b_sha);
  g_autoptr (GBytes) c = make_bytes (10000, 8, c_sha);
  g_autofree char *a_path = tally_item_cache_get_path (fixture->cache, a_sha);
  g_autofree char *b_path = tally_item_cache_get_path (fixture->cache, b_sha);
  g_autofree char *c_path = tally_item_cache_get_path (fixture->cache, c_sha);
  GBytes          *hit;

  tally_item_cache_set_max_size (fixture->cache, 25000);
  g_assert_cmpuint (tally_item_cache_get_max_size (fixture->cache), ==, 25000);
  store (fixture, a_sha, a);
  g_usleep (20000); /* mtimes a clock tick apart */
  store (fixture, b_sha, b);
  g_usleep (20000);
  /* A is used again, so B is now the least recently used. */
  hit = lookup (fixture, a_sha, 10000);
  g_assert_nonnull (hit);
  g_bytes_unref (hit);
  g_usleep (20000);
  store (fixture, c_sha, c);

  g_assert_true (g_file_test (a_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (b_path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (c_path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (tally_item_cache_get_total_size (fixture->cache), ==, 20000);

  /* A new cache on the folder reads the same index back, and evicts by it. */
  wait_for_last_ref (fixture->cache);
  g_assert_finalize_object (fixture->cache);
  fixture->cache = tally_item_cache_new (fixture->dir, 15000);
  g_usleep (20000);
  store (fixture, b_sha, b);
  g_assert_false (g_file_test (a_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (c_path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (b_path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (tally_item_cache_get_total_size (fixture->cache), ==, 10000);

  /* An item over the whole budget stays alone rather than not at all. */
  tally_item_cache_set_max_size (fixture->cache, 5000);
  store (fixture, a_sha, a);
  g_assert_true (g_file_test (a_path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_files (fixture->dir), ==, 1);
}

/* A temporary file nobody holds a lock on is a dead writer's, however
 * fresh (a process killed mid-write, restarted at once); one a writer
 * holds is left alone. */
static void
test_stale_temp_files (Fixture      *fixture,
                       gconstpointer data)
{
  guint8 sha[TALLY_ITEM_SHA256_LEN];
  g_autoptr (GBytes) item = make_bytes (100, 9, sha);
  g_autoptr (TallyItemCache) again = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dead = g_build_filename (fixture->dir, ".tmp-item-old123", NULL);
  g_autofree char *live = g_build_filename (fixture->dir, ".tmp-item-new456", NULL);
  int              fd;

  g_assert_cmpint (g_mkdir_with_parents (fixture->dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (dead, "half", 4, NULL));
  g_assert_true (g_file_set_contents (live, "half", 4, NULL));
  fd = g_open (live, O_RDWR | O_CLOEXEC, 0);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (flock (fd, LOCK_EX), ==, 0);

  g_assert_null (lookup (fixture, sha, 100));
  g_assert_false (g_file_test (dead, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (live, G_FILE_TEST_EXISTS));

  /* The writer is gone: the next cache to load the folder cleans up. */
  g_assert_cmpint (close (fd), ==, 0);
  again = tally_item_cache_new (fixture->dir, 0);
  g_assert_null (tally_item_cache_lookup_sync (again, sha, 100, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (live, G_FILE_TEST_EXISTS));
}

/* The caller's check replaces the second SHA-256: it sees exactly the
 * stored bytes, a refusal deletes the entry like damage does, and its
 * verdict is all that counts. */
typedef struct
{
  GBytes  *expected;
  gboolean verdict;
  guint    calls;
} Check;

static gboolean
check_bytes (GBytes  *bytes,
             gpointer check_data)
{
  Check *check = check_data;

  check->calls++;
  g_assert_true (g_bytes_equal (bytes, check->expected));
  return check->verdict;
}

static void
test_checked_lookup (Fixture      *fixture,
                     gconstpointer data)
{
  guint8 sha[TALLY_ITEM_SHA256_LEN];
  g_autoptr (GBytes) item = make_bytes (20000, 12, sha);
  g_autofree char *path = tally_item_cache_get_path (fixture->cache, sha);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) hit = NULL;
  Check   check = { item, TRUE, 0 };
  GBytes *bytes;

  /* A miss never calls the check. */
  bytes = tally_item_cache_lookup_checked_sync (fixture->cache, sha, 20000, check_bytes, &check,
                                                NULL, &error);
  g_assert_no_error (error);
  g_assert_null (bytes);
  g_assert_cmpuint (check.calls, ==, 0);

  store (fixture, sha, item);
  hit = tally_item_cache_lookup_checked_sync (fixture->cache, sha, 20000, check_bytes, &check,
                                              NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (hit, item));
  g_assert_cmpuint (check.calls, ==, 1);

  /* A size that is not the entry's is damage before any check. */
  bytes = tally_item_cache_lookup_checked_sync (fixture->cache, sha, 20001, check_bytes, &check,
                                                NULL, &error);
  g_assert_no_error (error);
  g_assert_null (bytes);
  g_assert_cmpuint (check.calls, ==, 1);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  store (fixture, sha, item);
  check.verdict = FALSE;
  bytes = tally_item_cache_lookup_checked_sync (fixture->cache, sha, 20000, check_bytes, &check,
                                                NULL, &error);
  g_assert_no_error (error);
  g_assert_null (bytes);
  g_assert_cmpuint (check.calls, ==, 2);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (tally_item_cache_get_total_size (fixture->cache), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/core/item-cache/round-trip", test_round_trip);
  ADD ("/core/item-cache/wrong-hash-refused", test_wrong_hash_refused);
  ADD ("/core/item-cache/cancelled-store", test_cancelled_store);
  ADD ("/core/item-cache/damaged", test_damaged);
  ADD ("/core/item-cache/eviction", test_eviction);
  ADD ("/core/item-cache/stale-temp-files", test_stale_temp_files);
  ADD ("/core/item-cache/checked-lookup", test_checked_lookup);
#undef ADD

  return g_test_run ();
}
