/* tally-fault-proxy.h: an in-process HTTP proxy for JSON-RPC tests that
 * forwards to a real node and injects the faults it is told to
 *
 * Each HTTP request takes the next queued fault (none: forwarded as is).
 * The proxy counts the JSON-RPC methods it receives, batch elements each,
 * so a test can prove a transaction was sent exactly once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  TALLY_FAULT_NONE,              /* forward */
  TALLY_FAULT_HTTP_500,          /* answer 500 without forwarding */
  TALLY_FAULT_HTTP_429,          /* answer 429; arg: Retry-After seconds, < 0 for none */
  TALLY_FAULT_GARBAGE,           /* answer 200 with a body that is not JSON */
  TALLY_FAULT_TRUNCATE,          /* forward, send half the reply and close */
  TALLY_FAULT_STALL,             /* forward, answer after arg milliseconds */
  TALLY_FAULT_DROP,              /* close the connection without answering or forwarding */
  TALLY_FAULT_CHAIN_ID,          /* answer eth_chainId with chain arg */
  TALLY_FAULT_BATCH_ELEMENT_429, /* forward a batch, replace its first element with a 429 error */
  TALLY_FAULT_OVERSIZE,          /* answer 200 with a JSON body of arg bytes, Content-Length set */
  TALLY_FAULT_OVERSIZE_CHUNKED,  /* the same, chunked, without Content-Length */
  TALLY_FAULT_REWRITE_RESULT,    /* forward, then replace the result (a batch's first) with the JSON text set */
  TALLY_FAULT_RPC_ERROR,         /* answer with a JSON-RPC error: arg the code, the message set */
} TallyFaultKind;

typedef struct _TallyFaultProxy TallyFaultProxy;

TallyFaultProxy *tally_fault_proxy_new (const char *upstream_url,
                                        GError    **error) G_GNUC_WARN_UNUSED_RESULT;
void             tally_fault_proxy_free (TallyFaultProxy *self);

const char *tally_fault_proxy_get_url (TallyFaultProxy *self);
void        tally_fault_proxy_push (TallyFaultProxy *self,
                                    TallyFaultKind   kind,
                                    gint64           arg);
/* For TALLY_FAULT_REWRITE_RESULT: the JSON text to put as "result". */
void tally_fault_proxy_push_result (TallyFaultProxy *self,
                                    const char      *result_json);
/* For TALLY_FAULT_RPC_ERROR. */
void tally_fault_proxy_push_error (TallyFaultProxy *self,
                                   gint64           code,
                                   const char      *message);
/* Drops (as TALLY_FAULT_DROP, without forwarding), whatever the queue
 * says, the request that brings the count of method to nth more than now
 * and every later one with it: a node that never gets it, even when the
 * HTTP stack sends it again on a new connection. */
void  tally_fault_proxy_drop_calls_from (TallyFaultProxy *self,
                                         const char      *method,
                                         guint            nth);
guint tally_fault_proxy_get_pending (TallyFaultProxy *self);
/* JSON-RPC calls of that method received so far (batch elements count each). */
guint tally_fault_proxy_count (TallyFaultProxy *self,
                               const char      *method);
/* HTTP requests received so far. */
guint tally_fault_proxy_get_requests (TallyFaultProxy *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TallyFaultProxy, tally_fault_proxy_free)

G_END_DECLS
