/* store-requester.h: a requester's tasks in the local store — each create,
 * written down before it is broadcast, with the gold that must be revealed
 * later (the requester_tasks table of schema 2)
 *
 * A row is keyed by its purpose: the purpose the create transaction goes
 * into the journal with, so after a restart the row and a pending create
 * find each other and a second task is never created by accident. The
 * gold salt is kept here until the gold is revealed: losing it would make
 * the reveal impossible and the task settle without gold.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "store.h"

G_BEGIN_DECLS

/* Stored by name, like the submission states. */
typedef enum
{
  TALLY_REQUESTER_TASK_CREATING,       /* row written; create signed or sent */
  TALLY_REQUESTER_TASK_OPEN,           /* created; its gold not yet revealed */
  TALLY_REQUESTER_TASK_REVEALING_GOLD, /* revealGold signed or sent */
  TALLY_REQUESTER_TASK_DONE,           /* gold revealed, or none to reveal */
  TALLY_REQUESTER_TASK_FAILED,         /* with a reason */
} TallyRequesterTaskState;

const char *tally_requester_task_state_to_string (TallyRequesterTaskState state);

typedef struct
{
  char                   *purpose;
  guint64                 chain_id;
  TallyAddress            market;
  TallyAddress            requester;
  gboolean                has_task_id;
  TallyUint256            task_id;
  guint8                  manifest_hash[32];
  GArray                 *gold_indices; /* guint16; NULL for a task without gold */
  GBytes                 *gold_labels;  /* one byte per index; NULL without gold */
  gboolean                has_gold_salt;
  guint8                  gold_salt[32];
  TallyRequesterTaskState state;
  char                   *reason;  /* why it failed, or NULL */
  gint64                  updated; /* Unix seconds, set by the store */
} TallyRequesterTaskRecord;

void                      tally_requester_task_record_free (TallyRequesterTaskRecord *record);
TallyRequesterTaskRecord *tally_requester_task_record_copy (const TallyRequesterTaskRecord *record);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TallyRequesterTaskRecord, tally_requester_task_record_free)

/* Inserts or replaces the row of record->purpose; durable when it returns
 * TRUE. */
gboolean tally_store_put_requester_task (TallyStore               *self,
                                         TallyRequesterTaskRecord *record,
                                         GError                  **error) G_GNUC_WARN_UNUSED_RESULT;
/* The same on the store's queue of writes (store.h), in order with the
 * other queued writes; record is copied, its updated field left as it
 * is. */
void     tally_store_put_requester_task_async (TallyStore                     *self,
                                               const TallyRequesterTaskRecord *record,
                                               GCancellable                   *cancellable,
                                               GAsyncReadyCallback             callback,
                                               gpointer                        user_data);
gboolean tally_store_put_requester_task_finish (TallyStore   *self,
                                                GAsyncResult *result,
                                                GError      **error) G_GNUC_WARN_UNUSED_RESULT;
/* NULL with TALLY_CORE_ERROR_NOT_FOUND when there is none. */
TallyRequesterTaskRecord *tally_store_get_requester_task (TallyStore *self,
                                                          const char *purpose,
                                                          GError    **error) G_GNUC_WARN_UNUSED_RESULT;
/* The rows (TallyRequesterTaskRecord) of requester on this chain and
 * market, oldest first; only those not DONE or FAILED when unfinished. */
GPtrArray *tally_store_list_requester_tasks (TallyStore         *self,
                                             guint64             chain_id,
                                             const TallyAddress *market,
                                             const TallyAddress *requester,
                                             gboolean            unfinished,
                                             GError            **error) G_GNUC_WARN_UNUSED_RESULT;
/* The same read on the writer's queue: it sees every write queued
 * before it and never waits for the store's lock on the caller's thread. */
void       tally_store_list_requester_tasks_async (TallyStore         *self,
                                                   guint64             chain_id,
                                                   const TallyAddress *market,
                                                   const TallyAddress *requester,
                                                   gboolean            unfinished,
                                                   GCancellable       *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer            user_data);
GPtrArray *tally_store_list_requester_tasks_finish (TallyStore   *self,
                                                    GAsyncResult *result,
                                                    GError      **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
