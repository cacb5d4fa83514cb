/* SPDX-License-Identifier: MIT */
/*
 * Inside the unwinder: the ORC format, ORC tables, and the x86_64 unwinder
 * core.  The core is pure: it reads memory, finds stacks and ORC entries
 * through callbacks, so unit tests drive it with a fake stack and a fake
 * table (tests/unit/test_unwind_orc.c), and the session glue
 * (unwind/x86_64_task.c) with the dump.
 */
#ifndef VD_UNWIND_PRIV_H
#define VD_UNWIND_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmdive/error.h"
#include "vmdive/unwind.h"

/* ORC ----------------------------------------------------------------------- */

/*
 * Base registers (arch/x86/include/asm/orc_types.h, unchanged since ORC
 * came in 4.14, commit 39358a033b2e "objtool, x86: Add facility for
 * asm code to provide unwind hints").
 */
enum {
	VD_ORC_REG_UNDEFINED = 0,
	VD_ORC_REG_PREV_SP = 1,
	VD_ORC_REG_DX = 2,
	VD_ORC_REG_DI = 3,
	VD_ORC_REG_BP = 4,
	VD_ORC_REG_SP = 5,
	VD_ORC_REG_R10 = 6,
	VD_ORC_REG_R13 = 7,
	VD_ORC_REG_BP_INDIRECT = 8,
	VD_ORC_REG_SP_INDIRECT = 9,
};

/* Entry types, normalized to the newest format's numbering. */
enum vd_orc_type {
	VD_ORC_TYPE_UNDEFINED = 0,
	VD_ORC_TYPE_END_OF_STACK = 1,
	VD_ORC_TYPE_CALL = 2,
	VD_ORC_TYPE_REGS = 3,
	VD_ORC_TYPE_REGS_PARTIAL = 4,
};

/*
 * The layouts of struct orc_entry (6 bytes: s16 sp_offset, s16 bp_offset,
 * then bit fields, little-endian):
 * - V1, 4.14 to 6.2: sp_reg:4 bp_reg:4 type:2 end:1; types CALL 0, REGS 1,
 *   REGS_PARTIAL 2 (named REGS_IRET before 5.12); a frame with sp_reg
 *   UNDEFINED is the end of the stack when end is set, else unknown.
 * - V2, 6.3: commit ffb1b4a41016 ("x86/unwind/orc: Add 'signal' field to
 *   ORC metadata") made it type:2 signal:1 end:1.
 * - V3, 6.4+: commit fb799447ae29 ("x86,objtool: Split UNWIND_HINT_EMPTY
 *   in two") made it type:3 signal:1 with types UNDEFINED 0,
 *   END_OF_STACK 1, CALL 2, REGS 3, REGS_PARTIAL 4; the same release added
 *   the .orc_header section (commit b9f174c811e3 "x86/unwind/orc: Add ELF
 *   section with ORC version identifier"), whose __start_orc_header
 *   symbol tells V3.
 * V1 and V2 differ in bit 2: V1's end is set only with sp_reg UNDEFINED,
 * V2's signal only on REGS frames (sp_reg defined), so a table with bit 2
 * on a frame with a base register is V2 (vd_orc_guess_format).
 */
enum vd_orc_format { VD_ORC_V1 = 1, VD_ORC_V2, VD_ORC_V3 };

#define VD_ORC_ENTRY_SIZE 6

struct vd_orc_entry {
	int16_t sp_offset, bp_offset;
	uint8_t sp_reg, bp_reg;
	enum vd_orc_type type;
	bool signal;          /* the caller's ip is exact, not a return address */
};

void vd_orc_decode(const uint8_t raw[VD_ORC_ENTRY_SIZE], enum vd_orc_format fmt,
		   struct vd_orc_entry *ret);
/* V1 or V2 from the entries themselves (no .orc_header). */
enum vd_orc_format vd_orc_guess_format(const uint8_t *raw, size_t n);

/* One table: absolute ips in ascending order, and their raw entries. */
struct vd_orc_table {
	uint64_t *ip;
	uint8_t *raw;         /* n * VD_ORC_ENTRY_SIZE */
	/*
	 * Or, for a table the kernel sorted, its own arrays where they lie
	 * (vd_orc_table_borrow): ip[i] = ip_addr + 4 * i + s32 ip_rel[i],
	 * entries in braw; ip and raw are then NULL.
	 */
	const uint8_t *ip_rel, *braw;
	uint64_t ip_addr;
	void *owned[2];       /* buffers the borrowed arrays lie in, freed with it */
	size_t n;
	uint64_t text_start, text_end;  /* [start, end): addresses it covers */
	enum vd_orc_format fmt;
	/* The kernel's register numbers -> the ones above (vd_orc_guess_regs). */
	uint8_t regmap[16];
	int regs;             /* enum vd_orc_regs, as vd_orc_table_load() took or guessed it */
};

/*
 * The base registers' numbering.  Every kernel up to 6.12 numbers them as
 * above.  Debian's 7.2 kernel (a different .orc_header hash, the same
 * struct orc_entry; commit 1735858caa4b "objtool/x86: Reorder ORC register
 * numbering", 7.1) renumbers them: SP 3, PREV_SP 8, BP_INDIRECT 10, the
 * others (DX 2, BP 4, R10 6, R13 7, SP_INDIRECT 9) as before; its DI is
 * not used by any entry and so not known here (1 and 5 are refused).
 * Which one a table uses shows in its entries: most frames are CALL frames
 * whose sp is SP-based with the frame pointer untouched, so the commonest
 * sp_reg of CALL entries with bp_reg UNDEFINED is SP.
 */
enum vd_orc_regs { VD_ORC_REGS_CLASSIC = 1, VD_ORC_REGS_7 };
enum vd_orc_regs vd_orc_guess_regs(const uint8_t *raw, size_t n, enum vd_orc_format fmt);
void vd_orc_regmap(enum vd_orc_regs regs, uint8_t map[16]);

/*
 * Build a table from the kernel's arrays: ipbuf holds n s32 offsets, each
 * relative to its own address (ip_addr + 4 * i), entbuf n entries.  Sorts
 * them when the kernel did not.  Takes no ownership of the buffers.
 */
struct vd_error *vd_orc_table_init(struct vd_orc_table *t, uint64_t ip_addr,
				   const uint8_t *ipbuf, const uint8_t *entbuf,
				   size_t n, enum vd_orc_format fmt);
/*
 * The same table over the kernel's arrays as they are, when they are in
 * order (the kernel sorts vmlinux's at build time, a module's at load):
 * nothing copied, lookups compute each ip.  Out of order: as
 * vd_orc_table_init.  owned_ip and owned_ent (may be NULL) are the
 * buffers ipbuf and entbuf lie in: the table frees them, also on failure.
 */
struct vd_error *vd_orc_table_borrow(struct vd_orc_table *t, uint64_t ip_addr,
				     const uint8_t *ipbuf, const uint8_t *entbuf, size_t n,
				     enum vd_orc_format fmt, void *owned_ip, void *owned_ent);
/*
 * vd_orc_table_borrow with the register numbering, both found (fmt 0:
 * V1 or V2 from the entries, as vd_orc_guess_format; regs 0: as
 * vd_orc_guess_regs) in the same one pass over the arrays that checks
 * their order; t->fmt and t->regs say what was taken.
 */
struct vd_orc_survey {
	bool sorted;
	enum vd_orc_format fmt;
	enum vd_orc_regs regs;
};
struct vd_error *vd_orc_table_load(struct vd_orc_table *t, uint64_t ip_addr,
				   const uint8_t *ipbuf, const uint8_t *entbuf, size_t n,
				   enum vd_orc_format fmt, enum vd_orc_regs regs,
				   void *owned_ip, void *owned_ent);
void vd_orc_table_free(struct vd_orc_table *t);
/* The entry covering ip: false when ip is before the first entry. */
bool vd_orc_table_find(const struct vd_orc_table *t, uint64_t ip,
		       struct vd_orc_entry *ret);

/* The x86_64 core ------------------------------------------------------------ */

/* A stack the walk may read: [start, end). */
struct vd_stack_range {
	uint64_t start, end;
	const char *name;
};

enum vd_orc_lookup {
	VD_ORC_FOUND,
	VD_ORC_NO_ENTRY,      /* kernel text without an entry: try frame pointers */
	VD_ORC_NOT_TEXT,      /* no code there at all */
};

struct vd_ux_env {
	void *priv;
	/* Read len bytes of kernel memory at addr. */
	struct vd_error *(*read)(void *priv, uint64_t addr, void *buf, size_t len);
	enum vd_orc_lookup (*find_orc)(void *priv, uint64_t ip, struct vd_orc_entry *ret);
	/* The stacks the walk may use; the walk reads nothing else. */
	const struct vd_stack_range *stacks;
	size_t nstacks;
	size_t max_frames;
};

struct vd_ux_start {
	uint64_t ip, sp, bp;
	bool signal;          /* ip is exact (registers), not a return address */
	bool have_regs;       /* regs[] holds a full register set */
	uint64_t regs_addr;
	uint64_t regs[VD_X86_NREGS];
};

/*
 * Walk from start.  Appends frames (symbols not filled) to *frames and *n
 * (realloc'd); *err_ret says why it stopped early (NULL at the stack's
 * end).  Returns an error only when out of memory.
 */
struct vd_error *vd_ux_unwind(const struct vd_ux_env *env,
			      const struct vd_ux_start *start,
			      struct vd_frame **frames, size_t *n,
			      struct vd_error **err_ret);

/* The arm64 core ------------------------------------------------------------- */

/* struct user_pt_regs (the start of struct pt_regs, and NT_PRSTATUS's pr_reg). */
enum { VD_A64_FP = 29, VD_A64_LR = 30, VD_A64_SP = 31, VD_A64_PC = 32, VD_A64_PSTATE = 33,
       VD_A64_NREGS = 34 };

struct vd_a64_env {
	void *priv;
	struct vd_error *(*read)(void *priv, uint64_t addr, void *buf, size_t len);
	const struct vd_stack_range *stacks;
	size_t nstacks;
	uint64_t pac_mask;        /* set on kernel return addresses (PAC stripped) */
	uint64_t entry_start, entry_end;  /* exception entry text */
	uint64_t final_record;    /* &task_pt_regs(task)->stackframe; 0 unknown */
	uint64_t stackframe_off;  /* offsetof(struct pt_regs, stackframe) */
	bool meta;                /* pt_regs->stackframe is a frame_record_meta */
	size_t max_frames;
	/* The function holding pc, [start, end): false when not known (then a
	 * leaf's caller is not taken from the link register).  May be NULL. */
	bool (*func_bounds)(void *priv, uint64_t pc, uint64_t *start, uint64_t *end);
};

struct vd_a64_start {
	uint64_t pc, fp, sp;
	bool have_regs;
	uint64_t regs[VD_A64_NREGS];
};

/* Walk the frame records from start (like vd_ux_unwind). */
struct vd_error *vd_a64_unwind(const struct vd_a64_env *env,
			       const struct vd_a64_start *start,
			       struct vd_frame **frames, size_t *n,
			       struct vd_error **err_ret);

/* The stack holding addr, or NULL. */
const struct vd_stack_range *vd_stack_find(const struct vd_stack_range *stacks,
					   size_t n, uint64_t addr, size_t len);

#endif
