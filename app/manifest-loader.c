/* manifest-loader.c: a task's manifest fetched and checked against the chain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "core-error.h"
#include "item-fetcher.h"
#include "manifest-loader.h"

#define READ_CHUNK 65536

typedef struct
{
  char        *uri;
  gboolean     has_keccak;
  guint8       keccak[32];
  SoupSession *session;
  SoupMessage *message;
  GByteArray  *body;
} Load;

static void
load_free (Load *load)
{
  g_free (load->uri);
  g_clear_object (&load->message);
  g_clear_object (&load->session);
  g_clear_pointer (&load->body, g_byte_array_unref);
  g_free (load);
}

static GError *
too_large (const char *uri)
{
  return g_error_new (TALLY_CORE_ERROR, TALLY_CORE_ERROR_TOO_LARGE,
                      "The manifest at %s is larger than %u bytes", uri, TALLY_MANIFEST_MAX_SIZE);
}

static void
finish (GTask  *task,
        GBytes *bytes)
{
  Load          *load = g_task_get_task_data (task);
  GError        *error = NULL;
  TallyManifest *manifest = tally_manifest_new_from_bytes (bytes, load->uri,
                                                           load->has_keccak ? load->keccak : NULL,
                                                           &error);

  if (manifest == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, manifest, g_object_unref);
}

/* ---- file:// ------------------------------------------------------------------ */

static void
on_file_loaded (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Load   *load = g_task_get_task_data (task);
  GError *error = NULL;
  char   *contents = NULL;
  gsize   len = 0;
  g_autoptr (GBytes) bytes = NULL;

  if (!g_file_load_contents_finish (G_FILE (source), result, &contents, &len, NULL, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  bytes = g_bytes_new_take (contents, len);
  /* The file may have grown since its size was read. */
  if (len > TALLY_MANIFEST_MAX_SIZE)
    {
      g_task_return_error (task, too_large (load->uri));
      return;
    }
  finish (task, bytes);
}

static void
on_file_info (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Load *load = g_task_get_task_data (task);
  g_autoptr (GFileInfo) info = NULL;
  GError *error = NULL;

  info = g_file_query_info_finish (G_FILE (source), result, &error);
  if (info == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_file_info_get_size (info) > TALLY_MANIFEST_MAX_SIZE)
    {
      g_task_return_error (task, too_large (load->uri));
      return;
    }
  g_file_load_contents_async (G_FILE (source), g_task_get_cancellable (task), on_file_loaded,
                              g_object_ref (task));
}

/* ---- http(s), and ipfs through its gateway ------------------------------------- */

static void read_more (GTask        *task,
                       GInputStream *stream);

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Load   *load = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (GBytes) chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);

  if (chunk == NULL)
    {
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NETWORK,
                               "Could not read the manifest at %s: %s", load->uri, error->message);
      g_error_free (error);
      return;
    }
  if (g_bytes_get_size (chunk) == 0)
    {
      g_autoptr (GBytes) bytes = g_byte_array_free_to_bytes (g_steal_pointer (&load->body));

      finish (task, bytes);
      return;
    }
  if (load->body->len + g_bytes_get_size (chunk) > TALLY_MANIFEST_MAX_SIZE)
    {
      g_task_return_error (task, too_large (load->uri));
      return;
    }
  g_byte_array_append (load->body, g_bytes_get_data (chunk, NULL), (guint) g_bytes_get_size (chunk));
  read_more (task, G_INPUT_STREAM (source));
}

static void
read_more (GTask        *task,
           GInputStream *stream)
{
  g_input_stream_read_bytes_async (stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), on_read, g_object_ref (task));
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  Load *load = g_task_get_task_data (task);
  g_autoptr (GInputStream) stream = NULL;
  GError *error = NULL;
  guint   status;
  goffset length;

  stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (stream == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, error);
      else
        {
          g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NETWORK,
                                   "Could not fetch the manifest at %s: %s", load->uri,
                                   error->message);
          g_error_free (error);
        }
      return;
    }
  status = soup_message_get_status (load->message);
  if (status == SOUP_STATUS_NOT_FOUND || status == SOUP_STATUS_GONE)
    {
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_NOT_FOUND,
                               "There is no manifest at %s (HTTP %u)", load->uri, status);
      return;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_HTTP,
                               "The server of %s answered HTTP %u", load->uri, status);
      return;
    }
  length = soup_message_headers_get_content_length (soup_message_get_response_headers (load->message));
  if (length > TALLY_MANIFEST_MAX_SIZE)
    {
      g_task_return_error (task, too_large (load->uri));
      return;
    }
  load->body = g_byte_array_new ();
  read_more (task, stream);
}

/* The http(s) URL of an ipfs:// address through gateway, or NULL. */
static char *
gateway_url (const char *uri,
             const char *gateway)
{
  const char *rest = uri + strlen ("ipfs://");
  gsize       cid_len = strcspn (rest, "/?#");

  if (cid_len == 0 || rest[cid_len] == '?' || rest[cid_len] == '#' || strstr (rest, "..") != NULL)
    return NULL;
  for (gsize i = 0; i < cid_len; i++)
    if (!g_ascii_isalnum (rest[i]))
      return NULL;
  return g_strconcat (gateway, g_str_has_suffix (gateway, "/") ? "" : "/", rest, NULL);
}

void
tally_manifest_load_async (const char         *uri,
                           const guint8       *expected_keccak,
                           const char         *ipfs_gateway,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char *scheme = NULL;
  g_autofree char *url = NULL;
  Load            *load;

  g_return_if_fail (uri != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tally_manifest_load_async);
  load = g_new0 (Load, 1);
  load->uri = g_strdup (uri);
  load->has_keccak = expected_keccak != NULL;
  if (expected_keccak != NULL)
    memcpy (load->keccak, expected_keccak, 32);
  g_task_set_task_data (task, load, (GDestroyNotify) load_free);

  scheme = g_uri_parse_scheme (uri);
  if (scheme != NULL && g_ascii_strcasecmp (scheme, "file") == 0)
    {
      g_autoptr (GFile) file = g_file_new_for_uri (uri);

      g_file_query_info_async (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
                               G_PRIORITY_DEFAULT, cancellable, on_file_info, g_object_ref (task));
      return;
    }
  if (scheme != NULL && g_ascii_strcasecmp (scheme, "ipfs") == 0)
    url = gateway_url (uri, ipfs_gateway != NULL ? ipfs_gateway : TALLY_ITEM_FETCHER_DEFAULT_GATEWAY);
  else if (scheme != NULL &&
           (g_ascii_strcasecmp (scheme, "https") == 0 || g_ascii_strcasecmp (scheme, "http") == 0))
    url = g_strdup (uri);
  if (url != NULL)
    load->message = soup_message_new (SOUP_METHOD_GET, url);
  if (load->message == NULL)
    {
      g_task_return_new_error (task, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_MANIFEST,
                               "The manifest address “%s” is not an https, http, ipfs or file "
                               "address",
                               uri);
      return;
    }
  load->session = soup_session_new_with_options ("timeout", 30, NULL);
  soup_session_send_async (load->session, load->message, G_PRIORITY_DEFAULT, cancellable, on_sent,
                           g_object_ref (task));
}

TallyManifest *
tally_manifest_load_finish (GAsyncResult *result,
                            GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tally_manifest_load_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
