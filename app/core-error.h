/* core-error.h: the error domain of libtally-core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TALLY_CORE_ERROR (tally_core_error_quark ())

/* What went wrong, so callers can react without parsing messages; every
 * error still carries a sentence a person can read. */
typedef enum
{
  TALLY_CORE_ERROR_NETWORK,         /* could not reach the endpoint */
  TALLY_CORE_ERROR_HTTP,            /* the server answered with an HTTP error */
  TALLY_CORE_ERROR_RATE_LIMITED,    /* 429, after the retries allowed */
  TALLY_CORE_ERROR_TIMED_OUT,       /* no answer within the call's timeout */
  TALLY_CORE_ERROR_TOO_LARGE,       /* a reply over the size cap */
  TALLY_CORE_ERROR_MALFORMED_REPLY, /* not JSON, wrong types, bad hex, missing fields */
  TALLY_CORE_ERROR_RPC,             /* a JSON-RPC error object from the node */
  TALLY_CORE_ERROR_CHAIN_MISMATCH,  /* the endpoint serves another chain than the profile's */
  TALLY_CORE_ERROR_INVALID_PROFILE, /* a network file or profile that cannot be used */
  TALLY_CORE_ERROR_STALE_PRICE,     /* a price older than allowed */
  TALLY_CORE_ERROR_NOT_FOUND,
  TALLY_CORE_ERROR_REVERTED,           /* the EVM reverted a call, an estimate or a mined transaction */
  TALLY_CORE_ERROR_STORAGE,            /* a local database could not be read or written */
  TALLY_CORE_ERROR_INVALID_MANIFEST,   /* a task manifest that breaks docs/manifest.md */
  TALLY_CORE_ERROR_HASH_MISMATCH,      /* fetched bytes whose hash is not the one promised */
  TALLY_CORE_ERROR_INVALID_ANNOTATION, /* an annotation or payload that breaks docs/payload.md */
  TALLY_CORE_ERROR_WRONG_STATE,        /* an action the task or submission is not ready for, or past */
  TALLY_CORE_ERROR_WRONG_KEY,          /* a task key that is not the manifest's, or a ciphertext it cannot open */
} TallyCoreError;

GQuark tally_core_error_quark (void);

G_END_DECLS
