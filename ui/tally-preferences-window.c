/* tally-preferences-window.c: the Preferences window
 *
 * Every row is bound to a TallySettings property, so a change shows at once
 * everywhere and is saved without an Apply button (GNOME HIG).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "currency.h"
#include "tally-preferences-window.h"

struct _TallyPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  /* Owned references */
  TallySettings *settings;

  /* Template widgets */
  AdwComboRow *color_scheme_row;
  AdwComboRow *currency_row;
  GtkSwitch   *background_switch;
  GtkSwitch   *notifications_switch;
  AdwEntryRow *ipfs_gateway_row;
};

G_DEFINE_FINAL_TYPE (TallyPreferencesWindow, tally_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum
{
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The style row lists the schemes in the order of TallyColorScheme. */
static gboolean
scheme_to_position (GBinding     *binding,
                    const GValue *from,
                    GValue       *to,
                    gpointer      user_data)
{
  g_value_set_uint (to, (guint) g_value_get_enum (from));
  return TRUE;
}

static gboolean
position_to_scheme (GBinding     *binding,
                    const GValue *from,
                    GValue       *to,
                    gpointer      user_data)
{
  guint position = g_value_get_uint (from);

  if (position > TALLY_COLOR_SCHEME_DARK)
    return FALSE;

  g_value_set_enum (to, (int) position);
  return TRUE;
}

static gboolean
currency_to_position (GBinding     *binding,
                      const GValue *from,
                      GValue       *to,
                      gpointer      user_data)
{
  const TallyCurrency *currency = tally_currency_lookup (g_value_get_string (from));
  const TallyCurrency *list;
  gsize                n;

  if (currency == NULL)
    return FALSE;

  list = tally_currency_list (&n);
  g_value_set_uint (to, (guint) (currency - list));
  return TRUE;
}

static gboolean
position_to_currency (GBinding     *binding,
                      const GValue *from,
                      GValue       *to,
                      gpointer      user_data)
{
  guint                position = g_value_get_uint (from);
  const TallyCurrency *list;
  gsize                n;

  list = tally_currency_list (&n);
  if (position >= n)
    return FALSE;

  g_value_set_string (to, list[position].code);
  return TRUE;
}

static GListModel *
currency_model_new (void)
{
  GtkStringList       *model = gtk_string_list_new (NULL);
  const TallyCurrency *list;
  gsize                n;

  list = tally_currency_list (&n);
  for (gsize i = 0; i < n; i++)
    {
      /* Translators: a currency in the Display Currency list, e.g. "Euro (EUR)" */
      g_autofree char *upper = g_ascii_strup (list[i].code, -1);
      g_autofree char *label = g_strdup_printf (_ ("%s (%s)"), _ (list[i].name), upper);

      gtk_string_list_append (model, label);
    }

  return G_LIST_MODEL (model);
}

/* Accepts an http(s) address and gives it the trailing slash that content
 * identifiers are appended to. */
static char *
normalize_gateway (const char *text)
{
  g_autoptr (GUri) uri = NULL;
  const char      *scheme;
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  uri = g_uri_parse (stripped, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return NULL;

  scheme = g_uri_get_scheme (uri);
  if (g_strcmp0 (scheme, "https") != 0 && g_strcmp0 (scheme, "http") != 0)
    return NULL;
  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return NULL;

  if (g_str_has_suffix (stripped, "/"))
    return g_steal_pointer (&stripped);

  return g_strconcat (stripped, "/", NULL);
}

static void
ipfs_gateway_apply_cb (TallyPreferencesWindow *self)
{
  const char      *text = gtk_editable_get_text (GTK_EDITABLE (self->ipfs_gateway_row));
  g_autofree char *gateway = normalize_gateway (text);

  if (gateway == NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->ipfs_gateway_row), "error");
      adw_preferences_window_add_toast (
        ADW_PREFERENCES_WINDOW (self),
        adw_toast_new (_ ("The gateway must be a web address, such as https://ipfs.io/ipfs/")));
      return;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->ipfs_gateway_row), "error");
  g_object_set (self->settings, "ipfs-gateway", gateway, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->ipfs_gateway_row), gateway);
}

static void
tally_preferences_window_constructed (GObject *object)
{
  TallyPreferencesWindow *self = TALLY_PREFERENCES_WINDOW (object);

  G_OBJECT_CLASS (tally_preferences_window_parent_class)->constructed (object);

  g_object_bind_property_full (self->settings, "color-scheme", self->color_scheme_row, "selected",
                               G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                               scheme_to_position, position_to_scheme, NULL, NULL);
  g_object_bind_property_full (self->settings, "fiat-currency", self->currency_row, "selected",
                               G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                               currency_to_position, position_to_currency, NULL, NULL);
  g_object_bind_property (self->settings, "run-in-background", self->background_switch, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->settings, "deadline-notifications", self->notifications_switch,
                          "active", G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);

  gtk_editable_set_text (GTK_EDITABLE (self->ipfs_gateway_row),
                         tally_settings_get_ipfs_gateway (self->settings));
}

static void
tally_preferences_window_dispose (GObject *object)
{
  TallyPreferencesWindow *self = TALLY_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), TALLY_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tally_preferences_window_parent_class)->dispose (object);
}

static void
tally_preferences_window_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  TallyPreferencesWindow *self = TALLY_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_preferences_window_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  TallyPreferencesWindow *self = TALLY_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_preferences_window_class_init (TallyPreferencesWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = tally_preferences_window_constructed;
  object_class->dispose = tally_preferences_window_dispose;
  object_class->get_property = tally_preferences_window_get_property;
  object_class->set_property = tally_preferences_window_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, TALLY_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE_PATH "/ui/tally-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TallyPreferencesWindow, color_scheme_row);
  gtk_widget_class_bind_template_child (widget_class, TallyPreferencesWindow, currency_row);
  gtk_widget_class_bind_template_child (widget_class, TallyPreferencesWindow, background_switch);
  gtk_widget_class_bind_template_child (widget_class, TallyPreferencesWindow, notifications_switch);
  gtk_widget_class_bind_template_child (widget_class, TallyPreferencesWindow, ipfs_gateway_row);
  gtk_widget_class_bind_template_callback (widget_class, ipfs_gateway_apply_cb);
}

static void
tally_preferences_window_init (TallyPreferencesWindow *self)
{
  g_autoptr (GListModel) currencies = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  currencies = currency_model_new ();
  adw_combo_row_set_model (self->currency_row, currencies);
}

TallyPreferencesWindow *
tally_preferences_window_new (TallySettings *settings)
{
  g_return_val_if_fail (TALLY_IS_SETTINGS (settings), NULL);

  return g_object_new (TALLY_TYPE_PREFERENCES_WINDOW, "settings", settings, NULL);
}
