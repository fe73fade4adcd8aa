/* tally-test-screenshot.h: render a widget to PNG for the UI tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void        tally_test_wait_for_frame (GtkWidget *widget);
void        tally_test_wait_until (gboolean (*condition) (gpointer data),
                                   gpointer data);
GdkTexture *tally_test_screenshot (GtkWidget  *widget,
                                   const char *name);
void        tally_test_assert_not_blank (GdkTexture *texture);

G_END_DECLS
