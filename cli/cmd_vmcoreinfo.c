// SPDX-License-Identifier: MIT
/* vmdive vmcoreinfo: the raw VMCOREINFO text. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void
json_lines(struct vd_cli *cli, const char *text)
{
	struct vd_json *j = &cli->j;

	vd_json_begin_object(j);
	vd_json_kv_string(j, "text", text);
	vd_json_key(j, "entries");
	vd_json_begin_array(j);
	while (*text) {
		const char *nl = strchr(text, '\n'), *eq;
		size_t len = nl ? (size_t)(nl - text) : strlen(text);

		eq = memchr(text, '=', len);
		if (eq && eq != text) {
			vd_json_begin_object(j);
			vd_json_key(j, "key");
			vd_json_string_len(j, text, (size_t)(eq - text));
			vd_json_key(j, "value");
			vd_json_string_len(j, eq + 1, len - (size_t)(eq - text) - 1);
			vd_json_end_object(j);
		}
		text += len + (nl != NULL);
	}
	vd_json_end_array(j);
	vd_json_end_object(j);
}

int
vd_cmd_vmcoreinfo(struct vd_cli *cli)
{
	const struct vd_dump_info *info = vd_session_info(cli->session);

	if (!info->vmcoreinfo) {
		vd_cli_error(cli, "%s: the dump has no VMCOREINFO note%s", info->path,
			     info->kind == VD_DUMP_KERNEL ?
			     " (QEMU writes one only with -device vmcoreinfo and the guest's qemu_fw_cfg driver)" :
			     " (it is a process core)");
		return VD_EXIT_FAIL;
	}
	if (cli->nargs) {
		const char *v = vd_session_vmcoreinfo(cli->session, cli->args[0]);

		if (!v) {
			vd_cli_error(cli, "%s: no VMCOREINFO key '%s'", info->path,
				     cli->args[0]);
			return VD_EXIT_FAIL;
		}
		if (cli->json) {
			vd_json_begin_object(&cli->j);
			vd_json_kv_string(&cli->j, cli->args[0], v);
			vd_json_end_object(&cli->j);
		} else {
			printf("%s\n", v);
		}
		return VD_EXIT_OK;
	}
	if (cli->json)
		json_lines(cli, info->vmcoreinfo);
	else
		fputs(info->vmcoreinfo, stdout);
	if (!cli->json && info->vmcoreinfo_len &&
	    info->vmcoreinfo[info->vmcoreinfo_len - 1] != '\n')
		putchar('\n');
	return VD_EXIT_OK;
}
