/*
 * Crash-safe replacement of one file: a sibling temporary copy is patched,
 * given the original's owner, mode and the xattrs that matter, synced and
 * renamed over the original, then the directory is synced. The file is
 * wholly old or wholly new at any moment, also while it runs (the running
 * image keeps the old inode). elfcompress does this but forgets the fsync.
 *
 * The temporary has no name while it is written and given its owner, mode
 * and capabilities (O_TMPFILE): nobody can open it, so nobody can put their
 * bytes under privileges we grant. Only when it is complete does it get a
 * name (linkat), for the instant before the rename, with SIGINT, SIGTERM,
 * SIGHUP and SIGQUIT held so no catchable signal leaves it behind; a crash
 * before that leaves nothing at all. Where O_TMPFILE is not supported the
 * temporary is made inside a directory of our own, mode 0700, beside the
 * file: nobody else can reach it there either; that directory carries the
 * marker IFX_TEMP_XATTR, which tells a leftover from a file that only
 * looks like one, and is removed after the rename.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
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
static void temp_name(struct atomic_file *af)
{
	int room = (int)(NAME_MAX - 1 - strlen(IFX_TEMP_MARK) - SUFFIX_LEN);
	char suffix[SUFFIX_LEN + 1];

	random_suffix(suffix);
	snprintf(af->tmp_name, sizeof(af->tmp_name), ".%.*s%s%s", room,
		 af->name, IFX_TEMP_MARK, suffix);
}

/* O_TMPFILE in the file's directory (same filesystem, no name), else a
 * named 0600 file made with O_EXCL|O_NOFOLLOW: a name planted by someone
 * else (even a symlink) is never opened, only skipped. */
static int create_temp(struct atomic_file *af)
{
	af->unnamed = true;
	af->tmp_fd = openat(af->dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (af->tmp_fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL &&
				errno != ENOENT))
		return af->tmp_fd;
	af->unnamed = false;
	for (int attempt = 0;; attempt++) {
		temp_name(af);
		if (mkdirat(af->dirfd, af->tmp_name, 0700) == 0)
			break;
		if (errno != EEXIST || attempt == 99)
			return -1;
	}
	af->priv_fd = openat(af->dirfd, af->tmp_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (af->priv_fd >= 0) {
		/* best effort: a filesystem without user xattrs has no marker */
		(void)fsetxattr(af->priv_fd, IFX_TEMP_XATTR, "1", 1, 0);
		af->tmp_fd = openat(af->priv_fd, IFX_TEMP_INNER,
				    O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	}
	if (af->tmp_fd < 0) {
		int saved = errno;

		if (af->priv_fd >= 0)
			close(af->priv_fd);
		af->priv_fd = -1;
		unlinkat(af->dirfd, af->tmp_name, AT_REMOVEDIR);
		errno = saved;
	}
	return af->tmp_fd;
}

/* A name for the complete, unnamed temporary, just before the rename. */
static int link_temp(struct atomic_file *af)
{
	char proc[64];

	for (int attempt = 0; attempt < 100; attempt++) {
		temp_name(af);
		if (linkat(af->tmp_fd, "", af->dirfd, af->tmp_name, AT_EMPTY_PATH) == 0)
			return 0;
		/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc does not */
		if (errno == ENOENT || errno == EPERM) {
			snprintf(proc, sizeof(proc), "/proc/self/fd/%d", af->tmp_fd);
			if (linkat(AT_FDCWD, proc, af->dirfd, af->tmp_name, AT_SYMLINK_FOLLOW) == 0)
				return 0;
		}
		if (errno != EEXIST)
			return -1;
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
	af->priv_fd = -1;
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
		if (now.st_uid != af->orig_st.st_uid || now.st_gid != af->orig_st.st_gid) {
			/* nothing is lost without a word */
			snprintf(af->lost, sizeof(af->lost), "its owner %u:%u could not be kept "
				 "(now %u:%u)%s", (unsigned)af->orig_st.st_uid,
				 (unsigned)af->orig_st.st_gid, (unsigned)now.st_uid,
				 (unsigned)now.st_gid,
				 (af->orig_st.st_mode & (S_ISUID | S_ISGID)) ? ", nor its set-id bits" : "");
			if (!af->allow_loss) {
				ifx__error_set(err, IFX_REFUSED, "the new file would lose what this user "
					       "cannot give it: %s", af->lost);
				ifx__error_advise(err, "run as root, or pass --force to write it as "
						  "your own file anyway (a warning says what was lost)");
				return IFX_REFUSED;
			}
		}
		if (now.st_uid != af->orig_st.st_uid)
			mode &= (mode_t)~S_ISUID;
		if (now.st_gid != af->orig_st.st_gid)
			mode &= (mode_t)~S_ISGID;
	}
	if (fchmod(af->tmp_fd, mode) < 0)
		return ifx__error_set_errno(err, errno, "cannot set mode of temporary file");
	af->kept_setid = (mode & (S_ISUID | S_ISGID)) == (af->orig_st.st_mode & (S_ISUID | S_ISGID));
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

static enum ifx_status check_privileges_kept(const struct atomic_file *af, struct ifx_error *err)
{
	mode_t setid = af->orig_st.st_mode & (S_ISUID | S_ISGID);
	bool had_caps = fgetxattr(af->orig_fd, "security.capability", NULL, 0) > 0;
	struct stat now;

	if (fstat(af->tmp_fd, &now) < 0)
		return ifx__error_set_errno(err, errno, "cannot stat the new file");
	if (((now.st_mode & setid) != setid && af->kept_setid) ||
	    (had_caps && fgetxattr(af->tmp_fd, "security.capability", NULL, 0) <= 0))
		return ifx__error_set(err, IFX_ERR_IO, "the new file was written by someone else "
				      "while it was being put in place, and the kernel dropped its "
				      "set-id bits or capabilities: it is not interpfix's file");
	return IFX_OK;
}

enum ifx_status ifx__atomic_file_commit(struct atomic_file *af, struct ifx_error *err)
{
	sigset_t hold, old;
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
	/* the instant the temporary has a name: no catchable signal may end
	 * the process between the link and the rename */
	sigemptyset(&hold);
	sigaddset(&hold, SIGINT);
	sigaddset(&hold, SIGTERM);
	sigaddset(&hold, SIGHUP);
	sigaddset(&hold, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &hold, &old);
	if (st == IFX_OK && af->unnamed) {
		if (link_temp(af) < 0)
			st = ifx__error_set_errno(err, errno, "cannot give the temporary file a name");
		else
			af->unnamed = false;
	}
	if (st == IFX_OK && (af->priv_fd >= 0
			     ? renameat(af->priv_fd, IFX_TEMP_INNER, af->dirfd, af->name)
			     : renameat(af->dirfd, af->tmp_name, af->dirfd, af->name)) < 0)
		st = ifx__error_set_errno(err, errno, "cannot rename temporary file over the original");
	if (st == IFX_OK && af->priv_fd >= 0) {
		close(af->priv_fd); /* empty now: its file was renamed out */
		af->priv_fd = -1;
		unlinkat(af->dirfd, af->tmp_name, AT_REMOVEDIR);
	}
	if (st != IFX_OK)
		ifx__atomic_file_abort(af);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (st != IFX_OK)
		return st;
	/* A write by anyone else in the instant it had a name (its owner may
	 * write to it) made the kernel drop the privileges we gave: the file
	 * is theirs now, and the caller must hear of it. */
	st = check_privileges_kept(af, err);
	/* The temp name is gone now: nothing left for abort to unlink. */
	close(af->tmp_fd);
	af->tmp_fd = -1;
	if (st != IFX_OK)
		return st;
	if (sync_dir(af->dirfd) < 0)
		return ifx__error_set_errno(err, errno, "file replaced, but cannot sync its "
				       "directory (durability not guaranteed)");
	return IFX_OK;
}

void ifx__atomic_file_abort(struct atomic_file *af)
{
	if (af->tmp_fd < 0)
		return;
	if (af->priv_fd >= 0) {
		unlinkat(af->priv_fd, IFX_TEMP_INNER, 0);
		close(af->priv_fd);
		af->priv_fd = -1;
		unlinkat(af->dirfd, af->tmp_name, AT_REMOVEDIR);
	} else if (!af->unnamed) { /* an unnamed one goes with its fd */
		unlinkat(af->dirfd, af->tmp_name, 0);
	}
	close(af->tmp_fd);
	af->tmp_fd = -1;
}
