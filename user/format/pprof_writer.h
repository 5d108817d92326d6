/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Builds a profile in pprof's format (perftools.profiles.Profile, from
 * google/pprof proto/profile.proto) and writes it gzip-compressed, as
 * `go tool pprof` and other pprof readers expect, without a protobuf
 * library: the encoding is hand-written in pprof_writer.c.
 *
 * Frames are names only (kernel stacks are symbolised before they get
 * here): each distinct name is one Function with one Location, and each
 * distinct stack with distinct labels is one Sample whose values are summed.
 */
#ifndef FS_FORMAT_PPROF_WRITER_H
#define FS_FORMAT_PPROF_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct pprof_builder;

/* A sample label: a string value (str) or a number (num, with num_unit or NULL). */
struct pprof_label {
	const char *key;
	const char *str;
	int64_t num;
	const char *num_unit;
};

/*
 * sample_types holds n_types (type, unit) pairs, e.g. {"failures", "count",
 * "bytes", "bytes"}: every sample then has n_types values, in that order.
 * pprof shows the last type unless told otherwise.  NULL if out of memory
 * or n_types is 0.
 */
struct pprof_builder *pprof_new(const char *const *sample_types, size_t n_types);
/*
 * Adds values (n_types of them) to the sample of this stack, given leaf
 * first.  Returns 0, -ENOMEM, or -EINVAL for a NULL frame name.
 */
int pprof_add_sample(struct pprof_builder *b, const char *const *frames, size_t n_frames,
		     const int64_t *values);
/* The same, for the sample of this stack with these labels. */
int pprof_add_labeled_sample(struct pprof_builder *b, const char *const *frames, size_t n_frames,
			     const int64_t *values, const struct pprof_label *labels,
			     size_t n_labels);
/*
 * The sample type pprof shows unless told otherwise (-sample_index), by
 * its type name; without it, pprof shows the last.  0 or -ENOMEM.
 */
int pprof_set_default_type(struct pprof_builder *b, const char *type);
/* When the profile starts (ns since the epoch) and how long it lasts. */
void pprof_set_time(struct pprof_builder *b, int64_t time_nanos, int64_t duration_nanos);
/* Returns 0, -ENOMEM, or -errno (-EIO if stdio does not say) for a write error. */
int pprof_write_gzip(struct pprof_builder *b, FILE *out);
void pprof_free(struct pprof_builder *b);

#endif
