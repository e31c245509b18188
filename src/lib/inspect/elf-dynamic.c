/* The dynamic section's facts, read through PT_DYNAMIC and the PT_LOADs so
 * that files without section headers (sstrip'd) are read the same way. */
#include "config.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* PT_DYNAMIC is read up to its DT_NULL, as ld.so reads it, but no further
 * than this many entries: linkers write one per NEEDED and some forty
 * others (a few hundred in the largest programs); a table without DT_NULL
 * that early was made to make us read and copy. */
#define DYN_ENTRIES_MAX 4096
/* Version records, needs and versions together: glibc defines some forty
 * versions and a program needs a few of each library's. The records point
 * at each other by offsets (vn_aux, vna_next) and may share bytes, so a
 * lying vn_cnt on 4096 needs sharing one chain would name 16 million
 * versions from 128 KiB; past this many, the file is malformed. */
#define VERSION_RECORDS_MAX 4096
#define VERSION_CHUNK_MAX (1u << 20)
/* What the strings copied out of the dynamic string table may add up to:
 * this many times its size, plus STRING_SLACK. A linker writes each name
 * once and refers to few twice (a NEEDED name is also its verneed file;
 * GLIBC_2.2.5 is needed from libc and from libm); 20000 NEEDED entries
 * naming one 64 KiB string would take 1.3 GB. */
#define STRING_COPIES 4
#define STRING_SLACK (64u << 10)

struct dyn_values {
	uint64_t strtab, strsz;
	uint64_t verneed, verneednum;
	uint64_t verdef, verdefnum;
	uint64_t soname, rpath, runpath;
	uint64_t symtab, versym, hash, gnu_hash;
	bool has_soname, has_rpath, has_runpath;
	uint64_t flags_1;
};

struct strtab {
	const char *base;
	size_t size;
	size_t budget;   /* bytes still to be copied out of it */
};

/* Room for one more of an array of elem-sized items holding count, of
 * *cap (doubled when full); -1 when out of memory (the array is kept). */
static int reserve(void **items, size_t *cap, size_t count, size_t elem)
{
	size_t want = *cap == 0 ? 8 : *cap * 2;
	void *grown;

	if (count < *cap)
		return 0;
	grown = reallocarray(*items, want, elem);
	if (grown == NULL)
		return -1;
	*items = grown;
	*cap = want;
	return 0;
}

/* A string of the dynamic string table, or NULL when off or its NUL lies
 * outside the table. */
static const char *strtab_get(const struct strtab *tab, uint64_t off)
{
	if (tab->base == NULL || off >= tab->size)
		return NULL;
	if (memchr(tab->base + off, '\0', tab->size - off) == NULL)
		return NULL;
	return tab->base + off;
}

static enum ifx_status bad_string(struct ifx_error *err, const char *tag)
{
	return ifx__error_set(err, IFX_ERR_MALFORMED,
			 "%s string lies outside the dynamic string table", tag);
}

/* A malloc'd copy of the string at off, counted against the budget. */
static enum ifx_status strtab_copy(struct strtab *tab, uint64_t off, const char *tag,
				   char **out, struct ifx_error *err)
{
	const char *s = strtab_get(tab, off);
	size_t len;

	*out = NULL;
	if (s == NULL)
		return bad_string(err, tag);
	len = strlen(s) + 1;
	if (len > tab->budget)
		return ifx__error_set(err, IFX_ERR_MALFORMED,
				      "%s: the dynamic entries name more string bytes than %d "
				      "times their %zu-byte string table", tag, STRING_COPIES,
				      tab->size);
	tab->budget -= len;
	*out = strdup(s);
	return *out == NULL ? ifx__error_set(err, IFX_ERR_NOMEM, "out of memory") : IFX_OK;
}

/* strtab_copy appended to a list of strings (cap: its room). */
static enum ifx_status strtab_push(struct strtab *tab, uint64_t off, const char *tag,
				   char ***list, size_t *count, size_t *cap,
				   struct ifx_error *err)
{
	enum ifx_status st;
	char *copy;

	if (reserve((void **)list, cap, *count, sizeof(**list)) < 0)
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	st = strtab_copy(tab, off, tag, &copy, err);
	if (st == IFX_OK)
		(*list)[(*count)++] = copy;
	return st;
}

static enum ifx_status read_strtab(Elf *elf, const struct dyn_values *v,
				   struct strtab *tab, struct ifx_error *err)
{
	uint64_t off, avail;
	Elf_Data *data;

	tab->base = NULL;
	tab->size = 0;
	tab->budget = 0;
	if (v->strtab == 0)
		return IFX_OK;
	if (!ifx__elf_vaddr_to_offset(elf, v->strtab, &off, &avail) ||
	    v->strsz > avail)
		return ifx__error_set(err, IFX_ERR_MALFORMED,
				 "DT_STRTAB (0x%llx, %llu bytes) is not inside a loaded segment",
				 (unsigned long long)v->strtab,
				 (unsigned long long)v->strsz);
	data = ifx__elf_read_chunk(elf, off, v->strsz, ELF_T_BYTE, "DT_STRTAB", err);
	if (data == NULL)
		return IFX_ERR_MALFORMED;
	tab->base = data->d_buf;
	tab->size = data->d_size;
	tab->budget = STRING_COPIES * tab->size + STRING_SLACK;
	return IFX_OK;
}

/* The size of the version section at vaddr when section headers say it,
 * else 0. The records themselves hold no total size. */
static uint64_t version_section_size(Elf *elf, uint64_t vaddr)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn)) != NULL)
		if (gelf_getshdr(scn, &sh) != NULL && sh.sh_addr == vaddr &&
		    (sh.sh_type == SHT_GNU_verneed || sh.sh_type == SHT_GNU_verdef))
			return sh.sh_size;
	return 0;
}

/* The version records at vaddr: the section's bytes when section headers
 * give its size (a few hundred bytes, usually), else up to the end of
 * their segment, at most VERSION_CHUNK_MAX. */
static Elf_Data *read_version_chunk(Elf *elf, uint64_t vaddr, Elf_Type type,
				    const char *what, struct ifx_error *err)
{
	uint64_t off, avail, size = version_section_size(elf, vaddr);

	if (!ifx__elf_vaddr_to_offset(elf, vaddr, &off, &avail)) {
		ifx__error_set(err, IFX_ERR_MALFORMED,
			  "%s (0x%llx) is not inside a loaded segment", what,
			  (unsigned long long)vaddr);
		return NULL;
	}
	if (size > 0 && size < avail)
		avail = size;
	if (avail > VERSION_CHUNK_MAX)
		avail = VERSION_CHUNK_MAX;
	return ifx__elf_read_chunk(elf, off, avail, type, what, err);
}

/* Remember vna_other for each needed version, so that .gnu.version
 * entries can be mapped back to (file, version). */
struct version_map {
	struct version_index *items;
	size_t count, cap;
};

static int version_map_add(struct version_map *map, unsigned index)
{
	if (reserve((void **)&map->items, &map->cap, map->count, sizeof(*map->items)) < 0)
		return -1;
	map->items[map->count].index = index;
	map->items[map->count].file = NULL;
	map->items[map->count].name = NULL;
	map->count++;
	return 0;
}

static enum ifx_status too_many_records(struct ifx_error *err, const char *what)
{
	return ifx__error_set(err, IFX_ERR_MALFORMED, "%s holds more than %d version records",
			      what, VERSION_RECORDS_MAX);
}

/* Point the map's strings at info's copies, once info stops growing. */
static void version_map_bind(struct version_map *map,
			     const struct ifx_elf_info *info)
{
	size_t k = 0;

	for (size_t i = 0; i < info->versions_needed_count; i++)
		for (size_t j = 0; j < info->versions_needed[i].count && k < map->count; j++, k++) {
			map->items[k].file = info->versions_needed[i].file;
			map->items[k].name = info->versions_needed[i].names[j];
		}
}

static enum ifx_status read_verneed(Elf *elf, const struct dyn_values *v,
				    struct strtab *tab, struct ifx_elf_info *info,
				    struct version_map *map, struct ifx_error *err)
{
	size_t need_off = 0, records = 0, cap = 0;
	Elf_Data *data;

	if (v->verneed == 0)
		return IFX_OK;
	data = read_version_chunk(elf, v->verneed, ELF_T_VNEED, "DT_VERNEED", err);
	if (data == NULL)
		return IFX_ERR_MALFORMED;
	for (uint64_t i = 0; i < v->verneednum; i++) {
		struct ifx_version_need *need;
		size_t aux_off, names_cap = 0;
		enum ifx_status st;
		GElf_Verneed vn;

		if (++records > VERSION_RECORDS_MAX)
			return too_many_records(err, "DT_VERNEED");
		if (gelf_getverneed(data, (int)need_off, &vn) == NULL)
			return ifx__error_set(err, IFX_ERR_MALFORMED,
					 "DT_VERNEED record %llu is truncated",
					 (unsigned long long)i);
		if (reserve((void **)&info->versions_needed, &cap, info->versions_needed_count,
			    sizeof(*info->versions_needed)) < 0)
			return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
		need = &info->versions_needed[info->versions_needed_count++];
		memset(need, 0, sizeof(*need));
		st = strtab_copy(tab, vn.vn_file, "DT_VERNEED file", &need->file, err);
		if (st != IFX_OK)
			return st;
		aux_off = need_off + vn.vn_aux;
		for (unsigned j = 0; j < vn.vn_cnt; j++) {
			GElf_Vernaux aux;

			if (++records > VERSION_RECORDS_MAX)
				return too_many_records(err, "DT_VERNEED");
			if (gelf_getvernaux(data, (int)aux_off, &aux) == NULL)
				return ifx__error_set(err, IFX_ERR_MALFORMED,
						 "DT_VERNEED entry of %s is truncated",
						 need->file);
			st = strtab_push(tab, aux.vna_name, "DT_VERNEED version", &need->names,
					 &need->count, &names_cap, err);
			if (st != IFX_OK)
				return st;
			if (version_map_add(map, aux.vna_other) < 0)
				return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
			if (aux.vna_next == 0)
				break;
			aux_off += aux.vna_next;
		}
		if (vn.vn_next == 0)
			break;
		need_off += vn.vn_next;
	}
	return IFX_OK;
}

static enum ifx_status read_verdef(Elf *elf, const struct dyn_values *v,
				   struct strtab *tab, struct ifx_elf_info *info,
				   struct ifx_error *err)
{
	size_t def_off = 0, cap = 0;
	Elf_Data *data;

	if (v->verdef == 0)
		return IFX_OK;
	data = read_version_chunk(elf, v->verdef, ELF_T_VDEF, "DT_VERDEF", err);
	if (data == NULL)
		return IFX_ERR_MALFORMED;
	for (uint64_t i = 0; i < v->verdefnum; i++) {
		GElf_Verdef vd;
		GElf_Verdaux aux;

		if (i >= VERSION_RECORDS_MAX)
			return too_many_records(err, "DT_VERDEF");
		if (gelf_getverdef(data, (int)def_off, &vd) == NULL ||
		    gelf_getverdaux(data, (int)(def_off + vd.vd_aux), &aux) == NULL)
			return ifx__error_set(err, IFX_ERR_MALFORMED,
					 "DT_VERDEF record %llu is truncated",
					 (unsigned long long)i);
		/* The base entry names the file itself, not a version. */
		if (!(vd.vd_flags & VER_FLG_BASE)) {
			enum ifx_status st = strtab_push(tab, aux.vda_name, "DT_VERDEF",
							 &info->versions_defined,
							 &info->versions_defined_count, &cap, err);
			if (st != IFX_OK)
				return st;
		}
		if (vd.vd_next == 0)
			break;
		def_off += vd.vd_next;
	}
	return IFX_OK;
}

static enum ifx_status copy_string(struct strtab *tab, bool present,
				   uint64_t off, const char *tag, char **out,
				   struct ifx_error *err)
{
	if (!present)
		return IFX_OK;
	return strtab_copy(tab, off, tag, out, err);
}

/* One pass over the entries for the values; NEEDED is read in a second pass
 * once the string table is known, to keep the file's order. */
static void collect_values(Elf_Data *dyn, size_t n, struct dyn_values *v)
{
	GElf_Dyn d;

	for (size_t i = 0; i < n && gelf_getdyn(dyn, (int)i, &d) != NULL; i++) {
		switch (d.d_tag) {
		case DT_NULL: return;
		case DT_STRTAB: v->strtab = d.d_un.d_ptr; break;
		case DT_STRSZ: v->strsz = d.d_un.d_val; break;
		case DT_VERNEED: v->verneed = d.d_un.d_ptr; break;
		case DT_VERNEEDNUM: v->verneednum = d.d_un.d_val; break;
		case DT_VERDEF: v->verdef = d.d_un.d_ptr; break;
		case DT_VERDEFNUM: v->verdefnum = d.d_un.d_val; break;
		case DT_FLAGS_1: v->flags_1 = d.d_un.d_val; break;
		case DT_SYMTAB: v->symtab = d.d_un.d_ptr; break;
		case DT_VERSYM: v->versym = d.d_un.d_ptr; break;
		case DT_HASH: v->hash = d.d_un.d_ptr; break;
		case DT_GNU_HASH: v->gnu_hash = d.d_un.d_ptr; break;
		case DT_SONAME: v->soname = d.d_un.d_val; v->has_soname = true; break;
		case DT_RPATH: v->rpath = d.d_un.d_val; v->has_rpath = true; break;
		case DT_RUNPATH: v->runpath = d.d_un.d_val; v->has_runpath = true; break;
		default: break;
		}
	}
}

static enum ifx_status collect_needed(Elf_Data *dyn, size_t n, struct strtab *tab,
				      struct ifx_elf_info *info, struct ifx_error *err)
{
	size_t cap = 0;
	GElf_Dyn d;

	for (size_t i = 0; i < n && gelf_getdyn(dyn, (int)i, &d) != NULL; i++) {
		enum ifx_status st;

		if (d.d_tag == DT_NULL)
			break;
		if (d.d_tag != DT_NEEDED)
			continue;
		st = strtab_push(tab, d.d_un.d_val, "DT_NEEDED", &info->needed,
				 &info->needed_count, &cap, err);
		if (st != IFX_OK)
			return st;
	}
	return IFX_OK;
}

/* The number of entries to read: up to the first DT_NULL, which must come
 * within DYN_ENTRIES_MAX; all n when there is none and n is below that. */
static enum ifx_status dynamic_entries(Elf_Data *dyn, size_t n, uint64_t total,
				       size_t *used, struct ifx_error *err)
{
	GElf_Dyn d;

	for (size_t i = 0; i < n; i++) {
		if (gelf_getdyn(dyn, (int)i, &d) == NULL || d.d_tag == DT_NULL) {
			*used = i;
			return IFX_OK;
		}
	}
	*used = n;
	if (total <= n)
		return IFX_OK;
	return ifx__error_set(err, IFX_ERR_MALFORMED,
			      "PT_DYNAMIC has %llu entries and no DT_NULL in the first %d",
			      (unsigned long long)total, DYN_ENTRIES_MAX);
}

static bool find_dynamic(Elf *elf, GElf_Phdr *out)
{
	size_t phnum;

	if (elf_getphdrnum(elf, &phnum) != 0)
		return false;
	for (size_t i = 0; i < phnum; i++)
		if (gelf_getphdr(elf, (int)i, out) != NULL &&
		    out->p_type == PT_DYNAMIC)
			return true;
	return false;
}

enum ifx_status ifx__elf_dynamic_read(Elf *elf, struct ifx_elf_info *info,
				 uint64_t *flags_1, enum dyn_depth depth,
				 struct ifx_error *err)
{
	struct dyn_values v = { 0 };
	struct version_map map = { NULL, 0, 0 };
	size_t entsize = gelf_fsize(elf, ELF_T_DYN, 1, EV_CURRENT), n;
	uint64_t len;
	struct strtab tab;
	enum ifx_status st;
	Elf_Data *dyn;
	GElf_Phdr ph;

	*flags_1 = 0;
	if (!find_dynamic(elf, &ph) || ph.p_filesz == 0)
		return IFX_OK;
	if (ph.p_offset > info->file_size ||
	    ph.p_filesz > info->file_size - ph.p_offset)
		return ifx__error_set(err, IFX_ERR_MALFORMED,
				 "PT_DYNAMIC (offset 0x%llx, %llu bytes) extends past the end of the file",
				 (unsigned long long)ph.p_offset,
				 (unsigned long long)ph.p_filesz);
	len = ph.p_filesz < DYN_ENTRIES_MAX * entsize ? ph.p_filesz : DYN_ENTRIES_MAX * entsize;
	dyn = ifx__elf_read_chunk(elf, ph.p_offset, len, ELF_T_DYN, "PT_DYNAMIC", err);
	if (dyn == NULL)
		return IFX_ERR_MALFORMED;
	st = dynamic_entries(dyn, dyn->d_size / entsize, ph.p_filesz / entsize, &n, err);
	if (st != IFX_OK)
		return st;
	collect_values(dyn, n, &v);
	*flags_1 = v.flags_1;
	st = read_strtab(elf, &v, &tab, err);
	if (st == IFX_OK)
		st = collect_needed(dyn, n, &tab, info, err);
	if (st == IFX_OK)
		st = copy_string(&tab, v.has_soname, v.soname, "DT_SONAME",
				 &info->soname, err);
	if (st == IFX_OK)
		st = copy_string(&tab, v.has_rpath, v.rpath, "DT_RPATH",
				 &info->rpath, err);
	if (st == IFX_OK)
		st = copy_string(&tab, v.has_runpath, v.runpath, "DT_RUNPATH",
				 &info->runpath, err);
	if (st == IFX_OK && depth == DYN_NAMES)
		return IFX_OK;
	if (st == IFX_OK)
		st = read_verneed(elf, &v, &tab, info, &map, err);
	if (st == IFX_OK)
		st = read_verdef(elf, &v, &tab, info, err);
	if (st == IFX_OK && depth == DYN_VERSIONS) {
		free(map.items);
		return IFX_OK;
	}
	if (st == IFX_OK) {
		struct dyn_symbol_source src = {
			v.symtab, v.versym, v.hash, v.gnu_hash,
			tab.base, tab.size, map.items, map.count,
		};

		version_map_bind(&map, info);
		st = ifx__elf_symbols_read(elf, &src, info, err);
	}
	free(map.items);
	return st;
}
