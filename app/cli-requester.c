/* cli-requester.c: the requester's pass of tally-cli run — creates a crash
 * cut short finished, gold revealed in its window — and what it changed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-cli"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cli.h"
#include "requester.h"

static const char *
describe (TallyRequesterTaskState state)
{
  switch (state)
    {
    case TALLY_REQUESTER_TASK_CREATING:
      return _ ("creating");
    case TALLY_REQUESTER_TASK_OPEN:
      return _ ("created");
    case TALLY_REQUESTER_TASK_REVEALING_GOLD:
      return _ ("revealing its gold");
    case TALLY_REQUESTER_TASK_DONE:
      return _ ("gold revealed");
    case TALLY_REQUESTER_TASK_FAILED:
    default:
      return _ ("failed");
    }
}

/* The account's rows, by purpose. */
static GPtrArray *
list_rows (TallyRequester *requester)
{
  TallyTaskList       *tasks = tally_requester_get_tasks (requester);
  TallyNetworkProfile *profile = tally_market_log_get_profile (tally_task_list_get_log (tasks));
  TallyAddress         account;

  tally_signer_get_address (tally_tx_manager_get_signer (tally_requester_get_manager (requester)),
                            &account);
  return tally_store_list_requester_tasks (tally_requester_get_store (requester),
                                           tally_network_profile_get_chain_id (profile),
                                           tally_network_profile_get_market_address (profile),
                                           &account, FALSE, NULL);
}

/* One line per row whose state moved during the pass. */
static void
print_changes (TallyRequester *requester,
               GPtrArray      *before)
{
  g_autoptr (GPtrArray) after = list_rows (requester);

  for (guint i = 0; after != NULL && i < after->len; i++)
    {
      TallyRequesterTaskRecord *row = g_ptr_array_index (after, i);
      g_autofree char          *id = NULL;
      gboolean                  moved = TRUE;

      for (guint j = 0; before != NULL && j < before->len; j++)
        {
          TallyRequesterTaskRecord *old = g_ptr_array_index (before, j);

          if (g_str_equal (old->purpose, row->purpose))
            moved = old->state != row->state;
        }
      if (!moved)
        continue;
      /* A task without gold is done as soon as it is created. */
      if (row->state == TALLY_REQUESTER_TASK_DONE && row->gold_indices == NULL)
        continue;
      id = row->has_task_id ? tally_uint256_to_decimal (&row->task_id) : g_strdup ("?");
      if (row->reason != NULL)
        g_print (_ ("Task %s: %s (%s)\n"), id, describe (row->state), row->reason);
      else
        g_print (_ ("Task %s: %s\n"), id, describe (row->state));
    }
}

gboolean
tally_cli_requester_pass (TallyRequester **requester,
                          TallyStore      *store,
                          TallyTaskList   *tasks,
                          TallyTxManager  *manager,
                          guint           *left,
                          GError         **error)
{
  g_autoptr (GPtrArray) before = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  TallyRequester *self;
  guint           unfinished = 0;
  gboolean        ok;

  g_return_val_if_fail (requester != NULL, FALSE);

  if (*requester == NULL)
    *requester = tally_requester_new (store, tasks, manager);
  self = *requester;
  before = list_rows (self);
  tally_requester_step_async (self, NULL, tally_cli_on_done, &result);
  ok = tally_requester_step_finish (self, tally_cli_wait (&result), &unfinished, error);
  print_changes (self, before);
  if (ok && left != NULL)
    *left += unfinished;
  return ok;
}
