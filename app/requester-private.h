/* requester-private.h: what requester.c and requester-step.c share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "contract-abi.h"
#include "requester.h"

G_BEGIN_DECLS

struct _TallyRequester
{
  GObject parent_instance;

  TallyStore       *store;
  TallyTaskList    *tasks;
  TallyTxManager   *manager;
  TallyContractAbi *abi;
  TallyAddress      account;
  TallyAddress      market;
  TallyAddress      token;
  guint64           chain_id;
};

/* A row the engine still has something to do for. */
gboolean _tally_requester_is_unfinished (const TallyRequesterTaskRecord *row);

/* The id TaskCreated gives in receipt. */
gboolean _tally_requester_task_id_from_receipt (TallyRequester  *self,
                                                TallyRpcReceipt *receipt,
                                                TallyUint256    *task_id,
                                                GError         **error);
/* The create of row was mined: its task id and the state that follows
 * set on row, for the caller to write down. */
void _tally_requester_row_created (TallyRequesterTaskRecord *row,
                                   const TallyUint256       *task_id);
/* The row cannot go on: FAILED with reason, for the caller to write down. */
void _tally_requester_row_failed (TallyRequesterTaskRecord *row,
                                  const char               *reason);
/* A revert or a lost nonce: waiting again will not help. */
gboolean _tally_requester_is_final_failure (const GError *error);

G_END_DECLS
