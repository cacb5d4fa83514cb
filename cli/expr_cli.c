// SPDX-License-Identifier: MIT
/* Expressions on the command line: session variables and addresses. */
#include <inttypes.h>
#include <string.h>

#include "cli.h"
#include "vmdive/walk.h"

/* The task that panicked, found once per session. */
static struct vd_error *
panic_task(struct vd_cli *cli, uint64_t *ret)
{
	struct vd_task_iter it;
	struct vd_error *err;

	if (!cli->panic_task_known) {
		err = vd_task_iter_init(&it, cli->session, false);
		if (err)
			return vd_error_wrap(err, "$panic_task");
		cli->panic_task = it.panic_task;
		cli->panic_task_known = true;
		vd_task_iter_deinit(&it);
	}
	if (!cli->panic_task)
		return vd_error_create(VD_ERR_LOOKUP,
				       "$panic_task: the dump does not say which task panicked");
	*ret = cli->panic_task;
	return NULL;
}

static struct vd_error *
task_value(struct vd_cli *cli, uint64_t addr, struct vd_value *ret)
{
	struct vd_qualified_type qt = { 0 };
	struct vd_error *err = vd_session_find_type(cli->session, "struct task_struct *", &qt);

	vd_error_destroy(err);
	*ret = (struct vd_value){ .type = err ? (struct vd_qualified_type){ 0 } : qt,
				  .v = addr };
	return NULL;
}

static struct vd_error *
cli_var(void *priv, const char *name, struct vd_value *ret)
{
	struct vd_cli *cli = priv;
	struct vd_error *err;
	uint64_t addr;

	if (!strcmp(name, "panic_task")) {
		err = panic_task(cli, &addr);
		return err ? err : task_value(cli, addr, ret);
	}
	if (!strcmp(name, "task")) {
		if (cli->task_context)
			return task_value(cli, cli->task_context, ret);
		err = panic_task(cli, &addr);
		if (err)
			return vd_error_wrap(err, "$task (no task chosen with 'set', and no panic task)");
		return task_value(cli, addr, ret);
	}
	return vd_error_create(VD_ERR_LOOKUP, "no variable $%s (there are $task and $panic_task)",
			       name);
}

void
vd_cli_expr_env(struct vd_cli *cli, enum vd_expr_mode mode, struct vd_expr_env *ret)
{
	const struct vd_dump_info *info = cli->session ? vd_session_info(cli->session) : NULL;

	*ret = (struct vd_expr_env){
		.mode = mode,
		.as = info && info->kind == VD_DUMP_USER ? VD_AS_UVIRT : VD_AS_KVIRT,
		.var = cli_var, .var_priv = cli,
	};
}

bool
vd_cli_addr(struct vd_cli *cli, const char *arg, uint64_t *ret)
{
	struct vd_expr_env env;
	struct vd_error *err;

	// Plain hex needs no session (and reads nothing).
	if (vd_cli_parse_addr(arg, ret))
		return true;
	if (!cli->session) {
		vd_cli_error(cli, "'%s' is not a hex address", arg);
		return false;
	}
	vd_cli_expr_env(cli, VD_EXPR_ADDRESS, &env);
	err = vd_expr_address(cli->session, arg, &env, ret);
	if (err) {
		vd_cli_report(cli, vd_error_wrap(err, "'%s' is not an address", arg));
		return false;
	}
	return true;
}
