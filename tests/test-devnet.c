/* test-devnet.c: tools/devnet starts a chain, deploys the contracts, funds
 * the demo accounts, writes a network file that says so, and stops again
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "tally-anvil-fixture.h"

typedef struct
{
  char        *dir;
  char        *port;
  char        *devnet;
  SoupSession *session;
  char        *rpc_url;
} Fixture;

static void
run_devnet (Fixture    *fixture,
            const char *command,
            char      **out)
{
  g_autoptr (GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *output = NULL;

  g_subprocess_launcher_setenv (launcher, "TALLY_DEVNET_DIR", fixture->dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "TALLY_DEVNET_PORT", fixture->port, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, fixture->devnet, command, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &output, NULL, &error));
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    g_error ("tools/devnet %s failed:\n%s", command != NULL ? command : "", output);
  if (out != NULL)
    *out = g_steal_pointer (&output);
}

static JsonNode *
rpc (Fixture    *fixture,
     const char *method,
     const char *params_json)
{
  g_autofree char *body = g_strdup_printf (
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\",\"params\":%s}", method, params_json);
  g_autoptr (SoupMessage) message = soup_message_new ("POST", fixture->rpc_url);
  g_autoptr (GBytes) request = g_bytes_new_take (g_steal_pointer (&body), strlen (body));
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *object;

  soup_message_set_request_body_from_bytes (message, "application/json", request);
  reply = soup_session_send_and_read (fixture->session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL),
                                             (gssize) g_bytes_get_size (reply), &error));
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_has_member (object, "result"));
  return json_node_copy (json_object_get_member (object, "result"));
}

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint16 port = 0;

  fixture->dir = g_dir_make_tmp ("tally-devnet-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_true (tally_anvil_pick_free_port (&port, &error));
  g_assert_no_error (error);
  fixture->port = g_strdup_printf ("%u", port);
  fixture->devnet = g_build_filename (g_getenv ("TALLY_SOURCE_DIR"), "tools", "devnet", NULL);
  fixture->session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  fixture->rpc_url = g_strdup_printf ("http://127.0.0.1:%u", port);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  /* Stop even when a test failed half-way; stopping twice is harmless. */
  run_devnet (fixture, "stop", NULL);
  g_clear_object (&fixture->session);
  g_clear_pointer (&fixture->rpc_url, g_free);
  g_clear_pointer (&fixture->devnet, g_free);
  g_clear_pointer (&fixture->port, g_free);
  if (fixture->dir != NULL)
    {
      g_autofree char *command = g_strdup_printf ("rm -rf '%s'", fixture->dir);

      g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
      g_clear_pointer (&fixture->dir, g_free);
    }
}

static const char *
contract_address (JsonObject *network,
                  const char *name)
{
  JsonObject *contracts = json_object_get_object_member (network, "contracts");
  JsonObject *contract = json_object_get_object_member (contracts, name);
  const char *address = json_object_get_string_member (contract, "address");

  g_assert_nonnull (address);
  g_assert_cmpuint (strlen (address), ==, 42);
  return address;
}

static void
test_start_deploy_stop (Fixture      *fixture,
                        gconstpointer data)
{
  g_autofree char *network_path = g_build_filename (fixture->dir, "network.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) chain_id = NULL;
  g_autoptr (JsonNode) code = NULL;
  g_autoptr (JsonNode) balance = NULL;
  g_autofree char *call = NULL;
  g_autofree char *again = NULL;
  JsonObject      *network;
  JsonArray       *demo;
  const char      *token, *holder;

  run_devnet (fixture, NULL, NULL);

  g_assert_true (json_parser_load_from_file (parser, network_path, &error));
  g_assert_no_error (error);
  network = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (network, "chainId"), ==, 31337);
  g_assert_cmpstr (json_object_get_string_member (network, "rpcUrl"), ==, fixture->rpc_url);

  chain_id = rpc (fixture, "eth_chainId", "[]");
  g_assert_cmpstr (json_node_get_string (chain_id), ==, "0x7a69");

  /* Every contract the file names has code at its address. */
  for (guint i = 0; i < 4; i++)
    {
      const char      *names[] = { "LabelToken", "LabelMarket", "TokenUsdFeed", "EthUsdFeed" };
      g_autofree char *params =
        g_strdup_printf ("[\"%s\", \"latest\"]", contract_address (network, names[i]));
      g_autoptr (JsonNode) contract_code = rpc (fixture, "eth_getCode", params);

      g_assert_cmpuint (strlen (json_node_get_string (contract_code)), >, 100);
    }

  /* The first demo account holds 10,000 LABEL: balanceOf(holder). */
  demo = json_object_get_array_member (network, "demoAccounts");
  g_assert_cmpuint (json_array_get_length (demo), >=, 1);
  holder = json_object_get_string_member (json_array_get_object_element (demo, 0), "address");
  token = contract_address (network, "LabelToken");
  call = g_strdup_printf ("[{\"to\": \"%s\", \"data\": \"0x70a08231000000000000000000000000%s\"}, "
                          "\"latest\"]",
                          token, holder + 2);
  balance = rpc (fixture, "eth_call", call);
  g_assert_cmpstr (json_node_get_string (balance), ==,
                   "0x00000000000000000000000000000000000000000000021e19e0c9bab2400000");

  /* Asked again, it reports the running chain instead of starting a second. */
  run_devnet (fixture, NULL, &again);
  g_assert_nonnull (strstr (again, "already running"));

  run_devnet (fixture, "stop", NULL);
  {
    g_autoptr (SoupMessage) message = soup_message_new ("POST", fixture->rpc_url);
    g_autoptr (GBytes) reply = NULL;

    soup_message_set_request_body_from_bytes (message, "application/json",
                                              g_bytes_new_static ("{}", 2));
    reply = soup_session_send_and_read (fixture->session, message, NULL, &error);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/integration/devnet/start-deploy-stop", Fixture, NULL, fixture_set_up,
              test_start_deploy_stop, fixture_tear_down);

  return g_test_run ();
}
