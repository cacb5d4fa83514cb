// SPDX-License-Identifier: MIT
/*
 * Types from the BTF the kernel keeps in its own memory.
 *
 * With CONFIG_DEBUG_INFO_BTF (on in Debian's kernels) the vmlinux BTF blob
 * sits in .BTF between __start_BTF and __stop_BTF (include/asm-generic/
 * vmlinux.lds.h); the dump has it, and kallsyms tells where.  It is
 * read in place (btfidx/btf_view.h: every record bounds-checked when
 * handed out; libbpf's header only for the UAPI's inline accessors); this
 * file turns BTF types into struct vd_type.  BTF describes types, not variables (except per-CPU
 * ones), so it answers "struct task_struct" but not "type of init_task".
 *
 * Conversion is by reachability from what is asked, lazily: a struct's
 * members are converted when first used (vd_type_fill()), not by
 * recursion, so deep type graphs cannot exhaust the stack, and a command
 * converts the few hundred types it touches, not the thousands a struct
 * leads to.
 *
 * Modules have BTF of their own (CONFIG_DEBUG_INFO_BTF_MODULES): "split"
 * BTF that continues the vmlinux BTF's type ids and strings and refers to
 * vmlinux types by their ids (modules/module_types.c finds it in the
 * dump).  A module's source converts its own types and leaves the
 * vmlinux ones to the vmlinux source, so each is converted once.
 */
#include <bpf/btf.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btfidx/btf_view.h"
#include "common/cache.h"
#include "common/hashtab.h"
#include "common/util.h"
#include "ctype_priv.h"
#include "kernel/session_priv.h"

/* vmlinux BTF is ~5 MiB on 6.x; refuse a range that is absurdly larger. */
#define BTF_MAX_SIZE (256u << 20)
/* Qualifier/typedef chains longer than this are corrupt BTF. */
#define BTF_CHAIN_MAX 64

struct btf_source {
	struct vd_type_source base;
	/*
	 * Read in place (view); a module's split BTF over the vmlinux
	 * source's view, its blob a copy (owned_blob).
	 */
	struct vd_btfv *view;
	const void *blob;                /* the view's bytes */
	size_t blob_size;
	void *owned_blob;                /* a copy, when not the dump's own */
	struct vd_cache_file *kept_blob; /* or the kept copy it lies in */
	struct vd_session *session;      /* with kept_blob: to read the dump's */
	bool moving;                     /* kept_check() is reading the dump's */
	char *cache_dir, *cache_key;     /* where to keep what it built */
	uint32_t ntypes;                 /* type ids: the base's included */
	/*
	 * A module's split BTF continues the vmlinux BTF's ids and strings
	 * (kernel/bpf/btf.c btf_parse_module): ids below first_id are the
	 * vmlinux source's, converted (once) by it.
	 */
	uint32_t first_id;               /* 0 for vmlinux BTF */
	struct btf_source *vmlinux;      /* split BTF: the base's source */
	char *module;                    /* split BTF: the module's name */
	/*
	 * Converted types by id: a small hash (a command converts a few
	 * thousand of ~100,000 types; a dense array faulted in a page for
	 * nearly every one).
	 */
	struct vd_htab memo;             /* hashed id -> index into: */
	uint32_t *memo_ids;
	struct vd_type **memo_types;
	size_t memo_cap, memo_n;
	struct vd_arena arena;
	struct vd_type void_type;
	uint32_t ptr_size;
	char desc[64];
};

static struct vd_error *conv_qt(struct btf_source *b, uint32_t id,
				struct vd_qualified_type *ret);

static uint64_t
memo_hash(void *priv, uint32_t idx)
{
	return ((const struct btf_source *)priv)->memo_ids[idx];
}

static struct vd_type *
memo_get(const struct btf_source *b, uint32_t id)
{
	struct vd_htab_probe p;

	for (uint32_t i = vd_htab_first(&b->memo, id, &p); i != VD_HTAB_END;
	     i = vd_htab_next(&b->memo, &p))
		if (b->memo_ids[i] == id)
			return b->memo_types[i];
	return NULL;
}

static struct vd_error *
memo_put(struct btf_source *b, uint32_t id, struct vd_type *vt)
{
	struct vd_error *err;

	if (b->memo_n == b->memo_cap) {
		size_t cap = b->memo_cap ? 2 * b->memo_cap : 512;
		uint32_t *ids = realloc(b->memo_ids, cap * sizeof(*ids));
		struct vd_type **types;

		if (!ids)
			return &vd_enomem;
		b->memo_ids = ids;
		if (!(types = realloc(b->memo_types, cap * sizeof(*types))))
			return &vd_enomem;
		b->memo_types = types;
		b->memo_cap = cap;
	}
	b->memo_ids[b->memo_n] = id;
	b->memo_types[b->memo_n] = vt;
	// Fewer entries than ids, and ids are below ntypes: the index fits.
	err = vd_htab_add(&b->memo, id, (uint32_t)b->memo_n, memo_hash, b);
	b->memo_n += !err;
	return err;
}

static const struct btf_type *
btype(const struct btf_source *b, uint32_t id)
{
	return vd_btfv_type(b->view, id);
}

static const char *
bname(const struct btf_source *b, uint32_t off)
{
	return vd_btfv_name(b->view, off);
}

static const char *
btf_name(const struct btf_source *b, const struct btf_type *t)
{
	const char *name = bname(b, t->name_off);

	return name && *name ? name : NULL;
}

static struct vd_error *
corrupt(uint32_t id, const char *what)
{
	return vd_error_create(VD_ERR_CORRUPT, "BTF type %u: %s", id, what);
}

static void
conv_int(struct vd_type *vt, const struct btf_type *t)
{
	uint8_t enc = btf_int_encoding(t);

	vt->kind = VD_TYPE_INT;
	vt->size = t->size;
	vt->is_signed = enc & BTF_INT_SIGNED;
	// pahole leaves BTF_INT_CHAR clear for "char": go by the name too.
	vt->is_char = (enc & BTF_INT_CHAR) ||
		      (t->size == 1 && vt->name && strstr(vt->name, "char"));
	vt->is_bool = enc & BTF_INT_BOOL;
	vt->complete = true;
}

static struct vd_error *
conv_enum(struct btf_source *b, struct vd_type *vt, const struct btf_type *t)
{
	uint16_t n = btf_vlen(t);
	struct vd_enumerator *e = vd_arena_alloc(&b->arena, (n ? n : 1) * sizeof(*e));

	if (!e)
		return &vd_enomem;
	vt->kind = VD_TYPE_ENUM;
	vt->size = t->size;
	vt->complete = true;
	// kind_flag marks signed enums (kernel commit 6089fb325cf7, 6.0).
	vt->is_signed = btf_kflag(t);
	for (uint16_t i = 0; i < n; i++) {
		uint32_t noff;

		if (btf_is_enum64(t)) {
			const struct btf_enum64 *v = btf_enum64(t) + i;

			noff = v->name_off;
			e[i].value = (int64_t)btf_enum64_value(v);
		} else {
			const struct btf_enum *v = btf_enum(t) + i;

			noff = v->name_off;
			e[i].value = vt->is_signed ? (int64_t)v->val : (int64_t)(uint32_t)v->val;
		}
		e[i].name = bname(b, noff);
		if (!e[i].name)
			e[i].name = "?";
	}
	vt->enumerators = e;
	vt->nenumerators = n;
	return NULL;
}

static struct vd_error *
conv_array(struct btf_source *b, uint32_t id, struct vd_type *vt,
	   const struct btf_type *t)
{
	const struct btf_array *a = btf_array(t);
	const struct vd_type *elem;
	struct vd_error *err;

	vt->kind = VD_TYPE_ARRAY;
	vt->length = a->nelems;
	vt->complete = true;
	err = conv_qt(b, a->type, &vt->target);
	if (err)
		return err;
	elem = vd_type_unqualified(vt->target.type);
	if (elem && elem->size && a->nelems > UINT64_MAX / elem->size)
		return corrupt(id, "array size overflows");
	vt->size = elem ? elem->size * a->nelems : 0;
	return NULL;
}

static struct vd_error *
conv_proto(struct btf_source *b, struct vd_type *vt, const struct btf_type *t)
{
	uint16_t n = btf_vlen(t);
	const struct btf_param *p = btf_params(t);
	struct vd_member *m = vd_arena_alloc(&b->arena, (n ? n : 1) * sizeof(*m));
	struct vd_error *err;

	if (!m)
		return &vd_enomem;
	vt->kind = VD_TYPE_FUNCTION;
	vt->complete = true;
	err = conv_qt(b, t->type, &vt->target);
	for (uint16_t i = 0; !err && i < n; i++) {
		// A last parameter of type 0 with no name means "...".
		if (i == n - 1 && !p[i].type && !p[i].name_off) {
			vt->variadic = true;
			n--;
			break;
		}
		m[i].name = bname(b, p[i].name_off);
		if (m[i].name && !*m[i].name)
			m[i].name = NULL;
		err = conv_qt(b, p[i].type, &m[i].type);
	}
	vt->members = m;
	vt->nmembers = n;
	return err;
}

/* Convert one BTF type (not a qualifier) into a vd_type, memoized. */
static struct vd_error *
conv_type(struct btf_source *b, uint32_t id, const struct vd_type **ret)
{
	const struct btf_type *t;
	struct vd_type *vt;
	struct vd_error *err = NULL;

	if (id < b->first_id)
		return conv_type(b->vmlinux, id, ret);
	if (!id) {
		*ret = &b->void_type;
		return NULL;
	}
	if (id >= b->ntypes || !(t = btype(b, id)))
		return corrupt(id, "id out of range");
	if ((vt = memo_get(b, id))) {
		*ret = vt;
		return NULL;
	}
	vt = vd_arena_alloc(&b->arena, sizeof(*vt));
	if (!vt)
		return &vd_enomem;
	vt->name = btf_name(b, t);
	vt->source = "BTF";
	vt->module = b->module;
	// Before children: pointers may lead back here.
	if ((err = memo_put(b, id, vt)))
		return err;
	switch (btf_kind(t)) {
	case BTF_KIND_INT: conv_int(vt, t); break;
	case BTF_KIND_FLOAT:
		vt->kind = VD_TYPE_FLOAT;
		vt->size = t->size;
		vt->complete = true;
		break;
	case BTF_KIND_PTR:
		vt->kind = VD_TYPE_POINTER;
		vt->size = b->ptr_size;
		vt->complete = true;
		err = conv_qt(b, t->type, &vt->target);
		break;
	case BTF_KIND_ARRAY: err = conv_array(b, id, vt, t); break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		vt->kind = btf_is_struct(t) ? VD_TYPE_STRUCT : VD_TYPE_UNION;
		vt->size = t->size;
		vt->complete = true;
		// Members on first use (vd_type_fill()): a struct leads to
		// most of the kernel's types.
		vt->unfilled = &b->base;
		vt->unfilled_id = id;
		break;
	case BTF_KIND_FWD:
		vt->kind = btf_kflag(t) ? VD_TYPE_UNION : VD_TYPE_STRUCT;
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64: err = conv_enum(b, vt, t); break;
	case BTF_KIND_TYPEDEF:
		vt->kind = VD_TYPE_TYPEDEF;
		vt->complete = true;
		err = conv_qt(b, t->type, &vt->target);
		if (!err && vt->target.type)
			vt->size = vd_type_unqualified(vt->target.type) ?
				   vd_type_unqualified(vt->target.type)->size : 0;
		break;
	case BTF_KIND_FUNC_PROTO: err = conv_proto(b, vt, t); break;
	default:
		err = corrupt(id, "not a type a value can have");
	}
	if (err)
		return err;
	*ret = vt;
	return NULL;
}

/* Follow CONST/VOLATILE/RESTRICT/TYPE_TAG to the type, collecting qualifiers. */
static struct vd_error *
conv_qt(struct btf_source *b, uint32_t id, struct vd_qualified_type *ret)
{
	unsigned q = 0;

	for (int i = 0; i < BTF_CHAIN_MAX; i++) {
		const struct btf_type *t = id ? btype(b, id) : NULL;

		if (id && !t)
			return corrupt(id, "id out of range");
		if (!t)
			break;
		switch (btf_kind(t)) {
		case BTF_KIND_CONST: q |= VD_QUAL_CONST; break;
		case BTF_KIND_VOLATILE: q |= VD_QUAL_VOLATILE; break;
		case BTF_KIND_RESTRICT: q |= VD_QUAL_RESTRICT; break;
		case BTF_KIND_TYPE_TAG: break;
		default:
			ret->qualifiers = q;
			return conv_type(b, id, &ret->type);
		}
		id = t->type;
	}
	if (id)
		return corrupt(id, "qualifier chain too long");
	ret->qualifiers = q;
	ret->type = &b->void_type;
	return NULL;
}

/* Read the members of a struct/union conv_type() left unfilled. */
static struct vd_error *
btf_fill(struct vd_type_source *src, struct vd_type *vt)
{
	struct btf_source *b = (struct btf_source *)src;
	uint32_t id = vt->unfilled_id;
	const struct btf_type *t = id >= b->first_id && id < b->ntypes ? btype(b, id) : NULL;
	uint16_t n;
	const struct btf_member *bm;
	struct vd_member *m;

	if (!t || (btf_kind(t) != BTF_KIND_STRUCT && btf_kind(t) != BTF_KIND_UNION))
		return corrupt(id, "not the struct it was");
	n = btf_vlen(t);
	bm = btf_members(t);
	m = vd_arena_alloc(&b->arena, (n ? n : 1) * sizeof(*m));
	if (!m)
		return &vd_enomem;
	for (uint16_t i = 0; i < n; i++) {
		struct vd_error *err;

		m[i].name = bname(b, bm[i].name_off);
		if (m[i].name && !*m[i].name)
			m[i].name = NULL;
		m[i].bit_offset = btf_member_bit_offset(t, i);
		m[i].bit_field_size = btf_member_bitfield_size(t, i);
		err = conv_qt(b, bm[i].type, &m[i].type);
		if (err)
			return err;
	}
	vt->members = m;
	vt->nmembers = n;
	return NULL;
}

/*
 * Base type names: BTF keeps GCC's spelling ("long unsigned int"); compare
 * word sets, with "int" implied beside short/long and "signed" implied
 * except for char.
 */
void
vd_types_canonical_base_name(const char *in, char *out, size_t size)
{
	const char *order[] = { "unsigned", "signed", "char", "short", "long",
				"long2", "int", "_Bool", "float", "double", "__int128" };
	int count[VD_ARRAY_SIZE(order)] = { 0 };
	char buf[128], *save = NULL, *w;
	size_t len = 0;

	snprintf(buf, sizeof(buf), "%s", in);
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
		for (size_t i = 0; i < VD_ARRAY_SIZE(order); i++)
			if (!strcmp(w, order[i]))
				count[i]++;
	if (count[4] > 1) {          // "long long"
		count[4] = 0;
		count[5] = 1;
	}
	if ((count[3] || count[4] || count[5]) && count[6])
		count[6] = 0;        // "long int" == "long"
	if (count[1] && !count[2]) {
		count[1] = 0;        // "signed int" == "int"
		if (!count[3] && !count[4] && !count[5])
			count[6] = 1;
	}
	out[0] = '\0';
	for (size_t i = 0; i < VD_ARRAY_SIZE(order); i++)
		if (count[i])
			len += (size_t)snprintf(out + len, len < size ? size - len : 0,
						"%s%s", len ? " " : "", order[i]);
}

static struct vd_error *
find_base(struct btf_source *b, enum vd_type_kind kind, const char *name,
	  int32_t *id_ret)
{
	char want[128], have[128];

	vd_types_canonical_base_name(name, want, sizeof(want));
	for (uint32_t id = 1; id < b->ntypes; id++) {
		const struct btf_type *t = btype(b, id);
		const char *tn;

		if (!t || btf_kind(t) != (kind == VD_TYPE_INT ? BTF_KIND_INT : BTF_KIND_FLOAT))
			continue;
		tn = btf_name(b, t);
		if (!tn)
			continue;
		vd_types_canonical_base_name(tn, have, sizeof(have));
		if (!strcmp(want, have)) {
			*id_ret = (int32_t)id;
			return NULL;
		}
	}
	return vd_error_create(VD_ERR_LOOKUP, "no base type '%s' in BTF", name);
}

/*
 * The id of the named type of kind bkind; -1 if none.  A module's split
 * BTF is searched for its own types only (the vmlinux source has answered
 * for the ~100,000 vmlinux types).
 */
static int32_t
find_named(const struct btf_source *b, const char *name, int bkind)
{
	return vd_btfv_find(b->view, name, bkind);
}

static struct vd_error *
btf_find(struct vd_type_source *src, enum vd_type_kind kind, const char *name,
	 struct vd_qualified_type *ret)
{
	struct btf_source *b = (struct btf_source *)src;
	struct vd_error *err;
	int32_t id = -1;
	int bkind;

	switch (kind) {
	case VD_TYPE_STRUCT: bkind = BTF_KIND_STRUCT; break;
	case VD_TYPE_UNION: bkind = BTF_KIND_UNION; break;
	case VD_TYPE_ENUM: bkind = BTF_KIND_ENUM; break;
	case VD_TYPE_TYPEDEF: bkind = BTF_KIND_TYPEDEF; break;
	case VD_TYPE_INT:
	case VD_TYPE_FLOAT:
		if (b->first_id)   // base types are the vmlinux BTF's
			return vd_error_create(VD_ERR_LOOKUP, "no base type '%s' in %s",
					       name, b->desc);
		err = find_base(b, kind, name, &id);
		if (err)
			return err;
		bkind = -1;
		break;
	default:
		return vd_error_create(VD_ERR_LOOKUP, "no such kind in BTF");
	}
	if (bkind >= 0) {
		id = find_named(b, name, bkind);
		if (id < 0 && kind == VD_TYPE_ENUM)
			id = find_named(b, name, BTF_KIND_ENUM64);
		if (id < 0)
			return vd_error_create(VD_ERR_LOOKUP, "no %s '%s' in %s",
					       kind == VD_TYPE_TYPEDEF ? "typedef" : "type",
					       name, b->desc);
	}
	err = conv_qt(b, (uint32_t)id, ret);
	// The asked type's own members now, so a damaged one is an error
	// here; the members of what it leads to on first use.
	if (!err && ret->type && ret->type->unfilled) {
		struct vd_type *vt = (struct vd_type *)ret->type;

		vt->unfilled = NULL;
		err = btf_fill(&b->base, vt);
	}
	return err;
}

/*
 * Where a per-CPU variable sits in the per-CPU section: pahole writes the
 * kernel's per-CPU variables into BTF (a BTF_KIND_DATASEC named
 * ".data..percpu" whose entries give each BTF_KIND_VAR's offset), so a
 * kernel without data symbols in kallsyms still tells it.
 */
struct vd_error *
vd_btf_percpu_offset(const struct vd_type_source *src, const char *name, uint64_t *off)
{
	const struct btf_source *b = (const struct btf_source *)src;
	const struct btf_type *sec = NULL;
	const struct btf_var_secinfo *vs;

	if (b->first_id)
		return vd_error_create(VD_ERR_LOOKUP, "%s: a module's BTF", b->desc);
	for (uint32_t id = 1; id < b->ntypes && !sec; id++) {
		const struct btf_type *t = btype(b, id);
		const char *tn;

		if (t && btf_kind(t) == BTF_KIND_DATASEC && (tn = btf_name(b, t)) &&
		    !strcmp(tn, ".data..percpu"))
			sec = t;
	}
	if (!sec)
		return vd_error_create(VD_ERR_LOOKUP, "no .data..percpu section in %s", b->desc);
	vs = btf_var_secinfos(sec);
	for (uint32_t i = 0; i < btf_vlen(sec); i++) {
		const struct btf_type *v = btype(b, vs[i].type);
		const char *vn;

		if (v && btf_kind(v) == BTF_KIND_VAR && (vn = btf_name(b, v)) && !strcmp(vn, name)) {
			*off = vs[i].offset;
			return NULL;
		}
	}
	return vd_error_create(VD_ERR_LOOKUP, "no per-CPU variable '%s' in %s", name, b->desc);
}

/*
 * The enum holding the enumerator name, by a walk of the enums (BTF has no
 * index of enumerator names; ~1,500 enums among ~100,000 types on 6.x);
 * a module's split BTF: its own types only.  The first in id order wins.
 */
static struct vd_error *
btf_find_enumerator(struct vd_type_source *src, const char *name,
		    struct vd_qualified_type *ret, int64_t *value_ret)
{
	struct btf_source *b = (struct btf_source *)src;
	struct vd_error *err;

	for (uint32_t id = b->first_id ? b->first_id : 1; id < b->ntypes; id++) {
		const struct btf_type *t = btype(b, id);
		uint16_t n;

		if (!t || (btf_kind(t) != BTF_KIND_ENUM && btf_kind(t) != BTF_KIND_ENUM64))
			continue;
		n = btf_vlen(t);
		for (uint16_t i = 0; i < n; i++) {
			uint32_t noff = btf_is_enum64(t) ? btf_enum64(t)[i].name_off :
							   btf_enum(t)[i].name_off;
			const char *en = bname(b, noff);

			if (!en || strcmp(en, name))
				continue;
			if ((err = conv_qt(b, id, ret)))
				return err;
			if (!ret->type || ret->type->kind != VD_TYPE_ENUM || i >= ret->type->nenumerators)
				return corrupt(id, "an enum that does not convert to itself");
			*value_ret = ret->type->enumerators[i].value;
			return NULL;
		}
	}
	return vd_error_create(VD_ERR_LOOKUP, "no enumerator '%s' in %s", name, b->desc);
}

static void
btf_destroy(struct vd_type_source *src)
{
	struct btf_source *b = (struct btf_source *)src;

	// Keep what this session built for the next one on this kernel.
	if (b->view && b->cache_dir && b->cache_key)
		vd_btfv_cache_save(b->view, b->cache_dir, b->cache_key);
	vd_btfv_destroy(b->view);
	free(b->owned_blob);
	if (b->kept_blob) {
		vd_cache_close(b->kept_blob);
		free(b->kept_blob);
	}
	free(b->cache_dir);
	free(b->cache_key);
	vd_htab_free(&b->memo);
	free(b->memo_ids);
	free(b->memo_types);
	free(b->module);
	vd_arena_deinit(&b->arena);
	free(b);
}

/*
 * __start_BTF..__stop_BTF in the dump: its own bytes where the file holds
 * them as they are, else one
 * read into *owned_ret.
 */
static struct vd_error *
read_btf_blob(struct vd_session *s, const void **data_ret, void **owned_ret,
	      size_t *size_ret)
{
	uint64_t start, stop;
	struct vd_error *err;

	if (!vd_session_symbol(s, "__start_BTF", &start) ||
	    !vd_session_symbol(s, "__stop_BTF", &stop))
		return &vd_noprobe;   // no symbols for it, or no BTF in this kernel
	if (stop <= start || stop - start > BTF_MAX_SIZE)
		return vd_error_create(VD_ERR_CORRUPT,
				       "__start_BTF..__stop_BTF (0x%llx..0x%llx) is not a BTF blob",
				       (unsigned long long)start, (unsigned long long)stop);
	err = vd_session_map_kvirt(s, start, stop - start, data_ret, owned_ret);
	if (err)
		return vd_error_wrap(err, "reading the kernel's BTF");
	*size_ret = stop - start;
	return NULL;
}

static void btf_names(struct vd_type_source *src, const char *prefix,
		      bool (*cb)(void *priv, enum vd_type_kind kind, const char *name),
		      void *priv);

/* The fields both kinds of source share; b->view is set. */
static struct vd_error *
source_init(struct btf_source *b, uint32_t ptr_size)
{
	b->ntypes = vd_btfv_count(b->view);
	if (b->ntypes < b->first_id)
		return vd_error_create(VD_ERR_CORRUPT, "split BTF has fewer types than its base");
	b->ptr_size = ptr_size ? ptr_size : 8;
	b->void_type = (struct vd_type){ .kind = VD_TYPE_VOID, .name = "void",
					 .complete = true, .source = "BTF" };
	b->base.name = b->desc;
	b->base.find = btf_find;
	b->base.destroy = btf_destroy;
	b->base.fill = btf_fill;
	b->base.names = btf_names;
	b->base.find_enumerator = btf_find_enumerator;
	return NULL;
}

/*
 * A vmlinux BTF source over data, read in place (owned: data's buffer
 * when it is not the dump's own, freed with the source); its indexes
 * from the cache when cache_dir and key name a good one.
 */
static enum vd_btfv_check kept_check(void *ctx, const void *p, size_t len);

static struct vd_error *
view_source(const void *data, size_t size, void *owned, uint32_t ptr_size,
	    const char *cache_dir, const char *key, struct vd_cache_file *kept,
	    struct vd_session *s, struct vd_type_source **ret)
{
	struct btf_source *b;
	struct vd_error *err;

	if (size > BTF_MAX_SIZE || !(b = calloc(1, sizeof(*b)))) {
		free(owned);
		if (kept) {
			vd_cache_close(kept);
			free(kept);
		}
		return size > BTF_MAX_SIZE ?
		       vd_error_create(VD_ERR_CORRUPT, "a %zu-byte BTF blob is too big", size) :
		       &vd_enomem;
	}
	b->blob = data;
	b->blob_size = size;
	b->owned_blob = owned;
	b->kept_blob = kept;
	b->session = s;
	b->base.destroy = btf_destroy;
	if ((cache_dir && !(b->cache_dir = strdup(cache_dir))) ||
	    (key && !(b->cache_key = strdup(key)))) {
		btf_destroy(&b->base);
		return &vd_enomem;
	}
	err = vd_btfv_open_lazy(data, size, &b->view);
	// The kept copy's blocks are checked as its records and strings are
	// first read, not all ~5 MiB at start (~40 % of the instructions of
	// an unknown type name on a compressed dump).
	if (!err && kept)
		vd_btfv_set_check(b->view, kept_check, b);
	if (!err && !(b->cache_dir && b->cache_key &&
		      vd_btfv_cache_load(b->view, b->cache_dir, b->cache_key)))
		err = vd_btfv_index_types(b->view);
	if (!err)
		err = source_init(b, ptr_size);
	if (err) {
		btf_destroy(&b->base);
		return err == &vd_enomem ? err : vd_error_wrap(err, "the kernel's BTF does not parse");
	}
	snprintf(b->desc, sizeof(b->desc), "BTF in the dump (%u types)", b->ntypes - 1);
	*ret = &b->base;
	return NULL;
}

/*
 * A source over a BTF blob (copied): one a test made with pahole.
 * ptr_size is the target's pointer size.
 */
struct vd_error *
vd_btf_source_from_blob(const void *data, size_t size, uint32_t ptr_size,
			struct vd_type_source **ret)
{
	void *copy;

	if (size > BTF_MAX_SIZE)
		return vd_error_create(VD_ERR_CORRUPT, "a %zu-byte BTF blob is too big", size);
	copy = malloc(size ? size : 1);
	if (!copy)
		return &vd_enomem;
	memcpy(copy, data, size);
	return view_source(copy, size, copy, ptr_size, NULL, NULL, NULL, NULL, ret);
}

bool
vd_btf_source_is(const struct vd_type_source *src)
{
	return src && src->destroy == btf_destroy;
}

/*
 * A module's split BTF is read in place over the vmlinux source's view
 * (btfidx/btf_view.h): its own records indexed, the vmlinux BTF neither
 * copied nor parsed again.  (libbpf's btf__new_split() wanted a libbpf
 * struct btf of the ~5 MiB vmlinux BTF as its base: a copy, validated and
 * indexed type by type, ~20 ms of the first name no other source had.)
 */
struct vd_error *
vd_btf_source_split(struct vd_type_source *vmlinux, const char *module,
		    const void *data, size_t size, uint32_t start_id,
		    uint32_t start_str_off, struct vd_type_source **ret)
{
	struct btf_source *base = (struct btf_source *)vmlinux, *b;
	struct vd_error *err;

	if (!vd_btf_source_is(vmlinux) || base->first_id || !base->view)
		return vd_error_create(VD_ERR_INVALID_ARG, "split BTF needs the vmlinux BTF");
	if (size > BTF_MAX_SIZE)
		return vd_error_create(VD_ERR_CORRUPT, "a %zu-byte BTF blob is too big", size);
	// The kernel parsed it over its vmlinux BTF: the same ids and
	// strings must continue ours, or the blob is split over something
	// else (a distilled base not relocated yet).
	if ((start_id && start_id != base->ntypes) ||
	    (start_str_off && start_str_off != vd_btfv_str_len(base->view)))
		return vd_error_create(VD_ERR_CORRUPT,
				       "its BTF starts at type %u, string %u, but the vmlinux BTF has %u types, %u bytes of strings",
				       start_id, start_str_off, base->ntypes,
				       vd_btfv_str_len(base->view));
	b = calloc(1, sizeof(*b));
	if (!b)
		return &vd_enomem;
	b->base.destroy = btf_destroy;
	if (!(b->module = strdup(module)) || !(b->owned_blob = malloc(size ? size : 1))) {
		btf_destroy(&b->base);
		return &vd_enomem;
	}
	memcpy(b->owned_blob, data, size);
	b->blob = b->owned_blob;
	b->blob_size = size;
	err = vd_btfv_open_split(b->blob, size, base->view, &b->view);
	if (!err) {
		b->first_id = vd_btfv_first_id(b->view);
		b->vmlinux = base;
		err = source_init(b, base->ptr_size);
	}
	if (err) {
		btf_destroy(&b->base);
		return err == &vd_enomem ? err : vd_error_wrap(err, "its BTF does not parse");
	}
	snprintf(b->desc, sizeof(b->desc), "the BTF of module %.32s", module);
	*ret = &b->base;
	return NULL;
}

static void
btf_names(struct vd_type_source *src, const char *prefix,
	  bool (*cb)(void *priv, enum vd_type_kind kind, const char *name), void *priv)
{
	struct btf_source *b = (struct btf_source *)src;
	size_t plen = strlen(prefix);

	for (uint32_t id = b->first_id ? b->first_id : 1; id < b->ntypes; id++) {
		const struct btf_type *t = btype(b, id);
		enum vd_type_kind kind;
		const char *name;

		if (!t)
			continue;
		switch (btf_kind(t)) {
		case BTF_KIND_STRUCT: kind = VD_TYPE_STRUCT; break;
		case BTF_KIND_UNION: kind = VD_TYPE_UNION; break;
		case BTF_KIND_ENUM: case BTF_KIND_ENUM64: kind = VD_TYPE_ENUM; break;
		case BTF_KIND_TYPEDEF: kind = VD_TYPE_TYPEDEF; break;
		default: continue;
		}
		name = btf_name(b, t);
		if (!name || !*name || strncmp(name, prefix, plen))
			continue;
		if (!cb(priv, kind, name))
			return;
	}
}

/*
 * A compressed dump cannot hand out the blob in place: every command
 * decompressed its ~5 MB again (40-55 ms of a kdump-zlib `mod`).  Such a
 * blob is kept per build-id in the cache directory, kind "btfblob":
 * section 1 the blob, section 2 its u64 size; it is the kernel image's
 * own read-only bytes, the same in every dump of that build.  Read back
 * in place: the header and the strings' first and last bytes checked at
 * open (else the dump is read), every other record and string when first
 * used (kept_check()); a damaged block there moves the view to the
 * dump's own bytes, which are kept again.
 */
#define BTF_BLOB_KIND "btfblob"
#define BTF_BLOB_VERSION 1

/*
 * What opening a view reads before any record: the header, and the first
 * and last bytes of the strings (their NULs).
 */
static bool
kept_head_ok(const struct vd_cache_file *f, const unsigned char *data, size_t size)
{
	const struct btf_header *h = (const void *)data;
	uint64_t soff;

	if (size < sizeof(*h) || !vd_cache_check(f, data, sizeof(*h)) || h->hdr_len < sizeof(*h) ||
	    h->hdr_len > size || !vd_cache_check(f, data, h->hdr_len))
		return false;
	soff = (uint64_t)h->hdr_len + h->str_off;
	return !h->str_len ||
	       (vd_range_ok(soff, h->str_len, size) && vd_cache_check(f, data + soff, 1) &&
		vd_cache_check(f, data + soff + h->str_len - 1, 1));
}

static void keep_blob(struct vd_session *s, const void *data, size_t size);

/*
 * A block of the kept copy that does not match its checksum: the dump's
 * own bytes from now on (the same blob: what was kept), and kept again.
 */
static enum vd_btfv_check
kept_check(void *ctx, const void *p, size_t len)
{
	struct btf_source *b = ctx;
	const void *data;
	void *owned = NULL;
	size_t size;
	struct vd_error *err;

	if (vd_cache_check(b->kept_blob, p, len))
		return VD_BTFV_OK;
	if (b->moving)     // asked again while the dump's copy is being found
		return VD_BTFV_DAMAGED;
	b->moving = true;
	err = read_btf_blob(b->session, &data, &owned, &size);
	b->moving = false;
	if (err || size != b->blob_size || !vd_btfv_move(b->view, data, size)) {
		vd_error_destroy(err);
		free(owned);
		return VD_BTFV_DAMAGED;
	}
	b->blob = data;
	b->owned_blob = owned;
	if (owned)
		keep_blob(b->session, data, size);
	return VD_BTFV_MOVED;
}

/* The kept blob of the kernel's build-id, of size bytes (0: its own size). */
static bool
kept_blob(struct vd_session *s, size_t *size, struct vd_cache_file **file_ret,
	  const void **data_ret)
{
	const char *key = vd_session_cache_key(s);
	struct vd_cache_file *f;
	const uint64_t *sz;
	const void *data;
	size_t n, m;

	if (!s->cache_dir || !key || !(f = calloc(1, sizeof(*f))))
		return false;
	if (vd_cache_open(s->cache_dir, BTF_BLOB_KIND, BTF_BLOB_VERSION, key, f, NULL)) {
		sz = vd_cache_get(f, 2, &m);
		data = vd_cache_section(f, 1, &n);
		if (sz && m == sizeof(*sz) && (*sz == *size || (!*size && *sz <= BTF_MAX_SIZE)) &&
		    data && n == *sz && kept_head_ok(f, data, n)) {
			*size = n;
			*file_ret = f;
			*data_ret = data;
			return true;
		}
		vd_cache_close(f);
	}
	free(f);
	return false;
}

static void
keep_blob(struct vd_session *s, const void *data, size_t size)
{
	const char *key = vd_session_cache_key(s);
	uint64_t sz = size;
	const struct vd_cache_section secs[] = { { 1, data, size }, { 2, &sz, sizeof(sz) } };

	// A read-only or full directory: read from the dump again next time.
	if (s->cache_dir && key)
		vd_error_destroy(vd_cache_write(s->cache_dir, BTF_BLOB_KIND, BTF_BLOB_VERSION, key,
						secs, VD_ARRAY_SIZE(secs)));
}

struct vd_error *
vd_btf_source_create(struct vd_session *s, struct vd_type_source **ret)
{
	struct vd_cache_file *kept = NULL;
	struct vd_error *err;
	const void *data;
	void *owned = NULL;
	uint64_t start, stop;
	size_t size;

	// Held as is in the file (an ELF dump): read in place, nothing kept.
	// Else the kept copy, else read and keep it.  A dump that holds no
	// memory as is (kdump) takes the copy kept for its build-id before
	// asking where __start_BTF is: finding a symbol without a vmlinux
	// decodes the kallsyms tables out of compressed pages (~15 ms, 60% of
	// an unknown type name's time), and the copy is the same build's.
	size = 0;
	if (!vd_dump_has_file_pages(vd_session_dump(s)) && kept_blob(s, &size, &kept, &data)) {
		// kept
	} else if (vd_session_symbol(s, "__start_BTF", &start) &&
		   vd_session_symbol(s, "__stop_BTF", &stop) && stop > start &&
		   stop - start <= BTF_MAX_SIZE &&
		   !vd_session_kvirt_in_place(s, start, (size_t)(stop - start)) &&
		   kept_blob(s, &(size_t){ (size_t)(stop - start) }, &kept, &data)) {
		size = (size_t)(stop - start);
	} else {
		err = read_btf_blob(s, &data, &owned, &size);
		if (err)
			return err;
		if (owned)
			keep_blob(s, data, size);
	}
	return view_source(data, size, owned, vd_session_info(s)->ptr_size, s->cache_dir,
			   vd_session_cache_key(s), kept, kept ? s : NULL, ret);
}
