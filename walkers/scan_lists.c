// SPDX-License-Identifier: MIT
/*
 * init_task, modules and btf_modules recognized among the candidates the
 * image scan collected (symbols/scan_image.c), for kernels whose kallsyms
 * lacks data symbols: checking a candidate needs the kernel's types, so it
 * is done here, above types/, and asked through the session's
 * typed_symbol hook.  The candidates come, in this order, from the cache
 * (what an earlier session found), from the code of a few text symbols
 * that use the variable (vd_scan_code_refs(): a few KiB read), and last
 * from the scan of the whole image.
 * - init_task is the task whose comm is "swapper/0" (init_idle() names
 *   it), with pid 0, whose tasks list is consistent;
 * - `modules` is a list_head in the image whose nodes are struct module
 *   lists in module memory and whose walk comes back to it;
 * - `btf_modules` (kernel/bpf/btf.c, the modules' BTF) is a list_head in
 *   the image whose nodes (kmalloc'ed struct btf_module) each name a
 *   loaded module and a struct btf called as that module is.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "symbols/symbols_priv.h"
#include "walk_priv.h"

#define CODE_CANDIDATES 256

/*
 * The text symbols whose code uses each variable, each a function the
 * kernel keeps out of line (it is called from elsewhere, or through a
 * notifier): show_state_filter() walks the tasks from &init_task
 * (for_each_process_thread), find_module_all() and print_modules() walk
 * `modules`, btf_module_notify() adds to `btf_modules` (kernel/bpf/btf.c,
 * since 5.11 "bpf: Load and verify kernel module BTFs").
 */
static const char *const init_task_users[] = { "show_state_filter", "print_modules", NULL };
static const char *const modules_users[] = { "find_module_all", "print_modules", NULL };
static const char *const btf_modules_users[] = { "btf_module_notify", NULL };

static bool
init_task_ok(struct vd_session *s, uint64_t t, const struct vd_field *pid,
	     const struct vd_field *tasks)
{
	uint64_t v, next, prev;

	if (!vd_ok(vd_walk_get(s, t, pid, &v)) || v ||
	    !vd_ok(vd_walk_read_kptr(s, t + tasks->off, &next)) ||
	    !vd_ok(vd_walk_read_kptr(s, next + 8, &prev)))
		return false;
	return prev == t + tasks->off;
}

/* t is init_task: named "swapper/0", and init_task_ok(). */
static bool
named_init_task_ok(struct vd_session *s, uint64_t t, const struct vd_field *comm,
		   const struct vd_field *pid, const struct vd_field *tasks)
{
	char name[sizeof("swapper/0")] = "";

	return vd_ok(vd_session_read(s, VD_AS_KVIRT, t + comm->off, name, sizeof(name), NULL)) &&
	       !memcmp(name, "swapper/0", sizeof(name)) && init_task_ok(s, t, pid, tasks);
}

static void
find_init_task(struct vd_session *s, struct vd_scan *p)
{
	struct vd_field comm, pid, tasks;
	const struct vd_type *t;
	uint64_t cand[CODE_CANDIDATES];
	size_t n;

	p->task_done = true;
	if (!vd_ok(vd_walk_type(s, "struct task_struct", &t)) ||
	    !vd_ok(vd_walk_need(t, "task_struct", "comm", &comm)) ||
	    !vd_ok(vd_walk_need(t, "task_struct", "pid", &pid)) ||
	    !vd_ok(vd_walk_need(t, "task_struct", "tasks", &tasks)))
		return;
	// The address an earlier session found (the cache), then those the
	// code forms, each checked as a candidate is: its comm, pid and
	// tasks list.
	if (p->hint_init_task && named_init_task_ok(s, p->hint_init_task, &comm, &pid, &tasks)) {
		p->init_task = p->hint_init_task;
		return;
	}
	n = vd_scan_code_refs(s, init_task_users, cand, VD_ARRAY_SIZE(cand));
	for (size_t i = 0; i < n; i++) {
		if (named_init_task_ok(s, cand[i], &comm, &pid, &tasks)) {
			p->init_task = cand[i];
			return;
		}
	}
	if (!vd_scan_get(s) || p->err)
		return;
	for (size_t i = 0; i < p->ncomm; i++) {
		uint64_t task = p->comm_hits[i] - comm.off;

		if (init_task_ok(s, task, &pid, &tasks)) {
			p->init_task = task;
			return;
		}
	}
}

/* A plausible struct module: state UNFORMED (3) or less, a printable name. */
static bool
module_ok(struct vd_session *s, uint64_t mod, const struct vd_field *state,
	  const struct vd_field *name)
{
	char buf[64] = "";
	uint64_t v;
	size_t len;

	if (!vd_ok(vd_walk_get(s, mod, state, &v)) || v > 3 ||
	    vd_session_read(s, VD_AS_KVIRT, mod + name->off, buf,
			    VD_MIN(name->size, sizeof(buf) - 1), NULL))
		return false;
	len = strnlen(buf, sizeof(buf) - 1);
	if (!len || len >= name->size)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isgraph((unsigned char)buf[i]))
			return false;
	return true;
}

/* Every node of the list at head is a module, and the walk ends cleanly. */
static bool
modules_list_ok(struct vd_session *s, uint64_t head, const struct vd_field *list,
		const struct vd_field *state, const struct vd_field *name)
{
	struct vd_list_walk w;
	struct vd_error *err;
	uint64_t node;
	bool ok = true;

	vd_list_walk_init(&w, head, 65536, vd_walk_read_kptr, s);
	while (ok && (err = vd_list_walk_next(&w, &node)) != &vd_stop) {
		if (err) {
			vd_error_destroy(err);
			ok = false;
		} else {
			ok = module_ok(s, node - list->off, state, name);
		}
	}
	ok = ok && w.n > 0;
	vd_list_walk_deinit(&w);
	return ok;
}

/* head is the modules list: its first node a module, the whole walk modules. */
static bool
modules_head_ok(struct vd_session *s, uint64_t head, const struct vd_field *list,
		const struct vd_field *state, const struct vd_field *name)
{
	uint64_t next, back;

	return vd_ok(vd_walk_read_kptr(s, head, &next)) &&
	       vd_ok(vd_walk_read_kptr(s, next + 8, &back)) && back == head &&
	       module_ok(s, next - list->off, state, name) &&
	       modules_list_ok(s, head, list, state, name);
}

static void
find_modules(struct vd_session *s, struct vd_scan *p)
{
	struct vd_field list, state, name;
	const struct vd_type *t;
	uint64_t cand[CODE_CANDIDATES];
	size_t n;

	p->mod_done = true;
	if (!vd_ok(vd_walk_type(s, "struct module", &t)) ||
	    !vd_ok(vd_walk_need(t, "module", "list", &list)) ||
	    !vd_ok(vd_walk_need(t, "module", "state", &state)) ||
	    !vd_ok(vd_walk_need(t, "module", "name", &name)))
		return;
	// The kept address (the cache) first, then the code's, then the
	// scan's candidates.
	if (p->hint_modules && modules_head_ok(s, p->hint_modules, &list, &state, &name)) {
		p->modules = p->hint_modules;
		return;
	}
	n = vd_scan_code_refs(s, modules_users, cand, VD_ARRAY_SIZE(cand));
	for (size_t i = 0; i < n; i++) {
		if (modules_head_ok(s, cand[i], &list, &state, &name)) {
			p->modules = cand[i];
			return;
		}
	}
	if (!vd_scan_get(s) || p->err)
		return;
	for (size_t i = 0; i < p->nlists; i++) {
		if (modules_head_ok(s, p->lists[i], &list, &state, &name)) {
			p->modules = p->lists[i];
			return;
		}
	}
}

struct btfmod_fields {
	struct vd_field mlist, mname;                 /* struct module */
	struct vd_field list, module, btf, btf_name;  /* btf_module, btf */
};

/* The node at node is a btf_module of a loaded module, whose btf has its name. */
static bool
btf_module_ok(struct vd_session *s, const struct vd_addr_set *mods,
	      const struct btfmod_fields *f, uint64_t node)
{
	char a[64] = "", b[64] = "";
	uint64_t mod, btf;

	return vd_ok(vd_walk_read_kptr(s, node - f->list.off + f->module.off, &mod)) &&
	       vd_addr_set_has(mods, mod) &&
	       vd_ok(vd_walk_read_kptr(s, node - f->list.off + f->btf.off, &btf)) &&
	       vd_walk_kptr_ok(btf) &&
	       vd_ok(vd_session_read(s, VD_AS_KVIRT, mod + f->mname.off, a,
				     VD_MIN(f->mname.size, sizeof(a) - 1), NULL)) &&
	       vd_ok(vd_session_read(s, VD_AS_KVIRT, btf + f->btf_name.off, b,
				     VD_MIN(f->btf_name.size, sizeof(b) - 1), NULL)) &&
	       a[0] && !strcmp(a, b);
}

static bool
btf_modules_ok(struct vd_session *s, const struct vd_addr_set *mods,
	       const struct btfmod_fields *f, uint64_t head)
{
	struct vd_list_walk w;
	struct vd_error *err;
	uint64_t node;
	bool ok;

	vd_list_walk_init(&w, head, 65536, vd_walk_read_kptr, s);
	while ((err = vd_list_walk_next(&w, &node)) == NULL)
		if (!btf_module_ok(s, mods, f, node))
			break;
	ok = err == &vd_stop && w.n > 0;
	vd_error_destroy(err);
	vd_list_walk_deinit(&w);
	return ok;
}

static bool
btf_head_ok(struct vd_session *s, const struct vd_addr_set *mods,
	    const struct btfmod_fields *f, uint64_t head)
{
	uint64_t next;

	return vd_ok(vd_walk_read_kptr(s, head, &next)) && btf_module_ok(s, mods, f, next) &&
	       btf_modules_ok(s, mods, f, head);
}

static void
find_btf_modules(struct vd_session *s, struct vd_scan *p)
{
	const struct vd_type *m, *bm, *b;
	struct vd_addr_set mods = { 0 };
	struct btfmod_fields f;
	struct vd_list_walk w;
	uint64_t node, cand[CODE_CANDIDATES];
	size_t n;

	p->btfmod_done = true;
	if (!p->mod_done)
		find_modules(s, p);
	if (!p->modules || !vd_ok(vd_walk_type(s, "struct module", &m)) ||
	    !vd_ok(vd_walk_type(s, "struct btf_module", &bm)) ||
	    !vd_ok(vd_walk_type(s, "struct btf", &b)) ||
	    !vd_ok(vd_walk_need(m, "module", "list", &f.mlist)) ||
	    !vd_ok(vd_walk_need(m, "module", "name", &f.mname)) ||
	    !vd_ok(vd_walk_need(bm, "btf_module", "list", &f.list)) ||
	    !vd_ok(vd_walk_need(bm, "btf_module", "module", &f.module)) ||
	    !vd_ok(vd_walk_need(bm, "btf_module", "btf", &f.btf)) ||
	    !vd_ok(vd_walk_need(b, "btf", "name", &f.btf_name)))
		return;
	vd_list_walk_init(&w, p->modules, 65536, vd_walk_read_kptr, s);
	while (vd_ok(vd_list_walk_next(&w, &node)))
		if (!vd_ok(vd_addr_set_add(&mods, node - f.mlist.off)))
			break;
	vd_list_walk_deinit(&w);
	// The kept address (the cache) first, then the code's, then the
	// scan's candidates.
	if (mods.n && p->hint_btf_modules && btf_head_ok(s, &mods, &f, p->hint_btf_modules))
		p->btf_modules = p->hint_btf_modules;
	if (mods.n && !p->btf_modules) {
		n = vd_scan_code_refs(s, btf_modules_users, cand, VD_ARRAY_SIZE(cand));
		for (size_t i = 0; i < n && !p->btf_modules; i++)
			if (btf_head_ok(s, &mods, &f, cand[i]))
				p->btf_modules = cand[i];
	}
	if (mods.n && !p->btf_modules && vd_scan_get(s) && !p->err)
		for (size_t i = 0; i < p->ndlists; i++) {
			if (btf_head_ok(s, &mods, &f, p->dlists[i])) {
				p->btf_modules = p->dlists[i];
				break;
			}
		}
	vd_addr_set_free(&mods);
}

bool
vd_scan_typed_symbol(struct vd_session *s, const char *name, uint64_t *ret)
{
	struct vd_scan *p;

	if (strcmp(name, "init_task") && strcmp(name, "modules") &&
	    strcmp(name, "btf_modules"))
		return false;
	if (!(p = vd_scan_state(s)))
		return false;
	// The checks ask for the kernel's types only (vd_walk_type()), whose
	// set-up needs no symbol of these three: nothing here comes back.
	if (!strcmp(name, "init_task") && !p->task_done)
		find_init_task(s, p);
	if (!strcmp(name, "modules") && !p->mod_done)
		find_modules(s, p);
	if (!strcmp(name, "btf_modules") && !p->btfmod_done)
		find_btf_modules(s, p);
	*ret = !strcmp(name, "init_task") ? p->init_task :
	       !strcmp(name, "modules") ? p->modules : p->btf_modules;
	return *ret != 0;
}
