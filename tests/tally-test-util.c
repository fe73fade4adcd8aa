/* tally-test-util.c: what the wallet and core tests share: vector files,
 * random inputs, and cast (Foundry) as an independent oracle
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <nettle/sha2.h>

#include "tally-test-util.h"

char *
tally_test_vector_path (const char *name)
{
  return g_build_filename (g_getenv ("TALLY_SOURCE_DIR"), "tests", "vectors", name, NULL);
}

/* The non-comment, non-empty lines of a vectors file, split on spaces. */
GPtrArray *
tally_test_read_vectors (const char *name)
{
  g_autofree char *path = tally_test_vector_path (name);
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) error = NULL;
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;
      g_ptr_array_add (rows, g_strsplit (lines[i], " ", -1));
    }
  g_assert_cmpuint (rows->len, >, 0);

  return rows;
}

void
tally_test_random_bytes (guint8 *out,
                         gsize   len)
{
  for (gsize i = 0; i < len; i++)
    out[i] = (guint8) g_test_rand_int_range (0, 256);
}

/* The cast to check against, or NULL when the test cannot run: skipped
 * without TALLY_TOOLS_BIN, failed when the tools directory has no cast. */
char *
tally_test_find_cast (void)
{
  const char      *tools_bin = g_getenv ("TALLY_TOOLS_BIN");
  g_autofree char *cast = NULL;

  if (tools_bin == NULL)
    {
      g_test_skip ("TALLY_TOOLS_BIN is not set: no cast to check against");
      return NULL;
    }
  cast = g_build_filename (tools_bin, "cast", NULL);
  if (!g_file_test (cast, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_fail_printf ("cast is missing at %s (run tools/install-deps)", cast);
      return NULL;
    }

  return g_steal_pointer (&cast);
}

/* Runs BODY once per group of ARITY arguments in a shell loop ("$c" is
 * cast), split over two shells running at once, and returns one output line
 * per group; NULL when find_cast() says so. */
GStrv
tally_test_cast_batch (const char *body,
                       guint       arity,
                       GPtrArray  *args)
{
  g_autofree char *cast = tally_test_find_cast ();
  g_autofree char *script = NULL;
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  GSubprocess *procs[2] = { NULL, NULL };
  guint        groups = args->len / arity;
  guint        split = (groups + 1) / 2 * arity;

  g_assert_cmpuint (args->len % arity, ==, 0);
  if (cast == NULL)
    return NULL;

  script = g_strdup_printf ("c=$1; shift; while [ $# -gt 0 ]; do %s || exit 1; shift %u; done",
                            body, arity);
  for (guint p = 0; p < 2; p++)
    {
      g_autoptr (GPtrArray) argv = g_ptr_array_new ();
      g_autoptr (GError) error = NULL;
      guint first = p == 0 ? 0 : split;
      guint last = p == 0 ? split : args->len;

      g_ptr_array_add (argv, (char *) "sh");
      g_ptr_array_add (argv, (char *) "-c");
      g_ptr_array_add (argv, script);
      g_ptr_array_add (argv, (char *) "sh");
      g_ptr_array_add (argv, cast);
      for (guint i = first; i < last; i++)
        g_ptr_array_add (argv, g_ptr_array_index (args, i));
      g_ptr_array_add (argv, NULL);

      procs[p] = g_subprocess_newv ((const char *const *) argv->pdata,
                                    G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
      g_assert_no_error (error);
    }

  for (guint p = 0; p < 2; p++)
    {
      g_autofree char *out = NULL;
      g_auto (GStrv) part = NULL;
      g_autoptr (GError) error = NULL;

      g_assert_true (g_subprocess_communicate_utf8 (procs[p], NULL, NULL, &out, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_successful (procs[p]));
      g_clear_object (&procs[p]);

      part = g_strsplit (g_strchomp (out), "\n", -1);
      for (guint i = 0; part[i] != NULL; i++)
        if (part[i][0] != '\0')
          g_ptr_array_add (lines, g_strdup (part[i]));
    }

  g_assert_cmpuint (lines->len, ==, groups);
  g_ptr_array_add (lines, NULL);

  return (GStrv) g_ptr_array_steal (lines, NULL);
}

guint8 *
tally_test_hex_or_die (const char *hex,
                       gsize      *len)
{
  guint8 *bytes = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_hex_decode (&bytes, len, hex, -1, &error));
  g_assert_no_error (error);
  return bytes;
}

void
tally_test_address_or_die (TallyAddress *address,
                           const char   *text)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_address_parse (address, text, &error));
  g_assert_no_error (error);
}

void
tally_test_assert_uint256_equal (const TallyUint256 *a,
                                 const TallyUint256 *b)
{
  g_autofree char *a_text = tally_uint256_to_decimal (a);
  g_autofree char *b_text = tally_uint256_to_decimal (b);

  g_assert_cmpstr (a_text, ==, b_text);
}

void
tally_test_assert_transactions_equal (const TallyTransaction *a,
                                      const TallyTransaction *b)
{
  g_assert_cmpint (a->type, ==, b->type);
  g_assert_cmpuint (a->chain_id, ==, b->chain_id);
  g_assert_cmpuint (a->nonce, ==, b->nonce);
  tally_test_assert_uint256_equal (&a->gas_price, &b->gas_price);
  tally_test_assert_uint256_equal (&a->max_priority_fee_per_gas, &b->max_priority_fee_per_gas);
  tally_test_assert_uint256_equal (&a->max_fee_per_gas, &b->max_fee_per_gas);
  g_assert_cmpuint (a->gas_limit, ==, b->gas_limit);
  g_assert_cmpint (a->has_to, ==, b->has_to);
  if (a->has_to)
    g_assert_true (tally_address_equal (&a->to, &b->to));
  tally_test_assert_uint256_equal (&a->value, &b->value);
  g_assert_cmpmem (a->data, a->data_len, b->data, b->data_len);
  g_assert_cmpuint (a->n_access_list, ==, b->n_access_list);
  for (gsize i = 0; i < a->n_access_list; i++)
    {
      const TallyAccessListEntry *x = &a->access_list[i];
      const TallyAccessListEntry *y = &b->access_list[i];

      g_assert_true (tally_address_equal (&x->address, &y->address));
      g_assert_cmpmem (x->storage_keys, x->n_storage_keys * TALLY_STORAGE_KEY_LEN, y->storage_keys,
                       y->n_storage_keys * TALLY_STORAGE_KEY_LEN);
    }
  g_assert_cmpint (a->is_signed, ==, b->is_signed);
  g_assert_cmpuint (a->y_parity, ==, b->y_parity);
  tally_test_assert_uint256_equal (&a->r, &b->r);
  tally_test_assert_uint256_equal (&a->s, &b->s);
}

/* Parses raw, checks that it encodes back to the same bytes, and returns
 * the transaction with its recovered sender. */
TallyTransaction *
tally_test_parse_and_recover (const guint8 *raw,
                              gsize         raw_len,
                              TallyAddress *sender)
{
  TallyTransaction  *tx = NULL;
  g_autofree guint8 *again = NULL;
  gsize              again_len = 0;
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_transaction_parse (&tx, raw, raw_len, &error));
  g_assert_no_error (error);
  g_assert_true (tally_transaction_encode (&again, &again_len, tx, &error));
  g_assert_cmpmem (again, again_len, raw, raw_len);
  g_assert_true (tally_transaction_recover_sender (sender, tx, &error));
  g_assert_no_error (error);
  return tx;
}

void
tally_test_remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        tally_test_remove_tree (child);
      }
  g_remove (path);
}

void
tally_test_sha256 (GBytes *bytes,
                   guint8  out[32])
{
  struct sha256_ctx ctx;
  gsize             len;
  const guint8     *data = g_bytes_get_data (bytes, &len);

  sha256_init (&ctx);
  sha256_update (&ctx, len, data);
  sha256_digest (&ctx, SHA256_DIGEST_SIZE, out);
}
