/* contract-abi-private.h: what contract-abi.c (lookup, encoding, decoding),
 * contract-abi-load.c (reading the JSON) and contract-abi-entry.c share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "contract-abi.h"

G_BEGIN_DECLS

struct _TallyContractAbi
{
  GObject parent_instance;

  char      *name;
  GPtrArray *entries; /* of TallyAbiEntry */
};

struct _TallyAbiEntry
{
  TallyAbiEntryKind kind;
  char             *name;
  char             *signature;
  guint8            selector[TALLY_ABI_TOPIC_LEN];
  gsize             selector_len;
  TallyAbiType     *inputs;
  TallyAbiType     *outputs;
  GStrv             input_names;
  gboolean         *indexed;
  gboolean          read_only;
  gboolean          anonymous;
  /* Events: the non-indexed inputs as one list, and "(T)" for each indexed
   * input of a static type (NULL for the others, which are hashed). */
  TallyAbiType  *data_type;
  TallyAbiType **topic_types;
};

struct _TallyAbiLog
{
  const TallyAbiEntry *event;
  GPtrArray           *values; /* of TallyAbiValue tuples, one item each for topics */
  TallyAbiValue       *data;
  guint               *slots; /* input index -> index into values (indexed) or data */
};

void _tally_abi_entry_free (TallyAbiEntry *entry);
/* "(free: 0, needed: 5)": each input's value, from get (source, index), with
 * the name the ABI gives it. */
char *_tally_abi_entry_format_args (const TallyAbiEntry *entry,
                                    const TallyAbiValue *(*get) (gconstpointer, guint),
                                    gconstpointer source);

G_END_DECLS
