/* test-abi-random.c: the ABI codec on random types and values — encode and
 * decode round trips, and calldata byte for byte as cast (Foundry) encodes it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "wallet/tally-wallet.h"
#include "tally-test-util.h"

/* Random types and values, written both as a TallyAbiValue and as the
 * argument text cast accepts. */
static void
random_type (GString *out,
             guint    depth)
{
  switch (g_test_rand_int_range (0, depth >= 3 ? 7 : 10))
    {
    case 0:
      g_string_append_printf (out, "uint%d", 8 * g_test_rand_int_range (1, 33));
      break;
    case 1:
      g_string_append_printf (out, "int%d", 8 * g_test_rand_int_range (1, 33));
      break;
    case 2:
      g_string_append (out, "address");
      break;
    case 3:
      g_string_append (out, "bool");
      break;
    case 4:
      g_string_append_printf (out, "bytes%d", g_test_rand_int_range (1, 33));
      break;
    case 5:
      g_string_append (out, "bytes");
      break;
    case 6:
      g_string_append (out, "string");
      break;
    case 7:
      random_type (out, depth + 1);
      g_string_append (out, "[]");
      break;
    case 8:
      random_type (out, depth + 1);
      g_string_append_printf (out, "[%d]", g_test_rand_int_range (1, 4));
      break;
    default:
      g_string_append_c (out, '(');
      for (int i = 0, n = g_test_rand_int_range (1, 4); i < n; i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          random_type (out, depth + 1);
        }
      g_string_append_c (out, ')');
      break;
    }
}

/* A number of at most bits bits, often small or at an edge. */
static void
random_number (TallyUint256 *out,
               guint         bits)
{
  guint8 word[32] = { 0 };
  int    shape = g_test_rand_int_range (0, 4);

  if (shape == 0)
    word[31] = (guint8) g_test_rand_int_range (0, 256);
  else
    {
      tally_test_random_bytes (word + 32 - bits / 8, bits / 8);
      if (shape == 1) /* the largest */
        memset (word + 32 - bits / 8, 0xff, bits / 8);
    }
  tally_uint256_from_bytes32 (out, word);
}

static TallyAbiValue *
random_value (GString            *cast,
              const TallyAbiType *type,
              gboolean            nested)
{
  guint8           buffer[64];
  g_autofree char *text = NULL;
  TallyUint256     number;
  TallyAbiValue   *list;
  guint            n;

  switch (tally_abi_type_get_kind (type))
    {
    case TALLY_ABI_UINT:
      random_number (&number, tally_abi_type_get_size (type));
      text = tally_uint256_to_decimal (&number);
      g_string_append (cast, text);
      return tally_abi_value_new_uint (&number);
    case TALLY_ABI_INT:
      {
        gboolean negative = g_test_rand_bit ();

        guint8 word[32];
        guint  top = 32 - tally_abi_type_get_size (type) / 8;

        /* A magnitude below 2^(N-1), or for a negative value sometimes
         * exactly 2^(N-1), the most negative int<N>. */
        random_number (&number, tally_abi_type_get_size (type));
        tally_uint256_to_bytes32 (word, &number);
        word[top] &= 0x7f;
        if (negative && g_test_rand_int_range (0, 4) == 0)
          {
            memset (word, 0, sizeof word);
            word[top] = 0x80;
          }
        tally_uint256_from_bytes32 (&number, word);
        text = tally_uint256_to_decimal (&number);
        g_string_append_printf (cast, "%s%s", negative && !tally_uint256_is_zero (&number) ? "-" : "",
                                text);
        return tally_abi_value_new_int (&number, negative);
      }
    case TALLY_ABI_ADDRESS:
      {
        TallyAddress address;

        tally_test_random_bytes (address.bytes, sizeof address.bytes);
        text = tally_hex_encode (address.bytes, sizeof address.bytes);
        g_string_append (cast, text);
        return tally_abi_value_new_address (&address);
      }
    case TALLY_ABI_BOOL:
      n = g_test_rand_bit ();
      g_string_append (cast, n ? "true" : "false");
      return tally_abi_value_new_bool (n);
    case TALLY_ABI_FIXED_BYTES:
      n = tally_abi_type_get_size (type);
      tally_test_random_bytes (buffer, n);
      text = tally_hex_encode (buffer, n);
      g_string_append (cast, text);
      return tally_abi_value_new_fixed_bytes (buffer, n);
    case TALLY_ABI_BYTES:
      n = g_test_rand_int_range (0, 65);
      tally_test_random_bytes (buffer, n);
      text = tally_hex_encode (buffer, n);
      g_string_append (cast, text);
      return tally_abi_value_new_bytes (buffer, n);
    case TALLY_ABI_STRING:
      {
        static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        char              s[64];

        n = g_test_rand_int_range (0, 64);
        for (guint i = 0; i < n; i++)
          s[i] = alphabet[g_test_rand_int_range (0, sizeof alphabet - 1)];
        g_string_append_printf (cast, nested ? "\"%.*s\"" : "%.*s", (int) n, s);
        return tally_abi_value_new_string (s, n);
      }
    case TALLY_ABI_ARRAY:
    case TALLY_ABI_FIXED_ARRAY:
      list = tally_abi_value_new_array ();
      n = tally_abi_type_get_kind (type) == TALLY_ABI_ARRAY ? g_test_rand_int_range (0, 4)
                                                            : tally_abi_type_get_size (type);
      g_string_append_c (cast, '[');
      for (guint i = 0; i < n; i++)
        {
          if (i > 0)
            g_string_append_c (cast, ',');
          tally_abi_value_append (list,
                                  random_value (cast, tally_abi_type_get_component (type, 0), TRUE));
        }
      g_string_append_c (cast, ']');
      return list;
    case TALLY_ABI_TUPLE:
      list = tally_abi_value_new_tuple ();
      g_string_append_c (cast, '(');
      for (guint i = 0; i < tally_abi_type_get_size (type); i++)
        {
          if (i > 0)
            g_string_append_c (cast, ',');
          tally_abi_value_append (list,
                                  random_value (cast, tally_abi_type_get_component (type, i), TRUE));
        }
      g_string_append_c (cast, ')');
      return list;
    default:
      g_assert_not_reached ();
    }
}

typedef struct
{
  char          *signature;
  TallyAbiType  *params;
  TallyAbiValue *args;
  GPtrArray     *cast_args;
} RandomCall;

static void
random_call_clear (RandomCall *call)
{
  g_free (call->signature);
  tally_abi_type_free (call->params);
  tally_abi_value_free (call->args);
  g_ptr_array_unref (call->cast_args);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RandomCall, random_call_clear)

static void
random_call (RandomCall *call)
{
  g_autoptr (GString) types = g_string_new ("(");
  guint8 selector[TALLY_ABI_SELECTOR_LEN];
  g_autoptr (GError) error = NULL;

  for (int i = 0, n = g_test_rand_int_range (1, 5); i < n; i++)
    {
      if (i > 0)
        g_string_append_c (types, ',');
      random_type (types, 0);
    }
  g_string_append_c (types, ')');
  call->signature = g_strconcat ("f", types->str, NULL);
  g_assert_true (tally_abi_selector (selector, &call->params, call->signature, &error));
  g_assert_no_error (error);

  call->args = tally_abi_value_new_tuple ();
  call->cast_args = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < tally_abi_type_get_size (call->params); i++)
    {
      GString *text = g_string_new (NULL);

      tally_abi_value_append (call->args,
                              random_value (text, tally_abi_type_get_component (call->params, i),
                                            FALSE));
      g_ptr_array_add (call->cast_args, g_string_free (text, FALSE));
    }
}

/* Encodes, decodes back and checks both directions agree; returns the
 * calldata as hex. */
static char *
encode_and_check (RandomCall *call)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyAbiValue) back = NULL;
  g_autofree guint8 *calldata = NULL;
  g_autofree char   *want = NULL;
  g_autofree char   *got = NULL;
  gsize              len = 0;

  if (!tally_abi_encode_call (&calldata, &len, call->signature, call->args, &error))
    g_error ("%s: %s", call->signature, error->message);
  g_assert_true (tally_abi_decode (&back, call->params, calldata + 4, len - 4, &error));
  g_assert_no_error (error);
  want = tally_abi_value_to_string (call->args);
  got = tally_abi_value_to_string (back);
  g_assert_cmpstr (got, ==, want);

  /* Every one-byte change either fails or decodes to something else. */
  if (len > 4)
    {
      gsize  at = 4 + g_test_rand_int_range (0, len - 4);
      guint8 flip = (guint8) (1 << g_test_rand_int_range (0, 8));
      g_autoptr (TallyAbiValue) changed = NULL;

      calldata[at] ^= flip;
      if (tally_abi_decode (&changed, call->params, calldata + 4, len - 4, NULL))
        {
          g_autofree char *other = tally_abi_value_to_string (changed);

          g_assert_cmpstr (other, !=, want);
        }
      calldata[at] ^= flip;
    }
  return tally_hex_encode (calldata, len);
}

static void
test_random_round_trip (void)
{
  for (guint round = 0; round < 500; round++)
    {
      g_auto (RandomCall) call = { 0 };
      g_autofree char *hex = NULL;

      random_call (&call);
      hex = encode_and_check (&call);
    }
}

static void
test_cast_calldata (void)
{
  const char      *tools = g_getenv ("TALLY_TOOLS_BIN");
  g_autofree char *cast = NULL;
  guint            checked = 0;

  if (tools == NULL)
    {
      g_test_skip ("TALLY_TOOLS_BIN is not set");
      return;
    }
  cast = g_build_filename (tools, "cast", NULL);
  g_assert_true (g_file_test (cast, G_FILE_TEST_IS_EXECUTABLE));

  /* cast starts in about 70 ms: a batch of them runs side by side. */
  for (guint batch = 0; batch < 11; batch++)
    {
      RandomCall   calls[10] = { 0 };
      char        *hex[10];
      GSubprocess *processes[10];

      for (guint k = 0; k < G_N_ELEMENTS (calls); k++)
        {
          g_autoptr (GPtrArray) argv = g_ptr_array_new ();
          g_autoptr (GError) error = NULL;

          random_call (&calls[k]);
          hex[k] = encode_and_check (&calls[k]);

          g_ptr_array_add (argv, cast);
          g_ptr_array_add (argv, (char *) "calldata");
          g_ptr_array_add (argv, calls[k].signature);
          for (guint i = 0; i < calls[k].cast_args->len; i++)
            g_ptr_array_add (argv, g_ptr_array_index (calls[k].cast_args, i));
          g_ptr_array_add (argv, NULL);
          processes[k] = g_subprocess_newv ((const char *const *) argv->pdata,
                                            G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                              G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                            &error);
          g_assert_no_error (error);
        }

      for (guint k = 0; k < G_N_ELEMENTS (calls); k++)
        {
          g_autoptr (GError) error = NULL;
          g_autofree char *out = NULL;
          g_autofree char *err = NULL;

          g_assert_true (g_subprocess_communicate_utf8 (processes[k], NULL, NULL, &out, &err,
                                                        &error));
          g_assert_no_error (error);
          if (!g_subprocess_get_successful (processes[k]))
            g_error ("cast calldata %s failed: %s", calls[k].signature, err);
          g_strstrip (out);
          if (g_strcmp0 (out, hex[k]) != 0)
            g_error ("%s: cast says %s, we say %s", calls[k].signature, out, hex[k]);
          checked++;
          g_object_unref (processes[k]);
          g_free (hex[k]);
          random_call_clear (&calls[k]);
        }
    }
  g_test_message ("%u random calls encoded as cast encodes them", checked);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wallet/abi/random-round-trip", test_random_round_trip);
  g_test_add_func ("/wallet/abi/cast-calldata", test_cast_calldata);

  return g_test_run ();
}
