/* fuzz-item-cipher.c: libFuzzer target for opening a sealed item
 * (app/item-cipher.c)
 *
 * Input: an item file as a server might send it, opened with a fixed task
 * key and item id. It is either refused with TALLY_CORE_ERROR_WRONG_KEY and
 * no plaintext, or it opens to exactly 28 bytes fewer, which seal and open
 * again to the same bytes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>

#include "core-error.h"
#include "item-cipher.h"

/* The example of docs/manifest.md: the key 0x000102…1f, so its sealed
 * caption is a seed that opens. */
#define ITEM_ID "caption-0001"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr (GBytes) sealed = g_bytes_new_static (data, size);
  g_autoptr (GBytes) plain = NULL;
  g_autoptr (GBytes) resealed = NULL;
  g_autoptr (GBytes) reopened = NULL;
  g_autoptr (GError) error = NULL;
  guint8 key[TALLY_TASK_KEY_LEN];

  for (guint i = 0; i < TALLY_TASK_KEY_LEN; i++)
    key[i] = (guint8) i;

  plain = tally_item_cipher_open (key, ITEM_ID, sealed, &error);
  if (plain == NULL)
    {
      g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_KEY);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (size, >=, TALLY_ITEM_CIPHER_OVERHEAD);
  g_assert_cmpuint (g_bytes_get_size (plain), ==, size - TALLY_ITEM_CIPHER_OVERHEAD);

  /* Another id is other associated data: the same bytes do not open. */
  g_assert_null (tally_item_cipher_open (key, ITEM_ID "x", sealed, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_KEY);
  g_clear_error (&error);

  resealed = tally_item_cipher_seal (key, ITEM_ID, plain, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (resealed), ==, size);
  reopened = tally_item_cipher_open (key, ITEM_ID, resealed, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (reopened, plain));
  return 0;
}
