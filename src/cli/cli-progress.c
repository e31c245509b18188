/* A progress line for long runs on a terminal: on stderr, only when stderr
 * is a terminal and the output is for people (never in pipes, JSON or
 * SARIF), only once a run has taken a second, redrawn ten times a second
 * at most, and wiped before anything else is printed and at the end. */
#include "config.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static struct {
	bool enabled, shown;
	double start, last;
} progress;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_start(bool for_people)
{
	progress.enabled = for_people && isatty(STDERR_FILENO);
	progress.shown = false;
	progress.start = progress.last = now();
}

void cli_progress(const char *verb, unsigned long files, unsigned long elf)
{
	double t;

	if (!progress.enabled)
		return;
	t = now();
	if (t - progress.start < 1.0 || t - progress.last < 0.1)
		return;
	progress.last = t;
	fflush(stdout);
	fprintf(stderr, "\r\033[Kinterpfix: %s %lu files, %lu ELF ...", verb, files, elf);
	progress.shown = true;
}

void cli_progress_clear(void)
{
	if (!progress.shown)
		return;
	fputs("\r\033[K", stderr);
	progress.shown = false;
}
