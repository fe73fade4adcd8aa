/* tally-window.c: the main window
 *
 * A leaflet of pages: the welcome page a new user lands on, and the first
 * steps of creating or importing a wallet.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-window"

#include "config.h"

#include <glib/gi18n.h>

#include "tally-window.h"

struct _TallyWindow
{
  AdwApplicationWindow parent_instance;

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  AdwLeaflet      *leaflet;
  AdwStatusPage   *welcome_status_page;
};

G_DEFINE_FINAL_TYPE (TallyWindow, tally_window, ADW_TYPE_APPLICATION_WINDOW)

static GSettings *
window_gsettings (TallyWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (!TALLY_IS_APPLICATION (app))
    return NULL;

  return tally_settings_get_gsettings (tally_application_get_settings (TALLY_APPLICATION (app)));
}

static void
restore_window_state (TallyWindow *self)
{
  GSettings *settings = window_gsettings (self);

  if (settings == NULL)
    return;

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (settings, "window-width"),
                               g_settings_get_int (settings, "window-height"));
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static gboolean
tally_window_close_request (GtkWindow *window)
{
  TallyWindow *self = TALLY_WINDOW (window);
  GSettings   *settings = window_gsettings (self);
  int          width, height;

  if (settings != NULL)
    {
      /* The default size tracks the unmaximized size, which is what a user
       * expects back after unmaximizing next time. */
      gtk_window_get_default_size (window, &width, &height);
      g_settings_delay (settings);
      g_settings_set_int (settings, "window-width", width);
      g_settings_set_int (settings, "window-height", height);
      g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (window));
      g_settings_apply (settings);
    }

  return GTK_WINDOW_CLASS (tally_window_parent_class)->close_request (window);
}

/* The leaflet navigates back by child order, not by history: only the page
 * being opened stays navigatable beside the welcome page, so Back (and a
 * swipe) from any page returns to where the user came from. */
static void
show_page (TallyWindow *self,
           const char  *name)
{
  static const char *const branch_pages[] = { "create-wallet", "import-wallet" };

  for (guint i = 0; i < G_N_ELEMENTS (branch_pages); i++)
    {
      GtkWidget      *child = adw_leaflet_get_child_by_name (self->leaflet, branch_pages[i]);
      AdwLeafletPage *page = adw_leaflet_get_page (self->leaflet, child);

      adw_leaflet_page_set_navigatable (page, g_str_equal (branch_pages[i], name));
    }

  adw_leaflet_set_visible_child_name (self->leaflet, name);
}

static void
tally_window_create_wallet_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  show_page (TALLY_WINDOW (widget), "create-wallet");
}

static void
tally_window_import_wallet_action (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  show_page (TALLY_WINDOW (widget), "import-wallet");
}

static void
tally_window_go_back_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  TallyWindow *self = TALLY_WINDOW (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
tally_window_class_init (TallyWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  window_class->close_request = tally_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/tally-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TallyWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TallyWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, TallyWindow, welcome_status_page);

  gtk_widget_class_install_action (widget_class, "win.create-wallet", NULL,
                                   tally_window_create_wallet_action);
  gtk_widget_class_install_action (widget_class, "win.import-wallet", NULL,
                                   tally_window_import_wallet_action);
  gtk_widget_class_install_action (widget_class, "win.go-back", NULL, tally_window_go_back_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.go-back",
                                       NULL);
}

static void
tally_window_init (TallyWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The icon follows the app id, which differs in a development build. */
  adw_status_page_set_icon_name (self->welcome_status_page, APP_ID);

#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif
}

TallyWindow *
tally_window_new (TallyApplication *application)
{
  TallyWindow *self;

  g_return_val_if_fail (TALLY_IS_APPLICATION (application), NULL);

  self = g_object_new (TALLY_TYPE_WINDOW, "application", application, NULL);
  restore_window_state (self);

  return self;
}

const char *
tally_window_get_visible_page (TallyWindow *self)
{
  g_return_val_if_fail (TALLY_IS_WINDOW (self), NULL);

  return adw_leaflet_get_visible_child_name (self->leaflet);
}
