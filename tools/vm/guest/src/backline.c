// SPDX-License-Identifier: GPL-2.0
/*
 * backline SECS: one line from standard input (the QMP back channel,
 * ttyS1, in lib.sh), waiting at most SECS seconds in all; prints it
 * without its newline and exits 0, or exits 1 when none came in time
 * (whatever part of a line came is printed, for the log).
 *
 * Why not the shell's "read -t": busybox ash's read restarts from
 * scratch when a signal interrupts it, and the bytes of the line that
 * had already come are lost.  A test's background process ending
 * (SIGCHLD) just as a reply arrives, which is what a reply to "close the
 * host end" makes happen, then cut the reply.  This reads one byte at a
 * time (nothing past the newline is taken from the next reader) and
 * goes on after EINTR.  Built static by tools/vm/mkinitramfs.sh.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	static char line[65536];
	struct pollfd p = { .fd = 0, .events = POLLIN };
	long long end;
	size_t len = 0;
	char c;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: backline SECS\n");
		return 2;
	}
	end = now_ms() + atoi(argv[1]) * 1000LL;
	while (len < sizeof(line) - 1) {
		long long left = end - now_ms();

		if (left <= 0)
			break;
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		r = read(0, &c, 1);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			break;
		if (c == '\n') {
			printf("%.*s\n", (int)len, line);
			return 0;
		}
		if (c != '\r')
			line[len++] = c;
	}
	if (len)
		printf("%.*s\n", (int)len, line);
	return 1;
}
