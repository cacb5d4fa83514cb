/* SPDX-License-Identifier: MIT */
/*
 * C-like expressions over the dead kernel's memory, wherever an address or
 * a value goes: "ffffffff81000000", "init_task", "schedule+0x10",
 * "&init_task.tasks", "init_task.mm->pgd", "*init_task.mm",
 * "((struct task_struct *)$task)->comm", "$panic_task", "jiffies + 250 * 4".
 *
 * Grammar, C's precedence: primary (number, symbol, $variable, '(' expr
 * ')', a cast '(' TYPE ')'), postfix ('.' member, '->' member, '[' index
 * ']'), unary ('&', '*', '-', '~', '!', sizeof), multiplicative, additive,
 * shifts, '&', '^', '|'.  Numbers: 0x hex, decimal, or in
 * VD_EXPR_ADDRESS mode bare hex as crash reads an address
 * ("ffffffff81000000", "1000"); a word of hex letters that names a symbol is
 * the symbol.
 *
 * A variable's type comes from DWARF (--vmlinux), else from a table of the
 * globals people print (expr/globals.c) with the type named and resolved
 * through the session's types (the BTF in the dump), else it is unknown:
 * the symbol still has an address, but reading, members or arithmetic on
 * its value fail with a message that says the type is unknown -- never a
 * guess.
 */
#ifndef VMDIVE_EXPR_H
#define VMDIVE_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmdive/ctype.h"
#include "vmdive/error.h"
#include "vmdive/session.h"

#ifdef __cplusplus
extern "C" {
#endif

enum vd_expr_mode {
	/*
	 * An address goes here (rd, struct, ...): bare hex is hex, a symbol
	 * alone or with an offset ("schedule+0x10") is its address, and the
	 * result is an address (vd_expr_address()).
	 */
	VD_EXPR_ADDRESS,
	/* A value (p): numbers are decimal unless 0x, symbols are values. */
	VD_EXPR_VALUE,
};

/* The result of an expression: an object in memory, or a plain value. */
struct vd_value {
	struct vd_qualified_type type;   /* .type NULL: the type is unknown */
	bool lvalue;                     /* in memory at addr (in space as) */
	enum vd_as as;
	uint64_t addr;
	uint32_t bit_offset, bit_field_size;
	uint64_t v;                      /* !lvalue: the value's bits */
	/*
	 * !lvalue with .type NULL and .pointee.type set: a pointer to
	 * pointee made by '&' where the session has no pointer type for it.
	 */
	struct vd_qualified_type pointee;
	/* A symbol by itself (no operator applied): its name. */
	char symbol[128];
	char symbol_type;                /* its nm letter ('T', 'D', ...) */
	bool type_from_table;            /* the type came from expr/globals.c */
};

/* Session variables ("$task"): the caller resolves them. */
typedef struct vd_error *vd_expr_var_fn(void *priv, const char *name,
					struct vd_value *ret);

struct vd_expr_env {
	enum vd_expr_mode mode;
	enum vd_as as;                   /* memory the expression reads:
					    VD_AS_KVIRT (kernel) or VD_AS_UVIRT */
	vd_expr_var_fn *var;             /* may be NULL: no variables */
	void *var_priv;
};

/* Evaluate text; errors are VD_ERR_INVALID_ARG for syntax, else the read's. */
struct vd_error *vd_expr_eval(struct vd_session *s, const char *text,
			      const struct vd_expr_env *env, struct vd_value *ret);
/*
 * Evaluate text as an address: a symbol or an object of struct, union,
 * array or unknown type gives its address; an integer or pointer value
 * gives the value ("init_task.mm" is the mm's address, "&x" x's).
 */
struct vd_error *vd_expr_address(struct vd_session *s, const char *text,
				 const struct vd_expr_env *env, uint64_t *ret);
/* An integer or pointer value's bits (read when an lvalue). */
struct vd_error *vd_value_read_u64(struct vd_session *s, const struct vd_value *v,
				   uint64_t *ret);
/* The value as a typed object in memory (lvalues only). */
void vd_value_object(struct vd_session *s, const struct vd_value *v,
		     struct vd_object *ret);

/* The type of a global variable: DWARF, else the table, else an error. */
struct vd_error *vd_expr_variable_type(struct vd_session *s, const char *name,
				       struct vd_qualified_type *ret,
				       bool *from_table_ret);

/* The table of globals (expr/globals.c), for tests and documentation. */
struct vd_global_type {
	const char *name;
	const char *type;      /* a C type name vd_session_find_type() takes; a
				  trailing "[]" takes the length from the
				  symbol's size */
	const char *history;   /* where the type changed, with commits */
	enum vd_arch arch;     /* the one architecture whose kernels have this
				  variable with this type; VD_ARCH_UNKNOWN: all */
};
extern const struct vd_global_type vd_global_types[];
extern const size_t vd_nglobal_types;

#ifdef __cplusplus
}
#endif
#endif
