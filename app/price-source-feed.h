/* price-source-feed.h: prices from two on-chain Chainlink AggregatorV3
 * feeds, token/USD and ETH/USD
 *
 * Feeds are denominated in US dollars: a quote is always in "usd", and any
 * other currency is refused with TALLY_CORE_ERROR_NOT_FOUND (converting
 * would need a third feed whose staleness we could not vouch for). A feed
 * keeps no 24 h history that one call could read, so a quote's changes are
 * NULL.
 *
 * A round is refused when its answer is not positive or its updatedAt is 0
 * (TALLY_CORE_ERROR_MALFORMED_REPLY), when answeredInRound is below roundId
 * (the answer is carried over from an earlier round) or when updatedAt is
 * more than "max-age" seconds before the latest block's timestamp
 * (TALLY_CORE_ERROR_STALE_PRICE). Age is measured in chain time, not by
 * the wall clock: updatedAt is a block timestamp, so this holds whatever the
 * user's clock says, and on a devnet whose time was moved forward. A feed
 * address without code is TALLY_CORE_ERROR_NOT_FOUND; a contract whose
 * latestRoundData() reverts (no such function, no round yet) is
 * TALLY_CORE_ERROR_RPC, naming the feed. Node failures are the RPC client's
 * errors (NETWORK, TIMED_OUT, RATE_LIMITED...).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "network-profile.h"
#include "price-source.h"
#include "rpc-client.h"
#include "wallet/keys.h"

G_BEGIN_DECLS

#define TALLY_PRICE_SOURCE_FEED_DEFAULT_MAX_AGE 3600

#define TALLY_TYPE_PRICE_SOURCE_FEED (tally_price_source_feed_get_type ())

/* TALLY_PRICE_SOURCE_FEED is the profile's TallyPriceSourceKind value, so the
 * cast and check macros are TALLY_FEED_PRICE_SOURCE and
 * TALLY_IS_FEED_PRICE_SOURCE. */
G_DECLARE_FINAL_TYPE (TallyPriceSourceFeed, tally_price_source_feed, TALLY, FEED_PRICE_SOURCE, GObject)

/* token_symbol names the token in messages ("LABEL/USD"); NULL is "token". */
TallyPriceSourceFeed *tally_price_source_feed_new (TallyRpcClient     *client,
                                                   const TallyAddress *token_usd_feed,
                                                   const TallyAddress *eth_usd_feed,
                                                   const char         *token_symbol);
/* The profile's feeds, token symbol and feed decimals; a profile whose
 * price source is not TALLY_PRICE_SOURCE_FEED is
 * TALLY_CORE_ERROR_INVALID_PROFILE. */
TallyPriceSourceFeed *tally_price_source_feed_new_for_profile (TallyRpcClient      *client,
                                                               TallyNetworkProfile *profile,
                                                               GError             **error) G_GNUC_WARN_UNUSED_RESULT;

TallyRpcClient *tally_price_source_feed_get_client (TallyPriceSourceFeed *self);
void            tally_price_source_feed_set_client (TallyPriceSourceFeed *self,
                                                    TallyRpcClient       *client);
/* NULL while unset. The "token-usd-feed" and "eth-usd-feed" properties are
 * the EIP-55 strings. */
const TallyAddress *tally_price_source_feed_get_token_usd_feed (TallyPriceSourceFeed *self);
void                tally_price_source_feed_set_token_usd_feed (TallyPriceSourceFeed *self,
                                                                const TallyAddress   *address);
const TallyAddress *tally_price_source_feed_get_eth_usd_feed (TallyPriceSourceFeed *self);
void                tally_price_source_feed_set_eth_usd_feed (TallyPriceSourceFeed *self,
                                                              const TallyAddress   *address);
const char         *tally_price_source_feed_get_token_symbol (TallyPriceSourceFeed *self);
void                tally_price_source_feed_set_token_symbol (TallyPriceSourceFeed *self,
                                                              const char           *symbol);
/* The decimals both feeds are expected to answer with (the profile's);
 * a feed whose decimals() differs is TALLY_CORE_ERROR_INVALID_PROFILE.
 * 0 (the default) trusts decimals() as read. Either way decimals() is read
 * once per feed address and cached. */
guint tally_price_source_feed_get_feed_decimals (TallyPriceSourceFeed *self);
void  tally_price_source_feed_set_feed_decimals (TallyPriceSourceFeed *self,
                                                 guint                 decimals);
/* Seconds a round may lag behind the latest block. Default 1 hour. */
guint tally_price_source_feed_get_max_age (TallyPriceSourceFeed *self);
void  tally_price_source_feed_set_max_age (TallyPriceSourceFeed *self,
                                           guint                 seconds);

G_END_DECLS
