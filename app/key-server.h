/* key-server.h: the requester's side of a private task — granting the
 * task key to every account that holds a seat
 *
 * A private task names a key server (usually its requester's tally-cli).
 * Each step looks at the tasks this account serves that are still open
 * for joining, labeling or reviewing, and for every annotator seat and
 * review seat whose holder gave a public key and has no grant yet, seals
 * the task key (taken from the keyring, checked against the manifest's key
 * hash) to that public key and sends grantKey. A grant already in the
 * journal is waited for, never sent twice; nobody without a seat gets one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "task-list.h"
#include "tx-manager.h"

G_BEGIN_DECLS

#define TALLY_TYPE_KEY_SERVER (tally_key_server_get_type ())

G_DECLARE_FINAL_TYPE (TallyKeyServer, tally_key_server, TALLY, KEY_SERVER, GObject)

/* The key server's account is the manager's signer's. */
TallyKeyServer *tally_key_server_new (TallyTaskList  *tasks,
                                      TallyTxManager *manager);

TallyTaskList      *tally_key_server_get_task_list (TallyKeyServer *self);
TallyTxManager     *tally_key_server_get_manager (TallyKeyServer *self);
const TallyAddress *tally_key_server_get_account (TallyKeyServer *self);

/* Whether some task of the list names this account as its key server. */
gboolean tally_key_server_is_serving (TallyKeyServer *self);

/* Sends again what the journal holds pending, syncs the market's log,
 * then grants what is missing (see above), one transaction after another,
 * each waited for until mined. A task that cannot be served (its manifest,
 * its key missing from the keyring or not the manifest's:
 * TALLY_CORE_ERROR_WRONG_KEY) or a grant that fails does not stop the
 * others: one error naming every task that failed (the first one's code)
 * is returned once all were tried, and n_granted (may be NULL) counts the
 * grants mined either way. ::key-granted is emitted for each. */
void     tally_key_server_step_async (TallyKeyServer     *self,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
gboolean tally_key_server_step_finish (TallyKeyServer *self,
                                       GAsyncResult   *result,
                                       guint          *n_granted,
                                       GError        **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
