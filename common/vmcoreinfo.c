// SPDX-License-Identifier: MIT
/* The one VMCOREINFO parser (vmcoreinfo.h): a key index sorted by key, then line. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "vmcoreinfo.h"

/* More lines than any kernel writes (6.x: ~200); bounds hostile notes. */
#define VMCOREINFO_MAX_LINES 16384

static int
key_cmp(const void *a, const void *b)
{
	const struct vd_vmcoreinfo_entry *x = a, *y = b;

	return strcmp(x->key, y->key);
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct vd_vmcoreinfo_entry *x = a, *y = b;
	int r = strcmp(x->key, y->key);

	return r ? r : (x->line > y->line) - (x->line < y->line);
}

struct vd_error *
vd_vmcoreinfo_parse(const char *text, size_t len, struct vd_vmcoreinfo *ret)
{
	struct vd_vmcoreinfo vi = { 0 };
	size_t cap = 0;
	char *line, *save = NULL;

	vi.text = strndup(text, len);
	if (!vi.text)
		return &vd_enomem;
	for (line = strtok_r(vi.text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');

		if (!eq || eq == line)
			continue;   // not KEY=VALUE: ignore, as the kernel's readers do
		if (vi.n == VMCOREINFO_MAX_LINES)
			break;
		if (vi.n == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			void *p = realloc(vi.entries, ncap * sizeof(*vi.entries));

			if (!p) {
				vd_vmcoreinfo_deinit(&vi);
				return &vd_enomem;
			}
			vi.entries = p;
			cap = ncap;
		}
		*eq = '\0';
		vi.entries[vi.n].key = line;
		vi.entries[vi.n].value = eq + 1;
		vi.entries[vi.n].line = vi.n;
		vi.n++;
	}
	// The kernel appends CRASHTIME etc. at panic, and a key written twice
	// means the later value is current: sort by (key, line) and let
	// lookups take the last of equal keys.
	if (vi.n)
		qsort(vi.entries, vi.n, sizeof(*vi.entries), entry_cmp);
	*ret = vi;
	return NULL;
}

void
vd_vmcoreinfo_deinit(struct vd_vmcoreinfo *vi)
{
	free(vi->entries);
	free(vi->text);
	memset(vi, 0, sizeof(*vi));
}

const char *
vd_vmcoreinfo_get(const struct vd_vmcoreinfo *vi, const char *key)
{
	struct vd_vmcoreinfo_entry k = { .key = key }, *e;

	if (!vi || !vi->n)
		return NULL;
	e = bsearch(&k, vi->entries, vi->n, sizeof(*e), key_cmp);
	if (!e)
		return NULL;
	while (e + 1 < vi->entries + vi->n && !strcmp(e[1].key, key))
		e++;
	return e->value;
}

static bool
starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

bool
vd_vmcoreinfo_decode(const char *key, const char *value, uint64_t *ret)
{
	char *end;

	if (starts_with(key, "SYMBOL(") || !strcmp(key, "KERNELOFFSET") ||
	    !strcmp(key, "CRASHKERNEL") || starts_with(key, "ADDRESS("))
		return vd_parse_u64(value, 16, ret);
	if (starts_with(key, "NUMBER(")) {
		long long v;

		// "%ld" for most, "0x%llx" for some arm64 NUMBERs.
		if (value[0] == '0' && (value[1] == 'x' || value[1] == 'X'))
			return vd_parse_u64(value, 16, ret);
		errno = 0;
		v = strtoll(value, &end, 10);
		if (errno == ERANGE) {
			// Unsigned values above LLONG_MAX printed with %lu.
			return vd_parse_u64(value, 10, ret);
		}
		if (errno || end == value || *end)
			return false;
		*ret = (uint64_t)v;
		return true;
	}
	return vd_parse_u64(value, 10, ret);
}

bool
vd_vmcoreinfo_number(const struct vd_vmcoreinfo *vi, const char *key,
		     uint64_t *ret)
{
	const char *value = vd_vmcoreinfo_get(vi, key);

	return value && vd_vmcoreinfo_decode(key, value, ret);
}

bool
vd_vmcoreinfo_text_number(const char *text, size_t len, const char *key,
			  uint64_t *ret)
{
	struct vd_vmcoreinfo vi;
	bool ok;

	if (!text || vd_vmcoreinfo_parse(text, len, &vi))
		return false;
	ok = vd_vmcoreinfo_number(&vi, key, ret);
	vd_vmcoreinfo_deinit(&vi);
	return ok;
}

bool
vd_vmcoreinfo_text_has(const char *text, size_t len, const char *key)
{
	struct vd_vmcoreinfo vi;
	bool ok;

	if (!text || vd_vmcoreinfo_parse(text, len, &vi))
		return false;
	ok = vd_vmcoreinfo_get(&vi, key) != NULL;
	vd_vmcoreinfo_deinit(&vi);
	return ok;
}
