/* Helpers shared by the unit tests: fixtures built by real toolchains. */
#ifndef IFX_TESTHELP_H
#define IFX_TESTHELP_H

#include <stdbool.h>
#include <stddef.h>

#include "interpfix.h"

/* Path of fixture NAME (malloc'd), or NULL when it was not built here. */
char *th_fixture(const char *name);
/* Skip the whole test binary ("1..0 # SKIP") when a fixture is missing,
 * or fail when IFX_REQUIRE_FIXTURES=1. names ends with NULL. */
void th_require_fixtures(const char *const *names);
/* Inspect the file at path; returns the status. */
enum ifx_status th_inspect(const char *path, struct ifx_elf_info *info,
			   struct ifx_error *err);
/* Standard output of a shell command (malloc'd, trailing newline cut). */
char *th_command_output(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* A fresh private directory (malloc'd); th_rmtree removes it. */
char *th_tempdir(void);
void th_rmtree(const char *dir);
/* Write bytes to dir/name; returns the malloc'd path. */
char *th_write_file(const char *dir, const char *name, const void *bytes,
		    size_t len);
/* Copy a file; returns 0 on success. */
int th_copy_file(const char *from, const char *to);
/* Whether two files have the same bytes. */
bool th_same_bytes(const char *a, const char *b);

#endif
