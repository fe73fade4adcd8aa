/* test-window.c: the real main window, preferences, about and shortcuts
 * windows under a display (Xvfb in `meson test`), driven through their
 * actions, each saved as a screenshot in build/tests/screenshots/
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

#include "tally-application.h"
#include "tally-test-screenshot.h"
#include "tally-window.h"

typedef struct
{
  TallyApplication *app;
  TallyWindow      *window;
} Fixture;

/* One application for the whole run: it stays exported on the session bus
 * until g_application_run() would shut it down, so a second one with the
 * same id could not register. Each test gets fresh settings and a fresh
 * window. */
static TallyApplication *shared_app;

static void
reset_settings (GSettings *settings)
{
  g_autoptr (GSettingsSchema) schema = NULL;
  g_auto (GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
}

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  fixture->app = g_object_ref (shared_app);
  reset_settings (tally_settings_get_gsettings (tally_application_get_settings (fixture->app)));

  fixture->window = tally_window_new (fixture->app);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 900, 640);
  gtk_window_present (GTK_WINDOW (fixture->window));
  tally_test_wait_for_frame (GTK_WIDGET (fixture->window));
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  g_autoptr (GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (l->data != (gpointer) fixture->window)
      gtk_window_destroy (l->data);

  if (fixture->window != NULL)
    {
      g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
      gtk_window_destroy (GTK_WINDOW (fixture->window));
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
  /* Nothing may keep the window alive once it is closed. */
  g_assert_null (fixture->window);

  g_clear_object (&fixture->app);
}

static gboolean
transition_done (gpointer data)
{
  return !adw_leaflet_get_child_transition_running (ADW_LEAFLET (data));
}

static AdwLeaflet *
find_leaflet (TallyWindow *window)
{
  GtkWidget *overlay = adw_application_window_get_content (ADW_APPLICATION_WINDOW (window));

  return ADW_LEAFLET (adw_toast_overlay_get_child (ADW_TOAST_OVERLAY (overlay)));
}

static void
activate_and_settle (Fixture    *fixture,
                     const char *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), action, NULL));
  tally_test_wait_until (transition_done, find_leaflet (fixture->window));
}

static GtkWindow *
find_toplevel (GType type)
{
  g_autoptr (GList) toplevels = NULL;
  GtkWindow *found = NULL;

  /* A new window is listed once it exists; mapping takes a few iterations. */
  for (guint tries = 0; tries < 1000 && found == NULL; tries++)
    {
      g_clear_pointer (&toplevels, g_list_free);
      toplevels = gtk_window_list_toplevels ();
      for (GList *l = toplevels; l != NULL; l = l->next)
        if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type))
          found = l->data;
      g_main_context_iteration (NULL, FALSE);
    }

  g_assert_nonnull (found);
  return found;
}

static void
test_welcome (Fixture      *fixture,
              gconstpointer data)
{
  g_autoptr (GdkTexture) shot = NULL;

  g_assert_cmpstr (tally_window_get_visible_page (fixture->window), ==, "welcome");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (fixture->window)), ==, "Tally");

  shot = tally_test_screenshot (GTK_WIDGET (fixture->window), "welcome");
  tally_test_assert_not_blank (shot);
}

static void
test_welcome_dark (Fixture      *fixture,
                   gconstpointer data)
{
  TallySettings   *settings = tally_application_get_settings (fixture->app);
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autoptr (GdkTexture) shot = NULL;

  tally_settings_set_color_scheme (settings, TALLY_COLOR_SCHEME_DARK);
  g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (adw_style_manager_get_dark (style));

  shot = tally_test_screenshot (GTK_WIDGET (fixture->window), "welcome-dark");
  tally_test_assert_not_blank (shot);

  tally_settings_set_color_scheme (settings, TALLY_COLOR_SCHEME_DEFAULT);
  g_assert_false (adw_style_manager_get_dark (style));
}

static void
test_narrow (Fixture      *fixture,
             gconstpointer data)
{
  g_autoptr (GdkTexture) shot = NULL;

  /* The smallest size GNOME asks apps to fit (a phone-sized 360 px). */
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 360, 640);
  shot = tally_test_screenshot (GTK_WIDGET (fixture->window), "welcome-narrow");
  tally_test_assert_not_blank (shot);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (fixture->window)), <=, 400);
}

/* Each onboarding page opens from the welcome page and Back returns there,
 * whichever page was visited before (the leaflet goes back by child order
 * unless the window keeps the other pages out of the way). */
static void
test_onboarding_page (Fixture      *fixture,
                      gconstpointer data)
{
  const char      *page = data;
  const char      *other = g_str_equal (page, "create-wallet") ? "import-wallet" : "create-wallet";
  g_autofree char *action = g_strconcat ("win.", page, NULL);
  g_autofree char *other_action = g_strconcat ("win.", other, NULL);
  g_autoptr (GdkTexture) shot = NULL;

  activate_and_settle (fixture, other_action);
  activate_and_settle (fixture, "win.go-back");
  g_assert_cmpstr (tally_window_get_visible_page (fixture->window), ==, "welcome");

  activate_and_settle (fixture, action);
  g_assert_cmpstr (tally_window_get_visible_page (fixture->window), ==, page);
  shot = tally_test_screenshot (GTK_WIDGET (fixture->window), page);
  tally_test_assert_not_blank (shot);

  activate_and_settle (fixture, "win.go-back");
  g_assert_cmpstr (tally_window_get_visible_page (fixture->window), ==, "welcome");
}

static void
test_preferences (Fixture      *fixture,
                  gconstpointer data)
{
  TallySettings *settings = tally_application_get_settings (fixture->app);
  g_autoptr (GdkTexture) shot = NULL;
  GtkWindow *preferences;

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "preferences", NULL);
  preferences = find_toplevel (ADW_TYPE_PREFERENCES_WINDOW);
  g_assert_true (gtk_window_get_transient_for (preferences) == GTK_WINDOW (fixture->window));

  shot = tally_test_screenshot (GTK_WIDGET (preferences), "preferences");
  tally_test_assert_not_blank (shot);

  /* Changing a setting elsewhere shows in the open window, and back. */
  g_object_set (settings, "fiat-currency", "eur", NULL);
  g_object_set (settings, "run-in-background", FALSE, NULL);
  {
    g_autoptr (GdkTexture) changed = tally_test_screenshot (GTK_WIDGET (preferences),
                                                            "preferences-changed");
    tally_test_assert_not_blank (changed);
  }
  gtk_window_destroy (preferences);
  g_assert_cmpstr (tally_settings_get_fiat_currency (settings), ==, "eur");
}

static void
test_about (Fixture      *fixture,
            gconstpointer data)
{
  g_autoptr (GdkTexture) shot = NULL;
  GtkWindow *about;

  g_action_group_activate_action (G_ACTION_GROUP (fixture->app), "about", NULL);
  about = find_toplevel (ADW_TYPE_ABOUT_WINDOW);
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (about)), ==, PACKAGE_VERSION);
  g_assert_cmpstr (adw_about_window_get_application_icon (ADW_ABOUT_WINDOW (about)), ==, APP_ID);

  shot = tally_test_screenshot (GTK_WIDGET (about), "about");
  tally_test_assert_not_blank (shot);
}

static void
test_shortcuts (Fixture      *fixture,
                gconstpointer data)
{
  g_autoptr (GdkTexture) shot = NULL;
  GtkWindow *shortcuts;

  g_assert_true (
    gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-help-overlay", NULL));
  shortcuts = find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW);

  shot = tally_test_screenshot (GTK_WIDGET (shortcuts), "shortcuts");
  tally_test_assert_not_blank (shot);
}

static void
test_accels (Fixture      *fixture,
             gconstpointer data)
{
  GtkApplication *app = GTK_APPLICATION (fixture->app);
  g_auto (GStrv) quit = gtk_application_get_accels_for_action (app, "app.quit");
  g_auto (GStrv) prefs = gtk_application_get_accels_for_action (app, "app.preferences");
  g_auto (GStrv) help = gtk_application_get_accels_for_action (app, "win.show-help-overlay");

  g_assert_cmpstr (quit[0], ==, "<Control>q");
  g_assert_cmpstr (prefs[0], ==, "<Control>comma");
  g_assert_cmpstr (help[0], ==, "<Control>question");
}

static void
test_window_state_saved (Fixture      *fixture,
                         gconstpointer data)
{
  TallySettings *settings = tally_application_get_settings (fixture->app);
  GSettings     *gsettings = tally_settings_get_gsettings (settings);

  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 812, 611);
  tally_test_wait_for_frame (GTK_WIDGET (fixture->window));

  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
  gtk_window_close (GTK_WINDOW (fixture->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (fixture->window);

  g_assert_cmpint (g_settings_get_int (gsettings, "window-width"), ==, 812);
  g_assert_cmpint (g_settings_get_int (gsettings, "window-height"), ==, 611);
  g_assert_false (g_settings_get_boolean (gsettings, "window-maximized"));

  /* The next window opens at the saved size. */
  fixture->window = tally_window_new (fixture->app);
  {
    int width, height;

    gtk_window_get_default_size (GTK_WINDOW (fixture->window), &width, &height);
    g_assert_cmpint (width, ==, 812);
    g_assert_cmpint (height, ==, 611);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  int status;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  /* Look like a GNOME session rather than bare X: its interface font. */
  g_object_set (gtk_settings_get_default (), "gtk-font-name", "Cantarell 11", NULL);

  shared_app = tally_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (shared_app), NULL, &error));
  g_assert_no_error (error);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/ui/window/welcome", test_welcome);
  ADD ("/ui/window/welcome-dark", test_welcome_dark);
  ADD ("/ui/window/narrow", test_narrow);
  g_test_add ("/ui/window/create-wallet", Fixture, "create-wallet", fixture_set_up,
              test_onboarding_page, fixture_tear_down);
  g_test_add ("/ui/window/import-wallet", Fixture, "import-wallet", fixture_set_up,
              test_onboarding_page, fixture_tear_down);
  ADD ("/ui/window/accels", test_accels);
  ADD ("/ui/window/state-saved", test_window_state_saved);
  ADD ("/ui/preferences", test_preferences);
  ADD ("/ui/about", test_about);
  ADD ("/ui/shortcuts", test_shortcuts);
#undef ADD

  status = g_test_run ();
  g_clear_object (&shared_app);
  return status;
}
