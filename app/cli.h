/* cli.h: the commands of tally-cli and what they share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "key-server.h"
#include "label-market.h"
#include "market-log.h"
#include "network-profile.h"
#include "requester.h"
#include "rpc-client.h"
#include "tx-manager.h"
#include "wallet/keys.h"
#include "wallet/signer.h"
#include "wallet/uint256.h"

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
extern const TallyCliCommand tally_cli_market_commands[];
extern const TallyCliCommand tally_cli_task_commands[];
extern const TallyCliCommand tally_cli_submit_commands[];
extern const TallyCliCommand tally_cli_export_commands[];
extern const TallyCliCommand tally_cli_bot_commands[];
extern const TallyCliCommand tally_cli_dataset_commands[];
extern const TallyCliCommand tally_cli_fetch_commands[];

/* run's passes besides the submitter's; each makes its engine at the first
 * call. cli-requester.c: the account's own tasks (creates a crash cut
 * short, gold revealed in its window), their unfinished count added to
 * *left. cli-keyserver.c: the key of every private task the account serves,
 * to every seat. */
gboolean tally_cli_requester_pass (TallyRequester **requester,
                                   TallyStore      *store,
                                   TallyTaskList   *tasks,
                                   TallyTxManager  *manager,
                                   guint           *left,
                                   GError         **error);
gboolean tally_cli_key_server_pass (TallyKeyServer **server,
                                    TallyTaskList   *tasks,
                                    TallyTxManager  *manager,
                                    GError         **error);

/* cli-task-create.c */
int tally_cli_run_task_create (int    argc,
                               char **argv);

int tally_cli_usage_error (const char *format,
                           ...) G_GNUC_PRINTF (1, 2);
/* One line on stderr for an operation that failed; returns TALLY_CLI_EXIT_FAILED. */
int tally_cli_failure (const char *format,
                       ...) G_GNUC_PRINTF (1, 2);
int tally_cli_parse_options (GOptionContext *context,
                             int            *argc,
                             char         ***argv);

/* cli-wallet.c: a private key from a file of 0x-hex; key is wiped on failure. */
gboolean tally_cli_read_private_key_file (guint8      key[TALLY_PRIVATE_KEY_LEN],
                                          const char *path,
                                          GError    **error) G_GNUC_WARN_UNUSED_RESULT;

/* ---- cli-chain.c: the network, the account and the chain for the market
 * and task commands ------------------------------------------------------ */

/* The options that come before the command: --network, --account,
 * --private-key-file. */
const GOptionEntry *tally_cli_chain_get_options (void);
void                tally_cli_chain_free_options (void);
/* The network file of --network, or $TALLY_NETWORK, or NULL. */
const char *tally_cli_chain_get_network_path (void);
/* TRUE when --account or --private-key-file was given. */
gboolean tally_cli_chain_has_account_option (void);

typedef enum
{
  TALLY_CLI_CHAIN_READ = 0,         /* the network only */
  TALLY_CLI_CHAIN_ACCOUNT = 1 << 0, /* and the account's address */
} TallyCliChainFlags;

typedef struct
{
  TallyNetworkProfile *profile;
  TallyRpcClient      *client;
  gboolean             has_account;
  TallyAddress         account;
  TallySigner         *signer;
  TallyTxManager      *manager;
  TallyMarketLog      *log; /* after tally_cli_chain_sync */
  guint                decimals;
  const char          *symbol;
} TallyCliChain;

/* Prints what went wrong and returns the exit status (OK when it opened). */
int tally_cli_chain_open (TallyCliChain     *chain,
                          TallyCliChainFlags flags);
/* After the command's input was checked: the account's key (from its file
 * or the keyring), the journal and a transaction manager, once the node is
 * known to serve the profile's chain. */
int  tally_cli_chain_open_signer (TallyCliChain *chain);
void tally_cli_chain_clear (TallyCliChain *chain);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TallyCliChain, tally_cli_chain_clear)

/* Iterates the default main context until *slot is set by tally_cli_on_done. */
GAsyncResult *tally_cli_wait (GAsyncResult **slot);
void          tally_cli_on_done (GObject      *source,
                                 GAsyncResult *result,
                                 gpointer      user_data);

/* eth_call of calldata (taken) at the latest block. */
GBytes *tally_cli_chain_call (TallyCliChain      *chain,
                              const TallyAddress *to,
                              guint8             *calldata,
                              gsize               calldata_len,
                              GError            **error) G_GNUC_WARN_UNUSED_RESULT;
/* Sends calldata (taken) through the transaction manager and waits until it
 * is mined; a revert is an error. */
TallyRpcReceipt *tally_cli_chain_send (TallyCliChain      *chain,
                                       const TallyAddress *to,
                                       guint8             *calldata,
                                       gsize               calldata_len,
                                       const char         *purpose,
                                       GError            **error) G_GNUC_WARN_UNUSED_RESULT;
/* The first log of the market's event in receipt, or NULL. */
const TallyRpcLog *tally_cli_chain_find_log (TallyCliChain   *chain,
                                             TallyRpcReceipt *receipt,
                                             const char      *event);
/* The latest block's timestamp: the contract's clock, not the computer's. */
gboolean tally_cli_chain_now (TallyCliChain *chain,
                              guint64       *now,
                              GError       **error) G_GNUC_WARN_UNUSED_RESULT;
/* Reads the market's events into a log cached in the user's cache dir. */
gboolean tally_cli_chain_sync (TallyCliChain *chain,
                               GError       **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_cli_chain_stake_of (TallyCliChain   *chain,
                                   TallyLabelStake *stake,
                                   GError         **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_cli_chain_token_balance (TallyCliChain *chain,
                                        TallyUint256  *balance,
                                        GError       **error) G_GNUC_WARN_UNUSED_RESULT;

/* A token amount from the command line, in tokens ("12.5"). */
gboolean tally_cli_chain_parse_amount (TallyCliChain *chain,
                                       TallyUint256  *amount,
                                       const char    *what,
                                       const char    *text,
                                       GError       **error) G_GNUC_WARN_UNUSED_RESULT;
/* "12.5 LABEL" */
char *tally_cli_chain_format (TallyCliChain      *chain,
                              const TallyUint256 *amount) G_GNUC_WARN_UNUSED_RESULT;
/* "name": "12.5" and "nameWei": "12500000000000000000". */
void     tally_cli_json_add_amount (JsonBuilder        *builder,
                                    const char         *name,
                                    const TallyUint256 *amount,
                                    guint               decimals);
void     tally_cli_json_print (JsonBuilder *builder);
char    *tally_cli_format_time (guint64 unix_seconds) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_cli_parse_task_id (TallyUint256 *id,
                                  const char   *text,
                                  GError      **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
