// SPDX-License-Identifier: MIT
/*
 * crash's `sys` from the dump alone: the kernel's utsname, CPUs, memory,
 * load average, uptime, clocks, tasks by state, the panic string, taint,
 * command line, and how complete the dump is.  Globals are read through
 * vmdive/expr.h (their types from the BTF in the dump, or the table of
 * expr/globals.c), so no vmlinux is needed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "triage_priv.h"
#include "vmdive/ctype.h"
#include "vmdive/expr.h"

struct vd_error *
vd_triage_read_global(struct vd_session *s, const char *expr, uint64_t *ret)
{
	struct vd_expr_env env = { .mode = VD_EXPR_VALUE, .as = VD_AS_KVIRT };
	struct vd_value v;
	struct vd_error *err = vd_expr_eval(s, expr, &env, &v);

	if (!err)
		err = vd_value_read_u64(s, &v, ret);
	return err;
}

/* A kernel built without CONFIG_KALLSYMS_ALL (Debian's arm64 5.10 and
 * 6.1): the session's one test (symbols/symbols.c). */
static bool
no_data_symbols(struct vd_session *s)
{
	return vd_session_lacks_data_symbols(s);
}

/* A field that needs a global this kernel's kallsyms does not have. */
static void
problem_global(struct vd_session *s, struct vd_sysinfo *si, const char *what,
	       struct vd_error *err)
{
	if (err && err->code == VD_ERR_LOOKUP && no_data_symbols(s)) {
		vd_problems_add(&si->problems,
				"%s: needs --system-map or --vmlinux (this kernel's kallsyms has no data symbols)",
				what);
		vd_error_destroy(err);
		return;
	}
	vd_problems_add_error(&si->problems, what, err);
}

/* Bits set in a struct cpumask of nbits bits. */
static struct vd_error *
count_mask(struct vd_session *s, const char *name, uint32_t nbits, uint32_t *ret)
{
	uint32_t n = 0;
	char expr[96];

	for (uint32_t w = 0; w < (nbits + 63) / 64 && w < 128; w++) {
		uint64_t v;
		struct vd_error *err;

		snprintf(expr, sizeof(expr), "%s.bits[%u]", name, w);
		if ((err = vd_triage_read_global(s, expr, &v)))
			return err;
		if (nbits - w * 64 < 64)
			v &= (1ull << (nbits - w * 64)) - 1;
		n += (uint32_t)__builtin_popcountll(v);
	}
	*ret = n;
	return NULL;
}

static void
read_uts(struct vd_session *s, struct vd_sysinfo *si)
{
	char *fields[6] = { si->sysname, si->nodename, si->release, si->version,
			    si->machine, si->domainname };
	char buf[6 * VD_UTS_LEN];
	uint64_t addr, off;
	struct vd_error *err;

	if (!vd_session_symbol(s, "init_uts_ns", &addr) &&
	    !vd_session_number(s, "SYMBOL(init_uts_ns)", &addr)) {
		vd_problems_add(&si->problems, "utsname: no symbol init_uts_ns");
		return;
	}
	// VMCOREINFO has OFFSET(uts_namespace.name) since 5.11 (commit
	// 55d9e11398a4 "kdump: append uts_namespace.name offset to
	// VMCOREINFO"); before, the type says where (BTF in the dump).
	if (!vd_session_number(s, "OFFSET(uts_namespace.name)", &off)) {
		struct vd_qualified_type t;

		err = vd_session_find_type(s, "struct uts_namespace", &t);
		if (!err)
			err = vd_type_offsetof(t.type, "name", &off);
		if (err) {
			vd_problems_add_error(&si->problems, "utsname", err);
			return;
		}
	}
	if ((err = vd_session_read(s, VD_AS_KVIRT, addr + off, buf, sizeof(buf), NULL))) {
		vd_problems_add_error(&si->problems, "utsname", err);
		return;
	}
	for (int i = 0; i < 6; i++) {
		memcpy(fields[i], buf + i * VD_UTS_LEN, VD_UTS_LEN);
		fields[i][VD_UTS_LEN] = '\0';
	}
	si->have_uts = true;
}

static void
read_cpus(struct vd_session *s, struct vd_sysinfo *si)
{
	struct vd_error *err;
	uint64_t dummy;
	uint32_t n;

	if ((err = vd_session_ncpus(s, &n))) {
		vd_problems_add_error(&si->problems, "nr_cpu_ids", err);
		return;
	}
	si->nr_cpu_ids = n;
	if ((err = count_mask(s, "__cpu_possible_mask", n, &si->cpus_possible)) ||
	    (err = count_mask(s, "__cpu_present_mask", n, &si->cpus_present)) ||
	    (err = count_mask(s, "__cpu_online_mask", n, &si->cpus_online))) {
		problem_global(s, si, "CPU masks (__cpu_*_mask)", err);
		return;
	}
	si->have_cpus = true;
	// x86's TSC-calibrated clock (arch/x86/kernel/tsc.c); arm64 has none.
	if (vd_session_symbol(s, "cpu_khz", &dummy)) {
		uint64_t khz;

		if (!(err = vd_triage_read_global(s, "cpu_khz", &khz)))
			si->cpu_khz = (uint32_t)khz;
		else
			vd_problems_add_error(&si->problems, "cpu_khz", err);
	}
}

/*
 * Without node_data or contig_page_data (no data symbols), each node's
 * pglist_data is still reachable from init_task: init_css_set's memory
 * controller state is the root struct mem_cgroup (its css is the first
 * member), whose nodeinfo[nid]->lruvec.pgdat is node nid's pgdat
 * (CONFIG_MEMCG; struct lruvec has had the pgdat pointer since 4.8).  The
 * online nodes are VMCOREINFO's SYMBOL(node_online_map).  Each pgdat must
 * say it is node nid.
 */
static struct vd_error *
present_via_memcg(struct vd_session *s, uint64_t *ret)
{
	struct vd_qualified_type ids, nm;
	struct vd_object task, css, memcg;
	const struct vd_type *e;
	uint64_t init_task, map, words[16] = { 0 }, total = 0, css_addr, nbits;
	int64_t memid = -1;
	struct vd_error *err;
	char path[64];
	size_t nwords;
	int nodes = 0;

	if (!vd_session_symbol(s, "init_task", &init_task))
		return vd_error_create(VD_ERR_LOOKUP, "no init_task");
	if (!vd_session_number(s, "SYMBOL(node_online_map)", &map))
		return vd_error_create(VD_ERR_LOOKUP, "VMCOREINFO has no SYMBOL(node_online_map)");
	if ((err = vd_session_find_type(s, "enum cgroup_subsys_id", &ids)))
		return err;
	e = vd_type_unqualified(ids.type);
	for (size_t i = 0; e && i < e->nenumerators; i++)
		if (!strcmp(e->enumerators[i].name, "memory_cgrp_id"))
			memid = e->enumerators[i].value;
	if (memid < 0)
		return vd_error_create(VD_ERR_LOOKUP, "no memory_cgrp_id in enum cgroup_subsys_id (no CONFIG_MEMCG)");
	if ((err = vd_session_find_type(s, "nodemask_t", &nm)))
		return err;
	nbits = vd_type_unqualified(nm.type)->size * 8;
	nwords = (size_t)VD_MIN(nbits / 64, VD_ARRAY_SIZE(words));
	if (!nwords)
		return vd_error_create(VD_ERR_CORRUPT, "nodemask_t has %" PRIu64 " bits", nbits);
	if ((err = vd_session_read(s, VD_AS_KVIRT, map, words, nwords * 8, NULL)))
		return vd_error_wrap(err, "reading node_online_map");
	if ((err = vd_object_at(s, "struct task_struct", init_task, &task)))
		return err;
	snprintf(path, sizeof(path), "cgroups->subsys[%" PRId64 "]", memid);
	if ((err = vd_object_member(&task, path, &css)) ||
	    (err = vd_object_read_u64(&css, &css_addr)))
		return vd_error_wrap(err, "init_task.%s", path);
	if ((err = vd_object_container_of(s, "struct mem_cgroup", "css", css_addr, &memcg)))
		return err;
	for (size_t w = 0; w < nwords; w++)
		for (unsigned b = 0; b < 64; b++) {
			struct vd_object pn, pgdat;
			uint64_t pn_addr, pgdat_addr, nid, v;
			uint64_t node = w * 64 + b;

			if (!(words[w] >> b & 1))
				continue;
			if (++nodes > 1024)
				return vd_error_create(VD_ERR_CORRUPT, "node_online_map has over 1024 nodes");
			snprintf(path, sizeof(path), "nodeinfo[%" PRIu64 "]", node);
			if ((err = vd_object_member(&memcg, path, &pn)) ||
			    (err = vd_object_read_u64(&pn, &pn_addr)))
				return vd_error_wrap(err, "root mem_cgroup.%s", path);
			if ((err = vd_object_at(s, "struct mem_cgroup_per_node", pn_addr, &pn)) ||
			    (err = vd_object_member(&pn, "lruvec.pgdat", &pgdat)) ||
			    (err = vd_object_read_u64(&pgdat, &pgdat_addr)) ||
			    (err = vd_object_at(s, "struct pglist_data", pgdat_addr, &pgdat)))
				return vd_error_wrap(err, "node %" PRIu64 "'s lruvec.pgdat", node);
			{
				struct vd_object f;

				if ((err = vd_object_member(&pgdat, "node_id", &f)) ||
				    (err = vd_object_read_u64(&f, &nid)))
					return vd_error_wrap(err, "node %" PRIu64 "'s pgdat", node);
				if ((uint32_t)nid != node)
					return vd_error_create(VD_ERR_CORRUPT,
							       "the pgdat of node %" PRIu64 " at 0x%" PRIx64 " says node %" PRIu64,
							       node, pgdat_addr, (uint64_t)(uint32_t)nid);
				if ((err = vd_object_member(&pgdat, "node_present_pages", &f)) ||
				    (err = vd_object_read_u64(&f, &v)))
					return vd_error_wrap(err, "node %" PRIu64 "'s pgdat", node);
			}
			total += v;
		}
	if (!nodes)
		return vd_error_create(VD_ERR_CORRUPT, "node_online_map is empty");
	*ret = total;
	return NULL;
}

/*
 * Pages present: node_present_pages of each node.  NUMA kernels keep
 * node_data[] (pointers, nr_node_ids of them), others contig_page_data.
 */
static void
read_memory(struct vd_session *s, struct vd_sysinfo *si)
{
	struct vd_error *err = NULL;
	uint64_t v, total = 0, dummy;

	si->page_size = vd_session_page_size(s);
	if (vd_session_symbol(s, "node_data", &dummy)) {
		uint64_t nodes = 1;
		char expr[128];

		if (vd_session_symbol(s, "nr_node_ids", &dummy) &&
		    (err = vd_triage_read_global(s, "*(unsigned int *)&nr_node_ids", &nodes)))
			goto fail;
		nodes = (uint32_t)nodes;
		if (!nodes || nodes > 1024) {
			vd_problems_add(&si->problems, "memory: nr_node_ids is %" PRIu64, nodes);
			goto totalram;
		}
		for (uint64_t i = 0; i < nodes; i++) {
			uint64_t pgdat;

			snprintf(expr, sizeof(expr), "((struct pglist_data **)node_data)[%" PRIu64 "]", i);
			if ((err = vd_triage_read_global(s, expr, &pgdat)))
				goto fail;
			if (!pgdat)
				continue;       /* a possible node without memory */
			snprintf(expr, sizeof(expr),
				 "((struct pglist_data **)node_data)[%" PRIu64 "]->node_present_pages", i);
			if ((err = vd_triage_read_global(s, expr, &v)))
				goto fail;
			total += v;
		}
		si->present_source = "node_data";
	} else if (vd_session_symbol(s, "contig_page_data", &dummy) || !no_data_symbols(s)) {
		if ((err = vd_triage_read_global(s, "contig_page_data.node_present_pages", &v)))
			goto fail;
		total = v;
		si->present_source = "contig_page_data";
	} else if (!(err = present_via_memcg(s, &v))) {
		total = v;
		si->present_source = "memcg";
	} else {
		vd_problems_add(&si->problems,
				"memory (node_present_pages): needs --system-map or --vmlinux (this kernel's kallsyms has no data symbols, and the root memory cgroup did not lead to the nodes: %s)",
				err->msg);
		vd_error_destroy(err);
		goto totalram;
	}
	si->present_pages = total;
	si->have_present = true;
	goto totalram;
fail:
	vd_problems_add_error(&si->problems, "memory (node_present_pages)", err);
totalram:
	// _totalram_pages (atomic_long_t) since 5.0 (commit ca79b0c211af "mm:
	// convert totalram_pages and totalhigh_pages variables to atomic").
	if (!(err = vd_triage_read_global(s, "_totalram_pages.counter", &v)) ||
	    (vd_error_destroy(err), !(err = vd_triage_read_global(s, "totalram_pages", &v)))) {
		si->totalram_pages = v;
		si->have_totalram = true;
	} else {
		problem_global(s, si, "totalram_pages", err);
	}
}

static void
read_load(struct vd_session *s, struct vd_sysinfo *si)
{
	struct vd_error *err;

	for (int i = 0; i < 3; i++) {
		char expr[32];

		snprintf(expr, sizeof(expr), "avenrun[%d]", i);
		if ((err = vd_triage_read_global(s, expr, &si->avenrun[i]))) {
			problem_global(s, si, "load average (avenrun)", err);
			return;
		}
	}
	si->have_load = true;
}

/*
 * Uptime: jiffies_64 counts from INITIAL_JIFFIES, (u32)(-300 * HZ)
 * (include/linux/jiffies.h).  The dump does not say HZ: of the values
 * Linux configures (100, 250, 300, 1000), the one whose uptime is nearest
 * the timekeeper's CLOCK_MONOTONIC is taken, else (no types) the one
 * nearest the newest printk timestamp (local_clock(), ns since boot).
 */
static void
read_uptime(struct vd_session *s, struct vd_sysinfo *si, uint64_t last_ts_ns, bool have_ts)
{
	static const uint32_t hzs[] = { 100, 250, 300, 1000 };
	struct vd_error *err;
	double best = -1;
	int64_t mono;
	uint64_t j;

	if (!(err = vd_kernel_monotonic(s, &mono)) && mono >= 0) {
		si->have_monotonic = true;
		si->monotonic_s = mono;
		last_ts_ns = (uint64_t)mono * 1000000000u;
		have_ts = true;
	}
	vd_error_destroy(err);
	if ((err = vd_triage_read_global(s, "jiffies_64", &j))) {
		problem_global(s, si, "uptime (jiffies_64)", err);
		return;
	}
	si->jiffies = j;
	for (size_t i = 0; i < VD_ARRAY_SIZE(hzs); i++) {
		uint64_t initial = (uint64_t)(uint32_t)(-300 * (int64_t)hzs[i]);
		double up, d;

		if (j < initial)
			continue;
		up = (double)(j - initial) / hzs[i];
		d = have_ts ? up - last_ts_ns / 1e9 : up;
		if (d < 0)
			d = -d;
		if (best < 0 || d < best) {
			best = d;
			si->hz = hzs[i];
			si->uptime_s = up;
		}
	}
	if (best < 0) {
		vd_problems_add(&si->problems, "uptime: jiffies_64 %" PRIu64 " is below INITIAL_JIFFIES for every HZ", j);
		return;
	}
	si->have_uptime = true;
}

static void
read_tasks(struct vd_session *s, struct vd_sysinfo *si)
{
	struct vd_task_iter it;
	const struct vd_task *t;
	struct vd_error *err;

	if ((err = vd_task_iter_init(&it, s, true))) {
		vd_problems_add_error(&si->problems, "tasks", err);
		return;
	}
	while ((err = vd_task_iter_next(&it, &t)) != &vd_stop) {
		if (err) {
			vd_problems_add_error(&si->problems, "tasks", err);
			continue;
		}
		si->ntasks++;
		si->by_state[(unsigned char)t->state & 127]++;
	}
	vd_task_iter_deinit(&it);
	si->have_tasks = true;
}

static void
read_log(struct vd_session *s, struct vd_sysinfo *si, uint64_t *last_ts, bool *have_ts)
{
	struct vd_printk_iter it;
	const struct vd_printk_record *r;
	struct vd_error *err;
	size_t nerr = 0;

	*have_ts = false;
	if ((err = vd_printk_iter_init(&it, s))) {
		vd_problems_add_error(&si->problems, "log", err);
		return;
	}
	while ((err = vd_printk_iter_next(&it, &r)) != &vd_stop) {
		char *text;

		if (err) {
			if (nerr++ < 3)
				vd_problems_add_error(&si->problems, "log record", err);
			else
				vd_error_destroy(err);
			continue;
		}
		if (!vd_grow(&si->log_text, si->nlog_records, sizeof(*si->log_text)) ||
		    !vd_grow(&si->log_ts, si->nlog_records, sizeof(*si->log_ts)) ||
		    !(text = strndup(r->text, r->text_len)))
			break;
		si->log_text[si->nlog_records] = text;
		si->log_ts[si->nlog_records++] = r->ts_nsec;
		*last_ts = r->ts_nsec;
		*have_ts = true;
	}
	if (nerr > 3)
		vd_problems_add(&si->problems, "log: %zu more damaged records", nerr - 3);
	vd_printk_iter_deinit(&it);
}

static void
read_dump(struct vd_session *s, struct vd_sysinfo *si)
{
	const struct vd_dump_info *info = vd_session_info(s);

	si->format = info->format;
	si->damage = info->damage;
	si->dump_level = -1;
	for (size_t i = 0; i < info->nattrs; i++) {
		const struct vd_attr *a = &info->attrs[i];

		if (!strcmp(a->key, "dump_level") && a->type == VD_ATTR_COUNT) {
			si->dump_level = (int32_t)a->number;
		} else if (!strcmp(a->key, "dump_level_excludes") && si->dump_level > 0) {
			snprintf(si->excluded, sizeof(si->excluded), "%s", a->value);
		} else if (!strcmp(a->key, "timestamp") && a->type == VD_ATTR_TIME &&
			   a->number && a->number <= INT64_MAX) {
			si->dump_time = (int64_t)a->number;
			si->have_dump_time = true;
		}
	}
}

/*
 * start_kernel() prints saved_command_line as "Kernel command line: %s"
 * (5.10 and 6.1 alike), one record; the record is gone once the ring
 * wrapped, and then the field stays a problem.
 */
static bool
cmdline_from_log(struct vd_sysinfo *si)
{
	static const char prefix[] = "Kernel command line: ";

	for (size_t i = 0; i < si->nlog_records; i++) {
		const char *t = si->log_text[i];
		size_t len;

		if (strncmp(t, prefix, sizeof(prefix) - 1))
			continue;
		t += sizeof(prefix) - 1;
		len = strcspn(t, "\n");
		snprintf(si->cmdline, sizeof(si->cmdline), "%.*s", (int)len, t);
		si->have_cmdline = true;
		si->cmdline_source = "log";
		return true;
	}
	return false;
}

/*
 * crash's PANIC (since crash 8.0.4, "Fix printing incorrect panic
 * string issue"): the first of these strings, in this order of severity,
 * that a log line holds; the whole line.  crash 8.0.2 took the first such
 * line in log order instead, so it shows an oops's "Oops: ..." line where
 * later versions show the "Kernel panic - not syncing" line that followed.
 */
static void
crash_panic_string(const struct vd_sysinfo *si, char *buf, size_t size)
{
	static const char *const order[] = {
		"SysRq : Crash", "SysRq : Trigger a crash", "SysRq : Netdump",
		"Kernel panic: ", "Kernel panic - ", "Kernel BUG at", "kernel BUG at",
		"Unable to handle kernel paging request",
		"Unable to handle kernel NULL pointer dereference",
		"BUG: unable to handle kernel ", "general protection fault: ",
		"double fault: ", "divide error: ", "stack segment: ",
		"[Hardware Error]: ", "Bad mode in ", "Oops: ",
	};

	buf[0] = '\0';
	for (size_t k = 0; k < VD_ARRAY_SIZE(order); k++)
		for (size_t i = 0; i < si->nlog_records; i++) {
			const char *line = si->log_text[i];

			while (line && *line) {
				size_t len = strcspn(line, "\n");

				if (memmem(line, len, order[k], strlen(order[k]))) {
					snprintf(buf, size, "%.*s", (int)VD_MIN(len, size - 1), line);
					return;
				}
				line += len;
				if (*line)
					line++;
			}
		}
}

void
vd_sysinfo_read(struct vd_session *s, struct vd_sysinfo *si)
{
	const struct vd_dump_info *info = vd_session_info(s);
	uint64_t last_ts = 0;
	bool have_ts = false;
	struct vd_error *err;
	struct vd_xlat *xlat;

	memset(si, 0, sizeof(*si));
	si->no_data_symbols = no_data_symbols(s);
	si->osrelease = vd_session_vmcoreinfo(s, "OSRELEASE");
	si->build_id = vd_session_vmcoreinfo(s, "BUILD-ID");
	si->arch = vd_arch_name(info->arch);
	read_dump(s, si);
	if ((err = vd_session_xlat(s, &xlat))) {
		vd_problems_add_error(&si->problems, "address translation", err);
		goto done;
	}
	read_uts(s, si);
	read_cpus(s, si);
	read_memory(s, si);
	read_load(s, si);
	read_log(s, si, &last_ts, &have_ts);
	read_uptime(s, si, last_ts, have_ts);
	if (!(err = vd_kernel_wall_clock(s, &si->crash_time, &si->crash_time_source)))
		si->have_crash_time = true;
	else
		problem_global(s, si, "crash time (tk_core)", err);
	read_tasks(s, si);
	crash_panic_string(si, si->panic, sizeof(si->panic));
	if (!(err = vd_triage_read_global(s, "tainted_mask", &si->taint))) {
		si->have_taint = true;
		vd_taint_letters(si->taint, si->taint_letters, sizeof(si->taint_letters));
	} else {
		problem_global(s, si, "tainted_mask", err);
	}
	{
		struct vd_expr_env env = { .mode = VD_EXPR_VALUE, .as = VD_AS_KVIRT };
		struct vd_value v;
		uint64_t p = 0;

		err = vd_expr_eval(s, "saved_command_line", &env, &v);
		if (!err)
			err = vd_value_read_u64(s, &v, &p);
		if (!err) {
			size_t got = 0;

			err = vd_session_read(s, VD_AS_KVIRT, p, si->cmdline,
					      sizeof(si->cmdline) - 1, &got);
			/* The string may end before an unreadable page. */
			if (err && memchr(si->cmdline, '\0', got)) {
				vd_error_destroy(err);
				err = NULL;
			}
			si->cmdline[sizeof(si->cmdline) - 1] = '\0';
		}
		if (!err) {
			si->have_cmdline = true;
			si->cmdline_source = "saved_command_line";
		} else if (err->code == VD_ERR_LOOKUP && no_data_symbols(s) &&
			   cmdline_from_log(si)) {
			vd_error_destroy(err);
		} else {
			problem_global(s, si, "command line (saved_command_line)", err);
		}
	}
done:
	si->complete = !si->damage && si->dump_level <= 0 && !si->problems.n;
}

void
vd_sysinfo_deinit(struct vd_sysinfo *si)
{
	for (size_t i = 0; i < si->nlog_records; i++)
		free(si->log_text[i]);
	free(si->log_text);
	free(si->log_ts);
	vd_problems_free(&si->problems);
	memset(si, 0, sizeof(*si));
}
