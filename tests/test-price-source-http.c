/* test-price-source-http.c: the CoinGecko-shaped price source against a
 * real in-process HTTP server on 127.0.0.1
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "core-error.h"
#include "price-history.h"
#include "price-reply.h"
#include "price-source-http.h"

#define TOKEN_ID "label-token"

#define REPLY_OK                                                               \
  "{\"label-token\":{\"usd\":0.0421,\"usd_24h_change\":-2.345,\"eur\":0.0389," \
  "\"eur_24h_change\":null,\"last_updated_at\":1764070000},"                   \
  "\"ethereum\":{\"usd\":1851.7512,\"usd_24h_change\":1.2,\"eur\":1712.3,"     \
  "\"jpy\":287654,\"jpy_24h_change\":0,\"last_updated_at\":1764070060}}"

#define REPLY_JPY                                                    \
  "{\"label-token\":{\"jpy\":6.5e0,\"last_updated_at\":1764070000}," \
  "\"ethereum\":{\"jpy\":2.87654E+5,\"jpy_24h_change\":0}}"

typedef struct
{
  SoupServer *server;
  char       *base_url;

  /* what the server answers */
  guint       status;
  const char *body;
  const char *retry_after;
  guint       n_rate_limited; /* 429s before the real answer */
  gboolean    stall;
  gboolean    chunked;

  /* what it saw */
  guint              n_requests;
  char              *last_query;
  SoupServerMessage *stalled;

  TallyPriceSourceHttp *source;
} Fixture;

static void
handle (SoupServer        *server,
        SoupServerMessage *message,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  Fixture            *fixture = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (message);

  fixture->n_requests++;
  g_free (fixture->last_query);
  fixture->last_query = g_strdup (g_uri_get_query (soup_server_message_get_uri (message)));
  g_assert_cmpstr (path, ==, "/api/v3/simple/price");

  if (fixture->n_rate_limited > 0)
    {
      fixture->n_rate_limited--;
      soup_server_message_set_status (message, 429, NULL);
      if (fixture->retry_after != NULL)
        soup_message_headers_replace (headers, "Retry-After", fixture->retry_after);
      soup_server_message_set_response (message, "application/json", SOUP_MEMORY_STATIC,
                                        "{\"status\":{\"error_code\":429}}", 28);
      return;
    }

  if (fixture->stall)
    {
      /* never answered: the client's timeout or cancellation must act */
      g_assert_null (fixture->stalled);
      fixture->stalled = g_object_ref (message);
      soup_server_message_pause (message);
      return;
    }

  soup_server_message_set_status (message, fixture->status, NULL);
  if (fixture->chunked)
    {
      SoupMessageBody *body = soup_server_message_get_response_body (message);

      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      soup_message_headers_set_content_type (headers, "application/json", NULL);
      for (guint i = 0; i < 20; i++)
        soup_message_body_append (body, SOUP_MEMORY_COPY, fixture->body, strlen (fixture->body));
      soup_message_body_complete (body);
      return;
    }
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY, fixture->body,
                                    strlen (fixture->body));
}

static void
fixture_setup (Fixture      *fixture,
               gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  GSList *uris;

  fixture->status = SOUP_STATUS_OK;
  fixture->body = REPLY_OK;
  fixture->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fixture->server, NULL, handle, fixture, NULL);
  g_assert_true (soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY,
                                           &error));
  g_assert_no_error (error);

  uris = soup_server_get_uris (fixture->server);
  g_assert_nonnull (uris);
  fixture->base_url = g_strdup_printf ("http://127.0.0.1:%d/api/v3/",
                                       g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  fixture->source = tally_price_source_http_new (fixture->base_url, TOKEN_ID);
}

static void
fixture_teardown (Fixture      *fixture,
                  gconstpointer data)
{
  g_assert_finalize_object (fixture->source);
  if (fixture->stalled != NULL)
    {
      soup_server_message_set_status (fixture->stalled, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      soup_server_message_unpause (fixture->stalled);
      g_clear_object (&fixture->stalled);
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
  soup_server_disconnect (fixture->server);
  g_clear_object (&fixture->server);
  g_free (fixture->base_url);
  g_free (fixture->last_query);
}

static void
on_done (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static TallyPriceQuote *
get_prices (Fixture      *fixture,
            const char   *currency,
            GCancellable *cancellable,
            GError      **error)
{
  TallyPriceSource *source = TALLY_PRICE_SOURCE (fixture->source);
  g_autoptr (GAsyncResult) result = NULL;

  tally_price_source_get_prices_async (source, currency, cancellable, on_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return tally_price_source_get_prices_finish (source, result, error);
}

static void
assert_decimal (const TallyDecimal *value,
                const char         *expected)
{
  g_autofree char *text = NULL;

  if (expected == NULL)
    {
      g_assert_null (value);
      return;
    }
  g_assert_nonnull (value);
  text = tally_decimal_to_string (value);
  g_assert_cmpstr (text, ==, expected);
}

static void
expect_error (Fixture    *fixture,
              const char *currency,
              GQuark      domain,
              gint        code,
              const char *in_message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyPriceQuote) quote = get_prices (fixture, currency, NULL, &error);

  g_assert_null (quote);
  g_assert_error (error, domain, code);
  if (in_message != NULL && strstr (error->message, in_message) == NULL)
    g_error ("“%s” is not in “%s”", in_message, error->message);
}

static void
test_quote (Fixture      *fixture,
            gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyPriceQuote) quote = get_prices (fixture, "usd", NULL, &error);
  g_autoptr (TallyPriceQuote) cached = NULL;
  g_autoptr (GDateTime) expected_time = g_date_time_new_from_unix_utc (1764070000);

  g_assert_no_error (error);
  g_assert_nonnull (quote);
  g_assert_cmpstr (fixture->last_query, ==,
                   "ids=label-token,ethereum&vs_currencies=usd&include_24hr_change=true"
                   "&include_last_updated_at=true");
  g_assert_cmpstr (tally_price_quote_get_currency (quote), ==, "usd");
  assert_decimal (tally_price_quote_get_token_price (quote), "0.0421");
  assert_decimal (tally_price_quote_get_token_change (quote), "-2.345");
  assert_decimal (tally_price_quote_get_eth_price (quote), "1851.7512");
  assert_decimal (tally_price_quote_get_eth_change (quote), "1.2");
  g_assert_cmpuint (tally_price_quote_get_eth_price (quote)->scale, ==, 4);
  /* the older of the two coins' times */
  g_assert_true (g_date_time_equal (tally_price_quote_get_updated_at (quote), expected_time));
  g_assert_cmpstr (tally_price_quote_get_source (quote), ==, fixture->base_url);

  cached = tally_price_source_http_get_cached (fixture->source, "USD");
  g_assert_true (cached == quote);
  g_assert_null (tally_price_source_http_get_cached (fixture->source, "eur"));
}

static void
test_currencies (Fixture      *fixture,
                 gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyPriceQuote) eur = get_prices (fixture, "EUR", NULL, &error);
  g_autoptr (TallyPriceQuote) jpy = NULL;
  g_autoptr (GDateTime) before = NULL;

  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (fixture->last_query, "vs_currencies=eur"
                                                        "&include_24hr_change=true"
                                                        "&include_last_updated_at=true"));
  assert_decimal (tally_price_quote_get_token_price (eur), "0.0389");
  assert_decimal (tally_price_quote_get_token_change (eur), NULL); /* null */
  assert_decimal (tally_price_quote_get_eth_price (eur), "1712.3");
  assert_decimal (tally_price_quote_get_eth_change (eur), NULL); /* absent */

  /* exponents in the literal, one coin without a time: the other's */
  fixture->body = REPLY_JPY;
  before = g_date_time_new_now_utc ();
  jpy = get_prices (fixture, "jpy", NULL, &error);
  g_assert_no_error (error);
  assert_decimal (tally_price_quote_get_token_price (jpy), "6.5");
  assert_decimal (tally_price_quote_get_eth_price (jpy), "287654");
  assert_decimal (tally_price_quote_get_eth_change (jpy), "0");
  g_assert_cmpint (g_date_time_to_unix (tally_price_quote_get_updated_at (jpy)), ==, 1764070000);
  g_assert_cmpuint (fixture->n_requests, ==, 2);
}

static void
test_same_id (Fixture      *fixture,
              gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyPriceQuote) quote = NULL;

  /* a token that is ether itself is asked for once */
  tally_price_source_http_set_token_id (fixture->source, "ethereum");
  quote = get_prices (fixture, "usd", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (fixture->last_query, "ids=ethereum&"));
  assert_decimal (tally_price_quote_get_token_price (quote), "1851.7512");
}

static void
test_cache (Fixture      *fixture,
            gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyPriceQuote) first = get_prices (fixture, "usd", NULL, &error);
  g_autoptr (TallyPriceQuote) second = NULL;
  g_autoptr (TallyPriceQuote) third = NULL;
  g_autoptr (TallyPriceQuote) fourth = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (tally_price_source_http_get_cache_ttl (fixture->source), ==, 60);
  second = get_prices (fixture, "usd", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (second == first);
  g_assert_cmpuint (fixture->n_requests, ==, 1);

  /* another currency is another question */
  third = get_prices (fixture, "eur", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->n_requests, ==, 2);

  /* other coin ids forget the cache */
  tally_price_source_http_set_eth_id (fixture->source, "ethereum");
  g_assert_cmpuint (fixture->n_requests, ==, 2);
  tally_price_source_http_set_token_id (fixture->source, "label-token");
  fourth = get_prices (fixture, "usd", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->n_requests, ==, 2);
  g_clear_pointer (&fourth, tally_price_quote_unref);
  g_object_set (fixture->source, "eth-id", "ethereum", "token-id", "label-token", NULL);
  tally_price_source_http_set_base_url (fixture->source, fixture->base_url);
  fourth = get_prices (fixture, "usd", NULL, &error);
  g_assert_cmpuint (fixture->n_requests, ==, 2);
  g_clear_pointer (&fourth, tally_price_quote_unref);
  tally_price_source_http_set_token_id (fixture->source, "ethereum");
  fourth = get_prices (fixture, "usd", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->n_requests, ==, 3);
}

static void
test_cache_ttl (Fixture      *fixture,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyPriceQuote) quote = NULL;

  tally_price_source_http_set_cache_ttl (fixture->source, 1);
  quote = get_prices (fixture, "usd", NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&quote, tally_price_quote_unref);
  quote = get_prices (fixture, "usd", NULL, &error);
  g_assert_cmpuint (fixture->n_requests, ==, 1);
  g_clear_pointer (&quote, tally_price_quote_unref);

  g_usleep (1100 * G_TIME_SPAN_MILLISECOND);
  quote = get_prices (fixture, "usd", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->n_requests, ==, 2);
  g_clear_pointer (&quote, tally_price_quote_unref);

  /* 0: every call asks */
  tally_price_source_http_set_cache_ttl (fixture->source, 0);
  quote = get_prices (fixture, "usd", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->n_requests, ==, 3);
}

static void
test_server_error_keeps_cache (Fixture      *fixture,
                               gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyPriceQuote) quote = get_prices (fixture, "usd", NULL, &error);
  g_autoptr (TallyPriceQuote) cached = NULL;

  g_assert_no_error (error);
  tally_price_source_http_set_cache_ttl (fixture->source, 0);
  fixture->status = SOUP_STATUS_INTERNAL_SERVER_ERROR;
  fixture->body = "{\"error\":\"down\"}";
  expect_error (fixture, "usd", TALLY_CORE_ERROR, TALLY_CORE_ERROR_HTTP, "HTTP 500");

  /* the last good quote stays available, marked by its time */
  cached = tally_price_source_http_get_cached (fixture->source, "usd");
  g_assert_true (cached == quote);

  fixture->status = SOUP_STATUS_NOT_FOUND;
  expect_error (fixture, "usd", TALLY_CORE_ERROR, TALLY_CORE_ERROR_HTTP, "HTTP 404");
  g_assert_cmpuint (fixture->n_requests, ==, 3);
}

static void
test_rate_limited_then_ok (Fixture      *fixture,
                           gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyPriceQuote) quote = NULL;
  gint64 start;

  fixture->n_rate_limited = 1;
  fixture->retry_after = "1";
  start = g_get_monotonic_time ();
  quote = get_prices (fixture, "usd", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_TIME_SPAN_SECOND);
  g_assert_cmpuint (fixture->n_requests, ==, 2);
  assert_decimal (tally_price_quote_get_eth_price (quote), "1851.7512");
}

static void
test_rate_limited_backoff (Fixture      *fixture,
                           gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyPriceQuote) quote = NULL;
  gint64 start;

  /* no Retry-After: back off by a second, then twice that */
  fixture->n_rate_limited = 1;
  start = g_get_monotonic_time ();
  quote = get_prices (fixture, "usd", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_TIME_SPAN_SECOND);
  g_assert_cmpuint (fixture->n_requests, ==, 2);
  g_clear_pointer (&quote, tally_price_quote_unref);

  /* an HTTP date in the past: go again at once */
  tally_price_source_http_set_cache_ttl (fixture->source, 0);
  fixture->n_rate_limited = 1;
  fixture->retry_after = "Wed, 21 Oct 2015 07:28:00 GMT";
  start = g_get_monotonic_time ();
  quote = get_prices (fixture, "usd", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_TIME_SPAN_SECOND);
  g_assert_cmpuint (fixture->n_requests, ==, 4);
}

static void
test_rate_limited_storm (Fixture      *fixture,
                         gconstpointer data)
{
  fixture->n_rate_limited = 1000;
  fixture->retry_after = "0";
  tally_price_source_http_set_max_attempts (fixture->source, 4);
  expect_error (fixture, "usd", TALLY_CORE_ERROR, TALLY_CORE_ERROR_RATE_LIMITED, "4 attempts");
  g_assert_cmpuint (fixture->n_requests, ==, 4);

  /* a wait longer than allowed is not waited for */
  fixture->retry_after = "3600";
  expect_error (fixture, "usd", TALLY_CORE_ERROR, TALLY_CORE_ERROR_RATE_LIMITED, "3600 s");
  g_assert_cmpuint (fixture->n_requests, ==, 5);
}

static void
test_malformed (Fixture      *fixture,
                gconstpointer data)
{
  static const struct
  {
    const char *body;
    const char *in_message;
  } cases[] = {
    { "", "not JSON" },
    { "<html>rate limited</html>", "not JSON" },
    { "{\"label-token\":{\"usd\":0.0421}", "not JSON" },
    { "[1851.7512]", "should be an object, found array" },
    { "{\"ethereum\":{\"usd\":1851.7512}}", "no price for “label-token”" },
    { "{\"label-token\":{\"usd\":1},\"ethereum\":{}}", "“ethereum.usd” is missing" },
    { "{\"label-token\":{\"usd\":1},\"ethereum\":{\"eur\":1}}", "“ethereum.usd” is missing" },
    { "{\"label-token\":[],\"ethereum\":{\"usd\":1}}",
      "“label-token” should be an object, found array" },
    { "{\"label-token\":{\"usd\":\"0.04\"},\"ethereum\":{\"usd\":1}}",
      "“label-token.usd” should be a number, found string" },
    { "{\"label-token\":{\"usd\":null},\"ethereum\":{\"usd\":1}}",
      "“label-token.usd” should be a number, found null" },
    { "{\"label-token\":{\"usd\":-0.04},\"ethereum\":{\"usd\":1}}",
      "“label-token.usd” is negative" },
    { "{\"label-token\":{\"usd\":1},\"ethereum\":{\"usd\":1e400}}",
      "“ethereum.usd”: The number “1e400” has an absurd exponent" },
    { "{\"label-token\":{\"usd\":1e-50},\"ethereum\":{\"usd\":1}}", "“label-token.usd”" },
    { "{\"label-token\":{\"usd\":1,\"usd_24h_change\":\"-2\"},\"ethereum\":{\"usd\":1}}",
      "“label-token.usd_24h_change” should be a number, found string" },
    { "{\"label-token\":{\"usd\":1,\"last_updated_at\":1.5},\"ethereum\":{\"usd\":1}}",
      "“label-token.last_updated_at” is not a time" },
    { "{\"label-token\":{\"usd\":1,\"last_updated_at\":-1},\"ethereum\":{\"usd\":1}}",
      "“label-token.last_updated_at” is not a time" },
    { "{\"label-token\":{\"usd\":1,\"last_updated_at\":\"now\"},\"ethereum\":{\"usd\":1}}",
      "“label-token.last_updated_at” should be a number, found string" },
    { "{\"label-token\":{\"usd\":1,\"usd\":2},\"ethereum\":{\"usd\":1}}", "not JSON" },
  };

  tally_price_source_http_set_cache_ttl (fixture->source, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].body);
      fixture->body = cases[i].body;
      expect_error (fixture, "usd", TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                    cases[i].in_message);
    }
  g_assert_null (tally_price_source_http_get_cached (fixture->source, "usd"));
}

static void
test_too_large (Fixture      *fixture,
                gconstpointer data)
{
  g_autofree char *huge = g_strnfill (TALLY_PRICE_REPLY_MAX_SIZE + 1, ' ');
  g_autofree char *part = g_strnfill (TALLY_PRICE_REPLY_MAX_SIZE / 16, ' ');

  tally_price_source_http_set_cache_ttl (fixture->source, 0);

  /* announced by Content-Length */
  fixture->body = huge;
  expect_error (fixture, "usd", TALLY_CORE_ERROR, TALLY_CORE_ERROR_TOO_LARGE, "announced");

  /* chunked, no length: found while reading (20 × 1/16 of the cap) */
  fixture->chunked = TRUE;
  fixture->body = part;
  expect_error (fixture, "usd", TALLY_CORE_ERROR, TALLY_CORE_ERROR_TOO_LARGE, "more than");

  /* a chunked reply within the cap still parses */
  fixture->body = " ";
  expect_error (fixture, "usd", TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY, "not JSON");
}

static void
test_timeout (Fixture      *fixture,
              gconstpointer data)
{
  gint64 start = g_get_monotonic_time ();

  fixture->stall = TRUE;
  tally_price_source_http_set_timeout (fixture->source, 1);
  expect_error (fixture, "usd", TALLY_CORE_ERROR, TALLY_CORE_ERROR_TIMED_OUT, "in time");
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_TIME_SPAN_SECOND);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_TIME_SPAN_SECOND);
}

static gboolean
cancel_later (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
expect_cancelled (Fixture *fixture)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyPriceQuote) quote = NULL;
  gint64 start = g_get_monotonic_time ();

  g_timeout_add_full (G_PRIORITY_DEFAULT, 100, cancel_later, g_object_ref (cancellable),
                      g_object_unref);
  quote = get_prices (fixture, "usd", cancellable, &error);
  g_assert_null (quote);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_TIME_SPAN_SECOND);
}

static void
test_cancel (Fixture      *fixture,
             gconstpointer data)
{
  g_autoptr (GCancellable) cancelled = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyPriceQuote) quote = NULL;

  /* before the call */
  g_cancellable_cancel (cancelled);
  quote = get_prices (fixture, "usd", cancelled, &error);
  g_assert_null (quote);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (fixture->n_requests, ==, 0);

  /* while waiting out a 429 */
  fixture->n_rate_limited = 1;
  fixture->retry_after = "5";
  expect_cancelled (fixture);
  g_assert_cmpuint (fixture->n_requests, ==, 1);

  /* while the server sits on the request */
  fixture->stall = TRUE;
  expect_cancelled (fixture);
  g_assert_cmpuint (fixture->n_requests, ==, 2);
}

static void
test_bad_url (Fixture      *fixture,
              gconstpointer data)
{
  tally_price_source_http_set_base_url (fixture->source, "ftp://example.invalid/");
  expect_error (fixture, "usd", TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE, "ftp://");
  tally_price_source_http_set_base_url (fixture->source, "not a url");
  expect_error (fixture, "usd", TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_PROFILE, NULL);
  g_assert_cmpuint (fixture->n_requests, ==, 0);
}

static void
test_unreachable (Fixture      *fixture,
                  gconstpointer data)
{
  /* a port nobody listens on: the fixture's server, once closed */
  soup_server_disconnect (fixture->server);
  expect_error (fixture, "usd", TALLY_CORE_ERROR, TALLY_CORE_ERROR_NETWORK, "Could not reach");
}

static void
test_properties (Fixture      *fixture,
                 gconstpointer data)
{
  g_autofree char *base = NULL;
  g_autofree char *eth = NULL;
  guint            ttl, timeout, attempts, delay;

  g_object_get (fixture->source, "base-url", &base, "eth-id", &eth, "cache-ttl", &ttl, "timeout",
                &timeout, "max-attempts", &attempts, "max-retry-delay", &delay, NULL);
  g_assert_cmpstr (base, ==, fixture->base_url);
  g_assert_cmpstr (eth, ==, "ethereum");
  g_assert_cmpuint (ttl, ==, 60);
  g_assert_cmpuint (timeout, ==, 15);
  g_assert_cmpuint (attempts, ==, 3);
  g_assert_cmpuint (delay, ==, 30);
  g_assert_true (TALLY_IS_PRICE_SOURCE (fixture->source));

  tally_price_source_http_set_max_retry_delay (fixture->source, 5);
  g_assert_cmpuint (tally_price_source_http_get_max_retry_delay (fixture->source), ==, 5);
  g_assert_cmpstr (tally_price_source_http_get_token_id (fixture->source), ==, TOKEN_ID);
}

typedef struct
{
  guint position, removed, added;
} Change;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  GArray *changes = user_data;
  Change  change = { position, removed, added };

  g_array_append_val (changes, change);
}

static void
assert_change (GArray *changes,
               guint   index,
               guint   position,
               guint   removed,
               guint   added)
{
  Change *change;

  g_assert_cmpuint (index, <, changes->len);
  change = &g_array_index (changes, Change, index);
  g_assert_cmpuint (change->position, ==, position);
  g_assert_cmpuint (change->removed, ==, removed);
  g_assert_cmpuint (change->added, ==, added);
}

static void
assert_point (GListModel *model,
              guint       position,
              gint64      unix_time,
              const char *price)
{
  g_autoptr (TallyPricePoint) point = g_list_model_get_item (model, position);
  g_autoptr (GDateTime) time = NULL;
  g_autofree char *text = NULL;

  g_assert_nonnull (point);
  g_assert_cmpint (g_date_time_to_unix (tally_price_point_get_time (point)), ==, unix_time);
  assert_decimal (tally_price_point_get_price (point), price);
  g_object_get (point, "time", &time, "price", &text, NULL);
  g_assert_cmpint (g_date_time_to_unix (time), ==, unix_time);
  g_assert_cmpstr (text, ==, price);
}

static gboolean
append_at (TallyPriceHistory *history,
           gint64             unix_time,
           const char        *price)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr (GError) error = NULL;
  TallyDecimal value;

  g_assert_true (tally_decimal_parse (&value, price, &error));
  g_assert_no_error (error);
  return tally_price_history_append (history, time, &value);
}

static void
test_history (void)
{
  TallyPriceHistory *history = tally_price_history_new ("USD", 3);
  GListModel        *model = G_LIST_MODEL (history);
  g_autoptr (GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_autofree char *min_text = NULL;
  g_autofree char *max_text = NULL;
  TallyDecimal     min, max;
  guint            n_items = 0;

  g_signal_connect (history, "items-changed", G_CALLBACK (on_items_changed), changes);
  g_assert_cmpstr (tally_price_history_get_currency (history), ==, "usd");
  g_assert_cmpuint (tally_price_history_get_capacity (history), ==, 3);
  g_assert_true (g_list_model_get_item_type (model) == TALLY_TYPE_PRICE_POINT);
  g_assert_false (tally_price_history_get_range (history, &min, &max));

  g_assert_true (append_at (history, 1000, "1851.7512"));
  assert_change (changes, 0, 0, 0, 1);
  /* the same time again, or an earlier one, is not a new point */
  g_assert_false (append_at (history, 1000, "1852"));
  g_assert_false (append_at (history, 999, "1852"));
  g_assert_cmpuint (changes->len, ==, 1);

  g_assert_true (append_at (history, 1060, "1790.5"));
  g_assert_true (append_at (history, 1120, "1900.25"));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);

  /* past the capacity the oldest goes */
  g_assert_true (append_at (history, 1180, "1851.75120"));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);
  assert_change (changes, 3, 0, 1, 0);
  assert_change (changes, 4, 2, 0, 1);
  assert_point (model, 0, 1060, "1790.5");
  assert_point (model, 1, 1120, "1900.25");
  assert_point (model, 2, 1180, "1851.7512");
  g_assert_null (g_list_model_get_item (model, 3));

  g_assert_true (tally_price_history_get_range (history, &min, &max));
  min_text = tally_decimal_to_string (&min);
  max_text = tally_decimal_to_string (&max);
  g_assert_cmpstr (min_text, ==, "1790.5");
  g_assert_cmpstr (max_text, ==, "1900.25");

  tally_price_history_set_capacity (history, 2);
  assert_change (changes, 5, 0, 1, 0);
  assert_point (model, 0, 1120, "1900.25");
  g_object_get (history, "n-items", &n_items, NULL);
  g_assert_cmpuint (n_items, ==, 2);

  tally_price_history_clear (history);
  assert_change (changes, 6, 0, 2, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  g_assert_false (tally_price_history_get_range (history, &min, &max));
  g_assert_true (append_at (history, 10, "1"));

  g_assert_finalize_object (history);
}

static void
test_history_from_source (Fixture      *fixture,
                          gconstpointer data)
{
  TallyPriceHistory *token = tally_price_history_new ("usd", 10);
  TallyPriceHistory *eth = tally_price_history_new ("usd", 10);
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyPriceQuote) quote = get_prices (fixture, "usd", NULL, &error);
  g_autoptr (TallyPriceQuote) again = NULL;
  g_autoptr (TallyPriceQuote) eur = NULL;

  g_assert_no_error (error);
  g_assert_true (tally_price_history_append_quote (token, quote, TALLY_PRICE_ASSET_TOKEN));
  g_assert_true (tally_price_history_append_quote (eth, quote, TALLY_PRICE_ASSET_ETH));
  assert_point (G_LIST_MODEL (token), 0, 1764070000, "0.0421");
  assert_point (G_LIST_MODEL (eth), 0, 1764070000, "1851.7512");

  /* the cached quote is the same point; a quote in euros is not ours */
  again = get_prices (fixture, "usd", NULL, &error);
  g_assert_no_error (error);
  g_assert_false (tally_price_history_append_quote (token, again, TALLY_PRICE_ASSET_TOKEN));
  eur = get_prices (fixture, "eur", NULL, &error);
  g_assert_no_error (error);
  g_assert_false (tally_price_history_append_quote (token, eur, TALLY_PRICE_ASSET_TOKEN));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (token)), ==, 1);

  g_assert_finalize_object (token);
  g_assert_finalize_object (eth);
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  ADD ("/core/price-http/quote", test_quote);
  ADD ("/core/price-http/currencies", test_currencies);
  ADD ("/core/price-http/same-id", test_same_id);
  ADD ("/core/price-http/cache", test_cache);
  ADD ("/core/price-http/cache-ttl", test_cache_ttl);
  ADD ("/core/price-http/server-error", test_server_error_keeps_cache);
  ADD ("/core/price-http/rate-limited", test_rate_limited_then_ok);
  ADD ("/core/price-http/rate-limited-backoff", test_rate_limited_backoff);
  ADD ("/core/price-http/rate-limited-storm", test_rate_limited_storm);
  ADD ("/core/price-http/malformed", test_malformed);
  ADD ("/core/price-http/too-large", test_too_large);
  ADD ("/core/price-http/timeout", test_timeout);
  ADD ("/core/price-http/cancel", test_cancel);
  ADD ("/core/price-http/bad-url", test_bad_url);
  ADD ("/core/price-http/unreachable", test_unreachable);
  ADD ("/core/price-http/properties", test_properties);
  ADD ("/core/price-http/history", test_history_from_source);
  g_test_add_func ("/core/price-history/append", test_history);

  return g_test_run ();
}
