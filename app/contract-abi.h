/* contract-abi.h: a contract's ABI, read from the JSON the compiler exports:
 * functions, events and errors by name and signature, call encoding, result,
 * log and revert decoding
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "wallet/abi.h"

G_BEGIN_DECLS

typedef enum
{
  TALLY_ABI_ENTRY_FUNCTION,
  TALLY_ABI_ENTRY_EVENT,
  TALLY_ABI_ENTRY_ERROR,
} TallyAbiEntryKind;

/* One function, event or error of an ABI, owned by its TallyContractAbi. */
typedef struct _TallyAbiEntry TallyAbiEntry;

TallyAbiEntryKind tally_abi_entry_get_kind (const TallyAbiEntry *entry);
const char       *tally_abi_entry_get_name (const TallyAbiEntry *entry);
/* Canonical, as hashed: "transfer(address,uint256)". */
const char *tally_abi_entry_get_signature (const TallyAbiEntry *entry);
/* The 4-byte selector of a function or error; the 32-byte topic of an event. */
const guint8       *tally_abi_entry_get_selector (const TallyAbiEntry *entry,
                                                  gsize               *len);
const TallyAbiType *tally_abi_entry_get_inputs (const TallyAbiEntry *entry);
/* Functions only; NULL otherwise. */
const TallyAbiType *tally_abi_entry_get_outputs (const TallyAbiEntry *entry);
guint               tally_abi_entry_get_n_inputs (const TallyAbiEntry *entry);
/* May be "" (unnamed parameter). */
const char *tally_abi_entry_get_input_name (const TallyAbiEntry *entry,
                                            guint                index);
gboolean    tally_abi_entry_get_input_indexed (const TallyAbiEntry *entry,
                                               guint                index);
/* view or pure: a call that cannot change state. */
gboolean tally_abi_entry_is_read_only (const TallyAbiEntry *entry);

/* A decoded event log: the event and a value for each of its inputs. An
 * indexed input of a dynamic type (string, bytes, array, tuple) is only its
 * keccak-256 hash on chain, so its value is that bytes32. */
typedef struct _TallyAbiLog TallyAbiLog;

const TallyAbiEntry *tally_abi_log_get_event (const TallyAbiLog *log);
const TallyAbiValue *tally_abi_log_get_value (const TallyAbiLog *log,
                                              guint              index);
/* NULL when the event has no input of that name. */
const TallyAbiValue *tally_abi_log_lookup (const TallyAbiLog *log,
                                           const char        *name);
/* "Transfer(from: 0x…, to: 0x…, value: 1000)", for logs and people. */
gchar *tally_abi_log_to_string (const TallyAbiLog *log) G_GNUC_WARN_UNUSED_RESULT;
void   tally_abi_log_free (TallyAbiLog *log);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TallyAbiLog, tally_abi_log_free)

#define TALLY_TYPE_CONTRACT_ABI (tally_contract_abi_get_type ())

G_DECLARE_FINAL_TYPE (TallyContractAbi, tally_contract_abi, TALLY, CONTRACT_ABI, GObject)

/* A bare ABI array as forge and solc write it. Anything malformed (not an
 * array, an entry without a name, a type that does not parse, an event
 * input without "indexed", two entries with one signature) is a
 * TALLY_CORE_ERROR_MALFORMED_REPLY naming the entry. @name is the
 * contract's, for messages. */
TallyContractAbi *tally_contract_abi_new_from_bytes (const char *name,
                                                     GBytes     *json,
                                                     GError    **error) G_GNUC_WARN_UNUSED_RESULT;
/* The contract's name is the file's, without ".json". */
TallyContractAbi *tally_contract_abi_new_from_file (const char *path,
                                                    GError    **error) G_GNUC_WARN_UNUSED_RESULT;
TallyContractAbi *tally_contract_abi_new_from_resource (const char *resource_path,
                                                        GError    **error) G_GNUC_WARN_UNUSED_RESULT;
/* LabelMarket, LabelToken or PriceFeed, as the contracts build exported
 * them into the library; TALLY_CORE_ERROR_NOT_FOUND for any other name. */
TallyContractAbi *tally_contract_abi_new_builtin (const char *contract,
                                                  GError    **error) G_GNUC_WARN_UNUSED_RESULT;

const char *tally_contract_abi_get_name (TallyContractAbi *self);

/* By name ("stake", TALLY_CORE_ERROR_NOT_FOUND if several overloads share
 * it) or by signature ("stake(uint256)"); NULL with
 * TALLY_CORE_ERROR_NOT_FOUND if there is none. */
const TallyAbiEntry *tally_contract_abi_lookup (TallyContractAbi *self,
                                                TallyAbiEntryKind kind,
                                                const char       *name_or_signature,
                                                GError          **error);
/* Every entry of a kind, in the ABI's order (element type TallyAbiEntry *,
 * owned by @self). */
GPtrArray *tally_contract_abi_list (TallyContractAbi *self,
                                    TallyAbiEntryKind kind) G_GNUC_WARN_UNUSED_RESULT;

/* Selector and arguments (a tuple value with one item per input). */
gboolean tally_contract_abi_encode_call (TallyContractAbi    *self,
                                         guint8             **out,
                                         gsize               *out_len,
                                         const char          *function,
                                         const TallyAbiValue *args,
                                         GError             **error) G_GNUC_WARN_UNUSED_RESULT;
/* The return data of an eth_call of @function, as a tuple of its outputs;
 * data that does not decode is TALLY_CORE_ERROR_MALFORMED_REPLY. */
gboolean tally_contract_abi_decode_result (TallyContractAbi *self,
                                           TallyAbiValue   **result,
                                           const char       *function,
                                           const guint8     *data,
                                           gsize             len,
                                           GError          **error) G_GNUC_WARN_UNUSED_RESULT;
/* A log of this contract: topics (32 bytes each, the event's topic first)
 * and data. An unknown topic is TALLY_CORE_ERROR_NOT_FOUND, a log that does
 * not match its event TALLY_CORE_ERROR_MALFORMED_REPLY. */
TallyAbiLog *tally_contract_abi_decode_log (TallyContractAbi *self,
                                            const guint8     *topics,
                                            gsize             n_topics,
                                            const guint8     *data,
                                            gsize             len,
                                            GError          **error) G_GNUC_WARN_UNUSED_RESULT;
/* A sentence for a person from revert data, naming this contract's custom
 * error and its arguments when it is one of them. Never fails. */
gchar *tally_contract_abi_describe_revert (TallyContractAbi *self,
                                           const guint8     *data,
                                           gsize             len) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
