// SPDX-License-Identifier: GPL-2.0
/*
 * The record file container: round trips, and every way a file can be cut
 * short, damaged, foreign or newer, checked against what recfile.h promises.
 * The byte offsets patched here are those of docs/file-format.md.
 */
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "record/recfile.h"

#define FILE_HDR_SIZE 28
#define BLOCK_HDR_SIZE 32
#define TEST_HEADER "fragscope test header: kernel 6.1, page size 4096"

static char tmpdir[] = "/tmp/test_recfile.XXXXXX";

static char *tmp_path(const char *name)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

/* Where the writer of tmp_path(name) writes until it closes. */
static char *tmp_partial_path(const char *name)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s%s", tmpdir, name, RECFILE_PARTIAL_SUFFIX);
	return path;
}

static uint64_t rng_state;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state >> 11;
}

/* Record i's type, length and bytes, regenerated to check what was read. */
static uint32_t record_type(uint64_t i)
{
	return 1 + i % 7;
}

static uint32_t record_len(uint64_t i)
{
	if (i % 997 == 996)
		return 300 << 10; /* larger than a block's target on its own */
	if (i % 13 == 0)
		return 0;
	return (i * 2654435761u) % 2000;
}

static void fill_record(uint64_t i, unsigned char *buf, uint32_t len)
{
	/* Half repetitive, half noise, so blocks compress like real events. */
	rng_state = i * 0x9e3779b97f4a7c15ull + 1;
	for (uint32_t j = 0; j < len; j++)
		buf[j] = j < len / 2 ? (unsigned char)(i + j / 8) : (unsigned char)rng();
}

static void append_record(struct recfile_writer *w, uint64_t i)
{
	static unsigned char buf[300 << 10];
	uint32_t len = record_len(i);

	fill_record(i, buf, len);
	assert_int_equal(recfile_append(w, record_type(i), buf, len), 0);
}

static void check_record(uint64_t i, uint32_t type, const void *payload, uint32_t len)
{
	static unsigned char want[300 << 10];

	assert_int_equal(type, record_type(i));
	assert_int_equal(len, record_len(i));
	assert_int_equal((uintptr_t)payload % 8, 0);
	fill_record(i, want, len);
	if (len)
		assert_memory_equal(payload, want, len);
}

/* Reads every record, checks each, and returns the count; *result is the final status. */
static uint64_t read_all(struct recfile_reader *r, int *result)
{
	const void *payload;
	uint32_t type, len;
	uint64_t n = 0;
	int rc;

	while ((rc = recfile_next(r, &type, &payload, &len)) == 1)
		check_record(n++, type, payload, len);
	*result = rc;
	/* The outcome is final: asking again repeats it. */
	assert_int_equal(recfile_next(r, &type, &payload, &len), rc);
	return n;
}

static void read_file(const char *path, uint64_t want_records, int want_result)
{
	struct recfile_reader *r;
	int err, result;

	r = recfile_open(path, &err);
	assert_non_null(r);
	assert_int_equal(read_all(r, &result), want_records);
	assert_int_equal(result, want_result);
	recfile_close_reader(r);
}

static void *read_whole(const char *path, size_t *len)
{
	struct stat st;
	void *buf;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc(st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, st.st_size), st.st_size);
	close(fd);
	*len = st.st_size;
	return buf;
}

/* A reader over bytes in memory, as a file cut or damaged at will. */
static struct recfile_reader *open_bytes(const void *buf, size_t len, int *err)
{
	int fd = memfd_create("recfile", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return recfile_open_fd(fd, err);
}

static void put_le32(unsigned char *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

static void put_le64(unsigned char *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

/* A block laid out by hand, to write what the writer never would. */
static size_t put_block(unsigned char *out, uint32_t flags, uint64_t seq, const void *raw,
			uint32_t raw_len)
{
	uLongf packed_len = compressBound(raw_len);

	assert_int_equal(compress2(out + BLOCK_HDR_SIZE, &packed_len, raw, raw_len, 6), Z_OK);
	memcpy(out, "FSBK", 4);
	put_le32(out + 4, flags);
	put_le64(out + 8, seq);
	put_le32(out + 16, raw_len);
	put_le32(out + 20, packed_len);
	put_le32(out + 24, crc32(0, out + BLOCK_HDR_SIZE, packed_len));
	put_le32(out + 28, crc32(0, out, 28));
	return BLOCK_HDR_SIZE + packed_len;
}

static void test_round_trip(void **state)
{
	const uint64_t n = 20000;
	struct recfile_writer *w;
	struct recfile_reader *r;
	struct recfile_stats written, read;
	const void *header;
	size_t header_len;
	int err, result;

	(void)state;
	w = recfile_create(tmp_path("round.rec"), TEST_HEADER, sizeof(TEST_HEADER), &err);
	assert_non_null(w);
	for (uint64_t i = 0; i < n; i++)
		append_record(w, i);
	assert_int_equal(recfile_close(w, &written), 0);
	assert_int_equal(written.records, n);
	assert_true(written.blocks > 20);

	r = recfile_open(tmp_path("round.rec"), &err);
	assert_non_null(r);
	header = recfile_header(r, &header_len);
	assert_int_equal(header_len, sizeof(TEST_HEADER));
	assert_memory_equal(header, TEST_HEADER, sizeof(TEST_HEADER));
	assert_int_equal(read_all(r, &result), n);
	assert_int_equal(result, 0);
	recfile_reader_stats(r, &read);
	assert_int_equal(read.records, n);
	assert_int_equal(read.blocks, written.blocks);
	assert_string_equal(recfile_reader_problem(r), "");
	recfile_close_reader(r);
}

static void test_empty_file(void **state)
{
	struct recfile_writer *w;
	struct recfile_reader *r;
	size_t header_len;
	int err, result;

	(void)state;
	w = recfile_create(tmp_path("empty.rec"), NULL, 0, &err);
	assert_non_null(w);
	assert_int_equal(recfile_flush(w), 0);
	assert_int_equal(recfile_close(w, NULL), 0);

	r = recfile_open(tmp_path("empty.rec"), &err);
	assert_non_null(r);
	recfile_header(r, &header_len);
	assert_int_equal(header_len, 0);
	assert_int_equal(read_all(r, &result), 0);
	assert_int_equal(result, 0);
	recfile_close_reader(r);
}

/* A second writer of one path is refused and leaves the first one's file whole. */
static void test_second_writer_refused(void **state)
{
	struct recfile_writer *first, *second;
	struct recfile_reader *r;
	int err, result;

	(void)state;
	first = recfile_create(tmp_path("shared.rec"), NULL, 0, &err);
	assert_non_null(first);
	append_record(first, 0);
	assert_int_equal(recfile_flush(first), 0);
	second = recfile_create(tmp_path("shared.rec"), NULL, 0, &err);
	assert_null(second);
	assert_int_equal(err, RECFILE_EBUSY);
	assert_non_null(strstr(recfile_strerror(RECFILE_EBUSY), "another fragscope is recording"));
	append_record(first, 1);
	assert_int_equal(recfile_close(first, NULL), 0);

	r = recfile_open(tmp_path("shared.rec"), &err);
	assert_non_null(r);
	assert_int_equal(read_all(r, &result), 2);
	assert_int_equal(result, 0);
	recfile_close_reader(r);
	/* Once the first is closed, the path is free again. */
	second = recfile_create(tmp_path("shared.rec"), NULL, 0, &err);
	assert_non_null(second);
	assert_int_equal(recfile_close(second, NULL), 0);
}

/*
 * A file flushed after every few records, with the offset of every block
 * boundary and the records before it, for the cutting tests.
 */
struct cut_file {
	unsigned char *bytes;
	size_t len;
	size_t boundary[64];  /* boundary[b]: where block b ends, [0] the file header */
	uint64_t records[64]; /* records before boundary[b] */
	int nr_boundaries;
};

static void make_cut_file(struct cut_file *f, const char *name, int blocks, int per_block)
{
	struct recfile_writer *w;
	struct recfile_stats written;
	struct stat st;
	uint64_t i = 0;
	int err;

	w = recfile_create(tmp_path(name), TEST_HEADER, sizeof(TEST_HEADER), &err);
	assert_non_null(w);
	f->boundary[0] = FILE_HDR_SIZE + sizeof(TEST_HEADER);
	f->records[0] = 0;
	for (int b = 1; b <= blocks; b++) {
		for (int k = 0; k < per_block; k++)
			append_record(w, i++);
		assert_int_equal(recfile_flush(w), 0);
		assert_int_equal(stat(tmp_partial_path(name), &st), 0);
		f->boundary[b] = st.st_size;
		f->records[b] = i;
	}
	f->nr_boundaries = blocks + 1;
	assert_int_equal(recfile_close(w, &written), 0);
	/* No block was written but by the flushes above, so the boundaries are all known. */
	assert_int_equal(written.blocks, blocks);
	f->bytes = read_whole(tmp_path(name), &f->len);
}

/* Cut at len: the records of the whole blocks before the cut, then 'truncated'. */
static void check_cut(const struct cut_file *f, size_t len)
{
	struct recfile_reader *r;
	struct recfile_stats stats;
	int err, result, b = 0;

	r = open_bytes(f->bytes, len, &err);
	if (len < f->boundary[0]) {
		assert_null(r);
		assert_int_equal(err, RECFILE_ETRUNCATED);
		return;
	}
	assert_non_null(r);
	while (b + 1 < f->nr_boundaries && f->boundary[b + 1] <= len)
		b++;
	assert_int_equal(read_all(r, &result), f->records[b]);
	assert_int_equal(result, len == f->len ? 0 : RECFILE_ETRUNCATED);
	recfile_reader_stats(r, &stats);
	assert_int_equal(stats.blocks, b);
	assert_int_equal(stats.bytes, f->boundary[b]);
	if (len < f->len)
		assert_true(strlen(recfile_reader_problem(r)) > 0);
	recfile_close_reader(r);
}

static void test_truncation(void **state)
{
	struct cut_file f;

	(void)state;
	make_cut_file(&f, "cut.rec", 6, 150);
	for (int b = 0; b < f.nr_boundaries; b++)
		for (size_t len = f.boundary[b] - 1; len <= f.boundary[b] + 1; len++)
			check_cut(&f, len);
	/* Cut inside the end marker, and exactly before it: still truncated. */
	for (size_t len = f.boundary[f.nr_boundaries - 1]; len <= f.len; len++)
		check_cut(&f, len);
	for (size_t len = 0; len < f.boundary[0]; len++)
		check_cut(&f, len);
	rng_state = 42;
	for (int k = 0; k < 1000; k++)
		check_cut(&f, rng() % f.len);
	free(f.bytes);
}

/* Every single damaged byte of a block is caught, with the blocks before it still read. */
static void test_corruption(void **state)
{
	struct cut_file f;

	(void)state;
	make_cut_file(&f, "flip.rec", 4, 3);
	for (size_t pos = f.boundary[0]; pos < f.len; pos++) {
		struct recfile_reader *r;
		int err, result, b = 0;

		while (b + 1 < f.nr_boundaries && f.boundary[b + 1] <= pos)
			b++;
		f.bytes[pos] ^= 0x5a;
		r = open_bytes(f.bytes, f.len, &err);
		assert_non_null(r);
		assert_int_equal(read_all(r, &result), f.records[b]);
		assert_int_equal(result, RECFILE_ECORRUPT);
		recfile_close_reader(r);
		f.bytes[pos] ^= 0x5a;
	}
	free(f.bytes);
}

static void test_damaged_file_header(void **state)
{
	struct cut_file f;

	(void)state;
	make_cut_file(&f, "hdr.rec", 1, 3);
	for (size_t pos = 0; pos < f.boundary[0]; pos++) {
		struct recfile_reader *r;
		int err, want;

		if (pos < 8)
			want = RECFILE_EFOREIGN;
		else if (pos < 12)
			want = RECFILE_ENEWER; /* x ^ 0x5a makes version 1 larger */
		else
			want = RECFILE_ECORRUPT;
		f.bytes[pos] ^= 0x5a;
		r = open_bytes(f.bytes, f.len, &err);
		assert_null(r);
		assert_int_equal(err, want);
		f.bytes[pos] ^= 0x5a;
	}
	free(f.bytes);
}

static void test_foreign_and_newer(void **state)
{
	static const char text[] = "#!/bin/sh\necho this is not a record file\n";
	unsigned char *bytes;
	size_t len;
	struct recfile_writer *w;
	int err;

	(void)state;
	assert_null(open_bytes(text, sizeof(text), &err));
	assert_int_equal(err, RECFILE_EFOREIGN);
	assert_null(open_bytes("FRA", 3, &err));
	assert_int_equal(err, RECFILE_ETRUNCATED);
	assert_null(open_bytes("XYZ", 3, &err));
	assert_int_equal(err, RECFILE_EFOREIGN);

	w = recfile_create(tmp_path("newer.rec"), TEST_HEADER, sizeof(TEST_HEADER), &err);
	assert_non_null(w);
	append_record(w, 1);
	assert_int_equal(recfile_close(w, NULL), 0);
	bytes = read_whole(tmp_path("newer.rec"), &len);

	put_le32(bytes + 8, RECFILE_VERSION + 1);
	assert_null(open_bytes(bytes, len, &err));
	assert_int_equal(err, RECFILE_ENEWER);

	/* A feature flag this version does not know, under a valid checksum. */
	put_le32(bytes + 8, RECFILE_VERSION);
	put_le32(bytes + 12, 0x4);
	put_le32(bytes + 24, crc32(0, bytes, 24));
	assert_null(open_bytes(bytes, len, &err));
	assert_int_equal(err, RECFILE_ENEWER);
	free(bytes);

	assert_null(recfile_open(tmp_path("does-not-exist.rec"), &err));
	assert_int_equal(err, -ENOENT);
}

static void test_data_after_end(void **state)
{
	struct recfile_writer *w;
	struct recfile_reader *r;
	unsigned char *bytes;
	size_t len;
	int err, result;

	(void)state;
	w = recfile_create(tmp_path("tail.rec"), NULL, 0, &err);
	assert_non_null(w);
	append_record(w, 0);
	append_record(w, 1);
	assert_int_equal(recfile_close(w, NULL), 0);
	bytes = read_whole(tmp_path("tail.rec"), &len);
	bytes[len] = 0;

	r = open_bytes(bytes, len + 1, &err);
	assert_non_null(r);
	assert_int_equal(read_all(r, &result), 2);
	assert_int_equal(result, RECFILE_ECORRUPT);
	assert_non_null(strstr(recfile_reader_problem(r), "after the end marker"));
	recfile_close_reader(r);
	free(bytes);
}

/* Well-checksummed blocks whose content is impossible: corrupt, not a crash. */
static void test_malformed_blocks(void **state)
{
	static const struct {
		const char *problem;
		uint32_t flags;
		uint64_t seq;
		uint32_t words[4]; /* the block's records, as little-endian words */
		uint32_t len;
	} cases[] = {
		{ "record of 100 bytes at offset 0 overruns", 0, 0, { 1, 100, 0, 0 }, 16 },
		{ "record header at offset 8 overruns", 0, 0, { 1, 0, 2, 0 }, 12 },
		{ "out of sequence", 0, 1, { 1, 0 }, 8 },
		{ "unknown block flags 0x2", 0x2, 0, { 1, 0 }, 8 },
		{ "impossible lengths", 0, 0, { 1, 0, 2 }, 7 },
		{ "end marker counts 5 records, the blocks hold 0", 0x1, 0, { 5, 0 }, 8 },
		{ "impossible lengths", 0x1, 0, { 0, 0, 0 }, 12 },
	};
	unsigned char file[4096], raw[16];
	struct recfile_writer *w;
	unsigned char *empty;
	size_t empty_len;
	int err;

	(void)state;
	w = recfile_create(tmp_path("base.rec"), NULL, 0, &err);
	assert_non_null(w);
	assert_int_equal(recfile_close(w, NULL), 0);
	empty = read_whole(tmp_path("base.rec"), &empty_len);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct recfile_reader *r;
		const void *payload;
		uint32_t type, len;
		size_t file_len = FILE_HDR_SIZE;

		memcpy(file, empty, FILE_HDR_SIZE);
		for (int k = 0; k < 4; k++)
			put_le32(raw + 4 * k, cases[i].words[k]);
		file_len += put_block(file + file_len, cases[i].flags, cases[i].seq, raw, cases[i].len);
		r = open_bytes(file, file_len, &err);
		assert_non_null(r);
		assert_int_equal(recfile_next(r, &type, &payload, &len), RECFILE_ECORRUPT);
		if (!strstr(recfile_reader_problem(r), cases[i].problem))
			fail_msg("case %zu: '%s' does not say '%s'", i, recfile_reader_problem(r),
				 cases[i].problem);
		recfile_close_reader(r);
	}
	free(empty);
}

static void test_mode_and_replace(void **state)
{
	static const char old[] = "the previous recording";
	char *path = tmp_path("replace.rec");
	char *partial = tmp_partial_path("replace.rec");
	struct recfile_writer *w;
	struct stat st;
	unsigned char *bytes;
	size_t len;
	mode_t old_umask;
	int fd, err;

	(void)state;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, old, sizeof(old)), sizeof(old));
	close(fd);
	/* A stale .partial, world-readable, as a killed run may leave. */
	fd = open(partial, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	close(fd);

	old_umask = umask(0);
	w = recfile_create(path, TEST_HEADER, sizeof(TEST_HEADER), &err);
	umask(old_umask);
	assert_non_null(w);
	assert_int_equal(stat(partial, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	for (uint64_t i = 0; i < 3000; i++)
		append_record(w, i);
	assert_int_equal(recfile_sync(w), 0);

	bytes = read_whole(path, &len);
	assert_int_equal(len, sizeof(old));
	assert_memory_equal(bytes, old, sizeof(old));
	free(bytes);

	assert_int_equal(recfile_close(w, NULL), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(partial, &st), -1);
	read_file(path, 3000, 0);
}

/* What a killed writer leaves: the .partial, readable up to its last flush. */
static void test_killed_writer(void **state)
{
	char *path = tmp_path("killed.rec");
	struct recfile_writer *w;
	int err;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		w = recfile_create(path, NULL, 0, &err);
		for (uint64_t i = 0; w && i < 500; i++) {
			append_record(w, i);
			if (i % 100 == 99 && recfile_flush(w))
				_exit(1);
		}
		_exit(w ? 0 : 1); /* never closed: as if killed */
	}
	assert_int_equal(waitpid(pid, &err, 0), pid);
	assert_true(WIFEXITED(err) && WEXITSTATUS(err) == 0);
	assert_int_equal(access(path, F_OK), -1);
	read_file(tmp_partial_path("killed.rec"), 500, RECFILE_ETRUNCATED);
}

static void test_record_limits(void **state)
{
	struct recfile_writer *w;
	int err;

	(void)state;
	assert_null(recfile_create(tmp_path("big.rec"), "", RECFILE_MAX_HEADER + 1, &err));
	assert_int_equal(err, RECFILE_ETOOBIG);
	w = recfile_create(tmp_path("big.rec"), NULL, 0, &err);
	assert_non_null(w);
	assert_int_equal(recfile_append(w, 1, "", RECFILE_MAX_RECORD + 1), RECFILE_ETOOBIG);
	/* Refusing a record does not stop the writer. */
	append_record(w, 0);
	assert_int_equal(recfile_close(w, NULL), 0);
	read_file(tmp_path("big.rec"), 1, 0);

	assert_null(recfile_create(tmp_path("no-such-dir/x.rec"), NULL, 0, &err));
	assert_int_equal(err, -ENOENT);
}

static void test_disk_full(void **state)
{
	char dir[4096], path[4200], partial[4300];
	unsigned char noise[4000];
	struct recfile_writer *w;
	struct recfile_reader *r;
	struct recfile_stats written, read;
	const void *payload;
	uint32_t type, len;
	int err, result;
	uint64_t n = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/tmpfs", tmpdir);
	assert_int_equal(mkdir(dir, 0700), 0);
	if (getuid() != 0 || mount("none", dir, "tmpfs", 0, "size=64k") < 0)
		skip();
	snprintf(path, sizeof(path), "%s/full.rec", dir);
	snprintf(partial, sizeof(partial), "%s%s", path, RECFILE_PARTIAL_SUFFIX);

	w = recfile_create(path, TEST_HEADER, sizeof(TEST_HEADER), &err);
	assert_non_null(w);
	rng_state = 7;
	err = 0;
	/* Noise does not compress, so the disk fills within a few flushes. */
	while (!err && n < 100000) {
		for (size_t j = 0; j < sizeof(noise); j++)
			noise[j] = rng();
		err = recfile_append(w, 9, noise, sizeof(noise));
		if (!err && ++n % 4 == 0)
			err = recfile_flush(w);
	}
	assert_int_equal(err, -ENOSPC);
	assert_int_equal(recfile_append(w, 9, noise, 1), -ENOSPC);
	assert_int_equal(recfile_close(w, &written), -ENOSPC);
	assert_true(written.records > 0 && written.records < n);
	assert_int_equal(access(path, F_OK), -1);

	r = recfile_open(partial, &err);
	assert_non_null(r);
	while ((result = recfile_next(r, &type, &payload, &len)) == 1)
		;
	assert_int_equal(result, RECFILE_ETRUNCATED);
	recfile_reader_stats(r, &read);
	assert_int_equal(read.records, written.records);
	assert_int_equal(read.bytes, written.bytes);
	recfile_close_reader(r);
	assert_int_equal(umount(dir), 0);
}

/* Inputs the fuzzer once crashed on, and its seeds: none may crash the reader. */
static void test_fuzz_corpus(void **state)
{
	char dir[4096], path[8192];
	const char *slash = strrchr(__FILE__, '/');
	struct dirent *e;
	DIR *d;
	int files = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%.*s/../fuzz/corpus/recfile", (int)(slash - __FILE__), __FILE__);
	d = opendir(dir);
	if (!d)
		fail_msg("cannot open %s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		struct recfile_reader *r;
		const void *payload;
		uint32_t type, len;
		int err;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		r = recfile_open(path, &err);
		while (r && recfile_next(r, &type, &payload, &len) == 1)
			;
		recfile_close_reader(r);
		files++;
	}
	closedir(d);
	assert_true(files > 0);
}

static void test_strerror(void **state)
{
	(void)state;
	assert_non_null(strstr(recfile_strerror(RECFILE_ETRUNCATED), "cut short"));
	assert_non_null(strstr(recfile_strerror(RECFILE_EFOREIGN), "not a fragscope record file"));
	assert_non_null(strstr(recfile_strerror(RECFILE_ENEWER), "newer"));
	assert_non_null(strstr(recfile_strerror(RECFILE_ECORRUPT), "corrupt"));
	assert_string_equal(recfile_strerror(-ENOSPC), strerror(ENOSPC));
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[4200];

	(void)state;
	umount(tmp_path("tmpfs"));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_second_writer_refused),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_corruption),
		cmocka_unit_test(test_damaged_file_header),
		cmocka_unit_test(test_foreign_and_newer),
		cmocka_unit_test(test_data_after_end),
		cmocka_unit_test(test_malformed_blocks),
		cmocka_unit_test(test_mode_and_replace),
		cmocka_unit_test(test_killed_writer),
		cmocka_unit_test(test_record_limits),
		cmocka_unit_test(test_disk_full),
		cmocka_unit_test(test_fuzz_corpus),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
