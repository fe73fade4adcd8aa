/* tally-test-item-server.c: task items served by a real in-process HTTP
 * server on 127.0.0.1, and a fetcher and cache to fetch them, for the item
 * tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "core-error.h"
#include "tally-test-item-server.h"
#include "tally-test-util.h"

typedef struct
{
  TallyTestItemServer *self;
  SoupServerMessage   *message;
  TallyTestItemServed *served;
  guint                source_id;
} Delayed;

void
tally_test_item_free (TallyTestItem *item)
{
  g_free (item->uri);
  g_bytes_unref (item->data);
  g_free (item);
}

static void
served_free (TallyTestItemServed *served)
{
  g_clear_pointer (&served->body, g_bytes_unref);
  g_free (served);
}

static void
delayed_free (Delayed *delayed)
{
  g_object_unref (delayed->message);
  g_free (delayed);
}

GBytes *
tally_test_item_server_random_bytes (gsize   len,
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
  TallyTestItemServer *self = user_data;

  if (g_object_get_data (G_OBJECT (message), "counted") != NULL)
    self->in_flight--;
  self->n_finished++;
}

static void
on_wrote_body_data (SoupServerMessage *message,
                    guint              chunk_size,
                    gpointer           user_data)
{
  TallyTestItemServer *self = user_data;

  self->bytes_written += chunk_size;
}

static void
respond (SoupServerMessage   *message,
         TallyTestItemServed *served)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (message);
  gsize               len;
  const char         *data = g_bytes_get_data (served->body, &len);

  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  if (served->mode == TALLY_TEST_ITEM_SERVE_CHUNKED)
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

static gboolean
on_delay_over (gpointer user_data)
{
  Delayed *delayed = user_data;

  respond (delayed->message, delayed->served);
  soup_server_message_unpause (delayed->message);
  g_ptr_array_remove (delayed->self->delayed, delayed);
  return G_SOURCE_REMOVE;
}

static void
handle (SoupServer        *server,
        SoupServerMessage *message,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  TallyTestItemServer *self = user_data;
  TallyTestItemServed *served = g_hash_table_lookup (self->served, path);

  self->n_requests++;
  g_ptr_array_add (self->order, g_strdup (path));
  g_signal_connect (message, "finished", G_CALLBACK (on_finished), self);
  g_signal_connect (message, "wrote-body-data", G_CALLBACK (on_wrote_body_data), self);

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
  if (served->mode == TALLY_TEST_ITEM_SERVE_REDIRECT)
    {
      soup_server_message_set_redirect (message, SOUP_STATUS_FOUND, served->location);
      return;
    }
  if (served->delay_ms > 0)
    {
      Delayed *delayed = g_new0 (Delayed, 1);

      g_object_set_data (G_OBJECT (message), "counted", GINT_TO_POINTER (1));
      self->in_flight++;
      self->max_in_flight = MAX (self->max_in_flight, self->in_flight);
      delayed->self = self;
      delayed->message = g_object_ref (message);
      delayed->served = served;
      soup_server_message_pause (message);
      delayed->source_id = g_timeout_add (served->delay_ms, on_delay_over, delayed);
      g_ptr_array_add (self->delayed, delayed);
      return;
    }
  respond (message, served);
}

TallyTestItemServed *
tally_test_item_server_serve (TallyTestItemServer *self,
                              const char          *path,
                              GBytes              *body)
{
  TallyTestItemServed *served = g_new0 (TallyTestItemServed, 1);

  served->body = g_bytes_ref (body);
  g_hash_table_replace (self->served, g_strdup (path), served);
  return served;
}

TallyTestItemServed *
tally_test_item_server_lookup (TallyTestItemServer *self,
                               const char          *path)
{
  TallyTestItemServed *served = g_hash_table_lookup (self->served, path);

  g_assert_nonnull (served);
  return served;
}

TallyTestItem *
tally_test_item_server_make_item (TallyTestItemServer *self,
                                  const char          *path,
                                  gsize                size,
                                  guint32              seed)
{
  TallyTestItem *item = g_new0 (TallyTestItem, 1);

  item->data = tally_test_item_server_random_bytes (size, seed);
  tally_test_sha256 (item->data, item->sha256);
  item->uri = g_strconcat (self->base, path, NULL);
  tally_test_item_server_serve (self, path, item->data);
  return item;
}

guint
tally_test_item_server_count_requests (TallyTestItemServer *self,
                                       const char          *path)
{
  guint n = 0;

  for (guint i = 0; i < self->order->len; i++)
    n += g_str_equal (g_ptr_array_index (self->order, i), path);
  return n;
}

static guint
count_files_under (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint       n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      n += g_file_test (child, G_FILE_TEST_IS_DIR) ? count_files_under (child) : 1;
    }
  return n;
}

guint
tally_test_item_server_count_files (TallyTestItemServer *self)
{
  return count_files_under (self->cache_dir);
}

/* ---- set-up and tear-down ------------------------------------------------------ */

void
tally_test_item_server_set_up (TallyTestItemServer *self,
                               gconstpointer        data)
{
  g_autoptr (GError) error = NULL;
  GSList *uris;

  self->served = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) served_free);
  self->order = g_ptr_array_new_with_free_func (g_free);
  self->delayed = g_ptr_array_new_with_free_func ((GDestroyNotify) delayed_free);
  self->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (self->server, NULL, handle, self, NULL);
  g_assert_true (soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY,
                                           &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (self->server);
  self->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  self->cache_dir = g_dir_make_tmp ("tally-items-XXXXXX", &error);
  g_assert_no_error (error);
  self->cache = tally_item_cache_new (self->cache_dir, 0);
  self->fetcher = tally_item_fetcher_new (self->cache);
  tally_item_fetcher_set_retry_delay (self->fetcher, 10);
}

void
tally_test_item_server_spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

void
tally_test_item_server_wait_for_last_ref (gpointer object)
{
  gint64 until = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  while (g_atomic_int_get (&G_OBJECT (object)->ref_count) > 1 && g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

void
tally_test_item_server_tear_down (TallyTestItemServer *self,
                                  gconstpointer        data)
{
  tally_test_item_server_wait_for_last_ref (self->fetcher);
  g_assert_finalize_object (self->fetcher);
  tally_test_item_server_wait_for_last_ref (self->cache);
  g_assert_finalize_object (self->cache);
  while (self->delayed->len > 0)
    {
      Delayed *delayed = g_ptr_array_index (self->delayed, 0);

      g_source_remove (delayed->source_id);
      soup_server_message_set_status (delayed->message, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      soup_server_message_unpause (delayed->message);
      g_ptr_array_remove_index (self->delayed, 0);
    }
  tally_test_item_server_spin (50);
  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  tally_test_remove_tree (self->cache_dir);
  g_free (self->cache_dir);
  g_free (self->base);
  g_ptr_array_unref (self->order);
  g_ptr_array_unref (self->delayed);
  g_hash_table_unref (self->served);
}

/* ---- fetching ------------------------------------------------------------------ */

void
tally_test_item_server_on_done (GObject      *object,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

GBytes *
tally_test_item_server_fetch (TallyTestItemServer *self,
                              const char          *uri,
                              const guint8        *sha256,
                              guint64              size,
                              GCancellable        *cancellable,
                              GError             **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  tally_item_fetcher_fetch_async (self->fetcher, uri, sha256, size, G_PRIORITY_DEFAULT,
                                  cancellable, tally_test_item_server_on_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return tally_item_fetcher_fetch_finish (self->fetcher, result, error);
}

void
tally_test_item_server_fetch_ok (TallyTestItemServer *self,
                                 TallyTestItem       *item)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = tally_test_item_server_fetch (self, item->uri, item->sha256,
                                                           g_bytes_get_size (item->data), NULL,
                                                           &error);

  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  g_assert_true (g_bytes_equal (bytes, item->data));
}

void
tally_test_item_server_expect_error (TallyTestItemServer *self,
                                     const char          *uri,
                                     const guint8        *sha256,
                                     guint64              size,
                                     gint                 code,
                                     const char          *in_message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = tally_test_item_server_fetch (self, uri, sha256, size, NULL, &error);

  g_assert_null (bytes);
  g_assert_error (error, TALLY_CORE_ERROR, code);
  if (in_message != NULL && strstr (error->message, in_message) == NULL)
    g_error ("“%s” is not in “%s”", in_message, error->message);
}
