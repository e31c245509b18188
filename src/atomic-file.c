/*
 * Crash-safe replacement of one file: a sibling temporary copy is patched,
 * given the original's owner, mode and the xattrs that matter, synced and
 * renamed over the original, then the directory is synced. The file is
 * wholly old or wholly new at any moment, also while it runs (the running
 * image keeps the old inode). elfcompress does this but forgets the fsync.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <linux/fs.h>

#include "internal.h"

#define COPY_CHUNK (1u << 20)
#define SUFFIX_LEN 6
#define XATTR_LIST_MAX_BYTES 65536
#define XATTR_VALUE_MAX_BYTES 65536

bool ifx_is_temp_name(const char *name)
{
	const char *mark = strstr(name, IFX_TEMP_MARK);

	if (name[0] != '.' || mark == NULL || mark == name)
		return false;
	mark += strlen(IFX_TEMP_MARK);
	if (strlen(mark) != SUFFIX_LEN)
		return false;
	for (; *mark; mark++)
		if (!((*mark >= 'a' && *mark <= 'z') || (*mark >= 'A' && *mark <= 'Z') ||
		      (*mark >= '0' && *mark <= '9')))
			return false;
	return true;
}

static void random_suffix(char *out)
{
	static const char chars[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char bytes[SUFFIX_LEN];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, bytes, sizeof(bytes)) : -1;
	static unsigned counter;

	if (fd >= 0)
		close(fd);
	for (size_t i = 0; i < SUFFIX_LEN; i++) {
		unsigned v = n == (ssize_t)sizeof(bytes)
			? bytes[i] : (unsigned)(getpid() * 31u + ++counter * 7u + i);
		out[i] = chars[v % (sizeof(chars) - 1)];
	}
	out[SUFFIX_LEN] = '\0';
}

static int create_temp(struct atomic_file *af)
{
	size_t room = NAME_MAX - 1 - strlen(IFX_TEMP_MARK) - SUFFIX_LEN;

	for (int attempt = 0; attempt < 100; attempt++) {
		char suffix[SUFFIX_LEN + 1];

		random_suffix(suffix);
		snprintf(af->tmp_name, sizeof(af->tmp_name), ".%.*s%s%s", (int)room,
			 af->name, IFX_TEMP_MARK, suffix);
		af->tmp_fd = openat(af->dirfd, af->tmp_name,
				    O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (af->tmp_fd >= 0 || errno != EEXIST)
			return af->tmp_fd;
	}
	return -1;
}

static int copy_by_read(int in, int out, off_t from)
{
	char *buf = malloc(COPY_CHUNK);
	ssize_t n;

	if (buf == NULL) {
		errno = ENOMEM;
		return -1;
	}
	while ((n = pread(in, buf, COPY_CHUNK, from)) != 0) {
		ssize_t done = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		while (done < n) {
			ssize_t w = write(out, buf + done, (size_t)(n - done));

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				goto fail;
			done += w;
		}
		from += n;
	}
	free(buf);
	return 0;
fail:
	free(buf);
	return -1;
}

/* FICLONE shares the extents (instant on btrfs/XFS); copy_file_range lets
 * the kernel copy; plain reads and writes with a bounded buffer last. */
static int copy_contents(int in, int out, off_t size)
{
	off_t in_off = 0, out_off = 0;

	if (ioctl(out, FICLONE, in) == 0)
		return 0;
	while (in_off < size) {
		ssize_t n = copy_file_range(in, &in_off, out, &out_off,
					    (size_t)(size - in_off), 0);
		if (n > 0)
			continue;
		if (n == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EXDEV && errno != ENOSYS && errno != EOPNOTSUPP &&
		    errno != EINVAL && errno != EBADF)
			return -1;
		if (lseek(out, out_off, SEEK_SET) < 0)
			return -1;
		return copy_by_read(in, out, in_off);
	}
	return 0;
}

enum ifx_status atomic_file_begin(struct atomic_file *af, int dirfd,
				  const char *name, int orig_fd,
				  struct ifx_error *err)
{
	memset(af, 0, sizeof(*af));
	af->dirfd = dirfd;
	af->name = name;
	af->orig_fd = orig_fd;
	af->tmp_fd = -1;
	if (fstat(orig_fd, &af->orig_st) < 0)
		return error_set_errno(err, errno, "cannot stat");
	if (create_temp(af) < 0)
		return error_set_errno(err, errno, "cannot create a temporary file beside it");
	if (copy_contents(orig_fd, af->tmp_fd, af->orig_st.st_size) < 0) {
		int saved = errno;

		atomic_file_abort(af);
		return error_set_errno(err, saved, "cannot copy it to a temporary file");
	}
	return IFX_OK;
}

static bool wanted_xattr(const char *name)
{
	return strcmp(name, "security.capability") == 0 ||
	       strcmp(name, "system.posix_acl_access") == 0 ||
	       strncmp(name, "user.", 5) == 0;
}

/* Copy the xattrs that matter; losing security.capability would silently
 * take a privilege away (patchelf loses it), so that is an error. */
static enum ifx_status copy_xattrs(struct atomic_file *af, struct ifx_error *err)
{
	char *names = malloc(XATTR_LIST_MAX_BYTES), *value = malloc(XATTR_VALUE_MAX_BYTES);
	enum ifx_status st = IFX_OK;
	ssize_t len;

	if (names == NULL || value == NULL) {
		st = error_set(err, IFX_ERR_NOMEM, "out of memory");
		goto out;
	}
	len = flistxattr(af->orig_fd, names, XATTR_LIST_MAX_BYTES);
	if (len < 0) {
		if (errno != ENOTSUP)
			st = error_set_errno(err, errno, "cannot list extended attributes");
		goto out;
	}
	for (char *n = names; n < names + len; n += strlen(n) + 1) {
		ssize_t vlen;

		if (!wanted_xattr(n))
			continue;
		vlen = fgetxattr(af->orig_fd, n, value, XATTR_VALUE_MAX_BYTES);
		if (vlen < 0 || fsetxattr(af->tmp_fd, n, value, (size_t)vlen, 0) < 0) {
			st = error_set_errno(err, errno, "cannot keep extended attribute %s", n);
			goto out;
		}
	}
out:
	free(names);
	free(value);
	return st;
}

/* Owner first: chown clears setuid/setgid, so the mode comes after it. */
static enum ifx_status copy_owner_and_mode(struct atomic_file *af,
					   struct ifx_error *err)
{
	mode_t mode = af->orig_st.st_mode & 07777;

	if (fchown(af->tmp_fd, af->orig_st.st_uid, af->orig_st.st_gid) < 0) {
		if (errno != EPERM)
			return error_set_errno(err, errno, "cannot keep the owner");
		/* Not permitted (not root): the file becomes the caller's, as
		 * with cp; a set-id bit must not then be granted to someone else. */
		if (af->orig_st.st_uid != geteuid())
			mode &= (mode_t)~S_ISUID;
		if (af->orig_st.st_gid != getegid())
			mode &= (mode_t)~S_ISGID;
	}
	if (fchmod(af->tmp_fd, mode) < 0)
		return error_set_errno(err, errno, "cannot keep the mode");
	return IFX_OK;
}

/* The rename is durable once the directory is synced. */
static int sync_dir(int dirfd)
{
	int fd = dirfd, rc;

	if (dirfd == AT_FDCWD)
		fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	if (dirfd == AT_FDCWD)
		close(fd);
	return rc;
}

enum ifx_status atomic_file_commit(struct atomic_file *af, struct ifx_error *err)
{
	enum ifx_status st;

	st = copy_owner_and_mode(af, err);
	if (st == IFX_OK)
		st = copy_xattrs(af, err);
	if (st == IFX_OK && fsync(af->tmp_fd) < 0)
		st = error_set_errno(err, errno, "cannot sync the temporary file");
	if (st == IFX_OK && renameat(af->dirfd, af->tmp_name, af->dirfd, af->name) < 0)
		st = error_set_errno(err, errno, "cannot rename the temporary file over it");
	if (st != IFX_OK) {
		atomic_file_abort(af);
		return st;
	}
	close(af->tmp_fd);
	af->tmp_fd = -1;
	if (sync_dir(af->dirfd) < 0)
		return error_set_errno(err, errno, "replaced, but syncing the directory "
				       "failed (durability not guaranteed)");
	return IFX_OK;
}

void atomic_file_abort(struct atomic_file *af)
{
	if (af->tmp_fd < 0)
		return;
	unlinkat(af->dirfd, af->tmp_name, 0);
	close(af->tmp_fd);
	af->tmp_fd = -1;
}
