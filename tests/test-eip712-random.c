/* test-eip712-random.c: random EIP-712 typed data (wallet/eip712.c),
 * every document signed as Foundry's cast signs it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "tally-test-util.h"
#include "wallet/tally-wallet.h"

/* Random typed data: struct i may hold struct j > i (so every value is
 * finite), and struct i holds struct i + 1, so every type is used. */
typedef struct
{
  char *name;
  char *base; /* atom or struct name */
  char *type; /* base with array suffixes */
} Field;

typedef struct
{
  char   *name;
  GArray *fields;
} Struct;

static void
field_clear (gpointer data)
{
  Field *field = data;

  g_free (field->name);
  g_free (field->base);
  g_free (field->type);
}

static char *
random_atom (void)
{
  switch (g_test_rand_int_range (0, 7))
    {
    case 0:
      return g_strdup_printf ("uint%d", 8 * g_test_rand_int_range (1, 33));
    case 1:
      return g_strdup_printf ("int%d", 8 * g_test_rand_int_range (1, 33));
    case 2:
      return g_strdup ("address");
    case 3:
      return g_strdup ("bool");
    case 4:
      return g_strdup_printf ("bytes%d", g_test_rand_int_range (1, 33));
    case 5:
      return g_strdup ("bytes");
    default:
      return g_strdup ("string");
    }
}

static void
random_hex (GString *out,
            guint    n)
{
  g_string_append (out, "\"0x");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (out, "%02x", g_test_rand_int_range (0, 256));
  g_string_append_c (out, '"');
}

/* An integer of at most bits bits (one fewer for int), in one of the
 * spellings a dapp may use. */
static void
random_integer (GString *out,
                guint    bits,
                gboolean is_signed)
{
  guint8           word[32] = { 0 };
  guint            n = bits / 8;
  TallyUint256     value;
  guint64          small;
  gboolean         negative = is_signed && g_test_rand_bit ();
  g_autofree char *text = NULL;

  if (g_test_rand_bit ())
    word[31] = (guint8) g_test_rand_int_range (0, 128);
  else
    for (guint i = 32 - n; i < 32; i++)
      word[i] = (guint8) g_test_rand_int_range (0, 256);
  if (is_signed)
    word[32 - n] &= 0x7f;
  tally_uint256_from_bytes32 (&value, word);

  if (tally_uint256_to_uint64 (&small, &value) && small < (G_GUINT64_CONSTANT (1) << 53) &&
      g_test_rand_bit ())
    g_string_append_printf (out, "%s%" G_GUINT64_FORMAT, negative ? "-" : "", small);
  else if (!negative && g_test_rand_bit ())
    {
      text = tally_uint256_to_hex (&value);
      g_string_append_printf (out, "\"%s\"", text);
    }
  else
    {
      text = tally_uint256_to_decimal (&value);
      g_string_append_printf (out, "\"%s%s\"", negative ? "-" : "", text);
    }
}

static void
random_string (GString *out)
{
  static const char *const pieces[] = { "a", "Z", "9", " ", "é", "€", "😀", "\\n", "\\\"",
                                        "\\\\", "\\u00e9", "\\ud83d\\ude00", "label" };

  g_string_append_c (out, '"');
  for (int i = 0, n = g_test_rand_int_range (0, 12); i < n; i++)
    g_string_append (out, pieces[g_test_rand_int_range (0, G_N_ELEMENTS (pieces))]);
  g_string_append_c (out, '"');
}

static void random_value (GString    *out,
                          GPtrArray  *structs,
                          const char *type);

static void
random_struct_value (GString   *out,
                     GPtrArray *structs,
                     Struct    *s)
{
  g_string_append_c (out, '{');
  for (guint i = 0; i < s->fields->len; i++)
    {
      Field *field = &g_array_index (s->fields, Field, i);

      g_string_append_printf (out, "%s\"%s\": ", i > 0 ? ", " : "", field->name);
      random_value (out, structs, field->type);
    }
  g_string_append_c (out, '}');
}

static void
random_value (GString    *out,
              GPtrArray  *structs,
              const char *type)
{
  gsize len = strlen (type);
  int   n;

  if (type[len - 1] == ']')
    {
      const char      *open = strrchr (type, '[');
      g_autofree char *inner = g_strndup (type, open - type);

      n = open[1] == ']' ? g_test_rand_int_range (0, 4) : atoi (open + 1);
      g_string_append_c (out, '[');
      for (int i = 0; i < n; i++)
        {
          if (i > 0)
            g_string_append (out, ", ");
          random_value (out, structs, inner);
        }
      g_string_append_c (out, ']');
      return;
    }

  for (guint i = 0; i < structs->len; i++)
    {
      Struct *s = g_ptr_array_index (structs, i);

      if (strcmp (s->name, type) == 0)
        {
          random_struct_value (out, structs, s);
          return;
        }
    }

  if (g_str_has_prefix (type, "uint"))
    random_integer (out, atoi (type + 4), FALSE);
  else if (g_str_has_prefix (type, "int"))
    random_integer (out, atoi (type + 3), TRUE);
  else if (strcmp (type, "address") == 0)
    {
      TallyAddress     address;
      char             text[TALLY_ADDRESS_STRING_SIZE];
      g_autofree char *lower = NULL;

      for (guint i = 0; i < TALLY_ADDRESS_LEN; i++)
        address.bytes[i] = (guint8) g_test_rand_int_range (0, 256);
      tally_address_to_string (&address, text);
      lower = g_ascii_strdown (text, -1);
      g_string_append_printf (out, "\"%s\"", g_test_rand_bit () ? text : lower);
    }
  else if (strcmp (type, "bool") == 0)
    g_string_append (out, g_test_rand_bit () ? "true" : "false");
  else if (strcmp (type, "bytes") == 0)
    random_hex (out, g_test_rand_int_range (0, 40));
  else if (g_str_has_prefix (type, "bytes"))
    random_hex (out, atoi (type + 5));
  else
    random_string (out);
}

static void
struct_free (gpointer data)
{
  Struct *s = data;

  g_free (s->name);
  g_array_unref (s->fields);
  g_free (s);
}

static char *
random_document (void)
{
  static const char *const names[] = { "Mail", "Person", "Asset", "asset", "Zed", "Order",
                                       "Item_2", "permit", "B", "a" };
  static const struct
  {
    const char *name;
    const char *type;
  } domain_fields[] = {
    { "name", "string" },
    { "version", "string" },
    { "chainId", "uint256" },
    { "verifyingContract", "address" },
    { "salt", "bytes32" },
  };
  g_autoptr (GPtrArray) structs = g_ptr_array_new_with_free_func (struct_free);
  GString *out = g_string_new ("{\"types\": {\"EIP712Domain\": [");
  gboolean in_domain[G_N_ELEMENTS (domain_fields)];
  gboolean any = FALSE;
  guint    n_structs = g_test_rand_int_range (1, 5);
  gboolean used[G_N_ELEMENTS (names)] = { FALSE };

  for (guint i = 0; i < n_structs; i++)
    {
      Struct *s = g_new0 (Struct, 1);
      guint   pick;

      do
        pick = g_test_rand_int_range (0, G_N_ELEMENTS (names));
      while (used[pick]);
      used[pick] = TRUE;
      s->name = g_strdup (names[pick]);
      s->fields = g_array_new (FALSE, TRUE, sizeof (Field));
      g_array_set_clear_func (s->fields, field_clear);
      g_ptr_array_add (structs, s);
    }

  for (guint i = 0; i < n_structs; i++)
    {
      Struct *s = g_ptr_array_index (structs, i);

      for (int j = 0, n = g_test_rand_int_range (1, 6); j < n; j++)
        {
          Field    field;
          GString *type;
          gboolean child = i + 1 < n_structs && (j == 0 || g_test_rand_int_range (0, 4) == 0);

          field.name = g_strdup_printf ("%c%d", "abcdefghxyz"[g_test_rand_int_range (0, 11)], j);
          field.base = child ? g_strdup (((Struct *) g_ptr_array_index (
                                            structs, g_test_rand_int_range (i + 1, n_structs)))
                                           ->name)
                             : random_atom ();
          if (j == 0 && child)
            {
              g_free (field.base);
              field.base = g_strdup (((Struct *) g_ptr_array_index (structs, i + 1))->name);
            }
          type = g_string_new (field.base);
          for (int d = 0, dims = g_test_rand_int_range (0, 10) < 7 ? 0 : g_test_rand_int_range (1, 3);
               d < dims; d++)
            {
              if (g_test_rand_bit ())
                g_string_append (type, "[]");
              else
                g_string_append_printf (type, "[%d]", g_test_rand_int_range (1, 4));
            }
          field.type = g_string_free (type, FALSE);
          g_array_append_val (s->fields, field);
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (domain_fields); i++)
    any |= in_domain[i] = g_test_rand_bit ();
  if (!any)
    in_domain[2] = TRUE;
  any = FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (domain_fields); i++)
    if (in_domain[i])
      {
        g_string_append_printf (out, "%s{\"name\": \"%s\", \"type\": \"%s\"}", any ? ", " : "",
                                domain_fields[i].name, domain_fields[i].type);
        any = TRUE;
      }
  g_string_append (out, "]");

  for (guint i = 0; i < n_structs; i++)
    {
      Struct *s = g_ptr_array_index (structs, i);

      g_string_append_printf (out, ",\n \"%s\": [", s->name);
      for (guint j = 0; j < s->fields->len; j++)
        {
          Field *field = &g_array_index (s->fields, Field, j);

          g_string_append_printf (out, "%s{\"name\": \"%s\", \"type\": \"%s\"}", j > 0 ? ", " : "",
                                  field->name, field->type);
        }
      g_string_append_c (out, ']');
    }

  g_string_append_printf (out, "},\n \"primaryType\": \"%s\",\n \"domain\": {",
                          ((Struct *) g_ptr_array_index (structs, 0))->name);
  any = FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (domain_fields); i++)
    if (in_domain[i])
      {
        g_string_append_printf (out, "%s\"%s\": ", any ? ", " : "", domain_fields[i].name);
        if (i == 2)
          g_string_append_printf (out, "%d", g_test_rand_int_range (1, 1000000));
        else
          random_value (out, structs, domain_fields[i].type);
        any = TRUE;
      }
  g_string_append (out, "},\n \"message\": ");
  random_struct_value (out, structs, g_ptr_array_index (structs, 0));
  g_string_append (out, "}\n");
  return g_string_free (out, FALSE);
}

static void
test_cast_random (void)
{
  g_autofree char *cast = tally_test_find_cast ();
  guint            checked = 0;

  if (cast == NULL)
    return;

  /* cast starts in about 70 ms: a batch of them runs side by side. */
  for (guint batch = 0; batch < 6; batch++)
    {
      struct
      {
        char        *document;
        char        *path;
        char        *ours;
        GSubprocess *process;
      } jobs[10];

      for (guint k = 0; k < G_N_ELEMENTS (jobs); k++)
        {
          g_autofree char *key_hex = NULL;
          g_autoptr (TallyJsonNode) root = NULL;
          g_autoptr (GError) error = NULL;
          guint8 key[TALLY_PRIVATE_KEY_LEN];
          guint8 signature[TALLY_SIGNATURE_LEN];
          int    fd;

          do
            tally_test_random_bytes (key, sizeof key);
          while (!tally_private_key_verify (key, NULL));
          key_hex = tally_hex_encode (key, sizeof key);

          jobs[k].document = random_document ();
          if (!tally_json_parse (&root, jobs[k].document, strlen (jobs[k].document), &error) ||
              !tally_eip712_sign (signature, key, root, &error))
            g_error ("%s\n%s", error->message, jobs[k].document);
          jobs[k].ours = tally_hex_encode (signature, sizeof signature);

          fd = g_file_open_tmp ("tally-eip712-XXXXXX.json", &jobs[k].path, &error);
          g_assert_no_error (error);
          close (fd);
          g_assert_true (g_file_set_contents (jobs[k].path, jobs[k].document, -1, &error));
          jobs[k].process = g_subprocess_new (
            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error, cast, "wallet",
            "sign", "--private-key", key_hex, "--data", "--from-file", jobs[k].path, NULL);
          g_assert_no_error (error);
        }

      for (guint k = 0; k < G_N_ELEMENTS (jobs); k++)
        {
          g_autofree char *out = NULL;
          g_autofree char *err = NULL;
          g_autoptr (GError) error = NULL;

          g_assert_true (g_subprocess_communicate_utf8 (jobs[k].process, NULL, NULL, &out, &err,
                                                        &error));
          g_assert_no_error (error);
          g_unlink (jobs[k].path);
          if (!g_subprocess_get_successful (jobs[k].process))
            g_error ("cast failed: %s\n%s", err, jobs[k].document);
          g_strstrip (out);
          if (strcmp (out, jobs[k].ours) != 0)
            g_error ("cast signs %s, we sign %s\n%s", out, jobs[k].ours, jobs[k].document);
          checked++;
          g_object_unref (jobs[k].process);
          g_free (jobs[k].document);
          g_free (jobs[k].path);
          g_free (jobs[k].ours);
        }
    }
  g_test_message ("%u random typed-data documents signed as cast signs them", checked);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wallet/eip712/cast-random", test_cast_random);

  return g_test_run ();
}
