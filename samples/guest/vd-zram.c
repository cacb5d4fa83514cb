// SPDX-License-Identifier: MIT
/*
 * vd-zram: a sample-guest process whose memory the real-dump tests know in
 * advance, with part of it pushed out to swap (an lz4 zram device) before
 * the guest crashes.  Not built by CMake: samples/make-dumps.sh builds it
 * statically for the guest (see samples/guest/README.md).
 *
 *   vd-zram MARKER            (environment: VDZRAM_ENV=MARKER)
 *
 * It keeps:
 *   - argv[1] and the environment variable VDZRAM_ENV, both MARKER;
 *   - a heap block that starts "VDZRAM-HEAP MARKER";
 *   - NPAGES anonymous pages, page i starting "VDZRAM-PAGE nnnn MARKER\n"
 *     (64 bytes, NUL-padded) followed by a xorshift64* stream seeded with
 *     i + 1, which a test regenerates (vdzram_fill below) and compares byte
 *     for byte;
 * then asks the kernel to page out the first NSWAPPED pages
 * (madvise(MADV_PAGEOUT), 5.4+), which with a zram swap device puts them
 * in zsmalloc memory, lz4-compressed, and clears their PTEs to swap
 * entries; the other pages stay resident.  It prints where everything is
 * on /dev/kmsg (so the console log and the dump's printk log have it) and
 * sleeps until the guest crashes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define NPAGES 64
#define NSWAPPED 32

/* Page i's bytes: the header, then the xorshift64* stream seeded i + 1. */
static void
vdzram_fill(unsigned char *p, size_t page, unsigned i, const char *marker)
{
	uint64_t x = (uint64_t)i + 1;

	memset(p, 0, 64);
	snprintf((char *)p, 64, "VDZRAM-PAGE %04u %s\n", i, marker);
	for (size_t o = 64; o + 8 <= page; o += 8) {
		uint64_t v;

		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		v = x * 0x2545f4914f6cdd1dull;
		memcpy(p + o, &v, 8);
	}
}

static void
say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#include <stdarg.h>
static void
say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int fd, n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	fd = open("/dev/kmsg", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, buf, (size_t)n) < 0)
			perror("vd-zram: /dev/kmsg");
		close(fd);
	}
	fputs(buf, stdout);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	const char *marker = argc > 1 ? argv[1] : "none";
	const char *env = getenv("VDZRAM_ENV");
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *pages;
	char *heap;
	int r;

	if (!env || strcmp(env, marker)) {
		fprintf(stderr, "vd-zram: VDZRAM_ENV must equal argv[1]\n");
		return 2;
	}
	heap = malloc(4096);
	if (!heap)
		return 1;
	snprintf(heap, 4096, "VDZRAM-HEAP %s", marker);
	pages = mmap(NULL, NPAGES * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		     -1, 0);
	if (pages == MAP_FAILED) {
		perror("vd-zram: mmap");
		return 1;
	}
	for (unsigned i = 0; i < NPAGES; i++)
		vdzram_fill(pages + i * page, page, i, marker);
	r = madvise(pages, NSWAPPED * page, MADV_PAGEOUT);
	say("vd-zram: pid %d pages %p npages %d swapped %d (madvise %s) heap %p page_size %zu\n",
	    (int)getpid(), (void *)pages, NPAGES, NSWAPPED, r ? strerror(errno) : "ok",
	    (void *)heap, page);
	for (;;)
		pause();
}
