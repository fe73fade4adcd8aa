/* test-price-source-feed.c: TallyPriceSourceFeed against tools/devnet's
 * PriceFeed contracts: the prices it deploys, updates posted with cast,
 * stale rounds (chain time moved forward), impossible answers written into
 * the feed's storage, a feed answering like a broken aggregator, addresses
 * without a feed, other currencies and cancellation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "core-error.h"
#include "price-source-feed.h"
#include "tally-test-devnet.h"
#include "wallet/hex.h"

#define DEVNET_TEMPLATE "tally-feed-XXXXXX"
/* tools/devnet's account 0, the feeds' owner. */
#define OWNER_KEY "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
/* PriceFeed's storage: latestRound at slot 2, the rounds mapping at slot 3;
 * a Round is the answer, then startedAt and updatedAt packed in one slot. */
#define SLOT_LATEST_ROUND "0x2"
#define SLOT_ROUNDS       "3"

static void
on_result (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static TallyPriceQuote *
get_prices (TallyPriceSourceFeed *source,
            const char           *currency,
            GCancellable         *cancellable,
            GError              **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  tally_price_source_get_prices_async (TALLY_PRICE_SOURCE (source), currency, cancellable,
                                       on_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return tally_price_source_get_prices_finish (TALLY_PRICE_SOURCE (source), result, error);
}

static TallyPriceSourceFeed *
source_for_devnet (TallyTestDevnet *devnet)
{
  g_autoptr (TallyRpcClient) client = tally_rpc_client_new (devnet->url);
  g_autoptr (GError) error = NULL;
  TallyPriceSourceFeed *source;

  source = tally_price_source_feed_new_for_profile (client, devnet->profile, &error);
  g_assert_no_error (error);
  return source;
}

static void
assert_decimal (const TallyDecimal *value,
                const char         *expected)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = tally_decimal_to_string (value);
  TallyDecimal     want;

  g_assert_true (tally_decimal_parse (&want, expected, &error));
  g_assert_no_error (error);
  if (!tally_decimal_equal (value, &want))
    g_error ("price %s, expected %s", text, expected);
}

static void
assert_prices (TallyPriceSourceFeed *source,
               const char           *token,
               const char           *eth)
{
  g_autoptr (TallyPriceQuote) quote = NULL;
  g_autoptr (GError) error = NULL;

  quote = get_prices (source, "usd", NULL, &error);
  g_assert_no_error (error);
  assert_decimal (tally_price_quote_get_token_price (quote), token);
  assert_decimal (tally_price_quote_get_eth_price (quote), eth);
}

static char *
address_text (const TallyAddress *address)
{
  char text[TALLY_ADDRESS_STRING_SIZE];

  tally_address_to_string (address, text);
  return g_strdup (text);
}

static guint64
latest_timestamp (TallyTestDevnet *devnet)
{
  g_autoptr (JsonNode) block =
    tally_test_devnet_rpc_result (devnet, NULL, "eth_getBlockByNumber", "[\"latest\", false]");
  const char *hex = json_object_get_string_member (json_node_get_object (block), "timestamp");

  return g_ascii_strtoull (hex + 2, NULL, 16);
}

static void
post_answer (TallyTestDevnet    *devnet,
             const TallyAddress *feed,
             const char         *answer)
{
  g_autofree char  *to = address_text (feed);
  const char *const args[] = { "send", "--private-key", OWNER_KEY, "--rpc-url", devnet->url,
                               to, "updateAnswer(int256)", answer, NULL };

  g_free (tally_test_cast (args));
}

static void
set_storage (TallyTestDevnet    *devnet,
             const TallyAddress *feed,
             const char         *slot,
             const char         *word)
{
  g_autofree char *to = address_text (feed);
  g_autofree char *params = g_strdup_printf ("[\"%s\", \"%s\", \"%s\"]", to, slot, word);
  g_autoptr (JsonNode) result =
    tally_test_devnet_rpc_result (devnet, NULL, "anvil_setStorageAt", params);
}

static void
advance_time (TallyTestDevnet *devnet,
              guint            seconds)
{
  g_autofree char *params = g_strdup_printf ("[%u]", seconds);
  g_autoptr (JsonNode) moved = tally_test_devnet_rpc_result (devnet, NULL, "evm_increaseTime",
                                                             params);
  g_autoptr (JsonNode) mined = tally_test_devnet_rpc_result (devnet, NULL, "evm_mine", "[]");
}

/* The prices Deploy.s.sol starts the feeds with: 0.05e8 and 3000e8. */
static void
test_initial (TallyTestDevnet *devnet,
              gconstpointer    data)
{
  g_autoptr (TallyPriceSourceFeed) source = source_for_devnet (devnet);
  g_autoptr (TallyPriceQuote) quote = NULL;
  g_autoptr (TallyPriceQuote) again = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *token_feed = NULL;
  g_autofree char *eth_feed = NULL;
  g_autofree char *symbol = NULL;
  guint            decimals = 0;
  guint            max_age = 0;
  TallyRpcStats    stats;
  guint64          requests;

  g_object_get (source, "token-usd-feed", &token_feed, "eth-usd-feed", &eth_feed, "token-symbol",
                &symbol, "feed-decimals", &decimals, "max-age", &max_age, NULL);
  g_assert_cmpstr (symbol, ==, "LABEL");
  g_assert_cmpuint (decimals, ==, 8);
  g_assert_cmpuint (max_age, ==, 3600);
  g_assert_true (tally_address_equal (tally_price_source_feed_get_token_usd_feed (source),
                                      tally_network_profile_get_token_usd_feed (devnet->profile)));

  quote = get_prices (source, "usd", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tally_price_quote_get_currency (quote), ==, "usd");
  assert_decimal (tally_price_quote_get_token_price (quote), "0.05");
  assert_decimal (tally_price_quote_get_eth_price (quote), "3000");
  g_assert_cmpuint (tally_price_quote_get_token_price (quote)->scale, ==, 8);
  g_assert_null (tally_price_quote_get_token_change (quote));
  g_assert_null (tally_price_quote_get_eth_change (quote));
  /* Both feeds were posted at deployment, before the latest block. */
  g_assert_cmpint (g_date_time_to_unix (tally_price_quote_get_updated_at (quote)), >, 0);
  g_assert_cmpint (g_date_time_to_unix (tally_price_quote_get_updated_at (quote)), <=,
                   (gint64) latest_timestamp (devnet));
  g_assert_nonnull (strstr (tally_price_quote_get_source (quote), token_feed));
  g_assert_nonnull (strstr (tally_price_quote_get_source (quote), eth_feed));

  /* One batch per quote, the second without decimals() but the same answer;
   * the currency code is not case-sensitive. */
  tally_rpc_client_get_stats (tally_price_source_feed_get_client (source), &stats);
  requests = stats.requests_sent;
  again = get_prices (source, "USD", NULL, &error);
  g_assert_no_error (error);
  tally_rpc_client_get_stats (tally_price_source_feed_get_client (source), &stats);
  g_assert_cmpuint (stats.requests_sent, ==, requests + 1);
  g_assert_true (tally_decimal_equal (tally_price_quote_get_token_price (again),
                                      tally_price_quote_get_token_price (quote)));
}

static void
test_update (TallyTestDevnet *devnet,
             gconstpointer    data)
{
  g_autoptr (TallyPriceSourceFeed) source = source_for_devnet (devnet);
  g_autoptr (TallyPriceQuote) quote = NULL;
  g_autoptr (GError) error = NULL;

  assert_prices (source, "0.05", "3000");
  post_answer (devnet, tally_network_profile_get_token_usd_feed (devnet->profile), "7512345");
  assert_prices (source, "0.07512345", "3000");
  post_answer (devnet, tally_network_profile_get_eth_usd_feed (devnet->profile), "185175120001");
  quote = get_prices (source, "usd", NULL, &error);
  g_assert_no_error (error);
  assert_decimal (tally_price_quote_get_token_price (quote), "0.07512345");
  assert_decimal (tally_price_quote_get_eth_price (quote), "1851.75120001");
  g_assert_cmpint (g_date_time_to_unix (tally_price_quote_get_updated_at (quote)), <=,
                   (gint64) latest_timestamp (devnet));
}

/* Chain time moves three hours on: both rounds are stale until refreshed,
 * or until a larger max-age allows them. */
static void
test_stale (TallyTestDevnet *devnet,
            gconstpointer    data)
{
  g_autoptr (TallyPriceSourceFeed) source = source_for_devnet (devnet);
  g_autoptr (TallyPriceQuote) quote = NULL;
  g_autoptr (GError) error = NULL;

  advance_time (devnet, 3 * 3600 + 60);

  quote = get_prices (source, "usd", NULL, &error);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STALE_PRICE);
  g_assert_null (quote);
  g_assert_cmpstr (error->message, ==, "The LABEL/USD price is 3 h old; the feed may be stuck.");
  g_clear_error (&error);

  post_answer (devnet, tally_network_profile_get_token_usd_feed (devnet->profile), "6000000");
  quote = get_prices (source, "usd", NULL, &error);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STALE_PRICE);
  g_assert_cmpstr (error->message, ==, "The ETH/USD price is 3 h old; the feed may be stuck.");
  g_clear_error (&error);

  tally_price_source_feed_set_max_age (source, 4 * 3600);
  assert_prices (source, "0.06", "3000");
  tally_price_source_feed_set_max_age (source, 3600);
  post_answer (devnet, tally_network_profile_get_eth_usd_feed (devnet->profile), "290000000000");
  assert_prices (source, "0.06", "2900");
}

/* PriceFeed refuses to post answers that are not positive; a feed that
 * holds one anyway (written into its storage here) is refused by us. */
static void
test_bad_answer (TallyTestDevnet *devnet,
                 gconstpointer    data)
{
  g_autoptr (TallyPriceSourceFeed) source = source_for_devnet (devnet);
  const TallyAddress *feed = tally_network_profile_get_token_usd_feed (devnet->profile);
  g_autoptr (TallyPriceQuote) quote = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char  *feed_text = address_text (feed);
  const char *const index_args[] = { "index", "uint80", "1", SLOT_ROUNDS, NULL };
  g_autofree char  *slot = tally_test_cast (index_args);

  assert_prices (source, "0.05", "3000");

  set_storage (devnet, feed, slot,
               "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff85");
  quote = get_prices (source, "usd", NULL, &error);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_assert_null (quote);
  g_assert_nonnull (strstr (error->message, "LABEL/USD"));
  g_assert_nonnull (strstr (error->message, feed_text));
  g_assert_nonnull (strstr (error->message, "-123"));
  g_clear_error (&error);

  set_storage (devnet, feed, slot,
               "0x0000000000000000000000000000000000000000000000000000000000000000");
  quote = get_prices (source, "usd", NULL, &error);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_assert_nonnull (strstr (error->message, "answered 0,"));
  g_clear_error (&error);

  /* latestRound pointing at a round never posted: the feed reverts. */
  post_answer (devnet, feed, "5000000");
  assert_prices (source, "0.05", "3000");
  set_storage (devnet, feed, SLOT_LATEST_ROUND,
               "0x0000000000000000000000000000000000000000000000000000000000000009");
  quote = get_prices (source, "usd", NULL, &error);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_RPC);
  g_assert_nonnull (strstr (error->message, "latestRoundData"));
  g_assert_nonnull (strstr (error->message, feed_text));
}

/* Code that answers decimals() with 8 and anything else with the five
 * words appended to it, as a broken aggregator might. */
static void
set_round_code (TallyTestDevnet    *devnet,
                const TallyAddress *feed,
                guint64             round_id,
                guint64             answer,
                guint64             updated_at,
                guint64             answered_in_round)
{
  static const guint8 code[] = {
    0x60, 0x00, 0x35, 0x60, 0xe0, 0x1c,       /* calldataload(0) >> 224 */
    0x63, 0x31, 0x3c, 0xe5, 0x67, 0x14,       /* == decimals() */
    0x60, 0x1b, 0x57,                         /* jumpi 0x1b */
    0x60, 0xa0, 0x60, 0x26, 0x60, 0x00, 0x39, /* codecopy(0, 0x26, 160) */
    0x60, 0xa0, 0x60, 0x00, 0xf3,             /* return(0, 160) */
    0x5b, 0x60, 0x08, 0x60, 0x00, 0x52,       /* 0x1b: mstore(0, 8) */
    0x60, 0x20, 0x60, 0x00, 0xf3,             /* return(0, 32) */
  };
  guint64          words[5] = { round_id, answer, updated_at, updated_at, answered_in_round };
  guint8           image[sizeof code + 5 * 32] = { 0 };
  g_autofree char *hex = NULL;
  g_autofree char *to = address_text (feed);
  g_autofree char *params = NULL;
  g_autoptr (JsonNode) result = NULL;

  G_STATIC_ASSERT (sizeof code == 0x26);
  memcpy (image, code, sizeof code);
  for (guint w = 0; w < 5; w++)
    for (guint b = 0; b < 8; b++)
      image[sizeof code + w * 32 + 31 - b] = (guint8) (words[w] >> (8 * b));
  hex = tally_hex_encode (image, sizeof image);
  params = g_strdup_printf ("[\"%s\", \"%s\"]", to, hex);
  result = tally_test_devnet_rpc_result (devnet, NULL, "anvil_setCode", params);
}

static void
test_round_checks (TallyTestDevnet *devnet,
                   gconstpointer    data)
{
  const TallyAddress *feed = tally_network_profile_get_eth_usd_feed (devnet->profile);
  guint64             now = latest_timestamp (devnet);

  /* A sound round from this code reads, so the failures below are the checks'. */
  {
    g_autoptr (TallyPriceSourceFeed) source = source_for_devnet (devnet);

    set_round_code (devnet, feed, 7, 250000000000, now, 7);
    assert_prices (source, "0.05", "2500");
  }
  {
    g_autoptr (TallyPriceSourceFeed) source = source_for_devnet (devnet);
    g_autoptr (TallyPriceQuote) quote = NULL;
    g_autoptr (GError) error = NULL;

    set_round_code (devnet, feed, 7, 250000000000, now, 6);
    quote = get_prices (source, "usd", NULL, &error);
    g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STALE_PRICE);
    g_assert_nonnull (strstr (error->message, "ETH/USD price is carried over"));
  }
  {
    g_autoptr (TallyPriceSourceFeed) source = source_for_devnet (devnet);
    g_autoptr (TallyPriceQuote) quote = NULL;
    g_autoptr (GError) error = NULL;

    set_round_code (devnet, feed, 7, 250000000000, 0, 7);
    quote = get_prices (source, "usd", NULL, &error);
    g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
    g_assert_nonnull (strstr (error->message, "no complete round"));
  }
  /* A feed whose decimals() differs from what the profile says. */
  {
    g_autoptr (TallyPriceSourceFeed) source = source_for_devnet (devnet);
    g_autoptr (TallyPriceQuote) quote = NULL;
    g_autoptr (GError) error = NULL;

    set_round_code (devnet, feed, 7, 250000000000, now, 7);
    tally_price_source_feed_set_feed_decimals (source, 6);
    quote = get_prices (source, "usd", NULL, &error);
    g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE);
    g_assert_nonnull (strstr (error->message, "8 decimals"));
  }
}

/* An address without code, and a contract that is not a feed. */
static void
test_not_a_feed (TallyTestDevnet *devnet,
                 gconstpointer    data)
{
  g_autoptr (TallyPriceSourceFeed) source = source_for_devnet (devnet);
  g_autoptr (TallyPriceQuote) quote = NULL;
  g_autoptr (GError) error = NULL;
  TallyAddress nowhere;

  g_assert_true (tally_address_parse (&nowhere, "0x000000000000000000000000000000000000dEaD",
                                      &error));
  tally_price_source_feed_set_token_usd_feed (source, &nowhere);
  quote = get_prices (source, "usd", NULL, &error);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_assert_null (quote);
  g_assert_nonnull (strstr (error->message, "no price feed contract at "
                                            "0x000000000000000000000000000000000000dEaD"));
  g_clear_error (&error);

  tally_price_source_feed_set_token_usd_feed (
    source, tally_network_profile_get_token_address (devnet->profile));
  /* LabelToken has a decimals(), 18, unlike the profile's feeds... */
  quote = get_prices (source, "usd", NULL, &error);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE);
  g_assert_nonnull (strstr (error->message, "LABEL/USD feed"));
  g_assert_nonnull (strstr (error->message, "18 decimals"));
  g_clear_error (&error);
  /* ...but no latestRoundData(): the call reverts. */
  tally_price_source_feed_set_feed_decimals (source, 0);
  quote = get_prices (source, "usd", NULL, &error);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_RPC);
  g_assert_nonnull (strstr (error->message, "latestRoundData() of the LABEL/USD feed"));
  g_clear_error (&error);
  tally_price_source_feed_set_feed_decimals (source, 8);

  /* Back on the real feed, the cached state does not linger. */
  tally_price_source_feed_set_token_usd_feed (
    source, tally_network_profile_get_token_usd_feed (devnet->profile));
  assert_prices (source, "0.05", "3000");
}

static void
test_cancel (TallyTestDevnet *devnet,
             gconstpointer    data)
{
  g_autoptr (TallyPriceSourceFeed) source = source_for_devnet (devnet);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (TallyPriceQuote) quote = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  /* Cancelled while the batch is under way. */
  tally_price_source_get_prices_async (TALLY_PRICE_SOURCE (source), "usd", cancellable, on_result,
                                       &result);
  g_cancellable_cancel (cancellable);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  quote = tally_price_source_get_prices_finish (TALLY_PRICE_SOURCE (source), result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (quote);
  g_clear_error (&error);

  /* Cancelled before it starts. */
  quote = get_prices (source, "usd", cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* And the source still works afterwards. */
  assert_prices (source, "0.05", "3000");
}

/* No chain needed: what the source refuses before asking one. */
static void
test_refusals (void)
{
  g_autoptr (TallyRpcClient) client = tally_rpc_client_new ("http://127.0.0.1:9");
  g_autoptr (GListModel) builtin = tally_network_profiles_builtin ();
  g_autoptr (TallyPriceSourceFeed) source = NULL;
  g_autoptr (TallyPriceQuote) quote = NULL;
  g_autoptr (GError) error = NULL;
  TallyAddress feed;
  gboolean     tried = FALSE;

  g_assert_true (tally_address_parse (&feed, "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
                                      &error));
  source = tally_price_source_feed_new (client, &feed, &feed, NULL);
  quote = get_prices (source, "eur", NULL, &error);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_assert_null (quote);
  g_assert_cmpstr (error->message, ==,
                   "The on-chain price feeds give prices in US dollars only, not in EUR");
  g_clear_error (&error);

  tally_price_source_feed_set_eth_usd_feed (source, NULL);
  quote = get_prices (source, "usd", NULL, &error);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE);
  g_clear_error (&error);

  for (guint i = 0; i < g_list_model_get_n_items (builtin); i++)
    {
      g_autoptr (TallyNetworkProfile) profile = g_list_model_get_item (builtin, i);
      g_autoptr (TallyPriceSourceFeed) other = NULL;

      if (tally_network_profile_get_price_source_kind (profile) == TALLY_PRICE_SOURCE_FEED)
        continue;
      other = tally_price_source_feed_new_for_profile (client, profile, &error);
      g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE);
      g_assert_null (other);
      g_clear_error (&error);
      tried = TRUE;
    }
  g_assert_true (tried);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD_DEVNET_TEST(path, func)                                                   \
  g_test_add (path, TallyTestDevnet, DEVNET_TEMPLATE, tally_test_devnet_set_up, func, \
              tally_test_devnet_tear_down)

  ADD_DEVNET_TEST ("/core/price-feed/initial", test_initial);
  ADD_DEVNET_TEST ("/core/price-feed/update", test_update);
  ADD_DEVNET_TEST ("/core/price-feed/stale", test_stale);
  ADD_DEVNET_TEST ("/core/price-feed/bad-answer", test_bad_answer);
  ADD_DEVNET_TEST ("/core/price-feed/round-checks", test_round_checks);
  ADD_DEVNET_TEST ("/core/price-feed/not-a-feed", test_not_a_feed);
  ADD_DEVNET_TEST ("/core/price-feed/cancel", test_cancel);
  g_test_add_func ("/core/price-feed/refusals", test_refusals);

  return g_test_run ();
}
