/* label-market.h: typed calls of the LabelMarket contract and of its token,
 * built on the ABI the contracts build exports (contract-abi.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "wallet/keys.h"
#include "wallet/signer.h"
#include "wallet/uint256.h"

G_BEGIN_DECLS

/* stakeOf(account): all of an account's stake, the part open tasks lock,
 * and the part it may withdraw (total = locked + free). */
typedef struct
{
  TallyUint256 total;
  TallyUint256 locked;
  TallyUint256 free;
} TallyLabelStake;

/* A seat's state, as the contract's SeatState enum numbers it. */
typedef enum
{
  TALLY_LABEL_SEAT_EMPTY,
  TALLY_LABEL_SEAT_JOINED,
  TALLY_LABEL_SEAT_COMMITTED,
  TALLY_LABEL_SEAT_REVEALED,
} TallyLabelSeatState;

/* getSubmission(taskId, account). hash is the commitment, then
 * keccak256(labels) once revealed. */
typedef struct
{
  gboolean            seated;
  guint               seat;
  TallyLabelSeatState state;
  guint8              hash[32];
  gboolean            key_granted;
} TallyLabelSubmission;

/* An EIP-2612 permit signature, split as permit() and stakeWithPermit()
 * take it (v is 27 or 28). */
typedef struct
{
  guint8 v;
  guint8 r[32];
  guint8 s[32];
} TallyLabelPermit;

/* The EIP-712 domain version of LabelToken's permit (OpenZeppelin's). */
#define TALLY_LABEL_TOKEN_PERMIT_VERSION "1"

/* Calldata (selector and arguments) for a transaction or eth_call. */
gboolean tally_label_market_encode_stake (guint8            **out,
                                          gsize              *out_len,
                                          const TallyUint256 *amount,
                                          GError            **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_label_market_encode_unstake (guint8            **out,
                                            gsize              *out_len,
                                            const TallyUint256 *amount,
                                            GError            **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_label_market_encode_claim (guint8 **out,
                                          gsize   *out_len,
                                          GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_label_market_encode_stake_of (guint8            **out,
                                             gsize              *out_len,
                                             const TallyAddress *account,
                                             GError            **error) G_GNUC_WARN_UNUSED_RESULT;
/* The eth_call result of stakeOf; TALLY_CORE_ERROR_MALFORMED_REPLY if it
 * does not decode or does not add up. */
gboolean tally_label_market_decode_stake_of (TallyLabelStake *stake,
                                             const guint8    *data,
                                             gsize            len,
                                             GError         **error) G_GNUC_WARN_UNUSED_RESULT;
/* A sentence naming the market's custom error and its arguments. */
gchar *tally_label_market_describe_revert (const guint8 *data,
                                           gsize         len) G_GNUC_WARN_UNUSED_RESULT;

gboolean tally_label_token_encode_approve (guint8            **out,
                                           gsize              *out_len,
                                           const TallyAddress *spender,
                                           const TallyUint256 *amount,
                                           GError            **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_label_token_encode_balance_of (guint8            **out,
                                              gsize              *out_len,
                                              const TallyAddress *account,
                                              GError            **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_label_token_decode_balance_of (TallyUint256 *balance,
                                              const guint8 *data,
                                              gsize         len,
                                              GError      **error) G_GNUC_WARN_UNUSED_RESULT;

/* nonces(owner): the permit nonce the next signature of owner must use. */
gboolean tally_label_token_encode_nonces (guint8            **out,
                                          gsize              *out_len,
                                          const TallyAddress *owner,
                                          GError            **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_label_token_decode_nonces (TallyUint256 *nonce,
                                          const guint8 *data,
                                          gsize         len,
                                          GError      **error) G_GNUC_WARN_UNUSED_RESULT;

/* The EIP-712 digest of Permit(owner, spender, value, nonce, deadline) for
 * the token at token_address named token_name (its ERC-20 name, which is
 * its EIP-712 domain name) on chain_id, version
 * TALLY_LABEL_TOKEN_PERMIT_VERSION. */
gboolean tally_label_token_permit_digest (guint8              digest[32],
                                          const char         *token_name,
                                          guint64             chain_id,
                                          const TallyAddress *token_address,
                                          const TallyAddress *owner,
                                          const TallyAddress *spender,
                                          const TallyUint256 *value,
                                          const TallyUint256 *nonce,
                                          const TallyUint256 *deadline,
                                          GError            **error) G_GNUC_WARN_UNUSED_RESULT;
/* Signs that digest through signer, whose account is the owner. */
void     tally_label_token_sign_permit_async (TallySigner        *signer,
                                              const char         *token_name,
                                              guint64             chain_id,
                                              const TallyAddress *token_address,
                                              const TallyAddress *spender,
                                              const TallyUint256 *value,
                                              const TallyUint256 *nonce,
                                              const TallyUint256 *deadline,
                                              GCancellable       *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data);
gboolean tally_label_token_sign_permit_finish (TallySigner      *signer,
                                               GAsyncResult     *result,
                                               TallyLabelPermit *permit,
                                               GError          **error) G_GNUC_WARN_UNUSED_RESULT;

/* label-market-tasks.c: staking with a permit, and an annotator's side of a
 * task. Task ids are the contract's uint256. */
gboolean tally_label_market_encode_stake_with_permit (guint8                **out,
                                                      gsize                  *out_len,
                                                      const TallyUint256     *amount,
                                                      const TallyUint256     *deadline,
                                                      const TallyLabelPermit *permit,
                                                      GError                **error) G_GNUC_WARN_UNUSED_RESULT;
/* public_key: 64 bytes for a private task, or empty. */
gboolean tally_label_market_encode_join (guint8            **out,
                                         gsize              *out_len,
                                         const TallyUint256 *task_id,
                                         const guint8       *public_key,
                                         gsize               public_key_len,
                                         GError            **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_label_market_encode_leave (guint8            **out,
                                          gsize              *out_len,
                                          const TallyUint256 *task_id,
                                          GError            **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_label_market_encode_commit (guint8            **out,
                                           gsize              *out_len,
                                           const TallyUint256 *task_id,
                                           const guint8        commitment[32],
                                           GError            **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_label_market_encode_reveal (guint8            **out,
                                           gsize              *out_len,
                                           const TallyUint256 *task_id,
                                           const guint8       *labels,
                                           gsize               labels_len,
                                           const guint8       *payload,
                                           gsize               payload_len,
                                           const guint8        salt[32],
                                           GError            **error) G_GNUC_WARN_UNUSED_RESULT;

/* keccak256(abi.encode(chainid, market, taskId, annotator, keccak256(labels),
 * keccak256(payload), salt)), as reveal checks it. */
void tally_label_market_commitment (guint8              commitment[32],
                                    guint64             chain_id,
                                    const TallyAddress *market,
                                    const TallyUint256 *task_id,
                                    const TallyAddress *annotator,
                                    const guint8       *labels,
                                    gsize               labels_len,
                                    const guint8       *payload,
                                    gsize               payload_len,
                                    const guint8        salt[32]);
/* commitmentOf(taskId, annotator, labelsHash, payloadHash, salt), the
 * contract's own computation of it. */
gboolean tally_label_market_encode_commitment_of (guint8            **out,
                                                  gsize              *out_len,
                                                  const TallyUint256 *task_id,
                                                  const TallyAddress *annotator,
                                                  const guint8        labels_hash[32],
                                                  const guint8        payload_hash[32],
                                                  const guint8        salt[32],
                                                  GError            **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_label_market_decode_commitment_of (guint8        commitment[32],
                                                  const guint8 *data,
                                                  gsize         len,
                                                  GError      **error) G_GNUC_WARN_UNUSED_RESULT;

/* credited(account): rewards credited and not yet claimed. */
gboolean tally_label_market_encode_credited (guint8            **out,
                                             gsize              *out_len,
                                             const TallyAddress *account,
                                             GError            **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_label_market_decode_credited (TallyUint256 *amount,
                                             const guint8 *data,
                                             gsize         len,
                                             GError      **error) G_GNUC_WARN_UNUSED_RESULT;

gboolean tally_label_market_encode_get_submission (guint8            **out,
                                                   gsize              *out_len,
                                                   const TallyUint256 *task_id,
                                                   const TallyAddress *account,
                                                   GError            **error) G_GNUC_WARN_UNUSED_RESULT;
/* TALLY_CORE_ERROR_MALFORMED_REPLY also for a state the contract does not
 * have, a seat beyond any task's, or a seat reported for no submission. */
gboolean tally_label_market_decode_get_submission (TallyLabelSubmission *submission,
                                                   const guint8         *data,
                                                   gsize                 len,
                                                   GError              **error) G_GNUC_WARN_UNUSED_RESULT;

/* ---- label-market-requester.c: a requester's side of a task, and the
 * task's views ----------------------------------------------------------- */

/* The contract's bounds (LabelMarketBase.sol). */
#define TALLY_LABEL_MAX_ITEMS       256
#define TALLY_LABEL_MAX_CLASSES     255
#define TALLY_LABEL_MAX_REPLICATION 7
#define TALLY_LABEL_MAX_REVIEWERS   3
#define TALLY_LABEL_BPS             10000

/* A task's state, as the contract's TaskState enum numbers it. */
typedef enum
{
  TALLY_LABEL_TASK_NONE,
  TALLY_LABEL_TASK_OPEN,
  TALLY_LABEL_TASK_CANCELLED,
  TALLY_LABEL_TASK_FINALIZED,
} TallyLabelTaskState;

/* The contract's TaskParams, member for member. Amounts are in the token's
 * smallest unit, deadlines unix seconds. A gold_commitment of zeros is a
 * task without gold; has_key_server FALSE a public task. */
typedef struct
{
  guint8       manifest_hash[32];
  guint        item_count;
  guint        class_count;
  guint        replication;
  guint        reviewers;
  TallyUint256 reward_per_label;
  TallyUint256 review_reward_per_item;
  TallyUint256 stake_per_item;
  guint        slash_bps;
  guint        quorum_bps;
  TallyUint256 leave_fee;
  guint8       gold_commitment[32];
  guint        min_gold_accuracy_bps;
  gboolean     has_key_server;
  TallyAddress key_server;
  guint64      commit_deadline;
  guint64      reveal_deadline;
  guint64      review_commit_deadline;
  guint64      review_reveal_deadline;
} TallyLabelTaskParams;

/* getTask(taskId), the contract's TaskView. escrow is the budget while the
 * task is open, 0 once cancelled or finalized. */
typedef struct
{
  TallyLabelTaskParams params;
  TallyAddress         requester;
  TallyLabelTaskState  state;
  guint                seats_taken;
  gboolean             ever_joined;
  gboolean             gold_revealed;
  TallyUint256         escrow;
} TallyLabelTask;

/* getSeat(taskId, seat); an empty seat has no holder and is all zeros. */
typedef struct
{
  gboolean            has_holder;
  TallyAddress        holder;
  TallyLabelSeatState state;
  guint8              hash[32];
  gboolean            key_granted;
} TallyLabelSeat;

/* What createTask escrows for params, computed as budgetFor does:
 * itemCount x R x rewardPerLabel + itemCount x R x V x reviewRewardPerItem.
 * FALSE when it does not fit 256 bits (the contract would revert). */
gboolean tally_label_task_params_budget (const TallyLabelTaskParams *params,
                                         TallyUint256               *budget) G_GNUC_WARN_UNUSED_RESULT;

gboolean tally_label_market_encode_create_task (guint8                    **out,
                                                gsize                      *out_len,
                                                const TallyLabelTaskParams *params,
                                                const char                 *manifest_uri,
                                                GError                    **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_label_market_encode_cancel_task (guint8            **out,
                                                gsize              *out_len,
                                                const TallyUint256 *task_id,
                                                GError            **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_label_market_encode_budget_for (guint8                    **out,
                                               gsize                      *out_len,
                                               const TallyLabelTaskParams *params,
                                               GError                    **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_label_market_decode_budget_for (TallyUint256 *budget,
                                               const guint8 *data,
                                               gsize         len,
                                               GError      **error) G_GNUC_WARN_UNUSED_RESULT;

/* Gold: n_gold strictly increasing item indices and one label byte each. */
gboolean tally_label_market_encode_reveal_gold (guint8            **out,
                                                gsize              *out_len,
                                                const TallyUint256 *task_id,
                                                const guint16      *gold_indices,
                                                const guint8       *gold_labels,
                                                gsize               n_gold,
                                                const guint8        salt[32],
                                                GError            **error) G_GNUC_WARN_UNUSED_RESULT;
/* keccak256(abi.encode(manifestHash, goldIndices, goldLabels, salt)), as
 * revealGold checks it; the task's params.gold_commitment. */
void     tally_label_market_gold_commitment (guint8         commitment[32],
                                             const guint8   manifest_hash[32],
                                             const guint16 *gold_indices,
                                             const guint8  *gold_labels,
                                             gsize          n_gold,
                                             const guint8   salt[32]);
gboolean tally_label_market_encode_gold_commitment_of (guint8       **out,
                                                       gsize         *out_len,
                                                       const guint8   manifest_hash[32],
                                                       const guint16 *gold_indices,
                                                       const guint8  *gold_labels,
                                                       gsize          n_gold,
                                                       const guint8   salt[32],
                                                       GError       **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_label_market_decode_gold_commitment_of (guint8        commitment[32],
                                                       const guint8 *data,
                                                       gsize         len,
                                                       GError      **error) G_GNUC_WARN_UNUSED_RESULT;

/* The key server's grant of a private task's key, sealed to account. */
gboolean tally_label_market_encode_grant_key (guint8            **out,
                                              gsize              *out_len,
                                              const TallyUint256 *task_id,
                                              const TallyAddress *account,
                                              const guint8       *sealed_key,
                                              gsize               sealed_key_len,
                                              GError            **error) G_GNUC_WARN_UNUSED_RESULT;

/* finalize: labels has R entries in seat order (the revealed labels of each
 * revealed seat; NULL or empty for the others), verdicts R x V entries,
 * entry seat x V + reviewSlot, likewise. The gold is the revealed gold, or
 * none (n_gold 0). */
gboolean tally_label_market_encode_finalize (guint8            **out,
                                             gsize              *out_len,
                                             const TallyUint256 *task_id,
                                             GBytes *const      *labels,
                                             guint               n_labels,
                                             const guint16      *gold_indices,
                                             const guint8       *gold_labels,
                                             gsize               n_gold,
                                             GBytes *const      *verdicts,
                                             guint               n_verdicts,
                                             GError            **error) G_GNUC_WARN_UNUSED_RESULT;

gboolean tally_label_market_encode_get_task (guint8            **out,
                                             gsize              *out_len,
                                             const TallyUint256 *task_id,
                                             GError            **error) G_GNUC_WARN_UNUSED_RESULT;
/* TALLY_CORE_ERROR_MALFORMED_REPLY also for a count, bps, deadline or state
 * outside the contract's bounds. */
gboolean tally_label_market_decode_get_task (TallyLabelTask *task,
                                             const guint8   *data,
                                             gsize           len,
                                             GError        **error) G_GNUC_WARN_UNUSED_RESULT;

/* pendingOf(taskId, account): the stake account's seats lock in an open
 * task and the most it can earn there; both 0 once the task is settled. */
gboolean tally_label_market_encode_pending_of (guint8            **out,
                                               gsize              *out_len,
                                               const TallyUint256 *task_id,
                                               const TallyAddress *account,
                                               GError            **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_label_market_decode_pending_of (TallyUint256 *locked,
                                               TallyUint256 *max_reward,
                                               const guint8 *data,
                                               gsize         len,
                                               GError      **error) G_GNUC_WARN_UNUSED_RESULT;

/* taskCount(): task ids run from 1 to it. */
gboolean tally_label_market_encode_task_count (guint8 **out,
                                               gsize   *out_len,
                                               GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_label_market_decode_task_count (TallyUint256 *count,
                                               const guint8 *data,
                                               gsize         len,
                                               GError      **error) G_GNUC_WARN_UNUSED_RESULT;

gboolean tally_label_market_encode_get_seat (guint8            **out,
                                             gsize              *out_len,
                                             const TallyUint256 *task_id,
                                             guint               seat,
                                             GError            **error) G_GNUC_WARN_UNUSED_RESULT;
/* TALLY_CORE_ERROR_MALFORMED_REPLY also for a state the contract does not
 * have, an empty seat with a state, or a held seat without one. */
gboolean tally_label_market_decode_get_seat (TallyLabelSeat *seat,
                                             const guint8   *data,
                                             gsize           len,
                                             GError        **error) G_GNUC_WARN_UNUSED_RESULT;

/* ---- label-market-review.c: a reviewer's side of a task ------------------ */

/* getReview(taskId, seat, reviewSlot); an untaken review seat is all zeros. */
typedef struct
{
  gboolean            has_reviewer;
  TallyAddress        reviewer;
  TallyLabelSeatState state;
  guint8              hash[32];
} TallyLabelReview;

/* public_key: 64 bytes for a private task, or empty. */
gboolean tally_label_market_encode_join_review (guint8            **out,
                                                gsize              *out_len,
                                                const TallyUint256 *task_id,
                                                guint               seat,
                                                const guint8       *public_key,
                                                gsize               public_key_len,
                                                GError            **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_label_market_encode_commit_review (guint8            **out,
                                                  gsize              *out_len,
                                                  const TallyUint256 *task_id,
                                                  guint               seat,
                                                  const guint8        commitment[32],
                                                  GError            **error) G_GNUC_WARN_UNUSED_RESULT;
/* verdicts: one byte per item, TALLY_LABEL_VERDICT_*. */
gboolean tally_label_market_encode_reveal_review (guint8            **out,
                                                  gsize              *out_len,
                                                  const TallyUint256 *task_id,
                                                  guint               seat,
                                                  const guint8       *verdicts,
                                                  gsize               verdicts_len,
                                                  const guint8        salt[32],
                                                  GError            **error) G_GNUC_WARN_UNUSED_RESULT;

#define TALLY_LABEL_VERDICT_ABSTAIN 0
#define TALLY_LABEL_VERDICT_ACCEPT  1
#define TALLY_LABEL_VERDICT_REJECT  2

/* keccak256(abi.encode(chainid, market, taskId, seat, reviewer,
 * keccak256(verdicts), salt)), as revealReview checks it. */
void     tally_label_market_review_commitment (guint8              commitment[32],
                                               guint64             chain_id,
                                               const TallyAddress *market,
                                               const TallyUint256 *task_id,
                                               guint               seat,
                                               const TallyAddress *reviewer,
                                               const guint8       *verdicts,
                                               gsize               verdicts_len,
                                               const guint8        salt[32]);
gboolean tally_label_market_encode_review_commitment_of (guint8            **out,
                                                         gsize              *out_len,
                                                         const TallyUint256 *task_id,
                                                         guint               seat,
                                                         const TallyAddress *reviewer,
                                                         const guint8        verdicts_hash[32],
                                                         const guint8        salt[32],
                                                         GError            **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_label_market_decode_review_commitment_of (guint8        commitment[32],
                                                         const guint8 *data,
                                                         gsize         len,
                                                         GError      **error) G_GNUC_WARN_UNUSED_RESULT;

gboolean tally_label_market_encode_get_review (guint8            **out,
                                               gsize              *out_len,
                                               const TallyUint256 *task_id,
                                               guint               seat,
                                               guint               review_slot,
                                               GError            **error) G_GNUC_WARN_UNUSED_RESULT;
/* TALLY_CORE_ERROR_MALFORMED_REPLY also for a state the contract does not
 * have, an untaken seat with a state, or a taken one without. */
gboolean tally_label_market_decode_get_review (TallyLabelReview *review,
                                               const guint8     *data,
                                               gsize             len,
                                               GError          **error) G_GNUC_WARN_UNUSED_RESULT;

/* reviewSeatsOf(taskId, account): bit s set when account reviews the
 * submission in seat s. */
gboolean tally_label_market_encode_review_seats_of (guint8            **out,
                                                    gsize              *out_len,
                                                    const TallyUint256 *task_id,
                                                    const TallyAddress *account,
                                                    GError            **error) G_GNUC_WARN_UNUSED_RESULT;
/* TALLY_CORE_ERROR_MALFORMED_REPLY also for a bit beyond the last seat any
 * task has. */
gboolean tally_label_market_decode_review_seats_of (guint        *seats,
                                                    const guint8 *data,
                                                    gsize         len,
                                                    GError      **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
