/* Writing a plan: only the bytes that change; when the layout grows, the
 * data after the ELF image is streamed to its new place, never the file. */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "internal.h"

static enum ifx_status write_all(int fd, const unsigned char *buf, size_t len,
				 uint64_t off, struct ifx_error *err)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(fd, buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ifx__error_set_errno(err, errno, "cannot write");
		if (n == 0)
			return ifx__error_set(err, IFX_ERR_IO, "cannot write: no progress");
		done += (size_t)n;
	}
	return IFX_OK;
}

enum ifx_status ifx__patch_apply(int fd, int orig_fd, const struct patch_plan *plan,
			    struct ifx_error *err)
{
	enum ifx_status st;

	if (plan->grows) {
		/* Cut the copy at the end of the ELF image, so the padding up to
		 * the new segment is a hole of zeros, then put the trailing data
		 * back after the segment. */
		if (ftruncate(fd, (off_t)plan->truncate_to) < 0)
			return ifx__error_set_errno(err, errno, "cannot truncate");
		if (plan->move_len > 0) {
			st = ifx__file_copy_range(orig_fd, plan->move_from, fd, plan->move_to,
					plan->move_len, err);
			if (st != IFX_OK)
				return st;
		}
	}
	for (size_t i = 0; i < plan->count; i++) {
		const struct patch_write *w = &plan->writes[i];

		st = write_all(fd, w->bytes, w->len, w->offset, err);
		if (st != IFX_OK)
			return st;
	}
	if (plan->grows && ftruncate(fd, (off_t)plan->new_size) < 0)
		return ifx__error_set_errno(err, errno, "cannot truncate");
	return IFX_OK;
}
