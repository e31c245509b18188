/* Writing a plan's bytes: only the bytes that change, never the file. */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "internal.h"

enum ifx_status patch_apply(int fd, const struct patch_plan *plan,
			    struct ifx_error *err)
{
	for (size_t i = 0; i < plan->count; i++) {
		const struct patch_write *w = &plan->writes[i];
		size_t done = 0;

		while (done < w->len) {
			ssize_t n = pwrite(fd, w->bytes + done, w->len - done,
					   (off_t)(w->offset + done));
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return error_set_errno(err, errno, "cannot write");
			if (n == 0)
				return error_set(err, IFX_ERR_IO,
						 "cannot write: no progress");
			done += (size_t)n;
		}
	}
	return IFX_OK;
}
