/* SPDX-License-Identifier: MIT */
/*
 * The command-line front end.  Only this layer prints.
 *
 * Shape: vmdive COMMAND [OPTIONS] DUMP [DUMP...] [ARGS...]
 * Options may come anywhere (GNU getopt permutes); each command declares
 * the options it takes in the command table (struct vd_opt), beside the
 * ones every command takes (vd_common_opts).  The first positional
 * argument is the dump; the ones after it are more files of the dump (a
 * split makedumpfile set) only while their content is a dump's (an ELF
 * core, a kdump or flattened header, a compressed stream), never because
 * a file of that name exists.  The rest are the command's arguments.
 *
 * Exit status, the one rule for every command: 0 it worked; 1 it ran but
 * something failed (an unreadable page, a symbol not found); 2 the command
 * line is wrong or the dump cannot be opened.
 */
#ifndef VD_CLI_CLI_H
#define VD_CLI_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "vmdive/expr.h"
#include "vmdive/session.h"

/* Exit statuses. */
enum {
	VD_EXIT_OK = 0,
	VD_EXIT_FAIL = 1,     /* the command ran but something failed */
	VD_EXIT_USAGE = 2,    /* bad command line, or the dump cannot be opened */
};

/* rd on a process core: ranges read from mapped files (cmd_core.c). */
struct vd_core_object;
struct vd_core_rd_piece {
	uint64_t start, end;       /* [start, end) user virtual */
	uint64_t file_off;
	const struct vd_core_object *obj;
};
struct vd_core_rd_log {
	struct vd_core_rd_piece piece[16];
	size_t n, more;
	uint64_t bytes;
};

struct vd_kmem;
struct vd_utask;

struct vd_cli {
	const struct vd_cmd *cmd;
	struct vd_session *session;
	struct vd_session_opts session_opts;
	bool json;
	bool stats;
	/* command options */
	bool physical;             /* rd -p */
	const char *output;        /* rd -o FILE */
	const char *len;           /* rd -n/--len LEN: every argument an address */
	bool raw;                  /* dump-module --raw */
	bool zero_fill;            /* dump-module, dump-vmalloc --zero-fill */
	bool threads;              /* ps -t */
	bool verbose;              /* vmalloc -v */
	bool list;                 /* sym -l; log -l (print the level) */
	bool no_time;              /* log -t */
	bool ctime;                /* log -T */
	bool dict;                 /* log -d */
	bool help;                 /* -h, --help */
	bool hex, dec;             /* p, struct -x / -d */
	bool offsets;              /* struct, union -o: the layout (with ADDR, members' addresses) */
	unsigned rd_width;         /* rd -8/-16/-32/-64: bytes per value, 0: none */
	bool symbolic;             /* rd -s */
	unsigned rd_slab;          /* rd -S: 1, -SS: 2 */
	bool ascii;                /* rd -a */
	const char *end_arg;       /* rd -e END */
	bool reverse, forward;     /* dis -r, -f */
	bool dis_lines;            /* dis -l */
	const char *list_offset, *list_struct, *list_max;  /* list -o, -s, --max */
	bool list_head;            /* list -H */
	bool list_embedded;        /* list -h */
	const char *search_start, *search_length, *search_mask;
	bool search_strings;       /* search -c */
	const char *shell_input;   /* shell -i FILE */
	const char *shell_commands; /* shell -c CMDS */
	/* session state for expressions (cli/expr_cli.c) */
	uint64_t task_context;     /* $task: set by 'set'; 0 = the panic task */
	uint64_t panic_task;
	bool panic_task_known;
	bool bt_cpus;              /* bt -a: the task on each CPU */
	bool bt_all;               /* bt -A: every task */
	bool group;                /* bt --group */
	bool bt_words;             /* bt -f */
	bool bt_regs;              /* bt -r */
	char kmem_mode;            /* kmem -i, -s, -S (0: kmem ADDR / -p) */
	const char *upid;          /* rd/vtop -u PID: a process's user addresses */
	bool ps_args;              /* ps -a */
	bool ps_unwind;            /* ps --unwind */
	const char *jobs;          /* triage --jobs N */
	const char *name_kind;     /* complete-names --kind KIND[,KIND] */
	struct vd_kmem *ukmem;     /* with upid: the process (cli/cmd_task.c) */
	struct vd_utask *utask;
	/* positional arguments after the dump files */
	char **args;
	int nargs;
	const char *const *dumps;
	int ndumps;
	struct vd_json j;
	FILE *out;
	struct vd_core_rd_log core_rd;
};

enum vd_cmd_needs {
	VD_NEEDS_NOTHING = 0,
	VD_NEEDS_DUMP = 1 << 0,    /* opens a session */
	VD_NEEDS_FILES = 1 << 1,   /* the dump's files, opened by the command */
};

/* Every option any command takes; a command's table lists the ones it takes. */
enum vd_opt_id {
	VD_OPT_END = 0,
	/* every command (vd_common_opts) */
	VD_OPT_VMLINUX,
	VD_OPT_SYSTEM_MAP,
	VD_OPT_FORCE_VMLINUX,
	VD_OPT_FORCE_SYSTEM_MAP,
	VD_OPT_DECOMPRESS_LIMIT,
	VD_OPT_MODULE_DEBUG,
	VD_OPT_SYSROOT,
	VD_OPT_EXE,
	VD_OPT_JSON,
	VD_OPT_ZERO_EXCLUDED,
	VD_OPT_CACHE_DIR,
	VD_OPT_NO_CACHE,
	VD_OPT_STATS,
	VD_OPT_HELP,
	/* per command */
	VD_OPT_PHYSICAL,           /* rd -p */
	VD_OPT_OUTPUT,             /* rd, dump-module, dump-vmalloc -o FILE */
	VD_OPT_LEN,                /* rd -n LEN */
	VD_OPT_RAW,                /* dump-module --raw */
	VD_OPT_ZERO_FILL,          /* dump-module, dump-vmalloc --zero-fill */
	VD_OPT_THREADS,            /* ps -t */
	VD_OPT_VERBOSE,            /* vmalloc -v */
	VD_OPT_LIST,               /* sym -l */
	VD_OPT_LEVEL,              /* log -l */
	VD_OPT_NOTIME,             /* log -t */
	VD_OPT_CTIME,              /* log -T */
	VD_OPT_DICT,               /* log -d */
	VD_OPT_HEX,                /* p, struct, union -x */
	VD_OPT_DEC,                /* p, struct, union -d */
	VD_OPT_OFFSETS,            /* struct, union -o */
	VD_OPT_W8,                 /* rd -8: bytes, as crash */
	VD_OPT_W16,                /* rd -16 */
	VD_OPT_W32,                /* rd -32 */
	VD_OPT_W64,                /* rd -64 */
	VD_OPT_SYMBOLIC,           /* rd -s */
	VD_OPT_ASCII,              /* rd -a */
	VD_OPT_SLAB_NAMES,         /* rd -S */
	VD_OPT_SLAB_NAMES2,        /* rd -SS */
	VD_OPT_END_ADDR,           /* rd -e END */
	VD_OPT_SHELL_INPUT,        /* shell -i FILE */
	VD_OPT_SHELL_COMMANDS,     /* shell -c 'CMD; CMD' */
	VD_OPT_REVERSE,            /* dis -r */
	VD_OPT_FORWARD,            /* dis -f */
	VD_OPT_DIS_LINES,          /* dis -l */
	VD_OPT_LIST_OFFSET,        /* list -o OFFSET */
	VD_OPT_LIST_STRUCT,        /* list -s TYPE[.member,...] */
	VD_OPT_LIST_HEAD,          /* list -H */
	VD_OPT_LIST_EMBEDDED,      /* list -h */
	VD_OPT_LIST_MAX,           /* list --max N */
	VD_OPT_SEARCH_START,       /* search -s START */
	VD_OPT_SEARCH_LENGTH,      /* search -l LEN */
	VD_OPT_SEARCH_MASK,        /* search -m MASK */
	VD_OPT_SEARCH_STRINGS,     /* search -c */
	VD_OPT_KERNEL,             /* search -k (the default) */
	VD_OPT_USER,               /* rd, vtop -u PID: a process's user addresses */
	VD_OPT_PS_ARGS,            /* ps -a */
	VD_OPT_PS_UNWIND,          /* ps --unwind */
	VD_OPT_BT_CPUS,            /* bt -a */
	VD_OPT_BT_ALL,             /* bt -A */
	VD_OPT_GROUP,              /* bt --group */
	VD_OPT_BT_WORDS,           /* bt -f */
	VD_OPT_BT_REGS,            /* bt -r */
	VD_OPT_BT_LINES,           /* bt -l */
	VD_OPT_KMEM_INFO,          /* kmem -i */
	VD_OPT_KMEM_CACHES,        /* kmem -s */
	VD_OPT_KMEM_OBJECTS,       /* kmem -S */
	VD_OPT_KMEM_PAGES,         /* kmem -p */
	VD_OPT_JOBS,               /* triage --jobs N */
	VD_OPT_NAME_KIND,          /* complete-names --kind KIND */
	VD_OPT_COUNT
};

/*
 * One option as data: the parser, `vmdive help CMD`, the man page and the
 * shell completion are all made from these.
 */
struct vd_opt {
	enum vd_opt_id id;
	char short_name;           /* 0: long only */
	const char *long_name;     /* NULL: short only */
	const char *arg;           /* the value's name ("FILE"); NULL: a flag */
	const char *help;          /* may hold '\n' for more lines */
	const char *word;          /* crash's multi-letter short form ("-16"),
				      matched whole; NULL: none */
};

struct vd_cmd {
	const char *name;
	int (*run)(struct vd_cli *cli);
	unsigned needs;
	const char *summary;
	const char *synopsis;
	const char *description;
	const struct vd_opt *opts; /* its own options, VD_OPT_END-terminated;
				      NULL: none */
	const char *examples;
	int min_args, max_args;    /* positional args after the dumps; -1 = any */
};

extern const struct vd_cmd vd_commands[];
extern const size_t vd_ncommands;
extern const struct vd_cmd vd_help_command;
/* The options every command takes, VD_OPT_END-terminated. */
extern const struct vd_opt vd_common_opts[];

/* Command lines (cli/args.c). */
const struct vd_cmd *vd_cli_find_command(const char *name);
/* The command nearest to a misspelt name, or NULL when none is near. */
const struct vd_cmd *vd_cli_nearest_command(const char *name);
/*
 * Parse argv[0..argc) (argv[0] is the command's name) into cli: options,
 * then dumps and arguments.  With have_session, no dump is expected (an
 * interactive session has one open).  Returns a VD_EXIT_* status; on
 * failure the error was printed.
 */
int vd_cli_parse(struct vd_cli *cli, int argc, char **argv, bool have_session);
/*
 * Options may come before the command ("vmdive --json info DUMP"): move
 * the first word that is not an option or an option's value to argv[1].
 * Returns 0 when there is no such word.
 */
int vd_cli_hoist_command(int argc, char **argv);
/* One option's help lines, "  -o, --output FILE    ...", to out. */
void vd_cli_print_opts(const struct vd_opt *opts, FILE *out);
/* What vmdive is, a paragraph for `vmdive help` and the man page. */
extern const char vd_cli_about[];

/*
 * The man page vmdive(1) in roff, and a bash completion script, made from
 * the command table (cli/doc.c): `vmdive help --man`, `vmdive help
 * --bash-completion`.  Return a VD_EXIT_* status.
 */
int vd_cli_write_man(FILE *out);
int vd_cli_write_bash_completion(FILE *out);

/* Helpers shared by the commands (cli/main.c). */
void vd_cli_error(const struct vd_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print err ("vmdive: CMD: msg") and destroy it. */
void vd_cli_report(const struct vd_cli *cli, struct vd_error *err);
bool vd_cli_parse_addr(const char *s, uint64_t *ret);
/*
 * An address argument as an expression (vmdive/expr.h): hex, a symbol,
 * symbol+off, &var, ptr->member, $task...  Prints why not and returns false.
 */
bool vd_cli_addr(struct vd_cli *cli, const char *arg, uint64_t *ret);
/* The expression environment of this command line: variables, space. */
void vd_cli_expr_env(struct vd_cli *cli, enum vd_expr_mode mode,
		     struct vd_expr_env *ret);
/* "4 KiB", "2 MiB", "1.5 GiB" */
void vd_cli_format_size(uint64_t size, char *buf, size_t len);

/*
 * A progress line on stderr for work over the whole dump (cli/progress.c):
 * shown only on a terminal and only after the first second.
 */
struct vd_progress {
	const char *what;
	uint64_t total;
	double start, last;
	bool on, shown;
};
void vd_progress_begin(struct vd_progress *p, const char *what, uint64_t total);
void vd_progress_update(struct vd_progress *p, uint64_t done);
void vd_progress_end(struct vd_progress *p);
/* "sym+0x12" or "" when unknown. */
void vd_cli_symbolize(struct vd_cli *cli, uint64_t addr, char *buf,
		      size_t len);

int vd_cmd_info(struct vd_cli *cli);
int vd_cmd_vtop(struct vd_cli *cli);
int vd_cmd_ptov(struct vd_cli *cli);
int vd_cmd_rd(struct vd_cli *cli);
int vd_cmd_vmcoreinfo(struct vd_cli *cli);
int vd_cmd_complete_names(struct vd_cli *cli);
/* One of a dump reader's facts (info's attrs) in --json, by its type. */
void vd_cli_attr_json(struct vd_json *j, const struct vd_attr *a);
int vd_cmd_sym(struct vd_cli *cli);
int vd_cmd_log(struct vd_cli *cli);
int vd_cmd_mod(struct vd_cli *cli);
int vd_cmd_dump_module(struct vd_cli *cli);
int vd_cmd_vmalloc(struct vd_cli *cli);
int vd_cmd_dump_vmalloc(struct vd_cli *cli);
int vd_cmd_ps(struct vd_cli *cli);
int vd_cmd_bt(struct vd_cli *cli);
int vd_cmd_sys(struct vd_cli *cli);
int vd_cmd_triage(struct vd_cli *cli);
/* bt's output pieces (cli/cmd_bt.c), shared with triage. */
struct vd_frame;
struct vd_trace;
void vd_cli_bt_regs_text(struct vd_cli *cli, const struct vd_frame *f);
void vd_cli_bt_regs_json(struct vd_cli *cli, const struct vd_frame *f);
void vd_cli_bt_trace_text(struct vd_cli *cli, const struct vd_trace *tr);
void vd_cli_bt_frames_json(struct vd_cli *cli, const struct vd_trace *tr);
int vd_cmd_struct(struct vd_cli *cli);
int vd_cmd_whatis(struct vd_cli *cli);
int vd_cmd_print(struct vd_cli *cli);
int vd_cmd_shell(struct vd_cli *cli);
int vd_cmd_dis(struct vd_cli *cli);
int vd_cmd_list(struct vd_cli *cli);
int vd_cmd_search(struct vd_cli *cli);

/* "TYPE[.member,member]" of struct, union and list -s (cli/cmd_type.c). */
#define VD_STRUCT_MEMBERS_MAX 64
struct vd_struct_spec {
	struct vd_qualified_type qt;
	const struct vd_type *t;
	char name[256];                /* "struct task_struct" */
	char list[1024];
	char *members[VD_STRUCT_MEMBERS_MAX];
	size_t n;                      /* 0: the whole struct */
};
int vd_cli_struct_spec(struct vd_cli *cli, const char *arg, bool prefer_union,
		       struct vd_struct_spec *ret);
/* The struct (or the selected members) at addr, as text or JSON. */
int vd_cli_struct_show(struct vd_cli *cli, const struct vd_struct_spec *sp, uint64_t addr);
/* `vmdive help CMD` (cli/main.c). */
void vd_cli_print_command_help(const struct vd_cmd *cmd, FILE *out);
/* The argument count against the command's min/max; prints why not. */
int vd_cli_check_args(struct vd_cli *cli);
/* Whether path's first bytes are a dump's (cli/args.c). */
bool vd_cli_is_dump_file(const char *path);

/* Values of expressions (cli/cmd_type.c): "LABEL = VALUE" like gdb, or JSON. */
int vd_cli_show_value(struct vd_cli *cli, const char *label, const struct vd_value *v);
int vd_cli_json_value(struct vd_cli *cli, const char *expr, const struct vd_value *v);
/*
 * An error as JSON on stdout, {"error": {"code", "message", "file",
 * "address"}} (docs/json.md); destroys err.  addr 0: err's own, if any.
 */
void vd_cli_json_error(struct vd_cli *cli, struct vd_error *err, uint64_t addr);
/*
 * One rule for every command's failure with --json: vd_cli_json_start()
 * before the command; vd_cli_json_failure() after it prints the last error
 * reported (vd_cli_error, vd_cli_report) as {"error": {...}} on stdout
 * when the command failed and wrote no JSON there (a command that did
 * carries its errors in its own document).  Returns ret.
 */
void vd_cli_json_start(void);
/*
 * In an array of queries (vtop, ptov, kmem ADDR...): the failed query
 * keeps its place, {"query": QUERY, "error": {"code", "message"}}, with
 * the last error reported.
 */
void vd_cli_json_query_error(struct vd_cli *cli, const char *query);
/* The last message vd_cli_error printed ("" before any). */
const char *vd_cli_last_error(void);
int vd_cli_json_failure(const struct vd_cli *cli, bool json, int ret);
/* Whether argv holds --json (before the parser has read it). */
bool vd_cli_argv_json(int argc, char **argv);
int vd_cmd_kmem(struct vd_cli *cli);
int vd_cmd_vm(struct vd_cli *cli);
int vd_cmd_files(struct vd_cli *cli);
int vd_cmd_gcore(struct vd_cli *cli);
/* ps -a: argv and environment of each process (cli/cmd_task.c). */
int vd_cli_ps_args(struct vd_cli *cli);
/* -u PID: find the process, 0 or an exit status after reporting. */
int vd_cli_utask_open(struct vd_cli *cli);
void vd_cli_utask_close(struct vd_cli *cli);
/* Translate a user address of cli->utask (vtop -u). */
struct vd_error *vd_cli_uwalk(struct vd_cli *cli, uint64_t va, struct vd_xlat_walk *ret);
/* Where the swapped-out page of a user address is (vtop -u); false when it is not
 * swapped out or cannot be told (the walk's error then says why). */
struct vd_swap_page;
bool vd_cli_uswap(struct vd_cli *cli, uint64_t va, struct vd_swap_page *ret);

/* Process cores (cmd_info_core.c, cmd_core.c, cmd_maps.c), by dump kind. */
int vd_cmd_maps(struct vd_cli *cli);
int vd_cmd_info_core(struct vd_cli *cli);
int vd_cmd_sym_core(struct vd_cli *cli);
/* rd's reads: on a core, through the mapped files, logged in core_rd. */
struct vd_error *vd_cli_read(struct vd_cli *cli, enum vd_as as, uint64_t addr,
			     void *buf, size_t len, size_t *got_ret);
void vd_cli_core_rd_report(struct vd_cli *cli);
void vd_cli_core_rd_json(struct vd_cli *cli);

/* Walks: skipped elements to stderr and JSON "errors" (cli/walk_out.c). */
struct vd_walk_errors {
	struct vd_cli *cli;
	char **msgs;
	size_t n;
};
/* Report err (and destroy it). */
void vd_walk_errors_add(struct vd_walk_errors *e, struct vd_error *err);
/* Keep msg for the JSON "errors" only (the caller has printed it). */
void vd_walk_errors_keep(struct vd_walk_errors *e, const char *msg);
void vd_walk_errors_json(struct vd_walk_errors *e);
void vd_walk_errors_finish(struct vd_walk_errors *e, const char *what);

/* Holes met while extracting memory (a struct vd_extract_opts hole()). */
struct vd_hole {
	uint64_t addr, len;
	bool mapped;
	char why[160];
};
struct vd_holes {
	struct vd_cli *cli;
	bool json;                 /* keep them for JSON, not stderr */
	struct vd_hole *holes;
	size_t n, nkept;
};
void vd_cli_hole(void *priv, uint64_t addr, uint64_t len, bool mapped,
		 const char *why);
void vd_cli_holes_json(struct vd_holes *h);
void vd_cli_holes_free(struct vd_holes *h);

#endif
