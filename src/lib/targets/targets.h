/* Inside the targets module: the set, targets loaded from files, and the
 * helpers its files share. */
#ifndef IFX_TARGETS_H
#define IFX_TARGETS_H

#include <limits.h>

#include "interpfix.h"

/* A target from a target file: the public view and the strings it
 * points at, which it owns. */
struct ifx__loaded_target {
	struct ifx_target pub;
	char *strings[11];      /* name, family, ... as pub points at them */
};

struct ifx_target_set {
	const struct ifx_target **targets; /* built-in ones first, then loaded */
	size_t count;
	struct ifx__loaded_target **loaded;
	size_t loaded_count;
};

/* targets.c */
const struct ifx_target *ifx__target_find(const struct ifx_target_set *set, const char *name);
bool ifx__target_arch_known(const char *name);
/* Whether some target of the set has this family. */
bool ifx__target_family_known(const struct ifx_target_set *set, const char *family);
/* The value of arch in a space-separated "arch:value" list, copied into
 * out; false when the list has none for arch or it does not fit. */
bool ifx__target_pair(const char *list, const char *arch, char *out, size_t size);

/* target-file.c */
void ifx__target_free_loaded(struct ifx__loaded_target *t);

/* releases.c: dotted version numbers and the release that brought a node */
int ifx__version_compare(const char *a, const char *b);
enum ifx__runtime {
	IFX__RT_NONE = 0, /* a node no target figure bounds (GLIBC_PRIVATE, OPENSSL_3.0) */
	IFX__RT_GLIBC,    /* GLIBC_2.34 -> "2.34" */
	IFX__RT_GLIBCXX,  /* GLIBCXX_3.4.30 -> "3.4.30" */
	IFX__RT_CXXABI,   /* CXXABI_1.3.13 -> "1.3.13" */
	IFX__RT_GCC,      /* GCC_12.0.0 -> "12.0.0" */
};
/* Which runtime a version node is of, and its number (a pointer into
 * node). */
enum ifx__runtime ifx__runtime_of(const char *node, const char **number);
/* "glibc 2.34", "GCC 12.1.0" (malloc'd), or NULL when no release is known. */
char *ifx__release_with(const char *node);

/* shipped.c: the libraries shipped with a file (found through its own
 * RPATH/RUNPATH), read; none for a static file, or another machine's
 * without root. Only no memory is an error. */
struct ifx__shipped_lib {
	char *path;                /* as the loader opens it */
	struct ifx_elf_info info;
};
struct ifx__shipped {
	struct ifx__shipped_lib *libs;
	size_t count;
};
enum ifx_status ifx__shipped_read(const char *path, const struct ifx_elf_info *info,
				  const char *root, struct ifx_context *context,
				  struct ifx__shipped *ship);
void ifx__shipped_free(struct ifx__shipped *ship);

#endif

/* target-judge.c: what stops one binary on one target */
struct ifx__target_verdict {
	const char *arch;      /* ifx_target_arch of the binary, or NULL */
	bool arch_offered;     /* the target offers it */
	bool dynamic;          /* it has an interpreter or NEEDED libraries */
	bool libc_differs;     /* dynamic, links glibc or musl, the target the other */
	const char *loader;    /* the target's loader for it (in loader_buf), or NULL */
	char loader_buf[PATH_MAX];
	bool interp_differs;   /* its PT_INTERP is not that loader */
	struct ifx_version_gap *gaps; /* versions the target's runtimes lack */
	size_t gap_count;
};
enum ifx_status ifx__target_judge(const struct ifx_elf_info *info, const struct ifx_target *t,
				  struct ifx__target_verdict *v);
/* The versions of glibc nodes (GLIBC_2.N and the feature nodes) the file
 * needs beyond a glibc release ("2.31"), each with its symbols: what
 * --glibc X.Y judges. */
enum ifx_status ifx__glibc_gaps(const struct ifx_elf_info *info, const char *release,
				struct ifx_version_gap **gaps, size_t *count);
void ifx__target_verdict_free(struct ifx__target_verdict *v);
void ifx__version_gaps_free(struct ifx_version_gap *gaps, size_t count);
/* The figure the target gives for a runtime on an arch ("2.26", "3.4.24"),
 * or NULL when it gives none ("none", "" or no pair for the arch). */
const char *ifx__target_ceiling(const struct ifx_target *t, enum ifx__runtime rt,
				const char *arch, char *buf, size_t size);

/* target-deploy.c: fix --target */
/* The loader every deploy target of opts has for the binary (they must
 * agree), copied into loader: IFX_REFUSED when one does not offer its
 * arch, IFX_ERR_USAGE when they name different loaders. */
enum ifx_status ifx__deploy_loader(const struct ifx_elf_info *info,
				   const struct ifx_target_options *opts, char *loader, size_t size,
				   struct ifx_error *err);
/* IFX_REFUSED with the reason and advice when a deploy target cannot run
 * the binary: its arch (never forced), the libc family, symbol versions
 * (those two yield to opts->force). */
enum ifx_status ifx__deploy_vet(const struct ifx_elf_info *info,
				const struct ifx_target_options *opts, struct ifx_error *err);
