// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>

#include "util.h"

bool
vd_parse_u64(const char *s, int base, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!*s)
		return false;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end)
		return false;
	*ret = v;
	return true;
}

bool
vd_parse_size(const char *s, uint64_t *ret)
{
	static const char units[] = "KMGT";
	char num[32];
	size_t n = strlen(s);
	const char *u;
	uint64_t v;

	if (!n || n >= sizeof(num))
		return false;
	memcpy(num, s, n + 1);
	u = strchr(units, num[n - 1]);
	if (u && *u)
		num[n - 1] = '\0';
	if (!vd_parse_u64(num, 0, &v))
		return false;
	for (int shift = u && *u ? 10 * (int)(u - units + 1) : 0; shift; shift -= 10) {
		if (v > UINT64_MAX >> 10)
			return false;
		v <<= 10;
	}
	*ret = v;
	return v != 0;
}
