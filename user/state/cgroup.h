/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory cgroups by id: the kernel names a cgroup by its kernfs id (the
 * inode number of its directory); people name it by its path.
 */
#ifndef FS_STATE_CGROUP_H
#define FS_STATE_CGROUP_H

#include <stddef.h>
#include <stdint.h>

/*
 * The path of the memory cgroup with this id, relative to its hierarchy
 * ("/" for the root, "/system.slice/nginx.service"), found under root's
 * sys/fs/cgroup/memory (v1) or sys/fs/cgroup (v2).  0, or -ENOENT when no
 * such cgroup exists (any more).
 */
int cgroup_path_by_id(const char *root, uint64_t id, char *out, size_t len);

#endif
