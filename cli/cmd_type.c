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
#define SHOW_ARRAY_MAX 64
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

static void
print_offset(uint64_t bit_offset, uint32_t bit_size)
{
	char off[48];

	if (bit_size)
		snprintf(off, sizeof(off), "[%" PRIu64 ":%" PRIu64 "]", bit_offset / 8,
			 bit_offset % 8);
	else
		snprintf(off, sizeof(off), "[%" PRIu64 "]", bit_offset / 8);
	printf("%10s ", off);
}

static void
layout_text(const struct vd_type *t, uint64_t base, int depth)
{
	vd_type_fill(t);
	for (size_t i = 0; i < t->nmembers; i++) {
		const struct vd_member *m = &t->members[i];
		const struct vd_type *mt = vd_type_unqualified(m->type.type);
		char decl[512];

		if (!show_node()) {
			printf("%10s %*s... (more than %u lines)\n", "", depth * 4, "",
			       SHOW_NODES_MAX);
			return;
		}
		if (!m->name && mt && (mt->kind == VD_TYPE_STRUCT || mt->kind == VD_TYPE_UNION) &&
		    depth < SHOW_DEPTH_MAX) {
			// crash prints no offset on the line that opens an
			// anonymous struct/union; its members carry theirs.
			printf("%10s %*s%s {\n", "", depth * 4, "", tag_word(mt));
			layout_text(mt, base + m->bit_offset, depth + 1);
			printf("%10s %*s};\n", "", depth * 4, "");
			continue;
		}
		vd_type_format_decl(m->type, m->name, decl, sizeof(decl));
		print_offset(base + m->bit_offset, m->bit_field_size);
		if (m->bit_field_size)
			printf("%*s%s:%u;\n", depth * 4, "", decl, m->bit_field_size);
		else
			printf("%*s%s;\n", depth * 4, "", decl);
	}
}

static void
layout_json(struct vd_json *j, const struct vd_type *t, uint64_t base, int depth)
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
		if (!m->name && mt && (mt->kind == VD_TYPE_STRUCT || mt->kind == VD_TYPE_UNION) &&
		    depth < SHOW_DEPTH_MAX)
			layout_json(j, mt, base + m->bit_offset, depth + 1);
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
		printf("0x%" PRIx64, v);
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
	putchar('"');
	for (uint64_t i = 0; i < end && off + i < sh->len; i++) {
		unsigned char c = sh->buf[off + i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			putchar(c);
		else
			printf("\\%03o", c);
	}
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

static int
show_object(struct vd_cli *cli, struct vd_qualified_type qt, const char *name,
	    const char *addr_arg)
{
	const struct vd_type *t = vd_type_unqualified(qt.type);
	struct show sh = { .cli = cli, .be = vd_session_info(cli->session)->big_endian };
	unsigned char *buf;
	struct vd_error *err;
	uint64_t addr;

	if (!vd_cli_parse_addr(addr_arg, &addr)) {
		vd_cli_error(cli, "'%s' is not a hex address", addr_arg);
		return VD_EXIT_USAGE;
	}
	if (!t->size || t->size > OBJECT_MAX) {
		vd_cli_error(cli, "%s has no size to read (%" PRIu64 " bytes)", name, t->size);
		return VD_EXIT_FAIL;
	}
	buf = malloc(t->size);
	if (!buf)
		return VD_EXIT_FAIL;
	err = vd_session_read(cli->session, VD_AS_KVIRT, addr, buf, t->size, NULL);
	if (err) {
		vd_cli_report(cli, vd_error_wrap(err, "reading %s at 0x%" PRIx64, name, addr));
		free(buf);
		return VD_EXIT_FAIL;
	}
	sh.buf = buf;
	sh.addr = addr;
	sh.len = t->size;
	printf("%s ", name);
	show_value(&sh, qt, 0, 0, 0);
	putchar('\n');
	free(buf);
	return VD_EXIT_OK;
}

int
vd_cmd_struct(struct vd_cli *cli)
{
	struct vd_qualified_type qt;
	const struct vd_type *t;
	struct vd_error *err;
	char name[256];

	err = vd_session_find_type(cli->session, cli->args[0], &qt);
	if (err) {
		vd_cli_report(cli, err);
		return VD_EXIT_FAIL;
	}
	t = vd_type_unqualified(qt.type);
	if (t->kind != VD_TYPE_STRUCT && t->kind != VD_TYPE_UNION) {
		vd_type_format(qt, name, sizeof(name));
		vd_cli_error(cli, "%s is not a struct or union", name);
		return VD_EXIT_FAIL;
	}
	snprintf(name, sizeof(name), "%s %s", tag_word(t), t->name ? t->name : "<anonymous>");
	if (cli->nargs > 1) {
		if (cli->json) {
			vd_cli_error(cli, "--json with an address is not supported yet; use the text output");
			return VD_EXIT_USAGE;
		}
		return show_object(cli, qt, name, cli->args[1]);
	}
	if (cli->json) {
		vd_json_begin_object(&cli->j);
		vd_json_kv_string(&cli->j, "name", name);
		vd_json_kv_uint(&cli->j, "size", t->size);
		vd_json_kv_string(&cli->j, "source", t->source);
		vd_json_kv_string(&cli->j, "module", t->module);
		layout_json(&cli->j, t, 0, 0);
		vd_json_end_object(&cli->j);
		return VD_EXIT_OK;
	}
	printf("%s {\n", name);
	layout_text(t, 0, 0);
	printf("}\nSIZE: %" PRIu64, t->size);
	if (t->module)
		printf("  (from the %s of module %s)", t->source, t->module);
	putchar('\n');
	return VD_EXIT_OK;
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
	char buf[1024];

	err = vd_session_find_object_type(cli->session, name, &qt);
	if (err) {
		if (!have_sym) {
			vd_cli_report(cli, vd_error_wrap(err, "'%s' is neither a type nor a symbol",
							 name));
			return VD_EXIT_FAIL;
		}
		if (sym->module && !cli->session_opts.module_debug)
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
	printf("%s;\n", buf);
	if (t && t->kind != VD_TYPE_FUNCTION)
		printf("SIZE: %" PRIu64 "  ", t->size);
	if (have_sym)
		printf("ADDRESS: %016" PRIx64 " (%c)  ", sym->addr, sym->type);
	printf("(from %s)\n", origin(cli, qt.type->kind == VD_TYPE_FUNCTION ? qt.type : t,
				      buf, sizeof(buf)));
	return VD_EXIT_OK;
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
	return whatis_object(cli, cli->args[0], &sym, have_sym);
}
