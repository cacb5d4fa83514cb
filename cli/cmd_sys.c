// SPDX-License-Identifier: MIT
/*
 * vmdive sys: crash's `sys` (KERNEL, DUMPFILE, CPUS, DATE, UPTIME, LOAD
 * AVERAGE, TASKS, NODENAME, RELEASE, VERSION, MACHINE, MEMORY, PANIC), plus
 * what crash leaves to other commands: build-id, tasks by state, taint,
 * the command line and how complete the dump is.  The facts come from
 * triage/ (vd_sysinfo_read); this file only prints them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "common/util.h"
#include "vmdive/triage.h"

/* crash's DATE: "Mon Dec  7 09:30:20 UTC 2026". */
static void
format_date(int64_t secs, char *buf, size_t len)
{
	time_t t = (time_t)secs;
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%a %b %e %H:%M:%S UTC %Y", &tm))
		snprintf(buf, len, "?");
}

/* crash's UPTIME: "00:00:04", "3 days, 01:02:03". */
static void
format_uptime(double up, char *buf, size_t len)
{
	uint64_t s = (uint64_t)up, d = s / 86400;

	if (d)
		snprintf(buf, len, "%" PRIu64 " day%s, %02" PRIu64 ":%02" PRIu64 ":%02" PRIu64,
			 d, d == 1 ? "" : "s", s / 3600 % 24, s / 60 % 60, s % 60);
	else
		snprintf(buf, len, "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64, s / 3600,
			 s / 60 % 60, s % 60);
}

/* /proc/loadavg's rounding: (avenrun + FIXED_1/200), FSHIFT 11. */
static void
format_load(uint64_t a, char *buf, size_t len)
{
	a += 2048 / 200;
	snprintf(buf, len, "%" PRIu64 ".%02" PRIu64, a >> 11, ((a & 2047) * 100) >> 11);
}

/* crash's MEMORY: "511.5 MB", "3.9 GB". */
static void
format_mem(uint64_t bytes, char *buf, size_t len)
{
	if (bytes < (1ull << 30))
		snprintf(buf, len, "%.1f MB", bytes / 1048576.0);
	else
		snprintf(buf, len, "%.1f GB", bytes / 1073741824.0);
}

static const char state_order[] = "RSDTtXZPI?";
/* In place of a field whose global this kernel's kallsyms lacks. */
static const char needs_symbols[] =
	"(needs --system-map or --vmlinux: this kernel's kallsyms has no data symbols)";

static void
sys_text(struct vd_cli *cli, const struct vd_sysinfo *si)
{
	FILE *o = cli->out;
	char buf[128];
	const char *vmlinux = vd_session_vmlinux(cli->session);

	fprintf(o, "      KERNEL: %s\n", vmlinux ? vmlinux :
		"(none: kallsyms, BTF and VMCOREINFO of the dump)");
	fprintf(o, "    DUMPFILE: ");
	for (int i = 0; i < cli->ndumps; i++)
		fprintf(o, "%s%s", i ? " " : "", cli->dumps[i]);
	fprintf(o, "%s\n", si->dump_level > 0 ? "  [PARTIAL DUMP]" : "");
	if (si->have_cpus) {
		uint32_t n = si->cpus_present ? si->cpus_present : si->cpus_possible;

		fprintf(o, "        CPUS: %u", n);
		if (n > si->cpus_online)
			fprintf(o, " [OFFLINE: %u]", n - si->cpus_online);
		fprintf(o, "\n");
	} else if (si->no_data_symbols) {
		fprintf(o, "        CPUS: %s\n", needs_symbols);
	}
	if (si->have_crash_time) {
		format_date(si->crash_time, buf, sizeof(buf));
		fprintf(o, "        DATE: %s\n", buf);
	} else if (si->no_data_symbols) {
		fprintf(o, "        DATE: %s\n", needs_symbols);
	}
	if (si->have_uptime) {
		format_uptime(si->uptime_s, buf, sizeof(buf));
		fprintf(o, "      UPTIME: %s\n", buf);
	} else if (si->no_data_symbols) {
		fprintf(o, "      UPTIME: %s\n", needs_symbols);
	}
	if (!si->have_load && si->no_data_symbols)
		fprintf(o, "LOAD AVERAGE: %s\n", needs_symbols);
	if (si->have_load) {
		char a[32], b[32], c[32];

		format_load(si->avenrun[0], a, sizeof(a));
		format_load(si->avenrun[1], b, sizeof(b));
		format_load(si->avenrun[2], c, sizeof(c));
		fprintf(o, "LOAD AVERAGE: %s, %s, %s\n", a, b, c);
	}
	if (si->have_tasks)
		fprintf(o, "       TASKS: %" PRIu64 "\n", si->ntasks);
	if (si->have_uts) {
		fprintf(o, "    NODENAME: %s\n", si->nodename);
		fprintf(o, "     RELEASE: %s\n", si->release);
		fprintf(o, "     VERSION: %s\n", si->version);
		if (si->cpu_khz)
			fprintf(o, "     MACHINE: %s  (%" PRIu64 " Mhz)\n", si->machine,
				si->cpu_khz / 1000);
		else
			fprintf(o, "     MACHINE: %s  (unknown Mhz)\n", si->machine);
	} else if (si->osrelease) {
		fprintf(o, "     RELEASE: %s\n", si->osrelease);
	}
	if (si->have_present) {
		format_mem(si->present_pages * si->page_size, buf, sizeof(buf));
		fprintf(o, "      MEMORY: %s%s\n", buf,
			si->present_source && !strcmp(si->present_source, "memcg") ?
			"  (nodes from the root memory cgroup)" : "");
	} else if (si->no_data_symbols) {
		fprintf(o, "      MEMORY: %s\n", needs_symbols);
	}
	if (si->panic[0])
		fprintf(o, "       PANIC: \"%s\"%s\n", si->panic,
			strstr(si->panic, "Oops: ") ? " (check log for details)" : "");
	/* vmdive's additions */
	if (si->build_id)
		fprintf(o, "    BUILD-ID: %s\n", si->build_id);
	if (si->have_crash_time)
		fprintf(o, "  CLOCK FROM: %s\n", si->crash_time_source);
	if (si->have_dump_time) {
		format_date(si->dump_time, buf, sizeof(buf));
		fprintf(o, "  DUMP CLOCK: %s (the dump writer's)\n", buf);
	}
	if (si->have_totalram) {
		format_mem(si->totalram_pages * si->page_size, buf, sizeof(buf));
		fprintf(o, "   TOTAL RAM: %s (totalram_pages %" PRIu64 ")\n", buf, si->totalram_pages);
	} else if (si->no_data_symbols) {
		fprintf(o, "   TOTAL RAM: %s\n", needs_symbols);
	}
	if (si->have_tasks) {
		fprintf(o, " TASK STATES:");
		for (const char *c = state_order; *c; c++)
			if (si->by_state[(unsigned char)*c])
				fprintf(o, " %c %" PRIu64, *c, si->by_state[(unsigned char)*c]);
		fprintf(o, "\n");
	}
	if (!si->have_taint && si->no_data_symbols)
		fprintf(o, "TAINTED_MASK: %s\n", needs_symbols);
	if (si->have_taint) {
		fprintf(o, "TAINTED_MASK: %" PRIx64 "  %s\n", si->taint, si->taint_letters);
		for (size_t b = 0; b < 64; b++)
			if (si->taint & (1ull << b))
				fprintf(o, "              %c %s%s%s\n",
					b < vd_ntaint_flags ? vd_taint_flags[b].letter : '?',
					b < vd_ntaint_flags ? vd_taint_flags[b].name : "unknown bit",
					b < vd_ntaint_flags ? ": " : "",
					b < vd_ntaint_flags ? vd_taint_flags[b].desc : "");
	}
	if (!si->have_cmdline && si->no_data_symbols)
		fprintf(o, "     CMDLINE: %s\n", needs_symbols);
	if (si->have_cmdline)
		fprintf(o, "     CMDLINE: %s%s\n", si->cmdline,
			si->cmdline_source && !strcmp(si->cmdline_source, "log") ?
			"  (from the log's \"Kernel command line:\")" : "");
	fprintf(o, " DUMP FORMAT: %s", si->format);
	if (si->dump_level >= 0)
		fprintf(o, ", dump level %d%s%s%s", si->dump_level, si->excluded[0] ? " (excluded: " : "",
			si->excluded, si->excluded[0] ? ")" : "");
	else
		fprintf(o, ", no dump level recorded");
	fprintf(o, "\n");
	if (si->damage)
		fprintf(o, "      DAMAGE: %s\n", si->damage);
	fprintf(o, "    COMPLETE: %s\n", si->complete ? "yes" : "no");
	for (size_t i = 0; i < si->problems.n; i++)
		fprintf(o, "     PROBLEM: %s\n", si->problems.msgs[i]);
}

void vd_cli_sys_json(struct vd_cli *cli, const struct vd_sysinfo *si);

void
vd_cli_sys_json(struct vd_cli *cli, const struct vd_sysinfo *si)
{
	struct vd_json *j = &cli->j;
	char buf[128];

	vd_json_kv_string(j, "arch", si->arch);
	if (si->have_uts) {
		vd_json_kv_string(j, "sysname", si->sysname);
		vd_json_kv_string(j, "nodename", si->nodename);
		vd_json_kv_string(j, "release", si->release);
		vd_json_kv_string(j, "version", si->version);
		vd_json_kv_string(j, "machine", si->machine);
		vd_json_kv_string(j, "domainname", si->domainname);
	} else {
		vd_json_kv_string(j, "release", si->osrelease);
	}
	vd_json_kv_string(j, "build_id", si->build_id);
	vd_json_kv_bool(j, "no_data_symbols", si->no_data_symbols);
	if (si->have_cpus) {
		vd_json_key(j, "cpus");
		vd_json_begin_object(j);
		vd_json_kv_uint(j, "nr_cpu_ids", si->nr_cpu_ids);
		vd_json_kv_uint(j, "possible", si->cpus_possible);
		vd_json_kv_uint(j, "present", si->cpus_present);
		vd_json_kv_uint(j, "online", si->cpus_online);
		if (si->cpu_khz)
			vd_json_kv_uint(j, "cpu_khz", si->cpu_khz);
		vd_json_end_object(j);
	}
	vd_json_key(j, "memory");
	vd_json_begin_object(j);
	vd_json_kv_uint(j, "page_size", si->page_size);
	if (si->have_present) {
		vd_json_kv_uint(j, "present_pages", si->present_pages);
		vd_json_kv_string(j, "present_source", si->present_source);
		format_mem(si->present_pages * si->page_size, buf, sizeof(buf));
		vd_json_kv_string(j, "text", buf);
	}
	if (si->have_totalram)
		vd_json_kv_uint(j, "totalram_pages", si->totalram_pages);
	vd_json_end_object(j);
	if (si->have_load) {
		vd_json_key(j, "load_average");
		vd_json_begin_array(j);
		for (int i = 0; i < 3; i++) {
			format_load(si->avenrun[i], buf, sizeof(buf));
			vd_json_string(j, buf);
		}
		vd_json_end_array(j);
		vd_json_key(j, "avenrun");
		vd_json_begin_array(j);
		for (int i = 0; i < 3; i++)
			vd_json_uint(j, si->avenrun[i]);
		vd_json_end_array(j);
	}
	if (si->have_uptime) {
		vd_json_kv_uint(j, "uptime_s", (uint64_t)si->uptime_s);
		vd_json_kv_uint(j, "jiffies", si->jiffies);
		vd_json_kv_uint(j, "hz", si->hz);
	}
	if (si->have_monotonic)
		vd_json_kv_int(j, "monotonic_s", si->monotonic_s);
	if (si->have_crash_time) {
		vd_json_kv_int(j, "crash_time", si->crash_time);
		vd_json_kv_string(j, "crash_time_source", si->crash_time_source);
		format_date(si->crash_time, buf, sizeof(buf));
		vd_json_kv_string(j, "date", buf);
	}
	if (si->have_dump_time)
		vd_json_kv_int(j, "dump_time", si->dump_time);
	if (si->have_tasks) {
		vd_json_key(j, "tasks");
		vd_json_begin_object(j);
		vd_json_kv_uint(j, "total", si->ntasks);
		vd_json_key(j, "by_state");
		vd_json_begin_object(j);
		for (const char *c = state_order; *c; c++)
			if (si->by_state[(unsigned char)*c]) {
				char k[2] = { *c, '\0' };

				vd_json_kv_uint(j, k, si->by_state[(unsigned char)*c]);
			}
		vd_json_end_object(j);
		vd_json_end_object(j);
	}
	vd_json_kv_string(j, "panic", si->panic[0] ? si->panic : NULL);
	if (si->have_taint) {
		vd_json_key(j, "taint");
		vd_json_begin_object(j);
		vd_json_kv_hex(j, "mask", si->taint);
		vd_json_kv_string(j, "letters", si->taint_letters);
		vd_json_key(j, "flags");
		vd_json_begin_array(j);
		for (size_t b = 0; b < 64; b++)
			if (si->taint & (1ull << b))
				vd_json_string(j, b < vd_ntaint_flags ? vd_taint_flags[b].name : "unknown");
		vd_json_end_array(j);
		vd_json_end_object(j);
	}
	vd_json_kv_string(j, "cmdline", si->have_cmdline ? si->cmdline : NULL);
	vd_json_kv_string(j, "cmdline_source", si->have_cmdline ? si->cmdline_source : NULL);
	vd_json_key(j, "dump");
	vd_json_begin_object(j);
	vd_json_kv_string(j, "format", si->format);
	vd_json_key(j, "dump_level");
	if (si->dump_level >= 0)
		vd_json_int(j, si->dump_level);
	else
		vd_json_null(j);
	vd_json_kv_string(j, "excluded", si->excluded[0] ? si->excluded : NULL);
	vd_json_kv_string(j, "damage", si->damage);
	vd_json_end_object(j);
}

int
vd_cmd_sys(struct vd_cli *cli)
{
	struct vd_sysinfo si;

	if (vd_session_info(cli->session)->kind != VD_DUMP_KERNEL) {
		vd_cli_error(cli, "sys reads kernel dumps; this is a process core (try info)");
		return VD_EXIT_FAIL;
	}
	vd_sysinfo_read(cli->session, &si);
	if (cli->json) {
		vd_json_begin_object(&cli->j);
		vd_json_key(&cli->j, "file");
		vd_json_string(&cli->j, cli->dumps[0]);
		vd_cli_sys_json(cli, &si);
		vd_json_kv_bool(&cli->j, "complete", si.complete);
		vd_json_key(&cli->j, "problems");
		vd_json_begin_array(&cli->j);
		for (size_t i = 0; i < si.problems.n; i++)
			vd_json_string(&cli->j, si.problems.msgs[i]);
		vd_json_end_array(&cli->j);
		vd_json_end_object(&cli->j);
	} else {
		sys_text(cli, &si);
	}
	vd_sysinfo_deinit(&si);
	return VD_EXIT_OK;
}
