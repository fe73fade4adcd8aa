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

#include "tally-test-devnet.h"

/* Not started: the test runs tools/devnet itself. */
static void
fixture_set_up (TallyTestDevnet *devnet,
                gconstpointer    data)
{
  tally_test_devnet_init (devnet, "tally-devnet-XXXXXX");
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
test_start_deploy_stop (TallyTestDevnet *devnet,
                        gconstpointer    data)
{
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

  g_free (tally_test_devnet_run (devnet, NULL));

  g_assert_true (json_parser_load_from_file (parser, devnet->network_file, &error));
  g_assert_no_error (error);
  network = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (network, "chainId"), ==, 31337);
  g_assert_cmpstr (json_object_get_string_member (network, "rpcUrl"), ==, devnet->url);

  chain_id = tally_test_devnet_rpc_result (devnet, NULL, "eth_chainId", "[]");
  g_assert_cmpstr (json_node_get_string (chain_id), ==, "0x7a69");

  /* Every contract the file names has code at its address. */
  for (guint i = 0; i < 4; i++)
    {
      const char      *names[] = { "LabelToken", "LabelMarket", "TokenUsdFeed", "EthUsdFeed" };
      g_autofree char *params =
        g_strdup_printf ("[\"%s\", \"latest\"]", contract_address (network, names[i]));
      g_autoptr (JsonNode) contract_code =
        tally_test_devnet_rpc_result (devnet, NULL, "eth_getCode", params);

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
  balance = tally_test_devnet_rpc_result (devnet, NULL, "eth_call", call);
  g_assert_cmpstr (json_node_get_string (balance), ==,
                   "0x00000000000000000000000000000000000000000000021e19e0c9bab2400000");

  /* Asked again, it reports the running chain instead of starting a second. */
  again = tally_test_devnet_run (devnet, NULL);
  g_assert_nonnull (strstr (again, "already running"));

  g_free (tally_test_devnet_run (devnet, "stop"));
  {
    g_autoptr (SoupMessage) message = soup_message_new ("POST", devnet->url);
    g_autoptr (GBytes) reply = NULL;

    soup_message_set_request_body_from_bytes (message, "application/json",
                                              g_bytes_new_static ("{}", 2));
    reply = soup_session_send_and_read (devnet->session, message, NULL, &error);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/integration/devnet/start-deploy-stop", TallyTestDevnet, NULL, fixture_set_up,
              test_start_deploy_stop, tally_test_devnet_tear_down);

  return g_test_run ();
}
