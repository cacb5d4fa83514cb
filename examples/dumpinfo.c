// SPDX-License-Identifier: MIT
/*
 * dumpinfo: a small program of libvmdive.  It opens a kernel crash dump,
 * translates kernel virtual addresses through the dump's page tables and
 * lists the loaded modules.  Build it against an installed vmdive:
 *
 *   cc -o dumpinfo dumpinfo.c $(pkg-config --cflags --libs vmdive)
 *   ./dumpinfo [--vmlinux FILE | --system-map FILE] DUMP [VADDR...]
 *
 * Output, one fact a line (tests/lib/test_example.sh reads it):
 *   library 0.1.0 headers 0.1.0
 *   arch x86_64
 *   release 6.1.0-28-amd64
 *   vtop VADDR PADDR PAGE_SIZE   or   vtop VADDR error MESSAGE
 *   module NAME STRUCT_MODULE_ADDR BASE SIZE
 *   modules N                    or   modules error MESSAGE
 * Exit status: 0 all answered, 1 something failed (said on a line of its
 * own, the rest still printed), 2 bad usage or the dump did not open.
 *
 * The rules it follows are the library's (vmdive/error.h): a function that
 * can fail returns a struct vd_error * that the caller owns and destroys;
 * what the session returns is borrowed until vd_session_close().
 */
#include <stdio.h>
#include <string.h>

#include <vmdive/vmdive.h>

static int
translate(struct vd_session *s, const char *arg)
{
	struct vd_xlat *xlat;
	struct vd_error *err;
	uint64_t va, pa, page_size;

	if (!vd_parse_u64(arg, 16, &va)) {
		printf("vtop %s error not a hex address\n", arg);
		return 1;
	}
	// Translation is set up on first use; the session owns xlat.
	err = vd_session_xlat(s, &xlat);
	if (!err)
		err = vd_xlat_translate(xlat, va, &pa, &page_size);
	if (err) {
		printf("vtop 0x%llx error %s\n", (unsigned long long)va, err->msg);
		vd_error_destroy(err);
		return 1;
	}
	printf("vtop 0x%llx 0x%llx 0x%llx\n", (unsigned long long)va,
	       (unsigned long long)pa, (unsigned long long)page_size);
	return 0;
}

static int
list_modules(struct vd_session *s)
{
	struct vd_module_iter it;
	const struct vd_module *mod;
	struct vd_error *err;
	unsigned n = 0;
	int ret = 0;

	err = vd_module_iter_init(&it, s);
	if (err) {
		printf("modules error %s\n", err->msg);
		vd_error_destroy(err);
		return 1;
	}
	// next(): NULL and a module, &vd_stop at the end, or an error about
	// one element, which is skipped: report it and go on.
	while ((err = vd_module_iter_next(&it, &mod)) != &vd_stop) {
		if (err) {
			printf("module error %s\n", err->msg);
			vd_error_destroy(err);
			ret = 1;
			continue;
		}
		printf("module %s 0x%llx 0x%llx 0x%llx\n", mod->name,
		       (unsigned long long)mod->addr, (unsigned long long)mod->base,
		       (unsigned long long)mod->size);
		n++;
	}
	vd_module_iter_deinit(&it);
	printf("modules %u\n", n);
	return ret;
}

int
main(int argc, char **argv)
{
	struct vd_session_opts opts = { 0 };
	const struct vd_dump_info *info;
	struct vd_session *s;
	struct vd_error *err;
	const char *release;
	int i = 1, ret = 0;

	for (; i + 1 < argc && !strncmp(argv[i], "--", 2); i += 2) {
		if (!strcmp(argv[i], "--vmlinux"))
			opts.vmlinux = argv[i + 1];
		else if (!strcmp(argv[i], "--system-map"))
			opts.system_map = argv[i + 1];
		else
			break;
	}
	if (i >= argc || argv[i][0] == '-') {
		fprintf(stderr, "usage: dumpinfo [--vmlinux FILE | --system-map FILE] DUMP [VADDR...]\n");
		return 2;
	}
	err = vd_session_open((const char *const *)&argv[i], 1, &opts, &s);
	if (err) {
		fprintf(stderr, "dumpinfo: %s\n", err->msg);
		vd_error_destroy(err);
		return 2;
	}
	printf("library %s headers %s\n", vd_version(), VMDIVE_VERSION_STRING);
	info = vd_session_info(s);
	printf("arch %s\n", vd_arch_name(info->arch));
	release = vd_session_vmcoreinfo(s, "OSRELEASE");
	printf("release %s\n", release ? release : "unknown");
	for (i++; i < argc; i++)
		ret |= translate(s, argv[i]);
	ret |= list_modules(s);
	vd_session_close(s);
	return ret;
}
