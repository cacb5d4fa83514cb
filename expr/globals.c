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
 * tests/real/test_expr.sh checks every entry a sample kernel has against
 * its vmlinux's DWARF.
 */
#include "common/util.h"
#include "vmdive/expr.h"

const struct vd_global_type vd_global_types[] = {
	/* time */
	{ "jiffies", "unsigned long", "volatile; an alias of jiffies_64 on 64-bit" },
	{ "jiffies_64", "u64", NULL },
	{ "loops_per_jiffy", "unsigned long", NULL },
	{ "avenrun", "unsigned long [3]", NULL },
	/* tasks, namespaces */
	{ "init_task", "struct task_struct", NULL },
	{ "init_mm", "struct mm_struct", NULL },
	{ "init_nsproxy", "struct nsproxy", NULL },
	{ "init_uts_ns", "struct uts_namespace", NULL },
	{ "init_pid_ns", "struct pid_namespace", NULL },
	{ "init_net", "struct net", NULL },
	{ "init_cred", "struct cred", NULL },
	{ "init_fs", "struct fs_struct", NULL },
	{ "init_files", "struct files_struct", NULL },
	{ "nr_threads", "int", NULL },
	{ "total_forks", "unsigned long", NULL },
	{ "max_threads", "int", NULL },
	{ "pid_max", "int", NULL },
	/* panic state */
	{ "panic_cpu", "atomic_t",
	  "4.5+ (1717f2096b54 \"panic, x86: Fix re-entrance problem due to panic on NMI\")" },
	{ "panic_on_oops", "int", NULL },
	{ "panic_timeout", "int", NULL },
	{ "oops_in_progress", "int", NULL },
	{ "tainted_mask", "unsigned long", NULL },
	{ "system_state", "enum system_states", NULL },
	{ "crash_kexec_post_notifiers", "bool", NULL },
	{ "panic_notifier_list", "struct atomic_notifier_head", NULL },
	/* command line, banner */
	{ "saved_command_line", "char *", NULL },
	{ "boot_command_line", "char []", "COMMAND_LINE_SIZE bytes, by arch" },
	{ "linux_banner", "char []", "const" },
	/* memory */
	{ "_totalram_pages", "atomic_long_t",
	  "5.0+: ca79b0c211af \"mm: convert totalram_pages and totalhigh_pages "
	  "variables to atomic\" renamed totalram_pages (unsigned long) to this" },
	{ "totalram_pages", "unsigned long",
	  "before 5.0; since, an inline function (see _totalram_pages)" },
	{ "totalreserve_pages", "unsigned long", NULL },
	{ "totalcma_pages", "unsigned long", NULL },
	{ "nr_swap_pages", "atomic_long_t", NULL },
	{ "max_pfn", "unsigned long", NULL },
	{ "max_low_pfn", "unsigned long", NULL },
	{ "min_low_pfn", "unsigned long", NULL },
	{ "high_memory", "void *", NULL },
	{ "mem_section", "struct mem_section **", "CONFIG_SPARSEMEM_EXTREME" },
	{ "vm_zone_stat", "atomic_long_t []", "NR_VM_ZONE_STAT_ITEMS, by config" },
	{ "vm_node_stat", "atomic_long_t []", "NR_VM_NODE_STAT_ITEMS, by config" },
	{ "page_offset_base", "unsigned long", "x86_64" },
	{ "vmalloc_base", "unsigned long", "x86_64" },
	{ "vmemmap_base", "unsigned long", "x86_64" },
	{ "phys_base", "unsigned long", "x86_64, defined in head_64.S: no DWARF" },
	{ "memstart_addr", "s64", "arm64" },
	{ "kimage_voffset", "u64", "arm64" },
	/* lists people walk */
	{ "modules", "struct list_head", NULL },
	{ "slab_caches", "struct list_head", NULL },
	{ "super_blocks", "struct list_head", NULL },
	{ "vmap_area_list", "struct list_head",
	  "until 6.9: 55c49fee57af \"mm/vmalloc: remove vmap_area_list\"" },
	{ "mmlist", "struct list_head", NULL },
	/* CPUs */
	{ "nr_cpu_ids", "unsigned int",
	  "int before 4.15 (9b130ad5bb82 \"treewide: make \\\"nr_cpu_ids\\\" unsigned\"); "
	  "the values are the same" },
	{ "__cpu_online_mask", "struct cpumask", "4.5+; cpu_online_mask is a macro for it" },
	{ "__cpu_possible_mask", "struct cpumask", NULL },
	{ "__cpu_present_mask", "struct cpumask", NULL },
	{ "__per_cpu_offset", "unsigned long []", "NR_CPUS" },
	{ "nr_irqs", "int", NULL },
	{ "tsc_khz", "unsigned int", "x86" },
	{ "cpu_khz", "unsigned int", "x86" },
	{ "boot_cpu_data", "struct cpuinfo_x86", "x86" },
	/* log */
	{ "prb", "struct printk_ringbuffer *", "5.10+ (lockless printk ring buffer)" },
	{ "console_printk", "int [4]", NULL },
	{ "dmesg_restrict", "int", NULL },
	{ "kptr_restrict", "int", NULL },
	/* misc */
	{ "system_wq", "struct workqueue_struct *", NULL },
	{ "reboot_mode", "enum reboot_mode", NULL },
	{ "sysctl_panic_on_oom", "int", NULL },
	{ "zero_pfn", "unsigned long", NULL },
};

const size_t vd_nglobal_types = VD_ARRAY_SIZE(vd_global_types);
