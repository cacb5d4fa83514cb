// SPDX-License-Identifier: MIT
/*
 * The types of the global variables people print, for dumps without a
 * vmlinux: the BTF the kernel keeps describes types and per-CPU variables,
 * not ordinary globals, so `p jiffies` needs to know that jiffies is an
 * unsigned long.  DWARF, when given, always wins over this table.
 *
 * Each entry names the type as C does; the type itself (its size, members)
 * then comes from the dump's BTF, so a struct that changed between kernels
 * is read as the dumped kernel laid it out.  Variables that were renamed or
 * removed are found by presence: an entry whose symbol the dump lacks is
 * never used, and where a variable's type changed under the same name
 * the entry says so and why the reading is still right.
 * An entry of one architecture is used on that architecture's dumps only:
 * the same name is another variable elsewhere (boot_cpu_data is a struct
 * cpuinfo_arm64 on arm64; arm64's DWARF has a vmemmap_base, the KVM nVHE
 * hypervisor's void *, whose symbol is __kvm_nvhe_vmemmap_base).
 * tests/real/print_check.py checks every entry a sample kernel has against
 * its vmlinux's DWARF, on x86_64 and arm64.
 */
#include "common/util.h"
#include "vmdive/expr.h"

const struct vd_global_type vd_global_types[] = {
	/* time */
	{ "jiffies", "unsigned long", "volatile; an alias of jiffies_64 on 64-bit", VD_ARCH_UNKNOWN },
	{ "jiffies_64", "u64", NULL, VD_ARCH_UNKNOWN },
	{ "loops_per_jiffy", "unsigned long", NULL, VD_ARCH_UNKNOWN },
	{ "avenrun", "unsigned long [3]", NULL, VD_ARCH_UNKNOWN },
	/* tasks, namespaces */
	{ "init_task", "struct task_struct", NULL, VD_ARCH_UNKNOWN },
	{ "init_mm", "struct mm_struct", NULL, VD_ARCH_UNKNOWN },
	{ "init_nsproxy", "struct nsproxy", NULL, VD_ARCH_UNKNOWN },
	{ "init_uts_ns", "struct uts_namespace", NULL, VD_ARCH_UNKNOWN },
	{ "init_pid_ns", "struct pid_namespace", NULL, VD_ARCH_UNKNOWN },
	{ "init_net", "struct net", NULL, VD_ARCH_UNKNOWN },
	{ "init_cred", "struct cred", NULL, VD_ARCH_UNKNOWN },
	{ "init_fs", "struct fs_struct", NULL, VD_ARCH_UNKNOWN },
	{ "init_files", "struct files_struct", NULL, VD_ARCH_UNKNOWN },
	{ "nr_threads", "int", NULL, VD_ARCH_UNKNOWN },
	{ "total_forks", "unsigned long", NULL, VD_ARCH_UNKNOWN },
	{ "max_threads", "int", NULL, VD_ARCH_UNKNOWN },
	{ "pid_max", "int", NULL, VD_ARCH_UNKNOWN },
	/* panic state */
	{ "panic_cpu", "atomic_t",
	  "4.5+ (1717f2096b54 \"panic, x86: Fix re-entrance problem due to panic on NMI\")", VD_ARCH_UNKNOWN },
	{ "panic_on_oops", "int", NULL, VD_ARCH_UNKNOWN },
	{ "panic_timeout", "int", NULL, VD_ARCH_UNKNOWN },
	{ "oops_in_progress", "int", NULL, VD_ARCH_UNKNOWN },
	{ "tainted_mask", "unsigned long", NULL, VD_ARCH_UNKNOWN },
	{ "system_state", "enum system_states", NULL, VD_ARCH_UNKNOWN },
	{ "crash_kexec_post_notifiers", "bool", NULL, VD_ARCH_UNKNOWN },
	{ "panic_notifier_list", "struct atomic_notifier_head", NULL, VD_ARCH_UNKNOWN },
	/* command line, banner */
	{ "saved_command_line", "char *", NULL, VD_ARCH_UNKNOWN },
	{ "boot_command_line", "char []", "COMMAND_LINE_SIZE bytes, by arch", VD_ARCH_UNKNOWN },
	{ "linux_banner", "char []", "const", VD_ARCH_UNKNOWN },
	/* memory */
	{ "_totalram_pages", "atomic_long_t",
	  "5.0+: ca79b0c211af \"mm: convert totalram_pages and totalhigh_pages "
	  "variables to atomic\" renamed totalram_pages (unsigned long) to this", VD_ARCH_UNKNOWN },
	{ "totalram_pages", "unsigned long",
	  "before 5.0; since, an inline function (see _totalram_pages)", VD_ARCH_UNKNOWN },
	{ "totalreserve_pages", "unsigned long", NULL, VD_ARCH_UNKNOWN },
	{ "totalcma_pages", "unsigned long", NULL, VD_ARCH_UNKNOWN },
	{ "nr_swap_pages", "atomic_long_t", NULL, VD_ARCH_UNKNOWN },
	{ "max_pfn", "unsigned long", NULL, VD_ARCH_UNKNOWN },
	{ "max_low_pfn", "unsigned long", NULL, VD_ARCH_UNKNOWN },
	{ "min_low_pfn", "unsigned long", NULL, VD_ARCH_UNKNOWN },
	{ "high_memory", "void *", NULL, VD_ARCH_UNKNOWN },
	{ "mem_section", "struct mem_section **", "CONFIG_SPARSEMEM_EXTREME", VD_ARCH_UNKNOWN },
	{ "vm_zone_stat", "atomic_long_t []", "NR_VM_ZONE_STAT_ITEMS, by config", VD_ARCH_UNKNOWN },
	{ "vm_node_stat", "atomic_long_t []", "NR_VM_NODE_STAT_ITEMS, by config", VD_ARCH_UNKNOWN },
	{ "page_offset_base", "unsigned long", "x86_64", VD_ARCH_X86_64 },
	{ "vmalloc_base", "unsigned long", "x86_64", VD_ARCH_X86_64 },
	{ "vmemmap_base", "unsigned long", "x86_64", VD_ARCH_X86_64 },
	{ "phys_base", "unsigned long", "x86_64, defined in head_64.S: no DWARF", VD_ARCH_X86_64 },
	{ "memstart_addr", "s64", "arm64", VD_ARCH_AARCH64 },
	{ "kimage_voffset", "u64", "arm64", VD_ARCH_AARCH64 },
	/* lists people walk */
	{ "modules", "struct list_head", NULL, VD_ARCH_UNKNOWN },
	{ "slab_caches", "struct list_head", NULL, VD_ARCH_UNKNOWN },
	{ "super_blocks", "struct list_head", NULL, VD_ARCH_UNKNOWN },
	{ "vmap_area_list", "struct list_head",
	  "until 6.9: 55c49fee57af \"mm/vmalloc: remove vmap_area_list\"", VD_ARCH_UNKNOWN },
	{ "mmlist", "struct list_head", NULL, VD_ARCH_UNKNOWN },
	/* CPUs */
	{ "nr_cpu_ids", "unsigned int",
	  "int before 4.15 (9b130ad5bb82 \"treewide: make \\\"nr_cpu_ids\\\" unsigned\"); "
	  "the values are the same", VD_ARCH_UNKNOWN },
	{ "__cpu_online_mask", "struct cpumask", "4.5+; cpu_online_mask is a macro for it", VD_ARCH_UNKNOWN },
	{ "__cpu_possible_mask", "struct cpumask", NULL, VD_ARCH_UNKNOWN },
	{ "__cpu_present_mask", "struct cpumask", NULL, VD_ARCH_UNKNOWN },
	{ "__per_cpu_offset", "unsigned long []", "NR_CPUS", VD_ARCH_UNKNOWN },
	{ "nr_irqs", "int", NULL, VD_ARCH_UNKNOWN },
	{ "tsc_khz", "unsigned int", "x86", VD_ARCH_X86_64 },
	{ "cpu_khz", "unsigned int", "x86", VD_ARCH_X86_64 },
	{ "boot_cpu_data", "struct cpuinfo_x86", "x86", VD_ARCH_X86_64 },
	/* log */
	{ "prb", "struct printk_ringbuffer *", "5.10+ (lockless printk ring buffer)", VD_ARCH_UNKNOWN },
	{ "console_printk", "int [4]", NULL, VD_ARCH_UNKNOWN },
	{ "dmesg_restrict", "int", NULL, VD_ARCH_UNKNOWN },
	{ "kptr_restrict", "int", NULL, VD_ARCH_UNKNOWN },
	/* misc */
	{ "system_wq", "struct workqueue_struct *", NULL, VD_ARCH_UNKNOWN },
	{ "reboot_mode", "enum reboot_mode", NULL, VD_ARCH_UNKNOWN },
	{ "sysctl_panic_on_oom", "int", NULL, VD_ARCH_UNKNOWN },
	{ "zero_pfn", "unsigned long", NULL, VD_ARCH_UNKNOWN },
};

const size_t vd_nglobal_types = VD_ARRAY_SIZE(vd_global_types);
