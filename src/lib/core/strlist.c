/* Growable arrays of owned strings, for NEEDED names and version lists. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Returns 0, or -1 when out of memory (the list is left as it was). */
int ifx__strlist_push(char ***list, size_t *count, const char *s)
{
	char **grown;
	char *copy;

	copy = strdup(s);
	if (copy == NULL)
		return -1;
	grown = reallocarray(*list, *count + 1, sizeof(**list));
	if (grown == NULL) {
		free(copy);
		return -1;
	}
	grown[*count] = copy;
	*list = grown;
	(*count)++;
	return 0;
}

void ifx__strlist_free(char **list, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(list[i]);
	free(list);
}
