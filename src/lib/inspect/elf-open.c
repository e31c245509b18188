/* Opening an ELF file with libelf after checking what libelf takes on
 * trust: identification bytes, header sizes, and that the program header
 * table lies inside the file and within the kernel's 64 KiB. */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* fs/binfmt_elf.c load_elf_phdrs(): "if (size == 0 || size > 65536)". */
#define PHDR_TABLE_MAX 65536u

static enum ifx_status check_ident(int fd, uint64_t size, struct ifx_error *err)
{
	unsigned char ident[EI_NIDENT];
	size_t ehsize;
	ssize_t n;

	if (size == 0)
		return ifx__error_set(err, IFX_ERR_NOT_ELF, "empty file");
	if (size < SELFMAG)
		return ifx__error_set(err, IFX_ERR_NOT_ELF, "not an ELF file");
	n = pread(fd, ident, sizeof(ident), 0);
	if (n < 0)
		return ifx__error_set_errno(err, errno, "cannot read");
	if (n < SELFMAG || memcmp(ident, ELFMAG, SELFMAG) != 0)
		return ifx__error_set(err, IFX_ERR_NOT_ELF, "not an ELF file");
	if (n < EI_NIDENT)
		return ifx__error_set(err, IFX_ERR_MALFORMED,
				 "truncated ELF header (%zd of %d identification bytes)",
				 n, EI_NIDENT);
	if (ident[EI_CLASS] != ELFCLASS32 && ident[EI_CLASS] != ELFCLASS64)
		return ifx__error_set(err, IFX_ERR_MALFORMED,
				 "invalid ELF class byte 0x%02x", ident[EI_CLASS]);
	if (ident[EI_DATA] != ELFDATA2LSB && ident[EI_DATA] != ELFDATA2MSB)
		return ifx__error_set(err, IFX_ERR_MALFORMED,
				 "invalid ELF data encoding byte 0x%02x",
				 ident[EI_DATA]);
	if (ident[EI_VERSION] != EV_CURRENT)
		return ifx__error_set(err, IFX_ERR_MALFORMED,
				 "unsupported ELF version %u", ident[EI_VERSION]);
	ehsize = ident[EI_CLASS] == ELFCLASS64 ? sizeof(Elf64_Ehdr)
					       : sizeof(Elf32_Ehdr);
	if (size < ehsize)
		return ifx__error_set(err, IFX_ERR_MALFORMED,
				 "truncated ELF header (%llu of %zu bytes)",
				 (unsigned long long)size, ehsize);
	return IFX_OK;
}

/* The class byte must agree with the header's own sizes: a 64-bit header
 * labelled ELFCLASS32 would otherwise be read as garbage. */
static enum ifx_status check_header(Elf *elf, uint64_t size,
				    struct ifx_error *err)
{
	size_t ehsize = gelf_fsize(elf, ELF_T_EHDR, 1, EV_CURRENT);
	size_t phentsize = gelf_fsize(elf, ELF_T_PHDR, 1, EV_CURRENT);
	int cls = gelf_getclass(elf) == ELFCLASS64 ? 64 : 32;
	GElf_Ehdr eh;
	size_t phnum;

	if (gelf_getehdr(elf, &eh) == NULL)
		return ifx__error_set(err, IFX_ERR_MALFORMED, "unreadable ELF header: %s",
				 elf_errmsg(-1));
	if (eh.e_ehsize != ehsize)
		return ifx__error_set(err, IFX_ERR_MALFORMED,
				 "e_ehsize %u does not match ELFCLASS%d (%zu)",
				 eh.e_ehsize, cls, ehsize);
	/* libelf clamps the count to what fits in the file; the header's own
	 * e_phnum is what the kernel reads, so check that one. The kernel
	 * never reads PN_XNUM's real count from section 0: 0xffff entries are
	 * far over its limit below, so that escape needs no reading here. */
	phnum = eh.e_phnum;
	if (phnum == 0)
		return IFX_OK;
	if (eh.e_phentsize != phentsize)
		return ifx__error_set(err, IFX_ERR_MALFORMED,
				 "e_phentsize %u does not match ELFCLASS%d (%zu)",
				 eh.e_phentsize, cls, phentsize);
	/* fs/binfmt_elf.c load_elf_phdrs() refuses a table over 64 KiB with
	 * ENOEXEC (1170 entries of ELFCLASS64, 2048 of ELFCLASS32): no file
	 * that runs has more, and this bound is what keeps every per-segment
	 * loop and allocation after it small (a hostile 16384-segment file
	 * cost a second and a GiB). */
	if (phnum * phentsize > PHDR_TABLE_MAX)
		return ifx__error_set(err, IFX_ERR_MALFORMED,
				 "%s%zu program headers (%zu bytes): the kernel refuses a "
				 "program header table over 64 KiB (%zu entries)",
				 eh.e_phnum == PN_XNUM ? "e_phnum is PN_XNUM (0xffff), read by the "
				 "kernel as " : "", phnum, phnum * phentsize,
				 PHDR_TABLE_MAX / phentsize);
	if (eh.e_phoff > size || phnum > (size - eh.e_phoff) / phentsize)
		return ifx__error_set(err, IFX_ERR_MALFORMED,
				 "program header table (offset 0x%llx, %zu entries) "
				 "extends past the end of the file (%llu bytes)",
				 (unsigned long long)eh.e_phoff, phnum,
				 (unsigned long long)size);
	return IFX_OK;
}

enum ifx_status ifx__elf_open_fd(int fd, uint64_t size, Elf **elf_out,
			    struct ifx_error *err)
{
	enum ifx_status st;
	Elf *elf;

	*elf_out = NULL;
	st = check_ident(fd, size, err);
	if (st != IFX_OK)
		return st;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return ifx__error_set(err, IFX_ERR_UNSUPPORTED, "libelf is out of date");
	/* ELF_C_READ reads lazily with pread: memory does not grow with the
	 * file, and a file truncated meanwhile cannot SIGBUS us as a map would. */
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (elf == NULL)
		return ifx__error_set(err, IFX_ERR_MALFORMED, "libelf cannot read it: %s",
				 elf_errmsg(-1));
	if (elf_kind(elf) != ELF_K_ELF) {
		elf_end(elf);
		return ifx__error_set(err, IFX_ERR_NOT_ELF, "not an ELF file");
	}
	st = check_header(elf, size, err);
	if (st != IFX_OK) {
		elf_end(elf);
		return st;
	}
	*elf_out = elf;
	return IFX_OK;
}

Elf_Data *ifx__elf_read_chunk(Elf *elf, uint64_t off, uint64_t len, Elf_Type type,
			 const char *what, struct ifx_error *err)
{
	Elf_Data *data;

	data = elf_getdata_rawchunk(elf, (int64_t)off, len, type);
	if (data == NULL)
		ifx__error_set(err, IFX_ERR_MALFORMED,
			  "%s (offset 0x%llx, %llu bytes) is not inside the file",
			  what, (unsigned long long)off, (unsigned long long)len);
	return data;
}

bool ifx__elf_vaddr_to_offset(Elf *elf, uint64_t vaddr, uint64_t *off,
			 uint64_t *avail)
{
	size_t phnum;
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &phnum) != 0)
		return false;
	for (size_t i = 0; i < phnum; i++) {
		if (gelf_getphdr(elf, (int)i, &ph) == NULL || ph.p_type != PT_LOAD)
			continue;
		if (vaddr < ph.p_vaddr || vaddr - ph.p_vaddr >= ph.p_filesz)
			continue;
		*off = ph.p_offset + (vaddr - ph.p_vaddr);
		if (avail != NULL)
			*avail = ph.p_filesz - (vaddr - ph.p_vaddr);
		return true;
	}
	return false;
}
