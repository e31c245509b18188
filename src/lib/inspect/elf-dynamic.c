/* The dynamic section's facts, read through PT_DYNAMIC and the PT_LOADs so
 * that files without section headers (sstrip'd) are read the same way. */
#include "config.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* A chain of version records is bounded by what a sane file holds; a
 * lying vn_next or vn_cnt must not make us spin. */
#define VERSION_RECORDS_MAX 4096
#define VERSION_CHUNK_MAX (1u << 20)

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
};

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

static enum ifx_status read_strtab(Elf *elf, const struct dyn_values *v,
				   struct strtab *tab, struct ifx_error *err)
{
	uint64_t off, avail;
	Elf_Data *data;

	tab->base = NULL;
	tab->size = 0;
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
	size_t count;
};

static int version_map_add(struct version_map *map, unsigned index)
{
	struct version_index *grown;

	grown = reallocarray(map->items, map->count + 1, sizeof(*grown));
	if (grown == NULL)
		return -1;
	grown[map->count].index = index;
	grown[map->count].file = NULL;
	grown[map->count].name = NULL;
	map->items = grown;
	map->count++;
	return 0;
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
				    const struct strtab *tab,
				    struct ifx_elf_info *info,
				    struct version_map *map,
				    struct ifx_error *err)
{
	Elf_Data *data;
	size_t need_off = 0;

	if (v->verneed == 0)
		return IFX_OK;
	data = read_version_chunk(elf, v->verneed, ELF_T_VNEED, "DT_VERNEED", err);
	if (data == NULL)
		return IFX_ERR_MALFORMED;
	for (uint64_t i = 0; i < v->verneednum && i < VERSION_RECORDS_MAX; i++) {
		struct ifx_version_need *need, *grown;
		GElf_Verneed vn;
		const char *file;
		size_t aux_off;

		if (gelf_getverneed(data, (int)need_off, &vn) == NULL)
			return ifx__error_set(err, IFX_ERR_MALFORMED,
					 "DT_VERNEED record %llu is truncated",
					 (unsigned long long)i);
		file = strtab_get(tab, vn.vn_file);
		if (file == NULL)
			return bad_string(err, "DT_VERNEED file");
		grown = reallocarray(info->versions_needed,
				info->versions_needed_count + 1, sizeof(*grown));
		if (grown == NULL)
			return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
		info->versions_needed = grown;
		need = &grown[info->versions_needed_count++];
		memset(need, 0, sizeof(*need));
		need->file = strdup(file);
		if (need->file == NULL)
			return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
		aux_off = need_off + vn.vn_aux;
		for (unsigned j = 0; j < vn.vn_cnt && j < VERSION_RECORDS_MAX; j++) {
			GElf_Vernaux aux;
			const char *name;

			if (gelf_getvernaux(data, (int)aux_off, &aux) == NULL)
				return ifx__error_set(err, IFX_ERR_MALFORMED,
						 "DT_VERNEED entry of %s is truncated",
						 file);
			name = strtab_get(tab, aux.vna_name);
			if (name == NULL)
				return bad_string(err, "DT_VERNEED version");
			if (ifx__strlist_push(&need->names, &need->count, name) < 0 ||
			    version_map_add(map, aux.vna_other) < 0)
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
				   const struct strtab *tab,
				   struct ifx_elf_info *info,
				   struct ifx_error *err)
{
	Elf_Data *data;
	size_t def_off = 0;

	if (v->verdef == 0)
		return IFX_OK;
	data = read_version_chunk(elf, v->verdef, ELF_T_VDEF, "DT_VERDEF", err);
	if (data == NULL)
		return IFX_ERR_MALFORMED;
	for (uint64_t i = 0; i < v->verdefnum && i < VERSION_RECORDS_MAX; i++) {
		GElf_Verdef vd;
		GElf_Verdaux aux;
		const char *name;

		if (gelf_getverdef(data, (int)def_off, &vd) == NULL ||
		    gelf_getverdaux(data, (int)(def_off + vd.vd_aux), &aux) == NULL)
			return ifx__error_set(err, IFX_ERR_MALFORMED,
					 "DT_VERDEF record %llu is truncated",
					 (unsigned long long)i);
		/* The base entry names the file itself, not a version. */
		if (!(vd.vd_flags & VER_FLG_BASE)) {
			name = strtab_get(tab, aux.vda_name);
			if (name == NULL)
				return bad_string(err, "DT_VERDEF");
			if (ifx__strlist_push(&info->versions_defined,
					 &info->versions_defined_count, name) < 0)
				return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
		}
		if (vd.vd_next == 0)
			break;
		def_off += vd.vd_next;
	}
	return IFX_OK;
}

static enum ifx_status copy_string(const struct strtab *tab, bool present,
				   uint64_t off, const char *tag, char **out,
				   struct ifx_error *err)
{
	const char *s;

	if (!present)
		return IFX_OK;
	s = strtab_get(tab, off);
	if (s == NULL)
		return bad_string(err, tag);
	*out = strdup(s);
	return *out == NULL ? ifx__error_set(err, IFX_ERR_NOMEM, "out of memory") : IFX_OK;
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

static enum ifx_status collect_needed(Elf_Data *dyn, size_t n,
				      const struct strtab *tab,
				      struct ifx_elf_info *info,
				      struct ifx_error *err)
{
	GElf_Dyn d;

	for (size_t i = 0; i < n && gelf_getdyn(dyn, (int)i, &d) != NULL; i++) {
		const char *name;

		if (d.d_tag == DT_NULL)
			break;
		if (d.d_tag != DT_NEEDED)
			continue;
		name = strtab_get(tab, d.d_un.d_val);
		if (name == NULL)
			return bad_string(err, "DT_NEEDED");
		if (ifx__strlist_push(&info->needed, &info->needed_count, name) < 0)
			return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	}
	return IFX_OK;
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
	struct version_map map = { NULL, 0 };
	struct strtab tab;
	enum ifx_status st;
	Elf_Data *dyn;
	GElf_Phdr ph;
	size_t n;

	*flags_1 = 0;
	if (!find_dynamic(elf, &ph) || ph.p_filesz == 0)
		return IFX_OK;
	if (ph.p_offset > info->file_size ||
	    ph.p_filesz > info->file_size - ph.p_offset)
		return ifx__error_set(err, IFX_ERR_MALFORMED,
				 "PT_DYNAMIC (offset 0x%llx, %llu bytes) extends past the end of the file",
				 (unsigned long long)ph.p_offset,
				 (unsigned long long)ph.p_filesz);
	dyn = ifx__elf_read_chunk(elf, ph.p_offset, ph.p_filesz, ELF_T_DYN,
			     "PT_DYNAMIC", err);
	if (dyn == NULL)
		return IFX_ERR_MALFORMED;
	n = dyn->d_size / gelf_fsize(elf, ELF_T_DYN, 1, EV_CURRENT);
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
