/* The CLI's one mapping from library status to exit status, and the one
 * way errors are printed: "interpfix: PATH: reason". */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <sys/stat.h>

#include "cli.h"

int cli_exit_for(enum ifx_status status)
{
	switch (status) {
	case IFX_OK:
		return EXIT_OK;
	case IFX_REFUSED:
		return EXIT_REFUSED;
	default:
		return EXIT_ERROR;
	}
}

/* The worst of two exit statuses, in the order 2 > 3 > 1 > 0. */
int cli_worst(int a, int b)
{
	static const int rank[] = { [EXIT_OK] = 0, [EXIT_FINDINGS] = 1,
				    [EXIT_REFUSED] = 2, [EXIT_ERROR] = 3 };

	return rank[a] >= rank[b] ? a : b;
}

void cli_error_shown(const char *shown, const struct ifx_error *err)
{
	cli_progress_clear();
	fprintf(stderr, "interpfix: %s: %s\n", shown, cli_safe(err->message));
	if (err->advice[0] != '\0')
		fprintf(stderr, "interpfix: %s: %s\n", shown, cli_safe_advice(err->advice));
}

void cli_error(const char *path, const struct ifx_error *err)
{
	cli_error_shown(cli_safe(path), err);
}

void cli_fill_error(struct ifx_error *err, enum ifx_status status, int errnum,
		    const char *what)
{
	memset(err, 0, sizeof(*err));
	err->status = status;
	err->sys_errno = errnum;
	if (errnum != 0)
		snprintf(err->message, sizeof(err->message), "%s: %s", what, strerror(errnum));
	else
		snprintf(err->message, sizeof(err->message), "%s", what);
}

void cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("interpfix: ", stderr);
	if (cmd != NULL)
		fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'interpfix help%s%s'.\n", cmd ? " " : "",
		cmd ? cmd : "");
}

/* getopt's own message (opterr) lacks our prefix and would make two lines. */
void cli_bad_option(const char *cmd, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "?";

	if (optopt != 0 && strchr(arg, optopt) == NULL)
		cli_usage_error(cmd, "unknown option '-%c'", optopt);
	else if (optopt != 0 && arg[0] == '-' && arg[1] != '-')
		cli_usage_error(cmd, "option '-%c' needs an argument or is unknown", optopt);
	else
		cli_usage_error(cmd, "unknown option, or one missing its argument: '%s'", arg);
}

const char *fix_outcome_name(enum fix_outcome outcome)
{
	switch (outcome) {
	case FIX_FIXED: return "fixed";
	case FIX_WOULD_FIX: return "would-fix";
	case FIX_ALREADY: return "already";
	case FIX_SKIPPED: return "skipped";
	case FIX_REFUSED: return "refused";
	case FIX_ERROR: return "error";
	case FIX_REMOVED: return "removed";
	case FIX_WOULD_REMOVE: return "would-remove";
	}
	return "unknown";
}

bool cli_root_ok(const char *cmd, const char *root)
{
	struct stat sb;

	if (root == NULL || (stat(root, &sb) == 0 && S_ISDIR(sb.st_mode)))
		return true;
	cli_usage_error(cmd, "--root %s is not a directory", root);
	return false;
}

bool cli_glibc_ok(const char *cmd, const char *glibc)
{
	unsigned release;

	if (glibc == NULL || ifx_parse_glibc_release(glibc, &release))
		return true;
	cli_usage_error(cmd, "--glibc wants a release like 2.31, not '%s'", glibc);
	return false;
}

/* The CLI may exit on no memory (the library never does). */
void cli_out_of_memory(void)
{
	fputs("interpfix: out of memory\n", stderr);
	exit(EXIT_ERROR);
}

void *cli_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		cli_out_of_memory();
	return p;
}

void *cli_xreallocarray(void *p, size_t n, size_t size)
{
	void *q = reallocarray(p, n ? n : 1, size);

	if (q == NULL)
		cli_out_of_memory();
	return q;
}

char *cli_xstrdup(const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL)
		cli_out_of_memory();
	return d;
}

void cli_errors_add(struct cli_errors *e, const char *path, const char *member,
		    enum ifx_status status, const char *message, const char *advice)
{
	struct cli_error_entry *grown = cli_xreallocarray(e->entries, e->count + 1, sizeof(*grown));

	e->entries = grown;
	grown[e->count++] = (struct cli_error_entry){
		.path = cli_xstrdup(path), .member = cli_xstrdup(member), .status = status,
		.message = cli_xstrdup(message),
		.advice = advice != NULL && advice[0] != '\0' ? cli_xstrdup(advice) : NULL,
	};
}

void cli_errors_free(struct cli_errors *e)
{
	for (size_t i = 0; i < e->count; i++) {
		free(e->entries[i].path);
		free(e->entries[i].member);
		free(e->entries[i].message);
		free(e->entries[i].advice);
	}
	free(e->entries);
	e->entries = NULL;
	e->count = 0;
}
