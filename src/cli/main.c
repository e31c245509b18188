/* interpfix: the command table and dispatch. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <getopt.h>
#include <string.h>

#include "cli.h"

static int cmd_help(int argc, char **argv);

static const struct cli_command commands[] = {
	{ "show", cmd_show,
	  "show [--json] [--deps] [--root DIR] [--member GLOB]\n"
	  "                     [--target-file FILE]... PATH...",
	  "Print what interpfix knows of each ELF file: class, byte order, machine,\n"
	  "OS ABI, type, linkage, libc, PT_INTERP, NEEDED, RPATH/RUNPATH, symbol\n"
	  "versions and Go build info (and which Go packages call C). Nothing is\n"
	  "executed. Symlinks named are followed; a directory is walked as fix and\n"
	  "check walk it, and its ELF files are shown.\n"
	  "Each file also says where it can run: \"needs\" (the newest glibc,\n"
	  "libstdc++ and libgcc_s versions it needs), \"runs on\" (the deploy targets\n"
	  "of 'interpfix targets' that have them) and \"not on\" (those that lack\n"
	  "them, or whose libc is the other one); targets without its architecture\n"
	  "are left out.\n"
	  "\n"
	  "  --json       one JSON document (schema_version 1): files and summary\n"
	  "  --deps       the whole dependency tree, as the loader maps it: each\n"
	  "               library with the path it is loaded from, or \"not found\"\n"
	  "  --root DIR   judge the interpreter and libraries inside the sysroot DIR\n"
	  "  --member GLOB  in a zip or tar archive, the ELF members matching GLOB\n"
	  "               (every ELF member without it), named ARCHIVE!MEMBER\n"
	  "  --target-file FILE  judge with the deploy targets of FILE too (JSON; see\n"
	  "               docs/targets.md); repeatable\n" },
	{ "fix", cmd_fix,
	  "fix [--to LOADER] [--portable] [--root DIR] [--glibc X.Y]\n"
	  "                     [--dry-run] [--target NAME]... [--target-file FILE]...\n"
	  "                     [--in-place] [--force] [--json] [--format F] [-q|-v]\n"
	  "                     [--member GLOB] [--keep-going] [--archives]\n"
	  "                     [--remove-leftovers] [-o OUT] PATH...",
	  "Rewrite the program interpreter (PT_INTERP) of each file, or of every ELF\n"
	  "file below each directory (symlinks inside a tree are never followed; FIFOs,\n"
	  "devices, non-ELF files and files without PT_INTERP are skipped).\n"
	  "\n"
	  "  --to LOADER  the new interpreter (absolute). Without it, the standard\n"
	  "               loader for the binary's architecture and libc is chosen, if\n"
	  "               this host (or --root) has a real one; else the same libc's\n"
	  "               loader elsewhere on this host\n"
	  "  --portable   write the standard path even where this host lacks it\n"
	  "  --root DIR   resolve and validate loaders inside the sysroot DIR\n"
	  "  --glibc X.Y  with --portable: the glibc release the binary must run on\n"
	  "  --target NAME  write the loader of deploy target NAME (a target, an alias\n"
	  "               or a family such as lambda; see interpfix targets) as\n"
	  "               --portable does, and refuse what NAME cannot run: an arch\n"
	  "               it lacks (never overridable), the other libc, symbol\n"
	  "               versions it lacks (each symbol@VERSION named). Repeatable;\n"
	  "               the targets must agree on the loader. Not with --to\n"
	  "  --target-file FILE  add the deploy targets of FILE (JSON; see\n"
	  "               docs/targets.md) for --target; repeatable\n"
	  "  --dry-run    write nothing; print a diff of what would change\n"
	  "  --in-place   write only the changed bytes into the same inode (keeps all\n"
	  "               hard links in step; refused by the kernel while it runs)\n"
	  "  --force      override the refusals that allow it: libc family swap,\n"
	  "               missing loader, glibc symbol versions, a target's libc or\n"
	  "               symbol versions, an owner or group a non-root user cannot\n"
	  "               keep (then a warning says what was lost)\n"
	  "  --json       one JSON document (schema_version 1): files and summary\n"
	  "  --format F   text (default), json (= --json), sarif (a result per file\n"
	  "               changed, would be or refused, with its byte fix when it is one)\n"
	  "               or github (a ::warning per file a dry run would change,\n"
	  "               ::notice per file changed, ::error per refusal)\n"
	  "  -v, --verbose  also list the files of a tree that were skipped, and why\n"
	  "  -q, --quiet  print the summary only (errors and refusals still go to stderr)\n"
	  "Listed by default: files that changed (or would), failed or were refused,\n"
	  "and operands skipped; then the summary. On a terminal a progress line on\n"
	  "stderr shows runs longer than a second.\n"
	  "\n"
	  "Archives: a zip (zip64 too) or a tar (ustar, pax, GNU; bare or gzip, xz,\n"
	  "zstd, bzip2) named as an operand, recognised by content, is looked into:\n"
	  "its members are named ARCHIVE!MEMBER.\n"
	  "  --member GLOB  only the members matching GLOB (fnmatch; * crosses /);\n"
	  "                 repeatable\n"
	  "  --archives     also look into the archives found below a directory\n"
	  "  --keep-going   fix the members that can be, keep the others as they were\n"
	  "  --remove-leftovers  remove the temporaries an interrupted fix left in a\n"
	  "               directory (told by name, owner and marker, never name alone)\n"
	  "  -o OUT         write the new archive to OUT; the operand is left alone\n"
	  "An archive is rewritten once, crash-safely (a sibling temporary renamed over\n"
	  "it): unchanged zip members are copied compressed, tar keeps its format and\n"
	  "compression, every other member its bytes and metadata. A member refused\n"
	  "leaves the whole archive untouched unless --keep-going.\n"
	  "\n"
	  "Refused (exit 3), never overridable: a loader of another machine, class,\n"
	  "byte order or ABI; a file that is not a loader; a setuid, setgid or\n"
	  "file-capability binary whose loader path (every directory and symlink on\n"
	  "the way) is not root's (or the binary owner's) alone; a non-Linux binary;\n"
	  "a --target that does not offer the binary's architecture.\n"
	  "\n"
	  "By default the file is replaced atomically: a sibling temporary copy is\n"
	  "patched, owner, mode and xattrs are restored, synced and renamed over the\n"
	  "original, so the file is wholly old or wholly new, even while it runs.\n" },
	{ "check", cmd_check,
	  "check [--format text|json|sarif|github] [--json]\n"
	  "                     [--fail-on error|warning|never] [--ignore RULE]... [-q|-v]\n"
	  "                     [--libc glibc|musl] [--glibc X.Y] [--root DIR]\n"
	  "                     [--member GLOB] [--archives] [--target NAME]...\n"
	  "                     [--target-file FILE]... PATH...",
	  "Audit files and trees before they are shipped (never writes). Findings:\n"
	  "  nonstandard-interp    the interpreter is not the psABI path (Linuxbrew,\n"
	  "                        Nix store, musl under another prefix, relative...)\n"
	  "  interp-libc-mismatch  a glibc binary naming musl's loader, or the reverse\n"
	  "  unexpected-libc       a libc other than --libc\n"
	  "  glibc-too-new         symbol versions beyond --glibc X.Y (each named)\n"
	  "  rpath-build-prefix    RPATH/RUNPATH into /home/linuxbrew,\n"
	  "                        @@HOMEBREW_PREFIX@@, /nix/store, /tmp or the\n"
	  "                        current (build) directory\n"
	  "  missing-library       a library anywhere in the dependency tree the loader\n"
	  "                        would not find here (or in --root DIR), naming what\n"
	  "                        needs it and the paths it would try\n"
	  "  missing-interp        the interpreter is not here (or in --root DIR)\n"
	  "  non-linux-binary      a FreeBSD, NetBSD, OpenBSD, Solaris or Hurd program\n"
	  "  leftover-temporary    (warning) a temporary an interrupted fix left behind\n"
	  "For each --target (the finding names it):\n"
	  "  target-arch           the target does not offer its architecture\n"
	  "  target-libc           it links glibc and the target has musl, or the reverse\n"
	  "  target-interp         its interpreter is not the target's loader\n"
	  "  target-versions       symbol versions the target's glibc, libstdc++ or\n"
	  "                        libgcc_s lack: each symbol@VERSION, the library\n"
	  "                        and the oldest release that has it\n"
	  "Files for another machine are judged by their interpreter path only, unless\n"
	  "--root names a root filesystem of that machine.\n"
	  "\n"
	  "  --format F   text (default), json (= --json: schema_version 1, findings with\n"
	  "               file, member, rule, severity, message, advice, library,\n"
	  "               needed_by, interp, target, symbols, searched, deploy_target,\n"
	  "               gaps; errors; summary),\n"
	  "               sarif (SARIF 2.1.0 for code scanning: rules, results with\n"
	  "               locations and fixes, errors as notifications) or github\n"
	  "               (::error/::warning workflow commands, names escaped)\n"
	  "  --fail-on L  exit 1 for findings of severity L or worse: error, warning\n"
	  "               (the default) or never\n"
	  "  --ignore RULE  drop that rule's findings (repeatable)\n"
	  "  -q, --quiet  text: the summary only\n"
	  "  -v, --verbose  text: also the files of a tree that were not audited, and why\n"
	  "  --target NAME  judge each file for deploy target NAME: a target, an alias\n"
	  "               or a family such as lambda (all of it); interpfix targets\n"
	  "               lists them. Repeatable. Without --root, the rules about\n"
	  "               this host (missing-interp, missing-library,\n"
	  "               nonstandard-interp, interp-libc-mismatch) are off\n"
	  "  --target-file FILE  add the deploy targets of FILE (JSON; see\n"
	  "               docs/targets.md) for --target; repeatable\n"
	  "In text a missing library is listed once, with every file that needs it.\n"
	  "Archives: a zip (zip64 too) or a tar (ustar, pax, GNU; bare or gzip, xz,\n"
	  "zstd, bzip2) named as an operand, recognised by content, is looked into:\n"
	  "its members are named ARCHIVE!MEMBER.\n"
	  "  --member GLOB  only the members matching GLOB (fnmatch; * crosses /);\n"
	  "                 repeatable\n"
	  "  --archives     also look into the archives found below a directory\n"
	  "An archive member is not on disk: missing-library is not judged for it.\n"
	  "Exit 0 when clean, 1 with findings (per --fail-on), 2 when a file could not\n"
	  "be read (whatever --fail-on says).\n" },
	{ "explain", cmd_explain, "explain [--root DIR] FILE",
	  "Say, without running FILE or its loader, whether executing it here would\n"
	  "fail and why, then what to do, best option first. Covers a missing or\n"
	  "foreign interpreter (and who produced it: Go build info, Linuxbrew, Nix,\n"
	  "musl), another architecture or OS (FreeBSD...), a library missing anywhere\n"
	  "in the dependency tree (what needs it, the paths considered), glibc\n"
	  "versions this host lacks, scripts whose #! interpreter is missing (CRLF\n"
	  "included), files that are not programs (archives, text), libraries, files\n"
	  "that are not executable, on a noexec mount or dangling symlinks.\n"
	  "\n"
	  "  --root DIR   judge the interpreter and libraries inside the sysroot DIR\n"
	  "Exit 0 when it would run as far as static analysis can tell, 1 when it\n"
	  "would fail, 2 when FILE cannot be read.\n" },
	{ "targets", cmd_targets, "targets [--json] [--target-file FILE]... [NAME...]",
	  "List the deploy targets check --target, fix --target and show know: each\n"
	  "one's C library and version, newest GLIBCXX_ and CXXABI_ nodes of its\n"
	  "libstdc++ and architectures. Named ones (a target, an alias or a family\n"
	  "such as lambda) are shown in full: the loader and libgcc_s GCC_ node per\n"
	  "architecture, notes and where every figure comes from.\n"
	  "\n"
	  "  --json       one JSON document (schema_version 1): targets and aliases\n"
	  "  --target-file FILE  add the targets of FILE (JSON; see docs/targets.md\n"
	  "               and man interpfix, TARGET FILES); repeatable\n"
	  "Built-in: Ubuntu, Debian, RHEL (Rocky, Alma), CentOS 7, Amazon Linux,\n"
	  "Alpine, AWS Lambda runtimes, manylinux and musllinux policies.\n" },
	{ "help", cmd_help, "help [COMMAND]", "Show help for interpfix or one command.\n" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char exit_status_help[] =
	"Exit status (with several files the worst wins, in the order 2 > 3 > 1 > 0):\n"
	"  0  success, or nothing to do\n"
	"  1  fix --dry-run would change something; check found something;\n"
	"     explain: executing the file would fail\n"
	"  2  usage error, I/O error or malformed input\n"
	"  3  refused by the safety checker\n";

const struct cli_command *cli_find_command(const char *name)
{
	for (size_t i = 0; name != NULL && i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int cli_help_option(const char *cmd)
{
	cli_print_help(stdout, cli_find_command(cmd));
	return EXIT_OK;
}

void cli_print_help(FILE *out, const struct cli_command *cmd)
{
	if (cmd != NULL) {
		fprintf(out, "Usage: interpfix %s\n\n%s\n%s", cmd->usage, cmd->help,
			exit_status_help);
		return;
	}
	fputs("Usage: interpfix COMMAND [OPTION]... FILE...\n"
	      "Inspect and repair the program interpreter (PT_INTERP) of ELF binaries:\n"
	      "the loader whose absence makes a binary fail with \"No such file or\n"
	      "directory\" although the file is there.\n\nCommands:\n", out);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  interpfix %s\n", commands[i].usage);
	fprintf(out, "\nOptions:\n  -h, --help     show this help\n"
		"  -V, --version  show the version\n\n%s\n"
		"'interpfix help COMMAND' describes one command.\n", exit_status_help);
}

static int cmd_help(int argc, char **argv)
{
	const struct cli_command *cmd = NULL;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		argc = 1;
	if (argc > 2) {
		cli_usage_error("help", "too many arguments");
		return EXIT_ERROR;
	}
	if (argc == 2) {
		cmd = cli_find_command(argv[1]);
		if (cmd == NULL) {
			cli_usage_error(NULL, "unknown command '%s'", argv[1]);
			return EXIT_ERROR;
		}
	}
	cli_print_help(stdout, cmd);
	return EXIT_OK;
}

/* Every word written to stdout must have arrived: a full disk or a closed
 * pipe is an error (exit 2), never a silent success. */
static int finish(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "interpfix: cannot write the output: %s\n", strerror(errno));
		return EXIT_ERROR;
	}
	return rc;
}

static int run(int argc, char **argv)
{
	const struct cli_command *cmd;

	if (argc < 2) {
		cli_usage_error(NULL, "missing command");
		return EXIT_ERROR;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cli_print_help(stdout, NULL);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("interpfix %s\n"
		       "Copyright (c) 2026 The interpfix developers\n"
		       "License: MIT <https://opensource.org/license/mit>\n"
		       "This is free software: you are free to change and redistribute it.\n"
		       "There is NO WARRANTY, to the extent permitted by law.\n",
		       PACKAGE_VERSION);
		return EXIT_OK;
	}
	cmd = cli_find_command(argv[1]);
	if (cmd == NULL) {
		cli_usage_error(NULL, "unknown command '%s'", argv[1]);
		return EXIT_ERROR;
	}
	opterr = 0; /* cli_bad_option says it, on one line */
	return cmd->run(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	/* Past RLIMIT_FSIZE (ulimit -f) the kernel would kill us with SIGXFSZ
	 * half way through a temporary; ignored, the write fails with EFBIG,
	 * the library removes the temporary and the file stays whole. */
	signal(SIGXFSZ, SIG_IGN);
	return finish(run(argc, argv));
}
