/* submitter-private.h: what submitter.c and submitter-step.c share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "submitter.h"

G_BEGIN_DECLS

struct _TallySubmitter
{
  GObject parent_instance;

  TallyStore     *store;
  TallyTaskList  *tasks;
  TallyTxManager *manager;
  TallyAddress    account;
  TallyAddress    market;
  guint64         chain_id;
  gboolean        auto_claim;
};

/* The purposes journaled with each step's transaction; a pending entry
 * with the same purpose is that step already under way. */
char *_tally_submitter_purpose (const char         *step,
                                const TallyUint256 *task_id) G_GNUC_WARN_UNUSED_RESULT;

/* Sends calldata (taken) to the market for purpose, or waits for the
 * pending journal entry that already does, and returns the mined receipt
 * (a revert is TALLY_CORE_ERROR_REVERTED with the reason). *hash, when not
 * NULL, gets the transaction's hash as soon as it is known. */
void             _tally_submitter_send_async (TallySubmitter     *self,
                                              const char         *purpose,
                                              guint8             *calldata,
                                              gsize               calldata_len,
                                              GCancellable       *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data);
TallyRpcReceipt *_tally_submitter_send_finish (TallySubmitter *self,
                                               GAsyncResult   *result,
                                               guint8          hash[32],
                                               gboolean       *has_hash,
                                               GError        **error);

/* Syncs the market's events and reads the chain's clock (the latest
 * block's timestamp). */
void     _tally_submitter_refresh_async (TallySubmitter     *self,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data);
gboolean _tally_submitter_refresh_finish (TallySubmitter *self,
                                          GAsyncResult   *result,
                                          guint64        *now,
                                          GError        **error);

/* The salt of a submission (annotator: seat ignored) or of a review of
 * seat; finish with tally_submitter_derive_salt_finish(). */
void _tally_submitter_salt_async (TallySubmitter     *self,
                                  const TallyUint256 *task_id,
                                  TallySubmissionRole role,
                                  guint               seat,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data);

/* The end of a submit or review: the commit's receipt (from
 * _tally_submitter_send_async) recorded in record, which becomes
 * COMMITTED and is saved, and task returns. */
void _tally_submitter_commit_done (TallySubmitter        *self,
                                   GAsyncResult          *result,
                                   TallySubmissionRecord *record,
                                   GTask                 *task);

/* A new record of this account's annotator submission to task_id. */
TallySubmissionRecord *_tally_submitter_new_record (TallySubmitter     *self,
                                                    const TallyUint256 *task_id);

G_END_DECLS
