/* item-opener.c: a private task's items, decrypted in memory for the
 * annotator's view
 *
 * An item shown again comes from the cache, and a cached item was checked
 * against the manifest's SHA-256 when it was stored. Reading it back, its
 * GCM tag (with the item's id as associated data) already proves it is
 * those bytes: changing them without the tag failing takes the task key,
 * which only the requester and the seated annotators hold. So a cache hit
 * is read and decrypted in one worker thread and not hashed a second time;
 * a hit that does not open is deleted like a damaged entry and fetched
 * anew, and then the SHA-256 decides again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "item-opener.h"
#include "wallet/secret.h"

struct _TallyItemOpener
{
  GObject parent_instance;

  TallyItemFetcher *fetcher;
  /* Immutable after construction, so the worker threads read it freely. */
  guint8 key[TALLY_TASK_KEY_LEN];
};

G_DEFINE_FINAL_TYPE (TallyItemOpener, tally_item_opener, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_FETCHER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  char   *item_id;
  char   *uri;
  guint8  sha256[TALLY_ITEM_SHA256_LEN];
  guint64 size;
  int     io_priority;
} Request;

static void
request_free (Request *request)
{
  g_free (request->item_id);
  g_free (request->uri);
  g_free (request);
}

/* What the cache's check leaves behind: the plaintext it opened. */
typedef struct
{
  const guint8 *key;
  const char   *item_id;
  GBytes       *plaintext;
} Opening;

static gboolean
open_as_check (GBytes  *sealed,
               gpointer check_data)
{
  Opening *opening = check_data;

  g_clear_pointer (&opening->plaintext, g_bytes_unref);
  opening->plaintext = tally_item_cipher_open (opening->key, opening->item_id, sealed, NULL);
  return opening->plaintext != NULL;
}

static void
open_from_cache_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  TallyItemOpener *self = source_object;
  Request         *request = task_data;
  Opening          opening = { self->key, request->item_id, NULL };
  GError          *error = NULL;
  g_autoptr (GBytes) sealed = NULL;

  sealed = tally_item_cache_lookup_checked_sync (tally_item_fetcher_get_cache (self->fetcher),
                                                 request->sha256, request->size, open_as_check,
                                                 &opening, cancellable, &error);
  if (error != NULL)
    {
      g_clear_pointer (&opening.plaintext, g_bytes_unref);
      g_task_return_error (task, error);
    }
  else if (sealed == NULL)
    {
      /* A miss, or an entry that did not open and is gone now. */
      g_clear_pointer (&opening.plaintext, g_bytes_unref);
      g_task_return_pointer (task, NULL, NULL);
    }
  else
    g_task_return_pointer (task, opening.plaintext, (GDestroyNotify) g_bytes_unref);
}

static void
on_opened (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  GBytes *plaintext = tally_item_cipher_open_finish (result, &error);

  if (plaintext == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, plaintext, (GDestroyNotify) g_bytes_unref);
}

static void
on_fetched (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallyItemOpener *self = g_task_get_source_object (task);
  Request         *request = g_task_get_task_data (task);
  GCancellable    *cancellable = g_task_get_cancellable (task);
  GError          *error = NULL;
  g_autoptr (GBytes) sealed = tally_item_fetcher_fetch_finish (TALLY_ITEM_FETCHER (object), result,
                                                               &error);

  if (sealed == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  tally_item_cipher_open_async (self->key, request->item_id, sealed, cancellable, on_opened,
                                g_steal_pointer (&task));
}

static void
on_looked_up (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallyItemOpener *self = g_task_get_source_object (task);
  Request         *request = g_task_get_task_data (task);
  GCancellable    *cancellable = g_task_get_cancellable (task);
  GError          *error = NULL;
  GBytes          *plaintext = g_task_propagate_pointer (G_TASK (result), &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else if (plaintext != NULL)
    g_task_return_pointer (task, plaintext, (GDestroyNotify) g_bytes_unref);
  else
    tally_item_fetcher_fetch_async (self->fetcher, request->uri, request->sha256, request->size,
                                    request->io_priority, cancellable, on_fetched,
                                    g_steal_pointer (&task));
}

void
tally_item_opener_open_async (TallyItemOpener    *self,
                              const char         *item_id,
                              const char         *uri,
                              const guint8        sha256[TALLY_ITEM_SHA256_LEN],
                              guint64             size,
                              int                 io_priority,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GTask) lookup = NULL;
  Request *request;

  g_return_if_fail (TALLY_IS_ITEM_OPENER (self));
  g_return_if_fail (item_id != NULL);
  g_return_if_fail (uri != NULL);
  g_return_if_fail (sha256 != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_item_opener_open_async);
  g_task_set_priority (task, io_priority);
  request = g_new0 (Request, 1);
  request->item_id = g_strdup (item_id);
  request->uri = g_strdup (uri);
  memcpy (request->sha256, sha256, TALLY_ITEM_SHA256_LEN);
  request->size = size;
  request->io_priority = io_priority;
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);

  /* The lookup shares the request; the outer task outlives it. */
  lookup = g_task_new (self, cancellable, on_looked_up, g_object_ref (task));
  g_task_set_source_tag (lookup, open_from_cache_thread);
  g_task_set_priority (lookup, io_priority);
  g_task_set_task_data (lookup, request, NULL);
  g_task_run_in_thread (lookup, open_from_cache_thread);
}

GBytes *
tally_item_opener_open_finish (TallyItemOpener *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tally_item_opener_open_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

TallyItemOpener *
tally_item_opener_new (TallyItemFetcher *fetcher,
                       const guint8      task_key[TALLY_TASK_KEY_LEN])
{
  TallyItemOpener *self;

  g_return_val_if_fail (TALLY_IS_ITEM_FETCHER (fetcher), NULL);
  g_return_val_if_fail (task_key != NULL, NULL);

  self = g_object_new (TALLY_TYPE_ITEM_OPENER, "fetcher", fetcher, NULL);
  memcpy (self->key, task_key, sizeof self->key);
  return self;
}

TallyItemFetcher *
tally_item_opener_get_fetcher (TallyItemOpener *self)
{
  g_return_val_if_fail (TALLY_IS_ITEM_OPENER (self), NULL);

  return self->fetcher;
}

static void
tally_item_opener_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  TallyItemOpener *self = TALLY_ITEM_OPENER (object);

  switch (prop_id)
    {
    case PROP_FETCHER:
      g_value_set_object (value, self->fetcher);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_item_opener_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  TallyItemOpener *self = TALLY_ITEM_OPENER (object);

  switch (prop_id)
    {
    case PROP_FETCHER:
      self->fetcher = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_item_opener_dispose (GObject *object)
{
  TallyItemOpener *self = TALLY_ITEM_OPENER (object);

  g_clear_object (&self->fetcher);

  G_OBJECT_CLASS (tally_item_opener_parent_class)->dispose (object);
}

static void
tally_item_opener_finalize (GObject *object)
{
  TallyItemOpener *self = TALLY_ITEM_OPENER (object);

  tally_wipe (self->key, sizeof self->key);

  G_OBJECT_CLASS (tally_item_opener_parent_class)->finalize (object);
}

static void
tally_item_opener_class_init (TallyItemOpenerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = tally_item_opener_get_property;
  object_class->set_property = tally_item_opener_set_property;
  object_class->dispose = tally_item_opener_dispose;
  object_class->finalize = tally_item_opener_finalize;

  properties[PROP_FETCHER] =
    g_param_spec_object ("fetcher", NULL, NULL, TALLY_TYPE_ITEM_FETCHER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tally_item_opener_init (TallyItemOpener *self)
{
}
