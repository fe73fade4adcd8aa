/* rpc-client-transport.c: how TallyRpcClient sends a call or a batch: one
 * HTTP POST per attempt, a deadline over all attempts, backoff with jitter,
 * Retry-After, a cap on reply size, and no resend of a transaction that may
 * have reached the node
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <libsoup/soup.h>

#include "core-error.h"
#include "rpc-client-private.h"

#define READ_CHUNK            (64 * 1024)
#define MAX_RETRY_AFTER_S     30
#define NON_IDEMPOTENT_METHOD "eth_sendRawTransaction"

/* One HTTP exchange, tried up to max_attempts times, for one call or a batch. */
typedef struct
{
  SoupSession   *session;
  char          *url;
  GPtrArray     *calls; /* TallyRpcCall, owned for a single call */
  TallyRpcBatch *batch;
  gboolean       batch_mode;
  gboolean       non_idempotent;
  char          *label; /* the method, or "a batch starting with METHOD" */
  guint          timeout_ms;
  gint64         deadline_us;
  guint          attempt;

  GCancellable *cancellable; /* ours: the deadline and the caller's cancellable cancel it */
  GCancellable *user_cancellable;
  gulong        user_cancel_id;
  GSource      *deadline_source;
  GSource      *sleep_source;
  GSource      *wake_source;
  gboolean      timed_out;
  gboolean      body_sent;

  SoupMessage  *message;
  GInputStream *stream;
  GByteArray   *body;
  GError       *last_error;
} Request;

static void start_attempt (GTask *task);

static void
request_stop_sources (Request *req)
{
  GSource **sources[] = { &req->deadline_source, &req->sleep_source, &req->wake_source };

  for (gsize i = 0; i < G_N_ELEMENTS (sources); i++)
    if (*sources[i] != NULL)
      {
        g_source_destroy (*sources[i]);
        g_clear_pointer (sources[i], g_source_unref);
      }
  if (req->user_cancel_id != 0)
    {
      g_cancellable_disconnect (req->user_cancellable, req->user_cancel_id);
      req->user_cancel_id = 0;
    }
}

static void
request_free (Request *req)
{
  request_stop_sources (req);
  g_clear_object (&req->session);
  g_free (req->url);
  g_clear_pointer (&req->calls, g_ptr_array_unref);
  g_clear_pointer (&req->batch, tally_rpc_batch_unref);
  g_free (req->label);
  g_clear_object (&req->cancellable);
  g_clear_object (&req->user_cancellable);
  g_clear_object (&req->message);
  g_clear_object (&req->stream);
  g_clear_pointer (&req->body, g_byte_array_unref);
  g_clear_error (&req->last_error);
  g_free (req);
}

static void
finish_with_error (GTask  *task,
                   GError *error)
{
  Request *req = g_task_get_task_data (task);

  request_stop_sources (req);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
finish_answered (GTask *task)
{
  Request      *req = g_task_get_task_data (task);
  TallyRpcCall *call = g_ptr_array_index (req->calls, 0);

  request_stop_sources (req);
  if (!req->batch_mode && call->error != NULL)
    g_task_return_error (task, g_error_copy (call->error));
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static guint
backoff_ms (TallyRpcClient *self,
            guint           attempt)
{
  guint64 delay = self->retry_delay_ms;

  for (guint i = 1; i < attempt && delay < TALLY_RPC_MAX_BACKOFF_MS; i++)
    delay *= 2;
  delay = MIN (delay, TALLY_RPC_MAX_BACKOFF_MS);
  /* Jitter spreads out clients that failed together. */
  return (guint) delay + (delay > 1 ? g_random_int_range (0, (gint32) (delay / 2) + 1) : 0);
}

static gboolean
on_wake (gpointer user_data)
{
  GTask   *task = user_data;
  Request *req = g_task_get_task_data (task);

  g_source_destroy (req->sleep_source);
  g_clear_pointer (&req->sleep_source, g_source_unref);
  g_source_destroy (req->wake_source);
  g_clear_pointer (&req->wake_source, g_source_unref);
  start_attempt (task);
  return G_SOURCE_REMOVE;
}

/* error is taken. retryable: worth another attempt, if any is left; hint_ms:
 * the least wait the server asked for. */
static void
fail_attempt (GTask   *task,
              GError  *error,
              gboolean retryable,
              guint    hint_ms)
{
  TallyRpcClient *self = g_task_get_source_object (task);
  Request        *req = g_task_get_task_data (task);
  guint           delay;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && req->timed_out)
    {
      g_clear_error (&error);
      error = g_error_new (TALLY_CORE_ERROR, TALLY_CORE_ERROR_TIMED_OUT,
                           "No answer to %s from %s within %u ms%s%s%s", req->label, req->url,
                           req->timeout_ms,
                           req->non_idempotent && req->body_sent
                             ? ": it may have been accepted, so it was not sent again"
                             : "",
                           req->last_error != NULL ? "; before that: " : "",
                           req->last_error != NULL ? req->last_error->message : "");
      retryable = FALSE;
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    retryable = FALSE;

  if (!retryable || req->attempt >= self->max_attempts)
    {
      finish_with_error (task, error);
      return;
    }

  delay = MAX (hint_ms, backoff_ms (self, req->attempt));
  if (g_get_monotonic_time () + (gint64) delay * 1000 >= req->deadline_us)
    {
      finish_with_error (task, error);
      return;
    }

  g_clear_error (&req->last_error);
  req->last_error = error;
  g_debug ("Retrying %s in %u ms: %s", req->label, delay, error->message);

  req->sleep_source = g_timeout_source_new (delay);
  g_source_set_callback (req->sleep_source, on_wake, task, NULL);
  g_source_attach (req->sleep_source, g_main_context_get_thread_default ());
  req->wake_source = g_cancellable_source_new (req->cancellable);
  g_source_set_callback (req->wake_source, on_wake, task, NULL);
  g_source_attach (req->wake_source, g_main_context_get_thread_default ());
}

static void
fail_network (GTask  *task,
              GError *error)
{
  Request *req = g_task_get_task_data (task);
  GError  *wrapped;

  if (error->domain == TALLY_CORE_ERROR || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      fail_attempt (task, error, !req->non_idempotent || !req->body_sent, 0);
      return;
    }
  wrapped = g_error_new (TALLY_CORE_ERROR, TALLY_CORE_ERROR_NETWORK,
                         "Could not reach %s for %s: %s", req->url, req->label, error->message);
  g_error_free (error);
  /* A transaction whose request was written may have reached the node. */
  fail_attempt (task, wrapped, !req->non_idempotent || !req->body_sent, 0);
}

static void
reply_complete (GTask *task)
{
  TallyRpcClient *self = g_task_get_source_object (task);
  Request        *req = g_task_get_task_data (task);
  g_autoptr (GPtrArray) pending = g_ptr_array_new ();
  GError  *error = NULL;
  gboolean retry = FALSE;

  for (guint i = 0; i < req->calls->len; i++)
    {
      TallyRpcCall *call = g_ptr_array_index (req->calls, i);

      if (call->result == NULL && call->error == NULL)
        g_ptr_array_add (pending, call);
    }

  if (!_tally_rpc_reply_dispatch ((TallyRpcCall **) pending->pdata, pending->len, req->batch_mode,
                                  (const char *) req->body->data, req->body->len, &error))
    {
      finish_with_error (task, error);
      return;
    }

  for (guint i = 0; i < pending->len; i++)
    {
      TallyRpcCall *call = g_ptr_array_index (pending, i);

      if (call->rate_limited && req->attempt < self->max_attempts)
        {
          /* Keep the error until the retry replaces it; only the rate-limited
           * calls of a batch are sent again. */
          g_clear_error (&error);
          error = g_error_copy (call->error);
          retry = TRUE;
        }
    }
  if (!retry)
    {
      finish_answered (task);
      return;
    }
  for (guint i = 0; i < pending->len; i++)
    {
      TallyRpcCall *call = g_ptr_array_index (pending, i);

      if (call->rate_limited)
        _tally_rpc_call_clear_outcome (call);
    }
  fail_attempt (task, error, TRUE, 0);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask          *task = user_data;
  TallyRpcClient *self = g_task_get_source_object (task);
  Request        *req = g_task_get_task_data (task);
  g_autoptr (GBytes) chunk = NULL;
  GError *error = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (chunk == NULL)
    {
      fail_network (task, error);
      return;
    }
  if (g_bytes_get_size (chunk) == 0)
    {
      g_clear_object (&req->stream);
      reply_complete (task);
      return;
    }
  if (req->body->len + g_bytes_get_size (chunk) > self->max_reply_size)
    {
      finish_with_error (task, g_error_new (TALLY_CORE_ERROR, TALLY_CORE_ERROR_TOO_LARGE,
                                            "The reply to %s is larger than %" G_GUINT64_FORMAT
                                            " bytes",
                                            req->label, self->max_reply_size));
      return;
    }
  g_byte_array_append (req->body, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  g_input_stream_read_bytes_async (req->stream, READ_CHUNK, G_PRIORITY_DEFAULT, req->cancellable,
                                   on_read, task);
}

static guint
retry_after_ms (SoupMessage *message)
{
  const char *value = soup_message_headers_get_one (soup_message_get_response_headers (message),
                                                    "Retry-After");
  guint64     seconds = 0;

  if (value == NULL)
    return 0;
  if (g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT64, &seconds, NULL))
    return (guint) MIN (seconds, MAX_RETRY_AFTER_S) * 1000;
  else
    {
      g_autoptr (GDateTime) when = soup_date_time_new_from_http_string (value);
      g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
      GTimeSpan span = when != NULL ? g_date_time_difference (when, now) : 0;

      return (guint) CLAMP (span / 1000, 0, MAX_RETRY_AFTER_S * 1000);
    }
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask          *task = user_data;
  TallyRpcClient *self = g_task_get_source_object (task);
  Request        *req = g_task_get_task_data (task);
  GError         *error = NULL;
  guint           status;
  goffset         length;

  req->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (req->stream == NULL)
    {
      fail_network (task, error);
      return;
    }

  status = soup_message_get_status (req->message);
  if (status == 429)
    {
      fail_attempt (task,
                    g_error_new (TALLY_CORE_ERROR, TALLY_CORE_ERROR_RATE_LIMITED,
                                 "%s refused %s: too many requests (HTTP 429)", req->url,
                                 req->label),
                    TRUE, retry_after_ms (req->message));
      return;
    }
  if (status != SOUP_STATUS_OK)
    {
      /* A server error may pass; any other status will not change. */
      gboolean retryable = status >= 500 && (!req->non_idempotent || !req->body_sent);

      fail_attempt (task,
                    g_error_new (TALLY_CORE_ERROR, TALLY_CORE_ERROR_HTTP,
                                 "%s answered %s with HTTP %u %s", req->url, req->label, status,
                                 soup_message_get_reason_phrase (req->message)),
                    retryable, 0);
      return;
    }

  length = soup_message_headers_get_content_length (soup_message_get_response_headers (req->message));
  if (length > 0 && (guint64) length > self->max_reply_size)
    {
      finish_with_error (task, g_error_new (TALLY_CORE_ERROR, TALLY_CORE_ERROR_TOO_LARGE,
                                            "The reply to %s is larger than %" G_GUINT64_FORMAT
                                            " bytes",
                                            req->label, self->max_reply_size));
      return;
    }

  g_clear_pointer (&req->body, g_byte_array_unref);
  req->body = g_byte_array_new ();
  g_input_stream_read_bytes_async (req->stream, READ_CHUNK, G_PRIORITY_DEFAULT, req->cancellable,
                                   on_read, task);
}

static void
on_wrote_body (SoupMessage *message,
               gpointer     user_data)
{
  Request *req = user_data;

  req->body_sent = TRUE;
}

static GBytes *
build_body (TallyRpcClient *self,
            Request        *req)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (JsonArray) array = json_array_new ();
  char *text;
  gsize len = 0;

  for (guint i = 0; i < req->calls->len; i++)
    {
      TallyRpcCall *call = g_ptr_array_index (req->calls, i);
      JsonObject   *object;

      if (call->result != NULL || call->error != NULL)
        continue;
      /* A fresh id each attempt: a late reply to an earlier one cannot match. */
      call->id = ++self->next_id;
      object = json_object_new ();
      json_object_set_string_member (object, "jsonrpc", "2.0");
      json_object_set_int_member (object, "id", call->id);
      json_object_set_string_member (object, "method", call->method);
      if (call->params != NULL)
        json_object_set_member (object, "params", json_node_copy (call->params));
      else
        json_object_set_array_member (object, "params", json_array_new ());
      json_array_add_object_element (array, object);
    }

  if (req->batch_mode)
    root = json_node_init_array (json_node_alloc (), array);
  else
    root = json_node_copy (json_array_get_element (array, 0));
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &len);
  return g_bytes_new_take (text, len);
}

static void
start_attempt (GTask *task)
{
  TallyRpcClient *self = g_task_get_source_object (task);
  Request        *req = g_task_get_task_data (task);
  g_autoptr (GBytes) body = NULL;

  if (g_cancellable_is_cancelled (req->cancellable))
    {
      /* Cancelled or out of time while waiting to retry. */
      fail_attempt (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled"),
                    FALSE, 0);
      return;
    }

  req->attempt++;
  if (req->attempt > 1)
    self->stats.retries++;
  self->stats.requests_sent++;

  g_clear_object (&req->message);
  g_clear_object (&req->stream);
  req->body_sent = FALSE;
  req->message = soup_message_new (SOUP_METHOD_POST, req->url);
  if (req->message == NULL)
    {
      finish_with_error (task, g_error_new (TALLY_CORE_ERROR, TALLY_CORE_ERROR_NETWORK,
                                            "“%s” is not an HTTP URL, so %s cannot be sent",
                                            req->url, req->label));
      return;
    }
  body = build_body (self, req);
  soup_message_set_request_body_from_bytes (req->message, "application/json", body);
  soup_message_headers_replace (soup_message_get_request_headers (req->message), "Accept",
                                "application/json");
  g_signal_connect (req->message, "wrote-body", G_CALLBACK (on_wrote_body), req);
  soup_session_send_async (req->session, req->message, G_PRIORITY_DEFAULT, req->cancellable,
                           on_sent, task);
}

static gboolean
on_deadline (gpointer user_data)
{
  Request *req = user_data;

  req->timed_out = TRUE;
  g_clear_pointer (&req->deadline_source, g_source_unref);
  g_cancellable_cancel (req->cancellable);
  return G_SOURCE_REMOVE;
}

static void
on_user_cancelled (GCancellable *user_cancellable,
                   gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static void
request_start (TallyRpcClient     *self,
               GPtrArray          *calls,
               TallyRpcBatch      *batch,
               guint               timeout_ms,
               GCancellable       *cancellable,
               gpointer            source_tag,
               GAsyncReadyCallback callback,
               gpointer            user_data)
{
  GTask        *task = g_task_new (self, cancellable, callback, user_data);
  Request      *req = g_new0 (Request, 1);
  TallyRpcCall *first = g_ptr_array_index (calls, 0);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, req, (GDestroyNotify) request_free);

  req->session = g_object_ref (self->session);
  req->url = g_strdup (self->url);
  req->calls = calls;
  req->batch = batch != NULL ? tally_rpc_batch_ref (batch) : NULL;
  req->batch_mode = batch != NULL;
  req->label = batch != NULL ? g_strdup_printf ("a batch starting with %s", first->method)
                             : g_strdup (first->method);
  for (guint i = 0; i < calls->len; i++)
    if (g_strcmp0 (((TallyRpcCall *) g_ptr_array_index (calls, i))->method,
                   NON_IDEMPOTENT_METHOD) == 0)
      req->non_idempotent = TRUE;

  req->timeout_ms = timeout_ms != 0 ? timeout_ms : self->timeout_ms;
  req->deadline_us = g_get_monotonic_time () + (gint64) req->timeout_ms * 1000;
  req->cancellable = g_cancellable_new ();
  req->deadline_source = g_timeout_source_new (req->timeout_ms);
  g_source_set_callback (req->deadline_source, on_deadline, req, NULL);
  g_source_attach (req->deadline_source, g_main_context_get_thread_default ());
  if (cancellable != NULL)
    {
      req->user_cancellable = g_object_ref (cancellable);
      req->user_cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_user_cancelled),
                                                   g_object_ref (req->cancellable),
                                                   g_object_unref);
    }

  start_attempt (task);
}

void
tally_rpc_client_call_async (TallyRpcClient     *self,
                             const char         *method,
                             JsonNode           *params,
                             guint               timeout_ms,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  GPtrArray *calls;

  g_return_if_fail (TALLY_IS_RPC_CLIENT (self));
  g_return_if_fail (self->url != NULL);
  g_return_if_fail (method != NULL);
  g_return_if_fail (params == NULL || JSON_NODE_HOLDS_ARRAY (params));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  calls = g_ptr_array_new_with_free_func ((GDestroyNotify) _tally_rpc_call_free);
  g_ptr_array_add (calls, _tally_rpc_call_new (method, params));
  request_start (self, calls, NULL, timeout_ms, cancellable, tally_rpc_client_call_async,
                 callback, user_data);
}

JsonNode *
tally_rpc_client_call_finish_full (TallyRpcClient *self,
                                   GAsyncResult   *result,
                                   gint64         *rpc_code,
                                   JsonNode      **rpc_data,
                                   GError        **error)
{
  Request      *req;
  TallyRpcCall *call;

  g_return_val_if_fail (TALLY_IS_RPC_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tally_rpc_client_call_async, NULL);

  req = g_task_get_task_data (G_TASK (result));
  call = g_ptr_array_index (req->calls, 0);
  if (rpc_code != NULL)
    *rpc_code = call->result == NULL && call->error != NULL ? call->rpc_code : 0;
  if (rpc_data != NULL)
    *rpc_data = call->result == NULL && call->rpc_data != NULL ? json_node_copy (call->rpc_data)
                                                               : NULL;
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  return json_node_copy (call->result);
}

JsonNode *
tally_rpc_client_call_finish (TallyRpcClient *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  return tally_rpc_client_call_finish_full (self, result, NULL, NULL, error);
}

void
tally_rpc_client_batch_async (TallyRpcClient     *self,
                              TallyRpcBatch      *batch,
                              guint               timeout_ms,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_return_if_fail (TALLY_IS_RPC_CLIENT (self));
  g_return_if_fail (self->url != NULL);
  g_return_if_fail (batch != NULL && batch->calls->len > 0);

  for (guint i = 0; i < batch->calls->len; i++)
    _tally_rpc_call_clear_outcome (g_ptr_array_index (batch->calls, i));
  batch->answered = FALSE;
  request_start (self, g_ptr_array_ref (batch->calls), batch, timeout_ms, cancellable,
                 tally_rpc_client_batch_async, callback, user_data);
}

gboolean
tally_rpc_client_batch_finish (TallyRpcClient *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  Request *req;

  g_return_val_if_fail (TALLY_IS_RPC_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tally_rpc_client_batch_async, FALSE);

  req = g_task_get_task_data (G_TASK (result));
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  req->batch->answered = TRUE;
  return TRUE;
}
