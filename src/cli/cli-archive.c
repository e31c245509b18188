/* Archive members on the command line and in output: their display names
 * and the --member globs. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

char *cli_member_display(const char *path, const char *member)
{
	char *p = cli_escape(path), *m = cli_escape(member);
	char *out = cli_xmalloc(strlen(p) + 1 + strlen(m) + 1);

	sprintf(out, "%s!%s", p, m);
	free(p);
	free(m);
	return out;
}

bool cli_members_add(struct cli_members *m, const char *glob)
{
	const char **grown = reallocarray(m->globs, m->count + 1, sizeof(*grown));

	if (grown == NULL)
		return false;
	m->globs = grown;
	m->globs[m->count++] = glob;
	return true;
}

void cli_members_free(struct cli_members *m)
{
	free(m->globs);
	m->globs = NULL;
	m->count = 0;
}

bool cli_scan_archive(int dirfd, const char *name, bool follow,
		      const struct ifx_archive_options *opts, struct ifx_archive_result *res,
		      struct ifx_error *err, enum ifx_status *st)
{
	int fd = -1;

	if (ifx_open_regular(dirfd, name, follow, &fd, err) != IFX_OK)
		return false;
	*st = ifx_archive_scan(fd, opts, res, err);
	close(fd);
	if (*st == IFX_ERR_NOT_ELF) {
		ifx_archive_result_free(res);
		return false;
	}
	return true;
}

char *cli_shell_quote(const char *s)
{
	char *q = ifx_shell_quote(s);

	if (q == NULL) /* the only way it fails */
		cli_out_of_memory();
	return q;
}

char *cli_member_operand(const char *path, const char *member)
{
	size_t n = strlen(member), at = 0;
	char *glob = cli_xmalloc(2 * n + 1), *qglob, *qpath, *out;

	/* the member is a glob: its own *, ? and [ are literal */
	for (size_t i = 0; i < n; i++) {
		if (strchr("*?[\\", member[i]) != NULL)
			glob[at++] = '\\';
		glob[at++] = member[i];
	}
	glob[at] = '\0';
	qglob = cli_shell_quote(glob);
	qpath = cli_shell_quote(path);
	out = cli_xmalloc(strlen(qglob) + strlen(qpath) + 16);
	sprintf(out, "--member %s %s", qglob, qpath);
	free(glob);
	free(qglob);
	free(qpath);
	return out;
}
