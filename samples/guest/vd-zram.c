// SPDX-License-Identifier: MIT
/*
 * vd-zram: a sample-guest process whose memory the real-dump tests know in
 * advance, with most of it pushed out to a zram swap device before the
 * guest crashes.  Not built by CMake: samples/make-dumps.sh builds it
 * statically for the zram variants' initramfs (see samples/guest/README.md).
 *
 *   vd-zram MARKER            (environment: VDZRAM_ENV=MARKER)
 *
 * It keeps:
 *   - argv[1] and the environment variable VDZRAM_ENV, both MARKER;
 *   - a heap block that starts "VDZRAM-HEAP MARKER";
 *   - NPAGES anonymous pages whose bytes vdzram_fill() below makes from the
 *     page's index and the marker alone, of four kinds (index % 4) so that
 *     zram stores each kind its own way:
 *       0 "text":  a 64-byte header "VDZRAM-PAGE nnnn K MARKER\n" (NUL-padded),
 *                  then 64-bit words (index << 32 | word number): compresses well;
 *       1 "mixed": the header, a xorshift64* stream (seeded index + 1) up to the
 *                  middle of the page, zeros after: compresses to about half a page,
 *                  so zsmalloc objects of that class straddle two pages;
 *       2 "same":  every 64-bit word 0x56445a5200000000 | index (no header): zram
 *                  keeps only the value (ZRAM_SAME), no zsmalloc object;
 *       3 "random": the header, then the xorshift64* stream to the end: does not
 *                  compress, zram stores it as it is (ZRAM_HUGE);
 * then asks the kernel to page out the first NSWAPPED pages
 * (madvise(MADV_PAGEOUT), 5.4+), which with a zram swap device puts them in
 * zram and turns their PTEs into swap entries; the others stay resident.
 * It prints where everything is, and the kernel's VmSwap for it, on
 * /dev/kmsg (so the console log and the dump's printk log have it), then
 * sleeps until the guest crashes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define NPAGES 256
#define NSWAPPED 192

static uint64_t
xorshift64s(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545f4914f6cdd1dull;
}

/* Page i's bytes (see the top of the file). */
static void
vdzram_fill(unsigned char *p, size_t page, unsigned i, const char *marker)
{
	unsigned kind = i % 4;
	uint64_t x = (uint64_t)i + 1, v;

	if (kind == 2) {
		v = 0x56445a5200000000ull | i;
		for (size_t o = 0; o + 8 <= page; o += 8)
			memcpy(p + o, &v, 8);
		return;
	}
	memset(p, 0, page);
	snprintf((char *)p, 64, "VDZRAM-PAGE %04u %u %s\n", i, kind, marker);
	for (size_t o = 64; o + 8 <= page; o += 8) {
		if (kind == 0)
			v = (uint64_t)i << 32 | o / 8;
		else if (kind == 3 || o < page / 2)
			v = xorshift64s(&x);
		else
			v = 0;
		memcpy(p + o, &v, 8);
	}
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

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

/* The kernel's own count of this process's swapped-out memory (kB), or -1. */
static long
vmswap_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmSwap: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
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
	say("vd-zram: pid %d pages %p npages %d swapped %d (madvise %s) heap %p page_size %zu "
	    "vmswap_kb %ld\n", (int)getpid(), (void *)pages, NPAGES, NSWAPPED,
	    r ? strerror(errno) : "ok", (void *)heap, page, vmswap_kb());
	for (;;)
		pause();
}
