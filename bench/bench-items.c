/* bench-items.c: how fast task items are fetched, verified and cached
 *
 * Prints figures, passes or fails nothing. Makes 1,000 items of random bytes
 * (64 KiB to 448 KiB, about 256 MB in all) as files, serves them from an
 * in-process HTTP server on 127.0.0.1, and fetches every one through
 * TallyItemFetcher into an empty cache (download, SHA-256 while streaming,
 * write, fsync, rename), then once more from the cache (read and SHA-256
 * again), and last runs coreutils `sha256sum` over the same files as a
 * yardstick. Everything sits in a temporary folder, removed at the end.
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
#include "item-fetcher.h"

#define MIN_SIZE (64 * 1024)
#define MAX_SIZE (448 * 1024)
#define MB       1e6

typedef struct
{
  char   *path;
  char   *uri;
  guint8  sha256[TALLY_ITEM_SHA256_LEN];
  guint64 size;
} Item;

typedef struct
{
  guint   pending;
  guint   failed;
  guint64 bytes;
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
on_fetched (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = tally_item_fetcher_fetch_finish (TALLY_ITEM_FETCHER (object),
                                                              result, &error);

  if (bytes == NULL)
    {
      g_printerr ("bench-items: %s\n", error->message);
      run->failed++;
    }
  else
    run->bytes += g_bytes_get_size (bytes);
  run->pending--;
}

static double
fetch_all (TallyItemFetcher *fetcher,
           Item             *items,
           guint             n_items,
           Run              *run)
{
  double start = now_seconds ();

  run->pending = n_items;
  for (guint i = 0; i < n_items; i++)
    tally_item_fetcher_fetch_async (fetcher, items[i].uri, items[i].sha256, items[i].size,
                                    G_PRIORITY_DEFAULT, NULL, on_fetched, run);
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
  g_autoptr (TallyItemCache) cache = NULL;
  g_autoptr (TallyItemFetcher) fetcher = NULL;
  g_autoptr (GPtrArray) argv_sum = g_ptr_array_new ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261125);
  guint64 state = 0x9E3779B97F4A7C15ULL;
  guint64 total = 0;
  guint   n_items = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 1000;
  Item   *items;
  GSList *uris;
  Run     first = { 0 }, again = { 0 };
  double  t_fetch, t_cached, t_sum, start;
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

  cache = tally_item_cache_new (cache_dir, 0);
  fetcher = tally_item_fetcher_new (cache);

  printf ("%u items, %.1f MB (%d KiB to %d KiB), written in %.2f s to %s\n", n_items, total / MB,
          MIN_SIZE / 1024, MAX_SIZE / 1024, now_seconds () - start, root);

  t_fetch = fetch_all (fetcher, items, n_items, &first);
  printf ("fetch + verify + cache (HTTP, %u at once): %8.0f items/s %8.1f MB/s  (%.2f s)\n",
          tally_item_fetcher_get_max_concurrent (fetcher), n_items / t_fetch,
          first.bytes / MB / t_fetch, t_fetch);

  t_cached = fetch_all (fetcher, items, n_items, &again);
  printf ("again, from the cache (read + verify):    %8.0f items/s %8.1f MB/s  (%.2f s)\n",
          n_items / t_cached, again.bytes / MB / t_cached, t_cached);

  start = now_seconds ();
  if (!g_spawn_sync (NULL, (char **) argv_sum->pdata, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                     &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("bench-items: sha256sum: %s\n", error->message);
      return 1;
    }
  t_sum = now_seconds () - start;
  printf ("sha256sum over the same files:            %8.0f items/s %8.1f MB/s  (%.2f s)\n",
          n_items / t_sum, total / MB / t_sum, t_sum);

  if (first.failed > 0 || again.failed > 0 || first.bytes != total || again.bytes != total)
    g_printerr ("bench-items: %u + %u items failed\n", first.failed, again.failed);

  g_clear_object (&fetcher);
  g_clear_object (&cache);
  soup_server_disconnect (server);
  for (guint i = 0; i < n_items; i++)
    {
      g_free (items[i].path);
      g_free (items[i].uri);
    }
  g_free (items);
  remove_tree (root);
  return first.failed + again.failed > 0 ? 1 : 0;
}
