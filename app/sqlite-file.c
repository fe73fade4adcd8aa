/* sqlite-file.c: what every SQLite file of Tally does the same way
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include "core-error.h"
#include "sqlite-file.h"

gboolean
tally_sqlite_fail (sqlite3    *db,
                   const char *role,
                   const char *path,
                   const char *doing,
                   GError    **error)
{
  g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE, "Could not %s %s %s: %s", doing,
               role, path, db != NULL ? sqlite3_errmsg (db) : "out of memory");
  return FALSE;
}

gboolean
tally_sqlite_exec (sqlite3    *db,
                   const char *role,
                   const char *path,
                   const char *sql,
                   const char *doing,
                   GError    **error)
{
  return sqlite3_exec (db, sql, NULL, NULL, NULL) == SQLITE_OK ||
         tally_sqlite_fail (db, role, path, doing, error);
}

int
tally_sqlite_user_version (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  int           version = -1;

  if (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK)
    return -1;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return version;
}

gboolean
tally_sqlite_open (sqlite3   **db,
                   const char *role,
                   const char *path,
                   gboolean    durable,
                   GError    **error)
{
  if (sqlite3_open_v2 (path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                       NULL) != SQLITE_OK)
    return tally_sqlite_fail (*db, role, path, "open", error);
  sqlite3_busy_timeout (*db, 5000);
  return tally_sqlite_exec (*db, role, path, "PRAGMA journal_mode = WAL", "open", error) &&
         tally_sqlite_exec (*db, role, path,
                            durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
                            "open", error);
}

gboolean
tally_sqlite_migrate (sqlite3           *db,
                      const char        *role,
                      const char        *path,
                      const char *const *steps,
                      guint              n_steps,
                      GError           **error)
{
  int version = tally_sqlite_user_version (db);

  if (version < 0)
    return tally_sqlite_fail (db, role, path, "read the schema version of", error);
  if ((guint) version > n_steps)
    {
      g_autofree char *subject = g_strdup (role);

      /* The role starts the sentence here. */
      subject[0] = g_ascii_toupper (subject[0]);
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE,
                   "%s %s has schema version %d; this Tally knows up to %u. Update Tally to open it",
                   subject, path, version, n_steps);
      return FALSE;
    }
  for (guint step = (guint) version; step < n_steps; step++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %u", step + 1);

      if (!tally_sqlite_exec (db, role, path, "BEGIN IMMEDIATE", "migrate", error))
        return FALSE;
      if (!tally_sqlite_exec (db, role, path, steps[step], "migrate", error) ||
          !tally_sqlite_exec (db, role, path, bump, "migrate", error))
        {
          sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
      if (!tally_sqlite_exec (db, role, path, "COMMIT", "migrate", error))
        return FALSE;
    }
  return TRUE;
}
