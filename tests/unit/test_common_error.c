// SPDX-License-Identifier: MIT
/* Error objects: wrapping order, statics, fault fields. */
#include <errno.h>
#include <string.h>

#include "common/util.h"
#include "harness.h"

TEST(wrap_prepends_context_outer_first)
{
	struct vd_error *err = vd_error_fault(VD_ERR_NOTPRESENT, VD_AS_KVIRT,
					      0xffff888000001000ull,
					      "PMD not present: pmd[3] = 0x0");

	err = vd_error_wrap(err, "reading task_struct.comm at 0x%x", 0x10);
	CHECK_STR(err->msg,
		  "reading task_struct.comm at 0x10: PMD not present: pmd[3] = 0x0");
	CHECK(err->code == VD_ERR_NOTPRESENT);
	CHECK(err->as == VD_AS_KVIRT);
	CHECK_EQ_U64(err->addr, 0xffff888000001000ull);
	vd_error_destroy(err);
}

TEST(statics_are_not_freed_and_wrap_copies)
{
	struct vd_error *err = vd_error_wrap(&vd_stop, "walking tasks");

	CHECK(err != &vd_stop);
	CHECK(err->code == VD_ERR_STOP);
	CHECK_STR(err->msg, "walking tasks: end of iteration");
	CHECK_STR(vd_stop.msg, "end of iteration");
	vd_error_destroy(err);
	vd_error_destroy(&vd_noprobe);   // must be a no-op
	CHECK(vd_error_wrap(&vd_enomem, "x") == &vd_enomem);
	vd_error_destroy(NULL);
}

TEST(os_error_appends_strerror)
{
	struct vd_error *err = vd_error_os(ENOENT, "%s: cannot open", "/x");

	CHECK(err->code == VD_ERR_OS);
	CHECK(err->errnum == ENOENT);
	CHECK(strstr(err->msg, "/x: cannot open: ") == err->msg);
	CHECK(strstr(err->msg, strerror(ENOENT)) != NULL);
	vd_error_destroy(err);
}

TEST(parse_u64)
{
	uint64_t v = 0;

	CHECK(vd_parse_u64("ffffffff81000000", 16, &v));
	CHECK_EQ_U64(v, 0xffffffff81000000ull);
	CHECK(vd_parse_u64("0XFF", 16, &v));
	CHECK_EQ_U64(v, 0xff);
	CHECK(!vd_parse_u64("0x", 16, &v));
	CHECK(!vd_parse_u64("", 16, &v));
	CHECK(!vd_parse_u64("12g", 16, &v));
	CHECK(!vd_parse_u64("-1", 10, &v));
	CHECK(!vd_parse_u64("1ffffffffffffffff", 16, &v));   // 65 bits
}

TEST(range_ok_never_overflows)
{
	CHECK(vd_range_ok(0, 10, 10));
	CHECK(!vd_range_ok(1, 10, 10));
	CHECK(!vd_range_ok(11, 0, 10));
	CHECK(!vd_range_ok(5, UINT64_MAX, 10));
	CHECK(!vd_range_ok(UINT64_MAX, 2, UINT64_MAX));
}

int
main(void)
{
	return RUN_TESTS();
}
