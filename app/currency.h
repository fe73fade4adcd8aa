/* currency.h: the fiat currencies money can be shown in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *code;         /* lowercase ISO 4217, as price APIs spell it */
  const char *symbol;       /* shown before or after the amount, by the locale */
  const char *name;         /* untranslated; pass through gettext to show */
  guint       minor_digits; /* 2 for cents, 0 for yen */
} TallyCurrency;

const TallyCurrency *tally_currency_list (gsize *n_currencies);
const TallyCurrency *tally_currency_lookup (const char *code);

G_END_DECLS
