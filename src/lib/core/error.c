/* Filling struct ifx_error: the library's only way of saying what went wrong. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static void error_vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
	vsnprintf(buf, size, fmt, ap);
}

enum ifx_status ifx__error_set(struct ifx_error *err, enum ifx_status status,
			  const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return status;
	err->status = status;
	err->sys_errno = 0;
	err->advice[0] = '\0';
	va_start(ap, fmt);
	error_vformat(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return status;
}

enum ifx_status ifx__error_set_errno(struct ifx_error *err, int errnum,
				const char *fmt, ...)
{
	enum ifx_status status = errnum == ENOMEM ? IFX_ERR_NOMEM : IFX_ERR_IO;
	char what[IFX_MSG_MAX / 2];
	va_list ap;

	/* the same status with or without a struct to fill */
	if (err == NULL)
		return status;
	va_start(ap, fmt);
	error_vformat(what, sizeof(what), fmt, ap);
	va_end(ap);
	err->status = status;
	err->sys_errno = errnum;
	err->advice[0] = '\0';
	snprintf(err->message, sizeof(err->message), "%s: %s", what,
		 strerror(errnum));
	return err->status;
}

void ifx__error_advise(struct ifx_error *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	error_vformat(err->advice, sizeof(err->advice), fmt, ap);
	va_end(ap);
}

void ifx__error_clear(struct ifx_error *err)
{
	if (err == NULL)
		return;
	err->status = IFX_OK;
	err->sys_errno = 0;
	err->message[0] = '\0';
	err->advice[0] = '\0';
}

const char *ifx_status_name(enum ifx_status status)
{
	switch (status) {
	case IFX_OK: return "ok";
	case IFX_ERR_USAGE: return "usage";
	case IFX_ERR_IO: return "io";
	case IFX_ERR_NOT_REGULAR: return "not-regular";
	case IFX_ERR_NOT_ELF: return "not-elf";
	case IFX_ERR_MALFORMED: return "malformed";
	case IFX_ERR_UNSUPPORTED: return "unsupported";
	case IFX_ERR_NOMEM: return "nomem";
	case IFX_REFUSED: return "refused";
	case IFX_ERR_ARCHIVE: return "archive";
	}
	return "unknown";
}
