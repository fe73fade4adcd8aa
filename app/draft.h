/* draft.h: an annotator's work on a task, saved to the local store on
 * every change and restored after a restart or a crash
 *
 * Each item is its own row (app/store.h annotations): its label byte and
 * the payload encoding (docs/payload.md) of that item alone, so a change
 * writes one small row, durable when the edit's ::changed handler returns.
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
 * changes nothing. */
gboolean tally_draft_restore (TallyDraft *self,
                              GError    **error) G_GNUC_WARN_UNUSED_RESULT;

/* The last save's failure (a full disk), or NULL: the GUI must tell the
 * user their work is not being kept. Cleared by the next good save. */
const GError *tally_draft_get_last_error (TallyDraft *self);

G_END_DECLS
