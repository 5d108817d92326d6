/* SPDX-License-Identifier: GPL-2.0 */
/* What kernel/kallsyms.c, the file loader, needs of the table beyond ksyms.h. */
#ifndef FS_KERNEL_KSYMS_INTERNAL_H
#define FS_KERNEL_KSYMS_INTERNAL_H

#include <stdint.h>

struct ksyms;

/* Packs a sorted table's addresses to 4 bytes each (adding unpacks them). */
void ksyms_pack(struct ksyms *k);
/* Marks a table of a file whose addresses were all 0 (kptr_restrict). */
void ksyms_set_hidden(struct ksyms *k);
/* Notes a section marker the loader met (see ksyms_interrupt_text()). */
void ksyms_note_marker(struct ksyms *k, const char *name, uint64_t addr);

#endif
