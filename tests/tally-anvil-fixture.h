/* tally-anvil-fixture.h: a private anvil chain for integration tests
 *
 * Each TallyAnvil is an anvil process (chain id 31337, anvil's usual funded
 * development accounts) on a free loopback port, started and answering
 * JSON-RPC when tally_anvil_start() returns. Freeing it, or the test process
 * dying, stops the process.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TALLY_ANVIL_CHAIN_ID 31337

typedef struct _TallyAnvil TallyAnvil;

TallyAnvil *tally_anvil_start (GError **error) G_GNUC_WARN_UNUSED_RESULT;
TallyAnvil *tally_anvil_start_with_binary (const char *anvil_path,
                                           GError    **error) G_GNUC_WARN_UNUSED_RESULT;
TallyAnvil *tally_anvil_start_full (const char        *anvil_path,
                                    const char *const *extra_args,
                                    GError           **error) G_GNUC_WARN_UNUSED_RESULT;
char       *tally_anvil_find_binary (GError **error) G_GNUC_WARN_UNUSED_RESULT;

const char *tally_anvil_get_url (TallyAnvil *self);
guint16     tally_anvil_get_port (TallyAnvil *self);
void        tally_anvil_stop (TallyAnvil *self);
void        tally_anvil_free (TallyAnvil *self);

/* A loopback TCP port nobody listens on right now. */
gboolean tally_anvil_pick_free_port (guint16 *port,
                                     GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TallyAnvil, tally_anvil_free)

G_END_DECLS
