/* test-export.c: COCO, YOLO, JSON Lines and CSV exports, read back
 *
 * Each export is written to a temporary directory and parsed again the way
 * a consumer would: json-glib for COCO and JSONL, a line pattern and the
 * normalisation arithmetic for YOLO, an RFC 4180 reader for CSV. The YOLO
 * and JSONL checks run again under de_DE.UTF-8, whose decimal comma must
 * not leak into the files.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "annotations.h"
#include "core-error.h"
#include "export.h"

#define assert_ok(call)               \
  G_STMT_START                        \
  {                                   \
    g_autoptr (GError) _error = NULL; \
    gboolean _ok = (call);            \
    g_assert_no_error (_error);       \
    g_assert_true (_ok);              \
  }                                   \
  G_STMT_END

/* Names a CSV or JSON writer could get wrong. */
static const char *const class_names[] = {
  "cat",
  "dog, small",
  "say \"woof\"",
  "two\nlines",
  "Straße ✓",
  NULL,
};

/* classes.txt holds a name a line: no line breaks there. */
static const char *const yolo_names[] = {
  "cat",
  "dog, small",
  "say \"woof\"",
  "bird",
  "Straße ✓",
  NULL,
};

#define N_ITEMS 4

/* Item 0: an image with two boxes and a label; 1: an image, skipped; 2: a
 * text with spans, flagged; 3: an image whose id needs CSV quoting, no
 * boxes. */
static const TallyExportItem items[N_ITEMS] = {
  { "img-001", "images/img-001.jpg", TALLY_EXPORT_ITEM_IMAGE, 640, 480, NULL },
  { "img-002", "images/img-002.png", TALLY_EXPORT_ITEM_IMAGE, 100, 50, NULL },
  { "txt-1", "texts/txt-1.txt", TALLY_EXPORT_ITEM_TEXT, 0, 0, "Zoë wohnt in Köln, am Rhein." },
  { "img,\"3\"", "images/img-3.jpg", TALLY_EXPORT_ITEM_IMAGE, 33, 77, NULL },
};

static const TallyBox boxes0[] = {
  { 1, 10, 20, 100, 50 },
  { 5, 0, 0, 640, 480 },
};

static TallyAnnotations *
sample_annotations (void)
{
  TallyAnnotations *annotations = tally_annotations_new (N_ITEMS, 5);
  TallySpan         place = { 4, 13, 17 }; /* "Köln" */
  TallySpan         person = { 2, 0, 3 };  /* "Zoë" */

  assert_ok (tally_annotations_set_label (annotations, 0, 3, &_error));
  for (guint i = 0; i < G_N_ELEMENTS (boxes0); i++)
    assert_ok (tally_annotations_add_box (annotations, 0, &boxes0[i], NULL, &_error));
  assert_ok (tally_annotations_set_skipped (annotations, 1, TRUE, &_error));
  assert_ok (tally_annotations_set_label (annotations, 2, 4, &_error));
  assert_ok (tally_annotations_add_span (annotations, 2, &place, NULL, &_error));
  assert_ok (tally_annotations_add_span (annotations, 2, &person, NULL, &_error));
  assert_ok (tally_annotations_set_flagged (annotations, 2, TRUE, &_error));
  assert_ok (tally_annotations_set_label (annotations, 3, 2, &_error));
  return annotations;
}

typedef struct
{
  char             *dir;
  TallyAnnotations *annotations;
} Fixture;

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("tally-export-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->annotations = sample_annotations ();
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_clear_object (&fixture->annotations);
}

static char *
export_to (Fixture           *fixture,
           TallyExportFormat  format,
           const char *const *names,
           const char        *name)
{
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
  g_autoptr (GFile) target = g_file_new_for_path (path);

  assert_ok (tally_export_write (fixture->annotations, format, items, N_ITEMS, names, target, NULL,
                                 &_error));
  return g_steal_pointer (&path);
}

static char *
read_text (const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&contents);
}

static void
test_coco (Fixture      *fixture,
           gconstpointer data)
{
  g_autofree char *path = export_to (fixture, TALLY_EXPORT_COCO, class_names, "coco.json");
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *root;
  JsonArray  *images, *annotations, *categories;

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));

  /* Image items only, the text item left out; ids are positions from 1. */
  images = json_object_get_array_member (root, "images");
  g_assert_cmpuint (json_array_get_length (images), ==, 3);
  {
    static const guint expected_ids[] = { 1, 2, 4 };
    static const guint expected_items[] = { 0, 1, 3 };

    for (guint i = 0; i < 3; i++)
      {
        JsonObject            *image = json_array_get_object_element (images, i);
        const TallyExportItem *item = &items[expected_items[i]];

        g_assert_cmpint (json_object_get_int_member (image, "id"), ==, expected_ids[i]);
        g_assert_cmpstr (json_object_get_string_member (image, "file_name"), ==, item->file_name);
        g_assert_cmpint (json_object_get_int_member (image, "width"), ==, item->width);
        g_assert_cmpint (json_object_get_int_member (image, "height"), ==, item->height);
      }
  }

  annotations = json_object_get_array_member (root, "annotations");
  g_assert_cmpuint (json_array_get_length (annotations), ==, G_N_ELEMENTS (boxes0));
  for (guint i = 0; i < G_N_ELEMENTS (boxes0); i++)
    {
      JsonObject *annotation = json_array_get_object_element (annotations, i);
      JsonArray  *bbox = json_object_get_array_member (annotation, "bbox");

      g_assert_cmpint (json_object_get_int_member (annotation, "id"), ==, i + 1);
      g_assert_cmpint (json_object_get_int_member (annotation, "image_id"), ==, 1);
      g_assert_cmpint (json_object_get_int_member (annotation, "category_id"), ==,
                       boxes0[i].class_id);
      g_assert_cmpint (json_object_get_int_member (annotation, "iscrowd"), ==, 0);
      g_assert_cmpint (json_object_get_int_member (annotation, "area"), ==,
                       boxes0[i].width * boxes0[i].height);
      g_assert_cmpuint (json_array_get_length (bbox), ==, 4);
      g_assert_cmpint (json_array_get_int_element (bbox, 0), ==, boxes0[i].x);
      g_assert_cmpint (json_array_get_int_element (bbox, 1), ==, boxes0[i].y);
      g_assert_cmpint (json_array_get_int_element (bbox, 2), ==, boxes0[i].width);
      g_assert_cmpint (json_array_get_int_element (bbox, 3), ==, boxes0[i].height);
    }

  categories = json_object_get_array_member (root, "categories");
  g_assert_cmpuint (json_array_get_length (categories), ==, 5);
  for (guint c = 0; c < 5; c++)
    {
      JsonObject *category = json_array_get_object_element (categories, c);

      g_assert_cmpint (json_object_get_int_member (category, "id"), ==, c + 1);
      g_assert_cmpstr (json_object_get_string_member (category, "name"), ==, class_names[c]);
    }
}

static void
check_yolo (Fixture *fixture)
{
  g_autofree char *dir = export_to (fixture, TALLY_EXPORT_YOLO, yolo_names, "yolo");
  g_autofree char *classes_path = g_build_filename (dir, "classes.txt", NULL);
  g_autofree char *text_path = g_build_filename (dir, "txt-1.txt", NULL);
  g_autofree char *empty_path = g_build_filename (dir, "img-002.txt", NULL);
  g_autofree char *quoted_path = g_build_filename (dir, "img,\"3\".txt", NULL);
  g_autofree char *path = g_build_filename (dir, "img-001.txt", NULL);
  g_autofree char *classes = read_text (classes_path);
  g_autofree char *empty = read_text (empty_path);
  g_autofree char *quoted = read_text (quoted_path);
  g_autofree char *contents = read_text (path);
  g_autoptr (GRegex) pattern = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_cmpstr (classes, ==, "cat\ndog, small\nsay \"woof\"\nbird\nStraße ✓\n");
  /* Image items without boxes get an empty file, text items none. */
  g_assert_cmpstr (empty, ==, "");
  g_assert_cmpstr (quoted, ==, "");
  g_assert_false (g_file_test (text_path, G_FILE_TEST_EXISTS));

  pattern = g_regex_new ("^(\\d+) ([01]\\.\\d{6}) ([01]\\.\\d{6}) ([01]\\.\\d{6}) ([01]\\.\\d{6})$",
                         0, 0, NULL);
  lines = g_strsplit (contents, "\n", -1);
  /* The file ends with a newline: the last piece is empty. */
  g_assert_cmpuint (g_strv_length (lines), ==, G_N_ELEMENTS (boxes0) + 1);
  g_assert_cmpstr (lines[G_N_ELEMENTS (boxes0)], ==, "");

  for (guint i = 0; i < G_N_ELEMENTS (boxes0); i++)
    {
      g_autoptr (GMatchInfo) match = NULL;
      g_autofree char *class_index = NULL;
      double           width = items[0].width, height = items[0].height;
      double           expected[4] = {
                  (boxes0[i].x + boxes0[i].width / 2.0) / width,
                  (boxes0[i].y + boxes0[i].height / 2.0) / height,
                  boxes0[i].width / width,
                  boxes0[i].height / height,
      };

      if (!g_regex_match (pattern, lines[i], 0, &match))
        g_error ("“%s” is not a YOLO line", lines[i]);
      class_index = g_match_info_fetch (match, 1);
      g_assert_cmpint (g_ascii_strtoll (class_index, NULL, 10) + 1, ==, boxes0[i].class_id);
      for (guint k = 0; k < 4; k++)
        {
          g_autofree char *field = g_match_info_fetch (match, k + 2);

          g_assert_cmpfloat_with_epsilon (g_ascii_strtod (field, NULL), expected[k], 0.5e-6);
        }
    }
  /* (10 + 50) / 640, (20 + 25) / 480, 100 / 640, 50 / 480, rounded. */
  g_assert_cmpstr (lines[0], ==, "0 0.093750 0.093750 0.156250 0.104167");
  /* The box that covers the whole image is exactly the unit square. */
  g_assert_cmpstr (lines[1], ==, "4 0.500000 0.500000 1.000000 1.000000");
}

static void
test_yolo (Fixture      *fixture,
           gconstpointer data)
{
  check_yolo (fixture);

  /* A second export over the first replaces its files. */
  check_yolo (fixture);
}

static void
assert_nothing_written (Fixture *fixture)
{
  g_autoptr (GDir) dir = g_dir_open (fixture->dir, 0, NULL);

  g_assert_nonnull (dir);
  g_assert_null (g_dir_read_name (dir));
}

static void
test_yolo_refused (Fixture      *fixture,
                   gconstpointer data)
{
  /* "img-001" is item 0's id: item 1 would overwrite its file. */
  static const char *const bad_ids[] = { "../escape", "a/b", "", ".", "..", "classes", "a\\b",
                                         "img-001" };
  g_autofree char         *dir = g_build_filename (fixture->dir, "yolo", NULL);
  g_autoptr (GFile) target = g_file_new_for_path (dir);

  {
    g_autoptr (GError) error = NULL;

    g_assert_false (tally_export_write (fixture->annotations, TALLY_EXPORT_YOLO, items, N_ITEMS,
                                        class_names, target, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    assert_nothing_written (fixture);
  }

  for (guint i = 0; i < G_N_ELEMENTS (bad_ids); i++)
    {
      TallyExportItem bad_items[N_ITEMS];
      g_autoptr (GError) error = NULL;

      memcpy (bad_items, items, sizeof items);
      bad_items[1].id = bad_ids[i];
      g_assert_false (tally_export_write (fixture->annotations, TALLY_EXPORT_YOLO, bad_items,
                                          N_ITEMS, yolo_names, target, NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME);
      assert_nothing_written (fixture);
    }
}

static void
test_boxes_refused (Fixture      *fixture,
                    gconstpointer data)
{
  const TallyExportFormat formats[] = { TALLY_EXPORT_COCO, TALLY_EXPORT_YOLO };
  g_autofree char        *path = g_build_filename (fixture->dir, "out", NULL);
  g_autoptr (GFile) target = g_file_new_for_path (path);

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    for (guint c = 0; c < 3; c++)
      {
        TallyExportItem bad_items[N_ITEMS];
        g_autoptr (GError) error = NULL;

        /* Size unknown; the box's right edge (640) past a 639-wide image;
         * its bottom edge (480) past a 479-high one. */
        memcpy (bad_items, items, sizeof items);
        bad_items[0].width = c == 0 ? 0 : c == 1 ? 639
                                                 : 640;
        bad_items[0].height = c == 2 ? 479 : 480;
        g_assert_false (tally_export_write (fixture->annotations, formats[f], bad_items, N_ITEMS,
                                            yolo_names, target, NULL, &error));
        g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION);
        g_test_message ("refused: %s", error->message);
        assert_nothing_written (fixture);
      }
}

static void
check_jsonl (Fixture *fixture)
{
  g_autofree char *path = export_to (fixture, TALLY_EXPORT_JSONL, class_names, "out.jsonl");
  g_autofree char *contents = read_text (path);
  g_auto (GStrv) lines = g_strsplit (contents, "\n", -1);
  static const char *const labels[N_ITEMS] = { "say \"woof\"", NULL, "two\nlines", "dog, small" };

  g_assert_cmpuint (g_strv_length (lines), ==, N_ITEMS + 1);
  g_assert_cmpstr (lines[N_ITEMS], ==, "");

  for (guint i = 0; i < N_ITEMS; i++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autoptr (GError) error = NULL;
      JsonObject *object;
      JsonArray  *spans;

      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, &error));
      g_assert_no_error (error);
      object = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpuint (json_object_get_size (object), ==, 5);
      g_assert_cmpstr (json_object_get_string_member (object, "id"), ==, items[i].id);
      if (labels[i] == NULL)
        g_assert_true (json_object_get_null_member (object, "label"));
      else
        g_assert_cmpstr (json_object_get_string_member (object, "label"), ==, labels[i]);
      g_assert_true (json_object_get_boolean_member (object, "skipped") == (i == 1));
      g_assert_true (json_object_get_boolean_member (object, "flagged") == (i == 2));

      spans = json_object_get_array_member (object, "spans");
      g_assert_cmpuint (json_array_get_length (spans), ==, i == 2 ? 2 : 0);
    }

  /* Sorted by start; offsets in code points ("ë" and "ö" are one each). */
  {
    g_autoptr (JsonParser) parser = json_parser_new ();
    JsonArray  *spans;
    JsonObject *first, *second;

    g_assert_true (json_parser_load_from_data (parser, lines[2], -1, NULL));
    spans = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                          "spans");
    first = json_array_get_object_element (spans, 0);
    second = json_array_get_object_element (spans, 1);
    g_assert_cmpint (json_object_get_int_member (first, "start"), ==, 0);
    g_assert_cmpint (json_object_get_int_member (first, "end"), ==, 3);
    g_assert_cmpstr (json_object_get_string_member (first, "class"), ==, "dog, small");
    g_assert_cmpstr (json_object_get_string_member (first, "text"), ==, "Zoë");
    g_assert_cmpint (json_object_get_int_member (second, "start"), ==, 13);
    g_assert_cmpint (json_object_get_int_member (second, "end"), ==, 17);
    g_assert_cmpstr (json_object_get_string_member (second, "class"), ==, "two\nlines");
    g_assert_cmpstr (json_object_get_string_member (second, "text"), ==, "Köln");
  }
}

static void
test_jsonl (Fixture      *fixture,
            gconstpointer data)
{
  check_jsonl (fixture);
}

static void
test_span_refused (Fixture      *fixture,
                   gconstpointer data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "out.jsonl", NULL);
  g_autoptr (GFile) target = g_file_new_for_path (path);
  g_autoptr (GError) error = NULL;
  TallyExportItem bad_items[N_ITEMS];

  /* 16 code points: "Köln" (13 to 17) runs past it. */
  memcpy (bad_items, items, sizeof items);
  bad_items[2].text = "Zoë wohnt in Kö";
  g_assert_false (tally_export_write (fixture->annotations, TALLY_EXPORT_JSONL, bad_items, N_ITEMS,
                                      class_names, target, NULL, &error));
  g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION);
  assert_nothing_written (fixture);
}

/* An RFC 4180 reader, independent of the writer: records of fields. */
static GPtrArray *
parse_csv (const char *text)
{
  GPtrArray  *records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  GPtrArray  *fields = g_ptr_array_new ();
  GString    *field = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      if (*p == '"')
        {
          for (p++;; p++)
            {
              g_assert_true (*p != '\0');
              if (*p == '"' && p[1] == '"')
                g_string_append_c (field, *p++);
              else if (*p == '"')
                break;
              else
                g_string_append_c (field, *p);
            }
          p++;
          g_assert_true (*p == ',' || *p == '\r');
        }
      else
        while (*p != ',' && *p != '\r' && *p != '\0')
          {
            g_assert_true (*p != '"' && *p != '\n');
            g_string_append_c (field, *p++);
          }

      g_ptr_array_add (fields, g_strdup (field->str));
      g_string_truncate (field, 0);
      if (*p == ',')
        p++;
      else
        {
          g_assert_true (p[0] == '\r' && p[1] == '\n');
          p += 2;
          g_ptr_array_add (fields, NULL);
          g_ptr_array_add (records, g_ptr_array_free (fields, FALSE));
          fields = g_ptr_array_new ();
        }
    }

  g_assert_cmpuint (fields->len, ==, 0);
  g_ptr_array_free (fields, TRUE);
  g_string_free (field, TRUE);
  return records;
}

static void
test_csv (Fixture      *fixture,
          gconstpointer data)
{
  g_autofree char *path = export_to (fixture, TALLY_EXPORT_CSV, class_names, "out.csv");
  g_autofree char *contents = read_text (path);
  g_autoptr (GPtrArray) records = parse_csv (contents);
  static const char *const labels[N_ITEMS] = { "say \"woof\"", "", "two\nlines", "dog, small" };

  g_assert_true (g_str_has_prefix (contents, "id,label\r\nimg-001,\"say \"\"woof\"\"\"\r\n"));
  g_assert_true (strstr (contents, "\r\n\"img,\"\"3\"\"\",\"dog, small\"\r\n") != NULL);

  g_assert_cmpuint (records->len, ==, N_ITEMS + 1);
  g_assert_cmpuint (g_strv_length (g_ptr_array_index (records, 0)), ==, 2);
  g_assert_cmpstr (((char **) g_ptr_array_index (records, 0))[0], ==, "id");
  g_assert_cmpstr (((char **) g_ptr_array_index (records, 0))[1], ==, "label");
  for (guint i = 0; i < N_ITEMS; i++)
    {
      char **record = g_ptr_array_index (records, i + 1);

      g_assert_cmpuint (g_strv_length (record), ==, 2);
      g_assert_cmpstr (record[0], ==, items[i].id);
      g_assert_cmpstr (record[1], ==, labels[i]);
    }
}

static void
test_locale (Fixture      *fixture,
             gconstpointer data)
{
  g_autofree char *saved = g_strdup (setlocale (LC_ALL, NULL));

  if (setlocale (LC_ALL, "de_DE.UTF-8") == NULL)
    {
      g_test_skip ("de_DE.UTF-8 is not installed (tools/install-deps generates it)");
      return;
    }

  /* The locale is live: a plain printf would write a comma here. */
  {
    g_autofree char *probe = g_strdup_printf ("%.1f", 0.5);

    g_assert_cmpstr (probe, ==, "0,5");
  }

  check_yolo (fixture);
  check_jsonl (fixture);
  setlocale (LC_ALL, saved);
}

typedef struct
{
  gboolean finished;
  gboolean ok;
  GError  *error;
} WriteResult;

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  WriteResult *written = user_data;

  g_assert_true (g_task_is_valid (result, source));
  written->ok = tally_export_write_finish (result, &written->error);
  written->finished = TRUE;
}

static void
test_async (Fixture      *fixture,
            gconstpointer data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "async.csv", NULL);
  g_autofree char *missing = g_build_filename (fixture->dir, "no", "such", NULL);
  g_autoptr (GFile) target = g_file_new_for_path (path);
  g_autoptr (GFile) unwritable = g_file_new_for_path (missing);
  g_autofree char *contents = NULL;
  WriteResult      done = { 0 };
  WriteResult      failed = { 0 };

  tally_export_write_async (fixture->annotations, TALLY_EXPORT_CSV, items, N_ITEMS, class_names,
                            target, NULL, on_written, &done);
  while (!done.finished)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (done.error);
  g_assert_true (done.ok);
  contents = read_text (path);
  g_assert_true (g_str_has_prefix (contents, "id,label\r\n"));

  /* A file in a directory that does not exist: GIO's error comes back. */
  tally_export_write_async (fixture->annotations, TALLY_EXPORT_CSV, items, N_ITEMS, class_names,
                            unwritable, NULL, on_written, &failed);
  while (!failed.finished)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (failed.ok);
  g_assert_error (failed.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&failed.error);

  /* Boxes that cannot be exported are refused before any thread runs. */
  {
    TallyExportItem bad_items[N_ITEMS];
    WriteResult     refused = { 0 };

    memcpy (bad_items, items, sizeof items);
    bad_items[0].width = 0;
    tally_export_write_async (fixture->annotations, TALLY_EXPORT_COCO, bad_items, N_ITEMS,
                              class_names, target, NULL, on_written, &refused);
    while (!refused.finished)
      g_main_context_iteration (NULL, TRUE);
    g_assert_error (refused.error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION);
    g_clear_error (&refused.error);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/core/export/coco", test_coco);
  ADD ("/core/export/yolo", test_yolo);
  ADD ("/core/export/yolo-refused", test_yolo_refused);
  ADD ("/core/export/boxes-refused", test_boxes_refused);
  ADD ("/core/export/jsonl", test_jsonl);
  ADD ("/core/export/span-refused", test_span_refused);
  ADD ("/core/export/csv", test_csv);
  ADD ("/core/export/locale", test_locale);
  ADD ("/core/export/async", test_async);
#undef ADD

  return g_test_run ();
}
