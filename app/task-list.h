/* task-list.h: every task of the market, discovered from its events
 *
 * A GListModel of TallyTask, in creation order, built from a
 * TallyMarketLog: TaskCreated adds a task, every later event of a task
 * updates it (TallyTask::changed), a reorganisation rebuilds the list.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "market-log.h"
#include "task.h"

G_BEGIN_DECLS

#define TALLY_TYPE_TASK_LIST (tally_task_list_get_type ())

G_DECLARE_FINAL_TYPE (TallyTaskList, tally_task_list, TALLY, TASK_LIST, GObject)

/* Folds what log already holds at once, then follows it. */
TallyTaskList  *tally_task_list_new (TallyMarketLog *log);
TallyMarketLog *tally_task_list_get_log (TallyTaskList *self);

/* NULL when the market has no such task (yet). */
TallyTask *tally_task_list_lookup (TallyTaskList      *self,
                                   const TallyUint256 *task_id);
/* Events that did not fit what was known (a seat beyond the task's, an
 * event for a task never created): from a node that cannot be trusted, or
 * a bug. Counted, never fatal. */
guint tally_task_list_get_inconsistencies (TallyTaskList *self);

G_END_DECLS
