/* fuzz-rpc-reply.c: libFuzzer target for the JSON-RPC reply validator
 * (app/rpc-client-reply.c)
 *
 * Any bytes, read as the reply to one call and as the reply to a batch of
 * three, either give each call exactly one outcome (a result or its own
 * error) or fail as a whole with MALFORMED_REPLY naming a method; every
 * result is then read as each typed value. Never a crash.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "core-error.h"
#include "rpc-client-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static const char *methods[] = { "eth_getLogs", "eth_getTransactionReceipt", "eth_feeHistory" };

static void
check_error (const GError *error,
             gint          code)
{
  g_assert_nonnull (error);
  g_assert_cmpuint (error->domain, ==, TALLY_CORE_ERROR);
  g_assert_cmpint (error->code, ==, code);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

static void
read_result (JsonNode *result)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GPtrArray) logs = NULL;
  g_autoptr (TallyRpcFeeHistory) history = NULL;
  TallyRpcReceipt *receipt = NULL;
  TallyUint256     big;
  guint64          value = 0;
  guint8           hash[TALLY_RPC_HASH_LEN];

  if (!tally_rpc_parse_quantity (result, "q", &value, &error))
    {
      check_error (error, TALLY_CORE_ERROR_MALFORMED_REPLY);
      g_assert_cmpuint (value, ==, 0);
      g_clear_error (&error);
    }
  if (!tally_rpc_parse_uint256 (result, "u", &big, &error))
    {
      check_error (error, TALLY_CORE_ERROR_MALFORMED_REPLY);
      g_assert_true (tally_uint256_is_zero (&big));
      g_clear_error (&error);
    }
  if ((bytes = tally_rpc_parse_data (result, "d", &error)) == NULL)
    check_error (error, TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_clear_error (&error);
  if (!tally_rpc_parse_hash (result, "h", hash, &error))
    check_error (error, TALLY_CORE_ERROR_MALFORMED_REPLY);
  g_clear_error (&error);
  if (!_tally_rpc_parse_logs (result, "l", &logs, &error))
    {
      check_error (error, TALLY_CORE_ERROR_MALFORMED_REPLY);
      g_assert_null (logs);
    }
  else
    for (guint i = 0; i < logs->len; i++)
      g_assert_cmpuint (((TallyRpcLog *) logs->pdata[i])->n_topics, <=, 4);
  g_clear_error (&error);
  if (_tally_rpc_parse_receipt (result, &receipt, &error))
    {
      g_assert_nonnull (receipt->logs);
      tally_rpc_receipt_free (receipt);
    }
  else
    {
      check_error (error, TALLY_CORE_ERROR_MALFORMED_REPLY);
      g_assert_null (receipt);
    }
  g_clear_error (&error);
  for (guint n = 0; n < 3; n++)
    {
      if (_tally_rpc_parse_fee_history (result, n, &history, &error))
        g_assert_cmpuint (history->n_percentiles, ==, n);
      else
        check_error (error, TALLY_CORE_ERROR_MALFORMED_REPLY);
      g_clear_pointer (&history, tally_rpc_fee_history_free);
      g_clear_error (&error);
    }
}

static void
run (const char *body,
     gsize       len,
     gboolean    batch)
{
  g_autoptr (GPtrArray) calls = g_ptr_array_new_with_free_func ((GDestroyNotify) _tally_rpc_call_free);
  g_autoptr (GError) error = NULL;
  guint n_calls = batch ? G_N_ELEMENTS (methods) : 1;

  for (guint i = 0; i < n_calls; i++)
    {
      TallyRpcCall *call = _tally_rpc_call_new (methods[i], NULL);

      call->id = i + 1;
      g_ptr_array_add (calls, call);
    }

  if (!_tally_rpc_reply_dispatch ((TallyRpcCall **) calls->pdata, n_calls, batch, body, len,
                                  &error))
    {
      gboolean named = FALSE;

      check_error (error, TALLY_CORE_ERROR_MALFORMED_REPLY);
      for (guint i = 0; i < n_calls; i++)
        named |= strstr (error->message, methods[i]) != NULL;
      g_assert_true (named);
      return;
    }

  g_assert_no_error (error);
  for (guint i = 0; i < n_calls; i++)
    {
      TallyRpcCall *call = calls->pdata[i];

      g_assert_true ((call->result == NULL) != (call->error == NULL));
      if (call->error != NULL)
        {
          g_assert_true (call->error->code == TALLY_CORE_ERROR_RPC ||
                         call->error->code == TALLY_CORE_ERROR_RATE_LIMITED);
          g_assert_nonnull (strstr (call->error->message, call->method));
        }
      else
        read_result (call->result);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  run ((const char *) data, size, FALSE);
  run ((const char *) data, size, TRUE);
  return 0;
}
