// SPDX-License-Identifier: MIT
/*
 * Writes the fake kernel of tests/unit/fake_kernel.h as an ELF vmcore,
 * for the script tests that run the vmdive binary on it:
 *   mkfakekernel deep OUT    BTF with struct deep0..deep11 (16^12 lines
 *                            in full: the struct/whatis output cap)
 */
#include <stdio.h>
#include <string.h>

#include "../unit/fake_kernel.h"

int
main(int argc, char **argv)
{
	struct fake *f;
	bool ok;

	if (argc != 3 || strcmp(argv[1], "deep")) {
		fprintf(stderr, "usage: mkfakekernel deep OUT\n");
		return 2;
	}
	f = fake_kernel_new(true);
	ok = fake_write_vmcore(f, argv[2]);
	fake_free(f);
	if (!ok) {
		fprintf(stderr, "mkfakekernel: cannot write %s\n", argv[2]);
		return 1;
	}
	return 0;
}
