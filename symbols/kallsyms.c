// SPDX-License-Identifier: MIT
/*
 * The kernel's own symbol table, decoded from the dump: no vmlinux needed.
 *
 * VMCOREINFO has exported the kallsyms tables' addresses since v6.0
 * (commit 5fd8fea935a1 "vmcoreinfo: include kallsyms symbols").  The
 * tables (scripts/kallsyms.c):
 *   kallsyms_num_syms     u32 count
 *   kallsyms_names        per symbol: a length, then that many token bytes;
 *                         since v6.1 (73bbb94466fd "kallsyms: support "big"
 *                         kernel symbols") a length with bit 7 set takes a
 *                         second byte: len = (b0 & 0x7f) | b1 << 7.  Older
 *                         kernels never wrote lengths >= 0x80, so one rule
 *                         reads both.
 *   kallsyms_token_table  256 NUL-terminated strings
 *   kallsyms_token_index  256 u16 offsets into the token table
 *   kallsyms_offsets      s32 per symbol, with kallsyms_relative_base
 * Expanding a symbol's tokens gives its nm type letter, then its name.
 * Addresses were encoded three ways over time; the one that reproduces
 * SYMBOL(_stext) is the right one (absolute kallsyms_addresses[] kernels
 * have no kallsyms_offsets and are not handled here).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "symbols_priv.h"

/* Bounds for a hostile dump: real kernels have ~100-200k symbols. */
#define KALLSYMS_MAX_SYMS (1u << 22)
#define KALLSYMS_MAX_NAMES (64u << 20)
#define KALLSYMS_MAX_TOKENS (64u << 10)

struct kallsyms_tables {
	uint32_t num;
	unsigned char *names;      /* kallsyms_names .. token_table */
	size_t names_len;
	char *tokens;              /* the token table, NUL-terminated */
	size_t tokens_len;
	uint16_t index[256];
	int32_t *offsets;
	uint64_t relative_base;
};

enum addr_encoding {
	ENC_RELATIVE,          /* relative_base + (u32)off */
	ENC_ABSOLUTE_PERCPU,   /* off >= 0: absolute; else relative_base - 1 - off */
};

static struct vd_error *
read_kv(struct vd_session *s, uint64_t addr, void *buf, size_t len,
	const char *what)
{
	struct vd_error *err = vd_session_read(s, VD_AS_KVIRT, addr, buf, len,
					       NULL);

	return err ? vd_error_wrap(err, "reading %s", what) : NULL;
}

static bool
sym_addr(struct vd_session *s, const char *name, uint64_t *ret)
{
	char key[64];

	snprintf(key, sizeof(key), "SYMBOL(%s)", name);
	return vd_session_number(s, key, ret);
}

static void
tables_deinit(struct kallsyms_tables *t)
{
	free(t->names);
	free(t->tokens);
	free(t->offsets);
}

static struct vd_error *
read_tables(struct vd_session *s, struct kallsyms_tables *t)
{
	static const char *const need[] = {
		"kallsyms_num_syms", "kallsyms_names", "kallsyms_token_table",
		"kallsyms_token_index", "kallsyms_offsets",
		"kallsyms_relative_base",
	};
	uint64_t a[VD_ARRAY_SIZE(need)];
	bool be = vd_session_info(s)->big_endian;
	unsigned char raw[512];
	struct vd_error *err;

	for (size_t i = 0; i < VD_ARRAY_SIZE(need); i++)
		if (!sym_addr(s, need[i], &a[i]))
			return vd_error_create(VD_ERR_LOOKUP,
					       "VMCOREINFO has no SYMBOL(%s) (kernels before 6.0 do not export kallsyms)",
					       need[i]);
	if ((err = read_kv(s, a[0], raw, 4, "kallsyms_num_syms")))
		return err;
	t->num = vd_get32(raw, be);
	if (!t->num || t->num > KALLSYMS_MAX_SYMS)
		return vd_error_create(VD_ERR_CORRUPT,
				       "kallsyms_num_syms is %u: not a symbol count",
				       t->num);
	// The names run up to kallsyms_markers, which precedes the token
	// table: read up to the token table, bounded.
	if (a[2] <= a[1] || a[2] - a[1] > KALLSYMS_MAX_NAMES ||
	    a[3] <= a[2] || a[3] - a[2] > KALLSYMS_MAX_TOKENS)
		return vd_error_create(VD_ERR_CORRUPT,
				       "kallsyms tables are not laid out as expected (names 0x%llx, tokens 0x%llx, index 0x%llx)",
				       (unsigned long long)a[1],
				       (unsigned long long)a[2],
				       (unsigned long long)a[3]);
	t->names_len = a[2] - a[1];
	t->tokens_len = a[3] - a[2];
	t->names = malloc(t->names_len);
	t->tokens = malloc(t->tokens_len + 1);
	t->offsets = malloc((size_t)t->num * sizeof(*t->offsets));
	if (!t->names || !t->tokens || !t->offsets)
		return &vd_enomem;
	if ((err = read_kv(s, a[1], t->names, t->names_len, "kallsyms_names")) ||
	    (err = read_kv(s, a[2], t->tokens, t->tokens_len, "kallsyms_token_table")) ||
	    (err = read_kv(s, a[3], raw, 512, "kallsyms_token_index")) ||
	    (err = read_kv(s, a[4], t->offsets, (size_t)t->num * 4, "kallsyms_offsets")))
		return err;
	t->tokens[t->tokens_len] = '\0';
	for (int i = 0; i < 256; i++) {
		t->index[i] = vd_get16(raw + 2 * i, be);
		if (t->index[i] >= t->tokens_len)
			return vd_error_create(VD_ERR_CORRUPT,
					       "kallsyms_token_index[%d] = %u points past the token table",
					       i, t->index[i]);
	}
	for (uint32_t i = 0; i < t->num; i++)
		t->offsets[i] = (int32_t)vd_get32(&t->offsets[i], be);
	if ((err = read_kv(s, a[5], raw, 8, "kallsyms_relative_base")))
		return err;
	t->relative_base = vd_get64(raw, be);
	return NULL;
}

static uint64_t
decode_addr(const struct kallsyms_tables *t, enum addr_encoding enc, uint32_t i)
{
	int32_t off = t->offsets[i];

	if (enc == ENC_RELATIVE)
		return t->relative_base + (uint32_t)off;
	return off >= 0 ? (uint64_t)off : t->relative_base - 1 - (int64_t)off;
}

/*
 * Expand symbol names into one buffer: "Tname\0" per symbol (type letter
 * first, as the kernel stores it).  Returns per-symbol offsets in *starts.
 */
static struct vd_error *
expand_names(const struct kallsyms_tables *t, char **buf_ret, uint32_t **starts_ret)
{
	size_t cap = (size_t)t->num * 24, used = 0, pos = 0, tok_len[256];
	char *buf = malloc(cap);
	uint32_t *starts = malloc((size_t)t->num * sizeof(*starts));

	if (!buf || !starts)
		goto enomem;
	for (unsigned d = 0; d < 256; d++)
		tok_len[d] = strnlen(t->tokens + t->index[d], t->tokens_len - t->index[d]);
	for (uint32_t i = 0; i < t->num; i++) {
		size_t len;

		if (pos >= t->names_len)
			goto truncated;
		len = t->names[pos++];
		if (len & 0x80) {
			if (pos >= t->names_len)
				goto truncated;
			len = (len & 0x7f) | ((size_t)t->names[pos++] << 7);
		}
		if (len > t->names_len - pos)
			goto truncated;
		starts[i] = (uint32_t)used;
		for (size_t k = 0; k < len; k++) {
			unsigned char d = t->names[pos + k];
			const char *tok = t->tokens + t->index[d];
			size_t tl = tok_len[d];

			// A symbol name is at most KSYM_NAME_LEN (512 since 6.1).
			if (cap - used < tl + 2 || used - starts[i] > 1024) {
				char *p;

				if (used - starts[i] > 1024)
					goto corrupt;
				cap = cap * 2 + tl + 2;
				p = realloc(buf, cap);
				if (!p)
					goto enomem;
				buf = p;
			}
			memcpy(buf + used, tok, tl);
			used += tl;
		}
		buf[used++] = '\0';
		pos += len;
		if (used - starts[i] < 3)   // type letter + at least one char + NUL
			goto corrupt;
	}
	*buf_ret = buf;
	*starts_ret = starts;
	return NULL;
truncated:
	free(buf);
	free(starts);
	return vd_error_create(VD_ERR_CORRUPT,
			       "kallsyms_names ends before its %u symbols", t->num);
corrupt:
	free(buf);
	free(starts);
	return vd_error_create(VD_ERR_CORRUPT, "kallsyms_names holds a malformed name");
enomem:
	free(buf);
	free(starts);
	return &vd_enomem;
}

/* Which address encoding puts _stext where VMCOREINFO says it is. */
static struct vd_error *
pick_encoding(struct vd_session *s, const struct kallsyms_tables *t,
	      const char *names, const uint32_t *starts, enum addr_encoding *ret)
{
	static const enum addr_encoding encs[] = { ENC_ABSOLUTE_PERCPU, ENC_RELATIVE };
	uint64_t stext;

	if (!sym_addr(s, "_stext", &stext))
		return vd_error_create(VD_ERR_LOOKUP,
				       "VMCOREINFO has no SYMBOL(_stext) to check kallsyms against");
	for (uint32_t i = 0; i < t->num; i++) {
		if (strcmp(names + starts[i] + 1, "_stext"))
			continue;
		for (size_t e = 0; e < VD_ARRAY_SIZE(encs); e++) {
			if (decode_addr(t, encs[e], i) == stext) {
				*ret = encs[e];
				return NULL;
			}
		}
		return vd_error_create(VD_ERR_CORRUPT,
				       "no kallsyms address encoding puts _stext at 0x%llx",
				       (unsigned long long)stext);
	}
	return vd_error_create(VD_ERR_CORRUPT, "kallsyms has no _stext");
}

/*
 * Sizes: the kernel does not store them; like drgn, a symbol extends to
 * the next higher address, capped so the last one does not claim the
 * rest of the address space.
 */
static void
guess_sizes(struct vd_symtab *st)
{
	for (size_t i = 0; i < st->n; i++) {
		size_t j = i + 1;

		while (j < st->n && st->syms[j].addr == st->syms[i].addr)
			j++;
		st->syms[i].size = j < st->n ?
			VD_MIN(st->syms[j].addr - st->syms[i].addr, 1u << 20) : 4096;
	}
}

struct vd_error *
vd_kallsyms_load(struct vd_session *s, struct vd_symtab *ret)
{
	struct kallsyms_tables t = { 0 };
	struct vd_symtab st = { 0 };
	enum addr_encoding enc;
	uint32_t *starts = NULL;
	struct vd_error *err;

	err = read_tables(s, &t);
	if (!err)
		err = expand_names(&t, &st.strings, &starts);
	if (!err)
		err = pick_encoding(s, &t, st.strings, starts, &enc);
	if (!err) {
		st.syms = calloc(t.num, sizeof(*st.syms));
		st.source = strdup("kallsyms in the dump");
		if (!st.syms || !st.source)
			err = &vd_enomem;
	}
	for (uint32_t i = 0; !err && i < t.num; i++) {
		const char *name = st.strings + starts[i];

		st.syms[i] = (struct vd_symbol){
			.name = name + 1,
			.addr = decode_addr(&t, enc, i),
			.type = name[0],
		};
	}
	st.n = err ? 0 : t.num;
	st.kernel_order = true;   // scripts/kallsyms.c ordered the aliases
	if (!err)
		err = vd_symtab_finish(&st);
	if (!err) {
		guess_sizes(&st);
		vd_symtab_update_extents(&st);
		st.sizes_guessed = true;
	}
	free(starts);
	tables_deinit(&t);
	if (err) {
		vd_symtab_deinit(&st);
		return vd_error_wrap(err, "decoding kallsyms");
	}
	*ret = st;
	return NULL;
}
