/* task.c: one LabelMarket task as the market's events tell it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tally-core"

#include "config.h"

#include <string.h>

#include "core-error.h"
#include "task.h"

struct _TallyTask
{
  GObject parent_instance;

  TallyUint256         id;
  TallyAddress         requester;
  TallyLabelTaskParams params;
  char                *manifest_uri;
  TallyUint256         budget;
  guint64              created_block;

  TallyLabelTaskState state;
  guint               seats_taken;
  TallyTaskSeat       seats[TALLY_LABEL_MAX_REPLICATION];
  TallyTaskReview     reviews[TALLY_LABEL_MAX_REPLICATION][TALLY_LABEL_MAX_REVIEWERS];
  gboolean            gold_revealed;
  GArray             *gold_indices;
  GBytes             *gold_labels;
  TallyUint256        refund;
  TallyUint256        burned;
  /* EIP-55 address → GBytes: the latest sealed key granted to it */
  GHashTable *grants;
};

G_DEFINE_FINAL_TYPE (TallyTask, tally_task, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  PROP_SEATS_TAKEN,
  PROP_GOLD_REVEALED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
seat_clear (TallyTaskSeat *seat)
{
  g_clear_pointer (&seat->labels, g_bytes_unref);
  g_clear_pointer (&seat->payload, g_bytes_unref);
  memset (seat, 0, sizeof *seat);
}

static void
review_clear (TallyTaskReview *review)
{
  g_clear_pointer (&review->verdicts, g_bytes_unref);
  memset (review, 0, sizeof *review);
}

TallyTask *
_tally_task_new (const TallyUint256         *id,
                 const TallyAddress         *requester,
                 const TallyLabelTaskParams *params,
                 const char                 *manifest_uri,
                 const TallyUint256         *budget,
                 guint64                     created_block)
{
  TallyTask *self = g_object_new (TALLY_TYPE_TASK, NULL);

  self->id = *id;
  self->requester = *requester;
  self->params = *params;
  self->manifest_uri = g_strdup (manifest_uri);
  self->budget = *budget;
  self->created_block = created_block;
  self->state = TALLY_LABEL_TASK_OPEN;
  return self;
}

/* ---- Applying events ----------------------------------------------------- */

static gboolean
small_value (const TallyAbiLog *log,
             const char        *name,
             guint              bound,
             guint             *out)
{
  const TallyAbiValue *value = tally_abi_log_lookup (log, name);
  TallyUint256         number;
  guint64              small = 0;

  if (value == NULL || tally_abi_value_get_kind (value) != TALLY_ABI_UINT)
    return FALSE;
  tally_abi_value_get_uint (value, &number);
  if (!tally_uint256_to_uint64 (&small, &number) || small >= bound)
    return FALSE;
  *out = (guint) small;
  return TRUE;
}

static void
uint_value (const TallyAbiLog *log,
            const char        *name,
            TallyUint256      *out)
{
  const TallyAbiValue *value = tally_abi_log_lookup (log, name);

  memset (out, 0, sizeof *out);
  if (value != NULL && tally_abi_value_get_kind (value) == TALLY_ABI_UINT)
    tally_abi_value_get_uint (value, out);
}

static gboolean
address_value (const TallyAbiLog *log,
               const char        *name,
               TallyAddress      *out)
{
  const TallyAbiValue *value = tally_abi_log_lookup (log, name);

  if (value == NULL || tally_abi_value_get_kind (value) != TALLY_ABI_ADDRESS)
    return FALSE;
  tally_abi_value_get_address (value, out);
  return TRUE;
}

static GBytes *
bytes_value (const TallyAbiLog *log,
             const char        *name)
{
  const TallyAbiValue *value = tally_abi_log_lookup (log, name);
  const guint8        *data;
  gsize                len = 0;

  if (value == NULL || tally_abi_value_get_kind (value) != TALLY_ABI_BYTES)
    return NULL;
  data = tally_abi_value_get_bytes (value, &len);
  return g_bytes_new (data, len);
}

/* publicKey of Joined or ReviewJoined: empty on a public task. */
static gboolean
public_key_value (const TallyAbiLog *log,
                  gboolean          *has_key,
                  guint8             key[64])
{
  g_autoptr (GBytes) bytes = bytes_value (log, "publicKey");

  *has_key = FALSE;
  memset (key, 0, 64);
  if (bytes == NULL)
    return FALSE;
  if (g_bytes_get_size (bytes) == 0)
    return TRUE;
  if (g_bytes_get_size (bytes) != 64)
    return FALSE;
  memcpy (key, g_bytes_get_data (bytes, NULL), 64);
  *has_key = TRUE;
  return TRUE;
}

static char *
grant_key_of (const TallyAddress *account)
{
  char text[TALLY_ADDRESS_STRING_SIZE];

  tally_address_to_string (account, text);
  return g_strdup (text);
}

/* The seat an event names, taken by the account it names. */
static TallyTaskSeat *
held_seat (TallyTask         *self,
           const TallyAbiLog *log)
{
  TallyAddress account;
  guint        seat;

  if (!small_value (log, "seat", self->params.replication, &seat) ||
      !address_value (log, "account", &account) || !self->seats[seat].taken ||
      !tally_address_equal (&self->seats[seat].holder, &account))
    return NULL;
  return &self->seats[seat];
}

static TallyTaskReview *
review_of (TallyTask         *self,
           const TallyAbiLog *log,
           gboolean           must_be_taken)
{
  TallyAddress     reviewer;
  guint            seat, slot;
  TallyTaskReview *review;

  if (!small_value (log, "seat", self->params.replication, &seat) ||
      !small_value (log, "reviewSlot", MAX (self->params.reviewers, 1), &slot) ||
      self->params.reviewers == 0 || !address_value (log, "reviewer", &reviewer))
    return NULL;
  review = &self->reviews[seat][slot];
  if (must_be_taken && (!review->taken || !tally_address_equal (&review->reviewer, &reviewer)))
    return NULL;
  if (!must_be_taken)
    {
      if (review->taken)
        return NULL;
      review->taken = TRUE;
      review->reviewer = reviewer;
    }
  return review;
}

static gboolean
apply_settled (TallyTask         *self,
               const TallyAbiLog *log)
{
  TallyUint256 slot;
  TallyAddress account;
  guint        seat, correct, wrong;

  uint_value (log, "reviewSlot", &slot);
  if (!small_value (log, "seat", self->params.replication, &seat) ||
      !small_value (log, "correct", TALLY_LABEL_MAX_ITEMS + 1, &correct) ||
      !small_value (log, "wrong", TALLY_LABEL_MAX_ITEMS + 1, &wrong) ||
      !address_value (log, "account", &account))
    return FALSE;
  /* reviewSlot is type(uint256).max for the annotator's own seat. */
  if (tally_uint256_bit_length (&slot) == 256)
    {
      TallyTaskSeat *s = &self->seats[seat];

      if (!s->taken || !tally_address_equal (&s->holder, &account))
        return FALSE;
      s->settled = TRUE;
      s->correct = correct;
      s->wrong = wrong;
      uint_value (log, "reward", &s->reward);
      uint_value (log, "slashed", &s->slashed);
    }
  else
    {
      TallyTaskReview *r;
      guint64          index = 0;

      if (!tally_uint256_to_uint64 (&index, &slot) || index >= self->params.reviewers)
        return FALSE;
      r = &self->reviews[seat][index];
      if (!r->taken || !tally_address_equal (&r->reviewer, &account))
        return FALSE;
      r->settled = TRUE;
      r->correct = correct;
      r->wrong = wrong;
      uint_value (log, "reward", &r->reward);
      uint_value (log, "slashed", &r->slashed);
    }
  return TRUE;
}

static gboolean
apply_gold (TallyTask         *self,
            const TallyAbiLog *log)
{
  const TallyAbiValue *indices = tally_abi_log_lookup (log, "goldIndices");
  g_autoptr (GBytes) labels = bytes_value (log, "goldLabels");
  guint n;

  if (indices == NULL || labels == NULL || tally_abi_value_get_kind (indices) != TALLY_ABI_ARRAY)
    return FALSE;
  n = tally_abi_value_get_length (indices);
  if (n != g_bytes_get_size (labels))
    return FALSE;
  g_clear_pointer (&self->gold_indices, g_array_unref);
  self->gold_indices = g_array_sized_new (FALSE, FALSE, sizeof (guint16), n);
  for (guint i = 0; i < n; i++)
    {
      TallyUint256 value;
      guint64      index = 0;
      guint16      small;

      tally_abi_value_get_uint (tally_abi_value_get_element (indices, i), &value);
      if (!tally_uint256_to_uint64 (&index, &value) || index >= self->params.item_count)
        return FALSE;
      small = (guint16) index;
      g_array_append_val (self->gold_indices, small);
    }
  g_clear_pointer (&self->gold_labels, g_bytes_unref);
  self->gold_labels = g_steal_pointer (&labels);
  self->gold_revealed = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GOLD_REVEALED]);
  return TRUE;
}

static void
set_state (TallyTask          *self,
           TallyLabelTaskState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_seats_taken (TallyTask *self,
                 guint      taken)
{
  self->seats_taken = taken;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEATS_TAKEN]);
}

/* Every seat account holds says whether account holds a grant: one seat
 * on chain, but forged logs can give it two, and the flags must not
 * disagree with tally_task_has_key_grant(). */
static void
sync_key_granted (TallyTask          *self,
                  const TallyAddress *account)
{
  g_autofree char *key = grant_key_of (account);
  gboolean         granted = g_hash_table_contains (self->grants, key);

  for (guint s = 0; s < self->params.replication; s++)
    if (self->seats[s].taken && tally_address_equal (&self->seats[s].holder, account))
      self->seats[s].key_granted = granted;
}

gboolean
_tally_task_apply (TallyTask         *self,
                   const char        *event,
                   const TallyAbiLog *log)
{
  TallyTaskSeat   *seat = NULL;
  TallyTaskReview *review = NULL;
  gboolean         ok = TRUE;

  g_return_val_if_fail (TALLY_IS_TASK (self), FALSE);

  if (g_str_equal (event, "Joined"))
    {
      guint index;

      ok = small_value (log, "seat", self->params.replication, &index) && !self->seats[index].taken;
      if (ok)
        {
          seat = &self->seats[index];
          seat->taken = TRUE;
          seat->state = TALLY_LABEL_SEAT_JOINED;
          ok = address_value (log, "account", &seat->holder);
          if (ok)
            {
              g_autofree char *key = grant_key_of (&seat->holder);

              /* A new seat starts without a grant, as on chain. */
              g_hash_table_remove (self->grants, key);
            }
          ok = ok && public_key_value (log, &seat->has_public_key, seat->public_key);
          /* Even from a log that does not fit, the seat taken agrees with
           * the grants. */
          sync_key_granted (self, &seat->holder);
          set_seats_taken (self, self->seats_taken + 1);
        }
    }
  else if (g_str_equal (event, "Left"))
    {
      ok = (seat = held_seat (self, log)) != NULL;
      if (ok)
        {
          g_autofree char *key = grant_key_of (&seat->holder);
          TallyAddress     holder = seat->holder;

          /* The contract forgets the grant of a seat given back. */
          g_hash_table_remove (self->grants, key);
          seat_clear (seat);
          sync_key_granted (self, &holder);
          set_seats_taken (self, self->seats_taken - 1);
        }
    }
  else if (g_str_equal (event, "Committed"))
    {
      ok = (seat = held_seat (self, log)) != NULL;
      if (ok)
        seat->state = TALLY_LABEL_SEAT_COMMITTED;
    }
  else if (g_str_equal (event, "Revealed"))
    {
      ok = (seat = held_seat (self, log)) != NULL;
      if (ok)
        {
          seat->state = TALLY_LABEL_SEAT_REVEALED;
          g_clear_pointer (&seat->labels, g_bytes_unref);
          g_clear_pointer (&seat->payload, g_bytes_unref);
          seat->labels = bytes_value (log, "labels");
          seat->payload = bytes_value (log, "payload");
          ok = seat->labels != NULL && seat->payload != NULL;
        }
    }
  else if (g_str_equal (event, "KeyGranted"))
    {
      TallyAddress account;

      g_autoptr (GBytes) sealed = bytes_value (log, "sealedKey");

      ok = address_value (log, "account", &account) && sealed != NULL;
      if (ok)
        {
          g_hash_table_replace (self->grants, grant_key_of (&account), g_steal_pointer (&sealed));
          sync_key_granted (self, &account);
        }
    }
  else if (g_str_equal (event, "ReviewJoined"))
    {
      ok = (review = review_of (self, log, FALSE)) != NULL;
      if (ok)
        {
          review->state = TALLY_LABEL_SEAT_JOINED;
          ok = public_key_value (log, &review->has_public_key, review->public_key);
        }
    }
  else if (g_str_equal (event, "ReviewCommitted"))
    {
      ok = (review = review_of (self, log, TRUE)) != NULL;
      if (ok)
        review->state = TALLY_LABEL_SEAT_COMMITTED;
    }
  else if (g_str_equal (event, "ReviewRevealed"))
    {
      ok = (review = review_of (self, log, TRUE)) != NULL;
      if (ok)
        {
          review->state = TALLY_LABEL_SEAT_REVEALED;
          g_clear_pointer (&review->verdicts, g_bytes_unref);
          ok = (review->verdicts = bytes_value (log, "verdicts")) != NULL;
        }
    }
  else if (g_str_equal (event, "GoldRevealed"))
    ok = apply_gold (self, log);
  else if (g_str_equal (event, "Settled"))
    ok = apply_settled (self, log);
  else if (g_str_equal (event, "Finalized"))
    {
      uint_value (log, "refund", &self->refund);
      uint_value (log, "burned", &self->burned);
      set_state (self, TALLY_LABEL_TASK_FINALIZED);
    }
  else if (g_str_equal (event, "TaskCancelled"))
    {
      uint_value (log, "refund", &self->refund);
      set_state (self, TALLY_LABEL_TASK_CANCELLED);
    }
  /* Other events (Burned, Staked, ...) change nothing a task shows. */

  g_signal_emit (self, signals[CHANGED], 0);
  return ok;
}

/* ---- Reading --------------------------------------------------------------- */

#define GETTER(type, name, expr)                           \
  type tally_task_get_##name (TallyTask *self)             \
  {                                                        \
    g_return_val_if_fail (TALLY_IS_TASK (self), (type) 0); \
    return expr;                                           \
  }

GETTER (const TallyUint256 *, id, &self->id)
GETTER (const TallyAddress *, requester, &self->requester)
GETTER (const TallyLabelTaskParams *, params, &self->params)
GETTER (const char *, manifest_uri, self->manifest_uri)
GETTER (const TallyUint256 *, budget, &self->budget)
GETTER (guint64, created_block, self->created_block)
GETTER (TallyLabelTaskState, state, self->state)
GETTER (guint, seats_taken, self->seats_taken)
GETTER (gboolean, gold_revealed, self->gold_revealed)
GETTER (GArray *, gold_indices, self->gold_indices)
GETTER (GBytes *, gold_labels, self->gold_labels)
GETTER (const TallyUint256 *, refund, &self->refund)
GETTER (const TallyUint256 *, burned, &self->burned)

gboolean
tally_task_is_private (TallyTask *self)
{
  g_return_val_if_fail (TALLY_IS_TASK (self), FALSE);

  return self->params.has_key_server;
}

gboolean
tally_task_has_gold (TallyTask *self)
{
  static const guint8 zero[32] = { 0 };

  g_return_val_if_fail (TALLY_IS_TASK (self), FALSE);

  return memcmp (self->params.gold_commitment, zero, sizeof zero) != 0;
}

GBytes *
tally_task_get_sealed_key (TallyTask          *self,
                           const TallyAddress *account)
{
  g_autofree char *key = NULL;
  GBytes          *sealed;

  g_return_val_if_fail (TALLY_IS_TASK (self), NULL);
  g_return_val_if_fail (account != NULL, NULL);

  key = grant_key_of (account);
  sealed = g_hash_table_lookup (self->grants, key);
  return sealed != NULL ? g_bytes_ref (sealed) : NULL;
}

gboolean
tally_task_has_key_grant (TallyTask          *self,
                          const TallyAddress *account)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (TALLY_IS_TASK (self), FALSE);
  g_return_val_if_fail (account != NULL, FALSE);

  key = grant_key_of (account);
  return g_hash_table_contains (self->grants, key);
}

const TallyTaskSeat *
tally_task_get_seat (TallyTask *self,
                     guint      seat)
{
  g_return_val_if_fail (TALLY_IS_TASK (self), NULL);
  g_return_val_if_fail (seat < self->params.replication, NULL);

  return &self->seats[seat];
}

gint
tally_task_find_seat (TallyTask          *self,
                      const TallyAddress *account)
{
  g_return_val_if_fail (TALLY_IS_TASK (self), -1);

  for (guint s = 0; s < self->params.replication; s++)
    if (self->seats[s].taken && tally_address_equal (&self->seats[s].holder, account))
      return (gint) s;
  return -1;
}

const TallyTaskReview *
tally_task_get_review (TallyTask *self,
                       guint      seat,
                       guint      review_slot)
{
  g_return_val_if_fail (TALLY_IS_TASK (self), NULL);
  g_return_val_if_fail (seat < self->params.replication, NULL);
  g_return_val_if_fail (review_slot < self->params.reviewers, NULL);

  return &self->reviews[seat][review_slot];
}

TallyTaskPhase
tally_task_get_phase (TallyTask *self,
                      guint64    now)
{
  const TallyLabelTaskParams *p;

  g_return_val_if_fail (TALLY_IS_TASK (self), TALLY_TASK_PHASE_CANCELLED);

  p = &self->params;
  if (self->state == TALLY_LABEL_TASK_FINALIZED)
    return TALLY_TASK_PHASE_FINALIZED;
  if (self->state == TALLY_LABEL_TASK_CANCELLED)
    return TALLY_TASK_PHASE_CANCELLED;
  if (now <= p->commit_deadline)
    return TALLY_TASK_PHASE_LABELING;
  if (now <= p->reveal_deadline)
    return TALLY_TASK_PHASE_REVEAL;
  if (now <= p->review_commit_deadline)
    return TALLY_TASK_PHASE_REVIEW;
  if (now <= p->review_reveal_deadline)
    return TALLY_TASK_PHASE_REVIEW_REVEAL;
  return TALLY_TASK_PHASE_SETTLEABLE;
}

guint64
tally_task_get_next_deadline (TallyTask *self,
                              guint64    now)
{
  g_return_val_if_fail (TALLY_IS_TASK (self), 0);

  if (self->state != TALLY_LABEL_TASK_OPEN)
    return 0;
  {
    const guint64 deadlines[] = {
      self->params.commit_deadline,
      self->params.reveal_deadline,
      self->params.review_commit_deadline,
      self->params.review_reveal_deadline,
    };

    for (guint i = 0; i < G_N_ELEMENTS (deadlines); i++)
      if (deadlines[i] >= now)
        return deadlines[i];
  }
  return 0;
}

gboolean
tally_task_encode_finalize (TallyTask *self,
                            guint8   **out,
                            gsize     *out_len,
                            GError   **error)
{
  const TallyLabelTaskParams *p;
  g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr (GPtrArray) verdicts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  GArray *gold = self->gold_revealed ? self->gold_indices : NULL;

  g_return_val_if_fail (TALLY_IS_TASK (self), FALSE);

  p = &self->params;
  if (self->state != TALLY_LABEL_TASK_OPEN)
    {
      g_autofree char *id = tally_uint256_to_decimal (&self->id);

      g_set_error (error, TALLY_CORE_ERROR, TALLY_CORE_ERROR_WRONG_STATE, "Task %s is already %s",
                   id, self->state == TALLY_LABEL_TASK_CANCELLED ? "cancelled" : "settled");
      return FALSE;
    }
  for (guint s = 0; s < p->replication; s++)
    {
      const TallyTaskSeat *seat = &self->seats[s];

      g_ptr_array_add (labels, seat->state == TALLY_LABEL_SEAT_REVEALED && seat->labels != NULL
                                 ? g_bytes_ref (seat->labels)
                                 : g_bytes_new (NULL, 0));
      for (guint v = 0; v < p->reviewers; v++)
        {
          const TallyTaskReview *review = &self->reviews[s][v];

          g_ptr_array_add (verdicts, review->state == TALLY_LABEL_SEAT_REVEALED && review->verdicts != NULL
                                       ? g_bytes_ref (review->verdicts)
                                       : g_bytes_new (NULL, 0));
        }
    }
  return tally_label_market_encode_finalize (
    out, out_len, &self->id, (GBytes *const *) labels->pdata, labels->len,
    gold != NULL && gold->len > 0 ? &g_array_index (gold, guint16, 0) : NULL,
    gold != NULL ? g_bytes_get_data (self->gold_labels, NULL) : NULL, gold != NULL ? gold->len : 0,
    (GBytes *const *) verdicts->pdata, verdicts->len, error);
}

/* ---- The object ------------------------------------------------------------ */

static void
tally_task_finalize (GObject *object)
{
  TallyTask *self = TALLY_TASK (object);

  for (guint s = 0; s < TALLY_LABEL_MAX_REPLICATION; s++)
    {
      seat_clear (&self->seats[s]);
      for (guint v = 0; v < TALLY_LABEL_MAX_REVIEWERS; v++)
        review_clear (&self->reviews[s][v]);
    }
  g_clear_pointer (&self->gold_indices, g_array_unref);
  g_clear_pointer (&self->gold_labels, g_bytes_unref);
  g_clear_pointer (&self->grants, g_hash_table_unref);
  g_free (self->manifest_uri);

  G_OBJECT_CLASS (tally_task_parent_class)->finalize (object);
}

static void
tally_task_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  TallyTask *self = TALLY_TASK (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_uint (value, self->state);
      break;
    case PROP_SEATS_TAKEN:
      g_value_set_uint (value, self->seats_taken);
      break;
    case PROP_GOLD_REVEALED:
      g_value_set_boolean (value, self->gold_revealed);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tally_task_class_init (TallyTaskClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = tally_task_finalize;
  object_class->get_property = tally_task_get_property;

  /* A TallyLabelTaskState. */
  properties[PROP_STATE] = g_param_spec_uint ("state", NULL, NULL, 0, TALLY_LABEL_TASK_FINALIZED,
                                              TALLY_LABEL_TASK_OPEN, flags);
  properties[PROP_SEATS_TAKEN] = g_param_spec_uint ("seats-taken", NULL, NULL, 0,
                                                    TALLY_LABEL_MAX_REPLICATION, 0, flags);
  properties[PROP_GOLD_REVEALED] = g_param_spec_boolean ("gold-revealed", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Anything about the task changed (a seat, a review, the state). */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                   NULL, NULL, G_TYPE_NONE, 0);
}

static void
tally_task_init (TallyTask *self)
{
  self->grants = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_bytes_unref);
}
