/* label-market-private.h: what label-market.c and label-market-tasks.c
 * share: the built-in ABIs and encoding through them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "contract-abi.h"

G_BEGIN_DECLS

typedef TallyContractAbi *(*TallyLabelAbiGetter) (GError **error);

/* The built-in ABIs, loaded on first use and kept for the process. */
TallyContractAbi *tally_label_market_abi (GError **error);
TallyContractAbi *tally_label_token_abi (GError **error);

/* Calldata of function on the contract whose ABI get_abi gives; takes args. */
gboolean tally_label_encode_call (TallyLabelAbiGetter get_abi,
                                  const char         *function,
                                  TallyAbiValue      *args,
                                  guint8            **out,
                                  gsize              *out_len,
                                  GError            **error);
/* The outputs of function as a tuple, or NULL when they do not decode. */
TallyAbiValue *tally_label_decode_result (TallyLabelAbiGetter get_abi,
                                          const char         *function,
                                          const guint8       *data,
                                          gsize               len,
                                          GError            **error);

/* One-item argument tuples. */
TallyAbiValue *tally_label_uint_args (const TallyUint256 *amount);
TallyAbiValue *tally_label_address_args (const TallyAddress *account);
/* (taskId, account), the arguments of the per-account views of a task. */
TallyAbiValue *tally_label_task_account_args (const TallyUint256 *task_id,
                                              const TallyAddress *account);

G_END_DECLS
