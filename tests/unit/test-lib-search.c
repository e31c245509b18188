/* ifx_find_library and ld.so.cache reading, against ldconfig -p and real
 * binaries built with RPATH/RUNPATH by the test. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "testhelp.h"

/* ldconfig by its fixed path: /sbin is not on every user's PATH. */
#define LDCONFIG "/sbin/ldconfig"

/* Our reading of the cache and ldconfig's agree on every path for a name. */
static void test_cache_agrees_with_ldconfig(void **state)
{
	struct dir_list paths = { NULL, 0 };
	struct ifx_context *ctx;
	char *ours = NULL, *ref;
	size_t size = 0;
	FILE *mem;

	(void)state;
	if (!th_have_tool(LDCONFIG))
		th_skip("needs %s", LDCONFIG);
	ctx = ifx_context_new(NULL);
	assert_non_null(ctx);
	assert_true(ifx__ld_cache_lookup(ifx__context_ld_cache(ctx), "libc.so.6", &paths));
	assert_true(paths.count > 0);
	mem = open_memstream(&ours, &size);
	for (size_t i = 0; i < paths.count; i++)
		fprintf(mem, "%s\n", paths.items[i]);
	fclose(mem);
	ref = th_command_output(LDCONFIG " -p | awk '$1 == \"libc.so.6\" { print $NF }'");
	assert_non_null(ref);
	assert_true(ref[0] == '/');
	{
		char *sorted = th_command_output("printf '%%s' '%s' | sort -u", ours);
		char *ref_sorted = th_command_output("printf '%%s\\n' '%s' | sort -u", ref);

		assert_string_equal(sorted, ref_sorted);
		free(sorted);
		free(ref_sorted);
	}
	free(ours);
	free(ref);
	ifx__dir_list_free(&paths);
	ifx_context_free(ctx);
}

/* The libc.so.6 the host's own loader picks for gcc-pie (ld.so --list,
 * with no LD_LIBRARY_PATH, which ifx_find_library does not consult):
 * the cache entry of the right machine, whatever the machine is. */
static void test_libc_found_through_the_cache(void **state)
{
	char *path = th_fixture("gcc-pie"), *ref;
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
	struct ifx_lib_search s = IFX_INIT(ifx_lib_search);
	struct ifx_error err;

	(void)state;
	assert_int_equal(th_inspect(path, &info, &err), IFX_OK);
	assert_non_null(info.interp);
	if (!th_have_tool(info.interp)) {
		ifx_elf_info_free(&info);
		free(path);
		th_skip("the host's loader is not at gcc-pie's PT_INTERP");
	}
	assert_int_equal(ifx_find_library(&info, path, "libc.so.6", NULL, &s, &err), IFX_OK);
	assert_non_null(s.found);
	ref = th_command_output("env -i '%s' --list '%s' | awk '$1 == \"libc.so.6\" { print $3 }'",
				info.interp, path);
	assert_non_null(ref);
	assert_true(ref[0] == '/');
	assert_string_equal(s.found, ref);
	assert_string_equal(s.steps[s.step_count - 1].source, "ld.so.cache");
	free(ref);
	ifx_lib_search_free(&s);
	ifx_elf_info_free(&info);
	free(path);
}

/* $ORIGIN in DT_RUNPATH; a 32-bit library of the same name first on the
 * path is skipped as the loader skips it. */
static void test_origin_and_wrong_class(void **state)
{
	char *dir, *out, *prog;
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
	struct ifx_lib_search s = IFX_INIT(ifx_lib_search);
	struct ifx_error err;

	(void)state;
	if (!th_have_tool("gcc") || !th_have_tool("i686-linux-gnu-gcc"))
		th_skip("needs gcc and i686-linux-gnu-gcc");
	dir = th_tempdir();
	assert_non_null(dir);
	out = th_command_output(
		"cd '%s' && mkdir -p bin lib lib32 && printf 'int f(void){return 0;}\\n' > f.c && "
		"gcc -shared -fPIC -o lib/libf.so f.c && "
		"i686-linux-gnu-gcc -shared -fPIC -o lib32/libf.so f.c && "
		"printf 'int f(void);\\nint main(void){return f();}\\n' > m.c && "
		"gcc -o bin/prog m.c -Llib -lf -Wl,-rpath,'$ORIGIN/../lib32:$ORIGIN/../lib' && echo ok", dir);
	assert_non_null(strstr(out, "ok"));
	assert_int_equal(asprintf(&prog, "%s/bin/prog", dir) > 0, 1);
	assert_int_equal(th_inspect(prog, &info, &err), IFX_OK);
	assert_non_null(info.runpath);
	assert_int_equal(ifx_find_library(&info, prog, "libf.so", NULL, &s, &err), IFX_OK);
	assert_int_equal(s.step_count, 2);
	assert_string_equal(s.steps[0].source, "DT_RUNPATH");
	assert_non_null(strstr(s.steps[0].path, "/bin/../lib32/libf.so"));
	assert_non_null(strstr(s.steps[0].verdict, "wrong ELF class"));
	assert_non_null(s.found);
	assert_non_null(strstr(s.found, "/bin/../lib/libf.so"));
	ifx_lib_search_free(&s);
	ifx_elf_info_free(&info);
	free(out);
	free(prog);
	th_rmtree(dir);
	free(dir);
}

static void test_musl_provides_its_own_libc(void **state)
{
	char *path = th_fixture("go-cgo-musl");
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
	struct ifx_lib_search s = IFX_INIT(ifx_lib_search);
	struct ifx_error err;

	(void)state;
	assert_int_equal(th_inspect(path, &info, &err), IFX_OK);
	assert_int_equal(info.needed_count, 1);
	assert_string_equal(info.needed[0], "libc.so");
	assert_int_equal(ifx_find_library(&info, path, info.needed[0], NULL, &s, &err), IFX_OK);
	assert_non_null(s.found);
	assert_string_equal(s.found, info.interp);
	assert_int_equal(s.step_count, 1);
	assert_string_equal(s.steps[0].verdict, "provided by musl's loader itself");
	ifx_lib_search_free(&s);
	ifx_elf_info_free(&info);
	free(path);
}

int main(void)
{
	static const char *const needed[] = { "gcc-pie", "go-cgo-musl", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cache_agrees_with_ldconfig),
		cmocka_unit_test(test_libc_found_through_the_cache),
		cmocka_unit_test(test_origin_and_wrong_class),
		cmocka_unit_test(test_musl_provides_its_own_libc),
	};

	th_require_fixtures(needed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
