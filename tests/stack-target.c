/* SPDX-License-Identifier: MIT */
/* The program test-stack shows the stacks of: three threads, each calling
 * chain_a -> chain_b -> chain_c, which blocks in read() on a pipe nobody
 * writes, and the main thread in pause().  Built twice by meson, with and
 * without frame pointers (-O1 -g, no sibling calls, so each call keeps its
 * frame).  Once every thread is about to block it writes "R" to the
 * descriptor named by its first argument.  It ends when killed. */
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <unistd.h>

#define THREADS 3

static sem_t placed;
static int never[2];	/* a pipe nobody writes: read() blocks for good */

/* noinline, noclone: each function keeps its name and its frame; external
 * and used, so no pass may rename it. */
int chain_c(int x) __attribute__((noinline, noclone, used));
int chain_b(int x) __attribute__((noinline, noclone, used));
int chain_a(int x) __attribute__((noinline, noclone, used));

int chain_c(int x)
{
	char c;

	sem_post(&placed);
	if (read(never[0], &c, 1) < 0)
		return -x;
	return x + c;
}

int chain_b(int x)
{
	return chain_c(x + 1) * 3;
}

int chain_a(int x)
{
	return chain_b(x + 1) * 5;
}

static void *thread_main(void *arg)
{
	long r = chain_a((int)(long)arg);

	return (void *)r;
}

int main(int argc, char **argv)
{
	pthread_t t[THREADS];
	int ready = argc > 1 ? atoi(argv[1]) : -1;

	if (pipe(never) < 0 || sem_init(&placed, 0, 0) < 0)
		return 1;
	for (long i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, thread_main, (void *)i) != 0)
			return 1;
	for (int i = 0; i < THREADS; i++)
		while (sem_wait(&placed) < 0) {
		}
	if (ready >= 0 && (write(ready, "R", 1) != 1 || close(ready) < 0))
		return 1;
	for (;;)
		pause();
}
