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

struct cache {
	char *root;
	unsigned char *buf;   /* the whole file */
	size_t size;
	size_t hdr;           /* offset of the new-format header */
	uint32_t nlibs;
	bool valid;
};

static struct cache cached;

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

/* Where the new-format header starts, after an old table if there is one. */
static bool find_header(struct cache *c)
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
	return (c->size - at - HEADER_LEN) / NEW_ENTRY_LEN >= c->nlibs;
}

static void load(const char *root)
{
	char path[4096];

	free(cached.root);
	free(cached.buf);
	memset(&cached, 0, sizeof(cached));
	cached.root = strdup(root);
	snprintf(path, sizeof(path), "%s/etc/ld.so.cache", root);
	cached.buf = slurp(path, &cached.size);
	cached.valid = cached.buf != NULL && find_header(&cached);
}

/* A NUL-terminated string at offset off from the header, or NULL. */
static const char *string_at(uint32_t off)
{
	size_t at = cached.hdr + off;

	if (at >= cached.size || memchr(cached.buf + at, '\0', cached.size - at) == NULL)
		return NULL;
	return (const char *)cached.buf + at;
}

/* The cache is read once per root and process: check asks it for every
 * library of every file in a tree. */
bool ld_cache_lookup(const char *root, const char *name, struct dir_list *paths)
{
	if (root == NULL || strcmp(root, "/") == 0)
		root = "";
	if (cached.root == NULL || strcmp(cached.root, root) != 0)
		load(root);
	if (!cached.valid)
		return false;
	for (uint32_t i = 0; i < cached.nlibs; i++) {
		const unsigned char *e = cached.buf + cached.hdr + HEADER_LEN +
					 (size_t)i * NEW_ENTRY_LEN;
		const char *key = string_at(u32(e + 4)), *value = string_at(u32(e + 8));

		if (key != NULL && value != NULL && strcmp(key, name) == 0)
			dir_list_add(paths, value);
	}
	return true;
}
