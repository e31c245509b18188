/*
 * Copying bytes between files, the one way every writer of the patcher
 * does it: FICLONE shares the extents of a whole file (instant on btrfs and
 * XFS); copy_file_range lets the kernel copy (server-side on NFS); pread and
 * pwrite through one bounded buffer last, so memory stays flat. Holes
 * stay holes: only the data SEEK_DATA finds is copied, since neither
 * copy_file_range nor a buffer keeps them, and a layout grown over .bss or
 * an address gap would otherwise be written out as zeros by the next fix.
 * Every destination is a new file (or one cut short), so what is not copied
 * reads as zeros.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fs.h>

#include <zlib.h>

#include "internal.h"

#define COPY_CHUNK (1u << 20)

/* Errors that mean "copy_file_range cannot do this here", not "the copy
 * failed": another filesystem on old kernels, no syscall, a filesystem
 * without support. */
static bool kernel_copy_unsupported(int errnum)
{
	return errnum == EXDEV || errnum == ENOSYS || errnum == EOPNOTSUPP ||
	       errnum == EINVAL;
}

static enum ifx_status copy_by_buffer(int src, off_t from, int dst, off_t to, uint64_t len,
				      struct ifx_error *err)
{
	size_t cap = len < COPY_CHUNK ? (size_t)len : COPY_CHUNK;
	enum ifx_status st = IFX_OK;
	unsigned char *buf = malloc(cap);

	if (buf == NULL)
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	while (len > 0 && st == IFX_OK) {
		size_t want = len < cap ? (size_t)len : cap;
		ssize_t n = pread(src, buf, want, from), done = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			st = ifx__error_set_errno(err, errno, "cannot read the original");
			break;
		}
		if (n == 0) {
			st = ifx__error_set(err, IFX_ERR_IO, "the original shrank while being copied");
			break;
		}
		while (done < n) {
			ssize_t w = pwrite(dst, buf + done, (size_t)(n - done), to + done);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				st = ifx__error_set_errno(err, w < 0 ? errno : EIO, "cannot write the copy");
				break;
			}
			done += w;
		}
		from += n;
		to += n;
		len -= (uint64_t)n;
	}
	free(buf);
	return st;
}

static enum ifx_status copy_data(int src, uint64_t from, int dst, uint64_t to,
				 uint64_t len, struct ifx_error *err)
{
	off_t in = (off_t)from, out = (off_t)to;

	while (len > 0) {
		ssize_t n = copy_file_range(src, &in, dst, &out, len, 0);

		if (n > 0) {
			len -= (uint64_t)n;
			continue;
		}
		if (n == 0)
			return ifx__error_set(err, IFX_ERR_IO, "the original shrank while being copied");
		if (errno == EINTR)
			continue;
		if (!kernel_copy_unsupported(errno))
			return ifx__error_set_errno(err, errno, "cannot copy");
		/* unsupported part way through is possible (a short copy, then
		 * EINVAL): go on from where the kernel stopped */
		break;
	}
	return len > 0 ? copy_by_buffer(src, in, dst, out, len, err) : IFX_OK;
}

enum ifx_status ifx__file_copy_range(int src, uint64_t from, int dst, uint64_t to,
				     uint64_t len, struct ifx_error *err)
{
	uint64_t pos = from, end = from + len;
	struct stat sb;

	while (pos < end) {
		off_t data = lseek(src, (off_t)pos, SEEK_DATA), hole;
		enum ifx_status st;

		if (data < 0 && errno == ENXIO)
			break; /* a hole up to the end of the file */
		if (data < 0) /* no SEEK_DATA here: all of it is data */
			return copy_data(src, pos, dst, to + (pos - from), end - pos, err);
		if ((uint64_t)data >= end)
			break;
		hole = lseek(src, data, SEEK_HOLE);
		if (hole < 0 || (uint64_t)hole > end)
			hole = (off_t)end;
		st = copy_data(src, (uint64_t)data, dst, to + ((uint64_t)data - from),
			       (uint64_t)(hole - data), err);
		if (st != IFX_OK)
			return st;
		pos = (uint64_t)hole;
	}
	/* a hole and a file cut short both end the loop early */
	if (fstat(src, &sb) == 0 && (uint64_t)sb.st_size < end)
		return ifx__error_set(err, IFX_ERR_IO, "the original shrank while being copied");
	return IFX_OK;
}

enum ifx_status ifx__file_copy_all(int src, int dst, uint64_t size, struct ifx_error *err)
{
	enum ifx_status st;

	if (ioctl(dst, FICLONE, src) == 0)
		return IFX_OK;
	/* Any FICLONE error falls through: a real problem (ENOSPC, EIO) shows
	 * up again in the copy, with a clearer step. */
	st = ifx__file_copy_range(src, 0, dst, 0, size, err);
	if (st == IFX_OK && ftruncate(dst, (off_t)size) < 0)
		st = ifx__error_set_errno(err, errno, "cannot write the copy");
	return st;
}

#define PRINT_SPAN 65536

bool ifx__file_fingerprint(int fd, uint64_t size, uint32_t *out)
{
	unsigned char buf[PRINT_SPAN];
	uLong crc = crc32(0, Z_NULL, 0);
	uint64_t spans[2][2] = { { 0, size < PRINT_SPAN ? size : PRINT_SPAN },
				 { size > PRINT_SPAN ? size - PRINT_SPAN : 0, size } };

	for (int i = 0; i < 2; i++) {
		size_t len = (size_t)(spans[i][1] - spans[i][0]);
		ssize_t n;

		do
			n = pread(fd, buf, len, (off_t)spans[i][0]);
		while (n < 0 && errno == EINTR);
		if (n != (ssize_t)len)
			return false;
		crc = crc32(crc, buf, (uInt)len);
	}
	*out = (uint32_t)crc;
	return true;
}
