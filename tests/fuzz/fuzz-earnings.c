/* fuzz-earnings.c: libFuzzer target for the fold of market logs into an
 * account's earnings (app/earnings.c)
 *
 * A node decides which logs the market log holds, so whatever it sends must
 * fold without a crash into figures that still add up: stake-free is
 * stake-total - stake-locked, or 0 with an inconsistency counted; the list
 * model announces every entry it holds; no entry has a zero amount.
 *
 * Two TallyEarnings, for accounts A and B, follow one TallyMarketLog that
 * lives across inputs (so the state a sequence of inputs builds is
 * exercised too) and is rebuilt once it holds MAX_HELD_LOGS.
 *
 * Input framing, every field one byte unless said otherwise; a log whose
 * fields run past the end is dropped:
 *
 *   flags          bit 0: a keep byte follows; after the logs, roll the
 *                  market log back to keep % (logs held + 1) logs, as a
 *                  reorganisation does, and emit ::rolled-back
 *   then logs, each:
 *     n_topics     n % 5
 *     topic 0      n % 11: one of the ten events earnings.c folds, in
 *                  events[] order, or 10: 32 bytes from the input. Read
 *                  even for a log without topics, which then takes no 32
 *                  bytes and keeps the one zeroed row the RPC parser
 *                  allocates for it
 *     topics 1..   each n % 4: 0 account A, 1 account B (both as the
 *                  32-byte left-padded words indexed addresses are), 2 the
 *                  next byte as a uint256 (a task id), 3 32 bytes from input
 *     data length  2 bytes, big-endian, then that many bytes of data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "contract-abi.h"
#include "earnings.h"
#include "market-log-private.h"
#include "network-profile.h"
#include "rpc-client.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

#define MAX_HELD_LOGS 10000
#define N_ACCOUNTS    2

static const char network_json[] =
  "{\"name\": \"Tally devnet\", \"rpcUrl\": \"http://127.0.0.1:9/\", \"chainId\": 31337,"
  " \"deploymentBlock\": 1,"
  " \"contracts\": {"
  "  \"LabelToken\": {\"address\": \"0x5FbDB2315678afecb367f032d93F642f64180aa3\","
  " \"deploymentBlock\": 1},"
  "  \"LabelMarket\": {\"address\": \"0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512\","
  " \"deploymentBlock\": 2},"
  "  \"TokenUsdFeed\": {\"address\": \"0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0\","
  " \"deploymentBlock\": 3},"
  "  \"EthUsdFeed\": {\"address\": \"0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9\","
  " \"deploymentBlock\": 4}},"
  " \"token\": {\"symbol\": \"LABEL\", \"decimals\": 18}, \"priceFeedDecimals\": 8}";

static const char *const accounts[N_ACCOUNTS] = {
  "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
};

static const char *const events[] = {
  "Staked",
  "Unstaked",
  "Claimed",
  "TaskCreated",
  "TaskCancelled",
  "Finalized",
  "Joined",
  "Left",
  "ReviewJoined",
  "Settled",
};
#define N_EVENT_TOPICS (G_N_ELEMENTS (events) + 1)

typedef struct
{
  TallyEarnings *earnings;
  guint          n_items; /* as items-changed announced them */
} Follower;

static struct
{
  gboolean             ready;
  TallyRpcClient      *client;
  TallyNetworkProfile *profile;
  TallyMarketLog      *log;
  Follower             followers[N_ACCOUNTS];
  TallyAddress         account[N_ACCOUNTS];
  guint8               account_topic[N_ACCOUNTS][TALLY_RPC_HASH_LEN];
  guint8               topics[G_N_ELEMENTS (events)][TALLY_RPC_HASH_LEN];
  guint64              block;
} fuzz;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Follower   *follower)
{
  g_assert_cmpuint (position + removed, <=, follower->n_items);
  follower->n_items = follower->n_items - removed + added;
}

static void
drop_followers (void)
{
  for (guint i = 0; i < N_ACCOUNTS; i++)
    {
      if (fuzz.followers[i].earnings != NULL)
        g_signal_handlers_disconnect_by_data (fuzz.followers[i].earnings, &fuzz.followers[i]);
      g_clear_object (&fuzz.followers[i].earnings);
    }
  g_clear_object (&fuzz.log);
}

static void
make_followers (void)
{
  g_autoptr (GError) error = NULL;

  fuzz.log = tally_market_log_new (fuzz.client, fuzz.profile, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < N_ACCOUNTS; i++)
    {
      Follower *follower = &fuzz.followers[i];

      follower->earnings = tally_earnings_new (fuzz.log, &fuzz.account[i]);
      follower->n_items = 0;
      g_signal_connect (follower->earnings, "items-changed", G_CALLBACK (on_items_changed),
                        follower);
    }
}

static void
setup (void)
{
  g_autoptr (TallyContractAbi) abi = NULL;
  g_autoptr (GError) error = NULL;

  fuzz.profile = tally_network_profile_new_from_data (network_json, -1, &error);
  g_assert_no_error (error);
  /* Port 9 (discard): nothing here makes a request, and none may leave. */
  fuzz.client = tally_rpc_client_new ("http://127.0.0.1:9/");
  for (guint i = 0; i < N_ACCOUNTS; i++)
    {
      g_assert_true (tally_address_parse (&fuzz.account[i], accounts[i], &error));
      memcpy (fuzz.account_topic[i] + 12, fuzz.account[i].bytes, TALLY_ADDRESS_LEN);
    }
  abi = tally_contract_abi_new_builtin ("LabelMarket", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    {
      const TallyAbiEntry *entry =
        tally_contract_abi_lookup (abi, TALLY_ABI_ENTRY_EVENT, events[i], &error);
      gsize len = 0;

      g_assert_no_error (error);
      memcpy (fuzz.topics[i], tally_abi_entry_get_selector (entry, &len), TALLY_RPC_HASH_LEN);
      g_assert_cmpuint (len, ==, TALLY_RPC_HASH_LEN);
    }
  make_followers ();
  fuzz.ready = TRUE;
}

/* Reads n bytes at *pos, FALSE past the end. */
static gboolean
take (const uint8_t **pos,
      const uint8_t  *end,
      gsize           n,
      const uint8_t **out)
{
  if ((gsize) (end - *pos) < n)
    return FALSE;
  *out = *pos;
  *pos += n;
  return TRUE;
}

static TallyRpcLog *
read_log (const uint8_t **pos,
          const uint8_t  *end)
{
  g_autoptr (TallyRpcLog) log = g_new0 (TallyRpcLog, 1);
  const uint8_t *bytes;
  guint          which;

  if (!take (pos, end, 1, &bytes))
    return NULL;
  log->n_topics = bytes[0] % 5;
  /* As rpc-client-reply.c allocates them: at least one row, zeros. */
  log->topics = g_malloc0_n (MAX (log->n_topics, 1), TALLY_RPC_HASH_LEN);
  if (!take (pos, end, 1, &bytes))
    return NULL;
  which = bytes[0] % N_EVENT_TOPICS;
  if (log->n_topics > 0 && which < G_N_ELEMENTS (events))
    memcpy (log->topics[0], fuzz.topics[which], TALLY_RPC_HASH_LEN);
  else if (log->n_topics > 0)
    {
      if (!take (pos, end, TALLY_RPC_HASH_LEN, &bytes))
        return NULL;
      memcpy (log->topics[0], bytes, TALLY_RPC_HASH_LEN);
    }

  for (guint t = 1; t < log->n_topics; t++)
    {
      if (!take (pos, end, 1, &bytes))
        return NULL;
      switch (bytes[0] % 4)
        {
        case 0:
        case 1:
          memcpy (log->topics[t], fuzz.account_topic[bytes[0] % 4], TALLY_RPC_HASH_LEN);
          break;
        case 2:
          if (!take (pos, end, 1, &bytes))
            return NULL;
          log->topics[t][TALLY_RPC_HASH_LEN - 1] = bytes[0];
          break;
        default:
          if (!take (pos, end, TALLY_RPC_HASH_LEN, &bytes))
            return NULL;
          memcpy (log->topics[t], bytes, TALLY_RPC_HASH_LEN);
        }
    }

  if (!take (pos, end, 2, &bytes))
    return NULL;
  if (!take (pos, end, ((gsize) bytes[0] << 8) | bytes[1], &bytes))
    return NULL;
  log->data = g_bytes_new (bytes, *pos - bytes);
  log->address = *tally_network_profile_get_market_address (fuzz.profile);
  log->block_number = ++fuzz.block;
  return g_steal_pointer (&log);
}

static void
check_follower (Follower *follower,
                gboolean  folded,
                guint     inconsistencies_before,
                guint     n_items_before)
{
  TallyEarnings      *earnings = follower->earnings;
  const TallyUint256 *total = tally_earnings_get_stake_total (earnings);
  const TallyUint256 *locked = tally_earnings_get_stake_locked (earnings);
  const TallyUint256 *free_stake = tally_earnings_get_stake_free (earnings);
  TallyUint256        sum;
  guint               n_items = g_list_model_get_n_items (G_LIST_MODEL (earnings));

  if (tally_uint256_cmp (total, locked) >= 0)
    {
      g_assert_true (tally_uint256_add (&sum, free_stake, locked));
      g_assert_cmpint (tally_uint256_cmp (&sum, total), ==, 0);
    }
  else
    {
      g_assert_true (tally_uint256_is_zero (free_stake));
      /* Counted at each fold that ends below zero. */
      if (folded)
        g_assert_cmpuint (tally_earnings_get_inconsistencies (earnings), >, inconsistencies_before);
    }

  g_assert_cmpuint (n_items, ==, follower->n_items);
  /* Newest first: whatever this input added is at the top. A rollback
   * replaces them all, so then every entry is checked. */
  g_assert_cmpuint (n_items, >=, n_items_before);
  for (guint i = 0; i < n_items - n_items_before; i++)
    {
      g_autoptr (TallyEarningsEntry) entry = g_list_model_get_item (G_LIST_MODEL (earnings), i);

      g_assert_nonnull (entry);
      g_assert_false (tally_uint256_is_zero (tally_earnings_entry_get_amount (entry)));
    }
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (earnings), n_items));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr (GPtrArray) logs = g_ptr_array_new_with_free_func ((GDestroyNotify) tally_rpc_log_free);
  const uint8_t *pos = data;
  const uint8_t *end = data + size;
  const uint8_t *flags = NULL;
  const uint8_t *keep = NULL;
  TallyRpcLog   *log;
  gboolean       folded;
  guint          inconsistencies[N_ACCOUNTS];
  guint          n_items[N_ACCOUNTS];

  if (!fuzz.ready)
    setup ();
  if (tally_market_log_get_logs (fuzz.log)->len > MAX_HELD_LOGS)
    {
      drop_followers ();
      make_followers ();
    }

  if (!take (&pos, end, 1, &flags) || ((flags[0] & 1) && !take (&pos, end, 1, &keep)))
    return 0;
  for (guint i = 0; i < N_ACCOUNTS; i++)
    {
      inconsistencies[i] = tally_earnings_get_inconsistencies (fuzz.followers[i].earnings);
      n_items[i] = fuzz.followers[i].n_items;
    }

  while ((log = read_log (&pos, end)) != NULL)
    g_ptr_array_add (logs, log);
  folded = logs->len > 0 || keep != NULL;
  _tally_market_log_take_logs (fuzz.log, g_steal_pointer (&logs));

  if (keep != NULL)
    {
      GPtrArray *held = tally_market_log_get_logs (fuzz.log);
      guint      n_kept = keep[0] % (held->len + 1);

      /* What the log does at a reorganisation: drop the tail, then say so. */
      g_ptr_array_set_size (held, n_kept);
      g_signal_emit_by_name (fuzz.log, "rolled-back", n_kept);
      /* The books are folded again from nothing: the list and the count of
       * inconsistencies start over. */
      for (guint i = 0; i < N_ACCOUNTS; i++)
        {
          n_items[i] = 0;
          inconsistencies[i] = 0;
        }
    }

  for (guint i = 0; i < N_ACCOUNTS; i++)
    check_follower (&fuzz.followers[i], folded, inconsistencies[i], n_items[i]);
  return 0;
}
