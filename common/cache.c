// SPDX-License-Identifier: MIT
/*
 * The persistent cache's files (common/cache.h).
 *
 * Layout, host byte order (the byte-order word tells another host's file
 * apart, and it is then a miss):
 *   header   magic "VDCACHE1", u32 0x01020304, u32 format version (the
 *            kind's), char kind[16], char key[80], u64 file size,
 *            u64 checksum of everything after the section table,
 *            u32 section count, u32 0
 *   table    per section: u32 id, u32 0, u64 offset, u64 size
 *   data     each section at an 8-byte aligned offset
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

#define CACHE_MAGIC "VDCACHE1"
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
	uint32_t zero;
};

struct vd_cache_section_entry {
	uint32_t id;
	uint32_t zero;
	uint64_t offset;
	uint64_t size;
};

/*
 * A fast 64-bit hash of the contents, 8 bytes a step (not a defence
 * against an attacker, who could as well write a consistent file: every
 * user bounds-checks what it reads too).
 */
static uint64_t
checksum_word(uint64_t h, const unsigned char *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	h = (h ^ w) * 0xff51afd7ed558ccdull;
	return h ^ h >> 32;
}

uint64_t
vd_cache_checksum(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ len;
	size_t i = 0;

	for (; i + 8 <= len; i += 8)
		h = checksum_word(h, p + i);
	for (; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
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
	memset(f, 0, sizeof(*f));
}

static bool
miss(const char **why_ret, const char *why)
{
	if (why_ret)
		*why_ret = why;
	return false;
}

bool
vd_cache_open(const char *dir, const char *kind, uint32_t version, const char *key,
	      struct vd_cache_file *ret, const char **why_ret)
{
	_cleanup_free_ char *path = vd_cache_path(dir, kind, key);
	const struct cache_header *h;
	const struct vd_cache_section_entry *secs;
	struct stat st;
	size_t data_off;
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
	// Populated at once: the checksum reads every page anyway, and one
	// call is cheaper than a fault per page.
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return miss(why_ret, "cannot map the cache file");
	ret->map = map;
	ret->size = (size_t)st.st_size;
	h = map;
	if (memcmp(h->magic, CACHE_MAGIC, 8) || h->order != CACHE_ORDER || h->zero) {
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
	data_off = sizeof(*h) + (size_t)h->nsecs * sizeof(*secs);
	for (uint32_t i = 0; i < h->nsecs; i++) {
		if (secs[i].zero || secs[i].offset % 8 || secs[i].offset < data_off ||
		    !vd_range_ok(secs[i].offset, secs[i].size, ret->size)) {
			vd_cache_close(ret);
			return miss(why_ret, "a section lies outside the file");
		}
	}
	if (vd_cache_checksum((const char *)map + data_off, ret->size - data_off) !=
	    h->checksum) {
		vd_cache_close(ret);
		return miss(why_ret, "checksum mismatch");
	}
	ret->secs = secs;
	ret->nsecs = h->nsecs;
	if (why_ret)
		*why_ret = NULL;
	return true;
}

const void *
vd_cache_get(const struct vd_cache_file *f, uint32_t id, size_t *size_ret)
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

struct vd_error *
vd_cache_write(const char *dir, const char *kind, uint32_t version, const char *key,
	       const struct vd_cache_section *secs, size_t nsecs)
{
	_cleanup_free_ char *path = vd_cache_path(dir, kind, key);
	_cleanup_free_ char *tmp = NULL;
	_cleanup_free_ struct vd_cache_section_entry *table = NULL;
	static const char zeros[8];
	struct cache_header h = { .order = CACHE_ORDER, .version = version };
	struct vd_error *err;
	uint64_t off;
	size_t data_off;
	int fd;

	if (!path)
		return vd_error_create(VD_ERR_INVALID_ARG, "no cache directory, or a bad cache key");
	if (nsecs > CACHE_MAX_SECTIONS)
		return vd_error_create(VD_ERR_INVALID_ARG, "too many cache sections");
	if ((err = mkdir_p(dir)))
		return err;
	table = calloc(nsecs ? nsecs : 1, sizeof(*table));
	if (!table || asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0)
		return &vd_enomem;
	memcpy(h.magic, CACHE_MAGIC, 8);
	strncpy(h.kind, kind, sizeof(h.kind) - 1);
	strncpy(h.key, key, sizeof(h.key) - 1);
	h.nsecs = (uint32_t)nsecs;
	data_off = sizeof(h) + nsecs * sizeof(*table);
	off = data_off;
	for (size_t i = 0; i < nsecs; i++) {
		table[i] = (struct vd_cache_section_entry){
			.id = secs[i].id, .offset = off, .size = secs[i].size,
		};
		off += (secs[i].size + 7) & ~(uint64_t)7;
	}
	if (off > CACHE_MAX_SIZE)
		return vd_error_create(VD_ERR_INVALID_ARG, "cache file too large");
	h.size = off;
	// The checksum runs over the data as laid out, padding included;
	// every section starts 8-byte aligned, so it goes section by section.
	h.checksum = 0x9e3779b97f4a7c15ull ^ (off - data_off);
	for (size_t i = 0; i < nsecs; i++) {
		const unsigned char *p = secs[i].data;
		size_t n = secs[i].size, k = 0;

		for (; k + 8 <= n; k += 8)
			h.checksum = checksum_word(h.checksum, p + k);
		if (k < n) {
			unsigned char last[8] = { 0 };

			memcpy(last, p + k, n - k);
			h.checksum = checksum_word(h.checksum, last);
		}
	}
	h.checksum ^= h.checksum >> 29;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return vd_error_os(errno, "%s: cannot create", tmp);
	err = write_all(fd, &h, sizeof(h), tmp);
	if (!err)
		err = write_all(fd, table, nsecs * sizeof(*table), tmp);
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
