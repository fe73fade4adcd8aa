/* network-profile.h: one network Tally can use (chain, endpoints, contracts,
 * token, price source), from the devnet's network file or the built-in list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "wallet/keys.h"

G_BEGIN_DECLS

/* The largest token or feed decimals a profile accepts: 10^36 still fits a
 * uint256 many times over, and no real token uses more than 24. */
#define TALLY_NETWORK_MAX_DECIMALS 36

typedef enum
{
  TALLY_PRICE_SOURCE_NONE, /* no price is known (test networks) */
  TALLY_PRICE_SOURCE_FEED, /* on-chain Chainlink-style feeds, token/USD and ETH/USD */
  TALLY_PRICE_SOURCE_HTTP, /* an HTTP API with the CoinGecko simple/price shape */
} TallyPriceSourceKind;

#define TALLY_TYPE_PRICE_SOURCE_KIND (tally_price_source_kind_get_type ())
GType tally_price_source_kind_get_type (void) G_GNUC_CONST;

#define TALLY_TYPE_NETWORK_PROFILE (tally_network_profile_get_type ())

G_DECLARE_FINAL_TYPE (TallyNetworkProfile, tally_network_profile, TALLY, NETWORK_PROFILE, GObject)

/* Reads a network file as tools/devnet writes it; anything missing, of the
 * wrong type or unusable is a TALLY_CORE_ERROR_INVALID_PROFILE naming the
 * field ("contracts.LabelMarket.address"). */
TallyNetworkProfile *tally_network_profile_new_from_file (const char *path,
                                                          GError    **error) G_GNUC_WARN_UNUSED_RESULT;
TallyNetworkProfile *tally_network_profile_new_from_data (const char *data,
                                                          gssize      len,
                                                          GError    **error) G_GNUC_WARN_UNUSED_RESULT;

const char         *tally_network_profile_get_id (TallyNetworkProfile *self);
const char         *tally_network_profile_get_display_name (TallyNetworkProfile *self);
guint64             tally_network_profile_get_chain_id (TallyNetworkProfile *self);
const char *const  *tally_network_profile_get_rpc_urls (TallyNetworkProfile *self);
const char         *tally_network_profile_get_rpc_url (TallyNetworkProfile *self);
const char         *tally_network_profile_get_explorer_url (TallyNetworkProfile *self);
const char         *tally_network_profile_get_native_symbol (TallyNetworkProfile *self);
gboolean            tally_network_profile_has_market (TallyNetworkProfile *self);
const TallyAddress *tally_network_profile_get_market_address (TallyNetworkProfile *self);
const TallyAddress *tally_network_profile_get_token_address (TallyNetworkProfile *self);
const char         *tally_network_profile_get_token_symbol (TallyNetworkProfile *self);
guint               tally_network_profile_get_token_decimals (TallyNetworkProfile *self);
guint64             tally_network_profile_get_deployment_block (TallyNetworkProfile *self);
gboolean            tally_network_profile_get_is_local (TallyNetworkProfile *self);

TallyPriceSourceKind tally_network_profile_get_price_source_kind (TallyNetworkProfile *self);
/* TALLY_PRICE_SOURCE_FEED: the two feeds and their answers' decimals. */
const TallyAddress *tally_network_profile_get_token_usd_feed (TallyNetworkProfile *self);
const TallyAddress *tally_network_profile_get_eth_usd_feed (TallyNetworkProfile *self);
guint               tally_network_profile_get_price_feed_decimals (TallyNetworkProfile *self);
/* TALLY_PRICE_SOURCE_HTTP: the API's base URL and the coin ids it knows
 * the token (NULL while it has none) and ETH by. */
const char *tally_network_profile_get_price_base_url (TallyNetworkProfile *self);
const char *tally_network_profile_get_token_coin_id (TallyNetworkProfile *self);
const char *tally_network_profile_get_eth_coin_id (TallyNetworkProfile *self);

/* The demo accounts a local network file lists (EIP-55 strings), or NULL. */
const char *const *tally_network_profile_get_demo_accounts (TallyNetworkProfile *self);

/* Signing for one chain on an endpoint that serves another would replay the
 * user's transaction elsewhere: TALLY_CORE_ERROR_CHAIN_MISMATCH. */
gboolean tally_network_profile_check_chain_id (TallyNetworkProfile *self,
                                               guint64              reported_chain_id,
                                               GError             **error) G_GNUC_WARN_UNUSED_RESULT;

/* The public networks Tally knows (TallyNetworkProfile items), in a fixed
 * order; the same list for the life of the process. */
GListModel *tally_network_profiles_builtin (void);
/* A profile of @profiles (a list model of TallyNetworkProfile) by id, or NULL
 * with TALLY_CORE_ERROR_NOT_FOUND. */
TallyNetworkProfile *tally_network_profiles_lookup (GListModel *profiles,
                                                    const char *id,
                                                    GError    **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
