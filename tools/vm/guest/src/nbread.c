// SPDX-License-Identifier: GPL-2.0
/*
 * nbread PATH BYTES: one read(2) of up to BYTES from PATH opened with
 * O_NONBLOCK, for the guest tests (busybox cannot open O_NONBLOCK).
 * Prints "read N" or "errno NAME" and exits 0; exits 2 on a usage or
 * open error. Built static by tools/vm/mkinitramfs.sh.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char buf[65536];
	size_t want;
	ssize_t n;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: nbread PATH BYTES\n");
		return 2;
	}
	want = strtoul(argv[2], NULL, 0);
	if (want > sizeof(buf))
		want = sizeof(buf);
	fd = open(argv[1], O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	n = read(fd, buf, want);
	if (n < 0)
		printf("errno %s\n", errno == EAGAIN ? "EAGAIN" : strerror(errno));
	else
		printf("read %zd\n", n);
	close(fd);
	return 0;
}
