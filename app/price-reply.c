/* price-reply.c: reads a reply of an HTTP price API of the CoinGecko
 * simple/price shape into a TallyPriceQuote
 *
 * The reply is read with the wallet's JSON reader (wallet/json.h), not
 * json-glib: json-glib turns every number into a double while parsing, so
 * 1851.7512 would come back as 1851.75119999999992… and the literal is
 * lost. The wallet's reader keeps each number as the text the server
 * wrote, is strict (duplicate names, bad UTF-8) and is already fuzzed;
 * money.c then reads that text exactly.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include "core-error.h"
#include "price-reply.h"
#include "wallet/json.h"

#define MAX_UNIX_SECONDS G_GINT64_CONSTANT (253402300799) /* 9999-12-31 */

static gboolean
malformed (GError    **error,
           const char *format,
           ...) G_GNUC_PRINTF (2, 3);

static gboolean
malformed (GError    **error,
           const char *format,
           ...)
{
  va_list          args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
               "The price server’s reply cannot be used: %s", message);
  return FALSE;
}

static gboolean
read_decimal (const TallyJsonNode *coin,
              const char          *coin_id,
              const char          *name,
              gboolean             required,
              gboolean             allow_negative,
              TallyDecimal        *out,
              gboolean            *present,
              GError             **error)
{
  const TallyJsonNode *node = tally_json_node_lookup (coin, name);
  g_autoptr (GError) local_error = NULL;

  *present = FALSE;
  if (node == NULL || (!required && tally_json_node_get_kind (node) == TALLY_JSON_NULL))
    {
      if (required)
        return malformed (error, "“%s.%s” is missing", coin_id, name);
      return TRUE;
    }

  if (tally_json_node_get_kind (node) != TALLY_JSON_NUMBER)
    return malformed (error, "“%s.%s” should be a number, found %s", coin_id, name,
                      tally_json_kind_to_string (tally_json_node_get_kind (node)));

  if (!tally_decimal_parse (out, tally_json_node_get_number_text (node), &local_error))
    return malformed (error, "“%s.%s”: %s", coin_id, name, local_error->message);

  if (out->negative && !allow_negative)
    return malformed (error, "“%s.%s” is negative", coin_id, name);

  *present = TRUE;
  return TRUE;
}

/* The coin's price, 24 h change (NULL when absent or null) and time. */
static gboolean
read_coin (const TallyJsonNode *root,
           const char          *coin_id,
           const char          *currency,
           TallyDecimal        *price,
           TallyDecimal        *change,
           gboolean            *has_change,
           gint64              *updated,
           GError             **error)
{
  const TallyJsonNode *coin = tally_json_node_lookup (root, coin_id);
  const TallyJsonNode *time_node;
  g_autofree char     *change_name = g_strdup_printf ("%s_24h_change", currency);
  gboolean             has_price;

  if (coin == NULL)
    return malformed (error, "it has no price for “%s”", coin_id);
  if (tally_json_node_get_kind (coin) != TALLY_JSON_OBJECT)
    return malformed (error, "“%s” should be an object, found %s", coin_id,
                      tally_json_kind_to_string (tally_json_node_get_kind (coin)));

  if (!read_decimal (coin, coin_id, currency, TRUE, FALSE, price, &has_price, error) ||
      !read_decimal (coin, coin_id, change_name, FALSE, TRUE, change, has_change, error))
    return FALSE;

  *updated = -1;
  time_node = tally_json_node_lookup (coin, "last_updated_at");
  if (time_node != NULL && tally_json_node_get_kind (time_node) != TALLY_JSON_NULL)
    {
      const char *text;
      guint64     seconds = 0;

      if (tally_json_node_get_kind (time_node) != TALLY_JSON_NUMBER)
        return malformed (error, "“%s.last_updated_at” should be a number, found %s", coin_id,
                          tally_json_kind_to_string (tally_json_node_get_kind (time_node)));
      text = tally_json_node_get_number_text (time_node);
      if (!g_ascii_string_to_unsigned (text, 10, 0, MAX_UNIX_SECONDS, &seconds, NULL))
        return malformed (error, "“%s.last_updated_at” is not a time in seconds: %.40s", coin_id,
                          text);
      *updated = (gint64) seconds;
    }

  return TRUE;
}

TallyPriceQuote *
tally_price_reply_parse (const char *body,
                         gsize       body_len,
                         const char *token_id,
                         const char *eth_id,
                         const char *currency,
                         const char *source,
                         GDateTime  *now,
                         GError    **error)
{
  g_autoptr (TallyJsonNode) root = NULL;
  g_autoptr (GError) json_error = NULL;
  g_autoptr (GDateTime) updated_at = NULL;
  TallyDecimal token_price, token_change, eth_price, eth_change;
  gboolean     has_token_change, has_eth_change;
  gint64       token_updated, eth_updated, updated;

  g_return_val_if_fail (body != NULL || body_len == 0, NULL);
  g_return_val_if_fail (token_id != NULL && eth_id != NULL, NULL);
  g_return_val_if_fail (currency != NULL && source != NULL, NULL);
  g_return_val_if_fail (now != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (body_len > TALLY_PRICE_REPLY_MAX_SIZE)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_TOO_LARGE,
                   "The price server’s reply is larger than %u bytes",
                   (guint) TALLY_PRICE_REPLY_MAX_SIZE);
      return NULL;
    }

  if (!tally_json_parse (&root, body != NULL ? body : "", body_len, &json_error))
    {
      malformed (error, "it is not JSON (%s)", json_error->message);
      return NULL;
    }
  if (tally_json_node_get_kind (root) != TALLY_JSON_OBJECT)
    {
      malformed (error, "it should be an object, found %s",
                 tally_json_kind_to_string (tally_json_node_get_kind (root)));
      return NULL;
    }

  if (!read_coin (root, token_id, currency, &token_price, &token_change, &has_token_change,
                  &token_updated, error) ||
      !read_coin (root, eth_id, currency, &eth_price, &eth_change, &has_eth_change, &eth_updated,
                  error))
    return NULL;

  /* The quote is as old as its older half. */
  if (token_updated < 0 || eth_updated < 0)
    updated = MAX (token_updated, eth_updated);
  else
    updated = MIN (token_updated, eth_updated);
  if (updated >= 0)
    updated_at = g_date_time_new_from_unix_utc (updated);
  else
    updated_at = g_date_time_ref (now);

  return tally_price_quote_new (currency, &token_price, has_token_change ? &token_change : NULL,
                                &eth_price, has_eth_change ? &eth_change : NULL, updated_at,
                                source);
}
