/* item-fetcher-download.c: one attempt at an item: a file:// read or an
 * http(s) request with redirects followed by hand, the body hashed as it
 * arrives, and retries with backoff on failures that may heal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "core-error.h"
#include "item-fetcher-private.h"

#define MAX_REDIRECTS 5
#define HTTP_TOO_MANY 429 /* libsoup 3.2 has no name for it */
#define READ_CHUNK    (256 * 1024)

/* Fails the job with an error in TALLY_CORE_ERROR. */
static void job_fail (TallyItemJob  *job,
                      TallyCoreError code,
                      const char    *format,
                      ...) G_GNUC_PRINTF (3, 4);

static void
job_fail (TallyItemJob  *job,
          TallyCoreError code,
          const char    *format,
          ...)
{
  GError *error;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (TALLY_CORE_ERROR, code, format, args);
  va_end (args);
  tally_item_job_complete (job, NULL, error);
}

/* ---- errors ----------------------------------------------------------------------- */

gboolean
tally_item_job_is_cancelled (TallyItemJob *job,
                             GError       *error)
{
  return g_cancellable_is_cancelled (job->cancellable) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static gboolean
on_retry (gpointer user_data)
{
  TallyItemJob *job = user_data;

  g_clear_pointer (&job->retry_source, g_source_unref);
  tally_item_job_start_attempt (job);
  return G_SOURCE_REMOVE;
}

/* A failure worth another try (network, 5xx, 429): waits and tries again
 * while attempts are left. Takes the error. */
static void
job_retry_or_fail (TallyItemJob *job,
                   GError       *error)
{
  TallyItemFetcher *self = job->self;
  guint             delay;

  g_clear_object (&job->stream);
  if (job->attempt >= self->max_attempts)
    {
      if (job->attempt > 1)
        g_prefix_error (&error, "After %u attempts: ", job->attempt);
      tally_item_job_complete (job, NULL, error);
      return;
    }

  delay = self->retry_delay << MIN (job->attempt - 1, 16u);
  delay = MIN (delay, TALLY_ITEM_MAX_RETRY_DELAY_MS);
  g_debug ("Fetching %s failed (%s); attempt %u in %u ms", job->uri, error->message,
           job->attempt + 1, delay);
  g_error_free (error);
  job->retry_source = g_timeout_source_new (delay);
  g_source_set_callback (job->retry_source, on_retry, tally_item_job_ref (job),
                         (GDestroyNotify) tally_item_job_unref);
  g_source_attach (job->retry_source, g_main_context_get_thread_default ());
}

/* A failed read or request. Takes the error. */
static void
job_io_failed (TallyItemJob *job,
               GError       *error)
{
  if (tally_item_job_is_cancelled (job, error))
    {
      tally_item_job_complete (job, NULL, error);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      GError *timed_out = g_error_new (TALLY_CORE_ERROR, TALLY_CORE_ERROR_TIMED_OUT,
                                       "The server of item %s did not answer in time", job->uri);

      g_error_free (error);
      job_retry_or_fail (job, timed_out);
      return;
    }
  if (error->domain == G_IO_ERROR && job->origin == NULL)
    {
      /* file://: a missing or unreadable file does not heal by retrying. */
      GError *local = g_error_new (TALLY_CORE_ERROR,
                                   g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
                                     ? TALLY_CORE_ERROR_NOT_FOUND
                                     : TALLY_CORE_ERROR_NETWORK,
                                   "Could not read item %s: %s", job->uri, error->message);

      g_error_free (error);
      tally_item_job_complete (job, NULL, local);
      return;
    }

  {
    GError *network = g_error_new (TALLY_CORE_ERROR, TALLY_CORE_ERROR_NETWORK,
                                   "Could not fetch item %s: %s", job->uri, error->message);

    g_error_free (error);
    job_retry_or_fail (job, network);
  }
}

/* ---- the body ---------------------------------------------------------------- */

static void
on_stored (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (TallyItemJob) job = user_data;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;

  if (!tally_item_cache_store_finish (TALLY_ITEM_CACHE (object), result, &error) &&
      !tally_item_job_is_cancelled (job, error))
    /* The item is verified; a full disk costs a download next time, not this one. */
    g_warning ("Could not cache item %s: %s", job->uri, error->message);

  bytes = g_steal_pointer (&job->verified);
  tally_item_job_complete (job, bytes, NULL);
}

static void
body_done (TallyItemJob *job)
{
  TallyItemFetcher *self = job->self;
  guint8            digest[SHA256_DIGEST_SIZE];

  g_clear_object (&job->stream);
  if (job->received != job->size)
    {
      job_fail (job, TALLY_CORE_ERROR_HASH_MISMATCH,
                "Item %s has %" G_GUINT64_FORMAT " bytes, not the %" G_GUINT64_FORMAT
                " its manifest gives",
                job->uri, job->received, job->size);
      return;
    }

  sha256_digest (&job->hash, sizeof digest, digest);
  if (memcmp (digest, job->sha256, sizeof digest) != 0)
    {
      g_autofree char *actual = tally_item_sha256_to_hex (digest);

      job_fail (job, TALLY_CORE_ERROR_HASH_MISMATCH,
                "Item %s is not the one its manifest names: SHA-256 %s expected, %s received",
                job->uri, job->hex, actual);
      return;
    }

  /* The slot is free while the cache syncs the file to disk. */
  tally_item_job_release_slot (job);
  tally_item_fetcher_pump (self);
  job->verified = g_bytes_new_take (g_steal_pointer (&job->buffer), job->size);
  tally_item_cache_store_async (self->cache, job->sha256, job->verified, job->cancellable,
                                on_stored, tally_item_job_ref (job));
}

static void read_more (TallyItemJob *job);

static void
on_read (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (TallyItemJob) job = user_data;
  GError *error = NULL;
  gssize  n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  if (job->state == JOB_DONE)
    {
      g_clear_error (&error);
      return;
    }
  if (n < 0)
    {
      job_io_failed (job, error);
      return;
    }
  if (n == 0)
    {
      body_done (job);
      return;
    }

  sha256_update (&job->hash, (gsize) n, job->buffer + job->received);
  job->received += (guint64) n;
  if (job->received > job->size)
    {
      /* Dropping the stream unread closes the connection: nothing more is read. */
      job_fail (job, TALLY_CORE_ERROR_TOO_LARGE,
                "Item %s is larger than the %" G_GUINT64_FORMAT
                " bytes its manifest gives; stopped reading",
                job->uri, job->size);
      return;
    }
  read_more (job);
}

static void
read_more (TallyItemJob *job)
{
  gsize count = (gsize) MIN (job->size + 1 - job->received, READ_CHUNK);

  g_input_stream_read_async (job->stream, job->buffer + job->received, count, job->priority,
                             job->cancellable, on_read, tally_item_job_ref (job));
}

static void
read_body (TallyItemJob *job,
           GInputStream *stream)
{
  job->stream = stream;
  job->received = 0;
  sha256_init (&job->hash);
  if (job->buffer == NULL)
    job->buffer = g_malloc (job->size + 1);
  read_more (job);
}

/* ---- file:// ------------------------------------------------------------------ */

static void
on_file_opened (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (TallyItemJob) job = user_data;
  GError           *error = NULL;
  GFileInputStream *stream = g_file_read_finish (G_FILE (object), result, &error);

  if (job->state == JOB_DONE)
    {
      g_clear_object (&stream);
      g_clear_error (&error);
      return;
    }
  if (stream == NULL)
    {
      job_io_failed (job, error);
      return;
    }
  read_body (job, G_INPUT_STREAM (stream));
}

/* ---- http(s) ------------------------------------------------------------------ */

static void send_request (TallyItemJob *job);

gboolean
tally_item_uri_is_http (GUri *uri)
{
  const char *scheme = g_uri_get_scheme (uri);

  return g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "https") == 0;
}

static void
follow_redirect (TallyItemJob *job)
{
  const char *location = soup_message_headers_get_one (
    soup_message_get_response_headers (job->message), "Location");
  g_autoptr (GUri) target = NULL;

  if (location != NULL)
    target = g_uri_parse_relative (job->url, location, SOUP_HTTP_URI_FLAGS, NULL);
  if (target == NULL || !tally_item_uri_is_http (target))
    {
      job_fail (job, TALLY_CORE_ERROR_HTTP,
                "The server of item %s redirected it to “%s”, which is not an http or https "
                "address; refused",
                job->uri, location != NULL ? location : "");
      return;
    }
  if (++job->redirects > MAX_REDIRECTS)
    {
      job_fail (job, TALLY_CORE_ERROR_HTTP, "Item %s was redirected more than %u times", job->uri,
                MAX_REDIRECTS);
      return;
    }
  g_uri_unref (job->url);
  job->url = g_steal_pointer (&target);
  send_request (job);
}

static void
on_sent (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (TallyItemJob) job = user_data;
  g_autoptr (GInputStream) stream = NULL;
  GError     *error = NULL;
  const char *reason;
  guint       status;
  goffset     length;

  stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (job->state == JOB_DONE)
    {
      g_clear_error (&error);
      return;
    }
  if (stream == NULL)
    {
      job_io_failed (job, error);
      return;
    }

  status = soup_message_get_status (job->message);
  reason = soup_message_get_reason_phrase (job->message);
  if (reason == NULL)
    reason = "";
  if (SOUP_STATUS_IS_REDIRECTION (status) && status != SOUP_STATUS_NOT_MODIFIED)
    {
      follow_redirect (job);
      return;
    }
  if (status == SOUP_STATUS_NOT_FOUND || status == SOUP_STATUS_GONE)
    {
      job_fail (job, TALLY_CORE_ERROR_NOT_FOUND, "Item %s was not found (HTTP %u %s)", job->uri,
                status, reason);
      return;
    }
  if (status == HTTP_TOO_MANY || SOUP_STATUS_IS_SERVER_ERROR (status))
    {
      job_retry_or_fail (job, g_error_new (TALLY_CORE_ERROR, TALLY_CORE_ERROR_HTTP,
                                           "The server of item %s answered HTTP %u %s",
                                           job->uri, status, reason));
      return;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      job_fail (job, TALLY_CORE_ERROR_HTTP, "The server of item %s answered HTTP %u %s", job->uri,
                status, reason);
      return;
    }

  length = soup_message_headers_get_content_length (
    soup_message_get_response_headers (job->message));
  if (length > 0 && (guint64) length > job->size)
    {
      job_fail (job, TALLY_CORE_ERROR_TOO_LARGE,
                "The server announced %" G_GOFFSET_FORMAT " bytes for item %s, more than the "
                "%" G_GUINT64_FORMAT " its manifest gives; not read",
                length, job->uri, job->size);
      return;
    }
  read_body (job, g_steal_pointer (&stream));
}

static void
send_request (TallyItemJob *job)
{
  g_clear_object (&job->message);
  job->message = soup_message_new_from_uri (SOUP_METHOD_GET, job->url);
  soup_message_add_flags (job->message, SOUP_MESSAGE_NO_REDIRECT);
  soup_session_send_async (job->self->session, job->message, job->priority, job->cancellable,
                           on_sent, tally_item_job_ref (job));
}

/* ---- one job ------------------------------------------------------------------- */

void
tally_item_job_start_attempt (TallyItemJob *job)
{
  job->attempt++;
  job->redirects = 0;
  if (g_cancellable_is_cancelled (job->cancellable))
    {
      tally_item_job_complete (job, NULL,
                               g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled"));
      return;
    }

  if (job->origin == NULL)
    {
      g_autoptr (GFile) file = g_file_new_for_uri (job->uri);

      g_file_read_async (file, job->priority, job->cancellable, on_file_opened,
                         tally_item_job_ref (job));
      return;
    }

  /* Each attempt starts from the mapped address, not from a redirect target. */
  g_clear_pointer (&job->url, g_uri_unref);
  job->url = g_uri_ref (job->origin);
  send_request (job);
}
