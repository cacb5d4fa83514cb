// SPDX-License-Identifier: MIT
/* VMCOREINFO parsing: value encodings as the kernel prints them. */
#include <string.h>

#include "common/vmcoreinfo.h"
#include "harness.h"

static const char text[] =
	"OSRELEASE=6.1.0-28-cloud-amd64\n"
	"BUILD-ID=0123abcd\n"
	"PAGESIZE=4096\n"
	"SYMBOL(init_top_pgt)=ffffffffa7a0a000\n"
	"OFFSET(uts_namespace.name)=4\n"
	"NUMBER(phys_base)=-1048576\n"
	"NUMBER(kimage_voffset)=0xffffffbf78000000\n"
	"NUMBER(sme_mask)=0\n"
	"KERNELOFFSET=26600000\n"
	"garbage line without equals\n"
	"=novalue\n"
	"CRASHTIME=1763775612\n"
	"PAGESIZE=16384\n";   // a later duplicate wins

TEST(decodes_each_encoding)
{
	struct vd_vmcoreinfo vi;
	uint64_t v = 0;

	CHECK_OK(vd_vmcoreinfo_parse(text, sizeof(text) - 1, &vi));
	CHECK_STR(vd_vmcoreinfo_get(&vi, "OSRELEASE"), "6.1.0-28-cloud-amd64");
	CHECK(vd_vmcoreinfo_number(&vi, "SYMBOL(init_top_pgt)", &v));
	CHECK_EQ_U64(v, 0xffffffffa7a0a000ull);
	CHECK(vd_vmcoreinfo_number(&vi, "NUMBER(phys_base)", &v));
	CHECK_EQ_U64(v, (uint64_t)-1048576);
	CHECK(vd_vmcoreinfo_number(&vi, "NUMBER(kimage_voffset)", &v));
	CHECK_EQ_U64(v, 0xffffffbf78000000ull);
	CHECK(vd_vmcoreinfo_number(&vi, "KERNELOFFSET", &v));
	CHECK_EQ_U64(v, 0x26600000);
	CHECK(vd_vmcoreinfo_number(&vi, "OFFSET(uts_namespace.name)", &v));
	CHECK_EQ_U64(v, 4);
	CHECK(vd_vmcoreinfo_number(&vi, "PAGESIZE", &v));
	CHECK_EQ_U64(v, 16384);
	CHECK(!vd_vmcoreinfo_number(&vi, "BUILD-ID", &v));   // not a number
	CHECK(vd_vmcoreinfo_get(&vi, "garbage line without equals") == NULL);
	CHECK(vd_vmcoreinfo_get(&vi, "NUMBER(nope)") == NULL);
	vd_vmcoreinfo_deinit(&vi);
}

TEST(stops_at_nul_and_survives_empty)
{
	struct vd_vmcoreinfo vi;
	static const char t[] = "A=1\n\0B=2\n";

	CHECK_OK(vd_vmcoreinfo_parse(t, sizeof(t) - 1, &vi));
	CHECK_STR(vd_vmcoreinfo_get(&vi, "A"), "1");
	CHECK(vd_vmcoreinfo_get(&vi, "B") == NULL);
	vd_vmcoreinfo_deinit(&vi);
	CHECK_OK(vd_vmcoreinfo_parse("", 0, &vi));
	CHECK(vd_vmcoreinfo_get(&vi, "A") == NULL);
	vd_vmcoreinfo_deinit(&vi);
}

TEST(malformed_numbers_are_refused)
{
	uint64_t v;

	CHECK(!vd_vmcoreinfo_decode("NUMBER(x)", "12abc", &v));
	CHECK(!vd_vmcoreinfo_decode("SYMBOL(x)", "zz", &v));
	CHECK(!vd_vmcoreinfo_decode("OFFSET(a.b)", "-3", &v));
	CHECK(vd_vmcoreinfo_decode("NUMBER(x)", "18446744073709551615", &v));
	CHECK_EQ_U64(v, UINT64_MAX);
}

int
main(void)
{
	return RUN_TESTS();
}
