/* item-cache.c: task items on disk, content-addressed by their SHA-256
 *
 * An item lives at DIR/ab/abcd….bin, named by the hex of its SHA-256; a file
 * is only ever given that name by a rename after it was written and synced.
 * Every hit is hashed again, so bit rot or a hand-edited file is noticed and
 * fetched anew. The least recently used entries go when the directory is over
 * its budget: "used" is the file's mtime, refreshed by every hit (atime is
 * not reliable under relatime/noatime). An index of sizes and times is read
 * from the directory once and kept up to date, so eviction never rescans;
 * it is item-cache-index.c. Lookup, store and the object are here.
 * All file work runs in GTask threads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <nettle/sha2.h>

#include "core-error.h"
#include "item-cache-private.h"

#define IO_CHUNK (1024 * 1024)

G_DEFINE_FINAL_TYPE (TallyItemCache, tally_item_cache, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_DIRECTORY,
  PROP_MAX_SIZE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  guint8  sha256[TALLY_ITEM_SHA256_LEN];
  guint64 size;
  GBytes *bytes;
} Op;

static void
op_free (gpointer data)
{
  Op *op = data;

  g_clear_pointer (&op->bytes, g_bytes_unref);
  g_free (op);
}

char *
tally_item_sha256_to_hex (const guint8 sha256[TALLY_ITEM_SHA256_LEN])
{
  static const char digits[] = "0123456789abcdef";
  char             *hex = g_malloc (TALLY_ITEM_SHA256_LEN * 2 + 1);

  for (guint i = 0; i < TALLY_ITEM_SHA256_LEN; i++)
    {
      hex[2 * i] = digits[sha256[i] >> 4];
      hex[2 * i + 1] = digits[sha256[i] & 0xf];
    }
  hex[TALLY_ITEM_SHA256_LEN * 2] = '\0';
  return hex;
}

char *
tally_item_cache_get_path (TallyItemCache *self,
                           const guint8    sha256[TALLY_ITEM_SHA256_LEN])
{
  g_autofree char *hex = NULL;
  g_autofree char *file = NULL;
  char             sub[3];

  g_return_val_if_fail (TALLY_IS_ITEM_CACHE (self), NULL);
  g_return_val_if_fail (sha256 != NULL, NULL);

  hex = tally_item_sha256_to_hex (sha256);
  memcpy (sub, hex, 2);
  sub[2] = '\0';
  file = g_strconcat (hex, ".bin", NULL);
  return g_build_filename (self->directory, sub, file, NULL);
}

/* ---- lookup ------------------------------------------------------------------ */

static gboolean
read_all (int           fd,
          guint8       *buffer,
          guint64       size,
          GCancellable *cancellable,
          GError      **error)
{
  guint64 done = 0;

  while (done < size)
    {
      ssize_t n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      n = read (fd, buffer + done, MIN (size - done, IO_CHUNK));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE; /* shorter than it was a moment ago: treated as damaged */
      done += (guint64) n;
    }
  return TRUE;
}

/* Removes a damaged entry, unless a store replaced it meanwhile. */
static void
drop_damaged (TallyItemCache    *self,
              const char        *path,
              const char        *hex,
              const struct stat *opened)
{
  struct stat now;

  if (stat (path, &now) == 0 && now.st_ino == opened->st_ino && now.st_dev == opened->st_dev)
    {
      g_debug ("Removing damaged cache entry %s", path);
      g_unlink (path);
      g_mutex_lock (&self->lock);
      _tally_item_cache_index_forget (self, hex);
      g_mutex_unlock (&self->lock);
    }
}

static gboolean
check_sha256 (GBytes  *bytes,
              gpointer user_data)
{
  const guint8     *sha256 = user_data;
  guint8            digest[SHA256_DIGEST_SIZE];
  struct sha256_ctx ctx;
  gsize             size;
  const guint8     *data = g_bytes_get_data (bytes, &size);

  sha256_init (&ctx);
  sha256_update (&ctx, size, data);
  sha256_digest (&ctx, sizeof digest, digest);
  return memcmp (digest, sha256, sizeof digest) == 0;
}

GBytes *
tally_item_cache_lookup_sync (TallyItemCache *self,
                              const guint8    sha256[TALLY_ITEM_SHA256_LEN],
                              guint64         size,
                              GCancellable   *cancellable,
                              GError        **error)
{
  return tally_item_cache_lookup_checked_sync (self, sha256, size, check_sha256, (gpointer) sha256,
                                               cancellable, error);
}

GBytes *
tally_item_cache_lookup_checked_sync (TallyItemCache     *self,
                                      const guint8        sha256[TALLY_ITEM_SHA256_LEN],
                                      guint64             size,
                                      TallyItemCacheCheck check,
                                      gpointer            check_data,
                                      GCancellable       *cancellable,
                                      GError            **error)
{
  g_autofree char *path = NULL;
  g_autofree char *hex = NULL;
  g_autoptr (GBytes) bytes = NULL;
  guint8     *buffer;
  struct stat st;
  GError     *local_error = NULL;
  gboolean    ok;
  int         fd;

  g_return_val_if_fail (TALLY_IS_ITEM_CACHE (self), NULL);
  g_return_val_if_fail (sha256 != NULL, NULL);
  g_return_val_if_fail (check != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  g_mutex_lock (&self->lock);
  ok = _tally_item_cache_ensure_loaded (self, error);
  g_mutex_unlock (&self->lock);
  if (!ok)
    return NULL;

  path = tally_item_cache_get_path (self, sha256);
  hex = tally_item_sha256_to_hex (sha256);
  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      g_mutex_lock (&self->lock);
      _tally_item_cache_index_forget (self, hex);
      g_mutex_unlock (&self->lock);
      return NULL;
    }

  if (fstat (fd, &st) != 0)
    {
      close (fd);
      return NULL;
    }
  if (!S_ISREG (st.st_mode) || (guint64) st.st_size != size)
    {
      drop_damaged (self, path, hex, &st);
      close (fd);
      return NULL;
    }

  buffer = g_malloc (MAX (size, 1));
  bytes = g_bytes_new_take (buffer, size);
  if (!read_all (fd, buffer, size, cancellable, &local_error))
    {
      if (local_error != NULL)
        g_propagate_error (error, local_error);
      else
        drop_damaged (self, path, hex, &st);
      close (fd);
      return NULL;
    }

  if (!check (bytes, check_data))
    {
      drop_damaged (self, path, hex, &st);
      close (fd);
      return NULL;
    }

  /* A hit makes the entry the most recently used. */
  {
    const struct timespec times[2] = { { 0, UTIME_OMIT }, { 0, UTIME_NOW } };

    if (futimens (fd, times) == 0 && fstat (fd, &st) == 0)
      {
        g_mutex_lock (&self->lock);
        _tally_item_cache_index_put (self, hex, size, _tally_item_cache_stat_mtime_us (&st));
        g_mutex_unlock (&self->lock);
      }
  }
  close (fd);

  return g_steal_pointer (&bytes);
}

static void
lookup_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Op     *op = task_data;
  GError *error = NULL;
  GBytes *bytes;

  bytes = tally_item_cache_lookup_sync (source_object, op->sha256, op->size, cancellable, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
}

void
tally_item_cache_lookup_async (TallyItemCache     *self,
                               const guint8        sha256[TALLY_ITEM_SHA256_LEN],
                               guint64             size,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  Op *op;

  g_return_if_fail (TALLY_IS_ITEM_CACHE (self));
  g_return_if_fail (sha256 != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_item_cache_lookup_async);
  op = g_new0 (Op, 1);
  memcpy (op->sha256, sha256, TALLY_ITEM_SHA256_LEN);
  op->size = size;
  g_task_set_task_data (task, op, op_free);
  g_task_run_in_thread (task, lookup_thread);
}

GBytes *
tally_item_cache_lookup_finish (TallyItemCache *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tally_item_cache_lookup_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- store ------------------------------------------------------------------- */

static gboolean
storage_error (GError    **error,
               const char *what,
               const char *path,
               int         saved_errno)
{
  g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE,
               "Could not %s the cached item %s: %s", what, path, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         size,
           GCancellable *cancellable,
           GError      **error,
           const char   *path)
{
  gsize done = 0;

  while (done < size)
    {
      ssize_t n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      n = write (fd, data + done, MIN (size - done, IO_CHUNK));
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return storage_error (error, "write", path, errno);
      done += (gsize) n;
    }
  return TRUE;
}

gboolean
tally_item_cache_store_sync (TallyItemCache *self,
                             const guint8    sha256[TALLY_ITEM_SHA256_LEN],
                             GBytes         *bytes,
                             GCancellable   *cancellable,
                             GError        **error)
{
  g_autofree char  *path = NULL;
  g_autofree char  *hex = NULL;
  g_autofree char  *subdir = NULL;
  g_autofree char  *temp = NULL;
  guint8            digest[SHA256_DIGEST_SIZE];
  struct sha256_ctx ctx;
  struct stat       st;
  const guint8     *data;
  gsize             size;
  gboolean          ok;
  int               fd;

  g_return_val_if_fail (TALLY_IS_ITEM_CACHE (self), FALSE);
  g_return_val_if_fail (sha256 != NULL, FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  data = g_bytes_get_data (bytes, &size);
  hex = tally_item_sha256_to_hex (sha256);
  sha256_init (&ctx);
  sha256_update (&ctx, size, data);
  sha256_digest (&ctx, sizeof digest, digest);
  if (memcmp (digest, sha256, sizeof digest) != 0)
    {
      g_autofree char *actual = tally_item_sha256_to_hex (digest);

      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_HASH_MISMATCH,
                   "Refusing to cache an item as %s: its SHA-256 is %s", hex, actual);
      return FALSE;
    }

  g_mutex_lock (&self->lock);
  ok = _tally_item_cache_ensure_loaded (self, error);
  g_mutex_unlock (&self->lock);
  if (!ok)
    return FALSE;

  path = tally_item_cache_get_path (self, sha256);
  subdir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (subdir, 0700) != 0)
    return storage_error (error, "create the folder of", path, errno);

  /* In DIR itself, so the rename never crosses a file system. */
  temp = g_build_filename (self->directory, TALLY_ITEM_CACHE_TEMP_PREFIX "XXXXXX", NULL);
  fd = g_mkstemp_full (temp, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    return storage_error (error, "create a temporary file for", path, errno);

  /* Held until the rename: see temp_file_is_abandoned(). */
  ok = flock (fd, LOCK_EX) == 0 || storage_error (error, "lock a temporary file for", path, errno);
  if (ok)
    ok = write_all (fd, data, size, cancellable, error, path);
  if (ok && fsync (fd) != 0)
    ok = storage_error (error, "sync", path, errno);
  if (ok && fstat (fd, &st) != 0)
    ok = storage_error (error, "inspect", path, errno);
  if (ok && g_cancellable_set_error_if_cancelled (cancellable, error))
    ok = FALSE;
  if (ok && g_rename (temp, path) != 0)
    ok = storage_error (error, "rename", path, errno);
  if (close (fd) != 0 && ok)
    ok = storage_error (error, "close", path, errno);
  if (!ok)
    {
      g_unlink (temp);
      return FALSE;
    }

  g_mutex_lock (&self->lock);
  _tally_item_cache_index_put (self, hex, size, _tally_item_cache_stat_mtime_us (&st));
  _tally_item_cache_evict (self, hex);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

static void
store_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Op     *op = task_data;
  GError *error = NULL;

  if (tally_item_cache_store_sync (source_object, op->sha256, op->bytes, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
tally_item_cache_store_async (TallyItemCache     *self,
                              const guint8        sha256[TALLY_ITEM_SHA256_LEN],
                              GBytes             *bytes,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  Op *op;

  g_return_if_fail (TALLY_IS_ITEM_CACHE (self));
  g_return_if_fail (sha256 != NULL);
  g_return_if_fail (bytes != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_item_cache_store_async);
  op = g_new0 (Op, 1);
  memcpy (op->sha256, sha256, TALLY_ITEM_SHA256_LEN);
  op->bytes = g_bytes_ref (bytes);
  g_task_set_task_data (task, op, op_free);
  g_task_run_in_thread (task, store_thread);
}

gboolean
tally_item_cache_store_finish (TallyItemCache *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tally_item_cache_store_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- the object ---------------------------------------------------------------- */

guint64
tally_item_cache_get_total_size (TallyItemCache *self)
{
  guint64 total;

  g_return_val_if_fail (TALLY_IS_ITEM_CACHE (self), 0);

  g_mutex_lock (&self->lock);
  total = self->total;
  g_mutex_unlock (&self->lock);
  return total;
}

const char *
tally_item_cache_get_directory (TallyItemCache *self)
{
  g_return_val_if_fail (TALLY_IS_ITEM_CACHE (self), NULL);

  return self->directory;
}

guint64
tally_item_cache_get_max_size (TallyItemCache *self)
{
  g_return_val_if_fail (TALLY_IS_ITEM_CACHE (self), 0);

  return self->max_size;
}

void
tally_item_cache_set_max_size (TallyItemCache *self,
                               guint64         max_size)
{
  g_return_if_fail (TALLY_IS_ITEM_CACHE (self));

  g_mutex_lock (&self->lock);
  if (self->max_size == max_size)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  self->max_size = max_size;
  g_mutex_unlock (&self->lock);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_SIZE]);
}

TallyItemCache *
tally_item_cache_new (const char *directory,
                      guint64     max_size)
{
  g_return_val_if_fail (directory != NULL, NULL);

  return g_object_new (TALLY_TYPE_ITEM_CACHE, "directory", directory, "max-size", max_size, NULL);
}

static void
tally_item_cache_finalize (GObject *object)
{
  TallyItemCache *self = TALLY_ITEM_CACHE (object);

  g_clear_pointer (&self->index, g_hash_table_unref);
  g_clear_pointer (&self->directory, g_free);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (tally_item_cache_parent_class)->finalize (object);
}

static void
tally_item_cache_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  TallyItemCache *self = TALLY_ITEM_CACHE (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      g_value_set_string (value, self->directory);
      break;
    case PROP_MAX_SIZE:
      g_value_set_uint64 (value, tally_item_cache_get_max_size (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_item_cache_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  TallyItemCache *self = TALLY_ITEM_CACHE (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      self->directory = g_value_dup_string (value);
      break;
    case PROP_MAX_SIZE:
      tally_item_cache_set_max_size (self, g_value_get_uint64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_item_cache_class_init (TallyItemCacheClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tally_item_cache_finalize;
  object_class->get_property = tally_item_cache_get_property;
  object_class->set_property = tally_item_cache_set_property;

  properties[PROP_DIRECTORY] =
    g_param_spec_string ("directory", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_SIZE] =
    g_param_spec_uint64 ("max-size", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tally_item_cache_init (TallyItemCache *self)
{
  g_mutex_init (&self->lock);
  self->index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}
