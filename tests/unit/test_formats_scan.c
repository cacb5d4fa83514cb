// SPDX-License-Identifier: MIT
/*
 * Scans (vd_dump_scan_*): every piece against the page-by-page path
 * (vd_dump_read of each page: the same bytes, the same error code and
 * message) and against the page contents the writer was given
 * (tests/gen/mkdiskdump.c, compiled in as a library), on kdump files of
 * every compression, with excluded, zero, lost, corrupt and not-RAM
 * pages, a truncated file and a flattened one, with 1, 2 and 5 threads,
 * ranges that start and end inside pages, and --zero-excluded.
 *
 *   test_formats_scan                    the synthetic files
 *   test_formats_scan FILE [THREADS]     a dump file (the real-dump test,
 *                                        tests/real/test_scan_real.sh)
 */
#define MKDD_NO_MAIN
#include "../gen/mkdiskdump.c"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "harness.h"
#include "vmdive/dump.h"

#define TMP_FILES_PREFIX "vd-scan"
#include "tmp_files.h"

static struct mkdd *
make(const char *desc, const char *name, char *path, size_t len)
{
	char err[256];
	struct mkdd *m = mkdd_parse(desc, err, sizeof(err));

	CHECK(m != NULL);
	if (!m) {
		fprintf(stderr, "mkdd_parse: %s\n", err);
		return NULL;
	}
	tmp_path(name, path, len);
	if (mkdd_write(m, path, err, sizeof(err))) {
		fprintf(stderr, "mkdd_write: %s\n", err);
		CHECK(0);
		mkdd_free(m);
		return NULL;
	}
	return m;
}

struct tally {
	uint64_t data_bytes, fail_pieces, pieces;
};

/*
 * Scan [start, end) and hold every piece against vd_dump_read() of the
 * same bytes, one page at a time, and against m's page contents when m
 * is given.  Returns the mismatches (at most a few are printed).
 */
static int
compare_ranges(struct vd_dump *dump, const struct mkdd *m, const struct vd_scan_range *rs,
	       size_t nr, unsigned threads, bool skip_holes, bool zero_excluded,
	       struct tally *t)
{
	struct vd_scan_opts opts = { .threads = threads, .skip_holes = skip_holes };
	uint32_t ps = vd_dump_info(dump)->page_size;
	unsigned char *page = malloc(ps), *want = malloc(ps);
	struct vd_dump_scan *scan = NULL;
	struct vd_scan_piece p;
	size_t ri = 0;
	uint64_t at = nr ? rs[0].start : 0, end = nr ? rs[0].end : 0;
	int bad = 0;

	memset(t, 0, sizeof(*t));
	if (nr == 1)
		CHECK_OK(vd_dump_scan_open(dump, rs[0].start, rs[0].end, &opts, &scan));
	else
		CHECK_OK(vd_dump_scan_open_ranges(dump, rs, nr, &opts, &scan));
	if (!scan || !page || !want) {
		free(page);
		free(want);
		return 1;
	}
	while (bad < 5 && vd_dump_scan_next(scan, &p)) {
		t->pieces++;
		// The next range once this one is covered.
		while (at >= end && ri + 1 < nr) {
			ri++;
			at = rs[ri].start;
			end = rs[ri].end;
		}
		if (p.range != ri || p.addr != at || !p.len || p.len > end - at) {
			fprintf(stderr, "  piece [0x%llx, +0x%zx) where 0x%llx was due\n",
				(unsigned long long)p.addr, p.len, (unsigned long long)at);
			bad++;
			break;
		}
		if (!p.data && (!p.err || (!skip_holes &&
					   p.addr / ps != (p.addr + p.len - 1) / ps))) {
			fprintf(stderr, "  failure at 0x%llx of 0x%zx bytes\n",
				(unsigned long long)p.addr, p.len);
			bad++;
		}
		// Page by page through the piece.
		for (uint64_t a = p.addr; a < p.addr + p.len && bad < 5;) {
			uint64_t pend = VD_MIN((a / ps + 1) * ps, p.addr + p.len);
			size_t n = (size_t)(pend - a), done = 0;
			struct vd_error *err = vd_dump_read(dump, a, page, n, &done);

			if (p.data) {
				if (err || memcmp(page, p.data + (a - p.addr), n)) {
					fprintf(stderr, "  0x%llx: scan bytes differ from the read's (%s)\n",
						(unsigned long long)a, err ? err->msg : "read them");
					bad++;
				} else if (m) {
					const struct mkdd_page *pg = mkdd_find_page(m, a / ps);

					if (!pg || ((pg->excluded || pg->lost) && !zero_excluded)) {
						fprintf(stderr, "  0x%llx: bytes of a page the file lacks\n",
							(unsigned long long)a);
						bad++;
					} else {
						if (pg->excluded || pg->lost)
							memset(want, 0, ps);
						else
							mkdd_page_content(m, pg, want);
						if (memcmp(want + a % ps, p.data + (a - p.addr), n)) {
							fprintf(stderr, "  0x%llx: not the page written\n",
								(unsigned long long)a);
							bad++;
						}
					}
				}
				t->data_bytes += n;
			} else if (a == p.addr) {
				// The failure itself: the same error.
				if (!err || err->code != p.err->code || strcmp(err->msg, p.err->msg) ||
				    done) {
					fprintf(stderr, "  0x%llx: scan says \"%s\", the read \"%s\"\n",
						(unsigned long long)a, p.err->msg,
						err ? err->msg : "success");
					bad++;
				}
			} else if (!err) {
				// A run skipped as a hole must hold nothing readable.
				fprintf(stderr, "  0x%llx: readable, but inside a failure piece from 0x%llx\n",
					(unsigned long long)a, (unsigned long long)p.addr);
				bad++;
			}
			vd_error_destroy(err);
			a = pend;
		}
		t->fail_pieces += !p.data;
		at = p.addr + p.len;
	}
	while (at >= end && ri + 1 < nr) {
		ri++;
		at = rs[ri].start;
		end = rs[ri].end;
	}
	if (!bad && at != end) {
		fprintf(stderr, "  the scan stopped at 0x%llx of range %zu, not 0x%llx\n",
			(unsigned long long)at, ri, (unsigned long long)end);
		bad++;
	}
	vd_dump_scan_close(scan);
	free(page);
	free(want);
	return bad;
}

static int
compare(struct vd_dump *dump, const struct mkdd *m, uint64_t start, uint64_t end,
	unsigned threads, bool skip_holes, bool zero_excluded, struct tally *t)
{
	struct vd_scan_range r = { start, end };

	return compare_ranges(dump, m, &r, 1, threads, skip_holes, zero_excluded, t);
}

/* Every page kind, over several batches and bitmap rank blocks. */
static const char mix_pages[] =
	"max_mapnr = 0x900\n"
	"pages 0-0x3ff pattern 7\n"
	"pages 0x10-0x1f zero\n"
	"pages 0x40-0x4f random\n"
	"pages 0x100-0x17f excluded\n"
	"page 0x200 excluded\n"
	"page 0x201 fill 0xa5\n"
	"page 0x202 bytes \"hello, kdump\\n\"\n"
	"page 0x203 u64 0xff8 0x1122334455667788 raw\n"
	"pages 0x500-0x8ff pattern 9\n"
	"pages 0x600-0x6ff excluded\n"
	"pages 0x7ff-0x800 zero\n";

static const char *const comps[] = { "none", "zlib", "lzo", "snappy", "zstd" };
static const unsigned threads[] = { 1, 2, 5 };

static const struct vd_scan_range runs[] = {
	{ 0x500000, 0x540000 }, { 0x0, 0x1000 }, { 0x203000, 0x204000 },
	{ 0x202000, 0x203000 }, { 0x201000, 0x202000 }, { 0x200000, 0x201000 },
	{ 0x120000, 0x120000 }, { 0x7fe800, 0x801800 }, { 0x3e07, 0x3f123 },
	{ 0x20000, 0x60000 }, { 0x10000, 0x30000 }, { 0x8ff000, 0x903000 },
	{ 0x5ff000, 0x601000 }, { 0x100000, 0x180000 },
};

static void
all_ways(const char *path, const struct mkdd *m, const char *what)
{
	uint64_t end = (uint64_t)m->max_mapnr * m->block_size;

	for (int z = 0; z < 2; z++) {
		struct vd_dump_opts o = { .zero_excluded = z };
		struct vd_dump *dump = NULL;

		CHECK_OK(vd_dump_open(&path, 1, &o, &dump));
		if (!dump)
			return;
		for (size_t i = 0; i < VD_ARRAY_SIZE(threads); i++) {
			for (int skip = 0; skip < 2; skip++) {
				struct tally t;
				int bad;

				bad = compare(dump, m, 0, end + 0x3000, threads[i], skip, z, &t);
				bad += compare(dump, m, 0x3e07, 0x7ff123, threads[i], skip, z, &t);
				bad += compare(dump, m, 0x201010, 0x201020, threads[i], skip, z, &t);
				// Runs of a kernel virtual range: out of order, page
				// by page, overlapping, empty, unaligned, past the end.
				bad += compare_ranges(dump, m, runs, VD_ARRAY_SIZE(runs),
						      threads[i], skip, z, &t);
				if (bad)
					fprintf(stderr, "  %s: %u threads%s%s\n", what, threads[i],
						skip ? ", skipping holes" : "",
						z ? ", zero-excluded" : "");
				CHECK(!bad);
			}
		}
		vd_dump_close(dump);
	}
}

TEST(every_compression)
{
	for (size_t c = 0; c < VD_ARRAY_SIZE(comps); c++) {
		char desc[1024], path[256];
		struct mkdd *m;

		snprintf(desc, sizeof(desc), "compression = %s\ndump_level = 31\n%s",
			 comps[c], mix_pages);
		m = make(desc, "mix.kdump", path, sizeof(path));
		if (m)
			all_ways(path, m, comps[c]);
		mkdd_free(m);
	}
}

TEST(flattened)
{
	char desc[1024], path[256];
	struct mkdd *m;

	snprintf(desc, sizeof(desc), "compression = zstd\nflatten = yes shuffle\n%s",
		 mix_pages);
	m = make(desc, "flat.kdump", path, sizeof(path));
	if (m)
		all_ways(path, m, "flattened");
	mkdd_free(m);
}

/* An incomplete dump: lost pages are failures, as page by page. */
TEST(incomplete)
{
	char path[256];
	struct mkdd *m = make("compression = lzo\nstatus = 0x8\npages 0-0x1ff pattern 3\n"
			      "pages 0x80-0x9f lost\n", "incomplete.kdump", path,
			      sizeof(path));

	if (m)
		all_ways(path, m, "incomplete");
	mkdd_free(m);
}

/* Corrupt pages: each fails as it does page by page, the rest reads. */
TEST(corrupt_pages)
{
	static const char *const knobs[] = { "desc-offset-past-eof", "csize-gt-block",
					     "desc-size-zero", "bad-decompress-length" };

	for (size_t c = 1; c < VD_ARRAY_SIZE(comps); c++) {
		for (size_t k = 0; k < VD_ARRAY_SIZE(knobs); k++) {
			char desc[512], path[256];
			const char *p = path;
			struct vd_dump *dump = NULL;
			struct mkdd *m;

			snprintf(desc, sizeof(desc),
				 "compression = %s\ndump_level = 31\npages 0-300 pattern\n"
				 "corrupt %s\n", comps[c], knobs[k]);
			m = make(desc, "badpage.kdump", path, sizeof(path));
			CHECK_OK(vd_dump_open(&p, 1, NULL, &dump));
			for (size_t i = 0; dump && i < VD_ARRAY_SIZE(threads); i++) {
				struct tally t;

				CHECK(!compare(dump, NULL, 0, 301 * 4096, threads[i], false,
					       false, &t));
				CHECK(t.fail_pieces == 1);
				CHECK(t.data_bytes == 300 * 4096);
			}
			vd_dump_close(dump);
			mkdd_free(m);
		}
	}
}

/* A file cut short in its page data: what is left reads, the rest fails. */
TEST(truncated)
{
	for (size_t c = 0; c < VD_ARRAY_SIZE(comps); c++) {
		char desc[1024], path[256];
		const char *p = path;
		struct vd_dump *dump = NULL;
		struct mkdd *m;
		struct tally t;
		off_t size;
		FILE *f;

		snprintf(desc, sizeof(desc), "compression = %s\n%s", comps[c], mix_pages);
		m = make(desc, "cut.kdump", path, sizeof(path));
		if (!m)
			continue;
		f = fopen(path, "rb");
		CHECK(f && !fseeko(f, 0, SEEK_END));
		size = f ? ftello(f) : 0;
		if (f)
			fclose(f);
		CHECK(!truncate(path, size * 3 / 4));
		CHECK_OK(vd_dump_open(&p, 1, NULL, &dump));
		for (size_t i = 0; dump && i < VD_ARRAY_SIZE(threads); i++) {
			CHECK(!compare(dump, NULL, 0, 0x900 * 4096, threads[i], false, false, &t));
			CHECK(t.fail_pieces > 0 && t.data_bytes > 0);
			CHECK(!compare(dump, NULL, 0, 0x900 * 4096, threads[i], true, false, &t));
		}
		vd_dump_close(dump);
		mkdd_free(m);
	}
}

/* An empty range, and one past everything the dump holds. */
TEST(edges)
{
	char path[256];
	const char *p = path;
	struct mkdd *m = make("compression = zlib\npages 0-3 pattern\n", "small.kdump",
			      path, sizeof(path));
	struct vd_dump *dump = NULL;
	struct vd_dump_scan *scan = NULL;
	struct vd_scan_piece piece;
	struct vd_error *err;
	struct tally t;

	CHECK_OK(vd_dump_open(&p, 1, NULL, &dump));
	if (dump) {
		CHECK_OK(vd_dump_scan_open(dump, 4096, 4096, NULL, &scan));
		CHECK(scan && !vd_dump_scan_next(scan, &piece));
		vd_dump_scan_close(scan);
		err = vd_dump_scan_open(dump, 8192, 4096, NULL, &scan);
		CHECK(err && err->code == VD_ERR_INVALID_ARG);
		vd_error_destroy(err);
		CHECK(!compare(dump, m, 1ull << 40, (1ull << 40) + 0x5000, 2, false, false, &t));
		CHECK(!compare(dump, m, 1ull << 40, (1ull << 40) + 0x5000, 2, true, false, &t));
		CHECK(t.fail_pieces == 1);
		vd_dump_close(dump);
	}
	mkdd_free(m);
}

/* A dump file given on the command line: all of its memory, both ways. */
static int
check_file(const char *path, unsigned nthreads)
{
	struct vd_dump *dump = NULL;
	const struct vd_mem_range *r;
	struct vd_error *err = vd_dump_open(&path, 1, NULL, &dump);
	int bad = 0;
	size_t n;

	if (err) {
		fprintf(stderr, "%s\n", err->msg);
		vd_error_destroy(err);
		return 1;
	}
	n = vd_dump_ranges(dump, &r);
	for (size_t i = 0; i < n; i++)
		if (strcmp(r[i].kind, "absent"))
			printf("range 0x%llx 0x%llx\n", (unsigned long long)r[i].start,
			       (unsigned long long)r[i].end);
	for (int skip = 0; skip < 2; skip++) {
		struct tally t, all = { 0 };

		for (size_t i = 0; i < n && !bad; i++) {
			bad += compare(dump, NULL, r[i].start, r[i].end, nthreads, skip, false, &t);
			all.data_bytes += t.data_bytes;
			all.fail_pieces += t.fail_pieces;
			all.pieces += t.pieces;
		}
		printf("%s: %s, %u threads: %llu bytes read, %llu failure pieces, %llu pieces%s\n",
		       path, skip ? "holes skipped" : "page by page", nthreads,
		       (unsigned long long)all.data_bytes, (unsigned long long)all.fail_pieces,
		       (unsigned long long)all.pieces, bad ? ": MISMATCH" : "");
	}
	vd_dump_close(dump);
	return bad ? 1 : 0;
}

int
main(int argc, char **argv)
{
	if (argc > 1)
		return check_file(argv[1], argc > 2 ? (unsigned)atoi(argv[2]) : 0);
	return RUN_TESTS();
}
