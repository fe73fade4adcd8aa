/* test-anvil.c: the anvil chain fixture, spoken to over real JSON-RPC
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "tally-anvil-fixture.h"

/* POSTs @body to @url and returns the JSON-RPC response object. */
static JsonObject *
rpc_post (const char *url,
          const char *body)
{
  g_autoptr (SoupSession) session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  g_autoptr (SoupMessage) message = soup_message_new (SOUP_METHOD_POST, url);
  g_autoptr (GBytes) request = g_bytes_new (body, strlen (body));
  g_autoptr (GBytes) response = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonNode *root;

  soup_message_set_request_body_from_bytes (message, "application/json", request);
  response = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, SOUP_STATUS_OK);

  json_parser_load_from_data (parser, g_bytes_get_data (response, NULL),
                              g_bytes_get_size (response), &error);
  g_assert_no_error (error);

  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "jsonrpc"), ==,
                   "2.0");

  return json_object_ref (json_node_get_object (root));
}

static void
assert_rpc_error (JsonObject *response,
                  gint64      expected_code)
{
  JsonObject *error_object;

  g_assert_false (json_object_has_member (response, "result"));
  g_assert_true (json_object_has_member (response, "error"));

  error_object = json_object_get_object_member (response, "error");
  g_assert_nonnull (error_object);
  g_assert_cmpint (json_object_get_int_member (error_object, "code"), ==, expected_code);
  g_assert_cmpstr (json_object_get_string_member_with_default (error_object, "message", ""), !=,
                   "");
}

static void
test_chain_id (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyAnvil) anvil = tally_anvil_start (&error);
  g_autoptr (JsonObject) response = NULL;
  g_autofree char *expected_url = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (anvil);

  expected_url = g_strdup_printf ("http://127.0.0.1:%u", tally_anvil_get_port (anvil));
  g_assert_cmpuint (tally_anvil_get_port (anvil), >, 0);
  g_assert_cmpstr (tally_anvil_get_url (anvil), ==, expected_url);

  response = rpc_post (tally_anvil_get_url (anvil),
                       "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_chainId\",\"params\":[]}");
  g_assert_cmpint (json_object_get_int_member (response, "id"), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (response, "result"), ==, "0x7a69");
  g_assert_cmpint (g_ascii_strtoll (json_object_get_string_member (response, "result"), NULL, 16),
                   ==, TALLY_ANVIL_CHAIN_ID);
}

static void
test_block_number_and_errors (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyAnvil) anvil = tally_anvil_start (&error);
  g_autoptr (JsonObject) block = NULL;
  g_autoptr (JsonObject) malformed = NULL;
  g_autoptr (JsonObject) unknown = NULL;

  g_assert_no_error (error);

  /* A fresh chain holds only its genesis block. */
  block = rpc_post (tally_anvil_get_url (anvil),
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}");
  g_assert_cmpstr (json_object_get_string_member (block, "result"), ==, "0x0");

  /* Truncated JSON: the answer cannot know the id (JSON-RPC 2.0 says null). */
  malformed = rpc_post (tally_anvil_get_url (anvil), "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":");
  assert_rpc_error (malformed, -32600);
  g_assert_true (json_object_get_null_member (malformed, "id"));

  unknown = rpc_post (tally_anvil_get_url (anvil),
                      "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"eth_noSuchMethod\",\"params\":[]}");
  assert_rpc_error (unknown, -32601);
  g_assert_cmpint (json_object_get_int_member (unknown, "id"), ==, 3);
}

static void
test_stop (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyAnvil) anvil = tally_anvil_start (&error);
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) connection = NULL;

  g_assert_no_error (error);

  tally_anvil_stop (anvil);
  tally_anvil_stop (anvil);

  /* The real anvil (a grandchild under the npm launcher) held the port. */
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", tally_anvil_get_port (anvil),
                                                NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_null (connection);
}

static void
test_missing_binary (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyAnvil) anvil = NULL;

  anvil = tally_anvil_start_with_binary ("/nonexistent/tally-test/anvil", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/tally-test/anvil"));
  g_assert_null (anvil);
}

static void
test_not_found_anywhere (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TallyAnvil) anvil = NULL;
      g_autofree char *empty = g_dir_make_tmp ("tally-test-anvil-XXXXXX", &error);

      g_assert_no_error (error);
      g_setenv ("TALLY_TOOLS_BIN", empty, TRUE);
      g_setenv ("PATH", empty, TRUE);

      anvil = tally_anvil_start (&error);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
      g_assert_nonnull (strstr (error->message, "install-deps"));
      g_assert_null (anvil);

      g_assert_cmpint (g_rmdir (empty), ==, 0);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_exits_early (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyAnvil) anvil = NULL;
  g_autofree char *false_path = g_find_program_in_path ("false");

  g_assert_nonnull (false_path);

  /* `false --host ...` stands for an anvil that fails to start. */
  anvil = tally_anvil_start_with_binary (false_path, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "exited with status 1"));
  g_assert_null (anvil);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/integration/anvil/chain-id", test_chain_id);
  g_test_add_func ("/integration/anvil/block-number-and-errors", test_block_number_and_errors);
  g_test_add_func ("/integration/anvil/stop", test_stop);
  g_test_add_func ("/integration/anvil/missing-binary", test_missing_binary);
  g_test_add_func ("/integration/anvil/not-found-anywhere", test_not_found_anywhere);
  g_test_add_func ("/integration/anvil/exits-early", test_exits_early);

  return g_test_run ();
}
