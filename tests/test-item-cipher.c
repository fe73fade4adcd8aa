/* test-item-cipher.c: sealing and opening one item of a private dataset
 * (app/item-cipher.c) — round trips, every kind of damage refused without
 * a byte of plaintext, an independent implementation's output, and the
 * worker-thread variant
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "core-error.h"
#include "item-cipher.h"
#include "tally-test-util.h"

/* The item file of docs/manifest.md ("Private datasets"), sealed by Python's
 * cryptography package (AESGCM) with the key 0x000102…1f, the nonce
 * f0e1d2c3b4a5968778695a4b and the id "caption-0001" as associated data. */
#define DOC_ITEM                                                                             \
  "f0e1d2c3b4a5968778695a4baef5c982c0b3e0d8f4a19533d23a1cdab98f3f5c4683815c7f94cd5535c87676" \
  "67eb7ddf986042ddced9b5c71aae6dc01b"
#define DOC_PLAINTEXT "A red car waits at the crossing.\n"
#define MARKER        "TALLY-PLAINTEXT-MARKER-7f3a"

/* ---- one item ---------------------------------------------------------- */

static void
assert_refused (const guint8 *key,
                const char   *id,
                GBytes       *sealed,
                const char   *message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) plain = tally_item_cipher_open (key, id, sealed, &error);

  g_assert_null (plain);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_KEY);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, id));
  if (strstr (error->message, message) == NULL)
    g_error ("“%s” does not contain “%s”", error->message, message);
}

static GBytes *
flipped (GBytes *bytes,
         gsize   at)
{
  gsize   len;
  guint8 *copy = g_memdup2 (g_bytes_get_data (bytes, &len), g_bytes_get_size (bytes));

  g_assert_cmpuint (at, <, len);
  copy[at] ^= 0x01;
  return g_bytes_new_take (copy, len);
}

static void
test_cipher_round_trip (void)
{
  g_autoptr (GBytes) plain = g_bytes_new_static (MARKER, strlen (MARKER));
  g_autoptr (GBytes) sealed = NULL;
  g_autoptr (GBytes) again = NULL;
  g_autoptr (GBytes) opened = NULL;
  g_autoptr (GBytes) opened_again = NULL;
  g_autoptr (GError) error = NULL;
  guint8 key[TALLY_TASK_KEY_LEN];
  guint8 other[TALLY_TASK_KEY_LEN];

  tally_test_random_bytes (key, sizeof key);
  memcpy (other, key, sizeof key);
  other[0] ^= 0x80;

  sealed = tally_item_cipher_seal (key, "img-1", plain, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (sealed), ==, strlen (MARKER) + TALLY_ITEM_CIPHER_OVERHEAD);
  g_assert_null (memmem (g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed), MARKER, 8));
  opened = tally_item_cipher_open (key, "img-1", sealed, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (opened, plain));

  /* A fresh nonce per seal: the same item twice is two different files. */
  again = tally_item_cipher_seal (key, "img-1", plain, &error);
  g_assert_no_error (error);
  g_assert_false (g_bytes_equal (again, sealed));
  g_assert_true (memcmp (g_bytes_get_data (again, NULL), g_bytes_get_data (sealed, NULL),
                         TALLY_ITEM_CIPHER_NONCE_LEN) != 0);
  opened_again = tally_item_cipher_open (key, "img-1", again, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (opened_again, plain));

  assert_refused (other, "img-1", sealed, "the task key is not the one it was encrypted with");
  /* The id is associated data: another item's file does not open. */
  assert_refused (key, "img-2", sealed, "belongs to another item");
  {
    g_autoptr (GBytes) tag = flipped (sealed, g_bytes_get_size (sealed) - 1);
    g_autoptr (GBytes) body = flipped (sealed, TALLY_ITEM_CIPHER_NONCE_LEN);
    g_autoptr (GBytes) nonce = flipped (sealed, 0);
    g_autoptr (GBytes) cut = g_bytes_new_from_bytes (sealed, 0, g_bytes_get_size (sealed) - 1);
    g_autoptr (GBytes) short_ = g_bytes_new_from_bytes (sealed, 0, TALLY_ITEM_CIPHER_OVERHEAD - 1);
    g_autoptr (GBytes) empty = g_bytes_new_static ("", 0);

    assert_refused (key, "img-1", tag, "the file was changed");
    assert_refused (key, "img-1", body, "the file was changed");
    assert_refused (key, "img-1", nonce, "the file was changed");
    assert_refused (key, "img-1", cut, "the file was changed");
    assert_refused (key, "img-1", short_, "it is truncated (27 bytes");
    assert_refused (key, "img-1", empty, "it is truncated (0 bytes");
  }
}

/* An independent implementation's output opens to the documented text. */
static void
test_cipher_vector (void)
{
  gsize              len;
  g_autofree guint8 *data = tally_test_hex_or_die (DOC_ITEM, &len);
  g_autoptr (GBytes) sealed = g_bytes_new (data, len);
  g_autoptr (GBytes) plain = NULL;
  g_autoptr (GError) error = NULL;
  guint8 key[TALLY_TASK_KEY_LEN];

  for (guint i = 0; i < sizeof key; i++)
    key[i] = (guint8) i;
  plain = tally_item_cipher_open (key, "caption-0001", sealed, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), DOC_PLAINTEXT,
                   strlen (DOC_PLAINTEXT));
  assert_refused (key, "caption-0002", sealed, "cannot be decrypted");
}

static void
on_opened (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static GBytes *
open_in_thread (const guint8 *key,
                const char   *id,
                GBytes       *sealed,
                GCancellable *cancellable,
                GError      **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  tally_item_cipher_open_async (key, id, sealed, cancellable, on_opened, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return tally_item_cipher_open_finish (result, error);
}

/* The worker-thread variant gives what the direct call gives, refuses
 * what it refuses, and holds its own copy of the key. */
static void
test_cipher_async (void)
{
  g_autoptr (GBytes) clear = g_bytes_new_static (DOC_PLAINTEXT, strlen (DOC_PLAINTEXT));
  g_autoptr (GBytes) sealed = NULL;
  g_autoptr (GBytes) plain = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  guint8 key[TALLY_TASK_KEY_LEN];

  tally_test_random_bytes (key, sizeof key);
  sealed = tally_item_cipher_seal (key, "photo-1", clear, &error);
  g_assert_no_error (error);

  tally_item_cipher_open_async (key, "photo-1", sealed, NULL, on_opened, &result);
  /* The call copied the key: changing it now changes nothing. */
  memset (key, 0, sizeof key);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  plain = tally_item_cipher_open_finish (result, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (plain, clear));
  g_clear_pointer (&plain, g_bytes_unref);

  /* The zeroed key is the wrong one. */
  plain = open_in_thread (key, "photo-1", sealed, NULL, &error);
  g_assert_null (plain);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_KEY);
  g_clear_error (&error);

  g_cancellable_cancel (cancellable);
  plain = open_in_thread (key, "photo-1", sealed, cancellable, &error);
  g_assert_null (plain);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/item-cipher/round-trip", test_cipher_round_trip);
  g_test_add_func ("/core/item-cipher/vector", test_cipher_vector);
  g_test_add_func ("/core/item-cipher/async", test_cipher_async);
  return g_test_run ();
}
