// SPDX-License-Identifier: MIT
/*
 * The arm64 frame-record unwinder core (unwind/aarch64.c) on fake stacks:
 * a chain with PAC-signed return addresses, a pt_regs at an exception
 * entry, the final record with user registers, a 6.13-style metadata
 * record, a loop, a truncated stack and a garbage frame pointer.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "unwind/unwind_priv.h"

#define TEXT 0xffff800080000000ull
#define FN_A (TEXT + 0x1000)
#define FN_B (TEXT + 0x2000)
#define FN_C (TEXT + 0x3000)
#define ENTRY (TEXT + 0x8000)          /* exception entry text */
#define ENTRY_END (TEXT + 0x9000)
#define PAC 0x2a97000000000000ull      /* PAC bits 63:56, 54:48; bit 55 kept */
#define MASK 0xffff000000000000ull     /* NUMBER(KERNELPACMASK) */

#define STACK 0xffff800088000000ull
#define SSIZE 0x4000
#define PT_REGS_SIZE 336
#define STACKFRAME_OFF 304

static uint8_t mem[SSIZE];
static struct vd_stack_range stacks[1] = { { STACK, STACK + SSIZE, "task" } };

static struct vd_error *
fake_read(void *priv, uint64_t addr, void *buf, size_t len)
{
	if (addr < STACK || addr + len > STACK + SSIZE)
		return vd_error_fault(VD_ERR_FAULT, VD_AS_KVIRT, addr, "not in the fake");
	memcpy(buf, mem + (addr - STACK), len);
	return NULL;
}

static void
put(uint64_t addr, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		mem[addr - STACK + i] = (uint8_t)(v >> (8 * i));
}

static void
record(uint64_t at, uint64_t fp, uint64_t lr)
{
	put(at, fp);
	put(at + 8, lr);
}

static struct vd_a64_env
env(void)
{
	return (struct vd_a64_env){
		.read = fake_read, .stacks = stacks, .nstacks = 1, .pac_mask = MASK,
		.entry_start = ENTRY, .entry_end = ENTRY_END,
		.final_record = STACK + SSIZE - PT_REGS_SIZE + STACKFRAME_OFF,
		.stackframe_off = STACKFRAME_OFF, .max_frames = 64,
	};
}

static struct vd_error *
run(const struct vd_a64_env *e, const struct vd_a64_start *st, struct vd_frame **fr, size_t *n)
{
	struct vd_error *err = NULL;

	*fr = NULL;
	*n = 0;
	CHECK_OK(vd_a64_unwind(e, st, fr, n, &err));
	return err;
}

/* A -> B -> entry (el0 sync handler's return) -> final record with user regs. */
static void
setup(void)
{
	uint64_t final = STACK + SSIZE - PT_REGS_SIZE + STACKFRAME_OFF;
	uint64_t regs = final - STACKFRAME_OFF;

	memset(mem, 0, sizeof(mem));
	record(STACK + 0x3c00, STACK + 0x3c40, ((FN_B + 0x24) & ~MASK) | PAC);
	record(STACK + 0x3c40, final, ENTRY + 0x18c);                  // B's record
	put(regs + 8 * VD_A64_PC, 0x400123);
	put(regs + 8 * VD_A64_SP, 0xfffff0000000);
	put(regs + 8 * VD_A64_PSTATE, 0x80001000);                     // EL0t
}

TEST(chain_pac_and_user_regs)
{
	struct vd_a64_env e = env();
	struct vd_a64_start st = { .pc = FN_A + 0x10, .fp = STACK + 0x3c00, .sp = STACK + 0x3bf0 };
	struct vd_frame *fr;
	size_t n;
	struct vd_error *err;

	setup();
	err = run(&e, &st, &fr, &n);
	CHECK(err == NULL);
	vd_error_destroy(err);
	CHECK_EQ_U64(n, 4);
	if (n == 4) {
		CHECK_EQ_U64(fr[0].pc, FN_A + 0x10);
		CHECK_EQ_U64(fr[1].pc, FN_B + 0x24);       // PAC stripped
		CHECK_EQ_U64(fr[2].pc, ENTRY + 0x18c);
		CHECK(fr[3].kind == VD_FRAME_USER);
		CHECK_EQ_U64(fr[3].pc, 0x400123);
		CHECK_EQ_U64(fr[3].regs_addr, STACK + SSIZE - PT_REGS_SIZE);
	}
	free(fr);
	// Without the mask the signed address stays wrong: the stripping is real.
	e.pac_mask = 0;
	err = run(&e, &st, &fr, &n);
	vd_error_destroy(err);
	CHECK(n >= 2 && fr[1].pc != FN_B + 0x24);
	free(fr);
}

TEST(kernel_exception_frame)
{
	// B returns into entry text: the record at B's fp is a pt_regs's
	// stackframe, its lr the interrupted pc (C+8), and the walk goes on
	// from the interrupted x29.
	struct vd_a64_env e = env();
	struct vd_a64_start st = { .pc = FN_A + 0x10, .fp = STACK + 0x3000, .sp = STACK + 0x2ff0 };
	uint64_t regs = STACK + 0x3100, sf = regs + STACKFRAME_OFF;
	struct vd_frame *fr;
	size_t n;
	struct vd_error *err;

	memset(mem, 0, sizeof(mem));
	record(STACK + 0x3000, STACK + 0x3040, FN_B + 0x30);
	record(STACK + 0x3040, sf, ENTRY + 0x64);
	record(sf, STACK + 0x3800, FN_C + 0x8);
	put(regs + 8 * VD_A64_PC, FN_C + 0x8);
	put(regs + 8 * VD_A64_SP, STACK + 0x3400);
	put(regs + 8 * VD_A64_FP, STACK + 0x3800);
	put(regs + 8 * VD_A64_PSTATE, 0x3c5);                          // EL1h
	record(STACK + 0x3800, 0, FN_A + 0x99);                        // the outermost
	err = run(&e, &st, &fr, &n);
	CHECK(err == NULL);
	vd_error_destroy(err);
	CHECK_EQ_U64(n, 5);
	if (n == 5) {
		CHECK(fr[3].kind == VD_FRAME_EXCEPTION);
		CHECK_EQ_U64(fr[3].pc, FN_C + 0x8);
		CHECK_EQ_U64(fr[3].regs_addr, regs);
		CHECK_EQ_U64(fr[4].pc, FN_A + 0x99);
	}
	free(fr);
}

TEST(metadata_final_record)
{
	// 6.13+: the final record is {0, 0, FINAL} inside pt_regs.
	struct vd_a64_env e = env();
	struct vd_a64_start st = { .pc = FN_A + 0x10, .fp = STACK + 0x3c00, .sp = STACK + 0x3bf0 };
	struct vd_frame *fr;
	size_t n;
	struct vd_error *err;

	setup();
	e.meta = true;
	e.final_record = 0;            // found by its type, not its place
	put(e.stackframe_off + STACK + SSIZE - PT_REGS_SIZE + 16, 1);
	err = run(&e, &st, &fr, &n);
	CHECK(err == NULL);
	vd_error_destroy(err);
	CHECK(n == 4 && fr[3].kind == VD_FRAME_USER && fr[3].pc == 0x400123);
	free(fr);
}

TEST(metadata_pt_regs_record)
{
	// 6.13+ with Debian 7.2's layout: pt_regs->stackframe is a
	// frame_record_meta at offset 296 (8 mod 16); an EL1 exception leaves
	// {0, 0, PT_REGS} there, and the walk goes on from the pt_regs' x29.
	struct vd_a64_env e = env();
	struct vd_a64_start st = { .pc = FN_A + 0x10, .fp = STACK + 0x3000, .sp = STACK + 0x2ff0 };
	uint64_t regs = STACK + 0x3100, sf = regs + 296;
	struct vd_frame *fr;
	size_t n;
	struct vd_error *err;

	memset(mem, 0, sizeof(mem));
	e.meta = true;
	e.stackframe_off = 296;
	e.final_record = 0;
	record(STACK + 0x3000, sf, ENTRY + 0x6c);                      // the handler's record
	put(sf + 16, 2);                                               // FRAME_META_TYPE_PT_REGS
	put(regs + 8 * VD_A64_PC, FN_C + 0x8);
	put(regs + 8 * VD_A64_SP, STACK + 0x3400);
	put(regs + 8 * VD_A64_FP, STACK + 0x3800);
	put(regs + 8 * VD_A64_PSTATE, 0x3c5);                          // EL1h
	record(STACK + 0x3800, 0, FN_A + 0x99);                        // the outermost
	err = run(&e, &st, &fr, &n);
	CHECK(err == NULL);
	vd_error_destroy(err);
	CHECK_EQ_U64(n, 4);
	if (n == 4) {
		CHECK_EQ_U64(fr[1].pc, ENTRY + 0x6c);
		CHECK(fr[2].kind == VD_FRAME_EXCEPTION);
		CHECK_EQ_U64(fr[2].pc, FN_C + 0x8);
		CHECK_EQ_U64(fr[2].regs_addr, regs);
		CHECK_EQ_U64(fr[3].pc, FN_A + 0x99);
	}
	free(fr);
	// A metadata record of a type the kernel does not define: an error.
	put(sf + 16, 7);
	err = run(&e, &st, &fr, &n);
	CHECK(err != NULL && strstr(err->msg, "unknown type 7"));
	vd_error_destroy(err);
	CHECK_EQ_U64(n, 2);
	free(fr);
	// FINAL anywhere but in the task's own pt_regs: an error, as in the kernel.
	put(sf + 16, 1);
	e.final_record = STACK + SSIZE - PT_REGS_SIZE + 296;
	err = run(&e, &st, &fr, &n);
	CHECK(err != NULL && strstr(err->msg, "final frame record"));
	vd_error_destroy(err);
	free(fr);
}

TEST(metadata_final_kernel_thread)
{
	// A kernel thread's final record: {0, 0, FINAL} in all-zero pt_regs:
	// the trace ends cleanly with no user frame.
	struct vd_a64_env e = env();
	uint64_t final = STACK + SSIZE - PT_REGS_SIZE + STACKFRAME_OFF;
	struct vd_a64_start st = { .pc = FN_A + 0x10, .fp = STACK + 0x3c00, .sp = STACK + 0x3bf0 };
	struct vd_frame *fr;
	size_t n;
	struct vd_error *err;

	memset(mem, 0, sizeof(mem));
	e.meta = true;
	record(STACK + 0x3c00, final, FN_B + 0x24);
	put(final + 16, 1);
	err = run(&e, &st, &fr, &n);
	CHECK(err == NULL);
	vd_error_destroy(err);
	CHECK_EQ_U64(n, 2);
	CHECK(n == 2 && fr[1].kind == VD_FRAME_FUNCTION && fr[1].pc == FN_B + 0x24);
	free(fr);
}

TEST(sdei_stack_to_task_stack)
{
	// A CPU in an SDEI handler: frames on the SDEI stack (here the fake's
	// low 4 KiB), then the interrupted task stack; a record leading back
	// to the SDEI stack after leaving it is a loop.
	static const struct vd_stack_range two[2] = {
		{ STACK, STACK + 0x1000, "SDEI" }, { STACK + 0x1000, STACK + SSIZE, "task" },
	};
	struct vd_a64_env e = env();
	struct vd_a64_start st = { .pc = FN_A + 0x10, .fp = STACK + 0xf00, .sp = STACK + 0xef0 };
	struct vd_frame *fr;
	size_t n;
	struct vd_error *err;

	memset(mem, 0, sizeof(mem));
	e.stacks = two;
	e.nstacks = 2;
	record(STACK + 0xf00, STACK + 0xf40, FN_B + 0x8);
	record(STACK + 0xf40, STACK + 0x3800, FN_C + 0xc);             // off to the task stack
	record(STACK + 0x3800, 0, FN_A + 0x99);
	err = run(&e, &st, &fr, &n);
	CHECK(err == NULL);
	vd_error_destroy(err);
	CHECK_EQ_U64(n, 4);
	if (n == 4) {
		CHECK_STR(fr[0].stack, "SDEI");
		CHECK_STR(fr[2].stack, "SDEI");
		CHECK_STR(fr[3].stack, "task");
		CHECK_EQ_U64(fr[3].pc, FN_A + 0x99);
	}
	free(fr);
	record(STACK + 0x3800, STACK + 0xf00, FN_A + 0x99);            // back: a loop
	err = run(&e, &st, &fr, &n);
	CHECK(err != NULL && strstr(err->msg, "loop"));
	vd_error_destroy(err);
	free(fr);
}

TEST(loop_truncated_garbage)
{
	struct vd_a64_env e = env();
	struct vd_a64_start st = { .pc = FN_A, .fp = STACK + 0x3000, .sp = STACK + 0x2ff0 };
	struct vd_frame *fr;
	size_t n;
	struct vd_error *err;

	// A record pointing at itself.
	memset(mem, 0, sizeof(mem));
	record(STACK + 0x3000, STACK + 0x3000, FN_B);
	err = run(&e, &st, &fr, &n);
	CHECK(err != NULL && strstr(err->msg, "loop"));
	vd_error_destroy(err);
	CHECK(n <= 3);
	free(fr);
	// A record at the very end of the stack: cut off.
	st.fp = STACK + SSIZE - 8;
	err = run(&e, &st, &fr, &n);
	CHECK(err != NULL);
	vd_error_destroy(err);
	CHECK_EQ_U64(n, 1);
	free(fr);
	// A wild, misaligned frame pointer in a record.
	record(STACK + 0x3000, 0xdeadbeef1, FN_B);
	st.fp = STACK + 0x3000;
	err = run(&e, &st, &fr, &n);
	CHECK(err != NULL && strstr(err->msg, "misaligned"));
	vd_error_destroy(err);
	CHECK_EQ_U64(n, 2);
	free(fr);
}

/* Functions of 0x1000 bytes from TEXT: A, B, C, D, each its own. */
static bool
fake_bounds(void *priv, uint64_t pc, uint64_t *start, uint64_t *end)
{
	(void)priv;
	if (pc < FN_A || pc >= FN_C + 0x2000)
		return false;
	*start = pc & ~0xfffull;
	*end = *start + 0x1000;
	return true;
}

#define FN_D (TEXT + 0x4000)

TEST(leaf_caller_from_lr)
{
	// An exception in C, a leaf that stored no frame record: the pt_regs'
	// x29 is B's record (B's caller D), x30 returns into B.  B comes from
	// x30, between C and D; without func_bounds, or when the record at x29
	// holds x30 (C's own record), or when x30 is inside C, it does not.
	struct vd_a64_env e = env();
	struct vd_a64_start st = { .pc = FN_A + 0x10, .fp = STACK + 0x3000, .sp = STACK + 0x2ff0 };
	uint64_t regs = STACK + 0x3100, sf = regs + STACKFRAME_OFF;
	struct vd_frame *fr;
	size_t n;
	struct vd_error *err;

	memset(mem, 0, sizeof(mem));
	record(STACK + 0x3000, sf, ENTRY + 0x64);      // A's record: returns into entry
	record(sf, STACK + 0x3800, FN_C + 0x8);        // kernel_entry's {x29, elr}
	put(regs + 8 * VD_A64_PC, FN_C + 0x8);
	put(regs + 8 * VD_A64_SP, STACK + 0x3400);
	put(regs + 8 * VD_A64_FP, STACK + 0x3800);
	put(regs + 8 * 30, ((FN_B + 0x44) & ~MASK) | PAC);   // x30: into B, signed
	put(regs + 8 * VD_A64_PSTATE, 0x3c5);
	record(STACK + 0x3800, 0, FN_D + 0x20);        // B's record: B's caller D
	e.func_bounds = fake_bounds;
	err = run(&e, &st, &fr, &n);
	CHECK(err == NULL);
	vd_error_destroy(err);
	CHECK_EQ_U64(n, 5);
	if (n == 5) {
		CHECK(fr[2].kind == VD_FRAME_EXCEPTION && fr[2].pc == FN_C + 0x8);
		CHECK_EQ_U64(fr[3].pc, FN_B + 0x44);
		CHECK(fr[3].from_lr && !fr[3].reliable);
		CHECK_EQ_U64(fr[4].pc, FN_D + 0x20);
	}
	free(fr);
	// C's own record at x29 (it holds x30): no frame from lr.
	record(STACK + 0x3800, STACK + 0x3900, ((FN_B + 0x44) & ~MASK) | PAC);
	record(STACK + 0x3900, 0, FN_D + 0x20);
	err = run(&e, &st, &fr, &n);
	vd_error_destroy(err);
	CHECK_EQ_U64(n, 5);
	CHECK(n == 5 && !fr[3].from_lr && fr[3].pc == FN_B + 0x44 && fr[4].pc == FN_D + 0x20);
	free(fr);
	// x30 inside C (it made a call, so it has a record): none either.
	record(STACK + 0x3800, 0, FN_D + 0x20);
	put(regs + 8 * 30, FN_C + 0x100);
	err = run(&e, &st, &fr, &n);
	vd_error_destroy(err);
	CHECK_EQ_U64(n, 4);
	CHECK(n == 4 && fr[3].pc == FN_D + 0x20 && !fr[3].from_lr);
	free(fr);
	// Without the function bounds: the frame records only.
	put(regs + 8 * 30, FN_B + 0x44);
	e.func_bounds = NULL;
	err = run(&e, &st, &fr, &n);
	vd_error_destroy(err);
	CHECK_EQ_U64(n, 4);
	free(fr);
}

int
main(void)
{
	return RUN_TESTS();
}
