/*
 * One loop for reading a deflate stream: the splices of zip-deflate.c and
 * tar-splice.c each inflate a stream to find its block boundaries, to check
 * a result, to take bytes out of it or to sum its CRC. This reads the
 * compressed bytes from a spool or a file, inflates them with the flush
 * asked for (Z_BLOCK stops at every block boundary) and hands each piece of
 * output, with the stream's state, to the caller until it says stop.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define CHUNK 65536

static ssize_t source_read(const struct inflate_source *src, unsigned char *buf, size_t len,
			   uint64_t off)
{
	ssize_t n;

	if (src->spool != NULL)
		return ifx__spool_pread(src->spool, buf, len, off);
	do
		n = pread(src->fd, buf, len, (off_t)off);
	while (n < 0 && errno == EINTR);
	return n;
}

int ifx__inflate_walk(const struct inflate_source *src, int window_bits, int flush,
		      inflate_visit visit, void *ctx, struct inflate_end *end)
{
	unsigned char in[CHUNK], out[CHUNK];
	uint64_t read_at = src->from;
	z_stream z;
	int rc = Z_OK;

	memset(&z, 0, sizeof(z));
	memset(end, 0, sizeof(*end));
	if (inflateInit2(&z, window_bits) != Z_OK)
		return Z_MEM_ERROR;
	while (rc == Z_OK) {
		if (z.avail_in == 0) {
			ssize_t n = source_read(src, in, sizeof(in), read_at);

			if (n <= 0) {
				rc = n < 0 ? Z_ERRNO : Z_BUF_ERROR; /* unreadable, or cut short */
				break;
			}
			read_at += (uint64_t)n;
			z.next_in = in;
			z.avail_in = (uInt)n;
		}
		z.next_out = out;
		z.avail_out = sizeof(out);
		rc = inflate(&z, flush);
		if ((rc == Z_OK || rc == Z_STREAM_END) &&
		    !visit(out, sizeof(out) - z.avail_out, &z, ctx))
			break;
	}
	end->total_in = z.total_in;
	end->total_out = z.total_out;
	inflateEnd(&z);
	return rc;
}
