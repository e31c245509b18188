/*
 * Temporaries an interrupted fix left behind. With O_TMPFILE a fix's
 * temporary has a name only for the instant before its rename; on a
 * filesystem without it the temporary lives in a 0700 directory named like
 * a temporary and marked with IFX_TEMP_XATTR. A crash then leaves that
 * directory: told by the name, the owner (this user or root) and the marker
 * together, never the name alone, so a real binary (or directory) that
 * happens to be named so is never hidden.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "internal.h"

IFX_API bool ifx_is_leftover(int dirfd, const char *name)
{
	struct stat sb;
	char mark[8];
	bool ours;
	int fd;

	if (!ifx_is_temp_name(name))
		return false;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ours = fstat(fd, &sb) == 0 && (S_ISREG(sb.st_mode) || S_ISDIR(sb.st_mode)) &&
	       (sb.st_uid == geteuid() || sb.st_uid == 0) &&
	       fgetxattr(fd, IFX_TEMP_XATTR, mark, sizeof(mark)) > 0;
	close(fd);
	return ours;
}

IFX_API enum ifx_status ifx_remove_leftover(int dirfd, const char *name, struct ifx_error *err)
{
	if (!ifx_is_leftover(dirfd, name))
		return ifx__error_set(err, IFX_ERR_USAGE, "not a leftover temporary of interpfix");
	/* a directory holds at most the one temporary */
	if (unlinkat(dirfd, name, 0) == 0)
		return IFX_OK;
	if (errno == EISDIR) {
		int d = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (d >= 0) {
			unlinkat(d, IFX_TEMP_INNER, 0);
			close(d);
		}
		if (unlinkat(dirfd, name, AT_REMOVEDIR) == 0)
			return IFX_OK;
	}
	return ifx__error_set_errno(err, errno, "cannot remove the leftover");
}
