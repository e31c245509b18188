/* ifx__tree_walk on a real tree holding every kind of entry: symlinks are named
 * but never followed, FIFOs and sockets never opened, our leftover
 * temporaries reported as such (a file only named like one is a file),
 * unreadable directories reported, the order stable. */
#include "config.h"

#include <dirent.h>
#include <sys/xattr.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "internal.h"
#include "testhelp.h"

/* ---- a seam at getdents64 (the walker lists directories with it),
 * defined here so that it takes precedence over libc's for the statically
 * linked library:
 * - hide_d_type erases d_type, as filesystems that do not fill it in do,
 *   so the fstatat fallback is walked too;
 * - at the end of the listing of directory swap_in (st_dev, st_ino), the
 *   directory swap_path is replaced with a symlink: the race of an
 *   attacker between listing and openat. */
static bool hide_d_type;
static struct stat swap_in;
static const char *swap_path, *swap_target;

static void swap_if_listed(int fd)
{
	struct stat sb;

	if (swap_path == NULL || fstat(fd, &sb) != 0 ||
	    sb.st_dev != swap_in.st_dev || sb.st_ino != swap_in.st_ino)
		return;
	assert_int_equal(rmdir(swap_path), 0);
	assert_int_equal(symlink(swap_target, swap_path), 0);
	swap_path = NULL;
}

ssize_t getdents64(int fd, void *buf, size_t len)
{
	static ssize_t (*real)(int, void *, size_t);
	ssize_t got;

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "getdents64");
	got = real(fd, buf, len);
	if (got == 0)
		swap_if_listed(fd);
	for (ssize_t pos = 0; hide_d_type && pos < got;) {
		struct dirent64 *de = (struct dirent64 *)((char *)buf + pos);

		de->d_type = DT_UNKNOWN;
		pos += de->d_reclen;
	}
	return got;
}

/* ---- what the walk reported */
struct visits {
	const char *base;  /* stripped from paths so expectations are short;
			    * NULL: keep paths whole */
	char **lines;      /* "<kind> <path>" */
	size_t count;
};

static const char *kind_name(enum ifx_walk_entry kind)
{
	switch (kind) {
	case IFX_WALK_REGULAR: return "regular";
	case IFX_WALK_SKIPPED: return "skipped";
	case IFX_WALK_ERROR: return "error";
	case IFX_WALK_LEFTOVER: return "leftover";
	}
	return "?";
}

static void record(int dirfd, const char *name, const char *path,
		   enum ifx_walk_entry kind, int errnum, void *ctx)
{
	struct visits *v = ctx;
	size_t blen = v->base ? strlen(v->base) : 0, plen = strlen(path), nlen = strlen(name);
	struct stat via_fd, via_path;
	char *line;

	/* The display path ends in "/" + name, and dirfd/name is the very
	 * entry the path names (not a symlink's target). */
	assert_true(plen > nlen && path[plen - nlen - 1] == '/');
	assert_string_equal(path + plen - nlen, name);
	assert_int_equal(fstatat(dirfd, name, &via_fd, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(lstat(path, &via_path), 0);
	assert_int_equal(via_fd.st_ino, via_path.st_ino);
	assert_int_equal(via_fd.st_dev, via_path.st_dev);
	if (kind == IFX_WALK_REGULAR)
		assert_true(S_ISREG(via_fd.st_mode));
	assert_int_equal(errnum != 0, kind == IFX_WALK_ERROR);
	assert_null(strstr(path, "//"));

	if (v->base != NULL) {
		assert_true(strncmp(path, v->base, blen) == 0 && path[blen] == '/');
		blen++;
	}
	if (kind == IFX_WALK_ERROR)
		assert_true(asprintf(&line, "error(%s) %s", strerrorname_np(errnum),
				     path + blen) > 0);
	else
		assert_true(asprintf(&line, "%s %s", kind_name(kind),
				     path + blen) > 0);
	v->lines = realloc(v->lines, (v->count + 1) * sizeof(*v->lines));
	assert_non_null(v->lines);
	v->lines[v->count++] = line;
}

static void visits_free(struct visits *v)
{
	for (size_t i = 0; i < v->count; i++)
		free(v->lines[i]);
	free(v->lines);
	v->lines = NULL;
	v->count = 0;
}

static void assert_visits(const struct visits *v, const char *const *expect,
			  size_t n)
{
	for (size_t i = 0; i < v->count || i < n; i++) {
		const char *got = i < v->count ? v->lines[i] : "(none)";
		const char *want = i < n ? expect[i] : "(none)";

		if (strcmp(got, want) != 0)
			print_message("# visit %zu: got \"%s\", want \"%s\"\n",
				      i, got, want);
		assert_string_equal(got, want);
	}
}

static int open_fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

/* A walk that blocks (a FIFO opened for reading waits for a writer) is
 * interrupted: without SA_RESTART the open fails with EINTR, the walk
 * returns and the test fails with its temp dir cleaned up. Should it
 * block again, the second alarm ends the run. */
static volatile sig_atomic_t hung;

static void on_alarm(int sig)
{
	static const char msg[] = "not ok - tree walk hung (a FIFO opened?)\n";

	(void)sig;
	if (hung++ == 0) {
		alarm(5);
		return;
	}
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

/* Walk dirfd/path with a watchdog, checking that no fd is left open. */
static enum ifx_status walk(int dirfd, const char *path, struct visits *v,
			    struct ifx_error *err)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	int before = open_fd_count();
	enum ifx_status st;

	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
	hung = 0;
	alarm(5);
	st = ifx_walk_tree(dirfd, path, record, v, err);
	alarm(0);
	if (hung)
		print_message("# the walk blocked for 5 s: a FIFO was opened?\n");
	assert_int_equal(hung, 0);
	assert_int_equal(open_fd_count(), before);
	return st;
}

/* ---- the tree */
struct fixture {
	char *base;
	char *tree;
};

static void put_file(const char *dir, const char *name)
{
	char *path = th_write_file(dir, name, "x", 1);

	assert_non_null(path);
	free(path);
}

static char *join(const char *a, const char *b)
{
	char *s;

	assert_true(asprintf(&s, "%s/%s", a, b) > 0);
	return s;
}

static void put_socket(const char *dir, const char *name)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char *path = join(dir, name);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(s >= 0);
	assert_true(strlen(path) < sizeof(sun.sun_path));
	strcpy(sun.sun_path, path);
	assert_int_equal(bind(s, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(s); /* the socket file stays */
	free(path);
}

/*
 * base/tree/
 *   z.txt  Z-upper.txt  a.txt  b-x  .x.interpfix-ABC123
 *   .y.interpfix-DEF456 (with the leftover marker, when xattrs work here)
 *   b/c.txt  b/d/e.txt  empty/  locked/secret.txt (mode 000)
 *   link-file -> a.txt   link-dir -> b   fifo   sock
 * Created out of order so that readdir order cannot pass for sorting.
 */
static bool marker_works;

static int setup_tree(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *p;

	assert_non_null(f);
	f->base = th_tempdir();
	assert_non_null(f->base);
	f->tree = join(f->base, "tree");
	assert_int_equal(mkdir(f->tree, 0700), 0);
	put_file(f->tree, "z.txt");
	p = join(f->tree, "locked");
	assert_int_equal(mkdir(p, 0700), 0);
	put_file(p, "secret.txt");
	assert_int_equal(chmod(p, 0), 0);
	free(p);
	put_socket(f->tree, "sock");
	p = join(f->tree, "b");
	assert_int_equal(mkdir(p, 0700), 0);
	put_file(p, "c.txt");
	free(p);
	p = join(f->tree, "b/d");
	assert_int_equal(mkdir(p, 0700), 0);
	put_file(p, "e.txt");
	free(p);
	put_file(f->tree, "b-x");
	put_file(f->tree, "a.txt");
	put_file(f->tree, ".x.interpfix-ABC123");
	put_file(f->tree, ".y.interpfix-DEF456");
	p = join(f->tree, ".y.interpfix-DEF456");
	marker_works = setxattr(p, "user.interpfix.temp", "1", 1, 0) == 0;
	free(p);
	put_file(f->tree, "Z-upper.txt");
	p = join(f->tree, "empty");
	assert_int_equal(mkdir(p, 0700), 0);
	free(p);
	p = join(f->tree, "link-file");
	assert_int_equal(symlink("a.txt", p), 0);
	free(p);
	p = join(f->tree, "link-dir");
	assert_int_equal(symlink("b", p), 0);
	free(p);
	p = join(f->tree, "fifo");
	assert_int_equal(mkfifo(p, 0600), 0);
	free(p);
	*state = f;
	return 0;
}

static int teardown_tree(void **state)
{
	struct fixture *f = *state;
	char *p = join(f->tree, "locked");

	swap_path = NULL; /* a failed test may have left it armed */
	hide_d_type = false;
	chmod(p, 0700); /* or rm -rf cannot empty it unless root */
	free(p);
	th_rmtree(f->base);
	free(f->tree);
	free(f->base);
	free(f);
	return 0;
}

/* Directory by directory in strcmp order, depth first: "b/..." comes
 * before its sibling "b-x" although '-' sorts before '/'. */
static void expected_tree(const char *top, const char **out, size_t *n,
			  char *locked_line, size_t locked_size)
{
	static const char *const lines[][2] = {
		{ "regular", ".x.interpfix-ABC123" },
		{ "leftover", ".y.interpfix-DEF456" }, /* "regular" without xattrs */
		{ "regular", "Z-upper.txt" },
		{ "regular", "a.txt" },
		{ "regular", "b/c.txt" },
		{ "regular", "b/d/e.txt" },
		{ "regular", "b-x" },
		{ "skipped", "fifo" },
		{ "skipped", "link-dir" },
		{ "skipped", "link-file" },
		{ NULL, NULL }, /* locked */
		{ "skipped", "sock" },
		{ "regular", "z.txt" },
	};
	static char buf[sizeof(lines) / sizeof(lines[0])][256];

	*n = sizeof(lines) / sizeof(lines[0]);
	for (size_t i = 0; i < *n; i++) {
		if (i == 1 && !marker_works) {
			snprintf(buf[i], sizeof(buf[i]), "regular %s/.y.interpfix-DEF456", top);
			out[i] = buf[i];
			continue;
		}
		if (lines[i][0] == NULL) {
			/* root reads a mode-000 directory anyway */
			if (geteuid() == 0)
				snprintf(locked_line, locked_size,
					 "regular %s/locked/secret.txt", top);
			else
				snprintf(locked_line, locked_size,
					 "error(EACCES) %s/locked", top);
			out[i] = locked_line;
			continue;
		}
		snprintf(buf[i], sizeof(buf[i]), "%s %s/%s", lines[i][0], top,
			 lines[i][1]);
		out[i] = buf[i];
	}
}

static void check_full_tree(struct fixture *f, const char *path,
			    const char *shown_top)
{
	struct visits v = { .base = f->base };
	const char *expect[16];
	char locked[256];
	struct ifx_error err;
	size_t n, c_seen = 0;

	ifx__error_clear(&err);
	assert_int_equal(walk(AT_FDCWD, path, &v, &err), IFX_OK);
	assert_int_equal(err.status, IFX_OK);
	expected_tree(shown_top, expect, &n, locked, sizeof(locked));
	assert_visits(&v, expect, n);
	/* link-dir -> b was not entered: b/c.txt once, by its real path. */
	for (size_t i = 0; i < v.count; i++)
		if (strstr(v.lines[i], "c.txt") != NULL)
			c_seen++;
	assert_int_equal(c_seen, 1);
	visits_free(&v);
}

static void test_every_kind_is_reported_in_sorted_order(void **state)
{
	struct fixture *f = *state;

	check_full_tree(f, f->tree, "tree");
}

static void test_without_d_type_the_same_is_reported(void **state)
{
	struct fixture *f = *state;

	hide_d_type = true;
	check_full_tree(f, f->tree, "tree");
	hide_d_type = false;
}

/* A directory replaced with a symlink after it was listed is not entered
 * (O_NOFOLLOW): reported as an error, b/c.txt is still seen once. */
static void test_directory_swapped_for_symlink_is_not_entered(void **state)
{
	struct fixture *f = *state;
	struct visits v = { .base = f->base };
	char *p = join(f->tree, "swap");
	struct ifx_error err;
	size_t c_seen = 0;
	bool reported = false;

	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(stat(f->tree, &swap_in), 0);
	swap_path = p;
	swap_target = "b";
	assert_int_equal(walk(AT_FDCWD, f->tree, &v, &err), IFX_OK);
	assert_null(swap_path); /* the swap did happen */
	for (size_t i = 0; i < v.count; i++) {
		/* Linux says ENOTDIR for O_DIRECTORY|O_NOFOLLOW on a
		 * symlink; ELOOP would do as well. */
		if (strcmp(v.lines[i], "error(ENOTDIR) tree/swap") == 0 ||
		    strcmp(v.lines[i], "error(ELOOP) tree/swap") == 0)
			reported = true;
		assert_null(strstr(v.lines[i], "swap/"));
		if (strstr(v.lines[i], "c.txt") != NULL)
			c_seen++;
	}
	assert_true(reported);
	assert_int_equal(c_seen, 1);
	visits_free(&v);
	free(p);
}

static void test_trailing_slashes_give_single_slashes(void **state)
{
	struct fixture *f = *state;
	char *p;

	assert_true(asprintf(&p, "%s/", f->tree) > 0);
	check_full_tree(f, p, "tree");
	free(p);
	assert_true(asprintf(&p, "%s//", f->tree) > 0);
	check_full_tree(f, p, "tree");
	free(p);
}

/* The top is named on the command line: a symlink there is followed, and
 * paths are shown through the name given. */
static void test_top_symlink_to_directory_is_followed(void **state)
{
	struct fixture *f = *state;
	char *p = join(f->base, "top-link");

	assert_int_equal(symlink("tree", p), 0);
	check_full_tree(f, p, "top-link");
	free(p);
}

static void test_top_is_relative_to_dirfd(void **state)
{
	struct fixture *f = *state;
	struct visits v = { .base = NULL };
	const char *expect[] = { "regular b/c.txt", "regular b/d/e.txt" };
	struct ifx_error err;
	int dirfd = open(f->tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	assert_true(dirfd >= 0 && cwd >= 0);
	/* record() checks display paths with lstat from the cwd. */
	assert_int_equal(fchdir(dirfd), 0);
	assert_int_equal(walk(dirfd, "b", &v, &err), IFX_OK);
	assert_int_equal(fchdir(cwd), 0);
	assert_visits(&v, expect, 2);
	visits_free(&v);
	close(dirfd);
	close(cwd);
}

static void test_top_that_is_a_file_is_not_regular(void **state)
{
	struct fixture *f = *state;
	struct visits v = { .base = f->base };
	struct ifx_error err;
	char *p = join(f->tree, "a.txt");

	assert_int_equal(walk(AT_FDCWD, p, &v, &err), IFX_ERR_NOT_REGULAR);
	assert_int_equal(err.status, IFX_ERR_NOT_REGULAR);
	assert_true(err.message[0] != '\0');
	assert_int_equal(v.count, 0);
	free(p);
	/* A FIFO on top is refused without being opened (no hang). */
	p = join(f->tree, "fifo");
	assert_int_equal(walk(AT_FDCWD, p, &v, &err), IFX_ERR_NOT_REGULAR);
	assert_int_equal(v.count, 0);
	free(p);
}

static void test_missing_top_is_io_error_enoent(void **state)
{
	struct fixture *f = *state;
	struct visits v = { .base = f->base };
	struct ifx_error err;
	char *p = join(f->tree, "missing");

	assert_int_equal(walk(AT_FDCWD, p, &v, &err), IFX_ERR_IO);
	assert_int_equal(err.status, IFX_ERR_IO);
	assert_int_equal(err.sys_errno, ENOENT);
	assert_int_equal(v.count, 0);
	/* err is optional */
	assert_int_equal(walk(AT_FDCWD, p, &v, NULL), IFX_ERR_IO);
	assert_int_equal(v.count, 0);
	free(p);
}

/* 300 nested directories: those 256 levels down are read, the next one is
 * reported with ELOOP, and the walk uses about one fd per level. */
static void test_depth_is_bounded(void **state)
{
	struct fixture *f = *state;
	struct visits v = { .base = f->base };
	char *deep = join(f->base, "deep"), *want_file, *want_err;
	struct ifx_error err;
	int fd, next;

	assert_int_equal(mkdir(deep, 0700), 0);
	fd = open(deep, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	for (int i = 1; i <= 300; i++) {
		assert_int_equal(mkdirat(fd, "d", 0700), 0);
		next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		assert_true(next >= 0);
		close(fd);
		fd = next;
		if (i == 256) {
			next = openat(fd, "f", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
			assert_true(next >= 0);
			close(next);
		}
	}
	close(fd);

	/* record() lstats the display paths, which stay below PATH_MAX. */
	assert_int_equal(walk(AT_FDCWD, deep, &v, &err), IFX_OK);
	assert_int_equal(v.count, 2);
	want_file = malloc(16 + 256 * 2 + 2);
	want_err = malloc(16 + 257 * 2 + 16);
	assert_true(want_file && want_err);
	strcpy(want_file, "regular deep");
	strcpy(want_err, "error(ELOOP) deep");
	for (int i = 0; i < 256; i++) {
		strcat(want_file, "/d");
		strcat(want_err, "/d");
	}
	strcat(want_file, "/f");
	strcat(want_err, "/d");
	assert_string_equal(v.lines[0], want_err);
	assert_string_equal(v.lines[1], want_file);
	visits_free(&v);
	free(want_file);
	free(want_err);
	free(deep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_tree, teardown_tree)
		T(test_every_kind_is_reported_in_sorted_order),
		T(test_without_d_type_the_same_is_reported),
		T(test_directory_swapped_for_symlink_is_not_entered),
		T(test_trailing_slashes_give_single_slashes),
		T(test_top_symlink_to_directory_is_followed),
		T(test_top_is_relative_to_dirfd),
		T(test_top_that_is_a_file_is_not_regular),
		T(test_missing_top_is_io_error_enoent),
		T(test_depth_is_bounded),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
