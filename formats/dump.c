// SPDX-License-Identifier: MIT
/*
 * The physical-memory layer: opens files with the readers, keeps the
 * sorted segment map they publish and serves reads across segments, with a
 * page cache in front of readers that decode pages (VD_SEG_PAGED).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/util.h"
#include "common/elf_why.h"
#include "flat.h"
#include "format.h"
#include "dump_priv.h"
#include "page_cache.h"

/* Readers in probe order: the most specific signatures first. */
static const struct vd_format_ops *const readers[] = {
	&vd_elf_format_ops,
	&vd_diskdump_format_ops,
};

struct vd_dump_info *
vd_dump_info_mut(struct vd_dump *dump)
{
	return &dump->info;
}

const struct vd_dump_info *
vd_dump_info(const struct vd_dump *dump)
{
	return &dump->info;
}

bool
vd_dump_zero_excluded(const struct vd_dump *dump)
{
	return dump->opts.zero_excluded;
}

struct vd_error *
vd_dump_add_segment(struct vd_dump *dump, struct vd_source *src,
		    const struct vd_segment *seg)
{
	if (seg->end <= seg->start)
		return NULL;
	if (dump->nsegs == dump->segs_cap) {
		size_t cap = dump->segs_cap ? 2 * dump->segs_cap : 16;
		void *p;

		if (cap > (1u << 24))
			return vd_error_create(VD_ERR_CORRUPT,
					       "%s: more than %u memory segments",
					       src->file->path, 1u << 24);
		p = realloc(dump->segs, cap * sizeof(*dump->segs));
		if (!p)
			return &vd_enomem;
		dump->segs = p;
		dump->segs_cap = cap;
	}
	dump->segs[dump->nsegs] = *seg;
	dump->segs[dump->nsegs].src = src;
	dump->nsegs++;
	return NULL;
}

struct vd_error *
vd_dump_set_vmcoreinfo(struct vd_dump *dump, const char *text, size_t len)
{
	char *copy;

	// The note's size includes padding and usually a NUL: stop at it.
	len = strnlen(text, len);
	copy = malloc(len + 1);
	if (!copy)
		return &vd_enomem;
	memcpy(copy, text, len);
	copy[len] = '\0';
	free(dump->info.vmcoreinfo);
	dump->info.vmcoreinfo = copy;
	dump->info.vmcoreinfo_len = len;
	return NULL;
}

struct vd_error *
vd_dump_add_cpu(struct vd_dump *dump, const struct vd_cpu_state *cpu)
{
	size_t n = dump->info.ncpus;

	if (n >= 65536)
		return vd_error_create(VD_ERR_CORRUPT,
				       "more than 65536 CPU notes");
	// Grown geometrically: a file with 65536 notes opens in linear time.
	if (!vd_grow(&dump->info.cpus, n, sizeof(*dump->info.cpus)))
		return &vd_enomem;
	dump->info.cpus[dump->info.ncpus++] = *cpu;
	return NULL;
}

static struct vd_error *
push_string(char ***arr, size_t *n, char *s)
{
	if (!s)
		return &vd_enomem;
	if (!vd_grow(arr, *n, sizeof(**arr))) {
		free(s);
		return &vd_enomem;
	}
	(*arr)[(*n)++] = s;
	return NULL;
}

/* Takes value (malloc()ed, or NULL: out of memory). */
static struct vd_error *
add_attr(struct vd_dump *dump, const char *key, char *value, enum vd_attr_type type,
	 uint64_t number)
{
	struct vd_attr *p;

	if (!value)
		return &vd_enomem;
	if (!vd_grow(&dump->info.attrs, dump->info.nattrs, sizeof(*p))) {
		free(value);
		return &vd_enomem;
	}
	p = &dump->info.attrs[dump->info.nattrs];
	*p = (struct vd_attr){ strdup(key), value, type, number };
	if (!p->key) {
		free(value);
		return &vd_enomem;
	}
	dump->info.nattrs++;
	return NULL;
}

struct vd_error *
vd_dump_add_attr(struct vd_dump *dump, const char *key, const char *fmt, ...)
{
	char *value;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&value, fmt, ap);
	va_end(ap);
	return add_attr(dump, key, r < 0 ? NULL : value, VD_ATTR_TEXT, 0);
}

struct vd_error *
vd_dump_add_fact(struct vd_dump *dump, const char *key, enum vd_attr_type type,
		 uint64_t number)
{
	char buf[64];

	switch (type) {
	case VD_ATTR_HEX:
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)number);
		break;
	case VD_ATTR_BOOL:
		number = number != 0;
		snprintf(buf, sizeof(buf), "%s", number ? "yes" : "no");
		break;
	case VD_ATTR_TIME: {
		time_t t = (time_t)number;
		struct tm tm;

		if (!number)
			snprintf(buf, sizeof(buf), "not set");
		else if (number > INT64_MAX || !gmtime_r(&t, &tm) ||
			 !strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm))
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)number);
		break;
	}
	default:
		type = VD_ATTR_COUNT;
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)number);
		break;
	}
	return add_attr(dump, key, strdup(buf), type, number);
}

struct vd_error *
vd_dump_add_warning(struct vd_dump *dump, const char *fmt, ...)
{
	char *msg;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return &vd_enomem;
	return push_string(&dump->info.warnings, &dump->info.nwarnings, msg);
}

struct vd_error *
vd_dump_add_damage(struct vd_dump *dump, const char *fmt, ...)
{
	struct vd_error *err;
	char *msg;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return &vd_enomem;
	err = push_string(&dump->info.warnings, &dump->info.nwarnings, msg);
	if (!err && !dump->info.damage)
		dump->info.damage = msg;
	return err;
}

/*
 * Why no reader took the file, from its first bytes: which ELF check
 * failed, an ELF file that is not a core, or no known signature at all.
 */
static void
why_unknown(const struct vd_file *file, char *buf, size_t size)
{
	static const char *const types[] = { "no file type", "a relocatable object",
					     "an executable", "a shared object" };
	unsigned char h[18] = { 0 };
	size_t n = (size_t)VD_MIN(file->size, (uint64_t)sizeof(h));
	struct vd_error *err = vd_file_read(file, 0, h, n, "signature");
	char ebuf[160];
	const char *ewhy;

	vd_error_destroy(err);
	if (!file->size) {
		snprintf(buf, size, file->flat ? "its flattened records hold no data" :
			 "the file is empty");
		return;
	}
	if (n >= 4 && !memcmp(h, "\x7f" "ELF", 4)) {
		// The ELF checks run on the descriptor: for a compressed file,
		// that of the decompressed data.
		ewhy = file->flat ? NULL : vd_elf_why_not(file->fd, ebuf, sizeof(ebuf));
		if (ewhy) {
			snprintf(buf, size, "%s", ewhy);
		} else if (n >= 18) {
			unsigned t = h[5] == 2 ? (unsigned)h[16] << 8 | h[17] :
				     (unsigned)h[17] << 8 | h[16];

			snprintf(buf, size, "an ELF file, but %s (e_type %u), not a core (ET_CORE, 4)",
				 t < VD_ARRAY_SIZE(types) ? types[t] : "not a core", t);
		} else {
			snprintf(buf, size, "the file ends inside the ELF identification");
		}
		return;
	}
	{
		char hex[3 * 8 + 1] = "";
		size_t len = 0;

		for (size_t i = 0; i < VD_MIN(n, (size_t)8); i++)
			len += (size_t)snprintf(hex + len, sizeof(hex) - len, "%s%02x",
						i ? " " : "", h[i]);
		snprintf(buf, size, "%s (%s) are no ELF, KDUMP, DISKDUMP or flattened signature",
			 file->flat ? "the first bytes its flattened records make" :
			 "its first bytes", hex);
	}
}

static struct vd_error *
open_one(struct vd_dump *dump, const char *path)
{
	struct vd_source *src;
	struct vd_file *file;
	struct vd_error *err;

	err = vd_file_open_limited(path, dump->opts.decompress_limit, &file);
	if (err)
		return err;
	// srcs was sized for every path: segments point into it, so it
	// must not move.
	src = &dump->srcs[dump->nsrcs];
	src->file = file;
	src->priv = NULL;
	for (size_t i = 0; i < VD_ARRAY_SIZE(readers); i++) {
		err = readers[i]->open(dump, src, file, &src->priv);
		if (err == &vd_noprobe)
			continue;
		if (err) {
			vd_file_close(file);
			return err;
		}
		src->ops = readers[i];
		dump->nsrcs++;
		// Any reader of a flattened file: its remap's complaint
		// (no end marker, a record past the end) is damage.
		if (file->flat && vd_flat_warning(file->flat))
			return vd_dump_add_damage(dump, "%s",
						  vd_flat_warning(file->flat));
		return NULL;
	}
	{
		char why[256];

		why_unknown(file, why, sizeof(why));
		vd_file_close(file);
		return vd_error_create(VD_ERR_INVALID_ARG,
				       "%s: not a dump file vmdive knows (ELF core, kdump-compressed): %s",
				       path, why);
	}
}

static int
seg_cmp(const void *a, const void *b)
{
	const struct vd_segment *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static const char *
seg_kind_name(enum vd_seg_kind kind)
{
	switch (kind) {
	case VD_SEG_FILE: return "file";
	case VD_SEG_ZERO: return "zero";
	case VD_SEG_ABSENT: return "absent";
	case VD_SEG_PAGED: return "paged";
	}
	return "?";
}

/* Sort segments, refuse overlaps, and give every reader its finish(). */
static struct vd_error *
finish_open(struct vd_dump *dump)
{
	struct vd_error *err;

	for (size_t i = 0; i < dump->nsrcs; i++) {
		const struct vd_format_ops *ops = dump->srcs[i].ops;
		void **privs;
		size_t n = 0;
		bool first = true;

		if (!ops->finish)
			continue;
		for (size_t j = 0; j < i; j++)
			first &= dump->srcs[j].ops != ops;
		if (!first)
			continue;
		privs = calloc(dump->nsrcs, sizeof(*privs));
		if (!privs)
			return &vd_enomem;
		for (size_t j = i; j < dump->nsrcs; j++)
			if (dump->srcs[j].ops == ops)
				privs[n++] = dump->srcs[j].priv;
		err = ops->finish(dump, privs, n);
		free(privs);
		if (err)
			return err;
	}
	if (dump->nsegs)
		qsort(dump->segs, dump->nsegs, sizeof(*dump->segs), seg_cmp);
	for (size_t i = 1; i < dump->nsegs; i++) {
		const struct vd_segment *a = &dump->segs[i - 1], *b = &dump->segs[i];

		if (b->start < a->end)
			return vd_error_create(VD_ERR_CORRUPT,
					       "%s: memory ranges overlap: [0x%llx, 0x%llx) and [0x%llx, 0x%llx)",
					       b->src->file->path,
					       (unsigned long long)a->start,
					       (unsigned long long)a->end,
					       (unsigned long long)b->start,
					       (unsigned long long)b->end);
	}
	dump->ranges = calloc(dump->nsegs ? dump->nsegs : 1,
			      sizeof(*dump->ranges));
	if (!dump->ranges)
		return &vd_enomem;
	for (size_t i = 0; i < dump->nsegs; i++) {
		dump->ranges[i].start = dump->segs[i].start;
		dump->ranges[i].end = dump->segs[i].end;
		dump->ranges[i].kind = seg_kind_name(dump->segs[i].kind);
	}
	for (size_t i = 0; i < dump->nsegs; i++) {
		if (dump->segs[i].kind != VD_SEG_PAGED)
			continue;
		if (!dump->info.page_size)
			return vd_error_create(VD_ERR_CORRUPT,
					       "%s: paged memory but no page size",
					       dump->info.path);
		// Bounded in bytes: the page size is the file's word.
		return vd_page_cache_create(vd_page_cache_pages(VD_PAGE_CACHE_BYTES,
								dump->info.page_size,
								dump->opts.cache_pages),
					    dump->info.page_size, &dump->cache);
	}
	return NULL;
}

struct vd_error *
vd_dump_open(const char *const *paths, size_t npaths,
	     const struct vd_dump_opts *opts, struct vd_dump **ret)
{
	struct vd_dump *dump;
	struct vd_error *err;

	if (!npaths)
		return vd_error_create(VD_ERR_INVALID_ARG, "no dump file given");
	dump = calloc(1, sizeof(*dump));
	if (!dump)
		return &vd_enomem;
	if (opts)
		dump->opts = *opts;
	dump->srcs = calloc(npaths, sizeof(*dump->srcs));
	if (!dump->srcs) {
		free(dump);
		return &vd_enomem;
	}
	for (size_t i = 0; i < npaths; i++) {
		err = open_one(dump, paths[i]);
		if (err)
			goto fail;
	}
	dump->info.path = dump->srcs[0].file->path;
	err = finish_open(dump);
	if (err)
		goto fail;
	*ret = dump;
	return NULL;
fail:
	vd_dump_close(dump);
	return err;
}

void
vd_dump_close(struct vd_dump *dump)
{
	if (!dump)
		return;
	for (size_t i = 0; i < dump->nsrcs; i++) {
		if (dump->srcs[i].ops && dump->srcs[i].ops->close)
			dump->srcs[i].ops->close(dump->srcs[i].priv);
		vd_file_close(dump->srcs[i].file);
	}
	free(dump->srcs);
	free(dump->segs);
	free(dump->ranges);
	vd_page_cache_destroy(dump->cache);
	free(dump->info.vmcoreinfo);
	free(dump->info.cpus);
	for (size_t i = 0; i < dump->info.nattrs; i++) {
		free(dump->info.attrs[i].key);
		free(dump->info.attrs[i].value);
	}
	free(dump->info.attrs);
	for (size_t i = 0; i < dump->info.nwarnings; i++)
		free(dump->info.warnings[i]);
	free(dump->info.warnings);
	free(dump);
}

static enum vd_as
dump_as(const struct vd_dump *dump)
{
	return dump->info.kind == VD_DUMP_USER ? VD_AS_UVIRT : VD_AS_PHYS;
}

const struct vd_segment *
vd_dump_find_segment(const struct vd_dump *dump, uint64_t addr)
{
	size_t lo = 0, hi = dump->nsegs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (dump->segs[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < dump->nsegs ? &dump->segs[lo] : NULL;
}

/*
 * A read this long (a BTF blob, kallsyms tables, a search window) is read
 * once: its whole pages are decoded straight into the caller's buffer, not
 * through the page cache (which would hold a second copy of megabytes and
 * push out the pages walkers come back to).
 */
#define READ_STREAM_MIN (64u << 10)

static struct vd_error *
read_paged(struct vd_dump *dump, const struct vd_segment *seg, uint64_t addr,
	   unsigned char *buf, size_t len, size_t *n_ret)
{
	uint32_t psize = dump->info.page_size;
	struct vd_source *src = seg->src;
	bool stream = len >= READ_STREAM_MIN;

	while (len) {
		uint64_t pfn = addr / psize;
		size_t off = addr % psize, n = VD_MIN(len, psize - off);
		const unsigned char *page = vd_page_cache_get(dump->cache, src, pfn);

		if (!page && stream && !off && n == psize) {
			struct vd_error *err = src->ops->read_page(src->priv, pfn, buf);

			if (err && err->code == VD_ERR_NODATA && dump->opts.zero_excluded) {
				vd_error_destroy(err);
				memset(buf, 0, psize);
				err = NULL;
			}
			if (err)
				return err;
			page = buf;
		} else if (!page) {
			unsigned char *slot = vd_page_cache_reserve(dump->cache);
			struct vd_error *err = src->ops->read_page(src->priv, pfn, slot);

			if (err && err->code == VD_ERR_NODATA &&
			    dump->opts.zero_excluded) {
				vd_error_destroy(err);
				memset(slot, 0, psize);
				err = NULL;
			}
			if (err) {
				vd_page_cache_abort(dump->cache);
				return err;
			}
			vd_page_cache_commit(dump->cache, src, pfn);
			page = slot;
		}
		if (page != buf)
			memcpy(buf, page + off, n);
		*n_ret += n;
		buf += n;
		addr += n;
		len -= n;
	}
	return NULL;
}

/* Read from one segment; *n_ret = bytes copied (also on failure). */
static struct vd_error *
read_segment(struct vd_dump *dump, const struct vd_segment *seg, uint64_t addr,
	     unsigned char *buf, size_t len, size_t *n_ret)
{
	uint64_t off = addr - seg->start;
	const void *p;

	*n_ret = 0;
	switch (seg->kind) {
	case VD_SEG_FILE:
		p = vd_file_ptr(seg->src->file, seg->file_off + off, len);
		if (!p && seg->src->file->flat &&
		    seg->file_off + off >= seg->file_off) {
			// Flattened file: the range spans records.
			struct vd_error *err = vd_file_read(seg->src->file,
							    seg->file_off + off,
							    buf, len, "data");

			if (!err)
				break;
			vd_error_destroy(err);
		}
		if (!p || seg->file_off + off < seg->file_off)
			return vd_error_fault(VD_ERR_CORRUPT, dump_as(dump), addr,
					      "%s: data for 0x%llx lies past the end of the file",
					      seg->src->file->path,
					      (unsigned long long)addr);
		memcpy(buf, p, len);
		break;
	case VD_SEG_ZERO:
		memset(buf, 0, len);
		break;
	case VD_SEG_ABSENT:
		if (dump->opts.zero_excluded) {
			memset(buf, 0, len);
			break;
		}
		return vd_error_fault(VD_ERR_NODATA, dump_as(dump), addr,
				      "0x%llx is not in the dump: %s",
				      (unsigned long long)addr,
				      seg->why ? seg->why : "excluded");
	case VD_SEG_PAGED:
		return read_paged(dump, seg, addr, buf, len, n_ret);
	}
	*n_ret = len;
	return NULL;
}

struct vd_error *
vd_dump_read(struct vd_dump *dump, uint64_t addr, void *buf, size_t len,
	     size_t *done_ret)
{
	unsigned char *out = buf;
	size_t done = 0;
	struct vd_error *err = NULL;

	while (done < len) {
		uint64_t a = addr + done;
		const struct vd_segment *seg = vd_dump_find_segment(dump, a);
		size_t n, got;

		if (a < addr) {
			err = vd_error_fault(VD_ERR_FAULT, dump_as(dump), a,
					     "read wraps past the end of the address space");
			break;
		}
		if (!seg || seg->start > a) {
			err = vd_error_fault(VD_ERR_FAULT, dump_as(dump), a,
					     "0x%llx is not in the dump",
					     (unsigned long long)a);
			break;
		}
		n = (size_t)VD_MIN((uint64_t)(len - done), seg->end - a);
		err = read_segment(dump, seg, a, out + done, n, &got);
		done += got;
		if (err)
			break;
	}
	if (done_ret)
		*done_ret = done;
	return err;
}

const void *
vd_dump_ptr(struct vd_dump *dump, uint64_t addr, size_t len)
{
	const struct vd_segment *seg = vd_dump_find_segment(dump, addr);
	uint64_t off;

	if (!seg || seg->start > addr || seg->kind != VD_SEG_FILE ||
	    len > seg->end - addr)
		return NULL;
	off = seg->file_off + (addr - seg->start);
	if (off < seg->file_off)
		return NULL;
	return vd_file_ptr(seg->src->file, off, len);
}

uint64_t
vd_dump_next_data(struct vd_dump *dump, uint64_t addr)
{
	uint32_t psize = dump->info.page_size;

	for (const struct vd_segment *seg = vd_dump_find_segment(dump, addr);
	     seg && seg < dump->segs + dump->nsegs; seg++) {
		uint64_t a = VD_MAX(addr, seg->start), pfn;

		if (seg->kind == VD_SEG_ABSENT && !dump->opts.zero_excluded)
			continue;
		if (seg->kind != VD_SEG_PAGED || !psize || dump->opts.zero_excluded ||
		    !seg->src->ops->next_page)
			return a;
		pfn = seg->src->ops->next_page(seg->src->priv, a / psize);
		if (pfn != UINT64_MAX && pfn < seg->end / psize)
			return VD_MAX(a, pfn * psize);
	}
	return UINT64_MAX;
}

size_t
vd_dump_ranges(const struct vd_dump *dump, const struct vd_mem_range **ret)
{
	*ret = dump->ranges;
	return dump->nsegs;
}

bool
vd_dump_has_file_pages(const struct vd_dump *dump)
{
	for (size_t i = 0; i < dump->nsegs; i++)
		if (!strcmp(dump->ranges[i].kind, "file"))
			return true;
	return false;
}

void
vd_dump_cache_stats(const struct vd_dump *dump, struct vd_cache_stats *ret)
{
	if (dump->cache) {
		vd_page_cache_stats(dump->cache, ret);
	} else {
		memset(ret, 0, sizeof(*ret));
	}
}
