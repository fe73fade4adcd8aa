/* tally-test-cli.h: tally-cli run as a program against tools/devnet —
 * a fixture with the chain, private XDG folders and account 1's key file,
 * and runners that check exit status and output
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

G_END_DECLS
