/* Which version each undefined dynamic symbol needs: .dynsym paired with
 * .gnu.version (DT_VERSYM), so that a refusal can name "sym@GLIBC_2.38" as
 * auditwheel users asked for (pypa/auditwheel#36). Works without section
 * headers: the symbol count then comes from DT_HASH or DT_GNU_HASH. */
#include "config.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define SYMBOLS_MAX (1u << 22)
#define VERSYM_HIDDEN 0x8000
#define VERSYM_INDEX_MAX 0x7fff
/* What the copies of the symbols' strings may add up to: their own names
 * (at most the string table, twice for names that share its bytes), and
 * per symbol a version and a file name ("GLIBC_2.2.5", "libc.so.6": a few
 * dozen bytes), plus STRING_SLACK. 20000 symbols bound to a version with a
 * 64 KiB name would otherwise take 2.6 GB. */
#define NAME_COPIES 2
#define VERSION_COPY_BYTES 64
#define STRING_SLACK (64u << 10)

/* The symbols read so far, and what their strings may still take. */
struct symbol_list {
	size_t cap;
	uint64_t budget;
	size_t strsz;
};

/* DT_HASH: nchain, the second word, is the number of symbols. */
static size_t count_from_hash(Elf *elf, uint64_t vaddr)
{
	uint64_t off, avail;
	Elf_Data *d;

	if (!ifx__elf_vaddr_to_offset(elf, vaddr, &off, &avail) || avail < 8)
		return 0;
	d = ifx__elf_read_chunk(elf, off, 8, ELF_T_WORD, "DT_HASH", NULL);
	return d ? ((const uint32_t *)d->d_buf)[1] : 0;
}

/* DT_GNU_HASH lists only exported symbols: walk the chain of the highest
 * bucket to its end bit to find the last index (glibc dl-lookup.c). */
static size_t count_from_gnu_hash(Elf *elf, uint64_t vaddr, int cls)
{
	uint64_t off, avail, tab_off, max_words;
	uint32_t nbuckets, symoffset, bloom, max = 0;
	const uint32_t *w;
	Elf_Data *d;

	if (!ifx__elf_vaddr_to_offset(elf, vaddr, &off, &avail) || avail < 16)
		return 0;
	d = ifx__elf_read_chunk(elf, off, 16, ELF_T_WORD, "DT_GNU_HASH", NULL);
	if (d == NULL)
		return 0;
	w = d->d_buf;
	nbuckets = w[0];
	symoffset = w[1];
	bloom = w[2];
	tab_off = 16 + (uint64_t)bloom * (cls == 64 ? 8 : 4);
	if (tab_off >= avail)
		return 0;
	max_words = (avail - tab_off) / 4;
	if (max_words > SYMBOLS_MAX)
		max_words = SYMBOLS_MAX;
	if (nbuckets >= max_words)
		return 0;
	d = ifx__elf_read_chunk(elf, off + tab_off, max_words * 4, ELF_T_WORD,
			   "DT_GNU_HASH", NULL);
	if (d == NULL)
		return 0;
	w = d->d_buf;
	for (uint32_t i = 0; i < nbuckets; i++)
		if (w[i] > max)
			max = w[i];
	if (max < symoffset)
		return symoffset;
	for (uint64_t i = max; i - symoffset + nbuckets < max_words; i++)
		if (w[nbuckets + (i - symoffset)] & 1)
			return (size_t)i + 1;
	return 0;
}

static size_t count_from_sections(Elf *elf)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn)) != NULL)
		if (gelf_getshdr(scn, &sh) != NULL && sh.sh_type == SHT_DYNSYM &&
		    sh.sh_entsize != 0)
			return sh.sh_size / sh.sh_entsize;
	return 0;
}

static size_t symbol_count(Elf *elf, const struct dyn_symbol_source *src,
			   int cls)
{
	size_t n = count_from_sections(elf);

	if (n == 0 && src->hash != 0)
		n = count_from_hash(elf, src->hash);
	if (n == 0 && src->gnu_hash != 0)
		n = count_from_gnu_hash(elf, src->gnu_hash, cls);
	return n > SYMBOLS_MAX ? SYMBOLS_MAX : n;
}

/* The needed versions by their index, up to the highest one (the first
 * of each, as a search of the list in order finds): one look-up per
 * symbol instead of a walk of up to VERSION_RECORDS_MAX versions. NULL
 * when out of memory. */
static const struct version_index **index_versions(const struct dyn_symbol_source *src,
						   size_t *slots)
{
	const struct version_index **by;
	size_t top = 0;

	for (size_t i = 0; i < src->versions_count; i++)
		if (src->versions[i].index <= VERSYM_INDEX_MAX && src->versions[i].index >= top)
			top = src->versions[i].index + 1;
	*slots = top;
	by = calloc(top + 1, sizeof(*by));
	for (size_t i = src->versions_count; by != NULL && i-- > 0;)
		if (src->versions[i].index < top)
			by[src->versions[i].index] = &src->versions[i];
	return by;
}

static enum ifx_status add_symbol(struct ifx_elf_info *info, struct symbol_list *list,
				  const char *sym, const struct version_index *v,
				  struct ifx_error *err)
{
	uint64_t cost = strlen(sym) + strlen(v->name) + strlen(v->file) + 3;
	struct ifx_symbol_version *e;

	if (cost > list->budget)
		return ifx__error_set(err, IFX_ERR_MALFORMED,
				      "the undefined dynamic symbols name more string bytes than "
				      "a linker writes for a %zu-byte string table (strings used "
				      "over and over)", list->strsz);
	list->budget -= cost;
	if (info->symbol_versions_count == list->cap) {
		size_t want = list->cap == 0 ? 64 : list->cap * 2;
		struct ifx_symbol_version *grown =
			reallocarray(info->symbol_versions, want, sizeof(*grown));

		if (grown == NULL)
			return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
		info->symbol_versions = grown;
		list->cap = want;
	}
	e = &info->symbol_versions[info->symbol_versions_count];
	e->symbol = strdup(sym);
	e->version = strdup(v->name);
	e->file = strdup(v->file);
	info->symbol_versions_count++;
	if (e->symbol == NULL || e->version == NULL || e->file == NULL)
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	return IFX_OK;
}

static Elf_Data *read_table(Elf *elf, uint64_t vaddr, size_t n, Elf_Type type,
			    const char *what, struct ifx_error *err)
{
	uint64_t off, avail;
	size_t size = gelf_fsize(elf, type, n, EV_CURRENT);

	if (!ifx__elf_vaddr_to_offset(elf, vaddr, &off, &avail) || size > avail) {
		ifx__error_set(err, IFX_ERR_MALFORMED,
			  "%s (0x%llx) is not inside a loaded segment", what,
			  (unsigned long long)vaddr);
		return NULL;
	}
	return ifx__elf_read_chunk(elf, off, size, type, what, err);
}

enum ifx_status ifx__elf_symbols_read(Elf *elf, const struct dyn_symbol_source *src,
				 struct ifx_elf_info *info,
				 struct ifx_error *err)
{
	const struct version_index **by_index;
	struct symbol_list list = { 0, 0, src->strsz };
	Elf_Data *syms, *versym;
	enum ifx_status st = IFX_OK;
	size_t n, slots;

	if (src->symtab == 0 || src->versym == 0 || src->versions_count == 0)
		return IFX_OK;
	n = symbol_count(elf, src, info->elf_class);
	if (n == 0)
		return IFX_OK;
	syms = read_table(elf, src->symtab, n, ELF_T_SYM, "DT_SYMTAB", err);
	versym = syms ? read_table(elf, src->versym, n, ELF_T_HALF, "DT_VERSYM", err) : NULL;
	if (versym == NULL)
		return IFX_ERR_MALFORMED;
	by_index = index_versions(src, &slots);
	if (by_index == NULL)
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	list.budget = NAME_COPIES * (uint64_t)src->strsz + VERSION_COPY_BYTES * (uint64_t)n +
		      STRING_SLACK;
	for (size_t i = 1; i < n && st == IFX_OK; i++) {
		const struct version_index *v;
		GElf_Versym vs;
		GElf_Sym sym;

		if (gelf_getsym(syms, (int)i, &sym) == NULL ||
		    gelf_getversym(versym, (int)i, &vs) == NULL)
			break;
		if (sym.st_shndx != SHN_UNDEF || sym.st_name >= src->strsz)
			continue;
		v = (size_t)(vs & ~VERSYM_HIDDEN) < slots ? by_index[vs & ~VERSYM_HIDDEN] : NULL;
		if (v == NULL || memchr(src->strtab + sym.st_name, '\0',
					src->strsz - sym.st_name) == NULL)
			continue;
		st = add_symbol(info, &list, src->strtab + sym.st_name, v, err);
	}
	free(by_index);
	return st;
}
