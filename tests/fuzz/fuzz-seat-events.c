/* fuzz-seat-events.c: libFuzzer target for what the seat views and the
 * submitter read from hostile event logs — LabelMarket logs decoded with
 * the contract's ABI (as a receipt's Joined and Left are read) and applied
 * to a private task (Joined, Left, KeyGranted, ...), then the views of
 * app/task-seats.c
 *
 * Input: logs one after another, each one byte of topic count (mod 5),
 * two bytes of data length (big-endian), the topics (32 bytes each) and
 * the data. Whatever the logs say, a task never holds more seats than it
 * has, a held seat's holder is found at it or before, a grant is there
 * exactly when its sealed key is, and leaving costs nothing or the task's
 * fee.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "contract-abi.h"
#include "task-seats.h"

#define REPLICATION 3

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
  tally_uint256_from_uint64 (&params.stake_per_item, 2);
  tally_uint256_from_uint64 (&params.leave_fee, 1);
  params.has_key_server = TRUE;
  params.key_server = requester;
  params.commit_deadline = 1000;
  params.reveal_deadline = 2000;
  params.review_commit_deadline = 3000;
  params.review_reveal_deadline = 4000;
  tally_uint256_from_uint64 (&id, 1);
  tally_uint256_from_uint64 (&budget, 100);
  return _tally_task_new (&id, &requester, &params, "ipfs://fuzz", &budget, 1);
}

static void
check_task (TallyTask *task)
{
  const TallyLabelTaskParams *params = tally_task_get_params (task);
  guint                       held = 0;

  g_assert_cmpuint (tally_task_get_seats_taken (task), <=, REPLICATION);
  g_assert_cmpuint (tally_task_seats_left (task) + tally_task_get_seats_taken (task), ==, REPLICATION);
  for (guint s = 0; s < REPLICATION; s++)
    {
      const TallyTaskSeat *seat = tally_task_get_seat (task, s);
      g_autoptr (GBytes) sealed = NULL;
      TallyUint256 fee;
      gint         found;

      if (!seat->taken)
        continue;
      held++;
      sealed = tally_task_get_sealed_key (task, &seat->holder);
      g_assert_true ((sealed != NULL) == tally_task_has_key_grant (task, &seat->holder));
      tally_task_seats_get_leave_fee (task, &seat->holder, &fee);
      g_assert_true (tally_uint256_is_zero (&fee) ? sealed == NULL
                                                  : tally_uint256_cmp (&fee, &params->leave_fee) == 0);
      /* Logs may seat one account twice (the contract never does): the
       * views speak of the first seat it holds. */
      found = tally_task_find_seat (task, &seat->holder);
      g_assert_cmpint (found, <=, (gint) s);
      g_assert_true (tally_task_seats_can_leave (task, &seat->holder, 0) ==
                     (tally_task_get_seat (task, (guint) found)->state == TALLY_LABEL_SEAT_JOINED));
    }
  g_assert_cmpuint (held, ==, tally_task_get_seats_taken (task));
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
      log = tally_contract_abi_decode_log (abi, data + at, n_topics, data + at + n_topics * 32, data_len,
                                           &error);
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
