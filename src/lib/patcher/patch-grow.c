/*
 * A new interpreter path longer than PT_INTERP's bytes. No section that is
 * there moves in memory: patchelf moves .dynsym, .gnu.hash, notes and .init
 * and has broken binaries each time (patchelf#639, #152, #457). The string
 * goes somewhere new and PT_INTERP (and .interp's section header) point
 * there. In order of preference:
 *
 * 1. Slack: the file bytes after a PT_LOAD without .bss, up to the next
 *    thing in the file, are unused and are mapped anyway because mapping is
 *    by page. The segment grows over them within its last page. Nothing
 *    else changes; the file keeps its size.
 * 2. The last segment: the PT_LOAD with the highest address and file end
 *    grows past its .bss (at most HOLE_LIMIT of it, stored as a hole of
 *    zeros, which is what .bss holds) to hold the string. What follows it
 *    in the file (non-loaded sections, the section header table, trailing
 *    data) moves back by that much, byte for byte.
 * 3. A new segment: one read-only PT_LOAD right after the loaded part of
 *    the file, holding a copy of the program header table with one more
 *    entry and then the string; what follows moves back by its size.
 *
 * 1 and 2 leave the program header table where it is, with as many
 * entries, so AT_PHDR is unaffected. 3 moves it. The table comes first in
 * its segment, which is where binutils' strip and objcopy put it again
 * (anything else and they move the segment's address and the string).
 * Linux from 5.18 (0da1d5002745) finds the table through the PT_LOAD that
 * holds e_phoff; older kernels and qemu-user 7 take load address + e_phoff,
 * right only when the new segment's vaddr - offset is the first PT_LOAD's.
 * When that costs at most HOLE_LIMIT of hole (the segment's address follows
 * .bss and address gaps), 3 keeps it so; otherwise the file stays small and
 * the plan warns that the result needs Linux 5.18 or later.
 * Always: no vaddr is lowered (mmap_min_addr, patchelf#622); every PT_LOAD
 * keeps p_offset = p_vaddr (mod p_align), with the alignment taken from the
 * binary's own segments (glibc < 2.35, patchelf#492, #79); no two PT_LOADs
 * share a page (patchelf#447); a string placed by an earlier run at the end
 * of its segment is replaced where it is, so repeated fixes never pile up
 * (patchelf#96). Headers are written through gelf in the file's byte order.
 */
#include "config.h"

#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define SHIFT_ALIGN 64u /* keeps every moved section's sh_addralign */
/* The most hole (zeros no file system stores) a layout may add to keep
 * the program headers where every kernel finds them: a few pages, never
 * a function of .bss or address gaps. */
#define HOLE_LIMIT (1024u * 1024u)

struct grow {
	Elf *elf;
	struct elf_layout L;
	const struct ifx_elf_info *info;
	const char *target;
	uint64_t len;        /* bytes of the new string, NUL included */
	int interp;          /* PT_INTERP's index */
	struct patch_plan *plan;
};

static uint64_t round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

static uint64_t round_down(uint64_t v, uint64_t a)
{
	return v / a * a;
}

static int add_change(struct patch_plan *plan, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int add_change(struct patch_plan *plan, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	return ifx__strlist_push(&plan->changes, &plan->change_count, line);
}

/* ---- headers to file bytes ---- */

static int xlate(Elf *elf, void *out, void *mem, size_t size, Elf_Type type,
		 unsigned encoding)
{
	Elf_Data src = { .d_buf = mem, .d_type = type, .d_size = size,
			 .d_version = EV_CURRENT };
	Elf_Data dst = { .d_buf = out, .d_size = size, .d_version = EV_CURRENT };

	return gelf_xlatetof(elf, &dst, &src, encoding) == NULL ? -1 : 0;
}

/* Whether a value fits an ELF32 field: gelf_update_* would refuse the rest
 * (ELF_E_INVALID_DATA); a bare cast would cut it silently. */
static bool fits32(uint64_t v)
{
	return v <= UINT32_MAX;
}

/* One entry of a header table in its native (memory) form, by class;
 * false when a 32-bit file's entry would not hold a value. */
typedef bool (*native_fn)(void *out, const void *table, size_t i, bool is64);

static bool native_phdr(void *out, const void *table, size_t i, bool is64)
{
	const GElf_Phdr *p = (const GElf_Phdr *)table + i;
	Elf32_Phdr p32 = {
		(Elf32_Word)p->p_type, (Elf32_Off)p->p_offset, (Elf32_Addr)p->p_vaddr,
		(Elf32_Addr)p->p_paddr, (Elf32_Word)p->p_filesz, (Elf32_Word)p->p_memsz,
		(Elf32_Word)p->p_flags, (Elf32_Word)p->p_align,
	};

	if (is64) {
		memcpy(out, p, sizeof(Elf64_Phdr));
		return true;
	}
	if (!fits32(p->p_offset) || !fits32(p->p_vaddr) || !fits32(p->p_paddr) ||
	    !fits32(p->p_filesz) || !fits32(p->p_memsz) || !fits32(p->p_align))
		return false;
	memcpy(out, &p32, sizeof(p32));
	return true;
}

static bool native_shdr(void *out, const void *table, size_t i, bool is64)
{
	const GElf_Shdr *sh = (const GElf_Shdr *)table + i;
	Elf32_Shdr s32 = {
		sh->sh_name, sh->sh_type, (Elf32_Word)sh->sh_flags, (Elf32_Addr)sh->sh_addr,
		(Elf32_Off)sh->sh_offset, (Elf32_Word)sh->sh_size, sh->sh_link, sh->sh_info,
		(Elf32_Word)sh->sh_addralign, (Elf32_Word)sh->sh_entsize,
	};

	if (is64) {
		memcpy(out, sh, sizeof(Elf64_Shdr));
		return true;
	}
	if (!fits32(sh->sh_flags) || !fits32(sh->sh_addr) || !fits32(sh->sh_offset) ||
	    !fits32(sh->sh_size) || !fits32(sh->sh_addralign) || !fits32(sh->sh_entsize))
		return false;
	memcpy(out, &s32, sizeof(s32));
	return true;
}

/* Write n entries of a header table at off, in the file's class and byte
 * order: native structs first, then gelf converts them. */
static int write_table(struct grow *g, const void *table, size_t n, uint64_t off,
		       Elf_Type type, native_fn native)
{
	bool is64 = gelf_getclass(g->elf) == ELFCLASS64;
	size_t size = gelf_fsize(g->elf, type, 1, EV_CURRENT);
	unsigned char *mem = calloc(n, size), *out = calloc(n, size);
	int rc = -1;

	if (mem != NULL && out != NULL) {
		bool fit = true;

		for (size_t i = 0; i < n && fit; i++)
			fit = native(mem + i * size, table, i, is64);
		if (fit && xlate(g->elf, out, mem, n * size, type, g->L.eh.e_ident[EI_DATA]) == 0)
			rc = ifx__patch_writes_add(g->plan, off, out, n * size);
	}
	free(mem);
	free(out);
	return rc;
}

static int write_phdrs(struct grow *g, const GElf_Phdr *ph, size_t n, uint64_t off)
{
	return write_table(g, ph, n, off, ELF_T_PHDR, native_phdr);
}

static int write_shdrs(struct grow *g, const GElf_Shdr *sh, size_t n, uint64_t off)
{
	return write_table(g, sh, n, off, ELF_T_SHDR, native_shdr);
}

static int write_ehdr(struct grow *g, const GElf_Ehdr *eh)
{
	bool is64 = gelf_getclass(g->elf) == ELFCLASS64;
	unsigned char out[sizeof(Elf64_Ehdr)];
	Elf64_Ehdr e64 = *eh;
	Elf32_Ehdr e32 = {
		.e_type = eh->e_type, .e_machine = eh->e_machine,
		.e_version = (Elf32_Word)eh->e_version, .e_entry = (Elf32_Addr)eh->e_entry,
		.e_phoff = (Elf32_Off)eh->e_phoff, .e_shoff = (Elf32_Off)eh->e_shoff,
		.e_flags = eh->e_flags, .e_ehsize = eh->e_ehsize,
		.e_phentsize = eh->e_phentsize, .e_phnum = eh->e_phnum,
		.e_shentsize = eh->e_shentsize, .e_shnum = eh->e_shnum,
		.e_shstrndx = eh->e_shstrndx,
	};
	size_t size = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);

	memcpy(e32.e_ident, eh->e_ident, EI_NIDENT);
	if (!is64 && (!fits32(eh->e_entry) || !fits32(eh->e_phoff) || !fits32(eh->e_shoff)))
		return -1;
	if (xlate(g->elf, out, is64 ? (void *)&e64 : (void *)&e32, size, ELF_T_EHDR,
		  eh->e_ident[EI_DATA]) < 0)
		return -1;
	return ifx__patch_writes_add(g->plan, 0, out, size);
}

/* ---- shared steps ---- */

static int interp_section(const struct grow *g)
{
	for (size_t i = 1; i < g->L.shnum; i++)
		if (g->L.shdr[i].sh_type == SHT_PROGBITS &&
		    g->L.shdr[i].sh_offset == g->info->interp_offset)
			return (int)i;
	return -1;
}

/* Symbols defined in .interp carry its address: the section symbol in
 * .symtab (eu-elflint reports st_value out of bounds otherwise, as it does
 * for patchelf's outputs) and exported ones in .dynsym, such as libcap's
 * __execable_dl_loader, which the loader would resolve to the old, cleared
 * bytes. Both follow the string. The symbols are written where sh (the new
 * section headers) puts the table. */
static int move_section_symbols(struct grow *g, const GElf_Shdr *sh, int sec,
				uint64_t old_addr, uint64_t old_size, uint64_t new_addr)
{
	bool is64 = gelf_getclass(g->elf) == ELFCLASS64;
	size_t native = is64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);

	for (size_t t = 1; t < g->L.shnum; t++) {
		Elf_Scn *scn = elf_getscn(g->elf, t);
		Elf_Data *data;
		GElf_Sym sym;

		if ((sh[t].sh_type != SHT_SYMTAB && sh[t].sh_type != SHT_DYNSYM) || scn == NULL ||
		    (data = elf_getdata(scn, NULL)) == NULL)
			continue;
		for (int i = 0; gelf_getsym(data, i, &sym) != NULL; i++) {
			unsigned char out[sizeof(Elf64_Sym)];
			Elf32_Sym s32 = { sym.st_name, (Elf32_Addr)sym.st_value,
					  (Elf32_Word)sym.st_size, sym.st_info,
					  sym.st_other, sym.st_shndx };

			if (sym.st_shndx != sec)
				continue;
			/* the string itself (not a section symbol) has its size */
			if (sym.st_value == old_addr && sym.st_size == old_size)
				sym.st_size = g->len;
			sym.st_value = new_addr + (sym.st_value - old_addr);
			if (!is64 && !fits32(sym.st_value))
				return -1;
			s32.st_value = (Elf32_Addr)sym.st_value;
			s32.st_size = (Elf32_Word)sym.st_size;
			if (xlate(g->elf, out, is64 ? (void *)&sym : (void *)&s32, native,
				  ELF_T_SYM, g->L.eh.e_ident[EI_DATA]) < 0 ||
			    ifx__patch_writes_add(g->plan, sh[t].sh_offset + (uint64_t)i * native,
						 out, native) < 0)
				return -1;
		}
	}
	return 0;
}

/* Point PT_INTERP (in ph) and .interp (in sh) at the new string, write the
 * string, and clear the old one unless the new one overlaps it. */
static int place_string(struct grow *g, GElf_Phdr *ph, GElf_Shdr *sh,
			uint64_t off, uint64_t vaddr)
{
	GElf_Phdr *p = &ph[g->interp];
	int sec = sh ? interp_section(g) : -1;
	unsigned char *bytes = calloc(1, g->len);
	int rc;

	if (bytes == NULL)
		return -1;
	add_change(g->plan, "~INTERP offset 0x%" PRIx64 " -> 0x%" PRIx64 ", vaddr 0x%"
		   PRIx64 " -> 0x%" PRIx64 ", size %" PRIu64 " -> %" PRIu64,
		   p->p_offset, off, p->p_vaddr, vaddr, p->p_filesz, g->len);
	if (off != g->info->interp_offset &&
	    ifx__patch_writes_add(g->plan, g->info->interp_offset, NULL,
				 g->info->interp_size) < 0) {
		free(bytes);
		return -1;
	}
	p->p_offset = off;
	p->p_vaddr = p->p_paddr = vaddr;
	p->p_filesz = p->p_memsz = g->len;
	if (sec > 0) {
		uint64_t old_addr = sh[sec].sh_addr, old_size = sh[sec].sh_size;

		sh[sec].sh_offset = off;
		sh[sec].sh_addr = vaddr;
		sh[sec].sh_size = g->len;
		add_change(g->plan, "~section .interp moves with it");
		if (move_section_symbols(g, sh, sec, old_addr, old_size, vaddr) < 0) {
			free(bytes);
			return -1;
		}
	}
	memcpy(bytes, g->target, g->len - 1);
	rc = ifx__patch_writes_add(g->plan, off, bytes, g->len);
	free(bytes);
	return rc;
}

static void grow_load(struct grow *g, GElf_Phdr *p, uint64_t new_end)
{
	add_change(g->plan, "~LOAD   at 0x%" PRIx64 ": filesz 0x%" PRIx64 " -> 0x%"
		   PRIx64 ", memsz 0x%" PRIx64 " -> 0x%" PRIx64, p->p_vaddr,
		   p->p_filesz, new_end - p->p_offset, p->p_memsz, new_end - p->p_offset);
	p->p_filesz = p->p_memsz = new_end - p->p_offset;
}

/* Whether the string already sits at the end of load (an earlier run's). */
static bool string_ends(const struct grow *g, const GElf_Phdr *load)
{
	return g->info->interp_offset >= load->p_offset &&
	       g->info->interp_offset + g->info->interp_size ==
		       load->p_offset + load->p_filesz &&
	       load->p_filesz == load->p_memsz;
}

/* No other PT_LOAD may touch the pages [from, to) after rounding. */
static bool pages_free(const struct grow *g, int self, uint64_t from, uint64_t to)
{
	uint64_t a = g->L.align;

	for (size_t i = 0; i < g->L.phnum; i++) {
		const GElf_Phdr *q = &g->L.ph[i];

		if ((int)i == self || q->p_type != PT_LOAD || q->p_memsz == 0)
			continue;
		if (round_down(q->p_vaddr, a) < round_up(to, a) &&
		    round_down(from, a) < round_up(q->p_vaddr + q->p_memsz, a))
			return false;
	}
	return true;
}

/* ---- 1. slack after a segment ---- */

static bool try_slack(struct grow *g, int i)
{
	GElf_Phdr *ph = g->L.ph, p = ph[i];
	uint64_t end_file = p.p_offset + p.p_filesz, start, end, vstart, vend;
	GElf_Phdr *np;
	bool ok;

	if (p.p_type != PT_LOAD || p.p_filesz != p.p_memsz || p.p_filesz == 0)
		return false;
	start = string_ends(g, &p) ? g->info->interp_offset : end_file;
	end = start + g->len;
	vstart = p.p_vaddr + (start - p.p_offset);
	vend = vstart + g->len;
	if (end > g->L.image_end || !ifx__elf_layout_is_free(&g->L, end_file, end, 0, 0))
		return false;
	/* Only the tail of the segment's own last page: it is mapped already. */
	if (vend > round_up(p.p_vaddr + p.p_memsz, g->L.align) ||
	    !pages_free(g, i, p.p_vaddr + p.p_memsz, vend))
		return false;
	np = malloc(g->L.phnum * sizeof(*np));
	if (np == NULL)
		return false;
	memcpy(np, ph, g->L.phnum * sizeof(*np));
	grow_load(g, &np[i], end);
	ok = place_string(g, np, g->L.shdr, start, vstart) == 0 &&
	     write_phdrs(g, np, g->L.phnum, g->L.eh.e_phoff) == 0;
	if (ok && g->L.shdr != NULL)
		ok = write_shdrs(g, g->L.shdr, g->L.shnum, g->L.eh.e_shoff) == 0;
	free(np);
	return ok;
}

/* Whether something in the file (a header table, a segment, a section)
 * starts before pos and ends after it: moving the bytes from pos on would
 * cut it in two (found by fuzzing: a section header table across the end
 * of the loaded image was written over the new program headers). */
static bool straddles(const struct grow *g, uint64_t pos)
{
	for (size_t i = 0; i < g->L.used_count; i++)
		if (g->L.used[i].start < pos && g->L.used[i].end > pos)
			return true;
	return false;
}

/* ---- 2. the last segment grows past its .bss ---- */

static bool last_in_file(const struct grow *g, int last)
{
	uint64_t end = g->L.ph[last].p_offset + g->L.ph[last].p_filesz;

	for (size_t i = 0; i < g->L.phnum; i++)
		if ((int)i != last && g->L.ph[i].p_filesz > 0 &&
		    g->L.ph[i].p_offset + g->L.ph[i].p_filesz > end)
			return false;
	return true;
}

static void shift_sections(struct grow *g, GElf_Shdr *sh, const GElf_Phdr *load,
			   uint64_t from, uint64_t shift)
{
	for (size_t i = 1; i < g->L.shnum; i++) {
		if (sh[i].sh_type == SHT_NOBITS && (sh[i].sh_flags & SHF_ALLOC) &&
		    sh[i].sh_addr >= load->p_vaddr &&
		    sh[i].sh_addr <= load->p_vaddr + load->p_memsz) {
			/* .bss is now inside the segment's file part. */
			sh[i].sh_offset = load->p_offset + (sh[i].sh_addr - load->p_vaddr);
			continue;
		}
		/* Loaded sections stay; only what no segment maps moves. */
		if (sh[i].sh_offset >= from && sh[i].sh_type != SHT_NOBITS &&
		    !(sh[i].sh_flags & SHF_ALLOC))
			sh[i].sh_offset += shift;
	}
}

static bool try_last(struct grow *g)
{
	int i = g->L.last_load;
	GElf_Phdr p = g->L.ph[i], *np = NULL;
	GElf_Shdr *sh = NULL;
	GElf_Ehdr eh = g->L.eh;
	uint64_t end_file = p.p_offset + p.p_filesz, start, end, shift;
	bool ok = false;

	/* an empty segment's offset can lie past the end (found by fuzzing:
	 * what follows it would have been a negative length) */
	if (p.p_memsz - p.p_filesz > HOLE_LIMIT || !last_in_file(g, i) ||
	    end_file > g->L.file_size || straddles(g, end_file))
		return false;
	start = string_ends(g, &p) ? g->info->interp_offset : p.p_offset + p.p_memsz;
	end = start + g->len;
	shift = round_up(end - end_file, SHIFT_ALIGN);
	np = malloc(g->L.phnum * sizeof(*np));
	if (g->L.shnum > 0)
		sh = malloc(g->L.shnum * sizeof(*sh));
	if (np == NULL || (g->L.shnum > 0 && sh == NULL))
		goto out;
	memcpy(np, g->L.ph, g->L.phnum * sizeof(*np));
	grow_load(g, &np[i], end);
	if (sh != NULL) {
		memcpy(sh, g->L.shdr, g->L.shnum * sizeof(*sh));
		shift_sections(g, sh, &np[i], end_file, shift);
	}
	/* also a table libelf ignored (it runs past the end; found by
	 * fuzzing): the bytes moved, so its offset moves with them */
	if (eh.e_shoff >= end_file)
		eh.e_shoff += shift;
	g->plan->grows = true;
	g->plan->truncate_to = end_file;
	g->plan->move_from = end_file;
	g->plan->move_to = end_file + shift;
	g->plan->move_len = g->L.file_size - end_file;
	g->plan->new_size = g->L.file_size + shift;
	add_change(g->plan, "~%" PRIu64 " bytes after the segment move from 0x%" PRIx64
		   " to 0x%" PRIx64 " (non-loaded sections, section headers, trailing data)",
		   g->plan->move_len, end_file, end_file + shift);
	ok = place_string(g, np, sh, start, p.p_vaddr + (start - p.p_offset)) == 0 &&
	     write_phdrs(g, np, g->L.phnum, eh.e_phoff) == 0 &&
	     write_ehdr(g, &eh) == 0 &&
	     (sh == NULL || write_shdrs(g, sh, g->L.shnum, eh.e_shoff) == 0);
out:
	free(np);
	free(sh);
	return ok;
}

/* ---- 3. a new segment, with the program header table ---- */

/* End of what the PT_LOADs hold in the file; 0 when something else (a
 * segment or an allocated section) lies after it, which the move of the
 * rest of the file could not keep. */
static uint64_t loaded_end(const struct grow *g)
{
	uint64_t end = 0;

	/* a PT_LOAD with no file bytes has none at its offset (found by
	 * fuzzing: an empty one at 16 MB grew a 12 KB file to 16 MB) */
	for (size_t i = 0; i < g->L.phnum; i++)
		if (g->L.ph[i].p_type == PT_LOAD && g->L.ph[i].p_filesz > 0 &&
		    g->L.ph[i].p_offset + g->L.ph[i].p_filesz > end)
			end = g->L.ph[i].p_offset + g->L.ph[i].p_filesz;
	for (size_t i = 0; i < g->L.phnum; i++)
		if (g->L.ph[i].p_filesz > 0 && g->L.ph[i].p_offset + g->L.ph[i].p_filesz > end)
			return 0;
	for (size_t i = 1; i < g->L.shnum; i++)
		if ((g->L.shdr[i].sh_flags & SHF_ALLOC) && g->L.shdr[i].sh_type != SHT_NOBITS &&
		    g->L.shdr[i].sh_size > 0 && g->L.shdr[i].sh_offset + g->L.shdr[i].sh_size > end)
			return 0;
	return straddles(g, end) ? 0 : end;
}

/* Sections after the loaded image (none of them loaded) move back. */
static void shift_unloaded(const struct grow *g, GElf_Shdr *sh, uint64_t from, uint64_t shift)
{
	for (size_t i = 1; i < g->L.shnum; i++)
		if (sh[i].sh_offset >= from && sh[i].sh_type != SHT_NOBITS)
			sh[i].sh_offset += shift;
}

static bool try_new_segment(struct grow *g)
{
	size_t n = g->L.phnum + 1, k = 0;
	int interp_at = -1;
	uint64_t pht = n * g->L.entsize, size = pht + g->len;
	uint64_t from = loaded_end(g), off, vaddr, shift;
	uint64_t follow = round_up(g->L.mem_end - g->L.delta, g->L.align);
	GElf_Phdr *np;
	GElf_Shdr *sh = NULL;
	GElf_Ehdr eh = g->L.eh;
	bool ok = false;

	/* the kernel reads at most 64 KiB of program headers (load_elf_phdrs) */
	if (pht > 65536)
		return false;
	np = calloc(n, sizeof(*np));
	if (from == 0 || from > g->L.file_size)
		from = g->L.image_end;
	if (follow >= from && follow - from <= HOLE_LIMIT) {
		off = follow;
		vaddr = off + g->L.delta;
	} else {
		off = round_up(from, 8);
		vaddr = round_up(g->L.mem_end, g->L.align) + off % g->L.align;
		g->plan->warning = "the program headers moved to an address that Linux "
				   "before 5.18 and qemu-user 7 compute wrongly (load address "
				   "+ e_phoff): the result crashes there";
	}
	shift = round_up(off + size - from, SHIFT_ALIGN);
	if (g->L.shnum > 0)
		sh = malloc(g->L.shnum * sizeof(*sh));
	if (np == NULL || (g->L.shnum > 0 && sh == NULL))
		goto out;
	if (sh != NULL) {
		memcpy(sh, g->L.shdr, g->L.shnum * sizeof(*sh));
		shift_unloaded(g, sh, from, shift);
	}
	if (eh.e_shoff >= from)
		eh.e_shoff += shift;
	for (size_t i = 0; i < g->L.phnum; i++) {
		np[k] = g->L.ph[i];
		if (np[k].p_type == PT_PHDR) {
			np[k].p_offset = off;
			np[k].p_vaddr = np[k].p_paddr = vaddr;
			np[k].p_filesz = np[k].p_memsz = pht;
		}
		/* PT_INTERP's index in the new table, once (found by fuzzing: a
		 * PT_INTERP after the last PT_LOAD in the table moved on to the
		 * entry after it) */
		if ((int)i == g->interp)
			interp_at = (int)k;
		k++;
		if ((int)i == g->L.last_load)
			np[k++] = (GElf_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R, .p_offset = off,
					       .p_vaddr = vaddr, .p_paddr = vaddr, .p_filesz = size,
					       .p_memsz = size, .p_align = g->L.align };
	}
	g->interp = interp_at;
	add_change(g->plan, "+LOAD   offset 0x%" PRIx64 ", vaddr 0x%" PRIx64 ", size 0x%"
		   PRIx64 ", flags R, align 0x%" PRIx64, off, vaddr, size, g->L.align);
	add_change(g->plan, "~PHDR   moves to offset 0x%" PRIx64 ", vaddr 0x%" PRIx64
		   ", %zu entries", off, vaddr, n);
	eh.e_phoff = off;
	eh.e_phnum = (Elf64_Half)n;
	g->plan->grows = true;
	g->plan->truncate_to = from;
	g->plan->move_from = from;
	g->plan->move_len = g->L.file_size - from;
	g->plan->move_to = from + shift;
	g->plan->new_size = g->L.file_size + shift;
	ok = place_string(g, np, sh, off + pht, vaddr + pht) == 0 &&
	     write_phdrs(g, np, n, eh.e_phoff) == 0 && write_ehdr(g, &eh) == 0 &&
	     (sh == NULL || write_shdrs(g, sh, g->L.shnum, eh.e_shoff) == 0);
out:
	free(np);
	free(sh);
	return ok;
}

static int find_interp(const struct elf_layout *L)
{
	for (size_t i = 0; i < L->phnum; i++)
		if (L->ph[i].p_type == PT_INTERP)
			return (int)i;
	return -1;
}

/* The segment holding the string now is tried first: an earlier run's
 * string at its end is then replaced in place. */
static bool choose_and_plan(struct grow *g)
{
	for (size_t i = 0; i < g->L.phnum; i++)
		if (string_ends(g, &g->L.ph[i]) && g->L.ph[i].p_type == PT_LOAD &&
		    (try_slack(g, (int)i) ||
		     ((int)i == g->L.last_load && try_last(g))))
			return true;
	for (size_t i = 0; i < g->L.phnum; i++)
		if (try_slack(g, (int)i))
			return true;
	return try_last(g) || try_new_segment(g);
}

enum ifx_status ifx__patch_grow_plan(int fd, const struct ifx_elf_info *info,
				const char *target, struct patch_plan *plan,
				struct ifx_error *err)
{
	struct grow g = { .info = info, .target = target,
			  .len = strlen(target) + 1, .plan = plan };
	enum ifx_status st;

	st = ifx__elf_open_fd(fd, info->file_size, &g.elf, err);
	if (st != IFX_OK)
		return st;
	st = ifx__elf_layout_read(g.elf, info->file_size, &g.L, err);
	if (st == IFX_OK && (g.interp = find_interp(&g.L)) < 0)
		st = ifx__error_set(err, IFX_ERR_MALFORMED, "no PT_INTERP");
	if (st == IFX_OK) {
		plan->relocated = true;
		plan->old_size = plan->new_size = info->file_size;
		if (!choose_and_plan(&g)) {
			st = ifx__error_set(err, IFX_ERR_UNSUPPORTED,
				       "no room for a %llu-byte interpreter path in this layout",
				       (unsigned long long)g.len);
		}
	}
	ifx__elf_layout_free(&g.L);
	elf_end(g.elf);
	return st;
}
