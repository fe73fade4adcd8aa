/* fuzz-payload.c: libFuzzer target for the on-chain annotation payload
 * decoder (app/payload.c, docs/payload.md)
 *
 * A payload is whatever a peer revealed on chain. The input is decoded
 * as-is for a task of N_ITEMS items and N_CLASSES classes; whatever is
 * accepted must be the one canonical encoding of what it decodes to:
 * encoding the decoded model gives back the input, byte for byte. An
 * accepted model also survives an edit and its undo unchanged.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "annotations.h"
#include "core-error.h"
#include "payload.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

#define N_ITEMS   256
#define N_CLASSES 7

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr (TallyAnnotations) annotations = NULL;
  g_autoptr (GBytes) encoded = NULL;
  g_autoptr (GBytes) after_undo = NULL;
  g_autoptr (GError) error = NULL;

  annotations = tally_payload_decode (size > 0 ? data : NULL, size, N_ITEMS, N_CLASSES, &error);
  if (annotations == NULL)
    {
      g_assert_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_INVALID_ANNOTATION);
      g_assert_nonnull (error->message);
      return 0;
    }
  g_assert_no_error (error);

  encoded = tally_payload_encode (annotations);
  g_assert_cmpmem (g_bytes_get_data (encoded, NULL), g_bytes_get_size (encoded), data, size);

  /* Clear the first item that has something, then undo: the same bytes. */
  for (guint i = 0; i < N_ITEMS; i++)
    {
      guint n_boxes, n_spans;

      tally_annotations_get_boxes (annotations, i, &n_boxes);
      tally_annotations_get_spans (annotations, i, &n_spans);
      if (n_boxes == 0 && n_spans == 0 && !tally_annotations_get_skipped (annotations, i) &&
          !tally_annotations_get_flagged (annotations, i))
        continue;

      g_assert_true (tally_annotations_clear_item (annotations, i, &error));
      g_assert_no_error (error);
      g_assert_true (tally_annotations_undo (annotations));
      break;
    }
  after_undo = tally_payload_encode (annotations);
  g_assert_true (g_bytes_equal (encoded, after_undo));

  return 0;
}
