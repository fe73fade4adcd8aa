/* test-label-market.c: typed LabelMarket and LabelToken calls, checked
 * against cast and used on tools/devnet's chain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "core-error.h"
#include "label-market.h"
#include "network-profile.h"
#include "tally-test-devnet.h"
#include "wallet/hex.h"

/* Public anvil test account 1 (the "test ... junk" mnemonic). */
#define ACCOUNT1     "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
#define ACCOUNT1_KEY "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
#define MARKET       "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"

/* Takes the calldata and compares it with what cast encodes. */
static void
assert_calldata (guint8            *data,
                 gsize              len,
                 const char *const *cast_args)
{
  g_autofree guint8 *owned = data;
  g_autofree char   *ours = tally_hex_encode (owned, len);
  g_autofree char   *theirs = tally_test_cast (cast_args);

  g_assert_cmpstr (ours, ==, theirs);
}

static void
test_calldata (void)
{
  g_autoptr (GError) error = NULL;
  guint8      *data = NULL;
  gsize        len = 0;
  TallyUint256 amount, one;
  TallyAddress account, market;

  g_assert_true (tally_uint256_parse (&amount, "1500000000000000000000", &error));
  tally_uint256_from_uint64 (&one, 1);
  g_assert_true (tally_address_parse (&account, ACCOUNT1, &error));
  g_assert_true (tally_address_parse (&market, MARKET, &error));

  g_assert_true (tally_label_market_encode_stake (&data, &len, &amount, &error));
  g_assert_no_error (error);
  assert_calldata (data, len,
                   (const char *const[]){ "calldata", "stake(uint256)", "1500000000000000000000", NULL });
  g_assert_true (tally_label_market_encode_unstake (&data, &len, &one, &error));
  assert_calldata (data, len, (const char *const[]){ "calldata", "unstake(uint256)", "1", NULL });
  g_assert_true (tally_label_market_encode_claim (&data, &len, &error));
  assert_calldata (data, len, (const char *const[]){ "calldata", "claim()", NULL });
  g_assert_true (tally_label_market_encode_stake_of (&data, &len, &account, &error));
  assert_calldata (data, len, (const char *const[]){ "calldata", "stakeOf(address)", ACCOUNT1, NULL });
  g_assert_true (tally_label_token_encode_approve (&data, &len, &market, &amount, &error));
  assert_calldata (data, len,
                   (const char *const[]){ "calldata", "approve(address,uint256)", MARKET,
                                          "1500000000000000000000", NULL });
  g_assert_true (tally_label_token_encode_balance_of (&data, &len, &account, &error));
  assert_calldata (data, len, (const char *const[]){ "calldata", "balanceOf(address)", ACCOUNT1, NULL });
  g_assert_no_error (error);
}

static void
test_bad_results (void)
{
  guint8          words[3 * 32] = { 0 };
  TallyLabelStake stake;
  TallyUint256    balance;
  g_autoptr (GError) error = NULL;

  /* total 5, locked 1, free 3: does not add up. */
  words[31] = 5;
  words[63] = 1;
  words[95] = 3;
  g_assert_false (tally_label_market_decode_stake_of (&stake, words, sizeof words, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_assert_true (tally_uint256_is_zero (&stake.total));
  g_clear_error (&error);

  words[95] = 4;
  g_assert_true (tally_label_market_decode_stake_of (&stake, words, sizeof words, &error));
  g_assert_no_error (error);
  g_assert_false (tally_label_market_decode_stake_of (&stake, words, sizeof words - 1, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_clear_error (&error);

  /* A balance is one word, not three. */
  g_assert_false (tally_label_token_decode_balance_of (&balance, words, sizeof words, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_assert_nonnull (strstr (error->message, "balanceOf(address)"));
}

/* On the devnet's chain. */

/* eth_call of calldata from ACCOUNT1: the result's bytes, or with
 * expect_revert the revert data's. Takes the calldata. */
static guint8 *
call (TallyTestDevnet    *devnet,
      const TallyAddress *to,
      guint8             *calldata,
      gsize               calldata_len,
      gboolean            expect_revert,
      gsize              *len)
{
  g_autofree guint8 *owned = calldata;
  g_autofree char   *data_hex = tally_hex_encode (owned, calldata_len);
  char               to_text[TALLY_ADDRESS_STRING_SIZE];
  g_autofree char   *params = NULL;
  g_autoptr (JsonObject) reply = NULL;
  g_autoptr (GError) error = NULL;
  const char *hex;
  guint8     *bytes = NULL;

  tally_address_to_string (to, to_text);
  params = g_strdup_printf ("[{\"from\": \"%s\", \"to\": \"%s\", \"data\": \"%s\"}, "
                            "\"latest\"]",
                            ACCOUNT1, to_text, data_hex);
  reply = tally_test_devnet_rpc (devnet,
                                 tally_network_profile_get_rpc_url (devnet->profile), "eth_call",
                                 params);
  if (expect_revert)
    hex = json_object_get_string_member (json_object_get_object_member (reply, "error"), "data");
  else
    hex = json_object_get_string_member (reply, "result");
  g_assert_true (tally_hex_decode (&bytes, len, hex, -1, &error));
  g_assert_no_error (error);
  return bytes;
}

/* Sends calldata from ACCOUNT1 with cast. Takes the calldata. */
static void
send (TallyTestDevnet    *devnet,
      const TallyAddress *to,
      guint8             *calldata,
      gsize               calldata_len)
{
  g_autofree guint8 *owned = calldata;
  g_autofree char   *data_hex = tally_hex_encode (owned, calldata_len);
  char               to_text[TALLY_ADDRESS_STRING_SIZE];
  g_autofree char   *status = NULL;

  tally_address_to_string (to, to_text);
  status = tally_test_cast ((const char *const[]){
    "send", "--json", "--rpc-url", tally_network_profile_get_rpc_url (devnet->profile),
    "--private-key", ACCOUNT1_KEY, to_text, data_hex, NULL });
  g_assert_nonnull (strstr (status, "\"status\":\"0x1\""));
}

static void
test_chain (TallyTestDevnet *devnet,
            gconstpointer    data)
{
  const TallyAddress *market = tally_network_profile_get_market_address (devnet->profile);
  const TallyAddress *token = tally_network_profile_get_token_address (devnet->profile);
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *reply = NULL;
  g_autofree char   *sentence = NULL;
  g_autofree char   *text = NULL;
  guint8            *calldata = NULL;
  gsize              calldata_len = 0, len = 0;
  TallyAddress       account;
  TallyUint256       balance, amount, too_much;
  TallyLabelStake    stake;

  g_assert_true (tally_address_parse (&account, ACCOUNT1, &error));
  tally_uint256_from_uint64 (&amount, 5000);
  tally_uint256_from_uint64 (&too_much, 6000);

  g_assert_true (tally_label_token_encode_balance_of (&calldata, &calldata_len, &account, &error));
  reply = call (devnet, token, calldata, calldata_len, FALSE, &len);
  g_assert_true (tally_label_token_decode_balance_of (&balance, reply, len, &error));
  g_assert_no_error (error);
  text = tally_uint256_to_decimal (&balance);
  g_assert_cmpstr (text, ==, "10000000000000000000000");
  g_clear_pointer (&reply, g_free);

  g_assert_true (tally_label_token_encode_approve (&calldata, &calldata_len, market, &amount, &error));
  send (devnet, token, calldata, calldata_len);
  g_assert_true (tally_label_market_encode_stake (&calldata, &calldata_len, &amount, &error));
  send (devnet, market, calldata, calldata_len);

  g_assert_true (tally_label_market_encode_stake_of (&calldata, &calldata_len, &account, &error));
  reply = call (devnet, market, calldata, calldata_len, FALSE, &len);
  g_assert_true (tally_label_market_decode_stake_of (&stake, reply, len, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tally_uint256_cmp (&stake.total, &amount), ==, 0);
  g_assert_cmpint (tally_uint256_cmp (&stake.free, &amount), ==, 0);
  g_assert_true (tally_uint256_is_zero (&stake.locked));
  g_clear_pointer (&reply, g_free);

  g_assert_true (tally_label_market_encode_unstake (&calldata, &calldata_len, &too_much, &error));
  reply = call (devnet, market, calldata, calldata_len, TRUE, &len);
  sentence = tally_label_market_describe_revert (reply, len);
  g_assert_cmpstr (sentence, ==,
                   "LabelMarket refused the call with the error InsufficientFreeStake(free: 5000, "
                   "needed: 6000).");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/label-market/calldata", test_calldata);
  g_test_add_func ("/core/label-market/bad-results", test_bad_results);
  g_test_add ("/core/label-market/chain", TallyTestDevnet, "tally-market-XXXXXX",
              tally_test_devnet_set_up, test_chain, tally_test_devnet_tear_down);

  return g_test_run ();
}
