/* SPDX-License-Identifier: MIT
 * Shared helpers for the cmocka unit tests. */
#ifndef PKO_TEST_UTIL_H
#define PKO_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* A fresh temporary directory path in 'out' (removed by test_rmdir). */
static inline void test_tmpdir(char *out, size_t n)
{
    snprintf(out, n, "/tmp/pko-unit-XXXXXX");
    if (!mkdtemp(out))
        fail_msg("mkdtemp failed");
}

static inline void test_rmdir(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fail_msg("cannot remove %s", dir);
}

#endif
