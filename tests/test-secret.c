/* test-secret.c: wiping secret buffers and comparing in constant time
 * (wallet/secret.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "wallet/tally-wallet.h"

static void
test_new_is_zeroed (void)
{
  g_autoptr (TallySecret) secret = tally_secret_new (64);

  g_assert_cmpuint (secret->len, ==, 64);
  for (gsize i = 0; i < secret->len; i++)
    g_assert_cmpuint (secret->data[i], ==, 0);
}

static void
test_copy (void)
{
  static const guint8 key[] = { 1, 2, 3, 4, 5 };
  g_autoptr (TallySecret) secret = tally_secret_new_from_data (key, sizeof key);
  g_autoptr (TallySecret) empty = tally_secret_new_from_data (NULL, 0);

  g_assert_cmpmem (secret->data, secret->len, key, sizeof key);
  g_assert_true (secret->data != key);
  g_assert_cmpuint (empty->len, ==, 0);
}

static void
test_wipe (void)
{
  guint8 buffer[48];

  memset (buffer, 0x5a, sizeof buffer);
  tally_wipe (buffer + 8, 32);

  for (gsize i = 0; i < sizeof buffer; i++)
    g_assert_cmpuint (buffer[i], ==, (i >= 8 && i < 40) ? 0 : 0x5a);

  tally_wipe (NULL, 0);
  tally_secret_free (NULL);
}

static void
test_memeq (void)
{
  guint8 a[32], b[32];

  for (gsize i = 0; i < sizeof a; i++)
    a[i] = b[i] = (guint8) (i * 7);

  g_assert_true (tally_memeq_consttime (a, b, sizeof a));
  g_assert_true (tally_memeq_consttime (a, b, 0));

  /* A difference at any position, in any bit, is seen. */
  for (gsize i = 0; i < sizeof a; i++)
    for (guint bit = 0; bit < 8; bit++)
      {
        b[i] ^= (guint8) (1u << bit);
        g_assert_false (tally_memeq_consttime (a, b, sizeof a));
        b[i] ^= (guint8) (1u << bit);
      }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wallet/secret/new-is-zeroed", test_new_is_zeroed);
  g_test_add_func ("/wallet/secret/copy", test_copy);
  g_test_add_func ("/wallet/secret/wipe", test_wipe);
  g_test_add_func ("/wallet/secret/memeq-consttime", test_memeq);

  return g_test_run ();
}
