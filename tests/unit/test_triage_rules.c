// SPDX-License-Identifier: MIT
/*
 * The triage rules (docs/triage.md) on constructed frames and log lines:
 * the guilty frame, the skip table, compiler suffixes, title
 * normalisation, the signature's stability and the duphash's form.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "vmdive/triage.h"

static struct vd_frame
fn(const char *sym, const char *mod, uint64_t pc, uint64_t off)
{
	struct vd_frame f = { .pc = pc, .kind = VD_FRAME_FUNCTION, .stack = "task",
			      .reliable = true, .symbol = sym, .offset = off, .module = mod };
	return f;
}

TEST(sha1_vectors)
{
	char h[41];

	vd_sha1_hex("abc", 3, h);
	CHECK_STR(h, "a9993e364706816aba3e25717850c26c9cd0d89d");
	vd_sha1_hex("", 0, h);
	CHECK_STR(h, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	vd_sha1_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, h);
	CHECK_STR(h, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

TEST(guilty_after_panic)
{
	/* sysrq: delay loop, panic, then the culprit */
	struct vd_frame f[] = {
		fn("delay_tsc", NULL, 0x1000, 0x33), fn("panic", NULL, 0x2000, 0x2e9),
		fn("sysrq_handle_crash", NULL, 0x3000, 0x16), fn("__handle_sysrq.cold", NULL, 0x4000, 0x44),
	};
	CHECK_EQ_U64(vd_triage_guilty(f, 4), 2);
}

TEST(guilty_oops_through_exception)
{
	/* NULL dereference in a module: oops machinery, exception entry, the
	 * interrupted function (an exception frame) */
	struct vd_frame f[] = {
		fn("delay_tsc", NULL, 1, 0), fn("panic", NULL, 2, 0), fn("oops_end.cold", NULL, 3, 0),
		fn("page_fault_oops", NULL, 4, 0), fn("exc_page_fault", NULL, 5, 0),
		fn("asm_exc_page_fault", NULL, 6, 0), fn("vd_deref.constprop.0", "vdmod", 7, 5),
		fn("vd_write", "vdmod", 8, 0x20),
	};
	f[6].kind = VD_FRAME_EXCEPTION;
	CHECK_EQ_U64(vd_triage_guilty(f, 8), 6);
	/* a hung task: scheduling helpers skipped, no panic frame at all */
	struct vd_frame h[] = {
		fn("__schedule", NULL, 1, 0), fn("schedule", NULL, 2, 0),
		fn("schedule_timeout", NULL, 3, 0), fn("msleep", NULL, 4, 0),
		fn("vd_hung_fn", "vdmod", 5, 0),
	};
	CHECK_EQ_U64(vd_triage_guilty(h, 5), 4);
	/* every frame machinery: none */
	CHECK_EQ_U64(vd_triage_guilty(f, 6), 6);
	/* unknown code is the guilty frame */
	struct vd_frame u[] = { fn("panic", NULL, 1, 0), fn(NULL, NULL, 2, 0) };
	CHECK_EQ_U64(vd_triage_guilty(u, 2), 1);
}

TEST(skip_table)
{
	CHECK(vd_triage_skip_reason("panic") != NULL);
	CHECK(vd_triage_skip_reason("asm_sysvec_apic_timer_interrupt") != NULL);
	CHECK(vd_triage_skip_reason("__mutex_lock.constprop.0") != NULL);
	CHECK(vd_triage_skip_reason("sysrq_handle_crash") == NULL);
	CHECK(vd_triage_skip_reason("schedule_tail") == NULL);  /* not a prefix entry */
	CHECK(vd_triage_skip_reason("dief") == NULL);
	/* v2: the tick's RCU stall and hard-lockup detectors (crash-rcu's trace) */
	CHECK(vd_triage_skip_reason("panic_on_rcu_stall") != NULL);
	CHECK(vd_triage_skip_reason("rcu_sched_clock_irq.cold") != NULL);
	CHECK(vd_triage_skip_reason("update_process_times") != NULL);
	CHECK(vd_triage_skip_reason("tick_sched_timer") != NULL);
	CHECK(vd_triage_skip_reason("watchdog_buddy_check_hardlockup") != NULL);
	CHECK(vd_triage_skip_reason("rcu_read_unlock") == NULL);
}

TEST(base_name)
{
	char b[64];

	vd_triage_base_name("__handle_sysrq.cold", b, sizeof(b));
	CHECK_STR(b, "__handle_sysrq");
	vd_triage_base_name("el0_svc_common.constprop.0", b, sizeof(b));
	CHECK_STR(b, "el0_svc_common");
	vd_triage_base_name("foo.isra.0.cold", b, sizeof(b));
	CHECK_STR(b, "foo");
	vd_triage_base_name("ext4_fill_super", b, sizeof(b));
	CHECK_STR(b, "ext4_fill_super");
}

TEST(normalize_title)
{
	char b[256];

	vd_triage_normalize_title("BUG: kernel NULL pointer dereference, address: 0000000000000008", b, sizeof(b));
	CHECK_STR(b, "BUG: kernel NULL pointer dereference, address: ?");
	vd_triage_normalize_title("watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [vd-spin:121]", b, sizeof(b));
	CHECK_STR(b, "watchdog: BUG: soft lockup - CPU#N stuck for Ns! [vd-spin:N]");
	vd_triage_normalize_title("WARNING: CPU: 0 PID: 12 at fs/ext4/x.c:88 f+0x1a/0x30 [ext4]", b, sizeof(b));
	CHECK_STR(b, "WARNING: CPU: N PID: N at fs/ext4/x.c:N f+0x?/0x? [ext4]");
	vd_triage_normalize_title("  a   b  ", b, sizeof(b));
	CHECK_STR(b, "a b");
}

TEST(signature_stable)
{
	struct vd_frame a[] = {
		fn("panic", NULL, 0xffffffff81000000, 0x10), fn("vd_fn", "vdmod", 0xffffffffc0001000, 5),
		fn("vd_write", "vdmod", 0xffffffffc0002000, 0x20), fn("vfs_write", NULL, 0xffffffff81200000, 7),
	};
	struct vd_frame b[] = {     /* another boot: other KASLR, other offsets, a .cold clone */
		fn("panic", NULL, 0xffffffff93000000, 0x11), fn("vd_fn", "vdmod", 0xffffffffc0401000, 6),
		fn("vd_write.cold", "vdmod", 0xffffffffc0402000, 0x24), fn("vfs_write", NULL, 0xffffffff93200000, 9),
	};
	char ta[2048], tb[2048], sa[17], sb[17], sc[17], da[41], db[41];

	vd_triage_signature("null-deref", "BUG: kernel NULL pointer dereference, address: 0000000000000008",
			    a, 4, 1, ta, sizeof(ta), sa);
	vd_triage_signature("null-deref", "BUG: kernel NULL pointer dereference, address: 0000000000000010",
			    b, 4, 1, tb, sizeof(tb), sb);
	CHECK_STR(sa, sb);
	CHECK(strstr(ta, "frame: vd_fn [vdmod]\nframe: vd_write [vdmod]\nframe: vfs_write\n") != NULL);
	CHECK(strlen(sa) == 16);
	/* another kind, or another function: another bucket */
	vd_triage_signature("bug", "BUG: kernel NULL pointer dereference, address: 0000000000000008",
			    a, 4, 1, tb, sizeof(tb), sc);
	CHECK(strcmp(sa, sc) != 0);
	b[1].symbol = "vd_other_fn";
	vd_triage_signature("null-deref", "BUG: kernel NULL pointer dereference, address: 0000000000000008",
			    b, 4, 1, tb, sizeof(tb), sc);
	CHECK(strcmp(sa, sc) != 0);
	/* a machine check's bucket has no frames: wherever the CPU was, one bucket */
	vd_triage_signature("mce", "mce: [Hardware Error]: Machine check: Processor Context Corrupt",
			    a, 4, 1, ta, sizeof(ta), sa);
	vd_triage_signature("mce", "mce: [Hardware Error]: Machine check: Processor Context Corrupt",
			    b, 4, 1, tb, sizeof(tb), sc);
	CHECK_STR(sa, sc);
	CHECK(strstr(ta, "frame:") == NULL);
	/* duphash: SHA-1 of "name\n" per reliable frame, unreliable ones skipped */
	vd_triage_duphash(a, 4, 1, da);
	vd_sha1_hex("vd_fn\nvd_write\nvfs_write\n", 25, db);
	CHECK_STR(da, db);
	a[2].reliable = false;
	vd_triage_duphash(a, 4, 1, da);
	vd_sha1_hex("vd_fn\nvfs_write\n", 16, db);
	CHECK_STR(da, db);
}

TEST(classify_log)
{
	const char *oops[] = {
		"Linux version 6.1", "WARNING: CPU: 0 PID: 1 at boot.c:1 early+0x1/0x2",
		"BUG: kernel NULL pointer dereference, address: 0000000000000008",
		"#PF: supervisor read access in kernel mode", "Oops: 0000 [#1] PREEMPT SMP NOPTI",
		"CPU: 1 PID: 123 Comm: sh Tainted: G           OE      6.1.0 #1",
		"RIP: 0010:vd_fn+0x5/0x10 [vdmod]", "Kernel panic - not syncing: Fatal exception",
	};
	const char *sysrq[] = {
		"sysrq: Trigger a crash", "Kernel panic - not syncing: sysrq triggered crash",
		"CPU: 0 PID: 1 Comm: init Not tainted 6.1.0 #1",
	};
	const char *hung[] = {
		"INFO: task vd:hung:121 blocked for more than 2 seconds.",
		"      Tainted: G           OE      6.1.0-57-cloud-amd64 #1",
		"Kernel panic - not syncing: hung_task: blocked tasks",
		"CPU: 1 PID: 30 Comm: khungtaskd Tainted: G           OE      6.1.0 #1",
	};
	const char *arm64[] = {
		"Unable to handle kernel NULL pointer dereference at virtual address 0000000000000010",
		"CPU: 1 PID: 121 Comm: sh Tainted: G           OE      6.1.0-57-arm64 #1",
		"Kernel panic - not syncing: Oops: Fatal exception",
	};
	struct vd_crash_header h;

	vd_triage_classify(oops, 8, &h);
	CHECK_STR(h.kind, "null-deref");
	CHECK_STR(h.message, oops[2]);
	CHECK(h.have_fault_addr && h.fault_addr == 8);
	CHECK(h.pid == 123 && h.cpu == 1);
	CHECK_STR(h.comm, "sh");
	vd_triage_classify(sysrq, 3, &h);
	CHECK_STR(h.kind, "sysrq");
	CHECK_STR(h.message, sysrq[1]);
	CHECK(h.pid == 1);
	vd_triage_classify(hung, 4, &h);
	CHECK_STR(h.kind, "hung-task");
	CHECK_STR(h.comm, "vd:hung");
	CHECK(h.pid == 121);
	vd_triage_classify(oops, 0, &h);
	CHECK_STR(h.kind, "unknown");
	// arm64's header: the address after "virtual address ", not "add" read as hex
	vd_triage_classify(arm64, 3, &h);
	CHECK_STR(h.kind, "null-deref");
	CHECK(h.have_fault_addr && h.fault_addr == 0x10);
	CHECK(h.pid == 121 && h.cpu == 1);
}

TEST(taint_letters)
{
	char b[40];

	vd_taint_letters((1u << 12) | (1u << 13), b, sizeof(b));
	CHECK_STR(b, "OE");
	vd_taint_letters(1, b, sizeof(b));
	CHECK_STR(b, "P");
}

TEST(problems_bounded)
{
	struct vd_problems p = { 0 };

	for (int i = 0; i < 1000; i++)
		vd_problems_add(&p, "problem %d", i);
	CHECK_EQ_U64(p.n, VD_PROBLEMS_MAX);
	CHECK_STR(p.msgs[0], "problem 0");
	CHECK_STR(p.msgs[VD_PROBLEMS_MAX - 1], "937 more problems not listed");
	vd_problems_free(&p);
	CHECK_EQ_U64(p.n, 0);
}

int
main(void)
{
	return RUN_TESTS();
}
