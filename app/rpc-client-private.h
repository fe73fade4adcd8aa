/* rpc-client-private.h: what rpc-client.c and rpc-client-reply.c share, and
 * the reply validator the tests and the fuzz target feed directly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "rpc-client.h"

G_BEGIN_DECLS

/* One JSON-RPC call and, once answered, its outcome: result (a JsonNode,
 * possibly of type NULL) or error. rate_limited marks an error worth a retry. */
typedef struct
{
  char     *method;
  JsonNode *params;
  gint64    id;
  JsonNode *result;
  GError   *error;
  gint64    rpc_code;
  JsonNode *rpc_data;
  gboolean  rate_limited;
} TallyRpcCall;

struct _TallyRpcBatch
{
  gatomicrefcount ref_count;
  GPtrArray      *calls; /* TallyRpcCall */
  gboolean        answered;
};

TallyRpcCall *_tally_rpc_call_new (const char *method,
                                   JsonNode   *params);
void          _tally_rpc_call_free (TallyRpcCall *call);
void          _tally_rpc_call_clear_outcome (TallyRpcCall *call);

/* Validates a reply body to calls (one object, or an array when batch) and
 * stores each call's outcome. FALSE, with a MALFORMED_REPLY error naming the
 * method, when the body as a whole cannot be trusted: not JSON, a broken
 * envelope, an unknown, missing or repeated id. */
gboolean _tally_rpc_reply_dispatch (TallyRpcCall **calls,
                                    guint          n_calls,
                                    gboolean       batch,
                                    const char    *body,
                                    gsize          body_len,
                                    GError       **error) G_GNUC_WARN_UNUSED_RESULT;

gboolean _tally_rpc_parse_receipt (JsonNode         *node,
                                   TallyRpcReceipt **receipt,
                                   GError          **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean _tally_rpc_parse_logs (JsonNode   *node,
                                const char *what,
                                GPtrArray **logs,
                                GError    **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean _tally_rpc_parse_fee_history (JsonNode            *node,
                                       guint                n_percentiles,
                                       TallyRpcFeeHistory **history,
                                       GError             **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean _tally_rpc_parse_address (JsonNode     *node,
                                   const char   *what,
                                   TallyAddress *out,
                                   GError      **error) G_GNUC_WARN_UNUSED_RESULT;

/* The params of the typed calls, for batches that hold the same calls. */
JsonNode *_tally_rpc_account_params (const TallyAddress *address,
                                     const char         *block);
JsonNode *_tally_rpc_estimate_gas_params (const TallyAddress *from,
                                          const TallyAddress *to,
                                          const TallyUint256 *value,
                                          GBytes             *data);
JsonNode *_tally_rpc_fee_history_params (guint         block_count,
                                         const char   *newest_block,
                                         const double *percentiles,
                                         guint         n_percentiles);
/* The revert bytes in a JSON-RPC error's "data", or NULL when it holds none. */
GBytes *_tally_rpc_revert_data (JsonNode *rpc_data);
/* After tally_rpc_client_batch_finish(): the "data" of the call's JSON-RPC
 * error, or NULL when it has none. */
JsonNode *_tally_rpc_batch_dup_error_data (TallyRpcBatch *batch,
                                           guint          index);

typedef struct _TallyRpcHeads TallyRpcHeads;

#define TALLY_RPC_MAX_BACKOFF_MS 30000

struct _TallyRpcClient
{
  GObject parent_instance;

  char         *url;
  SoupSession  *session; /* for url: direct when loopback */
  guint         timeout_ms;
  guint         max_attempts;
  guint         retry_delay_ms;
  guint64       max_reply_size;
  gint64        next_id;
  TallyRpcStats stats;

  TallyRpcHeads *heads;
  guint          heads_interval_ms;
};

TallyRpcHeads *_tally_rpc_heads_start (TallyRpcClient *client,
                                       guint           poll_interval_ms);
gboolean       _tally_rpc_heads_over_websocket (TallyRpcHeads *heads);
void           _tally_rpc_heads_stop (TallyRpcHeads *heads);

/* SoupSession of the client's current URL. */
gpointer _tally_rpc_client_get_session (TallyRpcClient *self);
void     _tally_rpc_client_emit_new_head (TallyRpcClient *self,
                                          guint64         number);

/* A JSON-RPC error that says "slow down" rather than "no". */
gboolean _tally_rpc_error_is_rate_limit (gint64      code,
                                         const char *message);

G_END_DECLS
