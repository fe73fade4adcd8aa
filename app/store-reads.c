/* store-reads.c: the local store's submission reads off the caller's
 * thread, on the writer's queue
 *
 * The engines read at the start of each action and pass; a read takes the
 * store's lock, which the writer holds through a write's fsync, so on the
 * main loop it would stall for as long. Queued behind the writes, a read
 * also sees every write its caller queued before it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include "store-private.h"
#include "store.h"

typedef struct
{
  guint64             chain_id;
  TallyAddress        market;
  TallyUint256        task_id;
  TallyAddress        account;
  TallySubmissionRole role;
  guint               seat;
} Key;

static gpointer
read_submission (TallyStore *self,
                 gpointer    data,
                 GError    **error)
{
  Key *key = data;

  return tally_store_get_submission (self, key->chain_id, &key->market, &key->task_id,
                                     &key->account, key->role, key->seat, error);
}

void
tally_store_get_submission_async (TallyStore         *self,
                                  guint64             chain_id,
                                  const TallyAddress *market,
                                  const TallyUint256 *task_id,
                                  const TallyAddress *account,
                                  TallySubmissionRole role,
                                  guint               seat,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  Key *key;

  g_return_if_fail (TALLY_IS_STORE (self));
  g_return_if_fail (market != NULL && task_id != NULL && account != NULL);
  g_return_if_fail (role == TALLY_SUBMISSION_ANNOTATOR || role == TALLY_SUBMISSION_REVIEWER);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  key = g_new0 (Key, 1);
  key->chain_id = chain_id;
  key->market = *market;
  key->task_id = *task_id;
  key->account = *account;
  key->role = role;
  key->seat = seat;
  _tally_store_queue_read (self, read_submission, (GDestroyNotify) tally_submission_record_free,
                           key, g_free, tally_store_get_submission_async, cancellable, callback,
                           user_data);
}

TallySubmissionRecord *
tally_store_get_submission_finish (TallyStore   *self,
                                   GAsyncResult *result,
                                   GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, tally_store_get_submission_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
read_unfinished (TallyStore *self,
                 gpointer    data,
                 GError    **error)
{
  Key *key = data;

  return tally_store_list_unfinished (self, key->chain_id, &key->market, error);
}

void
tally_store_list_unfinished_async (TallyStore         *self,
                                   guint64             chain_id,
                                   const TallyAddress *market,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data)
{
  Key *key;

  g_return_if_fail (TALLY_IS_STORE (self));
  g_return_if_fail (market != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  key = g_new0 (Key, 1);
  key->chain_id = chain_id;
  key->market = *market;
  _tally_store_queue_read (self, read_unfinished, (GDestroyNotify) g_ptr_array_unref, key, g_free,
                           tally_store_list_unfinished_async, cancellable, callback, user_data);
}

GPtrArray *
tally_store_list_unfinished_finish (TallyStore   *self,
                                    GAsyncResult *result,
                                    GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, tally_store_list_unfinished_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
