/* submitter.h: an annotator's submissions, driven through the protocol
 * and never lost — join, commit, reveal, settle, claim
 *
 * Labels, payload and salt are written to the TallyStore (fsync) before
 * the commit is broadcast; the salt is derived from the account's key (a
 * deterministic signature over the chain, market and task, hashed), so it
 * can always be rebuilt. Every transaction goes through the TallyTxManager
 * with a purpose naming its step and task; before sending a step again
 * the submitter looks for a pending one in the journal and waits for it
 * instead, so a restart never sends a step twice.
 *
 * An annotator takes a seat before labeling (JOINING, then JOINED); on a
 * private task the join carries the signer's public key and the seat waits
 * for the key server's grant (WAITING_FOR_KEY) before it is JOINED.
 *
 * tally_submitter_step_async() is the engine: it re-sends what the
 * journal holds, syncs the market's events, and moves every unfinished
 * submission as far as the chain's clock allows: it finishes a join cut
 * short, gives back a private seat whose key never came, reveals once the
 * reveal window opens, settles a task past its last deadline, and claims
 * what is credited. Run it at start-up and at each new head.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "store.h"
#include "task-list.h"
#include "tx-manager.h"

G_BEGIN_DECLS

/* A deadline this close is worth a warning: a reveal window closing, or
 * the commit deadline of a seat held without committed labels. */
#define TALLY_SUBMITTER_DEADLINE_WARNING 3600
/* A private task's key must be granted at least this many seconds before
 * the commit deadline: labeling needs that long, and a seat without a
 * grant is given back while leaving it is still free. */
#define TALLY_SUBMITTER_KEY_MARGIN 600

#define TALLY_TYPE_SUBMITTER (tally_submitter_get_type ())

G_DECLARE_FINAL_TYPE (TallySubmitter, tally_submitter, TALLY, SUBMITTER, GObject)

/* The account is the manager's signer's; chain and market the task
 * list's. */
TallySubmitter *tally_submitter_new (TallyStore     *store,
                                     TallyTaskList  *tasks,
                                     TallyTxManager *manager);

TallyStore     *tally_submitter_get_store (TallySubmitter *self);
TallyTaskList  *tally_submitter_get_tasks (TallySubmitter *self);
TallyTxManager *tally_submitter_get_manager (TallySubmitter *self);
/* Claim credited rewards by itself (default TRUE). */
gboolean tally_submitter_get_auto_claim (TallySubmitter *self);
void     tally_submitter_set_auto_claim (TallySubmitter *self,
                                         gboolean        auto_claim);

/* The salt of this account's submission to a task: keccak256 of the
 * signer's signature of an EIP-191 message naming chain, market and task.
 * The same every time for the same key (RFC 6979 nonces). */
void     tally_submitter_derive_salt_async (TallySubmitter     *self,
                                            const TallyUint256 *task_id,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
gboolean tally_submitter_derive_salt_finish (TallySubmitter *self,
                                             GAsyncResult   *result,
                                             guint8          salt[32],
                                             GError        **error) G_GNUC_WARN_UNUSED_RESULT;

/* Joins the task if the account holds no seat (as
 * tally_submitter_join_async() does), writes the submission down, commits,
 * and waits until the commit is mined. labels: one byte per item (0 =
 * skipped); payload may be empty. Refused before anything is sent: a task
 * not open for labeling or full (TALLY_CORE_ERROR_WRONG_STATE), labels of
 * the wrong length or class (TALLY_CORE_ERROR_INVALID_ANNOTATION), a
 * submission already committed. */
void     tally_submitter_submit_async (TallySubmitter     *self,
                                       const TallyUint256 *task_id,
                                       GBytes             *labels,
                                       GBytes             *payload,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data);
gboolean tally_submitter_submit_finish (TallySubmitter *self,
                                        GAsyncResult   *result,
                                        GError        **error) G_GNUC_WARN_UNUSED_RESULT;

/* Takes a seat of the task (JOINING while the join is on its way, JOINED
 * once mined; WAITING_FOR_KEY instead on a private task, whose join
 * carries the signer's public key). A no-op when the account holds a seat.
 * Refused before anything is sent: a task past its commit deadline, a full
 * task ("Task N has no seat left", TALLY_CORE_ERROR_WRONG_STATE, also when
 * the chain refuses for that reason), a signer without a public key for a
 * private task. *seat (may be NULL): the seat held, from 0. */
void     tally_submitter_join_async (TallySubmitter     *self,
                                     const TallyUint256 *task_id,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data);
gboolean tally_submitter_join_finish (TallySubmitter *self,
                                      GAsyncResult   *result,
                                      guint          *seat,
                                      GError        **error) G_GNUC_WARN_UNUSED_RESULT;

/* Gives the account's seat back before it commits (JOINED or
 * WAITING_FOR_KEY; the submission becomes LEFT): the stake is unlocked,
 * less the task's leave fee, which is burned — nothing on a private task
 * whose key was not granted to the account. *fee: what was burned, from
 * the Left event. TALLY_CORE_ERROR_WRONG_STATE when there is no such seat
 * or the commit deadline passed. */
void     tally_submitter_leave_async (TallySubmitter     *self,
                                      const TallyUint256 *task_id,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
gboolean tally_submitter_leave_finish (TallySubmitter *self,
                                       GAsyncResult   *result,
                                       TallyUint256   *fee,
                                       GError        **error) G_GNUC_WARN_UNUSED_RESULT;

/* A private task's key, for showing its items: the sealed key the key
 * server granted this account, opened by the signer and checked against
 * the task's manifest (fetched from its URI, checked against its hash).
 * In memory only, wiped when the last reference goes; never written
 * down. TALLY_CORE_ERROR_WRONG_STATE before a grant or on a public task,
 * TALLY_CORE_ERROR_WRONG_KEY when the grant does not open or is not the
 * manifest's key. */
void    tally_submitter_open_task_key_async (TallySubmitter     *self,
                                             const TallyUint256 *task_id,
                                             GCancellable       *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data);
GBytes *tally_submitter_open_task_key_finish (TallySubmitter *self,
                                              GAsyncResult   *result,
                                              GError        **error) G_GNUC_WARN_UNUSED_RESULT;

/* A reviewer's verdicts (one byte per item, TALLY_LABEL_VERDICT_*) on the
 * revealed submission in seat: takes a review seat on it if the account
 * holds none, writes the verdicts and salt down, commits, and waits until
 * the commit is mined; the engine reveals in the review reveal window.
 * Refused before anything is sent: a task without reviewers, a seat not
 * revealed, the review commit deadline passed (TALLY_CORE_ERROR_WRONG_STATE),
 * verdicts of the wrong length or value (TALLY_CORE_ERROR_INVALID_ANNOTATION). */
void     tally_submitter_review_async (TallySubmitter     *self,
                                       const TallyUint256 *task_id,
                                       guint               seat,
                                       GBytes             *verdicts,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data);
gboolean tally_submitter_review_finish (TallySubmitter *self,
                                        GAsyncResult   *result,
                                        GError        **error) G_GNUC_WARN_UNUSED_RESULT;

/* One pass of the engine (see above). *n_unfinished: submissions still
 * waiting for a later time. A failure of one submission is recorded on it
 * (FAILED or EXPIRED with the reason) and does not stop the others; the
 * pass itself fails only when the chain or the store cannot be read. */
void     tally_submitter_step_async (TallySubmitter     *self,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data);
gboolean tally_submitter_step_finish (TallySubmitter *self,
                                      GAsyncResult   *result,
                                      guint          *n_unfinished,
                                      GError        **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
