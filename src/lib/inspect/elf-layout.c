/* The file layout a longer interpreter path must fit into: program headers,
 * section headers, which file bytes are in use, and the end of the image. */
#include "config.h"

#include <elf.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MIN_ALIGN 4096u /* the smallest page of any Linux architecture */

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* L->used is sized once for every range a file can have (see
 * ifx__elf_layout_read): one realloc per range was quadratic in copies
 * with thousands of sections. */
static void add_range(struct elf_layout *L, uint64_t start, uint64_t len)
{
	if (len == 0)
		return;
	L->used[L->used_count].start = start;
	L->used[L->used_count].end = start + len;
	L->used_count++;
	L->image_end = max_u64(L->image_end, start + len);
}

/* shnum sections (elf_getshdrnum: libelf pretends there are none when
 * their table runs past the end of the file, so their count is bounded by
 * the file's size and needs no cap of its own). */
static enum ifx_status read_sections(Elf *elf, struct elf_layout *L, size_t shnum,
				     struct ifx_error *err)
{
	size_t shentsize = gelf_fsize(elf, ELF_T_SHDR, 1, EV_CURRENT);

	if (shnum == 0)
		return IFX_OK;
	/* libelf reads entries of its own size whatever e_shentsize says; the
	 * range the table takes must be measured the same way */
	if (L->eh.e_shentsize != shentsize)
		return ifx__error_set(err, IFX_ERR_MALFORMED,
				      "e_shentsize %u does not match the ELF class (%zu)",
				      L->eh.e_shentsize, shentsize);
	L->shdr = calloc(shnum, sizeof(*L->shdr));
	if (L->shdr == NULL)
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	L->shnum = shnum;
	add_range(L, L->eh.e_shoff, (uint64_t)shnum * shentsize);
	for (size_t i = 0; i < shnum; i++) {
		Elf_Scn *scn = elf_getscn(elf, i);

		if (scn == NULL || gelf_getshdr(scn, &L->shdr[i]) == NULL)
			return ifx__error_set(err, IFX_ERR_MALFORMED,
					 "unreadable section header %zu", i);
		if (i == 0 || L->shdr[i].sh_type == SHT_NOBITS)
			continue;
		if (L->shdr[i].sh_offset > L->file_size ||
		    L->shdr[i].sh_size > L->file_size - L->shdr[i].sh_offset)
			return ifx__error_set(err, IFX_ERR_MALFORMED,
					 "section %zu lies outside the file", i);
		add_range(L, L->shdr[i].sh_offset, L->shdr[i].sh_size);
	}
	return IFX_OK;
}

static enum ifx_status read_segments(Elf *elf, struct elf_layout *L,
				     struct ifx_error *err)
{
	uint64_t first_vaddr = UINT64_MAX, first_offset = 0;
	uint64_t top = gelf_getclass(elf) == ELFCLASS32 ? UINT32_MAX : UINT64_MAX;

	L->ph = calloc(L->phnum, sizeof(*L->ph));
	if (L->ph == NULL)
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	L->align = MIN_ALIGN;
	L->last_load = -1;
	for (size_t i = 0; i < L->phnum; i++) {
		GElf_Phdr *p = &L->ph[i];

		if (gelf_getphdr(elf, (int)i, p) == NULL)
			return ifx__error_set(err, IFX_ERR_MALFORMED,
					 "unreadable program header %zu", i);
		/* a segment the file does not hold is a lie a layout cannot be
		 * planned around (a truncated or hostile file; found by fuzzing:
		 * a PT_NOTE past the end made the image seem to end 1.9 MB
		 * beyond a 12 KB file, growing it by that much) */
		if (p->p_filesz > 0 && (p->p_offset > L->file_size ||
					p->p_filesz > L->file_size - p->p_offset))
			return ifx__error_set(err, IFX_ERR_MALFORMED, "segment %zu (type 0x%llx, "
					      "offset 0x%llx, %llu bytes) extends past the end of "
					      "the file (%llu bytes)", i, (unsigned long long)p->p_type,
					      (unsigned long long)p->p_offset,
					      (unsigned long long)p->p_filesz,
					      (unsigned long long)L->file_size);
		if (p->p_type != PT_LOAD) {
			add_range(L, p->p_offset, p->p_filesz);
			continue;
		}
		if (p->p_filesz > p->p_memsz)
			return ifx__error_set(err, IFX_ERR_MALFORMED, "PT_LOAD segment %zu has more "
					      "file bytes (%llu) than memory (%llu)", i,
					      (unsigned long long)p->p_filesz,
					      (unsigned long long)p->p_memsz);
		/* fs/binfmt_elf.c refuses a segment ending past TASK_SIZE with
		 * EINVAL; one whose end wraps around the class's addresses
		 * cannot be laid out at all */
		if (p->p_memsz > top - p->p_vaddr)
			return ifx__error_set(err, IFX_ERR_MALFORMED, "PT_LOAD segment %zu (address "
					      "0x%llx, %llu bytes) ends past the top of memory", i,
					      (unsigned long long)p->p_vaddr,
					      (unsigned long long)p->p_memsz);
		add_range(L, p->p_offset, p->p_filesz);
		L->align = max_u64(L->align, p->p_align);
		if (L->last_load < 0 || p->p_vaddr > L->ph[L->last_load].p_vaddr)
			L->last_load = (int)i;
		L->mem_end = max_u64(L->mem_end, p->p_vaddr + p->p_memsz);
		if (p->p_vaddr < first_vaddr) {
			first_vaddr = p->p_vaddr;
			first_offset = p->p_offset;
		}
	}
	if (L->last_load < 0)
		return ifx__error_set(err, IFX_ERR_UNSUPPORTED, "no PT_LOAD segment");
	/* loaded images that overlap in memory are a lie a layout change
	 * cannot be planned around (found by fuzzing: a first segment whose
	 * p_memsz covers every other one); pairwise, which the kernel's cap on
	 * the table (elf-open.c: at most 2048 entries) keeps to a few
	 * milliseconds */
	for (size_t i = 0; i < L->phnum; i++)
		for (size_t k = i + 1; k < L->phnum; k++) {
			const GElf_Phdr *a = &L->ph[i], *b = &L->ph[k];

			if (a->p_type != PT_LOAD || b->p_type != PT_LOAD || a->p_memsz == 0 ||
			    b->p_memsz == 0)
				continue;
			if (a->p_vaddr < b->p_vaddr + b->p_memsz && b->p_vaddr < a->p_vaddr + a->p_memsz)
				return ifx__error_set(err, IFX_ERR_MALFORMED, "PT_LOAD segments %zu and "
						      "%zu overlap in memory", i, k);
		}
	if ((L->align & (L->align - 1)) != 0 || first_vaddr < first_offset ||
	    (first_vaddr - first_offset) % L->align != 0)
		return ifx__error_set(err, IFX_ERR_UNSUPPORTED,
				 "unusual layout: the first PT_LOAD's address and offset "
				 "differ by a non-multiple of its alignment 0x%" PRIx64,
				 L->align);
	L->delta = first_vaddr - first_offset;
	return IFX_OK;
}

enum ifx_status ifx__elf_layout_read(Elf *elf, uint64_t file_size,
				struct elf_layout *L, struct ifx_error *err)
{
	enum ifx_status st;
	size_t shnum = 0;

	memset(L, 0, sizeof(*L));
	L->file_size = file_size;
	if (gelf_getehdr(elf, &L->eh) == NULL)
		return ifx__error_set(err, IFX_ERR_MALFORMED, "unreadable ELF header");
	if (L->eh.e_phnum == PN_XNUM || L->eh.e_phnum == 0)
		return ifx__error_set(err, IFX_ERR_UNSUPPORTED,
				 "cannot relocate with %u program headers", L->eh.e_phnum);
	if (L->eh.e_shoff != 0 && elf_getshdrnum(elf, &shnum) != 0)
		shnum = 0;
	L->phnum = L->eh.e_phnum;
	L->entsize = gelf_fsize(elf, ELF_T_PHDR, 1, EV_CURRENT);
	/* the ELF header, the program header table, each segment, the section
	 * header table, each section */
	L->used = calloc(L->phnum + shnum + 3, sizeof(*L->used));
	if (L->used == NULL)
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	add_range(L, 0, L->eh.e_ehsize);
	add_range(L, L->eh.e_phoff, L->phnum * L->entsize);
	st = read_segments(elf, L, err);
	if (st == IFX_OK)
		st = read_sections(elf, L, shnum, err);
	return st;
}

bool ifx__elf_layout_is_free(const struct elf_layout *L, uint64_t start, uint64_t end,
			uint64_t ignore_start, uint64_t ignore_end)
{
	for (size_t i = 0; i < L->used_count; i++) {
		const struct file_range *r = &L->used[i];

		if (r->start >= ignore_start && r->end <= ignore_end)
			continue;
		if (r->start < end && start < r->end)
			return false;
	}
	return true;
}

void ifx__elf_layout_free(struct elf_layout *L)
{
	free(L->ph);
	free(L->shdr);
	free(L->used);
	memset(L, 0, sizeof(*L));
}
