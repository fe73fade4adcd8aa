/* price-source-http-call.c: one quote from TallyPriceSourceHttp: the
 * cache, the GET with its timeout, retries after HTTP 429 (Retry-After or
 * backoff), and the body read up to a size limit for price-reply.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "core-error.h"
#include "price-reply.h"
#include "price-source-http-private.h"

#define READ_CHUNK        8192
#define BACKOFF_BASE_SECS 1
#define HTTP_TOO_MANY     429 /* libsoup 3.2 has no name for it */

typedef struct
{
  char         *currency;
  char         *url;
  char         *source;
  GCancellable *cancellable; /* ours: cancelled by the caller's or by a timeout */
  gulong        forward_id;
  GSource      *timeout_source;
  GSource      *wait_source;
  GSource      *wait_cancel_source;
  SoupMessage  *message;
  GInputStream *stream;
  GByteArray   *body;
  guint         attempt;
  gboolean      timed_out;
} Request;

static void
request_clear_sources (Request *request)
{
  if (request->timeout_source != NULL)
    g_source_destroy (request->timeout_source);
  g_clear_pointer (&request->timeout_source, g_source_unref);
  if (request->wait_source != NULL)
    g_source_destroy (request->wait_source);
  g_clear_pointer (&request->wait_source, g_source_unref);
  if (request->wait_cancel_source != NULL)
    g_source_destroy (request->wait_cancel_source);
  g_clear_pointer (&request->wait_cancel_source, g_source_unref);
}

static void
request_free (gpointer data)
{
  Request *request = data;

  request_clear_sources (request);
  g_free (request->currency);
  g_free (request->url);
  g_free (request->source);
  g_clear_object (&request->cancellable);
  g_clear_object (&request->message);
  g_clear_object (&request->stream);
  g_clear_pointer (&request->body, g_byte_array_unref);
  g_free (request);
}

static void
forward_cancel (GCancellable *caller,
                gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

/* Every way out goes through here, so no timer outlives the call. */
static void
request_return (GTask           *task,
                TallyPriceQuote *quote,
                GError          *error)
{
  Request *request = g_task_get_task_data (task);

  request_clear_sources (request);
  if (request->forward_id != 0)
    g_cancellable_disconnect (g_task_get_cancellable (task), request->forward_id);
  request->forward_id = 0;

  if (quote != NULL)
    g_task_return_pointer (task, quote, (GDestroyNotify) tally_price_quote_unref);
  else
    g_task_return_error (task, error);
}

/* A failed I/O step: the caller's cancellation, our timeout, or the network. */
static void
request_return_io_error (GTask  *task,
                         GError *error)
{
  Request *request = g_task_get_task_data (task);
  g_autoptr (GError) owned = error;

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    request_return (task, NULL,
                    g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                         "The price request was cancelled"));
  else if (request->timed_out || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    request_return (task, NULL,
                    g_error_new (TALLY_CORE_ERROR, TALLY_CORE_ERROR_TIMED_OUT,
                                 "The price server at %s did not answer in time",
                                 request->source));
  else
    request_return (task, NULL,
                    g_error_new (TALLY_CORE_ERROR, TALLY_CORE_ERROR_NETWORK,
                                 "Could not reach the price server at %s: %s", request->source,
                                 error->message));
}

static gboolean
on_timeout (gpointer user_data)
{
  GTask   *task = user_data;
  Request *request = g_task_get_task_data (task);

  request->timed_out = TRUE;
  g_clear_pointer (&request->timeout_source, g_source_unref);
  g_cancellable_cancel (request->cancellable);
  return G_SOURCE_REMOVE;
}

static void start_attempt (GTask *task);

static void
on_read (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  TallyPriceSourceHttp *self = g_task_get_source_object (task);
  Request              *request = g_task_get_task_data (task);
  g_autoptr (GBytes) chunk = NULL;
  g_autoptr (GDateTime) now = NULL;
  GError          *error = NULL;
  TallyPriceQuote *quote;
  CacheEntry      *entry;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (chunk == NULL)
    {
      request_return_io_error (task, error);
      return;
    }

  if (g_bytes_get_size (chunk) > 0)
    {
      if (request->body->len + g_bytes_get_size (chunk) > TALLY_PRICE_REPLY_MAX_SIZE)
        {
          request_return (task, NULL,
                          g_error_new (TALLY_CORE_ERROR, TALLY_CORE_ERROR_TOO_LARGE,
                                       "The price server at %s sent more than %u bytes",
                                       request->source, (guint) TALLY_PRICE_REPLY_MAX_SIZE));
          return;
        }
      g_byte_array_append (request->body, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
      g_input_stream_read_bytes_async (request->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                       request->cancellable, on_read, g_steal_pointer (&task));
      return;
    }

  now = g_date_time_new_now_utc ();
  quote = tally_price_reply_parse ((const char *) request->body->data, request->body->len,
                                   self->token_id, self->eth_id, request->currency,
                                   request->source, now, &error);
  if (quote == NULL)
    {
      request_return (task, NULL, error);
      return;
    }

  entry = g_new0 (CacheEntry, 1);
  entry->quote = tally_price_quote_ref (quote);
  entry->received = g_get_monotonic_time ();
  g_hash_table_replace (self->cache, g_strdup (request->currency), entry);
  request_return (task, quote, NULL);
}

static gboolean
on_wait_over (gpointer user_data)
{
  GTask   *task = user_data;
  Request *request = g_task_get_task_data (task);

  g_clear_pointer (&request->wait_source, g_source_unref);
  request_clear_sources (request);
  start_attempt (task);
  return G_SOURCE_REMOVE;
}

static gboolean
on_wait_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  g_autoptr (GTask) task = user_data; /* the reference the wait held */
  Request *request = g_task_get_task_data (task);

  g_clear_pointer (&request->wait_cancel_source, g_source_unref);
  request_return_io_error (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, ""));
  return G_SOURCE_REMOVE;
}

/* Seconds the server asks us to wait: Retry-After is either seconds or an
 * HTTP date. -1 when absent or unreadable. */
static gint64
retry_after_seconds (SoupMessage *message)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (message);
  const char         *value = soup_message_headers_get_one (headers, "Retry-After");
  g_autofree char    *trimmed = NULL;
  guint64             seconds;

  if (value == NULL)
    return -1;
  trimmed = g_strstrip (g_strdup (value));
  if (g_ascii_string_to_unsigned (trimmed, 10, 0, G_MAXINT32, &seconds, NULL))
    return (gint64) seconds;

  {
    g_autoptr (GDateTime) when = soup_date_time_new_from_http_string (value);
    g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

    if (when == NULL)
      return -1;
    return MAX (0, g_date_time_difference (when, now) / G_TIME_SPAN_SECOND);
  }
}

static void
handle_rate_limit (GTask *task)
{
  TallyPriceSourceHttp *self = g_task_get_source_object (task);
  Request              *request = g_task_get_task_data (task);
  gint64                delay = retry_after_seconds (request->message);

  if (delay < 0)
    delay = (gint64) BACKOFF_BASE_SECS << MIN (request->attempt - 1, 16u);

  if (request->attempt >= self->max_attempts)
    {
      request_return (task, NULL,
                      g_error_new (TALLY_CORE_ERROR, TALLY_CORE_ERROR_RATE_LIMITED,
                                   "The price server at %s is still refusing requests (HTTP 429) "
                                   "after %u attempts",
                                   request->source, request->attempt));
      return;
    }
  if (delay > self->max_retry_delay)
    {
      request_return (task, NULL,
                      g_error_new (TALLY_CORE_ERROR, TALLY_CORE_ERROR_RATE_LIMITED,
                                   "The price server at %s asks to wait %" G_GINT64_FORMAT
                                   " s before the next request",
                                   request->source, delay));
      return;
    }

  g_debug ("Price server rate-limited attempt %u, waiting %" G_GINT64_FORMAT " s",
           request->attempt, delay);
  request_clear_sources (request);
  request->wait_source = g_timeout_source_new ((guint) delay * 1000);
  g_source_set_callback (request->wait_source, on_wait_over, task, NULL);
  g_source_attach (request->wait_source, g_task_get_context (task));
  request->wait_cancel_source = g_cancellable_source_new (request->cancellable);
  g_source_set_callback (request->wait_cancel_source, G_SOURCE_FUNC (on_wait_cancelled), task,
                         NULL);
  g_source_attach (request->wait_cancel_source, g_task_get_context (task));
}

static void
on_sent (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  GError  *error = NULL;
  guint    status;
  goffset  length;

  request->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (request->stream == NULL)
    {
      request_return_io_error (task, error);
      return;
    }

  status = soup_message_get_status (request->message);
  if (status == HTTP_TOO_MANY)
    {
      g_clear_object (&request->stream);
      /* The wait's sources hold the only reference now. */
      handle_rate_limit (task);
      if (request->wait_source != NULL)
        g_steal_pointer (&task);
      return;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      const char *reason = soup_message_get_reason_phrase (request->message);

      request_return (task, NULL,
                      g_error_new (TALLY_CORE_ERROR, TALLY_CORE_ERROR_HTTP,
                                   "The price server at %s answered HTTP %u %s", request->source,
                                   status, reason != NULL ? reason : ""));
      return;
    }

  length = soup_message_headers_get_content_length (
    soup_message_get_response_headers (request->message));
  if (length > TALLY_PRICE_REPLY_MAX_SIZE)
    {
      request_return (task, NULL,
                      g_error_new (TALLY_CORE_ERROR, TALLY_CORE_ERROR_TOO_LARGE,
                                   "The price server at %s announced a reply of %" G_GOFFSET_FORMAT
                                   " bytes, more than %u",
                                   request->source, length, (guint) TALLY_PRICE_REPLY_MAX_SIZE));
      return;
    }

  g_input_stream_read_bytes_async (request->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   request->cancellable, on_read, g_steal_pointer (&task));
}

static void
start_attempt (GTask *task)
{
  TallyPriceSourceHttp *self = g_task_get_source_object (task);
  Request              *request = g_task_get_task_data (task);

  request->attempt++;
  g_clear_object (&request->message);
  g_clear_pointer (&request->body, g_byte_array_unref);
  request->body = g_byte_array_new ();
  request->message = soup_message_new (SOUP_METHOD_GET, request->url);
  g_assert (request->message != NULL); /* the URL was checked before */
  soup_message_headers_replace (soup_message_get_request_headers (request->message), "Accept",
                                "application/json");

  request->timeout_source = g_timeout_source_new (self->timeout * 1000);
  g_source_set_callback (request->timeout_source, on_timeout, task, NULL);
  g_source_attach (request->timeout_source, g_task_get_context (task));

  soup_session_send_async (self->session, request->message, G_PRIORITY_DEFAULT,
                           request->cancellable, on_sent, task);
}

static char *
build_url (TallyPriceSourceHttp *self,
           const char           *currency,
           GError              **error)
{
  g_autoptr (GUri) uri = NULL;
  g_autofree char *token = NULL;
  g_autofree char *eth = NULL;
  g_autofree char *cur = NULL;
  gsize            len;

  uri = self->base_url ? g_uri_parse (self->base_url, G_URI_FLAGS_NONE, NULL) : NULL;
  if (uri == NULL || self->token_id == NULL || self->token_id[0] == '\0' ||
      (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
       g_strcmp0 (g_uri_get_scheme (uri), "https") != 0))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE,
                   "The price server address “%s” is not an http or https URL with a token id",
                   self->base_url ? self->base_url : "");
      return NULL;
    }

  token = g_uri_escape_string (self->token_id, NULL, FALSE);
  eth = g_uri_escape_string (self->eth_id, NULL, FALSE);
  cur = g_uri_escape_string (currency, NULL, FALSE);
  len = strlen (self->base_url);
  while (len > 0 && self->base_url[len - 1] == '/')
    len--;

  return g_strdup_printf ("%.*s/simple/price?ids=%s%s%s&vs_currencies=%s"
                          "&include_24hr_change=true&include_last_updated_at=true",
                          (int) len, self->base_url, token,
                          g_str_equal (token, eth) ? "" : ",",
                          g_str_equal (token, eth) ? "" : eth, cur);
}

void
_tally_price_source_http_get_prices_async (TallyPriceSource   *source,
                                           const char         *currency,
                                           GCancellable       *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer            user_data)
{
  TallyPriceSourceHttp *self = TALLY_PRICE_SOURCE_HTTP (source);
  g_autoptr (GTask) task = NULL;
  g_autofree char *code = g_ascii_strdown (currency, -1);
  GError          *error = NULL;
  CacheEntry      *entry;
  Request         *request;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, _tally_price_source_http_get_prices_async);

  if (g_task_return_error_if_cancelled (task))
    return;

  entry = g_hash_table_lookup (self->cache, code);
  if (entry != NULL && self->cache_ttl > 0 &&
      g_get_monotonic_time () - entry->received < (gint64) self->cache_ttl * G_USEC_PER_SEC)
    {
      g_task_return_pointer (task, tally_price_quote_ref (entry->quote),
                             (GDestroyNotify) tally_price_quote_unref);
      return;
    }

  request = g_new0 (Request, 1);
  g_task_set_task_data (task, request, request_free);
  request->currency = g_steal_pointer (&code);
  request->url = build_url (self, request->currency, &error);
  if (request->url == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  request->source = g_strdup (self->base_url);
  request->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    request->forward_id = g_cancellable_connect (cancellable, G_CALLBACK (forward_cancel),
                                                 g_object_ref (request->cancellable),
                                                 g_object_unref);

  start_attempt (g_steal_pointer (&task));
}

TallyPriceQuote *
_tally_price_source_http_get_prices_finish (TallyPriceSource *source,
                                            GAsyncResult     *result,
                                            GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, source), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                          _tally_price_source_http_get_prices_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
