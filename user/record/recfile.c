// SPDX-License-Identifier: GPL-2.0
/*
 * The record file container; recfile.h states its guarantees and
 * docs/file-format.md its byte layout, which the offsets below spell out.
 */
#include "record/recfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define FILE_MAGIC "FRAGSCOP"
#define FILE_MAGIC_LEN 8
#define FILE_HDR_VERSION 8
#define FILE_HDR_FLAGS 12
#define FILE_HDR_PAYLOAD_LEN 16
#define FILE_HDR_PAYLOAD_CRC 20
#define FILE_HDR_CRC 24
#define FILE_HDR_SIZE 28

#define BLOCK_MAGIC "FSBK"
#define BLOCK_MAGIC_LEN 4
#define BLOCK_HDR_FLAGS 4
#define BLOCK_HDR_SEQ 8
#define BLOCK_HDR_RAW_LEN 16
#define BLOCK_HDR_PACKED_LEN 20
#define BLOCK_HDR_PAYLOAD_CRC 24
#define BLOCK_HDR_CRC 28
#define BLOCK_HDR_SIZE 32

/* The end marker: a block whose payload is the file's record count. */
#define BLOCK_END 0x1u
#define TRAILER_SIZE 8

#define RECORD_HDR_SIZE 8
#define RECORD_ALIGN 8

/* Deflate emits at least two bits per 258-byte match. */
#define DEFLATE_MAX_RATIO 1032
/* What the reader allocates before data arrives to justify more. */
#define READ_CHUNK (64u << 10)

static void put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

static void put_le64(unsigned char *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, v >> 32);
}

static uint32_t get_le32(const unsigned char *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const unsigned char *p)
{
	return get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static uint32_t checksum(const unsigned char *p, size_t len)
{
	return crc32(0, p, len);
}

/* p's checksum is stored at sum; both little-endian words of the file. */
static bool checksum_ok(const unsigned char *p, size_t len, const unsigned char *sum)
{
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	/* A fuzzer cannot forge CRCs: let it reach the parsing behind them. */
	(void)p, (void)len, (void)sum;
	return true;
#else
	return checksum(p, len) == get_le32(sum);
#endif
}

static size_t record_size(uint32_t len)
{
	return RECORD_HDR_SIZE + (((size_t)len + RECORD_ALIGN - 1) & ~(size_t)(RECORD_ALIGN - 1));
}

static int reserve(unsigned char **buf, size_t *cap, size_t need)
{
	unsigned char *grown;

	if (need <= *cap)
		return 0;
	grown = realloc(*buf, need);
	if (!grown)
		return -ENOMEM;
	*buf = grown;
	*cap = need;
	return 0;
}

/* --- writer --- */

struct recfile_writer {
	int fd;
	char *path;
	char *partial_path;
	unsigned char *pending; /* records of the block being built */
	size_t pending_len;
	size_t pending_cap;
	uint64_t pending_records;
	unsigned char *out; /* block header + compressed payload */
	size_t out_cap;
	uint64_t seq;
	struct recfile_stats written;
	int error; /* the first write error: the file ends before it */
};

static int write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= n;
	}
	return 0;
}

static int write_block(struct recfile_writer *w, uint32_t flags, const unsigned char *data,
		       size_t len)
{
	uLongf packed_len = compressBound(len);
	unsigned char *hdr;
	int err;

	err = reserve(&w->out, &w->out_cap, BLOCK_HDR_SIZE + packed_len);
	if (err)
		return err;
	/* Speed over ratio: the writer runs beside a tracer under memory pressure. */
	if (compress2(w->out + BLOCK_HDR_SIZE, &packed_len, data, len, Z_BEST_SPEED) != Z_OK)
		return -ENOMEM;

	hdr = w->out;
	memcpy(hdr, BLOCK_MAGIC, BLOCK_MAGIC_LEN);
	put_le32(hdr + BLOCK_HDR_FLAGS, flags);
	put_le64(hdr + BLOCK_HDR_SEQ, w->seq);
	put_le32(hdr + BLOCK_HDR_RAW_LEN, len);
	put_le32(hdr + BLOCK_HDR_PACKED_LEN, packed_len);
	put_le32(hdr + BLOCK_HDR_PAYLOAD_CRC, checksum(hdr + BLOCK_HDR_SIZE, packed_len));
	put_le32(hdr + BLOCK_HDR_CRC, checksum(hdr, BLOCK_HDR_CRC));

	err = write_all(w->fd, w->out, BLOCK_HDR_SIZE + packed_len);
	if (err)
		return err;
	w->seq++;
	w->written.bytes += BLOCK_HDR_SIZE + packed_len;
	return 0;
}

static int write_file_header(int fd, const void *payload, size_t len)
{
	unsigned char hdr[FILE_HDR_SIZE];
	int err;

	memcpy(hdr, FILE_MAGIC, FILE_MAGIC_LEN);
	put_le32(hdr + FILE_HDR_VERSION, RECFILE_VERSION);
	put_le32(hdr + FILE_HDR_FLAGS, 0);
	put_le32(hdr + FILE_HDR_PAYLOAD_LEN, len);
	put_le32(hdr + FILE_HDR_PAYLOAD_CRC, checksum(payload, len));
	put_le32(hdr + FILE_HDR_CRC, checksum(hdr, FILE_HDR_CRC));

	err = write_all(fd, hdr, sizeof(hdr));
	return err ? err : write_all(fd, payload, len);
}

static void writer_free(struct recfile_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	free(w->path);
	free(w->partial_path);
	free(w->pending);
	free(w->out);
	free(w);
}

struct recfile_writer *recfile_create(const char *path, const void *header, size_t header_len,
				      int *err)
{
	struct recfile_writer *w;

	if (header_len > RECFILE_MAX_HEADER) {
		*err = RECFILE_ETOOBIG;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		*err = -ENOMEM;
		return NULL;
	}
	w->fd = -1;
	w->path = strdup(path);
	if (!w->path || asprintf(&w->partial_path, "%s%s", path, RECFILE_PARTIAL_SUFFIX) < 0) {
		w->partial_path = NULL;
		*err = -ENOMEM;
		goto fail;
	}
	w->fd = open(w->partial_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (w->fd < 0) {
		*err = -errno;
		goto fail;
	}
	/* A .partial left by a killed run keeps its old mode through O_CREAT. */
	*err = fchmod(w->fd, 0600) < 0 ? -errno : write_file_header(w->fd, header, header_len);
	if (*err) {
		unlink(w->partial_path);
		goto fail;
	}
	w->written.bytes = FILE_HDR_SIZE + header_len;
	return w;
fail:
	writer_free(w);
	return NULL;
}

int recfile_flush(struct recfile_writer *w)
{
	int err;

	if (w->error)
		return w->error;
	if (!w->pending_len)
		return 0;
	err = write_block(w, 0, w->pending, w->pending_len);
	if (err) {
		w->error = err;
		return err;
	}
	w->written.blocks++;
	w->written.records += w->pending_records;
	w->pending_len = 0;
	w->pending_records = 0;
	return 0;
}

int recfile_append(struct recfile_writer *w, uint32_t type, const void *payload, uint32_t len)
{
	size_t size = record_size(len), need;
	unsigned char *rec;
	int err;

	if (w->error)
		return w->error;
	if (len > RECFILE_MAX_RECORD)
		return RECFILE_ETOOBIG;
	if (w->pending_len && w->pending_len + size > RECFILE_BLOCK_TARGET) {
		err = recfile_flush(w);
		if (err)
			return err;
	}
	/* Sized once for a whole block: a record past the target starts a block of its own. */
	need = w->pending_len + size;
	err = reserve(&w->pending, &w->pending_cap,
		      need > RECFILE_BLOCK_TARGET ? need : RECFILE_BLOCK_TARGET);
	if (err)
		return err;

	rec = w->pending + w->pending_len;
	put_le32(rec, type);
	put_le32(rec + 4, len);
	if (len)
		memcpy(rec + RECORD_HDR_SIZE, payload, len);
	/* Zeroed padding keeps the file's bytes a function of its records. */
	memset(rec + RECORD_HDR_SIZE + len, 0, size - RECORD_HDR_SIZE - len);
	w->pending_len += size;
	w->pending_records++;
	return 0;
}

int recfile_sync(struct recfile_writer *w)
{
	int err = recfile_flush(w);

	if (err)
		return err;
	if (fdatasync(w->fd) < 0)
		w->error = -errno;
	return w->error;
}

/* A rename is durable only once the directory that holds it is synced. */
static int sync_parent_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, err = 0;

	if (!slash)
		dir = strdup(".");
	else
		dir = strndup(path, slash == path ? 1 : (size_t)(slash - path));
	if (!dir)
		return -ENOMEM;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		err = -errno;
	if (fd >= 0)
		close(fd);
	free(dir);
	return err;
}

static int finish(struct recfile_writer *w)
{
	unsigned char trailer[TRAILER_SIZE];
	int err = recfile_flush(w);

	if (err)
		return err;
	put_le64(trailer, w->written.records);
	err = write_block(w, BLOCK_END, trailer, sizeof(trailer));
	if (err)
		return err;
	if (fsync(w->fd) < 0)
		return -errno;
	if (rename(w->partial_path, w->path) < 0)
		return -errno;
	return sync_parent_dir(w->path);
}

int recfile_close(struct recfile_writer *w, struct recfile_stats *stats)
{
	int err = finish(w);

	if (stats)
		*stats = w->written;
	writer_free(w);
	return err;
}

/* --- reader --- */

struct recfile_reader {
	int fd;
	unsigned char *header;
	size_t header_len;
	unsigned char *packed; /* the current block's compressed payload */
	size_t packed_cap;
	unsigned char *block; /* its records */
	size_t block_cap;
	size_t block_len;
	size_t pos; /* of the next record in block */
	uint64_t seq;
	struct recfile_stats read;
	bool done;
	int result; /* once done: 0 at the end marker, or the error */
	char problem[160];
};

/* Returns the bytes read, fewer than len only at end of file, or -errno. */
static ssize_t read_full(int fd, void *buf, size_t len)
{
	unsigned char *p = buf;
	size_t have = 0;

	while (have < len) {
		ssize_t n = read(fd, p + have, len - have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		have += n;
	}
	return have;
}

__attribute__((format(printf, 3, 4)))
static int reader_fail(struct recfile_reader *r, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(r->problem, sizeof(r->problem), "block %llu at byte %llu: ",
		     (unsigned long long)r->seq, (unsigned long long)r->read.bytes);
	va_start(ap, fmt);
	vsnprintf(r->problem + n, sizeof(r->problem) - n, fmt, ap);
	va_end(ap);
	return err;
}

/*
 * Reads a block's compressed payload into r->packed, growing the buffer
 * only as data arrives, so a length that claims more than the file holds
 * costs no more memory than the file.  Returns the bytes read or -errno.
 */
static ssize_t read_packed(struct recfile_reader *r, size_t len)
{
	size_t have = 0;

	while (have < len) {
		size_t want = have ? 2 * have : READ_CHUNK;
		ssize_t n;
		int err;

		if (want > len)
			want = len;
		err = reserve(&r->packed, &r->packed_cap, want);
		if (err)
			return err;
		n = read_full(r->fd, r->packed + have, want - have);
		if (n < 0)
			return n;
		have += n;
		if (have < want)
			break;
	}
	return have;
}

static int inflate_block(struct recfile_reader *r, size_t packed_len, size_t raw_len)
{
	uLongf out_len = raw_len;
	uLong in_len = packed_len;
	int err;

	err = reserve(&r->block, &r->block_cap, raw_len);
	if (err)
		return err;
	/* Exactly raw_len bytes from exactly packed_len: anything else is damage. */
	if (uncompress2(r->block, &out_len, r->packed, &in_len) != Z_OK || out_len != raw_len ||
	    in_len != packed_len)
		return reader_fail(r, RECFILE_ECORRUPT,
				   "payload does not decompress to its %zu bytes", raw_len);
	return 0;
}

/* Checks that the block is whole records, so recfile_next() need not. */
static int check_records(struct recfile_reader *r, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		uint32_t rec_len;

		if (len - pos < RECORD_HDR_SIZE)
			return reader_fail(r, RECFILE_ECORRUPT,
					   "record header at offset %zu overruns the block", pos);
		rec_len = get_le32(r->block + pos + 4);
		if (rec_len > RECFILE_MAX_RECORD || record_size(rec_len) > len - pos)
			return reader_fail(r, RECFILE_ECORRUPT,
					   "record of %u bytes at offset %zu overruns the block",
					   rec_len, pos);
		pos += record_size(rec_len);
	}
	return 0;
}

static int check_end(struct recfile_reader *r)
{
	unsigned char extra;
	uint64_t records = get_le64(r->block);
	ssize_t n;

	if (records != r->read.records)
		return reader_fail(r, RECFILE_ECORRUPT,
				   "end marker counts %llu records, the blocks hold %llu",
				   (unsigned long long)records,
				   (unsigned long long)r->read.records);
	n = read_full(r->fd, &extra, 1);
	if (n < 0)
		return n;
	if (n)
		return reader_fail(r, RECFILE_ECORRUPT, "data after the end marker");
	return 0;
}

static bool lengths_possible(bool is_end, uint32_t raw_len, uint32_t packed_len)
{
	if (is_end && raw_len != TRAILER_SIZE)
		return false;
	if (!is_end && (raw_len < RECORD_HDR_SIZE || raw_len > RECFILE_MAX_BLOCK))
		return false;
	return packed_len <= compressBound(raw_len) &&
	       raw_len <= (uint64_t)packed_len * DEFLATE_MAX_RATIO;
}

/* Returns 1 with the next data block's records loaded, 0 at the end marker, or an error. */
static int load_block(struct recfile_reader *r)
{
	unsigned char hdr[BLOCK_HDR_SIZE];
	uint32_t flags, raw_len, packed_len;
	uint64_t seq;
	ssize_t n;
	int err;

	n = read_full(r->fd, hdr, sizeof(hdr));
	if (n < 0)
		return n;
	if (n == 0)
		return reader_fail(r, RECFILE_ETRUNCATED, "the file ends without an end marker");
	if (n < BLOCK_HDR_SIZE)
		return reader_fail(r, RECFILE_ETRUNCATED, "the file ends inside the block header");
	if (!checksum_ok(hdr, BLOCK_HDR_CRC, hdr + BLOCK_HDR_CRC))
		return reader_fail(r, RECFILE_ECORRUPT, "block header checksum mismatch");
	if (memcmp(hdr, BLOCK_MAGIC, BLOCK_MAGIC_LEN))
		return reader_fail(r, RECFILE_ECORRUPT, "bad block magic");
	flags = get_le32(hdr + BLOCK_HDR_FLAGS);
	if (flags & ~BLOCK_END)
		return reader_fail(r, RECFILE_ECORRUPT, "unknown block flags %#x", flags);
	seq = get_le64(hdr + BLOCK_HDR_SEQ);
	if (seq != r->seq)
		return reader_fail(r, RECFILE_ECORRUPT, "block numbered %llu out of sequence",
				   (unsigned long long)seq);
	raw_len = get_le32(hdr + BLOCK_HDR_RAW_LEN);
	packed_len = get_le32(hdr + BLOCK_HDR_PACKED_LEN);
	if (!lengths_possible(flags & BLOCK_END, raw_len, packed_len))
		return reader_fail(r, RECFILE_ECORRUPT, "impossible lengths: %u bytes compressed to %u",
				   raw_len, packed_len);

	n = read_packed(r, packed_len);
	if (n < 0)
		return n;
	if (n < packed_len)
		return reader_fail(r, RECFILE_ETRUNCATED, "the file ends inside the block payload");
	if (!checksum_ok(r->packed, packed_len, hdr + BLOCK_HDR_PAYLOAD_CRC))
		return reader_fail(r, RECFILE_ECORRUPT, "payload checksum mismatch");
	err = inflate_block(r, packed_len, raw_len);
	if (err)
		return err;
	if (flags & BLOCK_END)
		return check_end(r);
	err = check_records(r, raw_len);
	if (err)
		return err;

	r->block_len = raw_len;
	r->pos = 0;
	r->seq++;
	r->read.blocks++;
	r->read.bytes += BLOCK_HDR_SIZE + packed_len;
	return 1;
}

static int read_file_header(struct recfile_reader *r)
{
	unsigned char hdr[FILE_HDR_SIZE];
	uint32_t version;
	ssize_t n;

	n = read_full(r->fd, hdr, sizeof(hdr));
	if (n < 0)
		return n;
	if (memcmp(hdr, FILE_MAGIC, n < FILE_MAGIC_LEN ? (size_t)n : FILE_MAGIC_LEN))
		return RECFILE_EFOREIGN;
	if (n < FILE_HDR_SIZE)
		return RECFILE_ETRUNCATED;
	/* Checked before the checksum: a newer version may checksum differently. */
	version = get_le32(hdr + FILE_HDR_VERSION);
	if (version > RECFILE_VERSION)
		return RECFILE_ENEWER;
	if (version == 0 || !checksum_ok(hdr, FILE_HDR_CRC, hdr + FILE_HDR_CRC))
		return RECFILE_ECORRUPT;
	if (get_le32(hdr + FILE_HDR_FLAGS))
		return RECFILE_ENEWER;
	r->header_len = get_le32(hdr + FILE_HDR_PAYLOAD_LEN);
	if (r->header_len > RECFILE_MAX_HEADER)
		return RECFILE_ECORRUPT;
	r->header = malloc(r->header_len ? r->header_len : 1);
	if (!r->header)
		return -ENOMEM;
	n = read_full(r->fd, r->header, r->header_len);
	if (n < 0)
		return n;
	if ((size_t)n < r->header_len)
		return RECFILE_ETRUNCATED;
	if (!checksum_ok(r->header, r->header_len, hdr + FILE_HDR_PAYLOAD_CRC))
		return RECFILE_ECORRUPT;
	r->read.bytes = FILE_HDR_SIZE + r->header_len;
	return 0;
}

struct recfile_reader *recfile_open_fd(int fd, int *err)
{
	struct recfile_reader *r = calloc(1, sizeof(*r));

	if (!r) {
		close(fd);
		*err = -ENOMEM;
		return NULL;
	}
	r->fd = fd;
	*err = read_file_header(r);
	if (*err) {
		recfile_close_reader(r);
		return NULL;
	}
	return r;
}

struct recfile_reader *recfile_open(const char *path, int *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		*err = -errno;
		return NULL;
	}
	return recfile_open_fd(fd, err);
}

const void *recfile_header(const struct recfile_reader *r, size_t *len)
{
	*len = r->header_len;
	return r->header;
}

int recfile_next(struct recfile_reader *r, uint32_t *type, const void **payload, uint32_t *len)
{
	const unsigned char *rec;

	while (r->pos == r->block_len) {
		int rc = r->done ? r->result : load_block(r);

		if (rc <= 0) {
			/* System errors (EIO, ENOMEM) get their place said too. */
			if (rc < 0 && !r->problem[0])
				reader_fail(r, rc, "%s", recfile_strerror(rc));
			r->done = true;
			r->result = rc;
			return rc;
		}
	}
	rec = r->block + r->pos;
	*type = get_le32(rec);
	*len = get_le32(rec + 4);
	*payload = rec + RECORD_HDR_SIZE;
	r->pos += record_size(*len);
	r->read.records++;
	return 1;
}

void recfile_reader_stats(const struct recfile_reader *r, struct recfile_stats *stats)
{
	*stats = r->read;
}

const char *recfile_reader_problem(const struct recfile_reader *r)
{
	return r->problem;
}

void recfile_close_reader(struct recfile_reader *r)
{
	if (!r)
		return;
	close(r->fd);
	free(r->header);
	free(r->packed);
	free(r->block);
	free(r);
}

const char *recfile_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case RECFILE_EFOREIGN:
		return "not a fragscope record file (its first bytes are not the record file magic)";
	case RECFILE_ENEWER:
		return "the record file was written by a newer fragscope, in a format version this one cannot read";
	case RECFILE_ETRUNCATED:
		return "the record file is cut short: it ends without the end marker a clean close writes "
		       "(the recording was killed, crashed or ran out of space)";
	case RECFILE_ECORRUPT:
		return "the record file is corrupt: a checksum does not match or a field is impossible";
	case RECFILE_ETOOBIG:
		return "record or header larger than the record file format allows";
	}
	return err < 0 ? strerror(-err) : "unknown record file error";
}
