/* tally-test-item-server.h: task items served by a real in-process HTTP
 * server on 127.0.0.1, with a TallyItemFetcher and TallyItemCache on a
 * fresh folder to fetch them, for the item tests
 *
 * The server answers each path it was given with tally_test_item_server_serve
 * (404 for the others), can fail a number of times first, redirect, send its
 * body chunked or hold its answer back, and counts what it saw. A test
 * g_test_add()s TallyTestItemServer with tally_test_item_server_set_up and
 * _tear_down, or embeds one in a fixture of its own and calls them from its
 * set-up and tear-down. The tear-down asserts that the fetcher and the cache
 * are finalized: a test that hands them to another object drops that first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "item-cache.h"
#include "item-fetcher.h"

G_BEGIN_DECLS

typedef enum
{
  TALLY_TEST_ITEM_SERVE_PLAIN,
  TALLY_TEST_ITEM_SERVE_CHUNKED,
  TALLY_TEST_ITEM_SERVE_REDIRECT,
} TallyTestItemServeMode;

/* How one path is answered; a test changes the fields between requests. */
typedef struct
{
  GBytes                *body;
  TallyTestItemServeMode mode;
  const char            *location;    /* TALLY_TEST_ITEM_SERVE_REDIRECT */
  guint                  fail_status; /* answered first, fail_count times */
  guint                  fail_count;
  guint                  delay_ms; /* the answer is held back this long */
} TallyTestItemServed;

typedef struct
{
  SoupServer *server;
  char       *base;   /* http://127.0.0.1:PORT */
  GHashTable *served; /* path → TallyTestItemServed */

  /* what the server saw */
  guint      n_requests;
  GPtrArray *order; /* paths, in arrival order */
  guint      in_flight;
  guint      max_in_flight; /* of the answers held back by delay_ms */
  guint      n_finished;
  guint64    bytes_written;
  GPtrArray *delayed; /* answers held back */

  char             *cache_dir;
  TallyItemCache   *cache;
  TallyItemFetcher *fetcher; /* retry delay 10 ms */
} TallyTestItemServer;

/* An item served by the server, with its true hash. */
typedef struct
{
  char   *uri;
  GBytes *data;
  guint8  sha256[TALLY_ITEM_SHA256_LEN];
} TallyTestItem;

void tally_test_item_free (TallyTestItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TallyTestItem, tally_test_item_free)

void tally_test_item_server_set_up (TallyTestItemServer *self,
                                    gconstpointer        data);
void tally_test_item_server_tear_down (TallyTestItemServer *self,
                                       gconstpointer        data);

/* len bytes, the same for the same seed. */
GBytes *tally_test_item_server_random_bytes (gsize   len,
                                             guint32 seed);

/* Serves body (referenced) at path, in place of what was there. */
TallyTestItemServed *tally_test_item_server_serve (TallyTestItemServer *self,
                                                   const char          *path,
                                                   GBytes              *body);
/* What path is served with; asserts that it is served. */
TallyTestItemServed *tally_test_item_server_lookup (TallyTestItemServer *self,
                                                    const char          *path);
/* Serves size random bytes made from seed at path. */
TallyTestItem *tally_test_item_server_make_item (TallyTestItemServer *self,
                                                 const char          *path,
                                                 gsize                size,
                                                 guint32              seed);
/* How many requests for path the server has seen. */
guint tally_test_item_server_count_requests (TallyTestItemServer *self,
                                             const char          *path);
/* Regular files anywhere under the cache folder, temporary ones included. */
guint tally_test_item_server_count_files (TallyTestItemServer *self);

/* A GAsyncReadyCallback that stores a reference to the result in
 * *(GAsyncResult **) user_data. */
void tally_test_item_server_on_done (GObject      *object,
                                     GAsyncResult *result,
                                     gpointer      user_data);
/* Runs the main context for ms milliseconds. */
void tally_test_item_server_spin (guint ms);
/* Runs the main context until object's only reference is the caller's, for
 * at most two seconds: a GTask run in a thread is released by its worker a
 * moment after its callback has run. */
void tally_test_item_server_wait_for_last_ref (gpointer object);

/* Fetches uri with the fetcher at the default priority, running the main
 * context until it is done. */
GBytes *tally_test_item_server_fetch (TallyTestItemServer *self,
                                      const char          *uri,
                                      const guint8        *sha256,
                                      guint64              size,
                                      GCancellable        *cancellable,
                                      GError             **error);
/* Fetches item and asserts that it comes back whole. */
void tally_test_item_server_fetch_ok (TallyTestItemServer *self,
                                      TallyTestItem       *item);
/* Fetches uri and asserts that it fails with code of TALLY_CORE_ERROR, with
 * in_message (unless NULL) in the message. */
void tally_test_item_server_expect_error (TallyTestItemServer *self,
                                          const char          *uri,
                                          const guint8        *sha256,
                                          guint64              size,
                                          gint                 code,
                                          const char          *in_message);

G_END_DECLS
