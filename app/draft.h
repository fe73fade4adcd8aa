/* draft.h: an annotator's work on a task, saved to the local store on
 * every change and restored after a restart or a crash
 *
 * Each item is its own row (app/store.h annotations): its label byte and
 * the payload encoding (docs/payload.md) of that item alone, so a change
 * writes one small row. The write runs on the store's writer thread: an
 * edit returns at once, and is durable once a flush that follows it is
 * done. Changes of one item while its save is in flight are coalesced;
 * the latest always wins. Each save in flight holds a reference on the
 * draft.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "annotations.h"
#include "store.h"

G_BEGIN_DECLS

#define TALLY_TYPE_DRAFT (tally_draft_get_type ())

G_DECLARE_FINAL_TYPE (TallyDraft, tally_draft, TALLY, DRAFT, GObject)

/* Saves every later change of annotations under (chain, market, task,
 * account). */
TallyDraft *tally_draft_new (TallyStore         *store,
                             guint64             chain_id,
                             const TallyAddress *market,
                             const TallyUint256 *task_id,
                             const TallyAddress *account,
                             TallyAnnotations   *annotations);

TallyAnnotations *tally_draft_get_annotations (TallyDraft *self);

/* Replaces the annotations with what the store holds for the task (an
 * empty draft leaves them as they are), dropping the undo history. A row
 * this version cannot read is TALLY_CORE_ERROR_INVALID_ANNOTATION and
 * changes nothing. Call it before editing (or after a flush): it reads
 * what has landed. */
gboolean tally_draft_restore (TallyDraft *self,
                              GError    **error) G_GNUC_WARN_UNUSED_RESULT;

/* The last save's failure (a full disk), or NULL: the GUI must tell the
 * user their work is not being kept (notify::last-error). The items whose
 * save failed are saved again after the next good save and on a flush;
 * cleared once all of them are kept. */
const GError *tally_draft_get_last_error (TallyDraft *self);
/* TRUE while a save is in flight (notify::saving), for a "Saving…" hint. */
gboolean tally_draft_get_saving (TallyDraft *self);

/* Saves again the items whose save failed, then is done once every
 * change made before it is on disk; fails with the last save's error when
 * some work is still not kept. The app calls it before quitting. */
void     tally_draft_flush_async (TallyDraft         *self,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data);
gboolean tally_draft_flush_finish (TallyDraft   *self,
                                   GAsyncResult *result,
                                   GError      **error);

G_END_DECLS
