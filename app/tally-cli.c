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
#include <stdarg.h>
#include <stdlib.h>

#include <glib/gi18n-lib.h>
#include <gio/gio.h>

#include "cli.h"

static const TallyCliCommand *command_tables[] = {
  tally_cli_wallet_commands,
  tally_cli_market_commands,
  tally_cli_task_commands,
  tally_cli_submit_commands,
  tally_cli_export_commands,
  tally_cli_bot_commands,
  tally_cli_dataset_commands,
  tally_cli_fetch_commands,
};

static gboolean opt_version;

static const GOptionEntry entries[] = {
  { "version", 'V', 0, G_OPTION_ARG_NONE, &opt_version, N_ ("Print the version and exit"), NULL },
  { NULL }
};

int
tally_cli_usage_error (const char *format,
                       ...)
{
  g_autofree char *message = NULL;
  va_list          args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* One line, so a script's log shows the whole reason. */
  g_strdelimit (message, "\n", ' ');
  g_printerr ("tally-cli: %s\n", message);
  return TALLY_CLI_EXIT_USAGE;
}

int
tally_cli_failure (const char *format,
                   ...)
{
  g_autofree char *message = NULL;
  va_list          args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_strdelimit (message, "\n", ' ');
  g_printerr ("tally-cli: %s\n", message);
  return TALLY_CLI_EXIT_FAILED;
}

int
tally_cli_parse_options (GOptionContext *context,
                         int            *argc,
                         char         ***argv)
{
  g_autoptr (GError) error = NULL;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    return tally_cli_usage_error ("%s", error->message);

  return TALLY_CLI_EXIT_OK;
}

/* A command is one or two words; returns how many of argv it matched. */
static const TallyCliCommand *
find_command (int    argc,
              char **argv,
              int   *words)
{
  for (gsize t = 0; t < G_N_ELEMENTS (command_tables); t++)
    for (const TallyCliCommand *command = command_tables[t]; command->name != NULL; command++)
      {
        g_auto (GStrv) name = g_strsplit (command->name, " ", 2);
        guint n = g_strv_length (name);

        if ((int) n <= argc && g_str_equal (name[0], argv[0]) &&
            (n == 1 || g_str_equal (name[1], argv[1])))
          {
            *words = (int) n;
            return command;
          }
      }

  return NULL;
}

static char *
describe_commands (void)
{
  GString *text = g_string_new (_ ("Commands:"));

  for (gsize t = 0; t < G_N_ELEMENTS (command_tables); t++)
    for (const TallyCliCommand *command = command_tables[t]; command->name != NULL; command++)
      {
        g_autofree char *usage = g_strdup_printf ("%s %s", command->name, command->parameters);

        g_string_append_printf (text, "\n  %-34s %s", usage, _ (command->summary));
      }

  g_string_append_c (text, '\n');
  g_string_append (text, _ ("Run “tally-cli COMMAND --help” for a command’s options.\n"
                            "Exit status: 0 on success, 1 when an operation fails, 2 on a usage error."));
  return g_string_free (text, FALSE);
}

static GOptionContext *
make_context (void)
{
  GOptionContext  *context = g_option_context_new (_ ("COMMAND [ARGUMENT…]"));
  g_autofree char *commands = describe_commands ();

  g_option_context_set_summary (
    context, _ ("Tally’s command-line front end: a wallet, the labeling market and the local "
                "demo network,\nfor scripts and for people who prefer a terminal."));
  g_option_context_set_description (context, commands);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, tally_cli_chain_get_options (), GETTEXT_PACKAGE);
  /* Options after the command belong to the command. */
  g_option_context_set_strict_posix (context, TRUE);

  return context;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  const TallyCliCommand *command;
  g_autofree char       *name = NULL;
  int                    words = 0;
  int                    status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = make_context ();
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return tally_cli_usage_error ("%s", error->message);

  if (opt_version)
    {
      g_print ("tally-cli %s\n", PACKAGE_VERSION);
      return TALLY_CLI_EXIT_OK;
    }

  if (argc < 2)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_printerr ("%s", help);
      return TALLY_CLI_EXIT_USAGE;
    }

  command = find_command (argc - 1, argv + 1, &words);
  if (command == NULL)
    return tally_cli_usage_error (_ ("unknown command “%s”. Run “tally-cli --help” for usage."),
                                  argv[1]);

  /* The command's --help reads "tally-cli NAME [OPTION…] …". */
  name = g_strdup_printf ("tally-cli %s", command->name);
  g_set_prgname (name);
  argv[words] = name;
  status = command->run (argc - words, argv + words);
  tally_cli_chain_free_options ();
  return status;
}
