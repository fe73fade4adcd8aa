/* test-ecies.c: sealing to a public key and opening with the private key
 * (wallet/ecies.c), checked against the npm package eciesjs 0.5.0 run by
 * Node.js in both directions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <alloca.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include <gio/gio.h>
#include <nettle/gcm.h>
#include <nettle/hmac.h>
#include <secp256k1_ecdh.h>

#include "wallet/tally-wallet.h"
#include "tally-test-util.h"

#define NONCE_OFFSET      TALLY_ECIES_EPHEMERAL_KEY_LEN
#define TAG_OFFSET        (NONCE_OFFSET + TALLY_ECIES_NONCE_LEN)
#define CIPHERTEXT_OFFSET (TAG_OFFSET + TALLY_ECIES_TAG_LEN)
#define FILL              0xaa

static void
random_key (guint8 key[TALLY_PRIVATE_KEY_LEN])
{
  do
    tally_test_random_bytes (key, TALLY_PRIVATE_KEY_LEN);
  while (!tally_private_key_verify (key, NULL));
}

typedef struct
{
  guint8 key[TALLY_PRIVATE_KEY_LEN];
  guint8 public_key[TALLY_PUBLIC_KEY_LEN];
} KeyPair;

static void
random_key_pair (KeyPair *pair)
{
  random_key (pair->key);
  g_assert_true (tally_public_key_from_private (pair->public_key, pair->key, NULL));
}

static guint8 *
seal_or_die (const KeyPair *pair,
             const guint8  *plaintext,
             gsize          plaintext_len,
             gsize         *sealed_len)
{
  g_autoptr (GError) error = NULL;
  guint8 *sealed;

  *sealed_len = plaintext_len + TALLY_ECIES_OVERHEAD;
  sealed = g_malloc (*sealed_len);
  g_assert_true (tally_ecies_seal (sealed, pair->public_key, plaintext, plaintext_len, &error));
  g_assert_no_error (error);

  return sealed;
}

static void
assert_all (const guint8 *data,
            gsize         len,
            guint8        value)
{
  for (gsize i = 0; i < len; i++)
    if (data[i] != value)
      g_error ("byte %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " is 0x%02x, not 0x%02x", i, len,
               data[i], value);
}

/* Opens SEALED with KEY into a buffer filled with a pattern beforehand,
 * expects the error CODE and a plaintext buffer left all zero. */
static void
assert_open_fails (const guint8 *sealed,
                   gsize         sealed_len,
                   const guint8  key[TALLY_PRIVATE_KEY_LEN],
                   gint          code)
{
  gsize              plaintext_len = MAX (sealed_len, TALLY_ECIES_OVERHEAD) - TALLY_ECIES_OVERHEAD;
  g_autofree guint8 *plaintext = g_malloc (plaintext_len + 1);
  g_autoptr (GError) error = NULL;

  memset (plaintext, FILL, plaintext_len + 1);
  g_assert_false (tally_ecies_open (plaintext, key, sealed, sealed_len, &error));
  g_assert_error (error, TALLY_WALLET_ERROR, code);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  assert_all (plaintext, plaintext_len, 0);
  /* Nothing past the plaintext's own length is touched. */
  g_assert_cmpuint (plaintext[plaintext_len], ==, FILL);
}

static void
test_round_trip (void)
{
  static const gsize lengths[] = { 0, 1, 15, 16, 17, 31, 32, 33, 64, 1000, 4099 };
  KeyPair            pair;

  random_key_pair (&pair);
  for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      gsize              len = lengths[i];
      g_autofree guint8 *message = g_malloc (len + 1);
      g_autofree guint8 *opened = g_malloc (len + 1);
      g_autofree guint8 *sealed = NULL;
      g_autofree guint8 *again = NULL;
      gsize              sealed_len;
      gsize              again_len;
      g_autoptr (GError) error = NULL;

      tally_test_random_bytes (message, len);
      sealed = seal_or_die (&pair, message, len, &sealed_len);
      g_assert_cmpuint (sealed_len, ==, len + 97);
      g_assert_cmpuint (sealed[0], ==, 0x04);
      if (len >= 16)
        g_assert_true (memcmp (sealed + CIPHERTEXT_OFFSET, message, len) != 0);

      memset (opened, FILL, len + 1);
      g_assert_true (tally_ecies_open (opened, pair.key, sealed, sealed_len, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (opened, len, message, len);
      g_assert_cmpuint (opened[len], ==, FILL);

      /* A fresh ephemeral key and nonce each time. */
      again = seal_or_die (&pair, message, len, &again_len);
      g_assert_true (memcmp (again, sealed, TAG_OFFSET) != 0);
      g_assert_true (memcmp (again + NONCE_OFFSET, sealed + NONCE_OFFSET,
                             TALLY_ECIES_NONCE_LEN) != 0);
    }

  /* NULL is a fine plaintext when there is none. */
  {
    guint8 sealed[TALLY_ECIES_OVERHEAD];

    g_assert_true (tally_ecies_seal (sealed, pair.public_key, NULL, 0, NULL));
    g_assert_true (tally_ecies_open (NULL, pair.key, sealed, sizeof sealed, NULL));
  }
}

static void
test_wrong_key (void)
{
  static const guint8 message[] = "the task key, 32 bytes of it....";
  KeyPair             pair;
  KeyPair             other;
  g_autofree guint8  *sealed = NULL;
  gsize               sealed_len;

  random_key_pair (&pair);
  random_key_pair (&other);
  sealed = seal_or_die (&pair, message, sizeof message - 1, &sealed_len);
  assert_open_fails (sealed, sealed_len, other.key, TALLY_WALLET_ERROR_DECRYPT);
}

static void
test_invalid_private_key (void)
{
  static const guint8 zero[TALLY_PRIVATE_KEY_LEN] = { 0 };
  guint8              high[TALLY_PRIVATE_KEY_LEN];
  KeyPair             pair;
  g_autofree guint8  *sealed = NULL;
  gsize               sealed_len;

  random_key_pair (&pair);
  memset (high, 0xff, sizeof high);
  sealed = seal_or_die (&pair, (const guint8 *) "x", 1, &sealed_len);
  assert_open_fails (sealed, sealed_len, zero, TALLY_WALLET_ERROR_INVALID_KEY);
  assert_open_fails (sealed, sealed_len, high, TALLY_WALLET_ERROR_INVALID_KEY);
}

/* Sealing to a point off the curve must fail before any key is made, and
 * leave nothing in the output. */
static void
test_seal_invalid_public_key (void)
{
  KeyPair pair;
  guint8  sealed[TALLY_ECIES_OVERHEAD + 4];
  g_autoptr (GError) error = NULL;

  random_key_pair (&pair);
  pair.public_key[TALLY_PUBLIC_KEY_LEN - 1] ^= 0x01;
  memset (sealed, FILL, sizeof sealed);
  g_assert_false (tally_ecies_seal (sealed, pair.public_key, (const guint8 *) "abcd", 4, &error));
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_KEY);
  assert_all (sealed, sizeof sealed, 0);
}

static void
test_truncated (void)
{
  static const guint8 message[] = "truncated";
  KeyPair             pair;
  g_autofree guint8  *sealed = NULL;
  gsize               sealed_len;

  random_key_pair (&pair);
  sealed = seal_or_die (&pair, message, sizeof message - 1, &sealed_len);

  /* Every prefix shorter than the overhead is refused by its length... */
  for (gsize len = 0; len < TALLY_ECIES_OVERHEAD; len++)
    {
      g_autoptr (GError) error = NULL;
      guint8 plaintext[1] = { FILL };

      g_assert_false (tally_ecies_open (plaintext, pair.key, sealed, len, &error));
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_INVALID_LENGTH);
      g_assert_cmpuint (plaintext[0], ==, FILL);
    }
  /* ...and a longer one by its tag, which covers the whole ciphertext. */
  for (gsize len = TALLY_ECIES_OVERHEAD; len < sealed_len; len++)
    assert_open_fails (sealed, len, pair.key, TALLY_WALLET_ERROR_DECRYPT);
}

/* One flipped bit anywhere: in the ephemeral key it moves the point off the
 * curve (y is given, and the only other x with the same y are x times a cube
 * root of unity, never one bit away); in the nonce, the tag and the
 * ciphertext the tag no longer verifies. */
static void
test_bit_flips (void)
{
  static const struct
  {
    const char *region;
    gsize       offset;
    gsize       len;
  } regions[] = {
    { "ephemeral key", 1, TALLY_PUBLIC_KEY_LEN },
    { "nonce", NONCE_OFFSET, TALLY_ECIES_NONCE_LEN },
    { "tag", TAG_OFFSET, TALLY_ECIES_TAG_LEN },
    { "ciphertext", CIPHERTEXT_OFFSET, 40 },
  };
  guint8             message[40];
  KeyPair            pair;
  g_autofree guint8 *sealed = NULL;
  gsize              sealed_len;

  random_key_pair (&pair);
  tally_test_random_bytes (message, sizeof message);
  sealed = seal_or_die (&pair, message, sizeof message, &sealed_len);

  for (guint r = 0; r < G_N_ELEMENTS (regions); r++)
    {
      gint expected = r == 0 ? TALLY_WALLET_ERROR_MALFORMED : TALLY_WALLET_ERROR_DECRYPT;

      /* Every byte of the region, one random bit of each. */
      for (gsize i = 0; i < regions[r].len; i++)
        {
          g_autofree guint8 *altered = g_memdup2 (sealed, sealed_len);
          gsize              at = regions[r].offset + i;
          gsize              plaintext_len = sealed_len - TALLY_ECIES_OVERHEAD;
          g_autofree guint8 *plaintext = g_malloc (plaintext_len);
          g_autoptr (GError) error = NULL;

          altered[at] ^= (guint8) (1u << g_test_rand_int_range (0, 8));
          memset (plaintext, FILL, plaintext_len);
          g_assert_false (tally_ecies_open (plaintext, pair.key, altered, sealed_len, &error));
          if (!g_error_matches (error, TALLY_WALLET_ERROR, expected))
            g_error ("A flipped bit in byte %" G_GSIZE_FORMAT " of the %s gave: %s", i,
                     regions[r].region, error->message);
          assert_all (plaintext, plaintext_len, 0);
        }
    }
}

static void
test_ephemeral_key_off_curve (void)
{
  KeyPair            pair;
  g_autofree guint8 *sealed = NULL;
  gsize              sealed_len;

  random_key_pair (&pair);
  sealed = seal_or_die (&pair, (const guint8 *) "off the curve", 13, &sealed_len);

  /* (x, y + 1) is on the curve only if y + 1 = -y, which it is not. */
  sealed[TALLY_ECIES_EPHEMERAL_KEY_LEN - 1] ^= 0x01;
  assert_open_fails (sealed, sealed_len, pair.key, TALLY_WALLET_ERROR_MALFORMED);

  /* Coordinates at or above the field prime are not a point either. */
  memset (sealed + 1, 0xff, TALLY_PUBLIC_KEY_LEN);
  assert_open_fails (sealed, sealed_len, pair.key, TALLY_WALLET_ERROR_MALFORMED);
  memset (sealed + 1, 0, TALLY_PUBLIC_KEY_LEN);
  assert_open_fails (sealed, sealed_len, pair.key, TALLY_WALLET_ERROR_MALFORMED);
}

/* The ephemeral key must be the uncompressed 0x04 form: a compressed
 * prefix on a 65-byte key, a hybrid prefix (which libsecp256k1 alone would
 * accept) or anything else is refused before any arithmetic. */
static void
test_ephemeral_key_prefix (void)
{
  static const guint8 prefixes[] = { 0x00, 0x02, 0x03, 0x05, 0x06, 0x07, 0xff };
  KeyPair             pair;
  g_autofree guint8  *sealed = NULL;
  gsize               sealed_len;

  random_key_pair (&pair);
  sealed = seal_or_die (&pair, (const guint8 *) "prefix", 6, &sealed_len);
  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      g_autofree guint8 *altered = g_memdup2 (sealed, sealed_len);
      g_autofree char   *expected = g_strdup_printf ("0x%02x", prefixes[i]);
      guint8             plaintext[6];
      g_autoptr (GError) error = NULL;

      altered[0] = prefixes[i];
      assert_open_fails (altered, sealed_len, pair.key, TALLY_WALLET_ERROR_MALFORMED);
      g_assert_false (tally_ecies_open (plaintext, pair.key, altered, sealed_len, &error));
      g_assert_nonnull (strstr (error->message, expected));
    }
}

/* eciesjs through Node.js. Each input line is "E <public key> <message>"
 * (encrypt) or "D <private key> <sealed>" (decrypt), in hex; each output
 * line is the result in hex, or "ERR" and eciesjs's message. */
static const char node_script[] =
  "const ecies = require(process.argv[1]);\n"
  "const lines = require('fs').readFileSync(0, 'utf8').split('\\n').filter((l) => l.length);\n"
  "const out = [];\n"
  "for (const line of lines) {\n"
  "  const [op, key, data] = line.split(' ');\n"
  "  const bytes = Buffer.from(data, 'hex');\n"
  "  try {\n"
  "    const result = op === 'E' ? ecies.encrypt(key, bytes) : ecies.decrypt(key, bytes);\n"
  "    out.push(Buffer.from(result).toString('hex'));\n"
  "  } catch (e) {\n"
  "    out.push('ERR ' + e.message);\n"
  "  }\n"
  "}\n"
  "process.stdout.write(out.join('\\n') + '\\n');\n";

/* Node.js and the eciesjs that tools/install-deps puts in .tools/npm: a
 * test run by meson fails without them (CI installs both); run by hand
 * without TALLY_SOURCE_DIR it is skipped. */
static gboolean
find_eciesjs (char **node,
              char **package)
{
  const char *source_dir = g_getenv ("TALLY_SOURCE_DIR");

  if (source_dir == NULL)
    {
      g_test_skip ("TALLY_SOURCE_DIR is not set: no eciesjs to check against");
      return FALSE;
    }
  *node = g_find_program_in_path ("node");
  if (*node == NULL)
    {
      g_test_fail_printf ("Node.js (node) is not in PATH (run tools/install-deps)");
      return FALSE;
    }
  *package = g_build_filename (source_dir, ".tools", "npm", "node_modules", "eciesjs", NULL);
  if (!g_file_test (*package, G_FILE_TEST_IS_DIR))
    {
      g_test_fail_printf ("eciesjs is missing at %s (run tools/install-deps)", *package);
      return FALSE;
    }

  return TRUE;
}

static GStrv
run_eciesjs (const char *node,
             const char *package,
             const char *input)
{
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                G_SUBPROCESS_FLAGS_STDERR_PIPE,
                              &error, node, "-e", node_script, package, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, input, NULL, &out, &err, &error));
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    g_error ("node failed: %s", err);

  return g_strsplit (g_strchomp (out), "\n", -1);
}

#define CROSS_ROUNDS 24

static void
test_eciesjs (void)
{
  g_autofree char *node = NULL;
  g_autofree char *package = NULL;
  KeyPair          pairs[CROSS_ROUNDS];
  KeyPair          stranger;
  GBytes          *messages[CROSS_ROUNDS];
  GBytes          *ours[CROSS_ROUNDS];
  g_autoptr (GString) input = g_string_new (NULL);
  g_auto (GStrv) lines = NULL;

  if (!find_eciesjs (&node, &package))
    return;

  random_key_pair (&stranger);
  for (guint i = 0; i < CROSS_ROUNDS; i++)
    {
      /* The fixed lengths first, then random ones up to a few AES blocks. */
      static const gsize fixed[] = { 0, 1, 31, 32, 33, 1000 };
      gsize              len = (gsize) g_test_rand_int_range (0, 300);
      guint8            *message;
      g_autofree char   *public_hex = NULL;
      g_autofree char   *message_hex = NULL;
      g_autofree char   *key_hex = NULL;
      g_autofree char   *sealed_hex = NULL;
      guint8            *sealed;
      gsize              sealed_len;

      if (i < G_N_ELEMENTS (fixed))
        len = fixed[i];
      message = g_malloc (len);
      random_key_pair (&pairs[i]);
      tally_test_random_bytes (message, len);
      messages[i] = g_bytes_new_take (message, len);
      sealed = seal_or_die (&pairs[i], message, len, &sealed_len);
      ours[i] = g_bytes_new_take (sealed, sealed_len);

      /* An Ethereum-style public key, x ‖ y without the prefix, as a
       * requester's script would pass it. */
      public_hex = tally_hex_encode_bare (pairs[i].public_key, TALLY_PUBLIC_KEY_LEN);
      message_hex = tally_hex_encode_bare (message, len);
      key_hex = tally_hex_encode_bare (pairs[i].key, TALLY_PRIVATE_KEY_LEN);
      sealed_hex = tally_hex_encode_bare (sealed, sealed_len);
      g_string_append_printf (input, "E %s %s\n", public_hex, message_hex);
      g_string_append_printf (input, "D %s %s\n", key_hex, sealed_hex);
      /* A control: eciesjs must refuse ours under another key, or the
       * decrypt line would prove nothing. */
      if (i == 0)
        {
          g_autofree char *stranger_hex = NULL;

          stranger_hex = tally_hex_encode_bare (stranger.key, TALLY_PRIVATE_KEY_LEN);
          g_string_append_printf (input, "D %s %s\n", stranger_hex, sealed_hex);
        }
    }

  lines = run_eciesjs (node, package, input->str);
  g_assert_cmpuint (g_strv_length (lines), ==, 2 * CROSS_ROUNDS + 1);

  for (guint i = 0, line = 0; i < CROSS_ROUNDS; i++)
    {
      gsize              message_len;
      const guint8      *message = g_bytes_get_data (messages[i], &message_len);
      g_autofree guint8 *theirs = NULL;
      gsize              theirs_len = 0;
      g_autofree guint8 *opened = NULL;
      gboolean           ok;
      g_autoptr (GError) error = NULL;

      /* eciesjs sealed, we open. */
      g_assert_true (tally_hex_decode (&theirs, &theirs_len, lines[line], -1, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (theirs_len, ==, message_len + TALLY_ECIES_OVERHEAD);
      opened = g_malloc (message_len + 1);
      ok = tally_ecies_open (opened, pairs[i].key, theirs, theirs_len, &error);
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpmem (opened, message_len, message, message_len);
      line++;

      /* We sealed, eciesjs opens. */
      g_assert_false (g_str_has_prefix (lines[line], "ERR"));
      {
        g_autofree char *expected = tally_hex_encode_bare (message, message_len);

        g_assert_cmpstr (lines[line], ==, expected);
      }
      line++;

      if (i == 0)
        {
          g_assert_true (g_str_has_prefix (lines[line], "ERR"));
          line++;
        }
    }

  for (guint i = 0; i < CROSS_ROUNDS; i++)
    {
      g_bytes_unref (messages[i]);
      g_bytes_unref (ours[i]);
    }
}

/* The wipe proof, as in test-keys-wipe.c (after libwally's
 * src/ctest/test_clear.c): each operation runs on a stack of our own,
 * filled with a pattern, which is then searched for every secret the
 * operation handled: the private key, the ECDH shared point, the HKDF
 * pseudo-random key, the AES key and the plaintext. libsecp256k1 keeps
 * numbers as little-endian limbs, so each is also looked for reversed, and
 * in halves. */

#define SCAN_STACK_SIZE     (1024 * 1024)
#define SCAN_STACK_HEADROOM (64 * 1024)
#define SCAN_STACK_FILL     0x5a

typedef struct
{
  void (*func) (gpointer data);
  gpointer data;
} StackJob;

/* Thread exit runs just below the thread's first frame: the job runs below
 * a gap those calls never reach, so they cannot hide what it left. */
static G_GNUC_NO_INLINE void
run_below_headroom (StackJob *job)
{
  guint8 *gap = alloca (SCAN_STACK_HEADROOM);

  __asm__ __volatile__(""
                       :
                       : "r"(gap)
                       : "memory");
  job->func (job->data);
}

static void *
stack_job_thread (void *data)
{
  run_below_headroom (data);
  return NULL;
}

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

/* AddressSanitizer poisons a finished thread's frames; reading them is the
 * point, so the scan goes byte by byte without instrumentation. */
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
stack_holds_secret (const guint8 *stack,
                    const guint8 *secret,
                    gsize         len)
{
  g_autofree guint8 *reversed = g_malloc (len);
  gsize              half = len / 2;

  for (gsize i = 0; i < len; i++)
    reversed[i] = secret[len - 1 - i];

  return memory_holds (stack, SCAN_STACK_SIZE, secret, half) ||
         memory_holds (stack, SCAN_STACK_SIZE, secret + half, len - half) ||
         memory_holds (stack, SCAN_STACK_SIZE, reversed, half) ||
         memory_holds (stack, SCAN_STACK_SIZE, reversed + half, len - half);
}

#define WIPE_MESSAGE_LEN 32

typedef struct
{
  KeyPair pair;
  guint8  message[WIPE_MESSAGE_LEN];
  guint8  sealed[WIPE_MESSAGE_LEN + TALLY_ECIES_OVERHEAD];
  guint8  opened[WIPE_MESSAGE_LEN];
} WipeData;

static void
wipe_op_seal (gpointer data)
{
  WipeData *wipe = data;

  g_assert_true (tally_ecies_seal (wipe->sealed, wipe->pair.public_key, wipe->message,
                                   sizeof wipe->message, NULL));
}

static void
wipe_op_open (gpointer data)
{
  WipeData *wipe = data;

  g_assert_true (tally_ecies_open (wipe->opened, wipe->pair.key, wipe->sealed,
                                   sizeof wipe->sealed, NULL));
}

static void
wipe_op_open_wrong_tag (gpointer data)
{
  WipeData *wipe = data;

  wipe->sealed[TAG_OFFSET] ^= 0x01;
  g_assert_false (tally_ecies_open (wipe->opened, wipe->pair.key, wipe->sealed,
                                    sizeof wipe->sealed, NULL));
  wipe->sealed[TAG_OFFSET] ^= 0x01;
}

static void
wipe_op_signer (gpointer data)
{
  WipeData       *wipe = data;
  TallyKeySigner *signer = tally_key_signer_new (wipe->pair.key, NULL);
  GBytes         *sealed = g_bytes_new_static (wipe->sealed, sizeof wipe->sealed);
  GBytes         *opened;

  opened = tally_signer_open_sealed_sync (TALLY_SIGNER (signer), sealed, NULL, NULL);
  g_assert_nonnull (opened);
  g_assert_cmpmem (g_bytes_get_data (opened, NULL), g_bytes_get_size (opened), wipe->message,
                   sizeof wipe->message);
  g_bytes_unref (opened);
  g_bytes_unref (sealed);
  g_object_unref (signer);
}

static int
copy_point (unsigned char       *output,
            const unsigned char *x32,
            const unsigned char *y32,
            void                *data)
{
  memcpy (output, x32, 32);
  memcpy (output + 32, y32, 32);
  return 1;
}

/* The secrets behind a sealed message, found here the long way: ECDH of
 * the recipient's key and the ephemeral point, then HKDF-SHA256 written out
 * as its two HMACs (one output block, no info). */
static void
derive_secrets (const WipeData *wipe,
                guint8          shared_xy[64],
                guint8          prk[SHA256_DIGEST_SIZE],
                guint8          aes_key[SHA256_DIGEST_SIZE])
{
  static const guint8    zeros[SHA256_DIGEST_SIZE] = { 0 };
  static const guint8    counter = 0x01;
  const guint8           uncompressed = 0x04;
  secp256k1_pubkey       ephemeral;
  struct hmac_sha256_ctx hmac;
  struct gcm_aes256_ctx  gcm;
  guint8                 ciphertext[WIPE_MESSAGE_LEN];
  guint8                 tag[GCM_DIGEST_SIZE];

  g_assert_true (secp256k1_ec_pubkey_parse (tally_secp256k1_context (), &ephemeral, wipe->sealed,
                                            TALLY_ECIES_EPHEMERAL_KEY_LEN));
  g_assert_true (secp256k1_ecdh (tally_secp256k1_context (), shared_xy, &ephemeral,
                                 wipe->pair.key, copy_point, NULL));

  hmac_sha256_set_key (&hmac, sizeof zeros, zeros);
  hmac_sha256_update (&hmac, TALLY_ECIES_EPHEMERAL_KEY_LEN, wipe->sealed);
  hmac_sha256_update (&hmac, 1, &uncompressed);
  hmac_sha256_update (&hmac, 64, shared_xy);
  hmac_sha256_digest (&hmac, SHA256_DIGEST_SIZE, prk);
  hmac_sha256_set_key (&hmac, SHA256_DIGEST_SIZE, prk);
  hmac_sha256_update (&hmac, 1, &counter);
  hmac_sha256_digest (&hmac, SHA256_DIGEST_SIZE, aes_key);

  /* They are the real ones only if that key makes the message's tag. */
  gcm_aes256_set_key (&gcm, aes_key);
  gcm_aes256_set_iv (&gcm, TALLY_ECIES_NONCE_LEN, wipe->sealed + NONCE_OFFSET);
  gcm_aes256_encrypt (&gcm, WIPE_MESSAGE_LEN, ciphertext, wipe->message);
  gcm_aes256_digest (&gcm, sizeof tag, tag);
  g_assert_cmpmem (tag, sizeof tag, wipe->sealed + TAG_OFFSET, TALLY_ECIES_TAG_LEN);
  g_assert_cmpmem (ciphertext, sizeof ciphertext, wipe->sealed + CIPHERTEXT_OFFSET,
                   WIPE_MESSAGE_LEN);
}

static void
test_wipe (void)
{
  static const struct
  {
    const char *what;
    void (*func) (gpointer data);
  } operations[] = {
    { "sealing", wipe_op_seal },
    { "opening", wipe_op_open },
    { "refusing a wrong tag", wipe_op_open_wrong_tag },
    { "opening through TallyKeySigner", wipe_op_signer },
  };
  g_autoptr (TallySecret) secret = tally_secret_new (sizeof (WipeData));
  WipeData *wipe = (WipeData *) secret->data;
  g_autoptr (GString) leaks = g_string_new (NULL);
  guint8 shared_xy[64];
  guint8 prk[SHA256_DIGEST_SIZE];
  guint8 aes_key[SHA256_DIGEST_SIZE];

  /* Set up the context first: its creation is not the code under test. */
  (void) tally_secp256k1_context ();
  random_key_pair (&wipe->pair);
  random_key ((guint8 *) wipe->message);

  for (guint i = 0; i < G_N_ELEMENTS (operations); i++)
    {
      StackJob job = { operations[i].func, wipe };
      guint8  *stack = run_on_own_stack (&job);
      const struct
      {
        const char   *name;
        const guint8 *bytes;
        gsize         len;
      } secrets[] = {
        { "the private key", wipe->pair.key, TALLY_PRIVATE_KEY_LEN },
        { "the shared point's x", shared_xy, 32 },
        { "the shared point's y", shared_xy + 32, 32 },
        { "the HKDF key", prk, sizeof prk },
        { "the AES key", aes_key, sizeof aes_key },
        { "the plaintext", wipe->message, sizeof wipe->message },
      };

      /* Sealing made the message the others open. */
      derive_secrets (wipe, shared_xy, prk, aes_key);
      for (guint j = 0; j < G_N_ELEMENTS (secrets); j++)
        if (stack_holds_secret (stack, secrets[j].bytes, secrets[j].len))
          g_string_append_printf (leaks, "%s left %s on the stack; ", operations[i].what,
                                  secrets[j].name);

      /* A positive control: sealing keeps the recipient's public key, not
       * secret, in its own frame. Finding it shows the scan sees the frames
       * of the code under test. */
      if (operations[i].func == wipe_op_seal)
        g_assert_true (memory_holds (stack, SCAN_STACK_SIZE, wipe->pair.public_key,
                                     TALLY_PUBLIC_KEY_LEN));
      munmap (stack, SCAN_STACK_SIZE);
    }

  tally_wipe (shared_xy, sizeof shared_xy);
  tally_wipe (prk, sizeof prk);
  tally_wipe (aes_key, sizeof aes_key);
  if (leaks->len > 0)
    g_test_fail_printf ("%s", leaks->str);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wallet/ecies/round-trip", test_round_trip);
  g_test_add_func ("/wallet/ecies/wrong-key", test_wrong_key);
  g_test_add_func ("/wallet/ecies/invalid-private-key", test_invalid_private_key);
  g_test_add_func ("/wallet/ecies/seal-invalid-public-key", test_seal_invalid_public_key);
  g_test_add_func ("/wallet/ecies/truncated", test_truncated);
  g_test_add_func ("/wallet/ecies/bit-flips", test_bit_flips);
  g_test_add_func ("/wallet/ecies/ephemeral-key-off-curve", test_ephemeral_key_off_curve);
  g_test_add_func ("/wallet/ecies/ephemeral-key-prefix", test_ephemeral_key_prefix);
  g_test_add_func ("/wallet/ecies/eciesjs", test_eciesjs);
  g_test_add_func ("/wallet/ecies/wipe", test_wipe);

  return g_test_run ();
}
