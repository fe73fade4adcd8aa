/* tally-test-stack.h: run wallet code on a stack of its own, then look for
 * secrets left behind on it
 *
 * As libwally's src/ctest/test_clear.c does: a thread runs on a zeroed,
 * caller-owned stack; once it has returned, that memory is scanned for any
 * 8-byte piece of a secret (a random 8-byte match elsewhere is ~2^-44 for a
 * 1 MiB stack). Header-only so each test that needs it just includes it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include <glib.h>

#define TALLY_TEST_STACK_SIZE  (1024 * 1024)
#define TALLY_TEST_STACK_PIECE 8

typedef struct
{
  void (*func) (gpointer data);
  gpointer data;
} TallyTestStackJob;

static guint8 *tally_test_stack;

static inline void *
tally_test_stack_trampoline (void *data)
{
  TallyTestStackJob *job = data;

  job->func (job->data);
  return NULL;
}

static inline void
tally_test_run_on_scratch_stack (void (*func) (gpointer data),
                                 gpointer data)
{
  TallyTestStackJob job = { func, data };
  pthread_attr_t    attr;
  pthread_t         thread;

  if (tally_test_stack == NULL)
    {
      tally_test_stack = mmap (NULL, TALLY_TEST_STACK_SIZE, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
      g_assert_true (tally_test_stack != MAP_FAILED);
    }
  memset (tally_test_stack, 0, TALLY_TEST_STACK_SIZE);

  g_assert_cmpint (pthread_attr_init (&attr), ==, 0);
  g_assert_cmpint (pthread_attr_setstack (&attr, tally_test_stack, TALLY_TEST_STACK_SIZE), ==, 0);
  g_assert_cmpint (pthread_create (&thread, &attr, tally_test_stack_trampoline, &job), ==, 0);
  g_assert_cmpint (pthread_join (thread, NULL), ==, 0);
  pthread_attr_destroy (&attr);
}

static inline void
tally_test_assert_not_on_scratch_stack (const char   *what,
                                        const guint8 *secret,
                                        gsize         len)
{
  g_assert_nonnull (tally_test_stack);
  g_assert_cmpuint (len, >=, TALLY_TEST_STACK_PIECE);

  for (gsize offset = 0; offset + TALLY_TEST_STACK_PIECE <= len; offset++)
    {
      const guint8 *found = memmem (tally_test_stack, TALLY_TEST_STACK_SIZE, secret + offset,
                                    TALLY_TEST_STACK_PIECE);

      if (found != NULL)
        g_error ("%s bytes %" G_GSIZE_FORMAT "..%" G_GSIZE_FORMAT " left on the stack at offset %td",
                 what, offset, offset + TALLY_TEST_STACK_PIECE - 1, found - tally_test_stack);
    }
}
