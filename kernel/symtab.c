// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/elf_why.h"
#include "common/util.h"
#include "ksyms/kallsyms.h"
#include "symtab.h"

#define SYMTAB_MAX VD_SYMTAB_MAX


/* ELF binding from an nm letter, higher is preferred: global, weak, local. */
#define bind_rank vd_sym_bind_rank

/*
 * Sorting.  A vmlinux has ~190k symbols: qsort_r with a comparison
 * callback (strcmp on names scattered in memory) took half the time of a
 * command without a vmlinux.  These are stable radix sorts of 64-bit keys,
 * giving the same orders.
 */
struct sort_key {
	uint64_t key;
	uint32_t i;              /* index into syms */
};

/* Sort a[0..n) by key, stably, a byte at a time; tmp has room for n. */
static void
radix_sort(struct sort_key *a, struct sort_key *tmp, size_t n)
{
	struct sort_key *from = a, *to = tmp;
	uint32_t count[8][256] = { { 0 } };   // n < 2^32: it indexes syms

	for (size_t i = 0; i < n; i++)
		for (unsigned b = 0; b < 8; b++)
			count[b][(a[i].key >> 8 * b) & 0xff]++;
	for (unsigned b = 0; n > 1 && b < 8; b++) {
		uint32_t pos = 0;
		struct sort_key *t;

		if (count[b][(a[0].key >> 8 * b) & 0xff] == n)
			continue;        // one value of this byte for all: nothing moves
		for (unsigned d = 0; d < 256; d++) {
			uint32_t c = count[b][d];

			count[b][d] = pos;
			pos += c;
		}
		for (size_t i = 0; i < n; i++)
			to[count[b][(from[i].key >> 8 * b) & 0xff]++] = from[i];
		t = from;
		from = to;
		to = t;
	}
	if (from != a)
		memcpy(a, from, n * sizeof(*a));
}

/*
 * Address order; aliases by binding (global, weak, local), then as the
 * source listed them (a kernel_order table: only as listed): a stable
 * sort by address of the symbols put in binding order, then source order.
 */
static struct vd_error *
sort_by_addr(struct vd_symtab *st)
{
	struct sort_key *a = malloc(2 * st->n * sizeof(*a));
	struct vd_symbol *copy = malloc(st->n * sizeof(*copy));
	size_t k = 0;

	if (!a || !copy) {
		free(a);
		free(copy);
		return &vd_enomem;
	}
	for (int rank = 2; rank >= 0; rank--)
		for (size_t i = 0; i < st->n; i++)
			if (st->kernel_order ? rank == 2 : bind_rank(st->syms[i].type) == rank)
				a[k++] = (struct sort_key){ st->syms[i].addr, (uint32_t)i };
	radix_sort(a, a + st->n, st->n);
	memcpy(copy, st->syms, st->n * sizeof(*copy));
	for (size_t i = 0; i < st->n; i++)
		st->syms[i] = copy[a[i].i];
	free(copy);
	free(a);
	return NULL;
}

/* Names are sorted 8 bytes at a time this deep at most, then by strcmp. */
#define NAME_RADIX_DEPTH 32
/* Runs of names that agree so far this short are sorted by strcmp. */
#define NAME_RUN_SMALL 16

/* The 8 bytes of name from off on, zeros past its end, as a number that
 * orders as strcmp does (unsigned bytes, the first most significant). */
static uint64_t
name_key(const char *name, size_t off)
{
	const unsigned char *p = (const unsigned char *)name + off;
	uint64_t key = 0;

	for (unsigned j = 0; j < 8; j++) {
		key = key << 8 | *p;
		p += *p != 0;
	}
	return key;
}

/* Name order from off on, then index order. */
static int
name_at_cmp(const struct vd_symtab *st, size_t off, const struct sort_key *x,
	    const struct sort_key *y)
{
	int r = strcmp(st->syms[x->i].name + off, st->syms[y->i].name + off);

	return r ? r : x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Sort a[0..n) by name, then index (tmp has room for n).  Their names
 * agree in the first off bytes, none of which ends them.
 */
static void
sort_names(const struct vd_symtab *st, struct sort_key *a, struct sort_key *tmp,
	   size_t n, size_t off)
{
	for (size_t i = 0; i < n; i++)
		a[i].key = name_key(st->syms[a[i].i].name, off);
	radix_sort(a, tmp, n);
	for (size_t lo = 0, hi; lo < n; lo = hi) {
		for (hi = lo + 1; hi < n && a[hi].key == a[lo].key; hi++)
			;
		// Alone, or the same name (it ended in these 8 bytes): the
		// stable sorts left them in index order.
		if (hi - lo < 2 || !(a[lo].key & 0xff))
			continue;
		if (hi - lo > NAME_RUN_SMALL && off / 8 + 1 < NAME_RADIX_DEPTH) {
			sort_names(st, a + lo, tmp, hi - lo, off + 8);
			continue;
		}
		for (size_t i = lo + 1; i < hi; i++) {   // insertion sort
			struct sort_key x = a[i];
			size_t j = i;

			for (; j > lo && name_at_cmp(st, off + 8, &a[j - 1], &x) > 0; j--)
				a[j] = a[j - 1];
			a[j] = x;
		}
	}
}

void
vd_symtab_update_extents(struct vd_symtab *st)
{
	uint64_t end = 0;

	for (size_t i = 0; st->max_end && i < st->n; i++) {
		uint64_t e = st->syms[i].addr + st->syms[i].size;

		end = VD_MAX(end, e < st->syms[i].addr ? UINT64_MAX : e);
		st->max_end[i] = end;
	}
}

static struct vd_error *
build_indexes(struct vd_symtab *st)
{
	struct vd_error *err;

	// Remember the source's order (symtab index) before sorting.
	for (size_t i = 0; i < st->n; i++)
		st->syms[i].order = (uint32_t)i;
	if (st->n > 1 && (err = sort_by_addr(st)))
		return err;
	st->max_end = malloc((st->n ? st->n : 1) * sizeof(*st->max_end));
	if (!st->max_end)
		return &vd_enomem;
	vd_symtab_update_extents(st);
	// The by-name index is built on the first lookup by name: symbolizing
	// addresses (the common case) never needs it.
	return NULL;
}

/* Sort indexes by name; false when out of memory. */
static bool
build_name_index(struct vd_symtab *st)
{
	struct sort_key *a = malloc(2 * (st->n ? st->n : 1) * sizeof(*a));

	st->by_name = malloc((st->n ? st->n : 1) * sizeof(*st->by_name));
	if (!a || !st->by_name) {
		free(a);
		free(st->by_name);
		st->by_name = NULL;
		return false;
	}
	for (size_t i = 0; i < st->n; i++)
		a[i].i = (uint32_t)i;
	sort_names(st, a, a + st->n, st->n, 0);
	for (size_t i = 0; i < st->n; i++)
		st->by_name[i] = a[i].i;
	free(a);
	return true;
}

struct vd_error *
vd_symtab_finish(struct vd_symtab *st)
{
	return build_indexes(st);
}

/*
 * The runtime address of a link-time one.  KASLR moves the kernel image,
 * but x86_64 per-CPU symbols are offsets into the per-CPU area, linked at
 * 0 (vmlinux.lds.S: PERCPU_VADDR(..., 0, ...)), and the kernel's
 * relocation skips them: like kallsyms shows them, they stay unshifted.
 * Anything linked below the upper half is such an offset.
 */
static uint64_t
shifted(bool absolute, uint64_t link_addr, uint64_t offset)
{
	if (absolute || !(link_addr >> 63))
		return link_addr;
	return link_addr + offset;
}

static struct vd_error *
push_symbol(struct vd_symtab *st, size_t *cap, const struct vd_symbol *sym)
{
	if (st->n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 4096;
		void *p;

		if (ncap > SYMTAB_MAX)
			return vd_error_create(VD_ERR_CORRUPT,
					       "%s: more than %u symbols",
					       st->source, SYMTAB_MAX);
		p = realloc(st->syms, ncap * sizeof(*st->syms));
		if (!p)
			return &vd_enomem;
		st->syms = p;
		*cap = ncap;
	}
	st->syms[st->n++] = *sym;
	return NULL;
}

struct vd_error *
vd_symtab_load_system_map(const char *path, uint64_t offset,
			  struct vd_symtab *ret)
{
	struct vd_symtab st = { 0 };
	struct vd_error *err = NULL;
	size_t cap = 0, used = 0, size = 0, lineno = 0;
	char *line = NULL;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return vd_error_os(errno, "%s: cannot open System.map", path);
	{
		struct stat stb;

		// A directory opens; reading it fails.  FIFOs and devices are
		// read as text streams, bounded by the line parser.
		if (fstat(fileno(f), &stb) == 0 && S_ISDIR(stb.st_mode)) {
			fclose(f);
			return vd_error_os(EISDIR, "%s: cannot read System.map", path);
		}
	}
	st.source = strdup(path);
	// Names are stored in one buffer; offsets are fixed up at the end.
	while (!err && getline(&line, &size, f) > 0) {
		char type, name[512];
		unsigned long long addr;
		struct vd_symbol sym;
		size_t len;
		char *p;

		lineno++;
		if (sscanf(line, "%llx %c %511s", &addr, &type, name) != 3) {
			err = vd_error_create(VD_ERR_CORRUPT,
					      "%s:%zu: not a System.map line",
					      path, lineno);
			break;
		}
		len = strlen(name) + 1;
		p = realloc(st.strings, used + len);
		if (!p) {
			err = &vd_enomem;
			break;
		}
		st.strings = p;
		memcpy(st.strings + used, name, len);
		sym = (struct vd_symbol){ .name = (const char *)(uintptr_t)used,
					  .addr = shifted(false, addr, offset), .type = type };
		used += len;
		err = push_symbol(&st, &cap, &sym);
	}
	free(line);
	fclose(f);
	if (!err && !st.n)
		err = vd_error_create(VD_ERR_CORRUPT, "%s: no symbols", path);
	if (!err && !st.source)
		err = &vd_enomem;
	for (size_t i = 0; !err && i < st.n; i++)
		st.syms[i].name = st.strings + (uintptr_t)st.syms[i].name;
	if (!err)
		err = build_indexes(&st);
	if (err) {
		vd_symtab_deinit(&st);
		return err;
	}
	*ret = st;
	return NULL;
}

static char
elf_sym_type(Elf *elf, const GElf_Sym *sym)
{
	unsigned bind = GELF_ST_BIND(sym->st_info);
	GElf_Shdr shdr;
	Elf_Scn *scn;
	char c;

	if (sym->st_shndx == SHN_ABS)
		c = 'a';
	else if (sym->st_shndx == SHN_UNDEF || sym->st_shndx >= SHN_LORESERVE)
		c = 'u';
	else if (!(scn = elf_getscn(elf, sym->st_shndx)) || !gelf_getshdr(scn, &shdr))
		c = '?';
	else if (shdr.sh_flags & SHF_EXECINSTR)
		c = 't';
	else if (shdr.sh_type == SHT_NOBITS)
		c = 'b';
	else if (shdr.sh_flags & SHF_WRITE)
		c = 'd';
	else
		c = 'r';
	if (bind == STB_WEAK)
		return GELF_ST_TYPE(sym->st_info) == STT_OBJECT ? 'V' : 'W';
	return bind == STB_GLOBAL ? (char)toupper((unsigned char)c) : c;
}

/* Copy the NT_GNU_BUILD_ID of a vmlinux as hex. */
static void
elf_build_id(Elf *elf, char out[65])
{
	Elf_Scn *scn = NULL;

	out[0] = '\0';
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		GElf_Nhdr nhdr;
		size_t off = 0, name_off, desc_off;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		while (data && (off = gelf_getnote(data, off, &nhdr, &name_off,
						   &desc_off)) > 0) {
			if (nhdr.n_type != NT_GNU_BUILD_ID || nhdr.n_namesz != 4 ||
			    memcmp((char *)data->d_buf + name_off, "GNU", 4))
				continue;
			for (size_t i = 0; i < nhdr.n_descsz && i < 32; i++)
				sprintf(out + 2 * i, "%02x",
					((unsigned char *)data->d_buf)[desc_off + i]);
			return;
		}
	}
}

static struct vd_error *
read_elf_symtab(Elf *elf, uint64_t offset, struct vd_symtab *st)
{
	Elf_Scn *scn = NULL;
	size_t cap = 0;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		Elf_Data *data;
		size_t count;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_SYMTAB)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !shdr.sh_entsize)
			break;
		count = shdr.sh_size / shdr.sh_entsize;
		for (size_t i = 1; i < count; i++) {
			struct vd_symbol sym;
			struct vd_error *err;
			const char *name;
			GElf_Sym s;

			if (!gelf_getsym(data, (int)i, &s))
				continue;
			if (GELF_ST_TYPE(s.st_info) == STT_FILE ||
			    GELF_ST_TYPE(s.st_info) == STT_SECTION ||
			    s.st_shndx == SHN_UNDEF)
				continue;
			name = elf_strptr(elf, shdr.sh_link, s.st_name);
			if (!name || !*name)
				continue;
			sym = (struct vd_symbol){
				.name = name, .size = s.st_size,
				.addr = shifted(s.st_shndx == SHN_ABS, s.st_value, offset),
				.type = elf_sym_type(elf, &s),
			};
			err = push_symbol(st, &cap, &sym);
			if (err)
				return err;
		}
		return NULL;
	}
	return vd_error_create(VD_ERR_LOOKUP, "%s: no symbol table (.symtab)",
			       st->source);
}

/* reuse: take the kept table when there is one (else only keep the new one). */
static struct vd_error *
load_elf(const char *path, uint64_t offset, const char *cache_dir, bool reuse,
	 char build_id_ret[65], struct vd_symtab *ret)
{
	struct vd_symtab st = { 0 };
	struct vd_error *err;
	Elf *elf;
	int fd;

	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vd_error_os(errno, "%s: cannot open vmlinux", path);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		char why[160];
		const char *w = vd_elf_why_not(fd, why, sizeof(why));

		err = vd_error_create(VD_ERR_INVALID_ARG, "%s: not an ELF file: %s",
				      path, w ? w : elf_errmsg(-1));
		elf_end(elf);
		close(fd);
		return err;
	}
	elf_build_id(elf, build_id_ret);
	if (reuse && vd_symtab_cache_load(cache_dir, build_id_ret, offset, path, ret)) {
		elf_end(elf);
		close(fd);
		return NULL;
	}
	st.source = strdup(path);
	err = st.source ? read_elf_symtab(elf, offset, &st) : &vd_enomem;
	// Names point into libelf's mapping: copy them before elf_end().
	if (!err) {
		size_t total = 0, pos = 0;

		for (size_t i = 0; i < st.n; i++)
			total += strlen(st.syms[i].name) + 1;
		st.strings = malloc(total ? total : 1);
		if (!st.strings)
			err = &vd_enomem;
		for (size_t i = 0; !err && i < st.n; i++) {
			size_t len = strlen(st.syms[i].name) + 1;

			memcpy(st.strings + pos, st.syms[i].name, len);
			st.syms[i].name = st.strings + pos;
			pos += len;
		}
	}
	elf_end(elf);
	close(fd);
	if (!err)
		err = build_indexes(&st);
	if (err) {
		vd_symtab_deinit(&st);
		return err;
	}
	// The by-name index now, to keep it with the table.
	if (cache_dir && build_name_index(&st))
		vd_symtab_cache_store(cache_dir, build_id_ret, offset, &st);
	*ret = st;
	return NULL;
}

struct vd_error *
vd_symtab_load_elf(const char *path, uint64_t offset, const char *cache_dir,
		   char build_id_ret[65], struct vd_symtab *ret)
{
	return load_elf(path, offset, cache_dir, true, build_id_ret, ret);
}

static void
kept_free(struct vd_symtab_kept *k)
{
	if (!k)
		return;
	vd_cache_close(&k->f);
	free(k->cache_dir);
	free(k);
}

/*
 * A damaged block in the kept file: the table is read from the ELF file
 * again (and kept again), and the lookup answers from it.  The filled
 * entries handed out so far stay where they are until deinit.  Out of
 * memory or an unreadable ELF: the table becomes empty (lookups miss).
 */
static void
kept_fallback(struct vd_symtab *st)
{
	struct vd_symtab_kept *k = st->kept;
	struct vd_symtab fresh = { 0 };
	char build_id[65];
	struct vd_error *err;

	err = load_elf(st->source, k->offset, k->cache_dir, false, build_id, &fresh);
	if (err) {
		vd_error_destroy(err);
		fresh = (struct vd_symtab){ .source = st->source };
		st->source = NULL;
	}
	fresh.retired = st->syms;
	st->syms = NULL;
	free(st->retired);
	st->retired = NULL;
	vd_symtab_deinit(st);
	*st = fresh;
}

void
vd_symtab_deinit(struct vd_symtab *st)
{
	kept_free(st->kept);
	free(st->retired);
	free(st->source);
	free(st->syms);
	free(st->by_name);
	free(st->max_end);
	free(st->strings);
	free(st->ranges);
	memset(st, 0, sizeof(*st));
}

/*
 * Reading a kept table (kernel/symtab_cache.c) where it lies: each record's
 * block is checked when read; a damaged one sets kept->failed and the
 * accessor returns a harmless value, and the public lookup that saw it
 * rebuilds the table (kept_fallback()) and asks again.
 */
static const struct vd_symbol kept_damaged = { .name = "" };

static const struct vd_symbol *
sym_at(const struct vd_symtab *st, size_t i)
{
	struct vd_symtab_kept *k = st->kept;
	const struct vd_symtab_kept_sym *c;
	struct vd_symbol *y = &st->syms[i];
	size_t len;

	if (!k || y->name)
		return y;
	c = &k->cs[i];
	if (!vd_cache_check(&k->f, c, sizeof(*c)) || c->name >= k->strings_size ||
	    c->order >= st->n)
		goto bad;
	// The strings end with a checked NUL: strnlen stops inside them.
	len = strnlen(k->strings + c->name, k->strings_size - c->name);
	if (!vd_cache_check(&k->f, k->strings + c->name, len + 1))
		goto bad;
	*y = (struct vd_symbol){ .name = k->strings + c->name, .addr = c->addr,
				 .size = c->size, .type = (char)c->type, .order = c->order };
	return y;
bad:
	k->failed = true;
	return &kept_damaged;
}

static uint64_t
addr_at(const struct vd_symtab *st, size_t i)
{
	struct vd_symtab_kept *k = st->kept;

	if (!k || st->syms[i].name)
		return st->syms[i].addr;
	if (!vd_cache_check(&k->f, &k->cs[i], sizeof(k->cs[i]))) {
		k->failed = true;
		return 0;
	}
	return k->cs[i].addr;
}

static uint64_t
max_end_at(const struct vd_symtab *st, size_t i)
{
	struct vd_symtab_kept *k = st->kept;

	if (!k)
		return st->max_end[i];
	if (!vd_cache_check(&k->f, &k->max_end[i], sizeof(k->max_end[i]))) {
		k->failed = true;
		return 0;
	}
	return k->max_end[i];
}

static size_t
by_name_at(const struct vd_symtab *st, size_t i)
{
	struct vd_symtab_kept *k = st->kept;

	if (!k)
		return st->by_name[i];
	if (!vd_cache_check(&k->f, &k->by_name[i], sizeof(k->by_name[i])) ||
	    k->by_name[i] >= st->n) {
		k->failed = true;
		return 0;
	}
	return k->by_name[i];
}

/* After a lookup: whether it met a damaged block (the table is then rebuilt). */
static bool
kept_failed(const struct vd_symtab *st)
{
	if (!st->kept || !st->kept->failed)
		return false;
	// Logically the same (const) table, read from its other source.
	kept_fallback((struct vd_symtab *)st);
	return true;
}

const struct vd_symbol *
vd_symtab_nth(const struct vd_symtab *st, size_t i)
{
	const struct vd_symbol *y = sym_at(st, i);

	return kept_failed(st) ? (i < st->n ? sym_at(st, i) : &kept_damaged) : y;
}

static const struct vd_symbol *
by_name(const struct vd_symtab *st, const char *name)
{
	size_t lo = 0, hi = st->n;

	// Lazily built index: logically part of the (const) table.
	if (!st->kept && !st->by_name && !build_name_index((struct vd_symtab *)st))
		return NULL;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct vd_symbol *y = sym_at(st, by_name_at(st, mid));
		int r = strcmp(y->name, name);

		if (st->kept && st->kept->failed)
			return NULL;
		if (!r)
			return y;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct vd_symbol *
vd_symtab_by_name(const struct vd_symtab *st, const char *name)
{
	const struct vd_symbol *y = by_name(st, name);

	return kept_failed(st) ? by_name(st, name) : y;
}

/* Whether x names addr better than the best so far (elfutils' order). */
static bool
better(const struct vd_symbol *x, const struct vd_symbol *best)
{
	if (!best || x->addr > best->addr)
		return true;
	if (x->addr < best->addr)
		return false;
	if (best->size > x->size && bind_rank(best->type) <= bind_rank(x->type))
		return true;
	if (best->size >= x->size && bind_rank(best->type) < bind_rank(x->type))
		return true;
	// All equal: the first in the source wins.
	return best->size == x->size && bind_rank(best->type) == bind_rank(x->type) &&
	       x->order < best->order;
}

/*
 * The last sizeless symbol at the nearest start below addr, in source
 * order (elfutils keeps replacing its sizeless candidate), from globals
 * (want_global) or locals; with check_extent, only when no sized symbol
 * reaches past it.
 */
static const struct vd_symbol *
sizeless_at(const struct vd_symtab *st, size_t hi, bool want_global,
	    bool check_extent)
{
	const struct vd_symbol *best = NULL;
	uint64_t at = addr_at(st, hi - 1);

	if (check_extent && max_end_at(st, hi - 1) > at)
		return NULL;
	for (size_t j = hi; j-- > 0 && addr_at(st, j) == at;) {
		const struct vd_symbol *x = sym_at(st, j);

		if (!x->size && (bind_rank(x->type) > 0) == want_global &&
		    (!best || x->order > best->order))
			best = x;
	}
	return best;
}

/*
 * kallsyms keeps no sizes and not the ELF symbol order, so of the aliases
 * at the nearest start below addr vmdive takes the one elfutils would as far
 * as kallsyms tells: a symbol before a linker-script marker (sizeless, so
 * never elfutils' choice inside an object), global before weak before
 * local, then the first in the kernel's own order (scripts/kallsyms.c
 * compare_symbols(): weak last, markers last, fewer leading underscores,
 * then as `nm -n` listed them).  Symbols at i and below share that start.
 */
static const struct vd_symbol *
kernel_alias(const struct vd_symtab *st, size_t i, uint64_t addr)
{
	const struct vd_symbol *best = sym_at(st, i);

	for (size_t j = i; j-- > 0 && addr_at(st, j) == best->addr;) {
		const struct vd_symbol *x = sym_at(st, j);

		// Walking down: x comes first in the kernel's order.
		if (vd_ksyms_alias_better(x->name, x->type, best->name, best->type))
			best = x;
	}
	return best->size && addr - best->addr >= best->size ? NULL : best;
}

/* Whether a and b lie in one of the table's ranges (true without ranges). */
static bool
same_range(const struct vd_symtab *st, uint64_t a, uint64_t b)
{
	size_t lo = 0, hi = st->nranges;

	if (!st->ranges)
		return true;
	while (lo < hi) {            // the last range starting at or below a
		size_t mid = lo + (hi - lo) / 2;

		if (st->ranges[mid].start <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && a < st->ranges[lo - 1].end && b >= st->ranges[lo - 1].start &&
	       b < st->ranges[lo - 1].end;
}

static const struct vd_symbol *by_addr(const struct vd_symtab *st, uint64_t addr);

const struct vd_symbol *
vd_symtab_by_addr(const struct vd_symtab *st, uint64_t addr)
{
	const struct vd_symbol *sym = by_addr(st, addr);

	if (kept_failed(st))
		sym = by_addr(st, addr);

	// A label is a name for what follows it in its section only.
	if (sym && !sym->size && !same_range(st, sym->addr, addr))
		return NULL;
	return sym;
}

static const struct vd_symbol *
by_addr(const struct vd_symtab *st, uint64_t addr)
{
	const struct vd_symbol *global = NULL, *local = NULL, *label;
	size_t lo = 0, hi = st->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr_at(st, mid) <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	hi = lo;
	if (st->kernel_order)
		return kernel_alias(st, lo - 1, addr);
	// Sized symbols containing addr: walk down while some symbol at or
	// below could still reach addr (bounded for degenerate tables).
	for (size_t j = hi, steps = 0; j-- > 0 && max_end_at(st, j) > addr && steps < 4096;
	     steps++) {
		const struct vd_symbol *x = sym_at(st, j);

		if (!x->size || addr - x->addr >= x->size)
			continue;
		if (bind_rank(x->type) > 0 ? better(x, global) : better(x, local)) {
			if (bind_rank(x->type) > 0)
				global = x;
			else
				local = x;
		}
	}
	if (global)
		return global;
	// A global label exactly at addr beats a local that contains it
	// (elfutils searches globals first and stops there).
	label = sizeless_at(st, hi, true, false);
	if (label && label->addr == addr)
		return label;
	if (local)
		return local;
	label = sizeless_at(st, hi, false, true);
	return label ? label : sizeless_at(st, hi, true, true);
}
