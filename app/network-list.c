/* network-list.c: the public networks Tally knows, as network profiles
 *
 * RPC endpoints and explorers are public ones, as their operators publish
 * them. Tally's contracts are not deployed on any of these chains yet, so
 * no market or token address is given, and has_market() says so.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include "core-error.h"
#include "network-profile-private.h"

typedef struct
{
  const char *id;
  const char *display_name;
  guint64     chain_id;
  const char *rpc_urls[3];
  const char *explorer_url;
  /* Test networks' ether has no market price. */
  gboolean has_price;
} BuiltinNetwork;

static const BuiltinNetwork builtin_networks[] = {
  { "mainnet", "Ethereum", 1, { "https://ethereum-rpc.publicnode.com", "https://cloudflare-eth.com", NULL }, "https://etherscan.io", TRUE },
  { "sepolia", "Sepolia (test network)", 11155111, { "https://ethereum-sepolia-rpc.publicnode.com", "https://rpc.sepolia.org", NULL }, "https://sepolia.etherscan.io", FALSE },
  { "base", "Base", 8453, { "https://mainnet.base.org", "https://base-rpc.publicnode.com", NULL }, "https://basescan.org", TRUE },
  { "base-sepolia", "Base Sepolia (test network)", 84532, { "https://sepolia.base.org", "https://base-sepolia-rpc.publicnode.com", NULL }, "https://sepolia.basescan.org", FALSE },
  { "arbitrum", "Arbitrum One", 42161, { "https://arb1.arbitrum.io/rpc", "https://arbitrum-one-rpc.publicnode.com", NULL }, "https://arbiscan.io", TRUE },
};

#define COINGECKO_BASE_URL "https://api.coingecko.com/api/v3"

static TallyNetworkProfile *
new_builtin (const BuiltinNetwork *entry)
{
  TallyNetworkProfile *self = g_object_new (TALLY_TYPE_NETWORK_PROFILE, NULL);

  self->id = g_strdup (entry->id);
  self->display_name = g_strdup (entry->display_name);
  self->chain_id = entry->chain_id;
  self->rpc_urls = g_strdupv ((char **) entry->rpc_urls);
  self->explorer_url = g_strdup (entry->explorer_url);
  self->native_symbol = g_strdup ("ETH");
  if (entry->has_price)
    {
      /* Base and Arbitrum pay fees in ether too. */
      self->price_kind = TALLY_PRICE_SOURCE_HTTP;
      self->price_base_url = g_strdup (COINGECKO_BASE_URL);
      self->eth_coin_id = g_strdup ("ethereum");
    }
  return self;
}

GListModel *
tally_network_profiles_builtin (void)
{
  static gsize store = 0;

  if (g_once_init_enter (&store))
    {
      GListStore *list = g_list_store_new (TALLY_TYPE_NETWORK_PROFILE);

      for (guint i = 0; i < G_N_ELEMENTS (builtin_networks); i++)
        {
          g_autoptr (TallyNetworkProfile) profile = new_builtin (&builtin_networks[i]);

          g_list_store_append (list, profile);
        }
      g_once_init_leave (&store, (gsize) list);
    }
  return g_object_ref (G_LIST_MODEL ((GListStore *) store));
}

TallyNetworkProfile *
tally_network_profiles_lookup (GListModel *profiles,
                               const char *id,
                               GError    **error)
{
  guint n;

  g_return_val_if_fail (G_IS_LIST_MODEL (profiles), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  n = g_list_model_get_n_items (profiles);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (TallyNetworkProfile) profile = g_list_model_get_item (profiles, i);

      if (g_strcmp0 (profile->id, id) == 0)
        return g_steal_pointer (&profile);
    }
  g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND,
               "There is no network “%s”", id);
  return NULL;
}
