/*
 * PV entry point, ELF notes that tell Xen how to load us (the hypercall
 * page is in hypercall.S), and the exception stubs.
 *
 * Xen enters _start in 64-bit mode with %rsi = start_info (virtual), the
 * bootstrap region mapped at VIRT_BASE (0), and event delivery masked.
 */
#include "elfnote.h"
#include "trap_stub.h"

ELFNOTE(XEN_ELFNOTE_GUEST_OS, .asciz "Tide")
ELFNOTE(XEN_ELFNOTE_GUEST_VERSION, .asciz "0.1")
ELFNOTE(XEN_ELFNOTE_XEN_VERSION, .asciz "xen-3.0")
ELFNOTE(XEN_ELFNOTE_LOADER, .asciz "generic")
ELFNOTE(XEN_ELFNOTE_VIRT_BASE, .quad 0)
ELFNOTE(XEN_ELFNOTE_PADDR_OFFSET, .quad 0)
ELFNOTE(XEN_ELFNOTE_ENTRY, .quad _start)
ELFNOTE(XEN_ELFNOTE_HYPERCALL_PAGE, .quad hypercall_page)

#define BOOT_STACK_SIZE 65536

	.section .text.entry, "ax"
	.globl _start
_start:
	cld
	leaq boot_stack_top(%rip), %rsp
	movq %rsi, %rdi
	call start_of_day
1:	hlt
	jmp 1b

/*
 * Exception stubs. On a PV guest Xen pushes rcx and r11 above the usual
 * frame; vectors with an error code have it between those and rip.
 * Every exception is fatal in Tide: report it and stop.
 */
	trap_stub 0, 0
	trap_stub 1, 0
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

	.section .bss.page_aligned, "aw", @nobits
	.align 4096
boot_stack:
	.skip BOOT_STACK_SIZE
boot_stack_top:
