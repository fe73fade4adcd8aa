/* tally-test-devnet.c: tools/devnet's chain for integration tests, JSON-RPC
 * calls to it and cast to drive it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "tally-anvil-fixture.h"
#include "tally-test-devnet.h"

/* Makes the directory and picks the port; the chain starts only when asked. */
void
tally_test_devnet_init (TallyTestDevnet *self,
                        const char      *dir_template)
{
  g_autoptr (GError) error = NULL;
  guint16 port = 0;

  self->dir = g_dir_make_tmp (dir_template, &error);
  g_assert_no_error (error);
  g_assert_true (tally_anvil_pick_free_port (&port, &error));
  g_assert_no_error (error);
  self->port = g_strdup_printf ("%u", port);
  self->url = g_strdup_printf ("http://127.0.0.1:%u", port);
  self->network_file = g_build_filename (self->dir, "network.json", NULL);
  self->devnet = g_build_filename (g_getenv ("TALLY_SOURCE_DIR"), "tools", "devnet", NULL);
  self->session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
}

/* Runs tools/devnet COMMAND (NULL: its default) and returns what it said,
 * stdout and stderr together; a failure ends the test with that text. */
char *
tally_test_devnet_run (TallyTestDevnet *self,
                       const char      *command)
{
  g_autoptr (GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *output = NULL;

  g_subprocess_launcher_setenv (launcher, "TALLY_DEVNET_DIR", self->dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "TALLY_DEVNET_PORT", self->port, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, self->devnet, command, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &output, NULL, &error));
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    g_error ("tools/devnet %s failed:\n%s", command != NULL ? command : "", output);
  return g_steal_pointer (&output);
}

void
tally_test_devnet_start (TallyTestDevnet *self)
{
  g_autoptr (GError) error = NULL;

  g_free (tally_test_devnet_run (self, "start"));
  self->profile = tally_network_profile_new_from_file (self->network_file, &error);
  g_assert_no_error (error);
}

void
tally_test_devnet_clear (TallyTestDevnet *self)
{
  /* Stop even when a test failed half-way; stopping twice is harmless. */
  if (self->dir != NULL)
    {
      g_autofree char *command = g_strdup_printf ("rm -rf '%s'", self->dir);

      g_free (tally_test_devnet_run (self, "stop"));
      g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
    }
  g_clear_object (&self->profile);
  g_clear_object (&self->session);
  g_clear_pointer (&self->devnet, g_free);
  g_clear_pointer (&self->network_file, g_free);
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->port, g_free);
  g_clear_pointer (&self->dir, g_free);
}

void
tally_test_devnet_set_up (TallyTestDevnet *self,
                          gconstpointer    dir_template)
{
  tally_test_devnet_init (self, dir_template);
  tally_test_devnet_start (self);
}

void
tally_test_devnet_tear_down (TallyTestDevnet *self,
                             gconstpointer    data)
{
  tally_test_devnet_clear (self);
}

/* One JSON-RPC call to URL (NULL: the devnet's own); the whole reply. */
JsonObject *
tally_test_devnet_rpc (TallyTestDevnet *self,
                       const char      *url,
                       const char      *method,
                       const char      *params_json)
{
  g_autofree char *body = g_strdup_printf (
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\",\"params\":%s}", method, params_json);
  gsize body_len = strlen (body);
  g_autoptr (SoupMessage) message = soup_message_new ("POST", url != NULL ? url : self->url);
  /* The length first: argument order is unspecified, and clang steals first. */
  g_autoptr (GBytes) request = g_bytes_new_take (g_steal_pointer (&body), body_len);
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  soup_message_set_request_body_from_bytes (message, "application/json", request);
  reply = soup_session_send_and_read (self->session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL),
                                             (gssize) g_bytes_get_size (reply), &error));
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* The same for a call that must succeed: its "result". */
JsonNode *
tally_test_devnet_rpc_result (TallyTestDevnet *self,
                              const char      *url,
                              const char      *method,
                              const char      *params_json)
{
  g_autoptr (JsonObject) reply = tally_test_devnet_rpc (self, url, method, params_json);

  g_assert_true (json_object_has_member (reply, "result"));
  return json_node_copy (json_object_get_member (reply, "result"));
}

/* cast's stdout, stripped; a failure ends the test with cast's stderr. */
char *
tally_test_cast (const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int              status = 0;

  g_ptr_array_add (argv, g_build_filename (g_getenv ("TALLY_TOOLS_BIN"), "cast", NULL));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("cast %s failed: %s", args[0], err);
  return g_strstrip (g_steal_pointer (&out));
}
