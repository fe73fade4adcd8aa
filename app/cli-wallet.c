/* cli-wallet.c: tally-cli's wallet commands
 *
 * These print exactly what scripts and the cast cross-checks expect: one
 * line of output, nothing else on stdout.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-cli"

#include "config.h"

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

const TallyCliCommand tally_cli_wallet_commands[] = {
  { "keccak", "0xHEX", N_ ("Print the Keccak-256 hash of hexadecimal data"), run_keccak },
  { NULL },
};
