// SPDX-License-Identifier: MIT
/* vmdive p: the typed value of an expression, like crash's (gdb's) print. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int
vd_cmd_print(struct vd_cli *cli)
{
	struct vd_expr_env env;
	int ret = VD_EXIT_OK;

	vd_cli_expr_env(cli, VD_EXPR_VALUE, &env);
	if (cli->json && cli->nargs > 1)
		vd_json_begin_array(&cli->j);
	for (int i = 0; i < cli->nargs; i++) {
		struct vd_value v;
		struct vd_error *err = vd_expr_eval(cli->session, cli->args[i], &env, &v);
		int r;

		if (err) {
			if (cli->json)
				vd_cli_json_error(cli, err, 0);
			else
				vd_cli_report(cli, err);
			ret = VD_EXIT_FAIL;
			continue;
		}
		r = cli->json ? vd_cli_json_value(cli, cli->args[i], &v)
			      : vd_cli_show_value(cli, cli->args[i], &v);
		if (r != VD_EXIT_OK)
			ret = r;
	}
	if (cli->json && cli->nargs > 1)
		vd_json_end_array(&cli->j);
	if (cli->json)
		fputc('\n', stdout);
	return ret;
}
