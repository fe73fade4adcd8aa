/* test-tx.c: transactions — EIP-155 legacy and EIP-1559 (wallet/tx.c)
 *
 * Published and cast-made vectors, malformed input and signing rules; the
 * live cross-check of random transactions against cast is test-tx-cast.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "wallet/rlp.h"
#include "wallet/tally-wallet.h"
#include "wallet/tx.h"
#include "wallet/uint256.h"
#include "tally-test-util.h"

static void
uint256_or_die (TallyUint256 *out,
                const char   *text)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_uint256_parse (out, text, &error));
  g_assert_no_error (error);
}

static guint64
uint64_or_die (const char *text)
{
  guint64 value = 0;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, &value, &error));
  g_assert_no_error (error);
  return value;
}

static void
test_eip155_vector (void)
{
  g_autofree char *path = tally_test_vector_path ("eip155.txt");
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autofree char *contents = NULL;
  g_autofree char *ini = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyTransaction) tx = tally_transaction_new (TALLY_TRANSACTION_LEGACY);
  g_autoptr (TallyTransaction) parsed = NULL;
  g_autofree guint8 *data = NULL;
  g_autofree guint8 *key = NULL;
  g_autofree guint8 *expected_hash = NULL;
  g_autofree guint8 *signing_data = NULL;
  g_autofree guint8 *expected_raw = NULL;
  g_autofree guint8 *raw = NULL;
  gsize              data_len = 0, key_len = 0, hash_len = 0, signing_len = 0;
  gsize              expected_raw_len = 0, raw_len = 0;
  guint8             hash[TALLY_TRANSACTION_HASH_LEN];
  guint8             keccak_of_data[TALLY_KECCAK256_LEN];
  guint8             tx_hash[TALLY_TRANSACTION_HASH_LEN];
  TallyUint256       r, s;
  TallyAddress       sender, expected_sender;

  /* "name = value" lines are a key file once they sit under a group. */
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  ini = g_strconcat ("[eip155]\n", contents, NULL);
  g_assert_true (g_key_file_load_from_data (file, ini, -1, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
#define GET(name) g_key_file_get_value (file, "eip155", name, NULL)
  {
    g_autofree char *nonce = GET ("nonce");
    g_autofree char *gas_price = GET ("gas_price");
    g_autofree char *gas_limit = GET ("gas_limit");
    g_autofree char *to = GET ("to");
    g_autofree char *value = GET ("value");
    g_autofree char *data_hex = GET ("data");
    g_autofree char *chain_id = GET ("chain_id");
    g_autofree char *key_hex = GET ("private_key");
    g_autofree char *signing_hex = GET ("signing_data");
    g_autofree char *hash_hex = GET ("signing_hash");
    g_autofree char *v = GET ("v");
    g_autofree char *r_text = GET ("r");
    g_autofree char *s_text = GET ("s");
    g_autofree char *raw_hex = GET ("signed_tx");
    g_autofree char *sender_text = GET ("sender");

    tx->nonce = uint64_or_die (nonce);
    uint256_or_die (&tx->gas_price, gas_price);
    tx->gas_limit = uint64_or_die (gas_limit);
    tx->has_to = TRUE;
    tally_test_address_or_die (&tx->to, to);
    uint256_or_die (&tx->value, value);
    data = tally_test_hex_or_die (data_hex, &data_len);
    tally_transaction_set_data (tx, data, data_len);
    tx->chain_id = uint64_or_die (chain_id);
    key = tally_test_hex_or_die (key_hex, &key_len);
    g_assert_cmpuint (key_len, ==, TALLY_PRIVATE_KEY_LEN);
    signing_data = tally_test_hex_or_die (signing_hex, &signing_len);
    expected_hash = tally_test_hex_or_die (hash_hex, &hash_len);
    g_assert_cmpuint (uint64_or_die (v), ==, 37);
    uint256_or_die (&r, r_text);
    uint256_or_die (&s, s_text);
    expected_raw = tally_test_hex_or_die (raw_hex, &expected_raw_len);
    tally_test_address_or_die (&expected_sender, sender_text);
  }
#undef GET

  /* The published signing data and hash agree with each other... */
  tally_keccak256 (keccak_of_data, signing_data, signing_len);
  g_assert_cmpmem (keccak_of_data, sizeof keccak_of_data, expected_hash, hash_len);
  /* ...and with what we compute. */
  g_assert_true (tally_transaction_signing_hash (hash, tx, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (hash, sizeof hash, expected_hash, hash_len);

  g_assert_true (tally_transaction_sign (tx, key, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tx->chain_id * 2 + 35 + tx->y_parity, ==, 37);
  tally_test_assert_uint256_equal (&tx->r, &r);
  tally_test_assert_uint256_equal (&tx->s, &s);

  g_assert_true (tally_transaction_encode (&raw, &raw_len, tx, &error));
  g_assert_cmpmem (raw, raw_len, expected_raw, expected_raw_len);
  g_assert_true (tally_transaction_hash (tx_hash, tx, &error));
  tally_keccak256 (keccak_of_data, expected_raw, expected_raw_len);
  g_assert_cmpmem (tx_hash, sizeof tx_hash, keccak_of_data, sizeof keccak_of_data);

  parsed = tally_test_parse_and_recover (expected_raw, expected_raw_len, &sender);
  tally_test_assert_transactions_equal (parsed, tx);
  g_assert_true (tally_address_equal (&sender, &expected_sender));
}

/* The fields of one cast-mktx.txt line (see that file's header). */
static TallyTransaction *
transaction_from_fields (char **f)
{
  TallyTransactionType type =
    g_str_equal (f[1], "legacy") ? TALLY_TRANSACTION_LEGACY : TALLY_TRANSACTION_EIP1559;
  TallyTransaction  *tx = tally_transaction_new (type);
  g_autofree guint8 *data = NULL;
  gsize              data_len = 0;

  tx->chain_id = uint64_or_die (f[2]);
  tx->nonce = uint64_or_die (f[3]);
  tx->gas_limit = uint64_or_die (f[4]);
  if (type == TALLY_TRANSACTION_LEGACY)
    uint256_or_die (&tx->gas_price, f[5]);
  else
    {
      uint256_or_die (&tx->max_fee_per_gas, f[5]);
      uint256_or_die (&tx->max_priority_fee_per_gas, f[6]);
    }
  uint256_or_die (&tx->value, f[7]);
  tx->has_to = !g_str_equal (f[8], "-");
  if (tx->has_to)
    tally_test_address_or_die (&tx->to, f[8]);
  data = tally_test_hex_or_die (f[9], &data_len);
  tally_transaction_set_data (tx, data, data_len);

  if (!g_str_equal (f[10], "-"))
    {
      g_auto (GStrv) entries = g_strsplit (f[10], ";", -1);

      for (guint i = 0; entries[i] != NULL; i++)
        {
          g_auto (GStrv) parts = g_strsplit (entries[i], ":", 2);
          g_auto (GStrv) keys = g_strsplit (parts[1], ",", -1);
          guint              n_keys = parts[1][0] != '\0' ? g_strv_length (keys) : 0;
          g_autofree guint8 *key_bytes = g_malloc0 (n_keys * TALLY_STORAGE_KEY_LEN + 1);
          TallyAddress       address;

          tally_test_address_or_die (&address, parts[0]);
          for (guint k = 0; k < n_keys; k++)
            {
              g_autoptr (GError) error = NULL;

              g_assert_true (tally_hex_decode_fixed (key_bytes + k * TALLY_STORAGE_KEY_LEN,
                                                     TALLY_STORAGE_KEY_LEN, keys[k], -1, &error));
            }
          tally_transaction_add_access_list_entry (
            tx, &address, (const guint8 (*)[TALLY_STORAGE_KEY_LEN]) key_bytes, n_keys);
        }
    }
  return tx;
}

static void
test_cast_vectors (void)
{
  g_autofree char *path = tally_test_vector_path ("cast-mktx.txt");
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) error = NULL;
  guint n = 0, n_access = 0, n_create = 0, n_legacy = 0;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = NULL;
      g_autoptr (TallyTransaction) tx = NULL;
      g_autoptr (TallyTransaction) parsed = NULL;
      g_autofree guint8 *key = NULL;
      g_autofree guint8 *expected = NULL;
      g_autofree guint8 *raw = NULL;
      gsize              key_len = 0, expected_len = 0, raw_len = 0;
      TallyAddress       sender, expected_sender;

      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;
      f = g_strsplit (lines[i], " | ", -1);
      g_assert_cmpuint (g_strv_length (f), ==, 12);

      tx = transaction_from_fields (f);
      key = tally_test_hex_or_die (f[0], &key_len);
      expected = tally_test_hex_or_die (f[11], &expected_len);
      g_assert_true (tally_transaction_sign (tx, key, &error));
      g_assert_no_error (error);
      g_assert_true (tally_transaction_encode (&raw, &raw_len, tx, &error));
      g_assert_cmpmem (raw, raw_len, expected, expected_len);

      parsed = tally_test_parse_and_recover (expected, expected_len, &sender);
      tally_test_assert_transactions_equal (parsed, tx);
      g_assert_true (tally_address_from_private_key (&expected_sender, key, &error));
      g_assert_true (tally_address_equal (&sender, &expected_sender));

      n++;
      n_access += tx->n_access_list > 0;
      n_create += !tx->has_to;
      n_legacy += tx->type == TALLY_TRANSACTION_LEGACY;
    }
  g_assert_cmpuint (n, ==, 8);
  g_assert_cmpuint (n_access, ==, 1);
  g_assert_cmpuint (n_create, ==, 2);
  g_assert_cmpuint (n_legacy, ==, 3);
}

/* From tests/vectors/eip155.txt and the access-list line of cast-mktx.txt. */
#define LEGACY_RAW                                                                               \
  "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a0" \
  "28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b" \
  "3800ccf555c9f3dc64214b297fb1966a3b6d83"

static char *
eip1559_raw_with_access_list (void)
{
  g_autofree char *path = tally_test_vector_path ("cast-mktx.txt");
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], " | ", -1);

      if (g_strv_length (f) == 12 && g_str_equal (f[1], "eip1559") && !g_str_equal (f[10], "-"))
        return g_strdup (f[11]);
    }
  g_assert_not_reached ();
}

/* A copy of a signed transaction with field `index` replaced by the RLP item
 * `item_hex`, removed (item_hex NULL), or appended (index = field count). */
static guint8 *
mutate (const char *raw_hex,
        guint       index,
        const char *item_hex,
        gsize      *len)
{
  g_autofree guint8 *raw = NULL;
  g_autofree guint8 *item_bytes = NULL;
  g_autofree guint8 *list = NULL;
  g_autoptr (TallyRlpItem) root = NULL;
  g_autoptr (TallyRlpItem) item = NULL;
  g_autoptr (GError) error = NULL;
  gsize            raw_len = 0, item_len = 0, list_len = 0;
  gsize            typed;
  TallyRlpEncoder *encoder = tally_rlp_encoder_new ();
  guint8          *out;

  raw = tally_test_hex_or_die (raw_hex, &raw_len);
  typed = raw[0] < 0xc0 ? 1 : 0;
  g_assert_true (tally_rlp_decode (&root, raw + typed, raw_len - typed, &error));
  g_assert_no_error (error);
  if (item_hex != NULL)
    {
      item_bytes = tally_test_hex_or_die (item_hex, &item_len);
      g_assert_true (tally_rlp_decode (&item, item_bytes, item_len, &error));
      g_assert_no_error (error);
    }

  tally_rlp_encoder_begin_list (encoder);
  for (guint i = 0; i <= root->n_children; i++)
    {
      if (i == index && item != NULL)
        tally_rlp_encoder_add_item (encoder, item);
      else if (i < root->n_children && i != index)
        tally_rlp_encoder_add_item (encoder, &root->children[i]);
    }
  tally_rlp_encoder_end_list (encoder);
  list = tally_rlp_encoder_finish (encoder, &list_len);

  out = g_malloc (typed + list_len);
  memcpy (out, raw, typed);
  memcpy (out + typed, list, list_len);
  *len = typed + list_len;
  return out;
}

static char *
repeat (const char *unit,
        guint       n)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append (s, unit);
  return g_string_free (s, FALSE);
}

static void
check_parse_error (const guint8 *raw,
                   gsize         raw_len,
                   gint          code,
                   const char   *fragment)
{
  TallyTransaction *tx = GINT_TO_POINTER (1);
  g_autoptr (GError) error = NULL;

  g_assert_false (tally_transaction_parse (&tx, raw, raw_len, &error));
  g_assert_null (tx);
  g_assert_error (error, TALLY_WALLET_ERROR, code);
  if (strstr (error->message, fragment) == NULL)
    g_error ("message “%s” lacks “%s”", error->message, fragment);
}

static void
test_parse_malformed (void)
{
  g_autofree char *typed = eip1559_raw_with_access_list ();
  g_autofree char *address19 = repeat ("11", 19);
  g_autofree char *address20 = repeat ("22", 20);
  g_autofree char *key31 = repeat ("33", 31);
  g_autofree char *to19 = g_strconcat ("0x93", address19, NULL);
  g_autofree char *bad_address = g_strconcat ("0xd6d593", address19, "c0", NULL);
  g_autofree char *bad_key = g_strconcat ("0xf7f694", address20, "e09f", key31, NULL);
  g_autofree char *keys_not_list = g_strconcat ("0xd7d694", address20, "80", NULL);
  const struct
  {
    const char *raw;
    gint        index; /* -1: use raw as it is */
    const char *item;
    gint        code;
    const char *fragment;
  } cases[] = {
    { "0x", -1, NULL, TALLY_WALLET_ERROR_MALFORMED, "is empty" },
    { "0x01c0", -1, NULL, TALLY_WALLET_ERROR_UNSUPPORTED, "type 0x01: EIP-2930" },
    { "0x03c0", -1, NULL, TALLY_WALLET_ERROR_UNSUPPORTED, "type 0x03: EIP-4844" },
    { "0x04c0", -1, NULL, TALLY_WALLET_ERROR_UNSUPPORTED, "type 0x04: EIP-7702" },
    { "0x7fc0", -1, NULL, TALLY_WALLET_ERROR_UNSUPPORTED, "type 0x7f: transactions of this type" },
    { "0x83646f67", -1, NULL, TALLY_WALLET_ERROR_MALFORMED, "byte string, not a list" },
    { "0x0283646f67", -1, NULL, TALLY_WALLET_ERROR_MALFORMED, "byte string, not a list" },
    { "0x02", -1, NULL, TALLY_WALLET_ERROR_MALFORMED, "not valid RLP: The RLP input is empty" },
    { "0xc0", -1, NULL, TALLY_WALLET_ERROR_MALFORMED, "legacy transaction has 0 fields, not 9" },
    { "0xf9006c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a7640000"
      "8025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761a"
      "ecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83",
      -1, NULL, TALLY_WALLET_ERROR_MALFORMED, "not valid RLP: The RLP length at byte 1 starts with a zero" },
    { LEGACY_RAW "00", -1, NULL, TALLY_WALLET_ERROR_MALFORMED, "1 unexpected bytes follow" },
    { LEGACY_RAW, 8, NULL, TALLY_WALLET_ERROR_MALFORMED, "legacy transaction has 8 fields, not 9" },
    { LEGACY_RAW, 9, "0x80", TALLY_WALLET_ERROR_MALFORMED, "has 10 fields, not 9" },
    { typed, 12, "0x80", TALLY_WALLET_ERROR_MALFORMED, "EIP-1559 transaction has 13 fields, not 12" },
    { typed, 0, NULL, TALLY_WALLET_ERROR_MALFORMED, "has 11 fields, not 12" },
    { LEGACY_RAW, 6, "0x1b", TALLY_WALLET_ERROR_UNSUPPORTED, "no chain id (v is 27 or 28" },
    { LEGACY_RAW, 6, "0x1c", TALLY_WALLET_ERROR_UNSUPPORTED, "no chain id" },
    { LEGACY_RAW, 6, "0x24", TALLY_WALLET_ERROR_MALFORMED, "signature v (36) is not an EIP-155" },
    { LEGACY_RAW, 6, "0x80", TALLY_WALLET_ERROR_MALFORMED, "signature v (0) is not" },
    { LEGACY_RAW, 6, "0x89010000000000000000", TALLY_WALLET_ERROR_MALFORMED,
      "signature v is not valid: The RLP integer has 9 bytes; at most 8" },
    { LEGACY_RAW, 7, "0x80", TALLY_WALLET_ERROR_MALFORMED, "signature is missing" },
    { LEGACY_RAW, 8, "0x80", TALLY_WALLET_ERROR_MALFORMED, "signature is missing" },
    { LEGACY_RAW, 8, "0xa1010000000000000000000000000000000000000000000000000000000000000000",
      TALLY_WALLET_ERROR_MALFORMED, "signature s is not valid: The RLP integer has 33 bytes" },
    { LEGACY_RAW, 0, "0x820009", TALLY_WALLET_ERROR_MALFORMED,
      "nonce is not valid: The RLP integer starts with a zero byte" },
    { LEGACY_RAW, 0, "0x00", TALLY_WALLET_ERROR_MALFORMED, "nonce is not valid" },
    { LEGACY_RAW, 1, "0xc0", TALLY_WALLET_ERROR_MALFORMED,
      "gas price is not valid: Expected an RLP integer but found a list" },
    { LEGACY_RAW, 2, "0x89010000000000000000", TALLY_WALLET_ERROR_MALFORMED, "gas limit is not valid" },
    { LEGACY_RAW, 3, to19, TALLY_WALLET_ERROR_MALFORMED, "recipient is neither empty" },
    { LEGACY_RAW, 3, "0xc0", TALLY_WALLET_ERROR_MALFORMED, "recipient is a list" },
    { LEGACY_RAW, 4, "0xc180", TALLY_WALLET_ERROR_MALFORMED, "value is not valid" },
    { LEGACY_RAW, 5, "0xc0", TALLY_WALLET_ERROR_MALFORMED, "data is a list" },
    { typed, 0, "0x80", TALLY_WALLET_ERROR_MALFORMED, "no chain id, so it could be replayed" },
    { typed, 0, "0x89010000000000000000", TALLY_WALLET_ERROR_MALFORMED, "chain id is not valid" },
    { typed, 2, "0xc0", TALLY_WALLET_ERROR_MALFORMED, "max priority fee is not valid" },
    { typed, 3, "0x820001", TALLY_WALLET_ERROR_MALFORMED, "max fee is not valid" },
    { typed, 8, "0x80", TALLY_WALLET_ERROR_MALFORMED, "access list is not a list" },
    { typed, 8, "0xc1c0", TALLY_WALLET_ERROR_MALFORMED, "entry that is not [address, keys]" },
    { typed, 8, bad_address, TALLY_WALLET_ERROR_MALFORMED, "address that is not 20 bytes" },
    { typed, 8, bad_key, TALLY_WALLET_ERROR_MALFORMED, "storage key that is not 32 bytes" },
    { typed, 8, keys_not_list, TALLY_WALLET_ERROR_MALFORMED, "storage keys that are not a list" },
    { typed, 9, "0x02", TALLY_WALLET_ERROR_MALFORMED, "y parity is not 0 or 1" },
    { typed, 9, "0x8180", TALLY_WALLET_ERROR_MALFORMED, "y parity is not 0 or 1" },
    { typed, 10, "0x80", TALLY_WALLET_ERROR_MALFORMED, "signature is missing" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree guint8 *raw = NULL;
      gsize              raw_len = 0;

      g_test_message ("case %u: %s", i, cases[i].fragment);
      if (cases[i].index < 0)
        raw = tally_test_hex_or_die (cases[i].raw, &raw_len);
      else
        raw = mutate (cases[i].raw, (guint) cases[i].index, cases[i].item, &raw_len);
      check_parse_error (raw, raw_len, cases[i].code, cases[i].fragment);
    }

  /* Every proper prefix of a valid transaction is refused. */
  for (guint which = 0; which < 2; which++)
    {
      g_autofree guint8 *raw = NULL;
      gsize              raw_len = 0;

      raw = tally_test_hex_or_die (which == 0 ? LEGACY_RAW : typed, &raw_len);
      for (gsize cut = 0; cut < raw_len; cut++)
        {
          TallyTransaction *tx = NULL;
          g_autoptr (GError) error = NULL;

          g_assert_false (tally_transaction_parse (&tx, raw, cut, &error));
          g_assert_nonnull (error);
          g_assert_null (tx);
        }
    }
}

static void
test_sign_rejects (void)
{
  static const guint8 key[TALLY_PRIVATE_KEY_LEN] = {
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
    0x46,
  };
  static const guint8 storage_key[1][TALLY_STORAGE_KEY_LEN] = { { 1 } };
  const TallyAddress  address = { { 0x35 } };

  for (guint i = 0; i < 7; i++)
    {
      g_autoptr (TallyTransaction) tx = NULL;
      g_autoptr (GError) error = NULL;
      g_autofree guint8 *raw = NULL;
      gsize              raw_len = 7;
      guint8             hash[TALLY_TRANSACTION_HASH_LEN];
      TallyAddress       sender;
      const char        *fragment = NULL;

      tx = tally_transaction_new (i < 3 ? TALLY_TRANSACTION_LEGACY : TALLY_TRANSACTION_EIP1559);
      tx->chain_id = 1;
      tally_uint256_from_uint64 (tx->type == TALLY_TRANSACTION_LEGACY ? &tx->gas_price
                                                                      : &tx->max_fee_per_gas,
                                 10);
      switch (i)
        {
        case 0:
          tx->chain_id = 0;
          fragment = "no chain id";
          break;
        case 1:
          tally_transaction_add_access_list_entry (tx, &address, storage_key, 1);
          fragment = "legacy transaction cannot carry an access list";
          break;
        case 2:
          tally_uint256_from_uint64 (&tx->max_fee_per_gas, 1);
          fragment = "has a gas price, not EIP-1559 fees";
          break;
        case 3:
          tally_uint256_from_uint64 (&tx->gas_price, 1);
          fragment = "not a gas price";
          break;
        case 4:
          tally_uint256_from_uint64 (&tx->max_priority_fee_per_gas, 11);
          fragment = "priority fee is higher than the max fee";
          break;
        case 5:
          tx->chain_id = TALLY_TRANSACTION_MAX_CHAIN_ID + 1;
          fragment = "is too large";
          break;
        case 6:
          /* Valid: signs, then an unsigned copy refuses to encode. */
          break;
        }

      if (fragment != NULL)
        {
          g_assert_false (tally_transaction_sign (tx, key, &error));
          g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
          g_assert_nonnull (strstr (error->message, fragment));
          g_assert_false (tx->is_signed);
          g_assert_true (tally_uint256_is_zero (&tx->r));
          g_clear_error (&error);
        }
      else
        {
          g_assert_true (tally_transaction_sign (tx, key, &error));
          tx->is_signed = FALSE;
          fragment = "not signed";
        }
      /* The fee order is a signing rule; encoding only sees no signature. */
      if (i == 4)
        fragment = "not signed";
      g_assert_false (tally_transaction_encode (&raw, &raw_len, tx, &error));
      g_assert_null (raw);
      g_assert_cmpuint (raw_len, ==, 0);
      g_assert_nonnull (strstr (error->message, fragment));
      g_clear_error (&error);
      memset (hash, 0xaa, sizeof hash);
      g_assert_false (tally_transaction_hash (hash, tx, &error));
      g_assert_cmpuint (hash[0], ==, 0);
      g_clear_error (&error);
      g_assert_false (tally_transaction_recover_sender (&sender, tx, &error));
      g_clear_error (&error);
    }
}

static void
test_recover_tampered (void)
{
  g_autofree guint8 *raw = NULL;
  gsize              raw_len = 0;
  g_autoptr (TallyTransaction) tx = NULL;
  g_autoptr (GError) error = NULL;
  TallyAddress sender, original;
  TallyUint256 n, high_s;

  raw = tally_test_hex_or_die (LEGACY_RAW, &raw_len);
  tx = tally_test_parse_and_recover (raw, raw_len, &original);

  /* A changed field recovers someone else (or no one), never the signer. */
  tx->nonce++;
  if (tally_transaction_recover_sender (&sender, tx, &error))
    g_assert_false (tally_address_equal (&sender, &original));
  g_clear_error (&error);
  tx->nonce--;

  /* The same signature with s replaced by n - s is valid maths but refused
   * since EIP-2 (malleability). */
  uint256_or_die (&n, "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
  g_assert_true (tally_uint256_sub (&high_s, &n, &tx->s));
  tx->s = high_s;
  tx->y_parity ^= 1;
  g_assert_false (tally_transaction_recover_sender (&sender, tx, &error));
  g_assert_nonnull (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wallet/tx/eip155-vector", test_eip155_vector);
  g_test_add_func ("/wallet/tx/cast-vectors", test_cast_vectors);
  g_test_add_func ("/wallet/tx/parse-malformed", test_parse_malformed);
  g_test_add_func ("/wallet/tx/sign-rejects", test_sign_rejects);
  g_test_add_func ("/wallet/tx/recover-tampered", test_recover_tampered);

  return g_test_run ();
}
