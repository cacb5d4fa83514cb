/* SPDX-License-Identifier: MIT */
/*
 * Why did the kernel die: crash's `sys` summary, and a triage report with
 * a stable crash signature, both from what the dump itself carries (the
 * kernel's kallsyms, BTF and VMCOREINFO; no vmlinux needed).
 *
 * The rules (the kind of a crash, the guilty frame, the signature and the
 * duphash) are documented with examples in docs/triage.md; a change to
 * them bumps VD_TRIAGE_SIGNATURE_VERSION.
 *
 * Reports are partial rather than absent: what could not be read is named
 * in `problems`, and everything else is still filled in.
 */
#ifndef VMDIVE_TRIAGE_H
#define VMDIVE_TRIAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmdive/error.h"
#include "vmdive/session.h"
#include "vmdive/unwind.h"
#include "vmdive/walk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The signature and guilty-frame rules of docs/triage.md. */
#define VD_TRIAGE_SIGNATURE_VERSION 2
/* Frames from the guilty one on that make the signature. */
#define VD_TRIAGE_SIGNATURE_FRAMES 5
/* Reliable frames from the guilty one on that make the duphash (ABRT: 6). */
#define VD_TRIAGE_DUPHASH_FRAMES 6

/* Problems a report collects: what could not be read, one line each; at
 * most VD_PROBLEMS_MAX lines, the last of them counting the ones left out. */
#define VD_PROBLEMS_MAX 64
struct vd_problems {
	char **msgs;
	size_t n;
	size_t more;              /* lines left out */
};
/* Add a printf-formatted line (out of memory: the line is lost). */
void vd_problems_add(struct vd_problems *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Add err's message with a prefix, and destroy err. */
void vd_problems_add_error(struct vd_problems *p, const char *what,
			   struct vd_error *err);
void vd_problems_free(struct vd_problems *p);

/* sys ------------------------------------------------------------------------ */

#define VD_UTS_LEN 65

struct vd_sysinfo {
	/* init_uts_ns.name */
	bool have_uts;
	char sysname[VD_UTS_LEN + 1], nodename[VD_UTS_LEN + 1];
	char release[VD_UTS_LEN + 1], version[VD_UTS_LEN + 1];
	char machine[VD_UTS_LEN + 1], domainname[VD_UTS_LEN + 1];
	const char *osrelease;    /* VMCOREINFO OSRELEASE, NULL if none */
	const char *build_id;     /* VMCOREINFO BUILD-ID, NULL if none */
	const char *arch;         /* "x86_64", "aarch64" */
	/* CPUs: nr_cpu_ids, and the bits of __cpu_*_mask */
	bool have_cpus;
	uint32_t nr_cpu_ids, cpus_possible, cpus_present, cpus_online;
	uint64_t cpu_khz;         /* x86 cpu_khz, 0 when not known */
	/* Memory: pages present (the nodes' node_present_pages, as crash's
	 * MEMORY) and totalram_pages (MemTotal). */
	uint64_t page_size;
	bool have_present;
	uint64_t present_pages;
	/* Where the nodes came from: "node_data", "contig_page_data", or,
	 * on a kernel whose kallsyms has no data symbols, "memcg" (the root
	 * memory cgroup's per-node lruvec.pgdat, docs/triage.md). */
	const char *present_source;
	bool have_totalram;
	uint64_t totalram_pages;
	/* avenrun[] in fixed point (FSHIFT 11) */
	bool have_load;
	uint64_t avenrun[3];
	/* Uptime from jiffies_64 and HZ (HZ chosen as docs/triage.md says). */
	bool have_uptime;
	uint64_t jiffies;
	uint32_t hz;
	double uptime_s;
	/* The timekeeper's CLOCK_MONOTONIC seconds (needs types). */
	bool have_monotonic;
	int64_t monotonic_s;
	/* The kernel's clock at the crash (tk_core.timekeeper.xtime_sec, else
	 * VMCOREINFO CRASHTIME), and the dump writer's (kdump header). */
	bool have_crash_time;
	int64_t crash_time;
	const char *crash_time_source;
	bool have_dump_time;
	int64_t dump_time;
	/* Tasks, every thread and each CPU's idle task, by ps state letter. */
	bool have_tasks;
	uint64_t ntasks;
	uint64_t by_state[128];   /* indexed by the letter */
	/* The panic string as crash (8.0.4+) picks it (docs/triage.md). */
	char panic[512];
	/* tainted_mask */
	bool have_taint;
	uint64_t taint;
	char taint_letters[40];
	/* saved_command_line; without data symbols the log's "Kernel command
	 * line: " record, which start_kernel() printed from it */
	char cmdline[4096];
	bool have_cmdline;
	const char *cmdline_source;  /* "saved_command_line" or "log" */
	/* Dump format and completeness. */
	const char *format;       /* the reader's id: "elf", "kdump" */
	int32_t dump_level;       /* makedumpfile -d, -1 when not recorded */
	char excluded[160];       /* the page classes dump_level drops, "" */
	const char *damage;       /* truncated or inconsistent; NULL: whole */
	bool complete;            /* no damage, nothing excluded, no problems */
	/* The kernel's kallsyms has no data symbols (no CONFIG_KALLSYMS_ALL)
	 * and no vmlinux or System.map was given: a field left out for want
	 * of its global says so (docs/triage.md, "Without data symbols"). */
	bool no_data_symbols;
	struct vd_problems problems;
	/* The log's records, oldest first, and their timestamps (ns). */
	char **log_text;
	uint64_t *log_ts;
	size_t nlog_records;
};

/* Fill info from the session; never fails as a whole (see problems). */
void vd_sysinfo_read(struct vd_session *s, struct vd_sysinfo *ret);
void vd_sysinfo_deinit(struct vd_sysinfo *info);

/* Triage: pure rules (docs/triage.md) ------------------------------------------- */

/* Why a function is skipped looking for the guilty frame; NULL: it is not. */
const char *vd_triage_skip_reason(const char *function);
/* The skip table, for documentation: name, class. NULL name ends it. */
struct vd_triage_skip {
	const char *name;         /* a function, or a prefix ending in '*' */
	const char *why;          /* its class: "panic", "oops", "print", ... */
};
extern const struct vd_triage_skip vd_triage_skip_table[];

/*
 * The index of the guilty frame in frames[0..n): after the outermost
 * panic entry (panic, vpanic, nmi_panic) when there is one, the first
 * frame that is a function or an interrupted context and is not in the
 * skip table; n when none is left.
 */
size_t vd_triage_guilty(const struct vd_frame *frames, size_t n);
/* A function's name without the compiler's .cold/.isra.N/.constprop.N/.part.N suffixes. */
void vd_triage_base_name(const char *name, char *buf, size_t size);
/* A title with its numbers, addresses and CPU/PID numbers replaced (docs/triage.md). */
void vd_triage_normalize_title(const char *title, char *buf, size_t size);
/*
 * The signature's input (written to text, NUL-terminated, cut at size) and
 * the signature itself (16 hex digits of its SHA-1).
 */
void vd_triage_signature(const char *kind, const char *title,
			 const struct vd_frame *frames, size_t n, size_t guilty,
			 char *text, size_t size, char sig[17]);
/* ABRT's koops duphash form: SHA-1 of "function\n" of the reliable frames. */
void vd_triage_duphash(const struct vd_frame *frames, size_t n, size_t guilty,
		       char hash[41]);
/* SHA-1 of data as 40 hex digits. */
void vd_sha1_hex(const void *data, size_t len, char out[41]);

/* What the log says happened: kind, message, task, fault address. */
struct vd_crash_header {
	const char *kind;         /* "null-deref", "bug", "warn", ... "unknown" */
	char message[512];        /* the kernel's own line */
	char panic[512];          /* "Kernel panic - not syncing: ..." or "" */
	uint64_t header_seq;      /* record of message */
	bool have_fault_addr;
	uint64_t fault_addr;
	/* The task the header names ("CPU: 0 PID: 1 Comm: init", "INFO: task
	 * comm:pid blocked"), -1 and "" when not named. */
	int32_t pid;
	int32_t cpu;
	char comm[17];
	/* the Call Trace the kernel printed after the header (function names, reliable lines) */
};
/*
 * Classify the log: lines are the log's records' texts, oldest first (one
 * record may hold several lines).  Pure: no session.
 */
void vd_triage_classify(const char *const *records, size_t n, struct vd_crash_header *ret);

/* Triage of a session ------------------------------------------------------------ */

struct vd_triage_task {
	struct vd_task t;
	struct vd_trace tr;
};

/* Tasks whose stacks are alike (the same functions), counted. */
struct vd_triage_group {
	size_t count;
	size_t first;             /* index of a representative in tasks[] */
	size_t *members;          /* indexes in tasks[] */
};

struct vd_triage_module {
	char name[VD_MODULE_NAME_LEN];
	char taint_flags[24];
};

struct vd_triage {
	struct vd_sysinfo sys;
	struct vd_crash_header hdr;
	const char *kind;         /* hdr.kind */
	int32_t cpu;              /* the crashing CPU, -1 unknown */
	bool have_task;
	struct vd_triage_task task;     /* the crashing (or hung) task */
	uint64_t panic_task;      /* the task that called panic(), 0 unknown */
	size_t guilty;            /* index in task.tr.frames; nframes: none */
	/* The faulting instruction: the pc of the first interrupted context
	 * after the panic machinery (or of frame 0 without one). */
	bool have_fault;
	uint64_t fault_pc;
	const char *fault_symbol;
	uint64_t fault_offset;
	const char *fault_module;
	const struct vd_frame *regs_frame;  /* its registers, NULL if none */
	char signature[17];
	char signature_text[2048];
	char duphash[41];
	/* taint: the modules with taints */
	struct vd_triage_module *tmods;
	size_t ntmods;
	/* the last log lines */
	char **log;
	size_t nlog;
	/* D-state tasks and other CPUs' running tasks, traced */
	struct vd_triage_task *others;
	size_t nothers;           /* at most VD_TRIAGE_MAX_OTHERS */
	bool nothers_dropped;
	struct vd_triage_group *dgroups, *cgroups;
	size_t ndgroups, ncgroups;
	/* /proc/meminfo values in kB (0 when not known) */
	bool have_mem;
	uint64_t mem_total, mem_free, mem_available, cached, slab, swap_total,
		 swap_free, committed, commit_limit;
	struct vd_problems problems;  /* sys.problems are reported there */
	bool complete;
	struct vd_unwinder *u;    /* private */
};

/* D-state and other CPUs' tasks a report traces at most. */
#define VD_TRIAGE_MAX_OTHERS 4096
/* Number of log lines a report keeps. */
#define VD_TRIAGE_LOG_LINES 50

/* Triage the session's dump; never fails as a whole (see problems). */
void vd_triage_run(struct vd_session *s, struct vd_triage *ret);
void vd_triage_deinit(struct vd_triage *t);

#ifdef __cplusplus
}
#endif
#endif
