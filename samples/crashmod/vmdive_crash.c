// SPDX-License-Identifier: GPL-2.0
/*
 * vmdive_crash: crashes of other kinds than sysrq-c, for vmdive's bt tests
 * (tests/real/bt_check.py): the panic happens
 *   mode=null     in this module's own function (a NULL dereference from a
 *                 write to /sys/kernel/vmdive_crash/trigger: oops=panic);
 *   mode=timer    in interrupt context (a timer callback calls panic());
 *   mode=hung     on a sleeping path (a kthread sleeps uninterruptibly, and
 *                 the kernel's hung-task detector panics: boot with
 *                 hung_task_panic=1 hung_task_timeout_secs=2).
 * bt must name this module's frames "func+off [vmdive_crash]" (ORC from
 * mod->arch), cross the IRQ stack for the timer, and find the hung task
 * in D state with its stack.  Loaded with `insmod vmdive_crash.ko mode=...`;
 * the trigger for null and timer is a write of 1 to
 * /sys/kernel/vmdive_crash/trigger.
 */
#include <linux/delay.h>
#include <linux/kobject.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/timer.h>

static char *mode = "null";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "null, timer or hung");

struct vmdive_victim {
	unsigned long magic;
	int *ptr;
};

static struct timer_list vmdive_timer;
static struct kobject *vmdive_kobj;
static struct task_struct *vmdive_hung;

/* noinline: each is a frame of its own in the trace bt must show. */
static noinline int vmdive_crash_deref(struct vmdive_victim *v)
{
	return *v->ptr + (int)v->magic;
}

static noinline int vmdive_crash_null(void)
{
	struct vmdive_victim *v = NULL;

	pr_emerg("vmdive_crash: NULL dereference in a module\n");
	return vmdive_crash_deref(v);
}

static noinline void vmdive_crash_timer_fn(struct timer_list *t)
{
	panic("vmdive_crash: panic from a timer callback");
}

static noinline int vmdive_crash_hung_fn(void *arg)
{
	/* Uninterruptible, forever: the hung-task detector's D-state task. */
	set_current_state(TASK_UNINTERRUPTIBLE);
	schedule();
	return 0;
}

static ssize_t trigger_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	if (!strcmp(mode, "null"))
		return vmdive_crash_null();
	if (!strcmp(mode, "timer")) {
		mod_timer(&vmdive_timer, jiffies + 1);
		return count;
	}
	return -EINVAL;
}

static struct kobj_attribute trigger_attr = __ATTR_WO(trigger);

static int __init vmdive_crash_init(void)
{
	int err;

	timer_setup(&vmdive_timer, vmdive_crash_timer_fn, 0);
	if (!strcmp(mode, "hung")) {
		vmdive_hung = kthread_run(vmdive_crash_hung_fn, NULL, "vd-hung");
		return PTR_ERR_OR_ZERO(vmdive_hung);
	}
	vmdive_kobj = kobject_create_and_add("vmdive_crash", kernel_kobj);
	if (!vmdive_kobj)
		return -ENOMEM;
	err = sysfs_create_file(vmdive_kobj, &trigger_attr.attr);
	if (err)
		kobject_put(vmdive_kobj);
	return err;
}

static void __exit vmdive_crash_exit(void)
{
	del_timer_sync(&vmdive_timer);
	if (vmdive_kobj)
		kobject_put(vmdive_kobj);
}

module_init(vmdive_crash_init);
module_exit(vmdive_crash_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmdive test crashes: in a module, in a timer, a hung task");
