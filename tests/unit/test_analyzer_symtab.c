// SPDX-License-Identifier: MIT
/*
 * The symbol table's two orders (kernel/symtab.c), on made-up tables
 * that stress them: many symbols at one address with every binding, the
 * same name many times, names that agree for hundreds of bytes, bytes
 * above 0x7f (strcmp compares them unsigned).  Each order is checked
 * pair by pair against its rule, and as a permutation of what went in.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/symtab.h"
#include "common/util.h"
#include "harness.h"

static uint64_t
lcg(uint64_t *rng)
{
	*rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
	return *rng >> 33;
}

/* Global 2, weak 1, local 0: the rule's order of aliases. */
static int
binding(char type)
{
	if (strchr("WVwv", type))
		return 1;
	return isupper((unsigned char)type) ? 2 : 0;
}

/* A name of one of a few shapes, written at buf (room for 700 bytes). */
static void
make_name(char *buf, const struct vd_symbol *made, size_t n, uint64_t *rng)
{
	size_t len = 0, prefix, tail;

	switch (lcg(rng) % 6) {
	case 0:                   // the same as an earlier one
		if (n) {
			strcpy(buf, made[lcg(rng) % n].name);
			return;
		}
		break;
	case 1:                   // agreeing with others for up to 600 bytes
		prefix = lcg(rng) % 600;
		memset(buf, '_', prefix);
		len = prefix;
		break;
	case 2:                   // agreeing for whole 8-byte steps
		prefix = 8 * (lcg(rng) % 4);
		memset(buf, 'k', prefix);
		len = prefix;
		break;
	case 3:                   // high bytes
		tail = 1 + lcg(rng) % 4;
		for (size_t i = 0; i < tail; i++)
			buf[len++] = (char)(0x7e + lcg(rng) % 4);
		break;
	}
	tail = (len ? 0 : 1) + lcg(rng) % 4;
	for (size_t i = 0; i < tail; i++)
		buf[len++] = (char)('a' + lcg(rng) % 3);
	buf[len] = '\0';
}

static void
check_table(size_t n, bool kernel_order, uint64_t *rng)
{
	static const char types[] = "TtDdBbWwVvRrAa";
	struct vd_symtab st = { .kernel_order = kernel_order };
	struct vd_symbol *made = calloc(n, sizeof(*made));
	char *names = malloc(n * 700);
	bool *seen = calloc(n, sizeof(*seen));

	CHECK(made && names && seen);
	st.syms = malloc(n * sizeof(*st.syms));
	st.n = n;
	CHECK(st.syms != NULL);
	if (!made || !names || !seen || !st.syms) {
		free(made);
		free(names);
		free(seen);
		free(st.syms);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char *name = names + 700 * i;
		uint64_t r = lcg(rng);

		make_name(name, made, i, rng);
		made[i] = (struct vd_symbol){
			.name = name, .type = types[lcg(rng) % (sizeof(types) - 1)],
			// Few distinct addresses, some in each byte of the 64.
			.addr = r % 4 == 0 ? lcg(rng) % 8 : (lcg(rng) % 16) << (8 * (r % 8)) |
							     (r % 3 ? 0xffff800000000000ull : 0),
		};
		st.syms[i] = made[i];
	}
	CHECK_OK(vd_symtab_finish(&st));
	// By address: the rule, pair by pair; and nothing lost or changed.
	for (size_t i = 0; i < n; i++) {
		const struct vd_symbol *s = &st.syms[i], *p = i ? s - 1 : NULL;

		CHECK(s->order < n && !seen[s->order]);
		if (s->order >= n || seen[s->order])
			break;
		seen[s->order] = true;
		CHECK(s->name == made[s->order].name && s->addr == made[s->order].addr &&
		      s->type == made[s->order].type);
		if (!p || p->addr < s->addr)
			continue;
		CHECK(p->addr == s->addr);
		if (!kernel_order && binding(p->type) != binding(s->type))
			CHECK(binding(p->type) > binding(s->type));
		else
			CHECK(p->order < s->order);
	}
	// By name: every name found, absent ones not; then the index's
	// order: by name, the same names as the table has them.
	for (size_t i = 0; i < n; i += 7) {
		const struct vd_symbol *s = vd_symtab_by_name(&st, made[i].name);

		CHECK(s && !strcmp(s->name, made[i].name));
	}
	CHECK(vd_symtab_by_name(&st, "zzz-none") == NULL);
	CHECK(vd_symtab_by_name(&st, "") == NULL);
	CHECK(st.by_name != NULL);
	memset(seen, 0, n * sizeof(*seen));
	for (size_t i = 0; st.by_name && i < n; i++) {
		int r;

		CHECK(st.by_name[i] < n && !seen[st.by_name[i]]);
		if (st.by_name[i] >= n || seen[st.by_name[i]])
			break;
		seen[st.by_name[i]] = true;
		if (!i)
			continue;
		r = strcmp(st.syms[st.by_name[i - 1]].name, st.syms[st.by_name[i]].name);
		CHECK(r < 0 || (r == 0 && st.by_name[i - 1] < st.by_name[i]));
	}
	vd_symtab_deinit(&st);
	free(made);
	free(names);
	free(seen);
}

TEST(orders_follow_their_rules)
{
	static const size_t sizes[] = { 1, 2, 3, 17, 300, 5000 };
	uint64_t rng = 0x853c49e6748fea9bull;

	for (size_t i = 0; i < VD_ARRAY_SIZE(sizes); i++)
		for (int round = 0; round < 4; round++)
			check_table(sizes[i], round & 1, &rng);
}

int
main(void)
{
	return RUN_TESTS();
}
