// SPDX-License-Identifier: MIT
/*
 * A process's memory inside a kernel dump: its page tables (mm->pgd walked
 * by the arch layer from that root), its VMAs and its files.
 *
 * VMAs live in mm->mm_mt, a maple tree, since commit d4af56c5c7c6 ("mm:
 * start tracking VMAs with maple tree", 6.1), with mm->mmap/vm_next
 * removed by commit 763ecb035029 ("mm: remove the vma linked list");
 * before, mm->mmap is a list through vm_next.  Which one is told by the
 * members mm_struct has.
 *
 * Maple tree entries (include/linux/maple_tree.h): the root node pointer
 * has bits 0-1 = 2 (an xarray internal entry) and is above 4096; a child
 * pointer in an internal node's slot is the same encoding without that bit
 * (bit 2 set, mte_mk_node()); a node pointer's type is bits
 * 3-6 (enum maple_type: maple_dense, maple_leaf_64, maple_range_64,
 * maple_arange_64); the node is the pointer with the low 8 bits cleared.
 * Leaves (leaf_64) hold the VMAs in their slots; range_64 and arange_64
 * hold child nodes.  Only the used slots count: past a node's data end the
 * slots are stale or hold the node's metadata (struct maple_metadata
 * overlays the last slot of a range_64 node that is not full).  Each VMA
 * carries its own vm_start and vm_end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "kmem_priv.h"
#include "vmdive/walk.h"

#define MAPLE_NODE_SIZE 256
#define MAPLE_MAX_HEIGHT 32
#define MAPLE_MAX_NODES (1u << 20)
#define VMAS_MAX (1u << 22)
#define PATH_MAX_COMPONENTS 256
#define FDS_MAX (1u << 20)

static bool
maple_is_node(uint64_t e)
{
	return (e & 3) == 2 && e > 4096;
}

struct maple_state {
	const struct vd_maple_walk *w;
	uint64_t nodes;
	bool stop;
};

static struct vd_error *
maple_node(struct maple_state *st, uint64_t enode, unsigned depth, uint64_t max)
{
	const struct vd_maple_walk *w = st->w;
	unsigned char buf[MAPLE_NODE_SIZE];
	unsigned type = (unsigned)(enode >> 3) & 0xf;
	uint64_t node = enode & ~0xffull;
	uint32_t off, n, poff, npiv, end;
	struct vd_error *err;

	if (depth > MAPLE_MAX_HEIGHT)
		return vd_error_create(VD_ERR_CORRUPT, "maple tree deeper than %u at node 0x%llx",
				       MAPLE_MAX_HEIGHT, (unsigned long long)node);
	if (++st->nodes > MAPLE_MAX_NODES)
		return vd_error_create(VD_ERR_CORRUPT, "maple tree has more than %u nodes",
				       MAPLE_MAX_NODES);
	if (type < 1 || type > 3)
		return vd_error_create(VD_ERR_CORRUPT, "maple node 0x%llx has type %u",
				       (unsigned long long)enode, type);
	if ((err = w->read_node(w->priv, node, buf, sizeof(buf))))
		return vd_error_wrap(err, "reading maple node 0x%llx", (unsigned long long)node);
	if (type == 3) {
		off = w->slot_offa;
		n = w->nslotsa;
		poff = w->pivot_offa;
		end = buf[w->meta_end_offa];
	} else {
		off = w->slot_off64;
		n = w->nslots64;
		poff = w->pivot_off64;
		end = n - 1;
	}
	npiv = n - 1;
	if (!n || off + 8ull * n > sizeof(buf) || poff + 8ull * npiv > sizeof(buf))
		return vd_error_create(VD_ERR_CORRUPT, "maple node layout past %u bytes",
				       MAPLE_NODE_SIZE);
	if (type != 3) {
		// ma_data_end()
		uint64_t last = vd_get64(buf + poff + 8 * (npiv - 1), false);

		if (!last)
			end = buf[w->meta_end_off64];
		else if (last == max)
			end = npiv - 1;
		else
			end = npiv;
	}
	if (end >= n)
		return vd_error_create(VD_ERR_CORRUPT, "maple node 0x%llx: data end %u of %u slots",
				       (unsigned long long)node, end, n);
	for (uint32_t i = 0; i <= end && !st->stop; i++) {
		uint64_t e = vd_get64(buf + off + 8 * i, false);
		uint64_t cmax = i < npiv ? vd_get64(buf + poff + 8 * i, false) : max;

		if (!cmax && i)
			cmax = max;
		if (!e)
			continue;
		if (type >= 2) {   // internal node: children
			// A child is an encoded node (type << 3 | 4, mte_mk_node())
			// without the root's internal-entry bit (mt_mk_root()).
			if (e <= 4096)
				continue;
			if ((err = maple_node(st, e, depth + 1, cmax)))
				return err;
		} else if ((e & 3) != 2) {   // a leaf's entry; internal entries skipped
			if (!w->entry(w->entry_priv, e))
				st->stop = true;
		}
	}
	return NULL;
}

struct vd_error *
vd_maple_walk(const struct vd_maple_walk *w, uint64_t root)
{
	struct maple_state st = { .w = w };

	if (!root)
		return NULL;
	if (!maple_is_node(root)) {
		if ((root & 3) != 2)
			w->entry(w->entry_priv, root);   // a single entry at index 0
		return NULL;
	}
	return maple_node(&st, root, 0, ~0ull);
}

/* Tasks ---------------------------------------------------------------------------- */

struct vd_error *
vd_kmem_utask(struct vd_kmem *k, int32_t pid, struct vd_utask *ret)
{
	const struct vd_type *tt, *mt;
	struct kmem_field f_mm, f;
	struct vd_task_iter it;
	const struct vd_task *task;
	struct vd_error *err;
	bool found = false;
	unsigned char *buf;
	struct vd_member_info mi;

	memset(ret, 0, sizeof(*ret));
	if ((err = vd_km_type(k, "struct task_struct", &tt)) ||
	    (err = vd_km_need(tt, "struct task_struct", "mm", &f_mm)) ||
	    (err = vd_km_type(k, "struct mm_struct", &mt)))
		return err;
	if ((err = vd_task_iter_init(&it, k->s, true)))
		return err;
	while ((err = vd_task_iter_next(&it, &task)) != &vd_stop) {
		if (err) {
			vd_error_destroy(err);
			continue;
		}
		if (task->pid == pid && !task->idle) {
			ret->task = task->addr;
			ret->pid = task->pid;
			ret->tgid = task->tgid;
			memcpy(ret->comm, task->comm, sizeof(ret->comm));
			found = true;
			break;
		}
	}
	vd_task_iter_deinit(&it);
	if (!found)
		return vd_error_create(VD_ERR_LOOKUP, "no task with pid %d", pid);
	if ((err = vd_km_u64(k, ret->task + f_mm.off, &ret->mm)))
		return vd_error_wrap(err, "reading task_struct.mm of pid %d", pid);
	if (!ret->mm)
		return vd_error_create(VD_ERR_INVALID_ARG, "pid %d (%s) is a kernel thread: no user memory",
				       pid, ret->comm);
	if (mt->size > (1u << 16))
		return vd_error_create(VD_ERR_CORRUPT, "struct mm_struct of %llu bytes",
				       (unsigned long long)mt->size);
	if (!(buf = malloc(mt->size)))
		return &vd_enomem;
	if ((err = vd_km_read(k, ret->mm, buf, mt->size))) {
		free(buf);
		return vd_error_wrap(err, "reading mm_struct of pid %d", pid);
	}
#define GET(name, dst)                                          \
	do {                                                    \
		vd_km_field(mt, name, &f);                       \
		dst = vd_km_get(buf, mt->size, &f);              \
	} while (0)
	GET("pgd", ret->pgd);
	GET("start_code", ret->start_code);
	GET("end_code", ret->end_code);
	GET("start_data", ret->start_data);
	GET("end_data", ret->end_data);
	GET("start_brk", ret->start_brk);
	GET("brk", ret->brk);
	GET("start_stack", ret->start_stack);
	GET("arg_start", ret->arg_start);
	GET("arg_end", ret->arg_end);
	GET("env_start", ret->env_start);
	GET("env_end", ret->env_end);
	GET("map_count", ret->map_count);
#undef GET
	free(buf);
	if (!vd_type_member(mt, "saved_auxv", &mi)) {
		const struct vd_type *at = vd_type_unqualified(mi.type.type);

		ret->saved_auxv = ret->mm + mi.bit_offset / 8;
		ret->saved_auxv_len = at && at->kind == VD_TYPE_ARRAY ? (uint32_t)at->length : 0;
	}
	if (!ret->pgd)
		return vd_error_create(VD_ERR_CORRUPT, "pid %d: mm->pgd is NULL", pid);
	if ((err = vd_km_va_to_pa(k, ret->pgd, &ret->pgd_pa)))
		return vd_error_wrap(err, "translating mm->pgd of pid %d", pid);
	return NULL;
}

/* Swap entries ---------------------------------------------------------------- */

struct swap_area {
	bool used;
	uint64_t max;
	char name[256];
};

/* swap_info[type]: in use (SWP_USED), its size in pages, its file or device. */
static bool
swap_area(struct vd_kmem *k, uint64_t type, struct swap_area *ret)
{
	const struct vd_type *st;
	struct kmem_field flags, max, file;
	uint64_t nr, arr, si, f, m, fp;

	memset(ret, 0, sizeof(*ret));
	if (!vd_ok_destroy(vd_km_sym_uint(k, "nr_swapfiles", 4, &nr)) || type >= (uint32_t)nr ||
	    !vd_ok_destroy(vd_km_sym(k, "swap_info", &arr)) ||
	    !vd_ok_destroy(vd_km_type(k, "struct swap_info_struct", &st)) ||
	    !vd_ok_destroy(vd_km_u64(k, arr + 8 * type, &si)) || !si)
		return false;
	vd_km_field(st, "flags", &flags);
	vd_km_field(st, "max", &max);
	vd_km_field(st, "swap_file", &file);
	if (!flags.present || !max.present ||
	    !vd_ok_destroy(vd_km_uint(k, si + flags.off, flags.size, &f)) ||
	    !vd_ok_destroy(vd_km_uint(k, si + max.off, max.size, &m)))
		return false;
	ret->used = f & 1;   // SWP_USED
	ret->max = m;
	if (file.present && vd_ok_destroy(vd_km_u64(k, si + file.off, &fp)) && fp &&
	    !vd_ok_destroy(vd_kmem_file_path(k, fp, ret->name, sizeof(ret->name))))
		ret->name[0] = 0;
	return true;
}

/*
 * A not-present, non-zero PTE of a user page is a swap entry
 * (include/linux/swapops.h): x86_64 keeps the type in bits 63..59 and the
 * offset inverted from bit 9 (commit 424c32f1aa6d "x86/speculation/l1tf:
 * Protect swap entries against L1TF", 4.19); arm64 the type at bit 3 and
 * the offset at bit 8, or at bits 6 and 12 since PTE_PRESENT_INVALID took
 * bit 11 (commit 57a0b7f5d3d6 "arm64/mm: Move PTE_PRESENT_INVALID to
 * overlay PTE_NG", 6.10) -- of the two, the one that names a swap area in
 * use and an offset inside it.
 */
bool
vd_swap_decode(enum vd_arch arch, unsigned layout, uint64_t pte, uint32_t *type,
	       uint64_t *offset)
{
	static const unsigned arm64[][2] = { { 3, 8 }, { 6, 12 } };

	if (!pte || (pte & 1))
		return false;
	if (arch == VD_ARCH_X86_64 && layout == 0) {
		*type = (uint32_t)(pte >> 59);
		*offset = (~pte << 5) >> 14;
		return true;
	}
	if (arch == VD_ARCH_AARCH64 && layout < 2) {
		*type = (uint32_t)((pte >> arm64[layout][0]) & 0x1f);
		*offset = (pte >> arm64[layout][1]) & ((1ull << 50) - 1);
		return true;
	}
	return false;
}

bool
vd_kmem_swap_entry(struct vd_kmem *k, uint64_t pte, struct vd_swap_entry *ret)
{
	struct swap_area a;

	memset(ret, 0, sizeof(*ret));
	if (!pte)
		return false;
	if (k->arch == VD_ARCH_X86_64) {
		if (!vd_swap_decode(k->arch, 0, pte, &ret->type, &ret->offset))
			return false;
	} else if (k->arch == VD_ARCH_AARCH64) {
		bool found = false;

		for (unsigned i = 0; i < 2 && !found; i++) {
			uint32_t t;
			uint64_t o;

			if (vd_swap_decode(k->arch, i, pte, &t, &o) && swap_area(k, t, &a) && a.used &&
			    o < a.max) {
				ret->type = t;
				ret->offset = o;
				found = true;
			}
		}
		if (!found)
			return false;
	} else {
		return false;
	}
	if (swap_area(k, ret->type, &a) && a.used && ret->offset < a.max) {
		ret->area_known = true;
		snprintf(ret->area, sizeof(ret->area), "%s", a.name);
	}
	return true;
}

/*
 * The page-table walk of a user address.  A PTE holding a swap entry makes
 * the error say where the page went: "swapped: type T offset O (zram0,
 * compressed N bytes, lzo-rle)", or why it cannot be read.
 */
struct vd_error *
vd_kmem_uwalk(struct vd_kmem *k, const struct vd_utask *t, uint64_t uva,
	      struct vd_xlat_walk *ret)
{
	struct vd_error *err = vd_xlat_walk(k->xlat, t->pgd_pa, uva, ret);
	struct vd_swap_entry se;
	struct vd_swap_page sp;
	struct vd_error *serr;
	char where[256];

	if (!err || err->code != VD_ERR_NOTPRESENT || !ret->nsteps ||
	    ret->steps[ret->nsteps - 1].leaf || strcmp(ret->steps[ret->nsteps - 1].level, "PTE") ||
	    !vd_kmem_swap_entry(k, ret->steps[ret->nsteps - 1].entry, &se))
		return err;
	if (!se.area_known)
		return vd_error_wrap(err, "a swap entry of type %u, offset 0x%llx, that names no swap area in use",
				     se.type, (unsigned long long)se.offset);
	if ((serr = vd_kmem_swap_read(k, &se, NULL, &sp))) {
		err = vd_error_wrap(err, "swapped: type %u offset %llu (%s): %s", se.type,
				    (unsigned long long)se.offset, se.area[0] ? se.area : "?", serr->msg);
		vd_error_destroy(serr);
		return err;
	}
	vd_swap_page_describe(&sp, where, sizeof(where));
	return vd_error_wrap(err, "%s", where);
}

/* The bytes of a swapped-out page, when the walk of va ended in a swap entry. */
static struct vd_error *
uread_swapped(struct vd_kmem *k, const struct vd_xlat_walk *w, unsigned char **page)
{
	const struct vd_xlat_step *last = w->nsteps ? &w->steps[w->nsteps - 1] : NULL;
	struct vd_swap_entry se;
	struct vd_swap_page sp;

	if (!last || last->leaf || strcmp(last->level, "PTE") ||
	    !vd_kmem_swap_entry(k, last->entry, &se) || !se.area_known)
		return vd_error_create(VD_ERR_INVALID_ARG, "not a swap entry");
	if (!*page && !(*page = malloc(k->psz)))
		return &vd_enomem;
	return vd_kmem_swap_read(k, &se, *page, &sp);
}

struct vd_error *
vd_kmem_uread(struct vd_kmem *k, const struct vd_utask *t, uint64_t uva, void *buf,
	      size_t len, size_t *done_ret)
{
	unsigned char *p = buf, *page = NULL;
	size_t done = 0;
	struct vd_error *err = NULL;

	while (done < len) {
		struct vd_xlat_walk w;
		uint64_t va = uva + done;
		size_t chunk = VD_MIN(len - done, k->psz - (va & (k->psz - 1)));

		if ((err = vd_xlat_walk(k->xlat, t->pgd_pa, va, &w))) {
			struct vd_error *serr;

			if (err->code != VD_ERR_NOTPRESENT)
				goto fail;
			// A swapped-out page: from the swap cache or zram.
			serr = uread_swapped(k, &w, &page);
			if (serr && serr->code == VD_ERR_INVALID_ARG) {
				vd_error_destroy(serr);
				goto fail;
			}
			vd_error_destroy(err);
			err = NULL;
			if (serr) {
				err = vd_error_wrap(serr, "pid %d user address 0x%llx", t->pid,
						    (unsigned long long)va);
				break;
			}
			memcpy(p + done, page + (va & (k->psz - 1)), chunk);
			done += chunk;
			continue;
		}
		if ((err = vd_session_read(k->s, VD_AS_PHYS, w.pa, p + done, chunk, NULL))) {
			err = vd_error_wrap(err, "pid %d user address 0x%llx", t->pid,
					    (unsigned long long)va);
			break;
		}
		done += chunk;
		continue;
fail:
		vd_error_destroy(err);
		err = vd_kmem_uwalk(k, t, va, &w);   // the walk again, for its message
		if (!err)
			err = vd_error_create(VD_ERR_CORRUPT, "0x%llx: translation changed",
					      (unsigned long long)va);
		err = vd_error_wrap(err, "pid %d", t->pid);
		break;
	}
	free(page);
	if (done_ret)
		*done_ret = done;
	return err;
}

/* VMAs --------------------------------------------------------------------------- */

struct vma_collect {
	struct vd_kmem *k;
	uint64_t *v;
	size_t n, cap;
	bool nomem;
};

static bool
collect(void *priv, uint64_t e)
{
	struct vma_collect *c = priv;

	if (c->n == c->cap) {
		uint64_t *p;

		if (c->cap >= VMAS_MAX) {
			c->nomem = true;
			return false;
		}
		p = realloc(c->v, (c->cap = c->cap ? 2 * c->cap : 64) * sizeof(*p));
		if (!p) {
			c->nomem = true;
			return false;
		}
		c->v = p;
	}
	c->v[c->n++] = e;
	return true;
}

static struct vd_error *
read_node_cb(void *priv, uint64_t node, void *buf, size_t len)
{
	return vd_km_read(priv, node, buf, len);
}

static int
cmp_vma(const void *a, const void *b)
{
	const struct vd_vma *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The name /proc/PID/maps gives a special mapping: vm_special_mapping.name. */
static void
special_name(struct vd_kmem *k, const struct vd_utask *t, uint64_t vma_addr,
	     const struct kmem_field *ops, const struct kmem_field *priv, struct vd_vma *v)
{
	uint64_t o, p, np, sm;
	const struct vd_type *st;
	struct kmem_field name;

	if (v->start <= t->brk && v->end >= t->start_brk && t->start_brk) {
		snprintf(v->path, sizeof(v->path), "[heap]");
		return;
	}
	if (v->start <= t->start_stack && v->end >= t->start_stack) {
		snprintf(v->path, sizeof(v->path), "[stack]");
		return;
	}
	if (!ops->present || !priv->present ||
	    !vd_ok_destroy(vd_km_u64(k, vma_addr + ops->off, &o)) || !o)
		return;
	if (!(vd_session_symbol(k->s, "special_mapping_vmops", &sm) && sm == o) &&
	    !(vd_session_symbol(k->s, "legacy_special_mapping_vmops", &sm) && sm == o))
		return;
	if (!vd_ok_destroy(vd_km_u64(k, vma_addr + priv->off, &p)) || !p ||
	    !vd_ok_destroy(vd_km_type(k, "struct vm_special_mapping", &st)))
		return;
	vd_km_field(st, "name", &name);
	if (name.present && vd_ok_destroy(vd_km_u64(k, p + name.off, &np)) && np)
		vd_ok_destroy(vd_km_string(k, np, v->path, sizeof(v->path)));
}

struct vd_error *
vd_kmem_vmas(struct vd_kmem *k, const struct vd_utask *t, struct vd_vma **ret, size_t *nret)
{
	const struct vd_type *mt, *vt;
	struct kmem_field mm_mt, mmap, start, end, flags, pgoff, file, next, ops, priv;
	struct vma_collect c = { .k = k };
	struct vd_vma *v;
	struct vd_error *err;

	*ret = NULL;
	*nret = 0;
	if ((err = vd_km_type(k, "struct mm_struct", &mt)) ||
	    (err = vd_km_type(k, "struct vm_area_struct", &vt)) ||
	    (err = vd_km_need(vt, "struct vm_area_struct", "vm_start", &start)) ||
	    (err = vd_km_need(vt, "struct vm_area_struct", "vm_end", &end)) ||
	    (err = vd_km_need(vt, "struct vm_area_struct", "vm_flags", &flags)) ||
	    (err = vd_km_need(vt, "struct vm_area_struct", "vm_pgoff", &pgoff)) ||
	    (err = vd_km_need(vt, "struct vm_area_struct", "vm_file", &file)))
		return err;
	vd_km_field(vt, "vm_ops", &ops);
	vd_km_field(vt, "vm_private_data", &priv);
	vd_km_field(mt, "mm_mt.ma_root", &mm_mt);
	vd_km_field(mt, "mmap", &mmap);
	if (mm_mt.present) {
		const struct vd_type *nt;
		struct vd_member_info m64, ma, p64, pa, e64, ea;
		struct vd_maple_walk w = { .read_node = read_node_cb, .priv = k, .entry = collect,
					   .entry_priv = &c };
		uint64_t root;

		if ((err = vd_km_type(k, "struct maple_node", &nt)) ||
		    (err = vd_type_member(nt, "mr64.slot", &m64)) ||
		    (err = vd_type_member(nt, "ma64.slot", &ma)) ||
		    (err = vd_type_member(nt, "mr64.pivot", &p64)) ||
		    (err = vd_type_member(nt, "ma64.pivot", &pa)) ||
		    (err = vd_type_member(nt, "mr64.meta.end", &e64)) ||
		    (err = vd_type_member(nt, "ma64.meta.end", &ea)))
			return err;
		w.pivot_off64 = (uint32_t)(p64.bit_offset / 8);
		w.pivot_offa = (uint32_t)(pa.bit_offset / 8);
		w.meta_end_off64 = (uint32_t)(e64.bit_offset / 8);
		w.meta_end_offa = (uint32_t)(ea.bit_offset / 8);
		w.slot_off64 = (uint32_t)(m64.bit_offset / 8);
		w.nslots64 = (uint32_t)vd_type_unqualified(m64.type.type)->length;
		w.slot_offa = (uint32_t)(ma.bit_offset / 8);
		w.nslotsa = (uint32_t)vd_type_unqualified(ma.type.type)->length;
		if ((err = vd_km_u64(k, t->mm + mm_mt.off, &root)))
			return vd_error_wrap(err, "reading mm->mm_mt of pid %d", t->pid);
		err = vd_maple_walk(&w, root);
	} else if (mmap.present) {
		uint64_t p;

		vd_km_field(vt, "vm_next", &next);
		if (!next.present)
			return vd_error_create(VD_ERR_LOOKUP, "vm_area_struct has no vm_next");
		if ((err = vd_km_u64(k, t->mm + mmap.off, &p)))
			return err;
		while (p && !err) {
			if (!collect(&c, p))
				break;
			err = vd_km_u64(k, p + next.off, &p);
		}
	} else {
		return vd_error_create(VD_ERR_LOOKUP, "mm_struct has neither mm_mt nor mmap");
	}
	if (!err && c.nomem)
		err = vd_error_create(VD_ERR_CORRUPT, "more than %u VMAs", VMAS_MAX);
	if (err) {
		free(c.v);
		return vd_error_wrap(err, "VMAs of pid %d", t->pid);
	}
	if (!(v = calloc(c.n ? c.n : 1, sizeof(*v)))) {
		free(c.v);
		return &vd_enomem;
	}
	for (size_t i = 0; i < c.n; i++) {
		unsigned char buf[512];
		size_t len = VD_MIN(vt->size, sizeof(buf));
		struct vd_vma *x = &v[i];

		if ((err = vd_km_read(k, c.v[i], buf, len))) {
			free(c.v);
			free(v);
			return vd_error_wrap(err, "reading vm_area_struct 0x%llx", (unsigned long long)c.v[i]);
		}
		x->vma = c.v[i];
		x->start = vd_km_get(buf, len, &start);
		x->end = vd_km_get(buf, len, &end);
		x->flags = vd_km_get(buf, len, &flags);
		x->pgoff = vd_km_get(buf, len, &pgoff);
		x->file = vd_km_get(buf, len, &file);
		snprintf(x->perms, sizeof(x->perms), "%c%c%c%c", x->flags & 1 ? 'r' : '-',
			 x->flags & 2 ? 'w' : '-', x->flags & 4 ? 'x' : '-', x->flags & 8 ? 's' : 'p');
		if (x->file) {
			if ((err = vd_kmem_file_path(k, x->file, x->path, sizeof(x->path)))) {
				snprintf(x->path, sizeof(x->path), "(path unreadable: %s)", err->msg);
				vd_error_destroy(err);
			}
		} else {
			special_name(k, t, c.v[i], &ops, &priv, x);
		}
	}
	free(c.v);
	qsort(v, c.n, sizeof(*v), cmp_vma);
	*ret = v;
	*nret = c.n;
	return NULL;
}

/* Paths --------------------------------------------------------------------------- */

static struct vd_error *
path_layout(struct vd_kmem *k, struct kmem_path_layout *pl)
{
	const struct vd_type *ft, *dt, *mt, *vt;
	struct vd_error *err;

	if ((err = vd_km_type(k, "struct file", &ft)) ||
	    (err = vd_km_need(ft, "struct file", "f_path.mnt", &pl->f_path_mnt)) ||
	    (err = vd_km_need(ft, "struct file", "f_path.dentry", &pl->f_path_dentry)) ||
	    (err = vd_km_type(k, "struct dentry", &dt)) ||
	    (err = vd_km_need(dt, "struct dentry", "d_parent", &pl->d_parent)) ||
	    (err = vd_km_need(dt, "struct dentry", "d_name.name", &pl->d_name)) ||
	    (err = vd_km_need(dt, "struct dentry", "d_name.len", &pl->d_len)) ||
	    (err = vd_km_type(k, "struct mount", &mt)) ||
	    (err = vd_km_need(mt, "struct mount", "mnt", &pl->m_mnt)) ||
	    (err = vd_km_need(mt, "struct mount", "mnt_parent", &pl->m_parent)) ||
	    (err = vd_km_need(mt, "struct mount", "mnt_mountpoint", &pl->m_mountpoint)) ||
	    (err = vd_km_type(k, "struct vfsmount", &vt)) ||
	    (err = vd_km_need(vt, "struct vfsmount", "mnt_root", &pl->vfs_root)))
		return err;
	vd_km_field(dt, "d_hash.pprev", &pl->d_hash_pprev);
	pl->ok = true;
	return NULL;
}

/*
 * d_path(): from the dentry up to its mount's root, then from the mount's
 * mountpoint in its parent mount, up to the mount that is its own parent.
 */
struct vd_error *
vd_kmem_file_path(struct vd_kmem *k, uint64_t file, char *out, size_t size)
{
	struct kmem_path_layout *pl = &k->path;
	char *comp[PATH_MAX_COMPONENTS];
	size_t ncomp = 0, pos = 0;
	uint64_t vfsmnt, dentry, mnt, first_dentry;
	struct vd_error *err = NULL;
	bool deleted = false;

	if (!pl->ok && (err = path_layout(k, pl)))
		return err;
	if ((err = vd_km_u64(k, file + pl->f_path_mnt.off, &vfsmnt)) ||
	    (err = vd_km_u64(k, file + pl->f_path_dentry.off, &dentry)))
		return err;
	first_dentry = dentry;
	mnt = vfsmnt - pl->m_mnt.off;
	for (unsigned steps = 0; steps < 4 * PATH_MAX_COMPONENTS; steps++) {
		uint64_t root, parent, name, len;
		char buf[256];

		if ((err = vd_km_u64(k, vfsmnt + pl->vfs_root.off, &root)) ||
		    (err = vd_km_u64(k, dentry + pl->d_parent.off, &parent)))
			goto out;
		if (dentry == root || dentry == parent) {
			uint64_t mparent, mpoint;

			if ((err = vd_km_u64(k, mnt + pl->m_parent.off, &mparent)) ||
			    (err = vd_km_u64(k, mnt + pl->m_mountpoint.off, &mpoint)))
				goto out;
			if (mparent == mnt || !mparent)
				break;
			dentry = mpoint;
			mnt = mparent;
			vfsmnt = mnt + pl->m_mnt.off;
			continue;
		}
		if (ncomp == PATH_MAX_COMPONENTS) {
			err = vd_error_create(VD_ERR_CORRUPT, "path deeper than %u components",
					      PATH_MAX_COMPONENTS);
			goto out;
		}
		if ((err = vd_km_u64(k, dentry + pl->d_name.off, &name)) ||
		    (err = vd_km_uint(k, dentry + pl->d_len.off, 4, &len)))
			goto out;
		len = (uint32_t)len;
		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		memset(buf, 0, sizeof(buf));
		if ((err = vd_km_read(k, name, buf, len)))
			goto out;
		if (!(comp[ncomp++] = strdup(buf))) {
			err = &vd_enomem;
			goto out;
		}
		dentry = parent;
	}
	if (pl->d_hash_pprev.present) {
		uint64_t pprev, parent;

		// d_unlinked(): unhashed and not a root
		if (vd_ok_destroy(vd_km_u64(k, first_dentry + pl->d_hash_pprev.off, &pprev)) &&
		    vd_ok_destroy(vd_km_u64(k, first_dentry + pl->d_parent.off, &parent)) &&
		    !pprev && parent != first_dentry)
			deleted = true;
	}
	out[0] = 0;
	if (!ncomp)
		snprintf(out, size, "/");
	for (size_t i = ncomp; i-- > 0 && pos < size;) {
		int n = snprintf(out + pos, size - pos, "/%s", comp[i]);

		if (n < 0)
			break;
		pos += (size_t)n;
	}
	if (deleted && pos < size)
		snprintf(out + pos, size - pos, " (deleted)");
out:
	for (size_t i = 0; i < ncomp; i++)
		free(comp[i]);
	return err;
}

struct vd_error *
vd_kmem_files(struct vd_kmem *k, const struct vd_utask *t,
	      bool (*cb)(void *priv, int fd, uint64_t file), void *priv)
{
	const struct vd_type *tt, *fst, *fdt;
	struct kmem_field files, fdtp, max_fds, fd;
	uint64_t fs, tab, n, arr;
	struct vd_error *err;

	if ((err = vd_km_type(k, "struct task_struct", &tt)) ||
	    (err = vd_km_need(tt, "struct task_struct", "files", &files)) ||
	    (err = vd_km_type(k, "struct files_struct", &fst)) ||
	    (err = vd_km_need(fst, "struct files_struct", "fdt", &fdtp)) ||
	    (err = vd_km_type(k, "struct fdtable", &fdt)) ||
	    (err = vd_km_need(fdt, "struct fdtable", "max_fds", &max_fds)) ||
	    (err = vd_km_need(fdt, "struct fdtable", "fd", &fd)))
		return err;
	if ((err = vd_km_u64(k, t->task + files.off, &fs)))
		return err;
	if (!fs)
		return NULL;
	if ((err = vd_km_u64(k, fs + fdtp.off, &tab)) ||
	    (err = vd_km_uint(k, tab + max_fds.off, 4, &n)) ||
	    (err = vd_km_u64(k, tab + fd.off, &arr)))
		return vd_error_wrap(err, "reading the fdtable of pid %d", t->pid);
	n = (uint32_t)n;
	if (n > FDS_MAX)
		return vd_error_create(VD_ERR_CORRUPT, "pid %d: max_fds is %llu", t->pid,
				       (unsigned long long)n);
	for (uint64_t i = 0; i < n; i += 64) {
		uint64_t chunk[64];
		size_t m = VD_MIN(64, n - i);

		if ((err = vd_km_read(k, arr + 8 * i, chunk, 8 * m)))
			return vd_error_wrap(err, "reading fd[%llu..] of pid %d", (unsigned long long)i,
					     t->pid);
		for (size_t j = 0; j < m; j++)
			if (chunk[j] && !cb(priv, (int)(i + j), chunk[j]))
				return NULL;
	}
	return NULL;
}
