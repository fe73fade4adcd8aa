/* store.h: Tally's local store — the SQLite file in the user's data
 * directory that holds what must survive a crash: submissions (labels,
 * payload and salt before a commit is broadcast) and annotations (saved on
 * every change), plus the accounts and networks the user added
 *
 * One file, WAL, synchronous=FULL: a call that returns TRUE is on disk.
 * One connection behind one lock, so any thread may call any function;
 * the *_async writes run on the store's own writer thread, in order.
 * The schema is versioned (PRAGMA user_version) and migrated step by step
 * inside one transaction each, from the first version on; a file from a
 * newer Tally is refused rather than damaged. Secrets never go here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "wallet/keys.h"
#include "wallet/uint256.h"

G_BEGIN_DECLS

#define TALLY_STORE_SCHEMA_VERSION 2

/* Where a submission (an annotator's labels, or a reviewer's verdicts on
 * one seat) stands. Stored by name, so later states need no migration. */
typedef enum
{
  TALLY_SUBMISSION_DRAFTING,   /* being labelled */
  TALLY_SUBMISSION_COMMITTING, /* labels, payload and salt on disk; commit signed or sent */
  TALLY_SUBMISSION_COMMITTED,  /* commit mined */
  TALLY_SUBMISSION_REVEALING,  /* reveal signed or sent */
  TALLY_SUBMISSION_REVEALED,   /* reveal mined */
  TALLY_SUBMISSION_SETTLED,    /* the task was finalized */
  TALLY_SUBMISSION_CLAIMABLE,  /* rewards credited, not claimed */
  TALLY_SUBMISSION_CLAIMED,
  TALLY_SUBMISSION_FAILED,  /* with a reason */
  TALLY_SUBMISSION_EXPIRED, /* a deadline passed first */
  /* Seats (appended: the order above is the order of the protocol). */
  TALLY_SUBMISSION_JOINING,         /* join signed or sent */
  TALLY_SUBMISSION_JOINED,          /* seat held, labels not yet committed */
  TALLY_SUBMISSION_WAITING_FOR_KEY, /* seat on a private task, no key granted yet */
  TALLY_SUBMISSION_LEFT,            /* the seat was given back */
} TallySubmissionState;

typedef enum
{
  TALLY_SUBMISSION_ANNOTATOR,
  TALLY_SUBMISSION_REVIEWER,
} TallySubmissionRole;

const char *tally_submission_state_to_string (TallySubmissionState state);
/* TRUE while the engine still has something to do for it. */
gboolean tally_submission_state_is_unfinished (TallySubmissionState state);

typedef struct
{
  guint64              chain_id;
  TallyAddress         market;
  TallyUint256         task_id;
  TallyAddress         account;
  TallySubmissionRole  role;
  guint                seat; /* a reviewer's: the seat reviewed; an annotator's: 0 */
  TallySubmissionState state;
  GBytes              *labels;  /* or verdicts; NULL while drafting */
  GBytes              *payload; /* NULL for reviews */
  gboolean             has_salt;
  guint8               salt[32];
  gboolean             has_commitment;
  guint8               commitment[32];
  gboolean             has_commit_tx;
  guint8               commit_tx[32];
  gboolean             has_reveal_tx;
  guint8               reveal_tx[32];
  char                *reason;  /* why it failed or expired, or NULL */
  gint64               updated; /* Unix seconds */
} TallySubmissionRecord;

void                   tally_submission_record_free (TallySubmissionRecord *record);
TallySubmissionRecord *tally_submission_record_copy (const TallySubmissionRecord *record);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TallySubmissionRecord, tally_submission_record_free)

#define TALLY_TYPE_STORE (tally_store_get_type ())

G_DECLARE_FINAL_TYPE (TallyStore, tally_store, TALLY, STORE, GObject)

/* Creates the file (and its directory) if needed and migrates it. Errors
 * are TALLY_CORE_ERROR_STORAGE and name the file. */
TallyStore *tally_store_open (const char *path,
                              GError    **error) G_GNUC_WARN_UNUSED_RESULT;
/* $XDG_DATA_HOME/tally/tally.db */
char       *tally_store_default_path (void) G_GNUC_WARN_UNUSED_RESULT;
const char *tally_store_get_path (TallyStore *self);
guint       tally_store_get_schema_version (TallyStore *self);

/* Inserts or replaces the submission of (chain, market, task, account,
 * role, seat); durable when it returns TRUE. updated is set here. */
gboolean tally_store_put_submission (TallyStore            *self,
                                     TallySubmissionRecord *record,
                                     GError               **error) G_GNUC_WARN_UNUSED_RESULT;
/* NULL with TALLY_CORE_ERROR_NOT_FOUND when there is none. */
TallySubmissionRecord *tally_store_get_submission (TallyStore         *self,
                                                   guint64             chain_id,
                                                   const TallyAddress *market,
                                                   const TallyUint256 *task_id,
                                                   const TallyAddress *account,
                                                   TallySubmissionRole role,
                                                   guint               seat,
                                                   GError            **error) G_GNUC_WARN_UNUSED_RESULT;
/* Every submission of this chain and market the engine must still drive
 * (TallySubmissionRecord), oldest task first. */
GPtrArray *tally_store_list_unfinished (TallyStore         *self,
                                        guint64             chain_id,
                                        const TallyAddress *market,
                                        GError            **error) G_GNUC_WARN_UNUSED_RESULT;

/* The two reads above on the writer's queue (store-reads.c): they see
 * every write queued before them and never wait for the store's lock on
 * the caller's thread. The finish functions return what the synchronous
 * ones would, with the same errors. */
void                   tally_store_get_submission_async (TallyStore         *self,
                                                         guint64             chain_id,
                                                         const TallyAddress *market,
                                                         const TallyUint256 *task_id,
                                                         const TallyAddress *account,
                                                         TallySubmissionRole role,
                                                         guint               seat,
                                                         GCancellable       *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer            user_data);
TallySubmissionRecord *tally_store_get_submission_finish (TallyStore   *self,
                                                          GAsyncResult *result,
                                                          GError      **error) G_GNUC_WARN_UNUSED_RESULT;
void                   tally_store_list_unfinished_async (TallyStore         *self,
                                                          guint64             chain_id,
                                                          const TallyAddress *market,
                                                          GCancellable       *cancellable,
                                                          GAsyncReadyCallback callback,
                                                          gpointer            user_data);
GPtrArray             *tally_store_list_unfinished_finish (TallyStore   *self,
                                                           GAsyncResult *result,
                                                           GError      **error) G_GNUC_WARN_UNUSED_RESULT;

/* One item's annotations for one account and task, as the annotation
 * model serialises them (opaque here); durable when it returns TRUE. */
gboolean tally_store_save_annotation (TallyStore         *self,
                                      guint64             chain_id,
                                      const TallyAddress *market,
                                      const TallyUint256 *task_id,
                                      const TallyAddress *account,
                                      guint               item,
                                      GBytes             *data,
                                      GError            **error) G_GNUC_WARN_UNUSED_RESULT;
/* item index (guint) -> GBytes, every item saved for that task and
 * account. */
GHashTable *tally_store_load_annotations (TallyStore         *self,
                                          guint64             chain_id,
                                          const TallyAddress *market,
                                          const TallyUint256 *task_id,
                                          const TallyAddress *account,
                                          GError            **error) G_GNUC_WARN_UNUSED_RESULT;

/* ---- Writes off the caller's thread ----------------------------------------
 *
 * The same writes as above, run on a worker thread so a caller on the main
 * loop never waits for the disk. A store runs its queued writes one at a
 * time, in the order they were queued, so a later save of a row always
 * lands after an earlier one. Each holds a reference on the store until it
 * is done. A write still queued when its cancellable fires is not made
 * (G_IO_ERROR_CANCELLED); one already started completes. A synchronous
 * write made meanwhile may land between queued ones. */

/* record is copied; its updated field is left as it is. */
void     tally_store_put_submission_async (TallyStore                  *self,
                                           const TallySubmissionRecord *record,
                                           GCancellable                *cancellable,
                                           GAsyncReadyCallback          callback,
                                           gpointer                     user_data);
gboolean tally_store_put_submission_finish (TallyStore   *self,
                                            GAsyncResult *result,
                                            GError      **error) G_GNUC_WARN_UNUSED_RESULT;
void     tally_store_save_annotation_async (TallyStore         *self,
                                            guint64             chain_id,
                                            const TallyAddress *market,
                                            const TallyUint256 *task_id,
                                            const TallyAddress *account,
                                            guint               item,
                                            GBytes             *data,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
gboolean tally_store_save_annotation_finish (TallyStore   *self,
                                             GAsyncResult *result,
                                             GError      **error) G_GNUC_WARN_UNUSED_RESULT;
/* Done once every write queued before it is on disk (or has failed: each
 * write reports its own failure). */
void     tally_store_flush_async (TallyStore         *self,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data);
gboolean tally_store_flush_finish (TallyStore   *self,
                                   GAsyncResult *result,
                                   GError      **error) G_GNUC_WARN_UNUSED_RESULT;
/* The same, blocking: for a program about to exit. Never call it from a
 * write's own thread. */
void tally_store_flush_sync (TallyStore *self);

/* Accounts the user added (addresses and names only: keys live in the
 * keyring). */
gboolean tally_store_add_account (TallyStore         *self,
                                  const TallyAddress *address,
                                  const char         *name,
                                  GError            **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean tally_store_remove_account (TallyStore         *self,
                                     const TallyAddress *address,
                                     GError            **error) G_GNUC_WARN_UNUSED_RESULT;
/* TallyAddress * elements, in the order they were added; the names in
 * names (char *) when not NULL. */
GPtrArray *tally_store_list_accounts (TallyStore *self,
                                      GPtrArray **names,
                                      GError    **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
