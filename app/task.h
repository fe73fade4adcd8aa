/* task.h: one LabelMarket task as the market's events tell it — its
 * parameters, seats, submissions, reviews, gold and settlement
 *
 * A TallyTask is built by TallyTaskList from TaskCreated and updated by
 * every later event of the task, so it holds what finalize needs (each
 * seat's revealed labels, the gold, the verdicts) without a single
 * eth_call: anybody can settle a task from the log alone.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "contract-abi.h"
#include "label-market.h"

G_BEGIN_DECLS

/* Where a task stands at a given time, by its deadlines (which are
 * inclusive, as the contract's). */
typedef enum
{
  TALLY_TASK_PHASE_LABELING,      /* seats open, commits accepted */
  TALLY_TASK_PHASE_REVEAL,        /* after the commit deadline */
  TALLY_TASK_PHASE_REVIEW,        /* review seats and review commits; gold may be revealed */
  TALLY_TASK_PHASE_REVIEW_REVEAL, /* verdicts revealed; gold may be revealed */
  TALLY_TASK_PHASE_SETTLEABLE,    /* past the last deadline, not yet finalized */
  TALLY_TASK_PHASE_FINALIZED,
  TALLY_TASK_PHASE_CANCELLED,
} TallyTaskPhase;

typedef struct
{
  gboolean            taken;
  TallyAddress        holder;
  TallyLabelSeatState state;
  GBytes             *labels; /* once revealed */
  GBytes             *payload;
  gboolean            key_granted;
  gboolean            settled;
  guint               correct;
  guint               wrong;
  TallyUint256        reward;
  TallyUint256        slashed;
  /* From Joined: the holder's public key on a private task (64 bytes,
   * x ‖ y), which the key server seals the task key to. */
  gboolean has_public_key;
  guint8   public_key[64];
} TallyTaskSeat;

typedef struct
{
  gboolean            taken;
  TallyAddress        reviewer;
  TallyLabelSeatState state;
  GBytes             *verdicts; /* once revealed */
  gboolean            settled;
  guint               correct;
  guint               wrong;
  TallyUint256        reward;
  TallyUint256        slashed;
  /* From ReviewJoined, as for a seat. */
  gboolean has_public_key;
  guint8   public_key[64];
} TallyTaskReview;

#define TALLY_TYPE_TASK (tally_task_get_type ())

G_DECLARE_FINAL_TYPE (TallyTask, tally_task, TALLY, TASK, GObject)

const TallyUint256         *tally_task_get_id (TallyTask *self);
const TallyAddress         *tally_task_get_requester (TallyTask *self);
const TallyLabelTaskParams *tally_task_get_params (TallyTask *self);
const char                 *tally_task_get_manifest_uri (TallyTask *self);
const TallyUint256         *tally_task_get_budget (TallyTask *self);
guint64                     tally_task_get_created_block (TallyTask *self);
TallyLabelTaskState         tally_task_get_state (TallyTask *self);
guint                       tally_task_get_seats_taken (TallyTask *self);
gboolean                    tally_task_is_private (TallyTask *self);
gboolean                    tally_task_has_gold (TallyTask *self);
gboolean                    tally_task_get_gold_revealed (TallyTask *self);
/* After GoldRevealed: the item indices (guint16) and their labels. */
GArray *tally_task_get_gold_indices (TallyTask *self);
GBytes *tally_task_get_gold_labels (TallyTask *self);
/* After Finalized: what the requester got back and what was burned. */
const TallyUint256 *tally_task_get_refund (TallyTask *self);
const TallyUint256 *tally_task_get_burned (TallyTask *self);

/* Seats 0..replication-1; valid until the task changes. */
const TallyTaskSeat *tally_task_get_seat (TallyTask *self,
                                          guint      seat);
/* The seat account holds, or -1. */
gint tally_task_find_seat (TallyTask          *self,
                           const TallyAddress *account);
/* Review slot 0..reviewers-1 of the submission in seat. */
const TallyTaskReview *tally_task_get_review (TallyTask *self,
                                              guint      seat,
                                              guint      review_slot);

/* Private tasks: the sealedKey of the latest KeyGranted event for account
 * (since it last joined: leaving drops it, as the contract does), as a new
 * reference the caller unrefs; NULL when the key server granted nothing. */
GBytes  *tally_task_get_sealed_key (TallyTask          *self,
                                    const TallyAddress *account);
gboolean tally_task_has_key_grant (TallyTask          *self,
                                   const TallyAddress *account);

TallyTaskPhase tally_task_get_phase (TallyTask *self,
                                     guint64    now);
/* The next deadline after now, or 0 when none is left. */
guint64 tally_task_get_next_deadline (TallyTask *self,
                                      guint64    now);

/* finalize(taskId, labels, goldIndices, goldLabels, verdicts) from what
 * the events revealed: empty labels for seats never revealed, empty
 * verdicts for review slots never revealed, the gold once revealed. */
gboolean tally_task_encode_finalize (TallyTask *self,
                                     guint8   **out,
                                     gsize     *out_len,
                                     GError   **error) G_GNUC_WARN_UNUSED_RESULT;

/* For TallyTaskList: a task from its TaskCreated log. */
TallyTask *_tally_task_new (const TallyUint256         *id,
                            const TallyAddress         *requester,
                            const TallyLabelTaskParams *params,
                            const char                 *manifest_uri,
                            const TallyUint256         *budget,
                            guint64                     created_block);
/* Applies one decoded event of this task; FALSE when it does not fit what
 * is known (a seat beyond the task's, an event for an empty seat): the
 * caller counts it as an inconsistency. */
gboolean _tally_task_apply (TallyTask         *self,
                            const char        *event,
                            const TallyAbiLog *log);

G_END_DECLS
