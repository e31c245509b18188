/* Writing a plan: only the bytes that change; when the layout grows, the
 * data after the ELF image is streamed to its new place, never the file. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* What the slot holds now, for an error: printable bytes as they are,
 * NULs as \0 (the padding), the rest as \xNN; at most 160 bytes shown. */
static void describe(char *out, size_t cap, const unsigned char *b, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && i < 160 && o + 5 < cap; i++) {
		if (b[i] == 0)
			o += (size_t)snprintf(out + o, cap - o, "\\0");
		else if (b[i] >= 0x20 && b[i] < 0x7f && b[i] != '\\')
			out[o++] = (char)b[i];
		else
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", b[i]);
	}
	out[o] = '\0';
}

static bool reads_as(int fd, unsigned char *buf, const unsigned char *want, size_t len,
		     uint64_t off)
{
	ssize_t n;

	do
		n = pread(fd, buf, len, (off_t)off);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)len && memcmp(buf, want, len) == 0;
}

/* One pwrite of the whole slot (string and padding), read back; a short or
 * failed write has the old bytes written back, and an error that cannot
 * say "unchanged" says what the slot holds. */
static enum ifx_status write_slot(int fd, const struct patch_write *w, struct ifx_error *err)
{
	unsigned char *old = malloc(w->len), *now = malloc(w->len);
	char held[1024];
	enum ifx_status st = IFX_OK;
	ssize_t n;
	int errnum;

	if (old == NULL || now == NULL) {
		st = ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
		goto out;
	}
	do
		n = pread(fd, old, w->len, (off_t)w->offset);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)w->len) {
		st = ifx__error_set_errno(err, n < 0 ? errno : EIO, "cannot read the interpreter "
					  "before writing it (nothing written)");
		goto out;
	}
	do
		n = pwrite(fd, w->bytes, w->len, (off_t)w->offset);
	while (n < 0 && errno == EINTR);
	errnum = n < 0 ? errno : EIO;
	if (n == (ssize_t)w->len && reads_as(fd, now, w->bytes, w->len, w->offset))
		goto out;
	/* Partly written, or not what was written: put the old bytes back. */
	do
		n = pwrite(fd, old, w->len, (off_t)w->offset);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)w->len && reads_as(fd, now, old, w->len, w->offset)) {
		st = ifx__error_set_errno(err, errnum, "cannot write the interpreter (the file "
					  "is unchanged)");
		goto out;
	}
	if (reads_as(fd, now, w->bytes, w->len, w->offset))
		goto out; /* the first write did land after all */
	if (pread(fd, now, w->len, (off_t)w->offset) == (ssize_t)w->len) {
		describe(held, sizeof(held), now, w->len);
		st = ifx__error_set_errno(err, errnum, "cannot write the interpreter, nor put "
					  "the old one back: the %zu bytes at offset 0x%llx now "
					  "hold \"%s\"", w->len, (unsigned long long)w->offset, held);
	} else {
		st = ifx__error_set_errno(err, errnum, "cannot write the interpreter, nor put "
					  "the old one back, nor read what the %zu bytes at offset "
					  "0x%llx now hold", w->len, (unsigned long long)w->offset);
	}
	ifx__error_advise(err, "restore the file from a copy, or run the fix again without "
			  "--in-place");
out:
	free(old);
	free(now);
	return st;
}

enum ifx_status ifx__patch_apply_in_place(int fd, const struct patch_plan *plan,
					  struct ifx_error *err)
{
	if (plan->grows || plan->relocated || plan->count != 1)
		return ifx__error_set(err, IFX_ERR_UNSUPPORTED, "the layout changes: it cannot "
				      "be written in place");
	return write_slot(fd, &plan->writes[0], err);
}
