/* ifx_version: the library's own version, as configure.ac declares it. */
#include "config.h"

#include "internal.h"

const char *ifx_version(void)
{
	return PACKAGE_VERSION;
}
