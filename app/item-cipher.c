/* item-cipher.c: sealing and opening one item of a private dataset with its
 * task key (AES-256-GCM, docs/manifest.md "Encrypted items")
 *
 * A sealed item is nonce (12) ‖ ciphertext ‖ tag (16). The nonce is random
 * per seal: one task key seals up to 256 items, far below the 2^32 random
 * 96-bit nonces GCM allows per key. The item's id is the associated data,
 * so a server that swaps two files (same key, both genuine) is caught too.
 *
 * Opened plaintext only ever lives in memory that is wiped when freed.
 *
 * Sealing (the requester's `dataset encrypt`, once per item) uses nettle.
 * Opening is the annotator's hot path, every time an item is shown, and
 * uses libgcrypt: nettle 3.8's GHASH runs at about 1 GB/s here, under half
 * the rate the clear path reads and hashes at, while libgcrypt's aggregated
 * carry-less-multiply GHASH opens at over 5 GB/s (bench/bench-items). Two
 * implementations of one format also check each other in the tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <gcrypt.h>
#include <nettle/gcm.h>

#include "core-error.h"
#include "item-cipher.h"
#include "wallet/keystore.h"
#include "wallet/secret.h"

G_STATIC_ASSERT (TALLY_ITEM_CIPHER_NONCE_LEN == GCM_IV_SIZE);
G_STATIC_ASSERT (TALLY_ITEM_CIPHER_TAG_LEN == GCM_DIGEST_SIZE);
G_STATIC_ASSERT (TALLY_ITEM_CIPHER_OVERHEAD ==
                 TALLY_ITEM_CIPHER_NONCE_LEN + TALLY_ITEM_CIPHER_TAG_LEN);
G_STATIC_ASSERT (TALLY_TASK_KEY_LEN == AES256_KEY_SIZE);

/* A plaintext buffer: its size travels with it so the free function can
 * wipe all of it. */
typedef struct
{
  gsize  len;
  guint8 data[];
} Plain;

static void
plain_free (gpointer data)
{
  Plain *plain = data;

  tally_wipe (plain->data, plain->len);
  g_free (plain);
}

static void
start (struct gcm_aes256_ctx *ctx,
       const guint8           key[TALLY_TASK_KEY_LEN],
       const guint8          *nonce,
       const char            *item_id)
{
  gcm_aes256_set_key (ctx, key);
  gcm_aes256_set_iv (ctx, TALLY_ITEM_CIPHER_NONCE_LEN, nonce);
  gcm_aes256_update (ctx, strlen (item_id), (const guint8 *) item_id);
}

GBytes *
tally_item_cipher_seal (const guint8 key[TALLY_TASK_KEY_LEN],
                        const char  *item_id,
                        GBytes      *plaintext,
                        GError     **error)
{
  struct gcm_aes256_ctx ctx;
  gsize                 len;
  const guint8         *data;
  guint8               *out;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (item_id != NULL, NULL);
  g_return_val_if_fail (plaintext != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (plaintext, &len);
  if (len > G_MAXSIZE - TALLY_ITEM_CIPHER_OVERHEAD)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_TOO_LARGE,
                   "Item “%s” is too large to encrypt", item_id);
      return NULL;
    }
  out = g_malloc (len + TALLY_ITEM_CIPHER_OVERHEAD);
  if (!tally_random_bytes (out, TALLY_ITEM_CIPHER_NONCE_LEN, error))
    {
      g_free (out);
      return NULL;
    }
  start (&ctx, key, out, item_id);
  gcm_aes256_encrypt (&ctx, len, out + TALLY_ITEM_CIPHER_NONCE_LEN, data);
  gcm_aes256_digest (&ctx, TALLY_ITEM_CIPHER_TAG_LEN, out + TALLY_ITEM_CIPHER_NONCE_LEN + len);
  /* The context holds the expanded key. */
  tally_wipe (&ctx, sizeof ctx);
  return g_bytes_new_take (out, len + TALLY_ITEM_CIPHER_OVERHEAD);
}

/* libgcrypt's handle holds the expanded key in memory its allocator
 * wipes when freed (tally_keystore_init). */
static gboolean
open_into (const guint8  key[TALLY_TASK_KEY_LEN],
           const char   *item_id,
           const guint8 *sealed,
           gsize         plain_len,
           guint8       *plain)
{
  gcry_cipher_hd_t handle = NULL;
  gcry_error_t     err;

  err = gcry_cipher_open (&handle, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_GCM, 0);
  if (err == 0)
    err = gcry_cipher_setkey (handle, key, TALLY_TASK_KEY_LEN);
  if (err == 0)
    err = gcry_cipher_setiv (handle, sealed, TALLY_ITEM_CIPHER_NONCE_LEN);
  if (err == 0)
    err = gcry_cipher_authenticate (handle, item_id, strlen (item_id));
  if (err == 0)
    err = gcry_cipher_decrypt (handle, plain, plain_len, sealed + TALLY_ITEM_CIPHER_NONCE_LEN,
                               plain_len);
  /* Compares in constant time. */
  if (err == 0)
    err = gcry_cipher_checktag (handle, sealed + TALLY_ITEM_CIPHER_NONCE_LEN + plain_len,
                                TALLY_ITEM_CIPHER_TAG_LEN);
  gcry_cipher_close (handle);
  return err == 0;
}

GBytes *
tally_item_cipher_open (const guint8 key[TALLY_TASK_KEY_LEN],
                        const char  *item_id,
                        GBytes      *ciphertext,
                        GError     **error)
{
  gsize         len;
  gsize         plain_len;
  const guint8 *data;
  Plain        *plain;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (item_id != NULL, NULL);
  g_return_val_if_fail (ciphertext != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (ciphertext, &len);
  if (len < TALLY_ITEM_CIPHER_OVERHEAD)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_KEY,
                   "Item “%s” cannot be decrypted: it is truncated (%" G_GSIZE_FORMAT
                   " bytes, less than the %d of a nonce and a tag)",
                   item_id, len, TALLY_ITEM_CIPHER_OVERHEAD);
      return NULL;
    }

  tally_keystore_init ();
  plain_len = len - TALLY_ITEM_CIPHER_OVERHEAD;
  plain = g_malloc (sizeof (Plain) + plain_len);
  plain->len = plain_len;
  if (!open_into (key, item_id, data, plain_len, plain->data))
    {
      /* Unauthenticated plaintext never leaves this function. */
      plain_free (plain);
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_KEY,
                   "Item “%s” cannot be decrypted: the task key is not the one it was "
                   "encrypted with, or the file was changed or belongs to another item",
                   item_id);
      return NULL;
    }
  return g_bytes_new_with_free_func (plain->data, plain_len, plain_free, plain);
}

typedef struct
{
  guint8  key[TALLY_TASK_KEY_LEN];
  char   *item_id;
  GBytes *ciphertext;
} OpenData;

static void
open_data_free (OpenData *data)
{
  tally_wipe (data->key, sizeof data->key);
  g_free (data->item_id);
  g_bytes_unref (data->ciphertext);
  g_free (data);
}

static void
open_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  OpenData *data = task_data;
  GError   *error = NULL;
  GBytes   *plaintext;

  if (g_task_return_error_if_cancelled (task))
    return;
  plaintext = tally_item_cipher_open (data->key, data->item_id, data->ciphertext, &error);
  if (plaintext == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, plaintext, (GDestroyNotify) g_bytes_unref);
}

void
tally_item_cipher_open_async (const guint8        key[TALLY_TASK_KEY_LEN],
                              const char         *item_id,
                              GBytes             *ciphertext,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  OpenData *data;

  g_return_if_fail (key != NULL);
  g_return_if_fail (item_id != NULL);
  g_return_if_fail (ciphertext != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_item_cipher_open_async);
  data = g_new0 (OpenData, 1);
  memcpy (data->key, key, sizeof data->key);
  data->item_id = g_strdup (item_id);
  data->ciphertext = g_bytes_ref (ciphertext);
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);
  g_task_run_in_thread (task, open_in_thread);
}

GBytes *
tally_item_cipher_open_finish (GAsyncResult *result,
                               GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tally_item_cipher_open_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
