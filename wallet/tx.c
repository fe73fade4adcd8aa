/* tx.c: Ethereum transactions — legacy with EIP-155 replay protection and
 * EIP-1559 (type 2): signing, raw encoding, hashing and strict parsing
 *
 * A parsed transaction is shown to the user before anything is signed or
 * sent, so parsing is strict: one canonical encoding per transaction, known
 * types only, and no legacy transaction without a chain id (one signed that
 * way can be replayed on every chain).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-wallet"

#include "config.h"

#include <string.h>

#include "error.h"
#include "keccak.h"
#include "keys.h"
#include "rlp.h"
#include "tx.h"

#define LEGACY_FIELDS      9
#define EIP1559_FIELDS     12
#define EIP155_V_OFFSET    35
#define UNPROTECTED_V_LOW  27
#define UNPROTECTED_V_HIGH 28

TallyTransaction *
tally_transaction_new (TallyTransactionType type)
{
  TallyTransaction *tx;

  g_return_val_if_fail (type == TALLY_TRANSACTION_LEGACY || type == TALLY_TRANSACTION_EIP1559,
                        NULL);

  tx = g_new0 (TallyTransaction, 1);
  tx->type = type;
  return tx;
}

void
tally_transaction_free (TallyTransaction *tx)
{
  if (tx == NULL)
    return;
  for (gsize i = 0; i < tx->n_access_list; i++)
    g_free (tx->access_list[i].storage_keys);
  g_free (tx->access_list);
  g_free (tx->data);
  g_free (tx);
}

void
tally_transaction_set_data (TallyTransaction *tx,
                            const guint8     *data,
                            gsize             data_len)
{
  g_return_if_fail (tx != NULL);
  g_return_if_fail (data != NULL || data_len == 0);

  g_clear_pointer (&tx->data, g_free);
  tx->data = data_len > 0 ? g_memdup2 (data, data_len) : NULL;
  tx->data_len = data_len;
}

void
tally_transaction_add_access_list_entry (TallyTransaction   *tx,
                                         const TallyAddress *address,
                                         const guint8 (*storage_keys)[TALLY_STORAGE_KEY_LEN],
                                         gsize n_storage_keys)
{
  TallyAccessListEntry *entry;

  g_return_if_fail (tx != NULL);
  g_return_if_fail (address != NULL);
  g_return_if_fail (storage_keys != NULL || n_storage_keys == 0);

  tx->access_list = g_renew (TallyAccessListEntry, tx->access_list, tx->n_access_list + 1);
  entry = &tx->access_list[tx->n_access_list++];
  entry->address = *address;
  entry->n_storage_keys = n_storage_keys;
  entry->storage_keys = n_storage_keys > 0
                          ? g_memdup2 (storage_keys, n_storage_keys * TALLY_STORAGE_KEY_LEN)
                          : NULL;
}

/* Rules every transaction must meet before it is hashed or encoded. */
static gboolean
check_fields (const TallyTransaction *tx,
              GError                **error)
{
  if (tx->type != TALLY_TRANSACTION_LEGACY && tx->type != TALLY_TRANSACTION_EIP1559)
    {
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_UNSUPPORTED,
                   "Transaction type %d is not supported", (int) tx->type);
      return FALSE;
    }
  if (tx->chain_id == 0 || tx->chain_id > TALLY_TRANSACTION_MAX_CHAIN_ID)
    {
      if (tx->chain_id == 0)
        g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                             "The transaction has no chain id, so it could be replayed on any chain");
      else
        g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                     "The chain id %" G_GUINT64_FORMAT " is too large", tx->chain_id);
      return FALSE;
    }
  if (tx->type == TALLY_TRANSACTION_LEGACY)
    {
      if (tx->n_access_list > 0)
        {
          g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                               "A legacy transaction cannot carry an access list");
          return FALSE;
        }
      if (!tally_uint256_is_zero (&tx->max_fee_per_gas) ||
          !tally_uint256_is_zero (&tx->max_priority_fee_per_gas))
        {
          g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                               "A legacy transaction has a gas price, not EIP-1559 fees");
          return FALSE;
        }
    }
  else if (!tally_uint256_is_zero (&tx->gas_price))
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                           "An EIP-1559 transaction has a max fee and a priority fee, not a gas price");
      return FALSE;
    }
  return TRUE;
}

static void
add_access_list (TallyRlpEncoder        *encoder,
                 const TallyTransaction *tx)
{
  tally_rlp_encoder_begin_list (encoder);
  for (gsize i = 0; i < tx->n_access_list; i++)
    {
      const TallyAccessListEntry *entry = &tx->access_list[i];

      tally_rlp_encoder_begin_list (encoder);
      tally_rlp_encoder_add_bytes (encoder, entry->address.bytes, TALLY_ADDRESS_LEN);
      tally_rlp_encoder_begin_list (encoder);
      for (gsize k = 0; k < entry->n_storage_keys; k++)
        tally_rlp_encoder_add_bytes (encoder, entry->storage_keys[k], TALLY_STORAGE_KEY_LEN);
      tally_rlp_encoder_end_list (encoder);
      tally_rlp_encoder_end_list (encoder);
    }
  tally_rlp_encoder_end_list (encoder);
}

/* The RLP payload (with the type byte in front for type 2): the unsigned
 * fields for signing, or the signed transaction. */
static guint8 *
encode_payload (const TallyTransaction *tx,
                gboolean                for_signing,
                gsize                  *len)
{
  g_autoptr (TallyRlpEncoder) encoder = tally_rlp_encoder_new ();
  gboolean legacy = tx->type == TALLY_TRANSACTION_LEGACY;
  guint8  *rlp;
  gsize    rlp_len = 0;
  guint8  *out;

  tally_rlp_encoder_begin_list (encoder);
  if (!legacy)
    tally_rlp_encoder_add_uint64 (encoder, tx->chain_id);
  tally_rlp_encoder_add_uint64 (encoder, tx->nonce);
  if (legacy)
    tally_rlp_encoder_add_uint256 (encoder, &tx->gas_price);
  else
    {
      tally_rlp_encoder_add_uint256 (encoder, &tx->max_priority_fee_per_gas);
      tally_rlp_encoder_add_uint256 (encoder, &tx->max_fee_per_gas);
    }
  tally_rlp_encoder_add_uint64 (encoder, tx->gas_limit);
  tally_rlp_encoder_add_bytes (encoder, tx->has_to ? tx->to.bytes : NULL,
                               tx->has_to ? TALLY_ADDRESS_LEN : 0);
  tally_rlp_encoder_add_uint256 (encoder, &tx->value);
  tally_rlp_encoder_add_bytes (encoder, tx->data, tx->data_len);
  if (!legacy)
    add_access_list (encoder, tx);

  if (legacy && for_signing)
    {
      /* EIP-155: the chain id takes v's place, with r = s = 0. */
      tally_rlp_encoder_add_uint64 (encoder, tx->chain_id);
      tally_rlp_encoder_add_uint64 (encoder, 0);
      tally_rlp_encoder_add_uint64 (encoder, 0);
    }
  else if (!for_signing)
    {
      if (legacy)
        tally_rlp_encoder_add_uint64 (encoder, tx->chain_id * 2 + EIP155_V_OFFSET + tx->y_parity);
      else
        tally_rlp_encoder_add_uint64 (encoder, tx->y_parity);
      tally_rlp_encoder_add_uint256 (encoder, &tx->r);
      tally_rlp_encoder_add_uint256 (encoder, &tx->s);
    }
  tally_rlp_encoder_end_list (encoder);
  rlp = tally_rlp_encoder_finish (g_steal_pointer (&encoder), &rlp_len);

  if (legacy)
    {
      *len = rlp_len;
      return rlp;
    }
  /* EIP-2718: the type byte, then the payload. */
  out = g_malloc (rlp_len + 1);
  out[0] = TALLY_TRANSACTION_EIP1559;
  memcpy (out + 1, rlp, rlp_len);
  g_free (rlp);
  *len = rlp_len + 1;
  return out;
}

gboolean
tally_transaction_signing_hash (guint8                  hash[TALLY_TRANSACTION_HASH_LEN],
                                const TallyTransaction *tx,
                                GError                **error)
{
  g_autofree guint8 *payload = NULL;
  gsize              len = 0;

  g_return_val_if_fail (hash != NULL, FALSE);
  g_return_val_if_fail (tx != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (hash, 0, TALLY_TRANSACTION_HASH_LEN);
  if (!check_fields (tx, error))
    return FALSE;
  payload = encode_payload (tx, TRUE, &len);
  tally_keccak256 (hash, payload, len);
  return TRUE;
}

gboolean
tally_transaction_sign (TallyTransaction *tx,
                        const guint8      key[TALLY_PRIVATE_KEY_LEN],
                        GError          **error)
{
  guint8 digest[TALLY_TRANSACTION_HASH_LEN];
  guint8 signature[TALLY_SIGNATURE_LEN];

  g_return_val_if_fail (tx != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  tx->is_signed = FALSE;
  tx->y_parity = 0;
  tally_uint256_from_uint64 (&tx->r, 0);
  tally_uint256_from_uint64 (&tx->s, 0);

  if (tx->type == TALLY_TRANSACTION_EIP1559 &&
      tally_uint256_cmp (&tx->max_priority_fee_per_gas, &tx->max_fee_per_gas) > 0)
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                           "The priority fee is higher than the max fee per gas");
      return FALSE;
    }
  if (!tally_transaction_signing_hash (digest, tx, error) ||
      !tally_sign_digest (signature, key, digest, error))
    return FALSE;

  tally_uint256_from_bytes32 (&tx->r, signature);
  tally_uint256_from_bytes32 (&tx->s, signature + 32);
  tx->y_parity = signature[64];
  tx->is_signed = TRUE;
  return TRUE;
}

gboolean
tally_transaction_encode (guint8                **raw,
                          gsize                  *raw_len,
                          const TallyTransaction *tx,
                          GError                **error)
{
  g_return_val_if_fail (raw != NULL, FALSE);
  g_return_val_if_fail (raw_len != NULL, FALSE);
  g_return_val_if_fail (tx != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *raw = NULL;
  *raw_len = 0;
  if (!check_fields (tx, error))
    return FALSE;
  if (!tx->is_signed || tx->y_parity > 1)
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                           tx->is_signed ? "The signature's y parity is not 0 or 1"
                                         : "The transaction is not signed");
      return FALSE;
    }
  *raw = encode_payload (tx, FALSE, raw_len);
  return TRUE;
}

gboolean
tally_transaction_hash (guint8                  hash[TALLY_TRANSACTION_HASH_LEN],
                        const TallyTransaction *tx,
                        GError                **error)
{
  g_autofree guint8 *raw = NULL;
  gsize              raw_len = 0;

  g_return_val_if_fail (hash != NULL, FALSE);

  memset (hash, 0, TALLY_TRANSACTION_HASH_LEN);
  if (!tally_transaction_encode (&raw, &raw_len, tx, error))
    return FALSE;
  tally_keccak256 (hash, raw, raw_len);
  return TRUE;
}

/* Field readers for the parser: each names the field in its error. */

static gboolean
field_error (GError    **error,
             const char *field,
             const char *problem)
{
  g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
               "The transaction's %s %s", field, problem);
  return FALSE;
}

static gboolean
read_uint64 (guint64            *out,
             const TallyRlpItem *item,
             const char         *field,
             GError            **error)
{
  if (!tally_rlp_item_get_uint64 (out, item, error))
    {
      g_prefix_error (error, "The transaction's %s is not valid: ", field);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_uint256 (TallyUint256       *out,
              const TallyRlpItem *item,
              const char         *field,
              GError            **error)
{
  if (!tally_rlp_item_get_uint256 (out, item, error))
    {
      g_prefix_error (error, "The transaction's %s is not valid: ", field);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_bytes (const TallyRlpItem *item,
            const char         *field,
            GError            **error)
{
  if (item->kind != TALLY_RLP_BYTES)
    return field_error (error, field, "is a list where bytes belong");
  return TRUE;
}

static gboolean
read_access_list (TallyTransaction   *tx,
                  const TallyRlpItem *list,
                  GError            **error)
{
  if (list->kind != TALLY_RLP_LIST)
    return field_error (error, "access list", "is not a list");

  for (gsize i = 0; i < list->n_children; i++)
    {
      const TallyRlpItem *entry = &list->children[i];
      const TallyRlpItem *keys;
      TallyAddress        address;
      g_autofree guint8  *key_bytes = NULL;

      if (entry->kind != TALLY_RLP_LIST || entry->n_children != 2)
        return field_error (error, "access list", "has an entry that is not [address, keys]");
      if (entry->children[0].kind != TALLY_RLP_BYTES ||
          entry->children[0].len != TALLY_ADDRESS_LEN)
        return field_error (error, "access list", "has an address that is not 20 bytes");
      keys = &entry->children[1];
      if (keys->kind != TALLY_RLP_LIST)
        return field_error (error, "access list", "has storage keys that are not a list");

      key_bytes = g_malloc0 (keys->n_children * TALLY_STORAGE_KEY_LEN + 1);
      for (gsize k = 0; k < keys->n_children; k++)
        {
          if (keys->children[k].kind != TALLY_RLP_BYTES ||
              keys->children[k].len != TALLY_STORAGE_KEY_LEN)
            return field_error (error, "access list", "has a storage key that is not 32 bytes");
          memcpy (key_bytes + k * TALLY_STORAGE_KEY_LEN, keys->children[k].data,
                  TALLY_STORAGE_KEY_LEN);
        }
      memcpy (address.bytes, entry->children[0].data, TALLY_ADDRESS_LEN);
      tally_transaction_add_access_list_entry (tx, &address,
                                               (const guint8 (*)[TALLY_STORAGE_KEY_LEN]) key_bytes,
                                               keys->n_children);
    }
  return TRUE;
}

static gboolean
read_signature (TallyTransaction   *tx,
                const TallyRlpItem *fields,
                GError            **error)
{
  if (!read_uint256 (&tx->r, &fields[1], "signature r", error) ||
      !read_uint256 (&tx->s, &fields[2], "signature s", error))
    return FALSE;
  if (tally_uint256_is_zero (&tx->r) || tally_uint256_is_zero (&tx->s))
    return field_error (error, "signature", "is missing (r or s is zero)");

  if (tx->type == TALLY_TRANSACTION_EIP1559)
    {
      guint64 y_parity;

      if (!read_uint64 (&y_parity, &fields[0], "signature y parity", error))
        return FALSE;
      if (y_parity > 1)
        return field_error (error, "signature y parity", "is not 0 or 1");
      tx->y_parity = (guint8) y_parity;
    }
  else
    {
      guint64 v;

      if (!read_uint64 (&v, &fields[0], "signature v", error))
        return FALSE;
      if (v == UNPROTECTED_V_LOW || v == UNPROTECTED_V_HIGH)
        {
          g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_UNSUPPORTED,
                               "The transaction has no chain id (v is 27 or 28, from before "
                               "EIP-155), so it could be replayed on any chain");
          return FALSE;
        }
      if (v < EIP155_V_OFFSET + 2)
        {
          g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                       "The transaction's signature v (%" G_GUINT64_FORMAT ") is not an "
                       "EIP-155 value",
                       v);
          return FALSE;
        }
      tx->chain_id = (v - EIP155_V_OFFSET) / 2;
      tx->y_parity = (guint8) ((v - EIP155_V_OFFSET) % 2);
    }
  tx->is_signed = TRUE;
  return TRUE;
}

static gboolean
parse_fields (TallyTransaction   *tx,
              const TallyRlpItem *root,
              GError            **error)
{
  gboolean            legacy = tx->type == TALLY_TRANSACTION_LEGACY;
  gsize               expected = legacy ? LEGACY_FIELDS : EIP1559_FIELDS;
  const TallyRlpItem *f = root->children;
  const TallyRlpItem *to;

  if (root->kind != TALLY_RLP_LIST)
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                           "The transaction is a byte string, not a list of fields");
      return FALSE;
    }
  if (root->n_children != expected)
    {
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                   "%s transaction has %" G_GSIZE_FORMAT " fields, not %" G_GSIZE_FORMAT,
                   legacy ? "A legacy" : "An EIP-1559", root->n_children, expected);
      return FALSE;
    }

  if (!legacy)
    {
      if (!read_uint64 (&tx->chain_id, f++, "chain id", error))
        return FALSE;
    }
  if (!read_uint64 (&tx->nonce, f++, "nonce", error))
    return FALSE;
  if (legacy)
    {
      if (!read_uint256 (&tx->gas_price, f++, "gas price", error))
        return FALSE;
    }
  else if (!read_uint256 (&tx->max_priority_fee_per_gas, f++, "max priority fee", error) ||
           !read_uint256 (&tx->max_fee_per_gas, f++, "max fee", error))
    return FALSE;
  if (!read_uint64 (&tx->gas_limit, f++, "gas limit", error))
    return FALSE;

  to = f++;
  if (!read_bytes (to, "recipient", error))
    return FALSE;
  if (to->len != 0 && to->len != TALLY_ADDRESS_LEN)
    return field_error (error, "recipient", "is neither empty (contract creation) nor 20 bytes");
  tx->has_to = to->len == TALLY_ADDRESS_LEN;
  if (tx->has_to)
    memcpy (tx->to.bytes, to->data, TALLY_ADDRESS_LEN);

  if (!read_uint256 (&tx->value, f++, "value", error))
    return FALSE;
  if (!read_bytes (f, "data", error))
    return FALSE;
  tally_transaction_set_data (tx, f->data, f->len);
  f++;

  if (!legacy && !read_access_list (tx, f++, error))
    return FALSE;
  if (!read_signature (tx, f, error))
    return FALSE;
  /* Chain id 0 and other rules shared with signing. */
  return check_fields (tx, error);
}

static const char *
type_name (guint8 type)
{
  switch (type)
    {
    case 1:
      return "EIP-2930 access list transactions";
    case 3:
      return "EIP-4844 blob transactions";
    case 4:
      return "EIP-7702 set-code transactions";
    default:
      return "transactions of this type";
    }
}

gboolean
tally_transaction_parse (TallyTransaction **tx,
                         const guint8      *raw,
                         gsize              raw_len,
                         GError           **error)
{
  g_autoptr (TallyTransaction) result = NULL;
  g_autoptr (TallyRlpItem) root = NULL;
  const guint8 *rlp = raw;
  gsize         rlp_len = raw_len;

  g_return_val_if_fail (tx != NULL, FALSE);
  g_return_val_if_fail (raw != NULL || raw_len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *tx = NULL;
  if (raw_len == 0)
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                           "The transaction is empty");
      return FALSE;
    }

  /* EIP-2718: a first byte below 0x80 is a type; a legacy transaction is an
   * RLP list, whose first byte is at least 0xc0. */
  if (raw[0] >= 0xc0)
    result = tally_transaction_new (TALLY_TRANSACTION_LEGACY);
  else if (raw[0] == TALLY_TRANSACTION_EIP1559)
    {
      result = tally_transaction_new (TALLY_TRANSACTION_EIP1559);
      rlp++;
      rlp_len--;
    }
  else if (raw[0] < 0x80)
    {
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_UNSUPPORTED,
                   "The transaction has type 0x%02x: %s are not supported", raw[0],
                   type_name (raw[0]));
      return FALSE;
    }
  else
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                           "The transaction is a byte string, not a list of fields");
      return FALSE;
    }

  if (!tally_rlp_decode (&root, rlp, rlp_len, error))
    {
      g_prefix_error (error, "The transaction is not valid RLP: ");
      return FALSE;
    }
  if (!parse_fields (result, root, error))
    return FALSE;

  *tx = g_steal_pointer (&result);
  return TRUE;
}

gboolean
tally_transaction_recover_sender (TallyAddress           *sender,
                                  const TallyTransaction *tx,
                                  GError                **error)
{
  guint8 digest[TALLY_TRANSACTION_HASH_LEN];
  guint8 signature[TALLY_SIGNATURE_LEN];

  g_return_val_if_fail (sender != NULL, FALSE);
  g_return_val_if_fail (tx != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (sender, 0, sizeof *sender);
  if (!tx->is_signed || tx->y_parity > 1)
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                           "The transaction is not signed");
      return FALSE;
    }
  if (!tally_transaction_signing_hash (digest, tx, error))
    return FALSE;

  tally_uint256_to_bytes32 (signature, &tx->r);
  tally_uint256_to_bytes32 (signature + 32, &tx->s);
  signature[64] = tx->y_parity;
  return tally_recover_address (sender, signature, digest, error);
}
