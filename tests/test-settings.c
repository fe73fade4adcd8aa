/* test-settings.c: TallySettings mirrors the GSettings keys both ways, and
 * the currency list matches the schema (app/tally-settings.c, app/currency.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>

#include "currency.h"
#include "tally-settings.h"

static GSettings *
fresh_gsettings (void)
{
  g_autoptr (GSettingsBackend) backend = g_memory_settings_backend_new ();

  return g_settings_new_with_backend (APP_ID, backend);
}

static void
test_defaults (void)
{
  g_autoptr (GSettings) gsettings = fresh_gsettings ();
  g_autoptr (TallySettings) settings = tally_settings_new (gsettings);

  g_assert_cmpint (tally_settings_get_color_scheme (settings), ==, TALLY_COLOR_SCHEME_DEFAULT);
  g_assert_cmpstr (tally_settings_get_fiat_currency (settings), ==, "usd");
  g_assert_cmpstr (tally_settings_get_network (settings), ==, "devnet");
  g_assert_cmpstr (tally_settings_get_ipfs_gateway (settings), ==, "https://ipfs.io/ipfs/");
  g_assert_true (tally_settings_get_run_in_background (settings));
  g_assert_true (tally_settings_get_deadline_notifications (settings));
  g_assert_true (tally_settings_get_gsettings (settings) == gsettings);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
test_property_writes_key (void)
{
  g_autoptr (GSettings) gsettings = fresh_gsettings ();
  g_autoptr (TallySettings) settings = tally_settings_new (gsettings);
  guint notified = 0;

  g_signal_connect (settings, "notify::fiat-currency", G_CALLBACK (count_notify), &notified);

  tally_settings_set_color_scheme (settings, TALLY_COLOR_SCHEME_DARK);
  g_assert_cmpstr (g_settings_get_string (gsettings, "color-scheme"), ==, "dark");

  tally_settings_set_fiat_currency (settings, "EUR");
  g_assert_cmpstr (g_settings_get_string (gsettings, "fiat-currency"), ==, "eur");
  g_assert_cmpstr (tally_settings_get_fiat_currency (settings), ==, "eur");
  g_assert_cmpuint (notified, ==, 1);

  /* Setting the same value again is no change and no notification. */
  tally_settings_set_fiat_currency (settings, "eur");
  g_assert_cmpuint (notified, ==, 1);

  g_object_set (settings, "run-in-background", FALSE, "ipfs-gateway", "https://example.org/ipfs/",
                NULL);
  g_assert_false (g_settings_get_boolean (gsettings, "run-in-background"));
  g_assert_cmpstr (g_settings_get_string (gsettings, "ipfs-gateway"), ==,
                   "https://example.org/ipfs/");
}

static void
test_key_updates_property (void)
{
  g_autoptr (GSettings) gsettings = fresh_gsettings ();
  g_autoptr (TallySettings) settings = tally_settings_new (gsettings);
  guint notified = 0;

  g_signal_connect (settings, "notify::deadline-notifications", G_CALLBACK (count_notify),
                    &notified);

  g_settings_set_string (gsettings, "color-scheme", "light");
  g_assert_cmpint (tally_settings_get_color_scheme (settings), ==, TALLY_COLOR_SCHEME_LIGHT);

  g_settings_set_boolean (gsettings, "deadline-notifications", FALSE);
  g_assert_false (tally_settings_get_deadline_notifications (settings));
  g_assert_cmpuint (notified, ==, 1);

  g_settings_set_string (gsettings, "network", "sepolia");
  g_assert_cmpstr (tally_settings_get_network (settings), ==, "sepolia");
}

static void
test_unknown_currency_refused (void)
{
  g_autoptr (GSettings) gsettings = fresh_gsettings ();
  g_autoptr (TallySettings) settings = tally_settings_new (gsettings);

  g_test_expect_message ("tally-settings", G_LOG_LEVEL_WARNING, "*Unknown display currency*");
  tally_settings_set_fiat_currency (settings, "xyz");
  g_test_assert_expected_messages ();

  g_assert_cmpstr (tally_settings_get_fiat_currency (settings), ==, "usd");
  g_assert_cmpstr (g_settings_get_string (gsettings, "fiat-currency"), ==, "usd");
}

static void
test_currencies_match_schema (void)
{
  g_autoptr (GSettings) gsettings = fresh_gsettings ();
  g_autoptr (GSettingsSchema) schema = NULL;
  g_autoptr (GSettingsSchemaKey) key = NULL;
  g_autoptr (GVariant) range = NULL;
  g_autoptr (GVariant) choices = NULL;
  g_autofree char     *kind = NULL;
  const TallyCurrency *list;
  gsize                n;

  g_object_get (gsettings, "settings-schema", &schema, NULL);
  key = g_settings_schema_get_key (schema, "fiat-currency");
  range = g_settings_schema_key_get_range (key);
  g_variant_get (range, "(sv)", &kind, &choices);
  g_assert_cmpstr (kind, ==, "enum");

  list = tally_currency_list (&n);
  g_assert_cmpuint (g_variant_n_children (choices), ==, n);
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr (GVariant) value = g_variant_new_string (list[i].code);

      g_assert_true (g_settings_schema_key_range_check (key, value));
      g_assert_true (tally_currency_lookup (list[i].code) == &list[i]);
      g_assert_cmpuint (list[i].minor_digits, <=, 3);
      g_assert_cmpstr (list[i].symbol, !=, "");
    }

  g_assert_null (tally_currency_lookup ("xyz"));
  g_assert_null (tally_currency_lookup (NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/settings/defaults", test_defaults);
  g_test_add_func ("/core/settings/property-writes-key", test_property_writes_key);
  g_test_add_func ("/core/settings/key-updates-property", test_key_updates_property);
  g_test_add_func ("/core/settings/unknown-currency-refused", test_unknown_currency_refused);
  g_test_add_func ("/core/currency/matches-schema", test_currencies_match_schema);

  return g_test_run ();
}
