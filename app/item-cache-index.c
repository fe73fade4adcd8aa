/* item-cache-index.c: TallyItemCache's index of entry sizes and times:
 * read from the directory once (removing dead writers' temporary files),
 * kept up to date by lookups and stores, and used to evict the least
 * recently used entries without rescanning
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

#include "core-error.h"
#include "item-cache-private.h"

typedef struct
{
  guint64 size;
  gint64  used; /* mtime, µs since the epoch */
} Entry;

static gboolean
is_hex_name (const char *name,
             gsize       len)
{
  if (strlen (name) != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (name[i]) || g_ascii_isupper (name[i]))
      return FALSE;
  return TRUE;
}

gint64
_tally_item_cache_stat_mtime_us (const struct stat *st)
{
  return (gint64) st->st_mtim.tv_sec * G_USEC_PER_SEC + st->st_mtim.tv_nsec / 1000;
}

void
_tally_item_cache_index_put (TallyItemCache *self,
                             const char     *hex,
                             guint64         size,
                             gint64          used)
{
  Entry *entry = g_hash_table_lookup (self->index, hex);

  if (entry == NULL)
    {
      entry = g_new0 (Entry, 1);
      g_hash_table_insert (self->index, g_strdup (hex), entry);
    }
  else
    self->total -= entry->size;
  entry->size = size;
  entry->used = used;
  self->total += size;
}

void
_tally_item_cache_index_forget (TallyItemCache *self,
                                const char     *hex)
{
  Entry *entry = g_hash_table_lookup (self->index, hex);

  if (entry == NULL)
    return;
  self->total -= entry->size;
  g_hash_table_remove (self->index, hex);
}

static void
scan_subdir (TallyItemCache *self,
             const char     *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);
      g_autofree char *hex = NULL;
      struct stat      st;

      if (!g_str_has_suffix (name, ".bin"))
        continue;
      hex = g_strndup (name, strlen (name) - 4);
      if (!is_hex_name (hex, TALLY_ITEM_SHA256_LEN * 2) ||
          stat (file, &st) != 0 || !S_ISREG (st.st_mode))
        continue;
      _tally_item_cache_index_put (self, hex, (guint64) st.st_size,
                                   _tally_item_cache_stat_mtime_us (&st));
    }
}

/* A writer holds an exclusive lock on its temporary file until the file
 * is renamed into place; the kernel drops it when the writer dies, even of
 * SIGKILL. A file nobody holds is a dead writer's. (A writer between
 * creating its file and locking it, a few instructions, would lose its
 * write to this and report an error; the item is fetched again.) */
static gboolean
temp_file_is_abandoned (const char *path)
{
  int      fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
  gboolean abandoned;

  if (fd < 0)
    return FALSE;
  abandoned = flock (fd, LOCK_EX | LOCK_NB) == 0;
  close (fd);
  return abandoned;
}

gboolean
_tally_item_cache_ensure_loaded (TallyItemCache *self,
                                 GError        **error)
{
  g_autoptr (GDir) dir = NULL;
  const char *name;

  if (self->loaded)
    return TRUE;

  if (g_mkdir_with_parents (self->directory, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE,
                   "Could not create the item cache folder %s: %s", self->directory,
                   g_strerror (saved));
      return FALSE;
    }
  dir = g_dir_open (self->directory, 0, error);
  if (dir == NULL)
    return FALSE;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (self->directory, name, NULL);

      if (g_str_has_prefix (name, TALLY_ITEM_CACHE_TEMP_PREFIX))
        {
          if (temp_file_is_abandoned (path))
            g_unlink (path);
          continue;
        }
      if (is_hex_name (name, 2))
        scan_subdir (self, path);
    }
  self->loaded = TRUE;
  return TRUE;
}

typedef struct
{
  char  *hex;
  Entry *entry;
} Victim;

static gint
compare_victims (gconstpointer a,
                 gconstpointer b)
{
  const Victim *va = a;
  const Victim *vb = b;

  if (va->entry->used != vb->entry->used)
    return va->entry->used < vb->entry->used ? -1 : 1;
  return strcmp (va->hex, vb->hex);
}

/* Deletes the least recently used entries until the total fits the budget,
 * never the one just stored (an item over the whole budget stays alone). */
void
_tally_item_cache_evict (TallyItemCache *self,
                         const char     *keep)
{
  g_autoptr (GArray) victims = NULL;
  GHashTableIter iter;
  gpointer       key, value;

  if (self->max_size == 0 || self->total <= self->max_size)
    return;

  victims = g_array_sized_new (FALSE, FALSE, sizeof (Victim), g_hash_table_size (self->index));
  g_hash_table_iter_init (&iter, self->index);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Victim victim = { key, value };

      if (g_strcmp0 (key, keep) != 0)
        g_array_append_val (victims, victim);
    }
  g_array_sort (victims, compare_victims);

  for (guint i = 0; i < victims->len && self->total > self->max_size; i++)
    {
      g_autofree char *hex = g_strdup (g_array_index (victims, Victim, i).hex);
      g_autofree char *file = g_strconcat (hex, ".bin", NULL);
      char             sub[3] = { hex[0], hex[1], '\0' };
      g_autofree char *path = g_build_filename (self->directory, sub, file, NULL);

      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          g_debug ("Could not evict %s: %s", path, g_strerror (errno));
          continue;
        }
      g_debug ("Evicted %s from the item cache", hex);
      _tally_item_cache_index_forget (self, hex);
    }
}
