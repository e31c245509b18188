/* --target and --target-file, shared by check, fix, show and targets: the
 * names are collected while options are parsed and resolved once every
 * target file is loaded, so a file's targets can be named in any order. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_targets_add_name(struct cli_targets *t, const char *name)
{
	t->names = cli_xreallocarray(t->names, t->name_count + 1, sizeof(*t->names));
	t->names[t->name_count++] = name;
}

void cli_targets_add_file(struct cli_targets *t, const char *path)
{
	t->files = cli_xreallocarray(t->files, t->file_count + 1, sizeof(*t->files));
	t->files[t->file_count++] = path;
}

bool cli_targets_resolve(struct cli_targets *t, const char *cmd)
{
	struct ifx_error err;

	if ((t->set = ifx_target_set_new()) == NULL)
		cli_out_of_memory();
	for (size_t i = 0; i < t->file_count; i++)
		if (ifx_target_set_load(t->set, t->files[i], &err) != IFX_OK) {
			if (err.status == IFX_ERR_NOMEM)
				cli_out_of_memory();
			/* the message names the file and the place */
			cli_error(cmd, &err);
			return false;
		}
	for (size_t i = 0; i < t->name_count; i++) {
		const struct ifx_target **got;
		size_t n;

		if (ifx_target_select(t->set, t->names[i], &got, &n, &err) != IFX_OK) {
			if (err.status == IFX_ERR_NOMEM)
				cli_out_of_memory();
			cli_error(cmd, &err);
			return false;
		}
		for (size_t k = 0; k < n; k++) {
			bool seen = false;

			for (size_t j = 0; j < t->count; j++)
				seen = seen || t->chosen[j] == got[k];
			if (seen)
				continue;
			t->chosen = cli_xreallocarray(t->chosen, t->count + 1, sizeof(*t->chosen));
			t->chosen[t->count++] = got[k];
		}
		free(got);
	}
	return true;
}

void cli_targets_free(struct cli_targets *t)
{
	ifx_target_set_free(t->set);
	free(t->chosen);
	free(t->names);
	free(t->files);
	memset(t, 0, sizeof(*t));
}

