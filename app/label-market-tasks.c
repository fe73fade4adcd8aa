/* label-market-tasks.c: staking with an EIP-2612 permit, and the typed calls
 * of an annotator's side of a LabelMarket task (join, leave, commit,
 * reveal, the commitment itself, getSubmission, credited)
 *
 * A permit is signed through a TallySigner, never with a key in hand, so a
 * hardware wallet can stand in. The commitment is computed here exactly as
 * the contract's commitmentOf does, so a client can commit without a round
 * trip and check a reveal before paying gas for it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "core-error.h"
#include "label-market-private.h"
#include "label-market.h"
#include "wallet/eip712.h"
#include "wallet/keccak.h"

/* No task has more seats than items x replication allows: 256 x 7. */
#define MAX_SEAT 1791

/* ---- The token's permit ------------------------------------------------- */

gboolean
tally_label_token_encode_nonces (guint8            **out,
                                 gsize              *out_len,
                                 const TallyAddress *owner,
                                 GError            **error)
{
  g_return_val_if_fail (owner != NULL, FALSE);

  return tally_label_encode_call (tally_label_token_abi, "nonces(address)",
                                  tally_label_address_args (owner), out, out_len, error);
}

/* The first output of function, a uint256. */
static gboolean
decode_one_uint (TallyLabelAbiGetter get_abi,
                 const char         *function,
                 TallyUint256       *value,
                 const guint8       *data,
                 gsize               len,
                 GError            **error)
{
  g_autoptr (TallyAbiValue) result = NULL;

  memset (value, 0, sizeof *value);
  result = tally_label_decode_result (get_abi, function, data, len, error);
  if (result == NULL)
    return FALSE;
  tally_abi_value_get_uint (tally_abi_value_get_element (result, 0), value);
  return TRUE;
}

gboolean
tally_label_token_decode_nonces (TallyUint256 *nonce,
                                 const guint8 *data,
                                 gsize         len,
                                 GError      **error)
{
  g_return_val_if_fail (nonce != NULL, FALSE);

  return decode_one_uint (tally_label_token_abi, "nonces(address)", nonce, data, len, error);
}

static void
add_address (JsonBuilder        *builder,
             const char         *name,
             const TallyAddress *address)
{
  char text[TALLY_ADDRESS_STRING_SIZE];

  tally_address_to_string (address, text);
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, text);
}

/* Amounts go as decimal strings: JSON numbers cannot hold a uint256. */
static void
add_uint (JsonBuilder        *builder,
          const char         *name,
          const TallyUint256 *value)
{
  g_autofree char *text = tally_uint256_to_decimal (value);

  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, text);
}

static void
add_field (JsonBuilder *builder,
           const char  *name,
           const char  *type)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  json_builder_end_object (builder);
}

/* The eth_signTypedData_v4 document of the permit; JsonBuilder escapes the
 * token's name, which is the token's to choose. */
static char *
permit_typed_data (const char         *token_name,
                   guint64             chain_id,
                   const TallyAddress *token_address,
                   const TallyAddress *owner,
                   const TallyAddress *spender,
                   const TallyUint256 *value,
                   const TallyUint256 *nonce,
                   const TallyUint256 *deadline)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *chain_text = g_strdup_printf ("%" G_GUINT64_FORMAT, chain_id);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "types");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "EIP712Domain");
  json_builder_begin_array (builder);
  add_field (builder, "name", "string");
  add_field (builder, "version", "string");
  add_field (builder, "chainId", "uint256");
  add_field (builder, "verifyingContract", "address");
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "Permit");
  json_builder_begin_array (builder);
  add_field (builder, "owner", "address");
  add_field (builder, "spender", "address");
  add_field (builder, "value", "uint256");
  add_field (builder, "nonce", "uint256");
  add_field (builder, "deadline", "uint256");
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "primaryType");
  json_builder_add_string_value (builder, "Permit");

  json_builder_set_member_name (builder, "domain");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, token_name);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, TALLY_LABEL_TOKEN_PERMIT_VERSION);
  json_builder_set_member_name (builder, "chainId");
  json_builder_add_string_value (builder, chain_text);
  add_address (builder, "verifyingContract", token_address);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "message");
  json_builder_begin_object (builder);
  add_address (builder, "owner", owner);
  add_address (builder, "spender", spender);
  add_uint (builder, "value", value);
  add_uint (builder, "nonce", nonce);
  add_uint (builder, "deadline", deadline);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

gboolean
tally_label_token_permit_digest (guint8              digest[32],
                                 const char         *token_name,
                                 guint64             chain_id,
                                 const TallyAddress *token_address,
                                 const TallyAddress *owner,
                                 const TallyAddress *spender,
                                 const TallyUint256 *value,
                                 const TallyUint256 *nonce,
                                 const TallyUint256 *deadline,
                                 GError            **error)
{
  g_autofree char *json = NULL;

  g_return_val_if_fail (token_name != NULL && token_address != NULL && owner != NULL, FALSE);
  g_return_val_if_fail (spender != NULL && value != NULL && nonce != NULL, FALSE);
  g_return_val_if_fail (deadline != NULL, FALSE);

  json = permit_typed_data (token_name, chain_id, token_address, owner, spender, value, nonce,
                            deadline);
  return tally_eip712_hash_json (digest, json, strlen (json), error);
}

static void
permit_signed (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  TallyLabelPermit *permit;
  guint8            signature[TALLY_SIGNATURE_LEN];

  if (g_task_return_error_if_cancelled (task))
    return;
  if (!tally_signer_sign_digest_finish (TALLY_SIGNER (source), result, signature, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  permit = g_new0 (TallyLabelPermit, 1);
  memcpy (permit->r, signature, 32);
  memcpy (permit->s, signature + 32, 32);
  /* Signers give the recovery id; ecrecover in permit wants 27 or 28. */
  permit->v = (guint8) (27 + signature[64]);
  memset (signature, 0, sizeof signature);
  g_task_return_pointer (task, permit, g_free);
}

void
tally_label_token_sign_permit_async (TallySigner        *signer,
                                     const char         *token_name,
                                     guint64             chain_id,
                                     const TallyAddress *token_address,
                                     const TallyAddress *spender,
                                     const TallyUint256 *value,
                                     const TallyUint256 *nonce,
                                     const TallyUint256 *deadline,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  TallyAddress owner;
  guint8       digest[32];

  g_return_if_fail (TALLY_IS_SIGNER (signer));

  task = g_task_new (signer, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_label_token_sign_permit_async);
  tally_signer_get_address (signer, &owner);
  if (!tally_label_token_permit_digest (digest, token_name, chain_id, token_address, &owner,
                                        spender, value, nonce, deadline, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  tally_signer_sign_digest_async (signer, digest, cancellable, permit_signed,
                                  g_steal_pointer (&task));
}

gboolean
tally_label_token_sign_permit_finish (TallySigner      *signer,
                                      GAsyncResult     *result,
                                      TallyLabelPermit *permit,
                                      GError          **error)
{
  g_autofree TallyLabelPermit *signed_permit = NULL;

  g_return_val_if_fail (g_task_is_valid (result, signer), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                          tally_label_token_sign_permit_async,
                        FALSE);
  g_return_val_if_fail (permit != NULL, FALSE);

  memset (permit, 0, sizeof *permit);
  signed_permit = g_task_propagate_pointer (G_TASK (result), error);
  if (signed_permit == NULL)
    return FALSE;
  *permit = *signed_permit;
  return TRUE;
}

/* ---- The market ---------------------------------------------------------- */

gboolean
tally_label_market_encode_stake_with_permit (guint8                **out,
                                             gsize                  *out_len,
                                             const TallyUint256     *amount,
                                             const TallyUint256     *deadline,
                                             const TallyLabelPermit *permit,
                                             GError                **error)
{
  TallyAbiValue *args;
  TallyUint256   v;

  g_return_val_if_fail (amount != NULL && deadline != NULL && permit != NULL, FALSE);

  tally_uint256_from_uint64 (&v, permit->v);
  args = tally_label_uint_args (amount);
  tally_abi_value_append (args, tally_abi_value_new_uint (deadline));
  tally_abi_value_append (args, tally_abi_value_new_uint (&v));
  tally_abi_value_append (args, tally_abi_value_new_fixed_bytes (permit->r, 32));
  tally_abi_value_append (args, tally_abi_value_new_fixed_bytes (permit->s, 32));
  return tally_label_encode_call (tally_label_market_abi,
                                  "stakeWithPermit(uint256,uint256,uint8,bytes32,bytes32)", args,
                                  out, out_len, error);
}

gboolean
tally_label_market_encode_join (guint8            **out,
                                gsize              *out_len,
                                const TallyUint256 *task_id,
                                const guint8       *public_key,
                                gsize               public_key_len,
                                GError            **error)
{
  TallyAbiValue *args;

  g_return_val_if_fail (task_id != NULL && (public_key != NULL || public_key_len == 0), FALSE);

  args = tally_label_uint_args (task_id);
  tally_abi_value_append (args, tally_abi_value_new_bytes (public_key, public_key_len));
  return tally_label_encode_call (tally_label_market_abi, "join(uint256,bytes)", args, out,
                                  out_len, error);
}

gboolean
tally_label_market_encode_leave (guint8            **out,
                                 gsize              *out_len,
                                 const TallyUint256 *task_id,
                                 GError            **error)
{
  g_return_val_if_fail (task_id != NULL, FALSE);

  return tally_label_encode_call (tally_label_market_abi, "leave(uint256)",
                                  tally_label_uint_args (task_id), out, out_len, error);
}

gboolean
tally_label_market_encode_commit (guint8            **out,
                                  gsize              *out_len,
                                  const TallyUint256 *task_id,
                                  const guint8        commitment[32],
                                  GError            **error)
{
  TallyAbiValue *args;

  g_return_val_if_fail (task_id != NULL && commitment != NULL, FALSE);

  args = tally_label_uint_args (task_id);
  tally_abi_value_append (args, tally_abi_value_new_fixed_bytes (commitment, 32));
  return tally_label_encode_call (tally_label_market_abi, "commit(uint256,bytes32)", args, out,
                                  out_len, error);
}

gboolean
tally_label_market_encode_reveal (guint8            **out,
                                  gsize              *out_len,
                                  const TallyUint256 *task_id,
                                  const guint8       *labels,
                                  gsize               labels_len,
                                  const guint8       *payload,
                                  gsize               payload_len,
                                  const guint8        salt[32],
                                  GError            **error)
{
  TallyAbiValue *args;

  g_return_val_if_fail (task_id != NULL && salt != NULL, FALSE);
  g_return_val_if_fail (labels != NULL || labels_len == 0, FALSE);
  g_return_val_if_fail (payload != NULL || payload_len == 0, FALSE);

  args = tally_label_uint_args (task_id);
  tally_abi_value_append (args, tally_abi_value_new_bytes (labels, labels_len));
  tally_abi_value_append (args, tally_abi_value_new_bytes (payload, payload_len));
  tally_abi_value_append (args, tally_abi_value_new_fixed_bytes (salt, 32));
  return tally_label_encode_call (tally_label_market_abi, "reveal(uint256,bytes,bytes,bytes32)",
                                  args, out, out_len, error);
}

void
tally_label_market_commitment (guint8              commitment[32],
                               guint64             chain_id,
                               const TallyAddress *market,
                               const TallyUint256 *task_id,
                               const TallyAddress *annotator,
                               const guint8       *labels,
                               gsize               labels_len,
                               const guint8       *payload,
                               gsize               payload_len,
                               const guint8        salt[32])
{
  /* abi.encode of seven static words is the words one after another:
   * uint256 and bytes32 as they are, addresses right-aligned. */
  guint8       words[7 * 32] = { 0 };
  TallyUint256 chain;

  g_return_if_fail (commitment != NULL && market != NULL && task_id != NULL);
  g_return_if_fail (annotator != NULL && salt != NULL);
  g_return_if_fail (labels != NULL || labels_len == 0);
  g_return_if_fail (payload != NULL || payload_len == 0);

  tally_uint256_from_uint64 (&chain, chain_id);
  tally_uint256_to_bytes32 (words, &chain);
  memcpy (words + 32 + 12, market->bytes, TALLY_ADDRESS_LEN);
  tally_uint256_to_bytes32 (words + 2 * 32, task_id);
  memcpy (words + 3 * 32 + 12, annotator->bytes, TALLY_ADDRESS_LEN);
  tally_keccak256 (words + 4 * 32, labels, labels_len);
  tally_keccak256 (words + 5 * 32, payload, payload_len);
  memcpy (words + 6 * 32, salt, 32);
  tally_keccak256 (commitment, words, sizeof words);
}

gboolean
tally_label_market_encode_commitment_of (guint8            **out,
                                         gsize              *out_len,
                                         const TallyUint256 *task_id,
                                         const TallyAddress *annotator,
                                         const guint8        labels_hash[32],
                                         const guint8        payload_hash[32],
                                         const guint8        salt[32],
                                         GError            **error)
{
  TallyAbiValue *args;

  g_return_val_if_fail (task_id != NULL && annotator != NULL, FALSE);
  g_return_val_if_fail (labels_hash != NULL && payload_hash != NULL && salt != NULL, FALSE);

  args = tally_label_uint_args (task_id);
  tally_abi_value_append (args, tally_abi_value_new_address (annotator));
  tally_abi_value_append (args, tally_abi_value_new_fixed_bytes (labels_hash, 32));
  tally_abi_value_append (args, tally_abi_value_new_fixed_bytes (payload_hash, 32));
  tally_abi_value_append (args, tally_abi_value_new_fixed_bytes (salt, 32));
  return tally_label_encode_call (tally_label_market_abi,
                                  "commitmentOf(uint256,address,bytes32,bytes32,bytes32)", args,
                                  out, out_len, error);
}

gboolean
tally_label_market_decode_commitment_of (guint8        commitment[32],
                                         const guint8 *data,
                                         gsize         len,
                                         GError      **error)
{
  g_autoptr (TallyAbiValue) result = NULL;
  const guint8 *bytes;
  gsize         bytes_len = 0;

  g_return_val_if_fail (commitment != NULL, FALSE);

  memset (commitment, 0, 32);
  result = tally_label_decode_result (tally_label_market_abi,
                                      "commitmentOf(uint256,address,bytes32,bytes32,bytes32)",
                                      data, len, error);
  if (result == NULL)
    return FALSE;
  bytes = tally_abi_value_get_bytes (tally_abi_value_get_element (result, 0), &bytes_len);
  g_assert (bytes_len == 32);
  memcpy (commitment, bytes, 32);
  return TRUE;
}

gboolean
tally_label_market_encode_credited (guint8            **out,
                                    gsize              *out_len,
                                    const TallyAddress *account,
                                    GError            **error)
{
  g_return_val_if_fail (account != NULL, FALSE);

  return tally_label_encode_call (tally_label_market_abi, "credited(address)",
                                  tally_label_address_args (account), out, out_len, error);
}

gboolean
tally_label_market_decode_credited (TallyUint256 *amount,
                                    const guint8 *data,
                                    gsize         len,
                                    GError      **error)
{
  g_return_val_if_fail (amount != NULL, FALSE);

  return decode_one_uint (tally_label_market_abi, "credited(address)", amount, data, len, error);
}

gboolean
tally_label_market_encode_get_submission (guint8            **out,
                                          gsize              *out_len,
                                          const TallyUint256 *task_id,
                                          const TallyAddress *account,
                                          GError            **error)
{
  g_return_val_if_fail (task_id != NULL && account != NULL, FALSE);

  return tally_label_encode_call (tally_label_market_abi, "getSubmission(uint256,address)",
                                  tally_label_task_account_args (task_id, account), out, out_len,
                                  error);
}

gboolean
tally_label_market_decode_get_submission (TallyLabelSubmission *submission,
                                          const guint8         *data,
                                          gsize                 len,
                                          GError              **error)
{
  g_autoptr (TallyAbiValue) result = NULL;
  TallyUint256  seat, state;
  guint64       seat64 = 0, state64 = 0;
  const guint8 *hash;
  gsize         hash_len = 0;

  g_return_val_if_fail (submission != NULL, FALSE);

  memset (submission, 0, sizeof *submission);
  result = tally_label_decode_result (tally_label_market_abi, "getSubmission(uint256,address)",
                                      data, len, error);
  if (result == NULL)
    return FALSE;
  tally_abi_value_get_uint (tally_abi_value_get_element (result, 1), &seat);
  tally_abi_value_get_uint (tally_abi_value_get_element (result, 2), &state);
  if (!tally_uint256_to_uint64 (&seat64, &seat) || seat64 > MAX_SEAT ||
      !tally_uint256_to_uint64 (&state64, &state) || state64 > TALLY_LABEL_SEAT_REVEALED)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "The result of LabelMarket.getSubmission(uint256,address) names a seat or a "
                   "seat state no task has");
      return FALSE;
    }
  submission->seated = tally_abi_value_get_bool (tally_abi_value_get_element (result, 0));
  /* The contract reports an empty submission as all zeros. */
  if (!submission->seated && (seat64 != 0 || state64 != TALLY_LABEL_SEAT_EMPTY))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "The result of LabelMarket.getSubmission(uint256,address) gives a seat to an "
                   "account it says holds none");
      submission->seated = FALSE;
      return FALSE;
    }
  submission->seat = (guint) seat64;
  submission->state = (TallyLabelSeatState) state64;
  hash = tally_abi_value_get_bytes (tally_abi_value_get_element (result, 3), &hash_len);
  g_assert (hash_len == 32);
  memcpy (submission->hash, hash, 32);
  submission->key_granted = tally_abi_value_get_bool (tally_abi_value_get_element (result, 4));
  return TRUE;
}
