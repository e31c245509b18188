/* Opening a file to read its headers without ever blocking on a FIFO or
 * touching a device: stat first, open non-blocking, then check it is the
 * same regular file. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "is a directory";
	if (S_ISFIFO(mode))
		return "is a FIFO";
	if (S_ISCHR(mode))
		return "is a character device";
	if (S_ISBLK(mode))
		return "is a block device";
	if (S_ISSOCK(mode))
		return "is a socket";
	if (S_ISLNK(mode))
		return "is a symbolic link";
	return "is not a regular file";
}

enum ifx_status ifx_open_regular(int dirfd, const char *path, bool follow,
				 int *fd_out, struct ifx_error *err)
{
	int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	struct stat before, after;
	int fd;

	*fd_out = -1;
	if (fstatat(dirfd, path, &before, follow ? 0 : AT_SYMLINK_NOFOLLOW) < 0)
		return ifx__error_set_errno(err, errno, "cannot stat");
	if (!S_ISREG(before.st_mode))
		return ifx__error_set(err, IFX_ERR_NOT_REGULAR, "%s",
				 file_kind(before.st_mode));
	if (!follow)
		flags |= O_NOFOLLOW;
	fd = openat(dirfd, path, flags);
	if (fd < 0)
		return ifx__error_set_errno(err, errno, "cannot open");
	/* O_NONBLOCK kept a FIFO swapped in after the stat from hanging us;
	 * now make sure we hold the regular file we looked at. */
	if (fstat(fd, &after) < 0) {
		int saved = errno;
		close(fd);
		return ifx__error_set_errno(err, saved, "cannot stat");
	}
	if (!S_ISREG(after.st_mode) || after.st_dev != before.st_dev ||
	    after.st_ino != before.st_ino) {
		close(fd);
		return ifx__error_set(err, IFX_ERR_NOT_REGULAR,
				 "changed while being opened");
	}
	*fd_out = fd;
	return IFX_OK;
}
