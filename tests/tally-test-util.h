/* tally-test-util.h: what the wallet and core tests share: vector files,
 * random inputs, and cast (Foundry) as an independent oracle
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "wallet/tally-wallet.h"

G_BEGIN_DECLS

char      *tally_test_vector_path (const char *name);
GPtrArray *tally_test_read_vectors (const char *name);

void tally_test_random_bytes (guint8 *out,
                              gsize   len);

char *tally_test_find_cast (void);
GStrv tally_test_cast_batch (const char *body,
                             guint       arity,
                             GPtrArray  *args);

/* SHA-256, as the manifests name items by it. */
void tally_test_sha256 (GBytes *bytes,
                        guint8  out[32]);

/* Removes a file or a whole folder; what is not there is no error. */
void tally_test_remove_tree (const char *path);

guint8 *tally_test_hex_or_die (const char *hex,
                               gsize      *len);
void    tally_test_address_or_die (TallyAddress *address,
                                   const char   *text);

void              tally_test_assert_uint256_equal (const TallyUint256 *a,
                                                   const TallyUint256 *b);
void              tally_test_assert_transactions_equal (const TallyTransaction *a,
                                                        const TallyTransaction *b);
TallyTransaction *tally_test_parse_and_recover (const guint8 *raw,
                                                gsize         raw_len,
                                                TallyAddress *sender);

G_END_DECLS
