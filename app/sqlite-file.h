/* sqlite-file.h: what every SQLite file of Tally does the same way —
 * errors that name the file, the schema version, migrations step by step
 *
 * role names the file for people ("the local store", "the event cache");
 * every failure is TALLY_CORE_ERROR_STORAGE: "Could not <doing> <role>
 * <path>: <SQLite's reason>".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* Always FALSE, for `return tally_sqlite_fail (...)`. */
gboolean tally_sqlite_fail (sqlite3    *db,
                            const char *role,
                            const char *path,
                            const char *doing,
                            GError    **error);
gboolean tally_sqlite_exec (sqlite3    *db,
                            const char *role,
                            const char *path,
                            const char *sql,
                            const char *doing,
                            GError    **error) G_GNUC_WARN_UNUSED_RESULT;
/* PRAGMA user_version, or -1 when it cannot be read (not a database). */
int tally_sqlite_user_version (sqlite3 *db);
/* Opens (creating) path in WAL mode, synchronous FULL when durable (a
 * write that returned is on disk) or NORMAL (a cache: the last writes may
 * be lost to a power cut, never corrupted). *db is set even on failure,
 * for the caller to close. */
gboolean tally_sqlite_open (sqlite3   **db,
                            const char *role,
                            const char *path,
                            gboolean    durable,
                            GError    **error) G_GNUC_WARN_UNUSED_RESULT;
/* Brings the file to version n_steps: steps[i] takes it from version i to
 * i + 1, in one transaction with the version bump, so a crash leaves the
 * old version whole. A file of a newer version is refused, untouched. */
gboolean tally_sqlite_migrate (sqlite3           *db,
                               const char        *role,
                               const char        *path,
                               const char *const *steps,
                               guint              n_steps,
                               GError           **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
