/*
 * Telling archives by their first bytes, not by name: a zip begins with a
 * local file header ("PK\3\4") or, when empty, the end-of-directory record
 * ("PK\5\6"); a tar header has "ustar" at offset 257 (POSIX "ustar\0", GNU
 * "ustar  "); gzip, xz, zstd and bzip2 streams have their magic numbers
 * (only decompressing tells whether a tar is inside: archive-detect.c).
 */
#include "config.h"

#include <string.h>

#include <zlib.h>

#include "internal.h"

/* gzip, by far the most common compressed file (a tree of man pages has
 * thousands): its first 512 bytes inflated by zlib directly, which costs
 * microseconds where setting up libarchive costs a hundred. */
int ifx__gzip_holds_tar(const unsigned char *head, size_t len)
{
	unsigned char out[IFX_ARCHIVE_SNIFF];
	z_stream z;
	int rc;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return -1;
	z.next_in = (unsigned char *)head;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = sizeof(out);
	rc = inflate(&z, Z_SYNC_FLUSH);
	inflateEnd(&z);
	if (z.avail_out == 0)
		return memcmp(out + 257, "ustar", 5) == 0;
	if (rc == Z_STREAM_END || (rc != Z_OK && rc != Z_BUF_ERROR))
		return 0; /* shorter than one tar header, or not gzip after all */
	return -1; /* the bytes given did not inflate to 512: cannot tell */
}

static bool has_prefix(const unsigned char *head, size_t len, const char *magic, size_t n)
{
	return len >= n && memcmp(head, magic, n) == 0;
}

enum ifx_archive_format ifx__archive_magic(const unsigned char *head, size_t len,
						  bool *compressed)
{
	*compressed = false;
	if (has_prefix(head, len, "PK\3\4", 4) || has_prefix(head, len, "PK\5\6", 4))
		return IFX_ARCHIVE_ZIP;
	if (len >= 263 && memcmp(head + 257, "ustar", 5) == 0)
		return IFX_ARCHIVE_TAR;
	if (has_prefix(head, len, "\x1f\x8b", 2) ||                  /* gzip */
	    has_prefix(head, len, "\xfd" "7zXZ\0", 6) ||             /* xz */
	    has_prefix(head, len, "\x28\xb5\x2f\xfd", 4) ||          /* zstd */
	    (has_prefix(head, len, "BZh", 3) && len > 3 && head[3] >= '1' && head[3] <= '9')) {
		*compressed = true;
		return IFX_ARCHIVE_TAR; /* to be confirmed by looking inside */
	}
	return IFX_ARCHIVE_NONE;
}

