// SPDX-License-Identifier: MIT
/*
 * The kdump-compressed reader, through vd_dump_open()/vd_dump_read(), on
 * files written by tests/gen/mkdiskdump.c (compiled in as a library).
 * Expected page contents come from the writer's description of each page
 * (mkdd_page_content), never from the reader.
 *
 * VMDIVE_BENCH_MB=512 also times reading every page of a zlib dump of
 * that size (printed, not asserted).
 */
#define MKDD_NO_MAIN
#include "../gen/mkdiskdump.c"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "harness.h"
#include "vmdive/dump.h"

#define TMP_FILES_PREFIX "vd-kdump"
#include "tmp_files.h"

/* Parse desc and write it to a fresh file; NULL (and a failed check) on error. */
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

static struct vd_error *
open_paths(const char *const *paths, size_t n, bool zero_excluded,
	   struct vd_dump **ret)
{
	struct vd_dump_opts opts = { .zero_excluded = zero_excluded };

	return vd_dump_open(paths, n, &opts, ret);
}

static struct vd_error *
open1(const char *path, struct vd_dump **ret)
{
	return open_paths(&path, 1, false, ret);
}

static const char *
attr(const struct vd_dump *dump, const char *key)
{
	const struct vd_dump_info *info = vd_dump_info(dump);

	for (size_t i = 0; i < info->nattrs; i++)
		if (!strcmp(info->attrs[i].key, key))
			return info->attrs[i].value;
	return NULL;
}

/* A typed fact's number; UINT64_MAX when it is missing or of another type. */
static uint64_t
attr_number(const struct vd_dump *dump, const char *key, enum vd_attr_type type)
{
	const struct vd_dump_info *info = vd_dump_info(dump);

	for (size_t i = 0; i < info->nattrs; i++)
		if (!strcmp(info->attrs[i].key, key))
			return info->attrs[i].type == type ? info->attrs[i].number : UINT64_MAX;
	return UINT64_MAX;
}

static bool
has_warning(const struct vd_dump *dump, const char *needle)
{
	const struct vd_dump_info *info = vd_dump_info(dump);

	for (size_t i = 0; i < info->nwarnings; i++)
		if (strstr(info->warnings[i], needle))
			return true;
	return false;
}

/* err must have code and mention every needle; frees it. */
static bool
err_is(struct vd_error *err, enum vd_error_code code, const char *n1,
       const char *n2)
{
	bool ok = err && err->code == code && (!n1 || strstr(err->msg, n1)) &&
		  (!n2 || strstr(err->msg, n2));

	if (!ok)
		fprintf(stderr, "  expected %s mentioning \"%s\" \"%s\", got: %s\n",
			vd_error_code_name(code), n1 ? n1 : "", n2 ? n2 : "",
			err ? err->msg : "success");
	vd_error_destroy(err);
	return ok;
}

/*
 * Every PFN in [0, max_mapnr) of this part: pages read back byte-exact,
 * excluded and lost pages are NODATA, holes FAULT.  Returns mismatches.
 */
static int
verify_pfns(struct vd_dump *dump, const struct mkdd *m, uint64_t from,
	    uint64_t to, bool zero_excluded)
{
	uint32_t bs = m->block_size;
	unsigned char *want = malloc(bs), *got = malloc(bs);
	int bad = 0;

	for (uint64_t pfn = from; pfn < to && bad < 5; pfn++) {
		const struct mkdd_page *pg = mkdd_find_page(m, pfn);
		struct vd_error *err;
		size_t done = 0;

		memset(got, 0x77, bs);
		err = vd_dump_read(dump, pfn * bs, got, bs, &done);
		if (!pg) {
			bad += !err || err->code != VD_ERR_FAULT;
		} else if ((pg->excluded || pg->lost) && !zero_excluded) {
			bad += !err || err->code != VD_ERR_NODATA || done;
		} else {
			if (pg->excluded || pg->lost)
				memset(want, 0, bs);
			else
				mkdd_page_content(m, pg, want);
			bad += err || done != bs || memcmp(want, got, bs);
		}
		if (bad && !err)
			fprintf(stderr, "  pfn 0x%llx: wrong data\n",
				(unsigned long long)pfn);
		else if (bad)
			fprintf(stderr, "  pfn 0x%llx: %s\n",
				(unsigned long long)pfn, err->msg);
		vd_error_destroy(err);
		if (bad)
			break;
	}
	free(want);
	free(got);
	return bad;
}

static int
verify_all(struct vd_dump *dump, const struct mkdd *m)
{
	return verify_pfns(dump, m, 0, m->max_mapnr, false);
}

/* A mix that exercises every page kind and crosses several rank blocks. */
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

static const char *const comps[] = { "none", "zlib", "lzo", "snappy",
				     "zstd" };

static void
one_version(int version, const char *comp)
{
	char desc[2048], path[256];
	struct vd_dump *dump = NULL;
	struct mkdd *m;
	const struct vd_dump_info *info;

	snprintf(desc, sizeof(desc),
		 "version = %d\ncompression = %s\ndump_level = 31\n"
		 "vmcoreinfo = OSRELEASE=6.1.0-vd;PAGESIZE=4096\n"
		 "eraseinfo = erase init_task.comm size 16\n"
		 "cpu pid=7 rip=0xffffffff81001234 rsp=0xffffc90000001000\n"
		 "%s", version, comp, mix_pages);
	m = make(desc, "v.kdump", path, sizeof(path));
	if (!m)
		return;
	CHECK_OK(open1(path, &dump));
	if (dump) {
		char v[16];

		info = vd_dump_info(dump);
		snprintf(v, sizeof(v), "%d", version);
		CHECK_STR(info->format, "kdump");
		CHECK_STR(attr(dump, "header_version"), v);
		CHECK(info->page_size == 4096 && info->arch == VD_ARCH_X86_64);
		CHECK(verify_all(dump, m) == 0);
		// v3+ carry VMCOREINFO, v4+ the notes, v5+ eraseinfo.
		CHECK((info->vmcoreinfo != NULL) == (version >= 3));
		CHECK((info->ncpus == 1) == (version >= 4));
		if (info->ncpus)
			CHECK(info->cpus[0].pid == 7 && info->cpus[0].have_regs &&
			      info->cpus[0].regs[16] == 0xffffffff81001234ull);
		CHECK((attr(dump, "eraseinfo") != NULL) == (version >= 5));
		CHECK((attr(dump, "dump_level") != NULL) == (version >= 1));
		CHECK(!strcmp(comp, "none") ?
		      !strcmp(attr(dump, "compression"), "none") :
		      !strcmp(attr(dump, "compression"), comp));
	}
	vd_dump_close(dump);
	mkdd_free(m);
}

TEST(every_compression_and_version)
{
	for (size_t c = 0; c < VD_ARRAY_SIZE(comps); c++)
		for (int v = 0; v <= 6; v++)
			one_version(v, comps[c]);
}

TEST(header_attrs)
{
	char path[256];
	struct vd_dump *dump = NULL;
	struct mkdd *m = make("compression = zlib\ndump_level = 17\n"
			      "release = 6.1.0-13-cloud-amd64\n"
			      "nodename = crashbox\ntimestamp = 1700000000.25\n"
			      "pages 0-9 pattern\npages 3-4 excluded\n",
			      "attrs.kdump", path, sizeof(path));

	if (!m)
		return;
	CHECK_OK(open1(path, &dump));
	if (dump) {
		CHECK_STR(attr(dump, "dump_level"), "17");
		CHECK_STR(attr(dump, "dump_level_excludes"), "zero pages, free pages");
		CHECK_STR(attr(dump, "pages_in_dump"), "8");
		CHECK_STR(attr(dump, "excluded_pages"), "2");
		CHECK_STR(attr(dump, "ram_pages"), "10");
		CHECK_STR(attr(dump, "utsname_release"), "6.1.0-13-cloud-amd64");
		CHECK_STR(attr(dump, "utsname_nodename"), "crashbox");
		CHECK_STR(attr(dump, "timestamp"), "2023-11-14 22:13:20 UTC");
		CHECK_STR(attr(dump, "timestamp_usec"), "25");
		// Typed: the seconds, the counts, the flags.
		CHECK_EQ_U64(attr_number(dump, "timestamp", VD_ATTR_TIME), 1700000000);
		CHECK_EQ_U64(attr_number(dump, "pages_in_dump", VD_ATTR_COUNT), 8);
		CHECK_EQ_U64(attr_number(dump, "dump_level", VD_ATTR_COUNT), 17);
		CHECK_EQ_U64(attr_number(dump, "split", VD_ATTR_BOOL), 0);
		CHECK_STR(attr(dump, "flattened"), "no");
		CHECK_STR(attr(dump, "split"), "no");
		CHECK_STR(attr(dump, "signature"), "KDUMP");
	}
	vd_dump_close(dump);
	mkdd_free(m);
}

/* Rank blocks are 512 PFNs: exclusions on and around every boundary. */
TEST(descriptor_rank_across_blocks)
{
	char desc[8192], path[256];
	size_t n = 0;
	struct vd_dump *dump = NULL;
	struct mkdd *m;

	n += snprintf(desc + n, sizeof(desc) - n,
		      "compression = lzo\nmax_mapnr = 3000\npages 0-2999 pattern 3\n");
	for (int b = 1; b < 6; b++)
		n += snprintf(desc + n, sizeof(desc) - n,
			      "page %d excluded\npage %d excluded\npages %d-%d excluded\n",
			      512 * b - 1, 512 * b, 512 * b + 63, 512 * b + 64);
	n += snprintf(desc + n, sizeof(desc) - n,
		      "pages 1000-1100 excluded\npage 63 excluded\npage 64 excluded\n");
	m = make(desc, "rank.kdump", path, sizeof(path));
	if (!m)
		return;
	CHECK_OK(open1(path, &dump));
	if (dump)
		CHECK(verify_all(dump, m) == 0);
	vd_dump_close(dump);
	mkdd_free(m);
}

/*
 * Bitmaps read in chunks of 2^18 PFNs (formats/diskdump.h): ranks carried
 * across chunk boundaries, a chunk with no dumped page, and
 * vd_dump_next_data() skipping excluded runs and holes to constructed
 * addresses.
 */
TEST(bitmap_chunks_and_next_data)
{
	const char *desc = "compression = zstd\nmax_mapnr = 0xc0100\n"
			   "pages 0-0xff pattern 3\npages 0x100-0x4ffff excluded\n"
			   "pages 0x50000-0x5000f pattern 4\npages 0x80000-0x80003 fill 0x11\n"
			   "page 0xc00ff fill 0x22\n";
	char path[256];
	struct vd_dump *dump = NULL;
	struct mkdd *m = make(desc, "chunks.kdump", path, sizeof(path));
	const uint64_t P = 4096;

	if (!m)
		return;
	CHECK_OK(open1(path, &dump));
	if (dump) {
		CHECK(verify_all(dump, m) == 0);
		CHECK_STR(attr(dump, "ram_pages"), "327701");
		CHECK_STR(attr(dump, "pages_in_dump"), "277");
		CHECK_EQ_U64(vd_dump_next_data(dump, 0), 0);
		CHECK_EQ_U64(vd_dump_next_data(dump, 0xff * P + 5), 0xff * P + 5);
		CHECK_EQ_U64(vd_dump_next_data(dump, 0x100 * P), 0x50000 * P);
		CHECK_EQ_U64(vd_dump_next_data(dump, 0x40000 * P + 7), 0x50000 * P);
		CHECK_EQ_U64(vd_dump_next_data(dump, 0x50010 * P), 0x80000 * P);
		CHECK_EQ_U64(vd_dump_next_data(dump, 0x80004 * P), 0xc00ff * P);
		CHECK_EQ_U64(vd_dump_next_data(dump, 0xc0100 * P), UINT64_MAX);
	}
	vd_dump_close(dump);
	dump = NULL;
	CHECK_OK(open_paths((const char *const[]){ path }, 1, true, &dump));
	if (dump)
		CHECK_EQ_U64(vd_dump_next_data(dump, 0x100 * P), 0x100 * P);
	vd_dump_close(dump);
	mkdd_free(m);
}

TEST(zero_pages)
{
	char path[256];
	struct vd_dump *dump = NULL;

	for (int level = 0; level <= 1; level++) {
		char desc[256];
		struct mkdd *m;

		snprintf(desc, sizeof(desc),
			 "compression = zstd\ndump_level = %d\n"
			 "pages 0-63 zero\npage 5 fill 1\npage 60 random\n",
			 level);
		m = make(desc, "zero.kdump", path, sizeof(path));
		if (!m)
			continue;
		CHECK_OK(open1(path, &dump));
		if (dump)
			CHECK(verify_all(dump, m) == 0);
		vd_dump_close(dump);
		dump = NULL;
		mkdd_free(m);
	}
}

TEST(excluded_hole_and_zero_excluded)
{
	char path[256];
	struct vd_dump *dump = NULL;
	unsigned char buf[64];
	size_t done = 99;
	struct mkdd *m = make("dump_level = 31\ncompression = snappy\n"
			      "pages 0-7 pattern\npage 4 excluded\n"
			      "pages 16-17 fill 0xee\n",
			      "excl.kdump", path, sizeof(path));
	const char *paths[] = { path };

	if (!m)
		return;
	CHECK_OK(open1(path, &dump));
	if (dump) {
		CHECK(err_is(vd_dump_read(dump, 4 * 4096 + 8, buf, 8, &done),
			     VD_ERR_NODATA, "dump level 31", "free pages"));
		CHECK(done == 0);
		// A read that starts in a good page stops at the excluded one.
		CHECK(err_is(vd_dump_read(dump, 4 * 4096 - 16, buf, 32, &done),
			     VD_ERR_NODATA, "page 0x4", "excluded"));
		CHECK(done == 16);
		CHECK(err_is(vd_dump_read(dump, 10 * 4096, buf, 8, NULL),
			     VD_ERR_FAULT, NULL, NULL));
		CHECK(err_is(vd_dump_read(dump, 0x40000000, buf, 8, NULL),
			     VD_ERR_FAULT, NULL, NULL));
	}
	vd_dump_close(dump);
	dump = NULL;
	CHECK_OK(open_paths(paths, 1, true, &dump));
	if (dump)
		CHECK(verify_pfns(dump, m, 0, m->max_mapnr, true) == 0);
	vd_dump_close(dump);
	mkdd_free(m);
}

TEST(incomplete_dump)
{
	char path[256];
	struct vd_dump *dump = NULL;
	unsigned char buf[16];
	struct mkdd *m = make("status = 0x8\ncompression = zlib\n"
			      "pages 0-31 pattern\npages 20-31 lost\n",
			      "incomplete.kdump", path, sizeof(path));

	if (!m)
		return;
	CHECK_OK(open1(path, &dump));
	if (dump) {
		CHECK(has_warning(dump, "incomplete"));
		CHECK(verify_all(dump, m) == 0);
		CHECK(err_is(vd_dump_read(dump, 25 * 4096, buf, 16, NULL),
			     VD_ERR_NODATA, "lost", "incomplete"));
		CHECK_STR(attr(dump, "incomplete"), "yes");
	}
	vd_dump_close(dump);
	mkdd_free(m);
}

/* An incomplete file cut short: pages whose data is gone are lost. */
TEST(incomplete_truncated)
{
	char path[256], desc[256];
	struct vd_dump *dump = NULL;
	unsigned char buf[16];
	struct mkdd *m;
	struct stat st;

	m = make("status = 0x8\ncompression = none\npages 0-31 random\n",
		 "cut.kdump", path, sizeof(path));
	if (!m || stat(path, &st))
		goto out;
	mkdd_free(m);
	snprintf(desc, sizeof(desc),
		 "status = 0x8\ncompression = none\npages 0-31 random\n"
		 "corrupt truncate=%lld\n", (long long)st.st_size - 5 * 4096);
	m = make(desc, "cut.kdump", path, sizeof(path));
	if (!m)
		goto out;
	CHECK_OK(open1(path, &dump));
	if (dump) {
		CHECK(verify_pfns(dump, m, 0, 27, false) == 0);
		CHECK(err_is(vd_dump_read(dump, 28 * 4096, buf, 16, NULL),
			     VD_ERR_NODATA, "lost", "cut.kdump"));
	}
out:
	vd_dump_close(dump);
	mkdd_free(m);
}

/* Every page of a and b reads the same (both compared to m). */
static void
check_same(const char *pa, const char *pb, const struct mkdd *m)
{
	struct vd_dump *a = NULL, *b = NULL;

	CHECK_OK(open1(pa, &a));
	CHECK_OK(open1(pb, &b));
	if (a && b) {
		CHECK(verify_all(a, m) == 0);
		CHECK(verify_all(b, m) == 0);
		CHECK(vd_dump_info(b)->ncpus == vd_dump_info(a)->ncpus);
		CHECK(vd_dump_info(a)->vmcoreinfo && vd_dump_info(b)->vmcoreinfo &&
		      !strcmp(vd_dump_info(a)->vmcoreinfo,
			      vd_dump_info(b)->vmcoreinfo));
		CHECK_STR(attr(a, "flattened"), "no");
		CHECK_STR(attr(b, "flattened"), "yes");
		CHECK(attr(b, "flattened_records") != NULL);
	}
	vd_dump_close(a);
	vd_dump_close(b);
}

TEST(flattened_reads_like_normal)
{
	static const char *const modes[] = {
		"yes", "yes shuffle", "yes overwrite-header",
		"yes shuffle overwrite-header",
	};
	char base[4096], desc[4200], pn[256], pf[256];

	snprintf(base, sizeof(base),
		 "compression = zlib\ndump_level = 31\n"
		 "vmcoreinfo = OSRELEASE=6.1.0\n"
		 "cpu pid=1 rip=0x1234\n%s", mix_pages);
	for (size_t i = 0; i < VD_ARRAY_SIZE(modes); i++) {
		struct mkdd *m = make(base, "normal.kdump", pn, sizeof(pn));

		snprintf(desc, sizeof(desc), "%sflatten = %s\n", base, modes[i]);
		mkdd_free(make(desc, "flat.kdump", pf, sizeof(pf)));
		if (m)
			check_same(pn, pf, m);
		mkdd_free(m);
	}
}

TEST(flattened_damage)
{
	static const char base[] = "compression = lzo\npages 0-40 pattern\n"
				   "flatten = yes\nflat_chunk = 3000\n";
	char desc[512], path[256];
	struct vd_dump *dump = NULL;
	struct mkdd *m;

	snprintf(desc, sizeof(desc), "%scorrupt flat-negative-size\n", base);
	mkdd_free(make(desc, "neg.kdump", path, sizeof(path)));
	CHECK(err_is(open1(path, &dump), VD_ERR_CORRUPT, "neg.kdump",
		     "flattened record"));
	snprintf(desc, sizeof(desc), "%scorrupt flat-no-end\n", base);
	m = make(desc, "noend.kdump", path, sizeof(path));
	CHECK_OK(open1(path, &dump));
	if (dump && m) {
		CHECK(has_warning(dump, "no end marker"));
		CHECK(verify_all(dump, m) == 0);
	}
	vd_dump_close(dump);
	dump = NULL;
	mkdd_free(m);
	snprintf(desc, sizeof(desc), "%scorrupt flat-record-past-eof\n", base);
	mkdd_free(make(desc, "pasteof.kdump", path, sizeof(path)));
	CHECK_OK(open1(path, &dump));
	if (dump)
		CHECK(has_warning(dump, "truncated"));
	vd_dump_close(dump);
}

static void
split_paths(const char *desc, int n, char paths[][256], struct mkdd **mp)
{
	char err[256];
	struct mkdd *m = mkdd_parse(desc, err, sizeof(err));

	*mp = m;
	CHECK(m != NULL);
	for (int k = 1; m && k <= n; k++) {
		char name[32];

		snprintf(name, sizeof(name), "part%d.kdump", k);
		m->split_k = k;
		m->split_n = n;
		tmp_path(name, paths[k - 1], 256);
		CHECK(mkdd_write(m, paths[k - 1], err, sizeof(err)) == 0);
	}
	if (m)
		m->split_k = m->split_n = 0;
}

TEST(split_set)
{
	char p[3][256];
	const char *ps[3] = { p[2], p[0], p[1] };    /* any order */
	struct vd_dump *dump = NULL;
	struct mkdd *m;

	for (int v = 3; v <= 6; v += 3) {
		char desc[2048];

		snprintf(desc, sizeof(desc),
			 "version = %d\ncompression = zstd\ndump_level = 31\n"
			 "vmcoreinfo = OSRELEASE=6.1.0\ncpu pid=3 rip=5\n%s",
			 v, mix_pages);
		split_paths(desc, 3, p, &m);
		if (!m)
			return;
		CHECK_OK(open_paths(ps, 3, false, &dump));
		if (dump) {
			CHECK(verify_all(dump, m) == 0);
			CHECK_STR(attr(dump, "split"), "yes");
			CHECK_STR(attr(dump, "split_parts"), "3");
			CHECK_STR(attr(dump, "part2_first_pfn"), "0x300");
			CHECK_STR(attr(dump, "part2_last_pfn"), "0x5ff");
			CHECK(vd_dump_info(dump)->ncpus == (v >= 4));
		}
		vd_dump_close(dump);
		dump = NULL;
		mkdd_free(m);
	}
}

TEST(split_set_broken)
{
	char p[3][256], other[256];
	const char *two[2] = { p[0], p[2] };
	const char *dup[3] = { p[0], p[1], p[1] };
	const char *mixed[3] = { p[0], p[1], other };
	struct vd_dump *dump = NULL;
	struct mkdd *m, *o;

	split_paths("compression = zlib\npages 0-299 pattern\n", 3, p, &m);
	o = make("compression = zlib\npages 0-299 pattern\n", "whole.kdump",
		 other, sizeof(other));
	if (!m || !o)
		goto out;
	CHECK(err_is(open_paths(two, 2, false, &dump), VD_ERR_INVALID_ARG,
		     "missing", "PFNs 0x64-0xc7"));
	CHECK(err_is(open_paths(&two[1], 1, false, &dump),
		     VD_ERR_INVALID_ARG, "missing", "PFNs 0x0-0xc7"));
	CHECK(err_is(open_paths(dup, 3, false, &dump), VD_ERR_INVALID_ARG,
		     "overlap", "part2.kdump"));
	CHECK(err_is(open_paths(mixed, 3, false, &dump), VD_ERR_INVALID_ARG,
		     "whole.kdump", "not a part"));
out:
	mkdd_free(m);
	mkdd_free(o);
}

TEST(split_parts_from_other_dump)
{
	char a[3][256], b[3][256];
	const char *mixed[3] = { a[0], b[1], a[2] };
	struct mkdd *ma, *mb;

	split_paths("compression = zlib\npages 0-299 pattern\n"
		    "timestamp = 100\n", 3, a, &ma);
	split_paths("compression = zlib\npages 0-299 pattern\n"
		    "timestamp = 200\n", 3, b, &mb);
	if (ma && mb) {
		struct vd_dump *dump = NULL;

		CHECK(err_is(open_paths(mixed, 3, false, &dump),
			     VD_ERR_INVALID_ARG, "does not belong", "timestamp"));
	}
	mkdd_free(ma);
	mkdd_free(mb);
}

/* v6 takes max_mapnr from the sub header; older versions from the header. */
TEST(max_mapnr_by_version)
{
	char path[256];
	struct vd_dump *dump = NULL;
	struct mkdd *m;

	m = make("version = 6\npages 0-99 pattern\ncorrupt max_mapnr32=0\n",
		 "v6.kdump", path, sizeof(path));
	CHECK_OK(open1(path, &dump));
	if (dump && m) {
		CHECK(verify_all(dump, m) == 0);
		CHECK_STR(attr(dump, "max_mapnr"), "0x64");
	}
	vd_dump_close(dump);
	dump = NULL;
	mkdd_free(m);
	mkdd_free(make("version = 5\npages 0-99 pattern\ncorrupt max_mapnr32=0\n",
		       "v5.kdump", path, sizeof(path)));
	CHECK(err_is(open1(path, &dump), VD_ERR_CORRUPT, "v5.kdump",
		     "max_mapnr"));
}

TEST(arch_detection)
{
	static const struct {
		const char *desc;
		enum vd_arch arch;
		int reg;
		uint64_t val;
	} cases[] = {
		{ "arch = aarch64\ncpu pid=1 pc=0xffff800008001000\n",
		  VD_ARCH_AARCH64, 32, 0xffff800008001000ull },
		{ "arch = aarch64\nmachine = Unknown\ncpu pid=1 pc=0x42\n",
		  VD_ARCH_AARCH64, 32, 0x42 },
		{ "machine = Unknown\ncpu pid=1 rip=0x43 cr3=0x1000\n",
		  VD_ARCH_X86_64, 16, 0x43 },
		{ "machine = Unknown\nvmcoreinfo = NUMBER(kimage_voffset)=0xffff\n",
		  VD_ARCH_AARCH64, -1, 0 },
		{ "machine = Unknown\nvmcoreinfo = SYMBOL(init_top_pgt)=ffff\n",
		  VD_ARCH_X86_64, -1, 0 },
		{ "machine = riscv64\n", VD_ARCH_UNKNOWN, -1, 0 },
	};

	for (size_t i = 0; i < VD_ARRAY_SIZE(cases); i++) {
		char desc[512], path[256];
		struct vd_dump *dump = NULL;

		snprintf(desc, sizeof(desc), "%spages 0-3 pattern\n",
			 cases[i].desc);
		mkdd_free(make(desc, "arch.kdump", path, sizeof(path)));
		CHECK_OK(open1(path, &dump));
		if (!dump)
			continue;
		CHECK(vd_dump_info(dump)->arch == cases[i].arch);
		if (cases[i].reg >= 0)
			CHECK(vd_dump_info(dump)->ncpus == 1 &&
			      vd_dump_info(dump)->cpus[0].regs[cases[i].reg] ==
			      cases[i].val);
		if (cases[i].arch == VD_ARCH_UNKNOWN)
			CHECK(has_warning(dump, "unknown architecture"));
		vd_dump_close(dump);
	}
}

TEST(qemu_cpu_state_and_phys_base)
{
	char path[256];
	struct vd_dump *dump = NULL;
	const struct vd_cpu_state *c;

	mkdd_free(make("machine = x86_64\nphys_base = 0x16000000\n"
		       "vmcoreinfo = NUMBER(phys_base)=16777216\n"
		       "cpu pid=1 rip=1 cr0=0x80050033 cr3=0x1a2b000 cr4=0x1000\n"
		       "cpu pid=2 rip=2 cr3=0x5000\npages 0-3 pattern\n",
		       "qemu.kdump", path, sizeof(path)));
	CHECK_OK(open1(path, &dump));
	if (!dump)
		return;
	CHECK(vd_dump_info(dump)->ncpus == 2);
	c = vd_dump_info(dump)->cpus;
	CHECK(c[0].have_cr && c[0].cr3 == 0x1a2b000 && c[0].cr4 == 0x1000 &&
	      c[0].cr0 == 0x80050033);
	CHECK(c[1].have_cr && c[1].cr3 == 0x5000 && c[1].pid == 2);
	CHECK_STR(attr(dump, "phys_base_vmcoreinfo"), "0x1000000");
	CHECK(vd_dump_info(dump)->nwarnings == 1 &&
	      strstr(vd_dump_info(dump)->warnings[0], "is not VMCOREINFO's 0x1000000"));
	vd_dump_close(dump);
}

/* A key written twice: the last line wins, here as in the session (docs/formats.md). */
TEST(repeated_vmcoreinfo_key_last_wins)
{
	char path[256];
	struct vd_dump *dump = NULL;

	mkdd_free(make("machine = x86_64\nphys_base = 0x2000000\n"
		       "vmcoreinfo = NUMBER(phys_base)=16777216;OSRELEASE=6.1;"
		       "NUMBER(phys_base)=33554432\n"
		       "cpu pid=1 rip=1\npages 0-3 pattern\n",
		       "dup.kdump", path, sizeof(path)));
	CHECK_OK(open1(path, &dump));
	if (!dump)
		return;
	// The header agrees with the last NUMBER(phys_base), so no complaint.
	CHECK_STR(attr(dump, "phys_base_header"), "0x2000000");
	CHECK(attr(dump, "phys_base_vmcoreinfo") == NULL);
	vd_dump_close(dump);
}

TEST(big_endian)
{
	char path[256];
	struct vd_dump *dump = NULL;
	struct mkdd *m = make("endian = big\narch = aarch64\nmachine = aarch64_be\n"
			      "compression = zlib\nversion = 6\n"
			      "vmcoreinfo = OSRELEASE=6.1\ncpu pid=9 pc=0x1122\n"
			      "pages 0-40 pattern\npage 7 u64 16 0x0102030405060708\n"
			      "page 9 excluded\n",
			      "be.kdump", path, sizeof(path));

	CHECK_OK(open1(path, &dump));
	if (dump && m) {
		CHECK(vd_dump_info(dump)->big_endian);
		CHECK(vd_dump_info(dump)->arch == VD_ARCH_AARCH64);
		CHECK(verify_all(dump, m) == 0);
		CHECK(vd_dump_info(dump)->ncpus == 1 &&
		      vd_dump_info(dump)->cpus[0].pid == 9 &&
		      vd_dump_info(dump)->cpus[0].regs[32] == 0x1122);
	}
	vd_dump_close(dump);
	mkdd_free(m);
}

TEST(legacy_diskdump)
{
	char path[256];
	struct vd_dump *dump = NULL;
	struct mkdd *m = make("signature = DISKDUMP\nversion = 1\ncompression = zlib\n"
			      "pages 0-20 pattern\n", "legacy.dump", path,
			      sizeof(path));

	CHECK_OK(open1(path, &dump));
	if (dump && m) {
		CHECK(verify_all(dump, m) == 0);
		CHECK_STR(attr(dump, "signature"), "DISKDUMP");
	}
	vd_dump_close(dump);
	mkdd_free(m);
}

static const char bad_base[] = "compression = zlib\ndump_level = 31\n"
			       "pages 0-40 pattern\npage 2 zero\n";

/* A malformed file must fail to open with code and the file's name. */
static void
bad_open(const char *knob, enum vd_error_code code, const char *needle)
{
	char desc[512], path[256];
	struct vd_dump *dump = NULL;

	snprintf(desc, sizeof(desc), "%scorrupt %s\n", bad_base, knob);
	mkdd_free(make(desc, "bad.kdump", path, sizeof(path)));
	if (!err_is(open1(path, &dump), code, "bad.kdump", needle)) {
		fprintf(stderr, "  knob %s\n", knob);
		CHECK(0);
	}
}

TEST(malformed_headers)
{
	bad_open("signature", VD_ERR_INVALID_ARG, "not a dump file");
	bad_open("block_size=0", VD_ERR_CORRUPT, "block size 0");
	bad_open("block_size=3000", VD_ERR_CORRUPT, "block size 3000");
	bad_open("block_size=0x40000000", VD_ERR_CORRUPT, "block size");
	bad_open("version=100000", VD_ERR_CORRUPT, "block size");
	bad_open("bitmap-short", VD_ERR_CORRUPT, "max_mapnr");
	bad_open("bitmap-blocks-huge", VD_ERR_CORRUPT, "bitmaps");
	bad_open("truncate=100", VD_ERR_CORRUPT, "truncated");
	bad_open("truncate=5000", VD_ERR_CORRUPT, "bitmaps");
}

/* A malformed page must fail to read with code, file name and page. */
static void
bad_page(const char *comp, const char *knob, const char *needle)
{
	char desc[512], path[256];
	struct vd_dump *dump = NULL;
	unsigned char buf[4096];
	int fails = 0;

	snprintf(desc, sizeof(desc),
		 "compression = %s\ndump_level = 31\npages 0-40 pattern\n"
		 "corrupt %s\n", comp, knob);
	mkdd_free(make(desc, "badpage.kdump", path, sizeof(path)));
	CHECK_OK(open1(path, &dump));
	if (!dump)
		return;
	for (uint64_t pfn = 0; pfn <= 40; pfn++) {
		struct vd_error *err = vd_dump_read(dump, pfn * 4096, buf,
						    sizeof(buf), NULL);

		if (!err)
			continue;
		fails++;
		if (!err_is(err, VD_ERR_CORRUPT, "badpage.kdump", needle) ||
		    fails > 1) {
			fprintf(stderr, "  %s/%s: pfn %llu\n", comp, knob,
				(unsigned long long)pfn);
			CHECK(0);
		}
	}
	CHECK(fails == 1);
	vd_dump_close(dump);
}

TEST(malformed_pages)
{
	for (size_t c = 1; c < VD_ARRAY_SIZE(comps); c++) {
		bad_page(comps[c], "desc-offset-past-eof", "past the end");
		bad_page(comps[c], "csize-gt-block", "larger than the block");
		bad_page(comps[c], "desc-size-zero", "is 0");
		bad_page(comps[c], "bad-decompress-length", "page 0x0");
	}
	bad_page("none", "desc-offset-past-eof", "descriptor at file offset");
}

/* Cut anywhere after the bitmaps: opens with a warning, reads fail cleanly. */
TEST(truncated_anywhere)
{
	char path[256], desc[512];
	struct mkdd *m = make(bad_base, "full.kdump", path, sizeof(path));
	struct stat st;

	if (!m || stat(path, &st))
		goto out;
	for (off_t cut = 3 * 4096 + 5; cut < st.st_size; cut += 1777) {
		struct vd_dump *dump = NULL;
		struct vd_error *err;

		snprintf(desc, sizeof(desc), "%scorrupt truncate=%lld\n",
			 bad_base, (long long)cut);
		mkdd_free(make(desc, "cut.kdump", path, sizeof(path)));
		err = open1(path, &dump);
		if (err) {
			CHECK(err_is(err, VD_ERR_CORRUPT, "cut.kdump", NULL));
			continue;
		}
		for (uint64_t pfn = 0; pfn <= 40; pfn++) {
			unsigned char buf[4096];

			err = vd_dump_read(dump, pfn * 4096, buf, 4096, NULL);
			CHECK(!err || (err->code == VD_ERR_CORRUPT &&
				       strstr(err->msg, "cut.kdump")));
			vd_error_destroy(err);
		}
		CHECK(has_warning(dump, "truncated") || cut > 4 * 4096);
		vd_dump_close(dump);
	}
out:
	mkdd_free(m);
}

TEST(notes_past_eof_is_a_warning)
{
	char desc[512], path[256];
	struct vd_dump *dump = NULL;

	snprintf(desc, sizeof(desc), "%scpu pid=1\ncorrupt note-past-eof\n",
		 bad_base);
	mkdd_free(make(desc, "notes.kdump", path, sizeof(path)));
	CHECK_OK(open1(path, &dump));
	if (dump)
		CHECK(has_warning(dump, "ELF notes"));
	vd_dump_close(dump);
}

TEST(thirty_two_bit_machine)
{
	char path[256];
	struct vd_dump *dump = NULL;

	mkdd_free(make("machine = i686\npages 0-3 pattern\n", "i686.kdump",
		       path, sizeof(path)));
	CHECK(err_is(open1(path, &dump), VD_ERR_NOTIMPL, "i686.kdump",
		     "32-bit"));
}

/* Random byte damage: never a crash, a hang or a leak (run under ASan). */
static void
damage_rounds(const char *desc, int rounds, long hot)
{
	char path[256], bad[256];
	struct mkdd *m = make(desc, "fuzz.kdump", path, sizeof(path));
	unsigned char *img = NULL;
	uint64_t seed = 1;
	FILE *f;
	long size;

	f = m ? fopen(path, "rb") : NULL;
	if (!f)
		goto out;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	img = malloc(size);
	CHECK(img && fread(img, 1, size, f) == (size_t)size);
	fclose(f);
	tmp_path("fuzzed.kdump", bad, sizeof(bad));
	for (int round = 0; img && round < rounds; round++) {
		unsigned char *copy = malloc(size);
		struct vd_dump *dump = NULL;
		struct vd_error *err;
		// Mostly the headers, bitmaps and descriptors.
		long span = round % 3 ? VD_MIN(hot, size) : size;

		memcpy(copy, img, size);
		for (int k = 0; k < 1 + round % 8; k++)
			copy[rng_next(&seed) % span] ^= 1u << (rng_next(&seed) % 8);
		f = fopen(bad, "wb");
		fwrite(copy, 1, round % 5 ? size : (long)(rng_next(&seed) % size), f);
		fclose(f);
		free(copy);
		err = open1(bad, &dump);
		if (err) {
			CHECK(strstr(err->msg, "fuzzed.kdump") != NULL);
			vd_error_destroy(err);
			continue;
		}
		for (uint64_t pfn = 0; pfn < 80; pfn++) {
			unsigned char buf[4096];

			vd_error_destroy(vd_dump_read(dump, pfn * 4096, buf,
						      sizeof(buf), NULL));
		}
		vd_dump_close(dump);
	}
out:
	free(img);
	mkdd_free(m);
}

TEST(random_damage)
{
	static const char base[] =
		"compression = zlib\ndump_level = 31\nversion = 6\n"
		"vmcoreinfo = OSRELEASE=6.1\ncpu pid=1\ncpu pid=2 cr3=1\n"
		"eraseinfo = erase x\npages 0-63 pattern\n"
		"pages 10-12 excluded\npages 20-22 zero\n";
	const char *env = getenv("VMDIVE_FUZZ_ROUNDS");
	int rounds = env ? atoi(env) : 300;
	char desc[512];

	damage_rounds(base, rounds, 3 * 4096 + 64 * 24 + 64);
	snprintf(desc, sizeof(desc), "%sflatten = yes overwrite-header\n"
		 "flat_chunk = 1000\n", base);
	damage_rounds(desc, rounds, 4096 + 12 * 1016);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
bench_one(const char *comp, unsigned mb, bool flat)
{
	char desc[256], path[256];
	uint64_t pages = (uint64_t)mb << 8, bytes = 0;
	struct vd_dump *dump = NULL;
	unsigned char *buf = malloc(4096);
	struct mkdd *m;
	struct stat st;
	double t0, t1, t2;

	snprintf(desc, sizeof(desc),
		 "compression = %s\ndump_level = 31\npages 0-%llu pattern\n"
		 "pages 0x1000-0x1fff zero\nflatten = %s\n",
		 comp, (unsigned long long)pages - 1, flat ? "yes" : "no");
	m = make(desc, "bench.kdump", path, sizeof(path));
	if (!m || stat(path, &st))
		goto out;
	t0 = now();
	CHECK_OK(open1(path, &dump));
	t1 = now();
	for (uint64_t pfn = 0; dump && pfn < pages; pfn++) {
		struct vd_error *err = vd_dump_read(dump, pfn * 4096, buf,
						    4096, NULL);

		CHECK(!err);
		vd_error_destroy(err);
		bytes += 4096;
	}
	t2 = now();
	printf("bench %-6s %s %u MiB (file %.0f MiB): open %.1f ms, read all %.2f s = %.0f MB/s\n",
	       comp, flat ? "flat" : "    ", mb, st.st_size / 1048576.0,
	       (t1 - t0) * 1e3, t2 - t1, bytes / 1e6 / (t2 - t1));
	vd_dump_close(dump);
	unlink(path);
out:
	free(buf);
	mkdd_free(m);
}

TEST(bench)
{
	const char *env = getenv("VMDIVE_BENCH_MB");
	unsigned mb = env ? (unsigned)atoi(env) : 0;

	if (!mb)
		return;
	for (size_t c = 0; c < VD_ARRAY_SIZE(comps); c++)
		bench_one(comps[c], mb, false);
	bench_one("zlib", mb, true);
}

int
main(void)
{
	return RUN_TESTS();
}
