// SPDX-License-Identifier: MIT
/*
 * The kdump-compressed reader ("KDUMP   " from makedumpfile and QEMU, and
 * the legacy "DISKDUMP"): probe, headers, bitmaps and the memory map.
 * Layout: diskdump.h.
 *
 * Open reads the two headers and streams both bitmaps once, a chunk at a
 * time (diskdump.h: DD_CHUNK_PFNS), keeping only the count of dumped
 * pages before each chunk; a chunk's finer index is built when a page in
 * it is first read.  Memory is published as one VD_SEG_PAGED segment per
 * run of RAM pages; pages are decoded on demand by diskdump_read.c.  Notes, split sets and `info`
 * attrs are in diskdump_set.c.
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "diskdump.h"
#include "flat.h"

/* Above this many RAM runs publish one segment and let holes fault. */
#define DD_MAX_SEGMENTS 65536
/* Descriptors read at open to see whether the page data is cut short. */
#define DD_TAIL_DESCS 65536
/* Versions above this are not a byte-order candidate at all. */
#define DD_VERSION_SANE 255

static bool
block_size_ok(uint32_t bs)
{
	return vd_is_pow2(bs) && bs >= 512 && bs <= (1u << 20);
}

/*
 * The header is in the dumped machine's byte order.  A little-endian 4096
 * read big-endian is 1 MiB, also a valid block size, so the version
 * (0..6 in practice) must be sane too (libkdumpfile also checks that the
 * bitmaps cover max_mapnr; that is checked later for the chosen order).
 */
static struct vd_error *
dd_byte_order(struct diskdump *dd, const unsigned char *h)
{
	uint32_t v, bs;

	for (int be = 0; be < 2; be++) {
		v = vd_get32(h + DDH_VERSION, be);
		bs = vd_get32(h + DDH_BLOCK_SIZE, be);
		if (v <= DD_VERSION_SANE && block_size_ok(bs)) {
			dd->be = be;
			return NULL;
		}
	}
	v = vd_get32(h + DDH_VERSION, false);
	bs = vd_get32(h + DDH_BLOCK_SIZE, v > DD_VERSION_SANE);
	return vd_file_corrupt(dd->file, DDH_BLOCK_SIZE,
			       "kdump header: block size %u is not a power of two in [512, 1 MiB] (header version %d)",
			       bs, (int32_t)vd_get32(h + DDH_VERSION,
						     v > DD_VERSION_SANE));
}

/*
 * Machines whose kernels write the 32-bit header variants (timestamp at
 * 404, two layouts of the sub header): not supported.
 */
static bool
machine_is_32bit(const char *m)
{
	if (m[0] == 'i' && m[1] >= '3' && m[1] <= '6' && !strcmp(m + 2, "86"))
		return true;
	if (!strncmp(m, "arm", 3) && strcmp(m, "arm64"))
		return true;
	return !strcmp(m, "mips") || !strcmp(m, "ppc") || !strcmp(m, "s390") ||
	       !strcmp(m, "sh") || !strcmp(m, "riscv32");
}

static void
dd_parse_uts(struct diskdump *dd, const unsigned char *h)
{
	for (int i = 0; i < 6; i++) {
		const unsigned char *f = h + DDH_UTSNAME + i * DDH_UTS_LEN;

		// Shown by `info`: printable ASCII only, NUL-terminated.
		for (int j = 0; j < DDH_UTS_LEN && f[j]; j++)
			dd->uts[i][j] = f[j] >= 0x20 && f[j] < 0x7f ? f[j] : '?';
	}
}

static struct vd_error *
dd_parse_header(struct diskdump *dd, const unsigned char *h)
{
	struct vd_error *err;
	bool be;

	dd->legacy = !memcmp(h, "DISKDUMP", 8);
	dd_parse_uts(dd, h);
	if (machine_is_32bit(dd->uts[4]))
		return vd_error_create(VD_ERR_NOTIMPL,
				       "%s: kdump file of a 32-bit machine (%s): its header layout is not supported",
				       dd->file->path, dd->uts[4]);
	err = dd_byte_order(dd, h);
	if (err)
		return err;
	be = dd->be;
	dd->version = (int32_t)vd_get32(h + DDH_VERSION, be);
	dd->tv_sec = vd_get64(h + DDH_TV_SEC, be);
	dd->tv_usec = vd_get64(h + DDH_TV_USEC, be);
	dd->status = vd_get32(h + DDH_STATUS, be);
	dd->block_size = vd_get32(h + DDH_BLOCK_SIZE, be);
	dd->sub_hdr_blocks = vd_get32(h + DDH_SUB_HDR_SIZE, be);
	dd->bitmap_blocks = vd_get32(h + DDH_BITMAP_BLOCKS, be);
	dd->max_mapnr = vd_get32(h + DDH_MAX_MAPNR, be);
	dd->written_blocks = vd_get32(h + DDH_WRITTEN_BLOCKS, be);
	dd->current_cpu = vd_get32(h + DDH_CURRENT_CPU, be);
	dd->nr_cpus = (int32_t)vd_get32(h + DDH_NR_CPUS, be);
	return NULL;
}

/* Bytes of kdump_sub_header that a header version defines. */
static size_t
sub_header_size(int32_t version)
{
	static const size_t size[] = { 0, KSH_SPLIT, KSH_OFF_VMCOREINFO,
				       KSH_OFF_NOTE, KSH_OFF_ERASEINFO,
				       KSH_START_PFN_64, KSH_SIZE };

	return version >= 6 ? KSH_SIZE : size[version];
}

static void
dd_sub_fields(struct diskdump *dd, const unsigned char *sh)
{
	bool be = dd->be;
	int32_t v = dd->version;

	dd->phys_base = vd_get64(sh + KSH_PHYS_BASE, be);
	dd->dump_level = (int32_t)vd_get32(sh + KSH_DUMP_LEVEL, be);
	dd->has_dump_level = true;
	if (v >= 2 && vd_get32(sh + KSH_SPLIT, be)) {
		dd->split = true;
		dd->start_pfn = vd_get64(sh + KSH_START_PFN, be);
		dd->end_pfn = vd_get64(sh + KSH_END_PFN, be);
	}
	if (v >= 3) {
		dd->off_vmcoreinfo = vd_get64(sh + KSH_OFF_VMCOREINFO, be);
		dd->size_vmcoreinfo = vd_get64(sh + KSH_SIZE_VMCOREINFO, be);
	}
	if (v >= 4) {
		dd->off_note = vd_get64(sh + KSH_OFF_NOTE, be);
		dd->size_note = vd_get64(sh + KSH_SIZE_NOTE, be);
	}
	if (v >= 5) {
		dd->off_eraseinfo = vd_get64(sh + KSH_OFF_ERASEINFO, be);
		dd->size_eraseinfo = vd_get64(sh + KSH_SIZE_ERASEINFO, be);
	}
	if (v >= 6) {
		// The 32-bit-era fields are truncated on big machines.
		if (dd->split) {
			dd->start_pfn = vd_get64(sh + KSH_START_PFN_64, be);
			dd->end_pfn = vd_get64(sh + KSH_END_PFN_64, be);
		}
		dd->max_mapnr = vd_get64(sh + KSH_MAX_MAPNR_64, be);
	}
}

/*
 * The kdump sub header (block 1).  DISKDUMP files have an arch-specific
 * register block there instead (crash diskdump.c reads no kdump fields
 * from them), and version 0 has none.
 */
static struct vd_error *
dd_read_sub_header(struct diskdump *dd)
{
	unsigned char sh[KSH_SIZE] = { 0 };
	size_t need;
	struct vd_error *err;

	if (dd->legacy || dd->version < 1)
		return NULL;
	need = sub_header_size(dd->version);
	if ((uint64_t)dd->sub_hdr_blocks * dd->block_size < need)
		return vd_file_corrupt(dd->file, DDH_SUB_HDR_SIZE,
				       "kdump header: sub header of %u blocks cannot hold the %zu bytes of version %d",
				       dd->sub_hdr_blocks, need, dd->version);
	err = vd_file_read(dd->file, dd->block_size, sh, need,
			   "kdump sub header");
	if (err)
		return err;
	dd_sub_fields(dd, sh);
	return NULL;
}

static struct vd_error *
dd_check_pfn_range(struct diskdump *dd)
{
	if (!dd->split) {
		dd->start_pfn = 0;
		dd->end_pfn = dd->max_mapnr;
	}
	if (dd->max_mapnr > DD_MAX_PFNS ||
	    dd->max_mapnr > (1ull << DD_MAX_PHYS_BITS) / dd->block_size)
		return vd_file_corrupt(dd->file, dd->block_size,
				       "kdump header: max_mapnr 0x%llx is beyond any physical address (%d bits, at most 0x%llx pages)",
				       (unsigned long long)dd->max_mapnr, DD_MAX_PHYS_BITS,
				       (unsigned long long)VD_MIN(DD_MAX_PFNS,
								  (1ull << DD_MAX_PHYS_BITS) /
								  dd->block_size));
	if (dd->start_pfn >= dd->end_pfn || dd->end_pfn > dd->max_mapnr)
		return vd_file_corrupt(dd->file, dd->block_size,
				       "kdump header: %sPFN range [0x%llx, 0x%llx) is empty or exceeds max_mapnr 0x%llx",
				       dd->split ? "split part's " : "",
				       (unsigned long long)dd->start_pfn,
				       (unsigned long long)dd->end_pfn,
				       (unsigned long long)dd->max_mapnr);
	return NULL;
}

/*
 * Locate the two bitmaps.  Each takes half of bitmap_blocks.  A legacy
 * DISKDUMP file whose half cannot cover max_mapnr but whose whole area
 * can has one bitmap for both (crash's dump_is_partial() and
 * libkdumpfile's read_bitmap() "not partial" case); makedumpfile always
 * writes two, so a KDUMP file that short is broken.  Nothing is read yet.
 */
static struct vd_error *
dd_locate_bitmaps(struct diskdump *dd)
{
	const struct vd_file *file = dd->file;
	uint64_t bs = dd->block_size;
	uint64_t off = (1 + (uint64_t)dd->sub_hdr_blocks) * bs;
	uint64_t total = (uint64_t)dd->bitmap_blocks * bs;
	uint64_t half = (uint64_t)(dd->bitmap_blocks / 2) * bs;

	if (!vd_range_ok(off, total, file->size))
		return vd_file_corrupt(file, DDH_BITMAP_BLOCKS,
				       "kdump header: bitmaps of %u blocks at 0x%llx lie past the end of the file (size 0x%llx)",
				       dd->bitmap_blocks,
				       (unsigned long long)off,
				       (unsigned long long)file->size);
	if (dd->max_mapnr > half * 8) {
		if (!dd->legacy || dd->max_mapnr > total * 8)
			return vd_file_corrupt(file, DDH_BITMAP_BLOCKS,
					       "kdump header: bitmaps of %u blocks cover 0x%llx PFNs but max_mapnr is 0x%llx",
					       dd->bitmap_blocks,
					       (unsigned long long)((dd->legacy ?
								     total : half) * 8),
					       (unsigned long long)dd->max_mapnr);
		// Legacy diskdump: one bitmap serves as both.
		dd->single_bitmap = true;
		half = total;
	}
	dd->ram_bm_off = off;
	dd->dump_bm_off = dd->single_bitmap ? off : off + half;
	dd->bitmap_bytes = half;
	dd->desc_off = off + total;
	return NULL;
}

/* Set bits of a chunk's bitmap for PFNs [a, b) of chunk base. */
static uint64_t
count_bits(const unsigned char *bm, uint64_t base, uint64_t a, uint64_t b)
{
	uint64_t n = 0;

	a -= base;
	b -= base;
	while (a < b && (a & 63)) {
		n += vd_diskdump_bit(bm, a);
		a++;
	}
	for (; a + 64 <= b; a += 64)
		n += (uint64_t)__builtin_popcountll(vd_get64(bm + a / 8, false));
	for (; a < b; a++)
		n += vd_diskdump_bit(bm, a);
	return n;
}

/* The runs of RAM-or-dumped pages found so far, for the segments. */
struct dd_runs {
	uint64_t (*r)[2];
	size_t n;
	bool too_many;          /* more than DD_MAX_SEGMENTS: one segment */
	bool in;
	uint64_t start;
};

static struct vd_error *
run_edge(struct dd_runs *runs, bool in, uint64_t pfn)
{
	if (runs->in == in)
		return NULL;
	runs->in = in;
	if (in) {
		runs->start = pfn;
		return NULL;
	}
	if (runs->too_many)
		return NULL;
	if (runs->n == DD_MAX_SEGMENTS) {
		runs->too_many = true;
		return NULL;
	}
	if (!vd_grow(&runs->r, runs->n, sizeof(*runs->r)))
		return &vd_enomem;
	runs->r[runs->n][0] = runs->start;
	runs->r[runs->n][1] = pfn;
	runs->n++;
	return NULL;
}

/* Runs of set bits of ram | dump over PFNs [a, b) of the chunk at base. */
static struct vd_error *
scan_runs(struct dd_runs *runs, const unsigned char *ram,
	  const unsigned char *dump, uint64_t base, uint64_t a, uint64_t b)
{
	struct vd_error *err;

	while (a < b) {
		uint64_t i = a - base;
		uint64_t word = (vd_get64(ram + i / 64 * 8, false) |
				 vd_get64(dump + i / 64 * 8, false)) >> (i & 63);
		uint64_t left = VD_MIN(64 - (i & 63), b - a);

		if ((!runs->in && !word) ||
		    (runs->in && left == 64 && word == UINT64_MAX)) {
			a += left;
			continue;
		}
		err = run_edge(runs, word & 1, a);
		if (err)
			return err;
		a++;
	}
	return NULL;
}

/*
 * One pass over both bitmaps, a chunk at a time through the chunk cache's
 * first slot: the dumped pages before every chunk, the RAM and dumped
 * page counts and the runs of pages for the segments.  Holes of a sparse
 * file (and bytes no flattened record wrote) are zeros and are skipped
 * without reading, so the pass costs what the bitmaps hold, not the
 * machine's size; memory is the chunk table (8 bytes per GiB of 4 KiB
 * pages) whatever the size.
 */
static struct vd_error *
dd_scan_bitmaps(struct diskdump *dd, struct dd_runs *runs)
{
	struct dd_chunk *c = &dd->chunks[0];
	uint64_t nd_ram = 0, nd_dump = 0, sum = 0, base = 0;
	struct vd_error *err;

	for (uint64_t ci = 0; ci < dd->nchunks; ci++) {
		uint64_t from = ci * DD_CHUNK_BYTES;
		uint64_t to = VD_MIN(from + DD_CHUNK_BYTES, dd->bitmap_bytes);
		uint64_t p0 = ci * DD_CHUNK_PFNS, p1 = p0 + DD_CHUNK_PFNS;
		uint64_t a = VD_MAX(p0, dd->start_pfn), b = VD_MIN(p1, dd->end_pfn);
		bool data = false;

		dd->chunk_rank[ci] = sum;
		if (from < to) {
			if (!ci || nd_ram < from)
				nd_ram = vd_file_next_data(dd->file, dd->ram_bm_off + from) -
					 dd->ram_bm_off;
			if (!ci || nd_dump < from)
				nd_dump = vd_file_next_data(dd->file, dd->dump_bm_off + from) -
					  dd->dump_bm_off;
			data = nd_ram < to || nd_dump < to;
		}
		if (!data) {
			// All zero: no RAM, nothing dumped.
			if (a < b) {
				err = run_edge(runs, false, a);
				if (err)
					return err;
			}
			continue;
		}
		err = vd_diskdump_chunk(dd, p0, (const struct dd_chunk **)&c);
		if (err)
			return err;
		sum += count_bits(c->dump, p0, p0, p1);
		if (dd->start_pfn > p0)
			base += count_bits(c->dump, p0, p0, VD_MIN(p1, dd->start_pfn));
		if (a < b) {
			dd->dumped_pages += count_bits(c->dump, p0, a, b);
			dd->ram_pages += count_bits(c->ram, p0, a, b);
			err = scan_runs(runs, c->ram, c->dump, p0, a, b);
			if (err)
				return err;
		}
	}
	dd->chunk_rank[dd->nchunks] = sum;
	dd->base_rank = base;
	return run_edge(runs, false, dd->end_pfn);
}

static struct vd_error *
dd_read_bitmaps(struct diskdump *dd, struct dd_runs *runs)
{
	dd->nchunks = (dd->end_pfn + DD_CHUNK_PFNS - 1) >> DD_CHUNK_SHIFT;
	dd->chunk_rank = calloc(dd->nchunks + 1, sizeof(*dd->chunk_rank));
	if (!dd->chunk_rank)
		return &vd_enomem;
	for (size_t i = 0; i < DD_CHUNK_CACHE; i++) {
		struct dd_chunk *c = &dd->chunks[i];

		c->index = UINT64_MAX;
		c->ram = malloc(dd->single_bitmap ? DD_CHUNK_BYTES : 2 * DD_CHUNK_BYTES);
		if (!c->ram)
			return &vd_enomem;
		c->dump = dd->single_bitmap ? c->ram : c->ram + DD_CHUNK_BYTES;
	}
	return dd_scan_bitmaps(dd, runs);
}

/* The descriptor table must fit; an incomplete dump may end early. */
static struct vd_error *
dd_check_descs(struct vd_dump *dump, struct diskdump *dd)
{
	uint64_t size = dd->file->size, room;

	room = dd->desc_off < size ? (size - dd->desc_off) / DD_DESC_SIZE : 0;
	dd->desc_avail = VD_MIN(room, dd->dumped_pages);
	if (dd->desc_avail == dd->dumped_pages && !(dd->status & DD_INCOMPLETE)) {
		// Where the page data ends: past the file's end, it is
		// truncated, which every command should hear first.  The data
		// is written in descriptor order (only zero pages point back
		// at the one shared zero page), so the last descriptors reach
		// furthest: read the last DD_TAIL_DESCS of them, not all (a
		// big machine's table is gigabytes).
		uint64_t end = 0, worst = 0;
		uint64_t first = dd->desc_avail > DD_TAIL_DESCS ?
				 dd->desc_avail - DD_TAIL_DESCS : 0;
		size_t n = (size_t)(dd->desc_avail - first);
		unsigned char *buf = malloc(n ? n * DD_DESC_SIZE : 1);
		struct vd_error *err;

		if (!buf)
			return &vd_enomem;
		err = vd_file_pread(dd->file, dd->desc_off + first * DD_DESC_SIZE, buf,
				    n * DD_DESC_SIZE, "page descriptors");
		for (size_t i = 0; !err && i < n; i++) {
			const unsigned char *p = buf + i * DD_DESC_SIZE;
			uint64_t off = vd_get64(p, dd->be), len = vd_get32(p + 8, dd->be);

			// Offsets past 2^62 are damage of one descriptor, reported
			// when that page is read.
			if (off < (1ull << 62) && off + len > end) {
				end = off + len;
				worst = first + i;
			}
		}
		free(buf);
		if (err)
			return err;
		if (end > size)
			return vd_dump_add_damage(dump,
						  "%s: truncated file: it ends at 0x%llx, but page data runs to 0x%llx (descriptor %llu)",
						  dd->file->path, (unsigned long long)size,
						  (unsigned long long)end, (unsigned long long)worst);
		return NULL;
	}
	if (dd->desc_avail == dd->dumped_pages)
		return NULL;
	return vd_dump_add_damage(dump,
				   "%s: the file ends inside the page descriptor table: %llu of %llu pages have no descriptor and cannot be read (%s)",
				   dd->file->path,
				   (unsigned long long)(dd->dumped_pages -
							dd->desc_avail),
				   (unsigned long long)dd->dumped_pages,
				   dd->status & DD_INCOMPLETE ?
				   "the dump is incomplete" :
				   "the file is truncated");
}

struct seg_ctx {
	struct vd_dump *dump;
	struct vd_source *src;
	uint32_t bs;
	struct vd_error *err;
};

static void
add_run(struct seg_ctx *c, uint64_t a, uint64_t b)
{
	struct vd_segment seg = { .start = a * c->bs, .end = b * c->bs,
				  .kind = VD_SEG_PAGED };

	if (!c->err)
		c->err = vd_dump_add_segment(c->dump, c->src, &seg);
}

/* One segment per run of RAM pages; read_page faults on the holes. */
static struct vd_error *
dd_add_segments(struct vd_dump *dump, struct vd_source *src,
		struct diskdump *dd, const struct dd_runs *runs)
{
	struct seg_ctx c = { dump, src, dd->block_size, NULL };

	if (!runs->too_many) {
		for (size_t i = 0; i < runs->n; i++)
			add_run(&c, runs->r[i][0], runs->r[i][1]);
		return c.err;
	}
	// A pathological bitmap: one segment; read_page faults on holes.
	add_run(&c, dd->start_pfn, dd->end_pfn);
	return c.err;
}

/* The dump-wide facts; a second file must agree with the first. */
static struct vd_error *
dd_publish_info(struct vd_dump *dump, struct diskdump *dd)
{
	struct vd_dump_info *info = vd_dump_info_mut(dump);

	if (info->format && strcmp(info->format, "kdump"))
		return vd_error_create(VD_ERR_INVALID_ARG,
				       "%s: a kdump file cannot be opened together with a %s file",
				       dd->file->path, info->format);
	if (info->page_size && info->page_size != dd->block_size)
		return vd_error_create(VD_ERR_CORRUPT,
				       "%s: block size %u differs from the %u of the other files",
				       dd->file->path, dd->block_size,
				       info->page_size);
	info->format = "kdump";
	info->kind = VD_DUMP_KERNEL;
	info->arch = dd->arch;
	info->big_endian = dd->be;
	info->ptr_size = 8;
	info->page_size = dd->block_size;
	return NULL;
}

static struct vd_error *
dd_warnings(struct vd_dump *dump, struct diskdump *dd)
{
	const char *path = dd->file->path;
	struct vd_error *err = NULL;

	if (dd->status & DD_INCOMPLETE)
		err = vd_dump_add_damage(dump,
					  "%s: the dump is incomplete (status 0x%x: the writer ran out of space); pages it did not write read as lost",
					  path, dd->status);
	if (!err && dd->version > 6)
		err = vd_dump_add_warning(dump,
					  "%s: kdump header version %d is newer than 6; read as version 6",
					  path, dd->version);
	if (!err && dd->arch == VD_ARCH_UNKNOWN)
		err = vd_dump_add_warning(dump,
					  "%s: unknown architecture (utsname.machine \"%s\"): only physical memory can be read",
					  path, dd->uts[4]);
	return err;
}

static struct vd_error *
dd_load(struct vd_dump *dump, struct diskdump *dd, struct dd_runs *runs)
{
	unsigned char h[DDH_SIZE];
	struct vd_error *err;

	err = vd_file_read(dd->file, 0, h, sizeof(h), "kdump header");
	if (!err)
		err = dd_parse_header(dd, h);
	if (!err)
		err = dd_read_sub_header(dd);
	if (!err)
		err = dd_check_pfn_range(dd);
	if (!err)
		err = dd_locate_bitmaps(dd);
	if (!err)
		err = dd_read_bitmaps(dd, runs);
	if (!err)
		err = vd_diskdump_parse_notes(dump, dd);
	if (err)
		return err;
	return dd_check_descs(dump, dd);
}

static void diskdump_close(void *priv);

static struct vd_error *
diskdump_open(struct vd_dump *dump, struct vd_source *src,
	      struct vd_file *file, void **priv_ret)
{
	unsigned char sig[8];
	struct diskdump *dd;
	struct dd_runs runs = { 0 };
	struct vd_error *err;

	// vd_file_read: a flattened file may split even these 8 bytes.
	err = vd_file_read(file, 0, sig, sizeof(sig), "signature");
	if (err) {
		vd_error_destroy(err);
		return &vd_noprobe;
	}
	if (memcmp(sig, "KDUMP   ", 8) && memcmp(sig, "DISKDUMP", 8))
		return &vd_noprobe;
	dd = calloc(1, sizeof(*dd));
	if (!dd)
		return &vd_enomem;
	dd->file = file;
	err = dd_load(dump, dd, &runs);
	if (!err)
		err = dd_publish_info(dump, dd);
	if (!err)
		err = dd_add_segments(dump, src, dd, &runs);
	free(runs.r);
	if (!err)
		err = dd_warnings(dump, dd);
	if (err) {
		diskdump_close(dd);
		return err;
	}
	vd_diskdump_sample_flags(dd);
	*priv_ret = dd;
	return NULL;
}

static void
diskdump_close(void *priv)
{
	struct diskdump *dd = priv;

	if (!dd)
		return;
	vd_diskdump_free_decoders(dd);
	for (size_t i = 0; i < DD_CHUNK_CACHE; i++)
		free(dd->chunks[i].ram);
	free(dd->chunk_rank);
	free(dd->vmcoreinfo);
	free(dd->cpus);
	free(dd->eraseinfo);
	free(dd);
}

const struct vd_format_ops vd_diskdump_format_ops = {
	.name = "kdump",
	.open = diskdump_open,
	.read_page = vd_diskdump_read_page,
	.next_page = vd_diskdump_next_page,
	.plan_page = vd_diskdump_plan_page,
	.decode_page = vd_diskdump_decode_page,
	.dec_new = vd_diskdump_dec_new,
	.dec_free = vd_diskdump_dec_free,
	.finish = vd_diskdump_finish,
	.close = diskdump_close,
};
