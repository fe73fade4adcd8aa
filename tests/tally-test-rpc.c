/* tally-test-rpc.c: what the TallyRpcClient tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "tally-anvil-fixture.h"
#include "tally-test-rpc.h"
#include "wallet/hex.h"
#include "wallet/tx.h"

#define TALLY_TEST_ANVIL_KEY "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

/* One anvil for every test in the process that has no reason to want its
 * own; started on first use, freed by tally_test_rpc_anvil_free(). */
static TallyAnvil *shared_anvil;

const char *
tally_test_rpc_anvil_url (void)
{
  if (shared_anvil == NULL)
    {
      g_autoptr (GError) error = NULL;

      shared_anvil = tally_anvil_start (&error);
      g_assert_no_error (error);
    }
  return tally_anvil_get_url (shared_anvil);
}

void
tally_test_rpc_anvil_free (void)
{
  g_clear_pointer (&shared_anvil, tally_anvil_free);
}

GAsyncResult *
tally_test_rpc_wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

void
tally_test_rpc_on_done (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

TallyRpcClient *
tally_test_rpc_fast_client (const char *url)
{
  TallyRpcClient *client = tally_rpc_client_new (url);

  tally_rpc_client_set_retry_delay (client, 20);
  return client;
}

guint64
tally_test_rpc_retries_of (TallyRpcClient *client)
{
  TallyRpcStats stats;

  tally_rpc_client_get_stats (client, &stats);
  return stats.retries;
}

TallyAddress
tally_test_rpc_address_of (const char *text)
{
  TallyAddress address;
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_address_parse (&address, text, &error));
  g_assert_no_error (error);
  return address;
}

gboolean
tally_test_rpc_block_number (TallyRpcClient *client,
                             guint64        *number,
                             GError        **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  tally_rpc_client_block_number_async (client, NULL, tally_test_rpc_on_done, &result);
  return tally_rpc_client_block_number_finish (client, tally_test_rpc_wait_for (&result), number,
                                               error);
}

guint64
tally_test_rpc_nonce_of (TallyRpcClient *client,
                         const char     *account)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  TallyAddress address = tally_test_rpc_address_of (account);
  guint64      nonce = 0;

  tally_rpc_client_get_transaction_count_async (client, &address, "pending", NULL,
                                                tally_test_rpc_on_done, &result);
  g_assert_true (tally_rpc_client_get_transaction_count_finish (
    client, tally_test_rpc_wait_for (&result), &nonce, &error));
  g_assert_no_error (error);
  return nonce;
}

/* A signed EIP-1559 transaction from the first anvil account: a 1 wei
 * transfer, or a contract creation with init_code. */
GBytes *
tally_test_rpc_signed_transaction (guint64     nonce,
                                   const char *init_code)
{
  g_autoptr (TallyTransaction) tx = tally_transaction_new (TALLY_TRANSACTION_EIP1559);
  g_autoptr (GError) error = NULL;
  guint8  key[TALLY_PRIVATE_KEY_LEN];
  guint8 *raw = NULL;
  gsize   raw_len = 0;

  g_assert_true (tally_hex_decode_fixed (key, sizeof key, TALLY_TEST_ANVIL_KEY, -1, &error));
  tx->chain_id = TALLY_ANVIL_CHAIN_ID;
  tx->nonce = nonce;
  tally_uint256_from_uint64 (&tx->max_priority_fee_per_gas, TALLY_TEST_GWEI);
  tally_uint256_from_uint64 (&tx->max_fee_per_gas, 10 * (guint64) TALLY_TEST_GWEI);
  if (init_code != NULL)
    {
      g_autofree guint8 *code = NULL;
      gsize              code_len = 0;

      g_assert_true (tally_hex_decode (&code, &code_len, init_code, -1, &error));
      tally_transaction_set_data (tx, code, code_len);
      tx->gas_limit = 200000;
    }
  else
    {
      tx->has_to = TRUE;
      tx->to = tally_test_rpc_address_of (TALLY_TEST_OTHER_ACCOUNT);
      tally_uint256_from_uint64 (&tx->value, 1);
      tx->gas_limit = 21000;
    }
  g_assert_true (tally_transaction_sign (tx, key, &error));
  g_assert_true (tally_transaction_encode (&raw, &raw_len, tx, &error));
  g_assert_no_error (error);
  return g_bytes_new_take (raw, raw_len);
}

TallyRpcReceipt *
tally_test_rpc_receipt_of (TallyRpcClient *client,
                           const guint8    hash[TALLY_RPC_HASH_LEN])
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  TallyRpcReceipt *receipt = NULL;

  tally_rpc_client_get_transaction_receipt_async (client, hash, NULL, tally_test_rpc_on_done,
                                                  &result);
  g_assert_true (tally_rpc_client_get_transaction_receipt_finish (
    client, tally_test_rpc_wait_for (&result), &receipt, &error));
  g_assert_no_error (error);
  return receipt;
}

/* anvil mines at once, but the receipt can lag the reply by a moment. */
TallyRpcReceipt *
tally_test_rpc_mined_receipt_of (TallyRpcClient *client,
                                 const guint8    hash[TALLY_RPC_HASH_LEN])
{
  for (guint i = 0; i < 100; i++)
    {
      TallyRpcReceipt *receipt = tally_test_rpc_receipt_of (client, hash);

      if (receipt != NULL)
        return receipt;
      g_usleep (20000);
    }
  g_assert_not_reached ();
}
