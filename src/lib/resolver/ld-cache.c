/*
 * Reading /etc/ld.so.cache the way ld.so does, without running ldconfig:
 * the "glibc-ld.so.cache1.1" format (sysdeps/generic/dl-cache.h), which
 * ldconfig writes by default since glibc 2.32, alone or after the old
 * "ld.so-1.7.0" table. Entries are { flags, key, value, osversion, hwcap };
 * key and value are string offsets from the start of the new header.
 * Only a cache in this machine's byte order is read (flags byte 2 = LSB).
 */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define OLD_MAGIC "ld.so-1.7.0"
#define NEW_MAGIC "glibc-ld.so.cache1.1"
#define HEADER_LEN 48
#define OLD_ENTRY_LEN 12
#define NEW_ENTRY_LEN 24
#define CACHE_MAX (64u << 20)

#define EXTENSION_MAGIC 0xeaa42174u /* (uint32_t) -358342284 */
#define EXTENSION_TAG_GLIBC_HWCAPS 1
#define HWCAP_EXTENSION_HIGH 0x40000000u /* DL_CACHE_HWCAP_EXTENSION >> 32 */

struct ld_cache {
	unsigned char *buf;   /* the whole file */
	size_t size;
	size_t hdr;           /* offset of the new-format header */
	uint32_t nlibs;
	size_t hwcaps_at;     /* the glibc-hwcaps extension: uint32 string offsets */
	uint32_t hwcaps_count;
	bool valid;
};


static bool host_is_little_endian(void)
{
	const uint16_t one = 1;

	return *(const unsigned char *)&one == 1;
}

static uint32_t u32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static unsigned char *slurp(const char *path, size_t *size)
{
	unsigned char *buf = NULL;
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
	    (uint64_t)sb.st_size <= CACHE_MAX && (buf = malloc((size_t)sb.st_size)) != NULL &&
	    pread(fd, buf, (size_t)sb.st_size, 0) != sb.st_size) {
		free(buf);
		buf = NULL;
	}
	*size = buf ? (size_t)sb.st_size : 0;
	close(fd);
	return buf;
}

/* The glibc-hwcaps names of the cache extension (glibc 2.33+), which
 * entries marked DL_CACHE_HWCAP_EXTENSION index. Absent: none. */
static void find_hwcaps(struct ld_cache *c, uint32_t ext)
{
	size_t at = c->hdr + ext, count;

	if (ext == 0 || at >= c->size || c->size - at < 8 || u32(c->buf + at) != EXTENSION_MAGIC)
		return;
	count = u32(c->buf + at + 4);
	if (count > (c->size - at - 8) / 16)
		return;
	for (size_t i = 0; i < count; i++) {
		const unsigned char *sec = c->buf + at + 8 + i * 16;
		size_t off = c->hdr + u32(sec + 8), size = u32(sec + 12);

		if (u32(sec) != EXTENSION_TAG_GLIBC_HWCAPS || off > c->size || size > c->size - off)
			continue;
		c->hwcaps_at = off;
		c->hwcaps_count = (uint32_t)(size / 4);
	}
}

/* Where the new-format header starts, after an old table if there is one. */
static bool find_header(struct ld_cache *c)
{
	size_t at = 0;

	if (c->size >= sizeof(OLD_MAGIC) - 1 + 4 &&
	    memcmp(c->buf, OLD_MAGIC, sizeof(OLD_MAGIC) - 1) == 0) {
		uint32_t n = u32(c->buf + sizeof(OLD_MAGIC) - 1);

		at = sizeof(OLD_MAGIC) - 1 + 4 + (size_t)n * OLD_ENTRY_LEN;
		at = (at + 7) & ~(size_t)7; /* __alignof__ (struct cache_file_new) */
	}
	if (at > c->size || c->size - at < HEADER_LEN ||
	    memcmp(c->buf + at, NEW_MAGIC, sizeof(NEW_MAGIC) - 1) != 0)
		return false;
	c->hdr = at;
	c->nlibs = u32(c->buf + at + 20);
	if (c->buf[at + 28] != (host_is_little_endian() ? 2 : 3))
		return false;
	if ((c->size - at - HEADER_LEN) / NEW_ENTRY_LEN < c->nlibs)
		return false;
	find_hwcaps(c, u32(c->buf + at + 32));
	return true;
}

/* The cache of root ("" or NULL: the host), read once for a context. A
 * missing or unreadable cache gives an empty one (valid false). NULL only
 * when out of memory. */
struct ld_cache *ifx__ld_cache_load(const char *root)
{
	struct ld_cache *c = calloc(1, sizeof(*c));
	char *host = NULL;

	if (c == NULL)
		return NULL;
	if (root == NULL || strcmp(root, "/") == 0)
		root = "";
	/* inside a root, symlinks are the root's (an absolute one must not
	 * lead out to the host's cache) */
	if (root[0] == '\0') {
		c->buf = slurp("/etc/ld.so.cache", &c->size);
	} else if (ifx__root_path_resolve(root, "/etc/ld.so.cache", &host, NULL) == IFX_OK) {
		c->buf = slurp(host, &c->size);
		free(host);
	}
	c->valid = c->buf != NULL && find_header(c);
	return c;
}

void ifx__ld_cache_free(struct ld_cache *c)
{
	if (c == NULL)
		return;
	free(c->buf);
	free(c);
}

/* A NUL-terminated string at offset off from the header, or NULL. */
static const char *string_at(const struct ld_cache *c, uint32_t off)
{
	size_t at = c->hdr + off;

	if (at >= c->size || memchr(c->buf + at, '\0', c->size - at) == NULL)
		return NULL;
	return (const char *)c->buf + at;
}

static const unsigned char *entry(const struct ld_cache *c, uint32_t i)
{
	return c->buf + c->hdr + HEADER_LEN + (size_t)i * NEW_ENTRY_LEN;
}

/* The glibc-hwcaps name a cache entry is for, "" for an ordinary entry,
 * NULL when it uses legacy hwcap bits or is damaged. */
static const char *entry_hwcaps(const struct ld_cache *c, const unsigned char *e)
{
	uint64_t hwcap;
	uint32_t index;

	memcpy(&hwcap, e + 16, sizeof(hwcap));
	if (hwcap == 0)
		return "";
	if ((uint32_t)(hwcap >> 32) != HWCAP_EXTENSION_HIGH)
		return NULL;
	index = (uint32_t)hwcap;
	if (index >= c->hwcaps_count)
		return NULL;
	return string_at(c, u32(c->buf + c->hwcaps_at + (size_t)index * 4));
}

bool ifx__ld_cache_lookup(const struct ld_cache *c, const char *name, struct dir_list *paths)
{
	if (c == NULL || !c->valid)
		return false;
	for (uint32_t i = 0; i < c->nlibs; i++) {
		const unsigned char *e = entry(c, i);
		const char *key = string_at(c, u32(e + 4)), *value = string_at(c, u32(e + 8));

		if (key != NULL && value != NULL && strcmp(key, name) == 0)
			ifx__dir_list_add(paths, value);
	}
	return true;
}

/* As glibc's _dl_load_cache_lookup (elf/dl-cache.c): among the entries for
 * name whose flags are this kind of binary's, the glibc-hwcaps entry of the
 * best active level, else the first ordinary entry. */
int ifx__ld_cache_best(const struct ld_cache *c, const char *name, int flags,
		       const struct dir_list *hwcaps, char **path)
{
	const char *best = NULL;
	size_t best_rank = (size_t)-1;

	*path = NULL;
	if (c == NULL || !c->valid)
		return -1;
	for (uint32_t i = 0; i < c->nlibs; i++) {
		const unsigned char *e = entry(c, i);
		const char *key = string_at(c, u32(e + 4)), *value = string_at(c, u32(e + 8)), *hw;
		int32_t eflags;

		if (key == NULL || value == NULL || strcmp(key, name) != 0)
			continue;
		memcpy(&eflags, e, sizeof(eflags));
		if (flags >= 0 && eflags != flags)
			continue;
		hw = entry_hwcaps(c, e);
		if (hw == NULL)
			continue;
		if (hw[0] == '\0') {
			if (best == NULL)
				best = value, best_rank = hwcaps->count;
			continue;
		}
		for (size_t k = 0; k < hwcaps->count && k < best_rank; k++) {
			size_t len = strlen(hw);

			/* hwcaps items are "glibc-hwcaps/NAME/" */
			if (strncmp(hwcaps->items[k] + 13, hw, len) == 0 &&
			    strcmp(hwcaps->items[k] + 13 + len, "/") == 0) {
				best = value, best_rank = k;
				break;
			}
		}
	}
	if (best == NULL)
		return 0;
	*path = strdup(best);
	return *path != NULL ? 1 : -1;
}
