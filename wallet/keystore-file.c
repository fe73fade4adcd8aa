/* keystore-file.c: strict reading of a Web3 Secret Storage key file
 *
 * Everything a key file says is checked here, before any key derivation
 * runs or memory is allocated for it: the version, the cipher, every hex
 * field's length, and the KDF parameters against the bounds in keystore.h.
 * Unknown members are ignored, as geth does ("name", "meta", "x-ethers").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-wallet"

#include "config.h"

#include <string.h>

#include "error.h"
#include "hex.h"
#include "json.h"
#include "keys.h"
#include "keystore-private.h"

static gboolean
malformed (GError    **error,
           const char *format,
           ...) G_GNUC_PRINTF (2, 3);

static gboolean
malformed (GError    **error,
           const char *format,
           ...)
{
  g_autofree char *detail = NULL;
  va_list          args;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED,
               "This is not a valid key file: %s", detail);
  return FALSE;
}

static const TallyJsonNode *
member (const TallyJsonNode *object,
        const char          *object_name,
        const char          *name,
        TallyJsonKind        kind,
        GError             **error)
{
  const TallyJsonNode *node = tally_json_node_lookup (object, name);

  if (node == NULL)
    {
      malformed (error, "“%s” has no “%s”", object_name, name);
      return NULL;
    }
  if (tally_json_node_get_kind (node) != kind)
    {
      malformed (error, "“%s” is a %s, not a %s", name,
                 tally_json_kind_to_string (tally_json_node_get_kind (node)),
                 tally_json_kind_to_string (kind));
      return NULL;
    }
  return node;
}

static gboolean
member_string (const char         **out,
               const TallyJsonNode *object,
               const char          *object_name,
               const char          *name,
               GError             **error)
{
  const TallyJsonNode *node = member (object, object_name, name, TALLY_JSON_STRING, error);
  gsize                len = 0;

  *out = NULL;
  if (node == NULL)
    return FALSE;
  *out = tally_json_node_get_string (node, &len);
  if (strlen (*out) != len)
    return malformed (error, "“%s” holds a NUL character", name);
  return TRUE;
}

/* A plain non-negative integer (no sign, fraction or exponent) in [min, max]. */
static gboolean
member_uint (guint64             *out,
             const TallyJsonNode *object,
             const char          *object_name,
             const char          *name,
             guint64              min,
             guint64              max,
             GError             **error)
{
  const TallyJsonNode *node = member (object, object_name, name, TALLY_JSON_NUMBER, error);
  const char          *text;
  guint64              value = 0;

  *out = 0;
  if (node == NULL)
    return FALSE;
  text = tally_json_node_get_number_text (node);
  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return malformed (error, "“%s” is not a whole number", name);
      if (value > max)
        break;
      value = value * 10 + (guint64) (*p - '0');
    }
  if (value < min || value > max)
    return malformed (error, "“%s” is %s; it must be from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT,
                      name, strlen (text) > 20 ? "too large" : text, min, max);
  *out = value;
  return TRUE;
}

static gboolean
member_hex (guint8              *out,
            gsize                min_len,
            gsize                max_len,
            gsize               *out_len,
            const TallyJsonNode *object,
            const char          *object_name,
            const char          *name,
            GError             **error)
{
  const char        *text;
  g_autofree guint8 *bytes = NULL;
  gsize              len = 0;
  g_autoptr (GError) local_error = NULL;

  if (!member_string (&text, object, object_name, name, error))
    return FALSE;
  if (!tally_hex_decode (&bytes, &len, text, -1, &local_error))
    return malformed (error, "“%s”: %s", name, local_error->message);
  if (len < min_len || len > max_len)
    {
      if (min_len == max_len)
        return malformed (error, "“%s” must be %" G_GSIZE_FORMAT " bytes, not %" G_GSIZE_FORMAT,
                          name, min_len, len);
      return malformed (error, "“%s” must be %" G_GSIZE_FORMAT " to %" G_GSIZE_FORMAT " bytes, not %" G_GSIZE_FORMAT,
                        name, min_len, max_len, len);
    }
  memcpy (out, bytes, len);
  if (out_len != NULL)
    *out_len = len;
  return TRUE;
}

static gboolean
read_kdf_params (TallyKeystoreFile   *file,
                 const char          *kdf,
                 const TallyJsonNode *crypto,
                 guint64              max_cost,
                 GError             **error)
{
  const TallyJsonNode *params = member (crypto, "crypto", "kdfparams", TALLY_JSON_OBJECT, error);
  guint64              dklen, n, r, p, c;

  if (params == NULL)
    return FALSE;
  if (!member_uint (&dklen, params, "kdfparams", "dklen", TALLY_KEYSTORE_DKLEN, TALLY_KEYSTORE_DKLEN, error) ||
      !member_hex (file->salt, 1, TALLY_KEYSTORE_MAX_SALT_LEN, &file->salt_len, params, "kdfparams",
                   "salt", error))
    return FALSE;

  if (g_str_equal (kdf, "scrypt"))
    {
      if (!member_uint (&n, params, "kdfparams", "n", 2, TALLY_KEYSTORE_MAX_SCRYPT_N, error) ||
          !member_uint (&r, params, "kdfparams", "r", 1, TALLY_KEYSTORE_MAX_SCRYPT_R, error) ||
          !member_uint (&p, params, "kdfparams", "p", 1, TALLY_KEYSTORE_MAX_SCRYPT_P, error))
        return FALSE;
      if ((n & (n - 1)) != 0)
        return malformed (error, "scrypt’s “n” must be a power of two, not %" G_GUINT64_FORMAT, n);
      if (128 * n * r > TALLY_KEYSTORE_MAX_SCRYPT_MEMORY || n * r * p > max_cost)
        {
          g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_UNSUPPORTED,
                       "This key file asks for more scrypt work (n = %" G_GUINT64_FORMAT
                       ", r = %" G_GUINT64_FORMAT ", p = %" G_GUINT64_FORMAT ") than Tally allows",
                       n, r, p);
          return FALSE;
        }
      if (r != 1 && r != 8)
        {
          g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_UNSUPPORTED,
                       "Key files with scrypt r = %" G_GUINT64_FORMAT " are not supported (only 1 and 8)",
                       r);
          return FALSE;
        }
      file->params.kdf = TALLY_KEYSTORE_KDF_SCRYPT;
      file->params.scrypt_n = (guint32) n;
      file->params.scrypt_r = (guint32) r;
      file->params.scrypt_p = (guint32) p;
      return TRUE;
    }

  if (g_str_equal (kdf, "pbkdf2"))
    {
      const char *prf;

      if (!member_string (&prf, params, "kdfparams", "prf", error))
        return FALSE;
      if (!g_str_equal (prf, "hmac-sha256"))
        {
          g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_UNSUPPORTED,
                       "Key files with PBKDF2 “%s” are not supported (only hmac-sha256)", prf);
          return FALSE;
        }
      if (!member_uint (&c, params, "kdfparams", "c", 1, G_MAXUINT32, error))
        return FALSE;
      if (c > max_cost)
        {
          g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_UNSUPPORTED,
                       "This key file asks for more PBKDF2 rounds (%" G_GUINT64_FORMAT
                       ") than Tally allows",
                       c);
          return FALSE;
        }
      file->params.kdf = TALLY_KEYSTORE_KDF_PBKDF2;
      file->params.pbkdf2_rounds = (guint32) c;
      return TRUE;
    }

  g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_UNSUPPORTED,
               "Key files with the “%s” key derivation are not supported (only scrypt and pbkdf2)",
               kdf);
  return FALSE;
}

gboolean
_tally_keystore_read (TallyKeystoreFile *file,
                      const char        *json,
                      gsize              json_len,
                      guint64            max_cost,
                      GError           **error)
{
  g_autoptr (TallyJsonNode) root = NULL;
  const TallyJsonNode *crypto;
  const TallyJsonNode *lower;
  const TallyJsonNode *upper;
  const TallyJsonNode *cipherparams;
  const TallyJsonNode *address;
  const char          *cipher;
  const char          *kdf;
  guint64              version;

  memset (file, 0, sizeof *file);

  if (json_len > TALLY_KEYSTORE_MAX_SIZE)
    return malformed (error, "it is larger than %u KiB", TALLY_KEYSTORE_MAX_SIZE / 1024);
  if (!tally_json_parse (&root, json, json_len, error))
    {
      g_prefix_error (error, "This is not a valid key file: ");
      return FALSE;
    }
  if (tally_json_node_get_kind (root) != TALLY_JSON_OBJECT)
    return malformed (error, "it is a JSON %s, not an object",
                      tally_json_kind_to_string (tally_json_node_get_kind (root)));

  if (tally_json_node_lookup (root, "version") == NULL)
    return malformed (error, "it has no “version”");
  if (!member_uint (&version, root, "key file", "version", 0, G_MAXUINT32, NULL) || version != 3)
    {
      g_set_error_literal (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_UNSUPPORTED,
                           "Only version 3 key files are supported");
      return FALSE;
    }

  /* geth reads "crypto" and, from old files, "Crypto"; both at once would be
   * two meanings for one file. */
  lower = tally_json_node_lookup (root, "crypto");
  upper = tally_json_node_lookup (root, "Crypto");
  if (lower != NULL && upper != NULL)
    return malformed (error, "it has both “crypto” and “Crypto”");
  crypto = member (root, "key file", upper != NULL ? "Crypto" : "crypto", TALLY_JSON_OBJECT, error);
  if (crypto == NULL)
    return FALSE;

  if (!member_string (&cipher, crypto, "crypto", "cipher", error))
    return FALSE;
  if (!g_str_equal (cipher, "aes-128-ctr"))
    {
      g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_UNSUPPORTED,
                   "Key files with the “%s” cipher are not supported (only aes-128-ctr)", cipher);
      return FALSE;
    }
  cipherparams = member (crypto, "crypto", "cipherparams", TALLY_JSON_OBJECT, error);
  if (cipherparams == NULL ||
      !member_hex (file->iv, TALLY_KEYSTORE_IV_LEN, TALLY_KEYSTORE_IV_LEN, NULL, cipherparams, "cipherparams", "iv", error) ||
      !member_hex (file->ciphertext, TALLY_PRIVATE_KEY_LEN, TALLY_PRIVATE_KEY_LEN, NULL, crypto,
                   "crypto", "ciphertext", error) ||
      !member_hex (file->mac, TALLY_KEYSTORE_MAC_LEN, TALLY_KEYSTORE_MAC_LEN, NULL, crypto, "crypto", "mac", error) ||
      !member_string (&kdf, crypto, "crypto", "kdf", error) ||
      !read_kdf_params (file, kdf, crypto, max_cost, error))
    return FALSE;

  address = tally_json_node_lookup (root, "address");
  if (address != NULL)
    {
      const char *text;
      g_autoptr (GError) local_error = NULL;

      if (!member_string (&text, root, "key file", "address", error))
        return FALSE;
      if (!tally_address_parse (&file->address, text, &local_error))
        return malformed (error, "“address”: %s", local_error->message);
      file->has_address = TRUE;
    }

  return TRUE;
}
