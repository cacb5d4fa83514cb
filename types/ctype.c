// SPDX-License-Identifier: MIT
/*
 * The type layer: C-name parsing, the source order (DWARF > BTF >
 * VMCOREINFO), a name cache, pointer types, member paths, and printing
 * type names.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "ctype_priv.h"
#include "kernel/session_priv.h"

/* Nesting bound for member paths and type chains in hostile type data. */
#define TYPE_DEPTH_MAX 64

/*
 * The dump's BTF behind a vmlinux's DWARF: made on first use.  With DWARF
 * it answers only names the DWARF lacks (and is the base of module BTF),
 * so a command that finds its types in the DWARF never reads the BTF
 * blob.  A failure to make it is added to the description then, as
 * setup_sources() adds the failures it sees.
 */
struct lazy_btf {
	struct vd_type_source base;
	struct vd_session *s;
	struct vd_type_source *real;
	bool tried;
};

static struct vd_type_source *
lazy_real(struct vd_type_source *src)
{
	struct lazy_btf *l = (struct lazy_btf *)src;
	struct vd_types *t = l->s->types;
	struct vd_error *err;

	if (l->tried)
		return l->real;
	l->tried = true;
	err = vd_btf_source_create(l->s, &l->real);
	if (err) {
		size_t len = strlen(t->desc);

		l->real = NULL;
		if (err != &vd_noprobe && len + 4 < sizeof(t->desc))
			snprintf(t->desc + len, sizeof(t->desc) - len, " (%s) ", err->msg);
		vd_error_destroy(err);
	}
	return l->real;
}

static struct vd_error *
lazy_find(struct vd_type_source *src, enum vd_type_kind kind, const char *name,
	  struct vd_qualified_type *ret)
{
	struct vd_type_source *r = lazy_real(src);

	return r ? r->find(r, kind, name, ret) : vd_error_create(VD_ERR_LOOKUP, "no BTF");
}

static struct vd_error *
lazy_find_enumerator(struct vd_type_source *src, const char *name,
		     struct vd_qualified_type *ret, int64_t *value_ret)
{
	struct vd_type_source *r = lazy_real(src);

	return r && r->find_enumerator ? r->find_enumerator(r, name, ret, value_ret) :
	       vd_error_create(VD_ERR_LOOKUP, "no BTF");
}

static void
lazy_names(struct vd_type_source *src, const char *prefix,
	   bool (*cb)(void *priv, enum vd_type_kind kind, const char *name), void *priv)
{
	struct vd_type_source *r = lazy_real(src);

	if (r && r->names)
		r->names(r, prefix, cb, priv);
}

static void
lazy_destroy(struct vd_type_source *src)
{
	struct lazy_btf *l = (struct lazy_btf *)src;

	if (l->real)
		l->real->destroy(l->real);
	free(l);
}

static struct vd_error *
lazy_btf_create(struct vd_session *s, struct vd_type_source **ret)
{
	struct lazy_btf *l = calloc(1, sizeof(*l));

	if (!l)
		return &vd_enomem;
	// No fill: the types it hands out are the real source's, filled by
	// it; no find_object: BTF has none.
	l->base = (struct vd_type_source){ .name = "BTF in the dump", .find = lazy_find,
					   .names = lazy_names, .destroy = lazy_destroy,
					   .find_enumerator = lazy_find_enumerator };
	l->s = s;
	*ret = &l->base;
	return NULL;
}

struct vd_type_source *
vd_types_kernel_btf(struct vd_session *s)
{
	struct vd_types *t = s->types;

	for (size_t i = 0; t && i < t->nkernel; i++) {
		if (vd_btf_source_is(t->sources[i]))
			return t->sources[i];
		if (t->sources[i]->destroy == lazy_destroy)
			return lazy_real(t->sources[i]);
	}
	return NULL;
}

static void
setup_sources(struct vd_session *s)
{
	struct vd_types *t = s->types;
	struct vd_error *(*const makers[])(struct vd_session *,
					   struct vd_type_source **) = {
		// A vmlinux with DWARF: everything (dwarf/, through the hook).
		s->hooks ? s->hooks->kernel_dwarf_types : NULL,
		vd_btf_source_create,
		vd_vmcoreinfo_source_create,
		// Last, names the kernel lacks: the modules' (modules/,
		// through the session's hook).
		s->hooks ? s->hooks->module_types : NULL,
	};
	const size_t modules = VD_ARRAY_SIZE(makers) - 1;
	size_t len = 0;

	t->void_type = (struct vd_type){ .kind = VD_TYPE_VOID, .name = "void",
					 .complete = true, .source = "C" };
	for (size_t i = 0; i < VD_ARRAY_SIZE(makers); i++) {
		struct vd_type_source *src;
		struct vd_error *err;

		// Modules' types need the kernel's (struct module, the
		// vmlinux BTF their BTF continues).
		if (i == modules && !t->nsources)
			break;
		if (!makers[i])
			continue;
		// Behind DWARF, the BTF is made when first asked.
		err = makers[i] == vd_btf_source_create && t->nsources ? lazy_btf_create(s, &src) :
		      makers[i](s, &src);

		if (err) {
			// A source that fails is skipped; say why in the description.
			if (err != &vd_noprobe)
				len += (size_t)snprintf(t->desc + len,
							len < sizeof(t->desc) ? sizeof(t->desc) - len : 0,
							"%s(%s) ", len ? "; " : "", err->msg);
			vd_error_destroy(err);
			continue;
		}
		t->sources[t->nsources++] = src;
		if (i < modules)
			t->nkernel = t->nsources;
	}
	if (t->nsources) {
		char failed[sizeof(t->desc)];

		memcpy(failed, t->desc, sizeof(failed));
		len = (size_t)snprintf(t->desc, sizeof(t->desc), "%s",
				       t->sources[0]->name);
		if (failed[0] && len < sizeof(t->desc))
			snprintf(t->desc + len, sizeof(t->desc) - len, " %.*s", (int)(sizeof(t->desc) - len - 2), failed);
	} else if (!len) {
		snprintf(t->desc, sizeof(t->desc), "none");
	}
}

/*
 * The type layer's state, its sources set up on first use.  The state
 * exists before the sources are made: a source that looks up types while
 * it is made (module types need struct module) sees the ones before it.
 */
static struct vd_types *
types_of(struct vd_session *s)
{
	if (!s->types) {
		s->types = calloc(1, sizeof(*s->types));
		if (!s->types)
			return NULL;
		setup_sources(s);
	}
	return s->types;
}

const char *
vd_session_type_source(struct vd_session *s)
{
	struct vd_types *t = types_of(s);

	return t ? t->desc : "none (out of memory)";
}

void
vd_types_destroy(struct vd_types *t)
{
	if (!t)
		return;
	// Last first: the modules' BTF continues the vmlinux BTF source's.
	for (size_t i = t->nsources; i-- > 0;)
		t->sources[i]->destroy(t->sources[i]);
	for (size_t i = 0; i < t->ncache; i++)
		free(t->cache[i].name);
	free(t->cache);
	free(t->ptrs);
	vd_arena_deinit(&t->arena);
	free(t);
}

struct names_ctx {
	bool (*cb)(void *priv, enum vd_type_kind kind, const char *name);
	void *priv;
	bool stopped;
};

static bool
names_cb(void *priv, enum vd_type_kind kind, const char *name)
{
	struct names_ctx *c = priv;

	if (!c->cb(c->priv, kind, name))
		c->stopped = true;
	return !c->stopped;
}

void
vd_session_type_names(struct vd_session *s, const char *prefix,
		      bool (*cb)(void *priv, enum vd_type_kind kind, const char *name),
		      void *priv)
{
	struct vd_types *t = types_of(s);
	struct names_ctx c = { cb, priv, false };
	struct vd_type_source *btf = NULL;

	if (!t)
		return;
	for (size_t i = 0; i < t->nkernel && !c.stopped; i++)
		if (t->sources[i]->names)
			t->sources[i]->names(t->sources[i], prefix ? prefix : "", names_cb, &c);
	// With a vmlinux the sources are DWARF's: the dump's BTF names the
	// same kernel's types.
	if (!c.stopped && t->nkernel && !t->sources[0]->names &&
	    !vd_btf_source_create(s, &btf)) {
		if (btf->names)
			btf->names(btf, prefix ? prefix : "", names_cb, &c);
		btf->destroy(btf);
	}
}

const struct vd_type *
vd_types_pointer_to(struct vd_session *s, struct vd_qualified_type target)
{
	struct vd_types *t = types_of(s);
	struct vd_type *ptr;
	uint32_t psize = vd_session_info(s)->ptr_size;

	if (!t)
		return NULL;
	for (size_t i = 0; i < t->nptrs; i++)
		if (t->ptrs[i].target == target.type &&
		    t->ptrs[i].qualifiers == target.qualifiers)
			return t->ptrs[i].ptr;
	if (t->nptrs == t->ptrs_cap) {
		size_t cap = t->ptrs_cap ? 2 * t->ptrs_cap : 16;
		void *p = realloc(t->ptrs, cap * sizeof(*t->ptrs));

		if (!p)
			return NULL;
		t->ptrs = p;
		t->ptrs_cap = cap;
	}
	ptr = vd_arena_alloc(&t->arena, sizeof(*ptr));
	if (!ptr)
		return NULL;
	*ptr = (struct vd_type){ .kind = VD_TYPE_POINTER, .size = psize ? psize : 8,
				 .target = target, .complete = true,
				 .source = target.type->source,
				 .module = target.type->module };
	t->ptrs[t->nptrs].target = target.type;
	t->ptrs[t->nptrs].qualifiers = target.qualifiers;
	t->ptrs[t->nptrs].ptr = ptr;
	t->nptrs++;
	return ptr;
}

const struct vd_type *
vd_session_pointer_type(struct vd_session *s, struct vd_qualified_type target)
{
	return target.type ? vd_types_pointer_to(s, target) : NULL;
}

const struct vd_type *
vd_session_array_type(struct vd_session *s, struct vd_qualified_type elem,
		      uint64_t length)
{
	const struct vd_type *e = vd_type_unqualified(elem.type);
	struct vd_types *t = types_of(s);
	struct vd_type *arr;

	if (!t || !e || (e->size && length > UINT64_MAX / e->size))
		return NULL;
	arr = vd_arena_alloc(&t->arena, sizeof(*arr));
	if (!arr)
		return NULL;
	*arr = (struct vd_type){ .kind = VD_TYPE_ARRAY, .size = e->size * length,
				 .target = elem, .length = length, .complete = true,
				 .source = elem.type->source, .module = elem.type->module };
	return arr;
}

static struct vd_error *
find_in_sources(struct vd_session *s, size_t nsrc, enum vd_type_kind kind,
		const char *name, struct vd_qualified_type *ret)
{
	struct vd_types *t = s->types;

	for (size_t i = 0; i < nsrc; i++) {
		struct vd_error *err = t->sources[i]->find(t->sources[i], kind,
							   name, ret);

		if (!err || err->code != VD_ERR_LOOKUP)
			return err;
		vd_error_destroy(err);
	}
	return &vd_noprobe;   // not found anywhere; the caller words the error
}

static bool
is_base_type_name(const char *name)
{
	static const char *const words[] = { "char", "short", "int", "long",
					     "signed", "unsigned", "_Bool",
					     "float", "double", "__int128" };
	char buf[128], *save = NULL, *w;

	snprintf(buf, sizeof(buf), "%s", name);
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		bool known = false;

		for (size_t i = 0; i < VD_ARRAY_SIZE(words); i++)
			known |= !strcmp(w, words[i]);
		if (!known)
			return false;
	}
	return true;
}

/* Look up "struct x", "x", "unsigned long" (no pointer suffix). */
static struct vd_error *
find_named(struct vd_session *s, size_t nsrc, const char *name,
	   struct vd_qualified_type *ret)
{
	static const struct {
		const char *prefix;
		enum vd_type_kind kind;
	} tags[] = {
		{ "struct ", VD_TYPE_STRUCT },
		{ "union ", VD_TYPE_UNION },
		{ "enum ", VD_TYPE_ENUM },
	};
	static const enum vd_type_kind bare[] = { VD_TYPE_STRUCT, VD_TYPE_UNION,
						  VD_TYPE_TYPEDEF, VD_TYPE_ENUM };
	struct vd_error *err;

	if (!strcmp(name, "void")) {
		*ret = (struct vd_qualified_type){ &s->types->void_type, 0 };
		return NULL;
	}
	for (size_t i = 0; i < VD_ARRAY_SIZE(tags); i++)
		if (!strncmp(name, tags[i].prefix, strlen(tags[i].prefix)))
			return find_in_sources(s, nsrc, tags[i].kind,
					       name + strlen(tags[i].prefix), ret);
	if (is_base_type_name(name)) {
		err = find_in_sources(s, nsrc, VD_TYPE_INT, name, ret);
		if (err == &vd_noprobe)
			err = find_in_sources(s, nsrc, VD_TYPE_FLOAT, name, ret);
		return err;
	}
	// "task_struct" alone means the struct, as crash reads it, then a
	// union, typedef ("pgd_t"), enum.  A source that can answer all four
	// at once does (DWARF: one scan, not four); the first source that
	// knows the name wins.
	for (size_t i = 0; i < nsrc; i++) {
		struct vd_type_source *src = s->types->sources[i];

		for (size_t k = 0; k < VD_ARRAY_SIZE(bare); k++) {
			err = src->find_bare ? src->find_bare(src, name, ret) :
					       src->find(src, bare[k], name, ret);
			if (!err || err->code != VD_ERR_LOOKUP)
				return err;
			vd_error_destroy(err);
			if (src->find_bare)
				break;
		}
	}
	return &vd_noprobe;
}

static struct vd_error *
cache_put(struct vd_types *t, const char *name, struct vd_qualified_type type)
{
	if (t->ncache == t->cache_cap) {
		size_t cap = t->cache_cap ? 2 * t->cache_cap : 32;
		void *p = realloc(t->cache, cap * sizeof(*t->cache));

		if (!p)
			return &vd_enomem;
		t->cache = p;
		t->cache_cap = cap;
	}
	t->cache[t->ncache].name = strdup(name);
	if (!t->cache[t->ncache].name)
		return &vd_enomem;
	t->cache[t->ncache++].type = type;
	return NULL;
}

struct vd_error *
vd_session_find_type(struct vd_session *s, const char *name,
		     struct vd_qualified_type *ret)
{
	struct vd_types *t = types_of(s);
	struct vd_qualified_type type;
	char base[256];
	size_t len, stars = 0;
	struct vd_error *err;

	if (!t)
		return &vd_enomem;
	for (size_t i = 0; i < t->ncache; i++)
		if (!strcmp(t->cache[i].name, name)) {
			*ret = t->cache[i].type;
			return NULL;
		}
	// Normalize: trim, count trailing '*', squeeze spaces.
	while (isspace((unsigned char)*name))
		name++;
	len = strlen(name);
	if (len >= sizeof(base))
		return vd_error_create(VD_ERR_INVALID_ARG, "type name too long");
	memcpy(base, name, len + 1);
	while (len && (base[len - 1] == '*' || isspace((unsigned char)base[len - 1]))) {
		stars += base[len - 1] == '*';
		base[--len] = '\0';
	}
	if (!len)
		return vd_error_create(VD_ERR_INVALID_ARG, "empty type name");
	err = find_named(s, t->nsources, base, &type);
	if (err == &vd_noprobe)
		return vd_error_create(VD_ERR_LOOKUP, "no type '%s' in %s", base,
				       t->nsources ? t->desc : "any type source (none available)");
	if (err)
		return err;
	for (size_t i = 0; i < stars; i++) {
		const struct vd_type *p = vd_types_pointer_to(s, type);

		if (!p)
			return &vd_enomem;
		type = (struct vd_qualified_type){ p, 0 };
	}
	err = cache_put(t, name, type);
	if (err)
		return err;
	*ret = type;
	return NULL;
}

/*
 * A type the kernel itself defines: the kernel's sources only, never the
 * modules'.  Walkers ask this way, so that listing the modules (which the
 * modules' types need) never asks the modules' types (docs/design.md §2).
 */
struct vd_error *
vd_types_find_kernel(struct vd_session *s, const char *name,
		     struct vd_qualified_type *ret)
{
	struct vd_types *t = types_of(s);
	struct vd_error *err;

	if (!t)
		return &vd_enomem;
	for (size_t i = 0; i < t->ncache; i++)
		if (!strcmp(t->cache[i].name, name) && !t->cache[i].type.type->module) {
			*ret = t->cache[i].type;
			return NULL;
		}
	err = find_named(s, t->nkernel, name, ret);
	if (err == &vd_noprobe)
		return vd_error_create(VD_ERR_LOOKUP, "no type '%s' in %s", name,
				       t->nsources ? t->desc : "any type source (none available)");
	if (!err && (err = cache_put(t, name, *ret)))
		return err;
	return err;
}

struct vd_error *
vd_session_percpu_offset(struct vd_session *s, const char *name, uint64_t *off)
{
	struct vd_types *t = types_of(s);

	if (!t)
		return &vd_enomem;
	for (size_t i = 0; i < t->nkernel; i++)
		if (vd_btf_source_is(t->sources[i]))
			return vd_btf_percpu_offset(t->sources[i], name, off);
	return vd_error_create(VD_ERR_LOOKUP, "per-CPU offsets need the kernel's BTF (%s)",
			       t->nsources ? t->desc : "no type source");
}

struct vd_error *
vd_session_find_object_type(struct vd_session *s, const char *name,
			    struct vd_qualified_type *ret)
{
	struct vd_types *t = types_of(s);
	bool asked = false;

	if (!t)
		return &vd_enomem;
	for (size_t i = 0; i < t->nsources; i++) {
		struct vd_error *err;

		if (!t->sources[i]->find_object)
			continue;
		asked = true;
		err = t->sources[i]->find_object(t->sources[i], name, ret);
		if (!err || err->code != VD_ERR_LOOKUP)
			return err;
		vd_error_destroy(err);
	}
	if (!asked)
		return vd_error_create(VD_ERR_LOOKUP,
				       "the type of '%s' needs DWARF (give --vmlinux): %s describes types, not variables",
				       name, t->nsources ? t->desc : "no type source");
	return vd_error_create(VD_ERR_LOOKUP, "no variable or function '%s' in %s", name,
			       t->desc);
}

struct vd_error *
vd_session_find_object_address(struct vd_session *s, const char *name, uint64_t *ret)
{
	struct vd_types *t = types_of(s);
	uint64_t offset = 0;
	bool asked = false;

	if (!t)
		return &vd_enomem;
	// The kernel's sources only: a module's DWARF has section-relative addresses.
	for (size_t i = 0; i < t->nkernel; i++) {
		struct vd_error *err;
		uint64_t addr;

		if (!t->sources[i]->find_object_address)
			continue;
		asked = true;
		err = t->sources[i]->find_object_address(t->sources[i], name, &addr);
		if (!err) {
			// Link-time, like the vmlinux's symbols: moved by the KASLR slide.
			vd_session_number(s, "KERNELOFFSET", &offset);
			*ret = addr + offset;
			return NULL;
		}
		if (err->code != VD_ERR_LOOKUP)
			return err;
		vd_error_destroy(err);
	}
	return vd_error_create(VD_ERR_LOOKUP, asked ? "no variable '%s' with a static address in %s" :
			       "the address of variable '%s' needs DWARF (give --vmlinux): %s has none",
			       name, t->nsources ? t->desc : "no type source");
}

struct vd_error *
vd_session_find_enumerator(struct vd_session *s, const char *name,
			   struct vd_qualified_type *ret, int64_t *value_ret)
{
	struct vd_types *t = types_of(s);

	if (!t)
		return &vd_enomem;
	// The kernel's sources in order, then the modules'.
	for (size_t i = 0; i < t->nsources; i++) {
		struct vd_error *err;

		if (!t->sources[i]->find_enumerator)
			continue;
		err = t->sources[i]->find_enumerator(t->sources[i], name, ret, value_ret);
		if (!err || err->code != VD_ERR_LOOKUP)
			return err;
		vd_error_destroy(err);
	}
	return vd_error_create(VD_ERR_LOOKUP, "no enumerator '%s' in %s", name,
			       t->nsources ? t->desc : "no type source");
}

const struct vd_type *
vd_type_unqualified(const struct vd_type *type)
{
	for (int i = 0; type && type->kind == VD_TYPE_TYPEDEF && i < TYPE_DEPTH_MAX; i++)
		type = type->target.type;
	return type;
}

/*
 * Anonymous struct/union types already searched by one find_member() call.
 * BTF from a dump may make a struct's anonymous members refer back to the
 * struct itself, or share one anonymous type among many members: without
 * this, the search is exponential in the nesting depth.  A name not found
 * in a type is not found there at any offset, so each type is searched
 * once.  The table bounds the search too: past VISITED_MAX distinct
 * anonymous types (no real struct has that many), it stops.
 */
#define VISITED_MAX 512
struct member_search {
	const struct vd_type *visited[VISITED_MAX];
	size_t nvisited;
};

static bool
search_once(struct member_search *ms, const struct vd_type *type)
{
	for (size_t i = 0; i < ms->nvisited; i++)
		if (ms->visited[i] == type)
			return false;
	if (ms->nvisited == VISITED_MAX)
		return false;
	ms->visited[ms->nvisited++] = type;
	return true;
}

bool
vd_type_fill(const struct vd_type *type)
{
	struct vd_type *t = (struct vd_type *)type;   // filling is not a change
	struct vd_type_source *src;
	struct vd_error *err;

	if (!t || !(src = t->unfilled))
		return true;
	t->unfilled = NULL;      // once, whatever happens
	err = src->fill ? src->fill(src, t) : NULL;
	if (err) {
		vd_error_destroy(err);
		t->members = NULL;
		t->nmembers = 0;
		return false;
	}
	return true;
}

/* Find a direct or anonymous-nested member called name[len]. */
static bool
find_member_in(struct member_search *ms, const struct vd_type *type,
	       const char *name, size_t len, uint64_t base,
	       struct vd_member_info *ret, int depth)
{
	type = vd_type_unqualified(type);
	if (!type || (type->kind != VD_TYPE_STRUCT && type->kind != VD_TYPE_UNION) ||
	    depth > TYPE_DEPTH_MAX || !search_once(ms, type))
		return false;
	vd_type_fill(type);
	for (size_t i = 0; i < type->nmembers; i++) {
		const struct vd_member *m = &type->members[i];

		if (m->name && strlen(m->name) == len && !strncmp(m->name, name, len)) {
			*ret = (struct vd_member_info){ m->type, base + m->bit_offset,
							m->bit_field_size };
			return true;
		}
	}
	// Members of anonymous structs/unions are members of the parent
	// (direct members first: they shadow nothing, C forbids duplicates).
	for (size_t i = 0; i < type->nmembers; i++) {
		const struct vd_member *m = &type->members[i];

		if (!m->name && find_member_in(ms, m->type.type, name, len,
					       base + m->bit_offset, ret, depth + 1))
			return true;
	}
	return false;
}

static bool
find_member(const struct vd_type *type, const char *name, size_t len,
	    uint64_t base, struct vd_member_info *ret)
{
	struct member_search ms;

	ms.nvisited = 0;
	return find_member_in(&ms, type, name, len, base, ret, 0);
}

/*
 * One step of a member path: "name" or "[index]" from *pathp; *cur is
 * updated.  Returns false with *err on failure.
 */
static struct vd_error *
member_step(const char **pathp, struct vd_member_info *cur)
{
	const char *p = *pathp;
	const struct vd_type *t = vd_type_unqualified(cur->type.type);

	if (*p == '[') {
		char *end;
		unsigned long long idx = strtoull(p + 1, &end, 0);
		const struct vd_type *elem;

		if (*end != ']')
			return vd_error_create(VD_ERR_INVALID_ARG, "bad index in '%s'", p);
		if (!t || t->kind != VD_TYPE_ARRAY)
			return vd_error_create(VD_ERR_TYPE, "'%s': not an array", p);
		elem = t->target.type;
		if (t->length && idx >= t->length)
			return vd_error_create(VD_ERR_INVALID_ARG,
					       "index %llu past the array's %llu elements",
					       idx, (unsigned long long)t->length);
		cur->bit_offset += idx * vd_type_unqualified(elem)->size * 8;
		cur->type = t->target;
		*pathp = end + 1;
		return NULL;
	}
	{
		size_t len = strcspn(p, ".[-");

		if (!len)
			return vd_error_create(VD_ERR_INVALID_ARG, "bad member path at '%s'", p);
		if (!find_member(cur->type.type, p, len, cur->bit_offset, cur)) {
			char type_name[256];

			vd_type_format(cur->type, type_name, sizeof(type_name));
			return vd_error_create(VD_ERR_LOOKUP, "%s has no member '%.*s'",
					       type_name, (int)len, p);
		}
		*pathp = p + len;
	}
	return NULL;
}

struct vd_error *
vd_type_member(const struct vd_type *type, const char *path,
	       struct vd_member_info *ret)
{
	struct vd_member_info cur = { { type, 0 }, 0, 0 };

	for (int steps = 0; *path; steps++) {
		struct vd_error *err;

		if (steps > TYPE_DEPTH_MAX)
			return vd_error_create(VD_ERR_INVALID_ARG, "member path too deep");
		if (*path == '.')
			path++;
		if (path[0] == '-' && path[1] == '>')
			return vd_error_create(VD_ERR_INVALID_ARG,
					       "'->' in a type path needs memory: use an object");
		err = member_step(&path, &cur);
		if (err)
			return err;
	}
	*ret = cur;
	return NULL;
}

struct vd_error *
vd_type_offsetof(const struct vd_type *type, const char *path, uint64_t *ret)
{
	struct vd_member_info m;
	struct vd_error *err = vd_type_member(type, path, &m);

	if (err)
		return err;
	if (m.bit_field_size || m.bit_offset % 8)
		return vd_error_create(VD_ERR_TYPE, "'%s' is a bit field", path);
	*ret = m.bit_offset / 8;
	return NULL;
}

/* Printing ----------------------------------------------------------------- */

static size_t
append(char *buf, size_t size, size_t len, const char *s)
{
	size_t n = strlen(s);

	if (len < size) {
		size_t k = VD_MIN(n, size - 1 - len);

		memcpy(buf + len, s, k);
		buf[len + k] = '\0';
	}
	return len + n;
}

static size_t
append_quals(char *buf, size_t size, size_t len, unsigned q)
{
	if (q & VD_QUAL_CONST)
		len = append(buf, size, len, "const ");
	if (q & VD_QUAL_VOLATILE)
		len = append(buf, size, len, "volatile ");
	return len;
}

/* The base (innermost non-derived) name: "struct page", "int". */
static size_t
append_base(char *buf, size_t size, size_t len, const struct vd_type *t)
{
	const char *tag = t->kind == VD_TYPE_STRUCT ? "struct " :
			  t->kind == VD_TYPE_UNION ? "union " :
			  t->kind == VD_TYPE_ENUM ? "enum " : "";

	len = append(buf, size, len, tag);
	return append(buf, size, len, t->name ? t->name : "{...}");
}

void
vd_type_format(struct vd_qualified_type qt, char *buf, size_t size)
{
	char suffix[128] = "";
	size_t len = 0;
	int depth = 0;

	buf[0] = '\0';
	// Walk pointers and arrays outward-in: "char *[4]" style output is
	// enough for kernel types (no pointers to arrays of functions).
	while (qt.type && depth++ < TYPE_DEPTH_MAX) {
		const struct vd_type *t = qt.type;
		char tmp[40];

		if (t->kind == VD_TYPE_POINTER) {
			size_t sl = strlen(suffix);

			// Prepend '*' in place (dropped if it would not fit).
			if (sl + 2 <= sizeof(suffix)) {
				memmove(suffix + 1, suffix, sl + 1);
				suffix[0] = '*';
			}
		} else if (t->kind == VD_TYPE_ARRAY) {
			size_t slen = strlen(suffix);

			snprintf(tmp, sizeof(tmp), "[%llu]", (unsigned long long)t->length);
			snprintf(suffix + slen, sizeof(suffix) - slen, "%s",
				 t->length ? tmp : "[]");
		} else if (t->kind == VD_TYPE_FUNCTION) {
			len = append_quals(buf, size, len, qt.qualifiers);
			len = append(buf, size, len, "function ");
			qt = t->target;
			continue;
		} else {
			len = append_quals(buf, size, len, qt.qualifiers);
			len = append_base(buf, size, len, t);
			break;
		}
		qt = t->target;
	}
	if (!qt.type)
		len = append(buf, size, len, "void");
	if (suffix[0]) {
		len = append(buf, size, len, " ");
		append(buf, size, len, suffix);
	}
}

/* "(int, char *)" for a function type's parameters. */
static size_t
append_params(char *buf, size_t size, size_t len, const struct vd_type *fn)
{
	len = append(buf, size, len, "(");
	for (size_t i = 0; i < fn->nmembers; i++) {
		char p[256];

		vd_type_format(fn->members[i].type, p, sizeof(p));
		len = append(buf, size, len, i ? ", " : "");
		len = append(buf, size, len, p);
	}
	if (fn->variadic)
		len = append(buf, size, len, fn->nmembers ? ", ..." : "...");
	else if (!fn->nmembers)
		len = append(buf, size, len, "void");
	return append(buf, size, len, ")");
}

void
vd_type_format_decl(struct vd_qualified_type qt, const char *name, char *buf,
		    size_t size)
{
	char stars[64] = "", dims[128] = "";
	size_t ns = 0, nd = 0, len = 0;
	int depth = 0;

	buf[0] = '\0';
	// Arrays bind tighter than pointers: name[4] of *...; collect the
	// array dimensions first, then the pointer stars.
	while (qt.type && qt.type->kind == VD_TYPE_ARRAY && depth++ < TYPE_DEPTH_MAX) {
		// snprintf returns what it would have written: keep nd inside
		// dims (a pointer past it is undefined even unused).
		if (nd < sizeof(dims) - 1) {
			int n = snprintf(dims + nd, sizeof(dims) - nd,
					 qt.type->length ? "[%llu]" : "[]",
					 (unsigned long long)qt.type->length);

			nd = n < 0 ? nd : VD_MIN(nd + (size_t)n, sizeof(dims) - 1);
		}
		qt = qt.type->target;
	}
	while (qt.type && qt.type->kind == VD_TYPE_POINTER && depth++ < TYPE_DEPTH_MAX) {
		if (ns + 1 < sizeof(stars))
			stars[ns++] = '*';
		qt = qt.type->target;
	}
	stars[ns] = '\0';
	if (qt.type && qt.type->kind == VD_TYPE_FUNCTION && ns) {
		char ret[256];

		vd_type_format(qt.type->target, ret, sizeof(ret));
		len = append(buf, size, len, ret);
		len = append(buf, size, len, " (");
		len = append(buf, size, len, stars);
		len = append(buf, size, len, name ? name : "");
		len = append(buf, size, len, dims);
		len = append(buf, size, len, ")");
		append_params(buf, size, len, qt.type);
		return;
	}
	vd_type_format(qt, buf, size);
	len = strlen(buf);
	len = append(buf, size, len, " ");
	len = append(buf, size, len, stars);
	len = append(buf, size, len, name ? name : "");
	append(buf, size, len, dims);
}
