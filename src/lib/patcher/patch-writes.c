/* The writes of a plan: added one by one by the planners (patch-plan.c,
 * patch-grow.c), freed with the plan's list of changes. Its own file so
 * that the two planners depend on it and not on each other. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "internal.h"

int ifx__patch_writes_add(struct patch_plan *plan, uint64_t offset,
			 const void *bytes, size_t len)
{
	struct patch_write *grown;
	unsigned char *copy;

	copy = malloc(len ? len : 1);
	if (copy == NULL)
		return -1;
	grown = reallocarray(plan->writes, plan->count + 1, sizeof(*grown));
	if (grown == NULL) {
		free(copy);
		return -1;
	}
	if (bytes != NULL)
		memcpy(copy, bytes, len);
	else
		memset(copy, 0, len);
	grown[plan->count].offset = offset;
	grown[plan->count].len = len;
	grown[plan->count].bytes = copy;
	plan->writes = grown;
	plan->count++;
	return 0;
}

void ifx__patch_writes_free(struct patch_plan *plan)
{
	for (size_t i = 0; i < plan->count; i++)
		free(plan->writes[i].bytes);
	free(plan->writes);
	ifx__strlist_free(plan->changes, plan->change_count);
	memset(plan, 0, sizeof(*plan));
}
