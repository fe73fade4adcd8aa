/* tally-cli.c: Tally's headless front end
 *
 * Scripts, the demo network and checks drive Tally through this command, so
 * its commands, output and exit codes are a stable interface: 0 on success,
 * 1 when an operation fails, 2 when the command line itself is wrong.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-cli"

#include "config.h"

#include <locale.h>
#include <stdlib.h>

#include <glib/gi18n-lib.h>
#include <gio/gio.h>

enum
{
  EXIT_USAGE = 2,
};

static gboolean opt_version;

static const GOptionEntry entries[] = {
  { "version", 'V', 0, G_OPTION_ARG_NONE, &opt_version, N_ ("Print the version and exit"), NULL },
  { NULL }
};

static GOptionContext *
make_context (void)
{
  GOptionContext *context = g_option_context_new (_ ("COMMAND [ARGUMENT…]"));

  g_option_context_set_summary (
    context, _ ("Tally’s command-line front end: a wallet, the labeling market and the local "
                "demo network,\nfor scripts and for people who prefer a terminal."));
  g_option_context_set_description (
    context, _ ("Commands are listed by “tally-cli --help” as they become available.\n"
                "Exit status: 0 on success, 1 when an operation fails, 2 on a usage error."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_strict_posix (context, TRUE);

  return context;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = make_context ();
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("tally-cli: %s\n", error->message);
      return EXIT_USAGE;
    }

  if (opt_version)
    {
      g_print ("tally-cli %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  if (argc < 2)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_printerr ("%s", help);
      return EXIT_USAGE;
    }

  g_printerr (_ ("tally-cli: unknown command “%s”. Run “tally-cli --help” for usage.\n"), argv[1]);
  return EXIT_USAGE;
}
