/* test-json.c: the strict JSON reader (wallet/json.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "wallet/tally-wallet.h"

static TallyJsonNode *
parse_ok (const char *text,
          gssize      len)
{
  TallyJsonNode *root = NULL;
  g_autoptr (GError) error = NULL;

  if (!tally_json_parse (&root, text, len < 0 ? strlen (text) : (gsize) len, &error))
    g_error ("“%s” did not parse: %s", text, error->message);
  g_assert_no_error (error);
  g_assert_nonnull (root);
  return root;
}

/* Returns the error message, which must carry a position. */
static char *
parse_fail (const char *text,
            gssize      len)
{
  g_autoptr (TallyJsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  gboolean ok;

  ok = tally_json_parse (&root, text, len < 0 ? strlen (text) : (gsize) len, &error);
  if (ok)
    g_error ("“%s” parsed but must not", text);
  g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
  g_assert_null (root);
  return g_strdup (error->message);
}

/* The examples of RFC 8259 §13. */
static void
test_rfc8259_examples (void)
{
  static const char image[] =
    "{\n"
    "  \"Image\": {\n"
    "    \"Width\":  800,\n"
    "    \"Height\": 600,\n"
    "    \"Title\":  \"View from 15th Floor\",\n"
    "    \"Thumbnail\": {\n"
    "      \"Url\":    \"http://www.example.com/image/481989943\",\n"
    "      \"Height\": 125,\n"
    "      \"Width\":  100\n"
    "    },\n"
    "    \"Animated\" : false,\n"
    "    \"IDs\": [116, 943, 234, 38793]\n"
    "  }\n"
    "}";
  static const char places[] =
    "[\n"
    "  {\n"
    "     \"precision\": \"zip\",\n"
    "     \"Latitude\":  37.7668,\n"
    "     \"Longitude\": -122.3959,\n"
    "     \"Address\":   \"\",\n"
    "     \"City\":      \"SAN FRANCISCO\",\n"
    "     \"State\":     \"CA\",\n"
    "     \"Zip\":       \"94107\",\n"
    "     \"Country\":   \"US\"\n"
    "  },\n"
    "  {\n"
    "     \"precision\": \"zip\",\n"
    "     \"Latitude\":  37.371991,\n"
    "     \"Longitude\": -122.026020,\n"
    "     \"Address\":   \"\",\n"
    "     \"City\":      \"SUNNYVALE\",\n"
    "     \"State\":     \"CA\",\n"
    "     \"Zip\":       \"94085\",\n"
    "     \"Country\":   \"US\"\n"
    "  }\n"
    "]";
  g_autoptr (TallyJsonNode) root = parse_ok (image, -1);
  g_autoptr (TallyJsonNode) list = parse_ok (places, -1);
  const TallyJsonNode *img = tally_json_node_lookup (root, "Image");
  const TallyJsonNode *ids;
  const TallyJsonNode *second;

  g_assert_cmpint (tally_json_node_get_kind (root), ==, TALLY_JSON_OBJECT);
  g_assert_cmpuint (tally_json_node_get_size (root), ==, 1);
  g_assert_nonnull (img);
  g_assert_cmpuint (tally_json_node_get_size (img), ==, 6);
  g_assert_cmpstr (tally_json_node_get_member_name (img, 0), ==, "Width");
  g_assert_cmpstr (tally_json_node_get_member_name (img, 5), ==, "IDs");
  g_assert_cmpstr (tally_json_node_get_number_text (tally_json_node_lookup (img, "Height")), ==,
                   "600");
  g_assert_cmpstr (tally_json_node_get_string (tally_json_node_lookup (img, "Title"), NULL), ==,
                   "View from 15th Floor");
  g_assert_false (tally_json_node_get_boolean (tally_json_node_lookup (img, "Animated")));
  g_assert_cmpstr (tally_json_node_get_string (tally_json_node_lookup (
                                                 tally_json_node_lookup (img, "Thumbnail"), "Url"),
                                               NULL),
                   ==, "http://www.example.com/image/481989943");
  ids = tally_json_node_lookup (img, "IDs");
  g_assert_cmpuint (tally_json_node_get_length (ids), ==, 4);
  g_assert_cmpstr (tally_json_node_get_number_text (tally_json_node_get_element (ids, 3)), ==,
                   "38793");
  g_assert_null (tally_json_node_lookup (img, "width"));

  g_assert_cmpuint (tally_json_node_get_length (list), ==, 2);
  second = tally_json_node_get_element (list, 1);
  /* Numbers stay as written: no rounding, the trailing zero is kept. */
  g_assert_cmpstr (tally_json_node_get_number_text (tally_json_node_lookup (second, "Longitude")),
                   ==, "-122.026020");
  g_assert_cmpstr (tally_json_node_get_string (tally_json_node_lookup (second, "Address"), NULL),
                   ==, "");
}

static void
test_scalars (void)
{
  static const struct
  {
    const char   *text;
    TallyJsonKind kind;
    const char   *value; /* number text or string */
  } cases[] = {
    { "null", TALLY_JSON_NULL, NULL },
    { " true ", TALLY_JSON_BOOLEAN, "true" },
    { "\n\r\tfalse", TALLY_JSON_BOOLEAN, "false" },
    { "0", TALLY_JSON_NUMBER, "0" },
    { "-0", TALLY_JSON_NUMBER, "-0" },
    { "-0.0e-0", TALLY_JSON_NUMBER, "-0.0e-0" },
    { "1E+2", TALLY_JSON_NUMBER, "1E+2" },
    { "123.456e78", TALLY_JSON_NUMBER, "123.456e78" },
    /* Bigger than any double holds exactly, bigger than 2^256: verbatim. */
    { "115792089237316195423570985008687907853269984665640564039457584007913129639936",
      TALLY_JSON_NUMBER,
      "115792089237316195423570985008687907853269984665640564039457584007913129639936" },
    { "1e99999", TALLY_JSON_NUMBER, "1e99999" },
    { "\"\"", TALLY_JSON_STRING, "" },
    { "\"a/b\\/c\"", TALLY_JSON_STRING, "a/b/c" },
    { "\"\\\"\\\\\\b\\f\\n\\r\\t\"", TALLY_JSON_STRING, "\"\\\b\f\n\r\t" },
    { "\"\\u0041\\u00e9\\u20AC\"", TALLY_JSON_STRING, "Aé€" },
    /* U+1D11E MUSICAL SYMBOL G CLEF, as a surrogate pair and raw. */
    { "\"\\uD834\\uDD1E\"", TALLY_JSON_STRING, "\xf0\x9d\x84\x9e" },
    { "\"\xf0\x9d\x84\x9e\"", TALLY_JSON_STRING, "\xf0\x9d\x84\x9e" },
    { "\"\\uDBFF\\uDFFF\"", TALLY_JSON_STRING, "\xf4\x8f\xbf\xbf" },
    { "\"\xef\xbf\xbf\"", TALLY_JSON_STRING, "\xef\xbf\xbf" },
    { "\"\x7f\"", TALLY_JSON_STRING, "\x7f" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (TallyJsonNode) root = parse_ok (cases[i].text, -1);

      g_assert_cmpint (tally_json_node_get_kind (root), ==, cases[i].kind);
      if (cases[i].kind == TALLY_JSON_BOOLEAN)
        g_assert_cmpint (tally_json_node_get_boolean (root), ==,
                         strcmp (cases[i].value, "true") == 0);
      else if (cases[i].kind == TALLY_JSON_NUMBER)
        g_assert_cmpstr (tally_json_node_get_number_text (root), ==, cases[i].value);
      else if (cases[i].kind == TALLY_JSON_STRING)
        {
          gsize len = 99;

          g_assert_cmpstr (tally_json_node_get_string (root, &len), ==, cases[i].value);
          g_assert_cmpuint (len, ==, strlen (cases[i].value));
        }
    }
}

/* Edge cases RFC 8259 allows (JSONTestSuite's y_ files in spirit). */
static void
test_accepts (void)
{
  static const char *const inputs[] = {
    "[]",
    "{}",
    " \t\r\n[ ]\n",
    "[[[[[]]]]]",
    "{\"\": 0}",
    "{\"a\": {}, \"b\": []}",
    "[-0, 0e0, 0E+1, 0.0, -1.5e-7, 1E22]",
    "[\"\\u0000\"]",
    "[\"\\uffff\\uFFFE\"]",
    "[\"\xe2\x80\xa8\xe2\x80\xa9\"]", /* U+2028 and U+2029 need no escape */
    "[null, true, false]",
    "\"\"",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    tally_json_node_free (parse_ok (inputs[i], -1));
}

static void
test_string_with_nul (void)
{
  g_autoptr (TallyJsonNode) root = parse_ok ("[\"a\\u0000b\"]", -1);
  const char      *s;
  gsize            len = 0;
  g_autofree char *message = NULL;

  s = tally_json_node_get_string (tally_json_node_get_element (root, 0), &len);
  g_assert_cmpmem (s, len, "a\0b", 3);
  g_assert_cmpuint (strlen (s), ==, 1);

  /* A name with U+0000 would be looked up as a shorter one: refused. */
  message = parse_fail ("{\"a\\u0000b\": 1}", -1);
  g_assert_nonnull (strstr (message, "U+0000"));
}

static void
test_rejects (void)
{
  static const char *const inputs[] = {
    "",
    "   ",
    "[1,]",
    "{\"a\":1,}",
    "[,1]",
    "[1,,2]",
    "[1 2]",
    "{\"a\" 1}",
    "{\"a\":}",
    "{a:1}",
    "{'a':1}",
    "{1:1}",
    "['a']",
    "01",
    "-01",
    "00",
    "1.",
    ".1",
    "-",
    "+1",
    "1e",
    "1e+",
    "1.e3",
    "0x10",
    "Infinity",
    "-Infinity",
    "NaN",
    "tru",
    "True",
    "nul",
    "null null",
    "[1] x",
    "[",
    "]",
    "{",
    "{\"a\":1",
    "\"abc",
    "\"\\x41\"",
    "\"\\a\"",
    "\"\\u12\"",
    "\"\\u12G4\"",
    "\"\\U0041\"",
    "\"\\\"",
    "\"tab\there\"",
    "\"line\nbreak\"",
    "\"\x01\"",
    "\"\\uD800\"",
    "\"\\uD800x\"",
    "\"\\uD800\\u0041\"",
    "\"\\uDC00\"",
    "\"\\uDD1E\\uD834\"",
    "\"\xff\"",
    "\"\xc0\xaf\"",         /* overlong "/" */
    "\"\xe0\x80\xaf\"",     /* overlong "/" */
    "\"\xed\xa0\x80\"",     /* a surrogate encoded in UTF-8 */
    "\"\xf4\x90\x80\x80\"", /* above U+10FFFF */
    "\"\xe2\x82\"",         /* truncated */
    "\"\x80\"",
    "\xef\xbb\xbf{}", /* byte order mark */
    "[1]\x0c",        /* form feed is not JSON whitespace */
    "/* comment */ 1",
    "{\"a\":1 // comment\n}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autofree char *message = parse_fail (inputs[i], -1);

      g_assert_nonnull (strstr (message, "line "));
      g_assert_nonnull (strstr (message, "column "));
    }
}

static void
test_duplicate_members (void)
{
  g_autofree char *small = parse_fail ("{\"to\": \"0x01\", \"to\": \"0x02\"}", -1);
  GString         *big = g_string_new ("{");
  g_autofree char *big_message = NULL;
  g_autofree char *escaped = NULL;
  g_autoptr (TallyJsonNode) nested = NULL;

  g_assert_nonnull (strstr (small, "“to” appears twice"));
  g_assert_nonnull (strstr (small, "column 16"));

  /* Past the size where objects get a hash index. */
  for (guint i = 0; i < 40; i++)
    g_string_append_printf (big, "\"k%u\": %u, ", i, i);
  g_string_append (big, "\"k17\": 0}");
  big_message = parse_fail (big->str, -1);
  g_assert_nonnull (strstr (big_message, "“k17” appears twice"));
  g_string_free (big, TRUE);

  /* The same name spelled with an escape is the same name. */
  escaped = parse_fail ("{\"a\": 1, \"\\u0061\": 2}", -1);
  g_assert_nonnull (strstr (escaped, "appears twice"));

  /* The same name in different objects is fine. */
  nested = parse_ok ("{\"a\": {\"a\": 1}, \"b\": {\"a\": 2}}", -1);
}

static void
test_large_object_lookup (void)
{
  GString *text = g_string_new ("{");
  g_autoptr (TallyJsonNode) root = NULL;

  for (guint i = 0; i < 1000; i++)
    g_string_append_printf (text, "%s\"m%u\": %u", i == 0 ? "" : ", ", i, i * 7);
  g_string_append_c (text, '}');
  root = parse_ok (text->str, text->len);
  g_string_free (text, TRUE);

  g_assert_cmpuint (tally_json_node_get_size (root), ==, 1000);
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *name = g_strdup_printf ("m%u", i);
      g_autofree char *value = g_strdup_printf ("%u", i * 7);

      g_assert_cmpstr (tally_json_node_get_member_name (root, i), ==, name);
      g_assert_cmpstr (tally_json_node_get_number_text (tally_json_node_lookup (root, name)), ==,
                       value);
    }
  g_assert_null (tally_json_node_lookup (root, "m1000"));
}

static void
test_depth (void)
{
  GString         *ok = g_string_new (NULL);
  GString         *deep = g_string_new (NULL);
  g_autofree char *message = NULL;
  g_autoptr (TallyJsonNode) root = NULL;

  for (guint i = 0; i < TALLY_JSON_MAX_DEPTH; i++)
    g_string_append (ok, i % 2 ? "{\"x\":" : "[");
  g_string_append (ok, "0");
  for (guint i = TALLY_JSON_MAX_DEPTH; i > 0; i--)
    g_string_append (ok, (i - 1) % 2 ? "}" : "]");
  root = parse_ok (ok->str, ok->len);

  /* Far deeper than the limit: refused without using the stack for it. */
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  message = parse_fail (deep->str, deep->len);
  g_assert_nonnull (strstr (message, "nested"));
  g_assert_nonnull (strstr (message, "column 65"));

  g_string_free (ok, TRUE);
  g_string_free (deep, TRUE);
}

static void
test_error_positions (void)
{
  static const struct
  {
    const char *text;
    const char *where;
  } cases[] = {
    { "[1,]", "line 1, column 4" },
    { "{\n  \"a\": 01\n}", "line 2, column 9" },
    { "[\"é\", x]", "line 1, column 7" },
    { "\n\n   \"\\q\"", "line 3, column 5" },
    { "[\"ab\ncd\"]", "line 1, column 5" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *message = parse_fail (cases[i].text, -1);

      if (strstr (message, cases[i].where) == NULL)
        g_error ("“%s”: expected %s in “%s”", cases[i].text, cases[i].where, message);
    }
}

static void
test_explicit_length (void)
{
  g_autoptr (TallyJsonNode) root = parse_ok ("[1, 2] trailing garbage", 6);
  g_autofree char *nul = parse_fail ("[1]\0", 4);
  g_autofree char *cut = parse_fail ("\"abcdef\"", 4);

  g_assert_cmpuint (tally_json_node_get_length (root), ==, 2);
  g_assert_nonnull (strstr (nul, "line 1, column 4"));
  g_assert_nonnull (strstr (cut, "ends inside a string"));
}

static void
test_too_large (void)
{
  gsize            size = TALLY_JSON_MAX_SIZE + 1;
  g_autofree char *text = g_malloc (size);
  g_autofree char *message = NULL;

  memset (text, ' ', size);
  text[0] = '0';
  message = parse_fail (text, size);
  g_assert_nonnull (strstr (message, "too large"));
}

/* Builds random JSON, parses it, prints the tree and parses that again. */
static void
print_random (GString *out,
              guint    depth)
{
  guint kind = g_test_rand_int_range (0, depth > 4 ? 4 : 6);

  switch (kind)
    {
    case 0:
      g_string_append (out, g_test_rand_bit () ? "true" : "false");
      break;
    case 1:
      g_string_append_printf (out, "%s%u", g_test_rand_bit () ? "-" : "",
                              (guint) g_test_rand_int_range (0, G_MAXINT32));
      break;
    case 2:
      g_string_append (out, "null");
      break;
    case 3:
      g_string_append_c (out, '"');
      for (guint i = 0, n = g_test_rand_int_range (0, 8); i < n; i++)
        {
          gunichar c = g_test_rand_int_range (1, 0x3000);

          if (c >= 0xd800 && c <= 0xdfff)
            g_string_append (out, "\\uD83D\\uDE00"); /* U+1F600 as a surrogate pair */
          else if (c < 0x20 || c == '"' || c == '\\')
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_unichar (out, c);
        }
      g_string_append_c (out, '"');
      break;
    case 4:
      g_string_append_c (out, '[');
      for (guint i = 0, n = g_test_rand_int_range (0, 5); i < n; i++)
        {
          if (i > 0)
            g_string_append (out, ", ");
          print_random (out, depth + 1);
        }
      g_string_append_c (out, ']');
      break;
    default:
      g_string_append_c (out, '{');
      for (guint i = 0, n = g_test_rand_int_range (0, 5); i < n; i++)
        {
          g_string_append_printf (out, "%s\"n%u\":", i > 0 ? "," : "", i);
          print_random (out, depth + 1);
        }
      g_string_append_c (out, '}');
      break;
    }
}

static void
print_node (GString             *out,
            const TallyJsonNode *node)
{
  switch (tally_json_node_get_kind (node))
    {
    case TALLY_JSON_NULL:
      g_string_append (out, "null");
      break;
    case TALLY_JSON_BOOLEAN:
      g_string_append (out, tally_json_node_get_boolean (node) ? "true" : "false");
      break;
    case TALLY_JSON_NUMBER:
      g_string_append (out, tally_json_node_get_number_text (node));
      break;
    case TALLY_JSON_STRING:
      {
        const char *s = tally_json_node_get_string (node, NULL);

        g_string_append_c (out, '"');
        for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
          {
            gunichar c = g_utf8_get_char (p);

            if (c < 0x20 || c == '"' || c == '\\')
              g_string_append_printf (out, "\\u%04x", c);
            else
              g_string_append_unichar (out, c);
          }
        g_string_append_c (out, '"');
        break;
      }
    case TALLY_JSON_ARRAY:
      g_string_append_c (out, '[');
      for (guint i = 0; i < tally_json_node_get_length (node); i++)
        {
          if (i > 0)
            g_string_append (out, ", ");
          print_node (out, tally_json_node_get_element (node, i));
        }
      g_string_append_c (out, ']');
      break;
    case TALLY_JSON_OBJECT:
      g_string_append_c (out, '{');
      for (guint i = 0; i < tally_json_node_get_size (node); i++)
        {
          g_string_append_printf (out, "%s\"%s\":", i > 0 ? "," : "",
                                  tally_json_node_get_member_name (node, i));
          print_node (out, tally_json_node_get_member_value (node, i));
        }
      g_string_append_c (out, '}');
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
test_random_round_trip (void)
{
  for (guint round = 0; round < 300; round++)
    {
      g_autoptr (GString) text = g_string_new (NULL);
      g_autoptr (GString) again = g_string_new (NULL);
      g_autoptr (GString) third = g_string_new (NULL);
      g_autoptr (TallyJsonNode) root = NULL;
      g_autoptr (TallyJsonNode) root2 = NULL;

      print_random (text, 0);
      root = parse_ok (text->str, text->len);
      print_node (again, root);
      root2 = parse_ok (again->str, again->len);
      print_node (third, root2);
      /* Escapes are decoded on the first parse and printed raw: from then
       * on the text is a fixed point. */
      g_assert_cmpstr (again->str, ==, third->str);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/wallet/json/rfc8259-examples", test_rfc8259_examples);
  g_test_add_func ("/wallet/json/scalars", test_scalars);
  g_test_add_func ("/wallet/json/accepts", test_accepts);
  g_test_add_func ("/wallet/json/string-with-nul", test_string_with_nul);
  g_test_add_func ("/wallet/json/rejects", test_rejects);
  g_test_add_func ("/wallet/json/duplicate-members", test_duplicate_members);
  g_test_add_func ("/wallet/json/large-object-lookup", test_large_object_lookup);
  g_test_add_func ("/wallet/json/depth", test_depth);
  g_test_add_func ("/wallet/json/error-positions", test_error_positions);
  g_test_add_func ("/wallet/json/explicit-length", test_explicit_length);
  g_test_add_func ("/wallet/json/too-large", test_too_large);
  g_test_add_func ("/wallet/json/random-round-trip", test_random_round_trip);

  return g_test_run ();
}
