/* cli-chain.c: what tally-cli's market and task commands share — the
 * network file, the account and its key, the transaction journal, and
 * waiting on the main context for the library's async calls
 *
 * A command runs once and exits, so it iterates the default main context
 * until each call it started has finished, one after another.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-cli"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "cli.h"
#include "contract-abi.h"
#include "core-error.h"
#include "tx-journal.h"
#include "wallet/tally-wallet.h"

/* Transactions of an automining devnet are in a block at once; a public
 * chain takes seconds either way. */
#define POLL_INTERVAL_MS 250
/* Accounts of a recovery phrase in the keyring are searched this far. */
#define MNEMONIC_ACCOUNTS 20

static char *opt_network;
static char *opt_account;
static char *opt_key_file;

static const GOptionEntry chain_options[] = {
  { "network", 0, 0, G_OPTION_ARG_FILENAME, &opt_network,
    N_ ("The network file (as tools/devnet writes it); default: $TALLY_NETWORK"), N_ ("FILE") },
  { "account", 0, 0, G_OPTION_ARG_STRING, &opt_account,
    N_ ("The account whose key is in the OS keyring"), N_ ("ADDRESS") },
  { "private-key-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_key_file,
    N_ ("A file holding the account’s private key as 0x-hex"), N_ ("FILE") },
  { NULL }
};

const GOptionEntry *
tally_cli_chain_get_options (void)
{
  return chain_options;
}

gboolean
tally_cli_chain_has_account_option (void)
{
  return opt_account != NULL || opt_key_file != NULL;
}

void
tally_cli_chain_free_options (void)
{
  g_clear_pointer (&opt_network, g_free);
  g_clear_pointer (&opt_account, g_free);
  g_clear_pointer (&opt_key_file, g_free);
}

void
tally_cli_on_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

GAsyncResult *
tally_cli_wait (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* The key of address from the keyring: stored as a key, or as a recovery
 * phrase one of whose first accounts it is. */
static TallySigner *
signer_from_keyring (const TallyAddress *address,
                     GError            **error)
{
  g_autoptr (TallySecret) secret = NULL;
  g_autoptr (TallySecret) seed = NULL;
  TallyKeyringKind kind;
  TallySigner     *signer = NULL;

  secret = tally_keyring_load_sync (address, &kind, NULL, error);
  if (secret == NULL)
    return NULL;
  if (kind == TALLY_KEYRING_KIND_KEY)
    {
      if (secret->len != TALLY_PRIVATE_KEY_LEN)
        {
          g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_KEYRING,
                       _ ("The keyring’s key for this account is not 32 bytes"));
          return NULL;
        }
      return TALLY_SIGNER (tally_key_signer_new (secret->data, error));
    }

  if (!tally_bip39_to_seed (&seed, (const char *) secret->data, "", error))
    return NULL;
  for (guint32 index = 0; index < MNEMONIC_ACCOUNTS && signer == NULL; index++)
    {
      guint8       key[TALLY_PRIVATE_KEY_LEN];
      TallyAddress derived;
      gboolean     ok;

      ok = tally_bip32_derive_ethereum_key (key, seed->data, seed->len, index, error) &&
           tally_address_from_private_key (&derived, key, error);
      if (ok && tally_address_equal (&derived, address))
        signer = TALLY_SIGNER (tally_key_signer_new (key, error));
      tally_wipe (key, sizeof key);
      if (!ok)
        return NULL;
    }
  if (signer == NULL && error != NULL && *error == NULL)
    g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_KEYRING,
                 _ ("The keyring’s recovery phrase for this account does not derive it"));
  return signer;
}

static char *
user_file (const char *base,
           const char *name,
           GError    **error)
{
  g_autofree char *dir = g_build_filename (base, "tally", NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE,
                   _ ("Could not create %s: %s"), dir, g_strerror (saved));
      return NULL;
    }
  return g_build_filename (dir, name, NULL);
}

int
tally_cli_chain_open_signer (TallyCliChain *chain)
{
  g_autoptr (TallyTxJournal) journal = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *journal_path = NULL;
  guint64          chain_id = tally_network_profile_get_chain_id (chain->profile);

  if (opt_key_file != NULL)
    {
      guint8   key[TALLY_PRIVATE_KEY_LEN];
      gboolean ok = tally_cli_read_private_key_file (key, opt_key_file, &error);

      if (ok)
        chain->signer = TALLY_SIGNER (tally_key_signer_new (key, &error));
      tally_wipe (key, sizeof key);
      if (chain->signer == NULL)
        return tally_cli_usage_error ("%s", error->message);
    }
  else
    {
      chain->signer = signer_from_keyring (&chain->account, &error);
      if (chain->signer == NULL)
        return tally_cli_failure ("%s", error->message);
    }
  tally_signer_get_address (chain->signer, &chain->account);

  journal_path = user_file (g_get_user_data_dir (), "journal.db", &error);
  if (journal_path == NULL || (journal = tally_tx_journal_open (journal_path, &error)) == NULL)
    return tally_cli_failure ("%s", error->message);

  /* Never sign for one chain on a node that serves another. */
  tally_rpc_client_check_chain_id_async (chain->client, chain_id, NULL, tally_cli_on_done,
                                         &result);
  if (!tally_rpc_client_check_chain_id_finish (chain->client, tally_cli_wait (&result), &error))
    return tally_cli_failure ("%s", error->message);

  chain->manager = tally_tx_manager_new (chain->client, chain->signer, journal, chain_id);
  tally_tx_manager_set_poll_interval (chain->manager, POLL_INTERVAL_MS);

  /* A transaction an earlier run signed but may not have delivered goes
   * first, byte for byte, so its nonce is never left as a gap. */
  g_clear_object (&result);
  tally_tx_manager_resume_async (chain->manager, NULL, tally_cli_on_done, &result);
  if (!tally_tx_manager_resume_finish (chain->manager, tally_cli_wait (&result), NULL, &error))
    return tally_cli_failure ("%s", error->message);
  return TALLY_CLI_EXIT_OK;
}

const char *
tally_cli_chain_get_network_path (void)
{
  return opt_network != NULL ? opt_network : g_getenv ("TALLY_NETWORK");
}

int
tally_cli_chain_open (TallyCliChain     *chain,
                      TallyCliChainFlags flags)
{
  g_autoptr (GError) error = NULL;
  const char *network = tally_cli_chain_get_network_path ();

  memset (chain, 0, sizeof *chain);
  if (network == NULL || *network == '\0')
    return tally_cli_usage_error (_ ("no network: pass --network FILE before the command, or set "
                                     "TALLY_NETWORK to a network file (tools/devnet writes one)"));
  if (opt_account != NULL && opt_key_file != NULL)
    return tally_cli_usage_error (_ ("give --account or --private-key-file, not both"));

  chain->profile = tally_network_profile_new_from_file (network, &error);
  if (chain->profile == NULL)
    return tally_cli_usage_error ("%s", error->message);
  if (!tally_network_profile_has_market (chain->profile))
    return tally_cli_usage_error (_ ("%s names no LabelMarket contract"), network);
  chain->decimals = tally_network_profile_get_token_decimals (chain->profile);
  chain->symbol = tally_network_profile_get_token_symbol (chain->profile);
  chain->client = tally_rpc_client_new (tally_network_profile_get_rpc_url (chain->profile));

  if (flags == TALLY_CLI_CHAIN_READ)
    return TALLY_CLI_EXIT_OK;

  if (opt_account != NULL)
    {
      if (!tally_address_parse (&chain->account, opt_account, &error))
        return tally_cli_usage_error ("--account: %s", error->message);
      chain->has_account = TRUE;
    }
  else if (opt_key_file != NULL)
    {
      guint8   key[TALLY_PRIVATE_KEY_LEN];
      gboolean ok = tally_cli_read_private_key_file (key, opt_key_file, &error) &&
                    tally_address_from_private_key (&chain->account, key, &error);

      tally_wipe (key, sizeof key);
      if (!ok)
        return tally_cli_usage_error ("%s", error->message);
      chain->has_account = TRUE;
    }
  else
    return tally_cli_usage_error (_ ("this command needs an account: pass --account ADDRESS or "
                                     "--private-key-file FILE before the command"));

  return TALLY_CLI_EXIT_OK;
}

void
tally_cli_chain_clear (TallyCliChain *chain)
{
  g_clear_object (&chain->log);
  g_clear_object (&chain->manager);
  g_clear_object (&chain->signer);
  g_clear_object (&chain->client);
  g_clear_object (&chain->profile);
}

GBytes *
tally_cli_chain_call (TallyCliChain      *chain,
                      const TallyAddress *to,
                      guint8             *calldata,
                      gsize               calldata_len,
                      GError            **error)
{
  g_autoptr (GBytes) data = g_bytes_new_take (calldata, calldata_len);
  g_autoptr (GAsyncResult) result = NULL;

  tally_rpc_client_eth_call_async (chain->client, NULL, to, data, NULL, NULL, tally_cli_on_done,
                                   &result);
  return tally_rpc_client_eth_call_finish (chain->client, tally_cli_wait (&result), NULL, error);
}

TallyRpcReceipt *
tally_cli_chain_send (TallyCliChain      *chain,
                      const TallyAddress *to,
                      guint8             *calldata,
                      gsize               calldata_len,
                      const char         *purpose,
                      GError            **error)
{
  g_autoptr (GBytes) data = g_bytes_new_take (calldata, calldata_len);
  g_autoptr (GAsyncResult) result = NULL;
  guint8 hash[TALLY_TX_JOURNAL_HASH_LEN];

  g_assert (chain->manager != NULL);
  tally_tx_manager_send_async (chain->manager, to, NULL, data, purpose, NULL, tally_cli_on_done,
                               &result);
  if (!tally_tx_manager_send_finish (chain->manager, tally_cli_wait (&result), hash, error))
    return NULL;
  g_clear_object (&result);
  tally_tx_manager_wait_async (chain->manager, hash, NULL, tally_cli_on_done, &result);
  return tally_tx_manager_wait_finish (chain->manager, tally_cli_wait (&result), error);
}

const TallyRpcLog *
tally_cli_chain_find_log (TallyCliChain   *chain,
                          TallyRpcReceipt *receipt,
                          const char      *event)
{
  g_autoptr (TallyContractAbi) abi = tally_contract_abi_new_builtin ("LabelMarket", NULL);
  const TallyAddress  *market = tally_network_profile_get_market_address (chain->profile);
  const TallyAbiEntry *entry;
  const guint8        *topic;
  gsize                topic_len = 0;

  g_assert (abi != NULL);
  entry = tally_contract_abi_lookup (abi, TALLY_ABI_ENTRY_EVENT, event, NULL);
  g_assert (entry != NULL);
  topic = tally_abi_entry_get_selector (entry, &topic_len);
  for (guint i = 0; i < receipt->logs->len; i++)
    {
      const TallyRpcLog *log = g_ptr_array_index (receipt->logs, i);

      if (tally_address_equal (&log->address, market) && log->n_topics > 0 &&
          memcmp (log->topics[0], topic, topic_len) == 0)
        return log;
    }
  return NULL;
}

gboolean
tally_cli_chain_now (TallyCliChain *chain,
                     guint64       *now,
                     GError       **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (JsonNode) block = NULL;
  JsonNode *params = json_from_string ("[\"latest\", false]", NULL);

  tally_rpc_client_call_async (chain->client, "eth_getBlockByNumber", params, 0, NULL,
                               tally_cli_on_done, &result);
  block = tally_rpc_client_call_finish (chain->client, tally_cli_wait (&result), error);
  if (block == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (block) ||
      !json_object_has_member (json_node_get_object (block), "timestamp"))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   _ ("eth_getBlockByNumber returned no block timestamp"));
      return FALSE;
    }
  return tally_rpc_parse_quantity (json_object_get_member (json_node_get_object (block),
                                                           "timestamp"),
                                   "eth_getBlockByNumber timestamp", now, error);
}

gboolean
tally_cli_chain_sync (TallyCliChain *chain,
                      GError       **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autofree char *cache = user_file (g_get_user_cache_dir (), "events.db", error);

  if (cache == NULL)
    return FALSE;
  chain->log = tally_market_log_new (chain->client, chain->profile, cache, error);
  if (chain->log == NULL)
    return FALSE;
  tally_market_log_sync_async (chain->log, NULL, tally_cli_on_done, &result);
  return tally_market_log_sync_finish (chain->log, tally_cli_wait (&result), error);
}

gboolean
tally_cli_chain_stake_of (TallyCliChain   *chain,
                          TallyLabelStake *stake,
                          GError         **error)
{
  g_autoptr (GBytes) reply = NULL;
  guint8 *calldata = NULL;
  gsize   calldata_len = 0;

  if (!tally_label_market_encode_stake_of (&calldata, &calldata_len, &chain->account, error))
    return FALSE;
  reply = tally_cli_chain_call (chain, tally_network_profile_get_market_address (chain->profile),
                                calldata, calldata_len, error);
  return reply != NULL &&
         tally_label_market_decode_stake_of (stake, g_bytes_get_data (reply, NULL),
                                             g_bytes_get_size (reply), error);
}

gboolean
tally_cli_chain_token_balance (TallyCliChain *chain,
                               TallyUint256  *balance,
                               GError       **error)
{
  g_autoptr (GBytes) reply = NULL;
  guint8 *calldata = NULL;
  gsize   calldata_len = 0;

  if (!tally_label_token_encode_balance_of (&calldata, &calldata_len, &chain->account, error))
    return FALSE;
  reply = tally_cli_chain_call (chain, tally_network_profile_get_token_address (chain->profile),
                                calldata, calldata_len, error);
  return reply != NULL &&
         tally_label_token_decode_balance_of (balance, g_bytes_get_data (reply, NULL),
                                              g_bytes_get_size (reply), error);
}

gboolean
tally_cli_chain_parse_amount (TallyCliChain *chain,
                              TallyUint256  *amount,
                              const char    *what,
                              const char    *text,
                              GError       **error)
{
  if (!tally_uint256_parse_units (amount, text, chain->decimals, error))
    {
      g_prefix_error (error, _ ("%s: “%s” is not an amount of %s: "), what, text, chain->symbol);
      return FALSE;
    }
  return TRUE;
}

char *
tally_cli_chain_format (TallyCliChain      *chain,
                        const TallyUint256 *amount)
{
  g_autofree char *value = tally_uint256_format_units (amount, chain->decimals, -1);

  return g_strdup_printf ("%s %s", value, chain->symbol);
}

void
tally_cli_json_add_amount (JsonBuilder        *builder,
                           const char         *name,
                           const TallyUint256 *amount,
                           guint               decimals)
{
  g_autofree char *tokens = tally_uint256_format_units (amount, decimals, -1);
  g_autofree char *wei = tally_uint256_to_decimal (amount);
  g_autofree char *wei_name = g_strconcat (name, "Wei", NULL);

  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, tokens);
  json_builder_set_member_name (builder, wei_name);
  json_builder_add_string_value (builder, wei);
}

void
tally_cli_json_print (JsonBuilder *builder)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

char *
tally_cli_format_time (guint64 unix_seconds)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_utc ((gint64) MIN (unix_seconds,
                                                                            G_MAXINT64 / 2));

  if (time == NULL)
    return g_strdup_printf ("%" G_GUINT64_FORMAT, unix_seconds);
  return g_date_time_format (time, "%Y-%m-%d %H:%M:%S UTC");
}

gboolean
tally_cli_parse_task_id (TallyUint256 *id,
                         const char   *text,
                         GError      **error)
{
  if (!tally_uint256_parse (id, text, error) || tally_uint256_is_zero (id))
    {
      g_clear_error (error);
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("“%s” is not a task id (a number from 1)"), text);
      return FALSE;
    }
  return TRUE;
}
