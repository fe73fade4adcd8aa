/* rpc-client.c: TallyRpcClient, the JSON-RPC client of one endpoint: its
 * settings, its SoupSession and its new-head watch; sending is in
 * rpc-client-transport.c, the typed eth_* calls in rpc-client-eth.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <libsoup/soup.h>

#include "core-error.h"
#include "rpc-client-private.h"

G_DEFINE_FINAL_TYPE (TallyRpcClient, tally_rpc_client, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_URL,
  PROP_TIMEOUT,
  PROP_MAX_ATTEMPTS,
  PROP_RETRY_DELAY,
  PROP_MAX_REPLY_SIZE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  NEW_HEAD,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
is_loopback_url (const char *url)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autoptr (GInetAddress) address = NULL;
  const char *host;

  if (uri == NULL || (host = g_uri_get_host (uri)) == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

static SoupSession *
make_session (const char *url)
{
  /* A user's proxy settings apply to real endpoints; a node on this machine
   * is reached directly, as a system proxy could not reach it. */
  if (url != NULL && is_loopback_url (url))
    return soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  return soup_session_new ();
}

TallyRpcClient *
tally_rpc_client_new (const char *url)
{
  g_return_val_if_fail (url != NULL, NULL);
  return g_object_new (TALLY_TYPE_RPC_CLIENT, "url", url, NULL);
}

const char *
tally_rpc_client_get_url (TallyRpcClient *self)
{
  g_return_val_if_fail (TALLY_IS_RPC_CLIENT (self), NULL);
  return self->url;
}

void
tally_rpc_client_set_url (TallyRpcClient *self,
                          const char     *url)
{
  g_return_if_fail (TALLY_IS_RPC_CLIENT (self));
  g_return_if_fail (url != NULL);

  if (g_strcmp0 (self->url, url) == 0)
    return;
  g_free (self->url);
  self->url = g_strdup (url);
  g_clear_object (&self->session);
  self->session = make_session (url);
  if (self->heads != NULL)
    {
      g_clear_pointer (&self->heads, _tally_rpc_heads_stop);
      self->heads = _tally_rpc_heads_start (self, self->heads_interval_ms);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URL]);
}

guint
tally_rpc_client_get_timeout (TallyRpcClient *self)
{
  g_return_val_if_fail (TALLY_IS_RPC_CLIENT (self), 0);
  return self->timeout_ms;
}

void
tally_rpc_client_set_timeout (TallyRpcClient *self,
                              guint           value)
{
  g_return_if_fail (TALLY_IS_RPC_CLIENT (self));
  g_return_if_fail (value > 0);

  if (self->timeout_ms == value)
    return;
  self->timeout_ms = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}

guint
tally_rpc_client_get_max_attempts (TallyRpcClient *self)
{
  g_return_val_if_fail (TALLY_IS_RPC_CLIENT (self), 0);
  return self->max_attempts;
}

void
tally_rpc_client_set_max_attempts (TallyRpcClient *self,
                                   guint           value)
{
  g_return_if_fail (TALLY_IS_RPC_CLIENT (self));
  g_return_if_fail (value > 0);

  if (self->max_attempts == value)
    return;
  self->max_attempts = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_ATTEMPTS]);
}

guint
tally_rpc_client_get_retry_delay (TallyRpcClient *self)
{
  g_return_val_if_fail (TALLY_IS_RPC_CLIENT (self), 0);
  return self->retry_delay_ms;
}

void
tally_rpc_client_set_retry_delay (TallyRpcClient *self,
                                  guint           value)
{
  g_return_if_fail (TALLY_IS_RPC_CLIENT (self));
  g_return_if_fail (value > 0);

  if (self->retry_delay_ms == value)
    return;
  self->retry_delay_ms = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY_DELAY]);
}

guint64
tally_rpc_client_get_max_reply_size (TallyRpcClient *self)
{
  g_return_val_if_fail (TALLY_IS_RPC_CLIENT (self), 0);
  return self->max_reply_size;
}

void
tally_rpc_client_set_max_reply_size (TallyRpcClient *self,
                                     guint64         value)
{
  g_return_if_fail (TALLY_IS_RPC_CLIENT (self));
  g_return_if_fail (value > 0);

  if (self->max_reply_size == value)
    return;
  self->max_reply_size = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_REPLY_SIZE]);
}

void
tally_rpc_client_get_stats (TallyRpcClient *self,
                            TallyRpcStats  *stats)
{
  g_return_if_fail (TALLY_IS_RPC_CLIENT (self));
  g_return_if_fail (stats != NULL);
  *stats = self->stats;
}

void
tally_rpc_client_watch_heads (TallyRpcClient *self,
                              guint           poll_interval_ms)
{
  g_return_if_fail (TALLY_IS_RPC_CLIENT (self));
  g_return_if_fail (poll_interval_ms > 0);

  g_clear_pointer (&self->heads, _tally_rpc_heads_stop);
  self->heads_interval_ms = poll_interval_ms;
  self->heads = _tally_rpc_heads_start (self, poll_interval_ms);
}

void
tally_rpc_client_unwatch_heads (TallyRpcClient *self)
{
  g_return_if_fail (TALLY_IS_RPC_CLIENT (self));
  g_clear_pointer (&self->heads, _tally_rpc_heads_stop);
}

gboolean
tally_rpc_client_get_heads_over_websocket (TallyRpcClient *self)
{
  g_return_val_if_fail (TALLY_IS_RPC_CLIENT (self), FALSE);
  return self->heads != NULL && _tally_rpc_heads_over_websocket (self->heads);
}

gpointer
_tally_rpc_client_get_session (TallyRpcClient *self)
{
  return self->session;
}

void
_tally_rpc_client_emit_new_head (TallyRpcClient *self,
                                 guint64         number)
{
  g_signal_emit (self, signals[NEW_HEAD], 0, number);
}

static void
tally_rpc_client_dispose (GObject *object)
{
  TallyRpcClient *self = TALLY_RPC_CLIENT (object);

  g_clear_pointer (&self->heads, _tally_rpc_heads_stop);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (tally_rpc_client_parent_class)->dispose (object);
}

static void
tally_rpc_client_finalize (GObject *object)
{
  TallyRpcClient *self = TALLY_RPC_CLIENT (object);

  g_free (self->url);

  G_OBJECT_CLASS (tally_rpc_client_parent_class)->finalize (object);
}

static void
tally_rpc_client_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  TallyRpcClient *self = TALLY_RPC_CLIENT (object);

  switch (prop_id)
    {
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout_ms);
      break;
    case PROP_MAX_ATTEMPTS:
      g_value_set_uint (value, self->max_attempts);
      break;
    case PROP_RETRY_DELAY:
      g_value_set_uint (value, self->retry_delay_ms);
      break;
    case PROP_MAX_REPLY_SIZE:
      g_value_set_uint64 (value, self->max_reply_size);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_rpc_client_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  TallyRpcClient *self = TALLY_RPC_CLIENT (object);

  switch (prop_id)
    {
    case PROP_URL:
      tally_rpc_client_set_url (self, g_value_get_string (value));
      break;
    case PROP_TIMEOUT:
      tally_rpc_client_set_timeout (self, g_value_get_uint (value));
      break;
    case PROP_MAX_ATTEMPTS:
      tally_rpc_client_set_max_attempts (self, g_value_get_uint (value));
      break;
    case PROP_RETRY_DELAY:
      tally_rpc_client_set_retry_delay (self, g_value_get_uint (value));
      break;
    case PROP_MAX_REPLY_SIZE:
      tally_rpc_client_set_max_reply_size (self, g_value_get_uint64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_rpc_client_class_init (TallyRpcClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = tally_rpc_client_dispose;
  object_class->finalize = tally_rpc_client_finalize;
  object_class->get_property = tally_rpc_client_get_property;
  object_class->set_property = tally_rpc_client_set_property;

  properties[PROP_URL] = g_param_spec_string ("url", NULL, NULL, NULL, flags);
  properties[PROP_TIMEOUT] = g_param_spec_uint ("timeout", NULL, NULL, 1, G_MAXUINT,
                                                TALLY_RPC_CLIENT_DEFAULT_TIMEOUT_MS, flags);
  properties[PROP_MAX_ATTEMPTS] = g_param_spec_uint ("max-attempts", NULL, NULL, 1, 100,
                                                     TALLY_RPC_CLIENT_DEFAULT_MAX_ATTEMPTS, flags);
  properties[PROP_RETRY_DELAY] = g_param_spec_uint ("retry-delay", NULL, NULL, 1,
                                                    TALLY_RPC_MAX_BACKOFF_MS,
                                                    250, flags);
  properties[PROP_MAX_REPLY_SIZE] = g_param_spec_uint64 ("max-reply-size", NULL, NULL, 1,
                                                         G_MAXUINT64,
                                                         TALLY_RPC_CLIENT_DEFAULT_MAX_REPLY_SIZE,
                                                         flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[NEW_HEAD] = g_signal_new ("new-head", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT64);
}

static void
tally_rpc_client_init (TallyRpcClient *self)
{
  self->timeout_ms = TALLY_RPC_CLIENT_DEFAULT_TIMEOUT_MS;
  self->max_attempts = TALLY_RPC_CLIENT_DEFAULT_MAX_ATTEMPTS;
  self->retry_delay_ms = 250;
  self->max_reply_size = TALLY_RPC_CLIENT_DEFAULT_MAX_REPLY_SIZE;
  self->session = make_session (NULL);
}
