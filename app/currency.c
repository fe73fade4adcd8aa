/* currency.c: the fiat currencies money can be shown in
 *
 * The list matches the choices of the fiat-currency settings key; a test
 * holds the two together.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "currency.h"

static const TallyCurrency currencies[] = {
  { "usd", "$", N_ ("US Dollar"), 2 },
  { "eur", "€", N_ ("Euro"), 2 },
  { "gbp", "£", N_ ("British Pound"), 2 },
  { "jpy", "¥", N_ ("Japanese Yen"), 0 },
  { "inr", "₹", N_ ("Indian Rupee"), 2 },
  { "brl", "R$", N_ ("Brazilian Real"), 2 },
};

const TallyCurrency *
tally_currency_list (gsize *n_currencies)
{
  g_return_val_if_fail (n_currencies != NULL, NULL);

  *n_currencies = G_N_ELEMENTS (currencies);
  return currencies;
}

const TallyCurrency *
tally_currency_lookup (const char *code)
{
  if (code == NULL)
    return NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (currencies); i++)
    if (g_ascii_strcasecmp (currencies[i].code, code) == 0)
      return &currencies[i];

  return NULL;
}
