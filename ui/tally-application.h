/* tally-application.h: the Tally application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "tally-settings.h"

G_BEGIN_DECLS

#define TALLY_TYPE_APPLICATION (tally_application_get_type ())

G_DECLARE_FINAL_TYPE (TallyApplication, tally_application, TALLY, APPLICATION, AdwApplication)

TallyApplication *tally_application_new (const char       *application_id,
                                         GApplicationFlags flags);
TallySettings    *tally_application_get_settings (TallyApplication *self);

G_END_DECLS
