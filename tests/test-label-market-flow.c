/* test-label-market-flow.c: staking with an EIP-2612 permit through
 * TallyTxManager, the annotator's task calls and the local commitment,
 * checked against cast and against tools/devnet's contracts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "core-error.h"
#include "label-market.h"
#include "network-profile.h"
#include "tally-test-devnet.h"
#include "tally-test-rpc.h"
#include "tx-manager.h"
#include "wallet/hex.h"
#include "wallet/keccak.h"
#include "wallet/key-signer.h"

/* Public anvil test account 1 (the "test ... junk" mnemonic): the demo
 * account, funded with LABEL by tools/devnet. */
#define ACCOUNT1     "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
#define ACCOUNT1_KEY "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
#define MARKET       "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
#define TOKEN        "0x5FbDB2315678afecb367f032d93F642f64180aa3"
/* LabelToken's ERC-20 name, its EIP-712 domain name (src/LabelToken.sol). */
#define TOKEN_NAME "Tally Label Token"
#define SALT       "0x5a17000000000000000000000000000000000000000000000000000000c0ffee"

static TallySigner *
account1_signer (void)
{
  g_autoptr (GError) error = NULL;
  guint8          key[TALLY_PRIVATE_KEY_LEN];
  TallyKeySigner *signer;

  g_assert_true (tally_hex_decode_fixed (key, sizeof key, ACCOUNT1_KEY, -1, &error));
  signer = tally_key_signer_new (key, &error);
  g_assert_no_error (error);
  memset (key, 0, sizeof key);
  return TALLY_SIGNER (signer);
}

static TallyUint256
uint_of (const char *text)
{
  g_autoptr (GError) error = NULL;
  TallyUint256 value;

  g_assert_true (tally_uint256_parse (&value, text, &error));
  g_assert_no_error (error);
  return value;
}

static void
assert_uint (const TallyUint256 *value,
             const char         *expected)
{
  g_autofree char *text = tally_uint256_to_decimal (value);

  g_assert_cmpstr (text, ==, expected);
}

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

static TallyLabelPermit
sign_permit (TallySigner        *signer,
             guint64             chain_id,
             const TallyAddress *token,
             const TallyAddress *market,
             const TallyUint256 *value,
             const TallyUint256 *nonce,
             const TallyUint256 *deadline)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  TallyLabelPermit permit;

  tally_label_token_sign_permit_async (signer, TOKEN_NAME, chain_id, token, market, value, nonce,
                                       deadline, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (tally_label_token_sign_permit_finish (signer, tally_test_rpc_wait_for (&result),
                                                       &permit, &error));
  g_assert_no_error (error);
  return permit;
}

static void
test_calldata (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallySigner) signer = account1_signer ();
  g_autofree char    *typed_data = NULL;
  g_autofree char    *cast_signature = NULL;
  guint8             *data = NULL;
  gsize               len = 0;
  guint8              salt[32], commitment[32], key[64], signature[TALLY_SIGNATURE_LEN];
  TallyAddress        account, market, token;
  TallyUint256        task_id = uint_of ("42"), amount = uint_of ("1234567890123456789012");
  TallyUint256        nonce = uint_of ("3"), deadline = uint_of ("1900000000");
  TallyLabelPermit    permit;
  static const guint8 labels[] = { 1, 0, 2, 255 };
  static const guint8 payload[] = "ciphertext";

  g_assert_true (tally_address_parse (&account, ACCOUNT1, &error));
  g_assert_true (tally_address_parse (&market, MARKET, &error));
  g_assert_true (tally_address_parse (&token, TOKEN, &error));
  g_assert_true (tally_hex_decode_fixed (salt, sizeof salt, SALT, -1, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < sizeof key; i++)
    key[i] = (guint8) (i * 7 + 1);

  /* The permit's signature is deterministic (RFC 6979): cast signs the
   * same typed data, written out here independently, to the same bytes. */
  permit = sign_permit (signer, 31337, &token, &market, &amount, &nonce, &deadline);
  g_assert_true (permit.v == 27 || permit.v == 28);
  typed_data = g_strdup_printf (
    "{\"types\": {\"EIP712Domain\": [{\"name\": \"name\", \"type\": \"string\"}, "
    "{\"name\": \"version\", \"type\": \"string\"}, {\"name\": \"chainId\", \"type\": \"uint256\"}, "
    "{\"name\": \"verifyingContract\", \"type\": \"address\"}], \"Permit\": [{\"name\": \"owner\", "
    "\"type\": \"address\"}, {\"name\": \"spender\", \"type\": \"address\"}, {\"name\": \"value\", "
    "\"type\": \"uint256\"}, {\"name\": \"nonce\", \"type\": \"uint256\"}, {\"name\": \"deadline\", "
    "\"type\": \"uint256\"}]}, \"primaryType\": \"Permit\", \"domain\": {\"name\": \"%s\", "
    "\"version\": \"1\", \"chainId\": 31337, \"verifyingContract\": \"%s\"}, \"message\": "
    "{\"owner\": \"%s\", \"spender\": \"%s\", \"value\": \"1234567890123456789012\", \"nonce\": 3, "
    "\"deadline\": 1900000000}}",
    TOKEN_NAME, TOKEN, ACCOUNT1, MARKET);
  cast_signature = tally_test_cast ((const char *const[]){ "wallet", "sign", "--private-key",
                                                           ACCOUNT1_KEY, "--data", typed_data,
                                                           NULL });
  memcpy (signature, permit.r, 32);
  memcpy (signature + 32, permit.s, 32);
  signature[64] = permit.v;
  {
    g_autofree char *ours = tally_hex_encode (signature, sizeof signature);

    g_assert_cmpstr (ours, ==, cast_signature);
  }

  g_assert_true (tally_label_market_encode_stake_with_permit (&data, &len, &amount, &deadline,
                                                              &permit, &error));
  g_assert_no_error (error);
  {
    g_autofree char *v = g_strdup_printf ("%u", permit.v);
    g_autofree char *r = tally_hex_encode (permit.r, 32);
    g_autofree char *s = tally_hex_encode (permit.s, 32);

    assert_calldata (data, len,
                     (const char *const[]){ "calldata",
                                            "stakeWithPermit(uint256,uint256,uint8,bytes32,bytes32)",
                                            "1234567890123456789012", "1900000000", v, r, s,
                                            NULL });
  }
  g_assert_true (tally_label_token_encode_nonces (&data, &len, &account, &error));
  assert_calldata (data, len, (const char *const[]){ "calldata", "nonces(address)", ACCOUNT1, NULL });

  g_assert_true (tally_label_market_encode_join (&data, &len, &task_id, key, sizeof key, &error));
  {
    g_autofree char *key_hex = tally_hex_encode (key, sizeof key);

    assert_calldata (data, len,
                     (const char *const[]){ "calldata", "join(uint256,bytes)", "42", key_hex, NULL });
  }
  g_assert_true (tally_label_market_encode_join (&data, &len, &task_id, NULL, 0, &error));
  assert_calldata (data, len,
                   (const char *const[]){ "calldata", "join(uint256,bytes)", "42", "0x", NULL });
  g_assert_true (tally_label_market_encode_leave (&data, &len, &task_id, &error));
  assert_calldata (data, len, (const char *const[]){ "calldata", "leave(uint256)", "42", NULL });
  g_assert_true (tally_label_market_encode_commit (&data, &len, &task_id, salt, &error));
  assert_calldata (data, len,
                   (const char *const[]){ "calldata", "commit(uint256,bytes32)", "42", SALT, NULL });
  g_assert_true (tally_label_market_encode_reveal (&data, &len, &task_id, labels, sizeof labels,
                                                   payload, sizeof payload - 1, salt, &error));
  {
    g_autofree char *payload_hex = tally_hex_encode (payload, sizeof payload - 1);

    assert_calldata (data, len,
                     (const char *const[]){ "calldata", "reveal(uint256,bytes,bytes,bytes32)", "42",
                                            "0x010002ff", payload_hex, SALT, NULL });
  }
  g_assert_true (tally_label_market_encode_claim (&data, &len, &error));
  assert_calldata (data, len, (const char *const[]){ "calldata", "claim()", NULL });
  g_assert_true (tally_label_market_encode_credited (&data, &len, &account, &error));
  assert_calldata (data, len,
                   (const char *const[]){ "calldata", "credited(address)", ACCOUNT1, NULL });
  g_assert_true (tally_label_market_encode_get_submission (&data, &len, &task_id, &account, &error));
  assert_calldata (data, len,
                   (const char *const[]){ "calldata", "getSubmission(uint256,address)", "42",
                                          ACCOUNT1, NULL });
  g_assert_no_error (error);

  /* The commitment against cast's abi-encode and keccak. */
  tally_label_market_commitment (commitment, 31337, &market, &task_id, &account, labels,
                                 sizeof labels, payload, sizeof payload - 1, salt);
  {
    guint8           labels_hash[32], payload_hash[32];
    g_autofree char *labels_hex = NULL, *payload_hex = NULL, *encoded = NULL, *expected = NULL;
    g_autofree char *ours = tally_hex_encode (commitment, sizeof commitment);

    tally_keccak256 (labels_hash, labels, sizeof labels);
    tally_keccak256 (payload_hash, payload, sizeof payload - 1);
    labels_hex = tally_hex_encode (labels_hash, 32);
    payload_hex = tally_hex_encode (payload_hash, 32);
    encoded = tally_test_cast ((const char *const[]){
      "abi-encode", "f(uint256,address,uint256,address,bytes32,bytes32,bytes32)", "31337", MARKET,
      "42", ACCOUNT1, labels_hex, payload_hex, SALT, NULL });
    expected = tally_test_cast ((const char *const[]){ "keccak", encoded, NULL });
    g_assert_cmpstr (ours, ==, expected);
  }
}

static void
test_bad_results (void)
{
  guint8               words[5 * 32] = { 0 };
  TallyLabelSubmission submission;
  TallyUint256         value;
  guint8               commitment[32];
  g_autoptr (GError) error = NULL;

  /* Seated in seat 2, committed, key granted. */
  words[31] = 1;
  words[63] = 2;
  words[95] = TALLY_LABEL_SEAT_COMMITTED;
  memset (words + 96, 0xab, 32);
  words[159] = 1;
  g_assert_true (tally_label_market_decode_get_submission (&submission, words, sizeof words, &error));
  g_assert_no_error (error);
  g_assert_true (submission.seated);
  g_assert_cmpuint (submission.seat, ==, 2);
  g_assert_cmpint (submission.state, ==, TALLY_LABEL_SEAT_COMMITTED);
  g_assert_cmpuint (submission.hash[0], ==, 0xab);
  g_assert_cmpuint (submission.hash[31], ==, 0xab);
  g_assert_true (submission.key_granted);

  /* A state SeatState does not have. */
  words[95] = 4;
  g_assert_false (tally_label_market_decode_get_submission (&submission, words, sizeof words, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_assert_nonnull (strstr (error->message, "getSubmission"));
  g_assert_false (submission.seated);
  g_clear_error (&error);
  words[95] = TALLY_LABEL_SEAT_JOINED;

  /* A seat no task has. */
  words[61] = 1;
  g_assert_false (tally_label_market_decode_get_submission (&submission, words, sizeof words, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_clear_error (&error);
  words[61] = 0;

  /* A seat for an account that holds none. */
  words[31] = 0;
  g_assert_false (tally_label_market_decode_get_submission (&submission, words, sizeof words, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_clear_error (&error);

  /* A bool that is neither 0 nor 1, and a short reply. */
  words[31] = 2;
  g_assert_false (tally_label_market_decode_get_submission (&submission, words, sizeof words, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_clear_error (&error);
  words[31] = 1;
  g_assert_false (tally_label_market_decode_get_submission (&submission, words, 4 * 32, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_clear_error (&error);

  /* One word each; two are not one. */
  g_assert_true (tally_label_market_decode_credited (&value, words + 32, 32, &error));
  assert_uint (&value, "2");
  g_assert_false (tally_label_market_decode_credited (&value, words, 64, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_assert_nonnull (strstr (error->message, "credited(address)"));
  g_assert_true (tally_uint256_is_zero (&value));
  g_clear_error (&error);
  g_assert_true (tally_label_token_decode_nonces (&value, words + 32, 32, &error));
  assert_uint (&value, "2");
  g_assert_false (tally_label_token_decode_nonces (&value, words, 31, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_clear_error (&error);
  g_assert_true (tally_label_market_decode_commitment_of (commitment, words + 96, 32, &error));
  g_assert_cmpuint (commitment[0], ==, 0xab);
  g_assert_false (tally_label_market_decode_commitment_of (commitment, words, 33, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_assert_cmpuint (commitment[0], ==, 0);
}

/* ---- On the devnet's chain ---------------------------------------------- */

/* eth_call of calldata from ACCOUNT1: the result's bytes. Takes the
 * calldata. */
static guint8 *
call (TallyTestDevnet    *devnet,
      const TallyAddress *to,
      guint8             *calldata,
      gsize               calldata_len,
      gsize              *len)
{
  g_autofree guint8 *owned = calldata;
  g_autofree char   *data_hex = tally_hex_encode (owned, calldata_len);
  char               to_text[TALLY_ADDRESS_STRING_SIZE];
  g_autofree char   *params = NULL;
  g_autoptr (JsonObject) reply = NULL;
  g_autoptr (GError) error = NULL;
  guint8 *bytes = NULL;

  tally_address_to_string (to, to_text);
  params = g_strdup_printf ("[{\"from\": \"%s\", \"to\": \"%s\", \"data\": \"%s\"}, \"latest\"]",
                            ACCOUNT1, to_text, data_hex);
  reply = tally_test_devnet_rpc (devnet, tally_network_profile_get_rpc_url (devnet->profile),
                                 "eth_call", params);
  g_assert_true (
    tally_hex_decode (&bytes, len, json_object_get_string_member (reply, "result"), -1, &error));
  g_assert_no_error (error);
  return bytes;
}

typedef struct
{
  TallyTestDevnet    *devnet;
  const TallyAddress *market;
  const TallyAddress *token;
  TallyAddress        account;
} Chain;

static TallyUint256
balance_of (Chain *c)
{
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *reply = NULL;
  guint8            *calldata = NULL;
  gsize              calldata_len = 0, len = 0;
  TallyUint256       balance;

  g_assert_true (
    tally_label_token_encode_balance_of (&calldata, &calldata_len, &c->account, &error));
  reply = call (c->devnet, c->token, calldata, calldata_len, &len);
  g_assert_true (tally_label_token_decode_balance_of (&balance, reply, len, &error));
  g_assert_no_error (error);
  return balance;
}

static TallyUint256
nonce_of (Chain *c)
{
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *reply = NULL;
  guint8            *calldata = NULL;
  gsize              calldata_len = 0, len = 0;
  TallyUint256       nonce;

  g_assert_true (tally_label_token_encode_nonces (&calldata, &calldata_len, &c->account, &error));
  reply = call (c->devnet, c->token, calldata, calldata_len, &len);
  g_assert_true (tally_label_token_decode_nonces (&nonce, reply, len, &error));
  g_assert_no_error (error);
  return nonce;
}

static TallyLabelStake
stake_of (Chain *c)
{
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *reply = NULL;
  guint8            *calldata = NULL;
  gsize              calldata_len = 0, len = 0;
  TallyLabelStake    stake;

  g_assert_true (tally_label_market_encode_stake_of (&calldata, &calldata_len, &c->account, &error));
  reply = call (c->devnet, c->market, calldata, calldata_len, &len);
  g_assert_true (tally_label_market_decode_stake_of (&stake, reply, len, &error));
  g_assert_no_error (error);
  return stake;
}

/* Sends calldata to the market through the manager and waits for it to be
 * mined; FALSE with error when the send or the transaction fails. Takes the
 * calldata. */
static gboolean
send_to_market (TallyTxManager *manager,
                Chain          *c,
                guint8         *calldata,
                gsize           calldata_len,
                const char     *purpose,
                GError        **error)
{
  g_autoptr (GBytes) data = g_bytes_new_take (calldata, calldata_len);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  guint8 hash[32];

  tally_tx_manager_send_async (manager, c->market, NULL, data, purpose, NULL,
                               tally_test_rpc_on_done, &result);
  if (!tally_tx_manager_send_finish (manager, tally_test_rpc_wait_for (&result), hash, error))
    return FALSE;
  g_clear_object (&result);
  tally_tx_manager_wait_async (manager, hash, NULL, tally_test_rpc_on_done, &result);
  receipt = tally_tx_manager_wait_finish (manager, tally_test_rpc_wait_for (&result), error);
  if (receipt == NULL)
    return FALSE;
  g_assert_true (receipt->success);
  return TRUE;
}

static void
test_stake_with_permit (TallyTestDevnet *devnet,
                        gconstpointer    data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tally-lmf-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "journal.sqlite", NULL);
  g_autoptr (TallyTxJournal) journal = tally_tx_journal_open (path, &error);
  g_autoptr (TallyRpcClient) client =
    tally_test_rpc_fast_client (tally_network_profile_get_rpc_url (devnet->profile));
  g_autoptr (TallySigner) signer = account1_signer ();
  guint64 chain_id = tally_network_profile_get_chain_id (devnet->profile);
  g_autoptr (TallyTxManager) manager = tally_tx_manager_new (client, signer, journal, chain_id);
  g_autoptr (JsonNode) block = NULL;
  Chain            c = { devnet, tally_network_profile_get_market_address (devnet->profile),
                         tally_network_profile_get_token_address (devnet->profile) };
  TallyUint256     amount = uint_of ("1234567890123456789012");
  TallyUint256     part = uint_of ("234567890123456789001");
  TallyUint256     balance, expected, nonce, wrong_nonce, deadline, one;
  TallyLabelStake  stake;
  TallyLabelPermit permit;
  guint8          *calldata = NULL;
  gsize            calldata_len = 0;
  guint64          next = 99;

  g_assert_no_error (error);
  tally_tx_manager_set_poll_interval (manager, 50);
  tally_signer_get_address (signer, &c.account);
  tally_uint256_from_uint64 (&one, 1);

  /* An hour after the chain's own clock. */
  block = tally_test_devnet_rpc_result (devnet, tally_network_profile_get_rpc_url (devnet->profile),
                                        "eth_getBlockByNumber", "[\"latest\", false]");
  deadline = uint_of (json_object_get_string_member (json_node_get_object (block), "timestamp"));
  {
    TallyUint256 hour;

    tally_uint256_from_uint64 (&hour, 3600);
    g_assert_true (tally_uint256_add (&deadline, &deadline, &hour));
  }

  balance = balance_of (&c);
  nonce = nonce_of (&c);
  g_assert_true (tally_uint256_is_zero (&nonce));
  stake = stake_of (&c);
  g_assert_true (tally_uint256_is_zero (&stake.total));

  /* A permit for another nonce does not verify; the market ignores the
   * failed permit and then has no allowance to pull from: the estimate
   * reverts and nothing is sent. */
  g_assert_true (tally_uint256_add (&wrong_nonce, &nonce, &one));
  permit = sign_permit (signer, chain_id, c.token, c.market, &amount, &wrong_nonce, &deadline);
  g_assert_true (tally_label_market_encode_stake_with_permit (&calldata, &calldata_len, &amount,
                                                              &deadline, &permit, &error));
  g_assert_false (send_to_market (manager, &c, calldata, calldata_len, "Stake", &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_REVERTED);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_true (tally_tx_journal_next_nonce (journal, chain_id, &c.account, &next, &error));
  g_assert_cmpuint (next, ==, 0);

  /* The right permit: one transaction, no approve. */
  permit = sign_permit (signer, chain_id, c.token, c.market, &amount, &nonce, &deadline);
  g_assert_true (tally_label_market_encode_stake_with_permit (&calldata, &calldata_len, &amount,
                                                              &deadline, &permit, &error));
  g_assert_true (send_to_market (manager, &c, calldata, calldata_len, "Stake", &error));
  g_assert_no_error (error);
  g_assert_true (tally_tx_journal_next_nonce (journal, chain_id, &c.account, &next, &error));
  g_assert_cmpuint (next, ==, 1);

  /* The permit was used, not bypassed. */
  nonce = nonce_of (&c);
  assert_uint (&nonce, "1");
  stake = stake_of (&c);
  assert_uint (&stake.total, "1234567890123456789012");
  assert_uint (&stake.free, "1234567890123456789012");
  g_assert_true (tally_uint256_is_zero (&stake.locked));
  g_assert_true (tally_uint256_sub (&expected, &balance, &amount));
  balance = balance_of (&c);
  g_assert_cmpint (tally_uint256_cmp (&balance, &expected), ==, 0);

  /* Part of it back. */
  g_assert_true (tally_label_market_encode_unstake (&calldata, &calldata_len, &part, &error));
  g_assert_true (send_to_market (manager, &c, calldata, calldata_len, "Unstake", &error));
  g_assert_no_error (error);
  stake = stake_of (&c);
  assert_uint (&stake.total, "1000000000000000000011");
  assert_uint (&stake.free, "1000000000000000000011");
  g_assert_true (tally_uint256_add (&expected, &expected, &part));
  balance = balance_of (&c);
  g_assert_cmpint (tally_uint256_cmp (&balance, &expected), ==, 0);

  /* Nothing credited, no seat anywhere. */
  {
    g_autofree guint8   *reply = NULL;
    gsize                len = 0;
    TallyUint256         credited;
    TallyLabelSubmission submission;

    g_assert_true (tally_label_market_encode_credited (&calldata, &calldata_len, &c.account, &error));
    reply = call (devnet, c.market, calldata, calldata_len, &len);
    g_assert_true (tally_label_market_decode_credited (&credited, reply, len, &error));
    g_assert_no_error (error);
    g_assert_true (tally_uint256_is_zero (&credited));
    g_clear_pointer (&reply, g_free);

    g_assert_true (tally_label_market_encode_get_submission (&calldata, &calldata_len, &one,
                                                             &c.account, &error));
    reply = call (devnet, c.market, calldata, calldata_len, &len);
    g_assert_true (tally_label_market_decode_get_submission (&submission, reply, len, &error));
    g_assert_no_error (error);
    g_assert_false (submission.seated);
    g_assert_cmpint (submission.state, ==, TALLY_LABEL_SEAT_EMPTY);
  }

  g_clear_object (&manager);
  g_clear_object (&journal);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_commitment (TallyTestDevnet *devnet,
                 gconstpointer    data)
{
  g_autoptr (GError) error = NULL;
  const TallyAddress *market = tally_network_profile_get_market_address (devnet->profile);
  guint64             chain_id = tally_network_profile_get_chain_id (devnet->profile);
  static const guint8 labels[] = { 3, 1, 0, 2, 2, 1 };
  static const guint8 payload[] = { 0xde, 0xad, 0xbe, 0xef };
  const struct
  {
    const char   *task_id;
    const guint8 *payload;
    gsize         payload_len;
  } cases[] = {
    { "1", NULL, 0 },
    { "115792089237316195423570985008687907853269984665640564039457584007913129639935", payload,
      sizeof payload },
  };
  TallyAddress account;
  guint8       salt[32];

  g_assert_true (tally_address_parse (&account, ACCOUNT1, &error));
  g_assert_true (tally_hex_decode_fixed (salt, sizeof salt, SALT, -1, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree guint8 *reply = NULL;
      TallyUint256       task_id = uint_of (cases[i].task_id);
      guint8             ours[32], theirs[32], labels_hash[32], payload_hash[32];
      guint8            *calldata = NULL;
      gsize              calldata_len = 0, len = 0;

      tally_label_market_commitment (ours, chain_id, market, &task_id, &account, labels,
                                     sizeof labels, cases[i].payload, cases[i].payload_len, salt);
      tally_keccak256 (labels_hash, labels, sizeof labels);
      tally_keccak256 (payload_hash, cases[i].payload, cases[i].payload_len);
      g_assert_true (tally_label_market_encode_commitment_of (&calldata, &calldata_len, &task_id,
                                                              &account, labels_hash, payload_hash,
                                                              salt, &error));
      reply = call (devnet, market, calldata, calldata_len, &len);
      g_assert_true (tally_label_market_decode_commitment_of (theirs, reply, len, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (ours, sizeof ours, theirs, sizeof theirs);

      /* Another salt, another commitment. */
      salt[0] ^= 1;
      tally_label_market_commitment (ours, chain_id, market, &task_id, &account, labels,
                                     sizeof labels, cases[i].payload, cases[i].payload_len, salt);
      g_assert_true (memcmp (ours, theirs, sizeof ours) != 0);
      salt[0] ^= 1;
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/label-market-flow/calldata", test_calldata);
  g_test_add_func ("/core/label-market-flow/bad-results", test_bad_results);
  g_test_add ("/core/label-market-flow/stake-with-permit", TallyTestDevnet, "tally-lmf-XXXXXX",
              tally_test_devnet_set_up, test_stake_with_permit, tally_test_devnet_tear_down);
  g_test_add ("/core/label-market-flow/commitment", TallyTestDevnet, "tally-lmc-XXXXXX",
              tally_test_devnet_set_up, test_commitment, tally_test_devnet_tear_down);

  return g_test_run ();
}
