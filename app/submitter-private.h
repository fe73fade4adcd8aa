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

/* tally_tx_manager_send_once_async() of calldata (taken) to the market
 * for purpose, with the submitter as the callback's source: the mined
 * receipt (a revert is TALLY_CORE_ERROR_REVERTED with the reason). hash,
 * when not NULL, gets the transaction's hash once it is known, also when
 * the step then fails. */
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

/* Writes record down on the store's queue, then returns task: error
 * (taken) when not NULL, whether or not the write succeeded; otherwise
 * TRUE, or the write's error. The write is not cancellable: what a step
 * learned lands even when the step is cut short. */
void _tally_submitter_save_and_return (TallySubmitter        *self,
                                       TallySubmissionRecord *record,
                                       GTask                 *task,
                                       GError                *error);

/* The end of a submit or review: the commit's receipt (from
 * _tally_submitter_send_async) recorded in record, which becomes
 * COMMITTED, and task returns once record is written down (still
 * COMMITTING, with the send's error, when there is no receipt). */
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

/* ---- The engine's pass: submitter-step.c, submitter-step-review.c ---- */

/* Each takes the pass's task (tally_submitter_step_async), which the pass
 * owns until it returns: every move ends in another move or the return. */
typedef void (*TallySubmitterThen) (GTask *pass);

typedef struct
{
  GPtrArray         *records; /* TallySubmissionRecord, unfinished at the start */
  guint              index;
  guint64            now;
  guint              n_unfinished;
  gboolean           joining;       /* the current step is the join before a commit */
  TallySubmitterThen then;          /* the move once the current record is on disk */
  char              *send_name;     /* a step waiting for that write: its name, */
  guint8            *send_calldata; /* its calldata */
  gsize              send_len;
} TallySubmitterPass;

/* The record being moved. */
TallySubmissionRecord *_tally_submitter_pass_record (GTask *pass);
/* Writes the record down on the store's queue, then makes the move then;
 * a store that cannot be written, or the pass cancelled, ends the pass. */
void _tally_submitter_pass_save (GTask             *pass,
                                 TallySubmitterThen then);
/* The record's step (named step_name, per task) sent once it is written
 * down; calldata is taken. */
void _tally_submitter_pass_save_and_send (GTask      *pass,
                                          const char *step_name,
                                          guint8     *calldata,
                                          gsize       len);
/* The record's step sent now (its state is on disk already). */
void _tally_submitter_pass_send (GTask      *pass,
                                 const char *step_name,
                                 guint8     *calldata,
                                 gsize       len);
/* The record as far as the chain allows (the next record once it is
 * finished). */
void _tally_submitter_pass_advance (GTask *pass);
/* The record waits for a later pass. */
void _tally_submitter_pass_wait_later (GTask *pass);
/* The record ends in state (FAILED, EXPIRED, CLAIMED...) with reason. */
void _tally_submitter_pass_finish_with (GTask               *pass,
                                        TallySubmissionState state,
                                        const char          *reason);
/* The step's transaction failed with error (taken). */
void _tally_submitter_pass_failed (GTask  *pass,
                                   GError *error);
/* Settling and claiming, which both roles share. */
void _tally_submitter_pass_advance_common (GTask         *pass,
                                           TallyTask     *chain_task,
                                           TallyTaskPhase phase);
/* A reviewer's record (submitter-step-review.c). */
void _tally_submitter_pass_advance_review (GTask         *pass,
                                           TallyTask     *chain_task,
                                           TallyTaskPhase phase);

G_END_DECLS
