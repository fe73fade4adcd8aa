/* tally-test-screenshot.c: render a widget to PNG for the UI tests
 *
 * The picture is made in-process from the widget's own render nodes
 * (gtk_widget_paintable_new → gsk_renderer_render_texture), so it shows
 * exactly what GTK drew, without a window manager or screen grabber.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "tally-test-screenshot.h"

#define FRAME_TIMEOUT_SECONDS 10

static void
after_paint_cb (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

static gboolean
timeout_cb (gpointer data)
{
  g_error ("Timed out after %d s waiting for the UI", FRAME_TIMEOUT_SECONDS);
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until the widget's surface has painted a frame after
 * every change made so far. */
void
tally_test_wait_for_frame (GtkWidget *widget)
{
  GdkFrameClock *clock;
  gboolean       painted = FALSE;
  gulong         handler;
  guint          timeout;

  timeout = g_timeout_add_seconds (FRAME_TIMEOUT_SECONDS, timeout_cb, NULL);
  while (!gtk_widget_get_mapped (widget))
    g_main_context_iteration (NULL, TRUE);

  clock = gtk_widget_get_frame_clock (widget);
  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  gtk_widget_queue_draw (widget);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);
  g_source_remove (timeout);
}

void
tally_test_wait_until (gboolean (*condition) (gpointer data),
                       gpointer data)
{
  guint timeout = g_timeout_add_seconds (FRAME_TIMEOUT_SECONDS, timeout_cb, NULL);

  while (!condition (data))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
}

static char *
screenshot_dir (void)
{
  const char *build_dir = g_getenv ("TALLY_BUILD_DIR");
  char       *dir;

  dir = g_build_filename (build_dir != NULL ? build_dir : ".", "tests", "screenshots", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  return dir;
}

GdkTexture *
tally_test_screenshot (GtkWidget  *widget,
                       const char *name)
{
  g_autoptr (GdkPaintable) paintable = NULL;
  g_autoptr (GskRenderNode) node = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  GtkSnapshot     *snapshot;
  GskRenderer     *renderer;
  GdkTexture      *texture;
  graphene_rect_t  bounds;
  int              width, height;

  tally_test_wait_for_frame (widget);

  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  graphene_rect_init (&bounds, 0, 0, width, height);
  texture = gsk_renderer_render_texture (renderer, node, &bounds);

  dir = screenshot_dir ();
  file = g_strconcat (name, ".png", NULL);
  path = g_build_filename (dir, file, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Screenshot: %s", path);

  return texture;
}

/* A blank or failed render is one flat colour; a real window has text,
 * icons and edges, so many colours, and much of it differs from the
 * background. */
void
tally_test_assert_not_blank (GdkTexture *texture)
{
  int                width = gdk_texture_get_width (texture);
  int                height = gdk_texture_get_height (texture);
  gsize              stride = (gsize) width * 4;
  g_autofree guint8 *pixels = g_malloc (stride * height);
  g_autoptr (GHashTable) colours = g_hash_table_new (NULL, NULL);
  guint32 background;
  gsize   differing = 0;

  gdk_texture_download (texture, pixels, stride);
  memcpy (&background, pixels, sizeof background);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 pixel;

        memcpy (&pixel, pixels + y * stride + x * 4, sizeof pixel);

        g_hash_table_add (colours, GUINT_TO_POINTER (pixel));
        if (pixel != background)
          differing++;
      }

  g_test_message ("%d×%d, %u colours, %.1f%% differs from the first pixel", width, height,
                  g_hash_table_size (colours), 100.0 * differing / ((gsize) width * height));
  g_assert_cmpuint (g_hash_table_size (colours), >, 64);
  g_assert_cmpuint (differing, >, (gsize) width * height / 100);
}
