/* cli-market.c: tally-cli's money commands — balance, stake, unstake, claim
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-cli"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cli.h"
#include "contract-abi.h"
#include "core-error.h"
#include "earnings.h"
#include "wallet/tally-wallet.h"

#define ETH_DECIMALS 18
/* How long a permit stays valid: the transaction that uses it is sent at once. */
#define PERMIT_LIFETIME_S 3600

/* Options parsed, exactly n_args arguments after the command's name. */
static int
parse_command (GOptionContext     *context,
               const GOptionEntry *options,
               const char         *summary,
               int                 n_args,
               int                *argc,
               char             ***argv)
{
  int status;

  g_option_context_set_summary (context, summary);
  if (options != NULL)
    g_option_context_add_main_entries (context, options, GETTEXT_PACKAGE);
  if ((status = tally_cli_parse_options (context, argc, argv)) != TALLY_CLI_EXIT_OK)
    return status;
  if (*argc > n_args + 1)
    return tally_cli_usage_error (_ ("unexpected argument “%s”"), (*argv)[n_args + 1]);
  if (*argc < n_args + 1)
    return tally_cli_usage_error (_ ("%s: missing argument; see its --help"), (*argv)[0]);
  return TALLY_CLI_EXIT_OK;
}

static void
print_balance_json (TallyCliChain *chain,
                    TallyEarnings *earnings)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  char account[TALLY_ADDRESS_STRING_SIZE];

  tally_address_to_string (&chain->account, account);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "account");
  json_builder_add_string_value (builder, account);
  json_builder_set_member_name (builder, "chainId");
  json_builder_add_int_value (builder, (gint64) tally_network_profile_get_chain_id (chain->profile));
  json_builder_set_member_name (builder, "syncedBlock");
  json_builder_add_int_value (builder, (gint64) tally_market_log_get_synced_block (chain->log));
  json_builder_set_member_name (builder, "token");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "symbol");
  json_builder_add_string_value (builder, chain->symbol);
  json_builder_set_member_name (builder, "decimals");
  json_builder_add_int_value (builder, chain->decimals);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "wallet");
  json_builder_begin_object (builder);
  tally_cli_json_add_amount (builder, "token", tally_earnings_get_token_balance (earnings),
                             chain->decimals);
  tally_cli_json_add_amount (builder, "eth", tally_earnings_get_eth_balance (earnings),
                             ETH_DECIMALS);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "stake");
  json_builder_begin_object (builder);
  tally_cli_json_add_amount (builder, "total", tally_earnings_get_stake_total (earnings),
                             chain->decimals);
  tally_cli_json_add_amount (builder, "locked", tally_earnings_get_stake_locked (earnings),
                             chain->decimals);
  tally_cli_json_add_amount (builder, "free", tally_earnings_get_stake_free (earnings),
                             chain->decimals);
  json_builder_end_object (builder);

  tally_cli_json_add_amount (builder, "credited", tally_earnings_get_credited (earnings),
                             chain->decimals);
  tally_cli_json_add_amount (builder, "pending", tally_earnings_get_pending (earnings),
                             chain->decimals);
  tally_cli_json_add_amount (builder, "escrow", tally_earnings_get_escrow (earnings),
                             chain->decimals);
  json_builder_set_member_name (builder, "openSeats");
  json_builder_add_int_value (builder, tally_earnings_get_open_seats (earnings));
  json_builder_end_object (builder);
  tally_cli_json_print (builder);
}

static void
print_balance_text (TallyCliChain *chain,
                    TallyEarnings *e)
{
  g_autofree char *token = tally_cli_chain_format (chain, tally_earnings_get_token_balance (e));
  g_autofree char *eth = tally_uint256_format_units (tally_earnings_get_eth_balance (e),
                                                     ETH_DECIMALS, -1);
  g_autofree char *total = tally_cli_chain_format (chain, tally_earnings_get_stake_total (e));
  g_autofree char *locked = tally_cli_chain_format (chain, tally_earnings_get_stake_locked (e));
  g_autofree char *free_ = tally_cli_chain_format (chain, tally_earnings_get_stake_free (e));
  g_autofree char *credited = tally_cli_chain_format (chain, tally_earnings_get_credited (e));
  g_autofree char *pending = tally_cli_chain_format (chain, tally_earnings_get_pending (e));
  g_autofree char *escrow = tally_cli_chain_format (chain, tally_earnings_get_escrow (e));
  char             account[TALLY_ADDRESS_STRING_SIZE];

  tally_address_to_string (&chain->account, account);
  g_print (_ ("Account:   %s\n"), account);
  g_print (_ ("Wallet:    %s, %s %s\n"), token, eth,
           tally_network_profile_get_native_symbol (chain->profile));
  g_print (_ ("Stake:     %s (%s locked, %s free)\n"), total, locked, free_);
  g_print (_ ("Credited:  %s, ready to claim\n"), credited);
  g_print (_ ("Pending:   %s, waiting for settlement\n"), pending);
  g_print (_ ("Escrow:    %s, the budgets of your open tasks\n"), escrow);
}

static int
run_balance (int    argc,
             char **argv)
{
  gboolean           json = FALSE;
  const GOptionEntry options[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_auto (TallyCliChain) chain = { 0 };
  g_autoptr (TallyEarnings) earnings = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  int status;

  status = parse_command (context, options,
                          _ ("Print the account’s wallet, stake, credited, pending and escrowed "
                             "amounts."),
                          0, &argc, &argv);
  if (status != TALLY_CLI_EXIT_OK ||
      (status = tally_cli_chain_open (&chain, TALLY_CLI_CHAIN_ACCOUNT)) != TALLY_CLI_EXIT_OK)
    return status;

  if (!tally_cli_chain_sync (&chain, &error))
    return tally_cli_failure ("%s", error->message);
  earnings = tally_earnings_new (chain.log, &chain.account);
  tally_earnings_refresh_async (earnings, NULL, tally_cli_on_done, &result);
  if (!tally_earnings_refresh_finish (earnings, tally_cli_wait (&result), &error))
    return tally_cli_failure ("%s", error->message);

  if (json)
    print_balance_json (&chain, earnings);
  else
    print_balance_text (&chain, earnings);
  return TALLY_CLI_EXIT_OK;
}

/* The token's ERC-20 name, which is its EIP-712 domain name. */
static char *
read_token_name (TallyCliChain *chain,
                 GError       **error)
{
  g_autoptr (TallyContractAbi) abi = tally_contract_abi_new_builtin ("LabelToken", error);
  g_autoptr (TallyAbiValue) args = tally_abi_value_new_tuple ();
  g_autoptr (TallyAbiValue) outputs = NULL;
  g_autoptr (GBytes) reply = NULL;
  guint8       *calldata = NULL;
  gsize         calldata_len = 0, len = 0;
  const guint8 *name;

  if (abi == NULL || !tally_contract_abi_encode_call (abi, &calldata, &calldata_len, "name", args,
                                                      error))
    return NULL;
  reply = tally_cli_chain_call (chain, tally_network_profile_get_token_address (chain->profile),
                                calldata, calldata_len, error);
  if (reply == NULL ||
      !tally_contract_abi_decode_result (abi, &outputs, "name", g_bytes_get_data (reply, NULL),
                                         g_bytes_get_size (reply), error))
    return NULL;
  name = tally_abi_value_get_bytes (tally_abi_value_get_element (outputs, 0), &len);
  return g_strndup ((const char *) name, len);
}

static gboolean
read_permit_nonce (TallyCliChain *chain,
                   TallyUint256  *nonce,
                   GError       **error)
{
  g_autoptr (GBytes) reply = NULL;
  guint8 *calldata = NULL;
  gsize   calldata_len = 0;

  if (!tally_label_token_encode_nonces (&calldata, &calldata_len, &chain->account, error))
    return FALSE;
  reply = tally_cli_chain_call (chain, tally_network_profile_get_token_address (chain->profile),
                                calldata, calldata_len, error);
  return reply != NULL && tally_label_token_decode_nonces (nonce, g_bytes_get_data (reply, NULL),
                                                           g_bytes_get_size (reply), error);
}

/* stakeWithPermit: the approval is a signature inside the one transaction. */
static TallyRpcReceipt *
stake_with_permit (TallyCliChain      *chain,
                   const TallyUint256 *amount,
                   GError            **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autofree char *token_name = NULL;
  TallyLabelPermit permit;
  TallyUint256     nonce, deadline;
  guint64          now = 0;
  guint8          *calldata = NULL;
  gsize            calldata_len = 0;

  if ((token_name = read_token_name (chain, error)) == NULL ||
      !read_permit_nonce (chain, &nonce, error) || !tally_cli_chain_now (chain, &now, error))
    return NULL;
  tally_uint256_from_uint64 (&deadline, now + PERMIT_LIFETIME_S);

  tally_label_token_sign_permit_async (chain->signer, token_name,
                                       tally_network_profile_get_chain_id (chain->profile),
                                       tally_network_profile_get_token_address (chain->profile),
                                       tally_network_profile_get_market_address (chain->profile),
                                       amount, &nonce, &deadline, NULL, tally_cli_on_done, &result);
  if (!tally_label_token_sign_permit_finish (chain->signer, tally_cli_wait (&result), &permit,
                                             error) ||
      !tally_label_market_encode_stake_with_permit (&calldata, &calldata_len, amount, &deadline,
                                                    &permit, error))
    return NULL;
  return tally_cli_chain_send (chain, tally_network_profile_get_market_address (chain->profile),
                               calldata, calldata_len, "Stake", error);
}

static void
print_stake_result (TallyCliChain   *chain,
                    TallyRpcReceipt *receipt)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *hash = tally_hex_encode (receipt->transaction_hash, TALLY_RPC_HASH_LEN);
  TallyLabelStake  stake;

  g_print (_ ("Transaction: %s\n"), hash);
  if (tally_cli_chain_stake_of (chain, &stake, &error))
    {
      g_autofree char *total = tally_cli_chain_format (chain, &stake.total);
      g_autofree char *locked = tally_cli_chain_format (chain, &stake.locked);
      g_autofree char *free_ = tally_cli_chain_format (chain, &stake.free);

      g_print (_ ("Stake:       %s (%s locked, %s free)\n"), total, locked, free_);
    }
  else
    g_printerr ("tally-cli: %s\n", error->message);
}

static int
run_stake_or_unstake (int      argc,
                      char   **argv,
                      gboolean stake)
{
  g_autoptr (GOptionContext) context = g_option_context_new (_ ("AMOUNT"));
  g_auto (TallyCliChain) chain = { 0 };
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  g_autoptr (GError) error = NULL;
  TallyUint256 amount, available;
  guint8      *calldata = NULL;
  gsize        calldata_len = 0;
  int          status;

  status = parse_command (context, NULL,
                          stake ? _ ("Stake AMOUNT tokens (e.g. 12.5) from the wallet, approved "
                                     "with a permit in the same transaction.")
                                : _ ("Withdraw AMOUNT tokens of free stake to the wallet."),
                          1, &argc, &argv);
  if (status != TALLY_CLI_EXIT_OK ||
      (status = tally_cli_chain_open (&chain, TALLY_CLI_CHAIN_ACCOUNT)) != TALLY_CLI_EXIT_OK)
    return status;
  if (!tally_cli_chain_parse_amount (&chain, &amount, "AMOUNT", argv[1], &error))
    return tally_cli_usage_error ("%s", error->message);
  if (tally_uint256_is_zero (&amount))
    return tally_cli_usage_error (_ ("AMOUNT must be more than 0"));
  if ((status = tally_cli_chain_open_signer (&chain)) != TALLY_CLI_EXIT_OK)
    return status;

  /* Refuse before signing what the contract would refuse anyway. */
  if (stake)
    {
      if (!tally_cli_chain_token_balance (&chain, &available, &error))
        return tally_cli_failure ("%s", error->message);
    }
  else
    {
      TallyLabelStake current;

      if (!tally_cli_chain_stake_of (&chain, &current, &error))
        return tally_cli_failure ("%s", error->message);
      available = current.free;
    }
  if (tally_uint256_cmp (&amount, &available) > 0)
    {
      g_autofree char *have = tally_cli_chain_format (&chain, &available);

      return tally_cli_failure (stake ? _ ("The wallet holds only %s")
                                      : _ ("Only %s of the stake is free"),
                                have);
    }

  if (stake)
    receipt = stake_with_permit (&chain, &amount, &error);
  else if (tally_label_market_encode_unstake (&calldata, &calldata_len, &amount, &error))
    receipt = tally_cli_chain_send (&chain, tally_network_profile_get_market_address (chain.profile),
                                    calldata, calldata_len, "Unstake", &error);
  if (receipt == NULL)
    return tally_cli_failure ("%s", error->message);

  print_stake_result (&chain, receipt);
  return TALLY_CLI_EXIT_OK;
}

static int
run_stake (int    argc,
           char **argv)
{
  return run_stake_or_unstake (argc, argv, TRUE);
}

static int
run_unstake (int    argc,
             char **argv)
{
  return run_stake_or_unstake (argc, argv, FALSE);
}

static int
run_claim (int    argc,
           char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_auto (TallyCliChain) chain = { 0 };
  g_autoptr (TallyRpcReceipt) receipt = NULL;
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char   *hash = NULL;
  g_autofree char   *paid_text = NULL;
  const TallyRpcLog *log;
  TallyUint256       credited, paid;
  guint8            *calldata = NULL;
  gsize              calldata_len = 0;
  int                status;

  status = parse_command (context, NULL,
                          _ ("Withdraw the rewards and refunds credited to the account."), 0, &argc,
                          &argv);
  if (status != TALLY_CLI_EXIT_OK ||
      (status = tally_cli_chain_open (&chain, TALLY_CLI_CHAIN_ACCOUNT)) != TALLY_CLI_EXIT_OK)
    return status;

  if (!tally_label_market_encode_credited (&calldata, &calldata_len, &chain.account, &error) ||
      (reply = tally_cli_chain_call (&chain,
                                     tally_network_profile_get_market_address (chain.profile),
                                     calldata, calldata_len, &error)) == NULL ||
      !tally_label_market_decode_credited (&credited, g_bytes_get_data (reply, NULL),
                                           g_bytes_get_size (reply), &error))
    return tally_cli_failure ("%s", error->message);
  if (tally_uint256_is_zero (&credited))
    return tally_cli_failure (_ ("Nothing to claim: no rewards or refunds are credited to this "
                                 "account"));
  if ((status = tally_cli_chain_open_signer (&chain)) != TALLY_CLI_EXIT_OK)
    return status;

  if (!tally_label_market_encode_claim (&calldata, &calldata_len, &error) ||
      (receipt = tally_cli_chain_send (&chain,
                                       tally_network_profile_get_market_address (chain.profile),
                                       calldata, calldata_len, "Claim", &error)) == NULL)
    return tally_cli_failure ("%s", error->message);

  /* Claimed(address indexed account, uint256 amount): what was paid. */
  log = tally_cli_chain_find_log (&chain, receipt, "Claimed");
  if (log != NULL && g_bytes_get_size (log->data) == 32)
    tally_uint256_from_bytes32 (&paid, g_bytes_get_data (log->data, NULL));
  else
    paid = credited;
  hash = tally_hex_encode (receipt->transaction_hash, TALLY_RPC_HASH_LEN);
  paid_text = tally_cli_chain_format (&chain, &paid);
  g_print (_ ("Transaction: %s\n"), hash);
  g_print (_ ("Claimed:     %s\n"), paid_text);
  return TALLY_CLI_EXIT_OK;
}

const TallyCliCommand tally_cli_market_commands[] = {
  { "balance", "[--json]", N_ ("Print the account’s wallet, stake and earnings"), run_balance },
  { "stake", "AMOUNT", N_ ("Stake tokens from the wallet (with a permit)"), run_stake },
  { "unstake", "AMOUNT", N_ ("Withdraw free stake to the wallet"), run_unstake },
  { "claim", "", N_ ("Withdraw credited rewards and refunds"), run_claim },
  { NULL },
};
