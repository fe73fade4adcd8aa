/* submitter-private.h: what the submitter's files share
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

/* ---- submitter-seat.c ---- */

/* Calldata of join (of joinReview of seat when review) for chain_task:
 * with the signer's public key on a private task. */
gboolean _tally_submitter_encode_join (TallySubmitter *self,
                                       TallyTask      *chain_task,
                                       gboolean        review,
                                       guint           seat,
                                       guint8        **calldata,
                                       gsize          *len,
                                       GError        **error) G_GNUC_WARN_UNUSED_RESULT;
/* The state of a seat just taken: WAITING_FOR_KEY on a private task with
 * no grant for this account yet, JOINED otherwise. */
TallySubmissionState _tally_submitter_seated_state (TallySubmitter *self,
                                                    TallyTask      *chain_task);
/* TRUE when a private seat still waiting for its key should be given
 * back: the commit deadline is less than TALLY_SUBMITTER_KEY_MARGIN away. */
gboolean _tally_submitter_key_too_late (TallyTask *chain_task,
                                        guint64    now);
/* A join the chain refused for want of a seat, as the clear
 * "Task N has no seat left"; any other error as it is. Takes error. */
GError *_tally_submitter_join_error (GError             *error,
                                     const TallyUint256 *task_id) G_GNUC_WARN_UNUSED_RESULT;

/* Takes a seat of chain_task for record, which the caller keeps alive and
 * which is updated and written down at each step: JOINING before the join
 * is sent, JOINED or WAITING_FOR_KEY once it is mined; FAILED with the
 * reason when the chain refuses it. A full task is refused before anything
 * is written or sent. */
void     _tally_submitter_take_seat_async (TallySubmitter        *self,
                                           TallyTask             *chain_task,
                                           TallySubmissionRecord *record,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
gboolean _tally_submitter_take_seat_finish (TallySubmitter *self,
                                            GAsyncResult   *result,
                                            guint          *seat,
                                            GError        **error);

/* A new record of this account's annotator submission to task_id. */
TallySubmissionRecord *_tally_submitter_new_record (TallySubmitter     *self,
                                                    const TallyUint256 *task_id);

G_END_DECLS
