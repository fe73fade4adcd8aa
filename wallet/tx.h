/* tx.h: Ethereum transactions — legacy with EIP-155 replay protection and
 * EIP-1559 (type 2): signing, raw encoding, hashing and strict parsing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "keys.h"
#include "uint256.h"

G_BEGIN_DECLS

#define TALLY_TRANSACTION_HASH_LEN 32
#define TALLY_STORAGE_KEY_LEN      32
/* v = chain id * 2 + 35 + parity must fit in 64 bits. */
#define TALLY_TRANSACTION_MAX_CHAIN_ID ((G_MAXUINT64 - 36) / 2)

typedef enum
{
  TALLY_TRANSACTION_LEGACY = 0,  /* always with EIP-155 replay protection */
  TALLY_TRANSACTION_EIP1559 = 2, /* the EIP-2718 type byte */
} TallyTransactionType;

typedef struct
{
  TallyAddress address;
  guint8 (*storage_keys)[TALLY_STORAGE_KEY_LEN];
  gsize n_storage_keys;
} TallyAccessListEntry;

/* Plain data: fill the fields, then sign. The fee fields of the other type
 * must stay zero, and only EIP-1559 transactions carry an access list. */
typedef struct
{
  TallyTransactionType  type;
  guint64               chain_id; /* never 0: no transaction without replay protection */
  guint64               nonce;
  TallyUint256          gas_price;                /* legacy */
  TallyUint256          max_priority_fee_per_gas; /* EIP-1559 */
  TallyUint256          max_fee_per_gas;          /* EIP-1559 */
  guint64               gas_limit;
  gboolean              has_to; /* FALSE: contract creation */
  TallyAddress          to;
  TallyUint256          value;
  guint8               *data;
  gsize                 data_len;
  TallyAccessListEntry *access_list;
  gsize                 n_access_list;

  /* Set by tally_transaction_sign() and tally_transaction_parse(). */
  gboolean     is_signed;
  guint8       y_parity; /* 0 or 1; legacy v = chain_id * 2 + 35 + y_parity */
  TallyUint256 r;
  TallyUint256 s;
} TallyTransaction;

TallyTransaction *tally_transaction_new (TallyTransactionType type) G_GNUC_WARN_UNUSED_RESULT;
void              tally_transaction_free (TallyTransaction *tx);

/* Both copy their inputs. */
void tally_transaction_set_data (TallyTransaction *tx,
                                 const guint8     *data,
                                 gsize             data_len);
void tally_transaction_add_access_list_entry (TallyTransaction   *tx,
                                              const TallyAddress *address,
                                              const guint8 (*storage_keys)[TALLY_STORAGE_KEY_LEN],
                                              gsize n_storage_keys);

/* The digest a signature commits to (the signature fields are ignored). */
gboolean tally_transaction_signing_hash (guint8                  hash[TALLY_TRANSACTION_HASH_LEN],
                                         const TallyTransaction *tx,
                                         GError                **error) G_GNUC_WARN_UNUSED_RESULT;
/* Also refuses an EIP-1559 priority fee above the max fee, which no node
 * would accept. On failure the transaction is left unsigned. */
gboolean tally_transaction_sign (TallyTransaction *tx,
                                 const guint8      key[TALLY_PRIVATE_KEY_LEN],
                                 GError          **error) G_GNUC_WARN_UNUSED_RESULT;

/* The signed transaction as eth_sendRawTransaction takes it. */
gboolean tally_transaction_encode (guint8                **raw,
                                   gsize                  *raw_len,
                                   const TallyTransaction *tx,
                                   GError                **error) G_GNUC_WARN_UNUSED_RESULT;
/* The transaction id: keccak-256 of the raw encoding. */
gboolean tally_transaction_hash (guint8                  hash[TALLY_TRANSACTION_HASH_LEN],
                                 const TallyTransaction *tx,
                                 GError                **error) G_GNUC_WARN_UNUSED_RESULT;

/* Parses a signed raw transaction: legacy with EIP-155 v, or type 2. The
 * encoding must be canonical, so encoding the result gives back raw. Other
 * types and unprotected legacy transactions (v = 27/28) fail with
 * TALLY_WALLET_ERROR_UNSUPPORTED, bad encodings with _MALFORMED. */
gboolean tally_transaction_parse (TallyTransaction **tx,
                                  const guint8      *raw,
                                  gsize              raw_len,
                                  GError           **error) G_GNUC_WARN_UNUSED_RESULT;

gboolean tally_transaction_recover_sender (TallyAddress           *sender,
                                           const TallyTransaction *tx,
                                           GError                **error) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TallyTransaction, tally_transaction_free)

G_END_DECLS
