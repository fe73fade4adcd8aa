/* bench-cli-rss.c: tally-cli's memory and time with 10,000 items open,
 * on a private tools/devnet
 *
 * The contract bounds a task to 256 items, so "a 10,000-item task" is 40
 * tasks of 250 small text items each, their manifests and items served by
 * an in-process HTTP server on 127.0.0.1. Each command runs as a child of
 * this process; its peak resident set comes from wait4()'s rusage, its wall
 * time from spawn to exit:
 *
 *   tally-cli tasks --json           the market's 40 tasks
 *   tally-cli task show ID --json    one of them in detail
 *   tally-cli fetch --all            all 10,000 items downloaded and verified
 *   tally-cli fetch --all            again, every item from the cache
 *   tally-cli fetch ID               one task of 250 from the cache, beside the
 *                                    40 of --all: memory should not grow with items
 *
 *   meson test -C build --benchmark cli-rss     (or build/bench/bench-cli-rss)
 *
 * A print-only benchmark: it exits 0 unless a command fails.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "item-cache.h"
#include "tally-test-market.h"
#include "wallet/keccak.h"

#define N_TASKS       40
#define ITEMS_A_TASK  250
#define TOTAL_ITEMS   (N_TASKS * ITEMS_A_TASK)
#define POLL_MS       1
#define CHILD_SECONDS 300

typedef struct
{
  SoupServer *server;
  char       *base;
  GHashTable *served; /* path → GBytes */
  guint64     requests;
} Server;

typedef struct
{
  const char *name;
  int         status;
  gboolean    exited;
  double      seconds;
  glong       max_rss_kib;
  char       *out;
  char       *err;
} Run;

static void
handle (SoupServer        *server,
        SoupServerMessage *message,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  Server *self = user_data;
  GBytes *body = g_hash_table_lookup (self->served, path);

  self->requests++;
  if (body == NULL)
    {
      soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "application/octet-stream", SOUP_MEMORY_COPY,
                                    g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

static void
server_start (Server *self)
{
  g_autoptr (GError) error = NULL;
  GSList *uris;

  self->served = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_bytes_unref);
  self->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (self->server, NULL, handle, self, NULL);
  if (!soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("Could not listen on 127.0.0.1: %s", error->message);
  uris = soup_server_get_uris (self->server);
  self->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
server_stop (Server *self)
{
  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_clear_pointer (&self->served, g_hash_table_unref);
  g_clear_pointer (&self->base, g_free);
}

/* A line of text a labeler might classify, different for every item. */
static GBytes *
make_item (guint task,
           guint index)
{
  static const char *const words[] = { "river", "bridge", "market", "harbour", "street",
                                       "garden", "station", "tower", "square", "field" };
  GString                 *text = g_string_new (NULL);

  g_string_append_printf (text, "Task %u, text %u: the", task, index);
  for (guint w = 0; w < 12 + (index % 20); w++)
    g_string_append_printf (text, " %s", words[(task * 7 + index * 3 + w) % G_N_ELEMENTS (words)]);
  g_string_append (text, ".\n");
  return g_string_free_to_bytes (text);
}

/* Serves task t's manifest and items; the manifest's keccak-256 in hash. */
static char *
publish_task (Server  *server,
              guint    t,
              guint8   hash[32],
              guint64 *bytes)
{
  GString *json = g_string_new (NULL);
  g_autoptr (GBytes) manifest = NULL;
  char *path;

  g_string_append_printf (json,
                          "{\"schema\": 1, \"title\": \"Benchmark task %u\", \"classes\": ["
                          "{\"name\": \"Place\", \"color\": \"#3584e4\"}, "
                          "{\"name\": \"Other\", \"color\": \"#9a9996\"}], "
                          "\"tools\": [\"classify\"], \"items\": [",
                          t);
  for (guint i = 0; i < ITEMS_A_TASK; i++)
    {
      g_autoptr (GBytes) item = make_item (t, i);
      g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, item);

      g_string_append_printf (json,
                              "%s{\"id\": \"t%u-%03u\", \"kind\": \"text\", \"uri\": "
                              "\"items/%03u.txt\", \"sha256\": \"%s\", \"size\": %" G_GSIZE_FORMAT
                              "}",
                              i == 0 ? "" : ", ", t, i, i, sha, g_bytes_get_size (item));
      *bytes += g_bytes_get_size (item);
      g_hash_table_insert (server->served, g_strdup_printf ("/t%u/items/%03u.txt", t, i),
                           g_steal_pointer (&item));
    }
  g_string_append (json, "]}\n");
  manifest = g_string_free_to_bytes (json);
  tally_keccak256 (hash, g_bytes_get_data (manifest, NULL), g_bytes_get_size (manifest));
  path = g_strdup_printf ("/t%u/manifest.json", t);
  g_hash_table_insert (server->served, path, g_bytes_ref (manifest));
  return g_strconcat (server->base, path, NULL);
}

/* ---- a child, measured -------------------------------------------------------- */

typedef struct
{
  GPid          pid;
  Run          *run;
  gboolean      done;
  struct rusage usage;
} Child;

static gboolean
on_poll (gpointer user_data)
{
  Child *child = user_data;
  int    status = 0;
  pid_t  pid = wait4 (child->pid, &status, WNOHANG, &child->usage);

  if (pid == 0)
    return G_SOURCE_CONTINUE;
  if (pid < 0)
    g_error ("wait4: %s", g_strerror (errno));
  child->run->exited = WIFEXITED (status);
  child->run->status = WIFEXITED (status) ? WEXITSTATUS (status) : -WTERMSIG (status);
  child->done = TRUE;
  return G_SOURCE_REMOVE;
}

static char *
read_back (int fd)
{
  g_autoptr (GString) text = g_string_new (NULL);
  char    buffer[65536];
  ssize_t n;

  lseek (fd, 0, SEEK_SET);
  while ((n = read (fd, buffer, sizeof buffer)) > 0)
    g_string_append_len (text, buffer, n);
  close (fd);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static int
temp_fd (const char *dir,
         const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  int              fd = g_open (path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

  if (fd < 0)
    g_error ("Could not create %s: %s", path, g_strerror (errno));
  return fd;
}

/* Runs tally-cli with args while this process keeps serving HTTP; stdout
 * and stderr go to files, since tasks --json can outgrow a pipe. */
static void
run_cli (Run               *run,
         const char        *home,
         const char        *network_file,
         const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *data = g_build_filename (home, "data", NULL);
  g_autofree char *cache = g_build_filename (home, "cache", NULL);
  g_auto (GStrv) env = g_get_environ ();
  int    out = temp_fd (home, "stdout"), err = temp_fd (home, "stderr");
  Child  child = { 0 };
  gint64 start, deadline;

  env = g_environ_setenv (env, "XDG_DATA_HOME", data, TRUE);
  env = g_environ_setenv (env, "XDG_CACHE_HOME", cache, TRUE);
  g_ptr_array_add (argv, (gpointer) g_getenv ("TALLY_CLI"));
  g_ptr_array_add (argv, (gpointer) "--network");
  g_ptr_array_add (argv, (gpointer) network_file);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  start = g_get_monotonic_time ();
  deadline = start + (gint64) CHILD_SECONDS * G_USEC_PER_SEC;
  if (!g_spawn_async_with_pipes_and_fds (NULL, (const char *const *) argv->pdata,
                                         (const char *const *) env, G_SPAWN_DO_NOT_REAP_CHILD,
                                         NULL, NULL, -1, out, err, NULL, NULL, 0, &child.pid,
                                         NULL, NULL, NULL, &error))
    g_error ("Could not run tally-cli: %s", error->message);
  child.run = run;
  g_timeout_add (POLL_MS, on_poll, &child);
  while (!child.done)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("tally-cli %s ran for more than %d s", run->name, CHILD_SECONDS);
      g_main_context_iteration (NULL, TRUE);
    }
  run->seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  run->max_rss_kib = child.usage.ru_maxrss; /* kilobytes on Linux */
  g_spawn_close_pid (child.pid);
  run->out = read_back (out);
  run->err = read_back (err);
  if (!run->exited || run->status != 0)
    g_error ("tally-cli %s failed (status %d): %s", run->name, run->status, run->err);
}

static void
print_run (const Run *run,
           guint      items)
{
  g_print ("  %-32s peak RSS %7.1f MiB   wall %7.3f s", run->name, run->max_rss_kib / 1024.0,
           run->seconds);
  if (items > 0)
    g_print ("   %8.0f items/s", items / run->seconds);
  g_print ("\n");
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      remove_tree (child);
    }
  g_remove (path);
}

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

int
main (int   argc,
      char *argv[])
{
  TallyTestMarket market = { 0 };
  Server          server = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *home = NULL;
  g_autofree char *show_id = NULL;
  g_autofree char *expected = NULL;
  Run              runs[5] = {
                 { .name = "tasks --json" },
                 { .name = "task show ID --json" },
                 { .name = "fetch --all (downloads)" },
                 { .name = "fetch --all (from the cache)" },
                 { .name = "fetch ID (250, from the cache)" },
  };
  guint64 bytes = 0;
  gint64  start;

  if (g_getenv ("TALLY_SOURCE_DIR") == NULL || g_getenv ("TALLY_CLI") == NULL)
    {
      g_printerr ("bench-cli-rss needs TALLY_SOURCE_DIR, TALLY_TOOLS_BIN and TALLY_CLI: run it "
                  "with meson test --benchmark cli-rss\n");
      return 1;
    }
  home = g_dir_make_tmp ("tally-bench-cli-rss-XXXXXX", &error);
  g_assert_no_error (error);
  tally_test_market_init (&market, "tally-bench-cli-rss-devnet-XXXXXX");
  server_start (&server);

  start = g_get_monotonic_time ();
  for (guint t = 0; t < N_TASKS; t++)
    {
      TallyLabelTaskParams params = tally_test_market_default_params (&market, ITEMS_A_TASK, 2, 0);
      g_autofree char     *uri = publish_task (&server, t, params.manifest_hash, &bytes);
      TallyUint256         id;

      params.class_count = 2; /* the manifest's */
      id = tally_test_market_create_task (&market, TALLY_TEST_MARKET_REQUESTER,
                                          &params, uri);

      if (t == N_TASKS / 2)
        show_id = tally_uint256_to_decimal (&id);
    }
  g_print ("tally-cli with %d items open: %d tasks of %d text items (%" G_GUINT64_FORMAT
           " bytes in all) on tools/devnet, created in %.1f s\n",
           TOTAL_ITEMS, N_TASKS, ITEMS_A_TASK, bytes,
           (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC);

  run_cli (&runs[0], home, market.devnet.network_file,
           (const char *const[]){ "tasks", "--json", NULL });
  run_cli (&runs[1], home, market.devnet.network_file,
           (const char *const[]){ "task", "show", show_id, "--json", NULL });
  server.requests = 0;
  run_cli (&runs[2], home, market.devnet.network_file,
           (const char *const[]){ "fetch", "--all", NULL });
  expected = g_strdup_printf ("%d items verified", TOTAL_ITEMS);
  if (strstr (runs[2].out, expected) == NULL || server.requests != TOTAL_ITEMS + N_TASKS)
    g_error ("fetch --all said “%s” after %" G_GUINT64_FORMAT " requests", runs[2].out,
             server.requests);
  server.requests = 0;
  run_cli (&runs[3], home, market.devnet.network_file,
           (const char *const[]){ "fetch", "--all", NULL });
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("%d items verified", TOTAL_ITEMS);
  if (strstr (runs[3].out, expected) == NULL || server.requests != N_TASKS)
    g_error ("fetch --all from the cache said “%s” after %" G_GUINT64_FORMAT " requests",
             runs[3].out, server.requests);

  run_cli (&runs[4], home, market.devnet.network_file,
           (const char *const[]){ "fetch", show_id, NULL });

  g_print ("Each command as a child process (peak resident set from wait4, wall time from "
           "spawn to exit):\n");
  print_run (&runs[0], 0);
  print_run (&runs[1], 0);
  print_run (&runs[2], TOTAL_ITEMS);
  print_run (&runs[3], TOTAL_ITEMS);
  print_run (&runs[4], ITEMS_A_TASK);
  g_print ("  (the HTTP server and the chain run beside the child on the same machine)\n");

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    run_clear (&runs[i]);
  server_stop (&server);
  tally_test_market_clear (&market);
  remove_tree (home);
  return 0;
}
