/* test-wallet-keyring.c: wallet accounts in the OS keyring (wallet/keyring.c)
 *
 * Runs inside tests/keyring-harness: a private D-Bus session with a fresh,
 * unlocked gnome-keyring, never the user's own.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "wallet/tally-wallet.h"

#define PHRASE "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
/* m/44'/60'/0'/0/0 of PHRASE, and the key 0x00…01's address. */
#define PHRASE_ADDRESS "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"
#define KEY_ADDRESS    "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"

static void
parse_address (TallyAddress *address,
               const char   *text)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_address_parse (address, text, &error));
  g_assert_no_error (error);
}

static void
key_one (guint8 key[TALLY_PRIVATE_KEY_LEN])
{
  memset (key, 0, TALLY_PRIVATE_KEY_LEN);
  key[TALLY_PRIVATE_KEY_LEN - 1] = 1;
}

static void
test_isolated (void)
{
  g_assert_cmpstr (g_getenv ("TALLY_KEYRING_HARNESS_INSIDE"), ==, "1");
  g_assert_nonnull (strstr (g_getenv ("XDG_DATA_HOME"), "tally-keyring."));
}

static void
stored_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_keyring_store_finish (result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
test_round_trip (void)
{
  g_autoptr (TallySecret) phrase = tally_secret_new_from_data ((const guint8 *) PHRASE,
                                                               strlen (PHRASE) + 1);
  g_autoptr (TallySecret) key = tally_secret_new (TALLY_PRIVATE_KEY_LEN);
  g_autoptr (TallySecret) loaded_phrase = NULL;
  g_autoptr (TallySecret) loaded_key = NULL;
  g_autoptr (TallySecret) gone = NULL;
  g_autoptr (GPtrArray) accounts = NULL;
  g_autoptr (GError) error = NULL;
  TallyAddress     phrase_address;
  TallyAddress     key_address;
  TallyKeyringKind kind = TALLY_KEYRING_KIND_KEY;
  gboolean         done = FALSE;
  char             text[TALLY_ADDRESS_STRING_SIZE];

  parse_address (&phrase_address, PHRASE_ADDRESS);
  parse_address (&key_address, KEY_ADDRESS);
  key_one (key->data);

  /* One stored synchronously, one from a worker thread. */
  g_assert_true (tally_keyring_store_sync (&phrase_address, "Savings", TALLY_KEYRING_KIND_MNEMONIC,
                                           phrase, NULL, &error));
  g_assert_no_error (error);
  tally_keyring_store (&key_address, "Imported key", TALLY_KEYRING_KIND_KEY, key, NULL, stored_cb,
                       &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);

  accounts = tally_keyring_list_sync (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 2);
  {
    TallyKeyringAccount *first = g_ptr_array_index (accounts, 0);
    TallyKeyringAccount *second = g_ptr_array_index (accounts, 1);

    /* Sorted by label. */
    g_assert_cmpstr (first->label, ==, "Imported key");
    g_assert_cmpint (first->kind, ==, TALLY_KEYRING_KIND_KEY);
    tally_address_to_string (&first->address, text);
    g_assert_cmpstr (text, ==, KEY_ADDRESS);
    g_assert_cmpstr (second->label, ==, "Savings");
    g_assert_cmpint (second->kind, ==, TALLY_KEYRING_KIND_MNEMONIC);
    tally_address_to_string (&second->address, text);
    g_assert_cmpstr (text, ==, PHRASE_ADDRESS);
  }

  loaded_phrase = tally_keyring_load_sync (&phrase_address, &kind, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (kind, ==, TALLY_KEYRING_KIND_MNEMONIC);
  g_assert_cmpmem (loaded_phrase->data, loaded_phrase->len, phrase->data, phrase->len);

  loaded_key = tally_keyring_load_sync (&key_address, &kind, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (kind, ==, TALLY_KEYRING_KIND_KEY);
  g_assert_cmpmem (loaded_key->data, loaded_key->len, key->data, key->len);

  g_assert_true (tally_keyring_delete_sync (&key_address, NULL, &error));
  g_assert_no_error (error);
  gone = tally_keyring_load_sync (&key_address, &kind, NULL, &error);
  g_assert_null (gone);
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_KEYRING);
  g_assert_nonnull (strstr (error->message, KEY_ADDRESS));
  g_clear_error (&error);
  g_assert_false (tally_keyring_delete_sync (&key_address, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (tally_keyring_delete_sync (&phrase_address, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&accounts, g_ptr_array_unref);
  accounts = tally_keyring_list_sync (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 0);
}

static void
test_relabel_replaces (void)
{
  g_autoptr (TallySecret) key = tally_secret_new (TALLY_PRIVATE_KEY_LEN);
  g_autoptr (GPtrArray) accounts = NULL;
  g_autoptr (GError) error = NULL;
  TallyAddress address;

  parse_address (&address, KEY_ADDRESS);
  key_one (key->data);
  g_assert_true (tally_keyring_store_sync (&address, "Old name", TALLY_KEYRING_KIND_KEY, key, NULL,
                                           &error));
  g_assert_true (tally_keyring_store_sync (&address, "New name", TALLY_KEYRING_KIND_KEY, key, NULL,
                                           &error));
  g_assert_no_error (error);

  accounts = tally_keyring_list_sync (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 1);
  g_assert_cmpstr (((TallyKeyringAccount *) g_ptr_array_index (accounts, 0))->label, ==, "New name");
  g_assert_true (tally_keyring_delete_sync (&address, NULL, &error));
}

static void
test_no_secret_in_attributes (void)
{
  g_autoptr (TallySecret) phrase = tally_secret_new_from_data ((const guint8 *) PHRASE,
                                                               strlen (PHRASE) + 1);
  g_autoptr (GError) error = NULL;
  TallyAddress address;
  GList       *items;

  parse_address (&address, PHRASE_ADDRESS);
  g_assert_true (tally_keyring_store_sync (&address, "Check", TALLY_KEYRING_KIND_MNEMONIC, phrase,
                                           NULL, &error));
  g_assert_no_error (error);

  items = secret_password_search_sync (tally_keyring_get_schema (), SECRET_SEARCH_ALL, NULL, &error,
                                       NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_length (items), ==, 1);
  {
    g_autoptr (GHashTable) attributes = secret_retrievable_get_attributes (items->data);
    g_autofree char *label = secret_retrievable_get_label (items->data);
    GHashTableIter   iter;
    gpointer         name, value;

    g_hash_table_iter_init (&iter, attributes);
    while (g_hash_table_iter_next (&iter, &name, &value))
      {
        g_assert_null (strstr (value, "abandon"));
        g_assert_null (strstr (value, "about"));
      }
    g_assert_null (strstr (label, "abandon"));
  }
  g_list_free_full (items, g_object_unref);
  g_assert_true (tally_keyring_delete_sync (&address, NULL, &error));
}

static void
test_refuses_bad_secrets (void)
{
  static const char *const not_phrases[] = {
    "abandon abandon abandon",
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon",
  };
  g_autoptr (TallySecret) key = tally_secret_new (TALLY_PRIVATE_KEY_LEN);
  g_autoptr (TallySecret) short_key = tally_secret_new (31);
  g_autoptr (GPtrArray) accounts = NULL;
  g_autoptr (GError) error = NULL;
  TallyAddress address;

  parse_address (&address, PHRASE_ADDRESS);
  for (guint i = 0; i < G_N_ELEMENTS (not_phrases); i++)
    {
      g_autoptr (TallySecret) phrase = tally_secret_new_from_data ((const guint8 *) not_phrases[i],
                                                                   strlen (not_phrases[i]) + 1);

      g_assert_false (tally_keyring_store_sync (&address, "Bad", TALLY_KEYRING_KIND_MNEMONIC, phrase,
                                                NULL, &error));
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
      g_clear_error (&error);
    }

  /* The key 0x00…01 is not the key of PHRASE_ADDRESS. */
  key_one (key->data);
  g_assert_false (tally_keyring_store_sync (&address, "Bad", TALLY_KEYRING_KIND_KEY, key, NULL, &error));
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_ADDRESS);
  g_clear_error (&error);
  g_assert_false (tally_keyring_store_sync (&address, "Bad", TALLY_KEYRING_KIND_KEY, short_key, NULL,
                                            &error));
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_LENGTH);
  g_clear_error (&error);

  accounts = tally_keyring_list_sync (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 0);
}

static void
test_damaged_entry (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallySecret) loaded = NULL;
  TallyAddress address;

  /* Written behind our back with a secret that is not this address's key. */
  parse_address (&address, KEY_ADDRESS);
  g_assert_true (secret_password_store_sync (tally_keyring_get_schema (), SECRET_COLLECTION_DEFAULT,
                                             "damaged", "00", NULL, &error, "address", KEY_ADDRESS,
                                             "label", "Damaged", "kind", "key", NULL));
  g_assert_no_error (error);

  loaded = tally_keyring_load_sync (&address, NULL, NULL, &error);
  g_assert_null (loaded);
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_KEYRING);
  g_assert_nonnull (strstr (error->message, "damaged"));
  g_clear_error (&error);
  g_assert_true (tally_keyring_delete_sync (&address, NULL, &error));
}

static const char *self_path;

/* Child mode: no session bus at all, as on a system without a keyring. */
static int
list_without_service (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) accounts = tally_keyring_list_sync (NULL, &error);

  g_assert_null (accounts);
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_KEYRING);
  g_print ("%s\n", error->message);
  return 0;
}

static void
test_no_service (void)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GSubprocess) child = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;

  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  child = g_subprocess_launcher_spawn (launcher, &error, self_path, "--list-without-service", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (child, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (child));
  g_assert_nonnull (strstr (out, "Could not list the accounts in the system keyring"));
}

int
main (int   argc,
      char *argv[])
{
  self_path = argv[0];
  if (argc == 2 && g_str_equal (argv[1], "--list-without-service"))
    return list_without_service ();

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/integration/wallet-keyring/isolated", test_isolated);
  g_test_add_func ("/integration/wallet-keyring/round-trip", test_round_trip);
  g_test_add_func ("/integration/wallet-keyring/relabel-replaces", test_relabel_replaces);
  g_test_add_func ("/integration/wallet-keyring/no-secret-in-attributes", test_no_secret_in_attributes);
  g_test_add_func ("/integration/wallet-keyring/refuses-bad-secrets", test_refuses_bad_secrets);
  g_test_add_func ("/integration/wallet-keyring/damaged-entry", test_damaged_entry);
  g_test_add_func ("/integration/wallet-keyring/no-service", test_no_service);

  return g_test_run ();
}
