/* The library is safe by default: ifx_fix_path vets every swap with the
 * safety checker whether or not the caller asks, force relaxes only what
 * may be forced, and no verdict depends on whether an error struct was
 * passed. Real binaries from the fixtures. */
#include "config.h"

#include <dirent.h>
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

struct fixture {
	char *dir;
	char *path;   /* a copy of the binary under test */
	char *saved;  /* its original bytes */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->dir = th_tempdir()) == NULL)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	th_rmtree(f->dir);
	free(f->dir);
	free(f->path);
	free(f->saved);
	free(f);
	return 0;
}

/* Copy fixture name into the test dir (twice: the copy and its original). */
static void copy_in(struct fixture *f, const char *name)
{
	char *src = th_fixture(name);

	assert_non_null(src);
	assert_true(asprintf(&f->path, "%s/bin", f->dir) > 0);
	assert_true(asprintf(&f->saved, "%s/bin.orig", f->dir) > 0);
	assert_int_equal(th_copy_file(src, f->path), 0);
	assert_int_equal(th_copy_file(src, f->saved), 0);
	assert_int_equal(chmod(f->path, 0755), 0);
	free(src);
}

/* Nothing but the copy and its original in the directory: no temporary. */
static size_t entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static char *interp_of(const char *name)
{
	char *path = th_fixture(name), *interp;
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
	struct ifx_error err;

	assert_non_null(path);
	assert_int_equal(th_inspect(path, &info, &err), IFX_OK);
	assert_true(info.has_interp);
	interp = strdup(info.interp);
	ifx_elf_info_free(&info);
	free(path);
	return interp;
}

/* A glibc program given musl's loader through the plain path API, with no
 * safety asked for: refused, the file byte for byte, nothing left behind. */
static void test_libc_swap_refused_without_asking(void **state)
{
	struct fixture *f = *state;
	char *musl = interp_of("musl");
	struct ifx_target_options vet = IFX_INIT(ifx_target_options);
	struct ifx_fix_options opts = { .size = sizeof(opts), .target = musl, .vet = &vet,
					.mode = IFX_WRITE_ATOMIC };
	struct ifx_fix_report rep = IFX_INIT(ifx_fix_report);
	struct ifx_error err;

	copy_in(f, "gcc-pie");
	assert_int_equal(ifx_fix_path(AT_FDCWD, f->path, false, &opts, &rep, &err), IFX_REFUSED);
	assert_non_null(strstr(err.message, "glibc binary to a musl loader"));
	assert_true(th_same_bytes(f->path, f->saved));
	assert_int_equal(entries(f->dir), 2);
	ifx_fix_report_free(&rep);
	/* NULL error struct: the same verdict */
	assert_int_equal(ifx_fix_path(AT_FDCWD, f->path, false, &opts, &rep, NULL), IFX_REFUSED);
	assert_true(th_same_bytes(f->path, f->saved));
	ifx_fix_report_free(&rep);
	/* force may override this one rule */
	vet.force = true;
	assert_int_equal(ifx_fix_path(AT_FDCWD, f->path, false, &opts, &rep, &err), IFX_OK);
	assert_int_equal(rep.result, IFX_FIX_CHANGED);
	assert_string_equal(rep.new_interp, musl);
	ifx_fix_report_free(&rep);
	free(musl);
}

/* A loader of another machine is never written, force or not. */
static void test_foreign_loader_refused_even_forced(void **state)
{
	static const char *const foreign = "/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1";
	struct fixture *f = *state;
	struct ifx_target_options vet = { .size = sizeof(vet), .force = true };
	struct ifx_fix_options opts = { .size = sizeof(opts), .target = foreign, .vet = &vet,
					.mode = IFX_WRITE_ATOMIC };
	struct ifx_fix_report rep = IFX_INIT(ifx_fix_report);
	struct ifx_error err;

	if (access(foreign, R_OK) != 0)
		th_skip("needs %s (gcc-aarch64-linux-gnu's libc6-arm64-cross)", foreign);
	copy_in(f, "gcc-pie");
	assert_int_equal(ifx_fix_path(AT_FDCWD, f->path, false, &opts, &rep, &err), IFX_REFUSED);
	assert_non_null(strstr(err.advice, "--force does not override"));
	assert_true(th_same_bytes(f->path, f->saved));
	ifx_fix_report_free(&rep);
}

/* Without a target the resolver chooses and the checker vets: a Linuxbrew
 * binary gets this host's loader and runs. */
static void test_resolver_chooses_when_no_target(void **state)
{
	struct fixture *f = *state;
	struct ifx_fix_options opts = { .size = sizeof(opts), .mode = IFX_WRITE_ATOMIC };
	struct ifx_fix_report rep = IFX_INIT(ifx_fix_report);
	struct ifx_error err;
	char *host = interp_of("gcc-pie"), *out;

	copy_in(f, "brew");
	assert_int_equal(ifx_fix_path(AT_FDCWD, f->path, false, &opts, &rep, &err), IFX_OK);
	assert_int_equal(rep.result, IFX_FIX_CHANGED);
	assert_string_equal(rep.new_interp, host);
	assert_false(rep.host_specific);
	out = th_command_output("'%s'", f->path);
	assert_non_null(out);
	assert_non_null(strstr(out, "hello from interpfix"));
	free(out);
	free(host);
	ifx_fix_report_free(&rep);
}

/* ifx_check_swap gives the same verdict with and without an error struct
 * (it used to read sys_errno from the caller's struct). */
static void test_verdict_does_not_depend_on_err(void **state)
{
	char *path = th_fixture("aarch64");
	struct ifx_target_options portable = { .size = sizeof(portable), .portable = true };
	struct ifx_target_options plain = IFX_INIT(ifx_target_options);
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
	struct ifx_error err;

	(void)state;
	assert_non_null(path);
	assert_int_equal(th_inspect(path, &info, &err), IFX_OK);
	assert_int_equal(ifx_check_swap(&info, "/lib/ld-linux-aarch64.so.1", &portable, &err),
			 ifx_check_swap(&info, "/lib/ld-linux-aarch64.so.1", &portable, NULL));
	assert_int_equal(ifx_check_swap(&info, "/lib/ld-linux-aarch64.so.1", &plain, &err),
			 ifx_check_swap(&info, "/lib/ld-linux-aarch64.so.1", &plain, NULL));
	assert_int_equal(ifx_check_swap(&info, "/nonexistent/ld.so", &plain, NULL), IFX_REFUSED);
	ifx_elf_info_free(&info);
	free(path);
}

/* The plan API's own refusals: a buffer too small for the result, and an
 * input that is not the one the plan was made for; nothing is written. */
static void test_plan_apply_refuses_wrong_buffers(void **state)
{
	char *path = th_fixture("brew");
	struct ifx_fix_options opts = IFX_INIT(ifx_fix_options);
	struct ifx_plan *plan = NULL;
	struct ifx_error err;
	unsigned char *in, *out;
	size_t size = 0, len = 7;
	FILE *f;

	(void)state;
	assert_non_null(path);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = (size_t)ftell(f);
	rewind(f);
	in = malloc(size);
	out = calloc(1, size + 4096);
	assert_non_null(in);
	assert_non_null(out);
	assert_int_equal(fread(in, 1, size, f), size);
	fclose(f);
	assert_int_equal(ifx_plan_buffer(in, size, &opts, &plan, &err), IFX_OK);
	assert_int_equal(ifx_plan_report(plan)->result, IFX_FIX_CHANGED);
	assert_int_equal(ifx_plan_apply_buffer(plan, in, size, out,
					       (size_t)ifx_plan_output_size(plan) - 1, &len, &err),
			 IFX_ERR_USAGE);
	assert_non_null(strstr(err.message, "the result needs"));
	assert_int_equal(len, 0);
	assert_int_equal(ifx_plan_apply_buffer(plan, in, size - 1, out, size + 4096, &len, &err),
			 IFX_ERR_USAGE);
	assert_non_null(strstr(err.message, "not the buffer the plan was made for"));
	assert_int_equal(len, 0);
	/* the right input and room: the result re-inspects with the new loader */
	assert_int_equal(ifx_plan_apply_buffer(plan, in, size, out, size + 4096, &len, &err), IFX_OK);
	assert_int_equal(len, ifx_plan_output_size(plan));
	{
		struct ifx_elf_info after = IFX_INIT(ifx_elf_info);

		assert_int_equal(ifx_inspect_buffer(out, len, &after, &err), IFX_OK);
		assert_string_equal(after.interp, ifx_plan_report(plan)->new_interp);
		ifx_elf_info_free(&after);
	}
	ifx_plan_free(plan);
	free(in);
	free(out);
	free(path);
}

/* --glibc X.Y, parsed once for every caller: strictly digits.digits. */
static void test_glibc_release_parse(void **state)
{
	static const char *const bad[] = { "", "2", "2.", ".31", "2.31x", "2.-1", "x.1",
					   "2.31.1", " 2.31", "1000.1" };
	unsigned r = 0;

	(void)state;
	assert_true(ifx_parse_glibc_release("2.31", &r));
	assert_int_equal(r, 231);
	assert_true(ifx_parse_glibc_release("2.17", &r));
	assert_int_equal(r, 217);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(ifx_parse_glibc_release(bad[i], &r));
	assert_false(ifx_parse_glibc_release(NULL, &r));
}

/* The header's version, the library's and configure's are one. */
static void test_versions_agree(void **state)
{
	char header[32];

	(void)state;
	snprintf(header, sizeof(header), "%d.%d.%d", IFX_VERSION_MAJOR, IFX_VERSION_MINOR,
		 IFX_VERSION_PATCH);
	assert_string_equal(header, IFX_VERSION_STRING);
	assert_string_equal(ifx_version(), IFX_VERSION_STRING);
	assert_string_equal(ifx_version(), PACKAGE_VERSION);
}

/* A target that exists but is no loader (a program): refused, and the
 * error says refused too (found by fuzz-inspect: err->status was left at
 * the loader check's IFX_ERR_UNSUPPORTED). */
static void test_not_a_loader_is_refused_with_its_status(void **state)
{
	struct ifx_target_options opts = IFX_INIT(ifx_target_options);
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
	char *prog = th_fixture("gcc-pie");
	struct ifx_error err;

	(void)state;
	assert_non_null(prog);
	assert_int_equal(th_inspect(prog, &info, &err), IFX_OK);
	assert_int_equal(ifx_check_swap(&info, prog, &opts, &err), IFX_REFUSED);
	assert_int_equal(err.status, IFX_REFUSED);
	assert_non_null(strstr(err.message, "not a loader"));
	opts.force = true; /* no flag makes it one */
	assert_int_equal(ifx_check_swap(&info, prog, &opts, &err), IFX_REFUSED);
	assert_int_equal(err.status, IFX_REFUSED);
	ifx_elf_info_free(&info);
	free(prog);
}

int main(void)
{
	static const char *const needed[] = { "gcc-pie", "musl", "brew", "aarch64", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_libc_swap_refused_without_asking, setup, teardown),
		cmocka_unit_test(test_not_a_loader_is_refused_with_its_status),
		cmocka_unit_test_setup_teardown(test_foreign_loader_refused_even_forced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolver_chooses_when_no_target, setup, teardown),
		cmocka_unit_test(test_verdict_does_not_depend_on_err),
		cmocka_unit_test(test_versions_agree),
		cmocka_unit_test(test_glibc_release_parse),
		cmocka_unit_test(test_plan_apply_refuses_wrong_buffers),
	};

	th_require_fixtures(needed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
