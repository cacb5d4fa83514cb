// SPDX-License-Identifier: MIT
/*
 * The kernel types a synthetic dump needs for the module walker, as 6.4+
 * declares them (include/linux/module.h; struct module_memory and mod->mem[]
 * came with commit ac3b43283923 "module: replace module_layout with
 * module_memory"), only the members vmdive reads.  tests/lib/test_example.sh
 * compiles this with -g, gives pahole its DWARF to make the BTF blob it puts
 * in the dump (__start_BTF..__stop_BTF), and runs it to learn the offsets it
 * writes the module structures at.  The walker finds members by name, so
 * these offsets need not be a real kernel's.
 */
#include <stddef.h>
#include <stdio.h>

struct list_head {
	struct list_head *next, *prev;
};

typedef struct {
	int counter;
} atomic_t;

enum module_state {
	MODULE_STATE_LIVE,
	MODULE_STATE_COMING,
	MODULE_STATE_GOING,
	MODULE_STATE_UNFORMED,
};

enum mod_mem_type {
	MOD_TEXT = 0,
	MOD_DATA,
	MOD_RODATA,
	MOD_RO_AFTER_INIT,
	MOD_INIT_TEXT,
	MOD_INIT_DATA,
	MOD_INIT_RODATA,
	MOD_MEM_NUM_TYPES,
};

struct module_memory {
	void *base;
	unsigned int size;
};

struct module {
	enum module_state state;
	struct list_head list;
	char name[64 - sizeof(unsigned long)];
	struct module_memory mem[MOD_MEM_NUM_TYPES];
	unsigned long taints;
	atomic_t refcnt;
};

/* Keep the types in the DWARF (and so in the BTF). */
struct module vd_fixture_module;
enum mod_mem_type vd_fixture_mem_type;

int
main(void)
{
	printf("module_size=%zu\n", sizeof(struct module));
	printf("module_state=%zu\n", offsetof(struct module, state));
	printf("module_list=%zu\n", offsetof(struct module, list));
	printf("module_name=%zu\n", offsetof(struct module, name));
	printf("module_mem=%zu\n", offsetof(struct module, mem));
	printf("module_taints=%zu\n", offsetof(struct module, taints));
	printf("module_refcnt=%zu\n", offsetof(struct module, refcnt));
	printf("module_memory_size=%zu\n", sizeof(struct module_memory));
	printf("module_memory_base=%zu\n", offsetof(struct module_memory, base));
	printf("module_memory_len=%zu\n", offsetof(struct module_memory, size));
	return 0;
}
