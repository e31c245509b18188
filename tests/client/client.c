/*
 * A third-party program that uses libinterpfix the way a packaging tool or
 * an archive repairer would: only <interpfix.h>, found with pkg-config,
 * no paths handed to the library for the fix itself.
 *
 * Usage: client BINARY OTHER-LIBC-LOADER OUT
 *   1. reads BINARY into memory and inspects the buffer;
 *   2. plans its fix on an fd (the resolver chooses the loader) and applies
 *      it fd to fd into OUT;
 *   3. plans the same fix on the buffer, applies it into a buffer, and
 *      compares the bytes with OUT;
 *   4. asks for OTHER-LIBC-LOADER without asking for any safety: the library
 *      must refuse (a glibc binary given musl's loader).
 * Prints one line per step; exits 0 only when every step did as expected.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <interpfix.h>

static unsigned char *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (f != NULL)
		fclose(f);
	*size = buf != NULL ? (size_t)n : 0;
	return buf;
}

int main(int argc, char **argv)
{
	struct ifx_fix_options opts = IFX_INIT(ifx_fix_options), swap = IFX_INIT(ifx_fix_options);
	struct ifx_plan *plan = NULL, *bplan = NULL, *refused = NULL;
	unsigned char *buf, *result = NULL, *written = NULL;
	size_t size, len = 0, wlen = 0;
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
	struct ifx_error err;
	int in, out, failed = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: client BINARY OTHER-LIBC-LOADER OUT\n");
		return 2;
	}
	printf("library %s, header %s\n", ifx_version(), IFX_VERSION_STRING);
	buf = slurp(argv[1], &size);
	if (buf == NULL || ifx_inspect_buffer(buf, size, &info, &err) != IFX_OK) {
		printf("inspect buffer: failed: %s\n", buf ? err.message : strerror(errno));
		return 1;
	}
	printf("inspect buffer: %s %s, interp %s\n", ifx_machine_name(info.machine, info.elf_class, info.data),
	       ifx_libc_name(info.libc), info.has_interp ? info.interp : "(none)");
	ifx_elf_info_free(&info);

	in = open(argv[1], O_RDONLY | O_CLOEXEC);
	out = open(argv[3], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (in < 0 || out < 0 || ifx_plan_fd(in, &opts, &plan, &err) != IFX_OK) {
		printf("plan fd: failed: %s\n", in < 0 || out < 0 ? strerror(errno) : err.message);
		return 1;
	}
	printf("plan fd: %s -> %s\n", ifx_plan_report(plan)->old_interp,
	       ifx_plan_report(plan)->new_interp);
	if (ifx_plan_apply_fd(plan, in, out, &err) != IFX_OK) {
		printf("apply fd: failed: %s\n", err.message);
		failed = 1;
	} else {
		printf("apply fd: %llu bytes written\n", (unsigned long long)ifx_plan_output_size(plan));
	}
	close(in);
	close(out);

	if (ifx_plan_buffer(buf, size, &opts, &bplan, &err) != IFX_OK ||
	    (result = malloc(ifx_plan_output_size(bplan))) == NULL ||
	    ifx_plan_apply_buffer(bplan, buf, size, result, ifx_plan_output_size(bplan), &len,
				  &err) != IFX_OK) {
		printf("apply buffer: failed: %s\n", err.message);
		failed = 1;
	} else {
		written = slurp(argv[3], &wlen);
		printf("apply buffer: %s the fd result\n",
		       written != NULL && wlen == len && memcmp(written, result, len) == 0
			       ? "same bytes as" : "DIFFERENT from");
		if (written == NULL || wlen != len || memcmp(written, result, len) != 0)
			failed = 1;
	}

	swap.target = argv[2];
	if (ifx_plan_buffer(buf, size, &swap, &refused, &err) == IFX_REFUSED && refused == NULL) {
		printf("libc swap: refused: %s\n", err.message);
	} else {
		printf("libc swap: NOT refused\n");
		failed = 1;
	}
	ifx_plan_free(plan);
	ifx_plan_free(bplan);
	ifx_plan_free(refused);
	free(buf);
	free(result);
	free(written);
	return failed;
}
