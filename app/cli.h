/* cli.h: the commands of tally-cli and what they share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit statuses are part of tally-cli's stable interface. */
enum
{
  TALLY_CLI_EXIT_OK = 0,
  TALLY_CLI_EXIT_FAILED = 1, /* the operation failed (network, chain) */
  TALLY_CLI_EXIT_USAGE = 2,  /* the command line or an input file is wrong */
};

typedef struct
{
  const char *name;       /* one or two words: "keccak", "wallet address" */
  const char *parameters; /* for the usage line */
  const char *summary;    /* untranslated; shown through gettext */
  int (*run) (int    argc,
              char **argv); /* argv[0] is the command's name */
} TallyCliCommand;

extern const TallyCliCommand tally_cli_wallet_commands[];

int tally_cli_usage_error (const char *format,
                           ...) G_GNUC_PRINTF (1, 2);
int tally_cli_parse_options (GOptionContext *context,
                             int            *argc,
                             char         ***argv);

G_END_DECLS
