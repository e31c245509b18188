/* libFuzzer target: any bytes as an ELF file. Inspects them, plans a fix to
 * a shorter, an equal and a longer interpreter, and applies each plan into
 * a buffer. Invariants: a result is inspected again and names the new path;
 * it grows by at most the string, the header copy and 1 MiB of hole (never
 * by what hostile headers ask for); fixing it again to another path of the
 * same length changes no size (no pile-up). Build: make fuzz-smoke (needs
 * clang). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interpfix.h"

/* The path with its last byte changed: as long, so a second fix must fit
 * where the first put it, whatever layout that was. */
static void refix_same_length(const unsigned char *file, size_t size, const char *path,
			      const struct ifx_target_options *vet)
{
	char other[128];
	struct ifx_fix_options opts = { .size = sizeof(opts), .target = other, .vet = vet };
	struct ifx_plan *plan = NULL;
	struct ifx_error err;

	snprintf(other, sizeof(other), "%s", path);
	other[strlen(other) - 1] = other[strlen(other) - 1] == 'x' ? 'y' : 'x';
	if (ifx_plan_buffer(file, size, &opts, &plan, &err) != IFX_OK)
		abort(); /* it was just written by us: it must be fixable again */
	if (ifx_plan_report(plan)->result == IFX_FIX_CHANGED && ifx_plan_output_size(plan) != size)
		abort();
	ifx_plan_free(plan);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const targets[] = {
		"/lib/ld.so", "/lib64/ld-linux-x86-64.so.2",
		"/a/much/longer/loader/path/than/any/of/the/standard/ones/ld-linux-x86-64.so.2",
	};
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
	struct ifx_target_options vet = { .size = sizeof(vet), .force = true, .portable = true };
	struct ifx_error err;

	if (ifx_inspect_buffer(data, size, &info, &err) == IFX_OK)
		ifx_elf_info_free(&info);
	for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
		struct ifx_fix_options opts = { .size = sizeof(opts), .target = targets[t], .vet = &vet };
		struct ifx_plan *plan = NULL;
		size_t len = 0;

		if (ifx_plan_buffer(data, size, &opts, &plan, &err) != IFX_OK)
			continue;
		uint64_t need = ifx_plan_output_size(plan);
		unsigned char *out = need < (64u << 20) ? malloc(need ? need : 1) : NULL;

		if (out != NULL && ifx_plan_apply_buffer(plan, data, size, out, need, &len, &err) == IFX_OK &&
		    ifx_plan_report(plan)->result == IFX_FIX_CHANGED) {
			struct ifx_elf_info after = IFX_INIT(ifx_elf_info);

			/* what was written reads back with the new interpreter */
			if (ifx_inspect_buffer(out, len, &after, &err) != IFX_OK ||
			    after.interp == NULL || strcmp(after.interp, targets[t]) != 0)
				abort();
			ifx_elf_info_free(&after);
			/* bounded growth: the string, a header copy (at most the
			 * kernel's 64 KiB), alignment and the 1 MiB hole limit */
			if (len > size + (1u << 20) + (1u << 17))
				abort();
			refix_same_length(out, len, targets[t], &vet);
		}
		free(out);
		ifx_plan_free(plan);
	}
	return 0;
}
