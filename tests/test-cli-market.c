/* test-cli-market.c: tally-cli's chain commands (app/cli-market.c,
 * app/cli-tasks.c, app/cli-task-create.c) run as a program against
 * tools/devnet's chain, checked against the contract's own views
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "tally-test-cli.h"
#include "wallet/tally-wallet.h"

/* anvil's "test ... junk" account 1: public, test only. */
#define ACCOUNT_1_KEY "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
#define ACCOUNT_2_KEY "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"
#define MNEMONIC      "test test test test test test test test test test test junk"
#define CLI_ACCOUNT   1
#define LABEL_UNIT    G_GUINT64_CONSTANT (1000000000000000000)

static TallyUint256
member_wei (JsonObject *object,
            const char *name)
{
  g_autoptr (GError) error = NULL;
  TallyUint256 value;

  g_assert_true (json_object_has_member (object, name));
  g_assert_true (
    tally_uint256_parse (&value, json_object_get_string_member (object, name), &error));
  g_assert_no_error (error);
  return value;
}

static void
assert_wei (JsonObject         *object,
            const char         *name,
            const TallyUint256 *expected)
{
  TallyUint256 value = member_wei (object, name);

  g_assert_cmpint (tally_uint256_cmp (&value, expected), ==, 0);
}

static TallyUint256
units (guint64 whole,
       guint64 hundredths)
{
  TallyUint256 value, part;

  tally_uint256_from_uint64 (&value, whole * LABEL_UNIT);
  tally_uint256_from_uint64 (&part, hundredths * (LABEL_UNIT / 100));
  g_assert_true (tally_uint256_add (&value, &value, &part));
  return value;
}

/* balance --json against stakeOf, balanceOf, credited and eth_getBalance. */
static void
assert_balance_matches_chain (TallyTestCli *f)
{
  const char *args[] = { "balance", "--json", NULL };
  g_autoptr (JsonNode) root = tally_test_cli_run_json (f, args);
  JsonObject      *balance = json_node_get_object (root);
  JsonObject      *stake = json_object_get_object_member (balance, "stake");
  JsonObject      *wallet = json_object_get_object_member (balance, "wallet");
  TallyLabelStake  chain_stake = tally_test_market_stake_of (&f->market, CLI_ACCOUNT);
  TallyUint256     token = tally_test_market_balance_of (&f->market, CLI_ACCOUNT);
  TallyUint256     credited = tally_test_market_credited (&f->market, CLI_ACCOUNT);
  g_autofree char *account_json = NULL;
  g_autofree char *params = NULL;
  g_autoptr (JsonNode) eth_node = NULL;
  g_autoptr (GError) error = NULL;
  char         account[TALLY_ADDRESS_STRING_SIZE];
  TallyUint256 eth;

  tally_address_to_string (&f->market.accounts[CLI_ACCOUNT], account);
  g_assert_cmpstr (json_object_get_string_member (balance, "account"), ==, account);
  assert_wei (stake, "totalWei", &chain_stake.total);
  assert_wei (stake, "lockedWei", &chain_stake.locked);
  assert_wei (stake, "freeWei", &chain_stake.free);
  assert_wei (wallet, "tokenWei", &token);
  assert_wei (balance, "creditedWei", &credited);

  params = g_strdup_printf ("[\"%s\", \"latest\"]", account);
  eth_node = tally_test_devnet_rpc_result (&f->market.devnet, NULL, "eth_getBalance", params);
  g_assert_true (tally_uint256_parse (&eth, json_node_get_string (eth_node), &error));
  g_assert_no_error (error);
  assert_wei (wallet, "ethWei", &eth);

  /* The token amounts are the same figures, in tokens. */
  {
    g_autofree char *total = tally_uint256_format_units (&chain_stake.total, 18, -1);

    g_assert_cmpstr (json_object_get_string_member (stake, "total"), ==, total);
  }
}

static void
test_stake_unstake_claim (TallyTestCli *f,
                          gconstpointer data)
{
  const char     *stake_args[] = { "stake", "12.5", NULL };
  const char     *unstake_args[] = { "unstake", "2.25", NULL };
  const char     *claim_args[] = { "claim", NULL };
  const char     *too_much[] = { "unstake", "1000", NULL };
  TallyLabelStake before, after;
  TallyUint256    expected;

  assert_balance_matches_chain (f);
  before = tally_test_market_stake_of (&f->market, CLI_ACCOUNT);

  {
    g_auto (TallyTestCliResult) result = { 0 };

    tally_test_cli_run_ok (f, &result, stake_args);
    g_assert_true (g_str_has_prefix (result.out, "Transaction: 0x"));
    g_assert_nonnull (strstr (result.out, "Stake:       12.5 LABEL"));
  }
  after = tally_test_market_stake_of (&f->market, CLI_ACCOUNT);
  expected = units (12, 50);
  g_assert_true (tally_uint256_add (&expected, &expected, &before.total));
  g_assert_cmpint (tally_uint256_cmp (&after.total, &expected), ==, 0);
  assert_balance_matches_chain (f);

  {
    g_auto (TallyTestCliResult) result = { 0 };

    tally_test_cli_run_ok (f, &result, unstake_args);
    g_assert_nonnull (strstr (result.out, "Stake:       10.25 LABEL"));
  }
  after = tally_test_market_stake_of (&f->market, CLI_ACCOUNT);
  expected = units (10, 25);
  g_assert_cmpint (tally_uint256_cmp (&after.total, &expected), ==, 0);
  assert_balance_matches_chain (f);

  /* Refused before anything is signed. */
  {
    g_auto (TallyTestCliResult) result = { 0 };

    tally_test_cli_run (f, &result, too_much);
    tally_test_cli_assert_one_line_error (&result, 1, "Only 10.25 LABEL of the stake is free");
  }
  {
    g_auto (TallyTestCliResult) result = { 0 };

    tally_test_cli_run (f, &result, claim_args);
    tally_test_cli_assert_one_line_error (&result, 1, "Nothing to claim");
  }
  after = tally_test_market_stake_of (&f->market, CLI_ACCOUNT);
  g_assert_cmpint (tally_uint256_cmp (&after.total, &expected), ==, 0);
}

static void
test_usage_errors (TallyTestCli *f,
                   gconstpointer data)
{
  static const struct
  {
    gboolean    network;
    const char *args[4];
    const char *expected;
  } cases[] = {
    { TRUE, { "frobnicate", NULL }, "unknown command" },
    { TRUE, { "stake", "12.5.1", NULL }, "12.5.1" },
    { TRUE, { "stake", "1.", NULL }, "AMOUNT" },
    { TRUE, { "stake", "0", NULL }, "more than 0" },
    { TRUE, { "stake", NULL }, "missing argument" },
    { TRUE, { "balance", "extra", NULL }, "unexpected argument" },
    { TRUE, { "task", "show", "zero", NULL }, "not a task id" },
    { FALSE, { "balance", NULL }, "--network" },
    { FALSE, { "tasks", NULL }, "TALLY_NETWORK" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (TallyTestCliResult) result = { 0 };

      tally_test_cli_run_full (f, &result, cases[i].network, cases[i].args);
      tally_test_cli_assert_one_line_error (&result, 2, cases[i].expected);
    }

  /* An account is needed for the balance. */
  {
    g_auto (TallyTestCliResult) result = { 0 };
    const char *args[] = { "--network", f->market.devnet.network_file, "balance", NULL };

    tally_test_cli_run_full (f, &result, FALSE, args);
    tally_test_cli_assert_one_line_error (&result, 2, "--private-key-file");
  }
}

/* Manifests as docs/manifest.md has them: task create reads them as every
 * annotator will. */
#define ITEM(id)                                                                    \
  "{\"id\": \"" id "\", \"kind\": \"image\", \"uri\": \"" id ".png\", \"sha256\": " \
  "\"00000000000000000000000000000000000000000000000000000000000000ff\", \"size\": 1000}"
#define CLASS(name) "{\"name\": \"" name "\", \"color\": \"#336699\"}"
#define VALID_MANIFEST(classes, items)                                                     \
  "{\"schema\": 1, \"title\": \"Pets\", \"tools\": [\"classify\"], \"classes\": [" classes \
  "], \"items\": [" items "]}"
#define PETS_CLASSES CLASS ("cat") ", " CLASS ("dog") ", " CLASS ("bird")
#define PET_ITEMS    ITEM ("a") ", " ITEM ("b") ", " ITEM ("c") ", " ITEM ("d") ", " ITEM ("e")
#define URL_MANIFEST VALID_MANIFEST (CLASS ("yes") ", " CLASS ("no"), ITEM ("x") ", " ITEM ("y") ", " ITEM ("z"))

static char *
write_manifest (TallyTestCli *f,
                const char   *name,
                const char   *contents)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (f->home, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
  return path;
}

static TallyUint256
parse_task_id (const char *out)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  TallyUint256 id;

  g_assert_true (g_str_has_prefix (lines[0], "Task:"));
  g_assert_true (tally_uint256_parse (&id, g_strstrip (lines[0] + strlen ("Task:")), &error));
  g_assert_no_error (error);
  return id;
}

static void
test_task_create_and_show (TallyTestCli *f,
                           gconstpointer data)
{
  static const char manifest[] = VALID_MANIFEST (PETS_CLASSES, PET_ITEMS);
  g_autofree char  *path = write_manifest (f, "manifest.json", manifest);
  g_autofree char  *plain = write_manifest (f, "plain.txt", "not json at all");
  g_autofree char  *uri = g_filename_to_uri (path, NULL, NULL);
  const char       *create[] = { "task", "create", "--manifest", path, "--replication", "2",
                                 "--reviewers", "1", "--reward", "1.5", "--review-reward", "0.25",
                                 "--stake-per-item", "2", "--leave-fee", "0.5", "--slash-percent",
                                 "40", "--quorum-percent", "60.5", NULL };
  const char       *no_items[] = { "task", "create", "--manifest", plain, "--replication", "2",
                                   "--reviewers", "0", "--reward", "1", "--stake-per-item", "2",
                                   NULL };
  const char       *list[] = { "tasks", "--json", NULL };
  g_auto (TallyTestCliResult) created = { 0 };
  g_autoptr (JsonNode) tasks = NULL;
  g_autoptr (JsonNode) shown = NULL;
  g_autofree char *id_text = NULL;
  g_autofree char *hash_hex = NULL;
  JsonObject      *task, *deadlines;
  TallyLabelTask   chain_task;
  TallyUint256     id, budget, expected;
  guint8           hash[32];
  gboolean         listed = FALSE;

  {
    g_auto (TallyTestCliResult) result = { 0 };

    tally_test_cli_run (f, &result, no_items);
    tally_test_cli_assert_one_line_error (&result, 2, "cannot be used");
  }
  {
    g_auto (TallyTestCliResult) result = { 0 };
    const char *wrong_count[] = { "task", "create", "--manifest", path, "--replication", "2",
                                  "--reviewers", "0", "--reward", "1", "--stake-per-item", "2",
                                  "--items", "4", NULL };

    tally_test_cli_run (f, &result, wrong_count);
    tally_test_cli_assert_one_line_error (&result, 2, "--items 4 does not match the manifest’s 5");
  }

  tally_test_cli_run_ok (f, &created, create);
  id = parse_task_id (created.out);
  id_text = tally_uint256_to_decimal (&id);
  chain_task = tally_test_market_get_task (&f->market, &id);

  tasks = tally_test_cli_run_json (f, list);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (tasks)); i++)
    {
      JsonObject *entry = json_array_get_object_element (json_node_get_array (tasks), i);

      guint64 entry_id = (guint64) json_object_get_int_member (entry, "id");
      guint64 wanted = 0;

      g_assert_true (tally_uint256_to_uint64 (&wanted, &id));
      if (entry_id == wanted)
        {
          listed = TRUE;
          g_assert_cmpstr (json_object_get_string_member (entry, "phase"), ==, "labeling");
          g_assert_cmpint (json_object_get_int_member (entry, "items"), ==, 5);
          g_assert_true (json_object_get_null_member (entry, "yourSeat"));
        }
    }
  g_assert_true (listed);

  {
    const char *show[] = { "task", "show", id_text, "--json", NULL };

    shown = tally_test_cli_run_json (f, show);
  }
  task = json_node_get_object (shown);
  g_assert_cmpstr (json_object_get_string_member (task, "state"), ==, "open");
  g_assert_cmpint (chain_task.state, ==, TALLY_LABEL_TASK_OPEN);
  g_assert_cmpint (json_object_get_int_member (task, "items"), ==, chain_task.params.item_count);
  g_assert_cmpint (json_object_get_int_member (task, "classes"), ==, chain_task.params.class_count);
  g_assert_cmpint (chain_task.params.item_count, ==, 5);
  g_assert_cmpint (chain_task.params.class_count, ==, 3);
  g_assert_cmpint (json_object_get_int_member (task, "replication"), ==,
                   chain_task.params.replication);
  g_assert_cmpint (json_object_get_int_member (task, "reviewers"), ==, chain_task.params.reviewers);
  g_assert_cmpint (json_object_get_int_member (task, "seatsTaken"), ==, chain_task.seats_taken);
  g_assert_cmpint (json_object_get_int_member (task, "slashBps"), ==, chain_task.params.slash_bps);
  g_assert_cmpint (chain_task.params.slash_bps, ==, 4000);
  g_assert_cmpint (json_object_get_int_member (task, "quorumBps"), ==, chain_task.params.quorum_bps);
  g_assert_cmpint (chain_task.params.quorum_bps, ==, 6050);
  assert_wei (task, "rewardPerLabelWei", &chain_task.params.reward_per_label);
  assert_wei (task, "reviewRewardPerItemWei", &chain_task.params.review_reward_per_item);
  assert_wei (task, "stakePerItemWei", &chain_task.params.stake_per_item);
  assert_wei (task, "leaveFeeWei", &chain_task.params.leave_fee);
  assert_wei (task, "budgetWei", &chain_task.escrow);
  expected = units (1, 50);
  g_assert_cmpint (tally_uint256_cmp (&chain_task.params.reward_per_label, &expected), ==, 0);
  g_assert_true (tally_label_task_params_budget (&chain_task.params, &budget));
  g_assert_cmpint (tally_uint256_cmp (&budget, &chain_task.escrow), ==, 0);

  {
    char requester[TALLY_ADDRESS_STRING_SIZE];

    tally_address_to_string (&chain_task.requester, requester);
    g_assert_cmpstr (json_object_get_string_member (task, "requester"), ==, requester);
    g_assert_true (tally_address_equal (&chain_task.requester, &f->market.accounts[CLI_ACCOUNT]));
  }
  deadlines = json_object_get_object_member (task, "deadlines");
  g_assert_cmpint (json_object_get_int_member (deadlines, "commit"), ==,
                   chain_task.params.commit_deadline);
  g_assert_cmpint (json_object_get_int_member (deadlines, "reveal"), ==,
                   chain_task.params.reveal_deadline);
  g_assert_cmpint (json_object_get_int_member (deadlines, "reviewCommit"), ==,
                   chain_task.params.review_commit_deadline);
  g_assert_cmpint (json_object_get_int_member (deadlines, "reviewReveal"), ==,
                   chain_task.params.review_reveal_deadline);
  g_assert_cmpint (chain_task.params.reveal_deadline - chain_task.params.commit_deadline, ==,
                   24 * 3600);

  /* The hash of the file's exact bytes, and its file:// URI. */
  tally_keccak256 (hash, (const guint8 *) manifest, strlen (manifest));
  g_assert_cmpmem (hash, 32, chain_task.params.manifest_hash, 32);
  hash_hex = tally_hex_encode (hash, 32);
  g_assert_cmpstr (json_object_get_string_member (task, "manifestHash"), ==, hash_hex);
  g_assert_cmpstr (json_object_get_string_member (task, "manifestUri"), ==, uri);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (task, "seats")), ==, 2);
  g_assert_true (json_object_get_null_member (task, "settlement"));
  expected = units (10, 0);
  assert_wei (json_object_get_object_member (task, "join"), "lockWei", &expected);

  /* The requester may not join its own task. */
  g_assert_false (json_object_get_boolean_member (json_object_get_object_member (task, "join"),
                                                  "canJoin"));
  {
    g_auto (TallyTestCliResult) result = { 0 };
    g_autofree char *line = g_strdup_printf ("Task %s: labeling, seats 0/2, 5 items, 1.5 LABEL per "
                                             "label, 2 LABEL stake per item, next deadline ",
                                             id_text);
    const char      *args[] = { "tasks", NULL };

    tally_test_cli_run_ok (f, &result, args);
    g_assert_nonnull (strstr (result.out, line));
  }
  {
    g_auto (TallyTestCliResult) result = { 0 };
    const char *args[] = { "task", "show", id_text, NULL };

    tally_test_cli_run_ok (f, &result, args);
    g_assert_nonnull (strstr (result.out, "Stake:      2 LABEL per item; joining locks 10 LABEL\n"));
    g_assert_nonnull (strstr (result.out, "You:        0 LABEL of free stake; you cannot join now"));
  }

  /* Not settleable before its last deadline. */
  {
    g_auto (TallyTestCliResult) result = { 0 };
    const char *finalize[] = { "finalize", id_text, NULL };

    tally_test_cli_run (f, &result, finalize);
    tally_test_cli_assert_one_line_error (&result, 1, "can be settled after");
  }
  {
    g_auto (TallyTestCliResult) result = { 0 };
    const char *missing[] = { "task", "show", "99", NULL };

    tally_test_cli_run (f, &result, missing);
    tally_test_cli_assert_one_line_error (&result, 1, "no task 99");
  }
}

static void
serve_manifest (SoupServer        *server,
                SoupServerMessage *message,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  if (g_str_equal (path, "/manifest.json"))
    {
      soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (message, "application/json", SOUP_MEMORY_STATIC,
                                        URL_MANIFEST, strlen (URL_MANIFEST));
    }
  else if (g_str_equal (path, "/huge.json"))
    {
      gsize size = 4 * 1024 * 1024 + 1;
      char *body = g_malloc (size);

      memset (body, ' ', size);
      soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (message, "application/json", SOUP_MEMORY_TAKE, body, size);
    }
  else
    soup_server_message_set_status (message, SOUP_STATUS_NOT_FOUND, NULL);
}

/* An http manifest: fetched, hashed, named by its URL; too large or missing
 * is a failure before anything is sent. */
static void
test_task_create_from_url (TallyTestCli *f,
                           gconstpointer data)
{
  g_autoptr (SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr (GError) error = NULL;
  g_autoslist (GUri) uris = NULL;
  g_autofree char *base = NULL;
  g_autofree char *good = NULL;
  g_autofree char *huge = NULL;
  g_autofree char *missing = NULL;
  g_auto (TallyTestCliResult) created = { 0 };
  TallyLabelTask task;
  TallyUint256   id;
  guint8         hash[32];

  soup_server_add_handler (server, NULL, serve_manifest, NULL, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  base = g_uri_to_string (uris->data);
  good = g_strconcat (base, "manifest.json", NULL);
  huge = g_strconcat (base, "huge.json", NULL);
  missing = g_strconcat (base, "missing.json", NULL);

  {
    const char *args[] = { "task", "create", "--manifest", good, "--replication", "2",
                           "--reviewers", "0", "--reward", "1", "--stake-per-item", "1", NULL };

    tally_test_cli_run_ok (f, &created, args);
  }
  id = parse_task_id (created.out);
  task = tally_test_market_get_task (&f->market, &id);
  tally_keccak256 (hash, (const guint8 *) URL_MANIFEST, strlen (URL_MANIFEST));
  g_assert_cmpmem (hash, 32, task.params.manifest_hash, 32);
  g_assert_cmpint (task.params.item_count, ==, 3);
  g_assert_cmpint (task.params.class_count, ==, 2);

  {
    g_auto (TallyTestCliResult) result = { 0 };
    const char *args[] = { "task", "create", "--manifest", huge, "--replication", "2",
                           "--reviewers", "0", "--reward", "1", "--stake-per-item", "1",
                           "--items", "3", "--classes", "2", NULL };

    tally_test_cli_run (f, &result, args);
    tally_test_cli_assert_one_line_error (&result, 1, "larger than 4 MiB");
  }
  {
    g_auto (TallyTestCliResult) result = { 0 };
    const char *args[] = { "task", "create", "--manifest", missing, "--replication", "2",
                           "--reviewers", "0", "--reward", "1", "--stake-per-item", "1",
                           "--items", "3", "--classes", "2", NULL };

    tally_test_cli_run (f, &result, args);
    tally_test_cli_assert_one_line_error (&result, 1, "HTTP 404");
  }
  /* Only the first task was created. */
  {
    const char *list[] = { "tasks", "--json", NULL };
    g_autoptr (JsonNode) tasks = tally_test_cli_run_json (f, list);

    g_assert_cmpuint (json_array_get_length (json_node_get_array (tasks)), ==, 1);
  }
}

static void
test_finalize_and_claim (TallyTestCli *f,
                         gconstpointer data)
{
  static const guint8 labels[4] = { 1, 2, 3, 1 };
  TallyTestMarketTask run = { 0 };
  g_auto (TallyTestCliResult) finalized = { 0 };
  g_auto (TallyTestCliResult) claimed = { 0 };
  g_autofree char *id_text = NULL;
  const char      *claim[] = { "claim", NULL };
  TallyLabelTask   chain_task;
  TallyUint256     id, credited, before, after, expected;

  run.params = tally_test_market_default_params (&f->market, 4, 2, 0);
  run.requester = TALLY_TEST_MARKET_REQUESTER;
  run.n_annotators = 2;
  run.annotators[0] = CLI_ACCOUNT;
  run.annotators[1] = 2;
  run.labels[0] = labels;
  run.labels[1] = labels;
  run.skip_finalize = TRUE;
  id = tally_test_market_run_task (&f->market, &run);
  id_text = tally_uint256_to_decimal (&id);

  {
    const char *args[] = { "finalize", id_text, NULL };

    tally_test_cli_run_ok (f, &finalized, args);
    g_assert_true (g_str_has_prefix (finalized.out, "Transaction: 0x"));
  }
  chain_task = tally_test_market_get_task (&f->market, &id);
  g_assert_cmpint (chain_task.state, ==, TALLY_LABEL_TASK_FINALIZED);
  {
    g_auto (TallyTestCliResult) again = { 0 };
    const char *args[] = { "finalize", id_text, NULL };

    tally_test_cli_run (f, &again, args);
    tally_test_cli_assert_one_line_error (&again, 1, "already settled");
  }

  /* Both annotators agreed on every item: 4 labels at 1 LABEL. */
  credited = tally_test_market_credited (&f->market, CLI_ACCOUNT);
  expected = units (4, 0);
  g_assert_cmpint (tally_uint256_cmp (&credited, &expected), ==, 0);
  assert_balance_matches_chain (f);
  {
    const char *args[] = { "task", "show", id_text, "--json", NULL };
    g_autoptr (JsonNode) shown = tally_test_cli_run_json (f, args);
    JsonObject *task = json_node_get_object (shown);
    JsonObject *seat =
      json_array_get_object_element (json_object_get_array_member (task, "seats"), 0);

    g_assert_cmpstr (json_object_get_string_member (task, "phase"), ==, "finalized");
    g_assert_false (json_object_get_null_member (task, "settlement"));
    g_assert_true (json_object_get_boolean_member (seat, "settled"));
    assert_wei (seat, "rewardWei", &credited);
    g_assert_cmpint (json_object_get_int_member (task, "yourSeat"), ==, 0);
  }

  before = tally_test_market_balance_of (&f->market, CLI_ACCOUNT);
  tally_test_cli_run_ok (f, &claimed, claim);
  g_assert_nonnull (strstr (claimed.out, "Claimed:     4 LABEL"));
  after = tally_test_market_balance_of (&f->market, CLI_ACCOUNT);
  g_assert_true (tally_uint256_add (&expected, &before, &credited));
  g_assert_cmpint (tally_uint256_cmp (&after, &expected), ==, 0);
  credited = tally_test_market_credited (&f->market, CLI_ACCOUNT);
  g_assert_true (tally_uint256_is_zero (&credited));
  assert_balance_matches_chain (f);
}

static void
stake_through_keyring (TallyTestCli *f,
                       guint         account,
                       guint64       tokens)
{
  g_auto (TallyTestCliResult) result = { 0 };
  g_autofree char *amount = g_strdup_printf ("%" G_GUINT64_FORMAT, tokens);
  char             address[TALLY_ADDRESS_STRING_SIZE];
  const char      *args[] = { "--network", f->market.devnet.network_file, "--account", address,
                              "stake", amount, NULL };
  TallyLabelStake  stake;
  TallyUint256     expected = units (tokens, 0);

  tally_address_to_string (&f->market.accounts[account], address);
  tally_test_cli_run_full (f, &result, FALSE, args);
  g_assert_cmpstr (result.err, ==, "");
  g_assert_cmpint (result.status, ==, 0);
  stake = tally_test_market_stake_of (&f->market, account);
  g_assert_cmpint (tally_uint256_cmp (&stake.total, &expected), ==, 0);
}

/* --account: a key, and an account of a recovery phrase, from the keyring
 * (tests/keyring-harness gives this process a private one). */
static void
test_keyring_account (TallyTestCli *f,
                      gconstpointer data)
{
  g_autoptr (TallySecret) key = tally_secret_new (TALLY_PRIVATE_KEY_LEN);
  g_autoptr (TallySecret) phrase =
    tally_secret_new_from_data ((const guint8 *) MNEMONIC, strlen (MNEMONIC) + 1);
  g_autoptr (GError) error = NULL;
  g_auto (TallyTestCliResult) result = { 0 };
  const char *unknown[] = { "--network", f->market.devnet.network_file, "--account",
                            "0x000000000000000000000000000000000000dEaD", "stake", "1", NULL };

  g_assert_true (tally_hex_decode_fixed (key->data, TALLY_PRIVATE_KEY_LEN, ACCOUNT_2_KEY, -1,
                                         &error));
  g_assert_true (tally_keyring_store_sync (&f->market.accounts[2], "Two", TALLY_KEYRING_KIND_KEY,
                                           key, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (tally_keyring_store_sync (&f->market.accounts[3], "Three",
                                           TALLY_KEYRING_KIND_MNEMONIC, phrase, NULL, &error));
  g_assert_no_error (error);

  stake_through_keyring (f, 2, 3);
  stake_through_keyring (f, 3, 4);

  tally_test_cli_run_full (f, &result, FALSE, unknown);
  tally_test_cli_assert_one_line_error (&result, 1, "");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_assert_nonnull (g_getenv ("TALLY_CLI"));

  g_test_add ("/cli-market/stake-unstake-claim", TallyTestCli, NULL, tally_test_cli_set_up,
              test_stake_unstake_claim, tally_test_cli_tear_down);
  g_test_add ("/cli-market/usage-errors", TallyTestCli, NULL, tally_test_cli_set_up, test_usage_errors,
              tally_test_cli_tear_down);
  g_test_add ("/cli-market/task-create-and-show", TallyTestCli, NULL, tally_test_cli_set_up,
              test_task_create_and_show, tally_test_cli_tear_down);
  g_test_add ("/cli-market/task-create-from-url", TallyTestCli, NULL, tally_test_cli_set_up,
              test_task_create_from_url, tally_test_cli_tear_down);
  g_test_add ("/cli-market/finalize-and-claim", TallyTestCli, NULL, tally_test_cli_set_up,
              test_finalize_and_claim, tally_test_cli_tear_down);
  g_test_add ("/cli-market/keyring-account", TallyTestCli, NULL, tally_test_cli_set_up, test_keyring_account,
              tally_test_cli_tear_down);

  return g_test_run ();
}
