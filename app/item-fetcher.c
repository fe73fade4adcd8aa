/* item-fetcher.c: task items fetched over https, http, file:// or an IPFS
 * gateway, checked against their published SHA-256 and size, and cached
 *
 * Each distinct item is one TallyItemJob, shared by every caller waiting for it. A job
 * first asks the cache (in a thread); on a miss it waits in a queue ordered by
 * (priority, arrival) until one of max-concurrent slots is free. A job still
 * asking the cache holds up the ones queued behind it, which keeps a
 * prefetch's order and lets an item on screen overtake queued prefetches.
 * The body is read into a buffer of the announced size plus one byte and
 * hashed as it arrives, so a body that runs long is cut off at the first
 * byte too many. Redirects are followed by hand, to http(s) only.
 *
 * The jobs and their queue are item-fetcher-jobs.c, one download
 * item-fetcher-download.c; item addresses, prefetching and the object are
 * here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "core-error.h"
#include "item-fetcher-private.h"

#define DEFAULT_MAX_ITEM  (256 * 1024 * 1024)
#define SESSION_MAX_CONNS 128

G_DEFINE_FINAL_TYPE (TallyItemFetcher, tally_item_fetcher, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_CACHE,
  PROP_IPFS_GATEWAY,
  PROP_MAX_CONCURRENT,
  PROP_MAX_ATTEMPTS,
  PROP_RETRY_DELAY,
  PROP_TIMEOUT,
  PROP_MAX_ITEM_SIZE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- addresses ------------------------------------------------------------------ */

static gboolean
ipfs_path_is_safe (const char *path)
{
  g_auto (GStrv) segments = g_strsplit (path, "/", -1);

  for (const char *p = path; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("-._~!$&'()*+,;=:@%/", *p) == NULL)
      return FALSE;
  for (guint i = 0; segments[i] != NULL; i++)
    if (g_str_equal (segments[i], ".") || g_str_equal (segments[i], ".."))
      return FALSE;
  return TRUE;
}

gboolean
_tally_item_fetcher_resolve_uri (TallyItemFetcher *self,
                                 const char       *uri,
                                 GUri            **origin,
                                 GError          **error)
{
  g_autofree char *scheme = g_uri_parse_scheme (uri);
  g_autoptr (GUri) parsed = NULL;

  *origin = NULL;
  if (scheme != NULL && g_ascii_strcasecmp (scheme, "file") == 0 &&
      g_uri_is_valid (uri, G_URI_FLAGS_NONE, NULL))
    return TRUE;

  if (scheme != NULL && (g_ascii_strcasecmp (scheme, "http") == 0 ||
                         g_ascii_strcasecmp (scheme, "https") == 0))
    {
      parsed = g_uri_parse (uri, SOUP_HTTP_URI_FLAGS, NULL);
      if (parsed != NULL && g_uri_get_host (parsed) != NULL && *g_uri_get_host (parsed) != '\0')
        {
          *origin = g_steal_pointer (&parsed);
          return TRUE;
        }
    }

  if (scheme != NULL && g_ascii_strcasecmp (scheme, "ipfs") == 0 &&
      g_ascii_strncasecmp (uri, "ipfs://", 7) == 0)
    {
      const char      *rest = uri + 7;
      gsize            cid_len = strcspn (rest, "/");
      const char      *separator;
      g_autofree char *url = NULL;
      gboolean         cid_ok = cid_len > 0 && cid_len <= 128;

      for (gsize i = 0; i < cid_len && cid_ok; i++)
        cid_ok = g_ascii_isalnum (rest[i]);
      if (!cid_ok || !ipfs_path_is_safe (rest + cid_len))
        {
          g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST,
                       "The IPFS address “%s” of an item is not of the form ipfs://CID/path",
                       uri);
          return FALSE;
        }
      /* "https://ipfs.io/ipfs" and "https://ipfs.io/ipfs/" mean the same. */
      separator = g_str_has_suffix (self->ipfs_gateway, "/") ? "" : "/";
      url = g_strconcat (self->ipfs_gateway, separator, rest, NULL);
      parsed = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
      if (parsed == NULL || !tally_item_uri_is_http (parsed))
        {
          g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE,
                       "The IPFS gateway “%s” is not an http or https address",
                       self->ipfs_gateway);
          return FALSE;
        }
      *origin = g_steal_pointer (&parsed);
      return TRUE;
    }

  g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST,
               "The item address “%s” is not an https, http, file or ipfs address", uri);
  return FALSE;
}

/* ---- prefetching ---------------------------------------------------------------- */

typedef struct
{
  gsize   pending;
  GError *error;
} Prefetch;

static void
prefetch_free (gpointer data)
{
  Prefetch *prefetch = data;

  g_clear_error (&prefetch->error);
  g_free (prefetch);
}

static void
on_prefetched (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Prefetch *prefetch = g_task_get_task_data (task);
  g_autoptr (GBytes) bytes = NULL;
  GError *error = NULL;

  bytes = tally_item_fetcher_fetch_finish (TALLY_ITEM_FETCHER (object), result, &error);
  if (error != NULL && prefetch->error == NULL)
    prefetch->error = error;
  else
    g_clear_error (&error);

  if (--prefetch->pending > 0)
    return;
  if (g_task_return_error_if_cancelled (task))
    return;
  if (prefetch->error != NULL)
    g_task_return_error (task, g_steal_pointer (&prefetch->error));
  else
    g_task_return_boolean (task, TRUE);
}

void
tally_item_fetcher_prefetch_async (TallyItemFetcher    *self,
                                   const TallyItemSpec *items,
                                   gsize                n_items,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  Prefetch *prefetch;

  g_return_if_fail (TALLY_IS_ITEM_FETCHER (self));
  g_return_if_fail (items != NULL || n_items == 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_item_fetcher_prefetch_async);
  if (n_items == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  prefetch = g_new0 (Prefetch, 1);
  prefetch->pending = n_items;
  g_task_set_task_data (task, prefetch, prefetch_free);
  for (gsize i = 0; i < n_items; i++)
    tally_item_fetcher_fetch_async (self, items[i].uri, items[i].sha256, items[i].size,
                                    G_PRIORITY_LOW, cancellable, on_prefetched,
                                    g_object_ref (task));
}

gboolean
tally_item_fetcher_prefetch_finish (TallyItemFetcher *self,
                                    GAsyncResult     *result,
                                    GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                          tally_item_fetcher_prefetch_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- the object ---------------------------------------------------------------- */

TallyItemFetcher *
tally_item_fetcher_new (TallyItemCache *cache)
{
  g_return_val_if_fail (TALLY_IS_ITEM_CACHE (cache), NULL);

  return g_object_new (TALLY_TYPE_ITEM_FETCHER, "cache", cache, NULL);
}

TallyItemCache *
tally_item_fetcher_get_cache (TallyItemFetcher *self)
{
  g_return_val_if_fail (TALLY_IS_ITEM_FETCHER (self), NULL);

  return self->cache;
}

const char *
tally_item_fetcher_get_ipfs_gateway (TallyItemFetcher *self)
{
  g_return_val_if_fail (TALLY_IS_ITEM_FETCHER (self), NULL);

  return self->ipfs_gateway;
}

void
tally_item_fetcher_set_ipfs_gateway (TallyItemFetcher *self,
                                     const char       *gateway)
{
  g_return_if_fail (TALLY_IS_ITEM_FETCHER (self));

  if (gateway == NULL || *gateway == '\0')
    gateway = TALLY_ITEM_FETCHER_DEFAULT_GATEWAY;
  if (g_strcmp0 (self->ipfs_gateway, gateway) == 0)
    return;
  g_free (self->ipfs_gateway);
  self->ipfs_gateway = g_strdup (gateway);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IPFS_GATEWAY]);
}

static void
set_uint (TallyItemFetcher *self,
          guint            *field,
          guint             value,
          guint             prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

guint
tally_item_fetcher_get_max_concurrent (TallyItemFetcher *self)
{
  g_return_val_if_fail (TALLY_IS_ITEM_FETCHER (self), 0);

  return self->max_concurrent;
}

void
tally_item_fetcher_set_max_concurrent (TallyItemFetcher *self,
                                       guint             max_concurrent)
{
  g_return_if_fail (TALLY_IS_ITEM_FETCHER (self));
  g_return_if_fail (max_concurrent >= 1);

  set_uint (self, &self->max_concurrent, max_concurrent, PROP_MAX_CONCURRENT);
  tally_item_fetcher_pump (self);
}

guint
tally_item_fetcher_get_max_attempts (TallyItemFetcher *self)
{
  g_return_val_if_fail (TALLY_IS_ITEM_FETCHER (self), 0);

  return self->max_attempts;
}

void
tally_item_fetcher_set_max_attempts (TallyItemFetcher *self,
                                     guint             max_attempts)
{
  g_return_if_fail (TALLY_IS_ITEM_FETCHER (self));
  g_return_if_fail (max_attempts >= 1);

  set_uint (self, &self->max_attempts, max_attempts, PROP_MAX_ATTEMPTS);
}

guint
tally_item_fetcher_get_retry_delay (TallyItemFetcher *self)
{
  g_return_val_if_fail (TALLY_IS_ITEM_FETCHER (self), 0);

  return self->retry_delay;
}

void
tally_item_fetcher_set_retry_delay (TallyItemFetcher *self,
                                    guint             milliseconds)
{
  g_return_if_fail (TALLY_IS_ITEM_FETCHER (self));

  set_uint (self, &self->retry_delay, MIN (milliseconds, TALLY_ITEM_MAX_RETRY_DELAY_MS),
            PROP_RETRY_DELAY);
}

guint
tally_item_fetcher_get_timeout (TallyItemFetcher *self)
{
  g_return_val_if_fail (TALLY_IS_ITEM_FETCHER (self), 0);

  return self->timeout;
}

void
tally_item_fetcher_set_timeout (TallyItemFetcher *self,
                                guint             seconds)
{
  g_return_if_fail (TALLY_IS_ITEM_FETCHER (self));

  set_uint (self, &self->timeout, seconds, PROP_TIMEOUT);
  soup_session_set_timeout (self->session, seconds);
}

guint64
tally_item_fetcher_get_max_item_size (TallyItemFetcher *self)
{
  g_return_val_if_fail (TALLY_IS_ITEM_FETCHER (self), 0);

  return self->max_item_size;
}

void
tally_item_fetcher_set_max_item_size (TallyItemFetcher *self,
                                      guint64           max_item_size)
{
  g_return_if_fail (TALLY_IS_ITEM_FETCHER (self));

  if (self->max_item_size == max_item_size)
    return;
  self->max_item_size = max_item_size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_ITEM_SIZE]);
}

static void
tally_item_fetcher_dispose (GObject *object)
{
  TallyItemFetcher *self = TALLY_ITEM_FETCHER (object);

  g_clear_object (&self->cache);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (tally_item_fetcher_parent_class)->dispose (object);
}

static void
tally_item_fetcher_finalize (GObject *object)
{
  TallyItemFetcher *self = TALLY_ITEM_FETCHER (object);

  g_clear_pointer (&self->jobs, g_hash_table_unref);
  g_clear_pointer (&self->ipfs_gateway, g_free);

  G_OBJECT_CLASS (tally_item_fetcher_parent_class)->finalize (object);
}

static void
tally_item_fetcher_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  TallyItemFetcher *self = TALLY_ITEM_FETCHER (object);

  switch (prop_id)
    {
    case PROP_CACHE:
      g_value_set_object (value, self->cache);
      break;
    case PROP_IPFS_GATEWAY:
      g_value_set_string (value, self->ipfs_gateway);
      break;
    case PROP_MAX_CONCURRENT:
      g_value_set_uint (value, self->max_concurrent);
      break;
    case PROP_MAX_ATTEMPTS:
      g_value_set_uint (value, self->max_attempts);
      break;
    case PROP_RETRY_DELAY:
      g_value_set_uint (value, self->retry_delay);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;
    case PROP_MAX_ITEM_SIZE:
      g_value_set_uint64 (value, self->max_item_size);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_item_fetcher_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  TallyItemFetcher *self = TALLY_ITEM_FETCHER (object);

  switch (prop_id)
    {
    case PROP_CACHE:
      self->cache = g_value_dup_object (value);
      break;
    case PROP_IPFS_GATEWAY:
      tally_item_fetcher_set_ipfs_gateway (self, g_value_get_string (value));
      break;
    case PROP_MAX_CONCURRENT:
      tally_item_fetcher_set_max_concurrent (self, g_value_get_uint (value));
      break;
    case PROP_MAX_ATTEMPTS:
      tally_item_fetcher_set_max_attempts (self, g_value_get_uint (value));
      break;
    case PROP_RETRY_DELAY:
      tally_item_fetcher_set_retry_delay (self, g_value_get_uint (value));
      break;
    case PROP_TIMEOUT:
      tally_item_fetcher_set_timeout (self, g_value_get_uint (value));
      break;
    case PROP_MAX_ITEM_SIZE:
      tally_item_fetcher_set_max_item_size (self, g_value_get_uint64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_item_fetcher_class_init (TallyItemFetcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = tally_item_fetcher_dispose;
  object_class->finalize = tally_item_fetcher_finalize;
  object_class->get_property = tally_item_fetcher_get_property;
  object_class->set_property = tally_item_fetcher_set_property;

  properties[PROP_CACHE] =
    g_param_spec_object ("cache", NULL, NULL, TALLY_TYPE_ITEM_CACHE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_IPFS_GATEWAY] =
    g_param_spec_string ("ipfs-gateway", NULL, NULL, TALLY_ITEM_FETCHER_DEFAULT_GATEWAY, flags);
  properties[PROP_MAX_CONCURRENT] =
    g_param_spec_uint ("max-concurrent", NULL, NULL, 1, 64, 4, flags);
  properties[PROP_MAX_ATTEMPTS] =
    g_param_spec_uint ("max-attempts", NULL, NULL, 1, 20, 4, flags);
  properties[PROP_RETRY_DELAY] =
    g_param_spec_uint ("retry-delay", NULL, NULL, 0, TALLY_ITEM_MAX_RETRY_DELAY_MS, 500, flags);
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 0, 3600, 30, flags);
  properties[PROP_MAX_ITEM_SIZE] =
    g_param_spec_uint64 ("max-item-size", NULL, NULL, 0, G_MAXUINT64, DEFAULT_MAX_ITEM, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tally_item_fetcher_init (TallyItemFetcher *self)
{
  self->session = soup_session_new_with_options ("max-conns", SESSION_MAX_CONNS,
                                                 "max-conns-per-host", SESSION_MAX_CONNS,
                                                 "user-agent", PACKAGE_NAME "/" PACKAGE_VERSION,
                                                 NULL);
  self->ipfs_gateway = g_strdup (TALLY_ITEM_FETCHER_DEFAULT_GATEWAY);
  self->max_concurrent = 4;
  self->max_attempts = 4;
  self->retry_delay = 500;
  self->timeout = 30;
  self->max_item_size = DEFAULT_MAX_ITEM;
  soup_session_set_timeout (self->session, self->timeout);
  self->jobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) tally_item_job_unref);
  g_queue_init (&self->queue);
}
