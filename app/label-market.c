/* label-market.c: typed calls of the LabelMarket contract and of its token,
 * built on the ABI the contracts build exports (contract-abi.h)
 *
 * The ABI is the one compiled into the library, read once per process;
 * going through it rather than hard-coding selectors means a changed
 * contract signature fails loudly here instead of calling the wrong thing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "contract-abi.h"
#include "core-error.h"
#include "label-market-private.h"
#include "label-market.h"

/* The built-in ABI of a contract, loaded on first use and kept for the
 * life of the process. */
static TallyContractAbi *
builtin_abi (const char        *contract,
             TallyContractAbi **slot,
             GError           **error)
{
  static GMutex lock;
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&lock);

  if (*slot == NULL)
    *slot = tally_contract_abi_new_builtin (contract, error);
  return *slot;
}

TallyContractAbi *
tally_label_market_abi (GError **error)
{
  static TallyContractAbi *abi = NULL;

  return builtin_abi ("LabelMarket", &abi, error);
}

TallyContractAbi *
tally_label_token_abi (GError **error)
{
  static TallyContractAbi *abi = NULL;

  return builtin_abi ("LabelToken", &abi, error);
}

gboolean
tally_label_encode_call (TallyLabelAbiGetter get_abi,
                         const char         *function,
                         TallyAbiValue      *args,
                         guint8            **out,
                         gsize              *out_len,
                         GError            **error)
{
  g_autoptr (TallyAbiValue) owned_args = args;
  TallyContractAbi *abi = get_abi (error);

  if (abi == NULL)
    return FALSE;
  return tally_contract_abi_encode_call (abi, out, out_len, function, owned_args, error);
}

TallyAbiValue *
tally_label_decode_result (TallyLabelAbiGetter get_abi,
                           const char         *function,
                           const guint8       *data,
                           gsize               len,
                           GError            **error)
{
  g_autoptr (TallyAbiValue) result = NULL;
  TallyContractAbi *abi = get_abi (error);

  if (abi == NULL || !tally_contract_abi_decode_result (abi, &result, function, data, len, error))
    return NULL;
  return g_steal_pointer (&result);
}

TallyAbiValue *
tally_label_uint_args (const TallyUint256 *amount)
{
  TallyAbiValue *args = tally_abi_value_new_tuple ();

  tally_abi_value_append (args, tally_abi_value_new_uint (amount));
  return args;
}

TallyAbiValue *
tally_label_address_args (const TallyAddress *account)
{
  TallyAbiValue *args = tally_abi_value_new_tuple ();

  tally_abi_value_append (args, tally_abi_value_new_address (account));
  return args;
}

TallyAbiValue *
tally_label_task_account_args (const TallyUint256 *task_id,
                               const TallyAddress *account)
{
  TallyAbiValue *args = tally_label_uint_args (task_id);

  tally_abi_value_append (args, tally_abi_value_new_address (account));
  return args;
}

gboolean
tally_label_market_encode_stake (guint8            **out,
                                 gsize              *out_len,
                                 const TallyUint256 *amount,
                                 GError            **error)
{
  g_return_val_if_fail (amount != NULL, FALSE);

  return tally_label_encode_call (tally_label_market_abi, "stake(uint256)",
                                  tally_label_uint_args (amount), out, out_len, error);
}

gboolean
tally_label_market_encode_unstake (guint8            **out,
                                   gsize              *out_len,
                                   const TallyUint256 *amount,
                                   GError            **error)
{
  g_return_val_if_fail (amount != NULL, FALSE);

  return tally_label_encode_call (tally_label_market_abi, "unstake(uint256)",
                                  tally_label_uint_args (amount), out, out_len, error);
}

gboolean
tally_label_market_encode_claim (guint8 **out,
                                 gsize   *out_len,
                                 GError **error)
{
  return tally_label_encode_call (tally_label_market_abi, "claim()", tally_abi_value_new_tuple (),
                                  out, out_len, error);
}

gboolean
tally_label_market_encode_stake_of (guint8            **out,
                                    gsize              *out_len,
                                    const TallyAddress *account,
                                    GError            **error)
{
  g_return_val_if_fail (account != NULL, FALSE);

  return tally_label_encode_call (tally_label_market_abi, "stakeOf(address)",
                                  tally_label_address_args (account), out, out_len, error);
}

gboolean
tally_label_market_decode_stake_of (TallyLabelStake *stake,
                                    const guint8    *data,
                                    gsize            len,
                                    GError         **error)
{
  g_autoptr (TallyAbiValue) result = NULL;
  TallyUint256 sum;

  g_return_val_if_fail (stake != NULL, FALSE);

  memset (stake, 0, sizeof *stake);
  result = tally_label_decode_result (tally_label_market_abi, "stakeOf(address)", data, len, error);
  if (result == NULL)
    return FALSE;
  tally_abi_value_get_uint (tally_abi_value_get_element (result, 0), &stake->total);
  tally_abi_value_get_uint (tally_abi_value_get_element (result, 1), &stake->locked);
  tally_abi_value_get_uint (tally_abi_value_get_element (result, 2), &stake->free);
  /* The contract keeps total = locked + free; an endpoint that says
   * otherwise is not to be believed about money. */
  if (!tally_uint256_add (&sum, &stake->locked, &stake->free) ||
      tally_uint256_cmp (&sum, &stake->total) != 0)
    {
      memset (stake, 0, sizeof *stake);
      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_MALFORMED_REPLY,
                   "The result of LabelMarket.stakeOf(address) does not add up: "
                   "locked and free stake differ from the total");
      return FALSE;
    }
  return TRUE;
}

gchar *
tally_label_market_describe_revert (const guint8 *data,
                                    gsize         len)
{
  g_autoptr (GError) error = NULL;
  TallyContractAbi *abi = tally_label_market_abi (&error);

  if (abi == NULL)
    return tally_abi_describe_revert (data, len, NULL);
  return tally_contract_abi_describe_revert (abi, data, len);
}

gboolean
tally_label_token_encode_approve (guint8            **out,
                                  gsize              *out_len,
                                  const TallyAddress *spender,
                                  const TallyUint256 *amount,
                                  GError            **error)
{
  TallyAbiValue *args;

  g_return_val_if_fail (spender != NULL && amount != NULL, FALSE);

  args = tally_label_address_args (spender);
  tally_abi_value_append (args, tally_abi_value_new_uint (amount));
  return tally_label_encode_call (tally_label_token_abi, "approve(address,uint256)", args, out,
                                  out_len, error);
}

gboolean
tally_label_token_encode_balance_of (guint8            **out,
                                     gsize              *out_len,
                                     const TallyAddress *account,
                                     GError            **error)
{
  g_return_val_if_fail (account != NULL, FALSE);

  return tally_label_encode_call (tally_label_token_abi, "balanceOf(address)",
                                  tally_label_address_args (account), out, out_len, error);
}

gboolean
tally_label_token_decode_balance_of (TallyUint256 *balance,
                                     const guint8 *data,
                                     gsize         len,
                                     GError      **error)
{
  g_autoptr (TallyAbiValue) result = NULL;

  g_return_val_if_fail (balance != NULL, FALSE);

  memset (balance, 0, sizeof *balance);
  result =
    tally_label_decode_result (tally_label_token_abi, "balanceOf(address)", data, len, error);
  if (result == NULL)
    return FALSE;
  tally_abi_value_get_uint (tally_abi_value_get_element (result, 0), balance);
  return TRUE;
}
