/*
 * Version nodes as numbers, and the release that brought each one: what
 * lets a finding say "GLIBCXX_3.4.30 (GCC 12.1.0)" and a target's figures
 * bound a binary's needs.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "targets.h"

static const struct release {
	const char *node, *release;
} releases[] = {
#define IFX_RELEASE(node, release) { node, release },
#define IFX_GLIBC_NODE(node, release)
#include "releases.def"
#undef IFX_RELEASE
#undef IFX_GLIBC_NODE
};

/* glibc's feature nodes, each with the release that brought it */
static const struct release glibc_nodes[] = {
#define IFX_RELEASE(node, release)
#define IFX_GLIBC_NODE(node, release) { node, release },
#include "releases.def"
#undef IFX_RELEASE
#undef IFX_GLIBC_NODE
};

/* Dotted numbers compared part by part ("3.4.9" < "3.4.10", "2.2.5" <
 * "2.3"); a missing part is 0. Parts stop at the first non-digit. */
int ifx__version_compare(const char *a, const char *b)
{
	while (*a != '\0' || *b != '\0') {
		unsigned long x = 0, y = 0;

		while (isdigit((unsigned char)*a) && x < 100000000UL)
			x = x * 10 + (unsigned long)(*a++ - '0');
		while (isdigit((unsigned char)*b) && y < 100000000UL)
			y = y * 10 + (unsigned long)(*b++ - '0');
		if (x != y)
			return x < y ? -1 : 1;
		if (*a != '.' && *b != '.')
			break;
		a += *a == '.';
		b += *b == '.';
	}
	return 0;
}

/* A number as the nodes write it: digits and dots, starting with a digit. */
static bool dotted(const char *s)
{
	if (!isdigit((unsigned char)*s))
		return false;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s) && *s != '.')
			return false;
	return true;
}

enum ifx__runtime ifx__runtime_of(const char *node, const char **number)
{
	static const struct {
		const char *prefix;
		enum ifx__runtime runtime;
	} kinds[] = {
		{ "GLIBCXX_", IFX__RT_GLIBCXX }, /* before GLIBC_: a longer prefix */
		{ "GLIBC_", IFX__RT_GLIBC },
		{ "CXXABI_", IFX__RT_CXXABI },
		{ "GCC_", IFX__RT_GCC },
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t len = strlen(kinds[i].prefix);

		if (strncmp(node, kinds[i].prefix, len) == 0) {
			/* a loader feature: the release that brought it */
			for (size_t k = 0; kinds[i].runtime == IFX__RT_GLIBC &&
			     k < sizeof(glibc_nodes) / sizeof(glibc_nodes[0]); k++)
				if (strcmp(node, glibc_nodes[k].node) == 0) {
					if (number != NULL)
						*number = glibc_nodes[k].release;
					return IFX__RT_GLIBC;
				}
			/* GLIBC_PRIVATE, CXXABI_TM_1, GLIBCXX_LDBL_3.4: no release bounds them */
			if (!dotted(node + len))
				return IFX__RT_NONE;
			if (number != NULL)
				*number = node + len;
			return kinds[i].runtime;
		}
	}
	return IFX__RT_NONE;
}

char *ifx__release_with(const char *node)
{
	const char *number;
	char *out = NULL;
	unsigned major;

	switch (ifx__runtime_of(node, &number)) {
	case IFX__RT_GLIBC:
		if (asprintf(&out, "glibc %s", number) < 0)
			out = NULL;
		return out;
	case IFX__RT_GCC:
		/* GCC_7.0.0 came with GCC 7, GCC_3.4.2 with GCC 3.4.2: from GCC 5
		 * on the first release of a series is X.1, and the node says X */
		if (sscanf(number, "%u", &major) == 1 && major >= 5)
			return asprintf(&out, "GCC %u", major) < 0 ? NULL : out;
		return asprintf(&out, "GCC %s", number) < 0 ? NULL : out;
	case IFX__RT_GLIBCXX:
	case IFX__RT_CXXABI:
		for (size_t i = 0; i < sizeof(releases) / sizeof(releases[0]); i++)
			if (strcmp(releases[i].node, node) == 0)
				return strdup(releases[i].release);
		return NULL;
	case IFX__RT_NONE:
		break;
	}
	return NULL;
}

char *ifx_version_release(const char *node)
{
	return node != NULL ? ifx__release_with(node) : NULL;
}
