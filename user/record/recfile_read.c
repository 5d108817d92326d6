// SPDX-License-Identifier: GPL-2.0
/*
 * The record file's reader: checks every header, length and checksum before
 * it trusts them, so a cut or damaged file is a clear error, never a crash.
 */
#include "record/recfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "record/recfile_layout.h"

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
	case RECFILE_EBUSY:
		return "another fragscope is recording into it (its .partial is locked)";
	}
	return err < 0 ? strerror(-err) : "unknown record file error";
}

