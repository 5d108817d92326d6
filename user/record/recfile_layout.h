/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The record file's byte layout, shared by its writer (recfile_write.c)
 * and reader (recfile_read.c): recfile.h states the container's guarantees
 * and docs/file-format.md its layout, which the offsets below spell out.
 */
#ifndef FS_RECORD_RECFILE_LAYOUT_H
#define FS_RECORD_RECFILE_LAYOUT_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
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

static inline void put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

static inline void put_le64(unsigned char *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, v >> 32);
}

static inline uint32_t get_le32(const unsigned char *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t get_le64(const unsigned char *p)
{
	return get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static inline uint32_t checksum(const unsigned char *p, size_t len)
{
	return crc32(0, p, len);
}

static inline size_t record_size(uint32_t len)
{
	return RECORD_HDR_SIZE + (((size_t)len + RECORD_ALIGN - 1) & ~(size_t)(RECORD_ALIGN - 1));
}

static inline int reserve(unsigned char **buf, size_t *cap, size_t need)
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

#endif
