/* keystore.c: Web3 Secret Storage (keystore v3) key files
 *
 * Format: https://ethereum.org/developers/docs/data-structures-and-encoding/web3-secret-storage/
 * (the ethereum wiki's "Web3 Secret Storage Definition"). The password goes
 * through scrypt or PBKDF2-HMAC-SHA256 to a 32-byte derived key; its first
 * half is the AES-128-CTR key, its second half authenticates the ciphertext:
 * mac = keccak256(dk[16..32] ‖ ciphertext).
 *
 * A key file comes from outside (a download, a USB stick), so it is parsed
 * strictly and its KDF parameters are bounded before anything is allocated
 * (see keystore.h). scrypt is libgcrypt's; libgcrypt fixes r = 8 for
 * GCRY_KDF_SCRYPT and takes the undocumented algorithm number 41 for r = 1
 * (its cipher/scrypt.c, kept for the RFC 7914 vectors), which the Web3 Secret
 * Storage scrypt vector uses; files with another r are refused as
 * unsupported. Nobody writes those: geth, cast, ethers and MetaMask use r = 8.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-wallet"

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>
#include <nettle/aes.h>
#include <nettle/ctr.h>
#include <nettle/pbkdf2.h>

#include "error.h"
#include "hex.h"
#include "keccak.h"
#include "keys.h"
#include "keystore-private.h"
#include "keystore.h"
#include "secret.h"

#define DKLEN             TALLY_KEYSTORE_DKLEN
#define CIPHER_KEY_LEN    16
#define IV_LEN            TALLY_KEYSTORE_IV_LEN
#define SALT_LEN          32 /* what we write; files may use 1..1024 */
#define MAC_LEN           TALLY_KEYSTORE_MAC_LEN
#define GCRY_KDF_SCRYPT_1 41 /* libgcrypt's scrypt with r = 1 */
#define BURN_STACK_SIZE   16384

const TallyKeystoreParams tally_keystore_params_standard = {
  TALLY_KEYSTORE_KDF_SCRYPT, 1u << 18, 8, 1, 0
};
const TallyKeystoreParams tally_keystore_params_light = {
  TALLY_KEYSTORE_KDF_SCRYPT, 1u << 12, 8, 6, 0
};

/* ---- libgcrypt set-up ------------------------------------------------ */

/* libgcrypt frees scrypt's buffers (128·N·r bytes derived from the password)
 * without clearing them. These handlers remember each block's size, so
 * every free wipes it. libsecret also uses libgcrypt, and only sets it up
 * when nobody has: tally_keystore_init() runs before the keyring touches
 * libsecret, so its transport keys get the same treatment. */
typedef struct
{
  size_t size;
  size_t secure;
} BlockHeader;

#define HEADER_SIZE 16
G_STATIC_ASSERT (sizeof (BlockHeader) <= HEADER_SIZE);

/* Blocks come from malloc (), aligned for any type; the header keeps that
 * alignment for what follows it. */
static BlockHeader *
header_of (const void *p)
{
  return (BlockHeader *) (void *) ((const guint8 *) p - HEADER_SIZE);
}

static void *
block_alloc (size_t n,
             int    secure)
{
  BlockHeader *header;

  if (n > G_MAXSIZE - HEADER_SIZE)
    return NULL;
  header = malloc (n + HEADER_SIZE);
  if (header == NULL)
    return NULL;
  header->size = n;
  header->secure = secure != 0;
  return (guint8 *) header + HEADER_SIZE;
}

static void *
wiped_alloc (size_t n)
{
  return block_alloc (n, 0);
}

static void *
wiped_alloc_secure (size_t n)
{
  return block_alloc (n, 1);
}

static int
wiped_is_secure (const void *p)
{
  return p != NULL && header_of (p)->secure != 0;
}

static void
wiped_free (void *p)
{
  BlockHeader *header;

  if (p == NULL)
    return;
  header = header_of (p);
  tally_wipe (p, header->size);
  free (header);
}

static void *
wiped_realloc (void  *p,
               size_t n)
{
  void *q;

  if (p == NULL)
    return wiped_alloc (n);
  q = block_alloc (n, wiped_is_secure (p));
  if (q == NULL)
    return NULL;
  memcpy (q, p, MIN (n, header_of (p)->size));
  wiped_free (p);
  return q;
}

void
tally_keystore_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      if (!gcry_control (GCRYCTL_INITIALIZATION_FINISHED_P))
        {
          if (gcry_check_version (GCRYPT_VERSION) == NULL)
            g_error ("libgcrypt is older than the %s it was built against", GCRYPT_VERSION);
          gcry_set_allocation_handler (wiped_alloc, wiped_alloc_secure, wiped_is_secure,
                                       wiped_realloc, wiped_free);
          /* The handlers above replace libgcrypt's own secure memory pool. */
          gcry_control (GCRYCTL_DISABLE_SECMEM, 0);
          gcry_control (GCRYCTL_INITIALIZATION_FINISHED, 0);
        }
      g_once_init_leave (&initialized, 1);
    }
}

/* ---- key derivation and encryption ----------------------------------- */

/* nettle keeps running results (PBKDF2's T block, the hash state words) in
 * its own stack frames and never clears them. Called right after it, from
 * the same frame, this overwrites the memory those frames used. Not
 * instrumented by AddressSanitizer, whose redzones would leave the top of
 * the frame unwritten. */
G_GNUC_NO_INLINE __attribute__ ((no_sanitize_address)) static void
burn_stack (void)
{
  guint8 scratch[BURN_STACK_SIZE];

  tally_wipe (scratch, sizeof scratch);
}

static gboolean
derive_key (guint8                     dk[DKLEN],
            const TallyKeystoreParams *params,
            const char                *password,
            const guint8              *salt,
            gsize                      salt_len,
            GError                   **error)
{
  static const guint8 empty = 0;
  gsize               password_len = strlen (password);
  gpg_error_t         err;

  if (params->kdf == TALLY_KEYSTORE_KDF_PBKDF2)
    {
      pbkdf2_hmac_sha256 (password_len, (const guint8 *) password, params->pbkdf2_rounds, salt_len,
                          salt, DKLEN, dk);
      burn_stack ();
      return TRUE;
    }

  tally_keystore_init ();
  /* libgcrypt: subalgo is N, iterations is p; the algorithm number picks r.
   * It refuses a NULL passphrase, even of length 0. */
  err = gcry_kdf_derive (password_len > 0 ? (const void *) password : (const void *) &empty,
                         password_len, params->scrypt_r == 1 ? GCRY_KDF_SCRYPT_1 : GCRY_KDF_SCRYPT,
                         (int) params->scrypt_n, salt, salt_len, params->scrypt_p, DKLEN, dk);
  if (err != 0)
    {
      tally_wipe (dk, DKLEN);
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_UNSUPPORTED, "scrypt failed: %s",
                   gcry_strerror (err));
      return FALSE;
    }
  return TRUE;
}

static void
compute_mac (guint8       mac[MAC_LEN],
             const guint8 dk[DKLEN],
             const guint8 ciphertext[TALLY_PRIVATE_KEY_LEN])
{
  TallyKeccak256 ctx;

  tally_keccak256_init (&ctx);
  tally_keccak256_update (&ctx, dk + CIPHER_KEY_LEN, DKLEN - CIPHER_KEY_LEN);
  tally_keccak256_update (&ctx, ciphertext, TALLY_PRIVATE_KEY_LEN);
  tally_keccak256_final (&ctx, mac);
  tally_wipe (&ctx, sizeof ctx);
  burn_stack ();
}

/* CTR is its own inverse: the same call encrypts and decrypts. */
static void
aes128_ctr (guint8       out[TALLY_PRIVATE_KEY_LEN],
            const guint8 dk[DKLEN],
            const guint8 iv[IV_LEN],
            const guint8 in[TALLY_PRIVATE_KEY_LEN])
{
  struct aes128_ctx aes;
  guint8            counter[IV_LEN];

  memcpy (counter, iv, IV_LEN);
  aes128_set_encrypt_key (&aes, dk);
  ctr_crypt (&aes, (nettle_cipher_func *) aes128_encrypt, AES_BLOCK_SIZE, counter,
             TALLY_PRIVATE_KEY_LEN, out, in);
  tally_wipe (&aes, sizeof aes);
  tally_wipe (counter, sizeof counter);
  burn_stack ();
}

/* Not inlined, so that its frame lies below the caller's burn_stack ():
 * compilers spill pieces of dk and the key into it. */
G_GNUC_NO_INLINE static gboolean
decrypt (guint8        key[TALLY_PRIVATE_KEY_LEN],
         TallyAddress *address,
         const char   *json,
         gsize         json_len,
         const char   *password,
         guint64       max_cost,
         GError      **error)
{
  TallyKeystoreFile file;
  guint8            dk[DKLEN];
  guint8            mac[MAC_LEN];
  guint8            plain[TALLY_PRIVATE_KEY_LEN];
  TallyAddress      derived;
  gboolean          ok = FALSE;

  memset (dk, 0, sizeof dk);
  memset (plain, 0, sizeof plain);

  if (!_tally_keystore_read (&file, json, json_len, max_cost, error) ||
      !derive_key (dk, &file.params, password, file.salt, file.salt_len, error))
    goto out;

  /* Authenticate first: nothing is decrypted under a wrong password. */
  compute_mac (mac, dk, file.ciphertext);
  if (!tally_memeq_consttime (mac, file.mac, MAC_LEN))
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_WRONG_PASSWORD,
                           "Wrong password or corrupted file: the key file’s checksum (MAC) does "
                           "not match");
      goto out;
    }

  aes128_ctr (plain, dk, file.iv, file.ciphertext);
  if (!tally_address_from_private_key (&derived, plain, NULL))
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_KEY,
                           "The key file decrypts to something that is not a valid private key");
      goto out;
    }
  if (file.has_address && !tally_address_equal (&derived, &file.address))
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                           "This is not a valid key file: its “address” is not the address of "
                           "the key it holds");
      goto out;
    }

  memcpy (key, plain, TALLY_PRIVATE_KEY_LEN);
  if (address != NULL)
    *address = derived;
  ok = TRUE;

out:
  tally_wipe (dk, sizeof dk);
  tally_wipe (plain, sizeof plain);
  tally_wipe (&file, sizeof file);
  return ok;
}

gboolean
tally_keystore_decrypt_bounded (guint8        key[TALLY_PRIVATE_KEY_LEN],
                                TallyAddress *address,
                                const char   *json,
                                gsize         json_len,
                                const char   *password,
                                guint64       max_cost,
                                GError      **error)
{
  gboolean ok;

  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (json != NULL || json_len == 0, FALSE);
  g_return_val_if_fail (password != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (key, 0, TALLY_PRIVATE_KEY_LEN);
  if (address != NULL)
    memset (address, 0, sizeof *address);

  ok = decrypt (key, address, json, json_len, password, max_cost, error);
  burn_stack ();
  return ok;
}

gboolean
tally_keystore_decrypt (guint8        key[TALLY_PRIVATE_KEY_LEN],
                        TallyAddress *address,
                        const char   *json,
                        gsize         json_len,
                        const char   *password,
                        GError      **error)
{
  return tally_keystore_decrypt_bounded (key, address, json, json_len, password,
                                         TALLY_KEYSTORE_DEFAULT_MAX_COST, error);
}

static gboolean
check_params (const TallyKeystoreParams *params,
              GError                   **error)
{
  guint64 n = params->scrypt_n, r = params->scrypt_r, p = params->scrypt_p;

  if (params->kdf == TALLY_KEYSTORE_KDF_PBKDF2)
    {
      if (params->pbkdf2_rounds >= 1 && params->pbkdf2_rounds <= TALLY_KEYSTORE_DEFAULT_MAX_COST)
        return TRUE;
    }
  else if (params->kdf == TALLY_KEYSTORE_KDF_SCRYPT)
    {
      /* What we write must be what we (and geth) read back. */
      if (n >= 2 && n <= TALLY_KEYSTORE_MAX_SCRYPT_N && (n & (n - 1)) == 0 && (r == 1 || r == 8) &&
          p >= 1 && p <= TALLY_KEYSTORE_MAX_SCRYPT_P && 128 * n * r <= TALLY_KEYSTORE_MAX_SCRYPT_MEMORY &&
          n * r * p <= TALLY_KEYSTORE_DEFAULT_MAX_COST)
        return TRUE;
    }

  g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_UNSUPPORTED,
                       "These key file parameters are outside what Tally reads back");
  return FALSE;
}

G_GNUC_NO_INLINE static char *
encrypt (const guint8               key[TALLY_PRIVATE_KEY_LEN],
         const char                *password,
         const TallyKeystoreParams *params,
         GError                   **error)
{
  guint8           salt[SALT_LEN];
  guint8           iv[IV_LEN];
  guint8           dk[DKLEN];
  guint8           ciphertext[TALLY_PRIVATE_KEY_LEN];
  guint8           mac[MAC_LEN];
  TallyAddress     address;
  g_autofree char *salt_hex = NULL;
  g_autofree char *iv_hex = NULL;
  g_autofree char *ciphertext_hex = NULL;
  g_autofree char *mac_hex = NULL;
  g_autofree char *address_hex = NULL;
  g_autofree char *kdf_json = NULL;
  g_autofree char *uuid = NULL;
  char            *json = NULL;

  if (!check_params (params, error) || !tally_address_from_private_key (&address, key, error) ||
      !tally_random_bytes (salt, sizeof salt, error) || !tally_random_bytes (iv, sizeof iv, error) ||
      !derive_key (dk, params, password, salt, sizeof salt, error))
    goto out;

  aes128_ctr (ciphertext, dk, iv, key);
  compute_mac (mac, dk, ciphertext);

  salt_hex = tally_hex_encode_bare (salt, sizeof salt);
  iv_hex = tally_hex_encode_bare (iv, sizeof iv);
  ciphertext_hex = tally_hex_encode_bare (ciphertext, sizeof ciphertext);
  mac_hex = tally_hex_encode_bare (mac, sizeof mac);
  address_hex = tally_hex_encode_bare (address.bytes, sizeof address.bytes);
  uuid = g_uuid_string_random ();
  if (params->kdf == TALLY_KEYSTORE_KDF_SCRYPT)
    kdf_json = g_strdup_printf ("\"kdf\":\"scrypt\",\"kdfparams\":{\"dklen\":%d,\"n\":%u,\"p\":%u,"
                                "\"r\":%u,\"salt\":\"%s\"}",
                                DKLEN, params->scrypt_n, params->scrypt_p, params->scrypt_r,
                                salt_hex);
  else
    kdf_json = g_strdup_printf ("\"kdf\":\"pbkdf2\",\"kdfparams\":{\"c\":%u,\"dklen\":%d,"
                                "\"prf\":\"hmac-sha256\",\"salt\":\"%s\"}",
                                params->pbkdf2_rounds, DKLEN, salt_hex);

  /* geth's layout and member order. */
  json = g_strdup_printf ("{\"address\":\"%s\",\"crypto\":{\"cipher\":\"aes-128-ctr\","
                          "\"ciphertext\":\"%s\",\"cipherparams\":{\"iv\":\"%s\"},%s,"
                          "\"mac\":\"%s\"},\"id\":\"%s\",\"version\":3}",
                          address_hex, ciphertext_hex, iv_hex, kdf_json, mac_hex, uuid);

out:
  tally_wipe (dk, sizeof dk);
  tally_wipe (salt, sizeof salt);
  tally_wipe (iv, sizeof iv);
  return json;
}

char *
tally_keystore_encrypt (const guint8               key[TALLY_PRIVATE_KEY_LEN],
                        const char                *password,
                        const TallyKeystoreParams *params,
                        GError                   **error)
{
  char *json;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  json = encrypt (key, password, params != NULL ? params : &tally_keystore_params_standard, error);
  burn_stack ();
  return json;
}

/* ---- in a worker thread ---------------------------------------------- */

typedef struct
{
  GBytes      *json;
  TallySecret *password;
  TallyAddress address;
} DecryptData;

static void
decrypt_data_free (gpointer data)
{
  DecryptData *d = data;

  g_bytes_unref (d->json);
  tally_secret_free (d->password);
  g_free (d);
}

static void
decrypt_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  DecryptData *d = task_data;
  TallySecret *key = tally_secret_new (TALLY_PRIVATE_KEY_LEN);
  GError      *error = NULL;
  gsize        json_len = 0;
  const char  *json = g_bytes_get_data (d->json, &json_len);

  if (g_task_return_error_if_cancelled (task))
    {
      tally_secret_free (key);
      return;
    }
  if (!tally_keystore_decrypt (key->data, &d->address, json != NULL ? json : "", json_len,
                               (const char *) d->password->data, &error))
    {
      tally_secret_free (key);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, key, (GDestroyNotify) tally_secret_free);
}

void
tally_keystore_decrypt_async (GBytes             *json,
                              const char         *password,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  DecryptData *d;

  g_return_if_fail (json != NULL);
  g_return_if_fail (password != NULL);

  d = g_new0 (DecryptData, 1);
  d->json = g_bytes_ref (json);
  d->password = tally_secret_new_from_data ((const guint8 *) password, strlen (password) + 1);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_keystore_decrypt_async);
  g_task_set_task_data (task, d, decrypt_data_free);
  g_task_run_in_thread (task, decrypt_thread);
}

TallySecret *
tally_keystore_decrypt_finish (GAsyncResult *result,
                               TallyAddress *address,
                               GError      **error)
{
  TallySecret *key;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tally_keystore_decrypt_async,
                        NULL);

  if (address != NULL)
    memset (address, 0, sizeof *address);
  key = g_task_propagate_pointer (G_TASK (result), error);
  if (key != NULL && address != NULL)
    *address = ((DecryptData *) g_task_get_task_data (G_TASK (result)))->address;
  return key;
}

typedef struct
{
  TallySecret        *key;
  TallySecret        *password;
  TallyKeystoreParams params;
} EncryptData;

static void
encrypt_data_free (gpointer data)
{
  EncryptData *d = data;

  tally_secret_free (d->key);
  tally_secret_free (d->password);
  g_free (d);
}

static void
encrypt_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  EncryptData *d = task_data;
  GError      *error = NULL;
  char        *json;

  if (g_task_return_error_if_cancelled (task))
    return;
  json = tally_keystore_encrypt (d->key->data, (const char *) d->password->data, &d->params, &error);
  if (json == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, json, g_free);
}

void
tally_keystore_encrypt_async (const guint8               key[TALLY_PRIVATE_KEY_LEN],
                              const char                *password,
                              const TallyKeystoreParams *params,
                              GCancellable              *cancellable,
                              GAsyncReadyCallback        callback,
                              gpointer                   user_data)
{
  g_autoptr (GTask) task = NULL;
  EncryptData *d;

  g_return_if_fail (key != NULL);
  g_return_if_fail (password != NULL);

  d = g_new0 (EncryptData, 1);
  d->key = tally_secret_new_from_data (key, TALLY_PRIVATE_KEY_LEN);
  d->password = tally_secret_new_from_data ((const guint8 *) password, strlen (password) + 1);
  d->params = params != NULL ? *params : tally_keystore_params_standard;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_keystore_encrypt_async);
  g_task_set_task_data (task, d, encrypt_data_free);
  g_task_run_in_thread (task, encrypt_thread);
}

char *
tally_keystore_encrypt_finish (GAsyncResult *result,
                               GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tally_keystore_encrypt_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
