/* task-gold.h: how each seat of a task did on its reference (gold) items,
 * read from what the task's events revealed, and the requester's file that
 * names them
 *
 * The rules are the contract's (LabelMarketSettlement.sol, _failsGold): a
 * revealed submission fails gold when correct x 10,000 is below
 * minGoldAccuracyBps x the number of gold items; a skipped label (0) on a
 * gold item is simply not correct. Nothing is known before GoldRevealed,
 * and nothing about a seat whose labels were never revealed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "manifest.h"
#include "task.h"

G_BEGIN_DECLS

/* One gold item a seat got wrong. */
typedef struct
{
  guint  index; /* the item's position in the manifest */
  guint8 given; /* the seat's label, 0 = skipped */
  guint8 gold;  /* the requester's */
} TallyTaskGoldMiss;

/* The seat's correct labels on the gold items and their number; FALSE
 * (and 0, 0) before the gold is revealed or for a seat not revealed. */
gboolean tally_task_gold_score (TallyTask *task,
                                guint      seat,
                                guint     *correct,
                                guint     *total);
/* TRUE when that score is under the task's minimum, as finalize decides:
 * every label of the seat then counts as wrong. FALSE whenever there is no
 * score. */
gboolean tally_task_gold_failed (TallyTask *task,
                                 guint      seat);
/* The gold items the seat missed (TallyTaskGoldMiss), by index; NULL
 * when there is no score. */
GArray *tally_task_gold_missed (TallyTask *task,
                                guint      seat) G_GNUC_WARN_UNUSED_RESULT;

/* A requester's gold file: a JSON object of item id (the manifest's) to
 * class, a class name (any case) or its number from 1. It names at least
 * one item and not every one, so the gold stays hidden among the others.
 * Into *indices (guint16, increasing) and *labels (one byte each); a file
 * that breaks a rule is TALLY_CORE_ERROR_INVALID_ANNOTATION, one sentence
 * naming the item. */
gboolean tally_task_gold_parse (TallyManifest *manifest,
                                const char    *text,
                                gsize          len,
                                GArray       **indices,
                                GBytes       **labels,
                                GError       **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
