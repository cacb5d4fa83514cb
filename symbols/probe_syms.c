// SPDX-License-Identifier: MIT
/*
 * Kernel data symbols found in memory when no symbol table names them.
 *
 * A kernel built without CONFIG_KALLSYMS_ALL (Debian's arm64 kernels)
 * keeps only text symbols in kallsyms, and VMCOREINFO names only a few
 * variables: without a vmlinux there is no __start_BTF (so no types),
 * init_task or modules.  The kernel image itself holds all three, and each
 * is recognizable with certainty once found:
 * - the .BTF blob starts with struct btf_header (magic 0xeB9F, version 1,
 *   hdr_len 24, type section first, strings right after it);
 * - init_task is the task whose comm is "swapper/0" (init_idle() names
 *   it), with pid 0, whose tasks list is consistent;
 * - `modules` is a list_head in the image whose nodes are struct module
 *   lists in module memory and whose walk comes back to it;
 * - `btf_modules` (kernel/bpf/btf.c, the modules' BTF) is a list_head in
 *   the image whose nodes (kmalloc'ed struct btf_module) each name a
 *   loaded module and a struct btf called as that module is.
 * One pass over the mapped pages of the image collects candidates; the
 * checks above pick the answer.  Only asked for when every symbol source
 * lacks the name.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "symbols_priv.h"
#include "walkers/walk_priv.h"

#define SCAN_MAX (256ull << 20)       /* a kernel image is far smaller */
#define CHUNK (1u << 20)
#define BTF_MIN (64u << 10)
#define BTF_MAX (256u << 20)
#define LIST_CANDIDATES_MAX 100000

struct vd_probe {
	bool scanned, scanning, validating;
	struct vd_error *err;          /* why the scan could not run */
	uint64_t img_start, img_end;
	uint64_t btf_start, btf_stop;
	uint64_t *comm_hits;
	size_t ncomm;
	uint64_t *lists;               /* list_heads pointing out of the image */
	size_t nlists;
	uint64_t *dlists;              /* list_heads pointing into the direct map */
	size_t ndlists;
	bool task_done, mod_done, btfmod_done;
	uint64_t init_task, modules, btf_modules;
};

void
vd_probe_destroy(struct vd_probe *p)
{
	if (!p)
		return;
	vd_error_destroy(p->err);
	free(p->comm_hits);
	free(p->lists);
	free(p->dlists);
	free(p);
}

static bool
push(uint64_t **v, size_t *n, uint64_t x)
{
	uint64_t *q;

	if (*n >= LIST_CANDIDATES_MAX)
		return false;
	if (!(*n & (*n + 1)) || !*v) {
		q = realloc(*v, (2 * *n + 2) * sizeof(*q));
		if (!q)
			return false;
		*v = q;
	}
	(*v)[(*n)++] = x;
	return true;
}

/* The kernel image: the KTEXT region that holds _stext, bounded. */
static struct vd_error *
image_range(struct vd_session *s, struct vd_xlat *xlat, struct vd_probe *p)
{
	const struct vd_region *r;
	uint64_t stext;

	if (!vd_session_number(s, "SYMBOL(_stext)", &stext))
		return vd_error_create(VD_ERR_LOOKUP, "VMCOREINFO has no SYMBOL(_stext)");
	r = vd_xlat_region(xlat, stext);
	p->img_start = stext & ~0xfffffull;
	p->img_end = r && r->kind == VD_REGION_KTEXT ? r->end + 1 : p->img_start + SCAN_MAX;
	if (p->img_end - p->img_start > SCAN_MAX)
		p->img_end = p->img_start + SCAN_MAX;
	return NULL;
}

/* Where a pointer out of the image goes: module space, the direct map, or neither. */
enum { SPACE_NONE, SPACE_MODULE, SPACE_DIRECT };

static int
space_of(struct vd_xlat *xlat, const struct vd_probe *p, uint64_t v)
{
	const struct vd_region *r;

	if (!vd_walk_kptr_ok(v) || (v >= p->img_start && v < p->img_end))
		return SPACE_NONE;
	r = vd_xlat_region(xlat, v);
	if (r && (r->kind == VD_REGION_MODULES || r->kind == VD_REGION_VMALLOC))
		return SPACE_MODULE;
	return r && r->kind == VD_REGION_DIRECTMAP ? SPACE_DIRECT : SPACE_NONE;
}

/* A struct btf_header (include/uapi/linux/btf.h) of vmlinux-like shape. */
static uint64_t
btf_size_at(const unsigned char *b)
{
	uint32_t type_off = vd_get32(b + 8, false), type_len = vd_get32(b + 12, false);
	uint32_t str_off = vd_get32(b + 16, false), str_len = vd_get32(b + 20, false);
	uint64_t total = 24ull + str_off + str_len;

	if (vd_get16(b, false) != 0xeb9f || b[2] != 1 || vd_get32(b + 4, false) != 24 ||
	    type_off || str_off != type_len || total < BTF_MIN || total > BTF_MAX)
		return 0;
	return total;
}

static void
scan_chunk(struct vd_probe *p, struct vd_xlat *xlat, uint64_t va,
	   const unsigned char *b, size_t n)
{
	static const char comm[] = "swapper/0";

	for (size_t i = 0; i + 24 <= n; i += 4) {
		uint64_t size;

		if (b[i] == 0x9f && b[i + 1] == 0xeb && (size = btf_size_at(b + i)) &&
		    size > p->btf_stop - p->btf_start) {
			p->btf_start = va + i;
			p->btf_stop = va + i + size;
		}
		if (b[i] == 's' && !memcmp(b + i, comm, sizeof(comm)))
			push(&p->comm_hits, &p->ncomm, va + i);
		if (!(i & 7)) {
			int next = space_of(xlat, p, vd_get64(b + i, false));

			if (next != SPACE_NONE && space_of(xlat, p, vd_get64(b + i + 8, false)) == next)
				push(next == SPACE_MODULE ? &p->lists : &p->dlists,
				     next == SPACE_MODULE ? &p->nlists : &p->ndlists, va + i);
		}
	}
}

static struct vd_error *
scan(struct vd_session *s, struct vd_probe *p)
{
	unsigned char *buf;
	struct vd_xlat *xlat;
	struct vd_error *err;

	if ((err = vd_session_xlat(s, &xlat)) || (err = image_range(s, xlat, p)))
		return err;
	buf = malloc(CHUNK + 64);
	if (!buf)
		return &vd_enomem;
	// Chunks overlap by 64 bytes so that nothing straddles unseen;
	// unmapped parts (the image has holes) are skipped page by page.
	for (uint64_t va = p->img_start; va < p->img_end; va += CHUNK) {
		size_t want = (size_t)VD_MIN((uint64_t)CHUNK + 64, p->img_end - va), done = 0;

		while (done < want) {
			size_t got = 0;

			err = vd_session_read(s, VD_AS_KVIRT, va + done, buf + done,
					      want - done, &got);
			vd_error_destroy(err);
			if (got)
				scan_chunk(p, xlat, va + done, buf + done, got);
			done += got;
			if (err)
				done = (done | 4095) + 1;
		}
	}
	free(buf);
	return NULL;
}

static struct vd_probe *
get_probe(struct vd_session *s)
{
	if (!s->probe && !(s->probe = calloc(1, sizeof(*s->probe))))
		return NULL;
	if (!s->probe->scanned && !s->probe->scanning) {
		s->probe->scanning = true;
		s->probe->err = scan(s, s->probe);
		s->probe->scanned = true;
		s->probe->scanning = false;
	}
	return s->probe->scanned ? s->probe : NULL;
}

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

static void
find_init_task(struct vd_session *s, struct vd_probe *p)
{
	struct vd_field comm, pid, tasks;
	const struct vd_type *t;

	p->task_done = true;
	if (!vd_ok(vd_walk_type(s, "struct task_struct", &t)) ||
	    !vd_ok(vd_walk_need(t, "task_struct", "comm", &comm)) ||
	    !vd_ok(vd_walk_need(t, "task_struct", "pid", &pid)) ||
	    !vd_ok(vd_walk_need(t, "task_struct", "tasks", &tasks)))
		return;
	for (size_t i = 0; i < p->ncomm; i++) {
		uint64_t cand = p->comm_hits[i] - comm.off;

		if (init_task_ok(s, cand, &pid, &tasks)) {
			p->init_task = cand;
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

static void
find_modules(struct vd_session *s, struct vd_probe *p)
{
	struct vd_field list, state, name;
	const struct vd_type *t;

	p->mod_done = true;
	if (!vd_ok(vd_walk_type(s, "struct module", &t)) ||
	    !vd_ok(vd_walk_need(t, "module", "list", &list)) ||
	    !vd_ok(vd_walk_need(t, "module", "state", &state)) ||
	    !vd_ok(vd_walk_need(t, "module", "name", &name)))
		return;
	for (size_t i = 0; i < p->nlists; i++) {
		uint64_t head = p->lists[i], next, back;

		if (!vd_ok(vd_walk_read_kptr(s, head, &next)) || !vd_ok(vd_walk_read_kptr(s, next + 8, &back)) ||
		    back != head || !module_ok(s, next - list.off, &state, &name))
			continue;
		if (modules_list_ok(s, head, &list, &state, &name)) {
			p->modules = head;
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

static void
find_btf_modules(struct vd_session *s, struct vd_probe *p)
{
	const struct vd_type *m, *bm, *b;
	struct vd_addr_set mods = { 0 };
	struct btfmod_fields f;
	struct vd_list_walk w;
	uint64_t node;

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
	for (size_t i = 0; mods.n && i < p->ndlists; i++) {
		uint64_t next;

		if (vd_ok(vd_walk_read_kptr(s, p->dlists[i], &next)) &&
		    btf_module_ok(s, &mods, &f, next) &&
		    btf_modules_ok(s, &mods, &f, p->dlists[i])) {
			p->btf_modules = p->dlists[i];
			break;
		}
	}
	vd_addr_set_free(&mods);
}

bool
vd_probe_symbol(struct vd_session *s, const char *name, uint64_t *ret)
{
	struct vd_probe *p;

	if (s->probe && s->probe->scanning)
		return false;
	if (strcmp(name, "__start_BTF") && strcmp(name, "__stop_BTF") &&
	    strcmp(name, "init_task") && strcmp(name, "modules") &&
	    strcmp(name, "btf_modules"))
		return false;
	if (!(p = get_probe(s)) || p->err)
		return false;
	if (!strcmp(name, "__start_BTF") || !strcmp(name, "__stop_BTF")) {
		*ret = name[2] == 's' && name[3] == 't' && name[4] == 'a' ? p->btf_start :
									    p->btf_stop;
		return p->btf_start != 0;
	}
	// Validation needs types (from the BTF found above, so BTF answers
	// stay available meanwhile); it is not re-entrant.
	if (p->validating)
		return false;
	p->validating = true;
	if (!strcmp(name, "init_task") && !p->task_done)
		find_init_task(s, p);
	if (!strcmp(name, "modules") && !p->mod_done)
		find_modules(s, p);
	if (!strcmp(name, "btf_modules") && !p->btfmod_done)
		find_btf_modules(s, p);
	p->validating = false;
	*ret = !strcmp(name, "init_task") ? p->init_task :
	       !strcmp(name, "modules") ? p->modules : p->btf_modules;
	return *ret != 0;
}
