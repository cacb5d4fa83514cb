// SPDX-License-Identifier: MIT
/*
 * Loaded modules: the `modules` list of struct module (linked through
 * module.list), each module's memory regions, state, taints and refcount,
 * and its own symbol table (mod->kallsyms) for symbolizing module
 * addresses.
 *
 * Two layouts of a module's memory, told apart by which member exists:
 * - before 6.4: core_layout and init_layout (struct module_layout: base,
 *   size, text_size, ro_size, ro_after_init_size); each layout is one
 *   allocation holding text, then rodata, then ro_after_init data, then
 *   data (kernel/module/main.c layout_sections()).  Some arches also have
 *   data_layout (CONFIG_ARCH_WANTS_MODULES_DATA_IN_VMALLOC, commit
 *   01dc0386efb7 "module: Add CONFIG_ARCH_WANTS_MODULES_DATA_IN_VMALLOC").
 * - 6.4 and later: mod->mem[MOD_MEM_NUM_TYPES] of struct module_memory
 *   (base, size), one allocation per type (commit ac3b43283923 "module:
 *   replace module_layout with module_memory"); the region names come from
 *   the kernel's own enum mod_mem_type.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "walk_priv.h"

/* A module count no real system reaches; a longer list is corrupt. */
#define MODULES_MAX 65536

struct layout_fields {
	struct vd_field base, size, text_size, ro_size, ro_after_init_size;
};

struct vd_module_walk {
	struct vd_session *s;
	struct vd_list_walk list;
	const struct vd_type *mod_type;
	const struct vd_type *state_enum;
	const struct vd_type *mem_enum;   /* enum mod_mem_type, 6.4+ */
	struct vd_field list_f, name, state, taints, refcnt, kallsyms;
	bool have_mem;                    /* mod->mem[] */
	struct vd_field mem;              /* the whole array */
	uint32_t mem_n, mem_stride;
	struct vd_field mem_base, mem_size;   /* inside one module_memory */
	struct layout_fields core, init, data;
	bool have_data_layout;
	struct vd_field ks_num;           /* mod_kallsyms.num_symtab */
	struct vd_module rec;
};

static struct vd_error *
layout_fields(struct vd_module_walk *w, const char *layout, struct layout_fields *f)
{
	static const char *const names[] = { "base", "size", "text_size", "ro_size",
					     "ro_after_init_size" };
	struct vd_field *out[] = { &f->base, &f->size, &f->text_size, &f->ro_size,
				   &f->ro_after_init_size };
	char path[64];
	struct vd_error *err;

	for (size_t i = 0; i < VD_ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), "%s.%s", layout, names[i]);
		// ro_after_init_size came with 4.8 (commit 444d13ff10fb); older
		// layouts simply lack the region.
		err = i == 4 ? vd_walk_field(w->mod_type, path, out[i]) :
			       vd_walk_need(w->mod_type, "struct module", path, out[i]);
		if (err)
			return err;
	}
	return NULL;
}

static struct vd_error *
mem_fields(struct vd_module_walk *w)
{
	const struct vd_type *arr;
	struct vd_member_info m;
	const struct vd_type *elem;
	struct vd_qualified_type qt;
	struct vd_error *err;

	err = vd_type_member(w->mod_type, "mem", &m);
	if (err)
		return err;
	arr = vd_type_unqualified(m.type.type);
	if (!arr || arr->kind != VD_TYPE_ARRAY || !arr->length ||
	    arr->length > VD_MODULE_REGIONS_MAX)
		return vd_error_create(VD_ERR_TYPE, "struct module.mem is not a small array");
	elem = vd_type_unqualified(arr->target.type);
	if (!elem || !elem->size)
		return vd_error_create(VD_ERR_TYPE, "struct module.mem[] has no element size");
	w->mem = (struct vd_field){ .off = m.bit_offset / 8, .size = (uint32_t)arr->size,
				    .present = true };
	w->mem_n = (uint32_t)arr->length;
	w->mem_stride = (uint32_t)elem->size;
	if ((err = vd_walk_need(elem, "struct module_memory", "base", &w->mem_base)) ||
	    (err = vd_walk_need(elem, "struct module_memory", "size", &w->mem_size)))
		return err;
	if (vd_ok(vd_types_find_kernel(w->s, "enum mod_mem_type", &qt)))
		w->mem_enum = vd_type_unqualified(qt.type);
	return NULL;
}

static struct vd_error *
setup_types(struct vd_module_walk *w)
{
	const struct vd_type *t;
	struct vd_member_info m;
	struct vd_error *err;

	if ((err = vd_walk_type(w->s, "struct module", &w->mod_type)))
		return err;
	t = w->mod_type;
	if ((err = vd_walk_need(t, "struct module", "list", &w->list_f)) ||
	    (err = vd_walk_need(t, "struct module", "name", &w->name)) ||
	    (err = vd_walk_need(t, "struct module", "state", &w->state)) ||
	    (err = vd_walk_field(t, "taints", &w->taints)) ||
	    (err = vd_walk_field(t, "refcnt.counter", &w->refcnt)) ||
	    (err = vd_walk_field(t, "kallsyms", &w->kallsyms)))
		return err;
	if (vd_ok(vd_type_member(t, "state", &m)))
		w->state_enum = vd_type_unqualified(m.type.type);
	if ((err = vd_walk_field(t, "mem", &w->mem)))
		return err;
	w->have_mem = w->mem.present;
	if (w->have_mem)
		err = mem_fields(w);
	else
		err = layout_fields(w, "core_layout", &w->core);
	if (!err && !w->have_mem)
		err = layout_fields(w, "init_layout", &w->init);
	if (!err && !w->have_mem && vd_ok(vd_walk_field(t, "data_layout.base", &w->data.base)) &&
	    w->data.base.present) {
		w->have_data_layout = true;
		err = layout_fields(w, "data_layout", &w->data);
	}
	if (!err && w->kallsyms.present) {
		const struct vd_type *ks;

		if (vd_ok(vd_walk_type(w->s, "struct mod_kallsyms", &ks)))
			err = vd_walk_field(ks, "num_symtab", &w->ks_num);
	}
	return err;
}

struct vd_error *
vd_module_iter_init(struct vd_module_iter *it, struct vd_session *s)
{
	struct vd_module_walk *w;
	struct vd_error *err;
	uint64_t head;

	*it = (struct vd_module_iter){ 0 };
	if ((err = vd_walk_symbol(s, "modules", &head)))
		return vd_error_wrap(err, "finding the module list");
	w = calloc(1, sizeof(*w));
	if (!w)
		return &vd_enomem;
	w->s = s;
	if ((err = setup_types(w))) {
		free(w);
		return vd_error_wrap(err, "module types (%s)", vd_session_type_source(s));
	}
	vd_list_walk_init(&w->list, head, MODULES_MAX, vd_walk_read_kptr, s);
	it->layout = w->have_mem ? "mem[]" : "core_layout";
	it->w = w;
	return NULL;
}

void
vd_module_iter_deinit(struct vd_module_iter *it)
{
	if (!it->w)
		return;
	vd_list_walk_deinit(&it->w->list);
	free(it->w);
	it->w = NULL;
}

static void
add_region(struct vd_module *m, const char *name, uint64_t base, uint64_t size,
	   bool exec, bool write, bool init)
{
	struct vd_module_region *r;

	if (!size || m->nregions >= VD_MODULE_REGIONS_MAX)
		return;
	r = &m->regions[m->nregions++];
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->base = base;
	r->size = size;
	r->exec = exec;
	r->write = write;
	r->init = init;
}

/* One module_layout cut into its parts (see the comment at the top). */
static struct vd_error *
read_layout(struct vd_module_walk *w, uint64_t mod, const struct layout_fields *f,
	    const char *prefix, bool init, struct vd_module *m)
{
	uint64_t base, size, text, ro, roai = 0;
	struct vd_error *err;
	char n[24];

	if ((err = vd_walk_get(w->s, mod, &f->base, &base)) ||
	    (err = vd_walk_get(w->s, mod, &f->size, &size)) ||
	    (err = vd_walk_get(w->s, mod, &f->text_size, &text)) ||
	    (err = vd_walk_get(w->s, mod, &f->ro_size, &ro)))
		return err;
	if (f->ro_after_init_size.present &&
	    (err = vd_walk_get(w->s, mod, &f->ro_after_init_size, &roai)))
		return err;
	if (!f->ro_after_init_size.present)
		roai = ro;
	if (!base || !size)
		return NULL;     // init memory is freed (base NULL) once loaded
	if (text > ro || ro > roai || roai > size || !vd_walk_kptr_ok(base & ~7ull) ||
	    base + size < base)
		return vd_error_create(VD_ERR_CORRUPT,
				       "%s layout base 0x%llx size %llu text %llu ro %llu ro_after_init %llu is inconsistent",
				       prefix, (unsigned long long)base,
				       (unsigned long long)size, (unsigned long long)text,
				       (unsigned long long)ro, (unsigned long long)roai);
	snprintf(n, sizeof(n), "%stext", prefix);
	add_region(m, n, base, text, true, false, init);
	snprintf(n, sizeof(n), "%srodata", prefix);
	add_region(m, n, base + text, ro - text, false, false, init);
	snprintf(n, sizeof(n), "%sro_after_init", prefix);
	add_region(m, n, base + ro, roai - ro, false, false, init);
	snprintf(n, sizeof(n), "%sdata", prefix);
	add_region(m, n, base + roai, size - roai, false, true, init);
	return NULL;
}

static void
mem_type_name(const struct vd_module_walk *w, uint32_t i, char *buf, size_t size)
{
	static const char *const fallback[] = { "text", "data", "rodata",
		"ro_after_init", "init_text", "init_data", "init_rodata" };
	const struct vd_type *e = w->mem_enum;

	for (size_t k = 0; e && k < e->nenumerators; k++) {
		const char *n = e->enumerators[k].name;

		if (e->enumerators[k].value != (int64_t)i || strncmp(n, "MOD_", 4))
			continue;
		snprintf(buf, size, "%s", n + 4);
		for (char *p = buf; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		return;
	}
	if (i < VD_ARRAY_SIZE(fallback))
		snprintf(buf, size, "%s", fallback[i]);
	else
		snprintf(buf, size, "mem%u", i);
}

static struct vd_error *
read_mem(struct vd_module_walk *w, uint64_t mod, struct vd_module *m)
{
	for (uint32_t i = 0; i < w->mem_n; i++) {
		uint64_t at = mod + w->mem.off + (uint64_t)i * w->mem_stride, base, size;
		struct vd_error *err;
		char n[24];
		bool init;

		if ((err = vd_walk_get(w->s, at, &w->mem_base, &base)) ||
		    (err = vd_walk_get(w->s, at, &w->mem_size, &size)))
			return err;
		if (!base || !size)
			continue;
		mem_type_name(w, i, n, sizeof(n));
		init = !strncmp(n, "init_", 5);
		add_region(m, n, base, size, strstr(n, "text") != NULL,
			   !strcmp(n, "data") || !strcmp(n, "init_data"), init);
		if (!strcmp(n, "text"))
			m->base = base;
		if (!init)
			m->size += size;
	}
	return NULL;
}

static const char *
enum_name(const struct vd_type *e, int64_t v)
{
	for (size_t i = 0; e && i < e->nenumerators; i++)
		if (e->enumerators[i].value == v)
			return e->enumerators[i].name;
	return NULL;
}

static struct vd_error *
read_module(struct vd_module_walk *w, uint64_t mod, struct vd_module *m)
{
	struct vd_session *s = w->s;
	uint64_t v;
	struct vd_error *err;

	*m = (struct vd_module){ .addr = mod };
	err = vd_session_read(s, VD_AS_KVIRT, mod + w->name.off, m->name,
			      VD_MIN(w->name.size, sizeof(m->name) - 1), NULL);
	if (err)
		return err;
	m->name[sizeof(m->name) - 1] = '\0';
	for (char *p = m->name; *p; p++)
		if (!isprint((unsigned char)*p))
			return vd_error_create(VD_ERR_CORRUPT, "module name is not text");
	if ((err = vd_walk_get(s, mod, &w->state, &v)))
		return err;
	m->state = vd_walk_sext(v, w->state.size);
	m->state_name = enum_name(w->state_enum, m->state);
	if (w->taints.present && vd_ok(vd_walk_get(s, mod, &w->taints, &m->taints)))
		vd_taint_letters(m->taints, m->taint_flags, sizeof(m->taint_flags));
	// module_refcount() subtracts MODULE_REF_BASE (1): the reference the
	// module holds on itself while loaded (kernel/module/main.c).
	if (w->refcnt.present && vd_ok(vd_walk_get(s, mod, &w->refcnt, &v))) {
		m->have_refcnt = true;
		m->refcnt = vd_walk_sext(v, w->refcnt.size) - 1;
	}
	if (w->kallsyms.present && vd_ok(vd_walk_get(s, mod, &w->kallsyms, &m->kallsyms)) &&
	    m->kallsyms && w->ks_num.present &&
	    vd_ok(vd_walk_get(s, m->kallsyms, &w->ks_num, &v)))
		m->nsyms = v;
	if (w->have_mem)
		return read_mem(w, mod, m);
	if ((err = read_layout(w, mod, &w->core, "", false, m)))
		return err;
	if (w->have_data_layout && (err = read_layout(w, mod, &w->data, "data_", false, m)))
		return err;
	// Read once already by read_layout(): crash's BASE and SIZE.
	vd_ok(vd_walk_get(s, mod, &w->core.base, &m->base));
	if (vd_ok(vd_walk_get(s, mod, &w->core.size, &v)))
		m->size = v;
	return read_layout(w, mod, &w->init, "init_", true, m);
}

struct vd_error *
vd_module_iter_next(struct vd_module_iter *it, const struct vd_module **ret)
{
	struct vd_module_walk *w = it->w;
	struct vd_error *err;
	uint64_t node, mod;

	if (!w)
		return &vd_stop;
	err = vd_list_walk_next(&w->list, &node);
	if (!err) {
		mod = node - w->list_f.off;
		err = read_module(w, mod, &w->rec);
		if (err)
			err = vd_error_wrap(err, "module %llu (struct module at 0x%llx)",
					    (unsigned long long)w->list.n,
					    (unsigned long long)mod);
		else
			*ret = &w->rec;
	}
	return vd_walk_yield(err, &it->nrecords, &it->ncorrupt);
}

struct vd_error *
vd_module_find(struct vd_session *s, const char *name, struct vd_module *ret)
{
	struct vd_module_iter it;
	const struct vd_module *m;
	struct vd_error *err = vd_module_iter_init(&it, s);

	while (!err) {
		err = vd_module_iter_next(&it, &m);
		if (err && err != &vd_stop && err->code != VD_ERR_NOMEM) {
			vd_error_destroy(err);    // a bad element: look further
			err = NULL;
			continue;
		}
		if (!err && !strcmp(m->name, name)) {
			*ret = *m;
			break;
		}
	}
	vd_module_iter_deinit(&it);
	if (err == &vd_stop)
		return vd_error_create(VD_ERR_LOOKUP, "no module '%s' is loaded", name);
	return err;
}
