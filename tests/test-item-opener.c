/* test-item-opener.c: a private task's items fetched from a real HTTP
 * server on 127.0.0.1, cached as ciphertext and decrypted in memory
 * (app/item-opener.c); cache hits checked by their tag alone, damaged or
 * forged entries fetched again or refused
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "core-error.h"
#include "item-opener.h"
#include "tally-test-util.h"

#define N_ITEMS 3

typedef struct
{
  char   *id;
  GBytes *plain;
  GBytes *sealed;
  char   *uri;
  guint8  sha256[TALLY_ITEM_SHA256_LEN];
} Item;

typedef struct
{
  SoupServer *server;
  char       *base;
  GHashTable *served;   /* path → GBytes */
  GHashTable *requests; /* path → count */

  guint8           key[TALLY_TASK_KEY_LEN];
  Item             items[N_ITEMS];
  char            *cache_dir;
  TallyItemCache  *cache;
  TallyItemOpener *opener;
} Fixture;

static void
serve (SoupServer        *server,
       SoupServerMessage *message,
       const char        *path,
       GHashTable        *query,
       gpointer           user_data)
{
  Fixture *fixture = user_data;
  GBytes  *body = g_hash_table_lookup (fixture->served, path);
  guint    count = GPOINTER_TO_UINT (g_hash_table_lookup (fixture->requests, path));

  g_hash_table_insert (fixture->requests, g_strdup (path), GUINT_TO_POINTER (count + 1));
  if (body == NULL)
    {
      soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (message), body);
}

static guint
requests_of (Fixture    *fixture,
             const Item *item)
{
  g_autofree char *path = g_strdup (strrchr (item->uri, '/'));

  return GPOINTER_TO_UINT (g_hash_table_lookup (fixture->requests, path));
}

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyItemFetcher) fetcher = NULL;
  GSList *uris;

  fixture->served = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) g_bytes_unref);
  fixture->requests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  fixture->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fixture->server, NULL, serve, fixture, NULL);
  soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->server);
  fixture->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  tally_test_random_bytes (fixture->key, sizeof fixture->key);
  for (guint i = 0; i < N_ITEMS; i++)
    {
      Item   *item = &fixture->items[i];
      gsize   len = 1000 + 7919 * i;
      guint8 *plain = g_malloc (len);

      tally_test_random_bytes (plain, len);
      item->id = g_strdup_printf ("item-%u", i);
      item->plain = g_bytes_new_take (plain, len);
      item->sealed = tally_item_cipher_seal (fixture->key, item->id, item->plain, &error);
      g_assert_no_error (error);
      tally_test_sha256 (item->sealed, item->sha256);
      item->uri = g_strdup_printf ("%s/%s.enc", fixture->base, item->id);
      g_hash_table_insert (fixture->served, g_strdup_printf ("/%s.enc", item->id),
                           g_bytes_ref (item->sealed));
    }

  fixture->cache_dir = g_dir_make_tmp ("tally-test-item-opener-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->cache = tally_item_cache_new (fixture->cache_dir, 0);
  fetcher = tally_item_fetcher_new (fixture->cache);
  tally_item_fetcher_set_retry_delay (fetcher, 10);
  fixture->opener = tally_item_opener_new (fetcher, fixture->key);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  g_clear_object (&fixture->opener);
  g_clear_object (&fixture->cache);
  tally_test_remove_tree (fixture->cache_dir);
  g_free (fixture->cache_dir);
  for (guint i = 0; i < N_ITEMS; i++)
    {
      g_free (fixture->items[i].id);
      g_bytes_unref (fixture->items[i].plain);
      g_bytes_unref (fixture->items[i].sealed);
      g_free (fixture->items[i].uri);
    }
  soup_server_disconnect (fixture->server);
  g_clear_object (&fixture->server);
  g_hash_table_unref (fixture->served);
  g_hash_table_unref (fixture->requests);
  g_free (fixture->base);
}

static void
on_opened (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

/* Opens one item the way the view would, as id and manifest entry. */
static GBytes *
open_item (Fixture      *fixture,
           const char   *id,
           const Item   *entry,
           GCancellable *cancellable,
           GError      **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  tally_item_opener_open_async (fixture->opener, id, entry->uri, entry->sha256,
                                g_bytes_get_size (entry->sealed), G_PRIORITY_DEFAULT,
                                cancellable, on_opened, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return tally_item_opener_open_finish (fixture->opener, result, error);
}

static GBytes *
cached_file (Fixture    *fixture,
             const Item *item)
{
  g_autofree char *path = tally_item_cache_get_path (fixture->cache, item->sha256);
  g_autofree char *contents = NULL;
  gsize            len;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&contents), len);
}

static void
test_opener_fetch_then_cache (Fixture      *fixture,
                              gconstpointer data)
{
  for (guint round = 0; round < 2; round++)
    for (guint i = 0; i < N_ITEMS; i++)
      {
        Item *item = &fixture->items[i];
        g_autoptr (GError) error = NULL;
        g_autoptr (GBytes) plain = open_item (fixture, item->id, item, NULL, &error);
        g_autoptr (GBytes) on_disk = cached_file (fixture, item);

        g_assert_no_error (error);
        g_assert_true (g_bytes_equal (plain, item->plain));
        /* Fetched once; the second round comes from the cache. */
        g_assert_cmpuint (requests_of (fixture, item), ==, 1);
        /* The cache holds the ciphertext, never the plaintext. */
        g_assert_nonnull (on_disk);
        g_assert_true (g_bytes_equal (on_disk, item->sealed));
      }
}

static void
test_opener_damaged_entry (Fixture      *fixture,
                           gconstpointer data)
{
  Item            *item = &fixture->items[1];
  g_autofree char *path = tally_item_cache_get_path (fixture->cache, item->sha256);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) plain = open_item (fixture, item->id, item, NULL, &error);
  g_autoptr (GBytes) repaired = NULL;
  g_autofree char *contents = NULL;
  gsize            len;

  g_assert_no_error (error);
  g_clear_pointer (&plain, g_bytes_unref);

  /* Bit rot in the middle of the cached ciphertext: the tag catches it,
   * the entry is fetched again and the SHA-256 decides. */
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  contents[len / 2] ^= 0x20;
  g_assert_true (g_file_set_contents (path, contents, len, NULL));
  plain = open_item (fixture, item->id, item, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (plain, item->plain));
  g_assert_cmpuint (requests_of (fixture, item), ==, 2);
  repaired = cached_file (fixture, item);
  g_assert_true (g_bytes_equal (repaired, item->sealed));
}

/* The manifest lists item-0's genuine file under item-2's id: both are the
 * requester's, same key, but the id is the associated data. Every time,
 * from the network and then from what the fetch cached. */
static void
test_opener_swapped_item (Fixture      *fixture,
                          gconstpointer data)
{
  for (guint attempt = 1; attempt <= 2; attempt++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) plain = open_item (fixture, fixture->items[2].id, &fixture->items[0],
                                            NULL, &error);

      g_assert_null (plain);
      g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_KEY);
      g_assert_nonnull (strstr (error->message, "item-2"));
      g_assert_cmpuint (requests_of (fixture, &fixture->items[0]), ==, attempt);
    }
  /* The genuine item still opens under its own id. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) plain = open_item (fixture, fixture->items[0].id, &fixture->items[0],
                                          NULL, &error);

    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (plain, fixture->items[0].plain));
  }
}

/* A requester whose file's tag is wrong, with a manifest hash that matches
 * the broken file: it passes the SHA-256, is cached, and never opens. */
static void
test_opener_forged_tag (Fixture      *fixture,
                        gconstpointer data)
{
  Item   *item = &fixture->items[0];
  gsize   len;
  guint8 *forged = g_memdup2 (g_bytes_get_data (item->sealed, &len), g_bytes_get_size (item->sealed));

  forged[len - 1] ^= 0x80;
  g_bytes_unref (item->sealed);
  item->sealed = g_bytes_new_take (forged, len);
  tally_test_sha256 (item->sealed, item->sha256);
  g_hash_table_insert (fixture->served, g_strdup ("/item-0.enc"), g_bytes_ref (item->sealed));

  for (guint attempt = 1; attempt <= 2; attempt++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) plain = open_item (fixture, item->id, item, NULL, &error);

      g_assert_null (plain);
      g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_KEY);
      g_test_message ("%s", error->message);
    }
}

/* Bytes that are not the manifest's never reach the cipher or the cache. */
static void
test_opener_hash_mismatch (Fixture      *fixture,
                           gconstpointer data)
{
  Item   *item = &fixture->items[2];
  gsize   len;
  guint8 *tampered = g_memdup2 (g_bytes_get_data (item->sealed, &len), g_bytes_get_size (item->sealed));
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) plain = NULL;

  tampered[len / 3] ^= 0x01;
  g_hash_table_insert (fixture->served, g_strdup ("/item-2.enc"), g_bytes_new_take (tampered, len));
  plain = open_item (fixture, item->id, item, NULL, &error);
  g_assert_null (plain);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_HASH_MISMATCH);
  g_test_message ("%s", error->message);
  g_assert_null (cached_file (fixture, item));
}

static void
test_opener_cancelled (Fixture      *fixture,
                       gconstpointer data)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) plain = NULL;

  g_cancellable_cancel (cancellable);
  plain = open_item (fixture, fixture->items[0].id, &fixture->items[0], cancellable, &error);
  g_assert_null (plain);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (requests_of (fixture, &fixture->items[0]), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/core/item-opener/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("fetch-then-cache", test_opener_fetch_then_cache);
  ADD ("damaged-entry", test_opener_damaged_entry);
  ADD ("swapped-item", test_opener_swapped_item);
  ADD ("forged-tag", test_opener_forged_tag);
  ADD ("hash-mismatch", test_opener_hash_mismatch);
  ADD ("cancelled", test_opener_cancelled);
#undef ADD

  return g_test_run ();
}
