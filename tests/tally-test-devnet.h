/* tally-test-devnet.h: tools/devnet's chain for integration tests, in a
 * private temporary directory on a free loopback port, plain JSON-RPC calls
 * to it and cast (Foundry) to drive it
 *
 * TallyTestDevnet is a test fixture: g_test_add() it with the directory's
 * template as the test data and tally_test_devnet_set_up/_tear_down, or
 * init (and start) it in a set-up of your own and clear it in the tear-down.
 * Every failure is a test assertion.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "network-profile.h"

G_BEGIN_DECLS

typedef struct
{
  char                *dir;          /* TALLY_DEVNET_DIR, removed by clear */
  char                *port;         /* TALLY_DEVNET_PORT, in decimal */
  char                *url;          /* http://127.0.0.1:port */
  char                *network_file; /* the network.json tools/devnet writes in dir */
  char                *devnet;       /* the tools/devnet script */
  SoupSession         *session;
  TallyNetworkProfile *profile; /* network_file, read by start */
} TallyTestDevnet;

void  tally_test_devnet_init (TallyTestDevnet *self,
                              const char      *dir_template);
char *tally_test_devnet_run (TallyTestDevnet *self,
                             const char      *command);
void  tally_test_devnet_start (TallyTestDevnet *self);
void  tally_test_devnet_clear (TallyTestDevnet *self);

void tally_test_devnet_set_up (TallyTestDevnet *self,
                               gconstpointer    dir_template);
void tally_test_devnet_tear_down (TallyTestDevnet *self,
                                  gconstpointer    data);

JsonObject *tally_test_devnet_rpc (TallyTestDevnet *self,
                                   const char      *url,
                                   const char      *method,
                                   const char      *params_json);
JsonNode   *tally_test_devnet_rpc_result (TallyTestDevnet *self,
                                          const char      *url,
                                          const char      *method,
                                          const char      *params_json);

char *tally_test_cast (const char *const *args);

G_END_DECLS
