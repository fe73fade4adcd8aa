/* test-network-profile.c: network profiles from tools/devnet's network file
 * (checked against the chain it describes), malformed files, the built-in
 * list and the chain id guard
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "core-error.h"
#include "network-profile.h"
#include "tally-test-devnet.h"
#include "wallet/hex.h"
#include "wallet/uint256.h"

/* The devnet's chain. */

/* The "result" string of one JSON-RPC call. */
static char *
rpc (TallyTestDevnet *devnet,
     const char      *url,
     const char      *method,
     const char      *params_json)
{
  g_autoptr (JsonNode) result = tally_test_devnet_rpc_result (devnet, url, method, params_json);

  return g_strdup (json_node_get_string (result));
}

static gsize
code_size (TallyTestDevnet     *devnet,
           TallyNetworkProfile *profile,
           const TallyAddress  *address,
           const char          *block)
{
  char             text[TALLY_ADDRESS_STRING_SIZE];
  g_autofree char *params = NULL;
  g_autofree char *code = NULL;

  tally_address_to_string (address, text);
  params = g_strdup_printf ("[\"%s\", \"%s\"]", text, block);
  code = rpc (devnet, tally_network_profile_get_rpc_url (profile), "eth_getCode", params);
  return (strlen (code) - 2) / 2;
}

/* A uint256 from an argument-less view function: decimals() and the like. */
static guint64
call_uint (TallyTestDevnet     *devnet,
           TallyNetworkProfile *profile,
           const TallyAddress  *address,
           const char          *selector)
{
  char             text[TALLY_ADDRESS_STRING_SIZE];
  g_autofree char *params = NULL;
  g_autofree char *result = NULL;
  g_autoptr (GError) error = NULL;
  TallyUint256 value;
  guint64      small = 0;

  tally_address_to_string (address, text);
  params = g_strdup_printf ("[{\"to\": \"%s\", \"data\": \"%s\"}, \"latest\"]", text, selector);
  result = rpc (devnet, tally_network_profile_get_rpc_url (profile), "eth_call", params);
  g_assert_true (tally_uint256_parse (&value, result, &error));
  g_assert_no_error (error);
  g_assert_true (tally_uint256_to_uint64 (&small, &value));
  return small;
}

static void
test_devnet_file (TallyTestDevnet *devnet,
                  gconstpointer    data)
{
  const char *url = devnet->url;
  g_autoptr (TallyNetworkProfile) profile = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char    *chain_id = NULL;
  g_autofree char    *market_property = NULL;
  g_autofree char    *before = NULL;
  const TallyAddress *contracts[4];
  guint64             deployment_block;

  profile = tally_network_profile_new_from_file (devnet->network_file, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (tally_network_profile_get_id (profile), ==, "devnet");
  g_assert_cmpstr (tally_network_profile_get_display_name (profile), ==, "Tally devnet");
  g_assert_cmpstr (tally_network_profile_get_rpc_url (profile), ==, url);
  g_assert_cmpuint (g_strv_length ((char **) tally_network_profile_get_rpc_urls (profile)), ==, 1);
  g_assert_null (tally_network_profile_get_explorer_url (profile));
  g_assert_true (tally_network_profile_get_is_local (profile));
  g_assert_true (tally_network_profile_has_market (profile));

  /* The chain id the endpoint reports is the profile's. */
  chain_id = rpc (devnet, url, "eth_chainId", "[]");
  g_assert_cmpuint (g_ascii_strtoull (chain_id + 2, NULL, 16), ==,
                    tally_network_profile_get_chain_id (profile));
  g_assert_true (tally_network_profile_check_chain_id (
    profile, g_ascii_strtoull (chain_id + 2, NULL, 16), &error));
  g_assert_no_error (error);

  /* Each contract has code at its address, none before the deployment block. */
  contracts[0] = tally_network_profile_get_market_address (profile);
  contracts[1] = tally_network_profile_get_token_address (profile);
  contracts[2] = tally_network_profile_get_token_usd_feed (profile);
  contracts[3] = tally_network_profile_get_eth_usd_feed (profile);
  deployment_block = tally_network_profile_get_deployment_block (profile);
  g_assert_cmpuint (deployment_block, >=, 1);
  before = g_strdup_printf ("0x%" G_GINT64_MODIFIER "x", deployment_block - 1);
  for (guint i = 0; i < G_N_ELEMENTS (contracts); i++)
    {
      g_assert_nonnull (contracts[i]);
      g_assert_cmpuint (code_size (devnet, profile, contracts[i], "latest"), >, 100);
      g_assert_cmpuint (code_size (devnet, profile, contracts[i], before), ==, 0);
    }

  /* Token and feeds say of themselves what the profile says of them. */
  g_assert_cmpstr (tally_network_profile_get_token_symbol (profile), ==, "LABEL");
  g_assert_cmpuint (call_uint (devnet, profile, contracts[1], "0x313ce567" /* decimals() */), ==,
                    tally_network_profile_get_token_decimals (profile));
  g_assert_cmpint (tally_network_profile_get_price_source_kind (profile), ==,
                   TALLY_PRICE_SOURCE_FEED);
  for (guint i = 2; i < 4; i++)
    g_assert_cmpuint (call_uint (devnet, profile, contracts[i], "0x313ce567"), ==,
                      tally_network_profile_get_price_feed_decimals (profile));
  /* The market's token() is the profile's token. */
  {
    char             market[TALLY_ADDRESS_STRING_SIZE];
    g_autofree char *params = NULL;
    g_autofree char *word = NULL;
    TallyAddress     token;

    tally_address_to_string (contracts[0], market);
    params = g_strdup_printf ("[{\"to\": \"%s\", \"data\": \"0xfc0c546a\"}, \"latest\"]", market);
    word = rpc (devnet, url, "eth_call", params);
    g_assert_cmpuint (strlen (word), ==, 66);
    g_assert_true (tally_address_parse (&token, word + 26, &error));
    g_assert_no_error (error);
    g_assert_true (tally_address_equal (&token, contracts[1]));
  }

  g_assert_cmpuint (g_strv_length ((char **) tally_network_profile_get_demo_accounts (profile)), ==, 4);

  /* Properties mirror the getters, addresses in EIP-55 form. */
  g_object_get (profile, "market-address", &market_property, NULL);
  {
    char expected[TALLY_ADDRESS_STRING_SIZE];

    tally_address_to_string (contracts[0], expected);
    g_assert_cmpstr (market_property, ==, expected);
  }
}

/* Malformed files. */

static const char valid_file[] =
  "{\"name\": \"Tally devnet\", \"rpcUrl\": \"http://127.0.0.1:8545\", \"chainId\": 31337,"
  " \"deploymentBlock\": 1,"
  " \"contracts\": {"
  "  \"LabelToken\": {\"address\": \"0x5FbDB2315678afecb367f032d93F642f64180aa3\", \"deploymentBlock\": 1},"
  "  \"LabelMarket\": {\"address\": \"0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512\", \"deploymentBlock\": 2},"
  "  \"TokenUsdFeed\": {\"address\": \"0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0\", \"deploymentBlock\": 3},"
  "  \"EthUsdFeed\": {\"address\": \"0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9\", \"deploymentBlock\": 4}},"
  " \"token\": {\"symbol\": \"LABEL\", \"decimals\": 18}, \"priceFeedDecimals\": 8,"
  " \"demoAccounts\": [{\"index\": 1, \"address\": \"0x70997970C51812dc3A010C7d01b50e0d17dc79C8\"}]}";

/* Sets (or, with a NULL value, removes) the member at a dotted path. */
static char *
mutate (const char *path,
        const char *value_json)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_auto (GStrv) parts = g_strsplit (path, ".", -1);
  g_autoptr (GError) error = NULL;
  JsonObject *object;
  guint       n = g_strv_length (parts);

  g_assert_true (json_parser_load_from_data (parser, valid_file, -1, &error));
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  for (guint i = 0; i + 1 < n; i++)
    object = json_object_get_object_member (object, parts[i]);
  if (value_json == NULL)
    json_object_remove_member (object, parts[n - 1]);
  else
    json_object_set_member (object, parts[n - 1], json_from_string (value_json, &error));
  g_assert_no_error (error);
  json_generator_set_root (generator, json_parser_get_root (parser));
  return json_generator_to_data (generator, NULL);
}

static const struct
{
  const char *path;
  const char *value; /* NULL: removed */
  const char *field; /* named in the message */
} malformed_cases[] = {
  { "name", NULL, "“name”" },
  { "name", "\"\"", "“name”" },
  { "name", "7", "“name”" },
  { "rpcUrl", NULL, "“rpcUrl”" },
  { "rpcUrl", "8545", "“rpcUrl”" },
  { "rpcUrl", "\"ftp://127.0.0.1/\"", "“rpcUrl”" },
  { "rpcUrl", "\"ws://127.0.0.1:8545\"", "“rpcUrl”" },
  { "rpcUrl", "\"127.0.0.1:8545\"", "“rpcUrl”" },
  { "rpcUrl", "\"http://user:secret@127.0.0.1:8545\"", "“rpcUrl”" },
  { "rpcUrl", "\"http:///path\"", "“rpcUrl”" },
  { "explorerUrl", "\"javascript:alert(1)\"", "“explorerUrl”" },
  { "chainId", NULL, "“chainId”" },
  { "chainId", "0", "“chainId”" },
  { "chainId", "-1", "“chainId”" },
  { "chainId", "31337.5", "“chainId”" },
  { "chainId", "\"31337\"", "“chainId”" },
  { "chainId", "true", "“chainId”" },
  { "deploymentBlock", NULL, "“deploymentBlock”" },
  { "deploymentBlock", "3", "“deploymentBlock”" },
  { "deploymentBlock", "null", "“deploymentBlock”" },
  { "contracts", NULL, "“contracts”" },
  { "contracts", "[]", "“contracts”" },
  { "contracts.LabelMarket", NULL, "“contracts.LabelMarket”" },
  { "contracts.LabelMarket", "\"0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512\"", "“contracts.LabelMarket”" },
  { "contracts.LabelMarket.address", NULL, "“contracts.LabelMarket.address”" },
  { "contracts.LabelMarket.address", "\"0xe7f1725E7734CE288F8367e1Bb143E90bb3F051\"",
    "“contracts.LabelMarket.address”" },
  /* One letter's case changed: a broken EIP-55 checksum. */
  { "contracts.LabelMarket.address", "\"0xE7f1725E7734CE288F8367e1Bb143E90bb3F0512\"",
    "“contracts.LabelMarket.address”" },
  { "contracts.LabelMarket.address", "\"0x0000000000000000000000000000000000000000\"",
    "“contracts.LabelMarket.address”" },
  { "contracts.LabelMarket.address", "\"0x5FbDB2315678afecb367f032d93F642f64180aa3\"",
    "“contracts.LabelMarket.address”" },
  { "contracts.LabelMarket.address", "\" 0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512\"",
    "“contracts.LabelMarket.address”" },
  { "contracts.LabelMarket.deploymentBlock", "\"2\"", "“contracts.LabelMarket.deploymentBlock”" },
  { "contracts.LabelToken", NULL, "“contracts.LabelToken”" },
  { "contracts.LabelToken.address", "42", "“contracts.LabelToken.address”" },
  { "contracts.LabelToken.deploymentBlock", NULL, "“contracts.LabelToken.deploymentBlock”" },
  { "contracts.LabelToken.deploymentBlock", "0", "“deploymentBlock”" },
  { "contracts.EthUsdFeed", NULL, "“contracts.EthUsdFeed”" },
  { "contracts.TokenUsdFeed", NULL, "“contracts.TokenUsdFeed”" },
  { "contracts.TokenUsdFeed.address", "\"0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e\"",
    "“contracts.TokenUsdFeed.address”" },
  { "priceFeedDecimals", NULL, "“priceFeedDecimals”" },
  { "priceFeedDecimals", "37", "“priceFeedDecimals”" },
  { "priceFeedDecimals", "\"8\"", "“priceFeedDecimals”" },
  { "token", NULL, "“token”" },
  { "token", "\"LABEL\"", "“token”" },
  { "token.symbol", NULL, "“token.symbol”" },
  { "token.symbol", "\"\"", "“token.symbol”" },
  { "token.symbol", "\"LA BEL\"", "“token.symbol”" },
  { "token.symbol", "\"LABEL\\n\"", "“token.symbol”" },
  { "token.symbol", "\"ABCDEFGHIJKLMNOPQ\"", "“token.symbol”" },
  { "token.decimals", NULL, "“token.decimals”" },
  { "token.decimals", "37", "“token.decimals”" },
  { "token.decimals", "-1", "“token.decimals”" },
  { "token.decimals", "18.0", "“token.decimals”" },
  { "token.decimals", "\"18\"", "“token.decimals”" },
  { "demoAccounts", "{}", "“demoAccounts”" },
  { "demoAccounts", "[5]", "“demoAccounts[0]”" },
  { "demoAccounts", "[{\"index\": 1}]", "“demoAccounts[0].address”" },
  { "demoAccounts", "[{\"index\": 1, \"address\": \"0x70997970c51812dc3a010c7d01b50e0d17dc79C8\"}]",
    "“demoAccounts[0].address”" },
  { "id", "\"Dev Net\"", "“id”" },
  { "id", "\"\"", "“id”" },
};

static void
test_malformed (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (malformed_cases); i++)
    {
      g_autofree char *text = mutate (malformed_cases[i].path, malformed_cases[i].value);
      g_autoptr (GError) error = NULL;
      g_autoptr (TallyNetworkProfile) profile = tally_network_profile_new_from_data (text, -1, &error);

      if (g_test_verbose ())
        g_test_message ("%s = %s: %s", malformed_cases[i].path,
                        malformed_cases[i].value != NULL ? malformed_cases[i].value : "(removed)",
                        error != NULL ? error->message : "accepted");
      g_assert_null (profile);
      g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE);
      if (strstr (error->message, malformed_cases[i].field) == NULL)
        g_error ("case %u (%s): “%s” does not name %s", i, malformed_cases[i].path,
                 error->message, malformed_cases[i].field);
    }
}

static void
test_not_json (void)
{
  static const char *const texts[] = { "", "[]", "\"network\"", "{\"name\": ", "{} {}", "null" };
  static const char        with_nul[] = "{\"name\": \"x\"}\0{";

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TallyNetworkProfile) profile = tally_network_profile_new_from_data (texts[i], -1, &error);

      g_assert_null (profile);
      g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE);
    }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (TallyNetworkProfile) profile =
      tally_network_profile_new_from_data (with_nul, sizeof with_nul - 1, &error);

    g_assert_null (profile);
    g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE);
    g_assert_nonnull (strstr (error->message, "NUL"));
  }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (TallyNetworkProfile) profile =
      tally_network_profile_new_from_file ("/nonexistent/network.json", &error);

    g_assert_null (profile);
    g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE);
    g_assert_nonnull (strstr (error->message, "/nonexistent/network.json"));
  }
}

/* What the reader accepts besides the devnet's own output. */
static void
test_variants (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *lower = mutate ("contracts.LabelMarket.address",
                                   "\"0xe7f1725e7734ce288f8367e1bb143e90bb3f0512\"");
  g_autofree char *no_feeds = NULL;
  g_autofree char *again = NULL;
  g_autofree char *remote = mutate ("rpcUrl", "\"https://rpc.example.org/v1\"");
  g_autoptr (TallyNetworkProfile) profile = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *root;

  profile = tally_network_profile_new_from_data (lower, -1, &error);
  g_assert_no_error (error);
  g_clear_object (&profile);

  /* Without price feeds, and without their decimals, there is no price. */
  g_assert_true (json_parser_load_from_data (parser, valid_file, -1, &error));
  root = json_node_get_object (json_parser_get_root (parser));
  json_object_remove_member (json_object_get_object_member (root, "contracts"), "TokenUsdFeed");
  json_object_remove_member (json_object_get_object_member (root, "contracts"), "EthUsdFeed");
  json_object_remove_member (root, "priceFeedDecimals");
  json_object_set_string_member (root, "id", "lab-2");
  no_feeds = json_to_string (json_parser_get_root (parser), FALSE);
  profile = tally_network_profile_new_from_data (no_feeds, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tally_network_profile_get_id (profile), ==, "lab-2");
  g_assert_cmpint (tally_network_profile_get_price_source_kind (profile), ==, TALLY_PRICE_SOURCE_NONE);
  g_assert_null (tally_network_profile_get_token_usd_feed (profile));
  g_clear_object (&profile);

  /* ... but priceFeedDecimals alone is a mistake. */
  json_object_set_int_member (root, "priceFeedDecimals", 8);
  again = json_to_string (json_parser_get_root (parser), FALSE);
  profile = tally_network_profile_new_from_data (again, -1, &error);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE);
  g_clear_error (&error);

  profile = tally_network_profile_new_from_data (remote, -1, &error);
  g_assert_no_error (error);
  g_assert_false (tally_network_profile_get_is_local (profile));
}

static void
test_chain_mismatch (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyNetworkProfile) profile = tally_network_profile_new_from_data (valid_file, -1, &error);

  g_assert_no_error (error);
  g_assert_true (tally_network_profile_check_chain_id (profile, 31337, &error));
  g_assert_no_error (error);
  g_assert_false (tally_network_profile_check_chain_id (profile, 1, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_CHAIN_MISMATCH);
  g_assert_nonnull (strstr (error->message, "chain 1,"));
  g_assert_nonnull (strstr (error->message, "31337"));
  g_assert_nonnull (strstr (error->message, "http://127.0.0.1:8545"));
}

static void
test_builtin (void)
{
  static const guint64 expected_chains[] = { 1, 11155111, 8453, 84532, 42161 };
  g_autoptr (GListModel) list = tally_network_profiles_builtin ();
  g_autoptr (GListModel) again = tally_network_profiles_builtin ();
  g_autoptr (GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) chains = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr (TallyNetworkProfile) sepolia = NULL;
  g_autoptr (TallyNetworkProfile) missing = NULL;
  g_autoptr (GError) error = NULL;
  guint n = g_list_model_get_n_items (list);

  g_assert_true (list == again);
  g_assert_true (g_list_model_get_item_type (list) == TALLY_TYPE_NETWORK_PROFILE);
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (expected_chains));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (TallyNetworkProfile) profile = g_list_model_get_item (list, i);
      const char *const *urls = tally_network_profile_get_rpc_urls (profile);
      const char        *explorer = tally_network_profile_get_explorer_url (profile);
      gint64            *chain_id = g_new (gint64, 1);

      g_assert_cmpuint (tally_network_profile_get_chain_id (profile), ==, expected_chains[i]);
      g_assert_true (g_hash_table_add (ids, (gpointer) tally_network_profile_get_id (profile)));
      *chain_id = (gint64) tally_network_profile_get_chain_id (profile);
      g_assert_true (g_hash_table_add (chains, chain_id));
      g_assert_cmpstr (tally_network_profile_get_display_name (profile), !=, "");
      g_assert_false (tally_network_profile_get_is_local (profile));

      /* No Tally contracts are deployed there: nothing is made up. */
      g_assert_false (tally_network_profile_has_market (profile));
      g_assert_null (tally_network_profile_get_market_address (profile));
      g_assert_null (tally_network_profile_get_token_address (profile));
      g_assert_null (tally_network_profile_get_token_symbol (profile));
      g_assert_cmpint (tally_network_profile_get_price_source_kind (profile), !=,
                       TALLY_PRICE_SOURCE_FEED);

      g_assert_nonnull (urls);
      g_assert_nonnull (urls[0]);
      g_assert_cmpstr (urls[0], ==, tally_network_profile_get_rpc_url (profile));
      for (guint u = 0; urls[u] != NULL; u++)
        {
          g_autoptr (GUri) uri = g_uri_parse (urls[u], G_URI_FLAGS_NONE, &error);

          g_assert_no_error (error);
          g_assert_cmpstr (g_uri_get_scheme (uri), ==, "https");
          g_assert_nonnull (g_uri_get_host (uri));
        }
      g_assert_true (g_str_has_prefix (explorer, "https://"));
      if (tally_network_profile_get_price_source_kind (profile) == TALLY_PRICE_SOURCE_HTTP)
        {
          g_assert_true (g_str_has_prefix (tally_network_profile_get_price_base_url (profile), "https://"));
          g_assert_cmpstr (tally_network_profile_get_eth_coin_id (profile), ==, "ethereum");
        }
    }

  sepolia = tally_network_profiles_lookup (list, "sepolia", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tally_network_profile_get_chain_id (sepolia), ==, 11155111);
  g_assert_cmpint (tally_network_profile_get_price_source_kind (sepolia), ==, TALLY_PRICE_SOURCE_NONE);

  missing = tally_network_profiles_lookup (list, "devnet", &error);
  g_assert_null (missing);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/core/network-profile/devnet-file", TallyTestDevnet, "tally-network-XXXXXX",
              tally_test_devnet_set_up, test_devnet_file, tally_test_devnet_tear_down);
  g_test_add_func ("/core/network-profile/malformed", test_malformed);
  g_test_add_func ("/core/network-profile/not-json", test_not_json);
  g_test_add_func ("/core/network-profile/variants", test_variants);
  g_test_add_func ("/core/network-profile/chain-mismatch", test_chain_mismatch);
  g_test_add_func ("/core/network-profile/builtin", test_builtin);

  return g_test_run ();
}
