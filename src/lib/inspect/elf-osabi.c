/*
 * Which operating system a binary is for. EI_OSABI says it for FreeBSD
 * (9), NetBSD (2), OpenBSD (12), Solaris (6); Linux binaries carry 0
 * (System V) or 3 (GNU) and prove themselves with notes: the GNU ABI tag
 * (.note.ABI-tag, NT_GNU_ABI_TAG: OS 0 Linux, 1 Hurd, 2 Solaris, 3 FreeBSD),
 * Android's .note.android.ident, and the BSDs' own ident notes (FreeBSD,
 * NetBSD, OpenBSD, each type 1). Notes are read through PT_NOTE, so
 * stripped files without section headers are judged the same way.
 */
#include "config.h"

#include <elf.h>
#include <string.h>

#include "internal.h"

/* What all PT_NOTEs together may make us read: a real binary's notes
 * (ABI tag, build id, GNU properties) are a few hundred bytes, and libelf
 * keeps each one read until elf_end, so a thousand segments naming the
 * same megabyte must not each cost it. */
#define NOTE_BYTES_MAX (1u << 20)

static enum ifx_os from_osabi(unsigned osabi)
{
	switch (osabi) {
	case ELFOSABI_FREEBSD: return IFX_OS_FREEBSD;
	case ELFOSABI_NETBSD: return IFX_OS_NETBSD;
	case ELFOSABI_OPENBSD: return IFX_OS_OPENBSD;
	case ELFOSABI_SOLARIS: return IFX_OS_SOLARIS;
	case ELFOSABI_SYSV:
	case ELFOSABI_GNU: return IFX_OS_LINUX;
	default: return IFX_OS_OTHER;
	}
}

static enum ifx_os from_note(const char *name, size_t namesz, GElf_Word type,
			     const unsigned char *desc, size_t descsz, int data)
{
	if (type != 1)
		return IFX_OS_UNKNOWN;
	if (namesz == 4 && memcmp(name, "GNU", 4) == 0 && descsz >= 4) {
		uint32_t os = data == ELFDATA2MSB
			? (uint32_t)desc[0] << 24 | (uint32_t)desc[1] << 16 | (uint32_t)desc[2] << 8 | desc[3]
			: (uint32_t)desc[3] << 24 | (uint32_t)desc[2] << 16 | (uint32_t)desc[1] << 8 | desc[0];

		switch (os) {
		case 0: return IFX_OS_LINUX;
		case 1: return IFX_OS_HURD;
		case 2: return IFX_OS_SOLARIS;
		case 3: return IFX_OS_FREEBSD;
		default: return IFX_OS_OTHER;
		}
	}
	if (namesz == 8 && memcmp(name, "Android", 8) == 0)
		return IFX_OS_ANDROID;
	if (namesz == 8 && memcmp(name, "FreeBSD", 8) == 0)
		return IFX_OS_FREEBSD;
	if (namesz == 7 && memcmp(name, "NetBSD", 7) == 0)
		return IFX_OS_NETBSD;
	if (namesz == 8 && memcmp(name, "OpenBSD", 8) == 0)
		return IFX_OS_OPENBSD;
	return IFX_OS_UNKNOWN;
}

/* The OS the notes of one PT_NOTE name, or IFX_OS_UNKNOWN. */
static enum ifx_os scan_notes(Elf *elf, const GElf_Phdr *ph, int data, uint64_t *budget)
{
	enum ifx_os os = IFX_OS_UNKNOWN;
	Elf_Data *d;
	GElf_Nhdr nh;
	size_t off = 0, name_off, desc_off, next;

	if (ph->p_filesz == 0 || ph->p_filesz > *budget)
		return IFX_OS_UNKNOWN;
	*budget -= ph->p_filesz;
	d = ifx__elf_read_chunk(elf, ph->p_offset, ph->p_filesz,
			   ph->p_align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR, "PT_NOTE", NULL);
	if (d == NULL)
		return IFX_OS_UNKNOWN;
	while (os == IFX_OS_UNKNOWN &&
	       (next = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
		os = from_note((const char *)d->d_buf + name_off, nh.n_namesz, nh.n_type,
			       (const unsigned char *)d->d_buf + desc_off, nh.n_descsz, data);
		off = next;
	}
	return os;
}

void ifx__elf_os_classify(Elf *elf, struct ifx_elf_info *info)
{
	enum ifx_os by_header = from_osabi(info->osabi), by_note = IFX_OS_UNKNOWN;
	uint64_t budget = NOTE_BYTES_MAX;
	size_t phnum;
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &phnum) == 0) {
		for (size_t i = 0; i < phnum && by_note == IFX_OS_UNKNOWN; i++)
			if (gelf_getphdr(elf, (int)i, &ph) != NULL && ph.p_type == PT_NOTE)
				by_note = scan_notes(elf, &ph, info->data, &budget);
	}
	/* A specific EI_OSABI wins; a System V one is told apart by the notes. */
	if (by_header != IFX_OS_LINUX)
		info->os = by_header;
	else if (by_note != IFX_OS_UNKNOWN)
		info->os = by_note;
	else if (info->has_interp && strncmp(info->interp, "/system/bin/linker", 18) == 0)
		info->os = IFX_OS_ANDROID;
	else
		info->os = IFX_OS_LINUX;
}

const char *ifx_os_name(enum ifx_os os)
{
	switch (os) {
	case IFX_OS_LINUX: return "linux";
	case IFX_OS_ANDROID: return "android";
	case IFX_OS_FREEBSD: return "freebsd";
	case IFX_OS_NETBSD: return "netbsd";
	case IFX_OS_OPENBSD: return "openbsd";
	case IFX_OS_SOLARIS: return "solaris";
	case IFX_OS_HURD: return "hurd";
	case IFX_OS_OTHER: return "other";
	case IFX_OS_UNKNOWN: return "unknown";
	}
	return "unknown";
}
