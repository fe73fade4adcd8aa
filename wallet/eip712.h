/* eip712.h: EIP-712 typed structured data: hashing and signing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "json.h"
#include "keys.h"

G_BEGIN_DECLS

#define TALLY_EIP712_HASH_LEN 32

/* A typed-data document is the JSON object of eth_signTypedData_v4:
 * {"types": {...}, "primaryType": "...", "domain": {...}, "message": {...}}.
 *
 * What is refused, so that what a person is shown is what is signed:
 * - a document member other than those four; types without EIP712Domain;
 *   primaryType EIP712Domain;
 * - a type referenced but not defined, a struct named like an atomic type,
 *   a field defined twice, a type definition with members other than
 *   "name" and "type";
 * - a missing field, and an extra field in a value (the domain included: it
 *   has exactly the fields of types.EIP712Domain, hashed in that order);
 * - a value of the wrong JSON kind: integers are JSON integers or strings
 *   (decimal, or 0x-hex; "-" for int<N>), never fractions or exponents;
 *   addresses are strings (EIP-55 checked when mixed case); bool is
 *   true/false; bytes<N> is 0x-hex of exactly N bytes; bytes is 0x-hex;
 * - an integer out of the range of its type; a fixed-size array of another
 *   length.
 * Recursive struct types (a Person with Person[] children) are allowed; the
 * JSON depth limit bounds their values. */

/* digest = keccak256(0x19 0x01 ‖ domainSeparator ‖ hashStruct(message)).
 * domain_separator and message_hash may be NULL. */
gboolean tally_eip712_hash (guint8               digest[TALLY_EIP712_HASH_LEN],
                            guint8               domain_separator[TALLY_EIP712_HASH_LEN],
                            guint8               message_hash[TALLY_EIP712_HASH_LEN],
                            const TallyJsonNode *typed_data,
                            GError             **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_eip712_hash_json (guint8      digest[TALLY_EIP712_HASH_LEN],
                                 const char *json,
                                 gsize       json_len,
                                 GError    **error) G_GNUC_WARN_UNUSED_RESULT;

/* encodeType: "Mail(Person from,Person to,string contents)Person(...)". */
gboolean tally_eip712_encode_type (char               **encoded,
                                   const TallyJsonNode *types,
                                   const char          *type_name,
                                   GError             **error) G_GNUC_WARN_UNUSED_RESULT;
/* hashStruct(value) = keccak256(typeHash ‖ encodeData(value)). */
gboolean tally_eip712_hash_struct (guint8               hash[TALLY_EIP712_HASH_LEN],
                                   const TallyJsonNode *types,
                                   const char          *type_name,
                                   const TallyJsonNode *value,
                                   GError             **error) G_GNUC_WARN_UNUSED_RESULT;

/* r ‖ s ‖ v with v = 27 or 28, as eth_signTypedData_v4 returns it. */
gboolean tally_eip712_sign (guint8               signature[TALLY_SIGNATURE_LEN],
                            const guint8         key[TALLY_PRIVATE_KEY_LEN],
                            const TallyJsonNode *typed_data,
                            GError             **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
