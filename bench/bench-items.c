/* bench-items.c: how fast task items are fetched, verified and cached
 *
 * Prints figures, passes or fails nothing. Makes 1,000 items of random bytes
 * (64 KiB to 448 KiB, about 256 MB in all) as files, serves them from an
 * in-process HTTP server on 127.0.0.1, and fetches every one through
 * TallyItemFetcher into an empty cache (download, SHA-256 while streaming,
 * write, fsync, rename), then once more from the cache (read and SHA-256
 * again). The same batch as a private dataset: every item sealed with a
 * task key (AES-256-GCM, app/item-cipher.h) and opened through
 * TallyItemOpener, as the annotator's view does: fetched, verified and
 * cached as ciphertext into an empty cache and decrypted in memory, then
 * again from the cache (read and decrypted, the tag its check) — beside
 * the clear figures (the target: within 15 %).
 * Best of three alternating rounds each; last, coreutils `sha256sum` over
 * the clear files as a yardstick.
 * Everything sits in a temporary folder, removed at the end.
 *
 *   bench-items [N_ITEMS]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <nettle/sha2.h>

#include "item-cache.h"
#include "item-cipher.h"
#include "item-fetcher.h"
#include "item-opener.h"

#define MIN_SIZE (64 * 1024)
#define MAX_SIZE (448 * 1024)
#define MB       1e6
#define ROUNDS   3

typedef struct
{
  char   *id;
  char   *path;
  char   *uri;
  guint8  sha256[TALLY_ITEM_SHA256_LEN];
  guint64 size;
} Item;

typedef struct
{
  guint            pending;
  guint            failed;
  guint64          bytes;  /* of plaintext handed on */
  TallyItemOpener *opener; /* NULL: items in the clear */
} Run;

static double
now_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64*: random enough for incompressible test data, and fast. */
static void
fill_random (guint8  *data,
             gsize    len,
             guint64 *state)
{
  for (gsize i = 0; i < len; i += 8)
    {
      guint64 x = *state;

      x ^= x >> 12;
      x ^= x << 25;
      x ^= x >> 27;
      *state = x;
      x *= 0x2545F4914F6CDD1DULL;
      memcpy (data + i, &x, MIN (8, len - i));
    }
}

static void
serve_file (SoupServer        *server,
            SoupServerMessage *message,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  const char      *dir = user_data;
  g_autofree char *file = g_build_filename (dir, path, NULL);
  g_autoptr (GMappedFile) mapped = NULL;
  g_autoptr (GBytes) bytes = NULL;

  if (strstr (path, "..") != NULL || (mapped = g_mapped_file_new (file, FALSE, NULL)) == NULL)
    {
      soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  bytes = g_mapped_file_get_bytes (mapped);
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (soup_server_message_get_response_headers (message),
                                         "application/octet-stream", NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (message), bytes);
}

static void
count (Run    *run,
       GBytes *bytes,
       GError *error)
{
  if (bytes == NULL)
    {
      g_printerr ("bench-items: %s\n", error->message);
      run->failed++;
    }
  else
    run->bytes += g_bytes_get_size (bytes);
  run->pending--;
}

static void
on_opened (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) plaintext = tally_item_opener_open_finish (TALLY_ITEM_OPENER (object),
                                                                result, &error);

  count (user_data, plaintext, error);
}

static void
on_fetched (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = tally_item_fetcher_fetch_finish (TALLY_ITEM_FETCHER (object),
                                                              result, &error);

  count (user_data, bytes, error);
}

static double
fetch_all (TallyItemFetcher *fetcher,
           const Item       *items,
           guint             n_items,
           Run              *run)
{
  double start = now_seconds ();

  run->pending = n_items;
  for (guint i = 0; i < n_items; i++)
    {
      /* What the annotator's view would get: the plaintext, in memory
       * only, decrypted in a worker thread as the app does. */
      if (run->opener != NULL)
        tally_item_opener_open_async (run->opener, items[i].id, items[i].uri, items[i].sha256,
                                      items[i].size, G_PRIORITY_DEFAULT, NULL, on_opened, run);
      else
        tally_item_fetcher_fetch_async (fetcher, items[i].uri, items[i].sha256, items[i].size,
                                        G_PRIORITY_DEFAULT, NULL, on_fetched, run);
    }
  while (run->pending > 0)
    g_main_context_iteration (NULL, TRUE);
  return now_seconds () - start;
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

/* The same items sealed with a fresh task key as <name>.enc beside the
 * clear ones; the manifest's hash and size of a private item are the
 * sealed file's. */
static gboolean
seal_items (const Item  *items,
            Item        *sealed_items,
            guint        n_items,
            const guint8 key[TALLY_TASK_KEY_LEN],
            int          port,
            GError     **error)
{
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr (GMappedFile) mapped = g_mapped_file_new (items[i].path, FALSE, error);
      g_autoptr (GBytes) clear = NULL;
      g_autoptr (GBytes) sealed = NULL;
      g_autofree char  *base = g_path_get_basename (items[i].path);
      struct sha256_ctx ctx;
      gsize             len;
      const guint8     *data;

      if (mapped == NULL)
        return FALSE;
      clear = g_mapped_file_get_bytes (mapped);
      if ((sealed = tally_item_cipher_seal (key, items[i].id, clear, error)) == NULL)
        return FALSE;
      data = g_bytes_get_data (sealed, &len);
      sealed_items[i].id = g_strdup (items[i].id);
      sealed_items[i].path = g_strconcat (items[i].path, ".enc", NULL);
      sealed_items[i].uri = g_strdup_printf ("http://127.0.0.1:%d/%s.enc", port, base);
      sealed_items[i].size = len;
      sha256_init (&ctx);
      sha256_update (&ctx, len, data);
      sha256_digest (&ctx, TALLY_ITEM_SHA256_LEN, sealed_items[i].sha256);
      if (!g_file_set_contents (sealed_items[i].path, (const char *) data, len, error))
        return FALSE;
    }
  return TRUE;
}

/* One pass: into an empty cache, then again from it; the best time of
 * each over the rounds is kept. The cache is removed after. */
static void
measure (const Item   *items,
         guint         n_items,
         const char   *cache_dir,
         const guint8 *task_key,
         guint64       total,
         double       *best_fresh,
         double       *best_cached,
         guint        *failed)
{
  g_autoptr (TallyItemCache) cache = tally_item_cache_new (cache_dir, 0);
  g_autoptr (TallyItemFetcher) fetcher = tally_item_fetcher_new (cache);
  g_autoptr (TallyItemOpener) opener = task_key ? tally_item_opener_new (fetcher, task_key) : NULL;
  Run    fresh = { .opener = opener }, cached = { .opener = opener };
  double t;

  t = fetch_all (fetcher, items, n_items, &fresh);
  *best_fresh = MIN (*best_fresh, t);
  t = fetch_all (fetcher, items, n_items, &cached);
  *best_cached = MIN (*best_cached, t);
  *failed += fresh.failed + cached.failed + (fresh.bytes != total) + (cached.bytes != total);
  g_clear_object (&opener);
  g_clear_object (&fetcher);
  g_clear_object (&cache);
  remove_tree (cache_dir);
}

static void
print_rate (const char *what,
            guint       n_items,
            guint64     total,
            double      seconds,
            double      clear_seconds)
{
  printf ("%-44s %6.0f items/s %7.1f MB/s  (%.2f s", what, n_items / seconds, total / MB / seconds,
          seconds);
  if (clear_seconds > 0)
    printf (", %+.0f %% of the time in the clear", 100.0 * (seconds - clear_seconds) / clear_seconds);
  printf (")\n");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autofree char   *root = g_dir_make_tmp ("tally-bench-items-XXXXXX", &error);
  g_autofree char   *src = NULL;
  g_autofree char   *cache_dir = NULL;
  g_autofree guint8 *buffer = g_malloc (MAX_SIZE);
  g_autoptr (SoupServer) server = NULL;
  g_autoptr (GPtrArray) argv_sum = g_ptr_array_new ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261125);
  guint64 state = 0x9E3779B97F4A7C15ULL;
  guint64 total = 0;
  guint   n_items = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 1000;
  Item   *items, *sealed_items;
  GSList *uris;
  guint8  key[TALLY_TASK_KEY_LEN];
  guint   failed = 0;
  double  t_fetch = G_MAXDOUBLE, t_cached = G_MAXDOUBLE;
  double  t_private = G_MAXDOUBLE, t_private_cached = G_MAXDOUBLE;
  double  start;
  int     port, status = 0;

  if (root == NULL || n_items == 0)
    {
      g_printerr ("bench-items: %s\n", error ? error->message : "usage: bench-items [N_ITEMS]");
      return 1;
    }
  src = g_build_filename (root, "src", NULL);
  cache_dir = g_build_filename (root, "cache", NULL);
  g_mkdir (src, 0700);

  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, NULL, serve_file, src, NULL);
  if (!soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      g_printerr ("bench-items: %s\n", error->message);
      return 1;
    }
  uris = soup_server_get_uris (server);
  port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  start = now_seconds ();
  items = g_new0 (Item, n_items);
  g_ptr_array_add (argv_sum, (char *) "sha256sum");
  for (guint i = 0; i < n_items; i++)
    {
      g_autofree char  *name = g_strdup_printf ("%04u.bin", i);
      struct sha256_ctx ctx;

      items[i].id = g_strdup_printf ("item-%04u", i);
      items[i].size = g_rand_int_range (rand, MIN_SIZE / 4096, MAX_SIZE / 4096 + 1) * 4096;
      fill_random (buffer, items[i].size, &state);
      sha256_init (&ctx);
      sha256_update (&ctx, items[i].size, buffer);
      sha256_digest (&ctx, TALLY_ITEM_SHA256_LEN, items[i].sha256);
      items[i].path = g_build_filename (src, name, NULL);
      items[i].uri = g_strdup_printf ("http://127.0.0.1:%d/%s", port, name);
      if (!g_file_set_contents (items[i].path, (const char *) buffer, items[i].size, &error))
        {
          g_printerr ("bench-items: %s\n", error->message);
          return 1;
        }
      g_ptr_array_add (argv_sum, items[i].path);
      total += items[i].size;
    }
  g_ptr_array_add (argv_sum, NULL);

  printf ("%u items, %.1f MB (%d KiB to %d KiB), written in %.2f s to %s\n", n_items, total / MB,
          MIN_SIZE / 1024, MAX_SIZE / 1024, now_seconds () - start, root);
  start = now_seconds ();
  for (guint i = 0; i < TALLY_TASK_KEY_LEN; i++)
    key[i] = (guint8) g_random_int ();
  sealed_items = g_new0 (Item, n_items);
  if (!seal_items (items, sealed_items, n_items, key, port, &error))
    {
      g_printerr ("bench-items: %s\n", error->message);
      return 1;
    }
  printf ("the same items sealed with a task key (AES-256-GCM) in %.2f s\n", now_seconds () - start);

  /* Clear and private rounds alternate, so a machine busy for a while
   * weighs on both alike. */
  for (guint round = 0; round < ROUNDS; round++)
    {
      measure (items, n_items, cache_dir, NULL, total, &t_fetch, &t_cached, &failed);
      measure (sealed_items, n_items, cache_dir, key, total, &t_private, &t_private_cached,
               &failed);
    }
  printf ("best of %u rounds (the fetcher's default concurrency):\n", ROUNDS);
  print_rate ("clear: fetch + verify + cache (HTTP)", n_items, total, t_fetch, 0);
  print_rate ("private: fetch + verify + cache + decrypt", n_items, total, t_private, t_fetch);
  print_rate ("clear: from the cache (read + verify)", n_items, total, t_cached, 0);
  print_rate ("private: from the cache (read + decrypt, tag)", n_items, total, t_private_cached, t_cached);

  start = now_seconds ();
  if (!g_spawn_sync (NULL, (char **) argv_sum->pdata, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                     &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("bench-items: sha256sum: %s\n", error->message);
      return 1;
    }
  print_rate ("sha256sum over the clear files", n_items, total, now_seconds () - start, 0);
  if (failed > 0)
    g_printerr ("bench-items: %u items or runs failed\n", failed);
  memset (key, 0, sizeof key);

  soup_server_disconnect (server);
  for (guint i = 0; i < n_items; i++)
    {
      g_free (items[i].id);
      g_free (items[i].path);
      g_free (items[i].uri);
      g_free (sealed_items[i].id);
      g_free (sealed_items[i].path);
      g_free (sealed_items[i].uri);
    }
  g_free (items);
  g_free (sealed_items);
  remove_tree (root);
  return failed > 0 ? 1 : 0;
}
