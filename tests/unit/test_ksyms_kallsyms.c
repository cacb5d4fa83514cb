// SPDX-License-Identifier: MIT
/*
 * kallsyms decoding (ksyms/kallsyms.c) on tables built here the way
 * scripts/kallsyms.c lays them out in each era: every address encoding
 * (kallsyms_addresses, base-relative, --absolute-percpu, place-relative
 * without kallsyms_relative_base), u32 and unsigned long markers, markers
 * that cannot be found (built instead), kallsyms_seqs_of_names inside the
 * names region (Debian's 6.1), after the address tables (6.4 on) or
 * absent (then scans, and a hash index from the third lookup), 1- and
 * 2-byte name lengths, multi-character tokens (one spanning the type
 * letter), aliases and duplicate names; and what a missing capability
 * says.  Every answer is checked against the symbols the tables were
 * built from.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "harness.h"
#include "ksyms/kallsyms.h"

#define VA_BASE 0xffffffff81000000ull
/* Room for the first chunk the image scan maps (2 MiB + 512 from _stext). */
#define MEM_SIZE ((2u << 20) + 4096)
#define NSYMS 1000
#define TEXT VA_BASE     /* _stext: the scan for unlisted tables starts there */

struct sym {
	char name[300];       /* without the type letter */
	char type;
	uint64_t addr;
};

enum layout {
	OLD,                  /* addresses, [base], num, names, markers, [seqs], tokens */
	NEW,                  /* num, names, markers, tokens, addresses, [base], [seqs] */
};

struct params {
	enum vd_ksyms_encoding enc;
	enum layout layout;
	unsigned marker_size;  /* 4 or 8; 0: no findable markers */
	bool seqs;
	bool export_base;      /* VMCOREINFO lists kallsyms_relative_base */
	bool export_names;     /* VMCOREINFO lists kallsyms_names */
	bool bad_token_index;
};

struct fake {
	unsigned char mem[MEM_SIZE];
	size_t used;
	struct { const char *name; uint64_t addr; } vmci[16];
	size_t nvmci;
	struct sym syms[NSYMS];
	size_t n;
};

static const char *const multi[] = {
	"T_", "sym_", "_st", "ext", "start", "global", "local", "dup_", "per", "cpu",
	"long_", "aaaa", "t__",
};

static uint64_t
place(struct fake *f, size_t len, size_t align)
{
	uint64_t off = (f->used + align - 1) & ~(uint64_t)(align - 1);

	f->used = off + len;
	if (f->used > MEM_SIZE)
		abort();
	return off;
}

static void
vmci(struct fake *f, const char *name, uint64_t off)
{
	f->vmci[f->nvmci].name = name;
	f->vmci[f->nvmci++].addr = VA_BASE + off;
}

static struct vd_error *
fake_map(void *ctx, uint64_t addr, size_t len, const void **ret, void **owned)
{
	struct fake *f = ctx;

	*owned = NULL;
	if (addr < VA_BASE || addr - VA_BASE > MEM_SIZE || len > MEM_SIZE - (addr - VA_BASE))
		return vd_error_create(VD_ERR_FAULT, "0x%llx is not in the fake dump",
				       (unsigned long long)addr);
	*ret = f->mem + (addr - VA_BASE);
	return NULL;
}

static bool
fake_symbol(void *ctx, const char *name, uint64_t *ret)
{
	struct fake *f = ctx;

	for (size_t i = 0; i < f->nvmci; i++) {
		if (!strcmp(f->vmci[i].name, name)) {
			*ret = f->vmci[i].addr;
			return true;
		}
	}
	return false;
}

/* The symbols, in the kernel's (address) order. */
static void
make_syms(struct fake *f, const struct params *p)
{
	uint64_t a = TEXT;
	size_t n = 0;

	if (p->enc == VD_KSYMS_ABSOLUTE_PERCPU) {    // per-CPU offsets first
		for (int i = 0; i < 20; i++) {
			snprintf(f->syms[n].name, sizeof(f->syms[n].name), "percpu_var%d", i);
			f->syms[n].type = 'D';
			f->syms[n++].addr = (uint64_t)i * 0x40;
		}
	}
	snprintf(f->syms[n].name, sizeof(f->syms[n].name), "_stext");
	f->syms[n].type = 'T';
	f->syms[n++].addr = a;
	// Aliases at one address, in the kernel's order.
	a += 0x100;
	snprintf(f->syms[n].name, sizeof(f->syms[n].name), "__start_foo");
	f->syms[n].type = 'D';
	f->syms[n++].addr = a;
	snprintf(f->syms[n].name, sizeof(f->syms[n].name), "aa_local");
	f->syms[n].type = 't';
	f->syms[n++].addr = a;
	snprintf(f->syms[n].name, sizeof(f->syms[n].name), "zz_global");
	f->syms[n].type = 'T';
	f->syms[n++].addr = a;
	// A name longer than 127 tokens: a 2-byte length.
	a += 0x40;
	f->syms[n].type = 't';
	memset(f->syms[n].name, 'q', 200);
	f->syms[n].name[200] = '\0';
	f->syms[n++].addr = a;
	while (n < NSYMS) {
		a += 0x10 + (n * 7919) % 0x300;
		if (n % 97 == 0)
			snprintf(f->syms[n].name, sizeof(f->syms[n].name), "dup_name");
		else
			snprintf(f->syms[n].name, sizeof(f->syms[n].name), "%s%zu_%s",
				 n % 3 ? "sym_" : "global_", (n * 2654435761u) % 100000,
				 n % 5 ? "local" : "start");
		f->syms[n].type = n % 4 ? 't' : 'T';
		f->syms[n++].addr = a;
	}
	f->n = n;
}

/* "Tname" as token bytes: greedy, longest token first. */
static size_t
encode(const char *s, unsigned char *out)
{
	size_t n = 0;

	while (*s) {
		size_t best = 0;
		unsigned char d = (unsigned char)*s;

		for (size_t t = 0; t < VD_ARRAY_SIZE(multi); t++) {
			size_t l = strlen(multi[t]);

			if (l > best && !strncmp(s, multi[t], l)) {
				best = l;
				d = (unsigned char)(t + 1);
			}
		}
		out[n++] = d;
		s += best ? best : 1;
	}
	return n;
}

static void
put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static const struct sym *g_sort_syms;

static int
by_name(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int r = strcmp(g_sort_syms[x].name, g_sort_syms[y].name);

	return r ? r : x < y ? -1 : x > y;
}

static void
put_addresses(struct fake *f, const struct params *p, uint64_t *base_off)
{
	uint64_t base = TEXT, off;

	if (p->enc == VD_KSYMS_ABSOLUTE) {
		off = place(f, 8 * f->n, 8);
		for (size_t i = 0; i < f->n; i++)
			vd_put64(f->mem + off + 8 * i, f->syms[i].addr, false);
		vmci(f, "kallsyms_addresses", off);
		return;
	}
	off = place(f, 4 * f->n, 8);
	for (size_t i = 0; i < f->n; i++) {
		uint64_t a = f->syms[i].addr;
		uint32_t v;

		switch (p->enc) {
		case VD_KSYMS_RELATIVE:
			v = (uint32_t)(a - base);
			break;
		case VD_KSYMS_ABSOLUTE_PERCPU:
			v = a < 0x100000 ? (uint32_t)a : (uint32_t)(int32_t)-(int64_t)(a - base + 1);
			break;
		default:   // place-relative
			v = (uint32_t)(int32_t)(int64_t)(a - (VA_BASE + off + 4 * i));
			break;
		}
		vd_put32(f->mem + off + 4 * i, v, false);
	}
	vmci(f, "kallsyms_offsets", off);
	if (p->enc != VD_KSYMS_PLACE_RELATIVE) {
		*base_off = place(f, 8, 8);
		vd_put64(f->mem + *base_off, base, false);
		if (p->export_base)
			vmci(f, "kallsyms_relative_base", *base_off);
	}
}

static void
put_seqs(struct fake *f)
{
	uint32_t *order = malloc(f->n * sizeof(*order));
	uint64_t off = place(f, 3 * f->n, 4);

	for (size_t i = 0; i < f->n; i++)
		order[i] = (uint32_t)i;
	g_sort_syms = f->syms;
	qsort(order, f->n, sizeof(*order), by_name);
	for (size_t i = 0; i < f->n; i++) {
		f->mem[off + 3 * i] = (unsigned char)(order[i] >> 16);
		f->mem[off + 3 * i + 1] = (unsigned char)(order[i] >> 8);
		f->mem[off + 3 * i + 2] = (unsigned char)order[i];
	}
	free(order);
}

static void
build(struct fake *f, const struct params *p)
{
	uint32_t markers[(NSYMS + 255) / 256];
	uint64_t base_off = 0, off, names;
	size_t pos = 0;

	memset(f, 0, sizeof(*f));
	f->used = 64;
	make_syms(f, p);
	f->vmci[f->nvmci].name = "_stext";
	f->vmci[f->nvmci++].addr = TEXT;
	if (p->layout == OLD)
		put_addresses(f, p, &base_off);
	off = place(f, 4, 8);
	vd_put32(f->mem + off, (uint32_t)f->n, false);
	vmci(f, "kallsyms_num_syms", off);
	names = place(f, 0, 8);
	for (size_t i = 0; i < f->n; i++) {
		unsigned char tok[400];
		char full[310];
		size_t len;

		snprintf(full, sizeof(full), "%c%s", f->syms[i].type, f->syms[i].name);
		len = encode(full, tok);
		if (!(i & 0xff))
			markers[i >> 8] = (uint32_t)pos;
		if (len > 0x7f) {
			f->mem[names + pos++] = (unsigned char)(0x80 | (len & 0x7f));
			f->mem[names + pos++] = (unsigned char)(len >> 7);
		} else {
			f->mem[names + pos++] = (unsigned char)len;
		}
		memcpy(f->mem + names + pos, tok, len);
		pos += len;
	}
	f->used = names + pos;
	if (p->export_names)
		vmci(f, "kallsyms_names", names);
	off = place(f, (p->marker_size ? p->marker_size : 4) * VD_ARRAY_SIZE(markers),
		    p->marker_size ? p->marker_size : 8);
	for (size_t m = 0; m < VD_ARRAY_SIZE(markers); m++) {
		if (p->marker_size == 8)
			vd_put64(f->mem + off + 8 * m, markers[m], false);
		else if (p->marker_size == 4)
			vd_put32(f->mem + off + 4 * m, markers[m], false);
		else    // not markers at all: found nowhere, built instead
			vd_put32(f->mem + off + 4 * m, 0xdead0000u + (uint32_t)m, false);
	}
	if (p->seqs && p->layout == OLD)
		put_seqs(f);
	off = place(f, 0, 8);
	for (unsigned d = 0; d < 256; d++) {
		// Tokens: the multi-character ones, else the byte itself;
		// bytes no name uses get some token (the kernel's table has
		// 256 non-empty ones).
		const char *t = d >= 1 && d <= VD_ARRAY_SIZE(multi) ? multi[d - 1] : NULL;
		char one[2] = { (char)(d >= 0x20 && d < 0x7f ? d : 'A' + d % 26), 0 };

		if (!t)
			t = one;
		memcpy(f->mem + f->used, t, strlen(t) + 1);
		f->used += strlen(t) + 1;
	}
	{
		uint64_t table = off, index = place(f, 512, 8), p2 = table;

		for (unsigned d = 0; d < 256; d++) {
			put16(f->mem + index + 2 * d, (uint16_t)(p2 - table));
			p2 += strlen((char *)f->mem + p2) + 1;
		}
		if (p->bad_token_index)
			put16(f->mem + index + 2 * 7, 0xfff0);
		vmci(f, "kallsyms_token_table", table);
		vmci(f, "kallsyms_token_index", index);
	}
	if (p->layout == NEW) {
		put_addresses(f, p, &base_off);
		if (p->seqs)
			put_seqs(f);
	}
}

static struct vd_ksyms_mem
mem_of(struct fake *f)
{
	return (struct vd_ksyms_mem){ .ctx = f, .ptr_size = 8, .map = fake_map,
				      .symbol = fake_symbol };
}

/* The first symbol of that name, as the kernel's lookup answers. */
static size_t
first_named(const struct fake *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->syms[i].name, name))
			return i;
	return SIZE_MAX;
}

static void
check_all(struct fake *f, struct vd_ksyms *ks)
{
	struct vd_ksym k;
	size_t bad = 0;

	CHECK_EQ_U64(vd_ksyms_count(ks), f->n);
	for (size_t i = 0; i < f->n; i++) {
		size_t want = first_named(f, f->syms[i].name);

		if (!vd_ksyms_by_name(ks, f->syms[i].name, &k) || k.index != want ||
		    k.addr != f->syms[want].addr || k.type != f->syms[want].type) {
			if (bad++ < 5)
				fprintf(stderr, "by name %s: got %s\n", f->syms[i].name,
					vd_ksyms_by_name(ks, f->syms[i].name, &k) ? k.name : "nothing");
		}
	}
	CHECK_EQ_U64(bad, 0);
	CHECK(!vd_ksyms_by_name(ks, "no_such_symbol", &k));
	CHECK(!vd_ksyms_by_name(ks, "sym_", &k));          // a prefix only
	CHECK(!vd_ksyms_by_name(ks, "_stext_and_more", &k));
	// In address order; names and types as built.
	for (size_t i = 0; i < f->n; i++) {
		struct vd_error *err = vd_ksyms_nth(ks, (uint32_t)i, &k);

		if (err || strcmp(k.name, f->syms[i].name) || k.addr != f->syms[i].addr ||
		    k.type != f->syms[i].type) {
			if (bad++ < 5)
				fprintf(stderr, "nth %zu: %s\n", i, err ? err->msg : k.name);
			vd_error_destroy(err);
		}
	}
	CHECK_EQ_U64(bad, 0);
	// By address: inside each text symbol (not the aliases' address).
	for (size_t i = 0; i < f->n; i++) {
		const struct sym *s = &f->syms[i];

		if (s->addr < TEXT || (i + 1 < f->n && f->syms[i + 1].addr == s->addr) ||
		    (i && f->syms[i - 1].addr == s->addr))
			continue;
		if (!vd_ksyms_by_addr(ks, s->addr + 3, &k) || k.addr != s->addr ||
		    strcmp(k.name, s->name)) {
			if (bad++ < 5)
				fprintf(stderr, "by addr %s\n", s->name);
		}
	}
	CHECK_EQ_U64(bad, 0);
	// Aliases: the global non-marker names their address.
	CHECK(vd_ksyms_by_addr(ks, TEXT + 0x108, &k));
	CHECK_STR(k.name, "zz_global");
	CHECK(!vd_ksyms_by_addr(ks, TEXT - 1, &k) || k.addr < TEXT);
	// The 2-byte length.
	CHECK(vd_ksyms_by_addr(ks, TEXT + 0x141, &k));
	CHECK_EQ_U64(strlen(k.name), 200);
}

static void
run(const struct params *p, bool want_seqs, bool want_markers)
{
	static struct fake f;
	struct vd_ksyms_mem mem;
	struct vd_ksyms_layout lay;
	struct vd_ksyms *ks = NULL;

	build(&f, p);
	mem = mem_of(&f);
	CHECK_OK(vd_ksyms_open(&mem, &ks));
	if (!ks)
		return;
	vd_ksyms_layout(ks, &lay);
	CHECK_EQ_U64(lay.encoding, p->enc);
	CHECK_EQ_U64(lay.seqs_of_names, want_seqs);
	CHECK_EQ_U64(lay.kernel_markers, want_markers);
	check_all(&f, ks);
	vd_ksyms_destroy(ks);
}

TEST(base_relative_6_1_layout)
{
	struct params p = { VD_KSYMS_RELATIVE, OLD, 4, true, true, true, false };

	run(&p, true, true);
}

TEST(base_relative_unsigned_long_markers_no_seqs)
{
	struct params p = { VD_KSYMS_RELATIVE, OLD, 8, false, true, true, false };

	run(&p, false, true);
}

TEST(absolute_percpu)
{
	struct params p = { VD_KSYMS_ABSOLUTE_PERCPU, OLD, 4, false, true, true, false };

	run(&p, false, true);
	p.layout = NEW;
	p.seqs = true;
	run(&p, true, true);
}

TEST(absolute_addresses)
{
	struct params p = { VD_KSYMS_ABSOLUTE, OLD, 8, false, false, true, false };

	run(&p, false, true);
}

TEST(base_relative_6_12_layout)
{
	struct params p = { VD_KSYMS_RELATIVE, NEW, 4, true, true, true, false };

	run(&p, true, true);
}

TEST(place_relative_without_relative_base)
{
	struct params p = { VD_KSYMS_PLACE_RELATIVE, NEW, 4, true, false, true, false };

	run(&p, true, true);
	p.seqs = false;
	run(&p, false, true);
}

TEST(markers_not_found_are_built)
{
	struct params p = { VD_KSYMS_RELATIVE, NEW, 0, false, true, true, false };

	run(&p, false, false);
}

/* VMCOREINFO as kernels before 5fd8fea935a1 have it: no kallsyms_*. */
static void
unlist(struct fake *f)
{
	size_t k = 0;

	for (size_t i = 0; i < f->nvmci; i++)
		if (strncmp(f->vmci[i].name, "kallsyms_", 9))
			f->vmci[k++] = f->vmci[i];
	f->nvmci = k;
}

TEST(unlisted_tables_are_found_in_the_image)
{
	static struct fake f;
	struct params p = { VD_KSYMS_ABSOLUTE_PERCPU, OLD, 4, false, true, true, false };
	struct vd_ksyms_mem mem;
	struct vd_ksyms_layout lay = { 0 };
	struct vd_ksyms *ks = NULL;
	uint64_t index = 0;

	build(&f, &p);
	fake_symbol(&f, "kallsyms_token_index", &index);
	unlist(&f);
	mem = mem_of(&f);
	CHECK_OK(vd_ksyms_open(&mem, &ks));
	if (!ks)
		return;
	vd_ksyms_layout(ks, &lay);
	CHECK(lay.located);
	CHECK(lay.kernel_markers);
	CHECK_EQ_U64(lay.index_rel, index - TEXT);
	check_all(&f, ks);
	vd_ksyms_destroy(ks);
	// Where an earlier session found them: used; a wrong hint: scanned.
	for (int k = 0; k < 2; k++) {
		mem.index_hint = lay.index_rel + (k ? 8 : 0);
		ks = NULL;
		CHECK_OK(vd_ksyms_open(&mem, &ks));
		if (ks)
			check_all(&f, ks);
		vd_ksyms_destroy(ks);
	}
}

TEST(no_kallsyms_anywhere_says_why)
{
	static struct fake f;
	struct params p = { VD_KSYMS_RELATIVE, OLD, 4, false, true, true, false };
	struct vd_ksyms_mem mem;
	struct vd_ksyms *ks = NULL;
	struct vd_error *err;
	uint64_t index = 0;

	build(&f, &p);
	fake_symbol(&f, "kallsyms_token_index", &index);
	memset(f.mem + (index - VA_BASE), 0xee, 512);     // no token index
	unlist(&f);
	mem = mem_of(&f);
	err = vd_ksyms_open(&mem, &ks);
	CHECK(err && err->code == VD_ERR_LOOKUP);
	CHECK(err && strstr(err->msg, "SYMBOL(kallsyms_names)") &&
	      strstr(err->msg, "did not export") && strstr(err->msg, "no kallsyms tables were found") &&
	      !strstr(err->msg, "6.0"));
	vd_error_destroy(err);
}

TEST(relative_base_missing_means_place_relative)
{
	// A base-relative table whose base VMCOREINFO does not list is
	// taken as place-relative, and then _stext does not check out.
	static struct fake f;
	struct params p = { VD_KSYMS_RELATIVE, OLD, 4, false, false, true, false };
	struct vd_ksyms_mem mem;
	struct vd_ksyms *ks = NULL;
	struct vd_error *err;

	build(&f, &p);
	mem = mem_of(&f);
	err = vd_ksyms_open(&mem, &ks);
	CHECK(err && err->code == VD_ERR_CORRUPT && strstr(err->msg, "place-relative"));
	vd_error_destroy(err);
}

TEST(corrupt_tables_are_errors)
{
	static struct fake f;
	struct params p = { VD_KSYMS_RELATIVE, OLD, 4, false, true, true, true };
	struct vd_ksyms_mem mem;
	struct vd_ksyms *ks = NULL;
	uint64_t num = VA_BASE;

	build(&f, &p);
	mem = mem_of(&f);
	CHECK_ERR(vd_ksyms_open(&mem, &ks), VD_ERR_CORRUPT);
	p.bad_token_index = false;
	build(&f, &p);
	fake_symbol(&f, "kallsyms_num_syms", &num);
	vd_put32(f.mem + (num - VA_BASE), 0x7fffffff, false);
	CHECK_ERR(vd_ksyms_open(&mem, &ks), VD_ERR_CORRUPT);
	// Names cut short: the count runs past them.
	build(&f, &p);
	vd_put32(f.mem + (num - VA_BASE), NSYMS * 50, false);
	CHECK_ERR(vd_ksyms_open(&mem, &ks), VD_ERR_CORRUPT);
}

TEST(export_import_round_trip)
{
	static struct fake f;
	struct params p = { VD_KSYMS_RELATIVE, OLD, 4, false, true, true, false };
	struct vd_ksyms_mem mem;
	struct vd_ksyms *ks = NULL, *ks2 = NULL;
	struct vd_ksyms_table t, bad;
	uint32_t *off_copy;

	build(&f, &p);
	mem = mem_of(&f);
	CHECK_OK(vd_ksyms_open(&mem, &ks));
	CHECK_OK(vd_ksyms_open(&mem, &ks2));
	if (!ks || !ks2)
		return;
	CHECK(vd_ksyms_cacheable(ks));
	CHECK_OK(vd_ksyms_export(ks, &t));
	CHECK_EQ_U64(t.names_len > 0, 1);
	// An offset out of bounds is refused, not used.
	off_copy = malloc(f.n * sizeof(*off_copy));
	memcpy(off_copy, t.name_off, f.n * sizeof(*off_copy));
	off_copy[5] = (uint32_t)t.names_len + 10;
	bad = t;
	bad.name_off = off_copy;
	CHECK(!vd_ksyms_import(ks2, &bad));
	// Names of another table are refused too.
	off_copy[5] = t.name_off[5];
	off_copy[0] = t.name_off[1];
	CHECK(!vd_ksyms_import(ks2, &bad));
	CHECK(vd_ksyms_import(ks2, &t));
	check_all(&f, ks2);
	free(off_copy);
	vd_ksyms_destroy(ks2);
	vd_ksyms_destroy(ks);
}

int
main(void)
{
	return RUN_TESTS();
}
