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
			if (cli->json && cli->nargs > 1) {
				// In the array, in its place: {expression, error}.
				vd_json_begin_object(&cli->j);
				vd_json_kv_string(&cli->j, "expression", cli->args[i]);
				vd_json_key(&cli->j, "error");
				vd_json_begin_object(&cli->j);
				vd_json_kv_string(&cli->j, "code", vd_error_code_name(err->code));
				vd_json_kv_string(&cli->j, "message", err->msg);
				vd_json_end_object(&cli->j);
				vd_json_end_object(&cli->j);
				vd_cli_report(cli, err);
			} else if (cli->json) {
				vd_cli_json_error(cli, err, 0);
			} else {
				vd_cli_report(cli, err);
			}
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
	return ret;
}
