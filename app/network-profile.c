/* network-profile.c: one network Tally can use (chain, endpoints, contracts,
 * token, price source), from the devnet's network file or the built-in list
 *
 * A profile is immutable once made: the engine reads it from any thread and
 * never has to watch it change under a pending transaction. The network
 * file is read strictly because a wrong address or chain id in it sends
 * the user's tokens somewhere else.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "core-error.h"
#include "network-profile-private.h"

G_DEFINE_FINAL_TYPE (TallyNetworkProfile, tally_network_profile, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_DISPLAY_NAME,
  PROP_CHAIN_ID,
  PROP_RPC_URLS,
  PROP_RPC_URL,
  PROP_EXPLORER_URL,
  PROP_NATIVE_SYMBOL,
  PROP_HAS_MARKET,
  PROP_MARKET_ADDRESS,
  PROP_TOKEN_ADDRESS,
  PROP_TOKEN_SYMBOL,
  PROP_TOKEN_DECIMALS,
  PROP_DEPLOYMENT_BLOCK,
  PROP_IS_LOCAL,
  PROP_PRICE_SOURCE_KIND,
  PROP_TOKEN_USD_FEED,
  PROP_ETH_USD_FEED,
  PROP_PRICE_FEED_DECIMALS,
  PROP_PRICE_BASE_URL,
  PROP_TOKEN_COIN_ID,
  PROP_ETH_COIN_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GType
tally_price_source_kind_get_type (void)
{
  static gsize            type_id = 0;
  static const GEnumValue values[] = {
    { TALLY_PRICE_SOURCE_NONE, "TALLY_PRICE_SOURCE_NONE", "none" },
    { TALLY_PRICE_SOURCE_FEED, "TALLY_PRICE_SOURCE_FEED", "feed" },
    { TALLY_PRICE_SOURCE_HTTP, "TALLY_PRICE_SOURCE_HTTP", "http" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type_id))
    g_once_init_leave (&type_id, g_enum_register_static ("TallyPriceSourceKind", values));
  return type_id;
}

static char *
address_string (const TallyAddress *address)
{
  char text[TALLY_ADDRESS_STRING_SIZE];

  if (address == NULL)
    return NULL;
  tally_address_to_string (address, text);
  return g_strdup (text);
}

static void
tally_network_profile_finalize (GObject *object)
{
  TallyNetworkProfile *self = TALLY_NETWORK_PROFILE (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->rpc_urls, g_strfreev);
  g_clear_pointer (&self->explorer_url, g_free);
  g_clear_pointer (&self->native_symbol, g_free);
  g_clear_pointer (&self->token_symbol, g_free);
  g_clear_pointer (&self->price_base_url, g_free);
  g_clear_pointer (&self->token_coin_id, g_free);
  g_clear_pointer (&self->eth_coin_id, g_free);
  g_clear_pointer (&self->demo_accounts, g_strfreev);

  G_OBJECT_CLASS (tally_network_profile_parent_class)->finalize (object);
}

static void
tally_network_profile_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  TallyNetworkProfile *self = TALLY_NETWORK_PROFILE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    case PROP_CHAIN_ID:
      g_value_set_uint64 (value, self->chain_id);
      break;
    case PROP_RPC_URLS:
      g_value_set_boxed (value, self->rpc_urls);
      break;
    case PROP_RPC_URL:
      g_value_set_string (value, tally_network_profile_get_rpc_url (self));
      break;
    case PROP_EXPLORER_URL:
      g_value_set_string (value, self->explorer_url);
      break;
    case PROP_NATIVE_SYMBOL:
      g_value_set_string (value, self->native_symbol);
      break;
    case PROP_HAS_MARKET:
      g_value_set_boolean (value, self->has_market);
      break;
    case PROP_MARKET_ADDRESS:
      g_value_take_string (value, address_string (tally_network_profile_get_market_address (self)));
      break;
    case PROP_TOKEN_ADDRESS:
      g_value_take_string (value, address_string (tally_network_profile_get_token_address (self)));
      break;
    case PROP_TOKEN_SYMBOL:
      g_value_set_string (value, self->token_symbol);
      break;
    case PROP_TOKEN_DECIMALS:
      g_value_set_uint (value, self->token_decimals);
      break;
    case PROP_DEPLOYMENT_BLOCK:
      g_value_set_uint64 (value, self->deployment_block);
      break;
    case PROP_IS_LOCAL:
      g_value_set_boolean (value, self->is_local);
      break;
    case PROP_PRICE_SOURCE_KIND:
      g_value_set_enum (value, self->price_kind);
      break;
    case PROP_TOKEN_USD_FEED:
      g_value_take_string (value, address_string (tally_network_profile_get_token_usd_feed (self)));
      break;
    case PROP_ETH_USD_FEED:
      g_value_take_string (value, address_string (tally_network_profile_get_eth_usd_feed (self)));
      break;
    case PROP_PRICE_FEED_DECIMALS:
      g_value_set_uint (value, self->price_feed_decimals);
      break;
    case PROP_PRICE_BASE_URL:
      g_value_set_string (value, self->price_base_url);
      break;
    case PROP_TOKEN_COIN_ID:
      g_value_set_string (value, self->token_coin_id);
      break;
    case PROP_ETH_COIN_ID:
      g_value_set_string (value, self->eth_coin_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
string_property (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
}

static void
tally_network_profile_class_init (TallyNetworkProfileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = tally_network_profile_finalize;
  object_class->get_property = tally_network_profile_get_property;

  /* Read-only: a profile is a value, made whole by its constructors. */
  properties[PROP_ID] = string_property ("id");
  properties[PROP_DISPLAY_NAME] = string_property ("display-name");
  properties[PROP_CHAIN_ID] =
    g_param_spec_uint64 ("chain-id", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_RPC_URLS] = g_param_spec_boxed ("rpc-urls", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_RPC_URL] = string_property ("rpc-url");
  properties[PROP_EXPLORER_URL] = string_property ("explorer-url");
  properties[PROP_NATIVE_SYMBOL] = string_property ("native-symbol");
  properties[PROP_HAS_MARKET] = g_param_spec_boolean ("has-market", NULL, NULL, FALSE, flags);
  properties[PROP_MARKET_ADDRESS] = string_property ("market-address");
  properties[PROP_TOKEN_ADDRESS] = string_property ("token-address");
  properties[PROP_TOKEN_SYMBOL] = string_property ("token-symbol");
  properties[PROP_TOKEN_DECIMALS] =
    g_param_spec_uint ("token-decimals", NULL, NULL, 0, TALLY_NETWORK_MAX_DECIMALS, 0, flags);
  properties[PROP_DEPLOYMENT_BLOCK] =
    g_param_spec_uint64 ("deployment-block", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_IS_LOCAL] = g_param_spec_boolean ("is-local", NULL, NULL, FALSE, flags);
  properties[PROP_PRICE_SOURCE_KIND] =
    g_param_spec_enum ("price-source-kind", NULL, NULL, TALLY_TYPE_PRICE_SOURCE_KIND,
                       TALLY_PRICE_SOURCE_NONE, flags);
  properties[PROP_TOKEN_USD_FEED] = string_property ("token-usd-feed");
  properties[PROP_ETH_USD_FEED] = string_property ("eth-usd-feed");
  properties[PROP_PRICE_FEED_DECIMALS] =
    g_param_spec_uint ("price-feed-decimals", NULL, NULL, 0, TALLY_NETWORK_MAX_DECIMALS, 0, flags);
  properties[PROP_PRICE_BASE_URL] = string_property ("price-base-url");
  properties[PROP_TOKEN_COIN_ID] = string_property ("token-coin-id");
  properties[PROP_ETH_COIN_ID] = string_property ("eth-coin-id");

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tally_network_profile_init (TallyNetworkProfile *self)
{
}

/* Validation shared by the file reader and the built-in list. */

static gboolean
invalid (GError    **error,
         const char *field,
         const char *format,
         ...) G_GNUC_PRINTF (3, 4);

static gboolean
invalid (GError    **error,
         const char *field,
         const char *format,
         ...)
{
  g_autofree char *message = NULL;
  va_list          args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE,
               "Network profile field “%s” %s", field, message);
  return FALSE;
}

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr (GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

static gboolean
check_url (const char *url,
           const char *field,
           gboolean   *loopback,
           GError    **error)
{
  g_autoptr (GUri) uri = NULL;
  const char *scheme;
  const char *host;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return invalid (error, field, "is not a URL: “%s”", url);
  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  if (g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0)
    return invalid (error, field, "must be an http or https URL, not “%s”", url);
  if (host == NULL || *host == '\0')
    return invalid (error, field, "has no host: “%s”", url);
  /* Credentials in a URL end up in logs and error messages. */
  if (g_uri_get_userinfo (uri) != NULL)
    return invalid (error, field, "must not carry a user name or password");
  if (loopback != NULL)
    *loopback = host_is_loopback (host);
  return TRUE;
}

static gboolean
check_decimals (gint64      decimals,
                const char *field,
                GError    **error)
{
  if (decimals < 0 || decimals > TALLY_NETWORK_MAX_DECIMALS)
    return invalid (error, field, "must be between 0 and %d, not %" G_GINT64_FORMAT,
                    TALLY_NETWORK_MAX_DECIMALS, decimals);
  return TRUE;
}

static gboolean
check_symbol (const char *symbol,
              const char *field,
              GError    **error)
{
  gsize len = strlen (symbol);

  if (len == 0 || len > 16)
    return invalid (error, field, "must have 1 to 16 characters");
  for (const char *p = symbol; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)) || g_unichar_isspace (g_utf8_get_char (p)))
      return invalid (error, field, "must not contain spaces or control characters");
  return TRUE;
}

static gboolean
check_id (const char *id,
          const char *field,
          GError    **error)
{
  gsize len = strlen (id);

  if (len == 0 || len > 32)
    return invalid (error, field, "must have 1 to 32 characters");
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_islower (id[i]) && !g_ascii_isdigit (id[i]) && id[i] != '-')
      return invalid (error, field, "may only hold a-z, 0-9 and “-”: “%s”", id);
  return TRUE;
}

/* The network file. */

typedef struct
{
  JsonObject *object;
  const char *path; /* of the object, "" at the top */
} Scope;

static char *
field_path (const Scope *scope,
            const char  *member)
{
  return *scope->path == '\0' ? g_strdup (member) : g_strdup_printf ("%s.%s", scope->path, member);
}

/* The member, or NULL: with an error when it was required. */
static JsonNode *
get_member (const Scope *scope,
            const char  *member,
            gboolean     required,
            GError     **error)
{
  JsonNode *node = json_object_get_member (scope->object, member);

  if (node == NULL && required)
    {
      g_autofree char *field = field_path (scope, member);

      invalid (error, field, "is missing");
    }
  return node;
}

static gboolean
get_string (const Scope *scope,
            const char  *member,
            gboolean     required,
            const char **out,
            GError     **error)
{
  JsonNode        *node = get_member (scope, member, required, error);
  g_autofree char *field = field_path (scope, member);

  *out = NULL;
  if (node == NULL)
    return !required;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return invalid (error, field, "must be a string");
  /* json-glib passes some invalid escapes through as raw bytes. */
  if (!g_utf8_validate (json_node_get_string (node), -1, NULL))
    return invalid (error, field, "is not valid UTF-8");
  *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
get_uint (const Scope *scope,
          const char  *member,
          gboolean     required,
          gint64      *out,
          GError     **error)
{
  JsonNode        *node = get_member (scope, member, required, error);
  g_autofree char *field = field_path (scope, member);

  *out = -1;
  if (node == NULL)
    return !required;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return invalid (error, field, "must be a whole number");
  *out = json_node_get_int (node);
  if (*out < 0)
    return invalid (error, field, "must not be negative");
  return TRUE;
}

static gboolean
get_object (const Scope *scope,
            const char  *member,
            gboolean     required,
            Scope       *out,
            char       **out_path,
            GError     **error)
{
  JsonNode *node = get_member (scope, member, required, error);

  out->object = NULL;
  *out_path = field_path (scope, member);
  out->path = *out_path;
  if (node == NULL)
    return !required;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, *out_path, "must be an object");
  out->object = json_node_get_object (node);
  return TRUE;
}

static gboolean
parse_address (const char   *text,
               const char   *field,
               TallyAddress *out,
               GError      **error)
{
  g_autoptr (GError) local_error = NULL;
  static const TallyAddress zero = { { 0 } };

  if (!tally_address_parse (out, text, &local_error))
    return invalid (error, field, "is not a valid address: %s", local_error->message);
  if (tally_address_equal (out, &zero))
    return invalid (error, field, "is the zero address");
  return TRUE;
}

/* contracts.NAME: an address and the block it was deployed in. */
static gboolean
parse_contract (const Scope  *contracts,
                const char   *name,
                gboolean      required,
                TallyAddress *address,
                gint64       *block,
                gboolean     *present,
                GError      **error)
{
  Scope            scope;
  g_autofree char *path = NULL;
  g_autofree char *address_field = NULL;
  const char      *text;

  *present = FALSE;
  if (!get_object (contracts, name, required, &scope, &path, error))
    return FALSE;
  if (scope.object == NULL)
    return TRUE;
  if (!get_string (&scope, "address", TRUE, &text, error) ||
      !get_uint (&scope, "deploymentBlock", TRUE, block, error))
    return FALSE;
  address_field = field_path (&scope, "address");
  if (!parse_address (text, address_field, address, error))
    return FALSE;
  *present = TRUE;
  return TRUE;
}

static gboolean
parse_demo_accounts (const Scope         *top,
                     TallyNetworkProfile *self,
                     GError             **error)
{
  JsonNode  *node = get_member (top, "demoAccounts", FALSE, NULL);
  JsonArray *array;
  guint      n;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, "demoAccounts", "must be an array");
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  self->demo_accounts = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      JsonNode        *element = json_array_get_element (array, i);
      g_autofree char *path = g_strdup_printf ("demoAccounts[%u]", i);
      g_autofree char *field = NULL;
      Scope            scope = { NULL, path };
      TallyAddress     address;
      const char      *text;
      gint64           index;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return invalid (error, path, "must be an object");
      scope.object = json_node_get_object (element);
      if (!get_uint (&scope, "index", TRUE, &index, error) ||
          !get_string (&scope, "address", TRUE, &text, error))
        return FALSE;
      field = field_path (&scope, "address");
      if (!parse_address (text, field, &address, error))
        return FALSE;
      self->demo_accounts[i] = address_string (&address);
    }
  return TRUE;
}

static gboolean
check_deployment_block (gint64      first,
                        gint64      block,
                        const char *name,
                        GError    **error)
{
  /* Log scans start at the profile's block: one later than a contract's
   * would miss its first events. */
  if (block < first)
    return invalid (error, "deploymentBlock",
                    "(%" G_GINT64_FORMAT ") is after contracts.%s.deploymentBlock (%" G_GINT64_FORMAT ")",
                    first, name, block);
  return TRUE;
}

static gboolean
parse_network (TallyNetworkProfile *self,
               JsonObject          *root,
               GError             **error)
{
  Scope            top = { root, "" };
  Scope            contracts, token;
  g_autofree char *contracts_path = NULL;
  g_autofree char *token_path = NULL;
  const char      *id, *name, *rpc_url, *explorer_url, *symbol;
  gint64           chain_id, first_block, decimals, feed_decimals;
  gint64           market_block, token_block, token_feed_block, eth_feed_block;
  gboolean         present, token_feed_present, eth_feed_present;

  if (!get_string (&top, "id", FALSE, &id, error) ||
      (id != NULL && !check_id (id, "id", error)))
    return FALSE;
  self->id = g_strdup (id != NULL ? id : "devnet");

  if (!get_string (&top, "name", TRUE, &name, error))
    return FALSE;
  if (*name == '\0')
    return invalid (error, "name", "is empty");
  self->display_name = g_strdup (name);

  if (!get_string (&top, "rpcUrl", TRUE, &rpc_url, error) ||
      !check_url (rpc_url, "rpcUrl", &self->is_local, error))
    return FALSE;
  self->rpc_urls = g_new0 (char *, 2);
  self->rpc_urls[0] = g_strdup (rpc_url);

  if (!get_string (&top, "explorerUrl", FALSE, &explorer_url, error) ||
      (explorer_url != NULL &&
       !check_url (explorer_url, "explorerUrl", NULL, error)))
    return FALSE;
  self->explorer_url = g_strdup (explorer_url);

  if (!get_uint (&top, "chainId", TRUE, &chain_id, error))
    return FALSE;
  if (chain_id == 0)
    return invalid (error, "chainId", "must not be 0");
  self->chain_id = (guint64) chain_id;

  if (!get_uint (&top, "deploymentBlock", TRUE, &first_block, error))
    return FALSE;
  self->deployment_block = (guint64) first_block;

  if (!get_object (&top, "contracts", TRUE, &contracts, &contracts_path, error) ||
      !parse_contract (&contracts, "LabelMarket", TRUE, &self->market_address, &market_block,
                       &present, error) ||
      !parse_contract (&contracts, "LabelToken", TRUE, &self->token_address, &token_block,
                       &present, error) ||
      !parse_contract (&contracts, "TokenUsdFeed", FALSE, &self->token_usd_feed,
                       &token_feed_block, &token_feed_present, error) ||
      !parse_contract (&contracts, "EthUsdFeed", FALSE, &self->eth_usd_feed, &eth_feed_block,
                       &eth_feed_present, error))
    return FALSE;
  self->has_market = TRUE;
  if (tally_address_equal (&self->market_address, &self->token_address))
    return invalid (error, "contracts.LabelMarket.address",
                    "is the same as contracts.LabelToken.address");
  if (!check_deployment_block (first_block, market_block, "LabelMarket", error) ||
      !check_deployment_block (first_block, token_block, "LabelToken", error))
    return FALSE;

  if (!get_object (&top, "token", TRUE, &token, &token_path, error) ||
      !get_string (&token, "symbol", TRUE, &symbol, error) ||
      !check_symbol (symbol, "token.symbol", error) ||
      !get_uint (&token, "decimals", TRUE, &decimals, error) ||
      !check_decimals (decimals, "token.decimals", error))
    return FALSE;
  self->token_symbol = g_strdup (symbol);
  self->token_decimals = (guint) decimals;
  self->native_symbol = g_strdup ("ETH");

  if (!get_uint (&top, "priceFeedDecimals", FALSE, &feed_decimals, error))
    return FALSE;
  if (token_feed_present != eth_feed_present)
    return invalid (error, token_feed_present ? "contracts.EthUsdFeed" : "contracts.TokenUsdFeed",
                    "is missing: a network file names both price feeds or neither");
  if (token_feed_present)
    {
      if (feed_decimals < 0)
        return invalid (error, "priceFeedDecimals", "is missing (the file names price feeds)");
      if (!check_decimals (feed_decimals, "priceFeedDecimals", error))
        return FALSE;
      self->price_kind = TALLY_PRICE_SOURCE_FEED;
      self->price_feed_decimals = (guint) feed_decimals;
    }
  else if (feed_decimals >= 0)
    return invalid (error, "priceFeedDecimals", "is given, but the file names no price feeds");

  return parse_demo_accounts (&top, self, error);
}

TallyNetworkProfile *
tally_network_profile_new_from_data (const char *data,
                                     gssize      len,
                                     GError    **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (TallyNetworkProfile) self = NULL;
  g_autoptr (GError) local_error = NULL;
  JsonNode *root;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len < 0)
    len = (gssize) strlen (data);
  /* json-glib reads a string up to its first NUL and would accept a
   * truncated file as whole. */
  if (memchr (data, '\0', (gsize) len) != NULL)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE,
                   "The network file is not JSON: it contains a NUL byte");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, len, &local_error))
    {
      /* json-glib quotes the offending bytes, which need not be UTF-8. */
      g_autofree char *reason = g_utf8_make_valid (local_error->message, -1);

      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE,
                   "The network file is not JSON: %s", reason);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE,
                   "The network file must hold a JSON object");
      return NULL;
    }

  self = g_object_new (TALLY_TYPE_NETWORK_PROFILE, NULL);
  if (!parse_network (self, json_node_get_object (root), error))
    return NULL;
  return g_steal_pointer (&self);
}

TallyNetworkProfile *
tally_network_profile_new_from_file (const char *path,
                                     GError    **error)
{
  g_autofree char *contents = NULL;
  gsize            len = 0;
  g_autoptr (GError) local_error = NULL;
  TallyNetworkProfile *self;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE,
                   "Could not read the network file: %s", local_error->message);
      return NULL;
    }
  if (len > G_MAXSSIZE)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE,
                   "The network file %s is too large", path);
      return NULL;
    }
  self = tally_network_profile_new_from_data (contents, (gssize) len, &local_error);
  if (self == NULL)
    g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", path);
  return self;
}

gboolean
tally_network_profile_check_chain_id (TallyNetworkProfile *self,
                                      guint64              reported_chain_id,
                                      GError             **error)
{
  g_return_val_if_fail (TALLY_IS_NETWORK_PROFILE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (reported_chain_id == self->chain_id)
    return TRUE;
  g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_CHAIN_MISMATCH,
               "The endpoint %s serves chain %" G_GUINT64_FORMAT ", but the network “%s” is "
               "chain %" G_GUINT64_FORMAT "; Tally will not sign for the wrong chain. "
               "Check the network's RPC URL.",
               tally_network_profile_get_rpc_url (self), reported_chain_id, self->display_name,
               self->chain_id);
  return FALSE;
}

#define GETTER(type, name, field, fallback)                           \
  type tally_network_profile_get_##name (TallyNetworkProfile *self)   \
  {                                                                   \
    g_return_val_if_fail (TALLY_IS_NETWORK_PROFILE (self), fallback); \
    return self->field;                                               \
  }

GETTER (const char *, id, id, NULL)
GETTER (const char *, display_name, display_name, NULL)
GETTER (guint64, chain_id, chain_id, 0)
GETTER (const char *, explorer_url, explorer_url, NULL)
GETTER (const char *, native_symbol, native_symbol, NULL)
GETTER (const char *, token_symbol, token_symbol, NULL)
GETTER (guint, token_decimals, token_decimals, 0)
GETTER (guint64, deployment_block, deployment_block, 0)
GETTER (gboolean, is_local, is_local, FALSE)
GETTER (TallyPriceSourceKind, price_source_kind, price_kind, TALLY_PRICE_SOURCE_NONE)
GETTER (guint, price_feed_decimals, price_feed_decimals, 0)
GETTER (const char *, price_base_url, price_base_url, NULL)
GETTER (const char *, token_coin_id, token_coin_id, NULL)
GETTER (const char *, eth_coin_id, eth_coin_id, NULL)

#undef GETTER

const char *const *
tally_network_profile_get_rpc_urls (TallyNetworkProfile *self)
{
  g_return_val_if_fail (TALLY_IS_NETWORK_PROFILE (self), NULL);

  return (const char *const *) self->rpc_urls;
}

const char *
tally_network_profile_get_rpc_url (TallyNetworkProfile *self)
{
  g_return_val_if_fail (TALLY_IS_NETWORK_PROFILE (self), NULL);

  return self->rpc_urls != NULL ? self->rpc_urls[0] : NULL;
}

const char *const *
tally_network_profile_get_demo_accounts (TallyNetworkProfile *self)
{
  g_return_val_if_fail (TALLY_IS_NETWORK_PROFILE (self), NULL);

  return (const char *const *) self->demo_accounts;
}

gboolean
tally_network_profile_has_market (TallyNetworkProfile *self)
{
  g_return_val_if_fail (TALLY_IS_NETWORK_PROFILE (self), FALSE);

  return self->has_market;
}

const TallyAddress *
tally_network_profile_get_market_address (TallyNetworkProfile *self)
{
  g_return_val_if_fail (TALLY_IS_NETWORK_PROFILE (self), NULL);

  return self->has_market ? &self->market_address : NULL;
}

const TallyAddress *
tally_network_profile_get_token_address (TallyNetworkProfile *self)
{
  g_return_val_if_fail (TALLY_IS_NETWORK_PROFILE (self), NULL);

  return self->has_market ? &self->token_address : NULL;
}

const TallyAddress *
tally_network_profile_get_token_usd_feed (TallyNetworkProfile *self)
{
  g_return_val_if_fail (TALLY_IS_NETWORK_PROFILE (self), NULL);

  return self->price_kind == TALLY_PRICE_SOURCE_FEED ? &self->token_usd_feed : NULL;
}

const TallyAddress *
tally_network_profile_get_eth_usd_feed (TallyNetworkProfile *self)
{
  g_return_val_if_fail (TALLY_IS_NETWORK_PROFILE (self), NULL);

  return self->price_kind == TALLY_PRICE_SOURCE_FEED ? &self->eth_usd_feed : NULL;
}
