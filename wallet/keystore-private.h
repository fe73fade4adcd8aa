/* keystore-private.h: what keystore.c and keystore-file.c share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "keccak.h"
#include "keys.h"
#include "keystore.h"

G_BEGIN_DECLS

#define TALLY_KEYSTORE_DKLEN   32
#define TALLY_KEYSTORE_IV_LEN  16
#define TALLY_KEYSTORE_MAC_LEN TALLY_KECCAK256_LEN

/* A key file as read, checked and bounded; holds no secret (the ciphertext
 * is useless without the password). */
typedef struct
{
  TallyKeystoreParams params;
  guint8              salt[TALLY_KEYSTORE_MAX_SALT_LEN];
  gsize               salt_len;
  guint8              iv[TALLY_KEYSTORE_IV_LEN];
  guint8              ciphertext[TALLY_PRIVATE_KEY_LEN];
  guint8              mac[TALLY_KEYSTORE_MAC_LEN];
  gboolean            has_address;
  TallyAddress        address;
} TallyKeystoreFile;

gboolean _tally_keystore_read (TallyKeystoreFile *file,
                               const char        *json,
                               gsize              json_len,
                               guint64            max_cost,
                               GError           **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
