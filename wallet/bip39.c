/* bip39.c: BIP-39 mnemonic sentences (English word list) and their seeds
 *
 * The word list is compiled into the library as a GResource
 * (bip39-english.txt, MIT, from the reference implementation). Every buffer
 * that holds words, bits of entropy or the passphrase is a TallySecret or is
 * wiped before it is released: a recovery phrase is the whole wallet.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-wallet"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <gio/gio.h>
#include <nettle/pbkdf2.h>
#include <nettle/sha2.h>

#include "bip39.h"
#include "error.h"
#include "secret.h"
#include "tally-wallet-resources.h"

#define WORDLIST_PATH   "/io/github/tally/Tally/wallet/bip39-english.txt"
#define MAX_WORDS       24
#define MAX_WORD_LEN    8
#define BITS_PER_WORD   11
#define SEED_SALT       "mnemonic"
#define SEED_SALT_LEN   8
#define MAX_BITS_BYTES  (TALLY_BIP39_MAX_ENTROPY_LEN + 1)
#define BURN_STACK_SIZE 16384

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

static const char *const *
wordlist (void)
{
  static const char *const *words = NULL;

  if (g_once_init_enter (&words))
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) bytes = NULL;
      g_autofree char *text = NULL;
      char           **list;
      guint            n;

      /* Referencing the resource by its getter (not through the global
       * registry) keeps a static link from dropping it. */
      bytes = g_resource_lookup_data (tally_wallet_get_resource (), WORDLIST_PATH,
                                      G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      if (bytes == NULL)
        g_error ("BIP-39 word list missing from the library: %s", error->message);

      text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      g_strchomp (text);
      list = g_strsplit (text, "\n", -1);
      n = g_strv_length (list);
      if (n != TALLY_BIP39_WORD_COUNT)
        g_error ("BIP-39 word list has %u words instead of %d", n, TALLY_BIP39_WORD_COUNT);
      for (guint i = 0; i < n; i++)
        {
          gsize len = strlen (list[i]);

          if (len < 3 || len > MAX_WORD_LEN || (i > 0 && strcmp (list[i - 1], list[i]) >= 0))
            g_error ("BIP-39 word list is damaged at word %u", i);
          for (gsize j = 0; j < len; j++)
            if (!g_ascii_islower (list[i][j]))
              g_error ("BIP-39 word list is damaged at word %u", i);
        }

      /* Kept for the life of the process, like the resource itself. */
      g_once_init_leave (&words, (const char *const *) list);
    }

  return words;
}

const char *
tally_bip39_word (guint index)
{
  g_return_val_if_fail (index < TALLY_BIP39_WORD_COUNT, NULL);

  return wordlist ()[index];
}

/* Binary search over the sorted list; -1 when the word is not in it. */
static int
word_index (const char *word,
            gsize       len)
{
  const char *const *words = wordlist ();
  int                low = 0;
  int                high = TALLY_BIP39_WORD_COUNT - 1;

  if (len > MAX_WORD_LEN)
    return -1;

  while (low <= high)
    {
      int mid = (low + high) / 2;
      int cmp = strncmp (words[mid], word, len);

      if (cmp == 0 && words[mid][len] != '\0')
        cmp = 1;
      if (cmp == 0)
        return mid;
      if (cmp < 0)
        low = mid + 1;
      else
        high = mid - 1;
    }

  return -1;
}

static gboolean
word_count_valid (guint n)
{
  return n >= 12 && n <= MAX_WORDS && n % 3 == 0;
}

static gboolean
entropy_len_valid (gsize len)
{
  return len >= TALLY_BIP39_MIN_ENTROPY_LEN && len <= TALLY_BIP39_MAX_ENTROPY_LEN && len % 4 == 0;
}

/* The checksum is the first ENT/32 bits of SHA-256(entropy). */
static guint8
checksum_byte (const guint8 *entropy,
               gsize         entropy_len)
{
  struct sha256_ctx ctx;
  guint8            digest[SHA256_DIGEST_SIZE];
  guint             cs_bits = (guint) (entropy_len * 8 / 32);
  guint8            result;

  sha256_init (&ctx);
  sha256_update (&ctx, entropy_len, entropy);
  sha256_digest (&ctx, sizeof digest, digest);
  burn_stack ();
  result = digest[0] & (guint8) (0xff << (8 - cs_bits));

  tally_wipe (&ctx, sizeof ctx);
  tally_wipe (digest, sizeof digest);
  return result;
}

static TallySecret *
nfkd (const char *text)
{
  char        *normalized = g_utf8_normalize (text, -1, G_NORMALIZE_NFKD);
  gsize        len = strlen (normalized);
  TallySecret *secret = tally_secret_new_from_data ((const guint8 *) normalized, len + 1);

  tally_wipe (normalized, len);
  g_free (normalized);
  return secret;
}

gboolean
tally_bip39_normalize (TallySecret **normalized,
                       const char   *mnemonic,
                       GError      **error)
{
  g_autoptr (TallySecret) decomposed = NULL;
  g_autoptr (TallySecret) collapsed = NULL;
  g_autoptr (TallySecret) entropy = NULL;
  const char *in;
  char       *out;
  gsize       out_len = 0;

  g_return_val_if_fail (normalized != NULL, FALSE);
  g_return_val_if_fail (mnemonic != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *normalized = NULL;

  if (!g_utf8_validate (mnemonic, -1, NULL))
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                           "The recovery phrase is not valid UTF-8 text");
      return FALSE;
    }

  /* NFKD turns no-break and wide spaces into plain ones, so a phrase pasted
   * from a document splits the same way as one typed by hand. */
  decomposed = nfkd (mnemonic);
  collapsed = tally_secret_new (decomposed->len);
  in = (const char *) decomposed->data;
  out = (char *) collapsed->data;
  for (; *in != '\0'; in++)
    {
      if (g_ascii_isspace (*in))
        {
          if (out_len > 0 && out[out_len - 1] != ' ')
            out[out_len++] = ' ';
          continue;
        }
      out[out_len++] = g_ascii_tolower (*in);
    }
  if (out_len > 0 && out[out_len - 1] == ' ')
    out_len--;
  out[out_len] = '\0';

  if (!tally_bip39_to_entropy (&entropy, out, error))
    return FALSE;

  *normalized = tally_secret_new_from_data (collapsed->data, out_len + 1);
  return TRUE;
}

gboolean
tally_bip39_validate (const char *mnemonic,
                      GError    **error)
{
  g_autoptr (TallySecret) normalized = NULL;

  return tally_bip39_normalize (&normalized, mnemonic, error);
}

gboolean
tally_bip39_to_entropy (TallySecret **entropy,
                        const char   *mnemonic,
                        GError      **error)
{
  guint8      bits[MAX_BITS_BYTES] = { 0 };
  guint       n_words = 0;
  gsize       entropy_len;
  guint8      expected;
  guint8      actual;
  guint8      cs_mask;
  const char *p;
  gboolean    ok = FALSE;

  g_return_val_if_fail (entropy != NULL, FALSE);
  g_return_val_if_fail (mnemonic != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *entropy = NULL;

  /* Expects the normalized form (single spaces); tally_bip39_normalize
   * passes it on, so every caller sees the same rules. */
  for (p = mnemonic; *p != '\0';)
    {
      while (*p == ' ')
        p++;
      if (*p == '\0')
        break;
      n_words++;
      while (*p != '\0' && *p != ' ')
        p++;
    }
  if (!word_count_valid (n_words))
    {
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                   "A recovery phrase has 12, 15, 18, 21 or 24 words; this one has %u", n_words);
      return FALSE;
    }

  n_words = 0;
  for (p = mnemonic; *p != '\0';)
    {
      const char *start;
      gsize       len;
      int         index;

      while (*p == ' ')
        p++;
      if (*p == '\0')
        break;
      start = p;
      while (*p != '\0' && *p != ' ')
        p++;
      len = (gsize) (p - start);

      index = word_index (start, len);
      if (index < 0)
        {
          g_autofree char *word = g_strndup (start, len);
          g_autofree char *shown = NULL;

          /* A typo, shown so the user can find it; cut short so a pasted
           * paragraph does not end up in the message. */
          shown = g_utf8_validate (word, -1, NULL) ? g_utf8_substring (word, 0, MIN (g_utf8_strlen (word, -1), 16))
                                                   : g_strdup ("?");
          g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                       "Word %u, “%s”, is not in the BIP-39 English word list", n_words + 1, shown);
          tally_wipe (word, len);
          tally_wipe (shown, strlen (shown));
          goto out;
        }

      for (guint b = 0; b < BITS_PER_WORD; b++)
        {
          guint pos = n_words * BITS_PER_WORD + b;

          if ((index >> (BITS_PER_WORD - 1 - b)) & 1)
            bits[pos / 8] |= (guint8) (0x80 >> (pos % 8));
        }
      n_words++;
    }

  entropy_len = (gsize) n_words * BITS_PER_WORD * 32 / 33 / 8;
  cs_mask = (guint8) (0xff << (8 - entropy_len / 4));
  expected = checksum_byte (bits, entropy_len);
  actual = bits[entropy_len] & cs_mask;
  if (!tally_memeq_consttime (&expected, &actual, 1))
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                           "The recovery phrase’s checksum is wrong: a word is misspelled or "
                           "out of order");
      goto out;
    }

  *entropy = tally_secret_new_from_data (bits, entropy_len);
  ok = TRUE;

out:
  tally_wipe (bits, sizeof bits);
  tally_wipe (&expected, sizeof expected);
  tally_wipe (&actual, sizeof actual);
  return ok;
}

gboolean
tally_bip39_from_entropy (TallySecret **mnemonic,
                          const guint8 *entropy,
                          gsize         entropy_len,
                          GError      **error)
{
  const char *const *words = wordlist ();
  guint8             bits[MAX_BITS_BYTES] = { 0 };
  guint16            indices[MAX_WORDS] = { 0 };
  guint              n_words;
  gsize              text_len = 0;
  TallySecret       *text;
  char              *out;

  g_return_val_if_fail (mnemonic != NULL, FALSE);
  g_return_val_if_fail (entropy != NULL || entropy_len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *mnemonic = NULL;

  if (!entropy_len_valid (entropy_len))
    {
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_LENGTH,
                   "BIP-39 entropy is 16, 20, 24, 28 or 32 bytes, not %" G_GSIZE_FORMAT,
                   entropy_len);
      return FALSE;
    }

  memcpy (bits, entropy, entropy_len);
  bits[entropy_len] = checksum_byte (entropy, entropy_len);
  n_words = (guint) ((entropy_len * 8 + entropy_len / 4) / BITS_PER_WORD);

  for (guint i = 0; i < n_words; i++)
    {
      for (guint b = 0; b < BITS_PER_WORD; b++)
        {
          guint pos = i * BITS_PER_WORD + b;

          indices[i] = (guint16) ((indices[i] << 1) | ((bits[pos / 8] >> (7 - pos % 8)) & 1));
        }
      text_len += strlen (words[indices[i]]) + 1;
    }

  /* text_len counts a space after each word; the last one becomes the NUL. */
  text = tally_secret_new (text_len);
  out = (char *) text->data;
  for (guint i = 0; i < n_words; i++)
    {
      gsize len = strlen (words[indices[i]]);

      memcpy (out, words[indices[i]], len);
      out[len] = i + 1 < n_words ? ' ' : '\0';
      out += len + 1;
    }

  tally_wipe (bits, sizeof bits);
  tally_wipe (indices, sizeof indices);
  *mnemonic = text;
  return TRUE;
}

gboolean
tally_bip39_generate (TallySecret **mnemonic,
                      guint         word_count,
                      GError      **error)
{
  guint8   entropy[TALLY_BIP39_MAX_ENTROPY_LEN];
  gsize    entropy_len;
  gboolean ok;

  g_return_val_if_fail (mnemonic != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *mnemonic = NULL;

  if (!word_count_valid (word_count))
    {
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_LENGTH,
                   "A recovery phrase has 12, 15, 18, 21 or 24 words, not %u", word_count);
      return FALSE;
    }
  entropy_len = word_count * BITS_PER_WORD * 32 / 33 / 8;

  if (!tally_random_bytes (entropy, entropy_len, error))
    return FALSE;

  ok = tally_bip39_from_entropy (mnemonic, entropy, entropy_len, error);
  tally_wipe (entropy, sizeof entropy);
  return ok;
}

gboolean
tally_bip39_to_seed (TallySecret **seed,
                     const char   *mnemonic,
                     const char   *passphrase,
                     GError      **error)
{
  g_autoptr (TallySecret) normalized = NULL;
  g_autoptr (TallySecret) pass = NULL;
  g_autoptr (TallySecret) salt = NULL;
  TallySecret *out;
  gsize        pass_len;

  g_return_val_if_fail (seed != NULL, FALSE);
  g_return_val_if_fail (mnemonic != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *seed = NULL;

  if (!tally_bip39_normalize (&normalized, mnemonic, error))
    return FALSE;

  if (passphrase != NULL && !g_utf8_validate (passphrase, -1, NULL))
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
                           "The passphrase is not valid UTF-8 text");
      return FALSE;
    }

  pass = nfkd (passphrase != NULL ? passphrase : "");
  pass_len = strlen ((const char *) pass->data);
  salt = tally_secret_new (SEED_SALT_LEN + pass_len);
  memcpy (salt->data, SEED_SALT, SEED_SALT_LEN);
  memcpy (salt->data + SEED_SALT_LEN, pass->data, pass_len);

  out = tally_secret_new (TALLY_BIP39_SEED_LEN);
  pbkdf2_hmac_sha512 (normalized->len - 1, normalized->data, TALLY_BIP39_PBKDF2_ITERATIONS,
                      salt->len, salt->data, out->len, out->data);
  burn_stack ();
  *seed = out;
  return TRUE;
}
