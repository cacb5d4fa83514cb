// SPDX-License-Identifier: MIT
/*
 * Type names for a shell's completion without opening the dump on every
 * Tab (include/vmdive/ctype.h, vd_type_names_complete()).
 *
 * Two cache files (common/cache.h):
 *  - "typenames-BUILDID": every struct, union, enum and typedef name the
 *    kernel's types list (vd_session_type_names(), the BTF in the dump),
 *    sorted by name, each "KIND NAME\0" with KIND one byte (enum
 *    vd_type_kind); one file serves every dump of that kernel;
 *  - "dumpfile-KEY": the build-id of the dump made of these files, KEY a
 *    hash of each file's device, inode, size and modification time, so a
 *    rewritten or replaced file is a miss.
 * With both, an answer reads two small files and opens no dump.  A miss
 * opens the dump, lists the names and writes both files (a kernel
 * without BUILD-ID in VMCOREINFO keeps its names under the files' key).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cache.h"
#include "common/util.h"
#include "kernel/session_priv.h"
#include "vmdive/ctype.h"

#define NAMES_KIND "typenames"
#define NAMES_VERSION 1
#define FILES_KIND "dumpfile"
#define FILES_VERSION 1
#define SEC_NAMES 1
#define SEC_KEY 1
#define NAMES_MAX (1u << 22)             /* names kept at most */
#define NAME_LEN_MAX 1024                /* longer names are skipped */

struct name_ent {
	uint8_t kind;
	const char *name;
};

struct name_list {
	struct name_ent *e;
	size_t n, cap;
	struct vd_error *err;
};

static bool
collect(void *priv, enum vd_type_kind kind, const char *name)
{
	struct name_list *l = priv;
	size_t len = strlen(name);

	if (!len || len > NAME_LEN_MAX)
		return true;
	if (l->n == NAMES_MAX)
		return false;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 4096;
		void *p = realloc(l->e, cap * sizeof(*l->e));

		if (!p) {
			l->err = &vd_enomem;
			return false;
		}
		l->e = p;
		l->cap = cap;
	}
	l->e[l->n++] = (struct name_ent){ (uint8_t)kind, name };
	return true;
}

static int
ent_cmp(const void *a, const void *b)
{
	const struct name_ent *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (int)x->kind - (int)y->kind;
}

/* The sorted, unique list as the cache's blob (malloc()ed). */
static char *
make_blob(struct name_list *l, size_t *size_ret)
{
	size_t size = 0, n = 0;
	char *blob, *p;

	qsort(l->e, l->n, sizeof(*l->e), ent_cmp);
	for (size_t i = 0; i < l->n; i++)
		if (!i || ent_cmp(&l->e[i], &l->e[i - 1]))
			l->e[n++] = l->e[i];
	l->n = n;
	for (size_t i = 0; i < n; i++)
		size += 2 + strlen(l->e[i].name);
	blob = p = malloc(size ? size : 1);
	if (!blob)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(l->e[i].name) + 1;

		*p++ = (char)l->e[i].kind;
		memcpy(p, l->e[i].name, len);
		p += len;
	}
	*size_ret = size;
	return blob;
}

/*
 * Every name of the blob that starts with prefix and is of a kind in
 * kinds, to cb.  The blob was checked by the cache (checksum); its
 * entries are still bounded here: a kind byte, then a NUL-terminated name
 * inside the blob.
 */
static void
answer(const char *blob, size_t size, unsigned kinds, const char *prefix,
       bool (*cb)(void *priv, enum vd_type_kind kind, const char *name), void *priv)
{
	size_t plen = strlen(prefix), pos = 0;

	while (pos + 1 < size) {
		uint8_t kind = (uint8_t)blob[pos];
		const char *name = blob + pos + 1;
		const char *end = memchr(name, '\0', size - pos - 1);

		if (!end)
			return;
		pos = (size_t)(end - blob) + 1;
		if (kind < 32 && (kinds & 1u << kind) && !strncmp(name, prefix, plen) &&
		    !cb(priv, (enum vd_type_kind)kind, name))
			return;
	}
}

/* A key for the dump's files: their identity on disk, hashed. */
static bool
files_key(const char *const *paths, size_t npaths, char key[17])
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < npaths; i++) {
		struct stat st;
		uint64_t v[6];

		if (stat(paths[i], &st) || !S_ISREG(st.st_mode))
			return false;
		v[0] = (uint64_t)st.st_dev;
		v[1] = (uint64_t)st.st_ino;
		v[2] = (uint64_t)st.st_size;
		v[3] = (uint64_t)st.st_mtim.tv_sec;
		v[4] = (uint64_t)st.st_mtim.tv_nsec;
		v[5] = i;
		h = vd_cache_checksum(v, sizeof(v)) ^ (h * 0x100000001b3ull);
	}
	snprintf(key, 17, "%016" PRIx64, h);
	return true;
}

/* The names key stored under the files' key; false on a miss. */
static bool
cached_names_key(const char *dir, const char *fkey, char *ret, size_t size)
{
	struct vd_cache_file f;
	const char *k;
	size_t len;

	if (!vd_cache_open(dir, FILES_KIND, FILES_VERSION, fkey, &f, NULL))
		return false;
	k = vd_cache_get(&f, SEC_KEY, &len);
	if (!k || !len || len >= size || memchr(k, '\0', len)) {
		vd_cache_close(&f);
		return false;
	}
	memcpy(ret, k, len);
	ret[len] = '\0';
	vd_cache_close(&f);
	return true;
}

static bool
answer_cached(const char *dir, const char *nkey, unsigned kinds, const char *prefix,
	      bool (*cb)(void *priv, enum vd_type_kind kind, const char *name), void *priv)
{
	struct vd_cache_file f;
	const char *blob;
	size_t size;

	if (!vd_cache_open(dir, NAMES_KIND, NAMES_VERSION, nkey, &f, NULL))
		return false;
	blob = vd_cache_get(&f, SEC_NAMES, &size);
	if (blob)
		answer(blob, size, kinds, prefix, cb, priv);
	vd_cache_close(&f);
	return blob != NULL;
}

struct vd_error *
vd_type_names_complete(const char *const *paths, size_t npaths,
		       const struct vd_session_opts *opts, struct vd_session *session,
		       unsigned kinds, const char *prefix,
		       bool (*cb)(void *priv, enum vd_type_kind kind, const char *name),
		       void *priv)
{
	char fkey[17], nkey[VD_CACHE_KEY_MAX];
	_cleanup_free_ char *dir = NULL, *blob = NULL;
	struct vd_session *s = session;
	struct name_list l = { 0 };
	struct vd_error *err = NULL;
	const char *id;
	size_t size = 0;
	bool have_fkey;

	if (!prefix)
		prefix = "";
	if (!session && !npaths)
		return vd_error_create(VD_ERR_INVALID_ARG, "no dump file given");
	have_fkey = !session && files_key(paths, npaths, fkey);
	if (!opts || !opts->no_cache)
		dir = vd_cache_dir(opts ? opts->cache_dir : NULL);
	if (dir && have_fkey && cached_names_key(dir, fkey, nkey, sizeof(nkey)) &&
	    answer_cached(dir, nkey, kinds, prefix, cb, priv))
		return NULL;
	if (!s && (err = vd_session_open(paths, npaths, opts, &s)))
		return err;
	if (vd_session_info(s)->kind != VD_DUMP_KERNEL) {
		err = vd_error_create(VD_ERR_NOTIMPL, "%s: a process core has no kernel types",
				      vd_session_info(s)->path);
		goto out;
	}
	id = vd_session_cache_key(s);
	snprintf(nkey, sizeof(nkey), "%s", id ? id : have_fkey ? fkey : "");
	if (dir && nkey[0] && answer_cached(dir, nkey, kinds, prefix, cb, priv)) {
		// This kernel's names are known; only the files were new.
		if (have_fkey) {
			struct vd_cache_section sec = { SEC_KEY, nkey, strlen(nkey) };

			vd_error_destroy(vd_cache_write(dir, FILES_KIND, FILES_VERSION,
							fkey, &sec, 1));
		}
		goto out;
	}
	vd_session_type_names(s, "", collect, &l);
	if ((err = l.err))
		goto out;
	if (!(blob = make_blob(&l, &size))) {
		err = &vd_enomem;
		goto out;
	}
	if (dir && nkey[0]) {
		// Not written is no error: the next Tab opens the dump again.
		struct vd_cache_section sec = { SEC_NAMES, blob, size };
		struct vd_error *werr = vd_cache_write(dir, NAMES_KIND, NAMES_VERSION,
						       nkey, &sec, 1);

		if (!werr && have_fkey) {
			sec = (struct vd_cache_section){ SEC_KEY, nkey, strlen(nkey) };
			werr = vd_cache_write(dir, FILES_KIND, FILES_VERSION, fkey, &sec, 1);
		}
		vd_error_destroy(werr);
	}
	answer(blob, size, kinds, prefix, cb, priv);
out:
	free(l.e);
	if (s != session)
		vd_session_close(s);
	return err;
}
