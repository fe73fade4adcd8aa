/* tx-manager.h: sending transactions safely — fees, gas, nonce, signing,
 * the journal, broadcast, waiting, replacement and recovery after a restart
 *
 * Every transaction is signed through the TallySigner and written to the
 * TallyTxJournal before it is broadcast. A broadcast whose answer was lost
 * is never followed by a different transaction for the same nonce: the
 * manager looks the hash up and sends the same bytes again. Sends of one
 * manager run one after another, so nonces never collide.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rpc-client.h"
#include "tx-journal.h"
#include "wallet/signer.h"
#include "wallet/uint256.h"

G_BEGIN_DECLS

#define TALLY_TX_MANAGER_DEFAULT_POLL_INTERVAL_MS 1000
/* Gas estimate margin and fee rules. */
#define TALLY_TX_MANAGER_GAS_MARGIN_PERCENT   20
#define TALLY_TX_MANAGER_PRIORITY_PERCENTILE  50.0
#define TALLY_TX_MANAGER_PRIORITY_FLOOR_WEI   1000000000 /* 1 gwei */
#define TALLY_TX_MANAGER_FEE_HISTORY_BLOCKS   10
#define TALLY_TX_MANAGER_REPLACEMENT_BUMP_PCT 10

#define TALLY_TYPE_TX_MANAGER (tally_tx_manager_get_type ())

G_DECLARE_FINAL_TYPE (TallyTxManager, tally_tx_manager, TALLY, TX_MANAGER, GObject)

TallyTxManager *tally_tx_manager_new (TallyRpcClient *client,
                                      TallySigner    *signer,
                                      TallyTxJournal *journal,
                                      guint64         chain_id);

TallyRpcClient *tally_tx_manager_get_client (TallyTxManager *self);
TallySigner    *tally_tx_manager_get_signer (TallyTxManager *self);
TallyTxJournal *tally_tx_manager_get_journal (TallyTxManager *self);
guint64         tally_tx_manager_get_chain_id (TallyTxManager *self);
guint           tally_tx_manager_get_poll_interval (TallyTxManager *self);
/* Milliseconds between receipt polls while waiting. */
void tally_tx_manager_set_poll_interval (TallyTxManager *self,
                                         guint           interval_ms);

/* to NULL creates a contract; value and data may be NULL. A revert during
 * gas estimation fails with TALLY_CORE_ERROR_REVERTED and the decoded
 * reason as the message. When the broadcast's answer was lost and the node
 * still cannot be reached, the error names the hash: the transaction stays
 * pending in the journal and tally_tx_manager_resume_async() sends it. */
void     tally_tx_manager_send_async (TallyTxManager     *self,
                                      const TallyAddress *to,
                                      const TallyUint256 *value,
                                      GBytes             *data,
                                      const char         *purpose,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
gboolean tally_tx_manager_send_finish (TallyTxManager *self,
                                       GAsyncResult   *result,
                                       guint8          hash[TALLY_TX_JOURNAL_HASH_LEN],
                                       GError        **error) G_GNUC_WARN_UNUSED_RESULT;

/* Polls until the transaction is in a block and records the outcome in the
 * journal. Status 0 fails with TALLY_CORE_ERROR_REVERTED and the reason
 * (replayed with eth_call); a journaled transaction whose nonce another one
 * used fails with TALLY_CORE_ERROR_NOT_FOUND. */
void             tally_tx_manager_wait_async (TallyTxManager     *self,
                                              const guint8        hash[TALLY_TX_JOURNAL_HASH_LEN],
                                              GCancellable       *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data);
TallyRpcReceipt *tally_tx_manager_wait_finish (TallyTxManager *self,
                                               GAsyncResult   *result,
                                               GError        **error) G_GNUC_WARN_UNUSED_RESULT;

/* The hash of this chain and signer's pending journal entry of purpose:
 * FALSE without one, or with error set when the journal could not be read. */
gboolean tally_tx_manager_find_pending (TallyTxManager *self,
                                        const char     *purpose,
                                        guint8          hash[TALLY_TX_JOURNAL_HASH_LEN],
                                        GError        **error) G_GNUC_WARN_UNUSED_RESULT;

/* A transaction exactly once per purpose: when the journal holds a pending
 * entry of purpose (sent before a crash, a lost answer or a cancel), that
 * transaction is waited for and data is not sent again; otherwise data goes
 * to to (value 0) through tally_tx_manager_send_async() and the new
 * transaction is waited for. Returns the mined receipt, with the errors of
 * tally_tx_manager_wait_async() (a revert is TALLY_CORE_ERROR_REVERTED).
 * Once mined, the entry is no longer pending: a second call with the same
 * purpose sends again, so whether the step is done is the caller's to know
 * from its own records. *has_hash (may be NULL) says whether the
 * transaction is known, found pending or sent, and hash (may be NULL) gets
 * its hash, also when waiting for it then failed or was cancelled. A send
 * that fails gives no hash, even one whose broadcast was lost and that the
 * journal keeps pending: the next call of purpose waits for that one. */
void             tally_tx_manager_send_once_async (TallyTxManager     *self,
                                                   const TallyAddress *to,
                                                   GBytes             *data,
                                                   const char         *purpose,
                                                   GCancellable       *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer            user_data);
TallyRpcReceipt *tally_tx_manager_send_once_finish (TallyTxManager *self,
                                                    GAsyncResult   *result,
                                                    guint8          hash[TALLY_TX_JOURNAL_HASH_LEN],
                                                    gboolean       *has_hash,
                                                    GError        **error) G_GNUC_WARN_UNUSED_RESULT;

/* Sends every pending journal entry of this chain and signer again, byte
 * for byte (entries already mined are recorded instead). */
void     tally_tx_manager_resume_async (TallyTxManager     *self,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
gboolean tally_tx_manager_resume_finish (TallyTxManager *self,
                                         GAsyncResult   *result,
                                         guint          *n_sent,
                                         GError        **error) G_GNUC_WARN_UNUSED_RESULT;

/* Replaces a pending journaled transaction with one of the same nonce and
 * fees at least TALLY_TX_MANAGER_REPLACEMENT_BUMP_PCT higher: the same call
 * (speed up), or a 0-value transfer to the sender itself (cancel). */
void     tally_tx_manager_speed_up_async (TallyTxManager     *self,
                                          const guint8        hash[TALLY_TX_JOURNAL_HASH_LEN],
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
gboolean tally_tx_manager_speed_up_finish (TallyTxManager *self,
                                           GAsyncResult   *result,
                                           guint8          new_hash[TALLY_TX_JOURNAL_HASH_LEN],
                                           GError        **error) G_GNUC_WARN_UNUSED_RESULT;
void     tally_tx_manager_cancel_async (TallyTxManager     *self,
                                        const guint8        hash[TALLY_TX_JOURNAL_HASH_LEN],
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
gboolean tally_tx_manager_cancel_finish (TallyTxManager *self,
                                         GAsyncResult   *result,
                                         guint8          new_hash[TALLY_TX_JOURNAL_HASH_LEN],
                                         GError        **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
