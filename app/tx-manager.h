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
