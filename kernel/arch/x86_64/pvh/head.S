/*
 * PVH entry point: the ELF note that names it, the switch from 32-bit
 * protected mode to long mode, and the exception stubs (under Xen the
 * hypercall page is hypercall.S's).
 *
 * Xen (type = "pvh") and QEMU's -kernel loader both enter pvh_start32 at its
 * physical address in 32-bit protected mode: paging off, flat 4 GiB code and
 * data segments, interrupts off, %ebx = the physical address of struct
 * hvm_start_info. The image is linked where it is loaded (virtual =
 * physical, pvh.ld), so the boot page tables below map the first 4 GiB
 * 1:1 with 2 MiB pages; start of day (kernel/pvh/mem.c) replaces them with
 * the real direct map.
 */
#include "../elfnote.h"
#include "../trap_stub.h"

ELFNOTE(XEN_ELFNOTE_GUEST_OS, .asciz "Tide")
ELFNOTE(XEN_ELFNOTE_GUEST_VERSION, .asciz "0.1")
ELFNOTE(XEN_ELFNOTE_XEN_VERSION, .asciz "xen-3.0")
ELFNOTE(XEN_ELFNOTE_PHYS32_ENTRY, .long pvh_start32)

#define BOOT_STACK_SIZE 65536
#define CR0_PE 0x00000001
#define CR0_PG 0x80000000
#define CR4_PAE 0x00000020
#define MSR_EFER 0xc0000080
#define EFER_LME 0x00000100
#define PTE_P_RW 0x003
#define PDE_2M 0x083 /* present, writable, 2 MiB page */
#define GDT_CODE64 0x08
#define GDT_DATA 0x10

	.section .text.entry, "ax"
	.code32
	.globl pvh_start32
pvh_start32:
	cld
	movl %ebx, %esi
	/* four page directories of 2 MiB pages: 0-4 GiB, 1:1 */
	movl $boot_pd, %edi
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $PDE_2M, %eax
	movl %eax, (%edi,%ecx,8)
	movl %ecx, %eax
	shrl $11, %eax
	movl %eax, 4(%edi,%ecx,8)
	incl %ecx
	cmpl $2048, %ecx
	jne 1b
	/* the PDPT's first four entries point at them; the PML4's first at the PDPT */
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $12, %eax
	addl $boot_pd + PTE_P_RW, %eax
	movl %eax, boot_pdpt(,%ecx,8)
	incl %ecx
	cmpl $4, %ecx
	jne 2b
	movl $boot_pdpt + PTE_P_RW, boot_pml4
	/* long mode: PAE, the tables, EFER.LME, then paging */
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_PE), %eax
	movl %eax, %cr0
	lgdt boot_gdt_desc
	ljmp $GDT_CODE64, $pvh_start64

	.code64
pvh_start64:
	movl $GDT_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	leaq boot_stack_top(%rip), %rsp
	movl %esi, %edi /* zero-extends: the start info's physical address */
	call pvh_start_of_day
3:	hlt
	jmp 3b

/*
 * Exception stubs: the CPU pushed ss, rsp, rflags, cs, rip and, for some
 * vectors, an error code. Every exception is fatal in Tide (pvh/traps.c).
 */
	trap_stub 0, 0
	trap_stub 1, 0
	trap_stub 2, 0
	trap_stub 3, 0
	trap_stub 4, 0
	trap_stub 5, 0
	trap_stub 6, 0
	trap_stub 7, 0
	trap_stub 8, 1
	trap_stub 10, 1
	trap_stub 11, 1
	trap_stub 12, 1
	trap_stub 13, 1
	trap_stub 14, 1
	trap_stub 16, 0
	trap_stub 17, 1
	trap_stub 18, 0
	trap_stub 19, 0

	.section .rodata
	.align 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff /* 64-bit code */
	.quad 0x00cf92000000ffff /* data */
boot_gdt_end:
	.globl boot_gdt_desc
boot_gdt_desc:
	.word boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

	.section .bss.page_aligned, "aw", @nobits
	.align 4096
boot_pml4:
	.skip 4096
boot_pdpt:
	.skip 4096
boot_pd:
	.skip 4 * 4096
boot_stack:
	.skip BOOT_STACK_SIZE
boot_stack_top:
