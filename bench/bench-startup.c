/* bench-startup.c: how long Tally takes from process start to the first
 * painted frame of its main window, and how much memory that costs.
 *
 * Prints figures; it is not a pass/fail test. Run it under a display:
 *   xvfb-run -a build/bench/bench-startup [--runs N]
 * Each run is a fresh process (a warm start in-process would flatter us).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tally-application.h"
#include "tally-window.h"

static double
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static gboolean painted;

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  painted = TRUE;
}

static void
window_mapped_cb (GtkWidget *window,
                  gpointer   user_data)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (after_paint_cb), NULL);
}

/* One measured start, in a child process so every run is cold for GTK. */
static int
child_run (int write_fd)
{
  g_autoptr (TallyApplication) app = NULL;
  TallyWindow  *window;
  struct rusage usage;
  double        start = now_ms (), first_frame;
  char          line[128];
  int           len;

  gtk_init ();
  adw_init ();
  app = tally_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, NULL))
    return 1;

  window = tally_window_new (app);
  g_signal_connect (window, "map", G_CALLBACK (window_mapped_cb), NULL);
  gtk_window_present (GTK_WINDOW (window));
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  first_frame = now_ms () - start;

  getrusage (RUSAGE_SELF, &usage);
  len = g_snprintf (line, sizeof line, "%.1f %ld\n", first_frame, usage.ru_maxrss);
  if (write (write_fd, line, len) != len)
    return 1;

  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

int
main (int   argc,
      char *argv[])
{
  int runs = 10;
  g_autoptr (GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  long max_rss_kib = 0;

  if (argc == 3 && g_str_equal (argv[1], "--runs"))
    runs = MAX (1, atoi (argv[2]));

  for (int i = 0; i < runs; i++)
    {
      int    fds[2];
      pid_t  pid;
      char   buffer[128] = { 0 };
      double ms;
      long   rss;
      int    status;

      if (pipe (fds) != 0)
        return 1;
      pid = fork ();
      if (pid == 0)
        {
          close (fds[0]);
          _exit (child_run (fds[1]));
        }
      close (fds[1]);
      if (read (fds[0], buffer, sizeof buffer - 1) <= 0 ||
          sscanf (buffer, "%lf %ld", &ms, &rss) != 2)
        {
          g_printerr ("bench-startup: run %d failed (is there a display?)\n", i + 1);
          return 1;
        }
      close (fds[0]);
      waitpid (pid, &status, 0);

      g_array_append_val (times, ms);
      max_rss_kib = MAX (max_rss_kib, rss);
    }

  g_array_sort (times, compare_doubles);
  g_print ("startup to first frame (%d cold runs): median %.1f ms, min %.1f ms, max %.1f ms\n",
           runs, g_array_index (times, double, runs / 2), g_array_index (times, double, 0),
           g_array_index (times, double, runs - 1));
  g_print ("peak resident memory after first frame: %.1f MiB\n", max_rss_kib / 1024.0);

  return 0;
}
