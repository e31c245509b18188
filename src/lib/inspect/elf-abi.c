/* The ABI variant behind the loader name: which e_flags bits each psABI
 * uses to say it (glibc's sysdeps/.../dl-machine.h checks the same bits). */
#include "config.h"

#include <elf.h>
#include <string.h>

#include "internal.h"

#ifndef EM_LOONGARCH
#define EM_LOONGARCH 258
#endif

#define ARM_EABI_MASK 0xff000000u
#define ARM_EABI_VER5 0x05000000u
#define ARM_FLOAT_HARD 0x00000400u /* EF_ARM_ABI_FLOAT_HARD */
#define ARM_FLOAT_SOFT 0x00000200u /* EF_ARM_ABI_FLOAT_SOFT */
#define ARM_TAG_FILE 1
#define ARM_TAG_VFP_ARGS 28        /* Tag_ABI_VFP_args: 1 = VFP registers */
#define ARM_ATTR_MAX 65536

static bool read_uleb(const unsigned char **p, const unsigned char *end,
		      uint64_t *out)
{
	uint64_t v = 0;
	unsigned shift = 0;

	while (*p < end && shift < 64) {
		unsigned char b = *(*p)++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return true;
		}
		shift += 7;
	}
	return false;
}

static bool skip_ntbs(const unsigned char **p, const unsigned char *end)
{
	const unsigned char *nul = memchr(*p, '\0', (size_t)(end - *p));

	if (nul == NULL)
		return false;
	*p = nul + 1;
	return true;
}

/* Tag_ABI_VFP_args from the "aeabi" File attributes, or -1. Attribute
 * value types follow the ARM ABI addenda: 4, 5, 67 are strings, 32 is a
 * number then a string, others are strings when odd and above 32. */
static int arm_vfp_args_in(const unsigned char *p, const unsigned char *end)
{
	uint64_t tag, val;

	while (p < end && read_uleb(&p, end, &tag)) {
		if (tag == 4 || tag == 5 || tag == 67 || (tag > 32 && (tag & 1))) {
			if (!skip_ntbs(&p, end))
				return -1;
			continue;
		}
		if (!read_uleb(&p, end, &val))
			return -1;
		if (tag == 32 && !skip_ntbs(&p, end))
			return -1;
		if (tag == ARM_TAG_VFP_ARGS)
			return (int)val;
	}
	return -1;
}

static int arm_vfp_args(const unsigned char *buf, size_t size,
			bool big_endian)
{
	const unsigned char *p = buf + 1, *end = buf + size;

	if (size < 1 || buf[0] != 'A')
		return -1;
	while (end - p >= 4) {
		uint32_t len = big_endian
			? (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]
			: (uint32_t)p[3] << 24 | p[2] << 16 | p[1] << 8 | p[0];
		const unsigned char *sub = p + 4, *sub_end;

		if (len < 4 || len > (size_t)(end - p))
			return -1;
		sub_end = p + len;
		if (skip_ntbs(&sub, sub_end) && strcmp((const char *)p + 4, "aeabi") == 0 &&
		    sub_end - sub > 5 && sub[0] == ARM_TAG_FILE)
			return arm_vfp_args_in(sub + 5, sub_end);
		p = sub_end;
	}
	return -1;
}

static int arm_attributes_vfp_args(Elf *elf, bool big_endian)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		Elf_Data *data;

		if (gelf_getshdr(scn, &sh) == NULL || sh.sh_type != SHT_ARM_ATTRIBUTES ||
		    sh.sh_size > ARM_ATTR_MAX)
			continue;
		data = elf_rawdata(scn, NULL);
		if (data != NULL && data->d_buf != NULL)
			return arm_vfp_args(data->d_buf, data->d_size, big_endian);
	}
	return -1;
}

static enum ifx_abi arm_abi(Elf *elf, const struct ifx_elf_info *info)
{
	if ((info->flags & ARM_EABI_MASK) == ARM_EABI_VER5) {
		if (info->flags & ARM_FLOAT_HARD)
			return IFX_ABI_ARM_HARD;
		if (info->flags & ARM_FLOAT_SOFT)
			return IFX_ABI_ARM_SOFT;
	}
	/* Flag-less objects are ambiguous to glibc's VALID_FLOAT_ABI; the
	 * build attributes say how float arguments are passed. */
	if (arm_attributes_vfp_args(elf, info->data == ELFDATA2MSB) == 1)
		return IFX_ABI_ARM_HARD;
	return IFX_ABI_ARM_SOFT;
}

void ifx__elf_abi_classify(Elf *elf, struct ifx_elf_info *info)
{
	uint32_t f = info->flags;

	info->abi = IFX_ABI_NONE;
	info->mips_nan2008 = false;
	switch (info->machine) {
	case EM_ARM:
		info->abi = arm_abi(elf, info);
		break;
	case EM_RISCV:
		if (info->elf_class != 64)
			break;
		/* EF_RISCV_FLOAT_ABI: 0 soft, 2 single, 4 double */
		info->abi = (f & 6) == 4 ? IFX_ABI_RISCV_LP64D
			  : (f & 6) == 2 ? IFX_ABI_RISCV_LP64F
			  : IFX_ABI_RISCV_LP64;
		break;
	case EM_PPC64:
		/* EF_PPC64_ABI: 2 = ELFv2; 0 means v1 on big-endian, and
		 * little-endian ppc64 only ever had v2. */
		if ((f & 3) == 2 || ((f & 3) == 0 && info->data == ELFDATA2LSB))
			info->abi = IFX_ABI_PPC64_ELFV2;
		else
			info->abi = IFX_ABI_PPC64_ELFV1;
		break;
	case EM_MIPS:
		info->abi = info->elf_class == 64 ? IFX_ABI_MIPS_N64
			  : (f & EF_MIPS_ABI2) ? IFX_ABI_MIPS_N32
			  : IFX_ABI_MIPS_O32;
		info->mips_nan2008 = (f & EF_MIPS_NAN2008) != 0;
		break;
	case EM_LOONGARCH:
		/* EF_LOONGARCH_ABI_MODIFIER_MASK: 1 soft, 2 single, 3 double */
		info->abi = (f & 7) == 3 ? IFX_ABI_LOONGARCH_LP64D
			  : (f & 7) == 2 ? IFX_ABI_LOONGARCH_LP64F
			  : IFX_ABI_LOONGARCH_LP64S;
		break;
	default:
		break;
	}
}
