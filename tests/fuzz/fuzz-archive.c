/* libFuzzer target: any bytes as an archive. Scans them (every member
 * sniffed and inspected), then fixes them into a memory file with the
 * resolver's choice, dry-run and for real: nothing may crash, hang, leak
 * or write outside the output. Build: make fuzz-smoke (needs clang). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "interpfix.h"

static int memfd_with(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-archive", MFD_CLOEXEC);

	if (fd < 0)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const globs[] = { "*" };
	struct ifx_archive_options opts = { .size = sizeof(opts), .members = globs,
					    .member_count = 1, .spool_threshold = 4096 };
	struct ifx_archive_result res = IFX_INIT(ifx_archive_result);
	struct ifx_fix_options fix = IFX_INIT(ifx_fix_options);
	struct ifx_error err;
	char path[64];
	int fd = memfd_with(data, size);

	ifx_archive_detect(fd);
	ifx_archive_scan(fd, &opts, &res, &err);
	ifx_archive_result_free(&res);
	/* a fix writes a sibling of the archive: through /proc, in a temp dir */
	fix.target = "/lib64/ld-linux-x86-64.so.2";
	fix.dry_run = true;
	opts.fix = &fix;
	opts.keep_going = true;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ifx_archive_fix(AT_FDCWD, path, &opts, &res, &err);
	ifx_archive_result_free(&res);
	close(fd);
	return 0;
}
