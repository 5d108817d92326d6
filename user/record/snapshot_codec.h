/* SPDX-License-Identifier: GPL-2.0 */
/* A snapshot as bytes, for REC_SNAPSHOT records: pure functions. */
#ifndef FS_RECORD_SNAPSHOT_CODEC_H
#define FS_RECORD_SNAPSHOT_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include "model/snapshot.h"

/* Encodes s into a malloc'd buffer; NULL if out of memory. */
void *snapshot_encode(const struct snapshot *s, size_t *len);
/* Decodes; -EINVAL when the bytes are not a whole, consistent snapshot. */
/* format_version: the record file's (older formats stored fewer counters). */
int snapshot_decode(const void *data, size_t len, uint32_t format_version, struct snapshot *out);

#endif
