/* SPDX-License-Identifier: MIT */
/* The allocation counter (bench-allocs.c): malloc, calloc, realloc and the
 * aligned variants, interposed in the executable that links bench-allocs.c,
 * counted, and forwarded to glibc.  free is forwarded, not counted. */
#ifndef SEIZE_BENCH_ALLOCS_H
#define SEIZE_BENCH_ALLOCS_H

#include <stdint.h>

/* Allocations made so far by every thread of this process. */
uint64_t bench_allocs(void);

#endif
