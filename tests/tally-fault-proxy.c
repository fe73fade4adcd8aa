/* tally-fault-proxy.c: an in-process HTTP proxy for JSON-RPC tests that
 * forwards to a real node and injects the faults it is told to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "tally-fault-proxy.h"

typedef struct
{
  TallyFaultKind kind;
  gint64         arg;
  char          *result_json;
} Fault;

struct _TallyFaultProxy
{
  SoupServer  *server;
  SoupSession *session;
  char        *url;
  char        *upstream_url;
  GQueue       faults; /* Fault */
  GHashTable  *counts; /* method → count */
  guint        requests;
  GPtrArray   *pending;     /* Exchange: forwarded requests not answered yet */
  char        *drop_method; /* drop the requests that make its count drop_at or more */
  guint        drop_at;
};

/* A request held while its upstream answer (and any stall) is awaited. */
typedef struct
{
  TallyFaultProxy   *proxy;
  SoupServerMessage *message;
  Fault             *fault;
  GBytes            *reply;
  guint              stall_id;
  GCancellable      *cancellable;
} Exchange;

static void
fault_free (Fault *fault)
{
  g_free (fault->result_json);
  g_free (fault);
}

static void
exchange_free (Exchange *exchange)
{
  g_clear_handle_id (&exchange->stall_id, g_source_remove);
  g_clear_object (&exchange->message);
  g_clear_pointer (&exchange->fault, fault_free);
  g_clear_pointer (&exchange->reply, g_bytes_unref);
  g_clear_object (&exchange->cancellable);
  g_free (exchange);
}

static void
count_methods (TallyFaultProxy *self,
               GBytes          *body)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  gsize       len = 0;
  const char *data = g_bytes_get_data (body, &len);
  JsonNode   *root;
  GPtrArray  *objects = g_ptr_array_new ();

  if (json_parser_load_from_data (parser, data, len, NULL) &&
      (root = json_parser_get_root (parser)) != NULL)
    {
      if (JSON_NODE_HOLDS_OBJECT (root))
        g_ptr_array_add (objects, json_node_get_object (root));
      else if (JSON_NODE_HOLDS_ARRAY (root))
        for (guint i = 0; i < json_array_get_length (json_node_get_array (root)); i++)
          {
            JsonNode *element = json_array_get_element (json_node_get_array (root), i);

            if (JSON_NODE_HOLDS_OBJECT (element))
              g_ptr_array_add (objects, json_node_get_object (element));
          }
    }
  for (guint i = 0; i < objects->len; i++)
    {
      const char *method = json_object_get_string_member_with_default (objects->pdata[i],
                                                                       "method", "");
      guint       n = GPOINTER_TO_UINT (g_hash_table_lookup (self->counts, method));

      g_hash_table_insert (self->counts, g_strdup (method), GUINT_TO_POINTER (n + 1));
    }
  g_ptr_array_unref (objects);
}

static gint64
request_id (GBytes *body)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  gsize       len = 0;
  const char *data = g_bytes_get_data (body, &len);
  JsonNode   *root;

  if (!json_parser_load_from_data (parser, data, len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return 0;
  return json_object_get_int_member_with_default (json_node_get_object (root), "id", 0);
}

static void
respond (SoupServerMessage *message,
         guint              status,
         const char        *body,
         gsize              len)
{
  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY, body, len);
}

/* Writes raw bytes on the connection, then closes it: a reply cut short. */
static void
write_and_close (SoupServerMessage *message,
                 const char        *raw,
                 gsize              len)
{
  g_autoptr (GIOStream) stream = soup_server_message_steal_connection (message);

  if (len > 0)
    g_output_stream_write_all (g_io_stream_get_output_stream (stream), raw, len, NULL, NULL, NULL);
  g_io_stream_close (stream, NULL, NULL);
}

static GBytes *
rewrite_reply (Exchange *exchange)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  gsize       len = 0;
  const char *data = g_bytes_get_data (exchange->reply, &len);
  JsonNode   *root;
  char       *text;

  if (!json_parser_load_from_data (parser, data, len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL)
    return g_bytes_ref (exchange->reply);

  if (exchange->fault->kind == TALLY_FAULT_BATCH_ELEMENT_429 && JSON_NODE_HOLDS_ARRAY (root) &&
      json_array_get_length (json_node_get_array (root)) > 0)
    {
      JsonObject *first = json_array_get_object_element (json_node_get_array (root), 0);
      JsonObject *error = json_object_new ();

      json_object_remove_member (first, "result");
      json_object_set_int_member (error, "code", 429);
      json_object_set_string_member (error, "message", "Too many requests, rate limit exceeded");
      json_object_set_object_member (first, "error", error);
    }
  else if (exchange->fault->kind == TALLY_FAULT_REWRITE_RESULT &&
           (JSON_NODE_HOLDS_OBJECT (root) ||
            (JSON_NODE_HOLDS_ARRAY (root) && json_array_get_length (json_node_get_array (root)) > 0)))
    {
      g_autoptr (JsonParser) result_parser = json_parser_new ();
      /* In a batch, the first call's reply. */
      JsonObject *target = JSON_NODE_HOLDS_OBJECT (root)
                             ? json_node_get_object (root)
                             : json_array_get_object_element (json_node_get_array (root), 0);

      g_assert_true (json_parser_load_from_data (result_parser, exchange->fault->result_json, -1,
                                                 NULL));
      json_object_set_member (target, "result",
                              json_node_copy (json_parser_get_root (result_parser)));
    }
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &len);
  return g_bytes_new_take (text, len);
}

static void
deliver (Exchange *exchange)
{
  g_autoptr (GBytes) reply = rewrite_reply (exchange);
  gsize       len = 0;
  const char *data = g_bytes_get_data (reply, &len);

  if (exchange->fault->kind == TALLY_FAULT_TRUNCATE)
    {
      g_autofree char *head = g_strdup_printf ("HTTP/1.1 200 OK\r\n"
                                               "Content-Type: application/json\r\n"
                                               "Content-Length: %" G_GSIZE_FORMAT "\r\n\r\n",
                                               len);
      g_autoptr (GString) raw = g_string_new (head);

      g_string_append_len (raw, data, len / 2);
      write_and_close (exchange->message, raw->str, raw->len);
    }
  else
    {
      respond (exchange->message, SOUP_STATUS_OK, data, len);
      soup_server_message_unpause (exchange->message);
    }
  g_ptr_array_remove (exchange->proxy->pending, exchange);
}

static gboolean
on_stall_over (gpointer user_data)
{
  Exchange *exchange = user_data;

  exchange->stall_id = 0;
  deliver (exchange);
  return G_SOURCE_REMOVE;
}

static void
on_upstream (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Exchange *exchange = user_data;
  g_autoptr (GError) error = NULL;
  GBytes *reply = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  /* Cancelled only when the proxy was freed, and the exchange with it. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  exchange->reply = reply;
  if (exchange->reply == NULL)
    {
      soup_server_message_set_status (exchange->message, SOUP_STATUS_BAD_GATEWAY, NULL);
      soup_server_message_unpause (exchange->message);
      g_ptr_array_remove (exchange->proxy->pending, exchange);
      return;
    }
  if (exchange->fault->kind == TALLY_FAULT_STALL)
    exchange->stall_id = g_timeout_add ((guint) exchange->fault->arg, on_stall_over, exchange);
  else
    deliver (exchange);
}

static void
forward (TallyFaultProxy   *self,
         SoupServerMessage *message,
         Fault             *fault,
         GBytes            *body)
{
  Exchange *exchange = g_new0 (Exchange, 1);
  g_autoptr (SoupMessage) upstream = soup_message_new (SOUP_METHOD_POST, self->upstream_url);

  exchange->proxy = self;
  exchange->message = g_object_ref (message);
  exchange->fault = fault;
  exchange->cancellable = g_cancellable_new ();
  g_ptr_array_add (self->pending, exchange);

  soup_message_set_request_body_from_bytes (upstream, "application/json", body);
  soup_server_message_pause (message);
  soup_session_send_and_read_async (self->session, upstream, G_PRIORITY_DEFAULT,
                                    exchange->cancellable, on_upstream, exchange);
}

static void
oversize (SoupServerMessage *message,
          gsize              size,
          gboolean           chunked)
{
  const char *head = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x";
  g_autoptr (GString) body = g_string_new (head);
  SoupMessageBody *response;

  while (body->len + 2 < size)
    g_string_append_c (body, '0');
  g_string_append (body, "\"}");

  if (!chunked)
    {
      respond (message, SOUP_STATUS_OK, body->str, body->len);
      return;
    }
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_encoding (soup_server_message_get_response_headers (message),
                                     SOUP_ENCODING_CHUNKED);
  response = soup_server_message_get_response_body (message);
  for (gsize offset = 0; offset < body->len; offset += 4096)
    soup_message_body_append (response, SOUP_MEMORY_COPY, body->str + offset,
                              MIN (4096, body->len - offset));
  soup_message_body_complete (response);
}

static void
handle (SoupServer        *server,
        SoupServerMessage *message,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  TallyFaultProxy *self = user_data;
  g_autoptr (GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (message));
  Fault           *fault = g_queue_pop_head (&self->faults);
  g_autofree char *text = NULL;

  self->requests++;
  count_methods (self, body);
  if (fault == NULL)
    fault = g_new0 (Fault, 1);
  if (self->drop_method != NULL && tally_fault_proxy_count (self, self->drop_method) >= self->drop_at)
    fault->kind = TALLY_FAULT_DROP;

  switch (fault->kind)
    {
    case TALLY_FAULT_HTTP_500:
      respond (message, SOUP_STATUS_INTERNAL_SERVER_ERROR, "oops", 4);
      break;
    case TALLY_FAULT_HTTP_429:
      respond (message, 429, "slow down", 9);
      if (fault->arg >= 0)
        {
          text = g_strdup_printf ("%" G_GINT64_FORMAT, fault->arg);
          soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                        "Retry-After", text);
        }
      break;
    case TALLY_FAULT_GARBAGE:
      respond (message, SOUP_STATUS_OK, "<html>Bad gateway</html>", 24);
      break;
    case TALLY_FAULT_DROP:
      write_and_close (message, NULL, 0);
      break;
    case TALLY_FAULT_CHAIN_ID:
      text = g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"id\":%" G_GINT64_FORMAT
                              ",\"result\":\"0x%" G_GINT64_MODIFIER "x\"}",
                              request_id (body), fault->arg);
      respond (message, SOUP_STATUS_OK, text, strlen (text));
      break;
    case TALLY_FAULT_RPC_ERROR:
      {
        g_autofree char *escaped = g_strescape (fault->result_json, NULL);

        text = g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"id\":%" G_GINT64_FORMAT
                                ",\"error\":{\"code\":%" G_GINT64_FORMAT ",\"message\":\"%s\"}}",
                                request_id (body), fault->arg, escaped);
        respond (message, SOUP_STATUS_OK, text, strlen (text));
        break;
      }
    case TALLY_FAULT_OVERSIZE:
    case TALLY_FAULT_OVERSIZE_CHUNKED:
      oversize (message, (gsize) fault->arg, fault->kind == TALLY_FAULT_OVERSIZE_CHUNKED);
      break;
    case TALLY_FAULT_NONE:
    case TALLY_FAULT_TRUNCATE:
    case TALLY_FAULT_STALL:
    case TALLY_FAULT_BATCH_ELEMENT_429:
    case TALLY_FAULT_REWRITE_RESULT:
      forward (self, message, fault, body);
      return; /* the exchange owns the fault */
    default:
      g_assert_not_reached ();
    }
  fault_free (fault);
}

TallyFaultProxy *
tally_fault_proxy_new (const char *upstream_url,
                       GError    **error)
{
  g_autoptr (TallyFaultProxy) self = g_new0 (TallyFaultProxy, 1);
  GSList *uris;

  self->upstream_url = g_strdup (upstream_url);
  self->session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  self->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) exchange_free);
  g_queue_init (&self->faults);
  self->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (self->server, NULL, handle, self, NULL);
  if (!soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    return NULL;
  uris = soup_server_get_uris (self->server);
  self->url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return g_steal_pointer (&self);
}

void
tally_fault_proxy_free (TallyFaultProxy *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; self->pending != NULL && i < self->pending->len; i++)
    g_cancellable_cancel (((Exchange *) self->pending->pdata[i])->cancellable);
  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_object (&self->session);
  g_queue_clear_full (&self->faults, (GDestroyNotify) fault_free);
  g_clear_pointer (&self->counts, g_hash_table_unref);
  g_free (self->drop_method);
  g_free (self->url);
  g_free (self->upstream_url);
  g_free (self);
}

const char *
tally_fault_proxy_get_url (TallyFaultProxy *self)
{
  return self->url;
}

void
tally_fault_proxy_push (TallyFaultProxy *self,
                        TallyFaultKind   kind,
                        gint64           arg)
{
  Fault *fault = g_new0 (Fault, 1);

  fault->kind = kind;
  fault->arg = arg;
  g_queue_push_tail (&self->faults, fault);
}

void
tally_fault_proxy_push_result (TallyFaultProxy *self,
                               const char      *result_json)
{
  Fault *fault = g_new0 (Fault, 1);

  fault->kind = TALLY_FAULT_REWRITE_RESULT;
  fault->result_json = g_strdup (result_json);
  g_queue_push_tail (&self->faults, fault);
}

void
tally_fault_proxy_push_error (TallyFaultProxy *self,
                              gint64           code,
                              const char      *message)
{
  Fault *fault = g_new0 (Fault, 1);

  fault->kind = TALLY_FAULT_RPC_ERROR;
  fault->arg = code;
  fault->result_json = g_strdup (message);
  g_queue_push_tail (&self->faults, fault);
}

void
tally_fault_proxy_drop_calls_from (TallyFaultProxy *self,
                                   const char      *method,
                                   guint            nth)
{
  g_free (self->drop_method);
  self->drop_method = g_strdup (method);
  self->drop_at = tally_fault_proxy_count (self, method) + nth;
}

guint
tally_fault_proxy_get_pending (TallyFaultProxy *self)
{
  return g_queue_get_length (&self->faults);
}

guint
tally_fault_proxy_count (TallyFaultProxy *self,
                         const char      *method)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->counts, method));
}

guint
tally_fault_proxy_get_requests (TallyFaultProxy *self)
{
  return self->requests;
}
