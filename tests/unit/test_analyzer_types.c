// SPDX-License-Identifier: MIT
/*
 * Type sources against the compiler: tests/unit/fixtures/types_fixture.c
 * is built with -g as DWARF 2, 4 and 5, and as relocatable objects (DWARF
 * 4 and 5, read through their relocations, as a module's .ko is), and
 * turned into BTF by pahole when it is installed; every offset, size, bit
 * position, array length and enum value the DWARF and BTF sources report
 * is compared with what this file's compiler computes from the same header
 * (offsetof, sizeof, and bit fields set in memory).  types_module.c's BTF
 * split over the fixture's is read as a module's BTF over vmlinux's.  Then
 * the DWARF reader is fed corrupted copies of the fixture (and of the
 * relocatable one's relocations): errors are fine, crashes and hangs are
 * not.
 *
 * Exit 77 (skip) after all DWARF checks pass when pahole is missing.
 */
#include <gelf.h>
#include <libelf.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/symtab.h"
#include "types/ctype_priv.h"
#include "dwarf/dwarf_source.h"
#include "dwarf/dwarf_source.h"
#include "dwarf/dwarf_priv.h"
#include "common/util.h"
#include "fixtures/types_fixture.h"
#include "fixtures/types_module.h"
#include "harness.h"

#ifndef VD_FIXTURE_DIR
#error "tests/CMakeLists.txt passes VD_FIXTURE_DIR"
#endif

#define MAX_SOURCES 6

static struct vd_type_source *sources[MAX_SOURCES];
static const char *labels[MAX_SOURCES];
static size_t nsources, ndwarf;
static bool have_btf;

static void *
read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	void *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		*size = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

__attribute__((constructor)) static void
open_sources(void)
{
	static const char *const dwarf[] = { "types_fixture-dwarf2", "types_fixture-dwarf4",
					     "types_fixture-dwarf5", "types_fixture-rel4.o",
					     "types_fixture-rel5.o" };
	char path[512];
	size_t size;
	void *blob;

	for (size_t i = 0; i < VD_ARRAY_SIZE(dwarf); i++) {
		struct vd_error *err;

		snprintf(path, sizeof(path), "%s/%s", VD_FIXTURE_DIR, dwarf[i]);
		err = vd_dwarf_source_from_file(path, &sources[nsources]);
		if (err) {
			fprintf(stderr, "%s: %s\n", path, err->msg);
			vd_error_destroy(err);
			exit(99);
		}
		labels[nsources++] = dwarf[i];
	}
	ndwarf = nsources;
	snprintf(path, sizeof(path), "%s/types_fixture.btf", VD_FIXTURE_DIR);
	blob = read_file(path, &size);
	if (blob) {
		struct vd_error *err = vd_btf_source_from_blob(blob, size, sizeof(void *),
							       &sources[nsources]);

		if (err) {
			fprintf(stderr, "%s: %s\n", path, err->msg);
			exit(99);
		}
		labels[nsources++] = "pahole BTF";
		have_btf = true;
		free(blob);
	}
}

static const struct vd_type *
find(struct vd_type_source *src, enum vd_type_kind kind, const char *name)
{
	struct vd_qualified_type qt = { NULL, 0 };
	struct vd_error *err = src->find(src, kind, name, &qt);

	if (err) {
		fprintf(stderr, "%s: %s\n", name, err->msg);
		vd_error_destroy(err);
		return NULL;
	}
	return qt.type;
}

static uint64_t
size_of(const struct vd_type *t)
{
	t = vd_type_unqualified(t);
	return t ? t->size : ~0ull;
}

/* The member at path: offset and size as the compiler has them. */
static void
check_member(const char *label, const struct vd_type *type, const char *path,
	     uint64_t off, uint64_t size)
{
	struct vd_member_info m;
	struct vd_error *err = vd_type_member(type, path, &m);

	if (err) {
		fprintf(stderr, "%s: %s: %s\n", label, path, err->msg);
		vd_error_destroy(err);
		CHECK(!"member found");
		return;
	}
	if (m.bit_offset != off * 8 || m.bit_field_size || size_of(m.type.type) != size)
		fprintf(stderr, "%s: %s: bit offset %llu size %llu, compiler: %llu, %llu\n",
			label, path, (unsigned long long)m.bit_offset,
			(unsigned long long)size_of(m.type.type), (unsigned long long)off * 8,
			(unsigned long long)size);
	CHECK_EQ_U64(m.bit_offset, off * 8);
	CHECK_EQ_U64(m.bit_field_size, 0);
	CHECK_EQ_U64(size_of(m.type.type), size);
}

#define MEMBER(label, type, T, path) \
	check_member(label, type, #path, offsetof(T, path), sizeof(((T *)0)->path))

TEST(struct_layout_matches_offsetof)
{
	for (size_t i = 0; i < nsources; i++) {
		const struct vd_type *t = find(sources[i], VD_TYPE_STRUCT, "fx_task");
		const char *l = labels[i];

		CHECK(t && t->kind == VD_TYPE_STRUCT && t->complete);
		if (!t)
			continue;
		CHECK_EQ_U64(t->size, sizeof(struct fx_task));
		MEMBER(l, t, struct fx_task, state);
		MEMBER(l, t, struct fx_task, name);
		MEMBER(l, t, struct fx_task, comm);
		MEMBER(l, t, struct fx_task, comm[7]);
		MEMBER(l, t, struct fx_task, matrix);
		if (i < ndwarf) {         // BTF: see the arrays test
			MEMBER(l, t, struct fx_task, matrix[2]);
			MEMBER(l, t, struct fx_task, matrix[2][4]);
		}
		MEMBER(l, t, struct fx_task, tasks);
		MEMBER(l, t, struct fx_task, tasks.prev);
		MEMBER(l, t, struct fx_task, u64);      // anonymous union
		MEMBER(l, t, struct fx_task, lo32);     // anonymous in anonymous
		MEMBER(l, t, struct fx_task, hi32);
		MEMBER(l, t, struct fx_task, point);
		MEMBER(l, t, struct fx_task, point.y);
		MEMBER(l, t, struct fx_task, bits);
		MEMBER(l, t, struct fx_task, bits.e);
		MEMBER(l, t, struct fx_task, packed);
		MEMBER(l, t, struct fx_task, packed.d);
		MEMBER(l, t, struct fx_task, un);
		MEMBER(l, t, struct fx_task, un.bytes[3]);
		MEMBER(l, t, struct fx_task, un.halves.hi);
		MEMBER(l, t, struct fx_task, color);
		MEMBER(l, t, struct fx_task, neg);
		MEMBER(l, t, struct fx_task, wide);
		MEMBER(l, t, struct fx_task, pgd);
		MEMBER(l, t, struct fx_task, pgd.pgd);
		MEMBER(l, t, struct fx_task, flags);
		MEMBER(l, t, struct fx_task, flags2);
		MEMBER(l, t, struct fx_task, cb);
		MEMBER(l, t, struct fx_task, handler);
		MEMBER(l, t, struct fx_task, opaque);
		MEMBER(l, t, struct fx_task, cvp);
		MEMBER(l, t, struct fx_task, rp);
		MEMBER(l, t, struct fx_task, argv);
		MEMBER(l, t, struct fx_task, argv[3]);
		MEMBER(l, t, struct fx_task, parent);
		MEMBER(l, t, struct fx_task, ratio);
		MEMBER(l, t, struct fx_task, fl);
		MEMBER(l, t, struct fx_task, flag);
		MEMBER(l, t, struct fx_task, ll);
		MEMBER(l, t, struct fx_task, uc);
		MEMBER(l, t, struct fx_task, sc);
		check_member(l, t, "zero", offsetof(struct fx_task, zero), 0);
		check_member(l, t, "tail", offsetof(struct fx_task, tail), 0);
	}
}

TEST(union_layout)
{
	for (size_t i = 0; i < nsources; i++) {
		const struct vd_type *t = find(sources[i], VD_TYPE_UNION, "fx_union");

		CHECK(t && t->kind == VD_TYPE_UNION && t->nmembers == 3);
		if (!t)
			continue;
		CHECK_EQ_U64(t->size, sizeof(union fx_union));
		MEMBER(labels[i], t, union fx_union, word);
		MEMBER(labels[i], t, union fx_union, bytes);
		MEMBER(labels[i], t, union fx_union, halves.hi);
	}
}

/*
 * Where the compiler put a bit field: set it to all ones in a zeroed
 * object and look at which bits changed (little-endian numbering).
 */
static void
bits_set(const void *obj, size_t size, uint64_t *first, uint32_t *count)
{
	const unsigned char *p = obj;

	*first = ~0ull;
	*count = 0;
	for (size_t i = 0; i < 8 * size; i++)
		if (p[i / 8] >> (i % 8) & 1) {
			if (*first == ~0ull)
				*first = i;
			(*count)++;
		}
}

static void
check_bits(const char *label, const struct vd_type *t, const char *path,
	   const void *obj, size_t size)
{
	struct vd_member_info m;
	uint64_t first;
	uint32_t count;
	struct vd_error *err = vd_type_member(t, path, &m);

	bits_set(obj, size, &first, &count);
	if (err) {
		fprintf(stderr, "%s: %s: %s\n", label, path, err->msg);
		vd_error_destroy(err);
		CHECK(!"bit field found");
		return;
	}
	if (m.bit_offset != first || m.bit_field_size != count)
		fprintf(stderr, "%s: %s: bits %llu:%u, compiler: %llu:%u\n", label, path,
			(unsigned long long)m.bit_offset, m.bit_field_size,
			(unsigned long long)first, count);
	CHECK_EQ_U64(m.bit_offset, first);
	CHECK_EQ_U64(m.bit_field_size, count);
}

#define BITS(label, type, T, field)                                          \
	do {                                                                 \
		T obj_;                                                      \
		volatile long long ones_ = -1;                               \
		memset(&obj_, 0, sizeof(obj_));                              \
		obj_.field = ones_;                                          \
		check_bits(label, type, #field, &obj_, sizeof(obj_));        \
	} while (0)

TEST(bit_fields_match_the_compiler)
{
	for (size_t i = 0; i < nsources; i++) {
		const struct vd_type *b = find(sources[i], VD_TYPE_STRUCT, "fx_bits");
		const struct vd_type *p = find(sources[i], VD_TYPE_STRUCT, "fx_packed");
		const char *l = labels[i];

		CHECK(b && p);
		if (!b || !p)
			continue;
		CHECK_EQ_U64(b->size, sizeof(struct fx_bits));
		CHECK_EQ_U64(p->size, sizeof(struct fx_packed));
		BITS(l, b, struct fx_bits, a);
		BITS(l, b, struct fx_bits, b);
		BITS(l, b, struct fx_bits, c);
		BITS(l, b, struct fx_bits, d);
		BITS(l, b, struct fx_bits, f);
		BITS(l, b, struct fx_bits, g);
		BITS(l, b, struct fx_bits, h);
		BITS(l, b, struct fx_bits, i);
		BITS(l, b, struct fx_bits, j);
		MEMBER(l, b, struct fx_bits, e);
		BITS(l, p, struct fx_packed, b);
		BITS(l, p, struct fx_packed, c);
		BITS(l, p, struct fx_packed, e);
		MEMBER(l, p, struct fx_packed, a);
		MEMBER(l, p, struct fx_packed, d);
	}
}

static const struct vd_type *
member_type(const struct vd_type *t, const char *path, unsigned *quals)
{
	struct vd_member_info m;
	struct vd_error *err = vd_type_member(t, path, &m);

	if (err) {
		fprintf(stderr, "%s: %s\n", path, err->msg);
		vd_error_destroy(err);
		return NULL;
	}
	if (quals)
		*quals = m.type.qualifiers;
	return m.type.type;
}

#define LENGTH(a) (sizeof(a) / sizeof((a)[0]))

TEST(arrays)
{
	struct fx_task x;

	for (size_t i = 0; i < nsources; i++) {
		const struct vd_type *t = find(sources[i], VD_TYPE_STRUCT, "fx_task"), *a;

		if (!t)
			continue;
		a = member_type(t, "comm", NULL);
		CHECK(a && a->kind == VD_TYPE_ARRAY && a->length == LENGTH(x.comm));
		CHECK(a && vd_type_unqualified(a->target.type)->is_char);
		a = member_type(t, "matrix", NULL);
		CHECK(a && a->kind == VD_TYPE_ARRAY && a->size == sizeof(x.matrix));
		if (i >= ndwarf) {
			// pahole 1.24 writes int[3][5] as int[15] in BTF.
			CHECK(a && a->length == LENGTH(x.matrix) * LENGTH(x.matrix[0]));
		} else {
			CHECK(a && a->length == LENGTH(x.matrix));
			a = a ? a->target.type : NULL;
			CHECK(a && a->kind == VD_TYPE_ARRAY &&
			      a->length == LENGTH(x.matrix[0]));
		}
		a = member_type(t, "argv", NULL);
		CHECK(a && a->length == LENGTH(x.argv) &&
		      a->target.type->kind == VD_TYPE_POINTER);
		a = member_type(t, "per_cpu", NULL);
		CHECK(a && a->kind == VD_TYPE_ARRAY && a->length == LENGTH(x.per_cpu) &&
		      a->size == sizeof(x.per_cpu));
		a = member_type(t, "zero", NULL);
		CHECK(a && a->kind == VD_TYPE_ARRAY && a->length == 0 && a->size == 0);
		a = member_type(t, "tail", NULL);
		CHECK(a && a->kind == VD_TYPE_ARRAY && a->length == 0 && a->size == 0);
	}
}

struct want_enum {
	const char *name;
	int64_t value;
};

static void
check_enum(size_t i, const char *name, bool is_signed, uint64_t size,
	   const struct want_enum *want, size_t n)
{
	const struct vd_type *t = find(sources[i], VD_TYPE_ENUM, name);

	CHECK(t && t->kind == VD_TYPE_ENUM && t->nenumerators == n);
	if (!t || t->nenumerators != n)
		return;
	CHECK_EQ_U64(t->size, size);
	if (t->is_signed != is_signed)
		fprintf(stderr, "%s: enum %s: signed %d\n", labels[i], name, t->is_signed);
	CHECK(t->is_signed == is_signed);
	for (size_t k = 0; k < n; k++) {
		CHECK_STR(t->enumerators[k].name, want[k].name);
		if (t->enumerators[k].value != want[k].value)
			fprintf(stderr, "%s: %s = %lld, compiler: %lld\n", labels[i],
				want[k].name, (long long)t->enumerators[k].value,
				(long long)want[k].value);
		CHECK_EQ_U64(t->enumerators[k].value, want[k].value);
	}
}

#define E(x) { #x, (int64_t)(x) }

TEST(enums_with_negative_and_wide_values)
{
	static const struct want_enum color[] = { E(FX_RED), E(FX_GREEN), E(FX_BLUE) };
	static const struct want_enum neg[] = { E(FX_NEG_MIN), E(FX_NEG_M1), E(FX_NEG_ZERO),
						E(FX_NEG_200), E(FX_NEG_MAX) };
	static const struct want_enum wide[] = { E(FX_WIDE_ONE), E(FX_WIDE_BIG) };
	static const struct want_enum bytes[] = { E(FX_B0), E(FX_B255), E(FX_B256) };

	for (size_t i = 0; i < nsources; i++) {
		check_enum(i, "fx_color", false, sizeof(enum fx_color), color, 3);
		check_enum(i, "fx_neg", true, sizeof(enum fx_neg), neg, 5);
		check_enum(i, "fx_wide", false, sizeof(enum fx_wide), wide, 2);
		check_enum(i, "fx_byte_vals", false, sizeof(enum fx_byte_vals), bytes, 3);
	}
}

/*
 * An enumerator answers its enum and value (whatis PIDTYPE_PID), from every
 * source: DWARF (the one-pass index, built in memory for these files) and
 * BTF.  The values are the compiler's.
 */
TEST(enumerators_by_name)
{
	static const struct {
		struct want_enum e;
		const char *tag;
	} want[] = {
		{ E(FX_GREEN), "fx_color" }, { E(FX_RED), "fx_color" },
		{ E(FX_NEG_M1), "fx_neg" }, { E(FX_NEG_MIN), "fx_neg" },
		{ E(FX_WIDE_BIG), "fx_wide" }, { E(FX_B256), "fx_byte_vals" },
	};

	for (size_t i = 0; i < nsources; i++) {
		struct vd_type_source *src = sources[i];
		struct vd_qualified_type qt;
		struct vd_error *err;
		int64_t v = 0;

		CHECK(src->find_enumerator != NULL);
		if (!src->find_enumerator)
			continue;
		for (size_t k = 0; k < VD_ARRAY_SIZE(want); k++) {
			qt = (struct vd_qualified_type){ NULL, 0 };
			err = src->find_enumerator(src, want[k].e.name, &qt, &v);
			if (err) {
				fprintf(stderr, "%s: %s: %s\n", labels[i], want[k].e.name, err->msg);
				vd_error_destroy(err);
				CHECK(false);
				continue;
			}
			CHECK(qt.type && qt.type->kind == VD_TYPE_ENUM);
			CHECK(qt.type && qt.type->name && !strcmp(qt.type->name, want[k].tag));
			CHECK(v == want[k].e.value);
		}
		err = src->find_enumerator(src, "FX_NO_SUCH_ENUMERATOR", &qt, &v);
		CHECK(err && err->code == VD_ERR_LOOKUP);
		vd_error_destroy(err);
	}
}

TEST(typedefs_and_function_types)
{
	for (size_t i = 0; i < nsources; i++) {
		const struct vd_type *t = find(sources[i], VD_TYPE_TYPEDEF, "fx_pgd_t"), *u, *fn;
		const struct vd_type *task = find(sources[i], VD_TYPE_STRUCT, "fx_task");

		CHECK(t && t->kind == VD_TYPE_TYPEDEF && t->size == sizeof(fx_pgd_t));
		u = vd_type_unqualified(t);
		CHECK(u && u->kind == VD_TYPE_STRUCT && !u->name && u->nmembers == 1);
		t = find(sources[i], VD_TYPE_TYPEDEF, "fx_ulong2");
		CHECK(t && t->target.type->kind == VD_TYPE_TYPEDEF);
		CHECK(t && size_of(t) == sizeof(fx_ulong2) && !vd_type_unqualified(t)->is_signed);
		t = find(sources[i], VD_TYPE_TYPEDEF, "fx_callback_t");
		u = vd_type_unqualified(t);
		CHECK(u && u->kind == VD_TYPE_POINTER && u->size == sizeof(fx_callback_t));
		fn = u ? u->target.type : NULL;
		CHECK(fn && fn->kind == VD_TYPE_FUNCTION && fn->nmembers == 2 && fn->variadic);
		CHECK(fn && size_of(fn->target.type) == sizeof(int));
		CHECK(fn && fn->nmembers == 2 &&
		      fn->members[1].type.type->kind == VD_TYPE_POINTER &&
		      fn->members[1].type.type->target.qualifiers == VD_QUAL_CONST);
		if (!task)
			continue;
		u = member_type(task, "handler", NULL);
		fn = u && u->kind == VD_TYPE_POINTER ? u->target.type : NULL;
		CHECK(fn && fn->kind == VD_TYPE_FUNCTION && fn->nmembers == 2 && !fn->variadic);
		CHECK(fn && fn->target.type->kind == VD_TYPE_VOID);
		// The parameter's struct fx_task is the very type found by name.
		CHECK(fn && fn->nmembers == 2 &&
		      vd_type_unqualified(fn->members[1].type.type->target.type) == task);
	}
}

TEST(qualifiers_and_declarations)
{
	for (size_t i = 0; i < nsources; i++) {
		const struct vd_type *t = find(sources[i], VD_TYPE_STRUCT, "fx_task"), *m;
		unsigned q = 0;

		if (!t)
			continue;
		m = member_type(t, "state", &q);
		CHECK(m && q == VD_QUAL_VOLATILE && m->is_signed);
		m = member_type(t, "cvp", &q);
		CHECK(m && m->kind == VD_TYPE_POINTER && q == 0 &&
		      m->target.qualifiers == (VD_QUAL_CONST | VD_QUAL_VOLATILE));
		m = member_type(t, "rp", &q);
		// Strict DWARF 2 has no DW_TAG_restrict_type (DWARF 3 added it).
		CHECK(m && m->kind == VD_TYPE_POINTER &&
		      q == (strstr(labels[i], "dwarf2") ? 0 : VD_QUAL_RESTRICT));
		m = member_type(t, "name", &q);
		CHECK(m && m->target.qualifiers == VD_QUAL_CONST &&
		      m->target.type->is_char);
		// Declared, never defined: an incomplete struct, not an error.
		m = member_type(t, "opaque", &q);
		CHECK(m && m->kind == VD_TYPE_POINTER && m->target.type->kind == VD_TYPE_STRUCT &&
		      !m->target.type->complete && m->target.type->name &&
		      !strcmp(m->target.type->name, "fx_opaque"));
		m = member_type(t, "parent", &q);
		CHECK(m && m->target.type == t);
	}
}

TEST(base_types)
{
	static const struct {
		const char *name;
		enum vd_type_kind kind;
		uint64_t size;
		bool is_signed, is_char, is_bool;
	} want[] = {
		{ "int", VD_TYPE_INT, sizeof(int), true, false, false },
		{ "unsigned long", VD_TYPE_INT, sizeof(unsigned long), false, false, false },
		{ "long unsigned int", VD_TYPE_INT, sizeof(unsigned long), false, false, false },
		{ "long long", VD_TYPE_INT, sizeof(long long), true, false, false },
		{ "unsigned char", VD_TYPE_INT, 1, false, true, false },
		{ "signed char", VD_TYPE_INT, 1, true, true, false },
		{ "_Bool", VD_TYPE_INT, sizeof(_Bool), false, false, true },
		{ "double", VD_TYPE_FLOAT, sizeof(double), false, false, false },
		{ "float", VD_TYPE_FLOAT, sizeof(float), false, false, false },
	};

	for (size_t i = 0; i < nsources; i++)
		for (size_t k = 0; k < VD_ARRAY_SIZE(want); k++) {
			const struct vd_type *t = find(sources[i], want[k].kind, want[k].name);

			CHECK(t && t->kind == want[k].kind && t->size == want[k].size);
			if (!t)
				continue;
			if (want[k].kind == VD_TYPE_INT)
				CHECK(t->is_signed == want[k].is_signed &&
				      t->is_char == want[k].is_char &&
				      t->is_bool == want[k].is_bool);
		}
}

TEST(lookups_that_fail)
{
	for (size_t i = 0; i < nsources; i++) {
		struct vd_qualified_type qt;

		CHECK_ERR(sources[i]->find(sources[i], VD_TYPE_STRUCT, "fx_nope", &qt),
			  VD_ERR_LOOKUP);
		CHECK_ERR(sources[i]->find(sources[i], VD_TYPE_UNION, "fx_task", &qt),
			  VD_ERR_LOOKUP);
		CHECK_ERR(sources[i]->find(sources[i], VD_TYPE_INT, "double", &qt),
			  VD_ERR_LOOKUP);
	}
}

/* A first question about a base type, in a fresh source (no unit read). */
TEST(dwarf_base_type_first)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/types_fixture-dwarf5", VD_FIXTURE_DIR);
	for (int k = 0; k < 2; k++) {
		struct vd_type_source *src;
		struct vd_qualified_type qt = { NULL, 0 };

		CHECK_OK(vd_dwarf_source_from_file(path, &src));
		CHECK_OK(src->find(src, VD_TYPE_INT, k ? "long unsigned int" : "unsigned long",
				   &qt));
		CHECK(qt.type && qt.type->size == sizeof(unsigned long) && !qt.type->is_signed);
		src->destroy(src);
	}
}

/* DWARF only: variables, functions, and bare names in one scan. */
TEST(dwarf_objects_and_bare_names)
{
	for (size_t i = 0; i < ndwarf; i++) {
		struct vd_type_source *s = sources[i];
		struct vd_qualified_type qt = { NULL, 0 };
		const struct vd_type *t;

		CHECK_OK(s->find_object(s, "fx_task_var", &qt));
		CHECK(qt.type == find(s, VD_TYPE_STRUCT, "fx_task"));
		CHECK_OK(s->find_object(s, "fx_matrix_var", &qt));
		CHECK(qt.type && qt.type->size == sizeof(fx_matrix_var) &&
		      qt.type->length == LENGTH(fx_matrix_var));
		CHECK_OK(s->find_object(s, "fx_static_var", &qt));
		CHECK(qt.type && qt.type->size == sizeof(long));
		CHECK_OK(s->find_object(s, "fx_function", &qt));
		t = qt.type;
		CHECK(t && t->kind == VD_TYPE_FUNCTION && t->nmembers == 2 &&
		      t->members[0].name && !strcmp(t->members[0].name, "count"));
		CHECK_ERR(s->find_object(s, "fx_no_such_var", &qt), VD_ERR_LOOKUP);
		CHECK_OK(s->find_object(s, "fx_sized_buf", &qt));
		CHECK(qt.type && qt.type->kind == VD_TYPE_ARRAY &&
		      qt.type->length == FX_SIZED_BUF_LEN);
		CHECK_OK(s->find_bare(s, "fx_task", &qt));
		CHECK(qt.type && qt.type->kind == VD_TYPE_STRUCT);
		CHECK_OK(s->find_bare(s, "fx_pgd_t", &qt));
		CHECK(qt.type && qt.type->kind == VD_TYPE_TYPEDEF);
		CHECK_OK(s->find_bare(s, "fx_union", &qt));
		CHECK(qt.type && qt.type->kind == VD_TYPE_UNION);
		CHECK_OK(s->find_bare(s, "fx_color", &qt));
		CHECK(qt.type && qt.type->kind == VD_TYPE_ENUM);
		CHECK_ERR(s->find_bare(s, "fx_task_var", &qt), VD_ERR_LOOKUP);
	}
}

/*
 * Where a variable is, from its DW_AT_location (DW_OP_addr), in the linked
 * fixtures: the address the ELF symbol table gives it, for a static and
 * for a definition that completes an extern declaration.  A function and an
 * unknown name have none.  (The relocatable ones hold section offsets.)
 */
TEST(dwarf_object_addresses)
{
	static const char *const vars[] = { "fx_static_var", "fx_sized_buf" };

	for (size_t i = 0; i < ndwarf; i++) {
		struct vd_type_source *s = sources[i];
		char path[512], id[65];
		struct vd_symtab st;
		uint64_t addr;

		if (strstr(labels[i], ".o"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", VD_FIXTURE_DIR, labels[i]);
		CHECK_OK(vd_symtab_load_elf(path, 0, NULL, id, &st));
		for (size_t k = 0; k < VD_ARRAY_SIZE(vars); k++) {
			const struct vd_symbol *sym = vd_symtab_by_name(&st, vars[k]);

			addr = 0;
			CHECK(sym != NULL);
			CHECK_OK(s->find_object_address(s, vars[k], &addr));
			CHECK(sym && addr && addr == sym->addr);
		}
		CHECK_ERR(s->find_object_address(s, "fx_function", &addr), VD_ERR_LOOKUP);
		CHECK_ERR(s->find_object_address(s, "fx_no_such_var", &addr), VD_ERR_LOOKUP);
		vd_symtab_deinit(&st);
	}
}

/* A module's split BTF ---------------------------------------------------- */

TEST(module_split_btf)
{
	struct vd_type_source *base = NULL, *mod, *bad;
	struct vd_qualified_type qt = { NULL, 0 };
	const struct vd_type *t, *list;
	unsigned char *blob;
	char path[512];
	size_t size;

	for (size_t i = ndwarf; i < nsources; i++)
		base = sources[i];
	snprintf(path, sizeof(path), "%s/types_module.btf", VD_FIXTURE_DIR);
	blob = base ? read_file(path, &size) : NULL;
	if (!blob)
		return;                   // no pahole: main() reports the skip
	CHECK_OK(vd_btf_source_split(base, "fxmod", blob, size, 0, 0, &mod));
	t = find(mod, VD_TYPE_STRUCT, "fxm_dev");
	CHECK(t && t->size == sizeof(struct fxm_dev) && t->module && !strcmp(t->module, "fxmod"));
	if (t) {
		MEMBER("split BTF", t, struct fxm_dev, node);
		MEMBER("split BTF", t, struct fxm_dev, owner);
		MEMBER("split BTF", t, struct fxm_dev, color);
		MEMBER("split BTF", t, struct fxm_dev, name);
		MEMBER("split BTF", t, struct fxm_dev, peer);
		MEMBER("split BTF", t, struct fxm_dev, flags);
		MEMBER("split BTF", t, struct fxm_dev, un.halves.hi);
		// The fixture's types are the base source's, converted once.
		list = find(base, VD_TYPE_STRUCT, "fx_list");
		CHECK(list && !list->module && t->nmembers > 0 && t->members[0].type.type == list);
		CHECK(t->nmembers > 6 && t->members[6].type.type->target.type == t);
	}
	if (t) {
		BITS("split BTF", t, struct fxm_dev, id);
		BITS("split BTF", t, struct fxm_dev, busy);
	}
	// A type of its own whose name lies in the base's strings (not in the
	// module's: a lookup may not skip a module whose strings lack the name).
	CHECK(!memmem(blob, size, "flags", sizeof("flags")));
	t = find(mod, VD_TYPE_STRUCT, "flags");
	CHECK(t && t->size == sizeof(struct flags) && t->module && !strcmp(t->module, "fxmod"));
	if (t) {
		MEMBER("split BTF", t, struct flags, fxm_mask);
		MEMBER("split BTF", t, struct flags, fxm_dev);
		CHECK(t->nmembers == 2 && t->members[1].type.type->target.type ==
					  find(mod, VD_TYPE_STRUCT, "fxm_dev"));
	}
	CHECK_ERR(base->find(base, VD_TYPE_STRUCT, "flags", &qt), VD_ERR_LOOKUP);
	// Only its own types: the fixture's are the base's to answer.
	CHECK_ERR(mod->find(mod, VD_TYPE_STRUCT, "fx_task", &qt), VD_ERR_LOOKUP);
	CHECK_ERR(mod->find(mod, VD_TYPE_INT, "int", &qt), VD_ERR_LOOKUP);
	CHECK_ERR(mod->find(mod, VD_TYPE_STRUCT, "fxm_nothing", &qt), VD_ERR_LOOKUP);
	// Where the kernel says the module's types start must be the base's end.
	CHECK_ERR(vd_btf_source_split(base, "fxmod", blob, size, 3, 0, &bad), VD_ERR_CORRUPT);
	// A split blob over no BTF source, and cut short: refused, never read past.
	CHECK_ERR(vd_btf_source_split(mod, "fxmod", blob, size, 0, 0, &bad), VD_ERR_INVALID_ARG);
	for (size_t cut = 0; cut < size; cut += size / 31 + 1) {
		struct vd_error *err = vd_btf_source_split(base, "cut", blob, cut, 0, 0, &bad);

		CHECK(err != NULL);
		vd_error_destroy(err);
	}
	mod->destroy(mod);
	free(blob);
}

/* The name filter (dwarf/dwarf_units.c) ---------------------------------- */

static uint64_t
lcg(uint64_t *rng)
{
	*rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
	return *rng >> 33;
}

/* Where name inline or one of encs[n] starts at or after pos, by brute force. */
static uint64_t
naive_next(const struct vd_dwarf_units *us, const char *name, unsigned char (*encs)[4],
	   size_t n, uint64_t pos)
{
	static bool first[256][256];   // the 2 bytes a needle starts with
	size_t len = strlen(name) + 1;

	memset(first, 0, sizeof(first));
	first[(unsigned char)name[0]][(unsigned char)name[1]] = true;
	for (size_t i = 0; i < n; i++)
		first[encs[i][0]][encs[i][1]] = true;
	for (uint64_t p = pos; p < us->size; p++) {
		if (p + 1 == us->size || !first[us->info[p]][us->info[p + 1]])
			continue;
		if (us->size - p >= len && !memcmp(us->info + p, name, len))
			return p;
		for (size_t i = 0; i < n && us->size - p >= 4; i++)
			if (!memcmp(us->info + p, encs[i], 4))
				return p;
	}
	return us->size;
}

/*
 * A .debug_str of digit strings, and name ("\0name\0", and as the tail of
 * longer strings) at known offsets; a .debug_info of bytes that spell no
 * name, with those offsets and name planted: at random (dense), or only
 * across the 1 MiB search chunks and at the very end.  Every answer must
 * be the brute-force one, asked again or not.
 */
static void
check_needles(const char *name, bool be, bool dense, uint64_t *rng)
{
	enum { STR = 70000, INFO = (2u << 20) + 4321, OCC = 40, MIB = 1u << 20 };
	static unsigned char str[STR], info[INFO];
	unsigned char encs[OCC][4];
	size_t len = strlen(name) + 1, n = 0, at = 0;
	struct vd_dwarf_units us = { .info = info, .size = INFO, .str = str, .str_size = STR,
				  .big_endian = be, .strp_only = true };
	struct vd_dwarf_needles nd;
	uint64_t pos = 0;
	unsigned asked = 0;

	while (at + 40 + len < STR) {
		size_t digits = lcg(rng) % 12;

		for (size_t i = 0; i < digits; i++)
			str[at++] = (unsigned char)('0' + lcg(rng) % 10);
		if (n < OCC && lcg(rng) % 50 == 0) {
			if (lcg(rng) % 2)
				str[at++] = 'x';    // a tail: "123xname"
			else if (digits)
				str[at++] = 0;
			vd_put32(encs[n++], (uint32_t)at, be);
			memcpy(str + at, name, len);
			at += len;
		} else {
			str[at++] = 0;
		}
	}
	memset(str + at, 0, STR - at);
	CHECK(n > 1);
	if (n < 2)
		return;
	for (size_t i = 0; i < INFO; i++) {
		unsigned b = (unsigned)(lcg(rng) >> 8);

		info[i] = b & 1 ? 0 : (unsigned char)(0x80 | b >> 1);
	}
	for (size_t k = 0; dense && k < 60; k++) {
		size_t where = lcg(rng) % (INFO - 16);

		if (k % 2)
			memcpy(info + where, name, len);
		else
			memcpy(info + where, encs[lcg(rng) % n], 4);
	}
	memcpy(info + MIB - 1, name, len);
	memcpy(info + 2 * MIB - 2, encs[0], 4);
	if (dense)
		memcpy(info + INFO - 4, encs[1], 4);
	else
		memcpy(info + INFO - len, name, len);
	CHECK(vd_dwarf_needles_make(&us, name, &nd));
	CHECK_EQ_U64(nd.noffs, n);
	while (pos < INFO && asked++ < 200) {
		uint64_t want = naive_next(&us, name, encs, n, pos);
		uint64_t skip = lcg(rng) % 4 ? 3000 : 700000;   // to a unit's end

		CHECK_EQ_U64(vd_dwarf_needles_next(&us, &nd, pos), want);
		CHECK_EQ_U64(vd_dwarf_needles_next(&us, &nd, pos), want);   // remembered
		pos = want + 1 + lcg(rng) % skip;
	}
	vd_dwarf_needles_deinit(&nd);
	// Names it cannot filter for: every unit is read instead.
	us.strp_only = false;
	CHECK(!vd_dwarf_needles_make(&us, name, &nd));
	vd_dwarf_needles_deinit(&nd);
}

TEST(name_filter_finds_what_brute_force_does)
{
	static const char *const names[] = { "q", "rq", "abc", "vmap_area" };
	static unsigned char many[3 * 3000];
	struct vd_dwarf_units us = { .info = many, .size = sizeof(many), .str = many,
				  .str_size = sizeof(many), .strp_only = true };
	uint64_t rng = 0x2545f4914f6cdd1dull;
	struct vd_dwarf_needles nd;

	for (size_t i = 0; i < 4 * VD_ARRAY_SIZE(names); i++)
		check_needles(names[i / 4], i & 1, i & 2, &rng);
	// A name in thousands of strings: too many to search for.
	for (size_t i = 0; i < sizeof(many); i += 3)
		memcpy(many + i, "ab", 3);
	CHECK(!vd_dwarf_needles_make(&us, "ab", &nd));
	vd_dwarf_needles_deinit(&nd);
}

/* Hostile files ------------------------------------------------------------ */

static char *
write_temp(const void *data, size_t size)
{
	char *path = strdup("/tmp/vd-types-XXXXXX");
	int fd = path ? mkstemp(path) : -1;

	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

/* Open path as DWARF and ask everything; any error is fine. */
static void
poke(const char *path)
{
	static const char *const names[] = { "fx_task", "fx_bits", "fx_packed", "fx_union",
					     "fx_neg", "fx_pgd_t", "fx_callback_t", "int" };
	struct vd_type_source *src;
	struct vd_qualified_type qt;
	struct vd_error *err = vd_dwarf_source_from_file(path, &src);

	if (err) {
		vd_error_destroy(err);
		return;
	}
	for (size_t k = 0; k < VD_ARRAY_SIZE(names); k++) {
		for (enum vd_type_kind kind = VD_TYPE_INT; kind <= VD_TYPE_TYPEDEF; kind++)
			vd_error_destroy(src->find(src, kind, names[k], &qt));
		vd_error_destroy(src->find_bare(src, names[k], &qt));
	}
	vd_error_destroy(src->find_object(src, "fx_task_var", &qt));
	vd_error_destroy(src->find_object(src, "fx_function", &qt));
	src->destroy(src);
}

TEST(not_elf_no_dwarf_truncated)
{
	struct vd_type_source *src;
	char path[512];
	size_t size;
	unsigned char *data;

	snprintf(path, sizeof(path), "%s/types_fixture-dwarf5", VD_FIXTURE_DIR);
	data = read_file(path, &size);
	CHECK(data != NULL);
	if (!data)
		return;
	CHECK_ERR(vd_dwarf_source_from_file("/nonexistent/vmlinux", &src), VD_ERR_OS);
	{
		char *p = write_temp("not an ELF file\n", 16);

		CHECK(p != NULL);
		CHECK_ERR(vd_dwarf_source_from_file(p, &src), VD_ERR_INVALID_ARG);
		unlink(p);
		free(p);
	}
	// Every prefix length in coarse steps: fails cleanly or reads less.
	for (size_t cut = 0; cut < size; cut += size / 97 + 1) {
		char *p = write_temp(data, cut);

		if (p) {
			poke(p);
			unlink(p);
			free(p);
		}
	}
	free(data);
}

/* [start, end) of a section in an ELF image, via libelf. */
static bool
section_range(const void *data, size_t size, const char *name, size_t *start, size_t *len)
{
	Elf *elf;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	bool found = false;

	elf_version(EV_CURRENT);
	elf = elf_memory((char *)data, size);
	if (!elf || elf_getshdrstrndx(elf, &shstrndx))
		return false;
	while (!found && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *n;

		if (gelf_getshdr(scn, &sh) && (n = elf_strptr(elf, shstrndx, sh.sh_name)) &&
		    !strcmp(n, name) && sh.sh_offset + sh.sh_size <= size) {
			*start = sh.sh_offset;
			*len = sh.sh_size;
			found = true;
		}
	}
	elf_end(elf);
	return found;
}

TEST(corrupted_dwarf_never_crashes)
{
	static const char *const sections[] = { ".debug_info", ".debug_abbrev", ".debug_str" };
	static const char *const rel_sections[] = { ".rela.debug_info", ".symtab",
						    ".rela.debug_str_offsets" };
	static const char *const files[] = { "dwarf2", "dwarf4", "dwarf5", "rel5.o" };
	const char *env = getenv("VD_TYPES_FUZZ_ITERS");   // more, by hand
	int iters = env ? atoi(env) : 150;
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	char path[512];
	size_t size;

	for (size_t v = 0; v < VD_ARRAY_SIZE(files); v++) {
		// The relocatable object: its relocations and symbols too.
		const char *const *secs = v == 3 && (rng & 1) ? rel_sections : sections;
		unsigned char *data, *copy;

		snprintf(path, sizeof(path), "%s/types_fixture-%s", VD_FIXTURE_DIR, files[v]);
		data = read_file(path, &size);
		copy = data ? malloc(size) : NULL;
		CHECK(copy != NULL);
		for (int iter = 0; copy && iter < iters; iter++) {
			size_t start, len;
			char *p;

			memcpy(copy, data, size);
			if (v == 3)
				secs = iter & 1 ? rel_sections : sections;
			if (!section_range(copy, size, secs[iter % 3], &start, &len) || !len)
				continue;
			for (int k = 0; k < 1 + iter % 8; k++) {
				rng = rng * 6364136223846793005ull + 1442695040888963407ull;
				copy[start + (rng >> 33) % len] ^= (unsigned char)(1 + (rng >> 20) % 255);
			}
			p = write_temp(copy, size);
			if (p) {
				poke(p);
				unlink(p);
				free(p);
			}
		}
		free(copy);
		free(data);
	}
}

int
main(void)
{
	int ret = RUN_TESTS();

	for (size_t i = 0; i < nsources; i++)
		sources[i]->destroy(sources[i]);
	if (!ret && !have_btf) {
		printf("skip: no BTF fixture (install pahole): DWARF checks passed\n");
		return 77;
	}
	return ret;
}
