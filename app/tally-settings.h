/* tally-settings.h: the user's preferences, as one object widgets bind to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  TALLY_COLOR_SCHEME_DEFAULT,
  TALLY_COLOR_SCHEME_LIGHT,
  TALLY_COLOR_SCHEME_DARK,
} TallyColorScheme;

#define TALLY_TYPE_SETTINGS (tally_settings_get_type ())

G_DECLARE_FINAL_TYPE (TallySettings, tally_settings, TALLY, SETTINGS, GObject)

TallySettings *tally_settings_new (GSettings *settings);
GSettings     *tally_settings_get_gsettings (TallySettings *self);

TallyColorScheme tally_settings_get_color_scheme (TallySettings *self);
void             tally_settings_set_color_scheme (TallySettings   *self,
                                                  TallyColorScheme scheme);
const char      *tally_settings_get_fiat_currency (TallySettings *self);
void             tally_settings_set_fiat_currency (TallySettings *self,
                                                   const char    *code);
const char      *tally_settings_get_network (TallySettings *self);
const char      *tally_settings_get_ipfs_gateway (TallySettings *self);
gboolean         tally_settings_get_run_in_background (TallySettings *self);
gboolean         tally_settings_get_deadline_notifications (TallySettings *self);

G_END_DECLS
