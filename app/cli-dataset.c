/* cli-dataset.c: tally-cli dataset — a requester's private datasets: a
 * folder encrypted into items and a schema 2 manifest, and the task key,
 * which lives in the keyring under the account and reaches a file only
 * through export-key
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-cli"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "cli.h"
#include "core-error.h"
#include "dataset.h"
#include "task-key.h"
#include "wallet/hex.h"
#include "wallet/secret.h"

/* A key file is 0x and 64 digits; anything much longer is not one. */
#define KEY_FILE_MAX 1024

static gboolean
parse_tools (const char         *text,
             TallyManifestTools *tools,
             GError            **error)
{
  static const TallyManifestTools all[] = { TALLY_MANIFEST_TOOL_CLASSIFY, TALLY_MANIFEST_TOOL_BOX,
                                            TALLY_MANIFEST_TOOL_SPAN };
  g_auto (GStrv) names = g_strsplit (text, ",", -1);

  *tools = 0;
  for (guint i = 0; names[i] != NULL; i++)
    {
      TallyManifestTools tool = 0;

      g_strstrip (names[i]);
      for (guint j = 0; j < G_N_ELEMENTS (all); j++)
        if (g_str_equal (names[i], tally_manifest_tool_to_string (all[j])))
          tool = all[j];
      if (tool == 0)
        {
          g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST,
                       _ ("--tools: “%s” is not one of classify, box and span"), names[i]);
          return FALSE;
        }
      *tools |= tool;
    }
  return TRUE;
}

/* A local manifest, bounded before it is read, and read by the rules
 * annotators apply. */
static TallyManifest *
read_manifest (const char *path,
               GError    **error)
{
  g_autoptr (GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr (GFileInfo) info = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *uri = g_file_get_uri (file);

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE, NULL,
                            error);
  if (info == NULL)
    return NULL;
  if (g_file_info_get_size (info) > TALLY_MANIFEST_MAX_SIZE)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_TOO_LARGE,
                   _ ("%s is larger than a manifest may be"), path);
      return NULL;
    }
  bytes = g_file_load_bytes (file, NULL, NULL, error);
  if (bytes == NULL)
    return NULL;
  return tally_manifest_new_from_bytes (bytes, uri, NULL, error);
}

/* The key of a key file (0x-hex); the file's text is wiped. */
static gboolean
read_key_file (const char *path,
               guint8      key[TALLY_TASK_KEY_LEN],
               GError    **error)
{
  g_autoptr (TallySecret) text = NULL;
  GStatBuf st;
  char    *contents = NULL;
  gsize    length = 0;
  gsize    start = 0;
  gsize    end;
  gboolean ok;

  if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size > KEY_FILE_MAX)
    {
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_KEY,
                   _ ("%s is not a task key file (a small file of 0x-hex)"), path);
      return FALSE;
    }
  if (!g_file_get_contents (path, &contents, &length, error))
    return FALSE;
  end = length;
  while (start < end && g_ascii_isspace (contents[start]))
    start++;
  while (end > start && g_ascii_isspace (contents[end - 1]))
    end--;
  text = tally_secret_new_from_data ((const guint8 *) contents + start, end - start);
  tally_wipe (contents, length);
  g_free (contents);

  ok = text->len == 2 + 2 * TALLY_TASK_KEY_LEN && text->data[0] == '0' && text->data[1] == 'x' &&
       tally_hex_decode_fixed (key, TALLY_TASK_KEY_LEN, (const char *) text->data,
                               (gssize) text->len, NULL);
  if (!ok)
    {
      tally_wipe (key, TALLY_TASK_KEY_LEN);
      /* Never echo the file: even a malformed key is a secret. */
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_KEY,
                   _ ("%s does not hold a task key (0x and 64 hexadecimal digits)"), path);
    }
  return ok;
}

/* Created with mode 0600, never over an existing file. */
static gboolean
write_key_file (const char  *path,
                const guint8 key[TALLY_TASK_KEY_LEN],
                GError     **error)
{
  char  text[2 + 2 * TALLY_TASK_KEY_LEN + 1];
  char *hex = tally_hex_encode (key, TALLY_TASK_KEY_LEN);
  int   fd;
  int   saved = 0;
  gsize done = 0;

  memcpy (text, hex, sizeof text - 1);
  text[sizeof text - 1] = '\n';
  tally_wipe (hex, strlen (hex));
  g_free (hex);

  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    saved = errno;
  while (fd >= 0 && saved == 0 && done < sizeof text)
    {
      ssize_t n = write (fd, text + done, sizeof text - done);

      if (n < 0 && errno != EINTR)
        saved = errno;
      else if (n > 0)
        done += (gsize) n;
    }
  tally_wipe (text, sizeof text);
  if (fd >= 0 && !g_close (fd, NULL) && saved == 0)
    saved = EIO;
  if (fd >= 0 && saved != 0)
    g_unlink (path);
  if (saved == EEXIST)
    g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE,
                 _ ("%s already exists; the key is not written over a file"), path);
  else if (saved != 0)
    g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_STORAGE, _ ("Could not write %s: %s"),
                 path, g_strerror (saved));
  return saved == 0;
}

static void
print_result (const char    *path,
              TallyManifest *manifest,
              gboolean       json)
{
  g_autofree char *hash = tally_hex_encode (tally_manifest_get_keccak (manifest),
                                            TALLY_KECCAK256_LEN);
  g_autofree char *key_hash = tally_hex_encode (tally_manifest_get_key_hash (manifest),
                                                TALLY_KECCAK256_LEN);
  guint            n = tally_manifest_get_n_items (manifest);

  if (json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "manifest");
      json_builder_add_string_value (builder, path);
      json_builder_set_member_name (builder, "manifestHash");
      json_builder_add_string_value (builder, hash);
      json_builder_set_member_name (builder, "items");
      json_builder_add_int_value (builder, n);
      json_builder_set_member_name (builder, "keyHash");
      json_builder_add_string_value (builder, key_hash);
      json_builder_end_object (builder);
      tally_cli_json_print (builder);
      return;
    }
  g_print (ngettext ("%s: keccak-256 %s, %u item\n", "%s: keccak-256 %s, %u items\n", n), path,
           hash, n);
}

static int
run_encrypt (int    argc,
             char **argv)
{
  g_autofree char   *in = NULL;
  g_autofree char   *out = NULL;
  g_autofree char   *base_uri = NULL;
  g_autofree char   *title = NULL;
  g_autofree char   *classes_text = NULL;
  g_autofree char   *instructions = NULL;
  g_autofree char   *tools_text = NULL;
  gboolean           json = FALSE;
  const GOptionEntry options[] = {
    { "in", 0, 0, G_OPTION_ARG_FILENAME, &in, N_ ("The folder of images and texts"), N_ ("DIR") },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, N_ ("A new or empty folder for the items"),
      N_ ("DIR") },
    { "base-uri", 0, 0, G_OPTION_ARG_STRING, &base_uri,
      N_ ("Where the items will be published (each item’s URI is this and its file name)"),
      N_ ("URI") },
    { "title", 0, 0, G_OPTION_ARG_STRING, &title,
      N_ ("The task’s title (default: the folder’s name)"),
      N_ ("TEXT") },
    { "classes", 0, 0, G_OPTION_ARG_STRING, &classes_text, N_ ("The label classes, 2 to 255"),
      N_ ("A,B,…") },
    { "instructions", 0, 0, G_OPTION_ARG_STRING, &instructions, N_ ("What annotators are to do"),
      N_ ("TEXT") },
    { "tools", 0, 0, G_OPTION_ARG_STRING, &tools_text,
      N_ ("Tools from classify, box and span (default: classify)"), N_ ("A,B") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_ ("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_auto (TallyCliChain) chain = { 0 };
  g_auto (GStrv) classes = NULL;
  g_autoptr (GFile) out_dir = NULL;
  g_autoptr (GFile) manifest_file = NULL;
  g_autoptr (TallyManifest) manifest = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char    *manifest_path = NULL;
  TallyDatasetOptions dataset = { 0 };
  guint8              key[TALLY_TASK_KEY_LEN];
  guint8              key_hash[TALLY_KECCAK256_LEN];
  gboolean            ok;
  int                 status;

  g_option_context_set_summary (context, _ ("Encrypt a folder into a private dataset: one item "
                                            "file each, and a manifest. The task key goes to the "
                                            "keyring under the account."));
  g_option_context_add_main_entries (context, options, GETTEXT_PACKAGE);
  if ((status = tally_cli_parse_options (context, &argc, &argv)) != TALLY_CLI_EXIT_OK)
    return status;
  if (argc != 1 || in == NULL || out == NULL || base_uri == NULL || classes_text == NULL)
    return tally_cli_usage_error (_ ("dataset encrypt takes --in DIR, --out DIR, --base-uri URI "
                                     "and --classes A,B,…"));
  classes = g_strsplit (classes_text, ",", -1);
  for (guint i = 0; classes[i] != NULL; i++)
    g_strstrip (classes[i]);
  if (g_strv_length (classes) < TALLY_MANIFEST_MIN_CLASSES)
    return tally_cli_usage_error (_ ("--classes names at least two classes, separated by commas"));
  if (tools_text != NULL && !parse_tools (tools_text, &dataset.tools, &error))
    return tally_cli_usage_error ("%s", error->message);
  if ((status = tally_cli_chain_open (&chain, TALLY_CLI_CHAIN_ACCOUNT)) != TALLY_CLI_EXIT_OK)
    return status;

  dataset.title = title;
  dataset.instructions = instructions;
  dataset.classes = (const char *const *) classes;
  dataset.base_uri = base_uri;
  out_dir = g_file_new_for_commandline_arg (out);
  manifest_file = g_file_get_child (out_dir, TALLY_DATASET_MANIFEST_NAME);
  manifest_path = g_file_get_path (manifest_file);

  /* The key is in the keyring before anything is sealed with it: no
   * dataset exists whose key was lost. */
  ok = tally_task_key_generate (key, &error);
  tally_task_key_hash (key_hash, key);
  ok = ok && tally_task_key_store_sync (&chain.account, key_hash, key, NULL, &error);
  if (ok)
    {
      g_autoptr (GFile) in_dir = g_file_new_for_commandline_arg (in);

      manifest = tally_dataset_encrypt_sync (in_dir, out_dir, &dataset, key, NULL, &error);
    }
  tally_wipe (key, sizeof key);
  if (!ok)
    return tally_cli_failure ("%s", error->message);
  if (manifest == NULL)
    return g_error_matches (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST) ||
               g_error_matches (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_TOO_LARGE)
             ? tally_cli_usage_error ("%s", error->message)
             : tally_cli_failure ("%s", error->message);

  print_result (manifest_path, manifest, json);
  return TALLY_CLI_EXIT_OK;
}

/* The manifest of --manifest, which must be encrypted, and the account. */
static int
open_manifest (const char     *path,
               TallyCliChain  *chain,
               TallyManifest **manifest)
{
  g_autoptr (GError) error = NULL;

  *manifest = read_manifest (path, &error);
  if (*manifest == NULL)
    return tally_cli_usage_error ("%s: %s", path, error->message);
  if (!tally_manifest_is_encrypted (*manifest))
    return tally_cli_usage_error (_ ("%s is not the manifest of a private dataset: it has no task "
                                     "key"),
                                  path);
  return tally_cli_chain_open (chain, TALLY_CLI_CHAIN_ACCOUNT);
}

static int
run_export_key (int    argc,
                char **argv)
{
  g_autofree char   *manifest_path = NULL;
  g_autofree char   *out = NULL;
  const GOptionEntry options[] = {
    { "manifest", 0, 0, G_OPTION_ARG_FILENAME, &manifest_path, N_ ("The dataset’s manifest"),
      N_ ("FILE") },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, N_ ("A new file for the key"), N_ ("FILE") },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_auto (TallyCliChain) chain = { 0 };
  g_autoptr (TallyManifest) manifest = NULL;
  g_autoptr (GError) error = NULL;
  guint8   key[TALLY_TASK_KEY_LEN];
  gboolean ok;
  int      status;

  g_option_context_set_summary (context, _ ("Write a private dataset’s task key from the keyring "
                                            "to a new file (mode 0600)."));
  g_option_context_add_main_entries (context, options, GETTEXT_PACKAGE);
  if ((status = tally_cli_parse_options (context, &argc, &argv)) != TALLY_CLI_EXIT_OK)
    return status;
  if (argc != 1 || manifest_path == NULL || out == NULL)
    return tally_cli_usage_error (_ ("dataset export-key takes --manifest FILE and --out FILE"));
  if (g_file_test (out, G_FILE_TEST_EXISTS))
    return tally_cli_usage_error (_ ("%s already exists; the key is not written over a file"), out);
  if ((status = open_manifest (manifest_path, &chain, &manifest)) != TALLY_CLI_EXIT_OK)
    return status;

  ok = tally_task_key_lookup_sync (&chain.account, tally_manifest_get_key_hash (manifest), key,
                                   NULL, &error) &&
       tally_manifest_check_task_key (manifest, key, &error) &&
       write_key_file (out, key, &error);
  tally_wipe (key, sizeof key);
  if (!ok)
    return tally_cli_failure ("%s", error->message);
  g_print (_ ("Wrote the task key of %s to %s\n"), manifest_path, out);
  return TALLY_CLI_EXIT_OK;
}

static int
run_import_key (int    argc,
                char **argv)
{
  g_autofree char   *manifest_path = NULL;
  g_autofree char   *key_file = NULL;
  const GOptionEntry options[] = {
    { "manifest", 0, 0, G_OPTION_ARG_FILENAME, &manifest_path, N_ ("The dataset’s manifest"),
      N_ ("FILE") },
    { "key-file", 0, 0, G_OPTION_ARG_FILENAME, &key_file,
      N_ ("The task key as 0x-hex (as export-key writes it)"), N_ ("FILE") },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_auto (TallyCliChain) chain = { 0 };
  g_autoptr (TallyManifest) manifest = NULL;
  g_autoptr (GError) error = NULL;
  guint8   key[TALLY_TASK_KEY_LEN];
  gboolean ok;
  int      status;

  g_option_context_set_summary (context, _ ("Store a private dataset’s task key from a file in "
                                            "the keyring, under the account."));
  g_option_context_add_main_entries (context, options, GETTEXT_PACKAGE);
  if ((status = tally_cli_parse_options (context, &argc, &argv)) != TALLY_CLI_EXIT_OK)
    return status;
  if (argc != 1 || manifest_path == NULL || key_file == NULL)
    return tally_cli_usage_error (
      _ ("dataset import-key takes --manifest FILE and --key-file FILE"));
  if ((status = open_manifest (manifest_path, &chain, &manifest)) != TALLY_CLI_EXIT_OK)
    return status;

  /* A key that does not open this dataset is the wrong input file. */
  if (!read_key_file (key_file, key, &error))
    return tally_cli_usage_error ("%s", error->message);
  if (!tally_manifest_check_task_key (manifest, key, &error))
    {
      tally_wipe (key, sizeof key);
      return tally_cli_usage_error ("%s: %s", key_file, error->message);
    }
  ok = tally_task_key_store_sync (&chain.account, tally_manifest_get_key_hash (manifest), key, NULL,
                                  &error);
  tally_wipe (key, sizeof key);
  if (!ok)
    return tally_cli_failure ("%s", error->message);
  g_print (_ ("Stored the task key of %s in the keyring\n"), manifest_path);
  return TALLY_CLI_EXIT_OK;
}

const TallyCliCommand tally_cli_dataset_commands[] = {
  { "dataset encrypt",
    "--in DIR --out DIR --base-uri URI --classes A,B,… [--title T] [--tools …]",
    N_ ("Encrypt a folder into a private dataset; the key goes to the keyring"), run_encrypt },
  { "dataset export-key", "--manifest FILE --out FILE",
    N_ ("Write a private dataset’s task key to a new file"), run_export_key },
  { "dataset import-key", "--manifest FILE --key-file FILE",
    N_ ("Store a private dataset’s task key from a file in the keyring"), run_import_key },
  { NULL }
};
