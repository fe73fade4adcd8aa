/* keystore.h: Web3 Secret Storage (keystore v3) key files, as geth, cast
 * and MetaMask write them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "wallet/keys.h"
#include "wallet/secret.h"

G_BEGIN_DECLS

/* A key file is a few hundred bytes; anything much larger is not one. */
#define TALLY_KEYSTORE_MAX_SIZE (64 * 1024)

/* What a file may ask of us before we refuse it, so a hostile file cannot
 * make us allocate gigabytes or compute for minutes:
 * - scrypt: N a power of two from 2 to 2^20, r from 1 to 32, p from 1 to 16,
 *   memory 128·N·r at most 256 MiB (geth's standard N = 2^18, r = 8), and
 *   work N·r·p at most max_cost (by default 2^22: twice geth's standard,
 *   about 3 s on the development machines, where the standard takes 1.4 s);
 *   libgcrypt only offers r = 1 and r = 8, so other values of r are
 *   refused as unsupported;
 * - PBKDF2-HMAC-SHA256: at most max_cost rounds (2^22 by default, about
 *   0.6 s there);
 * - salt 1 to 1024 bytes, dklen exactly 32. */
#define TALLY_KEYSTORE_MAX_SCRYPT_N      (1u << 20)
#define TALLY_KEYSTORE_MAX_SCRYPT_R      32
#define TALLY_KEYSTORE_MAX_SCRYPT_P      16
#define TALLY_KEYSTORE_MAX_SCRYPT_MEMORY (256u * 1024 * 1024)
#define TALLY_KEYSTORE_DEFAULT_MAX_COST  (1u << 22)
#define TALLY_KEYSTORE_MAX_SALT_LEN      1024

typedef enum
{
  TALLY_KEYSTORE_KDF_SCRYPT,
  TALLY_KEYSTORE_KDF_PBKDF2,
} TallyKeystoreKdf;

typedef struct
{
  TallyKeystoreKdf kdf;
  guint32          scrypt_n;
  guint32          scrypt_r;
  guint32          scrypt_p;
  guint32          pbkdf2_rounds; /* PBKDF2-HMAC-SHA256 */
} TallyKeystoreParams;

/* geth's "standard" (N = 2^18, r = 8, p = 1: about 1 s, 256 MiB) for files a
 * user keeps, and its "light" (N = 2^12, r = 8, p = 6) for tests. */
extern const TallyKeystoreParams tally_keystore_params_standard;
extern const TallyKeystoreParams tally_keystore_params_light;

/* Sets libgcrypt up once, unless someone already did (see keystore.c). The
 * keyring calls it before libsecret, which also uses libgcrypt. */
void tally_keystore_init (void);

/* Decrypts a key file with the default bounds. The MAC is checked (in
 * constant time) before anything is decrypted; a mismatch is
 * TALLY_WALLET_ERROR_WRONG_PASSWORD. address may be NULL. When the file has
 * an "address" member, it must match the decrypted key. */
gboolean tally_keystore_decrypt (guint8        key[TALLY_PRIVATE_KEY_LEN],
                                 TallyAddress *address,
                                 const char   *json,
                                 gsize         json_len,
                                 const char   *password,
                                 GError      **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_keystore_decrypt_bounded (guint8        key[TALLY_PRIVATE_KEY_LEN],
                                         TallyAddress *address,
                                         const char   *json,
                                         gsize         json_len,
                                         const char   *password,
                                         guint64       max_cost,
                                         GError      **error) G_GNUC_WARN_UNUSED_RESULT;

/* A new key file (JSON text, no secret in clear) with a random salt, IV and
 * version 4 UUID. params NULL means tally_keystore_params_standard. */
char *tally_keystore_encrypt (const guint8               key[TALLY_PRIVATE_KEY_LEN],
                              const char                *password,
                              const TallyKeystoreParams *params,
                              GError                   **error) G_GNUC_WARN_UNUSED_RESULT;

/* The same in a worker thread, for the UI: scrypt takes about a second.
 * The decrypted key comes back in a TallySecret. */
void         tally_keystore_decrypt_async (GBytes             *json,
                                           const char         *password,
                                           GCancellable       *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer            user_data);
TallySecret *tally_keystore_decrypt_finish (GAsyncResult *result,
                                            TallyAddress *address,
                                            GError      **error) G_GNUC_WARN_UNUSED_RESULT;
void         tally_keystore_encrypt_async (const guint8               key[TALLY_PRIVATE_KEY_LEN],
                                           const char                *password,
                                           const TallyKeystoreParams *params,
                                           GCancellable              *cancellable,
                                           GAsyncReadyCallback        callback,
                                           gpointer                   user_data);
char        *tally_keystore_encrypt_finish (GAsyncResult *result,
                                            GError      **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
