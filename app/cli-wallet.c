/* cli-wallet.c: tally-cli's wallet commands
 *
 * These print exactly what scripts and the cast cross-checks expect: one
 * line of output, nothing else on stdout.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-cli"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "cli.h"
#include "wallet/tally-wallet.h"

static int
run_keccak (int    argc,
            char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new ("0xHEX");
  g_autofree guint8 *data = NULL;
  g_autofree char   *hex = NULL;
  g_autoptr (GError) error = NULL;
  guint8 digest[TALLY_KECCAK256_LEN];
  gsize  len = 0;
  int    status;

  g_option_context_set_summary (context, _ ("Print the Keccak-256 hash of hexadecimal data."));
  if ((status = tally_cli_parse_options (context, &argc, &argv)) != TALLY_CLI_EXIT_OK)
    return status;
  if (argc != 2)
    return tally_cli_usage_error (_ ("keccak takes exactly one argument, the data as 0x-hex"));
  if (!tally_hex_decode (&data, &len, argv[1], -1, &error))
    return tally_cli_usage_error ("%s", error->message);

  tally_keccak256 (digest, data, len);
  hex = tally_hex_encode (digest, sizeof digest);
  g_print ("%s\n", hex);
  return TALLY_CLI_EXIT_OK;
}

/* Key and mnemonic files hold secrets: their contents are read into memory
 * that is wiped before it is freed, on every path. */
static TallySecret *
read_secret_file (const char *path,
                  GError    **error)
{
  g_autofree char *contents = NULL;
  gsize            length = 0;
  TallySecret     *secret;
  gsize            start = 0, end;

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;

  end = length;
  while (start < end && g_ascii_isspace (contents[start]))
    start++;
  while (end > start && g_ascii_isspace (contents[end - 1]))
    end--;

  /* NUL-terminated, so mnemonic code can take it as a string. */
  secret = tally_secret_new (end - start + 1);
  memcpy (secret->data, contents + start, end - start);
  secret->len = end - start;
  tally_wipe (contents, length);

  return secret;
}

gboolean
tally_cli_read_private_key_file (guint8      key[TALLY_PRIVATE_KEY_LEN],
                                 const char *path,
                                 GError    **error)
{
  g_autoptr (TallySecret) text = read_secret_file (path, error);
  g_autoptr (GError) local_error = NULL;

  if (text == NULL)
    return FALSE;

  if (!tally_hex_decode_fixed (key, TALLY_PRIVATE_KEY_LEN, (const char *) text->data,
                               (gssize) text->len, &local_error) ||
      !tally_private_key_verify (key, &local_error))
    {
      tally_wipe (key, TALLY_PRIVATE_KEY_LEN);
      /* Never echo the file's contents: it is a key, even when malformed. */
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_KEY,
                   _ ("%s does not hold a private key (64 hexadecimal digits): %s"), path,
                   local_error->message);
      return FALSE;
    }

  return TRUE;
}

static gboolean
derive_mnemonic_key (guint8      key[TALLY_PRIVATE_KEY_LEN],
                     const char *path,
                     guint32     index,
                     GError    **error)
{
  g_autoptr (TallySecret) words = read_secret_file (path, error);
  g_autoptr (TallySecret) seed = NULL;

  if (words == NULL)
    return FALSE;

  if (!tally_bip39_to_seed (&seed, (const char *) words->data, "", error))
    return FALSE;

  return tally_bip32_derive_ethereum_key (key, seed->data, seed->len, index, error);
}

static int
run_wallet_address (int    argc,
                    char **argv)
{
  g_autofree char   *key_file = NULL;
  g_autofree char   *mnemonic_file = NULL;
  gint64             index = 0;
  const GOptionEntry options[] = {
    { "private-key-file", 0, 0, G_OPTION_ARG_FILENAME, &key_file,
      N_ ("A file holding the private key as 0x-hex"), N_ ("FILE") },
    { "mnemonic-file", 0, 0, G_OPTION_ARG_FILENAME, &mnemonic_file,
      N_ ("A file holding a BIP-39 recovery phrase"), N_ ("FILE") },
    { "index", 0, 0, G_OPTION_ARG_INT64, &index,
      N_ ("The account index N in m/44’/60’/0’/0/N (with --mnemonic-file)"), "N" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  guint8       key[TALLY_PRIVATE_KEY_LEN];
  char         text[TALLY_ADDRESS_STRING_SIZE];
  TallyAddress address;
  gboolean     ok;
  int          status;

  g_option_context_set_summary (context, _ ("Print the address of a private key or of a recovery "
                                            "phrase’s account, with its EIP-55 checksum."));
  g_option_context_add_main_entries (context, options, GETTEXT_PACKAGE);
  if ((status = tally_cli_parse_options (context, &argc, &argv)) != TALLY_CLI_EXIT_OK)
    return status;
  if (argc != 1)
    return tally_cli_usage_error (_ ("unexpected argument “%s”"), argv[1]);
  if ((key_file == NULL) == (mnemonic_file == NULL))
    return tally_cli_usage_error (_ ("give exactly one of --private-key-file and --mnemonic-file"));
  if (index < 0 || index >= 0x80000000)
    return tally_cli_usage_error (_ ("--index must be between 0 and 2147483647"));
  if (key_file != NULL && index != 0)
    return tally_cli_usage_error (_ ("--index only goes with --mnemonic-file"));

  if (key_file != NULL)
    ok = tally_cli_read_private_key_file (key, key_file, &error);
  else
    ok = derive_mnemonic_key (key, mnemonic_file, (guint32) index, &error);
  ok = ok && tally_address_from_private_key (&address, key, &error);
  tally_wipe (key, sizeof key);
  if (!ok)
    return tally_cli_usage_error ("%s", error->message);

  tally_address_to_string (&address, text);
  g_print ("%s\n", text);
  return TALLY_CLI_EXIT_OK;
}

static gboolean
parse_amount (TallyUint256 *out,
              const char   *option,
              const char   *text,
              GError      **error)
{
  if (text == NULL)
    {
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED, _ ("%s is required"),
                   option);
      return FALSE;
    }
  if (!tally_uint256_parse (out, text, error))
    {
      g_prefix_error (error, "%s: ", option);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_u64 (guint64    *out,
           const char *option,
           const char *text,
           GError    **error)
{
  TallyUint256 value;

  if (!parse_amount (&value, option, text, error))
    return FALSE;
  if (!tally_uint256_to_uint64 (out, &value))
    {
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                   _ ("%s: %s does not fit in 64 bits"), option, text);
      return FALSE;
    }
  return TRUE;
}

static int
run_sign_tx (int    argc,
             char **argv)
{
  g_autofree char   *key_file = NULL, *chain_id = NULL, *nonce = NULL, *to = NULL;
  g_autofree char   *value = NULL, *gas_limit = NULL, *max_fee = NULL, *max_priority_fee = NULL;
  g_autofree char   *data_hex = NULL;
  const GOptionEntry options[] = {
    { "private-key-file", 0, 0, G_OPTION_ARG_FILENAME, &key_file,
      N_ ("A file holding the private key as 0x-hex"), N_ ("FILE") },
    { "chain-id", 0, 0, G_OPTION_ARG_STRING, &chain_id, N_ ("The chain id (EIP-155)"), "C" },
    { "nonce", 0, 0, G_OPTION_ARG_STRING, &nonce, N_ ("The sender’s nonce"), "N" },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, N_ ("The recipient address"), N_ ("ADDRESS") },
    { "value", 0, 0, G_OPTION_ARG_STRING, &value, N_ ("The amount of ether in wei"), "WEI" },
    { "gas-limit", 0, 0, G_OPTION_ARG_STRING, &gas_limit, N_ ("The gas limit"), "G" },
    { "max-fee-per-gas", 0, 0, G_OPTION_ARG_STRING, &max_fee,
      N_ ("The most the sender pays per gas, in wei"), "WEI" },
    { "max-priority-fee-per-gas", 0, 0, G_OPTION_ARG_STRING, &max_priority_fee,
      N_ ("The tip per gas for the block producer, in wei"), "WEI" },
    { "data", 0, 0, G_OPTION_ARG_STRING, &data_hex, N_ ("Call data as 0x-hex"), "0xHEX" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (TallyTransaction) tx = tally_transaction_new (TALLY_TRANSACTION_EIP1559);
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *data = NULL;
  g_autofree guint8 *raw = NULL;
  g_autofree char   *raw_hex = NULL;
  gsize              data_len = 0, raw_len = 0;
  guint8             key[TALLY_PRIVATE_KEY_LEN];
  gboolean           ok;
  int                status;

  g_option_context_set_summary (context, _ ("Sign an EIP-1559 transaction and print it as raw "
                                            "0x-hex, ready for eth_sendRawTransaction."));
  g_option_context_add_main_entries (context, options, GETTEXT_PACKAGE);
  if ((status = tally_cli_parse_options (context, &argc, &argv)) != TALLY_CLI_EXIT_OK)
    return status;
  if (argc != 1)
    return tally_cli_usage_error (_ ("unexpected argument “%s”"), argv[1]);
  if (key_file == NULL)
    return tally_cli_usage_error (_ ("--private-key-file is required"));
  if (to == NULL)
    return tally_cli_usage_error (_ ("--to is required"));

  if (!parse_u64 (&tx->chain_id, "--chain-id", chain_id, &error) ||
      !parse_u64 (&tx->nonce, "--nonce", nonce, &error) ||
      !parse_u64 (&tx->gas_limit, "--gas-limit", gas_limit, &error) ||
      !parse_amount (&tx->value, "--value", value, &error) ||
      !parse_amount (&tx->max_fee_per_gas, "--max-fee-per-gas", max_fee, &error) ||
      !parse_amount (&tx->max_priority_fee_per_gas, "--max-priority-fee-per-gas",
                     max_priority_fee, &error) ||
      !tally_address_parse (&tx->to, to, &error) ||
      (data_hex != NULL && !tally_hex_decode (&data, &data_len, data_hex, -1, &error)))
    return tally_cli_usage_error ("%s", error->message);
  if (tx->chain_id == 0)
    return tally_cli_usage_error (_ ("--chain-id must not be 0: it protects against replay"));
  tx->has_to = TRUE;
  tally_transaction_set_data (tx, data, data_len);

  ok = tally_cli_read_private_key_file (key, key_file, &error) &&
       tally_transaction_sign (tx, key, &error);
  tally_wipe (key, sizeof key);
  if (!ok || !tally_transaction_encode (&raw, &raw_len, tx, &error))
    return tally_cli_usage_error ("%s", error->message);

  raw_hex = tally_hex_encode (raw, raw_len);
  g_print ("%s\n", raw_hex);
  return TALLY_CLI_EXIT_OK;
}

static int
run_sign_typed_data (int    argc,
                     char **argv)
{
  g_autofree char   *key_file = NULL;
  g_autofree char   *typed_file = NULL;
  const GOptionEntry options[] = {
    { "private-key-file", 0, 0, G_OPTION_ARG_FILENAME, &key_file,
      N_ ("A file holding the private key as 0x-hex"), N_ ("FILE") },
    { "file", 0, 0, G_OPTION_ARG_FILENAME, &typed_file, N_ ("The EIP-712 typed data, as JSON"),
      N_ ("FILE") },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyJsonNode) typed_data = NULL;
  g_autofree char *json = NULL;
  g_autofree char *signature_hex = NULL;
  guint8           signature[TALLY_SIGNATURE_LEN];
  guint8           key[TALLY_PRIVATE_KEY_LEN];
  gsize            json_len = 0;
  gboolean         ok;
  int              status;

  g_option_context_set_summary (context, _ ("Sign EIP-712 typed data and print the 65-byte "
                                            "signature r ‖ s ‖ v (v is 27 or 28)."));
  g_option_context_add_main_entries (context, options, GETTEXT_PACKAGE);
  if ((status = tally_cli_parse_options (context, &argc, &argv)) != TALLY_CLI_EXIT_OK)
    return status;
  if (argc != 1)
    return tally_cli_usage_error (_ ("unexpected argument “%s”"), argv[1]);
  if (key_file == NULL || typed_file == NULL)
    return tally_cli_usage_error (_ ("--private-key-file and --file are both required"));

  if (!g_file_get_contents (typed_file, &json, &json_len, &error) ||
      !tally_json_parse (&typed_data, json, json_len, &error))
    return tally_cli_usage_error ("%s", error->message);

  ok = tally_cli_read_private_key_file (key, key_file, &error) &&
       tally_eip712_sign (signature, key, typed_data, &error);
  tally_wipe (key, sizeof key);
  if (!ok)
    return tally_cli_usage_error ("%s", error->message);

  signature_hex = tally_hex_encode (signature, sizeof signature);
  g_print ("%s\n", signature_hex);
  return TALLY_CLI_EXIT_OK;
}

const TallyCliCommand tally_cli_wallet_commands[] = {
  { "wallet address", "--private-key-file F | --mnemonic-file F [--index N]",
    N_ ("Print the address of a key or of a recovery phrase’s account"), run_wallet_address },
  { "sign-tx", "--private-key-file F --chain-id C --nonce N --to ADDR …",
    N_ ("Sign an EIP-1559 transaction and print it as raw hex"), run_sign_tx },
  { "sign-typed-data", "--private-key-file F --file TYPED.json",
    N_ ("Sign EIP-712 typed data and print the signature"), run_sign_typed_data },
  { "keccak", "0xHEX", N_ ("Print the Keccak-256 hash of hexadecimal data"), run_keccak },
  { NULL },
};
