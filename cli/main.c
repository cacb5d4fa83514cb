// SPDX-License-Identifier: MIT
/* vmdive's main: option parsing, dump opening and dispatch. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "common/util.h"
#include "vmdive/vmdive.h"

/*
 * The last error of this command, for --json: a failed command that wrote
 * no JSON gets it as {"error": ...} on stdout (vd_cli_json_failure).
 */
static struct {
	char msg[1024];
	const char *code;          /* vd_error_code_name(), NULL: not a vd_error */
	uint64_t addr;
	bool has_addr, set;
} last_error;
static const char *pending_code;   /* set by vd_cli_report for the next line */
static uint64_t pending_addr;
static bool pending_has_addr;

void
vd_cli_error(const struct vd_cli *cli, const char *fmt, ...)
{
	va_list ap;

	static bool damage_told;
	const struct vd_dump_info *info = cli && cli->session ?
					  vd_session_info(cli->session) : NULL;

	// Keep stdout and stderr in order when both go to one terminal/file.
	fflush(stdout);
	// A damaged dump explains most errors: say so once, before the first.
	if (info && info->damage && !damage_told) {
		damage_told = true;
		fprintf(stderr, "vmdive: %s%sdamaged dump: %s\n",
			cli->cmd ? cli->cmd->name : "", cli->cmd ? ": " : "",
			info->damage);
	}
	va_start(ap, fmt);
	vsnprintf(last_error.msg, sizeof(last_error.msg), fmt, ap);
	va_end(ap);
	last_error.code = pending_code;
	last_error.addr = pending_addr;
	last_error.has_addr = pending_has_addr;
	last_error.set = true;
	pending_code = NULL;
	pending_has_addr = false;
	fprintf(stderr, "vmdive: %s%s", cli && cli->cmd ? cli->cmd->name : "",
		cli && cli->cmd ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
vd_cli_report(const struct vd_cli *cli, struct vd_error *err)
{
	pending_code = vd_error_code_name(err->code);
	pending_has_addr = err->as != VD_AS_NONE || err->addr;
	pending_addr = err->addr;
	vd_cli_error(cli, "%s", err->msg);
	vd_error_destroy(err);
}

/* {"error": {"code", "message", "file", "address"}} on stdout. */
static void
json_error_object(const struct vd_cli *cli, const char *code, const char *msg,
		  bool has_addr, uint64_t addr)
{
	struct vd_json j;

	vd_json_init(&j, stdout);
	vd_json_begin_object(&j);
	vd_json_key(&j, "error");
	vd_json_begin_object(&j);
	vd_json_kv_string(&j, "code", code);
	vd_json_kv_string(&j, "message", msg);
	vd_json_kv_string(&j, "file", cli && cli->dumps && cli->ndumps ? cli->dumps[0] : NULL);
	vd_json_key(&j, "address");
	if (has_addr)
		vd_json_hex(&j, addr);
	else
		vd_json_null(&j);
	vd_json_end_object(&j);
	vd_json_end_object(&j);
}

void
vd_cli_json_error(struct vd_cli *cli, struct vd_error *err, uint64_t addr)
{
	bool has_addr = addr || err->as != VD_AS_NONE || err->addr;

	json_error_object(cli, vd_error_code_name(err->code), err->msg, has_addr,
			  addr ? addr : err->addr);
	vd_cli_error(cli, "%s", err->msg);
	vd_error_destroy(err);
}

const char *
vd_cli_last_error(void)
{
	return last_error.set ? last_error.msg : "";
}

void
vd_cli_json_query_error(struct vd_cli *cli, const char *query)
{
	vd_json_begin_object(&cli->j);
	vd_json_kv_string(&cli->j, "query", query);
	vd_json_key(&cli->j, "error");
	vd_json_begin_object(&cli->j);
	vd_json_kv_string(&cli->j, "code", last_error.set ? last_error.code : NULL);
	vd_json_kv_string(&cli->j, "message", last_error.set ? last_error.msg : NULL);
	vd_json_end_object(&cli->j);
	vd_json_end_object(&cli->j);
}

void
vd_cli_json_start(void)
{
	last_error.set = false;
	vd_json_wrote_stdout = false;
}

int
vd_cli_json_failure(const struct vd_cli *cli, bool json, int ret)
{
	if (!json || ret == VD_EXIT_OK || vd_json_wrote_stdout)
		return ret;
	// The shell's commands ran in children that reported their own.
	if (cli && cli->cmd && cli->cmd->run == vd_cmd_shell && !last_error.set)
		return ret;
	// A bad command line has no vd_error behind it: "invalid argument".
	json_error_object(cli, last_error.code ? last_error.code :
			  ret == VD_EXIT_USAGE ? "invalid argument" : NULL,
			  last_error.set ? last_error.msg : "failed (no message)",
			  last_error.has_addr, last_error.addr);
	return ret;
}

/* Whether argv asks for JSON (before the parser has read it). */
bool
vd_cli_argv_json(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--json"))
			return true;
	}
	return false;
}

bool
vd_cli_parse_addr(const char *s, uint64_t *ret)
{
	return vd_parse_u64(s, 16, ret);
}

void
vd_cli_format_size(uint64_t size, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB",
					     "PiB", "EiB" };
	unsigned u = 0;
	uint64_t v = size;

	while (v >= 1024 && !(v % 1024) && u + 1 < VD_ARRAY_SIZE(units)) {
		v /= 1024;
		u++;
	}
	if (v < 1024 || u + 1 == VD_ARRAY_SIZE(units)) {
		snprintf(buf, len, "%llu %s", (unsigned long long)v, units[u]);
		return;
	}
	// Not a whole number of the next unit: one decimal.
	{
		double d = (double)v;

		while (d >= 1024 && u + 1 < VD_ARRAY_SIZE(units)) {
			d /= 1024;
			u++;
		}
		snprintf(buf, len, "%.1f %s", d, units[u]);
	}
}

void
vd_cli_symbolize(struct vd_cli *cli, uint64_t addr, char *buf, size_t len)
{
	struct vd_symbol_info sym;

	buf[0] = '\0';
	if (!cli->session || !vd_session_symbolize(cli->session, addr, &sym))
		return;
	if (sym.offset)
		snprintf(buf, len, "%s+0x%llx%s%s%s", sym.name,
			 (unsigned long long)sym.offset, sym.module ? " [" : "",
			 sym.module ? sym.module : "", sym.module ? "]" : "");
	else
		snprintf(buf, len, "%s%s%s%s", sym.name, sym.module ? " [" : "",
			 sym.module ? sym.module : "", sym.module ? "]" : "");
}

/* An unknown command: the nearest one, if any is near. */
static void
no_command(const struct vd_cli *cli, const char *name)
{
	const struct vd_cmd *near = vd_cli_nearest_command(name);
	struct stat st;

	if (near)
		vd_cli_error(cli, "no command '%s'; did you mean '%s'?", name,
			     near->name);
	else if (!cli && stat(name, &st) == 0)
		vd_cli_error(cli, "no command '%s': the command comes first, "
			     "'vmdive COMMAND %s' (try 'vmdive help')", name, name);
	else
		vd_cli_error(cli, "no command '%s' (try 'vmdive help')", name);
}

static void
print_usage(FILE *out)
{
	fprintf(out,
		"usage: vmdive COMMAND [OPTIONS] DUMP [DUMP...] [ARGS...]\n"
		"\n%s\nCommands:\n", vd_cli_about);
	for (size_t i = 0; i < vd_ncommands; i++)
		fprintf(out, "  %-12s %s\n", vd_commands[i].name,
			vd_commands[i].summary);
	fprintf(out, "\nOptions for every command:\n");
	vd_cli_print_opts(vd_common_opts, out);
	fprintf(out, "\nExit status: 0 it worked; 1 it ran but something failed; 2 the\n"
		"command line is wrong or the dump cannot be opened.\n");
	fprintf(out, "\n'vmdive help COMMAND' or 'vmdive COMMAND --help' explains one.\n");
}

void
vd_cli_print_command_help(const struct vd_cmd *cmd, FILE *out)
{
	fprintf(out, "usage: %s\n\n%s\n", cmd->synopsis, cmd->description);
	if (cmd->opts) {
		fprintf(out, "\nOptions:\n");
		vd_cli_print_opts(cmd->opts, out);
	}
	fprintf(out, "\nOptions for every command:\n");
	vd_cli_print_opts(vd_common_opts, out);
	if (cmd->examples)
		fprintf(out, "\nExamples:\n%s", cmd->examples);
}

static int
cmd_help(struct vd_cli *cli)
{
	const struct vd_cmd *cmd;

	if (!cli->nargs) {
		print_usage(stdout);
		return VD_EXIT_OK;
	}
	cmd = vd_cli_find_command(cli->args[0]);
	if (!cmd) {
		no_command(cli, cli->args[0]);
		return VD_EXIT_USAGE;
	}
	vd_cli_print_command_help(cmd, stdout);
	return VD_EXIT_OK;
}

const struct vd_cmd vd_help_command = {
	.name = "help", .run = cmd_help, .needs = VD_NEEDS_NOTHING,
	.min_args = 0, .max_args = 1,
};

int
vd_cli_check_args(struct vd_cli *cli)
{
	if (cli->nargs < cli->cmd->min_args) {
		vd_cli_error(cli, "missing argument (usage: %s)", cli->cmd->synopsis);
		return VD_EXIT_USAGE;
	}
	if (cli->cmd->max_args >= 0 && cli->nargs > cli->cmd->max_args) {
		vd_cli_error(cli, "unexpected argument '%s' (usage: %s)",
			     cli->args[cli->cmd->max_args], cli->cmd->synopsis);
		return VD_EXIT_USAGE;
	}
	return VD_EXIT_OK;
}

static void
print_stats(struct vd_cli *cli)
{
	struct vd_cache_stats st;

	vd_dump_cache_stats(vd_session_dump(cli->session), &st);
	fprintf(stderr,
		"vmdive: page cache: %llu hits, %llu misses, %llu evictions, %zu/%zu pages\n",
		(unsigned long long)st.hits, (unsigned long long)st.misses,
		(unsigned long long)st.evictions, st.used, st.capacity);
}

int
main(int argc, char **argv)
{
	struct vd_cli cli = { .out = stdout };
	char **args_base;
	int ret;

	if (argc < 2) {
		print_usage(stderr);
		return VD_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_usage(stdout);
		return VD_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("vmdive %s\n", vd_version());
		return VD_EXIT_OK;
	}
	// The documentation the build makes from the command table (cli/doc.c).
	if (argc == 3 && !strcmp(argv[1], "help") && !strcmp(argv[2], "--man"))
		return vd_cli_write_man(stdout);
	if (argc == 3 && !strcmp(argv[1], "help") && !strcmp(argv[2], "--bash-completion"))
		return vd_cli_write_bash_completion(stdout);
	bool argv_json = vd_cli_argv_json(argc, argv);

	vd_cli_json_start();
	if (!vd_cli_hoist_command(argc, argv)) {
		vd_cli_error(NULL, "no command given (try 'vmdive help')");
		return vd_cli_json_failure(NULL, argv_json, VD_EXIT_USAGE);
	}
	cli.cmd = vd_cli_find_command(argv[1]);
	char **shell_argv = NULL;	// "vmdive DUMP...": argv with "shell" put in
	if (!cli.cmd && vd_cli_is_dump_file(argv[1])) {
		// "vmdive DUMP [DUMP...]": a session (argv has room: argv[argc]
		// is NULL, and the command's name replaces nothing).
		static char shell_name[] = "shell";
		char **nargv = calloc((size_t)argc + 2, sizeof(*nargv));

		if (!nargv)
			return VD_EXIT_FAIL;
		nargv[0] = argv[0];
		nargv[1] = shell_name;
		memcpy(&nargv[2], &argv[1], (size_t)(argc - 1) * sizeof(*argv));
		argv = shell_argv = nargv;
		argc++;
		cli.cmd = vd_cli_find_command("shell");
	}
	if (!cli.cmd) {
		no_command(NULL, argv[1]);
		free(shell_argv);
		return vd_cli_json_failure(NULL, argv_json, VD_EXIT_USAGE);
	}
	ret = vd_cli_parse(&cli, argc - 1, argv + 1, false);
	args_base = cli.dumps ? (char **)cli.dumps : cli.args;
	if (ret == VD_EXIT_OK && cli.help) {
		vd_cli_print_command_help(cli.cmd, stdout);
		free(args_base);
		free(shell_argv);
		return VD_EXIT_OK;
	}
	if (ret == VD_EXIT_OK)
		ret = vd_cli_check_args(&cli);
	if (ret == VD_EXIT_OK && (cli.cmd->needs & VD_NEEDS_DUMP)) {
		struct vd_error *err = vd_session_open(cli.dumps, (size_t)cli.ndumps,
						       &cli.session_opts,
						       &cli.session);
		if (err) {
			vd_cli_report(&cli, err);
			ret = VD_EXIT_USAGE;
		}
	}
	if (ret == VD_EXIT_OK) {
		vd_json_init(&cli.j, stdout);
		ret = cli.cmd->run(&cli);
		if (cli.stats && cli.session)
			print_stats(&cli);
	}
	if (fflush(stdout) != 0 && ret == VD_EXIT_OK) {
		vd_cli_error(&cli, "cannot write output");
		ret = VD_EXIT_FAIL;
	}
	ret = vd_cli_json_failure(&cli, cli.json || argv_json, ret);
	vd_cli_utask_close(&cli);
	vd_session_close(cli.session);
	free(args_base);
	free(shell_argv);
	return ret;
}
