/* cli-bot-truth.h: the truth file of tally-cli bot
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "task.h"

G_BEGIN_DECLS

typedef struct
{
  GBytes     *labels; /* for every task of its length, or NULL */
  GHashTable *tasks;  /* decimal task id -> GBytes */
} TallyBotTruth;

void tally_bot_truth_clear (TallyBotTruth *truth);

/* {"labels": [...]} and/or {"tasks": {"ID": [...]}}; G_OPTION_ERROR for a
 * file that is not that. */
gboolean tally_bot_truth_load (TallyBotTruth *truth,
                               const char    *path,
                               GError       **error) G_GNUC_WARN_UNUSED_RESULT;

/* The truth of task when it fits its items and classes, or NULL. */
GBytes *tally_bot_truth_for (TallyBotTruth *truth,
                             TallyTask     *task);

G_END_DECLS
