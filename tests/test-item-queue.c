/* test-item-queue.c: how the item fetcher schedules downloads against a
 * real in-process HTTP server on 127.0.0.1: one download for the same item
 * asked twice, bounded concurrency, an item on screen ahead of prefetches,
 * a cancelled prefetch
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "tally-test-item-server.h"

typedef TallyTestItemServer Fixture;

static void
test_shared_download (Fixture      *fixture,
                      gconstpointer data)
{
  g_autoptr (TallyTestItem) item =
    tally_test_item_server_make_item (fixture, "/items/shared.bin", 4096, 2);
  g_autoptr (GAsyncResult) r1 = NULL;
  g_autoptr (GAsyncResult) r2 = NULL;
  g_autoptr (GBytes) b1 = NULL;
  g_autoptr (GBytes) b2 = NULL;
  g_autoptr (GError) error = NULL;

  tally_item_fetcher_fetch_async (fixture->fetcher, item->uri, item->sha256, 4096, G_PRIORITY_LOW,
                                  NULL, tally_test_item_server_on_done, &r1);
  tally_item_fetcher_fetch_async (fixture->fetcher, item->uri, item->sha256, 4096,
                                  G_PRIORITY_DEFAULT, NULL, tally_test_item_server_on_done, &r2);
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
test_concurrency (Fixture      *fixture,
                  gconstpointer data)
{
  g_autoptr (GPtrArray) items =
    g_ptr_array_new_with_free_func ((GDestroyNotify) tally_test_item_free);
  g_autoptr (GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);
  GAsyncResult *slots[12] = { NULL };
  gboolean      all;

  tally_item_fetcher_set_max_concurrent (fixture->fetcher, 3);
  for (guint i = 0; i < G_N_ELEMENTS (slots); i++)
    {
      g_autofree char *path = g_strdup_printf ("/c/%u.bin", i);
      TallyTestItem   *item = tally_test_item_server_make_item (fixture, path, 2048 + i, 100 + i);

      tally_test_item_server_lookup (fixture, path)->delay_ms = 40;
      g_ptr_array_add (items, item);
      tally_item_fetcher_fetch_async (fixture->fetcher, item->uri, item->sha256, 2048 + i,
                                      G_PRIORITY_DEFAULT, NULL, tally_test_item_server_on_done,
                                      &slots[i]);
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
      TallyTestItem *item = g_ptr_array_index (items, i);

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
  g_autoptr (GPtrArray) items =
    g_ptr_array_new_with_free_func ((GDestroyNotify) tally_test_item_free);
  g_autoptr (TallyTestItem) now = tally_test_item_server_make_item (fixture, "/now.bin", 1000, 50);
  g_autoptr (GAsyncResult) prefetched = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  guint now_at = G_MAXUINT;

  tally_item_fetcher_set_max_concurrent (fixture->fetcher, 1);
  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      g_autofree char *path = g_strdup_printf ("/p/%u.bin", i);
      TallyTestItem   *item = tally_test_item_server_make_item (fixture, path, 1000 + i, 200 + i);

      tally_test_item_server_lookup (fixture, path)->delay_ms = 30;
      g_ptr_array_add (items, item);
      specs[i].uri = item->uri;
      memcpy (specs[i].sha256, item->sha256, TALLY_ITEM_SHA256_LEN);
      specs[i].size = 1000 + i;
    }
  tally_item_fetcher_prefetch_async (fixture->fetcher, specs, G_N_ELEMENTS (specs), NULL,
                                     tally_test_item_server_on_done, &prefetched);
  /* Once the first prefetch is being served, the item on screen is asked for. */
  while (fixture->n_requests == 0)
    g_main_context_iteration (NULL, TRUE);
  bytes = tally_test_item_server_fetch (fixture, now->uri, now->sha256, 1000, NULL, &error);
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
  g_assert_cmpuint (tally_test_item_server_count_files (fixture), ==, 7);
}

static void
test_prefetch_cancel (Fixture      *fixture,
                      gconstpointer data)
{
  TallyItemSpec specs[5];
  g_autoptr (GPtrArray) items =
    g_ptr_array_new_with_free_func ((GDestroyNotify) tally_test_item_free);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  tally_item_fetcher_set_max_concurrent (fixture->fetcher, 1);
  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      g_autofree char *path = g_strdup_printf ("/pc/%u.bin", i);
      TallyTestItem   *item = tally_test_item_server_make_item (fixture, path, 500, 300 + i);

      tally_test_item_server_lookup (fixture, path)->delay_ms = 200;
      g_ptr_array_add (items, item);
      specs[i].uri = item->uri;
      memcpy (specs[i].sha256, item->sha256, TALLY_ITEM_SHA256_LEN);
      specs[i].size = 500;
    }
  tally_item_fetcher_prefetch_async (fixture->fetcher, specs, G_N_ELEMENTS (specs), cancellable,
                                     tally_test_item_server_on_done, &result);
  while (fixture->n_requests == 0)
    g_main_context_iteration (NULL, TRUE);
  g_cancellable_cancel (cancellable);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (tally_item_fetcher_prefetch_finish (fixture->fetcher, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  tally_test_item_server_spin (300);
  g_assert_cmpuint (fixture->n_requests, ==, 1);
  g_assert_cmpuint (tally_test_item_server_count_files (fixture), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func)                                                 \
  g_test_add (path, Fixture, NULL, tally_test_item_server_set_up, func, \
              tally_test_item_server_tear_down)
  ADD ("/core/items/shared-download", test_shared_download);
  ADD ("/core/items/concurrency", test_concurrency);
  ADD ("/core/items/priority", test_priority);
  ADD ("/core/items/prefetch-cancel", test_prefetch_cancel);
#undef ADD

  return g_test_run ();
}
