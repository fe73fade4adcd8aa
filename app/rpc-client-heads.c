/* rpc-client-heads.c: TallyRpcClient's ::new-head, new blocks as the node
 * announces them over an eth_subscribe WebSocket, or found by polling
 * eth_blockNumber where the endpoint has no WebSocket
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "core-error.h"
#include "rpc-client-private.h"

#define SUBSCRIBE_ID 1

struct _TallyRpcHeads
{
  TallyRpcClient          *client; /* not owned: the client owns us */
  GCancellable            *cancellable;
  SoupWebsocketConnection *socket;
  char                    *subscription;
  guint                    poll_interval_ms;
  guint                    poll_id;
  gboolean                 polling_busy;
  gboolean                 have_head;
  guint64                  head;
};

static void
report_head (TallyRpcHeads *heads,
             guint64        number)
{
  if (heads->have_head && number <= heads->head)
    return;
  heads->have_head = TRUE;
  heads->head = number;
  _tally_rpc_client_emit_new_head (heads->client, number);
}

static void
on_polled (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  TallyRpcHeads *heads = user_data;
  g_autoptr (GError) error = NULL;
  guint64 number = 0;

  if (!tally_rpc_client_block_number_finish (TALLY_RPC_CLIENT (source), result, &number, &error))
    {
      /* Cancelled means the watch is over and heads is gone. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          heads->polling_busy = FALSE;
          g_debug ("Polling for new blocks: %s", error->message);
        }
      return;
    }
  heads->polling_busy = FALSE;
  report_head (heads, number);
}

static gboolean
on_poll (gpointer user_data)
{
  TallyRpcHeads *heads = user_data;

  if (!heads->polling_busy)
    {
      heads->polling_busy = TRUE;
      tally_rpc_client_block_number_async (heads->client, heads->cancellable, on_polled, heads);
    }
  return G_SOURCE_CONTINUE;
}

static void
start_polling (TallyRpcHeads *heads)
{
  if (heads->poll_id != 0)
    return;
  g_clear_object (&heads->socket);
  heads->poll_id = g_timeout_add (heads->poll_interval_ms, on_poll, heads);
  on_poll (heads);
}

static void
on_message (SoupWebsocketConnection *socket,
            gint                     type,
            GBytes                  *message,
            gpointer                 user_data)
{
  TallyRpcHeads *heads = user_data;
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError) error = NULL;
  gsize       len = 0;
  const char *data = g_bytes_get_data (message, &len);
  JsonObject *object;
  JsonObject *params;
  JsonObject *header;
  guint64     number = 0;

  if (type != SOUP_WEBSOCKET_DATA_TEXT || !g_utf8_validate (data, len, NULL) ||
      !json_parser_load_from_data (parser, data, len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  object = json_node_get_object (json_parser_get_root (parser));

  if (heads->subscription == NULL)
    {
      JsonNode *id = json_object_get_member (object, "id");
      JsonNode *result = json_object_get_member (object, "result");

      if (id == NULL || !JSON_NODE_HOLDS_VALUE (id) || json_node_get_int (id) != SUBSCRIBE_ID)
        return;
      if (result == NULL || !JSON_NODE_HOLDS_VALUE (result) ||
          json_node_get_value_type (result) != G_TYPE_STRING)
        {
          g_debug ("No newHeads subscription: polling instead");
          soup_websocket_connection_close (socket, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
          start_polling (heads);
          return;
        }
      heads->subscription = g_strdup (json_node_get_string (result));
      return;
    }

  if (g_strcmp0 (json_object_get_string_member_with_default (object, "method", NULL),
                 "eth_subscription") != 0 ||
      (params = json_object_get_object_member (object, "params")) == NULL ||
      g_strcmp0 (json_object_get_string_member_with_default (params, "subscription", NULL),
                 heads->subscription) != 0 ||
      (header = json_object_get_object_member (params, "result")) == NULL)
    return;
  if (!tally_rpc_parse_quantity (json_object_get_member (header, "number"), "newHeads number",
                                 &number, &error))
    {
      g_debug ("Ignoring a new head: %s", error->message);
      return;
    }
  report_head (heads, number);
}

static void
on_closed (SoupWebsocketConnection *socket,
           gpointer                 user_data)
{
  TallyRpcHeads *heads = user_data;

  if (heads->socket != socket)
    return;
  g_debug ("The newHeads WebSocket closed: polling instead");
  g_clear_pointer (&heads->subscription, g_free);
  start_polling (heads);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  TallyRpcHeads *heads = user_data;
  g_autoptr (GError) error = NULL;
  SoupWebsocketConnection *socket;
  char                     request[96];

  socket = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (socket == NULL)
    {
      g_debug ("No WebSocket at the endpoint (%s): polling for new blocks", error->message);
      start_polling (heads);
      return;
    }
  heads->socket = socket;
  g_signal_connect (socket, "message", G_CALLBACK (on_message), heads);
  g_signal_connect (socket, "closed", G_CALLBACK (on_closed), heads);
  g_snprintf (request, sizeof request,
              "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"eth_subscribe\",\"params\":[\"newHeads\"]}",
              SUBSCRIBE_ID);
  soup_websocket_connection_send_text (socket, request);
}

static char *
websocket_url (const char *url)
{
  if (g_ascii_strncasecmp (url, "https://", 8) == 0)
    return g_strconcat ("wss://", url + 8, NULL);
  if (g_ascii_strncasecmp (url, "http://", 7) == 0)
    return g_strconcat ("ws://", url + 7, NULL);
  return NULL;
}

TallyRpcHeads *
_tally_rpc_heads_start (TallyRpcClient *client,
                        guint           poll_interval_ms)
{
  TallyRpcHeads   *heads = g_new0 (TallyRpcHeads, 1);
  g_autofree char *ws_url = websocket_url (tally_rpc_client_get_url (client));
  g_autoptr (SoupMessage) message = NULL;

  heads->client = client;
  heads->cancellable = g_cancellable_new ();
  heads->poll_interval_ms = poll_interval_ms;
  if (ws_url != NULL)
    message = soup_message_new (SOUP_METHOD_GET, ws_url);
  if (message == NULL)
    {
      start_polling (heads);
      return heads;
    }
  soup_session_websocket_connect_async (_tally_rpc_client_get_session (client), message, NULL,
                                        NULL, G_PRIORITY_DEFAULT, heads->cancellable,
                                        on_connected, heads);
  return heads;
}

gboolean
_tally_rpc_heads_over_websocket (TallyRpcHeads *heads)
{
  return heads->socket != NULL && heads->subscription != NULL;
}

void
_tally_rpc_heads_stop (TallyRpcHeads *heads)
{
  g_cancellable_cancel (heads->cancellable);
  g_clear_handle_id (&heads->poll_id, g_source_remove);
  if (heads->socket != NULL)
    {
      g_signal_handlers_disconnect_by_data (heads->socket, heads);
      if (soup_websocket_connection_get_state (heads->socket) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (heads->socket, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&heads->socket);
    }
  g_clear_object (&heads->cancellable);
  g_free (heads->subscription);
  g_free (heads);
}
