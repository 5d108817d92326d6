/* SPDX-License-Identifier: GPL-2.0 */
/* A clock read as nanoseconds: CLOCK_MONOTONIC is the clock of the BPF events' ts_ns. */
#ifndef FS_UTIL_CLOCK_H
#define FS_UTIL_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

#endif
