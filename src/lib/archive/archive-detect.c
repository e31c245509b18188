/*
 * Telling archives by content, not by name: the first bytes (archive-magic.c
 * in inspect/), and for a gzip, xz, zstd or bzip2 stream, whether libarchive
 * finds a tar header inside (a compressed man page is not a tar).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "internal.h"

struct peek {
	int fd;
	off_t pos;
	unsigned char buf[16384];
};

static la_ssize_t peek_read(struct archive *a, void *data, const void **out)
{
	struct peek *p = data;
	ssize_t n;

	(void)a;
	do
		n = pread(p->fd, p->buf, sizeof(p->buf), p->pos);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	p->pos += n;
	*out = p->buf;
	return n;
}

/* Whether a compressed stream holds a tar: its first header must parse. */
static bool compressed_tar(int fd)
{
	struct archive *a = archive_read_new();
	struct archive_entry *entry;
	struct peek p = { .fd = fd };
	bool tar = false;

	if (a == NULL)
		return false;
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open(a, &p, NULL, peek_read, NULL) == ARCHIVE_OK) {
		int r = archive_read_next_header(a, &entry);

		/* an empty tar is only end-of-archive blocks */
		tar = r == ARCHIVE_OK || r == ARCHIVE_WARN ||
		      (r == ARCHIVE_EOF && (archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) ==
					   ARCHIVE_FORMAT_TAR);
	}
	archive_read_free(a);
	return tar;
}

IFX_API enum ifx_archive_format ifx_archive_detect(int fd)
{
	unsigned char head[IFX_ARCHIVE_HEAD];
	enum ifx_archive_format format;
	bool compressed;
	ssize_t n;

	do
		n = pread(fd, head, sizeof(head), 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return IFX_ARCHIVE_NONE;
	format = ifx__archive_magic(head, (size_t)n, &compressed);
	if (format == IFX_ARCHIVE_TAR && compressed) {
		int tar = head[0] == 0x1f ? ifx__gzip_holds_tar(head, (size_t)n) : -1;

		if (tar == 0 || (tar < 0 && !compressed_tar(fd)))
			return IFX_ARCHIVE_NONE;
	}
	return format;
}
