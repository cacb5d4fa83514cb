// SPDX-License-Identifier: MIT
/*
 * Types of the loaded modules: the last type source, asked only for names
 * the kernel's own sources (vmlinux DWARF or BTF, VMCOREINFO) lack.
 *
 * Per module, in the order of the `modules` list:
 * - DWARF, when the session has a module_debug directory with the
 *   module's debug file (modules/module_debug.c); a .ko is relocatable,
 *   and the DWARF reader applies its relocations (dwarf/dwarf_index.c);
 * - else the module's BTF in the dump.  With CONFIG_DEBUG_INFO_BTF_MODULES
 *   the kernel parses each module's .BTF section when the module comes up
 *   (kernel/bpf/btf.c btf_module_notify(), MODULE_STATE_COMING) into a
 *   struct btf whose data is a kvmalloc'ed copy, and links it into the
 *   static list btf_modules (struct btf_module { list, module, btf, ... }).
 *   The module's own pointer to the section, mod->btf_data, is set to NULL
 *   once the module is live, because .BTF is not SHF_ALLOC and is freed
 *   with the load image (kernel/module/main.c do_init_module(), commit
 *   607c543f939d "bpf: Sanitize BTF data pointer after module is
 *   loaded"); mod->btf_data_size stays.  So the live copy is found through
 *   btf_modules, and mod->btf_data is used only while it is still set (a
 *   module that was being loaded at the crash).  Both facts hold in 6.1
 *   and 6.12 (6.11 added mod->btf_base_data for a "distilled" base, which
 *   the kernel relocates onto vmlinux before the struct btf is used:
 *   btf->start_id and start_str_off say which base the data continues).
 *
 * Nothing is read before the first name no other source has; then the
 * module list and btf_modules are walked once, and each module's source is
 * set up the first time it is searched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "dwarf/dwarf_source.h"
#include "dwarf/dwarf_source.h"
#include "modules_priv.h"

/* The largest modules' BTF is a few MiB; refuse anything absurdly bigger. */
#define MODULE_BTF_MAX (64u << 20)
#define BTF_HEADER_SIZE 24        /* struct btf_header, UAPI linux/btf.h */
#define BTF_MAGIC 0xeb9f
#define MODULES_MAX 65536

struct mt_mod {
	char name[VD_MODULE_NAME_LEN];
	uint64_t addr;                /* struct module */
	uint64_t btf_data, btf_size;  /* its BTF in the dump; 0: none known */
	uint32_t start_id, start_str_off;
	bool tried;                   /* src set up (or failed) */
	struct vd_type_source *src;   /* DWARF or BTF; NULL: none */
	char *why;                    /* why DWARF or BTF failed, for messages */
};

struct mt_source {
	struct vd_type_source base;
	struct vd_session *s;
	bool listed;
	struct mt_mod *mods;
	size_t n;
	struct vd_type_source *vmlinux_btf;   /* the base of module BTF */
	bool own_btf, btf_tried;
	char *list_err;               /* why the module list is short or empty */
	char desc[256];
};

static void
note_why(struct mt_mod *m, const char *what, const struct vd_error *err)
{
	char *old = m->why, *s;

	if (asprintf(&s, "%s%s%s: %s", old ? old : "", old ? "; " : "", what, err->msg) < 0)
		return;
	free(old);
	m->why = s;
}

/* The module list, with each module's mod->btf_data and btf_data_size. */
static struct vd_error *
list_modules(struct mt_source *ms)
{
	struct vd_session *s = ms->s;
	struct vd_field btf_data = { 0 }, btf_size = { 0 };
	struct vd_module_iter it;
	const struct vd_module *mod;
	const struct vd_type *t;
	struct vd_error *err;

	if (vd_ok(vd_walk_type(s, "struct module", &t))) {
		vd_ok(vd_walk_field(t, "btf_data", &btf_data));
		vd_ok(vd_walk_field(t, "btf_data_size", &btf_size));
	}
	err = vd_module_iter_init(&it, s);
	while (!err) {
		struct mt_mod *m;

		err = vd_module_iter_next(&it, &mod);
		if (err) {
			if (err != &vd_stop && err->code != VD_ERR_NOMEM) {
				vd_error_destroy(err);    // a bad element: the rest may do
				err = NULL;
			}
			continue;
		}
		if (ms->n >= MODULES_MAX)
			break;
		if (!vd_grow(&ms->mods, ms->n, sizeof(*ms->mods))) {
			err = &vd_enomem;
			break;
		}
		m = &ms->mods[ms->n++];
		*m = (struct mt_mod){ .addr = mod->addr };
		snprintf(m->name, sizeof(m->name), "%s", mod->name);
		if (btf_data.present && btf_size.present &&
		    vd_ok(vd_walk_get(s, mod->addr, &btf_data, &m->btf_data)) && m->btf_data)
			vd_ok(vd_walk_get(s, mod->addr, &btf_size, &m->btf_size));
	}
	vd_module_iter_deinit(&it);
	return err == &vd_stop ? NULL : err;
}

struct btf_fields {
	struct vd_field list, module, btf;           /* struct btf_module */
	struct vd_field data, size, start_id, start_str;   /* struct btf */
};

static struct vd_error *
btf_fields(struct vd_session *s, struct btf_fields *f)
{
	const struct vd_type *bm, *b;
	struct vd_error *err;

	if ((err = vd_walk_type(s, "struct btf_module", &bm)) ||
	    (err = vd_walk_type(s, "struct btf", &b)) ||
	    (err = vd_walk_need(bm, "struct btf_module", "list", &f->list)) ||
	    (err = vd_walk_need(bm, "struct btf_module", "module", &f->module)) ||
	    (err = vd_walk_need(bm, "struct btf_module", "btf", &f->btf)) ||
	    (err = vd_walk_need(b, "struct btf", "data", &f->data)) ||
	    (err = vd_walk_need(b, "struct btf", "data_size", &f->size)))
		return err;
	if ((err = vd_walk_field(b, "start_id", &f->start_id)))
		return err;
	return vd_walk_field(b, "start_str_off", &f->start_str);
}

/* One struct btf_module: its struct btf's data, for the module it names. */
static struct vd_error *
read_btf_module(struct mt_source *ms, const struct btf_fields *f, uint64_t node)
{
	struct vd_session *s = ms->s;
	uint64_t mod, btf, data, size, v;
	struct vd_error *err;

	if ((err = vd_walk_get(s, node - f->list.off, &f->module, &mod)) ||
	    (err = vd_walk_get(s, node - f->list.off, &f->btf, &btf)))
		return err;
	for (size_t i = 0; i < ms->n; i++) {
		struct mt_mod *m = &ms->mods[i];

		if (m->addr != mod)
			continue;
		if (!vd_walk_kptr_ok(btf))
			return vd_error_create(VD_ERR_CORRUPT,
					       "btf_modules: module %s has btf 0x%llx",
					       m->name, (unsigned long long)btf);
		if ((err = vd_walk_get(s, btf, &f->data, &data)) ||
		    (err = vd_walk_get(s, btf, &f->size, &size)))
			return err;
		m->btf_data = data;
		m->btf_size = size;
		m->start_id = m->start_str_off = 0;
		if (f->start_id.present && vd_ok(vd_walk_get(s, btf, &f->start_id, &v)))
			m->start_id = (uint32_t)v;
		if (f->start_str.present && vd_ok(vd_walk_get(s, btf, &f->start_str, &v)))
			m->start_str_off = (uint32_t)v;
		return NULL;
	}
	return NULL;    // a module being unloaded: not in the list any more
}

/* The kernel's parsed copies of the modules' BTF (see the top). */
static struct vd_error *
walk_btf_modules(struct mt_source *ms)
{
	struct vd_session *s = ms->s;
	struct vd_list_walk w;
	struct btf_fields f = { 0 };
	struct vd_error *err, *first = NULL;
	uint64_t head, node;

	if (!vd_session_symbol(s, "btf_modules", &head))
		return NULL;    // no CONFIG_DEBUG_INFO_BTF_MODULES: mod->btf_data only
	if ((err = btf_fields(s, &f)))
		return err;
	vd_list_walk_init(&w, head, MODULES_MAX, vd_walk_read_kptr, s);
	while ((err = vd_list_walk_next(&w, &node)) != &vd_stop) {
		if (!err)
			err = read_btf_module(ms, &f, node);
		if (err && err->code == VD_ERR_NOMEM)
			break;
		if (err && !first)
			first = err;      // the first bad element says why; go on
		else
			vd_error_destroy(err);
		err = NULL;
	}
	vd_list_walk_deinit(&w);
	if (err && err != &vd_stop) {
		vd_error_destroy(first);
		return err;
	}
	return first;
}

static void
list_once(struct mt_source *ms)
{
	struct vd_error *err;

	if (ms->listed)
		return;
	ms->listed = true;
	err = list_modules(ms);
	if (!err)
		err = walk_btf_modules(ms);
	if (err) {
		if (asprintf(&ms->list_err, "%s", err->msg) < 0)
			ms->list_err = NULL;
		vd_error_destroy(err);
	}
}

/* The vmlinux BTF source module BTF continues: the session's, or our own. */
static struct vd_error *
vmlinux_btf(struct mt_source *ms, struct vd_type_source **ret)
{
	struct vd_error *err;

	if (!ms->vmlinux_btf && !ms->btf_tried)
		ms->vmlinux_btf = vd_types_kernel_btf(ms->s);
	if (!ms->vmlinux_btf && !ms->btf_tried) {
		// Types from a vmlinux's DWARF: module BTF still needs the
		// dump's vmlinux BTF as its base.
		ms->btf_tried = true;
		err = vd_btf_source_create(ms->s, &ms->vmlinux_btf);
		if (err)
			return err == &vd_noprobe ?
			       vd_error_create(VD_ERR_LOOKUP, "the dump has no vmlinux BTF") : err;
		ms->own_btf = true;
	}
	if (!ms->vmlinux_btf)
		return vd_error_create(VD_ERR_LOOKUP, "no vmlinux BTF");
	*ret = ms->vmlinux_btf;
	return NULL;
}

static struct vd_error *
btf_of(struct mt_source *ms, struct mt_mod *m, struct vd_type_source **ret)
{
	struct vd_type_source *base;
	struct vd_error *err;
	unsigned char *data;

	if (!m->btf_size)
		return vd_error_create(VD_ERR_LOOKUP, "no BTF in the dump");
	if (m->btf_size < BTF_HEADER_SIZE || m->btf_size > MODULE_BTF_MAX ||
	    !vd_walk_kptr_ok(m->btf_data))
		return vd_error_create(VD_ERR_CORRUPT, "BTF at 0x%llx, %llu bytes, is not a BTF blob",
				       (unsigned long long)m->btf_data,
				       (unsigned long long)m->btf_size);
	if ((err = vmlinux_btf(ms, &base)))
		return err;
	data = malloc(m->btf_size);
	if (!data)
		return &vd_enomem;
	err = vd_session_read(ms->s, VD_AS_KVIRT, m->btf_data, data, m->btf_size, NULL);
	if (!err && vd_get16(data, vd_session_info(ms->s)->big_endian) != BTF_MAGIC)
		err = vd_error_create(VD_ERR_CORRUPT, "no BTF magic at 0x%llx",
				      (unsigned long long)m->btf_data);
	if (!err)
		err = vd_btf_source_split(base, m->name, data, m->btf_size, m->start_id,
					  m->start_str_off, ret);
	free(data);
	return err;
}

/* Set up a module's source: DWARF from its debug file, else its BTF. */
static struct vd_type_source *
source_of(struct mt_source *ms, struct mt_mod *m)
{
	const char *path;
	struct vd_error *err;

	if (m->tried)
		return m->src;
	m->tried = true;
	path = vd_module_debug_path(ms->s, m->name);
	if (path) {
		err = vd_dwarf_source_for_module(path, m->name, &m->src);
		if (!err) {
			// Its name index, kept per debug file build-id.
			vd_dwarf_source_use_cache(m->src, ms->s->cache_dir);
			return m->src;
		}
		note_why(m, "DWARF", err);
		vd_error_destroy(err);
	}
	err = btf_of(ms, m, &m->src);
	if (err) {
		note_why(m, "BTF", err);
		vd_error_destroy(err);
		m->src = NULL;
	}
	return m->src;
}

/* Ask each module's source in turn (one of the three questions). */
enum question { Q_KIND, Q_BARE, Q_OBJECT };

static struct vd_error *
ask(struct mt_source *ms, enum question q, enum vd_type_kind kind, const char *name,
    struct vd_qualified_type *ret)
{
	static const enum vd_type_kind bare[] = { VD_TYPE_STRUCT, VD_TYPE_UNION,
						  VD_TYPE_TYPEDEF, VD_TYPE_ENUM };
	struct vd_error *first = NULL;
	size_t nsrc = 0;

	// Listing walks the modules with the kernel's types only (walkers/),
	// so it never comes back here.
	list_once(ms);
	for (size_t i = 0; i < ms->n; i++) {
		struct vd_type_source *src = source_of(ms, &ms->mods[i]);
		struct vd_error *err = NULL;

		if (!src)
			continue;
		nsrc++;
		if (q == Q_OBJECT) {
			err = src->find_object ? src->find_object(src, name, ret) :
			      vd_error_create(VD_ERR_LOOKUP, "BTF has no variables");
		} else if (q == Q_BARE && src->find_bare) {
			err = src->find_bare(src, name, ret);
		} else {
			for (size_t k = 0; k < (q == Q_BARE ? VD_ARRAY_SIZE(bare) : 1); k++) {
				vd_error_destroy(err);
				err = src->find(src, q == Q_BARE ? bare[k] : kind, name, ret);
				if (!err || err->code != VD_ERR_LOOKUP)
					break;
			}
		}
		if (!err) {
			vd_error_destroy(first);
			return NULL;
		}
		// A module whose debug data is bad must not hide the others.
		if (err->code != VD_ERR_LOOKUP && !first)
			first = vd_error_wrap(err, "module %s", ms->mods[i].name);
		else
			vd_error_destroy(err);
	}
	if (first)
		return first;
	return vd_error_create(VD_ERR_LOOKUP, "no %s '%s' in the types of %zu of the %zu loaded modules%s%s",
			       q == Q_OBJECT ? "variable or function" : "type", name, nsrc,
			       ms->n, ms->list_err ? " (" : "", ms->list_err ? ms->list_err : "");
}

static struct vd_error *
mt_find(struct vd_type_source *src, enum vd_type_kind kind, const char *name,
	struct vd_qualified_type *ret)
{
	// Base types are the kernel's; module BTF and DWARF repeat them.
	if (kind != VD_TYPE_STRUCT && kind != VD_TYPE_UNION && kind != VD_TYPE_ENUM &&
	    kind != VD_TYPE_TYPEDEF)
		return vd_error_create(VD_ERR_LOOKUP, "modules add no base types");
	return ask((struct mt_source *)src, Q_KIND, kind, name, ret);
}

static struct vd_error *
mt_find_bare(struct vd_type_source *src, const char *name, struct vd_qualified_type *ret)
{
	return ask((struct mt_source *)src, Q_BARE, VD_TYPE_VOID, name, ret);
}

static struct vd_error *
mt_find_object(struct vd_type_source *src, const char *name, struct vd_qualified_type *ret)
{
	return ask((struct mt_source *)src, Q_OBJECT, VD_TYPE_VOID, name, ret);
}

static void
mt_destroy(struct vd_type_source *src)
{
	struct mt_source *ms = (struct mt_source *)src;

	// Module BTF sources use the vmlinux one: they go first.
	for (size_t i = 0; i < ms->n; i++) {
		if (ms->mods[i].src)
			ms->mods[i].src->destroy(ms->mods[i].src);
		free(ms->mods[i].why);
	}
	free(ms->mods);
	if (ms->own_btf)
		ms->vmlinux_btf->destroy(ms->vmlinux_btf);
	free(ms->list_err);
	free(ms);
}

struct vd_error *
vd_module_types_source_create(struct vd_session *s, struct vd_type_source **ret)
{
	struct mt_source *ms;

	// A process core has no modules.
	if (vd_session_info(s)->core)
		return &vd_noprobe;
	ms = calloc(1, sizeof(*ms));
	if (!ms)
		return &vd_enomem;
	ms->s = s;
	if (s->module_debug)
		snprintf(ms->desc, sizeof(ms->desc),
			 "the loaded modules' DWARF (debug files under %.180s) or BTF",
			 s->module_debug);
	else
		snprintf(ms->desc, sizeof(ms->desc), "the loaded modules' BTF");
	ms->base = (struct vd_type_source){
		.name = ms->desc, .find = mt_find, .find_bare = mt_find_bare,
		// Variables and functions are in DWARF only.
		.find_object = s->module_debug ? mt_find_object : NULL,
		.destroy = mt_destroy,
	};
	*ret = &ms->base;
	return NULL;
}
