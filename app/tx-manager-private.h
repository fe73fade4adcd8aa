/* tx-manager-private.h: TallyTxManager's instance, shared by tx-manager.c
 * (sending, replacing), tx-manager-prepare.c (fees, gas, nonce),
 * tx-manager-wait.c (waiting, resuming) and tx-manager-once.c (one
 * transaction per purpose)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tx-manager.h"
#include "wallet/tx.h"

G_BEGIN_DECLS

struct _TallyTxManager
{
  GObject parent_instance;

  TallyRpcClient *client;
  TallySigner    *signer;
  TallyTxJournal *journal;
  guint64         chain_id;
  guint           poll_interval;

  GQueue queue;   /* GTask: sends and replacements waiting their turn */
  GTask *current; /* the one under way */
};

/* One send or replacement going through the pipeline in tx-manager.c. */
typedef struct
{
  TallyTransaction *tx;
  TallyAddress      sender;
  char             *purpose;
  gboolean          estimate_gas;
  gboolean          is_replacement;
  guint8            old_hash[TALLY_TX_JOURNAL_HASH_LEN];
  TallyUint256      min_priority_fee; /* replacement floors */
  TallyUint256      min_max_fee;
  GBytes           *raw;
  guint8            hash[TALLY_TX_JOURNAL_HASH_LEN];
  gboolean          resent;
  GError           *broadcast_error;
} SendData;

void tally_tx_manager_send_data_free (SendData *data);
/* Queues a GTask whose task data is a SendData; they run one at a time. */
void     tally_tx_manager_enqueue (TallyTxManager *self,
                                   GTask          *task);
gboolean tally_tx_manager_finish_with_hash (GAsyncResult *result,
                                            guint8        hash[TALLY_TX_JOURNAL_HASH_LEN],
                                            GError      **error);
/* eth_getTransactionByHash: TRUE when the node holds the transaction. */
void     tally_tx_manager_ask_node_async (TallyRpcClient     *client,
                                          const guint8        hash[TALLY_TX_JOURNAL_HASH_LEN],
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
gboolean tally_tx_manager_ask_node_finish (TallyRpcClient *client,
                                           GAsyncResult   *result);
char    *tally_tx_manager_hash_to_string (const guint8 hash[TALLY_TX_JOURNAL_HASH_LEN]);
/* Fills in the send's fees and, when it estimates gas, its gas limit and
 * nonce, from one JSON-RPC batch (tx-manager-prepare.c). */
void     tally_tx_manager_prepare_async (TallyTxManager     *self,
                                         SendData           *send,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data);
gboolean tally_tx_manager_prepare_finish (TallyTxManager *self,
                                          GAsyncResult   *result,
                                          GError        **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
