/* test-keystore.c: Web3 Secret Storage key files (wallet/keystore.c)
 *
 * The published vectors (tests/vectors/keystore-*.json) pin both KDFs; key
 * files written by us are opened by cast and the other way round. Only the
 * vectors and one standard export pay for full-strength scrypt; loops use
 * light parameters.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <nettle/pbkdf2.h>

#include "tests/tally-test-stack.h"
#include "wallet/tally-wallet.h"

#define VECTOR_PASSWORD "testpassword"
#define VECTOR_SECRET   "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d"
#define VECTOR_ADDRESS  "0x008AeEda4D805471dF9b2A5B0f38A0C3bCBA786b"
#define N_CAST_EXPORTS  4
#define N_CAST_IMPORTS  4

/* Fast parameters for tests that loop: one PBKDF2 round is enough to
 * exercise every path but the KDF's cost. */
static const TallyKeystoreParams fast_pbkdf2 = { TALLY_KEYSTORE_KDF_PBKDF2, 0, 0, 0, 2 };

static char *
read_vector (const char *name,
             gsize      *len)
{
  g_autofree char *path = g_build_filename (g_getenv ("TALLY_SOURCE_DIR"), "tests", "vectors", name,
                                            NULL);
  g_autoptr (GError) error = NULL;
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, len, &error));
  g_assert_no_error (error);
  return contents;
}

static void
random_key (guint8 key[TALLY_PRIVATE_KEY_LEN])
{
  do
    {
      for (guint i = 0; i < TALLY_PRIVATE_KEY_LEN; i++)
        key[i] = (guint8) g_test_rand_int_range (0, 256);
    }
  while (!tally_private_key_verify (key, NULL));
}

static void
test_vectors (void)
{
  static const char *const names[] = {
    "keystore-pbkdf2.json",
    "keystore-scrypt.json",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      gsize            len = 0;
      g_autofree char *json = read_vector (names[i], &len);
      g_autofree char *hex = NULL;
      g_autoptr (GError) error = NULL;
      guint8       key[TALLY_PRIVATE_KEY_LEN];
      TallyAddress address;
      char         address_text[TALLY_ADDRESS_STRING_SIZE];

      g_test_timer_start ();
      g_assert_true (tally_keystore_decrypt (key, &address, json, len, VECTOR_PASSWORD, &error));
      g_assert_no_error (error);
      g_test_message ("%s: %.2f s", names[i], g_test_timer_elapsed ());
      hex = tally_hex_encode_bare (key, sizeof key);
      g_assert_cmpstr (hex, ==, VECTOR_SECRET);
      tally_address_to_string (&address, address_text);
      g_assert_cmpstr (address_text, ==, VECTOR_ADDRESS);
    }
}

static void
test_wrong_password (void)
{
  gsize            len = 0;
  g_autofree char *json = read_vector ("keystore-pbkdf2.json", &len);
  g_autoptr (GError) error = NULL;
  guint8       key[TALLY_PRIVATE_KEY_LEN];
  TallyAddress address;

  memset (key, 0xaa, sizeof key);
  memset (&address, 0xaa, sizeof address);
  g_assert_false (tally_keystore_decrypt (key, &address, json, len, "testpassworD", &error));
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_WRONG_PASSWORD);
  g_assert_nonnull (strstr (error->message, "Wrong password or corrupted file"));
  for (guint i = 0; i < sizeof key; i++)
    g_assert_cmpuint (key[i], ==, 0);
  for (guint i = 0; i < sizeof address.bytes; i++)
    g_assert_cmpuint (address.bytes[i], ==, 0);
}

static void
check_round_trip (const guint8               key[TALLY_PRIVATE_KEY_LEN],
                  const char                *password,
                  const TallyKeystoreParams *params)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *json = tally_keystore_encrypt (key, password, params, &error);
  g_autoptr (TallyJsonNode) root = NULL;
  const TallyJsonNode *crypto;
  const TallyJsonNode *id;
  guint8               back[TALLY_PRIVATE_KEY_LEN];
  TallyAddress         address;
  TallyAddress         expected;

  g_assert_no_error (error);
  g_assert_nonnull (json);
  g_assert_true (tally_keystore_decrypt (back, &address, json, strlen (json), password, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (back, sizeof back, key, TALLY_PRIVATE_KEY_LEN);
  g_assert_true (tally_address_from_private_key (&expected, key, &error));
  g_assert_true (tally_address_equal (&address, &expected));

  /* The layout other tools expect: version 3, lowercase "crypto", a v4 UUID. */
  g_assert_true (tally_json_parse (&root, json, strlen (json), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (tally_json_node_get_number_text (tally_json_node_lookup (root, "version")), ==, "3");
  crypto = tally_json_node_lookup (root, "crypto");
  g_assert_nonnull (crypto);
  g_assert_cmpstr (tally_json_node_get_string (tally_json_node_lookup (crypto, "cipher"), NULL), ==,
                   "aes-128-ctr");
  id = tally_json_node_lookup (root, "id");
  g_assert_nonnull (id);
  g_assert_true (g_uuid_string_is_valid (tally_json_node_get_string (id, NULL)));
  g_assert_cmpint (tally_json_node_get_string (id, NULL)[14], ==, '4');

  g_assert_false (tally_keystore_decrypt (back, NULL, json, strlen (json), "not the password", &error));
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_WRONG_PASSWORD);
}

static void
test_round_trip (void)
{
  static const char *const passwords[] = { "", "p", "correct horse battery staple", "пароль ✓" };

  for (guint i = 0; i < 8; i++)
    {
      guint8 key[TALLY_PRIVATE_KEY_LEN];

      random_key (key);
      check_round_trip (key, passwords[i % G_N_ELEMENTS (passwords)],
                        i % 2 == 0 ? &tally_keystore_params_light : &fast_pbkdf2);
    }
}

static void
test_round_trip_standard (void)
{
  guint8 key[TALLY_PRIVATE_KEY_LEN];

  random_key (key);
  g_test_timer_start ();
  check_round_trip (key, "standard", NULL);
  g_test_message ("standard scrypt, encrypt + decrypt: %.2f s", g_test_timer_elapsed ());
}

static void
test_fresh_randomness (void)
{
  guint8 key[TALLY_PRIVATE_KEY_LEN] = { 1 };
  g_autoptr (GError) error = NULL;
  g_autofree char *a = tally_keystore_encrypt (key, "pw", &fast_pbkdf2, &error);
  g_autofree char *b = tally_keystore_encrypt (key, "pw", &fast_pbkdf2, &error);
  g_autoptr (TallyJsonNode) ra = NULL;
  g_autoptr (TallyJsonNode) rb = NULL;
  const TallyJsonNode *ca;
  const TallyJsonNode *cb;

  g_assert_no_error (error);
  g_assert_true (tally_json_parse (&ra, a, strlen (a), &error));
  g_assert_true (tally_json_parse (&rb, b, strlen (b), &error));
  ca = tally_json_node_lookup (ra, "crypto");
  cb = tally_json_node_lookup (rb, "crypto");
  /* Same key and password, yet salt, IV, ciphertext and id all differ. */
  g_assert_cmpstr (tally_json_node_get_string (tally_json_node_lookup (tally_json_node_lookup (ca, "kdfparams"), "salt"), NULL),
                   !=,
                   tally_json_node_get_string (tally_json_node_lookup (tally_json_node_lookup (cb, "kdfparams"), "salt"), NULL));
  g_assert_cmpstr (tally_json_node_get_string (tally_json_node_lookup (tally_json_node_lookup (ca, "cipherparams"), "iv"), NULL),
                   !=,
                   tally_json_node_get_string (tally_json_node_lookup (tally_json_node_lookup (cb, "cipherparams"), "iv"), NULL));
  g_assert_cmpstr (tally_json_node_get_string (tally_json_node_lookup (ca, "ciphertext"), NULL), !=,
                   tally_json_node_get_string (tally_json_node_lookup (cb, "ciphertext"), NULL));
  g_assert_cmpstr (tally_json_node_get_string (tally_json_node_lookup (ra, "id"), NULL), !=,
                   tally_json_node_get_string (tally_json_node_lookup (rb, "id"), NULL));
}

static void
test_export_refuses_params (void)
{
  static const TallyKeystoreParams bad[] = {
    { TALLY_KEYSTORE_KDF_SCRYPT, 1000, 8, 1, 0 },     /* N not a power of two */
    { TALLY_KEYSTORE_KDF_SCRYPT, 1u << 12, 4, 1, 0 }, /* r we cannot read back */
    { TALLY_KEYSTORE_KDF_SCRYPT, 1u << 20, 8, 1, 0 }, /* 1 GiB */
    { TALLY_KEYSTORE_KDF_SCRYPT, 1u << 12, 8, 0, 0 },
    { TALLY_KEYSTORE_KDF_PBKDF2, 0, 0, 0, 0 },
    { 7, 1u << 12, 8, 1, 0 },
  };
  guint8 key[TALLY_PRIVATE_KEY_LEN] = { 1 };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *json = tally_keystore_encrypt (key, "pw", &bad[i], &error);

      g_assert_null (json);
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_UNSUPPORTED);
    }

  /* Not a valid secp256k1 key: zero. */
  {
    guint8 zero[TALLY_PRIVATE_KEY_LEN] = { 0 };
    g_autoptr (GError) error = NULL;
    g_autofree char *json = tally_keystore_encrypt (zero, "pw", &fast_pbkdf2, &error);

    g_assert_null (json);
    g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_KEY);
  }
}

/* Replaces the one occurrence of from in text. */
static char *
replace_once (const char *text,
              const char *from,
              const char *to)
{
  const char *at = strstr (text, from);

  g_assert_nonnull (at);
  g_assert_null (strstr (at + 1, from));
  return g_strdup_printf ("%.*s%s%s", (int) (at - text), text, to, at + strlen (from));
}

static void
test_malformed (void)
{
  static const struct
  {
    const char *from;
    const char *to;
    gint        code;
    const char *message_part;
  } cases[] = {
    { "\"version\":3", "\"version\":2", TALLY_WALLET_ERROR_UNSUPPORTED, "version 3" },
    { "\"version\":3", "\"version\":\"3\"", TALLY_WALLET_ERROR_UNSUPPORTED, "version 3" },
    { "\"version\":3", "\"version\":3.0", TALLY_WALLET_ERROR_UNSUPPORTED, "version 3" },
    { ",\"version\":3", "", TALLY_WALLET_ERROR_MALFORMED, "no “version”" },
    { "\"crypto\"", "\"kripto\"", TALLY_WALLET_ERROR_MALFORMED, "no “crypto”" },
    { "\"id\"", "\"Crypto\":{},\"id\"", TALLY_WALLET_ERROR_MALFORMED, "both" },
    { "aes-128-ctr", "aes-128-cbc", TALLY_WALLET_ERROR_UNSUPPORTED, "aes-128-cbc" },
    { "\"cipher\":\"aes-128-ctr\"", "\"cipher\":1", TALLY_WALLET_ERROR_MALFORMED, "not a string" },
    { "\"iv\":\"", "\"iv\":\"00", TALLY_WALLET_ERROR_MALFORMED, "“iv” must be 16 bytes" },
    { "\"iv\":\"", "\"iv\":\"zz", TALLY_WALLET_ERROR_MALFORMED, "“iv”" },
    { "\"ciphertext\":\"", "\"ciphertext\":\"0", TALLY_WALLET_ERROR_MALFORMED, "“ciphertext”" },
    { "\"mac\":\"", "\"mac\":\"0000", TALLY_WALLET_ERROR_MALFORMED, "“mac” must be 32 bytes" },
    { "\"kdf\":\"pbkdf2\"", "\"kdf\":\"argon2id\"", TALLY_WALLET_ERROR_UNSUPPORTED, "argon2id" },
    { "\"dklen\":32", "\"dklen\":64", TALLY_WALLET_ERROR_MALFORMED, "“dklen”" },
    { "\"prf\":\"hmac-sha256\"", "\"prf\":\"hmac-sha512\"", TALLY_WALLET_ERROR_UNSUPPORTED, "hmac-sha512" },
    { "\"c\":2,", "\"c\":8388608,", TALLY_WALLET_ERROR_UNSUPPORTED, "PBKDF2 rounds" },
    { "\"c\":2,", "\"c\":-2,", TALLY_WALLET_ERROR_MALFORMED, "whole number" },
    { "\"c\":2,", "\"c\":2e0,", TALLY_WALLET_ERROR_MALFORMED, "whole number" },
    { "\"c\":2,", "\"c\":0,", TALLY_WALLET_ERROR_MALFORMED, "“c”" },
    { "\"c\":2,", "\"c\":99999999999999999999999999,", TALLY_WALLET_ERROR_MALFORMED, "too large" },
    { "\"c\":2,", "", TALLY_WALLET_ERROR_MALFORMED, "no “c”" },
    { "\"salt\":\"", "\"salt\":\"\",\"x\":\"", TALLY_WALLET_ERROR_MALFORMED, "“salt”" },
    { "\"address\":\"", "\"address\":\"0x", TALLY_WALLET_ERROR_WRONG_PASSWORD, NULL },
  };
  guint8 key[TALLY_PRIVATE_KEY_LEN];
  g_autoptr (GError) error = NULL;
  g_autofree char *base = NULL;

  random_key (key);
  base = tally_keystore_encrypt (key, "pw", &fast_pbkdf2, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = replace_once (base, cases[i].from, cases[i].to);
      guint8           out[TALLY_PRIVATE_KEY_LEN];

      if (g_str_equal (cases[i].from, "\"address\":\""))
        {
          /* "0x" + the address is accepted too; use it to reach the MAC. */
          g_autofree char *bad_mac = NULL;
          const char      *mac = strstr (json, "\"mac\":\"") + 7;

          bad_mac = g_strdup (json);
          bad_mac[mac - json] = mac[0] == '0' ? '1' : '0';
          g_free (json);
          json = g_steal_pointer (&bad_mac);
        }

      memset (out, 0xaa, sizeof out);
      if (tally_keystore_decrypt (out, NULL, json, strlen (json), "pw", &error))
        g_error ("case %u was accepted: %s", i, json);
      g_assert_error (error, TALLY_WALLET_ERROR, cases[i].code);
      if (cases[i].message_part != NULL && strstr (error->message, cases[i].message_part) == NULL)
        g_error ("case %u: “%s” lacks “%s”", i, error->message, cases[i].message_part);
      for (guint j = 0; j < sizeof out; j++)
        g_assert_cmpuint (out[j], ==, 0);
      g_clear_error (&error);
    }
}

static void
test_scrypt_bounds (void)
{
  /* Each is refused before anything is allocated or computed: the test
   * would take minutes or gigabytes otherwise. */
  static const struct
  {
    const char *params;
    gint        code;
  } cases[] = {
    { "\"n\":1048576,\"p\":1,\"r\":8", TALLY_WALLET_ERROR_UNSUPPORTED },  /* 1 GiB */
    { "\"n\":2097152,\"p\":1,\"r\":1", TALLY_WALLET_ERROR_MALFORMED },    /* N above 2^20 */
    { "\"n\":262144,\"p\":16,\"r\":8", TALLY_WALLET_ERROR_UNSUPPORTED },  /* 2^25 work */
    { "\"n\":4294967296,\"p\":1,\"r\":8", TALLY_WALLET_ERROR_MALFORMED }, /* 2^32 */
    { "\"n\":4096,\"p\":17,\"r\":8", TALLY_WALLET_ERROR_MALFORMED },
    { "\"n\":4096,\"p\":1,\"r\":33", TALLY_WALLET_ERROR_MALFORMED },
    { "\"n\":4096,\"p\":1,\"r\":4", TALLY_WALLET_ERROR_UNSUPPORTED },
    { "\"n\":4095,\"p\":1,\"r\":8", TALLY_WALLET_ERROR_MALFORMED },
    { "\"n\":1,\"p\":1,\"r\":8", TALLY_WALLET_ERROR_MALFORMED },
    { "\"n\":4096,\"p\":0,\"r\":8", TALLY_WALLET_ERROR_MALFORMED },
  };
  guint8 key[TALLY_PRIVATE_KEY_LEN];
  g_autoptr (GError) error = NULL;
  g_autofree char *base = NULL;

  random_key (key);
  base = tally_keystore_encrypt (key, "pw", &tally_keystore_params_light, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = replace_once (base, "\"n\":4096,\"p\":6,\"r\":8", cases[i].params);
      guint8           out[TALLY_PRIVATE_KEY_LEN];

      g_test_timer_start ();
      g_assert_false (tally_keystore_decrypt (out, NULL, json, strlen (json), "pw", &error));
      g_assert_error (error, TALLY_WALLET_ERROR, cases[i].code);
      g_assert_cmpfloat (g_test_timer_elapsed (), <, 0.05);
      g_clear_error (&error);
    }

  /* A tighter caller bound refuses even the light parameters. */
  {
    guint8 out[TALLY_PRIVATE_KEY_LEN];

    g_assert_false (tally_keystore_decrypt_bounded (out, NULL, base, strlen (base), "pw", 1024, &error));
    g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_UNSUPPORTED);
  }
}

static void
test_other_shapes (void)
{
  guint8 key[TALLY_PRIVATE_KEY_LEN];
  guint8 out[TALLY_PRIVATE_KEY_LEN];
  g_autoptr (GError) error = NULL;
  g_autofree char *base = NULL;
  g_autofree char *upper = NULL;
  g_autofree char *no_address = NULL;
  g_autofree char *other_address = NULL;
  g_autofree char *big = NULL;

  random_key (key);
  base = tally_keystore_encrypt (key, "pw", &fast_pbkdf2, &error);
  g_assert_no_error (error);

  /* Old geth files spell it "Crypto". */
  upper = replace_once (base, "\"crypto\"", "\"Crypto\"");
  g_assert_true (tally_keystore_decrypt (out, NULL, upper, strlen (upper), "pw", &error));
  g_assert_no_error (error);
  g_assert_cmpmem (out, sizeof out, key, sizeof key);

  /* cast writes no address: the file is still fine. */
  {
    const char *start = strstr (base, "\"address\"");
    const char *end = strstr (base, "\"crypto\"");

    no_address = g_strdup_printf ("%.*s%s", (int) (start - base), base, end);
  }
  g_assert_true (tally_keystore_decrypt (out, NULL, no_address, strlen (no_address), "pw", &error));
  g_assert_no_error (error);
  g_assert_cmpmem (out, sizeof out, key, sizeof key);

  /* An address that is not the key's is a doctored file. */
  {
    const char *start = strstr (base, "\"address\":\"") + 11;

    other_address = g_strdup (base);
    other_address[start - base] = start[0] == 'a' ? 'b' : 'a';
  }
  g_assert_false (tally_keystore_decrypt (out, NULL, other_address, strlen (other_address), "pw", &error));
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "address"));
  g_clear_error (&error);

  /* Not JSON, not an object, too big. */
  g_assert_false (tally_keystore_decrypt (out, NULL, "{", 1, "pw", &error));
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_false (tally_keystore_decrypt (out, NULL, "[]", 2, "pw", &error));
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
  g_clear_error (&error);
  big = g_strnfill (TALLY_KEYSTORE_MAX_SIZE + 1, ' ');
  g_assert_false (tally_keystore_decrypt (out, NULL, big, strlen (big), "pw", &error));
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
}

static void
decrypted_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  TallySecret **out = user_data;
  g_autoptr (GError) error = NULL;
  TallyAddress address;

  *out = tally_keystore_decrypt_finish (result, &address, &error);
  g_assert_no_error (error);
}

static void
encrypted_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **out = user_data;
  g_autoptr (GError) error = NULL;

  *out = tally_keystore_encrypt_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_async (void)
{
  gsize            len = 0;
  g_autofree char *json = read_vector ("keystore-pbkdf2.json", &len);
  g_autoptr (GBytes) bytes = g_bytes_new_take (g_steal_pointer (&json), len);
  g_autoptr (TallySecret) key = NULL;
  g_autofree char *hex = NULL;

  tally_keystore_decrypt_async (bytes, VECTOR_PASSWORD, NULL, decrypted_cb, &key);
  while (key == NULL)
    g_main_context_iteration (NULL, TRUE);
  hex = tally_hex_encode_bare (key->data, key->len);
  g_assert_cmpstr (hex, ==, VECTOR_SECRET);

  /* And back: encrypted in a worker, the file opens to the same key. */
  {
    g_autofree char *written = NULL;
    guint8           back[TALLY_PRIVATE_KEY_LEN];
    g_autoptr (GError) error = NULL;

    tally_keystore_encrypt_async (key->data, "async", &tally_keystore_params_light, NULL,
                                  encrypted_cb, &written);
    while (written == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_assert_true (tally_keystore_decrypt (back, NULL, written, strlen (written), "async", &error));
    g_assert_no_error (error);
    g_assert_cmpmem (back, sizeof back, key->data, key->len);
  }
}

/* ---- no secret left on the stack ---- */

typedef struct
{
  const char *json;
  guint8      key[TALLY_PRIVATE_KEY_LEN];
} StackJob;

static void
decrypt_on_stack (gpointer data)
{
  StackJob *job = data;
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_keystore_decrypt (job->key, NULL, job->json, strlen (job->json), "pw", &error));
  g_assert_no_error (error);
}

static void
test_stack_wiped (void)
{
  guint8 key[TALLY_PRIVATE_KEY_LEN];
  guint8 dk[32];
  guint8 keystream[TALLY_PRIVATE_KEY_LEN];
  guint8 ciphertext[TALLY_PRIVATE_KEY_LEN];
  guint8 salt[32];
  g_autoptr (GError) error = NULL;
  g_autofree char *json = NULL;
  g_autoptr (TallyJsonNode) root = NULL;
  const TallyJsonNode *crypto;
  StackJob            *job = g_new0 (StackJob, 1);

  random_key (key);
  json = tally_keystore_encrypt (key, "pw", &fast_pbkdf2, &error);
  g_assert_no_error (error);
  job->json = json;

  /* What an attacker reading the stack would want: the key, the derived
   * key, and the AES keystream (which with the public ciphertext is the key). */
  g_assert_true (tally_json_parse (&root, json, strlen (json), &error));
  crypto = tally_json_node_lookup (root, "crypto");
  g_assert_true (tally_hex_decode_fixed (salt, sizeof salt,
                                         tally_json_node_get_string (tally_json_node_lookup (tally_json_node_lookup (crypto, "kdfparams"), "salt"), NULL),
                                         -1, &error));
  g_assert_true (tally_hex_decode_fixed (ciphertext, sizeof ciphertext,
                                         tally_json_node_get_string (tally_json_node_lookup (crypto, "ciphertext"), NULL),
                                         -1, &error));
  g_assert_no_error (error);
  pbkdf2_hmac_sha256 (2, (const guint8 *) "pw", fast_pbkdf2.pbkdf2_rounds, sizeof salt, salt, sizeof dk, dk);
  for (guint i = 0; i < sizeof keystream; i++)
    keystream[i] = key[i] ^ ciphertext[i];

  tally_test_run_on_scratch_stack (decrypt_on_stack, job);
  g_assert_cmpmem (job->key, sizeof job->key, key, sizeof key);
  tally_test_assert_not_on_scratch_stack ("private key", key, sizeof key);
  tally_test_assert_not_on_scratch_stack ("derived key", dk, sizeof dk);
  tally_test_assert_not_on_scratch_stack ("AES keystream", keystream, sizeof keystream);
  tally_wipe (job->key, sizeof job->key);
  g_free (job);
}

/* ---- cast ---- */

static char *
cast_path (void)
{
  const char *tools = g_getenv ("TALLY_TOOLS_BIN");
  char       *path;

  if (tools == NULL || *tools == '\0')
    return NULL;
  path = g_build_filename (tools, "cast", NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("TALLY_TOOLS_BIN is set but %s is missing", path);
  return path;
}

static char *
run (const char *const *argv)
{
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    g_error ("%s failed: %s", argv[0], err);
  return g_steal_pointer (&out);
}

/* "... private key is: 0xHEX" */
static void
cast_decrypt (guint8      key[TALLY_PRIVATE_KEY_LEN],
              const char *cast,
              const char *dir,
              const char *name,
              const char *password)
{
  const char      *argv[] = { cast, "wallet", "decrypt-keystore", "-k", dir, name, "--unsafe-password",
                              password, NULL };
  g_autofree char *out = run (argv);
  const char      *at = strstr (out, "0x");
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (at);
  g_strstrip ((char *) at);
  g_assert_true (tally_hex_decode_fixed (key, TALLY_PRIVATE_KEY_LEN, at, -1, &error));
  g_assert_no_error (error);
}

static void
test_cast_reads_ours (void)
{
  g_autofree char *cast = cast_path ();
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;

  if (cast == NULL)
    {
      g_test_skip ("TALLY_TOOLS_BIN is not set");
      return;
    }
  dir = g_dir_make_tmp ("tally-keystore-XXXXXX", &error);
  g_assert_no_error (error);

  for (guint i = 0; i < N_CAST_EXPORTS; i++)
    {
      guint8           key[TALLY_PRIVATE_KEY_LEN];
      guint8           theirs[TALLY_PRIVATE_KEY_LEN];
      g_autofree char *name = g_strdup_printf ("ours-%u", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *password = g_strdup_printf ("pw-%08x", (guint) g_test_rand_int ());
      /* The first uses geth's standard parameters, the others light and PBKDF2. */
      const TallyKeystoreParams *params = i == 0 ? NULL : i % 2 ? &tally_keystore_params_light
                                                                : &fast_pbkdf2;
      g_autofree char           *json = NULL;

      random_key (key);
      json = tally_keystore_encrypt (key, password, params, &error);
      g_assert_no_error (error);
      g_assert_true (g_file_set_contents (path, json, -1, &error));
      g_assert_no_error (error);

      cast_decrypt (theirs, cast, dir, name, password);
      g_assert_cmpmem (theirs, sizeof theirs, key, sizeof key);
      g_assert_cmpint (g_remove (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_ours_reads_cast (void)
{
  g_autofree char *cast = cast_path ();
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;

  if (cast == NULL)
    {
      g_test_skip ("TALLY_TOOLS_BIN is not set");
      return;
    }
  dir = g_dir_make_tmp ("tally-keystore-XXXXXX", &error);
  g_assert_no_error (error);

  for (guint i = 0; i < N_CAST_IMPORTS; i++)
    {
      g_autofree char *name = g_strdup_printf ("cast-%u", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *password = g_strdup_printf ("pw-%08x", (guint) g_test_rand_int ());
      const char      *argv[] = { cast, "wallet", "new", dir, name, "--unsafe-password", password, NULL };
      g_autofree char *out = run (argv);
      const char      *printed = strstr (out, "Address:");
      g_autofree char *json = NULL;
      gsize            len = 0;
      guint8           ours[TALLY_PRIVATE_KEY_LEN];
      guint8           theirs[TALLY_PRIVATE_KEY_LEN];
      TallyAddress     address;
      char             address_text[TALLY_ADDRESS_STRING_SIZE];
      g_autofree char *expected = NULL;

      g_assert_nonnull (printed);
      expected = g_strstrip (g_strdup (printed + strlen ("Address:")));
      g_assert_true (g_file_get_contents (path, &json, &len, &error));
      g_assert_no_error (error);

      g_assert_true (tally_keystore_decrypt (ours, &address, json, len, password, &error));
      g_assert_no_error (error);
      tally_address_to_string (&address, address_text);
      g_assert_cmpstr (address_text, ==, expected);
      cast_decrypt (theirs, cast, dir, name, password);
      g_assert_cmpmem (ours, sizeof ours, theirs, sizeof theirs);

      g_assert_false (tally_keystore_decrypt (ours, NULL, json, len, "wrong", &error));
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_WRONG_PASSWORD);
      g_clear_error (&error);
      g_assert_cmpint (g_remove (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wallet/keystore/vectors", test_vectors);
  g_test_add_func ("/wallet/keystore/wrong-password", test_wrong_password);
  g_test_add_func ("/wallet/keystore/round-trip", test_round_trip);
  g_test_add_func ("/wallet/keystore/round-trip-standard", test_round_trip_standard);
  g_test_add_func ("/wallet/keystore/fresh-randomness", test_fresh_randomness);
  g_test_add_func ("/wallet/keystore/export-refuses-params", test_export_refuses_params);
  g_test_add_func ("/wallet/keystore/malformed", test_malformed);
  g_test_add_func ("/wallet/keystore/scrypt-bounds", test_scrypt_bounds);
  g_test_add_func ("/wallet/keystore/other-shapes", test_other_shapes);
  g_test_add_func ("/wallet/keystore/async", test_async);
  g_test_add_func ("/wallet/keystore/stack-wiped", test_stack_wiped);
  g_test_add_func ("/wallet/keystore/cast-reads-ours", test_cast_reads_ours);
  g_test_add_func ("/wallet/keystore/ours-reads-cast", test_ours_reads_cast);

  return g_test_run ();
}
