/* secret.c: buffers for key material that are wiped when they are freed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-wallet"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>

#include "error.h"
#include "secret.h"

void
tally_wipe (void *data,
            gsize len)
{
  /* explicit_bzero is a store the compiler may not remove as dead, unlike a
   * memset on memory that is about to be freed. */
  if (data != NULL && len > 0)
    explicit_bzero (data, len);
}

gboolean
tally_memeq_consttime (const void *a,
                       const void *b,
                       gsize       len)
{
  const volatile guint8 *pa = a;
  const volatile guint8 *pb = b;
  guint8                 diff = 0;

  /* Runs over every byte whatever they hold: a MAC or checksum compare must
   * not tell an attacker how many leading bytes were right. */
  for (gsize i = 0; i < len; i++)
    diff |= pa[i] ^ pb[i];

  return diff == 0;
}

TallySecret *
tally_secret_new (gsize len)
{
  TallySecret *secret = g_new0 (TallySecret, 1);

  secret->len = len;
  secret->data = g_malloc0 (MAX (len, 1));
  /* Best effort: an unprivileged process may have a small RLIMIT_MEMLOCK. */
  (void) mlock (secret->data, MAX (len, 1));

  return secret;
}

TallySecret *
tally_secret_new_from_data (const guint8 *data,
                            gsize         len)
{
  TallySecret *secret;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  secret = tally_secret_new (len);
  if (len > 0)
    memcpy (secret->data, data, len);

  return secret;
}

void
tally_secret_free (TallySecret *secret)
{
  if (secret == NULL)
    return;

  tally_wipe (secret->data, MAX (secret->len, 1));
  (void) munlock (secret->data, MAX (secret->len, 1));
  g_free (secret->data);
  g_free (secret);
}

gboolean
tally_random_bytes (guint8  *out,
                    gsize    len,
                    GError **error)
{
  gsize filled = 0;

  /* getrandom() may return fewer bytes than asked when a signal interrupts
   * a large request, or fail with EINTR before the pool is ready. */
  while (filled < len)
    {
      ssize_t got = getrandom (out + filled, len - filled, 0);

      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        {
          int saved = errno;

          tally_wipe (out, len);
          g_set_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_UNSUPPORTED,
                       "The system’s random number generator failed: %s", g_strerror (saved));
          return FALSE;
        }
      filled += (gsize) got;
    }
  return TRUE;
}
