/* SPDX-License-Identifier: MIT */
/*
 * Inside the walkers (modules, vmalloc areas, tasks, printk): member
 * offsets looked up once per walk, sized integer reads, per-CPU addresses,
 * the session's module-symbol cache, and the one iterator shape.
 */
#ifndef VD_WALKERS_WALK_PRIV_H
#define VD_WALKERS_WALK_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/session_priv.h"
#include "types/ctype_priv.h"
#include "vmdive/ctype.h"
#include "vmdive/walk.h"

/* A member of a kernel struct: where it is and how wide. */
struct vd_field {
	uint64_t off;
	uint32_t size;            /* bytes; 0 when absent */
	bool present;
};

/* The struct type tname (typedefs stripped); VD_ERR_LOOKUP names it. */
struct vd_error *vd_walk_type(struct vd_session *s, const char *tname,
			      const struct vd_type **ret);
/* A member by path; *ret->present false (and NULL returned) if absent. */
struct vd_error *vd_walk_field(const struct vd_type *t, const char *path,
			       struct vd_field *ret);
/* The same, but absence is an error naming the type and member. */
struct vd_error *vd_walk_need(const struct vd_type *t, const char *tname,
			      const char *path, struct vd_field *ret);
/* An unsigned integer of 1, 2, 4 or 8 bytes at a kernel virtual address. */
struct vd_error *vd_walk_read_uint(struct vd_session *s, uint64_t addr,
				   uint32_t size, uint64_t *ret);
/* base + field, read as an unsigned integer of the field's size. */
struct vd_error *vd_walk_get(struct vd_session *s, uint64_t base,
			     const struct vd_field *f, uint64_t *ret);
/* Sign-extend a value read through a field of f->size bytes. */
int64_t vd_walk_sext(uint64_t v, uint32_t size);
/* A kernel symbol's address; VD_ERR_LOOKUP says which sources lack it. */
struct vd_error *vd_walk_symbol(struct vd_session *s, const char *name,
				uint64_t *ret);

/*
 * init_task, modules or btf_modules recognized in the scanned kernel image
 * (scan_lists.c): the session's typed_symbol hook.
 */
bool vd_scan_typed_symbol(struct vd_session *s, const char *name, uint64_t *ret);

/* Per-CPU data ---------------------------------------------------------------*/

#define VD_WALK_MAX_CPUS 8192     /* NR_CPUS of the largest configs */

struct vd_percpu {
	uint32_t ncpus;           /* nr_cpu_ids */
	uint64_t offset_array;    /* &__per_cpu_offset[0], 0 on UP kernels */
	uint64_t possible_mask;   /* &__cpu_possible_mask, 0 if unknown */
};

struct vd_error *vd_percpu_init(struct vd_session *s, struct vd_percpu *ret);
bool vd_percpu_possible(struct vd_session *s, const struct vd_percpu *pc,
			uint32_t cpu);
/* per_cpu_ptr(sym, cpu): the symbol's address plus __per_cpu_offset[cpu]. */
struct vd_error *vd_percpu_addr(struct vd_session *s, const struct vd_percpu *pc,
				uint64_t sym, uint32_t cpu, uint64_t *ret);

/*
 * Without the runqueues and __per_cpu_offset symbols (no
 * CONFIG_KALLSYMS_ALL, no vmlinux), a CPU's struct rq is one pointer chase
 * from any task that ran there: task->se.cfs_rq is a cfs_rq of that CPU,
 * and cfs_rq->rq its runqueue (CONFIG_FAIR_GROUP_SCHED), whose rq->cpu
 * says which CPU it is.
 */
struct vd_rq_chase {
	struct vd_field se_cfs_rq, cfs_rq_rq, rq_cpu;
	bool present;             /* all three members */
};

/* The members (present false, NULL returned, when the kernel lacks one). */
struct vd_error *vd_rq_chase_init(struct vd_session *s, struct vd_rq_chase *ret);
/* The runqueue of the CPU task last ran on, and that CPU; false if unreadable. */
bool vd_rq_of_task(struct vd_session *s, const struct vd_rq_chase *c, uint64_t task,
		   uint64_t *rq_ret, uint64_t *cpu_ret);
/*
 * CPU cpu's per-CPU area without __per_cpu_offset, from a task running
 * there (its rq->cpu must be cpu): the runqueue is the CPU's copy of the
 * per-CPU variable "runqueues", whose offset in the per-CPU section the
 * kernel's BTF gives (vd_session_percpu_offset).  Add another variable's
 * offset to the base for its copy.
 */
struct vd_error *vd_percpu_base_from_task(struct vd_session *s, uint64_t task, uint32_t cpu,
					  uint64_t *ret);

/*
 * The one iterator shape (include/vmdive/walk.h): init collects or
 * prepares, next() returns a record, an error about one skipped element,
 * or &vd_stop; deinit frees.  Every next() (tasks, modules, vmalloc areas,
 * printk) ends in vd_walk_yield(), which keeps the iterator's nrecords and
 * ncorrupt counts.
 */
struct vd_error *vd_walk_yield(struct vd_error *err, uint64_t *nrecords,
			       uint64_t *ncorrupt);

/*
 * Walkers that collect every element at init, to sort them (tasks,
 * vmalloc areas), keep them here: entries of `size` bytes, each the
 * walker's own struct with `struct vd_error *err` as its first member
 * (set: the element was skipped, next() reports the error once).
 */
struct vd_walk_buf {
	void *e;
	size_t size, n, cap, pos;
};

/* A zeroed entry at the end; NULL when out of memory. */
void *vd_walk_buf_push(struct vd_walk_buf *b);
/*
 * The next entry: NULL and *entry set for a record, its error (taken out
 * of the entry) for a skipped element, &vd_stop after the last; counted
 * by vd_walk_yield().
 */
struct vd_error *vd_walk_buf_next(struct vd_walk_buf *b, uint64_t *nrecords,
				  uint64_t *ncorrupt, const void **entry);
/* Free the entries and the errors not handed out. */
void vd_walk_buf_free(struct vd_walk_buf *b);

#endif
