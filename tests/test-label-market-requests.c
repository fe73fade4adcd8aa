/* test-label-market-requests.c: the requester's and reviewer's typed
 * LabelMarket calls checked against cast (calldata and the locally computed
 * commitments), and their decoders against malformed results; no chain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "core-error.h"
#include "label-market.h"
#include "tally-test-devnet.h"
#include "wallet/hex.h"
#include "wallet/keccak.h"

/* Public anvil test account 1 (the "test ... junk" mnemonic). */
#define ACCOUNT1      "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
#define MANIFEST_HASH "0x1111111111111111111111111111111111111111111111111111111111111111"
#define GOLD_HASH     "0x2222222222222222222222222222222222222222222222222222222222222222"
#define SALT          "0x5a17000000000000000000000000000000000000000000000000000000c0ffee"
#define LABEL_UNIT    G_GUINT64_CONSTANT (1000000000000000000)

/* The params of the calldata tests, and cast's text of the same tuple. */
#define PARAMS_TUPLE_TYPE                                                                     \
  "(bytes32,uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256,uint256," \
  "bytes32,uint256,address,uint256,uint256,uint256,uint256)"
#define PARAMS_TEXT                                                                        \
  "(" MANIFEST_HASH ",8,4,3,1,1000000000000000000,500000000000000000,2000000000000000000," \
  "5000,6000,1000000000000000000," GOLD_HASH ",7000," ACCOUNT1                             \
  ",1900000000,1900001000,1900002000,1900003000)"

static TallyUint256
uint_of (const char *text)
{
  g_autoptr (GError) error = NULL;
  TallyUint256 value;

  g_assert_true (tally_uint256_parse (&value, text, &error));
  g_assert_no_error (error);
  return value;
}

static TallyUint256
units (guint64 whole,
       guint64 tenths)
{
  TallyUint256 value;

  tally_uint256_from_uint64 (&value, whole * LABEL_UNIT + tenths * (LABEL_UNIT / 10));
  return value;
}

/* Takes the calldata and compares it with what cast encodes. */
static void
assert_calldata (guint8            *data,
                 gsize              len,
                 const char *const *cast_args)
{
  g_autofree guint8 *owned = data;
  g_autofree char   *ours = tally_hex_encode (owned, len);
  g_autofree char   *theirs = tally_test_cast (cast_args);

  g_assert_cmpstr (ours, ==, theirs);
}

static TallyLabelTaskParams
calldata_params (void)
{
  g_autoptr (GError) error = NULL;
  TallyLabelTaskParams p = { 0 };

  g_assert_true (tally_hex_decode_fixed (p.manifest_hash, 32, MANIFEST_HASH, -1, &error));
  g_assert_true (tally_hex_decode_fixed (p.gold_commitment, 32, GOLD_HASH, -1, &error));
  g_assert_true (tally_address_parse (&p.key_server, ACCOUNT1, &error));
  g_assert_no_error (error);
  p.has_key_server = TRUE;
  p.item_count = 8;
  p.class_count = 4;
  p.replication = 3;
  p.reviewers = 1;
  p.reward_per_label = units (1, 0);
  p.review_reward_per_item = units (0, 5);
  p.stake_per_item = units (2, 0);
  p.slash_bps = 5000;
  p.quorum_bps = 6000;
  p.leave_fee = units (1, 0);
  p.min_gold_accuracy_bps = 7000;
  p.commit_deadline = 1900000000;
  p.reveal_deadline = 1900001000;
  p.review_commit_deadline = 1900002000;
  p.review_reveal_deadline = 1900003000;
  return p;
}

static void
test_calldata (void)
{
  g_autoptr (GError) error = NULL;
  TallyLabelTaskParams p = calldata_params ();
  TallyUint256         task_id = uint_of ("42");
  TallyAddress         account;
  guint8               salt[32], commitment[32];
  guint8              *data = NULL;
  gsize                len = 0;
  static const guint16 gold_indices[] = { 0, 5, 300 };
  static const guint8  gold_labels[] = { 1, 3, 2 };
  static const guint8  verdicts[] = { 1, 2, 0, 1 };
  static const guint8  sealed[] = { 0xca, 0xfe, 0x00, 0x01 };
  static const guint8  seat0[] = { 1, 2, 3 }, seat2[] = { 4 };
  g_autoptr (GBytes) labels0 = g_bytes_new_static (seat0, sizeof seat0);
  g_autoptr (GBytes) labels2 = g_bytes_new_static (seat2, sizeof seat2);
  g_autoptr (GBytes) verdicts0 = g_bytes_new_static (verdicts, sizeof verdicts);
  GBytes *labels[] = { labels0, NULL, labels2 };
  GBytes *verdict_list[] = { NULL, verdicts0, NULL };

  g_assert_true (tally_address_parse (&account, ACCOUNT1, &error));
  g_assert_true (tally_hex_decode_fixed (salt, sizeof salt, SALT, -1, &error));
  g_assert_no_error (error);

  g_assert_true (tally_label_market_encode_create_task (&data, &len, &p, "ipfs://bafy/manifest.json",
                                                        &error));
  g_assert_no_error (error);
  assert_calldata (data, len,
                   (const char *const[]){ "calldata", "createTask(" PARAMS_TUPLE_TYPE ",string)",
                                          PARAMS_TEXT, "ipfs://bafy/manifest.json", NULL });
  /* A public task: the key server is the zero address. */
  p.has_key_server = FALSE;
  g_assert_true (tally_label_market_encode_budget_for (&data, &len, &p, &error));
  {
    g_autofree char *text = g_strdup (PARAMS_TEXT);
    char            *key = strstr (text, ACCOUNT1);

    memcpy (key, "0x0000000000000000000000000000000000000000", strlen (ACCOUNT1));
    assert_calldata (data, len,
                     (const char *const[]){ "calldata", "budgetFor(" PARAMS_TUPLE_TYPE ")", text,
                                            NULL });
  }
  g_assert_true (tally_label_market_encode_cancel_task (&data, &len, &task_id, &error));
  assert_calldata (data, len, (const char *const[]){ "calldata", "cancelTask(uint256)", "42", NULL });
  g_assert_true (tally_label_market_encode_reveal_gold (&data, &len, &task_id, gold_indices,
                                                        gold_labels, 3, salt, &error));
  assert_calldata (data, len,
                   (const char *const[]){ "calldata", "revealGold(uint256,uint16[],bytes,bytes32)",
                                          "42", "[0,5,300]", "0x010302", SALT, NULL });
  g_assert_true (tally_label_market_encode_gold_commitment_of (
    &data, &len, p.manifest_hash, gold_indices, gold_labels, 3, salt, &error));
  assert_calldata (data, len,
                   (const char *const[]){ "calldata",
                                          "goldCommitmentOf(bytes32,uint16[],bytes,bytes32)",
                                          MANIFEST_HASH, "[0,5,300]", "0x010302", SALT, NULL });
  g_assert_true (tally_label_market_encode_grant_key (&data, &len, &task_id, &account, sealed,
                                                      sizeof sealed, &error));
  assert_calldata (data, len,
                   (const char *const[]){ "calldata", "grantKey(uint256,address,bytes)", "42",
                                          ACCOUNT1, "0xcafe0001", NULL });
  g_assert_true (tally_label_market_encode_finalize (&data, &len, &task_id, labels, 3, gold_indices,
                                                     gold_labels, 2, verdict_list, 3, &error));
  assert_calldata (data, len,
                   (const char *const[]){ "calldata",
                                          "finalize(uint256,bytes[],uint16[],bytes,bytes[])", "42",
                                          "[0x010203,0x,0x04]", "[0,5]", "0x0103",
                                          "[0x,0x01020001,0x]", NULL });
  /* No gold, no reviewers. */
  g_assert_true (tally_label_market_encode_finalize (&data, &len, &task_id, labels, 2, NULL, NULL,
                                                     0, NULL, 0, &error));
  assert_calldata (data, len,
                   (const char *const[]){ "calldata",
                                          "finalize(uint256,bytes[],uint16[],bytes,bytes[])", "42",
                                          "[0x010203,0x]", "[]", "0x", "[]", NULL });
  g_assert_true (tally_label_market_encode_get_task (&data, &len, &task_id, &error));
  assert_calldata (data, len, (const char *const[]){ "calldata", "getTask(uint256)", "42", NULL });
  g_assert_true (tally_label_market_encode_pending_of (&data, &len, &task_id, &account, &error));
  assert_calldata (data, len,
                   (const char *const[]){ "calldata", "pendingOf(uint256,address)", "42", ACCOUNT1,
                                          NULL });
  g_assert_true (tally_label_market_encode_task_count (&data, &len, &error));
  assert_calldata (data, len, (const char *const[]){ "calldata", "taskCount()", NULL });
  g_assert_true (tally_label_market_encode_get_seat (&data, &len, &task_id, 6, &error));
  assert_calldata (data, len,
                   (const char *const[]){ "calldata", "getSeat(uint256,uint256)", "42", "6", NULL });

  /* The reviewer's calls. */
  g_assert_true (tally_label_market_encode_join_review (&data, &len, &task_id, 2, NULL, 0, &error));
  assert_calldata (data, len,
                   (const char *const[]){ "calldata", "joinReview(uint256,uint256,bytes)", "42", "2",
                                          "0x", NULL });
  g_assert_true (tally_label_market_encode_join_review (&data, &len, &task_id, 1, sealed,
                                                        sizeof sealed, &error));
  assert_calldata (data, len,
                   (const char *const[]){ "calldata", "joinReview(uint256,uint256,bytes)", "42", "1",
                                          "0xcafe0001", NULL });
  g_assert_true (tally_label_market_encode_commit_review (&data, &len, &task_id, 2, salt, &error));
  assert_calldata (data, len,
                   (const char *const[]){ "calldata", "commitReview(uint256,uint256,bytes32)", "42",
                                          "2", SALT, NULL });
  g_assert_true (tally_label_market_encode_reveal_review (&data, &len, &task_id, 2, verdicts,
                                                          sizeof verdicts, salt, &error));
  assert_calldata (data, len,
                   (const char *const[]){ "calldata", "revealReview(uint256,uint256,bytes,bytes32)",
                                          "42", "2", "0x01020001", SALT, NULL });
  g_assert_true (tally_label_market_encode_review_commitment_of (&data, &len, &task_id, 2, &account,
                                                                 p.gold_commitment, salt, &error));
  assert_calldata (data, len,
                   (const char *const[]){
                     "calldata", "reviewCommitmentOf(uint256,uint256,address,bytes32,bytes32)",
                     "42", "2", ACCOUNT1, GOLD_HASH, SALT, NULL });
  g_assert_true (tally_label_market_encode_get_review (&data, &len, &task_id, 2, 1, &error));
  assert_calldata (data, len,
                   (const char *const[]){ "calldata", "getReview(uint256,uint256,uint256)", "42",
                                          "2", "1", NULL });
  g_assert_true (tally_label_market_encode_review_seats_of (&data, &len, &task_id, &account, &error));
  assert_calldata (data, len,
                   (const char *const[]){ "calldata", "reviewSeatsOf(uint256,address)", "42",
                                          ACCOUNT1, NULL });
  g_assert_no_error (error);

  /* The commitments against cast's abi-encode and keccak. */
  tally_label_market_gold_commitment (commitment, p.manifest_hash, gold_indices, gold_labels, 3,
                                      salt);
  {
    g_autofree char *ours = tally_hex_encode (commitment, 32);
    g_autofree char *encoded = tally_test_cast ((const char *const[]){
      "abi-encode", "f(bytes32,uint16[],bytes,bytes32)", MANIFEST_HASH, "[0,5,300]", "0x010302",
      SALT, NULL });
    g_autofree char *expected = tally_test_cast ((const char *const[]){ "keccak", encoded, NULL });

    g_assert_cmpstr (ours, ==, expected);
  }
  tally_label_market_review_commitment (commitment, 31337, &p.key_server, &task_id, 2, &account,
                                        verdicts, sizeof verdicts, salt);
  {
    guint8           verdicts_hash[32];
    g_autofree char *hash_hex = NULL, *encoded = NULL, *expected = NULL;
    g_autofree char *ours = tally_hex_encode (commitment, 32);

    tally_keccak256 (verdicts_hash, verdicts, sizeof verdicts);
    hash_hex = tally_hex_encode (verdicts_hash, 32);
    encoded = tally_test_cast ((const char *const[]){
      "abi-encode", "f(uint256,address,uint256,uint256,address,bytes32,bytes32)", "31337",
      ACCOUNT1, "42", "2", ACCOUNT1, hash_hex, SALT, NULL });
    expected = tally_test_cast ((const char *const[]){ "keccak", encoded, NULL });
    g_assert_cmpstr (ours, ==, expected);
  }
}

static void
assert_malformed (GError    **error,
                  const char *function)
{
  g_assert_error (*error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_assert_nonnull (strstr ((*error)->message, function));
  g_clear_error (error);
}

/* A getTask result: TaskView is all static words, 18 of params then 6. */
#define TASK_WORDS 24

static void
put_word (guint8 *words,
          guint   index,
          guint64 value)
{
  TallyUint256 wide;

  tally_uint256_from_uint64 (&wide, value);
  tally_uint256_to_bytes32 (words + 32 * index, &wide);
}

static void
test_bad_task (void)
{
  guint8         words[TASK_WORDS * 32] = { 0 };
  TallyLabelTask task;
  g_autoptr (GError) error = NULL;

  memset (words, 0x11, 32);
  put_word (words, 1, 256);
  put_word (words, 2, 255);
  put_word (words, 3, 7);
  put_word (words, 4, 3);
  put_word (words, 5, LABEL_UNIT);
  put_word (words, 8, 10000);
  put_word (words, 9, 1);
  put_word (words, 14, G_MAXUINT64);
  words[18 * 32 + 31] = 0x42;
  put_word (words, 19, TALLY_LABEL_TASK_FINALIZED);
  put_word (words, 20, 7);
  put_word (words, 21, 1);
  put_word (words, 23, 99);
  g_assert_true (tally_label_market_decode_get_task (&task, words, sizeof words, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (task.params.item_count, ==, 256);
  g_assert_cmpuint (task.params.class_count, ==, 255);
  g_assert_cmpuint (task.params.replication, ==, 7);
  g_assert_cmpuint (task.params.reviewers, ==, 3);
  g_assert_cmpuint (task.params.slash_bps, ==, 10000);
  g_assert_cmpuint (task.params.commit_deadline, ==, G_MAXUINT64);
  g_assert_cmpuint (task.params.manifest_hash[31], ==, 0x11);
  g_assert_false (task.params.has_key_server);
  g_assert_cmpuint (task.requester.bytes[19], ==, 0x42);
  g_assert_cmpint (task.state, ==, TALLY_LABEL_TASK_FINALIZED);
  g_assert_cmpuint (task.seats_taken, ==, 7);
  g_assert_true (task.ever_joined);
  g_assert_false (task.gold_revealed);
  g_assert_cmpuint (task.escrow.limbs[0], ==, 99);

  /* Short and long. */
  g_assert_false (tally_label_market_decode_get_task (&task, words, sizeof words - 32, &error));
  assert_malformed (&error, "getTask");
  g_assert_false (tally_label_market_decode_get_task (&task, words, sizeof words - 1, &error));
  assert_malformed (&error, "getTask");

  /* Each count, bps, deadline and the state just beyond the contract's bounds. */
  {
    const struct
    {
      guint   word;
      guint64 bad;
      guint64 good;
    } beyond[] = {
      { 1, 257, 256 },
      { 2, 256, 255 },
      { 3, 8, 7 },
      { 4, 4, 3 },
      { 8, 10001, 10000 },
      { 9, 10001, 1 },
      { 12, 10001, 0 },
      { 19, 4, 3 },
      { 19, 0, 3 },
      { 20, 8, 7 }, /* more seats taken than the task has */
    };

    for (guint i = 0; i < G_N_ELEMENTS (beyond); i++)
      {
        put_word (words, beyond[i].word, beyond[i].bad);
        g_assert_false (tally_label_market_decode_get_task (&task, words, sizeof words, &error));
        assert_malformed (&error, "getTask");
        g_assert_cmpuint (task.params.item_count, ==, 0);
        put_word (words, beyond[i].word, beyond[i].good);
      }
  }
  /* A deadline beyond 64 bits. */
  words[15 * 32 + 23] = 1;
  g_assert_false (tally_label_market_decode_get_task (&task, words, sizeof words, &error));
  assert_malformed (&error, "getTask");
  words[15 * 32 + 23] = 0;
  /* A bool that is neither 0 nor 1. */
  put_word (words, 22, 2);
  g_assert_false (tally_label_market_decode_get_task (&task, words, sizeof words, &error));
  assert_malformed (&error, "getTask");
  put_word (words, 22, 1);
  /* A private task: its key server is a non-zero address. */
  words[13 * 32 + 31] = 0x5e;
  g_assert_true (tally_label_market_decode_get_task (&task, words, sizeof words, &error));
  g_assert_no_error (error);
  g_assert_true (task.gold_revealed);
  g_assert_true (task.params.has_key_server);
  g_assert_cmpuint (task.params.key_server.bytes[19], ==, 0x5e);
}

static void
test_bad_results (void)
{
  guint8           words[4 * 32] = { 0 };
  TallyLabelSeat   seat;
  TallyLabelReview review;
  TallyUint256     a, b;
  guint            seats = 0;
  guint8           commitment[32];
  g_autoptr (GError) error = NULL;

  /* One word each; two are not one, and 31 bytes are none. */
  put_word (words, 0, 77);
  g_assert_true (tally_label_market_decode_budget_for (&a, words, 32, &error));
  g_assert_cmpuint (a.limbs[0], ==, 77);
  g_assert_false (tally_label_market_decode_budget_for (&a, words, 64, &error));
  assert_malformed (&error, "budgetFor");
  g_assert_true (tally_uint256_is_zero (&a));
  g_assert_true (tally_label_market_decode_task_count (&a, words, 32, &error));
  g_assert_false (tally_label_market_decode_task_count (&a, words, 31, &error));
  assert_malformed (&error, "taskCount");
  g_assert_true (tally_label_market_decode_gold_commitment_of (commitment, words, 32, &error));
  g_assert_cmpuint (commitment[31], ==, 77);
  g_assert_false (tally_label_market_decode_gold_commitment_of (commitment, words, 33, &error));
  assert_malformed (&error, "goldCommitmentOf");
  g_assert_cmpuint (commitment[31], ==, 0);
  g_assert_true (tally_label_market_decode_review_commitment_of (commitment, words, 32, &error));
  g_assert_false (tally_label_market_decode_review_commitment_of (commitment, words, 0, &error));
  assert_malformed (&error, "reviewCommitmentOf");

  /* pendingOf: two words. */
  put_word (words, 1, 5);
  g_assert_true (tally_label_market_decode_pending_of (&a, &b, words, 64, &error));
  g_assert_cmpuint (a.limbs[0], ==, 77);
  g_assert_cmpuint (b.limbs[0], ==, 5);
  g_assert_false (tally_label_market_decode_pending_of (&a, &b, words, 32, &error));
  assert_malformed (&error, "pendingOf");
  g_assert_true (tally_uint256_is_zero (&a) && tally_uint256_is_zero (&b));

  /* reviewSeatsOf: seats 0..6 only. */
  put_word (words, 0, 0x45);
  g_assert_true (tally_label_market_decode_review_seats_of (&seats, words, 32, &error));
  g_assert_cmpuint (seats, ==, 0x45);
  put_word (words, 0, 0x80);
  g_assert_false (tally_label_market_decode_review_seats_of (&seats, words, 32, &error));
  assert_malformed (&error, "reviewSeatsOf");
  g_assert_cmpuint (seats, ==, 0);
  g_assert_false (tally_label_market_decode_review_seats_of (&seats, words, 64, &error));
  assert_malformed (&error, "reviewSeatsOf");

  /* getSeat: holder, state, hash, key granted. */
  memset (words, 0, sizeof words);
  words[31] = 0x99;
  put_word (words, 1, TALLY_LABEL_SEAT_REVEALED);
  memset (words + 64, 0xab, 32);
  put_word (words, 3, 1);
  g_assert_true (tally_label_market_decode_get_seat (&seat, words, sizeof words, &error));
  g_assert_no_error (error);
  g_assert_true (seat.has_holder);
  g_assert_cmpuint (seat.holder.bytes[19], ==, 0x99);
  g_assert_cmpint (seat.state, ==, TALLY_LABEL_SEAT_REVEALED);
  g_assert_cmpuint (seat.hash[0], ==, 0xab);
  g_assert_true (seat.key_granted);
  put_word (words, 1, 4);
  g_assert_false (tally_label_market_decode_get_seat (&seat, words, sizeof words, &error));
  assert_malformed (&error, "getSeat");
  g_assert_false (seat.has_holder);
  put_word (words, 1, TALLY_LABEL_SEAT_EMPTY);
  g_assert_false (tally_label_market_decode_get_seat (&seat, words, sizeof words, &error));
  assert_malformed (&error, "getSeat");
  words[31] = 0; /* no holder, yet a hash and a key */
  g_assert_false (tally_label_market_decode_get_seat (&seat, words, sizeof words, &error));
  assert_malformed (&error, "getSeat");
  memset (words + 64, 0, 64);
  g_assert_true (tally_label_market_decode_get_seat (&seat, words, sizeof words, &error));
  g_assert_false (seat.has_holder);
  g_assert_false (tally_label_market_decode_get_seat (&seat, words, 3 * 32, &error));
  assert_malformed (&error, "getSeat");

  /* getReview: reviewer, state, hash. */
  memset (words, 0, sizeof words);
  words[31] = 0x77;
  put_word (words, 1, TALLY_LABEL_SEAT_COMMITTED);
  memset (words + 64, 0xcd, 32);
  g_assert_true (tally_label_market_decode_get_review (&review, words, 3 * 32, &error));
  g_assert_no_error (error);
  g_assert_true (review.has_reviewer);
  g_assert_cmpuint (review.reviewer.bytes[19], ==, 0x77);
  g_assert_cmpint (review.state, ==, TALLY_LABEL_SEAT_COMMITTED);
  g_assert_cmpuint (review.hash[31], ==, 0xcd);
  put_word (words, 1, 4);
  g_assert_false (tally_label_market_decode_get_review (&review, words, 3 * 32, &error));
  assert_malformed (&error, "getReview");
  g_assert_false (review.has_reviewer);
  put_word (words, 1, TALLY_LABEL_SEAT_EMPTY);
  g_assert_false (tally_label_market_decode_get_review (&review, words, 3 * 32, &error));
  assert_malformed (&error, "getReview");
  words[31] = 0;
  g_assert_false (tally_label_market_decode_get_review (&review, words, 3 * 32, &error));
  assert_malformed (&error, "getReview");
  g_assert_false (tally_label_market_decode_get_review (&review, words, 4 * 32, &error));
  assert_malformed (&error, "getReview");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/label-market-requests/calldata", test_calldata);
  g_test_add_func ("/core/label-market-requests/bad-task", test_bad_task);
  g_test_add_func ("/core/label-market-requests/bad-results", test_bad_results);

  return g_test_run ();
}
