/* price-history.c: recent prices of one asset in one currency, for charts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "price-history.h"

/* ---- TallyPricePoint ----------------------------------------------------- */

struct _TallyPricePoint
{
  GObject parent_instance;

  GDateTime   *time;
  TallyDecimal price;
};

G_DEFINE_FINAL_TYPE (TallyPricePoint, tally_price_point, G_TYPE_OBJECT)

enum
{
  POINT_PROP_0,
  POINT_PROP_TIME,
  POINT_PROP_PRICE,
  POINT_N_PROPS
};

static GParamSpec *point_properties[POINT_N_PROPS];

static void
tally_price_point_finalize (GObject *object)
{
  TallyPricePoint *self = TALLY_PRICE_POINT (object);

  g_clear_pointer (&self->time, g_date_time_unref);

  G_OBJECT_CLASS (tally_price_point_parent_class)->finalize (object);
}

static void
tally_price_point_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  TallyPricePoint *self = TALLY_PRICE_POINT (object);

  switch (prop_id)
    {
    case POINT_PROP_TIME:
      g_value_set_boxed (value, self->time);
      break;
    case POINT_PROP_PRICE:
      g_value_take_string (value, tally_decimal_to_string (&self->price));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_price_point_class_init (TallyPricePointClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tally_price_point_finalize;
  object_class->get_property = tally_price_point_get_property;

  /* A point never changes: both are read-only. */
  point_properties[POINT_PROP_TIME] =
    g_param_spec_boxed ("time", NULL, NULL, G_TYPE_DATE_TIME,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  point_properties[POINT_PROP_PRICE] =
    g_param_spec_string ("price", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, POINT_N_PROPS, point_properties);
}

static void
tally_price_point_init (TallyPricePoint *self)
{
}

TallyPricePoint *
tally_price_point_new (GDateTime          *time,
                       const TallyDecimal *price)
{
  TallyPricePoint *self;

  g_return_val_if_fail (time != NULL, NULL);
  g_return_val_if_fail (price != NULL, NULL);

  self = g_object_new (TALLY_TYPE_PRICE_POINT, NULL);
  self->time = g_date_time_ref (time);
  self->price = *price;
  return self;
}

GDateTime *
tally_price_point_get_time (TallyPricePoint *self)
{
  g_return_val_if_fail (TALLY_IS_PRICE_POINT (self), NULL);

  return self->time;
}

const TallyDecimal *
tally_price_point_get_price (TallyPricePoint *self)
{
  g_return_val_if_fail (TALLY_IS_PRICE_POINT (self), NULL);

  return &self->price;
}

/* ---- TallyPriceHistory ----------------------------------------------------- */

struct _TallyPriceHistory
{
  GObject parent_instance;

  char      *currency;
  guint      capacity;
  GPtrArray *points; /* TallyPricePoint, oldest first */
};

static void tally_price_history_list_model_init (GListModelInterface *iface);

/* clang-format off */
G_DEFINE_FINAL_TYPE_WITH_CODE (TallyPriceHistory, tally_price_history, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      tally_price_history_list_model_init))
/* clang-format on */

enum
{
  PROP_0,
  PROP_CURRENCY,
  PROP_CAPACITY,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
tally_price_history_get_item_type (GListModel *model)
{
  return TALLY_TYPE_PRICE_POINT;
}

static guint
tally_price_history_get_n_items (GListModel *model)
{
  return TALLY_PRICE_HISTORY (model)->points->len;
}

static gpointer
tally_price_history_get_item (GListModel *model,
                              guint       position)
{
  TallyPriceHistory *self = TALLY_PRICE_HISTORY (model);

  if (position >= self->points->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->points, position));
}

static void
tally_price_history_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = tally_price_history_get_item_type;
  iface->get_n_items = tally_price_history_get_n_items;
  iface->get_item = tally_price_history_get_item;
}

/* Drops the oldest points until n remain, telling the model's viewers. */
static void
keep_newest (TallyPriceHistory *self,
             guint              n)
{
  guint removed;

  if (self->points->len <= n)
    return;

  removed = self->points->len - n;
  g_ptr_array_remove_range (self->points, 0, removed);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
tally_price_history_dispose (GObject *object)
{
  TallyPriceHistory *self = TALLY_PRICE_HISTORY (object);

  g_clear_pointer (&self->points, g_ptr_array_unref);

  G_OBJECT_CLASS (tally_price_history_parent_class)->dispose (object);
}

static void
tally_price_history_finalize (GObject *object)
{
  TallyPriceHistory *self = TALLY_PRICE_HISTORY (object);

  g_free (self->currency);

  G_OBJECT_CLASS (tally_price_history_parent_class)->finalize (object);
}

static void
tally_price_history_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  TallyPriceHistory *self = TALLY_PRICE_HISTORY (object);

  switch (prop_id)
    {
    case PROP_CURRENCY:
      g_value_set_string (value, self->currency);
      break;
    case PROP_CAPACITY:
      g_value_set_uint (value, self->capacity);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->points->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_price_history_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  TallyPriceHistory *self = TALLY_PRICE_HISTORY (object);

  switch (prop_id)
    {
    case PROP_CURRENCY:
      self->currency = g_ascii_strdown (g_value_get_string (value), -1);
      break;
    case PROP_CAPACITY:
      tally_price_history_set_capacity (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_price_history_class_init (TallyPriceHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tally_price_history_dispose;
  object_class->finalize = tally_price_history_finalize;
  object_class->get_property = tally_price_history_get_property;
  object_class->set_property = tally_price_history_set_property;

  properties[PROP_CURRENCY] =
    g_param_spec_string ("currency", NULL, NULL, "usd",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAPACITY] =
    g_param_spec_uint ("capacity", NULL, NULL, 1, G_MAXINT32, 1440,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tally_price_history_init (TallyPriceHistory *self)
{
  self->points = g_ptr_array_new_with_free_func (g_object_unref);
}

TallyPriceHistory *
tally_price_history_new (const char *currency,
                         guint       capacity)
{
  g_return_val_if_fail (currency != NULL, NULL);
  g_return_val_if_fail (capacity > 0, NULL);

  return g_object_new (TALLY_TYPE_PRICE_HISTORY, "currency", currency, "capacity", capacity,
                       NULL);
}

const char *
tally_price_history_get_currency (TallyPriceHistory *self)
{
  g_return_val_if_fail (TALLY_IS_PRICE_HISTORY (self), NULL);

  return self->currency;
}

guint
tally_price_history_get_capacity (TallyPriceHistory *self)
{
  g_return_val_if_fail (TALLY_IS_PRICE_HISTORY (self), 0);

  return self->capacity;
}

void
tally_price_history_set_capacity (TallyPriceHistory *self,
                                  guint              capacity)
{
  g_return_if_fail (TALLY_IS_PRICE_HISTORY (self));
  g_return_if_fail (capacity > 0);

  if (self->capacity == capacity)
    return;

  self->capacity = capacity;
  keep_newest (self, capacity);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAPACITY]);
}

gboolean
tally_price_history_append (TallyPriceHistory  *self,
                            GDateTime          *time,
                            const TallyDecimal *price)
{
  g_return_val_if_fail (TALLY_IS_PRICE_HISTORY (self), FALSE);
  g_return_val_if_fail (time != NULL, FALSE);
  g_return_val_if_fail (price != NULL, FALSE);

  if (self->points->len > 0)
    {
      TallyPricePoint *last = g_ptr_array_index (self->points, self->points->len - 1);

      if (g_date_time_compare (time, last->time) <= 0)
        return FALSE;
    }

  keep_newest (self, self->capacity - 1);
  g_ptr_array_add (self->points, tally_price_point_new (time, price));
  g_list_model_items_changed (G_LIST_MODEL (self), self->points->len - 1, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  return TRUE;
}

gboolean
tally_price_history_append_quote (TallyPriceHistory     *self,
                                  const TallyPriceQuote *quote,
                                  TallyPriceAsset        asset)
{
  const TallyDecimal *price;

  g_return_val_if_fail (TALLY_IS_PRICE_HISTORY (self), FALSE);
  g_return_val_if_fail (quote != NULL, FALSE);
  g_return_val_if_fail (asset == TALLY_PRICE_ASSET_TOKEN || asset == TALLY_PRICE_ASSET_ETH, FALSE);

  if (g_strcmp0 (tally_price_quote_get_currency (quote), self->currency) != 0)
    return FALSE;

  price = asset == TALLY_PRICE_ASSET_TOKEN ? tally_price_quote_get_token_price (quote)
                                           : tally_price_quote_get_eth_price (quote);
  return tally_price_history_append (self, tally_price_quote_get_updated_at (quote), price);
}

void
tally_price_history_clear (TallyPriceHistory *self)
{
  g_return_if_fail (TALLY_IS_PRICE_HISTORY (self));

  keep_newest (self, 0);
}

gboolean
tally_price_history_get_range (TallyPriceHistory *self,
                               TallyDecimal      *min,
                               TallyDecimal      *max)
{
  g_return_val_if_fail (TALLY_IS_PRICE_HISTORY (self), FALSE);
  g_return_val_if_fail (min != NULL && max != NULL, FALSE);

  memset (min, 0, sizeof *min);
  memset (max, 0, sizeof *max);
  if (self->points->len == 0)
    return FALSE;

  *min = *max = ((TallyPricePoint *) g_ptr_array_index (self->points, 0))->price;
  for (guint i = 1; i < self->points->len; i++)
    {
      const TallyDecimal *price = &((TallyPricePoint *) g_ptr_array_index (self->points, i))->price;

      if (tally_decimal_compare (price, min) < 0)
        *min = *price;
      if (tally_decimal_compare (price, max) > 0)
        *max = *price;
    }
  return TRUE;
}
