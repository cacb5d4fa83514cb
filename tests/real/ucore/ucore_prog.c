// SPDX-License-Identifier: MIT
/*
 * A program that dies for tests/real/test_user_cores.sh: known globals in
 * .data and .bss, a heap marker, a second thread parked in pause(), then
 * abort() ("abrt") or a store to 0xdead0000 ("segv").  The test reads the
 * values back from the core with vmdive and with gdb.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

unsigned long long vd_marker_global = 0x5644434f52453031ull;   /* .data */
char vd_marker_string[64] = "vmdive-user-core-marker";
int vd_counter;                                                /* .bss */
char *vd_heap;

static pthread_barrier_t barrier;

static void *
worker(void *arg)
{
	vd_counter += 1;
	pthread_barrier_wait(&barrier);
	for (;;)
		pause();
	return arg;
}

void vd_crash_here(int mode);

__attribute__((noinline)) void
vd_crash_here(int mode)
{
	if (mode == 1)
		abort();
	*(volatile int *)0xdead0000 = 1;
}

int
main(int argc, char **argv)
{
	pthread_t t;

	vd_heap = malloc(4096);
	strcpy(vd_heap, "vmdive heap marker 0123456789");
	vd_counter = 41;
	vd_marker_global ^= 0xffull;
	pthread_barrier_init(&barrier, NULL, 2);
	pthread_create(&t, NULL, worker, NULL);
	pthread_barrier_wait(&barrier);
	vd_crash_here(argc > 1 && !strcmp(argv[1], "segv") ? 2 : 1);
	return 0;
}
