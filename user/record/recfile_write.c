// SPDX-License-Identifier: GPL-2.0
/*
 * The record file's writer: blocks of records, deflated, checksummed,
 * written to a temporary file renamed into place by recfile_close().
 */
#include "record/recfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "record/recfile_layout.h"

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
	struct stat st;

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
	/* The rename at the end could not replace a directory: say so before the recording, not after it. */
	if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
		*err = -EISDIR;
		goto fail;
	}
	w->path = strdup(path);
	if (!w->path || asprintf(&w->partial_path, "%s%s", path, RECFILE_PARTIAL_SUFFIX) < 0) {
		w->partial_path = NULL;
		*err = -ENOMEM;
		goto fail;
	}
	w->fd = open(w->partial_path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (w->fd < 0) {
		*err = -errno;
		goto fail;
	}
	/*
	 * Two recordings into one file would interleave their blocks: the
	 * lock, held until the fd closes (a kill releases it), is taken before
	 * the truncation that replaces a killed run's leftover.
	 */
	if (flock(w->fd, LOCK_EX | LOCK_NB)) {
		*err = errno == EWOULDBLOCK ? RECFILE_EBUSY : -errno;
		goto fail;
	}
	if (ftruncate(w->fd, 0)) {
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
