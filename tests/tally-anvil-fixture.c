/* tally-anvil-fixture.c: a private anvil chain for integration tests
 *
 * anvil from the npm registry is a Node.js launcher that runs the real binary
 * as its own child. So the fixture puts anvil in a process group of its own and
 * signals the whole group, and asks the kernel to send SIGTERM to the launcher
 * (which forwards it) should the test process die without cleaning up.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "tally-anvil-fixture.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#define READY_TIMEOUT_S  20
#define STOP_TIMEOUT_S   10
#define POLL_INTERVAL_US (50 * 1000)
#define START_ATTEMPTS   3

struct _TallyAnvil
{
  GSubprocess *process;
  GPid         pgid;
  guint16      port;
  char        *url;
};

char *
tally_anvil_find_binary (GError **error)
{
  const char *tools_bin = g_getenv ("TALLY_TOOLS_BIN");
  char       *path;

  if (tools_bin != NULL && *tools_bin != '\0')
    {
      path = g_build_filename (tools_bin, "anvil", NULL);
      if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE) && !g_file_test (path, G_FILE_TEST_IS_DIR))
        return path;
      g_free (path);
    }

  path = g_find_program_in_path ("anvil");
  if (path != NULL)
    return path;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               "anvil was found neither in TALLY_TOOLS_BIN (%s) nor in PATH; "
               "run tools/install-deps",
               tools_bin != NULL ? tools_bin : "unset");
  return NULL;
}

gboolean
tally_anvil_pick_free_port (guint16 *port,
                            GError **error)
{
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GInetAddress) loopback = NULL;
  g_autoptr (GSocketAddress) any_port = NULL;
  g_autoptr (GSocketAddress) bound = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return FALSE;

  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  any_port = g_inet_socket_address_new (loopback, 0);
  if (!g_socket_bind (socket, any_port, FALSE, error))
    return FALSE;

  bound = g_socket_get_local_address (socket, error);
  if (bound == NULL)
    return FALSE;

  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return g_socket_close (socket, error);
}

/* Runs in the child between fork and exec: async-signal-safe calls only. */
static void
child_setup (gpointer user_data)
{
  setpgid (0, 0);
#ifdef __linux__
  /* Sent when the thread that spawned anvil exits, which for a test is the
   * main thread: an aborted test still takes its chain with it. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
}

static gboolean
process_running (TallyAnvil *self)
{
  /* GLib's worker thread reaps the child; the identifier is gone then. */
  return self->process != NULL && g_subprocess_get_identifier (self->process) != NULL;
}

static gboolean
group_alive (TallyAnvil *self)
{
  return self->pgid > 0 && (kill (-self->pgid, 0) == 0 || errno != ESRCH);
}

static char *
describe_exit (GSubprocess *process)
{
  g_subprocess_wait (process, NULL, NULL);

  if (g_subprocess_get_if_exited (process))
    return g_strdup_printf ("exited with status %d", g_subprocess_get_exit_status (process));
  if (g_subprocess_get_if_signaled (process))
    return g_strdup_printf ("was killed by signal %d", g_subprocess_get_term_sig (process));
  return g_strdup ("ended");
}

/* One eth_chainId request. Returns the chain id anvil reports, or NULL while
 * nothing answers yet. */
static char *
query_chain_id (SoupSession *session,
                const char  *url)
{
  static const char body[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}";
  g_autoptr (SoupMessage) message = soup_message_new (SOUP_METHOD_POST, url);
  g_autoptr (GBytes) request = g_bytes_new_static (body, sizeof body - 1);
  g_autoptr (GBytes) response = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode   *root;
  JsonObject *object;

  soup_message_set_request_body_from_bytes (message, "application/json", request);
  response = soup_session_send_and_read (session, message, NULL, NULL);
  if (response == NULL || soup_message_get_status (message) != SOUP_STATUS_OK)
    return NULL;

  if (!json_parser_load_from_data (parser, g_bytes_get_data (response, NULL),
                                   g_bytes_get_size (response), NULL))
    return NULL;

  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  object = json_node_get_object (root);
  if (!json_object_has_member (object, "result"))
    return NULL;

  return g_strdup (json_object_get_string_member_with_default (object, "result", ""));
}

static gboolean
wait_until_ready (TallyAnvil *self,
                  const char *anvil_path,
                  gboolean   *exited_early,
                  GError    **error)
{
  g_autoptr (SoupSession) session = NULL;
  g_autofree char *expected = g_strdup_printf ("0x%x", TALLY_ANVIL_CHAIN_ID);
  gint64           deadline = g_get_monotonic_time () + READY_TIMEOUT_S * G_USEC_PER_SEC;

  *exited_early = FALSE;

  /* A loopback address: a system proxy must not get in the way. */
  session = soup_session_new_with_options ("timeout", 2, "proxy-resolver", NULL, NULL);

  for (;;)
    {
      g_autofree char *chain_id = NULL;

      if (!process_running (self))
        {
          g_autofree char *how = describe_exit (self->process);

          *exited_early = TRUE;
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "%s %s before answering on %s (its messages, if any, are on stderr)",
                       anvil_path, how, self->url);
          return FALSE;
        }

      chain_id = query_chain_id (session, self->url);
      if (chain_id != NULL)
        {
          if (g_strcmp0 (chain_id, expected) == 0)
            return TRUE;

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "%s answers with chain id %s, expected %s: is another node on that port?",
                       self->url, chain_id, expected);
          return FALSE;
        }

      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "%s did not answer JSON-RPC on %s within %d s", anvil_path, self->url,
                       READY_TIMEOUT_S);
          return FALSE;
        }

      g_usleep (POLL_INTERVAL_US);
    }
}

static TallyAnvil *
start_once (const char        *anvil_path,
            const char *const *extra_args,
            gboolean          *exited_early,
            GError           **error)
{
  g_autoptr (TallyAnvil) self = g_new0 (TallyAnvil, 1);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  const char *identifier;

  *exited_early = FALSE;

  if (!tally_anvil_pick_free_port (&self->port, error))
    return NULL;
  self->url = g_strdup_printf ("http://127.0.0.1:%u", self->port);

  g_ptr_array_add (argv, g_strdup (anvil_path));
  g_ptr_array_add (argv, g_strdup ("--host"));
  g_ptr_array_add (argv, g_strdup ("127.0.0.1"));
  g_ptr_array_add (argv, g_strdup ("--port"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", self->port));
  g_ptr_array_add (argv, g_strdup ("--chain-id"));
  g_ptr_array_add (argv, g_strdup_printf ("%d", TALLY_ANVIL_CHAIN_ID));
  g_ptr_array_add (argv, g_strdup ("--quiet"));
  for (gsize i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (extra_args[i]));
  g_ptr_array_add (argv, NULL);

  /* stdout carries the test's TAP stream; anvil's errors go to stderr, which
   * meson keeps in the test log. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);

  self->process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, error);
  if (self->process == NULL)
    return NULL;

  identifier = g_subprocess_get_identifier (self->process);
  if (identifier != NULL)
    {
      self->pgid = (GPid) g_ascii_strtoll (identifier, NULL, 10);
      /* Also from this side, so a stop right away cannot miss the group; it
       * fails harmlessly once the child has done it and exec'd. */
      setpgid (self->pgid, self->pgid);
    }

  if (!wait_until_ready (self, anvil_path, exited_early, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * tally_anvil_start_full:
 * @anvil_path: (nullable): the anvil executable, or %NULL to look for it as
 *   tally_anvil_find_binary() does
 * @extra_args: (nullable): more anvil arguments, such as `--block-time 1`
 * @error: return location for a #GError
 *
 * Starts anvil on a free loopback port and waits until it answers JSON-RPC.
 *
 * Returns: (transfer full): the running chain, or %NULL with @error set
 */
TallyAnvil *
tally_anvil_start_full (const char        *anvil_path,
                        const char *const *extra_args,
                        GError           **error)
{
  g_autofree char *found = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (anvil_path == NULL)
    {
      found = tally_anvil_find_binary (error);
      if (found == NULL)
        return NULL;
      anvil_path = found;
    }

  if (!g_file_test (anvil_path, G_FILE_TEST_IS_EXECUTABLE) ||
      g_file_test (anvil_path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "anvil not found: %s is not an executable",
                   anvil_path);
      return NULL;
    }

  /* Another process may take the port between the probe and anvil's bind;
   * anvil then exits at once and a new port is tried. */
  for (guint attempt = 1;; attempt++)
    {
      g_autoptr (GError) local_error = NULL;
      gboolean    exited_early = FALSE;
      TallyAnvil *self = start_once (anvil_path, extra_args, &exited_early, &local_error);

      if (self != NULL)
        return self;

      if (!exited_early || attempt == START_ATTEMPTS)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }
}

TallyAnvil *
tally_anvil_start_with_binary (const char *anvil_path,
                               GError    **error)
{
  g_return_val_if_fail (anvil_path != NULL, NULL);

  return tally_anvil_start_full (anvil_path, NULL, error);
}

TallyAnvil *
tally_anvil_start (GError **error)
{
  return tally_anvil_start_full (NULL, NULL, error);
}

const char *
tally_anvil_get_url (TallyAnvil *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->url;
}

guint16
tally_anvil_get_port (TallyAnvil *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->port;
}

/**
 * tally_anvil_stop:
 * @self: a #TallyAnvil
 *
 * Stops anvil and waits until its whole process group is gone: SIGTERM first,
 * SIGKILL if it is still there after a few seconds. Calling it again does
 * nothing.
 */
void
tally_anvil_stop (TallyAnvil *self)
{
  gint64 deadline;

  g_return_if_fail (self != NULL);

  if (self->process == NULL)
    return;

  if (group_alive (self))
    kill (-self->pgid, SIGTERM);

  deadline = g_get_monotonic_time () + STOP_TIMEOUT_S * G_USEC_PER_SEC;
  while ((process_running (self) || group_alive (self)) && g_get_monotonic_time () < deadline)
    g_usleep (POLL_INTERVAL_US / 5);

  if (group_alive (self))
    kill (-self->pgid, SIGKILL);

  g_subprocess_wait (self->process, NULL, NULL);
  g_clear_object (&self->process);
  self->pgid = 0;
}

void
tally_anvil_free (TallyAnvil *self)
{
  if (self == NULL)
    return;

  tally_anvil_stop (self);
  g_free (self->url);
  g_free (self);
}
