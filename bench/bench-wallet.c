/* bench-wallet.c: how fast the wallet's primitives run on this machine
 *
 * Prints figures, passes or fails nothing. Each benchmark repeats its
 * operation for about a second. To add one (BIP-39 seed derivation, keystore
 * scrypt, ...), write a `static void bench_<what> (void)` that calls
 * measure () with a step function, and list it in `benchmarks` in main ().
 *
 *   bench-wallet            run all
 *   bench-wallet sign ...   run those whose name contains one of the words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "wallet/tally-wallet.h"

#define RUN_SECONDS 1.0
#define MB          1e6

/* Results land here so the compiler cannot drop the work as unused. */
static volatile guint8 sink;

static double
now_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Calls STEP with 0, 1, 2, ... until RUN_SECONDS have passed, reading the
 * clock only every BATCH calls so that reading it costs nothing; returns
 * calls per second. */
static double
measure (void (*step) (gpointer data,
                       guint64  i),
         gpointer data,
         guint    batch)
{
  double  start = now_seconds ();
  double  elapsed;
  guint64 calls = 0;

  do
    {
      for (guint j = 0; j < batch; j++)
        step (data, calls++);
      elapsed = now_seconds () - start;
    }
  while (elapsed < RUN_SECONDS);

  return calls / elapsed;
}

static void
fill_pattern (guint8 *out,
              gsize   len,
              guint8  seed)
{
  for (gsize i = 0; i < len; i++)
    out[i] = (guint8) (i * 131 + seed);
}

typedef struct
{
  guint8 *input;
  gsize   len;
} KeccakData;

static void
keccak_step (gpointer data,
             guint64  i)
{
  KeccakData *k = data;
  guint8      digest[TALLY_KECCAK256_LEN];

  k->input[0] = (guint8) i;
  tally_keccak256 (digest, k->input, k->len);
  sink ^= digest[0];
}

static void
bench_keccak256_1mib (void)
{
  KeccakData data = { g_malloc (1024 * 1024), 1024 * 1024 };
  double     rate;

  fill_pattern (data.input, data.len, 1);
  rate = measure (keccak_step, &data, 1);
  printf ("keccak256, 1 MiB input:     %10.1f MB/s\n", rate * data.len / MB);
  g_free (data.input);
}

static void
bench_keccak256_64 (void)
{
  guint8     input[64];
  KeccakData data = { input, sizeof input };
  double     rate;

  fill_pattern (input, sizeof input, 2);
  rate = measure (keccak_step, &data, 1000);
  printf ("keccak256, 64-byte input:   %10.0f hashes/s (%.1f MB/s)\n", rate,
          rate * sizeof input / MB);
}

typedef struct
{
  guint8 key[TALLY_PRIVATE_KEY_LEN];
  guint8 digest[TALLY_DIGEST_LEN];
  guint8 signature[TALLY_SIGNATURE_LEN];
} KeyData;

static void
key_data_init (KeyData *data)
{
  g_autoptr (GError) error = NULL;

  if (!tally_private_key_generate (data->key, &error))
    g_error ("%s", error->message);
  fill_pattern (data->digest, sizeof data->digest, 3);
  if (!tally_sign_digest (data->signature, data->key, data->digest, &error))
    g_error ("%s", error->message);
}

static void
sign_step (gpointer data,
           guint64  i)
{
  KeyData *k = data;
  guint8   signature[TALLY_SIGNATURE_LEN];

  /* A new digest each time: RFC 6979 makes a repeated one no cheaper, but
   * it is what the wallet does. */
  memcpy (k->digest, &i, sizeof i);
  if (!tally_sign_digest (signature, k->key, k->digest, NULL))
    g_error ("signing failed");
  sink ^= signature[0];
}

static void
bench_sign (void)
{
  KeyData data;

  key_data_init (&data);
  printf ("sign a digest:              %10.0f signatures/s\n", measure (sign_step, &data, 100));
  tally_wipe (&data, sizeof data);
}

static void
recover_step (gpointer data,
              guint64  i)
{
  KeyData     *k = data;
  TallyAddress address;

  if (!tally_recover_address (&address, k->signature, k->digest, NULL))
    g_error ("recovery failed");
  sink ^= address.bytes[0];
}

static void
bench_recover (void)
{
  KeyData data;

  key_data_init (&data);
  printf ("recover a signer:           %10.0f recoveries/s\n", measure (recover_step, &data, 100));
  tally_wipe (&data, sizeof data);
}

static void
address_step (gpointer data,
              guint64  i)
{
  KeyData     *k = data;
  TallyAddress address;

  /* Nudge the key so each call derives a new point. */
  k->key[TALLY_PRIVATE_KEY_LEN - 1] = (guint8) (i | 1);
  if (!tally_address_from_private_key (&address, k->key, NULL))
    g_error ("address derivation failed");
  sink ^= address.bytes[0];
}

static void
bench_address (void)
{
  KeyData data;

  key_data_init (&data);
  printf ("key -> address:             %10.0f addresses/s\n", measure (address_step, &data, 100));
  tally_wipe (&data, sizeof data);
}

/* BIP-39 seed: PBKDF2-HMAC-SHA512 with 2048 rounds over the phrase. */
static void
bip39_step (gpointer data,
            guint64  i)
{
  g_autoptr (TallySecret) seed = NULL;
  g_autofree char *passphrase = g_strdup_printf ("%" G_GUINT64_FORMAT, i);

  if (!tally_bip39_to_seed (&seed, data, passphrase, NULL))
    g_error ("seed derivation failed");
  sink ^= seed->data[0];
}

static void
bench_bip39_seed (void)
{
  char   phrase[] = "abandon abandon abandon abandon abandon abandon abandon abandon abandon "
                    "abandon abandon about";
  double rate = measure (bip39_step, phrase, 4);

  printf ("BIP-39 seed derivation:     %10.2f ms/seed\n", 1000.0 / rate);
}

static gboolean
wanted (const char *name,
        int         argc,
        char       *argv[])
{
  if (argc < 2)
    return TRUE;
  for (int i = 1; i < argc; i++)
    if (strstr (name, argv[i]) != NULL)
      return TRUE;
  return FALSE;
}

int
main (int   argc,
      char *argv[])
{
  static const struct
  {
    const char *name;
    void (*run) (void);
  } benchmarks[] = {
    { "keccak256-1mib", bench_keccak256_1mib },
    { "keccak256-64", bench_keccak256_64 },
    { "sign", bench_sign },
    { "recover", bench_recover },
    { "address", bench_address },
    { "bip39-seed", bench_bip39_seed },
  };

  /* Context creation is a one-time cost, not part of any figure. */
  (void) tally_secp256k1_context ();

  for (guint i = 0; i < G_N_ELEMENTS (benchmarks); i++)
    if (wanted (benchmarks[i].name, argc, argv))
      benchmarks[i].run ();

  return 0;
}
