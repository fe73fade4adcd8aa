/* tx-journal.h: every transaction Tally signed, on disk before it is sent
 *
 * A SQLite file (WAL, synchronous=FULL) with one row per signed transaction.
 * The transaction layer writes the raw bytes here before the first
 * broadcast, so a crash or a lost reply never leaves a signed transaction
 * that Tally forgot: after a restart it is sent again, byte for byte, and
 * never replaced by a different one for the same nonce by accident.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "wallet/keys.h"

G_BEGIN_DECLS

#define TALLY_TX_JOURNAL_HASH_LEN       32
#define TALLY_TX_JOURNAL_SCHEMA_VERSION 1

typedef enum
{
  TALLY_TX_STATE_PENDING,  /* signed, maybe broadcast, not mined yet */
  TALLY_TX_STATE_MINED,    /* in a block, status 1 */
  TALLY_TX_STATE_FAILED,   /* in a block, status 0 (reverted) */
  TALLY_TX_STATE_REPLACED, /* superseded by another with the same nonce */
  TALLY_TX_STATE_DROPPED,  /* the nonce was used by a transaction we did not journal */
} TallyTxState;

typedef struct
{
  gint64       id;
  guint64      chain_id;
  TallyAddress sender;
  guint64      nonce;
  GBytes      *raw;
  guint8       hash[TALLY_TX_JOURNAL_HASH_LEN];
  TallyTxState state;
  gint64       created; /* Unix seconds */
  gint64       updated;
  char        *purpose;
  gboolean     has_replaced_by;
  guint8       replaced_by[TALLY_TX_JOURNAL_HASH_LEN];
  char        *detail; /* why it failed, or NULL */
} TallyTxJournalEntry;

void        tally_tx_journal_entry_free (TallyTxJournalEntry *entry);
const char *tally_tx_state_to_string (TallyTxState state);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TallyTxJournalEntry, tally_tx_journal_entry_free)

#define TALLY_TYPE_TX_JOURNAL (tally_tx_journal_get_type ())

G_DECLARE_FINAL_TYPE (TallyTxJournal, tally_tx_journal, TALLY, TX_JOURNAL, GObject)

/* Creates the file if needed and brings its schema to the current version.
 * Errors are TALLY_CORE_ERROR_STORAGE. */
TallyTxJournal *tally_tx_journal_open (const char *path,
                                       GError    **error) G_GNUC_WARN_UNUSED_RESULT;

const char *tally_tx_journal_get_path (TallyTxJournal *self);
/* PRAGMA user_version of the open file. */
guint tally_tx_journal_get_schema_version (TallyTxJournal *self);

/* Records a signed transaction as pending; durable when this returns. */
gboolean tally_tx_journal_add (TallyTxJournal     *self,
                               guint64             chain_id,
                               const TallyAddress *sender,
                               guint64             nonce,
                               GBytes             *raw,
                               const guint8        hash[TALLY_TX_JOURNAL_HASH_LEN],
                               const char         *purpose,
                               GError            **error) G_GNUC_WARN_UNUSED_RESULT;

/* The same in a worker thread, since the write waits for the disk (fsync)
 * and must not hold up the main loop. */
void     tally_tx_journal_add_async (TallyTxJournal     *self,
                                     guint64             chain_id,
                                     const TallyAddress *sender,
                                     guint64             nonce,
                                     GBytes             *raw,
                                     const guint8        hash[TALLY_TX_JOURNAL_HASH_LEN],
                                     const char         *purpose,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data);
gboolean tally_tx_journal_add_finish (TallyTxJournal *self,
                                      GAsyncResult   *result,
                                      GError        **error) G_GNUC_WARN_UNUSED_RESULT;

/* detail may be NULL. TALLY_CORE_ERROR_NOT_FOUND for an unknown hash. */
gboolean tally_tx_journal_set_state (TallyTxJournal *self,
                                     const guint8    hash[TALLY_TX_JOURNAL_HASH_LEN],
                                     TallyTxState    state,
                                     const char     *detail,
                                     GError        **error) G_GNUC_WARN_UNUSED_RESULT;
/* Marks old_hash replaced by new_hash. */
gboolean tally_tx_journal_mark_replaced (TallyTxJournal *self,
                                         const guint8    old_hash[TALLY_TX_JOURNAL_HASH_LEN],
                                         const guint8    new_hash[TALLY_TX_JOURNAL_HASH_LEN],
                                         GError        **error) G_GNUC_WARN_UNUSED_RESULT;

/* TALLY_CORE_ERROR_NOT_FOUND for an unknown hash. */
TallyTxJournalEntry *tally_tx_journal_lookup (TallyTxJournal *self,
                                              const guint8    hash[TALLY_TX_JOURNAL_HASH_LEN],
                                              GError        **error) G_GNUC_WARN_UNUSED_RESULT;
/* The pending entries of one sender on one chain, by nonce, then by age. */
GPtrArray *tally_tx_journal_list_pending (TallyTxJournal     *self,
                                          guint64             chain_id,
                                          const TallyAddress *sender,
                                          GError            **error) G_GNUC_WARN_UNUSED_RESULT;
/* A reorganisation can take mined transactions out of the chain: the
 * node's count of the sender's transactions (first_unused) is then below
 * nonces the journal holds as mined or failed. Those entries become
 * pending again, so the next resume broadcasts them byte for byte and the
 * sender's later transactions do not wait on a gap. *n_reopened may be
 * NULL. */
gboolean tally_tx_journal_reopen_from_nonce (TallyTxJournal     *self,
                                             guint64             chain_id,
                                             const TallyAddress *sender,
                                             guint64             first_unused,
                                             guint              *n_reopened,
                                             GError            **error) G_GNUC_WARN_UNUSED_RESULT;
/* The nonce after the highest one journaled for this sender, or 0. */
gboolean tally_tx_journal_next_nonce (TallyTxJournal     *self,
                                      guint64             chain_id,
                                      const TallyAddress *sender,
                                      guint64            *next_nonce,
                                      GError            **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
