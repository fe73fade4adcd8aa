/* fuzz-network-file.c: libFuzzer target for the network file reader
 * (app/network-profile.c)
 *
 * Input: a network file. It is either refused with an INVALID_PROFILE error
 * or read into a profile whose every field holds what the reader promises:
 * a chain id above 0, http(s) RPC URL, checksummed addresses, decimals in
 * range.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "core-error.h"
#include "network-profile.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr (TallyNetworkProfile) profile = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GUri) uri = NULL;
  const char *scheme;

  if (size > G_MAXSSIZE)
    return 0;
  profile = tally_network_profile_new_from_data ((const char *) data, (gssize) size, &error);
  if (profile == NULL)
    {
      g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }

  g_assert_no_error (error);
  g_assert_cmpuint (tally_network_profile_get_chain_id (profile), >, 0);
  uri = g_uri_parse (tally_network_profile_get_rpc_url (profile), G_URI_FLAGS_NONE, NULL);
  g_assert_nonnull (uri);
  scheme = g_uri_get_scheme (uri);
  g_assert_true (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "https") == 0);
  g_assert_nonnull (g_uri_get_host (uri));
  g_assert_true (tally_network_profile_has_market (profile));
  g_assert_nonnull (tally_network_profile_get_market_address (profile));
  g_assert_nonnull (tally_network_profile_get_token_address (profile));
  g_assert_cmpuint (tally_network_profile_get_token_decimals (profile), <=, TALLY_NETWORK_MAX_DECIMALS);
  g_assert_cmpuint (tally_network_profile_get_price_feed_decimals (profile), <=,
                    TALLY_NETWORK_MAX_DECIMALS);
  g_assert_cmpuint (strlen (tally_network_profile_get_token_symbol (profile)), >, 0);
  g_assert_true (g_utf8_validate (tally_network_profile_get_display_name (profile), -1, NULL));
  if (tally_network_profile_get_price_source_kind (profile) == TALLY_PRICE_SOURCE_FEED)
    g_assert_nonnull (tally_network_profile_get_eth_usd_feed (profile));
  else
    g_assert_null (tally_network_profile_get_token_usd_feed (profile));
  return 0;
}
