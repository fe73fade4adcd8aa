/* cli-keyserver.c: the key server's pass of tally-cli run — grants a
 * private task's key to every account seated on a task this account
 * serves, and says so
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-cli"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cli.h"
#include "key-server.h"

static void
on_key_granted (TallyKeyServer     *server,
                TallyTask          *task,
                const TallyAddress *account,
                gpointer            user_data)
{
  g_autofree char *id = tally_uint256_to_decimal (tally_task_get_id (task));
  char             address[TALLY_ADDRESS_STRING_SIZE];

  tally_address_to_string (account, address);
  g_print (_ ("Granted the key of task %s to %s\n"), id, address);
}

gboolean
tally_cli_key_server_pass (TallyKeyServer **server,
                           TallyTaskList   *tasks,
                           TallyTxManager  *manager,
                           GError         **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  TallyKeyServer *self;

  g_return_val_if_fail (server != NULL, FALSE);

  if (*server == NULL)
    {
      *server = tally_key_server_new (tasks, manager);
      g_signal_connect (*server, "key-granted", G_CALLBACK (on_key_granted), NULL);
    }
  self = *server;
  /* Most accounts serve no task: no keyring, no manifest, no transaction. */
  if (!tally_key_server_is_serving (self))
    return TRUE;
  tally_key_server_step_async (self, NULL, tally_cli_on_done, &result);
  return tally_key_server_step_finish (self, tally_cli_wait (&result), NULL, error);
}
