/* tally-application.c: the Tally application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-application"

#include "config.h"

#include <glib/gi18n.h>

#include "tally-application.h"
#include "tally-preferences-window.h"
#include "tally-window.h"

struct _TallyApplication
{
  AdwApplication parent_instance;

  TallySettings *settings;
};

G_DEFINE_FINAL_TYPE (TallyApplication, tally_application, ADW_TYPE_APPLICATION)

enum
{
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
apply_color_scheme (TallyApplication *self)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  AdwColorScheme   scheme;

  switch (tally_settings_get_color_scheme (self->settings))
    {
    case TALLY_COLOR_SCHEME_LIGHT:
      scheme = ADW_COLOR_SCHEME_FORCE_LIGHT;
      break;
    case TALLY_COLOR_SCHEME_DARK:
      scheme = ADW_COLOR_SCHEME_FORCE_DARK;
      break;
    case TALLY_COLOR_SCHEME_DEFAULT:
    default:
      scheme = ADW_COLOR_SCHEME_DEFAULT;
      break;
    }

  adw_style_manager_set_color_scheme (style_manager, scheme);
}

static void
tally_application_startup (GApplication *application)
{
  TallyApplication  *self = TALLY_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };

  G_APPLICATION_CLASS (tally_application_parent_class)->startup (application);

  /* Settings need the schema, which GTK does not: create them here rather
   * than in init, so --help and --version work without it. */
  self->settings = tally_settings_new (NULL);
  g_signal_connect_object (self->settings, "notify::color-scheme",
                           G_CALLBACK (apply_color_scheme), self, G_CONNECT_SWAPPED);
  apply_color_scheme (self);

  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);
}

static void
tally_application_activate (GApplication *application)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  if (window == NULL)
    window = GTK_WINDOW (tally_window_new (TALLY_APPLICATION (application)));

  gtk_window_present (window);
}

static void
tally_application_dispose (GObject *object)
{
  TallyApplication *self = TALLY_APPLICATION (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tally_application_parent_class)->dispose (object);
}

static void
tally_application_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  TallyApplication *self = TALLY_APPLICATION (object);

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
tally_application_class_init (TallyApplicationClass *klass)
{
  GObjectClass      *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = tally_application_dispose;
  object_class->get_property = tally_application_get_property;

  app_class->startup = tally_application_startup;
  app_class->activate = tally_application_activate;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, TALLY_TYPE_SETTINGS,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tally_application_quit_action (GSimpleAction *action,
                               GVariant      *parameter,
                               gpointer       user_data)
{
  TallyApplication *self = user_data;
  g_autoptr (GList) windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  /* Closing each window (rather than g_application_quit) lets windows save
   * their state on the way out. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
}

static void
tally_application_about_action (GSimpleAction *action,
                                GVariant      *parameter,
                                gpointer       user_data)
{
  TallyApplication  *self = user_data;
  static const char *developers[] = { "The Tally developers", NULL };
  GtkWindow         *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "application-icon", APP_ID,
                        "application-name", _ ("Tally"),
                        "developer-name", _ ("The Tally developers"),
                        "version", PACKAGE_VERSION,
                        "website", "https://github.com/tally/tally",
                        "issue-url", "https://github.com/tally/tally/issues",
                        "comments", _ ("Label images and texts, stake tokens, and get paid when "
                                       "your labels agree with other annotators’."),
                        "copyright", "© 2026 The Tally developers",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        /* Translators: your names, one per line */
                        "translator-credits", _ ("translator-credits"),
                        NULL);
  gtk_window_present (about);
}

static void
tally_application_preferences_action (GSimpleAction *action,
                                      GVariant      *parameter,
                                      gpointer       user_data)
{
  TallyApplication       *self = user_data;
  GtkWindow              *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  TallyPreferencesWindow *preferences = tally_preferences_window_new (self->settings);

  gtk_window_set_transient_for (GTK_WINDOW (preferences), parent);
  gtk_window_present (GTK_WINDOW (preferences));
}

static const GActionEntry app_actions[] = {
  { "quit", tally_application_quit_action },
  { "about", tally_application_about_action },
  { "preferences", tally_application_preferences_action },
};

static void
tally_application_init (TallyApplication *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions),
                                   self);
}

TallyApplication *
tally_application_new (const char       *application_id,
                       GApplicationFlags flags)
{
  g_return_val_if_fail (application_id != NULL, NULL);

  /* A development build has its own id but the same resources. */
  return g_object_new (TALLY_TYPE_APPLICATION,
                       "application-id", application_id,
                       "flags", flags,
                       "resource-base-path", RESOURCE_BASE_PATH,
                       NULL);
}

TallySettings *
tally_application_get_settings (TallyApplication *self)
{
  g_return_val_if_fail (TALLY_IS_APPLICATION (self), NULL);

  return self->settings;
}
