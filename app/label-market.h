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

G_END_DECLS
