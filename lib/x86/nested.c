// SPDX-License-Identifier: GPL-2.0-only
/*
 * What both L1 hypervisors share: L2's request and its MSR access, and
 * which vendor to use (nested.h).
 */
#include "libcflat.h"
#include "nested.h"
#include "processor.h"
#include "svm.h"
#include "vmx.h"

struct l2_req l2_req;

/* ECX, EAX and EDX hold the operands at the instruction, for L1 to see. */
void l2_msr_access(void)
{
	u32 lo = (u32)l2_req.value, hi = l2_req.value >> 32;

	if (l2_req.write) {
		asm volatile("wrmsr" : : "c"(l2_req.index), "a"(lo), "d"(hi) : "memory");
	} else {
		asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(l2_req.index) : "memory");
		l2_req.value = lo | (u64)hi << 32;
	}
	l2_req.done = 1;
}

const struct nested_ops *nested_probe(const char **why)
{
	if (svm_supported())
		return &svm_nested_ops;
	if (vmx_supported())
		return &vmx_nested_ops;
	*why = "no SVM or VMX in the guest's CPUID: the host cannot nest "
	       "(kvm_pvm, or kvm_amd/kvm_intel nested=0)";
	return NULL;
}

void nested_intercept_msr(const struct nested_ops *ops, u32 index, u32 type,
			  bool intercept)
{
	msrf_l1_bitmap_set(ops->vendor, ops->bitmap, index, type, intercept);
}

void nested_l1_view(const struct nested_ops *ops, struct msrf_l1 *l1)
{
	l1->vendor = ops->vendor;
	l1->use_bitmap = ops->uses_bitmap();
	l1->bitmap = ops->bitmap;
}

void nested_run_msr(const struct nested_ops *ops, u32 index, bool write,
		    u64 value, struct l2_run *r)
{
	l2_req = (struct l2_req){ .index = index, .write = write, .value = value };
	ops->run(l2_msr_access, r);
}
