/* Resolves a host name with getaddrinfo, which pulls in the C library's
 * NSS machinery: the kind of program Go's net package turns into cgo. */
#include <netdb.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "localhost";
	struct addrinfo hints, *res;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(name, NULL, &hints, &res);
	if (rc != 0) {
		fprintf(stderr, "resolve %s: %s\n", name, gai_strerror(rc));
		return 1;
	}
	freeaddrinfo(res);
	printf("resolved %s\n", name);
	return 0;
}
