/* libFuzzer target: any bytes as ROOT/etc/ld.so.cache, read by
 * ifx__ld_cache_load(ROOT) (one root per process, the file rewritten each
 * run, all removed at exit) and looked up for fixed names and for names
 * found in the bytes themselves, with and without hwcaps and entry flags.
 * Besides crashes, aborts when a promise breaks: a path is a string of
 * the file, lookup lists it once, best is one of lookup's paths, and
 * lookup and best agree on whether there is a cache. Build: make fuzz-smoke
 * (needs clang). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)
#define NAMES_FROM_INPUT 4
#define NAME_MAX_LEN 255
#define FLAGS_X86_64_LIBC6 0x0303 /* FLAG_ELF_LIBC6 | FLAG_X8664_LIB64 */

static char root[PATH_MAX - 64];
static char etc[PATH_MAX], cache_path[PATH_MAX];

static void remove_root(void)
{
	unlink(cache_path);
	rmdir(etc);
	rmdir(root);
}

static void make_root(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(root, sizeof(root), "%s/ifx-fuzz-ldcache.XXXXXX",
		 tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
	CHECK(mkdtemp(root) != NULL);
	snprintf(etc, sizeof(etc), "%s/etc", root);
	snprintf(cache_path, sizeof(cache_path), "%s/ld.so.cache", etc);
	CHECK(mkdir(etc, 0755) == 0);
	atexit(remove_root);
}

static void write_cache(const uint8_t *data, size_t size)
{
	int fd = open(cache_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	CHECK(fd >= 0);
	CHECK(size == 0 || write(fd, data, size) == (ssize_t)size);
	CHECK(close(fd) == 0);
}

/* Keys worth looking up: NUL-terminated "lib..." strings of the input
 * (what a cache's string table holds), the first few. */
static size_t names_in(const uint8_t *data, size_t size, char names[][NAME_MAX_LEN + 1],
		       size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i + 3 < size && n < max; i++) {
		const uint8_t *end;
		size_t len;

		if (memcmp(data + i, "lib", 3) != 0 || (i > 0 && data[i - 1] != '\0'))
			continue;
		end = memchr(data + i, '\0', size - i);
		if (end == NULL)
			break;
		len = (size_t)(end - (data + i));
		if (len <= NAME_MAX_LEN) {
			memcpy(names[n], data + i, len + 1);
			n++;
		}
		i += len;
	}
	return n;
}

static bool in_list(const struct dir_list *d, const char *s)
{
	for (size_t i = 0; i < d->count; i++)
		if (strcmp(d->items[i], s) == 0)
			return true;
	return false;
}

/* A path the cache gives is one of its strings: in the input, with its NUL. */
static void check_path(const char *p, const uint8_t *data, size_t size)
{
	size_t len;

	CHECK(p != NULL);
	len = strlen(p);
	CHECK(len < size && memmem(data, size, p, len + 1) != NULL);
}

static void look_up(const struct ld_cache *c, const char *name, const uint8_t *data, size_t size)
{
	static char hw3[] = "glibc-hwcaps/x86-64-v3/", hw2[] = "glibc-hwcaps/x86-64-v2/";
	static char *items[] = { hw3, hw2 };
	const struct dir_list hwcaps[] = { { NULL, 0 }, { items, 2 } };
	static const int flags[] = { -1, FLAGS_X86_64_LIBC6 };
	struct dir_list paths = { NULL, 0 };
	bool valid = ifx__ld_cache_lookup(c, name, &paths);

	CHECK(valid || paths.count == 0);
	for (size_t i = 0; i < paths.count; i++) {
		check_path(paths.items[i], data, size);
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(paths.items[i], paths.items[j]) != 0);
	}
	for (size_t h = 0; h < 2; h++)
		for (size_t f = 0; f < 2; f++) {
			char *best = (char *)"unset";
			int r = ifx__ld_cache_best(c, name, flags[f], &hwcaps[h], &best);

			CHECK(r >= -1 && r <= 1);
			CHECK((r == 1) == (best != NULL));
			CHECK(valid || r == -1); /* valid: -1 only out of memory */
			if (r == 1) {
				check_path(best, data, size);
				CHECK(in_list(&paths, best));
			}
			/* no entry for name at all: nothing to take */
			if (paths.count == 0)
				CHECK(r != 1);
			free(best);
		}
	ifx__dir_list_free(&paths);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fixed[] = { "libc.so.6", "libm.so.6", "libifxfuzz.so.1", "" };
	char names[NAMES_FROM_INPUT][NAME_MAX_LEN + 1];
	struct ld_cache *c;
	size_t n;

	if (root[0] == '\0')
		make_root();
	write_cache(data, size);
	c = ifx__ld_cache_load(root);
	CHECK(c != NULL);
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		look_up(c, fixed[i], data, size);
	n = names_in(data, size, names, NAMES_FROM_INPUT);
	for (size_t i = 0; i < n; i++)
		look_up(c, names[i], data, size);
	ifx__ld_cache_free(c);
	return 0;
}
