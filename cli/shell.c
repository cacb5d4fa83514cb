// SPDX-License-Identifier: MIT
/*
 * vmdive's interactive session: one opened dump, many commands.
 *
 * The session (symbols, types, DWARF index, translation) is set up once,
 * before the first command.  Each command then runs in a child process
 * forked from the session: a long command is interrupted with Ctrl-C (the
 * child dies, the session stays), its output can go through a pipe to a
 * shell command or into a file, and nothing a command leaves behind can
 * disturb the next one.  What the session learns once it is warm is shared
 * copy-on-write; `set` changes the session itself and runs in place.
 *
 * Line editing, history (kept per user) and completion come from libedit
 * (its readline interface).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <editline/readline.h>

#include "cli.h"
#include "common/util.h"
#include "vmdive/walk.h"

#define LINE_MAX_WORDS 256
#define HISTORY_LINES 2000
#define COMPLETIONS_MAX 2000

static struct vd_cli *shell_cli;         /* for completion */
static volatile sig_atomic_t got_sigint;

static sigset_t prompt_mask;             /* the mask at the prompt, SIGINT open */

static void
on_sigint(int sig)
{
	(void)sig;
	got_sigint = 1;
}

/*
 * readline's input: one byte of the terminal. SIGINT stays blocked while
 * readline runs and opens only inside ppoll(), so a Ctrl-C that comes after
 * the prompt is drawn but before the read starts is not lost (a plain read()
 * would sleep through it, and the next key would be taken as the Ctrl-C).
 * Returning EOF makes readline return NULL; got_sigint tells why.
 */
static int
shell_getc(FILE *in)
{
	struct pollfd pfd = { .fd = fileno(in), .events = POLLIN };
	unsigned char c;

	for (;;) {
		ssize_t n;

		if (got_sigint)
			return EOF;
		if (ppoll(&pfd, 1, NULL, &prompt_mask) < 0) {
			if (errno == EINTR)
				continue;
			return EOF;
		}
		n = read(pfd.fd, &c, 1);
		if (n == 1)
			return c;
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		return EOF;
	}
}

/* ~/.vmdive_history, or $VMDIVE_HISTORY; NULL: no history file. */
static const char *
history_path(char *buf, size_t size)
{
	const char *env = getenv("VMDIVE_HISTORY"), *home = getenv("HOME");

	if (env)
		return *env ? env : NULL;
	if (!home || !*home)
		return NULL;
	snprintf(buf, size, "%s/.vmdive_history", home);
	return buf;
}

/* Completion ---------------------------------------------------------------- */

static char *completions[COMPLETIONS_MAX];
static size_t ncompletions;

static void
add_completion(const char *word, size_t len, const char *prefix, const char *s)
{
	char *c;

	if (ncompletions == COMPLETIONS_MAX || strncmp(s, word, len))
		return;
	for (size_t i = 0; i < ncompletions; i++)
		if (!strcmp(completions[i] + strlen(prefix), s))
			return;
	if (asprintf(&c, "%s%s", prefix, s) >= 0)
		completions[ncompletions++] = c;
}

/*
 * The matches as readline wants them: [0] the longest common prefix, then
 * each match, then NULL; readline frees them.
 */
static char **
matches(const char *text)
{
	char **m;
	size_t lcp;

	if (!ncompletions)
		return NULL;
	m = calloc(ncompletions + 2, sizeof(*m));
	if (!m)
		return NULL;
	lcp = strlen(completions[0]);
	for (size_t i = 1; i < ncompletions; i++) {
		size_t k = 0;

		while (k < lcp && completions[i][k] == completions[0][k])
			k++;
		lcp = k;
	}
	if (lcp < strlen(text))
		lcp = strlen(text);
	m[0] = ncompletions == 1 ? strdup(completions[0]) : strndup(completions[0], lcp);
	for (size_t i = 0; i < ncompletions; i++) {
		m[i + 1] = completions[i];
		completions[i] = NULL;
	}
	if (!m[0]) {
		for (size_t i = 1; i <= ncompletions; i++)
			free(m[i]);
		free(m);
		m = NULL;
	}
	ncompletions = 0;
	return m;
}

/* Members of the type of expression expr (up to its last '.' or '->'). */
static void
complete_members(struct vd_cli *cli, const char *text)
{
	const char *dot = strrchr(text, '.'), *arrow = NULL, *p, *sep;
	char base[512], prefix[600];
	struct vd_qualified_type qt = { 0 };
	const struct vd_type *t;
	struct vd_error *err;

	for (p = text; (p = strstr(p, "->")); p += 2)
		arrow = p;
	sep = arrow && (!dot || arrow > dot) ? arrow : dot;
	if (!sep || (size_t)(sep - text) >= sizeof(base))
		return;
	snprintf(base, sizeof(base), "%.*s", (int)(sep - text), text);

	// "task_struct.pi" (struct's TYPE.member) or an expression's type.
	err = vd_session_find_type(cli->session, base, &qt);
	if (err && strchr(base, '.')) {
		// "task_struct.se.": the type, then the member path in it.
		char tname[256];
		struct vd_member_info mi;
		const char *d = strchr(base, '.');

		snprintf(tname, sizeof(tname), "%.*s", (int)(d - base), base);
		vd_error_destroy(err);
		err = vd_session_find_type(cli->session, tname, &qt);
		if (!err) {
			err = vd_type_member(vd_type_unqualified(qt.type), d + 1, &mi);
			if (!err)
				qt = mi.type;
		}
	}
	if (err) {
		struct vd_expr_env env;
		struct vd_value v;

		vd_error_destroy(err);
		vd_cli_expr_env(cli, VD_EXPR_VALUE, &env);
		err = vd_expr_eval(cli->session, base, &env, &v);

		if (err) {
			vd_error_destroy(err);
			return;
		}
		qt = v.type;
	}
	t = vd_type_unqualified(qt.type);
	if (t && t->kind == VD_TYPE_POINTER)
		t = vd_type_unqualified(t->target.type);

	if (!t || (t->kind != VD_TYPE_STRUCT && t->kind != VD_TYPE_UNION))
		return;
	snprintf(prefix, sizeof(prefix), "%.*s", (int)(sep - text + (sep == arrow ? 2 : 1)), text);
	p = text + strlen(prefix);
	vd_type_fill(t);     // BTF reads a struct's members on first use
	for (size_t i = 0; i < t->nmembers; i++) {
		const struct vd_member *m = &t->members[i];
		const struct vd_type *mt = vd_type_unqualified(m->type.type);

		if (m->name) {
			add_completion(p, strlen(p), prefix, m->name);
			continue;
		}
		// Anonymous members' members are the parent's.
		if (mt)
			vd_type_fill(mt);
		for (size_t k = 0; mt && k < mt->nmembers; k++)
			if (mt->members[k].name)
				add_completion(p, strlen(p), prefix, mt->members[k].name);
	}
}

/* Type names for struct/union/whatis/list -s: the kinds the command takes. */
struct type_completion {
	const char *text;
	size_t len;
	bool structs, unions, others;
};

static bool
add_type_name(void *priv, enum vd_type_kind kind, const char *name)
{
	struct type_completion *tc = priv;

	if ((kind == VD_TYPE_STRUCT && tc->structs) || (kind == VD_TYPE_UNION && tc->unions) ||
	    (kind != VD_TYPE_STRUCT && kind != VD_TYPE_UNION && tc->others))
		add_completion(tc->text, tc->len, "", name);
	return ncompletions < COMPLETIONS_MAX;
}

/*
 * Whether the word at start is where cmd takes a type name: struct's and
 * union's first argument, whatis's, list's -s value.
 */
static bool
type_name_position(const struct vd_cmd *cmd, int start, bool *structs, bool *unions,
		   bool *others)
{
	const char *line = rl_line_buffer;
	size_t i = strspn(line, " \t");
	int positional = 0;
	char prev[64] = "";

	i += strcspn(line + i, " \t");           // the command
	while ((int)i < start) {
		size_t n;

		i += strspn(line + i, " \t");
		if ((int)i >= start)
			break;
		n = strcspn(line + i, " \t");
		snprintf(prev, sizeof(prev), "%.*s", (int)n, line + i);
		if (line[i] != '-')
			positional++;
		i += n;
	}
	*structs = *unions = *others = false;
	if (cmd->run == vd_cmd_list && !strcmp(prev, "-s")) {
		*structs = *unions = true;
		return true;
	}
	if (positional || (prev[0] == '-' && strcmp(prev, "-x") && strcmp(prev, "-d") &&
			   strcmp(prev, "-o") && strcmp(prev, "--json")))
		return false;
	if (!strcmp(cmd->name, "union"))
		*unions = true;
	else if (cmd->run == vd_cmd_struct)
		*structs = true;
	else if (cmd->run == vd_cmd_whatis)
		*structs = *unions = *others = true;
	else
		return false;
	return true;
}

static char **
complete(const char *text, int start, int end)
{
	static const char *const builtins[] = { "quit", "exit", "help", "set" };
	struct vd_cli *cli = shell_cli;
	char first[64] = "";
	size_t len = strlen(text), n;
	const struct vd_cmd *cmd;

	(void)end;
	rl_attempted_completion_over = 1;   // no file names unless we say so
	rl_completion_append_character = ' ';
	for (size_t i = 0; i < ncompletions; i++)
		free(completions[i]);
	ncompletions = 0;
	n = strspn(rl_line_buffer, " \t");
	if ((int)n >= start) {
		for (size_t i = 0; i < vd_ncommands; i++)
			add_completion(text, len, "", vd_commands[i].name);
		for (size_t i = 0; i < VD_ARRAY_SIZE(builtins); i++)
			add_completion(text, len, "", builtins[i]);
		return matches(text);
	}
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(rl_line_buffer + n, " \t"),
		 rl_line_buffer + n);
	cmd = vd_cli_find_command(first);
	if (text[0] == '-' && cmd) {
		for (const struct vd_opt *o = cmd->opts; o && o->id; o++) {
			char s[64];

			if (o->long_name) {
				snprintf(s, sizeof(s), "--%s", o->long_name);
				add_completion(text, len, "", s);
			}
			if (o->word)
				add_completion(text, len, "", o->word);
			else if (o->short_name) {
				snprintf(s, sizeof(s), "-%c", o->short_name);
				add_completion(text, len, "", s);
			}
		}
		return matches(text);
	}
	if (cmd && (cmd->run == vd_cmd_rd || !strcmp(cmd->name, "dump-module")) &&
	    start >= 3 && !strncmp(rl_line_buffer + start - 3, "-o ", 3)) {
		rl_attempted_completion_over = 0;     // a file name
		return NULL;
	}
	rl_completion_append_character = '\0';   // ".member" may follow
	if (strchr(text, '.') || strstr(text, "->")) {
		complete_members(cli, text);
		return matches(text);
	}
	{
		struct type_completion tc = { .text = text, .len = len };

		if (cmd && type_name_position(cmd, start, &tc.structs, &tc.unions, &tc.others)) {
			vd_session_type_names(cli->session, text, add_type_name, &tc);
			// whatis also takes symbols (below); the others only types.
			if (cmd->run != vd_cmd_whatis)
				return matches(text);
		}
	}
	// Symbols (and what follows '&', '*', '$' or '(' of an expression).
	{
		size_t skip = strspn(text, "&*(!~-");
		char prefix[16];

		snprintf(prefix, sizeof(prefix), "%.*s", (int)VD_MIN(skip, sizeof(prefix) - 1), text);
		if (text[skip] == '$') {
			add_completion(text + skip, len - skip, prefix, "$task");
			add_completion(text + skip, len - skip, prefix, "$panic_task");
		} else if (len - skip >= 1) {
			size_t nsyms = vd_session_nsymbols(cli->session);

			for (size_t i = 0; i < nsyms && ncompletions < COMPLETIONS_MAX; i++) {
				struct vd_symbol_info sym;

				vd_session_symbol_nth(cli->session, i, &sym);
				if (sym.name && !strncmp(sym.name, text + skip, len - skip))
					add_completion(text + skip, len - skip, prefix, sym.name);
			}
		}
	}
	return matches(text);
}

/* Lines ---------------------------------------------------------------------- */

struct line {
	char *words[LINE_MAX_WORDS];
	int nwords;
	char *pipe_to;          /* "| cmd...": the rest of the line */
	char *redirect;         /* "> file" */
	bool append;            /* ">> file" */
	char buf[8192];
};

/*
 * Split a line as a shell would, simply: words, '...' and "..." quotes, a
 * backslash escaping the next character; an unquoted '|' sends the rest of
 * the line to sh, an unquoted '>' or '>>' names the output file.
 */
static int
split_line(struct vd_cli *cli, const char *text, struct line *l)
{
	const char *p = text;
	char *o = l->buf, *end = l->buf + sizeof(l->buf) - 1;
	bool want_file = false;

	memset(l->words, 0, sizeof(l->words));
	l->nwords = 0;
	l->pipe_to = l->redirect = NULL;
	l->append = false;
	for (;;) {
		char *word = o;
		bool any = false;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (*p == '|') {
			if (o >= end)
				return -1;
			l->pipe_to = o;
			p++;
			while (*p == ' ')
				p++;
			if (!*p) {
				vd_cli_error(cli, "nothing after '|'");
				return -1;
			}
			while (*p && o < end)
				*o++ = *p++;
			*o++ = '\0';
			break;
		}
		if (*p == '>') {
			l->append = p[1] == '>';
			p += l->append ? 2 : 1;
			want_file = true;
			continue;
		}
		// "->" is a member, not a redirection.
		while (*p && *p != ' ' && *p != '\t' && *p != '|' &&
		       (*p != '>' || (p > text && p[-1] == '-')) && o < end) {
			char q = *p;

			any = true;
			if (q == '\'' || q == '"') {
				p++;
				while (*p && *p != q && o < end) {
					if (q == '"' && *p == '\\' && p[1])
						p++;
					*o++ = *p++;
				}
				if (*p != q) {
					vd_cli_error(cli, "unterminated %c quote", q);
					return -1;
				}
				p++;
				continue;
			}
			if (q == '\\' && p[1])
				p++;
			*o++ = *p++;
		}
		if (o >= end) {
			vd_cli_error(cli, "line too long");
			return -1;
		}
		*o++ = '\0';
		if (!any)
			continue;
		if (want_file) {
			l->redirect = word;
			want_file = false;
			continue;
		}
		if (l->nwords == LINE_MAX_WORDS - 1) {
			vd_cli_error(cli, "too many words");
			return -1;
		}
		l->words[l->nwords++] = word;
	}
	if (want_file) {
		vd_cli_error(cli, "no file name after '>'");
		return -1;
	}
	return 0;
}

/* set [PID|TASK|-p]: the task context ($task) of later commands (-p: the
 * panic task, as crash's set -p). */
static int
shell_set(struct vd_cli *cli, int argc, char **argv)
{
	struct vd_task_iter it;
	const struct vd_task *t;
	struct vd_error *err;
	uint64_t want = 0, cur;
	bool by_addr = false, panic = argc == 2 && !strcmp(argv[1], "-p");
	int ret = VD_EXIT_FAIL;

	if (argc > 2) {
		vd_cli_error(cli, "usage: set [PID|TASK|-p]");
		return VD_EXIT_USAGE;
	}
	if (argc == 2 && !panic) {
		const char *a = argv[1];

		by_addr = (a[0] == '0' && (a[1] == 'x' || a[1] == 'X')) || strlen(a) >= 8 ||
			  a[0] == '$' || !isdigit((unsigned char)a[0]);
		if (by_addr ? !vd_cli_addr(cli, a, &want) : !vd_parse_u64(a, 10, &want)) {
			if (!by_addr)
				vd_cli_error(cli, "'%s' is neither a pid nor a task address", a);
			return VD_EXIT_USAGE;
		}
	}
	cur = cli->task_context;
	err = vd_task_iter_init(&it, cli->session, true);
	if (err) {
		vd_cli_report(cli, err);
		return VD_EXIT_FAIL;
	}
	if (argc == 1 && !cur)
		cur = it.panic_task;
	if (panic) {
		want = it.panic_task;
		by_addr = true;
	}
	for (;;) {
		err = vd_task_iter_next(&it, &t);
		if (err == &vd_stop)
			break;
		if (err) {
			vd_error_destroy(err);
			continue;
		}
		if (argc == 1 ? t->addr == cur :
		    by_addr ? t->addr == want : (uint64_t)t->pid == want) {
			if (argc == 2)
				cli->task_context = t->addr;
			printf("    PID: %d\n", t->pid);
			printf("COMMAND: \"%s\"\n", t->comm);
			printf("   TASK: %" PRIx64 "\n", t->addr);
			printf("    CPU: %d\n", t->cpu);
			ret = VD_EXIT_OK;
			break;
		}
	}
	vd_task_iter_deinit(&it);
	if (ret != VD_EXIT_OK)
		vd_cli_error(cli, argc == 1 || panic ? "no task context (the panic task is not known)" :
			     by_addr ? "no task at 0x%" PRIx64 : "no task with pid %" PRIu64, want);
	return ret;
}

/* Run one parsed command of the session, in this process. */
static int
run_command(struct vd_cli *shell, int argc, char **argv)
{
	struct vd_cli cli = { .out = stdout, .session = shell->session,
			      .session_opts = shell->session_opts, .json = shell->json,
			      .dumps = shell->dumps, .ndumps = shell->ndumps,
			      .task_context = shell->task_context,
			      .panic_task = shell->panic_task,
			      .panic_task_known = shell->panic_task_known };
	struct vd_session_opts before = shell->session_opts;
	char *joined = NULL;
	int ret;

	vd_cli_json_start();
	cli.cmd = vd_cli_find_command(argv[0]);
	if (!cli.cmd || cli.cmd->run == vd_cmd_shell) {
		const struct vd_cmd *near = vd_cli_nearest_command(argv[0]);

		if (near)
			vd_cli_error(NULL, "no command '%s'; did you mean '%s'?", argv[0], near->name);
		else
			vd_cli_error(NULL, "no command '%s' (try 'help')", argv[0]);
		return vd_cli_json_failure(shell, shell->json || vd_cli_argv_json(argc, argv),
					   VD_EXIT_USAGE);
	}
	ret = vd_cli_parse(&cli, argc, argv, true);
	if (ret == VD_EXIT_OK && memcmp(&before, &cli.session_opts, sizeof(before))) {
		vd_cli_error(&cli, "options that open the dump (--vmlinux, --zero-excluded, ...) "
			     "apply when the session starts: 'vmdive shell --vmlinux FILE DUMP'");
		ret = VD_EXIT_USAGE;
	}
	// As crash's p: the words after p are one expression ("p 6 * 7").
	if (ret == VD_EXIT_OK && cli.cmd->run == vd_cmd_print && cli.nargs > 1) {
		size_t len = 0;

		for (int i = 0; i < cli.nargs; i++)
			len += strlen(cli.args[i]) + 1;
		joined = malloc(len);
		if (!joined) {
			free(cli.args);
			return VD_EXIT_FAIL;
		}
		joined[0] = '\0';
		for (int i = 0; i < cli.nargs; i++) {
			strcat(joined, cli.args[i]);
			if (i + 1 < cli.nargs)
				strcat(joined, " ");
		}
		cli.args[0] = joined;
		cli.nargs = 1;
	}
	if (ret == VD_EXIT_OK && cli.help) {
		vd_cli_print_command_help(cli.cmd, stdout);
	} else if (ret == VD_EXIT_OK && !(cli.cmd->needs & (VD_NEEDS_DUMP | VD_NEEDS_FILES))) {
		ret = cli.cmd->run(&cli);
	} else if (ret == VD_EXIT_OK) {
		ret = vd_cli_check_args(&cli);
		if (ret == VD_EXIT_OK) {
			vd_json_init(&cli.j, stdout);
			ret = cli.cmd->run(&cli);
		}
	}
	ret = vd_cli_json_failure(&cli, cli.json || vd_cli_argv_json(argc, argv), ret);
	vd_cli_utask_close(&cli);   // rd/vtop -u PID
	free(cli.args);
	free(joined);
	return ret;
}

/* Fork, point the child's stdout at the pipe, file or pager, run, wait. */
static int
run_line(struct vd_cli *shell, struct line *l, bool interactive)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	const char *pager = NULL;
	pid_t pid;
	int status;

	if (!l->pipe_to && !l->redirect && interactive && isatty(STDOUT_FILENO)) {
		pager = getenv("PAGER");
		if (!pager || !*pager)
			pager = "less -FRX";
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		vd_cli_error(shell, "fork: %s", strerror(errno));
		return VD_EXIT_FAIL;
	}
	if (!pid) {
		FILE *to = NULL;
		int ret;

		signal(SIGINT, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		if (l->redirect) {
			int fd = open(l->redirect, O_WRONLY | O_CREAT | O_CLOEXEC |
				      (l->append ? O_APPEND : O_TRUNC), 0666);

			if (fd < 0) {
				vd_cli_error(shell, "%s: %s", l->redirect, strerror(errno));
				_exit(VD_EXIT_FAIL);
			}
			dup2(fd, STDOUT_FILENO);
			close(fd);
		}
		if (l->pipe_to || pager) {
			to = popen(l->pipe_to ? l->pipe_to : pager, "w");
			if (!to) {
				vd_cli_error(shell, "%s: %s", l->pipe_to ? l->pipe_to : pager,
					     strerror(errno));
				_exit(VD_EXIT_FAIL);
			}
			dup2(fileno(to), STDOUT_FILENO);
		}
		ret = run_command(shell, l->nwords, l->words);
		fflush(stdout);
		if (to) {
			// The reader sees end-of-file only when every copy is closed.
			close(STDOUT_FILENO);
			pclose(to);
		}
		_exit(ret);
	}
	sigaction(SIGINT, &ign, &old);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGINT, &old, NULL);
	if (WIFSIGNALED(status)) {
		if (WTERMSIG(status) == SIGINT)
			fprintf(stderr, "\n(interrupted)\n");
		else if (WTERMSIG(status) != SIGPIPE)
			fprintf(stderr, "vmdive: %s: killed by signal %d\n", l->words[0],
				WTERMSIG(status));
		return VD_EXIT_FAIL;
	}
	return WEXITSTATUS(status);
}

static void
shell_help(void)
{
	printf("Commands (each as on the command line, without the dump):\n");
	for (size_t i = 0; i < vd_ncommands; i++)
		if (vd_commands[i].run != vd_cmd_shell)
			printf("  %-12s %s\n", vd_commands[i].name, vd_commands[i].summary);
	printf("\nIn the session:\n"
	       "  set [PID|TASK|-p]  the task context ($task) of later commands\n"
	       "  help [COMMAND]  this, or a command's help\n"
	       "  quit, exit      leave (also Ctrl-D)\n"
	       "  CMD | SHELL-COMMAND, CMD > FILE, CMD >> FILE: as in a shell\n"
	       "  Ctrl-C interrupts a command; Tab completes commands, options,\n"
	       "  symbols and members (init_task.<Tab>).\n");
}

/* One line of input; returns the command's exit status. */
static int
do_line(struct vd_cli *cli, const char *text, bool interactive, bool *quit)
{
	struct line *l = calloc(1, sizeof(*l));
	int ret = VD_EXIT_OK;

	if (!l)
		return VD_EXIT_FAIL;
	if (split_line(cli, text, l)) {
		free(l);
		return VD_EXIT_USAGE;
	}
	if (!l->nwords || l->words[0][0] == '#') {
		free(l);
		return VD_EXIT_OK;
	}
	if (!strcmp(l->words[0], "quit") || !strcmp(l->words[0], "exit") ||
	    !strcmp(l->words[0], "q")) {
		*quit = true;
	} else if (!strcmp(l->words[0], "set") && !l->pipe_to && !l->redirect) {
		ret = shell_set(cli, l->nwords, l->words);
	} else if (!strcmp(l->words[0], "help") && l->nwords == 1 && !l->pipe_to &&
		   !l->redirect) {
		shell_help();
	} else {
		ret = run_line(cli, l, interactive);
	}
	free(l);
	return ret;
}

/* "cmd; cmd" outside quotes: each run in turn. */
static int
run_commands(struct vd_cli *cli, const char *text, bool interactive, bool *quit)
{
	char *copy = strdup(text), *p, *start;
	char q = 0;
	int ret = VD_EXIT_OK;

	if (!copy)
		return VD_EXIT_FAIL;
	for (p = start = copy; !*quit; p++) {
		if (q) {
			if (*p == q)
				q = 0;
			else if (!*p)
				break;
			continue;
		}
		if (*p == '\'' || *p == '"') {
			q = *p;
			continue;
		}
		if (*p == ';' || *p == '\n' || !*p) {
			char end = *p;
			int r;

			*p = '\0';
			r = do_line(cli, start, interactive, quit);
			if (r != VD_EXIT_OK)
				ret = r;
			start = p + 1;
			if (!end)
				break;
		}
	}
	free(copy);
	return ret;
}

/* Set up what every command needs, once, before the first fork. */
static void
warm_up(struct vd_cli *cli)
{
	struct vd_qualified_type qt;
	struct vd_xlat *xlat;

	vd_error_destroy(vd_session_xlat(cli->session, &xlat));
	(void)vd_session_nsymbols(cli->session);
	if (vd_session_info(cli->session)->kind == VD_DUMP_KERNEL) {
		vd_error_destroy(vd_session_find_type(cli->session, "struct task_struct", &qt));
		vd_error_destroy(vd_expr_variable_type(cli->session, "init_task", &qt, NULL));
	}
}

int
vd_cmd_shell(struct vd_cli *cli)
{
	char hbuf[4096];
	const char *hist = history_path(hbuf, sizeof(hbuf));
	bool quit = false, interactive;
	int ret = VD_EXIT_OK;
	char *line;

	if (cli->nargs) {
		vd_cli_error(cli, "unexpected argument '%s' (commands go in -c 'CMD; CMD', -i FILE, "
			     "or at the prompt)", cli->args[0]);
		return VD_EXIT_USAGE;
	}
	warm_up(cli);
	if (cli->shell_commands)
		return run_commands(cli, cli->shell_commands, false, &quit);
	if (cli->shell_input) {
		FILE *f = strcmp(cli->shell_input, "-") ? fopen(cli->shell_input, "re") : stdin;
		char buf[8192];

		if (!f) {
			vd_cli_error(cli, "%s: %s", cli->shell_input, strerror(errno));
			return VD_EXIT_FAIL;
		}
		while (!quit && fgets(buf, sizeof(buf), f)) {
			int r;

			buf[strcspn(buf, "\n")] = '\0';
			if (buf[0] == '#')
				continue;
			r = run_commands(cli, buf, false, &quit);
			if (r != VD_EXIT_OK)
				ret = r;
		}
		if (f != stdin)
			fclose(f);
		return ret;
	}
	interactive = isatty(STDIN_FILENO);
	if (!interactive) {
		char buf[8192];

		while (!quit && fgets(buf, sizeof(buf), stdin)) {
			buf[strcspn(buf, "\n")] = '\0';
			ret = run_commands(cli, buf, false, &quit);
		}
		return ret;
	}
	shell_cli = cli;
	rl_readline_name = "vmdive";
	// Our SIGINT handler, not libedit's (which passes the signal on and
	// may go back to reading): Ctrl-C at the prompt makes readline return.
	rl_catch_signals = 0;
	rl_getc_function = shell_getc;
	rl_attempted_completion_function = complete;
	rl_completer_word_break_characters = " \t|>;";
	rl_basic_word_break_characters = " \t|>;";
	using_history();
	stifle_history(HISTORY_LINES);
	if (hist)
		read_history(hist);
	{
		struct sigaction sa = { .sa_handler = on_sigint };   // no SA_RESTART

		sigaction(SIGINT, &sa, NULL);
	}
	sigprocmask(SIG_SETMASK, NULL, &prompt_mask);
	sigdelset(&prompt_mask, SIGINT);
	printf("vmdive: %s: %s.  'help' lists the commands, Tab completes, Ctrl-D leaves.\n",
	       cli->dumps[0], vd_session_vmcoreinfo(cli->session, "OSRELEASE") ?
	       vd_session_vmcoreinfo(cli->session, "OSRELEASE") :
	       vd_session_info(cli->session)->kind == VD_DUMP_USER ? "process core" : "dump");
	while (!quit) {
		sigset_t intr, open;

		sigemptyset(&intr);
		sigaddset(&intr, SIGINT);
		sigprocmask(SIG_BLOCK, &intr, &open);
		got_sigint = 0;
		line = readline("vmdive> ");
		sigprocmask(SIG_SETMASK, &open, NULL);
		if (!line) {
			if (got_sigint) {        // Ctrl-C at the prompt: a new line
				putchar('\n');
				continue;
			}
			putchar('\n');
			break;
		}
		if (*line) {
			add_history(line);
			if (hist)
				write_history(hist);
		}
		ret = run_commands(cli, line, true, &quit);
		free(line);
	}
	if (hist)
		history_truncate_file(hist, HISTORY_LINES);
	return ret;
}
