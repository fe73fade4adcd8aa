/* price-reply.h: reads a reply of an HTTP price API of the CoinGecko
 * simple/price shape (price-source-http.h) into a TallyPriceQuote
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "price-source.h"

G_BEGIN_DECLS

/* A simple/price reply for two coins is a few hundred bytes. */
#define TALLY_PRICE_REPLY_MAX_SIZE (64 * 1024)

/* Reads a simple/price reply for token_id and eth_id in currency.
 * Failures are TALLY_CORE_ERROR_MALFORMED_REPLY naming the field. now is
 * the updated time when the reply carries no last_updated_at. */
TallyPriceQuote *tally_price_reply_parse (const char *body,
                                          gsize       body_len,
                                          const char *token_id,
                                          const char *eth_id,
                                          const char *currency,
                                          const char *source,
                                          GDateTime  *now,
                                          GError    **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
