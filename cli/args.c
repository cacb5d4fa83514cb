// SPDX-License-Identifier: MIT
/*
 * Command lines: each command's options come from its entry in the command
 * table (struct vd_opt), the dump is told apart from the arguments by
 * position and content, and a wrong command line gets a message that says
 * what was probably meant.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "common/util.h"

const struct vd_opt vd_common_opts[] = {
	{ .id = VD_OPT_VMLINUX, .long_name = "vmlinux", .arg = "FILE",
	  .help = "kernel ELF with symbols (and DWARF) for this dump" },
	{ .id = VD_OPT_SYSTEM_MAP, .long_name = "system-map", .arg = "FILE",
	  .help = "System.map for this dump's kernel" },
	{ .id = VD_OPT_FORCE_VMLINUX, .long_name = "force-vmlinux",
	  .help = "use --vmlinux even if it does not match the dump" },
	{ .id = VD_OPT_FORCE_SYSTEM_MAP, .long_name = "force-system-map",
	  .help = "use --system-map even if it does not match the dump\n"
		  "(both are checked against VMCOREINFO's BUILD-ID,\n"
		  "SYMBOL() values, else linux_banner)" },
	{ .id = VD_OPT_MODULE_DEBUG, .long_name = "module-debug", .arg = "DIR",
	  .help = "modules' debug files (NAME.ko, NAME.ko.debug) under\n"
	  "DIR: their DWARF types and .symtab symbols" },
	{ .id = VD_OPT_SYSROOT, .long_name = "sysroot", .arg = "DIR",
	  .help = "process cores: look for the mapped files under DIR\n"
	  "first (another machine's, a qemu-user -L prefix)" },
	{ .id = VD_OPT_EXE, .long_name = "exe", .arg = "FILE",
	  .help = "process cores without NT_FILE: the executable" },
	{ .id = VD_OPT_JSON, .long_name = "json",
	  .help = "print JSON instead of text" },
	{ .id = VD_OPT_ZERO_EXCLUDED, .long_name = "zero-excluded",
	  .help = "read pages the dump filtered out as zeros" },
	{ .id = VD_OPT_DECOMPRESS_LIMIT, .long_name = "decompress-limit", .arg = "SIZE",
	  .help = "a .zst/.lz4/.xz dump may expand to SIZE bytes at most\n"
		  "(K, M, G, T suffixes; default 64G, or the environment's\n"
		  "VMDIVE_DECOMPRESS_LIMIT; never more than 7/8 of the\n"
		  "temporary directory's free space)" },
	{ .id = VD_OPT_CACHE_DIR, .long_name = "cache-dir", .arg = "DIR",
	  .help = "keep what was decoded per kernel build-id (kallsyms\n"
		  "index, BTF index, a compressed dump's BTF blob, the\n"
		  "vmlinux's DWARF name index and symbol table) in DIR (default: $VMDIVE_CACHE_DIR,\n"
		  "else $XDG_CACHE_HOME/vmdive, else ~/.cache/vmdive)" },
	{ .id = VD_OPT_NO_CACHE, .long_name = "no-cache",
	  .help = "neither read nor write that cache" },
	{ .id = VD_OPT_STATS, .long_name = "stats",
	  .help = "print page-cache statistics to stderr at exit" },
	{ .id = VD_OPT_HELP, .short_name = 'h', .long_name = "help",
	  .help = "this help" },
	{ 0 },
};

#define OPT_COLUMN 20

void
vd_cli_print_opts(const struct vd_opt *opts, FILE *out)
{
	for (const struct vd_opt *o = opts; o && o->id; o++) {
		char left[64];
		const char *h = o->help, *nl;
		int n = 0;

		if (o->word)
			n = snprintf(left, sizeof(left), "%s%s", o->word,
				     o->long_name ? ", " : "");
		else if (o->short_name)
			n = snprintf(left, sizeof(left), "-%c%s", o->short_name,
				     o->long_name ? ", " : "");
		if (o->long_name)
			n += snprintf(left + n, sizeof(left) - (size_t)n, "--%s",
				      o->long_name);
		if (o->arg)
			snprintf(left + n, sizeof(left) - (size_t)n, " %s", o->arg);
		if (strlen(left) >= OPT_COLUMN)
			fprintf(out, "  %s\n  %-*s", left, OPT_COLUMN, "");
		else
			fprintf(out, "  %-*s", OPT_COLUMN, left);
		for (;;) {
			nl = strchr(h, '\n');
			fprintf(out, " %.*s\n", nl ? (int)(nl - h) : (int)strlen(h), h);
			if (!nl)
				break;
			h = nl + 1;
			fprintf(out, "  %-*s", OPT_COLUMN, "");
		}
	}
}

const struct vd_cmd *
vd_cli_find_command(const char *name)
{
	if (!strcmp(name, vd_help_command.name))
		return &vd_help_command;
	for (size_t i = 0; i < vd_ncommands; i++)
		if (!strcmp(vd_commands[i].name, name))
			return &vd_commands[i];
	return NULL;
}

/* Optimal string alignment distance (a swap of two letters costs 1). */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[32][32];

	if (la >= 32 || lb >= 32)
		return SIZE_MAX;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t v = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

const struct vd_cmd *
vd_cli_nearest_command(const char *name)
{
	const struct vd_cmd *best = NULL;
	size_t best_d = SIZE_MAX, len = strlen(name);

	for (size_t i = 0; i <= vd_ncommands; i++) {
		const struct vd_cmd *c = i < vd_ncommands ? &vd_commands[i]
							  : &vd_help_command;
		size_t d = edit_distance(name, c->name);

		// A prefix of 3+ letters ("vmcore" for vmcoreinfo) is near.
		if (len >= 3 && !strncmp(c->name, name, len))
			d = 1;
		if (d < best_d) {
			best_d = d;
			best = c;
		}
	}
	// Near: one edit for short names, two for longer ones; never more
	// than half the name changed.
	if (!best || best_d > (len <= 4 ? 1u : 2u) || 2 * best_d > len)
		return NULL;
	return best;
}

/* What a file on the command line is, from its first bytes. */
enum file_kind {
	FILE_MISSING,
	FILE_DIRECTORY,
	FILE_UNREADABLE,
	FILE_DUMP,           /* ELF core, kdump, flattened, compressed stream */
	FILE_ELF_PROGRAM,    /* an ELF that is not a core: a vmlinux, a .ko */
	FILE_OTHER,
};

static enum file_kind
file_kind(const char *path, unsigned *elf_type_ret)
{
	static const unsigned char zstd[4] = { 0x28, 0xb5, 0x2f, 0xfd };
	static const unsigned char lz4[4] = { 0x04, 0x22, 0x4d, 0x18 };
	static const unsigned char xz[6] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
	unsigned char h[32] = { 0 };
	struct stat st;
	ssize_t n;
	int fd;

	if (stat(path, &st))
		return errno == ENOENT || errno == ENOTDIR ? FILE_MISSING
							   : FILE_UNREADABLE;
	if (S_ISDIR(st.st_mode))
		return FILE_DIRECTORY;
	if (!S_ISREG(st.st_mode))   // a FIFO would block: opening it says why
		return FILE_OTHER;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return FILE_UNREADABLE;
	n = pread(fd, h, sizeof(h), 0);
	close(fd);
	if (n < 0)
		return FILE_UNREADABLE;
	if (n >= 20 && !memcmp(h, "\x7f" "ELF", 4)) {
		// e_type in the file's byte order (EI_DATA: 1 little, 2 big).
		unsigned type = h[5] == 2 ? (unsigned)h[16] << 8 | h[17]
					  : (unsigned)h[17] << 8 | h[16];

		if (elf_type_ret)
			*elf_type_ret = type;
		// ET_REL, ET_EXEC, ET_DYN: a program; any other e_type (a byte
		// order that reads as garbage): opening it says why.
		return type == 4 /* ET_CORE */ ? FILE_DUMP :
		       type >= 1 && type <= 3 ? FILE_ELF_PROGRAM : FILE_OTHER;
	}
	if (n >= 12 && (!memcmp(h, "KDUMP   ", 8) || !memcmp(h, "DISKDUMP", 8) ||
			!memcmp(h, "makedumpfile", 12)))
		return FILE_DUMP;
	if ((n >= 4 && (!memcmp(h, zstd, 4) || !memcmp(h, lz4, 4))) ||
	    (n >= 6 && !memcmp(h, xz, 6)))
		return FILE_DUMP;
	return FILE_OTHER;
}

bool
vd_cli_is_dump_file(const char *path)
{
	return file_kind(path, NULL) == FILE_DUMP;
}

/* Check the first dump argument; print why it cannot be one. */
static int
check_first_dump(struct vd_cli *cli, char **pos, int npos)
{
	unsigned elf_type = 0;

	switch (file_kind(pos[0], &elf_type)) {
	case FILE_MISSING:
		vd_cli_error(cli, "%s: no such file", pos[0]);
		return VD_EXIT_USAGE;
	case FILE_DIRECTORY:
		vd_cli_error(cli, "%s: is a directory, not a dump file", pos[0]);
		return VD_EXIT_USAGE;
	case FILE_ELF_PROGRAM:
		// crash's order, "crash vmlinux vmcore", or a vmlinux alone.
		if (npos > 1 && file_kind(pos[1], NULL) == FILE_DUMP)
			vd_cli_error(cli, "%s: an ELF %s, not a dump file; did you mean "
				     "`vmdive %s --vmlinux %s %s ...`?", pos[0],
				     elf_type == 1 ? "object" : "executable",
				     cli->cmd->name, pos[0], pos[1]);
		else
			vd_cli_error(cli, "%s: an ELF %s, not a dump file; did you mean "
				     "`--vmlinux %s` beside a dump?", pos[0],
				     elf_type == 1 ? "object" : "executable", pos[0]);
		return VD_EXIT_USAGE;
	default:
		// Unreadable or unknown: opening it says why, naming the file.
		return VD_EXIT_OK;
	}
}

/*
 * Options that take a value, of any command: "vmdive --json -o x rd ..."
 * is read with the command's name hoisted first.
 */
static bool
takes_value(const char *arg)
{
	for (size_t i = 0; i <= vd_ncommands; i++) {
		const struct vd_opt *o = i < vd_ncommands ? vd_commands[i].opts
							  : vd_common_opts;

		for (; o && o->id; o++) {
			if (!o->arg)
				continue;
			if (o->short_name && arg[0] == '-' && arg[1] == o->short_name &&
			    !arg[2])
				return true;
			if (o->long_name && !strncmp(arg, "--", 2) &&
			    !strcmp(arg + 2, o->long_name))
				return true;
		}
	}
	return false;
}

int
vd_cli_hoist_command(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] != '-' || !argv[i][1]) {
			char *cmd = argv[i];

			memmove(&argv[2], &argv[1], (size_t)(i - 1) * sizeof(*argv));
			argv[1] = cmd;
			return 1;
		}
		if (!strcmp(argv[i], "--"))
			return 0;
		i += takes_value(argv[i]);
	}
	return 0;
}

/* Which command has this option, for "does not apply" messages. */
static const struct vd_cmd *
command_with_option(int short_name, const char *long_name)
{
	for (size_t i = 0; i < vd_ncommands; i++)
		for (const struct vd_opt *o = vd_commands[i].opts; o && o->id; o++)
			if ((short_name && o->short_name == short_name) ||
			    (long_name && o->long_name && !strcmp(o->long_name, long_name)))
				return &vd_commands[i];
	return NULL;
}

/* name: "-t" or "--threads" */
static void
bad_option(struct vd_cli *cli, const char *name, bool missing_value)
{
	const struct vd_cmd *other;

	if (missing_value) {
		vd_cli_error(cli, "option %s needs a value (see 'vmdive help %s')",
			     name, cli->cmd->name);
		return;
	}
	other = name[1] == '-' ? command_with_option(0, name + 2)
			       : command_with_option(name[1], NULL);
	if (other)
		vd_cli_error(cli, "option %s does not apply to this command (it is "
			     "%s's; see 'vmdive help %s')", name, other->name,
			     cli->cmd->name);
	else
		vd_cli_error(cli, "bad option %s (see 'vmdive help %s')", name,
			     cli->cmd->name);
}

static bool
set_option(struct vd_cli *cli, enum vd_opt_id id, char *value)
{
	switch (id) {
	case VD_OPT_FORCE_SYSTEM_MAP: cli->session_opts.force_system_map = true; break;
	case VD_OPT_DECOMPRESS_LIMIT:
		if (!vd_parse_size(value, &cli->session_opts.dump.decompress_limit)) {
			vd_cli_error(cli, "--decompress-limit %s: not a size (bytes, or a "
				     "number with K, M, G or T)", value);
			return false;
		}
		break;
	case VD_OPT_VMLINUX: cli->session_opts.vmlinux = value; break;
	case VD_OPT_SYSTEM_MAP: cli->session_opts.system_map = value; break;
	case VD_OPT_FORCE_VMLINUX: cli->session_opts.force_vmlinux = true; break;
	case VD_OPT_MODULE_DEBUG: cli->session_opts.module_debug = value; break;
	case VD_OPT_SYSROOT: cli->session_opts.sysroot = value; break;
	case VD_OPT_EXE: cli->session_opts.exe = value; break;
	case VD_OPT_JSON: cli->json = true; break;
	case VD_OPT_ZERO_EXCLUDED: cli->session_opts.dump.zero_excluded = true; break;
	case VD_OPT_CACHE_DIR: cli->session_opts.cache_dir = value; break;
	case VD_OPT_NO_CACHE: cli->session_opts.no_cache = true; break;
	case VD_OPT_STATS: cli->stats = true; break;
	case VD_OPT_HELP: cli->help = true; break;
	case VD_OPT_PHYSICAL: cli->physical = true; break;
	case VD_OPT_OUTPUT: cli->output = value; break;
	case VD_OPT_LEN: cli->len = value; break;
	case VD_OPT_RAW: cli->raw = true; break;
	case VD_OPT_ZERO_FILL: cli->zero_fill = true; break;
	case VD_OPT_THREADS: cli->threads = true; break;
	case VD_OPT_VERBOSE: cli->verbose = true; break;
	case VD_OPT_LIST: case VD_OPT_LEVEL: cli->list = true; break;
	case VD_OPT_NOTIME: cli->no_time = true; break;
	case VD_OPT_CTIME: cli->ctime = true; break;
	case VD_OPT_DICT: cli->dict = true; break;
	case VD_OPT_W8: cli->rd_width = 1; break;
	case VD_OPT_W16: cli->rd_width = 2; break;
	case VD_OPT_W32: cli->rd_width = 4; break;
	case VD_OPT_W64: cli->rd_width = 8; break;
	case VD_OPT_SYMBOLIC: cli->symbolic = true; break;
	case VD_OPT_ASCII: cli->ascii = true; break;
	case VD_OPT_SLAB_NAMES: cli->symbolic = true; cli->rd_slab = 1; break;
	case VD_OPT_SLAB_NAMES2: cli->symbolic = true; cli->rd_slab = 2; break;
	case VD_OPT_END_ADDR: cli->end_arg = value; break;
	case VD_OPT_USER: cli->upid = value; break;
	case VD_OPT_PS_ARGS: cli->ps_args = true; break;
	case VD_OPT_PS_UNWIND: cli->ps_unwind = true; break;
	case VD_OPT_JOBS: cli->jobs = value; break;
	case VD_OPT_NAME_KIND: cli->name_kind = value; break;
	case VD_OPT_BT_CPUS: cli->bt_cpus = true; break;
	case VD_OPT_BT_ALL: cli->bt_all = true; break;
	case VD_OPT_GROUP: cli->group = true; break;
	case VD_OPT_BT_WORDS: cli->bt_words = true; break;
	case VD_OPT_BT_REGS: cli->bt_regs = true; break;
	case VD_OPT_BT_LINES: cli->list = true; break;
	case VD_OPT_KMEM_INFO: cli->kmem_mode = 'i'; break;
	case VD_OPT_KMEM_CACHES: cli->kmem_mode = 's'; break;
	case VD_OPT_KMEM_OBJECTS: cli->kmem_mode = 'S'; break;
	case VD_OPT_KMEM_PAGES: cli->physical = true; break;
	case VD_OPT_REVERSE: cli->reverse = true; break;
	case VD_OPT_LIST_OFFSET: cli->list_offset = value; break;
	case VD_OPT_LIST_STRUCT: cli->list_struct = value; break;
	case VD_OPT_LIST_HEAD: cli->list_head = true; break;
	case VD_OPT_LIST_EMBEDDED: cli->list_embedded = true; break;
	case VD_OPT_LIST_MAX: cli->list_max = value; break;
	case VD_OPT_SEARCH_START: cli->search_start = value; break;
	case VD_OPT_SEARCH_LENGTH: cli->search_length = value; break;
	case VD_OPT_SEARCH_MASK: cli->search_mask = value; break;
	case VD_OPT_SEARCH_STRINGS: cli->search_strings = true; break;
	case VD_OPT_KERNEL: cli->physical = false; break;
	case VD_OPT_FORWARD: cli->forward = true; break;
	case VD_OPT_DIS_LINES: cli->dis_lines = true; break;
	case VD_OPT_SHELL_INPUT: cli->shell_input = value; break;
	case VD_OPT_SHELL_COMMANDS: cli->shell_commands = value; break;
	case VD_OPT_HEX: cli->hex = true; cli->dec = false; break;
	case VD_OPT_DEC: cli->dec = true; cli->hex = false; break;
	case VD_OPT_OFFSETS: cli->offsets = true; break;
	case VD_OPT_END: case VD_OPT_COUNT: break;
	}
	return true;
}

#define MAX_OPTS 64

int
vd_cli_parse(struct vd_cli *cli, int argc, char **argv, bool have_session)
{
	const struct vd_opt *opts[MAX_OPTS];
	struct option longopts[MAX_OPTS + 1];
	char shortopts[2 * MAX_OPTS + 2];
	size_t nopts = 0, nlong = 0, ns = 0;
	char **pos;
	int npos = 0, c, idx, ndumps = 0;

	// The command's options, then every command's, as getopt tables.
	shortopts[ns++] = '-';   // positionals in order, options anywhere
	shortopts[ns++] = ':';   // tell a missing value from a bad option
	for (int t = 0; t < 2; t++) {
		for (const struct vd_opt *o = t ? vd_common_opts : cli->cmd->opts;
		     o && o->id && nopts < MAX_OPTS; o++) {
			opts[nopts] = o;
			if (o->long_name)
				longopts[nlong++] = (struct option){
					o->long_name, o->arg ? required_argument :
					no_argument, NULL, 256 + (int)nopts };
			if (o->short_name) {
				shortopts[ns++] = o->short_name;
				if (o->arg)
					shortopts[ns++] = ':';
			}
			nopts++;
		}
	}
	shortopts[ns] = '\0';
	longopts[nlong] = (struct option){ 0 };
	// crash's multi-letter short forms ("-16") are whole words: taken out
	// before getopt would read them as "-1 -6".
	for (int i = 1, o = 1; i <= argc; i++) {
		bool taken = false;

		if (i == argc) {
			argc = o;
			break;
		}
		if (!strcmp(argv[i], "--")) {
			memmove(&argv[o], &argv[i], (size_t)(argc - i) * sizeof(*argv));
			argc = o + (argc - i);
			break;
		}
		for (const struct vd_opt *w = cli->cmd->opts; w && w->id && !taken; w++)
			if (w->word && !strcmp(argv[i], w->word)) {
				(void)set_option(cli, w->id, NULL);
				taken = true;
			}
		if (!taken)
			argv[o++] = argv[i];
	}
	pos = calloc((size_t)argc + 1, sizeof(char *));
	if (!pos)
		return VD_EXIT_FAIL;
	cli->args = pos;
	opterr = 0;
	optind = 0;      // a full re-initialisation (sessions parse many lines)
	while ((c = getopt_long(argc, argv, shortopts, longopts, &idx)) != -1) {
		const struct vd_opt *o = NULL;

		if (c == 1) {
			pos[npos++] = optarg;
			continue;
		}
		if (c >= 256 && c < 256 + (int)nopts)
			o = opts[c - 256];
		for (size_t i = 0; !o && c > 0 && c < 256 && i < nopts; i++)
			if (opts[i]->short_name == c)
				o = opts[i];
		if (!o) {
			char name[64];

			if (optopt >= 256 && optopt < 256 + (int)nopts)
				snprintf(name, sizeof(name), "--%s",
					 opts[optopt - 256]->long_name);
			else if (optopt > 0 && optopt < 256)
				snprintf(name, sizeof(name), "-%c", optopt);
			else    // an unknown long option: as written, up to '='
				snprintf(name, sizeof(name), "%.*s",
					 (int)strcspn(argv[optind - 1], "="),
					 argv[optind - 1]);
			bad_option(cli, name, c == ':');
			return VD_EXIT_USAGE;
		}
		// getopt_long takes any unambiguous prefix ("--out" for
		// --output): only the names the tables declare are options.
		if (c >= 256 && optind >= 1) {
			const char *w = argv[optind - 1];
			size_t len = strlen(o->long_name);

			if (o->arg && optarg == argv[optind - 1] && optind >= 2)
				w = argv[optind - 2];
			if (strncmp(w, "--", 2) || strncmp(w + 2, o->long_name, len) ||
			    (w[2 + len] && w[2 + len] != '=')) {
				char name[64];

				snprintf(name, sizeof(name), "%.*s", (int)strcspn(w, "="), w);
				vd_cli_error(cli, "bad option %s (did you mean --%s? see "
					     "'vmdive help %s')", name, o->long_name,
					     cli->cmd->name);
				return VD_EXIT_USAGE;
			}
		}
		if (!set_option(cli, o->id, optarg))
			return VD_EXIT_USAGE;
	}
	while (optind < argc)   // after "--"
		pos[npos++] = argv[optind++];
	cli->nargs = npos;
	if (cli->help)
		return VD_EXIT_OK;
	if (!(cli->cmd->needs & (VD_NEEDS_DUMP | VD_NEEDS_FILES)) || have_session)
		return VD_EXIT_OK;
	if (!npos) {
		vd_cli_error(cli, "no dump file given (see 'vmdive help %s')",
			     cli->cmd->name);
		return VD_EXIT_USAGE;
	}
	if (check_first_dump(cli, pos, npos))
		return VD_EXIT_USAGE;
	// The first positional is the dump; more files of it (a split set)
	// follow while their content is a dump's.
	for (ndumps = 1; ndumps < npos && file_kind(pos[ndumps], NULL) == FILE_DUMP;
	     ndumps++)
		;
	cli->dumps = (const char *const *)pos;
	cli->ndumps = ndumps;
	cli->args = pos + ndumps;
	cli->nargs = npos - ndumps;
	return VD_EXIT_OK;
}
