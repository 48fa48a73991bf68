/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the static guest tools (blkpat, blkload). Each tool is
 * one translation unit built by tools/vm/mkinitramfs.sh, so these are
 * static.
 */
#ifndef VIREO_GUEST_UTIL_H
#define VIREO_GUEST_UTIL_H

#include <errno.h>
#include <stdlib.h>

/*
 * parse_size: "4096", "0x1000", "4K", "1M", "1G" into *OUT; -1 (and *OUT
 * untouched) on a malformed value.
 */
static int parse_size(const char *s, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k':
	case 'K':
		v <<= 10;
		end++;
		break;
	case 'm':
	case 'M':
		v <<= 20;
		end++;
		break;
	case 'g':
	case 'G':
		v <<= 30;
		end++;
		break;
	}
	if (*end)
		return -1;
	*out = v;
	return 0;
}

#endif /* VIREO_GUEST_UTIL_H */
