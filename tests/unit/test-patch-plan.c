/* ifx__patch_plan_make and ifx__patch_apply: what a fix writes, and nothing more. */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "internal.h"
#include "testhelp.h"

static struct ifx_elf_info fake_interp(uint64_t off, uint64_t size)
{
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);

	memset(&info, 0, sizeof(info));
	info.has_interp = true;
	info.interp = "/home/linuxbrew/.linuxbrew/lib/ld.so";
	info.interp_offset = off;
	info.interp_size = size;
	return info;
}

static void test_shorter_path_is_padded_with_nuls(void **state)
{
	struct ifx_elf_info info = fake_interp(0x318, 37);
	const char *target = "/lib64/ld-linux-x86-64.so.2";
	struct patch_plan plan;
	struct ifx_error err;

	(void)state;
	assert_int_equal(ifx__patch_plan_make(-1, &info, target, &plan, &err), IFX_OK);
	assert_int_equal(plan.count, 1);
	assert_int_equal(plan.writes[0].offset, 0x318);
	assert_int_equal(plan.writes[0].len, 37);
	assert_memory_equal(plan.writes[0].bytes, target, strlen(target));
	for (size_t i = strlen(target); i < 37; i++)
		assert_int_equal(plan.writes[0].bytes[i], 0);
	ifx__patch_writes_free(&plan);
}

static void test_equal_length_fills_the_slot(void **state)
{
	struct ifx_elf_info info = fake_interp(0x238, 15);
	struct patch_plan plan;
	struct ifx_error err;

	(void)state;
	assert_int_equal(ifx__patch_plan_make(-1, &info, "/lib/ld64.so.2", &plan, &err), IFX_OK);
	assert_int_equal(plan.count, 1);
	assert_int_equal(plan.writes[0].offset, 0x238);
	assert_int_equal(plan.writes[0].len, 15);
	assert_string_equal((char *)plan.writes[0].bytes, "/lib/ld64.so.2");
	ifx__patch_writes_free(&plan);
}

/* A longer path on a real binary: a new segment, described for people. */
static void test_longer_path_uses_the_page_slack(void **state)
{
	const char *target = "/usr/local/lib/a/much/longer/path/ld-linux-x86-64.so.2";
	char *src = th_fixture("gcc-pie");
	struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
	struct patch_plan plan;
	struct ifx_error err;
	bool new_load = false;
	int fd;

	(void)state;
	assert_int_equal(th_inspect(src, &info, &err), IFX_OK);
	fd = open(src, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(ifx__patch_plan_make(fd, &info, target, &plan, &err), IFX_OK);
	/* gcc/bfd leaves the first segment's page tail free: the string goes
	 * there, the segment grows over it, the file keeps its size. */
	assert_true(plan.relocated);
	assert_false(plan.grows);
	assert_int_equal(plan.new_size, plan.old_size);
	assert_int_equal(plan.old_size, info.file_size);
	for (size_t i = 0; i < plan.change_count; i++)
		new_load |= strncmp(plan.changes[i], "~LOAD", 5) == 0;
	assert_true(new_load);
	close(fd);
	ifx__patch_writes_free(&plan);
	ifx_elf_info_free(&info);
	free(src);
}

static void test_bad_targets_are_usage_errors(void **state)
{
	struct ifx_elf_info info = fake_interp(0x238, 4096);
	char *huge = malloc(PATH_MAX + 1);
	struct patch_plan plan;
	struct ifx_error err;

	(void)state;
	memset(huge, 'a', PATH_MAX);
	huge[0] = '/';
	huge[PATH_MAX] = '\0';
	assert_int_equal(ifx__patch_plan_make(-1, &info, "", &plan, &err), IFX_ERR_USAGE);
	assert_int_equal(ifx__patch_plan_make(-1, &info, "lib/ld.so", &plan, &err), IFX_ERR_USAGE);
	assert_non_null(strstr(err.message, "not absolute"));
	assert_int_equal(ifx__patch_plan_make(-1, &info, huge, &plan, &err), IFX_ERR_USAGE);
	assert_non_null(strstr(err.message, "PATH_MAX"));
	free(huge);
}

/* Where files a and b differ outside [from, from + len): the first such
 * offset, or -1 when they differ only inside it (sizes must match). */
static long differs_outside(const char *a, const char *b, uint64_t from, uint64_t len)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	long at = -1, pos = 0;
	int ca, cb;

	assert_non_null(fa);
	assert_non_null(fb);
	do {
		ca = fgetc(fa);
		cb = fgetc(fb);
		if (ca != cb && ((uint64_t)pos < from || (uint64_t)pos >= from + len))
			at = pos;
		pos++;
	} while (at < 0 && ca != EOF && cb != EOF);
	fclose(fa);
	fclose(fb);
	return at;
}

/* Applied to a real binary: only the PT_INTERP bytes differ afterwards. */
static void test_apply_changes_only_the_interp_bytes(void **state)
{
	char *src = th_fixture("brew"), *dir = th_tempdir(), *copy;
	struct ifx_elf_info info, after;
	struct patch_plan plan;
	struct ifx_error err;
	int fd;

	(void)state;
	assert_int_equal(asprintf(&copy, "%s/prog", dir) > 0, 1);
	assert_int_equal(th_copy_file(src, copy), 0);
	assert_int_equal(th_inspect(copy, &info, &err), IFX_OK);
	assert_int_equal(ifx__patch_plan_make(-1, &info, "/lib64/ld-linux-x86-64.so.2", &plan, &err), IFX_OK);
	fd = open(copy, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(ifx__patch_apply(fd, fd, &plan, &err), IFX_OK);
	close(fd);
	assert_int_equal(th_inspect(copy, &after, &err), IFX_OK);
	assert_string_equal(after.interp, "/lib64/ld-linux-x86-64.so.2");
	assert_int_equal(after.interp_size, info.interp_size);
	assert_false(th_same_bytes(src, copy));
	assert_int_equal(differs_outside(src, copy, info.interp_offset, info.interp_size), -1);
	ifx__patch_writes_free(&plan);
	ifx_elf_info_free(&info);
	ifx_elf_info_free(&after);
	th_rmtree(dir);
	free(dir);
	free(copy);
	free(src);
}

/* A path of size - 1 bytes, the longest a kernel takes (PATH_MAX - 1 for
 * a PATH_MAX buffer), in components of 200 (NAME_MAX is 255): longer than
 * any page slack, so a growth needs the last segment or a new one. */
static void longest_path(char *path, size_t size, char fill)
{
	memset(path, fill, size - 1);
	for (size_t i = 0; i < size - 1; i += 200)
		path[i] = '/';
	path[size - 1] = '\0';
}

/* The whole file at path (malloc'd), its size in *size. */
static unsigned char *read_whole(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	*size = (size_t)ftell(f);
	rewind(f);
	buf = malloc(*size);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, *size, f), *size);
	fclose(f);
	return buf;
}

/* The plan of the file at path (read again: a test changed its headers)
 * for a new interpreter, as a fix makes it; its status. */
static enum ifx_status plan_file(const char *path, const char *target,
				 struct ifx_elf_info *info, struct patch_plan *plan,
				 struct ifx_error *err)
{
	enum ifx_status st;
	int fd;

	assert_int_equal(th_inspect(path, info, err), IFX_OK);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	st = ifx__patch_plan_make(fd, info, target, plan, err);
	close(fd);
	return st;
}

static void plan_free(struct patch_plan *plan)
{
	ifx__patch_writes_free(plan);
	ifx__strlist_free(plan->changes, plan->change_count);
}

/* The image buf fixed to name path (forced, portable: only the layout is
 * judged), the result malloc'd in *out (*len bytes), which must read back
 * naming path; *grew: whether the layout changed. false, with *out NULL,
 * when the plan is refused. */
static bool fix_buffer(const unsigned char *buf, size_t size, const char *path,
		       unsigned char **out, size_t *len, bool *grew)
{
	struct ifx_target_options vet = { .size = sizeof(vet), .force = true, .portable = true };
	struct ifx_fix_options opts = { .size = sizeof(opts), .target = path, .vet = &vet };
	struct ifx_elf_info after = IFX_INIT(ifx_elf_info);
	struct ifx_plan *plan = NULL;
	struct ifx_error err;

	*out = NULL;
	*len = 0;
	if (ifx_plan_buffer(buf, size, &opts, &plan, &err) != IFX_OK)
		return false;
	*grew = ifx_plan_report(plan)->layout_changed;
	*out = malloc((size_t)ifx_plan_output_size(plan));
	assert_non_null(*out);
	assert_int_equal(ifx_plan_apply_buffer(plan, buf, size, *out,
					       (size_t)ifx_plan_output_size(plan), len, &err),
			 IFX_OK);
	assert_int_equal(ifx_inspect_buffer(*out, *len, &after, &err), IFX_OK);
	assert_string_equal(after.interp, path);
	ifx_elf_info_free(&after);
	ifx_plan_free(plan);
	return true;
}

/* Lying segments a layout change cannot be planned around: the first
 * PT_LOAD's p_memsz covering all others; the second PT_LOAD's p_offset
 * past the end; a PT_NOTE's p_filesz past the end (found by fuzzing: the
 * image then seemed to end 1.9 MB beyond the file, and the file grew by
 * that much). */
static void test_growth_refuses_lying_segments(void **state)
{
	static const char *const longer = "/a/much/longer/loader/path/than/linuxbrew/ld-linux-x86-64.so.2";
	static const struct { uint32_t type; int nth; unsigned field; uint64_t value; const char *says; }
		lies[] = {
			{ 1, 0, 40, 0x40000000620ull, "overlap in memory" },
			{ 1, 1, 8, 0x7fffff00ull, "past the end" },
			{ 4, 0, 32, 0x1e0020ull, "past the end" },
		};
	char *src = th_fixture("brew"), *dir = th_tempdir(), *copy;
	struct ifx_elf_info info;
	struct patch_plan plan;
	struct ifx_error err;

	(void)state;
	assert_int_equal(asprintf(&copy, "%s/prog", dir) > 0, 1);
	for (size_t c = 0; c < sizeof(lies) / sizeof(lies[0]); c++) {
		unsigned char ph[56];
		uint64_t phoff;
		uint16_t phnum;
		int fd, seen = 0;
		bool lied = false;

		assert_int_equal(th_copy_file(src, copy), 0);
		fd = open(copy, O_RDWR);
		assert_true(fd >= 0);
		assert_int_equal(pread(fd, &phoff, 8, 32), 8);
		assert_int_equal(pread(fd, &phnum, 2, 56), 2);
		for (uint16_t i = 0; i < phnum && !lied; i++) {
			uint32_t type;

			assert_int_equal(pread(fd, ph, sizeof(ph), (off_t)(phoff + i * 56u)), 56);
			memcpy(&type, ph, 4);
			if (type != lies[c].type || seen++ != lies[c].nth)
				continue;
			assert_int_equal(pwrite(fd, &lies[c].value, 8,
						(off_t)(phoff + i * 56u + lies[c].field)), 8);
			lied = true;
		}
		assert_true(lied);
		close(fd);
		assert_int_equal(plan_file(copy, longer, &info, &plan, &err), IFX_ERR_MALFORMED);
		assert_non_null(strstr(err.message, lies[c].says));
		ifx_elf_info_free(&info);
	}
	th_rmtree(dir);
	free(dir);
	free(copy);
	free(src);
}

/* An empty PT_LOAD far past the end holds no file bytes: a new segment
 * does not go to its offset (found by fuzzing: a 12 KB file grew to
 * 16 MB). The path (PATH_MAX - 1 bytes) fits no page slack, and the last
 * segment's .bss is made larger than the hole a layout may add, so the
 * plan needs the new segment. */
static void test_growth_ignores_empty_segments(void **state)
{
	char *src = th_fixture("gcc-pie"), *dir = th_tempdir(), *copy, longer[4096];
	uint64_t phoff, far = 0xfe0000, zero = 0, top_vaddr = 0;
	off_t top_at = -1;
	struct ifx_elf_info info;
	struct patch_plan plan;
	struct ifx_error err;
	uint16_t phnum;
	bool emptied = false;
	int fd;

	(void)state;
	longest_path(longer, sizeof(longer), 'd');
	assert_int_equal(asprintf(&copy, "%s/prog", dir) > 0, 1);
	assert_int_equal(th_copy_file(src, copy), 0);
	fd = open(copy, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &phoff, 8, 32), 8);
	assert_int_equal(pread(fd, &phnum, 2, 56), 2);
	for (uint16_t i = 0; i < phnum; i++) {
		uint32_t type, load = 1;
		uint64_t vaddr;
		off_t at = (off_t)(phoff + i * 56u);

		assert_int_equal(pread(fd, &type, 4, at), 4);
		assert_int_equal(pread(fd, &vaddr, 8, at + 16), 8);
		if (type == 1 && vaddr >= top_vaddr) {
			top_vaddr = vaddr;
			top_at = at;
		}
		if (type != 0x6474e551u || emptied) /* PT_GNU_STACK */
			continue;
		/* an empty PT_LOAD at 16 MB: p_type, p_offset, p_filesz, p_memsz */
		assert_int_equal(pwrite(fd, &load, 4, at), 4);
		assert_int_equal(pwrite(fd, &far, 8, at + 8), 8);
		assert_int_equal(pwrite(fd, &zero, 8, at + 32), 8);
		assert_int_equal(pwrite(fd, &zero, 8, at + 40), 8);
		emptied = true;
	}
	assert_true(emptied && top_at >= 0);
	{ /* the last segment's .bss grows past the 1 MiB a layout may fill */
		uint64_t memsz;

		assert_int_equal(pread(fd, &memsz, 8, top_at + 40), 8);
		memsz += 2u << 20;
		assert_int_equal(pwrite(fd, &memsz, 8, top_at + 40), 8);
	}
	close(fd);
	assert_int_equal(plan_file(copy, longer, &info, &plan, &err), IFX_OK);
	assert_true(plan.grows);
	assert_true(plan.new_size <= info.file_size + 65536);
	plan_free(&plan);
	ifx_elf_info_free(&info);
	th_rmtree(dir);
	free(dir);
	free(copy);
	free(src);
}

/* PT_INTERP after the PT_LOAD a new segment follows in the table (found
 * by fuzzing: its index moved on past the entry after it, so the new
 * string went into that entry). The result must read back naming the new
 * path. The table is gcc-pie's with PT_INTERP and the last PT_LOAD swapped;
 * the path and a large .bss force the new segment. */
static void test_new_segment_keeps_interp_index(void **state)
{
	char *src = th_fixture("gcc-pie"), *dir = th_tempdir(), *copy, longer[4096];
	unsigned char a[56], b[56], *buf, *out;
	off_t interp_at = -1, top_at = -1;
	uint64_t phoff, top_vaddr = 0, memsz;
	uint16_t phnum;
	size_t size, len;
	bool grew;
	int fd;

	(void)state;
	longest_path(longer, sizeof(longer), 'e');
	assert_int_equal(asprintf(&copy, "%s/prog", dir) > 0, 1);
	assert_int_equal(th_copy_file(src, copy), 0);
	fd = open(copy, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &phoff, 8, 32), 8);
	assert_int_equal(pread(fd, &phnum, 2, 56), 2);
	for (uint16_t i = 0; i < phnum; i++) {
		uint32_t type;
		uint64_t vaddr;
		off_t at = (off_t)(phoff + i * 56u);

		assert_int_equal(pread(fd, &type, 4, at), 4);
		assert_int_equal(pread(fd, &vaddr, 8, at + 16), 8);
		if (type == 3)
			interp_at = at;
		if (type == 1 && vaddr >= top_vaddr) {
			top_vaddr = vaddr;
			top_at = at;
		}
	}
	assert_true(interp_at >= 0 && top_at > interp_at);
	assert_int_equal(pread(fd, &memsz, 8, top_at + 40), 8);
	memsz += 2u << 20;
	assert_int_equal(pwrite(fd, &memsz, 8, top_at + 40), 8);
	assert_int_equal(pread(fd, a, 56, interp_at), 56);
	assert_int_equal(pread(fd, b, 56, top_at), 56);
	assert_int_equal(pwrite(fd, b, 56, interp_at), 56);
	assert_int_equal(pwrite(fd, a, 56, top_at), 56);
	close(fd);
	buf = read_whole(copy, &size);
	assert_true(fix_buffer(buf, size, longer, &out, &len, &grew));
	assert_true(grew);
	free(out);
	free(buf);
	th_rmtree(dir);
	free(dir);
	free(copy);
	free(src);
}

/* A section header table that runs past the end is ignored by libelf;
 * when the bytes after the last segment move, e_shoff moves with them, or
 * the moved bytes become a garbage table that fits the grown file (found
 * by fuzzing: the result no longer inspected). The last segment grows. */
static void test_growth_moves_an_ignored_section_table(void **state)
{
	char *src = th_fixture("gcc-pie"), longer[4096];
	struct ifx_elf_info before = IFX_INIT(ifx_elf_info);
	struct ifx_error err;
	unsigned char *buf, *out;
	uint64_t shoff;
	size_t size, len;
	bool grew;

	(void)state;
	longest_path(longer, sizeof(longer), 'f');
	buf = read_whole(src, &size);
	shoff = size - 100; /* the table now runs past the end */
	memcpy(buf + 40, &shoff, 8);
	assert_int_equal(ifx_inspect_buffer(buf, size, &before, &err), IFX_OK);
	assert_true(fix_buffer(buf, size, longer, &out, &len, &grew));
	assert_true(grew);
	/* still past the end by as much: ignored, as before */
	memcpy(&shoff, out + 40, 8);
	assert_int_equal(shoff, (size - 100) + (len - size));
	ifx_elf_info_free(&before);
	free(out);
	free(buf);
	free(src);
}

/* The highest PT_LOAD empty and placed past the end: the last segment
 * cannot grow there (found by fuzzing: what follows it had a negative
 * length, 2^64 - 3 MB bytes to move). */
static void test_growth_with_an_empty_last_segment(void **state)
{
	char *src = th_fixture("gcc-pie"), *dir = th_tempdir(), *copy, longer[4096];
	uint64_t phoff, far = 0x320000, zero = 0, high = 0x3200000000ull, memsz = 0x10,
		 align = 0x1000;
	struct ifx_elf_info info;
	struct patch_plan plan;
	struct ifx_error err;
	uint16_t phnum;
	bool emptied = false;
	int fd;

	(void)state;
	longest_path(longer, sizeof(longer), 'g');
	assert_int_equal(asprintf(&copy, "%s/prog", dir) > 0, 1);
	assert_int_equal(th_copy_file(src, copy), 0);
	fd = open(copy, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &phoff, 8, 32), 8);
	assert_int_equal(pread(fd, &phnum, 2, 56), 2);
	for (uint16_t i = 0; i < phnum && !emptied; i++) {
		uint32_t type, load = 1;
		off_t at = (off_t)(phoff + i * 56u);

		assert_int_equal(pread(fd, &type, 4, at), 4);
		if (type != 0x6474e551u) /* PT_GNU_STACK */
			continue;
		assert_int_equal(pwrite(fd, &load, 4, at), 4);
		assert_int_equal(pwrite(fd, &far, 8, at + 8), 8);
		assert_int_equal(pwrite(fd, &high, 8, at + 16), 8);
		assert_int_equal(pwrite(fd, &high, 8, at + 24), 8);
		assert_int_equal(pwrite(fd, &zero, 8, at + 32), 8);
		assert_int_equal(pwrite(fd, &memsz, 8, at + 40), 8);
		assert_int_equal(pwrite(fd, &align, 8, at + 48), 8);
		emptied = true;
	}
	assert_true(emptied);
	close(fd);
	assert_int_equal(plan_file(copy, longer, &info, &plan, &err), IFX_OK);
	assert_true(plan.grows);
	assert_true(plan.move_from <= info.file_size && plan.move_len <= info.file_size);
	assert_true(plan.new_size <= info.file_size + 65536);
	plan_free(&plan);
	ifx_elf_info_free(&info);
	th_rmtree(dir);
	free(dir);
	free(copy);
	free(src);
}

/* The section header table across the end of the loaded image (its real
 * entries copied there): the bytes from that end on cannot move without
 * cutting it, so the plan must place the string elsewhere or refuse; any
 * plan made must give a file that reads back naming the new path (found by
 * fuzzing: the table was written over the new program headers). */
static void test_growth_does_not_cut_the_section_table(void **state)
{
	char *src = th_fixture("gcc-pie"), longer[4096];
	unsigned char *buf, *out;
	uint64_t phoff, shoff, end = 0, pos;
	uint16_t phnum, shnum;
	size_t size, len;
	bool grew;

	(void)state;
	longest_path(longer, sizeof(longer), 'h');
	buf = read_whole(src, &size);
	memcpy(&phoff, buf + 32, 8);
	memcpy(&shoff, buf + 40, 8);
	memcpy(&phnum, buf + 56, 2);
	memcpy(&shnum, buf + 60, 2);
	for (uint16_t i = 0; i < phnum; i++) {
		uint32_t type;
		uint64_t off, filesz;

		memcpy(&type, buf + phoff + i * 56u, 4);
		memcpy(&off, buf + phoff + i * 56u + 8, 8);
		memcpy(&filesz, buf + phoff + i * 56u + 32, 8);
		if (type == 1 && off + filesz > end)
			end = off + filesz;
	}
	pos = end - 64;
	assert_true(pos + shnum * 64u <= size);
	memmove(buf + pos, buf + shoff, shnum * 64u);
	memcpy(buf + 40, &pos, 8);
	/* refused is right too; a plan made must read back */
	if (fix_buffer(buf, size, longer, &out, &len, &grew))
		free(out);
	free(buf);
	free(src);
}

int main(void)
{
	static const char *const needed[] = { "brew", "gcc-pie", NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shorter_path_is_padded_with_nuls),
		cmocka_unit_test(test_equal_length_fills_the_slot),
		cmocka_unit_test(test_longer_path_uses_the_page_slack),
		cmocka_unit_test(test_bad_targets_are_usage_errors),
		cmocka_unit_test(test_apply_changes_only_the_interp_bytes),
		cmocka_unit_test(test_growth_refuses_lying_segments),
		cmocka_unit_test(test_growth_ignores_empty_segments),
		cmocka_unit_test(test_new_segment_keeps_interp_index),
		cmocka_unit_test(test_growth_moves_an_ignored_section_table),
		cmocka_unit_test(test_growth_with_an_empty_last_segment),
		cmocka_unit_test(test_growth_does_not_cut_the_section_table),
	};

	th_require_fixtures(needed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
