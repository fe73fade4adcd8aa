/* rpc-client.h: the JSON-RPC client the chain engine talks to a node through
 *
 * One endpoint URL, one SoupSession. Every reply is validated (JSON-RPC 2.0
 * envelope, id, result xor error, hex forms) and every failure is a GError in
 * TALLY_CORE_ERROR that names the method. Calls are retried with exponential
 * backoff and jitter on network errors, HTTP 429 (honouring Retry-After) and
 * 5xx, and on rate-limit errors inside a reply, up to "max-attempts".
 *
 * eth_sendRawTransaction is the exception: once its body was sent, a lost or
 * late answer is NOT retried, because the node may have accepted it. The call
 * then fails with TALLY_CORE_ERROR_TIMED_OUT (or _NETWORK, _HTTP) and the
 * transaction layer must look the transaction up by its hash. It is retried
 * only when the request never left (connection refused) or on HTTP 429, and
 * a node's "already known" answer counts as success.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "wallet/keys.h"
#include "wallet/uint256.h"

G_BEGIN_DECLS

#define TALLY_RPC_HASH_LEN 32
/* For getLogs ranges: the chain head rather than a block number. */
#define TALLY_RPC_BLOCK_LATEST G_MAXUINT64

#define TALLY_RPC_CLIENT_DEFAULT_TIMEOUT_MS     15000
#define TALLY_RPC_CLIENT_DEFAULT_MAX_ATTEMPTS   4
#define TALLY_RPC_CLIENT_DEFAULT_MAX_REPLY_SIZE (16 * 1024 * 1024)

typedef struct
{
  guint64 requests_sent; /* HTTP requests, batches counting once */
  guint64 retries;       /* attempts after the first, all calls together */
} TallyRpcStats;

typedef struct
{
  TallyAddress address;
  guint8 (*topics)[TALLY_RPC_HASH_LEN];
  guint    n_topics;
  GBytes  *data;
  guint64  block_number;
  guint64  log_index;
  guint8   transaction_hash[TALLY_RPC_HASH_LEN];
  gboolean removed; /* dropped by a reorg */
} TallyRpcLog;

typedef struct
{
  guint8       transaction_hash[TALLY_RPC_HASH_LEN];
  gboolean     success; /* status 0x1 */
  guint64      block_number;
  guint8       block_hash[TALLY_RPC_HASH_LEN];
  guint64      gas_used;
  TallyUint256 effective_gas_price;
  gboolean     has_contract_address;
  TallyAddress contract_address;
  GPtrArray   *logs; /* TallyRpcLog */
} TallyRpcReceipt;

typedef struct
{
  guint64       oldest_block;
  guint         n_blocks;
  TallyUint256 *base_fees; /* n_blocks + 1: the last is the next block's */
  guint         n_percentiles;
  TallyUint256 *rewards; /* n_blocks x n_percentiles, row by block; NULL without percentiles */
} TallyRpcFeeHistory;

typedef struct
{
  gboolean     has_address;
  TallyAddress address;
  /* Up to four positions; a position with has_topic FALSE matches anything. */
  guint    n_topics;
  gboolean has_topic[4];
  guint8   topics[4][TALLY_RPC_HASH_LEN];
  guint64  from_block; /* or TALLY_RPC_BLOCK_LATEST */
  guint64  to_block;
} TallyRpcLogFilter;

void tally_rpc_log_free (TallyRpcLog *log);
void tally_rpc_receipt_free (TallyRpcReceipt *receipt);
void tally_rpc_fee_history_free (TallyRpcFeeHistory *history);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TallyRpcLog, tally_rpc_log_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TallyRpcReceipt, tally_rpc_receipt_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TallyRpcFeeHistory, tally_rpc_fee_history_free)

/* Strict readers of reply values, also for batch results. `what` names the
 * value in the error (e.g. "eth_getBalance result"). Quantities are "0x"
 * and 1 to 64 hex digits; data is "0x" and an even number of hex digits. */
gboolean tally_rpc_parse_quantity (JsonNode   *node,
                                   const char *what,
                                   guint64    *out,
                                   GError    **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_rpc_parse_uint256 (JsonNode     *node,
                                  const char   *what,
                                  TallyUint256 *out,
                                  GError      **error) G_GNUC_WARN_UNUSED_RESULT;
GBytes  *tally_rpc_parse_data (JsonNode   *node,
                               const char *what,
                               GError    **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_rpc_parse_hash (JsonNode   *node,
                               const char *what,
                               guint8      out[TALLY_RPC_HASH_LEN],
                               GError    **error) G_GNUC_WARN_UNUSED_RESULT;

/* A set of calls sent in one HTTP request. */
typedef struct _TallyRpcBatch TallyRpcBatch;

TallyRpcBatch *tally_rpc_batch_new (void);
TallyRpcBatch *tally_rpc_batch_ref (TallyRpcBatch *batch);
void           tally_rpc_batch_unref (TallyRpcBatch *batch);
/* Takes params (a JSON array, or NULL for none); returns the call's index. */
guint tally_rpc_batch_add (TallyRpcBatch *batch,
                           const char    *method,
                           JsonNode      *params);
guint tally_rpc_batch_get_size (TallyRpcBatch *batch);
/* After tally_rpc_client_batch_finish() succeeded: the call's result (may be
 * a JSON null), or its own error (RPC, RATE_LIMITED). */
JsonNode *tally_rpc_batch_dup_result (TallyRpcBatch *batch,
                                      guint          index,
                                      GError       **error) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TallyRpcBatch, tally_rpc_batch_unref)

#define TALLY_TYPE_RPC_CLIENT (tally_rpc_client_get_type ())

G_DECLARE_FINAL_TYPE (TallyRpcClient, tally_rpc_client, TALLY, RPC_CLIENT, GObject)

TallyRpcClient *tally_rpc_client_new (const char *url);

const char *tally_rpc_client_get_url (TallyRpcClient *self);
/* Later calls go to the new endpoint; calls under way finish on the old one. */
void  tally_rpc_client_set_url (TallyRpcClient *self,
                                const char     *url);
guint tally_rpc_client_get_timeout (TallyRpcClient *self);
/* Milliseconds for a whole call, retries included. */
void  tally_rpc_client_set_timeout (TallyRpcClient *self,
                                    guint           timeout_ms);
guint tally_rpc_client_get_max_attempts (TallyRpcClient *self);
void  tally_rpc_client_set_max_attempts (TallyRpcClient *self,
                                         guint           max_attempts);
guint tally_rpc_client_get_retry_delay (TallyRpcClient *self);
/* The first backoff in milliseconds; it doubles with each retry. */
void    tally_rpc_client_set_retry_delay (TallyRpcClient *self,
                                          guint           delay_ms);
guint64 tally_rpc_client_get_max_reply_size (TallyRpcClient *self);
void    tally_rpc_client_set_max_reply_size (TallyRpcClient *self,
                                             guint64         max_bytes);
void    tally_rpc_client_get_stats (TallyRpcClient *self,
                                    TallyRpcStats  *stats);

/* Any method. params is a JSON array or NULL (taken); timeout_ms 0 is the
 * client's "timeout". */
void      tally_rpc_client_call_async (TallyRpcClient     *self,
                                       const char         *method,
                                       JsonNode           *params,
                                       guint               timeout_ms,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data);
JsonNode *tally_rpc_client_call_finish (TallyRpcClient *self,
                                        GAsyncResult   *result,
                                        GError        **error) G_GNUC_WARN_UNUSED_RESULT;
/* As call_finish; on a JSON-RPC error also gives its code and its "data"
 * member (revert data, for instance), when there is one. */
JsonNode *tally_rpc_client_call_finish_full (TallyRpcClient *self,
                                             GAsyncResult   *result,
                                             gint64         *rpc_code,
                                             JsonNode      **rpc_data,
                                             GError        **error) G_GNUC_WARN_UNUSED_RESULT;

void tally_rpc_client_batch_async (TallyRpcClient     *self,
                                   TallyRpcBatch      *batch,
                                   guint               timeout_ms,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data);
/* FALSE when the request as a whole failed; per-call errors are read with
 * tally_rpc_batch_dup_result(). */
gboolean tally_rpc_client_batch_finish (TallyRpcClient *self,
                                        GAsyncResult   *result,
                                        GError        **error) G_GNUC_WARN_UNUSED_RESULT;

void     tally_rpc_client_chain_id_async (TallyRpcClient     *self,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
gboolean tally_rpc_client_chain_id_finish (TallyRpcClient *self,
                                           GAsyncResult   *result,
                                           guint64        *chain_id,
                                           GError        **error) G_GNUC_WARN_UNUSED_RESULT;
/* Fails with TALLY_CORE_ERROR_CHAIN_MISMATCH when the node serves another chain. */
void     tally_rpc_client_check_chain_id_async (TallyRpcClient     *self,
                                                guint64             expected,
                                                GCancellable       *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer            user_data);
gboolean tally_rpc_client_check_chain_id_finish (TallyRpcClient *self,
                                                 GAsyncResult   *result,
                                                 GError        **error) G_GNUC_WARN_UNUSED_RESULT;

void     tally_rpc_client_block_number_async (TallyRpcClient     *self,
                                              GCancellable       *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data);
gboolean tally_rpc_client_block_number_finish (TallyRpcClient *self,
                                               GAsyncResult   *result,
                                               guint64        *block_number,
                                               GError        **error) G_GNUC_WARN_UNUSED_RESULT;

/* The chain's clock: eth_getBlockByNumber("latest")'s timestamp, in
 * seconds. A reply without a block or its timestamp is
 * TALLY_CORE_ERROR_MALFORMED_REPLY. */
void     tally_rpc_client_latest_timestamp_async (TallyRpcClient     *self,
                                                  GCancellable       *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer            user_data);
gboolean tally_rpc_client_latest_timestamp_finish (TallyRpcClient *self,
                                                   GAsyncResult   *result,
                                                   guint64        *timestamp,
                                                   GError        **error) G_GNUC_WARN_UNUSED_RESULT;

/* block: "latest", "pending", "safe", "finalized" or a 0x quantity; NULL is "latest". */
void     tally_rpc_client_get_balance_async (TallyRpcClient     *self,
                                             const TallyAddress *address,
                                             const char         *block,
                                             GCancellable       *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data);
gboolean tally_rpc_client_get_balance_finish (TallyRpcClient *self,
                                              GAsyncResult   *result,
                                              TallyUint256   *balance,
                                              GError        **error) G_GNUC_WARN_UNUSED_RESULT;

void     tally_rpc_client_get_transaction_count_async (TallyRpcClient     *self,
                                                       const TallyAddress *address,
                                                       const char         *block,
                                                       GCancellable       *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer            user_data);
gboolean tally_rpc_client_get_transaction_count_finish (TallyRpcClient *self,
                                                        GAsyncResult   *result,
                                                        guint64        *nonce,
                                                        GError        **error) G_GNUC_WARN_UNUSED_RESULT;

/* from may be NULL; data may be NULL. */
void tally_rpc_client_eth_call_async (TallyRpcClient     *self,
                                      const TallyAddress *from,
                                      const TallyAddress *to,
                                      GBytes             *data,
                                      const char         *block,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
/* On a revert, *revert_data (if not NULL) gets the node's revert data, when
 * it sent any: the ABI-encoded custom error or Error(string). */
GBytes *tally_rpc_client_eth_call_finish (TallyRpcClient *self,
                                          GAsyncResult   *result,
                                          GBytes        **revert_data,
                                          GError        **error) G_GNUC_WARN_UNUSED_RESULT;

/* to NULL: contract creation. value and data may be NULL. */
void     tally_rpc_client_estimate_gas_async (TallyRpcClient     *self,
                                              const TallyAddress *from,
                                              const TallyAddress *to,
                                              const TallyUint256 *value,
                                              GBytes             *data,
                                              GCancellable       *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data);
gboolean tally_rpc_client_estimate_gas_finish (TallyRpcClient *self,
                                               GAsyncResult   *result,
                                               guint64        *gas,
                                               GBytes        **revert_data,
                                               GError        **error) G_GNUC_WARN_UNUSED_RESULT;

/* The node's hash must be keccak-256 of raw, or the reply is refused. */
void     tally_rpc_client_send_raw_transaction_async (TallyRpcClient     *self,
                                                      GBytes             *raw,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
gboolean tally_rpc_client_send_raw_transaction_finish (TallyRpcClient *self,
                                                       GAsyncResult   *result,
                                                       guint8          hash[TALLY_RPC_HASH_LEN],
                                                       GError        **error) G_GNUC_WARN_UNUSED_RESULT;

void tally_rpc_client_get_transaction_receipt_async (TallyRpcClient     *self,
                                                     const guint8        hash[TALLY_RPC_HASH_LEN],
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
/* TRUE with *receipt NULL while the transaction is not mined. */
gboolean tally_rpc_client_get_transaction_receipt_finish (TallyRpcClient   *self,
                                                          GAsyncResult     *result,
                                                          TallyRpcReceipt **receipt,
                                                          GError          **error)
  G_GNUC_WARN_UNUSED_RESULT;

/* newest_block NULL is "latest"; percentiles may be NULL when n_percentiles is 0. */
void                tally_rpc_client_fee_history_async (TallyRpcClient     *self,
                                                        guint               block_count,
                                                        const char         *newest_block,
                                                        const double       *percentiles,
                                                        guint               n_percentiles,
                                                        GCancellable       *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer            user_data);
TallyRpcFeeHistory *tally_rpc_client_fee_history_finish (TallyRpcClient *self,
                                                         GAsyncResult   *result,
                                                         GError        **error) G_GNUC_WARN_UNUSED_RESULT;

void tally_rpc_client_get_logs_async (TallyRpcClient          *self,
                                      const TallyRpcLogFilter *filter,
                                      GCancellable            *cancellable,
                                      GAsyncReadyCallback      callback,
                                      gpointer                 user_data);
/* TallyRpcLog elements. */
GPtrArray *tally_rpc_client_get_logs_finish (TallyRpcClient *self,
                                             GAsyncResult   *result,
                                             GError        **error) G_GNUC_WARN_UNUSED_RESULT;

/* Starts ::new-head (a guint64 block number, each higher than the last):
 * over an eth_subscribe("newHeads") WebSocket at the URL's ws:// or wss://
 * form when the endpoint offers one (anvil and most nodes do, on the same
 * port), otherwise by polling eth_blockNumber every poll_interval_ms. */
void tally_rpc_client_watch_heads (TallyRpcClient *self,
                                   guint           poll_interval_ms);
void tally_rpc_client_unwatch_heads (TallyRpcClient *self);
/* TRUE once the WebSocket subscription is live, FALSE while polling. */
gboolean tally_rpc_client_get_heads_over_websocket (TallyRpcClient *self);

G_END_DECLS
