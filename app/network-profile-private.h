/* network-profile-private.h: what network-profile.c and network-list.c share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "network-profile.h"

G_BEGIN_DECLS

struct _TallyNetworkProfile
{
  GObject parent_instance;

  char                *id;
  char                *display_name;
  guint64              chain_id;
  GStrv                rpc_urls;
  char                *explorer_url;
  char                *native_symbol;
  gboolean             has_market;
  TallyAddress         market_address;
  TallyAddress         token_address;
  char                *token_symbol;
  guint                token_decimals;
  guint64              deployment_block;
  gboolean             is_local;
  TallyPriceSourceKind price_kind;
  TallyAddress         token_usd_feed;
  TallyAddress         eth_usd_feed;
  guint                price_feed_decimals;
  char                *price_base_url;
  char                *token_coin_id;
  char                *eth_coin_id;
  GStrv                demo_accounts;
};

G_END_DECLS
