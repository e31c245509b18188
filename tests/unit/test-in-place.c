/* --in-place is one write: the whole new string and its padding in a single
 * pwrite, read back. A short write (then EIO) must not leave a mixed
 * interpreter: the old bytes go back, and when even that fails the error
 * says what the slot holds. Failures come from the pwrite seam (--wrap);
 * the binary is a real gcc program from the fixtures. */
#include "config.h"

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
#include <unistd.h>

#include <cmocka.h>

#include "interpfix.h"
#include "testhelp.h"

/* ---- The pwrite seam ---------------------------------------------------- */

/* Each armed pwrite, in order: 0 passes, > 0 writes at most that many
 * bytes and returns that count, < 0 fails with -value as errno. */
static int script[4];
static size_t script_len, script_at;
static int n_pwrite;

static void arm(const int *steps, size_t n)
{
	memcpy(script, steps, n * sizeof(*steps));
	script_len = n;
	script_at = 0;
	n_pwrite = 0;
}

ssize_t __real_pwrite(int fd, const void *buf, size_t n, off_t off);
ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t off);
ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	int step = script_at < script_len ? script[script_at++] : 0;

	n_pwrite++;
	if (step < 0) {
		errno = -step;
		return -1;
	}
	if (step > 0 && (size_t)step < n)
		n = (size_t)step;
	return __real_pwrite(fd, buf, n, off);
}

/* ---- Fixture -------------------------------------------------------------- */

struct fixture {
	char *dir, *path, *saved, *interp;
	uint64_t interp_offset;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
	struct ifx_error err;
	char *src = th_fixture("gcc-pie");

	if (f == NULL || src == NULL || (f->dir = th_tempdir()) == NULL)
		return -1;
	if (asprintf(&f->path, "%s/bin", f->dir) < 0 ||
	    asprintf(&f->saved, "%s/bin.orig", f->dir) < 0 ||
	    th_copy_file(src, f->path) != 0 || th_copy_file(src, f->saved) != 0 ||
	    th_inspect(src, &info, &err) != IFX_OK || !info.has_interp)
		return -1;
	f->interp = strdup(info.interp);
	f->interp_offset = info.interp_offset;
	ifx_elf_info_free(&info);
	free(src);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	script_len = 0;
	th_rmtree(f->dir);
	free(f->dir);
	free(f->path);
	free(f->saved);
	free(f->interp);
	free(f);
	return 0;
}

/* A path as long as the original (so the whole slot is written), unlike
 * it at both ends: a partial write is then neither string. */
static char *same_length_path(const struct fixture *f)
{
	char *p = strdup(f->interp);
	size_t n = strlen(p);

	p[1] = p[1] == 'x' ? 'y' : 'x';
	p[n - 1] = p[n - 1] == 'x' ? 'y' : 'x';
	return p;
}

static enum ifx_status fix_in_place(struct fixture *f, const char *to,
				    struct ifx_fix_report *rep, struct ifx_error *err)
{
	struct ifx_target_options vet = IFX_INIT(ifx_target_options);
	struct ifx_fix_options opts = IFX_INIT(ifx_fix_options);

	vet.force = true; /* the made-up path does not exist */
	opts.target = to;
	opts.vet = &vet;
	opts.mode = IFX_WRITE_IN_PLACE;
	return ifx_fix_path(AT_FDCWD, f->path, false, &opts, rep, err);
}

static char *interp_now(const char *path)
{
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
	struct ifx_error err;
	char *s;

	assert_int_equal(th_inspect(path, &info, &err), IFX_OK);
	s = strdup(info.interp);
	ifx_elf_info_free(&info);
	return s;
}

/* ---- Tests ---------------------------------------------------------------- */

static void test_one_write_read_back(void **state)
{
	struct fixture *f = *state;
	char *to = same_length_path(f), *now;
	struct ifx_fix_report rep = IFX_INIT(ifx_fix_report);
	struct ifx_error err;
	static const int pass[] = { 0 };

	arm(pass, 1);
	assert_int_equal(fix_in_place(f, to, &rep, &err), IFX_OK);
	assert_int_equal(n_pwrite, 1);
	now = interp_now(f->path);
	assert_string_equal(now, to);
	ifx_fix_report_free(&rep);
	free(now);
	free(to);
}

static void test_short_write_then_eio_restores_the_old_bytes(void **state)
{
	struct fixture *f = *state;
	char *to = same_length_path(f);
	struct ifx_fix_report rep = IFX_INIT(ifx_fix_report);
	struct ifx_error err;
	static const int half_then_pass[] = { 5, 0 };

	arm(half_then_pass, 2);
	assert_int_equal(fix_in_place(f, to, &rep, &err), IFX_ERR_IO);
	assert_non_null(strstr(err.message, "unchanged"));
	assert_true(th_same_bytes(f->path, f->saved));
	ifx_fix_report_free(&rep);
	free(to);
}

static void test_eio_restores_the_old_bytes(void **state)
{
	struct fixture *f = *state;
	char *to = same_length_path(f);
	struct ifx_fix_report rep = IFX_INIT(ifx_fix_report);
	struct ifx_error err;
	static const int fail_then_pass[] = { -EIO, 0 };

	arm(fail_then_pass, 2);
	assert_int_equal(fix_in_place(f, to, &rep, &err), IFX_ERR_IO);
	assert_non_null(strstr(err.message, "unchanged"));
	assert_non_null(strstr(err.message, strerror(EIO)));
	assert_true(th_same_bytes(f->path, f->saved));
	ifx_fix_report_free(&rep);
	free(to);
}

/* Neither the write nor the restore lands whole: the error names the bytes
 * the slot now holds (five new, then the old). */
static void test_mixed_string_is_described(void **state)
{
	struct fixture *f = *state;
	char *to = same_length_path(f), expect[64];
	struct ifx_fix_report rep = IFX_INIT(ifx_fix_report);
	struct ifx_error err;
	static const int half_then_eio[] = { 5, -EIO };

	arm(half_then_eio, 2);
	assert_int_equal(fix_in_place(f, to, &rep, &err), IFX_ERR_IO);
	snprintf(expect, sizeof(expect), "%.5s%s", to, f->interp + 5);
	assert_non_null(strstr(err.message, expect));
	assert_non_null(strstr(err.message, "nor put the old one back"));
	assert_false(th_same_bytes(f->path, f->saved));
	ifx_fix_report_free(&rep);
	free(to);
}

int main(void)
{
	static const char *const need[] = { "gcc-pie", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_write_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_write_then_eio_restores_the_old_bytes,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_eio_restores_the_old_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mixed_string_is_described, setup, teardown),
	};

	th_require_fixtures(need);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
