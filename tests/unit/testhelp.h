/* Helpers shared by the unit tests: fixtures built by real toolchains. */
#ifndef IFX_TESTHELP_H
#define IFX_TESTHELP_H

#include <stdbool.h>
#include <stddef.h>
#include <unistd.h>

#include "interpfix.h"

/* Path of fixture NAME (malloc'd), or NULL when it was not built here. */
char *th_fixture(const char *name);
/* Skip the whole test binary ("1..0 # SKIP") when a fixture is missing,
 * or fail when IFX_REQUIRE_FIXTURES=1. names ends with NULL. */
void th_require_fixtures(const char *const *names);
/* Skip the current cmocka test with a reason ("needs root"): printed as
 * "# SKIP: reason", which tests/unit/tap-unit.sh turns into a TAP
 * "ok N - name # SKIP reason" (cmocka 1.1.5 writes "not ok # SKIP", which
 * automake's TAP driver counts as a failure). */
#define th_skip(...) do { th_skip_reason(__VA_ARGS__); skip(); } while (0)
void th_skip_reason(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Skip the test unless running as root: "needs root". */
#define th_require_root() do { if (geteuid() != 0) th_skip("needs root"); } while (0)
/* Whether TOOL (a command name) is installed. When it is not, says so in one
 * line; under IFX_REQUIRE_FIXTURES=1 that is a test failure (fail_msg). */
bool th_have_tool(const char *tool);
/* Skip the whole test binary ("1..0 # SKIP needs TOOL") when TOOL is
 * missing, or bail out under IFX_REQUIRE_FIXTURES=1. names ends with NULL. */
void th_require_tools(const char *const *tools);
/* Whether IFX_REQUIRE_FIXTURES=1 (CI: every fixture and tool must be here). */
bool th_require_all(void);
/* Skip the whole binary unless the host is MACHINE (uname -m), for tests
 * whose expected values are that machine's. */
void th_require_host_machine(const char *machine);
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
/* Versions as the target table writes them: "N(.N)*" and nothing else;
 * compared part by part, a missing part 0 (<0, 0, >0: a older, equal,
 * newer). */
bool th_is_version(const char *v);
int th_version_cmp(const char *a, const char *b);
/* Word i (0-based) of a space-separated list into buf; false past the
 * last word. Fails the test on an empty word or one longer than size. */
bool th_word_at(const char *list, size_t i, char *buf, size_t size);

#endif
