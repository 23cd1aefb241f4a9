/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One entry stub per vector.  Each pushes a zero error code where the CPU
 * does not push one, then the vector, so every frame has the struct ex_regs
 * layout (lib/x86/desc.h), and jumps to the common path that saves the GPRs
 * and calls do_handle_exception().
 */
	.text
	.code64

/* Vectors for which the CPU pushes an error code. */

	.macro isr_stub vec
	.balign 16
isr_\vec:
	.if !(\vec == 8 || (\vec >= 10 && \vec <= 14) || \vec == 17 || \vec == 21 || \vec == 29 || \vec == 30)
	pushq $0
	.endif
	pushq $\vec
	jmp isr_common
	.endm

	.altmacro
	.macro isr_stubs from, to
	isr_stub %from
	.if \to-\from
	isr_stubs %(from+1), \to
	.endif
	.endm

	/* Split to keep the assembler's macro recursion shallow. */
	isr_stubs 0, 63
	isr_stubs 64, 127
	isr_stubs 128, 191
	isr_stubs 192, 255

isr_common:
	cld
	pushq %r15
	pushq %r14
	pushq %r13
	pushq %r12
	pushq %r11
	pushq %r10
	pushq %r9
	pushq %r8
	pushq %rdi
	pushq %rsi
	pushq %rbp
	pushq %rbx
	pushq %rdx
	pushq %rcx
	pushq %rax
	movq %rsp, %rdi
	/* Keep the ABI's 16-byte stack alignment for the C handler. */
	movq %rsp, %rbx
	andq $-16, %rsp
	call do_handle_exception
	movq %rbx, %rsp
	popq %rax
	popq %rcx
	popq %rdx
	popq %rbx
	popq %rbp
	popq %rsi
	popq %rdi
	popq %r8
	popq %r9
	popq %r10
	popq %r11
	popq %r12
	popq %r13
	popq %r14
	popq %r15
	addq $16, %rsp		/* vector and error code */
	iretq

	.macro isr_addr vec
	.quad isr_\vec
	.endm
	.macro isr_addrs from, to
	isr_addr %from
	.if \to-\from
	isr_addrs %(from+1), \to
	.endif
	.endm

	.section .rodata
	.balign 8
	.globl isr_table
isr_table:
	isr_addrs 0, 63
	isr_addrs 64, 127
	isr_addrs 128, 191
	isr_addrs 192, 255
