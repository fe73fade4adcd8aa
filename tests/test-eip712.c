/* test-eip712.c: EIP-712 typed data hashing and signing (wallet/eip712.c);
 * random documents against cast are in test-eip712-random.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "wallet/tally-wallet.h"
#include "tally-test-util.h"

static TallyJsonNode *
parse_json (const char *text)
{
  TallyJsonNode *root = NULL;
  g_autoptr (GError) error = NULL;

  if (!tally_json_parse (&root, text, strlen (text), &error))
    g_error ("%s\n%s", error->message, text);
  return root;
}

static GHashTable *
read_expected (const char *name)
{
  g_autofree char *path = tally_test_vector_path (name);
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) error = NULL;
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *eq = strstr (lines[i], " = ");

      if (lines[i][0] == '#' || eq == NULL)
        continue;
      g_hash_table_insert (table, g_strndup (lines[i], eq - lines[i]), g_strdup (eq + 3));
    }
  return table;
}

static void
assert_hex (const guint8 *bytes,
            gsize         len,
            const char   *expected)
{
  g_autofree char *hex = tally_hex_encode (bytes, len);

  g_assert_cmpstr (hex, ==, expected);
}

static void
test_mail (void)
{
  g_autoptr (GHashTable) expected = read_expected ("eip712-mail.txt");
  g_autofree char *path = tally_test_vector_path ("eip712-mail.json");
  g_autofree char *contents = NULL;
  g_autofree char *encoded = NULL;
  g_autoptr (TallyJsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  const TallyJsonNode *types;
  guint8               digest[TALLY_EIP712_HASH_LEN];
  guint8               domain[TALLY_EIP712_HASH_LEN];
  guint8               message[TALLY_EIP712_HASH_LEN];
  guint8               hash[TALLY_EIP712_HASH_LEN];
  guint8               key[TALLY_PRIVATE_KEY_LEN];
  guint8               signature[TALLY_SIGNATURE_LEN];
  gsize                len = 0;
  TallyAddress         signer;
  char                 signer_text[TALLY_ADDRESS_STRING_SIZE];
  const char          *preimage = g_hash_table_lookup (expected, "key_preimage");

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_true (tally_json_parse (&root, contents, len, &error));
  g_assert_no_error (error);
  types = tally_json_node_lookup (root, "types");

  g_assert_true (tally_eip712_encode_type (&encoded, types, "Mail", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (encoded, ==, g_hash_table_lookup (expected, "encode_type"));
  tally_keccak256 (hash, (const guint8 *) encoded, strlen (encoded));
  assert_hex (hash, sizeof hash, g_hash_table_lookup (expected, "type_hash"));
  g_clear_pointer (&encoded, g_free);
  g_assert_true (tally_eip712_encode_type (&encoded, types, "EIP712Domain", &error));
  tally_keccak256 (hash, (const guint8 *) encoded, strlen (encoded));
  assert_hex (hash, sizeof hash, g_hash_table_lookup (expected, "domain_type_hash"));

  g_assert_true (tally_eip712_hash (digest, domain, message, root, &error));
  g_assert_no_error (error);
  assert_hex (domain, sizeof domain, g_hash_table_lookup (expected, "domain_separator"));
  assert_hex (message, sizeof message, g_hash_table_lookup (expected, "message_hash"));
  assert_hex (digest, sizeof digest, g_hash_table_lookup (expected, "digest"));

  g_assert_true (tally_eip712_hash_struct (hash, types, "Mail",
                                           tally_json_node_lookup (root, "message"), &error));
  g_assert_cmpmem (hash, sizeof hash, message, sizeof message);

  g_assert_true (tally_eip712_hash_json (hash, contents, len, &error));
  g_assert_cmpmem (hash, sizeof hash, digest, sizeof digest);

  tally_keccak256 (key, (const guint8 *) preimage, strlen (preimage));
  g_assert_true (tally_eip712_sign (signature, key, root, &error));
  g_assert_no_error (error);
  assert_hex (signature, sizeof signature, g_hash_table_lookup (expected, "signature"));

  g_assert_true (tally_recover_address (&signer, signature, digest, &error));
  g_assert_no_error (error);
  tally_address_to_string (&signer, signer_text);
  g_assert_cmpstr (signer_text, ==, g_hash_table_lookup (expected, "address"));
}

#define PERMIT_TYPES                                               \
  "\"EIP712Domain\": [{\"name\": \"name\", \"type\": \"string\"}," \
  " {\"name\": \"version\", \"type\": \"string\"},"                \
  " {\"name\": \"chainId\", \"type\": \"uint256\"},"               \
  " {\"name\": \"verifyingContract\", \"type\": \"address\"}],"    \
  "\"Permit\": [{\"name\": \"owner\", \"type\": \"address\"},"     \
  " {\"name\": \"spender\", \"type\": \"address\"},"               \
  " {\"name\": \"value\", \"type\": \"uint256\"},"                 \
  " {\"name\": \"nonce\", \"type\": \"uint256\"},"                 \
  " {\"name\": \"deadline\", \"type\": \"uint256\"}]"

/* EIP-2612 permit, as the token contract hashes it: the typed-data digest
 * must equal the one built from abi.encode the way OpenZeppelin's ERC20Permit
 * and EIP712 do, with PERMIT_TYPEHASH as EIP-2612 states it. */
static void
test_permit (void)
{
  static const char document[] =
    "{\"types\": {" PERMIT_TYPES "},"
    " \"primaryType\": \"Permit\","
    " \"domain\": {\"name\": \"Tally Label Token\", \"version\": \"1\", \"chainId\": 31337,"
    "  \"verifyingContract\": \"0x5FbDB2315678afecb367f032d93F642f64180aa3\"},"
    " \"message\": {\"owner\": \"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266\","
    "  \"spender\": \"0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512\","
    "  \"value\": \"250000000000000000000\", \"nonce\": 0, \"deadline\": \"0x6553f100\"}}";
  g_autoptr (TallyJsonNode) root = parse_json (document);
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyAbiType) domain_params = NULL;
  g_autoptr (TallyAbiType) permit_params = NULL;
  g_autoptr (TallyAbiValue) domain_args = tally_abi_value_new_tuple ();
  g_autoptr (TallyAbiValue) permit_args = tally_abi_value_new_tuple ();
  g_autofree guint8 *encoded = NULL;
  g_autofree char   *encoded_type = NULL;
  gsize              encoded_len = 0;
  guint8             digest[TALLY_EIP712_HASH_LEN];
  guint8             domain[TALLY_EIP712_HASH_LEN];
  guint8             message[TALLY_EIP712_HASH_LEN];
  guint8             word[32];
  guint8             input[66] = { 0x19, 0x01 };
  guint8             expected[TALLY_EIP712_HASH_LEN];
  TallyAddress       address;
  TallyUint256       number;
  const char        *domain_type =
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";

  g_assert_true (tally_eip712_hash (digest, domain, message, root, &error));
  g_assert_no_error (error);

  g_assert_true (tally_eip712_encode_type (&encoded_type, tally_json_node_lookup (root, "types"),
                                           "Permit", &error));
  tally_keccak256 (word, (const guint8 *) encoded_type, strlen (encoded_type));
  assert_hex (word, sizeof word,
              "0x6e71edae12b1b97f4d1f60370fef10105fa2faae0126114a169c64845d6126c9");

  /* keccak256(abi.encode(TYPE_HASH, keccak256(name), keccak256(version),
   * chainid, address(this))) */
  g_assert_true (tally_abi_type_parse (&domain_params, "(bytes32,bytes32,bytes32,uint256,address)",
                                       &error));
  tally_keccak256 (word, (const guint8 *) domain_type, strlen (domain_type));
  tally_abi_value_append (domain_args, tally_abi_value_new_fixed_bytes (word, 32));
  tally_keccak256 (word, (const guint8 *) "Tally Label Token", 17);
  tally_abi_value_append (domain_args, tally_abi_value_new_fixed_bytes (word, 32));
  tally_keccak256 (word, (const guint8 *) "1", 1);
  tally_abi_value_append (domain_args, tally_abi_value_new_fixed_bytes (word, 32));
  tally_uint256_from_uint64 (&number, 31337);
  tally_abi_value_append (domain_args, tally_abi_value_new_uint (&number));
  g_assert_true (tally_address_parse (&address, "0x5FbDB2315678afecb367f032d93F642f64180aa3", &error));
  tally_abi_value_append (domain_args, tally_abi_value_new_address (&address));
  g_assert_true (tally_abi_encode (&encoded, &encoded_len, domain_params, domain_args, &error));
  tally_keccak256 (input + 2, encoded, encoded_len);
  g_assert_cmpmem (domain, sizeof domain, input + 2, 32);
  g_clear_pointer (&encoded, g_free);

  /* keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, nonce, deadline)) */
  g_assert_true (tally_abi_type_parse (&permit_params,
                                       "(bytes32,address,address,uint256,uint256,uint256)", &error));
  g_assert_true (tally_hex_decode_fixed (
    word, 32, "6e71edae12b1b97f4d1f60370fef10105fa2faae0126114a169c64845d6126c9", -1, &error));
  tally_abi_value_append (permit_args, tally_abi_value_new_fixed_bytes (word, 32));
  g_assert_true (tally_address_parse (&address, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", &error));
  tally_abi_value_append (permit_args, tally_abi_value_new_address (&address));
  g_assert_true (tally_address_parse (&address, "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512", &error));
  tally_abi_value_append (permit_args, tally_abi_value_new_address (&address));
  g_assert_true (tally_uint256_parse (&number, "250000000000000000000", &error));
  tally_abi_value_append (permit_args, tally_abi_value_new_uint (&number));
  tally_uint256_from_uint64 (&number, 0);
  tally_abi_value_append (permit_args, tally_abi_value_new_uint (&number));
  tally_uint256_from_uint64 (&number, 0x6553f100);
  tally_abi_value_append (permit_args, tally_abi_value_new_uint (&number));
  g_assert_true (tally_abi_encode (&encoded, &encoded_len, permit_params, permit_args, &error));
  g_assert_no_error (error);
  tally_keccak256 (input + 34, encoded, encoded_len);
  g_assert_cmpmem (message, sizeof message, input + 34, 32);

  tally_keccak256 (expected, input, sizeof input);
  g_assert_cmpmem (digest, sizeof digest, expected, sizeof expected);
}

static void
test_encode_type_order (void)
{
  /* Dependencies after the primary type, sorted by name (bytewise: "Z"
   * before "a"), each once; a recursive type refers to itself. */
  g_autoptr (TallyJsonNode) types = parse_json (
    "{\"Tree\": [{\"name\": \"children\", \"type\": \"Tree[]\"},"
    "            {\"name\": \"leaf\", \"type\": \"leaf[2]\"},"
    "            {\"name\": \"meta\", \"type\": \"Zeta\"}],"
    " \"leaf\": [{\"name\": \"owner\", \"type\": \"Zeta\"}, {\"name\": \"v\", \"type\": \"uint8\"}],"
    " \"Zeta\": [{\"name\": \"note\", \"type\": \"string\"}, {\"name\": \"up\", \"type\": \"Tree\"}],"
    " \"Unused\": [{\"name\": \"x\", \"type\": \"bool\"}]}");
  g_autofree char *tree = NULL;
  g_autofree char *leaf = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_eip712_encode_type (&tree, types, "Tree", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (tree, ==,
                   "Tree(Tree[] children,leaf[2] leaf,Zeta meta)"
                   "Zeta(string note,Tree up)leaf(Zeta owner,uint8 v)");
  g_assert_true (tally_eip712_encode_type (&leaf, types, "leaf", &error));
  g_assert_cmpstr (leaf, ==,
                   "leaf(Zeta owner,uint8 v)Tree(Tree[] children,leaf[2] leaf,Zeta meta)"
                   "Zeta(string note,Tree up)");
}

/* A document with one struct "T" holding one field of the given type. */
static gboolean
hash_one (const char *type,
          const char *value,
          guint8      digest[TALLY_EIP712_HASH_LEN],
          GError    **error)
{
  g_autofree char *document = g_strdup_printf (
    "{\"types\": {\"EIP712Domain\": [{\"name\": \"chainId\", \"type\": \"uint256\"}],"
    " \"T\": [{\"name\": \"v\", \"type\": \"%s\"}]},"
    " \"primaryType\": \"T\", \"domain\": {\"chainId\": 1}, \"message\": {\"v\": %s}}",
    type, value);

  return tally_eip712_hash_json (digest, document, strlen (document), error);
}

static void
test_values (void)
{
  /* Groups of spellings of one value: each hashes like the first. */
  static const char *const groups[][6] = {
    { "uint8", "255", "\"255\"", "\"0xff\"", "\"0xFF\"", "\"0x00ff\"" },
    { "uint256", "0", "\"0\"", "\"0x0\"", "-0", "\"-0\"" },
    { "uint256",
      "115792089237316195423570985008687907853269984665640564039457584007913129639935",
      "\"0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\"", NULL },
    { "int8", "-128", "\"-128\"", "\"-0x80\"", NULL },
    { "int16", "-1", "\"-1\"", "\"-0x1\"", NULL },
    { "int256",
      "\"-57896044618658097711785492504343953926634992332820282019728792003956564819968\"",
      "\"-0x8000000000000000000000000000000000000000000000000000000000000000\"", NULL },
    { "address", "\"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed\"",
      "\"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\"",
      "\"0X5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED\"", NULL },
    { "bytes3", "\"0x0102ff\"", "\"0x0102FF\"", NULL },
    { "uint8[2][]", "[[1, 2], [3, 4]]", "[[\"1\", \"0x2\"], [3, \"4\"]]", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    {
      guint8 first[TALLY_EIP712_HASH_LEN];
      g_autoptr (GError) error = NULL;

      if (!hash_one (groups[i][0], groups[i][1], first, &error))
        g_error ("%s %s: %s", groups[i][0], groups[i][1], error->message);
      for (guint j = 2; j < 6 && groups[i][j] != NULL; j++)
        {
          guint8 other[TALLY_EIP712_HASH_LEN];

          if (!hash_one (groups[i][0], groups[i][j], other, &error))
            g_error ("%s %s: %s", groups[i][0], groups[i][j], error->message);
          g_assert_cmpmem (other, sizeof other, first, sizeof first);
        }
    }
}

static void
test_value_rejects (void)
{
  static const struct
  {
    const char *type;
    const char *value;
    const char *fault;
  } cases[] = {
    { "uint8", "256", "does not fit in uint8" },
    { "uint8", "\"0x100\"", "does not fit in uint8" },
    { "uint256",
      "115792089237316195423570985008687907853269984665640564039457584007913129639936",
      "is not an integer" },
    { "uint8", "-1", "cannot be negative" },
    { "int8", "128", "does not fit in int8" },
    { "int8", "-129", "does not fit in int8" },
    { "uint8", "1.0", "not an integer" },
    { "uint8", "1e2", "not an integer" },
    { "uint8", "\"\"", "not an integer" },
    { "uint8", "\" 1\"", "not an integer" },
    { "uint8", "\"1 \"", "not an integer" },
    { "uint8", "\"--1\"", "not an integer" },
    { "uint8", "null", "expected an integer" },
    { "uint8", "true", "expected an integer" },
    { "bool", "1", "expected true or false" },
    { "bool", "\"true\"", "expected true or false" },
    { "address", "\"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD\"", "is not an address" },
    { "address", "\"0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea\"", "is not an address" },
    { "address", "1", "expected an address string" },
    { "bytes3", "\"0x0102\"", "not a value of type bytes3" },
    { "bytes3", "\"0x01020304\"", "not a value of type bytes3" },
    { "bytes3", "\"010203\"", "0x-prefixed" },
    { "bytes", "\"0x123\"", "not a value of type bytes" },
    { "bytes", "\"0xzz\"", "not a value of type bytes" },
    { "string", "5", "expected a string" },
    { "uint8[2]", "[1]", "expected 2 elements" },
    { "uint8[2]", "[1, 2, 3]", "expected 2 elements" },
    { "uint8[]", "{}", "expected an array" },
    { "uint8[][1]", "[[1, 300]]", "at message.v[0][1]" },
    { "Foo", "{}", "“Foo” is not defined" },
    { "uint7", "1", "“uint7” is not defined" },
    { "uint8[0]", "[]", "invalid length" },
    { "uint8[01]", "[1]", "invalid length" },
    { "uint8[x]", "[1]", "invalid length" },
    { "uint8\\u0000[2]", "1", "contains U+0000" },
    /* A recursive type whose value would have to be infinite. */
    { "T", "{}", "at message.v: the field “v” of T is missing" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint8 digest[TALLY_EIP712_HASH_LEN];
      g_autoptr (GError) error = NULL;

      memset (digest, 0xaa, sizeof digest);
      if (hash_one (cases[i].type, cases[i].value, digest, &error))
        g_error ("%s %s hashed but must not", cases[i].type, cases[i].value);
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
      if (strstr (error->message, cases[i].fault) == NULL)
        g_error ("%s %s: “%s” does not say “%s”", cases[i].type, cases[i].value, error->message,
                 cases[i].fault);
      for (guint j = 0; j < sizeof digest; j++)
        g_assert_cmpuint (digest[j], ==, 0);
    }
}

static void
test_document_rejects (void)
{
#define DOMAIN_TYPE "\"EIP712Domain\": [{\"name\": \"chainId\", \"type\": \"uint256\"}]"
#define T_TYPE      "\"T\": [{\"name\": \"v\", \"type\": \"uint8\"}]"
  static const struct
  {
    const char *document;
    const char *fault;
  } cases[] = {
    { "[]", "must be an object" },
    { "{\"types\": {" DOMAIN_TYPE ", " T_TYPE "}, \"primaryType\": \"T\", \"domain\": {\"chainId\": 1},"
      " \"message\": {\"v\": 1, \"w\": 2}}",
      "at message: “w” is not a field of T" },
    { "{\"types\": {" DOMAIN_TYPE ", " T_TYPE "}, \"primaryType\": \"T\","
      " \"domain\": {\"chainId\": 1, \"name\": \"x\"}, \"message\": {\"v\": 1}}",
      "at domain: “name” is not a field of EIP712Domain" },
    { "{\"types\": {" DOMAIN_TYPE ", " T_TYPE "}, \"primaryType\": \"T\", \"domain\": {},"
      " \"message\": {\"v\": 1}}",
      "the field “chainId” of EIP712Domain is missing" },
    { "{\"types\": {" DOMAIN_TYPE ", " T_TYPE "}, \"primaryType\": \"T\", \"domain\": {\"chainId\": 1},"
      " \"message\": {}}",
      "the field “v” of T is missing" },
    { "{\"types\": {" T_TYPE "}, \"primaryType\": \"T\", \"domain\": {}, \"message\": {\"v\": 1}}",
      "does not define EIP712Domain" },
    { "{\"types\": {" DOMAIN_TYPE ", " T_TYPE "}, \"primaryType\": \"EIP712Domain\","
      " \"domain\": {\"chainId\": 1}, \"message\": {\"chainId\": 1}}",
      "may not be EIP712Domain" },
    { "{\"types\": {" DOMAIN_TYPE ", " T_TYPE "}, \"primaryType\": \"U\", \"domain\": {\"chainId\": 1},"
      " \"message\": {\"v\": 1}}",
      "“U” is not defined" },
    { "{\"types\": {" DOMAIN_TYPE ", " T_TYPE "}, \"primaryType\": 1, \"domain\": {\"chainId\": 1},"
      " \"message\": {\"v\": 1}}",
      "must be a string" },
    { "{\"types\": {" DOMAIN_TYPE ", " T_TYPE "}, \"primaryType\": \"T\", \"domain\": {\"chainId\": 1},"
      " \"message\": {\"v\": 1}, \"extra\": 1}",
      "unexpected member “extra”" },
    { "{\"types\": {" DOMAIN_TYPE ", " T_TYPE "}, \"primaryType\": \"T\", \"domain\": {\"chainId\": 1}}",
      "has no “message”" },
    { "{\"types\": {" DOMAIN_TYPE ", \"T\": [{\"name\": \"v\", \"type\": \"uint8\"},"
      " {\"name\": \"v\", \"type\": \"bool\"}]}, \"primaryType\": \"T\", \"domain\": {\"chainId\": 1},"
      " \"message\": {\"v\": 1}}",
      "appears twice" },
    { "{\"types\": {" DOMAIN_TYPE ", \"T\": [{\"name\": \"v\", \"type\": \"uint8\", \"x\": 1}]},"
      " \"primaryType\": \"T\", \"domain\": {\"chainId\": 1}, \"message\": {\"v\": 1}}",
      "exactly a string “name” and a string “type”" },
    { "{\"types\": {" DOMAIN_TYPE ", \"uint256\": [{\"name\": \"v\", \"type\": \"uint8\"}]},"
      " \"primaryType\": \"uint256\", \"domain\": {\"chainId\": 1}, \"message\": {\"v\": 1}}",
      "not a valid struct type name" },
    { "{\"types\": {" DOMAIN_TYPE ", \"T\": {}}, \"primaryType\": \"T\", \"domain\": {\"chainId\": 1},"
      " \"message\": {}}",
      "must be an array" },
    { "{\"types\": {" DOMAIN_TYPE ", " T_TYPE ", \"T\": []}}", "appears twice" },
    { "{\"types\": {" DOMAIN_TYPE ", " T_TYPE "}, \"primaryType\": \"T\", \"domain\": {\"chainId\": 1},"
      " \"message\": {\"v\": 1},}",
      "trailing comma" },
  };
#undef DOMAIN_TYPE
#undef T_TYPE

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint8 digest[TALLY_EIP712_HASH_LEN];
      g_autoptr (GError) error = NULL;

      if (tally_eip712_hash_json (digest, cases[i].document, strlen (cases[i].document), &error))
        g_error ("case %u hashed but must not", i);
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
      if (strstr (error->message, cases[i].fault) == NULL)
        g_error ("case %u: “%s” does not say “%s”", i, error->message, cases[i].fault);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wallet/eip712/mail", test_mail);
  g_test_add_func ("/wallet/eip712/permit", test_permit);
  g_test_add_func ("/wallet/eip712/encode-type-order", test_encode_type_order);
  g_test_add_func ("/wallet/eip712/values", test_values);
  g_test_add_func ("/wallet/eip712/value-rejects", test_value_rejects);
  g_test_add_func ("/wallet/eip712/document-rejects", test_document_rejects);

  return g_test_run ();
}
