/* tally-window.h: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tally-application.h"

G_BEGIN_DECLS

#define TALLY_TYPE_WINDOW (tally_window_get_type ())

G_DECLARE_FINAL_TYPE (TallyWindow, tally_window, TALLY, WINDOW, AdwApplicationWindow)

TallyWindow *tally_window_new (TallyApplication *application);
const char  *tally_window_get_visible_page (TallyWindow *self);

G_END_DECLS
