/*
 * The `size` rule of the public structs (interpfix.h, "Structs that grow"):
 * a caller says how big its struct is, the library reads and fills only
 * that much. Every field of this version is in the first layout, so today
 * a struct smaller than ours is a caller that forgot IFX_INIT; when fields
 * are appended, the first layout's size stays the minimum.
 */
#include "config.h"

#include <string.h>

#include "internal.h"

static size_t sized_get(const void *obj)
{
	size_t size;

	memcpy(&size, obj, sizeof(size));
	return size;
}

enum ifx_status ifx__sized_out(void *out, size_t ours, const char *what,
			       struct ifx_error *err)
{
	size_t theirs;

	if (out == NULL)
		return ifx__error_set(err, IFX_ERR_USAGE, "no struct %s to fill", what);
	theirs = sized_get(out);
	if (theirs < ours)
		return ifx__error_set(err, IFX_ERR_USAGE,
				      "struct %s: size %zu is not set or too small "
				      "(initialise it with IFX_INIT(%s))", what, theirs, what);
	/* fields a newer header knows and we do not read as zero */
	memset((char *)out + sizeof(size_t), 0, theirs - sizeof(size_t));
	return IFX_OK;
}

enum ifx_status ifx__sized_in(void *local, size_t ours, const void *given,
			      const char *what, struct ifx_error *err)
{
	size_t theirs;

	memset(local, 0, ours);
	memcpy(local, &ours, sizeof(ours));
	if (given == NULL)
		return IFX_OK;
	theirs = sized_get(given);
	if (theirs < ours)
		return ifx__error_set(err, IFX_ERR_USAGE,
				      "struct %s: size %zu is not set or too small "
				      "(initialise it with IFX_INIT(%s))", what, theirs, what);
	/* what a newer caller adds beyond our fields is not ours to read */
	memcpy((char *)local + sizeof(size_t), (const char *)given + sizeof(size_t),
	       ours - sizeof(size_t));
	return IFX_OK;
}

void ifx__sized_clear(void *obj, size_t ours)
{
	size_t size = sized_get(obj);

	memset(obj, 0, ours);
	memcpy(obj, &size, sizeof(size));
}
