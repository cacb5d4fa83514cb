/* SPDX-License-Identifier: MIT */
/*
 * A single-header unit-test harness.
 *
 *   TEST(name) { CHECK(x == 1); CHECK_EQ_U64(a, b); CHECK_OK(err); }
 *   int main(void) { return RUN_TESTS(); }
 *
 * Tests register themselves via a constructor.  A failed CHECK prints
 * file:line and the expression, marks the test failed and goes on.  Exit
 * status: 0 all passed, 1 a test failed.
 */
#ifndef VD_TEST_HARNESS_H
#define VD_TEST_HARNESS_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vmdive/error.h"

struct vd_test {
	const char *name;
	void (*fn)(void);
};

static struct vd_test vd_tests_[256];
static int vd_ntests_, vd_failed_now_, vd_checks_;

#define TEST(name_)                                                         \
	static void test_##name_(void);                                     \
	__attribute__((constructor)) static void register_##name_(void)     \
	{                                                                   \
		if (vd_ntests_ < 256)                                       \
			vd_tests_[vd_ntests_++] =                           \
				(struct vd_test){ #name_, test_##name_ };   \
	}                                                                   \
	static void test_##name_(void)

#define CHECK(cond)                                                         \
	do {                                                                \
		vd_checks_++;                                               \
		if (!(cond)) {                                              \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n",        \
				__FILE__, __LINE__, #cond);                 \
			vd_failed_now_ = 1;                                 \
		}                                                           \
	} while (0)

#define CHECK_EQ_U64(a, b)                                                  \
	do {                                                                \
		uint64_t a_ = (a), b_ = (b);                                \
		vd_checks_++;                                               \
		if (a_ != b_) {                                             \
			fprintf(stderr,                                     \
				"%s:%d: %s == %s failed: 0x%" PRIx64        \
				" != 0x%" PRIx64 "\n",                      \
				__FILE__, __LINE__, #a, #b, a_, b_);        \
			vd_failed_now_ = 1;                                 \
		}                                                           \
	} while (0)

#define CHECK_STR(a, b)                                                     \
	do {                                                                \
		const char *a_ = (a), *b_ = (b);                            \
		vd_checks_++;                                               \
		if (!a_ || !b_ || strcmp(a_, b_)) {                         \
			fprintf(stderr, "%s:%d: \"%s\" != \"%s\"\n",        \
				__FILE__, __LINE__, a_ ? a_ : "(null)",     \
				b_ ? b_ : "(null)");                        \
			vd_failed_now_ = 1;                                 \
		}                                                           \
	} while (0)

/* err must be NULL; prints and frees it otherwise. */
#define CHECK_OK(expr)                                                      \
	do {                                                                \
		struct vd_error *e_ = (expr);                               \
		vd_checks_++;                                               \
		if (e_) {                                                   \
			fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, \
				__LINE__, #expr, e_->msg);                  \
			vd_error_destroy(e_);                               \
			vd_failed_now_ = 1;                                 \
		}                                                           \
	} while (0)

/* expr must fail with the given code; the error is freed. */
#define CHECK_ERR(expr, code_)                                              \
	do {                                                                \
		struct vd_error *e_ = (expr);                               \
		vd_checks_++;                                               \
		if (!e_ || e_->code != (code_)) {                           \
			fprintf(stderr, "%s:%d: %s: expected %s, got %s\n", \
				__FILE__, __LINE__, #expr,                  \
				vd_error_code_name(code_),                  \
				e_ ? e_->msg : "success");                  \
			vd_failed_now_ = 1;                                 \
		}                                                           \
		vd_error_destroy(e_);                                       \
	} while (0)

static inline int
vd_run_tests_(void)
{
	int failed = 0;

	for (int i = 0; i < vd_ntests_; i++) {
		vd_failed_now_ = 0;
		vd_tests_[i].fn();
		printf("%s %s\n", vd_failed_now_ ? "FAIL" : "ok  ",
		       vd_tests_[i].name);
		failed += vd_failed_now_;
	}
	printf("%d passed, %d failed (%d checks)\n", vd_ntests_ - failed,
	       failed, vd_checks_);
	return failed ? 1 : 0;
}
#define RUN_TESTS() vd_run_tests_()

#endif
