/* test-keys-wipe.c: proof that deriving keys and signing leave no private
 * key behind on the stack (wallet/keys.c, wallet/eip191.c,
 * wallet/key-signer.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <alloca.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include <secp256k1.h>

#include "wallet/tally-wallet.h"

static void
random_key (guint8 key[TALLY_PRIVATE_KEY_LEN])
{
  do
    for (guint i = 0; i < TALLY_PRIVATE_KEY_LEN; i++)
      key[i] = (guint8) g_test_rand_int_range (0, 256);
  while (!secp256k1_ec_seckey_verify (tally_secp256k1_context (), key));
}

/* The wipe proof, after libwally's src/ctest/test_clear.c: run the code on
 * a stack of our own, filled with a pattern, then look for the key in what
 * is left of that stack. libsecp256k1 keeps scalars as little-endian limbs,
 * so the key is also looked for byte-reversed, and each half on its own. */

#define SCAN_STACK_SIZE (1024 * 1024)
#define SCAN_STACK_FILL 0x5a

typedef struct
{
  void (*func) (const guint8 *key,
                guint8       *generated);
  const guint8 *key;
  guint8       *generated;
} StackJob;

#define SCAN_STACK_HEADROOM (64 * 1024)

/* Thread exit runs its own calls just below the thread's first frame and
 * would overwrite whatever the job left there, hiding a leak: the job runs
 * below a gap those calls never reach. */
static G_GNUC_NO_INLINE void
run_below_headroom (StackJob *job)
{
  guint8 *gap = alloca (SCAN_STACK_HEADROOM);

  __asm__ __volatile__(""
                       :
                       : "r"(gap)
                       : "memory");
  job->func (job->key, job->generated);
}

static void *
stack_job_thread (void *data)
{
  run_below_headroom (data);
  return NULL;
}

#if defined(__SANITIZE_ADDRESS__)
#define NO_SANITIZE_ADDRESS __attribute__ ((no_sanitize_address))
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_SANITIZE_ADDRESS __attribute__ ((no_sanitize_address))
#endif
#endif
#ifndef NO_SANITIZE_ADDRESS
#define NO_SANITIZE_ADDRESS
#endif

/* AddressSanitizer poisons the frames of a finished thread; reading them is
 * the point here, so the scan does it byte by byte without instrumentation. */
static NO_SANITIZE_ADDRESS gboolean
memory_holds (const guint8 *memory,
              gsize         memory_len,
              const guint8 *needle,
              gsize         needle_len)
{
  for (gsize i = 0; i + needle_len <= memory_len; i++)
    {
      gsize j = 0;

      while (j < needle_len && memory[i + j] == needle[j])
        j++;
      if (j == needle_len)
        return TRUE;
    }
  return FALSE;
}

static gboolean
stack_holds_key (const guint8 *stack,
                 const guint8  key[TALLY_PRIVATE_KEY_LEN])
{
  guint8        reversed[TALLY_PRIVATE_KEY_LEN];
  gsize         half = TALLY_PRIVATE_KEY_LEN / 2;
  const guint8 *needles[] = { key, key + half, reversed, reversed + half };

  for (guint i = 0; i < TALLY_PRIVATE_KEY_LEN; i++)
    reversed[i] = key[TALLY_PRIVATE_KEY_LEN - 1 - i];
  for (guint i = 0; i < G_N_ELEMENTS (needles); i++)
    if (memory_holds (stack, SCAN_STACK_SIZE, needles[i], half))
      return TRUE;
  return FALSE;
}

/* Returns the stack, unmapped by the caller, after FUNC ran on it. */
static guint8 *
run_on_own_stack (StackJob *job)
{
  pthread_attr_t attr;
  pthread_t      thread;
  guint8        *stack;

  stack = mmap (NULL, SCAN_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  g_assert_true (stack != MAP_FAILED);
  memset (stack, SCAN_STACK_FILL, SCAN_STACK_SIZE);

  g_assert_cmpint (pthread_attr_init (&attr), ==, 0);
  g_assert_cmpint (pthread_attr_setstack (&attr, stack, SCAN_STACK_SIZE), ==, 0);
  g_assert_cmpint (pthread_create (&thread, &attr, stack_job_thread, job), ==, 0);
  g_assert_cmpint (pthread_join (thread, NULL), ==, 0);
  pthread_attr_destroy (&attr);

  return stack;
}

/* What careless code does: a secret copy on the stack, never wiped. */
static G_GNUC_NO_INLINE void
leave_key_on_stack (const guint8 *key,
                    guint8       *generated)
{
  guint8 copy[TALLY_PRIVATE_KEY_LEN];

  memcpy (copy, key, sizeof copy);
  /* Keeps the compiler from dropping the copy as unused. */
  __asm__ __volatile__(""
                       :
                       : "r"(copy)
                       : "memory");
}

static G_GNUC_NO_INLINE void
leave_reversed_key_on_stack (const guint8 *key,
                             guint8       *generated)
{
  guint8 copy[TALLY_PRIVATE_KEY_LEN];

  for (guint i = 0; i < sizeof copy; i++)
    copy[i] = key[sizeof copy - 1 - i];
  __asm__ __volatile__(""
                       :
                       : "r"(copy)
                       : "memory");
}

static const guint8 wipe_digest[TALLY_DIGEST_LEN] = { 0x42, 0x17 };
static const guint8 wipe_message[] = "Sign in to Tally";

static void
wipe_op_verify (const guint8 *key,
                guint8       *generated)
{
  g_assert_true (tally_private_key_verify (key, NULL));
}

static void
wipe_op_public_key (const guint8 *key,
                    guint8       *generated)
{
  guint8 public_key[TALLY_PUBLIC_KEY_LEN];

  g_assert_true (tally_public_key_from_private (public_key, key, NULL));
}

static void
wipe_op_address (const guint8 *key,
                 guint8       *generated)
{
  TallyAddress address;

  g_assert_true (tally_address_from_private_key (&address, key, NULL));
}

static void
wipe_op_sign (const guint8 *key,
              guint8       *generated)
{
  guint8 signature[TALLY_SIGNATURE_LEN];

  g_assert_true (tally_sign_digest (signature, key, wipe_digest, NULL));
}

static void
wipe_op_sign_message (const guint8 *key,
                      guint8       *generated)
{
  guint8 signature[TALLY_SIGNATURE_LEN];

  g_assert_true (tally_eip191_sign_message (signature, key, wipe_message,
                                            sizeof wipe_message - 1, NULL));
}

static void
wipe_op_key_signer (const guint8 *key,
                    guint8       *generated)
{
  guint8          signature[TALLY_SIGNATURE_LEN];
  TallyKeySigner *signer = tally_key_signer_new (key, NULL);

  g_assert_nonnull (signer);
  g_assert_true (tally_signer_sign_digest_sync (TALLY_SIGNER (signer), signature, wipe_digest,
                                                NULL, NULL));
  g_assert_true (tally_signer_sign_message_sync (TALLY_SIGNER (signer), signature, wipe_message,
                                                 sizeof wipe_message - 1, NULL, NULL));
  g_object_unref (signer);
}

static void
wipe_op_generate (const guint8 *key,
                  guint8       *generated)
{
  g_assert_true (tally_private_key_generate (generated, NULL));
}

static void
test_wipe_harness_self_check (void)
{
  g_autofree guint8 *key = g_malloc (TALLY_PRIVATE_KEY_LEN);
  g_autofree guint8 *generated = g_malloc0 (TALLY_PRIVATE_KEY_LEN);
  StackJob           leaky = { leave_key_on_stack, NULL, NULL };
  StackJob           reversed = { leave_reversed_key_on_stack, NULL, NULL };
  StackJob           nothing = { leave_key_on_stack, NULL, NULL };
  g_autofree guint8 *other = g_malloc (TALLY_PRIVATE_KEY_LEN);
  guint8            *stack;

  random_key (key);
  random_key (other);
  leaky.key = reversed.key = key;
  leaky.generated = reversed.generated = generated;

  /* The scan must see a key that careless code leaves behind... */
  stack = run_on_own_stack (&leaky);
  g_assert_true (stack_holds_key (stack, key));
  munmap (stack, SCAN_STACK_SIZE);

  stack = run_on_own_stack (&reversed);
  g_assert_true (stack_holds_key (stack, key));
  munmap (stack, SCAN_STACK_SIZE);

  /* ...and not report a key that never went near the stack. */
  nothing.key = other;
  nothing.generated = generated;
  stack = run_on_own_stack (&nothing);
  g_assert_false (stack_holds_key (stack, key));
  munmap (stack, SCAN_STACK_SIZE);
}

/* One operation per fresh stack: a later call must not hide what an
 * earlier one left by writing over it. */
static void
test_wipe_derive_and_sign (void)
{
  static const struct
  {
    const char *what;
    void (*func) (const guint8 *key,
                  guint8       *generated);
  } operations[] = {
    { "verifying a key", wipe_op_verify },
    { "deriving a public key", wipe_op_public_key },
    { "deriving an address", wipe_op_address },
    { "signing a digest", wipe_op_sign },
    { "signing a message", wipe_op_sign_message },
    { "signing through TallyKeySigner", wipe_op_key_signer },
    { "generating a key", wipe_op_generate },
  };
  g_autoptr (TallySecret) key = tally_secret_new (TALLY_PRIVATE_KEY_LEN);
  g_autoptr (TallySecret) generated = tally_secret_new (TALLY_PRIVATE_KEY_LEN);
  g_autoptr (GString) leaks = g_string_new (NULL);

  /* Set up the context first: its creation is not the code under test. */
  (void) tally_secp256k1_context ();
  random_key (key->data);

  for (guint i = 0; i < G_N_ELEMENTS (operations); i++)
    {
      StackJob job = { operations[i].func, key->data, generated->data };
      guint8  *stack;

      stack = run_on_own_stack (&job);
      if (stack_holds_key (stack, key->data))
        g_string_append_printf (leaks, "%s left the private key on the stack; ",
                                operations[i].what);
      if (operations[i].func == wipe_op_generate)
        {
          g_assert_true (tally_private_key_verify (generated->data, NULL));
          if (stack_holds_key (stack, generated->data))
            g_string_append_printf (leaks, "%s left the new key on the stack; ",
                                    operations[i].what);
        }

      /* A positive control: the head of keccak256 (public key), whose tail
       * is the address, is not secret and lives only in a frame of the
       * address derivation. Finding it shows the scan sees the frames of
       * the code under test. */
      if (operations[i].func == wipe_op_address)
        {
          guint8 public_key[TALLY_PUBLIC_KEY_LEN];
          guint8 hash[TALLY_KECCAK256_LEN];

          g_assert_true (tally_public_key_from_private (public_key, key->data, NULL));
          tally_keccak256 (hash, public_key, sizeof public_key);
          g_assert_true (memory_holds (stack, SCAN_STACK_SIZE, hash,
                                       sizeof hash - TALLY_ADDRESS_LEN));
        }
      munmap (stack, SCAN_STACK_SIZE);
    }

  if (leaks->len > 0)
    g_test_fail_printf ("%s", leaks->str);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wallet/keys/wipe/harness-self-check", test_wipe_harness_self_check);
  g_test_add_func ("/wallet/keys/wipe/derive-and-sign", test_wipe_derive_and_sign);

  return g_test_run ();
}
