/*
 * The set of deploy targets: the built-in table of targets.def, and those
 * a target file adds. Lookup by name, alias or family, and the facts a
 * target has for one binary's architecture (offered? which loader?).
 */
#include "config.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "targets.h"

#ifndef EM_LOONGARCH
#define EM_LOONGARCH 258
#endif

static const struct ifx_target builtin[] = {
#define IFX_TARGET(name, family, base, arches, libc, libc_version, glibcxx, cxxabi, gcc, \
		   note, source) \
	{ name, family, base, arches, libc, libc_version, glibcxx, cxxabi, gcc, "", note, source },
#define IFX_TARGET_ALIAS(alias, target, note)
#include "targets.def"
#undef IFX_TARGET
#undef IFX_TARGET_ALIAS
};

static const struct alias {
	const char *alias, *target;
} aliases[] = {
#define IFX_TARGET(name, family, base, arches, libc, libc_version, glibcxx, cxxabi, gcc, \
		   note, source)
#define IFX_TARGET_ALIAS(alias, target, note) { alias, target },
#include "targets.def"
#undef IFX_TARGET
#undef IFX_TARGET_ALIAS
};

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

struct ifx_target_set *ifx_target_set_new(void)
{
	struct ifx_target_set *set = calloc(1, sizeof(*set));

	if (set == NULL)
		return NULL;
	set->targets = calloc(LEN(builtin), sizeof(*set->targets));
	if (set->targets == NULL) {
		free(set);
		return NULL;
	}
	for (size_t i = 0; i < LEN(builtin); i++)
		set->targets[i] = &builtin[i];
	set->count = LEN(builtin);
	return set;
}

void ifx_target_set_free(struct ifx_target_set *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->loaded_count; i++)
		ifx__target_free_loaded(set->loaded[i]);
	free(set->loaded);
	free(set->targets);
	free(set);
}

size_t ifx_target_set_count(const struct ifx_target_set *set)
{
	return set != NULL ? set->count : 0;
}

const struct ifx_target *ifx_target_set_at(const struct ifx_target_set *set, size_t index)
{
	return set != NULL && index < set->count ? set->targets[index] : NULL;
}

const char *ifx_target_set_alias(const struct ifx_target_set *set, size_t index,
				 const char **target)
{
	if (set == NULL || index >= LEN(aliases))
		return NULL;
	if (target != NULL)
		*target = aliases[index].target;
	return aliases[index].alias;
}

const struct ifx_target *ifx__target_find(const struct ifx_target_set *set, const char *name)
{
	for (size_t i = 0; i < set->count; i++)
		if (strcmp(set->targets[i]->name, name) == 0)
			return set->targets[i];
	for (size_t i = 0; i < LEN(aliases); i++)
		if (strcmp(aliases[i].alias, name) == 0)
			return ifx__target_find(set, aliases[i].target);
	return NULL;
}

bool ifx__target_family_known(const struct ifx_target_set *set, const char *family)
{
	for (size_t i = 0; i < set->count; i++)
		if (strcmp(set->targets[i]->family, family) == 0)
			return true;
	return false;
}

/* "unknown target" with what the user may have meant: the family's
 * members when the name starts like one, else where the list is. */
static enum ifx_status unknown(const struct ifx_target_set *set, const char *name,
			       struct ifx_error *err)
{
	char family[64], list[IFX_MSG_MAX / 2] = "";
	size_t len = strcspn(name, "-_"), used = 0;

	snprintf(family, sizeof(family), "%.*s", (int)(len < sizeof(family) ? len : 0), name);
	for (size_t i = 0; i < set->count && family[0] != '\0'; i++) {
		int w;

		if (strcmp(set->targets[i]->family, family) != 0 || used >= sizeof(list) - 1)
			continue;
		w = snprintf(list + used, sizeof(list) - used, "%s%s", used ? " " : "",
			     set->targets[i]->name);
		used += w > 0 ? (size_t)w : 0;
	}
	ifx__error_set(err, IFX_ERR_USAGE, "unknown deploy target '%s'", name);
	if (used > 0)
		ifx__error_advise(err, "%s has: %s (interpfix targets lists all)", family, list);
	else
		ifx__error_advise(err, "interpfix targets lists them (a name, an alias or a "
				  "family such as lambda); --target-file adds your own");
	return IFX_ERR_USAGE;
}

enum ifx_status ifx_target_select(const struct ifx_target_set *set, const char *name,
				  const struct ifx_target ***out, size_t *count,
				  struct ifx_error *err)
{
	const struct ifx_target *one;
	size_t n = 0;

	if (out == NULL || count == NULL || set == NULL || name == NULL)
		return ifx__error_set(err, IFX_ERR_USAGE, "ifx_target_select: NULL argument");
	*out = NULL;
	*count = 0;
	if ((one = ifx__target_find(set, name)) != NULL) {
		if ((*out = malloc(sizeof(**out))) == NULL)
			return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
		(*out)[0] = one;
		*count = 1;
		return IFX_OK;
	}
	for (size_t i = 0; i < set->count; i++)
		n += strcmp(set->targets[i]->family, name) == 0;
	if (n == 0)
		return unknown(set, name, err);
	if ((*out = calloc(n, sizeof(**out))) == NULL)
		return ifx__error_set(err, IFX_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < set->count; i++)
		if (strcmp(set->targets[i]->family, name) == 0)
			(*out)[(*count)++] = set->targets[i];
	return IFX_OK;
}

/* The architectures targets name, and the ELF facts each stands for:
 * what a binary must be to run there, and what its loader is looked up by. */
static const struct arch {
	const char *name;
	unsigned machine;
	int elf_class, data;
	enum ifx_abi abi; /* IFX_ABI_NONE: any */
} arches[] = {
	{ "x86_64", EM_X86_64, 64, ELFDATA2LSB, IFX_ABI_NONE },
	{ "i386", EM_386, 32, ELFDATA2LSB, IFX_ABI_NONE },
	{ "aarch64", EM_AARCH64, 64, ELFDATA2LSB, IFX_ABI_NONE },
	{ "armhf", EM_ARM, 32, ELFDATA2LSB, IFX_ABI_ARM_HARD },
	{ "armel", EM_ARM, 32, ELFDATA2LSB, IFX_ABI_ARM_SOFT },
	{ "ppc64le", EM_PPC64, 64, ELFDATA2LSB, IFX_ABI_PPC64_ELFV2 },
	{ "ppc64", EM_PPC64, 64, ELFDATA2MSB, IFX_ABI_PPC64_ELFV1 },
	{ "s390x", EM_S390, 64, ELFDATA2MSB, IFX_ABI_NONE },
	{ "riscv64", EM_RISCV, 64, ELFDATA2LSB, IFX_ABI_RISCV_LP64D },
	{ "mips64el", EM_MIPS, 64, ELFDATA2LSB, IFX_ABI_MIPS_N64 },
	{ "mipsel", EM_MIPS, 32, ELFDATA2LSB, IFX_ABI_MIPS_O32 },
	{ "mips", EM_MIPS, 32, ELFDATA2MSB, IFX_ABI_MIPS_O32 },
	{ "loongarch64", EM_LOONGARCH, 64, ELFDATA2LSB, IFX_ABI_LOONGARCH_LP64D },
};

bool ifx__target_arch_known(const char *name)
{
	for (size_t i = 0; i < LEN(arches); i++)
		if (strcmp(arches[i].name, name) == 0)
			return true;
	return false;
}

const char *ifx_target_arch(const struct ifx_elf_info *info)
{
	if (info == NULL)
		return NULL;
	for (size_t i = 0; i < LEN(arches); i++) {
		const struct arch *a = &arches[i];

		if (a->machine == info->machine && a->elf_class == info->elf_class &&
		    a->data == info->data && (a->abi == IFX_ABI_NONE || a->abi == info->abi))
			return a->name;
	}
	return NULL;
}

/* Whether word is one of the space-separated words of list. */
static bool has_word(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = list; p != NULL && *p != '\0';) {
		size_t n = strcspn(p, " ");

		if (n == len && strncmp(p, word, len) == 0)
			return true;
		p += n;
		p += strspn(p, " ");
	}
	return false;
}

bool ifx_target_offers(const struct ifx_target *target, const char *arch)
{
	return target != NULL && arch != NULL && has_word(target->arches, arch);
}

bool ifx__target_pair(const char *list, const char *arch, char *out, size_t size)
{
	size_t len = strlen(arch);

	for (const char *p = list; p != NULL && *p != '\0';) {
		size_t n = strcspn(p, " ");

		if (n > len + 1 && strncmp(p, arch, len) == 0 && p[len] == ':') {
			if (n - len - 1 >= size)
				return false;
			memcpy(out, p + len + 1, n - len - 1);
			out[n - len - 1] = '\0';
			return true;
		}
		p += n;
		p += strspn(p, " ");
	}
	return false;
}

/* s copied into buf, or NULL when s is NULL or does not fit. */
static const char *copy_out(const char *s, char *buf, size_t size)
{
	if (s == NULL || buf == NULL || strlen(s) >= size)
		return NULL;
	memcpy(buf, s, strlen(s) + 1);
	return buf;
}

const char *ifx_target_arch_loader(const struct ifx_target *target, const char *arch,
				   char *buf, size_t size)
{
	struct ifx_elf_info fake = { .size = sizeof(fake) };
	const struct arch *a = NULL;

	if (!ifx_target_offers(target, arch))
		return NULL;
	for (size_t i = 0; i < LEN(arches); i++)
		if (strcmp(arches[i].name, arch) == 0)
			a = &arches[i];
	if (a == NULL)
		return NULL;
	/* the target's own path for this arch ("arch:/path" in loaders) */
	if (target->loaders != NULL && ifx__target_pair(target->loaders, arch, buf, size))
		return buf;
	fake.machine = a->machine;
	fake.elf_class = a->elf_class;
	fake.data = a->data;
	fake.abi = a->abi;
	return copy_out(ifx_standard_loader(&fake, target->libc), buf, size);
}

const char *ifx_target_loader(const struct ifx_target *target, const struct ifx_elf_info *info,
			      char *buf, size_t size)
{
	const char *arch = ifx_target_arch(info);

	if (arch == NULL || !ifx_target_offers(target, arch))
		return NULL;
	if (target->loaders != NULL && ifx__target_pair(target->loaders, arch, buf, size))
		return buf;
	/* the binary's own flags (mips NaN encoding, ...) pick the row */
	return copy_out(ifx_standard_loader(info, target->libc), buf, size);
}

bool ifx_target_arch_gcc(const struct ifx_target *target, const char *arch, char *out,
			 size_t size)
{
	if (target == NULL || arch == NULL || out == NULL || target->gcc == NULL ||
	    strcmp(target->gcc, "none") == 0)
		return false;
	return ifx__target_pair(target->gcc, arch, out, size);
}
