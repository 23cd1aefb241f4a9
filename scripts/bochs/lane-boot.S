/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lane-boot: the Intel lane's boot stub (NESTED_INTEL_BOOT=fast, the
 * default; scripts/nested-intel.sh).  It boots a Linux kernel whose
 * decompressor already ran, on the host (scripts/lib/fastboot.sh):
 *
 *   before the BIOS   Bochs put the uncompressed kernel (the ELF's PT_LOAD
 *                     segments at their physical addresses, from the
 *                     setup header's pref_address on), the initramfs
 *                     (INITRD_ADDR) and an 8-byte token (TOKEN_ADDR) in
 *                     RAM (bochsrc optramimage1-3);
 *   the BIOS          boots this file from the lane's CD (El Torito, no
 *                     emulation) at 0x7c00: this code, the command line
 *                     and the kernel's own real-mode setup code (the
 *                     bzImage's first (setup_sects + 1) * 512 bytes);
 *   real mode, here   copies the setup code to 0x10000 and the command
 *                     line to 0x20000, writes the setup header fields a
 *                     boot loader writes (Documentation/arch/x86/boot.rst,
 *                     "The real-mode kernel header") and jumps to the
 *                     setup code, as isolinux does;
 *   the setup code    (the kernel's, unchanged) queries the BIOS (e820,
 *                     EDD, video, keyboard), fills boot_params, enters
 *                     32-bit protected mode and jumps to code32_start,
 *                     which is hook32 below instead of the bzImage's
 *                     decompressor (boot.rst, "Advanced Boot Loader
 *                     Hooks");
 *   hook32, here      moves the initramfs to where isolinux puts it (the
 *                     top of RAM) and does what the decompressor does
 *                     besides unpacking: stores the ACPI RSDP address in
 *                     boot_params, turns on 4-level paging with an
 *                     identity map and long mode, and enters the kernel at
 *                     KERNEL_ENTRY (the ELF entry point) with RSI =
 *                     boot_params (boot.rst, "64-bit Boot Protocol").
 *
 * The decompressor of a kernel booted with nokaslr unpacks the ELF, copies
 * its PT_LOAD segments to their physical addresses (relative to
 * LOAD_PHYSICAL_ADDR, where it then runs) and applies no relocation; so the
 * kernel code that runs from KERNEL_ENTRY on is the same either way, and so
 * is boot_params but for type_of_loader (0xff here, isolinux's 0x30),
 * code32_start, the decompressor's scratch word and the cursor position
 * isolinux's own output leaves (measured: Debian's 6.1, the same dmesg but
 * for the clock, the same /proc/meminfo).
 *
 * Built by scripts/lib/fastboot.sh for each boot, with
 *   gcc -c -DSETUP_FILE='"setup.bin"' -DCMDLINE_FILE='"cmdline"'
 *       -DINITRD_ADDR=... -DINITRD_SIZE=... -DKERNEL_ENTRY=... -DTOKEN_ADDR=...
 *   objcopy -O binary -j .text
 * Everything is addressed through ABS() (no relocations, no linker).
 */

#define LOAD_ADDR	0x7c00		/* where the BIOS puts this file */
#define ABS(x)		((x) - _start + LOAD_ADDR)

#define REAL_SEG	0x1000		/* the setup code at 0x10000, as isolinux */
#define HEAP_END	0xfe00		/* heap_end_ptr: heap and stack to 0x20000 */
#define CMDLINE_ADDR	0x20000		/* right after them, as isolinux */
#define PT_BASE		0x70000		/* 6 pages: PML4, PDPT, 4 page directories */
#define STACK32		LOAD_ADDR	/* hook32's stack grows down from here */

/* struct setup_header and struct boot_params offsets (boot.rst) */
#define BP_E820_ENTRIES	0x1e8
#define HDR_VID_MODE	0x1fa
#define HDR_MAGIC	0x202		/* "HdrS" */
#define HDR_LOADER	0x210		/* type_of_loader */
#define HDR_LOADFLAGS	0x211
#define HDR_CODE32	0x214		/* code32_start */
#define HDR_RD_IMAGE	0x218		/* ramdisk_image */
#define HDR_RD_SIZE	0x21c		/* ramdisk_size */
#define HDR_HEAP_END	0x224		/* heap_end_ptr */
#define HDR_CMDLINE	0x228		/* cmd_line_ptr */
#define HDR_INITRD_MAX	0x22c		/* initrd_addr_max */
#define BP_E820_TABLE	0x2d0		/* 20-byte entries: addr, size, type */
#define BP_RSDP		0x070		/* boot_params.acpi_rsdp_addr */
#define CAN_USE_HEAP	0x80

/* The kernel's boot GDT selectors (64-bit boot protocol) */
#define BOOT_CS		0x10
#define BOOT_DS		0x18

#define COM1		0x3f8
#define TOKEN_LO	0x454e414c	/* "LANEBOOT", as scripts/lib/fastboot.sh writes it */
#define TOKEN_HI	0x544f4f42

/*
 * Print the NUL-terminated string at %si (%esi) to COM1; 16- and 32-bit
 * code alike.  Clobbers %eax, %ecx, %edx, %esi.
 */
.macro PUTS
.Lputs_next\@:
	lodsb
	testb	%al, %al
	jz	.Lputs_done\@
	movb	%al, %ah
	movw	$COM1 + 5, %dx		/* line status: wait for room, not forever */
	xorl	%ecx, %ecx
	movw	$0xffff, %cx
.Lputs_wait\@:
	inb	%dx, %al
	testb	$0x20, %al
	jnz	.Lputs_out\@
	loop	.Lputs_wait\@
.Lputs_out\@:
	movb	%ah, %al
	movw	$COM1, %dx
	outb	%al, %dx
	jmp	.Lputs_next\@
.Lputs_done\@:
.endm

	.text
	.code16
	.globl	_start
_start:
	cli
	ljmp	$0, $ABS(real_start)	/* CS = 0, whether the BIOS used 0x07c0:0 or 0:0x7c00 */

banner:	.asciz	"lane-boot: entering the kernel without its decompressor\r\n"
msg_hdr: .asciz	"lane-boot: error: the setup code has no HdrS header\r\n"
msg_reset: .asciz "lane-boot: error: second boot since power-on (L1 reset); the preloaded kernel is not pristine any more\r\n"
msg_la57: .asciz "lane-boot: error: this CPU has 5-level paging, which the decompressor would turn on (boot with NESTED_INTEL_BOOT=cd)\r\n"

real_start:
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	$LOAD_ADDR, %sp
	cld

	/* COM1: 115200 8N1 (divisor 1), as isolinux's "serial 0 115200". */
	movw	$COM1 + 3, %dx
	movb	$0x80, %al		/* DLAB */
	outb	%al, %dx
	movw	$COM1, %dx
	movb	$1, %al
	outb	%al, %dx
	incw	%dx
	xorb	%al, %al
	outb	%al, %dx
	movw	$COM1 + 3, %dx
	movb	$3, %al
	outb	%al, %dx
	movw	$ABS(banner), %si
	PUTS

	/* The command line (with its NUL) to CMDLINE_ADDR. */
	movw	$ABS(cmdline), %si
	movw	$CMDLINE_ADDR >> 4, %ax
	movw	%ax, %es
	xorw	%di, %di
	movw	$cmdline_end - cmdline, %cx
	rep movsb

	/*
	 * The setup code to REAL_SEG:0.  It may reach past 0x10000 where it is
	 * now, so copy from the end down.
	 */
	movw	$ABS(setup) >> 4, %ax
	movw	%ax, %ds
	movw	$REAL_SEG, %ax
	movw	%ax, %es
	movw	$setup_end - setup - 1, %si
	movw	%si, %di
	movw	$setup_end - setup, %cx
	std
	rep movsb
	cld

	/* The header fields a boot loader fills in. */
	xorw	%ax, %ax
	movw	%ax, %ds
	cmpl	$0x53726448, %es:HDR_MAGIC
	je	1f
	movw	$ABS(msg_hdr), %si
	PUTS
	jmp	halt16
	/*
	 * vid_mode 0, as isolinux leaves it without vga=: the first mode of
	 * the setup code's list, 80x25 text, which "normal" (0xffff) sets too.
	 */
1:	movw	$0, %es:HDR_VID_MODE
	movb	$0xff, %es:HDR_LOADER		/* no registered loader ID */
	orb	$CAN_USE_HEAP, %es:HDR_LOADFLAGS
	movl	$ABS(hook32), %es:HDR_CODE32
	movl	$INITRD_ADDR, %es:HDR_RD_IMAGE
	movl	$INITRD_SIZE, %es:HDR_RD_SIZE
	movw	$HEAP_END, %es:HDR_HEAP_END
	movl	$CMDLINE_ADDR, %es:HDR_CMDLINE

	/* Enter the setup code: segments at its base, stack at the heap's end. */
	movw	$REAL_SEG, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	movw	%ax, %ss
	movw	$(HEAP_END + 0x200) & 0xffff, %sp
	ljmp	$REAL_SEG + 0x20, $0

halt16:
	cli
	hlt
	jmp	halt16

/*
 * hook32: the setup code's jump to code32_start.  32-bit protected mode,
 * flat __BOOT_CS/__BOOT_DS of the setup code's GDT, interrupts off,
 * %esi = boot_params.
 */
	.code32
hook32:
	movl	$STACK32, %esp

	/*
	 * The token: Bochs put it in RAM with the kernel at power-on, and it is
	 * cleared here.  A reset (reset_on_triple_fault, panic=-1) boots this
	 * stub again, but not the kernel's pristine image: stop.
	 */
	movl	$TOKEN_ADDR, %edi
	cmpl	$TOKEN_LO, (%edi)
	jne	1f
	cmpl	$TOKEN_HI, 4(%edi)
	jne	1f
	movl	$0, (%edi)
	movl	$0, 4(%edi)
	jmp	2f
1:	movl	$ABS(msg_reset), %esi
	jmp	fail32

	/*
	 * With CONFIG_X86_5LEVEL the decompressor turns on 5-level paging
	 * when the CPU has it (CPUID.(EAX=7,ECX=0):ECX[16]); the lane's CPU
	 * model does not, and this stub does 4-level only.
	 */
2:	xorl	%eax, %eax
	cpuid
	cmpl	$7, %eax
	jb	3f
	movl	$7, %eax
	xorl	%ecx, %ecx
	cpuid
	testl	$1 << 16, %ecx
	jz	3f
	movl	$ABS(msg_la57), %esi
	jmp	fail32

	/* boot_params.acpi_rsdp_addr, which the decompressor fills in too. */
3:	call	find_rsdp
	movl	%eax, BP_RSDP(%esi)
	movl	$0, BP_RSDP + 4(%esi)

	call	move_initrd

	/* Identity map of the first 4 GiB, 2 MiB pages. */
	movl	$PT_BASE, %edi
	xorl	%eax, %eax
	movl	$6 * 4096 / 4, %ecx
	rep stosl
	movl	$PT_BASE + 0x1000 + 0x3, %eax		/* present, writable */
	movl	%eax, PT_BASE
	movl	$PT_BASE + 0x2000 + 0x3, %eax
	movl	$PT_BASE + 0x1000, %edi
	movl	$4, %ecx
4:	movl	%eax, (%edi)
	addl	$0x1000, %eax
	addl	$8, %edi
	loop	4b
	movl	$0x83, %eax				/* present, writable, 2 MiB */
	movl	$PT_BASE + 0x2000, %edi
	movl	$4 * 512, %ecx
5:	movl	%eax, (%edi)
	addl	$0x200000, %eax
	addl	$8, %edi
	loop	5b

	/* Long mode: PAE, CR3, EFER.LME, then paging (as the decompressor). */
	lgdt	ABS(gdt_desc)
	movl	%cr4, %eax
	andl	$1 << 6, %eax				/* keep MCE */
	orl	$1 << 5, %eax				/* PAE */
	movl	%eax, %cr4
	movl	$PT_BASE, %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx			/* EFER */
	rdmsr
	orl	$1 << 8, %eax				/* LME */
	wrmsr
	/* PE MP ET NE WP AM PG, the kernel's CR0_STATE */
	movl	$0x80050033, %eax
	movl	%eax, %cr0
	pushl	$BOOT_CS
	pushl	$ABS(start64)
	lret

fail32:
	PUTS
6:	cli
	hlt
	jmp	6b

/*
 * move_initrd: put the initramfs where isolinux puts it, at the top of the
 * highest RAM region of the e820 map (boot_params, just filled in by the
 * setup code) below initrd_addr_max, 4 KiB aligned, and tell the kernel.
 * Bochs could only preload it low (the BIOS's own allocations come from
 * the top of RAM down); from here on, L1's kernel lays out its memory as
 * after an isolinux boot.  Where no such place lies wholly above the
 * preloaded copy, the initramfs stays where it is.  Keeps %esi.
 */
move_initrd:
	xorl	%edi, %edi				/* the best place so far */
	movzbl	BP_E820_ENTRIES(%esi), %ecx
	leal	BP_E820_TABLE(%esi), %ebx
1:	jecxz	5f
	cmpl	$1, 16(%ebx)				/* E820 RAM */
	jne	4f
	cmpl	$0, 4(%ebx)				/* starts above 4 GiB */
	jne	4f
	movl	(%ebx), %eax				/* %edx:%eax = its end */
	movl	12(%ebx), %edx
	addl	8(%ebx), %eax
	adcl	$0, %edx
	testl	%edx, %edx
	jz	2f
	movl	$0xffffffff, %eax			/* last byte: 4 GiB - 1 at most */
	jmp	3f
2:	testl	%eax, %eax
	jz	4f
	decl	%eax
3:	cmpl	HDR_INITRD_MAX(%esi), %eax		/* and initrd_addr_max */
	jbe	6f
	movl	HDR_INITRD_MAX(%esi), %eax
6:	movl	%eax, %edx				/* room from the region's start? */
	subl	(%ebx), %edx
	jb	4f
	cmpl	HDR_RD_SIZE(%esi), %edx
	jb	4f
	subl	HDR_RD_SIZE(%esi), %eax			/* last + 1 - size, aligned down */
	incl	%eax
	andl	$~0xfff, %eax
	cmpl	(%ebx), %eax
	jb	4f
	cmpl	%edi, %eax
	jbe	4f
	movl	%eax, %edi
4:	addl	$20, %ebx
	decl	%ecx
	jmp	1b
5:	movl	HDR_RD_IMAGE(%esi), %eax		/* the preloaded copy */
	movl	HDR_RD_SIZE(%esi), %ecx
	leal	(%eax,%ecx), %edx
	cmpl	%edx, %edi				/* wholly above it, or stay */
	jb	7f
	movl	%edi, HDR_RD_IMAGE(%esi)
	pushl	%esi
	movl	%eax, %esi
	cld
	rep movsb
	popl	%esi
7:	ret

/*
 * find_rsdp: %eax = the physical address of the ACPI RSDP, or 0.  As the
 * ACPI specification has OSPM find it on IA-PC systems: on a 16-byte
 * boundary in the first KiB of the EBDA (segment at 0x40e), else in
 * 0xe0000-0xfffff; "RSD PTR ", its first 20 bytes summing to 0, and from
 * revision 2 on its first 36 bytes too.  Keeps %esi.
 */
find_rsdp:
	movzwl	0x40e, %edi
	shll	$4, %edi
	cmpl	$0x400, %edi
	jbe	1f
	movl	$1024, %edx
	call	scan_rsdp
	testl	%eax, %eax
	jnz	2f
1:	movl	$0xe0000, %edi
	movl	$0x20000, %edx
	call	scan_rsdp
2:	ret

/* scan_rsdp: look at %edx bytes from %edi; %eax = address or 0. */
scan_rsdp:
	addl	%edi, %edx				/* the end */
1:	cmpl	%edx, %edi
	jae	4f
	cmpl	$0x20445352, (%edi)			/* "RSD " */
	jne	3f
	cmpl	$0x20525450, 4(%edi)			/* "PTR " */
	jne	3f
	movl	$20, %ecx
	call	sum8
	jnz	3f
	cmpb	$2, 15(%edi)				/* revision */
	jb	2f
	movl	$36, %ecx
	call	sum8
	jnz	3f
2:	movl	%edi, %eax
	ret
3:	addl	$16, %edi
	jmp	1b
4:	xorl	%eax, %eax
	ret

/* sum8: ZF set when the %ecx bytes from %edi add up to 0 (mod 256). */
sum8:
	xorl	%eax, %eax
	xorl	%ebx, %ebx
1:	addb	(%edi,%ebx), %al
	incl	%ebx
	cmpl	%ecx, %ebx
	jb	1b
	testb	%al, %al
	ret

	.code64
start64:
	movl	$BOOT_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	xorl	%eax, %eax
	movl	%eax, %fs
	movl	%eax, %gs
	movl	%esi, %esi				/* boot_params, zero-extended */
	movq	$STACK32, %rsp
	movabsq	$KERNEL_ENTRY, %rax
	jmpq	*%rax

/*
 * The GDT of the 64-bit boot protocol: __BOOT_CS a 64-bit code segment,
 * __BOOT_DS a flat read/write data segment.  Descriptor fields (SDM Vol. 3A
 * "Segment Descriptors"): limit 0xfffff with G = 1; access byte 0x9a
 * (present, DPL 0, code, execute/read) with L = 1, or 0x92 (present, DPL 0,
 * data, read/write) with D/B = 1.
 */
	.balign	8
gdt:
	.quad	0
	.quad	0
	.quad	0x00af9a000000ffff			/* BOOT_CS */
	.quad	0x00cf92000000ffff			/* BOOT_DS */
gdt_end:
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	ABS(gdt)

	.balign	16
cmdline:
	.incbin	CMDLINE_FILE
cmdline_end:
	.balign	16
setup:
	.incbin	SETUP_FILE
setup_end:

	/* The setup code and its heap end at 0x20000; the host checks that
	   this whole file, loaded at 0x7c00, ends below 0x20000 too. */
	.if	setup_end - setup > 0x8000
	.error	"setup code larger than 32 KiB"
	.endif
	.if	cmdline_end - cmdline > 0x1000
	.error	"command line longer than 4 KiB"
	.endif
