// SPDX-License-Identifier: GPL-2.0
/*
 * numabind: run a command kept to some NUMA nodes, for the VM's NUMA
 * scenario (tests/vm/scenarios/numa.sh).
 *
 *   numabind NODES CMD [ARGS]   run CMD under set_mempolicy(MPOL_BIND, NODES)
 *                               (a comma-separated list, nodes 0-63)
 *
 * The policy is inherited across exec, so CMD's every allocation, the
 * kernel's for its syscalls included, may only come from NODES: a page
 * allocation the bound nodes cannot serve fails there, whatever the other
 * nodes have free.  (numactl --membind, without the dependency.)
 *
 * Exit: CMD's; 2 for bad arguments, 1 if the policy or the exec fails.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MPOL_BIND 2 /* include/uapi/linux/mempolicy.h */

/* "1" or "0,1" as a node mask; 0 if malformed. */
static unsigned long parse_nodes(const char *list)
{
	unsigned long mask = 0;
	char *end;

	for (const char *p = list; *p; p = *end ? end + 1 : end) {
		long n = strtol(p, &end, 10);

		if (end == p || n < 0 || n >= 64 || (*end && *end != ','))
			return 0;
		mask |= 1UL << n;
	}
	return mask;
}

int main(int argc, char **argv)
{
	unsigned long mask = argc >= 3 ? parse_nodes(argv[1]) : 0;

	if (!mask) {
		fprintf(stderr, "usage: numabind NODES CMD [ARGS]\n");
		return 2;
	}
	/* maxnode counts bits, and the kernel reads one fewer than it is told. */
	if (syscall(SYS_set_mempolicy, MPOL_BIND, &mask, sizeof(mask) * 8 + 1)) {
		fprintf(stderr, "numabind: set_mempolicy(MPOL_BIND, %s): %s\n", argv[1], strerror(errno));
		return 1;
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "numabind: %s: %s\n", argv[2], strerror(errno));
	return 1;
}
