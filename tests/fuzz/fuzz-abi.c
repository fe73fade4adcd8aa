/* fuzz-abi.c: libFuzzer target for the ABI type parser, the strict decoder
 * and the revert reason decoder (wallet/abi.c, wallet/abi-codec.c)
 *
 * Input: a parameter list such as "(uint8,string[])", a newline, then the
 * data to decode. A decoded value must encode back to exactly the input
 * data; failures must be MALFORMED errors. The whole input is also read as
 * revert data, which always gives a sentence.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "wallet/tally-wallet.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const char *const errors[] = { "Custom(uint8,(string,bytes32)[])", "Other()", NULL };
  const uint8_t           *newline = memchr (data, '\n', size);
  g_autofree char         *sentence = tally_abi_describe_revert (data, size, errors);
  g_autofree char         *type_text = NULL;
  g_autoptr (TallyAbiType) params = NULL;
  g_autoptr (TallyAbiValue) args = NULL;
  g_autoptr (GError) error = NULL;
  gsize data_len;

  g_assert_nonnull (sentence);
  g_assert_true (g_utf8_validate (sentence, -1, NULL));

  if (newline == NULL)
    return 0;
  type_text = g_strndup ((const char *) data, newline - data);
  if (!tally_abi_type_parse (&params, type_text, &error))
    {
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
      g_assert_null (params);
      return 0;
    }
  if (tally_abi_type_get_kind (params) != TALLY_ABI_TUPLE)
    return 0;

  data_len = size - (newline + 1 - data);
  if (tally_abi_decode (&args, params, newline + 1, data_len, &error))
    {
      g_autofree guint8 *again = NULL;
      g_autofree char   *text = tally_abi_value_to_string (args);
      gsize              again_len = 0;

      g_assert_true (tally_abi_encode (&again, &again_len, params, args, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (again, again_len, newline + 1, data_len);
      g_assert_true (g_utf8_validate (text, -1, NULL));
    }
  else
    {
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
      g_assert_null (args);
    }

  return 0;
}
