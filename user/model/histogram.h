/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Latency histograms with log2 buckets of microseconds, as the report
 * prints them (bucket i holds [2^(i-1), 2^i) µs; bucket 0 holds < 1 µs).
 * Percentiles interpolate inside a bucket, so they are estimates within
 * the bucket's bounds; exact minimum, maximum and sum are kept beside.
 */
#ifndef FS_MODEL_HISTOGRAM_H
#define FS_MODEL_HISTOGRAM_H

#include <stdint.h>

#define HIST_BUCKETS 40

struct histogram {
	uint64_t buckets[HIST_BUCKETS];
	uint64_t count;
	uint64_t sum_ns;
	uint64_t min_ns;
	uint64_t max_ns;
};

void hist_add(struct histogram *h, uint64_t ns);
/* Estimated q-quantile (0..1) in nanoseconds; 0 for an empty histogram. */
uint64_t hist_quantile_ns(const struct histogram *h, double q);
/* Upper bound of bucket i in microseconds. */
uint64_t hist_bucket_upper_us(int i);

#endif
