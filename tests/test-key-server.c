/* test-key-server.c: the key server grants a private task's key to every
 * seated annotator and reviewer exactly once, and to nobody else, on a real
 * chain (tools/devnet) with the key in a real keyring (run under
 * tests/keyring-harness)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <libsecret/secret.h>

#include "core-error.h"
#include "item-cipher.h"
#include "key-server.h"
#include "label-market.h"
#include "manifest.h"
#include "market-log.h"
#include "task-key.h"
#include "task-list.h"
#include "tally-test-market.h"
#include "tally-test-rpc.h"
#include "wallet/ecies.h"
#include "wallet/hex.h"
#include "wallet/keccak.h"

#define N_ITEMS     3
#define ITEM_MARKER "key-server-marker"

/* anvil's "test ... junk" keys of accounts 1..4: public, test only. */
static const char *const annotator_keys[TALLY_TEST_MARKET_N_ACCOUNTS] = {
  NULL,
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
};

typedef struct
{
  TallyMarketLog *log;
  TallyTaskList  *tasks;
  TallyKeyServer *server;
} Requester;

static void
requester_open (Requester       *self,
                TallyTestMarket *market)
{
  g_autoptr (TallyRpcClient) client = tally_test_rpc_fast_client (tally_rpc_client_get_url (market->client));
  g_autoptr (GError) error = NULL;

  self->log = tally_market_log_new (client, market->devnet.profile, NULL, &error);
  g_assert_no_error (error);
  self->tasks = tally_task_list_new (self->log);
  self->server = tally_key_server_new (self->tasks, market->managers[TALLY_TEST_MARKET_REQUESTER]);
}

static void
requester_clear (Requester *self)
{
  g_clear_object (&self->server);
  g_clear_object (&self->tasks);
  g_clear_object (&self->log);
}

static void
sync_log (Requester *self)
{
  g_autoptr (GError) error = NULL;
  GAsyncResult *result = NULL;

  tally_market_log_sync_async (self->log, NULL, tally_test_rpc_on_done, &result);
  g_assert_true (tally_market_log_sync_finish (self->log, tally_test_rpc_wait_for (&result), &error));
  g_assert_no_error (error);
}

static void
on_key_granted (TallyKeyServer     *server,
                TallyTask          *task,
                const TallyAddress *account,
                gpointer            user_data)
{
  GPtrArray *seen = user_data;
  char       address[TALLY_ADDRESS_STRING_SIZE];

  tally_address_to_string (account, address);
  g_ptr_array_add (seen, g_strdup (address));
}

/* One step; its error (or NULL) and the number of grants it mined, which
 * must be the number of ::key-granted emissions. */
static guint
step (Requester *self,
      GError   **error)
{
  g_autoptr (GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  GAsyncResult *result = NULL;
  gulong        handler;
  guint         n_granted = G_MAXUINT;
  gboolean      ok;

  handler = g_signal_connect (self->server, "key-granted", G_CALLBACK (on_key_granted), seen);
  tally_key_server_step_async (self->server, NULL, tally_test_rpc_on_done, &result);
  ok = tally_key_server_step_finish (self->server, tally_test_rpc_wait_for (&result), &n_granted,
                                     error);
  g_signal_handler_disconnect (self->server, handler);
  g_assert_cmpuint (n_granted, ==, seen->len);
  g_assert_true (ok == (error == NULL || *error == NULL));
  sync_log (self);
  return n_granted;
}

static TallyUint256
create_private_task (TallyTestMarket *market,
                     const char      *dir,
                     const guint8     key[TALLY_TASK_KEY_LEN])
{
  TallyLabelTaskParams params = tally_test_market_default_params (market, N_ITEMS, 3, 1);
  g_autofree char     *uri = tally_test_market_write_private_dataset (dir, key, N_ITEMS, ITEM_MARKER, params.manifest_hash);

  params.has_key_server = TRUE;
  params.key_server = market->accounts[TALLY_TEST_MARKET_REQUESTER];
  return tally_test_market_create_task (market, TALLY_TEST_MARKET_REQUESTER, &params, uri);
}

static void
private_key_of (guint   account,
                guint8  key[TALLY_PRIVATE_KEY_LEN],
                guint8 *public_key)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_hex_decode_fixed (key, TALLY_PRIVATE_KEY_LEN, annotator_keys[account], -1,
                                         &error));
  g_assert_no_error (error);
  if (public_key != NULL)
    {
      g_assert_true (tally_public_key_from_private (public_key, key, &error));
      g_assert_no_error (error);
    }
}

static void
stake_enough (TallyTestMarket *market,
              guint            account)
{
  TallyUint256 amount;

  g_assert_true (tally_uint256_parse (&amount, "20000000000000000000", NULL));
  tally_test_market_stake (market, account, &amount);
}

static void
join (TallyTestMarket    *market,
      guint               account,
      const TallyUint256 *task_id)
{
  g_autoptr (GError) error = NULL;
  guint8  key[TALLY_PRIVATE_KEY_LEN];
  guint8  public_key[TALLY_PUBLIC_KEY_LEN];
  guint8 *calldata = NULL;
  gsize   len = 0;

  private_key_of (account, key, public_key);
  stake_enough (market, account);
  g_assert_true (tally_label_market_encode_join (&calldata, &len, task_id, public_key,
                                                 sizeof public_key, &error));
  g_assert_no_error (error);
  tally_rpc_receipt_free (tally_test_market_send (market, account, &market->market, calldata, len));
}

/* The grant to account opens, with its private key, to the task key. */
static void
assert_granted (Requester          *requester,
                const TallyUint256 *task_id,
                guint               account,
                TallyTestMarket    *market,
                const guint8        task_key[TALLY_TASK_KEY_LEN])
{
  TallyTask *task = tally_task_list_lookup (requester->tasks, task_id);
  g_autoptr (GBytes) sealed = NULL;
  g_autoptr (GError) error = NULL;
  guint8 key[TALLY_PRIVATE_KEY_LEN];
  guint8 opened[TALLY_TASK_KEY_LEN];
  guint8 expected_hash[32], hash[32];
  gint   seat;

  g_assert_nonnull (task);
  g_assert_true (tally_task_has_key_grant (task, &market->accounts[account]));
  sealed = tally_task_get_sealed_key (task, &market->accounts[account]);
  g_assert_nonnull (sealed);
  g_assert_cmpuint (g_bytes_get_size (sealed), ==, TALLY_TASK_KEY_LEN + TALLY_ECIES_OVERHEAD);
  private_key_of (account, key, NULL);
  g_assert_true (tally_ecies_open (opened, key, g_bytes_get_data (sealed, NULL),
                                   g_bytes_get_size (sealed), &error));
  g_assert_no_error (error);
  g_assert_cmpmem (opened, sizeof opened, task_key, TALLY_TASK_KEY_LEN);
  tally_task_key_hash (hash, opened);
  tally_task_key_hash (expected_hash, task_key);
  g_assert_cmpmem (hash, sizeof hash, expected_hash, sizeof expected_hash);
  /* An annotator's grant is on its seat, on chain as in the events. */
  if ((seat = tally_task_find_seat (task, &market->accounts[account])) >= 0)
    {
      g_assert_true (tally_task_get_seat (task, (guint) seat)->key_granted);
      g_assert_true (tally_test_market_get_seat (market, task_id, (guint) seat).key_granted);
    }
}

static void
assert_not_granted (Requester          *requester,
                    const TallyUint256 *task_id,
                    const TallyAddress *account)
{
  TallyTask *task = tally_task_list_lookup (requester->tasks, task_id);

  g_assert_nonnull (task);
  g_assert_false (tally_task_has_key_grant (task, account));
  g_assert_null (tally_task_get_sealed_key (task, account));
}

/* A damaged keyring item: under the right attributes, a key whose hash is
 * not the one it is filed under. */
static const SecretSchema task_key_schema = {
  TALLY_TASK_KEY_SCHEMA_NAME,
  SECRET_SCHEMA_NONE,
  {
    { "requester", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "key-hash", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

static void
store_wrong_key (const TallyAddress *requester,
                 const guint8        key_hash[32])
{
  g_autoptr (GError) error = NULL;
  g_autofree char *hash_text = tally_hex_encode (key_hash, 32);
  g_autofree char *wrong_text = NULL;
  char             requester_text[TALLY_ADDRESS_STRING_SIZE];
  guint8           wrong[TALLY_TASK_KEY_LEN];

  memset (wrong, 0x5a, sizeof wrong);
  wrong_text = tally_hex_encode_bare (wrong, sizeof wrong);
  tally_address_to_string (requester, requester_text);
  g_assert_true (secret_password_store_sync (&task_key_schema, SECRET_COLLECTION_DEFAULT, "wrong task key",
                                             wrong_text, NULL, &error, "requester", requester_text,
                                             "key-hash", hash_text, NULL));
  g_assert_no_error (error);
}

static void
reveal_first_seat (TallyTestMarket    *market,
                   const TallyUint256 *task_id)
{
  static const guint8 labels[N_ITEMS] = { 1, 2, 1 };
  g_autoptr (GError) error = NULL;
  TallyLabelTaskParams params = tally_test_market_get_task (market, task_id).params;
  guint8               salt[32], commitment[32];
  guint8              *calldata = NULL;
  gsize                len = 0;

  memset (salt, 7, sizeof salt);
  tally_label_market_commitment (commitment, market->chain_id, &market->market, task_id,
                                 &market->accounts[1], labels, sizeof labels, NULL, 0, salt);
  g_assert_true (tally_label_market_encode_commit (&calldata, &len, task_id, commitment, &error));
  g_assert_no_error (error);
  tally_rpc_receipt_free (tally_test_market_send (market, 1, &market->market, calldata, len));
  tally_test_market_advance_to (market, params.commit_deadline + 1);
  g_assert_true (tally_label_market_encode_reveal (&calldata, &len, task_id, labels, sizeof labels,
                                                   NULL, 0, salt, &error));
  g_assert_no_error (error);
  tally_rpc_receipt_free (tally_test_market_send (market, 1, &market->market, calldata, len));
}

/* A block, once, when a sync of the log ends. */
static void
mine_after_sync (TallyMarketLog  *log,
                 GParamSpec      *pspec,
                 TallyTestMarket *market)
{
  if (tally_market_log_get_syncing (log))
    return;
  json_node_unref (tally_test_devnet_rpc_result (&market->devnet, NULL, "evm_mine", "[]"));
  g_signal_handlers_disconnect_by_func (log, mine_after_sync, market);
}

static void
test_grants (TallyTestMarket *market,
             gconstpointer    data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir_a = g_build_filename (market->devnet.dir, "dataset-a", NULL);
  g_autofree char *dir_b = g_build_filename (market->devnet.dir, "dataset-b", NULL);
  g_autofree char *id_b_decimal = NULL;
  g_autofree char *id_b_text = NULL;
  g_autofree char *hash_b_text = NULL;
  char             requester_text[TALLY_ADDRESS_STRING_SIZE];
  Requester        requester = { 0 };
  Requester        restarted = { 0 };
  TallyKeyServer  *stranger;
  guint8           key_a[TALLY_TASK_KEY_LEN], key_b[TALLY_TASK_KEY_LEN];
  guint8           hash_a[32], hash_b[32];
  guint8           public_key[TALLY_PUBLIC_KEY_LEN], private_key[TALLY_PRIVATE_KEY_LEN];
  guint8          *calldata = NULL;
  gsize            len = 0;
  TallyUint256     id_a, id_b;
  TallyTask       *task_a;
  gint             seat;

  /* Task A's key is in the keyring; task B's keyring item is damaged. */
  g_assert_true (tally_task_key_generate (key_a, &error));
  g_assert_true (tally_task_key_generate (key_b, &error));
  g_assert_no_error (error);
  tally_task_key_hash (hash_a, key_a);
  tally_task_key_hash (hash_b, key_b);
  g_assert_true (tally_task_key_store_sync (&market->accounts[TALLY_TEST_MARKET_REQUESTER], hash_a,
                                            key_a, NULL, &error));
  g_assert_no_error (error);
  store_wrong_key (&market->accounts[TALLY_TEST_MARKET_REQUESTER], hash_b);
  id_a = create_private_task (market, dir_a, key_a);
  id_b = create_private_task (market, dir_b, key_b);
  id_b_decimal = tally_uint256_to_decimal (&id_b);
  id_b_text = g_strdup_printf ("Task %s: ", id_b_decimal);

  requester_open (&requester, market);
  sync_log (&requester);
  g_assert_true (tally_key_server_is_serving (requester.server));
  g_assert_true (tally_address_equal (tally_key_server_get_account (requester.server),
                                      &market->accounts[TALLY_TEST_MARKET_REQUESTER]));
  stranger = tally_key_server_new (requester.tasks, market->managers[4]);
  g_assert_false (tally_key_server_is_serving (stranger));
  g_assert_cmpuint (step (&requester, &error), ==, 0);
  g_assert_no_error (error);

  /* Two annotators joined A, one of them B: A's two are granted, B's
   * refused with a reason, and A's grants were not held up by B. */
  join (market, 1, &id_a);
  join (market, 2, &id_a);
  join (market, 1, &id_b);
  g_assert_cmpuint (step (&requester, &error), ==, 2);
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_KEY);
  g_assert_true (g_str_has_prefix (error->message, id_b_text));
  g_clear_error (&error);
  assert_granted (&requester, &id_a, 1, market, key_a);
  assert_granted (&requester, &id_a, 2, market, key_a);
  assert_not_granted (&requester, &id_b, &market->accounts[1]);

  /* Somebody else's key server serves none of them. */
  g_assert_cmpuint (step (&(Requester){ requester.log, requester.tasks, stranger }, &error), ==, 0);
  g_assert_no_error (error);
  g_object_unref (stranger);

  /* The keyring mended, B's annotator gets its key; then nothing is left. */
  tally_address_to_string (&market->accounts[TALLY_TEST_MARKET_REQUESTER], requester_text);
  hash_b_text = tally_hex_encode (hash_b, sizeof hash_b);
  g_assert_true (secret_password_clear_sync (&task_key_schema, NULL, &error, "requester",
                                             requester_text, "key-hash", hash_b_text, NULL));
  g_assert_no_error (error);
  g_assert_true (tally_task_key_store_sync (&market->accounts[TALLY_TEST_MARKET_REQUESTER], hash_b,
                                            key_b, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (step (&requester, &error), ==, 1);
  g_assert_no_error (error);
  assert_granted (&requester, &id_b, 1, market, key_b);
  g_assert_cmpuint (step (&requester, &error), ==, 0);
  g_assert_no_error (error);

  /* After a restart (a new log, list and server on the same journal):
   * still nothing to send twice. */
  requester_open (&restarted, market);
  g_assert_cmpuint (step (&restarted, &error), ==, 0);
  g_assert_no_error (error);
  requester_clear (&restarted);

  /* A third annotator joins later, and a grant to it is in the journal,
   * broadcast but not yet mined (as when a crash cut the wait short): the
   * next step waits for that one, counts it, and sends no other. The block
   * comes only once the step has synced the log without the grant.
   * Account 4 holds no seat: nothing for it. */
  join (market, 3, &id_a);
  json_node_unref (tally_test_devnet_rpc_result (&market->devnet, NULL, "evm_setAutomine", "[false]"));
  {
    guint8           sealed[TALLY_TASK_KEY_LEN + TALLY_ECIES_OVERHEAD];
    guint8           hash[TALLY_TX_JOURNAL_HASH_LEN];
    char             address[TALLY_ADDRESS_STRING_SIZE];
    g_autofree char *id_a_decimal = tally_uint256_to_decimal (&id_a);
    g_autofree char *purpose = NULL;
    g_autoptr (GBytes) grant_data = NULL;
    g_autoptr (GBytes) granted = NULL;
    GAsyncResult *result = NULL;
    TallyTask    *task;

    private_key_of (3, private_key, public_key);
    g_assert_true (tally_ecies_seal (sealed, public_key, key_a, sizeof key_a, &error));
    g_assert_true (tally_label_market_encode_grant_key (&calldata, &len, &id_a, &market->accounts[3],
                                                        sealed, sizeof sealed, &error));
    g_assert_no_error (error);
    grant_data = g_bytes_new_take (calldata, len);
    tally_address_to_string (&market->accounts[3], address);
    purpose = g_strdup_printf ("grant:%s:%s", id_a_decimal, address);
    tally_tx_manager_send_async (market->managers[TALLY_TEST_MARKET_REQUESTER], &market->market,
                                 NULL, grant_data, purpose, NULL, tally_test_rpc_on_done, &result);
    g_assert_true (tally_tx_manager_send_finish (market->managers[TALLY_TEST_MARKET_REQUESTER],
                                                 tally_test_rpc_wait_for (&result), hash, &error));
    g_assert_no_error (error);
    g_signal_connect (requester.log, "notify::syncing", G_CALLBACK (mine_after_sync), market);
    g_assert_cmpuint (step (&requester, &error), ==, 1);
    g_assert_no_error (error);
    json_node_unref (tally_test_devnet_rpc_result (&market->devnet, NULL, "evm_setAutomine", "[true]"));
    assert_granted (&requester, &id_a, 3, market, key_a);
    task = tally_task_list_lookup (requester.tasks, &id_a);
    granted = tally_task_get_sealed_key (task, &market->accounts[3]);
    g_assert_cmpmem (g_bytes_get_data (granted, NULL), g_bytes_get_size (granted), sealed,
                     sizeof sealed);
  }
  assert_not_granted (&requester, &id_a, &market->accounts[4]);

  /* A reviewer with a review seat gets the key too. */
  reveal_first_seat (market, &id_a);
  task_a = tally_task_list_lookup (requester.tasks, &id_a);
  seat = tally_task_find_seat (task_a, &market->accounts[1]);
  g_assert_cmpint (seat, >=, 0);
  private_key_of (4, private_key, public_key);
  stake_enough (market, 4);
  g_assert_true (tally_label_market_encode_join_review (&calldata, &len, &id_a, (guint) seat,
                                                        public_key, sizeof public_key, &error));
  g_assert_no_error (error);
  tally_rpc_receipt_free (tally_test_market_send (market, 4, &market->market, calldata, len));
  g_assert_cmpuint (step (&requester, &error), ==, 1);
  g_assert_no_error (error);
  assert_granted (&requester, &id_a, 4, market, key_a);
  g_assert_cmpuint (step (&requester, &error), ==, 0);
  g_assert_no_error (error);

  g_assert_cmpuint (tally_task_list_get_inconsistencies (requester.tasks), ==, 0);

  requester_clear (&requester);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/core/key-server/grants", TallyTestMarket, "tally-key-server-XXXXXX",
              tally_test_market_set_up, test_grants, tally_test_market_tear_down);

  return g_test_run ();
}
