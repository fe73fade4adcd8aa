/* tally-test-engine.h: one account's engine (TallySubmitter and
 * TallyRequester on a store, a journal, a market log and a tx manager) on
 * a TallyTestMarket, as the app builds it, with synchronous runners of its
 * calls and a child process that is killed (SIGKILL) mid-way
 *
 * Every failure is a test assertion, except in the runners that take a
 * GError, which hand the error back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "market-log.h"
#include "requester.h"
#include "store.h"
#include "submitter.h"
#include "tally-test-market.h"
#include "task-list.h"

G_BEGIN_DECLS

typedef struct
{
  char           *own_dir; /* removed by clear; NULL when the caller owns the folder */
  TallyRpcClient *client;
  TallyMarketLog *log;
  TallyTaskList  *tasks;
  TallyStore     *store;
  TallyTxJournal *journal;
  TallyTxManager *manager;
  TallySubmitter *submitter;
  TallyRequester *requester;
} TallyTestEngine;

/* A new empty folder for engines' stores and journals, and its removal
 * (the folder is freed too). */
char *tally_test_engine_make_dir (void);
void  tally_test_engine_remove_dir (char *dir);

/* The engine of signer on dir (its tally.db and journal.db, made when
 * missing), talking to url. */
void tally_test_engine_init (TallyTestEngine     *self,
                             const char          *url,
                             TallyNetworkProfile *profile,
                             const char          *dir,
                             TallySigner         *signer);
/* The same for market's account, through url (NULL: the chain itself). */
void tally_test_engine_init_for (TallyTestEngine *self,
                                 TallyTestMarket *market,
                                 const char      *url,
                                 const char      *dir,
                                 guint            account);
/* The engine of market's account in a folder of its own. */
void tally_test_engine_open (TallyTestEngine *self,
                             TallyTestMarket *market,
                             guint            account);
/* Drops the engine, and removes its folder if it has one of its own. */
void tally_test_engine_clear (TallyTestEngine *self);

/* One pass of the submitter (or of the requester); what it has left. */
guint tally_test_engine_step (TallyTestEngine *self);
guint tally_test_engine_step_requester (TallyTestEngine *self);

gboolean tally_test_engine_submit (TallyTestEngine    *self,
                                   const TallyUint256 *task_id,
                                   const guint8       *labels,
                                   gsize               len,
                                   GError            **error);
gboolean tally_test_engine_review (TallyTestEngine    *self,
                                   const TallyUint256 *task_id,
                                   guint               seat,
                                   const guint8       *verdicts,
                                   gsize               len,
                                   GError            **error);
gboolean tally_test_engine_join (TallyTestEngine    *self,
                                 const TallyUint256 *task_id,
                                 guint              *seat,
                                 GError            **error);
gboolean tally_test_engine_leave (TallyTestEngine    *self,
                                  const TallyUint256 *task_id,
                                  TallyUint256       *fee,
                                  GError            **error);
GBytes  *tally_test_engine_open_task_key (TallyTestEngine    *self,
                                          const TallyUint256 *task_id,
                                          GError            **error);

/* The store's annotator record of account on task_id (NULL when there is
 * none), and its state (asserting there is one). */
TallySubmissionRecord *tally_test_engine_record_of (TallyTestEngine    *self,
                                                    TallyTestMarket    *market,
                                                    guint               account,
                                                    const TallyUint256 *task_id);
TallySubmissionState   tally_test_engine_state_of (TallyTestEngine    *self,
                                                   TallyTestMarket    *market,
                                                   guint               account,
                                                   const TallyUint256 *task_id);

/* The values of every event named event of task_id in the engine's log,
 * as the uint input named field (an array of TallyUint256). */
GArray *tally_test_engine_event_values (TallyTestEngine    *self,
                                        const TallyUint256 *task_id,
                                        const char         *event,
                                        const char         *field);

/* Stakes the lock of params from accounts first .. first + n_stakers - 1,
 * then creates the task as the requester; its id. */
TallyUint256 tally_test_engine_open_task (TallyTestMarket      *market,
                                          TallyLabelTaskParams *params,
                                          guint                 first,
                                          guint                 n_stakers);

/* Child processes: when main () of a test finds its child variable set,
 * the process is the child: it builds account 1's engine from the
 * variable's value (the spec) with tally_test_engine_init_child, does its
 * one thing, and says how it went with tally_test_engine_child_say, which
 * waits to be killed. */
void            tally_test_engine_init_child (TallyTestEngine *self,
                                              const char      *spec,
                                              TallyUint256    *task_id);
G_NORETURN void tally_test_engine_child_say (const char *line);
/* Runs self_path as the child of env_name with account 1's engine on dir
 * through url, for task_id; kills it (SIGKILL) once it has said its line,
 * and returns that line. */
char *tally_test_engine_run_child (TallyTestMarket    *market,
                                   const char         *self_path,
                                   const char         *env_name,
                                   const char         *url,
                                   const char         *dir,
                                   const TallyUint256 *task_id);

G_END_DECLS
