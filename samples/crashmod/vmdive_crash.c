// SPDX-License-Identifier: GPL-2.0
/*
 * vmdive_crash: crashes of other kinds than sysrq-c, for vmdive's bt and
 * triage tests (tests/real/bt_check.py).  Loaded with
 * `insmod vmdive_crash.ko mode=MODE [cpu=N]`; the panic happens
 *   mode=null        in this module's own function: a NULL dereference
 *                    (boot with oops=panic);
 *   mode=bug         BUG() in this module's function (oops=panic);
 *   mode=warn        WARN_ON() in this module's function (boot with
 *                    panic_on_warn=1);
 *   mode=timer       in interrupt context: a timer callback calls panic()
 *                    while the writer waits for it in this module;
 *   mode=oom         the writer allocates pages until the OOM killer runs
 *                    (boot with panic_on_oom=1);
 *   mode=hung        a kthread "vd-hung" sleeps uninterruptibly forever and
 *                    the hung-task detector panics (boot with
 *                    hung_task_panic=1 and a hung_task_timeout_secs of 2);
 *   mode=softlockup  a kthread "vd-spin" bound to CPU cpu= spins with
 *                    preemption disabled and the soft-lockup detector panics
 *                    from its timer interrupt (boot with softlockup_panic=1
 *                    watchdog_thresh=1);
 *   mode=gpf         this module's function loads from a non-canonical
 *                    address (x86_64: a general protection fault, not a page
 *                    fault; boot with oops=panic);
 *   mode=rcu         a kthread "vd-rcu" bound to CPU cpu= spins inside an RCU
 *                    read-side critical section with preemption disabled and
 *                    interrupts enabled: the CPU never reports a quiescent
 *                    state, its own tick detects the stall and panics (boot
 *                    with sysctl.kernel.panic_on_rcu_stall=1 and a short
 *                    rcupdate.rcu_cpu_stall_timeout);
 *   mode=mce         the writer waits in this module, interrupts enabled, for
 *                    a machine check that the host injects (QEMU's monitor
 *                    command mce, see samples/make-dumps.sh) on its CPU.
 * Nothing happens at load: each mode starts on a write of 1 to
 * /sys/kernel/vmdive_crash/trigger, the first five in the writer's context
 * (the timer is armed on the writer's CPU), so the module is listed in
 * /proc/modules before anything dies.
 * bt must name this module's frames "func+off [vmdive_crash]" (ORC from
 * mod->arch on x86_64), cross the IRQ stack for timer and softlockup, and
 * find the hung task in D state with its stack.
 */
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/kobject.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/timer.h>

static char *mode = "null";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "null, bug, warn, timer, oom, hung, softlockup, gpf, rcu or mce");
static int cpu;
module_param(cpu, int, 0444);
MODULE_PARM_DESC(cpu, "the CPU the softlockup or rcu kthread spins on");

struct vmdive_victim {
	unsigned long magic;
	int *ptr;
};

static struct timer_list vmdive_timer;
static struct kobject *vmdive_kobj;
static struct task_struct *vmdive_thread;
static LIST_HEAD(vmdive_pages);
static volatile unsigned long vmdive_spins;
/* LIST_POISON1's value: non-canonical on x86_64 (bits 63..47 not all
 * equal), so the load raises #GP, whose handler has no fault address and
 * says "probably for non-canonical address". Read through READ_ONCE so
 * the compiler sees no constant bad pointer. */
static unsigned long vmdive_bad_address = 0xdead000000000100UL;
static struct rcu_head vmdive_rcu_head;

/* noinline: each is a frame of its own in the trace bt must show. */
static noinline int vmdive_crash_deref(struct vmdive_victim *v)
{
	return *v->ptr + (int)v->magic;
}

static noinline int vmdive_crash_null(void)
{
	struct vmdive_victim *v = NULL;

	pr_emerg("vmdive_crash: NULL dereference in a module\n");
	/* Not a tail call: this function stays a frame of the trace. */
	return vmdive_crash_deref(v) + 1;
}

static noinline int vmdive_crash_bug(void)
{
	pr_emerg("vmdive_crash: BUG() in a module\n");
	BUG();
	return 0;
}

static noinline int vmdive_crash_warn(void)
{
	pr_emerg("vmdive_crash: WARN_ON() in a module\n");
	return WARN_ON(vmdive_kobj != NULL) ? -EIO : 0;
}

static noinline void vmdive_crash_timer_fn(struct timer_list *t)
{
	panic("vmdive_crash: panic from a timer callback");
}

/* The writer waits in the kernel, interrupts enabled, for the timer: its
 * interrupt then comes from kernel mode and runs on the IRQ stack, and the
 * interrupted pc is in this module (a pt_regs frame in module text). */
static noinline int vmdive_crash_timer_wait(void)
{
	mod_timer(&vmdive_timer, jiffies + 1);
	for (;;) {
		vmdive_spins++;
		cpu_relax();
	}
	return 0;
}

/* Pages are kept on a list (page->lru) so nothing can free them; order 0
 * GFP_KERNEL never fails without the OOM killer having been called first. */
static noinline int vmdive_crash_oom(void)
{
	unsigned long n;

	pr_emerg("vmdive_crash: allocating until out of memory\n");
	for (n = 0;; n++) {
		struct page *p = alloc_page(GFP_KERNEL);

		if (!p)
			return -ENOMEM;
		list_add(&p->lru, &vmdive_pages);
		if (!(n & 1023))
			cond_resched();
	}
}

static noinline int vmdive_crash_hung_fn(void *arg)
{
	/* Uninterruptible, forever: the hung-task detector's D-state task. */
	set_current_state(TASK_UNINTERRUPTIBLE);
	schedule();
	return 0;
}

static noinline int vmdive_crash_spin_fn(void *arg)
{
	/* Never schedules: the CPU's watchdog thread cannot run, the
	 * soft-lockup detector's hrtimer sees its timestamp go stale. */
	preempt_disable();
	for (;;) {
		vmdive_spins++;
		cpu_relax();
	}
	return 0;
}

static noinline int vmdive_crash_gpf(void)
{
	pr_emerg("vmdive_crash: load from a non-canonical address\n");
	/* The + 1 keeps the load inside this function's own frame. */
	return *(volatile int *)READ_ONCE(vmdive_bad_address) + 1;
}

static void vmdive_rcu_cb(struct rcu_head *head)
{
}

static noinline int vmdive_crash_rcu_fn(void *arg)
{
	/*
	 * A reader that never leaves, with preemption off: under preemptible
	 * RCU the tick reports no quiescent state for a CPU with preemption
	 * disabled, so the grace period the callback below waits for never
	 * ends.  Interrupts stay on: the CPU's own tick self-detects the stall
	 * and panics here, in this task.
	 */
	rcu_read_lock();
	preempt_disable();
	call_rcu(&vmdive_rcu_head, vmdive_rcu_cb);
	for (;;) {
		vmdive_spins++;
		cpu_relax();
	}
	preempt_enable();
	rcu_read_unlock();
	return 0;
}

/* The writer waits here, in module text with interrupts on, for the #MC
 * the host injects: the exception's pt_regs frame is this function. */
static noinline int vmdive_crash_mce_wait(void)
{
	/* The kernel's MCE panic prints no stack trace and names no task:
	 * this line does, for the tests. */
	pr_emerg("vmdive_crash: %s:%d waiting for a machine check on CPU %d\n",
		 current->comm, task_pid_nr(current), raw_smp_processor_id());
	for (;;) {
		vmdive_spins++;
		cpu_relax();
	}
	return 0;
}

static int vmdive_start_bound(int (*fn)(void *), const char *name)
{
	if (cpu < 0 || cpu >= nr_cpu_ids || !cpu_online(cpu))
		return -EINVAL;
	vmdive_thread = kthread_create(fn, NULL, "%s", name);
	if (IS_ERR(vmdive_thread))
		return PTR_ERR(vmdive_thread);
	kthread_bind(vmdive_thread, cpu);
	wake_up_process(vmdive_thread);
	return 0;
}

static ssize_t trigger_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	if (!strcmp(mode, "null"))
		return vmdive_crash_null();
	if (!strcmp(mode, "bug"))
		return vmdive_crash_bug();
	if (!strcmp(mode, "warn"))
		return vmdive_crash_warn() ?: count;
	if (!strcmp(mode, "oom"))
		return vmdive_crash_oom();
	if (!strcmp(mode, "timer"))
		return vmdive_crash_timer_wait();
	if (!strcmp(mode, "gpf"))
		return vmdive_crash_gpf();
	if (!strcmp(mode, "mce"))
		return vmdive_crash_mce_wait();
	if (vmdive_thread)
		return -EBUSY;
	if (!strcmp(mode, "hung")) {
		vmdive_thread = kthread_run(vmdive_crash_hung_fn, NULL, "vd-hung");
		return IS_ERR(vmdive_thread) ? PTR_ERR(vmdive_thread) : count;
	}
	if (!strcmp(mode, "softlockup") || !strcmp(mode, "rcu")) {
		int err = strcmp(mode, "rcu") ?
			vmdive_start_bound(vmdive_crash_spin_fn, "vd-spin") :
			vmdive_start_bound(vmdive_crash_rcu_fn, "vd-rcu");

		return err ?: count;
	}
	return -EINVAL;
}

static struct kobj_attribute trigger_attr = __ATTR_WO(trigger);

static int __init vmdive_crash_init(void)
{
	int err;

	timer_setup(&vmdive_timer, vmdive_crash_timer_fn, 0);
	if (strcmp(mode, "null") && strcmp(mode, "bug") && strcmp(mode, "warn") &&
	    strcmp(mode, "oom") && strcmp(mode, "timer") && strcmp(mode, "hung") &&
	    strcmp(mode, "softlockup") && strcmp(mode, "gpf") && strcmp(mode, "rcu") &&
	    strcmp(mode, "mce"))
		return -EINVAL;
	vmdive_kobj = kobject_create_and_add("vmdive_crash", kernel_kobj);
	if (!vmdive_kobj)
		return -ENOMEM;
	err = sysfs_create_file(vmdive_kobj, &trigger_attr.attr);
	if (err)
		kobject_put(vmdive_kobj);
	return err;
}

/* Unloadable until triggered (a hung or spinning kthread would run freed code). */
static void __exit vmdive_crash_exit(void)
{
	struct page *p, *n;

	del_timer_sync(&vmdive_timer);
	if (vmdive_kobj)
		kobject_put(vmdive_kobj);
	list_for_each_entry_safe(p, n, &vmdive_pages, lru)
		__free_page(p);
}

module_init(vmdive_crash_init);
module_exit(vmdive_crash_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmdive test crashes: in a module, in a timer, a hung task, a soft lockup, OOM, a GPF, an RCU stall, a machine check");
