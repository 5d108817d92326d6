// SPDX-License-Identifier: GPL-2.0
/*
 * The pprof profile builder.  Field numbers are those of google/pprof
 * proto/profile.proto; the wire format is protobuf's: varint keys
 * (field << 3 | wire type), varints, and length-delimited bytes.
 *
 * Why not protobuf-c (protoc-c generating from profile.proto at build
 * time)?  Weighed in issue 15: what it would replace is the encoding below,
 * ~120 lines and 22 of field numbers; the interning of strings, functions
 * and locations, the merging of samples and the gzip stay either way.  In
 * exchange it brings a code generator to the build, profile.proto vendored
 * (Debian ships it only in golang-github-google-pprof-dev), 1,700 generated
 * lines, a runtime library, and filling one allocated struct per sample,
 * label, location and function before packing, which is as long as the
 * encoder.  Writing a flat message of varints needs no more; the Go runtime
 * writes its pprof profiles with a hand encoder of the same kind
 * (runtime/pprof/protobuf.go).  What guards this one: test_pprof decodes
 * what it writes, test_pprof_go has `go tool pprof` read the output.
 * docs/architecture.md keeps the same note.
 */
#include "format/pprof_writer.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util/u64map.h"

enum {
	WIRE_VARINT = 0,
	WIRE_LEN = 2,
};

/* profile.proto field numbers, by message. */
enum {
	PROFILE_SAMPLE_TYPE = 1,
	PROFILE_SAMPLE = 2,
	PROFILE_LOCATION = 4,
	PROFILE_FUNCTION = 5,
	PROFILE_STRING_TABLE = 6,
	PROFILE_TIME_NANOS = 9,
	PROFILE_DURATION_NANOS = 10,
	PROFILE_DEFAULT_SAMPLE_TYPE = 14,
};
enum { VALUE_TYPE_TYPE = 1, VALUE_TYPE_UNIT = 2 };
enum { SAMPLE_LOCATION_ID = 1, SAMPLE_VALUE = 2, SAMPLE_LABEL = 3 };
enum { LABEL_KEY = 1, LABEL_STR = 2, LABEL_NUM = 3, LABEL_NUM_UNIT = 4 };
enum { LOCATION_ID = 1, LOCATION_LINE = 4 };
enum { LINE_FUNCTION_ID = 1 };
enum { FUNCTION_ID = 1, FUNCTION_NAME = 2, FUNCTION_SYSTEM_NAME = 3 };

struct string_entry {
	char *text;
	size_t len;
	uint64_t next_same_hash; /* index + 1 in strings[], 0 ends the chain */
	uint64_t function_id;    /* of the function (and location) so named, 0 if none */
};

/* A label as string-table indices, so labels compare and hash as integers. */
struct interned_label {
	int64_t key;
	int64_t str;
	int64_t num;
	int64_t num_unit;
};

struct sample {
	size_t first_location; /* in locations[] */
	size_t n_locations;
	size_t first_label; /* in labels[] */
	size_t n_labels;
	uint64_t next_same_hash; /* index + 1 in samples[] */
};

struct pprof_builder {
	size_t n_types;
	int64_t *type_units; /* n_types (type, unit) string indices */

	struct string_entry *strings;
	size_t n_strings, strings_cap;
	struct u64map string_heads; /* hash -> index + 1 of its chain's first string */

	int64_t *function_names; /* function id - 1 -> its name's string index */
	size_t n_functions, functions_cap;

	struct sample *samples;
	size_t n_samples, samples_cap;
	struct u64map sample_heads;
	uint64_t *locations; /* every sample's location ids, leaf first */
	size_t n_locations, locations_cap;
	struct interned_label *labels;
	size_t n_labels, labels_cap;
	int64_t *values; /* n_types per sample */
	size_t values_cap;

	int64_t time_nanos;
	int64_t duration_nanos;
	int64_t default_type; /* string index of a type name; 0 (""): none */
};

/*
 * Makes room for need elements in arr, doubling; 0 or -ENOMEM.  arr is never
 * NULL after it, so that even an empty pool can be indexed and compared.
 */
#define GROW(arr, cap, need)                                                         \
	({                                                                           \
		int grow_err_ = 0;                                                   \
		if ((need) > (cap) || !(arr)) {                                      \
			size_t grow_cap_ = (cap) ? (cap) : 16;                        \
			void *grown_;                                                \
			while (grow_cap_ < (need))                                   \
				grow_cap_ *= 2;                                      \
			grown_ = reallocarray((arr), grow_cap_, sizeof(*(arr)));     \
			if (grown_) {                                                \
				(arr) = grown_;                                      \
				(cap) = grow_cap_;                                   \
			} else {                                                     \
				grow_err_ = -ENOMEM;                                 \
			}                                                            \
		}                                                                    \
		grow_err_;                                                           \
	})

static int intern(struct pprof_builder *b, const char *s, int64_t *index)
{
	size_t len = strlen(s);
	struct string_entry *e;
	uint64_t *head, i;
	bool inserted;

	head = u64map_upsert(&b->string_heads, hash_bytes(s, len, 0), &inserted);
	if (!head)
		return -ENOMEM;
	for (i = *head; i; i = b->strings[i - 1].next_same_hash) {
		if (b->strings[i - 1].len == len && !memcmp(b->strings[i - 1].text, s, len)) {
			*index = i - 1;
			return 0;
		}
	}
	if (GROW(b->strings, b->strings_cap, b->n_strings + 1))
		return -ENOMEM;
	e = &b->strings[b->n_strings];
	e->text = strdup(s);
	if (!e->text)
		return -ENOMEM;
	e->len = len;
	e->next_same_hash = *head;
	e->function_id = 0;
	*index = b->n_strings++;
	*head = b->n_strings;
	return 0;
}

static int intern_optional(struct pprof_builder *b, const char *s, int64_t *index)
{
	*index = 0; /* string_table[0] is "" */
	return s ? intern(b, s, index) : 0;
}

/* One function, and one location calling it, per distinct frame name. */
static int location_of(struct pprof_builder *b, const char *frame, uint64_t *id)
{
	struct string_entry *e;
	int64_t name;
	int err;

	err = intern(b, frame, &name);
	if (err)
		return err;
	e = &b->strings[name];
	if (!e->function_id) {
		if (GROW(b->function_names, b->functions_cap, b->n_functions + 1))
			return -ENOMEM;
		b->function_names[b->n_functions++] = name;
		e->function_id = b->n_functions;
	}
	*id = e->function_id;
	return 0;
}

static int intern_label(struct pprof_builder *b, const struct pprof_label *in,
			struct interned_label *out)
{
	int err;

	err = intern(b, in->key, &out->key);
	if (!err)
		err = intern_optional(b, in->str, &out->str);
	if (!err)
		err = intern_optional(b, in->num_unit, &out->num_unit);
	out->num = in->num;
	return err;
}

struct pprof_builder *pprof_new(const char *const *sample_types, size_t n_types)
{
	struct pprof_builder *b;
	int64_t empty;

	if (!n_types)
		return NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	u64map_init(&b->string_heads);
	u64map_init(&b->sample_heads);
	b->n_types = n_types;
	b->type_units = calloc(2 * n_types, sizeof(*b->type_units));
	if (!b->type_units || intern(b, "", &empty))
		goto fail;
	for (size_t i = 0; i < 2 * n_types; i++)
		if (intern_optional(b, sample_types[i], &b->type_units[i]))
			goto fail;
	return b;
fail:
	pprof_free(b);
	return NULL;
}

static bool same_sample(const struct pprof_builder *b, const struct sample *s,
			const uint64_t *locations, size_t n_locations,
			const struct interned_label *labels, size_t n_labels)
{
	return s->n_locations == n_locations && s->n_labels == n_labels &&
	       !memcmp(&b->locations[s->first_location], locations,
		       n_locations * sizeof(*locations)) &&
	       !memcmp(&b->labels[s->first_label], labels, n_labels * sizeof(*labels));
}

static void add_values(int64_t *sum, const int64_t *values, size_t n)
{
	/* Unsigned, so that an overflow wraps rather than being undefined. */
	for (size_t i = 0; i < n; i++)
		sum[i] = (int64_t)((uint64_t)sum[i] + (uint64_t)values[i]);
}

int pprof_add_labeled_sample(struct pprof_builder *b, const char *const *frames, size_t n_frames,
			     const int64_t *values, const struct pprof_label *labels,
			     size_t n_labels)
{
	uint64_t *locations, *head, hash, i;
	struct interned_label *interned;
	struct sample *s;
	bool inserted;
	int err;

	for (i = 0; i < n_frames; i++)
		if (!frames[i])
			return -EINVAL;
	for (i = 0; i < n_labels; i++)
		if (!labels[i].key)
			return -EINVAL;
	/*
	 * The candidate is built past the end of the pools and kept only if
	 * it is a new sample.
	 */
	if (GROW(b->locations, b->locations_cap, b->n_locations + n_frames) ||
	    GROW(b->labels, b->labels_cap, b->n_labels + n_labels))
		return -ENOMEM;
	locations = &b->locations[b->n_locations];
	interned = &b->labels[b->n_labels];
	for (i = 0; i < n_frames; i++) {
		err = location_of(b, frames[i], &locations[i]);
		if (err)
			return err;
	}
	for (i = 0; i < n_labels; i++) {
		err = intern_label(b, &labels[i], &interned[i]);
		if (err)
			return err;
	}

	hash = hash_bytes(locations, n_frames * sizeof(*locations), n_labels);
	hash = hash_bytes(interned, n_labels * sizeof(*interned), hash);
	head = u64map_upsert(&b->sample_heads, hash, &inserted);
	if (!head)
		return -ENOMEM;
	for (i = *head; i; i = b->samples[i - 1].next_same_hash) {
		if (same_sample(b, &b->samples[i - 1], locations, n_frames, interned, n_labels)) {
			add_values(&b->values[(i - 1) * b->n_types], values, b->n_types);
			return 0;
		}
	}

	if (GROW(b->samples, b->samples_cap, b->n_samples + 1) ||
	    GROW(b->values, b->values_cap, (b->n_samples + 1) * b->n_types))
		return -ENOMEM;
	s = &b->samples[b->n_samples];
	s->first_location = b->n_locations;
	s->n_locations = n_frames;
	s->first_label = b->n_labels;
	s->n_labels = n_labels;
	s->next_same_hash = *head;
	memcpy(&b->values[b->n_samples * b->n_types], values, b->n_types * sizeof(*values));
	b->n_locations += n_frames;
	b->n_labels += n_labels;
	*head = ++b->n_samples;
	return 0;
}

int pprof_add_sample(struct pprof_builder *b, const char *const *frames, size_t n_frames,
		     const int64_t *values)
{
	return pprof_add_labeled_sample(b, frames, n_frames, values, NULL, 0);
}

int pprof_set_default_type(struct pprof_builder *b, const char *type)
{
	return intern_optional(b, type, &b->default_type);
}

void pprof_set_time(struct pprof_builder *b, int64_t time_nanos, int64_t duration_nanos)
{
	b->time_nanos = time_nanos;
	b->duration_nanos = duration_nanos;
}

/* --- protobuf encoding --- */

struct pb {
	unsigned char *buf;
	size_t len, cap;
	int err; /* the first allocation failure: later writes are dropped */
};

static void pb_put(struct pb *pb, const void *p, size_t n)
{
	if (pb->err || !n)
		return;
	pb->err = GROW(pb->buf, pb->cap, pb->len + n);
	if (pb->err)
		return;
	memcpy(pb->buf + pb->len, p, n);
	pb->len += n;
}

static void pb_varint(struct pb *pb, uint64_t v)
{
	unsigned char bytes[10];
	size_t n = 0;

	do {
		bytes[n++] = (v & 0x7f) | (v > 0x7f ? 0x80 : 0);
		v >>= 7;
	} while (v);
	pb_put(pb, bytes, n);
}

static void pb_key(struct pb *pb, unsigned int field, unsigned int wire_type)
{
	pb_varint(pb, (uint64_t)field << 3 | wire_type);
}

/* An int64/uint64 field: negative numbers take ten bytes, as protobuf says. */
static void pb_int(struct pb *pb, unsigned int field, int64_t v)
{
	/* proto3 leaves fields at their default, 0, unwritten. */
	if (!v)
		return;
	pb_key(pb, field, WIRE_VARINT);
	pb_varint(pb, (uint64_t)v);
}

static void pb_bytes(struct pb *pb, unsigned int field, const void *p, size_t n)
{
	pb_key(pb, field, WIRE_LEN);
	pb_varint(pb, n);
	pb_put(pb, p, n);
}

/* Writes sub as field of pb, and empties sub for the next message. */
static void pb_message(struct pb *pb, unsigned int field, struct pb *sub)
{
	if (sub->err)
		pb->err = sub->err;
	pb_bytes(pb, field, sub->buf, sub->len);
	sub->len = 0;
}

static void pb_free(struct pb *pb)
{
	free(pb->buf);
}

/* out: the Profile; msg: the message being built; sub: a field inside msg. */
struct encoder {
	struct pb out, msg, sub;
};

static void encode_sample(struct encoder *e, const struct pprof_builder *b, size_t index)
{
	const struct sample *s = &b->samples[index];
	const int64_t *values = &b->values[index * b->n_types];

	for (size_t i = 0; i < s->n_locations; i++)
		pb_varint(&e->sub, b->locations[s->first_location + i]);
	pb_message(&e->msg, SAMPLE_LOCATION_ID, &e->sub);
	for (size_t i = 0; i < b->n_types; i++)
		pb_varint(&e->sub, (uint64_t)values[i]);
	pb_message(&e->msg, SAMPLE_VALUE, &e->sub);
	for (size_t i = 0; i < s->n_labels; i++) {
		const struct interned_label *l = &b->labels[s->first_label + i];

		pb_int(&e->sub, LABEL_KEY, l->key);
		pb_int(&e->sub, LABEL_STR, l->str);
		pb_int(&e->sub, LABEL_NUM, l->num);
		pb_int(&e->sub, LABEL_NUM_UNIT, l->num_unit);
		pb_message(&e->msg, SAMPLE_LABEL, &e->sub);
	}
	pb_message(&e->out, PROFILE_SAMPLE, &e->msg);
}

static void encode_profile(struct encoder *e, const struct pprof_builder *b)
{
	for (size_t i = 0; i < b->n_types; i++) {
		pb_int(&e->msg, VALUE_TYPE_TYPE, b->type_units[2 * i]);
		pb_int(&e->msg, VALUE_TYPE_UNIT, b->type_units[2 * i + 1]);
		pb_message(&e->out, PROFILE_SAMPLE_TYPE, &e->msg);
	}
	for (size_t i = 0; i < b->n_samples; i++)
		encode_sample(e, b, i);
	/* Location i + 1 is the only caller of function i + 1. */
	for (size_t i = 0; i < b->n_functions; i++) {
		pb_int(&e->msg, LOCATION_ID, i + 1);
		pb_int(&e->sub, LINE_FUNCTION_ID, i + 1);
		pb_message(&e->msg, LOCATION_LINE, &e->sub);
		pb_message(&e->out, PROFILE_LOCATION, &e->msg);
	}
	for (size_t i = 0; i < b->n_functions; i++) {
		pb_int(&e->msg, FUNCTION_ID, i + 1);
		pb_int(&e->msg, FUNCTION_NAME, b->function_names[i]);
		pb_int(&e->msg, FUNCTION_SYSTEM_NAME, b->function_names[i]);
		pb_message(&e->out, PROFILE_FUNCTION, &e->msg);
	}
	for (size_t i = 0; i < b->n_strings; i++)
		pb_bytes(&e->out, PROFILE_STRING_TABLE, b->strings[i].text, b->strings[i].len);
	pb_int(&e->out, PROFILE_TIME_NANOS, b->time_nanos);
	pb_int(&e->out, PROFILE_DURATION_NANOS, b->duration_nanos);
	pb_int(&e->out, PROFILE_DEFAULT_SAMPLE_TYPE, b->default_type);
}

static int write_chunk(FILE *out, const unsigned char *p, size_t n)
{
	errno = 0;
	if (fwrite(p, 1, n, out) == n)
		return 0;
	return errno ? -errno : -EIO;
}

/* pprof files are gzip streams, hence windowBits 15 + 16: gzip's wrapper. */
static int gzip_to(FILE *out, const unsigned char *data, size_t len)
{
	unsigned char chunk[16384];
	z_stream zs;
	int rc, err = 0;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return -ENOMEM;
	zs.next_in = (unsigned char *)data;
	do {
		/* avail_in is 32 bits: feed larger profiles in pieces. */
		if (!zs.avail_in) {
			zs.avail_in = len > UINT32_MAX ? UINT32_MAX : len;
			len -= zs.avail_in;
		}
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		rc = deflate(&zs, len ? Z_NO_FLUSH : Z_FINISH);
		if (rc == Z_STREAM_ERROR)
			err = -EINVAL;
		else
			err = write_chunk(out, chunk, sizeof(chunk) - zs.avail_out);
	} while (!err && rc != Z_STREAM_END);
	deflateEnd(&zs);
	if (!err && fflush(out))
		err = errno ? -errno : -EIO;
	return err;
}

int pprof_write_gzip(struct pprof_builder *b, FILE *out)
{
	struct encoder e;
	int err;

	memset(&e, 0, sizeof(e));
	encode_profile(&e, b);
	err = e.out.err ? e.out.err : e.msg.err ? e.msg.err : e.sub.err;
	if (!err)
		err = gzip_to(out, e.out.buf, e.out.len);
	pb_free(&e.out);
	pb_free(&e.msg);
	pb_free(&e.sub);
	return err;
}

void pprof_free(struct pprof_builder *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n_strings; i++)
		free(b->strings[i].text);
	free(b->strings);
	u64map_free(&b->string_heads);
	u64map_free(&b->sample_heads);
	free(b->type_units);
	free(b->function_names);
	free(b->samples);
	free(b->locations);
	free(b->labels);
	free(b->values);
	free(b);
}
