// SPDX-License-Identifier: MIT
/*
 * The expression evaluator (vmdive/expr.h): a recursive-descent parser that
 * evaluates as it parses.  Every read goes through vd_session_read; every
 * loop is bounded by the input's length.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "vmdive/expr.h"

#define EXPR_DEPTH_MAX 64
#define NAME_MAX_LEN 127

struct parser {
	struct vd_session *s;
	const struct vd_expr_env *env;
	const char *text, *p;
	int depth;
};

static struct vd_error *parse_expr(struct parser *ps, struct vd_value *ret);
static struct vd_error *parse_unary(struct parser *ps, struct vd_value *ret);

static void
skip_space(struct parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
}

static struct vd_error *
syntax(struct parser *ps, const char *what)
{
	return vd_error_create(VD_ERR_INVALID_ARG, "'%s': %s at offset %zu%s%.20s%s",
			       ps->text, what, (size_t)(ps->p - ps->text),
			       *ps->p ? " ('" : "", ps->p, *ps->p ? "')" : "");
}

static bool
is_ident_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static bool
is_ident(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.';
}

/* An identifier (symbols may hold '.', as in "foo.cold": see below). */
static size_t
ident_len(const char *p)
{
	size_t n = 0;

	if (!is_ident_start(p[0]))
		return 0;
	while (isalnum((unsigned char)p[n]) || p[n] == '_')
		n++;
	return n;
}

static const struct vd_type *
strip(struct vd_qualified_type qt)
{
	return vd_type_unqualified(qt.type);
}

static struct vd_value
rvalue(struct vd_qualified_type type, uint64_t v)
{
	struct vd_value r = { .type = type, .v = v };

	return r;
}

void
vd_value_object(struct vd_session *s, const struct vd_value *v,
		struct vd_object *ret)
{
	*ret = (struct vd_object){ .session = s, .type = v->type, .as = v->as,
				   .addr = v->addr, .bit_offset = v->bit_offset,
				   .bit_field_size = v->bit_field_size };
}

static const char *
value_name(const struct vd_value *v)
{
	return v->symbol[0] ? v->symbol : "the value";
}

struct vd_error *
vd_value_read_u64(struct vd_session *s, const struct vd_value *v, uint64_t *ret)
{
	const struct vd_type *t = strip(v->type);
	struct vd_object obj;

	if (!v->lvalue) {
		*ret = v->v;
		return NULL;
	}
	if (!t)
		return vd_error_create(VD_ERR_TYPE,
				       "the type of '%s' is unknown (no DWARF, and BTF "
				       "describes no such variable): give --vmlinux, cast it "
				       "('*(unsigned long *)&%s') or read it with rd",
				       value_name(v), value_name(v));
	if (t->kind != VD_TYPE_INT && t->kind != VD_TYPE_ENUM &&
	    t->kind != VD_TYPE_POINTER) {
		char name[256];

		vd_type_format(v->type, name, sizeof(name));
		return vd_error_create(VD_ERR_TYPE, "%s is a %s, not a number", value_name(v),
				       name);
	}
	vd_value_object(s, v, &obj);
	if (t->kind != VD_TYPE_POINTER && t->is_signed) {
		int64_t sv;
		struct vd_error *err = vd_object_read_s64(&obj, &sv);

		*ret = (uint64_t)sv;
		return err;
	}
	return vd_object_read_u64(&obj, ret);
}

static bool
is_signed_value(const struct vd_value *v)
{
	const struct vd_type *t = strip(v->type);

	return t && t->kind != VD_TYPE_POINTER && t->is_signed;
}

/* The target of a pointer value, with its type, or an error. */
static struct vd_error *
pointee_of(struct parser *ps, const struct vd_value *v, struct vd_qualified_type *ret)
{
	const struct vd_type *t = strip(v->type);

	if (!v->type.type && v->pointee.type) {
		*ret = v->pointee;
		return NULL;
	}
	if (t && t->kind == VD_TYPE_POINTER) {
		*ret = t->target;
		return NULL;
	}
	if (t && t->kind == VD_TYPE_ARRAY) {
		*ret = t->target;
		return NULL;
	}
	if (!t)
		return vd_error_create(VD_ERR_TYPE,
				       "cannot dereference %s: its type is unknown; cast it, "
				       "as in '*(struct task_struct *)%s'", value_name(v),
				       v->symbol[0] ? v->symbol : "ADDR");
	return vd_error_create(VD_ERR_TYPE, "cannot dereference %s: not a pointer",
			       value_name(v));
}

/* *v: the object a pointer (or array) points to. */
static struct vd_error *
deref(struct parser *ps, struct vd_value *v)
{
	struct vd_qualified_type target;
	const struct vd_type *t = strip(v->type);
	struct vd_error *err;
	uint64_t addr;

	err = pointee_of(ps, v, &target);
	if (err)
		return err;
	if (t && t->kind == VD_TYPE_ARRAY) {
		if (!v->lvalue)
			return vd_error_create(VD_ERR_TYPE, "an array not in memory");
		addr = v->addr;
	} else {
		err = vd_value_read_u64(ps->s, v, &addr);
		if (err)
			return err;
	}
	*v = (struct vd_value){ .type = target, .lvalue = true, .as = ps->env->as,
				.addr = addr };
	return NULL;
}

/* v.name (deref first when v is a pointer, as gdb allows). */
static struct vd_error *
member(struct parser *ps, struct vd_value *v, const char *name, bool arrow)
{
	const struct vd_type *t = strip(v->type);
	struct vd_member_info mi;
	struct vd_error *err;
	char tname[256];

	if (arrow || (t && t->kind == VD_TYPE_POINTER) || (!v->type.type && v->pointee.type)) {
		err = deref(ps, v);
		if (err)
			return err;
		t = strip(v->type);
	}
	if (!t)
		return vd_error_create(VD_ERR_TYPE,
				       "cannot take member '%s' of %s: its type is unknown "
				       "(no DWARF, and BTF describes no such variable); give "
				       "--vmlinux or cast it, as in '((struct task_struct *)&%s)->%s'",
				       name, value_name(v), v->symbol[0] ? v->symbol : "ADDR",
				       name);
	if (t->kind != VD_TYPE_STRUCT && t->kind != VD_TYPE_UNION) {
		vd_type_format(v->type, tname, sizeof(tname));
		return vd_error_create(VD_ERR_TYPE, "cannot take member '%s' of a %s", name,
				       tname);
	}
	if (!v->lvalue)
		return vd_error_create(VD_ERR_TYPE, "member '%s' of a value not in memory",
				       name);
	err = vd_type_member(t, name, &mi);
	if (err)
		return err;
	v->type = mi.type;
	v->addr += mi.bit_offset / 8;
	v->bit_offset = mi.bit_field_size ? (uint32_t)(mi.bit_offset % 8) : 0;
	v->bit_field_size = mi.bit_field_size;
	v->symbol[0] = '\0';
	v->type_from_table = false;
	return NULL;
}

static struct vd_error *
index_value(struct parser *ps, struct vd_value *v, const struct vd_value *idx)
{
	const struct vd_type *t = strip(v->type), *elem;
	struct vd_qualified_type target;
	struct vd_error *err;
	uint64_t i, base;

	err = vd_value_read_u64(ps->s, idx, &i);
	if (err)
		return err;
	err = pointee_of(ps, v, &target);
	if (err)
		return err;
	elem = strip(target);
	if (!elem || !elem->size)
		return vd_error_create(VD_ERR_TYPE, "cannot index %s: element size unknown",
				       value_name(v));
	if (t && t->kind == VD_TYPE_ARRAY) {
		if (!v->lvalue)
			return vd_error_create(VD_ERR_TYPE, "an array not in memory");
		base = v->addr;
	} else {
		err = vd_value_read_u64(ps->s, v, &base);
		if (err)
			return err;
	}
	*v = (struct vd_value){ .type = target, .lvalue = true, .as = ps->env->as,
				.addr = base + i * elem->size };
	return NULL;
}

/* The type of a variable: DWARF, else the table of globals. */
struct vd_error *
vd_expr_variable_type(struct vd_session *s, const char *name,
		      struct vd_qualified_type *ret, bool *from_table_ret)
{
	struct vd_error *err, *terr;
	struct vd_symbol_info sym;

	if (from_table_ret)
		*from_table_ret = false;
	err = vd_session_find_object_type(s, name, ret);
	if (!err) {
		// A declaration seen in a unit where the struct is incomplete
		// ("extern struct fs_struct init_fs;"): the full type by name.
		const struct vd_type *t = vd_type_unqualified(ret->type);

		if (t && (t->kind == VD_TYPE_STRUCT || t->kind == VD_TYPE_UNION) &&
		    !t->complete && t->name) {
			char full[160];
			struct vd_qualified_type qt;

			snprintf(full, sizeof(full), "%s %s",
				 t->kind == VD_TYPE_UNION ? "union" : "struct", t->name);
			terr = vd_session_find_type(s, full, &qt);
			if (!terr)
				ret->type = qt.type;
			vd_error_destroy(terr);
		}
		return NULL;
	}
	if (err->code != VD_ERR_LOOKUP)
		return err;
	for (size_t i = 0; i < vd_nglobal_types; i++) {
		const struct vd_global_type *g = &vd_global_types[i];
		char tname[128];
		size_t len;

		if (strcmp(g->name, name))
			continue;
		if (g->arch != VD_ARCH_UNKNOWN && vd_session_info(s) &&
		    vd_session_info(s)->arch != g->arch)
			continue;
		len = strlen(g->type);
		if (!len || g->type[len - 1] != ']') {
			terr = vd_session_find_type(s, g->type, ret);
		} else {
			// "T [N]", or "T []" with the length from the symbol's size.
			const char *open = strrchr(g->type, '[');
			struct vd_qualified_type elem;
			const struct vd_type *e, *arr;
			uint64_t n = 0;

			snprintf(tname, sizeof(tname), "%.*s", (int)(open - g->type), g->type);
			terr = vd_session_find_type(s, tname, &elem);
			e = terr ? NULL : vd_type_unqualified(elem.type);
			if (!terr && (!e || !e->size)) {
				terr = vd_error_create(VD_ERR_LOOKUP, "%s has no size", tname);
			} else if (!terr && open[1] != ']') {
				n = strtoull(open + 1, NULL, 10);
			} else if (!terr) {
				bool chars = e->is_char && e->size == 1;

				terr = vd_session_lookup_symbol(s, name, &sym);
				// A System.map gives no sizes: a char array is then its
				// string (read to the NUL below), anything else unknown.
				if (!terr && !sym.size && !chars)
					terr = vd_error_create(VD_ERR_LOOKUP,
							       "the symbol's size is unknown");
				if (!terr)
					n = sym.size ? sym.size / e->size : 65536;
				// A char array sized from kallsyms (distance to the
				// next symbol) or not at all: the string and its NUL,
				// at most 64 KiB.
				if (!terr && chars) {
					char buf[256];
					uint64_t off = 0, lim = n < 65536 ? n : 65536;
					bool nul = false;

					while (off < lim && !nul) {
						size_t chunk = lim - off < sizeof(buf) ? (size_t)(lim - off) : sizeof(buf);
						struct vd_error *rerr = vd_session_read(s, VD_AS_KVIRT, sym.addr + off,
											buf, chunk, NULL);
						char *z;

						if (rerr) {
							vd_error_destroy(rerr);
							break;
						}
						z = memchr(buf, 0, chunk);
						if (z) {
							off += (uint64_t)(z - buf) + 1;
							nul = true;
						} else {
							off += chunk;
						}
					}
					n = off;
				}
			}
			if (!terr) {
				arr = vd_session_array_type(s, elem, n);
				if (!arr)
					terr = &vd_enomem;
				else
					*ret = (struct vd_qualified_type){ arr, 0 };
			}
		}
		if (terr) {
			vd_error_destroy(err);
			return vd_error_wrap(terr, "the type of '%s' (%s, from vmdive's table of "
					     "globals)", name, g->type);
		}
		vd_error_destroy(err);
		if (from_table_ret)
			*from_table_ret = true;
		return NULL;
	}
	return err;
}

static bool
lookup_symbol(struct parser *ps, const char *name, uint64_t *addr)
{
	struct vd_symbol_info sym;
	struct vd_error *err = vd_session_lookup_symbol(ps->s, name, &sym);

	if (err) {
		vd_error_destroy(err);
		return false;
	}
	*addr = sym.addr;
	return true;
}

static struct vd_error *
symbol_value(struct parser *ps, const char *name, struct vd_value *ret)
{
	struct vd_qualified_type qt = { 0 };
	struct vd_symbol_info sym;
	struct vd_error *err;
	bool from_table = false;
	uint64_t addr;

	err = vd_session_lookup_symbol(ps->s, name, &sym);
	if (err) {
		// No symbol of the name, but a variable the vmlinux's DWARF places
		// (gdb and drgn read it there too): arm64's vmemmap_base is the KVM
		// nVHE hypervisor's static, named __kvm_nvhe_vmemmap_base in the
		// symbol table by the nVHE build's prefixing of its symbols.
		vd_error_destroy(err);
		err = vd_session_find_object_address(ps->s, name, &addr);
		if (err) {
			vd_error_destroy(err);
			return vd_error_create(VD_ERR_LOOKUP, "no symbol '%s'", name);
		}
		sym = (struct vd_symbol_info){ .name = name, .addr = addr, .type = 'd',
					       .source = "DWARF" };
	}
	addr = sym.addr;
	err = vd_expr_variable_type(ps->s, name, &qt, &from_table);
	if (err) {
		// Unknown type: the symbol still has an address.
		vd_error_destroy(err);
		qt = (struct vd_qualified_type){ 0 };
	}
	*ret = (struct vd_value){ .type = qt, .lvalue = true, .as = ps->env->as,
				  .addr = addr, .type_from_table = from_table };
	snprintf(ret->symbol, sizeof(ret->symbol), "%s", name);
	ret->symbol_type = sym.type;
	return NULL;
}

static bool
all_hex(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)p[i]))
			return false;
	return n > 0;
}

static struct vd_error *
parse_number(struct parser *ps, int base, struct vd_value *ret)
{
	const char *start = ps->p;
	uint64_t v = 0;
	int b = base;

	if (ps->p[0] == '0' && (ps->p[1] == 'x' || ps->p[1] == 'X')) {
		b = 16;
		ps->p += 2;
	}
	if (!isxdigit((unsigned char)*ps->p))
		return syntax(ps, "a number expected");
	while (isalnum((unsigned char)*ps->p)) {
		int d = isdigit((unsigned char)*ps->p) ? *ps->p - '0' :
			isxdigit((unsigned char)*ps->p) ? tolower((unsigned char)*ps->p) - 'a' + 10 : 99;

		if (d >= b) {
			ps->p = start;
			return syntax(ps, b == 16 ? "not a hex number" : "not a number");
		}
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)b) {
			ps->p = start;
			return syntax(ps, "number too large");
		}
		v = v * (uint64_t)b + (uint64_t)d;
		ps->p++;
	}
	*ret = (struct vd_value){ .v = v };
	return NULL;
}

/*
 * A C type name between parentheses, for a cast: "(struct task_struct *)".
 * False when the parentheses hold no type name; *err_ret when they hold
 * one the session does not know.
 */
static bool
try_cast_type(struct parser *ps, struct vd_qualified_type *ret, struct vd_error **err_ret)
{
	static const char *const keywords[] = { "struct ", "union ", "enum ", "unsigned",
						"signed", "char", "short", "int", "long",
						"const ", "volatile ", "void", "_Bool",
						"bool" };
	const char *q = ps->p, *close;
	char name[256];
	size_t n;
	bool keyword = false;
	struct vd_error *err;

	close = strchr(q, ')');
	if (!close || (size_t)(close - q) >= sizeof(name))
		return false;
	n = (size_t)(close - q);
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)q[i]) && q[i] != '_' && q[i] != ' ' && q[i] != '*')
			return false;
	memcpy(name, q, n);
	name[n] = '\0';
	for (size_t i = 0; i < VD_ARRAY_SIZE(keywords); i++)
		keyword |= !strncmp(name, keywords[i], strlen(keywords[i]));
	if (!keyword) {
		// A typedef name ("pgd_t *"), unless it is a symbol too.
		char word[NAME_MAX_LEN + 1];
		size_t wl = ident_len(name);
		uint64_t addr;

		if (!wl || wl > NAME_MAX_LEN)
			return false;
		memcpy(word, name, wl);
		word[wl] = '\0';
		if (!strchr(name, '*') && lookup_symbol(ps, word, &addr))
			return false;
	}
	err = vd_session_find_type(ps->s, name, ret);
	if (err) {
		if (keyword || strchr(name, '*'))
			*err_ret = err;     // surely a cast: say why it fails
		else
			vd_error_destroy(err);
		return false;
	}
	ps->p = close + 1;
	return true;
}

static struct vd_error *
cast(struct parser *ps, struct vd_qualified_type to, struct vd_value *v)
{
	const struct vd_type *t = strip(to), *from = strip(v->type);
	struct vd_error *err;
	uint64_t bits;

	if (t && (t->kind == VD_TYPE_STRUCT || t->kind == VD_TYPE_UNION ||
		  t->kind == VD_TYPE_ARRAY)) {
		// (struct x)ADDR is not C; as in crash's struct command, the
		// object at that address.
		if (v->lvalue && !(from && (from->kind == VD_TYPE_INT ||
					    from->kind == VD_TYPE_POINTER))) {
			v->type = to;
			return NULL;
		}
		err = vd_value_read_u64(ps->s, v, &bits);
		if (err)
			return err;
		*v = (struct vd_value){ .type = to, .lvalue = true, .as = ps->env->as,
					.addr = bits };
		return NULL;
	}
	if (v->lvalue && (!from || from->kind == VD_TYPE_ARRAY || from->kind == VD_TYPE_STRUCT ||
			  from->kind == VD_TYPE_UNION || from->kind == VD_TYPE_FUNCTION ||
			  v->symbol[0])) {
		// (T *)symbol: the address of an object or a bare symbol.
		if (v->symbol[0] && from && (from->kind == VD_TYPE_INT ||
					     from->kind == VD_TYPE_POINTER) &&
		    ps->env->mode == VD_EXPR_VALUE) {
			err = vd_value_read_u64(ps->s, v, &bits);
			if (err)
				return err;
		} else {
			bits = v->addr;
		}
	} else {
		err = vd_value_read_u64(ps->s, v, &bits);
		if (err)
			return err;
	}
	if (t && t->kind == VD_TYPE_INT && t->size < 8) {
		bits &= (1ull << (8 * t->size)) - 1;
		if (t->is_signed && (bits >> (8 * t->size - 1)) & 1)
			bits |= ~0ull << (8 * t->size);
	}
	*v = rvalue(to, bits);
	return NULL;
}

static struct vd_error *
parse_primary(struct parser *ps, struct vd_value *ret)
{
	struct vd_error *err;
	size_t n;

	skip_space(ps);
	if (*ps->p == '(') {
		ps->p++;
		skip_space(ps);
		{
			struct vd_qualified_type to;

			err = NULL;
			if (try_cast_type(ps, &to, &err)) {
				err = parse_unary(ps, ret);
				return err ? err : cast(ps, to, ret);
			}
			if (err)
				return err;
		}
		err = parse_expr(ps, ret);
		if (err)
			return err;
		skip_space(ps);
		if (*ps->p != ')')
			return syntax(ps, "')' expected");
		ps->p++;
		return NULL;
	}
	if (*ps->p == '$') {
		char name[NAME_MAX_LEN + 1];

		ps->p++;
		n = ident_len(ps->p);
		if (!n && isdigit((unsigned char)*ps->p))
			while (isdigit((unsigned char)ps->p[n]))
				n++;
		if (!n || n > NAME_MAX_LEN)
			return syntax(ps, "a variable name expected after '$'");
		memcpy(name, ps->p, n);
		name[n] = '\0';
		ps->p += n;
		if (!ps->env->var)
			return vd_error_create(VD_ERR_LOOKUP, "no variable $%s here", name);
		return ps->env->var(ps->env->var_priv, name, ret);
	}
	if (isdigit((unsigned char)*ps->p))
		return parse_number(ps, ps->env->mode == VD_EXPR_ADDRESS ? 16 : 10, ret);
	n = ident_len(ps->p);
	if (n) {
		char name[NAME_MAX_LEN + 1];
		uint64_t addr;

		if (n > NAME_MAX_LEN)
			return syntax(ps, "name too long");
		// "sizeof(TYPE)" / "sizeof EXPR"
		if (n == 6 && !strncmp(ps->p, "sizeof", 6))
			return syntax(ps, "sizeof is not supported here; use 'whatis'");
		memcpy(name, ps->p, n);
		name[n] = '\0';
		// Symbols may carry GCC's suffixes: "foo.cold", "bar.constprop.0".
		while (ps->p[n] == '.' && is_ident(ps->p[n + 1])) {
			size_t m = n + 1;
			char longer[NAME_MAX_LEN + 1];

			while (isalnum((unsigned char)ps->p[m]) || ps->p[m] == '_')
				m++;
			if (m > NAME_MAX_LEN)
				break;
			memcpy(longer, ps->p, m);
			longer[m] = '\0';
			if (!lookup_symbol(ps, longer, &addr))
				break;
			memcpy(name, longer, m + 1);
			n = m;
		}
		// Bare hex where an address goes: a symbol of that name wins.
		if (ps->env->mode == VD_EXPR_ADDRESS && all_hex(name, n) &&
		    !lookup_symbol(ps, name, &addr))
			return parse_number(ps, 16, ret);
		ps->p += n;
		return symbol_value(ps, name, ret);
	}
	if (!*ps->p)
		return syntax(ps, "unexpected end");
	return syntax(ps, "unexpected character");
}

static struct vd_error *
parse_postfix(struct parser *ps, struct vd_value *v)
{
	struct vd_error *err = parse_primary(ps, v);

	while (!err) {
		char name[NAME_MAX_LEN + 1];
		bool arrow;
		size_t n;

		skip_space(ps);
		if (*ps->p == '[') {
			struct vd_value idx;

			ps->p++;
			err = parse_expr(ps, &idx);
			if (err)
				return err;
			skip_space(ps);
			if (*ps->p != ']')
				return syntax(ps, "']' expected");
			ps->p++;
			err = index_value(ps, v, &idx);
			continue;
		}
		arrow = ps->p[0] == '-' && ps->p[1] == '>';
		if (!arrow && ps->p[0] != '.')
			return NULL;
		ps->p += arrow ? 2 : 1;
		skip_space(ps);
		n = ident_len(ps->p);
		if (!n || n > NAME_MAX_LEN)
			return syntax(ps, "a member name expected");
		memcpy(name, ps->p, n);
		name[n] = '\0';
		ps->p += n;
		err = member(ps, v, name, arrow);
	}
	return err;
}

/* An integer for arithmetic: a bare symbol where an address goes is its address. */
static struct vd_error *
arith_operand(struct parser *ps, const struct vd_value *v, uint64_t *ret, bool *is_ptr,
	      uint64_t *scale)
{
	const struct vd_type *t = strip(v->type);

	*is_ptr = false;
	*scale = 1;
	if (v->lvalue && (v->symbol[0] && (ps->env->mode == VD_EXPR_ADDRESS || !t))) {
		*ret = v->addr;
		return NULL;
	}
	if (v->lvalue && t && (t->kind == VD_TYPE_ARRAY || t->kind == VD_TYPE_FUNCTION)) {
		const struct vd_type *e = t->kind == VD_TYPE_ARRAY ? strip(t->target) : NULL;

		*is_ptr = true;
		*scale = e && e->size ? e->size : 1;
		*ret = v->addr;
		return NULL;
	}
	if (t && t->kind == VD_TYPE_POINTER) {
		const struct vd_type *e = strip(t->target);

		*is_ptr = true;
		*scale = e && e->size ? e->size : 1;
	} else if (!v->type.type && v->pointee.type) {
		const struct vd_type *e = strip(v->pointee);

		*is_ptr = true;
		*scale = e && e->size ? e->size : 1;
	}
	return vd_value_read_u64(ps->s, v, ret);
}

static struct vd_error *
parse_unary(struct parser *ps, struct vd_value *ret)
{
	struct vd_error *err;
	char op;

	skip_space(ps);
	if (++ps->depth > EXPR_DEPTH_MAX)
		return syntax(ps, "nested too deeply");
	op = *ps->p;
	if (op == '&' || op == '*' || op == '-' || op == '~' || op == '!' || op == '+') {
		ps->p++;
		err = parse_unary(ps, ret);
		ps->depth--;
		if (err)
			return err;
		if (op == '&') {
			const struct vd_type *pt;

			if (!ret->lvalue)
				return vd_error_create(VD_ERR_TYPE, "'&' of a value not in memory");
			if (ret->bit_field_size)
				return vd_error_create(VD_ERR_TYPE, "'&' of a bit field");
			pt = ret->type.type ? vd_session_pointer_type(ps->s, ret->type) : NULL;
			*ret = (struct vd_value){ .type = { pt, 0 }, .v = ret->addr,
						  .pointee = pt ? (struct vd_qualified_type){ 0 } :
						  ret->type };
			return NULL;
		}
		if (op == '*')
			return deref(ps, ret);
		if (op != '+') {
			uint64_t x;
			bool is_ptr;
			uint64_t scale;

			err = arith_operand(ps, ret, &x, &is_ptr, &scale);
			if (err)
				return err;
			*ret = rvalue(is_ptr ? (struct vd_qualified_type){ 0 } : ret->type,
				      op == '-' ? (uint64_t)0 - x : op == '~' ? ~x : !x);
			if (op == '!')
				ret->type = (struct vd_qualified_type){ 0 };
		}
		return NULL;
	}
	err = parse_postfix(ps, ret);
	ps->depth--;
	return err;
}

static int
precedence(const char *p, int *len)
{
	*len = 1;
	if ((p[0] == '<' && p[1] == '<') || (p[0] == '>' && p[1] == '>')) {
		*len = 2;
		return 4;
	}
	switch (p[0]) {
	case '*': case '/': case '%': return 6;
	case '+': return 5;
	case '-': return p[1] == '>' ? -1 : 5;
	case '&': return p[1] == '&' ? -1 : 3;
	case '^': return 2;
	case '|': return p[1] == '|' ? -1 : 1;
	default: return -1;
	}
}

static struct vd_error *
binary(struct parser *ps, const char *op, struct vd_value *l, const struct vd_value *r)
{
	uint64_t a, b, sa, sb, v;
	bool pa, pb;
	struct vd_error *err;
	struct vd_qualified_type type = { 0 };
	bool is_signed = is_signed_value(l) || is_signed_value(r);

	err = arith_operand(ps, l, &a, &pa, &sa);
	if (!err)
		err = arith_operand(ps, r, &b, &pb, &sb);
	if (err)
		return err;
	// C's pointer arithmetic: pointer +- integer scales by the target size.
	if ((op[0] == '+' || op[0] == '-') && pa && !pb) {
		b *= sa;
		type = l->type.type ? l->type : (struct vd_qualified_type){ 0 };
		if (!type.type && l->pointee.type) {
			const struct vd_type *pt = vd_session_pointer_type(ps->s, l->pointee);

			type.type = pt;
		}
		if (strip(l->type) && strip(l->type)->kind == VD_TYPE_ARRAY)
			type = (struct vd_qualified_type){
				vd_session_pointer_type(ps->s, strip(l->type)->target), 0 };
	} else if (op[0] == '+' && pb && !pa) {
		a *= sb;
		type = r->type;
	} else if (op[0] == '-' && pa && pb) {
		v = sa ? (a - b) / sa : a - b;
		*l = rvalue((struct vd_qualified_type){ 0 }, v);
		return NULL;
	} else if (!pa && !pb) {
		const struct vd_type *lt = strip(l->type);

		// Integer arithmetic keeps the left operand's type when it is
		// an integer that was read (not a bare symbol's address).
		if (lt && lt->kind == VD_TYPE_INT && !(l->symbol[0] &&
							 ps->env->mode == VD_EXPR_ADDRESS))
			type = l->type;
	}
	switch (op[0]) {
	case '*': v = a * b; break;
	case '/': case '%':
		if (!b)
			return vd_error_create(VD_ERR_INVALID_ARG, "'%s': division by zero",
					       ps->text);
		if (is_signed && b == UINT64_MAX)   // x / -1: INT64_MIN / -1 traps
			v = op[0] == '/' ? (uint64_t)0 - a : 0;
		else if (is_signed)
			v = op[0] == '/' ? (uint64_t)((int64_t)a / (int64_t)b) :
					   (uint64_t)((int64_t)a % (int64_t)b);
		else
			v = op[0] == '/' ? a / b : a % b;
		break;
	case '+': v = a + b; break;
	case '-': v = a - b; break;
	case '<': v = b >= 64 ? 0 : a << b; break;
	case '>':
		v = b >= 64 ? (is_signed && (int64_t)a < 0 ? UINT64_MAX : 0) :
		    is_signed ? (uint64_t)((int64_t)a >> b) : a >> b;
		break;
	case '&': v = a & b; break;
	case '^': v = a ^ b; break;
	default: v = a | b; break;
	}
	*l = rvalue(type, v);
	return NULL;
}

static struct vd_error *
parse_binary(struct parser *ps, int min_prec, struct vd_value *l)
{
	struct vd_error *err = parse_unary(ps, l);

	while (!err) {
		struct vd_value r;
		char op[3];
		int len, prec;

		skip_space(ps);
		prec = precedence(ps->p, &len);
		if (prec < 0 || prec < min_prec)
			return NULL;
		memcpy(op, ps->p, (size_t)len);
		op[len] = '\0';
		ps->p += len;
		err = parse_binary(ps, prec + 1, &r);
		if (!err)
			err = binary(ps, op, l, &r);
	}
	return err;
}

static struct vd_error *
parse_expr(struct parser *ps, struct vd_value *ret)
{
	struct vd_error *err;

	if (++ps->depth > EXPR_DEPTH_MAX)
		return syntax(ps, "nested too deeply");
	err = parse_binary(ps, 1, ret);
	ps->depth--;
	return err;
}

struct vd_error *
vd_expr_eval(struct vd_session *s, const char *text, const struct vd_expr_env *env,
	     struct vd_value *ret)
{
	struct vd_expr_env def = { .mode = VD_EXPR_VALUE, .as = VD_AS_KVIRT };
	struct parser ps = { .s = s, .env = env ? env : &def, .text = text, .p = text };
	struct vd_error *err;

	if (strlen(text) > 4096)
		return vd_error_create(VD_ERR_INVALID_ARG, "expression too long");
	err = parse_expr(&ps, ret);
	if (err)
		return err;
	skip_space(&ps);
	if (*ps.p)
		return syntax(&ps, "unexpected text");
	return NULL;
}

struct vd_error *
vd_expr_address(struct vd_session *s, const char *text, const struct vd_expr_env *env,
		uint64_t *ret)
{
	struct vd_expr_env def = { .mode = VD_EXPR_ADDRESS, .as = VD_AS_KVIRT };
	struct vd_value v;
	const struct vd_type *t;
	struct vd_error *err;

	err = vd_expr_eval(s, text, env ? env : &def, &v);
	if (err)
		return err;
	t = strip(v.type);
	if (v.lvalue && (v.symbol[0] || !t || t->kind == VD_TYPE_STRUCT ||
			 t->kind == VD_TYPE_UNION || t->kind == VD_TYPE_ARRAY ||
			 t->kind == VD_TYPE_FUNCTION)) {
		*ret = v.addr;
		return NULL;
	}
	return vd_value_read_u64(s, &v, ret);
}
