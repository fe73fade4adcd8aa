/* test-tx-cast.c: transactions built by wallet/tx.c against Foundry's cast
 *
 * Random EIP-1559 and legacy transactions, signed here and by `cast mktx`,
 * must be byte-identical; each raw transaction cast built must parse back
 * to the same fields and recover the signer. Kept apart from test-tx.c
 * because cast takes most of a second per process on these machines.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "wallet/tally-wallet.h"
#include "wallet/tx.h"
#include "wallet/uint256.h"
#include "tally-test-util.h"

static guint64
random_uint64 (void)
{
  guint   bits = (guint) g_test_rand_int_range (0, 65);
  guint64 value = ((guint64) g_test_rand_int () << 32) | (guint32) g_test_rand_int ();

  return bits == 64 ? value : value & ((G_GUINT64_CONSTANT (1) << bits) - 1);
}

/* Up to max_bits bits, of a random size. */
static void
random_uint256 (TallyUint256 *out,
                guint         max_bits)
{
  guint bits = (guint) g_test_rand_int_range (0, (gint32) max_bits + 1);

  for (guint i = 0; i < 4; i++)
    {
      guint64 limb = ((guint64) g_test_rand_int () << 32) | (guint32) g_test_rand_int ();

      if (bits <= 64 * i)
        limb = 0;
      else if (bits < 64 * (i + 1))
        limb &= (G_GUINT64_CONSTANT (1) << (bits - 64 * i)) - 1;
      out->limbs[i] = limb;
    }
}

static TallyTransaction *
random_transaction (TallyTransactionType type)
{
  static const guint64 chains[] = { 1, 5, 10, 137, 8453, 31337, 11155111 };
  TallyTransaction    *tx = tally_transaction_new (type);
  guint8               data[200];
  gsize                data_len = (gsize) g_test_rand_int_range (0, 201);
  guint                chain_kind = (guint) g_test_rand_int_range (0, 10);

  /* cast silently builds a legacy transaction for chains it knows lack
   * EIP-1559 (RSK is 30), so random chain ids stay above the named ones. */
  if (chain_kind < 7)
    tx->chain_id = chains[chain_kind];
  else if (type == TALLY_TRANSACTION_LEGACY)
    tx->chain_id = 1 + random_uint64 () % TALLY_TRANSACTION_MAX_CHAIN_ID;
  else
    tx->chain_id = (G_GUINT64_CONSTANT (1) << 32) +
                   random_uint64 () % (TALLY_TRANSACTION_MAX_CHAIN_ID - (G_GUINT64_CONSTANT (1) << 32));
  /* EIP-2681 caps the nonce below 2^64 - 1. */
  tx->nonce = random_uint64 () % G_MAXUINT64;
  tx->gas_limit = random_uint64 ();
  /* cast keeps fees in 128 bits; that is already far above any real fee. */
  if (type == TALLY_TRANSACTION_LEGACY)
    random_uint256 (&tx->gas_price, 128);
  else
    {
      gboolean ok;

      random_uint256 (&tx->max_fee_per_gas, 128);
      ok = tally_uint256_divmod_uint64 (&tx->max_priority_fee_per_gas, NULL, &tx->max_fee_per_gas,
                                        (guint64) g_test_rand_int_range (1, 1000));
      g_assert_true (ok);
    }
  random_uint256 (&tx->value, 256);
  /* cast --create needs some init code. */
  tx->has_to = data_len == 0 || g_test_rand_int_range (0, 10) != 0;
  tally_test_random_bytes (tx->to.bytes, TALLY_ADDRESS_LEN);
  if (!tx->has_to)
    memset (&tx->to, 0, sizeof tx->to);
  tally_test_random_bytes (data, data_len);
  tally_transaction_set_data (tx, data, data_len);

  if (type == TALLY_TRANSACTION_EIP1559 && g_test_rand_int_range (0, 4) == 0)
    {
      guint n_entries = (guint) g_test_rand_int_range (1, 4);

      for (guint i = 0; i < n_entries; i++)
        {
          guint8       keys[3][TALLY_STORAGE_KEY_LEN];
          guint        n_keys = (guint) g_test_rand_int_range (0, 4);
          TallyAddress address;

          tally_test_random_bytes (address.bytes, sizeof address.bytes);
          tally_test_random_bytes (&keys[0][0], sizeof keys);
          tally_transaction_add_access_list_entry (tx, &address, (const guint8 (*)[32]) keys,
                                                   n_keys);
        }
    }
  return tx;
}

static char *
access_list_json (const TallyTransaction *tx)
{
  GString *json = g_string_new ("[");

  for (gsize i = 0; i < tx->n_access_list; i++)
    {
      g_autofree char *address = tally_hex_encode (tx->access_list[i].address.bytes,
                                                   TALLY_ADDRESS_LEN);

      g_string_append_printf (json, "%s{\"address\":\"%s\",\"storageKeys\":[", i > 0 ? "," : "",
                              address);
      for (gsize k = 0; k < tx->access_list[i].n_storage_keys; k++)
        {
          g_autofree char *key = tally_hex_encode (tx->access_list[i].storage_keys[k],
                                                   TALLY_STORAGE_KEY_LEN);

          g_string_append_printf (json, "%s\"%s\"", k > 0 ? "," : "", key);
        }
      g_string_append (json, "]}");
    }
  g_string_append (json, "]");
  return g_string_free (json, FALSE);
}

static GSubprocess *
spawn_cast_mktx (const char             *cast,
                 const char             *key_hex,
                 const TallyTransaction *tx)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  GSubprocess *process;
  gboolean     legacy = tx->type == TALLY_TRANSACTION_LEGACY;
  char        *data = tally_hex_encode (tx->data, tx->data_len);

  g_ptr_array_add (argv, g_strdup (cast));
  g_ptr_array_add (argv, g_strdup ("mktx"));
  g_ptr_array_add (argv, g_strdup ("--private-key"));
  g_ptr_array_add (argv, g_strdup (key_hex));
  g_ptr_array_add (argv, g_strdup ("--chain"));
  g_ptr_array_add (argv, g_strdup_printf ("%" G_GUINT64_FORMAT, tx->chain_id));
  g_ptr_array_add (argv, g_strdup ("--nonce"));
  g_ptr_array_add (argv, g_strdup_printf ("%" G_GUINT64_FORMAT, tx->nonce));
  g_ptr_array_add (argv, g_strdup ("--gas-limit"));
  g_ptr_array_add (argv, g_strdup_printf ("%" G_GUINT64_FORMAT, tx->gas_limit));
  g_ptr_array_add (argv, g_strdup ("--gas-price"));
  g_ptr_array_add (argv, tally_uint256_to_decimal (legacy ? &tx->gas_price : &tx->max_fee_per_gas));
  if (legacy)
    g_ptr_array_add (argv, g_strdup ("--legacy"));
  else
    {
      g_ptr_array_add (argv, g_strdup ("--priority-gas-price"));
      g_ptr_array_add (argv, tally_uint256_to_decimal (&tx->max_priority_fee_per_gas));
    }
  g_ptr_array_add (argv, g_strdup ("--value"));
  g_ptr_array_add (argv, tally_uint256_to_decimal (&tx->value));
  if (tx->n_access_list > 0)
    {
      g_ptr_array_add (argv, g_strdup ("--access-list"));
      g_ptr_array_add (argv, access_list_json (tx));
    }
  if (tx->has_to)
    g_ptr_array_add (argv, tally_hex_encode (tx->to.bytes, TALLY_ADDRESS_LEN));
  else
    g_ptr_array_add (argv, g_strdup ("--create"));
  g_ptr_array_add (argv, data);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char *const *) argv->pdata, G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                               &error);
  g_assert_no_error (error);
  return process;
}

static char *
communicate (GSubprocess *process)
{
  g_autoptr (GError) error = NULL;
  char *output = NULL;

  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &output, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
  return g_strstrip (output);
}

#define N_KEYS        6
#define N_EIP1559     300
#define N_LEGACY      60
#define CAST_PARALLEL 8

static void
test_cast_random (void)
{
  g_autofree char *cast = tally_test_find_cast ();
  guint8           keys[N_KEYS][TALLY_PRIVATE_KEY_LEN];
  char            *key_hex[N_KEYS];
  TallyAddress     addresses[N_KEYS];
  guint            n_done = 0, n_access = 0, n_create = 0;

  if (cast == NULL)
    return;

  for (guint k = 0; k < N_KEYS; k++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GSubprocess) process = NULL;
      g_autofree char *cast_address = NULL;
      TallyAddress     expected;

      do
        tally_test_random_bytes (keys[k], TALLY_PRIVATE_KEY_LEN);
      while (!tally_private_key_verify (keys[k], NULL));
      key_hex[k] = tally_hex_encode (keys[k], TALLY_PRIVATE_KEY_LEN);
      g_assert_true (tally_address_from_private_key (&addresses[k], keys[k], &error));
      process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, cast, "wallet",
                                  "address", "--private-key", key_hex[k], NULL);
      g_assert_no_error (error);
      cast_address = communicate (process);
      tally_test_address_or_die (&expected, cast_address);
      g_assert_true (tally_address_equal (&addresses[k], &expected));
    }

  /* cast takes most of the time here: run a few at once. */
  while (n_done < N_EIP1559 + N_LEGACY)
    {
      TallyTransaction *txs[CAST_PARALLEL];
      GSubprocess      *processes[CAST_PARALLEL];
      guint             key_index[CAST_PARALLEL];
      guint             batch = MIN (CAST_PARALLEL, N_EIP1559 + N_LEGACY - n_done);

      for (guint i = 0; i < batch; i++)
        {
          TallyTransactionType type =
            n_done + i < N_EIP1559 ? TALLY_TRANSACTION_EIP1559 : TALLY_TRANSACTION_LEGACY;

          txs[i] = random_transaction (type);
          key_index[i] = (guint) g_test_rand_int_range (0, N_KEYS);
          processes[i] = spawn_cast_mktx (cast, key_hex[key_index[i]], txs[i]);
        }

      for (guint i = 0; i < batch; i++)
        {
          g_autoptr (TallyTransaction) tx = txs[i];
          g_autoptr (GSubprocess) process = processes[i];
          g_autoptr (TallyTransaction) parsed = NULL;
          g_autoptr (GError) error = NULL;
          g_autofree char   *cast_raw_hex = communicate (process);
          g_autofree char   *raw_hex = NULL;
          g_autofree guint8 *cast_raw = NULL;
          g_autofree guint8 *raw = NULL;
          gsize              cast_raw_len = 0, raw_len = 0;
          TallyAddress       sender;

          g_assert_true (tally_transaction_sign (tx, keys[key_index[i]], &error));
          g_assert_no_error (error);
          g_assert_true (tally_transaction_encode (&raw, &raw_len, tx, &error));
          raw_hex = tally_hex_encode (raw, raw_len);
          g_assert_cmpstr (raw_hex, ==, cast_raw_hex);

          cast_raw = tally_test_hex_or_die (cast_raw_hex, &cast_raw_len);
          parsed = tally_test_parse_and_recover (cast_raw, cast_raw_len, &sender);
          tally_test_assert_transactions_equal (parsed, tx);
          g_assert_true (tally_address_equal (&sender, &addresses[key_index[i]]));
          n_access += tx->n_access_list > 0;
          n_create += !tx->has_to;
        }
      n_done += batch;
    }

  g_test_message ("%u transactions matched cast (%u EIP-1559, %u legacy; %u with access lists, "
                  "%u contract creations)",
                  n_done, N_EIP1559, N_LEGACY, n_access, n_create);
  /* The random mix must have exercised both optional features. */
  g_assert_cmpuint (n_access, >, 0);
  g_assert_cmpuint (n_create, >, 0);
  for (guint k = 0; k < N_KEYS; k++)
    g_free (key_hex[k]);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wallet/tx/cast-random", test_cast_random);

  return g_test_run ();
}
