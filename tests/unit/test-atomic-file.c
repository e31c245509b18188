/* atomic-file.c: the replacement keeps owner, mode and the xattrs that
 * matter, and each step failing at the syscall seam (--wrap) leaves the
 * original byte for byte intact and no temporary file behind. */
#include "config.h"

#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "internal.h"
#include "testhelp.h"

#define SIZE 300000
#define PATCH_AT 100
#define OTHER_UID 1234
#define OTHER_GID 2345
#define NOBODY 65534

/* ---- The syscall seam ---------------------------------------------------- */

/* An armed failure: the nth call (0: every call) of `call` since arming
 * fails with errnum; for fsetxattr only calls naming `xattr` when set. */
struct arm {
	const char *call;
	int nth;
	int errnum;
	const char *xattr;
	int seen;
};
static struct arm arms[2];
static size_t copy_range_clamp; /* > 0: copy_file_range copies at most this */
static int n_ioctl, n_copy_range, n_write;

static void disarm(void)
{
	memset(arms, 0, sizeof(arms));
	copy_range_clamp = 0;
	n_ioctl = n_copy_range = n_write = 0;
}

static void arm(int slot, const char *call, int nth, int errnum)
{
	arms[slot] = (struct arm){ .call = call, .nth = nth, .errnum = errnum };
}

static bool should_fail(const char *call, const char *xattr)
{
	for (size_t i = 0; i < sizeof(arms) / sizeof(arms[0]); i++) {
		struct arm *a = &arms[i];

		if (a->call == NULL || strcmp(a->call, call) != 0)
			continue;
		if (a->xattr != NULL && (xattr == NULL || strcmp(a->xattr, xattr) != 0))
			continue;
		a->seen++;
		if (a->nth == 0 || a->seen == a->nth) {
			errno = a->errnum;
			return true;
		}
	}
	return false;
}

int __real_fsync(int fd);
int __wrap_fsync(int fd);
int __wrap_fsync(int fd)
{
	return should_fail("fsync", NULL) ? -1 : __real_fsync(fd);
}

int __real_renameat(int a, const char *b, int c, const char *d);
int __wrap_renameat(int a, const char *b, int c, const char *d);
int __wrap_renameat(int a, const char *b, int c, const char *d)
{
	return should_fail("renameat", NULL) ? -1 : __real_renameat(a, b, c, d);
}

ssize_t __real_write(int fd, const void *buf, size_t n);
ssize_t __wrap_write(int fd, const void *buf, size_t n);
ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
	n_write++;
	return should_fail("write", NULL) ? -1 : __real_write(fd, buf, n);
}

ssize_t __real_pwrite(int fd, const void *buf, size_t n, off_t off);
ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t off);
ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	n_write++; /* the buffered copy writes with pwrite */
	return should_fail("pwrite", NULL) ? -1 : __real_pwrite(fd, buf, n, off);
}

ssize_t __real_copy_file_range(int a, off_t *b, int c, off_t *d, size_t e, unsigned f);
ssize_t __wrap_copy_file_range(int a, off_t *b, int c, off_t *d, size_t e, unsigned f);
ssize_t __wrap_copy_file_range(int a, off_t *b, int c, off_t *d, size_t e, unsigned f)
{
	n_copy_range++;
	if (should_fail("copy_file_range", NULL))
		return -1;
	if (copy_range_clamp > 0 && e > copy_range_clamp)
		e = copy_range_clamp;
	return __real_copy_file_range(a, b, c, d, e, f);
}

/* "openat-tmpfile" armed: the filesystem has no O_TMPFILE */
int __real_openat(int dirfd, const char *path, int flags, ...);
int __wrap_openat(int dirfd, const char *path, int flags, ...);
int __wrap_openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	if ((flags & O_TMPFILE) == O_TMPFILE && should_fail("openat-tmpfile", NULL))
		return -1;
	return __real_openat(dirfd, path, flags, mode);
}

int __real_ioctl(int fd, unsigned long req, ...);
int __wrap_ioctl(int fd, unsigned long req, ...);
int __wrap_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	n_ioctl++;
	return should_fail("ioctl", NULL) ? -1 : __real_ioctl(fd, req, arg);
}

int __real_fchown(int fd, uid_t u, gid_t g);
int __wrap_fchown(int fd, uid_t u, gid_t g);
int __wrap_fchown(int fd, uid_t u, gid_t g)
{
	return should_fail("fchown", NULL) ? -1 : __real_fchown(fd, u, g);
}

int __real_fchmod(int fd, mode_t m);
int __wrap_fchmod(int fd, mode_t m);
int __wrap_fchmod(int fd, mode_t m)
{
	return should_fail("fchmod", NULL) ? -1 : __real_fchmod(fd, m);
}

int __real_fsetxattr(int fd, const char *n, const void *v, size_t s, int f);
int __wrap_fsetxattr(int fd, const char *n, const void *v, size_t s, int f);
int __wrap_fsetxattr(int fd, const char *n, const void *v, size_t s, int f)
{
	return should_fail("fsetxattr", n) ? -1 : __real_fsetxattr(fd, n, v, s, f);
}

/* ---- Fixture: dir/prog and a saved copy to compare with -------------------- */

/* Temp files left the moment commit returned, before any abort. */
static int left_by_commit;

struct fixture {
	char *dir;
	char *path;
	char *saved;
	int dirfd;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *data = malloc(SIZE);

	assert_non_null(f);
	assert_non_null(data);
	for (size_t i = 0; i < SIZE; i++)
		data[i] = (char)(i * 7 + i / 251);
	f->dir = th_tempdir();
	assert_non_null(f->dir);
	f->path = th_write_file(f->dir, "prog", data, SIZE);
	/* Not our temp-name form, so the scan below does not count it. */
	f->saved = th_write_file(f->dir, "saved-copy", data, SIZE);
	assert_non_null(f->path);
	assert_non_null(f->saved);
	f->dirfd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(f->dirfd >= 0);
	assert_int_equal(chmod(f->path, 0755), 0);
	free(data);
	disarm();
	left_by_commit = 0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	disarm();
	close(f->dirfd);
	th_rmtree(f->dir);
	free(f->dir);
	free(f->path);
	free(f->saved);
	free(f);
	return 0;
}

/* Entries of dir in our temp form (any leftover would be one). */
static int temp_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strstr(e->d_name, IFX_TEMP_MARK) != NULL;
	closedir(d);
	return n;
}

/* Whether a and b have the same bytes, except that a has `patch` at
 * `at` when at >= 0; a bounded buffer, as files may be large. */
static bool same_bytes_except(const char *a, const char *b, off_t at, char patch)
{
	enum { CHUNK = 65536 };
	static char ba[CHUNK], bb[CHUNK];
	int fa = open(a, O_RDONLY | O_CLOEXEC), fb = open(b, O_RDONLY | O_CLOEXEC);
	bool same = fa >= 0 && fb >= 0;
	off_t pos = 0;

	while (same) {
		ssize_t na = pread(fa, ba, CHUNK, pos), nb = pread(fb, bb, CHUNK, pos);

		if (na != nb || na < 0)
			same = false;
		if (!same || na == 0)
			break;
		if (at >= pos && at < pos + na) {
			same = ba[at - pos] == patch;
			bb[at - pos] = patch;
		}
		same = same && memcmp(ba, bb, (size_t)na) == 0;
		pos += na;
	}
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return same;
}

static bool same_bytes(const char *a, const char *b)
{
	return same_bytes_except(a, b, -1, 0);
}

/* Replace dir/name with a copy whose byte PATCH_AT is 'Z', the failure
 * in arms[0] (if any) armed only for the commit; returns the status. */
/* force: an owner or group that cannot be kept is a warning, not a refusal */
static bool allow_loss;

static enum ifx_status replace_name(struct fixture *f, const char *name,
				    struct ifx_error *err)
{
	struct arm armed = arms[0];
	struct atomic_file af;
	enum ifx_status st;
	int fd = openat(f->dirfd, name, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	memset(arms, 0, sizeof(arms));
	memset(err, 0, sizeof(*err));
	st = ifx__atomic_file_begin(&af, f->dirfd, name, fd, err);
	if (st == IFX_OK) {
		af.allow_loss = allow_loss;
		assert_int_equal(pwrite(af.tmp_fd, "Z", 1, PATCH_AT), 1);
		arms[0] = armed;
		st = ifx__atomic_file_commit(&af, err);
		disarm();
		left_by_commit = temp_files(f->dir);
		/* commit cleans up by itself: no temp fd remains either. */
		assert_int_equal(af.tmp_fd, -1);
		ifx__atomic_file_abort(&af);
		assert_int_equal(af.tmp_fd, -1);
	}
	close(fd);
	return st;
}

static enum ifx_status replace(struct fixture *f, struct ifx_error *err)
{
	return replace_name(f, "prog", err);
}

static void assert_replaced(struct fixture *f)
{
	assert_true(same_bytes_except(f->path, f->saved, PATCH_AT, 'Z'));
	assert_int_equal(left_by_commit, 0);
	assert_int_equal(temp_files(f->dir), 0);
}

static void assert_untouched(struct fixture *f)
{
	assert_true(same_bytes(f->path, f->saved));
	assert_int_equal(left_by_commit, 0);
	assert_int_equal(temp_files(f->dir), 0);
}

/* ---- Success ------------------------------------------------------------- */

/* As root the file belongs to someone else first, so keeping the owner
 * is a real fchown; otherwise it is the caller's and stays so. */
static void test_replaces_and_keeps_mode_and_owner(void **state)
{
	struct fixture *f = *state;
	struct stat before, after, held;
	struct ifx_error err;
	char value[1];
	int old = open(f->path, O_RDONLY | O_CLOEXEC);

	assert_true(old >= 0);
	if (geteuid() == 0)
		assert_int_equal(chown(f->path, OTHER_UID, OTHER_GID), 0);
	assert_int_equal(chmod(f->path, 0751), 0);
	assert_int_equal(stat(f->path, &before), 0);

	assert_int_equal(replace(f, &err), IFX_OK);
	assert_replaced(f);
	assert_int_equal(stat(f->path, &after), 0);
	assert_int_equal(after.st_mode & 07777, 0751);
	assert_int_equal(after.st_size, SIZE);
	assert_int_equal(after.st_uid, before.st_uid);
	assert_int_equal(after.st_gid, before.st_gid);
	/* A new inode: whoever still holds the old one (a running
	 * program) keeps reading the old bytes. */
	assert_true(after.st_ino != before.st_ino);
	assert_int_equal(fstat(old, &held), 0);
	assert_int_equal(held.st_ino, before.st_ino);
	assert_true(pread(old, value, 1, PATCH_AT) == 1 && value[0] != 'Z');
	close(old);
}

/* Skip unless the temp directory's filesystem takes user xattrs. */
static void need_user_xattrs(struct fixture *f)
{
	if (setxattr(f->path, "user.origin", "brew", 4, 0) < 0)
		th_skip("no user xattrs where the temp dir is (%s)", strerror(errno));
}

static void test_user_xattrs_kept(void **state)
{
	struct fixture *f = *state;
	static const char blob[] = { 0, 1, 2, (char)0xff, 'x' };
	struct ifx_error err;
	char value[16];

	need_user_xattrs(f);
	assert_int_equal(setxattr(f->path, "user.blob", blob, sizeof(blob), 0), 0);
	assert_int_equal(replace(f, &err), IFX_OK);
	assert_replaced(f);
	assert_int_equal(getxattr(f->path, "user.origin", value, sizeof(value)), 4);
	assert_memory_equal(value, "brew", 4);
	assert_int_equal(getxattr(f->path, "user.blob", value, sizeof(value)), sizeof(blob));
	assert_memory_equal(value, blob, sizeof(blob));
}

/* fchown after fchmod would clear the set-id bits: proves the order. */
static void test_setuid_setgid_kept_as_root(void **state)
{
	struct fixture *f = *state;
	struct ifx_error err;
	struct stat sb;

	th_require_root();
	assert_int_equal(chown(f->path, OTHER_UID, OTHER_GID), 0);
	assert_int_equal(chmod(f->path, 06755), 0);
	assert_int_equal(replace(f, &err), IFX_OK);
	assert_replaced(f);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 06755);
	assert_int_equal(sb.st_uid, OTHER_UID);
	assert_int_equal(sb.st_gid, OTHER_GID);
}

/* A v2 file capability blob (linux/capability.h, struct vfs_cap_data):
 * effective, permitted cap_net_raw (13), stored little-endian. */
static void net_raw_caps(uint32_t caps[5])
{
	caps[0] = htole32(0x02000000u | 0x1u); /* VFS_CAP_REVISION_2 | FLAGS_EFFECTIVE */
	caps[1] = htole32(1u << 13);           /* permitted[0]: CAP_NET_RAW */
	caps[2] = 0;                           /* inheritable[0] */
	caps[3] = 0;                           /* permitted[1] */
	caps[4] = 0;                           /* inheritable[1] */
}

/* Give the original cap_net_raw, or skip where the filesystem (or a
 * container without CAP_SETFCAP) does not allow it. */
static void give_net_raw(struct fixture *f, uint32_t caps[5])
{
	net_raw_caps(caps);
	if (setxattr(f->path, "security.capability", caps, 5 * sizeof(caps[0]), 0) < 0)
		th_skip("cannot give a file capabilities here (%s)", strerror(errno));
}

/* The kernel drops security.capability on every write (patchelf loses it
 * that way): commit must put it back. */
static void test_file_capability_survives(void **state)
{
	struct fixture *f = *state;
	uint32_t caps[5], got[8];
	struct ifx_error err;
	struct stat sb;

	th_require_root();
	give_net_raw(f, caps);
	assert_int_equal(replace(f, &err), IFX_OK);
	assert_replaced(f);
	assert_int_equal(getxattr(f->path, "security.capability", got, sizeof(got)),
			 sizeof(caps));
	assert_memory_equal(got, caps, sizeof(caps));
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0755);
}

/* Not allowed to set it (no CAP_SETFCAP): the whole commit fails rather
 * than a privilege silently going away. */
static void test_capability_that_cannot_be_kept_fails_commit(void **state)
{
	struct fixture *f = *state;
	uint32_t caps[5], got[8];
	struct ifx_error err;

	th_require_root();
	give_net_raw(f, caps);
	arm(0, "fsetxattr", 0, EPERM);
	arms[0].xattr = "security.capability";
	assert_int_equal(replace(f, &err), IFX_ERR_IO);
	assert_int_equal(err.status, IFX_ERR_IO);
	assert_int_equal(err.sys_errno, EPERM);
	assert_non_null(strstr(err.message, "file capabilities"));
	assert_non_null(strstr(err.advice, "CAP_SETFCAP"));
	assert_untouched(f);
	assert_int_equal(getxattr(f->path, "security.capability", got, sizeof(got)),
			 sizeof(caps));
}

/* replace() for a child process: no cmocka there, an exit code instead. */
static int child_replace(int dirfd, bool force)
{
	struct atomic_file af;
	struct ifx_error err;
	int fd = openat(dirfd, "prog", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 12;
	if (ifx__atomic_file_begin(&af, dirfd, "prog", fd, &err) != IFX_OK)
		return 13;
	af.allow_loss = force;
	if (pwrite(af.tmp_fd, "Z", 1, PATCH_AT) != 1) {
		ifx__atomic_file_abort(&af);
		return 14;
	}
	if (ifx__atomic_file_commit(&af, &err) != IFX_OK)
		return err.status == IFX_REFUSED && strstr(err.message, "owner") ? 16 : 15;
	close(fd);
	return force && af.lost[0] == '\0' ? 17 : 0;
}

static int replace_as_nobody(struct fixture *f, bool force)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
			_exit(10);
		_exit(child_replace(f->dirfd, force));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* A user who may not give the file away: refused with the reason, nothing
 * lost; with force the replacement becomes theirs (as with cp), set-id
 * bits for the old owner and group are dropped, and the loss is said.
 * Run for real in a child that drops root. */
static void test_setid_dropped_when_owner_cannot_be_kept(void **state)
{
	struct fixture *f = *state;
	struct stat sb;

	th_require_root();
	assert_int_equal(chmod(f->path, 06755), 0);
	assert_int_equal(chown(f->dir, NOBODY, NOBODY), 0);
	assert_int_equal(replace_as_nobody(f, false), 16);
	assert_untouched(f);
	assert_int_equal(replace_as_nobody(f, true), 0);
	assert_replaced(f);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_uid, NOBODY);
	assert_int_equal(sb.st_gid, NOBODY);
	assert_int_equal(sb.st_mode & 07777, 0755);
}

/* The same rule at the seam: fchown refused, the file stays the caller's. */
static void test_fchown_eperm_is_not_an_error(void **state)
{
	struct fixture *f = *state;
	struct ifx_error err;
	struct stat sb;
	bool other = geteuid() == 0;

	if (other)
		assert_int_equal(chown(f->path, OTHER_UID, getegid()), 0);
	assert_int_equal(chmod(f->path, 06755), 0);
	if (other) {
		/* another owner cannot be kept: refused unless forced */
		arm(0, "fchown", 0, EPERM);
		assert_int_equal(replace(f, &err), IFX_REFUSED);
		assert_non_null(strstr(err.advice, "--force"));
		assert_untouched(f);
		allow_loss = true;
	}
	arm(0, "fchown", 0, EPERM);
	assert_int_equal(replace(f, &err), IFX_OK);
	allow_loss = false;
	assert_replaced(f);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_uid, geteuid());
	/* The group was the caller's anyway: setgid stays; setuid only when
	 * the owner is unchanged. */
	assert_int_equal(sb.st_mode & 07777, other ? 02755 : 06755);
}

static void test_empty_file(void **state)
{
	struct fixture *f = *state;
	struct atomic_file af;
	struct ifx_error err;
	char *path = th_write_file(f->dir, "empty", "", 0);
	struct stat sb;
	int fd = openat(f->dirfd, "empty", O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(ifx__atomic_file_begin(&af, f->dirfd, "empty", fd, &err), IFX_OK);
	assert_int_equal(ifx__atomic_file_commit(&af, &err), IFX_OK);
	ifx__atomic_file_abort(&af);
	close(fd);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, 0);
	assert_int_equal(temp_files(f->dir), 0);
	free(path);
}

/* A name of NAME_MAX bytes: the temp name is cut to fit, still ours. */
static void test_longest_name(void **state)
{
	struct fixture *f = *state;
	char name[NAME_MAX + 1], *path, *saved = f->path;
	struct atomic_file af;
	struct ifx_error err;
	int fd;

	memset(name, 'n', NAME_MAX);
	name[NAME_MAX] = '\0';
	assert_int_equal(asprintf(&path, "%s/%s", f->dir, name) > 0, 1);
	assert_int_equal(rename(f->path, path), 0);
	fd = openat(f->dirfd, name, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ifx__atomic_file_begin(&af, f->dirfd, name, fd, &err), IFX_OK);
	/* an unnamed temporary is named only at commit (replace_name below) */
	if (!af.unnamed) {
		assert_int_equal(strlen(af.tmp_name), NAME_MAX);
		assert_true(ifx_is_temp_name(af.tmp_name));
	}
	ifx__atomic_file_abort(&af);
	close(fd);
	assert_int_equal(temp_files(f->dir), 0);
	f->path = path;
	assert_int_equal(replace_name(f, name, &err), IFX_OK);
	assert_replaced(f);
	f->path = saved;
	free(path);
}

/* abort twice, abort after a failed begin: nothing breaks, nothing stays. */
static void test_abort_is_idempotent(void **state)
{
	struct fixture *f = *state;
	struct atomic_file af;
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(ifx__atomic_file_begin(&af, f->dirfd, "prog", fd, NULL), IFX_OK);
	/* O_TMPFILE: no name anyone could open until the commit */
	assert_int_equal(temp_files(f->dir), af.unnamed ? 0 : 1);
	assert_true(af.tmp_fd >= 0);
	ifx__atomic_file_abort(&af);
	assert_int_equal(af.tmp_fd, -1);
	ifx__atomic_file_abort(&af);
	assert_int_equal(temp_files(f->dir), 0);
	arm(0, "copy_file_range", 0, ENOSPC);
	assert_int_equal(ifx__atomic_file_begin(&af, f->dirfd, "prog", fd, NULL), IFX_ERR_IO);
	disarm();
	ifx__atomic_file_abort(&af);
	close(fd);
	assert_untouched(f);
}

/* Someone replaced the file between begin and commit: their file wins. */
static void test_file_replaced_meanwhile(void **state)
{
	struct fixture *f = *state;
	struct atomic_file af;
	struct ifx_error err;
	char *other = th_write_file(f->dir, "other", "theirs", 6);
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(ifx__atomic_file_begin(&af, f->dirfd, "prog", fd, &err), IFX_OK);
	assert_int_equal(rename(other, f->path), 0);
	assert_int_equal(ifx__atomic_file_commit(&af, &err), IFX_ERR_IO);
	assert_non_null(strstr(err.message, "changed"));
	assert_int_equal(af.tmp_fd, -1);
	close(fd);
	assert_int_equal(temp_files(f->dir), 0);
	free(other);
	other = th_write_file(f->dir, "expect", "theirs", 6);
	assert_true(same_bytes(f->path, other));
	free(other);
}

/* Someone appended to the same inode between begin and commit: their bytes
 * stay, ours are dropped, the caller hears of it. */
static void test_file_rewritten_meanwhile(void **state)
{
	struct fixture *f = *state;
	struct atomic_file af;
	struct ifx_error err;
	struct stat before, after;
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);
	int w = open(f->path, O_WRONLY | O_APPEND | O_CLOEXEC);

	assert_true(fd >= 0 && w >= 0);
	assert_int_equal(ifx__atomic_file_begin(&af, f->dirfd, "prog", fd, &err), IFX_OK);
	assert_int_equal(write(w, "X", 1), 1);
	close(w);
	assert_int_equal(stat(f->path, &before), 0);
	assert_int_equal(ifx__atomic_file_commit(&af, &err), IFX_ERR_IO);
	assert_non_null(strstr(err.message, "changed while being fixed"));
	assert_int_equal(af.tmp_fd, -1);
	assert_int_equal(temp_files(f->dir), 0);
	assert_int_equal(stat(f->path, &after), 0);
	assert_int_equal(after.st_ino, before.st_ino);
	assert_int_equal(after.st_size, SIZE + 1);
	close(fd);
}

/* Without O_TMPFILE: the temporary sits in a 0700 directory of ours, marked
 * as ours; nobody else can open it; commit and abort leave nothing. */
static void test_no_tmpfile_private_directory(void **state)
{
	struct fixture *f = *state;
	struct atomic_file af;
	struct ifx_error err;
	struct stat sb;
	char *dir;
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	arm(0, "openat-tmpfile", 0, EOPNOTSUPP);
	assert_int_equal(ifx__atomic_file_begin(&af, f->dirfd, "prog", fd, &err), IFX_OK);
	disarm();
	assert_false(af.unnamed);
	assert_true(af.priv_fd >= 0);
	assert_true(ifx_is_temp_name(af.tmp_name));
	assert_int_equal(asprintf(&dir, "%s/%s", f->dir, af.tmp_name) > 0, 1);
	assert_int_equal(stat(dir, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0700);
	/* an interrupted fix's leftover, as a walk would see it */
	if (getxattr(dir, "user.interpfix.temp", NULL, 0) > 0)
		assert_true(ifx_is_leftover(f->dirfd, af.tmp_name));
	assert_int_equal(pwrite(af.tmp_fd, "Z", 1, PATCH_AT), 1);
	assert_int_equal(ifx__atomic_file_commit(&af, &err), IFX_OK);
	assert_replaced(f);
	assert_int_equal(stat(dir, &sb), -1);
	/* and an abort */
	arm(0, "openat-tmpfile", 0, EOPNOTSUPP);
	assert_int_equal(ifx__atomic_file_begin(&af, f->dirfd, "prog", fd, &err), IFX_OK);
	disarm();
	ifx__atomic_file_abort(&af);
	assert_int_equal(temp_files(f->dir), 0);
	close(fd);
	free(dir);
}

/* ---- Copy paths ------------------------------------------------------------ */

/* Begin only, with the failures armed; the temp must hold the original. */
static void begin_and_check_copy(struct fixture *f, const char *name,
				 const char *expect)
{
	struct atomic_file af;
	struct ifx_error err;
	char *copy;
	int fd = openat(f->dirfd, name, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(ifx__atomic_file_begin(&af, f->dirfd, name, fd, &err), IFX_OK);
	arms[0].call = arms[1].call = NULL;
	if (af.unnamed) {
		assert_int_equal(temp_files(f->dir), 0);
		assert_int_equal(asprintf(&copy, "/proc/self/fd/%d", af.tmp_fd) > 0, 1);
	} else {
		assert_int_equal(asprintf(&copy, "%s/%s", f->dir, af.tmp_name) > 0, 1);
		assert_true(ifx_is_temp_name(af.tmp_name));
	}
	assert_true(same_bytes(copy, expect));
	ifx__atomic_file_abort(&af);
	assert_int_equal(temp_files(f->dir), 0);
	free(copy);
	close(fd);
}

static void test_ficlone_unsupported_falls_back(void **state)
{
	struct fixture *f = *state;

	arm(0, "ioctl", 0, EOPNOTSUPP);
	begin_and_check_copy(f, "prog", f->saved);
	assert_int_equal(n_ioctl, 1);
	assert_true(n_copy_range >= 1);
}

static void test_copy_file_range_enosys_falls_back_to_read_write(void **state)
{
	struct fixture *f = *state;

	arm(0, "copy_file_range", 0, ENOSYS);
	begin_and_check_copy(f, "prog", f->saved);
	assert_int_equal(n_copy_range, 1);
	assert_true(n_write >= 1);
}

/* The kernel may copy less than asked: the loop goes on from there. */
static void test_short_copies(void **state)
{
	struct fixture *f = *state;

	arm(0, "ioctl", 0, EOPNOTSUPP);
	copy_range_clamp = 4093;
	begin_and_check_copy(f, "prog", f->saved);
	assert_true(n_copy_range >= SIZE / 4093);
	assert_int_equal(n_write, 0);
}

/* A short copy, then "unsupported": read/write continues where the
 * kernel stopped, without a gap or a repeat. */
static void test_fallback_after_partial_copy(void **state)
{
	struct fixture *f = *state;

	arm(0, "ioctl", 0, EOPNOTSUPP);
	arm(1, "copy_file_range", 3, EINVAL);
	copy_range_clamp = 10007;
	begin_and_check_copy(f, "prog", f->saved);
	assert_int_equal(n_copy_range, 3);
	assert_true(n_write >= 1);
}

/* 64 MiB mostly holes, through the kernel copy and through read/write
 * (whose buffer is bounded: the file is far larger than it). */
static void test_large_sparse_file(void **state)
{
	static const off_t marks[] = { 0, 4095, 1 << 20, 33554431, 67108863 };
	struct fixture *f = *state;
	struct ifx_error err;
	char *path, *saved;
	struct stat sb;
	int fd;

	assert_int_equal(asprintf(&path, "%s/big", f->dir) > 0, 1);
	assert_int_equal(asprintf(&saved, "%s/big-saved", f->dir) > 0, 1);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 64 << 20), 0);
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		assert_int_equal(pwrite(fd, "M", 1, marks[i]), 1);
	close(fd);
	assert_int_equal(th_copy_file(path, saved), 0);
	assert_true(same_bytes(path, saved));

	begin_and_check_copy(f, "big", saved);
	arm(0, "copy_file_range", 0, ENOSYS);
	begin_and_check_copy(f, "big", saved);
	/* the buffer wrote the data; where the file system keeps holes, only
	 * the data (five marks), not 64 MiB of zeros */
	assert_true(n_write >= 1);
	assert_int_equal(stat(path, &sb), 0);
	if (sb.st_blocks * 512 < (8 << 20))
		assert_true(n_write < 64);

	disarm();
	assert_int_equal(replace_name(f, "big", &err), IFX_OK);
	assert_true(same_bytes_except(path, saved, PATCH_AT, 'Z'));
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, 64 << 20);
	assert_int_equal(temp_files(f->dir), 0);
	free(path);
	free(saved);
}

/* ---- Each step failing ------------------------------------------------------ */

static void check_failure_keeps_original(struct fixture *f, const char *call,
					 int nth, int errnum, const char *what)
{
	struct ifx_error err;

	arm(0, call, nth, errnum);
	assert_int_equal(replace(f, &err), IFX_ERR_IO);
	assert_int_equal(err.status, IFX_ERR_IO);
	assert_int_equal(err.sys_errno, errnum);
	assert_non_null(strstr(err.message, what));
	assert_non_null(strstr(err.message, strerror(errnum)));
	assert_null(strstr(err.message, f->dir));
	assert_untouched(f);
}

static void test_fsync_failure(void **state)
{
	check_failure_keeps_original(*state, "fsync", 1, EIO, "cannot sync temporary file");
}

static void test_renameat_failure(void **state)
{
	check_failure_keeps_original(*state, "renameat", 1, EXDEV, "cannot rename");
}

static void test_fchmod_failure(void **state)
{
	check_failure_keeps_original(*state, "fchmod", 1, EROFS, "cannot set mode");
}

static void test_fchown_failure(void **state)
{
	check_failure_keeps_original(*state, "fchown", 1, EIO, "cannot set owner");
}

static void test_user_xattr_failure(void **state)
{
	struct fixture *f = *state;

	need_user_xattrs(f);
	check_failure_keeps_original(f, "fsetxattr", 1, ENOSPC,
				     "cannot keep extended attribute user.origin");
}

/* The rename happened, the directory sync did not: the new file is in
 * place, no temp remains, and the error says durability is in doubt. */
static void test_directory_fsync_failure(void **state)
{
	struct fixture *f = *state;
	struct ifx_error err;

	arm(0, "fsync", 2, EIO);
	assert_int_equal(replace(f, &err), IFX_ERR_IO);
	assert_int_equal(err.sys_errno, EIO);
	assert_non_null(strstr(err.message, "replaced"));
	assert_non_null(strstr(err.message, "durability not guaranteed"));
	assert_replaced(f);
}

/* The copy failing: begin fails, nothing is left. */
static void check_begin_failure(struct fixture *f, int errnum, const char *what)
{
	struct atomic_file af;
	struct ifx_error err;
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	memset(&err, 0, sizeof(err));
	assert_int_equal(ifx__atomic_file_begin(&af, f->dirfd, "prog", fd, &err), IFX_ERR_IO);
	disarm();
	assert_int_equal(af.tmp_fd, -1);
	assert_int_equal(err.status, IFX_ERR_IO);
	assert_int_equal(err.sys_errno, errnum);
	assert_non_null(strstr(err.message, what));
	assert_non_null(strstr(err.message, strerror(errnum)));
	ifx__atomic_file_abort(&af);
	close(fd);
	assert_untouched(f);
}

/* ENOSPC from copy_file_range is a real error, not a reason to fall back. */
static void test_copy_file_range_failure(void **state)
{
	arm(0, "copy_file_range", 0, ENOSPC);
	check_begin_failure(*state, ENOSPC, "cannot copy");
}

static void test_write_failure_after_fallback(void **state)
{
	arm(0, "copy_file_range", 0, ENOSYS);
	arm(1, "pwrite", 1, ENOSPC);
	check_begin_failure(*state, ENOSPC, "cannot write the copy");
}

static void test_temp_cannot_be_created(void **state)
{
	struct fixture *f = *state;
	struct atomic_file af;
	struct ifx_error err;
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);
	int notdir = open(f->path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0 && notdir >= 0);
	assert_int_equal(ifx__atomic_file_begin(&af, notdir, "prog", fd, &err), IFX_ERR_IO);
	assert_int_equal(err.sys_errno, ENOTDIR);
	assert_string_equal(err.message, "cannot create temporary file: Not a directory");
	ifx__atomic_file_abort(&af);
	close(notdir);
	close(fd);
	assert_untouched(f);
}

/* ---- Names -------------------------------------------------------------- */

static void test_temp_names(void **state)
{
	(void)state;
	assert_true(ifx_is_temp_name(".prog.interpfix-Ab12Cd"));
	assert_true(ifx_is_temp_name(".a.interpfix-zzzzzz"));
	assert_true(ifx_is_temp_name("..hidden.interpfix-000000"));
	/* A name that itself contains the mark. */
	assert_true(ifx_is_temp_name(".x.interpfix-y.interpfix-Ab12Cd"));
	assert_false(ifx_is_temp_name("prog.interpfix-Ab12Cd"));
	assert_false(ifx_is_temp_name(".prog.interpfix-Ab12"));
	assert_false(ifx_is_temp_name(".prog.interpfix-Ab12Cde"));
	assert_false(ifx_is_temp_name(".prog.interpfix-Ab12C!"));
	assert_false(ifx_is_temp_name(".prog.interpfix-Ab12C."));
	assert_false(ifx_is_temp_name(".prog.interpfix-Ab12Cd.bak"));
	assert_false(ifx_is_temp_name(".interpfix-Ab12Cd"));
	assert_false(ifx_is_temp_name("..interpfix-Ab12Cd"));
	assert_false(ifx_is_temp_name(".prog-interpfix-Ab12Cd"));
	assert_false(ifx_is_temp_name("prog"));
	assert_false(ifx_is_temp_name(""));
	assert_false(ifx_is_temp_name("."));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_replaces_and_keeps_mode_and_owner),
		T(test_user_xattrs_kept),
		T(test_setuid_setgid_kept_as_root),
		T(test_file_capability_survives),
		T(test_capability_that_cannot_be_kept_fails_commit),
		T(test_setid_dropped_when_owner_cannot_be_kept),
		T(test_fchown_eperm_is_not_an_error),
		T(test_empty_file),
		T(test_longest_name),
		T(test_abort_is_idempotent),
		T(test_file_replaced_meanwhile),
		T(test_file_rewritten_meanwhile),
		T(test_no_tmpfile_private_directory),
		T(test_ficlone_unsupported_falls_back),
		T(test_copy_file_range_enosys_falls_back_to_read_write),
		T(test_short_copies),
		T(test_fallback_after_partial_copy),
		T(test_large_sparse_file),
		T(test_fsync_failure),
		T(test_renameat_failure),
		T(test_fchmod_failure),
		T(test_fchown_failure),
		T(test_user_xattr_failure),
		T(test_directory_fsync_failure),
		T(test_copy_file_range_failure),
		T(test_write_failure_after_fallback),
		T(test_temp_cannot_be_created),
		cmocka_unit_test(test_temp_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
