// SPDX-License-Identifier: MIT
/* The command table: one entry per command, help text as data. */
#include "cli.h"
#include "common/util.h"

/* Each command's own options (every command also takes vd_common_opts). */
static const struct vd_opt rd_opts[] = {
	{ .id = VD_OPT_PHYSICAL, .short_name = 'p', .long_name = "physical",
	  .help = "ADDR is a physical address" },
	{ .id = VD_OPT_OUTPUT, .short_name = 'o', .long_name = "output", .arg = "FILE",
	  .help = "write the raw bytes to FILE; unreadable pages\n"
	  "are written as zeros (holes in a regular FILE)\n"
	  "and reported" },
	{ .id = VD_OPT_LEN, .short_name = 'n', .long_name = "len", .arg = "LEN",
	  .help = "read LEN bytes at each of several addresses" },
	{ .id = VD_OPT_W8,
	  .help = "bytes, as crash's rd -8 (COUNT values)", .word = "-8" },
	{ .id = VD_OPT_W16,
	  .help = "16-bit values (COUNT of them)", .word = "-16" },
	{ .id = VD_OPT_W32,
	  .help = "32-bit values", .word = "-32" },
	{ .id = VD_OPT_W64,
	  .help = "64-bit values", .word = "-64" },
	{ .id = VD_OPT_SYMBOLIC, .short_name = 's', .long_name = "symbols",
	  .help = "64-bit values, a kernel symbol's name+offset where\n"
	  "one contains the value (crash's rd -s)" },
	{ .id = VD_OPT_SLAB_NAMES, .short_name = 'S', .long_name = "slab",
	  .help = "as -s, and a value in a slab object as its cache's\n"
		  "name, [kmalloc-64] (crash's rd -S)" },
	{ .id = VD_OPT_SLAB_NAMES2,
	  .help = "as -S, with the value: [ffff8880...:kmalloc-64]\n"
		  "(crash's rd -SS)", .word = "-SS" },
	{ .id = VD_OPT_ASCII, .short_name = 'a', .long_name = "ascii",
	  .help = "a NUL-terminated string, 60 characters a line\n"
	  "(crash's rd -a); COUNT bounds it (default 4096)" },
	{ .id = VD_OPT_END_ADDR, .short_name = 'e', .long_name = "end", .arg = "END",
	  .help = "read up to END (an expression), not COUNT" },
	{ .id = VD_OPT_USER, .short_name = 'u', .arg = "PID",
	  .help = "in a kernel dump: ADDR is a user address of process\n"
		  "PID, read through its own page tables" },
	{ 0 },
};

static const struct vd_opt vtop_opts[] = {
	{ .id = VD_OPT_USER, .short_name = 'u', .arg = "PID",
	  .help = "user addresses of process PID (its mm->pgd)" },
	{ 0 },
};

static const struct vd_opt sym_opts[] = {
	{ .id = VD_OPT_LIST, .short_name = 'l', .long_name = "list",
	  .help = "list every symbol: address, type, name" },
	{ 0 },
};

static const struct vd_opt dump_module_opts[] = {
	{ .id = VD_OPT_OUTPUT, .short_name = 'o', .long_name = "output", .arg = "FILE",
	  .help = "where to write (required)" },
	{ .id = VD_OPT_RAW, .long_name = "raw",
	  .help = "plain region bytes instead of ELF" },
	{ .id = VD_OPT_ZERO_FILL, .long_name = "zero-fill",
	  .help = "write pages the dump lacks as zeros" },
	{ 0 },
};

static const struct vd_opt vmalloc_opts[] = {
	{ .id = VD_OPT_VERBOSE, .short_name = 'v', .long_name = "verbose",
	  .help = "every page's physical address" },
	{ 0 },
};

static const struct vd_opt dump_vmalloc_opts[] = {
	{ .id = VD_OPT_OUTPUT, .short_name = 'o', .long_name = "output", .arg = "FILE",
	  .help = "where to write (required)" },
	{ .id = VD_OPT_ZERO_FILL, .long_name = "zero-fill",
	  .help = "write pages the dump lacks as zeros" },
	{ 0 },
};

static const struct vd_opt ps_opts[] = {
	{ .id = VD_OPT_THREADS, .short_name = 't', .long_name = "threads",
	  .help = "every thread, not only thread-group leaders" },
	{ .id = VD_OPT_PS_ARGS, .short_name = 'a',
	  .help = "each process's command line and environment, read\n"
		  "from its memory (mm->arg_start, mm->env_start)" },
	{ .id = VD_OPT_PS_UNWIND, .long_name = "unwind",
	  .help = "unwind every task's stack and mark with '!' the\n"
		  "ones that cannot be unwound (--json: unwind_error)" },
	{ 0 },
};

static const struct vd_opt bt_opts[] = {
	{ .id = VD_OPT_BT_CPUS, .short_name = 'a',
	  .help = "the task running on each CPU" },
	{ .id = VD_OPT_BT_ALL, .short_name = 'A',
	  .help = "every task (every thread)" },
	{ .id = VD_OPT_GROUP, .long_name = "group",
	  .help = "with -A or -a: identical stacks once, with counts" },
	{ .id = VD_OPT_BT_WORDS, .short_name = 'f',
	  .help = "the stack words of each frame, symbolized" },
	{ .id = VD_OPT_BT_REGS, .short_name = 'r',
	  .help = "the registers at each exception frame (and the\n"
		  "CPU's registers at frame 0 of a running task)" },
	{ .id = VD_OPT_BT_LINES, .short_name = 'l',
	  .help = "each kernel frame's source file and line, from the\n"
		  "--vmlinux's DWARF line tables (JSON: file, line)" },
	{ 0 },
};

static const struct vd_opt kmem_opts[] = {
	{ .id = VD_OPT_KMEM_INFO, .short_name = 'i',
	  .help = "memory summary and /proc/meminfo" },
	{ .id = VD_OPT_KMEM_CACHES, .short_name = 's',
	  .help = "slab caches (or one cache): kmem -s [NAME]" },
	{ .id = VD_OPT_KMEM_OBJECTS, .short_name = 'S',
	  .help = "the objects of a slab cache: kmem -S NAME" },
	{ .id = VD_OPT_KMEM_PAGES, .short_name = 'p',
	  .help = "struct pages: kmem -p [ADDR...]" },
	{ 0 },
};

static const struct vd_opt gcore_opts[] = {
	{ .id = VD_OPT_OUTPUT, .short_name = 'o', .long_name = "output", .arg = "FILE",
	  .help = "where to write (required)" },
	{ 0 },
};

static const struct vd_opt log_opts[] = {
	{ .id = VD_OPT_NOTIME, .short_name = 't', .long_name = "notime",
	  .help = "no timestamps" },
	{ .id = VD_OPT_CTIME, .short_name = 'T', .long_name = "ctime",
	  .help = "wall-clock timestamps, like crash: boot time is\n"
	  "the timekeeper's clock (tk_core, through the BTF\n"
	  "in the dump or --vmlinux), else CRASHTIME (kexec\n"
	  "dumps), minus the panic record's timestamp; exits\n"
	  "1 when the dump does not tell" },
	{ .id = VD_OPT_LEVEL, .short_name = 'l', .long_name = "level",
	  .help = "the syslog level as <N> before each text" },
	{ .id = VD_OPT_DICT, .short_name = 'd', .long_name = "dict",
	  .help = "SUBSYSTEM= and DEVICE= of dev_printk() records" },
	{ 0 },
};

static const struct vd_opt print_opts[] = {
	{ .id = VD_OPT_HEX, .short_name = 'x', .long_name = "hex",
	  .help = "integers in hexadecimal" },
	{ .id = VD_OPT_DEC, .short_name = 'd', .long_name = "decimal",
	  .help = "integers in decimal (the default)" },
	{ 0 },
};

static const struct vd_opt struct_opts[] = {
	{ .id = VD_OPT_OFFSETS, .short_name = 'o', .long_name = "offsets",
	  .help = "the layout, as crash's struct -o; with ADDR\n"
		  "each member's address instead of its value" },
	{ .id = VD_OPT_HEX, .short_name = 'x', .long_name = "hex",
	  .help = "integer members in hexadecimal" },
	{ .id = VD_OPT_DEC, .short_name = 'd', .long_name = "decimal",
	  .help = "integer members in decimal (the default)" },
	{ 0 },
};

static const struct vd_opt complete_opts[] = {
	{ .id = VD_OPT_NAME_KIND, .long_name = "kind", .arg = "KIND",
	  .help = "struct, union, enum, typedef or any (the default);\n"
		  "several joined by commas" },
	{ 0 },
};

static const struct vd_opt shell_opts[] = {
	{ .id = VD_OPT_SHELL_COMMANDS, .short_name = 'c', .long_name = "commands", .arg = "CMDS",
	  .help = "run the commands ('CMD; CMD; ...') and leave" },
	{ .id = VD_OPT_SHELL_INPUT, .short_name = 'i', .long_name = "input", .arg = "FILE",
	  .help = "run the commands in FILE, one a line ('-': stdin)" },
	{ 0 },
};

static const struct vd_opt dis_opts[] = {
	{ .id = VD_OPT_REVERSE, .short_name = 'r', .long_name = "reverse",
	  .help = "from the start of ADDR's function up to ADDR" },
	{ .id = VD_OPT_FORWARD, .short_name = 'f', .long_name = "forward",
	  .help = "from ADDR to the end of its function" },
	{ .id = VD_OPT_DIS_LINES, .short_name = 'l', .long_name = "lines",
	  .help = "the source file and line before the instructions\n"
		  "of each line, from the --vmlinux's DWARF line tables\n"
		  "(crash's dis -l; JSON: file, line)" },
	{ 0 },
};

static const struct vd_opt list_opts[] = {
	{ .id = VD_OPT_LIST_OFFSET, .short_name = 'o', .long_name = "offset", .arg = "OFF",
	  .help = "the link's offset in an entry: a number or\n"
		  "TYPE.member (task_struct.tasks)" },
	{ .id = VD_OPT_LIST_STRUCT, .short_name = 's', .long_name = "struct", .arg = "TYPE",
	  .help = "print each entry as TYPE, or TYPE.member,member" },
	{ .id = VD_OPT_LIST_HEAD, .short_name = 'H', .long_name = "head",
	  .help = "ADDR is a list_head that is not an entry" },
	{ .id = VD_OPT_LIST_EMBEDDED, .long_name = "embedded",
	  .help = "ADDR is an entry linked by the list_head at OFF\n(crash's -h)" },
	{ .id = VD_OPT_LIST_MAX, .long_name = "max", .arg = "N",
	  .help = "stop after N entries (default 1000000)" },
	{ 0 },
};

static const struct vd_opt search_opts[] = {
	{ .id = VD_OPT_SEARCH_START, .short_name = 's', .long_name = "start", .arg = "START",
	  .help = "where to start (an expression)" },
	{ .id = VD_OPT_END_ADDR, .short_name = 'e', .long_name = "end", .arg = "END",
	  .help = "where to stop (an expression)" },
	{ .id = VD_OPT_SEARCH_LENGTH, .short_name = 'l', .long_name = "length", .arg = "LEN",
	  .help = "search LEN bytes from START" },
	{ .id = VD_OPT_KERNEL, .short_name = 'k', .long_name = "kernel",
	  .help = "kernel virtual memory (the default)" },
	{ .id = VD_OPT_PHYSICAL, .short_name = 'p', .long_name = "physical",
	  .help = "physical memory" },
	{ .id = VD_OPT_SEARCH_MASK, .short_name = 'm', .long_name = "mask", .arg = "MASK",
	  .help = "hex: bits of each value to ignore, as crash" },
	{ .id = VD_OPT_SEARCH_STRINGS, .short_name = 'c', .long_name = "chars",
	  .help = "the arguments are strings" },
	{ .id = VD_OPT_W8, .word = "-8", .help = "8-bit values" },
	{ .id = VD_OPT_W16, .word = "-16", .help = "16-bit values" },
	{ .id = VD_OPT_W32, .word = "-32", .help = "32-bit values (crash's -w)" },
	{ .id = VD_OPT_W32, .short_name = 'w', .help = "32-bit values" },
	{ .id = VD_OPT_W64, .word = "-64", .help = "64-bit values (the default)" },
	{ .id = VD_OPT_LIST_MAX, .long_name = "max", .arg = "N",
	  .help = "stop after N matches (default 10000)" },
	{ 0 },
};
static const struct vd_opt triage_opts[] = {
	{ .id = VD_OPT_JOBS, .short_name = 'j', .long_name = "jobs", .arg = "N",
	  .help = "triage N dumps at a time (processes); the output\n"
		  "keeps the order of the arguments" },
	{ .id = VD_OPT_GROUP, .long_name = "group",
	  .help = "buckets: each signature once, with its count,\n"
		  "kind, title and the dumps in it" },
	{ 0 },
};
const char vd_cli_about[] =
	"vmdive opens Linux kernel crash dumps (ELF vmcores, kdump-compressed\n"
	"files) and process core files (also systemd-coredump's .zst, .lz4,\n"
	".xz) and answers questions about the dead kernel's or process's memory.\n";

const struct vd_cmd vd_commands[] = {
	{
		.name = "info", .run = vd_cmd_info, .needs = VD_NEEDS_DUMP,
		.min_args = 0, .max_args = 0,
		.summary = "what the dump is: format, kernel, CPUs, paging, memory layout",
		.synopsis = "vmdive info [OPTIONS] DUMP [DUMP...]",
		.description =
			"Describes the dump: its format and what the writer recorded, the\n"
			"architecture, the kernel release and build-id, when it crashed, the\n"
			"CPUs, the page size and paging mode, the KASLR offset and phys_base,\n"
			"and the kernel's virtual memory layout with this dump's real bases\n"
			"(randomized bases are found by probing the page tables when no\n"
			"symbols are given).\n"
			"\n"
			"For a process core (an ELF core from the kernel or gdb's gcore, also\n"
			"systemd-coredump's .zst/.lz4/.xz, decompressed at open): the executable,\n"
			"command line, pid and uid, the signal with its code and fault address,\n"
			"every thread's registers (pc symbolized) and register notes, the\n"
			"auxiliary vector, compression and systemd-coredump's user.coredump.*\n"
			"extended attributes.",
		.examples =
			"  vmdive info vmcore\n"
			"  vmdive info --json vmcore | jq .layout\n"
			"  vmdive info dumpfile.1 dumpfile.2 dumpfile.3   # a split set\n"
			"  vmdive info core.myprog.1000.4c1a.4242.1700000000000000.zst\n",
	},
	{
		.name = "vtop", .run = vd_cmd_vtop, .needs = VD_NEEDS_DUMP,
		.min_args = 1, .max_args = -1, .opts = vtop_opts,
		.summary = "translate kernel virtual addresses, showing every page-table level",
		.synopsis = "vmdive vtop [OPTIONS] DUMP VADDR...",
		.description =
			"Walks the kernel page tables of the dump for each address and prints\n"
			"every level: its name, the VA bits its index comes from, the table's\n"
			"physical address, the entry index, the raw entry and its decoded\n"
			"flags; then the physical address and the size of the page that maps it.\n"
			"Levels carry the kernel's names (PGD, P4D, PUD, PMD, PTE; the ones the\n"
			"kernel folds away are left out), on arm64 also the Arm ARM's lookup\n"
			"level (L-1..L3: 16K pages with 52-bit VAs walk PGD=L0 [51:47], PUD=L1,\n"
			"PMD=L2, PTE=L3).  An entry that is not present is named with its level\n"
			"and index.  Addresses are hex, with or without 0x.\n"
			"With -u PID, the addresses are the process's user addresses, walked\n"
			"from its own page tables (mm->pgd); a page that is not present (not\n"
			"yet touched) is named with its level, and a swapped-out one says where\n"
			"it went: \"swapped: type T offset O (zram0, compressed N bytes, lzo-rle)\",\n"
			"the swap cache, or a disk swap area (not in the dump); --json gives a\n"
			"\"swap\" object.  rd -u reads such pages back from the swap cache or zram.",
		.examples =
			"  vmdive vtop vmcore ffffffff81000000\n"
			"  vmdive vtop -u 1 vmcore 7ffc1a2b3000\n"
			"  vmdive vtop --json vmcore 0xffff888001000000 0xffffc90000000000\n",
	},
	{
		.name = "ptov", .run = vd_cmd_ptov, .needs = VD_NEEDS_DUMP,
		.min_args = 1, .max_args = -1,
		.summary = "kernel virtual addresses that map a physical address",
		.synopsis = "vmdive ptov [OPTIONS] DUMP PADDR...",
		.description =
			"Prints the kernel virtual addresses that map each physical address\n"
			"linearly: its direct-map address and, for the kernel image's pages,\n"
			"its kernel-text address.",
		.examples = "  vmdive ptov vmcore 1000000\n",
	},
	{
		.name = "rd", .run = vd_cmd_rd, .needs = VD_NEEDS_DUMP,
		.min_args = 1, .max_args = -1,
		.opts = rd_opts,
		.summary = "read memory: hex and ASCII, or raw bytes to a file",
		.synopsis = "vmdive rd [-p] [-8|-16|-32|-64|-s|-a] [-e END] [-o FILE] DUMP ADDR [LEN|COUNT]   or   vmdive rd -n LEN DUMP ADDR...",
		.description =
			"Reads LEN bytes (default 64) at a kernel virtual address, or a\n"
			"physical one with -p, and prints them as hex and ASCII.  ADDR is\n"
			"hex, with or without 0x; LEN is decimal, or hex with 0x.\n"
			"Pages that cannot be read are reported with the reason\n"
			"(not in the dump, excluded by the dump level, page not mapped) and\n"
			"reading goes on at the next page; the exit status is then 1.\n"
			"On a process core ADDR is a user virtual address.  What the core left\n"
			"out of a file mapping (code of the executable and libraries) is read\n"
			"from that file if it is still on disk and its build-id matches the\n"
			"ELF header page in the core, and rd says so on stderr (\"from_files\"\n"
			"in --json); a file that changed since the crash is not used.\n"
			"With -n LEN every argument is an address and LEN bytes are read at\n"
			"each, in one run: hex dumps one after the other, the bytes back to\n"
			"back with -o, or a JSON array with --json.  --json describes each\n"
			"read (complete or not, the first reason a byte was unreadable) and,\n"
			"without -o, carries the bytes as \"hex\" (at most 64 KiB per address;\n"
			"unreadable ones as 00).  -o - writes the raw bytes to stdout.\n"
			"ADDR (and END) is an expression: hex as crash reads it, a symbol,\n"
			"symbol+offset (numbers are hex where an address goes), &var,\n"
			"ptr->member, $task (see `vmdive help p`).\n"
			"crash's forms: -8, -16, -32 and -64 print COUNT values (default 1) of\n"
			"that width in the dump's byte order with the ASCII beside them, -s\n"
			"64-bit values as symbol+offset where a symbol contains them, -a the\n"
			"string at ADDR; -e END reads up to END instead of COUNT.  Without\n"
			"them COUNT is LEN, in bytes.  --json with a width adds \"values\".\n"
			"In a kernel dump, -u PID reads the process's memory through its own\n"
			"page tables; a page it swapped out is read from the swap cache or,\n"
			"on a zram swap device, decompressed out of the dump (lzo, lzo-rle,\n"
			"lz4, zstd); one on a disk swap area is not in the dump and says so.",
		.examples =
			"  vmdive rd vmcore ffffffff82000000 256\n"
			"  vmdive rd -p vmcore 1000 0x1000 -o page1.bin\n"
			"  vmdive rd --json -n 64 vmcore ffff888001000000 ffffffff82000000\n"
			"  vmdive rd core 0x7f3a1c0a2e5d 32\n"
			"  vmdive rd -64 vmcore jiffies 2\n"
			"  vmdive rd -s vmcore 'init_task.tasks' 4\n"
			"  vmdive rd -a vmcore linux_banner\n"
			"  vmdive rd -o - vmcore init_task 0x100 | xxd\n",
	},
	{
		.name = "sym", .run = vd_cmd_sym, .needs = VD_NEEDS_DUMP,
		.min_args = 0, .max_args = -1, .opts = sym_opts,
		.summary = "symbol of an address, or address of a symbol",
		.synopsis = "vmdive sym [OPTIONS] DUMP ADDR|NAME...   or   vmdive sym -l DUMP",
		.description =
			"For an address, the kernel symbol that contains it as NAME+OFFSET; for\n"
			"a name, the symbol's address, nm type letter and size.  Symbols come\n"
			"from --vmlinux or --system-map when given, else from the kernel's own\n"
			"kallsyms tables in the dump, so no debuginfo is needed: where VMCOREINFO\n"
			"lists them (SYMBOL(kallsyms_names)...), else found in the kernel image\n"
			"after _stext (kernels that do not list them, such as 5.10); addresses\n"
			"as the dump encodes them (kallsyms_addresses, kallsyms_offsets from\n"
			"kallsyms_relative_base, or place-relative kallsyms_offsets), checked\n"
			"against SYMBOL(_stext).  Only what is asked is decoded; what a command\n"
			"had to decode in full is kept in the cache (--cache-dir).  An argument\n"
			"is an address when it starts with 0x or is 8+ hex digits.\n"
			"Module addresses are named from the module's own kallsyms in the dump,\n"
			"or with --module-debug DIR from the .symtab of its debug file, placed\n"
			"where the kernel laid the module's sections out and checked against\n"
			"kallsyms (a file that is not the loaded module is not used; \"source\" in\n"
			"--json says which table answered).  Of several symbols at one address\n"
			"the one named is elfutils' (and drgn's) choice: a sized symbol that\n"
			"contains the address before a label, global before weak before local,\n"
			"then the first in the symbol table (modules' kallsyms keep whole ELF\n"
			"symbols).  The kernel image's kallsyms keeps neither sizes nor that order:\n"
			"without a vmlinux an address there is named by the symbol\n"
			"at the nearest start below it, as the kernel itself names it, and of\n"
			"several there by a symbol before a linker-script marker (__start_X,\n"
			"__stop_X, __end_X, __X_start, __X_end), global before weak before local,\n"
			"then the first in the kernel's order.\n"
			"On a process core, symbols come from the .symtab (else a debug file\n"
			"under /usr/lib/debug/.build-id, else .dynsym) of the executable and\n"
			"libraries the core maps, with their load bias applied, printed as\n"
			"symbol+offset (path); a name is looked up in the executable first.",
		.examples =
			"  vmdive sym vmcore ffffffffa9400010\n"
			"  vmdive sym vmcore schedule panic\n"
			"  vmdive sym --json --vmlinux vmlinux vmcore 0xffffffffa9400010\n"
			"  vmdive sym -l vmcore | grep ' T '\n"
			"  vmdive sym core 0x55d0c3a01189 main\n",
	},
	{
		.name = "maps", .run = vd_cmd_maps, .needs = VD_NEEDS_DUMP,
		.min_args = 0, .max_args = 0,
		.summary = "a process core's memory map: PT_LOADs joined with NT_FILE",
		.synopsis = "vmdive maps [OPTIONS] CORE",
		.description =
			"One line per PT_LOAD (a mapping of the dead process): start, end,\n"
			"permissions, size, how much of it the core holds (all, none, or the\n"
			"bytes dumped), and for file mappings the file offset and path from\n"
			"NT_FILE.  For what the core does not hold, whether the file on disk can\n"
			"stand in: its build-id matches the one in the core, cannot be checked,\n"
			"or the file is missing or changed.  NT_FILE entries without a PT_LOAD\n"
			"are listed too.  A core without NT_FILE (qemu-user's, gdb's gcore\n"
			"through a gdbstub) gets its file mappings from the dynamic linker's\n"
			"link_map chain in its memory, each file checked against its .dynamic\n"
			"there; what could not be found is listed at the end.",
		.examples =
			"  vmdive maps core\n"
			"  vmdive maps --sysroot /usr/aarch64-linux-gnu qemu_prog_20240101-120000_42.core\n"
			"  vmdive maps --json core.zst | jq '.[] | select(.in_core == \"none\")'\n",
	},
	{
		.name = "mod", .run = vd_cmd_mod, .needs = VD_NEEDS_DUMP,
		.min_args = 0, .max_args = 0,
		.summary = "loaded modules: address, memory regions, state, refcount, taints",
		.synopsis = "vmdive mod [OPTIONS] DUMP",
		.description =
			"Lists the kernel's `modules` list, newest first like lsmod: the address\n"
			"of each struct module, its name, the base and size of its core memory\n"
			"(crash `mod`'s BASE and SIZE), its state, refcount (module_refcount()),\n"
			"taint letters as /proc/modules shows them, and the number of its own\n"
			"symbols (mod->kallsyms, which `sym` and every symbolized address use\n"
			"as name+off [module]).  Under each module its memory regions: text,\n"
			"rodata, ro_after_init, data (and init_* while it is loading) with\n"
			"addresses, sizes and permissions, from core_layout/init_layout before\n"
			"6.4 or mod->mem[] since.  Types come from the kernel's BTF in the\n"
			"dump, so no vmlinux is needed when the kernel's kallsyms has data\n"
			"symbols (CONFIG_KALLSYMS_ALL).  A damaged list or module is reported\n"
			"and skipped, the rest printed, and the exit status is 1.",
		.examples =
			"  vmdive mod vmcore\n"
			"  vmdive mod --json vmcore | jq -r '.modules[].name'\n",
	},
	{
		.name = "dump-module", .run = vd_cmd_dump_module, .needs = VD_NEEDS_DUMP,
		.min_args = 1, .max_args = 1, .opts = dump_module_opts,
		.summary = "write a module's memory as an ELF file to disassemble, or raw",
		.synopsis = "vmdive dump-module [--raw] [--zero-fill] DUMP NAME -o FILE",
		.description =
			"Writes module NAME's memory to FILE as an ELF file whose sections are\n"
			"the module's regions at their load addresses (one PT_LOAD each) and\n"
			"whose .symtab holds the module's own symbols at their runtime\n"
			"addresses, so `objdump -d FILE` and `gdb FILE` show its code where it\n"
			"ran.  With --raw, the regions' bytes one after another (their file\n"
			"offsets are printed).  Pages are read through the page tables one by\n"
			"one; a page the dump does not hold is reported and the command fails\n"
			"without leaving a file, unless --zero-fill writes it as zeros.",
		.examples =
			"  vmdive dump-module vmcore loop -o loop.elf && objdump -d loop.elf\n"
			"  vmdive dump-module --raw vmcore loop -o loop.bin\n",
	},
	{
		.name = "vmalloc", .run = vd_cmd_vmalloc, .needs = VD_NEEDS_DUMP,
		.min_args = 0, .max_args = 0, .opts = vmalloc_opts,
		.summary = "vmalloc/vmap/ioremap areas like /proc/vmallocinfo",
		.synopsis = "vmdive vmalloc [-v] [OPTIONS] DUMP",
		.description =
			"Lists every busy vmap area in address order, like crash's `kmem -v`\n"
			"and /proc/vmallocinfo: the struct vmap_area and vm_struct addresses,\n"
			"start, end, size, the caller that made it (symbolized, also inside\n"
			"modules), the number of pages, and the VM_* flags as vmallocinfo\n"
			"words (ioremap, vmalloc, vmap, user, dma-coherent, ...).  The areas\n"
			"come from vmap_area_list, or from the per-node vmap_nodes of 6.9+\n"
			"kernels.  With -v, the physical address of each page: from\n"
			"vm->pages[] (struct page -> pfn through vmemmap) and from a walk of\n"
			"the page tables, and any disagreement flagged.",
		.examples =
			"  vmdive vmalloc vmcore\n"
			"  vmdive vmalloc -v vmcore | less\n"
			"  vmdive vmalloc --json vmcore | jq '.areas[] | select(.caller | startswith(\"alloc_large\"))'\n",
	},
	{
		.name = "dump-vmalloc", .run = vd_cmd_dump_vmalloc, .needs = VD_NEEDS_DUMP,
		.min_args = 1, .max_args = 1, .opts = dump_vmalloc_opts,
		.summary = "write the bytes of a vmalloc area (or all of a caller's) to a file",
		.synopsis = "vmdive dump-vmalloc [--zero-fill] DUMP ADDR|CALLER -o FILE",
		.description =
			"Writes the bytes of the vmap area that contains ADDR, or of every\n"
			"area whose caller is the symbol CALLER (one after another, in address\n"
			"order; their file offsets are printed), walking the page tables page\n"
			"by page.  The trailing guard page is left out; pages that are not\n"
			"mapped are listed and written as zeros to keep offsets; a mapped page\n"
			"the dump does not hold fails the command (no file left) unless\n"
			"--zero-fill.",
		.examples =
			"  vmdive dump-vmalloc vmcore ffffd31c80164000 -o area.bin\n"
			"  vmdive dump-vmalloc vmcore bpf_prog_alloc_no_stats -o bpf.bin\n",
	},
	{
		.name = "ps", .run = vd_cmd_ps, .needs = VD_NEEDS_DUMP,
		.min_args = 0, .max_args = 0, .opts = ps_opts,
		.summary = "tasks: pid, ppid, cpu, state, task address, comm; the panic task marked",
		.synopsis = "vmdive ps [-t] [--unwind] [OPTIONS] DUMP",
		.description =
			"Lists the dead kernel's processes like crash's `ps`: PID, PPID, CPU,\n"
			"TASK (struct task_struct address), ST (ps state letter R S D T t X Z\n"
			"P I) and COMM, kernel threads in [brackets], each CPU's idle task\n"
			"(swapper/N) first.  '>' marks the task running on its CPU at the\n"
			"crash, '*' the one that panicked (panic_cpu's runqueues[].curr).\n"
			"Tasks come from init_task.tasks (not the PID hash); -t adds every\n"
			"thread of each thread group (signal->thread_head, or thread_group\n"
			"on older kernels).  With --unwind, every task's stack is unwound as\n"
			"`bt -A` does and a '!' after the state marks a task whose stack\n"
			"cannot be unwound (`vmdive bt PID` says why; --json: unwind_error,\n"
			"null for a good stack); without it ps reads no stack, as crash's.",
		.examples =
			"  vmdive ps vmcore\n"
			"  vmdive ps -t --json vmcore | jq '.tasks[] | select(.panic)'\n"
			"  vmdive ps --unwind vmcore\n",
	},
	{
		.name = "bt", .run = vd_cmd_bt, .needs = VD_NEEDS_DUMP,
		.min_args = 0, .max_args = -1, .opts = bt_opts,
		.summary = "backtraces: the panic task, each CPU's task, any task, every task",
		.synopsis = "vmdive bt [-a|-A [--group]] [-f] [-r] [-l] [OPTIONS] DUMP [PID|TASK...]",
		.description =
			"Backtraces of the dead kernel's tasks, like crash's `bt`, from what the\n"
			"dump carries: no vmlinux needed.  Without arguments, the task that\n"
			"panicked; -a the task running on each CPU; PID or TASK (a task_struct\n"
			"address) the tasks named; -A every task (crash's `foreach bt`), and with\n"
			"--group the tasks whose stacks are alike together, with counts: the way\n"
			"a hung system is read.\n"
			"\n"
			"Each frame reads \"#N [SP] function+offset at PC [module]\"; SP is the\n"
			"stack pointer in that frame (arm64: the address of the frame record\n"
			"that returns there).  \"--- <IRQ stack> ---\" and \"--- <NMI\n"
			"exception stack> ---\" mark where the walk changed stacks; an interrupt,\n"
			"exception or syscall entry shows its pt_regs, and the walk goes on in\n"
			"the interrupted context; a trace from user space ends with the user\n"
			"registers.  A frame found by frame pointers where the kernel has no\n"
			"unwind data is marked '?'.  A trace that cannot go on says why (a loop,\n"
			"a pointer off the stack, an unreadable page) and the others go on.\n"
			"\n"
			"x86_64: the kernel's ORC tables read from the dump (vmlinux's and each\n"
			"module's).  Running tasks start from their CPU's registers (the\n"
			"per-CPU crash_notes of a kdump kernel, else the dump's CPU notes),\n"
			"sleeping ones from task->thread.sp.  arm64: the frame records (x29/x30),\n"
			"pointer-authentication bits stripped with VMCOREINFO's KERNELPACMASK,\n"
			"pt_regs found where a frame returns into exception entry code and at the\n"
			"final frame record; sleeping tasks from task->thread.cpu_context.\n"
			"--json writes\n"
			"{\"tasks\":[{\"pid\",\"tid\",\"comm\",\"task\",\"cpu\",\"state\",\"frames\":[{\"pc\",\n"
			"\"sp\",\"symbol\",\"offset\",\"module\",\"stack\",\"kind\",\"reliable\"}],\"error\"}]}\n"
			"with kind function, exception (pt_regs) or user; --group writes\n"
			"{\"groups\":[{\"count\",\"tasks\",\"frames\",\"error\"}]}.",
		.examples =
			"  vmdive bt vmcore\n"
			"  vmdive bt -a vmcore\n"
			"  vmdive bt -A --group vmcore\n"
			"  vmdive bt -f vmcore 1234 ffff888003a8c000\n"
			"  vmdive bt --json vmcore | jq '.tasks[].frames[].symbol'\n",
	},
	{
		.name = "kmem", .run = vd_cmd_kmem, .needs = VD_NEEDS_DUMP,
		.min_args = 0, .max_args = -1, .opts = kmem_opts,
		.summary = "kernel memory: meminfo, slab caches and objects, pages, what an address is",
		.synopsis = "vmdive kmem -i|-s [NAME]|-S NAME|-p [ADDR...]|ADDR... [OPTIONS] DUMP",
		.description =
			"Like crash's kmem, without a vmlinux (types from the kernel's BTF in\n"
			"the dump, symbols from its kallsyms; --vmlinux's DWARF when given).\n"
			"-i: crash's summary table (total, free, used, buffers, cached, slab,\n"
			"huge pages, swap, commit limit and committed, in pages and bytes), then\n"
			"the lines /proc/meminfo would have printed, from the kernel's own\n"
			"counters: vm_zone_stat[]/vm_node_stat[] (the global counters, as the\n"
			"kernel reads them), totalram_pages, totalreserve_pages and the zones'\n"
			"low watermarks (MemAvailable), nr_swap_pages/total_swap_pages,\n"
			"vm_committed_as, the block devices' page cache, hstates[], vmalloc,\n"
			"per-CPU, zswap and the direct map; lines the kernel prints only with\n"
			"a config option appear when the option's symbol exists.\n"
			"-s [NAME]: the SLUB caches on slab_caches (or one): the kmem_cache\n"
			"address, object size, allocated and total objects, slabs and slab size,\n"
			"counted as crash does (total from the nodes' total_objects; free on\n"
			"each CPU's slab and lockless freelist and on the CPU and node partial\n"
			"lists; 6.18+ also the objects in each CPU's main and spare sheaf and\n"
			"in the barns' full sheaves, as drgn counts them, not those in an\n"
			"rcu_free sheaf).  -S NAME: that cache's slabs SLUB can find (each\n"
			"CPU's slab and partial list, each node's partial list; full slabs are\n"
			"on no list, but those holding sheaf objects are found through them)\n"
			"with every object, [allocated] or free.  Free pointers are decoded\n"
			"with CONFIG_SLAB_FREELIST_HARDENED's s->random when the kernel has it.\n"
			"struct slab (5.17+) and the older struct page fields are told apart by\n"
			"their members.\n"
			"ADDR...: what each kernel address is: an object of a slab cache (cache,\n"
			"object start, index, allocated or free and on which freelist), a task's\n"
			"kernel stack (pid, comm, task), a CPU's per-CPU area, a module's region,\n"
			"a vmalloc area (caller, flags), a section of the kernel image, a struct\n"
			"page in the vmemmap, or the page that holds it; with the struct page\n"
			"of the memory (flags by their PG_ names, refcount, mapping, compound\n"
			"order, page type).\n"
			"-p [ADDR...]: struct pages like crash's kmem -p: every page of the\n"
			"dump's memory, or those of ADDRs (a struct page address, else a\n"
			"physical address).",
		.examples =
			"  vmdive kmem -i vmcore\n"
			"  vmdive kmem -s vmcore\n"
			"  vmdive kmem -S vmcore kmalloc-1k\n"
			"  vmdive kmem vmcore ffff8ecf42200410 ffffc90000013f00\n"
			"  vmdive kmem --json -s vmcore | jq '.caches[] | select(.allocated > 1000)'\n",
	},
	{
		.name = "vm", .run = vd_cmd_vm, .needs = VD_NEEDS_DUMP,
		.min_args = 1, .max_args = 1,
		.summary = "a process's memory map in a kernel dump: VMAs, flags, file paths",
		.synopsis = "vmdive vm [OPTIONS] DUMP PID",
		.description =
			"Like crash's vm: the task, its mm_struct and page table root, then one\n"
			"line per VMA in address order: the vm_area_struct, start, end, vm_flags,\n"
			"permissions as /proc/PID/maps prints them, the file offset in pages and\n"
			"the file's path (walked through the dentries and mounts as d_path does;\n"
			"\" (deleted)\" for an unlinked file), or [heap], [stack], [vdso], [vvar].\n"
			"VMAs come from the maple tree (mm->mm_mt, 6.1+) or the mm->mmap list of\n"
			"older kernels, and are checked against mm->map_count.  No vmlinux is\n"
			"needed: types come from the kernel's BTF in the dump.",
		.examples =
			"  vmdive vm vmcore 1\n"
			"  vmdive vm --json vmcore 103 | jq -r '.vmas[] | .path'\n",
	},
	{
		.name = "files", .run = vd_cmd_files, .needs = VD_NEEDS_DUMP,
		.min_args = 1, .max_args = 1,
		.summary = "a process's open files in a kernel dump, with their paths",
		.synopsis = "vmdive files [OPTIONS] DUMP PID",
		.description =
			"Like crash's files: every open file descriptor of the process\n"
			"(task->files->fdt->fd[]), its struct file and its path.",
		.examples = "  vmdive files vmcore 1\n",
	},
	{
		.name = "gcore", .run = vd_cmd_gcore, .needs = VD_NEEDS_DUMP,
		.min_args = 1, .max_args = 1, .opts = gcore_opts,
		.summary = "write a process of a kernel dump as an ELF core file gdb opens",
		.synopsis = "vmdive gcore [OPTIONS] DUMP PID -o FILE",
		.description =
			"Writes process PID of the dead kernel as an ELF core file like the\n"
			"kernel's own: one PT_LOAD per VMA with the process's memory read through\n"
			"its page tables (pages that are not present, swapped out or not in the\n"
			"dump are written as zeros and counted; VM_IO and VM_DONTDUMP areas are\n"
			"left out as the kernel does), NT_PRSTATUS per thread with the user\n"
			"registers the kernel saved at the top of the thread's kernel stack\n"
			"(task_pt_regs(); on x86_64 also fs_base/gs_base from task->thread),\n"
			"NT_PRPSINFO, NT_AUXV from mm->saved_auxv and NT_FILE from the VMAs.\n"
			"gdb opens it (`gdb BINARY FILE`: info threads, bt) and so do vmdive's\n"
			"own core commands (info, maps, rd, sym).",
		.examples =
			"  vmdive gcore vmcore 103 -o core.103 && gdb -batch -ex 'info threads' -c core.103\n",
	},
	{
		.name = "struct", .run = vd_cmd_struct, .needs = VD_NEEDS_DUMP,
		.min_args = 1, .max_args = 2, .opts = struct_opts,
		.summary = "a struct's layout, or its values at an address",
		.synopsis = "vmdive struct [OPTIONS] DUMP TYPE[.MEMBER[,MEMBER...]] [ADDR]",
		.description =
			"Without ADDR, the layout of a struct or union: each member's byte\n"
			"offset ([offset:bit] for bit fields), type and name, anonymous\n"
			"members expanded, then the size, like crash's `struct -o`.  With ADDR,\n"
			"the members' values read from the dump (pointers symbolized, char\n"
			"arrays as strings).  Types come from --vmlinux's DWARF, else the kernel's\n"
			"own BTF in the dump (no vmlinux needed), else VMCOREINFO's OFFSET/SIZE\n"
			"lines.  A name the kernel does not define is looked for in the loaded\n"
			"modules, in list order: the DWARF of the module's debug file when\n"
			"--module-debug DIR has one (NAME.ko or NAME.ko.debug anywhere under DIR,\n"
			"e.g. /usr/lib/debug/lib/modules/KVER), else the module's own BTF, which\n"
			"the kernel keeps for each module (CONFIG_DEBUG_INFO_BTF_MODULES); the\n"
			"SIZE line (\"module\" in --json) then names the module.\n"
			"TYPE.MEMBER,MEMBER selects members, as crash does: their offsets and\n"
			"declarations, or with ADDR their values (MEMBER may be a path:\n"
			"se.vruntime, thread.sp).  ADDR is an expression, as everywhere an\n"
			"address goes: hex, a symbol (init_task), symbol+offset, &var,\n"
			"ptr->member, $task, $panic_task (see `vmdive help p`).  --json with\n"
			"ADDR prints {type, address, value} (or members): integers as\n"
			"numbers, pointers as hex strings, char arrays as strings.",
		.examples =
			"  vmdive struct vmcore task_struct\n"
			"  vmdive struct vmcore task_struct.pid,comm,mm init_task\n"
			"  vmdive struct -x vmcore task_struct.se.vruntime '$panic_task'\n"
			"  vmdive struct vmcore 'struct list_head' ffffffffaaf27160\n"
			"  vmdive struct --json vmcore module\n"
			"  vmdive struct vmcore ovl_fs\n"
			"  vmdive struct --module-debug /usr/lib/debug/lib/modules/6.1.0-56-cloud-amd64 \\\n"
			"      vmcore loop_device\n",
	},
	{
		.name = "whatis", .run = vd_cmd_whatis, .needs = VD_NEEDS_DUMP,
		.min_args = 1, .max_args = 1,
		.summary = "what a type name, symbol or enumerator is",
		.synopsis = "vmdive whatis [OPTIONS] DUMP NAME",
		.description =
			"For a type: its full name, size and where its description came from\n"
			"(a module's types as for struct: its BTF, or its DWARF with\n"
			"--module-debug); for a typedef, what it stands for.  For a variable or\n"
			"function: its declaration from DWARF (--vmlinux; a module's, with\n"
			"--module-debug) and its address; without DWARF, its address and kind.\n"
			"For an enumerator (a name that is neither): its enum and value, like\n"
			"crash (\"enum pid_type = 0\"; \"enum (unknown)\" for an anonymous enum),\n"
			"from the vmlinux's DWARF or the BTF in the dump.",
		.examples =
			"  vmdive whatis vmcore pgd_t\n"
			"  vmdive whatis vmcore PIDTYPE_PID\n"
			"  vmdive whatis vmcore 'struct page'\n"
			"  vmdive whatis --module-debug /usr/lib/debug/lib/modules/KVER vmcore ovl_fill_super\n",
	},
	{
		.name = "union", .run = vd_cmd_struct, .needs = VD_NEEDS_DUMP,
		.min_args = 1, .max_args = 2, .opts = struct_opts,
		.summary = "a union's layout, or its values at an address",
		.synopsis = "vmdive union [OPTIONS] DUMP TYPE[.MEMBER[,MEMBER...]] [ADDR]",
		.description =
			"As struct, for unions: TYPE is looked up as a union first.",
		.examples =
			"  vmdive union vmcore thread_union\n"
			"  vmdive union vmcore thread_union.task init_thread_union\n",
	},
	{
		.name = "p", .run = vd_cmd_print, .needs = VD_NEEDS_DUMP,
		.min_args = 1, .max_args = -1, .opts = print_opts,
		.summary = "print the typed value of an expression (jiffies, init_task.comm)",
		.synopsis = "vmdive p [-x|-d] [OPTIONS] DUMP EXPR...",
		.description =
			"Evaluates each C expression and prints its value as crash's (gdb's)\n"
			"print does: `NAME = VALUE`; structs and unions member by member,\n"
			"char arrays and char pointers as strings, pointers as\n"
			"(TYPE) 0xADDRESS <symbol>.  Expressions: numbers (decimal, 0x hex),\n"
			"symbols, member access (init_task.comm, init_task.mm->pgd),\n"
			"array indexing, & and *, casts ((struct task_struct *)ADDR), the\n"
			"operators + - * / % << >> & | ^ ~ ! with C's precedence and C's\n"
			"pointer arithmetic, and the session variables $task (the task\n"
			"chosen with `set`, else the panic task) and $panic_task.\n"
			"A variable's type comes from the vmlinux's DWARF when given; without\n"
			"one, the BTF in the dump describes types but not most global\n"
			"variables, so vmdive keeps a table of the globals people print\n"
			"(jiffies, init_task, init_mm, tainted_mask, panic_cpu, ...) and\n"
			"reads them with the BTF's types.  A variable that is in neither is\n"
			"reported as of unknown type, with its address; its value is never\n"
			"guessed.  --json prints {expression, type, address, value} per\n"
			"expression, errors as {\"error\": {...}} (see docs/json.md).",
		.examples =
			"  vmdive p vmcore jiffies\n"
			"  vmdive p vmcore init_task.comm init_uts_ns.name.release\n"
			"  vmdive p -x vmcore tainted_mask\n"
			"  vmdive p vmcore '*init_task.mm' '$panic_task->comm'\n"
			"  vmdive p --json vmcore 'init_task.se.vruntime'\n",
	},
	{
		.name = "dis", .run = vd_cmd_dis, .needs = VD_NEEDS_DUMP,
		.min_args = 1, .max_args = 2, .opts = dis_opts,
		.summary = "disassemble the dumped code (x86_64, arm64), calls and jumps named",
		.synopsis = "vmdive dis [-r|-f] [OPTIONS] DUMP ADDR|SYMBOL [COUNT]",
		.description =
			"Disassembles the code in the dump (what ran, with the kernel's own\n"
			"patching of alternatives and static keys) with Capstone: x86_64 in\n"
			"AT&T syntax as objdump and crash print it, arm64 as the Arm ARM.  Each\n"
			"line is `0xADDRESS <symbol+offset>:  mnemonic operands`, and the\n"
			"target of a direct call or branch is named `<symbol+offset>` (module\n"
			"symbols too).  A function's name (or an address where one starts)\n"
			"disassembles the whole function (its size from the vmlinux, or from\n"
			"kallsyms' distance to the next symbol); otherwise COUNT instructions\n"
			"(default 1).  ADDR is an expression (`vmdive help p`).  --json: an\n"
			"array of {address, symbol, size, bytes, mnemonic, operands, target,\n"
			"target_symbol}.",
		.examples =
			"  vmdive dis vmcore schedule\n"
			"  vmdive dis vmcore 'schedule+0x20' 5\n"
			"  vmdive dis -r vmcore 'panic+0x115'\n",
	},
	{
		.name = "list", .run = vd_cmd_list, .needs = VD_NEEDS_DUMP,
		.min_args = 1, .max_args = 1, .opts = list_opts,
		.summary = "follow a linked list (list_head or next pointers), bounded and loop-safe",
		.synopsis = "vmdive list [-H] [-o OFF] [-s TYPE[.m,m]] [--max N] [OPTIONS] DUMP ADDR",
		.description =
			"Follows a linked list in the dump as crash's list does and prints the\n"
			"address of each entry.  Without -H, ADDR is the first entry and its\n"
			"next pointer, to the next entry, is OFF bytes into it (default 0, or\n"
			"the `next` member of -s TYPE); with --embedded (crash's -h) the entries\n"
			"are linked by a list_head OFF bytes into each; with -H, ADDR is a\n"
			"list_head that is not an entry (a list's head: `modules`) and entries\n"
			"are each link minus OFF, from HEAD->next until HEAD again.  -s prints\n"
			"each entry as TYPE (or its selected members, as `struct` does).\n"
			"The walk ends at NULL, back at the start, or at --max entries; a link\n"
			"that cannot be read or an address that comes back without passing\n"
			"the start (a loop) is reported and the exit status is 1.  ADDR is an\n"
			"expression.  --json: {start, head, offset, entries, count, stop, error};\n"
			"stop is why the walk ended: end, null, loop, max or unreadable.",
		.examples =
			"  vmdive list -H -o module.list -s module.name vmcore modules\n"
			"  vmdive list --embedded -o task_struct.tasks -s task_struct.pid,comm vmcore init_task\n"
			"  vmdive list -o file_system_type.next -s file_system_type.name vmcore sysfs_fs_type\n",
	},
	{
		.name = "search", .run = vd_cmd_search, .needs = VD_NEEDS_DUMP,
		.min_args = 1, .max_args = -1, .opts = search_opts,
		.summary = "find values or strings in the dumped memory",
		.synopsis = "vmdive search [-k|-p] [-s START] [-e END|-l LEN] [-m MASK] [-c|-8|-16|-32|-64] [OPTIONS] DUMP VALUE...",
		.description =
			"Finds each VALUE (hex as crash reads it, or an expression: a symbol's\n"
			"value, &var) as an aligned value of the width (64-bit by default) in\n"
			"the dump's byte order, or with -c each string anywhere, as crash's\n"
			"search does.  Without -s/-e/-l it searches all the RAM the dump holds\n"
			"and reports each hit at its kernel virtual (direct-map) address, or\n"
			"with -p at its physical address; with -s START and -e END (or -l LEN)\n"
			"it searches that kernel virtual range through the page tables (or\n"
			"that physical range with -p), skipping pages that are not mapped or\n"
			"not in the dump.  -m MASK ignores the MASK bits of each value.  The\n"
			"exit status is 1 when nothing is found.  --json: {space, width,\n"
			"matches: [{address, pa, value|string}], count, truncated}.",
		.examples =
			"  vmdive search -c vmcore 'VMDIVE-MARKER'\n"
			"  vmdive search vmcore '&init_task'\n"
			"  vmdive search -s init_task -l 0x2000 vmcore ffffffffffffffff\n"
			"  vmdive search -p -m fff vmcore 1000\n",
	},
	{
		.name = "shell", .run = vd_cmd_shell, .needs = VD_NEEDS_DUMP,
		.min_args = 0, .max_args = 0, .opts = shell_opts,
		.summary = "an interactive session: many commands on one opened dump",
		.synopsis = "vmdive shell [-c CMDS|-i FILE] [OPTIONS] DUMP [DUMP...]   or   vmdive DUMP [DUMP...]",
		.description =
			"Opens the dump once and reads commands at a `vmdive>` prompt, as\n"
			"crash does: every command of vmdive, written without the dump\n"
			"(`ps`, `p jiffies`, `struct task_struct.comm $task`).  Symbols, types\n"
			"and the DWARF index are set up once, so each command answers at once.\n"
			"Line editing and history (~/.vmdive_history, or $VMDIVE_HISTORY; empty:\n"
			"none) come from libedit; Tab completes commands, options, symbols,\n"
			"$variables and members (`p init_task.se.<Tab>`, `struct task_struct.<Tab>`).\n"
			"`CMD | SHELL-COMMAND` pipes the output, `CMD > FILE` and `CMD >> FILE`\n"
			"write it to a file; output longer than the screen goes through $PAGER\n"
			"(default `less -FRX`) when stdout is a terminal, never into a pipe or\n"
			"file.  Ctrl-C interrupts a command and returns to the prompt.  `set PID`\n"
			"or `set TASK` picks the task $task stands for in later commands (the\n"
			"panic task until then); `set` alone shows it.  Several commands on one\n"
			"line are separated by ';'.  -c and -i run commands without a prompt;\n"
			"the exit status is then the last failure's, else 0.  `vmdive DUMP`\n"
			"with no command opens the session too.",
		.examples =
			"  vmdive vmcore\n"
			"  vmdive shell --vmlinux vmlinux vmcore\n"
			"  vmdive shell -c 'ps | grep sleep; p jiffies; log > dmesg.txt' vmcore\n"
			"  vmdive shell -i commands.txt vmcore\n",
	},
	{
		.name = "vmcoreinfo", .run = vd_cmd_vmcoreinfo, .needs = VD_NEEDS_DUMP,
		.min_args = 0, .max_args = 1,
		.summary = "the raw VMCOREINFO the kernel left in the dump",
		.synopsis = "vmdive vmcoreinfo [OPTIONS] DUMP [KEY]",
		.description =
			"Prints the VMCOREINFO text (KEY=VALUE lines) from the dump's notes,\n"
			"or only the value of KEY.",
		.examples =
			"  vmdive vmcoreinfo vmcore\n"
			"  vmdive vmcoreinfo vmcore 'NUMBER(phys_base)'\n",
	},
	{
		.name = "complete-names", .run = vd_cmd_complete_names, .needs = VD_NEEDS_FILES,
		.min_args = 0, .max_args = 1, .opts = complete_opts,
		.summary = "type names by prefix, for shell completion (cached per kernel)",
		.synopsis = "vmdive complete-names [--kind KIND] [OPTIONS] DUMP [DUMP...] [PREFIX]",
		.description =
			"The kernel's struct, union, enum and typedef names that start with\n"
			"PREFIX, one a line, sorted: what the bash completion offers after\n"
			"struct, union, whatis and list -s.  The first call for a kernel opens\n"
			"the dump and keeps every name of its types (the BTF in the dump) in\n"
			"the cache directory under the kernel's build-id; later calls, for\n"
			"any dump of that kernel seen before, read that file and do not open\n"
			"the dump (a dump file is known by its device, inode, size and\n"
			"modification time).  --no-cache opens the dump every time.",
		.examples =
			"  vmdive complete-names --kind struct vmcore task_\n"
			"  vmdive complete-names vmcore\n",
	},
	{
		.name = "sys", .run = vd_cmd_sys, .needs = VD_NEEDS_DUMP,
		.min_args = 0, .max_args = 0,
		.summary = "crash's sys: kernel, CPUs, memory, uptime, load, tasks, panic, taint",
		.synopsis = "vmdive sys [OPTIONS] DUMP [DUMP...]",
		.description =
			"Prints crash's `sys` from the dump alone (no vmlinux needed: kallsyms,\n"
			"the BTF in the dump and VMCOREINFO): CPUS (present, and how many\n"
			"were offline: panic() stops the other CPUs), DATE (the timekeeper's\n"
			"xtime_sec, else VMCOREINFO CRASHTIME), UPTIME (jiffies_64 since\n"
			"INITIAL_JIFFIES; HZ as docs/triage.md says), LOAD AVERAGE (avenrun, as\n"
			"/proc/loadavg rounds it), TASKS (every thread and each CPU's idle\n"
			"task), NODENAME, RELEASE, VERSION, MACHINE (x86 cpu_khz), MEMORY (the\n"
			"nodes' node_present_pages, as crash counts it) and PANIC (the\n"
			"kernel's \"Kernel panic - not syncing\" line, else the oops header).\n"
			"Then what crash leaves to other commands: the build-id, the dump\n"
			"writer's clock, totalram_pages, tasks by state, the taint flags\n"
			"(letters and names), the kernel command line, the dump format with\n"
			"makedumpfile's dump level and the page classes it excluded, damage\n"
			"(a truncated file), and whether the answer is complete; what could\n"
			"not be read is listed as PROBLEM lines (\"problems\" in --json).",
		.examples =
			"  vmdive sys vmcore\n"
			"  vmdive sys --json vmcore | jq .taint\n",
	},
	{
		.name = "triage", .run = vd_cmd_triage, .needs = VD_NEEDS_NOTHING,
		.min_args = 1, .max_args = -1, .opts = triage_opts,
		.summary = "why each kernel died: kind, guilty frame, signature, context",
		.synopsis = "vmdive triage [--json] [--jobs N] [--group] [OPTIONS] DUMP...",
		.description =
			"One report per dump (each argument is one dump): what happened (the\n"
			"kind: null-deref, page-fault, gpf, bug, warn, soft-lockup,\n"
			"hard-lockup, hung-task, rcu-stall, oom, mce, sysrq, panic, oops;\n"
			"the kernel's own header line, the CPU and task, the fault address,\n"
			"the interrupted instruction and its registers), where (the crashing\n"
			"task's backtrace unwound from the dump, not parsed from the log, with\n"
			"the guilty frame: the first frame after panic()'s own frames that is\n"
			"not in the skip table of docs/triage.md), a signature (16 hex digits\n"
			"of the SHA-1 of the kind, the normalised title and the top five frames\n"
			"as `function [module]`: no addresses, offsets or CPU numbers, so the\n"
			"same bug matches across KASLR offsets, CPUs and builds) and ABRT's\n"
			"koops duphash form, and the context: taint with the modules that set\n"
			"it, uptime, release, build-id, the last 50 log lines, D-state tasks\n"
			"and the other CPUs' tasks with their stacks grouped, a memory summary,\n"
			"and whether the dump is complete (what is missing in \"problems\").\n"
			"No vmlinux is needed.  A dump that cannot be read gives a partial\n"
			"report saying why; the batch goes on (exit status 1).  --json: one\n"
			"document per dump, one per line for several (keys in docs/json.md);\n"
			"--group: the buckets, most dumps first.",
		.examples =
			"  vmdive triage vmcore\n"
			"  vmdive triage --json --jobs 4 /var/crash/*/vmcore > reports.jsonl\n"
			"  vmdive triage --group /var/crash/*/vmcore\n",
	},
	{
		.name = "log", .run = vd_cmd_log, .needs = VD_NEEDS_DUMP,
		.min_args = 0, .max_args = 0, .opts = log_opts,
		.summary = "the kernel's printk log (dmesg) from the dump, no vmlinux needed",
		.synopsis = "vmdive log [-t|-T] [-l] [-d] DUMP",
		.description =
			"Prints the dead kernel's log buffer oldest first, like crash's `log`:\n"
			"`[seconds.micros] text`, the lines of a multi-line record indented\n"
			"under the first, unprintable bytes as '.'.  The log is found from\n"
			"VMCOREINFO alone: the lockless ring buffer of 5.10+ kernels\n"
			"(SYMBOL(prb) and its SIZE/OFFSET lines) or the log_buf records of\n"
			"3.5-5.9 kernels, so no vmlinux is needed.  A damaged record is reported\n"
			"on stderr (in \"errors\" with --json) and skipped, the rest is printed,\n"
			"and the exit status is 1.  Records whose text the kernel itself lost\n"
			"are skipped.  --json prints {format, seq_known, records: [{seq, ts_nsec,\n"
			"level, facility, caller, text, subsystem, device, truncated}], lost,\n"
			"errors, nerrors}; with -T also boot_time, boot_time_from and each\n"
			"record's time (seconds since the epoch).",
		.examples =
			"  vmdive log vmcore\n"
			"  vmdive log -l vmcore | grep '^\\[.*\\] <[0-3]>'   # errors and worse\n"
			"  vmdive log --json vmcore | jq -r '.records[-1].text'\n",
	},
};

const size_t vd_ncommands = VD_ARRAY_SIZE(vd_commands);
