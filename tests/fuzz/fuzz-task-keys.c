/* fuzz-task-keys.c: libFuzzer target for a private task's keys as hostile
 * event logs tell them — the public keys of Joined and ReviewJoined and
 * the sealed keys of KeyGranted, decoded with the contract's ABI and
 * applied to a private task with reviews (app/task.c)
 *
 * Input: logs one after another, each one byte of topic count (mod 5),
 * two bytes of data length (big-endian), the topics (32 bytes each) and
 * the data. Whatever the logs say, a seat's grant flag is its holder's
 * grant, a grant is there exactly when its sealed key is, and a free seat
 * carries no public key.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "contract-abi.h"
#include "task.h"

#define REPLICATION 3
#define REVIEWERS   2

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static TallyTask *
new_task (void)
{
  TallyLabelTaskParams params = { 0 };
  TallyAddress         requester = { { 0x11 } };
  TallyUint256         id, budget;

  params.item_count = 4;
  params.class_count = 4;
  params.replication = REPLICATION;
  params.reviewers = REVIEWERS;
  params.has_key_server = TRUE;
  params.key_server = requester;
  tally_uint256_from_uint64 (&id, 1);
  tally_uint256_from_uint64 (&budget, 100);
  return _tally_task_new (&id, &requester, &params, "ipfs://fuzz", &budget, 1);
}

static void
check_grant (TallyTask          *task,
             const TallyAddress *account)
{
  g_autoptr (GBytes) sealed = tally_task_get_sealed_key (task, account);

  g_assert_true ((sealed != NULL) == tally_task_has_key_grant (task, account));
}

static void
check_task (TallyTask *task)
{
  for (guint s = 0; s < REPLICATION; s++)
    {
      const TallyTaskSeat *seat = tally_task_get_seat (task, s);

      if (!seat->taken)
        {
          g_assert_false (seat->has_public_key);
          g_assert_false (seat->key_granted);
        }
      else
        {
          check_grant (task, &seat->holder);
          g_assert_true (seat->key_granted == tally_task_has_key_grant (task, &seat->holder));
        }
      for (guint v = 0; v < REVIEWERS; v++)
        {
          const TallyTaskReview *review = tally_task_get_review (task, s, v);

          if (review->taken)
            check_grant (task, &review->reviewer);
          else
            g_assert_false (review->has_public_key);
        }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  /* Parsed once: the ABI is the same for every input. */
  static TallyContractAbi *abi;
  g_autoptr (TallyTask) task = new_task ();
  gsize at = 0;

  if (abi == NULL)
    abi = tally_contract_abi_new_builtin ("LabelMarket", NULL);
  g_assert_nonnull (abi);
  while (size - at >= 3)
    {
      gsize n_topics = data[at] % 5;
      gsize data_len = ((gsize) data[at + 1] << 8) | data[at + 2];
      g_autoptr (TallyAbiLog) log = NULL;
      g_autoptr (GError) error = NULL;

      at += 3;
      if (size - at < n_topics * 32)
        break;
      data_len = MIN (data_len, size - at - n_topics * 32);
      log = tally_contract_abi_decode_log (abi, data + at, n_topics, data + at + n_topics * 32,
                                           data_len, &error);
      at += n_topics * 32 + data_len;
      if (log == NULL)
        {
          g_assert_nonnull (error);
          continue;
        }
      /* A log that does not fit is the task list's inconsistency to
       * count; the task must stay whole either way. */
      (void) _tally_task_apply (task, tally_abi_entry_get_name (tally_abi_log_get_event (log)), log);
      check_task (task);
    }
  return 0;
}
