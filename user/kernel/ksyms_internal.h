/* SPDX-License-Identifier: GPL-2.0 */
/* What kernel/kallsyms.c, the file loader, needs of the table beyond ksyms.h. */
#ifndef FS_KERNEL_KSYMS_INTERNAL_H
#define FS_KERNEL_KSYMS_INTERNAL_H

struct ksyms;

/* Packs a sorted table's addresses to 4 bytes each (adding unpacks them). */
void ksyms_pack(struct ksyms *k);
/* Marks a table of a file whose addresses were all 0 (kptr_restrict). */
void ksyms_set_hidden(struct ksyms *k);

#endif
