/* SPDX-License-Identifier: MIT */
/* The allocation counter, for the benchmarks that count allocations (and
 * only those: bench/meson.build links it into them alone).  Defined in the
 * executable, these take the place of glibc's malloc family for every
 * caller, libseize.so included; each counts, then calls glibc's own.  A
 * sanitizer's allocator must own malloc, so no benchmark is built there. */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>	/* memalign */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "bench-allocs.h"

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void *__libc_memalign(size_t align, size_t size);
extern void __libc_free(void *ptr);

static uint64_t allocs;

static void count(void)
{
	__atomic_fetch_add(&allocs, 1, __ATOMIC_RELAXED);
}

uint64_t bench_allocs(void)
{
	return __atomic_load_n(&allocs, __ATOMIC_RELAXED);
}

void *malloc(size_t size)
{
	count();
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	count();
	return __libc_calloc(n, size);
}

void *realloc(void *ptr, size_t size)
{
	count();
	return __libc_realloc(ptr, size);
}

void *aligned_alloc(size_t align, size_t size)
{
	count();
	return __libc_memalign(align, size);
}

void *memalign(size_t align, size_t size)
{
	count();
	return __libc_memalign(align, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
	void *p;

	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	count();
	p = __libc_memalign(align, size);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

void free(void *ptr)
{
	__libc_free(ptr);
}
