// SPDX-License-Identifier: MIT
/*
 * The x86_64 ORC unwinder core (unwind/x86_64.c) and ORC tables
 * (unwind/orc.c) on fake stacks and fake ORC tables built here: CALL
 * chains, a pt_regs to user mode, an iret frame, an IRQ-stack switch
 * through SP_INDIRECT, frame-pointer fallback, a loop, a truncated stack
 * and a garbage return address; the three entry layouts.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "unwind/unwind_priv.h"

#define TEXT 0xffffffff81000000ull
#define FN_A (TEXT + 0x0000)
#define FN_B (TEXT + 0x1000)
#define FN_C (TEXT + 0x2000)
#define FN_D (TEXT + 0x3000)
#define FN_E (TEXT + 0x4000)        /* no ORC entry: frame pointers */
#define TEXT_END (TEXT + 0x5000)
#define VD_ARRAY_SIZE_(a) (sizeof(a) / sizeof((a)[0]))
#define IPTAB 0xffffffff82000000ull  /* where the fake .orc_unwind_ip "is" */

#define TSTACK 0xffffc90000010000ull /* task stack */
#define ISTACK 0xffffc90000020000ull /* IRQ stack */
#define SSIZE 0x4000

static uint8_t task_mem[SSIZE], irq_mem[SSIZE];

struct fake {
	struct vd_orc_table table;
	struct vd_stack_range stacks[2];
};

static uint8_t *
mem_at(uint64_t addr, size_t len)
{
	if (addr >= TSTACK && addr + len <= TSTACK + SSIZE)
		return task_mem + (addr - TSTACK);
	if (addr >= ISTACK && addr + len <= ISTACK + SSIZE)
		return irq_mem + (addr - ISTACK);
	return NULL;
}

static void
put(uint64_t addr, uint64_t v)
{
	uint8_t *p = mem_at(addr, 8);

	for (int i = 0; p && i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static struct vd_error *
fake_read(void *priv, uint64_t addr, void *buf, size_t len)
{
	uint8_t *p = mem_at(addr, len);

	if (!p)
		return vd_error_fault(VD_ERR_FAULT, VD_AS_KVIRT, addr, "not in the fake");
	memcpy(buf, p, len);
	return NULL;
}

static enum vd_orc_lookup
fake_find(void *priv, uint64_t ip, struct vd_orc_entry *ret)
{
	struct fake *f = priv;

	if (ip < TEXT || ip >= TEXT_END)
		return VD_ORC_NOT_TEXT;
	if (ip >= FN_E)
		return VD_ORC_NO_ENTRY;
	return vd_orc_table_find(&f->table, ip, ret) ? VD_ORC_FOUND : VD_ORC_NO_ENTRY;
}

/* A V3 entry's 6 bytes. */
static void
entry(uint8_t *e, int16_t sp_off, int16_t bp_off, unsigned sp_reg, unsigned bp_reg,
      unsigned type, unsigned signal)
{
	e[0] = (uint8_t)sp_off;
	e[1] = (uint8_t)((uint16_t)sp_off >> 8);
	e[2] = (uint8_t)bp_off;
	e[3] = (uint8_t)((uint16_t)bp_off >> 8);
	e[4] = (uint8_t)(sp_reg | bp_reg << 4);
	e[5] = (uint8_t)(type | signal << 3);
}

struct spec {
	uint64_t ip;
	int16_t sp_off, bp_off;
	unsigned sp_reg, bp_reg, type;
};

/*
 * Build f->table from specs (in any order), through the kernel's s32 ip
 * encoding: the table borrows the arrays (in order) or copies and sorts
 * them (vd_orc_table_borrow), and frees them.
 */
static void
build(struct fake *f, const struct spec *s, size_t n)
{
	uint8_t *ipbuf = malloc(64 * 4), *ent = malloc(64 * VD_ORC_ENTRY_SIZE);

	for (size_t i = 0; i < n; i++) {
		int32_t off = (int32_t)(int64_t)(s[i].ip - (IPTAB + 4 * i));

		memcpy(ipbuf + 4 * i, &off, 4);
		entry(ent + i * VD_ORC_ENTRY_SIZE, s[i].sp_off, s[i].bp_off, s[i].sp_reg,
		      s[i].bp_reg, s[i].type, s[i].type >= VD_ORC_TYPE_REGS);
	}
	CHECK_OK(vd_orc_table_borrow(&f->table, IPTAB, ipbuf, ent, n, VD_ORC_V3, ipbuf, ent));
	f->stacks[0] = (struct vd_stack_range){ TSTACK, TSTACK + SSIZE, "task" };
	f->stacks[1] = (struct vd_stack_range){ ISTACK, ISTACK + SSIZE, "irq" };
}

static struct vd_error *
run(struct fake *f, const struct vd_ux_start *st, struct vd_frame **fr, size_t *n)
{
	struct vd_ux_env env = { .priv = f, .read = fake_read, .find_orc = fake_find,
				 .stacks = f->stacks, .nstacks = 2, .max_frames = 64 };
	struct vd_error *err = NULL;

	*fr = NULL;
	*n = 0;
	CHECK_OK(vd_ux_unwind(&env, st, fr, n, &err));
	return err;
}

/* A: sp+16, B: sp+32 with bp saved at CFA-16, C: as the test wants, D: end. */
static const struct spec chain[] = {
	{ FN_D, 0, 0, VD_ORC_REG_UNDEFINED, VD_ORC_REG_UNDEFINED, VD_ORC_TYPE_END_OF_STACK },
	{ FN_A, 16, 0, VD_ORC_REG_SP, VD_ORC_REG_UNDEFINED, VD_ORC_TYPE_CALL },
	{ FN_B, 32, -16, VD_ORC_REG_SP, VD_ORC_REG_PREV_SP, VD_ORC_TYPE_CALL },
	{ FN_C, 16, 0, VD_ORC_REG_SP, VD_ORC_REG_UNDEFINED, VD_ORC_TYPE_CALL },
	{ FN_D + 0x100, 0, 0, VD_ORC_REG_UNDEFINED, VD_ORC_REG_UNDEFINED, VD_ORC_TYPE_UNDEFINED },
};

static void
setup_chain(struct fake *f, struct vd_ux_start *st, struct spec *c_entry)
{
	struct spec s[VD_ARRAY_SIZE_(chain)];

	memset(task_mem, 0, sizeof(task_mem));
	memset(irq_mem, 0, sizeof(irq_mem));
	memcpy(s, chain, sizeof(chain));
	if (c_entry)
		s[3] = *c_entry;
	build(f, s, VD_ARRAY_SIZE_(chain));
	*st = (struct vd_ux_start){ .ip = FN_A + 0x10, .sp = TSTACK + 0x3e00, .bp = 0x1111,
				    .signal = true };
	put(TSTACK + 0x3e08, FN_B + 0x20);          // A's return address
	put(TSTACK + 0x3e20, 0x2222);               // B saved bp at CFA-16
	put(TSTACK + 0x3e28, FN_C + 0x30);          // B's return address
	put(TSTACK + 0x3e38, FN_D + 0x5);           // C's return address (CALL case)
}

TEST(call_chain_to_end_of_stack)
{
	struct fake f;
	struct vd_ux_start st;
	struct vd_frame *fr;
	size_t n;
	struct vd_error *err;

	setup_chain(&f, &st, NULL);
	err = run(&f, &st, &fr, &n);
	CHECK(err == NULL);
	vd_error_destroy(err);
	CHECK_EQ_U64(n, 4);
	if (n == 4) {
		CHECK_EQ_U64(fr[0].pc, FN_A + 0x10);
		CHECK_EQ_U64(fr[1].pc, FN_B + 0x20);
		CHECK_EQ_U64(fr[1].sp, TSTACK + 0x3e10);
		CHECK_EQ_U64(fr[2].pc, FN_C + 0x30);
		CHECK_EQ_U64(fr[2].sp, TSTACK + 0x3e30);
		CHECK_EQ_U64(fr[3].pc, FN_D + 0x5);
		CHECK(fr[3].reliable && fr[3].kind == VD_FRAME_FUNCTION);
		CHECK_STR(fr[2].stack, "task");
	}
	free(fr);
	vd_orc_table_free(&f.table);
}

TEST(pt_regs_to_user_mode)
{
	struct spec c = { FN_C, 0, 0, VD_ORC_REG_SP, VD_ORC_REG_UNDEFINED, VD_ORC_TYPE_REGS };
	struct fake f;
	struct vd_ux_start st;
	struct vd_frame *fr;
	size_t n;
	uint64_t regs = TSTACK + 0x3e30;
	struct vd_error *err;

	setup_chain(&f, &st, &c);
	put(regs + 8 * VD_X86_IP, 0x401000);
	put(regs + 8 * VD_X86_CS, 0x33);
	put(regs + 8 * VD_X86_SP, 0x7ffe0000);
	put(regs + 8 * VD_X86_AX, 0xabcd);
	err = run(&f, &st, &fr, &n);
	CHECK(err == NULL);
	vd_error_destroy(err);
	CHECK_EQ_U64(n, 4);
	if (n == 4) {
		CHECK(fr[3].kind == VD_FRAME_USER);
		CHECK_EQ_U64(fr[3].pc, 0x401000);
		CHECK_EQ_U64(fr[3].regs_addr, regs);
		CHECK_EQ_U64(fr[3].regs[VD_X86_AX], 0xabcd);
		CHECK_STR(fr[3].stack, "user");
	}
	free(fr);
	vd_orc_table_free(&f.table);
}

TEST(iret_frame_then_exact_ip)
{
	// C's caller is an iret frame at CFA: the interrupted D+0 is exact,
	// looked up as is (at D-1 it would fall in C's entry).
	struct spec c = { FN_C, 0, 0, VD_ORC_REG_SP, VD_ORC_REG_UNDEFINED,
			  VD_ORC_TYPE_REGS_PARTIAL };
	struct fake f;
	struct vd_ux_start st;
	struct vd_frame *fr;
	size_t n;
	uint64_t iret = TSTACK + 0x3e30;
	struct vd_error *err;

	setup_chain(&f, &st, &c);
	put(iret, FN_D);                     // ip
	put(iret + 8, 0x10);                 // cs: kernel
	put(iret + 16, 0x246);               // flags
	put(iret + 24, TSTACK + 0x3f00);     // sp
	put(iret + 32, 0x18);                // ss
	err = run(&f, &st, &fr, &n);
	CHECK(err == NULL);
	vd_error_destroy(err);
	CHECK_EQ_U64(n, 4);
	if (n == 4) {
		CHECK(fr[3].kind == VD_FRAME_EXCEPTION);
		CHECK_EQ_U64(fr[3].pc, FN_D);
		CHECK_EQ_U64(fr[3].sp, TSTACK + 0x3f00);
		CHECK_EQ_U64(fr[3].regs_addr, iret - 16 * 8);
	}
	free(fr);
	vd_orc_table_free(&f.table);
}

TEST(irq_stack_switch_and_no_return)
{
	// Frame 0 on the IRQ stack; its entry says CFA = *(sp) + 8, which is on
	// the task stack (the kernel's call_on_irqstack, SP_INDIRECT since 5.12).
	static const struct spec s[] = {
		{ FN_A, 16, 0, VD_ORC_REG_SP, VD_ORC_REG_UNDEFINED, VD_ORC_TYPE_CALL },
		{ FN_B, 8, 0, VD_ORC_REG_SP_INDIRECT, VD_ORC_REG_UNDEFINED, VD_ORC_TYPE_CALL },
		{ FN_C, 0, 0, VD_ORC_REG_UNDEFINED, VD_ORC_REG_UNDEFINED, VD_ORC_TYPE_END_OF_STACK },
	};
	struct fake f;
	struct vd_ux_start st = { .ip = FN_B + 0x10, .sp = ISTACK + 0x3ff0, .signal = true };
	struct vd_frame *fr;
	size_t n;
	struct vd_error *err;

	memset(task_mem, 0, sizeof(task_mem));
	memset(irq_mem, 0, sizeof(irq_mem));
	build(&f, s, 3);
	put(ISTACK + 0x3ff0, TSTACK + 0x3e00 - 8);
	put(TSTACK + 0x3df8, FN_A + 0x40);           // B's return address, into A
	put(TSTACK + 0x3e08, FN_C + 0x8);            // A's, into C: the end
	err = run(&f, &st, &fr, &n);
	CHECK(err == NULL);
	vd_error_destroy(err);
	CHECK_EQ_U64(n, 3);
	if (n == 3) {
		CHECK_STR(fr[0].stack, "irq");
		CHECK_STR(fr[1].stack, "task");
		CHECK_EQ_U64(fr[1].pc, FN_A + 0x40);
		CHECK_EQ_U64(fr[2].pc, FN_C + 0x8);
	}
	free(fr);
	// The same, but A's return address leads back onto the IRQ stack's
	// frames through frame pointers: a stack left is never returned to.
	put(TSTACK + 0x3e08, FN_E + 0x8);
	st.bp = ISTACK + 0x3f00;
	put(st.bp + 8, FN_E + 0x30);
	err = run(&f, &st, &fr, &n);
	CHECK(err != NULL && strstr(err->msg, "left before"));
	vd_error_destroy(err);
	free(fr);
	vd_orc_table_free(&f.table);
}

TEST(entry_stack_iret_to_user)
{
	// A CPU stopped in entry code on the entry (trampoline) stack, before
	// the switch to the task stack: the hardware's iret frame at the top
	// says user mode.  The walk stays on the "entry" stack it was given
	// and ends in a user frame.
	static const struct spec s[] = {
		{ FN_C, 0, 0, VD_ORC_REG_SP, VD_ORC_REG_UNDEFINED, VD_ORC_TYPE_REGS_PARTIAL },
		{ FN_D, 0, 0, VD_ORC_REG_UNDEFINED, VD_ORC_REG_UNDEFINED, VD_ORC_TYPE_UNDEFINED },
	};
	struct fake f;
	struct vd_ux_start st = { .ip = FN_C + 0x4, .sp = ISTACK + SSIZE - 40, .signal = true };
	struct vd_frame *fr;
	size_t n;
	uint64_t iret = ISTACK + SSIZE - 40;
	struct vd_error *err;

	memset(task_mem, 0, sizeof(task_mem));
	memset(irq_mem, 0, sizeof(irq_mem));
	build(&f, s, VD_ARRAY_SIZE_(s));
	f.stacks[1].name = "entry";
	put(iret, 0x401234);                 // ip
	put(iret + 8, 0x33);                 // cs: user
	put(iret + 16, 0x246);               // flags
	put(iret + 24, 0x7ffd0000);          // sp
	put(iret + 32, 0x2b);                // ss
	err = run(&f, &st, &fr, &n);
	CHECK(err == NULL);
	vd_error_destroy(err);
	CHECK_EQ_U64(n, 2);
	if (n == 2) {
		CHECK_STR(fr[0].stack, "entry");
		CHECK(fr[1].kind == VD_FRAME_USER);
		CHECK_EQ_U64(fr[1].pc, 0x401234);
		CHECK_EQ_U64(fr[1].regs[VD_X86_SP], 0x7ffd0000);
	}
	free(fr);
	// Without the entry stack among the CPU's stacks the walk cannot read
	// the iret frame: the trace ends with a reason.
	{
		struct vd_ux_env env = { .priv = &f, .read = fake_read, .find_orc = fake_find,
					 .stacks = f.stacks, .nstacks = 1, .max_frames = 64 };

		fr = NULL;
		n = 0;
		err = NULL;
		CHECK_OK(vd_ux_unwind(&env, &st, &fr, &n, &err));
		CHECK(err != NULL);
		vd_error_destroy(err);
		CHECK(n <= 1);
		free(fr);
	}
	vd_orc_table_free(&f.table);
}

TEST(frame_pointer_fallback_and_loop)
{
	// E has no ORC entry: sp = bp + 16, return address at bp + 8, saved bp
	// at bp.  A bp that points at itself loops: the walk must stop.
	static const struct spec s[] = {
		{ FN_A, 16, 0, VD_ORC_REG_SP, VD_ORC_REG_UNDEFINED, VD_ORC_TYPE_CALL },
	};
	struct fake f;
	uint64_t bp = TSTACK + 0x3f00;
	struct vd_ux_start st = { .ip = FN_E + 0x10, .sp = TSTACK + 0x3e00, .bp = bp,
				  .signal = true };
	struct vd_frame *fr;
	size_t n;
	struct vd_error *err;

	memset(task_mem, 0, sizeof(task_mem));
	build(&f, s, 1);
	put(bp, bp);                 // saved bp: itself
	put(bp + 8, FN_E + 0x20);    // return address: E again
	err = run(&f, &st, &fr, &n);
	CHECK(err != NULL && strstr(err->msg, "loop"));
	vd_error_destroy(err);
	CHECK(n >= 2 && n < 10);
	if (n >= 2) {
		CHECK_EQ_U64(fr[1].pc, FN_E + 0x20);
		CHECK(!fr[1].reliable);
	}
	free(fr);
	vd_orc_table_free(&f.table);
}

TEST(truncated_stack)
{
	struct fake f;
	struct vd_ux_start st;
	struct vd_frame *fr;
	size_t n;
	struct vd_error *err;

	setup_chain(&f, &st, NULL);
	st.sp = TSTACK + SSIZE - 8;    // A's CFA is 8 bytes past the stack's end
	err = run(&f, &st, &fr, &n);
	CHECK(err != NULL && strstr(err->msg, "on no stack"));
	vd_error_destroy(err);
	CHECK_EQ_U64(n, 1);
	free(fr);
	vd_orc_table_free(&f.table);
}

TEST(garbage_return_address)
{
	struct fake f;
	struct vd_ux_start st;
	struct vd_frame *fr;
	size_t n;
	struct vd_error *err;

	setup_chain(&f, &st, NULL);
	put(TSTACK + 0x3e28, 0xdeadbeef);    // B returns to garbage
	err = run(&f, &st, &fr, &n);
	CHECK(err != NULL && strstr(err->msg, "not kernel text"));
	vd_error_destroy(err);
	CHECK_EQ_U64(n, 3);
	free(fr);
	// A wild stack pointer from the start: one frame and a reason.
	st.sp = 0xffff888000000000ull;
	err = run(&f, &st, &fr, &n);
	CHECK(err != NULL);
	vd_error_destroy(err);
	CHECK_EQ_U64(n, 1);
	free(fr);
	vd_orc_table_free(&f.table);
}

TEST(undefined_entry_stops)
{
	struct fake f;
	struct vd_ux_start st;
	struct vd_frame *fr;
	size_t n;
	struct vd_error *err;

	setup_chain(&f, &st, NULL);
	put(TSTACK + 0x3e38, FN_D + 0x105);  // C returns into the undefined range
	err = run(&f, &st, &fr, &n);
	CHECK(err != NULL && strstr(err->msg, "undefined"));
	vd_error_destroy(err);
	CHECK_EQ_U64(n, 4);
	free(fr);
	vd_orc_table_free(&f.table);
}

TEST(entry_layouts)
{
	struct vd_orc_entry e;
	// V1 (<= 6.2): sp_reg SP, bp_reg PREV_SP, type REGS (1).
	uint8_t v1[6] = { 0x10, 0, 0xf0, 0xff, VD_ORC_REG_SP | VD_ORC_REG_PREV_SP << 4, 1 };
	// V1 end-of-stack: sp_reg UNDEFINED, end bit (bit 2).
	uint8_t v1end[6] = { 0, 0, 0, 0, 0, 4 };
	// V2 (6.3): type REGS (1), signal bit 2, end bit 3.
	uint8_t v2[6] = { 8, 0, 0, 0, VD_ORC_REG_SP, 1 | 4 };
	// V3 (6.4+): type REGS_PARTIAL (4), signal bit 3.
	uint8_t v3[6] = { 8, 0, 0, 0, VD_ORC_REG_SP, 4 | 8 };

	vd_orc_decode(v1, VD_ORC_V1, &e);
	CHECK(e.type == VD_ORC_TYPE_REGS && e.signal && e.sp_offset == 16 && e.bp_offset == -16);
	CHECK(e.sp_reg == VD_ORC_REG_SP && e.bp_reg == VD_ORC_REG_PREV_SP);
	vd_orc_decode(v1end, VD_ORC_V1, &e);
	CHECK(e.type == VD_ORC_TYPE_END_OF_STACK);
	v1end[5] = 0;
	vd_orc_decode(v1end, VD_ORC_V1, &e);
	CHECK(e.type == VD_ORC_TYPE_UNDEFINED);
	vd_orc_decode(v2, VD_ORC_V2, &e);
	CHECK(e.type == VD_ORC_TYPE_REGS && e.signal);
	vd_orc_decode(v3, VD_ORC_V3, &e);
	CHECK(e.type == VD_ORC_TYPE_REGS_PARTIAL && e.signal);
	// Bit 2 on a frame with a base register: the 6.3 layout.
	CHECK(vd_orc_guess_format(v2, 1) == VD_ORC_V2);
	CHECK(vd_orc_guess_format(v1, 1) == VD_ORC_V1);
}

TEST(renumbered_registers)
{
	// Debian 7.2's numbering: SP 3, PREV_SP 8.  A table mostly of
	// "sp = SP + 8, bp untouched" CALL entries tells it.
	uint8_t raw[4 * VD_ORC_ENTRY_SIZE], ipbuf[16];
	struct vd_orc_table t;
	struct vd_orc_entry e;

	for (int i = 0; i < 4; i++) {
		int32_t off = (int32_t)(int64_t)(FN_A + 0x100 * i - (IPTAB + 4 * i));

		memcpy(ipbuf + 4 * i, &off, 4);
		entry(raw + i * VD_ORC_ENTRY_SIZE, 8, 0, 3, 0, VD_ORC_TYPE_CALL, 0);
	}
	entry(raw + 3 * VD_ORC_ENTRY_SIZE, 16, -16, 3, 8, VD_ORC_TYPE_CALL, 0);
	CHECK(vd_orc_guess_regs(raw, 4, VD_ORC_V3) == VD_ORC_REGS_7);
	CHECK_OK(vd_orc_table_init(&t, IPTAB, ipbuf, raw, 4, VD_ORC_V3));
	vd_orc_regmap(VD_ORC_REGS_7, t.regmap);
	CHECK(vd_orc_table_find(&t, FN_A + 0x305, &e));
	CHECK(e.sp_reg == VD_ORC_REG_SP && e.bp_reg == VD_ORC_REG_PREV_SP && e.bp_offset == -16);
	vd_orc_table_free(&t);
	// The classic numbering: SP 5.
	for (int i = 0; i < 4; i++)
		entry(raw + i * VD_ORC_ENTRY_SIZE, 8, 0, VD_ORC_REG_SP, 0, VD_ORC_TYPE_CALL, 0);
	CHECK(vd_orc_guess_regs(raw, 4, VD_ORC_V3) == VD_ORC_REGS_CLASSIC);
}

TEST(unsorted_table)
{
	static const struct spec s[] = {
		{ FN_C, 16, 0, VD_ORC_REG_SP, VD_ORC_REG_UNDEFINED, VD_ORC_TYPE_CALL },
		{ FN_A, 24, 0, VD_ORC_REG_SP, VD_ORC_REG_UNDEFINED, VD_ORC_TYPE_CALL },
		{ FN_B, 32, 0, VD_ORC_REG_SP, VD_ORC_REG_UNDEFINED, VD_ORC_TYPE_CALL },
	};
	struct fake f;
	struct vd_orc_entry e;

	build(&f, s, 3);
	CHECK(vd_orc_table_find(&f.table, FN_A + 5, &e) && e.sp_offset == 24);
	CHECK(vd_orc_table_find(&f.table, FN_B, &e) && e.sp_offset == 32);
	CHECK(vd_orc_table_find(&f.table, FN_C + 0x999, &e) && e.sp_offset == 16);
	CHECK(!vd_orc_table_find(&f.table, FN_A - 1, &e));
	vd_orc_table_free(&f.table);
}

int
main(void)
{
	return RUN_TESTS();
}
