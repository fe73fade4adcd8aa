/* test-abi.c: Solidity ABI types, encoding, strict decoding and revert
 * reasons (wallet/abi.c, wallet/abi-codec.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "wallet/tally-wallet.h"
#include "tally-test-util.h"

static TallyAbiType *
parse_type (const char *text)
{
  TallyAbiType *type = NULL;
  g_autoptr (GError) error = NULL;

  if (!tally_abi_type_parse (&type, text, &error))
    g_error ("%s: %s", text, error->message);
  return type;
}

static guint8 *
from_hex (const char *hex,
          gsize      *len)
{
  guint8 *out = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_hex_decode (&out, len, hex, -1, &error));
  g_assert_no_error (error);
  return out;
}

static void
test_type_parse (void)
{
  static const struct
  {
    const char  *text;
    const char  *canonical;
    TallyAbiKind kind;
    guint        size;
    gboolean     dynamic;
  } cases[] = {
    { "uint", "uint256", TALLY_ABI_UINT, 256, FALSE },
    { "int", "int256", TALLY_ABI_INT, 256, FALSE },
    { "uint8", "uint8", TALLY_ABI_UINT, 8, FALSE },
    { "int136", "int136", TALLY_ABI_INT, 136, FALSE },
    { "address", "address", TALLY_ABI_ADDRESS, 0, FALSE },
    { "bool", "bool", TALLY_ABI_BOOL, 0, FALSE },
    { "bytes1", "bytes1", TALLY_ABI_FIXED_BYTES, 1, FALSE },
    { "bytes32", "bytes32", TALLY_ABI_FIXED_BYTES, 32, FALSE },
    { "bytes", "bytes", TALLY_ABI_BYTES, 0, TRUE },
    { "string", "string", TALLY_ABI_STRING, 0, TRUE },
    { "uint[]", "uint256[]", TALLY_ABI_ARRAY, 0, TRUE },
    { "bytes32[3]", "bytes32[3]", TALLY_ABI_FIXED_ARRAY, 3, FALSE },
    { "string[2]", "string[2]", TALLY_ABI_FIXED_ARRAY, 2, TRUE },
    { "()", "()", TALLY_ABI_TUPLE, 0, FALSE },
    { "(uint256,bytes32[],(address,string)[2])", "(uint256,bytes32[],(address,string)[2])",
      TALLY_ABI_TUPLE, 3, TRUE },
    { "(int,(bool,bytes7)[4][])[1]", "(int256,(bool,bytes7)[4][])[1]", TALLY_ABI_FIXED_ARRAY, 1,
      TRUE },
    { "(uint8,(bool,address)[2])", "(uint8,(bool,address)[2])", TALLY_ABI_TUPLE, 2, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (TallyAbiType) type = parse_type (cases[i].text);
      g_autofree char *canonical = tally_abi_type_to_string (type);

      g_assert_cmpstr (canonical, ==, cases[i].canonical);
      g_assert_cmpint (tally_abi_type_get_kind (type), ==, cases[i].kind);
      g_assert_cmpuint (tally_abi_type_get_size (type), ==, cases[i].size);
      g_assert_cmpint (tally_abi_type_is_dynamic (type), ==, cases[i].dynamic);
    }
}

static void
test_type_rejects (void)
{
  GString                 *deep = g_string_new ("uint8");
  static const char *const inputs[] = {
    "",
    "uint7",
    "uint0",
    "uint264",
    "uint08",
    "int257",
    "bytes0",
    "bytes33",
    "bytes01",
    "Uint256",
    "foo",
    "function",
    "fixed128x18",
    "uint256 ",
    " uint256",
    "uint256[",
    "uint256[0]",
    "uint256[01]",
    "uint256[-1]",
    "uint256[x]",
    "uint256[99999999999999999999]",
    "uint256[1000000][1000000]",
    "(uint256",
    "(uint256,)",
    "(,uint256)",
    "(uint256 x)",
    "(())",
    "()[]",
    "(uint256)x",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr (TallyAbiType) type = NULL;
      g_autoptr (GError) error = NULL;

      if (tally_abi_type_parse (&type, inputs[i], &error))
        g_error ("“%s” parsed but must not", inputs[i]);
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
      g_assert_nonnull (strstr (error->message, "character"));
      g_assert_null (type);
    }

  for (guint i = 0; i < TALLY_ABI_MAX_DEPTH; i++)
    g_string_append (deep, "[]");
  {
    g_autoptr (TallyAbiType) type = NULL;
    g_autoptr (GError) error = NULL;

    g_assert_false (tally_abi_type_parse (&type, deep->str, &error));
    g_assert_nonnull (strstr (error->message, "nested"));
  }
  g_string_free (deep, TRUE);
}

static void
test_selectors (void)
{
  static const struct
  {
    const char *signature;
    const char *selector;
  } cases[] = {
    { "transfer(address,uint256)", "0xa9059cbb" },
    { "transfer(address,uint)", "0xa9059cbb" },
    { "approve(address,uint256)", "0x095ea7b3" },
    { "balanceOf(address)", "0x70a08231" },
    { "Error(string)", "0x08c379a0" },
    { "Panic(uint256)", "0x4e487b71" },
    { "baz(uint32,bool)", "0xcdcd77c0" },
    { "f()", "0x26121ff0" },
    { "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)", "0xd505accf" },
  };
  static const char *const bad[] = { "transfer", "(uint256)", "1f()", "f(uint256)[]", "f(uint7)",
                                     "f (uint256)", "" };
  guint8                   topic[TALLY_ABI_TOPIC_LEN];
  g_autofree char         *topic_hex = NULL;
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint8           selector[TALLY_ABI_SELECTOR_LEN];
      g_autofree char *hex = NULL;

      g_assert_true (tally_abi_selector (selector, NULL, cases[i].signature, &error));
      g_assert_no_error (error);
      hex = tally_hex_encode (selector, sizeof selector);
      g_assert_cmpstr (hex, ==, cases[i].selector);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      guint8 selector[TALLY_ABI_SELECTOR_LEN];

      g_assert_false (tally_abi_selector (selector, NULL, bad[i], &error));
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
      g_clear_error (&error);
    }

  /* The ERC-20 Transfer event, as every explorer shows it. */
  g_assert_true (tally_abi_event_topic (topic, "Transfer(address,address,uint256)", &error));
  topic_hex = tally_hex_encode (topic, sizeof topic);
  g_assert_cmpstr (topic_hex, ==,
                   "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
}

static void
test_spec_vectors (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("TALLY_SOURCE_DIR"), "tests", "vectors",
                                            "abi.txt", NULL);
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) error = NULL;
  guint n = 0;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) fields = NULL;
      g_autoptr (TallyAbiType) params = NULL;
      g_autoptr (TallyAbiValue) args = NULL;
      g_autofree guint8 *calldata = NULL;
      g_autofree guint8 *again = NULL;
      g_autofree char   *text = NULL;
      gsize              calldata_len = 0;
      gsize              again_len = 0;
      guint8             selector[TALLY_ABI_SELECTOR_LEN];

      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;
      fields = g_strsplit (lines[i], " | ", -1);
      g_assert_cmpuint (g_strv_length (fields), ==, 3);

      calldata = from_hex (fields[2], &calldata_len);
      g_assert_true (tally_abi_selector (selector, &params, fields[0], &error));
      g_assert_no_error (error);
      g_assert_cmpmem (selector, sizeof selector, calldata, TALLY_ABI_SELECTOR_LEN);

      g_assert_true (tally_abi_decode (&args, params, calldata + 4, calldata_len - 4, &error));
      g_assert_no_error (error);
      text = tally_abi_value_to_string (args);
      g_assert_cmpstr (text, ==, fields[1]);

      g_assert_true (tally_abi_encode_call (&again, &again_len, fields[0], args, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (again, again_len, calldata, calldata_len);
      n++;
    }
  g_assert_cmpuint (n, ==, 5);
}

static void
test_encode_by_hand (void)
{
  g_autoptr (TallyAbiValue) args = tally_abi_value_new_tuple ();
  g_autoptr (TallyAbiValue) inner = tally_abi_value_new_array ();
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *out = NULL;
  g_autofree char   *hex = NULL;
  gsize              out_len = 0;
  TallyAddress       to;
  TallyUint256       amount;

  g_assert_true (tally_address_parse (&to, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", &error));
  tally_uint256_from_uint64 (&amount, 1000000);
  tally_abi_value_append (args, tally_abi_value_new_address (&to));
  tally_abi_value_append (args, tally_abi_value_new_uint (&amount));
  g_assert_true (tally_abi_encode_call (&out, &out_len, "transfer(address,uint256)", args, &error));
  g_assert_no_error (error);
  hex = tally_hex_encode (out, out_len);
  g_assert_cmpstr (hex, ==,
                   "0xa9059cbb"
                   "0000000000000000000000005aaeb6053f3e94c9b9a09f33669435e7ef1beaed"
                   "00000000000000000000000000000000000000000000000000000000000f4240");

  /* A value that is not of its type, with the place it is at. */
  g_clear_pointer (&out, g_free);
  tally_uint256_from_uint64 (&amount, 256);
  tally_abi_value_append (inner, tally_abi_value_new_uint (&amount));
  g_clear_pointer (&args, tally_abi_value_free);
  args = tally_abi_value_new_tuple ();
  tally_abi_value_append (args, tally_abi_value_new_bool (TRUE));
  tally_abi_value_append (args, g_steal_pointer (&inner));
  g_assert_false (tally_abi_encode_call (&out, &out_len, "f(bool,uint8[])", args, &error));
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
  g_assert_cmpstr (error->message, ==, "The argument 2[0], 256, is not a value of type uint8");
  g_assert_null (out);
  g_assert_cmpuint (out_len, ==, 0);
  g_clear_error (&error);

  /* Too few arguments, and an array where a tuple belongs. */
  g_assert_false (tally_abi_encode_call (&out, &out_len, "f(bool,uint8[],bytes)", args, &error));
  g_assert_cmpstr (error->message, ==, "Expected 3 arguments, got 2");
  g_clear_error (&error);
  g_assert_false (tally_abi_encode_call (&out, &out_len, "f(bool,(uint8))", args, &error));
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "is not a value of type (uint8)"));
}

static void
test_value_to_string (void)
{
  g_autoptr (TallyAbiValue) tuple = tally_abi_value_new_tuple ();
  g_autoptr (TallyAbiValue) list = tally_abi_value_new_array ();
  g_autofree char *text = NULL;
  TallyUint256     number;

  tally_uint256_from_uint64 (&number, 5);
  tally_abi_value_append (tuple, tally_abi_value_new_int (&number, TRUE));
  tally_abi_value_append (tuple, tally_abi_value_new_string ("a\"b\n\0\xff", 6));
  tally_abi_value_append (list, tally_abi_value_new_bool (FALSE));
  tally_abi_value_append (list, tally_abi_value_new_fixed_bytes ((const guint8 *) "\x01\xab", 2));
  tally_abi_value_append (tuple, g_steal_pointer (&list));
  tally_abi_value_append (tuple, tally_abi_value_new_bytes (NULL, 0));
  text = tally_abi_value_to_string (tuple);
  g_assert_cmpstr (text, ==, "(-5, \"a\\\"b\\u000a\\u0000\uFFFD\", [false, 0x01ab], 0x)");
}

static void
test_encode_int_ranges (void)
{
  static const struct
  {
    guint    bits;
    guint64  magnitude;
    gboolean negative;
    gboolean fits;
  } cases[] = {
    { 8, 127, FALSE, TRUE },
    { 8, 128, FALSE, FALSE },
    { 8, 128, TRUE, TRUE },
    { 8, 129, TRUE, FALSE },
    { 8, 0, TRUE, TRUE },
    { 16, 32768, TRUE, TRUE },
    { 16, 32768, FALSE, FALSE },
    { 64, G_MAXINT64, FALSE, TRUE },
    { 64, G_MAXUINT64, FALSE, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *type_text = g_strdup_printf ("(int%u)", cases[i].bits);
      g_autoptr (TallyAbiType) params = parse_type (type_text);
      g_autoptr (TallyAbiValue) args = tally_abi_value_new_tuple ();
      g_autoptr (TallyAbiValue) back = NULL;
      g_autoptr (GError) error = NULL;
      g_autofree guint8 *out = NULL;
      gsize              out_len = 0;
      TallyUint256       magnitude;
      TallyUint256       got;
      gboolean           negative = FALSE;

      tally_uint256_from_uint64 (&magnitude, cases[i].magnitude);
      tally_abi_value_append (args, tally_abi_value_new_int (&magnitude, cases[i].negative));
      g_assert_cmpint (tally_abi_encode (&out, &out_len, params, args, &error), ==, cases[i].fits);
      if (!cases[i].fits)
        {
          g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
          continue;
        }
      g_assert_true (tally_abi_decode (&back, params, out, out_len, &error));
      g_assert_no_error (error);
      tally_abi_value_get_int (tally_abi_value_get_element (back, 0), &got, &negative);
      g_assert_cmpint (tally_uint256_cmp (&got, &magnitude), ==, 0);
      g_assert_cmpint (negative, ==, cases[i].negative && cases[i].magnitude != 0);
    }
}

/* Malformed data: each must fail with a message naming the fault. */
static void
test_decode_rejects (void)
{
#define W(x)  "000000000000000000000000000000000000000000000000000000000000000" x
#define ZERO  W ("0")
#define OFF20 "0000000000000000000000000000000000000000000000000000000000000020"
  static const struct
  {
    const char *params;
    const char *data;
    const char *fault;
  } cases[] = {
    { "(uint8)", "0000000000000000000000000000000000000000000000000000000000000100",
      "does not fit in uint8" },
    { "(uint8)", "00", "not a multiple of 32" },
    { "(uint8)", "", "ends before" },
    { "(int8)", "0000000000000000000000000000000000000000000000000000000000000080",
      "does not fit in int8" },
    { "(int8)", "ff00000000000000000000000000000000000000000000000000000000000001",
      "does not fit in int8" },
    { "(int16)", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7fff",
      "does not fit in int16" },
    { "(bool)", W ("2"), "neither 0 nor 1" },
    { "(bool)", "0100000000000000000000000000000000000000000000000000000000000001",
      "neither 0 nor 1" },
    { "(address)", "0000000000000000000000015aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
      "non-zero bytes before" },
    { "(bytes3)", "6162630000000000000000000000000000000000000000000000000000000001",
      "non-zero padding" },
    { "(bytes)", "1000000000000000000000000000000000000000000000000000000000000020" W ("0"),
      "offset is larger than the data" },
    { "(bytes)", W ("0") W ("0") W ("0"), "canonical" },
    { "(bytes)", "0000000000000000000000000000000000000000000000000000000000000040" W ("0"),
      "offset points past the end" },
    { "(bytes)", OFF20 "00000000000000000000000000000000000000000000000000000000000000ff",
      "larger than the data" },
    { "(bytes)", OFF20 W ("4") "6162636400000000000000000000000000000000000000000000000000000001",
      "non-zero padding after bytes" },
    { "(string)", OFF20 W ("1") "61000000000000000000000000000000000000000000000000000000000000ff",
      "non-zero padding after a string" },
    { "(string)", OFF20 W ("1") "61", "not a multiple of 32" },
    { "(string)", OFF20 "0000000000000000000000000000000000000000000000000000000000000021" W ("0"),
      "33 bytes are longer" },
    { "(uint256[])",
      "0000000000000000000000000000000000000000000000000000000000000020"
      "0000000000000000000000000000000000000000000000000fffffffffffffff",
      "larger than the data" },
    { "(uint256[])",
      "0000000000000000000000000000000000000000000000000000000000000020"
      "0000000000000000000000000000000000000000000000000000000000000003" W ("1"),
      "3 elements is longer" },
    { "(uint8,uint8)", W ("1") W ("2") W ("3"), "left after" },
    /* An offset back into the head: the string's length is the uint. */
    { "(uint256,string)", ZERO ZERO ZERO, "canonical" },
    /* The string is its own offset word, and the data has no word left. */
    { "(string)", ZERO, "more values than the data can hold" },
  };
#undef W
#undef ZERO
#undef OFF20

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (TallyAbiType) params = parse_type (cases[i].params);
      g_autoptr (TallyAbiValue) args = NULL;
      g_autoptr (GError) error = NULL;
      g_autofree guint8 *data = NULL;
      gsize              len = 0;

      data = from_hex (cases[i].data, &len);
      if (tally_abi_decode (&args, params, data, len, &error))
        g_error ("case %u (%s) decoded but must not", i, cases[i].params);
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
      if (strstr (error->message, cases[i].fault) == NULL)
        g_error ("case %u: “%s” does not say “%s”", i, error->message, cases[i].fault);
      g_assert_null (args);
    }
}

/* n outer elements all pointing at one inner array of m: a few kilobytes
 * that would decode into a million values. */
static void
test_decode_shared_offsets (void)
{
  g_autoptr (TallyAbiType) params = parse_type ("(uint256[][])");
  g_autoptr (TallyAbiValue) args = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GByteArray) data = g_byte_array_new ();
  const guint n = 1000;
  const guint m = 1000;
  guint8      word[32];

#define PUT(v)                            \
  G_STMT_START                            \
  {                                       \
    memset (word, 0, 32);                 \
    word[28] = (guint8) ((v) >> 24);      \
    word[29] = (guint8) ((v) >> 16);      \
    word[30] = (guint8) ((v) >> 8);       \
    word[31] = (guint8) (v);              \
    g_byte_array_append (data, word, 32); \
  }                                       \
  G_STMT_END

  PUT (32);
  PUT (n);
  for (guint i = 0; i < n; i++)
    PUT (n * 32);
  PUT (m);
  for (guint i = 0; i < m; i++)
    PUT (i);
#undef PUT

  g_assert_false (tally_abi_decode (&args, params, data->data, data->len, &error));
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "more values than the data can hold"));
}

static void
test_revert_reasons (void)
{
  static const char *const errors[] = {
    "InsufficientStake(uint256,uint256)",
    "SeatTaken(address)",
    "NotOpen()",
    NULL,
  };
  static const struct
  {
    const char *signature;
    const char *hex;
    const char *sentence;
  } cases[] = {
    { NULL, "", "The contract refused the call without giving a reason." },
    { NULL, "08c379", "The contract refused the call with malformed error data (3 bytes)." },
    { NULL, "12345678", "The contract refused the call with an unknown error (selector 0x12345678)." },
    { NULL, "08c379a0",
      "The contract refused the call with the error Error, but its arguments are malformed." },
    { NULL,
      "4e487b71"
      "0000000000000000000000000000000000000000000000000000000000000011",
      "The contract failed: an arithmetic overflow or underflow (panic code 0x11)." },
    { NULL,
      "4e487b71"
      "0000000000000000000000000000000000000000000000000000000000000032",
      "The contract failed: an array index out of bounds (panic code 0x32)." },
    { NULL,
      "4e487b71"
      "0000000000000000000000000000000000000000000000000000000000000099",
      "The contract failed with an unknown panic code 0x99." },
    /* Error("Not enough stake"), as solc writes it. */
    { NULL,
      "08c379a0"
      "0000000000000000000000000000000000000000000000000000000000000020"
      "0000000000000000000000000000000000000000000000000000000000000010"
      "4e6f7420656e6f756768207374616b6500000000000000000000000000000000",
      "The contract refused the call: “Not enough stake”." },
    /* A reason with a line break and a bell: not passed on raw. */
    { NULL,
      "08c379a0"
      "0000000000000000000000000000000000000000000000000000000000000020"
      "0000000000000000000000000000000000000000000000000000000000000003"
      "610a070000000000000000000000000000000000000000000000000000000000",
      "The contract refused the call: “a  ”." },
    /* A NUL and invalid UTF-8 inside: shown, not cut at the NUL. */
    { NULL,
      "08c379a0"
      "0000000000000000000000000000000000000000000000000000000000000020"
      "0000000000000000000000000000000000000000000000000000000000000004"
      "6100ff6200000000000000000000000000000000000000000000000000000000",
      "The contract refused the call: “a \uFFFDb”." },
    { "InsufficientStake(uint256,uint256)",
      "0000000000000000000000000000000000000000000000000000000000000064"
      "00000000000000000000000000000000000000000000000000000000000000c8",
      "The contract refused the call with the error InsufficientStake(100, 200)." },
    { "SeatTaken(address)",
      "0000000000000000000000005aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
      "The contract refused the call with the error "
      "SeatTaken(0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed)." },
    { "NotOpen()", "", "The contract refused the call with the error NotOpen()." },
    { "SeatTaken(address)", "00",
      "The contract refused the call with the error SeatTaken, but its arguments are malformed." },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char   *hex = NULL;
      g_autofree guint8 *data = NULL;
      g_autofree char   *sentence = NULL;
      gsize              len = 0;

      if (cases[i].signature != NULL)
        {
          guint8           selector[TALLY_ABI_SELECTOR_LEN];
          g_autofree char *selector_hex = NULL;
          g_autoptr (GError) error = NULL;

          g_assert_true (tally_abi_selector (selector, NULL, cases[i].signature, &error));
          selector_hex = tally_hex_encode_bare (selector, sizeof selector);
          hex = g_strconcat (selector_hex, cases[i].hex, NULL);
        }
      else
        hex = g_strdup (cases[i].hex);
      data = from_hex (hex, &len);
      sentence = tally_abi_describe_revert (data, len, errors);
      g_assert_cmpstr (sentence, ==, cases[i].sentence);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wallet/abi/type-parse", test_type_parse);
  g_test_add_func ("/wallet/abi/type-rejects", test_type_rejects);
  g_test_add_func ("/wallet/abi/selectors", test_selectors);
  g_test_add_func ("/wallet/abi/spec-vectors", test_spec_vectors);
  g_test_add_func ("/wallet/abi/encode", test_encode_by_hand);
  g_test_add_func ("/wallet/abi/value-to-string", test_value_to_string);
  g_test_add_func ("/wallet/abi/encode-int-ranges", test_encode_int_ranges);
  g_test_add_func ("/wallet/abi/decode-rejects", test_decode_rejects);
  g_test_add_func ("/wallet/abi/decode-shared-offsets", test_decode_shared_offsets);
  g_test_add_func ("/wallet/abi/revert-reasons", test_revert_reasons);

  return g_test_run ();
}
