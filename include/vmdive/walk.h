/* SPDX-License-Identifier: MIT */
/*
 * Walkers over the dead kernel's data structures: iterators with
 * init/next/deinit.  next() returns NULL with a record, &vd_stop at the end,
 * or an error about one element: the element is skipped, and the caller may
 * report the error and call next() again -- the walk goes on.  Every walk is
 * bounded by sizes checked at init.
 */
#ifndef VMDIVE_WALK_H
#define VMDIVE_WALK_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#include "vmdive/error.h"
#include "vmdive/session.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The printk log ----------------------------------------------------------- */

enum vd_printk_format {
	VD_PRINTK_LOCKLESS = 1,   /* printk_ringbuffer, 5.10+ */
	VD_PRINTK_LOG_BUF,        /* struct printk_log records, 3.5 to 5.9 */
};

struct vd_printk_record {
	uint64_t seq;             /* sequence number (see seq_known) */
	uint64_t ts_nsec;         /* local_clock() at printk: ns since boot */
	int level;                /* syslog level 0-7, -1 when not known */
	int facility;             /* syslog facility, -1 when not known */
	bool have_caller;         /* the kernel recorded the caller */
	bool caller_is_cpu;       /* caller is a CPU number, else a thread id */
	uint32_t caller;
	const char *text;         /* text_len bytes, NUL-terminated as well */
	size_t text_len;
	bool truncated;           /* the header claimed more than the block holds */
	bool dataless;            /* an empty line stored without a data block */
	const char *subsystem;    /* dev_printk() SUBSYSTEM, "" when none */
	const char *device;       /* dev_printk() DEVICE, "" when none */
	uint64_t id;              /* descriptor id; byte offset for log_buf */
};

struct vd_printk_walk;

struct vd_printk_iter {
	enum vd_printk_format format;
	bool seq_known;           /* false: log_buf without log_first_seq, seq
				   * counts from 0 at the oldest record */
	uint64_t nrecords;        /* records returned so far */
	uint64_t nlost;           /* records whose text the kernel lost
				   * (data-less, FAILED_LPOS), skipped */
	uint64_t ncorrupt;        /* elements skipped with an error */
	struct vd_printk_walk *w; /* private */
};

/*
 * Find the log from VMCOREINFO alone (SYMBOL(prb) and its SIZE/OFFSET lines,
 * or SYMBOL(log_buf) and struct printk_log's): no vmlinux needed.
 */
struct vd_error *vd_printk_iter_init(struct vd_printk_iter *it,
				     struct vd_session *s);
/* *ret is borrowed until the next call. */
struct vd_error *vd_printk_iter_next(struct vd_printk_iter *it,
				     const struct vd_printk_record **ret);
void vd_printk_iter_deinit(struct vd_printk_iter *it);

/*
 * The wall-clock time of boot, in seconds since the epoch: a wall clock the
 * dump kept from the moment of the crash minus the timestamp of the panic
 * record (else of the newest record).  The wall clock is the timekeeper's
 * (tk_core.timekeeper.xtime_sec, what crash uses) when types are known
 * (a vmlinux, or the BTF in the dump), else CRASHTIME from VMCOREINFO
 * (written by kexec crash kernels only).  *source_ret (may be NULL) names
 * the one used.  VD_ERR_LOOKUP when the dump does not tell.
 */
struct vd_error *vd_printk_boot_time(struct vd_session *s, int64_t *ret,
				     const char **source_ret);

/*
 * The kernel's wall clock at the crash, in seconds since the epoch: the
 * timekeeper's xtime_sec (what crash's `sys` shows as DATE) when types are
 * known, else VMCOREINFO's CRASHTIME.  *source_ret (may be NULL) names it.
 */
struct vd_error *vd_kernel_wall_clock(struct vd_session *s, int64_t *ret,
				      const char **source_ret);
/*
 * The timekeeper's CLOCK_MONOTONIC at its last update, in seconds:
 * xtime_sec + wall_to_monotonic.tv_sec (needs the kernel's types).
 */
struct vd_error *vd_kernel_monotonic(struct vd_session *s, int64_t *ret);

/* Bounded, cycle-safe walks of struct list_head lists ---------------------- */

/* No kernel list vmdive walks is this long; a longer one is corrupt. */
#define VD_WALK_MAX_ELEMENTS (1u << 20)

/* A set of addresses (never 0): hashed, grows as needed. */
struct vd_addr_set {
	uint64_t *v;              /* the members, in the order added */
	size_t cap, n;            /* room in v, members */
	uint32_t *index;          /* private: the hash index over v */
	uint32_t index_mask;
};
struct vd_error *vd_addr_set_add(struct vd_addr_set *set, uint64_t addr);
bool vd_addr_set_has(const struct vd_addr_set *set, uint64_t addr);
void vd_addr_set_free(struct vd_addr_set *set);

struct vd_list_walk {
	uint64_t head;            /* address of the list_head that anchors it */
	uint64_t limit;           /* at most this many nodes */
	uint32_t ptr_size;        /* 8: next at 0, prev at 8 */
	/* Read a pointer-sized value at addr (kernel virtual). */
	struct vd_error *(*read_ptr)(void *priv, uint64_t addr, uint64_t *ret);
	void *priv;
	uint64_t n;               /* nodes returned so far */
	uint64_t nbroken;         /* broken links reported */
	/* private */
	int phase;
	uint64_t cur, cur_next;   /* last node returned, and its next */
	struct vd_addr_set seen;  /* nodes returned */
	struct vd_addr_set back_seen;
	uint64_t *back;           /* nodes recovered through prev pointers */
	size_t nback, back_cap;
};

/*
 * Walk the list anchored at head.  next() gives the address of each node's
 * list_head (container_of is the caller's), &vd_stop at the end, or an
 * error when a link is broken: a NULL, misaligned or unreadable next
 * pointer, a loop back to an earlier node, or more than limit nodes.  After
 * such an error the caller may call next() again: the walk then recovers
 * the nodes after the break by following prev pointers back from the head
 * (and returns them in list order), so one bad link loses as little as
 * possible.  Never loops, never returns a node twice.
 */
void vd_list_walk_init(struct vd_list_walk *w, uint64_t head, uint64_t limit,
		       struct vd_error *(*read_ptr)(void *, uint64_t, uint64_t *),
		       void *priv);
struct vd_error *vd_list_walk_next(struct vd_list_walk *w, uint64_t *node);
void vd_list_walk_deinit(struct vd_list_walk *w);

/* A session's kernel-virtual pointer reader for vd_list_walk (priv = session). */
struct vd_error *vd_walk_read_kptr(void *session, uint64_t addr, uint64_t *ret);

/* Loaded modules ----------------------------------------------------------- */

#define VD_MODULE_NAME_LEN 64        /* MODULE_NAME_LEN is 64 - sizeof(long) */
#define VD_MODULE_REGIONS_MAX 12

/* One piece of a module's memory. */
struct vd_module_region {
	char name[24];            /* "text", "rodata", "ro_after_init", "data",
				   * "init_text", "init_rodata", "init_data" */
	uint64_t base, size;
	bool exec, write, init;
};

struct vd_module {
	uint64_t addr;            /* struct module */
	char name[VD_MODULE_NAME_LEN];
	int64_t state;            /* enum module_state */
	const char *state_name;   /* "MODULE_STATE_LIVE"; NULL when unknown */
	uint64_t taints;          /* mod->taints: TAINT_* bits */
	char taint_flags[24];     /* the letters /proc/modules shows: "OE" */
	bool have_refcnt;         /* CONFIG_MODULE_UNLOAD */
	int64_t refcnt;           /* module_refcount(): refcnt - MODULE_REF_BASE */
	uint64_t base, size;      /* core memory as crash `mod` shows it */
	size_t nregions;
	struct vd_module_region regions[VD_MODULE_REGIONS_MAX];
	uint64_t kallsyms;        /* struct mod_kallsyms *, 0 if none */
	uint64_t nsyms;           /* its num_symtab */
};

struct vd_module_walk;

struct vd_module_iter {
	const char *layout;       /* "core_layout" (before 6.4) or "mem[]" */
	uint64_t nrecords;
	uint64_t ncorrupt;        /* elements and links skipped with an error */
	struct vd_module_walk *w; /* private */
};

/* The modules list: needs the symbol `modules` and struct module's type. */
struct vd_error *vd_module_iter_init(struct vd_module_iter *it,
				     struct vd_session *s);
/* *ret is borrowed until the next call. */
struct vd_error *vd_module_iter_next(struct vd_module_iter *it,
				     const struct vd_module **ret);
void vd_module_iter_deinit(struct vd_module_iter *it);
/* One module by name; VD_ERR_LOOKUP when it is not loaded. */
struct vd_error *vd_module_find(struct vd_session *s, const char *name,
				struct vd_module *ret);

/* A module's own symbols (mod->kallsyms), in address order. */
struct vd_module_symbol {
	const char *name;
	uint64_t addr, size;
	char type;                /* nm letter from the kernel's typetab */
};
/* Borrowed from the session (loaded on first use). */
struct vd_error *vd_module_symbols(struct vd_session *s, const struct vd_module *mod,
				   const struct vd_module_symbol **ret, size_t *n);

/*
 * Extraction of memory to a file.  Unreadable pages are reported through
 * hole() (with why: not mapped, not in the dump, excluded) and written as
 * zeros; a page that is mapped but whose contents the dump lacks makes the
 * extraction fail unless zero_fill, and then no file is left behind.
 */
struct vd_extract_opts {
	bool zero_fill;
	/*
	 * dump-module's ELF: more symbols for its .symtab, outside the module
	 * (the kernel functions and data its code refers to), so that objdump
	 * names calls into the kernel.  Written as absolute symbols.
	 */
	const struct vd_module_symbol *extra_syms;
	size_t nextra_syms;
	void (*hole)(void *priv, uint64_t addr, uint64_t len, bool mapped,
		     const char *why);
	void *priv;
};

struct vd_extract_stats {
	uint64_t bytes;           /* written */
	uint64_t read_bytes;      /* of them read from the dump */
	uint64_t unmapped_bytes;  /* not mapped: zeros */
	uint64_t missing_bytes;   /* mapped but not in the dump: zeros */
	uint64_t nholes;
	uint64_t nsyms;           /* ELF: symbols written */
};

/*
 * Write a module as an ELF file (ET_EXEC, one SHF_ALLOC section and one
 * PT_LOAD per region at its load address, .symtab with runtime addresses)
 * that objdump -d and gdb disassemble in place; raw: the regions' bytes
 * one after another, in the order of mod->regions.
 */
struct vd_error *vd_module_extract(struct vd_session *s, const struct vd_module *mod,
				   const char *path, bool raw,
				   const struct vd_extract_opts *opts,
				   struct vd_extract_stats *ret);

/* Kernel-virtual range [addr, addr + len) to a file, page by page. */
struct vd_error *vd_kvirt_extract(struct vd_session *s, uint64_t addr, uint64_t len,
				  FILE *out, const struct vd_extract_opts *opts,
				  struct vd_extract_stats *ret);

/* vmalloc areas -------------------------------------------------------------- */

struct vd_vmap_area {
	uint64_t addr;            /* struct vmap_area */
	uint64_t start, end;      /* va_start, va_end: [start, end) */
	uint64_t vm;              /* struct vm_struct *, 0 when none */
	uint64_t vm_addr, vm_size;/* vm->addr, vm->size (guard page included) */
	uint64_t flags;           /* vm->flags: VM_* */
	uint64_t pages;           /* vm->pages (struct page **) */
	uint32_t nr_pages;
	uint64_t phys_addr;       /* vm->phys_addr (ioremap) */
	uint64_t caller;          /* vm->caller */
	int node;                 /* vmap_nodes index (6.9+), else -1 */
};

struct vd_vmalloc_walk;

struct vd_vmalloc_iter {
	const char *source;       /* "vmap_area_list" or "vmap_nodes" */
	uint64_t nrecords;
	uint64_t ncorrupt;
	struct vd_vmalloc_walk *w;/* private */
};

/* Areas in address order. */
struct vd_error *vd_vmalloc_iter_init(struct vd_vmalloc_iter *it,
				      struct vd_session *s);
struct vd_error *vd_vmalloc_iter_next(struct vd_vmalloc_iter *it,
				      const struct vd_vmap_area **ret);
void vd_vmalloc_iter_deinit(struct vd_vmalloc_iter *it);

/* "ioremap vmalloc vmap user ..." as /proc/vmallocinfo words, plus unknown bits. */
void vd_vmalloc_flags_format(struct vd_session *s, uint64_t flags, char *buf,
			     size_t size);
/* Bytes of the area that hold data: the trailing guard page excluded. */
uint64_t vd_vmalloc_data_size(struct vd_session *s, const struct vd_vmap_area *a);
/*
 * The physical address of the area's page i from vm->pages[i] (struct
 * page * -> pfn through the vmemmap array).
 */
struct vd_error *vd_vmalloc_page_phys(struct vd_session *s,
				      const struct vd_vmap_area *a, uint32_t i,
				      uint64_t *page_ret, uint64_t *pa_ret);

/* Per-CPU data ------------------------------------------------------------- */

/* nr_cpu_ids (1 on a kernel without __per_cpu_offset). */
struct vd_error *vd_session_ncpus(struct vd_session *s, uint32_t *ret);
/*
 * per_cpu_ptr(): where CPU cpu's copy of the per-CPU variable at addr (its
 * symbol's value) is: addr + __per_cpu_offset[cpu].
 */
struct vd_error *vd_session_percpu_ptr(struct vd_session *s, uint64_t addr,
				       uint32_t cpu, uint64_t *ret);

/* Tasks ---------------------------------------------------------------------- */

struct vd_task {
	uint64_t addr;            /* struct task_struct */
	int32_t pid, tgid, ppid;
	int32_t cpu;
	char comm[17];
	char state;               /* ps letter: R S D T t X Z P I, '?' unknown */
	uint64_t state_raw;       /* __state (or state) */
	uint64_t exit_state;
	uint64_t flags;           /* PF_* */
	uint64_t mm;
	bool kthread;             /* PF_KTHREAD: ps shows [comm] */
	bool idle;                /* a CPU's idle task (swapper/N) */
	bool active;              /* runqueues[cpu].curr of its CPU */
	bool panic;               /* the task that panicked */
	bool thread;              /* not its thread group's leader */
};

struct vd_task_walk;

struct vd_task_iter {
	bool threads;             /* every thread, not only group leaders */
	int32_t ncpus;            /* possible CPUs seen */
	uint64_t panic_task;      /* 0 when not known */
	int32_t panic_cpu;        /* -1 when not known */
	const char *panic_source; /* "panic_cpu", "crashing_cpu", NULL */
	uint64_t nrecords;
	uint64_t ncorrupt;
	struct vd_task_walk *w;   /* private */
};

/*
 * Tasks by walking init_task.tasks (and each leader's threads with
 * threads), plus each possible CPU's idle task; sorted by pid, idle tasks
 * (pid 0) by CPU.
 */
struct vd_error *vd_task_iter_init(struct vd_task_iter *it, struct vd_session *s,
				   bool threads);
struct vd_error *vd_task_iter_next(struct vd_task_iter *it,
				   const struct vd_task **ret);
void vd_task_iter_deinit(struct vd_task_iter *it);

/* Taint ---------------------------------------------------------------------- */

/* One TAINT_* flag (kernel/panic.c's taint_flags[]). */
struct vd_taint_flag {
	unsigned bit;
	char letter;              /* shown when set */
	const char *name;         /* "TAINT_OOT_MODULE" */
	const char *desc;         /* "out-of-tree module was loaded" */
};
/* The flags vmdive knows, by bit (modules' letters in mod, the kernel's in sys/triage). */
extern const struct vd_taint_flag vd_taint_flags[];
extern const size_t vd_ntaint_flags;
/* The letters of the set bits of mask, in bit order ("OE"); '?' for an unknown bit. */
void vd_taint_letters(uint64_t mask, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
