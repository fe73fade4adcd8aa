/* item-fetcher-private.h: what item-fetcher.c (addresses, prefetching, the
 * object), item-fetcher-jobs.c (the jobs and their queue) and
 * item-fetcher-download.c (one download) share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>
#include <nettle/sha2.h>

#include "item-fetcher.h"

G_BEGIN_DECLS

#define TALLY_ITEM_MAX_RETRY_DELAY_MS 30000

struct _TallyItemFetcher
{
  GObject parent_instance;

  TallyItemCache *cache;
  SoupSession    *session;
  char           *ipfs_gateway;
  guint           max_concurrent;
  guint           max_attempts;
  guint           retry_delay;
  guint           timeout;
  guint64         max_item_size;

  GHashTable *jobs;  /* sha256 hex → TallyItemJob, until it is done */
  GQueue      queue; /* jobs asking the cache or waiting for a slot */
  guint       n_running;
  guint64     next_seq;
};

typedef enum
{
  JOB_LOOKUP,  /* asking the cache, in the queue */
  JOB_QUEUED,  /* a miss, waiting for a slot */
  JOB_RUNNING, /* downloading, holds a slot */
  JOB_STORING, /* verified, being written to the cache */
  JOB_DONE,
} TallyItemJobState;

typedef struct
{
  TallyItemFetcher *self;
  guint             ref_count;
  char             *key; /* sha256 hex / size */
  char             *hex; /* sha256 hex */
  char             *uri; /* as the manifest gives it */
  guint8            sha256[TALLY_ITEM_SHA256_LEN];
  guint64           size;
  int               priority;
  guint64           seq;
  TallyItemJobState state;
  GPtrArray        *waiters;
  GCancellable     *cancellable; /* cancelled once nobody waits */
  GList            *link;        /* in self->queue */

  GUri             *origin; /* http(s) after the ipfs:// mapping; NULL for file:// */
  GUri             *url;    /* what is requested now, after redirects */
  guint             attempt;
  guint             redirects;
  GSource          *retry_source;
  SoupMessage      *message;
  GInputStream     *stream;
  guint8           *buffer; /* size + 1 bytes: the extra one catches a long body */
  guint64           received;
  struct sha256_ctx hash;
  GBytes           *verified; /* while it is being stored */
} TallyItemJob;

TallyItemJob *tally_item_job_ref (TallyItemJob *job);
void          tally_item_job_unref (TallyItemJob *job);
/* Every way out of a job goes through here; takes the error. */
void tally_item_job_complete (TallyItemJob *job,
                              GBytes       *bytes,
                              GError       *error);
/* Gives the download slot back (a verified item is being stored). */
void     tally_item_job_release_slot (TallyItemJob *job);
void     tally_item_job_start_attempt (TallyItemJob *job);
void     tally_item_fetcher_pump (TallyItemFetcher *self);
gboolean tally_item_uri_is_http (GUri *uri);
gboolean tally_item_job_is_cancelled (TallyItemJob *job,
                                      GError       *error);
/* The http(s) address an item is asked for, or NULL in *origin for file://. */
gboolean _tally_item_fetcher_resolve_uri (TallyItemFetcher *self,
                                          const char       *uri,
                                          GUri            **origin,
                                          GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TallyItemJob, tally_item_job_unref)

G_END_DECLS
