/* tally-test-tx-manager.c: what the TallyTxManager tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "tally-test-rpc.h"
#include "tally-test-tx-manager.h"
#include "wallet/hex.h"
#include "wallet/key-signer.h"

char *
tally_test_txm_journal_path (char **dir)
{
  g_autoptr (GError) error = NULL;

  *dir = g_dir_make_tmp ("tally-txj-XXXXXX", &error);
  g_assert_no_error (error);
  return g_build_filename (*dir, "journal.sqlite", NULL);
}

void
tally_test_txm_remove_dir (char *dir)
{
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
  g_free (dir);
}

TallySigner *
tally_test_txm_signer (const char *key_hex)
{
  g_autoptr (GError) error = NULL;
  guint8          key[TALLY_PRIVATE_KEY_LEN];
  TallyKeySigner *signer;

  g_assert_true (tally_hex_decode_fixed (key, sizeof key, key_hex, -1, &error));
  signer = tally_key_signer_new (key, &error);
  g_assert_no_error (error);
  memset (key, 0, sizeof key);
  return TALLY_SIGNER (signer);
}

void
tally_test_txm_set_up (TallyTestTxm *f,
                       gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->anvil = tally_anvil_start (&error);
  g_assert_no_error (error);
  f->path = tally_test_txm_journal_path (&f->dir);
  f->client = tally_test_rpc_fast_client (tally_anvil_get_url (f->anvil));
  f->signer = tally_test_txm_signer (TALLY_TEST_TXM_KEY);
  tally_signer_get_address (f->signer, &f->sender);
  f->journal = tally_tx_journal_open (f->path, &error);
  g_assert_no_error (error);
  f->manager = tally_tx_manager_new (f->client, f->signer, f->journal, TALLY_ANVIL_CHAIN_ID);
  tally_tx_manager_set_poll_interval (f->manager, 50);
}

void
tally_test_txm_tear_down (TallyTestTxm *f,
                          gconstpointer data)
{
  g_clear_object (&f->manager);
  g_clear_object (&f->journal);
  g_clear_object (&f->signer);
  g_clear_object (&f->client);
  g_clear_pointer (&f->anvil, tally_anvil_free);
  g_clear_pointer (&f->path, g_free);
  tally_test_txm_remove_dir (g_steal_pointer (&f->dir));
}

void
tally_test_txm_send_ok (TallyTxManager     *manager,
                        const TallyAddress *to,
                        guint64             wei,
                        const char         *purpose,
                        guint8              hash[32])
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  TallyUint256 value;
  gboolean     ok;

  tally_uint256_from_uint64 (&value, wei);
  tally_tx_manager_send_async (manager, to, &value, NULL, purpose, NULL, tally_test_rpc_on_done,
                               &result);
  ok = tally_tx_manager_send_finish (manager, tally_test_rpc_wait_for (&result), hash, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
}

TallyRpcReceipt *
tally_test_txm_wait_for_receipt (TallyTxManager *manager,
                                 const guint8    hash[32],
                                 GError        **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  tally_tx_manager_wait_async (manager, hash, NULL, tally_test_rpc_on_done, &result);
  return tally_tx_manager_wait_finish (manager, tally_test_rpc_wait_for (&result), error);
}

void
tally_test_txm_assert_mined (TallyTxManager *manager,
                             const guint8    hash[32])
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TallyRpcReceipt) receipt = tally_test_txm_wait_for_receipt (manager, hash, &error);

  g_assert_no_error (error);
  g_assert_nonnull (receipt);
  g_assert_true (receipt->success);
  g_assert_cmpmem (receipt->transaction_hash, 32, hash, 32);
}

TallyTxJournalEntry *
tally_test_txm_journaled (TallyTestTxm *f,
                          const guint8 *hash)
{
  g_autoptr (GError) error = NULL;
  TallyTxJournalEntry *entry = tally_tx_journal_lookup (f->journal, hash, &error);

  g_assert_no_error (error);
  return entry;
}

void
tally_test_txm_call_node (TallyRpcClient *client,
                          const char     *method,
                          const char     *params_json)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) reply = NULL;
  JsonNode *params = json_from_string (params_json, &error);

  g_assert_no_error (error);
  tally_rpc_client_call_async (client, method, params, 0, NULL, tally_test_rpc_on_done, &result);
  reply = tally_rpc_client_call_finish (client, tally_test_rpc_wait_for (&result), &error);
  g_assert_no_error (error);
}
