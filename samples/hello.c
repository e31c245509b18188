/* The smallest program that needs its loader: prints one line. */
#include <stdio.h>

int main(void)
{
	puts("hello from interpfix");
	return 0;
}
