// SPDX-License-Identifier: MIT
/*
 * The persistent cache's files (common/cache.h).
 *
 * Layout, host byte order (the byte-order word tells another host's file
 * apart, and it is then a miss):
 *   header   magic "VDCACHE2", u32 0x01020304, u32 format version (the
 *            kind's), char kind[16], char key[80], u64 file size,
 *            u64 checksum of the header (this field as 0), the section
 *            table and the block table, u32 section count, u32 block
 *            count
 *   table    per section: u32 id, u32 0, u64 offset, u64 size
 *   blocks   u64 checksum of each VD_CACHE_BLOCK bytes of the data (the
 *            last block may be shorter)
 *   data     each section at an 8-byte aligned offset, zero padded
 *
 * Opening checks the header, the tables and the checksum over them; the
 * data's blocks are checked when first used (vd_cache_get: a whole
 * section; vd_cache_check: the blocks under a range), so a command that
 * reads a few entries of a 10 MB file hashes and faults in a few blocks,
 * not the file.  A block that does not match is never handed out.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cache.h"
#include "common/util.h"

#define CACHE_MAGIC "VDCACHE2"
#define CACHE_ORDER 0x01020304u
#define CACHE_MAX_SECTIONS 64
#define CACHE_MAX_SIZE (1ull << 32)

struct cache_header {
	char magic[8];
	uint32_t order;
	uint32_t version;
	char kind[VD_CACHE_KIND_MAX];
	char key[VD_CACHE_KEY_MAX];
	uint64_t size;
	uint64_t checksum;
	uint32_t nsecs;
	uint32_t nblocks;
};

struct vd_cache_section_entry {
	uint32_t id;
	uint32_t zero;
	uint64_t offset;
	uint64_t size;
};

/*
 * A fast 64-bit hash of the contents, 8 bytes a step in four independent
 * lanes (word i goes to lane i % 4; not a defence against an attacker, who
 * could as well write a consistent file: every user bounds-checks what it
 * reads too).  The bytes after the last whole word count as a word padded
 * with zeros, which is what the writer puts after each section.
 */
static inline uint64_t
mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0xff51afd7ed558ccdull;
	return h ^ h >> 32;
}

uint64_t
vd_cache_checksum(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t l[4] = { 0x9e3779b97f4a7c15ull ^ len, 0xc2b2ae3d27d4eb4full,
			  0x165667b19e3779f9ull, 0x27d4eb2f165667c5ull }, w, h;
	size_t i = 0, k = 0;

	for (; i + 32 <= len; i += 32, k += 4) {
		uint64_t w4[4];

		memcpy(w4, p + i, 32);
		l[0] = mix(l[0], w4[0]);
		l[1] = mix(l[1], w4[1]);
		l[2] = mix(l[2], w4[2]);
		l[3] = mix(l[3], w4[3]);
	}
	for (; i < len; i += 8, k++) {
		w = 0;
		memcpy(&w, p + i, len - i < 8 ? len - i : 8);
		l[k % 4] = mix(l[k % 4], w);
	}
	h = mix(mix(mix(l[0], l[1]), l[2]), l[3]);
	return h ^ h >> 29;
}

static bool
key_ok(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (!n || n == max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '-' || s[i] == '_' ||
		      s[i] == '.'))
			return false;
	return s[0] != '.';
}

char *
vd_cache_dir(const char *dir)
{
	const char *env;
	char *ret;

	if (dir && *dir)
		return strdup(dir);
	if ((env = getenv("VMDIVE_CACHE_DIR")) && *env)
		return strdup(env);
	if ((env = getenv("XDG_CACHE_HOME")) && *env == '/')
		return asprintf(&ret, "%s/vmdive", env) < 0 ? NULL : ret;
	if ((env = getenv("HOME")) && *env)
		return asprintf(&ret, "%s/.cache/vmdive", env) < 0 ? NULL : ret;
	return NULL;
}

char *
vd_cache_path(const char *dir, const char *kind, const char *key)
{
	char *ret;

	if (!dir || !key_ok(kind, VD_CACHE_KIND_MAX) || !key_ok(key, VD_CACHE_KEY_MAX))
		return NULL;
	return asprintf(&ret, "%s/%s-%s.vdc", dir, kind, key) < 0 ? NULL : ret;
}

void
vd_cache_close(struct vd_cache_file *f)
{
	if (f->map)
		munmap(f->map, f->size);
	free(f->checked);
	memset(f, 0, sizeof(*f));
}

static bool
miss(const char **why_ret, const char *why)
{
	if (why_ret)
		*why_ret = why;
	return false;
}

static size_t
nblocks_of(uint64_t data_size)
{
	return (size_t)((data_size + VD_CACHE_BLOCK - 1) / VD_CACHE_BLOCK);
}

/* The checksum of the header (its checksum field as 0) and the tables. */
static uint64_t
tables_checksum(const struct cache_header *h, const void *tables, size_t tables_size)
{
	struct cache_header c = *h;

	c.checksum = 0;
	return vd_cache_checksum(&c, sizeof(c)) ^
	       vd_cache_checksum(tables, tables_size) * 0x9e3779b97f4a7c15ull;
}

bool
vd_cache_open(const char *dir, const char *kind, uint32_t version, const char *key,
	      struct vd_cache_file *ret, const char **why_ret)
{
	_cleanup_free_ char *path = vd_cache_path(dir, kind, key);
	const struct cache_header *h;
	const struct vd_cache_section_entry *secs;
	struct stat st;
	size_t tab_end, nblocks;
	void *map;
	int fd;

	memset(ret, 0, sizeof(*ret));
	if (!path)
		return miss(why_ret, "no cache directory or key");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return miss(why_ret, "no cache file");
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(*h) ||
	    (uint64_t)st.st_size > CACHE_MAX_SIZE) {
		close(fd);
		return miss(why_ret, "not a cache file (size)");
	}
	// Not populated: only the pages a command reads are faulted in (and
	// their blocks checked, vd_cache_check()).
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return miss(why_ret, "cannot map the cache file");
	ret->map = map;
	ret->size = (size_t)st.st_size;
	h = map;
	if (memcmp(h->magic, CACHE_MAGIC, 8) || h->order != CACHE_ORDER) {
		vd_cache_close(ret);
		return miss(why_ret, "not a cache file of this host");
	}
	if (h->version != version || strncmp(h->kind, kind, VD_CACHE_KIND_MAX)) {
		vd_cache_close(ret);
		return miss(why_ret, "another format version");
	}
	if (strncmp(h->key, key, VD_CACHE_KEY_MAX)) {
		vd_cache_close(ret);
		return miss(why_ret, "another key (build-id)");
	}
	if (h->size != ret->size) {
		vd_cache_close(ret);
		return miss(why_ret, "truncated or extended");
	}
	if (h->nsecs > CACHE_MAX_SECTIONS ||
	    sizeof(*h) + (size_t)h->nsecs * sizeof(*secs) > ret->size) {
		vd_cache_close(ret);
		return miss(why_ret, "bad section table");
	}
	secs = (const void *)(h + 1);
	tab_end = sizeof(*h) + (size_t)h->nsecs * sizeof(*secs);
	nblocks = h->nblocks;
	if (nblocks > ret->size / 8 || tab_end + 8 * nblocks > ret->size ||
	    nblocks_of(ret->size - tab_end - 8 * nblocks) != nblocks) {
		vd_cache_close(ret);
		return miss(why_ret, "bad block table");
	}
	ret->blocks = (const uint64_t *)((const char *)map + tab_end);
	ret->nblocks = nblocks;
	ret->data_off = tab_end + 8 * nblocks;
	if (tables_checksum(h, secs, ret->data_off - sizeof(*h)) != h->checksum) {
		vd_cache_close(ret);
		return miss(why_ret, "checksum mismatch (header or tables)");
	}
	for (uint32_t i = 0; i < h->nsecs; i++) {
		if (secs[i].zero || secs[i].offset % 8 || secs[i].offset < ret->data_off ||
		    !vd_range_ok(secs[i].offset, secs[i].size, ret->size)) {
			vd_cache_close(ret);
			return miss(why_ret, "a section lies outside the file");
		}
	}
	ret->checked = calloc(nblocks ? nblocks : 1, 1);
	if (!ret->checked) {
		vd_cache_close(ret);
		return miss(why_ret, "out of memory");
	}
	ret->secs = secs;
	ret->nsecs = h->nsecs;
	if (why_ret)
		*why_ret = NULL;
	return true;
}

bool
vd_cache_check(const struct vd_cache_file *f, const void *p, size_t len)
{
	const char *data = (const char *)f->map + f->data_off;
	size_t rel, first, last;

	if (!f->map || (const char *)p < data ||
	    !vd_range_ok((uint64_t)((const char *)p - data), len, f->size - f->data_off))
		return false;
	if (!len)
		return true;
	rel = (size_t)((const char *)p - data);
	first = rel / VD_CACHE_BLOCK;
	last = (rel + len - 1) / VD_CACHE_BLOCK;
	for (size_t b = first; b <= last; b++) {
		size_t start, n;

		if (f->checked[b] == 1)
			continue;
		if (f->checked[b] == 2)
			return false;
		start = b * VD_CACHE_BLOCK;
		n = VD_MIN((size_t)VD_CACHE_BLOCK, f->size - f->data_off - start);
		f->checked[b] = vd_cache_checksum(data + start, n) == f->blocks[b] ? 1 : 2;
		if (f->checked[b] == 2)
			return false;
	}
	return true;
}

const void *
vd_cache_section(const struct vd_cache_file *f, uint32_t id, size_t *size_ret)
{
	for (uint32_t i = 0; i < f->nsecs; i++) {
		if (f->secs[i].id == id) {
			*size_ret = (size_t)f->secs[i].size;
			return (const char *)f->map + f->secs[i].offset;
		}
	}
	*size_ret = 0;
	return NULL;
}

static void
populate(const void *p, size_t len)
{
#ifdef MADV_POPULATE_READ
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)p & ~(page - 1);

	(void)madvise((void *)start, (uintptr_t)p + len - start, MADV_POPULATE_READ);
#else
	(void)p, (void)len;
#endif
}

const void *
vd_cache_get(const struct vd_cache_file *f, uint32_t id, size_t *size_ret)
{
	const void *p = vd_cache_section(f, id, size_ret);

	// The whole section is about to be read: its pages mapped in one
	// call, not faulted in 64 KiB at a time (a 5 MiB BTF blob: ~80
	// faults).  Only advice: without MADV_POPULATE_READ (Linux < 5.14)
	// the faults happen as before.
	if (p && *size_ret >= (64u << 10))
		populate(p, *size_ret);
	if (p && !vd_cache_check(f, p, *size_ret)) {
		*size_ret = 0;
		return NULL;
	}
	return p;
}

static struct vd_error *
mkdir_p(const char *dir)
{
	_cleanup_free_ char *p = strdup(dir);

	if (!p)
		return &vd_enomem;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) && errno != EEXIST)
			return vd_error_os(errno, "%s: cannot create the cache directory", p);
		*s = '/';
	}
	if (mkdir(p, 0700) && errno != EEXIST)
		return vd_error_os(errno, "%s: cannot create the cache directory", p);
	return NULL;
}

static struct vd_error *
write_all(int fd, const void *data, size_t len, const char *path)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return vd_error_os(n < 0 ? errno : ENOSPC, "%s: cannot write", path);
		p += n;
		len -= (size_t)n;
	}
	return NULL;
}

/* Block checksums of the data as written, fed in order. */
struct block_sums {
	unsigned char *buf;          /* VD_CACHE_BLOCK bytes */
	size_t fill;
	uint64_t *sums;
	size_t n;
};

static void
sums_feed(struct block_sums *b, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len) {
		size_t k = VD_MIN(len, (size_t)VD_CACHE_BLOCK - b->fill);

		memcpy(b->buf + b->fill, p, k);
		b->fill += k;
		p += k;
		len -= k;
		if (b->fill == VD_CACHE_BLOCK) {
			b->sums[b->n++] = vd_cache_checksum(b->buf, VD_CACHE_BLOCK);
			b->fill = 0;
		}
	}
}

struct vd_error *
vd_cache_write(const char *dir, const char *kind, uint32_t version, const char *key,
	       const struct vd_cache_section *secs, size_t nsecs)
{
	_cleanup_free_ char *path = vd_cache_path(dir, kind, key);
	_cleanup_free_ char *tmp = NULL;
	_cleanup_free_ struct vd_cache_section_entry *table = NULL;
	_cleanup_free_ unsigned char *tables = NULL;
	_cleanup_free_ unsigned char *blockbuf = NULL;
	static const char zeros[8];
	struct cache_header h = { .order = CACHE_ORDER, .version = version };
	struct block_sums bs = { 0 };
	struct vd_error *err;
	uint64_t off, data_size = 0;
	size_t tab_end, nblocks, tables_size;
	int fd;

	if (!path)
		return vd_error_create(VD_ERR_INVALID_ARG, "no cache directory, or a bad cache key");
	if (nsecs > CACHE_MAX_SECTIONS)
		return vd_error_create(VD_ERR_INVALID_ARG, "too many cache sections");
	for (size_t i = 0; i < nsecs; i++)
		data_size += (secs[i].size + 7) & ~(uint64_t)7;
	if (data_size > CACHE_MAX_SIZE)
		return vd_error_create(VD_ERR_INVALID_ARG, "cache file too large");
	if ((err = mkdir_p(dir)))
		return err;
	nblocks = nblocks_of(data_size);
	tab_end = sizeof(h) + nsecs * sizeof(*table);
	tables_size = nsecs * sizeof(*table) + nblocks * 8;
	table = calloc(nsecs ? nsecs : 1, sizeof(*table));
	tables = malloc(tables_size ? tables_size : 1);
	blockbuf = malloc(VD_CACHE_BLOCK);
	if (!table || !tables || !blockbuf || asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0)
		return &vd_enomem;
	memcpy(h.magic, CACHE_MAGIC, 8);
	strncpy(h.kind, kind, sizeof(h.kind) - 1);
	strncpy(h.key, key, sizeof(h.key) - 1);
	h.nsecs = (uint32_t)nsecs;
	h.nblocks = (uint32_t)nblocks;
	off = tab_end + nblocks * 8;
	for (size_t i = 0; i < nsecs; i++) {
		table[i] = (struct vd_cache_section_entry){
			.id = secs[i].id, .offset = off, .size = secs[i].size,
		};
		off += (secs[i].size + 7) & ~(uint64_t)7;
	}
	if (off > CACHE_MAX_SIZE)
		return vd_error_create(VD_ERR_INVALID_ARG, "cache file too large");
	h.size = off;
	// The data as laid out, padding included, in blocks.
	bs.buf = blockbuf;
	bs.sums = (uint64_t *)(tables + nsecs * sizeof(*table));
	for (size_t i = 0; i < nsecs; i++) {
		sums_feed(&bs, secs[i].data, secs[i].size);
		if (secs[i].size % 8)
			sums_feed(&bs, zeros, 8 - secs[i].size % 8);
	}
	if (bs.fill)
		bs.sums[bs.n++] = vd_cache_checksum(bs.buf, bs.fill);
	if (nsecs)
		memcpy(tables, table, nsecs * sizeof(*table));
	h.checksum = tables_checksum(&h, tables, tables_size);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return vd_error_os(errno, "%s: cannot create", tmp);
	err = write_all(fd, &h, sizeof(h), tmp);
	if (!err)
		err = write_all(fd, tables, tables_size, tmp);
	for (size_t i = 0; !err && i < nsecs; i++) {
		err = write_all(fd, secs[i].data, secs[i].size, tmp);
		if (!err && secs[i].size % 8)
			err = write_all(fd, zeros, 8 - secs[i].size % 8, tmp);
	}
	if (close(fd) && !err)
		err = vd_error_os(errno, "%s: cannot write", tmp);
	if (!err && rename(tmp, path))
		err = vd_error_os(errno, "%s: cannot rename into place", path);
	if (err)
		unlink(tmp);
	return err;
}
