/*
 * interpfix: inspect and repair the program interpreter (PT_INTERP) of ELF files.
 *
 * The library never prints and never exits. Every fallible call returns an
 * enum ifx_status and, when the caller passes one, fills a struct ifx_error
 * with one lowercase line (without the file name) and, for refusals, advice.
 * Memory the library allocates is released with the matching ifx_*_free.
 */
#ifndef INTERPFIX_H
#define INTERPFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this header; ifx_version() says the library's. */
#define IFX_VERSION_MAJOR 0
#define IFX_VERSION_MINOR 1
#define IFX_VERSION_PATCH 0
#define IFX_VERSION_STRING "0.1.0"

/* Exported from the shared library (built with -fvisibility=hidden and a
 * symbol version script); everything else of it is hidden. */
#if defined(IFX_BUILDING_LIBRARY) && defined(__GNUC__)
#define IFX_API __attribute__((visibility("default")))
#else
#define IFX_API
#endif

/* The library's version, "MAJOR.MINOR.PATCH". */
IFX_API const char *ifx_version(void);

/* Every enum of this header is numbered and append-only: a value never
 * changes meaning, new ones go at the end. */
enum ifx_status {
	IFX_OK = 0,
	IFX_ERR_USAGE = 1,       /* a bad argument from the caller */
	IFX_ERR_IO = 2,          /* a system call failed; sys_errno says which way */
	IFX_ERR_NOT_REGULAR = 3, /* directory, FIFO, device or socket */
	IFX_ERR_NOT_ELF = 4,     /* no ELF magic */
	IFX_ERR_MALFORMED = 5,   /* ELF whose headers are truncated or lie */
	IFX_ERR_UNSUPPORTED = 6, /* valid ELF this operation cannot handle */
	IFX_ERR_NOMEM = 7,
	IFX_REFUSED = 8,         /* the safety checker said no */
	IFX_ERR_ARCHIVE = 9,     /* not ELF, but it starts like a zip or tar archive
				    (ifx_inspect_entry with IFX_INSPECT_ARCHIVES) */
};

#define IFX_MSG_MAX 1024

struct ifx_error {
	enum ifx_status status;
	int sys_errno;            /* 0 unless a system call failed */
	char message[IFX_MSG_MAX]; /* "why": one lowercase line */
	char advice[IFX_MSG_MAX];  /* "what to do instead"; may be empty */
};

/*
 * Structs that grow. Every struct the caller allocates and hands in, options
 * and results alike, begins with `size`: the caller sets it to the sizeof it
 * was compiled with, which IFX_INIT does:
 *
 *     struct ifx_elf_info info = IFX_INIT(ifx_elf_info);
 *
 * Fields are only ever appended. The library reads and fills only the fields
 * a caller's size covers, and zeroes what lies beyond its own fields, so a
 * program built against an older or newer header keeps working. A size
 * below the first layout's (0: not set) is IFX_ERR_USAGE. The ifx_*_free
 * calls keep `size`, so a struct can be filled again. Structs the library
 * allocates and hands out by pointer (struct ifx_dep, ifx_finding,
 * ifx_go_info, a fix report's info) also grow at the end. Three small
 * tuples kept in arrays (ifx_version_need, ifx_symbol_version,
 * ifx_search_step) and struct ifx_error never change.
 */
#ifdef __cplusplus
#define IFX_INIT(tag) { sizeof(struct tag) } /* g++ -Wextra warns of the rest */
#else
#define IFX_INIT(tag) { .size = sizeof(struct tag) }
#endif

/* ---- Context ---------------------------------------------------------- */

/*
 * What the library knows of a host or a root filesystem: the root, its
 * ld.so.cache and ld.so.conf (read once), the loader environments met, and
 * the directory listings and libraries read while resolving dependencies,
 * so that a tree of files reads each library once. There is no global
 * state: calls given NULL make a context for themselves. A context is used
 * by one thread at a time; separate contexts share nothing. Free it to
 * forget what it read (a long-running process makes a new one when the
 * system may have changed). root NULL or "/": the host. NULL: no memory.
 */
struct ifx_context;
IFX_API struct ifx_context *ifx_context_new(const char *root);
IFX_API void ifx_context_free(struct ifx_context *context);

/* A short stable name for a status ("io", "malformed", "refused", ...). */
IFX_API const char *ifx_status_name(enum ifx_status status);

/* ---- Inspection ------------------------------------------------------ */

enum ifx_linkage {
	IFX_LINK_DYNAMIC = 0,    /* executable with PT_INTERP */
	IFX_LINK_STATIC = 1,     /* ET_EXEC without PT_INTERP */
	IFX_LINK_STATIC_PIE = 2, /* ET_DYN flagged DF_1_PIE without PT_INTERP */
	IFX_LINK_SHARED_LIB = 3, /* ET_DYN library, with or without PT_INTERP */
	IFX_LINK_OTHER = 4,      /* relocatable objects, core files */
};

enum ifx_libc {
	IFX_LIBC_NONE = 0,    /* links no libc dynamically (static) */
	IFX_LIBC_GLIBC = 1,
	IFX_LIBC_MUSL = 2,
	IFX_LIBC_UNKNOWN = 3, /* dynamic, but no evidence either way */
	IFX_LIBC_BIONIC = 4,  /* Android's libc (/system/bin/linker64) */
};

/* The operating system a binary is for (EI_OSABI and ABI notes). */
enum ifx_os {
	IFX_OS_LINUX = 0,   /* System V or GNU EI_OSABI, GNU ABI tag Linux or none */
	IFX_OS_ANDROID = 1, /* Linux kernel, bionic userland */
	IFX_OS_FREEBSD = 2,
	IFX_OS_NETBSD = 3,
	IFX_OS_OPENBSD = 4,
	IFX_OS_SOLARIS = 5,
	IFX_OS_HURD = 6,
	IFX_OS_OTHER = 7,   /* another EI_OSABI */
	IFX_OS_UNKNOWN = 8, /* not told (internal use) */
};

/* The ABI variant that decides which loader an object needs, beyond
 * machine, class and byte order (psABI e_flags; see loader-table.c). */
enum ifx_abi {
	IFX_ABI_NONE = 0,        /* the machine has only one */
	IFX_ABI_ARM_HARD = 1,        /* EABI5 hard-float (VFP argument passing) */
	IFX_ABI_ARM_SOFT = 2,        /* EABI5 soft-float or softfp */
	IFX_ABI_RISCV_LP64D = 3,
	IFX_ABI_RISCV_LP64F = 4,
	IFX_ABI_RISCV_LP64 = 5,
	IFX_ABI_PPC64_ELFV1 = 6,
	IFX_ABI_PPC64_ELFV2 = 7,
	IFX_ABI_MIPS_O32 = 8,
	IFX_ABI_MIPS_N32 = 9,
	IFX_ABI_MIPS_N64 = 10,
	IFX_ABI_LOONGARCH_LP64D = 11,
	IFX_ABI_LOONGARCH_LP64F = 12,
	IFX_ABI_LOONGARCH_LP64S = 13,
};

/* The kind of interpreter path a binary names (see loader-kind.c). */
enum ifx_loader_kind {
	IFX_LOADER_NONE = 0,        /* no PT_INTERP */
	IFX_LOADER_STANDARD = 1,    /* the psABI path for this binary */
	IFX_LOADER_OTHER_STANDARD = 2, /* a psABI path, but for another arch/libc */
	IFX_LOADER_LINUXBREW = 3,   /* .../.linuxbrew/lib/ld.so, opt/glibc/... */
	IFX_LOADER_BREW_PLACEHOLDER = 4, /* @@HOMEBREW_PREFIX@@/lib/ld.so */
	IFX_LOADER_NIX = 5,         /* /nix/store/<hash>-.../lib/ld-* */
	IFX_LOADER_MUSL_PREFIX = 6, /* musl's loader under another prefix */
	IFX_LOADER_RELATIVE = 7,    /* not absolute */
	IFX_LOADER_CUSTOM = 8,      /* anything else */
};

/* Libraries one file needs versions from (DT_VERNEED). */
struct ifx_version_need {
	char *file;       /* e.g. "libc.so.6" */
	char **names;     /* e.g. "GLIBC_2.34" */
	size_t count;
};

/* One undefined dynamic symbol bound to a needed version ("memcpy" from
 * "libc.so.6" at "GLIBC_2.14"). */
struct ifx_symbol_version {
	char *symbol;
	char *version;
	char *file;
};

/* Facts from a Go binary's build info (.go.buildinfo). */
struct ifx_go_info {
	char *version;    /* "go1.19.8" */
	int cgo_enabled;  /* 1, 0, or -1 when not recorded */
	char *tags;       /* -tags value, or NULL */
	char *ldflags;    /* -ldflags value, or NULL */
	char *path;       /* main package path, or NULL */
	int own_cgo;      /* 1: packages besides net and os/user call C (its own C
			     code); 0: only those; -1: cannot be told (no .symtab) */
	char **cgo_packages; /* the packages that call C, e.g. "net", "main" */
	size_t cgo_package_count;
};

struct ifx_elf_info {
	size_t size;         /* sizeof as the caller knows it: IFX_INIT */
	int elf_class;       /* 32 or 64 */
	int data;            /* ELFDATA2LSB (1) or ELFDATA2MSB (2) */
	unsigned machine;    /* e_machine */
	unsigned type;       /* e_type */
	unsigned osabi;      /* e_ident[EI_OSABI] */
	enum ifx_os os;      /* what EI_OSABI and the ABI notes say */
	uint32_t flags;      /* e_flags */
	enum ifx_abi abi;
	bool mips_nan2008;
	uint64_t file_size;
	unsigned file_mode;      /* st_mode of the file */
	unsigned file_uid;       /* st_uid of the file */
	bool file_caps;          /* it has file capabilities (security.capability) */
	bool has_section_headers;
	bool debug_only;         /* separate debug info: segments have no file bytes */

	enum ifx_linkage linkage;
	bool has_interp;
	uint64_t interp_offset;  /* PT_INTERP p_offset */
	uint64_t interp_size;    /* PT_INTERP p_filesz, NUL included */
	char *interp;            /* NULL when !has_interp */

	char **needed;
	size_t needed_count;
	char *soname;
	char *rpath;
	char *runpath;
	uint64_t dt_flags_1;     /* DT_FLAGS_1: DF_1_NODEFLIB, DF_1_PIE, ... */
	struct ifx_version_need *versions_needed;
	size_t versions_needed_count;
	char **versions_defined; /* DT_VERDEF names, base entry excluded */
	size_t versions_defined_count;
	struct ifx_symbol_version *symbol_versions; /* undefined, versioned */
	size_t symbol_versions_count;

	enum ifx_libc libc;
	struct ifx_go_info *go;  /* NULL when not a Go binary */
};

/*
 * Read the facts of the ELF file open on fd, without section headers if need
 * be and without executing anything. fd must be a regular file opened for
 * reading; its offset is not used. On failure info is left zeroed.
 */
IFX_API enum ifx_status ifx_inspect_fd(int fd, struct ifx_elf_info *info,
			       struct ifx_error *err);
IFX_API void ifx_elf_info_free(struct ifx_elf_info *info);

/* ifx_open_regular then ifx_inspect_fd: the facts of the file at
 * dirfd/path (symlinks followed when follow is true). */
IFX_API enum ifx_status ifx_inspect_path(int dirfd, const char *path, bool follow,
				 struct ifx_elf_info *info, struct ifx_error *err);

/* For a directory entry a walk already knows is a regular file: one open
 * (non-blocking, never following a symlink) and, when its first bytes are
 * ELF, one fstat, instead of a stat before and after. Most files of a tree
 * are not ELF: IFX_ERR_NOT_ELF costs one read. */
enum {
	IFX_INSPECT_NO_SYMBOLS = 1, /* leave symbol_versions empty (the costly part) */
	IFX_INSPECT_ARCHIVES = 2,   /* a file starting like a zip, a tar or a gzip,
				       xz, zstd or bzip2 stream is IFX_ERR_ARCHIVE, not
				       IFX_ERR_NOT_ELF, for the same one read:
				       ifx_archive_scan then says whether it is one */
};
IFX_API enum ifx_status ifx_inspect_entry(int dirfd, const char *name, unsigned flags,
					  struct ifx_elf_info *info, struct ifx_error *err);

/* Open a file to inspect it: never opens FIFOs or devices for reading.
 * follow=false refuses symlinks (O_NOFOLLOW). The fd goes to *fd_out (-1
 * on failure). */
IFX_API enum ifx_status ifx_open_regular(int dirfd, const char *path, bool follow,
				 int *fd_out, struct ifx_error *err);

/* Names for the facts above: uname -m style machine names ("x86_64",
 * "aarch64", "s390x", ...; the class decides e.g. i386 vs x86_64 = x32). */
IFX_API const char *ifx_machine_name(unsigned machine, int elf_class, int data);
IFX_API const char *ifx_type_name(unsigned type);
IFX_API const char *ifx_linkage_name(enum ifx_linkage linkage);
IFX_API const char *ifx_libc_name(enum ifx_libc libc);
IFX_API const char *ifx_os_name(enum ifx_os os);
IFX_API const char *ifx_abi_name(enum ifx_abi abi);
IFX_API const char *ifx_loader_kind_name(enum ifx_loader_kind kind);

/* ---- Loaders ----------------------------------------------------------- */

/* The psABI-standard loader path for a binary's machine, class, byte order
 * and ABI flags under the given libc (glibc or musl), or NULL when that libc
 * has no loader there (e.g. musl on ppc64 ELFv1, glibc on riscv64 lp64f). */
IFX_API const char *ifx_standard_loader(const struct ifx_elf_info *info,
				enum ifx_libc libc);

/* What kind of interpreter path this binary names (Linuxbrew, Nix store,
 * musl under another prefix, relative, the standard one, ...). */
IFX_API enum ifx_loader_kind ifx_loader_kind(const struct ifx_elf_info *info);

/* The libc a loader path belongs to, judged by its name alone
 * (ld-musl-* is musl; ld-linux*, ld64.so.*, ld.so.1 and brew's ld.so glibc). */
IFX_API enum ifx_libc ifx_loader_libc_by_name(const char *path);

/* ---- Choosing and vetting the target loader ----------------------------- */

/* A glibc release as --glibc takes it, "2.31", as a number (231); false
 * when text is not digits, a dot and digits. */
IFX_API bool ifx_parse_glibc_release(const char *text, unsigned *release);

struct ifx_target_options {
	size_t size;         /* sizeof as the caller knows it: IFX_INIT */
	const char *root;    /* sysroot to resolve and validate in; NULL: the host */
	bool portable;       /* the standard path, whether or not the host has it */
	bool force;          /* override the refusals that allow it (libc family,
				a missing explicit target, glibc versions); the
				resolver's own choice still needs a real loader */
	const char *glibc;   /* the glibc release "X.Y" the binary must run on
				(the CLI takes it with --portable); ignored with force */
	struct ifx_context *context; /* what is known of the host or root; NULL:
				read what is needed for this call (a caller with
				many files passes one, made for the same root) */
	/* appended: */
	const struct ifx_target *const *deploy; /* deploy targets the binary must
				run on (see "Deploy targets"): the loader is
				their standard one for it (as portable, and they
				must agree on it), and a binary one of them cannot
				run is refused (arch never yields; libc family and
				symbol versions yield to force) */
	size_t deploy_count;
};

struct ifx_choice {
	size_t size;         /* sizeof as the caller knows it: IFX_INIT */
	char *target;        /* the loader path the binary should name */
	char *standard;      /* the psABI path for this binary and libc, or NULL */
	enum ifx_libc libc;  /* the libc the binary really links */
	bool exists;         /* target is a real loader on the host/root */
	bool host_specific;  /* not the standard path: only right for this host */
};

/*
 * The loader a binary should name: the standard path for its machine and
 * libc when the host (or root) has a real loader there, else the same
 * libc's loader found elsewhere on the host (host_specific), else with
 * portable the standard path anyway; otherwise IFX_REFUSED with advice.
 */
IFX_API enum ifx_status ifx_choose_loader(const struct ifx_elf_info *info,
				  const struct ifx_target_options *opts,
				  struct ifx_choice *choice, struct ifx_error *err);
IFX_API void ifx_choice_free(struct ifx_choice *choice);

/*
 * The safety checker: may this binary be given this loader? IFX_REFUSED
 * with the reason and advice when not: libc family swap, missing loader,
 * glibc versions the target lacks (these three yield to force); another
 * machine, class, byte order or ABI, a file that is not a loader, or a
 * setuid/setgid binary with a loader path others can write (never).
 */
IFX_API enum ifx_status ifx_check_swap(const struct ifx_elf_info *info,
			       const char *target,
			       const struct ifx_target_options *opts,
			       struct ifx_error *err);

/* ---- Finding NEEDED libraries as the loader would ----------------------- */

struct ifx_search_step {
	char *path;     /* the candidate considered (or a directory) */
	char *source;   /* "DT_RPATH", "DT_RUNPATH", "ld.so.cache", "default",
			   "ld-musl path file", "path in DT_NEEDED", ... */
	char *verdict;  /* "found", "does not exist", "wrong ELF class", ... */
};

struct ifx_lib_search {
	size_t size;         /* sizeof as the caller knows it: IFX_INIT */
	char *found;                  /* the file the loader would load, or NULL */
	struct ifx_search_step *steps; /* paths considered, in order */
	size_t step_count;
};

/*
 * Find NEEDED library `name` of the binary at bin_path (facts in bin) the
 * way its libc's loader would when the binary itself needs it: the first
 * level of ifx_resolve_deps, with the same rules. Inside root when root is
 * not NULL. LD_LIBRARY_PATH is not consulted.
 */
IFX_API enum ifx_status ifx_find_library(const struct ifx_elf_info *bin,
				 const char *bin_path, const char *name,
				 const char *root, struct ifx_lib_search *out,
				 struct ifx_error *err);
IFX_API void ifx_lib_search_free(struct ifx_lib_search *search);

enum ifx_dep_state {
	IFX_DEP_FOUND = 0,   /* a file the loader maps */
	IFX_DEP_PROVIDED = 1,    /* no search: the loader itself (its SONAME, musl's libc names) */
	IFX_DEP_MISSING = 2,     /* "not found": every place considered failed */
	IFX_DEP_BROKEN = 3,      /* the search stopped at a file the loader cannot load */
};

/* One object of the dependency tree, as the loader builds it. */
struct ifx_dep {
	char *name;          /* as DT_NEEDED names it; the path given for [0] */
	char *path;          /* where the loader opens it (its l_name, symlinks not
				resolved), inside root; NULL when missing */
	size_t needed_by;    /* index of the object whose DT_NEEDED first named it */
	unsigned depth;      /* 0: the file itself; 1: its NEEDED; ... */
	enum ifx_dep_state state;
	char *problem;       /* IFX_DEP_BROKEN: what the loader would say */
	struct ifx_lib_search *search; /* the places considered, in order (never NULL) */
};

struct ifx_dep_tree {
	size_t size;         /* sizeof as the caller knows it: IFX_INIT */
	struct ifx_dep **deps; /* [0] is the file; then breadth first, in load order */
	size_t count;
	size_t missing;       /* deps MISSING or BROKEN */
	enum ifx_libc libc;   /* whose loader's rules were followed */
};

/*
 * The objects the loader would load for the file at path (facts in info),
 * transitively, breadth first, as glibc's _dl_map_object_deps and musl's
 * load_deps do: DT_RPATH of the loading chain (an object with DT_RUNPATH
 * has none), DT_RUNPATH of the requesting object only, $ORIGIN, $LIB and
 * $PLATFORM, glibc-hwcaps and legacy capability subdirectories, ld.so.cache
 * (entries of this binary's kind only), the default directories (Debian
 * multiarch ones when the tree has them), musl's /etc/ld-musl-ARCH.path;
 * an object already loaded (by name, SONAME or the same file) is not
 * searched again; the interpreter provides its SONAME; musl provides libc,
 * libpthread, ... Symlinks are followed (inside root when root is not NULL
 * or "/"). Nothing is executed. A missing library is recorded, not an error.
 */
/* context may be NULL (one is made for the call); its root wins over root. */
IFX_API enum ifx_status ifx_resolve_deps(const char *path, const struct ifx_elf_info *info,
				 const char *root, struct ifx_context *context,
				 struct ifx_dep_tree *tree, struct ifx_error *err);
IFX_API void ifx_dep_tree_free(struct ifx_dep_tree *tree);
IFX_API const char *ifx_dep_state_name(enum ifx_dep_state state);

/* ---- Deploy targets ----------------------------------------------------- */

/* A system a binary is deployed to: what its C and C++ runtimes define.
 * Built-in ones come from src/lib/targets/targets.def (with a source for
 * every figure); more can be loaded from a JSON file (docs/targets.md). */
struct ifx_target {
	const char *name;         /* "ubuntu-20.04", "lambda-provided.al2", "manylinux_2_17" */
	const char *family;       /* "ubuntu", "lambda", "manylinux": --target FAMILY */
	const char *base;         /* "" or the target whose libraries it runs on */
	const char *arches;       /* space-separated uname -m names; 32-bit arm is
				     "armhf" or "armel" by float ABI */
	enum ifx_libc libc;       /* IFX_LIBC_GLIBC or IFX_LIBC_MUSL */
	const char *libc_version; /* "2.26" (glibc), "1.2.5" (musl) */
	const char *glibcxx;      /* newest GLIBCXX_ node, "3.4.24"; "none": the
				     target has no system libstdc++; "": not known */
	const char *cxxabi;       /* newest CXXABI_ node, "1.3.11"; "none"; "" */
	const char *gcc;          /* newest GCC_ node of libgcc_s per arch,
				     "x86_64:7.0.0 aarch64:7.0.0"; "none"; "" */
	const char *loaders;      /* "" : the psABI loader of each arch; else
				     "arch:/path ..." for the arches it names */
	const char *note;         /* "" or what a user must know beyond the figures */
	const char *source;       /* where the figures come from */
};

/* The built-in targets plus those loaded from files. Opaque. */
struct ifx_target_set;

/* A set holding the built-in table (oldest release first within a family);
 * NULL when out of memory. */
IFX_API struct ifx_target_set *ifx_target_set_new(void);
IFX_API void ifx_target_set_free(struct ifx_target_set *set);
/*
 * Add the targets of a JSON target file (docs/targets.md: {"targets":
 * [{"name", "arches", "libc", "libc_version", ...}]}). A file that is not
 * such a document, a target without its required fields, an unknown arch,
 * a name the set already has, a file over 1 MiB: IFX_ERR_MALFORMED naming
 * the file and the place; a file that cannot be opened or is not a regular
 * one (FIFO, directory): IFX_ERR_IO or IFX_ERR_NOT_REGULAR naming it. The
 * set is unchanged on any error.
 */
IFX_API enum ifx_status ifx_target_set_load(struct ifx_target_set *set, const char *path,
					    struct ifx_error *err);
IFX_API size_t ifx_target_set_count(const struct ifx_target_set *set);
IFX_API const struct ifx_target *ifx_target_set_at(const struct ifx_target_set *set,
						   size_t index);
/* The index-th alias ("rocky-9") and the name it stands for; NULL past the end. */
IFX_API const char *ifx_target_set_alias(const struct ifx_target_set *set, size_t index,
					 const char **target);
/*
 * The targets a name means: a target, an alias, or a family ("lambda": all
 * of it, in table order). *out is malloc'd (free it; the targets stay the
 * set's); IFX_ERR_USAGE naming the closest names when none matches.
 */
IFX_API enum ifx_status ifx_target_select(const struct ifx_target_set *set, const char *name,
					  const struct ifx_target ***out, size_t *count,
					  struct ifx_error *err);

/* The target's name for a binary's architecture ("x86_64", "armhf"), or
 * NULL when no target could offer it (x32, big-endian arm, riscv64 lp64). */
IFX_API const char *ifx_target_arch(const struct ifx_elf_info *info);
/* Whether the target offers that architecture. */
IFX_API bool ifx_target_offers(const struct ifx_target *target, const char *arch);
/* The loader path the target has for this binary (its arch and the
 * target's libc; the target's `loaders` first), copied into buf, which
 * is returned; NULL when it has none or it does not fit (PATH_MAX bytes
 * always do). Only the target's fields are read: a struct the caller
 * filled works as one from a set. */
IFX_API const char *ifx_target_loader(const struct ifx_target *target,
				      const struct ifx_elf_info *info, char *buf, size_t size);
/* The same for an arch name of the target ("aarch64"). */
IFX_API const char *ifx_target_arch_loader(const struct ifx_target *target, const char *arch,
					   char *buf, size_t size);
/* The newest GCC_ node of libgcc_s the target has on arch ("7.0.0"),
 * copied into out; false when the target gives none for arch. */
IFX_API bool ifx_target_arch_gcc(const struct ifx_target *target, const char *arch,
				 char *out, size_t size);

/* The oldest release that has a version node: "glibc 2.34" (GLIBC_2.34),
 * "GCC 12.1.0" (GLIBCXX_3.4.30, CXXABI_1.3.13: libstdc++'s ABI policy),
 * "GCC 12" (GCC_12.0.0 of libgcc_s); malloc'd; NULL when not known. */
IFX_API char *ifx_version_release(const char *node);

/* One symbol version a target lacks. */
struct ifx_version_gap {
	char *symbol;   /* "__libc_start_main"; NULL: the version is needed
			   (DT_VERNEED) without a symbol bound to it */
	char *version;  /* "GLIBC_2.34", "GLIBCXX_3.4.30", "GCC_12.0.0" */
	char *library;  /* the library it is needed from: "libc.so.6" */
	char *since;    /* the oldest release that has it: "glibc 2.34",
			   "GCC 12.1.0" (libstdc++); NULL when not known */
};

enum ifx_fit {
	IFX_FIT_RUNS = 0,
	IFX_FIT_ARCH = 1,     /* the target does not offer its architecture */
	IFX_FIT_LIBC = 2,     /* it links the other libc family */
	IFX_FIT_VERSIONS = 3, /* the target lacks symbol versions it needs */
};
IFX_API const char *ifx_fit_name(enum ifx_fit fit); /* "runs", "arch", "libc", "versions" */

/* What a binary needs of a system, and which targets of a set provide it. */
struct ifx_requirements {
	size_t size;         /* sizeof as the caller knows it: IFX_INIT */
	const char *arch;    /* ifx_target_arch, or NULL */
	enum ifx_libc libc;  /* the libc it links (IFX_LIBC_NONE: static) */
	char *glibc;         /* newest GLIBC_ node it needs, "2.34", or NULL */
	char *glibcxx;       /* newest GLIBCXX_ node, "3.4.30", or NULL */
	char *cxxabi;        /* newest CXXABI_ node, or NULL */
	char *gcc;           /* newest GCC_ node of libgcc_s, or NULL */
	char *glibcxx_since; /* the GCC release with that GLIBCXX_ node, or NULL */
	enum ifx_fit *fit;   /* fit[i]: how target i of the set (ifx_target_set_at)
				fits it; IFX_FIT_RUNS when it offers its arch,
				its libc and every version it needs (the
				interpreter aside: fix --target writes it) */
	size_t target_count;
	/* appended: */
	size_t shipped_count; /* libraries shipped with it whose needs are counted
				 in (ifx_target_requirements_path) */
};
IFX_API enum ifx_status ifx_target_requirements(const struct ifx_elf_info *info,
						const struct ifx_target_set *set,
						struct ifx_requirements *out,
						struct ifx_error *err);
/* The same for the file at path, with the needs of the libraries shipped
 * with it counted in: those the loader would find through its own RPATH
 * or RUNPATH (inside root when not NULL), which a target loads with it.
 * context may be NULL (one is made for the call). */
IFX_API enum ifx_status ifx_target_requirements_path(const char *path,
						     const struct ifx_elf_info *info,
						     const char *root, struct ifx_context *context,
						     const struct ifx_target_set *set,
						     struct ifx_requirements *out,
						     struct ifx_error *err);
IFX_API void ifx_requirements_free(struct ifx_requirements *req);

/* ---- Auditing (interpfix check) ----------------------------------------- */

/* Stable rule ids: numbers never change, new ones are appended. */
enum ifx_rule {
	IFX_RULE_NONSTANDARD_INTERP = 1,  /* not the psABI path for its machine and libc */
	IFX_RULE_INTERP_LIBC_MISMATCH = 2, /* names another libc's loader */
	IFX_RULE_UNEXPECTED_LIBC = 3,     /* not the libc the product uses (opts->libc) */
	IFX_RULE_GLIBC_TOO_NEW = 4,       /* symbol versions beyond opts->glibc */
	IFX_RULE_RPATH_BUILD_PREFIX = 5,  /* RPATH/RUNPATH into a build or package prefix */
	IFX_RULE_MISSING_LIBRARY = 6,     /* a library of the tree the loader would not find */
	IFX_RULE_MISSING_INTERP = 7,      /* the interpreter is not there (host or root) */
	IFX_RULE_NON_LINUX_BINARY = 8,    /* a FreeBSD, NetBSD, ... program */
	IFX_RULE_LEFTOVER_TEMPORARY = 9,  /* a temporary an interrupted fix left behind */
	/* a deploy target's (opts->targets; the finding names it): */
	IFX_RULE_TARGET_ARCH = 10,        /* its architecture is not offered there */
	IFX_RULE_TARGET_LIBC = 11,        /* links the other libc family */
	IFX_RULE_TARGET_INTERP = 12,      /* names another loader than the target's */
	IFX_RULE_TARGET_VERSIONS = 13,    /* symbol versions its glibc, libstdc++ or libgcc_s lack */
};

enum ifx_severity {
	IFX_SEVERITY_WARNING = 1,
	IFX_SEVERITY_ERROR = 2,
};

struct ifx_finding {
	enum ifx_rule rule;
	enum ifx_severity severity;
	char *message;     /* one line, without the file name */
	char *advice;      /* the fix: a command or a rebuild flag; may be NULL */
	char *library;     /* IFX_RULE_MISSING_LIBRARY: the NEEDED name */
	char *needed_by;   /* ... and the object that needs it; NULL: the file itself */
	/* appended (the struct is library-allocated and grows at its end): */
	char *interp;      /* the interpreter rules: the file's PT_INTERP; else NULL */
	char *target;      /* ... and the loader a fix would write, when known */
	char **symbols;    /* IFX_RULE_GLIBC_TOO_NEW: every "symbol@GLIBC_X.Y" beyond */
	size_t symbol_count;
	struct ifx_search_step *searched; /* IFX_RULE_MISSING_LIBRARY: where the */
	size_t searched_count;            /* loader looked, in order, with verdicts */
	char *deploy_target;  /* the target rules: the target's name; else NULL */
	struct ifx_version_gap *gaps; /* IFX_RULE_TARGET_VERSIONS: each version */
	size_t gap_count;             /* lacking, with symbol, library, release */
};

struct ifx_check_result {
	size_t size;         /* sizeof as the caller knows it: IFX_INIT */
	struct ifx_finding **findings;
	size_t count;
};

struct ifx_check_options {
	size_t size;         /* sizeof as the caller knows it: IFX_INIT */
	const char *root;      /* judge inside this sysroot; NULL: the host */
	const char *libc;      /* "glibc" or "musl": the product's libc, or NULL */
	const char *glibc;     /* "X.Y": the oldest glibc the product runs on, or NULL */
	const char *build_dir; /* RPATH entries below it only exist at build time */
	bool archive_member;   /* the file is a member of an archive, not on disk:
				  the rules that look beside it (missing-library) are
				  skipped */
	const char *advice_operand; /* what advice names after "interpfix fix ...",
				  as the shell should see it (e.g. "--member
				  bin/tool app.zip"); NULL: path */
	/* appended: */
	const struct ifx_target *const *targets; /* judge the file for these
				  deploy targets (the target-* rules); then the
				  rules about this host (missing-interp,
				  missing-library, nonstandard-interp,
				  interp-libc-mismatch) run only with root */
	size_t target_count;
};

IFX_API const char *ifx_rule_name(enum ifx_rule rule);          /* "missing-library" */
IFX_API const char *ifx_severity_name(enum ifx_severity severity); /* "error" */

/*
 * Every audit rule on one inspected file (facts in info, read from path).
 * context may be NULL; for a tree, pass one (made for opts->root) so each
 * library is read once.
 * Findings are not an error: IFX_OK with out->count > 0.
 */
IFX_API enum ifx_status ifx_check_file(const char *path, const struct ifx_elf_info *info,
			       const struct ifx_check_options *opts,
			       struct ifx_context *context, struct ifx_check_result *out,
			       struct ifx_error *err);
IFX_API void ifx_check_result_free(struct ifx_check_result *result);

/* ---- Explaining (interpfix explain) ------------------------------------- */

struct ifx_explanation {
	size_t size;         /* sizeof as the caller knows it: IFX_INIT */
	bool fails;          /* executing it here would fail */
	char *headline;      /* the first cause, the one the kernel or loader hits */
	char **why;          /* the reasons, paths considered, notes (in order) */
	size_t why_count;
	char **advice;       /* what to do, best option first */
	size_t advice_count;
};

struct ifx_explain_options {
	size_t size;         /* sizeof as the caller knows it: IFX_INIT */
	const char *root;    /* judge inside this sysroot; NULL: the host */
};

/*
 * Whether executing the file at path would fail here and why, without
 * running it or its loader: a dangling link, noexec, no execute bit, a file
 * that is not a program (archive, text), a non-Linux binary, another
 * architecture, a missing or wrong interpreter, glibc versions the loader's
 * libc lacks, a library missing anywhere in the tree; for a #! script, its
 * interpreter (an env target is looked up in this process's PATH). IFX_OK
 * whatever the verdict; an error only when the file cannot be read or is a
 * malformed ELF file (the inspection's status).
 */
IFX_API enum ifx_status ifx_explain(const char *path, const struct ifx_explain_options *opts,
			    struct ifx_explanation *out, struct ifx_error *err);
IFX_API void ifx_explanation_free(struct ifx_explanation *explanation);

/* ---- Patching --------------------------------------------------------- */

enum ifx_write_mode {
	IFX_WRITE_ATOMIC = 0,   /* sibling temp file, then renameat over the original */
	IFX_WRITE_IN_PLACE = 1, /* write only the changed bytes into the same inode */
};

enum ifx_fix_result {
	IFX_FIX_CHANGED = 0,       /* written (or would be, in a dry run) */
	IFX_FIX_ALREADY = 1,       /* already names the target: nothing written */
	IFX_FIX_NOT_DYNAMIC = 2,   /* no PT_INTERP: left alone */
};

struct ifx_fix_options {
	size_t size;         /* sizeof as the caller knows it: IFX_INIT */
	const char *target;     /* the new interpreter path, or NULL: the resolver
				   chooses (ifx_choose_loader with vet) */
	const struct ifx_target_options *vet; /* root, portable, glibc; force relaxes
				   only the refusals that allow it; NULL: the host,
				   nothing forced */
	enum ifx_write_mode mode;
	bool dry_run;
};

/* Whether a target path is one a kernel can use: absolute, not empty, at
 * most PATH_MAX - 1 bytes. IFX_ERR_USAGE otherwise. */
IFX_API enum ifx_status ifx_check_target_path(const char *target, struct ifx_error *err);

/* s as one shell word that does exactly what it says when pasted, as the
 * library's advice names files: bare when every byte is safe, '...' when
 * all are printable ASCII, else bash's $'...' with \xNN escapes (no byte a
 * terminal acts on). malloc'd; NULL when out of memory. */
IFX_API char *ifx_shell_quote(const char *s);

/* What a fix did or would do; filled by ifx_fix_path and ifx_plan_*. */
struct ifx_fix_report {
	size_t size;         /* sizeof as the caller knows it: IFX_INIT */
	enum ifx_fix_result result;
	char *old_interp;
	char *new_interp;
	uint64_t interp_offset;
	uint64_t old_size;       /* PT_INTERP p_filesz before */
	uint64_t new_size;       /* and after */
	unsigned long hard_links; /* st_nlink of the file fixed */
	bool layout_changed;      /* a longer path: a new segment was added */
	char **layout_changes;    /* what moved, one line each, for people */
	size_t layout_change_count;
	uint64_t old_file_size, new_file_size;
	char *standard;           /* the psABI path, when the resolver chose */
	bool host_specific;       /* the choice is not the standard path: it runs
				     only where that loader is too */
	bool standard_missing;    /* already the standard path, which this host
				     (or root) lacks: nothing to change */
	struct ifx_elf_info *info; /* the file as it was read before the fix; NULL
				     when it could not be read */
	char *warning;            /* what the new file could not keep (owner,
				     group, set-id bits: only with vet->force), or
				     where it may not run (a layout that needs
				     Linux 5.18+), "; "-joined; else NULL */
};
IFX_API void ifx_fix_report_free(struct ifx_fix_report *report);

/*
 * Rewrite PT_INTERP of the file at dirfd/path (symlinks followed when
 * follow is true) to opts->target, or to the loader the resolver chooses.
 * Every swap goes through ifx_check_swap first (IFX_REFUSED with reason and
 * advice); opts->vet.force overrides only what may be forced. Crash-safe:
 * on any failure before the rename the original is byte-for-byte intact
 * and no temporary file remains; a failure to sync the directory after the
 * rename is reported (IFX_ERR_IO) with the new, complete file in place.
 */
IFX_API enum ifx_status ifx_fix_path(int dirfd, const char *path, bool follow,
			     const struct ifx_fix_options *opts,
			     struct ifx_fix_report *report,
			     struct ifx_error *err);

/* ---- Fixes without paths: fds and buffers -------------------------------- */

/* A planned fix: what ifx_fix_path would write, decided (resolver and safety
 * checker included) but not written. Opaque; free with ifx_plan_free. */
struct ifx_plan;

/* The facts of an ELF image in memory (as ifx_inspect_fd for a file). */
IFX_API enum ifx_status ifx_inspect_buffer(const void *buf, size_t size,
					   struct ifx_elf_info *info, struct ifx_error *err);

/* Plan the fix of the regular file open for reading on fd, or of an image
 * in memory, with the options of ifx_fix_path (mode is ignored). A refusal
 * is IFX_REFUSED with err's reason and advice, and no plan. */
IFX_API enum ifx_status ifx_plan_fd(int fd, const struct ifx_fix_options *opts,
				    struct ifx_plan **plan, struct ifx_error *err);
IFX_API enum ifx_status ifx_plan_buffer(const void *buf, size_t size,
					const struct ifx_fix_options *opts,
					struct ifx_plan **plan, struct ifx_error *err);

/* What the plan does: result (CHANGED, ALREADY, NOT_DYNAMIC), old and new
 * interpreter, layout changes. Borrowed: valid until ifx_plan_free. */
IFX_API const struct ifx_fix_report *ifx_plan_report(const struct ifx_plan *plan);
/* The size of the result in bytes (the input's when nothing changes). */
IFX_API uint64_t ifx_plan_output_size(const struct ifx_plan *plan);

/* Write the result to out (truncated first; writable and seekable) from
 * in, the same input the plan was made for (same size; for a file, the same
 * inode), which is only read. With nothing to change, out is a copy. */
IFX_API enum ifx_status ifx_plan_apply_fd(const struct ifx_plan *plan, int in, int out,
					  struct ifx_error *err);
/* The same into a caller's buffer of out_size bytes (ifx_plan_output_size
 * tells how many are needed); *out_len is what was written. */
IFX_API enum ifx_status ifx_plan_apply_buffer(const struct ifx_plan *plan,
					      const void *in, size_t in_size,
					      void *out, size_t out_size, size_t *out_len,
					      struct ifx_error *err);
IFX_API void ifx_plan_free(struct ifx_plan *plan);

/* ---- Archives: zip and tar --------------------------------------------- */

enum ifx_archive_format {
	IFX_ARCHIVE_NONE = 0, /* not an archive this library reads */
	IFX_ARCHIVE_ZIP = 1,  /* zip and zip64 */
	IFX_ARCHIVE_TAR = 2,  /* ustar, pax or GNU tar; bare, gzip, xz, zstd or bzip2 */
};

/* What the first bytes of the file open on fd say (offset not used): a zip
 * (local header or empty-archive record), a tar header, or a gzip, xz,
 * zstd or bzip2 stream whose content starts with a tar header. */
IFX_API enum ifx_archive_format ifx_archive_detect(int fd);

enum ifx_member_type {
	IFX_MEMBER_FILE = 0,
	IFX_MEMBER_DIRECTORY = 1,
	IFX_MEMBER_SYMLINK = 2,
	IFX_MEMBER_HARDLINK = 3, /* tar: another name of an earlier member */
	IFX_MEMBER_OTHER = 4,    /* device, FIFO, ... */
};

enum ifx_member_content {
	IFX_CONTENT_UNREAD = 0,  /* not a file, not selected, or not read */
	IFX_CONTENT_OTHER = 1,   /* a file that is neither ELF nor an archive */
	IFX_CONTENT_ELF = 2,
	IFX_CONTENT_ARCHIVE = 3, /* an archive inside the archive: not entered */
};

/* One member, in archive order. Library-allocated; grows at its end. */
struct ifx_member {
	char *name;              /* as stored: any bytes but NUL */
	enum ifx_member_type type;
	uint64_t size;           /* uncompressed bytes */
	unsigned mode;           /* st_mode bits the archive records (0: none) */
	char *link_target;       /* symlinks and hard links, else NULL */
	bool selected;           /* matched a member glob (all do when none given) */
	enum ifx_member_content content;
	enum ifx_status status;  /* IFX_OK, or why it could not be read, inspected
				    or fixed (IFX_REFUSED: the safety checker) */
	char *message;           /* status != IFX_OK: one line; else NULL */
	char *advice;            /* refusals: what to do instead; may be NULL */
	struct ifx_elf_info *info;     /* ELF members: their facts */
	struct ifx_fix_report *report; /* ifx_archive_fix: what the fix did or
				    would do to this member; NULL when not planned */
	bool left;               /* keep_going: refused or failed, kept as it was */
};

struct ifx_archive_options {
	size_t size;             /* IFX_INIT */
	const char *const *members; /* fnmatch(3) globs on member names (no
				    FNM_PATHNAME: "*" crosses "/"); none: all */
	size_t member_count;
	unsigned inspect_flags;  /* IFX_INSPECT_NO_SYMBOLS: leave symbol_versions empty */
	/* ifx_archive_fix only: */
	const struct ifx_fix_options *fix; /* target, vet, dry_run; mode is ignored
				    (an archive is always replaced atomically) */
	bool keep_going;         /* fix what can be, leave the members that cannot */
	const char *output;      /* write the new archive here (relative to
				    dirfd) and leave the original alone; NULL: replace */
	uint64_t spool_threshold; /* a member larger than this is spooled to a
				    temporary file, not memory; 0: 16 MiB */
};

struct ifx_archive_result {
	size_t size;             /* IFX_INIT */
	enum ifx_archive_format format;
	char *format_name;       /* "zip", "tar (pax, gzip)", ... */
	struct ifx_member **members; /* every member, in archive order */
	size_t count;
	size_t elf;              /* members that are ELF files */
	size_t changed;          /* ELF members the fix changes (or would) */
	size_t left;             /* members kept as they were (keep_going) */
	bool written;            /* a new archive was written */
};

/*
 * Every member of the archive open on fd, and the facts of the selected ELF
 * members (the archive is only read, never extracted). IFX_ERR_NOT_ELF
 * when it is not an archive; IFX_ERR_MALFORMED for a damaged or hostile
 * one (truncated, a bad CRC, a member name that is absolute or has a ".."
 * component, a name twice, more than 100000 members, sizes or compression
 * ratios no real archive has), err naming the member. A member that cannot
 * be read or inspected is a result: its status and message say why.
 */
IFX_API enum ifx_status ifx_archive_scan(int fd, const struct ifx_archive_options *opts,
					 struct ifx_archive_result *out, struct ifx_error *err);

/*
 * Fix the selected ELF members of the archive at dirfd/path with opts->fix,
 * exactly as ifx_plan_fd would fix a file (resolver, safety checker), and
 * write the new archive crash-safely: a sibling temporary, fsync, rename
 * over the original (or over opts->output). Every other member keeps its
 * bytes and metadata; zip members are copied in compressed form and a
 * changed one keeps its compression method; a tar keeps its format and
 * compression filter. A member refused or failing leaves the archive as it
 * was (IFX_REFUSED or its error, err naming the member) unless keep_going;
 * then it is kept as it was and marked left. Nothing is written when nothing
 * changes or opts->fix->dry_run is set. The scan's errors apply.
 */
IFX_API enum ifx_status ifx_archive_fix(int dirfd, const char *path,
					const struct ifx_archive_options *opts,
					struct ifx_archive_result *out, struct ifx_error *err);
IFX_API void ifx_archive_result_free(struct ifx_archive_result *result);
IFX_API const char *ifx_member_type_name(enum ifx_member_type type); /* "file", "symlink", ... */

/* ---- Walking trees ------------------------------------------------------ */

enum ifx_walk_entry {
	IFX_WALK_REGULAR = 0, /* a regular file: visit gets dirfd and name */
	IFX_WALK_SKIPPED = 1, /* symlink, FIFO, device, socket */
	IFX_WALK_ERROR = 2,   /* a directory that could not be read (errnum) */
	IFX_WALK_LEFTOVER = 3, /* a temporary an interrupted fix left (ifx_is_leftover) */
};
typedef void (*ifx_walk_fn)(int dirfd, const char *name, const char *path,
			    enum ifx_walk_entry kind, int errnum, void *ctx);
/*
 * Walk the directory at dirfd/path in sorted order, calling visit for every
 * entry that is not a directory (path is the display path). Symlinks below
 * the top are never followed; FIFOs, devices and sockets are only named.
 * IFX_OK, or the error opening the top directory.
 */
IFX_API enum ifx_status ifx_walk_tree(int dirfd, const char *path, ifx_walk_fn visit,
				      void *ctx, struct ifx_error *err);

/* Where path inside the root filesystem root is on this machine, symlinks
 * resolved inside root as if it were "/" (*host_out malloc'd); root NULL or
 * "/" is the host. IFX_ERR_IO with sys_errno ENOENT when it is not there. */
IFX_API enum ifx_status ifx_root_path(const char *root, const char *path, char **host_out,
				      struct ifx_error *err);

/* Whether a name is one of our temporary files (".<name>.interpfix-XXXXXX"). */
IFX_API bool ifx_is_temp_name(const char *name);

/* Whether dirfd/name is a temporary an interrupted fix left behind: a
 * temporary's name, a regular file of this user's or root's, and the
 * marker a fix puts on a named temporary until it is complete (the name
 * alone never hides a file: a real binary named so is a binary). Only a
 * filesystem without O_TMPFILE, and a crash, leave one. */
IFX_API bool ifx_is_leftover(int dirfd, const char *name);
/* Remove it, after checking again that it is one. */
IFX_API enum ifx_status ifx_remove_leftover(int dirfd, const char *name, struct ifx_error *err);

#ifdef __cplusplus
}
#endif

#endif /* INTERPFIX_H */
