// SPDX-License-Identifier: MIT
/* The command table: one entry per command, help text as data. */
#include "cli.h"
#include "common/util.h"

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
			"symbols are given).",
		.examples =
			"  vmdive info vmcore\n"
			"  vmdive info --json vmcore | jq .layout\n"
			"  vmdive info dumpfile.1 dumpfile.2 dumpfile.3   # a split set\n",
	},
	{
		.name = "vtop", .run = vd_cmd_vtop, .needs = VD_NEEDS_DUMP,
		.min_args = 1, .max_args = -1,
		.summary = "translate kernel virtual addresses, showing every page-table level",
		.synopsis = "vmdive vtop [OPTIONS] DUMP VADDR...",
		.description =
			"Walks the kernel page tables of the dump for each address and prints\n"
			"every level: the table's physical address, the entry index, the raw\n"
			"entry and its decoded flags; then the physical address and the size\n"
			"of the page that maps it.  An entry that is not present is named with\n"
			"its level and index.  Addresses are hex, with or without 0x.",
		.examples =
			"  vmdive vtop vmcore ffffffff81000000\n"
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
		.min_args = 1, .max_args = 2, .shortopts = "po:",
		.summary = "read memory: hex and ASCII, or raw bytes to a file",
		.synopsis = "vmdive rd [-p] [-o FILE] DUMP ADDR [LEN]",
		.description =
			"Reads LEN bytes (default 64) at a kernel virtual address, or a\n"
			"physical one with -p, and prints them as hex and ASCII.  ADDR is\n"
			"hex, with or without 0x; LEN is decimal, or hex with 0x.\n"
			"Pages that cannot be read are reported with the reason\n"
			"(not in the dump, excluded by the dump level, page not mapped) and\n"
			"reading goes on at the next page; the exit status is then 1.",
		.options =
			"  -p, --physical       ADDR is a physical address\n"
			"  -o, --output FILE    write the raw bytes to FILE; unreadable pages\n"
			"                       are written as zeros and reported\n",
		.examples =
			"  vmdive rd vmcore ffffffff82000000 256\n"
			"  vmdive rd -p vmcore 1000 0x1000 -o page1.bin\n",
	},
	{
		.name = "sym", .run = vd_cmd_sym, .needs = VD_NEEDS_DUMP,
		.min_args = 0, .max_args = -1, .shortopts = "l",
		.summary = "symbol of an address, or address of a symbol",
		.synopsis = "vmdive sym [OPTIONS] DUMP ADDR|NAME...   or   vmdive sym -l DUMP",
		.description =
			"For an address, the kernel symbol that contains it as NAME+OFFSET; for\n"
			"a name, the symbol's address, nm type letter and size.  Symbols come\n"
			"from --vmlinux or --system-map when given, else from the kernel's own\n"
			"kallsyms tables in the dump (6.0+ kernels export their location in\n"
			"VMCOREINFO), so no debuginfo is needed.  An argument is an address\n"
			"when it starts with 0x or is 8+ hex digits.",
		.options =
			"  -l, --list           list every symbol: address, type, name\n",
		.examples =
			"  vmdive sym vmcore ffffffffa9400010\n"
			"  vmdive sym vmcore schedule panic\n"
			"  vmdive sym --json --vmlinux vmlinux vmcore 0xffffffffa9400010\n"
			"  vmdive sym -l vmcore | grep ' T '\n",
	},
	{
		.name = "struct", .run = vd_cmd_struct, .needs = VD_NEEDS_DUMP,
		.min_args = 1, .max_args = 2,
		.summary = "a struct's layout, or its values at an address",
		.synopsis = "vmdive struct [OPTIONS] DUMP TYPE [ADDR]",
		.description =
			"Without ADDR, the layout of a struct or union: each member's byte\n"
			"offset ([offset:bit] for bit fields), type and name, anonymous\n"
			"members expanded, then the size, like crash's `struct -o`.  With ADDR,\n"
			"the members' values read from the dump (pointers symbolized, char\n"
			"arrays as strings).  Types come from the kernel's own BTF in the dump\n"
			"(no vmlinux needed), else from VMCOREINFO's OFFSET/SIZE lines.",
		.examples =
			"  vmdive struct vmcore task_struct\n"
			"  vmdive struct vmcore 'struct list_head' ffffffffaaf27160\n"
			"  vmdive struct --json vmcore module\n",
	},
	{
		.name = "whatis", .run = vd_cmd_whatis, .needs = VD_NEEDS_DUMP,
		.min_args = 1, .max_args = 1,
		.summary = "what a type name or symbol is",
		.synopsis = "vmdive whatis [OPTIONS] DUMP NAME",
		.description =
			"For a type: its full name, size and where its description came from;\n"
			"for a typedef, what it stands for.  For a symbol: its address and\n"
			"kind.",
		.examples =
			"  vmdive whatis vmcore pgd_t\n"
			"  vmdive whatis vmcore 'struct page'\n",
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
};

const size_t vd_ncommands = VD_ARRAY_SIZE(vd_commands);
