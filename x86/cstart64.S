/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multiboot v1 entry: 32-bit protected mode, paging off, EAX = magic,
 * EBX = multiboot info.  We go straight to long mode (this suite's KVM
 * backend rejects 32-bit PAE paging without long mode, and IRET in 32-bit
 * protected mode without paging), with the low 4 GiB
 * identity-mapped in 2 MiB pages and the top GiB (xAPIC, I/O APIC MMIO)
 * uncached, then call x86_setup() and exit(main(argc, argv, envp)).
 */
#define MB_HEADER_MAGIC	0x1badb002
#define MB_FLAGS	0x00000003	/* page-align modules, want mem info */
#define KVMRUN_AP_MAGIC	0x4b564d41	/* kvmrun's harness-specific AP start */
#define STACK_SIZE	16384
#define PTE_P		0x001
#define PTE_RW		0x002
#define PTE_PWT		0x008
#define PTE_PCD		0x010
#define PTE_PS		0x080

	.section .text.boot, "ax"
	.code32
	.balign 4
mb_header:
	.long MB_HEADER_MAGIC
	.long MB_FLAGS
	.long -(MB_HEADER_MAGIC + MB_FLAGS)

	.globl start
start:
	cli
	cld
	cmpl $KVMRUN_AP_MAGIC, %eax
	je ap_start32
	movl %eax, mb_magic
	movl %ebx, mb_info_addr
	movl $bsp_stack + STACK_SIZE, %esp

	/* PML4[0] -> PDPT, PDPT[0..3] -> PD0..PD3, PDn: 512 x 2 MiB each. */
	movl $pdpt + PTE_P + PTE_RW, pml4
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $12, %eax
	addl $pd + PTE_P + PTE_RW, %eax
	movl %eax, pdpt(, %ecx, 8)
	incl %ecx
	cmpl $4, %ecx
	jb 1b

	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $PTE_P + PTE_RW + PTE_PS, %eax
	cmpl $3 * 512, %ecx
	jb 3f
	orl $PTE_PCD + PTE_PWT, %eax	/* 3-4 GiB: MMIO, keep it uncached */
3:	movl %eax, pd(, %ecx, 8)
	incl %ecx
	cmpl $4 * 512, %ecx
	jb 2b

	xorl %edi, %edi			/* BSP */

	/* EDI = 0 for the BSP, 1 for an AP; both land in start64. */
enter_long_mode:
	lgdt gdt_desc
	movl %cr4, %eax
	orl $0x20, %eax			/* PAE */
	movl %eax, %cr4
	movl $pml4, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx		/* EFER.LME */
	rdmsr
	orl $0x100, %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80000001, %eax		/* PG | PE, together: straight to long mode */
	movl %eax, %cr0
	ljmpl $0x08, $start64

	/*
	 * An AP started by kvmrun: EBX = its stack top.  The page tables
	 * and GDT are the BSP's, already built.
	 */
ap_start32:
	movl %ebx, %esp
	movl $1, %edi
	jmp enter_long_mode

	.code64
start64:
	testl %edi, %edi
	jnz ap_start64
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	movq $bsp_stack + STACK_SIZE, %rsp
	call x86_setup
	movl __argc(%rip), %edi
	leaq __argv(%rip), %rsi
	leaq __envp(%rip), %rdx
	call main
	movl %eax, %edi
	call exit
4:	hlt
	jmp 4b

ap_start64:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	movl %esp, %esp			/* zero-extend the 32-bit stack top */
	call ap_main
5:	hlt
	jmp 5b

	.section .rodata
	.balign 16
gdt:
	.quad 0
	.quad 0x00af9b000000ffff	/* 0x08: 64-bit code, DPL 0 */
	.quad 0x00cf93000000ffff	/* 0x10: data */
	.quad 0x00cf9b000000ffff	/* 0x18: 32-bit code */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.quad gdt

	.section .bss
	.balign 4096
pml4:	.skip 4096
pdpt:	.skip 4096
pd:	.skip 4 * 4096
	.balign STACK_SIZE
	.globl bsp_stack
bsp_stack:
	.skip STACK_SIZE
