// SPDX-License-Identifier: MIT
/*
 * vmdive struct / whatis: type layouts (like crash `struct -o` and
 * pahole), and values of a struct at an address (like crash `struct T ADDR`).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/util.h"
#include "vmdive/ctype.h"

/* Output bounds for huge or hostile types. */
#define SHOW_DEPTH_MAX 12
/*
 * Lines (members, elements) one command prints at most.  BTF from a dump
 * may nest a struct in itself, or one type many times per level: depth
 * alone bounds the output only exponentially.
 */
#define SHOW_NODES_MAX (1u << 20)
static size_t show_nodes;

/* Count one more line; false once the budget is spent. */
static bool
show_node(void)
{
	return show_nodes < SHOW_NODES_MAX && ++show_nodes;
}
#define SHOW_ARRAY_MAX 200     /* gdb's "print elements" */
#define OBJECT_MAX (16u << 20)

static const char *
tag_word(const struct vd_type *t)
{
	return t->kind == VD_TYPE_UNION ? "union" : t->kind == VD_TYPE_ENUM ? "enum" :
	       "struct";
}

/* Where a type's description came from: "the BTF of module loop", or the session's source. */
static const char *
origin(struct vd_cli *cli, const struct vd_type *t, char *buf, size_t size)
{
	if (!t || !t->module)
		return vd_session_type_source(cli->session);
	snprintf(buf, size, "the %s of module %s", t->source, t->module);
	return buf;
}

/* Layout ------------------------------------------------------------------ */

/*
 * "[offset]", or with at (struct -o ADDR, as crash) the member's address
 * "[ffff...]" (":bit" after either for a bit field).
 */
static void
print_offset(uint64_t bit_offset, uint32_t bit_size, const uint64_t *at)
{
	char off[48];

	if (at) {
		if (bit_size)
			snprintf(off, sizeof(off), "[%" PRIx64 ":%" PRIu64 "]",
				 *at + bit_offset / 8, bit_offset % 8);
		else
			snprintf(off, sizeof(off), "[%" PRIx64 "]", *at + bit_offset / 8);
		printf("%20s ", off);
		return;
	}
	if (bit_size)
		snprintf(off, sizeof(off), "[%" PRIu64 ":%" PRIu64 "]", bit_offset / 8,
			 bit_offset % 8);
	else
		snprintf(off, sizeof(off), "[%" PRIu64 "]", bit_offset / 8);
	printf("%10s ", off);
}

static void
layout_text(const struct vd_type *t, uint64_t base, int depth, const uint64_t *at)
{
	int w = at ? 20 : 10;

	vd_type_fill(t);
	for (size_t i = 0; i < t->nmembers; i++) {
		const struct vd_member *m = &t->members[i];
		const struct vd_type *mt = vd_type_unqualified(m->type.type);
		char decl[512];

		if (!show_node()) {
			printf("%*s %*s... (more than %u lines)\n", w, "", depth * 4, "",
			       SHOW_NODES_MAX);
			return;
		}
		if (!m->name && mt && (mt->kind == VD_TYPE_STRUCT || mt->kind == VD_TYPE_UNION) &&
		    depth < SHOW_DEPTH_MAX) {
			// crash prints no offset on the line that opens an
			// anonymous struct/union; its members carry theirs.
			printf("%*s %*s%s {\n", w, "", depth * 4, "", tag_word(mt));
			layout_text(mt, base + m->bit_offset, depth + 1, at);
			printf("%*s %*s};\n", w, "", depth * 4, "");
			continue;
		}
		vd_type_format_decl(m->type, m->name, decl, sizeof(decl));
		print_offset(base + m->bit_offset, m->bit_field_size, at);
		if (m->bit_field_size)
			printf("%*s%s:%u;\n", depth * 4, "", decl, m->bit_field_size);
		else
			printf("%*s%s;\n", depth * 4, "", decl);
	}
}

static void
layout_json(struct vd_json *j, const struct vd_type *t, uint64_t base, int depth,
	    const uint64_t *at)
{
	vd_type_fill(t);
	vd_json_key(j, "members");
	vd_json_begin_array(j);
	for (size_t i = 0; i < t->nmembers; i++) {
		const struct vd_member *m = &t->members[i];
		const struct vd_type *mt = vd_type_unqualified(m->type.type);
		char type[512];

		if (!show_node())
			break;
		vd_type_format(m->type, type, sizeof(type));
		vd_json_begin_object(j);
		vd_json_kv_string(j, "name", m->name);
		vd_json_kv_string(j, "type", type);
		vd_json_kv_uint(j, "offset", (base + m->bit_offset) / 8);
		vd_json_kv_uint(j, "bit_offset", base + m->bit_offset);
		vd_json_kv_uint(j, "bit_size", m->bit_field_size);
		vd_json_kv_uint(j, "size", mt ? mt->size : 0);
		if (at)
			vd_json_kv_hex(j, "address", *at + (base + m->bit_offset) / 8);
		if (!m->name && mt && (mt->kind == VD_TYPE_STRUCT || mt->kind == VD_TYPE_UNION) &&
		    depth < SHOW_DEPTH_MAX)
			layout_json(j, mt, base + m->bit_offset, depth + 1, at);
		vd_json_end_object(j);
	}
	vd_json_end_array(j);
}

/* Values ------------------------------------------------------------------- */

struct show {
	struct vd_cli *cli;
	const unsigned char *buf;      /* the object's bytes */
	uint64_t addr, len;
	bool be;
	bool hex;                      /* integers in hex (-x) */
};

static bool
get_uint(const struct show *sh, uint64_t bit_off, uint64_t size, uint32_t bits,
	 uint64_t *ret)
{
	uint64_t off = bit_off / 8, v = 0;

	if (bits) {
		uint64_t nbytes = (bit_off % 8 + bits + 7) / 8;

		if (!vd_range_ok(off, nbytes, sh->len) || nbytes > 8 || sh->be)
			return false;
		for (uint64_t i = 0; i < nbytes; i++)
			v |= (uint64_t)sh->buf[off + i] << (8 * i);
		v >>= bit_off % 8;
		*ret = bits < 64 ? v & ((1ull << bits) - 1) : v;
		return true;
	}
	if (!vd_range_ok(off, size, sh->len))
		return false;
	switch (size) {
	case 1: v = sh->buf[off]; break;
	case 2: v = vd_get16(sh->buf + off, sh->be); break;
	case 4: v = vd_get32(sh->buf + off, sh->be); break;
	case 8: v = vd_get64(sh->buf + off, sh->be); break;
	default: return false;
	}
	*ret = v;
	return true;
}

static void show_value(const struct show *sh, struct vd_qualified_type qt,
		       uint64_t bit_off, uint32_t bits, int depth);

static void
put_escaped(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			printf("\\n");
		else if (c >= 0x20 && c < 0x7f)
			putchar(c);
		else
			printf("\\%03o", c);
	}
}

/* A char *'s string, gdb style: ' "text"', at most 256 bytes. */
static void
show_c_string(struct vd_cli *cli, uint64_t addr)
{
	unsigned char buf[256];
	size_t got = 0, n;
	struct vd_error *err;
	struct vd_expr_env env;

	vd_cli_expr_env(cli, VD_EXPR_VALUE, &env);
	err = vd_session_read(cli->session, env.as, addr, buf, sizeof(buf), &got);
	vd_error_destroy(err);
	for (n = 0; n < got && buf[n]; n++)
		;
	if (!got) {
		printf(" <unreadable>");
		return;
	}
	printf(" \"");
	put_escaped(buf, n);
	printf("\"%s", n == got && got == sizeof(buf) ? "..." : "");
}

static void
show_scalar(const struct show *sh, const struct vd_type *t, uint64_t bit_off,
	    uint32_t bits)
{
	uint64_t v;
	char sym[256];

	if (!get_uint(sh, bit_off, t->size, bits, &v)) {
		printf("<unreadable>");
		return;
	}
	if (t->kind == VD_TYPE_POINTER) {
		const struct vd_type *target = vd_type_unqualified(t->target.type);

		printf("0x%" PRIx64, v);
		// A char *'s string, as gdb; other pointers' symbol.
		if (v && target && target->kind == VD_TYPE_INT && target->is_char &&
		    target->size == 1) {
			show_c_string(sh->cli, v);
			return;
		}
		vd_cli_symbolize(sh->cli, v, sym, sizeof(sym));
		if (*sym)
			printf(" <%s>", sym);
		return;
	}
	if (t->kind == VD_TYPE_ENUM) {
		for (size_t i = 0; i < t->nenumerators; i++)
			if ((uint64_t)t->enumerators[i].value == v) {
				printf("%s", t->enumerators[i].name);
				return;
			}
	}
	if (t->is_bool) {
		printf("%s", v ? "true" : "false");
		return;
	}
	if (sh->hex) {
		printf("0x%" PRIx64, v);
		return;
	}
	if (t->is_signed) {
		unsigned nb = bits ? bits : (unsigned)t->size * 8;

		if (nb < 64 && (v >> (nb - 1)) & 1)
			v |= ~0ull << nb;
		printf("%" PRId64, (int64_t)v);
		return;
	}
	printf("%" PRIu64, v);
}

static void
show_chars(const struct show *sh, uint64_t off, uint64_t n)
{
	uint64_t end = n;

	// Like gdb: the string up to its NUL, then the run of NULs shown.
	while (end && off + end <= sh->len && sh->buf[off + end - 1] == 0)
		end--;
	if (off >= sh->len)
		end = 0;
	else if (end > sh->len - off)
		end = sh->len - off;
	putchar('"');
	put_escaped(sh->buf + off, end);
	putchar('"');
}

static void
show_aggregate(const struct show *sh, const struct vd_type *t, uint64_t bit_off,
	       int depth)
{
	if (depth >= SHOW_DEPTH_MAX) {
		printf("{...}");
		return;
	}
	printf("{\n");
	vd_type_fill(t);
	for (size_t i = 0; i < t->nmembers; i++) {
		const struct vd_member *m = &t->members[i];

		if (!show_node()) {
			printf("%*s...\n", (depth + 1) * 2, "");
			break;
		}
		printf("%*s", (depth + 1) * 2, "");
		if (m->name)
			printf("%s = ", m->name);
		show_value(sh, m->type, bit_off + m->bit_offset, m->bit_field_size, depth + 1);
		printf("%s\n", i + 1 < t->nmembers ? "," : "");
	}
	printf("%*s}", depth * 2, "");
}

static void
show_array(const struct show *sh, const struct vd_type *t, uint64_t bit_off,
	   int depth)
{
	const struct vd_type *elem = vd_type_unqualified(t->target.type);
	uint64_t n = t->length;

	if (elem && elem->kind == VD_TYPE_INT && elem->size == 1 && elem->is_char) {
		show_chars(sh, bit_off / 8, n);
		return;
	}
	printf("{");
	for (uint64_t i = 0; elem && i < n && i < SHOW_ARRAY_MAX; i++) {
		if (!show_node()) {
			printf(", ...");
			break;
		}
		printf("%s", i ? ", " : "");
		show_value(sh, t->target, bit_off + i * elem->size * 8, 0, depth + 1);
	}
	if (n > SHOW_ARRAY_MAX)
		printf(", ...");
	printf("}");
}

static void
show_value(const struct show *sh, struct vd_qualified_type qt, uint64_t bit_off,
	   uint32_t bits, int depth)
{
	const struct vd_type *t = vd_type_unqualified(qt.type);

	if (!t) {
		printf("<no type>");
		return;
	}
	switch (t->kind) {
	case VD_TYPE_INT:
	case VD_TYPE_ENUM:
	case VD_TYPE_POINTER:
		show_scalar(sh, t, bit_off, bits);
		break;
	case VD_TYPE_STRUCT:
	case VD_TYPE_UNION:
		show_aggregate(sh, t, bit_off, depth);
		break;
	case VD_TYPE_ARRAY:
		show_array(sh, t, bit_off, depth);
		break;
	default:
		printf("<%s>", t->kind == VD_TYPE_VOID ? "unknown type" : "not shown");
	}
}

/*
 * Show the object of type qt at addr (bit field: bits at bit_off past it),
 * nested at depth; false when it cannot be read (reported).
 */
static bool
show_at(struct vd_cli *cli, const char *prefix, struct vd_qualified_type qt, enum vd_as as,
	uint64_t addr, uint32_t bit_off, uint32_t bits, int depth)
{
	const struct vd_type *t = vd_type_unqualified(qt.type);
	struct show sh = { .cli = cli, .be = vd_session_info(cli->session)->big_endian,
			   .hex = cli->hex && !cli->dec };
	uint64_t size = bits ? (bit_off + bits + 7) / 8 : t ? t->size : 0;
	unsigned char *buf;
	struct vd_error *err;

	if (!t || !size || size > OBJECT_MAX) {
		printf("%s<%s>", prefix, !t ? "unknown type" : !size ? "no size" : "too large");
		return true;
	}
	buf = malloc(size);
	if (!buf)
		return false;
	err = vd_session_read(cli->session, as, addr, buf, size, NULL);
	if (err) {
		// The value is not printed at all: only the error says why.
		vd_cli_report(cli, vd_error_wrap(err, "reading %" PRIu64 " bytes at 0x%" PRIx64,
						 size, addr));
		free(buf);
		return false;
	}
	fputs(prefix, stdout);
	sh.buf = buf;
	sh.addr = addr;
	sh.len = size;
	show_value(&sh, qt, bit_off, bits, depth);
	free(buf);
	return true;
}

int
vd_cli_show_value(struct vd_cli *cli, const char *label, const struct vd_value *v)
{
	const struct vd_type *t = vd_type_unqualified(v->type.type);
	char tname[256];

	if (!v->type.type && !v->lvalue) {
		// A number, or a pointer '&' made to a type without a name.
		if (v->pointee.type) {
			vd_type_format(v->pointee, tname, sizeof(tname));
			printf("%s = (%s *) 0x%" PRIx64 "\n", label, tname, v->v);
		} else if (cli->hex && !cli->dec) {
			printf("%s = 0x%" PRIx64 "\n", label, v->v);
		} else {
			printf("%s = %" PRIu64 "\n", label, v->v);
		}
		return VD_EXIT_OK;
	}
	if (!t && v->lvalue && (v->symbol_type == 'T' || v->symbol_type == 't')) {
		// gdb's words for code without debug information.
		printf("%s = {<text variable, no debug info>} 0x%" PRIx64 " <%s>\n", label,
		       v->addr, v->symbol);
		return VD_EXIT_OK;
	}
	if (!t) {
		vd_cli_error(cli, "%s: the type of '%s' is unknown: no DWARF describes it (give "
			     "--vmlinux), BTF has no type for this variable and vmdive's table "
			     "of globals does not list it; it is at 0x%" PRIx64 " (read it with "
			     "rd, or cast: p *(unsigned long *)%s)", label,
			     v->symbol[0] ? v->symbol : label, v->addr,
			     v->symbol[0] ? v->symbol : label);
		return VD_EXIT_FAIL;
	}
	if (t->kind == VD_TYPE_FUNCTION) {
		char sym[256];

		vd_type_format(v->type, tname, sizeof(tname));
		vd_cli_symbolize(cli, v->addr, sym, sizeof(sym));
		printf("%s = {%s} 0x%" PRIx64 "%s%s%s\n", label, tname, v->addr,
		       *sym ? " <" : "", sym, *sym ? ">" : "");
		return VD_EXIT_OK;
	}
	{
		char prefix[600];

		if (t->kind == VD_TYPE_POINTER) {
			vd_type_format(v->type, tname, sizeof(tname));
			snprintf(prefix, sizeof(prefix), "%s = (%s) ", label, tname);
		} else {
			snprintf(prefix, sizeof(prefix), "%s = ", label);
		}
		if (v->lvalue) {
			if (!show_at(cli, prefix, v->type, v->as, v->addr, v->bit_offset,
				     v->bit_field_size, 0))
				return VD_EXIT_FAIL;
			putchar('\n');
			return VD_EXIT_OK;
		}
		fputs(prefix, stdout);
	}
	if (!v->lvalue) {
		unsigned char bytes[8];
		bool be = vd_session_info(cli->session)->big_endian;
		struct show sh = { .cli = cli, .buf = bytes, .len = t->size, .be = be,
				   .hex = cli->hex && !cli->dec };

		if (t->size > 8) {
			printf("<not shown>\n");
			return VD_EXIT_OK;
		}
		for (unsigned i = 0; i < t->size; i++)
			bytes[i] = (unsigned char)(v->v >> (8 * (be ? t->size - 1 - i : i)));
		show_value(&sh, v->type, 0, 0, 0);
		putchar('\n');
		return VD_EXIT_OK;
	}
	return VD_EXIT_OK;
}

/* JSON of a value ---------------------------------------------------------- */

static void json_value(const struct show *sh, struct vd_qualified_type qt, uint64_t bit_off,
		       uint32_t bits, int depth);

static void
json_members(const struct show *sh, const struct vd_type *t, uint64_t bit_off, int depth)
{
	vd_type_fill(t);     // BTF reads a struct's members on first use
	for (size_t i = 0; i < t->nmembers; i++) {
		const struct vd_member *m = &t->members[i];
		const struct vd_type *mt = vd_type_unqualified(m->type.type);

		if (!m->name && mt && (mt->kind == VD_TYPE_STRUCT || mt->kind == VD_TYPE_UNION)) {
			// Anonymous struct/union: its members are the parent's.
			json_members(sh, mt, bit_off + m->bit_offset, depth + 1);
			continue;
		}
		vd_json_key(&sh->cli->j, m->name ? m->name : "");
		json_value(sh, m->type, bit_off + m->bit_offset, m->bit_field_size, depth + 1);
	}
}

static void
json_value(const struct show *sh, struct vd_qualified_type qt, uint64_t bit_off,
	   uint32_t bits, int depth)
{
	struct vd_json *j = &sh->cli->j;
	const struct vd_type *t = vd_type_unqualified(qt.type);
	uint64_t v;

	if (!t || depth > SHOW_DEPTH_MAX) {
		vd_json_null(j);
		return;
	}
	switch (t->kind) {
	case VD_TYPE_INT:
	case VD_TYPE_ENUM:
	case VD_TYPE_POINTER:
		if (!get_uint(sh, bit_off, t->size, bits, &v)) {
			vd_json_null(j);
		} else if (t->kind == VD_TYPE_POINTER) {
			vd_json_hex(j, v);
		} else if (t->is_bool) {
			vd_json_bool(j, v != 0);
		} else if (t->is_signed) {
			unsigned nb = bits ? bits : (unsigned)t->size * 8;

			if (nb < 64 && (v >> (nb - 1)) & 1)
				v |= ~0ull << nb;
			vd_json_int(j, (int64_t)v);
		} else {
			vd_json_uint(j, v);
		}
		break;
	case VD_TYPE_STRUCT:
	case VD_TYPE_UNION:
		vd_json_begin_object(j);
		json_members(sh, t, bit_off, depth);
		vd_json_end_object(j);
		break;
	case VD_TYPE_ARRAY: {
		const struct vd_type *elem = vd_type_unqualified(t->target.type);

		if (elem && elem->kind == VD_TYPE_INT && elem->size == 1 && elem->is_char) {
			uint64_t off = bit_off / 8, n = 0;

			while (n < t->length && off + n < sh->len && sh->buf[off + n])
				n++;
			vd_json_string_len(j, off < sh->len ? (const char *)sh->buf + off : "",
					   (size_t)n);
			break;
		}
		vd_json_begin_array(j);
		for (uint64_t i = 0; elem && i < t->length && i < SHOW_ARRAY_MAX * 16; i++)
			json_value(sh, t->target, bit_off + i * elem->size * 8, 0, depth + 1);
		vd_json_end_array(j);
		break;
	}
	default:
		vd_json_null(j);
	}
}

/* {"type", "address", "value"} of an object in memory; false: unreadable. */
static bool
json_object_at(struct vd_cli *cli, struct vd_qualified_type qt, enum vd_as as,
	       uint64_t addr, uint32_t bit_off, uint32_t bits, struct vd_error **err_ret)
{
	const struct vd_type *t = vd_type_unqualified(qt.type);
	struct show sh = { .cli = cli, .be = vd_session_info(cli->session)->big_endian };
	uint64_t size = bits ? (bit_off + bits + 7) / 8 : t ? t->size : 0;
	unsigned char *buf;

	*err_ret = NULL;
	if (!t || !size || size > OBJECT_MAX) {
		vd_json_null(&cli->j);
		return true;
	}
	buf = malloc(size);
	if (!buf) {
		*err_ret = &vd_enomem;
		return false;
	}
	*err_ret = vd_session_read(cli->session, as, addr, buf, size, NULL);
	if (*err_ret) {
		free(buf);
		return false;
	}
	sh.buf = buf;
	sh.len = size;
	sh.addr = addr;
	json_value(&sh, qt, bit_off, bits, 0);
	free(buf);
	return true;
}

int
vd_cli_json_value(struct vd_cli *cli, const char *expr, const struct vd_value *v)
{
	struct vd_json *j = &cli->j;
	const struct vd_type *t = vd_type_unqualified(v->type.type);
	struct vd_error *err = NULL;
	char tname[256];

	if (v->lvalue && !t) {
		char msg[512];

		snprintf(msg, sizeof(msg), "the type of '%s' is unknown (no DWARF; BTF and "
			 "vmdive's table of globals have no type for it)",
			 v->symbol[0] ? v->symbol : expr);
		vd_json_begin_object(j);
		vd_json_kv_string(j, "expression", expr);
		vd_json_key(j, "type");
		vd_json_null(j);
		vd_json_kv_hex(j, "address", v->addr);
		vd_json_key(j, "error");
		vd_json_begin_object(j);
		vd_json_kv_string(j, "code", vd_error_code_name(VD_ERR_TYPE));
		vd_json_kv_string(j, "message", msg);
		vd_json_kv_string(j, "file", cli->dumps && cli->ndumps ? cli->dumps[0] : NULL);
		vd_json_kv_hex(j, "address", v->addr);
		vd_json_end_object(j);
		vd_json_end_object(j);
		vd_cli_error(cli, "%s: %s", expr, msg);
		return VD_EXIT_FAIL;
	}
	vd_json_begin_object(j);
	vd_json_kv_string(j, "expression", expr);
	if (v->type.type) {
		vd_type_format(v->type, tname, sizeof(tname));
		vd_json_kv_string(j, "type", tname);
	} else if (v->pointee.type) {
		vd_type_format(v->pointee, tname, sizeof(tname));
		snprintf(tname + strlen(tname), sizeof(tname) - strlen(tname), " *");
		vd_json_kv_string(j, "type", tname);
	} else {
		vd_json_key(j, "type");
		vd_json_null(j);
	}
	if (v->lvalue)
		vd_json_kv_hex(j, "address", v->addr);
	vd_json_key(j, "value");
	if (!v->lvalue) {
		if ((t && t->kind == VD_TYPE_POINTER) || v->pointee.type)
			vd_json_hex(j, v->v);
		else if (t && t->is_signed)
			vd_json_int(j, (int64_t)v->v);
		else
			vd_json_uint(j, v->v);
	} else if (t->kind == VD_TYPE_FUNCTION) {
		vd_json_hex(j, v->addr);
	} else if (!json_object_at(cli, v->type, v->as, v->addr, v->bit_offset,
				   v->bit_field_size, &err)) {
		vd_json_null(j);
	}
	vd_json_end_object(j);
	if (err) {
		vd_cli_report(cli, err);
		return VD_EXIT_FAIL;
	}
	return VD_EXIT_OK;
}

/* crash's "struct TYPE.member,member ADDR": the members, one a line. */
static int
show_members(struct vd_cli *cli, const struct vd_type *t, const char *name,
	     char *const *members, size_t nmembers, uint64_t addr)
{
	struct vd_walk_errors errs = { .cli = cli };
	int ret = VD_EXIT_OK;

	if (cli->json) {
		vd_json_begin_object(&cli->j);
		vd_json_kv_string(&cli->j, "type", name);
		vd_json_kv_hex(&cli->j, "address", addr);
		vd_json_key(&cli->j, "members");
		vd_json_begin_object(&cli->j);
	}
	for (size_t i = 0; i < nmembers; i++) {
		struct vd_member_info mi;
		struct vd_error *err = vd_type_member(t, members[i], &mi);
		uint64_t maddr = addr + mi.bit_offset / 8;
		uint32_t boff = mi.bit_field_size ? (uint32_t)(mi.bit_offset % 8) : 0;

		if (err) {
			if (cli->json)
				vd_walk_errors_keep(&errs, err->msg);
			vd_cli_report(cli, err);
			ret = VD_EXIT_FAIL;
			continue;
		}
		if (cli->json) {
			vd_json_key(&cli->j, members[i]);
			if (!json_object_at(cli, mi.type, VD_AS_KVIRT, maddr, boff,
					    mi.bit_field_size, &err)) {
				vd_json_null(&cli->j);
				if (err)
					vd_walk_errors_keep(&errs, err->msg);
				vd_cli_report(cli, err);
				ret = VD_EXIT_FAIL;
			}
			continue;
		}
		{
			char prefix[300];

			snprintf(prefix, sizeof(prefix), "  %s = ", members[i]);
			if (show_at(cli, prefix, mi.type, VD_AS_KVIRT, maddr, boff,
				    mi.bit_field_size, 1))
				printf(",\n");
			else
				ret = VD_EXIT_FAIL;
		}
	}
	if (cli->json) {
		vd_json_end_object(&cli->j);
		vd_walk_errors_json(&errs);
		vd_json_end_object(&cli->j);
	}
	vd_walk_errors_finish(&errs, "members");
	return ret;
}

/* The selected members' layout lines: "  [OFFSET] DECL;". */
static int
layout_members(struct vd_cli *cli, const struct vd_type *t, const char *name,
	       char *const *members, size_t nmembers, const uint64_t *at)
{
	int ret = VD_EXIT_OK;

	if (cli->json) {
		vd_json_begin_object(&cli->j);
		vd_json_kv_string(&cli->j, "name", name);
		vd_json_kv_uint(&cli->j, "size", t->size);
		vd_json_key(&cli->j, "members");
		vd_json_begin_array(&cli->j);
	} else {
		printf("%s {\n", name);
	}
	for (size_t i = 0; i < nmembers; i++) {
		struct vd_member_info mi;
		struct vd_error *err = vd_type_member(t, members[i], &mi);
		char decl[512];

		if (err) {
			vd_cli_report(cli, err);
			ret = VD_EXIT_FAIL;
			continue;
		}
		if (cli->json) {
			vd_json_begin_object(&cli->j);
			vd_json_kv_string(&cli->j, "name", members[i]);
			vd_type_format(mi.type, decl, sizeof(decl));
			vd_json_kv_string(&cli->j, "type", decl);
			vd_json_kv_uint(&cli->j, "offset", mi.bit_offset / 8);
			if (at)
				vd_json_kv_hex(&cli->j, "address", *at + mi.bit_offset / 8);
			if (mi.bit_field_size) {
				vd_json_kv_uint(&cli->j, "bit_offset", mi.bit_offset % 8);
				vd_json_kv_uint(&cli->j, "bit_size", mi.bit_field_size);
			}
			vd_json_end_object(&cli->j);
			continue;
		}
		vd_type_format_decl(mi.type, members[i], decl, sizeof(decl));
		print_offset(mi.bit_offset, mi.bit_field_size, at);
		if (mi.bit_field_size)
			printf("%s:%u;\n", decl, mi.bit_field_size);
		else
			printf("%s;\n", decl);
	}
	if (cli->json) {
		vd_json_end_array(&cli->j);
		vd_json_end_object(&cli->j);
	} else {
		printf("}\n");
	}
	return ret;
}

int
vd_cli_struct_spec(struct vd_cli *cli, const char *arg, bool prefer_union,
		   struct vd_struct_spec *sp)
{
	struct vd_error *err;
	char tname[256];
	const char *dot = strchr(arg, '.');

	sp->n = 0;
	// "TYPE.member,member": crash's member selection.
	if (dot) {
		char *tok, *save = NULL;

		snprintf(tname, sizeof(tname), "%.*s", (int)(dot - arg), arg);
		if (snprintf(sp->list, sizeof(sp->list), "%s", dot + 1) >= (int)sizeof(sp->list)) {
			vd_cli_error(cli, "member list too long");
			return VD_EXIT_USAGE;
		}
		for (tok = strtok_r(sp->list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			while (*tok == ' ')
				tok++;
			if (!*tok)
				continue;
			if (sp->n == VD_STRUCT_MEMBERS_MAX) {
				vd_cli_error(cli, "more than %d members", VD_STRUCT_MEMBERS_MAX);
				return VD_EXIT_USAGE;
			}
			sp->members[sp->n++] = tok;
		}
		if (!sp->n) {
			vd_cli_error(cli, "'%s': no member named after the '.'", arg);
			return VD_EXIT_USAGE;
		}
	} else {
		snprintf(tname, sizeof(tname), "%s", arg);
	}
	// "union foo" finds the union first, as crash's union command does.
	if (prefer_union && strncmp(tname, "union ", 6)) {
		char u[300];

		snprintf(u, sizeof(u), "union %s", tname);
		err = vd_session_find_type(cli->session, u, &sp->qt);
		if (err) {
			vd_error_destroy(err);
			err = vd_session_find_type(cli->session, tname, &sp->qt);
		}
	} else {
		err = vd_session_find_type(cli->session, tname, &sp->qt);
	}
	if (err) {
		vd_cli_report(cli, err);
		return VD_EXIT_FAIL;
	}
	sp->t = vd_type_unqualified(sp->qt.type);
	if (sp->t->kind != VD_TYPE_STRUCT && sp->t->kind != VD_TYPE_UNION) {
		vd_type_format(sp->qt, sp->name, sizeof(sp->name));
		vd_cli_error(cli, "%s is not a struct or union", sp->name);
		return VD_EXIT_FAIL;
	}
	snprintf(sp->name, sizeof(sp->name), "%s %s", tag_word(sp->t),
		 sp->t->name ? sp->t->name : "<anonymous>");
	return VD_EXIT_OK;
}

int
vd_cli_struct_show(struct vd_cli *cli, const struct vd_struct_spec *sp, uint64_t addr)
{
	struct vd_error *err = NULL;

	if (sp->n)
		return show_members(cli, sp->t, sp->name, (char *const *)sp->members, sp->n, addr);
	if (!sp->t->size || sp->t->size > OBJECT_MAX) {
		vd_cli_error(cli, "%s has no size to read (%" PRIu64 " bytes)", sp->name,
			     sp->t->size);
		return VD_EXIT_FAIL;
	}
	if (cli->json) {
		vd_json_begin_object(&cli->j);
		vd_json_kv_string(&cli->j, "type", sp->name);
		vd_json_kv_hex(&cli->j, "address", addr);
		vd_json_key(&cli->j, "value");
		if (!json_object_at(cli, sp->qt, VD_AS_KVIRT, addr, 0, 0, &err))
			vd_json_null(&cli->j);
		if (err)
			err = vd_error_wrap(err, "reading %s at 0x%" PRIx64, sp->name, addr);
		vd_json_kv_string(&cli->j, "error", err ? err->msg : NULL);
		vd_json_end_object(&cli->j);
		if (err) {
			vd_cli_report(cli, err);
			return VD_EXIT_FAIL;
		}
		return VD_EXIT_OK;
	}
	{
		char prefix[300];

		snprintf(prefix, sizeof(prefix), "%s ", sp->name);
		if (!show_at(cli, prefix, sp->qt, VD_AS_KVIRT, addr, 0, 0, 0))
			return VD_EXIT_FAIL;
	}
	putchar('\n');
	return VD_EXIT_OK;
}

int
vd_cmd_struct(struct vd_cli *cli)
{
	struct vd_struct_spec *sp = calloc(1, sizeof(*sp));
	int ret;

	if (!sp)
		return VD_EXIT_FAIL;
	ret = vd_cli_struct_spec(cli, cli->args[0], !strcmp(cli->cmd->name, "union"), sp);
	if (ret != VD_EXIT_OK) {
		free(sp);
		return ret;
	}
	uint64_t addr;
	const uint64_t *at = NULL;

	if (cli->nargs > 1) {
		if (!vd_cli_addr(cli, cli->args[1], &addr)) {
			free(sp);
			return VD_EXIT_USAGE;
		}
		// -o with ADDR: the layout with each member's address (crash's
		// struct -o ADDR); without -o, the values.
		if (!cli->offsets) {
			ret = vd_cli_struct_show(cli, sp, addr);
			free(sp);
			return ret;
		}
		at = &addr;
	}
	if (sp->n) {
		ret = layout_members(cli, sp->t, sp->name, sp->members, sp->n, at);
	} else if (cli->json) {
		vd_json_begin_object(&cli->j);
		vd_json_kv_string(&cli->j, "name", sp->name);
		vd_json_kv_uint(&cli->j, "size", sp->t->size);
		vd_json_kv_string(&cli->j, "source", sp->t->source);
		vd_json_kv_string(&cli->j, "module", sp->t->module);
		if (at)
			vd_json_kv_hex(&cli->j, "address", *at);
		layout_json(&cli->j, sp->t, 0, 0, at);
		vd_json_end_object(&cli->j);
	} else {
		printf("%s {\n", sp->name);
		layout_text(sp->t, 0, 0, at);
		printf("}\nSIZE: %" PRIu64, sp->t->size);
		if (sp->t->module)
			printf("  (from the %s of module %s)", sp->t->source, sp->t->module);
		putchar('\n');
	}
	free(sp);
	return ret;
}

/* "int schedule_timeout(long int timeout)" */
static void
format_function(const struct vd_type *fn, const char *name, char *buf, size_t size)
{
	size_t len;

	vd_type_format(fn->target, buf, size);
	len = strlen(buf);
	len += (size_t)snprintf(buf + len, len < size ? size - len : 0, " %s(", name);
	for (size_t i = 0; i < fn->nmembers && len < size; i++) {
		char p[256];

		vd_type_format_decl(fn->members[i].type, fn->members[i].name, p, sizeof(p));
		len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s",
					i ? ", " : "", p);
	}
	if (len < size)
		snprintf(buf + len, size - len, "%s)", fn->variadic ?
			 (fn->nmembers ? ", ..." : "...") : fn->nmembers ? "" : "void");
}

/* A variable or function: its declaration from DWARF, and where it is. */
static int
whatis_object(struct vd_cli *cli, const char *name, const struct vd_symbol_info *sym,
	      bool have_sym)
{
	struct vd_qualified_type qt;
	const struct vd_type *t;
	struct vd_error *err;
	char buf[1024], from[512];
	bool from_table = false;

	err = vd_expr_variable_type(cli->session, name, &qt, &from_table);
	if (err) {
		if (!have_sym) {
			err = vd_error_wrap(err, "'%s' is neither a type nor a symbol", name);
			if (cli->json) {
				vd_cli_json_error(cli, err, 0);
				return VD_EXIT_FAIL;
			}
			vd_cli_report(cli, err);
			return VD_EXIT_FAIL;
		}
		if (cli->json) {
			vd_json_begin_object(&cli->j);
			vd_json_kv_string(&cli->j, "name", sym->name);
			vd_json_kv_string(&cli->j, "kind", "symbol");
			vd_json_kv_hex(&cli->j, "address", sym->addr);
			vd_json_key(&cli->j, "symbol_type");
			vd_json_string_len(&cli->j, &sym->type, 1);
			vd_json_kv_string(&cli->j, "module", sym->module);
			vd_json_key(&cli->j, "type");
			vd_json_null(&cli->j);
			vd_json_kv_string(&cli->j, "type_unknown_because", err->msg);
			vd_json_end_object(&cli->j);
		} else if (sym->module && !cli->session_opts.module_debug)
			printf("%016" PRIx64 " (%c) %s [%s]: a symbol of module %s; its type needs the module's DWARF (give --module-debug DIR)\n",
			       sym->addr, sym->type, sym->name, sym->module, sym->module);
		else
			printf("%016" PRIx64 " (%c) %s%s%s%s: a symbol; %s\n", sym->addr, sym->type,
			       sym->name, sym->module ? " [" : "", sym->module ? sym->module : "",
			       sym->module ? "]" : "", err->msg);
		vd_error_destroy(err);
		return VD_EXIT_OK;
	}
	t = vd_type_unqualified(qt.type);
	if (t && t->kind == VD_TYPE_FUNCTION && qt.type == t)
		format_function(t, name, buf, sizeof(buf));
	else
		vd_type_format_decl(qt, name, buf, sizeof(buf));
	{
		char obuf[256];
		const char *o = origin(cli, qt.type->kind == VD_TYPE_FUNCTION ? qt.type : t,
				       obuf, sizeof(obuf));

		snprintf(from, sizeof(from), "%s", o);
	}
	if (from_table) {
		static const char pre[] = "vmdive's table of globals, the type from ";
		size_t n = strlen(from);

		if (n + sizeof(pre) > sizeof(from))
			n = sizeof(from) - sizeof(pre);
		memmove(from + sizeof(pre) - 1, from, n);
		memcpy(from, pre, sizeof(pre) - 1);
		from[sizeof(pre) - 1 + n] = '\0';
	}
	if (cli->json) {
		char tname[512];

		vd_type_format(qt, tname, sizeof(tname));
		vd_json_begin_object(&cli->j);
		vd_json_kv_string(&cli->j, "name", name);
		vd_json_kv_string(&cli->j, "kind", t && t->kind == VD_TYPE_FUNCTION ? "function" :
				  "variable");
		vd_json_kv_string(&cli->j, "declaration", buf);
		vd_json_kv_string(&cli->j, "type", tname);
		if (t && t->kind != VD_TYPE_FUNCTION)
			vd_json_kv_uint(&cli->j, "size", t->size);
		if (have_sym) {
			vd_json_kv_hex(&cli->j, "address", sym->addr);
			vd_json_key(&cli->j, "symbol_type");
			vd_json_string_len(&cli->j, &sym->type, 1);
		}
		vd_json_kv_string(&cli->j, "source", from);
		vd_json_end_object(&cli->j);
		return VD_EXIT_OK;
	}
	printf("%s;\n", buf);
	if (t && t->kind != VD_TYPE_FUNCTION)
		printf("SIZE: %" PRIu64 "  ", t->size);
	if (have_sym)
		printf("ADDRESS: %016" PRIx64 " (%c)  ", sym->addr, sym->type);
	printf("(from %s)\n", from);
	return VD_EXIT_OK;
}

/*
 * An enumerator, as crash prints it: "enum pid_type = 0" ("enum (unknown)"
 * for an anonymous enum).  &vd_noprobe: no enum has that name.
 */
static struct vd_error *
whatis_enumerator(struct vd_cli *cli, const char *name)
{
	struct vd_qualified_type qt;
	const struct vd_type *t;
	char tname[512], value[32], obuf[256];
	struct vd_error *err;
	int64_t v = 0;

	err = vd_session_find_enumerator(cli->session, name, &qt, &v);
	if (err) {
		if (err->code != VD_ERR_LOOKUP)
			return err;
		vd_error_destroy(err);
		return &vd_noprobe;
	}
	t = qt.type;
	if (t->is_signed || v >= 0)
		snprintf(value, sizeof(value), "%" PRId64, v);
	else
		snprintf(value, sizeof(value), "%" PRIu64, (uint64_t)v);
	if (cli->json) {
		vd_type_format(qt, tname, sizeof(tname));
		vd_json_begin_object(&cli->j);
		vd_json_kv_string(&cli->j, "name", name);
		vd_json_kv_string(&cli->j, "kind", "enumerator");
		vd_json_kv_string(&cli->j, "type", tname);
		if (t->is_signed || v >= 0)
			vd_json_kv_int(&cli->j, "value", v);
		else
			vd_json_kv_uint(&cli->j, "value", (uint64_t)v);
		vd_json_kv_uint(&cli->j, "size", t->size);
		vd_json_kv_string(&cli->j, "source", origin(cli, t, obuf, sizeof(obuf)));
		vd_json_kv_string(&cli->j, "module", t->module);
		vd_json_end_object(&cli->j);
		return NULL;
	}
	printf("enum %s = %s\n", t->name ? t->name : "(unknown)", value);
	return NULL;
}

int
vd_cmd_whatis(struct vd_cli *cli)
{
	struct vd_qualified_type qt;
	struct vd_symbol_info sym;
	const struct vd_type *t;
	struct vd_error *err;
	bool have_sym;
	char buf[512];

	err = vd_session_find_type(cli->session, cli->args[0], &qt);
	if (!err && cli->json) {
		static const char *const kinds[] = {
			[VD_TYPE_VOID] = "void", [VD_TYPE_INT] = "int", [VD_TYPE_FLOAT] = "float",
			[VD_TYPE_POINTER] = "pointer", [VD_TYPE_ARRAY] = "array",
			[VD_TYPE_STRUCT] = "struct", [VD_TYPE_UNION] = "union",
			[VD_TYPE_ENUM] = "enum", [VD_TYPE_TYPEDEF] = "typedef",
			[VD_TYPE_FUNCTION] = "function",
		};

		t = qt.type;
		vd_type_format(qt, buf, sizeof(buf));
		vd_json_begin_object(&cli->j);
		vd_json_kv_string(&cli->j, "name", buf);
		vd_json_kv_string(&cli->j, "kind", kinds[t->kind]);
		if (t->kind == VD_TYPE_TYPEDEF) {
			vd_type_format(t->target, buf, sizeof(buf));
			vd_json_kv_string(&cli->j, "typedef_of", buf);
		}
		if (t->kind == VD_TYPE_STRUCT || t->kind == VD_TYPE_UNION)
			vd_json_kv_uint(&cli->j, "members", vd_type_fill(t) ? t->nmembers : 0);
		vd_json_kv_uint(&cli->j, "size", vd_type_unqualified(t) ?
				vd_type_unqualified(t)->size : 0);
		vd_json_kv_string(&cli->j, "source", origin(cli, t, buf, sizeof(buf)));
		vd_json_kv_string(&cli->j, "module", t->module);
		vd_json_end_object(&cli->j);
		return VD_EXIT_OK;
	}
	if (!err) {
		t = qt.type;
		if (t->kind == VD_TYPE_TYPEDEF) {
			vd_type_format_decl(t->target, t->name, buf, sizeof(buf));
			printf("typedef %s;\n", buf);
		} else {
			vd_type_format(qt, buf, sizeof(buf));
			printf("%s", buf);
			if (t->kind == VD_TYPE_STRUCT || t->kind == VD_TYPE_UNION)
				printf(" (%zu members)", vd_type_fill(t) ? t->nmembers : 0);
			putchar('\n');
		}
		printf("SIZE: %" PRIu64 "  (from %s)\n", vd_type_unqualified(t)->size,
		       origin(cli, t, buf, sizeof(buf)));
		return VD_EXIT_OK;
	}
	if (err->code != VD_ERR_LOOKUP) {    // bad debug info, not "no such type"
		vd_cli_report(cli, err);
		return VD_EXIT_FAIL;
	}
	vd_error_destroy(err);
	err = vd_session_lookup_symbol(cli->session, cli->args[0], &sym);
	have_sym = !err;
	vd_error_destroy(err);
	if (!have_sym && (err = whatis_enumerator(cli, cli->args[0])) != &vd_noprobe)
		return err ? (vd_cli_report(cli, err), VD_EXIT_FAIL) : VD_EXIT_OK;
	return whatis_object(cli, cli->args[0], &sym, have_sym);
}
