/* The `size` rule of the public structs (interpfix.h, "Structs that grow"):
 * a struct whose size was not set is a usage error, not a guess; a caller
 * built against a newer, bigger struct gets the fields we know filled and
 * the rest zeroed, and its options' unknown tail is never read; the free
 * calls keep size so a struct can be filled again; structs handed out by
 * pointer carry the library's own size. Real fixtures. */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "interpfix.h"
#include "testhelp.h"

#define FUTURE_BYTES 64

/* What a program built against a later header with more fields passes. */
struct newer_info {
	struct ifx_elf_info info;
	unsigned char future[FUTURE_BYTES];
};

struct newer_fix_options {
	struct ifx_fix_options opts;
	unsigned char future[FUTURE_BYTES];
};

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

static void test_unset_size_is_usage_error(void **state)
{
	char *path = th_fixture("brew");
	struct ifx_elf_info info;
	struct ifx_check_result result = IFX_INIT(ifx_check_result);
	struct ifx_check_options opts;
	struct ifx_fix_options fix;
	struct ifx_plan *plan = NULL;
	struct ifx_error err;
	int fd;

	(void)state;
	assert_non_null(path);
	memset(&info, 0, sizeof(info));
	assert_int_equal(ifx_inspect_path(AT_FDCWD, path, true, &info, &err), IFX_ERR_USAGE);
	assert_non_null(strstr(err.message, "IFX_INIT(ifx_elf_info)"));
	/* one byte short of this version's layout is not enough either */
	info.size = sizeof(info) - 1;
	assert_int_equal(ifx_inspect_path(AT_FDCWD, path, true, &info, NULL), IFX_ERR_USAGE);

	memset(&fix, 0, sizeof(fix));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ifx_plan_fd(fd, &fix, &plan, &err), IFX_ERR_USAGE);
	assert_null(plan);
	assert_non_null(strstr(err.message, "ifx_fix_options"));
	close(fd);

	info.size = sizeof(info);
	assert_int_equal(ifx_inspect_path(AT_FDCWD, path, true, &info, &err), IFX_OK);
	memset(&opts, 0, sizeof(opts));
	assert_int_equal(ifx_check_file(path, &info, &opts, NULL, &result, &err), IFX_ERR_USAGE);
	assert_int_equal(result.count, 0);
	ifx_elf_info_free(&info);
	free(path);
}

static void test_newer_result_struct_gets_tail_zeroed(void **state)
{
	char *path = th_fixture("brew");
	struct ifx_elf_info plain = IFX_INIT(ifx_elf_info);
	struct newer_info newer;
	struct ifx_error err;

	(void)state;
	assert_non_null(path);
	memset(&newer, 0xAA, sizeof(newer));
	newer.info.size = sizeof(newer);
	assert_int_equal(ifx_inspect_path(AT_FDCWD, path, true, &newer.info, &err), IFX_OK);
	assert_true(all_zero(newer.future, sizeof(newer.future)));
	assert_int_equal(newer.info.size, sizeof(newer));
	/* the fields we know are the same as for a struct of our own size */
	assert_int_equal(ifx_inspect_path(AT_FDCWD, path, true, &plain, &err), IFX_OK);
	assert_string_equal(newer.info.interp, plain.interp);
	assert_int_equal(newer.info.machine, plain.machine);
	assert_int_equal(newer.info.needed_count, plain.needed_count);
	ifx_elf_info_free(&newer.info);
	ifx_elf_info_free(&plain);
	free(path);
}

static void test_newer_options_tail_not_read(void **state)
{
	char *path = th_fixture("brew");
	struct newer_fix_options newer;
	struct ifx_plan *plan = NULL;
	struct ifx_error err;
	int fd;

	(void)state;
	assert_non_null(path);
	memset(&newer, 0, sizeof(newer));
	memset(newer.future, 0xAA, sizeof(newer.future));
	newer.opts.size = sizeof(newer);
	newer.opts.target = "/lib64/ld-linux-x86-64.so.2";
	newer.opts.dry_run = true;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	if (access(newer.opts.target, F_OK) != 0)
		th_skip("needs %s", newer.opts.target);
	assert_int_equal(ifx_plan_fd(fd, &newer.opts, &plan, &err), IFX_OK);
	assert_string_equal(ifx_plan_report(plan)->new_interp, newer.opts.target);
	/* handed out by pointer, sized by the library */
	assert_int_equal(ifx_plan_report(plan)->size, sizeof(struct ifx_fix_report));
	assert_non_null(ifx_plan_report(plan)->info);
	assert_int_equal(ifx_plan_report(plan)->info->size, sizeof(struct ifx_elf_info));
	ifx_plan_free(plan);
	close(fd);
	free(path);
}

static void test_free_keeps_size_for_reuse(void **state)
{
	char *path = th_fixture("brew");
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
	struct ifx_dep_tree tree = IFX_INIT(ifx_dep_tree);
	struct ifx_error err;

	(void)state;
	assert_non_null(path);
	for (int round = 0; round < 2; round++) {
		assert_int_equal(ifx_inspect_path(AT_FDCWD, path, true, &info, &err), IFX_OK);
		assert_int_equal(ifx_resolve_deps(path, &info, NULL, NULL, &tree, &err), IFX_OK);
		assert_true(tree.count >= 2);
		for (size_t i = 0; i < tree.count; i++) {
			assert_non_null(tree.deps[i]);
			assert_non_null(tree.deps[i]->search);
			assert_int_equal(tree.deps[i]->search->size, sizeof(struct ifx_lib_search));
		}
		assert_string_equal(tree.deps[0]->name, path);
		ifx_dep_tree_free(&tree);
		ifx_elf_info_free(&info);
		assert_int_equal(info.size, sizeof(info));
		assert_int_equal(tree.size, sizeof(tree));
		assert_null(info.interp);
		assert_int_equal(tree.count, 0);
	}
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unset_size_is_usage_error),
		cmocka_unit_test(test_newer_result_struct_gets_tail_zeroed),
		cmocka_unit_test(test_newer_options_tail_not_read),
		cmocka_unit_test(test_free_keeps_size_for_reuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
