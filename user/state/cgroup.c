// SPDX-License-Identifier: GPL-2.0
#include "state/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CGROUP_MAX_DEPTH 32

/* Depth-first under dirfd; rel is the path so far, "" at the top. */
static int search(int dirfd, uint64_t id, char *rel, size_t len, int depth)
{
	DIR *d;
	struct dirent *de;
	size_t at = strlen(rel);
	int found = -ENOENT;

	if (depth > CGROUP_MAX_DEPTH)
		return -ENOENT;
	d = fdopendir(dirfd);
	if (!d) {
		close(dirfd);
		return -ENOENT;
	}
	while (found && (de = readdir(d))) {
		struct stat st;
		int child;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISDIR(st.st_mode))
			continue;
		if (snprintf(rel + at, len - at, "/%s", de->d_name) >= (int)(len - at))
			continue;
		if (st.st_ino == id) {
			found = 0;
			break;
		}
		child = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (child >= 0)
			found = search(child, id, rel, len, depth + 1);
		if (found)
			rel[at] = 0;
	}
	closedir(d);
	return found;
}

int cgroup_path_by_id(const char *root, uint64_t id, char *out, size_t len)
{
	static const char *const hierarchies[] = { "sys/fs/cgroup/memory", "sys/fs/cgroup" };

	for (size_t i = 0; i < sizeof(hierarchies) / sizeof(*hierarchies); i++) {
		char top[4096];
		struct stat st;
		int fd;

		snprintf(top, sizeof(top), "%s/%s", root, hierarchies[i]);
		fd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!fstat(fd, &st) && st.st_ino == id) {
			close(fd);
			snprintf(out, len, "/");
			return 0;
		}
		out[0] = 0;
		if (!search(fd, id, out, len, 0))
			return 0;
		/* v1 mounts its memory hierarchy apart: only that one holds memory cgroups. */
		if (i == 0)
			break;
	}
	out[0] = 0;
	return -ENOENT;
}
