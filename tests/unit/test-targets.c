/* The deploy-target API (include/interpfix.h, "Deploy targets") on real
 * binaries: the set holds the table of src/lib/targets/targets.def (read
 * here through its own X-macros), names, aliases and families select the
 * right entries, each architecture a real toolchain builds for gets the
 * loader that toolchain writes, version nodes name their releases,
 * requirements agree with the binary's own DT_VERNEED, and target files
 * load or are refused whole. Binaries are built at start into a temporary
 * directory with the host's gcc/g++ and the cross compilers present. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "interpfix.h"
#include "target-rows.h"
#include "testhelp.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define WORD_MAX 64

/* ---- helpers (the table, as targets.def has it: target-rows.h) */

/* The loader calls copy their answer into a buffer: one per call form,
 * so a test may compare the two forms' answers. */
static char loader_buf[PATH_MAX], arch_loader_buf[PATH_MAX];
#define LOADER_OF(t, info) ifx_target_loader((t), (info), loader_buf, sizeof(loader_buf))
#define ARCH_LOADER_OF(t, arch) \
	ifx_target_arch_loader((t), (arch), arch_loader_buf, sizeof(arch_loader_buf))

static bool list_has(const char *list, const char *word)
{
	char buf[WORD_MAX];

	for (size_t i = 0; th_word_at(list, i, buf, sizeof(buf)); i++)
		if (strcmp(buf, word) == 0)
			return true;
	return false;
}

/* The value for arch in "arch:value ..." lists, or false. */
static bool pair_of(const char *list, const char *arch, char *out, size_t size)
{
	char buf[WORD_MAX];

	if (strcmp(list, "none") == 0)
		return false;
	for (size_t i = 0; th_word_at(list, i, buf, sizeof(buf)); i++) {
		char *colon = strchr(buf, ':');

		assert_non_null(colon);
		*colon = '\0';
		if (strcmp(buf, arch) == 0) {
			assert_true(strlen(colon + 1) < size);
			strcpy(out, colon + 1);
			return true;
		}
	}
	return false;
}

/* The number after prefix when node is prefix + a version, else NULL. */
static const char *node_number(const char *node, const char *prefix)
{
	size_t len = strlen(prefix);

	if (strncmp(node, prefix, len) != 0 || !th_is_version(node + len))
		return NULL;
	return node + len;
}

/* The newest number of prefix's nodes the binary needs (DT_VERNEED). */
static const char *newest_needed(const struct ifx_elf_info *info, const char *prefix)
{
	const char *best = NULL;

	for (size_t i = 0; i < info->versions_needed_count; i++)
		for (size_t j = 0; j < info->versions_needed[i].count; j++) {
			const char *n = node_number(info->versions_needed[i].names[j], prefix);

			if (n != NULL && (best == NULL || th_version_cmp(n, best) > 0))
				best = n;
		}
	return best;
}

static bool needs_node(const struct ifx_elf_info *info, const char *node)
{
	for (size_t i = 0; i < info->versions_needed_count; i++)
		for (size_t j = 0; j < info->versions_needed[i].count; j++)
			if (strcmp(info->versions_needed[i].names[j], node) == 0)
				return true;
	return false;
}

static void assert_same_opt_string(const char *got, const char *want)
{
	if (want == NULL)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
}

static const struct target_row *row_named(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(target_rows); i++)
		if (strcmp(target_rows[i].name, name) == 0)
			return &target_rows[i];
	fail_msg("no target %s in targets.def", name);
	return NULL;
}

/* The set's target of that name (by ifx_target_set_at, not select). */
static const struct ifx_target *at_named(const struct ifx_target_set *set, const char *name)
{
	for (size_t i = 0; i < ifx_target_set_count(set); i++)
		if (strcmp(ifx_target_set_at(set, i)->name, name) == 0)
			return ifx_target_set_at(set, i);
	fail_msg("set has no target %s", name);
	return NULL;
}

static size_t index_named(const struct ifx_target_set *set, const char *name)
{
	for (size_t i = 0; i < ifx_target_set_count(set); i++)
		if (strcmp(ifx_target_set_at(set, i)->name, name) == 0)
			return i;
	fail_msg("set has no target %s", name);
	return 0;
}

/* What a test allocates is kept here and released by scratch_teardown,
 * so that a failing assertion (a longjmp out of the test) leaks nothing
 * and ASan and valgrind report only the library's own leaks. */
struct kept {
	void *p;
	void (*release)(void *);
};

static struct {
	struct kept *items;
	size_t count, room;
} scratch;

static void *keep(void *p, void (*release)(void *))
{
	if (p == NULL)
		return NULL;
	if (scratch.count == scratch.room) {
		size_t room = scratch.room ? scratch.room * 2 : 32;
		struct kept *grown = realloc(scratch.items, room * sizeof(*grown));

		if (grown == NULL) {
			release(p);
			fail_msg("out of memory");
		}
		scratch.items = grown;
		scratch.room = room;
	}
	scratch.items[scratch.count++] = (struct kept){ p, release };
	return p;
}

static int scratch_teardown(void **state)
{
	(void)state;
	while (scratch.count > 0) {
		struct kept *k = &scratch.items[--scratch.count];

		k->release(k->p);
	}
	free(scratch.items);
	scratch.items = NULL;
	scratch.room = 0;
	return 0;
}

static void release_set(void *p) { ifx_target_set_free(p); }

static void release_info(void *p)
{
	ifx_elf_info_free(p);
	free(p);
}

static void release_req(void *p)
{
	ifx_requirements_free(p);
	free(p);
}

/* The facts of the file at path (kept). */
static const struct ifx_elf_info *inspected(const char *path)
{
	struct ifx_elf_info *info = calloc(1, sizeof(*info));
	struct ifx_error err;

	assert_non_null(info);
	keep(info, release_info);
	memset(&err, 0, sizeof(err));
	*info = (struct ifx_elf_info)IFX_INIT(ifx_elf_info);
	if (th_inspect(path, info, &err) != IFX_OK)
		fail_msg("inspect %s: %s", path, err.message);
	return info;
}

static struct ifx_requirements *new_req(void)
{
	struct ifx_requirements *req = calloc(1, sizeof(*req));

	assert_non_null(req);
	req->size = sizeof(*req);
	return keep(req, release_req);
}

/* ---- binaries built once for every test */

struct cross {
	const char *label;    /* test name suffix */
	const char *compiler; /* NULL: the host's /bin/true */
	const char *arch;     /* what ifx_target_arch must say; NULL: none */
	const char *musl;     /* musl's loader for it (musl's ARCH/SUBARCH naming) */
	char *path;           /* the built binary, NULL when not built */
};

static struct cross crosses[] = {
	{ "x86_64", NULL, "x86_64", "/lib/ld-musl-x86_64.so.1", NULL },
	{ "aarch64", "aarch64-linux-gnu-gcc", "aarch64", "/lib/ld-musl-aarch64.so.1", NULL },
	{ "armhf", "arm-linux-gnueabihf-gcc", "armhf", "/lib/ld-musl-armhf.so.1", NULL },
	{ "armel", "arm-linux-gnueabi-gcc", "armel", "/lib/ld-musl-arm.so.1", NULL },
	{ "x32", "x86_64-linux-gnux32-gcc", NULL, NULL, NULL },
	{ "ppc64le", "powerpc64le-linux-gnu-gcc", "ppc64le", "/lib/ld-musl-powerpc64le.so.1", NULL },
	{ "s390x", "s390x-linux-gnu-gcc", "s390x", "/lib/ld-musl-s390x.so.1", NULL },
	{ "riscv64", "riscv64-linux-gnu-gcc", "riscv64", "/lib/ld-musl-riscv64.so.1", NULL },
	{ "mips64el", "mips64el-linux-gnuabi64-gcc", "mips64el", "/lib/ld-musl-mips64el.so.1", NULL },
	{ "mipsel", "mipsel-linux-gnu-gcc", "mipsel", "/lib/ld-musl-mipsel.so.1", NULL },
	{ "i386", "i686-linux-gnu-gcc", "i386", "/lib/ld-musl-i386.so.1", NULL },
};

static struct {
	char *dir;
	char *c_bin;      /* gcc, dynamic: __libc_start_main@GLIBC_2.34 on glibc >= 2.34 */
	char *cxx_bin;    /* g++, std::condition_variable::wait@GLIBCXX_3.4.30 (GCC 12) */
	char *static_bin; /* gcc -static */
} world;

static const char c_src[] =
	"#include <stdio.h>\n"
	"int main(void) { puts(\"hello from interpfix\"); return 0; }\n";

static const char cxx_src[] =
	"#include <condition_variable>\n"
	"#include <mutex>\n"
	"int main(int argc, char **argv)\n"
	"{\n"
	"	std::mutex m;\n"
	"	std::condition_variable cv;\n"
	"	std::unique_lock<std::mutex> l(m);\n"
	"	(void)argv;\n"
	"	if (argc > 99)\n"
	"		cv.wait(l);\n"
	"	return 0;\n"
	"}\n";

/* dir/out built by `compiler flags src`, or NULL when that fails. */
static char *build(const char *compiler, const char *flags, const char *src, const char *out)
{
	char *path, *cmd;
	int rc;

	if (asprintf(&path, "%s/%s", world.dir, out) < 0)
		return NULL;
	if (asprintf(&cmd, "%s %s -o '%s' '%s/%s' >/dev/null 2>&1", compiler, flags, path,
		     world.dir, src) < 0) {
		free(path);
		return NULL;
	}
	rc = system(cmd);
	free(cmd);
	if (rc != 0 || access(path, R_OK) != 0) {
		free(path);
		return NULL;
	}
	return path;
}

static int group_setup(void **state)
{
	char *p;

	(void)state;
	if ((world.dir = th_tempdir()) == NULL)
		return -1;
	if ((p = th_write_file(world.dir, "hello.c", c_src, strlen(c_src))) == NULL)
		return -1;
	free(p);
	if ((p = th_write_file(world.dir, "cv.cc", cxx_src, strlen(cxx_src))) == NULL)
		return -1;
	free(p);
	world.c_bin = build("gcc", "-O1", "hello.c", "c-dyn");
	world.cxx_bin = build("g++", "-O1", "cv.cc", "cxx-dyn");
	world.static_bin = build("gcc", "-O1 -static", "hello.c", "c-static");
	for (size_t i = 0; i < ARRAY_LEN(crosses); i++) {
		char out[64];

		if (crosses[i].compiler == NULL) {
			crosses[i].path = strdup("/bin/true");
			continue;
		}
		snprintf(out, sizeof(out), "cross-%s", crosses[i].label);
		crosses[i].path = build(crosses[i].compiler, "-O1", "hello.c", out);
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(crosses); i++) {
		free(crosses[i].path);
		crosses[i].path = NULL;
	}
	free(world.c_bin);
	free(world.cxx_bin);
	free(world.static_bin);
	if (world.dir != NULL)
		th_rmtree(world.dir);
	free(world.dir);
	return 0;
}

static struct ifx_target_set *new_set(void)
{
	struct ifx_target_set *set = ifx_target_set_new();

	assert_non_null(set);
	return keep(set, release_set);
}

/* The path of name in the temp dir (kept). */
static char *tmp_path(const char *name)
{
	char *path;

	assert_true(asprintf(&path, "%s/%s", world.dir, name) > 0);
	return keep(path, free);
}

/* Write text to the temp dir as name; the path (kept). */
static char *write_text(const char *name, const char *text)
{
	char *path = th_write_file(world.dir, name, text, strlen(text));

	assert_non_null(path);
	return keep(path, free);
}

/* ---- 1. the built-in set */

/* Every line of targets.def is in the set, in table order, with its figures. */
static void test_set_holds_the_table_in_order(void **state)
{
	struct ifx_target_set *set = new_set();

	(void)state;
	assert_int_equal(ifx_target_set_count(set), ARRAY_LEN(target_rows));
	for (size_t i = 0; i < ARRAY_LEN(target_rows); i++) {
		const struct ifx_target *t = ifx_target_set_at(set, i);

		assert_non_null(t);
		assert_string_equal(t->name, target_rows[i].name);
		assert_string_equal(t->family, target_rows[i].family);
		assert_string_equal(t->base, target_rows[i].base);
		assert_string_equal(t->arches, target_rows[i].arches);
		assert_int_equal(t->libc, target_rows[i].libc);
		assert_string_equal(t->libc_version, target_rows[i].libc_version);
		assert_string_equal(t->glibcxx, target_rows[i].glibcxx);
		assert_string_equal(t->cxxabi, target_rows[i].cxxabi);
		assert_string_equal(t->gcc, target_rows[i].gcc);
		assert_string_equal(t->loaders, "");
	}
	assert_null(ifx_target_set_at(set, ARRAY_LEN(target_rows)));
	assert_int_equal(ifx_target_set_count(NULL), 0);
	assert_null(ifx_target_set_at(NULL, 0));
	ifx_target_set_free(NULL);
}

/* Each target's own name selects it, and only it. */
static void test_select_every_target_by_name(void **state)
{
	struct ifx_target_set *set = new_set();
	struct ifx_error err;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(target_rows); i++) {
		const struct ifx_target **got = NULL;
		size_t n = 99;

		if (ifx_target_select(set, target_rows[i].name, &got, &n, &err) != IFX_OK)
			fail_msg("select %s: %s", target_rows[i].name, err.message);
		keep(got, free);
		assert_int_equal(n, 1);
		assert_ptr_equal(got[0], ifx_target_set_at(set, i));
		assert_string_equal(got[0]->name, target_rows[i].name);
	}
}

/* ifx_target_set_alias lists targets.def's aliases; each selects its target. */
static void test_aliases_resolve(void **state)
{
	struct ifx_target_set *set = new_set();
	struct ifx_error err;
	const char *target = NULL;

	(void)state;
	assert_true(ARRAY_LEN(alias_rows) > 0);
	for (size_t i = 0; i < ARRAY_LEN(alias_rows); i++) {
		const struct ifx_target **got = NULL;
		const char *alias = ifx_target_set_alias(set, i, &target);
		size_t n = 0;

		assert_non_null(alias);
		assert_string_equal(alias, alias_rows[i].name);
		assert_string_equal(target, alias_rows[i].target);
		if (ifx_target_select(set, alias, &got, &n, &err) != IFX_OK)
			fail_msg("select alias %s: %s", alias, err.message);
		keep(got, free);
		assert_int_equal(n, 1);
		assert_string_equal(got[0]->name, alias_rows[i].target);
		assert_ptr_equal(got[0], at_named(set, alias_rows[i].target));
	}
	assert_null(ifx_target_set_alias(set, ARRAY_LEN(alias_rows), &target));
	assert_null(ifx_target_set_alias(set, ARRAY_LEN(alias_rows), NULL));
}

/* A family selects exactly its members, in table order ("lambda", and
 * every other family of the table). */
static void test_family_selects_members_in_order(void **state)
{
	struct ifx_target_set *set = new_set();
	struct ifx_error err;
	bool saw_lambda = false;

	(void)state;
	for (size_t f = 0; f < ARRAY_LEN(target_rows); f++) {
		const char *family = target_rows[f].family;
		const struct ifx_target **got = NULL;
		size_t n = 0, k = 0;

		if (f > 0 && strcmp(target_rows[f - 1].family, family) == 0)
			continue;
		/* a family that is also a target's name would select that one */
		bool is_name = false;
		for (size_t i = 0; i < ARRAY_LEN(target_rows); i++)
			is_name = is_name || strcmp(target_rows[i].name, family) == 0;
		if (is_name)
			continue;
		saw_lambda = saw_lambda || strcmp(family, "lambda") == 0;
		if (ifx_target_select(set, family, &got, &n, &err) != IFX_OK)
			fail_msg("select family %s: %s", family, err.message);
		keep(got, free);
		for (size_t i = 0; i < ARRAY_LEN(target_rows); i++) {
			if (strcmp(target_rows[i].family, family) != 0)
				continue;
			if (k >= n)
				fail_msg("family %s: %s missing", family, target_rows[i].name);
			assert_string_equal(got[k]->name, target_rows[i].name);
			assert_ptr_equal(got[k], ifx_target_set_at(set, i));
			k++;
		}
		assert_int_equal(n, k);
	}
	assert_true(saw_lambda);
}

static void test_select_legacy_manylinux_alias(void **state)
{
	struct ifx_target_set *set = new_set();
	const struct ifx_target **got = NULL;
	struct ifx_error err;
	size_t n = 0;

	(void)state;
	assert_int_equal(ifx_target_select(set, "manylinux2014", &got, &n, &err), IFX_OK);
	keep(got, free);
	assert_int_equal(n, 1);
	assert_string_equal(got[0]->name, "manylinux_2_17");
	assert_string_equal(got[0]->libc_version, row_named("manylinux_2_17")->libc_version);
}

/* An unknown release of a known family: the advice lists the family. */
static void test_select_unknown_names_the_family(void **state)
{
	struct ifx_target_set *set = new_set();
	const struct ifx_target **got = (const struct ifx_target **)&got;
	struct ifx_error err;
	size_t n = 7, members = 0;

	(void)state;
	memset(&err, 0, sizeof(err));
	assert_int_equal(ifx_target_select(set, "ubuntu-21.04", &got, &n, &err), IFX_ERR_USAGE);
	assert_int_equal(err.status, IFX_ERR_USAGE);
	assert_null(got);
	assert_int_equal(n, 0);
	assert_non_null(strstr(err.message, "ubuntu-21.04"));
	assert_non_null(strstr(err.advice, "ubuntu-20.04"));
	for (size_t i = 0; i < ARRAY_LEN(target_rows); i++)
		if (strcmp(target_rows[i].family, "ubuntu") == 0) {
			members++;
			if (strstr(err.advice, target_rows[i].name) == NULL)
				fail_msg("advice \"%s\" lacks %s", err.advice, target_rows[i].name);
		} else if (strstr(err.advice, target_rows[i].name) != NULL) {
			fail_msg("advice \"%s\" names %s, not ubuntu", err.advice, target_rows[i].name);
		}
	assert_true(members > 1);
}

static void test_select_unknown_name(void **state)
{
	struct ifx_target_set *set = new_set();
	const struct ifx_target **got = NULL;
	struct ifx_error err;
	size_t n = 7;

	(void)state;
	memset(&err, 0, sizeof(err));
	assert_int_equal(ifx_target_select(set, "nosuch", &got, &n, &err), IFX_ERR_USAGE);
	assert_null(got);
	assert_int_equal(n, 0);
	assert_non_null(strstr(err.message, "nosuch"));
	assert_true(err.advice[0] != '\0');
	/* a name is matched whole: neither a prefix nor another case */
	assert_int_equal(ifx_target_select(set, "debian-1", &got, &n, &err), IFX_ERR_USAGE);
	assert_int_equal(ifx_target_select(set, "Debian-12", &got, &n, &err), IFX_ERR_USAGE);
	assert_int_equal(ifx_target_select(set, "", &got, &n, &err), IFX_ERR_USAGE);
	assert_int_equal(ifx_target_select(NULL, "debian-12", &got, &n, &err), IFX_ERR_USAGE);
	assert_int_equal(ifx_target_select(set, NULL, &got, &n, &err), IFX_ERR_USAGE);
}

/* ---- 2. architectures and loaders of real binaries */

/* For one architecture's binary: its arch name, then for every built-in
 * target the loader: the toolchain's own PT_INTERP (= the psABI path) on
 * glibc targets, musl's path on musl ones, NULL where it is not offered. */
static void test_arch_and_loaders(void **state)
{
	const struct cross *c = *state;
	struct ifx_target_set *set;
	const struct ifx_elf_info *info;
	const char *arch;

	if (c->path == NULL)
		th_skip("%s did not build a program here", c->compiler);
	info = inspected(c->path);
	arch = ifx_target_arch(info);
	assert_same_opt_string(arch, c->arch);
	assert_true(info->has_interp);
	set = new_set();
	for (size_t i = 0; i < ARRAY_LEN(target_rows); i++) {
		const struct ifx_target *t = ifx_target_set_at(set, i);
		bool offered = c->arch != NULL && list_has(target_rows[i].arches, c->arch);
		const char *loader = LOADER_OF(t, info);

		if (ifx_target_offers(t, arch) != offered)
			fail_msg("%s offers %s: got %d", t->name, c->label, !offered);
		if (!offered) {
			if (loader != NULL)
				fail_msg("%s lacks %s but gives loader %s", t->name, c->label,
					 loader);
			assert_null(ARCH_LOADER_OF(t, c->label));
			continue;
		}
		if (loader == NULL)
			fail_msg("%s offers %s but gives no loader", t->name, c->label);
		if (target_rows[i].libc == IFX_LIBC_GLIBC) {
			assert_string_equal(loader, info->interp);
			assert_string_equal(loader, ifx_standard_loader(info, IFX_LIBC_GLIBC));
		} else {
			assert_int_equal(target_rows[i].libc, IFX_LIBC_MUSL);
			assert_string_equal(loader, c->musl);
			assert_string_equal(loader, ifx_standard_loader(info, IFX_LIBC_MUSL));
		}
		/* the arch-name form gives the same path */
		assert_string_equal(ARCH_LOADER_OF(t, arch), loader);
	}
}

/* The named pairs of the brief: debian-12 and alpine-3.20 on x86_64,
 * amzn-2 on armhf (not offered). */
static void test_loader_named_targets(void **state)
{
	struct ifx_target_set *set = new_set();
	const struct ifx_target *debian = at_named(set, "debian-12");
	const struct ifx_target *alpine = at_named(set, "alpine-3.20");
	const struct ifx_target *amzn = at_named(set, "amzn-2");
	const struct ifx_elf_info *info;

	(void)state;
	info = inspected("/bin/true");
	assert_string_equal(ifx_target_arch(info), "x86_64");
	assert_string_equal(LOADER_OF(debian, info),
			    ifx_standard_loader(info, IFX_LIBC_GLIBC));
	assert_string_equal(LOADER_OF(debian, info), "/lib64/ld-linux-x86-64.so.2");
	assert_string_equal(LOADER_OF(alpine, info), "/lib/ld-musl-x86_64.so.1");
	assert_string_equal(LOADER_OF(amzn, info), "/lib64/ld-linux-x86-64.so.2");
	assert_false(ifx_target_offers(amzn, "armhf"));
	assert_null(ARCH_LOADER_OF(amzn, "armhf"));
	assert_false(ifx_target_offers(amzn, NULL));
	assert_false(ifx_target_offers(NULL, "x86_64"));
	assert_false(ifx_target_offers(amzn, "x86"));     /* whole words only */
	assert_false(ifx_target_offers(amzn, "x86_64 ")); /* not a substring */
	assert_null(ifx_target_arch(NULL));
	if (crosses[2].path != NULL) {
		info = inspected(crosses[2].path);
		assert_string_equal(ifx_target_arch(info), "armhf");
		assert_null(LOADER_OF(amzn, info));
		assert_string_equal(LOADER_OF(debian, info), "/lib/ld-linux-armhf.so.3");
	}
}

/* ifx_target_arch_gcc reads the built-in per-arch GCC_ figures. */
static void test_builtin_gcc_figures(void **state)
{
	struct ifx_target_set *set = new_set();
	char arch[WORD_MAX], want[WORD_MAX], got[WORD_MAX];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(target_rows); i++) {
		const struct ifx_target *t = ifx_target_set_at(set, i);

		for (size_t k = 0; th_word_at(target_rows[i].arches, k, arch, sizeof(arch)); k++) {
			bool has = pair_of(target_rows[i].gcc, arch, want, sizeof(want));

			memset(got, 'x', sizeof(got));
			if (ifx_target_arch_gcc(t, arch, got, sizeof(got)) != has)
				fail_msg("%s gcc for %s: want %s", t->name, arch,
					 has ? want : "none");
			if (has)
				assert_string_equal(got, want);
		}
		assert_false(ifx_target_arch_gcc(t, "sparc64", got, sizeof(got)));
	}
}

/* ---- 3. releases of version nodes */

static void test_version_release_known_nodes(void **state)
{
	static const struct {
		const char *node, *release;
	} cases[] = {
		{ "GLIBC_2.34", "glibc 2.34" },
		{ "GLIBC_2.2.5", "glibc 2.2.5" },
		{ "GLIBCXX_3.4.30", "GCC 12.1.0" },
		{ "GLIBCXX_3.4.28", "GCC 9.3.0" },
		{ "GLIBCXX_3.4", "GCC 3.4.0" },
		{ "CXXABI_1.3.13", "GCC 11.1.0" },
		{ "CXXABI_1.3", "GCC 3.4.0" },
		{ "GCC_7.0.0", "GCC 7" },
		{ "GCC_12.0.0", "GCC 12" },
		{ "GCC_3.4.2", "GCC 3.4.2" },
		{ "GCC_3.0", "GCC 3.0" },
		{ "GLIBC_PRIVATE", NULL },
		{ "GLIBCXX_3.4.99", NULL },
		{ "CXXABI_1.3.99", NULL },
		{ "CXXABI_TM_1", NULL },
		{ "GLIBCXX_LDBL_3.4", NULL },
		{ "OPENSSL_3.0.0", NULL },
		{ "GLIBC_", NULL },
		{ "", NULL },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *got = keep(ifx_version_release(cases[i].node), free);

		if (cases[i].release == NULL && got != NULL)
			fail_msg("%s: want no release, got %s", cases[i].node, got);
		if (cases[i].release != NULL &&
		    (got == NULL || strcmp(got, cases[i].release) != 0))
			fail_msg("%s: want %s, got %s", cases[i].node, cases[i].release,
				 got ? got : "NULL");
	}
	assert_null(ifx_version_release(NULL));
}

/* "GCC a.b.c" -> "a.b.c" (fails on another form). */
static const char *gcc_release_number(const char *release)
{
	if (release == NULL || strncmp(release, "GCC ", 4) != 0 || !th_is_version(release + 4))
		fail_msg("\"%s\" is not \"GCC a.b.c\"", release ? release : "NULL");
	return release + 4;
}

/* Every node prefix+N the host's library defines has a release, and the
 * releases never go down as N grows. */
static void check_defined_releases(const struct ifx_elf_info *info, const char *prefix,
				   size_t *seen)
{
	/* sort the defined nodes by number: a simple selection over the list */
	const char *last_num = NULL, *last_release = NULL;

	*seen = 0;
	for (;;) {
		const char *next = NULL, *next_node = NULL;

		for (size_t i = 0; i < info->versions_defined_count; i++) {
			const char *n = node_number(info->versions_defined[i], prefix);

			if (n == NULL || (last_num != NULL && th_version_cmp(n, last_num) <= 0))
				continue;
			if (next == NULL || th_version_cmp(n, next) < 0) {
				next = n;
				next_node = info->versions_defined[i];
			}
		}
		if (next == NULL)
			break;
		char *release = keep(ifx_version_release(next_node), free);

		if (release == NULL)
			fail_msg("%s (defined by libstdc++.so.6) has no release", next_node);
		if (last_release != NULL &&
		    th_version_cmp(gcc_release_number(last_release),
				gcc_release_number(release)) > 0)
			fail_msg("%s is %s, older than the node before (%s)", next_node, release,
				 last_release);
		last_release = release;
		last_num = next;
		(*seen)++;
	}
}

static void test_version_release_covers_host_libstdcxx(void **state)
{
	static const char lib[] = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";
	const struct ifx_elf_info *info;
	size_t glibcxx = 0, cxxabi = 0;

	(void)state;
	if (access(lib, R_OK) != 0)
		th_skip("needs %s", lib);
	info = inspected(lib);
	check_defined_releases(info, "GLIBCXX_", &glibcxx);
	check_defined_releases(info, "CXXABI_", &cxxabi);
	/* GLIBCXX_3.4 .. 3.4.N and CXXABI_1.3 .. 1.3.M: dozens of each */
	assert_true(glibcxx >= 20);
	assert_true(cxxabi >= 10);
}

/* ---- 4. requirements of real binaries */

/* How a dynamic binary fits a table row, judged here from the row's
 * figures and the binary's DT_VERNEED. */
static enum ifx_fit expected_fit(const struct target_row *r, const struct ifx_elf_info *info,
				 const char *arch)
{
	char gcc[WORD_MAX];
	const char *gcc_figure = pair_of(r->gcc, arch, gcc, sizeof(gcc)) ? gcc : NULL;

	if (!list_has(r->arches, arch))
		return IFX_FIT_ARCH;
	if (info->libc != r->libc)
		return IFX_FIT_LIBC;
	for (size_t i = 0; i < info->versions_needed_count; i++)
		for (size_t j = 0; j < info->versions_needed[i].count; j++) {
			const char *node = info->versions_needed[i].names[j], *n;

			if ((n = node_number(node, "GLIBC_")) != NULL &&
			    r->libc == IFX_LIBC_GLIBC && th_version_cmp(n, r->libc_version) > 0)
				return IFX_FIT_VERSIONS;
			if ((n = node_number(node, "GLIBCXX_")) != NULL && th_is_version(r->glibcxx) &&
			    th_version_cmp(n, r->glibcxx) > 0)
				return IFX_FIT_VERSIONS;
			if ((n = node_number(node, "CXXABI_")) != NULL && th_is_version(r->cxxabi) &&
			    th_version_cmp(n, r->cxxabi) > 0)
				return IFX_FIT_VERSIONS;
			if ((n = node_number(node, "GCC_")) != NULL && gcc_figure != NULL &&
			    th_version_cmp(n, gcc_figure) > 0)
				return IFX_FIT_VERSIONS;
		}
	return IFX_FIT_RUNS;
}

/* A target file with one target that lacks x86_64; the set grows by 1. */
static void add_aarch64_only(struct ifx_target_set *set)
{
	char *path = write_text("arm-only.json",
				"{\"targets\": [{\"name\": \"acme-arm-1\", \"arches\": "
				"[\"aarch64\"], \"libc\": \"glibc\", \"libc_version\": \"2.41\"}]}");
	struct ifx_error err;

	if (ifx_target_set_load(set, path, &err) != IFX_OK)
		fail_msg("load %s: %s", path, err.message);
}

static void check_requirements(const char *path, bool cxx)
{
	struct ifx_target_set *set = new_set();
	struct ifx_requirements *req = new_req();
	const struct ifx_elf_info *info;
	struct ifx_error err;
	const char *want;

	add_aarch64_only(set);
	info = inspected(path);
	assert_int_equal(info->libc, IFX_LIBC_GLIBC);
	if (ifx_target_requirements(info, set, req, &err) != IFX_OK)
		fail_msg("requirements: %s", err.message);
	assert_string_equal(req->arch, "x86_64");
	assert_int_equal(req->libc, IFX_LIBC_GLIBC);
	/* the newest node of each runtime, as DT_VERNEED has them */
	want = newest_needed(info, "GLIBC_");
	assert_non_null(want);
	assert_true(th_version_cmp(want, "2.34") >= 0); /* __libc_start_main@GLIBC_2.34 */
	assert_true(needs_node(info, "GLIBC_2.34"));
	assert_same_opt_string(req->glibc, want);
	assert_same_opt_string(req->glibcxx, newest_needed(info, "GLIBCXX_"));
	assert_same_opt_string(req->cxxabi, newest_needed(info, "CXXABI_"));
	assert_same_opt_string(req->gcc, newest_needed(info, "GCC_"));
	if (cxx) {
		assert_true(needs_node(info, "GLIBCXX_3.4.30"));
		assert_non_null(req->glibcxx);
		assert_true(th_version_cmp(req->glibcxx, "3.4.30") >= 0);
		{
			char node[64];
			char *since;

			snprintf(node, sizeof(node), "GLIBCXX_%s", req->glibcxx);
			since = keep(ifx_version_release(node), free);
			assert_same_opt_string(req->glibcxx_since, since);
		}
		if (strcmp(req->glibcxx, "3.4.30") == 0)
			assert_string_equal(req->glibcxx_since, "GCC 12.1.0");
	} else {
		assert_null(req->glibcxx);
		assert_null(req->glibcxx_since);
	}
	/* every target of the set, against the judgement made here */
	assert_int_equal(req->target_count, ifx_target_set_count(set));
	assert_non_null(req->fit);
	for (size_t i = 0; i < ARRAY_LEN(target_rows); i++) {
		enum ifx_fit fit = expected_fit(&target_rows[i], info, "x86_64");

		if (req->fit[i] != fit)
			fail_msg("%s: fit %s, want %s", target_rows[i].name, ifx_fit_name(req->fit[i]),
				 ifx_fit_name(fit));
	}
	assert_int_equal(req->fit[index_named(set, "amzn-2")], IFX_FIT_VERSIONS);
	assert_int_equal(req->fit[index_named(set, "debian-13")], IFX_FIT_RUNS);
	assert_int_equal(req->fit[index_named(set, "alpine-3.20")], IFX_FIT_LIBC);
	assert_int_equal(req->fit[index_named(set, "acme-arm-1")], IFX_FIT_ARCH);
}

static void test_requirements_c_binary(void **state)
{
	(void)state;
	if (world.c_bin == NULL)
		th_skip("gcc did not build a program here");
	check_requirements(world.c_bin, false);
}

static void test_requirements_cxx_binary(void **state)
{
	(void)state;
	if (world.cxx_bin == NULL)
		th_skip("g++ did not build a program here");
	check_requirements(world.cxx_bin, true);
}

/* A static program needs no libc of the system: it runs on every target
 * offering x86_64, glibc or musl, and on no other. */
static void test_requirements_static_binary(void **state)
{
	struct ifx_target_set *set;
	struct ifx_requirements *req = new_req();
	const struct ifx_elf_info *info;
	struct ifx_error err;
	size_t musl = 0, glibc = 0;

	(void)state;
	if (world.static_bin == NULL)
		th_skip("gcc -static did not build a program here (libc6-dev's libc.a?)");
	set = new_set();
	add_aarch64_only(set);
	info = inspected(world.static_bin);
	assert_false(info->has_interp);
	assert_int_equal(info->needed_count, 0);
	if (ifx_target_requirements(info, set, req, &err) != IFX_OK)
		fail_msg("requirements: %s", err.message);
	assert_string_equal(req->arch, "x86_64");
	assert_int_equal(req->libc, IFX_LIBC_NONE);
	assert_null(req->glibc);
	assert_null(req->glibcxx);
	assert_int_equal(req->target_count, ifx_target_set_count(set));
	for (size_t i = 0; i < req->target_count; i++) {
		const struct ifx_target *t = ifx_target_set_at(set, i);
		enum ifx_fit want = list_has(t->arches, "x86_64") ? IFX_FIT_RUNS : IFX_FIT_ARCH;

		if (req->fit[i] != want)
			fail_msg("%s: fit %s, want %s", t->name, ifx_fit_name(req->fit[i]),
				 ifx_fit_name(want));
		if (want == IFX_FIT_RUNS && t->libc == IFX_LIBC_MUSL)
			musl++;
		if (want == IFX_FIT_RUNS && t->libc == IFX_LIBC_GLIBC)
			glibc++;
	}
	assert_true(musl > 0 && glibc > 0);
	assert_int_equal(req->fit[index_named(set, "acme-arm-1")], IFX_FIT_ARCH);
}

static void test_requirements_bad_arguments(void **state)
{
	struct ifx_target_set *set = new_set();
	struct ifx_requirements *req = new_req();
	const struct ifx_elf_info *info;
	struct ifx_error err;

	(void)state;
	info = inspected("/bin/true");
	assert_int_equal(ifx_target_requirements(NULL, set, req, &err), IFX_ERR_USAGE);
	assert_int_equal(ifx_target_requirements(info, NULL, req, &err), IFX_ERR_USAGE);
	assert_string_equal(ifx_fit_name(IFX_FIT_RUNS), "runs");
	assert_string_equal(ifx_fit_name(IFX_FIT_ARCH), "arch");
	assert_string_equal(ifx_fit_name(IFX_FIT_LIBC), "libc");
	assert_string_equal(ifx_fit_name(IFX_FIT_VERSIONS), "versions");
}

/* ---- 5. target files */

static const char two_targets[] =
	"{\n"
	"  \"schema_version\": 1,\n"
	"  \"comment\": \"two in-house platforms\",\n"
	"  \"targets\": [\n"
	"    {\"name\": \"acme-edge-2\", \"family\": \"acme\", \"base\": \"debian-11\",\n"
	"     \"arches\": [\"x86_64\", \"aarch64\"], \"libc\": \"glibc\",\n"
	"     \"libc_version\": \"2.31\", \"glibcxx\": \"3.4.28\", \"cxxabi\": \"1.3.12\",\n"
	"     \"gcc\": \"7.0.0\", \"note\": \"edge boxes\", \"source\": \"acme wiki\"},\n"
	"    {\"name\": \"acme-edge-3\", \"arches\": [\"x86_64\", \"aarch64\"],\n"
	"     \"libc\": \"glibc\", \"libc_version\": \"2.35\", \"glibcxx\": \"none\",\n"
	"     \"gcc\": {\"aarch64\": \"11.0\"},\n"
	"     \"loaders\": {\"aarch64\": \"/opt/acme/lib/ld.so\"}}\n"
	"  ]\n"
	"}\n";

static void test_load_valid_file(void **state)
{
	struct ifx_target_set *set = new_set();
	const struct ifx_target **got = NULL, *a, *b;
	const struct ifx_elf_info *info;
	struct ifx_error err;
	char *path = write_text("two.json", two_targets), buf[WORD_MAX];
	size_t before = ifx_target_set_count(set), n = 0;

	(void)state;
	if (ifx_target_set_load(set, path, &err) != IFX_OK)
		fail_msg("load: %s", err.message);
	assert_int_equal(ifx_target_set_count(set), before + 2);
	a = ifx_target_set_at(set, before);
	b = ifx_target_set_at(set, before + 1);
	assert_string_equal(a->name, "acme-edge-2");
	assert_string_equal(b->name, "acme-edge-3");
	/* the built-in ones stay first and unchanged */
	for (size_t i = 0; i < before; i++)
		assert_string_equal(ifx_target_set_at(set, i)->name, target_rows[i].name);
	/* fields as the file gives them, defaults where it does not */
	assert_string_equal(a->family, "acme");
	assert_string_equal(b->family, "acme"); /* the name up to its first '-' */
	assert_string_equal(a->base, "debian-11");
	assert_string_equal(b->base, "");
	assert_string_equal(a->arches, "x86_64 aarch64");
	assert_int_equal(a->libc, IFX_LIBC_GLIBC);
	assert_string_equal(a->libc_version, "2.31");
	assert_string_equal(b->libc_version, "2.35");
	assert_string_equal(a->glibcxx, "3.4.28");
	assert_string_equal(b->glibcxx, "none");
	assert_string_equal(a->cxxabi, "1.3.12");
	assert_string_equal(b->cxxabi, "");
	assert_string_equal(a->note, "edge boxes");
	assert_string_equal(a->source, "acme wiki");
	assert_true(b->source[0] != '\0');
	/* select by name and by family */
	assert_int_equal(ifx_target_select(set, "acme-edge-3", &got, &n, &err), IFX_OK);
	keep(got, free);
	assert_int_equal(n, 1);
	assert_ptr_equal(got[0], b);
	assert_int_equal(ifx_target_select(set, "acme", &got, &n, &err), IFX_OK);
	keep(got, free);
	assert_int_equal(n, 2);
	assert_ptr_equal(got[0], a);
	assert_ptr_equal(got[1], b);
	/* loaders: the file's own for aarch64, the psABI one elsewhere */
	assert_string_equal(ARCH_LOADER_OF(b, "aarch64"), "/opt/acme/lib/ld.so");
	assert_string_equal(ARCH_LOADER_OF(b, "x86_64"), "/lib64/ld-linux-x86-64.so.2");
	assert_string_equal(ARCH_LOADER_OF(a, "aarch64"), "/lib/ld-linux-aarch64.so.1");
	assert_null(ARCH_LOADER_OF(b, "armhf"));
	info = inspected("/bin/true");
	assert_string_equal(LOADER_OF(b, info),
			    ifx_standard_loader(info, IFX_LIBC_GLIBC));
	if (crosses[1].path != NULL) {
		info = inspected(crosses[1].path);
		assert_string_equal(LOADER_OF(b, info), "/opt/acme/lib/ld.so");
		assert_string_equal(LOADER_OF(a, info), info->interp);
	}
	/* gcc: one figure for every arch, or per arch */
	assert_true(ifx_target_arch_gcc(a, "x86_64", buf, sizeof(buf)));
	assert_string_equal(buf, "7.0.0");
	assert_true(ifx_target_arch_gcc(a, "aarch64", buf, sizeof(buf)));
	assert_string_equal(buf, "7.0.0");
	assert_true(ifx_target_arch_gcc(b, "aarch64", buf, sizeof(buf)));
	assert_string_equal(buf, "11.0");
	assert_false(ifx_target_arch_gcc(b, "x86_64", buf, sizeof(buf)));
	assert_false(ifx_target_arch_gcc(a, "armhf", buf, sizeof(buf)));
	/* a buffer too small for "7.0.0" and its NUL */
	assert_false(ifx_target_arch_gcc(a, "x86_64", buf, 5));
	assert_true(ifx_target_arch_gcc(a, "x86_64", buf, 6));
	/* the same file again: its names are taken now */
	assert_int_equal(ifx_target_set_load(set, path, &err), IFX_ERR_MALFORMED);
	assert_non_null(strstr(err.message, path));
	assert_int_equal(ifx_target_set_count(set), before + 2);
}

/* A name of 64 characters, an empty list and "none" figures are fine. */
static void test_load_edge_values_accepted(void **state)
{
	struct ifx_target_set *set = new_set();
	struct ifx_error err;
	char name[65], text[512], *path;
	size_t before = ifx_target_set_count(set);

	(void)state;
	memset(name, 'a', 64);
	name[64] = '\0';
	snprintf(text, sizeof(text),
		 "{\"targets\": [{\"name\": \"%s\", \"arches\": [\"riscv64\"], \"libc\": "
		 "\"musl\", \"libc_version\": \"1.2.5\", \"gcc\": \"none\", \"cxxabi\": "
		 "\"none\"}], \"$schema\": \"x\"}",
		 name);
	path = write_text("edge.json", text);
	if (ifx_target_set_load(set, path, &err) != IFX_OK)
		fail_msg("load: %s", err.message);
	assert_int_equal(ifx_target_set_count(set), before + 1);
	assert_string_equal(ifx_target_set_at(set, before)->name, name);
	assert_int_equal(ifx_target_set_at(set, before)->libc, IFX_LIBC_MUSL);
	assert_string_equal(ARCH_LOADER_OF(ifx_target_set_at(set, before), "riscv64"),
			    "/lib/ld-musl-riscv64.so.1");
	assert_false(ifx_target_arch_gcc(ifx_target_set_at(set, before), "riscv64", name,
					 sizeof(name)));
	path = write_text("empty.json", "{\"targets\": []}");
	assert_int_equal(ifx_target_set_load(set, path, &err), IFX_OK);
	assert_int_equal(ifx_target_set_count(set), before + 1);
}

#define T0 "\"name\": \"acme-x-1\", \"arches\": [\"x86_64\"], \"libc\": \"glibc\""
#define GOOD "{" T0 ", \"libc_version\": \"2.31\"}"

static const struct {
	const char *what, *text;
} bad_files[] = {
	{ "not JSON", "this is not json" },
	{ "empty file", "" },
	{ "truncated", "{\"targets\": [" GOOD },
	{ "array at top", "[" GOOD "]" },
	{ "missing targets", "{\"comment\": \"x\"}" },
	{ "targets not an array", "{\"targets\": " GOOD "}" },
	{ "unknown top-level key", "{\"targets\": [" GOOD "], \"target\": []}" },
	{ "target not an object", "{\"targets\": [\"acme-x-1\"]}" },
	{ "unknown key in target",
	  "{\"targets\": [{" T0 ", \"libc_version\": \"2.31\", \"colour\": \"red\"}]}" },
	{ "missing name",
	  "{\"targets\": [{\"arches\": [\"x86_64\"], \"libc\": \"glibc\", "
	  "\"libc_version\": \"2.31\"}]}" },
	{ "missing arches",
	  "{\"targets\": [{\"name\": \"acme-x-1\", \"libc\": \"glibc\", "
	  "\"libc_version\": \"2.31\"}]}" },
	{ "missing libc",
	  "{\"targets\": [{\"name\": \"acme-x-1\", \"arches\": [\"x86_64\"], "
	  "\"libc_version\": \"2.31\"}]}" },
	{ "missing libc_version", "{\"targets\": [{" T0 "}]}" },
	{ "name not a string",
	  "{\"targets\": [{\"name\": 7, \"arches\": [\"x86_64\"], \"libc\": \"glibc\", "
	  "\"libc_version\": \"2.31\"}]}" },
	{ "name with capitals and space",
	  "{\"targets\": [{\"name\": \"Bad Name\", \"arches\": [\"x86_64\"], "
	  "\"libc\": \"glibc\", \"libc_version\": \"2.31\"}]}" },
	{ "name of 65 characters",
	  "{\"targets\": [{\"name\": "
	  "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\", "
	  "\"arches\": [\"x86_64\"], \"libc\": \"glibc\", \"libc_version\": \"2.31\"}]}" },
	{ "empty name",
	  "{\"targets\": [{\"name\": \"\", \"arches\": [\"x86_64\"], \"libc\": \"glibc\", "
	  "\"libc_version\": \"2.31\"}]}" },
	{ "name starting with '-'",
	  "{\"targets\": [{\"name\": \"-acme\", \"arches\": [\"x86_64\"], \"libc\": "
	  "\"glibc\", \"libc_version\": \"2.31\"}]}" },
	{ "name of a built-in target",
	  "{\"targets\": [{\"name\": \"debian-12\", \"arches\": [\"x86_64\"], \"libc\": "
	  "\"glibc\", \"libc_version\": \"2.31\"}]}" },
	{ "name of an alias",
	  "{\"targets\": [{\"name\": \"rocky-9\", \"arches\": [\"x86_64\"], \"libc\": "
	  "\"glibc\", \"libc_version\": \"2.31\"}]}" },
	{ "name of a family (--target ubuntu would select it alone)",
	  "{\"targets\": [{\"name\": \"ubuntu\", \"arches\": [\"x86_64\"], \"libc\": "
	  "\"glibc\", \"libc_version\": \"2.31\"}]}" },
	{ "same name twice", "{\"targets\": [" GOOD ", " GOOD "]}" },
	{ "duplicate key",
	  "{\"targets\": [{" T0 ", \"libc_version\": \"2.31\", \"libc_version\": \"2.35\"}]}" },
	{ "duplicate top-level key", "{\"targets\": [], \"targets\": [" GOOD "]}" },
	{ "unknown arch",
	  "{\"targets\": [{\"name\": \"acme-x-1\", \"arches\": [\"sparc64\"], \"libc\": "
	  "\"glibc\", \"libc_version\": \"2.31\"}]}" },
	{ "arch not a string",
	  "{\"targets\": [{\"name\": \"acme-x-1\", \"arches\": [64], \"libc\": "
	  "\"glibc\", \"libc_version\": \"2.31\"}]}" },
	{ "arches a string",
	  "{\"targets\": [{\"name\": \"acme-x-1\", \"arches\": \"x86_64\", \"libc\": "
	  "\"glibc\", \"libc_version\": \"2.31\"}]}" },
	{ "empty arches",
	  "{\"targets\": [{\"name\": \"acme-x-1\", \"arches\": [], \"libc\": \"glibc\", "
	  "\"libc_version\": \"2.31\"}]}" },
	{ "arch twice",
	  "{\"targets\": [{\"name\": \"acme-x-1\", \"arches\": [\"x86_64\", \"aarch64\", "
	  "\"x86_64\"], \"libc\": \"glibc\", \"libc_version\": \"2.31\"}]}" },
	{ "libc bionic",
	  "{\"targets\": [{\"name\": \"acme-x-1\", \"arches\": [\"x86_64\"], \"libc\": "
	  "\"bionic\", \"libc_version\": \"2.31\"}]}" },
	{ "libc not a string",
	  "{\"targets\": [{\"name\": \"acme-x-1\", \"arches\": [\"x86_64\"], \"libc\": "
	  "1, \"libc_version\": \"2.31\"}]}" },
	{ "libc_version 2.x", "{\"targets\": [{" T0 ", \"libc_version\": \"2.x\"}]}" },
	{ "libc_version none", "{\"targets\": [{" T0 ", \"libc_version\": \"none\"}]}" },
	{ "libc_version a number", "{\"targets\": [{" T0 ", \"libc_version\": 2.31}]}" },
	{ "libc_version 2..31", "{\"targets\": [{" T0 ", \"libc_version\": \"2..31\"}]}" },
	{ "glibcxx 3.4.x",
	  "{\"targets\": [{" T0 ", \"libc_version\": \"2.31\", \"glibcxx\": \"3.4.x\"}]}" },
	{ "gcc 7.x", "{\"targets\": [{" T0 ", \"libc_version\": \"2.31\", \"gcc\": \"7.x\"}]}" },
	{ "gcc a number", "{\"targets\": [{" T0 ", \"libc_version\": \"2.31\", \"gcc\": 7}]}" },
	{ "gcc object naming an arch not in arches",
	  "{\"targets\": [{" T0 ", \"libc_version\": \"2.31\", "
	  "\"gcc\": {\"aarch64\": \"7.0.0\"}}]}" },
	{ "gcc object value not a version",
	  "{\"targets\": [{" T0 ", \"libc_version\": \"2.31\", "
	  "\"gcc\": {\"x86_64\": \"seven\"}}]}" },
	{ "relative loader path",
	  "{\"targets\": [{" T0 ", \"libc_version\": \"2.31\", "
	  "\"loaders\": {\"x86_64\": \"lib/ld.so\"}}]}" },
	{ "loader for an arch not in arches",
	  "{\"targets\": [{" T0 ", \"libc_version\": \"2.31\", "
	  "\"loaders\": {\"aarch64\": \"/lib/ld.so\"}}]}" },
	{ "loaders an array",
	  "{\"targets\": [{" T0 ", \"libc_version\": \"2.31\", "
	  "\"loaders\": [\"/lib/ld.so\"]}]}" },
	{ "NUL in name",
	  "{\"targets\": [{\"name\": \"acme\\u0000x\", \"arches\": [\"x86_64\"], "
	  "\"libc\": \"glibc\", \"libc_version\": \"2.31\"}]}" },
	{ "NUL in arch",
	  "{\"targets\": [{\"name\": \"acme-x-1\", \"arches\": [\"x86_64\\u0000x\"], "
	  "\"libc\": \"glibc\", \"libc_version\": \"2.31\"}]}" },
	{ "NUL in libc",
	  "{\"targets\": [{\"name\": \"acme-x-1\", \"arches\": [\"x86_64\"], "
	  "\"libc\": \"glibc\\u0000x\", \"libc_version\": \"2.31\"}]}" },
	{ "NUL in gcc",
	  "{\"targets\": [{" T0 ", \"libc_version\": \"2.31\", \"gcc\": \"7.0\\u0000.1\"}]}" },
	{ "NUL in loader path",
	  "{\"targets\": [{" T0 ", \"libc_version\": \"2.31\", "
	  "\"loaders\": {\"x86_64\": \"/lib/ld.so\\u0000x\"}}]}" },
	{ "NUL in note",
	  "{\"targets\": [{" T0 ", \"libc_version\": \"2.31\", \"note\": \"a\\u0000b\"}]}" },
	{ "a good target, then a bad one",
	  "{\"targets\": [" GOOD ", {\"name\": \"acme-x-2\", \"arches\": [\"sparc64\"], "
	  "\"libc\": \"glibc\", \"libc_version\": \"2.31\"}]}" },
};

/* Each bad file: IFX_ERR_MALFORMED naming the file, nothing added, and
 * the good target of the file can still be loaded afterwards. */
static void test_load_bad_files_refused_whole(void **state)
{
	struct ifx_target_set *set = new_set();
	size_t before = ifx_target_set_count(set);
	char *good;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad_files); i++) {
		struct ifx_error err;
		char name[32], *path;
		enum ifx_status st;

		snprintf(name, sizeof(name), "bad-%zu.json", i);
		path = write_text(name, bad_files[i].text);
		memset(&err, 0, sizeof(err));
		st = ifx_target_set_load(set, path, &err);
		if (st != IFX_ERR_MALFORMED)
			fail_msg("%s: status %d, want IFX_ERR_MALFORMED (%s)", bad_files[i].what,
				 (int)st, err.message);
		if (err.status != IFX_ERR_MALFORMED || strstr(err.message, path) == NULL)
			fail_msg("%s: message \"%s\" does not name %s", bad_files[i].what,
				 err.message, path);
		if (ifx_target_set_count(set) != before)
			fail_msg("%s: count %zu, want %zu", bad_files[i].what,
				 ifx_target_set_count(set), before);
	}
	/* nothing of the refused files stayed behind under a name */
	good = write_text("good.json", "{\"targets\": [" GOOD "]}");
	assert_int_equal(ifx_target_set_load(set, good, NULL), IFX_OK);
	assert_int_equal(ifx_target_set_count(set), before + 1);
}

/* Where the place is known, the message gives it: targets[1] of a file
 * whose second target repeats the first one's name. */
static void test_load_error_names_the_place(void **state)
{
	struct ifx_target_set *set = new_set();
	struct ifx_error err;
	char *path = write_text("twice.json", "{\"targets\": [" GOOD ", " GOOD "]}");

	(void)state;
	assert_int_equal(ifx_target_set_load(set, path, &err), IFX_ERR_MALFORMED);
	assert_non_null(strstr(err.message, "targets[1]"));
	assert_non_null(strstr(err.message, "name"));
}

/* Padding the valid file with spaces to size bytes. */
static char *padded_file(const char *name, size_t size)
{
	const char *doc = "{\"targets\": [" GOOD "]}";
	char *text = malloc(size + 1), *path;

	assert_non_null(text);
	memset(text, ' ', size);
	memcpy(text, doc, strlen(doc));
	text[size] = '\0';
	path = th_write_file(world.dir, name, text, size);
	free(text);
	assert_non_null(path);
	return keep(path, free);
}

static void test_load_2mib_file_refused(void **state)
{
	struct ifx_target_set *set = new_set();
	size_t before = ifx_target_set_count(set);
	struct ifx_error err;
	char *path = padded_file("big.json", 2 * 1024 * 1024);

	(void)state;
	assert_int_equal(ifx_target_set_load(set, path, &err), IFX_ERR_MALFORMED);
	assert_non_null(strstr(err.message, path));
	assert_int_equal(ifx_target_set_count(set), before);
	path = padded_file("big1.json", 1024 * 1024 + 1);
	assert_int_equal(ifx_target_set_load(set, path, &err), IFX_ERR_MALFORMED);
	assert_int_equal(ifx_target_set_count(set), before);
	/* well below the limit the same document loads */
	path = padded_file("padded.json", 512 * 1024);
	assert_int_equal(ifx_target_set_load(set, path, &err), IFX_OK);
	assert_int_equal(ifx_target_set_count(set), before + 1);
}

/* "files > 1 MiB" are refused (spec; the message says "at most 1 MiB"):
 * one of exactly 1 MiB is not. */
static void test_load_exactly_1mib_file_loads(void **state)
{
	struct ifx_target_set *set = new_set();
	size_t before = ifx_target_set_count(set);
	struct ifx_error err;
	char *path = padded_file("one-mib.json", 1024 * 1024);

	(void)state;
	memset(&err, 0, sizeof(err));
	if (ifx_target_set_load(set, path, &err) != IFX_OK)
		fail_msg("a file of exactly 1 MiB: %s", err.message);
	assert_int_equal(ifx_target_set_count(set), before + 1);
}

static void on_alarm(int sig)
{
	(void)sig;
	/* only async-signal-safe calls: the load blocked on the FIFO */
	static const char msg[] = "ifx_target_set_load blocked on a FIFO\n";
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

/* A FIFO is never opened for reading (that would wait for a writer). */
static void test_load_fifo_refused_without_blocking(void **state)
{
	struct ifx_target_set *set = new_set();
	size_t before = ifx_target_set_count(set);
	struct ifx_error err;
	struct timespec t0, t1;
	char *path;
	enum ifx_status st;

	(void)state;
	path = tmp_path("fifo.json");
	assert_int_equal(mkfifo(path, 0600), 0);
	signal(SIGALRM, on_alarm);
	alarm(20);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	st = ifx_target_set_load(set, path, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	alarm(0);
	signal(SIGALRM, SIG_DFL);
	assert_int_not_equal(st, IFX_OK);
	assert_int_equal(err.status, st);
	assert_true(t1.tv_sec - t0.tv_sec < 5);
	assert_int_equal(ifx_target_set_count(set), before);
	unlink(path);
}

static void test_load_missing_file_is_io_error(void **state)
{
	struct ifx_target_set *set = new_set();
	size_t before = ifx_target_set_count(set);
	struct ifx_error err;
	char *path;

	(void)state;
	path = tmp_path("no-such.json");
	assert_int_equal(ifx_target_set_load(set, path, &err), IFX_ERR_IO);
	assert_int_equal(err.sys_errno, ENOENT);
	assert_int_equal(ifx_target_set_count(set), before);
	/* a directory is no target file either */
	assert_int_not_equal(ifx_target_set_load(set, world.dir, &err), IFX_OK);
	assert_int_equal(ifx_target_set_load(NULL, path, &err), IFX_ERR_USAGE);
	assert_int_equal(ifx_target_set_load(set, NULL, &err), IFX_ERR_USAGE);
	assert_int_equal(ifx_target_set_count(set), before);
}

/* The CLI prints err.message as "interpfix: CMD: MESSAGE" relying on "the
 * message names the file" (src/cli/cli-targets.c): a FIFO and a missing
 * file must name the path too, or a user with several --target-file
 * options cannot tell which one failed. */
static void test_load_open_errors_name_the_file(void **state)
{
	struct ifx_target_set *set = new_set();
	struct ifx_error err;
	char *fifo = tmp_path("fifo2.json"), *missing = tmp_path("missing.json");

	(void)state;
	assert_int_equal(mkfifo(fifo, 0600), 0);
	memset(&err, 0, sizeof(err));
	assert_int_not_equal(ifx_target_set_load(set, fifo, &err), IFX_OK);
	if (strstr(err.message, fifo) == NULL)
		fail_msg("FIFO: message \"%s\" does not name %s", err.message, fifo);
	memset(&err, 0, sizeof(err));
	assert_int_equal(ifx_target_set_load(set, missing, &err), IFX_ERR_IO);
	if (strstr(err.message, missing) == NULL)
		fail_msg("missing file: message \"%s\" does not name %s", err.message, missing);
	unlink(fifo);
}

/* The spec (issue 13, "Target file"): "duplicate names, files > 1 MiB,
 * FIFOs: IFX_ERR_MALFORMED". */
static void test_load_fifo_is_not_regular(void **state)
{
	struct ifx_target_set *set = new_set();
	struct ifx_error err;
	char *fifo = tmp_path("fifo3.json");

	(void)state;
	assert_int_equal(mkfifo(fifo, 0600), 0);
	memset(&err, 0, sizeof(err));
	/* as ifx_inspect_path says of a FIFO: not a regular file */
	if (ifx_target_set_load(set, fifo, &err) != IFX_ERR_NOT_REGULAR)
		fail_msg("FIFO: status %d (%s), want IFX_ERR_NOT_REGULAR (%d)", (int)err.status,
			 err.message, (int)IFX_ERR_NOT_REGULAR);
	unlink(fifo);
}

/* Two files: the second's names may not repeat the first's, and a
 * requirements judgement covers the loaded targets at their indexes. */
static void test_two_files_and_requirements(void **state)
{
	struct ifx_target_set *set = new_set();
	struct ifx_requirements *req = new_req();
	const struct ifx_elf_info *info;
	struct ifx_error err;
	char *one = write_text("one.json",
			       "{\"targets\": [{\"name\": \"old-box-1\", \"arches\": [\"x86_64\"], "
			       "\"libc\": \"glibc\", \"libc_version\": \"2.17\"}]}");
	char *two = write_text("two-b.json",
			       "{\"targets\": [{\"name\": \"new-box-1\", \"arches\": [\"x86_64\"], "
			       "\"libc\": \"glibc\", \"libc_version\": \"2.99\"}, "
			       "{\"name\": \"old-box-1\", \"arches\": [\"x86_64\"], "
			       "\"libc\": \"glibc\", \"libc_version\": \"2.17\"}]}");
	char *three = write_text("three.json",
				 "{\"targets\": [{\"name\": \"new-box-1\", \"arches\": "
				 "[\"x86_64\"], \"libc\": \"glibc\", \"libc_version\": \"2.99\"}]}");
	size_t before = ifx_target_set_count(set);

	(void)state;
	assert_int_equal(ifx_target_set_load(set, one, &err), IFX_OK);
	assert_int_equal(ifx_target_set_load(set, two, &err), IFX_ERR_MALFORMED);
	assert_non_null(strstr(err.message, two));
	assert_int_equal(ifx_target_set_count(set), before + 1);
	assert_int_equal(ifx_target_set_load(set, three, &err), IFX_OK);
	assert_int_equal(ifx_target_set_count(set), before + 2);
	if (world.c_bin != NULL) {
		info = inspected(world.c_bin);
		assert_int_equal(ifx_target_requirements(info, set, req, &err), IFX_OK);
		assert_int_equal(req->target_count, before + 2);
		assert_int_equal(req->fit[before], IFX_FIT_VERSIONS); /* 2.17 < 2.34 */
		assert_int_equal(req->fit[before + 1], IFX_FIT_RUNS);
	}
}

#define ARCH_TEST(i, label) \
	{ "test_arch_and_loaders_" label, test_arch_and_loaders, NULL, scratch_teardown, \
	  &crosses[i] }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_set_holds_the_table_in_order, scratch_teardown),
		cmocka_unit_test_teardown(test_select_every_target_by_name, scratch_teardown),
		cmocka_unit_test_teardown(test_aliases_resolve, scratch_teardown),
		cmocka_unit_test_teardown(test_family_selects_members_in_order, scratch_teardown),
		cmocka_unit_test_teardown(test_select_legacy_manylinux_alias, scratch_teardown),
		cmocka_unit_test_teardown(test_select_unknown_names_the_family, scratch_teardown),
		cmocka_unit_test_teardown(test_select_unknown_name, scratch_teardown),
		ARCH_TEST(0, "x86_64"), ARCH_TEST(1, "aarch64"), ARCH_TEST(2, "armhf"),
		ARCH_TEST(3, "armel"), ARCH_TEST(4, "x32"), ARCH_TEST(5, "ppc64le"),
		ARCH_TEST(6, "s390x"), ARCH_TEST(7, "riscv64"), ARCH_TEST(8, "mips64el"),
		ARCH_TEST(9, "mipsel"), ARCH_TEST(10, "i386"),
		cmocka_unit_test_teardown(test_loader_named_targets, scratch_teardown),
		cmocka_unit_test_teardown(test_builtin_gcc_figures, scratch_teardown),
		cmocka_unit_test_teardown(test_version_release_known_nodes, scratch_teardown),
		cmocka_unit_test_teardown(test_version_release_covers_host_libstdcxx, scratch_teardown),
		cmocka_unit_test_teardown(test_requirements_c_binary, scratch_teardown),
		cmocka_unit_test_teardown(test_requirements_cxx_binary, scratch_teardown),
		cmocka_unit_test_teardown(test_requirements_static_binary, scratch_teardown),
		cmocka_unit_test_teardown(test_requirements_bad_arguments, scratch_teardown),
		cmocka_unit_test_teardown(test_load_valid_file, scratch_teardown),
		cmocka_unit_test_teardown(test_load_edge_values_accepted, scratch_teardown),
		cmocka_unit_test_teardown(test_load_bad_files_refused_whole, scratch_teardown),
		cmocka_unit_test_teardown(test_load_error_names_the_place, scratch_teardown),
		cmocka_unit_test_teardown(test_load_2mib_file_refused, scratch_teardown),
		cmocka_unit_test_teardown(test_load_exactly_1mib_file_loads, scratch_teardown),
		cmocka_unit_test_teardown(test_load_fifo_refused_without_blocking, scratch_teardown),
		cmocka_unit_test_teardown(test_load_missing_file_is_io_error, scratch_teardown),
		cmocka_unit_test_teardown(test_load_open_errors_name_the_file, scratch_teardown),
		cmocka_unit_test_teardown(test_load_fifo_is_not_regular, scratch_teardown),
		cmocka_unit_test_teardown(test_two_files_and_requirements, scratch_teardown),
	};

	_Static_assert(ARRAY_LEN(crosses) == 11, "one ARCH_TEST per cross entry");
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
