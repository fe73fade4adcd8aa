/* tally-test-rpc.h: what the TallyRpcClient tests share: one anvil for the
 * whole test process, a main-loop wait for async results, and short ways to
 * read the chain and to sign a transaction for it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rpc-client.h"
#include "wallet/keys.h"

G_BEGIN_DECLS

/* anvil's first two funded development accounts. */
#define TALLY_TEST_ANVIL_ACCOUNT "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
#define TALLY_TEST_OTHER_ACCOUNT "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"
#define TALLY_TEST_GWEI          1000000000

const char *tally_test_rpc_anvil_url (void);
void        tally_test_rpc_anvil_free (void);

GAsyncResult *tally_test_rpc_wait_for (GAsyncResult **slot);
void          tally_test_rpc_on_done (GObject      *source,
                                      GAsyncResult *result,
                                      gpointer      user_data);

TallyRpcClient *tally_test_rpc_fast_client (const char *url);
guint64         tally_test_rpc_retries_of (TallyRpcClient *client);
TallyAddress    tally_test_rpc_address_of (const char *text);

gboolean         tally_test_rpc_block_number (TallyRpcClient *client,
                                              guint64        *number,
                                              GError        **error);
guint64          tally_test_rpc_nonce_of (TallyRpcClient *client,
                                          const char     *account);
GBytes          *tally_test_rpc_signed_transaction (guint64     nonce,
                                                    const char *init_code);
TallyRpcReceipt *tally_test_rpc_receipt_of (TallyRpcClient *client,
                                            const guint8    hash[TALLY_RPC_HASH_LEN]);
TallyRpcReceipt *tally_test_rpc_mined_receipt_of (TallyRpcClient *client,
                                                  const guint8    hash[TALLY_RPC_HASH_LEN]);

G_END_DECLS
