/* test-keyring.c: the keyring harness gives libsecret a real Secret Service
 *
 * Runs inside tests/keyring-harness (a private D-Bus session with a fresh
 * gnome-keyring). Proves the harness the wallet's keyring tests build on:
 * a secret stored under a Tally-like schema is found again by its
 * attributes, listed, and removed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <libsecret/secret.h>

static const SecretSchema test_schema = {
  "io.github.tally.Tally.HarnessTest",
  SECRET_SCHEMA_NONE,
  {
    { "address", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

#define ADDRESS "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"

static void
test_isolated (void)
{
  const char *runtime = g_getenv ("XDG_RUNTIME_DIR");
  const char *data = g_getenv ("XDG_DATA_HOME");

  /* Never the user's own keyring: the harness points both at a scratch dir. */
  g_assert_cmpstr (g_getenv ("TALLY_KEYRING_HARNESS_INSIDE"), ==, "1");
  g_assert_nonnull (runtime);
  g_assert_nonnull (strstr (runtime, "tally-keyring."));
  g_assert_nonnull (data);
  g_assert_nonnull (strstr (data, "tally-keyring."));
}

static void
test_store_and_lookup (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *found = NULL;
  gboolean         stored;

  stored = secret_password_store_sync (&test_schema, SECRET_COLLECTION_DEFAULT, "Tally harness test",
                                       "not a real key", NULL, &error, "address", ADDRESS, "kind",
                                       "key", NULL);
  g_assert_no_error (error);
  g_assert_true (stored);

  found = secret_password_lookup_sync (&test_schema, NULL, &error, "address", ADDRESS, NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, "not a real key");
}

static void
test_search_and_clear (void)
{
  g_autoptr (GError) error = NULL;
  GList           *items;
  g_autofree char *gone = NULL;

  secret_password_store_sync (&test_schema, SECRET_COLLECTION_DEFAULT, "Second", "other", NULL,
                              &error, "address", "0x0000000000000000000000000000000000000001",
                              "kind", "mnemonic", NULL);
  g_assert_no_error (error);

  items = secret_password_search_sync (&test_schema, SECRET_SEARCH_ALL, NULL, &error, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_length (items), >=, 2);
  g_list_free_full (items, g_object_unref);

  g_assert_true (secret_password_clear_sync (&test_schema, NULL, &error, "address", ADDRESS, NULL));
  g_assert_no_error (error);

  gone = secret_password_lookup_sync (&test_schema, NULL, &error, "address", ADDRESS, NULL);
  g_assert_no_error (error);
  g_assert_null (gone);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/integration/keyring/isolated", test_isolated);
  g_test_add_func ("/integration/keyring/store-and-lookup", test_store_and_lookup);
  g_test_add_func ("/integration/keyring/search-and-clear", test_search_and_clear);

  return g_test_run ();
}
