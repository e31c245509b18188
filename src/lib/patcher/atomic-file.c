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
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "internal.h"

#define SUFFIX_LEN IFX_TEMP_SUFFIX_LEN
/* The kernel's own limits (XATTR_LIST_MAX, XATTR_SIZE_MAX), so ERANGE
 * cannot happen with these buffers. */
#define XATTR_LIST_BYTES 65536
#define XATTR_VALUE_BYTES 65536

static const char suffix_chars[] = IFX_TEMP_SUFFIX_CHARS;

static void random_suffix(char *out)
{
	static _Atomic unsigned counter; /* threads may fix files at once */
	unsigned char bytes[SUFFIX_LEN];
	unsigned n;
	bool random = getrandom(bytes, sizeof(bytes), GRND_NONBLOCK) ==
		      (ssize_t)sizeof(bytes);

	/* Without entropy (early boot) O_EXCL still keeps us safe; the
	 * counter only makes the retries differ. */
	n = ++counter;
	for (size_t i = 0; i < SUFFIX_LEN; i++) {
		unsigned v = random ? bytes[i]
				    : (unsigned)getpid() * 31u + n * 7919u + (unsigned)i * 131u;
		out[i] = suffix_chars[v % (sizeof(suffix_chars) - 1)];
	}
	out[SUFFIX_LEN] = '\0';
}

/* O_EXCL|O_NOFOLLOW: a name planted by someone else (even a symlink) is
 * never opened, only skipped. The name part is cut so the result still
 * fits NAME_MAX. */
static int create_temp(struct atomic_file *af)
{
	int room = (int)(NAME_MAX - 1 - strlen(IFX_TEMP_MARK) - SUFFIX_LEN);

	for (int attempt = 0; attempt < 100; attempt++) {
		char suffix[SUFFIX_LEN + 1];

		random_suffix(suffix);
		snprintf(af->tmp_name, sizeof(af->tmp_name), ".%.*s%s%s", room,
			 af->name, IFX_TEMP_MARK, suffix);
		af->tmp_fd = openat(af->dirfd, af->tmp_name,
				    O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
				    0600);
		if (af->tmp_fd >= 0 || errno != EEXIST)
			return af->tmp_fd;
	}
	return -1;
}

enum ifx_status ifx__atomic_file_create(struct atomic_file *af, int dirfd,
					const char *name, int orig_fd, bool new_name,
					struct ifx_error *err)
{
	memset(af, 0, sizeof(*af));
	af->dirfd = dirfd;
	af->name = name;
	af->orig_fd = orig_fd;
	af->tmp_fd = -1;
	af->new_name = new_name;
	if (fstat(orig_fd, &af->orig_st) < 0)
		return ifx__error_set_errno(err, errno, "cannot stat the original");
	if (create_temp(af) < 0)
		return ifx__error_set_errno(err, errno, "cannot create temporary file");
	return IFX_OK;
}

enum ifx_status ifx__atomic_file_begin(struct atomic_file *af, int dirfd,
				  const char *name, int orig_fd,
				  struct ifx_error *err)
{
	enum ifx_status st = ifx__atomic_file_create(af, dirfd, name, orig_fd, false, err);

	if (st != IFX_OK)
		return st;
	st = ifx__file_copy_all(orig_fd, af->tmp_fd, (uint64_t)af->orig_st.st_size, err);
	if (st != IFX_OK)
		ifx__atomic_file_abort(af);
	return st;
}

/* Owner first: chown clears setuid/setgid, so the mode comes after it.
 * Without the right to give the file away (not root) it stays the
 * caller's, as with cp; a set-id bit must then not be granted to an owner
 * or group the original did not have, as the kernel would drop it too. */
static enum ifx_status copy_owner_and_mode(struct atomic_file *af,
					   struct ifx_error *err)
{
	mode_t mode = af->orig_st.st_mode & 07777;
	struct stat now;

	if (fchown(af->tmp_fd, af->orig_st.st_uid, af->orig_st.st_gid) < 0) {
		if (errno != EPERM)
			return ifx__error_set_errno(err, errno, "cannot set owner of temporary file");
		/* The group alone may still be ours to give (cp -p tries it). */
		if (fchown(af->tmp_fd, (uid_t)-1, af->orig_st.st_gid) < 0 &&
		    errno != EPERM)
			return ifx__error_set_errno(err, errno, "cannot set group of temporary file");
		if (fstat(af->tmp_fd, &now) < 0)
			return ifx__error_set_errno(err, errno, "cannot stat temporary file");
		if (now.st_uid != af->orig_st.st_uid)
			mode &= (mode_t)~S_ISUID;
		if (now.st_gid != af->orig_st.st_gid)
			mode &= (mode_t)~S_ISGID;
	}
	if (fchmod(af->tmp_fd, mode) < 0)
		return ifx__error_set_errno(err, errno, "cannot set mode of temporary file");
	return IFX_OK;
}

/* system.posix_acl_default only exists on directories. Other security.*
 * labels (SELinux, SMACK) are the policy's to assign to a new file. */
static bool wanted_xattr(const char *name)
{
	return strcmp(name, "security.capability") == 0 ||
	       strcmp(name, "system.posix_acl_access") == 0 ||
	       strncmp(name, "user.", 5) == 0;
}

static enum ifx_status xattr_failed(const char *name, struct ifx_error *err)
{
	int saved = errno;
	enum ifx_status st;

	if (strcmp(name, "security.capability") != 0)
		return ifx__error_set_errno(err, saved, "cannot keep extended attribute %s", name);
	/* Losing a capability silently would take a privilege away without
	 * a word (patchelf does: the kernel drops it on write). */
	st = ifx__error_set_errno(err, saved, "cannot keep file capabilities (security.capability)");
	if (saved == EPERM || saved == ENOTSUP)
		ifx__error_advise(err, "setting file capabilities needs CAP_SETFCAP: "
			     "run as root, or leave this file alone");
	return st;
}

/* Copy the xattrs that matter from the original to the temp. */
static enum ifx_status copy_xattrs(struct atomic_file *af, struct ifx_error *err)
{
	char *names = malloc(XATTR_LIST_BYTES), *value = malloc(XATTR_VALUE_BYTES);
	enum ifx_status st = IFX_OK;
	ssize_t len, vlen;

	if (names == NULL || value == NULL) {
		st = ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
		goto out;
	}
	len = flistxattr(af->orig_fd, names, XATTR_LIST_BYTES);
	if (len < 0) {
		if (errno != ENOTSUP)
			st = ifx__error_set_errno(err, errno, "cannot list extended attributes");
		goto out;
	}
	for (char *n = names; n < names + len; n += strlen(n) + 1) {
		if (!wanted_xattr(n))
			continue;
		vlen = fgetxattr(af->orig_fd, n, value, XATTR_VALUE_BYTES);
		if (vlen < 0 && errno == ENODATA)
			continue; /* removed since the listing */
		if (vlen < 0) {
			st = ifx__error_set_errno(err, errno, "cannot read extended attribute %s", n);
			goto out;
		}
		if (fsetxattr(af->tmp_fd, n, value, (size_t)vlen, 0) < 0) {
			st = xattr_failed(n, err);
			goto out;
		}
	}
out:
	free(names);
	free(value);
	return st;
}

bool ifx__atomic_same_content_stat(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* The name must still be the file we copied, and that file as we read it:
 * renaming over a file someone replaced, rewrote or appended to meanwhile
 * would throw their version away (ctime moves with any write or chmod and
 * cannot be set back by its owner). */
static enum ifx_status check_unchanged(const struct atomic_file *af,
				       struct ifx_error *err)
{
	struct stat now, fd_now;

	if (fstatat(af->dirfd, af->name, &now, AT_SYMLINK_NOFOLLOW) < 0)
		return ifx__error_set_errno(err, errno, "cannot stat the original");
	if (fstat(af->orig_fd, &fd_now) < 0)
		return ifx__error_set_errno(err, errno, "cannot stat the original");
	if (now.st_dev != af->orig_st.st_dev || now.st_ino != af->orig_st.st_ino ||
	    !ifx__atomic_same_content_stat(&fd_now, &af->orig_st))
		return ifx__error_set(err, IFX_ERR_IO, "file changed while being fixed "
				      "(left as the other writer made it)");
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
	if (dirfd == AT_FDCWD) {
		int saved = errno;

		close(fd);
		errno = saved;
	}
	return rc;
}

enum ifx_status ifx__atomic_file_commit(struct atomic_file *af, struct ifx_error *err)
{
	enum ifx_status st;

	if (af->tmp_fd < 0)
		return ifx__error_set(err, IFX_ERR_USAGE, "no temporary file to commit");
	st = copy_owner_and_mode(af, err);
	if (st == IFX_OK)
		st = copy_xattrs(af, err);
	if (st == IFX_OK && fsync(af->tmp_fd) < 0)
		st = ifx__error_set_errno(err, errno, "cannot sync temporary file");
	if (st == IFX_OK && !af->new_name)
		st = check_unchanged(af, err);
	if (st == IFX_OK && renameat(af->dirfd, af->tmp_name, af->dirfd, af->name) < 0)
		st = ifx__error_set_errno(err, errno, "cannot rename temporary file over the original");
	if (st != IFX_OK) {
		ifx__atomic_file_abort(af);
		return st;
	}
	/* The temp name is gone now: nothing left for abort to unlink. */
	close(af->tmp_fd);
	af->tmp_fd = -1;
	if (sync_dir(af->dirfd) < 0)
		return ifx__error_set_errno(err, errno, "file replaced, but cannot sync its "
				       "directory (durability not guaranteed)");
	return IFX_OK;
}

void ifx__atomic_file_abort(struct atomic_file *af)
{
	if (af->tmp_fd < 0)
		return;
	unlinkat(af->dirfd, af->tmp_name, 0);
	close(af->tmp_fd);
	af->tmp_fd = -1;
}
