/* keyring.c: wallet accounts kept in the OS keyring (Secret Service, through
 * libsecret)
 *
 * One item per account, under the schema io.github.tally.Tally.Account with
 * the attributes address (EIP-55), label and kind ("mnemonic" or "key").
 * Attributes are stored unencrypted and are what lets us list accounts
 * without unlocking anything, so they never hold a secret: the phrase or
 * the key (as hex) is the item's secret and exists nowhere else on disk.
 *
 * Inside Flatpak, libsecret (0.20 and later) notices the sandbox and stores
 * items in a file of its own under ~/.var/app/<app-id>/data/keyrings/,
 * encrypted with a key it gets from the Secret portal
 * (org.freedesktop.portal.Secret), which the desktop's keyring provides. The
 * same calls work unchanged; nothing is needed in finish-args, and
 * org.freedesktop.secrets must not be opened there (that would hand the app
 * every secret of the host keyring).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-wallet"

#include "config.h"

#include <string.h>

#include "bip39.h"
#include "error.h"
#include "hex.h"
#include "keyring.h"
#include "keys.h"
#include "keystore.h"
#include "secret.h"

#define ATTR_ADDRESS  "address"
#define ATTR_LABEL    "label"
#define ATTR_KIND     "kind"
#define KIND_MNEMONIC "mnemonic"
#define KIND_KEY      "key"
#define KEY_HEX_LEN   (2 * TALLY_PRIVATE_KEY_LEN)

const SecretSchema *
tally_keyring_get_schema (void)
{
  static const SecretSchema schema = {
    TALLY_KEYRING_SCHEMA_NAME,
    SECRET_SCHEMA_NONE,
    {
      { ATTR_ADDRESS, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { ATTR_LABEL, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { ATTR_KIND, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  /* libsecret sets libgcrypt up for its transport encryption unless someone
   * already has; ours wipes what libgcrypt frees. */
  tally_keystore_init ();
  return &schema;
}

void
tally_keyring_account_free (TallyKeyringAccount *account)
{
  if (account == NULL)
    return;
  g_free (account->label);
  g_free (account);
}

static const char *
kind_to_string (TallyKeyringKind kind)
{
  return kind == TALLY_KEYRING_KIND_MNEMONIC ? KIND_MNEMONIC : KIND_KEY;
}

static gboolean
kind_from_string (TallyKeyringKind *kind,
                  const char       *text)
{
  if (g_strcmp0 (text, KIND_MNEMONIC) == 0)
    *kind = TALLY_KEYRING_KIND_MNEMONIC;
  else if (g_strcmp0 (text, KIND_KEY) == 0)
    *kind = TALLY_KEYRING_KIND_KEY;
  else
    return FALSE;
  return TRUE;
}

/* Cancellation stays a G_IO_ERROR_CANCELLED, so callers can ignore it;
 * everything else becomes a readable keyring error. */
static void
propagate_keyring_error (GError    **dest,
                         GError     *src,
                         const char *what)
{
  if (g_error_matches (src, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (dest, src);
      return;
    }
  g_set_error (dest, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_KEYRING,
               "Could not %s in the system keyring (is a keyring service such as GNOME Keyring "
               "running?): %s",
               what, src->message);
  g_error_free (src);
}

/* Checks that the secret is what kind says it is, and returns the text the
 * keyring keeps for it (a TallySecret holding text + NUL). */
static TallySecret *
secret_to_text (const TallyAddress *address,
                TallyKeyringKind    kind,
                const TallySecret  *secret,
                GError            **error)
{
  TallyAddress derived;
  TallySecret *text;
  char        *hex;

  if (kind == TALLY_KEYRING_KIND_MNEMONIC)
    {
      TallySecret *normalized = NULL;

      if (secret->len == 0 || secret->data[secret->len - 1] != '\0' ||
          strlen ((const char *) secret->data) + 1 != secret->len)
        {
          g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                               "A recovery phrase is text ending in a NUL");
          return NULL;
        }
      if (!tally_bip39_normalize (&normalized, (const char *) secret->data, error))
        return NULL;
      return normalized;
    }

  if (secret->len != TALLY_PRIVATE_KEY_LEN)
    {
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_LENGTH,
                   "A private key is %d bytes, not %" G_GSIZE_FORMAT, TALLY_PRIVATE_KEY_LEN,
                   secret->len);
      return NULL;
    }
  if (!tally_address_from_private_key (&derived, secret->data, error))
    return NULL;
  if (!tally_address_equal (&derived, address))
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_ADDRESS,
                           "This private key does not belong to the account’s address");
      return NULL;
    }

  hex = tally_hex_encode_bare (secret->data, secret->len);
  text = tally_secret_new_from_data ((const guint8 *) hex, KEY_HEX_LEN + 1);
  tally_wipe (hex, KEY_HEX_LEN);
  g_free (hex);
  return text;
}

/* Removes items for this address whose label or kind is not the given one,
 * so storing under a new label replaces instead of adding. Runs after the
 * new item is stored: a failure there never loses the only copy. */
static gboolean
remove_stale (const char   *address,
              const char   *label,
              const char   *kind,
              GCancellable *cancellable,
              GError      **error)
{
  GError *local_error = NULL;
  GList  *items;

  items = secret_password_search_sync (tally_keyring_get_schema (), SECRET_SEARCH_ALL, cancellable,
                                       &local_error, ATTR_ADDRESS, address, NULL);
  if (local_error != NULL)
    {
      propagate_keyring_error (error, local_error, "tidy up an account");
      return FALSE;
    }

  for (GList *l = items; l != NULL; l = l->next)
    {
      g_autoptr (GHashTable) attributes = secret_retrievable_get_attributes (l->data);
      const char *old_label = g_hash_table_lookup (attributes, ATTR_LABEL);
      const char *old_kind = g_hash_table_lookup (attributes, ATTR_KIND);

      if (g_strcmp0 (old_label, label) == 0 && g_strcmp0 (old_kind, kind) == 0)
        continue;
      secret_password_clear_sync (tally_keyring_get_schema (), cancellable, &local_error,
                                  ATTR_ADDRESS, address, ATTR_LABEL, old_label != NULL ? old_label : "",
                                  ATTR_KIND, old_kind != NULL ? old_kind : "", NULL);
      if (local_error != NULL)
        break;
    }
  g_list_free_full (items, g_object_unref);

  if (local_error != NULL)
    {
      propagate_keyring_error (error, local_error, "tidy up an account");
      return FALSE;
    }
  return TRUE;
}

gboolean
tally_keyring_store_sync (const TallyAddress *address,
                          const char         *label,
                          TallyKeyringKind    kind,
                          const TallySecret  *secret,
                          GCancellable       *cancellable,
                          GError            **error)
{
  g_autoptr (TallySecret) text = NULL;
  g_autofree char *item_label = NULL;
  char             address_text[TALLY_ADDRESS_STRING_SIZE];
  GError          *local_error = NULL;

  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (label != NULL, FALSE);
  g_return_val_if_fail (secret != NULL, FALSE);
  g_return_val_if_fail (kind == TALLY_KEYRING_KIND_MNEMONIC || kind == TALLY_KEYRING_KIND_KEY, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_utf8_validate (label, -1, NULL))
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                           "The account name is not valid UTF-8 text");
      return FALSE;
    }
  text = secret_to_text (address, kind, secret, error);
  if (text == NULL)
    return FALSE;

  tally_address_to_string (address, address_text);
  /* What the user sees in Seahorse or another keyring manager. */
  item_label = g_strdup_printf ("Tally wallet account “%s” (%s)", label, address_text);

  secret_password_store_sync (tally_keyring_get_schema (), SECRET_COLLECTION_DEFAULT, item_label,
                              (const char *) text->data, cancellable, &local_error, ATTR_ADDRESS,
                              address_text, ATTR_LABEL, label, ATTR_KIND, kind_to_string (kind),
                              NULL);
  if (local_error != NULL)
    {
      propagate_keyring_error (error, local_error, "store the account");
      return FALSE;
    }

  return remove_stale (address_text, label, kind_to_string (kind), cancellable, error);
}

typedef struct
{
  TallyAddress     address;
  char            *label;
  TallyKeyringKind kind;
  TallySecret     *secret;
} StoreData;

static void
store_data_free (gpointer data)
{
  StoreData *d = data;

  g_free (d->label);
  tally_secret_free (d->secret);
  g_free (d);
}

static void
store_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  StoreData *d = task_data;
  GError    *error = NULL;

  /* libsecret's sync calls run their own main context: safe in a worker. */
  if (tally_keyring_store_sync (&d->address, d->label, d->kind, d->secret, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
tally_keyring_store (const TallyAddress *address,
                     const char         *label,
                     TallyKeyringKind    kind,
                     const TallySecret  *secret,
                     GCancellable       *cancellable,
                     GAsyncReadyCallback callback,
                     gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  StoreData *d;

  g_return_if_fail (address != NULL);
  g_return_if_fail (label != NULL);
  g_return_if_fail (secret != NULL);

  d = g_new0 (StoreData, 1);
  d->address = *address;
  d->label = g_strdup (label);
  d->kind = kind;
  d->secret = tally_secret_new_from_data (secret->data, secret->len);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_keyring_store);
  g_task_set_task_data (task, d, store_data_free);
  g_task_run_in_thread (task, store_thread);
}

gboolean
tally_keyring_store_finish (GAsyncResult *result,
                            GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tally_keyring_store, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static int
compare_accounts (gconstpointer a,
                  gconstpointer b)
{
  const TallyKeyringAccount *x = *(TallyKeyringAccount *const *) a;
  const TallyKeyringAccount *y = *(TallyKeyringAccount *const *) b;
  int                        cmp = g_utf8_collate (x->label, y->label);

  return cmp != 0 ? cmp : memcmp (x->address.bytes, y->address.bytes, TALLY_ADDRESS_LEN);
}

GPtrArray *
tally_keyring_list_sync (GCancellable *cancellable,
                         GError      **error)
{
  GPtrArray *accounts;
  GError    *local_error = NULL;
  GList     *items;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  items = secret_password_search_sync (tally_keyring_get_schema (), SECRET_SEARCH_ALL, cancellable,
                                       &local_error, NULL);
  if (local_error != NULL)
    {
      propagate_keyring_error (error, local_error, "list the accounts");
      return NULL;
    }

  accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) tally_keyring_account_free);
  for (GList *l = items; l != NULL; l = l->next)
    {
      g_autoptr (GHashTable) attributes = secret_retrievable_get_attributes (l->data);
      TallyKeyringAccount *account = g_new0 (TallyKeyringAccount, 1);
      const char          *label = g_hash_table_lookup (attributes, ATTR_LABEL);
      const char          *address = g_hash_table_lookup (attributes, ATTR_ADDRESS);

      /* An item another program wrote under our schema may be damaged;
       * skip it rather than fail the whole list. */
      if (address == NULL || !tally_address_parse (&account->address, address, NULL) ||
          !kind_from_string (&account->kind, g_hash_table_lookup (attributes, ATTR_KIND)) ||
          label == NULL || !g_utf8_validate (label, -1, NULL))
        {
          g_debug ("Skipping a damaged Tally account in the keyring");
          tally_keyring_account_free (account);
          continue;
        }
      account->label = g_strdup (label);
      g_ptr_array_add (accounts, account);
    }
  g_list_free_full (items, g_object_unref);

  g_ptr_array_sort (accounts, compare_accounts);
  return accounts;
}

TallySecret *
tally_keyring_load_sync (const TallyAddress *address,
                         TallyKeyringKind   *kind,
                         GCancellable       *cancellable,
                         GError            **error)
{
  g_autoptr (GHashTable) attributes = NULL;
  char             address_text[TALLY_ADDRESS_STRING_SIZE];
  GError          *local_error = NULL;
  GList           *items;
  SecretValue     *value = NULL;
  TallyKeyringKind found_kind = TALLY_KEYRING_KIND_KEY;
  TallySecret     *result = NULL;
  const char      *data;
  gsize            len = 0;

  g_return_val_if_fail (address != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (kind != NULL)
    *kind = TALLY_KEYRING_KIND_MNEMONIC;
  tally_address_to_string (address, address_text);

  /* One search for the item (to learn its kind) that also unlocks and
   * fetches its secret. */
  items = secret_password_search_sync (tally_keyring_get_schema (),
                                       SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS,
                                       cancellable, &local_error, ATTR_ADDRESS, address_text, NULL);
  if (local_error != NULL)
    {
      propagate_keyring_error (error, local_error, "read the account");
      return NULL;
    }
  if (items == NULL)
    {
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_KEYRING,
                   "There is no account %s in the system keyring", address_text);
      return NULL;
    }

  attributes = secret_retrievable_get_attributes (items->data);
  value = secret_retrievable_retrieve_secret_sync (items->data, cancellable, &local_error);
  g_list_free_full (items, g_object_unref);
  if (local_error != NULL)
    {
      propagate_keyring_error (error, local_error, "read the account");
      return NULL;
    }
  if (value == NULL || !kind_from_string (&found_kind, g_hash_table_lookup (attributes, ATTR_KIND)))
    goto damaged;

  data = secret_value_get (value, &len);
  if (found_kind == TALLY_KEYRING_KIND_MNEMONIC)
    {
      g_autoptr (TallySecret) text = tally_secret_new (len + 1);

      memcpy (text->data, data, len);
      if (strlen ((const char *) text->data) != len ||
          !tally_bip39_normalize (&result, (const char *) text->data, NULL))
        goto damaged;
    }
  else
    {
      TallyAddress derived;

      result = tally_secret_new (TALLY_PRIVATE_KEY_LEN);
      if (!tally_hex_decode_fixed (result->data, result->len, data, (gssize) len, NULL) ||
          !tally_address_from_private_key (&derived, result->data, NULL) ||
          !tally_address_equal (&derived, address))
        goto damaged;
    }

  secret_value_unref (value);
  if (kind != NULL)
    *kind = found_kind;
  return result;

damaged:
  g_clear_pointer (&value, secret_value_unref);
  g_clear_pointer (&result, tally_secret_free);
  g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_KEYRING,
               "The keyring entry of account %s is damaged", address_text);
  return NULL;
}

gboolean
tally_keyring_delete_sync (const TallyAddress *address,
                           GCancellable       *cancellable,
                           GError            **error)
{
  char     address_text[TALLY_ADDRESS_STRING_SIZE];
  GError  *local_error = NULL;
  gboolean removed;

  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  tally_address_to_string (address, address_text);
  removed = secret_password_clear_sync (tally_keyring_get_schema (), cancellable, &local_error,
                                        ATTR_ADDRESS, address_text, NULL);
  if (local_error != NULL)
    {
      propagate_keyring_error (error, local_error, "remove the account");
      return FALSE;
    }
  return removed;
}
