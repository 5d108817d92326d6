// SPDX-License-Identifier: GPL-2.0
#include "model/histogram.h"

static int bucket_of(uint64_t ns)
{
	uint64_t us = ns / 1000;
	int b = 0;

	while (us && b < HIST_BUCKETS - 1) {
		us >>= 1;
		b++;
	}
	return b;
}

uint64_t hist_bucket_upper_us(int i)
{
	return 1ULL << i;
}

void hist_add(struct histogram *h, uint64_t ns)
{
	h->buckets[bucket_of(ns)]++;
	if (!h->count || ns < h->min_ns)
		h->min_ns = ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
	h->count++;
	h->sum_ns += ns;
}

uint64_t hist_quantile_ns(const struct histogram *h, double q)
{
	double rank;
	uint64_t seen = 0;

	if (!h->count)
		return 0;
	rank = q * (double)h->count;
	for (int i = 0; i < HIST_BUCKETS; i++) {
		double lo, hi, est;

		if (!h->buckets[i] || seen + h->buckets[i] < rank) {
			seen += h->buckets[i];
			continue;
		}
		lo = i ? (double)(1ULL << (i - 1)) * 1000.0 : 0.0;
		hi = (double)(1ULL << i) * 1000.0;
		est = lo + (hi - lo) * (rank - (double)seen) / (double)h->buckets[i];
		/* The exact extremes bound any estimate. */
		if (est < (double)h->min_ns)
			est = (double)h->min_ns;
		if (est > (double)h->max_ns)
			est = (double)h->max_ns;
		return (uint64_t)est;
	}
	return h->max_ns;
}
