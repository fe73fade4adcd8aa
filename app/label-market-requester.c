/* label-market-requester.c: the typed calls of a requester's side of a
 * LabelMarket task (createTask, cancelTask, budgetFor, revealGold, grantKey,
 * finalize) and of the task's views (getTask, pendingOf, taskCount, getSeat)
 *
 * The budget and the gold commitment are computed here exactly as the
 * contract does, so a client knows what to approve and what to commit to
 * without a round trip. Every view's result is checked against the
 * contract's bounds before it becomes a C integer: an endpoint that reports
 * a task of a million items is lying, not describing a task.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "core-error.h"
#include "label-market-private.h"
#include "label-market.h"
#include "wallet/keccak.h"

/* TaskParams: every member a static word, so the tuple's canonical type. */
#define TASK_PARAMS_TYPE                                                                      \
  "(bytes32,uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256," \
  "bytes32,uint256,address,uint256,uint256,uint256,uint256)"
#define N_TASK_PARAMS 18

#define CREATE_TASK        "createTask(" TASK_PARAMS_TYPE ",string)"
#define BUDGET_FOR         "budgetFor(" TASK_PARAMS_TYPE ")"
#define GOLD_COMMITMENT_OF "goldCommitmentOf(bytes32,uint16[],bytes,bytes32)"
#define FINALIZE           "finalize(uint256,bytes[],uint16[],bytes,bytes[])"
#define GET_TASK           "getTask(uint256)"
#define PENDING_OF         "pendingOf(uint256,address)"
#define GET_SEAT           "getSeat(uint256,uint256)"

/* ---- Helpers -------------------------------------------------------------- */

static TallyAbiValue *
small_uint (guint64 value)
{
  TallyUint256 wide;

  tally_uint256_from_uint64 (&wide, value);
  return tally_abi_value_new_uint (&wide);
}

/* A uint of a result as a guint64, FALSE when it exceeds max. */
static gboolean
get_small_uint (const TallyAbiValue *value,
                guint64              max,
                guint64             *out)
{
  TallyUint256 wide;

  tally_abi_value_get_uint (value, &wide);
  return tally_uint256_to_uint64 (out, &wide) && *out <= max;
}

static void
get_bytes32 (const TallyAbiValue *value,
             guint8               out[32])
{
  gsize         len = 0;
  const guint8 *bytes = tally_abi_value_get_bytes (value, &len);

  g_assert (len == 32);
  memcpy (out, bytes, 32);
}

static gboolean
is_zero (const guint8 *bytes,
         gsize         len)
{
  for (gsize i = 0; i < len; i++)
    if (bytes[i] != 0)
      return FALSE;
  return TRUE;
}

static gboolean
malformed (GError    **error,
           const char *function,
           const char *what)
{
  g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
               "The result of LabelMarket.%s %s", function, what);
  return FALSE;
}

/* The first output of function, a uint256. */
static gboolean
decode_one_uint (const char   *function,
                 TallyUint256 *value,
                 const guint8 *data,
                 gsize         len,
                 GError      **error)
{
  g_autoptr (TallyAbiValue) result = NULL;

  memset (value, 0, sizeof *value);
  result = tally_label_decode_result (tally_label_market_abi, function, data, len, error);
  if (result == NULL)
    return FALSE;
  tally_abi_value_get_uint (tally_abi_value_get_element (result, 0), value);
  return TRUE;
}

static TallyAbiValue *
params_value (const TallyLabelTaskParams *p)
{
  TallyAbiValue *tuple = tally_abi_value_new_tuple ();
  TallyAddress   key_server = { 0 };

  if (p->has_key_server)
    key_server = p->key_server;
  tally_abi_value_append (tuple, tally_abi_value_new_fixed_bytes (p->manifest_hash, 32));
  tally_abi_value_append (tuple, small_uint (p->item_count));
  tally_abi_value_append (tuple, small_uint (p->class_count));
  tally_abi_value_append (tuple, small_uint (p->replication));
  tally_abi_value_append (tuple, small_uint (p->reviewers));
  tally_abi_value_append (tuple, tally_abi_value_new_uint (&p->reward_per_label));
  tally_abi_value_append (tuple, tally_abi_value_new_uint (&p->review_reward_per_item));
  tally_abi_value_append (tuple, tally_abi_value_new_uint (&p->stake_per_item));
  tally_abi_value_append (tuple, small_uint (p->slash_bps));
  tally_abi_value_append (tuple, small_uint (p->quorum_bps));
  tally_abi_value_append (tuple, tally_abi_value_new_uint (&p->leave_fee));
  tally_abi_value_append (tuple, tally_abi_value_new_fixed_bytes (p->gold_commitment, 32));
  tally_abi_value_append (tuple, small_uint (p->min_gold_accuracy_bps));
  tally_abi_value_append (tuple, tally_abi_value_new_address (&key_server));
  tally_abi_value_append (tuple, small_uint (p->commit_deadline));
  tally_abi_value_append (tuple, small_uint (p->reveal_deadline));
  tally_abi_value_append (tuple, small_uint (p->review_commit_deadline));
  tally_abi_value_append (tuple, small_uint (p->review_reveal_deadline));
  return tuple;
}

/* The inverse of params_value, within the contract's bounds. */
static gboolean
read_params (const TallyAbiValue  *tuple,
             TallyLabelTaskParams *p)
{
  const guint64 bounds[] = {
    [1] = TALLY_LABEL_MAX_ITEMS,
    [2] = TALLY_LABEL_MAX_CLASSES,
    [3] = TALLY_LABEL_MAX_REPLICATION,
    [4] = TALLY_LABEL_MAX_REVIEWERS,
    [8] = TALLY_LABEL_BPS,
    [9] = TALLY_LABEL_BPS,
    [12] = TALLY_LABEL_BPS,
    [14] = G_MAXUINT64,
    [15] = G_MAXUINT64,
    [16] = G_MAXUINT64,
    [17] = G_MAXUINT64,
  };
  guint64 small[N_TASK_PARAMS] = { 0 };

  /* Members without a bound (hashes, amounts, the key server) stay wide. */
  G_STATIC_ASSERT (G_N_ELEMENTS (bounds) == N_TASK_PARAMS);
  for (guint i = 0; i < N_TASK_PARAMS; i++)
    if (bounds[i] != 0 &&
        !get_small_uint (tally_abi_value_get_element (tuple, i), bounds[i], &small[i]))
      return FALSE;
  get_bytes32 (tally_abi_value_get_element (tuple, 0), p->manifest_hash);
  p->item_count = (guint) small[1];
  p->class_count = (guint) small[2];
  p->replication = (guint) small[3];
  p->reviewers = (guint) small[4];
  tally_abi_value_get_uint (tally_abi_value_get_element (tuple, 5), &p->reward_per_label);
  tally_abi_value_get_uint (tally_abi_value_get_element (tuple, 6), &p->review_reward_per_item);
  tally_abi_value_get_uint (tally_abi_value_get_element (tuple, 7), &p->stake_per_item);
  p->slash_bps = (guint) small[8];
  p->quorum_bps = (guint) small[9];
  tally_abi_value_get_uint (tally_abi_value_get_element (tuple, 10), &p->leave_fee);
  get_bytes32 (tally_abi_value_get_element (tuple, 11), p->gold_commitment);
  p->min_gold_accuracy_bps = (guint) small[12];
  tally_abi_value_get_address (tally_abi_value_get_element (tuple, 13), &p->key_server);
  p->has_key_server = !is_zero (p->key_server.bytes, TALLY_ADDRESS_LEN);
  p->commit_deadline = small[14];
  p->reveal_deadline = small[15];
  p->review_commit_deadline = small[16];
  p->review_reveal_deadline = small[17];
  return TRUE;
}

static TallyAbiValue *
uint16_array (const guint16 *values,
              gsize          n)
{
  TallyAbiValue *array = tally_abi_value_new_array ();

  for (gsize i = 0; i < n; i++)
    tally_abi_value_append (array, small_uint (values[i]));
  return array;
}

static TallyAbiValue *
bytes_array (GBytes *const *items,
             guint          n)
{
  TallyAbiValue *array = tally_abi_value_new_array ();

  for (guint i = 0; i < n; i++)
    {
      gsize         len = 0;
      const guint8 *data = items[i] != NULL ? g_bytes_get_data (items[i], &len) : NULL;

      tally_abi_value_append (array, tally_abi_value_new_bytes (data, len));
    }
  return array;
}

/* ---- Creating and cancelling ---------------------------------------------- */

gboolean
tally_label_task_params_budget (const TallyLabelTaskParams *params,
                                TallyUint256               *budget)
{
  TallyUint256 slots, labels, reviews;

  g_return_val_if_fail (params != NULL && budget != NULL, FALSE);

  memset (budget, 0, sizeof *budget);
  tally_uint256_from_uint64 (&slots, (guint64) params->item_count * params->replication);
  if (!tally_uint256_mul (&labels, &slots, &params->reward_per_label) ||
      !tally_uint256_mul_uint64 (&reviews, &slots, params->reviewers) ||
      !tally_uint256_mul (&reviews, &reviews, &params->review_reward_per_item) ||
      !tally_uint256_add (budget, &labels, &reviews))
    {
      memset (budget, 0, sizeof *budget);
      return FALSE;
    }
  return TRUE;
}

gboolean
tally_label_market_encode_create_task (guint8                    **out,
                                       gsize                      *out_len,
                                       const TallyLabelTaskParams *params,
                                       const char                 *manifest_uri,
                                       GError                    **error)
{
  TallyAbiValue *args;

  g_return_val_if_fail (params != NULL && manifest_uri != NULL, FALSE);

  args = tally_abi_value_new_tuple ();
  tally_abi_value_append (args, params_value (params));
  tally_abi_value_append (args, tally_abi_value_new_string (manifest_uri, -1));
  return tally_label_encode_call (tally_label_market_abi, CREATE_TASK, args, out, out_len, error);
}

gboolean
tally_label_market_encode_cancel_task (guint8            **out,
                                       gsize              *out_len,
                                       const TallyUint256 *task_id,
                                       GError            **error)
{
  g_return_val_if_fail (task_id != NULL, FALSE);

  return tally_label_encode_call (tally_label_market_abi, "cancelTask(uint256)",
                                  tally_label_uint_args (task_id), out, out_len, error);
}

gboolean
tally_label_market_encode_budget_for (guint8                    **out,
                                      gsize                      *out_len,
                                      const TallyLabelTaskParams *params,
                                      GError                    **error)
{
  TallyAbiValue *args;

  g_return_val_if_fail (params != NULL, FALSE);

  args = tally_abi_value_new_tuple ();
  tally_abi_value_append (args, params_value (params));
  return tally_label_encode_call (tally_label_market_abi, BUDGET_FOR, args, out, out_len, error);
}

gboolean
tally_label_market_decode_budget_for (TallyUint256 *budget,
                                      const guint8 *data,
                                      gsize         len,
                                      GError      **error)
{
  g_return_val_if_fail (budget != NULL, FALSE);

  return decode_one_uint (BUDGET_FOR, budget, data, len, error);
}

/* ---- Gold ---------------------------------------------------------------- */

gboolean
tally_label_market_encode_reveal_gold (guint8            **out,
                                       gsize              *out_len,
                                       const TallyUint256 *task_id,
                                       const guint16      *gold_indices,
                                       const guint8       *gold_labels,
                                       gsize               n_gold,
                                       const guint8        salt[32],
                                       GError            **error)
{
  TallyAbiValue *args;

  g_return_val_if_fail (task_id != NULL && salt != NULL, FALSE);
  g_return_val_if_fail ((gold_indices != NULL && gold_labels != NULL) || n_gold == 0, FALSE);

  args = tally_label_uint_args (task_id);
  tally_abi_value_append (args, uint16_array (gold_indices, n_gold));
  tally_abi_value_append (args, tally_abi_value_new_bytes (gold_labels, n_gold));
  tally_abi_value_append (args, tally_abi_value_new_fixed_bytes (salt, 32));
  return tally_label_encode_call (tally_label_market_abi,
                                  "revealGold(uint256,uint16[],bytes,bytes32)", args, out,
                                  out_len, error);
}

void
tally_label_market_gold_commitment (guint8         commitment[32],
                                    const guint8   manifest_hash[32],
                                    const guint16 *gold_indices,
                                    const guint8  *gold_labels,
                                    gsize          n_gold,
                                    const guint8   salt[32])
{
  g_autoptr (TallyAbiType) type = NULL;
  g_autoptr (TallyAbiValue) values = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *encoded = NULL;
  gsize              encoded_len = 0;

  g_return_if_fail (commitment != NULL && manifest_hash != NULL && salt != NULL);
  g_return_if_fail ((gold_indices != NULL && gold_labels != NULL) || n_gold == 0);

  /* Unlike the annotator's commitment, this one has dynamic members, so
   * the ABI encoder lays out their offsets and lengths. */
  values = tally_abi_value_new_tuple ();
  tally_abi_value_append (values, tally_abi_value_new_fixed_bytes (manifest_hash, 32));
  tally_abi_value_append (values, uint16_array (gold_indices, n_gold));
  tally_abi_value_append (values, tally_abi_value_new_bytes (gold_labels, n_gold));
  tally_abi_value_append (values, tally_abi_value_new_fixed_bytes (salt, 32));
  if (!tally_abi_type_parse (&type, "(bytes32,uint16[],bytes,bytes32)", &error) ||
      !tally_abi_encode (&encoded, &encoded_len, type, values, &error))
    g_error ("Cannot encode a gold commitment: %s", error->message);
  tally_keccak256 (commitment, encoded, encoded_len);
}

gboolean
tally_label_market_encode_gold_commitment_of (guint8       **out,
                                              gsize         *out_len,
                                              const guint8   manifest_hash[32],
                                              const guint16 *gold_indices,
                                              const guint8  *gold_labels,
                                              gsize          n_gold,
                                              const guint8   salt[32],
                                              GError       **error)
{
  TallyAbiValue *args;

  g_return_val_if_fail (manifest_hash != NULL && salt != NULL, FALSE);
  g_return_val_if_fail ((gold_indices != NULL && gold_labels != NULL) || n_gold == 0, FALSE);

  args = tally_abi_value_new_tuple ();
  tally_abi_value_append (args, tally_abi_value_new_fixed_bytes (manifest_hash, 32));
  tally_abi_value_append (args, uint16_array (gold_indices, n_gold));
  tally_abi_value_append (args, tally_abi_value_new_bytes (gold_labels, n_gold));
  tally_abi_value_append (args, tally_abi_value_new_fixed_bytes (salt, 32));
  return tally_label_encode_call (tally_label_market_abi, GOLD_COMMITMENT_OF, args, out, out_len,
                                  error);
}

gboolean
tally_label_market_decode_gold_commitment_of (guint8        commitment[32],
                                              const guint8 *data,
                                              gsize         len,
                                              GError      **error)
{
  g_autoptr (TallyAbiValue) result = NULL;

  g_return_val_if_fail (commitment != NULL, FALSE);

  memset (commitment, 0, 32);
  result = tally_label_decode_result (tally_label_market_abi, GOLD_COMMITMENT_OF, data, len, error);
  if (result == NULL)
    return FALSE;
  get_bytes32 (tally_abi_value_get_element (result, 0), commitment);
  return TRUE;
}

/* ---- Keys and settlement --------------------------------------------------- */

gboolean
tally_label_market_encode_grant_key (guint8            **out,
                                     gsize              *out_len,
                                     const TallyUint256 *task_id,
                                     const TallyAddress *account,
                                     const guint8       *sealed_key,
                                     gsize               sealed_key_len,
                                     GError            **error)
{
  TallyAbiValue *args;

  g_return_val_if_fail (task_id != NULL && account != NULL, FALSE);
  g_return_val_if_fail (sealed_key != NULL || sealed_key_len == 0, FALSE);

  args = tally_label_uint_args (task_id);
  tally_abi_value_append (args, tally_abi_value_new_address (account));
  tally_abi_value_append (args, tally_abi_value_new_bytes (sealed_key, sealed_key_len));
  return tally_label_encode_call (tally_label_market_abi, "grantKey(uint256,address,bytes)", args,
                                  out, out_len, error);
}

gboolean
tally_label_market_encode_finalize (guint8            **out,
                                    gsize              *out_len,
                                    const TallyUint256 *task_id,
                                    GBytes *const      *labels,
                                    guint               n_labels,
                                    const guint16      *gold_indices,
                                    const guint8       *gold_labels,
                                    gsize               n_gold,
                                    GBytes *const      *verdicts,
                                    guint               n_verdicts,
                                    GError            **error)
{
  TallyAbiValue *args;

  g_return_val_if_fail (task_id != NULL, FALSE);
  g_return_val_if_fail (labels != NULL || n_labels == 0, FALSE);
  g_return_val_if_fail (verdicts != NULL || n_verdicts == 0, FALSE);
  g_return_val_if_fail ((gold_indices != NULL && gold_labels != NULL) || n_gold == 0, FALSE);

  args = tally_label_uint_args (task_id);
  tally_abi_value_append (args, bytes_array (labels, n_labels));
  tally_abi_value_append (args, uint16_array (gold_indices, n_gold));
  tally_abi_value_append (args, tally_abi_value_new_bytes (gold_labels, n_gold));
  tally_abi_value_append (args, bytes_array (verdicts, n_verdicts));
  return tally_label_encode_call (tally_label_market_abi, FINALIZE, args, out, out_len, error);
}

/* ---- Views ---------------------------------------------------------------- */

gboolean
tally_label_market_encode_get_task (guint8            **out,
                                    gsize              *out_len,
                                    const TallyUint256 *task_id,
                                    GError            **error)
{
  g_return_val_if_fail (task_id != NULL, FALSE);

  return tally_label_encode_call (tally_label_market_abi, GET_TASK,
                                  tally_label_uint_args (task_id), out, out_len, error);
}

gboolean
tally_label_market_decode_get_task (TallyLabelTask *task,
                                    const guint8   *data,
                                    gsize           len,
                                    GError        **error)
{
  g_autoptr (TallyAbiValue) result = NULL;
  const TallyAbiValue *view;
  guint64              state = 0, seats = 0;

  g_return_val_if_fail (task != NULL, FALSE);

  memset (task, 0, sizeof *task);
  result = tally_label_decode_result (tally_label_market_abi, GET_TASK, data, len, error);
  if (result == NULL)
    return FALSE;
  view = tally_abi_value_get_element (result, 0);
  /* getTask reverts for an unknown task, so it never reports state None. */
  if (!read_params (tally_abi_value_get_element (view, 0), &task->params) ||
      !get_small_uint (tally_abi_value_get_element (view, 2), TALLY_LABEL_TASK_FINALIZED, &state) ||
      state == TALLY_LABEL_TASK_NONE ||
      !get_small_uint (tally_abi_value_get_element (view, 3), task->params.replication, &seats))
    {
      memset (task, 0, sizeof *task);
      return malformed (error, GET_TASK, "describes a task outside the contract's bounds");
    }
  tally_abi_value_get_address (tally_abi_value_get_element (view, 1), &task->requester);
  task->state = (TallyLabelTaskState) state;
  task->seats_taken = (guint) seats;
  task->ever_joined = tally_abi_value_get_bool (tally_abi_value_get_element (view, 4));
  task->gold_revealed = tally_abi_value_get_bool (tally_abi_value_get_element (view, 5));
  tally_abi_value_get_uint (tally_abi_value_get_element (view, 6), &task->escrow);
  return TRUE;
}

gboolean
tally_label_market_encode_pending_of (guint8            **out,
                                      gsize              *out_len,
                                      const TallyUint256 *task_id,
                                      const TallyAddress *account,
                                      GError            **error)
{
  g_return_val_if_fail (task_id != NULL && account != NULL, FALSE);

  return tally_label_encode_call (tally_label_market_abi, PENDING_OF,
                                  tally_label_task_account_args (task_id, account), out, out_len, error);
}

gboolean
tally_label_market_decode_pending_of (TallyUint256 *locked,
                                      TallyUint256 *max_reward,
                                      const guint8 *data,
                                      gsize         len,
                                      GError      **error)
{
  g_autoptr (TallyAbiValue) result = NULL;

  g_return_val_if_fail (locked != NULL && max_reward != NULL, FALSE);

  memset (locked, 0, sizeof *locked);
  memset (max_reward, 0, sizeof *max_reward);
  result = tally_label_decode_result (tally_label_market_abi, PENDING_OF, data, len, error);
  if (result == NULL)
    return FALSE;
  tally_abi_value_get_uint (tally_abi_value_get_element (result, 0), locked);
  tally_abi_value_get_uint (tally_abi_value_get_element (result, 1), max_reward);
  return TRUE;
}

gboolean
tally_label_market_encode_task_count (guint8 **out,
                                      gsize   *out_len,
                                      GError **error)
{
  return tally_label_encode_call (tally_label_market_abi, "taskCount()",
                                  tally_abi_value_new_tuple (), out, out_len, error);
}

gboolean
tally_label_market_decode_task_count (TallyUint256 *count,
                                      const guint8 *data,
                                      gsize         len,
                                      GError      **error)
{
  g_return_val_if_fail (count != NULL, FALSE);

  return decode_one_uint ("taskCount()", count, data, len, error);
}

gboolean
tally_label_market_encode_get_seat (guint8            **out,
                                    gsize              *out_len,
                                    const TallyUint256 *task_id,
                                    guint               seat,
                                    GError            **error)
{
  TallyAbiValue *args;

  g_return_val_if_fail (task_id != NULL, FALSE);

  args = tally_label_uint_args (task_id);
  tally_abi_value_append (args, small_uint (seat));
  return tally_label_encode_call (tally_label_market_abi, GET_SEAT, args, out, out_len, error);
}

gboolean
tally_label_market_decode_get_seat (TallyLabelSeat *seat,
                                    const guint8   *data,
                                    gsize           len,
                                    GError        **error)
{
  g_autoptr (TallyAbiValue) result = NULL;
  guint64 state = 0;

  g_return_val_if_fail (seat != NULL, FALSE);

  memset (seat, 0, sizeof *seat);
  result = tally_label_decode_result (tally_label_market_abi, GET_SEAT, data, len, error);
  if (result == NULL)
    return FALSE;
  if (!get_small_uint (tally_abi_value_get_element (result, 1), TALLY_LABEL_SEAT_REVEALED, &state))
    return malformed (error, GET_SEAT, "names a seat state the contract does not have");
  tally_abi_value_get_address (tally_abi_value_get_element (result, 0), &seat->holder);
  get_bytes32 (tally_abi_value_get_element (result, 2), seat->hash);
  seat->key_granted = tally_abi_value_get_bool (tally_abi_value_get_element (result, 3));
  seat->has_holder = !is_zero (seat->holder.bytes, TALLY_ADDRESS_LEN);
  seat->state = (TallyLabelSeatState) state;
  /* A holder has at least joined; an empty seat is all zeros. */
  if (seat->has_holder ? state == TALLY_LABEL_SEAT_EMPTY
                       : (state != TALLY_LABEL_SEAT_EMPTY || seat->key_granted ||
                          !is_zero (seat->hash, 32)))
    {
      memset (seat, 0, sizeof *seat);
      return malformed (error, GET_SEAT, "gives a state to an empty seat, or none to a held one");
    }
  return TRUE;
}
