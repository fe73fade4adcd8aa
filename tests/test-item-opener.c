/* test-item-opener.c: a private task's items fetched from a real HTTP
 * server on 127.0.0.1, cached as ciphertext and decrypted in memory
 * (app/item-opener.c); cache hits checked by their tag alone, damaged or
 * forged entries fetched again or refused
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "core-error.h"
#include "item-opener.h"
#include "tally-test-item-server.h"
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
  TallyTestItemServer server; /* its fetcher is the opener's */

  guint8           key[TALLY_TASK_KEY_LEN];
  Item             items[N_ITEMS];
  TallyItemOpener *opener;
} Fixture;

static guint
requests_of (Fixture    *fixture,
             const Item *item)
{
  return tally_test_item_server_count_requests (&fixture->server, strrchr (item->uri, '/'));
}

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  tally_test_item_server_set_up (&fixture->server, data);
  tally_test_random_bytes (fixture->key, sizeof fixture->key);
  for (guint i = 0; i < N_ITEMS; i++)
    {
      Item            *item = &fixture->items[i];
      gsize            len = 1000 + 7919 * i;
      guint8          *plain = g_malloc (len);
      g_autofree char *path = NULL;

      tally_test_random_bytes (plain, len);
      item->id = g_strdup_printf ("item-%u", i);
      item->plain = g_bytes_new_take (plain, len);
      item->sealed = tally_item_cipher_seal (fixture->key, item->id, item->plain, &error);
      g_assert_no_error (error);
      tally_test_sha256 (item->sealed, item->sha256);
      path = g_strdup_printf ("/%s.enc", item->id);
      item->uri = g_strconcat (fixture->server.base, path, NULL);
      tally_test_item_server_serve (&fixture->server, path, item->sealed);
    }
  fixture->opener = tally_item_opener_new (fixture->server.fetcher, fixture->key);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  tally_test_item_server_wait_for_last_ref (fixture->opener);
  g_clear_object (&fixture->opener);
  for (guint i = 0; i < N_ITEMS; i++)
    {
      g_free (fixture->items[i].id);
      g_bytes_unref (fixture->items[i].plain);
      g_bytes_unref (fixture->items[i].sealed);
      g_free (fixture->items[i].uri);
    }
  tally_test_item_server_tear_down (&fixture->server, data);
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
  g_autofree char *path = tally_item_cache_get_path (fixture->server.cache, item->sha256);
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
  g_autofree char *path = tally_item_cache_get_path (fixture->server.cache, item->sha256);
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
  guint8 *forged = g_memdup2 (g_bytes_get_data (item->sealed, &len),
                              g_bytes_get_size (item->sealed));

  forged[len - 1] ^= 0x80;
  g_bytes_unref (item->sealed);
  item->sealed = g_bytes_new_take (forged, len);
  tally_test_sha256 (item->sealed, item->sha256);
  tally_test_item_server_serve (&fixture->server, "/item-0.enc", item->sealed);

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
  guint8 *tampered = g_memdup2 (g_bytes_get_data (item->sealed, &len),
                                g_bytes_get_size (item->sealed));
  g_autoptr (GBytes) served = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) plain = NULL;

  tampered[len / 3] ^= 0x01;
  served = g_bytes_new_take (tampered, len);
  tally_test_item_server_serve (&fixture->server, "/item-2.enc", served);
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
