/* tally-preferences-window.h: the Preferences window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tally-settings.h"

G_BEGIN_DECLS

#define TALLY_TYPE_PREFERENCES_WINDOW (tally_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (TallyPreferencesWindow,
                      tally_preferences_window,
                      TALLY,
                      PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

TallyPreferencesWindow *tally_preferences_window_new (TallySettings *settings);

G_END_DECLS
