/* bip39.h: BIP-39 mnemonic sentences (English word list) and their seeds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "wallet/secret.h"

G_BEGIN_DECLS

#define TALLY_BIP39_WORD_COUNT        2048
#define TALLY_BIP39_MIN_ENTROPY_LEN   16 /* 12 words */
#define TALLY_BIP39_MAX_ENTROPY_LEN   32 /* 24 words */
#define TALLY_BIP39_SEED_LEN          64
#define TALLY_BIP39_PBKDF2_ITERATIONS 2048

/* The English list, sorted; index 0..2047. */
const char *tally_bip39_word (guint index);

/* A mnemonic secret holds the normalized sentence (lowercase words separated
 * by one space) followed by a NUL; its len counts that NUL, so the wipe covers
 * every byte. Read it as (const char *) secret->data. */

/* word_count is 12, 15, 18, 21 or 24; the entropy comes from getrandom(2). */
gboolean tally_bip39_generate (TallySecret **mnemonic,
                               guint         word_count,
                               GError      **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_bip39_from_entropy (TallySecret **mnemonic,
                                   const guint8 *entropy,
                                   gsize         entropy_len,
                                   GError      **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_bip39_to_entropy (TallySecret **entropy,
                                 const char   *mnemonic,
                                 GError      **error) G_GNUC_WARN_UNUSED_RESULT;

/* Normalizes (NFKD, lowercase, whitespace collapsed) and checks the word
 * count, every word and the checksum. The error names the first unknown word
 * and its position, because the user has to find it on their paper copy. */
gboolean tally_bip39_normalize (TallySecret **normalized,
                                const char   *mnemonic,
                                GError      **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_bip39_validate (const char *mnemonic,
                               GError    **error) G_GNUC_WARN_UNUSED_RESULT;

/* PBKDF2-HMAC-SHA512 (2048 rounds) of the validated, normalized mnemonic with
 * the salt "mnemonic" + passphrase (NFKD); passphrase may be NULL (empty).
 * CPU-heavy for a few milliseconds: call it from a worker thread in the UI. */
gboolean tally_bip39_to_seed (TallySecret **seed,
                              const char   *mnemonic,
                              const char   *passphrase,
                              GError      **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
