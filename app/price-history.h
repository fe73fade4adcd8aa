/* price-history.h: recent prices of one asset in one currency, for charts
 *
 * Two small types: TallyPricePoint, an immutable (time, price) pair, and
 * TallyPriceHistory, a GListModel of them in time order, bounded: past its
 * capacity the oldest point goes. They live in one file because a point
 * has no use outside a history.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "money.h"
#include "price-source.h"

G_BEGIN_DECLS

#define TALLY_TYPE_PRICE_POINT (tally_price_point_get_type ())

G_DECLARE_FINAL_TYPE (TallyPricePoint, tally_price_point, TALLY, PRICE_POINT, GObject)

TallyPricePoint    *tally_price_point_new (GDateTime          *time,
                                           const TallyDecimal *price);
GDateTime          *tally_price_point_get_time (TallyPricePoint *self);
const TallyDecimal *tally_price_point_get_price (TallyPricePoint *self);

typedef enum
{
  TALLY_PRICE_ASSET_TOKEN,
  TALLY_PRICE_ASSET_ETH,
} TallyPriceAsset;

#define TALLY_TYPE_PRICE_HISTORY (tally_price_history_get_type ())

G_DECLARE_FINAL_TYPE (TallyPriceHistory, tally_price_history, TALLY, PRICE_HISTORY, GObject)

/* capacity: the most points kept (at least 1). */
TallyPriceHistory *tally_price_history_new (const char *currency,
                                            guint       capacity);
const char        *tally_price_history_get_currency (TallyPriceHistory *self);
guint              tally_price_history_get_capacity (TallyPriceHistory *self);
/* Fewer points than before drops the oldest. */
void tally_price_history_set_capacity (TallyPriceHistory *self,
                                       guint              capacity);

/* Adds a point after the others. A point not newer than the last one is
 * not added (the same quote seen twice, a clock that went back): FALSE. */
gboolean tally_price_history_append (TallyPriceHistory  *self,
                                     GDateTime          *time,
                                     const TallyDecimal *price);
/* The quote's price of that asset at its update time; FALSE too when the
 * quote is in another currency. */
gboolean tally_price_history_append_quote (TallyPriceHistory     *self,
                                           const TallyPriceQuote *quote,
                                           TallyPriceAsset        asset);
void     tally_price_history_clear (TallyPriceHistory *self);

/* The lowest and highest price held, for a chart's scale; FALSE when
 * empty. */
gboolean tally_price_history_get_range (TallyPriceHistory *self,
                                        TallyDecimal      *min,
                                        TallyDecimal      *max);

G_END_DECLS
