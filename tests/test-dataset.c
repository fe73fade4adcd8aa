/* test-dataset.c: private datasets — task keys in a real keyring
 * (app/task-key.c; sealing one item: test-item-cipher.c), a
 * folder encrypted into items and a schema 2 manifest (app/dataset.c), and
 * tally-cli dataset encrypt, export-key and import-key
 *
 * Runs inside tests/keyring-harness: a private gnome-keyring on a private
 * D-Bus. The markers written into every plaintext must appear in no file of
 * the output folder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsecret/secret.h>
#include <nettle/sha2.h>

#include "core-error.h"
#include "dataset.h"
#include "item-cipher.h"
#include "task-key.h"
#include "tally-test-util.h"
#include "wallet/hex.h"
#include "wallet/keccak.h"

#define MARKER "TALLY-PLAINTEXT-MARKER-7f3a"
/* anvil's "test ... junk" accounts 1 and 2: public, test only. */
#define KEY_1     "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
#define KEY_2     "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"
#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* ---- image sizes ------------------------------------------------------- */

static const guint8 png_header[] = {
  0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
  0, 0, 0x02, 0x80, 0, 0, 0x01, 0xe0, 8, 6, 0, 0, 0 /* 640 × 480 */
};
/* SOI, an APP0 of 16 bytes, then a progressive frame (SOF2) of 300 × 200. */
static const guint8 jpeg_header[] = {
  0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
  0xff, 0xc2, 0, 11, 8, 0, 200, 0x01, 0x2c, 1, 1, 0x11, 0
};
static const guint8 webp_lossy[] = {
  'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', ' ', 0, 0, 0, 0,
  0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00 /* 320 × 240 */
};
static const guint8 webp_lossless[] = {
  'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'L', 0, 0, 0, 0,
  0x2f, 0x63, 0xc0, 0x18, 0x00, 0, 0, 0, 0, 0 /* 100 × 100 */
};
static const guint8 webp_extended[] = {
  'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'X', 10, 0, 0, 0,
  0, 0, 0, 0, 0xff, 0x0f, 0x00, 0x37, 0x04, 0x00 /* 4096 × 1080 */
};
/* A scan starts before any frame header. */
static const guint8 jpeg_no_frame[] = { 0xff, 0xd8, 0xff, 0xda, 0, 8, 1, 2, 3, 4, 5, 6 };
/* An APP0 whose length runs past the end. */
static const guint8 jpeg_overrun[] = { 0xff, 0xd8, 0xff, 0xe0, 0xff, 0xff, 'J', 'F' };

static void
test_image_size (void)
{
  static const struct
  {
    const guint8 *data;
    gsize         len;
    const char   *media_type;
    guint         width; /* 0: refused */
    guint         height;
  } cases[] = {
    { png_header, sizeof png_header, "image/png", 640, 480 },
    { jpeg_header, sizeof jpeg_header, "image/jpeg", 300, 200 },
    { webp_lossy, sizeof webp_lossy, "image/webp", 320, 240 },
    { webp_lossless, sizeof webp_lossless, "image/webp", 100, 100 },
    { webp_extended, sizeof webp_extended, "image/webp", 4096, 1080 },
    { png_header, sizeof png_header - 6, "image/png", 0, 0 },
    { png_header, sizeof png_header, "image/jpeg", 0, 0 },
    { jpeg_header, sizeof jpeg_header, "image/png", 0, 0 },
    { jpeg_header, 24, "image/jpeg", 0, 0 },
    { jpeg_no_frame, sizeof jpeg_no_frame, "image/jpeg", 0, 0 },
    { jpeg_overrun, sizeof jpeg_overrun, "image/jpeg", 0, 0 },
    { webp_lossy, 20, "image/webp", 0, 0 },
    { (const guint8 *) MARKER, strlen (MARKER), "image/webp", 0, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint    width = 1;
      guint    height = 1;
      gboolean ok = tally_dataset_image_size (cases[i].data, cases[i].len, cases[i].media_type,
                                              &width, &height);

      g_test_message ("case %u", i);
      g_assert_true (ok == (cases[i].width != 0));
      g_assert_cmpuint (width, ==, cases[i].width);
      g_assert_cmpuint (height, ==, cases[i].height);
    }
}

/* ---- task keys in the keyring ------------------------------------------ */

static void
address_of (TallyAddress *address,
            const char   *key_hex)
{
  guint8 key[TALLY_PRIVATE_KEY_LEN];

  g_assert_true (tally_hex_decode_fixed (key, sizeof key, key_hex, -1, NULL));
  g_assert_true (tally_address_from_private_key (address, key, NULL));
}

static void
test_task_key (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *hash_hex = NULL;
  TallyAddress     requester;
  TallyAddress     other;
  char             requester_text[TALLY_ADDRESS_STRING_SIZE];
  guint8           key[TALLY_TASK_KEY_LEN];
  guint8           second[TALLY_TASK_KEY_LEN];
  guint8           hash[TALLY_KECCAK256_LEN];
  guint8           second_hash[TALLY_KECCAK256_LEN];
  guint8           found[TALLY_TASK_KEY_LEN];

  address_of (&requester, KEY_1);
  address_of (&other, KEY_2);
  g_assert_true (tally_task_key_generate (key, &error));
  g_assert_true (tally_task_key_generate (second, &error));
  g_assert_true (memcmp (key, second, sizeof key) != 0);
  tally_task_key_hash (hash, key);
  tally_task_key_hash (second_hash, second);

  g_assert_true (tally_task_key_store_sync (&requester, hash, key, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (tally_task_key_lookup_sync (&requester, hash, found, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (found, sizeof found, key, sizeof key);

  /* Under another account, or another hash: not there, and no key out. */
  memset (found, 0xaa, sizeof found);
  g_assert_false (tally_task_key_lookup_sync (&other, hash, found, NULL, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "holds no task key"));
  g_clear_error (&error);
  for (guint i = 0; i < sizeof found; i++)
    g_assert_cmpuint (found[i], ==, 0);
  g_assert_false (tally_task_key_lookup_sync (&requester, second_hash, found, NULL, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A key is only stored under its own hash. */
  g_assert_false (tally_task_key_store_sync (&requester, second_hash, key, NULL, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_KEY);
  g_clear_error (&error);

  /* An entry someone else changed is checked before it is returned. */
  tally_address_to_string (&requester, requester_text);
  hash_hex = tally_hex_encode (second_hash, sizeof second_hash);
  g_assert_true (secret_password_store_sync (
    &(SecretSchema){ TALLY_TASK_KEY_SCHEMA_NAME,
                     SECRET_SCHEMA_NONE,
                     { { "requester", SECRET_SCHEMA_ATTRIBUTE_STRING },
                       { "key-hash", SECRET_SCHEMA_ATTRIBUTE_STRING },
                       { NULL, 0 } } },
    SECRET_COLLECTION_DEFAULT, "damaged", &KEY_1[2], NULL, &error, "requester", requester_text,
    "key-hash", hash_hex, NULL));
  g_assert_no_error (error);
  g_assert_false (tally_task_key_lookup_sync (&requester, second_hash, found, NULL, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_KEY);
  g_assert_nonnull (strstr (error->message, "is damaged"));
}

/* ---- a folder ---------------------------------------------------------- */

typedef struct
{
  char *root;
  char *in;
  char *out;
} Folders;

static void
write_file (const char   *dir,
            const char   *name,
            const guint8 *data,
            gsize         len)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_set_contents (path, (const char *) data, (gssize) len, &error));
  g_assert_no_error (error);
}

/* Every item carries the marker: images after their header. */
static GBytes *
with_marker (const guint8 *header,
             gsize         len)
{
  GByteArray *bytes = g_byte_array_new ();

  g_byte_array_append (bytes, header, (guint) len);
  g_byte_array_append (bytes, (const guint8 *) MARKER, strlen (MARKER));
  return g_byte_array_free_to_bytes (bytes);
}

static void
folders_set_up (Folders      *f,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) png = with_marker (png_header, sizeof png_header);
  g_autoptr (GBytes) jpeg = with_marker (jpeg_header, sizeof jpeg_header);
  const char *text = "A text about " MARKER ", in UTF-8: café.\n";

  f->root = g_dir_make_tmp ("tally-dataset-XXXXXX", &error);
  g_assert_no_error (error);
  f->in = g_build_filename (f->root, "Street photos", NULL);
  f->out = g_build_filename (f->root, "out", "items", NULL);
  g_assert_cmpint (g_mkdir (f->in, 0700), ==, 0);
  write_file (f->in, "b.png", g_bytes_get_data (png, NULL), g_bytes_get_size (png));
  write_file (f->in, "a photo.JPG", g_bytes_get_data (jpeg, NULL), g_bytes_get_size (jpeg));
  write_file (f->in, "c.md", (const guint8 *) text, strlen (text));
  /* Neither is an item: a hidden file and a folder. */
  write_file (f->in, ".notes", (const guint8 *) MARKER, strlen (MARKER));
  {
    g_autofree char *sub = g_build_filename (f->in, "sub", NULL);

    g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
    write_file (sub, "d.txt", (const guint8 *) MARKER, strlen (MARKER));
  }
}

static void
folders_tear_down (Folders      *f,
                   gconstpointer data)
{
  tally_test_remove_tree (f->root);
  g_free (f->root);
  g_free (f->in);
  g_free (f->out);
}

static GBytes *
read_bytes (const char *dir,
            const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

/* No file of out holds the marker; returns how many files there are. */
static guint
assert_no_plaintext (const char *out)
{
  g_autoptr (GDir) dir = g_dir_open (out, 0, NULL);
  const char *name;
  guint       n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autoptr (GBytes) bytes = read_bytes (out, name);

      g_assert_null (memmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), MARKER,
                             strlen (MARKER)));
      g_assert_null (memmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "café",
                             strlen ("café")));
      n++;
    }
  return n;
}

/* Every item of the manifest, read from out, matches its hash and size
 * and opens with key to the file it came from. */
static void
assert_items_open (TallyManifest *manifest,
                   const char    *in,
                   const char    *out,
                   const guint8  *key)
{
  static const char *const sources[] = { "a photo.JPG", "b.png", "c.md" };

  g_assert_cmpuint (tally_manifest_get_n_items (manifest), ==, G_N_ELEMENTS (sources));
  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    {
      const TallyManifestItem *item = tally_manifest_get_item (manifest, i);
      g_autofree char         *file_name = g_strconcat (item->id, ".bin", NULL);
      g_autoptr (GBytes) sealed = read_bytes (out, file_name);
      g_autoptr (GBytes) original = read_bytes (in, sources[i]);
      g_autoptr (GBytes) plain = NULL;
      g_autoptr (GError) error = NULL;
      struct sha256_ctx sha;
      guint8            digest[SHA256_DIGEST_SIZE];

      g_assert_cmpuint (item->size, ==, g_bytes_get_size (sealed));
      sha256_init (&sha);
      sha256_update (&sha, g_bytes_get_size (sealed), g_bytes_get_data (sealed, NULL));
      sha256_digest (&sha, sizeof digest, digest);
      g_assert_cmpmem (item->sha256, sizeof item->sha256, digest, sizeof digest);
      plain = tally_item_cipher_open (key, item->id, sealed, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (plain, original));
    }
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_encrypt_folder (Folders      *f,
                     gconstpointer data)
{
  static const char *const classes[] = { "Car", "Bicycle", "Nothing", NULL };
  TallyDatasetOptions      options = { NULL, "Pick one.", classes,
                                       TALLY_MANIFEST_TOOL_CLASSIFY | TALLY_MANIFEST_TOOL_SPAN,
                                       "https://data.example.org/t/1" };
  g_autoptr (GFile) in = g_file_new_for_path (f->in);
  g_autoptr (GFile) out = g_file_new_for_path (f->out);
  g_autoptr (TallyManifest) manifest = NULL;
  g_autoptr (TallyManifest) again = NULL;
  g_autoptr (TallyManifest) reread = NULL;
  g_autoptr (GBytes) written = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char         *uri = NULL;
  const TallyManifestItem *item;
  guint8                   key[TALLY_TASK_KEY_LEN];

  g_assert_true (tally_task_key_generate (key, &error));
  /* In a worker thread, as the app calls it; the output folder is made. */
  tally_dataset_encrypt_async (in, out, &options, key, NULL, on_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  manifest = tally_dataset_encrypt_finish (result, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (tally_manifest_get_schema_version (manifest), ==, 2);
  g_assert_true (tally_manifest_check_task_key (manifest, key, &error));
  g_assert_cmpstr (tally_manifest_get_title (manifest), ==, "Street photos");
  g_assert_cmpstr (tally_manifest_get_instructions (manifest), ==, "Pick one.");
  g_assert_cmpuint (tally_manifest_get_n_label_classes (manifest), ==, 3);
  g_assert_cmpint (tally_manifest_get_label_class (manifest, 2)->hotkey, ==, '3');
  g_assert_cmpint (tally_manifest_get_tools (manifest), ==,
                   TALLY_MANIFEST_TOOL_CLASSIFY | TALLY_MANIFEST_TOOL_SPAN);
  /* Sorted by file name; ids from names, kinds and sizes from the files. */
  item = tally_manifest_get_item (manifest, 0);
  g_assert_cmpstr (item->id, ==, "a-photo.JPG");
  g_assert_cmpstr (item->uri, ==, "https://data.example.org/t/1/a-photo.JPG.bin");
  g_assert_cmpstr (item->media_type, ==, "image/jpeg");
  g_assert_cmpuint (item->width, ==, 300);
  g_assert_cmpuint (item->height, ==, 200);
  item = tally_manifest_get_item (manifest, 1);
  g_assert_cmpstr (item->id, ==, "b.png");
  g_assert_cmpuint (item->width, ==, 640);
  g_assert_cmpuint (item->height, ==, 480);
  item = tally_manifest_get_item (manifest, 2);
  g_assert_cmpstr (item->id, ==, "c.md");
  g_assert_cmpint (item->kind, ==, TALLY_MANIFEST_ITEM_TEXT);
  g_assert_cmpstr (item->media_type, ==, "text/plain");
  g_assert_cmpuint (item->width, ==, 0);

  /* Three items and the manifest, none in the clear. */
  g_assert_cmpuint (assert_no_plaintext (f->out), ==, 4);
  assert_items_open (manifest, f->in, f->out, key);
  written = read_bytes (f->out, TALLY_DATASET_MANIFEST_NAME);
  g_assert_true (g_bytes_equal (written, tally_manifest_get_bytes (manifest)));
  uri = g_filename_to_uri (f->out, NULL, NULL);
  reread = tally_manifest_new_from_bytes (written, uri, tally_manifest_get_keccak (manifest),
                                          &error);
  g_assert_no_error (error);
  g_assert_true (tally_manifest_is_encrypted (reread));

  /* A second run never mixes its files with the first's. */
  again = tally_dataset_encrypt_sync (in, out, &options, key, NULL, &error);
  g_assert_null (again);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE);
  g_assert_nonnull (strstr (error->message, "is not empty"));
  g_assert_cmpuint (assert_no_plaintext (f->out), ==, 4);
}

/* A refused folder leaves nothing behind, not even the folder it made. */
static void
test_encrypt_refusals (Folders      *f,
                       gconstpointer data)
{
  static const char *const classes[] = { "Yes", "No", NULL };
  static const struct
  {
    const char *name;
    const char *contents;
    const char *base_uri;
    const char *message;
  } cases[] = {
    { "z.gif", "GIF89a", "https://x.example/", "z.gif is neither an image" },
    { "z.webp", MARKER, "https://x.example/", "z.webp is not a webp image, as its name says" },
    { "z.txt", "\xff\xfe" MARKER, "https://x.example/", "z.txt is not UTF-8 text" },
    { "z.txt", "", "https://x.example/", "z.txt is 0 bytes" },
    { "A.MD", "a", "https://x.example/", "would both be the item “a.md”" },
    { "z.txt", "a", "ftp://x.example/",
      "The manifest would not be valid: Item 0 (“a-photo.JPG”): uri “ftp://x.example/a-photo" },
  };
  g_autoptr (GFile) in = g_file_new_for_path (f->in);
  g_autoptr (GFile) out = g_file_new_for_path (f->out);
  guint8 key[TALLY_TASK_KEY_LEN] = { 1 };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TallyDatasetOptions options = { "T", NULL, classes, 0, cases[i].base_uri };
      g_autofree char    *path = g_build_filename (f->in, cases[i].name, NULL);
      g_autoptr (TallyManifest) manifest = NULL;
      g_autoptr (GError) error = NULL;

      write_file (f->in, cases[i].name, (const guint8 *) cases[i].contents,
                  strlen (cases[i].contents));
      if (g_str_equal (cases[i].name, "A.MD"))
        write_file (f->in, "a.md", (const guint8 *) "b", 1);
      manifest = tally_dataset_encrypt_sync (in, out, &options, key, NULL, &error);
      g_assert_null (manifest);
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("“%s” does not contain “%s”", error->message, cases[i].message);
      g_assert_false (g_file_test (f->out, G_FILE_TEST_EXISTS));
      g_assert_cmpint (g_remove (path), ==, 0);
      if (g_str_equal (cases[i].name, "A.MD"))
        {
          g_autofree char *lower = g_build_filename (f->in, "a.md", NULL);

          g_assert_cmpint (g_remove (lower), ==, 0);
        }
    }

  /* The manifest's own rules: two classes at least, tools that fit. */
  {
    static const char *const one[] = { "Only", NULL };
    TallyDatasetOptions      options = { "T", NULL, one, 0, "https://x.example/" };
    g_autoptr (GError) error = NULL;

    g_assert_null (tally_dataset_encrypt_sync (in, out, &options, key, NULL, &error));
    g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST);
    g_assert_nonnull (strstr (error->message, "classes must list 2 to 255 classes, not 1"));
    g_assert_false (g_file_test (f->out, G_FILE_TEST_EXISTS));
  }
  {
    TallyDatasetOptions options = { "T", NULL, classes, TALLY_MANIFEST_TOOL_SPAN,
                                    "https://x.example/" };
    g_autoptr (GError) error = NULL;

    g_assert_null (tally_dataset_encrypt_sync (in, out, &options, key, NULL, &error));
    g_assert_nonnull (strstr (error->message, "image items need the classify or the box tool"));
    g_assert_false (g_file_test (f->out, G_FILE_TEST_EXISTS));
  }
}

/* ---- tally-cli dataset ------------------------------------------------- */

typedef struct
{
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* tally-cli with a network file (it is never contacted) and a key file. */
static void
run_cli (Run               *run,
         Folders           *f,
         const char        *key_file,
         const char *const *args)
{
  g_autoptr (GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *network = g_build_filename (f->root, "network.json", NULL);

  g_subprocess_launcher_setenv (launcher, "TALLY_NETWORK", network, TRUE);
  g_ptr_array_add (argv, (gpointer) g_getenv ("TALLY_CLI"));
  g_ptr_array_add (argv, (gpointer) "--private-key-file");
  g_ptr_array_add (argv, (gpointer) key_file);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);
  g_test_message ("tally-cli %s: %d %s%s", args[1], run->status, run->out, run->err);
}

static void
assert_cli_error (const Run  *run,
                  int         status,
                  const char *message)
{
  g_assert_cmpint (run->status, ==, status);
  g_assert_cmpstr (run->out, ==, "");
  g_assert_true (g_str_has_prefix (run->err, "tally-cli: "));
  g_assert_nonnull (strstr (run->err, message));
}

static char *
write_root_file (Folders    *f,
                 const char *name,
                 const char *hex)
{
  g_autofree char *path = g_build_filename (f->root, name, NULL);

  g_assert_true (g_file_set_contents (path, hex, -1, NULL));
  return g_steal_pointer (&path);
}

static void
test_cli (Folders      *f,
          gconstpointer data)
{
  g_autofree char *key_1 = write_root_file (f, "key-1", KEY_1 "\n");
  g_autofree char *key_2 = write_root_file (f, "key-2", KEY_2);
  g_autofree char *exported = g_build_filename (f->root, "task.key", NULL);
  g_autofree char *manifest_path = g_build_filename (f->out, TALLY_DATASET_MANIFEST_NAME, NULL);
  g_autofree char *wrong_key = NULL;
  g_autofree char *hash_hex = NULL;
  g_autofree char *exported_text = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (TallyManifest) manifest = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (Run) run = { 0 };
  JsonObject  *object;
  TallyAddress requester;
  TallyAddress other;
  GStatBuf     st;
  guint8       key[TALLY_TASK_KEY_LEN];
  guint8       keccak[TALLY_KECCAK256_LEN];

  /* A network file for the account options; its node is never contacted. */
  g_free (write_root_file (f, "network.json",
                           "{\"name\":\"Test\",\"rpcUrl\":\"http://127.0.0.1:9\",\"chainId\":31337,"
                           "\"deploymentBlock\":0,\"contracts\":{"
                           "\"LabelMarket\":{\"address\":\"0x5FbDB2315678afecb367f032d93F642f64180aa3\","
                           "\"deploymentBlock\":0},"
                           "\"LabelToken\":{\"address\":\"0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512\","
                           "\"deploymentBlock\":0}},"
                           "\"token\":{\"symbol\":\"LABEL\",\"decimals\":18}}"));
  address_of (&requester, KEY_1);
  address_of (&other, KEY_2);

  run_cli (&run, f, key_1,
           (const char *const[]){ "dataset", "encrypt", "--in", f->in, "--out", f->out,
                                  "--base-uri", "https://data.example.org/t/", "--classes",
                                  "Car, Bicycle ,Nothing", "--title", "Streets", "--tools",
                                  "classify,span", "--json", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  g_assert_true (json_parser_load_from_data (parser, run.out, -1, &error));
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (object, "manifest"), ==, manifest_path);
  g_assert_cmpint (json_object_get_int_member (object, "items"), ==, 3);

  bytes = read_bytes (f->out, TALLY_DATASET_MANIFEST_NAME);
  tally_keccak256 (keccak, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  hash_hex = tally_hex_encode (keccak, sizeof keccak);
  g_assert_cmpstr (json_object_get_string_member (object, "manifestHash"), ==, hash_hex);
  manifest = tally_manifest_new_from_bytes (bytes, NULL, keccak, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tally_manifest_get_label_class (manifest, 1)->name, ==, "Bicycle");
  g_assert_cmpuint (assert_no_plaintext (f->out), ==, 4);

  /* The key is in the keyring under the account, and opens every item. */
  g_assert_true (tally_task_key_lookup_sync (&requester, tally_manifest_get_key_hash (manifest),
                                             key, NULL, &error));
  g_assert_no_error (error);
  assert_items_open (manifest, f->in, f->out, key);
  g_assert_false (tally_task_key_lookup_sync (&other, tally_manifest_get_key_hash (manifest), key,
                                              NULL, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* export-key: a new file, mode 0600, with the key. */
  run_clear (&run);
  run_cli (&run, f, key_1,
           (const char *const[]){ "dataset", "export-key", "--manifest", manifest_path, "--out",
                                  exported, NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpint (g_stat (exported, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (exported, &exported_text, NULL, NULL));
  g_assert_true (tally_task_key_lookup_sync (&requester, tally_manifest_get_key_hash (manifest),
                                             key, NULL, &error));
  {
    g_autofree char *expected = tally_hex_encode (key, sizeof key);
    g_autofree char *line = g_strconcat (expected, "\n", NULL);

    g_assert_cmpstr (exported_text, ==, line);
  }
  run_clear (&run);
  run_cli (&run, f, key_1,
           (const char *const[]){ "dataset", "export-key", "--manifest", manifest_path, "--out",
                                  exported, NULL });
  assert_cli_error (&run, 2, "already exists");
  /* Another account has no key to export. */
  {
    g_autofree char *elsewhere = g_build_filename (f->root, "other.key", NULL);

    run_clear (&run);
    run_cli (&run, f, key_2,
             (const char *const[]){ "dataset", "export-key", "--manifest", manifest_path,
                                    "--out", elsewhere, NULL });
    assert_cli_error (&run, 1, "holds no task key");
    g_assert_false (g_file_test (elsewhere, G_FILE_TEST_EXISTS));
  }

  /* import-key refuses a key that is not the dataset's, and a file that
   * is no key, without echoing it. */
  wrong_key = write_root_file (f, "wrong.key", KEY_2 "\n");
  run_clear (&run);
  run_cli (&run, f, key_2,
           (const char *const[]){ "dataset", "import-key", "--manifest", manifest_path,
                                  "--key-file", wrong_key, NULL });
  assert_cli_error (&run, 2, "This is not the task's key");
  g_free (wrong_key);
  wrong_key = write_root_file (f, "garbage.key", "0xnot-a-key-" MARKER);
  run_clear (&run);
  run_cli (&run, f, key_2,
           (const char *const[]){ "dataset", "import-key", "--manifest", manifest_path,
                                  "--key-file", wrong_key, NULL });
  assert_cli_error (&run, 2, "does not hold a task key");
  g_assert_null (strstr (run.err, MARKER));
  g_assert_false (tally_task_key_lookup_sync (&other, tally_manifest_get_key_hash (manifest), key,
                                              NULL, &error));
  g_clear_error (&error);

  /* The exported key, imported under another account, opens the items. */
  run_clear (&run);
  run_cli (&run, f, key_2,
           (const char *const[]){ "dataset", "import-key", "--manifest", manifest_path,
                                  "--key-file", exported, NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (tally_task_key_lookup_sync (&other, tally_manifest_get_key_hash (manifest), key,
                                             NULL, &error));
  g_assert_no_error (error);
  assert_items_open (manifest, f->in, f->out, key);

  /* One line for people; a second dataset of the account has its own key. */
  {
    g_autofree char *second = g_build_filename (f->root, "second", NULL);
    g_autofree char *second_manifest = g_build_filename (second, "manifest.json", NULL);
    g_autoptr (GBytes) second_bytes = NULL;
    g_autoptr (TallyManifest) parsed = NULL;
    g_autofree char *line = NULL;

    run_clear (&run);
    run_cli (&run, f, key_1,
             (const char *const[]){ "dataset", "encrypt", "--in", f->in, "--out", second,
                                    "--base-uri", "https://x.example/", "--classes", "A,B",
                                    NULL });
    g_assert_cmpint (run.status, ==, 0);
    second_bytes = read_bytes (second, "manifest.json");
    parsed = tally_manifest_new_from_bytes (second_bytes, NULL, NULL, &error);
    g_assert_no_error (error);
    g_free (hash_hex);
    hash_hex = tally_hex_encode (tally_manifest_get_keccak (parsed), TALLY_KECCAK256_LEN);
    line = g_strdup_printf ("%s: keccak-256 %s, 3 items\n", second_manifest, hash_hex);
    g_assert_cmpstr (run.out, ==, line);
    g_assert_cmpstr (tally_manifest_get_title (parsed), ==, "Street photos");
    g_assert_true (memcmp (tally_manifest_get_key_hash (parsed),
                           tally_manifest_get_key_hash (manifest), TALLY_KECCAK256_LEN) != 0);
    g_assert_cmpuint (assert_no_plaintext (second), ==, 4);
  }

  /* Usage: classes are needed, and a plain manifest has no key. */
  run_clear (&run);
  run_cli (&run, f, key_1,
           (const char *const[]){ "dataset", "encrypt", "--in", f->in, "--out", exported,
                                  "--base-uri", "https://x.example/", "--classes", "One", NULL });
  assert_cli_error (&run, 2, "--classes names at least two classes");
  g_free (wrong_key);
  wrong_key = write_root_file (f, "plain.json",
                               "{\"schema\":1,\"title\":\"T\",\"classes\":[{\"name\":\"A\","
                               "\"color\":\"#000000\"},{\"name\":\"B\",\"color\":\"#000000\"}],"
                               "\"tools\":[\"classify\"],\"items\":[{\"id\":\"a\",\"kind\":"
                               "\"text\",\"uri\":\"a.txt\",\"sha256\":\"" SHA_EMPTY
                               "\",\"size\":1}]}");
  run_clear (&run);
  run_cli (&run, f, key_1,
           (const char *const[]){ "dataset", "import-key", "--manifest", wrong_key, "--key-file",
                                  exported, NULL });
  assert_cli_error (&run, 2, "is not the manifest of a private dataset");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/dataset/image-size", test_image_size);
  g_test_add_func ("/core/dataset/task-key", test_task_key);
  g_test_add ("/core/dataset/encrypt", Folders, NULL, folders_set_up, test_encrypt_folder,
              folders_tear_down);
  g_test_add ("/core/dataset/encrypt-refusals", Folders, NULL, folders_set_up,
              test_encrypt_refusals, folders_tear_down);
  g_test_add ("/core/dataset/cli", Folders, NULL, folders_set_up, test_cli, folders_tear_down);

  return g_test_run ();
}
