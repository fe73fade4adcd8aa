/* task-key.c: the requester's task keys of private datasets, kept in the OS
 * keyring under the requester's account and the key's hash
 *
 * One item per key, under the schema io.github.tally.Tally.TaskKey with the
 * attributes requester (EIP-55) and key-hash (0x-hex keccak-256 of the key).
 * As with wallet/keyring.c, attributes are stored unencrypted, so they hold
 * only the hash; the key itself (as hex) is the item's secret and is written
 * to no file unless the requester exports it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include <libsecret/secret.h>

#include "core-error.h"
#include "task-key.h"
#include "wallet/hex.h"
#include "wallet/keccak.h"
#include "wallet/keystore.h"
#include "wallet/secret.h"

#define ATTR_REQUESTER "requester"
#define ATTR_KEY_HASH  "key-hash"
#define KEY_HEX_LEN    (2 * TALLY_TASK_KEY_LEN)

G_STATIC_ASSERT (TALLY_TASK_KEY_LEN == TALLY_PRIVATE_KEY_LEN);

static const SecretSchema *
get_schema (void)
{
  static const SecretSchema schema = {
    TALLY_TASK_KEY_SCHEMA_NAME,
    SECRET_SCHEMA_NONE,
    {
      { ATTR_REQUESTER, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { ATTR_KEY_HASH, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  /* As the wallet's keyring does: libgcrypt is set up our way before
   * libsecret would set it up its own. */
  tally_keystore_init ();
  return &schema;
}

/* Cancellation stays G_IO_ERROR_CANCELLED, so callers can ignore it. */
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
  g_set_error (dest, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE,
               "Could not %s in the system keyring (is a keyring service such as GNOME Keyring "
               "running?): %s",
               what, src->message);
  g_error_free (src);
}

gboolean
tally_task_key_generate (guint8   key[TALLY_TASK_KEY_LEN],
                         GError **error)
{
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (key != NULL, FALSE);

  /* A secp256k1 private key is 32 bytes of getrandom(2), redrawn in the
   * negligible case that they exceed the curve order: uniform enough for an
   * AES-256 key, and the wallet's one source of key randomness. */
  if (!tally_private_key_generate (key, &local_error))
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE,
                   "Could not generate a task key: %s", local_error->message);
      return FALSE;
    }
  return TRUE;
}

void
tally_task_key_hash (guint8       key_hash[32],
                     const guint8 key[TALLY_TASK_KEY_LEN])
{
  g_return_if_fail (key_hash != NULL);
  g_return_if_fail (key != NULL);

  tally_keccak256 (key_hash, key, TALLY_TASK_KEY_LEN);
}

gboolean
tally_task_key_store_sync (const TallyAddress *requester,
                           const guint8        key_hash[32],
                           const guint8        key[TALLY_TASK_KEY_LEN],
                           GCancellable       *cancellable,
                           GError            **error)
{
  g_autoptr (TallySecret) text = NULL;
  g_autofree char *hash_text = NULL;
  g_autofree char *label = NULL;
  char             requester_text[TALLY_ADDRESS_STRING_SIZE];
  guint8           actual[TALLY_KECCAK256_LEN];
  GError          *local_error = NULL;
  char            *hex;

  g_return_val_if_fail (requester != NULL, FALSE);
  g_return_val_if_fail (key_hash != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  tally_task_key_hash (actual, key);
  if (memcmp (actual, key_hash, TALLY_KECCAK256_LEN) != 0)
    {
      g_set_error_literal (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_KEY,
                           "The task key does not match the key hash it is to be stored under");
      return FALSE;
    }

  tally_address_to_string (requester, requester_text);
  hash_text = tally_hex_encode (key_hash, TALLY_KECCAK256_LEN);
  /* What the user sees in Seahorse or another keyring manager. */
  label = g_strdup_printf ("Tally task key %.18s… of %s", hash_text, requester_text);

  hex = tally_hex_encode_bare (key, TALLY_TASK_KEY_LEN);
  text = tally_secret_new_from_data ((const guint8 *) hex, KEY_HEX_LEN + 1);
  tally_wipe (hex, KEY_HEX_LEN);
  g_free (hex);

  secret_password_store_sync (get_schema (), SECRET_COLLECTION_DEFAULT, label,
                              (const char *) text->data, cancellable, &local_error,
                              ATTR_REQUESTER, requester_text, ATTR_KEY_HASH, hash_text, NULL);
  if (local_error != NULL)
    {
      propagate_keyring_error (error, local_error, "store the task key");
      return FALSE;
    }
  return TRUE;
}

gboolean
tally_task_key_lookup_sync (const TallyAddress *requester,
                            const guint8        key_hash[32],
                            guint8              key[TALLY_TASK_KEY_LEN],
                            GCancellable       *cancellable,
                            GError            **error)
{
  g_autofree char *hash_text = NULL;
  char             requester_text[TALLY_ADDRESS_STRING_SIZE];
  guint8           actual[TALLY_KECCAK256_LEN];
  GError          *local_error = NULL;
  char            *text;
  gboolean         ok;

  g_return_val_if_fail (requester != NULL, FALSE);
  g_return_val_if_fail (key_hash != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (key, 0, TALLY_TASK_KEY_LEN);
  tally_address_to_string (requester, requester_text);
  hash_text = tally_hex_encode (key_hash, TALLY_KECCAK256_LEN);

  text = secret_password_lookup_sync (get_schema (), cancellable, &local_error, ATTR_REQUESTER,
                                      requester_text, ATTR_KEY_HASH, hash_text, NULL);
  if (local_error != NULL)
    {
      propagate_keyring_error (error, local_error, "read the task key");
      return FALSE;
    }
  if (text == NULL)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND,
                   "The system keyring holds no task key %s for the account %s", hash_text,
                   requester_text);
      return FALSE;
    }

  ok = strlen (text) == KEY_HEX_LEN &&
       tally_hex_decode_fixed (key, TALLY_TASK_KEY_LEN, text, KEY_HEX_LEN, NULL);
  /* libsecret's own free wipes the text. */
  secret_password_free (text);
  if (ok)
    {
      tally_task_key_hash (actual, key);
      ok = memcmp (actual, key_hash, TALLY_KECCAK256_LEN) == 0;
    }
  if (!ok)
    {
      tally_wipe (key, TALLY_TASK_KEY_LEN);
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_KEY,
                   "The system keyring's task key %s for the account %s is damaged: it is not "
                   "the key of that hash",
                   hash_text, requester_text);
      return FALSE;
    }
  return TRUE;
}
