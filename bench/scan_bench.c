// SPDX-License-Identifier: MIT
/*
 * scan_bench FILE: the codec limit of a kdump file's pages and the
 * throughput of a parallel scan of them (bench/scan.sh).
 *
 * The dumped pages' stored bytes are loaded into memory first; then, on
 * one core and without the scan machinery (no threads, no file reads, no
 * bitmaps):
 *   file codec   every page decoded with the reader's own decoder
 *   memcpy       every decoded page copied
 *   lz4          every page recompressed with LZ4 (default level), then
 *                decoded with LZ4_decompress_safe
 * and then the scan of all memory (vd_dump_scan_*, the caller touching
 * nothing) with 1 thread and with THREADS (default: online CPUs).  Rates
 * are decoded bytes per second of wall time, and per CPU-second of all
 * the process's threads (what a busy machine does not distort: at 1.0
 * the scan costs no more CPU than the bare codec, so with N idle cores
 * it runs at N times the codec); each is the best of three runs.
 *   scan_bench FILE [THREADS]
 */
#include <lz4.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "formats/diskdump.h"
#include "formats/dump_priv.h"

struct pg {
	uint64_t pfn;
	const struct vd_source *src;
	struct vd_page_plan plan;
	size_t at;              /* stored bytes at store + at */
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of every thread of the process. */
static double
cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static double
mbps(uint64_t bytes, double secs)
{
	return secs > 0 ? (double)bytes / secs / 1e6 : 0;
}

static double
scan_rate(struct vd_dump *dump, unsigned threads, uint64_t *bytes_ret, double *cpu_rate)
{
	const struct vd_mem_range *r;
	size_t n = vd_dump_ranges(dump, &r);
	double best = 0;

	for (int rep = 0; rep < 3; rep++) {
		uint64_t bytes = 0, sum = 0;
		double t0 = now(), c0 = cpu();

		for (size_t i = 0; i < n; i++) {
			struct vd_scan_opts o = { .threads = threads, .skip_holes = true };
			struct vd_dump_scan *s = NULL;
			struct vd_scan_piece p;
			struct vd_error *err = vd_dump_scan_open(dump, r[i].start, r[i].end, &o, &s);

			if (err) {
				fprintf(stderr, "%s\n", err->msg);
				exit(1);
			}
			while (vd_dump_scan_next(s, &p))
				if (p.data) {
					bytes += p.len;
					sum += p.data[0];
				}
			vd_dump_scan_close(s);
		}
		if (sum == 1)            // keep the loads
			fputc(' ', stderr);
		best = VD_MAX(best, mbps(bytes, now() - t0));
		*cpu_rate = VD_MAX(*cpu_rate, mbps(bytes, cpu() - c0));
		*bytes_ret = bytes;
	}
	return best;
}

int
main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : NULL;
	unsigned threads = argc > 2 ? (unsigned)atoi(argv[2]) : 0;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct vd_dump *dump = NULL;
	struct vd_error *err;
	struct pg *pages = NULL;
	size_t npages = 0, cap = 0, store_len = 0;
	unsigned char *store = NULL, *decoded, *lz, *out;
	size_t *lz_at, lz_len = 0;
	uint32_t ps, flags = 0;
	double codec = 0, codec_cpu = 0, copy = 0, lz4 = 0, s1, sn, s1_cpu = 0, sn_cpu = 0;
	uint64_t scanned = 0;
	const char *name;

	if (!path) {
		fprintf(stderr, "usage: scan_bench FILE [THREADS]\n");
		return 2;
	}
	if (!threads)
		threads = ncpu < 1 ? 1 : (unsigned)VD_MIN(ncpu, (long)VD_SCAN_THREADS_MAX);
	err = vd_dump_open(&path, 1, NULL, &dump);
	if (err) {
		fprintf(stderr, "%s\n", err->msg);
		return 1;
	}
	ps = dump->info.page_size;
	// Every dumped page's plan and stored bytes.
	for (size_t i = 0; i < dump->nsegs; i++) {
		const struct vd_segment *seg = &dump->segs[i];

		if (seg->kind != VD_SEG_PAGED || !seg->src->ops->plan_page)
			continue;
		for (uint64_t pfn = seg->start / ps; pfn < seg->end / ps; pfn++) {
			struct vd_page_plan plan;

			pfn = seg->src->ops->next_page(seg->src->priv, pfn);
			if (pfn >= seg->end / ps)
				break;
			err = seg->src->ops->plan_page(seg->src->priv, pfn, &plan);
			if (err) {
				vd_error_destroy(err);
				continue;
			}
			if (!vd_grow(&pages, npages, sizeof(*pages)))
				return 1;
			if (store_len + plan.size > cap) {
				cap = VD_MAX(cap * 2, (size_t)64 << 20);
				store = realloc(store, cap);
				if (!store)
					return 1;
			}
			err = vd_file_pread(seg->src->file, plan.file_off, store + store_len,
					    plan.size, "page data");
			if (err) {
				vd_error_destroy(err);
				continue;
			}
			pages[npages++] = (struct pg){ pfn, seg->src, plan, store_len };
			store_len += plan.size;
			flags |= plan.flags & DD_COMPRESSED;
		}
	}
	if (!npages) {
		fprintf(stderr, "%s: no decodable pages\n", path);
		return 1;
	}
	name = flags == DD_ZLIB ? "zlib" : flags == DD_LZO ? "lzo" : flags == DD_SNAPPY ?
	       "snappy" : flags == DD_ZSTD ? "zstd" : flags ? "several" : "none";
	decoded = malloc(npages * ps);
	out = malloc(ps);
	lz = malloc(npages * (size_t)LZ4_compressBound((int)ps));
	lz_at = malloc((npages + 1) * sizeof(*lz_at));
	if (!decoded || !out || !lz || !lz_at)
		return 1;
	{
		const struct vd_source *src = pages[0].src;
		void *dec = src->ops->dec_new(src->priv);

		for (int rep = 0; rep < 3; rep++) {
			double t0 = now(), c0 = cpu();

			for (size_t i = 0; i < npages; i++) {
				err = src->ops->decode_page(src->priv, dec, pages[i].pfn,
							    &pages[i].plan, store + pages[i].at,
							    decoded + i * ps);
				if (err) {
					fprintf(stderr, "%s\n", err->msg);
					return 1;
				}
			}
			codec = VD_MAX(codec, mbps((uint64_t)npages * ps, now() - t0));
			codec_cpu = VD_MAX(codec_cpu, mbps((uint64_t)npages * ps, cpu() - c0));
		}
		src->ops->dec_free(dec);
	}
	for (int rep = 0; rep < 3; rep++) {
		double t0 = now();
		unsigned sum = 0;

		for (size_t i = 0; i < npages; i++) {
			memcpy(out, decoded + i * ps, ps);
			sum += out[i % ps];
		}
		copy = VD_MAX(copy, mbps((uint64_t)npages * ps, now() - t0));
		if (sum == 1)
			fputc(' ', stderr);
	}
	for (size_t i = 0; i < npages; i++) {
		int n = LZ4_compress_default((const char *)decoded + i * ps, (char *)lz + lz_len,
					     (int)ps, LZ4_compressBound((int)ps));

		lz_at[i] = lz_len;
		lz_len += (size_t)(n > 0 ? n : 0);
	}
	lz_at[npages] = lz_len;
	for (int rep = 0; rep < 3; rep++) {
		double t0 = now();

		for (size_t i = 0; i < npages; i++)
			if (LZ4_decompress_safe((const char *)lz + lz_at[i], (char *)out,
						(int)(lz_at[i + 1] - lz_at[i]), (int)ps) != (int)ps)
				return 1;
		lz4 = VD_MAX(lz4, mbps((uint64_t)npages * ps, now() - t0));
	}
	s1 = scan_rate(dump, 1, &scanned, &s1_cpu);
	sn = scan_rate(dump, threads, &scanned, &sn_cpu);
	printf("%s: %s, %zu pages of %u bytes (%.1f MB stored, %.1f MB decoded)\n", path, name,
	       npages, ps, store_len / 1e6, (double)npages * ps / 1e6);
	printf("  one core, no scan: %s %.0f MB/s, memcpy %.0f MB/s, lz4 %.0f MB/s\n", name,
	       codec, copy, lz4);
	printf("  scan: 1 thread %.0f MB/s, %u threads %.0f MB/s (%.1f MB of RAM read)\n", s1,
	       threads, sn, scanned / 1e6);
	printf("  per CPU-second: %s %.0f MB, scan 1 thread %.0f MB, %u threads %.0f MB\n",
	       name, codec_cpu, s1_cpu, threads, sn_cpu);
	printf("  ratio: %u-thread scan / (%u x one-core %s) = %.2f (wall); per CPU-second %.2f\n",
	       threads, threads, name, sn / (threads * codec), sn_cpu / codec_cpu);
	free(decoded);
	free(out);
	free(lz);
	free(lz_at);
	free(store);
	free(pages);
	vd_dump_close(dump);
	return 0;
}
