/* SPDX-License-Identifier: MIT */
/*
 * Backtraces of the dead kernel's tasks, from what the dump carries: no
 * vmlinux needed.
 *
 * x86_64: the kernel's own ORC tables read from the dump (vmlinux's
 * __start_orc_unwind_ip.. and each module's mod->arch ORC arrays); CALL,
 * REGS and REGS_PARTIAL (iret) frames; pt_regs at entries are decoded and
 * the walk goes on on the interrupted stack (IRQ stack, exception stacks in
 * the cpu_entry_area, task stack); a frame-pointer step where ORC has no
 * entry (such frames are not "reliable").
 *
 * Starting registers: a running task's from the dump's CPU notes (the
 * per-CPU crash_notes of a kexec kernel, else the dump's NT_PRSTATUS notes:
 * QEMU numbers them vCPU + 1), a sleeping task's from what the scheduler
 * saved (x86_64 task->thread.sp -> struct inactive_task_frame).
 *
 * Every walk is bounded: a loop, a wild pointer, an unreadable page or an
 * unknown stack ends that trace with a reason (vd_trace.error); other
 * traces go on.
 */
#ifndef VMDIVE_UNWIND_H
#define VMDIVE_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmdive/error.h"
#include "vmdive/session.h"
#include "vmdive/walk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* No kernel stack holds more frames than this; a longer trace is cut. */
#define VD_UNWIND_MAX_FRAMES 192

enum vd_frame_kind {
	VD_FRAME_FUNCTION,    /* a return address (or the starting pc) */
	VD_FRAME_EXCEPTION,   /* the kernel context a pt_regs interrupted */
	VD_FRAME_USER,        /* the user-mode registers at the stack bottom */
};

/* x86_64 register numbers: struct user_regs_struct order (NT_PRSTATUS). */
enum {
	VD_X86_R15, VD_X86_R14, VD_X86_R13, VD_X86_R12, VD_X86_BP, VD_X86_BX,
	VD_X86_R11, VD_X86_R10, VD_X86_R9, VD_X86_R8, VD_X86_AX, VD_X86_CX,
	VD_X86_DX, VD_X86_SI, VD_X86_DI, VD_X86_ORIG_AX, VD_X86_IP, VD_X86_CS,
	VD_X86_FLAGS, VD_X86_SP, VD_X86_SS,
	VD_X86_NREGS_PTREGS,  /* struct pt_regs has these 21 */
	VD_X86_NREGS = 27     /* + fs_base gs_base ds es fs gs */
};

struct vd_frame {
	uint64_t pc;
	uint64_t sp;              /* the stack pointer while in this frame */
	enum vd_frame_kind kind;
	const char *stack;        /* "task", "irq", "NMI", "#DF", "#DB",
				     "#MC", "#VC", "#VC2", "entry" (x86_64's
				     trampoline stack), "overflow", "SDEI",
				     "SDEI critical", "irq?" (arm64), "user",
				     "unknown" */
	bool reliable;            /* found by the kernel's unwind tables */
	/*
	 * pc is exact (registers, an interrupted context), not a return
	 * address: symbols and lines of a return address are looked up at
	 * pc - 1, which is in the call (it may be a noreturn call at the end
	 * of the function).
	 */
	bool exact_pc;
	/*
	 * arm64: the caller of a function interrupted before it stored its
	 * frame record (a leaf, or one in its prologue or epilogue), taken
	 * from the link register of the registers above it (pt_regs->regs[30]
	 * or a CPU note's x30), as drgn's DWARF unwind finds it; the kernel's
	 * own frame-record unwinder does not show it.  Not "reliable".
	 */
	bool from_lr;
	/* Exception and user frames, and the first frame of a running task:
	 * the full register set (x86_64: VD_X86_* order). */
	bool have_regs;
	uint64_t regs_addr;       /* where the pt_regs is; 0 from a CPU note */
	uint32_t nregs;
	uint64_t regs[34];
	/* Symbol, resolved by the session (NULL name when unknown). */
	const char *symbol;
	uint64_t offset;
	const char *module;       /* NULL for the kernel image */
};

struct vd_trace {
	uint64_t task;            /* struct task_struct, 0 for a bare CPU */
	int32_t cpu;              /* the CPU it runs on, -1 when sleeping */
	bool running;             /* started from a CPU's registers */
	const char *start;        /* where the first registers came from:
				     "crash_notes", "CPU note",
				     "thread.sp" */
	struct vd_frame *frames;
	size_t nframes;
	/*
	 * Why the trace ended before the stack's end (NULL when it reached
	 * the bottom: user mode or the kernel's end-of-stack mark).  Frames
	 * before the error are still good.
	 */
	struct vd_error *error;
	/* A note for the user (not an error): "task has exited", ... */
	const char *note;
};

struct vd_unwinder;

/*
 * An unwinder for the session: finds the unwind tables, stacks and CPU
 * registers on first use.  VD_ERR_NOTIMPL for an architecture it does not
 * unwind.
 */
struct vd_error *vd_unwinder_new(struct vd_session *s, struct vd_unwinder **ret);
void vd_unwinder_free(struct vd_unwinder *u);

/*
 * The backtrace of a task (from vd_task_iter).  An error return means no
 * trace at all (out of memory); a trace that could not start or ended
 * early has ret->error set and whatever frames were found.  Free with
 * vd_trace_free().
 */
struct vd_error *vd_unwind_task(struct vd_unwinder *u, const struct vd_task *task,
				struct vd_trace *ret);
void vd_trace_free(struct vd_trace *t);

/* A CPU's saved registers. */
struct vd_cpu_regs {
	int32_t cpu;
	const char *source;       /* "crash_notes" or "CPU note" */
	bool usable;              /* false: all zero, or sp on no stack */
	const char *why;          /* when not usable */
	uint32_t nregs;
	uint64_t regs[34];
};
/* The registers of CPU cpu; VD_ERR_LOOKUP when the dump has none for it. */
struct vd_error *vd_unwind_cpu_regs(struct vd_unwinder *u, int32_t cpu,
				    struct vd_cpu_regs *ret);

/*
 * Source lines of code addresses from DWARF line tables: kernel-image
 * addresses from the --vmlinux's (the unit from .debug_aranges, only its
 * line program decoded; KASLR applied), module addresses from the
 * module's debug file (--module-debug, relocated to where the module is
 * loaded).  VD_ERR_LOOKUP when the session has neither, or the vmlinux has
 * no line tables.
 */
struct vd_lines;
struct vd_error *vd_lines_open(struct vd_session *s, struct vd_lines **ret);

/* An address's row of the line table, as objdump -dl and crash's dis -l print it. */
struct vd_source_line {
	const char *file;        /* the path the unit's table gives; valid until close */
	uint32_t line;           /* 0: the compiler gave none */
	uint32_t column;         /* 0: none */
	bool is_stmt;            /* a recommended breakpoint location */
	uint64_t addr;           /* runtime address where the row starts */
};
/* The row covering addr: false when no line table covers it. */
bool vd_lines_lookup(struct vd_lines *l, uint64_t addr, struct vd_source_line *ret);
/* The file and line of addr (vd_lines_lookup's): false when none. */
bool vd_lines_find(struct vd_lines *l, uint64_t addr, const char **file, uint32_t *line);
/*
 * The first damaged line table met by a lookup (its lookups said false),
 * or NULL; the caller owns it and it is forgotten.
 */
struct vd_error *vd_lines_take_error(struct vd_lines *l);

/* One source-level frame at a code address (drgn's and gdb's inline frames). */
struct vd_source_frame {
	const char *function;     /* the DWARF name; NULL when not known */
	const char *file;         /* NULL when not known */
	uint32_t line;            /* 0 when not known */
	bool inlined;             /* an inlined call, not the function itself */
};
/*
 * The source frames at addr, innermost first, at most max: the calls
 * inlined at addr, then the function that holds them (inlined false).
 * The first one's file:line is the line table's row (vd_lines_find()),
 * each next one's the call site of the inlined call before it.  0 when
 * nothing describes addr; 1 frame without a function when only the line
 * table does (assembly).  Strings live as long as l.
 */
size_t vd_lines_frames(struct vd_lines *l, uint64_t addr, struct vd_source_frame *out,
		       size_t max);
void vd_lines_close(struct vd_lines *l);

/* "function", "exception", "user" */
const char *vd_frame_kind_name(enum vd_frame_kind kind);

#ifdef __cplusplus
}
#endif
#endif
