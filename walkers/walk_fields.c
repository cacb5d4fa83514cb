// SPDX-License-Identifier: MIT
/*
 * What every walker shares: typed field access with offsets looked up once,
 * sized integer reads, kernel symbols, and per-CPU addresses.  Walkers ask
 * for the kernel's own types (vd_types_find_kernel()), never the modules':
 * listing the modules is itself a walk (docs/design.md §2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "walk_priv.h"

struct vd_error *
vd_walk_type(struct vd_session *s, const char *tname, const struct vd_type **ret)
{
	struct vd_qualified_type qt;
	struct vd_error *err = vd_types_find_kernel(s, tname, &qt);
	const struct vd_type *t;

	if (err)
		return err;
	t = vd_type_unqualified(qt.type);
	if (!t || (t->kind != VD_TYPE_STRUCT && t->kind != VD_TYPE_UNION) || !t->size)
		return vd_error_create(VD_ERR_TYPE,
				       "'%s' is not a complete struct (types: %s; without the kernel's BTF, give --vmlinux)",
				       tname, vd_session_type_source(s));
	*ret = t;
	return NULL;
}

struct vd_error *
vd_walk_field(const struct vd_type *t, const char *path, struct vd_field *ret)
{
	struct vd_member_info m;
	struct vd_error *err = vd_type_member(t, path, &m);
	const struct vd_type *mt;

	*ret = (struct vd_field){ 0 };
	if (err) {
		if (err->code == VD_ERR_LOOKUP) {
			vd_error_destroy(err);
			return NULL;
		}
		return err;
	}
	mt = vd_type_unqualified(m.type.type);
	if (m.bit_field_size || m.bit_offset % 8)
		return vd_error_create(VD_ERR_NOTIMPL, "member %s is a bit field", path);
	*ret = (struct vd_field){ .off = m.bit_offset / 8,
				  .size = mt ? (uint32_t)mt->size : 0,
				  .present = true };
	return NULL;
}

struct vd_error *
vd_walk_need(const struct vd_type *t, const char *tname, const char *path,
	     struct vd_field *ret)
{
	struct vd_error *err = vd_walk_field(t, path, ret);

	if (!err && !ret->present)
		err = vd_error_create(VD_ERR_LOOKUP, "%s has no member %s", tname, path);
	return err;
}

struct vd_error *
vd_walk_read_uint(struct vd_session *s, uint64_t addr, uint32_t size,
		  uint64_t *ret)
{
	bool be = vd_session_info(s)->big_endian;
	unsigned char b[8];
	struct vd_error *err;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return vd_error_create(VD_ERR_TYPE, "cannot read a %u-byte integer", size);
	err = vd_session_read(s, VD_AS_KVIRT, addr, b, size, NULL);
	if (err)
		return err;
	*ret = size == 1 ? b[0] : size == 2 ? vd_get16(b, be) :
	       size == 4 ? vd_get32(b, be) : vd_get64(b, be);
	return NULL;
}

struct vd_error *
vd_walk_get(struct vd_session *s, uint64_t base, const struct vd_field *f,
	    uint64_t *ret)
{
	if (!f->present)
		return vd_error_create(VD_ERR_LOOKUP, "member not present");
	return vd_walk_read_uint(s, base + f->off, f->size, ret);
}

int64_t
vd_walk_sext(uint64_t v, uint32_t size)
{
	if (size && size < 8 && (v >> (8 * size - 1)) & 1)
		v |= ~0ull << (8 * size);
	return (int64_t)v;
}

struct vd_error *
vd_walk_symbol(struct vd_session *s, const char *name, uint64_t *ret)
{
	const struct vd_dump_info *info = vd_session_info(s);

	if (vd_session_symbol(s, name, ret))
		return NULL;
	// A damaged dump loses the kernel's own symbol table first: blame
	// the damage (printed before this error), not the configuration.
	if (info->damage)
		return vd_error_create(VD_ERR_CORRUPT,
				       "no symbol '%s' (symbols: %s; the dump is damaged, which may hide them)",
				       name, vd_session_symbol_source(s));
	return vd_error_create(VD_ERR_LOOKUP,
			       "no symbol '%s' (symbols: %s; a kernel without CONFIG_KALLSYMS_ALL needs --vmlinux)",
			       name, vd_session_symbol_source(s));
}

/* Per-CPU --------------------------------------------------------------------*/

struct vd_error *
vd_percpu_init(struct vd_session *s, struct vd_percpu *ret)
{
	uint64_t a, n = 1;
	struct vd_error *err;

	*ret = (struct vd_percpu){ .ncpus = 1 };
	// UP kernels have neither: one CPU, per-CPU data at its link address.
	if (!vd_session_symbol(s, "__per_cpu_offset", &ret->offset_array))
		return NULL;
	if (vd_session_symbol(s, "nr_cpu_ids", &a)) {
		err = vd_walk_read_uint(s, a, 4, &n);
		if (err)
			return vd_error_wrap(err, "reading nr_cpu_ids");
	}
	if (!n || n > VD_WALK_MAX_CPUS)
		return vd_error_create(VD_ERR_CORRUPT, "nr_cpu_ids is %llu",
				       (unsigned long long)n);
	ret->ncpus = (uint32_t)n;
	if (!vd_session_symbol(s, "__cpu_possible_mask", &ret->possible_mask))
		ret->possible_mask = 0;
	return NULL;
}

bool
vd_percpu_possible(struct vd_session *s, const struct vd_percpu *pc, uint32_t cpu)
{
	uint64_t word;

	if (cpu >= pc->ncpus)
		return false;
	if (!pc->possible_mask)
		return true;
	if (!vd_ok(vd_walk_read_uint(s, pc->possible_mask + cpu / 64 * 8, 8, &word)))
		return true;   // unreadable mask: try the CPU anyway
	return (word >> (cpu % 64)) & 1;
}

struct vd_error *
vd_percpu_addr(struct vd_session *s, const struct vd_percpu *pc, uint64_t sym,
	       uint32_t cpu, uint64_t *ret)
{
	uint64_t off = 0;
	struct vd_error *err;

	if (cpu >= pc->ncpus)
		return vd_error_create(VD_ERR_INVALID_ARG, "no CPU %u", cpu);
	if (pc->offset_array) {
		err = vd_walk_read_uint(s, pc->offset_array + 8ull * cpu, 8, &off);
		if (err)
			return vd_error_wrap(err, "reading __per_cpu_offset[%u]", cpu);
	}
	*ret = sym + off;
	return NULL;
}

struct vd_error *
vd_rq_chase_init(struct vd_session *s, struct vd_rq_chase *ret)
{
	const struct vd_type *t;
	struct vd_error *err;

	*ret = (struct vd_rq_chase){ 0 };
	if (vd_ok(vd_walk_type(s, "struct task_struct", &t)) &&
	    (err = vd_walk_field(t, "se.cfs_rq", &ret->se_cfs_rq)))
		return err;
	if (vd_ok(vd_walk_type(s, "struct cfs_rq", &t)) &&
	    (err = vd_walk_field(t, "rq", &ret->cfs_rq_rq)))
		return err;
	if (vd_ok(vd_walk_type(s, "struct rq", &t)) &&
	    (err = vd_walk_field(t, "cpu", &ret->rq_cpu)))
		return err;
	ret->present = ret->se_cfs_rq.present && ret->cfs_rq_rq.present && ret->rq_cpu.present;
	return NULL;
}

bool
vd_rq_of_task(struct vd_session *s, const struct vd_rq_chase *c, uint64_t task,
	      uint64_t *rq_ret, uint64_t *cpu_ret)
{
	uint64_t cfs;

	return c->present && vd_ok(vd_walk_get(s, task, &c->se_cfs_rq, &cfs)) &&
	       vd_walk_kptr_ok(cfs) && vd_ok(vd_walk_get(s, cfs, &c->cfs_rq_rq, rq_ret)) &&
	       vd_walk_kptr_ok(*rq_ret) && vd_ok(vd_walk_get(s, *rq_ret, &c->rq_cpu, cpu_ret));
}

struct vd_error *
vd_percpu_base_from_task(struct vd_session *s, uint64_t task, uint32_t cpu, uint64_t *ret)
{
	struct vd_rq_chase c;
	uint64_t rq, rqcpu, off;
	struct vd_error *err;

	if ((err = vd_rq_chase_init(s, &c)))
		return err;
	if (!c.present)
		return vd_error_create(VD_ERR_LOOKUP,
				       "no task->se.cfs_rq->rq->cpu (a kernel without CONFIG_FAIR_GROUP_SCHED) to find CPU %u's runqueue",
				       cpu);
	if ((err = vd_session_percpu_offset(s, "runqueues", &off)))
		return err;
	if (!vd_rq_of_task(s, &c, task, &rq, &rqcpu))
		return vd_error_create(VD_ERR_CORRUPT,
				       "task %#llx: its se.cfs_rq->rq->cpu is unreadable",
				       (unsigned long long)task);
	if (rqcpu != cpu)
		return vd_error_create(VD_ERR_CORRUPT,
				       "task %#llx: its runqueue is CPU %llu's, not CPU %u's",
				       (unsigned long long)task, (unsigned long long)rqcpu, cpu);
	*ret = rq - off;
	return NULL;
}

struct vd_error *
vd_session_ncpus(struct vd_session *s, uint32_t *ret)
{
	struct vd_percpu pc;
	struct vd_error *err = vd_percpu_init(s, &pc);

	*ret = err ? 1 : pc.ncpus;
	return err;
}

struct vd_error *
vd_session_percpu_ptr(struct vd_session *s, uint64_t addr, uint32_t cpu, uint64_t *ret)
{
	struct vd_percpu pc;
	struct vd_error *err = vd_percpu_init(s, &pc);

	return err ? err : vd_percpu_addr(s, &pc, addr, cpu, ret);
}
