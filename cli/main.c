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

enum {
	OPT_VMLINUX = 256,
	OPT_SYSTEM_MAP,
	OPT_JSON,
	OPT_ZERO_EXCLUDED,
	OPT_FORCE_VMLINUX,
	OPT_STATS,
	OPT_HELP,
	OPT_VERSION,
	OPT_RAW,
	OPT_ZERO_FILL,
	OPT_MODULE_DEBUG,
	OPT_SYSROOT,
	OPT_EXE,
	OPT_DECOMPRESS_LIMIT,
	OPT_FORCE_SYSTEM_MAP,
	OPT_CACHE_DIR,
	OPT_NO_CACHE,
	OPT_GROUP,
};

static const struct option long_options[] = {
	{ "vmlinux", required_argument, NULL, OPT_VMLINUX },
	{ "system-map", required_argument, NULL, OPT_SYSTEM_MAP },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "zero-excluded", no_argument, NULL, OPT_ZERO_EXCLUDED },
	{ "force-vmlinux", no_argument, NULL, OPT_FORCE_VMLINUX },
	{ "force-system-map", no_argument, NULL, OPT_FORCE_SYSTEM_MAP },
	{ "module-debug", required_argument, NULL, OPT_MODULE_DEBUG },
	{ "sysroot", required_argument, NULL, OPT_SYSROOT },
	{ "exe", required_argument, NULL, OPT_EXE },
	{ "decompress-limit", required_argument, NULL, OPT_DECOMPRESS_LIMIT },
	{ "cache-dir", required_argument, NULL, OPT_CACHE_DIR },
	{ "no-cache", no_argument, NULL, OPT_NO_CACHE },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "physical", no_argument, NULL, 'p' },
	{ "output", required_argument, NULL, 'o' },
	{ "len", required_argument, NULL, 'n' },
	{ "list", no_argument, NULL, 'l' },
	{ "threads", no_argument, NULL, 't' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "raw", no_argument, NULL, OPT_RAW },
	{ "zero-fill", no_argument, NULL, OPT_ZERO_FILL },
	{ "level", no_argument, NULL, 'l' },
	{ "notime", no_argument, NULL, 't' },
	{ "ctime", no_argument, NULL, 'T' },
	{ "dict", no_argument, NULL, 'd' },
	{ "group", no_argument, NULL, OPT_GROUP },
	{ 0 },
};

const char vd_cli_common_options[] =
	"  --vmlinux FILE       kernel ELF with symbols (and DWARF) for this dump\n"
	"  --system-map FILE    System.map for this dump's kernel\n"
	"  --force-vmlinux      use --vmlinux even if it does not match the dump\n"
	"  --force-system-map   use --system-map even if it does not match the dump\n"
	"                       (both are checked against VMCOREINFO's BUILD-ID,\n"
	"                       SYMBOL() values, else linux_banner)\n"
	"  --module-debug DIR   modules' debug files (NAME.ko, NAME.ko.debug) under\n"
	"                       DIR: their DWARF types and .symtab symbols\n"
	"  --sysroot DIR        process cores: look for the mapped files under DIR\n"
	"                       first (another machine's, a qemu-user -L prefix)\n"
	"  --exe FILE           process cores without NT_FILE: the executable\n"
	"  --json               print JSON instead of text\n"
	"  --zero-excluded      read pages the dump filtered out as zeros\n"
	"  --decompress-limit SIZE\n"
	"                       a .zst/.lz4/.xz dump may expand to SIZE bytes at most\n"
	"                       (K, M, G, T suffixes; default 64G, or the environment's\n"
	"                       VMDIVE_DECOMPRESS_LIMIT; never more than 7/8 of the\n"
	"                       temporary directory's free space)\n"
	"  --cache-dir DIR      keep what was decoded per kernel build-id (kallsyms\n"
	"                       index, BTF index) in DIR (default: $VMDIVE_CACHE_DIR,\n"
	"                       else $XDG_CACHE_HOME/vmdive, else ~/.cache/vmdive)\n"
	"  --no-cache           neither read nor write that cache\n"
	"  --stats              print page-cache statistics to stderr at exit\n"
	"  -h, --help           this help\n";

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
	vd_cli_error(cli, "%s", err->msg);
	vd_error_destroy(err);
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

static const struct vd_cmd *
find_command(const char *name)
{
	for (size_t i = 0; i < vd_ncommands; i++)
		if (!strcmp(vd_commands[i].name, name))
			return &vd_commands[i];
	return NULL;
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
	fprintf(out, "\nOptions for every command:\n%s", vd_cli_common_options);
	fprintf(out, "\n'vmdive help COMMAND' or 'vmdive COMMAND --help' explains one.\n");
}

static void
print_command_help(const struct vd_cmd *cmd, FILE *out)
{
	fprintf(out, "usage: %s\n\n%s\n", cmd->synopsis, cmd->description);
	if (cmd->options)
		fprintf(out, "\nOptions:\n%s", cmd->options);
	fprintf(out, "\nOptions for every command:\n%s", vd_cli_common_options);
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
	cmd = find_command(cli->args[0]);
	if (!cmd) {
		vd_cli_error(cli, "no command '%s'", cli->args[0]);
		return VD_EXIT_USAGE;
	}
	print_command_help(cmd, stdout);
	return VD_EXIT_OK;
}

const struct vd_cmd vd_help_command = {
	.name = "help", .run = cmd_help, .needs = VD_NEEDS_NOTHING,
	.min_args = 0, .max_args = 1,
};

static bool
is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && !S_ISDIR(st.st_mode);
}

/* Parse options (anywhere) and split positionals into dumps and args. */
static int
parse_args(struct vd_cli *cli, int argc, char **argv)
{
	char shortopts[64] = "+h";
	int c, first;

	// "-" prefix: report positionals in order (value 1) so that options
	// may follow DUMP, GNU style.
	snprintf(shortopts, sizeof(shortopts), "-h%s",
		 cli->cmd->shortopts ? cli->cmd->shortopts : "");
	cli->args = calloc((size_t)argc + 1, sizeof(char *));
	if (!cli->args)
		return VD_EXIT_FAIL;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, long_options, NULL)) != -1) {
		switch (c) {
		case 1: cli->args[cli->nargs++] = optarg; break;
		case OPT_VMLINUX: cli->session_opts.vmlinux = optarg; break;
		case OPT_SYSTEM_MAP: cli->session_opts.system_map = optarg; break;
		case OPT_FORCE_VMLINUX: cli->session_opts.force_vmlinux = true; break;
		case OPT_FORCE_SYSTEM_MAP: cli->session_opts.force_system_map = true; break;
		case OPT_MODULE_DEBUG: cli->session_opts.module_debug = optarg; break;
		case OPT_SYSROOT: cli->session_opts.sysroot = optarg; break;
		case OPT_EXE: cli->session_opts.exe = optarg; break;
		case OPT_DECOMPRESS_LIMIT:
			if (!vd_parse_size(optarg, &cli->session_opts.dump.decompress_limit)) {
				vd_cli_error(cli, "--decompress-limit %s: not a size (bytes, or a number with K, M, G or T)",
					     optarg);
				return VD_EXIT_USAGE;
			}
			break;
		case OPT_CACHE_DIR: cli->session_opts.cache_dir = optarg; break;
		case OPT_NO_CACHE: cli->session_opts.no_cache = true; break;
		case OPT_JSON: cli->json = true; break;
		case OPT_ZERO_EXCLUDED: cli->session_opts.dump.zero_excluded = true; break;
		case OPT_STATS: cli->stats = true; break;
		case OPT_RAW: case OPT_ZERO_FILL:
			// Long-only options of the extraction commands.
			if (strncmp(cli->cmd->name, "dump-", 5) ||
			    (c == OPT_RAW && strcmp(cli->cmd->name, "dump-module"))) {
				vd_cli_error(cli, "option --%s does not apply to this command",
					     c == OPT_RAW ? "raw" : "zero-fill");
				return VD_EXIT_USAGE;
			}
			if (c == OPT_RAW)
				cli->raw = true;
			else
				cli->zero_fill = true;
			break;
		case OPT_GROUP:
			if (strcmp(cli->cmd->name, "bt")) {
				vd_cli_error(cli, "option --group does not apply to this command");
				return VD_EXIT_USAGE;
			}
			cli->group = true;
			break;
		case 'a': case 'A': case 'f': case 'r':
			// bt's options (and ps -a)
			if (!cli->cmd->shortopts || !strchr(cli->cmd->shortopts, c)) {
				vd_cli_error(cli, "option -%c does not apply to this command", c);
				return VD_EXIT_USAGE;
			}
			if (c == 'a' && !strcmp(cli->cmd->name, "ps"))
				cli->ps_args = true;          // ps -a
			else if (c == 'a')
				cli->bt_cpus = true;
			else if (c == 'A')
				cli->bt_all = true;
			else if (c == 'f')
				cli->bt_words = true;
			else
				cli->bt_regs = true;
			break;
		case 'h': case OPT_HELP:
			print_command_help(cli->cmd, stdout);
			exit(VD_EXIT_OK);
		case 'u':   // rd/vtop -u PID
			if (!cli->cmd->shortopts || !strchr(cli->cmd->shortopts, c)) {
				vd_cli_error(cli, "option -%c does not apply to this command", c);
				return VD_EXIT_USAGE;
			}
			cli->upid = optarg;
			break;
		case 'i': case 's': case 'S':   // kmem -i, -s, -S
			if (!cli->cmd->shortopts || !strchr(cli->cmd->shortopts, c)) {
				vd_cli_error(cli, "option -%c does not apply to this command", c);
				return VD_EXIT_USAGE;
			}
			cli->kmem_mode = (char)c;
			break;
		case 'p': case 'o': case 'l': case 't': case 'T': case 'd': case 'v':
		case 'n':
			if (!cli->cmd->shortopts || !strchr(cli->cmd->shortopts, c)) {
				vd_cli_error(cli, "option -%c does not apply to this command", c);
				return VD_EXIT_USAGE;
			}
			if (c == 't')
				cli->threads = true;     // ps -t; log -t below
			if (c == 'v')
				cli->verbose = true;     // vmalloc -v
			else if (c == 'p')
				cli->physical = true;
			else if (c == 'l')
				cli->list = true;
			else if (c == 't')
				cli->no_time = true;
			else if (c == 'T')
				cli->ctime = true;
			else if (c == 'd')
				cli->dict = true;
			else if (c == 'n')
				cli->len = optarg;
			else
				cli->output = optarg;
			break;
		case '?':
		default:
			if (optopt)
				vd_cli_error(cli, "bad option -%c (or missing argument)", optopt);
			else
				vd_cli_error(cli, "bad option '%s' (or missing argument)",
					     argv[optind - 1]);
			return VD_EXIT_USAGE;
		}
	}
	while (optind < argc)   // after "--"
		cli->args[cli->nargs++] = argv[optind++];
	if (!(cli->cmd->needs & VD_NEEDS_DUMP))
		return VD_EXIT_OK;
	for (first = 0; first < cli->nargs && is_file(cli->args[first]); first++)
		;
	if (!first) {
		struct stat st;

		// Say why the first word is not a dump: the OS's reason.
		if (cli->nargs && stat(cli->args[0], &st) < 0)
			vd_cli_error(cli, "%s: %s", cli->args[0], strerror(errno));
		else if (cli->nargs)
			vd_cli_error(cli, "%s: %s", cli->args[0], strerror(EISDIR));
		else
			vd_cli_error(cli, "no dump file given (see 'vmdive help %s')",
				     cli->cmd->name);
		return VD_EXIT_USAGE;
	}
	cli->dumps = (const char *const *)cli->args;
	cli->ndumps = first;
	cli->args += first;
	cli->nargs -= first;
	return VD_EXIT_OK;
}

static int
check_arg_count(struct vd_cli *cli)
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

/*
 * Accept options before the command too ("vmdive --json info DUMP"): move
 * the first word that is not an option or an option's value to argv[1].
 */
static void
hoist_command(int argc, char **argv)
{
	static const char *const with_value[] = { "--vmlinux", "--system-map",
						  "--output", "-o", "--len", "-n",
						  "--sysroot",
						  "--module-debug",
						  "--exe", "--decompress-limit",
						  "--cache-dir" };

	for (int i = 1; i < argc; i++) {
		bool takes_value = false;

		if (argv[i][0] != '-') {
			char *cmd = argv[i];

			memmove(&argv[2], &argv[1], (size_t)(i - 1) * sizeof(*argv));
			argv[1] = cmd;
			return;
		}
		if (!strcmp(argv[i], "--"))
			return;
		for (size_t k = 0; k < VD_ARRAY_SIZE(with_value); k++)
			takes_value |= !strcmp(argv[i], with_value[k]);
		i += takes_value;
	}
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
	hoist_command(argc, argv);
	cli.cmd = !strcmp(argv[1], "help") ? &vd_help_command : find_command(argv[1]);
	if (!cli.cmd) {
		vd_cli_error(NULL, "no command '%s' (try 'vmdive help')", argv[1]);
		return VD_EXIT_USAGE;
	}
	ret = parse_args(&cli, argc - 1, argv + 1);
	args_base = cli.dumps ? (char **)cli.dumps : cli.args;
	if (ret == VD_EXIT_OK)
		ret = check_arg_count(&cli);
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
	vd_cli_utask_close(&cli);
	vd_session_close(cli.session);
	free(args_base);
	return ret;
}
