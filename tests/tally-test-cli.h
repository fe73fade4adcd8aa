/* tally-test-cli.h: tally-cli run as a program against tools/devnet —
 * a fixture with the chain, private XDG folders and account 1's key file,
 * runners that check exit status and output (also as another account),
 * and what the tests of the commands read and write around them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "tally-test-market.h"

G_BEGIN_DECLS

/* anvil's "test ... junk" account 1, whose key the fixture writes to
 * key_file: public, test only. */
#define TALLY_TEST_CLI_ACCOUNT 1

typedef struct
{
  TallyTestMarket market;
  char           *home; /* XDG_DATA_HOME and XDG_CACHE_HOME live here */
  char           *data_home;
  char           *cache_home;
  char           *key_file;
} TallyTestCli;

typedef struct
{
  int   status;
  char *out;
  char *err;
} TallyTestCliResult;

void tally_test_cli_result_clear (TallyTestCliResult *result);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TallyTestCliResult, tally_test_cli_result_clear)

/* g_test_add() fixture functions. */
void tally_test_cli_set_up (TallyTestCli *f,
                            gconstpointer data);
void tally_test_cli_tear_down (TallyTestCli *f,
                               gconstpointer data);

/* tally-cli with the devnet's network file and account 1's key (when
 * network), in the fixture's XDG folders. */
void tally_test_cli_run_full (TallyTestCli       *f,
                              TallyTestCliResult *result,
                              gboolean            network,
                              const char *const  *args);
void tally_test_cli_run (TallyTestCli       *f,
                         TallyTestCliResult *result,
                         const char *const  *args);
/* Asserts success with nothing on stderr. */
void      tally_test_cli_run_ok (TallyTestCli       *f,
                                 TallyTestCliResult *result,
                                 const char *const  *args);
void      tally_test_cli_assert_one_line_error (const TallyTestCliResult *result,
                                                int                       status,
                                                const char               *expected);
JsonNode *tally_test_cli_run_json (TallyTestCli      *f,
                                   const char *const *args);

/* tally-cli as account (0 .. TALLY_TEST_MARKET_N_ACCOUNTS - 1) with its
 * own key file and data folder; asserts success, and that stdout says
 * expect (unless NULL). The output. */
char *tally_test_cli_run_as (TallyTestCli      *f,
                             guint              account,
                             const char *const *args,
                             const char        *expect);
/* A file in the fixture's home holding account's private key. */
char *tally_test_cli_key_file (TallyTestCli *f,
                               guint         account);

/* text written to the file name in the fixture's home; its path. */
char *tally_test_cli_write_file (TallyTestCli *f,
                                 const char   *name,
                                 const char   *text);
/* account's submission to task_id, as the market tells it. */
TallyLabelSubmission tally_test_cli_submission_of (TallyTestCli       *f,
                                                   guint               account,
                                                   const TallyUint256 *task_id);
/* How many lines of text hold what. */
guint tally_test_cli_count_lines (const char *text,
                                  const char *what);

G_END_DECLS
