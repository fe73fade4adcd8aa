/* test-keccak.c: Keccak-256 against published vectors and against cast
 * (wallet/keccak.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "wallet/tally-wallet.h"

#include "tally-test-util.h"

static void
test_published_vectors (void)
{
  g_autofree char *path = tally_test_vector_path ("keccak256.txt");
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) error = NULL;
  guint checked = 0;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) fields = NULL;
      g_autofree guint8 *message = NULL;
      gsize              message_len = 0;
      guint8             expected[TALLY_KECCAK256_LEN];
      guint8             digest[TALLY_KECCAK256_LEN];

      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;

      fields = g_strsplit (lines[i], " ", 2);
      g_assert_cmpuint (g_strv_length (fields), ==, 2);
      if (!g_str_equal (fields[0], "-"))
        g_assert_true (tally_hex_decode (&message, &message_len, fields[0], -1, &error));
      g_assert_no_error (error);
      g_assert_true (tally_hex_decode_fixed (expected, sizeof expected, fields[1], -1, &error));
      g_assert_no_error (error);

      tally_keccak256 (digest, message, message_len);
      g_assert_cmpmem (digest, sizeof digest, expected, sizeof expected);
      checked++;
    }

  g_assert_cmpuint (checked, >=, 4);
}

/* Feeding the same bytes in pieces of every size gives the same digest as
 * one call, across block boundaries (the rate is 136 bytes). */
static void
test_streaming_matches_one_shot (void)
{
  guint8 data[1000];
  guint8 one_shot[TALLY_KECCAK256_LEN];

  for (gsize i = 0; i < sizeof data; i++)
    data[i] = (guint8) (i * 31 + 7);

  for (gsize len = 0; len <= sizeof data; len += (len < 300 ? 1 : 97))
    {
      tally_keccak256 (one_shot, data, len);

      for (gsize piece = 1; piece <= 140; piece += (piece < 10 ? 1 : 33))
        {
          TallyKeccak256 ctx;
          guint8         streamed[TALLY_KECCAK256_LEN];

          tally_keccak256_init (&ctx);
          for (gsize offset = 0; offset < len; offset += piece)
            tally_keccak256_update (&ctx, data + offset, MIN (piece, len - offset));
          tally_keccak256_final (&ctx, streamed);
          g_assert_cmpmem (streamed, sizeof streamed, one_shot, sizeof one_shot);
        }
    }
}

/* Random inputs, each hashed by us and by Foundry's cast: an independent
 * implementation. One shell runs cast for every input, one digest a line. */
static void
test_random_against_cast (void)
{
  g_autofree char *cast = tally_test_find_cast ();
  g_autoptr (GString) script = g_string_new (NULL);
  g_autoptr (GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto (GStrv) lines = NULL;
  const guint rounds = 100;

  if (cast == NULL)
    return;

  for (guint round = 0; round < rounds; round++)
    {
      /* Lengths around the block size matter most. */
      gsize              len = round % 3 == 0 ? (gsize) g_test_rand_int_range (130, 142)
                                              : (gsize) g_test_rand_int_range (0, 700);
      g_autofree guint8 *data = g_malloc (len + 1);
      g_autofree char   *hex = NULL;
      guint8             digest[TALLY_KECCAK256_LEN];

      for (gsize i = 0; i < len; i++)
        data[i] = (guint8) g_test_rand_int_range (0, 256);

      hex = tally_hex_encode (data, len);
      tally_keccak256 (digest, data, len);
      g_ptr_array_add (expected, tally_hex_encode (digest, sizeof digest));
      g_string_append_printf (script, "\"$0\" keccak %s\n", hex);
    }

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "sh", "-e", "-c", script->str,
                              cast, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));

  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, rounds + 1);
  for (guint round = 0; round < rounds; round++)
    g_assert_cmpstr (lines[round], ==, g_ptr_array_index (expected, round));
}

static void
test_final_wipes_state (void)
{
  TallyKeccak256 ctx;
  const guint8   zeros[sizeof ctx] = { 0 };

  tally_keccak256_init (&ctx);
  tally_keccak256_update (&ctx, (const guint8 *) "secret material", 15);
  {
    guint8 digest[TALLY_KECCAK256_LEN];

    tally_keccak256_final (&ctx, digest);
  }
  g_assert_cmpmem (&ctx, sizeof ctx, zeros, sizeof zeros);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wallet/keccak/published-vectors", test_published_vectors);
  g_test_add_func ("/wallet/keccak/streaming", test_streaming_matches_one_shot);
  g_test_add_func ("/wallet/keccak/random-against-cast", test_random_against_cast);
  g_test_add_func ("/wallet/keccak/final-wipes-state", test_final_wipes_state);

  return g_test_run ();
}
