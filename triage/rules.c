// SPDX-License-Identifier: MIT
/*
 * The pure rules of triage (docs/triage.md): the skip table and the guilty
 * frame, title normalisation, the signature and the ABRT-style duphash, the
 * kind of a crash from the kernel's own log lines, the taint letters.
 * No session here: everything is a function of its arguments, so
 * tests/unit/test_triage_rules.c checks it with constructed frames.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "vmdive/triage.h"

/* Problems ------------------------------------------------------------------- */

void
vd_problems_add(struct vd_problems *p, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	if (p->n >= VD_PROBLEMS_MAX - 1) {
		/* The last line counts what is left out. */
		p->more++;
		if (p->n == VD_PROBLEMS_MAX) {
			free(p->msgs[p->n - 1]);
			p->n--;
		}
		if (asprintf(&s, "%zu more problems not listed", p->more) < 0)
			return;
		if (!vd_grow(&p->msgs, p->n, sizeof(*p->msgs))) {
			free(s);
			return;
		}
		p->msgs[p->n++] = s;
		return;
	}
	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	if (!vd_grow(&p->msgs, p->n, sizeof(*p->msgs))) {
		free(s);
		return;
	}
	p->msgs[p->n++] = s;
}

void
vd_problems_add_error(struct vd_problems *p, const char *what, struct vd_error *err)
{
	if (!err)
		return;
	vd_problems_add(p, "%s: %s", what, err->msg);
	vd_error_destroy(err);
}

void
vd_problems_free(struct vd_problems *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->msgs[i]);
	free(p->msgs);
	p->msgs = NULL;
	p->n = 0;
	p->more = 0;
}

/* The skip table ---------------------------------------------------------------- */

/*
 * Functions that are never the guilty frame: the machinery that reports a
 * crash (panic, oops, printing, the delay loop panic() ends in), the
 * exception and interrupt entry it came through, and generic helpers that
 * only carry out what their caller asked (sleeping, locking, allocating,
 * copying).  A name ending in '*' is a prefix.  docs/triage.md has this
 * table; tests/real/triage_check.py reads it from there.
 */
const struct vd_triage_skip vd_triage_skip_table[] = {
	/* panic */
	{ "panic", "panic" }, { "vpanic", "panic" }, { "nmi_panic", "panic" },
	{ "panic_smp_self_stop", "panic" }, { "__crash_kexec", "panic" },
	{ "crash_kexec", "panic" }, { "machine_crash_shutdown", "panic" },
	{ "native_machine_crash_shutdown", "panic" }, { "crash_save_cpu", "panic" },
	{ "crash_setup_regs", "panic" }, { "smp_send_stop", "panic" },
	{ "crash_smp_send_stop", "panic" }, { "check_panic_on_warn", "panic" },
	{ "check_panic_on_oom", "panic" }, { "mce_panic", "panic" },
	{ "panic_on_rcu_stall", "panic" },
	/* printing, and the delay loop panic() waits in */
	{ "dump_stack", "print" }, { "dump_stack_lvl", "print" }, { "show_stack", "print" },
	{ "show_regs", "print" }, { "__show_regs", "print" }, { "show_trace_log_lvl", "print" },
	{ "printk", "print" }, { "_printk", "print" }, { "vprintk*", "print" },
	{ "console_unlock", "print" }, { "console_flush_all", "print" },
	{ "dump_header", "print" }, /* the OOM killer's report */
	{ "delay_tsc", "print" }, { "delay_halt*", "print" }, { "__const_udelay", "print" },
	{ "__udelay", "print" }, { "__ndelay", "print" }, { "__delay", "print" },
	/* oops and exception entry, x86_64 */
	{ "oops_begin", "oops" }, { "oops_end", "oops" }, { "oops_enter", "oops" },
	{ "oops_exit", "oops" }, { "__die", "oops" }, { "__die_body", "oops" },
	{ "die", "oops" }, { "die_addr", "oops" }, { "do_trap", "oops" },
	{ "do_error_trap", "oops" }, { "handle_bug", "oops" }, { "report_bug", "oops" },
	{ "__report_bug", "oops" }, { "__warn", "oops" }, { "warn_slowpath_fmt", "oops" },
	{ "page_fault_oops", "oops" }, { "kernelmode_fixup_or_oops", "oops" },
	{ "no_context", "oops" }, { "__bad_area_nosemaphore", "oops" },
	{ "bad_area_nosemaphore", "oops" }, { "do_user_addr_fault", "oops" },
	{ "do_kern_addr_fault", "oops" }, { "exc_*", "oops" }, { "asm_exc_*", "oops" },
	{ "do_machine_check", "oops" }, { "do_int3", "oops" },
	/* oops and exception entry, arm64 */
	{ "arm64_notify_die", "oops" }, { "do_mem_abort", "oops" }, { "el1_abort", "oops" },
	{ "el1h_64_sync_handler", "oops" }, { "el1h_64_sync", "oops" },
	{ "__do_kernel_fault", "oops" }, { "die_kernel_fault", "oops" },
	{ "do_page_fault", "oops" }, { "do_translation_fault", "oops" },
	{ "do_bad_area", "oops" }, { "bug_handler", "oops" }, { "bug_brk_handler", "oops" },
	{ "call_el1_break_hook", "oops" }, { "call_break_hook", "oops" },
	{ "brk_handler", "oops" }, { "do_debug_exception", "oops" }, { "el1_dbg", "oops" },
	{ "do_el1_brk64", "oops" }, { "el1_brk64", "oops" }, { "vectors", "oops" },
	/* interrupts, timers, the watchdogs */
	{ "watchdog_timer_fn", "irq" }, { "__hrtimer_run_queues", "irq" },
	{ "hrtimer_interrupt", "irq" }, { "__sysvec_*", "irq" }, { "sysvec_*", "irq" },
	{ "asm_sysvec_*", "irq" }, { "common_interrupt", "irq" },
	{ "asm_common_interrupt", "irq" }, { "irq_exit_rcu", "irq" },
	{ "__irq_exit_rcu", "irq" }, { "__do_softirq", "irq" }, { "handle_softirqs", "irq" },
	{ "do_softirq", "irq" }, { "run_timer_softirq", "irq" }, { "__run_timers", "irq" },
	{ "__run_timer_base", "irq" }, { "run_timer_base", "irq" }, { "expire_timers", "irq" },
	{ "call_timer_fn", "irq" }, { "arch_timer_handler_*", "irq" },
	{ "handle_percpu_devid_irq", "irq" }, { "generic_handle_domain_irq", "irq" },
	{ "handle_irq_desc", "irq" }, { "gic_handle_irq", "irq" },
	{ "call_on_irq_stack", "irq" }, { "do_interrupt_handler", "irq" },
	{ "el1_interrupt", "irq" }, { "el1h_64_irq_handler", "irq" }, { "el1h_64_irq", "irq" },
	{ "__el1_irq", "irq" }, { "check_hung_uninterruptible_tasks", "irq" },
	{ "check_hung_task", "irq" },
	/* the scheduler tick, the RCU stall and hard-lockup detectors in it
	 * (signature v2), and the NMI backtraces they ask for */
	{ "tick_sched_timer", "irq" }, { "tick_sched_handle", "irq" },
	{ "tick_nohz_handler", "irq" }, { "tick_handle_periodic", "irq" },
	{ "update_process_times", "irq" }, { "rcu_sched_clock_irq", "irq" },
	{ "rcu_pending", "irq" }, { "check_cpu_stall", "irq" }, { "print_cpu_stall", "irq" },
	{ "print_other_cpu_stall", "irq" }, { "rcu_dump_cpu_stacks", "irq" },
	{ "dump_cpu_task", "irq" }, { "nmi_cpu_backtrace", "irq" },
	{ "nmi_trigger_cpumask_backtrace", "irq" }, { "arch_trigger_cpumask_backtrace", "irq" },
	{ "watchdog_hardlockup_check", "irq" }, { "watchdog_buddy_check_hardlockup", "irq" },
	{ "watchdog_overflow_callback", "irq" }, { "perf_event_nmi_handler", "irq" },
	{ "nmi_handle", "irq" }, { "default_do_nmi", "irq" },
	/* sleeping and locking */
	{ "__schedule", "sched" }, { "schedule", "sched" }, { "schedule_timeout*", "sched" },
	{ "schedule_hrtimeout*", "sched" }, { "schedule_preempt_disabled", "sched" },
	{ "io_schedule*", "sched" }, { "preempt_schedule*", "sched" },
	{ "__cond_resched", "sched" }, { "msleep", "sched" }, { "msleep_interruptible", "sched" },
	{ "usleep_range_state", "sched" }, { "__mutex_lock*", "sched" },
	{ "mutex_lock*", "sched" }, { "__down*", "sched" }, { "down", "sched" },
	{ "down_interruptible", "sched" }, { "down_killable", "sched" },
	{ "down_read*", "sched" }, { "down_write*", "sched" }, { "rwsem_down_*", "sched" },
	{ "wait_for_completion*", "sched" }, { "__wait_for_common", "sched" },
	{ "do_wait_for_common", "sched" }, { "native_queued_spin_lock_slowpath", "sched" },
	{ "queued_spin_lock_slowpath", "sched" }, { "_raw_spin_lock*", "sched" },
	{ "_raw_read_lock*", "sched" }, { "_raw_write_lock*", "sched" },
	{ "do_raw_spin_lock", "sched" },
	/* allocating, and the OOM killer */
	{ "out_of_memory", "alloc" }, { "__alloc_pages*", "alloc" }, { "alloc_pages*", "alloc" },
	{ "__folio_alloc*", "alloc" }, { "folio_alloc*", "alloc" },
	{ "__get_free_pages*", "alloc" }, { "get_zeroed_page*", "alloc" },
	{ "kmalloc*", "alloc" }, { "__kmalloc*", "alloc" }, { "kmem_cache_alloc*", "alloc" },
	{ "vmalloc*", "alloc" }, { "__vmalloc*", "alloc" }, { "vzalloc*", "alloc" },
	{ "kvmalloc*", "alloc" }, { "__kvmalloc*", "alloc" }, { "alloc_pages_mpol*", "alloc" },
	{ "vma_alloc_folio*", "alloc" },
	/* copying */
	{ "memcpy", "copy" }, { "__memcpy", "copy" }, { "memcpy_orig", "copy" },
	{ "memset", "copy" }, { "__memset", "copy" }, { "memset_orig", "copy" },
	{ "memmove", "copy" }, { "memcmp", "copy" }, { "strlen", "copy" },
	{ "strcpy", "copy" }, { "strncpy", "copy" }, { "strcmp", "copy" },
	{ "rep_movs_alternative", "copy" }, { "copy_user_generic*", "copy" },
	{ NULL, NULL },
};

/* Where a panic starts: the frames above the outermost of these are panic()'s own. */
static const char *const panic_entries[] = { "panic", "vpanic", "nmi_panic" };

void
vd_triage_base_name(const char *name, char *buf, size_t size)
{
	static const char *const sfx[] = { ".cold", ".isra", ".constprop", ".part",
					   ".lto_priv", ".llvm" };
	size_t len;
	bool again = true;

	if (!size)
		return;
	snprintf(buf, size, "%s", name ? name : "");
	while (again) {
		again = false;
		len = strlen(buf);
		/* a trailing ".N" */
		{
			size_t k = len;

			while (k && isdigit((unsigned char)buf[k - 1]))
				k--;
			if (k < len && k && buf[k - 1] == '.') {
				buf[k - 1] = '\0';
				again = true;
				continue;
			}
		}
		for (size_t i = 0; i < VD_ARRAY_SIZE(sfx); i++) {
			size_t sl = strlen(sfx[i]);

			if (len > sl && !strcmp(buf + len - sl, sfx[i])) {
				buf[len - sl] = '\0';
				again = true;
				break;
			}
		}
	}
}

const char *
vd_triage_skip_reason(const char *function)
{
	char base[256];

	if (!function)
		return NULL;
	vd_triage_base_name(function, base, sizeof(base));
	for (const struct vd_triage_skip *s = vd_triage_skip_table; s->name; s++) {
		size_t len = strlen(s->name);

		if (s->name[len - 1] == '*' ? !strncmp(base, s->name, len - 1)
					    : !strcmp(base, s->name))
			return s->why;
	}
	return NULL;
}

static bool
is_panic_entry(const char *function)
{
	char base[256];

	if (!function)
		return false;
	vd_triage_base_name(function, base, sizeof(base));
	for (size_t i = 0; i < VD_ARRAY_SIZE(panic_entries); i++)
		if (!strcmp(base, panic_entries[i]))
			return true;
	return false;
}

size_t
vd_triage_guilty(const struct vd_frame *frames, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++)
		if (frames[i].kind != VD_FRAME_USER && is_panic_entry(frames[i].symbol))
			start = i + 1;
	for (size_t i = start; i < n; i++) {
		if (frames[i].kind == VD_FRAME_USER)
			return n;
		if (!frames[i].symbol)
			return i;     /* unknown code is nobody's machinery */
		if (!vd_triage_skip_reason(frames[i].symbol))
			return i;
	}
	return n;
}

/* Titles ------------------------------------------------------------------------ */

static bool
word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

void
vd_triage_normalize_title(const char *title, char *buf, size_t size)
{
	size_t o = 0;
	const char *p = title ? title : "";
	bool space = true;            /* drop leading blanks */

	if (!size)
		return;
#define PUT(c) do { if (o + 1 < size) buf[o++] = (c); } while (0)
	while (*p) {
		bool boundary = p == title || !word_char(p[-1]);

		if (isspace((unsigned char)*p)) {
			if (!space)
				PUT(' ');
			space = true;
			p++;
			continue;
		}
		space = false;
		if (boundary && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
		    isxdigit((unsigned char)p[2])) {
			p += 2;
			while (isxdigit((unsigned char)*p))
				p++;
			PUT('0');
			PUT('x');
			PUT('?');
			continue;
		}
		if (boundary && isxdigit((unsigned char)*p)) {
			size_t k = 0;
			bool digit = false;

			while (isxdigit((unsigned char)p[k])) {
				digit |= isdigit((unsigned char)p[k]) != 0;
				k++;
			}
			if (k >= 8 && digit && !word_char(p[k])) {
				p += k;
				PUT('?');
				continue;
			}
		}
		if (boundary && isdigit((unsigned char)*p)) {
			while (isdigit((unsigned char)*p))
				p++;
			PUT('N');
			continue;
		}
		PUT(*p);
		p++;
	}
	while (o && buf[o - 1] == ' ')
		o--;
	buf[o] = '\0';
#undef PUT
}

/* Signature and duphash ------------------------------------------------------------ */

static void
frame_word(const struct vd_frame *f, char *buf, size_t size)
{
	char base[256];

	if (!f->symbol) {
		snprintf(buf, size, "?%s%s%s", f->module ? " [" : "",
			 f->module ? f->module : "", f->module ? "]" : "");
		return;
	}
	vd_triage_base_name(f->symbol, base, sizeof(base));
	if (f->module)
		snprintf(buf, size, "%s [%s]", base, f->module);
	else
		snprintf(buf, size, "%s", base);
}

void
vd_triage_signature(const char *kind, const char *title, const struct vd_frame *frames,
		    size_t n, size_t guilty, char *text, size_t size, char sig[17])
{
	char norm[512], word[300], hash[41];
	size_t o = 0, k = 0;

	if (!size)
		return;
	vd_triage_normalize_title(title, norm, sizeof(norm));
	o = (size_t)snprintf(text, size, "vmdive-signature v%d\nkind: %s\ntitle: %s\n",
			     VD_TRIAGE_SIGNATURE_VERSION, kind ? kind : "unknown", norm);
	/* A machine check is the hardware's: the frames say where the CPU
	 * happened to be (signature v2), so they are no part of its bucket. */
	if (kind && !strcmp(kind, "mce"))
		n = 0;
	for (size_t i = guilty; i < n && k < VD_TRIAGE_SIGNATURE_FRAMES && o < size; i++) {
		if (frames[i].kind == VD_FRAME_USER)
			break;
		// arm64's caller of an interrupted leaf, from the link register:
		// not in the kernel's own trace, left out so the signature is
		// the one that trace gives.
		if (frames[i].from_lr)
			continue;
		frame_word(&frames[i], word, sizeof(word));
		o += (size_t)snprintf(text + o, size - o, "frame: %s\n", word);
		k++;
	}
	if (o >= size)
		o = size - 1;
	text[o] = '\0';
	vd_sha1_hex(text, o, hash);
	memcpy(sig, hash, 16);
	sig[16] = '\0';
}

void
vd_triage_duphash(const struct vd_frame *frames, size_t n, size_t guilty, char hash[41])
{
	char text[VD_TRIAGE_DUPHASH_FRAMES * 260];
	size_t o = 0, k = 0;

	text[0] = '\0';
	for (size_t i = guilty; i < n && k < VD_TRIAGE_DUPHASH_FRAMES; i++) {
		const struct vd_frame *f = &frames[i];

		if (f->kind == VD_FRAME_USER)
			break;
		if (!f->reliable)
			continue;
		if (f->symbol)
			o += (size_t)snprintf(text + o, sizeof(text) - o, "%.250s\n", f->symbol);
		else
			o += (size_t)snprintf(text + o, sizeof(text) - o, "0x%" PRIx64 "\n", f->pc);
		k++;
	}
	vd_sha1_hex(text, o, hash);
}

/* The kind of a crash, from the log ------------------------------------------------- */

static const char panic_prefix[] = "Kernel panic - not syncing: ";

/* The kind a header line names; NULL when it is no header.  *weak: an
 * "Oops" line that a nearer, more specific header may precede. */
static const char *
header_kind(const char *s, bool *weak)
{
	*weak = false;
	if (strstr(s, "kernel NULL pointer dereference"))
		return "null-deref";
	if (!strncmp(s, "BUG: unable to handle", 21) ||
	    !strncmp(s, "Unable to handle kernel", 23))
		return "page-fault";
	if (!strncmp(s, "general protection fault", 24))
		return "gpf";
	if (!strncmp(s, "kernel BUG at ", 14))
		return "bug";
	if (!strncmp(s, "WARNING: ", 9))
		return "warn";
	if (strstr(s, "BUG: soft lockup"))
		return "soft-lockup";
	if (strstr(s, "hard LOCKUP"))
		return "hard-lockup";
	if (!strncmp(s, "INFO: task ", 11) && strstr(s, " blocked for more than "))
		return "hung-task";
	if ((!strncmp(s, "rcu: INFO: ", 11) || !strncmp(s, "INFO: rcu", 9)) &&
	    strstr(s, "stall"))
		return "rcu-stall";
	if (strstr(s, " invoked oom-killer: "))
		return "oom";
	if (!strncmp(s, "mce: [Hardware Error]", 21))
		return "mce";
	if (!strncmp(s, "BUG: ", 5))
		return "oops";
	if (!strncmp(s, "Oops", 4) || !strncmp(s, "Internal error: ", 16)) {
		*weak = true;
		return "oops";
	}
	return NULL;
}

static const char *
panic_kind(const char *msg)
{
	if (strstr(msg, "sysrq triggered crash"))
		return "sysrq";
	if (strstr(msg, "Out of memory"))
		return "oom";
	if (strstr(msg, "hung_task: blocked tasks"))
		return "hung-task";
	if (strstr(msg, "softlockup: hung tasks"))
		return "soft-lockup";
	if (strstr(msg, "Hard LOCKUP") || strstr(msg, "hardlockup: "))
		return "hard-lockup";
	if (strstr(msg, "RCU Stall"))
		return "rcu-stall";
	if (strstr(msg, "machine check") || strstr(msg, "Machine check"))
		return "mce";
	if (strstr(msg, "panic_on_warn set"))
		return "warn";
	return "panic";
}

/* The first line of a record. */
static void
first_line(const char *rec, char *buf, size_t size)
{
	size_t len = strcspn(rec, "\n");

	while (len && (rec[len - 1] == '\r' || rec[len - 1] == ' '))
		len--;
	snprintf(buf, size, "%.*s", (int)VD_MIN(len, size - 1), rec);
}

/* "CPU: 0 PID: 1 Comm: init ..." and 6.12's "CPU: 0 UID: 0 PID: 1 Comm: init ...". */
static bool
parse_cpu_line(const char *s, struct vd_crash_header *h)
{
	const char *p = strstr(s, "CPU: "), *q;
	int cpu, pid;

	if (!p || p != s)
		return false;
	cpu = atoi(p + 5);
	if (!(q = strstr(p, " PID: ")))
		return false;
	pid = atoi(q + 6);
	if (!(q = strstr(q, " Comm: ")))
		return false;
	q += 7;
	h->cpu = cpu;
	h->pid = pid;
	snprintf(h->comm, sizeof(h->comm), "%.*s", (int)strcspn(q, " "), q);
	return true;
}

/* What the header itself says about the task and the fault address. */
static void
parse_header(const char *s, const char *kind, struct vd_crash_header *h)
{
	const char *p;

	static const char *const prefixes[] = {
		"address: ", "virtual address ", "non-canonical address ",
	};

	for (size_t i = 0; i < VD_ARRAY_SIZE(prefixes); i++) {
		char *end;
		uint64_t v;

		if (!(p = strstr(s, prefixes[i])))
			continue;
		// The number follows the whole prefix: from the prefix's first
		// space on, arm64's "virtual address 0000..." read as hex "add".
		p += strlen(prefixes[i]);
		while (*p == ' ')
			p++;
		if (!isxdigit((unsigned char)*p))
			continue;
		v = strtoull(p, &end, 16);
		if (end != p) {
			h->fault_addr = v;
			h->have_fault_addr = true;
			break;
		}
	}
	if (!strcmp(kind, "warn") && !strncmp(s, "WARNING: CPU: ", 14)) {
		h->cpu = atoi(s + 14);
		if ((p = strstr(s, " PID: ")))
			h->pid = atoi(p + 6);
	}
	if (!strcmp(kind, "hung-task")) {
		/* "INFO: task COMM:PID blocked for more than N seconds." */
		const char *b = strstr(s, " blocked for more than ");
		const char *c = s + 11, *colon = NULL;

		for (const char *x = c; x < b; x++)
			if (*x == ':')
				colon = x;
		if (colon) {
			snprintf(h->comm, sizeof(h->comm), "%.*s",
				 (int)VD_MIN((size_t)(colon - c), sizeof(h->comm) - 1), c);
			h->pid = atoi(colon + 1);
		}
	}
	if (!strcmp(kind, "soft-lockup")) {
		/* "watchdog: BUG: soft lockup - CPU#N stuck for Ns! [COMM:PID]" */
		const char *cpu = strstr(s, "CPU#"), *lb = strrchr(s, '['), *colon;

		if (cpu)
			h->cpu = atoi(cpu + 4);
		if (lb && (colon = strrchr(lb, ':'))) {
			snprintf(h->comm, sizeof(h->comm), "%.*s",
				 (int)VD_MIN((size_t)(colon - lb - 1), sizeof(h->comm) - 1), lb + 1);
			h->pid = atoi(colon + 1);
		}
	}
}

void
vd_triage_classify(const char *const *records, size_t n, struct vd_crash_header *ret)
{
	struct vd_crash_header h = { .kind = "unknown", .pid = -1, .cpu = -1 };
	char line[512];
	size_t panic_at = n, hdr_at = n;
	bool weak = false;

	for (size_t i = n; i-- > 0;) {
		first_line(records[i], line, sizeof(line));
		if (!strncmp(line, panic_prefix, sizeof(panic_prefix) - 1)) {
			panic_at = i;
			snprintf(h.panic, sizeof(h.panic), "%s", line);
			break;
		}
	}
	/*
	 * The nearest header before the panic (before the log's end without
	 * one), at most 300 records before it; an "Oops" line gives way to a
	 * specific header up to 40 records before it.  A panic whose message
	 * names its own kind (sysrq, OOM, hung task, ...) takes only a header
	 * of that kind.
	 */
	{
		const char *want = NULL;

		if (panic_at < n) {
			want = panic_kind(h.panic + sizeof(panic_prefix) - 1);
			if (!strcmp(want, "panic"))
				want = NULL;
		}
		for (size_t i = panic_at; i-- > 0 && panic_at - i <= 300;) {
			const char *k;
			bool w;

			first_line(records[i], line, sizeof(line));
			if (!strncmp(line, panic_prefix, sizeof(panic_prefix) - 1))
				break;            /* an earlier panic: another episode */
			k = header_kind(line, &w);
			if (!k || (want && strcmp(k, want)))
				continue;
			if (hdr_at == n) {
				hdr_at = i;
				weak = w;
				h.kind = k;
				if (!w)
					break;
				continue;
			}
			if (!w) {
				hdr_at = i;
				h.kind = k;
				weak = false;
				break;
			}
			if (hdr_at - i > 40)
				break;
		}
	}
	(void)weak;
	if (hdr_at < n) {
		first_line(records[hdr_at], line, sizeof(line));
		snprintf(h.message, sizeof(h.message), "%s", line);
		h.header_seq = hdr_at;
		parse_header(line, h.kind, &h);
		/* The "CPU: N PID: N Comm: X" line of its register dump. */
		if (h.pid < 0 || !h.comm[0] || h.cpu < 0) {
			struct vd_crash_header c = h;

			for (size_t i = hdr_at + 1; i < n && i <= hdr_at + 80; i++) {
				first_line(records[i], line, sizeof(line));
				if (parse_cpu_line(line, &c)) {
					if (h.pid < 0 || !h.comm[0]) {
						h.pid = c.pid;
						snprintf(h.comm, sizeof(h.comm), "%s", c.comm);
					}
					if (h.cpu < 0)
						h.cpu = c.cpu;
					break;
				}
			}
		}
		/* A panic with a kind of its own outranks an unrelated header. */
		if (panic_at < n && !strcmp(h.kind, "oops")) {
			const char *pk = panic_kind(h.panic + sizeof(panic_prefix) - 1);

			if (strcmp(pk, "panic"))
				h.kind = pk;
		}
	} else if (panic_at < n) {
		h.kind = panic_kind(h.panic + sizeof(panic_prefix) - 1);
		snprintf(h.message, sizeof(h.message), "%s", h.panic);
		h.header_seq = panic_at;
		for (size_t i = panic_at + 1; i < n && i <= panic_at + 10; i++) {
			first_line(records[i], line, sizeof(line));
			if (parse_cpu_line(line, &h))
				break;
		}
	}
	*ret = h;
}
