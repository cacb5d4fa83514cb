// SPDX-License-Identifier: MIT
/*
 * Hostile type graphs (issue 18): BTF a dump may carry, which libbpf
 * accepts, but whose anonymous members make a naive member search
 * exponential -- a struct whose 32 anonymous members are the struct itself
 * (2^64 paths to depth 64), and a chain of 40 anonymous structs of two
 * anonymous members each (2^40).  A 16 KiB vmcore with such BTF hung `ps`.
 * The blobs are written here from the BTF format (include/uapi/linux/
 * btf.h); an alarm fails the test instead of hanging it.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "types/ctype_priv.h"
#include "harness.h"
#include "vmdive/ctype.h"

#define KIND_INT 1
#define KIND_STRUCT 4

struct blob {
	uint32_t types[4096];
	size_t n;
	char strs[64];
	size_t nstr;
};

static void
u32(struct blob *b, uint32_t v)
{
	b->types[b->n++] = v;
}

static uint32_t
str(struct blob *b, const char *s)
{
	uint32_t off = (uint32_t)b->nstr;

	memcpy(b->strs + b->nstr, s, strlen(s) + 1);
	b->nstr += strlen(s) + 1;
	return off;
}

/* Header (24 bytes), types, strings, as one buffer. */
static unsigned char *
finish(struct blob *b, size_t *len)
{
	size_t tlen = b->n * 4;
	unsigned char *p = malloc(24 + tlen + b->nstr);
	uint32_t hdr[6] = { 0x0001eb9f, 24, 0, (uint32_t)tlen, (uint32_t)tlen,
			    (uint32_t)b->nstr };

	memcpy(p, hdr, 24);
	memcpy(p + 24, b->types, tlen);
	memcpy(p + 24 + tlen, b->strs, b->nstr);
	*len = 24 + tlen + b->nstr;
	return p;
}

static void
on_alarm(int sig)
{
	static const char msg[] = "member search did not finish: exponential\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

static struct vd_type_source *
load(struct blob *b)
{
	size_t len;
	unsigned char *p = finish(b, &len);
	struct vd_type_source *src = NULL;

	CHECK_OK(vd_btf_source_from_blob(p, len, 8, &src));
	free(p);
	return src;
}

/*
 * [1] int; [2] struct S { 32 x anonymous S; int x; }.  And [3] struct D,
 * [4..42] anonymous structs: each has two anonymous members of the next,
 * the last holds int y.
 */
TEST(anonymous_members_searched_once)
{
	struct blob b = { .nstr = 1 };
	uint32_t s_int = str(&b, "int"), s_S = str(&b, "S"), s_x = str(&b, "x");
	uint32_t s_D = str(&b, "D"), s_y = str(&b, "y");
	struct vd_type_source *src;
	struct vd_qualified_type qt;
	struct vd_member_info mi;

	u32(&b, s_int);
	u32(&b, KIND_INT << 24);
	u32(&b, 4);
	u32(&b, 0x01000020);
	u32(&b, s_S);
	u32(&b, KIND_STRUCT << 24 | 33);
	u32(&b, 8);
	for (int i = 0; i < 32; i++) {
		u32(&b, 0);
		u32(&b, 2);
		u32(&b, 0);
	}
	u32(&b, s_x);
	u32(&b, 1);
	u32(&b, 32);
	for (uint32_t id = 3; id <= 42; id++) {
		u32(&b, id == 3 ? s_D : 0);
		u32(&b, KIND_STRUCT << 24 | 2);
		u32(&b, 8);
		for (int k = 0; k < 2; k++) {
			u32(&b, 0);
			u32(&b, id + 1);
			u32(&b, 0);
		}
	}
	u32(&b, 0);                     // [43]: struct { int y; }
	u32(&b, KIND_STRUCT << 24 | 1);
	u32(&b, 8);
	u32(&b, s_y);
	u32(&b, 1);
	u32(&b, 32);
	src = load(&b);
	if (!src)
		return;
	signal(SIGALRM, on_alarm);
	alarm(60);
	CHECK_OK(src->find(src, VD_TYPE_STRUCT, "S", &qt));
	CHECK_ERR(vd_type_member(qt.type, "nope", &mi), VD_ERR_LOOKUP);
	CHECK_OK(vd_type_member(qt.type, "x", &mi));
	CHECK_EQ_U64(mi.bit_offset, 32);
	CHECK_OK(src->find(src, VD_TYPE_STRUCT, "D", &qt));
	CHECK_ERR(vd_type_member(qt.type, "nope", &mi), VD_ERR_LOOKUP);
	CHECK_OK(vd_type_member(qt.type, "y", &mi));
	CHECK_EQ_U64(mi.bit_offset, 32);
	alarm(0);
	src->destroy(src);
}

/* Declarations of arrays of arrays past the dims buffer: cut, in bounds. */
TEST(long_array_declarations)
{
	struct vd_type t[60];
	struct vd_type base = { .kind = VD_TYPE_INT, .name = "int", .size = 4 };
	char buf[512];

	memset(t, 0, sizeof(t));
	for (int i = 0; i < 60; i++) {
		t[i].kind = VD_TYPE_ARRAY;
		t[i].length = UINT64_MAX;
		t[i].target.type = i + 1 < 60 ? &t[i + 1] : &base;
	}
	vd_type_format_decl((struct vd_qualified_type){ &t[0], 0 }, "a", buf, sizeof(buf));
	CHECK(!strncmp(buf, "int a[18446744073709551615][", 28));
	CHECK(strlen(buf) < sizeof(buf));
}

int
main(void)
{
	return RUN_TESTS();
}
