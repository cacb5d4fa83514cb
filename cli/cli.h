/* SPDX-License-Identifier: MIT */
/*
 * The command-line front end.  Only this layer prints.
 *
 * Shape: vmdive COMMAND [OPTIONS] DUMP [DUMP...] [ARGS...]
 * Options may come anywhere (GNU getopt permutes).  Leading positional
 * arguments that name existing files are the dump's files (several for a
 * split makedumpfile set); the rest are the command's arguments.
 */
#ifndef VD_CLI_CLI_H
#define VD_CLI_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
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
	bool bt_cpus;              /* bt -a: the task on each CPU */
	bool bt_all;               /* bt -A: every task */
	bool group;                /* bt --group */
	bool bt_words;             /* bt -f */
	bool bt_regs;              /* bt -r */
	char kmem_mode;            /* kmem -i, -s, -S (0: kmem ADDR / -p) */
	const char *upid;          /* rd/vtop -u PID: a process's user addresses */
	bool ps_args;              /* ps -a */
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
};

struct vd_cmd {
	const char *name;
	int (*run)(struct vd_cli *cli);
	unsigned needs;
	const char *summary;
	const char *synopsis;
	const char *description;
	const char *options;       /* command-specific option help, or NULL */
	const char *examples;
	const char *shortopts;     /* command-specific short options */
	int min_args, max_args;    /* positional args after the dumps; -1 = any */
};

extern const struct vd_cmd vd_commands[];
extern const size_t vd_ncommands;
/* What vmdive is, a paragraph for `vmdive help` and the man page. */
extern const char vd_cli_about[];
/* Help lines of the options every command takes (cli/main.c). */
extern const char vd_cli_common_options[];

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
/* "4 KiB", "2 MiB", "1.5 GiB" */
void vd_cli_format_size(uint64_t size, char *buf, size_t len);
/* "sym+0x12" or "" when unknown. */
void vd_cli_symbolize(struct vd_cli *cli, uint64_t addr, char *buf,
		      size_t len);

int vd_cmd_info(struct vd_cli *cli);
int vd_cmd_vtop(struct vd_cli *cli);
int vd_cmd_ptov(struct vd_cli *cli);
int vd_cmd_rd(struct vd_cli *cli);
int vd_cmd_vmcoreinfo(struct vd_cli *cli);
int vd_cmd_sym(struct vd_cli *cli);
int vd_cmd_log(struct vd_cli *cli);
int vd_cmd_mod(struct vd_cli *cli);
int vd_cmd_dump_module(struct vd_cli *cli);
int vd_cmd_vmalloc(struct vd_cli *cli);
int vd_cmd_dump_vmalloc(struct vd_cli *cli);
int vd_cmd_ps(struct vd_cli *cli);
int vd_cmd_bt(struct vd_cli *cli);
int vd_cmd_struct(struct vd_cli *cli);
int vd_cmd_whatis(struct vd_cli *cli);
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
