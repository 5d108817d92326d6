// SPDX-License-Identifier: GPL-2.0
/*
 * The pprof writer, checked by decoding what it writes: gunzip, then a
 * minimal protobuf decoder for the profile.proto fields the writer uses.
 * Then the pprof format on a hand-built model: its sample types, counts
 * and bytes, decoded the same way.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <cmocka.h>

#include "format/format.h"
#include "format/pprof_writer.h"
#include "kernel/kernel_info.h"
#include "kernel/ksyms.h"
#include "model/model.h"
#include "model/snapshot.h"

#define MAX_ITEMS 4096
#define MAX_DEPTH 16

struct decoded_sample {
	uint64_t location_ids[MAX_DEPTH];
	size_t n_locations;
	int64_t values[4];
	size_t n_values;
	int64_t label_key, label_str, label_num, label_num_unit;
	size_t n_labels;
};

struct decoded {
	char *strings[MAX_ITEMS];
	size_t n_strings;
	int64_t types[4][2];
	size_t n_types;
	struct decoded_sample samples[MAX_ITEMS];
	size_t n_samples;
	uint64_t location_function[MAX_ITEMS]; /* by location id */
	size_t n_locations;
	int64_t function_name[MAX_ITEMS]; /* by function id */
	int64_t function_system_name[MAX_ITEMS];
	size_t n_functions;
	int64_t time_nanos, duration_nanos;
	int64_t default_sample_type;
};

/* A protobuf message being read: a field at a time. */
struct field_reader {
	const unsigned char *p, *end;
	unsigned int field, wire_type;
	uint64_t varint;                 /* for WIRE_VARINT */
	const unsigned char *bytes;      /* for WIRE_LEN */
	size_t len;
};

static uint64_t read_varint(const unsigned char **p, const unsigned char *end)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		assert_true(*p < end);
		v |= (uint64_t)(**p & 0x7f) << shift;
		if (!(*(*p)++ & 0x80))
			return v;
	}
	fail_msg("varint longer than ten bytes");
	return 0;
}

static int next_field(struct field_reader *r)
{
	uint64_t key;

	if (r->p == r->end)
		return 0;
	key = read_varint(&r->p, r->end);
	r->field = key >> 3;
	r->wire_type = key & 7;
	if (r->wire_type == 0) {
		r->varint = read_varint(&r->p, r->end);
	} else {
		assert_int_equal(r->wire_type, 2);
		r->len = read_varint(&r->p, r->end);
		assert_true(r->len <= (size_t)(r->end - r->p));
		r->bytes = r->p;
		r->p += r->len;
	}
	return 1;
}

static struct field_reader sub_reader(const struct field_reader *r)
{
	assert_int_equal(r->wire_type, 2);
	return (struct field_reader){ .p = r->bytes, .end = r->bytes + r->len };
}

/* A packed (or single) repeated varint field; returns the count. */
static size_t read_repeated(const struct field_reader *r, uint64_t *out, size_t max)
{
	struct field_reader packed = sub_reader(r);
	size_t n = 0;

	while (packed.p < packed.end) {
		assert_true(n < max);
		out[n++] = read_varint(&packed.p, packed.end);
	}
	return n;
}

static void decode_sample(struct decoded_sample *s, struct field_reader m)
{
	uint64_t values[4];

	memset(s, 0, sizeof(*s));
	while (next_field(&m)) {
		if (m.field == 1) {
			s->n_locations = read_repeated(&m, s->location_ids, MAX_DEPTH);
		} else if (m.field == 2) {
			s->n_values = read_repeated(&m, values, 4);
			for (size_t i = 0; i < s->n_values; i++)
				s->values[i] = (int64_t)values[i];
		} else if (m.field == 3) {
			struct field_reader l = sub_reader(&m);

			s->n_labels++;
			while (next_field(&l)) {
				int64_t *dst[] = { NULL, &s->label_key, &s->label_str, &s->label_num,
						   &s->label_num_unit };

				assert_true(l.field >= 1 && l.field <= 4);
				*dst[l.field] = l.varint;
			}
		}
	}
}

static void decode_profile(struct decoded *d, const unsigned char *buf, size_t len)
{
	struct field_reader m = { .p = buf, .end = buf + len };

	memset(d, 0, sizeof(*d));
	while (next_field(&m)) {
		struct field_reader sub;
		uint64_t id = 0, a = 0, b = 0;

		switch (m.field) {
		case 1: /* sample_type */
			sub = sub_reader(&m);
			while (next_field(&sub))
				d->types[d->n_types][sub.field - 1] = sub.varint;
			d->n_types++;
			break;
		case 2:
			assert_true(d->n_samples < MAX_ITEMS);
			decode_sample(&d->samples[d->n_samples++], sub_reader(&m));
			break;
		case 4: /* location: id, line { function_id } */
			sub = sub_reader(&m);
			while (next_field(&sub)) {
				if (sub.field == 1) {
					id = sub.varint;
				} else if (sub.field == 4) {
					struct field_reader line = sub_reader(&sub);

					while (next_field(&line))
						if (line.field == 1)
							a = line.varint;
				}
			}
			assert_true(id > 0 && id < MAX_ITEMS && a > 0);
			d->location_function[id] = a;
			d->n_locations++;
			break;
		case 5: /* function: id, name, system_name */
			sub = sub_reader(&m);
			while (next_field(&sub)) {
				if (sub.field == 1)
					id = sub.varint;
				else if (sub.field == 2)
					a = sub.varint;
				else if (sub.field == 3)
					b = sub.varint;
			}
			assert_true(id > 0 && id < MAX_ITEMS);
			d->function_name[id] = a;
			d->function_system_name[id] = b;
			d->n_functions++;
			break;
		case 6:
			assert_true(d->n_strings < MAX_ITEMS);
			d->strings[d->n_strings++] = strndup((const char *)m.bytes, m.len);
			break;
		case 9:
			d->time_nanos = m.varint;
			break;
		case 10:
			d->duration_nanos = m.varint;
			break;
		case 14:
			d->default_sample_type = m.varint;
			break;
		default:
			fail_msg("unexpected Profile field %u", m.field);
		}
	}
}

static void decoded_free(struct decoded *d)
{
	for (size_t i = 0; i < d->n_strings; i++)
		free(d->strings[i]);
}

static const char *string_at(const struct decoded *d, int64_t index)
{
	assert_true(index >= 0 && (size_t)index < d->n_strings);
	return d->strings[index];
}

/* "leaf;caller;..." for a sample, by way of its locations and functions. */
static const char *stack_of(const struct decoded *d, const struct decoded_sample *s)
{
	static char buf[4096];
	size_t len = 0;

	buf[0] = 0;
	for (size_t i = 0; i < s->n_locations; i++) {
		uint64_t function = d->location_function[s->location_ids[i]];

		assert_true(function > 0);
		len += snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? ";" : "",
				string_at(d, d->function_name[function]));
	}
	return buf;
}

static const struct decoded_sample *find_sample(const struct decoded *d, const char *stack,
						const char *label_str)
{
	const struct decoded_sample *found = NULL;

	for (size_t i = 0; i < d->n_samples; i++) {
		const struct decoded_sample *s = &d->samples[i];

		if (strcmp(stack_of(d, s), stack))
			continue;
		if (label_str ? !s->n_labels || strcmp(string_at(d, s->label_str), label_str)
			      : s->n_labels != 0)
			continue;
		assert_null(found); /* identical stacks are one sample */
		found = s;
	}
	assert_non_null(found);
	return found;
}

/* Gunzips a profile and decodes it. */
static void gunzip_and_decode(const char *gz, size_t gz_len, struct decoded *d)
{
	static unsigned char raw[1 << 22];
	uLongf raw_len = sizeof(raw);
	z_stream zs = { 0 };

	/* A gzip stream: its magic, then what windowBits 15 + 16 inflates. */
	assert_true(gz_len > 18 && (unsigned char)gz[0] == 0x1f && (unsigned char)gz[1] == 0x8b);
	assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
	zs.next_in = (unsigned char *)gz;
	zs.avail_in = gz_len;
	zs.next_out = raw;
	zs.avail_out = raw_len;
	assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
	raw_len = zs.total_out;
	inflateEnd(&zs);
	decode_profile(d, raw, raw_len);
}

/* Writes the profile, gunzips it and decodes it. */
static void write_and_decode(struct pprof_builder *b, struct decoded *d)
{
	char *gz;
	size_t gz_len;
	FILE *f = open_memstream(&gz, &gz_len);

	assert_non_null(f);
	assert_int_equal(pprof_write_gzip(b, f), 0);
	assert_int_equal(fclose(f), 0);
	gunzip_and_decode(gz, gz_len, d);
	free(gz);
}

static const char *const failure_types[] = { "failures", "count", "bytes", "bytes" };

static void test_encoding(void **state)
{
	static const char *const open_path[] = { "__kmalloc", "do_sys_openat2", "__x64_sys_openat" };
	static const char *const fault_path[] = { "__alloc_pages", "do_anonymous_page",
						  "__kmalloc" };
	static const int64_t one[] = { 1, 100 }, two[] = { 2, 50 }, negative[] = { -5, 1LL << 40 };
	static const struct pprof_label comm = { .key = "comm", .str = "stress-ng" };
	static const struct pprof_label order = { .key = "order", .num = 3, .num_unit = "pages" };
	struct pprof_builder *b = pprof_new(failure_types, 2);
	static struct decoded d;
	const struct decoded_sample *s;

	(void)state;
	assert_non_null(b);
	assert_int_equal(pprof_add_sample(b, open_path, 3, one), 0);
	assert_int_equal(pprof_add_sample(b, fault_path, 3, negative), 0);
	assert_int_equal(pprof_add_sample(b, open_path, 3, two), 0);
	assert_int_equal(pprof_add_labeled_sample(b, open_path, 3, one, &comm, 1), 0);
	assert_int_equal(pprof_add_labeled_sample(b, open_path, 2, one, &order, 1), 0);
	assert_int_equal(pprof_add_sample(b, NULL, 0, one), 0);
	pprof_set_time(b, 1700000000123456789LL, 5000000000LL);
	write_and_decode(b, &d);
	pprof_free(b);

	assert_string_equal(d.strings[0], "");
	assert_int_equal(d.n_types, 2);
	assert_string_equal(string_at(&d, d.types[0][0]), "failures");
	assert_string_equal(string_at(&d, d.types[0][1]), "count");
	assert_string_equal(string_at(&d, d.types[1][0]), "bytes");
	assert_string_equal(string_at(&d, d.types[1][1]), "bytes");
	/* Five names, one function and location each, whatever stacks they are in. */
	assert_int_equal(d.n_functions, 5);
	assert_int_equal(d.n_locations, 5);
	for (size_t id = 1; id <= d.n_functions; id++)
		assert_int_equal(d.function_system_name[id], d.function_name[id]);
	for (size_t i = 0; i < d.n_strings; i++)
		for (size_t j = i + 1; j < d.n_strings; j++)
			assert_string_not_equal(d.strings[i], d.strings[j]);

	assert_int_equal(d.n_samples, 5);
	s = find_sample(&d, "__kmalloc;do_sys_openat2;__x64_sys_openat", NULL);
	assert_int_equal(s->n_values, 2);
	assert_int_equal(s->values[0], 3);
	assert_int_equal(s->values[1], 150);
	s = find_sample(&d, "__alloc_pages;do_anonymous_page;__kmalloc", NULL);
	assert_int_equal(s->values[0], -5);
	assert_int_equal(s->values[1], 1LL << 40);
	s = find_sample(&d, "__kmalloc;do_sys_openat2;__x64_sys_openat", "stress-ng");
	assert_string_equal(string_at(&d, s->label_key), "comm");
	assert_int_equal(s->values[0], 1);
	s = find_sample(&d, "", NULL);
	assert_int_equal(s->values[1], 100);
	for (size_t i = 0; i < d.n_samples; i++) {
		if (strcmp(stack_of(&d, &d.samples[i]), "__kmalloc;do_sys_openat2") == 0) {
			assert_string_equal(string_at(&d, d.samples[i].label_key), "order");
			assert_int_equal(d.samples[i].label_num, 3);
			assert_string_equal(string_at(&d, d.samples[i].label_num_unit), "pages");
		}
	}
	assert_int_equal(d.time_nanos, 1700000000123456789LL);
	assert_int_equal(d.duration_nanos, 5000000000LL);
	assert_int_equal(d.default_sample_type, 0); /* none set: pprof shows the last type */
	decoded_free(&d);
}

/* The default sample type is written as its name's string index. */
static void test_default_type(void **state)
{
	static const char *const leaf[] = { "leaf" };
	static const int64_t values[] = { 1, 4096 };
	struct pprof_builder *b = pprof_new(failure_types, 2);
	static struct decoded d;

	(void)state;
	assert_non_null(b);
	assert_int_equal(pprof_set_default_type(b, "failures"), 0);
	assert_int_equal(pprof_add_sample(b, leaf, 1, values), 0);
	write_and_decode(b, &d);
	pprof_free(b);
	assert_string_equal(string_at(&d, d.default_sample_type), "failures");
	assert_int_equal(d.n_samples, 1);
	decoded_free(&d);
}

/* Many samples over few distinct stacks: each stack's values are the sum. */
static void test_aggregation(void **state)
{
	enum { STACKS = 300, NAMES = 40, DEPTH = 8 };
	static struct decoded d;
	static char names[NAMES][32];
	static int64_t want[STACKS][3];
	static const char *const types[] = { "allocations", "count", "failures", "count",
					     "bytes", "bytes" };
	const char *frames[STACKS][DEPTH];
	struct pprof_builder *b = pprof_new(types, 3);
	uint64_t rng = 12345;
	char stack[4096];

	(void)state;
	assert_non_null(b);
	for (int i = 0; i < NAMES; i++)
		snprintf(names[i], sizeof(names[i]), "function_%d", i);
	/* Stack s is unique by its first frames: s % NAMES then s / NAMES. */
	for (int s = 0; s < STACKS; s++)
		for (int k = 0; k < DEPTH; k++)
			frames[s][k] = names[k == 0 ? s % NAMES : k == 1 ? s / NAMES : (s * k) % NAMES];
	for (int n = 0; n < 20000; n++) {
		int64_t values[3];
		int s;

		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		s = (rng >> 33) % STACKS;
		values[0] = 1;
		values[1] = (rng >> 20) & 1;
		values[2] = (rng >> 40) % 65536;
		for (int k = 0; k < 3; k++)
			want[s][k] += values[k];
		assert_int_equal(pprof_add_sample(b, frames[s], DEPTH, values), 0);
	}
	write_and_decode(b, &d);
	pprof_free(b);

	assert_int_equal(d.n_functions, NAMES);
	assert_int_equal(d.n_samples, STACKS);
	for (int s = 0; s < STACKS; s++) {
		const struct decoded_sample *found;
		size_t len = 0;

		for (int k = 0; k < DEPTH; k++)
			len += snprintf(stack + len, sizeof(stack) - len, "%s%s", k ? ";" : "",
					frames[s][k]);
		found = find_sample(&d, stack, NULL);
		assert_int_equal(found->n_values, 3);
		for (int k = 0; k < 3; k++)
			assert_int_equal(found->values[k], want[s][k]);
	}
	decoded_free(&d);
}

static void test_errors(void **state)
{
	static const char *const bad[] = { "ok", NULL };
	static const int64_t values[] = { 1, 1 };
	struct pprof_builder *b;
	FILE *full;

	(void)state;
	assert_null(pprof_new(failure_types, 0));
	b = pprof_new(failure_types, 2);
	assert_non_null(b);
	assert_int_equal(pprof_add_sample(b, bad, 2, values), -EINVAL);
	assert_int_equal(pprof_add_labeled_sample(b, bad, 1, values,
						  &(struct pprof_label){ .str = "x" }, 1),
			 -EINVAL);
	full = fopen("/dev/full", "w");
	if (full) {
		assert_int_equal(pprof_write_gzip(b, full), -ENOSPC);
		fclose(full);
	}
	pprof_free(b);
	pprof_free(NULL);
}

/* --- the pprof format on a model --- */

#define T0 1000000000ULL /* the trace start, in ns */
enum { A_ALLOC_PAGES = 0x1000, A_KMALLOC = 0x2000, A_CALLER = 0x3000, A_END = 0x4000 };

struct model_fixture {
	struct kernel_info kinfo;
	struct ksyms *ksyms;
	struct model model;
	struct report report;
	struct decoded d;
};

static struct fs_event failure_event(uint32_t type, uint64_t ts, uint64_t leaf)
{
	struct fs_event e;

	memset(&e, 0, sizeof(e));
	e.hdr.type = type;
	e.hdr.pid = e.hdr.tid = 10;
	e.hdr.ts_ns = ts;
	snprintf(e.hdr.comm, sizeof(e.hdr.comm), "provoke");
	e.hdr.nr_frames = 2;
	e.frames[0] = leaf;
	e.frames[1] = A_CALLER + 4;
	return e;
}

/*
 * Two order-3 page failures (2 x 32 KiB), a 100-byte and a 3000-byte
 * kmalloc failure on one stack, and five order-4 allocations with a stack
 * in the in-kernel aggregates (5 x 64 KiB).
 */
static void model_fixture_init(struct model_fixture *f, const struct model_filter *filter)
{
	static const uint64_t kmalloc_sizes[][2] = { { 100, 128 }, { 3000, 4096 } };
	struct snap_stack st = { .key = { .stack_id = 1, .kind = FS_STACK_HIGH_ORDER, .order = 4 }, .count = 5,
				 .nr_frames = 2, .frames = { A_ALLOC_PAGES + 8, A_CALLER + 4 } };
	struct snapshot snap;
	struct fs_event e;

	memset(f, 0, sizeof(*f));
	f->kinfo.page_size = 4096;
	f->ksyms = ksyms_new();
	ksyms_add(f->ksyms, A_ALLOC_PAGES, "__alloc_frozen_pages_noprof", NULL);
	ksyms_add(f->ksyms, A_KMALLOC, "__kmalloc_noprof", NULL);
	ksyms_add(f->ksyms, A_CALLER, "provoke_caller", "provoke_mod");
	ksyms_add(f->ksyms, A_END, NULL, NULL);
	ksyms_sort(f->ksyms);
	model_init(&f->model, &f->kinfo, f->ksyms, filter, T0);
	for (int i = 0; i < 2; i++) {
		e = failure_event(FS_EV_PAGE_FAIL, T0 + 1000 + i, A_ALLOC_PAGES + 4);
		e.page.order = 3;
		assert_int_equal(model_add_event(&f->model, &e), 0);
	}
	for (int i = 0; i < 2; i++) {
		e = failure_event(FS_EV_KMALLOC_FAIL, T0 + 2000 + i, A_KMALLOC + 4);
		e.kmalloc.bytes_req = kmalloc_sizes[i][0];
		e.kmalloc.bytes_alloc = kmalloc_sizes[i][1];
		assert_int_equal(model_add_event(&f->model, &e), 0);
	}
	snapshot_init(&snap);
	snap.ts_ns = T0 + 1000000000ULL;
	assert_int_equal(snapshot_add_stack(&snap, &st), 0);
	assert_int_equal(model_set_snapshot(&f->model, &snap), 0);
	snapshot_free(&snap);
	model_finish(&f->model);
	f->report = (struct report){ .model = &f->model, .kinfo = &f->kinfo, .ksyms = f->ksyms,
				     .opts = { .sort = "count", .top = 10 } };
}

static void model_fixture_pprof(struct model_fixture *f, enum stack_selection stacks)
{
	char *gz;
	size_t gz_len;
	FILE *out = open_memstream(&gz, &gz_len);

	assert_non_null(out);
	f->report.opts.stacks = stacks;
	assert_int_equal(format_pprof.write(&f->report, out), 0);
	assert_int_equal(fclose(out), 0);
	gunzip_and_decode(gz, gz_len, &f->d);
	free(gz);
}

static void model_fixture_free(struct model_fixture *f)
{
	decoded_free(&f->d);
	model_free(&f->model);
	ksyms_free(f->ksyms);
}

static void assert_types(const struct decoded *d, const char *count, const char *count_unit, const char *bytes)
{
	assert_string_equal(string_at(d, d->types[0][0]), count);
	assert_string_equal(string_at(d, d->types[0][1]), count_unit);
	/* pprof shows the count unless given -sample_index. */
	assert_string_equal(string_at(d, d->default_sample_type), count);
	if (!bytes) {
		assert_int_equal(d->n_types, 1);
		return;
	}
	assert_int_equal(d->n_types, 2);
	assert_string_equal(string_at(d, d->types[1][0]), bytes);
	assert_string_equal(string_at(d, d->types[1][1]), "bytes");
}

static void test_format_failure_bytes(void **state)
{
	static struct model_fixture f;
	const struct decoded_sample *s;

	(void)state;
	model_fixture_init(&f, NULL);
	model_fixture_pprof(&f, STACKS_FAILURES);
	assert_types(&f.d, "failures", "count", "failed_space");
	assert_int_equal(f.d.n_samples, 2);
	s = find_sample(&f.d, "__alloc_frozen_pages_noprof;provoke_caller [provoke_mod]", "page");
	assert_int_equal(s->n_values, 2);
	assert_int_equal(s->values[0], 2);
	assert_int_equal(s->values[1], 2 * (4096 << 3));
	/* Each failure's requested bytes, not the first one's times the count. */
	s = find_sample(&f.d, "__kmalloc_noprof;provoke_caller [provoke_mod]", "kmalloc");
	assert_int_equal(s->values[0], 2);
	assert_int_equal(s->values[1], 3100);
	model_fixture_free(&f);
}

static void test_format_allocation_bytes(void **state)
{
	static struct model_fixture f;
	const struct decoded_sample *s;

	(void)state;
	model_fixture_init(&f, NULL);
	model_fixture_pprof(&f, STACKS_HIGH_ORDER);
	assert_types(&f.d, "allocations", "count", "alloc_space");
	assert_int_equal(f.d.n_samples, 1);
	s = find_sample(&f.d, "__alloc_frozen_pages_noprof;provoke_caller [provoke_mod]", "alloc_order_4");
	assert_int_equal(s->values[0], 5);
	assert_int_equal(s->values[1], 5 * (4096 << 4));
	model_fixture_free(&f);

	model_fixture_init(&f, NULL);
	model_fixture_pprof(&f, STACKS_RECLAIM);
	assert_types(&f.d, "stall", "microseconds", NULL);
	assert_int_equal(f.d.n_samples, 0);
	model_fixture_free(&f);
}

/* pprof sees only what the report filter keeps: --min-order 3 drops the kmalloc failures (order 0). */
static void test_format_follows_the_filter(void **state)
{
	static struct model_fixture f;
	const struct model_filter min_order_3 = { .min_order = 3 }, min_order_5 = { .min_order = 5 };

	(void)state;
	model_fixture_init(&f, &min_order_3);
	model_fixture_pprof(&f, STACKS_FAILURES);
	assert_int_equal(f.d.n_samples, 1);
	assert_int_equal(find_sample(&f.d, "__alloc_frozen_pages_noprof;provoke_caller [provoke_mod]", "page")->values[1],
			 2 * (4096 << 3));
	model_fixture_free(&f);

	model_fixture_init(&f, &min_order_5);
	model_fixture_pprof(&f, STACKS_HIGH_ORDER);
	assert_int_equal(f.d.n_samples, 0);
	model_fixture_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoding),
		cmocka_unit_test(test_default_type),
		cmocka_unit_test(test_aggregation),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_format_failure_bytes),
		cmocka_unit_test(test_format_allocation_bytes),
		cmocka_unit_test(test_format_follows_the_filter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
