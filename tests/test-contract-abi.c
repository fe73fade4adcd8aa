/* test-contract-abi.c: the contracts' ABI files as the build exports them:
 * selectors and calldata checked against cast, and results, logs and
 * reverts from the real contracts on tools/devnet's chain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "contract-abi.h"
#include "core-error.h"
#include "network-profile.h"
#include "tally-test-devnet.h"
#include "wallet/hex.h"
#include "wallet/uint256.h"

/* Public anvil test accounts 1 and 2 (the "test ... junk" mnemonic). */
#define ACCOUNT1     "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
#define ACCOUNT1_KEY "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
#define ACCOUNT2     "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"

static TallyContractAbi *
load_abi (const char *name)
{
  g_autofree char *file = g_strconcat (name, ".json", NULL);
  g_autofree char *path =
    g_build_filename (g_getenv ("TALLY_BUILD_DIR"), "contracts", "abi", file, NULL);
  g_autoptr (GError) error = NULL;
  TallyContractAbi *abi = tally_contract_abi_new_from_file (path, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (tally_contract_abi_get_name (abi), ==, name);
  return abi;
}

static char *
selector_hex (const TallyAbiEntry *entry)
{
  gsize         len = 0;
  const guint8 *selector = tally_abi_entry_get_selector (entry, &len);

  return tally_hex_encode (selector, len);
}

static void
check_against_cast (TallyContractAbi *abi,
                    TallyAbiEntryKind kind,
                    const char       *name)
{
  g_autoptr (GError) error = NULL;
  const TallyAbiEntry *entry = tally_contract_abi_lookup (abi, kind, name, &error);
  const char          *signature;
  g_autofree char     *ours = NULL;
  g_autofree char     *theirs = NULL;

  g_assert_no_error (error);
  signature = tally_abi_entry_get_signature (entry);
  ours = selector_hex (entry);
  theirs = tally_test_cast (
    (const char *const[]){ kind == TALLY_ABI_ENTRY_EVENT ? "sig-event" : "sig", signature, NULL });
  g_assert_cmpstr (ours, ==, theirs);
  /* Found by signature as well as by name. */
  g_assert_true (tally_contract_abi_lookup (abi, kind, signature, &error) == entry);
  g_assert_no_error (error);
}

static void
test_selectors (void)
{
  g_autoptr (TallyContractAbi) market = load_abi ("LabelMarket");
  g_autoptr (TallyContractAbi) token = load_abi ("LabelToken");
  g_autoptr (TallyContractAbi) feed = load_abi ("PriceFeed");
  g_autoptr (GPtrArray) errors = tally_contract_abi_list (market, TALLY_ABI_ENTRY_ERROR);
  g_autoptr (GError) error = NULL;
  const TallyAbiEntry *create_task, *stake_of;

  check_against_cast (market, TALLY_ABI_ENTRY_FUNCTION, "stake");
  check_against_cast (market, TALLY_ABI_ENTRY_FUNCTION, "unstake");
  check_against_cast (market, TALLY_ABI_ENTRY_FUNCTION, "stakeOf");
  check_against_cast (market, TALLY_ABI_ENTRY_FUNCTION, "stakeWithPermit");
  check_against_cast (market, TALLY_ABI_ENTRY_FUNCTION, "claim");
  check_against_cast (market, TALLY_ABI_ENTRY_FUNCTION, "createTask");
  check_against_cast (market, TALLY_ABI_ENTRY_EVENT, "Staked");
  check_against_cast (market, TALLY_ABI_ENTRY_EVENT, "TaskCreated");
  check_against_cast (market, TALLY_ABI_ENTRY_EVENT, "Revealed");
  check_against_cast (market, TALLY_ABI_ENTRY_ERROR, "InsufficientFreeStake");
  check_against_cast (token, TALLY_ABI_ENTRY_FUNCTION, "transfer");
  check_against_cast (token, TALLY_ABI_ENTRY_FUNCTION, "permit");
  check_against_cast (token, TALLY_ABI_ENTRY_EVENT, "Transfer");
  check_against_cast (token, TALLY_ABI_ENTRY_ERROR, "ERC20InsufficientBalance");
  check_against_cast (feed, TALLY_ABI_ENTRY_FUNCTION, "latestRoundData");

  /* Every custom error of the market, and its tuple-typed createTask. */
  for (guint i = 0; i < errors->len; i++)
    check_against_cast (market, TALLY_ABI_ENTRY_ERROR,
                        tally_abi_entry_get_name (g_ptr_array_index (errors, i)));
  create_task = tally_contract_abi_lookup (market, TALLY_ABI_ENTRY_FUNCTION, "createTask", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (tally_abi_entry_get_signature (create_task),
                                   "createTask((bytes32,uint256,"));
  g_assert_false (tally_abi_entry_is_read_only (create_task));

  stake_of = tally_contract_abi_lookup (market, TALLY_ABI_ENTRY_FUNCTION, "stakeOf", &error);
  g_assert_true (tally_abi_entry_is_read_only (stake_of));
  g_assert_cmpuint (tally_abi_type_get_size (tally_abi_entry_get_outputs (stake_of)), ==, 3);
  g_assert_cmpstr (tally_abi_entry_get_input_name (stake_of, 0), ==, "account");

  g_assert_null (tally_contract_abi_lookup (market, TALLY_ABI_ENTRY_FUNCTION, "steal", &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "steal"));
  g_clear_error (&error);
  /* An event is not a function. */
  g_assert_null (tally_contract_abi_lookup (market, TALLY_ABI_ENTRY_FUNCTION, "Staked", &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
}

static void
test_encode (void)
{
  g_autoptr (TallyContractAbi) token = load_abi ("LabelToken");
  g_autoptr (TallyContractAbi) market = load_abi ("LabelMarket");
  g_autoptr (TallyAbiValue) args = tally_abi_value_new_tuple ();
  g_autoptr (TallyAbiValue) stake_args = tally_abi_value_new_tuple ();
  g_autoptr (TallyAbiValue) bad_args = tally_abi_value_new_tuple ();
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *data = NULL;
  g_autofree char   *ours = NULL;
  g_autofree char   *theirs = NULL;
  g_autofree char   *stake_hex = NULL;
  g_autofree char   *stake_cast = NULL;
  gsize              len = 0;
  TallyAddress       to;
  TallyUint256       amount;

  g_assert_true (tally_address_parse (&to, ACCOUNT1, &error));
  g_assert_true (tally_uint256_parse (&amount, "123456789000000000000000", &error));
  tally_abi_value_append (args, tally_abi_value_new_address (&to));
  tally_abi_value_append (args, tally_abi_value_new_uint (&amount));
  g_assert_true (tally_contract_abi_encode_call (token, &data, &len, "transfer", args, &error));
  g_assert_no_error (error);
  ours = tally_hex_encode (data, len);
  theirs = tally_test_cast ((const char *const[]){ "calldata", "transfer(address,uint256)",
                                                   ACCOUNT1, "123456789000000000000000", NULL });
  g_assert_cmpstr (ours, ==, theirs);
  g_clear_pointer (&data, g_free);

  tally_abi_value_append (stake_args, tally_abi_value_new_uint (&amount));
  g_assert_true (tally_contract_abi_encode_call (market, &data, &len, "stake(uint256)", stake_args,
                                                 &error));
  g_assert_no_error (error);
  stake_hex = tally_hex_encode (data, len);
  stake_cast = tally_test_cast (
    (const char *const[]){ "calldata", "stake(uint256)", "123456789000000000000000", NULL });
  g_assert_cmpstr (stake_hex, ==, stake_cast);
  g_clear_pointer (&data, g_free);

  /* Arguments that do not fit: the error names the function. */
  tally_abi_value_append (bad_args, tally_abi_value_new_bool (TRUE));
  g_assert_false (tally_contract_abi_encode_call (market, &data, &len, "stake", bad_args, &error));
  g_assert_null (data);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "LabelMarket.stake(uint256)"));
}

/* On the devnet's chain. */

typedef struct
{
  TallyTestDevnet chain;
  char            market[TALLY_ADDRESS_STRING_SIZE];
  char            token[TALLY_ADDRESS_STRING_SIZE];
} Devnet;

static void
devnet_set_up (Devnet       *devnet,
               gconstpointer data)
{
  tally_test_devnet_set_up (&devnet->chain, "tally-abi-XXXXXX");
  tally_address_to_string (tally_network_profile_get_market_address (devnet->chain.profile),
                           devnet->market);
  tally_address_to_string (tally_network_profile_get_token_address (devnet->chain.profile),
                           devnet->token);
}

static void
devnet_tear_down (Devnet       *devnet,
                  gconstpointer data)
{
  tally_test_devnet_clear (&devnet->chain);
}

static guint8 *
decode_hex (const char *hex,
            gsize      *len)
{
  g_autoptr (GError) error = NULL;
  guint8 *bytes = NULL;

  g_assert_true (tally_hex_decode (&bytes, len, hex, -1, &error));
  g_assert_no_error (error);
  return bytes;
}

/* eth_call from ACCOUNT1; the result's or the revert's bytes. */
static guint8 *
call (Devnet           *devnet,
      TallyContractAbi *abi,
      const char       *to,
      const char       *function,
      TallyAbiValue    *args,
      gboolean          expect_revert,
      gsize            *len)
{
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *data = NULL;
  g_autofree char   *data_hex = NULL;
  g_autofree char   *params = NULL;
  g_autoptr (JsonObject) reply = NULL;
  gsize data_len = 0;

  g_assert_true (tally_contract_abi_encode_call (abi, &data, &data_len, function, args, &error));
  g_assert_no_error (error);
  data_hex = tally_hex_encode (data, data_len);
  params = g_strdup_printf ("[{\"from\": \"%s\", \"to\": \"%s\", \"data\": \"%s\"}, \"latest\"]",
                            ACCOUNT1, to, data_hex);
  reply = tally_test_devnet_rpc (
    &devnet->chain, tally_network_profile_get_rpc_url (devnet->chain.profile), "eth_call", params);
  if (expect_revert)
    {
      JsonObject *rpc_error = json_object_get_object_member (reply, "error");

      g_assert_nonnull (rpc_error);
      return decode_hex (json_object_get_string_member (rpc_error, "data"), len);
    }
  g_assert_true (json_object_has_member (reply, "result"));
  return decode_hex (json_object_get_string_member (reply, "result"), len);
}

/* Sends a transaction from ACCOUNT1 with cast; the receipt's logs. */
static JsonArray *
send (Devnet     *devnet,
      const char *to,
      const char *signature,
      const char *arg1,
      const char *arg2)
{
  g_autofree char *receipt = tally_test_cast ((const char *const[]){
    "send", "--json", "--rpc-url", tally_network_profile_get_rpc_url (devnet->chain.profile),
    "--private-key", ACCOUNT1_KEY, to, signature, arg1, arg2, NULL });
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *object;

  g_assert_true (json_parser_load_from_data (parser, receipt, -1, &error));
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (object, "status"), ==, "0x1");
  return json_array_ref (json_object_get_array_member (object, "logs"));
}

static TallyAbiLog *
decode_log (TallyContractAbi *abi,
            JsonObject       *log)
{
  JsonArray         *topics = json_object_get_array_member (log, "topics");
  guint              n = json_array_get_length (topics);
  g_autofree guint8 *topic_bytes = g_new0 (guint8, (gsize) n * TALLY_ABI_TOPIC_LEN);
  g_autofree guint8 *data = NULL;
  g_autoptr (GError) error = NULL;
  gsize        len = 0;
  TallyAbiLog *decoded;

  for (guint i = 0; i < n; i++)
    {
      g_assert_true (tally_hex_decode_fixed (topic_bytes + (gsize) i * TALLY_ABI_TOPIC_LEN,
                                             TALLY_ABI_TOPIC_LEN,
                                             json_array_get_string_element (topics, i), -1, &error));
      g_assert_no_error (error);
    }
  data = decode_hex (json_object_get_string_member (log, "data"), &len);
  decoded = tally_contract_abi_decode_log (abi, topic_bytes, n, data, len, &error);
  g_assert_no_error (error);
  return decoded;
}

static void
assert_address (const TallyAbiValue *value,
                const char          *expected)
{
  TallyAddress address;
  char         text[TALLY_ADDRESS_STRING_SIZE];

  g_assert_nonnull (value);
  g_assert_cmpint (tally_abi_value_get_kind (value), ==, TALLY_ABI_ADDRESS);
  tally_abi_value_get_address (value, &address);
  tally_address_to_string (&address, text);
  g_assert_cmpstr (text, ==, expected);
}

static void
assert_uint (const TallyAbiValue *value,
             const char          *expected)
{
  TallyUint256     number;
  g_autofree char *text = NULL;

  g_assert_nonnull (value);
  g_assert_cmpint (tally_abi_value_get_kind (value), ==, TALLY_ABI_UINT);
  tally_abi_value_get_uint (value, &number);
  text = tally_uint256_to_decimal (&number);
  g_assert_cmpstr (text, ==, expected);
}

static void
test_chain (Devnet       *devnet,
            gconstpointer data)
{
  g_autoptr (TallyContractAbi) token = load_abi ("LabelToken");
  g_autoptr (TallyContractAbi) market = load_abi ("LabelMarket");
  g_autoptr (TallyAbiValue) account_args = tally_abi_value_new_tuple ();
  g_autoptr (TallyAbiValue) unstake_args = tally_abi_value_new_tuple ();
  g_autoptr (TallyAbiValue) result = NULL;
  g_autoptr (TallyAbiLog) transfer = NULL;
  g_autoptr (TallyAbiLog) staked = NULL;
  g_autoptr (JsonArray) transfer_logs = NULL;
  g_autoptr (JsonArray) stake_logs = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *reply = NULL;
  g_autofree char   *sentence = NULL;
  g_autofree char   *described = NULL;
  TallyAddress       account;
  TallyUint256       one;
  gsize              len = 0;

  g_assert_true (tally_address_parse (&account, ACCOUNT1, &error));
  tally_abi_value_append (account_args, tally_abi_value_new_address (&account));
  tally_uint256_from_uint64 (&one, 1);
  tally_abi_value_append (unstake_args, tally_abi_value_new_uint (&one));

  /* A result: the demo account's 10,000 LABEL. */
  reply = call (devnet, token, devnet->token, "balanceOf", account_args, FALSE, &len);
  g_assert_true (tally_contract_abi_decode_result (token, &result, "balanceOf", reply, len, &error));
  g_assert_no_error (error);
  assert_uint (tally_abi_value_get_element (result, 0), "10000000000000000000000");
  g_clear_pointer (&result, tally_abi_value_free);
  g_clear_pointer (&reply, g_free);

  /* A revert: unstaking with nothing staked names the custom error. */
  reply = call (devnet, market, devnet->market, "unstake", unstake_args, TRUE, &len);
  sentence = tally_contract_abi_describe_revert (market, reply, len);
  g_test_message ("%s", sentence);
  g_assert_cmpstr (sentence, ==,
                   "LabelMarket refused the call with the error InsufficientFreeStake(free: 0, needed: 1).");
  g_clear_pointer (&reply, g_free);

  /* A Transfer log, from a real transfer. */
  transfer_logs = send (devnet, devnet->token, "transfer(address,uint256)", ACCOUNT2, "1234");
  g_assert_cmpuint (json_array_get_length (transfer_logs), ==, 1);
  transfer = decode_log (token, json_array_get_object_element (transfer_logs, 0));
  g_assert_cmpstr (tally_abi_entry_get_name (tally_abi_log_get_event (transfer)), ==, "Transfer");
  assert_address (tally_abi_log_lookup (transfer, "from"), ACCOUNT1);
  assert_address (tally_abi_log_lookup (transfer, "to"), ACCOUNT2);
  assert_uint (tally_abi_log_lookup (transfer, "value"), "1234");
  assert_uint (tally_abi_log_get_value (transfer, 2), "1234");
  g_assert_null (tally_abi_log_lookup (transfer, "amount"));
  described = tally_abi_log_to_string (transfer);
  g_assert_cmpstr (described, ==, "Transfer(from: " ACCOUNT1 ", to: " ACCOUNT2 ", value: 1234)");

  /* Approve and stake: the market's Staked log, beside the token's Transfer. */
  g_clear_pointer (&stake_logs, json_array_unref);
  stake_logs = send (devnet, devnet->token, "approve(address,uint256)", devnet->market, "5000");
  g_clear_pointer (&stake_logs, json_array_unref);
  stake_logs = send (devnet, devnet->market, "stake(uint256)", "5000", NULL);
  for (guint i = 0; i < json_array_get_length (stake_logs); i++)
    {
      JsonObject  *log = json_array_get_object_element (stake_logs, i);
      TallyAddress emitter;

      g_assert_true (tally_address_parse (&emitter, json_object_get_string_member (log, "address"), &error));
      if (tally_address_equal (&emitter,
                               tally_network_profile_get_market_address (devnet->chain.profile)))
        staked = decode_log (market, log);
    }
  g_assert_nonnull (staked);
  g_assert_cmpstr (tally_abi_entry_get_name (tally_abi_log_get_event (staked)), ==, "Staked");
  assert_address (tally_abi_log_get_value (staked, 0), ACCOUNT1);
  assert_uint (tally_abi_log_get_value (staked, 1), "5000");

  /* stakeOf now returns three named numbers. */
  reply = call (devnet, market, devnet->market, "stakeOf", account_args, FALSE, &len);
  g_assert_true (tally_contract_abi_decode_result (market, &result, "stakeOf", reply, len, &error));
  g_assert_no_error (error);
  assert_uint (tally_abi_value_get_element (result, 0), "5000");
  assert_uint (tally_abi_value_get_element (result, 2), "5000");
  g_clear_pointer (&result, tally_abi_value_free);

  /* Truncated return data is a malformed reply naming the function. */
  g_assert_false (tally_contract_abi_decode_result (market, &result, "stakeOf", reply, len - 1, &error));
  g_assert_null (result);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_assert_nonnull (strstr (error->message, "stakeOf(address)"));
}

/* Logs and reverts that do not fit. */
static void
test_bad_logs (void)
{
  g_autoptr (TallyContractAbi) token = load_abi ("LabelToken");
  g_autoptr (TallyContractAbi) market = load_abi ("LabelMarket");
  g_autoptr (GError) error = NULL;
  const TallyAbiEntry *transfer = tally_contract_abi_lookup (token, TALLY_ABI_ENTRY_EVENT, "Transfer", &error);
  guint8               topics[3 * TALLY_ABI_TOPIC_LEN] = { 0 };
  guint8               data[TALLY_ABI_WORD_LEN] = { 0 };
  g_autoptr (TallyAbiLog) log = NULL;
  g_autofree char    *error_string = NULL;
  g_autofree char    *panic = NULL;
  g_autofree char    *unknown = NULL;
  static const guint8 error_data[] = {
    0x08, 0xc3, 0x79, 0xa0, /* Error(string) "no" */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
    'n', 'o', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
  };
  static const guint8 short_error[] = { 0x80, 0x2f, 0x3a, 0x42, 0, 0, 1 };
  static const guint8 stranger[] = { 0xde, 0xad, 0xbe, 0xef };

  g_assert_no_error (error);
  memcpy (topics, tally_abi_entry_get_selector (transfer, NULL), TALLY_ABI_TOPIC_LEN);

  /* A well-formed zero transfer decodes... */
  log = tally_contract_abi_decode_log (token, topics, 3, data, sizeof data, &error);
  g_assert_no_error (error);
  g_clear_pointer (&log, tally_abi_log_free);

  /* ...a missing topic, an address topic with dirty high bytes, or short
   * data does not. */
  log = tally_contract_abi_decode_log (token, topics, 2, data, sizeof data, &error);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_clear_error (&error);
  topics[TALLY_ABI_TOPIC_LEN] = 1;
  log = tally_contract_abi_decode_log (token, topics, 3, data, sizeof data, &error);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_clear_error (&error);
  topics[TALLY_ABI_TOPIC_LEN] = 0;
  log = tally_contract_abi_decode_log (token, topics, 3, data, sizeof data - 1, &error);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_clear_error (&error);

  /* The market has no Transfer event; no topics is no event. */
  log = tally_contract_abi_decode_log (market, topics, 3, data, sizeof data, &error);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  log = tally_contract_abi_decode_log (token, NULL, 0, data, sizeof data, &error);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Reverts that are not this contract's custom errors keep the wallet's words. */
  error_string = tally_contract_abi_describe_revert (market, error_data, sizeof error_data);
  g_assert_cmpstr (error_string, ==, "The contract refused the call: “no”.");
  panic = tally_contract_abi_describe_revert (market, short_error, sizeof short_error);
  g_assert_nonnull (strstr (panic, "InsufficientFreeStake"));
  g_assert_nonnull (strstr (panic, "malformed"));
  unknown = tally_contract_abi_describe_revert (market, stranger, sizeof stranger);
  g_assert_nonnull (strstr (unknown, "0xdeadbeef"));
}

static const struct
{
  const char *json;
  const char *says;
} malformed_abis[] = {
  { "", "" },
  { "{}", "not a JSON array" },
  { "[1]", "entry 0: not an object" },
  { "[{}]", "no \"type\"" },
  { "[{\"type\": \"modifier\", \"name\": \"m\"}]", "unknown entry type" },
  { "[{\"type\": \"function\", \"inputs\": [], \"outputs\": [], \"stateMutability\": \"view\"}]", "no valid \"name\"" },
  { "[{\"type\": \"function\", \"name\": \"1f\", \"inputs\": [], \"outputs\": [], \"stateMutability\": \"view\"}]", "no valid \"name\"" },
  { "[{\"type\": \"function\", \"name\": \"f\", \"outputs\": [], \"stateMutability\": \"view\"}]", "no \"inputs\" array" },
  { "[{\"type\": \"function\", \"name\": \"f\", \"inputs\": [], \"stateMutability\": \"view\"}]", "no \"outputs\" array" },
  { "[{\"type\": \"function\", \"name\": \"f\", \"inputs\": [], \"outputs\": []}]", "stateMutability" },
  { "[{\"type\": \"function\", \"name\": \"f\", \"inputs\": [], \"outputs\": [], \"stateMutability\": \"constant\"}]", "stateMutability" },
  { "[{\"type\": \"function\", \"name\": \"f\", \"inputs\": [{\"name\": \"a\", \"type\": \"uint7\"}], \"outputs\": [], \"stateMutability\": \"view\"}]", "entry 0 (f): inputs" },
  { "[{\"type\": \"function\", \"name\": \"f\", \"inputs\": [{\"name\": \"a\"}], \"outputs\": [], \"stateMutability\": \"view\"}]", "no \"type\" string" },
  { "[{\"type\": \"function\", \"name\": \"f\", \"inputs\": [{\"name\": 5, \"type\": \"uint8\"}], \"outputs\": [], \"stateMutability\": \"view\"}]", "\"name\" is not an identifier" },
  { "[{\"type\": \"function\", \"name\": \"f\", \"inputs\": [{\"name\": \"a b\", \"type\": \"uint8\"}], \"outputs\": [], \"stateMutability\": \"view\"}]", "\"name\" is not an identifier" },
  { "[{\"type\": \"function\", \"name\": \"f\", \"inputs\": [{\"name\": \"a\", \"type\": \"uint8 \"}], \"outputs\": [], \"stateMutability\": \"view\"}]", "not an ABI type" },
  { "[{\"type\": \"function\", \"name\": \"f\", \"inputs\": [{\"name\": \"t\", \"type\": \"tuple\"}], \"outputs\": [], \"stateMutability\": \"view\"}]", "\"components\"" },
  { "[{\"type\": \"function\", \"name\": \"f\", \"inputs\": [{\"name\": \"t\", \"type\": \"tuplex\", \"components\": [{\"type\": \"uint8\"}]}], \"outputs\": [], \"stateMutability\": \"view\"}]", "inputs" },
  { "[{\"type\": \"event\", \"name\": \"E\", \"inputs\": [{\"name\": \"a\", \"type\": \"uint8\"}], \"anonymous\": false}]", "\"indexed\"" },
  { "[{\"type\": \"event\", \"name\": \"E\", \"inputs\": [], \"anonymous\": \"no\"}]", "\"anonymous\"" },
  { "[{\"type\": \"error\", \"name\": \"E\", \"inputs\": []}, {\"type\": \"error\", \"name\": \"E\", \"inputs\": []}]", "E() is declared twice" },
};

static void
test_malformed_abi (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (malformed_abis); i++)
    {
      g_autoptr (GBytes) bytes = g_bytes_new_static (malformed_abis[i].json, strlen (malformed_abis[i].json));
      g_autoptr (GError) error = NULL;
      g_autoptr (TallyContractAbi) abi = tally_contract_abi_new_from_bytes ("Broken", bytes, &error);

      g_assert_null (abi);
      g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
      if (strstr (error->message, malformed_abis[i].says) == NULL || strstr (error->message, "Broken") == NULL)
        g_error ("ABI %u: “%s” does not say %s", i, error->message, malformed_abis[i].says);
    }
}

/* Overloads are found by signature only; constructors and the like are skipped. */
static void
test_overloads (void)
{
  static const char json[] =
    "[{\"type\": \"constructor\", \"inputs\": [], \"stateMutability\": \"nonpayable\"},"
    " {\"type\": \"receive\", \"stateMutability\": \"payable\"},"
    " {\"type\": \"function\", \"name\": \"f\", \"inputs\": [{\"name\": \"a\", \"type\": \"uint\"}], \"outputs\": [], \"stateMutability\": \"nonpayable\"},"
    " {\"type\": \"function\", \"name\": \"f\", \"inputs\": [{\"name\": \"s\", \"type\": \"tuple[2]\", \"components\": [{\"name\": \"x\", \"type\": \"address\"}, {\"name\": \"y\", \"type\": \"bytes\"}]}], \"outputs\": [], \"stateMutability\": \"nonpayable\"}]";
  g_autoptr (GBytes) bytes = g_bytes_new_static (json, sizeof json - 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyContractAbi) abi = tally_contract_abi_new_from_bytes ("Overloaded", bytes, &error);
  g_autoptr (GPtrArray) functions = NULL;

  g_assert_no_error (error);
  functions = tally_contract_abi_list (abi, TALLY_ABI_ENTRY_FUNCTION);
  g_assert_cmpuint (functions->len, ==, 2);
  g_assert_null (tally_contract_abi_lookup (abi, TALLY_ABI_ENTRY_FUNCTION, "f", &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "give the signature"));
  g_clear_error (&error);
  g_assert_nonnull (tally_contract_abi_lookup (abi, TALLY_ABI_ENTRY_FUNCTION, "f(uint256)", &error));
  g_assert_nonnull (tally_contract_abi_lookup (abi, TALLY_ABI_ENTRY_FUNCTION, "f((address,bytes)[2])", &error));
  g_assert_no_error (error);
}

/* An indexed string is only its hash in the topic: the log gives the hash. */
static void
test_indexed_hash (void)
{
  static const char json[] =
    "[{\"type\": \"event\", \"name\": \"Named\", \"anonymous\": false, \"inputs\": ["
    "  {\"name\": \"label\", \"type\": \"string\", \"indexed\": true},"
    "  {\"name\": \"count\", \"type\": \"uint256\", \"indexed\": false},"
    "  {\"name\": \"who\", \"type\": \"address\", \"indexed\": true}]}]";
  g_autoptr (GBytes) bytes = g_bytes_new_static (json, sizeof json - 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyContractAbi) abi = tally_contract_abi_new_from_bytes ("Events", bytes, &error);
  g_autoptr (TallyAbiLog) log = NULL;
  g_autofree char *text = NULL;
  guint8           topics[3 * TALLY_ABI_TOPIC_LEN] = { 0 };
  guint8           data[TALLY_ABI_WORD_LEN] = { 0 };
  const guint8    *hash;
  gsize            hash_len = 0;

  g_assert_no_error (error);
  g_assert_true (tally_abi_event_topic (topics, "Named(string,uint256,address)", &error));
  memset (topics + TALLY_ABI_TOPIC_LEN, 0xab, TALLY_ABI_TOPIC_LEN);
  topics[3 * TALLY_ABI_TOPIC_LEN - 1] = 0x01;
  data[TALLY_ABI_WORD_LEN - 1] = 7;

  log = tally_contract_abi_decode_log (abi, topics, 3, data, sizeof data, &error);
  g_assert_no_error (error);
  hash = tally_abi_value_get_bytes (tally_abi_log_lookup (log, "label"), &hash_len);
  g_assert_cmpint (tally_abi_value_get_kind (tally_abi_log_get_value (log, 0)), ==, TALLY_ABI_FIXED_BYTES);
  g_assert_cmpmem (hash, hash_len, topics + TALLY_ABI_TOPIC_LEN, TALLY_ABI_TOPIC_LEN);
  assert_uint (tally_abi_log_lookup (log, "count"), "7");
  assert_address (tally_abi_log_lookup (log, "who"), "0x0000000000000000000000000000000000000001");
  g_assert_true (tally_abi_entry_get_input_indexed (tally_abi_log_get_event (log), 2));
  g_assert_false (tally_abi_entry_get_input_indexed (tally_abi_log_get_event (log), 1));
  text = tally_abi_log_to_string (log);
  g_assert_cmpstr (text, ==,
                   "Named(label: 0xabababababababababababababababababababababababababababababababab, "
                   "count: 7, who: 0x0000000000000000000000000000000000000001)");
}

/* The ABI compiled into the library is the one the build exported. */
static void
test_builtin (void)
{
  static const char *const names[] = { "LabelMarket", "LabelToken", "PriceFeed" };
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyContractAbi) missing = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr (TallyContractAbi) from_file = load_abi (names[i]);
      g_autoptr (TallyContractAbi) builtin = tally_contract_abi_new_builtin (names[i], &error);

      g_assert_no_error (error);
      g_assert_cmpstr (tally_contract_abi_get_name (builtin), ==, names[i]);
      for (TallyAbiEntryKind kind = TALLY_ABI_ENTRY_FUNCTION; kind <= TALLY_ABI_ENTRY_ERROR; kind++)
        {
          g_autoptr (GPtrArray) expected = tally_contract_abi_list (from_file, kind);
          g_autoptr (GPtrArray) found = tally_contract_abi_list (builtin, kind);

          g_assert_cmpuint (expected->len, >, 0);
          g_assert_cmpuint (found->len, ==, expected->len);
          for (guint j = 0; j < found->len; j++)
            g_assert_cmpstr (tally_abi_entry_get_signature (g_ptr_array_index (found, j)), ==,
                             tally_abi_entry_get_signature (g_ptr_array_index (expected, j)));
        }
    }

  missing = tally_contract_abi_new_builtin ("Vault", &error);
  g_assert_null (missing);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "Vault"));
  g_clear_error (&error);
  missing = tally_contract_abi_new_from_resource ("/io/github/tally/Tally/abi/Vault.json", &error);
  g_assert_null (missing);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  missing = tally_contract_abi_new_from_file ("/nonexistent/Vault.json", &error);
  g_assert_null (missing);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/contract-abi/selectors", test_selectors);
  g_test_add_func ("/core/contract-abi/encode", test_encode);
  g_test_add_func ("/core/contract-abi/bad-logs", test_bad_logs);
  g_test_add_func ("/core/contract-abi/malformed", test_malformed_abi);
  g_test_add_func ("/core/contract-abi/overloads", test_overloads);
  g_test_add_func ("/core/contract-abi/builtin", test_builtin);
  g_test_add_func ("/core/contract-abi/indexed-hash", test_indexed_hash);
  g_test_add ("/core/contract-abi/chain", Devnet, NULL, devnet_set_up, test_chain, devnet_tear_down);

  return g_test_run ();
}
