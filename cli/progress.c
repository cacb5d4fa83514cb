// SPDX-License-Identifier: MIT
/*
 * A progress line on stderr for work over the whole dump (search, rd -o of
 * all RAM): only when stderr is a terminal, only once the work has taken a
 * second, at most five updates a second, and erased when the work ends so
 * that nothing of it stays in the output or in a log.
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define PROGRESS_DELAY 1.0
#define PROGRESS_EVERY 0.2

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
vd_progress_begin(struct vd_progress *p, const char *what, uint64_t total)
{
	p->what = what;
	p->total = total;
	p->on = isatty(STDERR_FILENO);
	p->shown = false;
	p->start = p->on ? now() : 0;
	p->last = p->start;
}

void
vd_progress_update(struct vd_progress *p, uint64_t done)
{
	char d[32], t[32];
	double n;

	if (!p->on)
		return;
	n = now();
	if (n - p->start < PROGRESS_DELAY || n - p->last < PROGRESS_EVERY)
		return;
	p->last = n;
	p->shown = true;
	vd_cli_format_size(done, d, sizeof(d));
	vd_cli_format_size(p->total, t, sizeof(t));
	fprintf(stderr, "\r%s: %s of %s (%u%%)\033[K", p->what, d, t,
		p->total ? (unsigned)(done * 100.0 / (double)p->total) : 100u);
	fflush(stderr);
}

void
vd_progress_end(struct vd_progress *p)
{
	if (p->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	p->on = p->shown = false;
}
