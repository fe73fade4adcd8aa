/* test-cli-submit.c: tally-cli submit, review, run, join and leave as
 * programs against tools/devnet — labels committed, revealed by run in
 * their window, the task settled and the reward claimed, to the wei; bad
 * label files refused before anything is sent; a seat taken and given back
 * (the fee burned to the wei, free on a private task without its key), a
 * full task refused in one line; bots on a private task: one labels once
 * its key is granted, the other gives its seat back for free
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "annotations.h"
#include "item-cipher.h"
#include "payload.h"
#include "submitter.h"
#include "tally-test-cli.h"
#include "wallet/ecies.h"
#include "wallet/hex.h"
#include "wallet/keccak.h"

#define N_ITEMS 4

static void
test_submit_and_run (TallyTestCli *f,
                     gconstpointer data)
{
  static const guint8  labels[N_ITEMS] = { 1, 2, 3, 4 };
  TallyLabelTaskParams params = tally_test_market_default_params (&f->market, N_ITEMS, 2, 1);
  g_autofree char     *labels_file = tally_test_cli_write_file (f, "labels.txt", "1 2\n3, 4\n");
  g_autofree char     *bad_file = tally_test_cli_write_file (f, "bad.txt", "1 2 three 4\n");
  g_autofree char     *verdicts_file = tally_test_cli_write_file (f, "verdicts.txt",
                                                                  "accept accept reject 1\n");
  g_autofree char     *id = NULL;
  g_auto (TallyTestCliResult) result = { 0 };
  TallyUint256 task_id, lock, before, after, credited;
  guint8       salt[32] = { 0x5a };
  guint8       commitment[32];
  guint8      *calldata = NULL;
  gsize        len = 0;
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_uint256_mul_uint64 (&lock, &params.stake_per_item, N_ITEMS));
  for (guint a = 1; a <= 3; a++)
    tally_test_market_stake (&f->market, a, &lock);
  task_id = tally_test_market_create_task (&f->market, TALLY_TEST_MARKET_REQUESTER, &params, "ipfs://cli");
  id = tally_uint256_to_decimal (&task_id);

  /* Refused before anything is sent. */
  tally_test_cli_run (f, &result, (const char *const[]){ "submit", id, "--labels", bad_file, NULL });
  tally_test_cli_assert_one_line_error (&result, 2, "three");
  tally_test_cli_result_clear (&result);
  tally_test_cli_run (f, &result, (const char *const[]){ "submit", id, NULL });
  tally_test_cli_assert_one_line_error (&result, 2, "--labels");
  tally_test_cli_result_clear (&result);
  g_assert_false (tally_test_cli_submission_of (f, 1, &task_id).seated);

  /* Account 1 (the CLI's) joins and commits; account 2 takes the other
   * seat directly, agreeing. */
  tally_test_cli_run_ok (f, &result, (const char *const[]){ "submit", id, "--labels", labels_file, NULL });
  g_assert_nonnull (strstr (result.out, "Committed to task"));
  tally_test_cli_result_clear (&result);
  g_assert_cmpint (tally_test_cli_submission_of (f, 1, &task_id).state, ==, TALLY_LABEL_SEAT_COMMITTED);
  tally_test_cli_run (f, &result, (const char *const[]){ "submit", id, "--labels", labels_file, NULL });
  tally_test_cli_assert_one_line_error (&result, 1, "already submitted");
  tally_test_cli_result_clear (&result);
  g_assert_true (tally_label_market_encode_join (&calldata, &len, &task_id, NULL, 0, &error));
  tally_rpc_receipt_free (tally_test_market_send (&f->market, 2, &f->market.market, calldata, len));
  tally_label_market_commitment (commitment, f->market.chain_id, &f->market.market, &task_id,
                                 &f->market.accounts[2], labels, N_ITEMS, NULL, 0, salt);
  g_assert_true (tally_label_market_encode_commit (&calldata, &len, &task_id, commitment, &error));
  tally_rpc_receipt_free (tally_test_market_send (&f->market, 2, &f->market.market, calldata, len));

  /* run --once before the window: nothing moves, but the reveal deadline
   * is within the hour, so it says to keep running. */
  tally_test_cli_run (f, &result, (const char *const[]){ "run", "--once", NULL });
  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpstr (result.out, ==, "");
  g_assert_nonnull (strstr (result.err, "must be revealed by"));
  g_assert_null (strstr (result.err, "submit your labels"));
  tally_test_cli_result_clear (&result);

  tally_test_market_advance_to (&f->market, params.commit_deadline + 1);
  tally_test_cli_run_ok (f, &result, (const char *const[]){ "run", "--once", NULL });
  g_assert_nonnull (strstr (result.out, "revealed"));
  tally_test_cli_result_clear (&result);
  g_assert_cmpint (tally_test_cli_submission_of (f, 1, &task_id).state, ==, TALLY_LABEL_SEAT_REVEALED);
  g_assert_true (tally_label_market_encode_reveal (&calldata, &len, &task_id, labels, N_ITEMS, NULL, 0,
                                                   salt, &error));
  tally_rpc_receipt_free (tally_test_market_send (&f->market, 2, &f->market.market, calldata, len));

  /* Account 3 reviews account 2's submission through the CLI, with its
   * own key file. */
  {
    g_autofree char *key3 = tally_test_cli_key_file (f, 3);
    char             annotator[TALLY_ADDRESS_STRING_SIZE];
    g_autofree char *reviewer_key = g_strdup (f->key_file);

    tally_address_to_string (&f->market.accounts[2], annotator);
    g_free (f->key_file);
    f->key_file = g_strdup (key3);
    tally_test_cli_run_ok (f, &result,
                           (const char *const[]){ "review", id, "--annotator", annotator, "--verdicts",
                                                  verdicts_file, NULL });
    g_assert_nonnull (strstr (result.out, "seat 2"));
    tally_test_cli_result_clear (&result);
    tally_test_market_advance_to (&f->market, params.review_commit_deadline + 1);
    tally_test_cli_run_ok (f, &result, (const char *const[]){ "run", "--once", NULL });
    g_assert_nonnull (strstr (result.out, "review of seat 2: revealed"));
    tally_test_cli_result_clear (&result);
    g_free (f->key_file);
    f->key_file = g_steal_pointer (&reviewer_key);
  }

  /* Past the last deadline, run settles the task and claims; the wallet
   * rises by exactly what was credited. */
  tally_test_market_advance_to (&f->market, params.review_reveal_deadline + 1);
  before = tally_test_market_balance_of (&f->market, 1);
  tally_test_cli_run_ok (f, &result, (const char *const[]){ "run", "--until-done", "--interval", "1", NULL });
  g_assert_nonnull (strstr (result.out, "claimed"));
  tally_test_cli_result_clear (&result);
  after = tally_test_market_balance_of (&f->market, 1);
  credited = tally_test_market_credited (&f->market, 1);
  g_assert_true (tally_uint256_is_zero (&credited));
  g_assert_true (tally_uint256_sub (&after, &after, &before));
  /* Four correct labels at 1 LABEL each (the reviewer judged seat 2). */
  tally_uint256_from_uint64 (&credited, N_ITEMS);
  g_assert_true (tally_uint256_mul (&credited, &credited, &params.reward_per_label));
  g_assert_cmpint (tally_uint256_cmp (&after, &credited), ==, 0);
  g_assert_cmpint (tally_test_market_get_task (&f->market, &task_id).state, ==, TALLY_LABEL_TASK_FINALIZED);
}

static void
test_join_leave (TallyTestCli *f,
                 gconstpointer data)
{
  TallyLabelTaskParams params = tally_test_market_default_params (&f->market, N_ITEMS, 2, 0);
  TallyLabelTaskParams full_params = tally_test_market_default_params (&f->market, N_ITEMS, 1, 1);
  TallyLabelTaskParams private_params = tally_test_market_default_params (&f->market, N_ITEMS, 2, 0);
  g_autofree char     *id = NULL;
  g_autofree char     *full_id = NULL;
  g_autofree char     *private_id = NULL;
  g_autofree char     *expected = NULL;
  g_auto (TallyTestCliResult) result = { 0 };
  TallyUint256    task_id, full_task, private_task, lock, burned;
  TallyLabelStake before, after;
  guint8         *calldata = NULL;
  gsize           len = 0;
  g_autoptr (GError) error = NULL;

  g_assert_true (tally_uint256_mul_uint64 (&lock, &params.stake_per_item, N_ITEMS));
  tally_uint256_from_uint64 (&burned, 3);
  g_assert_true (tally_uint256_mul (&burned, &burned, &lock));
  tally_test_market_stake (&f->market, 1, &burned);
  tally_test_market_stake (&f->market, 2, &lock);
  task_id = tally_test_market_create_task (&f->market, TALLY_TEST_MARKET_REQUESTER, &params, "ipfs://seats");
  full_task = tally_test_market_create_task (&f->market, TALLY_TEST_MARKET_REQUESTER, &full_params, "ipfs://full");
  private_params.has_key_server = TRUE;
  private_params.key_server = f->market.accounts[TALLY_TEST_MARKET_REQUESTER];
  private_task = tally_test_market_create_task (&f->market, TALLY_TEST_MARKET_REQUESTER, &private_params,
                                                "ipfs://private");
  id = tally_uint256_to_decimal (&task_id);
  full_id = tally_uint256_to_decimal (&full_task);
  private_id = tally_uint256_to_decimal (&private_task);

  /* A seat, what it locks, what leaving costs; joining again changes
   * nothing. */
  before = tally_test_market_stake_of (&f->market, 1);
  tally_test_cli_run_ok (f, &result, (const char *const[]){ "join", id, NULL });
  expected = g_strdup_printf ("Joined task %s: seat 1 of 2.\nLocked: 8 LABEL of your stake until the task is "
                              "settled.\nLeaving before you commit burns 1 LABEL.\n",
                              id);
  g_assert_cmpstr (result.out, ==, expected);
  tally_test_cli_result_clear (&result);
  g_assert_cmpint (tally_test_cli_submission_of (f, 1, &task_id).state, ==, TALLY_LABEL_SEAT_JOINED);
  tally_test_cli_run_ok (f, &result, (const char *const[]){ "join", id, NULL });
  g_assert_cmpstr (result.out, ==, expected);
  tally_test_cli_result_clear (&result);

  /* A seat held without labels, the commit deadline within the hour: run
   * says what to do before the whole lock is lost, once. */
  tally_test_cli_run (f, &result, (const char *const[]){ "run", "--once", NULL });
  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpstr (result.out, ==, "");
  g_assert_cmpuint (tally_test_cli_count_lines (result.err, "submit your labels by"), ==, 1);
  g_assert_nonnull (strstr (result.err, "tally-cli leave"));
  tally_test_cli_result_clear (&result);

  /* Given back: the fee is burned, the rest of the stake is free again. */
  tally_test_cli_run_ok (f, &result, (const char *const[]){ "leave", id, NULL });
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("Left task %s: 1 LABEL was burned as the leave fee; 7 LABEL of your stake is "
                              "free again.\n",
                              id);
  g_assert_cmpstr (result.out, ==, expected);
  tally_test_cli_result_clear (&result);
  after = tally_test_market_stake_of (&f->market, 1);
  g_assert_true (tally_uint256_sub (&burned, &before.total, &after.total));
  g_assert_cmpint (tally_uint256_cmp (&burned, &params.leave_fee), ==, 0);
  g_assert_cmpint (tally_uint256_cmp (&before.locked, &after.locked), ==, 0);
  g_assert_false (tally_test_cli_submission_of (f, 1, &task_id).seated);
  tally_test_cli_run (f, &result, (const char *const[]){ "leave", id, NULL });
  tally_test_cli_assert_one_line_error (&result, 1, "holds no seat");
  tally_test_cli_result_clear (&result);
  tally_test_cli_run (f, &result, (const char *const[]){ "join", NULL });
  tally_test_cli_assert_one_line_error (&result, 2, "task id");
  tally_test_cli_result_clear (&result);

  /* A full task: one clear line, nothing sent. */
  g_assert_true (tally_label_market_encode_join (&calldata, &len, &full_task, NULL, 0, &error));
  tally_rpc_receipt_free (tally_test_market_send (&f->market, 2, &f->market.market, calldata, len));
  tally_test_cli_run (f, &result, (const char *const[]){ "join", full_id, NULL });
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("Task %s has no seat left", full_id);
  tally_test_cli_assert_one_line_error (&result, 1, expected);
  tally_test_cli_result_clear (&result);
  g_assert_false (tally_test_cli_submission_of (f, 1, &full_task).seated);

  /* A private task: the join carries the key, and leaving before the key
   * is granted is free. */
  before = tally_test_market_stake_of (&f->market, 1);
  tally_test_cli_run_ok (f, &result, (const char *const[]){ "join", private_id, NULL });
  g_assert_nonnull (strstr (result.out, "waiting for the key server"));
  tally_test_cli_result_clear (&result);
  g_assert_true (tally_test_cli_submission_of (f, 1, &private_task).seated);
  tally_test_cli_run_ok (f, &result, (const char *const[]){ "leave", private_id, NULL });
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("Left task %s for free: 8 LABEL of your stake is free again.\n", private_id);
  g_assert_cmpstr (result.out, ==, expected);
  tally_test_cli_result_clear (&result);
  after = tally_test_market_stake_of (&f->market, 1);
  g_assert_cmpint (tally_uint256_cmp (&before.total, &after.total), ==, 0);
}

/* A schema 2 manifest for key (its items are never fetched here: the bots
 * label from the truth), as a file:// URI; its hash into params. */
static char *
write_private_manifest (TallyTestCli         *f,
                        const guint8          key[TALLY_TASK_KEY_LEN],
                        TallyLabelTaskParams *params)
{
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *hash_hex = NULL;
  g_autofree char *path = NULL;
  guint8           key_hash[32];
  char            *uri;

  tally_keccak256 (key_hash, key, TALLY_TASK_KEY_LEN);
  hash_hex = tally_hex_encode (key_hash, sizeof key_hash);
  g_string_append_printf (text,
                          "{\"schema\": 2, \"title\": \"Private\", \"classes\": ["
                          "{\"name\": \"a\", \"color\": \"#ff0000\"}, {\"name\": \"b\", \"color\": \"#00ff00\"}, {\"name\": \"c\", \"color\": \"#0000ff\"}, "
                          "{\"name\": \"d\", \"color\": \"#ffff00\"}], \"tools\": [\"classify\"], \"encryption\": "
                          "{\"cipher\": \"aes-256-gcm\", \"key_hash\": \"%s\"}, \"items\": [",
                          hash_hex);
  for (guint i = 0; i < N_ITEMS; i++)
    g_string_append_printf (text,
                            "%s{\"id\": \"t%u\", \"kind\": \"text\", \"uri\": \"t%u.bin\", "
                            "\"sha256\": \"%064u\", \"size\": 61, \"mediaType\": \"text/plain\"}",
                            i == 0 ? "" : ", ", i, i, i + 1);
  g_string_append (text, "]}");
  path = tally_test_cli_write_file (f, "private-manifest.json", text->str);
  tally_keccak256 (params->manifest_hash, (const guint8 *) text->str, text->len);
  uri = g_filename_to_uri (path, NULL, &error);
  g_assert_no_error (error);
  return uri;
}

static void
test_bots_private (TallyTestCli *f,
                   gconstpointer data)
{
  TallyLabelTaskParams params = tally_test_market_default_params (&f->market, N_ITEMS, 2, 0);
  g_autofree char     *truth = tally_test_cli_write_file (f, "truth.json", "{\"labels\": [1, 2, 3, 4]}");
  const char *const    bot[] = { "bot", "--truth", truth, "--accounts", "2", "--first-account", "2",
                                 "--once", NULL };
  g_auto (TallyTestCliResult) result = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *uri = NULL;
  guint8           key[TALLY_TASK_KEY_LEN] = { 7 };
  guint8           public_key[TALLY_PUBLIC_KEY_LEN];
  guint8           sealed[TALLY_TASK_KEY_LEN + TALLY_ECIES_OVERHEAD];
  guint8          *calldata = NULL;
  gsize            len = 0;
  TallyUint256     task_id;
  TallyLabelStake  before;

  params.has_key_server = TRUE;
  params.key_server = f->market.accounts[TALLY_TEST_MARKET_REQUESTER];
  uri = write_private_manifest (f, key, &params);
  task_id = tally_test_market_create_task (&f->market, TALLY_TEST_MARKET_REQUESTER, &params, uri);

  /* Both bots take a seat with their public key and wait. */
  tally_test_cli_run_ok (f, &result, bot);
  g_assert_cmpuint (tally_test_cli_count_lines (result.out, "waiting-for-key"), ==, 2);
  tally_test_cli_result_clear (&result);
  g_assert_true (tally_test_cli_submission_of (f, 2, &task_id).seated);
  g_assert_true (tally_test_cli_submission_of (f, 3, &task_id).seated);
  before = tally_test_market_stake_of (&f->market, 3);

  /* The key server grants account 2 only; that bot labels from the truth. */
  g_assert_true (tally_signer_get_public_key (f->market.signers[2], public_key, &error));
  g_assert_true (tally_ecies_seal (sealed, public_key, key, sizeof key, &error));
  g_assert_true (tally_label_market_encode_grant_key (&calldata, &len, &task_id, &f->market.accounts[2],
                                                      sealed, sizeof sealed, &error));
  tally_rpc_receipt_free (tally_test_market_send (&f->market, TALLY_TEST_MARKET_REQUESTER,
                                                  &f->market.market, calldata, len));
  tally_test_cli_run_ok (f, &result, bot);
  g_assert_cmpuint (tally_test_cli_count_lines (result.out, ": joined"), ==, 1);
  tally_test_cli_result_clear (&result);
  tally_test_cli_run_ok (f, &result, bot);
  g_assert_cmpuint (tally_test_cli_count_lines (result.out, "committed"), ==, 1);
  tally_test_cli_result_clear (&result);
  g_assert_cmpint (tally_test_cli_submission_of (f, 2, &task_id).state, ==, TALLY_LABEL_SEAT_COMMITTED);

  /* No key for the other by the margin: its seat goes back for free. */
  tally_test_market_advance_to (&f->market, params.commit_deadline - TALLY_SUBMITTER_KEY_MARGIN + 10);
  tally_test_cli_run_ok (f, &result, bot);
  g_assert_cmpuint (tally_test_cli_count_lines (result.out, "left (The key server did not grant"),
                    ==, 1);
  tally_test_cli_result_clear (&result);
  g_assert_false (tally_test_cli_submission_of (f, 3, &task_id).seated);
  {
    TallyLabelStake after = tally_test_market_stake_of (&f->market, 3);

    g_assert_cmpint (tally_uint256_cmp (&before.total, &after.total), ==, 0);
    g_assert_true (tally_uint256_is_zero (&after.locked));
  }
}

/* Four images of 640 x 480, four classes, boxes allowed. */
#define ITEM(id)                                                                           \
  "{\"id\": \"" id "\", \"kind\": \"image\", \"uri\": \"" id ".png\", \"sha256\": "        \
  "\"0000000000000000000000000000000000000000000000000000000000000000\", \"size\": 1000, " \
  "\"width\": 640, \"height\": 480}"
#define MANIFEST                                                                                   \
  "{\"schema\": 1, \"title\": \"Street scenes\", \"instructions\": \"Label what you see.\", "      \
  "\"classes\": [{\"name\": \"car\", \"color\": \"#ff0000\"}, {\"name\": \"bus, \\\"big\\\"\", "   \
  "\"color\": \"#00ff00\"}, {\"name\": \"bike\", \"color\": \"#0000ff\"}, {\"name\": \"person\", " \
  "\"color\": \"#ffff00\"}], \"tools\": [\"classify\", \"box\"], \"items\": [" ITEM ("a") ", " ITEM ("b") ", " ITEM ("c") ", " ITEM ("d") "]}"

static void
test_export (TallyTestCli *f,
             gconstpointer data)
{
  g_autofree char *manifest_file = tally_test_cli_write_file (f, "manifest.json", MANIFEST);
  g_autofree char *labels_file = tally_test_cli_write_file (f, "labels.txt", "1 2 0 4");
  g_autofree char *payload_file = g_build_filename (f->home, "payload.bin", NULL);
  g_autofree char *coco = g_build_filename (f->home, "coco.json", NULL);
  g_autofree char *yolo = g_build_filename (f->home, "yolo", NULL);
  g_autofree char *csv = g_build_filename (f->home, "labels.csv", NULL);
  g_autofree char *jsonl = g_build_filename (f->home, "labels.jsonl", NULL);
  g_autofree char *id = NULL;
  g_autofree char *text = NULL;
  g_autoptr (TallyAnnotations) annotations = tally_annotations_new (4, 4);
  g_autoptr (GBytes) payload = NULL;
  g_autoptr (JsonNode) parsed = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (TallyTestCliResult) result = { 0 };
  TallyBox             car = { 1, 10, 20, 100, 50 }, person = { 4, 300, 200, 40, 120 };
  TallyLabelTaskParams params;
  TallyUint256         lock, task_id;

  /* The requester is the CLI's account here; the annotator is account 2,
   * through the engine of the driver's test helpers. */
  tally_test_cli_run_ok (f, &result,
                         (const char *const[]){ "task", "create", "--manifest", manifest_file,
                                                "--replication", "1", "--reviewers", "1", "--reward", "1",
                                                "--review-reward", "1", "--stake-per-item", "2", NULL });
  g_assert_nonnull (strstr (result.out, "Task: "));
  id = g_strndup (strstr (result.out, "Task: ") + 6, strcspn (strstr (result.out, "Task: ") + 6, "\n"));
  tally_test_cli_result_clear (&result);
  g_strstrip (id);
  g_assert_true (tally_uint256_parse (&task_id, id, &error));
  params = tally_test_market_get_task (&f->market, &task_id).params;

  g_assert_true (tally_annotations_add_box (annotations, 0, &car, NULL, &error));
  g_assert_true (tally_annotations_add_box (annotations, 3, &person, NULL, &error));
  payload = tally_payload_encode (annotations);
  g_assert_true (g_file_set_contents (payload_file, g_bytes_get_data (payload, NULL),
                                      (gssize) g_bytes_get_size (payload), &error));
  g_assert_true (tally_uint256_mul_uint64 (&lock, &params.stake_per_item, 4));
  {
    g_autofree char *key2 = tally_test_cli_key_file (f, 2);
    g_autofree char *own_key = g_strdup (f->key_file);
    char             annotator[TALLY_ADDRESS_STRING_SIZE];

    tally_test_market_stake (&f->market, 2, &lock);
    g_free (f->key_file);
    f->key_file = g_strdup (key2);
    tally_test_cli_run_ok (f, &result, (const char *const[]){ "submit", id, "--labels", labels_file, "--payload", payload_file, NULL });
    tally_test_cli_result_clear (&result);
    /* Before the reveal, the account's own work comes from its store. */
    tally_test_cli_run_ok (f, &result, (const char *const[]){ "export", id, "--format", "csv", "--out", csv, NULL });
    tally_test_cli_result_clear (&result);
    tally_test_market_advance_to (&f->market, params.commit_deadline + 1);
    tally_test_cli_run_ok (f, &result, (const char *const[]){ "run", "--once", NULL });
    tally_test_cli_result_clear (&result);
    g_free (f->key_file);
    f->key_file = g_steal_pointer (&own_key);

    /* Revealed: anyone exports it from the chain. */
    tally_address_to_string (&f->market.accounts[2], annotator);
    tally_test_cli_run_ok (f, &result, (const char *const[]){ "export", id, "--format", "coco", "--out", coco, "--annotator", annotator, NULL });
    tally_test_cli_result_clear (&result);
    tally_test_cli_run_ok (f, &result, (const char *const[]){ "export", id, "--format", "yolo", "--out", yolo, "--annotator", annotator, NULL });
    tally_test_cli_result_clear (&result);
    tally_test_cli_run_ok (f, &result, (const char *const[]){ "export", id, "--format", "jsonl", "--out", jsonl, "--annotator", annotator, NULL });
    tally_test_cli_result_clear (&result);
    tally_test_cli_run (f, &result, (const char *const[]){ "export", id, "--format", "pdf", "--out", csv, NULL });
    tally_test_cli_assert_one_line_error (&result, 2, "--format");
    tally_test_cli_result_clear (&result);
  }

  g_assert_true (g_file_get_contents (csv, &text, NULL, &error));
  g_assert_cmpstr (text, ==, "id,label\r\na,car\r\nb,\"bus, \"\"big\"\"\"\r\nc,\r\nd,person\r\n");
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (coco, &text, NULL, &error));
  parsed = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (parsed), "images")), ==, 4);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (parsed), "annotations")), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (parsed), "categories")), ==, 4);
  g_clear_pointer (&text, g_free);
  {
    g_autofree char *d = g_build_filename (yolo, "d.txt", NULL);

    g_assert_true (g_file_get_contents (d, &text, NULL, &error));
    /* person: class index 3, centre (320, 260), size 40 x 120, of 640 x 480. */
    g_assert_cmpstr (text, ==, "3 0.500000 0.541667 0.062500 0.250000\n");
    g_clear_pointer (&text, g_free);
  }
  g_assert_true (g_file_get_contents (jsonl, &text, NULL, &error));
  {
    g_auto (GStrv) lines = g_strsplit (g_strchomp (text), "\n", -1);

    g_assert_cmpuint (g_strv_length (lines), ==, 4);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/cli/submit/submit-and-run", TallyTestCli, NULL, tally_test_cli_set_up,
              test_submit_and_run, tally_test_cli_tear_down);
  g_test_add ("/cli/submit/export", TallyTestCli, NULL, tally_test_cli_set_up, test_export,
              tally_test_cli_tear_down);
  g_test_add ("/cli/submit/join-leave", TallyTestCli, NULL, tally_test_cli_set_up, test_join_leave,
              tally_test_cli_tear_down);
  g_test_add ("/cli/submit/bots-private", TallyTestCli, NULL, tally_test_cli_set_up, test_bots_private,
              tally_test_cli_tear_down);

  return g_test_run ();
}
