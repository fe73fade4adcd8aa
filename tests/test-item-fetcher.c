/* test-item-fetcher.c: fetching, verifying and caching task items against a
 * real in-process HTTP server on 127.0.0.1 and real files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "core-error.h"
#include "item-cache.h"
#include "item-fetcher.h"
#include "tally-test-util.h"

#define BIG_BODY (32 * 1024 * 1024)

typedef enum
{
  SERVE_PLAIN,
  SERVE_CHUNKED,
  SERVE_REDIRECT,
} ServeMode;

typedef struct
{
  GBytes     *body;
  ServeMode   mode;
  const char *location;    /* SERVE_REDIRECT */
  guint       fail_status; /* answered first, fail_count times */
  guint       fail_count;
  guint       delay_ms; /* the answer is held back this long */
} Served;

typedef struct
{
  SoupServer *server;
  char       *base;   /* http://127.0.0.1:PORT */
  GHashTable *served; /* path → Served */

  /* what the server saw */
  guint      n_requests;
  GPtrArray *order; /* paths, in arrival order */
  guint      in_flight;
  guint      max_in_flight;
  guint      n_finished;
  guint64    bytes_written;
  GPtrArray *delayed; /* answers held back */

  char             *cache_dir;
  TallyItemCache   *cache;
  TallyItemFetcher *fetcher;
} Fixture;

typedef struct
{
  char   *uri;
  GBytes *data;
  guint8  sha256[TALLY_ITEM_SHA256_LEN];
} Item;

static void
item_free (Item *item)
{
  g_free (item->uri);
  g_bytes_unref (item->data);
  g_free (item);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Item, item_free)

static void
served_free (Served *served)
{
  g_clear_pointer (&served->body, g_bytes_unref);
  g_free (served);
}

static GBytes *
random_bytes (gsize   len,
              guint32 seed)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  guint8 *data = g_malloc (MAX (len, 1));

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) g_rand_int (rand);
  return g_bytes_new_take (data, len);
}

/* ---- the server ------------------------------------------------------------------ */

static void
on_finished (SoupServerMessage *message,
             gpointer           user_data)
{
  Fixture *fixture = user_data;

  if (g_object_get_data (G_OBJECT (message), "counted") != NULL)
    fixture->in_flight--;
  fixture->n_finished++;
}

static void
on_wrote_body_data (SoupServerMessage *message,
                    guint              chunk_size,
                    gpointer           user_data)
{
  Fixture *fixture = user_data;

  fixture->bytes_written += chunk_size;
}

static void
respond (SoupServerMessage *message,
         Served            *served)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (message);
  gsize               len;
  const char         *data = g_bytes_get_data (served->body, &len);

  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  if (served->mode == SERVE_CHUNKED)
    {
      SoupMessageBody *body = soup_server_message_get_response_body (message);

      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      for (gsize at = 0; at < len; at += 65536)
        soup_message_body_append (body, SOUP_MEMORY_COPY, data + at, MIN (65536, len - at));
      soup_message_body_complete (body);
      return;
    }
  soup_server_message_set_response (message, "application/octet-stream", SOUP_MEMORY_COPY, data,
                                    len);
}

typedef struct
{
  Fixture           *fixture;
  SoupServerMessage *message;
  Served            *served;
  guint              source_id;
} Delayed;

static void
delayed_free (Delayed *delayed)
{
  g_object_unref (delayed->message);
  g_free (delayed);
}

static gboolean
on_delay_over (gpointer user_data)
{
  Delayed *delayed = user_data;

  respond (delayed->message, delayed->served);
  soup_server_message_unpause (delayed->message);
  g_ptr_array_remove (delayed->fixture->delayed, delayed);
  return G_SOURCE_REMOVE;
}

static void
handle (SoupServer        *server,
        SoupServerMessage *message,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  Fixture *fixture = user_data;
  Served  *served = g_hash_table_lookup (fixture->served, path);

  fixture->n_requests++;
  g_ptr_array_add (fixture->order, g_strdup (path));
  g_signal_connect (message, "finished", G_CALLBACK (on_finished), fixture);
  g_signal_connect (message, "wrote-body-data", G_CALLBACK (on_wrote_body_data), fixture);

  if (served == NULL)
    {
      soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  if (served->fail_count > 0)
    {
      served->fail_count--;
      soup_server_message_set_status (message, served->fail_status, NULL);
      return;
    }
  if (served->mode == SERVE_REDIRECT)
    {
      soup_server_message_set_redirect (message, SOUP_STATUS_FOUND, served->location);
      return;
    }
  if (served->delay_ms > 0)
    {
      Delayed *delayed = g_new0 (Delayed, 1);

      g_object_set_data (G_OBJECT (message), "counted", GINT_TO_POINTER (1));
      fixture->in_flight++;
      fixture->max_in_flight = MAX (fixture->max_in_flight, fixture->in_flight);
      delayed->fixture = fixture;
      delayed->message = g_object_ref (message);
      delayed->served = served;
      soup_server_message_pause (message);
      delayed->source_id = g_timeout_add (served->delay_ms, on_delay_over, delayed);
      g_ptr_array_add (fixture->delayed, delayed);
      return;
    }
  respond (message, served);
}

static Served *
serve (Fixture    *fixture,
       const char *path,
       GBytes     *body)
{
  Served *served = g_new0 (Served, 1);

  served->body = g_bytes_ref (body);
  g_hash_table_replace (fixture->served, g_strdup (path), served);
  return served;
}

/* An item of `size` random bytes served at `path`, with its true hash. */
static Item *
make_item (Fixture    *fixture,
           const char *path,
           gsize       size,
           guint32     seed)
{
  Item *item = g_new0 (Item, 1);

  item->data = random_bytes (size, seed);
  tally_test_sha256 (item->data, item->sha256);
  item->uri = g_strconcat (fixture->base, path, NULL);
  serve (fixture, path, item->data);
  return item;
}

static void
fixture_setup (Fixture      *fixture,
               gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  GSList *uris;

  fixture->served = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) served_free);
  fixture->order = g_ptr_array_new_with_free_func (g_free);
  fixture->delayed = g_ptr_array_new_with_free_func ((GDestroyNotify) delayed_free);
  fixture->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fixture->server, NULL, handle, fixture, NULL);
  g_assert_true (soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY,
                                           &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->server);
  fixture->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  fixture->cache_dir = g_dir_make_tmp ("tally-items-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->cache = tally_item_cache_new (fixture->cache_dir, 0);
  fixture->fetcher = tally_item_fetcher_new (fixture->cache);
  tally_item_fetcher_set_retry_delay (fixture->fetcher, 10);
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

/* Regular files anywhere under the cache folder, temporary ones included. */
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
spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
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
  wait_for_last_ref (fixture->fetcher);
  g_assert_finalize_object (fixture->fetcher);
  wait_for_last_ref (fixture->cache);
  g_assert_finalize_object (fixture->cache);
  while (fixture->delayed->len > 0)
    {
      Delayed *delayed = g_ptr_array_index (fixture->delayed, 0);

      g_source_remove (delayed->source_id);
      soup_server_message_set_status (delayed->message, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      soup_server_message_unpause (delayed->message);
      g_ptr_array_remove_index (fixture->delayed, 0);
    }
  spin (50);
  soup_server_disconnect (fixture->server);
  g_clear_object (&fixture->server);
  remove_tree (fixture->cache_dir);
  g_free (fixture->cache_dir);
  g_free (fixture->base);
  g_ptr_array_unref (fixture->order);
  g_ptr_array_unref (fixture->delayed);
  g_hash_table_unref (fixture->served);
}

static void
on_done (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GBytes *
fetch (Fixture      *fixture,
       const char   *uri,
       const guint8 *sha256,
       guint64       size,
       GCancellable *cancellable,
       GError      **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  tally_item_fetcher_fetch_async (fixture->fetcher, uri, sha256, size, G_PRIORITY_DEFAULT,
                                  cancellable, on_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return tally_item_fetcher_fetch_finish (fixture->fetcher, result, error);
}

static void
fetch_ok (Fixture *fixture,
          Item    *item)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = fetch (fixture, item->uri, item->sha256,
                                    g_bytes_get_size (item->data), NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  g_assert_true (g_bytes_equal (bytes, item->data));
}

static void
expect_error (Fixture      *fixture,
              const char   *uri,
              const guint8 *sha256,
              guint64       size,
              gint          code,
              const char   *in_message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = fetch (fixture, uri, sha256, size, NULL, &error);

  g_assert_null (bytes);
  g_assert_error (error, TALLY_CORE_ERROR, code);
  if (in_message != NULL && strstr (error->message, in_message) == NULL)
    g_error ("“%s” is not in “%s”", in_message, error->message);
}

/* ---- tests -------------------------------------------------------------------- */

static void
test_fetch_and_cache (Fixture      *fixture,
                      gconstpointer data)
{
  g_autoptr (Item) item = make_item (fixture, "/items/a.bin", 100 * 1024, 1);
  g_autofree char *path = tally_item_cache_get_path (fixture->cache, item->sha256);
  g_autofree char *hex = tally_item_sha256_to_hex (item->sha256);
  g_autofree char *name = g_strconcat (hex, ".bin", NULL);
  g_autofree char *contents = NULL;
  gsize            len;

  fetch_ok (fixture, item);
  g_assert_cmpuint (fixture->n_requests, ==, 1);
  g_assert_true (g_str_has_suffix (path, name));
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpmem (contents, len, g_bytes_get_data (item->data, NULL),
                   g_bytes_get_size (item->data));
  g_assert_cmpuint (count_files (fixture->cache_dir), ==, 1);

  fetch_ok (fixture, item);
  g_assert_cmpuint (fixture->n_requests, ==, 1);

  /* A new fetcher and cache on the same folder, as after a restart. */
  g_clear_object (&fixture->fetcher);
  g_clear_object (&fixture->cache);
  fixture->cache = tally_item_cache_new (fixture->cache_dir, 0);
  fixture->fetcher = tally_item_fetcher_new (fixture->cache);
  fetch_ok (fixture, item);
  g_assert_cmpuint (fixture->n_requests, ==, 1);
  g_assert_cmpuint (tally_item_cache_get_total_size (fixture->cache), ==, 100 * 1024);
}

static void
test_shared_download (Fixture      *fixture,
                      gconstpointer data)
{
  g_autoptr (Item) item = make_item (fixture, "/items/shared.bin", 4096, 2);
  g_autoptr (GAsyncResult) r1 = NULL;
  g_autoptr (GAsyncResult) r2 = NULL;
  g_autoptr (GBytes) b1 = NULL;
  g_autoptr (GBytes) b2 = NULL;
  g_autoptr (GError) error = NULL;

  tally_item_fetcher_fetch_async (fixture->fetcher, item->uri, item->sha256, 4096, G_PRIORITY_LOW,
                                  NULL, on_done, &r1);
  tally_item_fetcher_fetch_async (fixture->fetcher, item->uri, item->sha256, 4096,
                                  G_PRIORITY_DEFAULT, NULL, on_done, &r2);
  while (r1 == NULL || r2 == NULL)
    g_main_context_iteration (NULL, TRUE);
  b1 = tally_item_fetcher_fetch_finish (fixture->fetcher, r1, &error);
  g_assert_no_error (error);
  b2 = tally_item_fetcher_fetch_finish (fixture->fetcher, r2, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (b1, item->data));
  g_assert_true (g_bytes_equal (b2, item->data));
  g_assert_cmpuint (fixture->n_requests, ==, 1);
}

static void
test_hash_mismatch (Fixture      *fixture,
                    gconstpointer data)
{
  g_autoptr (Item) item = make_item (fixture, "/items/a.bin", 5000, 3);
  g_autoptr (GBytes) other = random_bytes (5000, 4);
  g_autofree char *expected = tally_item_sha256_to_hex (item->sha256);
  g_autofree char *actual = NULL;
  guint8           other_sha[TALLY_ITEM_SHA256_LEN];

  /* The server sends other bytes of the same length. */
  tally_test_sha256 (other, other_sha);
  actual = tally_item_sha256_to_hex (other_sha);
  serve (fixture, "/items/a.bin", other);

  expect_error (fixture, item->uri, item->sha256, 5000, TALLY_CORE_ERROR_HASH_MISMATCH, expected);
  expect_error (fixture, item->uri, item->sha256, 5000, TALLY_CORE_ERROR_HASH_MISMATCH, actual);
  expect_error (fixture, item->uri, item->sha256, 5000, TALLY_CORE_ERROR_HASH_MISMATCH, item->uri);
  g_assert_cmpuint (fixture->n_requests, ==, 3); /* never retried */
  g_assert_cmpuint (count_files (fixture->cache_dir), ==, 0);

  /* A body shorter than the manifest says is no better. */
  expect_error (fixture, item->uri, item->sha256, 6000, TALLY_CORE_ERROR_HASH_MISMATCH,
                "5000 bytes");
  g_assert_cmpuint (count_files (fixture->cache_dir), ==, 0);
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
  g_autoptr (GBytes) big = random_bytes (BIG_BODY, 5);
  g_autoptr (GBytes) small = g_bytes_new_from_bytes (big, 0, 1000);
  g_autofree char *uri = g_strconcat (fixture->base, "/big.bin", NULL);
  guint8           sha[TALLY_ITEM_SHA256_LEN];

  tally_test_sha256 (small, sha);
  serve (fixture, "/big.bin", big);
  expect_error (fixture, uri, sha, 1000, TALLY_CORE_ERROR_TOO_LARGE, "announced 33554432 bytes");
  wait_finished (fixture, 1);
  /* The connection was dropped unread: the server could not send it all. */
  g_assert_cmpuint (fixture->bytes_written, <, BIG_BODY / 2);
  g_assert_cmpuint (fixture->n_requests, ==, 1);
  g_assert_cmpuint (count_files (fixture->cache_dir), ==, 0);

  /* Over the fetcher's own cap: refused before any request. */
  tally_item_fetcher_set_max_item_size (fixture->fetcher, 999);
  expect_error (fixture, uri, sha, 1000, TALLY_CORE_ERROR_TOO_LARGE, "more than the 999 allowed");
  g_assert_cmpuint (fixture->n_requests, ==, 1);
}

static void
test_too_large_chunked (Fixture      *fixture,
                        gconstpointer data)
{
  g_autoptr (GBytes) big = random_bytes (BIG_BODY, 6);
  g_autoptr (GBytes) small = g_bytes_new_from_bytes (big, 0, 1000);
  g_autofree char *uri = g_strconcat (fixture->base, "/chunked.bin", NULL);
  guint8           sha[TALLY_ITEM_SHA256_LEN];

  tally_test_sha256 (small, sha);
  serve (fixture, "/chunked.bin", big)->mode = SERVE_CHUNKED;
  expect_error (fixture, uri, sha, 1000, TALLY_CORE_ERROR_TOO_LARGE, "stopped reading");
  wait_finished (fixture, 1);
  g_assert_cmpuint (fixture->bytes_written, <, BIG_BODY / 2);
  g_assert_cmpuint (count_files (fixture->cache_dir), ==, 0);
}

static void
test_not_found (Fixture      *fixture,
                gconstpointer data)
{
  g_autofree char *uri = g_strconcat (fixture->base, "/missing.bin", NULL);
  guint8           sha[TALLY_ITEM_SHA256_LEN] = { 0 };

  expect_error (fixture, uri, sha, 10, TALLY_CORE_ERROR_NOT_FOUND, "/missing.bin");
  g_assert_cmpuint (fixture->n_requests, ==, 1);
}

static void
test_retry (Fixture      *fixture,
            gconstpointer data)
{
  g_autoptr (Item) item = make_item (fixture, "/flaky.bin", 3000, 7);
  g_autoptr (Item) busy = make_item (fixture, "/busy.bin", 3000, 8);
  g_autoptr (Item) down = make_item (fixture, "/down.bin", 3000, 9);
  Served *served = g_hash_table_lookup (fixture->served, "/flaky.bin");

  served->fail_status = SOUP_STATUS_INTERNAL_SERVER_ERROR;
  served->fail_count = 1;
  fetch_ok (fixture, item);
  g_assert_cmpuint (fixture->n_requests, ==, 2);

  served = g_hash_table_lookup (fixture->served, "/busy.bin");
  served->fail_status = 429;
  served->fail_count = 2;
  fetch_ok (fixture, busy);
  g_assert_cmpuint (fixture->n_requests, ==, 5);

  /* Bounded: max-attempts requests, then the last error. */
  tally_item_fetcher_set_max_attempts (fixture->fetcher, 3);
  served = g_hash_table_lookup (fixture->served, "/down.bin");
  served->fail_status = SOUP_STATUS_SERVICE_UNAVAILABLE;
  served->fail_count = 100;
  expect_error (fixture, down->uri, down->sha256, 3000, TALLY_CORE_ERROR_HTTP, "After 3 attempts");
  g_assert_cmpuint (fixture->n_requests, ==, 8);
  g_assert_cmpuint (count_files (fixture->cache_dir), ==, 2);
}

static void
test_timeout (Fixture      *fixture,
              gconstpointer data)
{
  g_autoptr (Item) item = make_item (fixture, "/silent.bin", 100, 15);
  gint64 started = g_get_monotonic_time ();

  ((Served *) g_hash_table_lookup (fixture->served, "/silent.bin"))->delay_ms = 10000;
  tally_item_fetcher_set_timeout (fixture->fetcher, 1);
  tally_item_fetcher_set_max_attempts (fixture->fetcher, 1);
  expect_error (fixture, item->uri, item->sha256, 100, TALLY_CORE_ERROR_TIMED_OUT, item->uri);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (fixture->n_requests, ==, 1);
  g_assert_cmpuint (count_files (fixture->cache_dir), ==, 0);
}

static void
test_concurrency (Fixture      *fixture,
                  gconstpointer data)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  g_autoptr (GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);
  GAsyncResult *slots[12] = { NULL };
  gboolean      all;

  tally_item_fetcher_set_max_concurrent (fixture->fetcher, 3);
  for (guint i = 0; i < G_N_ELEMENTS (slots); i++)
    {
      g_autofree char *path = g_strdup_printf ("/c/%u.bin", i);
      Item            *item = make_item (fixture, path, 2048 + i, 100 + i);

      ((Served *) g_hash_table_lookup (fixture->served, path))->delay_ms = 40;
      g_ptr_array_add (items, item);
      tally_item_fetcher_fetch_async (fixture->fetcher, item->uri, item->sha256, 2048 + i,
                                      G_PRIORITY_DEFAULT, NULL, on_done, &slots[i]);
    }
  do
    {
      g_main_context_iteration (NULL, TRUE);
      all = TRUE;
      for (guint i = 0; i < G_N_ELEMENTS (slots); i++)
        all = all && slots[i] != NULL;
    }
  while (!all);

  for (guint i = 0; i < G_N_ELEMENTS (slots); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) bytes = tally_item_fetcher_fetch_finish (fixture->fetcher, slots[i],
                                                                  &error);
      Item *item = g_ptr_array_index (items, i);

      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (bytes, item->data));
      g_ptr_array_add (results, slots[i]);
    }
  g_assert_cmpuint (fixture->n_requests, ==, 12);
  g_assert_cmpuint (fixture->max_in_flight, ==, 3);
}

static void
test_priority (Fixture      *fixture,
               gconstpointer data)
{
  TallyItemSpec specs[6];
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  g_autoptr (Item) now = make_item (fixture, "/now.bin", 1000, 50);
  g_autoptr (GAsyncResult) prefetched = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  guint now_at = G_MAXUINT;

  tally_item_fetcher_set_max_concurrent (fixture->fetcher, 1);
  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      g_autofree char *path = g_strdup_printf ("/p/%u.bin", i);
      Item            *item = make_item (fixture, path, 1000 + i, 200 + i);

      ((Served *) g_hash_table_lookup (fixture->served, path))->delay_ms = 30;
      g_ptr_array_add (items, item);
      specs[i].uri = item->uri;
      memcpy (specs[i].sha256, item->sha256, TALLY_ITEM_SHA256_LEN);
      specs[i].size = 1000 + i;
    }
  tally_item_fetcher_prefetch_async (fixture->fetcher, specs, G_N_ELEMENTS (specs), NULL, on_done,
                                     &prefetched);
  /* Once the first prefetch is being served, the item on screen is asked for. */
  while (fixture->n_requests == 0)
    g_main_context_iteration (NULL, TRUE);
  bytes = fetch (fixture, now->uri, now->sha256, 1000, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (bytes, now->data));
  while (prefetched == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (tally_item_fetcher_prefetch_finish (fixture->fetcher, prefetched, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (fixture->order->len, ==, 7);
  for (guint i = 0; i < fixture->order->len; i++)
    if (g_str_equal (g_ptr_array_index (fixture->order, i), "/now.bin"))
      now_at = i;
  g_assert_cmpuint (now_at, ==, 1); /* right after the one already running */
  for (guint i = 0, p = 0; i < fixture->order->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("/p/%u.bin", p);

      if (i == now_at)
        continue;
      g_assert_cmpstr (g_ptr_array_index (fixture->order, i), ==, path);
      p++;
    }
  g_assert_cmpuint (count_files (fixture->cache_dir), ==, 7);
}

static void
test_prefetch_cancel (Fixture      *fixture,
                      gconstpointer data)
{
  TallyItemSpec specs[5];
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  tally_item_fetcher_set_max_concurrent (fixture->fetcher, 1);
  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      g_autofree char *path = g_strdup_printf ("/pc/%u.bin", i);
      Item            *item = make_item (fixture, path, 500, 300 + i);

      ((Served *) g_hash_table_lookup (fixture->served, path))->delay_ms = 200;
      g_ptr_array_add (items, item);
      specs[i].uri = item->uri;
      memcpy (specs[i].sha256, item->sha256, TALLY_ITEM_SHA256_LEN);
      specs[i].size = 500;
    }
  tally_item_fetcher_prefetch_async (fixture->fetcher, specs, G_N_ELEMENTS (specs), cancellable,
                                     on_done, &result);
  while (fixture->n_requests == 0)
    g_main_context_iteration (NULL, TRUE);
  g_cancellable_cancel (cancellable);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (tally_item_fetcher_prefetch_finish (fixture->fetcher, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  spin (300);
  g_assert_cmpuint (fixture->n_requests, ==, 1);
  g_assert_cmpuint (count_files (fixture->cache_dir), ==, 0);
}

static void
test_ipfs (Fixture      *fixture,
           gconstpointer data)
{
  g_autoptr (Item) item = make_item (fixture, "/ipfs/bafyTestCid42/dir/a.bin", 777, 10);
  g_autofree char *gateway = g_strconcat (fixture->base, "/ipfs", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;

  g_assert_cmpstr (tally_item_fetcher_get_ipfs_gateway (fixture->fetcher), ==,
                   "https://ipfs.io/ipfs/");
  tally_item_fetcher_set_ipfs_gateway (fixture->fetcher, gateway);
  bytes = fetch (fixture, "ipfs://bafyTestCid42/dir/a.bin", item->sha256, 777, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (bytes, item->data));
  g_assert_cmpstr (g_ptr_array_index (fixture->order, 0), ==, "/ipfs/bafyTestCid42/dir/a.bin");

  expect_error (fixture, "ipfs://bafyTestCid42/../../etc/passwd", item->sha256, 777,
                TALLY_CORE_ERROR_INVALID_MANIFEST, "ipfs://CID/path");
  expect_error (fixture, "ipfs:///a.bin", item->sha256, 777, TALLY_CORE_ERROR_INVALID_MANIFEST,
                NULL);
  expect_error (fixture, "ftp://example.org/a.bin", item->sha256, 777,
                TALLY_CORE_ERROR_INVALID_MANIFEST, "ftp://example.org/a.bin");
  g_assert_cmpuint (fixture->n_requests, ==, 1);
}

static void
test_file (Fixture      *fixture,
           gconstpointer data)
{
  g_autoptr (GBytes) content = random_bytes (70000, 11);
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
  bytes = fetch (fixture, uri, sha, 70000, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (bytes, content));
  g_assert_cmpuint (count_files (fixture->cache_dir), ==, 1);

  /* Another hash: this one's is in the cache now, whatever the address. */
  expect_error (fixture, gone, other_sha, 70000, TALLY_CORE_ERROR_NOT_FOUND, ".gone");
  /* A file that grew past its manifest size. */
  cached = tally_item_cache_get_path (fixture->cache, sha);
  g_assert_cmpint (g_unlink (cached), ==, 0);
  expect_error (fixture, uri, sha, 60000, TALLY_CORE_ERROR_TOO_LARGE, "stopped reading");

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_corrupted_cache (Fixture      *fixture,
                      gconstpointer data)
{
  g_autoptr (Item) item = make_item (fixture, "/items/c.bin", 50000, 12);
  g_autofree char *path = tally_item_cache_get_path (fixture->cache, item->sha256);
  g_autofree char *contents = NULL;
  gsize            len;

  fetch_ok (fixture, item);
  g_assert_cmpuint (fixture->n_requests, ==, 1);

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  contents[len / 2] ^= 0x01;
  g_assert_true (g_file_set_contents (path, contents, len, NULL));
  g_clear_pointer (&contents, g_free);
  fetch_ok (fixture, item);
  g_assert_cmpuint (fixture->n_requests, ==, 2);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpmem (contents, len, g_bytes_get_data (item->data, NULL), 50000);

  /* Truncated, then deleted. */
  g_assert_true (g_file_set_contents (path, contents, len - 1, NULL));
  fetch_ok (fixture, item);
  g_assert_cmpuint (fixture->n_requests, ==, 3);
  g_assert_cmpint (g_unlink (path), ==, 0);
  fetch_ok (fixture, item);
  g_assert_cmpuint (fixture->n_requests, ==, 4);
  fetch_ok (fixture, item);
  g_assert_cmpuint (fixture->n_requests, ==, 4);
  g_assert_cmpuint (count_files (fixture->cache_dir), ==, 1);
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
  g_autoptr (Item) item = make_item (fixture, "/slow.bin", 200000, 13);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  gint64 started = g_get_monotonic_time ();

  ((Served *) g_hash_table_lookup (fixture->served, "/slow.bin"))->delay_ms = 2000;
  g_timeout_add (100, cancel_later, cancellable);
  bytes = fetch (fixture, item->uri, item->sha256, 200000, cancellable, &error);
  g_assert_null (bytes);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - started, <, G_USEC_PER_SEC);
  g_assert_cmpuint (fixture->n_requests, ==, 1);
  spin (100);
  g_assert_cmpuint (count_files (fixture->cache_dir), ==, 0);

  /* An item asked for again after a cancel is fetched afresh. */
  ((Served *) g_hash_table_lookup (fixture->served, "/slow.bin"))->delay_ms = 0;
  fetch_ok (fixture, item);
  g_assert_cmpuint (count_files (fixture->cache_dir), ==, 1);
}

static void
test_redirect (Fixture      *fixture,
               gconstpointer data)
{
  g_autoptr (Item) item = make_item (fixture, "/real.bin", 1234, 14);
  g_autofree char *moved = g_strconcat (fixture->base, "/moved.bin", NULL);
  g_autofree char *to_file = g_strconcat (fixture->base, "/to-file.bin", NULL);
  g_autofree char *loop = g_strconcat (fixture->base, "/loop.bin", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  /* The item itself is cached after the first fetch; these must reach the server. */
  const guint8 uncached[TALLY_ITEM_SHA256_LEN] = { 2 };
  Served      *served;

  served = serve (fixture, "/moved.bin", item->data);
  served->mode = SERVE_REDIRECT;
  served->location = "/real.bin";
  bytes = fetch (fixture, moved, item->sha256, 1234, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (bytes, item->data));
  g_assert_cmpuint (fixture->n_requests, ==, 2);

  served = serve (fixture, "/to-file.bin", item->data);
  served->mode = SERVE_REDIRECT;
  served->location = "file:///etc/passwd";
  expect_error (fixture, to_file, uncached, 1234, TALLY_CORE_ERROR_HTTP, "file:///etc/passwd");

  served = serve (fixture, "/loop.bin", item->data);
  served->mode = SERVE_REDIRECT;
  served->location = "/loop.bin";
  expect_error (fixture, loop, uncached, 1234, TALLY_CORE_ERROR_HTTP, "redirected more than");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/core/items/fetch-and-cache", test_fetch_and_cache);
  ADD ("/core/items/shared-download", test_shared_download);
  ADD ("/core/items/hash-mismatch", test_hash_mismatch);
  ADD ("/core/items/too-large-announced", test_too_large_announced);
  ADD ("/core/items/too-large-chunked", test_too_large_chunked);
  ADD ("/core/items/not-found", test_not_found);
  ADD ("/core/items/retry", test_retry);
  ADD ("/core/items/timeout", test_timeout);
  ADD ("/core/items/concurrency", test_concurrency);
  ADD ("/core/items/priority", test_priority);
  ADD ("/core/items/prefetch-cancel", test_prefetch_cancel);
  ADD ("/core/items/ipfs", test_ipfs);
  ADD ("/core/items/file", test_file);
  ADD ("/core/items/corrupted-cache", test_corrupted_cache);
  ADD ("/core/items/cancel", test_cancel);
  ADD ("/core/items/redirect", test_redirect);
#undef ADD

  return g_test_run ();
}
