/* abi.h: the Solidity contract ABI: types, values, encoding, decoding,
 * selectors and revert reasons
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "keys.h"
#include "uint256.h"

G_BEGIN_DECLS

#define TALLY_ABI_WORD_LEN     32
#define TALLY_ABI_SELECTOR_LEN 4
#define TALLY_ABI_TOPIC_LEN    32
#define TALLY_ABI_MAX_DEPTH    32 /* nested arrays and tuples in a type */

typedef enum
{
  TALLY_ABI_UINT, /* uint<N>, N = 8, 16, ..., 256 */
  TALLY_ABI_INT,  /* int<N> */
  TALLY_ABI_ADDRESS,
  TALLY_ABI_BOOL,
  TALLY_ABI_FIXED_BYTES, /* bytes<N>, N = 1..32 */
  TALLY_ABI_BYTES,
  TALLY_ABI_STRING,
  TALLY_ABI_ARRAY,       /* T[] */
  TALLY_ABI_FIXED_ARRAY, /* T[k] */
  TALLY_ABI_TUPLE,
} TallyAbiKind;

/* A type, parsed from its canonical text: "uint256", "bytes32[]",
 * "(address,string)[2]". Immutable once parsed. */
typedef struct _TallyAbiType TallyAbiType;

/* "uint" and "int" are read as uint256 and int256. Nested empty tuples and
 * zero-length fixed arrays are refused (Solidity has neither); only a whole
 * parameter list may be "()". */
gboolean tally_abi_type_parse (TallyAbiType **type,
                               const char    *text,
                               GError       **error) G_GNUC_WARN_UNUSED_RESULT;
void     tally_abi_type_free (TallyAbiType *type);

TallyAbiKind tally_abi_type_get_kind (const TallyAbiType *type);
/* Bits of uint<N>/int<N>, bytes of bytes<N>, k of T[k], the number of
 * components of a tuple; 0 otherwise. */
guint tally_abi_type_get_size (const TallyAbiType *type);
/* The element type of an array, or component index of a tuple. */
const TallyAbiType *tally_abi_type_get_component (const TallyAbiType *type,
                                                  guint               index);
gboolean            tally_abi_type_is_dynamic (const TallyAbiType *type);
/* Canonical text, as hashed for selectors: "(uint256,bytes)[]". */
gchar *tally_abi_type_to_string (const TallyAbiType *type) G_GNUC_WARN_UNUSED_RESULT;

/* A value. Arrays (fixed or dynamic) share the kind TALLY_ABI_ARRAY; a value
 * is checked against a type when it is encoded. */
typedef struct _TallyAbiValue TallyAbiValue;

TallyAbiValue *tally_abi_value_new_uint (const TallyUint256 *value);
/* int<N>: a magnitude and a sign (-0 is 0). */
TallyAbiValue *tally_abi_value_new_int (const TallyUint256 *magnitude,
                                        gboolean            negative);
TallyAbiValue *tally_abi_value_new_address (const TallyAddress *address);
TallyAbiValue *tally_abi_value_new_bool (gboolean value);
TallyAbiValue *tally_abi_value_new_fixed_bytes (const guint8 *data,
                                                gsize         len);
TallyAbiValue *tally_abi_value_new_bytes (const guint8 *data,
                                          gsize         len);
/* Solidity strings are bytes; text need not be UTF-8. */
TallyAbiValue *tally_abi_value_new_string (const char *text,
                                           gssize      len);
TallyAbiValue *tally_abi_value_new_array (void);
TallyAbiValue *tally_abi_value_new_tuple (void);
/* Appends to an array or tuple, taking ownership of item. */
void tally_abi_value_append (TallyAbiValue *list,
                             TallyAbiValue *item);
void tally_abi_value_free (TallyAbiValue *value);

/* TALLY_ABI_UINT, _INT, _ADDRESS, _BOOL, _FIXED_BYTES, _BYTES, _STRING,
 * _ARRAY or _TUPLE. */
TallyAbiKind tally_abi_value_get_kind (const TallyAbiValue *value);
void         tally_abi_value_get_uint (const TallyAbiValue *value,
                                       TallyUint256        *out);
void         tally_abi_value_get_int (const TallyAbiValue *value,
                                      TallyUint256        *magnitude,
                                      gboolean            *negative);
void         tally_abi_value_get_address (const TallyAbiValue *value,
                                          TallyAddress        *out);
gboolean     tally_abi_value_get_bool (const TallyAbiValue *value);
/* Fixed bytes, bytes and strings; strings are NUL-terminated as well. */
const guint8        *tally_abi_value_get_bytes (const TallyAbiValue *value,
                                                gsize               *len);
guint                tally_abi_value_get_length (const TallyAbiValue *value);
const TallyAbiValue *tally_abi_value_get_element (const TallyAbiValue *value,
                                                  guint                index);
/* For people and logs: 12, -3, 0xAbC… (EIP-55), true, 0x0102, "text",
 * [1, 2], (1, "a"). */
gchar *tally_abi_value_to_string (const TallyAbiValue *value) G_GNUC_WARN_UNUSED_RESULT;

/* abi.encode of the components of a tuple type (a parameter list) from a
 * tuple value with as many items. Fails when a value does not fit its type
 * (a uint8 above 255, bytes4 of 3 bytes, an array of the wrong length). */
gboolean tally_abi_encode (guint8             **out,
                           gsize               *out_len,
                           const TallyAbiType  *params,
                           const TallyAbiValue *args,
                           GError             **error) G_GNUC_WARN_UNUSED_RESULT;
/* The strict inverse: offsets and lengths in bounds, padding zero, bools 0
 * or 1, ints sign-extended, and the data in canonical form (exactly what
 * tally_abi_encode would write: no gaps, no shared or backward offsets, no
 * trailing bytes). */
gboolean tally_abi_decode (TallyAbiValue     **args,
                           const TallyAbiType *params,
                           const guint8       *data,
                           gsize               len,
                           GError            **error) G_GNUC_WARN_UNUSED_RESULT;

/* A signature is "name(type,...)"; selectors hash its canonical form, so
 * "transfer(address,uint)" gives the selector of transfer(address,uint256).
 * params, when not NULL, receives the parameter list. */
gboolean tally_abi_selector (guint8         selector[TALLY_ABI_SELECTOR_LEN],
                             TallyAbiType **params,
                             const char    *signature,
                             GError       **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_abi_event_topic (guint8      topic[TALLY_ABI_TOPIC_LEN],
                                const char *signature,
                                GError    **error) G_GNUC_WARN_UNUSED_RESULT;
/* Selector followed by the encoded arguments. */
gboolean tally_abi_encode_call (guint8             **out,
                                gsize               *out_len,
                                const char          *signature,
                                const TallyAbiValue *args,
                                GError             **error) G_GNUC_WARN_UNUSED_RESULT;

/* A sentence for a person from the data of a failed call: Error(string),
 * Panic(uint256) with the meaning of its code, one of error_signatures
 * (NULL-terminated, may be NULL) with its arguments, or what is known of
 * anything else. Never fails; malformed data is said to be malformed. */
gchar *tally_abi_describe_revert (const guint8      *data,
                                  gsize              len,
                                  const char *const *error_signatures) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TallyAbiType, tally_abi_type_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TallyAbiValue, tally_abi_value_free)

G_END_DECLS
