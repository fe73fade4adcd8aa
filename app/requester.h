/* requester.h: a requester's side of the market — creating tasks, with or
 * without reference (gold) items, and revealing the gold in time
 *
 * Every task the account creates through a TallyRequester has a row in the
 * TallyStore (store-requester.h), written (fsync) before the create is
 * broadcast; the create goes into the journal with the row's purpose, so a
 * restart finds it pending and waits for it instead of creating a second
 * task. The gold (indices, labels and a fresh random salt) is committed at
 * creation and stays in the row until it is revealed.
 *
 * tally_requester_step_async() is the engine: it re-sends what the journal
 * holds, syncs the market's events, finishes creates a crash cut short,
 * and reveals each task's gold once its reveal deadline has passed and
 * before its last deadline, exactly once. Run it at start-up and at each
 * new head, beside TallySubmitter's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "store-requester.h"
#include "store.h"
#include "task-list.h"
#include "tx-manager.h"

G_BEGIN_DECLS

/* A row still creating, with no create pending in the journal and no task
 * of its own on chain after this many seconds, was never sent. */
#define TALLY_REQUESTER_CREATE_ORPHAN_AGE 600

#define TALLY_TYPE_REQUESTER (tally_requester_get_type ())

G_DECLARE_FINAL_TYPE (TallyRequester, tally_requester, TALLY, REQUESTER, GObject)

/* The account is the manager's signer's; chain and market the task
 * list's. */
TallyRequester *tally_requester_new (TallyStore     *store,
                                     TallyTaskList  *tasks,
                                     TallyTxManager *manager);

TallyStore     *tally_requester_get_store (TallyRequester *self);
TallyTaskList  *tally_requester_get_tasks (TallyRequester *self);
TallyTxManager *tally_requester_get_manager (TallyRequester *self);

/* Approves the budget, writes the row down, creates the task and waits
 * until it is mined. params: everything but the gold commitment, which is
 * computed here from gold_indices (guint16, strictly increasing, below the
 * item count), gold_labels (one byte each, 1..classCount) and a fresh
 * salt; both NULL (or empty) for a task without gold. Bad gold is
 * TALLY_CORE_ERROR_INVALID_ANNOTATION before anything is sent. */
void     tally_requester_create_task_async (TallyRequester             *self,
                                            const TallyLabelTaskParams *params,
                                            const char                 *manifest_uri,
                                            GArray                     *gold_indices,
                                            GBytes                     *gold_labels,
                                            GCancellable               *cancellable,
                                            GAsyncReadyCallback         callback,
                                            gpointer                    user_data);
gboolean tally_requester_create_task_finish (TallyRequester *self,
                                             GAsyncResult   *result,
                                             TallyUint256   *task_id,
                                             GError        **error) G_GNUC_WARN_UNUSED_RESULT;

/* One pass of the engine (see above). *n_unfinished: the account's tasks
 * still waiting for a create or a gold reveal. A reverted step is recorded
 * on its row (FAILED with the reason) and does not stop the others; the
 * pass fails when the chain or the store cannot be read, or a step could
 * not be sent (it is tried again at the next pass). */
void     tally_requester_step_async (TallyRequester     *self,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data);
gboolean tally_requester_step_finish (TallyRequester *self,
                                      GAsyncResult   *result,
                                      guint          *n_unfinished,
                                      GError        **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
