/* The deploy-target table (src/lib/targets/targets.def) against its own
 * rules: names unique and in the documented forms, each family's releases
 * in order with figures that never go down, architectures from the fixed
 * set with one GCC_ node each, aliases that resolve, and Lambda runtimes
 * that repeat their Amazon Linux base. Versions compare numerically, one
 * dot-separated component at a time, a missing component counting as 0
 * (GCC_14.0 == GCC_14.0.0). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "interpfix.h"
#include "target-rows.h"
#include "testhelp.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define WORD_MAX 32

/* The documented arch names (targets.def, "arches"). */
static const char *const known_arches[] = {
	"x86_64", "i386", "aarch64", "armhf", "armel", "ppc64le", "ppc64",
	"s390x", "riscv64", "mips64el", "mipsel", "mips", "loongarch64",
};

/* The families "--target FAMILY" is documented to take. */
static const char *const required_families[] = {
	"lambda", "ubuntu", "debian", "rhel", "amzn", "alpine", "manylinux",
	"musllinux",
};

/* ---- helpers */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_lower(char c) { return c >= 'a' && c <= 'z'; }

/* A figure is a version, "none" (not promised) or "" (not known). */
static bool is_figure(const char *v)
{
	return *v == '\0' || strcmp(v, "none") == 0 || th_is_version(v);
}

static bool list_has(const char *list, const char *word)
{
	char buf[WORD_MAX];

	for (size_t i = 0; th_word_at(list, i, buf, sizeof(buf)); i++)
		if (strcmp(buf, word) == 0)
			return true;
	return false;
}

/* The version node of arch in a gcc list ("x86_64:12.0.0 ..."), copied
 * into out; false when the list has no pair for arch or is "none". */
static bool gcc_node(const char *gcc, const char *arch, char *out,
		     size_t size)
{
	char buf[WORD_MAX];

	if (strcmp(gcc, "none") == 0)
		return false;
	for (size_t i = 0; th_word_at(gcc, i, buf, sizeof(buf)); i++) {
		char *colon = strchr(buf, ':');

		if (colon == NULL)
			fail_msg("gcc pair \"%s\" has no ':'", buf);
		*colon = '\0';
		if (strcmp(buf, arch) != 0)
			continue;
		if (strlen(colon + 1) >= size)
			fail_msg("gcc node \"%s\" too long", colon + 1);
		strcpy(out, colon + 1);
		return true;
	}
	return false;
}

static const struct target_row *find_target(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(target_rows); i++)
		if (strcmp(target_rows[i].name, name) == 0)
			return &target_rows[i];
	return NULL;
}

/* The family a name belongs to: its text up to the first '-' or '_'. */
static size_t family_len(const char *name)
{
	return strcspn(name, "-_");
}

/* "ID-N(.N)*": a distribution release; copies the version to ver. */
static bool is_distro_name(const char *name, char *ver, size_t size)
{
	size_t len = family_len(name);

	if (len == 0 || name[len] != '-')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_lower(name[i]))
			return false;
	if (!th_is_version(name + len + 1) || strlen(name + len + 1) >= size)
		return false;
	strcpy(ver, name + len + 1);
	return true;
}

/* "manylinux_X_Y" or "musllinux_X_Y"; copies "X.Y" to ver. */
static bool is_policy_name(const char *name, char *ver, size_t size)
{
	const char *p;

	if (strncmp(name, "manylinux_", 10) == 0)
		p = name + 10;
	else if (strncmp(name, "musllinux_", 10) == 0)
		p = name + 10;
	else
		return false;
	if (strlen(p) >= size)
		return false;
	strcpy(ver, p);
	char *us = strchr(ver, '_');

	if (us == NULL)
		return false;
	*us = '.';
	return strchr(us + 1, '_') == NULL && th_is_version(ver);
}

/* "lambda-" + a runtime identifier: [a-z][a-z0-9.]*. */
static bool is_lambda_name(const char *name)
{
	const char *p = name + 7;

	if (strncmp(name, "lambda-", 7) != 0 || !is_lower(*p))
		return false;
	for (; *p != '\0'; p++)
		if (!is_lower(*p) && !is_digit(*p) && *p != '.')
			return false;
	return true;
}

/* PEP 599's legacy spelling, allowed for aliases: "manylinuxYYYY". */
static bool is_legacy_policy_name(const char *name)
{
	if (strncmp(name, "manylinux", 9) != 0 || strlen(name) != 13)
		return false;
	for (const char *p = name + 9; *p != '\0'; p++)
		if (!is_digit(*p))
			return false;
	return true;
}

/* The release a target's name gives, for ordering within a family; false
 * for lambda-* (runtimes are not releases of one thing). */
static bool release_of(const char *name, char *ver, size_t size)
{
	if (is_lambda_name(name))
		return false;
	if (is_policy_name(name, ver, size) || is_distro_name(name, ver, size))
		return true;
	fail_msg("\"%s\" is in no documented name form", name);
	return false;
}

static void assert_not_older(const char *what, const struct target_row *old,
			     const struct target_row *new, const char *a,
			     const char *b)
{
	if (!th_is_version(a) || !th_is_version(b))
		return;
	if (th_version_cmp(a, b) > 0)
		fail_msg("%s goes down from %s (%s) to %s (%s)", what, old->name,
			 a, new->name, b);
}

/* ---- the tests */

static void test_names_unique_and_well_formed(void **state)
{
	char ver[WORD_MAX];

	(void)state;
	assert_true(ARRAY_LEN(target_rows) > 0);
	for (size_t i = 0; i < ARRAY_LEN(target_rows); i++) {
		const char *n = target_rows[i].name;

		if (!is_lambda_name(n) && !is_policy_name(n, ver, sizeof(ver)) &&
		    !is_distro_name(n, ver, sizeof(ver)))
			fail_msg("target \"%s\" is in no documented name form", n);
		for (size_t j = i + 1; j < ARRAY_LEN(target_rows); j++)
			if (strcmp(n, target_rows[j].name) == 0)
				fail_msg("target \"%s\" twice", n);
		for (size_t j = 0; j < ARRAY_LEN(alias_rows); j++)
			if (strcmp(n, alias_rows[j].name) == 0)
				fail_msg("\"%s\" is both a target and an alias", n);
	}
	for (size_t i = 0; i < ARRAY_LEN(alias_rows); i++) {
		const char *n = alias_rows[i].name;

		if (!is_distro_name(n, ver, sizeof(ver)) &&
		    !is_policy_name(n, ver, sizeof(ver)) &&
		    !is_legacy_policy_name(n))
			fail_msg("alias \"%s\" is in no documented name form", n);
		for (size_t j = i + 1; j < ARRAY_LEN(alias_rows); j++)
			if (strcmp(n, alias_rows[j].name) == 0)
				fail_msg("alias \"%s\" twice", n);
	}
}

static void test_fields_filled_and_typed(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(target_rows); i++) {
		const struct target_row *t = &target_rows[i];

		if (*t->family == '\0' || *t->arches == '\0' ||
		    *t->source == '\0')
			fail_msg("%s: family, arches and source must be set",
				 t->name);
		if (t->libc != IFX_LIBC_GLIBC && t->libc != IFX_LIBC_MUSL)
			fail_msg("%s: libc must be glibc or musl", t->name);
		/* glibc releases are 2.N, musl's 1.N(.N) */
		if (!th_is_version(t->libc_version) ||
		    t->libc_version[0] != (t->libc == IFX_LIBC_GLIBC ? '2' : '1') ||
		    t->libc_version[1] != '.')
			fail_msg("%s: libc version \"%s\" does not fit its libc",
				 t->name, t->libc_version);
		if (!is_figure(t->glibcxx) || !is_figure(t->cxxabi))
			fail_msg("%s: bad GLIBCXX/CXXABI figure", t->name);
		if (th_is_version(t->glibcxx) && strncmp(t->glibcxx, "3.4.", 4) != 0)
			fail_msg("%s: GLIBCXX \"%s\" is not 3.4.N", t->name,
				 t->glibcxx);
		if (th_is_version(t->cxxabi) && strncmp(t->cxxabi, "1.3.", 4) != 0)
			fail_msg("%s: CXXABI \"%s\" is not 1.3.N", t->name,
				 t->cxxabi);
	}
	for (size_t i = 0; i < ARRAY_LEN(alias_rows); i++)
		if (*alias_rows[i].note == '\0')
			fail_msg("alias %s: note must say why", alias_rows[i].name);
}

static void test_family_is_the_name_prefix(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(target_rows); i++) {
		const struct target_row *t = &target_rows[i];
		size_t len = family_len(t->name);

		if (strlen(t->family) != len ||
		    strncmp(t->family, t->name, len) != 0)
			fail_msg("%s: family \"%s\" is not its name's prefix",
				 t->name, t->family);
	}
	for (size_t f = 0; f < ARRAY_LEN(required_families); f++) {
		size_t n = 0;

		for (size_t i = 0; i < ARRAY_LEN(target_rows); i++)
			n += strcmp(target_rows[i].family, required_families[f]) == 0;
		if (n == 0)
			fail_msg("family %s has no target", required_families[f]);
	}
}

/* A family's entries sit together, oldest release first, and no figure
 * goes down from one release to the next (ubuntu-18.04 <= 20.04 <= ...). */
static void test_families_ordered_and_never_older(void **state)
{
	(void)state;
	for (size_t i = 1; i < ARRAY_LEN(target_rows); i++) {
		const struct target_row *old = &target_rows[i - 1], *new = &target_rows[i];
		char a[WORD_MAX], b[WORD_MAX], arch[WORD_MAX];

		if (strcmp(old->family, new->family) != 0) {
			for (size_t j = 0; j + 1 < i; j++)
				if (strcmp(target_rows[j].family, new->family) == 0)
					fail_msg("family %s is split (%s)", new->family,
						 new->name);
			continue;
		}
		if (!release_of(old->name, a, sizeof(a)))
			continue; /* lambda: checked against its base instead */
		assert_true(release_of(new->name, b, sizeof(b)));
		if (th_version_cmp(a, b) >= 0)
			fail_msg("%s is listed after %s", new->name, old->name);
		if (old->libc != new->libc)
			fail_msg("%s and %s differ in libc", old->name, new->name);
		assert_not_older("libc", old, new, old->libc_version,
				 new->libc_version);
		assert_not_older("GLIBCXX", old, new, old->glibcxx, new->glibcxx);
		assert_not_older("CXXABI", old, new, old->cxxabi, new->cxxabi);
		for (size_t k = 0; th_word_at(new->arches, k, arch, sizeof(arch)); k++) {
			char na[WORD_MAX], nb[WORD_MAX];

			if (gcc_node(old->gcc, arch, na, sizeof(na)) &&
			    gcc_node(new->gcc, arch, nb, sizeof(nb)))
				assert_not_older(arch, old, new, na, nb);
		}
	}
}

static void test_arches_from_the_fixed_set(void **state)
{
	char arch[WORD_MAX];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(target_rows); i++) {
		const struct target_row *t = &target_rows[i];
		size_t n = 0;

		for (size_t k = 0; th_word_at(t->arches, k, arch, sizeof(arch)); k++) {
			bool known = false;

			for (size_t j = 0; j < ARRAY_LEN(known_arches); j++)
				known = known || strcmp(arch, known_arches[j]) == 0;
			if (!known)
				fail_msg("%s: unknown arch \"%s\"", t->name, arch);
			for (size_t j = k + 1;; j++) {
				char other[WORD_MAX];

				if (!th_word_at(t->arches, j, other, sizeof(other)))
					break;
				if (strcmp(arch, other) == 0)
					fail_msg("%s: arch %s twice", t->name, arch);
			}
			n++;
		}
		assert_true(n > 0);
	}
}

/* gcc names one node per arch of the entry, and only those arches. */
static void test_gcc_nodes_cover_the_arches(void **state)
{
	char word[WORD_MAX], node[WORD_MAX];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(target_rows); i++) {
		const struct target_row *t = &target_rows[i];

		if (*t->gcc == '\0' || strcmp(t->gcc, "none") == 0)
			continue;
		for (size_t k = 0; th_word_at(t->arches, k, word, sizeof(word)); k++) {
			if (!gcc_node(t->gcc, word, node, sizeof(node)))
				fail_msg("%s: no GCC_ node for %s", t->name, word);
			if (!th_is_version(node))
				fail_msg("%s: GCC_ node \"%s\" for %s", t->name, node,
					 word);
		}
		for (size_t k = 0; th_word_at(t->gcc, k, word, sizeof(word)); k++) {
			char *colon = strchr(word, ':');

			assert_non_null(colon);
			*colon = '\0';
			if (!list_has(t->arches, word))
				fail_msg("%s: GCC_ node for %s, not one of its arches",
					 t->name, word);
			for (size_t j = k + 1; th_word_at(t->gcc, j, node, sizeof(node)); j++)
				if (strncmp(node, word, strlen(word)) == 0 &&
				    node[strlen(word)] == ':')
					fail_msg("%s: two GCC_ nodes for %s", t->name, word);
		}
	}
}

static void test_aliases_point_at_targets(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(alias_rows); i++)
		if (find_target(alias_rows[i].target) == NULL)
			fail_msg("alias %s points at no target (%s)", alias_rows[i].name,
				 alias_rows[i].target);
}

/* Each Lambda runtime names an amzn base and repeats its figures; a base
 * is itself a base-less target. */
static void test_lambda_runtimes_share_their_base(void **state)
{
	char arch[WORD_MAX];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(target_rows); i++) {
		const struct target_row *t = &target_rows[i];
		bool lambda = strcmp(t->family, "lambda") == 0;

		if (*t->base == '\0') {
			if (lambda)
				fail_msg("%s: a Lambda runtime needs an amzn base",
					 t->name);
			continue;
		}
		const struct target_row *b = find_target(t->base);

		if (b == NULL)
			fail_msg("%s: base %s is no target", t->name, t->base);
		if (*b->base != '\0')
			fail_msg("%s: base %s has a base itself", t->name, b->name);
		if (lambda && strcmp(b->family, "amzn") != 0)
			fail_msg("%s: base %s is not Amazon Linux", t->name, b->name);
		if (t->libc != b->libc ||
		    strcmp(t->libc_version, b->libc_version) != 0 ||
		    strcmp(t->glibcxx, b->glibcxx) != 0 ||
		    strcmp(t->cxxabi, b->cxxabi) != 0)
			fail_msg("%s: figures differ from its base %s", t->name,
				 b->name);
		for (size_t k = 0; th_word_at(t->arches, k, arch, sizeof(arch)); k++) {
			char mine[WORD_MAX], theirs[WORD_MAX];

			if (!list_has(b->arches, arch))
				fail_msg("%s: arch %s that base %s lacks", t->name,
					 arch, b->name);
			if (!gcc_node(t->gcc, arch, mine, sizeof(mine)) ||
			    !gcc_node(b->gcc, arch, theirs, sizeof(theirs)) ||
			    strcmp(mine, theirs) != 0)
				fail_msg("%s: GCC_ node for %s differs from %s",
					 t->name, arch, b->name);
		}
	}
}

/* The comparison the ordering test relies on. */
static void test_versions_compare_by_component(void **state)
{
	(void)state;
	assert_true(th_version_cmp("3.4.9", "3.4.10") < 0);
	assert_true(th_version_cmp("2.9", "2.17") < 0);
	assert_int_equal(th_version_cmp("14.0", "14.0.0"), 0);
	assert_true(th_version_cmp("11.0", "7.0.0") > 0);
	assert_true(th_version_cmp("1.2", "1.2.4") < 0);
	assert_true(th_is_version("2.31"));
	assert_false(th_is_version("2..31"));
	assert_false(th_is_version("2.31."));
	assert_false(th_is_version(""));
	assert_false(th_is_version("3.4.x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions_compare_by_component),
		cmocka_unit_test(test_names_unique_and_well_formed),
		cmocka_unit_test(test_fields_filled_and_typed),
		cmocka_unit_test(test_family_is_the_name_prefix),
		cmocka_unit_test(test_families_ordered_and_never_older),
		cmocka_unit_test(test_arches_from_the_fixed_set),
		cmocka_unit_test(test_gcc_nodes_cover_the_arches),
		cmocka_unit_test(test_aliases_point_at_targets),
		cmocka_unit_test(test_lambda_runtimes_share_their_base),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
