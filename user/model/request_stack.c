// SPDX-License-Identifier: GPL-2.0
/*
 * What a failure's kernel stack says of its request: where it ran (syscall,
 * page fault, kernel thread, interrupt), which caller asked (the first
 * frame outside the allocators), and through which interface (kvmalloc,
 * vmalloc, kmalloc, the hugetlb pool...).
 */
#include <string.h>

#include "kernel/ksyms.h"
#include "model/internal.h"
#include "model/model.h"

const char *request_frame_name(const struct model *m, uint64_t addr)
{
	const struct ksym *sym = m->ksyms ? ksyms_find(m->ksyms, addr) : NULL;

	return sym && sym->name ? sym->name : NULL;
}

uint64_t request_function_of(const struct model *m, uint64_t addr)
{
	const struct ksym *sym = m->ksyms && addr ? ksyms_find(m->ksyms, addr) : NULL;

	return sym ? sym->addr : addr;
}

static bool name_has_prefix(const char *name, const char *const *prefixes)
{
	for (const char *const *p = prefixes; name && *p; p++)
		if (!strncmp(name, *p, strlen(*p)))
			return true;
	return false;
}

static const char *const syscall_frames[] = { "do_syscall_64", "entry_SYSCALL", "do_syscall_x64", "__x64_sys_",
					       "__arm64_sys_", "el0_svc", "invoke_syscall", NULL };
static const char *const softirq_frames[] = { "handle_softirqs", "__do_softirq", "do_softirq", "run_ksoftirqd", NULL };
static const char *const irq_frames[] = { "__sysvec_", "sysvec_", "asm_sysvec_", "common_interrupt",
					  "asm_common_interrupt", "handle_irq_event", "__handle_irq_event", NULL };
static const char *const fault_frames[] = { "exc_page_fault", "do_user_addr_fault", "handle_mm_fault",
					    "do_page_fault", "el0_da", NULL };

/*
 * Where the allocation ran, from its stack: the innermost interrupt or
 * softirq frame wins (it interrupted whatever is further out); a page fault
 * inside a syscall (copy_from_user) belongs to the syscall.
 */
enum request_context request_stack_context(const struct model *m, const uint64_t *frames, uint32_t nr)
{
	bool fault = false, kthread = false;

	for (uint32_t i = 0; i < nr; i++) {
		const char *name = request_frame_name(m, frames[i]);

		if (name_has_prefix(name, softirq_frames))
			return CONTEXT_SOFTIRQ;
		if (name_has_prefix(name, irq_frames))
			return CONTEXT_IRQ;
		if (name_has_prefix(name, syscall_frames))
			return CONTEXT_SYSCALL;
		fault |= name_has_prefix(name, fault_frames);
		kthread |= name && !strcmp(name, "kthread");
	}
	if (fault)
		return CONTEXT_FAULT;
	return kthread ? CONTEXT_KTHREAD : CONTEXT_TASK;
}

/* The first frame outside the allocators: the caller that asked. */
uint32_t request_caller_frame(const struct model *m, const uint64_t *frames, uint32_t nr)
{
	uint32_t i = 0;
	const char *name;

	while (i < nr && (name = request_frame_name(m, frames[i])) && allocator_function(name))
		i++;
	return i;
}

static const char *const kvmalloc_frames[] = { "kvmalloc", "__kvmalloc", "kvzalloc", "kvcalloc", "kvrealloc", NULL };
/*
 * A collapse into a huge page: khugepaged's scan (its thread function
 * "khugepaged" is the bottom frame of every khugepaged stack, and its
 * allocation helper khugepaged_alloc_page on 5.10) and MADV_COLLAPSE both
 * allocate in collapse_huge_page or collapse_file, through
 * alloc_charge_hpage / alloc_charge_folio (6.1+).  A THP fault has none of
 * these frames, and its gfp can be the same GFP_TRANSHUGE: the stack is
 * the signal that tells them apart on every kernel.
 */
static const char *const collapse_frames[] = { "khugepaged", "collapse_huge_page", "collapse_file", "alloc_charge_",
					       "hpage_collapse_", "madvise_collapse", NULL };
static const char *const hugetlb_frames[] = { "alloc_buddy_hugetlb", "alloc_fresh_hugetlb", "alloc_pool_huge",
					      "alloc_surplus_hugetlb", "__alloc_buddy_huge_page",
					      "only_alloc_fresh_hugetlb", NULL };

bool model_stack_has_function(const struct model *m, const uint64_t *frames, uint32_t nr,
			      const char *const *prefixes)
{
	for (uint32_t i = 0; i < nr; i++)
		if (name_has_prefix(request_frame_name(m, frames[i]), prefixes))
			return true;
	return false;
}

/* The outermost interface the caller used, from the events and the stack. */
enum request_api request_api_of(const struct model *m, const struct request *r)
{
	const struct interned_stack *st = stack_table_get(&m->stacks, r->stack_id);
	bool kvmalloc = st && model_stack_has_function(m, st->frames, st->nr_frames, kvmalloc_frames);
	bool hugetlb = st && model_stack_has_function(m, st->frames, st->nr_frames, hugetlb_frames);
	bool collapse = st && model_stack_has_function(m, st->frames, st->nr_frames, collapse_frames);

	/* kvmalloc, or a caller's own kmalloc-then-vmalloc (bpf_map_area_alloc): one request either way. */
	if (kvmalloc || (request_has_event(r, FAIL_KMALLOC) &&
			 (request_has_event(r, FAIL_VMALLOC) || request_has_event(r, FAIL_VMAP_AREA))))
		return API_KVMALLOC;
	if (request_has_event(r, FAIL_VMALLOC) || request_has_event(r, FAIL_VMAP_AREA))
		return API_VMALLOC;
	if (request_has_event(r, FAIL_KMALLOC))
		return API_KMALLOC;
	if (request_has_event(r, FAIL_SLAB))
		return API_KMEM_CACHE;
	if (hugetlb)
		return API_HUGETLB;
	if (request_has_event(r, FAIL_THP))
		return collapse || !strncmp(r->comm, "khugepaged", FS_COMM_LEN) ? API_THP_COLLAPSE : API_THP_FAULT;
	return API_PAGE;
}

