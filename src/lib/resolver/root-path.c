/* Resolving a path inside a sysroot as the kernel would if the sysroot
 * were "/": absolute symlinks restart at the root, ".." stops at it. This is
 * how an aarch64 root filesystem's /lib/ld-linux-aarch64.so.1 is found from
 * an x86_64 machine (--root), and the host itself is root "". */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define SYMLINKS_MAX 40 /* as the kernel's MAXSYMLINKS */

/* Drop the last component of resolved ("/a/b" -> "/a", "/a" -> ""). */
static void pop_component(char *resolved)
{
	char *slash = strrchr(resolved, '/');

	if (slash != NULL)
		*slash = '\0';
}

/* Replace the unread rest of the path by link target + "/" + rest. */
static int splice_link(char *rest, size_t size, const char *target)
{
	char joined[PATH_MAX * 2];
	int n;

	n = snprintf(joined, sizeof(joined), "%s%s%s", target,
		     rest[0] ? "/" : "", rest);
	if (n < 0 || (size_t)n >= size)
		return -1;
	memcpy(rest, joined, (size_t)n + 1);
	return 0;
}

struct walk_observer {
	ifx__root_path_seen_fn seen; /* NULL: nobody watches */
	void *ctx;
};

static enum ifx_status step(const char *root, char *resolved, char *rest,
			    size_t rest_size, int *links, const struct walk_observer *obs,
			    struct ifx_error *err)
{
	char comp[NAME_MAX + 1], host[PATH_MAX * 2 + 2], target[PATH_MAX];
	size_t len = strcspn(rest, "/");
	struct stat sb;
	ssize_t n;

	if (len > NAME_MAX)
		return ifx__error_set_errno(err, ENAMETOOLONG, "cannot resolve");
	memcpy(comp, rest, len);
	comp[len] = '\0';
	memmove(rest, rest + len + (rest[len] == '/'), strlen(rest + len + (rest[len] == '/')) + 1);
	if (len == 0 || strcmp(comp, ".") == 0)
		return IFX_OK;
	if (strcmp(comp, "..") == 0) {
		pop_component(resolved);
		return IFX_OK;
	}
	if (strlen(resolved) + len + 2 > PATH_MAX)
		return ifx__error_set_errno(err, ENAMETOOLONG, "cannot resolve");
	strcat(resolved, "/");
	strcat(resolved, comp);
	snprintf(host, sizeof(host), "%s%s", root, resolved);
	if (lstat(host, &sb) < 0)
		return ifx__error_set_errno(err, errno, "%s", host);
	if (obs->seen != NULL && !obs->seen(host, &sb, obs->ctx, err))
		return IFX_REFUSED;
	if (!S_ISLNK(sb.st_mode))
		return IFX_OK;
	if (++*links > SYMLINKS_MAX)
		return ifx__error_set_errno(err, ELOOP, "%s", host);
	n = readlink(host, target, sizeof(target) - 1);
	if (n < 0)
		return ifx__error_set_errno(err, errno, "%s", host);
	target[n] = '\0';
	pop_component(resolved);
	if (target[0] == '/')
		resolved[0] = '\0';
	if (splice_link(rest, rest_size, target) < 0)
		return ifx__error_set_errno(err, ENAMETOOLONG, "cannot resolve");
	return IFX_OK;
}

enum ifx_status ifx__root_path_walk(const char *root, const char *path,
				    ifx__root_path_seen_fn seen, void *ctx,
				    char **host_out, struct ifx_error *err)
{
	const struct walk_observer obs = { seen, ctx };
	char resolved[PATH_MAX + 1] = "", rest[PATH_MAX * 2];
	enum ifx_status st = IFX_OK;
	struct stat sb;
	int links = 0;

	*host_out = NULL;
	if (root == NULL || strcmp(root, "/") == 0)
		root = "";
	if (strlen(path) >= sizeof(rest))
		return ifx__error_set_errno(err, ENAMETOOLONG, "cannot resolve");
	/* the walk starts at the root directory itself */
	if (seen != NULL) {
		const char *top = root[0] != '\0' ? root : "/";

		if (lstat(top, &sb) < 0)
			return ifx__error_set_errno(err, errno, "%s", top);
		if (!seen(top, &sb, ctx, err))
			return IFX_REFUSED;
	}
	strcpy(rest, path[0] == '/' ? path + 1 : path);
	while (rest[0] != '\0' && st == IFX_OK)
		st = step(root, resolved, rest, sizeof(rest), &links, &obs, err);
	if (st != IFX_OK)
		return st;
	if (asprintf(host_out, "%s%s", root, resolved[0] ? resolved : "/") < 0) {
		*host_out = NULL;
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	}
	return IFX_OK;
}

enum ifx_status ifx__root_path_resolve(const char *root, const char *path,
				       char **host_out, struct ifx_error *err)
{
	return ifx__root_path_walk(root, path, NULL, NULL, host_out, err);
}

IFX_API enum ifx_status ifx_root_path(const char *root, const char *path, char **host_out,
				      struct ifx_error *err)
{
	return ifx__root_path_resolve(root, path, host_out, err);
}
