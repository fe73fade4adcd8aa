/* tally-settings.c: the user's preferences, as one object widgets bind to
 *
 * Widgets and the engine bind to these properties rather than to GSettings
 * keys, so a key can be renamed or derived without touching them, and tests
 * run against the memory backend (GSETTINGS_BACKEND=memory).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-settings"

#include "config.h"

#include "currency.h"
#include "tally-enums.h"
#include "tally-settings.h"

struct _TallySettings
{
  GObject parent_instance;

  GSettings *settings;

  TallyColorScheme color_scheme;
  char            *fiat_currency;
  char            *network;
  char            *ipfs_gateway;
  gboolean         run_in_background;
  gboolean         deadline_notifications;
};

G_DEFINE_FINAL_TYPE (TallySettings, tally_settings, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SETTINGS,
  PROP_COLOR_SCHEME,
  PROP_FIAT_CURRENCY,
  PROP_NETWORK,
  PROP_IPFS_GATEWAY,
  PROP_RUN_IN_BACKGROUND,
  PROP_DEADLINE_NOTIFICATIONS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Each bound property and the GSettings key it mirrors. */
static const struct
{
  guint       prop;
  const char *key;
} bindings[] = {
  { PROP_COLOR_SCHEME, "color-scheme" },
  { PROP_FIAT_CURRENCY, "fiat-currency" },
  { PROP_NETWORK, "network" },
  { PROP_IPFS_GATEWAY, "ipfs-gateway" },
  { PROP_RUN_IN_BACKGROUND, "run-in-background" },
  { PROP_DEADLINE_NOTIFICATIONS, "deadline-notifications" },
};

static void
set_string (TallySettings *self,
            char         **field,
            const char    *value,
            guint          prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_boolean (TallySettings *self,
             gboolean      *field,
             gboolean       value,
             guint          prop)
{
  value = !!value;
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
tally_settings_constructed (GObject *object)
{
  TallySettings *self = TALLY_SETTINGS (object);

  G_OBJECT_CLASS (tally_settings_parent_class)->constructed (object);

  if (self->settings == NULL)
    self->settings = g_settings_new (APP_ID);

  for (guint i = 0; i < G_N_ELEMENTS (bindings); i++)
    g_settings_bind (self->settings, bindings[i].key, self,
                     g_param_spec_get_name (properties[bindings[i].prop]),
                     G_SETTINGS_BIND_DEFAULT);
}

static void
tally_settings_dispose (GObject *object)
{
  TallySettings *self = TALLY_SETTINGS (object);

  if (self->settings != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (bindings); i++)
      g_settings_unbind (self, g_param_spec_get_name (properties[bindings[i].prop]));
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tally_settings_parent_class)->dispose (object);
}

static void
tally_settings_finalize (GObject *object)
{
  TallySettings *self = TALLY_SETTINGS (object);

  g_clear_pointer (&self->fiat_currency, g_free);
  g_clear_pointer (&self->network, g_free);
  g_clear_pointer (&self->ipfs_gateway, g_free);

  G_OBJECT_CLASS (tally_settings_parent_class)->finalize (object);
}

static void
tally_settings_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TallySettings *self = TALLY_SETTINGS (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_COLOR_SCHEME:
      g_value_set_enum (value, self->color_scheme);
      break;
    case PROP_FIAT_CURRENCY:
      g_value_set_string (value, self->fiat_currency);
      break;
    case PROP_NETWORK:
      g_value_set_string (value, self->network);
      break;
    case PROP_IPFS_GATEWAY:
      g_value_set_string (value, self->ipfs_gateway);
      break;
    case PROP_RUN_IN_BACKGROUND:
      g_value_set_boolean (value, self->run_in_background);
      break;
    case PROP_DEADLINE_NOTIFICATIONS:
      g_value_set_boolean (value, self->deadline_notifications);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_settings_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  TallySettings *self = TALLY_SETTINGS (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    case PROP_COLOR_SCHEME:
      tally_settings_set_color_scheme (self, g_value_get_enum (value));
      break;
    case PROP_FIAT_CURRENCY:
      tally_settings_set_fiat_currency (self, g_value_get_string (value));
      break;
    case PROP_NETWORK:
      set_string (self, &self->network, g_value_get_string (value), PROP_NETWORK);
      break;
    case PROP_IPFS_GATEWAY:
      set_string (self, &self->ipfs_gateway, g_value_get_string (value), PROP_IPFS_GATEWAY);
      break;
    case PROP_RUN_IN_BACKGROUND:
      set_boolean (self, &self->run_in_background, g_value_get_boolean (value),
                   PROP_RUN_IN_BACKGROUND);
      break;
    case PROP_DEADLINE_NOTIFICATIONS:
      set_boolean (self, &self->deadline_notifications, g_value_get_boolean (value),
                   PROP_DEADLINE_NOTIFICATIONS);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_settings_class_init (TallySettingsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = tally_settings_constructed;
  object_class->dispose = tally_settings_dispose;
  object_class->finalize = tally_settings_finalize;
  object_class->get_property = tally_settings_get_property;
  object_class->set_property = tally_settings_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COLOR_SCHEME] =
    g_param_spec_enum ("color-scheme", NULL, NULL, TALLY_TYPE_COLOR_SCHEME,
                       TALLY_COLOR_SCHEME_DEFAULT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FIAT_CURRENCY] =
    g_param_spec_string ("fiat-currency", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NETWORK] =
    g_param_spec_string ("network", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_IPFS_GATEWAY] =
    g_param_spec_string ("ipfs-gateway", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUN_IN_BACKGROUND] =
    g_param_spec_boolean ("run-in-background", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEADLINE_NOTIFICATIONS] =
    g_param_spec_boolean ("deadline-notifications", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tally_settings_init (TallySettings *self)
{
  self->run_in_background = TRUE;
  self->deadline_notifications = TRUE;
}

/**
 * tally_settings_new:
 * @settings: (nullable): the GSettings to mirror, or %NULL for the app's own
 */
TallySettings *
tally_settings_new (GSettings *settings)
{
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  return g_object_new (TALLY_TYPE_SETTINGS, "settings", settings, NULL);
}

GSettings *
tally_settings_get_gsettings (TallySettings *self)
{
  g_return_val_if_fail (TALLY_IS_SETTINGS (self), NULL);

  return self->settings;
}

TallyColorScheme
tally_settings_get_color_scheme (TallySettings *self)
{
  g_return_val_if_fail (TALLY_IS_SETTINGS (self), TALLY_COLOR_SCHEME_DEFAULT);

  return self->color_scheme;
}

void
tally_settings_set_color_scheme (TallySettings   *self,
                                 TallyColorScheme scheme)
{
  g_return_if_fail (TALLY_IS_SETTINGS (self));
  g_return_if_fail (scheme <= TALLY_COLOR_SCHEME_DARK);

  if (self->color_scheme == scheme)
    return;

  self->color_scheme = scheme;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLOR_SCHEME]);
}

const char *
tally_settings_get_fiat_currency (TallySettings *self)
{
  g_return_val_if_fail (TALLY_IS_SETTINGS (self), NULL);

  return self->fiat_currency;
}

void
tally_settings_set_fiat_currency (TallySettings *self,
                                  const char    *code)
{
  const TallyCurrency *currency;

  g_return_if_fail (TALLY_IS_SETTINGS (self));
  g_return_if_fail (code != NULL);

  /* The key only takes the listed currencies; anything else would make
   * GSettings abort the binding. */
  currency = tally_currency_lookup (code);
  if (currency == NULL)
    {
      g_warning ("Unknown display currency “%s”, keeping “%s”", code, self->fiat_currency);
      return;
    }

  set_string (self, &self->fiat_currency, currency->code, PROP_FIAT_CURRENCY);
}

const char *
tally_settings_get_network (TallySettings *self)
{
  g_return_val_if_fail (TALLY_IS_SETTINGS (self), NULL);

  return self->network;
}

const char *
tally_settings_get_ipfs_gateway (TallySettings *self)
{
  g_return_val_if_fail (TALLY_IS_SETTINGS (self), NULL);

  return self->ipfs_gateway;
}

gboolean
tally_settings_get_run_in_background (TallySettings *self)
{
  g_return_val_if_fail (TALLY_IS_SETTINGS (self), FALSE);

  return self->run_in_background;
}

gboolean
tally_settings_get_deadline_notifications (TallySettings *self)
{
  g_return_val_if_fail (TALLY_IS_SETTINGS (self), FALSE);

  return self->deadline_notifications;
}
