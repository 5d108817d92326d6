/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The record file container: a versioned, append-only file of typed records,
 * grouped into independently compressed and checksummed blocks.  It frames
 * bytes and knows nothing of what they mean: the caller defines the header
 * payload and the record types.  docs/file-format.md has the byte layout.
 *
 * Guarantees:
 *  - A file is written to PATH.partial and renamed over PATH only by a
 *    successful recfile_close(), so an existing PATH is never half-replaced.
 *  - A writer killed, crashed or out of space leaves PATH.partial readable
 *    up to its last complete block; the reader returns those records, then
 *    RECFILE_ETRUNCATED.  Only a file with the end marker written by
 *    recfile_close() ends with 0.
 *  - The reader delivers a block's records only once the whole block has
 *    been read, checksummed and parsed, so it never returns part of a block,
 *    never trusts a length field before validating it, and allocates at most
 *    RECFILE_MAX_BLOCK bytes per buffer.
 *
 * Errors are negative: -errno for system calls (ENOSPC, EIO, ENOMEM...) and
 * the RECFILE_E* codes below for the file's content.
 */
#ifndef FS_RECORD_RECFILE_H
#define FS_RECORD_RECFILE_H

#include <stddef.h>
#include <stdint.h>

/* The container's format version: readers accept it and every older one. */
#define RECFILE_VERSION 1
/* Where the file is written until recfile_close() renames it into place. */
#define RECFILE_PARTIAL_SUFFIX ".partial"
/* A block is compressed and written once its records reach this size. */
#define RECFILE_BLOCK_TARGET (256u << 10)
/* Limits that make every length field checkable before allocating. */
#define RECFILE_MAX_BLOCK (64u << 20)
#define RECFILE_MAX_RECORD (16u << 20)
#define RECFILE_MAX_HEADER (1u << 20)

/* Below -4095 so that they never collide with a -errno. */
enum recfile_error {
	RECFILE_EFOREIGN = -4096,   /* not a record file: bad magic */
	RECFILE_ENEWER = -4097,     /* format version or features newer than this reader */
	RECFILE_ETRUNCATED = -4098, /* the file ends before its end marker */
	RECFILE_ECORRUPT = -4099,   /* a checksum mismatch or an impossible field */
	RECFILE_ETOOBIG = -4100,    /* a record or header over the limits above */
	RECFILE_EBUSY = -4101,      /* PATH.partial is being written by another writer */
};

/* What was written or read: only whole blocks count. */
struct recfile_stats {
	uint64_t records;
	uint64_t blocks; /* data blocks, not the end marker */
	uint64_t bytes;  /* file bytes up to the end of the last whole block */
};

struct recfile_writer;
struct recfile_reader;

/*
 * Creates PATH.partial with mode 0600 and writes the file header, whose
 * payload is the caller's header bytes.  Returns NULL with *err set on error
 * (RECFILE_EBUSY: another writer holds PATH.partial, which is left alone).
 */
struct recfile_writer *recfile_create(const char *path, const void *header, size_t header_len,
				      int *err);
/*
 * Adds one record to the pending block, first writing the pending block out
 * if the record would take it past RECFILE_BLOCK_TARGET.  After a write
 * error the writer is stopped: every later call returns that first error.
 */
int recfile_append(struct recfile_writer *w, uint32_t type, const void *payload, uint32_t len);
/*
 * Writes the pending records as one block.  Callers flush on a timer to
 * bound what a kill or crash can lose.
 */
int recfile_flush(struct recfile_writer *w);
/* recfile_flush(), then fdatasync(): the blocks survive a machine crash. */
int recfile_sync(struct recfile_writer *w);
/*
 * Writes the last block and the end marker, syncs the file and renames it
 * over PATH.  On error, or if the writer had already failed, PATH is left
 * alone and PATH.partial keeps the readable prefix described by *stats.
 * Frees the writer in every case; stats may be NULL.
 */
int recfile_close(struct recfile_writer *w, struct recfile_stats *stats);

/*
 * Opens a file and checks its header.  RECFILE_EFOREIGN, RECFILE_ENEWER,
 * RECFILE_ECORRUPT or RECFILE_ETRUNCATED (cut inside the header) say why
 * not.  Returns NULL with *err set on error.
 */
struct recfile_reader *recfile_open(const char *path, int *err);
/* The same on an open descriptor, which the reader then owns and closes. */
struct recfile_reader *recfile_open_fd(int fd, int *err);
/* The caller's header bytes, as given to recfile_create(). */
const void *recfile_header(const struct recfile_reader *r, size_t *len);
/*
 * The next record: returns 1 and sets *type, *payload and *len; 0 at the
 * end marker; a negative error otherwise, which every later call repeats.
 * *payload is 8-byte aligned and valid until the next call.
 */
int recfile_next(struct recfile_reader *r, uint32_t *type, const void **payload, uint32_t *len);
/* How much was read; after RECFILE_ETRUNCATED, how much was readable. */
void recfile_reader_stats(const struct recfile_reader *r, struct recfile_stats *stats);
/*
 * What recfile_next() last failed on and where, e.g. "block 3 at byte
 * 81920: payload checksum mismatch"; "" if it has not failed.
 */
const char *recfile_reader_problem(const struct recfile_reader *r);
void recfile_close_reader(struct recfile_reader *r);

/* A message for any error these functions return. */
const char *recfile_strerror(int err);

#endif
