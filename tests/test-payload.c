/* test-payload.c: the on-chain payload encoding (docs/payload.md): hand
 * vectors both ways, random round trips, the size figure the document
 * quotes, and one case for every malformed payload the decoder refuses
 *
 * The vectors were written by hand from docs/payload.md, byte by byte, not
 * produced by the encoder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "annotations.h"
#include "core-error.h"
#include "payload.h"

static TallyBox
box (guint8  class_id,
     guint32 x,
     guint32 y,
     guint32 width,
     guint32 height)
{
  return (TallyBox){ class_id, x, y, width, height };
}

static TallySpan
span (guint8  class_id,
      guint32 start,
      guint32 end)
{
  return (TallySpan){ class_id, start, end };
}

#define assert_ok(call)               \
  G_STMT_START                        \
  {                                   \
    g_autoptr (GError) _error = NULL; \
    gboolean _ok = (call);            \
    g_assert_no_error (_error);       \
    g_assert_true (_ok);              \
  }                                   \
  G_STMT_END

static void
test_payload_empty (void)
{
  g_autoptr (TallyAnnotations) annotations = tally_annotations_new (5, 2);
  g_autoptr (TallyAnnotations) decoded = NULL;
  g_autoptr (GBytes) payload = NULL;
  g_autoptr (GError) error = NULL;

  /* Labels alone travel in `labels`: the payload stays empty. */
  assert_ok (tally_annotations_set_label (annotations, 1, 2, &_error));
  payload = tally_payload_encode (annotations);
  g_assert_cmpuint (g_bytes_get_size (payload), ==, 0);

  decoded = tally_payload_decode (NULL, 0, 5, 2, &error);
  g_assert_no_error (error);
  g_assert_nonnull (decoded);
  g_assert_cmpuint (tally_annotations_get_n_items (decoded), ==, 5);
}

static void
build_vector_model (TallyAnnotations *annotations)
{
  TallyBox  b1 = box (1, 10, 20, 300, 400);
  TallyBox  b2 = box (3, 0, 0, 1, 128);
  TallySpan s1 = span (2, 5, 8);
  TallySpan s2 = span (2, 16384, 16385);

  assert_ok (tally_annotations_set_flagged (annotations, 0, TRUE, &_error));
  assert_ok (tally_annotations_set_label (annotations, 1, 1, &_error));
  assert_ok (tally_annotations_add_box (annotations, 2, &b1, NULL, &_error));
  assert_ok (tally_annotations_add_box (annotations, 2, &b2, NULL, &_error));
  assert_ok (tally_annotations_set_skipped (annotations, 127, TRUE, &_error));
  assert_ok (tally_annotations_set_flagged (annotations, 127, TRUE, &_error));
  assert_ok (tally_annotations_add_span (annotations, 130, &s2, NULL, &_error));
  assert_ok (tally_annotations_add_span (annotations, 130, &s1, NULL, &_error));
}

static const guint8 vector_bytes[] = {
  0x01,                               /* version 1 */
  0x00, 0x02, 0x00, 0x00,             /* item 0: flagged, 0 boxes, 0 spans */
  0x02, 0x00, 0x02,                   /* item 2: no flags, 2 boxes */
  0x01, 0x0a, 0x14, 0xac, 0x02,       /*   class 1, x 10, y 20, w 300 */
  0x90, 0x03,                         /*   h 400 */
  0x03, 0x00, 0x00, 0x01, 0x80, 0x01, /* class 3, 0, 0, w 1, h 128 */
  0x00,                               /*   0 spans */
  0x7f, 0x03, 0x00, 0x00,             /* item 127: skipped and flagged */
  0x82, 0x01, 0x00, 0x00, 0x02,       /* item 130: no flags, 0 boxes, 2 spans */
  0x02, 0x05, 0x03,                   /*   class 2, start 5, length 3 */
  0x02, 0x80, 0x80, 0x01, 0x01,       /*   class 2, start 16384, length 1 */
};

static void
test_payload_vector (void)
{
  g_autoptr (TallyAnnotations) annotations = tally_annotations_new (131, 3);
  g_autoptr (TallyAnnotations) decoded = NULL;
  g_autoptr (GBytes) payload = NULL;
  g_autoptr (GError) error = NULL;

  build_vector_model (annotations);
  payload = tally_payload_encode (annotations);
  g_assert_cmpmem (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload), vector_bytes,
                   sizeof vector_bytes);

  decoded = tally_payload_decode (vector_bytes, sizeof vector_bytes, 131, 3, &error);
  g_assert_no_error (error);
  /* Labels are not in the payload. */
  assert_ok (tally_annotations_set_label (decoded, 1, 1, &_error));
  g_assert_true (tally_annotations_equal (annotations, decoded));

  /* Every strict prefix is truncated (or a bare version byte). */
  for (gsize len = 1; len < sizeof vector_bytes; len++)
    {
      g_autoptr (TallyAnnotations) none = NULL;
      g_autoptr (GError) local_error = NULL;

      /* A prefix ending exactly after a record is a valid, shorter payload. */
      none = tally_payload_decode (vector_bytes, len, 131, 3, &local_error);
      if (len == 5 || len == 22 || len == 26)
        {
          g_assert_no_error (local_error);
          continue;
        }
      g_assert_error (local_error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION);
      g_assert_null (none);
    }
}

static void
test_payload_size (void)
{
  g_autoptr (TallyAnnotations) annotations = tally_annotations_new (256, 10);
  g_autoptr (GBytes) payload = NULL;

  for (guint i = 0; i < 256; i++)
    {
      TallyBox a = box (1 + i % 10, 200 + i, 150, 320, 240);
      TallyBox b = box (1 + (i + 3) % 10, 1000, 700 - i, 600, 300);

      assert_ok (tally_annotations_set_image_size (annotations, i, 1920, 1080, &_error));
      assert_ok (tally_annotations_add_box (annotations, i, &a, NULL, &_error));
      assert_ok (tally_annotations_add_box (annotations, i, &b, NULL, &_error));
    }

  /* Coordinates 128..16383 take two bytes each, so a box is 1 + 4 * 2 = 9
   * bytes and a record flags + n_boxes + 2 boxes + n_spans = 21 bytes
   * after its index (1 byte for items 0..127, 2 for 128..255), plus the
   * version byte: 1 + 128 * 22 + 128 * 23 = 5761. docs/payload.md quotes
   * this figure. */
  payload = tally_payload_encode (annotations);
  g_assert_cmpuint (g_bytes_get_size (payload), ==, 5761);
  g_test_message ("256 items with 2 boxes each: %" G_GSIZE_FORMAT " bytes",
                  g_bytes_get_size (payload));
}

static guint32
random_u32 (void)
{
  /* Uneven magnitudes, so every varint length occurs. */
  return (guint32) g_test_rand_int () >> g_test_rand_int_range (0, 32);
}

static TallyAnnotations *
random_model (void)
{
  guint             n_items = g_test_rand_int_range (1, 300);
  guint             class_count = g_test_rand_int_range (1, 256);
  TallyAnnotations *annotations = tally_annotations_new (n_items, class_count);

  for (guint i = 0; i < n_items; i++)
    {
      guint kind = g_test_rand_int_range (0, 6);

      if (kind == 0)
        continue;
      if (kind == 1)
        {
          assert_ok (tally_annotations_set_skipped (annotations, i, TRUE, &_error));
          continue;
        }

      if (g_test_rand_bit ())
        assert_ok (tally_annotations_set_label (annotations, i,
                                                g_test_rand_int_range (1, class_count + 1),
                                                &_error));
      if (g_test_rand_int_range (0, 4) == 0)
        assert_ok (tally_annotations_set_flagged (annotations, i, TRUE, &_error));

      for (guint n = g_test_rand_int_range (0, 4); n > 0; n--)
        {
          TallyBox b = box (g_test_rand_int_range (1, class_count + 1), random_u32 () / 2,
                            random_u32 () / 2, 1 + random_u32 () / 2, 1 + random_u32 () / 2);

          assert_ok (tally_annotations_add_box (annotations, i, &b, NULL, &_error));
        }

      for (guint n = g_test_rand_int_range (0, 5); n > 0; n--)
        {
          guint32   start = random_u32 () / 2;
          TallySpan s = span (g_test_rand_int_range (1, class_count + 1), start,
                              start + 1 + random_u32 () / 2);
          g_autoptr (GError) error = NULL;

          /* An overlap with a span of the same class is refused; fine. */
          if (!tally_annotations_add_span (annotations, i, &s, NULL, &error))
            g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION);
        }
    }

  return annotations;
}

static void
test_payload_random (void)
{
  for (guint round = 0; round < 200; round++)
    {
      g_autoptr (TallyAnnotations) annotations = random_model ();
      g_autoptr (TallyAnnotations) decoded = NULL;
      g_autoptr (GBytes) payload = tally_payload_encode (annotations);
      g_autoptr (GBytes) labels = tally_annotations_dup_labels (annotations);
      g_autoptr (GBytes) again = NULL;
      g_autoptr (GError) error = NULL;
      guint n_items = tally_annotations_get_n_items (annotations);
      guint class_count = tally_annotations_get_class_count (annotations);

      decoded = tally_payload_decode (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload),
                                      n_items, class_count, &error);
      g_assert_no_error (error);
      again = tally_payload_encode (decoded);
      g_assert_true (g_bytes_equal (payload, again));

      assert_ok (tally_annotations_restore (decoded, labels, payload, &_error));
      g_assert_true (tally_annotations_equal (annotations, decoded));
    }
}

static void
test_payload_malformed (void)
{
  /* n_items 200, class_count 3 throughout. */
  static const struct
  {
    const char *name;
    const char *bytes;
    gsize       len;
    const char *message; /* a part of the error message */
  } cases[] = {
#define CASE(name, bytes, message) { name, bytes, sizeof bytes - 1, message }
    CASE ("unknown version", "\x02\x00\x02\x00\x00", "version 2"),
    CASE ("version 0", "\x00", "version 0"),
    CASE ("bare version", "\x01", "nothing else"),
    CASE ("truncated item index", "\x01\x80", "ends too early"),
    CASE ("truncated flags", "\x01\x00", "ends too early"),
    CASE ("truncated box", "\x01\x00\x00\x01\x01\x00\x00\x01", "ends too early"),
    CASE ("truncated span count", "\x01\x00\x00\x01\x01\x00\x00\x01\x01", "ends too early"),
    CASE ("trailing byte", "\x01\x00\x02\x00\x00\x05", "ends too early"),
    CASE ("trailing zero", "\x01\x00\x02\x00\x00\x00", "out of order"),
    CASE ("non-minimal item index", "\x01\x80\x00\x02\x00\x00", "shortest form"),
    CASE ("non-minimal box x", "\x01\x00\x00\x01\x01\x81\x00\x00\x01\x01\x00", "shortest form"),
    CASE ("non-minimal, 5 bytes", "\x01\x80\x80\x80\x80\x00\x02\x00\x00", "shortest form"),
    CASE ("varint over 32 bits", "\x01\x00\x00\x01\x01\xff\xff\xff\xff\x10\x00\x01\x01\x00",
          "32 bits"),
    CASE ("varint of 6 bytes", "\x01\x00\x00\x01\x01\x80\x80\x80\x80\x80\x01", "32 bits"),
    CASE ("item out of range", "\x01\xc8\x01\x02\x00\x00", "item 201 does not exist"),
    CASE ("item far out of range", "\x01\xff\xff\xff\xff\x0f\x02\x00\x00",
          "item 4294967296 does not exist"),
    CASE ("item repeated", "\x01\x03\x02\x00\x00\x03\x02\x00\x00", "out of order"),
    CASE ("item decreasing", "\x01\x05\x02\x00\x00\x04\x02\x00\x00", "out of order"),
    CASE ("unknown flag", "\x01\x00\x04\x00\x00", "unknown item flags"),
    CASE ("empty record", "\x01\x00\x00\x00\x00", "nothing in it"),
    CASE ("box class 0", "\x01\x00\x00\x01\x00\x00\x00\x01\x01\x00", "class 0"),
    CASE ("box class over", "\x01\x00\x00\x01\x04\x00\x00\x01\x01\x00", "class 4"),
    CASE ("box width 0", "\x01\x00\x00\x01\x01\x00\x00\x00\x01\x00", "empty"),
    CASE ("box height 0", "\x01\x00\x00\x01\x01\x00\x00\x01\x00\x00", "empty"),
    CASE ("box past 2^32", "\x01\x00\x00\x01\x01\xff\xff\xff\xff\x0f\x00\x01\x01\x00",
          "outside the image"),
    CASE ("too many boxes", "\x01\x00\x00\xe9\x07", "1001 boxes"),
    CASE ("too many spans", "\x01\x00\x00\x00\xe9\x07", "1001 spans"),
    CASE ("span class 0", "\x01\x00\x00\x00\x01\x00\x00\x01", "class 0"),
    CASE ("span class over", "\x01\x00\x00\x00\x01\x04\x00\x01", "class 4"),
    CASE ("span length 0", "\x01\x00\x00\x00\x01\x01\x05\x00", "span is empty"),
    CASE ("span past 2^32", "\x01\x00\x00\x00\x01\x01\xff\xff\xff\xff\x0f\x01", "2^32"),
    CASE ("spans out of order", "\x01\x00\x00\x00\x02\x01\x05\x01\x02\x04\x01", "not in order"),
    CASE ("span repeated", "\x01\x00\x00\x00\x02\x01\x05\x01\x01\x05\x01", "not in order"),
    CASE ("spans overlap in a class", "\x01\x00\x00\x00\x02\x01\x05\x03\x01\x06\x01", "overlaps"),
    CASE ("skipped with a box", "\x01\x00\x01\x01\x01\x00\x00\x01\x01\x00", "skipped"),
    CASE ("skipped with a span", "\x01\x00\x01\x00\x01\x01\x00\x01", "skipped"),
#undef CASE
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (TallyAnnotations) decoded = NULL;
      g_autoptr (GError) error = NULL;

      g_test_message ("%s", cases[i].name);
      decoded = tally_payload_decode ((const guint8 *) cases[i].bytes, cases[i].len, 200, 3,
                                      &error);
      g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION);
      g_assert_null (decoded);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("%s: “%s” does not say “%s”", cases[i].name, error->message,
                 cases[i].message);
    }

  /* The same span list with the classes apart is fine: the overlap rule
   * is per class. */
  {
    static const guint8 ok[] = { 0x01, 0x00, 0x00, 0x00, 0x02, 0x01, 0x05, 0x03, 0x02, 0x06, 0x01 };
    g_autoptr (TallyAnnotations) decoded = NULL;
    g_autoptr (GError) error = NULL;

    decoded = tally_payload_decode (ok, sizeof ok, 200, 3, &error);
    g_assert_no_error (error);
    g_assert_nonnull (decoded);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/payload/empty", test_payload_empty);
  g_test_add_func ("/core/payload/vector", test_payload_vector);
  g_test_add_func ("/core/payload/size", test_payload_size);
  g_test_add_func ("/core/payload/random", test_payload_random);
  g_test_add_func ("/core/payload/malformed", test_payload_malformed);

  return g_test_run ();
}
