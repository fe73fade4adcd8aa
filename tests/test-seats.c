/* test-seats.c: seats through TallySubmitter on tools/devnet — join and
 * leave to the wei (stake and Burned event), a full task refused before
 * any transaction, a chain that refuses a join for want of a seat, a join
 * resumed after its process was killed, and a private task: the join with
 * the public key, waiting for the key, a grant opened and checked against
 * the manifest, a wrong key refused, a reviewer's join with its key, and a
 * free leave when no key comes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "core-error.h"
#include "item-cipher.h"
#include "label-market.h"
#include "submitter.h"
#include "tally-fault-proxy.h"
#include "tally-test-engine.h"
#include "tally-test-rpc.h"
#include "task-seats.h"
#include "wallet/ecies.h"
#include "wallet/hex.h"
#include "wallet/keccak.h"

#define N_ITEMS 4
/* The child's spec (tally-test-engine.h) is in this variable. */
#define CHILD_ENV "TALLY_TEST_SEATS_CHILD"

static const guint8 good[N_ITEMS] = { 1, 2, 3, 4 };

static char *self_path;

static guint64
nonce_of (TallyTestMarket *market,
          guint            account)
{
  char address[TALLY_ADDRESS_STRING_SIZE];

  tally_address_to_string (&market->accounts[account], address);
  return tally_test_rpc_nonce_of (market->client, address);
}

static void
test_join_leave (TallyTestMarket *market,
                 gconstpointer    data)
{
  TallyLabelTaskParams params = tally_test_market_default_params (market, N_ITEMS, 2, 0);
  TallyUint256         task_id = tally_test_engine_open_task (market, &params, 1, 1);
  TallyLabelStake      before, after;
  TallyUint256         fee, spent, lock;
  TallyTaskDeadlines   deadlines;
  TallyTestEngine      engine = { 0 };
  TallyTask           *task;
  guint64              nonce;
  guint                seat = 99;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) burned = NULL;

  tally_test_engine_open (&engine, market, 1);
  before = tally_test_market_stake_of (market, 1);

  g_assert_true (tally_test_engine_join (&engine, &task_id, &seat, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (seat, ==, 0);
  g_assert_cmpint (tally_test_engine_state_of (&engine, market, 1, &task_id), ==,
                   TALLY_SUBMISSION_JOINED);
  g_assert_true (tally_test_market_get_seat (market, &task_id, 0).state == TALLY_LABEL_SEAT_JOINED);

  /* A second join sends nothing. */
  nonce = nonce_of (market, 1);
  g_assert_true (tally_test_engine_join (&engine, &task_id, &seat, &error));
  g_assert_cmpuint (seat, ==, 0);
  g_assert_cmpuint (nonce_of (market, 1), ==, nonce);

  /* What the GUI shows of the seat. */
  task = tally_task_list_lookup (engine.tasks, &task_id);
  g_assert_cmpuint (tally_task_seats_left (task), ==, 1);
  tally_task_seats_get_lock (task, &lock);
  tally_test_market_pending_of (market, &task_id, 1, &spent, &fee);
  g_assert_cmpint (tally_uint256_cmp (&lock, &spent), ==, 0);
  g_assert_false (tally_task_seats_leave_is_free (task, &market->accounts[1]));
  tally_task_seats_get_leave_fee (task, &market->accounts[1], &fee);
  g_assert_cmpint (tally_uint256_cmp (&fee, &params.leave_fee), ==, 0);
  g_assert_true (tally_task_seats_can_leave (task, &market->accounts[1], tally_test_market_now (market)));
  g_assert_false (tally_task_seats_can_leave (task, &market->accounts[2], tally_test_market_now (market)));
  tally_task_seats_get_deadlines (task, &deadlines);
  g_assert_cmpuint (deadlines.commit, ==, params.commit_deadline);
  g_assert_cmpuint (deadlines.review_reveal, ==, params.review_reveal_deadline);
  g_assert_cmpuint (tally_task_seats_get_annotator_deadline (task, params.commit_deadline + 1), ==,
                    params.reveal_deadline);
  {
    g_autoptr (TallyMoneyFormat) format = tally_money_format_new (NULL, &error);
    g_autoptr (TallyPriceQuote) quote = NULL;
    g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
    g_autofree char *text = NULL;
    TallyDecimal     price;
    TallyUint256     cents;

    g_assert_true (tally_decimal_parse (&price, "1.505", &error));
    quote = tally_price_quote_new ("usd", &price, NULL, &price, NULL, now, "test");
    g_assert_true (tally_task_seats_get_lock_fiat (task, 18, quote, &cents, &error));
    /* 8 LABEL at $1.505: $12.04, never rounded up. */
    {
      guint64 value = 0;

      g_assert_true (tally_uint256_to_uint64 (&value, &cents));
      g_assert_cmpuint (value, ==, 1204);
    }
    text = tally_task_seats_format_lock (task, format, 18, "LABEL", quote, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (text, ==, "8 LABEL (≈ $12.04)");
  }

  g_assert_true (tally_test_engine_leave (&engine, &task_id, &fee, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tally_uint256_cmp (&fee, &params.leave_fee), ==, 0);
  g_assert_cmpint (tally_test_engine_state_of (&engine, market, 1, &task_id), ==, TALLY_SUBMISSION_LEFT);
  /* The stake comes back less the fee, to the wei, and the fee is burned. */
  after = tally_test_market_stake_of (market, 1);
  g_assert_true (tally_uint256_sub (&spent, &before.total, &after.total));
  g_assert_cmpint (tally_uint256_cmp (&spent, &params.leave_fee), ==, 0);
  g_assert_cmpint (tally_uint256_cmp (&before.locked, &after.locked), ==, 0);
  g_assert_false (tally_test_market_get_seat (market, &task_id, 0).has_holder);
  g_assert_cmpuint (tally_test_engine_step (&engine), ==, 0);
  burned = tally_test_engine_event_values (&engine, &task_id, "Burned", "amount");
  g_assert_cmpuint (burned->len, ==, 1);
  g_assert_cmpint (tally_uint256_cmp (&g_array_index (burned, TallyUint256, 0), &params.leave_fee), ==, 0);

  /* No seat to give back now. */
  g_assert_false (tally_test_engine_leave (&engine, &task_id, &fee, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE);
  g_clear_error (&error);

  /* Submitting joins again first, through the same path. */
  tally_test_market_stake (market, 1, &params.leave_fee);
  g_assert_true (tally_test_engine_submit (&engine, &task_id, good, N_ITEMS, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tally_test_engine_state_of (&engine, market, 1, &task_id), ==,
                   TALLY_SUBMISSION_COMMITTED);
  /* Committed: the seat can no longer be given back. */
  g_assert_false (tally_test_engine_leave (&engine, &task_id, &fee, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE);
  g_assert_nonnull (strstr (error->message, "committed"));
  tally_test_engine_clear (&engine);
}

static void
test_full (TallyTestMarket *market,
           gconstpointer    data)
{
  TallyLabelTaskParams params = tally_test_market_default_params (market, N_ITEMS, 1, 1);
  TallyUint256         task_id = tally_test_engine_open_task (market, &params, 1, 2);
  g_autofree char     *id = tally_uint256_to_decimal (&task_id);
  g_autofree char     *expected = g_strdup_printf ("Task %s has no seat left", id);
  TallyTestEngine      engine = { 0 };
  guint8              *calldata = NULL;
  gsize                len = 0;
  guint64              nonce;
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_label_market_encode_join (&calldata, &len, &task_id, NULL, 0, &error));
  tally_rpc_receipt_free (tally_test_market_send (market, 2, &market->market, calldata, len));

  tally_test_engine_open (&engine, market, 1);
  nonce = nonce_of (market, 1);
  g_assert_false (tally_test_engine_join (&engine, &task_id, NULL, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  g_assert_false (tally_test_engine_submit (&engine, &task_id, good, N_ITEMS, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  /* Nothing signed, nothing sent. */
  g_assert_cmpuint (nonce_of (market, 1), ==, nonce);
  {
    g_autoptr (GPtrArray) pending = tally_tx_journal_list_pending (engine.journal, market->chain_id,
                                                                   &market->accounts[1], &error);

    g_assert_no_error (error);
    g_assert_cmpuint (pending->len, ==, 0);
  }

  /* A join written down before a crash, resumed when the task has filled
   * meanwhile: the chain refuses it, and the reason is the same sentence. */
  {
    g_autoptr (TallySubmissionRecord) record = g_new0 (TallySubmissionRecord, 1);
    g_autoptr (TallySubmissionRecord) failed = NULL;

    record->chain_id = market->chain_id;
    record->market = market->market;
    record->task_id = task_id;
    record->account = market->accounts[1];
    record->state = TALLY_SUBMISSION_JOINING;
    g_assert_true (tally_store_put_submission (engine.store, record, &error));
    g_assert_cmpuint (tally_test_engine_step (&engine), ==, 0);
    failed = tally_test_engine_record_of (&engine, market, 1, &task_id);
    g_assert_cmpint (failed->state, ==, TALLY_SUBMISSION_FAILED);
    g_assert_cmpstr (failed->reason, ==, expected);
  }
  tally_test_engine_clear (&engine);
}

/* The child: joins and says "joined" once the join is mined (or
 * "failed: ..." when it is not), then waits to be killed. */
static int
run_child (const char *spec)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *said = NULL;
  TallyTestEngine  engine = { 0 };
  TallyUint256     task_id;

  tally_test_engine_init_child (&engine, spec, &task_id);
  if (tally_test_engine_join (&engine, &task_id, NULL, &error))
    tally_test_engine_child_say ("joined");
  said = g_strdup_printf ("failed: %s", error->message);
  tally_test_engine_child_say (said);
}

static void
test_killed_after_join (TallyTestMarket *market,
                        gconstpointer    data)
{
  TallyLabelTaskParams params = tally_test_market_default_params (market, N_ITEMS, 2, 0);
  TallyUint256         task_id = tally_test_engine_open_task (market, &params, 1, 1);
  char                *dir = tally_test_engine_make_dir ();
  g_autoptr (TallyFaultProxy) proxy = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *said = NULL;
  TallyTestEngine  engine = { 0 };
  guint64          nonce = nonce_of (market, 1);

  proxy = tally_fault_proxy_new (tally_rpc_client_get_url (market->client), &error);
  g_assert_no_error (error);
  /* The join reaches the node and is mined; the child never hears so. */
  tally_fault_proxy_drop_calls_from (proxy, "eth_getTransactionReceipt", 1);
  said = tally_test_engine_run_child (market, self_path, CHILD_ENV,
                                      tally_fault_proxy_get_url (proxy), dir,
                                      &task_id);
  g_assert_true (g_str_has_prefix (said, "failed: "));
  g_assert_cmpuint (tally_fault_proxy_count (proxy, "eth_sendRawTransaction"), ==, 1);
  g_assert_true (tally_test_market_get_seat (market, &task_id, 0).has_holder);

  /* The restart finds the join in the store and the journal: JOINED, and
   * nothing sent again. */
  tally_test_engine_init_for (&engine, market, NULL, dir, 1);
  g_assert_cmpint (tally_test_engine_state_of (&engine, market, 1, &task_id), ==,
                   TALLY_SUBMISSION_JOINING);
  g_assert_cmpuint (tally_test_engine_step (&engine), ==, 1);
  g_assert_cmpint (tally_test_engine_state_of (&engine, market, 1, &task_id), ==,
                   TALLY_SUBMISSION_JOINED);
  g_assert_cmpuint (nonce_of (market, 1), ==, nonce + 1);
  {
    g_autoptr (GArray) joined = tally_test_engine_event_values (&engine, &task_id, "Joined", "seat");

    g_assert_cmpuint (joined->len, ==, 1);
  }
  tally_test_engine_clear (&engine);
  tally_test_engine_remove_dir (dir);
}

/* ---- Private tasks ---------------------------------------------------------- */

typedef struct
{
  guint8 key[TALLY_TASK_KEY_LEN];
  char  *path;
} PrivateManifest;

/* A schema 2 manifest on disk for key, and a private task on it whose key
 * server is the requester. */
static TallyUint256
open_private_task (TallyTestMarket      *market,
                   TallyLabelTaskParams *params,
                   PrivateManifest      *manifest,
                   guint                 n_stakers)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *hash_hex = NULL;
  g_autofree char *text = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *dir = g_path_get_dirname (market->devnet.network_file);
  guint8           key_hash[32];
  TallyUint256     lock;

  for (guint i = 0; i < TALLY_TASK_KEY_LEN; i++)
    manifest->key[i] = (guint8) (0xa0 + i);
  tally_keccak256 (key_hash, manifest->key, sizeof manifest->key);
  hash_hex = tally_hex_encode (key_hash, sizeof key_hash);
  text = g_strdup_printf (
    "{\"schema\": 2, \"title\": \"Private captions\", \"classes\": [{\"name\": \"a\", \"color\": "
    "\"#ff0000\"}, {\"name\": \"b\", \"color\": \"#00ff00\"}, {\"name\": \"c\", \"color\": \"#0000ff\"}, "
    "{\"name\": \"d\", \"color\": \"#ffff00\"}], \"tools\": [\"classify\"], \"encryption\": {\"cipher\": "
    "\"aes-256-gcm\", \"key_hash\": \"%s\"}, \"items\": ["
    "{\"id\": \"c1\", \"kind\": \"text\", \"uri\": \"c1.bin\", \"sha256\": \"%064d\", \"size\": 61, "
    "\"mediaType\": \"text/plain\"}, "
    "{\"id\": \"c2\", \"kind\": \"text\", \"uri\": \"c2.bin\", \"sha256\": \"%064d\", \"size\": 61, "
    "\"mediaType\": \"text/plain\"}, "
    "{\"id\": \"c3\", \"kind\": \"text\", \"uri\": \"c3.bin\", \"sha256\": \"%064d\", \"size\": 61, "
    "\"mediaType\": \"text/plain\"}, "
    "{\"id\": \"c4\", \"kind\": \"text\", \"uri\": \"c4.bin\", \"sha256\": \"%064d\", \"size\": 61, "
    "\"mediaType\": \"text/plain\"}]}",
    hash_hex, 1, 2, 3, 4);
  manifest->path = g_build_filename (dir, "private-manifest.json", NULL);
  g_assert_true (g_file_set_contents (manifest->path, text, -1, &error));
  g_assert_no_error (error);
  tally_keccak256 (params->manifest_hash, (const guint8 *) text, strlen (text));
  params->has_key_server = TRUE;
  params->key_server = market->accounts[TALLY_TEST_MARKET_REQUESTER];
  g_assert_true (tally_uint256_mul_uint64 (&lock, &params->stake_per_item, N_ITEMS));
  for (guint a = 1; a <= n_stakers; a++)
    tally_test_market_stake (market, a, &lock);
  uri = g_filename_to_uri (manifest->path, NULL, &error);
  g_assert_no_error (error);
  return tally_test_market_create_task (market, TALLY_TEST_MARKET_REQUESTER, params, uri);
}

/* grantKey from the key server to account: key sealed to the public key
 * of sealed_to (account's own, or another's by mistake). */
static void
grant (TallyTestMarket    *market,
       const TallyUint256 *task_id,
       guint               account,
       guint               sealed_to,
       const guint8        key[TALLY_TASK_KEY_LEN])
{
  g_autoptr (GError) error = NULL;
  guint8  public_key[TALLY_PUBLIC_KEY_LEN];
  guint8  sealed[TALLY_TASK_KEY_LEN + TALLY_ECIES_OVERHEAD];
  guint8 *calldata = NULL;
  gsize   len = 0;

  g_assert_true (tally_signer_get_public_key (market->signers[sealed_to], public_key, &error));
  g_assert_true (tally_ecies_seal (sealed, public_key, key, TALLY_TASK_KEY_LEN, &error));
  g_assert_no_error (error);
  g_assert_true (tally_label_market_encode_grant_key (&calldata, &len, task_id, &market->accounts[account],
                                                      sealed, sizeof sealed, &error));
  tally_rpc_receipt_free (tally_test_market_send (market, TALLY_TEST_MARKET_REQUESTER, &market->market,
                                                  calldata, len));
}

static void
test_private (TallyTestMarket *market,
              gconstpointer    data)
{
  TallyLabelTaskParams params = tally_test_market_default_params (market, N_ITEMS, 3, 0);
  PrivateManifest      manifest = { { 0 } };
  TallyUint256         task_id = open_private_task (market, &params, &manifest, 2);
  TallyTestEngine      engines[2] = { { 0 } };
  guint8               public_key[TALLY_PUBLIC_KEY_LEN];
  guint8               wrong[TALLY_TASK_KEY_LEN] = { 0x42 };
  guint8              *calldata = NULL;
  gsize                len = 0;
  const TallyTaskSeat *seat;
  TallyTask           *task;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) key = NULL;

  /* The contract refuses a join without the public key. */
  g_assert_true (tally_label_market_encode_join (&calldata, &len, &task_id, NULL, 0, &error));
  g_assert_null (tally_test_market_try_send (market, 3, &market->market, calldata, len, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_REVERTED);
  g_assert_nonnull (strstr (error->message, "BadPublicKey"));
  g_clear_error (&error);

  for (guint a = 0; a < 2; a++)
    {
      tally_test_engine_open (&engines[a], market, a + 1);
      g_assert_true (tally_test_engine_join (&engines[a], &task_id, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpint (tally_test_engine_state_of (&engines[a], market, a + 1, &task_id), ==,
                       TALLY_SUBMISSION_WAITING_FOR_KEY);
    }
  g_assert_cmpuint (tally_test_engine_step (&engines[0]), ==, 1);
  g_assert_cmpint (tally_test_engine_state_of (&engines[0], market, 1, &task_id), ==,
                   TALLY_SUBMISSION_WAITING_FOR_KEY);
  task = tally_task_list_lookup (engines[0].tasks, &task_id);
  seat = tally_task_get_seat (task, (guint) tally_task_find_seat (task, &market->accounts[1]));
  g_assert_true (tally_signer_get_public_key (market->signers[1], public_key, &error));
  g_assert_true (seat->has_public_key);
  g_assert_cmpmem (seat->public_key, sizeof public_key, public_key, sizeof public_key);
  g_assert_true (tally_task_seats_leave_is_free (task, &market->accounts[1]));

  /* No key before the grant. */
  g_assert_null (tally_test_engine_open_task_key (&engines[0], &task_id, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE);
  g_clear_error (&error);

  /* The key server grants the right key to account 1, a wrong one to 2:
   * the engine opens each grant and checks it against the manifest before
   * the seat counts as joined, so account 2 keeps waiting, and says why. */
  grant (market, &task_id, 1, 1, manifest.key);
  grant (market, &task_id, 2, 2, wrong);
  for (guint a = 0; a < 2; a++)
    g_assert_cmpuint (tally_test_engine_step (&engines[a]), ==, 1);
  g_assert_cmpint (tally_test_engine_state_of (&engines[0], market, 1, &task_id), ==,
                   TALLY_SUBMISSION_JOINED);
  {
    g_autoptr (TallySubmissionRecord) record = tally_test_engine_record_of (&engines[1], market, 2,
                                                                            &task_id);

    g_assert_cmpint (record->state, ==, TALLY_SUBMISSION_WAITING_FOR_KEY);
    g_assert_nonnull (record->reason);
    g_assert_nonnull (strstr (record->reason, "does not open its dataset"));
  }
  g_assert_false (tally_task_seats_leave_is_free (task, &market->accounts[1]));
  key = tally_test_engine_open_task_key (&engines[0], &task_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (key);
  g_assert_cmpmem (g_bytes_get_data (key, NULL), g_bytes_get_size (key), manifest.key, sizeof manifest.key);
  g_assert_null (tally_test_engine_open_task_key (&engines[1], &task_id, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_KEY);
  g_test_message ("wrong key: %s", error->message);
  g_clear_error (&error);
  /* A grant sealed to another account's key does not open at all. */
  grant (market, &task_id, 2, 3, manifest.key);
  g_assert_null (tally_test_engine_open_task_key (&engines[1], &task_id, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_KEY);
  g_assert_nonnull (strstr (error->message, "does not open with this account"));
  g_clear_error (&error);

  /* The seat with its key commits as any other. */
  g_assert_true (tally_test_engine_submit (&engines[0], &task_id, good, N_ITEMS, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tally_test_engine_state_of (&engines[0], market, 1, &task_id), ==,
                   TALLY_SUBMISSION_COMMITTED);
  for (guint a = 0; a < 2; a++)
    tally_test_engine_clear (&engines[a]);
  g_unlink (manifest.path);
  g_free (manifest.path);
}

static void
test_no_grant (TallyTestMarket *market,
               gconstpointer    data)
{
  TallyLabelTaskParams params = tally_test_market_default_params (market, N_ITEMS, 2, 0);
  PrivateManifest      manifest = { { 0 } };
  TallyUint256         task_id = open_private_task (market, &params, &manifest, 1);
  TallyLabelStake      before, after;
  TallyUint256         fee;
  TallyTestEngine      engine = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) left = NULL;
  g_autoptr (GArray) burned = NULL;

  tally_test_engine_open (&engine, market, 1);
  before = tally_test_market_stake_of (market, 1);
  g_assert_true (tally_test_engine_join (&engine, &task_id, NULL, &error));
  g_assert_cmpint (tally_test_engine_state_of (&engine, market, 1, &task_id), ==,
                   TALLY_SUBMISSION_WAITING_FOR_KEY);

  /* Still time for the key: the engine waits. */
  tally_test_market_advance_to (market, params.commit_deadline - TALLY_SUBMITTER_KEY_MARGIN - 10);
  g_assert_cmpuint (tally_test_engine_step (&engine), ==, 1);
  g_assert_cmpint (tally_test_engine_state_of (&engine, market, 1, &task_id), ==,
                   TALLY_SUBMISSION_WAITING_FOR_KEY);

  /* Within the margin: it gives the seat back, for free, and says why. */
  tally_test_market_advance_to (market, params.commit_deadline - TALLY_SUBMITTER_KEY_MARGIN + 10);
  g_assert_cmpuint (tally_test_engine_step (&engine), ==, 0);
  {
    g_autoptr (TallySubmissionRecord) record = tally_test_engine_record_of (&engine, market, 1,
                                                                            &task_id);

    g_assert_cmpint (record->state, ==, TALLY_SUBMISSION_LEFT);
    g_assert_nonnull (strstr (record->reason, "did not grant the task key in time"));
  }
  after = tally_test_market_stake_of (market, 1);
  g_assert_cmpint (tally_uint256_cmp (&before.total, &after.total), ==, 0);
  g_assert_cmpint (tally_uint256_cmp (&before.locked, &after.locked), ==, 0);
  g_assert_cmpuint (tally_test_engine_step (&engine), ==, 0);
  left = tally_test_engine_event_values (&engine, &task_id, "Left", "fee");
  burned = tally_test_engine_event_values (&engine, &task_id, "Burned", "amount");
  g_assert_cmpuint (left->len, ==, 1);
  g_assert_true (tally_uint256_is_zero (&g_array_index (left, TallyUint256, 0)));
  g_assert_cmpuint (burned->len, ==, 0);

  /* A leave by hand is as free: join again and give it back. */
  g_assert_true (tally_test_engine_join (&engine, &task_id, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (tally_test_engine_leave (&engine, &task_id, &fee, &error));
  g_assert_no_error (error);
  g_assert_true (tally_uint256_is_zero (&fee));
  tally_test_engine_clear (&engine);
  g_unlink (manifest.path);
  g_free (manifest.path);
}

/* A private task's reviewer joins with its public key too; an annotator
 * may commit before its key comes (the contract allows it). */
static void
test_private_review (TallyTestMarket *market,
                     gconstpointer    data)
{
  static const guint8  verdicts[N_ITEMS] = { 1, 1, 1, 1 };
  TallyLabelTaskParams params = tally_test_market_default_params (market, N_ITEMS, 1, 1);
  TallyTestEngine      engines[2] = { { 0 } };
  guint8               public_key[TALLY_PUBLIC_KEY_LEN];
  TallyUint256         task_id;
  g_autoptr (GError) error = NULL;

  params.has_key_server = TRUE;
  params.key_server = market->accounts[TALLY_TEST_MARKET_REQUESTER];
  task_id = tally_test_engine_open_task (market, &params, 1, 2);
  for (guint a = 0; a < 2; a++)
    tally_test_engine_open (&engines[a], market, a + 1);
  g_assert_true (tally_test_engine_submit (&engines[0], &task_id, good, N_ITEMS, &error));
  g_assert_no_error (error);
  tally_test_market_advance_to (market, params.commit_deadline + 1);
  g_assert_cmpuint (tally_test_engine_step (&engines[0]), ==, 1);
  g_assert_cmpint (tally_test_engine_state_of (&engines[0], market, 1, &task_id), ==,
                   TALLY_SUBMISSION_REVEALED);
  g_assert_true (tally_test_engine_review (&engines[1], &task_id, 0, verdicts, N_ITEMS, &error));
  g_assert_no_error (error);
  {
    TallyLabelReview on_chain = tally_test_market_get_review (market, &task_id, 0, 0);

    g_assert_true (tally_address_equal (&on_chain.reviewer, &market->accounts[2]));
    g_assert_cmpint (on_chain.state, ==, TALLY_LABEL_SEAT_COMMITTED);
  }
  g_assert_cmpuint (tally_test_engine_step (&engines[1]), ==, 1);
  g_assert_true (tally_signer_get_public_key (market->signers[2], public_key, &error));
  {
    TallyTask             *task = tally_task_list_lookup (engines[1].tasks, &task_id);
    const TallyTaskReview *review = tally_task_get_review (task, 0, 0);

    g_assert_true (review->has_public_key);
    g_assert_cmpmem (review->public_key, sizeof public_key, public_key, sizeof public_key);
  }
  for (guint a = 0; a < 2; a++)
    tally_test_engine_clear (&engines[a]);
}

int
main (int   argc,
      char *argv[])
{
  if (g_getenv (CHILD_ENV) != NULL)
    return run_child (g_getenv (CHILD_ENV));

  g_test_init (&argc, &argv, NULL);
  self_path = g_canonicalize_filename (argv[0], NULL);

  g_test_add ("/core/seats/join-leave", TallyTestMarket, "tally-seats-XXXXXX", tally_test_market_set_up,
              test_join_leave, tally_test_market_tear_down);
  g_test_add ("/core/seats/full", TallyTestMarket, "tally-seatf-XXXXXX", tally_test_market_set_up,
              test_full, tally_test_market_tear_down);
  g_test_add ("/core/seats/killed-after-join", TallyTestMarket, "tally-seatk-XXXXXX",
              tally_test_market_set_up, test_killed_after_join, tally_test_market_tear_down);
  g_test_add ("/core/seats/private", TallyTestMarket, "tally-seatp-XXXXXX", tally_test_market_set_up,
              test_private, tally_test_market_tear_down);
  g_test_add ("/core/seats/private-review", TallyTestMarket, "tally-seatr-XXXXXX", tally_test_market_set_up,
              test_private_review, tally_test_market_tear_down);
  g_test_add ("/core/seats/no-grant", TallyTestMarket, "tally-seatn-XXXXXX", tally_test_market_set_up,
              test_no_grant, tally_test_market_tear_down);

  return g_test_run ();
}
