/* fuzz-json.c: libFuzzer target for the strict JSON reader (wallet/json.c)
 *
 * Any input either parses into a tree whose strings are valid UTF-8 and
 * whose objects have no duplicate names, or fails with a MALFORMED error
 * that says where: never a crash, never a tree on failure.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "wallet/tally-wallet.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check_node (const TallyJsonNode *node)
{
  const char *s;
  gsize       len = 0;

  switch (tally_json_node_get_kind (node))
    {
    case TALLY_JSON_NULL:
    case TALLY_JSON_BOOLEAN:
      break;
    case TALLY_JSON_NUMBER:
      s = tally_json_node_get_number_text (node);
      g_assert_true (s[0] == '-' || g_ascii_isdigit (s[0]));
      break;
    case TALLY_JSON_STRING:
      s = tally_json_node_get_string (node, &len);
      g_assert_cmpint (s[len], ==, '\0');
      g_assert_true (g_utf8_validate_len (s, len, NULL) || memchr (s, '\0', len) != NULL);
      break;
    case TALLY_JSON_ARRAY:
      for (guint i = 0; i < tally_json_node_get_length (node); i++)
        check_node (tally_json_node_get_element (node, i));
      break;
    case TALLY_JSON_OBJECT:
      for (guint i = 0; i < tally_json_node_get_size (node); i++)
        {
          const char *name = tally_json_node_get_member_name (node, i);

          g_assert_true (g_utf8_validate (name, -1, NULL));
          /* Names are unique, so lookup finds exactly this member. */
          g_assert_true (tally_json_node_lookup (node, name) ==
                         tally_json_node_get_member_value (node, i));
          check_node (tally_json_node_get_member_value (node, i));
        }
      break;
    default:
      g_assert_not_reached ();
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr (TallyJsonNode) root = NULL;
  g_autoptr (GError) error = NULL;

  if (tally_json_parse (&root, (const char *) data, size, &error))
    {
      g_assert_no_error (error);
      check_node (root);
    }
  else
    {
      g_assert_error (error, TALLY_WALLET_ERROR, TALLY_WALLET_ERROR_MALFORMED);
      g_assert_nonnull (strstr (error->message, "line "));
      g_assert_null (root);
    }

  return 0;
}
