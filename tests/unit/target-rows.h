/* src/lib/targets/targets.def read by the unit tests themselves, as rows,
 * not through the library: what the library gives is compared with it. */
#ifndef IFX_TEST_TARGET_ROWS_H
#define IFX_TEST_TARGET_ROWS_H

#include "interpfix.h"

struct target_row {
	const char *name;
	const char *family;
	const char *base;
	const char *arches;
	enum ifx_libc libc;
	const char *libc_version;
	const char *glibcxx;
	const char *cxxabi;
	const char *gcc;
	const char *note;
	const char *source;
};

struct alias_row {
	const char *name;
	const char *target;
	const char *note;
};

static const struct target_row target_rows[] = {
#define IFX_TARGET(name, family, base, arches, libc, libc_version, glibcxx, \
		   cxxabi, gcc, note, source) \
	{ name, family, base, arches, libc, libc_version, glibcxx, cxxabi, \
	  gcc, note, source },
#define IFX_TARGET_ALIAS(alias, target, note)
#include "targets/targets.def"
#undef IFX_TARGET
#undef IFX_TARGET_ALIAS
};

static const struct alias_row alias_rows[] = {
#define IFX_TARGET(name, family, base, arches, libc, libc_version, glibcxx, \
		   cxxabi, gcc, note, source)
#define IFX_TARGET_ALIAS(alias, target, note) { alias, target, note },
#include "targets/targets.def"
#undef IFX_TARGET
#undef IFX_TARGET_ALIAS
};

#endif
