/* ifx_inspect_fd: the facts of one ELF file, from its program headers. */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "internal.h"

static void read_ehdr_facts(Elf *elf, struct ifx_elf_info *info)
{
	GElf_Ehdr eh;
	size_t shnum = 0;

	gelf_getehdr(elf, &eh); /* checked by ifx__elf_open_fd */
	info->elf_class = eh.e_ident[EI_CLASS] == ELFCLASS64 ? 64 : 32;
	info->data = eh.e_ident[EI_DATA];
	info->osabi = eh.e_ident[EI_OSABI];
	info->machine = eh.e_machine;
	info->type = eh.e_type;
	info->flags = eh.e_flags;
	info->has_section_headers = eh.e_shoff != 0 &&
		elf_getshdrnum(elf, &shnum) == 0 && shnum > 0;
}

/* Whether any executable PT_LOAD has bytes in the file. */
static bool code_has_bytes(Elf *elf)
{
	size_t phnum;
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &phnum) != 0)
		return true;
	for (size_t i = 0; i < phnum; i++)
		if (gelf_getphdr(elf, (int)i, &ph) != NULL && ph.p_type == PT_LOAD &&
		    (ph.p_flags & PF_X) && ph.p_filesz > 0)
			return true;
	return false;
}

/* The kernel (fs/binfmt_elf.c) wants 2..PATH_MAX bytes ending in NUL; we
 * also take the string only up to its first NUL, as readelf does, because a
 * shortened path is padded with NULs. */
static enum ifx_status read_interp(Elf *elf, const GElf_Phdr *ph,
				   struct ifx_elf_info *info,
				   struct ifx_error *err)
{
	const char *s;
	Elf_Data *data;

	/* objcopy --only-keep-debug keeps the headers but not the bytes: its
	 * code segments hold nothing, and such a file describes a program,
	 * it is not one. A program with code and an empty PT_INTERP is one
	 * the kernel refuses (fs/binfmt_elf.c: 2 to PATH_MAX bytes). */
	if (ph->p_filesz == 0 && !code_has_bytes(elf)) {
		info->debug_only = true;
		return IFX_OK;
	}
	if (ph->p_filesz < 2)
		return ifx__error_set(err, IFX_ERR_MALFORMED,
				 "PT_INTERP has %llu byte%s; the kernel needs 2 to PATH_MAX "
				 "bytes ending in NUL (execve fails with ENOEXEC)",
				 (unsigned long long)ph->p_filesz, ph->p_filesz == 1 ? "" : "s");
	if (ph->p_filesz > PATH_MAX)
		return ifx__error_set(err, IFX_ERR_MALFORMED,
				 "PT_INTERP is %llu bytes, more than PATH_MAX",
				 (unsigned long long)ph->p_filesz);
	/* more bytes in the file than the loader maps: the rest is someone
	 * else's data (a fix's padding would overwrite it) */
	if (ph->p_filesz > ph->p_memsz)
		return ifx__error_set(err, IFX_ERR_MALFORMED,
				 "PT_INTERP has more file bytes (%llu) than memory bytes (%llu)",
				 (unsigned long long)ph->p_filesz, (unsigned long long)ph->p_memsz);
	if (ph->p_offset > info->file_size ||
	    ph->p_filesz > info->file_size - ph->p_offset)
		return ifx__error_set(err, IFX_ERR_MALFORMED,
				 "PT_INTERP (offset 0x%llx, %llu bytes) extends past the end of the file (%llu bytes)",
				 (unsigned long long)ph->p_offset,
				 (unsigned long long)ph->p_filesz,
				 (unsigned long long)info->file_size);
	data = ifx__elf_read_chunk(elf, ph->p_offset, ph->p_filesz, ELF_T_BYTE,
			      "PT_INTERP", err);
	if (data == NULL)
		return IFX_ERR_MALFORMED;
	s = data->d_buf;
	if (memchr(s, '\0', data->d_size) == NULL)
		return ifx__error_set(err, IFX_ERR_MALFORMED,
				 "PT_INTERP string is not NUL-terminated");
	if (s[0] == '\0')
		return ifx__error_set(err, IFX_ERR_MALFORMED, "PT_INTERP string is empty");
	info->interp = strdup(s);
	if (info->interp == NULL)
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	info->has_interp = true;
	info->interp_offset = ph->p_offset;
	info->interp_size = ph->p_filesz;
	return IFX_OK;
}

/* Where PT_INTERP's bytes may be: inside the file image of a PT_LOAD (the
 * string is loaded with the program, and a fix writes only there), and
 * clear of the ELF header and the program header table, which a lying slot
 * would let a fix overwrite (the result would no longer be ELF). */
static enum ifx_status check_interp_place(Elf *elf, size_t phnum,
					  const struct ifx_elf_info *info,
					  struct ifx_error *err)
{
	uint64_t off = info->interp_offset, end = off + info->interp_size;
	GElf_Ehdr eh;
	GElf_Phdr ph;
	uint64_t ph_end;

	if (gelf_getehdr(elf, &eh) == NULL)
		return IFX_OK;
	ph_end = eh.e_phoff + (uint64_t)phnum * eh.e_phentsize;
	if (off < eh.e_ehsize || (off < ph_end && end > eh.e_phoff))
		return ifx__error_set(err, IFX_ERR_MALFORMED,
				      "PT_INTERP (offset 0x%llx, %llu bytes) overlaps the %s",
				      (unsigned long long)off, (unsigned long long)info->interp_size,
				      off < eh.e_ehsize ? "ELF header" : "program header table");
	/* nor over what other headers say is theirs */
	for (size_t i = 0; i < phnum; i++) {
		if (gelf_getphdr(elf, (int)i, &ph) == NULL || ph.p_filesz == 0 ||
		    (ph.p_type != PT_DYNAMIC && ph.p_type != PT_NOTE && ph.p_type != PT_TLS &&
		     ph.p_type != PT_GNU_EH_FRAME))
			continue;
		if (ph.p_offset < end && off < ph.p_offset + ph.p_filesz)
			return ifx__error_set(err, IFX_ERR_MALFORMED,
					      "PT_INTERP (offset 0x%llx, %llu bytes) overlaps program "
					      "header %zu (type 0x%x)", (unsigned long long)off,
					      (unsigned long long)info->interp_size, i, ph.p_type);
	}
	for (size_t i = 0; i < phnum; i++)
		if (gelf_getphdr(elf, (int)i, &ph) != NULL && ph.p_type == PT_LOAD &&
		    ph.p_offset <= off && end <= ph.p_offset + ph.p_filesz &&
		    ph.p_offset + ph.p_filesz >= ph.p_offset)
			return IFX_OK;
	return ifx__error_set(err, IFX_ERR_MALFORMED,
			      "PT_INTERP (offset 0x%llx, %llu bytes) is not inside any loaded "
			      "segment's bytes", (unsigned long long)off,
			      (unsigned long long)info->interp_size);
}

static enum ifx_status read_phdrs(Elf *elf, struct ifx_elf_info *info,
				  struct ifx_error *err)
{
	size_t phnum, seen = 0;
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &phnum) != 0)
		return ifx__error_set(err, IFX_ERR_MALFORMED,
				 "unreadable program headers: %s", elf_errmsg(-1));
	for (size_t i = 0; i < phnum; i++) {
		enum ifx_status st;

		if (gelf_getphdr(elf, (int)i, &ph) == NULL)
			return ifx__error_set(err, IFX_ERR_MALFORMED,
					 "unreadable program header %zu: %s", i,
					 elf_errmsg(-1));
		if (ph.p_type != PT_INTERP)
			continue;
		/* counted whatever their size (found by fuzzing: an empty one,
		 * taken for a debug file's, then a real one) */
		if (seen++ > 0)
			return ifx__error_set(err, IFX_ERR_MALFORMED,
					 "more than one PT_INTERP header");
		st = read_interp(elf, &ph, info, err);
		if (st != IFX_OK)
			return st;
	}
	if (info->has_interp)
		return check_interp_place(elf, phnum, info, err);
	return IFX_OK;
}

/* ET_DYN is both a PIE and a library: DF_1_PIE says PIE; without it, a
 * SONAME says library (libc.so.6 has PT_INTERP and a SONAME); old PIEs
 * from before DF_1_PIE have neither. */
static enum ifx_linkage classify_linkage(const struct ifx_elf_info *info,
					 uint64_t flags_1)
{
	bool pie = (flags_1 & DF_1_PIE) != 0;

	switch (info->type) {
	case ET_EXEC:
		return info->has_interp ? IFX_LINK_DYNAMIC : IFX_LINK_STATIC;
	case ET_DYN:
		if (info->has_interp)
			return !pie && info->soname != NULL ? IFX_LINK_SHARED_LIB
							    : IFX_LINK_DYNAMIC;
		return pie ? IFX_LINK_STATIC_PIE : IFX_LINK_SHARED_LIB;
	default:
		return IFX_LINK_OTHER;
	}
}

static enum ifx_status inspect(int fd, const struct stat *known, enum dyn_depth depth,
			       struct ifx_elf_info *info, struct ifx_error *err)
{
	enum ifx_status st;
	uint64_t flags_1 = 0;
	struct stat sb;
	Elf *elf = NULL;

	if (known != NULL)
		sb = *known;
	else if (fstat(fd, &sb) < 0)
		return ifx__error_set_errno(err, errno, "cannot stat");
	if (!S_ISREG(sb.st_mode))
		return ifx__error_set(err, IFX_ERR_NOT_REGULAR, "is not a regular file");
	info->file_size = (uint64_t)sb.st_size;
	info->file_mode = sb.st_mode;
	info->file_uid = sb.st_uid;
	/* only a file with an execute bit can carry capabilities that matter */
	info->file_caps = (sb.st_mode & 0111) &&
			  fgetxattr(fd, "security.capability", NULL, 0) > 0;
	st = ifx__elf_open_fd(fd, info->file_size, &elf, err);
	if (st != IFX_OK)
		return st;
	read_ehdr_facts(elf, info);
	st = read_phdrs(elf, info, err);
	if (st == IFX_OK)
		st = ifx__elf_dynamic_read(elf, info, &flags_1, depth, err);
	if (st == IFX_OK) {
		info->dt_flags_1 = flags_1;
		info->linkage = classify_linkage(info, flags_1);
		ifx__elf_abi_classify(elf, info);
		ifx__elf_os_classify(elf, info);
		info->libc = ifx__libc_detect(info);
		info->go = ifx__go_buildinfo_read(elf);
	}
	elf_end(elf);
	return st;
}

enum ifx_status ifx_inspect_fd(int fd, struct ifx_elf_info *info,
			       struct ifx_error *err)
{
	enum ifx_status st;

	ifx__error_clear(err);
	st = IFX__SIZED_OUT(info, err);
	if (st != IFX_OK)
		return st;
	st = inspect(fd, NULL, DYN_ALL, info, err);
	if (st != IFX_OK)
		ifx_elf_info_free(info);
	return st;
}

/* For a tree walk whose directory entry already said "regular file": one
 * open (non-blocking, never following, never a controlling tty) and one
 * fstat that proves it, instead of a stat before and after. Without
 * symbols, info->symbol_versions stays empty (check needs them only for
 * --glibc). */
IFX_API enum ifx_status ifx_inspect_entry(int dirfd, const char *name, unsigned flags,
					  struct ifx_elf_info *info, struct ifx_error *err)
{
	unsigned char head[IFX_ARCHIVE_HEAD];
	bool compressed;
	enum ifx_status st;
	struct stat sb;
	ssize_t n;
	int fd;

	ifx__error_clear(err);
	st = IFX__SIZED_OUT(info, err);
	if (st != IFX_OK)
		return st;
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	if (fd < 0)
		return ifx__error_set_errno(err, errno, "cannot open");
	/* Most files of a tree are not ELF: the first bytes say so, with no
	 * fstat (pread fails on anything but a regular file or a block device,
	 * which a walk never sees), and also whether it may be an archive. */
	n = pread(fd, head, (flags & IFX_INSPECT_ARCHIVES) ? sizeof(head) : SELFMAG, 0);
	if (n < SELFMAG || memcmp(head, ELFMAG, SELFMAG) != 0) {
		close(fd);
		/* a gzip'd file that is no tar (a man page) is said at once */
		if ((flags & IFX_INSPECT_ARCHIVES) && n > 0 &&
		    ifx__archive_magic(head, (size_t)n, &compressed) != IFX_ARCHIVE_NONE &&
		    !(compressed && head[0] == 0x1f && ifx__gzip_holds_tar(head, (size_t)n) == 0))
			return ifx__error_set(err, IFX_ERR_ARCHIVE, "an archive");
		return ifx__error_set(err, IFX_ERR_NOT_ELF, "not an ELF file");
	}
	if (fstat(fd, &sb) < 0) {
		st = ifx__error_set_errno(err, errno, "cannot stat");
	} else if (!S_ISREG(sb.st_mode)) {
		st = ifx__error_set(err, IFX_ERR_NOT_REGULAR, "changed while being opened");
	} else {
		st = inspect(fd, &sb, (flags & IFX_INSPECT_NO_SYMBOLS) ? DYN_VERSIONS : DYN_ALL,
			     info, err);
		if (st != IFX_OK)
			ifx_elf_info_free(info);
	}
	close(fd);
	return st;
}

enum ifx_status ifx_inspect_path(int dirfd, const char *path, bool follow,
				 struct ifx_elf_info *info, struct ifx_error *err)
{
	enum ifx_status st;
	int fd;

	st = IFX__SIZED_OUT(info, err);
	if (st != IFX_OK)
		return st;
	st = ifx_open_regular(dirfd, path, follow, &fd, err);
	if (st != IFX_OK)
		return st;
	st = ifx_inspect_fd(fd, info, err);
	close(fd);
	return st;
}

void ifx_elf_info_free(struct ifx_elf_info *info)
{
	if (info == NULL)
		return;
	free(info->interp);
	ifx__strlist_free(info->needed, info->needed_count);
	free(info->soname);
	free(info->rpath);
	free(info->runpath);
	for (size_t i = 0; i < info->versions_needed_count; i++)
		ifx__strlist_free(info->versions_needed[i].names,
			     info->versions_needed[i].count);
	for (size_t i = 0; i < info->versions_needed_count; i++)
		free(info->versions_needed[i].file);
	free(info->versions_needed);
	ifx__strlist_free(info->versions_defined, info->versions_defined_count);
	for (size_t i = 0; i < info->symbol_versions_count; i++) {
		free(info->symbol_versions[i].symbol);
		free(info->symbol_versions[i].version);
		free(info->symbol_versions[i].file);
	}
	free(info->symbol_versions);
	ifx__go_info_free(info->go);
	IFX__SIZED_CLEAR(info);
}
