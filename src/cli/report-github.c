/* check --format github: GitHub Actions workflow commands, one line per
 * finding ("::error file=PATH,title=RULE::MESSAGE"), which the runner turns
 * into annotations. Per the workflow-command rules, % CR and LF are
 * percent-encoded in the message and, with : and , as well, in property
 * values; names are first escaped as in text (\xNN), so no byte of a file
 * name can end the command or start another one. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void put_escaped(FILE *out, const char *s, bool property)
{
	for (const char *p = s; *p; p++) {
		switch (*p) {
		case '%': fputs("%25", out); break;
		case '\r': fputs("%0D", out); break;
		case '\n': fputs("%0A", out); break;
		case ':': property ? fputs("%3A", out) : fputc(':', out); break;
		case ',': property ? fputs("%2C", out) : fputc(',', out); break;
		default: fputc(*p, out);
		}
	}
}

/* file= is the file on disk (for a member, its archive, as the checkout
 * has it); the member goes into the title. */
void github_annotation(FILE *out, const char *level, const char *path, const char *member,
		       const char *title, const char *message, const char *advice)
{
	fprintf(out, "::%s file=", level);
	put_escaped(out, cli_safe(path), true);
	fputs(",title=", out);
	put_escaped(out, title, true);
	if (member != NULL) {
		put_escaped(out, " in ", true);
		put_escaped(out, cli_safe(member), true);
	}
	fputs("::", out);
	put_escaped(out, cli_safe(message), false);
	if (advice != NULL) {
		fputs("%0Afix: ", out);
		put_escaped(out, cli_safe_advice(advice), false);
	}
	fputc('\n', out);
}

void github_finding(FILE *out, const char *path, const char *member,
		    const struct ifx_finding *f)
{
	github_annotation(out, f->severity == IFX_SEVERITY_ERROR ? "error" : "warning", path, member,
		   ifx_rule_name(f->rule), f->message, f->advice);
}

void github_error(FILE *out, const char *path, const char *member, const char *message,
		  const char *advice)
{
	github_annotation(out, "error", path, member, "interpfix", message, advice);
}
